//! Variables in JSON files: `${NAME}` and `${NAME:-default}` in string values, replaced before
//! the document is loaded and checked.
//!
//! A stack file (or a file of one task definition, service, cluster or capacity provider) may
//! take values from outside, such as the image tag a CI pipeline built:
//!
//! ```json
//! { "family": "web", "containerDefinitions": [ { "name": "web", "image": "nginx:${TAG:-1.27}" } ] }
//! ```
//!
//! - `${NAME}` is replaced by the variable's value; `${NAME:-default}` by its value, or by
//!   `default` when it is unset **or empty** (as a POSIX shell does). A name is letters, digits
//!   and `_`, not starting with a digit. The default is taken as written, up to the first `}`:
//!   it holds no reference of its own.
//! - `$${` is a literal `${` (`"$${HOME}"` stays `${HOME}` for the container's shell). Any other
//!   `$` is kept as it is.
//! - Only **string values** are read: object keys, numbers and booleans are left alone. A member
//!   whose value is a number is still written as a string holding one reference
//!   (`"desiredCount": "${COUNT}"`): the value replaces the string, and the loader reads the
//!   number it holds as it reads any number written as a string, without the `type-coerced`
//!   warning it gives a number typed in quotes (a JSON string is the only way to write a
//!   reference). A value that is no number is a `type-mismatch` error at that path.
//! - The values come from a look-up the caller gives ([`check_text`], [`check_file`],
//!   [`read_stack`]): the CLI looks in its `--var NAME=VALUE` options first, then in the
//!   process environment.
//! - Every variable without a value nor a default is reported at once, each at the JSON path of
//!   the string that names it, as an `unset-variable` error; a reference that is not one
//!   (`${`, `${}`, `${1X}`, `${A:B}`) is a `malformed-variable` error ([`codes`]). A file with
//!   either is not deployed.
//!
//! The rule set then judges the document with the values in place, with one exception: the
//! `secret-in-environment` lint judges an environment value that holds a reference as it is
//! written, before substitution. `"DB_PASSWORD": "${DB_PASSWORD}"` is the way to keep a secret
//! out of the file (the lint already takes a placeholder as no secret), so the value it brings
//! is not reported as a plain secret of the file; a default written in the file
//! (`${DB_PASSWORD:-hunter2}`) still is.
//!
//! Each replacement is recorded ([`Substitution`]) so that callers can keep secret values out
//! of what they print: [`Checked::sensitive_values`] gives the values of the variables a name
//! test says are secrets (the CLI uses `ecs_deploy::redact::is_secret_name`).

use std::path::Path;

use serde_json::Value;

use crate::diagnostic::{Diagnostic, JsonPath, has_errors};
use crate::document::{self, Document, Kind};
use crate::file::StackFileError;
use crate::load::{self, Loaded};
use crate::stack::Stack;

/// The codes of the diagnostics about variables. Stable, like the loader's and the rules'.
pub mod codes {
    /// A `${NAME}` without a value nor a default.
    pub const UNSET_VARIABLE: &str = "unset-variable";
    /// A `${` that does not start a reference: not closed, no name, a name that is not one, or
    /// another operator than `:-`.
    pub const MALFORMED_VARIABLE: &str = "malformed-variable";
}

/// The code of the lint that judges environment values as written, before substitution.
const SECRET_IN_ENVIRONMENT: &str = "secret-in-environment";

/// One reference replaced by a value.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Substitution {
    /// The variable's name.
    pub name: String,
    /// The JSON path of the string that held the reference.
    pub path: JsonPath,
    /// The value put in its place.
    pub value: String,
    /// Whether the value is the reference's default, the variable being unset or empty.
    pub from_default: bool,
    /// Whether the reference was the whole string.
    pub whole: bool,
}

/// A JSON value with its references replaced.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Substituted {
    /// The value: a reference that could not be replaced is left as written.
    pub value: Value,
    /// Every replacement, in document order.
    pub substitutions: Vec<Substitution>,
    /// The paths of the strings that held a `$${` escape.
    pub escaped: Vec<JsonPath>,
    /// The `unset-variable` and `malformed-variable` errors.
    pub diagnostics: Vec<Diagnostic>,
}

