//! A whole application, the stack of issue 10: two Fargate services, `web` and `api`, that find
//! each other through AWS Cloud Map, `web` with a target group of its own, `api` autoscaled,
//! on a cluster mixing FARGATE and FARGATE_SPOT, plus a nightly `report` task run by EventBridge
//! Scheduler and a one-off `migrate` task for `ecs-deploy run`. Declared with `stack!` and
//! printed as the stack file `examples/json/shop-stack.json` (a test keeps the two equal).
//!
//! ```sh
//! cargo run --example shop > shop-stack.json
//! ecs-deploy plan --stack shop-stack.json
//! ```
//!
//! Every value is a literal, so the whole rule set ran while this file compiled, across
//! resources too: a `registry_arn` naming a discovery service the stack does not declare, a
//! discovery service in an unknown namespace, a scaling policy without its scalable target, a
//! scalable target above its maximum or a scheduled task naming a family the stack does not hold
//! stops the build at that token.
//!
//! Nothing names an account: subnets and security groups (of the services and the scheduled
//! task), the namespace's VPC and the target group's VPC are the look-up `default`, resolved
//! through EC2 when the stack is planned. The load balancer `shop-alb` and its HTTP listener on
//! port 80 are made outside the stack (they are looked up by name): the stack's listener rule
//! forwards `/*` to its target group `shop-web`, which attaches the group, so `web` can be bound
//! to it in the same apply (ECS refuses a service bound to a group no load balancer uses).

use ecs_rs::dsl::stack;

