fn main() {
    let _ = ecs_dsl::task_definition! {
        family: "worker",
        container_definitions: [{ name: "job", image: "busybox", memory: 64, essential: false }],
    };
}
