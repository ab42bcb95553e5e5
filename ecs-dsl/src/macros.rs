//! The declaration macros: ECS resources written like the AWS JSON they produce, with Rust field
//! names, checked by the rule set while the crate compiles.
//!
//! Each `macro_rules!` wrapper hands its input to the procedural macro of `ecs-dsl-macros`
//! together with `$crate`, so the expansion names `ecs_dsl` correctly wherever it is used
//! (directly, or through the `ecs-rs` facade).
//!
//! # Syntax
//!
//! - Members are the Rust field names of [`crate::model::types`]: `container_port`, not
//!   `containerPort`. A raw keyword works both ways: `type` or `r#type`.
//! - The stack's other kinds hold the inputs of other AWS APIs, whose JSON members are
//!   PascalCase (`Name`, `DnsConfig`, `MinCapacity`); they are written with the snake_case Rust
//!   fields of [`crate::model::cloud_map`], [`crate::model::load_balancing`],
//!   [`crate::model::autoscaling`] and [`crate::model::scheduler`] (`name`, `dns_config`,
//!   `min_capacity`; `TTL` is `ttl`), and their values are typed by that API's model: its enums
//!   (`target_type: ip`, `routing_policy: MULTIVALUE`), integers and units.
//! - Values are literals (`"nginx"`, `512`, `-1`, `true`), enum values as AWS writes them
//!   (`FARGATE`, `awsvpc`, `tcp`, bare or quoted), objects `{ ... }`, lists `[ ... ]`, and maps
//!   with string keys `{ "awslogs-group": "/ecs/web" }`.
//! - Task-level `cpu` and `memory` are strings in AWS's JSON (`"256"`, `"1 vCPU"`); an integer
//!   literal is accepted too and written as a string.
//! - In the `try_` forms, any value may be a Rust expression instead:
//!   `image: format!("nginx:{tag}")`, `desired_count: replicas`. It is converted with `Into`
//!   into the member's type. A lone identifier where an enum goes is read as an enum value; pass
//!   a variable there in parentheses: `network_mode: (mode)`. Wrap an expression that contains
//!   a top-level comma (generic arguments, closures) in parentheses as well.
//!
//! # Two forms, one type each
//!
//! Each resource has a plain form and a `try_` form, and each form has one type whatever its
//! values are, so replacing `"nginx"` by `format!(..)` never changes the type of a use site:
//!
//! | form | values | evaluates to |
//! |---|---|---|
//! | [`task_definition!`](crate::task_definition!), [`service!`](crate::service!), [`cluster!`](crate::cluster!), [`capacity_provider!`](crate::capacity_provider!), [`stack!`](crate::stack!) | literals only | the value, `T` |
//! | [`try_task_definition!`](crate::try_task_definition!), [`try_service!`](crate::try_service!), [`try_cluster!`](crate::try_cluster!), [`try_capacity_provider!`](crate::try_capacity_provider!), [`try_stack!`](crate::try_stack!) | literals and Rust expressions | `Result<T, `[`Invalid`](crate::Invalid)`>` |
//!
//! A Rust expression in a plain form is a compile error at the expression
//! (`expression-needs-try-form`) that names the `try_` form to use. The plain form does not
//! check expressions at run time: it would have to panic on invalid input, or change its type.
//!
//! # When checks run
//!
//! Literals are checked while compiling, in both forms: an error of the rule set is a compile
//! error at the offending token, naming the rule's code and hint, and a warning of the rule set
//! is a compiler warning (shown as the use of a deprecated constant named after the rule, the
//! only way a macro can warn on stable Rust).
//!
//! The `try_` form then runs the whole rule set again on the built value with
//! [`crate::checked`]; with literals only that run finds nothing the compiler did not, so the
//! result is `Ok`. With expressions, a diagnostic is still a compile error when it holds
//! whatever the expression turns out to be: the macro validates the literals with the
//! expression absent and again with the expression set to each value it could plausibly take
//! (every value of an enum, both booleans, the strings and numbers written elsewhere in the
//! invocation, the bounds the rules use), and keeps what every one of those reports. So
//! `image: format!("nginx:{tag}")` does not hide a `dependsOn` naming a container that does
//! not exist, while `name: db_name` does not make a `dependsOn` naming `"db"` an error. When a
//! whole structure is an expression (`health_check: check`), the rules that relate one part of
//! a resource to another wait for run time as well.
//!
//! A map's keys are string literals (`"awslogs-group"`) or, where they are plain words,
//! identifiers (`{ team: "shop" }`).
//!
//! `stack!` declares a whole deployment: a service naming a cluster or task definition family
//! that the stack does not define is an error (an ARN is taken as an existing resource). To name
//! resources that already exist in AWS, build the stack with [`crate::stack()`] and
//! `allow_external_references()`.
//!
//! # The stack's keys
//!
//! | key | entries | model type |
//! |---|---|---|
//! | `name` | the stack's name, the value of its ownership tag (a string; checked by `stack-name`) | `Option<String>` |
//! | `clusters`, `capacity_providers`, `task_definitions`, `services` | ECS inputs | [`crate::model::types`] |
//! | `namespaces` | Cloud Map CreatePrivateDnsNamespace or CreateHttpNamespace inputs | [`Namespace`](crate::model::Namespace) |
//! | `discovery_services` | Cloud Map CreateService inputs | [`crate::model::cloud_map::CreateServiceRequest`] |
//! | `target_groups` | ELBv2 CreateTargetGroup inputs | [`crate::model::load_balancing::CreateTargetGroupInput`] |
//! | `scaling: { scalable_targets, scaling_policies, scheduled_actions }` | Application Auto Scaling inputs | [`Scaling`](crate::model::Scaling) |
//! | `scheduled_tasks` | EventBridge Scheduler CreateSchedule inputs | [`crate::model::scheduler::CreateScheduleInput`] |
//!
//! A `namespaces` entry that writes `vpc` is a private DNS namespace (CreatePrivateDnsNamespace,
//! names resolve in that VPC); one without is an HTTP namespace (CreateHttpNamespace), as the
//! JSON loader picks between them by `Vpc`. So `properties` goes with `vpc` only: in an entry
//! without it, it is an unknown member. In the `try_` form, a whole entry may be a
//! [`Namespace`](crate::model::Namespace) expression.