fn main() -> Result<(), serde_json::Error> {
    let shop = stack! {
        name: "shop",
        clusters: [{
            cluster_name: "shop",
            capacity_providers: ["FARGATE", "FARGATE_SPOT"],
            // For services and tasks started without a launch type or a strategy of their own:
            // one always on FARGATE, then three on Spot for each one on demand.
            default_capacity_provider_strategy: [
                { capacity_provider: "FARGATE", base: 1, weight: 1 },
                { capacity_provider: "FARGATE_SPOT", weight: 3 },
            ],
        }],
        namespaces: [{
            name: "shop.internal",
            vpc: "default",
            description: "east-west traffic of the shop",
        }],
        discovery_services: [
            {
                name: "web",
                namespace_id: "shop.internal",
                dns_config: { routing_policy: MULTIVALUE, dns_records: [{ r#type: A, ttl: 10 }] },
                health_check_custom_config: { failure_threshold: 1 },
            },
            {
                name: "api",
                namespace_id: "shop.internal",
                dns_config: { routing_policy: MULTIVALUE, dns_records: [{ r#type: A, ttl: 10 }] },
                health_check_custom_config: { failure_threshold: 1 },
            },
        ],
        target_groups: [{
            name: "shop-web",
            protocol: HTTP,
            port: 80,
            vpc_id: "default",
            target_type: ip,
            health_check_path: "/health",
        }],
        task_definitions: [
            {
                family: "web",
                requires_compatibilities: [FARGATE],
                network_mode: awsvpc,
                cpu: "256",
                memory: "512",
                container_definitions: [{
                    name: "web",
                    image: "public.ecr.aws/nginx/nginx:1.27",
                    memory: 256,
                    port_mappings: [{ container_port: 80 }],
                    environment: [{ name: "API_URL", value: "http://api.shop.internal:8080" }],
                }],
            },
            {
                family: "api",
                requires_compatibilities: [FARGATE],
                network_mode: awsvpc,
                cpu: "256",
                memory: "512",
                container_definitions: [{
                    name: "api",
                    image: "ghcr.io/example/shop-api:1.4",
                    memory: 256,
                    port_mappings: [{ container_port: 8080 }],
                    environment: [{ name: "WEB_URL", value: "http://web.shop.internal" }],
                }],
            },
            {
                family: "report",
                requires_compatibilities: [FARGATE],
                network_mode: awsvpc,
                cpu: "256",
                memory: "512",
                container_definitions: [{
                    name: "report",
                    image: "ghcr.io/example/shop-api:1.4",
                    memory: 256,
                    command: ["bin/report", "--yesterday"],
                    environment: [{ name: "API_URL", value: "http://api.shop.internal:8080" }],
                }],
            },
            {
                family: "migrate",
                requires_compatibilities: [FARGATE],
                network_mode: awsvpc,
                cpu: "256",
                memory: "512",
                container_definitions: [{
                    name: "migrate",
                    image: "ghcr.io/example/shop-api:1.4",
                    memory: 256,
                    command: ["bin/migrate", "up"],
                }],
            },
        ],
        services: [
            {
                service_name: "web",
                cluster: "shop",
                task_definition: "web",
                desired_count: 1,
                // FARGATE, not the cluster's mix: the local endpoint (moto) drops a service's
                // strategy and gives a service without a launch type EC2, so the next plan there
                // would show a change. On AWS, leave both out to run on the cluster's mix.
                launch_type: FARGATE,
                network_configuration: {
                    awsvpc_configuration: { subnets: ["default"], security_groups: ["default"] },
                },
                // By name: the target group `shop-web` and the discovery service `web` above.
                load_balancers: [{
                    target_group_arn: "shop-web",
                    container_name: "web",
                    container_port: 80,
                }],
                service_registries: [{ registry_arn: "web" }],
            },
            {
                service_name: "api",
                cluster: "shop",
                task_definition: "api",
                desired_count: 1,
                launch_type: FARGATE,
                network_configuration: {
                    awsvpc_configuration: { subnets: ["default"], security_groups: ["default"] },
                },
                service_registries: [{ registry_arn: "api" }],
            },
        ],
        listener_rules: [{
            // The HTTP listener on port 80 of the load balancer `shop-alb`, looked up by name.
            listener_arn: "name:shop-alb:80",
            priority: 10,
            conditions: [{ field: "path-pattern", path_pattern_config: { values: ["/*"] } }],
            actions: [{ r#type: forward, target_group_arn: "shop-web" }],
            tags: [{ key: "Name", value: "shop-web" }],
        }],
        scaling: {
            scalable_targets: [{
                service_namespace: ecs,
                resource_id: "service/shop/api",
                scalable_dimension: "ecs:service:DesiredCount",
                min_capacity: 1,
                max_capacity: 4,
            }],
            scaling_policies: [{
                policy_name: "api-cpu",
                service_namespace: ecs,
                resource_id: "service/shop/api",
                scalable_dimension: "ecs:service:DesiredCount",
                policy_type: TargetTrackingScaling,
                target_tracking_scaling_policy_configuration: {
                    target_value: 60.0,
                    predefined_metric_specification: {
                        predefined_metric_type: ECSServiceAverageCPUUtilization,
                    },
                },
            }],
            scheduled_actions: [{
                scheduled_action_name: "api-night",
                service_namespace: ecs,
                resource_id: "service/shop/api",
                scalable_dimension: "ecs:service:DesiredCount",
                schedule: "cron(0 22 * * ? *)",
                scalable_target_action: { min_capacity: 1, max_capacity: 2 },
            }],
        },
        scheduled_tasks: [{
            name: "shop-nightly-report",
            schedule_expression: "cron(30 2 * * ? *)",
            schedule_expression_timezone: "Europe/Paris",
            flexible_time_window: { mode: FLEXIBLE, maximum_window_in_minutes: 15 },
            target: {
                // The cluster and the family by name: the plan writes their ARNs.
                arn: "shop",
                role_arn: "arn:aws:iam::123456789012:role/shop-scheduler",
                ecs_parameters: {
                    task_definition_arn: "report",
                    launch_type: FARGATE,
                    network_configuration: {
                        awsvpc_configuration: {
                            subnets: ["default"],
                            security_groups: ["default"],
                        },
                    },
                },
            },
        }],
    };
    println!("{}", serde_json::to_string_pretty(&shop)?);
    Ok(())
}
