//! Typed builders and compile-time checked macros for Amazon ECS infrastructure.
//!
//! Two front ends over the same [`ecs_model`] values and the same rule set
//! ([`ecs_model::validate`]) that `ecs-deploy validate` runs on files:
//!
//! - the macros [`task_definition!`], [`service!`], [`cluster!`], [`capacity_provider!`] and
//!   [`stack!`] read like the AWS JSON and run the rule set while your crate compiles: a rule
//!   broken by literal values is a compile error at the offending token. They take literals
//!   only and evaluate to the value; their `try_` forms ([`try_task_definition!`] and the like)
//!   also take Rust expressions and always evaluate to `Result<_, `[`Invalid`]`>` (see the
//!   [`macros`] module for the syntax and the two forms);
//! - the typed builders run it when you call `build()`: a value that builds is one that
//!   validates.
//!
//! ```
//! let web = ecs_dsl::task_definition! {
//!     family: "webserver",
//!     requires_compatibilities: [FARGATE],
//!     network_mode: awsvpc,
//!     cpu: "256",
//!     memory: "512",
//!     container_definitions: [{ name: "web", image: "nginx:1.27", port_mappings: [{ container_port: 80 }] }],
//! };
//! assert_eq!(web.cpu.as_deref(), Some("256"));
//! ```
//!
//! The same with builders, in a stack:
//!
//! ```
//! use ecs_dsl::prelude::*;
//!
//! let web = task_definition("webserver")
//!     .requires_compatibilities("FARGATE")
//!     .network_mode("awsvpc")
//!     .size(TaskSize::fargate(Cpu::units(256), Memory::mib(512))?)
//!     .container_definitions(
//!         container("web", "nginx:1.27".parse::<ImageRef>()?)
//!             .port_mappings(PortMapping::builder().container_port(Port::HTTP)),
//!     );
//! let stack = stack()
//!     .cluster(cluster("demo"))
//!     .task_definition(web)
//!     .service(
//!         replica_service("web", "demo", "webserver")
//!             .desired_count(2)
//!             .launch_type("FARGATE")
//!             .network_configuration(NetworkConfiguration::builder().awsvpc_configuration(
//!                 AwsVpcConfiguration::builder().subnets("subnet-0123456789abcdef0"),
//!             )),
//!     )
//!     .build()?;
//! assert_eq!(stack.services[0].desired_count, Some(2));
//! println!("{}", to_json_pretty(&stack)?);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! - [`builders`]: one generated builder per AWS structure the four create/register inputs
//!   reach, started with [`Buildable::builder`] (`ContainerDefinition::builder()`).
//! - The constructors ([`task_definition()`], [`container`], [`cluster()`], [`replica_service`],
//!   [`daemon_service`], [`capacity_provider()`]) take the members a resource cannot do without,
//!   and [`stack()`] groups resources into an [`ecs_model::Stack`], checking the references
//!   between them.
//! - [`units`]: CPU, memory, ports, seconds, task cpu and memory strings, image references and
//!   Fargate task sizes as types. The setter of a member holding a quantity takes its unit, so
//!   `.memory(Cpu::units(256))` does not compile while `.memory(512)` and `.memory(Memory::gib(1))`
//!   do.
//! - [`checked`] and [`Resource`]: the check every `build()` runs; [`Invalid`] carries its
//!   diagnostics.

#![warn(missing_docs)]

#[rustfmt::skip]
mod generated;

mod buildable;
mod constructors;
mod invalid;
mod json;
pub mod prelude;
mod resource;
mod stack;
pub mod units;

/// The generated builders, one per AWS structure, re-exported flat.
///
/// Every builder follows the conventions of the AWS SDK for Rust:
///
/// - a setter per member taking `impl Into<T>`, so enums take their AWS string
///   (`.network_mode("awsvpc")`) and structures their builder;
/// - a member holding a quantity takes its type from [`units`] instead of the model's raw one:
///   [`Cpu`](crate::units::Cpu), [`Memory`](crate::units::Memory),
///   [`Port`](crate::units::Port), [`Seconds`](crate::units::Seconds) (also from a
///   [`Duration`](std::time::Duration)), and [`TaskCpu`](crate::units::TaskCpu) and
///   [`TaskMemory`](crate::units::TaskMemory) for a task's strings. A raw number (or string)
///   converts into its unit unchanged, a unit of another kind does not:
///   `.memory(Memory::mib(512))` and `.memory(512)` compile, `.memory(Cpu::units(512))` does
///   not;
/// - a list setter appends one item, a map setter inserts one entry, and `set_member` replaces
///   or clears the whole member with the model's raw type;
/// - a nested builder converts into its shape, so it goes into the enclosing setter without
///   `build()`: `.port_mappings(PortMapping::builder().container_port(80))`;
/// - the resource inputs (task definition, cluster, capacity provider, the two service kinds)
///   have a checked `build()` returning [`Result`]`<_, `[`Invalid`]`>` and a `check()` that lists
///   the diagnostics without building.
///
/// ```
/// use ecs_dsl::builders::PortMappingBuilder;
/// use ecs_dsl::model::types::PortMapping;
///
/// let mapping: PortMapping = PortMappingBuilder::default().container_port(8080).build();
/// assert_eq!(mapping.container_port, Some(8080));
/// ```
///
/// ```
/// use std::time::Duration;
/// use ecs_dsl::prelude::*;
///
/// let check: HealthCheck = HealthCheck::builder()
///     .command("CMD-SHELL")
///     .command("curl -f http://localhost/ || exit 1")
///     .interval(Duration::from_secs(30))
///     .set_retries(Some(3))
///     .build();
/// assert_eq!((check.interval, check.retries), (Some(30), Some(3)));
/// ```
pub mod builders {
    pub use crate::generated::*;
}

pub use buildable::Buildable;
pub use constructors::{
    capacity_provider, cluster, container, daemon_service, replica_service, task_definition,
};
pub use invalid::Invalid;
pub use json::to_json_pretty;
pub use resource::{Resource, checked};
pub use stack::{StackBuilder, stack};

pub use ecs_model as model;

// The macros are exported at the crate root; the module holds their shared documentation.
pub mod macros;
#[doc(hidden)]
pub use ecs_dsl_macros as __macros;
