//! Cases for the task-definition and Fargate rules. Documents are built from small valid bases
//! with only the members under test changed, so each case shows what breaks (or nearly breaks)
//! its rule.

use serde_json::{Value, json};

use crate::{Case, breaks, keeps};

/// `base` with `patch`'s members set on top (a `null` member removes it).
fn merge(mut base: Value, patch: Value) -> Value {
    if let (Some(object), Value::Object(patch)) = (base.as_object_mut(), patch) {
        for (key, value) in patch {
            if value.is_null() {
                object.remove(&key);
            } else {
                object.insert(key, value);
            }
        }
    }
    base
}

/// A valid container named `name` with `patch` applied.
fn named(name: &str, patch: Value) -> Value {
    merge(json!({"name": name, "image": "nginx", "memory": 64}), patch)
}

/// A valid container `a` with `patch` applied.
fn container(patch: Value) -> Value {
    named("a", patch)
}

/// A valid EC2 task definition (one container `a`) with `patch` applied.
fn task(patch: Value) -> Value {
    merge(
        json!({"family": "f", "containerDefinitions": [container(json!({}))]}),
        patch,
    )
}

/// A task definition with these containers.
fn containers(list: Value) -> Value {
    task(json!({"containerDefinitions": list}))
}

/// A task definition whose one container is `a` with `patch` applied.
fn one(patch: Value) -> Value {
    containers(json!([container(patch)]))
}

/// A valid Fargate task definition (256 CPU units, 512 MiB, one container) with `patch` applied.
fn fargate(patch: Value) -> Value {
    merge(
        json!({
            "family": "f",
            "requiresCompatibilities": ["FARGATE"],
            "networkMode": "awsvpc",
            "cpu": "256",
            "memory": "512",
            "containerDefinitions": [{"name": "a", "image": "nginx"}]
        }),
        patch,
    )
}

/// A Fargate task definition whose one container is `a` (no memory) with `patch` applied.
fn fargate_one(patch: Value) -> Value {
    fargate(json!({"containerDefinitions": [merge(json!({"name": "a", "image": "nginx"}), patch)]}))
}

/// A Windows task definition with `patch` applied.
fn windows(patch: Value) -> Value {
    task(merge(
        json!({"runtimePlatform": {"operatingSystemFamily": "WINDOWS_SERVER_2022_CORE"}}),
        patch,
    ))
}

/// A task definition in `mode` whose container `a` has these port mappings.
fn ports(mode: &str, mappings: Value) -> Value {
    task(json!({
        "networkMode": mode,
        "containerDefinitions": [container(json!({"portMappings": mappings}))]
    }))
}

/// A task definition in `mode` with two containers mapping these ports.
fn ports_in_two(mode: &str, first: Value, second: Value) -> Value {
    task(json!({
        "networkMode": mode,
        "containerDefinitions": [
            named("a", json!({"portMappings": first})),
            named("b", json!({"portMappings": second}))
        ]
    }))
}

/// A container `a` with this health check (a valid one when `patch` is `{}`).
fn health(patch: Value) -> Value {
    one(json!({"healthCheck": merge(json!({"command": ["CMD", "true"]}), patch)}))
}

/// A container `a` with this log configuration.
fn logs(log: Value) -> Value {
    one(json!({"logConfiguration": log}))
}

fn awslogs(options: Value) -> Value {
    json!({"logDriver": "awslogs", "options": options})
}

/// `count` non-overlapping two-port ranges from 10000.
fn port_ranges(count: u32) -> Value {
    let ranges: Vec<Value> = (0..count)
        .map(|i| {
            let first = 10000 + 2 * i;
            json!({"containerPortRange": format!("{first}-{}", first + 1)})
        })
        .collect();
    Value::Array(ranges)
}

pub fn cases() -> Vec<Case> {
    let mut cases = vec![
        breaks(
            "tag-reserved-prefix",
            "tags[0].key",
            json!({"family": "f", "containerDefinitions": [{"name": "a", "image": "i", "memory": 64}],
                   "tags": [{"key": "aws:owner", "value": "me"}]}),
        ),
        keeps(
            "tag-reserved-prefix",
            json!({"family": "f", "containerDefinitions": [{"name": "a", "image": "i", "memory": 64}],
                   "tags": [{"key": "owner", "value": "aws"}]}),
        ),
    ];
    cases.extend(tags());
    cases.extend(basics());
    cases.extend(task_size());
    cases.extend(container_resources());
    cases.extend(port_mappings());
    cases.extend(references());
    cases.extend(health_checks());
    cases.extend(task_options());
    cases.extend(logging());
    cases.extend(secrets());
    cases.extend(fargate_rules());
    cases
}

