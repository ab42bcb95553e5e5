//! The planner's unit tests: every case without a server.

use super::*;
use crate::ownership::owned_tags;
use crate::state::family_revision;
use ecs_model::load::from_value;
use ecs_model::types::{
    CreateCapacityProviderRequest, CreateClusterRequest, CreateServiceRequest,
    RegisterTaskDefinitionRequest,
};
use serde_json::{Value, json};

fn stack(value: Value) -> Stack {
    from_value::<Stack>(&value).value.expect("a stack")
}

fn webserver(image: &str) -> Value {
    json!({
        "family": "webserver",
        "containerDefinitions": [{"name": "web", "image": image, "memory": 128}]
    })
}

fn existing_td(image: &str, stack_name: &str) -> Existing<RegisterTaskDefinitionRequest> {
    let mut input: RegisterTaskDefinitionRequest = from_value(&webserver(image)).value.expect("td");
    input.tags = Some(owned_tags(&None, &Options::new(stack_name)));
    Existing {
        arn: "arn:aws:ecs:us-east-1:123456789012:task-definition/webserver:3".into(),
        input,
        revision: Some(3),
    }
}

#[test]
fn a_new_family_is_registered_with_the_ownership_tag() {
    let desired = stack(json!({"taskDefinitions": [webserver("nginx:1.27")]}));
    let plan = plan(&desired, &Actual::default(), &Options::new("demo"));
    let change = &plan.changes[0];
    assert_eq!(change.action, Action::Create);
    assert_eq!(
        change.steps[0].operation(),
        Operation::RegisterTaskDefinition
    );
    assert_eq!(change.steps[0].input()["tags"][0]["key"], STACK_TAG);
    assert!(plan.has_changes());
}

#[test]
fn an_unchanged_definition_plans_no_change_despite_aws_defaults() {
    let desired = stack(json!({"taskDefinitions": [webserver("nginx:1.27")]}));
    let mut actual = Actual::default();
    let mut have = existing_td("nginx:1.27", "demo");
    // AWS fills these in; normalization makes them equal to the defaults the stack omits.
    if let Some(c) = have.input.container_definitions.as_mut() {
        c[0].essential = Some(true);
        c[0].cpu = Some(0);
        c[0].environment = Some(Vec::new());
    }
    actual.task_definitions.insert("webserver".into(), have);
    let plan = plan(&desired, &actual, &Options::new("demo"));
    assert_eq!(
        plan.changes[0].action,
        Action::NoChange,
        "{:#?}",
        plan.changes[0].fields
    );
    assert!(!plan.has_changes());
}

#[test]
fn an_image_bump_is_one_field() {
    let desired = stack(json!({"taskDefinitions": [webserver("nginx:1.27")]}));
    let mut actual = Actual::default();
    actual
        .task_definitions
        .insert("webserver".into(), existing_td("nginx:1.26", "demo"));
    let plan = plan(&desired, &actual, &Options::new("demo"));
    let change = &plan.changes[0];
    assert_eq!(change.action, Action::Register);
    assert_eq!(change.fields.len(), 1);
    assert_eq!(
        change.fields[0].path.to_string(),
        "containerDefinitions[0].image"
    );
}

#[test]
fn an_image_left_to_ci_is_kept_and_said() {
    let desired = stack(json!({"taskDefinitions": [webserver("nginx:1.27")]}));
    let mut actual = Actual::default();
    actual
        .task_definitions
        .insert("webserver".into(), existing_td("nginx:ci-build-42", "demo"));
    let options = Options::new("demo").leave(Leave::Image {
        family: None,
        container: Some("web".into()),
    });
    let plan = plan(&desired, &actual, &options);
    assert_eq!(plan.changes[0].action, Action::NoChange);
    assert_eq!(plan.changes[0].kept[0].value, json!("nginx:ci-build-42"));
}

#[test]
fn resources_of_others_are_not_managed() {
    let desired = stack(json!({"taskDefinitions": [webserver("nginx:1.27")]}));
    let mut actual = Actual::default();
    actual
        .task_definitions
        .insert("webserver".into(), existing_td("nginx:1.26", "other"));
    let plan = plan(&desired, &actual, &Options::new("demo"));
    assert_eq!(plan.changes[0].action, Action::NotManaged);
    assert!(plan.changes[0].steps.is_empty());
    assert!(!plan.has_changes());
}

fn service_stack(extra: Value) -> Stack {
    let mut service = json!({
        "serviceName": "web", "cluster": "demo", "taskDefinition": "webserver",
        "desiredCount": 2
    });
    if let (Some(s), Some(e)) = (service.as_object_mut(), extra.as_object()) {
        s.extend(e.clone());
    }
    stack(json!({"services": [service]}))
}

fn actual_service(count: i32, stack_name: &str) -> Actual {
    let mut actual = Actual::default();
    actual
        .task_definitions
        .insert("webserver".into(), existing_td("nginx:1.27", stack_name));
    let mut input: CreateServiceRequest = from_value(&json!({
        "serviceName": "web",
        "cluster": "arn:aws:ecs:us-east-1:123456789012:cluster/demo",
        "taskDefinition": "arn:aws:ecs:us-east-1:123456789012:task-definition/webserver:3",
        "desiredCount": count
    }))
    .value
    .expect("service");
    input.tags = Some(owned_tags(&None, &Options::new(stack_name)));
    actual.services.insert(
        ("demo".into(), "web".into()),
        Existing::new("arn:aws:ecs:us-east-1:123456789012:service/demo/web", input),
    );
    actual
}

