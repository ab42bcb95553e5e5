//! `ecs-deploy validate`.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use ecs_model::{Kind, Severity};

use super::Format;
use super::report::{FileReport, Style, write_json, write_text};
use super::vars::{VarArgs, load_file};

/// Loads and validates one file with its variables replaced ([`super::vars::load_file`]): the
/// file's own problems (`io-error`, `encoding`, `empty-file`), or the variables' errors, the
/// loader's diagnostics then the rule set's.
pub(super) fn check_file(
    path: &Path,
    kind: Option<Kind>,
    deny_unknown: bool,
    vars: &VarArgs,
) -> FileReport {
    let (mut report, _) = load_file(path, kind, vars);
    if deny_unknown {
        for diagnostic in &mut report.diagnostics {
            if diagnostic.is_unknown_field() {
                diagnostic.severity = Severity::Error;
            }
        }
    }
    report
}

pub(super) fn run(
    files: &[PathBuf],
    kind: Option<Kind>,
    format: Format,
    deny_unknown: bool,
    vars: &VarArgs,
) -> ExitCode {
    let reports: Vec<FileReport> = files
        .iter()
        .map(|file| check_file(file, kind, deny_unknown, vars))
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
