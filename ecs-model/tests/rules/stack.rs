//! Cases for the stack rules: references between the resources of a stack file.

use serde_json::{Value, json};

use crate::service::patched;
use crate::{Case, breaks, keeps};

/// A Fargate task definition with a named port and a health check.
fn web_td() -> Value {
    json!({
        "family": "web", "networkMode": "awsvpc", "requiresCompatibilities": ["FARGATE"],
        "cpu": "256", "memory": "512",
        "containerDefinitions": [{
            "name": "web", "image": "nginx",
            "portMappings": [{"containerPort": 80, "name": "http"}],
            "healthCheck": {"command": ["CMD-SHELL", "curl -f http://localhost/ || exit 1"]}
        }]
    })
}

/// An EC2 bridge-mode task definition without health check.
fn worker_td() -> Value {
    json!({
        "family": "worker", "networkMode": "bridge",
        "containerDefinitions": [{
            "name": "worker", "image": "busybox", "memory": 128,
            "portMappings": [{"containerPort": 8080, "hostPort": 0}]
        }]
    })
}

/// An awsvpc task definition that can run on Fargate but only requires EC2.
fn hybrid_td() -> Value {
    json!({
        "family": "hybrid", "networkMode": "awsvpc", "requiresCompatibilities": ["EC2"],
        "cpu": "256", "memory": "512",
        "containerDefinitions": [{
            "name": "hybrid", "image": "busybox",
            "portMappings": [{"containerPortRange": "9000-9099"}]
        }]
    })
}

fn demo_cluster() -> Value {
    json!({"clusterName": "demo", "capacityProviders": ["FARGATE", "FARGATE_SPOT"]})
}

/// A stack of the demo cluster, the three task definitions and `services`.
fn stack(services: Value) -> Value {
    json!({
        "clusters": [demo_cluster()],
        "taskDefinitions": [web_td(), worker_td(), hybrid_td()],
        "services": services
    })
}

/// A stack with these clusters, the three task definitions and one service.
fn stack_with_clusters(clusters: Value, service: Value) -> Value {
    patched(stack(json!([service])), json!({"clusters": clusters}))
}

/// A valid Fargate service of the `web` task definition in cluster `demo`, with `patch`.
fn web(patch: Value) -> Value {
    patched(
        json!({
            "serviceName": "web", "cluster": "demo", "taskDefinition": "web", "desiredCount": 2,
            "launchType": "FARGATE",
            "networkConfiguration": {"awsvpcConfiguration": {"subnets": ["subnet-1"]}}
        }),
        patch,
    )
}

/// A valid EC2 service of the `worker` task definition in cluster `demo`, with `patch`.
fn worker(patch: Value) -> Value {
    patched(
        json!({"serviceName": "worker", "cluster": "demo", "taskDefinition": "worker:4",
               "desiredCount": 1, "launchType": "EC2"}),
        patch,
    )
}

fn classic() -> Value {
    json!([{"loadBalancerName": "legacy", "containerName": "worker", "containerPort": 8080}])
}

pub fn cases() -> Vec<Case> {
    let mut cases = reference_cases();
    cases.extend(capacity_cases());
    cases.extend(networking_cases());
    cases.extend(duplicate_cases());
    cases.extend(name_cases());
    cases
}

/// The stack's `name`, the value of its ownership tag.
fn name_cases() -> Vec<Case> {
    let named = |name: &str| json!({ "name": name, "clusters": [{ "clusterName": "demo" }] });
    vec![
        breaks("stack-name", "name", named("shop,prod")),
        breaks("stack-name", "name", named(" ")),
        keeps("stack-name", named("shop-prod/eu-west-1 @team+ops")),
        keeps(
            "stack-name",
            json!({ "clusters": [{ "clusterName": "demo" }] }),
        ),
    ]
}

