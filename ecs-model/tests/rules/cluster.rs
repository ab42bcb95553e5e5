//! Cases for the cluster and capacity provider rules.

use serde_json::{Value, json};

use crate::service::patched;
use crate::{Case, breaks, keeps};

/// A valid cluster with `patch` applied.
fn cluster(patch: Value) -> Value {
    patched(json!({"clusterName": "demo"}), patch)
}

/// A valid Auto Scaling group capacity provider with `patch` applied.
fn provider(patch: Value) -> Value {
    patched(
        json!({"name": "web-asg", "autoScalingGroupProvider": {
            "autoScalingGroupArn": "arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:1:autoScalingGroupName/web"
        }}),
        patch,
    )
}

/// A capacity provider with these managed scaling settings.
fn scaling(settings: Value) -> Value {
    provider(json!({"autoScalingGroupProvider": {
        "autoScalingGroupArn": "web-asg",
        "managedScaling": settings
    }}))
}

fn names(count: usize) -> Value {
    (0..count).map(|i| json!(format!("cp{i}"))).collect()
}

pub fn cases() -> Vec<Case> {
    let mut cases = cluster_cases();
    cases.extend(provider_cases());
    cases
}

fn cluster_cases() -> Vec<Case> {
    vec![
        breaks(
            "cluster-name",
            "clusterName",
            cluster(json!({"clusterName": "demo/prod"})),
        ),
        breaks(
            "cluster-name",
            "clusterName",
            cluster(json!({"clusterName": ""})),
        ),
        keeps(
            "cluster-name",
            cluster(json!({"clusterName": "a".repeat(255)})),
        ),
        breaks(
            "cluster-setting",
            "settings[0].value",
            cluster(json!({"settings": [{"name": "containerInsights", "value": "on"}]})),
        ),
        breaks(
            "cluster-setting",
            "settings[0].name",
            cluster(json!({"settings": [{"value": "enabled"}]})),
        ),
        keeps(
            "cluster-setting",
            cluster(json!({"settings": [{"name": "containerInsights", "value": "enhanced"}]})),
        ),
        breaks(
            "cluster-capacity-provider-limit",
            "capacityProviders",
            cluster(json!({"capacityProviders": names(21)})),
        ),
        keeps(
            "cluster-capacity-provider-limit",
            cluster(json!({"capacityProviders": names(20)})),
        ),
        breaks(
            "cluster-strategy-provider-not-associated",
            "defaultCapacityProviderStrategy[1].capacityProvider",
            cluster(json!({"capacityProviders": ["FARGATE"],
                           "defaultCapacityProviderStrategy": [{"capacityProvider": "FARGATE", "weight": 1},
                                                               {"capacityProvider": "FARGATE_SPOT", "weight": 1}]})),
        ),
        keeps(
            "cluster-strategy-provider-not-associated",
            cluster(json!({"capacityProviders": ["FARGATE", "FARGATE_SPOT"],
                           "defaultCapacityProviderStrategy": [{"capacityProvider": "FARGATE_SPOT", "weight": 1}]})),
        ),
        breaks(
            "capacity-provider-strategy-base",
            "defaultCapacityProviderStrategy[1].base",
            cluster(json!({"capacityProviders": ["FARGATE", "FARGATE_SPOT"],
                           "defaultCapacityProviderStrategy": [{"capacityProvider": "FARGATE", "base": 1, "weight": 1},
                                                               {"capacityProvider": "FARGATE_SPOT", "base": 1, "weight": 1}]})),
        ),
        breaks(
            "cluster-service-connect-namespace",
            "serviceConnectDefaults.namespace",
            cluster(json!({"serviceConnectDefaults": {"namespace": "team/web"}})),
        ),
        breaks(
            "cluster-service-connect-namespace",
            "serviceConnectDefaults.namespace",
            cluster(json!({"serviceConnectDefaults": {"namespace": "n".repeat(1025)}})),
        ),
        keeps(
            "cluster-service-connect-namespace",
            cluster(json!({"serviceConnectDefaults": {"namespace": "n".repeat(1024)}})),
        ),
        keeps(
            "cluster-service-connect-namespace",
            cluster(
                json!({"serviceConnectDefaults": {"namespace": "arn:aws:servicediscovery:us-east-1:123456789012:namespace/ns-1"}}),
            ),
        ),
        breaks(
            "tag-limit",
            "tags",
            cluster(
                json!({"tags": (0..51).map(|i| json!({"key": format!("k{i}"), "value": "v"})).collect::<Vec<_>>()}),
            ),
        ),
        breaks(
            "tag-length",
            "tags[0].key",
            cluster(json!({"tags": [{"key": "", "value": "v"}]})),
        ),
        breaks(
            "tag-duplicate-key",
            "tags[1].key",
            cluster(
                json!({"tags": [{"key": "team", "value": "a"}, {"key": "team", "value": "b"}]}),
            ),
        ),
        breaks(
            "tag-characters",
            "tags[0].value",
            cluster(json!({"tags": [{"key": "team", "value": "a#b"}]})),
        ),
        keeps(
            "tag-characters",
            cluster(json!({"tags": [{"key": "team name", "value": "a_b.c:d/e=f+g-h@i"}]})),
        ),
    ]
}

