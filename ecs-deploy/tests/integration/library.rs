//! The library does what the command line does, against the local endpoint: `Deployer::plan`
//! resolves subnet lookups through its `Network` (and refuses them without one), an invalid
//! stack name is refused before any call, `Deployer::status` and `Deployer::plan_rollback` key a
//! cluster written as its ARN by its name, and a plan shows no secret value.
//!
//! Each test works in a moto account of its own (`63000000000N`).

use crate::support;

use ecs_deploy::network::{Ec2Operation, Target};
use ecs_deploy::{
    Action, ApplyOptions, Deployer, Operation, Options, PlanError, RollbackError, RollbackOptions,
    StackNameError,
};
use ecs_model::Stack;
use ecs_model::load::from_value;
use serde_json::{Value, json};

fn load(value: Value) -> Stack {
    from_value::<Stack>(&value).value.expect("a stack")
}

/// A Fargate service `web` of the cluster `demo` in the subnets `subnets`, with the security
/// groups `groups`.
fn fargate(subnets: Value, groups: Value) -> Stack {
    load(json!({
        "clusters": [{"clusterName": "demo"}],
        "taskDefinitions": [{
            "family": "web", "networkMode": "awsvpc", "requiresCompatibilities": ["FARGATE"],
            "cpu": "256", "memory": "512",
            "containerDefinitions": [{"name": "web", "image": "nginx:1.27"}]
        }],
        "services": [{
            "serviceName": "web", "cluster": "demo", "taskDefinition": "web",
            "launchType": "FARGATE", "desiredCount": 1,
            "networkConfiguration": {"awsvpcConfiguration": {
                "subnets": subnets, "securityGroups": groups
            }}
        }]
    }))
}

/// The cluster `demo`, the family `webserver` at `image` with `environment`, and the service
/// `web`, its cluster written as `cluster`.
fn ec2_stack(cluster: &str, image: &str, environment: Value) -> Stack {
    load(json!({
        "clusters": [{"clusterName": "demo"}],
        "taskDefinitions": [{
            "family": "webserver",
            "containerDefinitions": [{
                "name": "web", "image": image, "memory": 128, "environment": environment
            }]
        }],
        "services": [{
            "serviceName": "web", "cluster": cluster, "taskDefinition": "webserver",
            "desiredCount": 1, "launchType": "EC2"
        }]
    }))
}

/// A deployer of the stack `demo` in moto account `account` that does not wait for
/// deployments (the local endpoint runs no tasks).
async fn deployer(account: &str) -> Deployer {
    Deployer::new(support::ecs(account).await, Options::new("demo"))
        .apply_options(ApplyOptions::no_wait())
}

async fn apply(deployer: &Deployer, stack: &Stack) {
    let plan = deployer.plan(stack).await.expect("plan");
    deployer.apply(&plan, |_| {}).await.expect("apply");
}

/// The ARN of the cluster `demo` in moto account `account`, as AWS writes it.
async fn cluster_arn(account: &str) -> String {
    let ecs = support::ecs(account).await;
    let out = ecs
        .call(Operation::DescribeClusters, &json!({"clusters": ["demo"]}))
        .await
        .expect("DescribeClusters");
    out["clusters"][0]["clusterArn"]
        .as_str()
        .expect("an ARN")
        .to_owned()
}

/// The subnets of the service `web` that the plan creates.
fn planned_subnets(plan: &ecs_deploy::Plan) -> Vec<String> {
    let change = plan
        .changes
        .iter()
        .find(|c| c.address.to_string() == "service demo/web")
        .expect("the service");
    assert_eq!(change.action, Action::Create);
    let subnets =
        &change.steps[0].input()["networkConfiguration"]["awsvpcConfiguration"]["subnets"];
    serde_json::from_value(subnets.clone()).expect("strings")
}

