//! The lenient loader: real JSON in, typed values and diagnostics out, nothing lost.
//!
//! Real ECS files are untidy: `null` for absent values, `""` where an enum belongs, numbers
//! written as strings (the ECS guide's own example writes container `"memory": "100"`), epoch or
//! ISO timestamps, fields newer than our model. The loader accepts all of it:
//!
//! - `null` means absent (the AWS JSON protocol reads it so).
//! - A number written as a string, or a string written as a number, is converted with a
//!   `type-coerced` warning: the AWS CLI and SDKs reject it.
//! - An enum value the model does not list is kept ([`Unknown`](crate::types::NetworkMode::Unknown))
//!   with an `unknown-enum-value` warning, or `empty-enum-value` for `""`.
//! - A member the model does not know is kept in the shape's `extra` map, with an
//!   `unknown-field` warning naming the closest known member.
//! - A value that cannot be typed at all (an object where a number belongs) is kept verbatim in
//!   `extra` under its key, with a `type-mismatch` error; nothing is dropped.
//! - A missing required member gets a `missing-required-field` error; the member stays `None`,
//!   so fragments (ecspresso's service files without `serviceName`) render unchanged.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use crate::diagnostic::{Diagnostic, JsonPath, PathSegment, Severity};
use crate::shape::Shape;
use crate::timestamp::Timestamp;

/// Stable codes of the loader's diagnostics.
pub mod codes {
    /// The text is not JSON.
    pub const JSON_SYNTAX: &str = "json-syntax";
    /// A member the AWS model does not know.
    pub const UNKNOWN_FIELD: &str = "unknown-field";
    /// A value of the wrong JSON type that could not be converted; kept verbatim.
    pub const TYPE_MISMATCH: &str = "type-mismatch";
    /// A value of the wrong JSON type that was converted (a number written as a string).
    pub const TYPE_COERCED: &str = "type-coerced";
    /// An enum value the AWS model does not list.
    pub const UNKNOWN_ENUM_VALUE: &str = "unknown-enum-value";
    /// An empty string where an enum value belongs.
    pub const EMPTY_ENUM_VALUE: &str = "empty-enum-value";
    /// A member the AWS model requires is absent.
    pub const MISSING_REQUIRED_FIELD: &str = "missing-required-field";
    /// A describe-output member in a create or register input; `render` drops it.
    pub const OUTPUT_ONLY_FIELD: &str = "output-only-field";
    /// The kind of document could not be told from its content.
    pub const UNKNOWN_DOCUMENT_KIND: &str = "unknown-document-kind";
}

/// A type the lenient loader can build from a JSON value.
///
/// Implemented by every generated shape and enum and by the primitives they use.
pub trait FromJson: Sized {
    /// Builds the value, reporting problems to `cx`. `None` means the value could not be typed;
    /// the caller then keeps it verbatim.
    fn from_json<'v>(value: &'v Value, cx: &mut Loader<'v>) -> Option<Self>;
}

#[derive(Debug, Clone, Copy)]
enum Segment<'v> {
    Key(&'v str),
    Index(usize),
}

/// Loading state: the current JSON path and the diagnostics found so far.
#[derive(Debug, Default)]
pub struct Loader<'v> {
    path: Vec<Segment<'v>>,
    diagnostics: Vec<Diagnostic>,
}

impl<'v> Loader<'v> {
    /// A loader at the document root.
    pub fn new() -> Self {
        Self::default()
    }

    /// The diagnostics found so far.
    pub fn diagnostics(&self) -> &[Diagnostic] {
        &self.diagnostics
    }

    /// The diagnostics found, consuming the loader.
    pub fn into_diagnostics(self) -> Vec<Diagnostic> {
        self.diagnostics
    }

    fn here(&self) -> JsonPath {
        JsonPath::from_segments(
            self.path
                .iter()
                .map(|segment| match *segment {
                    Segment::Key(key) => PathSegment::Key(key.to_owned()),
                    Segment::Index(index) => PathSegment::Index(index),
                })
                .collect(),
        )
    }

