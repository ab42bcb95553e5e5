//! Waiting, failure and rollback, and throttling, against the local endpoint behind the scripted
//! layer of `support/script.rs` (moto itself runs no deployments).

use crate::support;

use std::time::Duration;

use crate::support::script::{Outcome, Scripted};
use ecs_deploy::wait::{WaitError, WaitEvent, WaitOptions};
use ecs_deploy::{ApplyOptions, Deployer, Event, Failure, Operation, Options};
use ecs_model::Stack;
use serde_json::json;

/// The storefront stack at `image`, its service with the deployment circuit breaker and
/// rollback on.
fn stack(image: &str) -> Stack {
    crate::deployment_strategies::stack(
        image,
        &json!({"deploymentCircuitBreaker": {"enable": true, "rollback": true}}),
    )
}

fn quick() -> WaitOptions {
    WaitOptions::new(Duration::from_secs(10), Duration::from_millis(20))
}

/// Creates the stack at nginx:1.26 (not waiting: the endpoint runs no tasks), then returns a
/// deployer that waits, through the scripted layer.
async fn deployed(account: &str) -> (Scripted, Deployer) {
    let scripted = Scripted::start(support::local_ecs::endpoint());
    let ecs = support::ecs_at(&scripted.url, account).await;
    let creating =
        Deployer::new(ecs.clone(), Options::new("shop")).apply_options(ApplyOptions::no_wait());
    let plan = creating.plan(&stack("nginx:1.26")).await.expect("plan");
    creating.apply(&plan, |_| {}).await.expect("create");
    let deployer =
        Deployer::new(ecs, Options::new("shop")).apply_options(ApplyOptions::wait(quick(), true));
    (scripted, deployer)
}

pub(crate) async fn service_task_definition(deployer: &Deployer) -> String {
    let described = deployer
        .ecs()
        .call(
            Operation::DescribeServices,
            &json!({"cluster": "shop", "services": ["storefront"]}),
        )
        .await
        .expect("describe");
    described["services"][0]["taskDefinition"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

#[tokio::test]
async fn apply_follows_our_deployment_until_it_completes() {
    let (scripted, deployer) = deployed("400000000001").await;
    scripted.next_deployment("storefront", Outcome::Complete(3));
    let plan = deployer.plan(&stack("nginx:1.27")).await.expect("plan");
    let mut progress = 0;
    let mut messages = Vec::new();
    deployer
        .apply(&plan, |event| match event {
            Event::Wait(WaitEvent::Progress { .. }) => progress += 1,
            Event::Wait(WaitEvent::ServiceEvent { message, .. }) => messages.push(message),
            _ => {}
        })
        .await
        .expect("the deployment completes");
    assert_eq!(progress, 3, "one progress event per poll until COMPLETED");
    assert!(
        messages.iter().any(|m| m.contains("steady state")),
        "{messages:?}"
    );
    assert!(
        service_task_definition(&deployer)
            .await
            .ends_with("storefront:2")
    );
}

#[tokio::test]
async fn a_circuit_breaker_rollback_fails_the_apply() {
    let (scripted, deployer) = deployed("400000000002").await;
    scripted.next_deployment("storefront", Outcome::RollBack(2));
    let plan = deployer.plan(&stack("nginx:broken")).await.expect("plan");
    let error = deployer
        .apply(&plan, |_| {})
        .await
        .expect_err("rolled back");
    let Failure::Rollout(WaitError::Failed { reason, .. }) = &error.source else {
        panic!("not a rollout failure: {error}");
    };
    assert!(reason.contains("rolled back to"), "{reason}");
    assert!(reason.ends_with("storefront:1"), "{reason}");
}

#[tokio::test]
async fn a_failed_deployment_is_rolled_back_to_the_previous_revision() {
    let (scripted, deployer) = deployed("400000000003").await;
    scripted.next_deployment("storefront", Outcome::Fail(2));
    let plan = deployer.plan(&stack("nginx:broken")).await.expect("plan");
    let mut rolled_back = None;
    let mut settled_after_rollback = false;
    let error = deployer
        .apply(&plan, |event| match event {
            Event::RolledBack {
                task_definition, ..
            } => rolled_back = Some(task_definition),
            // The deployment putting the service back is followed until it completes.
            Event::Wait(WaitEvent::Progress {
                progress: ecs_deploy::wait::Progress::Completed,
                ..
            }) if rolled_back.is_some() => settled_after_rollback = true,
            _ => {}
        })
        .await
        .expect_err("failed");
    assert!(
        settled_after_rollback,
        "the rollback's deployment was not followed"
    );
    assert!(error.others.is_empty(), "{:?}", error.others);
    assert!(
        error.source.to_string().contains("circuit breaker"),
        "{}",
        error.source
    );
    let previous = rolled_back.expect("a rollback event");
    assert!(previous.ends_with("storefront:1"), "{previous}");
    assert_eq!(error.rolled_back_to.as_deref(), Some(previous.as_str()));
    assert_eq!(service_task_definition(&deployer).await, previous);
}

#[tokio::test]
async fn a_deployment_that_never_settles_times_out() {
    let (scripted, deployer) = deployed("400000000004").await;
    scripted.next_deployment("storefront", Outcome::Hang);
    let deployer = deployer.apply_options(ApplyOptions::wait(
        WaitOptions::new(Duration::from_millis(300), Duration::from_millis(20)),
        false,
    ));
    let plan = deployer.plan(&stack("nginx:slow")).await.expect("plan");
    let error = deployer.apply(&plan, |_| {}).await.expect_err("timed out");
    assert!(
        matches!(error.source, Failure::Rollout(WaitError::TimedOut { .. })),
        "{error}"
    );
    assert_eq!(error.rolled_back_to, None, "rollback was turned off");
}

#[tokio::test]
async fn throttled_calls_are_retried_and_the_stack_converges() {
    let scripted = Scripted::start(support::local_ecs::endpoint());
    scripted.throttle_every(3);
    let ecs = support::ecs_at(&scripted.url, "400000000005").await;
    let deployer = Deployer::new(ecs, Options::new("shop")).apply_options(ApplyOptions::no_wait());
    let desired = stack("nginx:1.26");
    let plan = deployer
        .plan(&desired)
        .await
        .expect("plan despite throttling");
    deployer
        .apply(&plan, |_| {})
        .await
        .expect("apply despite throttling");
    // moto's CreateService drops deploymentConfiguration (its UpdateService keeps it): the one
    // difference left after creating is that gap, and the next apply closes it. Real ECS keeps
    // it on create, so there the first apply converges.
    let again = deployer.plan(&desired).await.expect("plan");
    let changed: Vec<String> = again
        .changes
        .iter()
        .flat_map(|c| c.fields.iter().map(|f| f.path.to_string()))
        .collect();
    assert!(
        changed
            .iter()
            .all(|p| p.starts_with("deploymentConfiguration")),
        "{changed:?}"
    );
    deployer
        .apply(&again, |_| {})
        .await
        .expect("apply despite throttling");
    let settled = deployer.plan(&desired).await.expect("plan");
    assert!(!settled.has_changes(), "{:#?}", settled.changes);
    assert!(
        scripted.throttled() >= 2,
        "throttled {}",
        scripted.throttled()
    );
}
