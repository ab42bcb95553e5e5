fn main() {
    let _ = ecs_dsl::service! {
        service_name: "web",
        task_definition: "webserver",
        desired_count: 1,
        network_configuration: { awsvpc_configuration: { subnets: [] } },
    };
}
