fn main() {
    let _ = ecs_dsl::task_definition! {
        container_definitions: [{ name: "web", image: "nginx", memory: 128 }],
    };
}
