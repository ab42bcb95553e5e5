//! A stack with every kind an ECS service links to: a Cloud Map namespace of each kind and a
//! discovery service, a target group, autoscaling and a scheduled task, each written with the
//! snake_case names of its API's members.
use ecs_dsl::model::Namespace;
use ecs_dsl::model::autoscaling::ScalableDimension;
use ecs_dsl::model::cloud_map::RecordType;
use ecs_dsl::model::load_balancing::TargetTypeEnum;
use ecs_dsl::model::scheduler::FlexibleTimeWindowMode;

fn main() {
    let stack = ecs_dsl::stack! {
        clusters: [{ cluster_name: "demo" }],
        task_definitions: [
            {
                family: "api",
                requires_compatibilities: [FARGATE],
                network_mode: awsvpc,
                cpu: 256,
                memory: 512,
                container_definitions: [{
                    name: "api",
                    image: "example/api:1",
                    port_mappings: [{ container_port: 8080, name: "http" }],
                }],
            },
            {
                family: "report",
                container_definitions: [{ name: "report", image: "example/report:1", memory: 128 }],
            },
        ],
        services: [{
            service_name: "api",
            cluster: "demo",
            task_definition: "api",
            desired_count: 2,
            launch_type: FARGATE,
            network_configuration: { awsvpc_configuration: { subnets: ["subnet-0123456789abcdef0"] } },
            service_registries: [{ registry_arn: "api" }],
            load_balancers: [{ target_group_arn: "api", container_name: "api", container_port: 8080 }],
        }],
        namespaces: [
            { name: "internal.local", vpc: "vpc-0123456789abcdef0", description: "private DNS" },
            { name: "shop" },
        ],
        discovery_services: [{
            name: "api",
            namespace_id: "internal.local",
            dns_config: { routing_policy: MULTIVALUE, dns_records: [{ r#type: A, ttl: 10 }] },
            health_check_custom_config: { failure_threshold: 1 },
        }],
        target_groups: [{
            name: "api",
            protocol: HTTP,
            port: 8080,
            target_type: ip,
            vpc_id: "vpc-0123456789abcdef0",
            health_check_path: "/health",
            health_check_interval_seconds: 15,
            matcher: { http_code: "200-299" },
        }],
        scaling: {
            scalable_targets: [{
                service_namespace: ecs,
                resource_id: "service/demo/api",
                scalable_dimension: "ecs:service:DesiredCount",
                min_capacity: 2,
                max_capacity: 10,
            }],
            scaling_policies: [{
                policy_name: "cpu",
                service_namespace: ecs,
                resource_id: "service/demo/api",
                scalable_dimension: "ecs:service:DesiredCount",
                policy_type: TargetTrackingScaling,
                target_tracking_scaling_policy_configuration: {
                    target_value: 60.0,
                    predefined_metric_specification: {
                        predefined_metric_type: ECSServiceAverageCPUUtilization,
                    },
                    scale_in_cooldown: 120,
                },
            }],
            scheduled_actions: [{
                scheduled_action_name: "night",
                service_namespace: ecs,
                resource_id: "service/demo/api",
                scalable_dimension: "ecs:service:DesiredCount",
                schedule: "cron(0 22 * * ? *)",
                scalable_target_action: { max_capacity: 2 },
            }],
        },
        scheduled_tasks: [{
            name: "nightly-report",
            schedule_expression: "cron(0 3 * * ? *)",
            schedule_expression_timezone: "Europe/Paris",
            flexible_time_window: { mode: FLEXIBLE, maximum_window_in_minutes: 15 },
            target: {
                arn: "demo",
                role_arn: "arn:aws:iam::123456789012:role/scheduler",
                ecs_parameters: { task_definition_arn: "report", task_count: 1 },
            },
        }],
    };

    assert!(
        matches!(&stack.namespaces[0], Namespace::PrivateDns(ns) if ns.vpc.as_deref() == Some("vpc-0123456789abcdef0"))
    );
    assert!(
        matches!(&stack.namespaces[1], Namespace::Http(ns) if ns.name.as_deref() == Some("shop"))
    );
    let records = stack.discovery_services[0]
        .dns_config
        .as_ref()
        .and_then(|dns| dns.dns_records.as_ref())
        .expect("records");
    assert_eq!(records[0].r#type, Some(RecordType::A));
    assert_eq!(records[0].ttl, Some(10));
    assert_eq!(stack.target_groups[0].target_type, Some(TargetTypeEnum::Ip));
    assert_eq!(stack.target_groups[0].port, Some(8080));
    let target = &stack.scaling.scalable_targets[0];
    assert_eq!(
        target.scalable_dimension,
        Some(ScalableDimension::EcsServiceDesiredCount)
    );
    assert_eq!(
        (target.min_capacity, target.max_capacity),
        (Some(2), Some(10))
    );
    assert_eq!(stack.scaling.scaling_policies.len(), 1);
    assert_eq!(stack.scaling.scheduled_actions.len(), 1);
    let window = stack.scheduled_tasks[0]
        .flexible_time_window
        .as_ref()
        .expect("window");
    assert_eq!(window.mode, Some(FlexibleTimeWindowMode::Flexible));

    // The JSON is the stack file AWS's own inputs make, with the APIs' member names.
    let json = serde_json::to_value(&stack).expect("serialize");
    assert_eq!(json["namespaces"][0]["Vpc"], "vpc-0123456789abcdef0");
    assert_eq!(
        json["discoveryServices"][0]["DnsConfig"]["DnsRecords"][0]["TTL"],
        10
    );
    assert_eq!(json["scaling"]["scalableTargets"][0]["MinCapacity"], 2);
    assert_eq!(
        json["scheduledTasks"][0]["Target"]["EcsParameters"]["TaskDefinitionArn"],
        "report"
    );
    assert!(ecs_dsl::model::validate_stack(&stack).is_empty());

    // Values computed at run time: a whole namespace, a unit, an API's enum and a bound.
    let private = serde_json::from_value::<Namespace>(serde_json::json!({
        "Name": "internal.local", "Vpc": "vpc-0123456789abcdef0"
    }))
    .expect("a namespace");
    let max = 4 + 4;
    let stack = ecs_dsl::try_stack! {
        namespaces: [private, { name: "shop" }],
        target_groups: [{
            name: "api",
            port: ecs_dsl::units::Port::HTTP,
            health_check_interval_seconds: std::time::Duration::from_secs(20),
            target_type: (TargetTypeEnum::Ip),
        }],
        scaling: {
            scalable_targets: [{
                service_namespace: ecs,
                resource_id: "service/demo/api",
                scalable_dimension: "ecs:service:DesiredCount",
                min_capacity: 1,
                max_capacity: max,
            }],
        },
    }
    .expect("valid");
    assert!(matches!(stack.namespaces[0], Namespace::PrivateDns(_)));
    assert_eq!(stack.target_groups[0].port, Some(80));
    assert_eq!(
        stack.target_groups[0].health_check_interval_seconds,
        Some(20)
    );
    assert_eq!(stack.scaling.scalable_targets[0].max_capacity, Some(8));

    // The same rules run on what the expressions turn out to be.
    let min = 9;
    // The service and its cluster and task definition are named by ARN: they already exist.
    let invalid = ecs_dsl::try_stack! {
        services: [{
            service_name: "api",
            cluster: "arn:aws:ecs:us-east-1:123456789012:cluster/demo",
            task_definition: "arn:aws:ecs:us-east-1:123456789012:task-definition/api:1",
            desired_count: 1,
        }],
        scaling: {
            scalable_targets: [{
                service_namespace: ecs,
                resource_id: "service/demo/api",
                scalable_dimension: "ecs:service:DesiredCount",
                min_capacity: min,
                max_capacity: 2,
            }],
        },
    };
    let codes: Vec<String> = invalid
        .expect_err("min above max")
        .diagnostics()
        .iter()
        .map(|d| d.code.to_string())
        .collect();
    assert!(
        codes.iter().any(|c| c == "stack-scaling-capacity"),
        "{codes:?}"
    );
}
