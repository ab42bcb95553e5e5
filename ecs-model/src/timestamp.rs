//! Timestamps as AWS and real files write them.

use serde::{Deserialize, Serialize};

/// A timestamp kept exactly as the document wrote it.
///
/// The AWS CLI prints epoch seconds with a fraction (`1589918234.139`); the console and many
/// tools print ISO 8601 text (`2024-01-01T10:00:00.000Z`). Both load, and both are written back
/// unchanged.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
#[non_exhaustive]
pub enum Timestamp {
    /// Seconds since the Unix epoch, possibly with a fraction.
    EpochSeconds(f64),
    /// Text, usually ISO 8601.
    Text(String),
}

impl Default for Timestamp {
    fn default() -> Self {
        Self::EpochSeconds(0.0)
    }
}
