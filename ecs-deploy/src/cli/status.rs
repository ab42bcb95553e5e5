//! `ecs-deploy status`: the stack's clusters and services as AWS has them now.
//!
//! DescribeClusters takes 100 clusters a call and DescribeServices 10 services of one cluster a
//! call; the calls run at most `--concurrency` at a time. The command exits 1 when a cluster or
//! service of the stack is missing, or is not ACTIVE (DRAINING: being deleted; INACTIVE:
//! deleted).

use std::collections::BTreeMap;
use std::io::{self, Write};
use std::process::ExitCode;

use ecs_deploy::observe::{CLUSTERS_PER_CALL, SERVICES_PER_CALL};
use ecs_deploy::plan::STACK_TAG;
use ecs_deploy::{AwsError, Ecs, Operation};
use ecs_model::Timestamp;
use ecs_model::load::from_value;
use ecs_model::types::{Cluster, DescribeClustersResponse, DescribeServicesResponse, Service, Tag};
use futures::stream::{self, StreamExt, TryStreamExt};
use serde_json::json;

use super::apply::short_task_definition;
use super::deploy::{Session, StackArgs, report_aws_error};
use super::report::Style;

/// How many of a service's events are shown.
const EVENTS: usize = 5;

/// What AWS said about the stack's resources; `None` for one it does not have.
struct Found {
    clusters: Vec<(String, Option<Cluster>)>,
    services: Vec<((String, String), Option<Service>)>,
}