fn reference_cases() -> Vec<Case> {
    vec![
        breaks(
            "stack-unknown-task-definition",
            "services[0].taskDefinition",
            stack(json!([web(json!({"taskDefinition": "api:2"}))])),
        ),
        breaks(
            "stack-unknown-task-definition",
            "services[0].taskDefinition",
            stack(json!([web(
                json!({"taskDefinition": "arn:aws:ecs:us-east-1:123456789012:task-definition/web:3"})
            )])),
        ),
        keeps(
            "stack-unknown-task-definition",
            stack(json!([web(json!({"taskDefinition": "web:7"}))])),
        ),
        breaks(
            "stack-unknown-cluster",
            "services[0].cluster",
            stack(json!([web(json!({"cluster": "other"}))])),
        ),
        keeps(
            "stack-unknown-cluster",
            stack(json!([web(
                json!({"cluster": "arn:aws:ecs:us-east-1:123456789012:cluster/demo"})
            )])),
        ),
        keeps(
            "stack-unknown-cluster",
            stack(json!([web(json!({"cluster": null}))])),
        ),
        breaks(
            "stack-service-connect-port-name",
            "services[0].serviceConnectConfiguration.services[0].portName",
            stack(json!([web(json!({"serviceConnectConfiguration": {
                "enabled": true, "namespace": "internal", "services": [{"portName": "grpc"}]
            }}))])),
        ),
        keeps(
            "stack-service-connect-port-name",
            stack(json!([web(json!({"serviceConnectConfiguration": {
                "enabled": true, "namespace": "internal", "services": [{"portName": "http"}]
            }}))])),
        ),
        breaks(
            "stack-service-connect-namespace",
            "services[0].serviceConnectConfiguration.namespace",
            stack(json!([web(
                json!({"serviceConnectConfiguration": {"enabled": true}})
            )])),
        ),
        keeps(
            "stack-service-connect-namespace",
            stack_with_clusters(
                json!([patched(
                    demo_cluster(),
                    json!({"serviceConnectDefaults": {"namespace": "internal"}})
                )]),
                web(json!({"serviceConnectConfiguration": {"enabled": true}})),
            ),
        ),
        breaks(
            "stack-unused-grace-period",
            "services[0].healthCheckGracePeriodSeconds",
            stack(json!([worker(
                json!({"healthCheckGracePeriodSeconds": 30})
            )])),
        ),
        keeps(
            "stack-unused-grace-period",
            stack(json!([web(json!({"healthCheckGracePeriodSeconds": 30}))])),
        ),
        keeps(
            "stack-unused-grace-period",
            stack(json!([worker(
                json!({"healthCheckGracePeriodSeconds": 30, "loadBalancers": classic()})
            )])),
        ),
    ]
}

fn capacity_cases() -> Vec<Case> {
    let fargate_default = json!({"clusterName": "demo", "capacityProviders": ["FARGATE"],
                                 "defaultCapacityProviderStrategy": [{"capacityProvider": "FARGATE", "weight": 1}]});
    let asg = json!({"name": "asg", "autoScalingGroupProvider": {"autoScalingGroupArn": "asg"}});
    let daemon =
        worker(json!({"schedulingStrategy": "DAEMON", "desiredCount": null, "launchType": null}));
    vec![
        breaks(
            "stack-launch-type-compatibility",
            "services[0].taskDefinition",
            stack(json!([web(
                json!({"taskDefinition": "worker", "networkConfiguration": null})
            )])),
        ),
        breaks(
            "stack-launch-type-compatibility",
            "services[0].taskDefinition",
            stack_with_clusters(
                json!([fargate_default.clone()]),
                worker(json!({"launchType": null})),
            ),
        ),
        keeps(
            "stack-launch-type-compatibility",
            stack(json!([web(json!({}))])),
        ),
        keeps(
            "stack-launch-type-compatibility",
            stack(json!([web(json!({"taskDefinition": "hybrid"}))])),
        ),
        breaks(
            "stack-fargate-not-required",
            "services[0].taskDefinition",
            stack(json!([web(json!({"taskDefinition": "hybrid"}))])),
        ),
        keeps(
            "stack-fargate-not-required",
            stack(json!([web(
                json!({"taskDefinition": "hybrid", "launchType": "EC2"})
            )])),
        ),
        breaks(
            "stack-daemon-fargate",
            "services[0].schedulingStrategy",
            stack_with_clusters(json!([fargate_default]), daemon.clone()),
        ),
        keeps("stack-daemon-fargate", stack(json!([daemon]))),
        breaks(
            "stack-strategy-provider-not-associated",
            "services[0].capacityProviderStrategy[0].capacityProvider",
            stack(json!([worker(json!({"launchType": null,
                                        "capacityProviderStrategy": [{"capacityProvider": "asg", "weight": 1}]}))])),
        ),
        keeps(
            "stack-strategy-provider-not-associated",
            stack(json!([web(json!({"launchType": null,
                                     "capacityProviderStrategy": [{"capacityProvider": "FARGATE_SPOT", "weight": 1}]}))])),
        ),
        breaks(
            "stack-unknown-capacity-provider",
            "clusters[0].capacityProviders[1]",
            json!({"clusters": [{"clusterName": "demo", "capacityProviders": ["FARGATE", "asg"]}]}),
        ),
        keeps(
            "stack-unknown-capacity-provider",
            json!({"clusters": [{"clusterName": "demo", "capacityProviders": ["FARGATE", "asg"]}],
                   "capacityProviders": [asg]}),
        ),
    ]
}

