//! An API container with an Envoy sidecar and a one-shot migration container, written with the
//! typed builders: the app starts after the migration has succeeded and the proxy reports
//! healthy; both long-running containers have health checks. Printed as a stack file with its
//! cluster and a Fargate service.
//!
//! ```sh
//! cargo run --example sidecar
//! ```
//!
//! Builders check at run time, in `build()`, with the same rule set the macros run while
//! compiling; the typed units (`Cpu`, `Memory`, `Port`, `Seconds`, `ImageRef`, `TaskSize`) keep
//! numbers and image names from being mixed up before that.

use std::time::Duration;

use ecs_rs::dsl::prelude::*;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let version = std::env::var("API_VERSION").unwrap_or_else(|_| "2.4.1".to_owned());
    let image: ImageRef = format!("ghcr.io/example/api:{version}").parse()?;

    let envoy = container(
        "envoy",
        "public.ecr.aws/appmesh/aws-appmesh-envoy:v1.29.6.0-prod",
    )
    .essential(true)
    .memory_reservation(Memory::mib(128))
    .port_mappings(
        PortMapping::builder()
            .container_port(Port::HTTP)
            .name("ingress"),
    )
    .health_check(
        HealthCheck::builder()
            .command("CMD-SHELL")
            .command("curl -s http://localhost:9901/ready | grep LIVE")
            .interval(Duration::from_secs(5))
            .timeout(Seconds::from(2))
            .retries(3),
    );

    let migrate = container("migrate", image.clone())
        .essential(false)
        .command("api")
        .command("migrate")
        .memory_reservation(Memory::mib(64));

    let app = container("app", image)
        .essential(true)
        .memory_reservation(Memory::mib(512))
        .port_mappings(PortMapping::builder().container_port(8080).name("api"))
        .environment(KeyValuePair::builder().name("RUST_LOG").value("info"))
        .secrets(
            Secret::builder()
                .name("DATABASE_URL")
                .value_from("arn:aws:ssm:us-east-1:123456789012:parameter/api/database-url"),
        )
        .health_check(
            HealthCheck::builder()
                .command("CMD-SHELL")
                .command("curl -fs http://localhost:8080/health || exit 1")
                .interval(Seconds::from(15))
                .timeout(Seconds::from(5))
                .start_period(Seconds::from(30))
                .retries(3),
        )
        .depends_on(
            ContainerDependency::builder()
                .container_name("migrate")
                .condition(ContainerCondition::Success),
        )
        .depends_on(
            ContainerDependency::builder()
                .container_name("envoy")
                .condition(ContainerCondition::Healthy),
        );

    let stack = stack()
        .name("api")
        .cluster(cluster("api"))
        .task_definition(
            task_definition("api")
                .requires_compatibilities(Compatibility::Fargate)
                .network_mode(NetworkMode::Awsvpc)
                .size(TaskSize::fargate(Cpu::vcpu(1), Memory::gib(2))?)
                .execution_role_arn("arn:aws:iam::123456789012:role/ecsTaskExecutionRole")
                .container_definitions(app)
                .container_definitions(envoy)
                .container_definitions(migrate),
        )
        .service(
            replica_service("api", "api", "api")
                .desired_count(2)
                .launch_type(LaunchType::Fargate)
                .network_configuration(NetworkConfiguration::builder().awsvpc_configuration(
                    AwsVpcConfiguration::builder().subnets("subnet-0123456789abcdef0"),
                )),
        )
        .build()?;
    println!("{}", to_json_pretty(&stack)?);
    Ok(())
}
