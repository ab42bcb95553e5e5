//! Variables in a stack file (`${NAME}`, `${NAME:-default}`, `--var NAME=VALUE`) as a user
//! meets them: `render` shows the file with its values (secret ones as `(sensitive)`),
//! `validate` reports every unset variable with its path, `plan` and `apply` deploy the image
//! tag a variable gives against the local ECS endpoint, and a file with an unset variable sends
//! nothing to AWS.

use crate::support;

use std::net::TcpListener;
use std::path::PathBuf;

use serde_json::{Value, json};

/// The value of a variable named like a secret: it must never print.
const TOKEN: &str = "tok-9f1d2e-do-not-print";

/// A stack `name` whose image tag, container command and desired count come from variables.
fn stack_value(name: &str) -> Value {
    json!({
        "name": name,
        "clusters": [{"clusterName": name}],
        "taskDefinitions": [{
            "family": name,
            "requiresCompatibilities": ["EC2"],
            "networkMode": "bridge",
            "containerDefinitions": [{
                "name": "web", "image": "nginx:${TAG}", "memory": 128,
                "command": ["serve", "--token", "${API_TOKEN}"],
                "environment": [
                    {"name": "REGION", "value": "${REGION:-eu-west-1}"},
                    {"name": "GREETING", "value": "$${USER}"}
                ]
            }]
        }],
        "services": [{
            "serviceName": "web", "cluster": name, "taskDefinition": name,
            "desiredCount": "${COUNT:-1}", "launchType": "EC2"
        }]
    })
}

fn write(name: &str, stack: &Value) -> PathBuf {
    let folder = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("cli_vars");
    std::fs::create_dir_all(&folder).expect("a folder for the stack files");
    let path = folder.join(format!("{name}.json"));
    std::fs::write(&path, serde_json::to_string_pretty(stack).expect("json")).expect("written");
    path
}

/// Runs `ecs-deploy ARGS` against `endpoint` with the environment `envs` added; exit code,
/// stdout and stderr. Nothing printed may hold the secret value.
fn run(endpoint: &str, args: &[&str], envs: &[(&str, &str)]) -> (Option<i32>, String, String) {
    let output = support::cli_at(endpoint)
        .args(args)
        .env_remove("TAG")
        .env_remove("COUNT")
        .env_remove("REGION")
        .envs(envs.iter().copied())
        .output()
        .expect("ecs-deploy runs");
    support::assert_never_printed(&output, &[TOKEN]);
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    (output.status.code(), stdout, stderr)
}

fn path(file: &std::path::Path) -> &str {
    file.to_str().expect("a UTF-8 path")
}

/// An endpoint that nothing may connect to, and a check that nothing did.
struct Untouched(TcpListener);

impl Untouched {
    fn new() -> (Self, String) {
        let listener = TcpListener::bind("127.0.0.1:0").expect("a port");
        listener.set_nonblocking(true).expect("non-blocking");
        let url = format!("http://{}", listener.local_addr().expect("an address"));
        (Self(listener), url)
    }

    fn assert_untouched(&self) {
        assert!(
            self.0.accept().is_err(),
            "a command connected to the endpoint"
        );
    }
}

#[test]
fn render_takes_var_before_the_environment_and_hides_secret_values() {
    let file = write("render", &stack_value("render"));
    let (untouched, url) = Untouched::new();
    let (code, stdout, stderr) = run(
        &url,
        &[
            "render",
            path(&file),
            "--var",
            "TAG=1.27",
            "--var",
            "COUNT=2",
        ],
        &[("TAG", "from-the-environment"), ("API_TOKEN", TOKEN)],
    );
    assert_eq!(code, Some(0), "{stdout}\n{stderr}");
    let rendered: Value = serde_json::from_str(&stdout).expect("JSON on stdout");
    let container = &rendered["taskDefinitions"][0]["containerDefinitions"][0];
    assert_eq!(container["image"], "nginx:1.27", "--var wins");
    assert_eq!(
        container["command"],
        json!(["serve", "--token", "(sensitive)"])
    );
    assert_eq!(
        container["environment"],
        json!([
            {"name": "REGION", "value": "eu-west-1"},
            {"name": "GREETING", "value": "${USER}"}
        ])
    );
    assert_eq!(
        rendered["services"][0]["desiredCount"], 2,
        "a number, read from the variable's value"
    );
    assert_eq!(rendered["name"], "render");
    assert!(stderr.is_empty(), "no diagnostic: {stderr}");
    untouched.assert_untouched();
}

