//! Typed units: what a number or string of the model means, so that one kind cannot be passed
//! where another is expected.
//!
//! The builder setters of the members that hold a quantity take its unit type, and store the
//! model's raw value:
//!
//! | type | means | setters that take it |
//! |---|---|---|
//! | [`Cpu`] | CPU units (1024 = 1 vCPU) | container `cpu` |
//! | [`Memory`] | MiB | container `memory`, `memoryReservation`; `sharedMemorySize`, `maxSwap`, tmpfs `size` |
//! | [`Port`] | a port number | port mappings' `containerPort` and `hostPort`, load balancers' and service registries' ports, Service Connect ports |
//! | [`Seconds`] | whole seconds | health check `interval`, `timeout`, `startPeriod`; `startTimeout`, `stopTimeout`; `healthCheckGracePeriodSeconds`; Service Connect timeouts; `restartAttemptPeriod`; `instanceWarmupPeriod` |
//! | [`TaskCpu`] | a task's `cpu` string (`"256"`, `"1 vCPU"`) | task `cpu` |
//! | [`TaskMemory`] | a task's `memory` string (`"512"`, `"2 GB"`) | task `memory` |
//! | [`TaskSize`] | task cpu and memory together | `.size()` |
//! | [`ImageRef`] | a container image reference | container `image` (through `String`) |
//!
//! Raw values still convert into every unit: an integer into [`Cpu`], [`Memory`], [`Port`] and
//! [`Seconds`] (unchecked, as the model stores it: the rule set reports a value out of range when
//! the resource builds), a [`Duration`] into [`Seconds`], a string into [`TaskCpu`] and
//! [`TaskMemory`]. A unit of one kind never converts into another, nor into a raw `i32` or
//! `String`, so it cannot end up in a member of another kind; read its number with `get()`.
//! Every setter also has a `set_` twin that takes the model's raw type.
//!
//! ```
//! use std::time::Duration;
//! use ecs_dsl::prelude::*;
//!
//! let web: ContainerDefinition = container("web", "nginx")
//!     .cpu(Cpu::units(256))
//!     .memory(Memory::gib(1))
//!     .memory_reservation(512)
//!     .port_mappings(PortMapping::builder().container_port(Port::HTTP).host_port(0))
//!     .stop_timeout(Seconds::new(30))
//!     .health_check(HealthCheck::builder().command("CMD").interval(Duration::from_secs(10)))
//!     .into();
//! assert_eq!((web.cpu, web.memory, web.memory_reservation), (Some(256), Some(1024), Some(512)));
//! assert_eq!(web.stop_timeout, Some(30));
//! assert_eq!(web.health_check.and_then(|check| check.interval), Some(10));
//! ```
//!
//! ```compile_fail,E0277
//! use ecs_dsl::prelude::*;
//!
//! // CPU units are not memory.
//! let web = container("web", "nginx").memory(Cpu::units(256));
//! ```

mod image;
mod size;

use std::fmt;
use std::time::Duration;

pub use image::{ImageRef, ImageRefError};
pub use size::{TaskCpu, TaskMemory, TaskSize, TaskSizeError};

/// A unit a generated setter takes, and the model's raw value it stores.
///
/// Public only so the macros' expansion can convert a unit-typed expression; sealed, and hidden
/// from the documentation.
#[doc(hidden)]
pub trait Unit: sealed::Sealed {
    /// The model's type for the member: `i32` or `String`.
    type Raw;

    /// The value as the model stores it.
    fn into_raw(self) -> Self::Raw;
}

mod sealed {
    /// Only this crate's units are units.
    pub trait Sealed {}
}

/// The raw value of a unit: the macros' expansion of `memory: Memory::gib(1)` calls this on
/// `Into::<Memory>::into(expression)`.
#[doc(hidden)]
pub fn into_raw<U: Unit>(unit: U) -> U::Raw {
    unit.into_raw()
}

/// What went wrong converting a value into a unit with a checked constructor.
///
/// ```
/// use std::time::Duration;
/// use ecs_dsl::units::{Seconds, UnitError};
///
/// let error = Seconds::exact(Duration::from_millis(1500)).unwrap_err();
/// assert_eq!(error, UnitError::FractionalSeconds(Duration::from_millis(1500)));
/// assert_eq!(error.to_string(), "1.5s is not a whole number of seconds");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum UnitError {
    /// A duration with a fraction of a second: ECS counts whole seconds.
    #[error("{0:?} is not a whole number of seconds")]
    FractionalSeconds(Duration),
    /// A duration beyond what ECS can store (`i32` seconds).
    #[error("{0:?} is longer than ECS can store")]
    SecondsOverflow(Duration),
}

