//! Scheduled tasks (EventBridge Scheduler) against the local endpoint, through the scripted
//! layer of `support::script::scheduler` (which plays what moto lacks): created in the stack's
//! own tagged group, read back through the SDK, unchanged on a second plan, updated in full,
//! re-pinned when the task definition gets a new revision, never the reason a revision is
//! retired, pruned and destroyed; and a group the stack does not own left alone.

use crate::support;
use crate::support::script::scheduler::SchedulerScript;

use ecs_deploy::{Action, ApplyOptions, Deployer, Operation, Options, Plan};
use ecs_model::Stack;
use ecs_model::load::from_value;
use serde_json::{Value, json};

const ROLE: &str = "arn:aws:iam::123456789012:role/ecs-rs-scheduler";

fn stack(image: &str, expression: &str, task_definition: &str, subnet: &str) -> Stack {
    from_value::<Stack>(&json!({
        "clusters": [{"clusterName": "jobs"}],
        "taskDefinitions": [{
            "family": "report",
            "requiresCompatibilities": ["FARGATE"],
            "networkMode": "awsvpc",
            "cpu": "256",
            "memory": "512",
            "containerDefinitions": [{"name": "report", "image": image, "essential": true}]
        }],
        "scheduledTasks": [{
            "Name": "nightly",
            "ScheduleExpression": expression,
            "ScheduleExpressionTimezone": "Europe/Paris",
            // Text, where GetSchedule answers epoch seconds (1893456000): no change to plan.
            "StartDate": "2030-01-01T01:00:00+01:00",
            "FlexibleTimeWindow": {"Mode": "FLEXIBLE", "MaximumWindowInMinutes": 15},
            "Target": {
                "Arn": "jobs",
                "RoleArn": ROLE,
                "EcsParameters": {
                    "TaskDefinitionArn": task_definition,
                    "LaunchType": "FARGATE",
                    "NetworkConfiguration": {"awsvpcConfiguration": {"Subnets": [subnet]}}
                }
            }
        }]
    }))
    .value
    .expect("a stack")
}

async fn deployer(account: &str, layer: &SchedulerScript, options: Options) -> Deployer {
    Deployer::new(support::ecs(account).await, options)
        .scheduler(support::scheduler::scheduler_at(&layer.url, account))
        .apply_options(ApplyOptions::no_wait())
}

fn changes(plan: &Plan) -> Vec<(String, Action)> {
    plan.changes
        .iter()
        .filter(|c| c.action != Action::NoChange)
        .map(|c| (c.address.to_string(), c.action))
        .collect()
}

fn owned(pairs: &[(&str, Action)]) -> Vec<(String, Action)> {
    pairs.iter().map(|(a, x)| ((*a).to_owned(), *x)).collect()
}

async fn revision_arn(deployer: &Deployer, revision: &str) -> String {
    let described = deployer
        .ecs()
        .call(
            Operation::DescribeTaskDefinition,
            &json!({"taskDefinition": revision}),
        )
        .await
        .expect("DescribeTaskDefinition");
    described["taskDefinition"]["taskDefinitionArn"]
        .as_str()
        .expect("an ARN")
        .to_owned()
}

/// The scripted layer in front of the local endpoint, an SDK client through it, and a default
/// subnet of `account`.
async fn setup(account: &str) -> (SchedulerScript, aws_sdk_scheduler::Client, String) {
    let layer = SchedulerScript::start(support::local_ecs::endpoint());
    let sdk = support::scheduler::client_at(&layer.url, account);
    let subnet = support::ec2::default_subnets(account)
        .await
        .into_iter()
        .next()
        .expect("a default subnet");
    (layer, sdk, subnet)
}

/// The schedule `nightly` of `group`, as the SDK's typed GetSchedule reads it.
async fn nightly(
    sdk: &aws_sdk_scheduler::Client,
    group: &str,
) -> aws_sdk_scheduler::operation::get_schedule::GetScheduleOutput {
    sdk.get_schedule()
        .name("nightly")
        .group_name(group)
        .send()
        .await
        .expect("GetSchedule")
}

