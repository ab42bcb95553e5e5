//! Capacity providers against the local ECS endpoint: created before the clusters that use
//! them, planned without perpetual differences, updated in place, refused (with what to do)
//! when their Auto Scaling group changes, and pruned once no cluster of the stack uses them.

use crate::support;

use ecs_deploy::{Action, ApplyOptions, Deployer, Operation, Options, Plan};
use ecs_model::Stack;
use ecs_model::load::from_value;
use serde_json::{Value, json};

const ASG: &str =
    "arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:0b1c:autoScalingGroupName/web";

fn provider(target: i64, group: &str) -> Value {
    json!({
        "name": "web-asg",
        "autoScalingGroupProvider": {
            "autoScalingGroupArn": group,
            "managedScaling": {"status": "ENABLED", "targetCapacity": target},
            "managedTerminationProtection": "DISABLED"
        }
    })
}

fn stack(providers: Value, cluster_uses: Value) -> Stack {
    from_value::<Stack>(&json!({
        "capacityProviders": providers,
        "clusters": [{
            "clusterName": "fleet",
            "capacityProviders": cluster_uses,
        }],
    }))
    .value
    .expect("a stack")
}

fn actions(plan: &Plan) -> Vec<(String, Action)> {
    plan.changes
        .iter()
        .map(|c| (c.address.to_string(), c.action))
        .collect()
}

#[tokio::test]
async fn capacity_providers_are_planned_applied_and_pruned() {
    let ecs = support::ecs("300000000201").await;
    let deployer = Deployer::new(ecs, Options::new("fleet").prune(true))
        .apply_options(ApplyOptions::no_wait());
    let first = stack(json!([provider(90, ASG)]), json!(["web-asg"]));
    let plan = deployer.plan(&first).await.expect("plan");
    assert_eq!(
        actions(&plan),
        [
            ("capacity provider web-asg".to_owned(), Action::Create),
            ("cluster fleet".to_owned(), Action::Create),
        ]
    );
    deployer.apply(&plan, |_| {}).await.expect("apply");
    let again = deployer.plan(&first).await.expect("plan again");
    assert!(
        !again.has_changes(),
        "{:#?}",
        again.changes.iter().map(|c| &c.fields).collect::<Vec<_>>()
    );

    // A new target capacity is an update in place.
    let scaled = stack(json!([provider(80, ASG)]), json!(["web-asg"]));
    let plan = deployer.plan(&scaled).await.expect("plan");
    let change = &plan.changes[0];
    assert_eq!(change.action, Action::Update);
    assert_eq!(
        change.fields[0].path.to_string(),
        "autoScalingGroupProvider.managedScaling.targetCapacity"
    );
    assert_eq!(
        change.steps[0].operation(),
        Operation::UpdateCapacityProvider
    );
    deployer.apply(&plan, |_| {}).await.expect("apply");
    assert!(!deployer.plan(&scaled).await.expect("plan").has_changes());

    // The group given by its name is the same group.
    let by_name = stack(json!([provider(80, "web")]), json!(["web-asg"]));
    assert!(!deployer.plan(&by_name).await.expect("plan").has_changes());

    // Another Auto Scaling group cannot be updated in, nor swapped by deleting the provider a
    // cluster uses: the plan says so and does nothing about it.
    let moved = stack(
        json!([provider(80, &ASG.replace("/web", "/web2"))]),
        json!(["web-asg"]),
    );
    let plan = deployer.plan(&moved).await.expect("plan");
    assert_eq!(plan.changes[0].action, Action::Blocked);
    assert!(plan.changes[0].steps.is_empty());
    assert!(
        plan.changes[0]
            .reason
            .as_ref()
            .map(ToString::to_string)
            .unwrap_or_default()
            .contains("give the provider a new name"),
        "{:?}",
        plan.changes[0].reason
    );

    // Out of the stack and out of the cluster: the cluster lets go of it, then it is deleted.
    let without = stack(json!([]), json!([]));
    let plan = deployer.plan(&without).await.expect("plan");
    assert_eq!(
        actions(&plan),
        [
            ("cluster fleet".to_owned(), Action::Update),
            ("capacity provider web-asg".to_owned(), Action::Delete),
        ]
    );
    assert_eq!(
        plan.changes[0].steps[0].operation(),
        Operation::PutClusterCapacityProviders
    );
    deployer.apply(&plan, |_| {}).await.expect("apply");
    let described = deployer
        .ecs()
        .call(
            Operation::DescribeCapacityProviders,
            &json!({"capacityProviders": ["web-asg"]}),
        )
        .await
        .expect("describe");
    assert_eq!(described["capacityProviders"], json!([]));
    assert!(!deployer.plan(&without).await.expect("plan").has_changes());
}
