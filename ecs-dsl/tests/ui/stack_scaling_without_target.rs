// In a JSON stack file this is a warning (the target may be registered in AWS already); stack!
// declares everything it uses, so the macro makes it an error.

fn main() {
    let _ = ecs_dsl::stack! {
        clusters: [{ cluster_name: "demo" }],
        task_definitions: [{
            family: "api",
            container_definitions: [{ name: "api", image: "example/api:1", memory: 128 }],
        }],
        services: [{ service_name: "api", cluster: "demo", task_definition: "api", desired_count: 2 }],
        scaling: {
            scheduled_actions: [{
                scheduled_action_name: "night",
                service_namespace: ecs,
                resource_id: "service/demo/api",
                scalable_dimension: "ecs:service:DesiredCount",
                schedule: "cron(0 22 * * ? *)",
                scalable_target_action: { max_capacity: 2 },
            }],
        },
    };
}