#[tokio::test]
async fn scheduled_tasks_are_created_updated_repinned_pruned_and_destroyed() {
    let account = "310000000001";
    let (layer, sdk, subnet) = setup(account).await;
    let deployer = deployer(account, &layer, Options::new("sched")).await;
    let desired = stack("report:1", "cron(0 3 * * ? *)", "report", &subnet);

    // Created: the cluster and revision first, then the stack's group, then the schedule.
    let plan = deployer.plan(&desired).await.expect("plan");
    assert_eq!(
        changes(&plan),
        owned(&[
            ("cluster jobs", Action::Create),
            ("task definition report", Action::Create),
            ("schedule group ecs-rs-sched", Action::Create),
            ("schedule ecs-rs-sched/nightly", Action::Create),
        ])
    );
    let shown = serde_json::to_value(&plan.changes[3].steps[0]).expect("json");
    assert_eq!(shown["input"]["Target"]["Arn"], "(known after apply)");
    deployer.apply(&plan, |_| {}).await.expect("apply");

    // Read back through the SDK's own typed calls.
    let cluster_arn = deployer
        .ecs()
        .call(Operation::DescribeClusters, &json!({"clusters": ["jobs"]}))
        .await
        .expect("DescribeClusters")["clusters"][0]["clusterArn"]
        .as_str()
        .expect("an ARN")
        .to_owned();
    let first = revision_arn(&deployer, "report:1").await;
    let schedule = nightly(&sdk, "ecs-rs-sched").await;
    assert_eq!(schedule.schedule_expression(), Some("cron(0 3 * * ? *)"));
    assert_eq!(
        schedule.schedule_expression_timezone(),
        Some("Europe/Paris")
    );
    assert_eq!(
        schedule.start_date().map(|d| d.secs()),
        Some(1_893_456_000),
        "the StartDate written as text is sent as the instant it names"
    );
    let window = schedule.flexible_time_window().expect("a window");
    assert_eq!(window.mode().as_str(), "FLEXIBLE");
    assert_eq!(window.maximum_window_in_minutes(), Some(15));
    let target = schedule.target().expect("a target");
    assert_eq!(target.arn(), cluster_arn);
    assert_eq!(target.role_arn(), ROLE);
    let ecs = target.ecs_parameters().expect("ECS parameters");
    assert_eq!(ecs.task_definition_arn(), first);
    assert_eq!(ecs.launch_type().map(|l| l.as_str()), Some("FARGATE"));
    let vpc = ecs
        .network_configuration()
        .and_then(|n| n.awsvpc_configuration())
        .expect("awsvpc");
    assert_eq!(vpc.subnets(), std::slice::from_ref(&subnet));
    let group = sdk
        .get_schedule_group()
        .name("ecs-rs-sched")
        .send()
        .await
        .expect("GetScheduleGroup");
    let tags = sdk
        .list_tags_for_resource()
        .resource_arn(group.arn().unwrap_or_default())
        .send()
        .await
        .expect("ListTagsForResource");
    assert!(
        tags.tags()
            .iter()
            .any(|t| t.key() == "ecs-rs:stack" && t.value() == "sched"),
        "{tags:?}"
    );

    // Unchanged: nothing to do.
    let again = deployer.plan(&desired).await.expect("plan");
    assert!(!again.has_changes(), "{:#?}", again.changes);

    // A new expression: one UpdateSchedule, of one field, carrying the whole schedule.
    let hourly = stack("report:1", "rate(1 hour)", "report", &subnet);
    let plan = deployer.plan(&hourly).await.expect("plan");
    assert_eq!(
        changes(&plan),
        owned(&[("schedule ecs-rs-sched/nightly", Action::Update)])
    );
    let change = plan
        .changes
        .iter()
        .find(|c| c.action == Action::Update)
        .expect("the update");
    let paths: Vec<String> = change.fields.iter().map(|f| f.path.to_string()).collect();
    assert_eq!(paths, ["ScheduleExpression"]);
    let sent = change.steps[0].input();
    assert_eq!(sent["State"], "ENABLED");
    assert_eq!(sent["ScheduleExpressionTimezone"], "Europe/Paris");
    deployer.apply(&plan, |_| {}).await.expect("apply");
    let schedule = nightly(&sdk, "ecs-rs-sched").await;
    assert_eq!(schedule.schedule_expression(), Some("rate(1 hour)"));
    assert_eq!(schedule.state().map(|s| s.as_str()), Some("ENABLED"));
    assert!(!deployer.plan(&hourly).await.expect("plan").has_changes());

    // An image bump: a new revision, and the schedule re-pinned to it in the same apply.
    let bumped = stack("report:2", "rate(1 hour)", "report", &subnet);
    let plan = deployer.plan(&bumped).await.expect("plan");
    assert_eq!(
        changes(&plan),
        owned(&[
            ("task definition report", Action::Register),
            ("schedule ecs-rs-sched/nightly", Action::Update),
        ])
    );
    let change = &plan.changes[plan.changes.len() - 1];
    let fields: Vec<(String, Option<Value>)> = change
        .fields
        .iter()
        .map(|f| (f.path.to_string(), f.after.clone()))
        .collect();
    assert_eq!(
        fields,
        [(
            "Target.EcsParameters.TaskDefinitionArn".to_owned(),
            Some(json!("(known after apply)"))
        )]
    );
    deployer.apply(&plan, |_| {}).await.expect("apply");
    let second = revision_arn(&deployer, "report:2").await;
    let schedule = nightly(&sdk, "ecs-rs-sched").await;
    let pinned = schedule
        .target()
        .and_then(|t| t.ecs_parameters())
        .map(|e| e.task_definition_arn().to_owned());
    assert_eq!(pinned, Some(second.clone()));
    assert!(!deployer.plan(&bumped).await.expect("plan").has_changes());

    // Keep one revision: the schedule pinned to revision 1 keeps it; revision 2 goes once a
    // third is registered.
    let keeping = Deployer::new(
        support::ecs(account).await,
        Options::new("sched").keep_revisions(1),
    )
    .scheduler(support::scheduler::scheduler_at(&layer.url, account))
    .apply_options(ApplyOptions::no_wait());
    let pinned_to_first = stack("report:2", "rate(1 hour)", "report:1", &subnet);
    let plan = keeping.plan(&pinned_to_first).await.expect("plan");
    let retired = plan
        .changes
        .iter()
        .find(|c| matches!(c.address, ecs_deploy::Address::Revisions { .. }));
    assert!(retired.is_none(), "revision 1 is scheduled: {retired:#?}");
    keeping.apply(&plan, |_| {}).await.expect("apply");
    let third = stack("report:3", "rate(1 hour)", "report:1", &subnet);
    let plan = keeping.plan(&third).await.expect("plan");
    let retired = plan
        .changes
        .iter()
        .find(|c| matches!(c.address, ecs_deploy::Address::Revisions { .. }))
        .expect("old revisions retired");
    let deregistered: Vec<String> = retired
        .steps
        .iter()
        .map(|s| {
            s.input()["taskDefinition"]
                .as_str()
                .unwrap_or_default()
                .to_owned()
        })
        .collect();
    assert_eq!(
        deregistered,
        std::slice::from_ref(&second),
        "revision 1 stays: it is scheduled"
    );
    keeping.apply(&plan, |_| {}).await.expect("apply");
    let schedule = nightly(&sdk, "ecs-rs-sched").await;
    assert_eq!(
        schedule
            .target()
            .and_then(|t| t.ecs_parameters())
            .map(|e| e.task_definition_arn()),
        Some(first.as_str())
    );

    // Removed from the stack, with prune: the schedule goes, then the stack's group.
    let pruning = Deployer::new(
        support::ecs(account).await,
        Options::new("sched").prune(true),
    )
    .scheduler(support::scheduler::scheduler_at(&layer.url, account))
    .apply_options(ApplyOptions::no_wait());
    let mut without = third.clone();
    without.scheduled_tasks.clear();
    let plan = pruning.plan(&without).await.expect("plan");
    let pruned = changes(&plan);
    for expected in [
        "schedule ecs-rs-sched/nightly",
        "schedule group ecs-rs-sched",
    ] {
        assert!(
            pruned.contains(&(expected.to_owned(), Action::Delete)),
            "{pruned:?}"
        );
    }
    pruning.apply(&plan, |_| {}).await.expect("apply");
    let gone = sdk
        .get_schedule()
        .name("nightly")
        .group_name("ecs-rs-sched")
        .send()
        .await
        .expect_err("deleted");
    assert!(
        gone.as_service_error()
            .is_some_and(|e| e.is_resource_not_found_exception())
    );

    // Back, then destroyed: schedules, then the group, with the rest of the stack.
    deployer
        .apply(&deployer.plan(&third).await.expect("plan"), |_| {})
        .await
        .expect("apply");
    let plan = deployer.plan_destroy(&third).await.expect("plan destroy");
    let destroyed = changes(&plan);
    for expected in [
        "schedule ecs-rs-sched/nightly",
        "schedule group ecs-rs-sched",
        "cluster jobs",
    ] {
        assert!(
            destroyed.contains(&(expected.to_owned(), Action::Delete)),
            "{destroyed:?}"
        );
    }
    let position = |address: &str| destroyed.iter().position(|(a, _)| a == address);
    assert!(position("schedule ecs-rs-sched/nightly") < position("cluster jobs"));
    deployer.apply(&plan, |_| {}).await.expect("destroy");
    let group = sdk.get_schedule_group().name("ecs-rs-sched").send().await;
    assert!(
        group
            .expect_err("the group is gone")
            .as_service_error()
            .is_some_and(|e| e.is_resource_not_found_exception())
    );
}

