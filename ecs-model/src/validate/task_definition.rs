//! Rules for RegisterTaskDefinitionRequest.
//!
//! Each rule states one thing the AWS documentation says about a task definition, cited in its
//! `doc`. Where the documentation is unclear about a limit, the rule is left out rather than
//! guessed. Members the AWS model requires are reported missing by the loader
//! (`missing-required-field`), so these rules skip absent values instead of reporting them again;
//! likewise enum values the model does not list (`unknown-enum-value`).
//!
//! The Fargate-only rules live in [`super::fargate`], which [`check`] runs too.

use std::collections::{HashMap, HashSet};

use crate::diagnostic::{Diagnostic, JsonPath, Severity};
use crate::types::{
    Compatibility, ContainerCondition, ContainerDefinition, LogConfiguration, LogDriver,
    NetworkMode, PortMapping, RegisterTaskDefinitionRequest, Secret, TransportProtocol,
};

use super::Rule;
use super::common::{check_name, check_tags};
use super::fargate::{self, FargateOs};
use crate::units::{parse_task_cpu, parse_task_memory};

const API_TASK_DEFINITION: &str =
    "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_RegisterTaskDefinition.html";
const API_CONTAINER: &str =
    "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ContainerDefinition.html";
const API_PORT_MAPPING: &str =
    "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_PortMapping.html";
const API_HEALTH_CHECK: &str =
    "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_HealthCheck.html";
const API_LOG_CONFIGURATION: &str =
    "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_LogConfiguration.html";
const API_SECRET: &str =
    "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_Secret.html";
const API_DEPENDENCY: &str =
    "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ContainerDependency.html";
const GUIDE_PARAMETERS: &str =
    "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_definition_parameters.html";
const GUIDE_FIRELENS: &str =
    "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/firelens-taskdef.html";

/// Shorthand for an error rule.
const fn error(code: &'static str, summary: &'static str, doc: &'static str) -> Rule {
    Rule {
        code,
        severity: Severity::Error,
        summary,
        doc,
    }
}

/// Shorthand for a warning rule.
const fn warning(code: &'static str, summary: &'static str, doc: &'static str) -> Rule {
    Rule {
        code,
        severity: Severity::Warning,
        summary,
        doc,
    }
}

// ---- Task and container basics ----------------------------------------------------------------

/// Family name syntax.
pub(crate) const FAMILY_NAME: Rule = error(
    "family-name",
    "The family is 1 to 255 letters, digits, hyphens and underscores.",
    API_TASK_DEFINITION,
);

/// Container name presence and syntax.
pub(crate) const CONTAINER_NAME: Rule = error(
    "container-name",
    "Every container has a name of 1 to 255 letters, digits, hyphens and underscores.",
    API_CONTAINER,
);

/// Container image presence.
pub(crate) const CONTAINER_IMAGE_REQUIRED: Rule = error(
    "container-image-required",
    "Every container names its image.",
    GUIDE_PARAMETERS,
);

/// 1 to 10 containers.
pub(crate) const CONTAINER_COUNT: Rule = error(
    "container-count",
    "A task definition has 1 to 10 containers (a quota AWS does not raise).",
    "https://docs.aws.amazon.com/general/latest/gr/ecs-service.html",
);

/// Unique container names.
pub(crate) const DUPLICATE_CONTAINER_NAME: Rule = error(
    "duplicate-container-name",
    "Container names are unique within a task definition.",
    API_CONTAINER,
);

/// At least one essential container.
pub(crate) const ESSENTIAL_CONTAINER: Rule = error(
    "essential-container",
    "At least one container is essential (`essential` defaults to true).",
    API_CONTAINER,
);

// ---- Task size ---------------------------------------------------------------------------------

/// Task `cpu` syntax.
pub(crate) const TASK_CPU_UNPARSEABLE: Rule = error(
    "task-cpu-unparseable",
    "Task cpu is a whole number of CPU units (\"1024\") or vCPUs (\"1 vCPU\").",
    API_TASK_DEFINITION,
);

/// Task `memory` syntax.
pub(crate) const TASK_MEMORY_UNPARSEABLE: Rule = error(
    "task-memory-unparseable",
    "Task memory is a whole number of MiB (\"2048\") or GB (\"2 GB\").",
    API_TASK_DEFINITION,
);

/// Task `cpu` bounds outside Fargate.
pub(crate) const TASK_CPU_RANGE: Rule = error(
    "task-cpu-range",
    "On EC2 and external instances, task cpu is 128 to 196608 CPU units (0.125 to 192 vCPU).",
    API_TASK_DEFINITION,
);

// ---- Container memory and cpu ------------------------------------------------------------------

/// `memoryReservation` within `memory`.
pub(crate) const MEMORY_RESERVATION_EXCEEDS_MEMORY: Rule = error(
    "memory-reservation-exceeds-memory",
    "A container's memoryReservation (soft limit) does not exceed its memory (hard limit).",
    API_CONTAINER,
);

/// The Docker daemon's 6 MiB floor.
pub(crate) const CONTAINER_MEMORY_MINIMUM: Rule = warning(
    "container-memory-minimum",
    "Container memory and memoryReservation are at least 6 MiB, the minimum Docker 20.10 \
     reserves for a container.",
    API_CONTAINER,
);

/// Container memory when the task sets none.
pub(crate) const CONTAINER_MEMORY_REQUIRED: Rule = error(
    "container-memory-required",
    "Without task-level memory, every container sets memory or memoryReservation.",
    API_CONTAINER,
);

/// One container's hard limit within the task's memory.
pub(crate) const CONTAINER_MEMORY_LIMIT: Rule = error(
    "container-memory-limit",
    "A container's memory does not exceed the task-level memory.",
    API_CONTAINER,
);

/// The containers' reservations within the task's memory.
pub(crate) const CONTAINER_MEMORY_SUM: Rule = error(
    "container-memory-sum",
    "The memory the containers reserve (memoryReservation, else memory) adds up to no more \
     than the task-level memory.",
    API_CONTAINER,
);

/// The containers' cpu within the task's cpu.
pub(crate) const CONTAINER_CPU_SUM: Rule = error(
    "container-cpu-sum",
    "The containers' cpu adds up to no more than the task-level cpu.",
    API_CONTAINER,
);

// ---- Port mappings -----------------------------------------------------------------------------

/// No port mappings in `none` mode.
pub(crate) const PORT_MAPPINGS_NETWORK_MODE_NONE: Rule = error(
    "port-mappings-network-mode-none",
    "With network mode `none`, containers have no port mappings.",
    API_CONTAINER,
);

/// `hostPort` equals `containerPort` in awsvpc and host modes.
pub(crate) const HOST_PORT_MISMATCH: Rule = error(
    "host-port-mismatch",
    "In awsvpc and host network modes, hostPort is omitted or equals containerPort.",
    API_PORT_MAPPING,
);

/// Port number bounds.
pub(crate) const PORT_OUT_OF_RANGE: Rule = error(
    "port-out-of-range",
    "containerPort and containerPortRange ports are 1 to 65535; hostPort is 0 to 65535.",
    API_PORT_MAPPING,
);

/// One of `containerPort` and `containerPortRange`.
pub(crate) const PORT_MAPPING_CONTAINER_PORT: Rule = error(
    "port-mapping-container-port",
    "A port mapping sets exactly one of containerPort and containerPortRange.",
    API_PORT_MAPPING,
);

/// `containerPortRange` syntax.
pub(crate) const CONTAINER_PORT_RANGE_SYNTAX: Rule = error(
    "container-port-range-syntax",
    "containerPortRange is written `first-last` with the first port less than the last.",
    API_PORT_MAPPING,
);

/// `containerPortRange` network modes.
pub(crate) const CONTAINER_PORT_RANGE_NETWORK_MODE: Rule = error(
    "container-port-range-network-mode",
    "containerPortRange needs the bridge or awsvpc network mode.",
    API_PORT_MAPPING,
);

/// No `hostPort` with a range.
pub(crate) const CONTAINER_PORT_RANGE_HOST_PORT: Rule = error(
    "container-port-range-host-port",
    "A port mapping with containerPortRange leaves hostPort empty; ECS assigns host ports.",
    API_PORT_MAPPING,
);

