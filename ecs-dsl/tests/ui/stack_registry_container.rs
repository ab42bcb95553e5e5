fn main() {
    let _ = ecs_dsl::stack! {
        clusters: [{ cluster_name: "demo" }],
        task_definitions: [{
            family: "api",
            network_mode: bridge,
            container_definitions: [{
                name: "api",
                image: "example/api:1",
                memory: 128,
                port_mappings: [{ container_port: 8080 }],
            }],
        }],
        services: [{
            service_name: "api",
            cluster: "demo",
            task_definition: "api",
            desired_count: 1,
            service_registries: [{ registry_arn: "api", container_name: "api", container_port: 9090 }],
        }],
        namespaces: [{ name: "internal.local", vpc: "vpc-0123456789abcdef0" }],
        discovery_services: [{
            name: "api",
            namespace_id: "internal.local",
            dns_config: { dns_records: [{ r#type: SRV, ttl: 10 }] },
        }],
    };
}