#[tokio::test]
async fn a_group_the_stack_does_not_own_is_left_alone_and_aws_defaults_are_no_change() {
    let account = "310000000002";
    let (layer, sdk, subnet) = setup(account).await;

    // A group made by someone else, without the stack's tag.
    sdk.create_schedule_group()
        .name("shared")
        .send()
        .await
        .expect("CreateScheduleGroup");
    // AWS refuses a second group of that name (moto would silently replace it).
    let again = sdk.create_schedule_group().name("shared").send().await;
    assert!(
        again
            .expect_err("a conflict")
            .as_service_error()
            .is_some_and(|e| e.is_conflict_exception())
    );
    // And a schedule in a group that does not exist is ResourceNotFound, classified as such.
    let scheduler = support::scheduler::scheduler_at(&layer.url, account);
    let missing = scheduler
        .call(
            Operation::CreateSchedule,
            &json!({"Name": "x", "GroupName": "nowhere", "ScheduleExpression": "rate(1 hour)",
                    "FlexibleTimeWindow": {"Mode": "OFF"},
                    "Target": {"Arn": "arn:aws:ecs:us-east-1:310000000002:cluster/jobs", "RoleArn": ROLE}}),
        )
        .await
        .expect_err("no such group");
    assert!(missing.is_not_found(), "{missing:?}");

    let deployer = deployer(account, &layer, Options::new("mine")).await;
    let mut foreign = stack("report:1", "rate(1 hour)", "report", &subnet);
    foreign.scheduled_tasks[0].group_name = Some("shared".into());
    let plan = deployer.plan(&foreign).await.expect("plan");
    let of = |address: &str| {
        plan.changes
            .iter()
            .find(|c| c.address.to_string() == address)
            .map(|c| c.action)
    };
    assert_eq!(of("schedule group shared"), Some(Action::NotManaged));
    assert_eq!(of("schedule shared/nightly"), Some(Action::NotManaged));
    let before = layer.played().len();
    deployer.apply(&plan, |_| {}).await.expect("apply");
    assert_eq!(
        layer.played()[before..],
        [] as [String; 0],
        "the engine never created the group again, nor a schedule in it"
    );
    let listed = sdk
        .list_schedules()
        .group_name("shared")
        .send()
        .await
        .expect("ListSchedules");
    assert!(
        listed.schedules().is_empty(),
        "nothing was put in a group not the stack's"
    );

    // In the stack's own group; then the schedule rewritten by hand with AWS's defaults left
    // out (UpdateSchedule resets them): the next plan sees no change.
    let own = stack("report:1", "rate(1 hour)", "report", &subnet);
    let plan = deployer.plan(&own).await.expect("plan");
    deployer.apply(&plan, |_| {}).await.expect("apply");
    let current = nightly(&sdk, "ecs-rs-mine").await;
    let target = current.target().expect("a target");
    let ecs = target.ecs_parameters().expect("ECS parameters");
    let bare_ecs = aws_sdk_scheduler::types::EcsParameters::builder()
        .task_definition_arn(ecs.task_definition_arn())
        .launch_type(aws_sdk_scheduler::types::LaunchType::Fargate)
        .network_configuration(
            aws_sdk_scheduler::types::NetworkConfiguration::builder()
                .awsvpc_configuration(
                    aws_sdk_scheduler::types::AwsVpcConfiguration::builder()
                        .subnets(subnet.clone())
                        .build()
                        .expect("awsvpc"),
                )
                .build(),
        )
        .build()
        .expect("ECS parameters");
    sdk.update_schedule()
        .name("nightly")
        .group_name("ecs-rs-mine")
        .schedule_expression("rate(1 hour)")
        .schedule_expression_timezone("Europe/Paris")
        // The stack's StartDate, as the SDK sends it (epoch seconds), where the stack has text.
        .start_date(aws_sdk_scheduler::primitives::DateTime::from_secs(
            1_893_456_000,
        ))
        .flexible_time_window(
            aws_sdk_scheduler::types::FlexibleTimeWindow::builder()
                .mode(aws_sdk_scheduler::types::FlexibleTimeWindowMode::Flexible)
                .maximum_window_in_minutes(15)
                .build()
                .expect("window"),
        )
        .target(
            aws_sdk_scheduler::types::Target::builder()
                .arn(target.arn())
                .role_arn(ROLE)
                .ecs_parameters(bare_ecs)
                .build()
                .expect("target"),
        )
        .send()
        .await
        .expect("UpdateSchedule");
    let plan = deployer.plan(&own).await.expect("plan");
    assert!(!plan.has_changes(), "{:#?}", plan.changes);
}
