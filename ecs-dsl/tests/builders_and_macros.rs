//! The same resources declared with the builders and with the macros are equal values: the two
//! front ends produce one model.

use ecs_dsl::prelude::*;

type TestResult = Result<(), Box<dyn std::error::Error>>;

#[test]
fn webserver_task_definition() -> TestResult {
    let built = task_definition("webserver")
        .container_definitions(container("web", "nginx").memory(100).cpu(99))
        .requires_compatibilities(Compatibility::Fargate)
        .network_mode(NetworkMode::Awsvpc)
        .size(TaskSize::fargate(Cpu::units(256), Memory::mib(512))?)
        .build()?;
    let declared = ecs_dsl::task_definition! {
        family: "webserver",
        container_definitions: [{ name: "web", image: "nginx", memory: 100, cpu: 99 }],
        requires_compatibilities: [FARGATE],
        network_mode: awsvpc,
        cpu: 256,
        memory: 512,
    };
    assert_eq!(built, declared);
    Ok(())
}

#[test]
fn task_definition_with_a_sidecar_health_check_and_dependency() -> TestResult {
    let built = task_definition("api")
        .network_mode("awsvpc")
        .requires_compatibilities("FARGATE")
        .size(TaskSize::fargate(Cpu::vcpu(1), Memory::gib(2))?)
        .container_definitions(
            container("app", "ghcr.io/example/api:2.4.1")
                .essential(true)
                .port_mappings(
                    PortMapping::builder()
                        .container_port(Port::HTTP)
                        .name("http"),
                )
                .environment(KeyValuePair::builder().name("RUST_LOG").value("info"))
                .secrets(
                    Secret::builder()
                        .name("DATABASE_URL")
                        .value_from("arn:aws:ssm:us-east-1:123456789012:parameter/api/db"),
                )
                .health_check(
                    HealthCheck::builder()
                        .command("CMD-SHELL")
                        .command("curl -fs http://localhost/health || exit 1")
                        .interval(Seconds::from(15))
                        .timeout(Seconds::from(5))
                        .retries(3)
                        .start_period(Seconds::from(20)),
                )
                .depends_on(
                    ContainerDependency::builder()
                        .container_name("envoy")
                        .condition(ContainerCondition::Healthy),
                ),
        )
        .container_definitions(
            container(
                "envoy",
                "public.ecr.aws/appmesh/aws-appmesh-envoy:v1.29.6.0-prod",
            )
            .essential(true)
            .memory_reservation(Memory::mib(128))
            .health_check(
                HealthCheck::builder()
                    .command("CMD-SHELL")
                    .command("curl -s http://localhost:9901/ready | grep LIVE")
                    .interval(5)
                    .timeout(2)
                    .retries(3),
            ),
        )
        .build()?;
    let declared = ecs_dsl::task_definition! {
        family: "api",
        network_mode: awsvpc,
        requires_compatibilities: [FARGATE],
        cpu: "1024",
        memory: "2048",
        container_definitions: [
            {
                name: "app",
                image: "ghcr.io/example/api:2.4.1",
                essential: true,
                port_mappings: [{ container_port: 80, name: "http" }],
                environment: [{ name: "RUST_LOG", value: "info" }],
                secrets: [{
                    name: "DATABASE_URL",
                    value_from: "arn:aws:ssm:us-east-1:123456789012:parameter/api/db",
                }],
                health_check: {
                    command: ["CMD-SHELL", "curl -fs http://localhost/health || exit 1"],
                    interval: 15,
                    timeout: 5,
                    retries: 3,
                    start_period: 20,
                },
                depends_on: [{ container_name: "envoy", condition: HEALTHY }],
            },
            {
                name: "envoy",
                image: "public.ecr.aws/appmesh/aws-appmesh-envoy:v1.29.6.0-prod",
                essential: true,
                memory_reservation: 128,
                health_check: {
                    command: ["CMD-SHELL", "curl -s http://localhost:9901/ready | grep LIVE"],
                    interval: 5,
                    timeout: 2,
                    retries: 3,
                },
            },
        ],
    };
    assert_eq!(built, declared);
    Ok(())
}

#[test]
fn fargate_service_behind_a_load_balancer() -> TestResult {
    let target_group =
        "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web/0123456789abcdef";
    let built = replica_service("web", "demo", "webserver")
        .desired_count(3)
        .launch_type(LaunchType::Fargate)
        .network_configuration(
            NetworkConfiguration::builder().awsvpc_configuration(
                AwsVpcConfiguration::builder()
                    .subnets("subnet-0123456789abcdef0")
                    .security_groups("sg-0123456789abcdef0")
                    .assign_public_ip(AssignPublicIp::Disabled),
            ),
        )
        .load_balancers(
            LoadBalancer::builder()
                .target_group_arn(target_group)
                .container_name("web")
                .container_port(80),
        )
        .deployment_configuration(
            DeploymentConfiguration::builder()
                .minimum_healthy_percent(100)
                .maximum_percent(200)
                .deployment_circuit_breaker(
                    DeploymentCircuitBreaker::builder()
                        .enable(true)
                        .rollback(true),
                ),
        )
        .build()?;
    let declared = ecs_dsl::service! {
        service_name: "web",
        cluster: "demo",
        task_definition: "webserver",
        scheduling_strategy: REPLICA,
        desired_count: 3,
        launch_type: FARGATE,
        network_configuration: {
            awsvpc_configuration: {
                subnets: ["subnet-0123456789abcdef0"],
                security_groups: ["sg-0123456789abcdef0"],
                assign_public_ip: DISABLED,
            },
        },
        load_balancers: [{
            target_group_arn: "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web/0123456789abcdef",
            container_name: "web",
            container_port: 80,
        }],
        deployment_configuration: {
            minimum_healthy_percent: 100,
            maximum_percent: 200,
            deployment_circuit_breaker: { enable: true, rollback: true },
        },
    };
    assert_eq!(built, declared);
    Ok(())
}

