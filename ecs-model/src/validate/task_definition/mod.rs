//! Rules for RegisterTaskDefinitionRequest.
//!
//! Each rule states one thing the AWS documentation says about a task definition, cited in its
//! `doc`. Where the documentation is unclear about a limit, the rule is left out rather than
//! guessed. Members the AWS model requires are reported missing by the loader
//! (`missing-required-field`), so these rules skip absent values instead of reporting them again;
//! likewise enum values the model does not list (`unknown-enum-value`).
//!
//! The rules are grouped by what they look at, one module each, with each rule next to the
//! code that checks it: [`containers`] (the container list), [`size`] (task and container cpu
//! and memory), [`ports`], [`references`] (between containers and volumes), [`health_check`],
//! [`platform`] (task-level options, Windows, awsvpc), [`logging`], [`secrets`] (with the
//! environment) and [`plain_secrets`] (environment values that look like secrets). This module
//! holds [`RULES`], [`check`], which runs them all in a fixed order, and the [`TaskView`] they
//! share. The Fargate-only rules live in [`super::fargate`], which
//! [`check`] runs too.

mod containers;
mod health_check;
mod logging;
mod plain_secrets;
mod platform;
mod ports;
mod references;
mod secrets;
mod size;

use std::collections::HashMap;

use crate::diagnostic::{Diagnostic, JsonPath, Severity};
use crate::facts::{self, Network};
use crate::types::{Compatibility, ContainerDefinition, RegisterTaskDefinitionRequest};
use crate::units::{parse_task_cpu, parse_task_memory};

use super::Rule;
use super::common::{check_name, check_tags};
use super::fargate::{self, FargateOs};

const API_TASK_DEFINITION: &str =
    "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_RegisterTaskDefinition.html";
const API_CONTAINER: &str =
    "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ContainerDefinition.html";

/// Shorthand for an error rule.
const fn error(code: &'static str, summary: &'static str, doc: &'static str) -> Rule {
    Rule {
        code,
        severity: Severity::Error,
        summary,
        doc,
        cross_field: false,
    }
}

/// Shorthand for a warning rule.
const fn warning(code: &'static str, summary: &'static str, doc: &'static str) -> Rule {
    Rule {
        code,
        severity: Severity::Warning,
        summary,
        doc,
        cross_field: false,
    }
}

/// Family name syntax.
pub(crate) const FAMILY_NAME: Rule = error(
    "family-name",
    "The family is 1 to 255 letters, digits, hyphens and underscores.",
    API_TASK_DEFINITION,
);

/// Every task-definition rule; the Fargate ones are [`super::fargate::RULES`].
pub(crate) const RULES: &[&Rule] = &[
    &FAMILY_NAME,
    &containers::CONTAINER_NAME,
    &containers::CONTAINER_IMAGE_REQUIRED,
    &containers::CONTAINER_IMAGE_SYNTAX,
    &containers::CONTAINER_COUNT,
    &containers::DUPLICATE_CONTAINER_NAME,
    &containers::ESSENTIAL_CONTAINER,
    &size::TASK_CPU_UNPARSEABLE,
    &size::TASK_MEMORY_UNPARSEABLE,
    &size::TASK_CPU_RANGE,
    &size::MEMORY_RESERVATION_EXCEEDS_MEMORY,
    &size::CONTAINER_MEMORY_MINIMUM,
    &size::CONTAINER_MEMORY_REQUIRED,
    &size::CONTAINER_MEMORY_LIMIT,
    &size::CONTAINER_MEMORY_SUM,
    &size::CONTAINER_CPU_SUM,
    &ports::PORT_MAPPINGS_NETWORK_MODE_NONE,
    &ports::HOST_PORT_MISMATCH,
    &ports::PORT_OUT_OF_RANGE,
    &ports::PORT_MAPPING_CONTAINER_PORT,
    &ports::CONTAINER_PORT_RANGE_SYNTAX,
    &ports::CONTAINER_PORT_RANGE_NETWORK_MODE,
    &ports::CONTAINER_PORT_RANGE_HOST_PORT,
    &ports::CONTAINER_PORT_RANGE_LIMIT,
    &ports::DUPLICATE_PORT_MAPPING,
    &ports::PORT_MAPPING_NAME,
    &ports::DUPLICATE_PORT_MAPPING_NAME,
    &references::DEPENDS_ON_UNKNOWN_CONTAINER,
    &references::DEPENDS_ON_SELF,
    &references::DEPENDS_ON_ESSENTIAL_COMPLETE,
    &references::DEPENDS_ON_HEALTHY_WITHOUT_HEALTH_CHECK,
    &references::LINK_UNKNOWN_CONTAINER,
    &references::LINKS_NETWORK_MODE,
    &references::VOLUMES_FROM_UNKNOWN_CONTAINER,
    &references::MOUNT_POINT_UNKNOWN_VOLUME,
    &references::VOLUME_NAME,
    &references::DUPLICATE_VOLUME_NAME,
    &health_check::HEALTH_CHECK_COMMAND,
    &health_check::HEALTH_CHECK_INTERVAL,
    &health_check::HEALTH_CHECK_TIMEOUT,
    &health_check::HEALTH_CHECK_RETRIES,
    &health_check::HEALTH_CHECK_START_PERIOD,
    &platform::EPHEMERAL_STORAGE_SIZE,
    &platform::PLACEMENT_CONSTRAINT_LIMIT,
    &platform::PROXY_CONTAINER_MISSING,
    &platform::WINDOWS_UNSUPPORTED_PARAMETER,
    &platform::AWSVPC_UNSUPPORTED_PARAMETER,
    &logging::AWSLOGS_OPTIONS,
    &logging::AWSLOGS_MULTILINE_CONFLICT,
    &logging::SPLUNK_OPTIONS,
    &logging::FIRELENS_ROUTER_MISSING,
    &logging::FIRELENS_ROUTER_UNUSED,
    &logging::FIRELENS_MULTIPLE_ROUTERS,
    &secrets::SECRET_VALUE_FROM,
    &secrets::SECRET_NAME,
    &secrets::DUPLICATE_SECRET_NAME,
    &secrets::DUPLICATE_ENVIRONMENT_NAME,
    &plain_secrets::SECRET_IN_ENVIRONMENT,
];

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
        let fargate = facts::requires_fargate(td);
        let windows = facts::is_windows(td);
        let network = facts::network(td);
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
    containers::check(&task, out);
    size::check(&task, out);
    ports::check(&task, out);
    references::check(&task, out);
    for (i, container) in task.containers.iter().enumerate() {
        health_check::check(container, &container_path(i), out);
        secrets::check(container, &container_path(i), out);
        plain_secrets::check(container, &container_path(i), out);
    }
    platform::check(&task, out);
    logging::check(&task, out);
    fargate::check(&task, out);
    check_tags(td.tags.as_deref(), &JsonPath::root().key("tags"), out);
}