#[test]
fn a_service_matching_its_latest_revision_plans_no_change() {
    let plan = plan(
        &service_stack(json!({})),
        &actual_service(2, "demo"),
        &Options::new("demo"),
    );
    assert_eq!(
        plan.changes[0].action,
        Action::NoChange,
        "{:#?}",
        plan.changes[0].fields
    );
}

#[test]
fn a_desired_count_left_to_autoscaling_is_not_reverted() {
    let options = Options::new("demo").leave(Leave::DesiredCount { service: None });
    let plan = plan(
        &service_stack(json!({})),
        &actual_service(7, "demo"),
        &options,
    );
    assert_eq!(plan.changes[0].action, Action::NoChange);
    assert_eq!(plan.changes[0].kept[0].owner, Owner::Autoscaling);
    let owned = super::plan(
        &service_stack(json!({})),
        &actual_service(7, "demo"),
        &Options::new("demo"),
    );
    assert_eq!(owned.changes[0].action, Action::Update);
    assert_eq!(owned.changes[0].steps[0].input()["desiredCount"], 2);
}

#[test]
fn a_new_revision_updates_the_service_to_the_family() {
    let mut desired = service_stack(json!({}));
    desired
        .task_definitions
        .push(from_value(&webserver("nginx:1.28")).value.expect("td"));
    let plan = plan(&desired, &actual_service(2, "demo"), &Options::new("demo"));
    assert_eq!(plan.changes[0].action, Action::Register);
    let service = &plan.changes[1];
    assert_eq!(service.action, Action::UpdateAndDeploy);
    assert_eq!(service.steps[0].input()["taskDefinition"], "webserver");
    let rollback = service.rollback.as_ref().expect("a rollback step");
    assert_eq!(
        rollback.input()["taskDefinition"],
        "arn:aws:ecs:us-east-1:123456789012:task-definition/webserver:3"
    );
}

#[test]
fn an_immutable_member_means_replacement() {
    let plan = plan(
        &service_stack(json!({"schedulingStrategy": "DAEMON", "desiredCount": null})),
        &actual_service(2, "demo"),
        &Options::new("demo"),
    );
    assert_eq!(plan.changes[0].action, Action::Replace);
    assert!(
        matches!(
            &plan.changes[0].reason,
            Some(Reason::ServiceReplaced { member, cause: ReplaceCause::Immutable })
                if member == "schedulingStrategy"
        ),
        "{:?}",
        plan.changes[0].reason
    );
}
fn revisions(family: &str, numbers: &[i64]) -> Vec<Revision> {
    numbers
        .iter()
        .map(|n| {
            Revision::new(
                *n,
                format!("arn:aws:ecs:us-east-1:123456789012:task-definition/{family}:{n}"),
            )
        })
        .collect()
}

#[test]
fn old_revisions_beyond_the_kept_ones_are_deregistered_but_not_the_one_in_use() {
    let desired = service_stack(json!({}));
    let mut desired = desired;
    desired
        .task_definitions
        .push(from_value(&webserver("nginx:1.27")).value.expect("td"));
    let mut actual = actual_service(2, "demo");
    // The service runs revision 3 (see `actual_service`); 1 to 6 are ACTIVE.
    if let Some(td) = actual.task_definitions.get_mut("webserver") {
        td.arn = "arn:aws:ecs:us-east-1:123456789012:task-definition/webserver:6".into();
        td.revision = Some(6);
    }
    actual.revisions.insert(
        "webserver".into(),
        revisions("webserver", &[2, 6, 1, 3, 5, 4]),
    );
    let plan = plan(&desired, &actual, &Options::new("demo").keep_revisions(2));
    let retire = plan
        .changes
        .iter()
        .find(|c| matches!(c.address, Address::Revisions { .. }))
        .expect("old revisions go");
    assert_eq!(retire.action, Action::Delete);
    let gone: Vec<&str> = retire
        .steps
        .iter()
        .filter_map(|s| match s {
            Step::DeregisterTaskDefinition(r) => r.task_definition.as_deref(),
            _ => None,
        })
        .map(family_revision)
        .collect();
    assert_eq!(gone, ["webserver:4", "webserver:2", "webserver:1"]);
    // Without the option, every revision stays.
    let plan = super::plan(&desired, &actual, &Options::new("demo"));
    assert!(
        !plan
            .changes
            .iter()
            .any(|c| matches!(c.address, Address::Revisions { .. }))
    );
}

#[test]
fn prune_deletes_only_owned_resources_the_stack_left() {
    let mut actual = actual_service(2, "demo");
    let mut foreign = actual.services[&("demo".to_owned(), "web".to_owned())].clone();
    foreign.input.tags = None;
    actual
        .services
        .insert(("demo".into(), "by-hand".into()), foreign);
    let desired = stack(json!({}));
    let plan = plan(&desired, &actual, &Options::new("demo").prune(true));
    let deleted: Vec<String> = plan
        .changes
        .iter()
        .filter(|c| c.action == Action::Delete)
        .map(|c| c.address.to_string())
        .collect();
    // The family's revision 3 is kept: the service `by-hand` still runs it.
    assert_eq!(deleted, ["service demo/web"]);
    let step = &plan.changes[0].steps[0];
    assert_eq!(step.operation(), Operation::DeleteService);
    assert_eq!(step.input()["force"], true);
    // Without prune, nothing the stack does not name is planned.
    let plan = super::plan(&desired, &actual, &Options::new("demo"));
    assert!(plan.changes.is_empty());
}

