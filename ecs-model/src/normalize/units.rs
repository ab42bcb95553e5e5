//! Task-level `cpu` and `memory` strings as RegisterTaskDefinition stores them.
//!
//! [RegisterTaskDefinition](https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_RegisterTaskDefinition.html)
//! takes `cpu` as CPU units (`"1024"`) or vCPUs (`"1 vCPU"`, `"1 vcpu"`), and `memory` as MiB
//! (`"1024"`) or GB (`"1GB"`, `"1 GB"`, where 1 GB is 1024 MiB), and "string values are
//! converted to an integer" when the task definition is registered. These parsers do the same
//! conversion so that a file written with units compares equal to what AWS returns.
//!
//! They are deliberately independent of the rule set's own parsing: normalization must accept
//! whatever AWS accepts and nothing it would change, while validation reports problems.

/// CPU units per vCPU.
const UNITS_PER_VCPU: u64 = 1024;
/// MiB per GB, as AWS counts it (`"1 GB"` registers as `1024`).
const MIB_PER_GB: u64 = 1024;

/// The CPU units a task-level `cpu` string stands for, or `None` if it is not one of the forms
/// AWS converts.
///
/// Accepts a plain number of units (`"1024"`, surrounding spaces allowed) and a number of vCPUs
/// with the `vCPU` unit in any case, with or without a space (`"1 vCPU"`, `"0.25 vcpu"`,
/// `".5vCPU"`). A fraction of a vCPU that is not a whole number of units (`"0.3 vCPU"`) gives
/// `None`.
///
/// ```
/// use ecs_model::normalize::cpu_units;
/// assert_eq!(cpu_units("1 vCPU"), Some(1024));
/// assert_eq!(cpu_units("0.25 vcpu"), Some(256));
/// assert_eq!(cpu_units(" 512 "), Some(512));
/// assert_eq!(cpu_units("2 GB"), None);
/// ```
#[must_use]
pub fn cpu_units(text: &str) -> Option<u64> {
    let (number, unit) = split_unit(text)?;
    if unit.is_empty() {
        return whole(number);
    }
    if unit.eq_ignore_ascii_case("vcpu") {
        return scaled(number, UNITS_PER_VCPU);
    }
    None
}

/// The MiB a task-level `memory` string stands for, or `None` if it is not one of the forms
/// AWS converts.
///
/// Accepts a plain number of MiB (`"2048"`), a number of GB (`"2 GB"`, `"2GB"`, `"0.5 gb"`;
/// `GiB` is read the same way, since AWS's GB is 1024 MiB) and, for files that spell the unit
/// out, a number of MiB (`"512 MiB"`, `"512 MB"`). AWS documents only the plain and GB forms;
/// the others are read with their obvious meaning and left for validation to report.
///
/// ```
/// use ecs_model::normalize::memory_mib;
/// assert_eq!(memory_mib("2 GB"), Some(2048));
/// assert_eq!(memory_mib("0.5GB"), Some(512));
/// assert_eq!(memory_mib("512 MiB"), Some(512));
/// assert_eq!(memory_mib("lots"), None);
/// ```
#[must_use]
pub fn memory_mib(text: &str) -> Option<u64> {
    let (number, unit) = split_unit(text)?;
    if unit.is_empty() || unit.eq_ignore_ascii_case("mib") || unit.eq_ignore_ascii_case("mb") {
        return whole(number);
    }
    if unit.eq_ignore_ascii_case("gb") || unit.eq_ignore_ascii_case("gib") {
        return scaled(number, MIB_PER_GB);
    }
    None
}

/// Rewrites `value` to the plain number `parse` reads from it; leaves it alone when it is
/// already plain or when `parse` cannot read it (validation reports that).
pub(super) fn canonical(value: &mut Option<String>, parse: fn(&str) -> Option<u64>) {
    let Some(text) = value else {
        return;
    };
    if is_plain(text) {
        return;
    }
    if let Some(number) = parse(text) {
        *text = number.to_string();
    }
}

/// Whether `text` is already a plain decimal number without leading zeros: no allocation then.
fn is_plain(text: &str) -> bool {
    let bytes = text.as_bytes();
    !bytes.is_empty()
        && bytes.iter().all(u8::is_ascii_digit)
        && (bytes.len() == 1 || bytes[0] != b'0')
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
    let (int, frac) = match number.split_once('.') {
        Some((int, frac)) => (int, frac),
        None => (number, ""),
    };
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
    fn canonical_rewrites_only_when_needed() {
        let mut value = Some("1 vCPU".to_owned());
        canonical(&mut value, cpu_units);
        assert_eq!(value.as_deref(), Some("1024"));
        let mut value = Some("about one".to_owned());
        canonical(&mut value, cpu_units);
        assert_eq!(value.as_deref(), Some("about one"));
        let mut value = Some("0".to_owned());
        canonical(&mut value, cpu_units);
        assert_eq!(value.as_deref(), Some("0"));
        let mut value = None;
        canonical(&mut value, memory_mib);
        assert_eq!(value, None);
    }
}
