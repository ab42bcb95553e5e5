//! Everything a stack definition needs, in one import: `use ecs_dsl::prelude::*;`.
//!
//! The traits ([`Buildable`] for `X::builder()`, [`Resource`]), the constructors, the units,
//! the error, and the model's types (`ContainerDefinition`, `PortMapping`, `NetworkMode`...).
//!
//! ```
//! use ecs_dsl::prelude::*;
//!
//! let mapping: PortMapping = PortMapping::builder().container_port(Port::HTTP).protocol("tcp").build();
//! assert_eq!(mapping.protocol, Some(TransportProtocol::Tcp));
//! ```

pub use crate::units::{Cpu, ImageRef, Memory, Port, Seconds, TaskCpu, TaskMemory, TaskSize};
pub use crate::{
    Buildable, Invalid, Resource, StackBuilder, capacity_provider, checked, cluster, container,
    daemon_service, replica_service, stack, task_definition, to_json_pretty,
};
pub use ecs_model::types::*;
pub use ecs_model::{Diagnostic, JsonPath, Severity, Stack};