fn provider_cases() -> Vec<Case> {
    vec![
        breaks(
            "capacity-provider-name",
            "name",
            provider(json!({"name": "ecs-web"})),
        ),
        breaks(
            "capacity-provider-name",
            "name",
            provider(json!({"name": "fargate_pool"})),
        ),
        breaks(
            "capacity-provider-name",
            "name",
            provider(json!({"name": "web pool"})),
        ),
        keeps(
            "capacity-provider-name",
            provider(json!({"name": "web-ecs-fargate"})),
        ),
        breaks(
            "capacity-provider-kind",
            "managedInstancesProvider",
            provider(json!({"managedInstancesProvider": {
                "infrastructureRoleArn": "arn:aws:iam::123456789012:role/infra",
                "instanceLaunchTemplate": {"ec2InstanceProfileArn": "arn:aws:iam::123456789012:instance-profile/ecs",
                                           "networkConfiguration": {"subnets": ["subnet-1"]}}
            }})),
        ),
        breaks(
            "capacity-provider-kind",
            "",
            json!({"name": "web", "cluster": "demo"}),
        ),
        keeps("capacity-provider-kind", provider(json!({}))),
        keeps(
            "capacity-provider-kind",
            json!({"name": "FARGATE_SPOT", "cluster": "demo"}),
        ),
        breaks(
            "capacity-provider-managed-scaling",
            "autoScalingGroupProvider.managedScaling.targetCapacity",
            scaling(json!({"status": "ENABLED", "targetCapacity": 0})),
        ),
        breaks(
            "capacity-provider-managed-scaling",
            "autoScalingGroupProvider.managedScaling.maximumScalingStepSize",
            scaling(json!({"maximumScalingStepSize": 10_001})),
        ),
        breaks(
            "capacity-provider-managed-scaling",
            "autoScalingGroupProvider.managedScaling.instanceWarmupPeriod",
            scaling(json!({"instanceWarmupPeriod": 10_001})),
        ),
        breaks(
            "capacity-provider-managed-scaling",
            "autoScalingGroupProvider.managedScaling.minimumScalingStepSize",
            scaling(json!({"minimumScalingStepSize": 20, "maximumScalingStepSize": 10})),
        ),
        keeps(
            "capacity-provider-managed-scaling",
            scaling(
                json!({"status": "ENABLED", "targetCapacity": 100, "minimumScalingStepSize": 1,
                           "maximumScalingStepSize": 10_000, "instanceWarmupPeriod": 0}),
            ),
        ),
        keeps(
            "capacity-provider-managed-scaling",
            scaling(
                json!({"targetCapacity": 1, "minimumScalingStepSize": 5, "maximumScalingStepSize": 5,
                           "instanceWarmupPeriod": 10_000}),
            ),
        ),
        breaks(
            "capacity-provider-termination-protection",
            "autoScalingGroupProvider.managedTerminationProtection",
            provider(
                json!({"autoScalingGroupProvider": {"autoScalingGroupArn": "web-asg",
                                                         "managedTerminationProtection": "ENABLED"}}),
            ),
        ),
        keeps(
            "capacity-provider-termination-protection",
            provider(
                json!({"autoScalingGroupProvider": {"autoScalingGroupArn": "web-asg",
                                                         "managedScaling": {"status": "ENABLED"},
                                                         "managedTerminationProtection": "ENABLED"}}),
            ),
        ),
    ]
}
