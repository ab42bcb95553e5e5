//! Rolling a stack's services back to an earlier revision, against the local endpoint behind the
//! scripted layer of `support/script.rs` (moto runs no deployments: the layer plays them): the
//! rollback is planned by `Deployer::plan_rollback` and run by `Deployer::apply`, as any plan.
//!
//! Each test works in a moto account of its own.

use crate::support;

use std::time::Duration;

use crate::support::script::{Outcome, Scripted};
use ecs_deploy::plan::Reason;
use ecs_deploy::rollback::{self, Problem, RollbackError, RollbackOptions, Target};
use ecs_deploy::wait::{Progress, WaitError, WaitEvent, WaitOptions};
use ecs_deploy::{
    Action, Address, ApplyOptions, Deployer, Ecs, Event, Failure, Operation, Options, Plan,
};
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

/// The scripted layer, and a deployer through it that does not wait.
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

/// Plans the rollback of `stack` and applies it as `deployer` applies; the plan and the events.
async fn roll_back(
    deployer: &Deployer,
    stack: &Stack,
    options: &RollbackOptions,
) -> (Plan, Vec<Event>) {
    let plan = deployer
        .plan_rollback(stack, options)
        .await
        .expect("a rollback plan");
    let mut events = Vec::new();
    deployer
        .apply(&plan, |e| events.push(e))
        .await
        .expect("rolled back");
    (plan, events)
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

/// Why the revision a service's rollback leaves stays ACTIVE; `None` when it goes.
fn kept(plan: &Plan, name: &str) -> Option<Reason> {
    let change = plan
        .changes
        .iter()
        .find(|c| c.address == service(name))
        .unwrap_or_else(|| panic!("no change of {name}: {plan:#?}"));
    match &change.reason {
        Some(Reason::RolledBack { kept, .. }) => kept.as_deref().cloned(),
        other => panic!("not rolled back: {other:?}"),
    }
}

/// Whether an event is a deregistration.
fn deregisters(event: &Event) -> bool {
    matches!(
        event,
        Event::Called {
            operation: Operation::DeregisterTaskDefinition,
            ..
        }
    )
}

/// The problems of a rollback that was refused.
fn problems(result: Result<Plan, RollbackError>) -> Vec<(Address, Problem)> {
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
    let waiting = deployer
        .clone()
        .apply_options(ApplyOptions::wait(quick(), true));
    let (plan, events) = roll_back(&waiting, &bumped, &RollbackOptions::default()).await;
    let [web, revisions] = plan.changes.as_slice() else {
        panic!("the service, then its revision left: {plan:#?}");
    };
    assert_eq!(web.action, Action::UpdateAndDeploy);
    assert_eq!(
        web.reason,
        Some(Reason::RolledBack {
            from: "storefront:3".into(),
            to: "storefront:2".into(),
            kept: None
        })
    );
    assert_eq!(revisions.action, Action::Delete);
    assert!(
        revisions.steps[0].input()["taskDefinition"]
            .as_str()
            .is_some_and(|arn| arn.ends_with("task-definition/storefront:3")),
        "{revisions:#?}"
    );
    assert_eq!(running(&ecs, "web").await, "storefront:2");
    assert_eq!(status(&ecs, "storefront:3").await, "INACTIVE");
    assert_eq!(status(&ecs, "storefront:2").await, "ACTIVE");

    // The events: the update, the deployment followed to the end, then the deregistration.
    let updated = events
        .iter()
        .position(|e| {
            matches!(e, Event::Called { address, operation: Operation::UpdateService, .. }
                if *address == service("web"))
        })
        .expect("an update event");
    let completed = events
        .iter()
        .position(|e| {
            matches!(
                e,
                Event::Wait(WaitEvent::Progress {
                    progress: Progress::Completed,
                    ..
                })
            )
        })
        .expect("the deployment completed");
    let deregistered = events
        .iter()
        .position(deregisters)
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
    let previous = RollbackOptions::default();
    roll_back(&deployer, &new, &previous).await; // back to 1
    apply(&deployer, &new).await;
    assert_eq!(running(&ecs, "web").await, "storefront:3");

    // Revision 2 is INACTIVE: it cannot be a target, and the previous revision skips it.
    let to_2 = previous.clone().to(Target::Revision(2));
    assert_eq!(
        problems(deployer.plan_rollback(&new, &to_2).await),
        [(
            service("web"),
            Problem::TargetNotActive {
                family: "storefront".into(),
                revision: 2,
                inactive: true
            }
        )]
    );
    let to_3 = previous
        .clone()
        .to("storefront:3".parse().expect("a target"));
    assert!(matches!(
        problems(deployer.plan_rollback(&new, &to_3).await)[0].1,
        Problem::TargetNotOlder {
            current: 3,
            revision: 3,
            ..
        }
    ));
    let other_family = previous.clone().to("checkout:1".parse().expect("a target"));
    assert!(matches!(
        problems(deployer.plan_rollback(&new, &other_family).await)[0].1,
        Problem::OtherFamily { .. }
    ));
    assert_eq!(
        running(&ecs, "web").await,
        "storefront:3",
        "refusals change nothing"
    );

    roll_back(&deployer, &new, &previous).await; // back to 1, over the INACTIVE 2
    assert_eq!(running(&ecs, "web").await, "storefront:1");
    assert_eq!(status(&ecs, "storefront:3").await, "INACTIVE");

    // Nothing older than 1.
    let problem = &problems(deployer.plan_rollback(&new, &previous).await)[0].1;
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
    let problem = &problems(deployer.plan_rollback(&new, &previous).await)[0].1;
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

    let (plan, events) = roll_back(&deployer, &both, &RollbackOptions::default()).await;
    assert_eq!(plan.changes.len(), 2, "{plan:#?}");
    assert_eq!(plan.changes[1].action, Action::NotManaged);
    assert_eq!(plan.changes[1].reason, Some(Reason::Untagged));
    // web went back; legacy did not, and as it still runs revision 2, revision 2 stays ACTIVE.
    assert_eq!(
        kept(&plan, "web"),
        Some(Reason::RevisionInUse {
            service: service("legacy")
        })
    );
    assert_eq!(running(&ecs, "web").await, "storefront:1");
    assert_eq!(running(&ecs, "legacy").await, "storefront:2");
    assert_eq!(status(&ecs, "storefront:2").await, "ACTIVE");
    assert!(!events.iter().any(deregisters), "{events:#?}");
}

#[tokio::test]
async fn one_service_of_several_and_a_kept_revision() {
    let (_scripted, deployer) = setup("510000000004").await;
    let ecs = deployer.ecs().clone();
    apply(&deployer, &stack("nginx:1.26", &["web", "api"])).await;
    let new = stack("nginx:1.27", &["web", "api"]);
    apply(&deployer, &new).await;

    // Only api: web still runs revision 2, so it stays ACTIVE.
    let only_api = RollbackOptions::default().service("shop/api");
    let (plan, _) = roll_back(&deployer, &new, &only_api).await;
    assert_eq!(plan.changes.len(), 1, "{plan:#?}");
    assert_eq!(
        kept(&plan, "api"),
        Some(Reason::RevisionInUse {
            service: service("web")
        })
    );
    assert_eq!(running(&ecs, "api").await, "storefront:1");
    assert_eq!(running(&ecs, "web").await, "storefront:2");
    assert_eq!(status(&ecs, "storefront:2").await, "ACTIVE");

    // web too, keeping revision 2 as asked.
    let keep = RollbackOptions::default().service("web").deregister(false);
    let (plan, _) = roll_back(&deployer, &new, &keep).await;
    assert_eq!(kept(&plan, "web"), Some(Reason::KeptAsAsked));
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
    let (plan, _) = roll_back(&deployer, &old, &RollbackOptions::default()).await;
    assert_eq!(kept(&plan, "web"), Some(Reason::Untagged));
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
        .plan_rollback(&with_missing, &RollbackOptions::default())
        .await;
    assert_eq!(problems(result), [(service("gone"), Problem::Missing)]);
    assert_eq!(running(&ecs, "web").await, "storefront:2");

    // A service not in the stack is refused before any call.
    let calls = ecs.calls();
    let result = deployer
        .plan_rollback(&with_missing, &RollbackOptions::default().service("nope"))
        .await;
    assert!(
        matches!(&result, Err(RollbackError::NotInStack(names)) if names == &["nope"]),
        "{result:?}"
    );
    assert_eq!(ecs.calls(), calls);
}

#[tokio::test]
async fn a_failed_rollback_deployment_is_put_back_and_deregisters_nothing() {
    let (scripted, deployer) = setup("510000000007").await;
    let ecs = deployer.ecs().clone();
    apply(&deployer, &stack("nginx:1.26", &["web"])).await;
    let new = stack("nginx:1.27", &["web"]);
    apply(&deployer, &new).await;
    // Observing and planning alone (the CLI's first step) change nothing; the reads are the
    // describe, one listing and the tags of the revision left.
    let calls = ecs.calls();
    let options = RollbackOptions::default();
    let state = rollback::observe(&ecs, &new, STACK, &options)
        .await
        .expect("observed");
    let plan = rollback::plan(&state, &options).expect("a plan");
    assert!(plan.has_changes());
    assert_eq!(running(&ecs, "web").await, "storefront:2");
    let read = |operation| {
        let after = ecs.calls();
        after.get(&operation).copied().unwrap_or(0) - calls.get(&operation).copied().unwrap_or(0)
    };
    assert_eq!(read(Operation::ListTaskDefinitions), 1);
    assert_eq!(read(Operation::DescribeTaskDefinition), 1);
    assert_eq!(read(Operation::UpdateService), 0);
    assert_eq!(read(Operation::DeregisterTaskDefinition), 0);

    scripted.next_deployment("web", Outcome::Fail(1));
    let waiting = deployer
        .clone()
        .apply_options(ApplyOptions::wait(quick(), true));
    let mut events = Vec::new();
    let result = waiting.apply(&plan, |e| events.push(e)).await;
    let Err(err) = result else {
        panic!("not a failure: {events:#?}");
    };
    assert!(
        matches!(err.source, Failure::Rollout(WaitError::Failed { .. })),
        "{err:?}"
    );
    assert_eq!(err.address, service("web"));
    assert_eq!(err.done, [service("web")]);
    // Put back on the revision it ran, as apply puts back a failed deployment.
    assert!(
        err.rolled_back_to
            .as_deref()
            .is_some_and(|arn| arn.ends_with("task-definition/storefront:2")),
        "{err:?}"
    );
    assert!(
        events.iter().any(|e| matches!(e, Event::RolledBack { .. })),
        "{events:#?}"
    );
    assert!(!events.iter().any(deregisters), "{events:#?}");
    assert_eq!(running(&ecs, "web").await, "storefront:2");
    assert_eq!(status(&ecs, "storefront:2").await, "ACTIVE");
}
