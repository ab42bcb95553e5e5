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
/// The document root is the empty path. Keys that are not plain identifiers are quoted:
/// `logConfiguration.options["awslogs-group"]`.
///
/// ```
/// use ecs_model::JsonPath;
/// let path = JsonPath::root().key("containerDefinitions").index(1).key("image");
/// assert_eq!(path.to_string(), "containerDefinitions[1].image");
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

    /// Parses the text form back (`a[1].b["x-y"]`); `None` when it is malformed.
    pub fn parse(text: &str) -> Option<Self> {
        let mut segments = Vec::new();
        let mut rest = text;
        while !rest.is_empty() {
            if let Some(after) = rest.strip_prefix("[\"") {
                let end = after.find("\"]")?;
                segments.push(PathSegment::Key(after[..end].to_owned()));
                rest = &after[end + 2..];
            } else if let Some(after) = rest.strip_prefix('[') {
                let end = after.find(']')?;
                segments.push(PathSegment::Index(after[..end].parse().ok()?));
                rest = &after[end + 1..];
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

fn is_plain_key(key: &str) -> bool {
    !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$')
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
                PathSegment::Key(key) => write!(f, "[{key:?}]")?,
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

    #[test]
    fn display_names_code_path_and_hint() {
        let d = Diagnostic::error("x-y", JsonPath::root().key("cpu"), "bad").with_hint("fix");
        assert_eq!(d.to_string(), "error[x-y] at `cpu`: bad (hint: fix)");
    }
}