/// At most 100 ranges per container.
pub(crate) const CONTAINER_PORT_RANGE_LIMIT: Rule = error(
    "container-port-range-limit",
    "A container has at most 100 port ranges.",
    API_PORT_MAPPING,
);

/// No port bound twice.
pub(crate) const DUPLICATE_PORT_MAPPING: Rule = error(
    "duplicate-port-mapping",
    "A port is in one port mapping per container (whatever the protocol), and no two \
     mappings of a task claim the same port and protocol where they share it: container \
     ports in awsvpc and host modes, host ports in bridge mode.",
    API_PORT_MAPPING,
);

/// Port mapping name syntax.
pub(crate) const PORT_MAPPING_NAME: Rule = error(
    "port-mapping-name",
    "A port mapping name is up to 64 lowercase letters, digits, underscores and hyphens, \
     and does not start with a hyphen.",
    API_PORT_MAPPING,
);

/// Unique port mapping names.
pub(crate) const DUPLICATE_PORT_MAPPING_NAME: Rule = error(
    "duplicate-port-mapping-name",
    "Port mapping names are unique within a task definition; services refer to ports by name.",
    API_PORT_MAPPING,
);

// ---- References between containers and volumes -------------------------------------------------

/// `dependsOn` names a container of the task.
pub(crate) const DEPENDS_ON_UNKNOWN_CONTAINER: Rule = error(
    "depends-on-unknown-container",
    "dependsOn names a container of the same task definition.",
    API_DEPENDENCY,
);

/// A container does not depend on itself.
pub(crate) const DEPENDS_ON_SELF: Rule = error(
    "depends-on-self",
    "A container does not depend on itself.",
    API_DEPENDENCY,
);

/// COMPLETE and SUCCESS wait on non-essential containers only.
pub(crate) const DEPENDS_ON_ESSENTIAL_COMPLETE: Rule = error(
    "depends-on-essential-complete",
    "The COMPLETE and SUCCESS conditions name a non-essential container.",
    API_DEPENDENCY,
);

/// HEALTHY waits on a container with a health check.
pub(crate) const DEPENDS_ON_HEALTHY_WITHOUT_HEALTH_CHECK: Rule = error(
    "depends-on-healthy-without-health-check",
    "The HEALTHY condition names a container that has a health check.",
    API_DEPENDENCY,
);

/// `links` name containers of the task.
pub(crate) const LINK_UNKNOWN_CONTAINER: Rule = error(
    "link-unknown-container",
    "Each link (`name` or `name:alias`) names a container of the same task definition.",
    API_CONTAINER,
);

/// `links` need bridge mode.
pub(crate) const LINKS_NETWORK_MODE: Rule = error(
    "links-network-mode",
    "links are only supported in the bridge network mode (the Linux default).",
    API_CONTAINER,
);

/// `volumesFrom` names a container of the task.
pub(crate) const VOLUMES_FROM_UNKNOWN_CONTAINER: Rule = error(
    "volumes-from-unknown-container",
    "volumesFrom names a container of the same task definition.",
    "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_VolumeFrom.html",
);

/// `mountPoints` name volumes of the task.
pub(crate) const MOUNT_POINT_UNKNOWN_VOLUME: Rule = error(
    "mount-point-unknown-volume",
    "A mount point's sourceVolume names a volume of the task definition.",
    "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_MountPoint.html",
);

/// Volume name syntax.
pub(crate) const VOLUME_NAME: Rule = error(
    "volume-name",
    "A volume name is 1 to 255 letters, digits, hyphens and underscores.",
    "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_Volume.html",
);

/// Unique volume names.
pub(crate) const DUPLICATE_VOLUME_NAME: Rule = error(
    "duplicate-volume-name",
    "Volume names are unique within a task definition; mount points refer to them by name.",
    "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_Volume.html",
);

// ---- Health checks ------------------------------------------------------------------------------

/// Health check command form.
pub(crate) const HEALTH_CHECK_COMMAND: Rule = error(
    "health-check-command",
    "A health check command starts with CMD or CMD-SHELL, followed by the command.",
    API_HEALTH_CHECK,
);

/// Health check interval bounds.
pub(crate) const HEALTH_CHECK_INTERVAL: Rule = error(
    "health-check-interval",
    "A health check interval is 5 to 300 seconds.",
    API_HEALTH_CHECK,
);

/// Health check timeout bounds.
pub(crate) const HEALTH_CHECK_TIMEOUT: Rule = error(
    "health-check-timeout",
    "A health check timeout is 2 to 60 seconds.",
    API_HEALTH_CHECK,
);

/// Health check retries bounds.
pub(crate) const HEALTH_CHECK_RETRIES: Rule = error(
    "health-check-retries",
    "A health check retries 1 to 10 times.",
    API_HEALTH_CHECK,
);

/// Health check start period bounds.
pub(crate) const HEALTH_CHECK_START_PERIOD: Rule = error(
    "health-check-start-period",
    "A health check start period is 0 to 300 seconds.",
    API_HEALTH_CHECK,
);

// ---- Task-level options -------------------------------------------------------------------------

/// Ephemeral storage bounds.
pub(crate) const EPHEMERAL_STORAGE_SIZE: Rule = error(
    "ephemeral-storage-size",
    "ephemeralStorage.sizeInGiB is 21 to 200.",
    "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_EphemeralStorage.html",
);

/// At most 10 placement constraints.
pub(crate) const PLACEMENT_CONSTRAINT_LIMIT: Rule = error(
    "placement-constraint-limit",
    "A task has at most 10 placement constraints, counting those given at run time.",
    API_TASK_DEFINITION,
);

/// The App Mesh proxy container exists.
pub(crate) const PROXY_CONTAINER_MISSING: Rule = error(
    "proxy-container-missing",
    "proxyConfiguration.containerName names a container of the task definition.",
    "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ProxyConfiguration.html",
);

/// Windows limits.
pub(crate) const WINDOWS_UNSUPPORTED_PARAMETER: Rule = error(
    "windows-unsupported-parameter",
    "A Windows task definition does not use pidMode, ipcMode, the bridge, host or none \
     network modes, links, privileged, extraHosts, dnsServers or disableNetworking.",
    API_CONTAINER,
);

/// awsvpc limits.
pub(crate) const AWSVPC_UNSUPPORTED_PARAMETER: Rule = error(
    "awsvpc-unsupported-parameter",
    "In the awsvpc network mode, containers do not set hostname or extraHosts.",
    API_CONTAINER,
);

// ---- Logging ------------------------------------------------------------------------------------

/// awslogs options.
pub(crate) const AWSLOGS_OPTIONS: Rule = error(
    "awslogs-options",
    "The awslogs driver has the awslogs-group and awslogs-region options, and on Fargate \
     awslogs-stream-prefix too.",
    API_LOG_CONFIGURATION,
);

/// awslogs multiline options.
pub(crate) const AWSLOGS_MULTILINE_CONFLICT: Rule = warning(
    "awslogs-multiline-conflict",
    "awslogs-datetime-format and awslogs-multiline-pattern are not both set; the pattern \
     would be ignored.",
    API_LOG_CONFIGURATION,
);

/// splunk options.
pub(crate) const SPLUNK_OPTIONS: Rule = error(
    "splunk-options",
    "The splunk driver has splunk-url in options and splunk-token in options or secretOptions.",
    API_LOG_CONFIGURATION,
);

/// awsfirelens needs a log router.
pub(crate) const FIRELENS_ROUTER_MISSING: Rule = error(
    "firelens-router-missing",
    "A container that logs with awsfirelens needs a log router: a container with \
     firelensConfiguration in the same task definition.",
    GUIDE_FIRELENS,
);

/// A log router needs a client.
pub(crate) const FIRELENS_ROUTER_UNUSED: Rule = error(
    "firelens-router-unused",
    "A task definition with a firelensConfiguration has a container that logs with awsfirelens.",
    GUIDE_FIRELENS,
);

/// One log router.
pub(crate) const FIRELENS_MULTIPLE_ROUTERS: Rule = warning(
    "firelens-multiple-routers",
    "A task definition has one FireLens log router; ECS routes awsfirelens logs to a single one.",
    GUIDE_FIRELENS,
);

