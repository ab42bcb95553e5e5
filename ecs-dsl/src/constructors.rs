//! Constructors that take the members a resource cannot do without, so they cannot be
//! forgotten; every other member is a setter on the builder they return.

use crate::builders::{
    ContainerDefinitionBuilder, CreateCapacityProviderRequestBuilder, CreateClusterRequestBuilder,
    DaemonServiceBuilder, RegisterTaskDefinitionRequestBuilder, ReplicaServiceBuilder,
};

/// A task definition of `family`.
///
/// The AWS model requires `family` and `containerDefinitions`: add at least one container with
/// `.container_definitions(container(..))`, or `build()` reports `missing-required-field`.
///
/// ```
/// use ecs_dsl::prelude::*;
///
/// let td = task_definition("webserver")
///     .container_definitions(container("web", "nginx").memory(Memory::mib(128)))
///     .build()?;
/// assert_eq!(td.family.as_deref(), Some("webserver"));
/// # Ok::<(), ecs_dsl::Invalid>(())
/// ```
pub fn task_definition(family: impl Into<String>) -> RegisterTaskDefinitionRequestBuilder {
    RegisterTaskDefinitionRequestBuilder::default().family(family)
}

/// A container named `name` running `image` (a string or an [`ImageRef`](crate::units::ImageRef)).
///
/// The AWS model marks no member of a container definition required, but AWS rejects a
/// container without a name or an image (rules `container-name`, `container-image-required`).
///
/// ```
/// use ecs_dsl::prelude::*;
///
/// let web: ContainerDefinition = container("web", "nginx:1.27").essential(true).into();
/// assert_eq!((web.name.as_deref(), web.image.as_deref()), (Some("web"), Some("nginx:1.27")));
/// ```
pub fn container(name: impl Into<String>, image: impl Into<String>) -> ContainerDefinitionBuilder {
    ContainerDefinitionBuilder::default()
        .name(name)
        .image(image)
}

/// A cluster named `name`.
///
/// ```
/// use ecs_dsl::prelude::*;
///
/// let demo = cluster("demo").build()?;
/// assert_eq!(demo.cluster_name.as_deref(), Some("demo"));
/// # Ok::<(), ecs_dsl::Invalid>(())
/// ```
pub fn cluster(name: impl Into<String>) -> CreateClusterRequestBuilder {
    CreateClusterRequestBuilder::default().cluster_name(name)
}

/// A REPLICA service `name` in `cluster`, running `task_definition` (a family, `family:revision`
/// or an ARN), with a desired count of 1 until `.desired_count(n)` says otherwise.
///
/// The rule set requires a REPLICA service to state its desired count (`service-desired-count`);
/// starting from 1, as the ECS console does, keeps that from being forgotten.
///
/// ```
/// use ecs_dsl::prelude::*;
///
/// let web = replica_service("web", "demo", "webserver").desired_count(3).build()?;
/// assert_eq!(web.desired_count, Some(3));
/// assert_eq!(web.scheduling_strategy, Some(SchedulingStrategy::Replica));
/// # Ok::<(), ecs_dsl::Invalid>(())
/// ```
pub fn replica_service(
    name: impl Into<String>,
    cluster: impl Into<String>,
    task_definition: impl Into<String>,
) -> ReplicaServiceBuilder {
    ReplicaServiceBuilder::default()
        .service_name(name)
        .cluster(cluster)
        .task_definition(task_definition)
        .desired_count(1)
}

/// A DAEMON service `name` in `cluster`, running `task_definition` on every container
/// instance. Its builder has no `desired_count` or `placement_strategy`: AWS rejects both for
/// a daemon.
///
/// ```
/// use ecs_dsl::prelude::*;
///
/// let agent = daemon_service("log-agent", "demo", "fluent-bit").launch_type("EC2").build()?;
/// assert_eq!(agent.scheduling_strategy, Some(SchedulingStrategy::Daemon));
/// # Ok::<(), ecs_dsl::Invalid>(())
/// ```
///
/// ```compile_fail
/// // A daemon cannot take a desired count.
/// let agent = ecs_dsl::daemon_service("log-agent", "demo", "fluent-bit").desired_count(2);
/// ```
pub fn daemon_service(
    name: impl Into<String>,
    cluster: impl Into<String>,
    task_definition: impl Into<String>,
) -> DaemonServiceBuilder {
    DaemonServiceBuilder::default()
        .service_name(name)
        .cluster(cluster)
        .task_definition(task_definition)
}

/// A capacity provider named `name`.
///
/// The AWS model requires only the name, but a capacity provider is either an Auto Scaling
/// group (`.auto_scaling_group_provider(..)`) or ECS Managed Instances
/// (`.managed_instances_provider(..)`); `build()` reports `capacity-provider-kind` until one is
/// set.
///
/// ```
/// use ecs_dsl::prelude::*;
///
/// let asg = "arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:1:autoScalingGroupName/web";
/// let provider = capacity_provider("web-asg")
///     .auto_scaling_group_provider(AutoScalingGroupProvider::builder().auto_scaling_group_arn(asg))
///     .build()?;
/// assert_eq!(provider.name.as_deref(), Some("web-asg"));
/// # Ok::<(), ecs_dsl::Invalid>(())
/// ```
pub fn capacity_provider(name: impl Into<String>) -> CreateCapacityProviderRequestBuilder {
    CreateCapacityProviderRequestBuilder::default().name(name)
}
