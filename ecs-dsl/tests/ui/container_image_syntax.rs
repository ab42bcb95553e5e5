fn main() {
    let _ = ecs_dsl::task_definition! {
        family: "worker",
        container_definitions: [{ name: "worker", image: "busybox latest", memory: 64 }],
    };
}
