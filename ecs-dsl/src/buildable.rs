//! The entry point of the generated builders.

/// A model type with a generated builder, so that `ContainerDefinition::builder()` works.
///
/// The model types live in `ecs-model`, where this crate cannot add an inherent `builder()`
/// (the orphan rules forbid it); this trait adds it to every shape that has a builder. It comes
/// with the [`prelude`](crate::prelude). Services have no `builder()`: start them with
/// [`replica_service`](crate::replica_service) or [`daemon_service`](crate::daemon_service).
///
/// ```
/// use ecs_dsl::prelude::*;
///
/// let mapping: PortMapping = PortMapping::builder().container_port(Port::HTTP).build();
/// assert_eq!(mapping.container_port, Some(80));
/// ```
pub trait Buildable: Sized {
    /// The builder, such as [`ContainerDefinitionBuilder`](crate::builders::ContainerDefinitionBuilder).
    type Builder: Default + Into<Self>;

    /// A builder with no member set.
    fn builder() -> Self::Builder;
}
