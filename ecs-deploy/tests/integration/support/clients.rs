//! SDK set-up shared by the tests and the support modules, written once: the dummy
//! credentials, the shared configuration for an endpoint, and [`client_at!`], an SDK client of
//! any AWS service pointed at an endpoint in one moto account.

/// The dummy credentials every client of the tests signs with (moto checks none).
pub fn credentials() -> aws_credential_types::Credentials {
    aws_credential_types::Credentials::new("test", "test", None, None, "ecs-rs tests")
}

/// The SDK's shared configuration for the endpoint at `url` (the local endpoint, or a scripted
/// layer in front of it), in moto's default account: region us-east-1, [`credentials`], and
/// standard retries starting after 10 ms instead of 1 s, so tests that throttle stay quick.
pub async fn sdk_config(url: &str) -> aws_types::SdkConfig {
    aws_config::defaults(aws_config::BehaviorVersion::latest())
        .endpoint_url(url)
        .region(aws_types::region::Region::new("us-east-1"))
        .credentials_provider(aws_types::sdk_config::SharedCredentialsProvider::new(
            credentials(),
        ))
        .retry_config(
            aws_config::retry::RetryConfig::standard()
                .with_initial_backoff(std::time::Duration::from_millis(10)),
        )
        .load()
        .await
}

/// `client_at!(aws_sdk_ec2, endpoint, account)`: a client of that SDK crate for `endpoint` in
/// moto account `account` (the [`super::MotoAccount`] interceptor), region us-east-1, with
/// [`credentials`] and the SDK's default retries.
macro_rules! client_at {
    ($sdk:ident, $endpoint:expr, $account:expr) => {{
        let config = $sdk::Config::builder()
            .behavior_version($sdk::config::BehaviorVersion::latest())
            .endpoint_url($endpoint)
            .region($sdk::config::Region::new("us-east-1"))
            .credentials_provider($crate::support::clients::credentials())
            .interceptor($crate::support::MotoAccount($account.to_owned()))
            .build();
        $sdk::Client::from_conf(config)
    }};
}
pub(crate) use client_at;
