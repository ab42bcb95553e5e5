fn main() {
    let _ = ecs_dsl::stack! {
        clusters: [{ cluster_name: "demo" }],
        task_definitions: [{
            family: "api",
            container_definitions: [{ name: "api", image: "example/api:1", memory: 128 }],
        }],
        services: [{ service_name: "api", cluster: "demo", task_definition: "api", desired_count: 2 }],
        scaling: {
            scalable_targets: [{
                service_namespace: ecs,
                resource_id: "demo/api",
                scalable_dimension: "ecs:service:DesiredCount",
                min_capacity: 1,
                max_capacity: 4,
            }],
        },
    };
}
