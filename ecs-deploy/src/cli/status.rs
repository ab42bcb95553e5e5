//! `ecs-deploy status`: the stack's clusters and services as AWS has them now, as
//! [`Deployer::status`](ecs_deploy::Deployer::status) reads them (at most `--concurrency`
//! calls at a time). The command exits 1 when a cluster or service of the stack is missing, or
//! is not ACTIVE (DRAINING: being deleted; INACTIVE: deleted).

use std::io::{self, Write};
use std::process::ExitCode;

use ecs_deploy::plan::STACK_TAG;
use ecs_deploy::state::family_revision;
use ecs_deploy::status::{FoundService, Ownership, StackStatus};
use ecs_model::Timestamp;

use super::deploy::{Session, StackArgs, report_aws_error};
use super::report::Style;

/// How many of a service's events are shown.
const EVENTS: usize = 5;

pub(super) fn run(args: &StackArgs) -> ExitCode {
    let Some(session) = Session::start(args) else {
        return ExitCode::FAILURE;
    };
    let status = match session
        .runtime
        .block_on(session.deployer.status(&session.stack))
    {
        Ok(status) => status,
        Err(err) => {
            report_aws_error("cannot read the stack's resources from AWS", &err);
            return ExitCode::FAILURE;
        }
    };
    let stdout = io::stdout();
    let mut out = stdout.lock();
    match write_status(&mut out, &status, Style::for_stdout())
        .and_then(|absent| out.flush().map(|()| absent))
    {
        Ok(0) => ExitCode::SUCCESS,
        Ok(_) => ExitCode::FAILURE,
        Err(err) => {
            eprintln!("error: cannot write the status: {err}");
            ExitCode::FAILURE
        }
    }
}

/// Writes the status; returns how many resources are missing or not ACTIVE.
fn write_status(out: &mut impl Write, status: &StackStatus, style: Style) -> io::Result<usize> {
    for cluster in &status.clusters {
        let name = &cluster.name;
        let Some(found) = &cluster.found else {
            writeln!(out, "cluster {name}: {}", style.paint("1;31", "MISSING"))?;
            continue;
        };
        writeln!(
            out,
            "cluster {name}: {}, {} active services, {} running tasks, {} pending tasks, {} \
             container instances",
            paint_status(found.status.as_deref(), style),
            count(found.active_services),
            count(found.running_tasks),
            count(found.pending_tasks),
            count(found.container_instances),
        )?;
        write_ownership(out, &found.owner)?;
    }
    for service in &status.services {
        writeln!(out)?;
        let (cluster, name) = (&service.cluster, &service.name);
        let Some(found) = &service.found else {
            writeln!(
                out,
                "service {cluster}/{name}: {} (not in cluster {cluster})",
                style.paint("1;31", "MISSING")
            )?;
            continue;
        };
        write_service(out, cluster, name, found, style)?;
    }
    let absent = status.not_active();
    if absent > 0 {
        writeln!(
            out,
            "\n{absent} of the stack's {} clusters and services {} missing or not ACTIVE.",
            status.len(),
            if absent == 1 { "is" } else { "are" }
        )?;
    }
    Ok(absent)
}

fn write_service(
    out: &mut impl Write,
    cluster: &str,
    name: &str,
    service: &FoundService,
    style: Style,
) -> io::Result<()> {
    writeln!(
        out,
        "service {cluster}/{name}: {}, {} desired, {} running, {} pending",
        paint_status(service.status.as_deref(), style),
        count(service.desired_count),
        count(service.running_count),
        count(service.pending_count),
    )?;
    write_ownership(out, &service.owner)?;
    if let Some(td) = &service.task_definition {
        writeln!(out, "  task definition: {}", family_revision(td))?;
    }
    if !service.deployments.is_empty() {
        writeln!(out, "  deployments:")?;
    }
    for d in &service.deployments {
        let rollout = d.rollout_state.as_ref().map(|r| r.as_str());
        writeln!(
            out,
            "    {} {} {}: {}, {} desired, {} running, {} pending, {} failed, updated {}",
            d.status.as_deref().unwrap_or("?"),
            d.id.as_deref().unwrap_or("?"),
            rollout.unwrap_or("(no rollout state)"),
            d.task_definition.as_deref().map_or("?", family_revision),
            count(d.desired_count),
            count(d.running_count),
            count(d.pending_count),
            count(d.failed_tasks),
            time(d.updated_at.as_ref()),
        )?;
        if let Some(reason) = &d.rollout_state_reason {
            writeln!(out, "      {reason}")?;
        }
    }
    // The library lists them newest first.
    if !service.events.is_empty() {
        writeln!(out, "  events (the {EVENTS} most recent):")?;
    }
    for event in service.events.iter().take(EVENTS) {
        writeln!(
            out,
            "    {}  {}",
            time(event.created_at.as_ref()),
            event.message.as_deref().unwrap_or_default()
        )?;
    }
    Ok(())
}

