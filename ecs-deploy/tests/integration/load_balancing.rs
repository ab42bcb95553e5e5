//! Target groups of the stack and a Fargate service bound to one by name, against the local
//! endpoint: an application load balancer and its listener made directly through the SDK on
//! the default VPC; the group created with its tag and health check; the service held back
//! until a listener rule forwards to the group (as ECS requires, played by
//! `support::script::load_balancing`), then created with the group's ARN; no change on a
//! second plan; a health check change as one ModifyTargetGroup; destroy deleting the group
//! after the service, refused while a rule still forwards to it.

use crate::support;

use ecs_deploy::apply::{ApplyOptions, Failure};
use ecs_deploy::plan::{Action, Address, Reason};
use ecs_deploy::{ApplyError, Deployer, LoadBalancing, Operation, Options};
use ecs_model::Stack;
use serde_json::{Value, json};
use support::script::load_balancing::{TargetGroupRules, client_at, load_balancer};

fn stack(group: &str, vpc: &str, subnets: &[String], interval: i32) -> Stack {
    let value = json!({
        "clusters": [{"clusterName": "lb"}],
        "targetGroups": [{
            "Name": group, "Protocol": "HTTP", "Port": 80, "VpcId": vpc, "TargetType": "ip",
            "HealthCheckPath": "/health", "HealthCheckIntervalSeconds": interval,
            "Tags": [{"Key": "team", "Value": "web"}]
        }],
        "taskDefinitions": [{
            "family": "lb-web", "networkMode": "awsvpc", "requiresCompatibilities": ["FARGATE"],
            "cpu": "256", "memory": "512",
            "containerDefinitions": [{
                "name": "web", "image": "nginx:1.27",
                "portMappings": [{"containerPort": 80}]
            }]
        }],
        "services": [{
            "serviceName": "web", "cluster": "lb", "taskDefinition": "lb-web",
            "launchType": "FARGATE", "desiredCount": 1,
            "networkConfiguration": {"awsvpcConfiguration": {
                "subnets": subnets, "securityGroups": ["default"], "assignPublicIp": "ENABLED"
            }},
            "loadBalancers": [{
                "targetGroupArn": group, "containerName": "web", "containerPort": 80
            }]
        }]
    });
    ecs_model::load::from_value::<Stack>(&value)
        .value
        .expect("a stack")
}

fn change<'a>(plan: &'a ecs_deploy::Plan, address: &Address) -> &'a ecs_deploy::Change {
    plan.changes
        .iter()
        .find(|c| &c.address == address)
        .unwrap_or_else(|| panic!("no change for {address}"))
}

/// Plans `wanted` with `deployer`, checks that its one change is at `address` with the steps
/// `expected` (in order), applies it and returns the plan.
async fn apply_only_change(
    deployer: &Deployer,
    wanted: &Stack,
    address: &Address,
    expected: &[Operation],
) -> ecs_deploy::Plan {
    let plan = deployer.plan(wanted).await.expect("a plan");
    assert_eq!(
        operations(only_change(&plan, address)),
        expected,
        "{plan:?}"
    );
    deployer.apply(&plan, |_| {}).await.expect("the apply");
    plan
}

/// Checks that DescribeTargetGroups does not find the group `name` (TargetGroupNotFound).
async fn assert_group_deleted(elb: &aws_sdk_elasticloadbalancingv2::Client, name: &str) {
    let gone = elb
        .describe_target_groups()
        .names(name)
        .send()
        .await
        .expect_err("the group is deleted");
    assert!(
        gone.into_service_error()
            .is_target_group_not_found_exception()
    );
}

/// The operations of `change`'s steps, in order.
fn operations(change: &ecs_deploy::Change) -> Vec<Operation> {
    change.steps.iter().map(|s| s.operation()).collect()
}

/// The one change of `plan` that is not a no-change, which must be the change of `address`.
fn only_change<'a>(plan: &'a ecs_deploy::Plan, address: &Address) -> &'a ecs_deploy::Change {
    let changed: Vec<_> = plan
        .changes
        .iter()
        .filter(|c| c.action != Action::NoChange)
        .collect();
    assert_eq!(changed.len(), 1, "{plan:?}");
    assert_eq!(&changed[0].address, address);
    changed[0]
}

