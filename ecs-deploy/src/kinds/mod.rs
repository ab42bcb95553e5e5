//! One module per resource kind, each the same shape:
//!
//! - `observe`: what AWS has of the kind's resources, read with the batched describes of
//!   [`crate::observe`] and rendered as the API inputs that would create them;
//! - `plan`: the desired resource against the one AWS has, both normalized
//!   (`ecs_model::normalize`), as a [`Change`](crate::plan::Change) with its field
//!   differences, its typed [`Reason`](crate::plan::Reason) and the typed
//!   [`Step`](crate::plan::Step)s that carry it out.
//!
//! Adding a kind is adding a module here, and its place in [`crate::observe::observe`],
//! [`crate::plan::plan`] and [`crate::apply`]'s phases.

pub(crate) mod capacity_provider;
pub(crate) mod cluster;
pub(crate) mod service;
pub(crate) mod task_definition;
