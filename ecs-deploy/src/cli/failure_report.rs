//! A [`FailureReport`] for people: each stopped task with why it stopped, its essential
//! containers' exit codes and reasons, and the last lines of their logs, as `apply`,
//! `rollback` and `run --wait` print it.
//!
//! ```text
//!   service shop/web: 2 stopped tasks of the failed deployment (1 more not shown):
//!     task 5a7e0c1d2b3f (web:2) stopped 2026-12-05 03:01:02 UTC: EssentialContainerExited: Essential container in task exited
//!       container web: exit code 1
//!         last 2 lines of /ecs/shop shop/web/5a7e0c1d2b3f:
//!         | 03:01:01 connecting to db.internal:5432
//!         | 03:01:02 fatal: connection refused
//! ```
//!
//! Log lines are printed as the application wrote them (they are its logs, not redacted), cut
//! after [`ecs_deploy::failure::LINE_LIMIT`] characters.

use std::io::{self, Write};

use ecs_deploy::failure::{FailureReport, Logs, StoppedContainer, StoppedTask};

/// Writes `report` about `subject` (`service shop/web`, `task ...`), indented by `indent`.
pub(super) fn write(
    out: &mut impl Write,
    subject: &str,
    report: &FailureReport,
    indent: &str,
) -> io::Result<()> {
    if let Some(why) = &report.unreadable {
        return writeln!(
            out,
            "{indent}{subject}: the stopped tasks could not be read: {why}"
        );
    }
    if report.tasks.is_empty() {
        return writeln!(
            out,
            "{indent}{subject}: no stopped task of the failed deployment was found"
        );
    }
    let count = report.tasks.len();
    let more = match report.more {
        0 => String::new(),
        n => format!(" ({n} more not shown)"),
    };
    let noun = if count == 1 { "task" } else { "tasks" };
    writeln!(
        out,
        "{indent}{subject}: {count} stopped {noun} of the failed deployment{more}:"
    )?;
    for task in &report.tasks {
        write_task(out, task, &format!("{indent}  "))?;
    }
    Ok(())
}

/// Writes one stopped task and its containers.
fn write_task(out: &mut impl Write, task: &StoppedTask, indent: &str) -> io::Result<()> {
    let when = task
        .stopped_at
        .map(|ms| format!(" stopped {}", utc(ms)))
        .unwrap_or_else(|| " stopped".to_owned());
    let why: Vec<&str> = [task.stop_code.as_deref(), task.stopped_reason.as_deref()]
        .into_iter()
        .flatten()
        .collect();
    let why = if why.is_empty() {
        String::new()
    } else {
        format!(": {}", why.join(": "))
    };
    writeln!(
        out,
        "{indent}task {} ({}){when}{why}",
        task.task_id, task.task_definition
    )?;
    for container in &task.containers {
        let exit = exit(container.exit_code, container.reason.as_deref());
        writeln!(out, "{indent}  container {}: {exit}", container.name)?;
        write_logs(out, &container.logs, &format!("{indent}    "))?;
    }
    Ok(())
}

/// How a container ended: `exit code 1`, `no exit code`, then `: REASON` when ECS gives one.
pub(super) fn exit(code: Option<i32>, reason: Option<&str>) -> String {
    let code = code.map_or_else(|| "no exit code".to_owned(), |c| format!("exit code {c}"));
    match reason {
        Some(reason) => format!("{code}: {reason}"),
        None => code,
    }
}

/// Writes the logs of `container` under a line naming it (for `run`, which prints the
/// containers' exit codes itself).
pub(super) fn write_container_logs(
    out: &mut impl Write,
    container: &StoppedContainer,
    indent: &str,
) -> io::Result<()> {
    writeln!(out, "{indent}logs of container {}:", container.name)?;
    write_logs(out, &container.logs, &format!("{indent}  "))
}

fn write_logs(out: &mut impl Write, logs: &Logs, indent: &str) -> io::Result<()> {
    match logs {
        Logs::Lines {
            group,
            stream,
            lines,
        } if lines.is_empty() => writeln!(out, "{indent}log stream {group} {stream} is empty"),
        Logs::Lines {
            group,
            stream,
            lines,
        } => {
            let noun = if lines.len() == 1 { "line" } else { "lines" };
            writeln!(
                out,
                "{indent}last {} {noun} of {group} {stream}:",
                lines.len()
            )?;
            for line in lines {
                let time = line
                    .timestamp
                    .map(|ms| format!("{} ", &utc(ms)[11..19]))
                    .unwrap_or_default();
                let cut = match line.cut {
                    0 => String::new(),
                    n => format!(" ...({n} more characters)"),
                };
                writeln!(out, "{indent}| {time}{}{cut}", line.message)?;
            }
            Ok(())
        }
        Logs::NoStream { group, stream } => writeln!(
            out,
            "{indent}no log stream {stream} in {group} (the container never started, or never \
             wrote)"
        ),
        Logs::NotAwslogs {
            driver: Some(driver),
        } => writeln!(
            out,
            "{indent}logs: the container logs with {driver}, not awslogs"
        ),
        Logs::NotAwslogs { driver: None } => {
            writeln!(out, "{indent}logs: the container has no log configuration")
        }
        Logs::UnknownStream { missing } => {
            writeln!(out, "{indent}logs: the stream is unknown (no {missing})")
        }
        Logs::NotRead(why) => writeln!(out, "{indent}{why}"),
        Logs::Failed {
            group,
            stream,
            error,
        } => writeln!(
            out,
            "{indent}log stream {group} {stream} could not be read: {error}"
        ),
        _ => Ok(()),
    }
}

/// `ms` milliseconds since the epoch as `YYYY-MM-DD HH:MM:SS UTC`.
fn utc(ms: i64) -> String {
    let seconds = ms.div_euclid(1000);
    let (days, rest) = (seconds.div_euclid(86_400), seconds.rem_euclid(86_400));
    // The civil date of a day count (Howard Hinnant's days_from_civil, inverted).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02} {:02}:{:02}:{:02} UTC",
        rest / 3600,
        rest % 3600 / 60,
        rest % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_utc_dates() {
        assert_eq!(utc(0), "1970-01-01 00:00:00 UTC");
        assert_eq!(utc(1_796_439_662_000), "2026-12-05 03:01:02 UTC");
        assert_eq!(utc(951_782_400_000), "2000-02-29 00:00:00 UTC");
    }
}