/// The shared tag rules, through a task definition's `tags`.
fn tags() -> Vec<Case> {
    let tag = |key: &str, value: &str| json!({"key": key, "value": value});
    let many: Vec<Value> = (0..51).map(|i| tag(&format!("k{i}"), "v")).collect();
    vec![
        breaks("tag-limit", "tags", task(json!({"tags": many}))),
        keeps("tag-limit", task(json!({"tags": many[..50].to_vec()}))),
        breaks(
            "tag-length",
            "tags[0].key",
            task(json!({"tags": [tag(&"k".repeat(129), "v")]})),
        ),
        keeps(
            "tag-length",
            task(json!({"tags": [tag(&"k".repeat(128), &"v".repeat(256))]})),
        ),
        breaks(
            "tag-duplicate-key",
            "tags[1].key",
            task(json!({"tags": [tag("team", "a"), tag("team", "b")]})),
        ),
        breaks(
            "tag-characters",
            "tags[0].value",
            task(json!({"tags": [tag("team", "a&b")]})),
        ),
        keeps(
            "tag-characters",
            task(json!({"tags": [tag("team name", "a_b.c:d/e=f+g-h@i")]})),
        ),
    ]
}

fn basics() -> Vec<Case> {
    let eleven: Vec<Value> = (0..11)
        .map(|i| named(&format!("c{i}"), json!({})))
        .collect();
    let ten = Value::Array(eleven[..10].to_vec());
    vec![
        breaks(
            "family-name",
            "family",
            task(json!({"family": "my family"})),
        ),
        keeps("family-name", task(json!({"family": "my-family_2"}))),
        breaks(
            "container-name",
            "containerDefinitions[0].name",
            one(json!({"name": "web app"})),
        ),
        breaks(
            "container-name",
            "containerDefinitions[0].name",
            one(json!({"name": null})),
        ),
        keeps("container-name", one(json!({"name": "web_app-2"}))),
        breaks(
            "container-image-required",
            "containerDefinitions[0].image",
            one(json!({"image": null})),
        ),
        breaks(
            "container-image-required",
            "containerDefinitions[0].image",
            one(json!({"image": " "})),
        ),
        breaks(
            "container-image-syntax",
            "containerDefinitions[0].image",
            one(json!({"image": "nginx latest"})),
        ),
        breaks(
            "container-image-syntax",
            "containerDefinitions[0].image",
            one(json!({"image": format!("registry.example.com/{}", "a".repeat(240))})),
        ),
        keeps(
            "container-image-syntax",
            one(
                json!({"image": "123456789012.dkr.ecr.us-east-1.amazonaws.com/app@sha256:0123456789abcdef"}),
            ),
        ),
        keeps(
            "container-image-syntax",
            one(json!({"image": "localhost:5000/Team_App/web-1.2:v1.2.3#build"})),
        ),
        keeps(
            "container-image-syntax",
            one(json!({"image": "{{ must_env `IMAGE` }}"})),
        ),
        breaks(
            "container-count",
            "containerDefinitions",
            containers(json!([])),
        ),
        breaks(
            "container-count",
            "containerDefinitions",
            containers(Value::Array(eleven)),
        ),
        keeps("container-count", containers(ten)),
        breaks(
            "duplicate-container-name",
            "containerDefinitions[1].name",
            containers(json!([named("a", json!({})), named("a", json!({}))])),
        ),
        keeps(
            "duplicate-container-name",
            containers(json!([named("a", json!({})), named("b", json!({}))])),
        ),
        breaks(
            "essential-container",
            "containerDefinitions",
            containers(json!([
                named("a", json!({"essential": false})),
                named("b", json!({"essential": false}))
            ])),
        ),
        keeps(
            "essential-container",
            containers(json!([
                named("a", json!({"essential": false})),
                named("b", json!({}))
            ])),
        ),
    ]
}

fn task_size() -> Vec<Case> {
    vec![
        breaks(
            "task-cpu-unparseable",
            "cpu",
            task(json!({"cpu": "1 core"})),
        ),
        keeps("task-cpu-unparseable", task(json!({"cpu": "1 vCPU"}))),
        breaks(
            "task-memory-unparseable",
            "memory",
            task(json!({"memory": "lots"})),
        ),
        keeps("task-memory-unparseable", task(json!({"memory": "2 GB"}))),
        breaks("task-cpu-range", "cpu", task(json!({"cpu": "127"}))),
        keeps("task-cpu-range", task(json!({"cpu": "128"}))),
        keeps("task-cpu-range", task(json!({"cpu": "192 vCPU"}))),
        breaks("task-cpu-range", "cpu", task(json!({"cpu": "196609"}))),
        breaks(
            "task-cpu-range",
            "cpu",
            task(json!({"requiresCompatibilities": ["EXTERNAL"], "cpu": "64"})),
        ),
    ]
}

