//! Cases for the service rules (`ecs_model::validate` service, strategy, deployment,
//! placement and networking rules), and the service corpus check.

use serde_json::{Value, json};

use crate::{Case, breaks, keeps};

/// `base` with the top-level members of `patch` set, or removed where `patch` has `null`.
pub fn patched(base: Value, patch: Value) -> Value {
    let (Value::Object(mut base), Value::Object(patch)) = (base, patch) else {
        panic!("patched takes two objects");
    };
    for (key, value) in patch {
        if value.is_null() {
            base.remove(&key);
        } else {
            base.insert(key, value);
        }
    }
    Value::Object(base)
}

/// A valid EC2 service with `patch` applied.
fn service(patch: Value) -> Value {
    patched(
        json!({"serviceName": "web", "taskDefinition": "web:3", "desiredCount": 2}),
        patch,
    )
}

/// A valid Fargate service with `patch` applied.
fn fargate(patch: Value) -> Value {
    service(patched(
        json!({
            "launchType": "FARGATE",
            "networkConfiguration": {"awsvpcConfiguration": {"subnets": ["subnet-1"]}}
        }),
        patch,
    ))
}

/// A DAEMON service with `patch` applied.
fn daemon(patch: Value) -> Value {
    service(patched(
        json!({"schedulingStrategy": "DAEMON", "desiredCount": null, "launchType": "EC2"}),
        patch,
    ))
}

/// A service with this deployment configuration.
fn deploying(config: Value) -> Value {
    service(json!({"deploymentConfiguration": config}))
}

/// A service with this capacity provider strategy.
fn strategy(items: Value) -> Value {
    service(json!({"capacityProviderStrategy": items}))
}

/// `count` capacity provider strategy items named `cp0`, `cp1`, ...
fn providers(count: usize) -> Value {
    (0..count)
        .map(|i| json!({"capacityProvider": format!("cp{i}"), "weight": 1}))
        .collect()
}

/// `count` copies of `item`.
fn repeat(item: Value, count: usize) -> Value {
    Value::Array(vec![item; count])
}

/// A target group load balancer entry.
fn target_group(port: i64) -> Value {
    json!({"targetGroupArn": format!("arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/t{port}/1"),
           "containerName": "web", "containerPort": port})
}

fn awsvpc(config: Value) -> Value {
    fargate(json!({"networkConfiguration": {"awsvpcConfiguration": config}}))
}

fn subnets(count: usize) -> Value {
    (0..count).map(|i| json!(format!("subnet-{i}"))).collect()
}

fn connect(services: Value) -> Value {
    fargate(
        json!({"serviceConnectConfiguration": {"enabled": true, "namespace": "ns", "services": services}}),
    )
}

pub fn cases() -> Vec<Case> {
    let mut cases = general_cases();
    cases.extend(strategy_cases());
    cases.extend(deployment_cases());
    cases.extend(placement_cases());
    cases.extend(network_cases());
    cases
}

