//! Normalization: every default makes a pair of documents that differ only by it compare equal
//! (and unequal before); normalization is idempotent over the corpus and hand-built fixtures; a
//! register input and its describe output normalize equal; unknown members survive.

use std::fmt::Debug;
use std::path::Path;

use ecs_model::FromJson;
use ecs_model::document::{Input, parse};
use ecs_model::normalize::{self, Normalize};
use ecs_model::types::{
    CreateCapacityProviderRequest, CreateClusterRequest, CreateServiceRequest,
    RegisterTaskDefinitionRequest,
};
use ecs_model::{Document, Stack};

/// Loads a fixture with the lenient loader: fragments (a circuit breaker without `rollback`)
/// load too, as they do from files.
fn load<T: FromJson>(json: &str) -> T {
    let value: serde_json::Value =
        serde_json::from_str(json).unwrap_or_else(|e| panic!("fixture is not JSON: {e}\n{json}"));
    ecs_model::load::from_value(&value)
        .value
        .unwrap_or_else(|| panic!("fixture does not load:\n{json}"))
}

/// Asserts that `a` and `b` differ as written, compare equal once normalized, and that
/// normalizing either again changes nothing.
fn assert_same<T: FromJson + Normalize + Clone + PartialEq + Debug>(what: &str, a: &str, b: &str) {
    let (a, b): (T, T) = (load(a), load(b));
    assert_ne!(
        a, b,
        "{what}: the fixtures should differ before normalization"
    );
    let (a, b) = (a.normalized(), b.normalized());
    assert_eq!(a, b, "{what}: should compare equal after normalization");
    assert_eq!(a.clone().normalized(), a, "{what}: not idempotent");
}

/// Asserts that `a` and `b` still differ after normalization: a difference AWS keeps.
fn assert_differ<T: FromJson + Normalize + PartialEq + Debug>(what: &str, a: &str, b: &str) {
    let (a, b): (T, T) = (load(a), load(b));
    assert_ne!(
        a.normalized(),
        b.normalized(),
        "{what}: must stay different"
    );
}

/// A task definition with one container; `top` and `container` are extra members (each
/// starting with a comma, or empty).
fn td(top: &str, container: &str) -> String {
    format!(
        r#"{{"family": "web"{top}, "containerDefinitions": [{{"name": "app", "image": "nginx"{container}}}]}}"#
    )
}

fn td_same(what: &str, a: (&str, &str), b: (&str, &str)) {
    assert_same::<RegisterTaskDefinitionRequest>(what, &td(a.0, a.1), &td(b.0, b.1));
}

fn td_differ(what: &str, a: (&str, &str), b: (&str, &str)) {
    assert_differ::<RegisterTaskDefinitionRequest>(what, &td(a.0, a.1), &td(b.0, b.1));
}