fn container_resources() -> Vec<Case> {
    vec![
        breaks(
            "memory-reservation-exceeds-memory",
            "containerDefinitions[0].memoryReservation",
            one(json!({"memory": 64, "memoryReservation": 65})),
        ),
        keeps(
            "memory-reservation-exceeds-memory",
            one(json!({"memory": 64, "memoryReservation": 64})),
        ),
        breaks(
            "container-memory-minimum",
            "containerDefinitions[0].memory",
            one(json!({"memory": 5})),
        ),
        breaks(
            "container-memory-minimum",
            "containerDefinitions[0].memoryReservation",
            one(json!({"memory": null, "memoryReservation": 4})),
        ),
        keeps("container-memory-minimum", one(json!({"memory": 6}))),
        breaks(
            "container-memory-required",
            "containerDefinitions[0].memory",
            one(json!({"memory": null})),
        ),
        keeps(
            "container-memory-required",
            one(json!({"memory": null, "memoryReservation": 64})),
        ),
        keeps(
            "container-memory-required",
            task(json!({"memory": "512", "containerDefinitions": [{"name": "a", "image": "i"}]})),
        ),
        breaks(
            "container-memory-limit",
            "containerDefinitions[0].memory",
            task(
                json!({"memory": "512", "containerDefinitions": [container(json!({"memory": 513}))]}),
            ),
        ),
        keeps(
            "container-memory-limit",
            task(
                json!({"memory": "0.5 GB", "containerDefinitions": [container(json!({"memory": 512}))]}),
            ),
        ),
        breaks(
            "container-memory-sum",
            "memory",
            task(json!({"memory": "512", "containerDefinitions": [
                named("a", json!({"memory": null, "memoryReservation": 256})),
                named("b", json!({"memory": 1024, "memoryReservation": 257}))
            ]})),
        ),
        keeps(
            "container-memory-sum",
            task(json!({"memory": "512", "containerDefinitions": [
                named("a", json!({"memory": null, "memoryReservation": 256})),
                named("b", json!({"memory": 256}))
            ]})),
        ),
        breaks(
            "container-cpu-sum",
            "cpu",
            task(json!({"cpu": "256", "containerDefinitions": [
                named("a", json!({"cpu": 128})),
                named("b", json!({"cpu": 129}))
            ]})),
        ),
        keeps(
            "container-cpu-sum",
            task(json!({"cpu": "0.25 vCPU", "containerDefinitions": [
                named("a", json!({"cpu": 128})),
                named("b", json!({"cpu": 128}))
            ]})),
        ),
    ]
}

