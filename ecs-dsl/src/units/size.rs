//! Task-level cpu and memory: the strings AWS takes, and sizes checked against Fargate's table.

use std::fmt;

use ecs_model::validate::{FargateOs, fargate_cpu_values, fargate_memory_values, fargate_size_on};

use super::{Cpu, Memory, Unit};
use crate::builders::RegisterTaskDefinitionRequestBuilder;

/// What [`TaskCpu`] and [`TaskMemory`] share: a string inside, taken as it is from `&str`,
/// `&String` and `String`, or from the integer `$unit`.
macro_rules! task_string {
    ($ty:ident, $unit:ident) => {
        impl $ty {
            /// The string as the model stores it.
            ///
            /// ```
            #[doc = concat!("use ecs_dsl::units::", stringify!($ty), ";")]
            ///
            #[doc = concat!("assert_eq!(", stringify!($ty), "::from(\"2048\").as_str(), \"2048\");")]
            /// ```
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl super::sealed::Sealed for $ty {}

        impl Unit for $ty {
            type Raw = String;

            fn into_raw(self) -> String {
                self.0
            }
        }

        impl From<$unit> for $ty {
            #[doc = concat!("The ", stringify!($unit), " as a number: the form AWS returns.")]
            fn from(value: $unit) -> Self {
                Self(value.get().to_string())
            }
        }

        impl From<&str> for $ty {
            /// The string as it is, unchecked: the rule set checks it when the task definition
            /// builds.
            fn from(text: &str) -> Self {
                Self(text.to_owned())
            }
        }

        impl From<&String> for $ty {
            /// The string as it is, unchecked.
            fn from(text: &String) -> Self {
                Self(text.clone())
            }
        }

        impl From<String> for $ty {
            /// The string as it is, unchecked.
            fn from(text: String) -> Self {
                Self(text)
            }
        }

        impl fmt::Display for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

task_string!(TaskCpu, Cpu);
task_string!(TaskMemory, Memory);

/// A task definition's `cpu`: a string in AWS JSON, CPU units (`"256"`) or vCPUs (`"1 vCPU"`,
/// `".25 vCPU"`).
///
/// The task setter takes a string as it is, or a [`Cpu`], written as units; not a [`Memory`].
/// [`TaskSize`] sets cpu and memory together.
///
/// ```
/// use ecs_dsl::prelude::*;
///
/// let td: RegisterTaskDefinitionRequest = task_definition("web").cpu(Cpu::vcpu(1)).into();
/// assert_eq!(td.cpu.as_deref(), Some("1024"));
/// let td: RegisterTaskDefinitionRequest = task_definition("web").cpu("1 vCPU").into();
/// assert_eq!(td.cpu.as_deref(), Some("1 vCPU"));
/// assert_eq!(TaskCpu::from(Cpu::units(256)).to_string(), "256");
/// ```
///
/// Memory is not CPU:
///
/// ```compile_fail,E0277
/// use ecs_dsl::prelude::*;
///
/// let td = task_definition("web").cpu(Memory::gib(1));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TaskCpu(String);

/// A task definition's `memory`: a string in AWS JSON, MiB (`"512"`) or GB (`"2 GB"`, where a
/// GB is a GiB).
///
/// The task setter takes a string as it is, or a [`Memory`], written as MiB; not a [`Cpu`].
/// [`TaskSize`] sets cpu and memory together.
///
/// ```
/// use ecs_dsl::prelude::*;
///
/// let td: RegisterTaskDefinitionRequest = task_definition("web").memory(Memory::gib(2)).into();
/// assert_eq!(td.memory.as_deref(), Some("2048"));
/// let td: RegisterTaskDefinitionRequest = task_definition("web").memory("2 GB").into();
/// assert_eq!(td.memory.as_deref(), Some("2 GB"));
/// ```
///
/// CPU units are not memory:
///
/// ```compile_fail,E0277
/// use ecs_dsl::prelude::*;
///
/// let td = task_definition("web").memory(Cpu::units(256));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TaskMemory(String);

/// A size Fargate does not offer.
///
/// ```
/// use ecs_dsl::units::{Cpu, Memory, TaskSize, TaskSizeError};
///
/// let error = TaskSize::fargate(Cpu::units(300), Memory::mib(512)).unwrap_err();
/// assert!(matches!(error, TaskSizeError::Cpu { os: "Linux", .. }));
/// let error = TaskSize::fargate(Cpu::units(256), Memory::gib(8)).unwrap_err();
/// assert!(matches!(error, TaskSizeError::Memory { ref offered, .. } if offered == &[512, 1024, 2048]));
/// ```
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
    ///
    /// ```
    /// use ecs_dsl::units::{Cpu, Memory, TaskSize};
    ///
    /// let size = TaskSize::new(Cpu::units(300), Memory::mib(700));
    /// assert_eq!((size.cpu().get(), size.memory().get()), (300, 700));
    /// ```
    pub const fn new(cpu: Cpu, memory: Memory) -> Self {
        Self { cpu, memory }
    }

    /// A size Fargate offers for Linux tasks.
    ///
    /// ```
    /// use ecs_dsl::units::{Cpu, Memory, TaskSize};
    ///
    /// assert!(TaskSize::fargate(Cpu::units(512), Memory::gib(1)).is_ok());
    /// assert!(TaskSize::fargate(Cpu::units(512), Memory::mib(512)).is_err());
    /// ```
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
        // A negative raw value is no Fargate size; as 0, it is not in the table either.
        let units = u32::try_from(cpu.get()).unwrap_or(0);
        let mib = u32::try_from(memory.get()).unwrap_or(0);
        if fargate_size_on(os, units, mib).is_some() {
            return Ok(Self { cpu, memory });
        }
        let os_name = match os {
            FargateOs::Windows => "Windows",
            _ => "Linux",
        };
        let memories = fargate_memory_values(os, units);
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
    ///
    /// ```
    /// use ecs_dsl::units::{Cpu, Memory, TaskSize};
    ///
    /// assert_eq!(TaskSize::new(Cpu::vcpu(2), Memory::gib(4)).cpu(), Cpu::units(2048));
    /// ```
    pub const fn cpu(self) -> Cpu {
        self.cpu
    }

    /// The task memory.
    ///
    /// ```
    /// use ecs_dsl::units::{Cpu, Memory, TaskSize};
    ///
    /// assert_eq!(TaskSize::new(Cpu::vcpu(2), Memory::gib(4)).memory(), Memory::mib(4096));
    /// ```
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
    fn negative_raw_values_are_not_fargate_sizes() {
        assert!(matches!(
            TaskSize::fargate(Cpu::from(-256), Memory::mib(512)),
            Err(TaskSizeError::Cpu { .. })
        ));
        assert!(matches!(
            TaskSize::fargate(Cpu::units(256), Memory::from(-512)),
            Err(TaskSizeError::Memory { .. })
        ));
    }

    #[test]
    fn task_strings_keep_raw_text_and_write_units_as_numbers() {
        assert_eq!(TaskCpu::from(".25 vCPU").into_raw(), ".25 vCPU");
        assert_eq!(TaskMemory::from(String::from("2 GB")).into_raw(), "2 GB");
        assert_eq!(TaskMemory::from(Memory::gib(2)).into_raw(), "2048");
        assert_eq!(TaskCpu::from(&"4096".to_owned()).as_str(), "4096");
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
