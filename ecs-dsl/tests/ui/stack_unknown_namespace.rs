fn main() {
    let _ = ecs_dsl::stack! {
        namespaces: [{ name: "internal.local", vpc: "vpc-0123456789abcdef0" }],
        discovery_services: [{
            name: "api",
            namespace_id: "internal",
            dns_config: { dns_records: [{ r#type: A, ttl: 10 }] },
        }],
    };
}
