//! Calls to AWS Secrets Manager through `aws-sdk-secretsmanager` (the `secrets-manager`
//! feature): DescribeSecret, for `verify`. Never GetSecretValue: this crate does not read
//! secret values.
//!
//! Secrets Manager speaks `awsJson1_1` in the SDK version this crate uses (1.125:
//! `X-Amz-Target: secretsmanager.<Operation>`), so the request body is the input as JSON, as for
//! ECS: see the [parent module](super).
//!
//! DescribeSecret takes a `SecretId` (the secret's name or ARN, a partial ARN being the ARN
//! without its six random characters) and answers the secret's metadata (name, ARN, rotation,
//! tags, `DeletedDate` for one scheduled for deletion, never the value); a secret that does not
//! exist is `ResourceNotFoundException`
//! (<https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_DescribeSecret.html>).
//! A read, safe to repeat.

use super::{Api, Client, Clients, raw_json_client};

/// The Secrets Manager client: [`Client`] over `aws-sdk-secretsmanager`, with the methods of
/// [`Ecs`](super::Ecs) (`new`, `call`, `calls`, `retries`).
pub type SecretsManager = Client<aws_sdk_secretsmanager::Client>;

raw_json_client!(aws_sdk_secretsmanager::Client, Api::SecretsManager, {
    DescribeSecret => describe_secret,
});

impl SecretsManager {
    /// The region the client calls, when its configuration names one.
    pub fn region(&self) -> Option<String> {
        self.sdk.config().region().map(|r| r.as_ref().to_owned())
    }
}

impl Clients {
    /// Calls Secrets Manager through `secrets_manager`.
    pub fn secrets_manager(mut self, secrets_manager: SecretsManager) -> Self {
        self.secrets_manager = Some(secrets_manager);
        self
    }
}
