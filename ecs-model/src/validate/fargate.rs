//! Fargate: the task sizes it offers, and the rules that apply when a task definition lists
//! `FARGATE` in `requiresCompatibilities` (even next to `EC2`: AWS then holds it to the Fargate
//! rules as well). The task's `cpu` and `memory` strings are read by [`crate::units`].
//!
//! The size table follows the developer guide's "Task size" table
//! (<https://docs.aws.amazon.com/AmazonECS/latest/developerguide/fargate-tasks-services.html#fargate-tasks-size>)
//! and the `memory` member of RegisterTaskDefinition in the API reference.
//!
//! 8 and 16 vCPU need Linux platform version 1.4.0 or later. A task definition carries no
//! platform version (the service or the RunTask call picks it, and `LATEST` has been 1.4.0 or
//! later for years), so this module does not report it: [`FargateSize::min_linux_platform_version`]
//! records the requirement for the checks that see the platform version.

use crate::diagnostic::{Diagnostic, JsonPath, Severity};
use crate::types::{ContainerDefinition, LogDriver, NetworkMode, PidMode, ResourceType};

use super::Rule;
use super::task_definition::{TaskView, container_path};

/// A Fargate task is `awsvpc`.
pub(crate) const FARGATE_NETWORK_MODE: Rule = Rule {
    code: "fargate-network-mode",
    severity: Severity::Error,
    summary: "A Fargate-compatible task definition uses the awsvpc network mode.",
    doc: "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_definition_parameters.html#network_mode",
    cross_field: false,
};

/// A Fargate task sets task-level `cpu` and `memory`.
pub(crate) const FARGATE_TASK_SIZE_REQUIRED: Rule = Rule {
    code: "fargate-task-size-required",
    severity: Severity::Error,
    summary: "A Fargate-compatible task definition sets task-level cpu and memory.",
    doc: "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/fargate-tasks-services.html#fargate-tasks-size",
    cross_field: false,
};

/// The task `cpu` and `memory` form a size Fargate offers for the task's operating system.
pub(crate) const FARGATE_CPU_MEMORY: Rule = Rule {
    code: "fargate-cpu-memory",
    severity: Severity::Error,
    summary: "Task cpu and memory on Fargate form one of the supported combinations for the \
              operating system (Windows: 1, 2 or 4 vCPU only).",
    doc: "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/fargate-tasks-services.html#fargate-tasks-size",
    cross_field: false,
};

/// Parameters that Fargate does not support.
pub(crate) const FARGATE_UNSUPPORTED_PARAMETER: Rule = Rule {
    code: "fargate-unsupported-parameter",
    severity: Severity::Error,
    summary: "A Fargate-compatible task definition does not use parameters Fargate does not \
              support: placement constraints, Elastic Inference, ipcMode, pidMode host, \
              privileged, GPUs, devices, sharedMemorySize, maxSwap, swappiness, added kernel \
              capabilities other than SYS_PTRACE, dockerSecurityOptions, or a FireLens \
              configuration file from S3.",
    doc: "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_definition_parameters.html",
    cross_field: false,
};

/// Fargate supports the awslogs, splunk and awsfirelens log drivers.
pub(crate) const FARGATE_LOG_DRIVER: Rule = Rule {
    code: "fargate-log-driver",
    severity: Severity::Error,
    summary: "On Fargate, a container logs with awslogs, splunk or awsfirelens.",
    doc: "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_LogConfiguration.html",
    cross_field: false,
};

pub(crate) const RULES: &[&Rule] = &[
    &FARGATE_NETWORK_MODE,
    &FARGATE_TASK_SIZE_REQUIRED,
    &FARGATE_CPU_MEMORY,
    &FARGATE_UNSUPPORTED_PARAMETER,
    &FARGATE_LOG_DRIVER,
];

/// The operating system family of a Fargate task.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum FargateOs {
    /// Linux (the default when `runtimePlatform` is absent).
    Linux,
    /// Any `WINDOWS_SERVER_*` family.
    Windows,
}

/// A valid Fargate task size.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct FargateSize {
    /// Task CPU in units (1024 = 1 vCPU).
    pub cpu: u32,
    /// Task memory in MiB.
    pub memory: u32,
    /// Whether Windows tasks can use this size too (Linux tasks can use every size).
    pub windows: bool,
    /// The oldest Linux platform version that offers this size, when not every version does.
    pub min_linux_platform_version: Option<&'static str>,
}

/// One line of the size table: `cpu` with memory from `first` to `last` in steps of `step` MiB.
struct Row {
    cpu: u32,
    first: u32,
    last: u32,
    step: u32,
    windows: bool,
    min_linux_platform_version: Option<&'static str>,
}

