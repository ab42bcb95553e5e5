//! One module per resource kind, each the same shape: the desired resource against the one AWS
//! has (both normalized), as a [`Change`](crate::plan::Change) with its field differences, its
//! reason and the calls that carry it out. Adding a kind is adding a module here, and its
//! place in [`crate::plan::plan`] and [`crate::apply`]'s phases.

pub(crate) mod capacity_provider;
pub(crate) mod cluster;
pub(crate) mod service;
pub(crate) mod task_definition;