    fn report(&mut self, severity: Severity, code: &str, message: String, hint: Option<String>) {
        let mut diagnostic = Diagnostic::new(severity, code, self.here(), message);
        diagnostic.hint = hint;
        self.diagnostics.push(diagnostic);
    }

    fn mismatch(&mut self, expected: &str, found: &Value) {
        self.report(
            Severity::Error,
            codes::TYPE_MISMATCH,
            format!("expected {expected}, found {}", describe(found)),
            Some(format!(
                "write {expected} here; the value is kept as written"
            )),
        );
    }

    fn coerced(&mut self, expected: &str, found: &Value) {
        self.report(
            Severity::Warning,
            codes::TYPE_COERCED,
            format!(
                "expected {expected}, found {}; read as {expected}",
                describe(found)
            ),
            Some(format!(
                "write {expected} here: the AWS CLI and SDKs reject this form"
            )),
        );
    }

    /// Runs `f` one key deeper.
    fn at_key<T>(&mut self, key: &'v str, f: impl FnOnce(&mut Self) -> T) -> T {
        self.path.push(Segment::Key(key));
        let out = f(self);
        self.path.pop();
        out
    }

    pub(crate) fn object(
        &mut self,
        value: &'v Value,
        shape: &str,
    ) -> Option<&'v Map<String, Value>> {
        match value {
            Value::Object(object) => Some(object),
            other => {
                self.mismatch(&format!("an object ({shape})"), other);
                None
            }
        }
    }

    /// Loads an optional member; an untypable value is kept in `extra`.
    pub(crate) fn member<T: FromJson>(
        &mut self,
        key: &'v str,
        value: &'v Value,
        slot: &mut Option<T>,
        extra: &mut Map<String, Value>,
    ) {
        if value.is_null() {
            return;
        }
        match self.at_key(key, |cx| T::from_json(value, cx)) {
            Some(typed) => *slot = Some(typed),
            None => {
                extra.insert(key.to_owned(), value.clone());
            }
        }
    }

    /// Loads a list member whose absence means empty (the stack file's lists).
    pub(crate) fn list<T: FromJson>(
        &mut self,
        key: &'v str,
        value: &'v Value,
        slot: &mut Vec<T>,
        extra: &mut Map<String, Value>,
    ) {
        let mut typed = None;
        self.member(key, value, &mut typed, extra);
        if let Some(typed) = typed {
            *slot = typed;
        }
    }

    /// Keeps a member the model does not know, with a warning.
    pub(crate) fn unknown<S: Shape>(
        &mut self,
        key: &'v str,
        value: &'v Value,
        extra: &mut Map<String, Value>,
    ) {
        self.unknown_in(key, value, S::SHAPE, S::MEMBERS, extra);
    }

    /// Keeps a member that `owner` (with `members`) does not have, with a warning.
    pub(crate) fn unknown_in(
        &mut self,
        key: &'v str,
        value: &'v Value,
        owner: &str,
        members: &[&str],
        extra: &mut Map<String, Value>,
    ) {
        let hint = match closest(key, members) {
            Some(near) => format!("did you mean `{near}`? It is kept and written back as is"),
            None => "it is kept and written back as is; remove it if it is a typo".to_owned(),
        };
        self.at_key(key, |cx| {
            cx.report(
                Severity::Warning,
                codes::UNKNOWN_FIELD,
                format!("`{key}` is not a member of {owner} in the AWS model"),
                Some(hint),
            );
        });
        extra.insert(key.to_owned(), value.clone());
    }

    pub(crate) fn check_required(&mut self, object: &'v Map<String, Value>, required: &[&str]) {
        for name in required {
            let present = object.get(*name).is_some_and(|v| !v.is_null());
            if !present {
                let message = format!("required member `{name}` is missing");
                let path = self.here().key(*name);
                self.diagnostics.push(
                    Diagnostic::error(codes::MISSING_REQUIRED_FIELD, path, message)
                        .with_hint(format!("add `{name}`: AWS rejects the request without it")),
                );
            }
        }
    }

    pub(crate) fn enum_value(
        &mut self,
        value: &'v Value,
        shape: &str,
        values: &[&str],
    ) -> Option<&'v str> {
        let Value::String(text) = value else {
            self.mismatch(&format!("a string ({shape})"), value);
            return None;
        };
        if text.is_empty() {
            self.report(
                Severity::Warning,
                codes::EMPTY_ENUM_VALUE,
                format!("empty {shape}; AWS rejects an empty value"),
                Some(format!(
                    "remove the member, or use one of: {}",
                    values.join(", ")
                )),
            );
        } else if !values.contains(&text.as_str()) {
            let hint = match closest(text, values) {
                Some(near) => format!("did you mean `{near}`?"),
                None => format!("known values: {}", values.join(", ")),
            };
            self.report(
                Severity::Warning,
                codes::UNKNOWN_ENUM_VALUE,
                format!("`{text}` is not a {shape} value in the AWS model"),
                Some(hint),
            );
        }
        Some(text)
    }
}

