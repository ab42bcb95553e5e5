fn main() {
    let _ = ecs_dsl::service! {
        service_name: "web app",
        task_definition: "webserver",
        desired_count: 1,
    };
}
