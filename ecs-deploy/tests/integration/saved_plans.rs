//! `ecs-deploy plan --out PLANFILE` and `ecs-deploy apply PLANFILE` as a user runs them against
//! the local ECS endpoint: the saved plan applied as reviewed, refused once AWS changed under
//! it (and AWS left as it was), and files that are not a saved plan of this version refused
//! with what to do.
//!
//! The CLI works in moto's default account (it sends no account header), so every test names
//! its own resources; the changes made behind the plan's back go through `support::raw` to the
//! same account. The stacks use the EC2 launch type with bridge networking (no EC2 set-up), and
//! applies pass `--no-wait`: moto runs no tasks.

use std::path::{Path, PathBuf};
use std::process::Output;

use serde_json::{Value, json};

use crate::support;

/// moto's default account: the CLI's.
const ACCOUNT: &str = "123456789012";

/// An environment value named like a secret: the plan shown never prints it.
const SECRET: &str = "pw-81c2f4-saved-plan";

/// The value of the variable `DB_PASSWORD`, in a variable whose name is not a secret's: only
/// the variable's name says it is one.
const VARIABLE_SECRET: &str = "var-5d09e1-saved-plan";

/// A cluster, a task definition family and a service `web` of one container, all named `name`.
fn stack(name: &str, image: &str) -> Value {
    json!({
        "clusters": [{"clusterName": name}],
        "taskDefinitions": [{
            "family": name,
            "requiresCompatibilities": ["EC2"],
            "networkMode": "bridge",
            "containerDefinitions": [{
                "name": "web", "image": image, "memory": 128,
                "portMappings": [{"containerPort": 80, "hostPort": 8080}],
                "environment": [{"name": "DB_PASSWORD", "value": SECRET}]
            }]
        }],
        "services": [{
            "serviceName": "web", "cluster": name, "taskDefinition": name,
            "desiredCount": 1, "launchType": "EC2"
        }]
    })
}

/// A file of this test's folder: `file_name` under `CARGO_TARGET_TMPDIR/saved_plans`.
fn path(file_name: &str) -> PathBuf {
    let folder = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("saved_plans");
    std::fs::create_dir_all(&folder).expect("a folder for the files");
    folder.join(file_name)
}

/// Writes `value` as the JSON file `file_name`; its path as text.
fn write(file_name: &str, value: &Value) -> String {
    let path = path(file_name);
    std::fs::write(&path, serde_json::to_string_pretty(value).expect("json")).expect("written");
    text_of(&path)
}

fn text_of(path: &Path) -> String {
    path.to_str().expect("a UTF-8 path").to_owned()
}

/// Runs `ecs-deploy ARGS` against the local endpoint, without a terminal: its exit code,
/// stdout and stderr; neither shows the secret.
fn run(args: &[&str]) -> (Option<i32>, String, String) {
    let output: Output = support::cli_at(support::local_ecs::endpoint())
        .args(args)
        .output()
        .expect("ecs-deploy runs");
    support::assert_never_printed(&output, &[SECRET, VARIABLE_SECRET]);
    let text = |bytes: &[u8]| String::from_utf8_lossy(bytes).into_owned();
    (
        output.status.code(),
        text(&output.stdout),
        text(&output.stderr),
    )
}

/// Plans `stack_file` as the stack `name` (with `DB_PASSWORD` set) and saves the plan to
/// `plan_file`; stdout.
fn plan_out(stack_file: &str, name: &str, plan_file: &str) -> String {
    let variable = format!("DB_PASSWORD={VARIABLE_SECRET}");
    let (code, stdout, stderr) = run(&[
        "plan", "--stack", stack_file, "--name", name, "--out", plan_file, "--var", &variable,
    ]);
    assert_eq!(code, Some(0), "{stdout}\n{stderr}");
    assert!(
        stdout.ends_with(&format!(
            "\nSaved the plan to {plan_file}; apply it with: ecs-deploy apply {plan_file}\n"
        )),
        "{stdout}"
    );
    stdout
}

/// The service `web` of cluster `name`, as DescribeServices shows it.
fn service(name: &str) -> Value {
    let (status, answer) = support::raw(
        support::local_ecs::endpoint(),
        ACCOUNT,
        "DescribeServices",
        &json!({"cluster": name, "services": ["web"]}),
    );
    assert_eq!(status, 200, "{answer}");
    answer["services"][0].clone()
}

