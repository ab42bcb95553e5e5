//! EC2 clients for the local endpoint: the SDK client (to make subnets and security groups) and
//! the [`Network`] that resolves lookups.

use ecs_deploy::network::Network;

/// An EC2 client for `endpoint` in moto account `account`, with dummy credentials.
pub fn client_at(endpoint: &str, account: &str) -> aws_sdk_ec2::Client {
    let config = aws_sdk_ec2::Config::builder()
        .behavior_version(aws_sdk_ec2::config::BehaviorVersion::latest())
        .endpoint_url(endpoint)
        .region(aws_sdk_ec2::config::Region::new("us-east-1"))
        .credentials_provider(aws_credential_types::Credentials::new(
            "test",
            "test",
            None,
            None,
            "ecs-rs tests",
        ))
        .interceptor(super::MotoAccount(account.to_owned()))
        .build();
    aws_sdk_ec2::Client::from_conf(config)
}

/// An EC2 client for the local endpoint, in moto account `account`.
pub fn client(account: &str) -> aws_sdk_ec2::Client {
    client_at(super::local_ecs::endpoint(), account)
}

/// The lookup resolver for the local endpoint, in moto account `account`.
pub fn network(account: &str) -> Network {
    Network::from_client(client(account))
}

/// The IDs of the default VPC's default subnets, by availability zone: what `default` stands
/// for.
pub async fn default_subnets(account: &str) -> Vec<String> {
    let described = client(account)
        .describe_subnets()
        .send()
        .await
        .expect("DescribeSubnets");
    let mut defaults: Vec<(String, String)> = described
        .subnets()
        .iter()
        .filter(|s| s.default_for_az() == Some(true))
        .map(|s| {
            (
                s.availability_zone().unwrap_or_default().to_owned(),
                s.subnet_id().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    defaults.sort();
    defaults.into_iter().map(|(_, id)| id).collect()
}
