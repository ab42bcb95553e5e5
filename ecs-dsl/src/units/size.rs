//! Task sizes: task-level cpu and memory together, checked against Fargate's table.

use ecs_model::validate::{FargateOs, fargate_cpu_values, fargate_memory_values, fargate_size_on};

use super::{Cpu, Memory};
use crate::builders::RegisterTaskDefinitionRequestBuilder;

/// A size Fargate does not offer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TaskSizeError {
    /// The cpu value is not one Fargate offers on the operating system.
    #[error("Fargate offers no task with {cpu} on {os}; it offers {}", join(.offered))]
    Cpu {
        /// The cpu asked for.
        cpu: Cpu,
        /// `Linux` or `Windows`.
        os: &'static str,
        /// The cpu values Fargate offers, in units.
        offered: Vec<u32>,
    },
    /// The cpu value is offered, but not with this much memory.
    #[error(
        "Fargate offers no task with {cpu} and {memory} on {os}; with {cpu} it offers {} MiB",
        join(.offered)
    )]
    Memory {
        /// The cpu asked for.
        cpu: Cpu,
        /// The memory asked for.
        memory: Memory,
        /// `Linux` or `Windows`.
        os: &'static str,
        /// The memory values Fargate offers with this cpu, in MiB.
        offered: Vec<u32>,
    },
}

fn join(values: &[u32]) -> String {
    let text: Vec<String> = values.iter().map(u32::to_string).collect();
    text.join(", ")
}

/// Task-level cpu and memory, set together with
/// [`RegisterTaskDefinitionRequestBuilder::size`].
///
/// [`TaskSize::fargate`] only makes sizes Fargate offers, from the same table the rule set
/// checks (`fargate-cpu-memory`); [`TaskSize::new`] makes any size, for EC2 and external
/// instances.
///
/// ```
/// use ecs_dsl::prelude::*;
///
/// let size = TaskSize::fargate(Cpu::vcpu(1), Memory::gib(2))?;
/// let td: RegisterTaskDefinitionRequest = task_definition("web").size(size).into();
/// assert_eq!((td.cpu.as_deref(), td.memory.as_deref()), (Some("1024"), Some("2048")));
///
/// let error = TaskSize::fargate(Cpu::units(256), Memory::gib(4)).unwrap_err();
/// assert_eq!(
///     error.to_string(),
///     "Fargate offers no task with 256 CPU units and 4096 MiB on Linux; with 256 CPU units it offers 512, 1024, 2048 MiB",
/// );
/// # Ok::<(), ecs_dsl::units::TaskSizeError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TaskSize {
    cpu: Cpu,
    memory: Memory,
}

impl TaskSize {
    /// Any cpu and memory, unchecked: for tasks on EC2 or external instances, where the rule
    /// set checks the size against the containers when the task definition builds.
    pub const fn new(cpu: Cpu, memory: Memory) -> Self {
        Self { cpu, memory }
    }

    /// A size Fargate offers for Linux tasks.
    pub fn fargate(cpu: Cpu, memory: Memory) -> Result<Self, TaskSizeError> {
        Self::fargate_on(FargateOs::Linux, cpu, memory)
    }

    /// A size Fargate offers on `os` (Windows tasks have fewer sizes).
    ///
    /// ```
    /// use ecs_dsl::model::validate::FargateOs;
    /// use ecs_dsl::units::{Cpu, Memory, TaskSize};
    ///
    /// assert!(TaskSize::fargate_on(FargateOs::Windows, Cpu::vcpu(1), Memory::gib(2)).is_ok());
    /// assert!(TaskSize::fargate_on(FargateOs::Windows, Cpu::units(512), Memory::gib(1)).is_err());
    /// ```
    pub fn fargate_on(os: FargateOs, cpu: Cpu, memory: Memory) -> Result<Self, TaskSizeError> {
        if fargate_size_on(os, cpu.get(), memory.get()).is_some() {
            return Ok(Self { cpu, memory });
        }
        let os_name = match os {
            FargateOs::Windows => "Windows",
            _ => "Linux",
        };
        let memories = fargate_memory_values(os, cpu.get());
        Err(if memories.is_empty() {
            TaskSizeError::Cpu {
                cpu,
                os: os_name,
                offered: fargate_cpu_values(os),
            }
        } else {
            TaskSizeError::Memory {
                cpu,
                memory,
                os: os_name,
                offered: memories,
            }
        })
    }

    /// The task cpu.
    pub const fn cpu(self) -> Cpu {
        self.cpu
    }

    /// The task memory.
    pub const fn memory(self) -> Memory {
        self.memory
    }
}

impl RegisterTaskDefinitionRequestBuilder {
    /// Sets the task-level `cpu` and `memory` strings from `size` (as CPU units and MiB).
    ///
    /// ```
    /// use ecs_dsl::prelude::*;
    ///
    /// let td: RegisterTaskDefinitionRequest =
    ///     task_definition("web").size(TaskSize::new(Cpu::vcpu(2), Memory::mib(3000))).into();
    /// assert_eq!((td.cpu.as_deref(), td.memory.as_deref()), (Some("2048"), Some("3000")));
    /// ```
    pub fn size(self, size: TaskSize) -> Self {
        self.cpu(size.cpu).memory(size.memory)
    }
}

#[cfg(test)]
mod tests {
    use ecs_model::validate::FARGATE_SIZES;

    use super::*;

    #[test]
    fn every_fargate_size_of_the_table_is_accepted() {
        for size in FARGATE_SIZES {
            let made = TaskSize::fargate(Cpu::units(size.cpu), Memory::mib(size.memory));
            assert!(made.is_ok(), "{size:?}");
        }
    }

    #[test]
    fn an_unknown_cpu_lists_the_cpus() {
        let error = TaskSize::fargate(Cpu::units(300), Memory::mib(512)).expect_err("300");
        assert_eq!(
            error.to_string(),
            "Fargate offers no task with 300 CPU units on Linux; it offers 256, 512, 1024, 2048, 4096, 8192, 16384"
        );
        let windows = TaskSize::fargate_on(FargateOs::Windows, Cpu::units(256), Memory::mib(512));
        assert!(matches!(
            windows,
            Err(TaskSizeError::Cpu { os: "Windows", .. })
        ));
    }
}