fn general_cases() -> Vec<Case> {
    vec![
        breaks(
            "service-name",
            "serviceName",
            service(json!({"serviceName": "web app"})),
        ),
        breaks(
            "service-name",
            "serviceName",
            service(json!({"serviceName": "a".repeat(256)})),
        ),
        keeps(
            "service-name",
            service(json!({"serviceName": "a".repeat(255)})),
        ),
        breaks(
            "service-launch-type-and-strategy",
            "launchType",
            fargate(
                json!({"capacityProviderStrategy": [{"capacityProvider": "FARGATE", "weight": 1}]}),
            ),
        ),
        keeps(
            "service-launch-type-and-strategy",
            fargate(
                json!({"launchType": null, "capacityProviderStrategy": [{"capacityProvider": "FARGATE", "weight": 1}]}),
            ),
        ),
        breaks(
            "service-managed-instances-launch-type",
            "launchType",
            service(json!({"launchType": "MANAGED_INSTANCES"})),
        ),
        breaks(
            "service-desired-count",
            "desiredCount",
            service(json!({"desiredCount": null})),
        ),
        breaks(
            "service-desired-count",
            "desiredCount",
            service(json!({"desiredCount": -1})),
        ),
        keeps("service-desired-count", service(json!({"desiredCount": 0}))),
        keeps("service-desired-count", daemon(json!({}))),
        breaks(
            "service-daemon-desired-count",
            "desiredCount",
            daemon(json!({"desiredCount": 1})),
        ),
        keeps("service-daemon-desired-count", daemon(json!({}))),
        breaks(
            "service-daemon-fargate",
            "launchType",
            daemon(json!({"launchType": "FARGATE"})),
        ),
        breaks(
            "service-daemon-fargate",
            "capacityProviderStrategy",
            daemon(
                json!({"launchType": null, "capacityProviderStrategy": [{"capacityProvider": "FARGATE_SPOT", "weight": 1}]}),
            ),
        ),
        keeps("service-daemon-fargate", daemon(json!({}))),
        breaks(
            "service-daemon-deployment-controller",
            "deploymentController.type",
            daemon(json!({"deploymentController": {"type": "CODE_DEPLOY"}})),
        ),
        keeps(
            "service-daemon-deployment-controller",
            daemon(json!({"deploymentController": {"type": "ECS"}})),
        ),
        breaks(
            "service-platform-version",
            "platformVersion",
            service(json!({"launchType": "EC2", "platformVersion": "LATEST"})),
        ),
        keeps(
            "service-platform-version",
            fargate(json!({"platformVersion": "1.4.0"})),
        ),
        breaks(
            "service-client-token",
            "clientToken",
            service(json!({"clientToken": "a".repeat(37)})),
        ),
        breaks(
            "service-client-token",
            "clientToken",
            service(json!({"clientToken": "a b"})),
        ),
        keeps(
            "service-client-token",
            service(json!({"clientToken": "~".repeat(36)})),
        ),
        breaks(
            "service-managed-tags-propagate",
            "propagateTags",
            service(json!({"enableECSManagedTags": true})),
        ),
        keeps(
            "service-managed-tags-propagate",
            service(json!({"enableECSManagedTags": true, "propagateTags": "SERVICE"})),
        ),
        breaks(
            "service-task-definition-required",
            "taskDefinition",
            service(json!({"taskDefinition": null})),
        ),
        breaks(
            "service-task-definition-required",
            "taskDefinition",
            service(
                json!({"taskDefinition": null, "deploymentController": {"type": "CODE_DEPLOY"}}),
            ),
        ),
        keeps(
            "service-task-definition-required",
            service(json!({"taskDefinition": null, "deploymentController": {"type": "EXTERNAL"}})),
        ),
        breaks(
            "tag-reserved-prefix",
            "tags[0].key",
            service(json!({"tags": [{"key": "AWS:team", "value": "web"}]})),
        ),
    ]
}

fn strategy_cases() -> Vec<Case> {
    vec![
        breaks(
            "capacity-provider-strategy-limit",
            "capacityProviderStrategy",
            strategy(providers(21)),
        ),
        keeps("capacity-provider-strategy-limit", strategy(providers(20))),
        breaks(
            "capacity-provider-strategy-range",
            "capacityProviderStrategy[0].base",
            strategy(json!([{"capacityProvider": "asg", "base": 100_001, "weight": 1}])),
        ),
        breaks(
            "capacity-provider-strategy-range",
            "capacityProviderStrategy[0].weight",
            strategy(json!([{"capacityProvider": "asg", "weight": 1001}])),
        ),
        keeps(
            "capacity-provider-strategy-range",
            strategy(json!([{"capacityProvider": "asg", "base": 100_000, "weight": 1000}])),
        ),
        breaks(
            "capacity-provider-strategy-base",
            "capacityProviderStrategy[1].base",
            strategy(json!([{"capacityProvider": "a", "base": 1, "weight": 1},
                            {"capacityProvider": "b", "base": 2, "weight": 1}])),
        ),
        keeps(
            "capacity-provider-strategy-base",
            strategy(json!([{"capacityProvider": "a", "base": 1, "weight": 1},
                            {"capacityProvider": "b", "base": 0, "weight": 1}])),
        ),
        breaks(
            "capacity-provider-strategy-weight",
            "capacityProviderStrategy",
            strategy(
                json!([{"capacityProvider": "a", "base": 1}, {"capacityProvider": "b", "weight": 0}]),
            ),
        ),
        keeps(
            "capacity-provider-strategy-weight",
            strategy(
                json!([{"capacityProvider": "a", "base": 1}, {"capacityProvider": "b", "weight": 1}]),
            ),
        ),
        keeps(
            "capacity-provider-strategy-weight",
            strategy(json!([{"capacityProvider": "a"}])),
        ),
        breaks(
            "capacity-provider-strategy-mixed",
            "capacityProviderStrategy[1].capacityProvider",
            strategy(
                json!([{"capacityProvider": "FARGATE", "weight": 1}, {"capacityProvider": "asg", "weight": 1}]),
            ),
        ),
        keeps(
            "capacity-provider-strategy-mixed",
            strategy(
                json!([{"capacityProvider": "FARGATE", "weight": 1}, {"capacityProvider": "FARGATE_SPOT", "weight": 3}]),
            ),
        ),
        breaks(
            "capacity-provider-strategy-duplicate",
            "capacityProviderStrategy[1].capacityProvider",
            strategy(
                json!([{"capacityProvider": "FARGATE", "weight": 1}, {"capacityProvider": "FARGATE", "weight": 2}]),
            ),
        ),
        keeps(
            "capacity-provider-strategy-duplicate",
            strategy(providers(2)),
        ),
    ]
}

