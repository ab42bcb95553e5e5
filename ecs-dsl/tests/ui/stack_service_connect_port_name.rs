fn main() {
    let _ = ecs_dsl::stack! {
        clusters: [{ cluster_name: "demo", service_connect_defaults: { namespace: "shop" } }],
        task_definitions: [{
            family: "api",
            container_definitions: [{
                name: "api",
                image: "example/api:1",
                memory: 128,
                port_mappings: [{ container_port: 8080, name: "http" }],
            }],
        }],
        services: [{
            service_name: "api",
            cluster: "demo",
            task_definition: "api",
            desired_count: 1,
            service_connect_configuration: {
                enabled: true,
                services: [{ port_name: "grpc", client_aliases: [{ port: 8080 }] }],
            },
        }],
        namespaces: [{ name: "shop" }],
    };
}