// ---- Secrets and environment ---------------------------------------------------------------------

/// `valueFrom` form.
pub(crate) const SECRET_VALUE_FROM: Rule = error(
    "secret-value-from",
    "A secret's valueFrom is a Secrets Manager or SSM Parameter Store ARN, or the name of an \
     SSM parameter in the task's Region.",
    API_SECRET,
);

/// Non-empty secret names.
pub(crate) const SECRET_NAME: Rule = error(
    "secret-name",
    "A secret has a non-empty name: the environment variable or log option it sets.",
    API_SECRET,
);

/// Unique secret names.
pub(crate) const DUPLICATE_SECRET_NAME: Rule = warning(
    "duplicate-secret-name",
    "A container sets each secret once, and not also as a plain environment variable.",
    API_SECRET,
);

/// Unique environment names.
pub(crate) const DUPLICATE_ENVIRONMENT_NAME: Rule = warning(
    "duplicate-environment-name",
    "A container sets each environment variable once; only one of the values would apply.",
    API_CONTAINER,
);

pub(crate) const RULES: &[&Rule] = &[
    &FAMILY_NAME,
    &CONTAINER_NAME,
    &CONTAINER_IMAGE_REQUIRED,
    &CONTAINER_COUNT,
    &DUPLICATE_CONTAINER_NAME,
    &ESSENTIAL_CONTAINER,
    &TASK_CPU_UNPARSEABLE,
    &TASK_MEMORY_UNPARSEABLE,
    &TASK_CPU_RANGE,
    &MEMORY_RESERVATION_EXCEEDS_MEMORY,
    &CONTAINER_MEMORY_MINIMUM,
    &CONTAINER_MEMORY_REQUIRED,
    &CONTAINER_MEMORY_LIMIT,
    &CONTAINER_MEMORY_SUM,
    &CONTAINER_CPU_SUM,
    &PORT_MAPPINGS_NETWORK_MODE_NONE,
    &HOST_PORT_MISMATCH,
    &PORT_OUT_OF_RANGE,
    &PORT_MAPPING_CONTAINER_PORT,
    &CONTAINER_PORT_RANGE_SYNTAX,
    &CONTAINER_PORT_RANGE_NETWORK_MODE,
    &CONTAINER_PORT_RANGE_HOST_PORT,
    &CONTAINER_PORT_RANGE_LIMIT,
    &DUPLICATE_PORT_MAPPING,
    &PORT_MAPPING_NAME,
    &DUPLICATE_PORT_MAPPING_NAME,
    &DEPENDS_ON_UNKNOWN_CONTAINER,
    &DEPENDS_ON_SELF,
    &DEPENDS_ON_ESSENTIAL_COMPLETE,
    &DEPENDS_ON_HEALTHY_WITHOUT_HEALTH_CHECK,
    &LINK_UNKNOWN_CONTAINER,
    &LINKS_NETWORK_MODE,
    &VOLUMES_FROM_UNKNOWN_CONTAINER,
    &MOUNT_POINT_UNKNOWN_VOLUME,
    &VOLUME_NAME,
    &DUPLICATE_VOLUME_NAME,
    &HEALTH_CHECK_COMMAND,
    &HEALTH_CHECK_INTERVAL,
    &HEALTH_CHECK_TIMEOUT,
    &HEALTH_CHECK_RETRIES,
    &HEALTH_CHECK_START_PERIOD,
    &EPHEMERAL_STORAGE_SIZE,
    &PLACEMENT_CONSTRAINT_LIMIT,
    &PROXY_CONTAINER_MISSING,
    &WINDOWS_UNSUPPORTED_PARAMETER,
    &AWSVPC_UNSUPPORTED_PARAMETER,
    &AWSLOGS_OPTIONS,
    &AWSLOGS_MULTILINE_CONFLICT,
    &SPLUNK_OPTIONS,
    &FIRELENS_ROUTER_MISSING,
    &FIRELENS_ROUTER_UNUSED,
    &FIRELENS_MULTIPLE_ROUTERS,
    &SECRET_VALUE_FROM,
    &SECRET_NAME,
    &DUPLICATE_SECRET_NAME,
    &DUPLICATE_ENVIRONMENT_NAME,
];

/// The network mode a task gets, defaults applied.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Network {
    /// `bridge`, or no mode on Linux.
    Bridge,
    /// `host`.
    Host,
    /// `awsvpc`.
    Awsvpc,
    /// `none`.
    Disabled,
    /// No mode on Windows: Docker's NAT network, which maps ports like bridge.
    WindowsDefault,
    /// A value the model does not list (the loader reported it); mode rules skip it.
    Unknown,
}

/// A task definition with what the rules derive from it once: its compatibilities, operating
/// system, network mode, parsed size and container names.
pub(super) struct TaskView<'a> {
    /// The task definition.
    pub(super) td: &'a RegisterTaskDefinitionRequest,
    /// Its containers (empty when absent).
    pub(super) containers: &'a [ContainerDefinition],
    /// Whether `requiresCompatibilities` lists FARGATE.
    pub(super) fargate: bool,
    /// Whether `runtimePlatform.operatingSystemFamily` is a Windows family.
    pub(super) windows: bool,
    /// The network mode, defaults applied.
    pub(super) network: Network,
    /// Task cpu in units, when set and parseable.
    pub(super) cpu: Option<u32>,
    /// Task memory in MiB, when set and parseable.
    pub(super) memory: Option<u32>,
    /// Container names to their first index.
    names: HashMap<&'a str, usize>,
}

impl<'a> TaskView<'a> {
    fn new(td: &'a RegisterTaskDefinitionRequest) -> Self {
        let containers = td.container_definitions.as_deref().unwrap_or_default();
        let fargate = td
            .requires_compatibilities
            .iter()
            .flatten()
            .any(|c| *c == Compatibility::Fargate);
        let windows = td
            .runtime_platform
            .as_ref()
            .and_then(|p| p.operating_system_family.as_ref())
            .is_some_and(|family| family.as_str().starts_with("WINDOWS"));
        let network = match &td.network_mode {
            Some(NetworkMode::Bridge) => Network::Bridge,
            Some(NetworkMode::Host) => Network::Host,
            Some(NetworkMode::Awsvpc) => Network::Awsvpc,
            Some(NetworkMode::None) => Network::Disabled,
            Some(_) => Network::Unknown,
            None if windows => Network::WindowsDefault,
            None => Network::Bridge,
        };
        let mut names = HashMap::new();
        for (i, container) in containers.iter().enumerate() {
            if let Some(name) = container.name.as_deref() {
                names.entry(name).or_insert(i);
            }
        }
        Self {
            td,
            containers,
            fargate,
            windows,
            network,
            cpu: td.cpu.as_deref().and_then(parse_task_cpu),
            memory: td.memory.as_deref().and_then(parse_task_memory),
            names,
        }
    }

    /// The operating system for the Fargate size table.
    pub(super) fn fargate_os(&self) -> FargateOs {
        if self.windows {
            FargateOs::Windows
        } else {
            FargateOs::Linux
        }
    }

    /// Whether the EC2 or external launch types can run it: `requiresCompatibilities` is
    /// absent or empty (EC2 by default), or lists EC2 or EXTERNAL.
    fn ec2_or_external(&self) -> bool {
        match self.td.requires_compatibilities.as_deref() {
            None | Some([]) => true,
            Some(list) => list
                .iter()
                .any(|c| matches!(c, Compatibility::Ec2 | Compatibility::External)),
        }
    }

    /// The container named `name`.
    fn container(&self, name: &str) -> Option<&'a ContainerDefinition> {
        self.names.get(name).and_then(|i| self.containers.get(*i))
    }

    /// The container names, for hints.
    fn name_list(&self) -> String {
        let mut names: Vec<String> = Vec::new();
        for name in self.containers.iter().filter_map(|c| c.name.as_deref()) {
            let quoted = format!("`{name}`");
            if !names.contains(&quoted) {
                names.push(quoted);
            }
        }
        if names.is_empty() {
            "none".to_owned()
        } else {
            names.join(", ")
        }
    }
}