fn port_mappings() -> Vec<Case> {
    vec![
        breaks(
            "port-mappings-network-mode-none",
            "containerDefinitions[0].portMappings",
            ports("none", json!([{"containerPort": 80}])),
        ),
        keeps("port-mappings-network-mode-none", ports("none", json!([]))),
        breaks(
            "host-port-mismatch",
            "containerDefinitions[0].portMappings[0].hostPort",
            ports("awsvpc", json!([{"containerPort": 80, "hostPort": 8080}])),
        ),
        breaks(
            "host-port-mismatch",
            "containerDefinitions[0].portMappings[0].hostPort",
            ports("host", json!([{"containerPort": 80, "hostPort": 0}])),
        ),
        keeps(
            "host-port-mismatch",
            ports("awsvpc", json!([{"containerPort": 80, "hostPort": 80}])),
        ),
        keeps(
            "host-port-mismatch",
            ports("bridge", json!([{"containerPort": 80, "hostPort": 8080}])),
        ),
        breaks(
            "port-out-of-range",
            "containerDefinitions[0].portMappings[0].containerPort",
            ports("bridge", json!([{"containerPort": 0}])),
        ),
        breaks(
            "port-out-of-range",
            "containerDefinitions[0].portMappings[0].hostPort",
            ports("bridge", json!([{"containerPort": 80, "hostPort": 65536}])),
        ),
        breaks(
            "port-out-of-range",
            "containerDefinitions[0].portMappings[0].containerPortRange",
            ports("bridge", json!([{"containerPortRange": "65000-65536"}])),
        ),
        keeps(
            "port-out-of-range",
            ports("bridge", json!([{"containerPort": 65535, "hostPort": 0}])),
        ),
        breaks(
            "port-mapping-container-port",
            "containerDefinitions[0].portMappings[0]",
            ports("bridge", json!([{"hostPort": 80}])),
        ),
        breaks(
            "port-mapping-container-port",
            "containerDefinitions[0].portMappings[0].containerPortRange",
            ports(
                "bridge",
                json!([{"containerPort": 80, "containerPortRange": "80-90"}]),
            ),
        ),
        keeps(
            "port-mapping-container-port",
            ports("bridge", json!([{"containerPortRange": "80-90"}])),
        ),
        breaks(
            "container-port-range-syntax",
            "containerDefinitions[0].portMappings[0].containerPortRange",
            ports("awsvpc", json!([{"containerPortRange": "8000"}])),
        ),
        breaks(
            "container-port-range-syntax",
            "containerDefinitions[0].portMappings[0].containerPortRange",
            ports("awsvpc", json!([{"containerPortRange": "8001-8000"}])),
        ),
        keeps(
            "container-port-range-syntax",
            ports("awsvpc", json!([{"containerPortRange": "8000-8001"}])),
        ),
        breaks(
            "container-port-range-network-mode",
            "containerDefinitions[0].portMappings[0].containerPortRange",
            ports("host", json!([{"containerPortRange": "8000-8001"}])),
        ),
        keeps(
            "container-port-range-network-mode",
            task(json!({"containerDefinitions": [container(
                json!({"portMappings": [{"containerPortRange": "8000-8001"}]})
            )]})),
        ),
        breaks(
            "container-port-range-host-port",
            "containerDefinitions[0].portMappings[0].hostPort",
            ports(
                "bridge",
                json!([{"containerPortRange": "8000-8001", "hostPort": 9000}]),
            ),
        ),
        breaks(
            "container-port-range-limit",
            "containerDefinitions[0].portMappings",
            ports("awsvpc", port_ranges(101)),
        ),
        keeps(
            "container-port-range-limit",
            ports("awsvpc", port_ranges(100)),
        ),
        breaks(
            "duplicate-port-mapping",
            "containerDefinitions[0].portMappings[1]",
            ports(
                "bridge",
                json!([{"containerPort": 53, "protocol": "tcp"}, {"containerPort": 53, "protocol": "udp"}]),
            ),
        ),
        breaks(
            "duplicate-port-mapping",
            "containerDefinitions[0].portMappings[1]",
            ports(
                "awsvpc",
                json!([{"containerPortRange": "8000-8010"}, {"containerPort": 8010}]),
            ),
        ),
        breaks(
            "duplicate-port-mapping",
            "containerDefinitions[1].portMappings[0]",
            ports_in_two(
                "awsvpc",
                json!([{"containerPort": 80}]),
                json!([{"containerPort": 80}]),
            ),
        ),
        breaks(
            "duplicate-port-mapping",
            "containerDefinitions[1].portMappings[0]",
            ports_in_two(
                "bridge",
                json!([{"containerPort": 80, "hostPort": 8080}]),
                json!([{"containerPort": 81, "hostPort": 8080}]),
            ),
        ),
        keeps(
            "duplicate-port-mapping",
            ports_in_two(
                "bridge",
                json!([{"containerPort": 80}]),
                json!([{"containerPort": 80, "hostPort": 0}]),
            ),
        ),
        keeps(
            "duplicate-port-mapping",
            ports_in_two(
                "awsvpc",
                json!([{"containerPort": 53, "protocol": "tcp"}]),
                json!([{"containerPort": 53, "protocol": "udp"}]),
            ),
        ),
        breaks(
            "port-mapping-name",
            "containerDefinitions[0].portMappings[0].name",
            ports("awsvpc", json!([{"containerPort": 80, "name": "Web"}])),
        ),
        breaks(
            "port-mapping-name",
            "containerDefinitions[0].portMappings[0].name",
            ports("awsvpc", json!([{"containerPort": 80, "name": "-web"}])),
        ),
        keeps(
            "port-mapping-name",
            ports(
                "awsvpc",
                json!([{"containerPort": 80, "name": "web-80_tcp"}]),
            ),
        ),
        breaks(
            "duplicate-port-mapping-name",
            "containerDefinitions[1].portMappings[0].name",
            ports_in_two(
                "awsvpc",
                json!([{"containerPort": 80, "name": "web"}]),
                json!([{"containerPort": 81, "name": "web"}]),
            ),
        ),
        keeps(
            "duplicate-port-mapping-name",
            ports_in_two(
                "awsvpc",
                json!([{"containerPort": 80, "name": "web"}]),
                json!([{"containerPort": 81, "name": "admin"}]),
            ),
        ),
    ]
}

