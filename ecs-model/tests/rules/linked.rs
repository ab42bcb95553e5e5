//! Cases for the rules of the kinds a stack links to its services: `scaling` (Application Auto
//! Scaling), `scheduledTasks` (EventBridge Scheduler) and `listenerRules` (ELBv2).

use serde_json::{Value, json};

use crate::{Case, breaks, keeps};

/// `base` with the members of `extra` added or replaced.
fn merged(mut base: Value, extra: Value) -> Value {
    if let (Some(base), Value::Object(extra)) = (base.as_object_mut(), extra) {
        base.extend(extra);
    }
    base
}

/// A stack with one service `web` in cluster `demo`, a `report` family, and `extra` members.
fn stack(extra: Value) -> Value {
    let doc = json!({
        "clusters": [ { "clusterName": "demo" } ],
        "taskDefinitions": [ {
            "family": "report", "networkMode": "awsvpc", "requiresCompatibilities": ["FARGATE"],
            "cpu": "256", "memory": "512",
            "containerDefinitions": [ { "name": "report", "image": "report:1" } ]
        } ],
        "services": [ {
            "serviceName": "web", "cluster": "demo", "taskDefinition": "report",
            "launchType": "FARGATE", "desiredCount": 1,
            "networkConfiguration": { "awsvpcConfiguration": { "subnets": ["subnet-1"] } }
        } ]
    });
    merged(doc, extra)
}

/// The stack with a target group `shop-web` and its service bound to `target_group_arn`.
fn bound(target_group_arn: &str) -> Value {
    let mut doc = stack(json!({
        "targetGroups": [ { "Name": "shop-web", "Protocol": "HTTP", "Port": 80, "TargetType": "ip" } ]
    }));
    doc["services"][0]["loadBalancers"] = json!([
        { "targetGroupArn": target_group_arn, "containerName": "report", "containerPort": 80 }
    ]);
    doc["taskDefinitions"][0]["containerDefinitions"][0]["portMappings"] =
        json!([ { "containerPort": 80 } ]);
    doc
}

fn target(resource: &str, min: i64, max: i64) -> Value {
    json!({ "ServiceNamespace": "ecs", "ResourceId": resource,
            "ScalableDimension": "ecs:service:DesiredCount", "MinCapacity": min, "MaxCapacity": max })
}

fn policy(extra: Value) -> Value {
    let policy = json!({
        "PolicyName": "cpu", "ServiceNamespace": "ecs", "ResourceId": "service/demo/web",
        "ScalableDimension": "ecs:service:DesiredCount", "PolicyType": "TargetTrackingScaling",
        "TargetTrackingScalingPolicyConfiguration": {
            "TargetValue": 60.0,
            "PredefinedMetricSpecification": { "PredefinedMetricType": "ECSServiceAverageCPUUtilization" }
        }
    });
    merged(policy, extra)
}

fn action(schedule: &str, target_action: Value) -> Value {
    json!({ "ScheduledActionName": "night", "ServiceNamespace": "ecs",
            "ResourceId": "service/demo/web", "ScalableDimension": "ecs:service:DesiredCount",
            "Schedule": schedule, "ScalableTargetAction": target_action })
}

fn schedule(extra: Value) -> Value {
    let schedule = json!({
        "Name": "nightly", "ScheduleExpression": "cron(0 3 * * ? *)",
        "FlexibleTimeWindow": { "Mode": "OFF" },
        "Target": {
            "Arn": "demo", "RoleArn": "arn:aws:iam::123456789012:role/scheduler",
            "EcsParameters": {
                "TaskDefinitionArn": "report",
                "NetworkConfiguration": { "awsvpcConfiguration": { "Subnets": ["subnet-1"] } }
            }
        }
    });
    merged(schedule, extra)
}

fn scaling(targets: Vec<Value>, policies: Vec<Value>, actions: Vec<Value>) -> Value {
    stack(json!({ "scaling": {
        "scalableTargets": targets, "scalingPolicies": policies, "scheduledActions": actions
    } }))
}

