fn main() {
    let _ = ecs_dsl::stack! {
        task_definitions: [{
            family: "webserver",
            container_definitions: [{ name: "web", image: "nginx", memory: 128, port_mappings: [{ container_port: 80 }] }],
        }],
        services: [{
            service_name: "web",
            task_definition: "webserver",
            desired_count: 1,
            load_balancers: [{
                target_group_arn: "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web/0123456789abcdef",
                container_name: "app",
                container_port: 80,
            }],
        }],
    };
}