#[tokio::test]
async fn plan_resolves_default_subnets_through_the_network() {
    let account = "630000000001";
    let expected = support::ec2::default_subnets(account).await;
    assert!(!expected.is_empty(), "moto's default VPC has subnets");

    // The default VPC's `default` group: moto checks that the groups of a service exist.
    let desired = fargate(json!(["default"]), json!(["default"]));
    let deployer = deployer(account)
        .await
        .network(support::ec2::network(account));
    let plan = deployer.plan(&desired).await.expect("plan");
    assert_eq!(planned_subnets(&plan), expected);
    let ec2_calls = deployer.ec2().expect("a network").calls();
    assert_eq!(ec2_calls.get(&Ec2Operation::DescribeSubnets), Some(&1));

    // Applied, the service has the IDs, and the same stack plans no change.
    deployer.apply(&plan, |_| {}).await.expect("apply");
    let again = deployer.plan(&desired).await.expect("plan again");
    assert!(!again.has_changes(), "{:#?}", again.redacted().changes);

    // `resolve` tells what the lookups stand for, for a caller to show.
    let mut copy = desired.clone();
    let resolved = deployer.resolve(&mut copy).await.expect("resolved");
    assert_eq!(resolved.resolutions.len(), 2);
    assert_eq!(
        resolved.resolutions[0].lookup.target,
        Target::DefaultSubnets
    );
    assert_eq!(resolved.resolutions[0].ids, expected);
}

#[tokio::test]
async fn lookups_without_a_network_are_refused_before_any_call() {
    let account = "630000000002";
    let deployer = deployer(account).await;
    let err = deployer
        .plan(&fargate(
            json!(["subnet-0123456789abcdef0", "name:private-a"]),
            json!(["sg-0123456789abcdef0"]),
        ))
        .await
        .expect_err("no network");
    let PlanError::NoNetwork(lookups) = &err else {
        panic!("expected NoNetwork, got {err:?}");
    };
    assert_eq!(lookups.len(), 1);
    assert_eq!(lookups[0].original, "name:private-a");
    assert!(err.to_string().contains("no Network"), "{err}");
    // A value that is neither an ID nor a lookup is refused too, not sent to ECS.
    let err = deployer
        .plan(&fargate(
            json!(["Default"]),
            json!(["sg-0123456789abcdef0"]),
        ))
        .await
        .expect_err("not a lookup");
    assert!(matches!(err, PlanError::Network(_)), "{err:?}");
    assert!(
        deployer.ecs().calls().is_empty(),
        "{:?}",
        deployer.ecs().calls()
    );

    // A stack of IDs needs no network.
    let plan = deployer
        .plan(&fargate(
            json!(["subnet-0123456789abcdef0"]),
            json!(["sg-0123456789abcdef0"]),
        ))
        .await
        .expect("plan");
    assert_eq!(planned_subnets(&plan), ["subnet-0123456789abcdef0"]);
}

#[tokio::test]
async fn an_invalid_stack_name_is_refused_with_no_call_made() {
    let account = "630000000003";
    let stack = ec2_stack("demo", "nginx:1.27", json!([]));
    type Expected = fn(&StackNameError) -> bool;
    let names: [(String, Expected); 3] = [
        (String::new(), |e| *e == StackNameError::Empty),
        ("a,b".to_owned(), |e| {
            matches!(e, StackNameError::Character { character: ',', .. })
        }),
        ("x".repeat(257), |e| {
            *e == StackNameError::TooLong { length: 257 }
        }),
    ];
    for (name, expected) in names {
        let deployer = Deployer::new(support::ecs(account).await, Options::new(name.clone()))
            .network(support::ec2::network(account));
        let plan = deployer.plan(&stack).await.expect_err("plan refused");
        let destroy = deployer.plan_destroy(&stack).await.expect_err("refused");
        let rollback = deployer
            .plan_rollback(&stack, &RollbackOptions::default())
            .await
            .expect_err("rollback refused");
        for err in [&plan, &destroy] {
            assert!(
                matches!(err, PlanError::InvalidName(found) if expected(found)),
                "{name:?}: {err:?}"
            );
        }
        assert!(
            matches!(rollback, RollbackError::InvalidName(_)),
            "{rollback:?}"
        );
        assert!(deployer.ecs().calls().is_empty(), "{name:?}");
        assert!(deployer.ec2().expect("a network").calls().is_empty());
    }
}