fn describe(value: &Value) -> String {
    match value {
        Value::Null => "null".to_owned(),
        Value::Bool(b) => format!("boolean {b}"),
        Value::Number(n) => format!("number {n}"),
        Value::String(s) if s.len() > 40 => "a string".to_owned(),
        Value::String(s) => format!("string {s:?}"),
        Value::Array(_) => "an array".to_owned(),
        Value::Object(_) => "an object".to_owned(),
    }
}

/// The candidate closest to `word` by edit distance (case-insensitive), when close enough to be
/// a likely typo.
pub fn closest<'a>(word: &str, candidates: &[&'a str]) -> Option<&'a str> {
    let lower = word.to_ascii_lowercase();
    candidates
        .iter()
        .map(|c| (edit_distance(&lower, &c.to_ascii_lowercase()), *c))
        .filter(|(d, c)| *d <= (c.len().max(word.len()) / 3).max(1))
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = if ca == *cb {
                prev
            } else {
                1 + prev.min(row[j]).min(cur)
            };
            prev = cur;
        }
    }
    row[b.len()]
}

impl FromJson for String {
    fn from_json<'v>(value: &'v Value, cx: &mut Loader<'v>) -> Option<Self> {
        match value {
            Value::String(text) => Some(text.clone()),
            Value::Number(n) => {
                cx.coerced("a string", value);
                Some(n.to_string())
            }
            Value::Bool(b) => {
                cx.coerced("a string", value);
                Some(b.to_string())
            }
            other => {
                cx.mismatch("a string", other);
                None
            }
        }
    }
}

fn integer<'v, T: TryFrom<i64>>(value: &'v Value, cx: &mut Loader<'v>, name: &str) -> Option<T> {
    let (number, coerced) = match value {
        Value::Number(n) => match n.as_i64() {
            Some(i) => (Some(i), false),
            None => match n.as_f64() {
                Some(f) if f.fract() == 0.0 && f.abs() < 9.0e15 => (Some(f as i64), true),
                _ => (None, false),
            },
        },
        Value::String(text) => (text.trim().parse::<i64>().ok(), true),
        _ => (None, false),
    };
    match number.map(T::try_from) {
        Some(Ok(typed)) => {
            if coerced {
                cx.coerced(name, value);
            }
            Some(typed)
        }
        Some(Err(_)) => {
            cx.report(
                Severity::Error,
                codes::TYPE_MISMATCH,
                format!("{} does not fit in {name}", describe(value)),
                Some("use a smaller number; the value is kept as written".to_owned()),
            );
            None
        }
        None => {
            cx.mismatch(name, value);
            None
        }
    }
}

impl FromJson for i32 {
    fn from_json<'v>(value: &'v Value, cx: &mut Loader<'v>) -> Option<Self> {
        integer(value, cx, "an integer")
    }
}

impl FromJson for i64 {
    fn from_json<'v>(value: &'v Value, cx: &mut Loader<'v>) -> Option<Self> {
        integer(value, cx, "an integer")
    }
}

impl FromJson for f64 {
    fn from_json<'v>(value: &'v Value, cx: &mut Loader<'v>) -> Option<Self> {
        match value {
            Value::Number(n) => n.as_f64(),
            Value::String(text) => match text.trim().parse::<f64>() {
                Ok(f) if f.is_finite() => {
                    cx.coerced("a number", value);
                    Some(f)
                }
                _ => {
                    cx.mismatch("a number", value);
                    None
                }
            },
            other => {
                cx.mismatch("a number", other);
                None
            }
        }
    }
}

