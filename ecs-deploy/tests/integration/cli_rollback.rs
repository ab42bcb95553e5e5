//! `ecs-deploy rollback` as a user runs it, against the local ECS endpoint: the plan it shows,
//! the service back on the previous revision, the revision left deregistered so that the next
//! `plan` registers the stack file again, `--to`, a service the stack does not manage, no
//! previous revision, a rollback deployment that fails, and the refusal to act unasked.
//!
//! As in `cli_deploy.rs`, the CLI works in moto's default account, with resource names of each
//! test's own; waiting goes through the scripted layer (`support::script`), since moto runs no
//! deployments.

use crate::support;

use std::path::{Path, PathBuf};
use std::process::Output;

use crate::support::script::{Outcome, Scripted};
use serde_json::{Value, json};

/// A name no other test (nor an earlier run against a server left running) uses.
fn unique(test: &str) -> String {
    support::unique(&format!("rb-{test}"))
}

/// The stack `name` (written to `<name>.json`): a cluster, a task definition family and the
/// services `services`, all named `name` but the services, at `image`.
fn stack_file(name: &str, image: &str, services: &[&str]) -> PathBuf {
    let services: Vec<Value> = services
        .iter()
        .map(|service| {
            json!({
                "serviceName": service, "cluster": name, "taskDefinition": name,
                "desiredCount": 1, "launchType": "EC2"
            })
        })
        .collect();
    let stack = json!({
        "name": name,
        "clusters": [{"clusterName": name}],
        "taskDefinitions": [{
            "family": name,
            "requiresCompatibilities": ["EC2"],
            "networkMode": "bridge",
            "containerDefinitions": [{"name": "web", "image": image, "memory": 128}]
        }],
        "services": services
    });
    let folder = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("cli_rollback");
    std::fs::create_dir_all(&folder).expect("a folder for the stack files");
    let path = folder.join(format!("{name}.json"));
    std::fs::write(&path, serde_json::to_string_pretty(&stack).expect("json")).expect("written");
    path
}