#[test]
fn destroy_lists_named_resources_of_others_as_not_managed() {
    let actual = actual_service(2, "someone-else");
    let plan = destroy(&service_stack(json!({})), &actual, &Options::new("demo"));
    assert_eq!(plan.changes.len(), 1);
    assert_eq!(plan.changes[0].action, Action::NotManaged);
    assert!(!plan.has_changes());
    let plan = destroy(
        &service_stack(json!({})),
        &actual_service(2, "demo"),
        &Options::new("demo"),
    );
    let mut got: Vec<(String, Action)> = plan
        .changes
        .iter()
        .map(|c| (c.address.to_string(), c.action))
        .collect();
    got.sort_by(|a, b| a.0.cmp(&b.0));
    assert_eq!(
        got,
        [
            ("service demo/web".to_owned(), Action::Delete),
            ("task definition webserver".to_owned(), Action::Delete),
        ]
    );
}

#[test]
fn a_family_a_service_runs_by_name_is_not_pruned() {
    // The family left the stack's task definitions, but a service still runs it by name
    // (an external reference): its revisions stay.
    let desired = service_stack(json!({}));
    let mut actual = actual_service(2, "demo");
    // The service runs revision 3; revision 4, the latest, is what it is about to run.
    if let Some(td) = actual.task_definitions.get_mut("webserver") {
        td.arn = "arn:aws:ecs:us-east-1:123456789012:task-definition/webserver:4".into();
    }
    let plan = plan(&desired, &actual, &Options::new("demo").prune(true));
    assert!(
        plan.changes.iter().all(|c| c.action != Action::Delete),
        "{:#?}",
        plan.changes
    );
}

fn cluster_using(name: &str, provider: &str, stack_name: &str) -> Existing<CreateClusterRequest> {
    let mut input: CreateClusterRequest =
        from_value(&json!({"clusterName": name, "capacityProviders": [provider]}))
            .value
            .expect("cluster");
    input.tags = Some(owned_tags(&None, &Options::new(stack_name)));
    Existing::new(format!("arn:aws:ecs:us-east-1:1:cluster/{name}"), input)
}

#[test]
fn a_provider_a_kept_cluster_uses_is_not_pruned() {
    let mut actual = Actual::default();
    let mut provider: CreateCapacityProviderRequest = from_value(&json!({
        "name": "cp",
        "autoScalingGroupProvider": {"autoScalingGroupArn": "arn:aws:autoscaling:x"}
    }))
    .value
    .expect("provider");
    provider.tags = Some(owned_tags(&None, &Options::new("demo")));
    actual
        .capacity_providers
        .insert("cp".into(), Existing::new("arn:cp", provider));
    // The stack's cluster, kept because someone else's service is in it.
    actual
        .clusters
        .insert("keep".into(), cluster_using("keep", "cp", "demo"));
    let mut foreign = actual_service(1, "other")
        .services
        .values()
        .next()
        .cloned()
        .expect("a service");
    foreign.input.cluster = Some("keep".into());
    actual
        .services
        .insert(("keep".into(), "tenant".into()), foreign);
    let plan = plan(
        &stack(json!({})),
        &actual,
        &Options::new("demo").prune(true),
    );
    let got: Vec<(String, Action)> = plan
        .changes
        .iter()
        .map(|c| (c.address.to_string(), c.action))
        .collect();
    assert!(
        got.contains(&("cluster keep".to_owned(), Action::NotManaged))
            && got.contains(&("capacity provider cp".to_owned(), Action::NotManaged)),
        "{got:?}"
    );
    // Once the cluster goes too, so does the provider.
    actual.services.clear();
    let plan = super::plan(
        &stack(json!({})),
        &actual,
        &Options::new("demo").prune(true),
    );
    let deleted: Vec<String> = plan
        .changes
        .iter()
        .filter(|c| c.action == Action::Delete)
        .map(|c| c.address.to_string())
        .collect();
    assert_eq!(deleted, ["cluster keep", "capacity provider cp"]);
}

/// `actual_service` with `extra` members merged into the service AWS shows.
fn actual_service_with(extra: Value) -> Actual {
    let mut actual = actual_service(2, "demo");
    let key = ("demo".to_owned(), "web".to_owned());
    let existing = actual.services.get_mut(&key).expect("the service");
    let mut input = to_json(&existing.input);
    if let (Some(s), Some(e)) = (input.as_object_mut(), extra.as_object()) {
        s.extend(e.clone());
    }
    existing.input = from_value(&input).value.expect("service");
    actual
}

/// What DescribeServices answers in 2025-26 for a circuit breaker the request turned on.
fn described_breaker() -> Value {
    json!({"deploymentConfiguration": {
        "maximumPercent": 200, "minimumHealthyPercent": 100,
        "deploymentCircuitBreaker": {
            "enable": true, "rollback": true, "resetOnHealthyTask": true,
            "thresholdConfiguration": {"type": "BOUNDED_PERCENT", "value": 50}
        },
        "strategy": "ROLLING", "bakeTimeInMinutes": 0
    }})
}

