fn main() {
    let _ = ecs_dsl::task_definition! {
        family: "worker",
        container_definitions: [{
            name: "web",
            image: "nginx",
            memory: 128,
            health_check: { command: ["CMD", "true"], timeout: 61 },
        }],
    };
}
