//! One-off tasks (`Deployer::run_task`, `ecs-deploy run`) through the scripted layer: a
//! migration (the service's family run with another command, as `rails db:migrate` is) run like
//! the stack's service of its family (launch type and network configuration, look-ups
//! resolved) with a command and environment as overrides, followed until it stops with the exit
//! code the layer scripts; a family no service runs, with awsvpc networking, refused before any
//! RunTask (the engine takes the network only from a service of the same family); a RunTask
//! retried after a lost answer that starts one task only (AWS's idempotency, which moto lacks),
//! and two without it; the layer's own RunTask rules checked call by call; and the CLI exiting
//! with the essential container's exit code.
//!
//! moto 5.2.5 runs tasks only for FARGATE without container instances, and crashes on a
//! container definition without `memory`: the stacks are FARGATE, with container memory. Each
//! library test works in a moto account of its own (`6700000000NN`); the CLI test in moto's
//! default account, with names of its own.

use crate::support;

use std::path::PathBuf;
use std::time::Duration;

use ecs_deploy::run::{RunEvent, RunOptions, TaskRun};
use ecs_deploy::{ApplyOptions, Deployer, Options, WaitOptions};
use ecs_model::Stack;
use ecs_model::load::from_value;
use serde_json::{Value, json};

use crate::support::script::Scripted;

/// What AWS says of a task stopped because its essential container exited.
const STOPPED_REASON: &str = "Essential container in task exited";

/// The cluster `cluster` with the FARGATE families `web` and `migrate` (named with `prefix`)
/// and the service `web` of `web`, in the default subnets and security group (look-ups). The
/// family `web` has an essential container `web` and a sidecar `log` that is not.
fn stack_value(cluster: &str, prefix: &str) -> Value {
    let family = |name: &str, containers: Value| {
        json!({
            "family": format!("{prefix}{name}"), "networkMode": "awsvpc",
            "requiresCompatibilities": ["FARGATE"], "cpu": "256", "memory": "512",
            "containerDefinitions": containers
        })
    };
    json!({
        "clusters": [{"clusterName": cluster}],
        "taskDefinitions": [
            family("web", json!([
                {"name": "web", "image": "shop/web:1.4", "memory": 64},
                {"name": "log", "image": "busybox:1.36", "memory": 64, "essential": false}
            ])),
            family("migrate", json!([{"name": "migrate", "image": "shop/migrate:1.4", "memory": 64}]))
        ],
        "services": [{
            "serviceName": "web", "cluster": cluster, "taskDefinition": format!("{prefix}web"),
            "launchType": "FARGATE", "desiredCount": 1,
            "networkConfiguration": {"awsvpcConfiguration": {
                "subnets": ["default"], "securityGroups": ["default"]
            }}
        }]
    })
}

fn stack() -> Stack {
    from_value::<Stack>(&stack_value("shop", ""))
        .value
        .expect("a stack")
}

/// Quick polls: the layer stops a scripted task on the second DescribeTasks.
fn quick() -> WaitOptions {
    WaitOptions::new(Duration::from_secs(20), Duration::from_millis(20))
}

/// A deployer of the stack `shop` through `scripted`, in moto account `account`, resolving
/// look-ups against the local endpoint, not waiting for deployments (moto runs no service
/// tasks).
async fn deployer(scripted: &Scripted, account: &str) -> Deployer {
    Deployer::new(
        support::ecs_at(&scripted.url, account).await,
        Options::new("shop"),
    )
    .apply_options(ApplyOptions::no_wait())
    .network(support::ec2::network(account))
}

async fn applied(scripted: &Scripted, account: &str) -> Deployer {
    let deployer = deployer(scripted, account).await;
    let plan = deployer.plan(&stack()).await.expect("plan");
    deployer.apply(&plan, |_| {}).await.expect("apply");
    deployer
}

/// The tasks moto has in the cluster `cluster` of `account`, whatever their status, asked of
/// moto itself.
fn tasks_in(account: &str, cluster: &str) -> Vec<String> {
    let mut arns: Vec<String> = ["RUNNING", "STOPPED"]
        .iter()
        .flat_map(|status| {
            let (code, listed) = support::raw(
                support::local_ecs::endpoint(),
                account,
                "ListTasks",
                &json!({"cluster": cluster, "desiredStatus": status}),
            );
            assert_eq!(code, 200, "{listed}");
            listed["taskArns"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|a| a.as_str().map(str::to_owned))
                .collect::<Vec<_>>()
        })
        .collect();
    arns.sort();
    arns.dedup();
    arns
}