fn networking_cases() -> Vec<Case> {
    let target = |container: &str, port: i64| {
        json!([{"targetGroupArn": "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web/1",
                "containerName": container, "containerPort": port}])
    };
    vec![
        breaks(
            "stack-network-configuration",
            "services[0].networkConfiguration",
            stack(json!([web(json!({"networkConfiguration": null}))])),
        ),
        breaks(
            "stack-network-configuration",
            "services[0].networkConfiguration.awsvpcConfiguration",
            stack(json!([worker(
                json!({"networkConfiguration": {"awsvpcConfiguration": {"subnets": ["subnet-1"]}}})
            )])),
        ),
        keeps(
            "stack-network-configuration",
            stack(json!([web(json!({})), worker(json!({}))])),
        ),
        breaks(
            "stack-load-balancer-container",
            "services[0].loadBalancers[0].containerName",
            stack(json!([web(json!({"loadBalancers": target("api", 80)}))])),
        ),
        breaks(
            "stack-load-balancer-container",
            "services[0].loadBalancers[0].containerPort",
            stack(json!([web(json!({"loadBalancers": target("web", 81)}))])),
        ),
        keeps(
            "stack-load-balancer-container",
            stack(json!([web(json!({"loadBalancers": target("web", 80)}))])),
        ),
        keeps(
            "stack-load-balancer-container",
            stack(json!([web(
                json!({"taskDefinition": "hybrid", "loadBalancers": target("hybrid", 9099)})
            )])),
        ),
        breaks(
            "stack-classic-load-balancer-awsvpc",
            "services[0].loadBalancers[0].loadBalancerName",
            stack(json!([web(
                json!({"loadBalancers": [{"loadBalancerName": "legacy", "containerName": "web", "containerPort": 80}]})
            )])),
        ),
        keeps(
            "stack-classic-load-balancer-awsvpc",
            stack(json!([worker(json!({"loadBalancers": classic()}))])),
        ),
        breaks(
            "stack-role-awsvpc",
            "services[0].role",
            stack(json!([web(
                json!({"role": "ecsServiceRole", "loadBalancers": target("web", 80)})
            )])),
        ),
        keeps(
            "stack-role-awsvpc",
            stack(json!([worker(
                json!({"role": "ecsServiceRole", "loadBalancers": classic()})
            )])),
        ),
    ]
}

fn duplicate_cases() -> Vec<Case> {
    let asg = json!({"name": "asg", "autoScalingGroupProvider": {"autoScalingGroupArn": "asg"}});
    vec![
        breaks(
            "stack-duplicate-service",
            "services[1].serviceName",
            stack(json!([
                web(json!({})),
                worker(json!({"serviceName": "web"}))
            ])),
        ),
        keeps(
            "stack-duplicate-service",
            stack(json!([
                web(json!({})),
                worker(json!({"serviceName": "web", "cluster": null}))
            ])),
        ),
        breaks(
            "stack-duplicate-task-definition",
            "taskDefinitions[3].family",
            patched(
                stack(json!([])),
                json!({"taskDefinitions": [web_td(), worker_td(), hybrid_td(), web_td()]}),
            ),
        ),
        keeps("stack-duplicate-task-definition", stack(json!([]))),
        breaks(
            "stack-duplicate-cluster",
            "clusters[1].clusterName",
            json!({"clusters": [demo_cluster(), {"clusterName": "demo"}]}),
        ),
        breaks(
            "stack-duplicate-cluster",
            "clusters[1]",
            json!({"clusters": [{"clusterName": "default"}, {}]}),
        ),
        keeps(
            "stack-duplicate-cluster",
            json!({"clusters": [demo_cluster(), {}]}),
        ),
        breaks(
            "stack-duplicate-capacity-provider",
            "capacityProviders[1].name",
            json!({"capacityProviders": [asg.clone(), asg.clone()]}),
        ),
        keeps(
            "stack-duplicate-capacity-provider",
            json!({"capacityProviders": [asg, {"name": "asg-2", "autoScalingGroupProvider": {"autoScalingGroupArn": "asg-2"}}]}),
        ),
    ]
}