fn references() -> Vec<Case> {
    let depends = |condition: &str, target: Value| {
        containers(json!([
            named(
                "a",
                json!({"dependsOn": [{"containerName": "b", "condition": condition}]})
            ),
            target
        ]))
    };
    vec![
        breaks(
            "depends-on-unknown-container",
            "containerDefinitions[0].dependsOn[0].containerName",
            one(json!({"dependsOn": [{"containerName": "db", "condition": "START"}]})),
        ),
        keeps(
            "depends-on-unknown-container",
            depends("START", named("b", json!({}))),
        ),
        breaks(
            "depends-on-self",
            "containerDefinitions[0].dependsOn[0].containerName",
            one(json!({"dependsOn": [{"containerName": "a", "condition": "START"}]})),
        ),
        breaks(
            "depends-on-essential-complete",
            "containerDefinitions[0].dependsOn[0].condition",
            depends("SUCCESS", named("b", json!({}))),
        ),
        breaks(
            "depends-on-essential-complete",
            "containerDefinitions[0].dependsOn[0].condition",
            depends("COMPLETE", named("b", json!({"essential": true}))),
        ),
        keeps(
            "depends-on-essential-complete",
            depends("COMPLETE", named("b", json!({"essential": false}))),
        ),
        breaks(
            "depends-on-healthy-without-health-check",
            "containerDefinitions[0].dependsOn[0].condition",
            depends("HEALTHY", named("b", json!({}))),
        ),
        keeps(
            "depends-on-healthy-without-health-check",
            depends(
                "HEALTHY",
                named("b", json!({"healthCheck": {"command": ["CMD", "true"]}})),
            ),
        ),
        breaks(
            "link-unknown-container",
            "containerDefinitions[0].links[0]",
            one(json!({"links": ["db:database"]})),
        ),
        keeps(
            "link-unknown-container",
            containers(json!([
                named("a", json!({"links": ["db:database"]})),
                named("db", json!({}))
            ])),
        ),
        breaks(
            "links-network-mode",
            "containerDefinitions[0].links",
            task(json!({"networkMode": "awsvpc", "containerDefinitions": [
                named("a", json!({"links": ["db"]})),
                named("db", json!({}))
            ]})),
        ),
        keeps(
            "links-network-mode",
            containers(json!([
                named("a", json!({"links": ["db"]})),
                named("db", json!({}))
            ])),
        ),
        breaks(
            "volumes-from-unknown-container",
            "containerDefinitions[0].volumesFrom[0].sourceContainer",
            one(json!({"volumesFrom": [{"sourceContainer": "data"}]})),
        ),
        keeps(
            "volumes-from-unknown-container",
            containers(json!([
                named("a", json!({"volumesFrom": [{"sourceContainer": "data"}]})),
                named("data", json!({}))
            ])),
        ),
        breaks(
            "mount-point-unknown-volume",
            "containerDefinitions[0].mountPoints[0].sourceVolume",
            one(json!({"mountPoints": [{"sourceVolume": "data", "containerPath": "/data"}]})),
        ),
        keeps(
            "mount-point-unknown-volume",
            task(json!({
                "volumes": [{"name": "data"}],
                "containerDefinitions": [container(
                    json!({"mountPoints": [{"sourceVolume": "data", "containerPath": "/data"}]})
                )]
            })),
        ),
        breaks(
            "volume-name",
            "volumes[0].name",
            task(json!({"volumes": [{"name": "my data"}]})),
        ),
        keeps(
            "volume-name",
            task(json!({"volumes": [{"name": "my-data_1"}]})),
        ),
        breaks(
            "duplicate-volume-name",
            "volumes[1].name",
            task(json!({"volumes": [{"name": "data"}, {"name": "data"}]})),
        ),
        keeps(
            "duplicate-volume-name",
            task(json!({"volumes": [{"name": "data"}, {"name": "logs"}]})),
        ),
    ]
}

fn health_checks() -> Vec<Case> {
    let mut cases = vec![
        breaks(
            "health-check-command",
            "containerDefinitions[0].healthCheck.command[0]",
            health(json!({"command": ["curl", "-f", "http://localhost/"]})),
        ),
        breaks(
            "health-check-command",
            "containerDefinitions[0].healthCheck.command",
            health(json!({"command": []})),
        ),
        breaks(
            "health-check-command",
            "containerDefinitions[0].healthCheck.command",
            health(json!({"command": ["CMD-SHELL"]})),
        ),
        keeps(
            "health-check-command",
            health(json!({"command": ["CMD-SHELL", "curl -f http://localhost/ || exit 1"]})),
        ),
    ];
    let bounds = [
        ("health-check-interval", "interval", 5, 300),
        ("health-check-timeout", "timeout", 2, 60),
        ("health-check-retries", "retries", 1, 10),
        ("health-check-start-period", "startPeriod", 0, 300),
    ];
    let paths = [
        "containerDefinitions[0].healthCheck.interval",
        "containerDefinitions[0].healthCheck.timeout",
        "containerDefinitions[0].healthCheck.retries",
        "containerDefinitions[0].healthCheck.startPeriod",
    ];
    for ((code, key, min, max), path) in bounds.into_iter().zip(paths) {
        cases.push(breaks(code, path, health(json!({key: min - 1}))));
        cases.push(keeps(code, health(json!({key: min}))));
        cases.push(keeps(code, health(json!({key: max}))));
        cases.push(breaks(code, path, health(json!({key: max + 1}))));
    }
    cases
}

