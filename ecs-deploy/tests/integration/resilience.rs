//! The engine on AWS's behaviours that the local endpoint lacks, played by the scripted layer
//! (`support::script`): a replaced service drains before its name can be used again, answers
//! get lost after the call took effect, throttling storms; and an apply spawned on a
//! multi-threaded runtime. Each of these failed before the engine handled it.

use std::collections::BTreeMap;
use std::time::Duration;

use ecs_deploy::wait::WaitOptions;
use ecs_deploy::{Action, ApplyOptions, Deployer, Event, Operation, Options, Waiting};
use ecs_model::Stack;
use ecs_model::load::from_value;
use futures::StreamExt as _;
use serde_json::{Value, json};

use crate::support;
use crate::support::script::Scripted;

fn stack(value: Value) -> Stack {
    from_value::<Stack>(&value).value.expect("a stack")
}

/// A cluster `shop` with `families` task definitions, each run by a service of its name.
fn shop(families: usize, image: &str) -> Stack {
    let names: Vec<String> = (0..families).map(|i| format!("app{i:02}")).collect();
    stack(json!({
        "clusters": [{"clusterName": "shop"}],
        "taskDefinitions": names.iter().map(|name| json!({
            "family": name,
            "containerDefinitions": [{"name": "web", "image": image, "memory": 128}]
        })).collect::<Vec<_>>(),
        "services": names.iter().map(|name| json!({
            "serviceName": name, "cluster": "shop", "taskDefinition": name,
            "desiredCount": 1, "launchType": "EC2"
        })).collect::<Vec<_>>(),
    }))
}

fn quick() -> WaitOptions {
    WaitOptions::new(Duration::from_secs(20), Duration::from_millis(20))
}

/// A deployer through `scripted` that does not follow deployments (the local endpoint runs no
/// tasks) and waits for what drains, polling quickly.
async fn deployer(scripted: &Scripted, account: &str, name: &str) -> Deployer {
    let ecs = support::ecs_at(&scripted.url, account).await;
    Deployer::new(ecs, Options::new(name)).apply_options(ApplyOptions::no_wait().drain(quick()))
}

/// The ACTIVE revisions of each of the stack's families, read from the local endpoint itself.
async fn active_revisions(account: &str, stack: &Stack) -> BTreeMap<String, usize> {
    let ecs = support::ecs(account).await;
    let mut out = BTreeMap::new();
    for family in stack
        .task_definitions
        .iter()
        .filter_map(|t| t.family.clone())
    {
        let listed = ecs
            .call(
                Operation::ListTaskDefinitions,
                &json!({"familyPrefix": family, "status": "ACTIVE"}),
            )
            .await
            .expect("list");
        let count = listed["taskDefinitionArns"].as_array().map_or(0, Vec::len);
        out.insert(family, count);
    }
    out
}

#[tokio::test]
async fn a_replace_creates_the_new_service_once_the_old_one_has_drained() {
    let account = "640000000001";
    let scripted = Scripted::start(support::local_ecs::endpoint());
    scripted.drain_deleted_services(3);
    let deployer = deployer(&scripted, account, "replace").await;
    let replica = |strategy: &str| {
        let mut service = json!({
            "serviceName": "web", "cluster": "shop", "taskDefinition": "web",
            "launchType": "EC2", "schedulingStrategy": strategy
        });
        if strategy == "REPLICA" {
            service["desiredCount"] = json!(1);
        }
        stack(json!({
            "clusters": [{"clusterName": "shop"}],
            "taskDefinitions": [{"family": "web",
                "containerDefinitions": [{"name": "web", "image": "nginx:1.27", "memory": 128}]}],
            "services": [service]
        }))
    };
    let plan = deployer.plan(&replica("REPLICA")).await.expect("plan");
    deployer.apply(&plan, |_| {}).await.expect("create");

    // REPLICA to DAEMON: UpdateService cannot change the scheduling strategy.
    let daemon = replica("DAEMON");
    let plan = deployer.plan(&daemon).await.expect("plan");
    let service = plan
        .changes
        .iter()
        .find(|c| c.address.to_string() == "service shop/web")
        .expect("the service's change");
    assert_eq!(service.action, Action::Replace);
    let mut waited = 0;
    let mut calls = Vec::new();
    deployer
        .apply(&plan, |event| match event {
            Event::Waiting {
                reason: Waiting::ServiceDraining,
                ..
            } => waited += 1,
            Event::Called { operation, .. } => calls.push(operation),
            _ => {}
        })
        .await
        .expect("the replacement is created once the old service has drained");
    assert!(waited >= 2, "waited {waited} times");
    assert_eq!(
        calls,
        [Operation::DeleteService, Operation::CreateService],
        "{calls:?}"
    );
    let plan = deployer.plan(&daemon).await.expect("plan again");
    assert!(!plan.has_changes(), "{plan:#?}");
}