fn deployment_cases() -> Vec<Case> {
    let mut cases = percent_cases();
    cases.extend(controller_cases());
    cases.extend(traffic_cases());
    cases.extend(hook_cases());
    cases
}

fn percent_cases() -> Vec<Case> {
    vec![
        breaks(
            "deployment-percent-range",
            "deploymentConfiguration.minimumHealthyPercent",
            deploying(json!({"minimumHealthyPercent": 101})),
        ),
        breaks(
            "deployment-percent-range",
            "deploymentConfiguration.maximumPercent",
            deploying(json!({"maximumPercent": -1})),
        ),
        keeps(
            "deployment-percent-range",
            deploying(json!({"minimumHealthyPercent": 100, "maximumPercent": 0})),
        ),
        keeps(
            "deployment-percent-range",
            deploying(json!({"minimumHealthyPercent": 0})),
        ),
        breaks(
            "deployment-no-room",
            "deploymentConfiguration",
            service(
                json!({"desiredCount": 3, "deploymentConfiguration": {"minimumHealthyPercent": 75, "maximumPercent": 125}}),
            ),
        ),
        breaks(
            "deployment-no-room",
            "deploymentConfiguration",
            deploying(json!({"minimumHealthyPercent": 100, "maximumPercent": 100})),
        ),
        keeps(
            "deployment-no-room",
            service(
                json!({"desiredCount": 4, "deploymentConfiguration": {"minimumHealthyPercent": 75, "maximumPercent": 125}}),
            ),
        ),
        keeps(
            "deployment-no-room",
            deploying(json!({"minimumHealthyPercent": 100, "maximumPercent": 150})),
        ),
        keeps(
            "deployment-no-room",
            service(json!({"deploymentController": {"type": "CODE_DEPLOY"},
                           "deploymentConfiguration": {"minimumHealthyPercent": 100, "maximumPercent": 100}})),
        ),
        breaks(
            "service-daemon-maximum-percent",
            "deploymentConfiguration.maximumPercent",
            daemon(json!({"deploymentConfiguration": {"maximumPercent": 101}})),
        ),
        keeps(
            "service-daemon-maximum-percent",
            daemon(
                json!({"deploymentConfiguration": {"maximumPercent": 100, "minimumHealthyPercent": 50}}),
            ),
        ),
    ]
}