fn breaker_stack() -> Stack {
    service_stack(json!({"deploymentConfiguration": {
        "deploymentCircuitBreaker": {"enable": true, "rollback": true}
    }}))
}

#[test]
fn the_defaults_aws_fills_in_a_circuit_breaker_plan_no_change() {
    // Before the defaults were in ecs-model's normalize tables, this planned an update
    // removing strategy, bakeTimeInMinutes, resetOnHealthyTask and thresholdConfiguration.
    let plan = plan(
        &breaker_stack(),
        &actual_service_with(described_breaker()),
        &Options::new("demo"),
    );
    assert_eq!(
        plan.changes[0].action,
        Action::NoChange,
        "{:#?}",
        plan.changes[0].fields
    );
    assert!(plan.changes[0].kept.is_empty());
}

#[test]
fn a_member_the_stack_used_to_set_goes_back_to_aws_default() {
    let mut described = described_breaker();
    described["deploymentConfiguration"]["deploymentCircuitBreaker"]["resetOnHealthyTask"] =
        json!(false);
    let plan = plan(
        &breaker_stack(),
        &actual_service_with(described),
        &Options::new("demo"),
    );
    let change = &plan.changes[0];
    assert_eq!(change.action, Action::Update);
    let paths: Vec<String> = change.fields.iter().map(|f| f.path.to_string()).collect();
    assert_eq!(
        paths,
        ["deploymentConfiguration.deploymentCircuitBreaker.resetOnHealthyTask"]
    );
    assert_eq!(change.fields[0].after, Some(json!(true)));
    // UpdateService gets the member in full, the default included.
    let sent = &change.steps[0].input()["deploymentConfiguration"]["deploymentCircuitBreaker"];
    assert_eq!(sent["resetOnHealthyTask"], true);
    assert_eq!(sent["enable"], true);
}

#[test]
fn members_unknown_to_the_model_are_kept_at_aws_value_and_said() {
    let mut described = described_breaker();
    described["deploymentConfiguration"]["futureMember"] = json!(1);
    described["futureTopLevel"] = json!({"on": true});
    let actual = actual_service_with(described);
    let plan = plan(&breaker_stack(), &actual, &Options::new("demo"));
    let change = &plan.changes[0];
    assert_eq!(change.action, Action::NoChange, "{:#?}", change.fields);
    let kept: Vec<(String, &Value, Owner)> = change
        .kept
        .iter()
        .map(|k| (k.path.to_string(), &k.value, k.owner))
        .collect();
    let aws = Owner::Aws {
        value: AwsValue::UnknownMember,
    };
    assert_eq!(
        kept,
        [
            (
                "deploymentConfiguration.futureMember".to_owned(),
                &json!(1),
                aws
            ),
            ("futureTopLevel".to_owned(), &json!({"on": true}), aws),
        ]
    );
    assert!(aws.to_string().contains("whose default is not known"));

    // When the member around it changes, UpdateService sends AWS's value back.
    let mut desired = breaker_stack();
    if let Some(d) = desired.services[0].deployment_configuration.as_mut() {
        d.maximum_percent = Some(150);
    }
    let plan = super::plan(&desired, &actual, &Options::new("demo"));
    let change = &plan.changes[0];
    assert_eq!(change.action, Action::Update);
    assert_eq!(change.fields.len(), 1, "{:#?}", change.fields);
    let sent = &change.steps[0].input();
    assert_eq!(sent["deploymentConfiguration"]["futureMember"], 1);
    assert_eq!(sent["deploymentConfiguration"]["maximumPercent"], 150);
    assert!(sent.get("futureTopLevel").is_none());

    // An unknown member the stack sets is compared as usual.
    let mut desired = breaker_stack();
    desired.services[0]
        .extra
        .insert("futureTopLevel".into(), json!({"on": false}));
    let plan = super::plan(&desired, &actual, &Options::new("demo"));
    assert_eq!(plan.changes[0].action, Action::Update);
    assert_eq!(
        plan.changes[0].fields[0].path.to_string(),
        "futureTopLevel.on"
    );
}

#[test]
fn removing_a_member_whose_default_is_absent_still_shows_as_removal() {
    let desired = stack(json!({"taskDefinitions": [webserver("nginx:1.27")]}));
    let mut actual = Actual::default();
    let mut have = existing_td("nginx:1.27", "demo");
    if let Some(c) = have.input.container_definitions.as_mut() {
        c[0].health_check = from_value(&json!({"command": ["CMD", "true"]})).value;
    }
    actual.task_definitions.insert("webserver".into(), have);
    let plan = plan(&desired, &actual, &Options::new("demo"));
    let change = &plan.changes[0];
    assert_eq!(change.action, Action::Register);
    assert_eq!(
        change.fields[0].path.to_string(),
        "containerDefinitions[0].healthCheck"
    );
    assert_eq!(change.fields[0].after, None);
    assert!(change.kept.is_empty());
}

