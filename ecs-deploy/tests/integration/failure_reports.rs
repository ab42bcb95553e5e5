//! Why it failed: the failure reports of a deployment rolled back by the circuit breaker and of
//! a `run --wait` task exiting non-zero, through the scripted layer (moto runs no service tasks
//! and stops no task with an exit code: `support/script/stopped_tasks.rs` plays the stopped
//! tasks of the failed deployment, AWS's short GetLogEvents pages, and the awslogs driver of a
//! run task), with the log lines in moto's CloudWatch Logs.
//!
//! - the library: the apply's [`Event::TasksStopped`] lists the failed deployment's stopped
//!   tasks only (not the earlier deployment's, stopped later), the five last to stop, newest
//!   first, with their stop code and reason, the essential containers' exit codes and reasons
//!   (not the sidecar that is not essential), and the last lines of the stream each wrote to
//!   (written beforehand through the Logs SDK; ListTasks answered in pages of 2, GetLogEvents
//!   short first pages), "no stream" for a container that never wrote;
//! - the CLI: `apply` prints the same report; `run --wait` prints the task's last log lines.

use crate::support;

use std::path::PathBuf;
use std::time::Duration;

use ecs_deploy::aws::logs::Logs;
use ecs_deploy::aws::readers::Readers;
use ecs_deploy::failure::{FailureReport, Logs as ContainerLogs};
use ecs_deploy::wait::WaitOptions;
use ecs_deploy::{ApplyOptions, Deployer, Event, Options};
use ecs_model::Stack;
use ecs_model::load::from_value;
use serde_json::{Value, json};

use crate::run_task::cli;
use crate::support::clients::client_at;
use crate::support::script::stopped_tasks::PlayedTask;
use crate::support::script::{Outcome, Scripted};

/// What ECS says of a task whose image could not be pulled.
const CANNOT_PULL: &str = "CannotPullContainerError: pull image manifest has been retried 5 \
                           time(s): failed to resolve ref docker.io/shop/web:broken: not found";

/// A cluster `cluster`, the family `cluster` (EC2, bridge) with the essential containers `web`
/// and `migrations` logging to `/ecs/<cluster>` with the prefix `shop`, and a sidecar `router`
/// that is not essential; the service `web` with the circuit breaker.
fn stack_value(cluster: &str, image: &str) -> Value {
    let awslogs = json!({"logDriver": "awslogs", "options": {
        "awslogs-group": format!("/ecs/{cluster}"), "awslogs-region": "us-east-1",
        "awslogs-stream-prefix": "shop"}});
    json!({
        "clusters": [{"clusterName": cluster}],
        "taskDefinitions": [{
            "family": cluster, "requiresCompatibilities": ["EC2"], "networkMode": "bridge",
            "containerDefinitions": [
                {"name": "web", "image": image, "memory": 128, "logConfiguration": awslogs},
                {"name": "migrations", "image": "shop/migrate:1", "memory": 64,
                 "logConfiguration": awslogs},
                {"name": "router", "image": "fluent-bit:3", "memory": 32, "essential": false}
            ]
        }],
        "services": [{
            "serviceName": "web", "cluster": cluster, "taskDefinition": cluster,
            "desiredCount": 2, "launchType": "EC2",
            "deploymentConfiguration": {"deploymentCircuitBreaker": {"enable": true, "rollback": true}}
        }]
    })
}

fn stack(cluster: &str, image: &str) -> Stack {
    from_value::<Stack>(&stack_value(cluster, image))
        .value
        .expect("a stack")
}

/// A task id of 32 hexadecimal digits, as ECS gives them.
fn task_id(n: u32) -> String {
    format!("{n:02}{}", "5e7a".repeat(7)) + "ab"
}

