fn main() {
    let _ = ecs_dsl::stack! {
        namespaces: [{ name: "shop" }],
        discovery_services: [{
            name: "api",
            namespace_id: "shop",
            health_check_config: { r#type: HTTP, resource_path: "/health" },
            health_check_custom_config: { failure_threshold: 1 },
        }],
    };
}
