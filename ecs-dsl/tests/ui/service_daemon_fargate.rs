fn main() {
    let _ = ecs_dsl::service! {
        service_name: "agent",
        task_definition: "agent",
        scheduling_strategy: DAEMON,
        launch_type: FARGATE,
        network_configuration: { awsvpc_configuration: { subnets: ["subnet-1"] } },
    };
}
