//! Typed units that convert into the model's raw numbers and strings.
//!
//! The AWS model writes container `cpu` and `memory` as integers, task `cpu` and `memory` as
//! strings, ports and seconds as integers. These types say what a number means and convert into
//! whichever form a setter takes:
//!
//! | type | means | converts into |
//! |---|---|---|
//! | [`Cpu`] | CPU units (1024 = 1 vCPU) | `i32` (container `cpu`), `String` (task `cpu`) |
//! | [`Memory`] | MiB | `i32` (container `memory`), `String` (task `memory`) |
//! | [`Port`] | a port number, 1 to 65535 | `i32` |
//! | [`Seconds`] | whole seconds | `i32` (health check times, `stopTimeout`, `startTimeout`) |
//! | [`ImageRef`] | a container image reference | `String` (container `image`) |
//! | [`TaskSize`] | task cpu and memory together | both task strings, through `.size()` |
//!
//! ```
//! use ecs_dsl::prelude::*;
//!
//! let web: ContainerDefinition = container("web", "nginx")
//!     .cpu(Cpu::units(256))
//!     .memory(Memory::gib(1))
//!     .port_mappings(PortMapping::builder().container_port(Port::HTTP))
//!     .stop_timeout(Seconds::new(30))
//!     .into();
//! assert_eq!((web.cpu, web.memory, web.stop_timeout), (Some(256), Some(1024), Some(30)));
//! ```

mod image;
mod size;

use std::fmt;
use std::num::NonZeroU16;
use std::time::Duration;

pub use image::{ImageRef, ImageRefError};
pub use size::{TaskSize, TaskSizeError};

/// What went wrong converting a number into a unit.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum UnitError {
    /// Port 0 is not a port a container can listen on.
    #[error("port 0 is not a port number; use 1 to 65535")]
    ZeroPort,
    /// A duration with a fraction of a second: ECS counts whole seconds.
    #[error("{0:?} is not a whole number of seconds")]
    FractionalSeconds(Duration),
    /// A duration beyond what ECS can store (`i32` seconds).
    #[error("{0:?} is longer than ECS can store")]
    SecondsOverflow(Duration),
}

/// Converts to `i32`, the model's integer type; a value beyond `i32::MAX` becomes `i32::MAX`,
/// which is out of every ECS range and so reported by the rule set.
fn saturating_i32(value: u32) -> i32 {
    i32::try_from(value).unwrap_or(i32::MAX)
}

/// The conversions [`Cpu`] and [`Memory`] share: into the model's `i32` (saturating) and
/// `String` forms, and a display with the unit.
macro_rules! quantity_conversions {
    ($ty:ident, $unit:literal) => {
        impl fmt::Display for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, concat!("{} ", $unit), self.0)
            }
        }

        impl From<$ty> for i32 {
            fn from(value: $ty) -> Self {
                saturating_i32(value.0)
            }
        }

        impl From<$ty> for String {
            fn from(value: $ty) -> Self {
                value.0.to_string()
            }
        }
    };
}

quantity_conversions!(Cpu, "CPU units");
quantity_conversions!(Memory, "MiB");

/// CPU units: 1024 units are one vCPU.
///
/// Converts into `i32` for a container's `cpu` and into `String` for a task's `cpu` (written
/// as units, the form AWS returns).
///
/// ```
/// use ecs_dsl::units::Cpu;
///
/// assert_eq!(Cpu::vcpu(2), Cpu::units(2048));
/// assert_eq!(i32::from(Cpu::units(256)), 256);
/// assert_eq!(String::from(Cpu::vcpu(1)), "1024");
/// assert_eq!(Cpu::units(512).to_string(), "512 CPU units");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Cpu(u32);

impl Cpu {
    /// CPU units per vCPU.
    pub const UNITS_PER_VCPU: u32 = 1024;

    /// `units` CPU units (256 is a quarter vCPU).
    pub const fn units(units: u32) -> Self {
        Self(units)
    }

    /// `vcpus` whole vCPUs; beyond `u32::MAX` units it saturates.
    pub const fn vcpu(vcpus: u32) -> Self {
        Self(vcpus.saturating_mul(Self::UNITS_PER_VCPU))
    }

    /// The number of CPU units.
    ///
    /// ```
    /// assert_eq!(ecs_dsl::units::Cpu::vcpu(4).get(), 4096);
    /// ```
    pub const fn get(self) -> u32 {
        self.0
    }
}

/// Memory in MiB; AWS's "GB" in task sizes is a GiB, 1024 MiB.
///
/// Converts into `i32` for a container's `memory` and `memoryReservation`, and into `String`
/// for a task's `memory` (written as MiB, the form AWS returns).
///
/// ```
/// use ecs_dsl::units::Memory;
///
/// assert_eq!(Memory::gib(2), Memory::mib(2048));
/// assert_eq!(i32::from(Memory::mib(512)), 512);
/// assert_eq!(String::from(Memory::gib(1)), "1024");
/// assert_eq!(Memory::mib(100).to_string(), "100 MiB");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Memory(u32);

impl Memory {
    /// MiB per GiB.
    pub const MIB_PER_GIB: u32 = 1024;

    /// `mib` MiB.
    pub const fn mib(mib: u32) -> Self {
        Self(mib)
    }

