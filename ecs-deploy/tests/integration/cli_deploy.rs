//! `ecs-deploy plan`, `apply` and `status` as a user runs them, against the local ECS endpoint:
//! exit codes, the plan's text and JSON, the refusal to apply unasked, progress, and an invalid
//! stack that never reaches AWS.
//!
//! The CLI reads its AWS configuration from the environment only, so it cannot send moto's
//! account header: every test works in moto's default account, with resource names of its own.
//! The stacks use the EC2 launch type with bridge networking, which the endpoint accepts
//! without any EC2 set-up. moto runs no tasks, so applies that are not about waiting pass
//! `--no-wait`; the ones that are go through the scripted layer (`support::script`).

use crate::support;

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::Output;

use crate::support::script::{Outcome, Scripted};
use serde_json::{Value, json};

/// A value the tests put in an environment variable named like a secret: it must never print.
const SECRET: &str = "tok-5e3c7b-do-not-print";

/// A name no other test (nor an earlier run against a server left running) uses.
fn unique(test: &str) -> String {
    support::unique(&format!("cli-{test}"))
}

/// A stack `name`: a cluster, a task definition family and a service of one container, all
/// named `name` (the service `web`), written to `<name>.json`.
fn stack_file(name: &str, image: &str) -> PathBuf {
    write_stack(name, &stack_value(name, image))
}

fn stack_value(name: &str, image: &str) -> Value {
    json!({
        "name": name,
        "clusters": [{"clusterName": name}],
        "taskDefinitions": [{
            "family": name,
            "requiresCompatibilities": ["EC2"],
            "networkMode": "bridge",
            "containerDefinitions": [{
                "name": "web", "image": image, "memory": 128,
                "portMappings": [{"containerPort": 80, "hostPort": 8080}],
                "environment": [
                    {"name": "MODE", "value": "production"},
                    {"name": "API_TOKEN", "value": SECRET}
                ]
            }]
        }],
        "services": [{
            "serviceName": "web", "cluster": name, "taskDefinition": name,
            "desiredCount": 1, "launchType": "EC2"
        }]
    })
}

fn write_stack(name: &str, stack: &Value) -> PathBuf {
    let folder = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("cli_deploy");
    std::fs::create_dir_all(&folder).expect("a folder for the stack files");
    let path = folder.join(format!("{name}.json"));
    std::fs::write(&path, serde_json::to_string_pretty(stack).expect("json")).expect("written");
    path
}

/// Runs `ecs-deploy ARGS` against `endpoint`, with dummy credentials and no terminal.
fn run_at(endpoint: &str, args: &[&str]) -> Output {
    run_with(endpoint, args, &[])
}

/// [`run_at`] with more environment variables.
fn run_with(endpoint: &str, args: &[&str], envs: &[(&str, &str)]) -> Output {
    let output = support::cli_at(endpoint)
        .args(args)
        .envs(envs.iter().copied())
        .output()
        .expect("ecs-deploy runs");
    support::assert_never_printed(&output, &[SECRET]);
    output
}

