//! The wait follows the ECS deployment controller's traffic shifting strategies (BLUE_GREEN,
//! LINEAR, CANARY): bake times past the wait's time-out, lifecycle stages reported as progress,
//! and a rollback by ECS as a failure. moto runs none of them: `support/deployments.rs` plays
//! them in front of it, bake times of minutes fast-forwarded to a second or so.

use crate::rollout::service_task_definition;
use crate::support;

use std::time::Duration;

use crate::support::deployments::{End, Play, Strategies, blue_green, canary, linear};
use ecs_deploy::wait::{LifecycleStage, Progress, WaitError, WaitEvent, WaitOptions};
use ecs_deploy::{ApplyOptions, Deployer, Event, Failure, Operation, Options};
use ecs_model::Stack;
use ecs_model::load::from_value;
use serde_json::{Value, json};

/// The wait's own time-out in these tests: far shorter than what the scripts hold a stage.
const TIME_OUT: Duration = Duration::from_millis(400);

/// How long a script holds a bake: three times [`TIME_OUT`].
const BAKE: Duration = Duration::from_millis(1200);

/// The storefront stack (cluster shop, family storefront, two EC2 tasks) at `image`, its
/// service deployed as `deployment_configuration` says; [`crate::rollout`] uses it too.
pub(crate) fn stack(image: &str, deployment_configuration: &Value) -> Stack {
    from_value::<Stack>(&json!({
        "clusters": [{"clusterName": "shop"}],
        "taskDefinitions": [{
            "family": "storefront",
            "containerDefinitions": [{"name": "web", "image": image, "memory": 128}]
        }],
        "services": [{
            "serviceName": "storefront", "cluster": "shop", "taskDefinition": "storefront",
            "desiredCount": 2, "launchType": "EC2",
            "deploymentConfiguration": deployment_configuration
        }]
    }))
    .value
    .expect("a stack")
}

/// Creates the stack at nginx:1.26 through the layer (not waiting: the endpoint runs no
/// tasks), then returns a deployer that waits [`TIME_OUT`] and does not roll back itself.
async fn deployed(account: &str, configuration: &Value) -> (Strategies, Deployer) {
    let layer = Strategies::start(support::local_ecs::endpoint());
    let ecs = support::ecs_at(&layer.url, account).await;
    let creating =
        Deployer::new(ecs.clone(), Options::new("shop")).apply_options(ApplyOptions::no_wait());
    let plan = creating
        .plan(&stack("nginx:1.26", configuration))
        .await
        .expect("plan");
    creating.apply(&plan, |_| {}).await.expect("create");
    let waiting = WaitOptions::new(TIME_OUT, Duration::from_millis(20));
    let deployer =
        Deployer::new(ecs, Options::new("shop")).apply_options(ApplyOptions::wait(waiting, true));
    (layer, deployer)
}

/// Deploys nginx:1.27 with `configuration`; the result, the lifecycle stages the progress
/// events reported (each run of one stage once), and every event.
async fn deploy(
    deployer: &Deployer,
    configuration: &Value,
) -> (
    Result<Vec<ecs_deploy::plan::Address>, ecs_deploy::ApplyError>,
    Vec<String>,
    Vec<Event>,
) {
    let plan = deployer
        .plan(&stack("nginx:1.27", configuration))
        .await
        .expect("plan");
    let mut stages: Vec<String> = Vec::new();
    let mut events = Vec::new();
    let result = deployer
        .apply(&plan, |event| {
            if let Event::Wait(WaitEvent::Progress {
                progress:
                    Progress::InProgress {
                        stage: Some(stage), ..
                    },
                ..
            }) = &event
                && stages.last().map(String::as_str) != Some(stage.as_str())
            {
                stages.push(stage.to_string());
            }
            events.push(event);
        })
        .await;
    (result, stages, events)
}

/// `expected` with runs of one stage made one, as the progress events report them.
fn runs(expected: &[&str]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for stage in expected {
        if out.last().map(String::as_str) != Some(stage) {
            out.push((*stage).to_owned());
        }
    }
    out
}

#[tokio::test]
async fn a_blue_green_bake_longer_than_the_time_out_completes() {
    // One minute of bake time, which the layer plays as BAKE (three times the time-out).
    let configuration = json!({"strategy": "BLUE_GREEN", "bakeTimeInMinutes": 1});
    let (layer, deployer) = deployed("410000000001", &configuration).await;
    layer.next_deployment("storefront", Play::new(&blue_green(), BAKE, End::Succeed));
    let (result, stages, _) = deploy(&deployer, &configuration).await;
    result.expect("a healthy blue/green deployment past its bake time completes");
    // Every stage, in order, reported as progress; BAKE_TIME with both deployments running.
    assert_eq!(
        stages,
        runs(&blue_green()),
        "{:?}",
        layer.stages_described()
    );
    assert!(
        service_task_definition(&deployer)
            .await
            .ends_with("storefront:2")
    );
    assert!(
        deployer
            .ecs()
            .calls()
            .get(&Operation::DescribeServiceDeployments)
            .is_some_and(|n| *n > 0)
    );
}

