fn main() {
    let _ = ecs_dsl::service! {
        service_name: "web",
        task_definition: "webserver",
        desired_count: 2,
        deployment_configuration: { minimum_healthy_percent: 150, maximum_percent: 200 },
    };
}
