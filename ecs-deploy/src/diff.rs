//! Field-level differences between two JSON values, each at its JSON path.

use ecs_model::JsonPath;
use serde_json::Value;

/// One member or element that differs.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[non_exhaustive]
pub struct FieldDiff {
    /// Where, from the resource's root: `containerDefinitions[0].image`.
    #[serde(serialize_with = "path_string")]
    pub path: JsonPath,
    /// The value now (`None`: absent).
    pub before: Option<Value>,
    /// The value after the change (`None`: removed).
    pub after: Option<Value>,
}

fn path_string<S: serde::Serializer>(path: &JsonPath, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(&path.to_string())
}

/// Every difference between `before` and `after`, depth first, in `after`'s member order and
/// then the members only `before` has.
///
/// Objects are compared member by member. Lists of the same length are compared element by
/// element; lists of different lengths are one difference of the whole list (an element
/// inserted at the front would otherwise show as every element changed).
///
/// ```
/// use ecs_deploy::diff::diff;
/// use serde_json::json;
/// let changes = diff(
///     &json!({"containerDefinitions": [{"image": "nginx:1.26", "cpu": 10}]}),
///     &json!({"containerDefinitions": [{"image": "nginx:1.27", "cpu": 10}]}),
/// );
/// assert_eq!(changes.len(), 1);
/// assert_eq!(changes[0].path.to_string(), "containerDefinitions[0].image");
/// assert_eq!(changes[0].after, Some(json!("nginx:1.27")));
/// ```
pub fn diff(before: &Value, after: &Value) -> Vec<FieldDiff> {
    let mut out = Vec::new();
    walk(JsonPath::root(), Some(before), Some(after), &mut out);
    out
}

fn walk(path: JsonPath, before: Option<&Value>, after: Option<&Value>, out: &mut Vec<FieldDiff>) {
    match (before, after) {
        (Some(Value::Object(b)), Some(Value::Object(a))) => {
            for (key, value) in a {
                walk(path.clone().key(key.clone()), b.get(key), Some(value), out);
            }
            for (key, value) in b {
                if !a.contains_key(key) {
                    walk(path.clone().key(key.clone()), Some(value), None, out);
                }
            }
        }
        (Some(Value::Array(b)), Some(Value::Array(a))) if a.len() == b.len() => {
            for (index, (b, a)) in b.iter().zip(a).enumerate() {
                walk(path.clone().index(index), Some(b), Some(a), out);
            }
        }
        (b, a) if b != a => out.push(FieldDiff {
            path,
            before: b.cloned(),
            after: a.cloned(),
        }),
        _ => {}
    }
}

/// The value at `path` in `value` (see [`JsonPath::lookup`]).
pub fn get<'v>(value: &'v Value, path: &JsonPath) -> Option<&'v Value> {
    path.lookup(value)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn added_and_removed_members_have_one_side() {
        let changes = diff(&json!({"a": 1, "gone": true}), &json!({"a": 1, "new": [1]}));
        let paths: Vec<String> = changes.iter().map(|c| c.path.to_string()).collect();
        assert_eq!(paths, ["new", "gone"]);
        assert_eq!(changes[0].before, None);
        assert_eq!(changes[1].after, None);
    }

    #[test]
    fn lists_of_other_lengths_differ_as_a_whole() {
        let changes = diff(&json!({"l": [1, 2]}), &json!({"l": [0, 1, 2]}));
        assert_eq!(changes.len(), 1);
        assert_eq!(changes[0].path.to_string(), "l");
    }

    #[test]
    fn equal_values_have_no_difference() {
        let value = json!({"a": [{"b": null}], "c": "d"});
        assert!(diff(&value, &value).is_empty());
    }

    #[test]
    fn get_follows_keys_and_indexes() {
        let value = json!({"a": [{"b": 2}]});
        let path = JsonPath::root().key("a").index(0).key("b");
        assert_eq!(get(&value, &path), Some(&json!(2)));
        assert_eq!(get(&value, &JsonPath::root().key("x")), None);
    }
}