fn controller_cases() -> Vec<Case> {
    let code_deploy = |config: Value| {
        service(
            json!({"deploymentController": {"type": "CODE_DEPLOY"}, "deploymentConfiguration": config}),
        )
    };
    vec![
        breaks(
            "deployment-ecs-controller-only",
            "deploymentConfiguration.deploymentCircuitBreaker",
            code_deploy(json!({"deploymentCircuitBreaker": {"enable": true, "rollback": true}})),
        ),
        breaks(
            "deployment-ecs-controller-only",
            "deploymentConfiguration.strategy",
            service(
                json!({"deploymentController": {"type": "EXTERNAL"}, "deploymentConfiguration": {"strategy": "LINEAR"}}),
            ),
        ),
        breaks(
            "deployment-ecs-controller-only",
            "deploymentConfiguration.alarms",
            code_deploy(
                json!({"alarms": {"alarmNames": ["high-5xx"], "enable": true, "rollback": false}}),
            ),
        ),
        keeps(
            "deployment-ecs-controller-only",
            code_deploy(
                json!({"deploymentCircuitBreaker": {"enable": false, "rollback": false},
                               "alarms": {"alarmNames": [], "enable": false, "rollback": false}}),
            ),
        ),
        keeps(
            "deployment-ecs-controller-only",
            deploying(
                json!({"deploymentCircuitBreaker": {"enable": true, "rollback": true}, "strategy": "BLUE_GREEN"}),
            ),
        ),
        breaks(
            "deployment-alarms-empty",
            "deploymentConfiguration.alarms.alarmNames",
            deploying(json!({"alarms": {"alarmNames": [], "enable": true, "rollback": true}})),
        ),
        keeps(
            "deployment-alarms-empty",
            deploying(json!({"alarms": {"alarmNames": [], "enable": false, "rollback": false}})),
        ),
        breaks(
            "deployment-early-success",
            "deploymentConfiguration.earlySuccessCriteria.healthyPercent",
            deploying(
                json!({"earlySuccessCriteria": {"enable": true, "sourceServiceRevisionCleanup": "BLOCKING"}}),
            ),
        ),
        breaks(
            "deployment-early-success",
            "deploymentConfiguration.earlySuccessCriteria.healthyPercent",
            deploying(
                json!({"minimumHealthyPercent": 50, "earlySuccessCriteria": {"enable": true, "healthyPercent": 49, "sourceServiceRevisionCleanup": "DEFERRED"}}),
            ),
        ),
        breaks(
            "deployment-early-success",
            "deploymentConfiguration.earlySuccessCriteria",
            deploying(
                json!({"strategy": "BLUE_GREEN", "earlySuccessCriteria": {"enable": true, "healthyPercent": 100, "sourceServiceRevisionCleanup": "BLOCKING"}}),
            ),
        ),
        keeps(
            "deployment-early-success",
            deploying(
                json!({"minimumHealthyPercent": 50, "earlySuccessCriteria": {"enable": true, "healthyPercent": 50, "sourceServiceRevisionCleanup": "DEFERRED"}}),
            ),
        ),
    ]
}

fn traffic_cases() -> Vec<Case> {
    let linear =
        |config: Value| deploying(json!({"strategy": "LINEAR", "linearConfiguration": config}));
    let canary =
        |config: Value| deploying(json!({"strategy": "CANARY", "canaryConfiguration": config}));
    vec![
        breaks(
            "deployment-strategy-configuration",
            "deploymentConfiguration.linearConfiguration",
            deploying(json!({"strategy": "ROLLING", "linearConfiguration": {"stepPercent": 10.0}})),
        ),
        breaks(
            "deployment-strategy-configuration",
            "deploymentConfiguration.canaryConfiguration",
            deploying(json!({"canaryConfiguration": {"canaryPercent": 5.0}})),
        ),
        keeps(
            "deployment-strategy-configuration",
            linear(json!({"stepPercent": 10.0})),
        ),
        breaks(
            "deployment-linear-configuration",
            "deploymentConfiguration.linearConfiguration.stepPercent",
            linear(json!({"stepPercent": 2.9})),
        ),
        breaks(
            "deployment-linear-configuration",
            "deploymentConfiguration.linearConfiguration.stepPercent",
            linear(json!({"stepPercent": 3.05})),
        ),
        breaks(
            "deployment-linear-configuration",
            "deploymentConfiguration.linearConfiguration.stepBakeTimeInMinutes",
            linear(json!({"stepBakeTimeInMinutes": 1441})),
        ),
        keeps(
            "deployment-linear-configuration",
            linear(json!({"stepPercent": 3.0, "stepBakeTimeInMinutes": 1440})),
        ),
        keeps(
            "deployment-linear-configuration",
            linear(json!({"stepPercent": 100.0, "stepBakeTimeInMinutes": 0})),
        ),
        keeps(
            "deployment-linear-configuration",
            linear(json!({"stepPercent": 33.3})),
        ),
        breaks(
            "deployment-canary-configuration",
            "deploymentConfiguration.canaryConfiguration.canaryPercent",
            canary(json!({"canaryPercent": 0.0})),
        ),
        breaks(
            "deployment-canary-configuration",
            "deploymentConfiguration.canaryConfiguration.canaryPercent",
            canary(json!({"canaryPercent": 100.1})),
        ),
        breaks(
            "deployment-canary-configuration",
            "deploymentConfiguration.canaryConfiguration.canaryBakeTimeInMinutes",
            canary(json!({"canaryBakeTimeInMinutes": -1})),
        ),
        keeps(
            "deployment-canary-configuration",
            canary(json!({"canaryPercent": 0.1, "canaryBakeTimeInMinutes": 1440})),
        ),
        keeps(
            "deployment-canary-configuration",
            canary(json!({"canaryPercent": 100.0})),
        ),
    ]
}

