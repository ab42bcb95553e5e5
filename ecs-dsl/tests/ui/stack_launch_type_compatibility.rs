fn main() {
    let _ = ecs_dsl::stack! {
        task_definitions: [{
            family: "worker",
            requires_compatibilities: [EC2],
            container_definitions: [{ name: "worker", image: "busybox", memory: 128 }],
        }],
        services: [{
            service_name: "worker",
            task_definition: "worker",
            desired_count: 1,
            launch_type: FARGATE,
        }],
    };
}