/// The failed deployment's six tasks: the first exited 1 (its `web` wrote 12 lines), the
/// second could not pull its image, four more exited 1.
fn played() -> Vec<PlayedTask> {
    let exited = |n: u32| PlayedTask {
        id: task_id(n),
        stop_code: "EssentialContainerExited",
        stopped_reason: "Essential container in task exited".to_owned(),
        containers: vec![
            ("web".to_owned(), Some(1), None),
            ("migrations".to_owned(), Some(0), None),
            ("router".to_owned(), Some(0), None),
        ],
    };
    let pull = PlayedTask {
        id: task_id(1),
        stop_code: "TaskFailedToStart",
        stopped_reason: CANNOT_PULL.to_owned(),
        containers: vec![
            ("web".to_owned(), None, Some(CANNOT_PULL.to_owned())),
            ("migrations".to_owned(), None, None),
            ("router".to_owned(), None, None),
        ],
    };
    let mut tasks = vec![exited(0), pull];
    tasks.extend((2..6).map(exited));
    tasks
}

/// The 12 lines the first task's `web` container wrote, through the Logs SDK, in `account`.
async fn write_web_lines(account: &str, cluster: &str) {
    let logs = client_at!(
        aws_sdk_cloudwatchlogs,
        support::local_ecs::endpoint(),
        account
    );
    let group = format!("/ecs/{cluster}");
    let stream = format!("shop/web/{}", task_id(0));
    logs.create_log_group()
        .log_group_name(&group)
        .send()
        .await
        .expect("CreateLogGroup");
    logs.create_log_stream()
        .log_group_name(&group)
        .log_stream_name(&stream)
        .send()
        .await
        .expect("CreateLogStream");
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64);
    let mut put = logs
        .put_log_events()
        .log_group_name(&group)
        .log_stream_name(&stream);
    for n in 0..12 {
        let message = if n == 11 {
            "fatal: cannot connect to db.internal:5432: connection refused".to_owned()
        } else {
            format!("boot step {n}")
        };
        put = put.log_events(
            aws_sdk_cloudwatchlogs::types::InputLogEvent::builder()
                .timestamp(now - 12_000 + n * 1000)
                .message(message)
                .build()
                .expect("an event"),
        );
    }
    put.send().await.expect("PutLogEvents");
}

#[tokio::test]
async fn a_rolled_back_deployment_reports_its_stopped_tasks_and_their_last_log_lines() {
    let account = "690000000001";
    let cluster = "shop";
    let scripted = Scripted::start(support::local_ecs::endpoint());
    let ecs = support::ecs_at(&scripted.url, account).await;
    let creating =
        Deployer::new(ecs.clone(), Options::new("shop")).apply_options(ApplyOptions::no_wait());
    let plan = creating
        .plan(&stack(cluster, "shop/web:1"))
        .await
        .expect("plan");
    creating.apply(&plan, |_| {}).await.expect("create");
    write_web_lines(account, cluster).await;

    scripted.next_deployment("web", Outcome::RollBack(2));
    scripted.stop_tasks_of_failed_deployment("web", played(), 2);
    scripted.list_tasks_page(2);
    scripted.short_log_pages();
    let mut readers = Readers::default();
    readers.logs = Some(Logs::from_client(client_at!(
        aws_sdk_cloudwatchlogs,
        &scripted.url,
        account
    )));
    let wait = WaitOptions::new(Duration::from_secs(10), Duration::from_millis(20)).log_lines(4);
    let deployer = Deployer::new(ecs, Options::new("shop"))
        .readers(readers)
        .apply_options(ApplyOptions::wait(wait, true));
    let plan = deployer
        .plan(&stack(cluster, "shop/web:broken"))
        .await
        .expect("plan");
    let mut reports: Vec<(String, FailureReport)> = Vec::new();
    let error = deployer
        .apply(&plan, |event| {
            if let Event::TasksStopped { address, report } = event {
                reports.push((address.to_string(), report));
            }
        })
        .await
        .expect_err("the circuit breaker rolled it back");
    assert!(error.to_string().contains("web"), "{error}");

    assert_eq!(reports.len(), 1, "{reports:#?}");
    let (address, report) = &reports[0];
    assert_eq!(address, "service shop/web");
    assert_eq!(report.unreadable, None);
    // Six tasks of the failed deployment: the five last to stop, newest first; the earlier
    // deployment's two (stopped later) are not among them.
    let ids: Vec<&str> = report.tasks.iter().map(|t| t.task_id.as_str()).collect();
    let expected: Vec<String> = (0..5).map(task_id).collect();
    assert_eq!(ids, expected, "{report:#?}");
    assert_eq!(report.more, 1);
    assert!(
        report.tasks.iter().all(|t| t
            .started_by
            .as_deref()
            .is_some_and(|s| s.starts_with("ecs-svc/scripted"))
            && t.task_definition == "shop:2"),
        "{report:#?}"
    );
    // ListTasks was paged: 8 stopped tasks, 2 per page.
    assert_eq!(scripted.list_tasks_requests().len(), 4);

    let first = &report.tasks[0];
    assert_eq!(first.stop_code.as_deref(), Some("EssentialContainerExited"));
    assert_eq!(
        first.stopped_reason.as_deref(),
        Some("Essential container in task exited")
    );
    let names: Vec<&str> = first.containers.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["web", "migrations"], "the sidecar is not essential");
    let web = &first.containers[0];
    assert_eq!(web.exit_code, Some(1));
    let ContainerLogs::Lines {
        group,
        stream,
        lines,
    } = &web.logs
    else {
        panic!("no lines: {web:#?}");
    };
    assert_eq!(group, "/ecs/shop");
    assert_eq!(stream, &format!("shop/web/{}", task_id(0)));
    let messages: Vec<&str> = lines.iter().map(|l| l.message.as_str()).collect();
    assert_eq!(
        messages,
        [
            "boot step 8",
            "boot step 9",
            "boot step 10",
            "fatal: cannot connect to db.internal:5432: connection refused"
        ],
        "the last 4 lines, oldest first, across a short first page"
    );
    assert!(scripted.shortened_streams() >= 1);
    assert_eq!(
        first.containers[1].logs,
        ContainerLogs::NoStream {
            group: "/ecs/shop".to_owned(),
            stream: format!("shop/migrations/{}", task_id(0)),
        }
    );

    let pull = &report.tasks[1];
    assert_eq!(pull.stop_code.as_deref(), Some("TaskFailedToStart"));
    assert_eq!(pull.stopped_reason.as_deref(), Some(CANNOT_PULL));
    assert_eq!(pull.containers[0].exit_code, None);
    assert_eq!(pull.containers[0].reason.as_deref(), Some(CANNOT_PULL));
    assert!(
        matches!(pull.containers[0].logs, ContainerLogs::NoStream { .. }),
        "{pull:#?}"
    );
}

