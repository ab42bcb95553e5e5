//! Task-level `cpu` and `memory` strings, read as RegisterTaskDefinition reads them.
//!
//! [RegisterTaskDefinition](https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_RegisterTaskDefinition.html)
//! takes `cpu` as CPU units (`"1024"`) or vCPUs (`"1 vCPU"`, `"1 vcpu"`), and `memory` as MiB
//! (`"1024"`) or GB (`"1GB"`, `"1 GB"`, where 1 GB is 1024 MiB), and "string values are
//! converted to an integer" when the task definition is registered. This module is that
//! conversion, written once: the rule set ([`validate`](mod@crate::validate)) checks the
//! number it gives (Fargate sizes, ranges, the containers' sums), and normalization
//! ([`normalize`](crate::normalize)) rewrites a value written with a unit into that number, so
//! that a file written with units compares equal to what AWS returns.
//!
//! | member | plain number | number with a unit |
//! |---|---|---|
//! | `cpu` | CPU units: `"1024"` | vCPUs × 1024: `"1 vCPU"`, `"0.25 vcpu"`, `".5vCPU"` |
//! | `memory` | MiB: `"2048"` | GB or GiB × 1024: `"2 GB"`, `"0.5GB"`, `"3 GiB"`; MiB or MB × 1: `"512 MiB"`, `"512MB"` |
//!
//! Units are read in any case, with or without a space before them; spaces around the value
//! are ignored. A plain number is a whole number. A number with a unit may have a fraction (up
//! to nine digits after the point) as long as the result is whole: `"0.3 vCPU"` (307.2 units)
//! and `"0.1 GB"` (102.4 MiB) are not values. AWS documents the plain, vCPU and GB forms; GiB,
//! MiB and MB are read as the units they name.
//!
//! [`cpu_units`] and [`memory_mib`] give the number as AWS stores it; [`parse_task_cpu`] and
//! [`parse_task_memory`] give the same number as a `u32`, the type of the
//! [Fargate size table](crate::validate::FARGATE_SIZES), and `None` beyond it.

/// CPU units per vCPU.
const UNITS_PER_VCPU: u64 = 1024;
/// MiB per GB, as AWS counts it (`"1 GB"` registers as `1024`).
const MIB_PER_GB: u64 = 1024;

/// The units `cpu` may carry, lowercase, with what one of them is in CPU units.
const CPU_UNITS: &[(&str, u64)] = &[("vcpu", UNITS_PER_VCPU)];
/// The units `memory` may carry, lowercase, with what one of them is in MiB.
const MEMORY_UNITS: &[(&str, u64)] = &[
    ("gb", MIB_PER_GB),
    ("gib", MIB_PER_GB),
    ("mb", 1),
    ("mib", 1),
];

/// The CPU units a task-level `cpu` string stands for, or `None` if it is not one of the
/// [forms](self) AWS converts.
///
/// ```
/// use ecs_model::units::cpu_units;
/// assert_eq!(cpu_units("1 vCPU"), Some(1024));
/// assert_eq!(cpu_units("0.25 vcpu"), Some(256));
/// assert_eq!(cpu_units(" 512 "), Some(512));
/// assert_eq!(cpu_units("0.3 vCPU"), None);
/// assert_eq!(cpu_units("2 GB"), None);
/// ```
#[must_use]
pub fn cpu_units(text: &str) -> Option<u64> {
    quantity(text, CPU_UNITS)
}

/// The MiB a task-level `memory` string stands for, or `None` if it is not one of the
/// [forms](self) AWS converts.
///
/// ```
/// use ecs_model::units::memory_mib;
/// assert_eq!(memory_mib("2 GB"), Some(2048));
/// assert_eq!(memory_mib("0.5GB"), Some(512));
/// assert_eq!(memory_mib("512 MiB"), Some(512));
/// assert_eq!(memory_mib("lots"), None);
/// ```
#[must_use]
pub fn memory_mib(text: &str) -> Option<u64> {
    quantity(text, MEMORY_UNITS)
}

/// [`cpu_units`] as a `u32`, the type of the Fargate size table; `None` also when the number
/// does not fit.
///
/// ```
/// use ecs_model::units::parse_task_cpu;
/// assert_eq!(parse_task_cpu("1024"), Some(1024));
/// assert_eq!(parse_task_cpu(".25 vCPU"), Some(256));
/// assert_eq!(parse_task_cpu("1 core"), None);
/// assert_eq!(parse_task_cpu("0.1 vCPU"), None);
/// assert_eq!(parse_task_cpu("4194304 vCPU"), None); // 2^32 units
/// ```
#[must_use]
pub fn parse_task_cpu(text: &str) -> Option<u32> {
    cpu_units(text).and_then(|units| u32::try_from(units).ok())
}

/// [`memory_mib`] as a `u32`, the type of the Fargate size table; `None` also when the number
/// does not fit.
///
/// ```
/// use ecs_model::units::parse_task_memory;
/// assert_eq!(parse_task_memory("2 GB"), Some(2048));
/// assert_eq!(parse_task_memory("512 MiB"), Some(512));
/// assert_eq!(parse_task_memory("2 TB"), None);
/// ```
#[must_use]
pub fn parse_task_memory(text: &str) -> Option<u32> {
    memory_mib(text).and_then(|mib| u32::try_from(mib).ok())
}

/// A number, plain or with one of `units` (matched without regard to case), converted.
fn quantity(text: &str, units: &[(&str, u64)]) -> Option<u64> {
    let (number, unit) = split_unit(text)?;
    if unit.is_empty() {
        return whole(number);
    }
    let (_, factor) = units
        .iter()
        .find(|(name, _)| unit.eq_ignore_ascii_case(name))?;
    scaled(number, *factor)
}