    /// `gib` GiB (1024 MiB each); beyond `u32::MAX` MiB it saturates.
    pub const fn gib(gib: u32) -> Self {
        Self(gib.saturating_mul(Self::MIB_PER_GIB))
    }

    /// The number of MiB.
    ///
    /// ```
    /// assert_eq!(ecs_dsl::units::Memory::gib(3).get(), 3072);
    /// ```
    pub const fn get(self) -> u32 {
        self.0
    }
}

/// A TCP or UDP port number, 1 to 65535: a container port, host port or listener port.
///
/// ```
/// use ecs_dsl::units::{Port, UnitError};
///
/// let port = Port::new(8080).ok_or(UnitError::ZeroPort)?;
/// assert_eq!(i32::from(port), 8080);
/// assert_eq!(Port::try_from(0), Err(UnitError::ZeroPort));
/// assert_eq!(Port::HTTPS.get(), 443);
/// # Ok::<(), UnitError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Port(NonZeroU16);

impl Port {
    /// Port 80.
    pub const HTTP: Port = Port(NonZeroU16::new(80).expect("80 is not zero"));
    /// Port 443.
    pub const HTTPS: Port = Port(NonZeroU16::new(443).expect("443 is not zero"));

    /// The port `number`, or `None` for 0.
    pub const fn new(number: u16) -> Option<Self> {
        match NonZeroU16::new(number) {
            Some(number) => Some(Self(number)),
            None => None,
        }
    }

    /// The port number.
    pub const fn get(self) -> u16 {
        self.0.get()
    }
}

impl TryFrom<u16> for Port {
    type Error = UnitError;

    fn try_from(number: u16) -> Result<Self, UnitError> {
        Self::new(number).ok_or(UnitError::ZeroPort)
    }
}

impl fmt::Display for Port {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl From<Port> for i32 {
    fn from(port: Port) -> Self {
        i32::from(port.get())
    }
}

/// A whole number of seconds: health check `interval`, `timeout` and `startPeriod`, a
/// container's `stopTimeout` and `startTimeout`, a service's `healthCheckGracePeriodSeconds`.
///
/// From a `u32`, or from a [`Duration`] when it is whole seconds that fit.
///
/// ```
/// use std::time::Duration;
/// use ecs_dsl::units::{Seconds, UnitError};
///
/// assert_eq!(i32::from(Seconds::new(30)), 30);
/// assert_eq!(Seconds::try_from(Duration::from_secs(90))?, Seconds::from(90));
/// assert_eq!(
///     Seconds::try_from(Duration::from_millis(1500)),
///     Err(UnitError::FractionalSeconds(Duration::from_millis(1500))),
/// );
/// # Ok::<(), UnitError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Seconds(u32);

impl Seconds {
    /// `seconds` seconds. Converting into `i32` saturates at `i32::MAX` (68 years), which the
    /// rule set reports as out of range.
    pub const fn new(seconds: u32) -> Self {
        Self(seconds)
    }

    /// The number of seconds.
    pub const fn get(self) -> u32 {
        self.0
    }
}

impl From<u32> for Seconds {
    fn from(seconds: u32) -> Self {
        Self(seconds)
    }
}

impl TryFrom<Duration> for Seconds {
    type Error = UnitError;

    fn try_from(duration: Duration) -> Result<Self, UnitError> {
        if duration.subsec_nanos() != 0 {
            return Err(UnitError::FractionalSeconds(duration));
        }
        duration
            .as_secs()
            .try_into()
            .ok()
            .filter(|&s: &u32| i32::try_from(s).is_ok())
            .map(Self)
            .ok_or(UnitError::SecondsOverflow(duration))
    }
}

impl fmt::Display for Seconds {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}s", self.0)
    }
}

impl From<Seconds> for i32 {
    fn from(seconds: Seconds) -> Self {
        saturating_i32(seconds.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conversions_saturate_instead_of_wrapping() {
        assert_eq!(i32::from(Cpu::vcpu(u32::MAX)), i32::MAX);
        assert_eq!(Cpu::vcpu(u32::MAX).get(), u32::MAX);
        assert_eq!(i32::from(Memory::mib(u32::MAX)), i32::MAX);
        assert_eq!(i32::from(Seconds::new(u32::MAX)), i32::MAX);
        assert_eq!(i32::from(Port::new(u16::MAX).expect("port")), 65535);
    }

    #[test]
    fn durations_must_be_whole_seconds_that_fit() {
        assert_eq!(Seconds::try_from(Duration::ZERO), Ok(Seconds::new(0)));
        assert_eq!(
            Seconds::try_from(Duration::from_secs(u64::from(u32::MAX))),
            Err(UnitError::SecondsOverflow(Duration::from_secs(u64::from(
                u32::MAX
            ))))
        );
        let limit = Duration::from_secs(i32::MAX as u64);
        assert_eq!(Seconds::try_from(limit).map(i32::from), Ok(i32::MAX));
        assert!(Seconds::try_from(Duration::from_nanos(1)).is_err());
    }

    #[test]
    fn ports_are_never_zero() {
        assert_eq!(Port::new(0), None);
        assert_eq!(Port::try_from(1).map(Port::get), Ok(1));
        assert_eq!(Port::HTTP.to_string(), "80");
    }
}
