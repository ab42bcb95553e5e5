fn main() {
    let _ = ecs_dsl::stack! {
        task_definitions: [
            { family: "worker", container_definitions: [{ name: "a", image: "busybox", memory: 64 }] },
            { family: "worker", container_definitions: [{ name: "b", image: "busybox", memory: 64 }] },
        ],
    };
}
