//! EventBridge Scheduler clients for the local endpoint (or the scripted layer in front of it):
//! the SDK client (to read back what an apply made, and to make what the stack does not own)
//! and the engine's [`Scheduler`].

use ecs_deploy::Scheduler;

/// An EventBridge Scheduler SDK client for `endpoint` in moto account `account`, with dummy
/// credentials.
pub fn client_at(endpoint: &str, account: &str) -> aws_sdk_scheduler::Client {
    super::clients::client_at!(aws_sdk_scheduler, endpoint, account)
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
