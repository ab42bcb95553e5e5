//! EventBridge Scheduler clients for the local endpoint (or the scripted layer in front of it):
//! the SDK client (to read back what an apply made, and to make what the stack does not own)
//! and the engine's [`Scheduler`].

use ecs_deploy::Scheduler;

/// An EventBridge Scheduler SDK client for `endpoint` in moto account `account`, with dummy
/// credentials.
pub fn client_at(endpoint: &str, account: &str) -> aws_sdk_scheduler::Client {
    let config = aws_sdk_scheduler::Config::builder()
        .behavior_version(aws_sdk_scheduler::config::BehaviorVersion::latest())
        .endpoint_url(endpoint)
        .region(aws_sdk_scheduler::config::Region::new("us-east-1"))
        .credentials_provider(aws_credential_types::Credentials::new(
            "test",
            "test",
            None,
            None,
            "ecs-rs tests",
        ))
        .interceptor(super::MotoAccount(account.to_owned()))
        .build();
    aws_sdk_scheduler::Client::from_conf(config)
}

/// The engine's Scheduler client for `endpoint`, in moto account `account`, with the quick
/// engine retries of [`super::ecs_at`].
pub fn scheduler_at(endpoint: &str, account: &str) -> Scheduler {
    Scheduler::from_client(client_at(endpoint, account)).retries(ecs_deploy::Retries::new(
        8,
        std::time::Duration::from_millis(10),
        std::time::Duration::from_millis(200),
    ))
}