#[tokio::test]
async fn status_keys_a_cluster_written_as_its_arn_by_its_name() {
    let account = "630000000004";
    let deployer = deployer(account).await;
    apply(&deployer, &ec2_stack("demo", "nginx:1.27", json!([]))).await;
    let arn = cluster_arn(account).await;
    assert!(arn.ends_with(":cluster/demo"), "{arn}");

    let mut written_as_arn = ec2_stack(&arn, "nginx:1.27", json!([]));
    // And a service AWS does not have.
    written_as_arn.services.push(
        from_value(&json!({"serviceName": "gone", "cluster": arn}))
            .value
            .expect("a service"),
    );
    let observing = Deployer::new(support::ecs(account).await, Options::new("demo"));
    let status = observing.status(&written_as_arn).await.expect("status");
    assert_eq!(status.stack, "demo");
    assert_eq!(
        status
            .clusters
            .iter()
            .map(|c| (c.name.as_str(), c.is_active()))
            .collect::<Vec<_>>(),
        [("demo", true)],
        "one cluster, however the service writes it"
    );
    let web = &status.services[0];
    assert_eq!((web.cluster.as_str(), web.name.as_str()), ("demo", "web"));
    assert!(web.is_active(), "{web:?}");
    let found = web.found.as_ref().expect("found");
    assert_eq!(found.status.as_deref(), Some("ACTIVE"));
    assert_eq!(found.owner, ecs_deploy::status::Ownership::ThisStack);
    assert_eq!(found.desired_count, Some(1));
    assert!(
        found
            .task_definition
            .as_deref()
            .is_some_and(|td| td.ends_with("task-definition/webserver:1")),
        "{found:?}"
    );
    assert!(status.services[1].found.is_none(), "gone is missing");
    assert_eq!(status.not_active(), 1);
    // One batched call of each describe.
    let calls = observing.ecs().calls();
    assert_eq!(calls.get(&Operation::DescribeClusters), Some(&1));
    assert_eq!(calls.get(&Operation::DescribeServices), Some(&1));
    assert_eq!(calls.len(), 2, "{calls:?}");
}

#[tokio::test]
async fn rollback_selects_cluster_and_name_when_the_stack_writes_the_cluster_as_its_arn() {
    let account = "630000000005";
    let deployer = deployer(account).await;
    apply(&deployer, &ec2_stack("demo", "nginx:1.26", json!([]))).await;
    apply(&deployer, &ec2_stack("demo", "nginx:1.27", json!([]))).await;
    let arn = cluster_arn(account).await;

    let written_as_arn = ec2_stack(&arn, "nginx:1.27", json!([]));
    let options = RollbackOptions::default()
        .service("demo/web")
        .deregister(false);
    let plan = deployer
        .plan_rollback(&written_as_arn, &options)
        .await
        .expect("a rollback plan");
    assert_eq!(plan.changes.len(), 1);
    assert_eq!(plan.changes[0].address.to_string(), "service demo/web");
    let Some(ecs_deploy::plan::Reason::RolledBack { from, to, .. }) = &plan.changes[0].reason
    else {
        panic!("{plan:?}");
    };
    assert_eq!((from.as_str(), to.as_str()), ("webserver:2", "webserver:1"));
    deployer.apply(&plan, |_| {}).await.expect("rolled back");
}

#[tokio::test]
async fn a_plan_shown_redacted_holds_no_secret_and_apply_sends_the_real_value() {
    let account = "630000000006";
    let deployer = deployer(account).await;
    let environment = json!([
        {"name": "DB_PASSWORD", "value": "hunter2"},
        {"name": "DATABASE_URL", "value": "postgres://app:s3cr3t@db/app"},
        {"name": "MODE", "value": "production"}
    ]);
    let stack = ec2_stack("demo", "nginx:1.27", environment);
    let plan = deployer.plan(&stack).await.expect("plan");
    let shown = plan.redacted();
    let debug = format!("{shown:?}");
    let json = serde_json::to_string(&shown).expect("json");
    for secret in ["hunter2", "s3cr3t"] {
        assert!(!debug.contains(secret), "{secret} in {debug}");
        assert!(!json.contains(secret), "{secret} in {json}");
    }
    assert!(
        json.contains("(sensitive)") && json.contains("production"),
        "{json}"
    );

    deployer.apply(&plan, |_| {}).await.expect("apply");
    let described = support::ecs(account)
        .await
        .call(
            Operation::DescribeTaskDefinition,
            &json!({"taskDefinition": "webserver"}),
        )
        .await
        .expect("DescribeTaskDefinition");
    let sent = described["taskDefinition"]["containerDefinitions"][0]["environment"].to_string();
    assert!(
        sent.contains("hunter2") && sent.contains("postgres://app:s3cr3t@db/app"),
        "{sent}"
    );
}
