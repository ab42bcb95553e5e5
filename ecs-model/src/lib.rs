//! Lossless serde types for the Amazon ECS API, the rule set that says what is valid, and
//! normalization.
//!
//! - [`types`]: one Rust type per structure and enum of the AWS API model that the
//!   task-definition, service, cluster and capacity-provider operations reach, generated from
//!   botocore's `service-2.json`. Every member is a typed field; members the model does not know
//!   are kept in `extra` and written back.
//! - [`load`]: the lenient loader, which reads real-world JSON (nulls, numbers as strings, empty
//!   enums, timestamps in either form) and reports each oddity as a [`Diagnostic`] with its JSON
//!   path.
//! - [`file`](mod@file): reading a file as UTF-8 text and checking it; [`file::read_stack`]
//!   gives the stack of a file, or every error it has.
//! - [`vars`]: `${NAME}` and `${NAME:-default}` in a file's string values, replaced before it is
//!   loaded ([`vars::read_stack`], [`vars::check_file`]).
//! - [`validate`](mod@validate): the rule set; [`normalize`]: the form that two definitions AWS
//!   treats as equal share. Both read task-level cpu and memory with [`units`].
//!
//! No AWS SDK here: crates that only produce or check JSON stay light.

#[rustfmt::skip]
mod generated;
#[rustfmt::skip]
mod generated_autoscaling;
#[rustfmt::skip]
mod generated_cloud_map;
#[rustfmt::skip]
mod generated_load_balancing;
#[rustfmt::skip]
mod generated_scheduler;

pub mod diagnostic;
pub mod document;
mod facts;
pub mod file;
pub mod load;
pub mod normalize;
pub mod reflect;
mod shape;
mod stack;
mod timestamp;
pub mod units;
pub mod validate;
pub mod vars;

/// The generated wire types, one per AWS shape, grouped by resource and re-exported flat.
pub mod types {
    pub use crate::generated::*;
}

/// The AWS Cloud Map (`servicediscovery`) types a stack's `namespaces` and `discoveryServices`
/// hold, generated from its API model like [`types`]. Its members are written as the API writes
/// them (`Name`, `DnsConfig`).
pub mod cloud_map {
    pub use crate::generated_cloud_map::*;
}

/// The Elastic Load Balancing v2 types a stack's `targetGroups` hold and its look-ups read,
/// generated from its API model.
pub mod load_balancing {
    pub use crate::generated_load_balancing::*;
}

/// The Application Auto Scaling types a stack's `scaling` holds, generated from its API model.
pub mod autoscaling {
    pub use crate::generated_autoscaling::*;
}

/// The Amazon EventBridge Scheduler types a stack's `scheduledTasks` hold, generated from its
/// API model.
pub mod scheduler {
    pub use crate::generated_scheduler::*;
}

pub use diagnostic::{Diagnostic, JsonPath, Location, PathSegment, Severity};
pub use document::{Document, Input, Kind};
pub use load::{FromJson, Loaded};
pub use shape::Shape;
pub use stack::{Namespace, Scaling, Stack};
pub use timestamp::Timestamp;
pub use validate::{validate_document, validate_stack};