/// Declares a task definition: a RegisterTaskDefinition input
/// ([`RegisterTaskDefinitionRequest`](crate::model::types::RegisterTaskDefinitionRequest)).
///
/// ```
/// use ecs_dsl::task_definition;
///
/// let webserver = task_definition! {
///     family: "webserver",
///     requires_compatibilities: [FARGATE],
///     network_mode: awsvpc,
///     cpu: "256",
///     memory: "512",
///     container_definitions: [{
///         name: "web",
///         image: "nginx",
///         memory: 100,
///         cpu: 99,
///         port_mappings: [{ container_port: 80, protocol: tcp }],
///     }],
/// };
/// assert_eq!(webserver.family.as_deref(), Some("webserver"));
/// ```
///
/// A Fargate size that does not exist is a compile error:
///
/// ```compile_fail
/// let td = ecs_dsl::task_definition! {
///     family: "webserver",
///     requires_compatibilities: [FARGATE],
///     network_mode: awsvpc,
///     cpu: "256",
///     memory: "4096", // error: fargate-cpu-memory
///     container_definitions: [{ name: "web", image: "nginx" }],
/// };
/// ```
///
/// A Rust expression is a compile error that names [`try_task_definition!`](crate::try_task_definition!):
///
/// ```compile_fail
/// let tag = "1.27";
/// let td = ecs_dsl::task_definition! {
///     family: "webserver",
///     // error: expression-needs-try-form
///     container_definitions: [{ name: "web", image: format!("nginx:{tag}"), memory: 128 }],
/// };
/// ```
#[macro_export]
macro_rules! task_definition {
    ($($input:tt)*) => {
        $crate::__macros::task_definition!($crate; $($input)*)
    };
}

