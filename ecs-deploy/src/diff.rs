//! Field-level differences between two JSON values, each at its JSON path.

use ecs_model::JsonPath;
use ecs_model::reflect::{self, Ty};
use serde_json::{Map, Value};

/// One member or element that differs.
#[derive(Debug, Clone, serde::Serialize)]
#[non_exhaustive]
pub struct FieldDiff {
    /// Where, from the resource's root: `containerDefinitions[0].image`.
    #[serde(serialize_with = "path_string")]
    pub path: JsonPath,
    /// The value now (`None`: absent).
    pub before: Option<Value>,
    /// The value after the change (`None`: removed).
    pub after: Option<Value>,
    /// The containers on the way, one per segment of `path`, the resource's root first: what a
    /// view shows around the difference. Not serialized: a plan read back has none.
    #[serde(skip)]
    containers: Vec<Container>,
}

/// An object or list on the way to a [`FieldDiff`], as a view shows around it: how many of its
/// members are unchanged, and which one it is.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Container {
    /// How many members (an object: both sides' keys together) or elements (a list: the same
    /// length on both sides) it holds. A view subtracts the differences it shows to tell how
    /// many are unchanged.
    pub size: usize,
    /// For an object, the member that names it and its value, when that value is the same text
    /// on both sides: the first of `name`, `containerName` and `key` (a container, an
    /// environment variable, a tag), so that the view can say which element of a list changes.
    pub named: Option<(String, String)>,
}

/// The members that name an object of a list, first found first.
const NAMING_MEMBERS: [&str; 3] = ["name", "containerName", "key"];

impl Container {
    fn of_object(before: &Map<String, Value>, after: &Map<String, Value>) -> Self {
        let size = after.len()
            + before
                .keys()
                .filter(|key| !after.contains_key(*key))
                .count();
        let named = NAMING_MEMBERS.iter().find_map(|member| {
            match (before.get(*member), after.get(*member)) {
                (Some(Value::String(b)), Some(Value::String(a))) if a == b => {
                    Some(((*member).to_owned(), a.clone()))
                }
                _ => None,
            }
        });
        Self { size, named }
    }
}

/// Two differences are equal when their path and values are: the containers are what a
/// view shows around them, not part of the change.
impl PartialEq for FieldDiff {
    fn eq(&self, other: &Self) -> bool {
        self.path == other.path && self.before == other.before && self.after == other.after
    }
}

impl FieldDiff {
    /// The containers on the way to this difference, one per segment of [`path`](Self::path),
    /// the resource's root first; empty when not known (a plan read back from JSON).
    ///
    /// ```
    /// use ecs_deploy::diff::diff;
    /// use serde_json::json;
    /// let changes = diff(
    ///     &json!({"family": "web", "containerDefinitions": [{"name": "a", "image": "x:1"}]}),
    ///     &json!({"family": "web", "containerDefinitions": [{"name": "a", "image": "x:2"}]}),
    /// );
    /// let sizes: Vec<usize> = changes[0].containers().iter().map(|c| c.size).collect();
    /// // The root has 2 members, the list 1 element, the container 2 members.
    /// assert_eq!(sizes, [2, 1, 2]);
    /// // The container is named by its unchanged `name`.
    /// assert_eq!(changes[0].containers()[2].named, Some(("name".into(), "a".into())));
    /// ```
    pub fn containers(&self) -> &[Container] {
        &self.containers
    }
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
    walk(
        JsonPath::root(),
        &mut Vec::new(),
        Some(before),
        Some(after),
        &mut out,
    );
    out
}

/// Walks both sides at `path`; `containers` holds the containers above it.
fn walk(
    path: JsonPath,
    containers: &mut Vec<Container>,
    before: Option<&Value>,
    after: Option<&Value>,
    out: &mut Vec<FieldDiff>,
) {
    match (before, after) {
        (Some(Value::Object(b)), Some(Value::Object(a))) => {
            containers.push(Container::of_object(b, a));
            for (key, value) in a {
                walk(
                    path.clone().key(key.clone()),
                    containers,
                    b.get(key),
                    Some(value),
                    out,
                );
            }
            for (key, value) in b {
                if !a.contains_key(key) {
                    walk(
                        path.clone().key(key.clone()),
                        containers,
                        Some(value),
                        None,
                        out,
                    );
                }
            }
            containers.pop();
        }
        (Some(Value::Array(b)), Some(Value::Array(a))) if a.len() == b.len() => {
            containers.push(Container {
                size: a.len(),
                named: None,
            });
            for (index, (b, a)) in b.iter().zip(a).enumerate() {
                walk(path.clone().index(index), containers, Some(b), Some(a), out);
            }
            containers.pop();
        }
        (b, a) if b != a => out.push(FieldDiff {
            path,
            before: b.cloned(),
            after: a.cloned(),
            containers: containers.clone(),
        }),
        _ => {}
    }
}

/// The value at `path` in `value` (see [`JsonPath::lookup`]).
pub fn get<'v>(value: &'v Value, path: &JsonPath) -> Option<&'v Value> {
    path.lookup(value)
}