/// Runs `ecs-deploy ARGS` against `endpoint`, with dummy credentials and no terminal; the exit
/// code, stdout and stderr.
fn run_at(endpoint: &str, args: &[&str]) -> (Option<i32>, String, String) {
    let output: Output = support::cli_at(endpoint)
        .args(args)
        .output()
        .expect("ecs-deploy runs");
    (
        output.status.code(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

fn run(args: &[&str]) -> (Option<i32>, String, String) {
    run_at(support::local_ecs::endpoint(), args)
}

fn path_arg(path: &Path) -> &str {
    path.to_str().expect("a UTF-8 path")
}

/// Asserts that `text` has the line `line`, showing `text` when not.
fn expect_line(text: &str, line: impl AsRef<str>) {
    let line = line.as_ref();
    assert!(
        text.lines().any(|l| l == line),
        "no line `{line}` in:\n{text}"
    );
}

/// Asserts that `text` holds `part`, showing `text` when not.
fn expect_in(text: &str, part: impl AsRef<str>) {
    let part = part.as_ref();
    assert!(text.contains(part), "no `{part}` in:\n{text}");
}

/// The plan's line for the service `web` of the stack `name` going back from revision `from`
/// to `to` (the view `plan` and `apply` share).
fn rolled_back(name: &str, from: u32, to: u32) -> String {
    format!(
        "~ service {name}/web: update in place, which starts a new deployment of its tasks: back \
         from {name}:{from} to {name}:{to}, an earlier revision of its family"
    )
}

/// Applies the stack `name` at each image in turn, without waiting: revisions 1, 2...
fn applied(name: &str, images: &[&str], services: &[&str]) -> PathBuf {
    let mut file = PathBuf::new();
    for image in images {
        file = stack_file(name, image, services);
        let (code, stdout, stderr) = run(&[
            "apply",
            "--stack",
            path_arg(&file),
            "--auto-approve",
            "--no-wait",
        ]);
        assert_eq!(code, Some(0), "{stdout}\n{stderr}");
    }
    file
}

/// The `family:revision` each service of the stack runs, as `status` shows it.
fn running(file: &Path, service: &str) -> String {
    let (_, stdout, stderr) = run(&["status", "--stack", path_arg(file)]);
    let mut in_service = false;
    for line in stdout.lines() {
        if line.starts_with("service ") {
            in_service = line.contains(&format!("/{service}: "));
        } else if in_service && let Some(td) = line.strip_prefix("  task definition: ") {
            return td.to_owned();
        }
    }
    panic!("no task definition of {service} in:\n{stdout}\n{stderr}");
}

/// The `plan --format json` of the stack file: the exit code with `--detailed-exitcode`, and
/// the plan.
fn json_plan(file: &Path) -> (Option<i32>, Value) {
    let (code, stdout, stderr) = run(&[
        "plan",
        "--stack",
        path_arg(file),
        "--format",
        "json",
        "--detailed-exitcode",
    ]);
    let plan = serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{e}: {stdout}{stderr}"));
    (code, plan)
}

/// The change of the plan about `kind` (`taskDefinition`, `service`).
fn change<'p>(plan: &'p Value, kind: &str) -> &'p Value {
    plan["changes"]
        .as_array()
        .and_then(|c| c.iter().find(|c| c["address"]["kind"] == kind))
        .unwrap_or_else(|| panic!("no {kind} change in {plan:#}"))
}

#[test]
fn rollback_runs_the_previous_revision_and_the_next_plan_registers_the_file_again() {
    let name = unique("back");
    let file = applied(&name, &["nginx:1.26", "nginx:1.27"], &["web"]);
    assert_eq!(running(&file, "web"), format!("{name}:2"));

    let scripted = Scripted::start(support::local_ecs::endpoint());
    scripted.next_deployment("web", Outcome::Complete(2));
    let (code, stdout, stderr) = run_at(
        &scripted.url,
        &[
            "rollback",
            "--stack",
            path_arg(&file),
            "--auto-approve",
            "--wait-interval",
            "1",
        ],
    );
    assert_eq!(code, Some(0), "{stdout}\n{stderr}");
    for line in [
        format!("Plan for stack \"{name}\" (tag ecs-rs:stack={name}):"),
        rolled_back(&name, 2, 1),
        format!(
            "- old revisions of {name}: deregister {name}:2, rolled back from, so that the \
             family's latest ACTIVE revision is the one running"
        ),
        "Plan: 0 to create, 0 to register, 1 to update, 0 to replace, 1 to delete.".to_owned(),
        format!("~ service {name}/web: UpdateService ... done (ACTIVE, {name}:1)"),
        format!(
            "- old revisions of {name}: DeregisterTaskDefinition ... done (INACTIVE, {name}:2)"
        ),
    ] {
        expect_line(&stdout, line);
    }
    support::assert_followed_to_completion(&stdout, &format!("{name}/web"));
    assert!(
        stdout.ends_with("Rollback complete: 1 service rolled back, 1 revision deregistered.\n"),
        "{stdout}"
    );
    assert_eq!(running(&file, "web"), format!("{name}:1"));

    // The stack file (nginx:1.27) is a revision to register and deploy, not revision 2 again.
    let (code, plan) = json_plan(&file);
    assert_eq!(code, Some(2), "{plan:#}");
    let td = change(&plan, "taskDefinition");
    assert_eq!(
        td["steps"][0]["operation"], "RegisterTaskDefinition",
        "{td:#}"
    );
    assert_eq!(
        td["steps"][0]["input"]["containerDefinitions"][0]["image"],
        "nginx:1.27"
    );
    let service = change(&plan, "service");
    assert_eq!(service["action"], "update-and-deploy", "{service:#}");
    assert_eq!(
        service["steps"][0]["input"]["taskDefinition"],
        name.as_str()
    );

    // Applied again, the file is revision 3; revision 2 is deregistered and cannot be a target.
    applied(&name, &["nginx:1.27"], &["web"]);
    assert_eq!(running(&file, "web"), format!("{name}:3"));
    let (code, stdout, stderr) = run(&["rollback", "--stack", path_arg(&file), "--to", "2"]);
    assert_eq!(code, Some(1), "{stdout}\n{stderr}");
    expect_in(
        &stderr,
        format!("error: service {name}/web: {name}:2 is INACTIVE (deregistered)"),
    );
    expect_in(
        &stderr,
        "= hint: `ecs-deploy rollback` deregisters the revision it leaves",
    );
}

#[test]
fn to_picks_the_revision() {
    let name = unique("to");
    let file = applied(&name, &["nginx:1.25", "nginx:1.26", "nginx:1.27"], &["web"]);
    let (code, stdout, stderr) = run(&[
        "rollback",
        "--stack",
        path_arg(&file),
        "--to",
        "1",
        "--auto-approve",
        "--no-wait",
    ]);
    assert_eq!(code, Some(0), "{stdout}\n{stderr}");
    expect_line(&stdout, rolled_back(&name, 3, 1));
    expect_line(
        &stdout,
        "Rollback complete: 1 service rolled back, 1 revision deregistered.",
    );
    assert_eq!(running(&file, "web"), format!("{name}:1"));

    // Revision 2 is still ACTIVE but not older than 1: refused, nothing changes.
    let (code, stdout, stderr) = run(&[
        "rollback",
        "--stack",
        path_arg(&file),
        "--to",
        &format!("{name}:2"),
        "--auto-approve",
        "--no-wait",
    ]);
    assert_eq!(code, Some(1), "{stdout}\n{stderr}");
    expect_in(
        &stderr,
        format!(
            "error: service {name}/web: it runs {name}:1, and {name}:2 is not older: a rollback \
             only goes back"
        ),
    );
    expect_in(&stderr, "Nothing was changed.");
    assert_eq!(running(&file, "web"), format!("{name}:1"));

    // Not a revision at all: a usage error.
    let (code, _, stderr) = run(&["rollback", "--stack", path_arg(&file), "--to", "latest"]);
    assert_eq!(code, Some(2), "{stderr}");
    expect_in(&stderr, "`latest` is not a revision");
}

#[test]
fn a_service_without_the_stack_tag_is_left_alone() {
    let name = unique("untagged");
    applied(&name, &["nginx:1.26", "nginx:1.27"], &["web"]);
    // Someone else's service in the stack's cluster, on revision 2, without the tag.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    runtime.block_on(async {
        let ecs = support::ecs("123456789012").await; // moto's default account, the CLI's
        ecs.call(
            ecs_deploy::Operation::CreateService,
            &json!({"cluster": name, "serviceName": "legacy", "taskDefinition": format!("{name}:2"),
                    "desiredCount": 1, "launchType": "EC2"}),
        )
        .await
        .expect("created");
    });
    let file = stack_file(&name, "nginx:1.27", &["web", "legacy"]);

    let (code, stdout, stderr) = run(&[
        "rollback",
        "--stack",
        path_arg(&file),
        "--auto-approve",
        "--no-wait",
    ]);
    assert_eq!(code, Some(0), "{stdout}\n{stderr}");
    for line in [
        format!(
            "{}; {name}:2 stays ACTIVE: service {name}/legacy still runs it",
            rolled_back(&name, 2, 1)
        ),
        format!(
            "! service {name}/legacy: not changed: it exists without the ecs-rs:stack tag, so \
             another tool or person manages it"
        ),
        "1 resource of the stack is not managed by it and left alone (marked !).".to_owned(),
        "Rollback complete: 1 service rolled back, 0 revisions deregistered.".to_owned(),
    ] {
        expect_line(&stdout, line);
    }
    assert_eq!(running(&file, "web"), format!("{name}:1"));
    assert_eq!(running(&file, "legacy"), format!("{name}:2"));

    // Only the unmanaged one asked for: nothing to do.
    let (code, stdout, stderr) = run(&[
        "rollback",
        "--stack",
        path_arg(&file),
        "--service",
        "legacy",
    ]);
    assert_eq!(code, Some(0), "{stdout}\n{stderr}");
    assert!(stdout.ends_with("Nothing to roll back.\n"), "{stdout}");
    assert_eq!(running(&file, "legacy"), format!("{name}:2"));
}

