// A plain form takes literals only: an expression is an error at the expression, naming the
// `try_` form, and not a change of the macro's type.
use ecs_dsl::model::types::RegisterTaskDefinitionRequest;

fn main() {
    let tag = "1.27";
    let _td: RegisterTaskDefinitionRequest = ecs_dsl::task_definition! {
        family: "webserver",
        container_definitions: [{ name: "web", image: format!("nginx:{tag}"), memory: 128 }],
    };
}
