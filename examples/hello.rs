//! The quick start: a small stack written in Rust with `stack!` (a cluster, a Fargate task
//! definition and a service running it), printed as a stack file for `ecs-deploy`.
//!
//! ```sh
//! cargo run --example hello > hello.json
//! ecs-deploy apply --stack hello.json --auto-approve
//! ```
//!
//! Every value is a literal, so the rule set runs while this file compiles: a Fargate task
//! whose `cpu` and `memory` are not one of Fargate's pairs, a container asking for more memory
//! than its task has, or a service naming a family the stack does not hold is a compile error
//! at that token. `examples/json/hello-stack.json` is what it prints (a test keeps the two
//! equal).

use ecs_rs::dsl::stack;

fn main() -> Result<(), serde_json::Error> {
    let hello = stack! {
        // The value of the ecs-rs:stack tag on everything the stack manages.
        name: "hello",
        clusters: [{ cluster_name: "hello" }],
        task_definitions: [{
            family: "hello",
            requires_compatibilities: [FARGATE],
            network_mode: awsvpc,
            cpu: "256",
            memory: "512",
            container_definitions: [{
                name: "web",
                image: "public.ecr.aws/nginx/nginx:1.27",
                port_mappings: [{ container_port: 80 }],
            }],
        }],
        services: [{
            service_name: "hello",
            cluster: "hello",
            task_definition: "hello",
            desired_count: 1,
            launch_type: FARGATE,
            // `default`: the default VPC's subnets and security group, looked up through EC2.
            network_configuration: {
                awsvpc_configuration: {
                    subnets: ["default"],
                    security_groups: ["default"],
                    assign_public_ip: ENABLED,
                },
            },
        }],
    };
    println!("{}", serde_json::to_string_pretty(&hello)?);
    Ok(())
}
