//! Writing built values as the JSON that AWS and stack files use.

use serde::Serialize;

/// `value` as pretty-printed JSON: a stack file, or the input of an AWS API call.
///
/// Serializing the model's types does not fail; the [`Result`] is serde_json's, for values of
/// other types.
///
/// ```
/// use ecs_dsl::prelude::*;
///
/// let cluster = cluster("demo").build()?;
/// assert_eq!(to_json_pretty(&cluster)?, "{\n  \"clusterName\": \"demo\"\n}");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn to_json_pretty<T: Serialize + ?Sized>(value: &T) -> Result<String, serde_json::Error> {
    serde_json::to_string_pretty(value)
}
