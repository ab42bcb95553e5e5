//! Rolling a stack's services back to an earlier revision, against the local endpoint behind the
//! scripted layer of `support/script.rs` (moto runs no deployments: the layer plays them).
//!
//! Each test works in a moto account of its own.

use crate::support;

use std::time::Duration;

use crate::support::script::{Outcome, Scripted};
use ecs_deploy::rollback::{
    self, KeepReason, Problem, RollbackError, RollbackEvent, RollbackOptions, ServiceAction, Target,
};
use ecs_deploy::wait::{WaitError, WaitOptions};
use ecs_deploy::{Action, Address, ApplyOptions, Deployer, Ecs, Operation, Options};
use ecs_model::Stack;
use ecs_model::load::from_value;
use serde_json::{Value, json};

const STACK: &str = "shop";

/// The cluster `shop`, the family `storefront` at `image`, and a service of it per name.
fn stack(image: &str, services: &[&str]) -> Stack {
    let services: Vec<Value> = services
        .iter()
        .map(|name| {
            json!({
                "serviceName": name, "cluster": "shop", "taskDefinition": "storefront",
                "desiredCount": 1, "launchType": "EC2"
            })
        })
        .collect();
    from_value::<Stack>(&json!({
        "clusters": [{"clusterName": "shop"}],
        "taskDefinitions": [{
            "family": "storefront",
            "containerDefinitions": [{"name": "web", "image": image, "memory": 128}]
        }],
        "services": services
    }))
    .value
    .expect("a stack")
}

fn quick() -> WaitOptions {
    WaitOptions::new(Duration::from_secs(10), Duration::from_millis(20))
}

/// The scripted layer, and a deployer through it that does not wait (for applying).
async fn setup(account: &str) -> (Scripted, Deployer) {
    let scripted = Scripted::start(support::local_ecs::endpoint());
    let ecs = support::ecs_at(&scripted.url, account).await;
    let deployer = Deployer::new(ecs, Options::new(STACK)).apply_options(ApplyOptions::no_wait());
    (scripted, deployer)
}

/// Plans and applies `stack` without waiting.
async fn apply(deployer: &Deployer, stack: &Stack) {
    let plan = deployer.plan(stack).await.expect("plan");
    deployer.apply(&plan, |_| {}).await.expect("apply");
}

/// `family:revision` of the task definition the service runs.
async fn running(ecs: &Ecs, service: &str) -> String {
    let described = ecs
        .call(
            Operation::DescribeServices,
            &json!({"cluster": "shop", "services": [service]}),
        )
        .await
        .expect("describe");
    let arn = described["services"][0]["taskDefinition"]
        .as_str()
        .unwrap_or_default();
    arn.rsplit_once('/').map_or(arn, |(_, r)| r).to_owned()
}