/// Replaces the references in every string value of `value`, looking the variables up with
/// `lookup` (see the [module](self) for the syntax).
///
/// ```
/// use ecs_model::vars::substitute;
/// let file = serde_json::json!({"image": "nginx:${TAG}", "cpu": "${CPU:-256}", "cmd": "echo $${HOME}"});
/// let done = substitute(&file, &|name| (name == "TAG").then(|| "1.27".to_owned()));
/// assert!(done.diagnostics.is_empty());
/// assert_eq!(done.value, serde_json::json!({"image": "nginx:1.27", "cpu": "256", "cmd": "echo ${HOME}"}));
///
/// let unset = substitute(&file, &|_| None);
/// assert_eq!(unset.diagnostics[0].code, "unset-variable");
/// assert_eq!(unset.diagnostics[0].path.to_string(), "image");
/// ```
pub fn substitute(value: &Value, lookup: &dyn Fn(&str) -> Option<String>) -> Substituted {
    let mut out = Substituted {
        value: value.clone(),
        substitutions: Vec::new(),
        escaped: Vec::new(),
        diagnostics: Vec::new(),
    };
    let mut value = std::mem::take(&mut out.value);
    walk(&mut value, &JsonPath::root(), lookup, &mut out);
    out.value = value;
    out
}

fn walk(
    value: &mut Value,
    path: &JsonPath,
    lookup: &dyn Fn(&str) -> Option<String>,
    out: &mut Substituted,
) {
    match value {
        Value::String(text) => {
            if let Some(replaced) = expand(text, path, lookup, out) {
                *text = replaced;
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter_mut().enumerate() {
                walk(item, &path.clone().index(i), lookup, out);
            }
        }
        Value::Object(members) => {
            for (key, member) in members.iter_mut() {
                walk(member, &path.clone().key(key.as_str()), lookup, out);
            }
        }
        _ => {}
    }
}

/// A part of a string.
#[derive(Debug, PartialEq, Eq)]
enum Piece<'t> {
    /// Text kept as written.
    Text(&'t str),
    /// `$${`, which stands for `${`.
    Escape,
    /// `${NAME}` or `${NAME:-default}`.
    Reference {
        name: &'t str,
        default: Option<&'t str>,
        written: &'t str,
    },
    /// A `${` that starts no reference, with what is wrong.
    Malformed { written: &'t str, problem: String },
}

/// The pieces of `text`.
fn pieces(text: &str) -> Vec<Piece<'_>> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(at) = rest.find('$') {
        let (before, from) = rest.split_at(at);
        if !before.is_empty() {
            out.push(Piece::Text(before));
        }
        if let Some(after) = from.strip_prefix("$${") {
            out.push(Piece::Escape);
            rest = after;
        } else if let Some(after) = from.strip_prefix("${") {
            let Some(close) = after.find('}') else {
                out.push(Piece::Malformed {
                    written: from,
                    problem: "`${` is not closed by a `}`".to_owned(),
                });
                return out;
            };
            let inner = &after[..close];
            let written = &from[..close + 3];
            out.push(reference(inner, written));
            rest = &after[close + 1..];
        } else {
            out.push(Piece::Text("$"));
            rest = &from[1..];
        }
    }
    if !rest.is_empty() {
        out.push(Piece::Text(rest));
    }
    out
}

/// The reference `written`, whose text between `${` and `}` is `inner`.
fn reference<'t>(inner: &'t str, written: &'t str) -> Piece<'t> {
    let (name, default) = match inner.split_once(":-") {
        Some((name, default)) => (name, Some(default)),
        None => (inner, None),
    };
    let problem = if name.is_empty() {
        Some("it names no variable".to_owned())
    } else if let Some(c) = name
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || *c == '_'))
    {
        Some(if c == ':' {
            "the only operator is `:-` (`${NAME:-default}`)".to_owned()
        } else {
            format!("`{name}` is not a variable name: it holds `{c}`")
        })
    } else if name.starts_with(|c: char| c.is_ascii_digit()) {
        Some(format!(
            "`{name}` is not a variable name: it starts with a digit"
        ))
    } else if default.is_some_and(|d| d.contains("${")) {
        Some("a default holds no reference of its own".to_owned())
    } else {
        None
    };
    match problem {
        Some(problem) => Piece::Malformed { written, problem },
        None => Piece::Reference {
            name,
            default,
            written,
        },
    }
}

