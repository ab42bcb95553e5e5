//! Task size and the containers' share of it: the task-level `cpu` and `memory` strings (read
//! by [`crate::units`]), their range outside Fargate, and the containers' `memory`,
//! `memoryReservation` and `cpu` against them. Fargate's size table is checked by
//! [`crate::validate::fargate`].

use crate::diagnostic::{Diagnostic, JsonPath};
use crate::validate::Rule;

use super::{API_CONTAINER, API_TASK_DEFINITION, TaskView, container_path, error, warning};

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
)
.cross_field();

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

/// Runs the size rules.
pub(super) fn check(task: &TaskView<'_>, out: &mut Vec<Diagnostic>) {
    check_task_size(task, out);
    check_container_memory(task, out);
    check_resource_sums(task, out);
}

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