/// Declares a task definition that may hold Rust expressions: the same syntax as
/// [`task_definition!`](crate::task_definition!), and always a
/// `Result<`[`RegisterTaskDefinitionRequest`](crate::model::types::RegisterTaskDefinitionRequest)`, `[`Invalid`](crate::Invalid)`>`.
/// Literals are checked while compiling as in the plain form; the whole rule set runs again on
/// the built value.
///
/// ```
/// let tag = "1.27";
/// let td = ecs_dsl::try_task_definition! {
///     family: "webserver",
///     container_definitions: [{ name: "web", image: format!("nginx:{tag}"), memory: 128 }],
/// }?;
/// assert_eq!(td.container_definitions.unwrap()[0].image.as_deref(), Some("nginx:1.27"));
///
/// // The rule set at run time: an expression names a container that does not exist.
/// let db = String::from("postgres");
/// let invalid = ecs_dsl::try_task_definition! {
///     family: "app",
///     container_definitions: [
///         { name: db, image: "postgres", memory: 128 },
///         { name: "web", image: "nginx", memory: 128, depends_on: [{ container_name: "db", condition: START }] },
///     ],
/// }
/// .unwrap_err();
/// assert_eq!(invalid.codes(), ["depends-on-unknown-container"]);
/// # Ok::<(), ecs_dsl::Invalid>(())
/// ```
///
/// With literals only it is a `Result` still, so a literal can become an expression later
/// without touching the use site:
///
/// ```
/// let td = ecs_dsl::try_task_definition! {
///     family: "webserver",
///     container_definitions: [{ name: "web", image: "nginx:1.27", memory: 128 }],
/// };
/// assert!(td.is_ok());
/// ```
#[macro_export]
macro_rules! try_task_definition {
    ($($input:tt)*) => {
        $crate::__macros::try_task_definition!($crate; $($input)*)
    };
}

/// Declares a service: a CreateService input
/// ([`CreateServiceRequest`](crate::model::types::CreateServiceRequest)). The cluster is named
/// by name and the task definition by family, as in a stack file.
///
/// ```
/// let web = ecs_dsl::service! {
///     service_name: "web",
///     cluster: "demo",
///     task_definition: "webserver",
///     desired_count: 2,
///     launch_type: FARGATE,
///     network_configuration: {
///         awsvpc_configuration: { subnets: ["subnet-0123456789abcdef0"] },
///     },
///     deployment_configuration: {
///         deployment_circuit_breaker: { enable: true, rollback: true },
///     },
/// };
/// assert_eq!(web.desired_count, Some(2));
/// ```
///
/// A daemon service has no desired count:
///
/// ```compile_fail
/// let agent = ecs_dsl::service! {
///     service_name: "agent",
///     task_definition: "agent",
///     scheduling_strategy: DAEMON,
///     desired_count: 3, // error: service-daemon-desired-count
/// };
/// ```
#[macro_export]
macro_rules! service {
    ($($input:tt)*) => {
        $crate::__macros::service!($crate; $($input)*)
    };
}

/// [`service!`](crate::service!) that may hold Rust expressions: the same syntax, and always a
/// `Result<`[`CreateServiceRequest`](crate::model::types::CreateServiceRequest)`, `[`Invalid`](crate::Invalid)`>`. Literals are checked while compiling
/// as in the plain form; the whole rule set runs again on the built value.
///
/// ```
/// let replicas = 2;
/// let web = ecs_dsl::try_service! {
///     service_name: "web",
///     task_definition: "webserver",
///     desired_count: replicas,
/// }?;
/// assert_eq!(web.desired_count, Some(2));
///
/// let negative = ecs_dsl::try_service! {
///     service_name: "web",
///     task_definition: "webserver",
///     desired_count: -replicas,
/// };
/// assert_eq!(negative.unwrap_err().codes(), ["service-desired-count"]);
/// # Ok::<(), ecs_dsl::Invalid>(())
/// ```
#[macro_export]
macro_rules! try_service {
    ($($input:tt)*) => {
        $crate::__macros::try_service!($crate; $($input)*)
    };
}

/// Declares a cluster: a CreateCluster input
/// ([`CreateClusterRequest`](crate::model::types::CreateClusterRequest)).
///
/// ```
/// let demo = ecs_dsl::cluster! {
///     cluster_name: "demo",
///     capacity_providers: ["FARGATE", "FARGATE_SPOT"],
///     default_capacity_provider_strategy: [
///         { capacity_provider: "FARGATE", base: 1, weight: 1 },
///         { capacity_provider: "FARGATE_SPOT", weight: 3 },
///     ],
///     settings: [{ name: containerInsights, value: "enabled" }],
///     tags: [{ key: "team", value: "platform" }],
/// };
/// assert_eq!(demo.cluster_name.as_deref(), Some("demo"));
/// ```
///
/// ```compile_fail
/// let bad = ecs_dsl::cluster! { cluster_name: "my cluster" }; // error: cluster-name
/// ```
#[macro_export]
macro_rules! cluster {
    ($($input:tt)*) => {
        $crate::__macros::cluster!($crate; $($input)*)
    };
}