/// A line when the resource is not this stack's (by its ownership tag).
fn write_ownership(out: &mut impl Write, owner: &Ownership) -> io::Result<()> {
    match owner {
        Ownership::OtherStack(owner) => writeln!(
            out,
            "  not managed by this stack: its {STACK_TAG} tag names the stack `{owner}`"
        ),
        Ownership::Unmanaged => writeln!(
            out,
            "  not managed by this stack: it has no {STACK_TAG} tag"
        ),
        _ => Ok(()),
    }
}

fn paint_status(status: Option<&str>, style: Style) -> String {
    match status {
        Some("ACTIVE") => style.paint("32", "ACTIVE"),
        Some(other) => style.paint("1;31", other),
        None => "(no status)".to_owned(),
    }
}

fn count(n: Option<i32>) -> String {
    n.map_or_else(|| "?".to_owned(), |n| n.to_string())
}

/// A timestamp as `2025-01-31 09:05:00Z` (UTC) when AWS wrote epoch seconds, as written
/// otherwise.
fn time(at: Option<&Timestamp>) -> String {
    let Some(at) = at else {
        return "?".to_owned();
    };
    let Some(seconds) = at.epoch_seconds() else {
        return at.as_text().unwrap_or("?").to_owned();
    };
    let seconds = seconds.floor() as i64;
    let (days, of_day) = (seconds.div_euclid(86_400), seconds.rem_euclid(86_400));
    let (year, month, day) = civil_from_days(days);
    format!(
        "{year:04}-{month:02}-{day:02} {:02}:{:02}:{:02}Z",
        of_day / 3600,
        of_day % 3600 / 60,
        of_day % 60
    )
}

/// The proleptic Gregorian date of a day counted from 1970-01-01 (Howard Hinnant's
/// `civil_from_days`).
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z.rem_euclid(146_097);
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let shifted_month = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * shifted_month + 2) / 5 + 1;
    let month = if shifted_month < 10 {
        shifted_month + 3
    } else {
        shifted_month - 9
    };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use ecs_deploy::status::{ClusterStatus, ServiceStatus};
    use ecs_model::load::from_value;
    use ecs_model::types::Service;
    use serde_json::json;

    use super::*;

    fn at(value: serde_json::Value) -> Timestamp {
        serde_json::from_value(value).expect("a timestamp")
    }

    #[test]
    fn epoch_seconds_print_as_utc() {
        assert_eq!(time(Some(&at(json!(0)))), "1970-01-01 00:00:00Z");
        assert_eq!(
            time(Some(&at(json!(951_825_600.5)))),
            "2000-02-29 12:00:00Z"
        );
        assert_eq!(
            time(Some(&at(json!(1_735_689_599)))),
            "2024-12-31 23:59:59Z"
        );
        assert_eq!(time(Some(&at(json!(-1)))), "1969-12-31 23:59:59Z");
        assert_eq!(
            time(Some(&at(json!("2024-01-01T10:00:00Z")))),
            "2024-01-01T10:00:00Z"
        );
        assert_eq!(time(None), "?");
    }

    #[test]
    fn a_service_shows_its_deployments_and_recent_events() {
        let service: Service = from_value(&json!({
            "serviceName": "web", "status": "ACTIVE",
            "desiredCount": 2, "runningCount": 1, "pendingCount": 1,
            "taskDefinition": "arn:aws:ecs:us-east-1:1:task-definition/web:4",
            "tags": [{"key": STACK_TAG, "value": "demo"}],
            "deployments": [{
                "id": "ecs-svc/1", "status": "PRIMARY", "rolloutState": "IN_PROGRESS",
                "taskDefinition": "arn:aws:ecs:us-east-1:1:task-definition/web:4",
                "desiredCount": 2, "runningCount": 1, "pendingCount": 1, "failedTasks": 0,
                "updatedAt": 0
            }],
            "events": (0..7).map(|i| json!({"id": i.to_string(), "createdAt": i * 60,
                "message": format!("event {i}")})).collect::<Vec<_>>()
        }))
        .value
        .expect("a service");
        let mut status = StackStatus::new("demo");
        status.clusters.push(ClusterStatus::new("demo", None));
        status.services.push(ServiceStatus::new(
            "demo",
            "web",
            Some(FoundService::from_described(service, "demo")),
        ));
        let mut out = Vec::new();
        let absent = write_status(&mut out, &status, Style::plain()).expect("written");
        assert_eq!(absent, 1);
        assert_eq!(
            String::from_utf8(out).expect("utf8"),
            "cluster demo: MISSING\n\
             \n\
             service demo/web: ACTIVE, 2 desired, 1 running, 1 pending\n\
             \x20 task definition: web:4\n\
             \x20 deployments:\n\
             \x20   PRIMARY ecs-svc/1 IN_PROGRESS: web:4, 2 desired, 1 running, 1 pending, 0 failed, \
             updated 1970-01-01 00:00:00Z\n\
             \x20 events (the 5 most recent):\n\
             \x20   1970-01-01 00:06:00Z  event 6\n\
             \x20   1970-01-01 00:05:00Z  event 5\n\
             \x20   1970-01-01 00:04:00Z  event 4\n\
             \x20   1970-01-01 00:03:00Z  event 3\n\
             \x20   1970-01-01 00:02:00Z  event 2\n\
             \n\
             1 of the stack's 2 clusters and services is missing or not ACTIVE.\n"
        );
    }
}