#[test]
fn without_a_previous_revision_it_says_so_and_changes_nothing() {
    let name = unique("first");
    let file = applied(&name, &["nginx:1.26"], &["web"]);
    let (code, stdout, stderr) = run(&["rollback", "--stack", path_arg(&file), "--auto-approve"]);
    assert_eq!(code, Some(1), "{stdout}\n{stderr}");
    expect_line(
        &stderr,
        format!(
            "error: service {name}/web: it runs {name}:1, and {name} has no older ACTIVE \
             revision to go back to"
        ),
    );
    expect_in(&stderr, "Nothing was changed.");
    assert!(!stdout.contains("UpdateService"), "{stdout}");

    // A service the stack does not name.
    let (code, _, stderr) = run(&["rollback", "--stack", path_arg(&file), "--service", "api"]);
    assert_eq!(code, Some(1), "{stderr}");
    expect_in(&stderr, "error: not services of the stack: api");
}

#[test]
fn a_failed_rollback_deployment_fails_and_keeps_the_revision() {
    let name = unique("fail");
    let file = applied(&name, &["nginx:1.26", "nginx:1.27"], &["web"]);
    let scripted = Scripted::start(support::local_ecs::endpoint());
    scripted.next_deployment("web", Outcome::Fail(1));
    let (code, stdout, stderr) = run_at(
        &scripted.url,
        &[
            "rollback",
            "--stack",
            path_arg(&file),
            "--auto-approve",
            "--wait-interval",
            "1",
        ],
    );
    assert_eq!(code, Some(1), "{stdout}\n{stderr}");
    expect_in(
        &stderr,
        "error: a rollback deployment did not complete: service web: deployment ecs-svc/",
    );
    expect_in(
        &stderr,
        "ECS deployment circuit breaker: tasks failed to start.",
    );
    expect_in(&stderr, "No revision was deregistered");
    // Put back on the revision it ran, as `apply` puts back a failed deployment.
    expect_line(
        &stderr,
        format!("service {name}/web was put back on {name}:2."),
    );
    assert!(!stdout.contains("DeregisterTaskDefinition"), "{stdout}");
    // Revision 2 is still the family's latest ACTIVE revision.
    let (_, plan) = json_plan(&file);
    assert_eq!(
        change(&plan, "taskDefinition")["action"],
        "no-change",
        "{plan:#}"
    );
}

