//! Plan and apply Amazon ECS infrastructure.
//!
//! - [`aws`]: calls to Amazon ECS through `aws-sdk-ecs`, with the AWS JSON of `ecs-model` as
//!   request and response bodies.

pub mod aws;
