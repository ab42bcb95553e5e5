//! Fargate task sizes.

use super::Rule;

pub(crate) const RULES: &[&Rule] = &[];

/// A valid Fargate task size.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FargateSize {
    /// Task CPU in units (1024 = 1 vCPU).
    pub cpu: u32,
    /// Task memory in MiB.
    pub memory: u32,
}

/// Every valid Fargate size.
pub const FARGATE_SIZES: &[FargateSize] = &[];

/// Looks up a size.
pub fn fargate_size(cpu: u32, memory: u32) -> Option<FargateSize> {
    FARGATE_SIZES
        .iter()
        .copied()
        .find(|s| s.cpu == cpu && s.memory == memory)
}