const fn row(cpu: u32, first: u32, last: u32, step: u32, windows: bool) -> Row {
    Row {
        cpu,
        first,
        last,
        step,
        windows,
        min_linux_platform_version: None,
    }
}

/// The size table, in order. 0.25 vCPU takes 512 MiB, 1 GB or 2 GB: two rows.
const ROWS: &[Row] = &[
    row(256, 512, 512, 512, false),
    row(256, 1024, 2048, 1024, false),
    row(512, 1024, 4096, 1024, false),
    row(1024, 2048, 8192, 1024, true),
    row(2048, 4096, 16384, 1024, true),
    row(4096, 8192, 30720, 1024, true),
    Row {
        min_linux_platform_version: Some("1.4.0"),
        ..row(8192, 16384, 61440, 4096, false)
    },
    Row {
        min_linux_platform_version: Some("1.4.0"),
        ..row(16384, 32768, 122880, 8192, false)
    },
];

const fn size_count() -> usize {
    let mut count = 0;
    let mut i = 0;
    while i < ROWS.len() {
        count += ((ROWS[i].last - ROWS[i].first) / ROWS[i].step + 1) as usize;
        i += 1;
    }
    count
}

const SIZE_COUNT: usize = size_count();

/// Expands [`ROWS`] at compile time, so the table is written once, as AWS states it.
const fn expand_rows() -> [FargateSize; SIZE_COUNT] {
    let mut out = [FargateSize {
        cpu: 0,
        memory: 0,
        windows: false,
        min_linux_platform_version: None,
    }; SIZE_COUNT];
    let mut n = 0;
    let mut i = 0;
    while i < ROWS.len() {
        let row = &ROWS[i];
        let mut memory = row.first;
        while memory <= row.last {
            out[n] = FargateSize {
                cpu: row.cpu,
                memory,
                windows: row.windows,
                min_linux_platform_version: row.min_linux_platform_version,
            };
            n += 1;
            memory += row.step;
        }
        i += 1;
    }
    out
}

const SIZES: [FargateSize; SIZE_COUNT] = expand_rows();

/// Every valid Fargate size, by cpu then memory.
pub const FARGATE_SIZES: &[FargateSize] = &SIZES;

/// Looks up a size (any operating system: the Linux table).
pub fn fargate_size(cpu: u32, memory: u32) -> Option<FargateSize> {
    fargate_size_on(FargateOs::Linux, cpu, memory)
}

/// Looks up a size that `os` can use.
pub fn fargate_size_on(os: FargateOs, cpu: u32, memory: u32) -> Option<FargateSize> {
    sizes_on(os).find(|s| s.cpu == cpu && s.memory == memory)
}

/// The task cpu values Fargate offers on `os`, ascending.
pub fn fargate_cpu_values(os: FargateOs) -> Vec<u32> {
    let mut cpus: Vec<u32> = sizes_on(os).map(|s| s.cpu).collect();
    cpus.dedup();
    cpus
}

/// The task memory values (MiB) Fargate offers with `cpu` on `os`, ascending; empty when the
/// cpu value is not offered.
pub fn fargate_memory_values(os: FargateOs, cpu: u32) -> Vec<u32> {
    sizes_on(os)
        .filter(|s| s.cpu == cpu)
        .map(|s| s.memory)
        .collect()
}

fn sizes_on(os: FargateOs) -> impl Iterator<Item = FargateSize> {
    FARGATE_SIZES
        .iter()
        .copied()
        .filter(move |s| os == FargateOs::Linux || s.windows)
}

/// Lists values compactly: all of them when few, else as a range with its step.
fn describe_values(values: &[u32]) -> String {
    match values {
        [] => "none".to_owned(),
        [only] => only.to_string(),
        [first, second, .., last] if values.len() > 6 => {
            format!("{first} to {last} in steps of {}", second - first)
        }
        _ => {
            let text: Vec<String> = values.iter().map(u32::to_string).collect();
            text.join(", ")
        }
    }
}

/// Runs the Fargate rules; `task.fargate` says whether they apply.
pub(super) fn check(task: &TaskView<'_>, out: &mut Vec<Diagnostic>) {
    if !task.fargate {
        return;
    }
    check_network_mode(task, out);
    check_task_size(task, out);
    check_task_parameters(task, out);
    for (i, container) in task.containers.iter().enumerate() {
        check_container_parameters(container, &container_path(i), out);
        check_log_driver(container, &container_path(i), out);
    }
}

