//! Shared by the integration tests: the local ECS endpoint and clients pointed at it.

#![allow(dead_code)]

pub mod ec2;
pub mod local_ecs;
pub mod script;

use ecs_deploy::aws::Ecs;

/// An ECS client for the local endpoint, with dummy credentials, in its own moto account so
/// tests running at the same time do not see each other's resources.
pub async fn ecs(account: &str) -> Ecs {
    ecs_at(local_ecs::endpoint(), account).await
}

/// An ECS client for the endpoint at `url` (the local endpoint, or a scripted layer in front of
/// it), in moto account `account`. Retries start after 10 ms instead of 1 s, so tests that
/// throttle stay quick; the number of attempts is the SDK's standard 3.
pub async fn ecs_at(url: &str, account: &str) -> Ecs {
    let config = aws_config::defaults(aws_config::BehaviorVersion::latest())
        .endpoint_url(url)
        .region(aws_types::region::Region::new("us-east-1"))
        .credentials_provider(aws_types::sdk_config::SharedCredentialsProvider::new(
            aws_credential_types::Credentials::new("test", "test", None, None, "ecs-rs tests"),
        ))
        .retry_config(
            aws_config::retry::RetryConfig::standard()
                .with_initial_backoff(std::time::Duration::from_millis(10)),
        )
        .load()
        .await;
    let client = aws_sdk_ecs::Client::from_conf(
        aws_sdk_ecs::config::Builder::from(&config)
            .interceptor(MotoAccount(account.to_owned()))
            .build(),
    );
    Ecs::from_client(client)
}

/// Sends moto's `x-moto-account-id` header: each test gets an account of its own.
#[derive(Debug)]
struct MotoAccount(String);

impl aws_smithy_runtime_api::client::interceptors::Intercept for MotoAccount {
    fn name(&self) -> &'static str {
        "moto account"
    }

    fn modify_before_signing(
        &self,
        context: &mut aws_smithy_runtime_api::client::interceptors::context::BeforeTransmitInterceptorContextMut<'_>,
        _components: &aws_smithy_runtime_api::client::runtime_components::RuntimeComponents,
        _cfg: &mut aws_smithy_types::config_bag::ConfigBag,
    ) -> Result<(), aws_smithy_runtime_api::box_error::BoxError> {
        context
            .request_mut()
            .headers_mut()
            .insert("x-moto-account-id", self.0.clone());
        Ok(())
    }
}
