fn main() {
    let _ = ecs_dsl::cluster! {
        cluster_name: "my cluster",
    };
}
