// 21 capacity providers in one strategy; AWS takes at most 20.
fn main() {
    let _ = ecs_dsl::service! {
        service_name: "web",
        task_definition: "webserver",
        desired_count: 2,
        capacity_provider_strategy: [
            { capacity_provider: "asg-00", weight: 1 },
            { capacity_provider: "asg-01", weight: 1 },
            { capacity_provider: "asg-02", weight: 1 },
            { capacity_provider: "asg-03", weight: 1 },
            { capacity_provider: "asg-04", weight: 1 },
            { capacity_provider: "asg-05", weight: 1 },
            { capacity_provider: "asg-06", weight: 1 },
            { capacity_provider: "asg-07", weight: 1 },
            { capacity_provider: "asg-08", weight: 1 },
            { capacity_provider: "asg-09", weight: 1 },
            { capacity_provider: "asg-10", weight: 1 },
            { capacity_provider: "asg-11", weight: 1 },
            { capacity_provider: "asg-12", weight: 1 },
            { capacity_provider: "asg-13", weight: 1 },
            { capacity_provider: "asg-14", weight: 1 },
            { capacity_provider: "asg-15", weight: 1 },
            { capacity_provider: "asg-16", weight: 1 },
            { capacity_provider: "asg-17", weight: 1 },
            { capacity_provider: "asg-18", weight: 1 },
            { capacity_provider: "asg-19", weight: 1 },
            { capacity_provider: "asg-20", weight: 1 },
        ],
    };
}
