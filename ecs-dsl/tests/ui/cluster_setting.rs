fn main() {
    let _ = ecs_dsl::cluster! {
        cluster_name: "demo",
        settings: [{ name: containerInsights, value: "on" }],
    };
}