impl FromJson for bool {
    fn from_json<'v>(value: &'v Value, cx: &mut Loader<'v>) -> Option<Self> {
        match value {
            Value::Bool(b) => Some(*b),
            Value::String(text) if text == "true" || text == "false" => {
                cx.coerced("a boolean", value);
                Some(text == "true")
            }
            other => {
                cx.mismatch("a boolean", other);
                None
            }
        }
    }
}

impl FromJson for Timestamp {
    fn from_json<'v>(value: &'v Value, cx: &mut Loader<'v>) -> Option<Self> {
        match value {
            Value::Number(n) => n.as_f64().map(Timestamp::EpochSeconds),
            Value::String(text) => Some(Timestamp::Text(text.clone())),
            other => {
                cx.mismatch("a timestamp (epoch seconds or ISO 8601 text)", other);
                None
            }
        }
    }
}

impl<T: FromJson> FromJson for Vec<T> {
    fn from_json<'v>(value: &'v Value, cx: &mut Loader<'v>) -> Option<Self> {
        let Value::Array(items) = value else {
            cx.mismatch("an array", value);
            return None;
        };
        let mut out = Vec::with_capacity(items.len());
        let mut complete = true;
        for (index, item) in items.iter().enumerate() {
            cx.path.push(Segment::Index(index));
            let typed = if item.is_null() {
                cx.mismatch("a list element", item);
                None
            } else {
                T::from_json(item, cx)
            };
            cx.path.pop();
            match typed {
                Some(typed) => out.push(typed),
                None => complete = false,
            }
        }
        // A list with an untypable element is kept whole and verbatim by the caller.
        complete.then_some(out)
    }
}

impl<T: FromJson> FromJson for BTreeMap<String, T> {
    fn from_json<'v>(value: &'v Value, cx: &mut Loader<'v>) -> Option<Self> {
        let Value::Object(object) = value else {
            cx.mismatch("an object", value);
            return None;
        };
        let mut out = BTreeMap::new();
        let mut complete = true;
        for (key, item) in object {
            match cx.at_key(key, |cx| T::from_json(item, cx)) {
                Some(typed) => {
                    out.insert(key.clone(), typed);
                }
                None => complete = false,
            }
        }
        complete.then_some(out)
    }
}

/// Loads a typed value from JSON, collecting every diagnostic.
///
/// `value` is `None` only when the root itself could not be typed (it is not an object).
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Loaded<T> {
    /// The typed value.
    pub value: Option<T>,
    /// Every problem found while loading, in document order.
    pub diagnostics: Vec<Diagnostic>,
}

/// Loads `T` from an already parsed JSON value.
///
/// ```
/// use ecs_model::{load::from_value, types::PortMapping};
/// let loaded = from_value::<PortMapping>(&serde_json::json!({"containerPort": "80"}));
/// assert_eq!(loaded.value.unwrap().container_port, Some(80));
/// assert_eq!(loaded.diagnostics[0].code, "type-coerced");
/// ```
pub fn from_value<T: FromJson>(value: &Value) -> Loaded<T> {
    let mut cx = Loader::new();
    let typed = T::from_json(value, &mut cx);
    Loaded {
        value: typed,
        diagnostics: cx.into_diagnostics(),
    }
}