/// The ARNs of the ACTIVE revisions of the family `name`.
fn revisions(name: &str) -> Vec<Value> {
    let (status, answer) = support::raw(
        support::local_ecs::endpoint(),
        ACCOUNT,
        "ListTaskDefinitions",
        &json!({"familyPrefix": name, "status": "ACTIVE"}),
    );
    assert_eq!(status, 200, "{answer}");
    answer["taskDefinitionArns"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

fn expect_in(text: &str, part: impl AsRef<str>) {
    let part = part.as_ref();
    assert!(text.contains(part), "no `{part}` in:\n{text}");
}

#[test]
fn a_saved_plan_is_applied_as_reviewed_then_is_stale() {
    let name = support::unique("saved-apply");
    // A value holding the variable DB_PASSWORD, under a name that is not a secret's.
    let mut value = stack(&name, "nginx:1.26");
    value["taskDefinitions"][0]["containerDefinitions"][0]["environment"]
        .as_array_mut()
        .expect("the environment")
        .push(json!({"name": "DB_AUTH", "value": "app:${DB_PASSWORD}"}));
    let stack_file = write(&format!("{name}.json"), &value);
    let plan_file = text_of(&path(&format!("{name}.plan.json")));
    let stdout = plan_out(&stack_file, &name, &plan_file);
    expect_in(
        &stdout,
        "Plan: 3 to create, 0 to register, 0 to update, 0 to replace.",
    );
    // The file: format 1, the stack's name, one digest per change, the plan shown redacted.
    let saved: Value =
        serde_json::from_str(&std::fs::read_to_string(&plan_file).expect("saved")).expect("json");
    assert_eq!(saved["format"], 1);
    assert_eq!(saved["stackName"], name.as_str());
    let changes = saved["changes"].as_array().expect("changes");
    assert_eq!(changes.len(), 3);
    assert!(
        changes.iter().all(|c| c["digest"]
            .as_str()
            .is_some_and(|d| d.starts_with("sha256:") && d.len() == 71)),
        "{changes:?}"
    );
    assert!(!saved["plan"].to_string().contains(SECRET));
    // The variable's value is in the stack (it is applied) and marked, not in the plan shown.
    assert!(saved["stack"].to_string().contains(VARIABLE_SECRET));
    assert!(!saved["plan"].to_string().contains(VARIABLE_SECRET));
    assert_eq!(
        saved["sensitive"],
        json!(["taskDefinitions[0].containerDefinitions[0].environment[1].value"])
    );

    let (code, stdout, stderr) = run(&["apply", &plan_file, "--auto-approve", "--no-wait"]);
    assert_eq!(code, Some(0), "{stdout}\n{stderr}");
    for line in [
        format!(
            "{plan_file}: planned again against AWS: the plan saved for the stack \"{name}\", \
             unchanged (3 resources)."
        ),
        format!("+ cluster {name}: CreateCluster ... done (ACTIVE)"),
        format!("+ service {name}/web: CreateService ... done (ACTIVE, {name}:1)"),
        "Apply complete: 3 created, 0 registered, 0 updated, 0 replaced.".to_owned(),
    ] {
        assert!(
            stdout.lines().any(|l| l == line),
            "no `{line}` in:\n{stdout}"
        );
    }
    // AWS has what the plan said, and the stack file plans no change.
    let web = service(&name);
    assert_eq!(web["status"], "ACTIVE", "{web}");
    assert_eq!(web["desiredCount"], 1, "{web}");
    assert!(
        web["taskDefinition"]
            .as_str()
            .is_some_and(|arn| arn.ends_with(&format!("task-definition/{name}:1"))),
        "{web}"
    );
    let (code, stdout, stderr) = run(&[
        "plan",
        "--stack",
        &stack_file,
        "--name",
        &name,
        "--detailed-exitcode",
        "--var",
        &format!("DB_PASSWORD={VARIABLE_SECRET}"),
    ]);
    assert_eq!(code, Some(0), "{stdout}\n{stderr}");

    // Applied, the plan no longer matches: applying it again is refused, and changes nothing.
    let (code, stdout, stderr) = run(&["apply", &plan_file, "--auto-approve", "--no-wait"]);
    assert_eq!(code, Some(1), "{stdout}\n{stderr}");
    expect_in(
        &stderr,
        format!("cluster {name}: planned: create; now: no change"),
    );
    assert!(!stdout.contains("... done"), "{stdout}");
    assert_eq!(revisions(&name).len(), 1);

    // A plan without changes, saved and applied, is a no-op that needs no approval.
    let empty_file = text_of(&path(&format!("{name}.empty.plan.json")));
    let stdout = plan_out(&stack_file, &name, &empty_file);
    expect_in(&stdout, "No changes. AWS matches the stack.");
    let (code, stdout, stderr) = run(&["apply", &empty_file]);
    assert_eq!(code, Some(0), "{stdout}\n{stderr}");
    assert!(stdout.ends_with("Nothing to apply.\n"), "{stdout}");
}

#[test]
fn a_saved_plan_is_refused_once_aws_changed_and_aws_stays_as_it_is() {
    let name = support::unique("saved-stale");
    let v1 = write(&format!("{name}.json"), &stack(&name, "nginx:1.26"));
    let (code, stdout, stderr) = run(&[
        "apply",
        "--stack",
        &v1,
        "--name",
        &name,
        "--auto-approve",
        "--no-wait",
    ]);
    assert_eq!(code, Some(0), "{stdout}\n{stderr}");
    // The reviewed plan: a new image, so a new revision and a deployment of the service.
    let v2 = write(&format!("{name}-v2.json"), &stack(&name, "nginx:1.27"));
    let plan_file = text_of(&path(&format!("{name}.plan.json")));
    let stdout = plan_out(&v2, &name, &plan_file);
    expect_in(
        &stdout,
        "Plan: 0 to create, 1 to register, 1 to update, 0 to replace.",
    );

    // Someone scales the service by hand before the plan is applied.
    let (status, answer) = support::raw(
        support::local_ecs::endpoint(),
        ACCOUNT,
        "UpdateService",
        &json!({"cluster": name, "service": "web", "desiredCount": 3}),
    );
    assert_eq!(status, 200, "{answer}");

    let (code, stdout, stderr) = run(&["apply", &plan_file, "--auto-approve", "--no-wait"]);
    assert_eq!(code, Some(1), "{stdout}\n{stderr}");
    let expected = format!(
        "error: {plan_file}: AWS no longer matches what the saved plan observed: 1 of its \
         changes differs from the plan reviewed:\n  service {name}/web: update and deploy \
         differs\n    desiredCount: no change planned; now 3 -> 1\nNothing was applied.\n"
    );
    expect_in(&stderr, expected);
    expect_in(
        &stderr,
        format!("hint: plan again (`ecs-deploy plan --stack FILE --out {plan_file}`)"),
    );
    assert!(!stdout.contains("... done"), "nothing was called: {stdout}");
    // AWS is as the hand left it: no revision registered, the service not updated.
    assert_eq!(revisions(&name).len(), 1);
    let web = service(&name);
    assert_eq!(web["desiredCount"], 3, "{web}");
    assert!(
        web["taskDefinition"]
            .as_str()
            .is_some_and(|arn| arn.ends_with(&format!("task-definition/{name}:1"))),
        "{web}"
    );
}

#[test]
fn a_file_that_is_not_a_saved_plan_of_this_version_is_refused_with_what_to_do() {
    let name = support::unique("saved-refused");
    let stack_file = write(&format!("{name}.json"), &stack(&name, "nginx:1.26"));
    let plan_file = text_of(&path(&format!("{name}.plan.json")));
    plan_out(&stack_file, &name, &plan_file);
    let saved: Value =
        serde_json::from_str(&std::fs::read_to_string(&plan_file).expect("saved")).expect("json");
    let refused = |args: &[&str], expected: &str| {
        let (code, stdout, stderr) = run(args);
        assert_eq!(code, Some(1), "{args:?}\n{stdout}\n{stderr}");
        expect_in(&stderr, expected);
        assert!(!stdout.contains("... done"), "{stdout}");
    };

    let corrupt = path(&format!("{name}.corrupt.json"));
    std::fs::write(&corrupt, "{\"format\": 1, \"stackName\": ").expect("written");
    let corrupt = text_of(&corrupt);
    refused(
        &["apply", &corrupt, "--auto-approve"],
        &format!(
            "error: {corrupt} is not a saved plan: it is not JSON (hint: a saved plan is the \
             file `ecs-deploy plan --out FILE` writes;"
        ),
    );

    let mut newer = saved.clone();
    newer["format"] = json!(2);
    let newer = write(&format!("{name}.v2.plan.json"), &newer);
    refused(
        &["apply", &newer, "--auto-approve"],
        &format!(
            "error: {newer}: format: the saved plan is of format 2 (written by ecs-deploy {}), \
             and this version of ecs-deploy reads format 1 (hint: run `ecs-deploy plan --out \
             FILE` again, review that plan, and apply it with this version)",
            env!("CARGO_PKG_VERSION")
        ),
    );

    let mut edited = saved.clone();
    edited["changes"][0]["action"] = json!("explode");
    let edited = write(&format!("{name}.edited.plan.json"), &edited);
    refused(
        &["apply", &edited, "--auto-approve"],
        &format!("error: {edited}: changes[0]: unknown variant `explode`"),
    );

    refused(
        &["apply", &stack_file, "--auto-approve"],
        "not a saved plan: it has no `format` member (hint: a stack file is applied with \
         `ecs-deploy apply --stack FILE`",
    );
    refused(
        &["apply", &plan_file, "--name", "another", "--auto-approve"],
        &format!("error: the saved plan is for the stack `{name}`, not `another`"),
    );

    // A saved plan replaces --stack and the options that shape a plan; one of the two is needed.
    for args in [
        vec!["apply", plan_file.as_str(), "--stack", stack_file.as_str()],
        vec!["apply", plan_file.as_str(), "--prune"],
        vec!["apply", "--auto-approve"],
    ] {
        let (code, stdout, stderr) = run(&args);
        assert_eq!(code, Some(2), "{args:?}\n{stdout}\n{stderr}");
    }
    // Nothing reached AWS.
    assert!(revisions(&name).is_empty());
}
