//! `ecs-deploy render`.

use std::io::Write as _;
use std::path::Path;
use std::process::ExitCode;

use ecs_deploy::redact::is_secret_name;
use ecs_model::Kind;
use ecs_model::vars::parse_text;

use super::report::{FileReport, write_stderr};
use super::vars::{VarArgs, has_variable_errors, remember, scrub_diagnostic, scrub_json};

/// Renders the file with its variables replaced (`--var`, then the environment); the values of
/// variables named like secrets print as `(sensitive)`.
pub(super) fn run(path: &Path, kind: Option<Kind>, vars: &VarArgs) -> ExitCode {
    // The file is read as `validate` reads it, and its problems are reported the same way (an
    // empty file or one in another encoding is a diagnostic, not a bare I/O error), on stderr
    // so that stdout stays the JSON.
    let text = match ecs_model::file::read_text(path) {
        Ok(text) => text,
        Err(err) => return not_rendered(&FileReport::unread(path, err.diagnostic())),
    };
    let checked = parse_text(&text, kind, &|name| vars.lookup(name));
    remember(checked.sensitive_values(is_secret_name));
    let loaded = checked.loaded;
    let mut report = FileReport {
        file: path.display().to_string(),
        kind: loaded.value.as_ref().map(|d| d.kind()),
        diagnostics: loaded.diagnostics,
    };
    report.diagnostics.iter_mut().for_each(scrub_diagnostic);
    // A document that loads renders even with errors (a missing `family`, a value of the wrong
    // type): nothing it holds is lost, and `validate` is the command that judges it. Only text
    // that is not a document (bad syntax, an unknown kind), or a variable without a value,
    // renders nothing.
    let Some(document) = loaded.value.filter(|_| !has_variable_errors(&report)) else {
        return not_rendered(&report);
    };
    if !report.diagnostics.is_empty() {
        write_stderr(&report);
    }
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let mut rendered = document.render();
    scrub_json(&mut rendered);
    let written = serde_json::to_writer_pretty(&mut out, &rendered)
        .map_err(std::io::Error::from)
        .and_then(|()| writeln!(out));
    match written {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: cannot write the output: {err}");
            ExitCode::FAILURE
        }
    }
}

fn not_rendered(report: &FileReport) -> ExitCode {
    write_stderr(report);
    eprintln!(
        "error: {} was not rendered: fix the errors above",
        report.file
    );
    ExitCode::FAILURE
}