fn task_options() -> Vec<Case> {
    let constraint = json!({"type": "memberOf", "expression": "attribute:ecs.os-type == linux"});
    vec![
        breaks(
            "ephemeral-storage-size",
            "ephemeralStorage.sizeInGiB",
            fargate(json!({"ephemeralStorage": {"sizeInGiB": 20}})),
        ),
        keeps(
            "ephemeral-storage-size",
            fargate(json!({"ephemeralStorage": {"sizeInGiB": 21}})),
        ),
        keeps(
            "ephemeral-storage-size",
            fargate(json!({"ephemeralStorage": {"sizeInGiB": 200}})),
        ),
        breaks(
            "ephemeral-storage-size",
            "ephemeralStorage.sizeInGiB",
            fargate(json!({"ephemeralStorage": {"sizeInGiB": 201}})),
        ),
        breaks(
            "placement-constraint-limit",
            "placementConstraints",
            task(json!({"placementConstraints": vec![constraint.clone(); 11]})),
        ),
        keeps(
            "placement-constraint-limit",
            task(json!({"placementConstraints": vec![constraint; 10]})),
        ),
        breaks(
            "proxy-container-missing",
            "proxyConfiguration.containerName",
            task(
                json!({"networkMode": "awsvpc", "proxyConfiguration": {"type": "APPMESH", "containerName": "envoy"}}),
            ),
        ),
        keeps(
            "proxy-container-missing",
            task(json!({
                "networkMode": "awsvpc",
                "proxyConfiguration": {"type": "APPMESH", "containerName": "envoy"},
                "containerDefinitions": [named("a", json!({})), named("envoy", json!({}))]
            })),
        ),
        breaks(
            "windows-unsupported-parameter",
            "pidMode",
            windows(json!({"pidMode": "task"})),
        ),
        breaks(
            "windows-unsupported-parameter",
            "ipcMode",
            windows(json!({"ipcMode": "none"})),
        ),
        breaks(
            "windows-unsupported-parameter",
            "networkMode",
            windows(json!({"networkMode": "bridge"})),
        ),
        breaks(
            "windows-unsupported-parameter",
            "containerDefinitions[0].links",
            windows(json!({"containerDefinitions": [
                named("a", json!({"links": ["b"]})),
                named("b", json!({}))
            ]})),
        ),
        keeps(
            "windows-unsupported-parameter",
            windows(json!({"networkMode": "awsvpc"})),
        ),
        // An empty value is the loader's `empty-enum-value`; not reported twice.
        keeps(
            "windows-unsupported-parameter",
            windows(json!({"pidMode": ""})),
        ),
        keeps(
            "windows-unsupported-parameter",
            task(json!({"pidMode": "task", "ipcMode": "none"})),
        ),
        breaks(
            "awsvpc-unsupported-parameter",
            "containerDefinitions[0].hostname",
            task(
                json!({"networkMode": "awsvpc", "containerDefinitions": [container(json!({"hostname": "web"}))]}),
            ),
        ),
        breaks(
            "awsvpc-unsupported-parameter",
            "containerDefinitions[0].extraHosts",
            task(
                json!({"networkMode": "awsvpc", "containerDefinitions": [container(
                    json!({"extraHosts": [{"hostname": "db", "ipAddress": "10.0.0.5"}]})
                )]}),
            ),
        ),
        keeps(
            "awsvpc-unsupported-parameter",
            one(json!({"hostname": "web"})),
        ),
    ]
}

fn logging() -> Vec<Case> {
    let router = json!({"firelensConfiguration": {"type": "fluentbit"}});
    let firelens_client = json!({"logConfiguration": {"logDriver": "awsfirelens"}});
    vec![
        breaks(
            "awslogs-options",
            "containerDefinitions[0].logConfiguration.options[\"awslogs-region\"]",
            logs(awslogs(json!({"awslogs-group": "/ecs/app"}))),
        ),
        breaks(
            "awslogs-options",
            "containerDefinitions[0].logConfiguration.options[\"awslogs-group\"]",
            logs(json!({"logDriver": "awslogs"})),
        ),
        breaks(
            "awslogs-options",
            "containerDefinitions[0].logConfiguration.options[\"awslogs-stream-prefix\"]",
            fargate_one(json!({"logConfiguration": awslogs(
                json!({"awslogs-group": "/ecs/app", "awslogs-region": "eu-west-1"})
            )})),
        ),
        keeps(
            "awslogs-options",
            logs(awslogs(
                json!({"awslogs-group": "/ecs/app", "awslogs-region": "eu-west-1"}),
            )),
        ),
        breaks(
            "awslogs-multiline-conflict",
            "containerDefinitions[0].logConfiguration.options[\"awslogs-multiline-pattern\"]",
            logs(awslogs(json!({
                "awslogs-group": "g", "awslogs-region": "eu-west-1",
                "awslogs-datetime-format": "%Y-%m-%d", "awslogs-multiline-pattern": "^INFO"
            }))),
        ),
        keeps(
            "awslogs-multiline-conflict",
            logs(awslogs(json!({
                "awslogs-group": "g", "awslogs-region": "eu-west-1",
                "awslogs-multiline-pattern": "^INFO"
            }))),
        ),
        breaks(
            "splunk-options",
            "containerDefinitions[0].logConfiguration.options[\"splunk-url\"]",
            logs(json!({"logDriver": "splunk", "options": {"splunk-token": "t"}})),
        ),
        breaks(
            "splunk-options",
            "containerDefinitions[0].logConfiguration.options[\"splunk-token\"]",
            logs(json!({"logDriver": "splunk", "options": {"splunk-url": "https://splunk:8088"}})),
        ),
        keeps(
            "splunk-options",
            logs(json!({
                "logDriver": "splunk",
                "options": {"splunk-url": "https://splunk:8088"},
                "secretOptions": [{"name": "splunk-token", "valueFrom": "/splunk/token"}]
            })),
        ),
        breaks(
            "firelens-router-missing",
            "containerDefinitions[0].logConfiguration.logDriver",
            one(firelens_client.clone()),
        ),
        keeps(
            "firelens-router-missing",
            containers(json!([
                named("app", firelens_client.clone()),
                named("router", router.clone())
            ])),
        ),
        breaks(
            "firelens-router-unused",
            "containerDefinitions[0].firelensConfiguration",
            one(router.clone()),
        ),
        breaks(
            "firelens-multiple-routers",
            "containerDefinitions[1].firelensConfiguration",
            containers(json!([
                named("router", router.clone()),
                named("router2", router),
                named("app", firelens_client)
            ])),
        ),
    ]
}

