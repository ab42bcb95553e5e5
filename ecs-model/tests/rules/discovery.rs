//! Cases for the Cloud Map rules of a stack: namespaces, discovery services and the service
//! registries that name them.

use serde_json::{Value, json};

use crate::{Case, breaks, keeps};

/// An awsvpc (Fargate) family `web` and a bridge (EC2) family `worker`, each mapping a port.
fn task_definitions() -> Value {
    json!([
        {"family": "web", "networkMode": "awsvpc", "requiresCompatibilities": ["FARGATE"],
         "cpu": "256", "memory": "512",
         "containerDefinitions": [{"name": "web", "image": "nginx",
                                   "portMappings": [{"containerPort": 80}]}]},
        {"family": "worker", "networkMode": "bridge",
         "containerDefinitions": [{"name": "worker", "image": "busybox", "memory": 128,
                                   "portMappings": [{"containerPort": 8080, "hostPort": 0}]}]}
    ])
}

/// A stack with a private DNS namespace `internal`, the discovery services `services` and one
/// ECS service of `family` with the registry `registry`.
fn stack(services: Value, family: &str, registry: Value) -> Value {
    json!({
        "namespaces": [{"Name": "internal", "Vpc": "vpc-1"}],
        "discoveryServices": services,
        "clusters": [{"clusterName": "demo"}],
        "taskDefinitions": task_definitions(),
        "services": [{"serviceName": "svc", "cluster": "demo", "taskDefinition": family,
                      "serviceRegistries": [registry]}]
    })
}

/// A discovery service `api` in `internal` with records of `types`.
fn api(types: &[&str]) -> Value {
    let records: Vec<Value> = types
        .iter()
        .map(|t| json!({"Type": t, "TTL": 60}))
        .collect();
    json!([{"Name": "api", "NamespaceId": "internal",
            "DnsConfig": {"DnsRecords": records}, "HealthCheckCustomConfig": {}}])
}

pub fn cases() -> Vec<Case> {
    vec![
        breaks(
            "stack-unknown-discovery-service",
            "services[0].serviceRegistries[0].registryArn",
            stack(api(&["A"]), "web", json!({"registryArn": "apis"})),
        ),
        keeps(
            "stack-unknown-discovery-service",
            stack(
                api(&["A"]),
                "web",
                json!({"registryArn": "arn:aws:servicediscovery:us-east-1:1:service/srv-1"}),
            ),
        ),
        breaks(
            "stack-unknown-namespace",
            "discoveryServices[0].NamespaceId",
            stack(
                json!([{"Name": "api", "NamespaceId": "external"}]),
                "web",
                json!({"registryArn": "api"}),
            ),
        ),
        keeps(
            "stack-unknown-namespace",
            stack(
                json!([{"Name": "api", "NamespaceId": "ns-abcdef"}]),
                "web",
                json!({"registryArn": "api"}),
            ),
        ),
        breaks(
            "stack-registry-srv-record",
            "services[0].serviceRegistries[0].registryArn",
            stack(
                api(&["A"]),
                "worker",
                json!({"registryArn": "api", "containerName": "worker", "containerPort": 8080}),
            ),
        ),
        keeps(
            "stack-registry-srv-record",
            stack(
                api(&["SRV"]),
                "worker",
                json!({"registryArn": "api", "containerName": "worker", "containerPort": 8080}),
            ),
        ),
        breaks(
            "stack-registry-record-type",
            "services[0].serviceRegistries[0].registryArn",
            stack(api(&["AAAA"]), "web", json!({"registryArn": "api"})),
        ),
        keeps(
            "stack-registry-record-type",
            stack(api(&["A"]), "web", json!({"registryArn": "api"})),
        ),
        breaks(
            "stack-registry-container",
            "services[0].serviceRegistries[0].containerPort",
            stack(
                api(&["SRV"]),
                "worker",
                json!({"registryArn": "api", "containerName": "worker", "containerPort": 9090}),
            ),
        ),
        breaks(
            "stack-registry-container",
            "services[0].serviceRegistries[0]",
            stack(api(&["SRV"]), "web", json!({"registryArn": "api"})),
        ),
        keeps(
            "stack-registry-container",
            stack(
                api(&["SRV"]),
                "web",
                json!({"registryArn": "api", "containerName": "web", "containerPort": 80}),
            ),
        ),
        breaks(
            "stack-discovery-health-checks",
            "discoveryServices[0].HealthCheckCustomConfig",
            stack(
                json!([{"Name": "api", "NamespaceId": "internal",
                        "HealthCheckConfig": {"Type": "HTTP"}, "HealthCheckCustomConfig": {}}]),
                "web",
                json!({"registryArn": "api"}),
            ),
        ),
        keeps(
            "stack-discovery-health-checks",
            stack(api(&["A"]), "web", json!({"registryArn": "api"})),
        ),
        breaks(
            "stack-duplicate-namespace",
            "namespaces[1].Name",
            json!({"namespaces": [{"Name": "internal", "Vpc": "vpc-1"}, {"Name": "internal"}]}),
        ),
        keeps(
            "stack-duplicate-namespace",
            json!({"namespaces": [{"Name": "internal", "Vpc": "vpc-1"}, {"Name": "http"}]}),
        ),
        breaks(
            "stack-duplicate-discovery-service",
            "discoveryServices[1].Name",
            json!({"namespaces": [{"Name": "internal"}], "discoveryServices": [
                {"Name": "api", "NamespaceId": "internal"},
                {"Name": "api", "NamespaceId": "internal"}
            ]}),
        ),
        keeps(
            "stack-duplicate-discovery-service",
            json!({"namespaces": [{"Name": "internal"}], "discoveryServices": [
                {"Name": "api", "NamespaceId": "internal"},
                {"Name": "web", "NamespaceId": "internal"}
            ]}),
        ),
    ]
}