pub(super) fn run(args: &StackArgs) -> ExitCode {
    let Some(session) = Session::start(args) else {
        return ExitCode::FAILURE;
    };
    let mut clusters: Vec<String> = Vec::new();
    let mut services: Vec<(String, String)> = Vec::new();
    for cluster in &session.stack.clusters {
        if let Some(name) = &cluster.cluster_name
            && !clusters.contains(name)
        {
            clusters.push(name.clone());
        }
    }
    for service in &session.stack.services {
        let cluster = service.cluster.as_deref().unwrap_or("default").to_owned();
        if !clusters.contains(&cluster) {
            clusters.push(cluster.clone());
        }
        if let Some(name) = &service.service_name {
            services.push((cluster, name.clone()));
        }
    }
    let ecs = session.deployer.ecs();
    let concurrency = args.concurrency.get();
    let found = session.runtime.block_on(async {
        futures::try_join!(
            describe_clusters(ecs, &clusters, concurrency),
            describe_services(ecs, &services, concurrency),
        )
    });
    let found = match found {
        Ok((clusters, services)) => Found { clusters, services },
        Err(err) => {
            report_aws_error("cannot read the stack's resources from AWS", &err);
            return ExitCode::FAILURE;
        }
    };
    let stdout = io::stdout();
    let mut out = stdout.lock();
    match write_status(
        &mut out,
        &found,
        &session.options.stack,
        Style::for_stdout(),
    )
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

async fn describe_clusters(
    ecs: &Ecs,
    names: &[String],
    concurrency: usize,
) -> Result<Vec<(String, Option<Cluster>)>, AwsError> {
    let responses: Vec<DescribeClustersResponse> = stream::iter(names.chunks(CLUSTERS_PER_CALL))
        .map(|chunk| async move {
            let input = json!({"clusters": chunk, "include": ["TAGS"]});
            let response = ecs.call(Operation::DescribeClusters, &input).await?;
            Ok::<_, AwsError>(from_value(&response).value.unwrap_or_default())
        })
        .buffered(concurrency)
        .try_collect()
        .await?;
    let mut by_name: BTreeMap<String, Cluster> = BTreeMap::new();
    for cluster in responses
        .into_iter()
        .flat_map(|r| r.clusters.unwrap_or_default())
    {
        if let Some(name) = cluster.cluster_name.clone() {
            by_name.insert(name, cluster);
        }
    }
    Ok(names
        .iter()
        .map(|name| (name.clone(), by_name.remove(name)))
        .collect())
}

async fn describe_services(
    ecs: &Ecs,
    services: &[(String, String)],
    concurrency: usize,
) -> Result<Vec<((String, String), Option<Service>)>, AwsError> {
    let mut by_cluster: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for (cluster, name) in services {
        by_cluster.entry(cluster).or_default().push(name);
    }
    let calls: Vec<(&str, &[&str])> = by_cluster
        .iter()
        .flat_map(|(cluster, names)| {
            names
                .chunks(SERVICES_PER_CALL)
                .map(move |chunk| (*cluster, chunk))
        })
        .collect();
    let responses: Vec<(&str, DescribeServicesResponse)> = stream::iter(calls)
        .map(|(cluster, chunk)| async move {
            let input = json!({"cluster": cluster, "services": chunk, "include": ["TAGS"]});
            match ecs.call(Operation::DescribeServices, &input).await {
                Ok(response) => Ok((cluster, from_value(&response).value.unwrap_or_default())),
                // No cluster: none of its services exists.
                Err(err) if err.is_not_found() => {
                    Ok((cluster, DescribeServicesResponse::default()))
                }
                Err(err) => Err(err),
            }
        })
        .buffered(concurrency)
        .try_collect()
        .await?;
    let mut found: BTreeMap<(String, String), Service> = BTreeMap::new();
    for (cluster, response) in responses {
        for service in response.services.unwrap_or_default() {
            if let Some(name) = service.service_name.clone() {
                found.insert((cluster.to_owned(), name), service);
            }
        }
    }
    Ok(services
        .iter()
        .map(|key| (key.clone(), found.remove(key)))
        .collect())
}

/// Writes the status; returns how many resources are missing or not ACTIVE.
fn write_status(
    out: &mut impl Write,
    found: &Found,
    stack: &str,
    style: Style,
) -> io::Result<usize> {
    let mut absent = 0;
    for (name, cluster) in &found.clusters {
        let status = cluster.as_ref().and_then(|c| c.status.as_deref());
        absent += usize::from(status != Some("ACTIVE"));
        let Some(cluster) = cluster else {
            writeln!(out, "cluster {name}: {}", style.paint("1;31", "MISSING"))?;
            continue;
        };
        writeln!(
            out,
            "cluster {name}: {}, {} active services, {} running tasks, {} pending tasks, {} \
             container instances",
            paint_status(status, style),
            count(cluster.active_services_count),
            count(cluster.running_tasks_count),
            count(cluster.pending_tasks_count),
            count(cluster.registered_container_instances_count),
        )?;
        write_ownership(out, &cluster.tags, stack)?;
    }
    for ((cluster, name), service) in &found.services {
        writeln!(out)?;
        let status = service.as_ref().and_then(|s| s.status.as_deref());
        absent += usize::from(status != Some("ACTIVE"));
        let Some(service) = service else {
            writeln!(
                out,
                "service {cluster}/{name}: {} (not in cluster {cluster})",
                style.paint("1;31", "MISSING")
            )?;
            continue;
        };
        write_service(out, cluster, name, service, stack, style)?;
    }
    let total = found.clusters.len() + found.services.len();
    if absent > 0 {
        writeln!(
            out,
            "\n{absent} of the stack's {total} clusters and services {} missing or not ACTIVE.",
            if absent == 1 { "is" } else { "are" }
        )?;
    }
    Ok(absent)
}

fn write_service(
    out: &mut impl Write,
    cluster: &str,
    name: &str,
    service: &Service,
    stack: &str,
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
    write_ownership(out, &service.tags, stack)?;
    if let Some(td) = &service.task_definition {
        writeln!(out, "  task definition: {}", short_task_definition(td))?;
    }
    let deployments = service.deployments.as_deref().unwrap_or_default();
    if !deployments.is_empty() {
        writeln!(out, "  deployments:")?;
    }
    for d in deployments {
        let rollout = d.rollout_state.as_ref().map(|r| r.as_str());
        writeln!(
            out,
            "    {} {} {}: {}, {} desired, {} running, {} pending, {} failed, updated {}",
            d.status.as_deref().unwrap_or("?"),
            d.id.as_deref().unwrap_or("?"),
            rollout.unwrap_or("(no rollout state)"),
            d.task_definition
                .as_deref()
                .map_or("?", short_task_definition),
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
    let mut events: Vec<_> = service.events.iter().flatten().collect();
    // Newest first, as AWS lists them; sorted anyway when the times are numbers.
    events.sort_by(|a, b| {
        let at = |e: &&ecs_model::types::ServiceEvent| {
            e.created_at.as_ref().and_then(Timestamp::epoch_seconds)
        };
        at(b)
            .partial_cmp(&at(a))
            .unwrap_or(std::cmp::Ordering::Equal)
    });
    if !events.is_empty() {
        writeln!(out, "  events (the {EVENTS} most recent):")?;
    }
    for event in events.iter().take(EVENTS) {
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
fn write_ownership(out: &mut impl Write, tags: &Option<Vec<Tag>>, stack: &str) -> io::Result<()> {
    let owner = tags
        .iter()
        .flatten()
        .find(|t| t.key.as_deref() == Some(STACK_TAG))
        .and_then(|t| t.value.as_deref());
    match owner {
        Some(owner) if owner == stack => Ok(()),
        Some(owner) => writeln!(
            out,
            "  not managed by this stack: its {STACK_TAG} tag names the stack `{owner}`"
        ),
        None => writeln!(
            out,
            "  not managed by this stack: it has no {STACK_TAG} tag"
        ),
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
        let found = Found {
            clusters: vec![("demo".into(), None)],
            services: vec![(("demo".into(), "web".into()), Some(service))],
        };
        let mut out = Vec::new();
        let absent = write_status(&mut out, &found, "demo", Style::plain()).expect("written");
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
