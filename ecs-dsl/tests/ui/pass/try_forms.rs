//! The `try_` forms with literals only: checked while compiling like the plain forms, and still
//! a `Result`, which the run-time check makes `Ok`.
use ecs_dsl::Invalid;
use ecs_dsl::model::Stack;
use ecs_dsl::model::types::{
    CreateCapacityProviderRequest, CreateClusterRequest, CreateServiceRequest,
    RegisterTaskDefinitionRequest,
};

fn main() -> Result<(), Invalid> {
    let td: Result<RegisterTaskDefinitionRequest, Invalid> = ecs_dsl::try_task_definition! {
        family: "webserver",
        container_definitions: [{ name: "web", image: "nginx", memory: 128 }],
    };
    assert_eq!(td?.family.as_deref(), Some("webserver"));

    let service: Result<CreateServiceRequest, Invalid> = ecs_dsl::try_service! {
        service_name: "web",
        task_definition: "webserver",
        desired_count: 2,
    };
    assert_eq!(service?.desired_count, Some(2));

    let cluster: Result<CreateClusterRequest, Invalid> =
        ecs_dsl::try_cluster! { cluster_name: "demo" };
    assert_eq!(cluster?.cluster_name.as_deref(), Some("demo"));

    let provider: Result<CreateCapacityProviderRequest, Invalid> = ecs_dsl::try_capacity_provider! {
        name: "fleet",
        auto_scaling_group_provider: {
            auto_scaling_group_arn: "arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:1:autoScalingGroupName/fleet",
        },
    };
    assert_eq!(provider?.name.as_deref(), Some("fleet"));

    let stack: Result<Stack, Invalid> = ecs_dsl::try_stack! {
        clusters: [{ cluster_name: "demo" }],
        task_definitions: [{
            family: "webserver",
            container_definitions: [{ name: "web", image: "nginx", memory: 128 }],
        }],
        services: [{ service_name: "web", cluster: "demo", task_definition: "webserver", desired_count: 1 }],
    };
    assert_eq!(stack?.services.len(), 1);

    // The stack's name may be computed; the `try_` form checks it at run time.
    let environment = String::from("prod");
    let named: Result<Stack, Invalid> = ecs_dsl::try_stack! {
        name: (format!("shop-{environment}")),
        clusters: [{ cluster_name: "demo" }],
    };
    assert_eq!(named?.name.as_deref(), Some("shop-prod"));
    let bad = String::from("shop,prod");
    let refused: Result<Stack, Invalid> = ecs_dsl::try_stack! {
        name: (bad.clone()),
        clusters: [{ cluster_name: "demo" }],
    };
    assert_eq!(refused.map(|_| ()).map_err(|e| e.codes().join(",")), Err("stack-name".to_owned()));

    // The plain and the `try_` form of the same literals give the same value.
    let plain = ecs_dsl::cluster! { cluster_name: "demo", settings: [{ name: containerInsights, value: "enabled" }] };
    let tried = ecs_dsl::try_cluster! { cluster_name: "demo", settings: [{ name: containerInsights, value: "enabled" }] }?;
    assert_eq!(plain, tried);
    Ok(())
}