/// The `serde::Deserialize` of every generated shape: lenient like the loader, but failing on
/// the first error (warnings are dropped). Use [`from_value`] to see every diagnostic.
pub fn deserialize_lenient<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: serde::Deserializer<'de>,
    T: FromJson,
{
    use serde::Deserialize as _;
    let value = Value::deserialize(deserializer)?;
    let loaded = from_value::<T>(&value);
    if let Some(error) = loaded.diagnostics.iter().find(|d| d.is_error()) {
        return Err(serde::de::Error::custom(error));
    }
    loaded
        .value
        .ok_or_else(|| serde::de::Error::custom("the value could not be typed"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::{ContainerDefinition, NetworkMode, RegisterTaskDefinitionRequest};
    use serde_json::json;

    #[test]
    fn nulls_are_absent_and_strings_become_numbers() {
        let loaded = from_value::<ContainerDefinition>(&json!({
            "name": "web", "memory": "100", "cpu": null, "essential": "true"
        }));
        let c = loaded.value.expect("typed");
        assert_eq!(c.memory, Some(100));
        assert_eq!(c.cpu, None);
        assert_eq!(c.essential, Some(true));
        let codes: Vec<_> = loaded.diagnostics.iter().map(|d| d.code.as_str()).collect();
        assert_eq!(codes, ["type-coerced", "type-coerced"]);
        assert_eq!(loaded.diagnostics[0].path.to_string(), "memory");
    }

    #[test]
    fn untypable_values_are_kept_verbatim() {
        let input = json!({"name": "web", "memory": {"oops": 1}, "portMappings": [{"containerPort": 80}, 5]});
        let loaded = from_value::<ContainerDefinition>(&input);
        let c = loaded.value.expect("typed");
        assert_eq!(c.memory, None);
        assert_eq!(c.extra["memory"], json!({"oops": 1}));
        assert_eq!(c.extra["portMappings"], input["portMappings"]);
        let paths: Vec<_> = loaded
            .diagnostics
            .iter()
            .map(|d| (d.code.as_str(), d.path.to_string()))
            .collect();
        assert_eq!(
            paths,
            [
                ("type-mismatch", "memory".to_owned()),
                ("type-mismatch", "portMappings[1]".to_owned())
            ]
        );
        // Written back unchanged.
        assert_eq!(serde_json::to_value(&c).expect("json"), input);
    }

    #[test]
    fn unknown_fields_and_enum_values_round_trip() {
        let input = json!({
            "family": "f",
            "networkMode": "awsvpcx",
            "ipcMode": "",
            "containerDefinitions": [{"name": "a", "portBindings": [1]}],
            "futureField": {"x": 1}
        });
        let loaded = from_value::<RegisterTaskDefinitionRequest>(&input);
        let td = loaded.value.expect("typed");
        assert_eq!(
            td.network_mode,
            Some(NetworkMode::Unknown("awsvpcx".into()))
        );
        let found: Vec<_> = loaded
            .diagnostics
            .iter()
            .map(|d| (d.code.as_str(), d.path.to_string(), d.hint.clone()))
            .collect();
        assert_eq!(found[0].0, "unknown-enum-value");
        assert_eq!(found[0].2.as_deref(), Some("did you mean `awsvpc`?"));
        assert_eq!(found[1].0, "empty-enum-value");
        assert_eq!(found[2].1, "containerDefinitions[0].portBindings");
        assert!(found[2].2.as_deref().unwrap_or("").contains("portMappings"));
        assert_eq!(found[3].1, "futureField");
        assert_eq!(serde_json::to_value(&td).expect("json"), input);
    }

    #[test]
    fn missing_required_members_are_errors() {
        let loaded = from_value::<RegisterTaskDefinitionRequest>(&json!({"family": null}));
        let found: Vec<_> = loaded
            .diagnostics
            .iter()
            .map(|d| (d.code.as_str(), d.path.to_string()))
            .collect();
        assert_eq!(
            found,
            [
                ("missing-required-field", "family".to_owned()),
                ("missing-required-field", "containerDefinitions".to_owned())
            ]
        );
    }

    #[test]
    fn serde_deserialize_is_lenient_but_fails_on_errors() {
        let ok: ContainerDefinition =
            serde_json::from_str(r#"{"name":"a","memory":"64"}"#).expect("lenient");
        assert_eq!(ok.memory, Some(64));
        let err =
            serde_json::from_str::<ContainerDefinition>(r#"{"memory":[1]}"#).expect_err("mismatch");
        assert!(err.to_string().contains("type-mismatch"), "{err}");
    }

    #[test]
    fn closest_finds_typos_only() {
        assert_eq!(
            closest("portBindings", &["portMappings", "links"]),
            Some("portMappings")
        );
        assert_eq!(closest("zzzz", &["portMappings"]), None);
    }
}
