fn main() {
    let _ = ecs_dsl::stack! {
        namespaces: [{ name: "shop" }],
        discovery_services: [
            { name: "api", namespace_id: "shop" },
            { name: "api", namespace_id: "shop", description: "the same name again" },
        ],
    };
}
