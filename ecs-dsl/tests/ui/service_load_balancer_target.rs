fn main() {
    let _ = ecs_dsl::service! {
        service_name: "web",
        task_definition: "webserver",
        desired_count: 1,
        load_balancers: [{
            target_group_arn: "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web/0123456789abcdef",
            load_balancer_name: "classic",
            container_name: "web",
            container_port: 80,
        }],
    };
}
