//! The shop example (`examples/json/shop-stack.json`, printed by `examples/shop.rs`) run as a
//! new user runs it, with the `ecs-deploy` binary against a local endpoint of its own: `plan`
//! shows every resource, `apply` creates them, a second `plan --detailed-exitcode` finds nothing
//! to change, `run --task migrate --wait` exits with the migration's exit code, each link is read
//! back through the AWS SDKs, and `destroy` removes it all.
//!
//! The load balancer `shop-alb` and its listener, which the stack looks up by name, are made
//! first through the SDK, as a user makes them outside the stack.
//!
//! What moto lacks is played by the scripted layers, chained in front of it:
//! [`Scripted`] (one-off tasks that stop with an exit code, Application Auto Scaling as AWS
//! answers it) forwards to [`TargetGroupRules`] (ECS
//! refuses a service bound to a target group no load balancer uses), which forwards to
//! [`SchedulerScript`] (EventBridge Scheduler's conflicts, missing groups and defaults), which
//! forwards to moto. moto is started with
//! `MOTO_ECS_SERVICE_RUNNING=1`, so the services' first deployments complete and `apply`
//! follows them to the end, as the demo does.

use std::path::Path;

use aws_sdk_applicationautoscaling::types::ServiceNamespace;

use crate::support;
use crate::support::script::Scripted;
use crate::support::script::load_balancing::{TargetGroupRules, load_balancer};
use crate::support::script::scheduler::SchedulerScript;

const FILE: &str = "examples/json/shop-stack.json";

/// `ecs-deploy COMMAND --stack FILE MORE...` run as [`cli`] runs it: the stack's name, `shop`,
/// is the file's `name`.
async fn shop(url: &str, command: &str, more: &[&str]) -> (Option<i32>, String) {
    let mut args = vec![command, "--stack", FILE];
    args.extend_from_slice(more);
    cli(url, &args).await
}

/// `ecs-deploy ARGS` run from the repository root against `url`, on a blocking thread (the
/// scripted layers of this test answer on the runtime): its exit code and stdout (stderr
/// appended, for the assertion messages).
async fn cli(url: &str, args: &[&str]) -> (Option<i32>, String) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut command = support::cli_at(url);
    command.current_dir(root).args(args);
    let output = tokio::task::spawn_blocking(move || command.output())
        .await
        .expect("the CLI ran")
        .expect("ecs-deploy runs");
    let mut text = String::from_utf8_lossy(&output.stdout).into_owned();
    text.push_str(&String::from_utf8_lossy(&output.stderr));
    (output.status.code(), text)
}

