fn main() {
    let _ = ecs_dsl::service! {
        service_name: "web",
        task_definition: "webserver",
        desired_count: 1,
        launch_type: EC2,
        placement_strategy: [{ r#type: binpack, field: "disk" }],
    };
}