/// `containerDefinitions[i]`.
pub(super) fn container_path(i: usize) -> JsonPath {
    JsonPath::root().key("containerDefinitions").index(i)
}

/// Whether a container is essential (`essential` defaults to true).
fn essential(container: &ContainerDefinition) -> bool {
    container.essential.unwrap_or(true)
}

/// Runs every task-definition rule, the Fargate ones included.
pub(crate) fn check(td: &RegisterTaskDefinitionRequest, out: &mut Vec<Diagnostic>) {
    let task = TaskView::new(td);
    if let Some(family) = td.family.as_deref() {
        check_name(
            &FAMILY_NAME,
            "family",
            family,
            JsonPath::root().key("family"),
            out,
        );
    }
    check_container_list(&task, out);
    check_task_size(&task, out);
    check_container_memory(&task, out);
    check_resource_sums(&task, out);
    check_ports(&task, out);
    check_dependencies(&task, out);
    check_links_and_volumes(&task, out);
    check_volumes(&task, out);
    for (i, container) in task.containers.iter().enumerate() {
        check_health_check(container, &container_path(i), out);
        check_environment_and_secrets(container, &container_path(i), out);
    }
    check_task_options(&task, out);
    check_windows(&task, out);
    check_awsvpc(&task, out);
    check_logging(&task, out);
    fargate::check(&task, out);
    check_tags(td.tags.as_deref(), &JsonPath::root().key("tags"), out);
}

// ---- Task and container basics ----------------------------------------------------------------

fn check_container_list(task: &TaskView<'_>, out: &mut Vec<Diagnostic>) {
    if task.td.container_definitions.is_none() {
        return; // the loader reports the missing member
    }
    let count = task.containers.len();
    if !(1..=10).contains(&count) {
        out.push(
            CONTAINER_COUNT
                .at(
                    JsonPath::root().key("containerDefinitions"),
                    format!("the task definition has {count} containers; AWS allows 1 to 10"),
                )
                .with_hint(if count == 0 {
                    "add a container definition with a name and an image"
                } else {
                    "split the containers over several task definitions"
                }),
        );
    }
    let mut seen = HashSet::new();
    for (i, container) in task.containers.iter().enumerate() {
        let at = container_path(i);
        match container.name.as_deref() {
            None => out.push(
                CONTAINER_NAME
                    .at(at.clone().key("name"), "the container has no name")
                    .with_hint("name it with 1 to 255 letters, digits, hyphens and underscores"),
            ),
            Some(name) => {
                check_name(
                    &CONTAINER_NAME,
                    "container name",
                    name,
                    at.clone().key("name"),
                    out,
                );
                if !seen.insert(name) {
                    out.push(
                        DUPLICATE_CONTAINER_NAME
                            .at(
                                at.clone().key("name"),
                                format!("another container is also named `{name}`"),
                            )
                            .with_hint("give each container its own name"),
                    );
                }
            }
        }
        if container
            .image
            .as_deref()
            .is_none_or(|i| i.trim().is_empty())
        {
            out.push(
                CONTAINER_IMAGE_REQUIRED
                    .at(at.key("image"), "the container names no image")
                    .with_hint("set `image`, such as `public.ecr.aws/nginx/nginx:latest`"),
            );
        }
    }
    if count > 0 && !task.containers.iter().any(essential) {
        out.push(
            ESSENTIAL_CONTAINER
                .at(
                    JsonPath::root().key("containerDefinitions"),
                    "every container sets `essential: false`",
                )
                .with_hint("mark the main container essential (or drop `essential: false`)"),
        );
    }
}

// ---- Task size ---------------------------------------------------------------------------------

fn check_task_size(task: &TaskView<'_>, out: &mut Vec<Diagnostic>) {
    if let Some(text) = task.td.cpu.as_deref()
        && task.cpu.is_none()
    {
        out.push(
            TASK_CPU_UNPARSEABLE
                .at(
                    JsonPath::root().key("cpu"),
                    format!("task cpu `{text}` is neither CPU units nor vCPUs"),
                )
                .with_hint("write CPU units such as \"1024\", or vCPUs such as \"1 vCPU\""),
        );
    }
    if let Some(text) = task.td.memory.as_deref()
        && task.memory.is_none()
    {
        out.push(
            TASK_MEMORY_UNPARSEABLE
                .at(
                    JsonPath::root().key("memory"),
                    format!("task memory `{text}` is neither MiB nor GB"),
                )
                .with_hint("write MiB such as \"2048\", or GB such as \"2 GB\""),
        );
    }
    // Fargate has its own table; Windows ignores task-level cpu outside Fargate.
    if let Some(cpu) = task.cpu
        && !task.fargate
        && !task.windows
        && task.ec2_or_external()
        && !(128..=196_608).contains(&cpu)
    {
        out.push(
            TASK_CPU_RANGE
                .at(
                    JsonPath::root().key("cpu"),
                    format!(
                        "task cpu is {cpu} CPU units; EC2 and external tasks take 128 to 196608"
                    ),
                )
                .with_hint("use 128 to 196608 CPU units (1024 units = 1 vCPU), or omit task cpu"),
        );
    }
}

// ---- Container memory and cpu ------------------------------------------------------------------

fn check_container_memory(task: &TaskView<'_>, out: &mut Vec<Diagnostic>) {
    for (i, container) in task.containers.iter().enumerate() {
        let at = container_path(i);
        if let (Some(hard), Some(soft)) = (container.memory, container.memory_reservation)
            && soft > hard
        {
            out.push(
                MEMORY_RESERVATION_EXCEEDS_MEMORY
                    .at(
                        at.clone().key("memoryReservation"),
                        format!("memoryReservation {soft} MiB is more than memory {hard} MiB"),
                    )
                    .with_hint("lower memoryReservation, or raise memory above it"),
            );
        }
        for (key, value) in [
            ("memory", container.memory),
            ("memoryReservation", container.memory_reservation),
        ] {
            if let Some(value) = value
                && value < 6
            {
                out.push(
                    CONTAINER_MEMORY_MINIMUM
                        .at(
                            at.clone().key(key),
                            format!("{key} is {value} MiB; Docker 20.10 reserves at least 6 MiB"),
                        )
                        .with_hint(format!("set {key} to 6 MiB or more")),
                );
            }
        }
        if task.td.memory.is_none()
            && !task.fargate
            && container.memory.is_none()
            && container.memory_reservation.is_none()
        {
            out.push(
                CONTAINER_MEMORY_REQUIRED
                    .at(
                        at.clone().key("memory"),
                        "neither the task nor this container sets memory",
                    )
                    .with_hint("set the container's memory or memoryReservation, or task memory"),
            );
        }
        if let (Some(task_memory), Some(hard)) = (task.memory, container.memory)
            && i64::from(hard) > i64::from(task_memory)
        {
            out.push(
                CONTAINER_MEMORY_LIMIT
                    .at(
                        at.key("memory"),
                        format!("memory {hard} MiB is more than the task's {task_memory} MiB"),
                    )
                    .with_hint("lower the container's memory, or raise the task's"),
            );
        }
    }
}

/// The task-level sums. The memory a container reserves is its memoryReservation if set, else
/// its memory, as the API reference says ECS subtracts from the instance.
fn check_resource_sums(task: &TaskView<'_>, out: &mut Vec<Diagnostic>) {
    if task.windows && !task.fargate {
        return; // EC2 Windows ignores task-level cpu and memory
    }
    if let Some(task_cpu) = task.cpu {
        let total: i64 = task
            .containers
            .iter()
            .filter_map(|c| c.cpu)
            .map(i64::from)
            .sum();
        if total > i64::from(task_cpu) {
            out.push(
                CONTAINER_CPU_SUM
                    .at(
                        JsonPath::root().key("cpu"),
                        format!(
                            "the containers reserve {total} CPU units, more than the task's {task_cpu}"
                        ),
                    )
                    .with_hint("lower the containers' cpu, or raise the task cpu"),
            );
        }
    }
    if let Some(task_memory) = task.memory {
        let total: i64 = task
            .containers
            .iter()
            .filter_map(|c| c.memory_reservation.or(c.memory))
            .map(i64::from)
            .sum();
        if total > i64::from(task_memory) {
            out.push(
                CONTAINER_MEMORY_SUM
                    .at(
                        JsonPath::root().key("memory"),
                        format!(
                            "the containers reserve {total} MiB, more than the task's {task_memory} MiB"
                        ),
                    )
                    .with_hint(
                        "lower the containers' memoryReservation (or memory), or raise the task memory",
                    ),
            );
        }
    }
}