/// Converts to `i32`, the model's integer type; a value beyond `i32::MAX` becomes `i32::MAX`,
/// which is out of every ECS range and so reported by the rule set.
const fn saturating_i32(value: u32) -> i32 {
    if value > i32::MAX as u32 {
        i32::MAX
    } else {
        value as i32
    }
}

/// What the integer units share: the model's `i32` inside, [`Unit`], and `From` every integer
/// type that converts into `i32` without loss, so raw numbers keep working in the setters. The
/// raw value is kept as it is, even when out of range: the rule set reports it when the
/// resource builds.
macro_rules! integer_unit {
    ($ty:ident) => {
        impl sealed::Sealed for $ty {}

        impl Unit for $ty {
            type Raw = i32;

            fn into_raw(self) -> i32 {
                self.0
            }
        }

        integer_unit!(@from $ty: i32, i16, i8, u16, u8);
    };
    (@from $ty:ident: $($raw:ty),*) => {
        $(
            impl From<$raw> for $ty {
                /// The raw value, unchecked.
                fn from(raw: $raw) -> Self {
                    Self(i32::from(raw))
                }
            }
        )*
    };
}

/// A count in some unit, from the `u32` its constructors take (saturating at `i32::MAX`) or any
/// raw integer, displayed with the unit.
macro_rules! quantity {
    ($ty:ident, $format:literal) => {
        integer_unit!($ty);

        impl From<u32> for $ty {
            /// The count, saturating at `i32::MAX`.
            fn from(count: u32) -> Self {
                Self(saturating_i32(count))
            }
        }

        impl fmt::Display for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, $format, self.0)
            }
        }
    };
}

quantity!(Cpu, "{} CPU units");
quantity!(Memory, "{} MiB");
quantity!(Seconds, "{}s");
integer_unit!(Port);

/// CPU units, 1024 to a vCPU: a container's `cpu`.
///
/// The container setter takes a `Cpu` or a raw integer; a task's `cpu` is a string, set with
/// a [`TaskCpu`], which a `Cpu` converts into.
///
/// ```
/// use ecs_dsl::prelude::*;
///
/// assert_eq!(Cpu::vcpu(2), Cpu::units(2048));
/// assert_eq!(Cpu::units(512).to_string(), "512 CPU units");
/// let web: ContainerDefinition = container("web", "nginx").cpu(Cpu::vcpu(1)).into();
/// assert_eq!(web.cpu, Some(1024));
/// ```
///
/// Memory is not CPU:
///
/// ```compile_fail,E0277
/// use ecs_dsl::prelude::*;
///
/// let web = container("web", "nginx").cpu(Memory::gib(1));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Cpu(i32);

impl Cpu {
    /// CPU units per vCPU.
    ///
    /// ```
    /// use ecs_dsl::units::Cpu;
    ///
    /// assert_eq!(Cpu::vcpu(1).get(), Cpu::UNITS_PER_VCPU as i32);
    /// ```
    pub const UNITS_PER_VCPU: u32 = 1024;

    /// `units` CPU units (256 is a quarter vCPU); beyond `i32::MAX` it saturates.
    ///
    /// ```
    /// use ecs_dsl::units::Cpu;
    ///
    /// assert_eq!(Cpu::units(256).get(), 256);
    /// assert_eq!(Cpu::units(256), Cpu::from(256));
    /// ```
    pub const fn units(units: u32) -> Self {
        Self(saturating_i32(units))
    }

    /// `vcpus` whole vCPUs (1024 units each); beyond `i32::MAX` units it saturates.
    ///
    /// ```
    /// use ecs_dsl::units::Cpu;
    ///
    /// assert_eq!(Cpu::vcpu(4).get(), 4096);
    /// assert_eq!(Cpu::vcpu(u32::MAX).get(), i32::MAX);
    /// ```
    pub const fn vcpu(vcpus: u32) -> Self {
        Self::units(vcpus.saturating_mul(Self::UNITS_PER_VCPU))
    }

    /// The number of CPU units, as the model stores it.
    ///
    /// ```
    /// assert_eq!(ecs_dsl::units::Cpu::vcpu(4).get(), 4096);
    /// ```
    pub const fn get(self) -> i32 {
        self.0
    }
}

