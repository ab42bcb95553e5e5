fn main() {
    let _ = ecs_dsl::stack! {
        clusters: [{ cluster_name: "demo" }],
        task_definitions: [{
            family: "api",
            network_mode: awsvpc,
            container_definitions: [{ name: "api", image: "example/api:1", memory: 128 }],
        }],
        services: [{
            service_name: "api",
            cluster: "demo",
            task_definition: "api",
            desired_count: 1,
            network_configuration: { awsvpc_configuration: { subnets: ["subnet-0123456789abcdef0"] } },
            service_registries: [{ registry_arn: "api" }],
        }],
        namespaces: [{ name: "internal.local", vpc: "vpc-0123456789abcdef0" }],
        discovery_services: [{
            name: "api",
            namespace_id: "internal.local",
            dns_config: { dns_records: [{ r#type: CNAME, ttl: 10 }] },
        }],
    };
}