#[test]
fn without_a_terminal_or_approval_it_refuses() {
    let name = unique("refuse");
    let file = applied(&name, &["nginx:1.26", "nginx:1.27"], &["web"]);
    let (code, stdout, stderr) = run(&["rollback", "--stack", path_arg(&file)]);
    assert_eq!(code, Some(1), "{stdout}\n{stderr}");
    expect_line(&stdout, rolled_back(&name, 2, 1));
    assert!(
        stderr.contains("not rolled back") && stderr.contains("--auto-approve"),
        "{stderr}"
    );
    assert!(!stdout.contains("UpdateService"), "{stdout}");
    assert_eq!(running(&file, "web"), format!("{name}:2"));
}

#[test]
fn no_rollback_leaves_a_failed_rollback_deployment_as_it_is() {
    let name = unique("noback");
    let file = applied(&name, &["nginx:1.26", "nginx:1.27"], &["web"]);
    let scripted = Scripted::start(support::local_ecs::endpoint());
    scripted.next_deployment("web", Outcome::Fail(1));
    let (code, stdout, stderr) = run_at(
        &scripted.url,
        &[
            "rollback",
            "--stack",
            path_arg(&file),
            "--auto-approve",
            "--wait-interval",
            "1",
            "--no-rollback",
        ],
    );
    assert_eq!(code, Some(1), "{stdout}\n{stderr}");
    expect_in(&stderr, "No revision was deregistered");
    assert!(!stderr.contains("was put back on"), "{stderr}");
}
