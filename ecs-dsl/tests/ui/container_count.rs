fn main() {
    let _ = ecs_dsl::task_definition! {
        family: "webserver",
        requires_compatibilities: [FARGATE],
        network_mode: awsvpc,
        cpu: "256",
        memory: "512",
        container_definitions: [
            { name: "c0", image: "busybox" },
            { name: "c1", image: "busybox" },
            { name: "c2", image: "busybox" },
            { name: "c3", image: "busybox" },
            { name: "c4", image: "busybox" },
            { name: "c5", image: "busybox" },
            { name: "c6", image: "busybox" },
            { name: "c7", image: "busybox" },
            { name: "c8", image: "busybox" },
            { name: "c9", image: "busybox" },
            { name: "c10", image: "busybox" },
        ],
    };
}