fn hook_cases() -> Vec<Case> {
    let hooks = |hooks: Value| {
        deploying(
            json!({"strategy": "BLUE_GREEN", "bakeTimeInMinutes": 5, "lifecycleHooks": hooks}),
        )
    };
    let lambda = "arn:aws:lambda:us-east-1:123456789012:function:check";
    vec![
        breaks(
            "deployment-lifecycle-hook",
            "deploymentConfiguration.lifecycleHooks[0].lifecycleStages",
            hooks(json!([{"hookTargetArn": lambda}])),
        ),
        breaks(
            "deployment-lifecycle-hook",
            "deploymentConfiguration.lifecycleHooks[0].hookTargetArn",
            hooks(json!([{"targetType": "AWS_LAMBDA", "lifecycleStages": ["POST_SCALE_UP"]}])),
        ),
        breaks(
            "deployment-lifecycle-hook",
            "deploymentConfiguration.lifecycleHooks[1].lifecycleStages[1]",
            hooks(
                json!([{"hookTargetArn": lambda, "lifecycleStages": ["TEST_TRAFFIC_SHIFT"]},
                         {"targetType": "PAUSE", "lifecycleStages": ["POST_SCALE_UP", "PRODUCTION_TRAFFIC_SHIFT"]}]),
            ),
        ),
        keeps(
            "deployment-lifecycle-hook",
            hooks(
                json!([{"hookTargetArn": lambda, "lifecycleStages": ["TEST_TRAFFIC_SHIFT"]},
                         {"targetType": "PAUSE", "lifecycleStages": ["POST_TEST_TRAFFIC_SHIFT"]}]),
            ),
        ),
        breaks(
            "deployment-lifecycle-hook-target",
            "deploymentConfiguration.lifecycleHooks[0].hookTargetArn",
            hooks(json!([{"hookTargetArn": "check", "lifecycleStages": ["POST_SCALE_UP"]}])),
        ),
        breaks(
            "deployment-lifecycle-hook-target",
            "deploymentConfiguration.lifecycleHooks[0].hookTargetArn",
            hooks(
                json!([{"hookTargetArn": "arn:aws:sns:us-east-1:123456789012:topic",
                          "lifecycleStages": ["POST_SCALE_UP"]}]),
            ),
        ),
        keeps(
            "deployment-lifecycle-hook-target",
            hooks(json!([
                {"hookTargetArn": lambda, "lifecycleStages": ["POST_SCALE_UP"]},
                {"hookTargetArn": format!("{lambda}:live"), "lifecycleStages": ["PRE_SCALE_UP"]},
                {"hookTargetArn": "arn:aws-cn:lambda:cn-north-1:123456789012:function:check",
                 "lifecycleStages": ["PRE_SCALE_UP"]}
            ])),
        ),
        breaks(
            "deployment-lifecycle-hook-role",
            "deploymentConfiguration.lifecycleHooks[0].roleArn",
            hooks(
                json!([{"hookTargetArn": lambda, "lifecycleStages": ["POST_SCALE_UP"],
                          "roleArn": "arn:aws:iam::123456789012:user/deployer"}]),
            ),
        ),
        breaks(
            "deployment-lifecycle-hook-role",
            "deploymentConfiguration.lifecycleHooks[0].roleArn",
            hooks(
                json!([{"hookTargetArn": lambda, "lifecycleStages": ["POST_SCALE_UP"],
                          "roleArn": "ecs-hook-role"}]),
            ),
        ),
        keeps(
            "deployment-lifecycle-hook-role",
            hooks(
                json!([{"hookTargetArn": lambda, "lifecycleStages": ["POST_SCALE_UP"],
                          "roleArn": "arn:aws:iam::123456789012:role/service/ecs-hooks"}]),
            ),
        ),
        breaks(
            "deployment-lifecycle-hook-stage",
            "deploymentConfiguration.lifecycleHooks[0].lifecycleStages[1]",
            deploying(json!({"strategy": "ROLLING", "lifecycleHooks": [
                {"hookTargetArn": lambda,
                 "lifecycleStages": ["POST_SCALE_UP", "PRODUCTION_TRAFFIC_SHIFT"]}
            ]})),
        ),
        keeps(
            "deployment-lifecycle-hook-stage",
            deploying(json!({"strategy": "ROLLING", "lifecycleHooks": [
                {"hookTargetArn": lambda, "lifecycleStages": ["PRE_SCALE_UP", "POST_SCALE_UP"]}
            ]})),
        ),
        keeps(
            "deployment-lifecycle-hook-stage",
            deploying(json!({"strategy": "LINEAR", "lifecycleHooks": [
                {"hookTargetArn": lambda,
                 "lifecycleStages": ["PRE_PRODUCTION_TRAFFIC_SHIFT", "PRODUCTION_TRAFFIC_SHIFT"]}
            ]})),
        ),
    ]
}

