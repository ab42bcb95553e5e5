//! The [`Shape`] trait, implemented by every generated structure.

use serde::Serialize;
use serde_json::{Map, Value};

use crate::load::{FromJson, sealed};

/// A structure of the AWS ECS API model.
///
/// Implemented by every generated type; gives generic code (the loader, render, the every-member
/// tests) the model's member list without reflection. Like [`FromJson`], the trait is sealed:
/// other crates use it as a bound but cannot implement it.
pub trait Shape: sealed::Sealed + FromJson + Serialize + Default + Clone {
    /// The shape's name in the AWS model, such as `ContainerDefinition`.
    const SHAPE: &'static str;
    /// Every member name the AWS model lists, in model order, as written in JSON.
    const MEMBERS: &'static [&'static str];
    /// The members the AWS model marks as required.
    const REQUIRED: &'static [&'static str];

    /// Members the model does not know, or values that could not be typed, kept verbatim.
    fn extra(&self) -> &Map<String, Value>;

    /// Mutable access to [`Shape::extra`].
    fn extra_mut(&mut self) -> &mut Map<String, Value>;
}
