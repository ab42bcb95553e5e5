fn main() {
    let _ = ecs_dsl::stack! {
        clusters: [{ cluster_name: "demo" }],
        task_definitions: [{
            family: "web",
            network_mode: awsvpc,
            container_definitions: [{
                name: "web",
                image: "example/web:1",
                memory: 128,
                port_mappings: [{ container_port: 80 }],
            }],
        }],
        target_groups: [{ name: "shop-web", protocol: HTTP, port: 80, target_type: ip }],
        services: [{
            service_name: "web",
            cluster: "demo",
            task_definition: "web",
            desired_count: 1,
            network_configuration: { awsvpc_configuration: { subnets: ["subnet-0123456789abcdef0"] } },
            load_balancers: [{ target_group_arn: "shop-wbe", container_name: "web", container_port: 80 }],
        }],
    };
}
