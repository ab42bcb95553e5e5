#![doc = include_str!("../README.md")]
//!
//! # This crate
//!
//! A facade over the workspace crates, like `kube` over its parts:
//!
//! - [`model`]: serde types for the ECS API shapes, the rule set ([`model::validate`]) and
//!   normalization. No AWS SDK.
//! - [`dsl`]: typed builders and macros over the model. No AWS SDK.
//! - `deploy` (default feature `deploy`): the plan/apply engine and the `ecs-deploy` CLI.
//!
//! Users who only generate or check JSON build with `default-features = false` and never
//! compile the AWS SDK.

pub use ecs_dsl as dsl;
pub use ecs_model as model;

#[cfg(feature = "deploy")]
pub use ecs_deploy as deploy;