/// The ID of the default VPC's `default` security group: what `default` stands for.
async fn default_group(account: &str) -> String {
    let described = support::ec2::client(account)
        .describe_security_groups()
        .send()
        .await
        .expect("DescribeSecurityGroups");
    let groups: Vec<String> = described
        .security_groups()
        .iter()
        .filter(|g| g.group_name() == Some("default"))
        .filter_map(|g| g.group_id().map(str::to_owned))
        .collect();
    assert_eq!(groups.len(), 1, "{groups:?}");
    groups[0].clone()
}

fn container<'r>(run: &'r TaskRun, name: &str) -> &'r ecs_deploy::run::ContainerExit {
    run.containers
        .iter()
        .find(|c| c.name == name)
        .unwrap_or_else(|| panic!("no container {name} in {run:?}"))
}

#[tokio::test]
async fn a_migration_runs_like_the_service_and_exits_with_its_code() {
    let account = "670000000001";
    let scripted = Scripted::start(support::local_ecs::endpoint());
    scripted.task_exit("web", 3, "migration failed");
    let deployer = applied(&scripted, account).await;

    let options = RunOptions::new("web")
        .command(vec!["bin/migrate".to_owned(), "--all".to_owned()])
        .env("MIGRATE_MODE", "strict")
        .wait(quick());
    let mut events = Vec::new();
    let run = deployer
        .run_task(&stack(), &options, |event| events.push(event))
        .await
        .expect("the task ran");

    assert_eq!(run.exit_code(), Some(3), "{run:?}");
    assert_eq!(run.last_status, "STOPPED");
    assert_eq!(run.stopped_reason.as_deref(), Some(STOPPED_REASON));
    assert_eq!(run.stop_code.as_deref(), Some("EssentialContainerExited"));
    let web = container(&run, "web");
    assert!(web.essential);
    assert_eq!(web.exit_code, Some(3));
    assert_eq!(web.reason.as_deref(), Some("migration failed"));
    let log = container(&run, "log");
    assert!(!log.essential);
    assert_eq!(log.exit_code, Some(0));
    assert!(run.task_arn.contains(":task/shop/"), "{run:?}");
    assert!(
        events.iter().any(|e| matches!(
            e, RunEvent::Started { task_arn, .. } if *task_arn == run.task_arn
        )),
        "{events:?}"
    );
    let statuses: Vec<&str> = events
        .iter()
        .filter_map(|e| match e {
            RunEvent::Status { last_status, .. } => Some(last_status.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(statuses, ["RUNNING", "STOPPED"], "{events:?}");

    // What the engine sent.
    let requests = scripted.run_task_requests();
    assert_eq!(requests.len(), 1, "{requests:#?}");
    let sent = &requests[0];
    let token = sent["clientToken"].as_str().unwrap_or_default();
    assert!(!token.is_empty() && token.len() <= 64, "{sent}");
    assert_eq!(sent["launchType"], "FARGATE", "{sent}");
    assert_eq!(sent["cluster"], "shop", "{sent}");
    assert!(
        sent["taskDefinition"]
            .as_str()
            .is_some_and(|t| t.ends_with("task-definition/web:1")),
        "{sent}"
    );
    let overrides = &sent["overrides"]["containerOverrides"];
    assert_eq!(overrides.as_array().map(Vec::len), Some(1), "{sent}");
    assert_eq!(overrides[0]["name"], "web");
    assert_eq!(overrides[0]["command"], json!(["bin/migrate", "--all"]));
    assert_eq!(
        overrides[0]["environment"],
        json!([{"name": "MIGRATE_MODE", "value": "strict"}])
    );
    let vpc = &sent["networkConfiguration"]["awsvpcConfiguration"];
    let subnets = support::ec2::default_subnets(account).await;
    assert!(!subnets.is_empty(), "moto's default VPC has subnets");
    assert_eq!(vpc["subnets"], json!(subnets), "{sent}");
    assert_eq!(
        vpc["securityGroups"],
        json!([default_group(account).await]),
        "{sent}"
    );
}

#[tokio::test]
async fn a_migration_no_service_runs_takes_the_network_of_the_stack_services() {
    let account = "670000000005";
    let scripted = Scripted::start(support::local_ecs::endpoint());
    scripted.task_exit("migrate", 3, "migration failed");
    let deployer = applied(&scripted, account).await;

    let options = RunOptions::new("migrate")
        .command(vec!["bin/migrate".to_owned()])
        .wait(quick());
    let run = deployer
        .run_task(&stack(), &options, |_| {})
        .await
        .expect("the migration runs");
    assert_eq!(run.exit_code(), Some(3), "{run:?}");
    let sent = scripted.run_task_requests();
    assert_eq!(sent.len(), 1, "{sent:?}");
    let vpc = &sent[0]["networkConfiguration"]["awsvpcConfiguration"];
    assert_eq!(
        vpc["subnets"],
        json!(support::ec2::default_subnets(account).await),
        "{sent:?}"
    );
    assert_eq!(sent[0]["launchType"], "FARGATE");
    assert_eq!(sent[0]["cluster"], "shop");
}

#[tokio::test]
async fn a_run_task_retried_after_a_lost_answer_starts_one_task() {
    let account = "670000000002";
    let scripted = Scripted::start(support::local_ecs::endpoint());
    scripted.play_run_task_idempotency();
    // Seed 14 rolls 38 then 94: the first RunTask's answer is lost, the retry's is not (with 100
    // percent every answer would be lost, the replayed ones too).
    scripted.lose_responses(&["RunTask"], 50, 14);
    let deployer = applied(&scripted, account).await;

    let run = deployer
        .run_task(&stack(), &RunOptions::new("web"), |_| {})
        .await
        .expect("the task ran");

    assert_eq!(scripted.lost(), 1);
    let requests = scripted.run_task_requests();
    assert_eq!(requests.len(), 2, "{requests:#?}");
    assert!(requests[0]["clientToken"].is_string());
    assert_eq!(requests[0], requests[1], "the retry is the same request");
    assert_eq!(tasks_in(account, "shop"), [run.task_arn]);
}

#[tokio::test]
async fn without_the_layers_idempotency_moto_starts_a_task_per_try() {
    let account = "670000000003";
    let scripted = Scripted::start(support::local_ecs::endpoint());
    scripted.lose_responses(&["RunTask"], 50, 14);
    let deployer = applied(&scripted, account).await;

    let run = deployer
        .run_task(&stack(), &RunOptions::new("web"), |_| {})
        .await
        .expect("the task ran");

    assert_eq!(scripted.lost(), 1);
    let tasks = tasks_in(account, "shop");
    assert_eq!(tasks.len(), 2, "{tasks:?}");
    assert!(tasks.contains(&run.task_arn));
}

#[tokio::test]
async fn the_layer_replays_a_token_refuses_it_with_other_parameters_and_stops_scripted_tasks() {
    let account = "670000000004";
    let scripted = Scripted::start(support::local_ecs::endpoint());
    scripted.play_run_task_idempotency();
    scripted.task_exit("web", 7, "boom");
    applied(&scripted, account).await;
    let input = json!({
        "cluster": "shop", "taskDefinition": "web", "launchType": "FARGATE",
        "clientToken": "token-1",
        "networkConfiguration": {"awsvpcConfiguration": {
            "subnets": support::ec2::default_subnets(account).await,
            "securityGroups": [default_group(account).await]
        }}
    });
    let run = |input: &Value| support::raw(&scripted.url, account, "RunTask", input);

    let (code, first) = run(&input);
    assert_eq!(code, 200, "{first}");
    let arn = first["tasks"][0]["taskArn"].as_str().expect("a task");
    assert_eq!(first["tasks"][0]["lastStatus"], "RUNNING");

    // The same token and parameters: the first task, without a second.
    let (code, again) = run(&input);
    assert_eq!(code, 200, "{again}");
    assert_eq!(again["tasks"].as_array().map(Vec::len), Some(1));
    assert_eq!(again["tasks"][0]["taskArn"], arn);
    assert_eq!(again["failures"], json!([]));
    assert_eq!(tasks_in(account, "shop"), [arn.to_owned()]);

    // The same token with other parameters: ConflictException naming the first task.
    let mut other = input.clone();
    other["startedBy"] = json!("someone else");
    let (code, conflict) = run(&other);
    assert_eq!(code, 400, "{conflict}");
    assert_eq!(conflict["__type"], "ConflictException");
    assert_eq!(conflict["resourceIds"], json!([arn]));

    // The same token in another cluster is another request: it reaches moto, which knows no
    // such cluster. A request without a token always reaches moto.
    let mut elsewhere = input.clone();
    elsewhere["cluster"] = json!("elsewhere");
    assert_eq!(run(&elsewhere).0, 400);
    let mut untokened = input.clone();
    if let Some(members) = untokened.as_object_mut() {
        members.remove("clientToken");
    }
    let (code, second) = run(&untokened);
    assert_eq!(code, 200, "{second}");
    assert_eq!(tasks_in(account, "shop").len(), 2);
    assert_eq!(scripted.run_task_requests().len(), 5);

    // The scripted task: RUNNING on the first describe, then STOPPED with its exit codes.
    let describe = || {
        let (code, described) = support::raw(
            &scripted.url,
            account,
            "DescribeTasks",
            &json!({"cluster": "shop", "tasks": [arn]}),
        );
        assert_eq!(code, 200, "{described}");
        described["tasks"][0].clone()
    };
    let running = describe();
    assert_eq!(running["lastStatus"], "RUNNING", "{running}");
    assert_eq!(running.get("stopCode"), None);
    assert!(
        running["containers"]
            .as_array()
            .is_some_and(|c| c.len() == 2
                && c.iter()
                    .all(|c| c["lastStatus"] == "RUNNING" && c.get("exitCode").is_none())),
        "{running}"
    );
    let stopped = describe();
    assert_eq!(stopped["lastStatus"], "STOPPED", "{stopped}");
    assert_eq!(stopped["desiredStatus"], "STOPPED");
    assert_eq!(stopped["stopCode"], "EssentialContainerExited");
    assert_eq!(stopped["stoppedReason"], STOPPED_REASON);
    assert!(stopped["stoppedAt"].is_number(), "{stopped}");
    let containers = stopped["containers"].as_array().expect("containers");
    let shown = |name: &str| {
        containers
            .iter()
            .find(|c| c["name"] == name)
            .unwrap_or_else(|| panic!("no {name} in {stopped}"))
            .clone()
    };
    let web = shown("web");
    assert_eq!(
        (&web["lastStatus"], &web["exitCode"], &web["reason"]),
        (&json!("STOPPED"), &json!(7), &json!("boom"))
    );
    let log = shown("log");
    assert_eq!(
        (&log["lastStatus"], &log["exitCode"], log.get("reason")),
        (&json!("STOPPED"), &json!(0), None)
    );
    // The replay shows the task as it is now.
    let (_, replayed) = run(&input);
    assert_eq!(replayed["tasks"][0]["lastStatus"], "STOPPED");
}

/// `ecs-deploy ARGS` against the layer; its exit code, stdout and stderr.
pub(crate) fn cli(scripted: &Scripted, args: &[&str]) -> (Option<i32>, String, String) {
    let output = support::cli_at(&scripted.url)
        .args(args)
        .output()
        .expect("ecs-deploy runs");
    (
        output.status.code(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[test]
fn the_cli_waits_for_the_task_and_exits_with_its_exit_code() {
    // moto's default account, shared with the other CLI tests: names of its own.
    let name = support::unique("cli-run");
    let prefix = format!("{name}-");
    let folder = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("run_task");
    std::fs::create_dir_all(&folder).expect("a folder for the stack file");
    let file = folder.join(format!("{name}.json"));
    let mut value = stack_value(&name, &prefix);
    value["name"] = json!(name);
    std::fs::write(&file, serde_json::to_string_pretty(&value).expect("json")).expect("written");
    let file = file.to_str().expect("a UTF-8 path");
    let web = format!("{prefix}web");

    let scripted = Scripted::start(support::local_ecs::endpoint());
    scripted.task_exit(&web, 3, "migration failed");
    let (code, stdout, stderr) = cli(
        &scripted,
        &["apply", "--stack", file, "--auto-approve", "--no-wait"],
    );
    assert_eq!(code, Some(0), "{stdout}\n{stderr}");

    let (code, stdout, stderr) = cli(
        &scripted,
        &[
            "run",
            "--stack",
            file,
            "--task",
            &web,
            "--env",
            "MIGRATE_MODE=strict",
            "--wait",
            "--wait-interval",
            "1",
            "--command",
            "bin/migrate",
            "--all",
        ],
    );
    assert_eq!(code, Some(3), "{stdout}\n{stderr}");
    let requests = scripted.run_task_requests();
    assert_eq!(requests.len(), 1, "{requests:#?}");
    let overrides = &requests[0]["overrides"]["containerOverrides"][0];
    assert_eq!(overrides["command"], json!(["bin/migrate", "--all"]));
    assert_eq!(
        overrides["environment"],
        json!([{"name": "MIGRATE_MODE", "value": "strict"}])
    );
    // The task's ARN first, then why it stopped and each container's exit code.
    let arn = stdout
        .lines()
        .next()
        .and_then(|l| l.strip_prefix("task "))
        .and_then(|l| l.split(' ').next())
        .unwrap_or_default();
    assert!(
        arn.starts_with("arn:aws:ecs:") && arn.contains(&format!(":task/{name}/")),
        "no task ARN first in:\n{stdout}"
    );
    let lines: Vec<&str> = stdout.lines().collect();
    for line in [
        format!("task {arn} stopped: {STOPPED_REASON}"),
        "  container web: exit code 3: migration failed".to_owned(),
        "  container log (not essential): exit code 0".to_owned(),
    ] {
        assert!(lines.contains(&line.as_str()), "no `{line}` in:\n{stdout}");
    }
}