#[tokio::test]
async fn a_target_group_of_the_stack_bound_by_name_round_trips() {
    use aws_sdk_elasticloadbalancingv2::types as t;
    let account = "000000000071";
    let rules = TargetGroupRules::start(support::local_ecs::endpoint());
    let elb = client_at(&rules.url, account);
    let ec2 = support::ec2::client(account);
    let vpc = support::ec2::default_vpc(&ec2).await;
    let subnets = support::ec2::default_subnets(account).await;
    let alb_name: String = support::unique("alb").chars().take(32).collect();
    let (_, listener_arn) = load_balancer(&elb, &alb_name, &subnets).await;

    let ecs = support::ecs_at(&rules.url, account).await;
    let name = short("w", &support::unique("tg"));
    let deployer = Deployer::new(ecs.clone(), Options::new("lbstack"))
        .network(support::ec2::network(account))
        .load_balancing(LoadBalancing::from_client(elb.clone()))
        .apply_options(ApplyOptions::no_wait());
    let group_address = Address::TargetGroup { name: name.clone() };
    let service_address = Address::Service {
        cluster: "lb".into(),
        name: "web".into(),
    };

    // 1. The group is created; the service waits: no load balancer forwards to the group.
    let wanted = stack(&name, &vpc, &subnets, 30);
    let plan = deployer.plan(&wanted).await.expect("a plan");
    assert_eq!(change(&plan, &group_address).action, Action::Create);
    let held = change(&plan, &service_address);
    assert_eq!(held.action, Action::Blocked);
    assert!(matches!(
        held.reason,
        Some(Reason::TargetGroupNotAttached { created: true, .. })
    ));
    deployer.apply(&plan, |_| {}).await.expect("the apply");
    let described = elb
        .describe_target_groups()
        .names(&name)
        .send()
        .await
        .expect("DescribeTargetGroups");
    let group = &described.target_groups()[0];
    let group_arn = group.target_group_arn().expect("an ARN").to_owned();
    assert_eq!(group.health_check_path(), Some("/health"));
    assert_eq!(
        group.health_check_timeout_seconds(),
        Some(6),
        "sent, not moto's 5"
    );
    assert_eq!(group.target_type(), Some(&t::TargetTypeEnum::Ip));
    let tags = support::read_back::elb_tags(&elb, &group_arn).await;
    assert!(
        tags.contains(&("ecs-rs:stack".into(), "lbstack".into())),
        "{tags:?}"
    );
    assert!(tags.contains(&("team".into(), "web".into())), "{tags:?}");
    // The layer plays ECS's refusal: a service bound to the group now fails.
    let (status, answer) = support::raw(
        &rules.url,
        account,
        "CreateService",
        &json!({"serviceName": "probe", "cluster": "lb", "taskDefinition": "lb-web",
                "loadBalancers": [{"targetGroupArn": group_arn, "containerName": "web", "containerPort": 80}]}),
    );
    assert_eq!(status, 400, "{answer}");
    assert_eq!(answer["__type"], "InvalidParameterException");

    // 2. A listener rule forwards to the group: the service is created, bound by ARN.
    let rule = elb
        .create_rule()
        .listener_arn(&listener_arn)
        .priority(10)
        .conditions(
            t::RuleCondition::builder()
                .field("path-pattern")
                .values("/api/*")
                .build(),
        )
        .actions(
            t::Action::builder()
                .r#type(t::ActionTypeEnum::Forward)
                .target_group_arn(&group_arn)
                .build(),
        )
        .send()
        .await
        .expect("CreateRule");
    let rule_arn = rule.rules()[0].rule_arn().expect("an ARN").to_owned();
    let plan = deployer.plan(&wanted).await.expect("a plan");
    assert_eq!(change(&plan, &group_address).action, Action::NoChange);
    assert_eq!(change(&plan, &service_address).action, Action::Create);
    deployer.apply(&plan, |_| {}).await.expect("the apply");
    let service = support::read_back::service(&ecs, "lb", "web").await;
    let bound = &service["loadBalancers"][0];
    assert_eq!(bound["targetGroupArn"], Value::from(group_arn.clone()));
    assert_eq!(bound["containerName"], "web");
    assert_eq!(bound["containerPort"], 80);
    assert!(rules.refused().iter().all(|a| a == &group_arn));

    // 3. Nothing changed: no change.
    let plan = deployer.plan(&wanted).await.expect("a plan");
    assert!(!plan.has_changes(), "{plan:?}");

    // 4. A health check change: one ModifyTargetGroup, then no change.
    let faster = stack(&name, &vpc, &subnets, 15);
    apply_only_change(
        &deployer,
        &faster,
        &group_address,
        &[Operation::ModifyTargetGroup],
    )
    .await;
    let described = elb
        .describe_target_groups()
        .target_group_arns(&group_arn)
        .send()
        .await
        .expect("DescribeTargetGroups");
    assert_eq!(
        described.target_groups()[0].health_check_interval_seconds(),
        Some(15)
    );
    assert!(!deployer.plan(&faster).await.expect("a plan").has_changes());

    // 5. Destroy: the service goes before the group; the rule still forwards to the group, so
    // its deletion is refused and said so; without the rule, the group goes.
    let plan = deployer.plan_destroy(&faster).await.expect("a plan");
    let position = |address: &Address| plan.changes.iter().position(|c| &c.address == address);
    let (service_at, group_at) = (position(&service_address), position(&group_address));
    assert!(service_at.is_some() && group_at > service_at, "{plan:?}");
    let refused: ApplyError = deployer
        .apply(&plan, |_| {})
        .await
        .expect_err("a rule still forwards to the group");
    assert_eq!(refused.address, group_address);
    assert!(
        matches!(&refused.source, Failure::TargetGroupInUse { arn, .. } if arn == &group_arn),
        "{refused:?}"
    );
    assert!(refused.done.contains(&service_address), "{refused:?}");
    elb.delete_rule()
        .rule_arn(&rule_arn)
        .send()
        .await
        .expect("DeleteRule");
    let plan = deployer.plan_destroy(&faster).await.expect("a plan");
    deployer.apply(&plan, |_| {}).await.expect("the apply");
    assert_group_deleted(&elb, &name).await;
}

