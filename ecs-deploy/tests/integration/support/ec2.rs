//! EC2 clients for the local endpoint: the SDK client (to make subnets and security groups) and
//! the [`Network`] that resolves lookups.

use ecs_deploy::network::Network;

/// An EC2 client for `endpoint` in moto account `account`, with dummy credentials.
pub fn client_at(endpoint: &str, account: &str) -> aws_sdk_ec2::Client {
    super::clients::client_at!(aws_sdk_ec2, endpoint, account)
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
    default_subnets_of(&client(account)).await
}

/// The IDs of the default subnets `ec2` describes, by availability zone.
pub async fn default_subnets_of(ec2: &aws_sdk_ec2::Client) -> Vec<String> {
    let described = ec2
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

/// The ID of the default VPC `ec2` describes (what the look-up `default` of a VpcId stands
/// for).
pub async fn default_vpc(ec2: &aws_sdk_ec2::Client) -> String {
    ec2.describe_vpcs()
        .send()
        .await
        .expect("DescribeVpcs")
        .vpcs()
        .iter()
        .find(|v| v.is_default() == Some(true))
        .and_then(|v| v.vpc_id())
        .expect("a default VPC")
        .to_owned()
}