/// The status of a revision (ACTIVE or INACTIVE).
async fn status(ecs: &Ecs, revision: &str) -> String {
    let described = ecs
        .call(
            Operation::DescribeTaskDefinition,
            &json!({"taskDefinition": revision}),
        )
        .await
        .expect("describe");
    described["taskDefinition"]["status"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

fn service(name: &str) -> Address {
    Address::Service {
        cluster: "shop".into(),
        name: name.into(),
    }
}

/// The problems of a rollback that was refused.
fn problems(result: Result<impl std::fmt::Debug, RollbackError>) -> Vec<(Address, Problem)> {
    match result {
        Err(RollbackError::Blocked(blocked)) => blocked
            .into_iter()
            .map(|b| (b.address, b.problem))
            .collect(),
        other => panic!("not refused: {other:?}"),
    }
}

#[tokio::test]
async fn a_rollback_runs_the_newest_older_revision_and_deregisters_the_one_left() {
    let (scripted, deployer) = setup("510000000001").await;
    let ecs = deployer.ecs().clone();
    apply(&deployer, &stack("nginx:1.25", &["web"])).await;
    apply(&deployer, &stack("nginx:1.26", &["web"])).await;
    let bumped = stack("nginx:1.27", &["web"]);
    apply(&deployer, &bumped).await;
    assert_eq!(running(&ecs, "web").await, "storefront:3");

    scripted.next_deployment("web", Outcome::Complete(2));
    let mut events = Vec::new();
    let plan = deployer
        .rollback(&bumped, &RollbackOptions::default().wait(quick()), |e| {
            events.push(e);
        })
        .await
        .expect("rolled back");
    let [done] = plan.services.as_slice() else {
        panic!("one service: {plan:?}");
    };
    let ServiceAction::RollBack { from, to, keep } = &done.action else {
        panic!("rolled back: {done:?}");
    };
    assert!(from.ends_with("task-definition/storefront:3"), "{from}");
    assert!(to.ends_with("task-definition/storefront:2"), "{to}");
    assert_eq!(*keep, None);
    assert_eq!(running(&ecs, "web").await, "storefront:2");
    assert_eq!(status(&ecs, "storefront:3").await, "INACTIVE");
    assert_eq!(status(&ecs, "storefront:2").await, "ACTIVE");

    // The events: the update, the deployment followed to the end, then the deregistration.
    let updated = events
        .iter()
        .position(
            |e| matches!(e, RollbackEvent::Updated { address, .. } if *address == service("web")),
        )
        .expect("an update event");
    let completed = events
        .iter()
        .position(|e| {
            matches!(
                e,
                RollbackEvent::Wait(ecs_deploy::wait::WaitEvent::Progress {
                    progress: ecs_deploy::wait::Progress::Completed,
                    ..
                })
            )
        })
        .expect("the deployment completed");
    let deregistered = events
        .iter()
        .position(|e| matches!(e, RollbackEvent::Deregistered { task_definition } if task_definition == from))
        .expect("a deregistration event");
    assert!(
        updated < completed && completed < deregistered,
        "{events:#?}"
    );

    // The stack file is now a revision to register again, not a silent redeploy of revision 3.
    let again = deployer.plan(&bumped).await.expect("plan");
    let td = &again.changes[1];
    assert_eq!(td.steps[0].operation(), Operation::RegisterTaskDefinition);
    let web = &again.changes[2];
    assert_eq!(web.action, Action::UpdateAndDeploy);
    assert_eq!(web.steps[0].input()["taskDefinition"], "storefront");
}

#[tokio::test]
async fn inactive_revisions_are_skipped_and_targets_are_checked() {
    let (_scripted, deployer) = setup("510000000002").await;
    let ecs = deployer.ecs().clone();
    let old = stack("nginx:1.26", &["web"]);
    let new = stack("nginx:1.27", &["web"]);
    apply(&deployer, &old).await;
    apply(&deployer, &new).await;
    let no_wait = RollbackOptions::default().no_wait();
    deployer
        .rollback(&new, &no_wait, |_| {})
        .await
        .expect("back to 1");
    apply(&deployer, &new).await;
    assert_eq!(running(&ecs, "web").await, "storefront:3");

    // Revision 2 is INACTIVE: it cannot be a target, and the previous revision skips it.
    let to_2 = no_wait.clone().to(Target::Revision(2));
    assert_eq!(
        problems(deployer.rollback(&new, &to_2, |_| {}).await),
        [(
            service("web"),
            Problem::TargetNotActive {
                family: "storefront".into(),
                revision: 2,
                inactive: true
            }
        )]
    );
    let to_3 = no_wait
        .clone()
        .to("storefront:3".parse().expect("a target"));
    assert!(matches!(
        problems(deployer.rollback(&new, &to_3, |_| {}).await)[0].1,
        Problem::TargetNotOlder {
            current: 3,
            revision: 3,
            ..
        }
    ));
    let other_family = no_wait.clone().to("checkout:1".parse().expect("a target"));
    assert!(matches!(
        problems(deployer.rollback(&new, &other_family, |_| {}).await)[0].1,
        Problem::OtherFamily { .. }
    ));
    assert_eq!(
        running(&ecs, "web").await,
        "storefront:3",
        "refusals change nothing"
    );

    deployer
        .rollback(&new, &no_wait, |_| {})
        .await
        .expect("back to 1, over the INACTIVE 2");
    assert_eq!(running(&ecs, "web").await, "storefront:1");
    assert_eq!(status(&ecs, "storefront:3").await, "INACTIVE");

    // Nothing older than 1.
    let problem = &problems(deployer.rollback(&new, &no_wait, |_| {}).await)[0].1;
    assert_eq!(
        *problem,
        Problem::NoPreviousRevision {
            family: "storefront".into(),
            current: 1,
            inactive: vec![]
        }
    );

    // On revision 4, with 1 deregistered too: no ACTIVE revision older, and the message says
    // which older ones are deregistered.
    apply(&deployer, &new).await;
    ecs.call(
        Operation::DeregisterTaskDefinition,
        &json!({"taskDefinition": "storefront:1"}),
    )
    .await
    .expect("deregistered");
    let problem = &problems(deployer.rollback(&new, &no_wait, |_| {}).await)[0].1;
    assert_eq!(
        *problem,
        Problem::NoPreviousRevision {
            family: "storefront".into(),
            current: 4,
            inactive: vec![3, 2, 1]
        }
    );
    let text = problem.to_string();
    assert!(
        text.contains("storefront:3, storefront:2, storefront:1 are INACTIVE"),
        "{text}"
    );
}

#[tokio::test]
async fn an_untagged_service_is_left_alone_and_keeps_its_revision_active() {
    let (_scripted, deployer) = setup("510000000003").await;
    let ecs = deployer.ecs().clone();
    apply(&deployer, &stack("nginx:1.26", &["web"])).await;
    apply(&deployer, &stack("nginx:1.27", &["web"])).await;
    // Someone else's service, without the stack's tag, on the same revision.
    ecs.call(
        Operation::CreateService,
        &json!({"cluster": "shop", "serviceName": "legacy", "taskDefinition": "storefront:2",
                "desiredCount": 1, "launchType": "EC2"}),
    )
    .await
    .expect("created");
    let both = stack("nginx:1.27", &["web", "legacy"]);

    let mut events = Vec::new();
    let plan = deployer
        .rollback(&both, &RollbackOptions::default().no_wait(), |e| {
            events.push(e);
        })
        .await
        .expect("rolled back");
    assert_eq!(plan.services.len(), 2);
    assert!(
        matches!(&plan.services[1].action, ServiceAction::NotManaged { reason } if reason.contains("no ecs-rs:stack tag")),
        "{plan:?}"
    );
    // web went back; legacy did not, and as it still runs revision 2, revision 2 stays ACTIVE.
    assert_eq!(running(&ecs, "web").await, "storefront:1");
    assert_eq!(running(&ecs, "legacy").await, "storefront:2");
    assert_eq!(status(&ecs, "storefront:2").await, "ACTIVE");
    assert!(
        events.iter().any(|e| matches!(e,
            RollbackEvent::Kept { reason: KeepReason::InUse { service: s }, .. } if *s == service("legacy"))),
        "{events:#?}"
    );
    assert!(
        !events
            .iter()
            .any(|e| matches!(e, RollbackEvent::Deregistered { .. })),
        "{events:#?}"
    );
}

#[tokio::test]
async fn one_service_of_several_and_a_kept_revision() {
    let (_scripted, deployer) = setup("510000000004").await;
    let ecs = deployer.ecs().clone();
    apply(&deployer, &stack("nginx:1.26", &["web", "api"])).await;
    let new = stack("nginx:1.27", &["web", "api"]);
    apply(&deployer, &new).await;

    // Only api: web still runs revision 2, so it stays ACTIVE.
    let plan = deployer
        .rollback(
            &new,
            &RollbackOptions::default().no_wait().service("shop/api"),
            |_| {},
        )
        .await
        .expect("rolled back");
    assert_eq!(plan.services.len(), 1, "{plan:?}");
    assert!(matches!(
        &plan.services[0].action,
        ServiceAction::RollBack { keep: Some(KeepReason::InUse { service: s }), .. } if *s == service("web")
    ));
    assert_eq!(running(&ecs, "api").await, "storefront:1");
    assert_eq!(running(&ecs, "web").await, "storefront:2");
    assert_eq!(status(&ecs, "storefront:2").await, "ACTIVE");

    // web too, keeping revision 2 as asked.
    let keep = RollbackOptions::default()
        .no_wait()
        .service("web")
        .deregister(false);
    let plan = deployer
        .rollback(&new, &keep, |_| {})
        .await
        .expect("rolled back");
    assert!(matches!(
        &plan.services[0].action,
        ServiceAction::RollBack {
            keep: Some(KeepReason::Asked),
            ..
        }
    ));
    assert_eq!(running(&ecs, "web").await, "storefront:1");
    assert_eq!(status(&ecs, "storefront:2").await, "ACTIVE");
    // Kept, revision 2 is still the latest and matches the stack: planning would put the
    // services back on it (what deregistering avoids).
    let again = deployer.plan(&new).await.expect("plan");
    assert_eq!(again.changes[1].action, Action::NoChange);
    assert_eq!(again.changes[2].action, Action::UpdateAndDeploy);
}

#[tokio::test]
async fn a_revision_without_the_stack_tag_is_not_deregistered() {
    let (_scripted, deployer) = setup("510000000005").await;
    let ecs = deployer.ecs().clone();
    let old = stack("nginx:1.26", &["web"]);
    apply(&deployer, &old).await;
    // A revision registered by someone else (a CI pipeline), untagged, deployed to the service.
    ecs.call(
        Operation::RegisterTaskDefinition,
        &json!({"family": "storefront",
                "containerDefinitions": [{"name": "web", "image": "nginx:ci", "memory": 128}]}),
    )
    .await
    .expect("registered");
    ecs.call(
        Operation::UpdateService,
        &json!({"cluster": "shop", "service": "web", "taskDefinition": "storefront:2"}),
    )
    .await
    .expect("updated");
    let plan = deployer
        .rollback(&old, &RollbackOptions::default().no_wait(), |_| {})
        .await
        .expect("rolled back");
    assert!(matches!(
        &plan.services[0].action,
        ServiceAction::RollBack {
            keep: Some(KeepReason::NotManaged { .. }),
            ..
        }
    ));
    assert_eq!(running(&ecs, "web").await, "storefront:1");
    assert_eq!(status(&ecs, "storefront:2").await, "ACTIVE");
}

#[tokio::test]
async fn a_missing_service_stops_the_whole_rollback_before_any_change() {
    let (_scripted, deployer) = setup("510000000006").await;
    let ecs = deployer.ecs().clone();
    apply(&deployer, &stack("nginx:1.26", &["web"])).await;
    apply(&deployer, &stack("nginx:1.27", &["web"])).await;
    let with_missing = stack("nginx:1.27", &["web", "gone"]);
    let result = deployer
        .rollback(&with_missing, &RollbackOptions::default().no_wait(), |_| {})
        .await;
    assert_eq!(problems(result), [(service("gone"), Problem::Missing)]);
    assert_eq!(running(&ecs, "web").await, "storefront:2");

    // A service not in the stack is refused before any call.
    let calls = ecs.calls();
    let result = deployer
        .rollback(
            &with_missing,
            &RollbackOptions::default().service("nope"),
            |_| {},
        )
        .await;
    assert!(
        matches!(&result, Err(RollbackError::NotInStack(names)) if names == &["nope"]),
        "{result:?}"
    );
    assert_eq!(ecs.calls(), calls);
}

#[tokio::test]
async fn a_failed_rollback_deployment_fails_and_deregisters_nothing() {
    let (scripted, deployer) = setup("510000000007").await;
    let ecs = deployer.ecs().clone();
    apply(&deployer, &stack("nginx:1.26", &["web"])).await;
    let new = stack("nginx:1.27", &["web"]);
    apply(&deployer, &new).await;
    // The plan alone (the CLI's first step) changes nothing.
    let plan = rollback::plan(&ecs, &new, STACK, &RollbackOptions::default())
        .await
        .expect("a plan");
    assert!(plan.has_changes());
    assert_eq!(running(&ecs, "web").await, "storefront:2");

    scripted.next_deployment("web", Outcome::Fail(1));
    let result = deployer
        .rollback(&new, &RollbackOptions::default().wait(quick()), |_| {})
        .await;
    let Err(RollbackError::Rollout { source, done }) = result else {
        panic!("not a rollout failure: {result:?}");
    };
    assert!(matches!(source, WaitError::Failed { .. }), "{source}");
    assert_eq!(done, [service("web")]);
    assert_eq!(status(&ecs, "storefront:2").await, "ACTIVE");
}