fn placement_cases() -> Vec<Case> {
    let spread = json!({"type": "spread", "field": "attribute:ecs.availability-zone"});
    let member_of =
        json!({"type": "memberOf", "expression": "attribute:ecs.instance-type =~ t3.*"});
    let expression = |len: usize| {
        let mut text = "attribute:x == ".to_owned();
        text.push_str(&"a".repeat(len - text.len()));
        service(json!({"placementConstraints": [{"type": "memberOf", "expression": text}]}))
    };
    vec![
        breaks(
            "service-placement-strategy-limit",
            "placementStrategy",
            service(json!({"placementStrategy": repeat(spread.clone(), 6)})),
        ),
        keeps(
            "service-placement-strategy-limit",
            service(json!({"placementStrategy": repeat(spread.clone(), 5)})),
        ),
        breaks(
            "service-placement-constraint-limit",
            "placementConstraints",
            service(json!({"placementConstraints": repeat(member_of.clone(), 11)})),
        ),
        keeps(
            "service-placement-constraint-limit",
            service(json!({"placementConstraints": repeat(member_of.clone(), 10)})),
        ),
        breaks(
            "service-placement-constraint-expression",
            "placementConstraints[0].expression",
            service(
                json!({"placementConstraints": [{"type": "distinctInstance", "expression": "attribute:a == b"}]}),
            ),
        ),
        breaks(
            "service-placement-constraint-expression",
            "placementConstraints[0]",
            service(json!({"placementConstraints": [{"type": "memberOf"}]})),
        ),
        breaks(
            "service-placement-constraint-expression",
            "placementConstraints[0].expression",
            expression(2001),
        ),
        keeps("service-placement-constraint-expression", expression(2000)),
        keeps(
            "service-placement-constraint-expression",
            service(json!({"placementConstraints": [{"type": "distinctInstance"}]})),
        ),
        breaks(
            "service-placement-strategy-field",
            "placementStrategy[0].field",
            service(json!({"placementStrategy": [{"type": "binpack", "field": "instanceId"}]})),
        ),
        keeps(
            "service-placement-strategy-field",
            service(
                json!({"placementStrategy": [{"type": "binpack", "field": "memory"}, {"type": "random"}]}),
            ),
        ),
        breaks(
            "service-placement-fargate",
            "placementConstraints",
            fargate(json!({"placementConstraints": [member_of.clone()]})),
        ),
        breaks(
            "service-placement-fargate",
            "placementStrategy",
            fargate(
                json!({"launchType": null, "capacityProviderStrategy": [{"capacityProvider": "FARGATE_SPOT", "weight": 1}],
                           "placementStrategy": [spread.clone()]}),
            ),
        ),
        keeps(
            "service-placement-fargate",
            service(
                json!({"placementConstraints": [member_of], "placementStrategy": [spread.clone()]}),
            ),
        ),
        breaks(
            "service-daemon-placement-strategy",
            "placementStrategy",
            daemon(json!({"placementStrategy": [spread]})),
        ),
        keeps(
            "service-daemon-placement-strategy",
            daemon(
                json!({"placementConstraints": [{"type": "memberOf", "expression": "attribute:role == edge"}]}),
            ),
        ),
    ]
}