#[tokio::test(flavor = "multi_thread")]
async fn the_shop_example_plans_applies_runs_reads_back_and_destroys() {
    let moto = support::local_ecs::start_with(&[("MOTO_ECS_SERVICE_RUNNING", "1")]);
    let scheduler = SchedulerScript::start(&moto.url);
    let rules = TargetGroupRules::start(&scheduler.url);
    let scripted = Scripted::start(&rules.url);
    scripted.play_autoscaling();
    scripted.task_exit("migrate", 3, "migration failed");
    let url = scripted.url.clone();
    let config = support::clients::sdk_config(&moto.url).await;
    let listener_arn = make_load_balancer(&config).await;

    // 1. The plan shows every resource of the file.
    let (code, plan) = shop(&url, "plan", &[]).await;
    assert_eq!(code, Some(0), "{plan}");
    assert!(
        plan.starts_with("Plan for stack \"shop\" (tag ecs-rs:stack=shop):"),
        "the file's name: {plan}"
    );
    let blocks: Vec<&str> = plan.lines().filter(|l| l.starts_with("+ ")).collect();
    assert_eq!(
        blocks,
        [
            "+ namespace shop.internal: create",
            "+ discovery service shop.internal/web: create",
            "+ discovery service shop.internal/api: create",
            "+ target group shop-web: create",
            "+ listener rule shop-web of name:shop-alb:80: create",
            "+ cluster shop: create",
            "+ task definition web: create",
            "+ task definition api: create",
            "+ task definition report: create",
            "+ task definition migrate: create",
            "+ service shop/web: create",
            "+ service shop/api: create",
            "+ scaling of service shop/api: create",
            "+ schedule group ecs-rs-shop: create",
            "+ schedule ecs-rs-shop/shop-nightly-report: create",
        ],
        "{plan}"
    );
    // The look-ups, each resolved once and shown.
    for lookup in [
        "lookup: scheduled task shop-nightly-report, Subnets \"default\" -> subnet-",
        "lookup: target group shop-web, VpcId \"default\" -> vpc-",
        "lookup: service api, securityGroups \"default\" -> sg-",
    ] {
        assert!(
            plan.lines().any(|l| l.starts_with(lookup)),
            "no {lookup} in\n{plan}"
        );
    }

    // 2. apply creates it and follows the deployments; 3. the plan after it has no change.
    let (code, applied) = shop(&url, "apply", &["--auto-approve", "--wait-interval", "1"]).await;
    assert_eq!(code, Some(0), "{applied}");
    let (code, again) = shop(&url, "plan", &["--detailed-exitcode"]).await;
    assert_eq!(code, Some(0), "the second plan has changes:\n{again}");

    // 4. The migration runs and its exit code is the command's.
    let (code, ran) = shop(
        &url,
        "run",
        &["--task", "migrate", "--wait", "--wait-interval", "1"],
    )
    .await;
    assert_eq!(code, Some(3), "{ran}");
    assert!(
        ran.lines()
            .any(|l| l == "  container migrate: exit code 3: migration failed"),
        "{ran}"
    );
    let requests = scripted.run_task_requests();
    assert_eq!(requests.len(), 1, "{requests:#?}");
    let ec2 = aws_sdk_ec2::Client::new(&config);
    let described = ec2
        .describe_subnets()
        .send()
        .await
        .expect("DescribeSubnets");
    let mut by_zone: Vec<(&str, &str)> = described
        .subnets()
        .iter()
        .filter(|s| s.default_for_az() == Some(true))
        .filter_map(|s| Some((s.availability_zone()?, s.subnet_id()?)))
        .collect();
    by_zone.sort();
    let default_subnets: Vec<&str> = by_zone.into_iter().map(|(_, id)| id).collect();
    assert_eq!(
        requests[0]["networkConfiguration"]["awsvpcConfiguration"]["subnets"],
        serde_json::json!(default_subnets),
        "the migration runs in the services' network, look-ups resolved"
    );

    // 5. Each link, read back through the SDKs.
    let ecs = aws_sdk_ecs::Client::new(&config);
    let cloud_map = aws_sdk_servicediscovery::Client::new(&config);
    let elb = aws_sdk_elasticloadbalancingv2::Client::new(&config);
    let scaling = aws_sdk_applicationautoscaling::Client::new(&config);
    let schedules = aws_sdk_scheduler::Client::new(&config);

    let cluster = ecs
        .describe_clusters()
        .clusters("shop")
        .send()
        .await
        .expect("DescribeClusters");
    let cluster = &cluster.clusters()[0];
    let cluster_arn = cluster.cluster_arn().expect("the cluster's ARN");
    assert_eq!(cluster.capacity_providers(), ["FARGATE", "FARGATE_SPOT"]);
    let strategy: Vec<(&str, i32, i32)> = cluster
        .default_capacity_provider_strategy()
        .iter()
        .map(|s| (s.capacity_provider(), s.weight(), s.base()))
        .collect();
    assert_eq!(strategy, [("FARGATE", 1, 1), ("FARGATE_SPOT", 3, 0)]);

    // The discovery services, by name, and the ECS services registered in them.
    let listed = cloud_map
        .list_services()
        .send()
        .await
        .expect("ListServices");
    let discovery_arn = |name: &str| {
        listed
            .services()
            .iter()
            .find(|s| s.name() == Some(name))
            .and_then(|s| s.arn())
            .unwrap_or_else(|| panic!("no discovery service {name}"))
            .to_owned()
    };
    let services = ecs
        .describe_services()
        .cluster("shop")
        .services("web")
        .services("api")
        .send()
        .await
        .expect("DescribeServices");
    for service in services.services() {
        let name = service.service_name().expect("a name");
        let registries: Vec<&str> = service
            .service_registries()
            .iter()
            .filter_map(|r| r.registry_arn())
            .collect();
        assert_eq!(registries, [discovery_arn(name)], "service {name}");
    }
    assert_eq!(services.services().len(), 2);

    // The target group, in the default VPC (the look-up `default` of its VpcId).
    let default_vpc = support::ec2::default_vpc(&ec2).await;
    let groups = elb
        .describe_target_groups()
        .names("shop-web")
        .send()
        .await
        .expect("DescribeTargetGroups");
    let group = &groups.target_groups()[0];
    assert_eq!(group.vpc_id(), Some(default_vpc.as_str()));
    let group_arn = group.target_group_arn().expect("the group's ARN");

    // web is bound to the group, by its ARN, and the stack's rule forwards to it.
    let web = services
        .services()
        .iter()
        .find(|s| s.service_name() == Some("web"))
        .expect("web");
    let bindings: Vec<(Option<&str>, Option<&str>, Option<i32>)> = web
        .load_balancers()
        .iter()
        .map(|b| (b.target_group_arn(), b.container_name(), b.container_port()))
        .collect();
    assert_eq!(bindings, [(Some(group_arn), Some("web"), Some(80))]);
    let described = elb
        .describe_rules()
        .listener_arn(&listener_arn)
        .send()
        .await
        .expect("DescribeRules");
    let forwards: Vec<Option<&str>> = described
        .rules()
        .iter()
        .filter(|r| r.priority() == Some("10"))
        .flat_map(|r| r.actions())
        .map(|a| a.target_group_arn())
        .collect();
    assert_eq!(forwards, [Some(group_arn)]);

    // api's scalable target, its CPU policy and its scheduled action.
    let targets = scaling
        .describe_scalable_targets()
        .service_namespace(ServiceNamespace::Ecs)
        .resource_ids("service/shop/api")
        .send()
        .await
        .expect("DescribeScalableTargets");
    let target = &targets.scalable_targets()[0];
    assert_eq!((target.min_capacity(), target.max_capacity()), (1, 4));
    let policies = scaling
        .describe_scaling_policies()
        .service_namespace(ServiceNamespace::Ecs)
        .resource_id("service/shop/api")
        .send()
        .await
        .expect("DescribeScalingPolicies");
    let policy = &policies.scaling_policies()[0];
    assert_eq!(policy.policy_name(), "api-cpu");
    let tracking = policy
        .target_tracking_scaling_policy_configuration()
        .expect("target tracking");
    assert_eq!(tracking.target_value(), 60.0);
    assert_eq!(
        tracking
            .predefined_metric_specification()
            .map(|m| m.predefined_metric_type().as_str()),
        Some("ECSServiceAverageCPUUtilization")
    );
    let actions = scaling
        .describe_scheduled_actions()
        .service_namespace(ServiceNamespace::Ecs)
        .resource_id("service/shop/api")
        .send()
        .await
        .expect("DescribeScheduledActions");
    assert_eq!(
        actions.scheduled_actions()[0].scheduled_action_name(),
        "api-night"
    );

    // The schedule: the cluster's ARN, the role, the report revision, the default subnets.
    let report = ecs
        .describe_task_definition()
        .task_definition("report")
        .send()
        .await
        .expect("DescribeTaskDefinition");
    let report_arn = report
        .task_definition()
        .and_then(|t| t.task_definition_arn())
        .expect("report's ARN");
    let schedule = schedules
        .get_schedule()
        .name("shop-nightly-report")
        .group_name("ecs-rs-shop")
        .send()
        .await
        .expect("GetSchedule");
    let target = schedule.target().expect("a target");
    assert_eq!(target.arn(), cluster_arn);
    assert_eq!(
        target.role_arn(),
        "arn:aws:iam::123456789012:role/shop-scheduler"
    );
    let parameters = target.ecs_parameters().expect("EcsParameters");
    assert_eq!(parameters.task_definition_arn(), report_arn);
    let subnets = parameters
        .network_configuration()
        .and_then(|n| n.awsvpc_configuration())
        .map(|a| a.subnets().to_vec())
        .unwrap_or_default();
    let mut expected: Vec<String> = default_subnets.iter().map(|s| (*s).to_owned()).collect();
    expected.sort();
    let mut subnets = subnets;
    subnets.sort();
    assert_eq!(
        subnets, expected,
        "the schedule's `default` subnets, resolved"
    );
    assert_eq!(
        schedule.schedule_expression_timezone(),
        Some("Europe/Paris")
    );

    // 6. destroy removes everything.
    let (code, destroyed) =
        shop(&url, "destroy", &["--auto-approve", "--wait-interval", "1"]).await;
    assert_eq!(code, Some(0), "{destroyed}");
    let left = ecs
        .describe_clusters()
        .clusters("shop")
        .send()
        .await
        .expect("DescribeClusters");
    assert!(
        left.clusters()
            .iter()
            .all(|c| c.status() == Some("INACTIVE")),
        "{left:?}"
    );
    let namespaces = cloud_map
        .list_namespaces()
        .send()
        .await
        .expect("ListNamespaces");
    assert!(namespaces.namespaces().is_empty(), "{namespaces:?}");
    let listed = cloud_map
        .list_services()
        .send()
        .await
        .expect("ListServices");
    assert!(listed.services().is_empty(), "{listed:?}");
    let groups = elb.describe_target_groups().send().await;
    assert!(
        groups
            .as_ref()
            .map_or(true, |g| g.target_groups().is_empty()),
        "{groups:?}"
    );
    let targets = scaling
        .describe_scalable_targets()
        .service_namespace(ServiceNamespace::Ecs)
        .send()
        .await
        .expect("DescribeScalableTargets");
    assert!(targets.scalable_targets().is_empty(), "{targets:?}");
    let gone = schedules
        .get_schedule_group()
        .name("ecs-rs-shop")
        .send()
        .await;
    assert!(gone.is_err(), "the schedule group is left: {gone:?}");
}

/// Makes the load balancer `shop-alb` in two default subnets and its HTTP listener on port 80,
/// which the stack's listener rule looks up by name; returns the listener's ARN.
async fn make_load_balancer(config: &aws_types::SdkConfig) -> String {
    let subnets = support::ec2::default_subnets_of(&aws_sdk_ec2::Client::new(config)).await;
    let elb = aws_sdk_elasticloadbalancingv2::Client::new(config);
    load_balancer(&elb, "shop-alb", &subnets).await.1
}