/// Memory in MiB: a container's `memory` and `memoryReservation`, and the MiB sizes of
/// `/dev/shm`, swap and tmpfs volumes. AWS's "GB" in task sizes is a GiB, 1024 MiB.
///
/// The container setters take a `Memory` or a raw integer; a task's `memory` is a string, set
/// with a [`TaskMemory`], which a `Memory` converts into.
///
/// ```
/// use ecs_dsl::prelude::*;
///
/// assert_eq!(Memory::gib(2), Memory::mib(2048));
/// assert_eq!(Memory::mib(100).to_string(), "100 MiB");
/// let web: ContainerDefinition = container("web", "nginx").memory(Memory::gib(1)).into();
/// assert_eq!(web.memory, Some(1024));
/// ```
///
/// CPU units are not memory:
///
/// ```compile_fail,E0277
/// use ecs_dsl::prelude::*;
///
/// let web = container("web", "nginx").memory(Cpu::units(256));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Memory(i32);

impl Memory {
    /// MiB per GiB.
    ///
    /// ```
    /// use ecs_dsl::units::Memory;
    ///
    /// assert_eq!(Memory::gib(1).get(), Memory::MIB_PER_GIB as i32);
    /// ```
    pub const MIB_PER_GIB: u32 = 1024;

    /// `mib` MiB; beyond `i32::MAX` it saturates.
    ///
    /// ```
    /// use ecs_dsl::units::Memory;
    ///
    /// assert_eq!(Memory::mib(512).get(), 512);
    /// assert_eq!(Memory::mib(512), Memory::from(512));
    /// ```
    pub const fn mib(mib: u32) -> Self {
        Self(saturating_i32(mib))
    }

    /// `gib` GiB (1024 MiB each); beyond `i32::MAX` MiB it saturates.
    ///
    /// ```
    /// use ecs_dsl::units::Memory;
    ///
    /// assert_eq!(Memory::gib(3).get(), 3072);
    /// assert_eq!(Memory::gib(u32::MAX).get(), i32::MAX);
    /// ```
    pub const fn gib(gib: u32) -> Self {
        Self::mib(gib.saturating_mul(Self::MIB_PER_GIB))
    }

    /// The number of MiB, as the model stores it.
    ///
    /// ```
    /// assert_eq!(ecs_dsl::units::Memory::gib(3).get(), 3072);
    /// ```
    pub const fn get(self) -> i32 {
        self.0
    }
}

/// A TCP or UDP port number: a container or host port, a load balancer's or service registry's
/// container port, a Service Connect port.
///
/// [`Port::new`] makes a port a container can listen on, 1 to 65535. A raw integer converts as
/// it is, unchecked, because some members give 0 a meaning (`hostPort` 0 asks for a dynamic
/// port); the rule set reports a port out of range when the resource builds.
///
/// ```
/// use ecs_dsl::prelude::*;
///
/// let port = Port::new(8080).expect("not 0");
/// let mapping: PortMapping = PortMapping::builder().container_port(port).host_port(0).build();
/// assert_eq!((mapping.container_port, mapping.host_port), (Some(8080), Some(0)));
/// ```
///
/// Memory is not a port:
///
/// ```compile_fail,E0277
/// use ecs_dsl::prelude::*;
///
/// let mapping = PortMapping::builder().container_port(Memory::mib(80));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Port(i32);

impl Port {
    /// Port 80.
    ///
    /// ```
    /// assert_eq!(ecs_dsl::units::Port::HTTP.get(), 80);
    /// ```
    pub const HTTP: Port = Port(80);

    /// Port 443.
    ///
    /// ```
    /// assert_eq!(ecs_dsl::units::Port::HTTPS.to_string(), "443");
    /// ```
    pub const HTTPS: Port = Port(443);

    /// The port `number`, or `None` for 0, which no container can listen on.
    ///
    /// ```
    /// use ecs_dsl::units::Port;
    ///
    /// assert_eq!(Port::new(8080), Some(Port::from(8080)));
    /// assert_eq!(Port::new(0), None);
    /// ```
    pub const fn new(number: u16) -> Option<Self> {
        match number {
            0 => None,
            _ => Some(Self(number as i32)),
        }
    }

    /// The port number, as the model stores it.
    ///
    /// ```
    /// use ecs_dsl::units::Port;
    ///
    /// assert_eq!(Port::HTTPS.get(), 443);
    /// assert_eq!(Port::from(70000).get(), 70000); // unchecked: the rule set reports it
    /// ```
    pub const fn get(self) -> i32 {
        self.0
    }
}

