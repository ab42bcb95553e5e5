// FARGATE and an Auto Scaling group capacity provider in one strategy.
fn main() {
    let _ = ecs_dsl::cluster! {
        cluster_name: "demo",
        capacity_providers: ["FARGATE", "web-asg"],
        default_capacity_provider_strategy: [
            { capacity_provider: "FARGATE", weight: 1 },
            { capacity_provider: "web-asg", weight: 1 },
        ],
    };
}
