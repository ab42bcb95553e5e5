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
//!
//! Before any of that, [`parse_json`] reads the text itself and reports each object key written
//! more than once (`duplicate-key`), which a parsed [`Value`] can no longer show.

use std::collections::BTreeMap;
use std::fmt;

use serde::de::{DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde_json::map::Entry;
use serde_json::{Map, Number, Value};

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
    /// An object key written more than once; the last value is kept.
    pub const DUPLICATE_KEY: &str = "duplicate-key";
}

/// Seals [`FromJson`] and [`Shape`]: the module is private to the crate, so other crates can use
/// the traits as bounds but cannot implement them.
///
/// Every implementation in the crate names [`sealed::Sealed`] next to its `FromJson`: the
/// primitives and the stack here, the generated shapes and enums in their own files.
pub(crate) mod sealed {
    /// The private supertrait of [`FromJson`](super::FromJson).
    pub trait Sealed {}
}

impl sealed::Sealed for String {}
impl sealed::Sealed for i32 {}
impl sealed::Sealed for i64 {}
impl sealed::Sealed for f64 {}
impl sealed::Sealed for bool {}
impl sealed::Sealed for Timestamp {}
impl<T: FromJson> sealed::Sealed for Vec<T> {}
impl<T: FromJson> sealed::Sealed for BTreeMap<String, T> {}
// `stack.rs` implements `FromJson` for the stack file; its seal lives here so that the loader's
// list of implementations is in one place.
impl sealed::Sealed for crate::stack::Stack {}
impl sealed::Sealed for crate::stack::Namespace {}
impl sealed::Sealed for crate::stack::Scaling {}

/// A type the lenient loader can build from a JSON value.
///
/// Implemented by every generated shape and enum and by the primitives they use. The trait is
/// sealed: use it as a bound (`fn load<T: FromJson>(...)`), but only this crate implements it,
/// so the loader can grow without breaking anyone.
///
/// ```compile_fail
/// use ecs_model::{FromJson, load::Loader};
///
/// struct Mine;
///
/// // error: the trait bound `Mine: Sealed` is not satisfied
/// impl FromJson for Mine {
///     fn from_json<'v>(_: &'v serde_json::Value, _: &mut Loader<'v>) -> Option<Self> {
///         None
///     }
/// }
/// ```
pub trait FromJson: sealed::Sealed + Sized {
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
/// a likely typo: within a third of the longer length (at least 1). On a tie, the first.
///
/// A candidate whose length alone differs by more than that is skipped without computing the
/// distance, and a distance stops as soon as it exceeds the limit: an unknown key of megabytes
/// costs one pass over its characters, not megabytes times every member name.
pub(crate) fn closest<'a>(word: &str, candidates: &[&'a str]) -> Option<&'a str> {
    let lower = word.to_ascii_lowercase();
    let word_chars = lower.chars().count();
    let mut best: Option<(usize, &'a str)> = None;
    for &candidate in candidates {
        let limit = (candidate.len().max(word.len()) / 3).max(1);
        // Only strictly closer candidates can replace the best so far.
        let limit = match best {
            Some((distance, _)) => limit.min(distance.saturating_sub(1)),
            None => limit,
        };
        // The distance is at least the difference in length (in characters).
        if word_chars.abs_diff(candidate.chars().count()) > limit {
            continue;
        }
        if let Some(distance) = edit_distance_within(&lower, &candidate.to_ascii_lowercase(), limit)
        {
            best = Some((distance, candidate));
        }
    }
    best.map(|(_, candidate)| candidate)
}

/// The Levenshtein distance between `a` and `b` in characters, or `None` when it exceeds `limit`.
fn edit_distance_within(a: &str, b: &str, limit: usize) -> Option<usize> {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        #[cfg(test)]
        tests::EDIT_ROWS.with(|rows| rows.set(rows.get() + 1));
        let mut prev = row[0];
        row[0] = i + 1;
        let mut row_min = row[0];
        for (j, cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = if ca == *cb {
                prev
            } else {
                1 + prev.min(row[j]).min(cur)
            };
            row_min = row_min.min(row[j + 1]);
            prev = cur;
        }
        // Every later cell is at least the smallest of this row.
        if row_min > limit {
            return None;
        }
    }
    Some(row[b.len()]).filter(|distance| *distance <= limit)
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