#[test]
fn ec2_daemon_cluster_and_stack() -> TestResult {
    let asg =
        "arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:1:autoScalingGroupName/fleet";
    let built = stack()
        .capacity_provider(
            capacity_provider("fleet-asg").auto_scaling_group_provider(
                AutoScalingGroupProvider::builder()
                    .auto_scaling_group_arn(asg)
                    .managed_scaling(
                        ManagedScaling::builder()
                            .status(ManagedScalingStatus::Enabled)
                            .target_capacity(100),
                    ),
            ),
        )
        .cluster(
            cluster("fleet")
                .capacity_providers("fleet-asg")
                .default_capacity_provider_strategy(
                    CapacityProviderStrategyItem::builder()
                        .capacity_provider("fleet-asg")
                        .weight(1),
                ),
        )
        .task_definition(
            task_definition("agent")
                .requires_compatibilities(Compatibility::Ec2)
                .container_definitions(container("agent", "amazon/cloudwatch-agent").memory(128)),
        )
        .service(
            daemon_service("agent", "fleet", "agent")
                .launch_type(LaunchType::Ec2)
                .placement_constraints(
                    PlacementConstraint::builder()
                        .r#type(PlacementConstraintType::MemberOf)
                        .expression("attribute:ecs.os-type == linux"),
                ),
        )
        .build()?;
    let declared = ecs_dsl::stack! {
        capacity_providers: [{
            name: "fleet-asg",
            auto_scaling_group_provider: {
                auto_scaling_group_arn: "arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:1:autoScalingGroupName/fleet",
                managed_scaling: { status: ENABLED, target_capacity: 100 },
            },
        }],
        clusters: [{
            cluster_name: "fleet",
            capacity_providers: ["fleet-asg"],
            default_capacity_provider_strategy: [{ capacity_provider: "fleet-asg", weight: 1 }],
        }],
        task_definitions: [{
            family: "agent",
            requires_compatibilities: [EC2],
            container_definitions: [{ name: "agent", image: "amazon/cloudwatch-agent", memory: 128 }],
        }],
        services: [{
            service_name: "agent",
            cluster: "fleet",
            task_definition: "agent",
            scheduling_strategy: DAEMON,
            launch_type: EC2,
            placement_constraints: [{ r#type: memberOf, expression: "attribute:ecs.os-type == linux" }],
        }],
    };
    assert_eq!(built, declared);
    Ok(())
}

#[test]
fn expressions_give_the_same_value_through_the_run_time_check() -> TestResult {
    let tag = "1.27";
    let replicas = 2_u8;
    let built = replica_service("web", "demo", "webserver")
        .desired_count(replicas)
        .build()?;
    let declared = ecs_dsl::try_service! {
        service_name: "web",
        cluster: "demo",
        task_definition: "webserver",
        scheduling_strategy: REPLICA,
        desired_count: replicas,
    }?;
    assert_eq!(built, declared);

    let image: ImageRef = format!("nginx:{tag}").parse()?;
    let built = task_definition("webserver")
        .container_definitions(container("web", image.clone()).memory(Memory::mib(128)))
        .build()?;
    let declared = ecs_dsl::try_task_definition! {
        family: "webserver",
        container_definitions: [{ name: "web", image: image, memory: Memory::mib(128) }],
    }?;
    assert_eq!(built, declared);

    // A unit-typed member takes its unit in a macro too, and a task size takes a TaskCpu.
    let declared = ecs_dsl::try_task_definition! {
        family: "webserver",
        cpu: Cpu::vcpu(1),
        memory: Memory::gib(2),
        container_definitions: [{
            name: "web",
            image: "nginx",
            memory: Memory::mib(128),
            port_mappings: [{ container_port: Port::HTTP }],
            health_check: { command: ["CMD", "true"], interval: std::time::Duration::from_secs(30) },
        }],
    }?;
    assert_eq!(declared.cpu.as_deref(), Some("1024"));
    assert_eq!(declared.memory.as_deref(), Some("2048"));
    let web = &declared.container_definitions.unwrap_or_default()[0];
    assert_eq!(
        web.port_mappings.as_ref().map(|p| p[0].container_port),
        Some(Some(80))
    );
    assert_eq!(web.health_check.as_ref().and_then(|h| h.interval), Some(30));
    Ok(())
}
