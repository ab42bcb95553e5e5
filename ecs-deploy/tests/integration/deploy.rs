//! Plan and apply against the local ECS endpoint: creation, idempotence, a one-field image bump,
//! members left to others, and resources the stack does not own.

use crate::support;

use ecs_deploy::{Action, ApplyOptions, Deployer, Leave, Operation, Options};
use ecs_model::Stack;
use ecs_model::load::from_value;
use serde_json::{Value, json};

fn stack(image: &str, count: i64) -> Stack {
    from_value::<Stack>(&json!({
        "clusters": [{"clusterName": "demo", "settings": [{"name": "containerInsights", "value": "enabled"}]}],
        "taskDefinitions": [{
            "family": "webserver",
            "requiresCompatibilities": ["EC2"],
            "containerDefinitions": [{
                "name": "web", "image": image, "memory": 128,
                "portMappings": [{"containerPort": 80, "hostPort": 8080}]
            }]
        }],
        "services": [{
            "serviceName": "web", "cluster": "demo", "taskDefinition": "webserver",
            "desiredCount": count, "launchType": "EC2"
        }]
    }))
    .value
    .expect("a stack")
}

/// A deployer that does not wait for deployments: the local endpoint runs no tasks, so its
/// services never settle (`tests/rollout.rs` covers waiting, with scripted deployments).
async fn deployer(account: &str, options: Options) -> Deployer {
    Deployer::new(support::ecs(account).await, options).apply_options(ApplyOptions::no_wait())
}

fn actions(plan: &ecs_deploy::Plan) -> Vec<(String, Action)> {
    plan.changes
        .iter()
        .map(|c| (c.address.to_string(), c.action))
        .collect()
}

#[tokio::test]
async fn apply_creates_then_the_same_stack_plans_no_change() {
    let deployer = deployer("300000000001", Options::new("demo")).await;
    let desired = stack("nginx:1.26", 2);
    let plan = deployer.plan(&desired).await.expect("plan");
    assert_eq!(
        actions(&plan),
        [
            ("cluster demo".to_owned(), Action::Create),
            ("task definition webserver".to_owned(), Action::Create),
            ("service demo/web".to_owned(), Action::Create),
        ]
    );
    deployer.apply(&plan, |_| {}).await.expect("apply");

    let again = deployer.plan(&desired).await.expect("plan again");
    assert!(
        !again.has_changes(),
        "second plan: {:#?}",
        again
            .changes
            .iter()
            .map(|c| (&c.address, &c.fields))
            .collect::<Vec<_>>()
    );
    let before = deployer.ecs().calls();
    deployer.apply(&again, |_| {}).await.expect("apply nothing");
    let after = deployer.ecs().calls();
    assert_eq!(before, after, "an empty plan makes no call");

    // The observation used the batch minimum: one call per kind of resource here.
    let observing = support::ecs("300000000001").await;
    let fresh = Deployer::new(observing, Options::new("demo"));
    fresh.plan(&desired).await.expect("plan");
    let calls = fresh.ecs().calls();
    assert_eq!(calls.get(&Operation::DescribeClusters), Some(&1));
    assert_eq!(calls.get(&Operation::DescribeServices), Some(&1));
    assert_eq!(calls.get(&Operation::DescribeTaskDefinition), Some(&1));
    assert_eq!(calls.values().sum::<u64>(), 3);
}

#[tokio::test]
async fn an_image_bump_registers_one_revision_and_updates_the_service() {
    let deployer = deployer("300000000002", Options::new("demo")).await;
    let first = deployer.plan(&stack("nginx:1.26", 1)).await.expect("plan");
    deployer.apply(&first, |_| {}).await.expect("apply");

    let bumped = stack("nginx:1.27", 1);
    let plan = deployer.plan(&bumped).await.expect("plan");
    let td = &plan.changes[1];
    assert_eq!(td.action, Action::Register);
    let fields: Vec<(String, Option<Value>, Option<Value>)> = td
        .fields
        .iter()
        .map(|f| (f.path.to_string(), f.before.clone(), f.after.clone()))
        .collect();
    assert_eq!(
        fields,
        [(
            "containerDefinitions[0].image".to_owned(),
            Some(json!("nginx:1.26")),
            Some(json!("nginx:1.27"))
        )]
    );
    assert_eq!(plan.changes[2].action, Action::UpdateAndDeploy);
    let mut events = Vec::new();
    deployer
        .apply(&plan, |e| events.push(e))
        .await
        .expect("apply");
    assert!(!events.is_empty());

    let settled = deployer.plan(&bumped).await.expect("plan");
    assert!(!settled.has_changes(), "{:#?}", settled.changes);
    // Re-applying registered nothing more: revision 2 is the latest.
    let ecs = deployer.ecs();
    let described = ecs
        .call(
            Operation::DescribeTaskDefinition,
            &json!({"taskDefinition": "webserver"}),
        )
        .await
        .expect("describe");
    assert_eq!(described["taskDefinition"]["revision"], 2);
}

