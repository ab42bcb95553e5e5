//! Cloud Map clients for the local endpoint: the SDK client (to read back what an apply made,
//! and to make resources the stack does not own) and the engine's [`CloudMap`].

use ecs_deploy::CloudMap;

/// A Cloud Map SDK client for `endpoint` in moto account `account`, with dummy credentials.
pub fn client_at(endpoint: &str, account: &str) -> aws_sdk_servicediscovery::Client {
    let config = aws_sdk_servicediscovery::Config::builder()
        .behavior_version(aws_sdk_servicediscovery::config::BehaviorVersion::latest())
        .endpoint_url(endpoint)
        .region(aws_sdk_servicediscovery::config::Region::new("us-east-1"))
        .credentials_provider(aws_credential_types::Credentials::new(
            "test",
            "test",
            None,
            None,
            "ecs-rs tests",
        ))
        .interceptor(super::MotoAccount(account.to_owned()))
        .build();
    aws_sdk_servicediscovery::Client::from_conf(config)
}

/// A Cloud Map SDK client for the local endpoint, in moto account `account`.
pub fn client(account: &str) -> aws_sdk_servicediscovery::Client {
    client_at(super::local_ecs::endpoint(), account)
}

/// The engine's Cloud Map client for the local endpoint, in moto account `account`, with the
/// quick engine retries of [`super::ecs_at`].
pub fn cloud_map(account: &str) -> CloudMap {
    CloudMap::from_client(client(account)).retries(ecs_deploy::Retries::new(
        8,
        std::time::Duration::from_millis(10),
        std::time::Duration::from_millis(200),
    ))
}
