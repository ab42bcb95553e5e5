//! The ECS guide's webserver task definition, with literals only: the macro evaluates to the
//! value itself, checked while compiling.
use ecs_dsl::model::types::{Compatibility, NetworkMode, RegisterTaskDefinitionRequest};

fn main() {
    let td: RegisterTaskDefinitionRequest = ecs_dsl::task_definition! {
        family: "webserver",
        requires_compatibilities: [FARGATE],
        network_mode: awsvpc,
        cpu: "256",
        memory: "512",
        container_definitions: [{
            name: "web",
            image: "nginx",
            memory: 100,
            cpu: 99,
        }],
    };
    assert_eq!(td.network_mode, Some(NetworkMode::Awsvpc));
    assert_eq!(td.requires_compatibilities, Some(vec![Compatibility::Fargate]));
}