#[tokio::test]
async fn lost_answers_never_register_a_revision_or_create_a_service_twice() {
    let account = "640000000002";
    let scripted = Scripted::start(support::local_ecs::endpoint());
    scripted.play_create_service_idempotency();
    scripted.lose_responses(&["RegisterTaskDefinition", "CreateService"], 30, 11);
    let deployer = deployer(&scripted, account, "lost").await;
    let desired = shop(20, "nginx:1.26");
    let plan = deployer.plan(&desired).await.expect("plan");
    let mut found = 0;
    deployer
        .apply(&plan, |event| {
            if let Event::Registered {
                found_after_lost_answer: true,
                ..
            } = event
            {
                found += 1;
            }
        })
        .await
        .expect("applied despite the lost answers");
    assert!(scripted.lost() >= 5, "lost {}", scripted.lost());
    assert!(found >= 1, "no registration was found after a lost answer");
    let revisions = active_revisions(account, &desired).await;
    assert!(
        revisions.values().all(|n| *n == 1),
        "duplicate revisions: {revisions:?}"
    );

    // An image bump under the same losses: one new revision per family, no more.
    let bumped = shop(20, "nginx:1.27");
    let plan = deployer.plan(&bumped).await.expect("plan");
    deployer.apply(&plan, |_| {}).await.expect("bumped");
    let revisions = active_revisions(account, &bumped).await;
    assert!(
        revisions.values().all(|n| *n == 2),
        "duplicate revisions: {revisions:?}"
    );
    let plan = deployer.plan(&bumped).await.expect("plan again");
    assert!(!plan.has_changes(), "{plan:#?}");
}

