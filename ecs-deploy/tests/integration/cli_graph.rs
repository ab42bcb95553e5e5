//! `ecs-deploy graph` as a user runs it: the stack drawn without AWS, then, once applied and
//! changed, drawn with `--plan` against the local ECS endpoint, each resource marked with what
//! the plan does to it.
//!
//! Like `cli_deploy`, the stack uses the EC2 launch type with bridge networking (no EC2 set-up)
//! and names of its own in moto's default account; the apply does not wait for tasks.

use crate::support;

use serde_json::{Value, json};

/// A stack `name`: a cluster, a task definition family running `image` and the services
/// `services`, all in the cluster and running the family.
fn stack(name: &str, image: &str, services: &[&str]) -> Value {
    let services: Vec<Value> = services
        .iter()
        .map(|service| {
            json!({
                "serviceName": service, "cluster": name, "taskDefinition": name,
                "desiredCount": 1, "launchType": "EC2"
            })
        })
        .collect();
    json!({
        "name": name,
        "clusters": [{"clusterName": name}],
        "taskDefinitions": [{
            "family": name,
            "requiresCompatibilities": ["EC2"],
            "networkMode": "bridge",
            "containerDefinitions": [{
                "name": "web", "image": image, "memory": 128,
                "portMappings": [{"containerPort": 80, "hostPort": 8080}]
            }]
        }],
        "services": services
    })
}

#[test]
fn the_graph_draws_the_stack_and_with_plan_marks_what_would_change() {
    let name = support::unique("cli-graph");
    let file = support::write_json("cli_graph", &name, &stack(&name, "nginx:1.26", &["web"]));
    let file = file.to_str().expect("a UTF-8 path");

    // Without --plan nothing is sent to AWS: an endpoint where nothing listens will do.
    let (code, stdout, stderr) =
        support::cli_outcome("http://127.0.0.1:9", &["graph", "--stack", file]);
    assert_eq!(code, Some(0), "{stdout}\n{stderr}");
    assert_eq!(
        stdout,
        format!(
            "digraph stack {{\n    \
             rankdir=LR;\n    \
             node [shape=box, fontname=\"Helvetica\"];\n    \
             edge [fontname=\"Helvetica\", fontsize=10];\n    \
             n0 [label=\"cluster {name}\"];\n    \
             n1 [label=\"task definition {name}\"];\n    \
             n2 [label=\"service {name}/web\"];\n    \
             n2 -> n0 [label=\"runs in\"];\n    \
             n2 -> n1 [label=\"runs\"];\n\
             }}\n"
        )
    );

    let endpoint = support::local_ecs::endpoint();
    let (code, stdout, stderr) = support::cli_outcome(
        endpoint,
        &["apply", "--stack", file, "--auto-approve", "--no-wait"],
    );
    assert_eq!(code, Some(0), "{stdout}\n{stderr}");

    // A new image (a new revision, and a deployment of web) and a new service.
    support::write_json(
        "cli_graph",
        &name,
        &stack(&name, "nginx:1.27", &["web", "worker"]),
    );
    let (code, stdout, stderr) = support::cli_outcome(
        endpoint,
        &["graph", "--stack", file, "--plan", "--format", "mermaid"],
    );
    assert_eq!(code, Some(0), "{stdout}\n{stderr}");
    assert_eq!(
        stdout,
        format!(
            "flowchart LR\n    \
             n0[\"cluster {name}\"]\n    \
             n1[\"task definition {name} (~ register)\"]\n    \
             n2[\"service {name}/web (~ update and deploy)\"]\n    \
             n3[\"service {name}/worker (+ create)\"]\n    \
             n2 -->|runs in| n0\n    \
             n2 -->|runs| n1\n    \
             n3 -->|runs in| n0\n    \
             n3 -->|runs| n1\n    \
             classDef create stroke:#2da44e,stroke-width:2px\n    \
             classDef update stroke:#bf8700,stroke-width:2px\n    \
             class n3 create\n    \
             class n1,n2 update\n"
        )
    );
}