/// An ELBv2 name (32 characters at most, letters, digits and hyphens) ending with the unique
/// tail of `unique`.
fn short(first: &str, unique: &str) -> String {
    let tail: String = unique
        .replace('_', "-")
        .chars()
        .rev()
        .take(28)
        .collect::<String>()
        .chars()
        .rev()
        .collect();
    format!("{first}{}", tail.trim_start_matches('-'))
}

/// The stack of the one-apply test: a target group, a listener rule looking its listener up by
/// name and forwarding to the group by name on `path`, and a service bound to the group with
/// a health check grace period of `grace` seconds.
fn ruled_stack(
    group: &str,
    (alb, path): (&str, &str),
    vpc: &str,
    subnets: &[String],
    grace: i32,
) -> Stack {
    let mut value = serde_json::to_value(stack(group, vpc, subnets, 30)).expect("json");
    value["services"][0]["healthCheckGracePeriodSeconds"] = json!(grace);
    value["listenerRules"] = json!([{
        "ListenerArn": format!("name:{alb}:80"), "Priority": 7,
        "Conditions": [{"Field": "path-pattern", "Values": [path]}],
        "Actions": [{"Type": "forward", "TargetGroupArn": group}]
    }]);
    ecs_model::load::from_value::<Stack>(&value)
        .value
        .expect("a stack")
}