fn network_cases() -> Vec<Case> {
    let mut cases = load_balancer_cases();
    cases.extend(awsvpc_cases());
    cases.extend(discovery_cases());
    cases
}

fn load_balancer_cases() -> Vec<Case> {
    let balanced = |lbs: Value| service(json!({"loadBalancers": lbs}));
    let classic =
        json!({"loadBalancerName": "web-elb", "containerName": "web", "containerPort": 80});
    vec![
        breaks(
            "service-load-balancer-limit",
            "loadBalancers",
            balanced((0..6).map(|i| target_group(8000 + i)).collect()),
        ),
        keeps(
            "service-load-balancer-limit",
            balanced((0..5).map(|i| target_group(8000 + i)).collect()),
        ),
        breaks(
            "service-load-balancer-target",
            "loadBalancers[0].loadBalancerName",
            balanced(json!([patched(
                target_group(80),
                json!({"loadBalancerName": "web-elb"})
            )])),
        ),
        breaks(
            "service-load-balancer-target",
            "loadBalancers[0]",
            balanced(json!([{"containerName": "web", "containerPort": 80}])),
        ),
        keeps(
            "service-load-balancer-target",
            balanced(json!([classic.clone()])),
        ),
        breaks(
            "service-load-balancer-container",
            "loadBalancers[0].containerPort",
            balanced(json!([patched(
                target_group(80),
                json!({"containerPort": null})
            )])),
        ),
        breaks(
            "service-load-balancer-container",
            "loadBalancers[0].containerName",
            balanced(json!([patched(
                classic.clone(),
                json!({"containerName": ""})
            )])),
        ),
        keeps(
            "service-load-balancer-container",
            balanced(json!([target_group(80)])),
        ),
        breaks(
            "service-classic-load-balancer-limit",
            "loadBalancers[1]",
            balanced(json!([classic.clone(), target_group(80)])),
        ),
        breaks(
            "service-classic-load-balancer-limit",
            "loadBalancers[0]",
            balanced(json!([target_group(80), classic.clone()])),
        ),
        keeps(
            "service-classic-load-balancer-limit",
            balanced(json!([classic.clone()])),
        ),
        breaks(
            "service-role-without-load-balancer",
            "role",
            service(json!({"role": "ecsServiceRole"})),
        ),
        keeps(
            "service-role-without-load-balancer",
            service(
                json!({"role": "arn:aws:iam::123456789012:role/aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS"}),
            ),
        ),
        keeps(
            "service-role-without-load-balancer",
            service(json!({"role": "ecsServiceRole", "loadBalancers": [classic]})),
        ),
        breaks(
            "service-grace-period-range",
            "healthCheckGracePeriodSeconds",
            service(json!({"healthCheckGracePeriodSeconds": -1})),
        ),
        keeps(
            "service-grace-period-range",
            service(json!({"healthCheckGracePeriodSeconds": 0})),
        ),
    ]
}

fn awsvpc_cases() -> Vec<Case> {
    let groups = |count: usize| -> Value { (0..count).map(|i| json!(format!("sg-{i}"))).collect() };
    vec![
        breaks(
            "service-awsvpc-subnets",
            "networkConfiguration.awsvpcConfiguration.subnets",
            awsvpc(json!({"subnets": []})),
        ),
        breaks(
            "service-awsvpc-subnets",
            "networkConfiguration.awsvpcConfiguration.subnets",
            awsvpc(json!({"subnets": subnets(17)})),
        ),
        keeps(
            "service-awsvpc-subnets",
            awsvpc(json!({"subnets": subnets(16)})),
        ),
        breaks(
            "service-awsvpc-security-groups",
            "networkConfiguration.awsvpcConfiguration.securityGroups",
            awsvpc(json!({"subnets": subnets(1), "securityGroups": groups(6)})),
        ),
        keeps(
            "service-awsvpc-security-groups",
            awsvpc(json!({"subnets": subnets(1), "securityGroups": groups(5)})),
        ),
    ]
}

