//! Timestamps as AWS and real files write them.

use serde::{Deserialize, Serialize};
use serde_json::Number;

/// A timestamp kept exactly as the document wrote it.
///
/// The AWS CLI prints epoch seconds with a fraction (`1589918234.139`), other tools print whole
/// seconds (`1589918234`), and the console and many tools print ISO 8601 text
/// (`2024-01-01T10:00:00.000Z`). All load, and all are written back unchanged: epoch seconds are
/// kept as the JSON number that was written, so `1589918234` does not come back as
/// `1589918234.0`.
///
/// ```
/// use ecs_model::Timestamp;
/// let whole: Timestamp = serde_json::from_str("1589918234").unwrap();
/// assert_eq!(whole.epoch_seconds(), Some(1589918234.0));
/// assert_eq!(serde_json::to_string(&whole).unwrap(), "1589918234");
///
/// let text: Timestamp = serde_json::from_str(r#""2024-01-01T10:00:00.000Z""#).unwrap();
/// assert_eq!(text.as_text(), Some("2024-01-01T10:00:00.000Z"));
/// assert_eq!(text.epoch_seconds(), None);
/// ```
///
/// There is no default timestamp: an absent one is `None`.
///
/// ```compile_fail
/// let never: ecs_model::Timestamp = Default::default();
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(untagged)]
#[non_exhaustive]
pub enum Timestamp {
    /// Seconds since the Unix epoch, whole or with a fraction, as the document wrote them.
    EpochSeconds(Number),
    /// Text, usually ISO 8601.
    Text(String),
}

impl Timestamp {
    /// The seconds since the Unix epoch, when written as a number (`None` for text, which this
    /// crate does not parse). A fraction is kept; very large integers lose precision as in any
    /// `f64`.
    pub fn epoch_seconds(&self) -> Option<f64> {
        self.as_number().and_then(Number::as_f64)
    }

    /// The same as [`Timestamp::epoch_seconds`], named like [`serde_json::Number::as_f64`].
    pub fn as_f64(&self) -> Option<f64> {
        self.epoch_seconds()
    }

    /// The epoch seconds exactly as written, when written as a number.
    pub fn as_number(&self) -> Option<&Number> {
        match self {
            Self::EpochSeconds(number) => Some(number),
            Self::Text(_) => None,
        }
    }

    /// The text, when written as text.
    pub fn as_text(&self) -> Option<&str> {
        match self {
            Self::EpochSeconds(_) => None,
            Self::Text(text) => Some(text),
        }
    }
}

impl From<i64> for Timestamp {
    /// Whole seconds since the Unix epoch.
    fn from(seconds: i64) -> Self {
        Self::EpochSeconds(seconds.into())
    }
}

impl From<Number> for Timestamp {
    fn from(seconds: Number) -> Self {
        Self::EpochSeconds(seconds)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::from_value;
    use serde_json::{Value, json};

    #[test]
    fn epoch_seconds_are_written_back_as_written() {
        for text in ["1589918234", "1589918234.0", "1589918234.139", "-5", "1e9"] {
            let parsed: Value = serde_json::from_str(text).expect("json");
            let loaded = from_value::<Timestamp>(&parsed);
            assert!(loaded.diagnostics.is_empty(), "{text}");
            let timestamp = loaded.value.expect("typed");
            assert_eq!(serde_json::to_value(&timestamp).expect("json"), parsed);
            // The text form too, not only the value: `1589918234` stays an integer.
            assert_eq!(
                serde_json::to_string(&timestamp).expect("json"),
                serde_json::to_string(&parsed).expect("json"),
                "{text}"
            );
        }
    }

    #[test]
    fn accessors() {
        let whole = Timestamp::from(1_589_918_234);
        assert_eq!(whole.epoch_seconds(), Some(1_589_918_234.0));
        assert_eq!(whole.as_f64(), Some(1_589_918_234.0));
        assert_eq!(whole.as_number(), Some(&Number::from(1_589_918_234)));
        assert_eq!(whole.as_text(), None);
        let fraction: Timestamp = serde_json::from_value(json!(1_589_918_234.139)).expect("json");
        assert_eq!(fraction.epoch_seconds(), Some(1_589_918_234.139));
        let text = Timestamp::Text("2024-01-01T10:00:00Z".to_owned());
        assert_eq!(text.epoch_seconds(), None);
        assert_eq!(text.as_text(), Some("2024-01-01T10:00:00Z"));
    }
}
