//! Diagnostics for people (compiler-style text) and for machines (JSON).

use std::io::{self, IsTerminal as _, Write};
use std::path::Path;

use ecs_model::{Diagnostic, Kind, Severity};
use serde::Serialize;

/// What one file produced.
pub(super) struct FileReport {
    pub(super) file: String,
    pub(super) kind: Option<Kind>,
    pub(super) diagnostics: Vec<Diagnostic>,
}

impl FileReport {
    /// The report on a file that could not be read as text.
    pub(super) fn unread(path: &Path, diagnostic: Diagnostic) -> Self {
        Self {
            file: path.display().to_string(),
            kind: None,
            diagnostics: vec![diagnostic],
        }
    }

    pub(super) fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }

    fn count(&self, severity: Severity) -> usize {
        self.diagnostics
            .iter()
            .filter(|d| d.severity == severity)
            .count()
    }
}

/// Whether to color the text.
#[derive(Debug, Clone, Copy)]
pub(super) struct Style {
    color: bool,
}

impl Style {
    fn detect(is_terminal: bool) -> Self {
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        Self {
            color: is_terminal && !no_color,
        }
    }

    pub(super) fn for_stdout() -> Self {
        Self::detect(io::stdout().is_terminal())
    }

    pub(super) fn for_stderr() -> Self {
        Self::detect(io::stderr().is_terminal())
    }

    /// No color, whatever the terminal: for tests, and for output that is not for a terminal
    /// (`plan --format markdown`).
    pub(super) fn plain() -> Self {
        Self { color: false }
    }

    /// `text` in the SGR color `code` (`"32"` green, `"1;31"` bold red...) when coloring.
    pub(super) fn paint(self, code: &str, text: &str) -> String {
        if self.color {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_owned()
        }
    }

    fn severity(self, severity: Severity) -> String {
        let code = match severity {
            Severity::Error => "1;31",
            Severity::Warning => "1;33",
            _ => "1;36",
        };
        self.paint(code, severity.as_str())
    }
}

/// Writes the reports like a compiler: each diagnostic, then one summary line per file, then a
/// total when there are several files.
///
/// ```text
/// error[fargate-cpu-memory]: 4096 MiB of memory does not go with 256 CPU units on Fargate
///   --> task.json: memory
///    = hint: with 256 CPU units, use memory 512, 1024, 2048 MiB
///
/// invalid: task.json (task-definition): 1 error, 0 warnings
/// ok: service.json (service): 0 errors, 0 warnings
///
/// checked 2 files: 1 ok, 1 invalid; 1 error, 0 warnings in all
/// ```
pub(super) fn write_text(
    out: &mut impl Write,
    reports: &[FileReport],
    style: Style,
) -> io::Result<()> {
    for report in reports {
        for d in &report.diagnostics {
            writeln!(
                out,
                "{}{}: {}",
                style.severity(d.severity),
                style.paint("1", &format!("[{}]", d.code)),
                d.message
            )?;
            let arrow = style.paint("1;34", "-->");
            match (&d.location, d.path.is_root()) {
                (Some(at), _) => {
                    writeln!(out, "  {arrow} {}:{}:{}", report.file, at.line, at.column)?
                }
                (None, true) => writeln!(out, "  {arrow} {}", report.file)?,
                (None, false) => writeln!(out, "  {arrow} {}: {}", report.file, d.path)?,
            }
            if let Some(hint) = &d.hint {
                writeln!(out, "   {} {hint}", style.paint("1;34", "= hint:"))?;
            }
            writeln!(out)?;
        }
        let errors = report.count(Severity::Error);
        let warnings = report.count(Severity::Warning);
        let kind = report.kind.map(|k| format!(" ({k})")).unwrap_or_default();
        let verdict = if errors > 0 {
            style.paint("1;31", "invalid")
        } else {
            style.paint("1;32", "ok")
        };
        writeln!(
            out,
            "{verdict}: {}{kind}: {}",
            report.file,
            counts(errors, warnings)
        )?;
    }
    if reports.len() > 1 {
        let invalid = reports.iter().filter(|r| r.has_errors()).count();
        let errors: usize = reports.iter().map(|r| r.count(Severity::Error)).sum();
        let warnings: usize = reports.iter().map(|r| r.count(Severity::Warning)).sum();
        writeln!(
            out,
            "\nchecked {} files: {} ok, {invalid} invalid; {} in all",
            reports.len(),
            reports.len() - invalid,
            counts(errors, warnings)
        )?;
    }
    Ok(())
}