// ---- Port mappings -----------------------------------------------------------------------------

/// A closed interval of ports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Span {
    first: i64,
    last: i64,
}

impl Span {
    fn single(port: i32) -> Self {
        Self {
            first: port.into(),
            last: port.into(),
        }
    }

    fn overlaps(self, other: Span) -> bool {
        self.first <= other.last && other.first <= self.last
    }
}

impl std::fmt::Display for Span {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.first == self.last {
            write!(f, "{}", self.first)
        } else {
            write!(f, "{}-{}", self.first, self.last)
        }
    }
}

/// Ports a mapping claims where other containers' mappings can collide with it.
struct Binding {
    span: Span,
    protocol: &'static str,
    path: JsonPath,
}

fn protocol(mapping: &PortMapping) -> &'static str {
    // ECS reads any value other than udp as tcp.
    match mapping.protocol {
        Some(TransportProtocol::Udp) => "udp",
        _ => "tcp",
    }
}

fn check_ports(task: &TaskView<'_>, out: &mut Vec<Diagnostic>) {
    let mut names: HashMap<&str, JsonPath> = HashMap::new();
    let mut bindings: Vec<Binding> = Vec::new();
    for (i, container) in task.containers.iter().enumerate() {
        let Some(mappings) = container.port_mappings.as_deref().filter(|m| !m.is_empty()) else {
            continue;
        };
        let at = container_path(i).key("portMappings");
        if task.network == Network::Disabled {
            out.push(
                PORT_MAPPINGS_NETWORK_MODE_NONE
                    .at(
                        at,
                        "the container maps ports, but the network mode is `none`",
                    )
                    .with_hint("remove the port mappings, or choose another network mode"),
            );
            continue;
        }
        let mut spans: Vec<(usize, Span)> = Vec::new();
        for (j, mapping) in mappings.iter().enumerate() {
            let path = at.clone().index(j);
            check_port_name(mapping, &path, &mut names, out);
            let Some(span) = check_mapping(task.network, mapping, &path, out) else {
                continue;
            };
            if let Some((k, earlier)) = spans.iter().find(|(_, s)| s.overlaps(span)) {
                let within = if *earlier == span {
                    String::new()
                } else {
                    format!(" ({earlier})")
                };
                out.push(
                    DUPLICATE_PORT_MAPPING
                        .at(
                            path,
                            format!(
                                "container port {span} is already mapped by portMappings[{k}]{within} \
                                 of this container"
                            ),
                        )
                        .with_hint(
                            "map each container port once; one port cannot serve both tcp and udp",
                        ),
                );
                continue;
            }
            spans.push((j, span));
            if let Some(binding) = host_binding(task.network, mapping, span, &path) {
                check_binding(task.network, &binding, &bindings, out);
                bindings.push(binding);
            }
        }
        let ranges = mappings
            .iter()
            .filter(|m| m.container_port_range.is_some())
            .count();
        if ranges > 100 {
            out.push(
                CONTAINER_PORT_RANGE_LIMIT
                    .at(
                        at,
                        format!("the container has {ranges} port ranges; AWS allows 100"),
                    )
                    .with_hint("merge adjacent ranges"),
            );
        }
    }
}

/// Checks one mapping's ports; returns the container ports it exposes when they are valid.
fn check_mapping(
    network: Network,
    mapping: &PortMapping,
    path: &JsonPath,
    out: &mut Vec<Diagnostic>,
) -> Option<Span> {
    match (
        mapping.container_port,
        mapping.container_port_range.as_deref(),
    ) {
        (None, None) => {
            out.push(
                PORT_MAPPING_CONTAINER_PORT
                    .at(
                        path.clone(),
                        "the port mapping sets neither containerPort nor containerPortRange",
                    )
                    .with_hint("set the port the container listens on in containerPort"),
            );
            None
        }
        (Some(_), Some(_)) => {
            out.push(
                PORT_MAPPING_CONTAINER_PORT
                    .at(
                        path.clone().key("containerPortRange"),
                        "the port mapping sets both containerPort and containerPortRange",
                    )
                    .with_hint("keep one: a single containerPort, or a containerPortRange"),
            );
            None
        }
        (Some(port), None) => check_single_port(network, mapping, port, path, out),
        (None, Some(range)) => check_port_range(network, mapping, range, path, out),
    }
}

fn check_single_port(
    network: Network,
    mapping: &PortMapping,
    port: i32,
    path: &JsonPath,
    out: &mut Vec<Diagnostic>,
) -> Option<Span> {
    let mut valid = true;
    if !(1..=65535).contains(&port) {
        out.push(
            PORT_OUT_OF_RANGE
                .at(
                    path.clone().key("containerPort"),
                    format!("containerPort {port} is not a port number"),
                )
                .with_hint("use a port from 1 to 65535"),
        );
        valid = false;
    }
    if let Some(host) = mapping.host_port {
        if !(0..=65535).contains(&host) {
            out.push(
                PORT_OUT_OF_RANGE
                    .at(
                        path.clone().key("hostPort"),
                        format!("hostPort {host} is not a port number"),
                    )
                    .with_hint("use a port from 1 to 65535, or 0 or nothing for a dynamic port"),
            );
        } else if matches!(network, Network::Awsvpc | Network::Host) && host != port {
            let mode = if network == Network::Awsvpc {
                "awsvpc"
            } else {
                "host"
            };
            out.push(
                HOST_PORT_MISMATCH
                    .at(
                        path.clone().key("hostPort"),
                        format!("hostPort {host} differs from containerPort {port} in {mode} mode"),
                    )
                    .with_hint(format!("remove hostPort, or set it to {port}")),
            );
        }
    }
    valid.then(|| Span::single(port))
}

fn check_port_range(
    network: Network,
    mapping: &PortMapping,
    range: &str,
    path: &JsonPath,
    out: &mut Vec<Diagnostic>,
) -> Option<Span> {
    let at = path.clone().key("containerPortRange");
    if matches!(network, Network::Host | Network::Disabled) {
        out.push(
            CONTAINER_PORT_RANGE_NETWORK_MODE
                .at(
                    at.clone(),
                    "containerPortRange is set, but the network mode is not bridge or awsvpc",
                )
                .with_hint("use the bridge or awsvpc network mode, or map single ports"),
        );
    }
    if mapping.host_port.is_some() {
        out.push(
            CONTAINER_PORT_RANGE_HOST_PORT
                .at(
                    path.clone().key("hostPort"),
                    "hostPort is set on a mapping with containerPortRange",
                )
                .with_hint("remove hostPort; ECS picks the host ports of a range"),
        );
    }
    let parsed = range.split_once('-').and_then(|(first, last)| {
        let number = |s: &str| {
            (!s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()))
                .then(|| s.parse::<i64>().ok())
                .flatten()
        };
        Some(Span {
            first: number(first)?,
            last: number(last)?,
        })
    });
    let Some(span) = parsed else {
        out.push(
            CONTAINER_PORT_RANGE_SYNTAX
                .at(
                    at,
                    format!("containerPortRange `{range}` is not `first-last`"),
                )
                .with_hint(
                    "write the range as two port numbers joined by a hyphen, like \"8000-8099\"",
                ),
        );
        return None;
    };
    if span.first >= span.last {
        out.push(
            CONTAINER_PORT_RANGE_SYNTAX
                .at(
                    at,
                    format!(
                        "containerPortRange `{range}` does not go from a lower to a higher port"
                    ),
                )
                .with_hint("put the lower port first; for one port, use containerPort"),
        );
        return None;
    }
    if span.first < 1 || span.last > 65535 {
        out.push(
            PORT_OUT_OF_RANGE
                .at(
                    at,
                    format!("containerPortRange `{range}` goes beyond 1-65535"),
                )
                .with_hint("keep both ends from 1 to 65535"),
        );
        return None;
    }
    Some(span)
}

