//! A stack checked as a whole: a Fargate service behind a load balancer and an EC2 daemon.
fn main() {
    let stack = ecs_dsl::stack! {
        name: "shop",
        clusters: [{ cluster_name: "demo", capacity_providers: ["FARGATE"] }],
        task_definitions: [
            {
                family: "webserver",
                requires_compatibilities: [FARGATE],
                network_mode: awsvpc,
                cpu: 256,
                memory: 512,
                container_definitions: [{
                    name: "web",
                    image: "nginx",
                    port_mappings: [{ container_port: 80 }],
                }],
            },
            {
                family: "agent",
                requires_compatibilities: [EC2],
                container_definitions: [{ name: "agent", image: "amazon/cloudwatch-agent", memory: 128 }],
            },
        ],
        services: [
            {
                service_name: "web",
                cluster: "demo",
                task_definition: "webserver",
                desired_count: 2,
                launch_type: FARGATE,
                network_configuration: {
                    awsvpc_configuration: { subnets: ["subnet-0123456789abcdef0"] },
                },
                load_balancers: [{
                    target_group_arn: "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web/0123456789abcdef",
                    container_name: "web",
                    container_port: 80,
                }],
                deployment_configuration: {
                    deployment_circuit_breaker: { enable: true, rollback: true },
                },
            },
            {
                service_name: "agent",
                cluster: "demo",
                task_definition: "agent",
                scheduling_strategy: DAEMON,
                launch_type: EC2,
                placement_constraints: [{ r#type: memberOf, expression: "attribute:ecs.os-type == linux" }],
            },
        ],
    };
    assert_eq!(stack.name.as_deref(), Some("shop"));
    assert_eq!(stack.task_definitions.len(), 2);
    assert_eq!(stack.services.len(), 2);
}
