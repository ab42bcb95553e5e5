//! A Fargate service behind an Application Load Balancer, with the deployment circuit breaker
//! rolling back a failed deployment, declared as one `try_stack!` and printed as a stack file.
//!
//! ```sh
//! IMAGE_TAG=1.27 cargo run --example fargate_service > stack.json
//! cargo run -p ecs-deploy -- validate stack.json
//! ```
//!
//! The image tag comes from the environment, so the stack is declared with `try_stack!`, which
//! returns a `Result`: the rules that can depend on the tag run again on the built value. Everything else was checked while compiling,
//! across resources too: the load balancer's `container_name` and `container_port` must be a
//! container and port of the task definition (`stack-load-balancer-container`).

use ecs_rs::dsl::try_stack;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let tag = std::env::var("IMAGE_TAG").unwrap_or_else(|_| "1.27".to_owned());
    let stack = try_stack! {
        name: "shop",
        clusters: [{
            cluster_name: "shop",
            capacity_providers: ["FARGATE", "FARGATE_SPOT"],
            default_capacity_provider_strategy: [
                { capacity_provider: "FARGATE", base: 1, weight: 1 },
            ],
            settings: [{ name: containerInsights, value: "enabled" }],
        }],
        task_definitions: [{
            family: "storefront",
            requires_compatibilities: [FARGATE],
            network_mode: awsvpc,
            cpu: "512",
            memory: "1 GB",
            execution_role_arn: "arn:aws:iam::123456789012:role/ecsTaskExecutionRole",
            container_definitions: [{
                name: "storefront",
                image: format!("public.ecr.aws/nginx/nginx:{tag}"),
                port_mappings: [{ container_port: 80, protocol: tcp, name: "http" }],
                health_check: {
                    command: ["CMD-SHELL", "curl -fs http://localhost/ || exit 1"],
                    interval: 30,
                    timeout: 5,
                    retries: 3,
                    start_period: 10,
                },
                log_configuration: {
                    log_driver: awslogs,
                    options: {
                        "awslogs-group": "/ecs/storefront",
                        "awslogs-region": "us-east-1",
                        "awslogs-stream-prefix": "web",
                    },
                },
            }],
        }],
        services: [{
            service_name: "storefront",
            cluster: "shop",
            task_definition: "storefront",
            desired_count: 3,
            launch_type: FARGATE,
            network_configuration: {
                awsvpc_configuration: {
                    subnets: ["subnet-0123456789abcdef0", "subnet-0fedcba9876543210"],
                    security_groups: ["sg-0123456789abcdef0"],
                    assign_public_ip: DISABLED,
                },
            },
            load_balancers: [{
                target_group_arn: "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/storefront/0123456789abcdef",
                container_name: "storefront",
                container_port: 80,
            }],
            health_check_grace_period_seconds: 60,
            deployment_configuration: {
                minimum_healthy_percent: 100,
                maximum_percent: 200,
                deployment_circuit_breaker: { enable: true, rollback: true },
            },
            tags: [{ key: "team", value: "shop" }],
        }],
    }?;
    println!("{}", serde_json::to_string_pretty(&stack)?);
    Ok(())
}
