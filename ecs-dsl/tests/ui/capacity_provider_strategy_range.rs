// A weight above 1,000.
fn main() {
    let _ = ecs_dsl::service! {
        service_name: "web",
        task_definition: "webserver",
        desired_count: 2,
        capacity_provider_strategy: [{ capacity_provider: "FARGATE", weight: 1001 }],
    };
}
