//! `ecs-deploy render`.

use std::io::Write as _;
use std::path::Path;
use std::process::ExitCode;

use ecs_model::Kind;
use ecs_model::document::parse;

use super::report::{FileReport, Style, write_text};

pub(super) fn run(path: &Path, kind: Option<Kind>) -> ExitCode {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(err) => {
            eprintln!("error: cannot read {}: {err}", path.display());
            return ExitCode::FAILURE;
        }
    };
    let loaded = parse(&text, kind);
    let report = FileReport {
        file: path.display().to_string(),
        kind: loaded.value.as_ref().map(|d| d.kind()),
        diagnostics: loaded.diagnostics,
    };
    // The loader's findings go to stderr so that stdout stays the JSON. A document that loads
    // renders even with errors (a missing `family`, a value of the wrong type): nothing it holds
    // is lost, and `validate` is the command that judges it. Only text that is not a document
    // (bad syntax, an unknown kind) renders nothing.
    if !report.diagnostics.is_empty() {
        let stderr = std::io::stderr();
        let _ = write_text(
            &mut stderr.lock(),
            std::slice::from_ref(&report),
            Style::for_stderr(),
        );
    }
    let Some(document) = loaded.value else {
        eprintln!(
            "error: {} was not rendered: fix the errors above",
            path.display()
        );
        return ExitCode::FAILURE;
    };
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let written = serde_json::to_writer_pretty(&mut out, &document.render())
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