impl fmt::Display for Port {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// A whole number of seconds: health check `interval`, `timeout` and `startPeriod`, a
/// container's `startTimeout` and `stopTimeout`, a service's `healthCheckGracePeriodSeconds`,
/// Service Connect timeouts, a restart policy's `restartAttemptPeriod`, a scaling policy's
/// `instanceWarmupPeriod`.
///
/// From a count of seconds, or from a [`Duration`]: `From<Duration>` drops the fraction of a
/// second (as [`Duration::as_secs`] does) and saturates at `i32::MAX` seconds, which the rule set
/// then reports as out of range; [`Seconds::exact`] refuses both instead.
///
/// ```
/// use std::time::Duration;
/// use ecs_dsl::prelude::*;
///
/// let check: HealthCheck = HealthCheck::builder()
///     .command("CMD-SHELL")
///     .interval(Duration::from_secs(30))
///     .timeout(Seconds::new(5))
///     .start_period(60)
///     .build();
/// assert_eq!((check.interval, check.timeout, check.start_period), (Some(30), Some(5), Some(60)));
/// assert_eq!(Seconds::from(Duration::from_millis(1500)), Seconds::new(1));
/// assert_eq!(Seconds::from(Duration::MAX).get(), i32::MAX);
/// ```
///
/// Ports are not seconds:
///
/// ```compile_fail,E0277
/// use ecs_dsl::prelude::*;
///
/// let web = container("web", "nginx").stop_timeout(Port::HTTP);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Seconds(i32);

impl Seconds {
    /// `seconds` seconds; beyond `i32::MAX` (68 years) it saturates.
    ///
    /// ```
    /// use ecs_dsl::units::Seconds;
    ///
    /// assert_eq!(Seconds::new(30).get(), 30);
    /// assert_eq!(Seconds::new(30).to_string(), "30s");
    /// ```
    pub const fn new(seconds: u32) -> Self {
        Self(saturating_i32(seconds))
    }

    /// `duration`, when it is a whole number of seconds that fits in the model's `i32`.
    ///
    /// ```
    /// use std::time::Duration;
    /// use ecs_dsl::units::{Seconds, UnitError};
    ///
    /// assert_eq!(Seconds::exact(Duration::from_secs(90)), Ok(Seconds::new(90)));
    /// let long = Duration::from_secs(1 << 40);
    /// assert_eq!(Seconds::exact(long), Err(UnitError::SecondsOverflow(long)));
    /// ```
    pub fn exact(duration: Duration) -> Result<Self, UnitError> {
        if duration.subsec_nanos() != 0 {
            return Err(UnitError::FractionalSeconds(duration));
        }
        i32::try_from(duration.as_secs())
            .map(Self)
            .map_err(|_| UnitError::SecondsOverflow(duration))
    }

    /// The number of seconds, as the model stores it.
    ///
    /// ```
    /// assert_eq!(ecs_dsl::units::Seconds::new(45).get(), 45);
    /// ```
    pub const fn get(self) -> i32 {
        self.0
    }
}

impl From<Duration> for Seconds {
    /// The whole seconds of `duration`, saturating at `i32::MAX`.
    fn from(duration: Duration) -> Self {
        Self(i32::try_from(duration.as_secs()).unwrap_or(i32::MAX))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn constructors_saturate_instead_of_wrapping() {
        assert_eq!(Cpu::vcpu(u32::MAX).get(), i32::MAX);
        assert_eq!(Cpu::from(u32::MAX).get(), i32::MAX);
        assert_eq!(Memory::mib(u32::MAX).get(), i32::MAX);
        assert_eq!(Seconds::new(u32::MAX).get(), i32::MAX);
        assert_eq!(Port::new(u16::MAX).map(Port::get), Some(65535));
    }

    #[test]
    fn raw_integers_stay_as_they_are() {
        assert_eq!(Memory::from(-1).into_raw(), -1);
        assert_eq!(Cpu::from(0u8).into_raw(), 0);
        assert_eq!(Seconds::from(-5i16).into_raw(), -5);
        assert_eq!(Port::from(0u16).into_raw(), 0);
        assert_eq!(Port::from(-1).get(), -1);
    }

    #[test]
    fn durations_must_be_whole_seconds_that_fit_to_be_exact() {
        assert_eq!(Seconds::exact(Duration::ZERO), Ok(Seconds::new(0)));
        let too_long = Duration::from_secs(u64::from(u32::MAX));
        assert_eq!(
            Seconds::exact(too_long),
            Err(UnitError::SecondsOverflow(too_long))
        );
        assert_eq!(Seconds::from(too_long).get(), i32::MAX);
        let limit = Duration::from_secs(i32::MAX as u64);
        assert_eq!(Seconds::exact(limit).map(Seconds::get), Ok(i32::MAX));
        assert!(Seconds::exact(Duration::from_nanos(1)).is_err());
        assert_eq!(Seconds::from(Duration::from_nanos(1)).get(), 0);
    }

    #[test]
    fn ports_from_new_are_never_zero() {
        assert_eq!(Port::new(0), None);
        assert_eq!(Port::new(1).map(Port::get), Some(1));
        assert_eq!(Port::HTTP.to_string(), "80");
    }
}