/// The ports a mapping claims in the task's shared space: container ports in awsvpc and host
/// modes (one network namespace or the instance's), explicit host ports in bridge mode.
fn host_binding(
    network: Network,
    mapping: &PortMapping,
    span: Span,
    path: &JsonPath,
) -> Option<Binding> {
    let span = match network {
        Network::Awsvpc | Network::Host => span,
        Network::Bridge | Network::WindowsDefault => match mapping.host_port {
            Some(host) if host > 0 && mapping.container_port_range.is_none() => Span::single(host),
            _ => return None,
        },
        Network::Disabled | Network::Unknown => return None,
    };
    Some(Binding {
        span,
        protocol: protocol(mapping),
        path: path.clone(),
    })
}

fn check_binding(
    network: Network,
    binding: &Binding,
    earlier: &[Binding],
    out: &mut Vec<Diagnostic>,
) {
    let Some(other) = earlier
        .iter()
        .find(|b| b.protocol == binding.protocol && b.span.overlaps(binding.span))
    else {
        return;
    };
    let (what, why) = if matches!(network, Network::Awsvpc | Network::Host) {
        (
            "container port",
            "the task's containers share one network namespace",
        )
    } else {
        ("host port", "the instance can bind each host port once")
    };
    out.push(
        DUPLICATE_PORT_MAPPING
            .at(
                binding.path.clone(),
                format!(
                    "{what} {}/{} is also claimed by {}; {why}",
                    binding.span, binding.protocol, other.path
                ),
            )
            .with_hint("give each container its own port"),
    );
}

fn valid_port_name(name: &str) -> bool {
    (1..=64).contains(&name.len())
        && !name.starts_with('-')
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-')
}

fn check_port_name<'a>(
    mapping: &'a PortMapping,
    path: &JsonPath,
    names: &mut HashMap<&'a str, JsonPath>,
    out: &mut Vec<Diagnostic>,
) {
    let Some(name) = mapping.name.as_deref() else {
        return;
    };
    let at = path.clone().key("name");
    if !valid_port_name(name) {
        out.push(
            PORT_MAPPING_NAME
                .at(
                    at.clone(),
                    format!("port mapping name `{name}` is not allowed"),
                )
                .with_hint(
                    "use up to 64 lowercase letters, digits, underscores and hyphens, \
                     not starting with a hyphen",
                ),
        );
    }
    if let Some(first) = names.get(name) {
        out.push(
            DUPLICATE_PORT_MAPPING_NAME
                .at(
                    at,
                    format!("port mapping name `{name}` is also used at {first}"),
                )
                .with_hint("name each port mapping differently"),
        );
    } else {
        names.insert(name, path.clone());
    }
}

// ---- References --------------------------------------------------------------------------------

fn check_dependencies(task: &TaskView<'_>, out: &mut Vec<Diagnostic>) {
    for (i, container) in task.containers.iter().enumerate() {
        for (j, dependency) in container.depends_on.iter().flatten().enumerate() {
            let at = container_path(i).key("dependsOn").index(j);
            let Some(name) = dependency.container_name.as_deref() else {
                continue;
            };
            if container.name.as_deref() == Some(name) {
                out.push(
                    DEPENDS_ON_SELF
                        .at(
                            at.key("containerName"),
                            format!("container `{name}` depends on itself"),
                        )
                        .with_hint("remove this dependency"),
                );
                continue;
            }
            let Some(target) = task.container(name) else {
                out.push(
                    DEPENDS_ON_UNKNOWN_CONTAINER
                        .at(
                            at.key("containerName"),
                            format!("no container is named `{name}`"),
                        )
                        .with_hint(format!("name one of the containers: {}", task.name_list())),
                );
                continue;
            };
            match dependency.condition {
                Some(ContainerCondition::Complete | ContainerCondition::Success)
                    if essential(target) =>
                {
                    let condition = dependency.condition.as_ref().map_or("", |c| c.as_str());
                    out.push(
                        DEPENDS_ON_ESSENTIAL_COMPLETE
                            .at(
                                at.key("condition"),
                                format!(
                                    "condition {condition} waits for `{name}` to exit, but \
                                     `{name}` is essential"
                                ),
                            )
                            .with_hint(format!(
                                "set `\"essential\": false` on `{name}`, or use START or HEALTHY"
                            )),
                    );
                }
                Some(ContainerCondition::Healthy) if target.health_check.is_none() => {
                    out.push(
                        DEPENDS_ON_HEALTHY_WITHOUT_HEALTH_CHECK
                            .at(
                                at.key("condition"),
                                format!(
                                    "condition HEALTHY waits on `{name}`, which has no health check"
                                ),
                            )
                            .with_hint(format!("add a healthCheck to `{name}`, or use START")),
                    );
                }
                _ => {}
            }
        }
    }
}

fn check_links_and_volumes(task: &TaskView<'_>, out: &mut Vec<Diagnostic>) {
    let volumes: HashSet<&str> = task
        .td
        .volumes
        .iter()
        .flatten()
        .filter_map(|v| v.name.as_deref())
        .collect();
    for (i, container) in task.containers.iter().enumerate() {
        let at = container_path(i);
        let links = container.links.as_deref().unwrap_or_default();
        for (k, link) in links.iter().enumerate() {
            let target = link.split_once(':').map_or(link.as_str(), |(name, _)| name);
            if task.container(target).is_none() {
                out.push(
                    LINK_UNKNOWN_CONTAINER
                        .at(
                            at.clone().key("links").index(k),
                            format!("link `{link}` names no container of the task"),
                        )
                        .with_hint(format!("link to one of: {}", task.name_list())),
                );
            }
        }
        if !links.is_empty()
            && !task.windows
            && matches!(
                task.network,
                Network::Host | Network::Awsvpc | Network::Disabled
            )
        {
            out.push(
                LINKS_NETWORK_MODE
                    .at(
                        at.clone().key("links"),
                        "links are set, but the network mode is not bridge",
                    )
                    .with_hint(
                        "remove links: in awsvpc mode containers reach each other on localhost",
                    ),
            );
        }
        for (k, from) in container.volumes_from.iter().flatten().enumerate() {
            if let Some(source) = from.source_container.as_deref()
                && task.container(source).is_none()
            {
                out.push(
                    VOLUMES_FROM_UNKNOWN_CONTAINER
                        .at(
                            at.clone()
                                .key("volumesFrom")
                                .index(k)
                                .key("sourceContainer"),
                            format!("no container is named `{source}`"),
                        )
                        .with_hint(format!("name one of the containers: {}", task.name_list())),
                );
            }
        }
        for (k, mount) in container.mount_points.iter().flatten().enumerate() {
            if let Some(volume) = mount.source_volume.as_deref()
                && !volumes.contains(volume)
            {
                out.push(
                    MOUNT_POINT_UNKNOWN_VOLUME
                        .at(
                            at.clone().key("mountPoints").index(k).key("sourceVolume"),
                            format!("the task definition has no volume named `{volume}`"),
                        )
                        .with_hint(format!(
                            "add {{\"name\": \"{volume}\"}} to the task's volumes, or fix the name"
                        )),
                );
            }
        }
    }
}

fn check_volumes(task: &TaskView<'_>, out: &mut Vec<Diagnostic>) {
    let mut seen = HashSet::new();
    for (i, volume) in task.td.volumes.iter().flatten().enumerate() {
        let Some(name) = volume.name.as_deref() else {
            continue;
        };
        let at = JsonPath::root().key("volumes").index(i).key("name");
        check_name(&VOLUME_NAME, "volume name", name, at.clone(), out);
        if !seen.insert(name) {
            out.push(
                DUPLICATE_VOLUME_NAME
                    .at(at, format!("another volume is also named `{name}`"))
                    .with_hint("give each volume its own name"),
            );
        }
    }
}

// ---- Health checks ------------------------------------------------------------------------------