#[test]
fn values_aws_picks_are_kept_and_said() {
    // A service naming neither a launch type nor a strategy runs on the cluster's default.
    let actual =
        actual_service_with(json!({"capacityProviderStrategy": [{"capacityProvider": "FARGATE"}]}));
    let plan = plan(&service_stack(json!({})), &actual, &Options::new("demo"));
    assert_eq!(plan.changes[0].action, Action::NoChange);
    assert_eq!(
        plan.changes[0].kept[0].owner,
        Owner::Aws {
            value: AwsValue::PickedByAws
        }
    );
    assert_eq!(
        plan.changes[0].kept[0].path.to_string(),
        "capacityProviderStrategy"
    );
    // Cluster settings come from an account setting.
    let mut actual = Actual::default();
    let mut cluster: CreateClusterRequest = from_value(&json!({
        "clusterName": "demo",
        "settings": [{"name": "containerInsights", "value": "enabled"}]
    }))
    .value
    .expect("cluster");
    cluster.tags = Some(owned_tags(&None, &Options::new("demo")));
    actual
        .clusters
        .insert("demo".into(), Existing::new("arn:demo", cluster));
    let desired = stack(json!({"clusters": [{"clusterName": "demo"}]}));
    let plan = super::plan(&desired, &actual, &Options::new("demo"));
    assert_eq!(plan.changes[0].action, Action::NoChange);
    assert_eq!(plan.changes[0].kept[0].path.to_string(), "settings");
}

#[test]
fn launch_type_to_strategy_is_an_in_place_update_that_forces_a_deployment() {
    let actual = actual_service_with(json!({"launchType": "FARGATE"}));
    let desired = service_stack(json!({"capacityProviderStrategy": [
        {"capacityProvider": "FARGATE_SPOT", "weight": 1}
    ]}));
    let plan = plan(&desired, &actual, &Options::new("demo"));
    let change = &plan.changes[0];
    assert_eq!(
        change.action,
        Action::UpdateAndDeploy,
        "{:?}",
        change.reason
    );
    let input = &change.steps[0].input();
    assert_eq!(change.steps[0].operation(), Operation::UpdateService);
    assert_eq!(input["forceNewDeployment"], true);
    assert_eq!(
        input["capacityProviderStrategy"],
        json!([{"capacityProvider": "FARGATE_SPOT", "weight": 1, "base": 0}])
    );
    assert!(input.get("launchType").is_none(), "{input}");
    assert_eq!(
        change.reason,
        Some(Reason::CapacityMoved {
            from: Capacity::LaunchType {
                launch_type: "FARGATE".into()
            },
            to: Capacity::Strategy {
                providers: vec!["FARGATE_SPOT".into()]
            },
        })
    );
    assert!(change.rollback.is_some());
}

#[test]
fn a_strategy_back_to_a_launch_type_sends_an_empty_strategy() {
    let actual =
        actual_service_with(json!({"capacityProviderStrategy": [{"capacityProvider": "FARGATE"}]}));
    let desired = service_stack(json!({"launchType": "FARGATE"}));
    let plan = plan(&desired, &actual, &Options::new("demo"));
    let change = &plan.changes[0];
    assert_eq!(
        change.action,
        Action::UpdateAndDeploy,
        "{:?}",
        change.reason
    );
    assert_eq!(
        change.steps[0].input()["capacityProviderStrategy"],
        json!([])
    );
    assert_eq!(change.steps[0].input()["forceNewDeployment"], true);
    // Between strategies too.
    let desired = service_stack(json!({"capacityProviderStrategy": [
        {"capacityProvider": "FARGATE", "base": 1},
        {"capacityProvider": "FARGATE_SPOT", "weight": 3}
    ]}));
    let plan = super::plan(&desired, &actual, &Options::new("demo"));
    assert_eq!(plan.changes[0].action, Action::UpdateAndDeploy);
    assert_eq!(plan.changes[0].steps[0].input()["forceNewDeployment"], true);
}

#[test]
fn a_move_aws_does_not_make_in_place_is_a_replace_that_says_tasks_stop() {
    let actual = actual_service_with(json!({"launchType": "EC2"}));
    let plan = plan(
        &service_stack(json!({"launchType": "FARGATE"})),
        &actual,
        &Options::new("demo"),
    );
    let change = &plan.changes[0];
    assert_eq!(change.action, Action::Replace);
    let Some(Reason::ServiceReplaced { member, cause }) = &change.reason else {
        panic!("{:?}", change.reason);
    };
    assert_eq!(member, "launchType");
    assert!(matches!(
        cause,
        ReplaceCause::CapacityMove {
            in_place: Some(InPlaceRoute::StrategyInsteadOfLaunchType),
            ..
        }
    ));
    let words = change
        .reason
        .as_ref()
        .map(ToString::to_string)
        .unwrap_or_default();
    assert!(words.contains("stops the service's tasks"), "{words}");
    assert!(words.contains("capacityProviderStrategy"), "{words}");
    let operations: Vec<Operation> = change.steps.iter().map(|s| s.operation()).collect();
    assert_eq!(
        operations,
        [Operation::DeleteService, Operation::CreateService]
    );

    // EXTERNAL takes part in no move: a replace, with no way around it.
    let actual = actual_service_with(json!({"launchType": "EXTERNAL"}));
    let plan = super::plan(
        &service_stack(json!({"capacityProviderStrategy": [{"capacityProvider": "FARGATE"}]})),
        &actual,
        &Options::new("demo"),
    );
    assert_eq!(plan.changes[0].action, Action::Replace);
    assert!(matches!(
        &plan.changes[0].reason,
        Some(Reason::ServiceReplaced {
            cause: ReplaceCause::CapacityMove { in_place: None, .. },
            ..
        })
    ));
}

