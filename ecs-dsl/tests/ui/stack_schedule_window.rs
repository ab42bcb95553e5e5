fn main() {
    let _ = ecs_dsl::stack! {
        clusters: [{ cluster_name: "demo" }],
        task_definitions: [{
            family: "report",
            container_definitions: [{ name: "report", image: "example/report:1", memory: 128 }],
        }],
        scheduled_tasks: [{
            name: "nightly-report",
            schedule_expression: "rate(1 day)",
            flexible_time_window: { mode: FLEXIBLE, maximum_window_in_minutes: 2000 },
            target: {
                arn: "demo",
                role_arn: "arn:aws:iam::123456789012:role/scheduler",
                ecs_parameters: { task_definition_arn: "report" },
            },
        }],
    };
}
