//! Diagnostics: every problem the loader or the rule set finds, with its JSON path.

use std::fmt;

use serde::{Deserialize, Serialize};

/// How bad a problem is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum Severity {
    /// AWS rejects the value, or the infrastructure cannot work: deploys refuse it.
    Error,
    /// AWS accepts the value but it is probably a mistake, or a tool would reject it.
    Warning,
    /// Worth knowing; nothing to fix.
    Info,
}

impl Severity {
    /// `error`, `warning` or `info`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Error => "error",
            Self::Warning => "warning",
            Self::Info => "info",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One step of a [`JsonPath`]: an object key or an array index.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PathSegment {
    /// An object member, such as `containerDefinitions`.
    Key(String),
    /// An array element, counted from 0.
    Index(usize),
}

/// Where a value sits in a JSON document, written like
/// `containerDefinitions[1].portMappings[0].hostPort`.
///
/// The document root is the empty path. Keys that are not plain identifiers (ASCII letters,
/// digits, `_`, `$`) are written as JSON strings in brackets:
/// `logConfiguration.options["awslogs-group"]`. Characters that do not show (control characters,
/// zero-width and other format characters, whitespace other than a space) are written as
/// `\uXXXX` escapes, so a path that looks right but does not match shows why. [`JsonPath::parse`]
/// reads every form back: display and parse round-trip for any key.
///
/// ```
/// use ecs_model::JsonPath;
/// let path = JsonPath::root().key("containerDefinitions").index(1).key("image");
/// assert_eq!(path.to_string(), "containerDefinitions[1].image");
/// let odd = JsonPath::root().key("a\"]b").key("x\u{200b}");
/// assert_eq!(odd.to_string(), r#"["a\"]b"]["x\u200b"]"#);
/// assert_eq!(JsonPath::parse(&odd.to_string()), Some(odd));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct JsonPath(Vec<PathSegment>);

impl JsonPath {
    /// The document root.
    pub const fn root() -> Self {
        Self(Vec::new())
    }

    /// This path extended by an object key.
    #[must_use]
    pub fn key(mut self, key: impl Into<String>) -> Self {
        self.0.push(PathSegment::Key(key.into()));
        self
    }

    /// This path extended by an array index.
    #[must_use]
    pub fn index(mut self, index: usize) -> Self {
        self.0.push(PathSegment::Index(index));
        self
    }

    /// This path followed by `other`.
    #[must_use]
    pub fn join(mut self, other: &JsonPath) -> Self {
        self.0.extend(other.0.iter().cloned());
        self
    }

    /// The segments, from the root down.
    pub fn segments(&self) -> &[PathSegment] {
        &self.0
    }

    /// Whether this is the document root.
    pub fn is_root(&self) -> bool {
        self.0.is_empty()
    }

    /// Builds a path from segments.
    pub fn from_segments(segments: Vec<PathSegment>) -> Self {
        Self(segments)
    }

    /// The value at this path in `value`, if there is one.
    ///
    /// ```
    /// use ecs_model::JsonPath;
    /// let value = serde_json::json!({"a": [{"b": 2}]});
    /// assert_eq!(JsonPath::root().key("a").index(0).key("b").lookup(&value), Some(&serde_json::json!(2)));
    /// assert_eq!(JsonPath::root().key("x").lookup(&value), None);
    /// ```
    pub fn lookup<'v>(&self, value: &'v serde_json::Value) -> Option<&'v serde_json::Value> {
        self.0
            .iter()
            .try_fold(value, |value, segment| match segment {
                PathSegment::Key(key) => value.get(key),
                PathSegment::Index(index) => value.get(index),
            })
    }

    /// Parses the text form back (`a[1].b["x-y"]`); `None` when it is malformed.
    ///
    /// Bracketed keys are JSON strings, with JSON's escapes.
    pub fn parse(text: &str) -> Option<Self> {
        let mut segments = Vec::new();
        let mut rest = text;
        while !rest.is_empty() {
            if let Some(after) = rest.strip_prefix('[') {
                if after.starts_with('"') {
                    let end = json_string_end(after)?;
                    let key: String = serde_json::from_str(&after[..end]).ok()?;
                    segments.push(PathSegment::Key(key));
                    rest = after[end..].strip_prefix(']')?;
                } else {
                    let end = after.find(']')?;
                    let index = &after[..end];
                    if !index.bytes().all(|b| b.is_ascii_digit()) {
                        return None;
                    }
                    segments.push(PathSegment::Index(index.parse().ok()?));
                    rest = &after[end + 1..];
                }
            } else {
                let after = if segments.is_empty() {
                    rest
                } else {
                    rest.strip_prefix('.')?
                };
                let end = after.find(['.', '[']).unwrap_or(after.len());
                if end == 0 {
                    return None;
                }
                segments.push(PathSegment::Key(after[..end].to_owned()));
                rest = &after[end..];
            }
        }
        Some(Self(segments))
    }
}