#[test]
fn a_forced_deployment_of_an_unchanged_service_deploys_the_revision_it_runs() {
    let actual = actual_service(2, "demo");
    let arn = "arn:aws:ecs:us-east-1:123456789012:task-definition/webserver:3";
    for force in [
        ForceDeployment::All,
        ForceDeployment::Service("web".into()),
        ForceDeployment::Service("demo/web".into()),
    ] {
        let options = Options::new("demo").force_new_deployment(force);
        let plan = plan(&service_stack(json!({})), &actual, &options);
        let change = &plan.changes[0];
        assert_eq!(change.action, Action::UpdateAndDeploy);
        assert_eq!(change.reason, Some(Reason::ForcedDeployment));
        assert!(change.fields.is_empty());
        assert_eq!(change.steps.len(), 1);
        assert_eq!(
            change.steps[0].input(),
            json!({"cluster": "demo", "service": "web", "taskDefinition": arn,
                   "forceNewDeployment": true})
        );
        let rollback = change.rollback.as_ref().expect("a rollback step");
        assert_eq!(rollback.input()["taskDefinition"], arn);
        assert!(plan.has_changes());
    }
    for other in ["api", "other/web"] {
        let options =
            Options::new("demo").force_new_deployment(ForceDeployment::Service(other.into()));
        let plan = plan(&service_stack(json!({})), &actual, &options);
        assert_eq!(plan.changes[0].action, Action::NoChange, "{other}");
    }
    // With a new revision registered, the forced deployment runs the family's new one.
    let mut desired = service_stack(json!({}));
    desired
        .task_definitions
        .push(from_value(&webserver("nginx:1.28")).value.expect("td"));
    let options = Options::new("demo").force_new_deployment(ForceDeployment::All);
    let plan = plan(&desired, &actual, &options);
    assert_eq!(
        plan.changes[1].steps[0].input()["taskDefinition"],
        "webserver"
    );
    assert_eq!(plan.changes[1].steps[0].input()["forceNewDeployment"], true);
}

#[test]
fn create_service_carries_a_deterministic_client_token() {
    let token = |stack_name: &str, desired: &Stack, actual: &Actual| {
        let plan = plan(desired, actual, &Options::new(stack_name));
        let step = plan.changes[0]
            .steps
            .iter()
            .find(|s| s.operation() == Operation::CreateService)
            .expect("a CreateService step")
            .clone();
        assert!(
            !plan.changes[0]
                .fields
                .iter()
                .any(|f| f.path.to_string() == "clientToken")
        );
        step.input()["clientToken"]
            .as_str()
            .expect("a token")
            .to_owned()
    };
    let none = Actual::default();
    let first = token("demo", &service_stack(json!({})), &none);
    assert_eq!(first.len(), 36);
    assert!(first.bytes().all(|b| (33..=126).contains(&b)), "{first}");
    assert_eq!(first, token("demo", &service_stack(json!({})), &none));
    assert_ne!(first, token("other", &service_stack(json!({})), &none));
    assert_ne!(
        first,
        token("demo", &service_stack(json!({"desiredCount": 3})), &none)
    );
    // A replacement's create is another request to AWS than the first creation.
    let daemon = service_stack(json!({"schedulingStrategy": "DAEMON", "desiredCount": null}));
    let replaced = token("demo", &daemon, &actual_service(2, "demo"));
    assert_eq!(replaced.len(), 36);
    assert_ne!(replaced, token("demo", &daemon, &none));
}

#[test]
fn reasons_are_tagged_data_and_name_no_flag() {
    let reasons = [
        Reason::RevisionDiffers { revision: 3 },
        Reason::ServiceReplaced {
            member: "role".into(),
            cause: ReplaceCause::Immutable,
        },
        Reason::CapacityMoved {
            from: Capacity::ClusterDefault,
            to: Capacity::LaunchType {
                launch_type: "EC2".into(),
            },
        },
        Reason::ForcedDeployment,
        Reason::OtherStack {
            stack: "other".into(),
        },
        Reason::Untagged,
        Reason::Removed {
            removal: Removal::Pruned,
        },
        Reason::RevisionsRemoved {
            removal: Removal::Destroyed,
            deregistered: vec!["web:1".into()],
            in_use: vec!["web:2".into()],
        },
        Reason::OldRevisions {
            deregistered: vec!["web:1".into()],
            keep: 2,
        },
        Reason::ClusterKept {
            removal: Removal::Pruned,
            services: vec!["tenant".into()],
        },
        Reason::CapacityProviderKept {
            removal: Removal::Pruned,
            clusters: vec!["main".into()],
        },
        Reason::CapacityProviderMemberFixed {
            member: "cluster".into(),
        },
        Reason::ManagedInstancesNotPlanned,
    ];
    for reason in &reasons {
        let words = reason.to_string();
        assert!(!words.contains("--"), "{words}");
        assert!(serde_json::to_value(reason).expect("JSON")["kind"].is_string());
    }
    assert_eq!(
        serde_json::to_value(&reasons[8]).expect("JSON"),
        json!({"kind": "oldRevisions", "deregistered": ["web:1"], "keep": 2})
    );
    assert_eq!(
        serde_json::to_value(Owner::Aws {
            value: AwsValue::UnknownMember
        })
        .expect("JSON"),
        json!({"kind": "aws", "value": "unknownMember"})
    );
}