/// What an integer member's value reads as, before it is narrowed to the member's type.
enum Integer {
    /// An integer that fits in `i64`; `coerced` when it was written as a string or a float.
    Fits { value: i64, coerced: bool },
    /// An integer, but outside the range of `i64`.
    TooLarge,
    /// Not an integer at all.
    Not,
}

fn read_integer(value: &Value) -> Integer {
    // 2^63 as a float: the first float above `i64::MAX`. -2^63 is `i64::MIN`, but serde_json
    // also rounds integer literals just below `i64::MIN` to it, so it is left out.
    const TWO_POW_63: f64 = 9_223_372_036_854_775_808.0;
    match value {
        Value::Number(n) => {
            if let Some(value) = n.as_i64() {
                Integer::Fits {
                    value,
                    coerced: false,
                }
            } else if n.is_u64() {
                // A JSON integer above `i64::MAX`.
                Integer::TooLarge
            } else {
                match n.as_f64() {
                    // Written with a fraction or an exponent but whole (`80.0`, `1e3`): every
                    // whole float in range converts exactly.
                    Some(f) if f.fract() == 0.0 && f > -TWO_POW_63 && f < TWO_POW_63 => {
                        Integer::Fits {
                            value: f as i64,
                            coerced: true,
                        }
                    }
                    // Also what serde_json makes of an integer literal beyond `u64`.
                    Some(f) if f.fract() == 0.0 => Integer::TooLarge,
                    _ => Integer::Not,
                }
            }
        }
        Value::String(text) => match text.trim().parse::<i64>() {
            Ok(value) => Integer::Fits {
                value,
                coerced: true,
            },
            Err(error) => match error.kind() {
                std::num::IntErrorKind::PosOverflow | std::num::IntErrorKind::NegOverflow => {
                    Integer::TooLarge
                }
                _ => Integer::Not,
            },
        },
        _ => Integer::Not,
    }
}

/// Reads an integer member of type `T`, whose range `range` names in messages.
fn integer<'v, T: TryFrom<i64>>(
    value: &'v Value,
    cx: &mut Loader<'v>,
    name: &str,
    range: &str,
) -> Option<T> {
    let (typed, coerced) = match read_integer(value) {
        Integer::Fits { value, coerced } => (T::try_from(value).ok(), coerced),
        Integer::TooLarge => (None, false),
        Integer::Not => {
            cx.mismatch(name, value);
            return None;
        }
    };
    match typed {
        Some(typed) => {
            if coerced {
                cx.coerced(name, value);
            }
            Some(typed)
        }
        None => {
            cx.report(
                Severity::Error,
                codes::TYPE_MISMATCH,
                format!("{} does not fit in {name} ({range})", describe(value)),
                Some("use a smaller number; the value is kept as written".to_owned()),
            );
            None
        }
    }
}

impl FromJson for i32 {
    fn from_json<'v>(value: &'v Value, cx: &mut Loader<'v>) -> Option<Self> {
        integer(value, cx, "an integer", "-2147483648 to 2147483647")
    }
}