#[test]
fn every_unset_variable_is_reported_with_its_path_and_nothing_reaches_aws() {
    let file = write("unset", &stack_value("unset"));
    let (untouched, url) = Untouched::new();
    let (code, stdout, stderr) = run(&url, &["validate", "--format", "json", path(&file)], &[]);
    assert_eq!(code, Some(1), "{stdout}\n{stderr}");
    let reports: Value = serde_json::from_str(&stdout).expect("JSON");
    let mut found: Vec<(String, String)> = reports
        .as_array()
        .expect("an array")
        .iter()
        .map(|d| {
            (
                d["code"].as_str().unwrap_or_default().to_owned(),
                d["path"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    found.sort();
    assert_eq!(
        found,
        [
            (
                "unset-variable".to_owned(),
                "taskDefinitions[0].containerDefinitions[0].command[2]".to_owned()
            ),
            (
                "unset-variable".to_owned(),
                "taskDefinitions[0].containerDefinitions[0].image".to_owned()
            ),
        ],
        "{stdout}"
    );

    for command in [
        &["plan", "--stack", path(&file)][..],
        &["apply", "--stack", path(&file), "--auto-approve"],
        &["render", path(&file)],
    ] {
        let (code, stdout, stderr) = run(&url, command, &[("API_TOKEN", TOKEN)]);
        assert_eq!(code, Some(1), "{command:?}: {stdout}\n{stderr}");
        assert!(stdout.is_empty(), "{command:?}: {stdout}");
        assert!(
            stderr.contains("error[unset-variable]: `${TAG}`: the variable TAG is not set")
                && stderr.contains(&format!(
                    "--> {}: taskDefinitions[0].containerDefinitions[0].image",
                    path(&file)
                ))
                && stderr.contains("= hint: pass --var TAG=VALUE or set TAG in the environment"),
            "{command:?}: {stderr}"
        );
        assert!(!stderr.contains("API_TOKEN is not set"), "{stderr}");
    }
    untouched.assert_untouched();

    // A reference that is not one is an error too.
    let mut malformed = stack_value("malformed");
    malformed["taskDefinitions"][0]["containerDefinitions"][0]["image"] = json!("nginx:${1TAG}");
    let file = write("malformed", &malformed);
    let (code, _, stderr) = run(
        &url,
        &["plan", "--stack", path(&file), "--var", "TAG=1"],
        &[("API_TOKEN", TOKEN)],
    );
    assert_eq!(code, Some(1), "{stderr}");
    assert!(
        stderr.contains("error[malformed-variable]: `${1TAG}` is not a variable reference"),
        "{stderr}"
    );
    untouched.assert_untouched();
}

#[test]
fn plan_and_apply_deploy_the_image_tag_a_variable_gives() {
    let name = support::unique("cli-vars");
    let file = write(&name, &stack_value(&name));
    let file = path(&file);
    let endpoint = support::local_ecs::endpoint();
    let secret = [("API_TOKEN", TOKEN)];

    let (code, stdout, stderr) = run(
        endpoint,
        &[
            "plan",
            "--stack",
            file,
            "--var",
            "TAG=1.26",
            "--detailed-exitcode",
        ],
        &secret,
    );
    assert_eq!(code, Some(2), "{stdout}\n{stderr}");
    assert!(stdout.contains("nginx:1.26"), "{stdout}");
    assert!(
        stdout.contains("(sensitive)"),
        "the token is hidden: {stdout}"
    );
    let (code, stdout, stderr) = run(
        endpoint,
        &[
            "apply",
            "--stack",
            file,
            "--var",
            "TAG=1.26",
            "--auto-approve",
            "--no-wait",
        ],
        &secret,
    );
    assert_eq!(code, Some(0), "{stdout}\n{stderr}");
    let (code, stdout, stderr) = run(
        endpoint,
        &["plan", "--stack", file, "--detailed-exitcode"],
        &[("API_TOKEN", TOKEN), ("TAG", "1.26")],
    );
    assert_eq!(
        code,
        Some(0),
        "the environment gives the same tag: {stdout}\n{stderr}"
    );

    // Another tag: one new revision, its image the one member that changes, and the service
    // moving to it.
    let (code, stdout, stderr) = run(
        endpoint,
        &[
            "plan",
            "--stack",
            file,
            "--var",
            "TAG=1.27",
            "--format",
            "json",
            "--detailed-exitcode",
        ],
        &secret,
    );
    assert_eq!(code, Some(2), "{stdout}\n{stderr}");
    let plan: Value = serde_json::from_str(&stdout).expect("JSON");
    let fields: Vec<(String, Value, Value)> = plan["changes"]
        .as_array()
        .expect("changes")
        .iter()
        .flat_map(|c| c["fields"].as_array().cloned().unwrap_or_default())
        .map(|f| {
            (
                f["path"].as_str().unwrap_or_default().to_owned(),
                f["before"].clone(),
                f["after"].clone(),
            )
        })
        .collect();
    let paths: Vec<&str> = fields.iter().map(|(path, ..)| path.as_str()).collect();
    assert_eq!(
        paths,
        ["containerDefinitions[0].image", "taskDefinition"],
        "the new revision, and the service moving to it: {stdout}"
    );
    assert_eq!(
        (&fields[0].1, &fields[0].2),
        (&json!("nginx:1.26"), &json!("nginx:1.27"))
    );
    assert!(stdout.contains("(sensitive)"), "{stdout}");
}