/// A health check member, its rule and the values AWS accepts.
struct Bound<'a> {
    rule: &'a Rule,
    key: &'a str,
    value: Option<i32>,
    range: std::ops::RangeInclusive<i32>,
    unit: &'a str,
}

impl<'a> Bound<'a> {
    fn new(
        rule: &'a Rule,
        key: &'a str,
        value: Option<i32>,
        range: std::ops::RangeInclusive<i32>,
        unit: &'a str,
    ) -> Self {
        Self {
            rule,
            key,
            value,
            range,
            unit,
        }
    }
}

fn check_health_check(container: &ContainerDefinition, at: &JsonPath, out: &mut Vec<Diagnostic>) {
    let Some(check) = &container.health_check else {
        return;
    };
    let at = at.clone().key("healthCheck");
    let hint = "write [\"CMD-SHELL\", \"curl -f http://localhost/ || exit 1\"] or [\"CMD\", \"program\", \"arg\"]";
    match check.command.as_deref() {
        None => {} // the loader reports the missing member
        Some([]) => out.push(
            HEALTH_CHECK_COMMAND
                .at(
                    at.clone().key("command"),
                    "the health check command is empty",
                )
                .with_hint(hint),
        ),
        Some([first, ..]) if first != "CMD" && first != "CMD-SHELL" => out.push(
            HEALTH_CHECK_COMMAND
                .at(
                    at.clone().key("command").index(0),
                    format!("the health check command starts with `{first}`, not CMD or CMD-SHELL"),
                )
                .with_hint(hint),
        ),
        Some([first]) => out.push(
            HEALTH_CHECK_COMMAND
                .at(
                    at.clone().key("command"),
                    format!("the health check command is `{first}` with nothing to run"),
                )
                .with_hint(hint),
        ),
        Some(_) => {}
    }
    let bounds = [
        Bound::new(
            &HEALTH_CHECK_INTERVAL,
            "interval",
            check.interval,
            5..=300,
            " seconds",
        ),
        Bound::new(
            &HEALTH_CHECK_TIMEOUT,
            "timeout",
            check.timeout,
            2..=60,
            " seconds",
        ),
        Bound::new(&HEALTH_CHECK_RETRIES, "retries", check.retries, 1..=10, ""),
        Bound::new(
            &HEALTH_CHECK_START_PERIOD,
            "startPeriod",
            check.start_period,
            0..=300,
            " seconds",
        ),
    ];
    for Bound {
        rule,
        key,
        value,
        range,
        unit,
    } in bounds
    {
        let (min, max) = (*range.start(), *range.end());
        if let Some(value) = value
            && !range.contains(&value)
        {
            out.push(
                rule.at(
                    at.clone().key(key),
                    format!("health check {key} is {value}{unit}; AWS accepts {min} to {max}"),
                )
                .with_hint(format!("set {key} from {min} to {max}{unit}")),
            );
        }
    }
}

// ---- Task-level options -------------------------------------------------------------------------

fn check_task_options(task: &TaskView<'_>, out: &mut Vec<Diagnostic>) {
    let td = task.td;
    if let Some(size) = td.ephemeral_storage.as_ref().and_then(|e| e.size_in_gib)
        && !(21..=200).contains(&size)
    {
        out.push(
            EPHEMERAL_STORAGE_SIZE
                .at(
                    JsonPath::root().key("ephemeralStorage").key("sizeInGiB"),
                    format!("ephemeral storage of {size} GiB; AWS accepts 21 to 200"),
                )
                .with_hint(
                    "set sizeInGiB from 21 to 200, or omit ephemeralStorage for the default 20 GiB",
                ),
        );
    }
    let constraints = td.placement_constraints.as_deref().unwrap_or_default();
    if constraints.len() > 10 {
        out.push(
            PLACEMENT_CONSTRAINT_LIMIT
                .at(
                    JsonPath::root().key("placementConstraints"),
                    format!("{} placement constraints; AWS allows 10", constraints.len()),
                )
                .with_hint("combine expressions with `and`, or drop some constraints"),
        );
    }
    if let Some(name) = td
        .proxy_configuration
        .as_ref()
        .and_then(|p| p.container_name.as_deref())
        && task.container(name).is_none()
    {
        out.push(
            PROXY_CONTAINER_MISSING
                .at(
                    JsonPath::root()
                        .key("proxyConfiguration")
                        .key("containerName"),
                    format!("no container is named `{name}`"),
                )
                .with_hint(format!(
                    "name the proxy (Envoy) container, one of: {}",
                    task.name_list()
                )),
        );
    }
}

fn check_windows(task: &TaskView<'_>, out: &mut Vec<Diagnostic>) {
    if !task.windows {
        return;
    }
    let td = task.td;
    let unsupported = |path: JsonPath, what: String| {
        WINDOWS_UNSUPPORTED_PARAMETER
            .at(
                path,
                format!("{what}, which Windows containers do not support"),
            )
            .with_hint("remove it for Windows, or run the task on Linux")
    };
    let root = JsonPath::root();
    // Values the model does not list are the loader's to report.
    if let Some(pid) = td.pid_mode.as_ref().filter(|m| m.is_known()) {
        out.push(unsupported(
            root.clone().key("pidMode"),
            format!("pidMode is `{}`", pid.as_str()),
        ));
    }
    if let Some(ipc) = td.ipc_mode.as_ref().filter(|m| m.is_known()) {
        out.push(unsupported(
            root.clone().key("ipcMode"),
            format!("ipcMode is `{}`", ipc.as_str()),
        ));
    }
    if matches!(
        td.network_mode,
        Some(NetworkMode::Bridge | NetworkMode::Host | NetworkMode::None)
    ) {
        let mode = td.network_mode.as_ref().map_or("", |m| m.as_str());
        out.push(
            unsupported(
                root.key("networkMode"),
                format!("the network mode is `{mode}`"),
            )
            .with_hint("omit networkMode (the Windows default) or use awsvpc"),
        );
    }
    for (i, container) in task.containers.iter().enumerate() {
        let at = container_path(i);
        let set = [
            (
                "links",
                container.links.as_ref().is_some_and(|l| !l.is_empty()),
            ),
            ("privileged", container.privileged == Some(true)),
            (
                "extraHosts",
                container
                    .extra_hosts
                    .as_ref()
                    .is_some_and(|h| !h.is_empty()),
            ),
            (
                "dnsServers",
                container
                    .dns_servers
                    .as_ref()
                    .is_some_and(|d| !d.is_empty()),
            ),
            (
                "disableNetworking",
                container.disable_networking == Some(true),
            ),
        ];
        for (key, present) in set {
            if present {
                out.push(unsupported(
                    at.clone().key(key),
                    format!("the container sets `{key}`"),
                ));
            }
        }
    }
}

fn check_awsvpc(task: &TaskView<'_>, out: &mut Vec<Diagnostic>) {
    if task.network != Network::Awsvpc {
        return;
    }
    for (i, container) in task.containers.iter().enumerate() {
        let set = [
            ("hostname", container.hostname.is_some()),
            (
                "extraHosts",
                container
                    .extra_hosts
                    .as_ref()
                    .is_some_and(|h| !h.is_empty()),
            ),
        ];
        for (key, present) in set {
            if present {
                out.push(
                    AWSVPC_UNSUPPORTED_PARAMETER
                        .at(
                            container_path(i).key(key),
                            format!("the container sets `{key}`, which the awsvpc network mode does not support"),
                        )
                        .with_hint(format!(
                            "remove `{key}`; in awsvpc mode the task's network interface sets it"
                        )),
                );
            }
        }
    }
}

// ---- Logging ------------------------------------------------------------------------------------