fn discovery_cases() -> Vec<Case> {
    let registry =
        json!({"registryArn": "arn:aws:servicediscovery:us-east-1:123456789012:service/srv-1"});
    vec![
        breaks(
            "service-registry-limit",
            "serviceRegistries",
            fargate(json!({"serviceRegistries": [registry.clone(), registry.clone()]})),
        ),
        keeps(
            "service-registry-limit",
            fargate(json!({"serviceRegistries": [registry]})),
        ),
        breaks(
            "service-connect-port-name",
            "serviceConnectConfiguration.services[0].portName",
            connect(json!([{"portName": ""}])),
        ),
        keeps(
            "service-connect-port-name",
            connect(json!([{"portName": "http"}])),
        ),
        breaks(
            "service-connect-discovery-name",
            "serviceConnectConfiguration.services[0].discoveryName",
            connect(json!([{"portName": "http", "discoveryName": "-web"}])),
        ),
        breaks(
            "service-connect-discovery-name",
            "serviceConnectConfiguration.services[0].discoveryName",
            connect(json!([{"portName": "http", "discoveryName": "Web"}])),
        ),
        breaks(
            "service-connect-discovery-name",
            "serviceConnectConfiguration.services[0].discoveryName",
            connect(json!([{"portName": "http", "discoveryName": "w".repeat(65)}])),
        ),
        keeps(
            "service-connect-discovery-name",
            connect(
                json!([{"portName": "http", "discoveryName": format!("web_api-{}", "1".repeat(56))}]),
            ),
        ),
        breaks(
            "service-connect-client-alias-limit",
            "serviceConnectConfiguration.services[0].clientAliases",
            connect(json!([{"portName": "http", "clientAliases": [{"port": 80}, {"port": 8080}]}])),
        ),
        keeps(
            "service-connect-client-alias-limit",
            connect(
                json!([{"portName": "http", "clientAliases": [{"port": 80, "dnsName": "web"}]}]),
            ),
        ),
    ]
}

/// Rules of this file that a corpus file breaks on purpose, with the reason AWS would reject the
/// file too. Everything else must pass the service rules cleanly.
const CORPUS_EXCEPTIONS: &[(&str, &str, &str)] = &[
    // ecspresso keeps the task definition in its own config and injects `taskDefinition` (and
    // `serviceName`) when it calls CreateService; sent as is, AWS rejects the request.
    (
        "ecspresso-service-alarms-circuit-breaker.json",
        "service-task-definition-required",
        "taskDefinition",
    ),
    (
        "user-ecspresso-service-runtime-counts.json",
        "service-task-definition-required",
        "taskDefinition",
    ),
];

#[test]
fn service_corpus_passes_the_service_rules() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/corpus/services");
    let rules = ecs_model::validate::rules();
    let mine = |code: &str| {
        rules.iter().any(|r| {
            r.code == code
                && (r.code.starts_with("service-")
                    || r.code.starts_with("capacity-provider-strategy-")
                    || r.code.starts_with("deployment-"))
        })
    };
    let mut failures = Vec::new();
    let mut files = 0;
    for entry in std::fs::read_dir(dir).expect("the service corpus folder exists") {
        let path = entry.expect("a readable directory entry").path();
        let Some(file) = path.file_name().and_then(|f| f.to_str()).map(str::to_owned) else {
            continue;
        };
        let text = std::fs::read_to_string(&path).expect("a readable corpus file");
        let loaded = ecs_model::document::parse(&text, None);
        let Some(document) = loaded.value else {
            failures.push(format!("{file}: does not load: {:?}", loaded.diagnostics));
            continue;
        };
        files += 1;
        for d in ecs_model::validate_document(&document) {
            let expected = CORPUS_EXCEPTIONS
                .iter()
                .any(|(f, code, at)| *f == file && *code == d.code && d.path.to_string() == *at);
            if d.is_error() && mine(&d.code) && !expected {
                failures.push(format!("{file}: {d}"));
            }
        }
    }
    assert!(files >= 5, "only {files} service corpus files loaded");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