fn secrets() -> Vec<Case> {
    let secret = |value_from: &str| json!({"name": "DB_PASSWORD", "valueFrom": value_from});
    vec![
        breaks(
            "secret-value-from",
            "containerDefinitions[0].secrets[0].valueFrom",
            one(json!({"secrets": [secret("my db password")]})),
        ),
        breaks(
            "secret-value-from",
            "containerDefinitions[0].secrets[0].valueFrom",
            one(json!({"secrets": [secret("arn:aws:s3:::bucket/password")]})),
        ),
        breaks(
            "secret-value-from",
            "containerDefinitions[0].logConfiguration.secretOptions[0].valueFrom",
            logs(json!({
                "logDriver": "splunk",
                "options": {"splunk-url": "https://splunk:8088"},
                "secretOptions": [{"name": "splunk-token", "valueFrom": "splunk token"}]
            })),
        ),
        keeps(
            "secret-value-from",
            one(json!({"secrets": [
                secret("arn:aws:secretsmanager:eu-west-1:123456789012:secret:db-AbCdEf"),
                {"name": "API_KEY", "valueFrom": "arn:aws:ssm:eu-west-1:123456789012:parameter/app/key"},
                {"name": "TOKEN", "valueFrom": "/app/token"}
            ]})),
        ),
        breaks(
            "secret-name",
            "containerDefinitions[0].secrets[0].name",
            one(json!({"secrets": [{"name": "", "valueFrom": "/app/token"}]})),
        ),
        breaks(
            "duplicate-secret-name",
            "containerDefinitions[0].secrets[1].name",
            one(json!({"secrets": [secret("/a"), secret("/b")]})),
        ),
        breaks(
            "duplicate-secret-name",
            "containerDefinitions[0].secrets[0].name",
            one(json!({
                "environment": [{"name": "DB_PASSWORD", "value": "x"}],
                "secrets": [secret("/a")]
            })),
        ),
        keeps(
            "duplicate-secret-name",
            one(json!({
                "environment": [{"name": "DB_USER", "value": "x"}],
                "secrets": [secret("/a")]
            })),
        ),
        breaks(
            "duplicate-environment-name",
            "containerDefinitions[0].environment[1].name",
            one(json!({"environment": [{"name": "A", "value": "1"}, {"name": "A", "value": "2"}]})),
        ),
        keeps(
            "duplicate-environment-name",
            one(json!({"environment": [{"name": "A", "value": "1"}, {"name": "B", "value": "1"}]})),
        ),
        breaks(
            "secret-in-environment",
            "containerDefinitions[0].environment[1].value",
            one(json!({"environment": [
                {"name": "MODE", "value": "production"},
                {"name": "DB_PASSWORD", "value": "hunter2"}
            ]})),
        ),
        breaks(
            "secret-in-environment",
            "containerDefinitions[0].environment[0].value",
            one(json!({"environment": [{"name": "KEY_ID", "value": "AKIAIOSFODNN7EXAMPLE"}]})),
        ),
        keeps(
            "secret-in-environment",
            one(json!({
                "environment": [
                    {"name": "TOKEN_URL", "value": "https://auth.example.com/token"},
                    {"name": "PASSWORD_FILE", "value": "/run/secrets/db"},
                    {"name": "DB_SECRET_ARN", "value": "arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCdEf"},
                    {"name": "API_KEY", "value": "${API_KEY}"},
                    {"name": "DB_PASSWORD", "value": ""}
                ],
                "secrets": [secret("/app/db_password")]
            })),
        ),
    ]
}

