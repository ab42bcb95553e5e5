//! `--var NAME=VALUE`: the values of `${NAME}` in a stack file ([`ecs_model::vars`]), and the
//! values of variables named like secrets kept out of what the CLI prints.
//!
//! A variable's value is taken from the last `--var NAME=...`, else from the process
//! environment. A variable whose name says it holds a secret (the plan's redaction test,
//! [`is_secret_name`]: PASSWORD, SECRET, TOKEN, KEY...) has its value replaced by
//! `(sensitive)` wherever the CLI prints something the file's values reach (a value shorter
//! than 4 characters only where it is a whole string): `render`'s output,
//! the diagnostics of `validate`, `render` and the deploy commands, and the plan that `plan` and
//! `apply` show (the members that change, the values kept, and the calls' inputs), in every
//! format. The calls sent to AWS hold the values, of course. Not covered: text that AWS itself
//! sends back (an error message quoting a value) and the progress lines of `apply`, which name
//! resources only.

use std::path::Path;
use std::sync::Mutex;

use ecs_deploy::redact::{SENSITIVE, is_secret_name};
use ecs_deploy::{Change, Plan};
use ecs_model::{Diagnostic, Document, Kind};
use serde_json::Value;

use super::report::FileReport;

/// `--var`, for every command that reads a stack file.
#[derive(Debug, Default, Clone, clap::Args)]
pub(super) struct VarArgs {
    /// Set a variable of the file: `${NAME}` and `${NAME:-default}` in its string values become
    /// VALUE (repeatable; wins over the environment, which is read for the others). Values of
    /// variables named like secrets (PASSWORD, SECRET, TOKEN, KEY...) print as (sensitive).
    #[arg(long = "var", value_name = "NAME=VALUE", value_parser = parse_var)]
    pub(super) vars: Vec<(String, String)>,
}

impl VarArgs {
    /// The value of variable `name`: its last `--var`, else the environment's.
    pub(super) fn lookup(&self, name: &str) -> Option<String> {
        self.vars
            .iter()
            .rev()
            .find(|(n, _)| n == name)
            .map(|(_, value)| value.clone())
            .or_else(|| std::env::var(name).ok())
    }
}

/// `--var NAME=VALUE`: NAME is letters, digits and `_`, not starting with a digit.
pub(super) fn parse_var(text: &str) -> Result<(String, String), String> {
    let Some((name, value)) = text.split_once('=') else {
        return Err(format!("`{text}` is not NAME=VALUE"));
    };
    let valid = name
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if !valid {
        return Err(format!(
            "`{name}` is not a variable name: letters, digits and _, not starting with a digit"
        ));
    }
    Ok((name.to_owned(), value.to_owned()))
}

/// Reads and checks a file with its variables replaced ([`ecs_model::vars::check_file`]):
/// the report (secret values scrubbed from its messages) and the document. The values of the
/// file's secret variables are remembered, for [`scrub_json`] and [`shown`].
pub(super) fn load_file(
    path: &Path,
    kind: Option<Kind>,
    vars: &VarArgs,
) -> (FileReport, Option<Document>) {
    let checked = ecs_model::vars::check_file(path, kind, &|name| vars.lookup(name));
    remember(checked.sensitive_values(is_secret_name));
    let mut diagnostics = checked.loaded.diagnostics;
    diagnostics.iter_mut().for_each(scrub_diagnostic);
    let report = FileReport {
        file: path.display().to_string(),
        kind: checked.loaded.value.as_ref().map(|d| d.kind()),
        diagnostics,
    };
    (report, checked.loaded.value)
}

/// Whether a report holds an error about the file's variables, with which nothing of the file
/// is used.
pub(super) fn has_variable_errors(report: &FileReport) -> bool {
    use ecs_model::vars::codes;
    report
        .diagnostics
        .iter()
        .any(|d| d.code == codes::UNSET_VARIABLE || d.code == codes::MALFORMED_VARIABLE)
}

/// The secret values met in the files this process read: a CLI process runs one command.
static SENSITIVE_VALUES: Mutex<Vec<String>> = Mutex::new(Vec::new());

/// Remembers secret values to scrub from what is printed.
pub(super) fn remember(values: Vec<String>) {
    if values.is_empty() {
        return;
    }
    let mut known = SENSITIVE_VALUES
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    known.extend(values);
    // Longest first, so that a value inside another is not replaced first.
    known.sort_by(|a, b| b.len().cmp(&a.len()).then_with(|| a.cmp(b)));
    known.dedup();
}

fn sensitive_values() -> Vec<String> {
    SENSITIVE_VALUES
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .clone()
}