fn run(args: &[&str]) -> Output {
    run_at(support::local_ecs::endpoint(), args)
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Exit code, stdout and stderr, for assertions that show all three when they fail.
fn outcome(output: &Output) -> (Option<i32>, String, String) {
    (
        output.status.code(),
        text(&output.stdout),
        text(&output.stderr),
    )
}

/// Asserts that `text` holds `part`, showing `text` when not.
fn expect_in(text: &str, part: impl AsRef<str>) {
    let part = part.as_ref();
    assert!(text.contains(part), "no `{part}` in:\n{text}");
}

fn path_arg(path: &std::path::Path) -> &str {
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

/// Applies the stack file without waiting for its deployments; its output.
fn applied(file: &str) -> String {
    let (code, stdout, stderr) = outcome(&run(&[
        "apply",
        "--stack",
        file,
        "--auto-approve",
        "--no-wait",
    ]));
    assert_eq!(code, Some(0), "{stdout}\n{stderr}");
    stdout
}

#[test]
fn plan_on_an_empty_account_shows_the_creations() {
    let name = unique("create");
    let file = stack_file(&name, "nginx:1.26");
    let file = path_arg(&file);
    let (code, stdout, stderr) = outcome(&run(&["plan", "--stack", file, "--detailed-exitcode"]));
    assert_eq!(code, Some(2), "{stdout}\n{stderr}");
    for line in [
        format!("Plan for stack \"{name}\" (tag ecs-rs:stack={name}):"),
        format!("+ cluster {name}: create"),
        format!("  + clusterName: \"{name}\""),
        format!("+ task definition {name}: create"),
        format!("+ service {name}/web: create"),
        "  + desiredCount: 1".to_owned(),
        "Plan: 3 to create, 0 to register, 0 to update, 0 to replace.".to_owned(),
    ] {
        expect_line(&stdout, line);
    }
    let (code, ..) = outcome(&run(&["plan", "--stack", file]));
    assert_eq!(code, Some(0), "without --detailed-exitcode, success is 0");
}

#[test]
fn apply_then_plan_finds_no_changes() {
    let name = unique("apply");
    let file = stack_file(&name, "nginx:1.26");
    let file = path_arg(&file);
    let stdout = applied(file);
    for line in [
        format!("+ cluster {name}: CreateCluster ... done (ACTIVE)"),
        format!("+ task definition {name}: RegisterTaskDefinition ... done ({name}:1)"),
        format!("+ service {name}/web: CreateService ... done (ACTIVE, {name}:1)"),
        "Apply complete: 3 created, 0 registered, 0 updated, 0 replaced.".to_owned(),
    ] {
        expect_line(&stdout, line);
    }

    let (code, stdout, stderr) = outcome(&run(&["plan", "--stack", file, "--detailed-exitcode"]));
    assert_eq!(code, Some(0), "{stdout}\n{stderr}");
    assert!(
        stdout.ends_with("No changes. AWS matches the stack.\n"),
        "{stdout}"
    );
    let (code, stdout, _) = outcome(&run(&["apply", "--stack", file]));
    assert_eq!(code, Some(0), "nothing to apply needs no approval");
    assert!(stdout.ends_with("Nothing to apply.\n"), "{stdout}");
}

#[test]
fn an_image_bump_is_one_field_line() {
    let name = unique("bump");
    applied(path_arg(&stack_file(&name, "nginx:1.26")));
    let file = stack_file(&name, "nginx:1.27");
    let (code, stdout, stderr) = outcome(&run(&[
        "plan",
        "--stack",
        path_arg(&file),
        "--detailed-exitcode",
    ]));
    assert_eq!(code, Some(2), "{stdout}\n{stderr}");
    let changed: Vec<&str> = stdout
        .lines()
        .filter(|l| l.contains(" -> ") && !l.contains("taskDefinition: "))
        .collect();
    assert_eq!(
        changed,
        ["          ~ image: \"nginx:1.26\" -> \"nginx:1.27\""],
        "{stdout}"
    );
    expect_in(
        &stdout,
        "  ~ containerDefinitions: [\n      ~ {\n            name: \"web\"\n          ~ image: ",
    );
    expect_in(
        &stdout,
        format!("~ task definition {name}: revision 1 differs; a new revision is registered\n"),
    );
    assert!(
        stdout.ends_with("Plan: 0 to create, 1 to register, 1 to update, 0 to replace.\n"),
        "{stdout}"
    );
}

/// `plan --format markdown` against the endpoint, for a pull request comment: the counts, a
/// table of what changes (the unchanged cluster only counted), and a collapsed diff per
/// resource with the image's old and new lines; the secret, changed too, stays redacted.
#[test]
fn the_markdown_plan_is_a_table_and_a_collapsed_diff_per_resource() {
    let name = unique("markdown");
    applied(path_arg(&stack_file(&name, "nginx:1.26")));
    let mut bumped = stack_value(&name, "nginx:1.27");
    bumped["taskDefinitions"][0]["containerDefinitions"][0]["environment"][1]["value"] =
        json!(format!("{SECRET}-rotated"));
    let file = write_stack(&format!("{name}-bumped"), &bumped);
    let (code, stdout, stderr) = outcome(&run(&[
        "plan",
        "--stack",
        path_arg(&file),
        "--format",
        "markdown",
        "--detailed-exitcode",
    ]));
    assert_eq!(code, Some(2), "{stdout}\n{stderr}");
    assert!(
        stdout.starts_with(&format!("### Plan for stack `{name}`\n")),
        "{stdout}"
    );
    for line in [
        "Plan: 0 to create, 1 to register, 1 to update, 0 to replace.".to_owned(),
        "| `=` no change | 1 |".to_owned(),
        "| `~` register | 1 |".to_owned(),
        "| `~` update and deploy | 1 |".to_owned(),
        format!(
            "| `~` | task definition {name} | register | revision 1 differs; a new revision is \
             registered |"
        ),
        format!(
            "<details><summary><code>~</code> task definition {name}: revision 1 differs; a \
             new revision is registered</summary>"
        ),
        format!(
            "| `~` | service {name}/web | update and deploy | starts a new deployment of its \
             tasks |"
        ),
        "```diff".to_owned(),
        "-         image: \"nginx:1.26\"".to_owned(),
        "+         image: \"nginx:1.27\"".to_owned(),
        "-                 value: (sensitive)".to_owned(),
        "+                 value: (sensitive)".to_owned(),
        "</details>".to_owned(),
    ] {
        expect_line(&stdout, line);
    }
    assert!(!stdout.contains(&format!("| cluster {name} |")), "{stdout}");
    assert!(!stdout.contains("\x1b["), "no colors: {stdout}");
}

#[test]
fn apply_without_a_terminal_or_approval_refuses() {
    let name = unique("refuse");
    let file = stack_file(&name, "nginx:1.26");
    let file = path_arg(&file);
    let (code, stdout, stderr) = outcome(&run(&["apply", "--stack", file]));
    assert_eq!(code, Some(1), "{stdout}\n{stderr}");
    expect_in(&stdout, "Plan: 3 to create");
    assert!(
        stderr.contains("not applied") && stderr.contains("--auto-approve"),
        "{stderr}"
    );
    assert!(!stdout.contains("... done"), "nothing was called: {stdout}");
    let (code, stdout, _) = outcome(&run(&["plan", "--stack", file, "--detailed-exitcode"]));
    assert_eq!(code, Some(2));
    expect_in(&stdout, "Plan: 3 to create");
}

#[test]
fn the_json_plan_is_the_plan_with_secrets_redacted() {
    let name = unique("json");
    let file = stack_file(&name, "nginx:1.26");
    let (code, stdout, stderr) = outcome(&run(&[
        "plan",
        "--stack",
        path_arg(&file),
        "--format",
        "json",
        "--detailed-exitcode",
    ]));
    assert_eq!(code, Some(2), "{stdout}\n{stderr}");
    let plan: Value = serde_json::from_str(&stdout).expect("one JSON document");
    assert_eq!(plan["stack"], name.as_str());
    let actions: Vec<&str> = plan["changes"]
        .as_array()
        .expect("changes")
        .iter()
        .map(|c| c["action"].as_str().expect("an action"))
        .collect();
    assert_eq!(actions, ["create", "create", "create"]);
    let register = &plan["changes"][1]["steps"][0];
    assert_eq!(register["operation"], "RegisterTaskDefinition");
    assert_eq!(
        register["input"]["containerDefinitions"][0]["environment"],
        json!([
            {"name": "MODE", "value": "production"},
            {"name": "API_TOKEN", "value": "(sensitive)"}
        ])
    );
}

#[test]
fn status_shows_the_services_and_fails_on_a_missing_one() {
    let name = unique("status");
    let file = stack_file(&name, "nginx:1.26");
    let file = path_arg(&file);
    let (code, stdout, _) = outcome(&run(&["status", "--stack", file]));
    assert_eq!(code, Some(1), "nothing exists yet: {stdout}");
    expect_in(&stdout, format!("service {name}/web: MISSING"));

    applied(file);
    let (code, stdout, stderr) = outcome(&run(&["status", "--stack", file]));
    assert_eq!(code, Some(0), "{stdout}\n{stderr}");
    for line in [
        format!("cluster {name}: ACTIVE"),
        format!("service {name}/web: ACTIVE, 1 desired"),
        format!("  task definition: {name}:1"),
        "  deployments:".to_owned(),
        "    PRIMARY ecs-svc/".to_owned(),
    ] {
        assert!(
            stdout.lines().any(|l| l.starts_with(&line)),
            "no `{line}` in:\n{stdout}"
        );
    }
}

#[test]
fn an_invalid_stack_never_reaches_aws() {
    let name = unique("invalid");
    let file = write_stack(
        &name,
        &json!({"taskDefinitions": [{
            "family": name,
            "requiresCompatibilities": ["FARGATE"],
            "networkMode": "awsvpc",
            "cpu": "256", "memory": "4096",
            "containerDefinitions": [{"name": "web", "image": "nginx"}]
        }]}),
    );
    // An endpoint that notes any connection: nothing may connect to it.
    let listener = TcpListener::bind("127.0.0.1:0").expect("a port");
    listener.set_nonblocking(true).expect("non-blocking");
    let endpoint = format!("http://{}", listener.local_addr().expect("an address"));
    for command in [
        &["plan", "--stack", path_arg(&file)][..],
        &["apply", "--stack", path_arg(&file), "--auto-approve"],
        &["status", "--stack", path_arg(&file)],
    ] {
        let (code, stdout, stderr) = outcome(&run_at(&endpoint, command));
        assert_eq!(code, Some(1), "{command:?}: {stdout}\n{stderr}");
        expect_in(&stderr, "error[fargate-cpu-memory]");
        expect_in(&stderr, "nothing was sent to AWS");
        assert!(stdout.is_empty(), "{command:?}: {stdout}");
    }
    assert!(
        matches!(listener.accept(), Err(e) if e.kind() == std::io::ErrorKind::WouldBlock),
        "the CLI connected to AWS"
    );
}

#[test]
fn the_stack_s_name_is_the_file_s_and_name_overrides_it() {
    let name = unique("named");
    let mut value = stack_value(&name, "nginx:1.26");
    value.as_object_mut().expect("an object").remove("name");
    let file = write_stack(&name, &value);
    let file = path_arg(&file).to_owned();

    // Without a name, apply refuses before any call.
    let listener = TcpListener::bind("127.0.0.1:0").expect("a port");
    listener.set_nonblocking(true).expect("non-blocking");
    let endpoint = format!("http://{}", listener.local_addr().expect("an address"));
    let (code, stdout, stderr) = outcome(&run_at(
        &endpoint,
        &["apply", "--stack", &file, "--auto-approve"],
    ));
    assert_eq!(code, Some(1), "{stdout}\n{stderr}");
    assert!(stdout.is_empty(), "{stdout}");
    expect_in(
        &stderr,
        format!(
            "error: apply changes what carries the stack's ecs-rs:stack tag, so the stack needs \
             a name, and {file} has none: add \"name\": \"{name}\" to {file}, or pass --name"
        ),
    );
    assert!(
        matches!(listener.accept(), Err(e) if e.kind() == std::io::ErrorKind::WouldBlock),
        "the CLI connected to AWS"
    );

    // plan goes on with the file's name, and says so.
    let (code, stdout, stderr) = outcome(&run(&["plan", "--stack", &file, "--detailed-exitcode"]));
    assert_eq!(code, Some(2), "{stdout}\n{stderr}");
    expect_in(
        &stderr,
        format!(
            "note: {file} has no \"name\": the stack's name `{name}` is taken from the file's \
             name"
        ),
    );
    expect_in(&stdout, format!("Plan for stack \"{name}\""));

    // --name wins over the file's `name`, with a note.
    value["name"] = json!("another-stack");
    write_stack(&name, &value);
    let (code, stdout, stderr) = outcome(&run(&["plan", "--stack", &file, "--name", &name]));
    assert_eq!(code, Some(0), "{stdout}\n{stderr}");
    expect_in(
        &stderr,
        format!(
            "note: the stack's name is `{name}` (--name), not `another-stack` as {file} names it"
        ),
    );
    expect_in(&stdout, format!("Plan for stack \"{name}\""));
}

/// Creates the stack of `test` at nginx:1.26 (without waiting), then applies it at `image`
/// through the scripted layer, whose next deployment of the service has `outcome`.
fn redeploy(test: &str, image: &str, outcome: Outcome) -> (String, Output) {
    let scripted = Scripted::start(support::local_ecs::endpoint());
    let name = unique(test);
    applied(path_arg(&stack_file(&name, "nginx:1.26")));
    scripted.next_deployment("web", outcome);
    let file = stack_file(&name, image);
    let args = [
        "apply",
        "--stack",
        path_arg(&file),
        "--auto-approve",
        "--wait-interval",
        "1",
    ];
    (name, run_at(&scripted.url, &args))
}

#[test]
fn apply_follows_the_deployment_until_it_completes() {
    let (name, output) = redeploy("wait", "nginx:1.27", Outcome::Complete(2));
    let (code, stdout, stderr) = outcome(&output);
    assert_eq!(code, Some(0), "{stdout}\n{stderr}");
    expect_in(
        &stdout,
        format!("~ task definition {name}: RegisterTaskDefinition ... done ({name}:2)\n"),
    );
    support::assert_followed_to_completion(&stdout, &format!("{name}/web"));
    assert!(
        stdout.ends_with("Apply complete: 0 created, 1 registered, 1 updated, 0 replaced.\n"),
        "{stdout}"
    );
}

#[test]
fn a_failed_deployment_fails_the_apply_and_is_rolled_back() {
    let (name, output) = redeploy("rollback", "nginx:broken", Outcome::Fail(1));
    let (code, stdout, stderr) = outcome(&output);
    assert_eq!(code, Some(1), "{stdout}\n{stderr}");
    expect_in(
        &stdout,
        format!("- service {name}/web: rolled back to {name}:1\n"),
    );
    expect_in(&stderr, "error: service web: deployment ecs-svc/");
    expect_in(
        &stderr,
        format!("service {name}/web was put back on {name}:1."),
    );
}

#[test]
fn prune_deletes_what_left_the_file_and_destroy_deletes_the_rest() {
    let name = unique("prune");
    let file = stack_file(&name, "nginx:1.26");
    let file = path_arg(&file).to_owned();
    applied(&file);
    // The service leaves the file; the cluster and the family stay.
    let mut smaller = stack_value(&name, "nginx:1.26");
    smaller["services"] = json!([]);
    write_stack(&name, &smaller);
    let (code, stdout, stderr) = outcome(&run(&["plan", "--stack", &file, "--detailed-exitcode"]));
    assert_eq!(code, Some(0), "without --prune: {stdout}\n{stderr}");
    // Pruning needs the stack's name, the file's or --name, not taken from the file's name.
    let mut unnamed = smaller.clone();
    unnamed.as_object_mut().expect("an object").remove("name");
    write_stack(&name, &unnamed);
    let (code, _, stderr) = outcome(&run(&["plan", "--stack", &file, "--prune"]));
    assert_eq!(code, Some(1), "{stderr}");
    expect_in(
        &stderr,
        "error: --prune changes what carries the stack's ecs-rs:stack tag",
    );
    expect_in(
        &stderr,
        format!("add \"name\": \"{name}\" to {file}, or pass --name"),
    );
    let (code, stdout, stderr) = outcome(&run(&[
        "plan",
        "--stack",
        &file,
        "--name",
        &name,
        "--prune",
        "--detailed-exitcode",
    ]));
    assert_eq!(code, Some(2), "{stdout}\n{stderr}");
    expect_line(
        &stdout,
        format!("- service {name}/web: delete: the stack no longer names it"),
    );
    expect_line(
        &stdout,
        "Plan: 0 to create, 0 to register, 0 to update, 0 to replace, 1 to delete.",
    );
    // The file's name does too.
    write_stack(&name, &smaller);
    let (code, stdout, stderr) = outcome(&run(&[
        "apply",
        "--stack",
        &file,
        "--prune",
        "--auto-approve",
        "--no-wait",
    ]));
    assert_eq!(code, Some(0), "{stdout}\n{stderr}");
    expect_line(
        &stdout,
        format!("- service {name}/web: DeleteService ... done (INACTIVE, {name}:1)"),
    );
    expect_line(
        &stdout,
        "Apply complete: 0 created, 0 registered, 0 updated, 0 replaced, 1 deleted.",
    );

    // destroy needs the stack's name too, asks first, and without a terminal refuses.
    write_stack(&name, &unnamed);
    let (code, _, stderr) = outcome(&run(&["destroy", "--stack", &file, "--auto-approve"]));
    assert_eq!(code, Some(1), "{stderr}");
    expect_in(
        &stderr,
        "destroy changes what carries the stack's ecs-rs:stack tag, so the stack needs a name",
    );
    write_stack(&name, &smaller);
    let (code, stdout, stderr) = outcome(&run(&["destroy", "--stack", &file]));
    assert_eq!(code, Some(1), "{stdout}\n{stderr}");
    expect_in(&stderr, "not destroyed: stdin is not a terminal");
    let (code, stdout, stderr) = outcome(&run(&[
        "destroy",
        "--stack",
        &file,
        "--name",
        &name,
        "--auto-approve",
    ]));
    assert_eq!(code, Some(0), "{stdout}\n{stderr}");
    expect_line(
        &stdout,
        format!("- task definition {name}: the stack is destroyed: deregister {name}:1"),
    );
    expect_line(
        &stdout,
        format!("- cluster {name}: delete: the stack is destroyed"),
    );
    expect_line(&stdout, "Destroy complete: 2 resources deleted.");
    let (code, stdout, _) = outcome(&run(&["destroy", "--stack", &file, "--name", &name]));
    assert_eq!(code, Some(0), "{stdout}");
    assert!(stdout.ends_with("Nothing to destroy.\n"), "{stdout}");
}

#[test]
fn throttled_calls_are_retried_more_than_the_sdk_default() {
    let name = unique("throttled");
    let file = stack_file(&name, "nginx:1.26");
    let file = path_arg(&file);
    // Four throttled answers in a row: the SDK's default of 3 attempts would give up; the
    // CLI's tuned retries (8 attempts) get through.
    let scripted = Scripted::start(support::local_ecs::endpoint());
    scripted.throttle_first("DescribeClusters", 4);
    let (code, stdout, stderr) = outcome(&run_at(&scripted.url, &["plan", "--stack", file]));
    assert_eq!(code, Some(0), "{stdout}\n{stderr}");
    assert_eq!(scripted.throttled(), 4);

    // The user's own setting wins.
    let scripted = Scripted::start(support::local_ecs::endpoint());
    scripted.throttle_first("DescribeClusters", 4);
    let (code, stdout, stderr) = outcome(&run_with(
        &scripted.url,
        &["plan", "--stack", file],
        &[("AWS_MAX_ATTEMPTS", "2")],
    ));
    assert_eq!(code, Some(1), "{stdout}\n{stderr}");
    expect_in(&stderr, "ThrottlingException");
    assert_eq!(scripted.throttled(), 2);
}

#[test]
fn a_change_no_call_can_make_is_shown_and_fails_the_apply() {
    let name = unique("blocked");
    let provider = |group: &str| {
        json!({
            "name": name,
            "capacityProviders": [{
                "name": name,
                "autoScalingGroupProvider": {
                    "autoScalingGroupArn": format!(
                        "arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:1:\
                         autoScalingGroupName/{group}"
                    )
                }
            }]
        })
    };
    let file = write_stack(&name, &provider("first"));
    let file = path_arg(&file).to_owned();
    applied(&file);
    write_stack(&name, &provider("second"));
    let (code, stdout, stderr) = outcome(&run(&["plan", "--stack", &file, "--detailed-exitcode"]));
    assert_eq!(code, Some(2), "{stdout}\n{stderr}");
    expect_in(
        &stdout,
        format!(
            "! capacity provider {name}: cannot be applied: \
             `autoScalingGroupProvider.autoScalingGroupArn` cannot be changed"
        ),
    );
    let (code, stdout, stderr) = outcome(&run(&["apply", "--stack", &file, "--auto-approve"]));
    assert_eq!(code, Some(1), "{stdout}\n{stderr}");
    expect_in(
        &stderr,
        "still differs from the stack: no call can make it match",
    );
}

#[test]
fn force_new_deployment_redeploys_an_unchanged_service() {
    let name = unique("force");
    let file = stack_file(&name, "nginx:1.26");
    let file = path_arg(&file);
    applied(file);
    let forced = |flag: &str| {
        let (code, stdout, stderr) = outcome(&run(&[
            "plan",
            "--stack",
            file,
            "--detailed-exitcode",
            flag,
        ]));
        assert_eq!(code, Some(2), "{stdout}\n{stderr}");
        stdout
    };
    for flag in [
        "--force-new-deployment".to_owned(),
        "--force-new-deployment=web".to_owned(),
        format!("--force-new-deployment={name}/web"),
    ] {
        let stdout = forced(&flag);
        expect_in(&stdout, format!("~ service {name}/web: "));
        expect_in(&stdout, "a new deployment is forced");
        expect_line(&stdout, format!("= task definition {name} (no change)"));
    }
    // Another service's name forces nothing.
    let (code, stdout, stderr) = outcome(&run(&[
        "plan",
        "--stack",
        file,
        "--detailed-exitcode",
        "--force-new-deployment=other",
    ]));
    assert_eq!(code, Some(0), "{stdout}\n{stderr}");
    let (code, stdout, stderr) = outcome(&run(&[
        "apply",
        "--stack",
        file,
        "--auto-approve",
        "--no-wait",
        "--force-new-deployment",
    ]));
    assert_eq!(code, Some(0), "{stdout}\n{stderr}");
    expect_in(
        &stdout,
        format!("~ service {name}/web: UpdateService ... done"),
    );
}

/// The README's quick start: the stack `examples/hello.rs` prints (the committed
/// `examples/json/hello-stack.json`, which a test keeps equal to it), applied as the README runs
/// it, on an endpoint of its own reporting the service's task running: the apply waits for the
/// deployment, and the plan after it has nothing to do. The stack's name is the file's.
#[test]
fn the_quick_start_deploys_and_then_plans_no_changes() {
    let moto = support::local_ecs::start_with(&[("MOTO_ECS_SERVICE_RUNNING", "1")]);
    let file =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/json/hello-stack.json");
    let file = path_arg(&file);
    let (code, stdout, stderr) = outcome(&run_at(
        &moto.url,
        &["apply", "--stack", file, "--auto-approve"],
    ));
    assert_eq!(code, Some(0), "{stdout}\n{stderr}");
    expect_line(
        &stdout,
        "Plan for stack \"hello\" (tag ecs-rs:stack=hello):",
    );
    expect_line(
        &stdout,
        "+ service hello/hello: CreateService ... done (ACTIVE, hello:1)",
    );
    assert!(
        stdout.lines().any(
            |l| l.starts_with("  service hello/hello: deployment ecs-svc/")
                && l.contains(" completed ")
        ),
        "{stdout}"
    );
    expect_line(
        &stdout,
        "Apply complete: 3 created, 0 registered, 0 updated, 0 replaced.",
    );
    // The look-ups of `default` went through EC2 (the service runs in the default subnets).
    expect_in(
        &stderr,
        "lookup: service hello, subnets \"default\" -> subnet-",
    );

    let (code, stdout, stderr) = outcome(&run_at(
        &moto.url,
        &["plan", "--stack", file, "--detailed-exitcode"],
    ));
    assert_eq!(code, Some(0), "{stdout}\n{stderr}");
    assert!(
        stdout.ends_with("No changes. AWS matches the stack.\n"),
        "{stdout}"
    );
}
