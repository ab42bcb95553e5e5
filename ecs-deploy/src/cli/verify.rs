//! `ecs-deploy verify`: the pre-flight checks of
//! [`Deployer::verify`](ecs_deploy::Deployer::verify), one line per check grouped by kind of
//! resource (`✓` ok, `✗` failed with where the stack names it and a hint, `-` skipped with why),
//! or as JSON. Exits 0 when no check failed, 1 when one did or on an error.

use std::io::{self, Write};
use std::process::ExitCode;

use ecs_deploy::verify::{Check, CheckKind, Outcome, Verification, VerifyError};

use super::deploy::{Session, StackArgs, report_aws_error};
use super::report::Style;

/// How `verify` prints the checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(super) enum VerifyFormat {
    /// One line per check, grouped by kind of resource.
    Text,
    /// One JSON object: `checks` (each with `kind`, `subject`, `paths`, `outcome` ok, failed or
    /// skipped, `detail` and `hint`) and the counts.
    Json,
}

/// The arguments of `verify`.
#[derive(Debug, clap::Args)]
pub(super) struct VerifyArgs {
    #[command(flatten)]
    pub(super) stack: StackArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = VerifyFormat::Text)]
    pub(super) format: VerifyFormat,
}

pub(super) fn run(args: &VerifyArgs) -> ExitCode {
    let Some(session) = Session::start(&args.stack) else {
        return ExitCode::FAILURE;
    };
    let verification = match session
        .runtime
        .block_on(session.deployer.verify(&session.stack))
    {
        Ok(verification) => verification,
        Err(VerifyError::Aws { subject, source }) => {
            report_aws_error(&format!("cannot check {subject}"), &source);
            return ExitCode::FAILURE;
        }
        Err(err) => {
            eprintln!("error: {err}");
            return ExitCode::FAILURE;
        }
    };
    let stdout = io::stdout();
    let mut out = stdout.lock();
    let written = match args.format {
        VerifyFormat::Text => write_text(&mut out, &verification, Style::for_stdout()),
        VerifyFormat::Json => write_json(&mut out, &verification),
    };
    match written.and_then(|()| out.flush()) {
        Ok(()) if verification.passed() => ExitCode::SUCCESS,
        Ok(()) => ExitCode::FAILURE,
        Err(err) => {
            eprintln!("error: cannot write the checks: {err}");
            ExitCode::FAILURE
        }
    }
}

/// The heading a kind of check is listed under.
fn group(kind: CheckKind) -> &'static str {
    match kind {
        CheckKind::Image => "images",
        CheckKind::ExecutionRole | CheckKind::TaskRole => "roles",
        CheckKind::Secret | CheckKind::Parameter => "secrets and parameters",
        CheckKind::LogGroup => "log groups",
        CheckKind::TargetGroup => "target groups",
        CheckKind::Namespace | CheckKind::DiscoveryService => "Cloud Map",
        _ => "other",
    }
}

/// What a check's line names first: the subject, after its kind where the group has several.
fn named(check: &Check) -> String {
    match check.kind {
        CheckKind::Image | CheckKind::LogGroup | CheckKind::TargetGroup => check.subject.clone(),
        kind => format!("{} {}", kind.name(), check.subject),
    }
}

fn write_text(out: &mut impl Write, verification: &Verification, style: Style) -> io::Result<()> {
    let mut heading = None;
    let (mut ok, mut failed, mut skipped) = (0, 0, 0);
    for check in &verification.checks {
        let this = group(check.kind);
        if heading != Some(this) {
            if heading.is_some() {
                writeln!(out)?;
            }
            writeln!(out, "{this}")?;
            heading = Some(this);
        }
        let name = named(check);
        match &check.outcome {
            Outcome::Ok(detail) => {
                ok += 1;
                writeln!(out, "  {} {name}: {detail}", style.paint("32", "✓"))?;
            }
            Outcome::Failed(reason) => {
                failed += 1;
                writeln!(out, "  {} {name}: {reason}", style.paint("1;31", "✗"))?;
                for path in &check.paths {
                    writeln!(out, "      at {path}")?;
                }
                if let Some(hint) = &check.hint {
                    writeln!(out, "      hint: {hint}")?;
                }
            }
            Outcome::Skipped(why) => {
                skipped += 1;
                writeln!(out, "  {} {name}: skipped: {why}", style.paint("2", "-"))?;
            }
            _ => writeln!(out, "  ? {name}")?,
        }
    }
    if verification.checks.is_empty() {
        writeln!(
            out,
            "nothing to check: the stack names no image, role, secret, parameter, log group, target group or namespace"
        )?;
        return Ok(());
    }
    writeln!(out)?;
    let total = verification.checks.len();
    let checks = if total == 1 { "check" } else { "checks" };
    writeln!(
        out,
        "{total} {checks}: {ok} ok, {failed} failed, {skipped} skipped"
    )
}

fn write_json(out: &mut impl Write, verification: &Verification) -> io::Result<()> {
    let count =
        |f: fn(&Outcome) -> bool| verification.checks.iter().filter(|c| f(&c.outcome)).count();
    let document = serde_json::json!({
        "checks": verification.checks,
        "ok": count(|o| matches!(o, Outcome::Ok(_))),
        "failed": count(Outcome::is_failed),
        "skipped": count(|o| matches!(o, Outcome::Skipped(_))),
    });
    serde_json::to_writer_pretty(&mut *out, &document).map_err(io::Error::other)?;
    writeln!(out)
}

#[cfg(test)]
mod tests {
    use ecs_model::JsonPath;

    use super::*;

    fn at(path: &str) -> Vec<JsonPath> {
        JsonPath::parse(path).into_iter().collect()
    }

    #[test]
    fn failures_show_where_and_how_to_fix() {
        let verification = Verification::new(vec![
            Check::new(
                CheckKind::Image,
                "nginx:1",
                at("taskDefinitions[0].containerDefinitions[0].image"),
                Outcome::Skipped("not in ECR (registry docker.io): not checked".to_owned()),
            ),
            Check::new(
                CheckKind::ExecutionRole,
                "arn:aws:iam::1:role/x",
                at("taskDefinitions[0].executionRoleArn"),
                Outcome::Failed("no role x in the account".to_owned()),
            )
            .with_hint("create it"),
        ]);
        let mut out = Vec::new();
        write_text(&mut out, &verification, Style::plain()).expect("written");
        let text = String::from_utf8(out).expect("UTF-8");
        assert_eq!(
            text,
            "images\n  - nginx:1: skipped: not in ECR (registry docker.io): not checked\n\n\
             roles\n  ✗ execution role arn:aws:iam::1:role/x: no role x in the account\n      \
             at taskDefinitions[0].executionRoleArn\n      hint: create it\n\n\
             2 checks: 0 ok, 1 failed, 1 skipped\n"
        );
        let mut json = Vec::new();
        write_json(&mut json, &verification).expect("written");
        let json: serde_json::Value = serde_json::from_slice(&json).expect("JSON");
        assert_eq!(json["failed"], 1);
        assert_eq!(json["checks"][1]["outcome"], "failed");
        assert_eq!(json["checks"][1]["kind"], "execution-role");
        assert_eq!(
            json["checks"][1]["paths"][0],
            "taskDefinitions[0].executionRoleArn"
        );
        assert_eq!(json["checks"][1]["hint"], "create it");
    }
}