/// The length of the JSON string literal at the start of `text` (which starts with `"`),
/// closing quote included; `None` when it is not closed.
fn json_string_end(text: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut i = 1;
    while i < bytes.len() {
        match bytes[i] {
            // An escape: the next byte is ASCII (`"`, `\`, `u`...), never the closing quote.
            b'\\' => i += 2,
            b'"' => return Some(i + 1),
            _ => i += 1,
        }
    }
    None
}

fn is_plain_key(key: &str) -> bool {
    !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$')
}

/// Whether `c` does not show when printed: written as a `\uXXXX` escape in a path.
fn is_invisible(c: char) -> bool {
    c.is_control()
        || (c.is_whitespace() && c != ' ')
        || matches!(
            c,
            '\u{ad}'
                | '\u{34f}'
                | '\u{61c}'
                | '\u{115f}'..='\u{1160}'
                | '\u{17b4}'..='\u{17b5}'
                | '\u{180b}'..='\u{180f}'
                | '\u{200b}'..='\u{200f}'
                | '\u{202a}'..='\u{202e}'
                | '\u{2060}'..='\u{206f}'
                | '\u{3164}'
                | '\u{fe00}'..='\u{fe0f}'
                | '\u{feff}'
                | '\u{ffa0}'
                | '\u{fff0}'..='\u{fffb}'
                | '\u{1d173}'..='\u{1d17a}'
                | '\u{e0000}'..='\u{e0fff}'
        )
}

/// Writes `key` as a JSON string literal: JSON's escapes for `"`, `\` and control characters
/// (as serde_json writes them), and `\uXXXX` for the other characters that do not show.
fn write_json_key(f: &mut fmt::Formatter<'_>, key: &str) -> fmt::Result {
    f.write_str("\"")?;
    for c in key.chars() {
        match c {
            '"' => f.write_str("\\\"")?,
            '\\' => f.write_str("\\\\")?,
            '\n' => f.write_str("\\n")?,
            '\r' => f.write_str("\\r")?,
            '\t' => f.write_str("\\t")?,
            '\u{8}' => f.write_str("\\b")?,
            '\u{c}' => f.write_str("\\f")?,
            c if is_invisible(c) => {
                let mut units = [0u16; 2];
                for unit in c.encode_utf16(&mut units) {
                    write!(f, "\\u{unit:04x}")?;
                }
            }
            c => write!(f, "{c}")?,
        }
    }
    f.write_str("\"")
}

impl fmt::Display for JsonPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, segment) in self.0.iter().enumerate() {
            match segment {
                PathSegment::Key(key) if is_plain_key(key) => {
                    if i > 0 {
                        f.write_str(".")?;
                    }
                    f.write_str(key)?;
                }
                PathSegment::Key(key) => {
                    f.write_str("[")?;
                    write_json_key(f, key)?;
                    f.write_str("]")?;
                }
                PathSegment::Index(index) => write!(f, "[{index}]")?,
            }
        }
        Ok(())
    }
}

impl Serialize for JsonPath {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for JsonPath {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Self::parse(&text)
            .ok_or_else(|| serde::de::Error::custom(format!("malformed JSON path `{text}`")))
    }
}

/// One problem found in a document: where, which rule, how bad, what and how to fix it.
///
/// `code` is stable: tools, docs, the macros' compile errors and the UI tests all use it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Diagnostic {
    /// Where the problem is, from the document root.
    pub path: JsonPath,
    /// The rule's stable code, such as `fargate-cpu-memory`.
    pub code: String,
    /// How bad it is.
    pub severity: Severity,
    /// What is wrong, in one sentence.
    pub message: String,
    /// How to fix it, when there is a clear way.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
    /// Line and column in the source text, when known (JSON syntax errors).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<Location>,
}

/// A position in the source text, counted from 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Location {
    /// Line, from 1.
    pub line: usize,
    /// Column, from 1.
    pub column: usize,
}

impl Diagnostic {
    /// A new diagnostic without a hint.
    pub fn new(
        severity: Severity,
        code: impl Into<String>,
        path: JsonPath,
        message: impl Into<String>,
    ) -> Self {
        Self {
            path,
            code: code.into(),
            severity,
            message: message.into(),
            hint: None,
            location: None,
        }
    }

    /// An error.
    pub fn error(code: impl Into<String>, path: JsonPath, message: impl Into<String>) -> Self {
        Self::new(Severity::Error, code, path, message)
    }

    /// A warning.
    pub fn warning(code: impl Into<String>, path: JsonPath, message: impl Into<String>) -> Self {
        Self::new(Severity::Warning, code, path, message)
    }

    /// This diagnostic with a hint.
    #[must_use]
    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// This diagnostic with its path moved under `prefix`.
    #[must_use]
    pub fn under(mut self, prefix: &JsonPath) -> Self {
        self.path = prefix.clone().join(&self.path);
        self
    }