/// Secret values shorter than this are replaced only where they are a whole string: a `2`
/// replaced inside every string would make the output unreadable (`nginx:1.(sensitive)7`).
const SHORTEST_REPLACED_INSIDE: usize = 4;

/// `text` with every secret value replaced by `(sensitive)`; `None` when it holds none.
fn scrub_text(text: &str, values: &[String]) -> Option<String> {
    let mut out = None::<String>;
    for value in values {
        let current = out.as_deref().unwrap_or(text);
        if current == value {
            return Some(SENSITIVE.to_owned());
        }
        if value.chars().count() >= SHORTEST_REPLACED_INSIDE && current.contains(value.as_str()) {
            out = Some(current.replace(value.as_str(), SENSITIVE));
        }
    }
    out
}

/// Replaces every secret value in the strings of `value`.
pub(super) fn scrub_json(value: &mut Value) {
    let values = sensitive_values();
    if !values.is_empty() {
        scrub_with(value, &values);
    }
}

fn scrub_with(value: &mut Value, values: &[String]) {
    match value {
        Value::String(text) => {
            if let Some(scrubbed) = scrub_text(text, values) {
                *text = scrubbed;
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|item| scrub_with(item, values)),
        Value::Object(members) => members
            .values_mut()
            .for_each(|member| scrub_with(member, values)),
        _ => {}
    }
}

/// Scrubs the secret values remembered from a diagnostic's message and hint.
pub(super) fn scrub_diagnostic(diagnostic: &mut Diagnostic) {
    let values = sensitive_values();
    for text in [Some(&mut diagnostic.message), diagnostic.hint.as_mut()]
        .into_iter()
        .flatten()
    {
        if let Some(scrubbed) = scrub_text(text, &values) {
            *text = scrubbed;
        }
    }
}

/// The plan as it is shown: [`Plan::redacted`], and the values of the file's secret variables
/// replaced wherever they are (the members that change, the values kept, the calls' inputs).
/// A call whose input no longer types once scrubbed is left out of the copy shown, as
/// [`Plan::redacted`] does.
pub(super) fn shown(plan: &Plan) -> Plan {
    let mut shown = plan.redacted();
    let values = sensitive_values();
    if values.is_empty() {
        return shown;
    }
    for change in &mut shown.changes {
        scrub_change(change, &values);
    }
    shown
}

fn scrub_change(change: &mut Change, values: &[String]) {
    for field in &mut change.fields {
        for value in [&mut field.before, &mut field.after].into_iter().flatten() {
            scrub_with(value, values);
        }
    }
    for kept in &mut change.kept {
        scrub_with(&mut kept.value, values);
    }
    let scrub_step = |step: &ecs_deploy::plan::Step| {
        let mut input = step.input();
        scrub_with(&mut input, values);
        ecs_deploy::plan::Step::from_json(step.operation(), &input).ok()
    };
    change.steps = change.steps.iter().filter_map(scrub_step).collect();
    change.rollback = change.rollback.as_ref().and_then(scrub_step);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn var_is_name_equals_value() {
        assert_eq!(
            parse_var("TAG=1.27=x"),
            Ok(("TAG".to_owned(), "1.27=x".to_owned()))
        );
        assert_eq!(parse_var("_A1="), Ok(("_A1".to_owned(), String::new())));
        for bad in ["TAG", "=x", "1A=x", "A-B=x", "A B=x"] {
            assert!(parse_var(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_last_var_wins_over_the_environment() {
        let args = VarArgs {
            vars: vec![
                ("PATH".into(), "first".into()),
                ("PATH".into(), "second".into()),
            ],
        };
        assert_eq!(args.lookup("PATH").as_deref(), Some("second"));
        assert_eq!(
            VarArgs::default().lookup("PATH"),
            std::env::var("PATH").ok()
        );
        assert_eq!(
            VarArgs::default().lookup("ECS_DEPLOY_NO_SUCH_VARIABLE_1"),
            None
        );
    }

    #[test]
    fn secret_values_are_scrubbed_longest_first() {
        let values = vec!["hunter2-long".to_owned(), "hunter2".to_owned()];
        let mut json = serde_json::json!({"image": "r/x:hunter2-long", "cmd": ["a hunter2 b", 5]});
        scrub_with(&mut json, &values);
        assert_eq!(
            json,
            serde_json::json!({"image": "r/x:(sensitive)", "cmd": ["a (sensitive) b", 5]})
        );
        assert_eq!(scrub_text("nothing", &values), None);
        // A short value is replaced where it is the whole string only.
        let short = vec!["42".to_owned()];
        assert_eq!(scrub_text("42", &short).as_deref(), Some(SENSITIVE));
        assert_eq!(scrub_text("nginx:1.42", &short), None);
    }
}
