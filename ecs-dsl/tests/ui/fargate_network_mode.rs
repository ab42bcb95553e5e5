fn main() {
    let _ = ecs_dsl::task_definition! {
        family: "webserver",
        requires_compatibilities: [FARGATE],
        network_mode: bridge,
        cpu: "256",
        memory: "512",
        container_definitions: [{ name: "web", image: "nginx" }],
    };
}