impl FromJson for i64 {
    fn from_json<'v>(value: &'v Value, cx: &mut Loader<'v>) -> Option<Self> {
        integer(
            value,
            cx,
            "an integer",
            "-9223372036854775808 to 9223372036854775807",
        )
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
            Value::Number(n) => Some(Timestamp::EpochSeconds(n.clone())),
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
    /// Every problem found while loading, depth first. Within an object, members come in the
    /// parsed object's key order: sorted by key, since serde_json's `Map` sorts unless its
    /// `preserve_order` feature is on somewhere in the build. Do not rely on the order; sort by
    /// path when it matters.
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

/// Parses JSON text into a [`Value`], reporting every object key written more than once.
///
/// A parsed [`Value`] cannot show duplicate keys: serde_json, like most parsers, silently keeps
/// the last one, while others keep the first or reject the file. This parses the text in one
/// pass with serde_json's own parser (same syntax errors, line and column, and nesting limit: a
/// too deeply nested document is an error, not a stack overflow) into the same [`Value`] that
/// `serde_json::from_str` builds, and reports each duplicated key once as a `duplicate-key`
/// error at the path of that member, saying how often it appears.
///
/// ```
/// use ecs_model::load::parse_json;
/// let (value, diagnostics) =
///     parse_json(r#"{"containerDefinitions": [{"image": "a", "image": "b"}]}"#).unwrap();
/// assert_eq!(value["containerDefinitions"][0]["image"], "b");
/// assert_eq!(diagnostics[0].code, "duplicate-key");
/// assert_eq!(diagnostics[0].path.to_string(), "containerDefinitions[0].image");
/// assert!(parse_json("{").is_err());
/// ```
pub fn parse_json(text: &str) -> Result<(Value, Vec<Diagnostic>), serde_json::Error> {
    let mut diagnostics = Vec::new();
    let mut deserializer = serde_json::Deserializer::from_str(text);
    let value = ValueSeed {
        at: &At::Root,
        diagnostics: &mut diagnostics,
    }
    .deserialize(&mut deserializer)?;
    deserializer.end()?;
    Ok((value, diagnostics))
}

/// Where [`ValueSeed`] is: a chain of borrowed frames on the parser's own stack, so tracking
/// the path costs no allocation; it is only written out when there is something to report.
enum At<'a> {
    Root,
    Key(&'a str, &'a At<'a>),
    Index(usize, &'a At<'a>),
}

impl At<'_> {
    fn path(&self) -> JsonPath {
        let mut segments = Vec::new();
        let mut at = self;
        loop {
            match at {
                At::Root => break,
                At::Key(key, parent) => {
                    segments.push(PathSegment::Key((*key).to_owned()));
                    at = parent;
                }
                At::Index(index, parent) => {
                    segments.push(PathSegment::Index(*index));
                    at = parent;
                }
            }
        }
        segments.reverse();
        JsonPath::from_segments(segments)
    }
}

/// Builds a [`Value`] exactly as serde_json's own `Deserialize for Value` does, and reports
/// duplicate keys on the way.
struct ValueSeed<'a, 'd> {
    at: &'a At<'a>,
    diagnostics: &'d mut Vec<Diagnostic>,
}

impl<'de> DeserializeSeed<'de> for ValueSeed<'_, '_> {
    type Value = Value;