/// The string with its references replaced, or `None` when it has nothing to replace or a
/// reference could not be (the string is then kept as written, and the error recorded).
fn expand(
    text: &str,
    path: &JsonPath,
    lookup: &dyn Fn(&str) -> Option<String>,
    out: &mut Substituted,
) -> Option<String> {
    if !text.contains('$') {
        return None;
    }
    let pieces = pieces(text);
    let whole = matches!(pieces.as_slice(), [Piece::Reference { .. }]);
    let mut result = String::with_capacity(text.len());
    let mut failed = false;
    let mut changed = false;
    for piece in &pieces {
        match piece {
            Piece::Text(text) => result.push_str(text),
            Piece::Escape => {
                result.push_str("${");
                changed = true;
                if out.escaped.last() != Some(path) {
                    out.escaped.push(path.clone());
                }
            }
            Piece::Reference {
                name,
                default,
                written,
            } => {
                let found = lookup(name);
                let (value, from_default) = match (found, default) {
                    (Some(value), Some(default)) if value.is_empty() => {
                        ((*default).to_owned(), true)
                    }
                    (Some(value), _) => (value, false),
                    (None, Some(default)) => ((*default).to_owned(), true),
                    (None, None) => {
                        failed = true;
                        out.diagnostics.push(
                            Diagnostic::error(
                                codes::UNSET_VARIABLE,
                                path.clone(),
                                format!("`{written}`: the variable {name} is not set"),
                            )
                            .with_hint(format!(
                                "pass --var {name}=VALUE or set {name} in the environment (or \
                                 write a default: ${{{name}:-VALUE}})"
                            )),
                        );
                        continue;
                    }
                };
                result.push_str(&value);
                changed = true;
                out.substitutions.push(Substitution {
                    name: (*name).to_owned(),
                    path: path.clone(),
                    value,
                    from_default,
                    whole,
                });
            }
            Piece::Malformed { written, problem } => {
                failed = true;
                out.diagnostics.push(
                    Diagnostic::error(
                        codes::MALFORMED_VARIABLE,
                        path.clone(),
                        format!("`{written}` is not a variable reference: {problem}"),
                    )
                    .with_hint(
                        "write ${NAME} or ${NAME:-default} (NAME: letters, digits and _, not \
                         starting with a digit); write $${ for a literal ${",
                    ),
                );
            }
        }
    }
    (changed && !failed).then_some(result)
}

/// A document checked with its variables replaced.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Checked {
    /// The document and every diagnostic: the variables' errors, the loader's and the rule
    /// set's, as [`document::check`] gives them. With a variable's error the document is still
    /// there (its references left as written), for the other diagnostics; do not deploy it.
    pub loaded: Loaded<Document>,
    /// Every replacement made.
    pub substitutions: Vec<Substitution>,
}

impl Checked {
    /// The values put in place of the variables whose name `is_secret` says hold secrets,
    /// longest first, without empty ones: what to keep out of anything printed.
    pub fn sensitive_values(&self, is_secret: impl Fn(&str) -> bool) -> Vec<String> {
        let mut values: Vec<String> = self
            .substitutions
            .iter()
            .filter(|s| !s.value.is_empty() && is_secret(&s.name))
            .map(|s| s.value.clone())
            .collect();
        values.sort_by(|a, b| b.len().cmp(&a.len()).then_with(|| a.cmp(b)));
        values.dedup();
        values
    }
}

/// Parses `text`, replaces its references through `lookup`, then loads and checks the
/// document as [`document::check`] does (see the [module](self) for what changes).
///
/// ```
/// use ecs_model::vars::check_text;
/// let text = r#"{"family": "web", "containerDefinitions": [
///     {"name": "web", "image": "nginx:${TAG}", "memory": 64}]}"#;
/// let checked = check_text(text, None, &|_| Some("1.27".to_owned()));
/// assert!(checked.loaded.diagnostics.is_empty(), "{:?}", checked.loaded.diagnostics);
/// assert_eq!(checked.substitutions[0].path.to_string(), "containerDefinitions[0].image");
///
/// let unset = check_text(text, None, &|_| None);
/// let errors: Vec<String> = unset.loaded.diagnostics.iter().map(|d| d.code.clone()).collect();
/// assert_eq!(errors, ["unset-variable"]);
/// ```
pub fn check_text(
    text: &str,
    kind: Option<Kind>,
    lookup: &dyn Fn(&str) -> Option<String>,
) -> Checked {
    read_text(text, kind, lookup, true)
}

