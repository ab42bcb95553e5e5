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
//! - [`validate`](mod@validate): the rule set; [`normalize`]: the form that two definitions AWS
//!   treats as equal share. Both read task-level cpu and memory with [`units`].
//!
//! No AWS SDK here: crates that only produce or check JSON stay light.

#[rustfmt::skip]
mod generated;

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

/// The generated wire types, one per AWS shape, grouped by resource and re-exported flat.
pub mod types {
    pub use crate::generated::*;
}

pub use diagnostic::{Diagnostic, JsonPath, Location, PathSegment, Severity};
pub use document::{Document, Input, Kind};
pub use load::{FromJson, Loaded};
pub use shape::Shape;
pub use stack::Stack;
pub use timestamp::Timestamp;
pub use validate::{validate_document, validate_stack};
