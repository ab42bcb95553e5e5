// The default strategy names a provider the cluster does not list in `capacity_providers`.
fn main() {
    let _ = ecs_dsl::cluster! {
        cluster_name: "demo",
        capacity_providers: ["FARGATE"],
        default_capacity_provider_strategy: [
            { capacity_provider: "FARGATE", weight: 1 },
            { capacity_provider: "FARGATE_SPOT", weight: 1 },
        ],
    };
}