    fn deserialize<D: serde::Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for ValueSeed<'_, '_> {
    type Value = Value;

    fn expecting(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("any valid JSON value")
    }

    fn visit_bool<E>(self, value: bool) -> Result<Value, E> {
        Ok(Value::Bool(value))
    }

    fn visit_i64<E>(self, value: i64) -> Result<Value, E> {
        Ok(Value::Number(value.into()))
    }

    fn visit_u64<E>(self, value: u64) -> Result<Value, E> {
        Ok(Value::Number(value.into()))
    }

    fn visit_f64<E>(self, value: f64) -> Result<Value, E> {
        Ok(Number::from_f64(value).map_or(Value::Null, Value::Number))
    }

    fn visit_str<E>(self, value: &str) -> Result<Value, E> {
        Ok(Value::String(value.to_owned()))
    }

    fn visit_string<E>(self, value: String) -> Result<Value, E> {
        Ok(Value::String(value))
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_some<D: serde::Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        self.deserialize(deserializer)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        loop {
            let at = At::Index(items.len(), self.at);
            let seed = ValueSeed {
                at: &at,
                diagnostics: &mut *self.diagnostics,
            };
            match seq.next_element_seed(seed)? {
                Some(item) => items.push(item),
                None => return Ok(Value::Array(items)),
            }
        }
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut object = Map::new();
        // Index into `diagnostics` and count of each duplicated key: empty, and so free, unless
        // the object has a duplicate.
        let mut duplicates: Vec<(usize, usize)> = Vec::new();
        while let Some(key) = map.next_key::<String>()? {
            let at = At::Key(&key, self.at);
            let value = map.next_value_seed(ValueSeed {
                at: &at,
                diagnostics: &mut *self.diagnostics,
            })?;
            match object.entry(key) {
                Entry::Vacant(slot) => {
                    slot.insert(value);
                }
                Entry::Occupied(mut slot) => {
                    slot.insert(value);
                    let key = slot.key();
                    let seen = duplicates.iter_mut().find(|(index, _)| {
                        matches!(
                            self.diagnostics[*index].path.segments().last(),
                            Some(PathSegment::Key(first)) if first == key
                        )
                    });
                    match seen {
                        Some((index, count)) => {
                            *count += 1;
                            self.diagnostics[*index].message = duplicate_message(key, *count);
                        }
                        None => {
                            duplicates.push((self.diagnostics.len(), 2));
                            let path = At::Key(key, self.at).path();
                            self.diagnostics.push(
                                Diagnostic::error(
                                    codes::DUPLICATE_KEY,
                                    path,
                                    duplicate_message(key, 2),
                                )
                                .with_hint(
                                    "remove one of them: JSON parsers disagree on which one \
                                     wins; this tool keeps the last",
                                ),
                            );
                        }
                    }
                }
            }
        }
        Ok(Value::Object(object))
    }
}

fn duplicate_message(key: &str, count: usize) -> String {
    format!("key `{key}` appears {count} times in this object")
}

/// The `serde::Deserialize` of every generated shape: lenient like the loader, but failing on
/// the first error (warnings are dropped). Use [`from_value`] to see every diagnostic.
pub(crate) fn deserialize_lenient<'de, D, T>(deserializer: D) -> Result<T, D::Error>
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
        let mut found = codes_and_paths(&loaded.diagnostics);
        found.sort();
        assert_eq!(
            found,
            [
                ("type-coerced", "essential".to_owned()),
                ("type-coerced", "memory".to_owned())
            ]
        );
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
        // By path: the loader's order follows the parsed map's key order.
        let mut found: Vec<_> = loaded
            .diagnostics
            .iter()
            .map(|d| (d.path.to_string(), d.code.as_str(), d.hint.clone()))
            .collect();
        found.sort();
        let [port_bindings, future, ipc, network] = &found[..] else {
            panic!("{found:#?}");
        };
        assert_eq!(
            (port_bindings.0.as_str(), port_bindings.1),
            ("containerDefinitions[0].portBindings", "unknown-field")
        );
        assert!(
            port_bindings
                .2
                .as_deref()
                .unwrap_or("")
                .contains("portMappings")
        );
        assert_eq!(
            (future.0.as_str(), future.1),
            ("futureField", "unknown-field")
        );
        assert_eq!((ipc.0.as_str(), ipc.1), ("ipcMode", "empty-enum-value"));
        assert_eq!(
            (network.0.as_str(), network.1),
            ("networkMode", "unknown-enum-value")
        );
        assert_eq!(network.2.as_deref(), Some("did you mean `awsvpc`?"));
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

    std::thread_local! {
        /// Rows of the edit-distance table computed on this thread: the work `closest` does.
        pub(super) static EDIT_ROWS: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
    }

