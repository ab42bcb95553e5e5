// A DAEMON service places one task on each instance: it takes no placement strategy.
fn main() {
    let _ = ecs_dsl::service! {
        service_name: "agent",
        task_definition: "agent",
        scheduling_strategy: DAEMON,
        launch_type: EC2,
        placement_strategy: [{ r#type: spread, field: "attribute:ecs.availability-zone" }],
        placement_constraints: [{ r#type: memberOf, expression: "attribute:ecs.os-type == linux" }],
    };
}
