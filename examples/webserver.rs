//! The task definition of the Amazon ECS developer guide's first example ("webserver": one nginx
//! container on Fargate), declared with `task_definition!` and printed as the JSON that
//! RegisterTaskDefinition takes.
//!
//! ```sh
//! cargo run --example webserver > webserver.json
//! aws ecs register-task-definition --cli-input-json file://webserver.json
//! ```
//!
//! Every value is a literal, so the rule set ran while this file compiled: change `memory` to
//! `"4096"` and the build stops with `fargate-cpu-memory` at that token.

use ecs_rs::dsl::task_definition;

fn main() -> Result<(), serde_json::Error> {
    let webserver = task_definition! {
        family: "webserver",
        container_definitions: [{
            name: "web",
            image: "nginx",
            memory: 100,
            cpu: 99,
        }],
        requires_compatibilities: [FARGATE],
        network_mode: awsvpc,
        memory: "512",
        cpu: "256",
    };
    println!("{}", serde_json::to_string_pretty(&webserver)?);
    Ok(())
}
