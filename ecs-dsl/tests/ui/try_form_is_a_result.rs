// A `try_` form is a `Result` with literals only as well, so turning a literal into an
// expression later changes no use site: taking it as the value itself does not compile.
use ecs_dsl::model::types::CreateServiceRequest;

fn main() {
    let _web: CreateServiceRequest = ecs_dsl::try_service! {
        service_name: "web",
        task_definition: "webserver",
        desired_count: 2,
    };
}