/// Copies into `wanted` the members of `actual` that the AWS model of this version does not
/// know and that `wanted` does not have, and returns where they went with their values.
///
/// Both values are instances of the AWS shape `shape` (`CreateServiceRequest`), walked with
/// [`ecs_model::reflect`]: a member the shape does not list is unknown (a newer AWS member,
/// kept in the generated types' `extra` maps). Structures are followed member by member, lists
/// of the same length element by element, maps key by key. A member the model knows is never
/// copied, nor an unknown one `wanted` sets: those compare as usual.
///
/// ```
/// use ecs_deploy::diff::keep_unknown;
/// use serde_json::json;
/// let actual = json!({"serviceName": "web", "futureTopLevel": 1,
///                     "deploymentConfiguration": {"maximumPercent": 200, "futureMember": true}});
/// let mut wanted = json!({"serviceName": "web", "deploymentConfiguration": {"maximumPercent": 150}});
/// let kept = keep_unknown(&actual, &mut wanted, "CreateServiceRequest");
/// let paths: Vec<String> = kept.iter().map(|(path, _)| path.to_string()).collect();
/// assert_eq!(paths, ["futureTopLevel", "deploymentConfiguration.futureMember"]);
/// assert_eq!(wanted["deploymentConfiguration"]["maximumPercent"], 150);
/// ```
pub fn keep_unknown(actual: &Value, wanted: &mut Value, shape: &str) -> Vec<(JsonPath, Value)> {
    let mut out = Vec::new();
    keep_in_shape(actual, wanted, shape, &JsonPath::root(), &mut out);
    out
}

fn keep_in_shape(
    actual: &Value,
    wanted: &mut Value,
    shape: &str,
    path: &JsonPath,
    out: &mut Vec<(JsonPath, Value)>,
) {
    let (Some(info), Value::Object(actual), Value::Object(wanted)) =
        (reflect::shape(shape), actual, wanted)
    else {
        return;
    };
    for (key, value) in actual {
        let at = path.clone().key(key.clone());
        match (info.member(key), wanted.get_mut(key)) {
            (None, None) => {
                wanted.insert(key.clone(), value.clone());
                out.push((at, value.clone()));
            }
            (Some(member), Some(inner)) => keep_in_type(value, inner, &member.ty, &at, out),
            _ => {}
        }
    }
}

fn keep_in_type(
    actual: &Value,
    wanted: &mut Value,
    ty: &Ty,
    path: &JsonPath,
    out: &mut Vec<(JsonPath, Value)>,
) {
    match (ty, actual, wanted) {
        (Ty::Struct(shape), actual, wanted) => keep_in_shape(actual, wanted, shape, path, out),
        (Ty::List(inner), Value::Array(actual), Value::Array(wanted))
            if actual.len() == wanted.len() =>
        {
            for (index, (a, w)) in actual.iter().zip(wanted.iter_mut()).enumerate() {
                keep_in_type(a, w, inner, &path.clone().index(index), out);
            }
        }
        (Ty::Map(inner), Value::Object(actual), Value::Object(wanted)) => {
            for (key, a) in actual {
                if let Some(w) = wanted.get_mut(key) {
                    keep_in_type(a, w, inner, &path.clone().key(key.clone()), out);
                }
            }
        }
        _ => {}
    }
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
    fn unknown_members_of_actual_are_copied_into_wanted_known_ones_never() {
        let actual = json!({
            "serviceName": "web",
            "desiredCount": 3,
            "loadBalancers": [{"targetGroupArn": "tg", "futureLb": "x"}],
            "deploymentConfiguration": {
                "deploymentCircuitBreaker": {"enable": true, "futureBreaker": 5}
            },
            "future": {"nested": 1}
        });
        let mut wanted = json!({
            "serviceName": "web",
            "loadBalancers": [{"targetGroupArn": "tg"}],
            "deploymentConfiguration": {"deploymentCircuitBreaker": {"enable": false}}
        });
        let kept = keep_unknown(&actual, &mut wanted, "CreateServiceRequest");
        let paths: Vec<String> = kept.iter().map(|(p, _)| p.to_string()).collect();
        assert_eq!(
            paths,
            [
                "loadBalancers[0].futureLb",
                "deploymentConfiguration.deploymentCircuitBreaker.futureBreaker",
                "future"
            ]
        );
        // Known members (desiredCount, enable) still differ; the unknown ones no longer do.
        let left: Vec<String> = diff(&actual, &wanted)
            .iter()
            .map(|d| d.path.to_string())
            .collect();
        assert_eq!(
            left,
            [
                "deploymentConfiguration.deploymentCircuitBreaker.enable",
                "desiredCount"
            ]
        );
    }

    #[test]
    fn an_unknown_member_wanted_sets_compares_as_usual() {
        let actual = json!({"serviceName": "web", "future": 1, "tags": [{"key": "a"}]});
        let mut wanted = json!({"serviceName": "web", "future": 2, "tags": []});
        assert!(keep_unknown(&actual, &mut wanted, "CreateServiceRequest").is_empty());
        assert_eq!(diff(&actual, &wanted).len(), 2);
    }

    #[test]
    fn get_follows_keys_and_indexes() {
        let value = json!({"a": [{"b": 2}]});
        let path = JsonPath::root().key("a").index(0).key("b");
        assert_eq!(get(&value, &path), Some(&json!(2)));
        assert_eq!(get(&value, &JsonPath::root().key("x")), None);
    }
}
