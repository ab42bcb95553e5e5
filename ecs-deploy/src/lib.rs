//! Plan and apply Amazon ECS infrastructure.
//!
//! - [`aws`]: calls to Amazon ECS through `aws-sdk-ecs`, with the AWS JSON of `ecs-model` as
//!   request and response bodies.
//! - [`diff`]: field-level differences of JSON values.
//! - [`plan`](mod@plan): the desired stack against the actual state, as changes.

pub mod aws;
pub mod diff;
pub mod plan;