#[tokio::test]
async fn a_linear_deployment_is_followed_through_its_steps_past_the_time_out() {
    // Two steps of 50 percent, one minute between them (played as BAKE).
    let configuration = json!({
        "strategy": "LINEAR", "bakeTimeInMinutes": 0,
        "linearConfiguration": {"stepPercent": 50.0, "stepBakeTimeInMinutes": 1}
    });
    let (layer, deployer) = deployed("410000000002", &configuration).await;
    let stages_played = linear(2);
    layer.next_deployment(
        "storefront",
        Play::new(&stages_played, Duration::ZERO, End::Succeed)
            .hold("PRE_PRODUCTION_TRAFFIC_SHIFT", BAKE / 2),
    );
    let (result, stages, _) = deploy(&deployer, &configuration).await;
    result.expect("the linear deployment completes");
    assert_eq!(stages, runs(&stages_played));
    assert_eq!(
        stages
            .iter()
            .filter(|s| *s == LifecycleStage::ProductionTrafficShift.as_str())
            .count(),
        2,
        "one production traffic shift per step: {stages:?}"
    );
}

#[tokio::test]
async fn a_canary_bake_is_followed_past_the_time_out() {
    let configuration = json!({
        "strategy": "CANARY", "bakeTimeInMinutes": 0,
        "canaryConfiguration": {"canaryPercent": 10.0, "canaryBakeTimeInMinutes": 1}
    });
    let (layer, deployer) = deployed("410000000003", &configuration).await;
    // The canary's bake: after its traffic shift, before the rest of the traffic moves.
    layer.next_deployment(
        "storefront",
        Play::new(&canary(), Duration::ZERO, End::Succeed)
            .hold("PRODUCTION_TRAFFIC_SHIFT", BAKE / 2),
    );
    let (result, stages, _) = deploy(&deployer, &configuration).await;
    result.expect("the canary deployment completes");
    assert_eq!(stages, runs(&canary()));
}

#[tokio::test]
async fn ecs_rolling_a_blue_green_deployment_back_fails_the_apply() {
    let configuration = json!({"strategy": "BLUE_GREEN", "bakeTimeInMinutes": 1});
    let (layer, deployer) = deployed("410000000004", &configuration).await;
    // ECS rolls back after the production traffic shift; DescribeServices keeps showing our
    // deployment PRIMARY for BAKE while traffic goes back.
    let mut stages_played = blue_green();
    stages_played.truncate(7);
    layer.next_deployment(
        "storefront",
        Play::new(&stages_played, Duration::ZERO, End::RollBack(BAKE)),
    );
    let (result, _, events) = deploy(&deployer, &configuration).await;
    let error = result.expect_err("rolled back by ECS");
    let Failure::Rollout(WaitError::Failed {
        reason,
        rolled_back_by_ecs,
        ..
    }) = &error.source
    else {
        panic!("not a rollout failure: {error:?}");
    };
    assert!(reason.contains("ROLLBACK_IN_PROGRESS"), "{reason}");
    assert!(
        reason.contains("lifecycle hook returned FAILED"),
        "{reason}"
    );
    let previous = rolled_back_by_ecs.clone().expect("ECS's rollback is known");
    assert!(previous.ends_with("storefront:1"), "{previous}");
    assert_eq!(error.rolled_back_to.as_deref(), Some(previous.as_str()));
    // ECS rolls back: the apply does not put the service back itself.
    assert!(
        !events.iter().any(|e| matches!(e, Event::RolledBack { .. })),
        "{events:?}"
    );
}

#[tokio::test]
async fn a_blue_green_deployment_still_baking_at_the_extended_deadline_times_out() {
    // No bake time configured: the deadline is the time-out alone, and a bake the layer holds
    // longer is a time-out, not a success. The stages before the bake take one answer each:
    // the time-out leaves them room on a loaded machine, and the bake outlasts it by far.
    let configuration = json!({"strategy": "BLUE_GREEN", "bakeTimeInMinutes": 0});
    let (layer, deployer) = deployed("410000000005", &configuration).await;
    let time_out = Duration::from_secs(3);
    layer.next_deployment(
        "storefront",
        Play::new(&blue_green(), Duration::from_secs(60), End::Succeed),
    );
    let deployer = deployer.apply_options(ApplyOptions::wait(
        WaitOptions::new(time_out, Duration::from_millis(20)),
        false,
    ));
    let (result, stages, _) = deploy(&deployer, &configuration).await;
    let error = result.expect_err("timed out");
    assert!(
        matches!(
            error.source,
            Failure::Rollout(WaitError::TimedOut { timeout, .. }) if timeout == time_out
        ),
        "{error}"
    );
    assert_eq!(stages.last().map(String::as_str), Some("BAKE_TIME"));
}
