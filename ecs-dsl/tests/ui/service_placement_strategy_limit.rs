// Six placement strategy rules; AWS takes at most 5.
fn main() {
    let _ = ecs_dsl::service! {
        service_name: "web",
        task_definition: "webserver",
        desired_count: 2,
        launch_type: EC2,
        placement_strategy: [
            { r#type: spread, field: "attribute:ecs.availability-zone" },
            { r#type: spread, field: "instanceId" },
            { r#type: spread, field: "attribute:ecs.instance-type" },
            { r#type: spread, field: "attribute:ecs.os-type" },
            { r#type: spread, field: "attribute:ecs.cpu-architecture" },
            { r#type: spread, field: "host" },
        ],
    };
}