/// Parses `text`, replaces its references through `lookup`, then loads the document as
/// [`document::parse`] does, without the rule set: what `ecs-deploy render` shows.
pub fn parse_text(
    text: &str,
    kind: Option<Kind>,
    lookup: &dyn Fn(&str) -> Option<String>,
) -> Checked {
    read_text(text, kind, lookup, false)
}

fn read_text(
    text: &str,
    kind: Option<Kind>,
    lookup: &dyn Fn(&str) -> Option<String>,
    judged: bool,
) -> Checked {
    let (original, duplicates) = match document::parse_value(text) {
        Ok(parsed) => parsed,
        Err(syntax) => {
            return Checked {
                loaded: Loaded {
                    value: None,
                    diagnostics: vec![*syntax],
                },
                substitutions: Vec::new(),
            };
        }
    };
    let substituted = substitute(&original, lookup);
    let mut loaded = document::load_with(&substituted.value, kind, duplicates);
    if judged {
        document::judge(&mut loaded);
    }
    settle(&mut loaded, &substituted, judged.then_some(&original), kind);
    Checked {
        loaded,
        substitutions: substituted.substitutions,
    }
}

/// Adjusts the diagnostics of the substituted document: its variables' errors first, and no
/// other diagnostic about a string they left as written; no `type-coerced` warning where a whole reference stood, no `template-placeholder` warning
/// where an escape or a variable's value wrote `${`, and the `secret-in-environment` lint of
/// the values that held a reference judged on the document as written.
fn settle(
    loaded: &mut Loaded<Document>,
    substituted: &Substituted,
    original: Option<&Value>,
    kind: Option<Kind>,
) {
    let substituted_at =
        |path: &JsonPath| substituted.substitutions.iter().any(|s| s.path == *path);
    let whole_at = |path: &JsonPath| {
        substituted
            .substitutions
            .iter()
            .any(|s| s.whole && s.path == *path)
    };
    let unreplaced: Vec<&JsonPath> = substituted.diagnostics.iter().map(|d| &d.path).collect();
    loaded.diagnostics.retain(|d| match d.code.as_str() {
        // A string left as written is not the value meant: what is said of it is noise.
        _ if unreplaced.contains(&&d.path) => false,
        load::codes::TYPE_COERCED => !whole_at(&d.path),
        document::codes::TEMPLATE_PLACEHOLDER => {
            !(substituted_at(&d.path) || substituted.escaped.contains(&d.path))
        }
        SECRET_IN_ENVIRONMENT => !substituted_at(&d.path),
        _ => true,
    });
    if let Some(original) = original.filter(|_| !substituted.substitutions.is_empty()) {
        let mut as_written = document::load(original, kind);
        document::judge(&mut as_written);
        loaded.diagnostics.extend(
            as_written
                .diagnostics
                .into_iter()
                .filter(|d| d.code == SECRET_IN_ENVIRONMENT && substituted_at(&d.path)),
        );
    }
    loaded
        .diagnostics
        .splice(0..0, substituted.diagnostics.iter().cloned());
}

/// Reads a file as [`crate::file::check_file`] does, with its references replaced through
/// `lookup` ([`check_text`]).
pub fn check_file(
    path: impl AsRef<Path>,
    kind: Option<Kind>,
    lookup: &dyn Fn(&str) -> Option<String>,
) -> Checked {
    match crate::file::read_text(path) {
        Ok(text) => check_text(&text, kind, lookup),
        Err(err) => Checked {
            loaded: Loaded {
                value: None,
                diagnostics: vec![err.diagnostic()],
            },
            substitutions: Vec::new(),
        },
    }
}