    /// `closest` as it was before the early exits: every distance in full.
    fn closest_in_full<'a>(word: &str, candidates: &[&'a str]) -> Option<&'a str> {
        fn distance(a: &str, b: &str) -> usize {
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
        let lower = word.to_ascii_lowercase();
        candidates
            .iter()
            .map(|c| (distance(&lower, &c.to_ascii_lowercase()), *c))
            .filter(|(d, c)| *d <= (c.len().max(word.len()) / 3).max(1))
            .min_by_key(|(d, _)| *d)
            .map(|(_, c)| c)
    }

    #[test]
    fn closest_gives_the_same_answers_as_the_full_computation() {
        use crate::Shape as _;
        let members = ContainerDefinition::MEMBERS;
        let enums = NetworkMode::VALUES;
        let words = [
            "",
            "a",
            "x",
            "image",
            "Image",
            "imagee",
            "imgae",
            "portBindings",
            "memoryReservaton",
            "MEMORY",
            "cpu",
            "cpus",
            "nmae",
            "name",
            "essentail",
            "links",
            "link",
            "environment",
            "enviroment",
            "secretz",
            "healthcheck",
            "dnsServer",
            "firelensConfig",
            "ulimit",
            "logConfig",
            "awsvpc",
            "AWSVPC",
            "bridges",
            "hosts",
            "non",
            "nat",
            "ab",
            "ba",
            "ünïcödé",
            "imäge",
            "🚀",
            "containerDefinitionsAndMore",
            "dependsOnn",
        ];
        for word in words {
            for candidates in [members, enums, &["ab", "ba", "abc"][..], &[][..]] {
                assert_eq!(
                    closest(word, candidates),
                    closest_in_full(word, candidates),
                    "{word:?}"
                );
            }
        }
    }

    #[test]
    fn closest_skips_candidates_whose_length_is_out_of_reach() {
        use crate::Shape as _;
        // A megabyte-long unknown key: no candidate is within a third of its length, so no
        // distance is computed at all (it took half a second per key before).
        let huge = "x".repeat(2_000_000);
        EDIT_ROWS.with(|rows| rows.set(0));
        assert_eq!(closest(&huge, ContainerDefinition::MEMBERS), None);
        assert_eq!(EDIT_ROWS.with(std::cell::Cell::get), 0);
        // A long key of similar length to a candidate stops once every cell is over the limit.
        let long = format!("{}{}", "q".repeat(60), "z".repeat(60));
        let candidate = "w".repeat(120);
        EDIT_ROWS.with(|rows| rows.set(0));
        assert_eq!(closest(&long, &[candidate.as_str()]), None);
        assert!(EDIT_ROWS.with(std::cell::Cell::get) < 60);
    }

    #[test]
    fn integers_out_of_range_do_not_fit() {
        let cases = [
            (json!(9_223_372_036_854_775_808_u64), "does not fit"),
            (json!(u64::MAX), "does not fit"),
            (json!(1e20), "does not fit"),
            (json!(-1e20), "does not fit"),
            (json!("99999999999999999999"), "does not fit"),
            (json!("-99999999999999999999"), "does not fit"),
            (json!(1.5), "expected an integer"),
            (json!("12a"), "expected an integer"),
            (json!(true), "expected an integer"),
        ];
        for (value, expected) in cases {
            let loaded = from_value::<i64>(&value);
            assert_eq!(loaded.value, None, "{value}");
            let [d] = &loaded.diagnostics[..] else {
                panic!("{value}: {:?}", loaded.diagnostics)
            };
            assert_eq!(d.code, codes::TYPE_MISMATCH);
            assert!(d.message.contains(expected), "{value}: {}", d.message);
        }
        // Above i64::MAX from a text literal too (serde_json reads it as u64 or as a float).
        for text in [
            "9223372036854775808",
            "18446744073709551616",
            "-9223372036854775809",
        ] {
            let value: Value = serde_json::from_str(text).expect("json");
            let loaded = from_value::<i64>(&value);
            assert!(
                loaded.diagnostics[0].message.contains("does not fit"),
                "{text}: {}",
                loaded.diagnostics[0].message
            );
        }
        let too_big = from_value::<i32>(&json!(3_000_000_000_i64));
        assert_eq!(
            too_big.diagnostics[0].message,
            "number 3000000000 does not fit in an integer (-2147483648 to 2147483647)"
        );
        // In range: exact, and coerced when not written as an integer.
        assert_eq!(from_value::<i64>(&json!(i64::MAX)).value, Some(i64::MAX));
        assert_eq!(from_value::<i64>(&json!(i64::MIN)).value, Some(i64::MIN));
        let whole_float = from_value::<i64>(&json!(1e16));
        assert_eq!(whole_float.value, Some(10_000_000_000_000_000));
        assert_eq!(whole_float.diagnostics[0].code, codes::TYPE_COERCED);
        assert_eq!(from_value::<i32>(&json!(" 80 ")).value, Some(80));
    }

    #[test]
    fn timestamps_keep_the_number_as_written() {
        let td = json!({"registeredAt": 1_589_918_234, "deregisteredAt": 1_589_918_234.5});
        let loaded = from_value::<crate::types::TaskDefinition>(&td);
        assert!(loaded.diagnostics.is_empty(), "{:?}", loaded.diagnostics);
        let typed = loaded.value.expect("typed");
        assert_eq!(
            typed
                .registered_at
                .as_ref()
                .and_then(Timestamp::epoch_seconds),
            Some(1_589_918_234.0)
        );
        assert_eq!(
            serde_json::to_string(&typed).expect("json"),
            r#"{"registeredAt":1589918234,"deregisteredAt":1589918234.5}"#
        );
    }

    fn codes_and_paths(diagnostics: &[Diagnostic]) -> Vec<(&str, String)> {
        diagnostics
            .iter()
            .map(|d| (d.code.as_str(), d.path.to_string()))
            .collect()
    }

    #[test]
    fn parse_json_reports_each_duplicate_key_once_with_its_count() {
        let text = r#"{
            "family": "a",
            "containerDefinitions": [
                {"name": "web", "image": "a", "image": "b", "cpu": 1, "image": "c"},
                {"name": "x", "portMappings": [{"containerPort": 1, "containerPort": 2}]}
            ],
            "family": "b",
            "options": {"awslogs-group": 1, "awslogs-group": 2}
        }"#;
        let (value, diagnostics) = parse_json(text).expect("json");
        // The same value serde_json builds: the last duplicate wins.
        assert_eq!(value, serde_json::from_str::<Value>(text).expect("json"));
        assert_eq!(value["containerDefinitions"][0]["image"], "c");
        assert_eq!(
            codes_and_paths(&diagnostics),
            [
                ("duplicate-key", "containerDefinitions[0].image".to_owned()),
                (
                    "duplicate-key",
                    "containerDefinitions[1].portMappings[0].containerPort".to_owned()
                ),
                ("duplicate-key", "family".to_owned()),
                ("duplicate-key", "options[\"awslogs-group\"]".to_owned()),
            ]
        );
        let image = &diagnostics[0];
        assert!(image.is_error());
        assert_eq!(image.message, "key `image` appears 3 times in this object");
        assert_eq!(
            image.hint.as_deref(),
            Some(
                "remove one of them: JSON parsers disagree on which one wins; this tool keeps the last"
            )
        );
        assert_eq!(
            diagnostics[2].message,
            "key `family` appears 2 times in this object"
        );
    }

    #[test]
    fn parse_json_builds_the_value_serde_json_builds() {
        let texts = [
            "null",
            "true",
            "0",
            "-1",
            "18446744073709551615",
            "18446744073709551616",
            "1.5e300",
            "-0.0",
            "1589918234",
            "1589918234.0",
            r#""a\u00e9\n\"""#,
            "[]",
            "{}",
            r#"[1, [2, [3, {"a": [null, {}]}]], "x"]"#,
            r#"{"b": 1, "a": {"c": [1, 2, {"d": "e"}]}, "": "", "é": 1}"#,
            " \t\r\n {\"a\" : 1 } \n",
        ];
        for text in texts {
            let (value, diagnostics) = parse_json(text).expect(text);
            assert_eq!(
                value,
                serde_json::from_str::<Value>(text).expect(text),
                "{text}"
            );
            // Same text out, numbers included.
            assert_eq!(
                serde_json::to_string(&value).expect("json"),
                serde_json::to_string(&serde_json::from_str::<Value>(text).expect(text))
                    .expect("json")
            );
            assert!(diagnostics.is_empty(), "{text}");
        }
        // Keys that differ only in escapes are the same key.
        let (_, diagnostics) = parse_json(r#"{"a": 1, "\u0061": 2}"#).expect("json");
        assert_eq!(
            codes_and_paths(&diagnostics),
            [("duplicate-key", "a".to_owned())]
        );
    }

    #[test]
    fn parse_json_fails_like_serde_json() {
        for text in [
            "",
            "{",
            "{\"a\": 1,}",
            "[1, 2",
            "{\"a\" 1}",
            "{} {}",
            "{\"a\": 1} x",
            "nul",
            "{a: 1}",
            "\"\\q\"",
        ] {
            let ours = parse_json(text).expect_err(text);
            let theirs = serde_json::from_str::<Value>(text).expect_err(text);
            assert_eq!(ours.to_string(), theirs.to_string(), "{text}");
            assert_eq!(
                (ours.line(), ours.column()),
                (theirs.line(), theirs.column())
            );
        }
    }

    #[test]
    fn parse_json_keeps_the_nesting_limit() {
        // Far deeper than any stack allows: an error, not an overflow.
        for (open, close) in [("[", "]"), ("{\"a\":", "}")] {
            let text = format!("{}1{}", open.repeat(100_000), close.repeat(100_000));
            let error = parse_json(&text).expect_err("too deep");
            assert!(
                error.to_string().contains("recursion limit exceeded"),
                "{error}"
            );
        }
        // 100 levels, within serde_json's limit of 128, parse.
        let text = format!("{}1{}", "[".repeat(100), "]".repeat(100));
        assert!(parse_json(&text).is_ok());
    }
}
