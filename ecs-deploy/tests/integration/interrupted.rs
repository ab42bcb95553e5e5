//! An apply killed mid-way leaves AWS consistent, and running it again converges without a
//! duplicate revision.

use crate::support;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Duration;

use crate::support::script::Scripted;
use serde_json::json;

#[test]
fn a_killed_apply_converges_when_run_again() {
    let scripted = Scripted::start(support::local_ecs::endpoint());
    // CreateService takes 5 s: the apply is killed while it waits for the answer.
    scripted.slow("CreateService", Duration::from_secs(5));
    let dir = std::env::temp_dir().join(format!("ecs-rs-interrupted-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a scratch folder");
    let stack = dir.join("stack.json");
    std::fs::write(
        &stack,
        json!({
            "name": "interrupted",
            "clusters": [{"clusterName": "interrupted"}],
            "taskDefinitions": [{
                "family": "interrupted",
                "containerDefinitions": [{"name": "web", "image": "nginx:1.27", "memory": 128}]
            }],
            "services": [{
                "serviceName": "web", "cluster": "interrupted", "taskDefinition": "interrupted",
                "desiredCount": 1, "launchType": "EC2"
            }]
        })
        .to_string(),
    )
    .expect("write the stack");
    let run = |args: &[&str], url: &str| {
        let mut command = Command::new(env!("CARGO_BIN_EXE_ecs-deploy"));
        command
            .args(args)
            .arg("--stack")
            .arg(&stack)
            .env("AWS_ENDPOINT_URL", url)
            .env("AWS_ACCESS_KEY_ID", "test")
            .env("AWS_SECRET_ACCESS_KEY", "test")
            .env("AWS_REGION", "us-east-1")
            .env("NO_COLOR", "1");
        command
    };

    let mut apply = run(&["apply", "--auto-approve", "--no-wait"], &scripted.url)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("apply starts");
    let stdout = apply.stdout.take().expect("stdout");
    for line in BufReader::new(stdout).lines() {
        let line = line.expect("a line");
        if line.contains("RegisterTaskDefinition") && line.contains("done") {
            break;
        }
    }
    // The task definition is registered; CreateService is on its way: kill the apply.
    std::thread::sleep(Duration::from_millis(300));
    apply.kill().expect("kill");
    let _ = apply.wait();

    let direct = support::local_ecs::endpoint();
    let output = run(&["apply", "--auto-approve", "--no-wait"], direct)
        .output()
        .expect("apply again");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let printed = String::from_utf8_lossy(&output.stdout);
    assert!(
        !printed.contains("RegisterTaskDefinition"),
        "the revision registered before the kill is not registered again:\n{printed}"
    );
    assert!(
        printed.contains("CreateService"),
        "the service the kill interrupted is created now:\n{printed}"
    );

    let plan = run(&["plan", "--detailed-exitcode"], direct)
        .output()
        .expect("plan");
    assert_eq!(
        plan.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&plan.stdout)
    );
    let _ = std::fs::remove_dir_all(&dir);
}