#[test]
fn a_missing_service_still_draining_is_deleted_then_created() {
    let mut actual = actual_service(2, "demo");
    actual.services.clear();
    actual
        .services
        .draining
        .insert(("demo".into(), "web".into()));
    let plan = plan(&service_stack(json!({})), &actual, &Options::new("demo"));
    let change = &plan.changes[0];
    assert_eq!(change.action, Action::Create);
    assert_eq!(change.reason, Some(Reason::StillDraining));
    let operations: Vec<_> = change.steps.iter().map(Step::operation).collect();
    assert_eq!(
        operations,
        [Operation::DeleteService, Operation::CreateService]
    );
    assert_eq!(change.steps[0], Step::delete_service("demo", "web"));
    assert!(!Reason::StillDraining.to_string().contains("--"));
}

/// The steps of the only change of a plan of `desired` against `actual`, as operations.
fn operations(change: &Change) -> Vec<Operation> {
    change.steps.iter().map(Step::operation).collect()
}

#[test]
fn a_tag_the_stack_no_longer_sets_is_removed_but_not_ours_nor_aws_reserved() {
    let mut actual = actual_service(2, "demo");
    let existing = actual
        .services
        .get_mut(&("demo".to_owned(), "web".to_owned()))
        .expect("the service");
    let mut tags = existing.input.tags.clone().unwrap_or_default();
    for (key, value) in [
        ("team", "web"),
        ("aws:cloudformation:stack-name", "x"),
        ("AWS:Other", "y"),
    ] {
        tags.push(
            from_value(&json!({"key": key, "value": value}))
                .value
                .expect("a tag"),
        );
    }
    existing.input.tags = Some(tags);
    let plan = plan(&service_stack(json!({})), &actual, &Options::new("demo"));
    let change = &plan.changes[0];
    assert_eq!(operations(change), [Operation::UntagResource], "{change:?}");
    assert_eq!(
        change.steps[0].input()["tagKeys"],
        json!(["team"]),
        "never {STACK_TAG} nor aws: keys"
    );
}

#[test]
fn tags_removed_from_a_cluster_are_untagged() {
    let desired = stack(json!({"clusters": [{"clusterName": "shop"}]}));
    let mut input: CreateClusterRequest = from_value(&json!({"clusterName": "shop", "tags": [
        {"key": "team", "value": "web"}
    ]}))
    .value
    .expect("cluster");
    let mut tags = owned_tags(&None, &Options::new("demo"));
    tags.extend(input.tags.take().unwrap_or_default());
    input.tags = Some(tags);
    let mut actual = Actual::default();
    actual.clusters.insert(
        "shop".into(),
        Existing::new("arn:aws:ecs:us-east-1:1:cluster/shop", input),
    );
    let plan = plan(&desired, &actual, &Options::new("demo"));
    assert_eq!(operations(&plan.changes[0]), [Operation::UntagResource]);
    assert_eq!(plan.changes[0].steps[0].input()["tagKeys"], json!(["team"]));
}

#[test]
fn service_connect_removed_is_turned_off_and_then_plans_no_change() {
    let connect = json!({"serviceConnectConfiguration": {
        "enabled": true, "namespace": "shop"
    }});
    let plan1 = plan(
        &service_stack(json!({})),
        &actual_service_with(connect),
        &Options::new("demo"),
    );
    let change = &plan1.changes[0];
    assert_eq!(operations(change), [Operation::UpdateService]);
    assert_eq!(
        change.steps[0].input()["serviceConnectConfiguration"],
        json!({"enabled": false})
    );
    // What AWS shows afterwards is no change.
    let off = json!({"serviceConnectConfiguration": {"enabled": false}});
    let plan2 = plan(
        &service_stack(json!({})),
        &actual_service_with(off),
        &Options::new("demo"),
    );
    assert_eq!(plan2.changes[0].action, Action::NoChange);
}

#[test]
fn members_that_deploy_only_when_forced_send_force_new_deployment() {
    for extra in [
        json!({"enableExecuteCommand": true}),
        json!({"placementConstraints": [{"type": "distinctInstance"}]}),
        json!({"placementStrategy": [{"type": "spread", "field": "instanceId"}]}),
    ] {
        let plan = plan(
            &service_stack(extra.clone()),
            &actual_service(2, "demo"),
            &Options::new("demo"),
        );
        let change = &plan.changes[0];
        assert_eq!(change.action, Action::UpdateAndDeploy, "{extra}");
        assert_eq!(
            change.steps[0].input()["forceNewDeployment"],
            json!(true),
            "{extra}"
        );
    }
    // A member that triggers a deployment itself is not forced.
    let plan = plan(
        &service_stack(json!({"platformVersion": "1.4.0"})),
        &actual_service(2, "demo"),
        &Options::new("demo"),
    );
    assert_eq!(plan.changes[0].action, Action::UpdateAndDeploy);
    assert!(
        plan.changes[0].steps[0]
            .input()
            .get("forceNewDeployment")
            .is_none()
    );
}

