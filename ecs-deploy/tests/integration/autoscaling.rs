//! Application Auto Scaling of a service (the stack's `scaling`) against the local endpoint,
//! behind the scripted layer's autoscaling rules (`support/script/autoscaling.rs`: what moto
//! does not do as AWS does) and its deployments (moto runs none).

use std::time::Duration;

use aws_sdk_applicationautoscaling::types::{ScalableDimension, ServiceNamespace};
use ecs_deploy::plan::{Action, Address};
use ecs_deploy::wait::WaitOptions;
use ecs_deploy::{ApplyOptions, AutoScaling, Deployer, Event, Operation, Options, Waiting};
use ecs_model::Stack;
use ecs_model::load::from_value;
use serde_json::{Value, json};

use crate::support;
use crate::support::script::{Outcome, Scripted};

const ID: &str = "service/shop/web";

fn stack(image: &str, max: i32, policy: bool) -> Stack {
    let mut file = json!({
        "clusters": [{"clusterName": "shop"}],
        "taskDefinitions": [{"family": "web",
            "containerDefinitions": [{"name": "web", "image": image, "memory": 128}]}],
        "services": [{"serviceName": "web", "cluster": "shop", "taskDefinition": "web",
                      "desiredCount": 2, "launchType": "EC2"}],
        "scaling": {
            "scalableTargets": [{"ServiceNamespace": "ecs", "ResourceId": ID,
                "ScalableDimension": "ecs:service:DesiredCount",
                "MinCapacity": 1, "MaxCapacity": max}],
            "scalingPolicies": [{"PolicyName": "cpu", "ServiceNamespace": "ecs",
                "ResourceId": ID, "ScalableDimension": "ecs:service:DesiredCount",
                "PolicyType": "TargetTrackingScaling",
                "TargetTrackingScalingPolicyConfiguration": {"TargetValue": 60,
                    "PredefinedMetricSpecification": {
                        "PredefinedMetricType": "ECSServiceAverageCPUUtilization"}}}],
            "scheduledActions": [{"ScheduledActionName": "night", "ServiceNamespace": "ecs",
                "ResourceId": ID, "ScalableDimension": "ecs:service:DesiredCount",
                "Schedule": "cron(0 22 * * ? *)", "Timezone": "Europe/Paris",
                "ScalableTargetAction": {"MinCapacity": 1, "MaxCapacity": 2}}]
        }
    });
    if !policy {
        file["scaling"]["scalingPolicies"] = json!([]);
    }
    from_value::<Stack>(&file).value.expect("a stack")
}

/// A `SuspendedState` with every flag at `value`.
fn suspended(value: bool) -> Value {
    json!({"DynamicScalingInSuspended": value, "DynamicScalingOutSuspended": value,
           "ScheduledScalingSuspended": value})
}

/// The Application Auto Scaling SDK client of moto account `account`.
async fn sdk(url: &str, account: &str) -> aws_sdk_applicationautoscaling::Client {
    let config = support::clients::sdk_config(url).await;
    aws_sdk_applicationautoscaling::Client::from_conf(
        aws_sdk_applicationautoscaling::config::Builder::from(&config)
            .interceptor(support::MotoAccount(account.to_owned()))
            .build(),
    )
}

/// The scalable targets of [`ID`].
async fn read_targets(
    client: &aws_sdk_applicationautoscaling::Client,
) -> aws_sdk_applicationautoscaling::operation::describe_scalable_targets::DescribeScalableTargetsOutput
{
    client
        .describe_scalable_targets()
        .service_namespace(ServiceNamespace::Ecs)
        .resource_ids(ID)
        .send()
        .await
        .expect("targets")
}

/// The scaling policies of [`ID`].
async fn read_policies(
    client: &aws_sdk_applicationautoscaling::Client,
) -> aws_sdk_applicationautoscaling::operation::describe_scaling_policies::DescribeScalingPoliciesOutput
{
    client
        .describe_scaling_policies()
        .service_namespace(ServiceNamespace::Ecs)
        .resource_id(ID)
        .send()
        .await
        .expect("policies")
}

/// The scheduled actions of [`ID`].
async fn read_actions(
    client: &aws_sdk_applicationautoscaling::Client,
) -> aws_sdk_applicationautoscaling::operation::describe_scheduled_actions::DescribeScheduledActionsOutput
{
    client
        .describe_scheduled_actions()
        .service_namespace(ServiceNamespace::Ecs)
        .resource_id(ID)
        .send()
        .await
        .expect("actions")
}

