fn main() {
    let _ = ecs_dsl::task_definition! {
        family: "webserver",
        requires_compatibilities: [FARGATE],
        network_mode: awsvpc,
        cpu: "256",
        memory: "512",
        container_definitions: [{
            name: "web",
            image: "nginx",
            mount_points: [{ source_volume: "data", container_path: "/data" }],
        }],
    };
}
