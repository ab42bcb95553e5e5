// Several providers, all with weight 0: no task can be placed.
fn main() {
    let _ = ecs_dsl::service! {
        service_name: "web",
        task_definition: "webserver",
        desired_count: 2,
        capacity_provider_strategy: [
            { capacity_provider: "FARGATE", weight: 0 },
            { capacity_provider: "FARGATE_SPOT", weight: 0 },
        ],
    };
}
