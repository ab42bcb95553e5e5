//! Valid declarations where a rule would fire if an expression's member were simply absent: the
//! macro must not reject them at compile time, and the run-time check accepts them.
use ecs_dsl::model::types::{
    Compatibility, DeploymentControllerType, DeploymentLifecycleHookTargetType, OSFamily,
    DeploymentStrategy, ManagedScalingStatus, TransportProtocol,
};

fn main() {
    // deployment-strategy-configuration: linearConfiguration needs the LINEAR strategy.
    let strategy = DeploymentStrategy::Linear;
    ecs_dsl::try_service! {
        service_name: "web",
        task_definition: "web",
        desired_count: 2,
        deployment_configuration: {
            strategy: (strategy),
            linear_configuration: { step_percent: 10.0, step_bake_time_in_minutes: 5 },
        },
    }
    .expect("a LINEAR deployment");

    // service-task-definition-required: not with the EXTERNAL deployment controller.
    let controller = DeploymentControllerType::External;
    ecs_dsl::try_service! {
        service_name: "web",
        desired_count: 2,
        deployment_controller: { r#type: (controller) },
    }
    .expect("an EXTERNAL controller names no task definition");

    // deployment-lifecycle-hook: a PAUSE hook names no Lambda function.
    let target = DeploymentLifecycleHookTargetType::Pause;
    let _ = ecs_dsl::try_service! {
        service_name: "web",
        task_definition: "web",
        desired_count: 2,
        deployment_configuration: {
            strategy: BLUE_GREEN,
            lifecycle_hooks: [{ target_type: (target), lifecycle_stages: [POST_SCALE_UP] }],
        },
    };

    // container-memory-sum: the reservation is what counts, and it is an expression.
    let reservation = 100;
    ecs_dsl::try_task_definition! {
        family: "app",
        memory: "512",
        container_definitions: [
            { name: "a", image: "nginx", memory: 400, memory_reservation: reservation },
            { name: "b", image: "nginx", memory: 200, memory_reservation: 100 },
        ],
    }
    .expect("reservations fit");

    // task-cpu-range and container-cpu-sum: Windows tasks take other sizes.
    let os = OSFamily::WindowsServer2022Core;
    let _ = ecs_dsl::try_task_definition! {
        family: "app",
        cpu: "64",
        runtime_platform: { operating_system_family: (os) },
        container_definitions: [{ name: "a", image: "mcr.microsoft.com/windows/servercore", memory: 512 }],
    };

    // duplicate-port-mapping: the first mapping's protocol is an expression.
    let protocol = TransportProtocol::Udp;
    ecs_dsl::try_task_definition! {
        family: "dns",
        network_mode: awsvpc,
        memory: "512",
        cpu: "256",
        container_definitions: [
            { name: "udp", image: "coredns/coredns", port_mappings: [{ container_port: 53, protocol: (protocol) }] },
            { name: "tcp", image: "coredns/coredns", port_mappings: [{ container_port: 53, protocol: tcp }] },
        ],
    }
    .expect("53/udp and 53/tcp");

    // task-cpu-range: the compatibilities are an expression.
    let compatibilities = vec![Compatibility::ManagedInstances];
    let _ = ecs_dsl::try_task_definition! {
        family: "app",
        cpu: "64",
        requires_compatibilities: compatibilities,
        container_definitions: [{ name: "a", image: "nginx", memory: 128 }],
    };

    // capacity-provider-termination-protection (a warning): managed scaling may be on.
    #[deny(deprecated)]
    let _ = ecs_dsl::try_capacity_provider! {
        name: "fleet",
        auto_scaling_group_provider: {
            auto_scaling_group_arn: "arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:1:autoScalingGroupName/fleet",
            managed_scaling: { status: (ManagedScalingStatus::Enabled) },
            managed_termination_protection: ENABLED,
        },
    };

    // depends-on-unknown-container: the container named by the expression is "db".
    let db = "db";
    ecs_dsl::try_task_definition! {
        family: "app",
        container_definitions: [
            { name: db, image: "postgres", memory: 256 },
            { name: "web", image: "nginx", memory: 128, depends_on: [{ container_name: "db", condition: START }] },
        ],
    }
    .expect("web depends on db");
}