/// `ecs-deploy apply --stack FILE --name NAME --auto-approve ARGS` against `scripted`: exit
/// code, stdout, stderr.
fn apply(
    scripted: &Scripted,
    file: &str,
    name: &str,
    args: &[&str],
) -> (Option<i32>, String, String) {
    let mut all = vec!["apply", "--stack", file, "--name", name, "--auto-approve"];
    all.extend_from_slice(args);
    cli(scripted, &all)
}

fn write_stack(name: &str, value: &Value) -> String {
    let folder = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("failure_reports");
    std::fs::create_dir_all(&folder).expect("a folder for the stack files");
    let file = folder.join(format!("{name}.json"));
    std::fs::write(&file, serde_json::to_string_pretty(value).expect("json")).expect("written");
    file.to_str().expect("a UTF-8 path").to_owned()
}

/// Asserts that `text` has the line `line`.
fn expect_line(text: &str, line: &str) {
    assert!(
        text.lines().any(|l| l == line),
        "no line `{line}` in:\n{text}"
    );
}

#[tokio::test]
async fn the_cli_prints_the_report_of_a_rolled_back_deployment() {
    // moto's default account, shared with the other CLI tests: names of its own.
    let cluster = support::unique("failed");
    let scripted = Scripted::start(support::local_ecs::endpoint());
    let file = write_stack(&cluster, &stack_value(&cluster, "shop/web:1"));
    let (code, stdout, stderr) = apply(&scripted, &file, &cluster, &["--no-wait"]);
    assert_eq!(code, Some(0), "{stdout}\n{stderr}");
    write_web_lines("123456789012", &cluster).await;

    scripted.next_deployment("web", Outcome::RollBack(1));
    scripted.stop_tasks_of_failed_deployment("web", played()[..2].to_vec(), 1);
    let file = write_stack(&cluster, &stack_value(&cluster, "shop/web:broken"));
    let (code, stdout, stderr) = apply(
        &scripted,
        &file,
        &cluster,
        &["--wait-interval", "1", "--log-lines", "2"],
    );
    assert_eq!(code, Some(1), "{stdout}\n{stderr}");
    let (first, pull) = (task_id(0), task_id(1));
    expect_line(
        &stdout,
        &format!("  service {cluster}/web: 2 stopped tasks of the failed deployment:"),
    );
    assert!(
        stdout.lines().any(|l| l
            .starts_with(&format!("    task {first} ({cluster}:2) stopped 20"))
            && l.ends_with(" UTC: EssentialContainerExited: Essential container in task exited")),
        "{stdout}"
    );
    expect_line(&stdout, "      container web: exit code 1");
    expect_line(
        &stdout,
        &format!("        last 2 lines of /ecs/{cluster} shop/web/{first}:"),
    );
    assert!(
        stdout.lines().any(|l| l.starts_with("        | ")
            && l.ends_with(" fatal: cannot connect to db.internal:5432: connection refused")),
        "{stdout}"
    );
    expect_line(
        &stdout,
        &format!(
            "        no log stream shop/migrations/{first} in /ecs/{cluster} (the container \
             never started, or never wrote)"
        ),
    );
    assert!(
        stdout.lines().any(
            |l| l.starts_with(&format!("    task {pull} ({cluster}:2) stopped"))
                && l.ends_with(&format!(": TaskFailedToStart: {CANNOT_PULL}"))
        ),
        "{stdout}"
    );
    expect_line(
        &stdout,
        &format!("      container web: no exit code: {CANNOT_PULL}"),
    );
    assert!(!stdout.contains("container router"), "{stdout}");
    assert!(
        stderr.contains("error: service web: deployment ecs-svc/"),
        "{stderr}"
    );
}