/// [`cluster!`](crate::cluster!) that may hold Rust expressions: the same syntax, and always a
/// `Result<`[`CreateClusterRequest`](crate::model::types::CreateClusterRequest)`, `[`Invalid`](crate::Invalid)`>`. Literals are checked while compiling
/// as in the plain form; the whole rule set runs again on the built value.
///
/// ```
/// let env = "staging";
/// let demo = ecs_dsl::try_cluster! { cluster_name: format!("shop-{env}") }?;
/// assert_eq!(demo.cluster_name.as_deref(), Some("shop-staging"));
///
/// let bad = ecs_dsl::try_cluster! { cluster_name: format!("shop {env}") };
/// assert_eq!(bad.unwrap_err().codes(), ["cluster-name"]);
/// # Ok::<(), ecs_dsl::Invalid>(())
/// ```
#[macro_export]
macro_rules! try_cluster {
    ($($input:tt)*) => {
        $crate::__macros::try_cluster!($crate; $($input)*)
    };
}

/// Declares a capacity provider: a CreateCapacityProvider input
/// ([`CreateCapacityProviderRequest`](crate::model::types::CreateCapacityProviderRequest)).
///
/// ```
/// let provider = ecs_dsl::capacity_provider! {
///     name: "web-asg",
///     auto_scaling_group_provider: {
///         auto_scaling_group_arn: "arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:1b3c:autoScalingGroupName/web",
///         managed_scaling: { status: ENABLED, target_capacity: 90 },
///     },
/// };
/// assert_eq!(provider.name.as_deref(), Some("web-asg"));
/// ```
///
/// ```compile_fail
/// let bad = ecs_dsl::capacity_provider! { name: "fargate-extra" }; // error: capacity-provider-name
/// ```
#[macro_export]
macro_rules! capacity_provider {
    ($($input:tt)*) => {
        $crate::__macros::capacity_provider!($crate; $($input)*)
    };
}

/// [`capacity_provider!`](crate::capacity_provider!) that may hold Rust expressions: the same syntax, and always a
/// `Result<`[`CreateCapacityProviderRequest`](crate::model::types::CreateCapacityProviderRequest)`, `[`Invalid`](crate::Invalid)`>`. Literals are checked while compiling
/// as in the plain form; the whole rule set runs again on the built value.
///
/// ```
/// let group = "arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:1b3c:autoScalingGroupName/web";
/// let provider = ecs_dsl::try_capacity_provider! {
///     name: "web-asg",
///     auto_scaling_group_provider: { auto_scaling_group_arn: group },
/// }?;
/// assert_eq!(provider.name.as_deref(), Some("web-asg"));
/// # Ok::<(), ecs_dsl::Invalid>(())
/// ```
#[macro_export]
macro_rules! try_capacity_provider {
    ($($input:tt)*) => {
        $crate::__macros::try_capacity_provider!($crate; $($input)*)
    };
}