fn check_network_mode(task: &TaskView<'_>, out: &mut Vec<Diagnostic>) {
    let message = match &task.td.network_mode {
        Some(NetworkMode::Awsvpc) => return,
        // The loader reports values the model does not list.
        Some(other) if !other.is_known() => return,
        Some(other) => format!(
            "network mode `{}` on a Fargate-compatible task definition",
            other.as_str()
        ),
        None => {
            "no network mode (bridge by default) on a Fargate-compatible task definition".to_owned()
        }
    };
    out.push(
        FARGATE_NETWORK_MODE
            .at(JsonPath::root().key("networkMode"), message)
            .with_hint("set \"networkMode\": \"awsvpc\"; Fargate supports no other mode"),
    );
}

fn check_task_size(task: &TaskView<'_>, out: &mut Vec<Diagnostic>) {
    for (key, present) in [
        ("cpu", task.td.cpu.is_some()),
        ("memory", task.td.memory.is_some()),
    ] {
        if !present {
            out.push(
                FARGATE_TASK_SIZE_REQUIRED
                    .at(
                        JsonPath::root().key(key),
                        format!("a Fargate-compatible task definition has no task-level `{key}`"),
                    )
                    .with_hint(format!(
                        "set `{key}` to one of the Fargate task sizes, such as cpu \"256\" \
                         with memory \"512\""
                    )),
            );
        }
    }
    let (Some(cpu), Some(memory)) = (task.cpu, task.memory) else {
        return;
    };
    let os = task.fargate_os();
    if fargate_size_on(os, cpu, memory).is_some() {
        return;
    }
    let os_name = match os {
        FargateOs::Linux => "Linux",
        FargateOs::Windows => "Windows",
    };
    let memories = fargate_memory_values(os, cpu);
    let diagnostic = if memories.is_empty() {
        let cpus = fargate_cpu_values(os);
        FARGATE_CPU_MEMORY
            .at(
                JsonPath::root().key("cpu"),
                format!("Fargate offers no {os_name} task size with {cpu} CPU units"),
            )
            .with_hint(format!(
                "use a cpu value Fargate offers on {os_name}: {}",
                describe_values(&cpus)
            ))
    } else {
        FARGATE_CPU_MEMORY
            .at(
                JsonPath::root().key("memory"),
                format!("{memory} MiB of memory does not go with {cpu} CPU units on Fargate"),
            )
            .with_hint(format!(
                "with {cpu} CPU units, use memory {} MiB",
                describe_values(&memories)
            ))
    };
    out.push(diagnostic);
}

fn unsupported(path: JsonPath, what: &str, hint: &str) -> Diagnostic {
    FARGATE_UNSUPPORTED_PARAMETER
        .at(path, format!("{what}, which Fargate does not support"))
        .with_hint(hint.to_owned())
}

fn check_task_parameters(task: &TaskView<'_>, out: &mut Vec<Diagnostic>) {
    let td = task.td;
    let root = JsonPath::root();
    if td
        .placement_constraints
        .as_ref()
        .is_some_and(|c| !c.is_empty())
    {
        out.push(unsupported(
            root.clone().key("placementConstraints"),
            "the task definition has placement constraints",
            "remove placementConstraints; Fargate spreads tasks across Availability Zones itself",
        ));
    }
    if td
        .inference_accelerators
        .as_ref()
        .is_some_and(|a| !a.is_empty())
    {
        out.push(unsupported(
            root.clone().key("inferenceAccelerators"),
            "the task definition asks for Elastic Inference accelerators",
            "remove inferenceAccelerators, or run the task on EC2",
        ));
    }
    // Windows rules out pidMode and ipcMode entirely; that rule reports them there.
    if task.windows {
        return;
    }
    if let Some(ipc) = td.ipc_mode.as_ref().filter(|m| m.is_known()) {
        out.push(unsupported(
            root.clone().key("ipcMode"),
            &format!("ipcMode is `{}`", ipc.as_str()),
            "remove ipcMode; Fargate tasks cannot share IPC namespaces",
        ));
    }
    if td.pid_mode == Some(PidMode::Host) {
        out.push(unsupported(
            root.key("pidMode"),
            "pidMode is `host`",
            "use \"pidMode\": \"task\" (platform version 1.4.0 or later) or remove it",
        ));
    }
}

fn check_container_parameters(
    container: &ContainerDefinition,
    at: &JsonPath,
    out: &mut Vec<Diagnostic>,
) {
    if container.privileged == Some(true) {
        out.push(unsupported(
            at.clone().key("privileged"),
            "the container is privileged",
            "remove privileged, and add only the capabilities it needs (Fargate allows SYS_PTRACE)",
        ));
    }
    if container
        .docker_security_options
        .as_ref()
        .is_some_and(|o| !o.is_empty())
    {
        out.push(unsupported(
            at.clone().key("dockerSecurityOptions"),
            "the container sets dockerSecurityOptions",
            "remove dockerSecurityOptions",
        ));
    }
    for (j, requirement) in container.resource_requirements.iter().flatten().enumerate() {
        let kind = match &requirement.r#type {
            Some(ResourceType::Gpu) => "a GPU",
            Some(ResourceType::InferenceAccelerator) => "an Elastic Inference accelerator",
            _ => continue,
        };
        out.push(unsupported(
            at.clone().key("resourceRequirements").index(j),
            &format!("the container asks for {kind}"),
            "remove the requirement, or run the task on EC2 instances that have the device",
        ));
    }
    check_linux_parameters(container, at, out);
    check_firelens_config_file(container, at, out);
}

