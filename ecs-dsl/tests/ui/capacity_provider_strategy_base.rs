// Two providers of one strategy with a base: only one may have it.
fn main() {
    let _ = ecs_dsl::service! {
        service_name: "web",
        task_definition: "webserver",
        desired_count: 4,
        capacity_provider_strategy: [
            { capacity_provider: "FARGATE", base: 1, weight: 1 },
            { capacity_provider: "FARGATE_SPOT", base: 2, weight: 3 },
        ],
    };
}