    /// Whether this is an error.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}[{}]", self.severity, self.code)?;
        if !self.path.is_root() {
            write!(f, " at `{}`", self.path)?;
        }
        write!(f, ": {}", self.message)?;
        if let Some(hint) = &self.hint {
            write!(f, " (hint: {hint})")?;
        }
        Ok(())
    }
}

/// Whether any diagnostic in the list is an error.
pub fn has_errors(diagnostics: &[Diagnostic]) -> bool {
    diagnostics.iter().any(Diagnostic::is_error)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_display_and_parse_round_trip() {
        let path = JsonPath::root()
            .key("containerDefinitions")
            .index(1)
            .key("logConfiguration")
            .key("options")
            .key("awslogs-group");
        let text = path.to_string();
        assert_eq!(
            text,
            "containerDefinitions[1].logConfiguration.options[\"awslogs-group\"]"
        );
        assert_eq!(JsonPath::parse(&text), Some(path));
        assert_eq!(JsonPath::parse(""), Some(JsonPath::root()));
        assert_eq!(JsonPath::parse("a..b"), None);
    }

    /// Keys that are not plain identifiers, including ones the old Rust-debug escaping could
    /// not read back (`a"]b`, invisible characters).
    const ODD_KEYS: &[&str] = &[
        "a\"]b",
        "a\u{200b}b",
        "",
        "größe",
        "日本語",
        "emoji 🚀",
        "back\\slash",
        "new\nline\ttab\u{0}\u{1f}\u{7f}",
        "]",
        "[\"",
        ".",
        "\"",
        "\\",
        "\\\"]",
        "a.b[0]",
        "0",
        "nbsp\u{a0}",
        "bom\u{feff}",
        "tag\u{e0041}",
        "rtl\u{202e}x",
    ];

    #[test]
    fn odd_keys_display_as_json_strings_and_parse_back() {
        for key in ODD_KEYS {
            for path in [
                JsonPath::root().key(*key),
                JsonPath::root().key("options").key(*key).index(3).key(*key),
                JsonPath::root().index(0).key(*key).key("x"),
            ] {
                let text = path.to_string();
                assert_eq!(
                    JsonPath::parse(&text),
                    Some(path.clone()),
                    "{key:?}: {text}"
                );
            }
        }
        let text = |key: &str| JsonPath::root().key("o").key(key).to_string();
        assert_eq!(text("a\"]b"), r#"o["a\"]b"]"#);
        assert_eq!(text(""), r#"o[""]"#);
        assert_eq!(text("größe"), r#"o["größe"]"#);
        // Invisible characters are shown as escapes, as JSON allows.
        assert_eq!(text("a\u{200b}b"), r#"o["a\u200bb"]"#);
        assert_eq!(text("tag\u{e0041}"), r#"o["tag\udb40\udc41"]"#);
        assert_eq!(text("t\tn\n\u{1}"), r#"o["t\tn\n\u0001"]"#);
        // Every bracketed key is a JSON string literal.
        for key in ODD_KEYS.iter().filter(|key| !is_plain_key(key)) {
            let shown = JsonPath::root().key(*key).to_string();
            let literal = &shown[1..shown.len() - 1];
            let read: String = serde_json::from_str(literal).expect(literal);
            assert_eq!(read, *key);
        }
    }

    #[test]
    fn malformed_paths_do_not_parse() {
        for text in [
            "a..b",
            "a[",
            "a[\"x",
            "a[\"x\"",
            "a[\"x\"]b",
            "a[+1]",
            "a[]",
            "a[x]",
            "a[\"\\q\"]",
            ".a",
        ] {
            assert_eq!(JsonPath::parse(text), None, "{text}");
        }
    }

    #[test]
    fn diagnostics_round_trip_through_json() {
        for key in ODD_KEYS {
            let mut d = Diagnostic::warning(
                "unknown-field",
                JsonPath::root()
                    .key("containerDefinitions")
                    .index(1)
                    .key(*key),
                format!("`{key}` is odd"),
            )
            .with_hint("fix it");
            d.location = Some(Location { line: 3, column: 7 });
            let json = serde_json::to_string(&d).expect("serialize");
            let back: Diagnostic = serde_json::from_str(&json).expect(&json);
            assert_eq!(back, d, "{json}");
        }
        let plain = Diagnostic::error("x", JsonPath::root(), "root");
        let json = serde_json::to_value(&plain).expect("serialize");
        assert_eq!(
            json,
            serde_json::json!({"path": "", "code": "x", "severity": "error", "message": "root"})
        );
        assert_eq!(
            serde_json::from_value::<Diagnostic>(json).expect("deserialize"),
            plain
        );
    }

    #[test]
    fn display_names_code_path_and_hint() {
        let d = Diagnostic::error("x-y", JsonPath::root().key("cpu"), "bad").with_hint("fix");
        assert_eq!(d.to_string(), "error[x-y] at `cpu`: bad (hint: fix)");
    }
}