/// Declares a whole stack ([`Stack`](crate::model::Stack)): clusters, capacity providers, task
/// definitions and services, and the Cloud Map namespaces and discovery services, target
/// groups, autoscaling and scheduled tasks they use (see [the keys](crate::macros#the-stacks-keys)),
/// checked together, so a service that names a missing container port or runs a DAEMON on
/// Fargate is a compile error too, as is a scalable target whose minimum is above its maximum or
/// a schedule whose cron expression does not parse.
///
/// ```
/// let stack = ecs_dsl::stack! {
///     name: "shop",
///     clusters: [{ cluster_name: "demo" }],
///     task_definitions: [{
///         family: "webserver",
///         requires_compatibilities: [FARGATE],
///         network_mode: awsvpc,
///         cpu: 256,
///         memory: 512,
///         container_definitions: [{
///             name: "web",
///             image: "nginx",
///             port_mappings: [{ container_port: 80 }],
///         }],
///     }],
///     services: [{
///         service_name: "web",
///         cluster: "demo",
///         task_definition: "webserver",
///         desired_count: 1,
///         launch_type: FARGATE,
///         network_configuration: {
///             awsvpc_configuration: { subnets: ["subnet-0123456789abcdef0"] },
///         },
///         // By name: the discovery service and target group below.
///         service_registries: [{ registry_arn: "web" }],
///         load_balancers: [{ target_group_arn: "web", container_name: "web", container_port: 80 }],
///     }],
///     // With `vpc`: a private DNS namespace; without, an HTTP namespace.
///     namespaces: [{ name: "internal.local", vpc: "vpc-0123456789abcdef0" }],
///     discovery_services: [{
///         name: "web",
///         namespace_id: "internal.local",
///         dns_config: { dns_records: [{ r#type: A, ttl: 10 }] },
///     }],
///     target_groups: [{ name: "web", protocol: HTTP, port: 80, target_type: ip }],
///     scaling: {
///         scalable_targets: [{
///             service_namespace: ecs,
///             resource_id: "service/demo/web",
///             scalable_dimension: "ecs:service:DesiredCount",
///             min_capacity: 1,
///             max_capacity: 4,
///         }],
///         scaling_policies: [{
///             policy_name: "cpu",
///             service_namespace: ecs,
///             resource_id: "service/demo/web",
///             scalable_dimension: "ecs:service:DesiredCount",
///             policy_type: TargetTrackingScaling,
///             target_tracking_scaling_policy_configuration: {
///                 target_value: 60.0,
///                 predefined_metric_specification: {
///                     predefined_metric_type: ECSServiceAverageCPUUtilization,
///                 },
///             },
///         }],
///     },
///     scheduled_tasks: [{
///         name: "nightly",
///         schedule_expression: "cron(0 3 * * ? *)",
///         flexible_time_window: { mode: OFF },
///         target: {
///             arn: "demo",
///             role_arn: "arn:aws:iam::123456789012:role/scheduler",
///             ecs_parameters: {
///                 task_definition_arn: "webserver",
///                 launch_type: FARGATE,
///                 network_configuration: {
///                     awsvpc_configuration: { subnets: ["subnet-0123456789abcdef0"] },
///                 },
///             },
///         },
///     }],
/// };
/// assert_eq!(stack.name.as_deref(), Some("shop"));
/// assert_eq!(stack.services.len(), 1);
/// assert_eq!(stack.scaling.scalable_targets[0].max_capacity, Some(4));
/// ```
///
/// ```compile_fail
/// let stack = ecs_dsl::stack! {
///     task_definitions: [{
///         family: "webserver",
///         container_definitions: [{ name: "web", image: "nginx", memory: 128 }],
///     }],
///     services: [{
///         service_name: "web",
///         task_definition: "webserver",
///         desired_count: 1,
///         load_balancers: [{
///             target_group_arn: "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web/0123456789abcdef",
///             container_name: "app", // error: stack-load-balancer-container
///             container_port: 80,
///         }],
///     }],
/// };
/// ```
///
/// ```compile_fail
/// let stack = ecs_dsl::stack! {
///     scaling: {
///         scalable_targets: [{
///             service_namespace: ecs,
///             resource_id: "service/demo/web",
///             scalable_dimension: "ecs:service:DesiredCount",
///             min_capacity: 10,
///             max_capacity: 2, // error: stack-scaling-capacity
///         }],
///     },
/// };
/// ```
#[macro_export]
macro_rules! stack {
    ($($input:tt)*) => {
        $crate::__macros::stack!($crate; $($input)*)
    };
}

/// [`stack!`](crate::stack!) that may hold Rust expressions: the same syntax, and always a
/// `Result<`[`Stack`](crate::model::Stack)`, `[`Invalid`](crate::Invalid)`>`. Literals are checked while compiling
/// as in the plain form; the whole rule set runs again on the built value.
///
/// ```
/// let tag = "1.27";
/// let stack = ecs_dsl::try_stack! {
///     task_definitions: [{
///         family: "webserver",
///         container_definitions: [{ name: "web", image: format!("nginx:{tag}"), memory: 128 }],
///     }],
///     services: [{ service_name: "web", task_definition: "webserver", desired_count: 1 }],
/// }?;
/// assert_eq!(stack.services.len(), 1);
/// # Ok::<(), ecs_dsl::Invalid>(())
/// ```
#[macro_export]
macro_rules! try_stack {
    ($($input:tt)*) => {
        $crate::__macros::try_stack!($crate; $($input)*)
    };
}
