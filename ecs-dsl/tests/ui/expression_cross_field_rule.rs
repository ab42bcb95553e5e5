// An expression that cannot matter does not hide a rule that relates two parts of a resource:
// whatever the image is, no container is named "db".
fn main() {
    let tag = std::env::var("TAG").unwrap_or_default();
    let _ = ecs_dsl::try_task_definition! {
        family: "app",
        container_definitions: [{
            name: "web",
            image: format!("nginx:{tag}"),
            memory: 128,
            depends_on: [{ container_name: "db", condition: START }],
        }],
    };
}
