//! Calls to Amazon ECR through `aws-sdk-ecr` (the `ecr` feature): DescribeImages, for `verify`.
//!
//! ECR speaks `awsJson1_1` in the SDK version this crate uses (1.138:
//! `X-Amz-Target: AmazonEC2ContainerRegistry_V20150921.<Operation>`), so the request body is the
//! input as JSON, as for ECS: see the [parent module](super).
//!
//! DescribeImages with `imageIds` answers the images found and, for each id not found, an entry
//! of `failures` (`failureCode` `ImageNotFound`, `ImageTagDoesNotMatchDigest`...); a repository
//! that does not exist fails the call with `RepositoryNotFoundException`, and some callers see
//! `ImageNotFoundException` for an id not found
//! (<https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_DescribeImages.html>, Errors;
//! <https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_ImageFailure.html>). A read,
//! safe to repeat.

use super::{Api, Client, Clients, raw_json_client};

/// The ECR client: [`Client`] over `aws-sdk-ecr`, with the methods of [`Ecs`](super::Ecs)
/// (`new`, `call`, `calls`, `retries`).
pub type Ecr = Client<aws_sdk_ecr::Client>;

raw_json_client!(aws_sdk_ecr::Client, Api::Ecr, {
    DescribeImages => describe_images,
});

impl Ecr {
    /// The region the client calls, when its configuration names one.
    pub fn region(&self) -> Option<String> {
        self.sdk.config().region().map(|r| r.as_ref().to_owned())
    }
}

impl Clients {
    /// Calls ECR through `ecr`.
    pub fn ecr(mut self, ecr: Ecr) -> Self {
        self.ecr = Some(ecr);
        self
    }
}
