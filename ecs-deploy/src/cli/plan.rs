//! `ecs-deploy plan`.

use std::io::{self, Write as _};
use std::path::Path;
use std::process::ExitCode;

use super::PlanFormat;
use super::deploy::{ChangeArgs, Session, StackArgs};
use super::plan_markdown::write_markdown;
use super::plan_view::write_plan;
use super::report::Style;

/// The exit code of `--detailed-exitcode` when the plan changes something.
const CHANGES: u8 = 2;

pub(super) fn run(
    args: &StackArgs,
    changes: &ChangeArgs,
    format: PlanFormat,
    detailed_exitcode: bool,
    save_to: Option<&Path>,
) -> ExitCode {
    let Some(session) = Session::start_with(args, changes) else {
        return ExitCode::FAILURE;
    };
    let Some(plan) = session.plan() else {
        return ExitCode::FAILURE;
    };
    let shown = super::vars::shown(&plan);
    let stdout = io::stdout();
    let mut out = stdout.lock();
    let written = match format {
        PlanFormat::Text => write_plan(&mut out, &shown, Style::for_stdout()),
        PlanFormat::Json => serde_json::to_writer_pretty(&mut out, &shown)
            .map_err(io::Error::from)
            .and_then(|()| writeln!(out)),
        PlanFormat::Markdown => write_markdown(&mut out, &shown),
    }
    .and_then(|()| out.flush());
    if let Err(err) = written {
        eprintln!("error: cannot write the plan: {err}");
        return ExitCode::FAILURE;
    }
    if let Some(path) = save_to
        && !super::saved::save(&session, &plan, path, format)
    {
        return ExitCode::FAILURE;
    }
    if detailed_exitcode && plan.has_changes() {
        ExitCode::from(CHANGES)
    } else {
        ExitCode::SUCCESS
    }
}