#[tokio::test]
async fn one_apply_converges_through_a_throttling_storm() {
    let account = "640000000003";
    let scripted = Scripted::start(support::local_ecs::endpoint());
    scripted.play_create_service_idempotency();
    scripted.storm(30, 10, 5);
    let deployer = deployer(&scripted, account, "storm").await;
    let desired = shop(30, "nginx:1.26");
    let plan = deployer
        .plan(&desired)
        .await
        .expect("plan through the storm");
    deployer
        .apply(&plan, |_| {})
        .await
        .expect("one apply through the storm");
    let plan = deployer.plan(&desired).await.expect("plan again");
    assert!(!plan.has_changes(), "{plan:#?}");
    assert!(scripted.throttled() >= 20, "{}", scripted.throttled());
    assert!(
        scripted.server_errors() >= 5,
        "{}",
        scripted.server_errors()
    );
    let revisions = active_revisions(account, &desired).await;
    assert!(
        revisions.values().all(|n| *n == 1),
        "duplicate revisions: {revisions:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_apply_runs_in_a_spawned_task_and_streams_its_events() {
    let account = "640000000004";
    let ecs = support::ecs(account).await;
    let deployer = std::sync::Arc::new(
        Deployer::new(ecs, Options::new("spawned")).apply_options(ApplyOptions::no_wait()),
    );
    let desired = shop(2, "nginx:1.26");
    let planning = {
        let deployer = deployer.clone();
        let desired = desired.clone();
        tokio::spawn(async move { deployer.plan(&desired).await })
    };
    let plan = planning.await.expect("joined").expect("plan");
    let applying = {
        let deployer = deployer.clone();
        tokio::spawn(async move {
            let mut events = Vec::new();
            let mut stream = deployer.apply_stream(&plan);
            while let Some(event) = stream.next().await {
                events.push(event.expect("no failure"));
            }
            events
        })
    };
    let events = applying.await.expect("joined");
    let registered = events
        .iter()
        .filter(|e| matches!(e, Event::Registered { revision: 1, .. }))
        .count();
    let deployments = events
        .iter()
        .filter(|e| matches!(e, Event::DeploymentStarted { .. }))
        .count();
    assert_eq!((registered, deployments), (2, 2), "{events:#?}");
    assert!(matches!(events.last(), Some(Event::Done { .. })));
    let plan = deployer.plan(&desired).await.expect("plan again");
    assert!(!plan.has_changes());
}

#[tokio::test]
async fn old_revisions_are_deregistered_only_once_the_new_deployment_has_settled() {
    use crate::support::script::Outcome;
    use ecs_deploy::wait::{Progress, WaitEvent};

    let account = "640000000005";
    let scripted = Scripted::start(support::local_ecs::endpoint());
    let creating = deployer(&scripted, account, "order").await;
    for image in ["nginx:1.25", "nginx:1.26"] {
        let plan = creating.plan(&shop(1, image)).await.expect("plan");
        creating.apply(&plan, |_| {}).await.expect("apply");
    }
    scripted.next_deployment("app00", Outcome::Complete(2));
    let ecs = support::ecs_at(&scripted.url, account).await;
    let waiting = Deployer::new(ecs, Options::new("order").keep_revisions(1))
        .apply_options(ApplyOptions::wait(quick(), true));
    let plan = waiting.plan(&shop(1, "nginx:1.27")).await.expect("plan");
    let mut order = Vec::new();
    waiting
        .apply(&plan, |event| match event {
            Event::Wait(WaitEvent::Progress {
                progress: Progress::Completed,
                ..
            }) => order.push("deployment completed"),
            Event::Called {
                operation: Operation::DeregisterTaskDefinition,
                ..
            } => order.push("revision deregistered"),
            _ => {}
        })
        .await
        .expect("applied");
    assert_eq!(order, ["deployment completed", "revision deregistered"]);
}

#[tokio::test]
async fn an_apply_interrupted_while_the_old_service_drains_converges_when_run_again() {
    let account = "640000000006";
    let scripted = Scripted::start(support::local_ecs::endpoint());
    scripted.drain_deleted_services(3);
    let deployer = deployer(&scripted, account, "interrupted").await;
    let desired = shop(1, "nginx:1.26");
    let plan = deployer.plan(&desired).await.expect("plan");
    deployer.apply(&plan, |_| {}).await.expect("create");
    // A replace interrupted right after its DeleteService: the old service is DRAINING.
    deployer
        .ecs()
        .call(
            Operation::DeleteService,
            &json!({"cluster": "shop", "service": "app00", "force": true}),
        )
        .await
        .expect("deleted");

    let plan = deployer.plan(&desired).await.expect("plan again");
    let service = plan
        .changes
        .iter()
        .find(|c| c.address.to_string() == "service shop/app00")
        .expect("the service's change");
    assert_eq!(service.action, Action::Create);
    let operations: Vec<Operation> = service.steps.iter().map(|s| s.operation()).collect();
    assert_eq!(
        operations,
        [Operation::DeleteService, Operation::CreateService]
    );
    let mut waited = 0;
    deployer
        .apply(&plan, |event| {
            if let Event::Waiting {
                reason: Waiting::ServiceDraining,
                ..
            } = event
            {
                waited += 1;
            }
        })
        .await
        .expect("created once the old service has drained");
    assert!(waited >= 1, "waited {waited} times");
    let plan = deployer.plan(&desired).await.expect("plan a third time");
    assert!(!plan.has_changes(), "{plan:#?}");
}