/// A service with the given extra members (starting with a comma, or empty).
fn svc(members: &str) -> String {
    format!(r#"{{"serviceName": "web", "taskDefinition": "web", "desiredCount": 2{members}}}"#)
}

fn svc_same(what: &str, a: &str, b: &str) {
    assert_same::<CreateServiceRequest>(what, &svc(a), &svc(b));
}

// ---------------------------------------------------------------------------------------------
// Task definitions: one pair per default.

#[test]
fn container_essential_defaults_to_true() {
    td_same("essential", ("", ""), ("", r#", "essential": true"#));
    td_differ("essential false", ("", ""), ("", r#", "essential": false"#));
}

#[test]
fn container_cpu_defaults_to_zero() {
    td_same("container cpu", ("", ""), ("", r#", "cpu": 0"#));
    td_differ("container cpu 10", ("", ""), ("", r#", "cpu": 10"#));
}

#[test]
fn container_version_consistency_defaults_to_enabled() {
    td_same(
        "versionConsistency",
        ("", ""),
        ("", r#", "versionConsistency": "enabled""#),
    );
}

#[test]
fn port_protocol_defaults_to_tcp() {
    td_same(
        "protocol",
        ("", r#", "portMappings": [{"containerPort": 80}]"#),
        (
            "",
            r#", "portMappings": [{"containerPort": 80, "protocol": "tcp"}]"#,
        ),
    );
    td_differ(
        "udp",
        ("", r#", "portMappings": [{"containerPort": 80}]"#),
        (
            "",
            r#", "portMappings": [{"containerPort": 80, "protocol": "udp"}]"#,
        ),
    );
}

#[test]
fn host_port_is_container_port_under_awsvpc_and_host() {
    for mode in ["awsvpc", "host"] {
        let top = format!(r#", "networkMode": "{mode}""#);
        td_same(
            mode,
            (&top, r#", "portMappings": [{"containerPort": 8080}]"#),
            (
                &top,
                r#", "portMappings": [{"containerPort": 8080, "hostPort": 8080}]"#,
            ),
        );
    }
    // A range has no single host port: nothing is filled in.
    let written: RegisterTaskDefinitionRequest = load(&td(
        r#", "networkMode": "awsvpc""#,
        r#", "portMappings": [{"containerPortRange": "8000-8010"}]"#,
    ));
    let normalized = written.normalized();
    let mapping = &normalized
        .container_definitions
        .as_ref()
        .expect("containers")[0]
        .port_mappings
        .as_ref()
        .expect("mappings")[0];
    assert_eq!(mapping.host_port, None);
}

#[test]
fn host_port_zero_is_absent_under_bridge() {
    let mapping = r#", "portMappings": [{"containerPort": 8080, "hostPort": 0}]"#;
    let without = r#", "portMappings": [{"containerPort": 8080}]"#;
    td_same(
        "bridge",
        (r#", "networkMode": "bridge""#, mapping),
        (r#", "networkMode": "bridge""#, without),
    );
    td_same("no network mode (Linux)", ("", mapping), ("", without));
    // Under bridge a static host port is a real choice, not a default.
    td_differ(
        "bridge static port",
        (r#", "networkMode": "bridge""#, without),
        (
            r#", "networkMode": "bridge""#,
            r#", "portMappings": [{"containerPort": 8080, "hostPort": 8080}]"#,
        ),
    );
}

#[test]
fn network_mode_absent_is_bridge_on_linux_only() {
    // "If no network mode is specified, the default is bridge"; Windows' default is not bridge.
    td_same(
        "networkMode on Linux",
        ("", ""),
        (r#", "networkMode": "bridge""#, ""),
    );
    let windows = r#", "runtimePlatform": {"operatingSystemFamily": "WINDOWS_SERVER_2022_CORE"}"#;
    td_differ(
        "networkMode on Windows",
        (windows, ""),
        (&format!(r#"{windows}, "networkMode": "bridge""#), ""),
    );
}

#[test]
fn task_cpu_and_memory_units_become_plain_numbers() {
    let cases = [
        (r#", "cpu": "1 vCPU""#, r#", "cpu": "1024""#),
        (r#", "cpu": "0.25 vcpu""#, r#", "cpu": "256""#),
        (r#", "cpu": " 1024 ""#, r#", "cpu": "1024""#),
        (r#", "memory": "2 GB""#, r#", "memory": "2048""#),
        (r#", "memory": "0.5GB""#, r#", "memory": "512""#),
        (r#", "memory": "512 MiB""#, r#", "memory": "512""#),
    ];
    for (written, stored) in cases {
        td_same(written, (written, ""), (stored, ""));
    }
    td_differ(
        "different sizes",
        (r#", "cpu": "1 vCPU""#, ""),
        (r#", "cpu": "512""#, ""),
    );
    // What AWS would not convert stays as written (validation reports it).
    let odd: RegisterTaskDefinitionRequest = load(&td(r#", "cpu": "lots""#, ""));
    assert_eq!(odd.normalized().cpu.as_deref(), Some("lots"));
}

#[test]
fn empty_task_lists_are_absent() {
    for member in [
        "volumes",
        "placementConstraints",
        "requiresCompatibilities",
        "tags",
        "inferenceAccelerators",
    ] {
        td_same(member, ("", ""), (&format!(r#", "{member}": []"#), ""));
    }
}

#[test]
fn empty_container_lists_and_maps_are_absent() {
    for member in [
        "environment",
        "environmentFiles",
        "mountPoints",
        "volumesFrom",
        "portMappings",
        "secrets",
        "systemControls",
        "ulimits",
        "links",
        "command",
        "dependsOn",
        "dnsServers",
        "dnsSearchDomains",
        "extraHosts",
        "dockerSecurityOptions",
        "resourceRequirements",
        "credentialSpecs",
    ] {
        td_same(member, ("", ""), ("", &format!(r#", "{member}": []"#)));
    }
    td_same("dockerLabels", ("", ""), ("", r#", "dockerLabels": {}"#));
    td_same(
        "logConfiguration options",
        ("", r#", "logConfiguration": {"logDriver": "awslogs"}"#),
        (
            "",
            r#", "logConfiguration": {"logDriver": "awslogs", "options": {}, "secretOptions": []}"#,
        ),
    );
    td_same(
        "linuxParameters lists",
        ("", r#", "linuxParameters": {"initProcessEnabled": true}"#),
        (
            "",
            r#", "linuxParameters": {"initProcessEnabled": true, "devices": [], "tmpfs": [],
                 "capabilities": {"add": [], "drop": []}}"#,
        ),
    );
}

#[test]
fn empty_entry_point_is_kept() {
    // Docker tells an empty entry point (clears the image's) from none.
    td_differ("entryPoint", ("", ""), ("", r#", "entryPoint": []"#));
}

#[test]
fn logging_configuration_absent_stays_absent() {
    let normalized: RegisterTaskDefinitionRequest =
        load::<RegisterTaskDefinitionRequest>(&td("", "")).normalized();
    assert!(
        normalized.container_definitions.expect("containers")[0]
            .log_configuration
            .is_none()
    );
}

#[test]
fn empty_enum_strings_are_absent() {
    for member in ["ipcMode", "pidMode", "networkMode"] {
        td_same(member, ("", ""), (&format!(r#", "{member}": """#), ""));
    }
}

#[test]
fn set_like_task_lists_are_sorted() {
    td_same(
        "requiresCompatibilities",
        (r#", "requiresCompatibilities": ["FARGATE", "EC2"]"#, ""),
        (r#", "requiresCompatibilities": ["EC2", "FARGATE"]"#, ""),
    );
    td_same(
        "tags",
        (
            r#", "tags": [{"key": "b", "value": "2"}, {"key": "a", "value": "1"}]"#,
            "",
        ),
        (
            r#", "tags": [{"key": "a", "value": "1"}, {"key": "b", "value": "2"}]"#,
            "",
        ),
    );
    td_same(
        "placementConstraints",
        (
            r#", "placementConstraints": [{"type": "memberOf", "expression": "b"}, {"type": "memberOf", "expression": "a"}]"#,
            "",
        ),
        (
            r#", "placementConstraints": [{"type": "memberOf", "expression": "a"}, {"type": "memberOf", "expression": "b"}]"#,
            "",
        ),
    );
    td_same(
        "volumes",
        (r#", "volumes": [{"name": "b"}, {"name": "a"}]"#, ""),
        (r#", "volumes": [{"name": "a"}, {"name": "b"}]"#, ""),
    );
    td_same(
        "proxy properties",
        (
            r#", "proxyConfiguration": {"containerName": "app", "properties": [{"name": "b", "value": "2"}, {"name": "a", "value": "1"}]}"#,
            "",
        ),
        (
            r#", "proxyConfiguration": {"containerName": "app", "properties": [{"name": "a", "value": "1"}, {"name": "b", "value": "2"}]}"#,
            "",
        ),
    );
    assert_same::<RegisterTaskDefinitionRequest>(
        "containers",
        r#"{"family": "web", "containerDefinitions": [{"name": "b", "image": "x"}, {"name": "a", "image": "y"}]}"#,
        r#"{"family": "web", "containerDefinitions": [{"name": "a", "image": "y"}, {"name": "b", "image": "x"}]}"#,
    );
}

#[test]
fn set_like_container_lists_are_sorted() {
    let pairs = [
        (
            r#", "environment": [{"name": "B", "value": "2"}, {"name": "A", "value": "1"}]"#,
            r#", "environment": [{"name": "A", "value": "1"}, {"name": "B", "value": "2"}]"#,
        ),
        (
            r#", "secrets": [{"name": "B", "valueFrom": "arn:b"}, {"name": "A", "valueFrom": "arn:a"}]"#,
            r#", "secrets": [{"name": "A", "valueFrom": "arn:a"}, {"name": "B", "valueFrom": "arn:b"}]"#,
        ),
        (
            r#", "systemControls": [{"namespace": "net.b", "value": "1"}, {"namespace": "net.a", "value": "1"}]"#,
            r#", "systemControls": [{"namespace": "net.a", "value": "1"}, {"namespace": "net.b", "value": "1"}]"#,
        ),
        (
            r#", "ulimits": [{"name": "nproc", "softLimit": 1, "hardLimit": 1}, {"name": "nofile", "softLimit": 2, "hardLimit": 2}]"#,
            r#", "ulimits": [{"name": "nofile", "softLimit": 2, "hardLimit": 2}, {"name": "nproc", "softLimit": 1, "hardLimit": 1}]"#,
        ),
        (
            r#", "portMappings": [{"containerPort": 443}, {"containerPort": 80}]"#,
            r#", "portMappings": [{"containerPort": 80}, {"containerPort": 443}]"#,
        ),
        (
            r#", "logConfiguration": {"logDriver": "splunk", "secretOptions": [{"name": "b", "valueFrom": "x"}, {"name": "a", "valueFrom": "y"}]}"#,
            r#", "logConfiguration": {"logDriver": "splunk", "secretOptions": [{"name": "a", "valueFrom": "y"}, {"name": "b", "valueFrom": "x"}]}"#,
        ),
    ];
    for (a, b) in pairs {
        td_same(a, ("", a), ("", b));
    }
}

#[test]
fn ordered_container_lists_keep_their_order() {
    for (a, b) in [
        (
            r#", "environmentFiles": [{"value": "arn:b", "type": "s3"}, {"value": "arn:a", "type": "s3"}]"#,
            r#", "environmentFiles": [{"value": "arn:a", "type": "s3"}, {"value": "arn:b", "type": "s3"}]"#,
        ),
        (r#", "command": ["b", "a"]"#, r#", "command": ["a", "b"]"#),
        (
            r#", "dnsServers": ["10.0.0.2", "10.0.0.1"]"#,
            r#", "dnsServers": ["10.0.0.1", "10.0.0.2"]"#,
        ),
    ] {
        td_differ(a, ("", a), ("", b));
    }
}

#[test]
fn environment_variables_without_value_are_dropped() {
    td_same(
        "no value",
        (
            "",
            r#", "environment": [{"name": "A", "value": "1"}, {"name": "GONE"}]"#,
        ),
        ("", r#", "environment": [{"name": "A", "value": "1"}]"#),
    );
    // An empty string is a value: kept.
    td_differ(
        "empty value",
        (
            "",
            r#", "environment": [{"name": "A", "value": "1"}, {"name": "EMPTY", "value": ""}]"#,
        ),
        ("", r#", "environment": [{"name": "A", "value": "1"}]"#),
    );
}

#[test]
fn health_check_defaults() {
    td_same(
        "healthCheck",
        ("", r#", "healthCheck": {"command": ["CMD", "true"]}"#),
        (
            "",
            r#", "healthCheck": {"command": ["CMD", "true"], "interval": 30, "timeout": 5, "retries": 3}"#,
        ),
    );
    td_differ(
        "startPeriod",
        ("", r#", "healthCheck": {"command": ["CMD", "true"]}"#),
        (
            "",
            r#", "healthCheck": {"command": ["CMD", "true"], "startPeriod": 0}"#,
        ),
    );
}

#[test]
fn restart_policy_attempt_period_defaults_to_300() {
    td_same(
        "restartAttemptPeriod",
        ("", r#", "restartPolicy": {"enabled": true}"#),
        (
            "",
            r#", "restartPolicy": {"enabled": true, "restartAttemptPeriod": 300}"#,
        ),
    );
}

#[test]
fn read_only_defaults_to_false() {
    td_same(
        "mountPoints",
        (
            r#", "volumes": [{"name": "data"}]"#,
            r#", "mountPoints": [{"sourceVolume": "data", "containerPath": "/data"}]"#,
        ),
        (
            r#", "volumes": [{"name": "data"}]"#,
            r#", "mountPoints": [{"sourceVolume": "data", "containerPath": "/data", "readOnly": false}]"#,
        ),
    );
    td_same(
        "volumesFrom",
        ("", r#", "volumesFrom": [{"sourceContainer": "other"}]"#),
        (
            "",
            r#", "volumesFrom": [{"sourceContainer": "other", "readOnly": false}]"#,
        ),
    );
}

#[test]
fn empty_host_volume_is_absent() {
    td_same(
        "host {}",
        (r#", "volumes": [{"name": "scratch"}]"#, ""),
        (r#", "volumes": [{"name": "scratch", "host": {}}]"#, ""),
    );
    td_differ(
        "host path",
        (r#", "volumes": [{"name": "scratch"}]"#, ""),
        (
            r#", "volumes": [{"name": "scratch", "host": {"sourcePath": "/tmp"}}]"#,
            "",
        ),
    );
}

#[test]
fn efs_volume_defaults() {
    td_same(
        "efs",
        (
            r#", "volumes": [{"name": "efs", "efsVolumeConfiguration": {"fileSystemId": "fs-1", "authorizationConfig": {"accessPointId": "fsap-1"}}}]"#,
            "",
        ),
        (
            r#", "volumes": [{"name": "efs", "efsVolumeConfiguration": {"fileSystemId": "fs-1", "rootDirectory": "/", "transitEncryption": "DISABLED", "authorizationConfig": {"accessPointId": "fsap-1", "iam": "DISABLED"}}}]"#,
            "",
        ),
    );
}

#[test]
fn fault_injection_defaults_to_false() {
    td_same(
        "enableFaultInjection",
        ("", ""),
        (r#", "enableFaultInjection": false"#, ""),
    );
}

#[test]
fn unknown_members_survive() {
    let written: RegisterTaskDefinitionRequest = load(&td(
        r#", "futureTaskField": {"x": 1}, "volumes": [{"name": "v", "host": {"futureHostField": true}}]"#,
        r#", "futureContainerField": [1, 2], "environment": [{"name": "KEEP", "futureEnvField": 1}]"#,
    ));
    let normalized = written.normalized();
    assert!(normalized.extra.contains_key("futureTaskField"));
    let volume = &normalized.volumes.as_ref().expect("volumes")[0];
    let host = volume
        .host
        .as_ref()
        .expect("a host with unknown members is kept");
    assert!(host.extra.contains_key("futureHostField"));
    let container = &normalized
        .container_definitions
        .as_ref()
        .expect("containers")[0];
    assert!(container.extra.contains_key("futureContainerField"));
    let environment = container.environment.as_ref().expect("kept");
    assert_eq!(environment.len(), 1);
    assert!(environment[0].extra.contains_key("futureEnvField"));
}

// ---------------------------------------------------------------------------------------------
// Register input versus describe output.

#[test]
fn register_input_and_describe_output_normalize_equal() {
    let input = r#"{
        "family": "web",
        "networkMode": "awsvpc",
        "requiresCompatibilities": ["FARGATE"],
        "cpu": "0.5 vCPU",
        "memory": "1 GB",
        "executionRoleArn": "arn:aws:iam::123456789012:role/exec",
        "volumes": [{"name": "scratch"}],
        "containerDefinitions": [
            {
                "name": "web",
                "image": "nginx:1.27",
                "portMappings": [{"containerPort": 80}],
                "environment": [{"name": "MODE", "value": "prod"}, {"name": "LEVEL", "value": "info"}],
                "mountPoints": [{"sourceVolume": "scratch", "containerPath": "/scratch"}],
                "healthCheck": {"command": ["CMD-SHELL", "curl -f http://localhost/ || exit 1"]}
            },
            {
                "name": "sidecar",
                "image": "busybox",
                "essential": false,
                "command": ["sleep", "infinity"]
            }
        ],
        "tags": [{"key": "team", "value": "web"}]
    }"#;
    let output = r#"{
        "taskDefinition": {
            "taskDefinitionArn": "arn:aws:ecs:us-east-1:123456789012:task-definition/web:3",
            "containerDefinitions": [
                {
                    "name": "web",
                    "image": "nginx:1.27",
                    "cpu": 0,
                    "portMappings": [{"containerPort": 80, "hostPort": 80, "protocol": "tcp"}],
                    "essential": true,
                    "environment": [{"name": "LEVEL", "value": "info"}, {"name": "MODE", "value": "prod"}],
                    "mountPoints": [{"sourceVolume": "scratch", "containerPath": "/scratch", "readOnly": false}],
                    "volumesFrom": [],
                    "systemControls": [],
                    "healthCheck": {
                        "command": ["CMD-SHELL", "curl -f http://localhost/ || exit 1"],
                        "interval": 30, "timeout": 5, "retries": 3
                    }
                },
                {
                    "name": "sidecar",
                    "image": "busybox",
                    "cpu": 0,
                    "portMappings": [],
                    "essential": false,
                    "command": ["sleep", "infinity"],
                    "environment": [],
                    "mountPoints": [],
                    "volumesFrom": [],
                    "systemControls": []
                }
            ],
            "family": "web",
            "executionRoleArn": "arn:aws:iam::123456789012:role/exec",
            "networkMode": "awsvpc",
            "revision": 3,
            "volumes": [{"name": "scratch", "host": {}}],
            "status": "ACTIVE",
            "requiresAttributes": [{"name": "ecs.capability.task-eni"}],
            "placementConstraints": [],
            "compatibilities": ["EC2", "FARGATE"],
            "requiresCompatibilities": ["FARGATE"],
            "cpu": "512",
            "memory": "1024",
            "registeredAt": "2025-01-01T00:00:00.000000+00:00",
            "registeredBy": "arn:aws:iam::123456789012:root"
        },
        "tags": [{"key": "team", "value": "web"}]
    }"#;
    let desired = single_task_definition(input);
    let actual = single_task_definition(output);
    assert_ne!(desired, actual);
    assert_eq!(desired.normalized(), actual.normalized());
}

#[test]
fn console_export_in_the_corpus_matches_its_register_input() {
    // The input a user would have written for the corpus's console export.
    let input = r#"{
        "family": "fargate-gitlab-runner",
        "taskRoleArn": "arn:aws:iam::080266302756:role/ecs-task-role",
        "executionRoleArn": "arn:aws:iam::080266302756:role/ecsTaskExecutionRole",
        "networkMode": "awsvpc",
        "requiresCompatibilities": ["FARGATE"],
        "runtimePlatform": {"cpuArchitecture": "X86_64", "operatingSystemFamily": "LINUX"},
        "cpu": "1 vCPU",
        "memory": "3 GB",
        "containerDefinitions": [{
            "name": "ci-coordinator",
            "image": "080266302756.dkr.ecr.us-west-2.amazonaws.com/fargate-gitlab-runner:latest",
            "portMappings": [{"containerPort": 22, "name": "ci-coordinator-22-tcp", "appProtocol": "http"}],
            "logConfiguration": {
                "logDriver": "awslogs",
                "options": {
                    "awslogs-create-group": "true",
                    "awslogs-group": "/ecs/fargate-gitlab-runner",
                    "awslogs-region": "us-west-2",
                    "awslogs-stream-prefix": "ecs"
                }
            }
        }]
    }"#;
    let path = corpus().join("task-definitions/user-console-export-output.json");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    assert_eq!(
        single_task_definition(input).normalized(),
        single_task_definition(&text).normalized()
    );
}

fn single_task_definition(text: &str) -> RegisterTaskDefinitionRequest {
    match single_input(text) {
        Input::TaskDefinition(td) => td,
        other => panic!("expected a task definition, got {other:?}"),
    }
}

fn single_input(text: &str) -> Input {
    let document = parse(text, None).value.expect("the document loads");
    let mut inputs = document.inputs();
    assert_eq!(inputs.len(), 1, "one resource expected");
    inputs.remove(0).1
}

// ---------------------------------------------------------------------------------------------
// Services.

#[test]
fn service_scheduling_and_controller_defaults() {
    svc_same(
        "schedulingStrategy",
        "",
        r#", "schedulingStrategy": "REPLICA""#,
    );
    svc_same(
        "deploymentController",
        "",
        r#", "deploymentController": {"type": "ECS"}"#,
    );
}

#[test]
fn service_deployment_configuration_defaults() {
    svc_same(
        "replica percents",
        "",
        r#", "deploymentConfiguration": {"maximumPercent": 200, "minimumHealthyPercent": 100}"#,
    );
    svc_same(
        "circuit breaker",
        r#", "deploymentConfiguration": {"maximumPercent": 200}"#,
        r#", "deploymentConfiguration": {"maximumPercent": 200, "deploymentCircuitBreaker": {"enable": false, "rollback": false}}"#,
    );
    svc_same(
        "circuit breaker rollback",
        r#", "deploymentConfiguration": {"deploymentCircuitBreaker": {"enable": true}}"#,
        r#", "deploymentConfiguration": {"deploymentCircuitBreaker": {"enable": true, "rollback": false}}"#,
    );
    svc_same(
        "alarms off",
        "",
        r#", "deploymentConfiguration": {"alarms": {"alarmNames": [], "enable": false, "rollback": false}}"#,
    );
    assert_same::<CreateServiceRequest>(
        "daemon minimum",
        r#"{"serviceName": "agent", "schedulingStrategy": "DAEMON"}"#,
        r#"{"serviceName": "agent", "schedulingStrategy": "DAEMON", "deploymentConfiguration": {"minimumHealthyPercent": 0}}"#,
    );
    assert_differ::<CreateServiceRequest>(
        "replica and daemon",
        r#"{"serviceName": "agent"}"#,
        r#"{"serviceName": "agent", "schedulingStrategy": "DAEMON"}"#,
    );
    // No circuit breaker outside the ECS controller.
    let external: CreateServiceRequest =
        load(&svc(r#", "deploymentController": {"type": "EXTERNAL"}"#));
    let external = external.normalized();
    let deployment = external.deployment_configuration.expect("percents filled");
    assert!(deployment.deployment_circuit_breaker.is_none());
}

#[test]
fn service_deployment_strategy_and_circuit_breaker_defaults() {
    // What DescribeServices answers in 2025-26 for a request that set only the breaker.
    svc_same(
        "2025 describe answer",
        r#", "deploymentConfiguration": {"deploymentCircuitBreaker": {"enable": true, "rollback": true}}"#,
        r#", "deploymentConfiguration": {"deploymentCircuitBreaker": {"enable": true, "rollback": true,
              "resetOnHealthyTask": true,
              "thresholdConfiguration": {"type": "BOUNDED_PERCENT", "value": 50}},
            "strategy": "ROLLING", "bakeTimeInMinutes": 0}"#,
    );
    svc_same(
        "strategy",
        "",
        r#", "deploymentConfiguration": {"strategy": "ROLLING"}"#,
    );
    svc_same(
        "bake time of a rolling deployment",
        r#", "deploymentConfiguration": {"strategy": "ROLLING"}"#,
        r#", "deploymentConfiguration": {"bakeTimeInMinutes": 0}"#,
    );
    svc_same(
        "threshold members one by one",
        r#", "deploymentConfiguration": {"deploymentCircuitBreaker": {"enable": true, "thresholdConfiguration": {"type": "BOUNDED_PERCENT"}}}"#,
        r#", "deploymentConfiguration": {"deploymentCircuitBreaker": {"enable": true, "thresholdConfiguration": {"value": 50}}}"#,
    );
    // A value other than the default is a difference AWS keeps, and so is its removal.
    let svc_differ = |what: &str, a: &str, b: &str| {
        assert_differ::<CreateServiceRequest>(what, &svc(a), &svc(b));
    };
    svc_differ(
        "resetOnHealthyTask false",
        "",
        r#", "deploymentConfiguration": {"deploymentCircuitBreaker": {"enable": false, "rollback": false, "resetOnHealthyTask": false}}"#,
    );
    svc_differ(
        "a COUNT threshold",
        "",
        r#", "deploymentConfiguration": {"deploymentCircuitBreaker": {"enable": true, "thresholdConfiguration": {"type": "COUNT", "value": 50}}}"#,
    );
    // Only a rolling deployment has no bake time: a blue/green one keeps what was written.
    svc_differ(
        "blue/green bake time",
        r#", "deploymentConfiguration": {"strategy": "BLUE_GREEN"}"#,
        r#", "deploymentConfiguration": {"strategy": "BLUE_GREEN", "bakeTimeInMinutes": 0}"#,
    );
    svc_differ(
        "blue/green is not rolling",
        "",
        r#", "deploymentConfiguration": {"strategy": "BLUE_GREEN", "bakeTimeInMinutes": 0}"#,
    );
    // Outside the ECS controller there is no strategy, bake time or breaker to fill.
    let external: CreateServiceRequest =
        load(&svc(r#", "deploymentController": {"type": "EXTERNAL"}"#));
    let deployment = external
        .normalized()
        .deployment_configuration
        .expect("percents filled");
    assert!(deployment.strategy.is_none() && deployment.bake_time_in_minutes.is_none());
}

#[test]
fn service_flag_defaults() {
    svc_same("propagateTags", "", r#", "propagateTags": "NONE""#);
    svc_same(
        "enableECSManagedTags",
        "",
        r#", "enableECSManagedTags": false"#,
    );
    svc_same(
        "enableExecuteCommand",
        "",
        r#", "enableExecuteCommand": false"#,
    );
    svc_same(
        "healthCheckGracePeriodSeconds",
        "",
        r#", "healthCheckGracePeriodSeconds": 0"#,
    );
    svc_same(
        "availabilityZoneRebalancing",
        "",
        r#", "availabilityZoneRebalancing": "ENABLED""#,
    );
}

#[test]
fn service_network_defaults() {
    svc_same(
        "assignPublicIp and order",
        r#", "networkConfiguration": {"awsvpcConfiguration": {"subnets": ["subnet-b", "subnet-a"], "securityGroups": ["sg-2", "sg-1"]}}"#,
        r#", "networkConfiguration": {"awsvpcConfiguration": {"subnets": ["subnet-a", "subnet-b"], "securityGroups": ["sg-1", "sg-2"], "assignPublicIp": "DISABLED"}}"#,
    );
}

#[test]
fn service_platform_version_defaults_to_latest_on_fargate() {
    svc_same(
        "launch type",
        r#", "launchType": "FARGATE""#,
        r#", "launchType": "FARGATE", "platformVersion": "LATEST""#,
    );
    svc_same(
        "strategy",
        r#", "capacityProviderStrategy": [{"capacityProvider": "FARGATE_SPOT", "weight": 1}]"#,
        r#", "capacityProviderStrategy": [{"capacityProvider": "FARGATE_SPOT", "weight": 1}], "platformVersion": "LATEST""#,
    );
    let ec2: CreateServiceRequest = load(&svc(r#", "launchType": "EC2""#));
    assert_eq!(ec2.normalized().platform_version, None);
}

#[test]
fn service_launch_type_and_desired_count_are_not_filled() {
    let bare: CreateServiceRequest = load(r#"{"serviceName": "web"}"#);
    let bare = bare.normalized();
    assert_eq!(bare.launch_type, None);
    assert_eq!(bare.desired_count, None);
}

#[test]
fn service_set_like_lists_are_sorted() {
    svc_same(
        "capacityProviderStrategy",
        r#", "capacityProviderStrategy": [{"capacityProvider": "b", "weight": 1}, {"capacityProvider": "a", "weight": 2, "base": 1}]"#,
        r#", "capacityProviderStrategy": [{"capacityProvider": "a", "weight": 2, "base": 1}, {"capacityProvider": "b", "weight": 1, "base": 0}]"#,
    );
    svc_same(
        "capacityProviderStrategy weight",
        r#", "capacityProviderStrategy": [{"capacityProvider": "a", "base": 1}]"#,
        r#", "capacityProviderStrategy": [{"capacityProvider": "a", "base": 1, "weight": 0}]"#,
    );
    svc_same(
        "loadBalancers",
        r#", "loadBalancers": [{"targetGroupArn": "tg-b", "containerName": "app", "containerPort": 80}, {"targetGroupArn": "tg-a", "containerName": "app", "containerPort": 80}]"#,
        r#", "loadBalancers": [{"targetGroupArn": "tg-a", "containerName": "app", "containerPort": 80}, {"targetGroupArn": "tg-b", "containerName": "app", "containerPort": 80}]"#,
    );
    svc_same(
        "placementConstraints",
        r#", "placementConstraints": [{"type": "memberOf", "expression": "b"}, {"type": "distinctInstance"}]"#,
        r#", "placementConstraints": [{"type": "distinctInstance"}, {"type": "memberOf", "expression": "b"}]"#,
    );
    svc_same(
        "tags",
        r#", "tags": [{"key": "b", "value": "2"}, {"key": "a", "value": "1"}]"#,
        r#", "tags": [{"key": "a", "value": "1"}, {"key": "b", "value": "2"}]"#,
    );
    // Placement strategies apply in order.
    assert_differ::<CreateServiceRequest>(
        "placementStrategy",
        &svc(
            r#", "placementStrategy": [{"type": "spread", "field": "attribute:ecs.availability-zone"}, {"type": "binpack", "field": "memory"}]"#,
        ),
        &svc(
            r#", "placementStrategy": [{"type": "binpack", "field": "memory"}, {"type": "spread", "field": "attribute:ecs.availability-zone"}]"#,
        ),
    );
}

#[test]
fn service_empty_lists_are_absent() {
    for member in [
        "loadBalancers",
        "serviceRegistries",
        "placementConstraints",
        "placementStrategy",
        "capacityProviderStrategy",
        "tags",
        "volumeConfigurations",
        "vpcLatticeConfigurations",
    ] {
        svc_same(member, "", &format!(r#", "{member}": []"#));
    }
}

#[test]
fn create_input_and_describe_output_normalize_equal() {
    let input = r#"{
        "cluster": "arn:aws:ecs:us-west-2:123456789012:cluster/MyCluster",
        "serviceName": "MyService",
        "taskDefinition": "arn:aws:ecs:us-west-2:123456789012:task-definition/sample-fargate:1",
        "desiredCount": 2,
        "launchType": "FARGATE",
        "networkConfiguration": {"awsvpcConfiguration": {"subnets": ["subnet-12344321"], "securityGroups": ["sg-12344321"]}},
        "tags": [{"key": "key2", "value": "value2"}, {"key": "key1", "value": "value1"}]
    }"#;
    let output = r#"{
        "service": {
            "serviceArn": "arn:aws:ecs:us-west-2:123456789012:service/MyCluster/MyService",
            "serviceName": "MyService",
            "clusterArn": "arn:aws:ecs:us-west-2:123456789012:cluster/MyCluster",
            "loadBalancers": [],
            "serviceRegistries": [],
            "status": "ACTIVE",
            "desiredCount": 2,
            "runningCount": 0,
            "pendingCount": 0,
            "launchType": "FARGATE",
            "platformVersion": "LATEST",
            "taskDefinition": "arn:aws:ecs:us-west-2:123456789012:task-definition/sample-fargate:1",
            "deploymentConfiguration": {
                "deploymentCircuitBreaker": {"enable": false, "rollback": false},
                "maximumPercent": 200,
                "minimumHealthyPercent": 100
            },
            "deployments": [],
            "events": [],
            "createdAt": 1557119253.821,
            "placementConstraints": [],
            "placementStrategy": [],
            "networkConfiguration": {
                "awsvpcConfiguration": {"subnets": ["subnet-12344321"], "securityGroups": ["sg-12344321"], "assignPublicIp": "DISABLED"}
            },
            "healthCheckGracePeriodSeconds": 0,
            "schedulingStrategy": "REPLICA",
            "deploymentController": {"type": "ECS"},
            "tags": [{"key": "key1", "value": "value1"}, {"key": "key2", "value": "value2"}],
            "enableECSManagedTags": false,
            "propagateTags": "NONE",
            "enableExecuteCommand": false,
            "availabilityZoneRebalancing": "ENABLED"
        }
    }"#;
    let (Input::Service(desired), Input::Service(actual)) =
        (single_input(input), single_input(output))
    else {
        panic!("expected services");
    };
    assert_ne!(desired, actual);
    assert_eq!(desired.normalized(), actual.normalized());
}

// ---------------------------------------------------------------------------------------------
// Clusters and capacity providers.

#[test]
fn cluster_defaults_and_order() {
    let pairs = [
        (
            r#"{"clusterName": "c", "capacityProviders": ["FARGATE_SPOT", "FARGATE"]}"#,
            r#"{"clusterName": "c", "capacityProviders": ["FARGATE", "FARGATE_SPOT"]}"#,
        ),
        (
            r#"{"clusterName": "c", "defaultCapacityProviderStrategy": [{"capacityProvider": "FARGATE_SPOT", "weight": 4}, {"capacityProvider": "FARGATE", "weight": 1, "base": 1}]}"#,
            r#"{"clusterName": "c", "defaultCapacityProviderStrategy": [{"capacityProvider": "FARGATE", "weight": 1, "base": 1}, {"capacityProvider": "FARGATE_SPOT", "weight": 4, "base": 0}]}"#,
        ),
        (
            r#"{"clusterName": "c", "tags": [{"key": "b", "value": "2"}, {"key": "a", "value": "1"}]}"#,
            r#"{"clusterName": "c", "tags": [{"key": "a", "value": "1"}, {"key": "b", "value": "2"}]}"#,
        ),
        (
            r#"{"clusterName": "c", "settings": [{"name": "zzFuture", "value": "x"}, {"name": "containerInsights", "value": "enabled"}]}"#,
            r#"{"clusterName": "c", "settings": [{"name": "containerInsights", "value": "enabled"}, {"name": "zzFuture", "value": "x"}]}"#,
        ),
        (
            r#"{"clusterName": "c", "configuration": {"executeCommandConfiguration": {"kmsKeyId": "k"}}}"#,
            r#"{"clusterName": "c", "configuration": {"executeCommandConfiguration": {"kmsKeyId": "k", "logging": "DEFAULT"}}}"#,
        ),
        (
            r#"{"clusterName": "c"}"#,
            r#"{"clusterName": "c", "settings": [], "capacityProviders": [], "defaultCapacityProviderStrategy": [], "tags": []}"#,
        ),
    ];
    for (a, b) in pairs {
        assert_same::<CreateClusterRequest>(a, a, b);
    }
}

#[test]
fn capacity_provider_defaults() {
    assert_same::<CreateCapacityProviderRequest>(
        "asg",
        r#"{"name": "asg", "autoScalingGroupProvider": {"autoScalingGroupArn": "arn:asg", "managedScaling": {"status": "ENABLED"}}, "tags": []}"#,
        r#"{"name": "asg", "autoScalingGroupProvider": {"autoScalingGroupArn": "arn:asg", "managedTerminationProtection": "DISABLED",
            "managedScaling": {"status": "ENABLED", "targetCapacity": 100, "minimumScalingStepSize": 1, "maximumScalingStepSize": 10000, "instanceWarmupPeriod": 300}}}"#,
    );
}

// ---------------------------------------------------------------------------------------------
// Stacks, the trait on inputs, and idempotence over the corpus.

#[test]
fn stack_normalizes_every_resource() {
    let text = format!(
        r#"{{"clusters": [{{"clusterName": "c", "tags": []}}],
            "capacityProviders": [{{"name": "p", "tags": []}}],
            "taskDefinitions": [{}],
            "services": [{}]}}"#,
        td("", ""),
        svc("")
    );
    let Some(Document::Stack(mut stack)) = parse(&text, None).value else {
        panic!("expected a stack");
    };
    let expected_td = load::<RegisterTaskDefinitionRequest>(&td("", "")).normalized();
    let expected_service = load::<CreateServiceRequest>(&svc("")).normalized();
    normalize::stack(&mut stack);
    assert_eq!(stack.task_definitions, vec![expected_td]);
    assert_eq!(stack.services, vec![expected_service]);
    assert_eq!(stack.clusters[0].tags, None);
    assert_eq!(stack.capacity_providers[0].tags, None);
    assert_eq!(stack.clone().normalized(), stack);
    assert_eq!(Stack::default().normalized(), Stack::default());
}

#[test]
fn normalize_on_input_matches_the_functions() {
    let mut input = single_input(&td("", ""));
    let mut direct: RegisterTaskDefinitionRequest = load(&td("", ""));
    input.normalize();
    normalize::task_definition(&mut direct);
    assert_eq!(input, Input::TaskDefinition(direct));
}

fn corpus() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/corpus"))
}

#[test]
fn idempotent_over_the_corpus() {
    let mut checked = 0;
    for folder in ["task-definitions", "services"] {
        let dir = corpus().join(folder);
        let mut files: Vec<_> = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
            .filter_map(|entry| entry.ok().map(|e| e.path()))
            .filter(|path| path.extension().is_some_and(|x| x == "json"))
            .collect();
        files.sort();
        assert!(!files.is_empty(), "{} holds no JSON file", dir.display());
        for path in files {
            let text = std::fs::read_to_string(&path)
                .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            let document = parse(&text, None)
                .value
                .unwrap_or_else(|| panic!("{} does not load", path.display()));
            for (at, input) in document.inputs() {
                let once = input.clone().normalized();
                let twice = once.clone().normalized();
                assert_eq!(once, twice, "{} at {at}: not idempotent", path.display());
                assert_extra_kept(&input, &once, &format!("{} at {at}", path.display()));
                checked += 1;
            }
        }
    }
    assert!(checked > 0);
}

/// The top-level unknown members are untouched by normalization.
fn assert_extra_kept(before: &Input, after: &Input, what: &str) {
    let (a, b) = match (before, after) {
        (Input::TaskDefinition(a), Input::TaskDefinition(b)) => (&a.extra, &b.extra),
        (Input::Service(a), Input::Service(b)) => (&a.extra, &b.extra),
        (Input::Cluster(a), Input::Cluster(b)) => (&a.extra, &b.extra),
        (Input::CapacityProvider(a), Input::CapacityProvider(b)) => (&a.extra, &b.extra),
        _ => panic!("{what}: the kind changed"),
    };
    assert_eq!(a, b, "{what}: unknown members changed");
}
