//! The AWS configuration a deploy wants: the SDK's defaults (region, credentials, endpoint,
//! profiles, all from the environment) with retries and timeouts tuned for deploying.
//!
//! A deploy makes bursts of describe calls and then polls for minutes; ECS answers bursts
//! with `ThrottlingException`. The SDK's standard retry mode already retries throttling, 5xx
//! answers and transient network errors with exponential backoff and jitter, but gives up after
//! 3 attempts, which a throttled deploy of a large stack exhausts. So:
//!
//! - [`retry_config`]: standard mode, up to [`MAX_ATTEMPTS`] attempts, at most
//!   [`MAX_BACKOFF`] between two;
//! - [`timeout_config`]: [`CONNECT_TIMEOUT`] to connect, [`ATTEMPT_TIMEOUT`] per attempt, so a
//!   call that hangs is retried instead of holding the deploy.
//!
//! On top of the SDK's retries, [`crate::Ecs`] tries a call again a few more times, with
//! backoff, when the SDK gave up on throttling or a server error ([`crate::Retries`]): in a
//! storm of throttling the SDK's retry quota runs dry, and a deploy would rather slow down than
//! stop. [`engine_retries`] says how many.
//!
//! Your own settings win: with `AWS_MAX_ATTEMPTS` or `AWS_RETRY_MODE` in the environment, the
//! retries are the SDK's as configured there, and the engine adds none. Library users who build their own `SdkConfig`
//! can pass these functions' results to `aws_config::ConfigLoader` themselves.

use std::time::Duration;

use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;

/// Attempts per call, the first included.
pub const MAX_ATTEMPTS: u32 = 8;
/// The longest wait between two attempts.
pub const MAX_BACKOFF: Duration = Duration::from_secs(20);
/// How long connecting may take.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// How long one attempt of a call may take, answer included.
pub const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(60);

/// The SDK's standard retry mode with [`MAX_ATTEMPTS`] attempts and [`MAX_BACKOFF`].
///
/// ```
/// let retries = ecs_deploy::config::retry_config();
/// assert_eq!(retries.max_attempts(), ecs_deploy::config::MAX_ATTEMPTS);
/// ```
pub fn retry_config() -> RetryConfig {
    RetryConfig::standard()
        .with_max_attempts(MAX_ATTEMPTS)
        .with_max_backoff(MAX_BACKOFF)
}

/// [`CONNECT_TIMEOUT`] and [`ATTEMPT_TIMEOUT`].
pub fn timeout_config() -> TimeoutConfig {
    TimeoutConfig::builder()
        .connect_timeout(CONNECT_TIMEOUT)
        .operation_attempt_timeout(ATTEMPT_TIMEOUT)
        .build()
}

/// Whether the environment sets the retries itself (`AWS_MAX_ATTEMPTS`, `AWS_RETRY_MODE`).
fn retries_from_environment() -> bool {
    ["AWS_MAX_ATTEMPTS", "AWS_RETRY_MODE"]
        .iter()
        .any(|name| std::env::var_os(name).is_some_and(|v| !v.is_empty()))
}

/// The tries [`crate::Ecs`] adds to the SDK's: [`crate::Retries::default`], or none when the
/// environment sets the retries itself (`AWS_MAX_ATTEMPTS`, `AWS_RETRY_MODE`).
pub fn engine_retries() -> crate::Retries {
    if retries_from_environment() {
        crate::Retries::none()
    } else {
        crate::Retries::default()
    }
}

/// Loads the AWS configuration from the environment as `aws_config::load_defaults` does, with
/// [`retry_config`] (unless the environment sets the retries) and [`timeout_config`].
pub async fn load() -> aws_types::SdkConfig {
    let mut loader = aws_config::defaults(aws_config::BehaviorVersion::latest())
        .timeout_config(timeout_config());
    if !retries_from_environment() {
        loader = loader.retry_config(retry_config());
    }
    loader.load().await
}
