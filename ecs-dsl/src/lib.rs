//! Typed builders and compile-time checked macros for Amazon ECS infrastructure.
//!
//! This crate is being built (see the project's issue list); today it re-exports the model so
//! that `ecs_dsl::model` is the one path users need.

pub use ecs_model as model;
