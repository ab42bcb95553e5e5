//! Calls to AWS Systems Manager Parameter Store through `aws-sdk-ssm` (the `ssm` feature):
//! DescribeParameters, for `verify`.
//!
//! SSM speaks `awsJson1_1` in the SDK version this crate uses (1.133:
//! `X-Amz-Target: AmazonSSM.<Operation>`), so the request body is the input as JSON, as for ECS:
//! see the [parent module](super).
//!
//! DescribeParameters answers parameters' metadata (name, type, version, never the value), so a
//! check of existence never holds a secret value, unlike GetParameter(s). A `ParameterFilters`
//! entry `{"Key": "Name", "Option": "Equals", "Values": [name]}` selects one parameter by its
//! full name; a name that does not exist is an empty `Parameters` list, not an error. The
//! answer may come in pages (`NextToken`) even when the filter matches one parameter, so a page
//! without it but with a token is read on
//! (<https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_DescribeParameters.html>).
//! A read, safe to repeat.

use super::{Api, Client, Clients, raw_json_client};

/// The SSM client: [`Client`] over `aws-sdk-ssm`, with the methods of [`Ecs`](super::Ecs)
/// (`new`, `call`, `calls`, `retries`).
pub type Ssm = Client<aws_sdk_ssm::Client>;

raw_json_client!(aws_sdk_ssm::Client, Api::Ssm, {
    DescribeParameters => describe_parameters,
});

impl Ssm {
    /// The region the client calls, when its configuration names one.
    pub fn region(&self) -> Option<String> {
        self.sdk.config().region().map(|r| r.as_ref().to_owned())
    }
}

impl Clients {
    /// Calls SSM through `ssm`.
    pub fn ssm(mut self, ssm: Ssm) -> Self {
        self.ssm = Some(ssm);
        self
    }
}