fn check_linux_parameters(
    container: &ContainerDefinition,
    at: &JsonPath,
    out: &mut Vec<Diagnostic>,
) {
    let Some(linux) = &container.linux_parameters else {
        return;
    };
    let at = at.clone().key("linuxParameters");
    let set = [
        (
            "devices",
            linux.devices.as_ref().is_some_and(|d| !d.is_empty()),
        ),
        ("sharedMemorySize", linux.shared_memory_size.is_some()),
        ("maxSwap", linux.max_swap.is_some()),
        ("swappiness", linux.swappiness.is_some()),
    ];
    for (key, present) in set {
        if present {
            out.push(unsupported(
                at.clone().key(key),
                &format!("linuxParameters sets `{key}`"),
                &format!("remove `{key}`, or run the task on EC2"),
            ));
        }
    }
    let added = linux
        .capabilities
        .as_ref()
        .and_then(|c| c.add.as_ref())
        .into_iter()
        .flatten()
        .enumerate();
    for (k, capability) in added {
        if capability != "SYS_PTRACE" {
            out.push(unsupported(
                at.clone().key("capabilities").key("add").index(k),
                &format!("the container adds the kernel capability `{capability}`"),
                "Fargate only allows adding SYS_PTRACE; remove the others",
            ));
        }
    }
}

fn check_firelens_config_file(
    container: &ContainerDefinition,
    at: &JsonPath,
    out: &mut Vec<Diagnostic>,
) {
    let file_type = container
        .firelens_configuration
        .as_ref()
        .and_then(|f| f.options.as_ref())
        .and_then(|o| o.get("config-file-type"));
    if file_type.is_some_and(|t| t == "s3") {
        out.push(unsupported(
            at.clone()
                .key("firelensConfiguration")
                .key("options")
                .key("config-file-type"),
            "the FireLens configuration file comes from S3",
            "use \"config-file-type\": \"file\" with a file baked into the log router image",
        ));
    }
}

fn check_log_driver(container: &ContainerDefinition, at: &JsonPath, out: &mut Vec<Diagnostic>) {
    let Some(driver) = container
        .log_configuration
        .as_ref()
        .and_then(|l| l.log_driver.as_ref())
    else {
        return;
    };
    if matches!(
        driver,
        LogDriver::Awslogs | LogDriver::Splunk | LogDriver::Awsfirelens
    ) || !driver.is_known()
    {
        return;
    }
    out.push(
        FARGATE_LOG_DRIVER
            .at(
                at.clone().key("logConfiguration").key("logDriver"),
                format!(
                    "log driver `{}` is not available on Fargate",
                    driver.as_str()
                ),
            )
            .with_hint("use awslogs, splunk, or awsfirelens with a FireLens log router"),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_matches_the_documented_counts() {
        let count = |cpu| fargate_memory_values(FargateOs::Linux, cpu).len();
        assert_eq!(FARGATE_SIZES.len(), 74);
        assert_eq!(count(256), 3);
        assert_eq!(count(512), 4);
        assert_eq!(count(1024), 7);
        assert_eq!(count(2048), 13);
        assert_eq!(count(4096), 23);
        assert_eq!(count(8192), 12);
        assert_eq!(count(16384), 12);
        assert_eq!(
            fargate_memory_values(FargateOs::Linux, 256),
            [512, 1024, 2048]
        );
        assert_eq!(fargate_cpu_values(FargateOs::Windows), [1024, 2048, 4096]);
        assert!(fargate_size(16384, 122880).is_some());
        assert!(fargate_size(16384, 122881).is_none());
        assert!(fargate_size_on(FargateOs::Windows, 256, 512).is_none());
        assert_eq!(
            fargate_size(8192, 16384).and_then(|s| s.min_linux_platform_version),
            Some("1.4.0")
        );
    }

    #[test]
    fn long_value_lists_are_ranges() {
        assert_eq!(describe_values(&[512, 1024, 2048]), "512, 1024, 2048");
        assert_eq!(
            describe_values(&fargate_memory_values(FargateOs::Linux, 4096)),
            "8192 to 30720 in steps of 1024"
        );
    }
}
