//! The Rust examples run as a user runs them (`cargo run --example NAME`), and what they print is
//! what they claim: valid ECS JSON of the right kind, and for `webserver`, exactly what
//! `ecs-deploy render` makes of the same definition written as JSON.

use std::path::Path;
use std::process::Command;

use ecs_rs::model::Kind;
use ecs_rs::model::document::check;

fn cargo_run(args: &[&str], envs: &[(&str, &str)]) -> String {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let output = Command::new(env!("CARGO"))
        .current_dir(root)
        .args(["run", "--quiet"])
        .args(args)
        .envs(envs.iter().copied())
        .output()
        .expect("cargo runs");
    assert!(
        output.status.success(),
        "cargo run {args:?} failed:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).expect("UTF-8 output")
}

fn example(name: &str, envs: &[(&str, &str)]) -> String {
    cargo_run(&["--example", name], envs)
}

/// Loads and validates `text`: it must be a `kind` with no error and no warning.
fn assert_clean(name: &str, text: &str, kind: Kind) {
    let loaded = check(text, None);
    let document = loaded.value.expect("a document");
    assert_eq!(document.kind(), kind, "{name}");
    assert!(
        loaded.diagnostics.is_empty(),
        "{name}: {:#?}",
        loaded.diagnostics
    );
}

#[test]
fn webserver_prints_what_render_makes_of_the_guide_json() {
    let printed = example("webserver", &[]);
    let rendered = cargo_run(
        &[
            "-p",
            "ecs-deploy",
            "--",
            "render",
            "examples/json/webserver.json",
        ],
        &[],
    );
    assert_eq!(printed, rendered);
    assert_clean("webserver", &printed, Kind::TaskDefinition);

    // The guide writes the container's memory and cpu as strings; render makes them the
    // integers the API takes, and the result is the same.
    let guide = cargo_run(
        &[
            "-p",
            "ecs-deploy",
            "--",
            "render",
            "examples/json/webserver-guide.json",
        ],
        &[],
    );
    assert_eq!(printed, guide);
}

#[test]
fn fargate_service_prints_a_valid_stack_with_the_tag_from_the_environment() {
    let printed = example("fargate_service", &[("IMAGE_TAG", "1.27.3")]);
    assert_clean("fargate_service", &printed, Kind::Stack);
    assert!(
        printed.contains("\"public.ecr.aws/nginx/nginx:1.27.3\""),
        "{printed}"
    );
    assert!(printed.contains("\"deploymentCircuitBreaker\""));
}

#[test]
fn ec2_daemon_prints_a_valid_stack() {
    let printed = example("ec2_daemon", &[]);
    assert_clean("ec2_daemon", &printed, Kind::Stack);
    assert!(printed.contains("\"schedulingStrategy\": \"DAEMON\""));
    assert!(!printed.contains("desiredCount"));
}

#[test]
fn sidecar_prints_a_valid_stack() {
    let printed = example("sidecar", &[("API_VERSION", "3.0.0")]);
    assert_clean("sidecar", &printed, Kind::Stack);
    assert!(printed.contains("\"ghcr.io/example/api:3.0.0\""));
    assert!(printed.contains("\"condition\": \"HEALTHY\""));
}

#[test]
fn a_bad_image_reference_is_an_error_not_a_panic() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let output = Command::new(env!("CARGO"))
        .current_dir(root)
        .args(["run", "--quiet", "--example", "sidecar"])
        .env("API_VERSION", "not a tag")
        .output()
        .expect("cargo runs");
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("Error:"), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}
