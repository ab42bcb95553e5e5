//! `examples/deploy.rs`, the README's library program, run as a user runs it against a local
//! endpoint: it loads the webserver stack (subnets and security group written as `default`),
//! plans, applies from a spawned task while printing the events, follows the deployment to
//! completion, and plans again with no changes.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::support;

/// The example binary cargo built next to this test binary.
fn example_binary() -> PathBuf {
    let exe = std::env::current_exe().expect("the test binary's path");
    // target/<profile>/deps/integration-<hash> -> target/<profile>/examples/deploy
    let folder = exe
        .parent()
        .and_then(Path::parent)
        .expect("target/<profile>");
    folder
        .join("examples")
        .join(format!("deploy{}", std::env::consts::EXE_SUFFIX))
}

#[test]
fn the_library_example_deploys_and_plans_no_change_after() {
    let binary = example_binary();
    if !binary.exists() {
        // `cargo test --test integration` alone does not build the examples (scripts/test
        // does, first). With the workspace's features, as the tests were built, so that the
        // dependencies are not built again with other ones.
        let built = Command::new(env!("CARGO"))
            .args(["build", "-q", "--workspace", "--example", "deploy"])
            .status()
            .expect("cargo runs");
        assert!(built.success(), "the example builds");
    }
    // An endpoint of its own that reports a new service's one task running, so the apply
    // follows its deployment to completion.
    let endpoint = support::local_ecs::start_with(&[("MOTO_ECS_SERVICE_RUNNING", "1")]);
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let output = support::program_at(&binary, &endpoint.url)
        .current_dir(&root)
        .args(["examples/json/webserver-stack.json", "example"])
        .output()
        .expect("the example runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stdout}\n{stderr}");
    for line in [
        "Create: service demo/web",
        "  registered revision 1: arn:aws:ecs:us-east-1:123456789012:task-definition/webserver:1",
        "  service web: deployment completed",
        "service demo/web: done",
        "Planned again: no changes.",
    ] {
        assert!(
            stdout.lines().any(|l| l == line),
            "no line {line:?} in\n{stdout}"
        );
    }
}
