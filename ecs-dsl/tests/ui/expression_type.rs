// An expression goes through `Into` into the member's type; a wrong type points at it.
fn main() {
    let replicas: u64 = 3;
    let _ = ecs_dsl::try_service! {
        service_name: "web",
        task_definition: "webserver",
        desired_count: replicas,
    };
}
