fn main() {
    let _ = ecs_dsl::service! {
        service_name: "agent",
        task_definition: "agent",
        scheduling_strategy: DAEMON,
        desired_count: 3,
    };
}