fn check_logging(task: &TaskView<'_>, out: &mut Vec<Diagnostic>) {
    let routers: Vec<usize> = task
        .containers
        .iter()
        .enumerate()
        .filter(|(_, c)| c.firelens_configuration.is_some())
        .map(|(i, _)| i)
        .collect();
    let mut routed = false;
    for (i, container) in task.containers.iter().enumerate() {
        let Some(log) = &container.log_configuration else {
            continue;
        };
        let at = container_path(i).key("logConfiguration");
        match log.log_driver {
            Some(LogDriver::Awslogs) => check_awslogs(task.fargate, log, &at, out),
            Some(LogDriver::Splunk) => check_splunk(log, &at, out),
            Some(LogDriver::Awsfirelens) => {
                routed = true;
                if routers.is_empty() {
                    out.push(
                        FIRELENS_ROUTER_MISSING
                            .at(
                                at.clone().key("logDriver"),
                                "the container logs with awsfirelens, but no container is a \
                                 FireLens log router",
                            )
                            .with_hint(
                                "add a log router container with \"firelensConfiguration\": \
                                 {\"type\": \"fluentbit\"}",
                            ),
                    );
                }
            }
            _ => {}
        }
        for (k, secret) in log.secret_options.iter().flatten().enumerate() {
            check_value_from(secret, &at.clone().key("secretOptions").index(k), out);
        }
    }
    if !routed {
        for &r in &routers {
            out.push(
                FIRELENS_ROUTER_UNUSED
                    .at(
                        container_path(r).key("firelensConfiguration"),
                        "this container is a FireLens log router, but no container logs with awsfirelens",
                    )
                    .with_hint(
                        "set \"logDriver\": \"awsfirelens\" on the containers whose logs it \
                         routes, or remove firelensConfiguration",
                    ),
            );
        }
    }
    for &r in routers.iter().skip(1) {
        out.push(
            FIRELENS_MULTIPLE_ROUTERS
                .at(
                    container_path(r).key("firelensConfiguration"),
                    format!("{} containers are FireLens log routers", routers.len()),
                )
                .with_hint(
                    "keep one log router; route to several destinations from its configuration",
                ),
        );
    }
}

fn option_set(log: &LogConfiguration, key: &str) -> bool {
    log.options
        .as_ref()
        .and_then(|o| o.get(key))
        .is_some_and(|v| !v.trim().is_empty())
}

fn check_awslogs(fargate: bool, log: &LogConfiguration, at: &JsonPath, out: &mut Vec<Diagnostic>) {
    let options = at.clone().key("options");
    let mut required = vec!["awslogs-group", "awslogs-region"];
    if fargate {
        required.push("awslogs-stream-prefix");
    }
    for key in required {
        if !option_set(log, key) {
            let on = if key == "awslogs-stream-prefix" {
                " on Fargate"
            } else {
                ""
            };
            out.push(
                AWSLOGS_OPTIONS
                    .at(
                        options.clone().key(key),
                        format!("the awslogs driver has no `{key}` option{on}"),
                    )
                    .with_hint(format!("add \"{key}\" to logConfiguration.options")),
            );
        }
    }
    if option_set(log, "awslogs-datetime-format") && option_set(log, "awslogs-multiline-pattern") {
        out.push(
            AWSLOGS_MULTILINE_CONFLICT
                .at(
                    options.key("awslogs-multiline-pattern"),
                    "both awslogs-datetime-format and awslogs-multiline-pattern are set; the \
                     pattern is ignored",
                )
                .with_hint("keep one of the two options"),
        );
    }
}

fn check_splunk(log: &LogConfiguration, at: &JsonPath, out: &mut Vec<Diagnostic>) {
    let options = at.clone().key("options");
    if !option_set(log, "splunk-url") {
        out.push(
            SPLUNK_OPTIONS
                .at(
                    options.clone().key("splunk-url"),
                    "the splunk driver has no `splunk-url` option",
                )
                .with_hint("add \"splunk-url\": \"https://your-splunk:8088\" to the options"),
        );
    }
    let token_secret = log
        .secret_options
        .iter()
        .flatten()
        .any(|s| s.name.as_deref() == Some("splunk-token"));
    if !option_set(log, "splunk-token") && !token_secret {
        out.push(
            SPLUNK_OPTIONS
                .at(
                    options.key("splunk-token"),
                    "the splunk driver has no `splunk-token`, in options or secretOptions",
                )
                .with_hint(
                    "add a secretOptions entry named splunk-token, from Secrets Manager or SSM",
                ),
        );
    }
}

// ---- Secrets and environment ---------------------------------------------------------------------

fn check_environment_and_secrets(
    container: &ContainerDefinition,
    at: &JsonPath,
    out: &mut Vec<Diagnostic>,
) {
    let mut environment = HashSet::new();
    for (k, variable) in container.environment.iter().flatten().enumerate() {
        if let Some(name) = variable.name.as_deref()
            && !environment.insert(name)
        {
            out.push(
                DUPLICATE_ENVIRONMENT_NAME
                    .at(
                        at.clone().key("environment").index(k).key("name"),
                        format!("environment variable `{name}` is set more than once"),
                    )
                    .with_hint("keep one entry per variable"),
            );
        }
    }
    let mut secrets = HashSet::new();
    for (k, secret) in container.secrets.iter().flatten().enumerate() {
        let path = at.clone().key("secrets").index(k);
        check_value_from(secret, &path, out);
        let Some(name) = secret.name.as_deref() else {
            continue;
        };
        let message = if name.is_empty() {
            out.push(
                SECRET_NAME
                    .at(path.key("name"), "the secret's name is empty")
                    .with_hint("name the environment variable the secret sets"),
            );
            continue;
        } else if !secrets.insert(name) {
            format!("secret `{name}` is set more than once")
        } else if environment.contains(name) {
            format!("`{name}` is both a secret and a plain environment variable")
        } else {
            continue;
        };
        out.push(
            DUPLICATE_SECRET_NAME
                .at(path.key("name"), message)
                .with_hint("keep one source for each variable"),
        );
    }
}

/// Whether `value` is a Secrets Manager or SSM Parameter Store ARN, or an SSM parameter name.
fn valid_value_from(value: &str) -> bool {
    if let Some(rest) = value.strip_prefix("arn:") {
        let parts: Vec<&str> = rest.splitn(5, ':').collect();
        let [partition, service, region, account, resource] = parts.as_slice() else {
            return false;
        };
        let resource_ok = match *service {
            "secretsmanager" => resource.len() > "secret:".len() && resource.starts_with("secret:"),
            "ssm" => resource.len() > "parameter/".len() && resource.starts_with("parameter/"),
            _ => false,
        };
        return partition.starts_with("aws")
            && !region.is_empty()
            && !account.is_empty()
            && resource_ok;
    }
    // An SSM parameter name: letters, digits and `_ . - /`; a hierarchy starts with `/`.
    !value.is_empty()
        && value.len() <= 2048
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"_.-/".contains(&b))
        && (!value.contains('/') || value.starts_with('/'))
}

fn check_value_from(secret: &Secret, path: &JsonPath, out: &mut Vec<Diagnostic>) {
    let Some(value) = secret.value_from.as_deref() else {
        return;
    };
    if !valid_value_from(value) {
        out.push(
            SECRET_VALUE_FROM
                .at(
                    path.clone().key("valueFrom"),
                    format!(
                        "valueFrom `{value}` is neither a Secrets Manager or SSM parameter ARN \
                         nor an SSM parameter name"
                    ),
                )
                .with_hint(
                    "use arn:aws:secretsmanager:REGION:ACCOUNT:secret:NAME, \
                     arn:aws:ssm:REGION:ACCOUNT:parameter/NAME, or a parameter name like /app/db",
                ),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn value_from_forms() {
        assert!(valid_value_from(
            "arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCdEf"
        ));
        assert!(valid_value_from(
            "arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCdEf:password::"
        ));
        assert!(valid_value_from(
            "arn:aws-us-gov:ssm:us-gov-west-1:123456789012:parameter/app/db"
        ));
        assert!(valid_value_from("/app/db_password"));
        assert!(valid_value_from("db.password"));
        assert!(!valid_value_from("arn:aws:s3:::bucket/key"));
        assert!(!valid_value_from(
            "arn:aws:ssm:us-east-1:123456789012:app/db"
        ));
        assert!(!valid_value_from("app/db"));
        assert!(!valid_value_from("my secret"));
        assert!(!valid_value_from(""));
    }

    #[test]
    fn port_names() {
        assert!(valid_port_name("web-80_tcp"));
        assert!(!valid_port_name("-web"));
        assert!(!valid_port_name("Web"));
        assert!(!valid_port_name(&"a".repeat(65)));
    }
}