/// [`write_text`] of one report on stderr, colored when stderr is a terminal.
pub(super) fn write_stderr(report: &FileReport) {
    let stderr = io::stderr();
    let _ = write_text(
        &mut stderr.lock(),
        std::slice::from_ref(report),
        Style::for_stderr(),
    );
}

fn counts(errors: usize, warnings: usize) -> String {
    format!(
        "{errors} error{}, {warnings} warning{}",
        plural(errors),
        plural(warnings)
    )
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

#[derive(Serialize)]
struct JsonDiagnostic<'a> {
    file: &'a str,
    path: String,
    code: &'a str,
    severity: Severity,
    message: &'a str,
    hint: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    line: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    column: Option<usize>,
}

/// Writes one JSON array of `{"file","path","code","severity","message","hint"}` objects
/// (`line` and `column` too for syntax errors).
pub(super) fn write_json(out: &mut impl Write, reports: &[FileReport]) -> io::Result<()> {
    let rows: Vec<JsonDiagnostic<'_>> = reports
        .iter()
        .flat_map(|report| {
            report.diagnostics.iter().map(|d| JsonDiagnostic {
                file: &report.file,
                path: d.path.to_string(),
                code: &d.code,
                severity: d.severity,
                message: &d.message,
                hint: d.hint.as_deref(),
                line: d.location.map(|l| l.line),
                column: d.location.map(|l| l.column),
            })
        })
        .collect();
    serde_json::to_writer_pretty(&mut *out, &rows)?;
    writeln!(out)
}

#[cfg(test)]
mod tests {
    use ecs_model::JsonPath;

    use super::*;

    fn report(file: &str, diagnostics: Vec<Diagnostic>) -> FileReport {
        FileReport {
            file: file.to_owned(),
            kind: Some(Kind::TaskDefinition),
            diagnostics,
        }
    }

    fn text(reports: &[FileReport]) -> String {
        let mut out = Vec::new();
        write_text(&mut out, reports, Style { color: false }).expect("written");
        String::from_utf8(out).expect("utf8")
    }

    #[test]
    fn one_file_gets_its_summary_and_no_total() {
        let error = Diagnostic::error("some-rule", JsonPath::root().key("memory"), "too much")
            .with_hint("use less");
        assert_eq!(
            text(&[report("a.json", vec![error])]),
            "error[some-rule]: too much\n  --> a.json: memory\n   = hint: use less\n\n\
             invalid: a.json (task-definition): 1 error, 0 warnings\n"
        );
    }

    #[test]
    fn several_files_get_a_total() {
        let warning = Diagnostic::warning("some-rule", JsonPath::root(), "odd");
        assert_eq!(
            text(&[report("a.json", vec![]), report("b.json", vec![warning])]),
            "ok: a.json (task-definition): 0 errors, 0 warnings\n\
             warning[some-rule]: odd\n  --> b.json\n\n\
             ok: b.json (task-definition): 0 errors, 1 warning\n\
             \nchecked 2 files: 2 ok, 0 invalid; 0 errors, 1 warning in all\n"
        );
    }

    #[test]
    fn no_diagnostics_is_an_empty_json_array() {
        let mut out = Vec::new();
        write_json(&mut out, &[report("a.json", vec![])]).expect("written");
        assert_eq!(String::from_utf8(out).expect("utf8"), "[]\n");
    }
}
