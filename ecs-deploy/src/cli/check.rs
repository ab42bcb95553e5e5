//! `ecs-deploy validate`.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use ecs_model::{Document, Kind, Severity};

use super::Format;
use super::report::{FileReport, Style, write_json, write_text};

/// Loads and validates one file ([`ecs_model::file::check_file`]): the file's own problems
/// (`io-error`, `encoding`, `empty-file`), or the loader's diagnostics then the rule set's.
pub(super) fn check_file(path: &Path, kind: Option<Kind>, deny_unknown: bool) -> FileReport {
    load_file(path, kind, deny_unknown).0
}

/// [`check_file`], with the document when the file holds one (even one with errors: the
/// caller decides from the report whether to use it).
pub(super) fn load_file(
    path: &Path,
    kind: Option<Kind>,
    deny_unknown: bool,
) -> (FileReport, Option<Document>) {
    let checked = ecs_model::file::check_file(path, kind);
    let mut diagnostics = checked.diagnostics;
    if deny_unknown {
        for diagnostic in &mut diagnostics {
            if diagnostic.is_unknown_field() {
                diagnostic.severity = Severity::Error;
            }
        }
    }
    let report = FileReport {
        file: path.display().to_string(),
        kind: checked.value.as_ref().map(|d| d.kind()),
        diagnostics,
    };
    (report, checked.value)
}

pub(super) fn run(
    files: &[PathBuf],
    kind: Option<Kind>,
    format: Format,
    deny_unknown: bool,
) -> ExitCode {
    let reports: Vec<FileReport> = files
        .iter()
        .map(|file| check_file(file, kind, deny_unknown))
        .collect();
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let written = match format {
        Format::Json => write_json(&mut out, &reports),
        Format::Text => write_text(&mut out, &reports, Style::for_stdout()),
    };
    let _ = out.flush();
    if written.is_err() {
        return ExitCode::FAILURE;
    }
    if reports.iter().any(FileReport::has_errors) {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}
