// An expression with a top-level comma is split by the macro; the error says to parenthesize it.
fn main() {
    let _ = ecs_dsl::try_task_definition! {
        family: "app",
        container_definitions: [{
            name: "web",
            image: "nginx",
            memory: 128,
            docker_labels: std::collections::BTreeMap::<String, String>::new(),
        }],
    };
}
