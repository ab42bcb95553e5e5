fn main() {
    let _ = ecs_dsl::service! {
        service_name: "web",
        task_definition: "webserver",
        desired_count: 2,
        launch_type: FARGATE,
        network_configuration: { awsvpc_configuration: { subnets: ["subnet-1"] } },
        placement_strategy: [{ r#type: spread, field: "attribute:ecs.availability-zone" }],
    };
}
