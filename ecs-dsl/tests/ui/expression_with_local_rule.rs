// An expression elsewhere does not hide a rule decided by literals alone.
fn main() {
    let tag = std::env::var("TAG").unwrap_or_default();
    let _ = ecs_dsl::try_task_definition! {
        family: "worker",
        container_definitions: [{
            name: "worker",
            image: format!("busybox:{tag}"),
            memory: 128,
            health_check: { command: ["CMD", "true"], retries: 0 },
        }],
    };
}
