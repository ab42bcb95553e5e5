fn main() {
    let _ = ecs_dsl::stack! {
        name: "shop,prod",
        clusters: [{ cluster_name: "demo" }],
    };
}