fn fargate_rules() -> Vec<Case> {
    let size = |cpu: &str, memory: &str| fargate(json!({"cpu": cpu, "memory": memory}));
    let windows_size = |cpu: &str, memory: &str| {
        fargate(json!({
            "cpu": cpu, "memory": memory,
            "runtimePlatform": {"operatingSystemFamily": "WINDOWS_SERVER_2019_CORE"}
        }))
    };
    vec![
        breaks(
            "fargate-network-mode",
            "networkMode",
            fargate(json!({"networkMode": "bridge"})),
        ),
        breaks(
            "fargate-network-mode",
            "networkMode",
            fargate(json!({"networkMode": null})),
        ),
        keeps("fargate-network-mode", fargate(json!({}))),
        keeps(
            "fargate-network-mode",
            task(json!({"requiresCompatibilities": ["EC2"], "networkMode": "bridge"})),
        ),
        breaks(
            "fargate-task-size-required",
            "cpu",
            fargate(json!({"cpu": null})),
        ),
        breaks(
            "fargate-task-size-required",
            "memory",
            fargate(json!({"memory": null})),
        ),
        breaks("fargate-cpu-memory", "memory", size("256", "4096")),
        breaks("fargate-cpu-memory", "memory", size("512", "512")),
        breaks("fargate-cpu-memory", "memory", size("4096", "31744")),
        breaks("fargate-cpu-memory", "memory", size("8192", "18432")),
        breaks("fargate-cpu-memory", "cpu", size("3072", "8192")),
        keeps("fargate-cpu-memory", size("256", "2048")),
        keeps("fargate-cpu-memory", size(".25 vCPU", "0.5 GB")),
        keeps("fargate-cpu-memory", size("4096", "30720")),
        keeps("fargate-cpu-memory", size("8192", "20480")),
        keeps("fargate-cpu-memory", size("16 vCPU", "120 GB")),
        breaks(
            "fargate-cpu-memory",
            "memory",
            fargate(
                json!({"requiresCompatibilities": ["EC2", "FARGATE"], "cpu": "1024", "memory": "1024"}),
            ),
        ),
        breaks("fargate-cpu-memory", "cpu", windows_size("512", "1024")),
        breaks("fargate-cpu-memory", "cpu", windows_size("8192", "16384")),
        keeps("fargate-cpu-memory", windows_size("1024", "2048")),
        breaks(
            "fargate-unsupported-parameter",
            "placementConstraints",
            fargate(json!({"placementConstraints": [
                {"type": "memberOf", "expression": "attribute:ecs.os-type == linux"}
            ]})),
        ),
        keeps(
            "fargate-unsupported-parameter",
            fargate(json!({"placementConstraints": [], "pidMode": "task"})),
        ),
        breaks(
            "fargate-unsupported-parameter",
            "inferenceAccelerators",
            fargate(
                json!({"inferenceAccelerators": [{"deviceName": "d", "deviceType": "eia2.medium"}]}),
            ),
        ),
        breaks(
            "fargate-unsupported-parameter",
            "ipcMode",
            fargate(json!({"ipcMode": "task"})),
        ),
        keeps(
            "fargate-unsupported-parameter",
            fargate(json!({"ipcMode": ""})),
        ),
        breaks(
            "fargate-unsupported-parameter",
            "pidMode",
            fargate(json!({"pidMode": "host"})),
        ),
        breaks(
            "fargate-unsupported-parameter",
            "containerDefinitions[0].privileged",
            fargate_one(json!({"privileged": true})),
        ),
        breaks(
            "fargate-unsupported-parameter",
            "containerDefinitions[0].resourceRequirements[0]",
            fargate_one(json!({"resourceRequirements": [{"type": "GPU", "value": "1"}]})),
        ),
        breaks(
            "fargate-unsupported-parameter",
            "containerDefinitions[0].linuxParameters.capabilities.add[1]",
            fargate_one(
                json!({"linuxParameters": {"capabilities": {"add": ["SYS_PTRACE", "NET_ADMIN"]}}}),
            ),
        ),
        breaks(
            "fargate-unsupported-parameter",
            "containerDefinitions[0].linuxParameters.sharedMemorySize",
            fargate_one(json!({"linuxParameters": {"sharedMemorySize": 64}})),
        ),
        keeps(
            "fargate-unsupported-parameter",
            fargate_one(json!({"linuxParameters": {
                "capabilities": {"add": ["SYS_PTRACE"]}, "initProcessEnabled": true
            }})),
        ),
        breaks(
            "fargate-unsupported-parameter",
            "containerDefinitions[0].firelensConfiguration.options[\"config-file-type\"]",
            fargate(json!({"containerDefinitions": [
                {"name": "router", "image": "fluent-bit", "firelensConfiguration": {
                    "type": "fluentbit",
                    "options": {"config-file-type": "s3", "config-file-value": "arn:aws:s3:::b/f.conf"}
                }},
                {"name": "app", "image": "nginx", "logConfiguration": {"logDriver": "awsfirelens"}}
            ]})),
        ),
        breaks(
            "fargate-log-driver",
            "containerDefinitions[0].logConfiguration.logDriver",
            fargate_one(json!({"logConfiguration": {"logDriver": "json-file"}})),
        ),
        keeps(
            "fargate-log-driver",
            fargate_one(
                json!({"logConfiguration": {"logDriver": "splunk", "options": {
                    "splunk-url": "https://splunk:8088", "splunk-token": "t"
                }}}),
            ),
        ),
        keeps(
            "fargate-log-driver",
            one(json!({"logConfiguration": {"logDriver": "json-file"}})),
        ),
    ]
}
