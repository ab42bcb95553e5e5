fn main() {
    let _ = ecs_dsl::task_definition! {
        family: "webserver",
        requires_compatibilities: [FARGATE],
        network_mode: awsvpc,
        cpu: "256",
        memory: "512",
        container_definitions: [{ name: "web", image: "nginx" }],
        tags: [{ key: "aws:owner", value: "me" }],
    };
}
