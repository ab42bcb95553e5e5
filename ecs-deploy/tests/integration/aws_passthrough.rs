//! The JSON passthrough against the local endpoint: what we send is what AWS receives, member
//! for member, and what AWS answers is what the model reads.

use crate::support;

use ecs_deploy::aws::Operation;
use serde_json::json;

#[tokio::test]
async fn a_task_definition_round_trips_with_every_member_we_send() {
    let ecs = support::ecs("111111111111").await;
    let input = json!({
        "family": "passthrough",
        "networkMode": "awsvpc",
        "requiresCompatibilities": ["FARGATE"],
        "cpu": "256",
        "memory": "512",
        "containerDefinitions": [{
            "name": "web",
            "image": "nginx:1.27",
            "portMappings": [{"containerPort": 80, "hostPort": 80, "protocol": "tcp", "name": "http"}],
            "environment": [{"name": "A", "value": "1"}],
            "healthCheck": {"command": ["CMD", "true"], "interval": 30}
        }],
        "tags": [{"key": "ecs-rs:stack", "value": "test"}]
    });
    let registered = ecs
        .call(Operation::RegisterTaskDefinition, &input)
        .await
        .expect("registered");
    assert_eq!(registered["taskDefinition"]["revision"], 1);
    let described = ecs
        .call(
            Operation::DescribeTaskDefinition,
            &json!({"taskDefinition": "passthrough", "include": ["TAGS"]}),
        )
        .await
        .expect("described");
    let td = &described["taskDefinition"];
    assert_eq!(td["containerDefinitions"][0]["healthCheck"]["interval"], 30);
    assert_eq!(
        td["containerDefinitions"][0]["portMappings"][0]["name"],
        "http"
    );
    assert_eq!(described["tags"][0]["key"], "ecs-rs:stack");
    assert_eq!(
        ecs.calls().get(&Operation::RegisterTaskDefinition),
        Some(&1)
    );
}

#[tokio::test]
async fn errors_carry_the_aws_error_code() {
    let ecs = support::ecs("222222222222").await;
    let err = ecs
        .call(
            Operation::DescribeServices,
            &json!({"cluster": "no-such-cluster", "services": ["web"]}),
        )
        .await
        .expect_err("no cluster");
    assert_eq!(err.code(), Some("ClusterNotFoundException"));
    assert!(err.is_not_found());
    assert!(
        err.to_string()
            .starts_with("DescribeServices failed: ClusterNotFoundException")
    );
}