#[test]
fn a_deployment_controller_moves_in_place_where_aws_allows_it() {
    let external = json!({"deploymentController": {"type": "EXTERNAL"}});
    let plan1 = plan(
        &service_stack(external),
        &actual_service(2, "demo"),
        &Options::new("demo"),
    );
    let change = &plan1.changes[0];
    assert_eq!(operations(change), [Operation::UpdateService], "{change:?}");
    assert_eq!(
        change.steps[0].input()["deploymentController"],
        json!({"type": "EXTERNAL"})
    );
    let code_deploy = json!({"deploymentController": {"type": "CODE_DEPLOY"}});
    let plan2 = plan(
        &service_stack(code_deploy),
        &actual_service(2, "demo"),
        &Options::new("demo"),
    );
    assert_eq!(plan2.changes[0].action, Action::Replace);
    assert_eq!(
        plan2.changes[0].reason,
        Some(Reason::ServiceReplaced {
            member: "deploymentController".into(),
            cause: ReplaceCause::DeploymentController {
                from: "ECS".into(),
                to: "CODE_DEPLOY".into()
            }
        })
    );
}

/// `service_stack` with a scalable target (min 1, max 4) for its service `demo/web`.
fn scaled_service_stack(extra: Value) -> Stack {
    let mut stack = service_stack(extra);
    stack.scaling = from_value(&json!({"scalableTargets": [{
        "ServiceNamespace": "ecs", "ResourceId": "service/demo/web",
        "ScalableDimension": "ecs:service:DesiredCount", "MinCapacity": 1, "MaxCapacity": 4
    }]}))
    .value
    .expect("scaling");
    stack
}

#[test]
fn an_autoscaled_desired_count_is_left_to_autoscaling_without_being_asked() {
    // Autoscaling moved the service to 3; the stack says 2.
    let planned = super::plan(
        &scaled_service_stack(json!({})),
        &actual_service(3, "demo"),
        &Options::new("demo"),
    );
    let service = &planned.changes[0];
    assert_eq!(service.action, Action::NoChange, "{:?}", service.fields);
    assert_eq!(service.kept[0].owner, Owner::Autoscaling);
    assert_eq!(service.kept[0].value, json!(3));
    // A change that deploys leaves desiredCount out of UpdateService.
    let planned = super::plan(
        &scaled_service_stack(json!({"enableExecuteCommand": true})),
        &actual_service(3, "demo"),
        &Options::new("demo"),
    );
    let update = planned.changes[0].steps[0].input();
    assert_eq!(update.get("desiredCount"), None, "{update}");
    assert!(
        !planned.changes[0]
            .fields
            .iter()
            .any(|f| top(&f.path) == "desiredCount")
    );
}

#[test]
fn a_forced_desired_count_is_sent_to_an_autoscaled_service() {
    let options = Options::new("demo").force_desired_count(true);
    let planned = super::plan(
        &scaled_service_stack(json!({})),
        &actual_service(3, "demo"),
        &options,
    );
    assert_eq!(planned.changes[0].action, Action::Update);
    assert_eq!(planned.changes[0].steps[0].input()["desiredCount"], 2);
}

#[test]
fn an_autoscaled_service_is_created_with_its_count_or_the_minimum() {
    let planned = super::plan(
        &scaled_service_stack(json!({})),
        &Actual::default(),
        &Options::new("demo"),
    );
    assert_eq!(planned.changes[0].action, Action::Create);
    assert_eq!(planned.changes[0].steps[0].input()["desiredCount"], 2);
    let planned = super::plan(
        &scaled_service_stack(json!({"desiredCount": null})),
        &Actual::default(),
        &Options::new("demo"),
    );
    assert_eq!(planned.changes[0].steps[0].input()["desiredCount"], 1);
    // The scaling change comes after the service: the target needs it.
    assert!(matches!(
        planned.changes[1].address,
        Address::Scaling { .. }
    ));
    assert_eq!(planned.changes[1].action, Action::Create);
}

#[test]
fn a_load_balancer_binding_change_is_shown_and_updated_in_place() {
    let group = |name: &str| {
        format!(
            "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/{name}/0123456789abcdef"
        )
    };
    let bound = |name: &str, port: i32| json!({"loadBalancers": [{"targetGroupArn": group(name), "containerName": "web", "containerPort": port}]});
    let plan = plan(
        &service_stack(bound("blue", 80)),
        &actual_service_with(bound("green", 8080)),
        &Options::new("demo"),
    );
    let change = &plan.changes[0];
    // UpdateService takes loadBalancers, and the change itself starts a deployment: no replace,
    // no forced deployment.
    assert_eq!(
        change.action,
        Action::UpdateAndDeploy,
        "{:#?}",
        change.fields
    );
    let paths: Vec<String> = change.fields.iter().map(|f| f.path.to_string()).collect();
    assert_eq!(
        paths,
        [
            "loadBalancers[0].targetGroupArn",
            "loadBalancers[0].containerPort"
        ]
    );
    let input = change.steps[0].input();
    assert_eq!(input["loadBalancers"], bound("blue", 80)["loadBalancers"]);
    assert!(input.get("forceNewDeployment").is_none(), "{input}");
    // The same binding again is no change.
    let same = super::plan(
        &service_stack(bound("blue", 80)),
        &actual_service_with(bound("blue", 80)),
        &Options::new("demo"),
    );
    assert_eq!(same.changes[0].action, Action::NoChange);
}