/// A deployer of the stack `shop` through the layer: ECS and Application Auto Scaling, with
/// quick retries (the engine's waits for eventual consistency are its retry pauses).
async fn deployer(scripted: &Scripted, account: &str, apply: ApplyOptions) -> Deployer {
    let ecs = support::ecs_at(&scripted.url, account).await;
    let autoscaling = AutoScaling::from_client(sdk(&scripted.url, account).await).retries(
        ecs_deploy::Retries::new(8, Duration::from_millis(10), Duration::from_millis(100)),
    );
    Deployer::new(ecs, Options::new("shop"))
        .autoscaling(autoscaling)
        .apply_options(apply)
}

fn changes(plan: &ecs_deploy::Plan) -> Vec<(Address, Action, Vec<Operation>)> {
    plan.changes
        .iter()
        .filter(|c| c.action != Action::NoChange)
        .map(|c| {
            let ops = c.steps.iter().map(|s| s.operation()).collect();
            (c.address.clone(), c.action, ops)
        })
        .collect()
}

#[tokio::test]
async fn a_scaled_service_is_registered_read_back_and_left_to_autoscaling() {
    let account = "510000000001";
    let scripted = Scripted::start(support::local_ecs::endpoint());
    scripted.play_autoscaling();
    // Right after CreateService, AWS may not see the service yet.
    scripted.refuse_first("RegisterScalableTarget", "ValidationException", 2);
    let deployer = deployer(&scripted, account, ApplyOptions::no_wait()).await;
    let plan = deployer
        .plan(&stack("nginx:1.27", 4, true))
        .await
        .expect("plan");
    let scaling = plan
        .changes
        .iter()
        .find(|c| matches!(c.address, Address::Scaling { .. }))
        .expect("a scaling change");
    assert_eq!(scaling.action, Action::Create);
    let mut waited = 0;
    deployer
        .apply(&plan, |event| {
            if let Event::Waiting {
                reason: Waiting::ScalingNotYetVisible,
                ..
            } = event
            {
                waited += 1;
            }
        })
        .await
        .expect("apply");
    assert_eq!(waited, 2, "the two refusals were waited out");

    // Read back through the SDK.
    let client = sdk(&scripted.url, account).await;
    let targets = read_targets(&client).await;
    let target = &targets.scalable_targets()[0];
    assert_eq!((target.min_capacity(), target.max_capacity()), (1, 4));
    assert_eq!(
        target.scalable_dimension(),
        &ScalableDimension::EcsServiceDesiredCount
    );
    let policies = read_policies(&client).await;
    let policy = &policies.scaling_policies()[0];
    assert_eq!(policy.policy_name(), "cpu");
    let tracking = policy
        .target_tracking_scaling_policy_configuration()
        .expect("target tracking");
    assert!((tracking.target_value() - 60.0).abs() < f64::EPSILON);
    assert_eq!(
        tracking
            .predefined_metric_specification()
            .map(|m| m.predefined_metric_type().as_str()),
        Some("ECSServiceAverageCPUUtilization")
    );
    let actions = read_actions(&client).await;
    let action = &actions.scheduled_actions()[0];
    assert_eq!(action.scheduled_action_name(), "night");
    assert_eq!(action.schedule(), "cron(0 22 * * ? *)");
    assert_eq!(action.timezone(), Some("Europe/Paris"));

    // Planned again: nothing.
    let again = deployer
        .plan(&stack("nginx:1.27", 4, true))
        .await
        .expect("plan");
    assert_eq!(changes(&again), [], "{again:?}");

    // Autoscaling moves the service to 3 tasks: not the stack's business.
    deployer
        .ecs()
        .call(
            Operation::UpdateService,
            &json!({"cluster": "shop", "service": "web", "desiredCount": 3}),
        )
        .await
        .expect("scaled out");
    let scaled_out = deployer
        .plan(&stack("nginx:1.27", 4, true))
        .await
        .expect("plan");
    assert_eq!(changes(&scaled_out), [], "{scaled_out:?}");

    // An apply interrupted while suspended: the next plan resumes.
    client
        .register_scalable_target()
        .service_namespace(ServiceNamespace::Ecs)
        .resource_id(ID)
        .scalable_dimension(ScalableDimension::EcsServiceDesiredCount)
        .suspended_state(
            aws_sdk_applicationautoscaling::types::SuspendedState::builder()
                .dynamic_scaling_in_suspended(true)
                .dynamic_scaling_out_suspended(true)
                .scheduled_scaling_suspended(true)
                .build(),
        )
        .send()
        .await
        .expect("suspended by hand");
    let resuming = deployer
        .plan(&stack("nginx:1.27", 4, true))
        .await
        .expect("plan");
    let scaling = resuming
        .changes
        .iter()
        .find(|c| matches!(c.address, Address::Scaling { .. }))
        .expect("scaling");
    assert_eq!(scaling.action, Action::Update);
    assert_eq!(scaling.steps.len(), 1);
    assert_eq!(scaling.steps[0].input()["SuspendedState"], suspended(false));
    deployer.apply(&resuming, |_| {}).await.expect("resumed");
    // A new maximum: one RegisterScalableTarget.
    let bigger = deployer
        .plan(&stack("nginx:1.27", 6, true))
        .await
        .expect("plan");
    let scaling = Address::Scaling {
        cluster: "shop".into(),
        service: "web".into(),
    };
    assert_eq!(
        changes(&bigger),
        [(
            scaling.clone(),
            Action::Update,
            vec![Operation::RegisterScalableTarget]
        )]
    );
    deployer.apply(&bigger, |_| {}).await.expect("apply");

    // The policy removed from the stack is deleted.
    let without = deployer
        .plan(&stack("nginx:1.27", 6, false))
        .await
        .expect("plan");
    assert_eq!(
        changes(&without),
        [(
            scaling.clone(),
            Action::Update,
            vec![Operation::DeleteScalingPolicy]
        )]
    );
    deployer.apply(&without, |_| {}).await.expect("apply");
    let policies = read_policies(&client).await;
    assert!(policies.scaling_policies().is_empty());

    // Destroyed: the target is deregistered before the service goes, its action with it.
    let destroy = deployer
        .plan_destroy(&stack("nginx:1.27", 6, false))
        .await
        .expect("plan");
    let order: Vec<&Address> = destroy
        .changes
        .iter()
        .filter(|c| c.action == Action::Delete)
        .map(|c| &c.address)
        .collect();
    assert_eq!(order.first(), Some(&&scaling), "{order:?}");
    deployer.apply(&destroy, |_| {}).await.expect("destroy");
    let targets = read_targets(&client).await;
    assert!(targets.scalable_targets().is_empty());
    let actions = read_actions(&client).await;
    assert!(actions.scheduled_actions().is_empty());
}