/// Reads a stack file (or a single resource's, as a stack of one) as
/// [`crate::file::read_stack`] does, with its references replaced through `lookup`; with the
/// replacements made, to keep secret values out of what is printed.
///
/// ```no_run
/// # fn run() -> Result<(), ecs_model::file::StackFileError> {
/// let (stack, _) = ecs_model::vars::read_stack("stack.json", &|name| std::env::var(name).ok())?;
/// println!("{} services", stack.services.len());
/// # Ok(())
/// # }
/// ```
pub fn read_stack(
    path: impl AsRef<Path>,
    lookup: &dyn Fn(&str) -> Option<String>,
) -> Result<(Stack, Vec<Substitution>), StackFileError> {
    let path = path.as_ref();
    let checked = check_file(path, None, lookup);
    match checked.loaded.value {
        Some(document) if !has_errors(&checked.loaded.diagnostics) => {
            Ok((document.to_stack(), checked.substitutions))
        }
        _ => Err(StackFileError {
            path: path.to_owned(),
            diagnostics: checked.loaded.diagnostics,
        }),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn vars<'a>(pairs: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |name| {
            pairs
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| (*v).to_owned())
        }
    }

    fn codes(diagnostics: &[Diagnostic]) -> Vec<(String, String)> {
        diagnostics
            .iter()
            .map(|d| (d.code.clone(), d.path.to_string()))
            .collect()
    }

    #[test]
    fn references_defaults_and_escapes() {
        let lookup = vars(&[("TAG", "1.27"), ("EMPTY", ""), ("ENV", "prod")]);
        let file = json!({
            "a": "nginx:${TAG}",
            "b": "${MISSING:-fallback}",
            "c": "${EMPTY:-used when empty}",
            "d": "$${HOME}/x and $$ and $ alone and ${ENV}-${TAG}",
            "e": ["${ENV}", 5, true, null, {"${ENV}": "key kept"}],
            "f": "${EMPTY}",
        });
        let done = substitute(&file, &lookup);
        assert!(done.diagnostics.is_empty(), "{:?}", done.diagnostics);
        assert_eq!(
            done.value,
            json!({
                "a": "nginx:1.27",
                "b": "fallback",
                "c": "used when empty",
                "d": "${HOME}/x and $$ and $ alone and prod-1.27",
                "e": ["prod", 5, true, null, {"${ENV}": "key kept"}],
                "f": "",
            })
        );
        let made: Vec<(String, String, bool, bool)> = done
            .substitutions
            .iter()
            .map(|s| (s.name.clone(), s.path.to_string(), s.from_default, s.whole))
            .collect();
        assert_eq!(
            made,
            [
                ("TAG".into(), "a".into(), false, false),
                ("MISSING".into(), "b".into(), true, true),
                ("EMPTY".into(), "c".into(), true, true),
                ("ENV".into(), "d".into(), false, false),
                ("TAG".into(), "d".into(), false, false),
                ("ENV".into(), "e[0]".into(), false, true),
                ("EMPTY".into(), "f".into(), false, true),
            ]
        );
        assert_eq!(
            done.escaped
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>(),
            ["d"]
        );
    }

    #[test]
    fn every_unset_variable_is_reported_with_its_path() {
        let file = json!({
            "containerDefinitions": [
                {"image": "${REGISTRY}/web:${TAG}", "command": ["${CMD}"]},
                {"image": "busybox:${TAG:-latest}"}
            ]
        });
        let done = substitute(&file, &|_| None);
        let mut found = codes(&done.diagnostics);
        found.sort();
        assert_eq!(
            found,
            [
                (
                    "unset-variable".into(),
                    "containerDefinitions[0].command[0]".into()
                ),
                (
                    "unset-variable".into(),
                    "containerDefinitions[0].image".into()
                ),
                (
                    "unset-variable".into(),
                    "containerDefinitions[0].image".into()
                ),
            ]
        );
        let first = done
            .diagnostics
            .iter()
            .find(|d| d.message.contains("CMD"))
            .expect("CMD reported");
        assert_eq!(
            first.hint.as_deref(),
            Some(
                "pass --var CMD=VALUE or set CMD in the environment (or write a default: \
                 ${CMD:-VALUE})"
            )
        );
        // A string with an unset variable is kept as written; the others are replaced.
        assert_eq!(
            done.value["containerDefinitions"][0]["image"],
            "${REGISTRY}/web:${TAG}"
        );
        assert_eq!(
            done.value["containerDefinitions"][1]["image"],
            "busybox:latest"
        );
    }

    #[test]
    fn malformed_references_are_errors() {
        for (text, problem) in [
            ("${", "not closed"),
            ("x ${TAG", "not closed"),
            ("${}", "names no variable"),
            ("${1X}", "starts with a digit"),
            ("${A-B}", "holds `-`"),
            ("${A:B}", "the only operator is `:-`"),
            ("${A:-${B}}", "no reference of its own"),
        ] {
            let done = substitute(&json!({ "v": text }), &|_| Some("x".into()));
            assert_eq!(done.diagnostics.len(), 1, "{text}: {:?}", done.diagnostics);
            let d = &done.diagnostics[0];
            assert_eq!(d.code, codes::MALFORMED_VARIABLE, "{text}");
            assert_eq!(d.path.to_string(), "v");
            assert!(d.message.contains(problem), "{text}: {}", d.message);
            assert_eq!(done.value["v"], text, "kept as written");
        }
    }

    const TD: &str = r#"{"family": "web", "containerDefinitions": [{
        "name": "web", "image": "nginx:${TAG:-1.27}", "memory": "${MEMORY}",
        "environment": [
            {"name": "DB_PASSWORD", "value": "${DB_PASSWORD}"},
            {"name": "API_TOKEN", "value": "${API_TOKEN:-tok-in-the-file}"},
            {"name": "GREETING", "value": "$${NAME}"}
        ]}]}"#;

    #[test]
    fn a_checked_file_has_its_values_and_the_lints_judge_what_is_written() {
        let lookup = vars(&[("MEMORY", "512"), ("DB_PASSWORD", "hunter2")]);
        let checked = check_text(TD, None, &lookup);
        let Some(Document::TaskDefinitionInput(td)) = &checked.loaded.value else {
            panic!("a task definition: {:?}", checked.loaded.diagnostics)
        };
        let container = &td.container_definitions.as_deref().unwrap_or_default()[0];
        assert_eq!(container.image.as_deref(), Some("nginx:1.27"));
        // A number written as one reference is read as the number, without `type-coerced`.
        assert_eq!(container.memory, Some(512));
        let environment = container.environment.as_deref().unwrap_or_default();
        assert_eq!(environment[0].value.as_deref(), Some("hunter2"));
        assert_eq!(environment[2].value.as_deref(), Some("${NAME}"));
        // The password came from a variable: no lint. The token's default is in the file: the
        // lint. The escape is meant: no template-placeholder warning.
        assert_eq!(
            codes(&checked.loaded.diagnostics),
            [(
                "secret-in-environment".into(),
                "containerDefinitions[0].environment[1].value".into()
            )]
        );
        assert_eq!(
            checked.sensitive_values(|name| name.contains("PASSWORD") || name.contains("TOKEN")),
            ["tok-in-the-file", "hunter2"]
        );
    }

    #[test]
    fn a_value_that_is_no_number_is_a_type_mismatch_and_unset_ones_stop_the_file() {
        let checked = check_text(TD, None, &vars(&[("MEMORY", "lots")]));
        let found = codes(&checked.loaded.diagnostics);
        assert_eq!(
            found[0],
            (
                "unset-variable".into(),
                "containerDefinitions[0].environment[0].value".into()
            )
        );
        assert!(
            found.contains(&(
                "type-mismatch".into(),
                "containerDefinitions[0].memory".into()
            )),
            "{found:?}"
        );
        assert!(
            !found.iter().any(|(code, _)| code == "template-placeholder"),
            "the unset reference is reported once: {found:?}"
        );
    }

    #[test]
    fn the_codes_this_module_names_exist() {
        assert!(crate::validate::rule(SECRET_IN_ENVIRONMENT).is_some());
    }

    #[test]
    fn a_stack_file_reads_with_its_variables() {
        let path = std::env::temp_dir().join(format!("ecs-model-vars-{}.json", std::process::id()));
        std::fs::write(
            &path,
            r#"{"name": "${STACK:-shop}", "clusters": [{"clusterName": "${CLUSTER}"}]}"#,
        )
        .expect("written");
        let read = read_stack(&path, &vars(&[("CLUSTER", "demo")]));
        let unset = read_stack(&path, &|_| None);
        let _ = std::fs::remove_file(&path);
        let (stack, made) = read.expect("a stack");
        assert_eq!(stack.name.as_deref(), Some("shop"));
        assert_eq!(stack.clusters[0].cluster_name.as_deref(), Some("demo"));
        assert_eq!(made.len(), 2);
        let err = unset.expect_err("unset");
        assert_eq!(
            codes(&err.diagnostics),
            [("unset-variable".into(), "clusters[0].clusterName".into())]
        );
    }
}