/// Splits `" 0.25 vCPU "` into `("0.25", "vCPU")`; the unit may be empty.
fn split_unit(text: &str) -> Option<(&str, &str)> {
    let text = text.trim();
    let end = text
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(end);
    if number.is_empty() {
        return None;
    }
    Some((number, unit.trim_start()))
}

/// A whole number (`"1024"`, `"01024"`); `None` for fractions and overflow.
fn whole(number: &str) -> Option<u64> {
    if !number.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    number.parse().ok()
}

/// `number × factor` computed exactly (`"0.25"` × 1024 = 256), or `None` when the product is
/// not a whole number, the number is malformed, or it overflows.
fn scaled(number: &str, factor: u64) -> Option<u64> {
    let (int, frac) = number.split_once('.').unwrap_or((number, ""));
    if (int.is_empty() && frac.is_empty())
        || frac.len() > 9
        || !int.bytes().chain(frac.bytes()).all(|b| b.is_ascii_digit())
    {
        return None;
    }
    let int: u128 = if int.is_empty() { 0 } else { int.parse().ok()? };
    let frac_value: u128 = if frac.is_empty() {
        0
    } else {
        frac.parse().ok()?
    };
    let scale = 10u128.pow(u32::try_from(frac.len()).ok()?);
    let mantissa = int.checked_mul(scale)?.checked_add(frac_value)?;
    let product = mantissa.checked_mul(u128::from(factor))?;
    if product % scale != 0 {
        return None;
    }
    u64::try_from(product / scale).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cpu_forms() {
        assert_eq!(cpu_units("1024"), Some(1024));
        assert_eq!(cpu_units(" 1024 "), Some(1024));
        assert_eq!(cpu_units("01024"), Some(1024));
        assert_eq!(cpu_units("1 vCPU"), Some(1024));
        assert_eq!(cpu_units("1vcpu"), Some(1024));
        assert_eq!(cpu_units("0.25 vcpu"), Some(256));
        assert_eq!(cpu_units(".5 VCPU"), Some(512));
        assert_eq!(cpu_units("0.125 vCPU"), Some(128));
        assert_eq!(cpu_units("192 vCPU"), Some(196_608));
        assert_eq!(cpu_units("0.3 vCPU"), None);
        assert_eq!(cpu_units("1.5"), None);
        assert_eq!(cpu_units("vCPU"), None);
        assert_eq!(cpu_units(""), None);
        assert_eq!(cpu_units("1 GB"), None);
        assert_eq!(cpu_units("1.2.3 vCPU"), None);
        assert_eq!(cpu_units("99999999999999999999999 vCPU"), None);
    }

    #[test]
    fn memory_forms() {
        assert_eq!(memory_mib("2048"), Some(2048));
        assert_eq!(memory_mib("2 GB"), Some(2048));
        assert_eq!(memory_mib("2GB"), Some(2048));
        assert_eq!(memory_mib("0.5 gb"), Some(512));
        assert_eq!(memory_mib("3 GiB"), Some(3072));
        assert_eq!(memory_mib("512 MiB"), Some(512));
        assert_eq!(memory_mib("512MB"), Some(512));
        assert_eq!(memory_mib("0.1 GB"), None);
        assert_eq!(memory_mib("512.5 MiB"), None);
        assert_eq!(memory_mib("1 vCPU"), None);
    }

    #[test]
    fn cpu_and_memory_strings_parse_like_aws_converts_them() {
        assert_eq!(parse_task_cpu(" 256 "), Some(256));
        assert_eq!(parse_task_cpu("1 vCPU"), Some(1024));
        assert_eq!(parse_task_cpu("0.5vcpu"), Some(512));
        assert_eq!(parse_task_cpu("16 VCPU"), Some(16384));
        assert_eq!(parse_task_cpu("0.1 vCPU"), None);
        assert_eq!(parse_task_cpu("1.5"), None);
        assert_eq!(parse_task_cpu("-1"), None);
        assert_eq!(parse_task_cpu(""), None);
        assert_eq!(parse_task_cpu("."), None);
        assert_eq!(parse_task_cpu("99999999999999999999"), None);
        assert_eq!(parse_task_memory("1GB"), Some(1024));
        assert_eq!(parse_task_memory("0.5 GB"), Some(512));
        assert_eq!(parse_task_memory("3 gib"), Some(3072));
        assert_eq!(parse_task_memory("512 MiB"), Some(512));
        assert_eq!(parse_task_memory("2 TB"), None);
        assert_eq!(parse_task_memory("1 vCPU"), None);
    }

    #[test]
    fn a_whole_number_of_mib_may_be_written_with_a_fraction() {
        // The one input the two former parsers disagreed on: normalization rejected it, the
        // rule set read it. Read like "0.5 GB": a decimal times the unit, kept when whole.
        assert_eq!(memory_mib("512.0 MiB"), Some(512));
        assert_eq!(parse_task_memory("512. MB"), Some(512));
        assert_eq!(memory_mib("512.0"), None);
    }

    #[test]
    fn the_u32_forms_agree_with_the_u64_forms_where_they_fit() {
        for text in [
            "1024",
            "0.25 vCPU",
            "2 GB",
            "512 MiB",
            "192 vCPU",
            "x",
            "4194304 vCPU",
        ] {
            assert_eq!(
                parse_task_cpu(text).map(u64::from),
                cpu_units(text).filter(|n| *n <= u64::from(u32::MAX))
            );
            assert_eq!(
                parse_task_memory(text).map(u64::from),
                memory_mib(text).filter(|n| *n <= u64::from(u32::MAX))
            );
        }
    }
}