#[tokio::test]
async fn one_apply_creates_the_group_the_rule_attaching_it_and_the_service() {
    let account = "000000000072";
    // moto drops the grace period: the scripted layer keeps it as AWS does.
    let scripted = support::script::Scripted::start(support::local_ecs::endpoint());
    scripted.echo_grace_period();
    let rules = TargetGroupRules::start(&scripted.url);
    let elb = client_at(&rules.url, account);
    let ec2 = support::ec2::client(account);
    let vpc = support::ec2::default_vpc(&ec2).await;
    let subnets = support::ec2::default_subnets(account).await;
    // Only the load balancer and its listener are made outside the stack.
    let alb_name = short("f", &support::unique("front"));
    let (alb_arn, listener_arn) = load_balancer(&elb, &alb_name, &subnets).await;

    let ecs = support::ecs_at(&rules.url, account).await;
    let group = short("r", &support::unique("tg"));
    let deployer = Deployer::new(ecs.clone(), Options::new("rulestack"))
        .network(support::ec2::network(account))
        .load_balancing(LoadBalancing::from_client(elb.clone()))
        .apply_options(ApplyOptions::no_wait());
    let group_address = Address::TargetGroup {
        name: group.clone(),
    };
    let rule_address = Address::ListenerRule {
        listener: format!("name:{alb_name}:80"),
        key: "7".into(),
    };
    let service_address = Address::Service {
        cluster: "lb".into(),
        name: "web".into(),
    };

    // 1. One apply: the group, the rule forwarding to it, then the service bound to it.
    let wanted = ruled_stack(&group, (&alb_name, "/api/*"), &vpc, &subnets, 45);
    let plan = deployer.plan(&wanted).await.expect("a plan");
    for address in [&group_address, &rule_address, &service_address] {
        assert_eq!(change(&plan, address).action, Action::Create, "{plan:?}");
    }
    let mut order = Vec::new();
    deployer
        .apply(&plan, |event| {
            if let ecs_deploy::apply::Event::Called { operation, .. } = event
                && matches!(
                    operation,
                    Operation::CreateTargetGroup | Operation::CreateRule | Operation::CreateService
                )
            {
                order.push(operation);
            }
        })
        .await
        .expect("the apply");
    assert_eq!(
        order,
        [
            Operation::CreateTargetGroup,
            Operation::CreateRule,
            Operation::CreateService
        ]
    );
    assert!(rules.refused().is_empty(), "{:?}", rules.refused());

    // Read back: the rule forwards to the group's ARN and carries the stack's tag; the service
    // is bound to that ARN.
    let described = elb
        .describe_target_groups()
        .names(&group)
        .send()
        .await
        .expect("DescribeTargetGroups");
    let group_arn = described.target_groups()[0]
        .target_group_arn()
        .expect("an ARN")
        .to_owned();
    let found = elb
        .describe_rules()
        .listener_arn(&listener_arn)
        .send()
        .await
        .expect("DescribeRules");
    let rule = found
        .rules()
        .iter()
        .find(|r| r.is_default() != Some(true))
        .expect("the stack's rule");
    let rule_arn = rule.rule_arn().expect("an ARN").to_owned();
    assert_eq!(rule.priority(), Some("7"));
    assert_eq!(
        rule.actions()[0].target_group_arn(),
        Some(group_arn.as_str())
    );
    let tags = support::read_back::elb_tags(&elb, &rule_arn).await;
    assert!(
        tags.contains(&("ecs-rs:stack".into(), "rulestack".into())),
        "{tags:?}"
    );
    let service = support::read_back::service(&ecs, "lb", "web").await;
    let bound = &service["loadBalancers"][0];
    assert_eq!(bound["targetGroupArn"], Value::from(group_arn.clone()));
    assert_eq!(service["healthCheckGracePeriodSeconds"], json!(45));

    // 2. Nothing changed: no change (the grace period included).
    let plan = deployer.plan(&wanted).await.expect("a plan");
    assert!(!plan.has_changes(), "{plan:?}");

    // 3. A new path: one ModifyRule.
    let moved = ruled_stack(&group, (&alb_name, "/v2/*"), &vpc, &subnets, 45);
    apply_only_change(&deployer, &moved, &rule_address, &[Operation::ModifyRule]).await;
    let found = elb
        .describe_rules()
        .rule_arns(&rule_arn)
        .send()
        .await
        .expect("DescribeRules");
    let condition = &found.rules()[0].conditions()[0];
    let values = condition
        .path_pattern_config()
        .map(|c| c.values().to_vec())
        .unwrap_or_else(|| condition.values().to_vec());
    assert_eq!(values, ["/v2/*"]);
    assert!(!deployer.plan(&moved).await.expect("a plan").has_changes());

    // 3b. Another grace period: one UpdateService with it, and nothing else.
    let moved = ruled_stack(&group, (&alb_name, "/v2/*"), &vpc, &subnets, 90);
    let plan = apply_only_change(
        &deployer,
        &moved,
        &service_address,
        &[Operation::UpdateService],
    )
    .await;
    assert_eq!(
        only_change(&plan, &service_address).steps[0].input()["healthCheckGracePeriodSeconds"],
        json!(90)
    );
    let service = support::read_back::service(&ecs, "lb", "web").await;
    assert_eq!(service["healthCheckGracePeriodSeconds"], json!(90));
    assert!(!deployer.plan(&moved).await.expect("a plan").has_changes());

    // 4. Destroy: the service, then the rule, then the group.
    let plan = deployer.plan_destroy(&moved).await.expect("a plan");
    let position = |address: &Address| plan.changes.iter().position(|c| &c.address == address);
    let rule_deleted = Address::ListenerRule {
        listener: listener_arn.clone(),
        key: "7".into(),
    };
    let (service_at, rule_at, group_at) = (
        position(&service_address),
        position(&rule_deleted),
        position(&group_address),
    );
    assert!(
        service_at.is_some() && rule_at > service_at && group_at > rule_at,
        "{plan:?}"
    );
    deployer.apply(&plan, |_| {}).await.expect("the apply");
    let gone = elb
        .describe_rules()
        .rule_arns(&rule_arn)
        .send()
        .await
        .expect_err("the rule is deleted");
    assert!(gone.into_service_error().is_rule_not_found_exception());
    assert_group_deleted(&elb, &group).await;
    // The listener and its load balancer are not the stack's: they stay.
    let listeners = elb
        .describe_listeners()
        .load_balancer_arn(&alb_arn)
        .send()
        .await
        .expect("DescribeListeners");
    assert_eq!(listeners.listeners().len(), 1);
    // A rule already gone is deleted: the layer answers RuleNotFound as AWS does.
    let again = elb
        .delete_rule()
        .rule_arn(&rule_arn)
        .send()
        .await
        .expect_err("RuleNotFound");
    assert!(again.into_service_error().is_rule_not_found_exception());
}