/// A stack with target group `web` and the listener rule `rule` merged with `extra`.
fn ruled(extra: Value) -> Value {
    let rule = json!({
        "ListenerArn": "name:front:80", "Priority": 10,
        "Conditions": [ { "Field": "path-pattern", "Values": ["/api/*"] } ],
        "Actions": [ { "Type": "forward", "TargetGroupArn": "web" } ]
    });
    stack(json!({
        "targetGroups": [ { "Name": "web", "Protocol": "HTTP", "Port": 80, "TargetType": "ip" } ],
        "listenerRules": [ merged(rule, extra) ]
    }))
}

pub fn cases() -> Vec<Case> {
    let web = || target("service/demo/web", 1, 4);
    vec![
        breaks(
            "stack-scaling-ecs-service",
            "scaling.scalableTargets[0].ResourceId",
            scaling(vec![target("demo/web", 1, 4)], vec![], vec![]),
        ),
        keeps(
            "stack-scaling-ecs-service",
            scaling(vec![web()], vec![policy(json!({}))], vec![]),
        ),
        breaks(
            "stack-scaling-capacity",
            "scaling.scalableTargets[0].MaxCapacity",
            scaling(vec![target("service/demo/web", 4, 1)], vec![], vec![]),
        ),
        keeps(
            "stack-scaling-capacity",
            scaling(vec![web()], vec![], vec![]),
        ),
        breaks(
            "stack-scaling-unknown-service",
            "scaling.scalableTargets[0].ResourceId",
            scaling(vec![target("service/demo/api", 1, 4)], vec![], vec![]),
        ),
        keeps(
            "stack-scaling-unknown-service",
            scaling(vec![web()], vec![], vec![]),
        ),
        breaks(
            "stack-scaling-without-target",
            "scaling.scalingPolicies[0].ResourceId",
            scaling(vec![], vec![policy(json!({}))], vec![]),
        ),
        keeps(
            "stack-scaling-without-target",
            scaling(vec![web()], vec![policy(json!({}))], vec![]),
        ),
        breaks(
            "stack-scaling-policy-configuration",
            "scaling.scalingPolicies[0].PolicyType",
            scaling(
                vec![web()],
                vec![policy(json!({ "PolicyType": "StepScaling" }))],
                vec![],
            ),
        ),
        keeps(
            "stack-scaling-policy-configuration",
            scaling(vec![web()], vec![policy(json!({}))], vec![]),
        ),
        breaks(
            "stack-scaling-schedule",
            "scaling.scheduledActions[0].Schedule",
            scaling(
                vec![web()],
                vec![],
                vec![action("cron(0 22 * * *)", json!({ "MaxCapacity": 2 }))],
            ),
        ),
        keeps(
            "stack-scaling-schedule",
            scaling(
                vec![web()],
                vec![],
                vec![action("cron(0 22 * * ? *)", json!({ "MaxCapacity": 2 }))],
            ),
        ),
        breaks(
            "stack-duplicate-scaling",
            "scaling.scalableTargets[1].ResourceId",
            scaling(vec![web(), web()], vec![], vec![]),
        ),
        keeps(
            "stack-duplicate-scaling",
            scaling(vec![web()], vec![], vec![]),
        ),
        breaks(
            "stack-schedule-expression",
            "scheduledTasks[0].ScheduleExpression",
            stack(
                json!({ "scheduledTasks": [ schedule(json!({ "ScheduleExpression": "rate(1 week)" })) ] }),
            ),
        ),
        keeps(
            "stack-schedule-expression",
            stack(
                json!({ "scheduledTasks": [ schedule(json!({ "ScheduleExpression": "rate(7 days)" })) ] }),
            ),
        ),
        breaks(
            "stack-schedule-window",
            "scheduledTasks[0].FlexibleTimeWindow.MaximumWindowInMinutes",
            stack(
                json!({ "scheduledTasks": [ schedule(json!({ "FlexibleTimeWindow": { "Mode": "FLEXIBLE" } })) ] }),
            ),
        ),
        keeps(
            "stack-schedule-window",
            stack(json!({ "scheduledTasks": [ schedule(json!({
                "FlexibleTimeWindow": { "Mode": "FLEXIBLE", "MaximumWindowInMinutes": 15 }
            })) ] })),
        ),
        breaks(
            "stack-schedule-target",
            "scheduledTasks[0].Target.EcsParameters",
            stack(json!({ "scheduledTasks": [ schedule(json!({
                "Target": { "Arn": "demo", "RoleArn": "arn:aws:iam::123456789012:role/scheduler" }
            })) ] })),
        ),
        keeps(
            "stack-schedule-target",
            stack(json!({ "scheduledTasks": [ schedule(json!({})) ] })),
        ),
        breaks(
            "stack-schedule-unknown-reference",
            "scheduledTasks[0].Target.Arn",
            stack(json!({ "scheduledTasks": [ schedule(json!({
                "Target": { "Arn": "elsewhere", "RoleArn": "arn:aws:iam::123456789012:role/scheduler",
                            "EcsParameters": { "TaskDefinitionArn": "report",
                                "NetworkConfiguration": { "awsvpcConfiguration": { "Subnets": ["subnet-1"] } } } }
            })) ] })),
        ),
        keeps(
            "stack-schedule-unknown-reference",
            stack(json!({ "scheduledTasks": [ schedule(json!({})) ] })),
        ),
        breaks(
            "stack-schedule-network",
            "scheduledTasks[0].Target.EcsParameters.NetworkConfiguration",
            stack(json!({ "scheduledTasks": [ schedule(json!({
                "Target": { "Arn": "demo", "RoleArn": "arn:aws:iam::123456789012:role/scheduler",
                            "EcsParameters": { "TaskDefinitionArn": "report" } }
            })) ] })),
        ),
        keeps(
            "stack-schedule-network",
            stack(json!({ "scheduledTasks": [ schedule(json!({})) ] })),
        ),
        breaks(
            "stack-duplicate-schedule",
            "scheduledTasks[1].Name",
            stack(json!({ "scheduledTasks": [ schedule(json!({})), schedule(json!({})) ] })),
        ),
        keeps(
            "stack-duplicate-schedule",
            stack(json!({ "scheduledTasks": [
                schedule(json!({})), schedule(json!({ "GroupName": "batch" }))
            ] })),
        ),
        breaks(
            "stack-listener-rule-unknown-target-group",
            "listenerRules[0].Actions[0].TargetGroupArn",
            ruled(json!({ "Actions": [ { "Type": "forward", "TargetGroupArn": "api" } ] })),
        ),
        keeps(
            "stack-listener-rule-unknown-target-group",
            ruled(json!({ "Actions": [ { "Type": "forward", "TargetGroupArn": "name:api" } ] })),
        ),
        breaks(
            "stack-listener-rule-priority",
            "listenerRules[0].Priority",
            ruled(json!({ "Priority": 50001 })),
        ),
        keeps(
            "stack-listener-rule-priority",
            ruled(json!({ "Priority": 50000 })),
        ),
        breaks(
            "stack-listener-rule-contents",
            "listenerRules[0].Conditions",
            ruled(json!({ "Conditions": [] })),
        ),
        keeps(
            "stack-listener-rule-contents",
            ruled(
                json!({ "Conditions": [ { "Field": "host-header", "Values": ["a.example.com"] } ] }),
            ),
        ),
        breaks(
            "stack-unknown-target-group",
            "services[0].loadBalancers[0].targetGroupArn",
            bound("shop-wbe"),
        ),
        keeps("stack-unknown-target-group", bound("shop-web")),
    ]
}