#[tokio::test]
async fn scaling_is_suspended_during_a_deployment_and_resumed_when_it_fails() {
    let account = "510000000002";
    let scripted = Scripted::start(support::local_ecs::endpoint());
    scripted.play_autoscaling();
    let creating = deployer(&scripted, account, ApplyOptions::no_wait()).await;
    let plan = creating
        .plan(&stack("nginx:1.27", 4, true))
        .await
        .expect("plan");
    creating.apply(&plan, |_| {}).await.expect("create");

    let quick = WaitOptions::new(Duration::from_secs(10), Duration::from_millis(20));
    let deployer = deployer(&scripted, account, ApplyOptions::wait(quick, true)).await;
    scripted.next_deployment("web", Outcome::Fail(2));
    let plan = deployer
        .plan(&stack("nginx:1.28", 4, true))
        .await
        .expect("plan");
    let service = plan
        .changes
        .iter()
        .find(|c| matches!(c.address, Address::Service { .. }))
        .expect("the service");
    assert_eq!(service.action, Action::UpdateAndDeploy);
    let ops: Vec<Operation> = service.steps.iter().map(|s| s.operation()).collect();
    assert_eq!(
        ops,
        [Operation::RegisterScalableTarget, Operation::UpdateService]
    );
    let before = scripted.scalable_target_registrations().len();
    let mut seen = Vec::new();
    let failed = deployer
        .apply(&plan, |event| match event {
            Event::ScalingSuspended { .. } => seen.push("suspended"),
            Event::ScalingResumed { .. } => seen.push("resumed"),
            Event::RolledBack { .. } => seen.push("rolled back"),
            _ => {}
        })
        .await
        .expect_err("the deployment fails");
    assert!(failed.rolled_back_to.is_some(), "{failed:?}");
    assert_eq!(seen, ["suspended", "rolled back", "resumed"]);
    let sent: Vec<Value> = scripted.scalable_target_registrations()[before..]
        .iter()
        .map(|r| r["SuspendedState"].clone())
        .collect();
    assert_eq!(sent, [suspended(true), suspended(false)]);
    let client = sdk(&scripted.url, account).await;
    let state = |targets: &aws_sdk_applicationautoscaling::operation::describe_scalable_targets::DescribeScalableTargetsOutput| {
        let s = targets.scalable_targets()[0].suspended_state().cloned().expect("a state");
        (
            s.dynamic_scaling_in_suspended(),
            s.dynamic_scaling_out_suspended(),
            s.scheduled_scaling_suspended(),
        )
    };
    let targets = read_targets(&client).await;
    assert_eq!(state(&targets), (Some(false), Some(false), Some(false)));
}
