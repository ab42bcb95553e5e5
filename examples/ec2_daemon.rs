//! A log agent on every EC2 container instance of a cluster: a DAEMON service with placement
//! constraints, on an Auto Scaling group capacity provider, declared with `stack!` and printed
//! as a stack file.
//!
//! ```sh
//! cargo run --example ec2_daemon
//! ```
//!
//! A daemon runs one task per instance, so the rule set rejects a `desired_count` or a
//! `placement_strategy` on it (`service-daemon-desired-count`,
//! `service-daemon-placement-strategy`), and `launch_type: FARGATE` (`service-daemon-fargate`):
//! all compile errors here.

use ecs_rs::dsl::stack;

fn main() -> Result<(), serde_json::Error> {
    let stack = stack! {
        name: "linux-fleet",
        capacity_providers: [{
            name: "linux-fleet",
            auto_scaling_group_provider: {
                auto_scaling_group_arn: "arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:5a1b2c3d-0000-4000-8000-000000000000:autoScalingGroupName/linux-fleet",
                managed_scaling: { status: ENABLED, target_capacity: 100 },
                managed_termination_protection: DISABLED,
            },
        }],
        clusters: [{
            cluster_name: "fleet",
            capacity_providers: ["linux-fleet"],
            default_capacity_provider_strategy: [{ capacity_provider: "linux-fleet", weight: 1 }],
        }],
        task_definitions: [{
            family: "log-agent",
            requires_compatibilities: [EC2],
            network_mode: host,
            container_definitions: [{
                name: "fluent-bit",
                image: "public.ecr.aws/aws-observability/aws-for-fluent-bit:stable",
                cpu: 64,
                memory_reservation: 64,
                memory: 256,
                mount_points: [{ source_volume: "docker-logs", container_path: "/var/lib/docker/containers", read_only: true }],
            }],
            volumes: [{ name: "docker-logs", host: { source_path: "/var/lib/docker/containers" } }],
        }],
        services: [{
            service_name: "log-agent",
            cluster: "fleet",
            task_definition: "log-agent",
            scheduling_strategy: DAEMON,
            launch_type: EC2,
            placement_constraints: [
                { r#type: memberOf, expression: "attribute:ecs.os-type == linux" },
                { r#type: memberOf, expression: "attribute:ecs.instance-type =~ m7g.*" },
            ],
            deployment_configuration: { minimum_healthy_percent: 0, maximum_percent: 100 },
        }],
    };
    println!("{}", serde_json::to_string_pretty(&stack)?);
    Ok(())
}