#[test]
fn run_wait_prints_the_last_log_lines_of_a_task_exiting_non_zero() {
    let name = support::unique("failed-run");
    let stack = json!({
        "clusters": [{"clusterName": name}],
        "taskDefinitions": [{
            "family": name, "networkMode": "awsvpc", "requiresCompatibilities": ["FARGATE"],
            "cpu": "256", "memory": "512",
            "containerDefinitions": [{
                "name": "migrate", "image": "shop/migrate:1", "memory": 64,
                "logConfiguration": {"logDriver": "awslogs", "options": {
                    "awslogs-group": format!("/ecs/{name}"), "awslogs-region": "us-east-1",
                    "awslogs-stream-prefix": "jobs"}}
            }]
        }],
        "services": [{
            "serviceName": "migrations", "cluster": name, "taskDefinition": name,
            "launchType": "FARGATE", "desiredCount": 0,
            "networkConfiguration": {"awsvpcConfiguration": {
                "subnets": ["default"], "securityGroups": ["default"]}}
        }]
    });
    let file = write_stack(&name, &stack);
    let scripted = Scripted::start(support::local_ecs::endpoint());
    scripted.task_exit(&name, 2, "");
    scripted.container_logs(
        "migrate",
        &format!("/ecs/{name}"),
        "jobs",
        &[
            "applying 0042_orders",
            "error: relation \"orders\" already exists",
        ],
    );
    let (code, stdout, stderr) = apply(&scripted, &file, &name, &["--no-wait"]);
    assert_eq!(code, Some(0), "{stdout}\n{stderr}");
    let (code, stdout, stderr) = cli(
        &scripted,
        &[
            "run",
            "--stack",
            &file,
            "--name",
            &name,
            "--task",
            &name,
            "--wait",
            "--wait-interval",
            "1",
        ],
    );
    assert_eq!(code, Some(2), "{stdout}\n{stderr}");
    expect_line(&stdout, "  container migrate: exit code 2");
    expect_line(&stdout, "  logs of container migrate:");
    let task = stdout
        .lines()
        .find_map(|l| l.strip_prefix("task "))
        .and_then(|l| l.split(' ').next())
        .map(|arn| arn.rsplit('/').next().unwrap_or_default().to_owned())
        .unwrap_or_default();
    expect_line(
        &stdout,
        &format!("    last 2 lines of /ecs/{name} jobs/migrate/{task}:"),
    );
    assert!(
        stdout.lines().any(|l| l.starts_with("    | ")
            && l.ends_with(" error: relation \"orders\" already exists")),
        "{stdout}"
    );
}