#[tokio::test]
async fn a_desired_count_left_to_autoscaling_is_not_reverted() {
    let owned = deployer("300000000003", Options::new("demo")).await;
    let plan = owned.plan(&stack("nginx:1.26", 2)).await.expect("plan");
    owned.apply(&plan, |_| {}).await.expect("apply");
    // Autoscaling scales the service out.
    owned
        .ecs()
        .call(
            Operation::UpdateService,
            &json!({"cluster": "demo", "service": "web", "desiredCount": 5}),
        )
        .await
        .expect("scale out");

    let leaving = deployer(
        "300000000003",
        Options::new("demo").leave(Leave::DesiredCount { service: None }),
    )
    .await;
    let plan = leaving.plan(&stack("nginx:1.26", 2)).await.expect("plan");
    let service = &plan.changes[2];
    assert_eq!(service.action, Action::NoChange, "{:#?}", service.fields);
    assert_eq!(service.kept[0].value, json!(5));

    let reverting = owned.plan(&stack("nginx:1.26", 2)).await.expect("plan");
    assert_eq!(reverting.changes[2].action, Action::Update);
}

#[tokio::test]
async fn resources_without_our_tag_are_left_alone() {
    let ecs = support::ecs("300000000004").await;
    // Someone else's cluster and task definition family, with the names the stack uses.
    ecs.call(Operation::CreateCluster, &json!({"clusterName": "demo"}))
        .await
        .expect("cluster");
    ecs.call(
        Operation::RegisterTaskDefinition,
        &json!({"family": "webserver", "containerDefinitions": [{"name": "x", "image": "busybox", "memory": 64}]}),
    )
    .await
    .expect("td");
    let deployer = Deployer::new(ecs, Options::new("demo")).apply_options(ApplyOptions::no_wait());
    let plan = deployer.plan(&stack("nginx:1.26", 1)).await.expect("plan");
    assert_eq!(plan.changes[0].action, Action::NotManaged);
    assert_eq!(plan.changes[1].action, Action::NotManaged);
    deployer.apply(&plan, |_| {}).await.expect("apply");
    let described = deployer
        .ecs()
        .call(
            Operation::DescribeTaskDefinition,
            &json!({"taskDefinition": "webserver"}),
        )
        .await
        .expect("describe");
    assert_eq!(
        described["taskDefinition"]["revision"], 1,
        "not registered over"
    );
}

#[tokio::test]
async fn a_tag_the_stack_no_longer_sets_is_removed_and_ours_stays() {
    let account = "300000000006";
    let deployer = deployer(account, Options::new("tags")).await;
    let cluster = |tags: Value| {
        from_value::<Stack>(&json!({"clusters": [{"clusterName": "tagged", "tags": tags}]}))
            .value
            .expect("a stack")
    };
    let both = cluster(json!([{"key": "team", "value": "a"}, {"key": "owner", "value": "x"}]));
    let plan = deployer.plan(&both).await.expect("plan");
    deployer.apply(&plan, |_| {}).await.expect("create");

    let one = cluster(json!([{"key": "team", "value": "a"}]));
    let plan = deployer.plan(&one).await.expect("plan");
    let operations: Vec<Operation> = plan.changes[0]
        .steps
        .iter()
        .map(|s| s.operation())
        .collect();
    assert_eq!(operations, [Operation::UntagResource], "{plan:#?}");
    deployer.apply(&plan, |_| {}).await.expect("untag");

    let described = deployer
        .ecs()
        .call(
            Operation::DescribeClusters,
            &json!({"clusters": ["tagged"], "include": ["TAGS"]}),
        )
        .await
        .expect("describe");
    let mut keys: Vec<&str> = described["clusters"][0]["tags"]
        .as_array()
        .expect("tags")
        .iter()
        .filter_map(|t| t["key"].as_str())
        .collect();
    keys.sort_unstable();
    assert_eq!(keys, ["ecs-rs:stack", "team"]);
    let plan = deployer.plan(&one).await.expect("plan again");
    assert!(!plan.has_changes(), "{plan:#?}");
}
