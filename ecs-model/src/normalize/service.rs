//! Normalization of CreateService inputs. Each rule names its source; the module documentation
//! of [`crate::normalize`] has the whole table.

use crate::facts::is_fargate_provider;
use crate::types::{
    AssignPublicIp, AvailabilityZoneRebalancing, CreateServiceRequest, DeploymentAlarms,
    DeploymentConfiguration, DeploymentController, DeploymentControllerType, DeploymentStrategy,
    LaunchType, PropagateTags, SchedulingStrategy, ThresholdConfiguration, ThresholdType,
};

use super::{capacity_provider_strategy, drop_empty, drop_empty_enum, enum_order, sort_list, tags};

/// Normalizes a CreateService input in place.
///
/// `desiredCount` and `launchType` are never filled: see the module documentation.
///
/// ```
/// use ecs_model::normalize;
/// use ecs_model::types::CreateServiceRequest;
///
/// let mut s: CreateServiceRequest = serde_json::from_str(
///     r#"{"serviceName": "web", "taskDefinition": "web", "desiredCount": 2,
///         "launchType": "FARGATE"}"#,
/// ).expect("valid JSON");
/// normalize::service(&mut s);
/// let deployment = s.deployment_configuration.as_ref().expect("filled");
/// assert_eq!((deployment.maximum_percent, deployment.minimum_healthy_percent), (Some(200), Some(100)));
/// assert_eq!(s.platform_version.as_deref(), Some("LATEST"));
/// assert_eq!(s.desired_count, Some(2));
/// ```
pub fn service(s: &mut CreateServiceRequest) {
    drop_empty_enum!(s.scheduling_strategy, SchedulingStrategy);
    drop_empty_enum!(s.launch_type, LaunchType);
    drop_empty_enum!(s.propagate_tags, PropagateTags);
    drop_empty_enum!(s.availability_zone_rebalancing, AvailabilityZoneRebalancing);

    // `create-service` answers "schedulingStrategy": "REPLICA" for a request without one
    // (https://docs.aws.amazon.com/cli/latest/reference/ecs/create-service.html).
    let scheduling = s
        .scheduling_strategy
        .get_or_insert(SchedulingStrategy::Replica)
        .clone();
    // https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_CreateService.html:
    // "If no deployment controller is specified, the default value of ECS is used."
    let controller = s
        .deployment_controller
        .get_or_insert_with(|| DeploymentController {
            r#type: Some(DeploymentControllerType::Ecs),
            ..DeploymentController::default()
        });
    let ecs_controller = matches!(controller.r#type, Some(DeploymentControllerType::Ecs));

    let deployment = s
        .deployment_configuration
        .get_or_insert_with(DeploymentConfiguration::default);
    deployment_configuration(deployment, &scheduling, ecs_controller);
    if *deployment == DeploymentConfiguration::default() {
        // Nothing to fill (an unknown scheduling strategy under a non-ECS controller).
        s.deployment_configuration = None;
    }

    // A network configuration without an awsvpc configuration configures nothing (only
    // awsvpc task definitions take one); some endpoints answer `{}` for a service without it.
    if s.network_configuration
        .as_ref()
        .is_some_and(|n| n.awsvpc_configuration.is_none() && n.extra.is_empty())
    {
        s.network_configuration = None;
    }

    // https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_CreateService.html:
    // propagateTags "The default is NONE."
    s.propagate_tags.get_or_insert(PropagateTags::None);
    // `create-service` answers "enableECSManagedTags": false for a request without it
    // (https://docs.aws.amazon.com/cli/latest/reference/ecs/create-service.html).
    s.enable_ecs_managed_tags.get_or_insert(false);
    // API_CreateService: execute command is on only "If true".
    s.enable_execute_command.get_or_insert(false);
    // API_CreateService: "If you do not specify a health check grace period value, the default
    // value of 0 is used."
    s.health_check_grace_period_seconds.get_or_insert(0);
    if scheduling == SchedulingStrategy::Replica {
        // API_CreateService: "For create service requests, when no value is specified for
        // AvailabilityZoneRebalancing, Amazon ECS defaults the value to ENABLED."
        // Only for REPLICA: rebalancing moves replicas between zones; a DAEMON service runs
        // one task per instance and has nothing to move.
        s.availability_zone_rebalancing
            .get_or_insert(AvailabilityZoneRebalancing::Enabled);
    }
    if s.platform_version.is_none() && runs_on_fargate(s) {
        // API_CreateService: "If one isn't specified, the LATEST platform version is used."
        s.platform_version = Some("LATEST".to_owned());
    }

    if let Some(vpc) = s
        .network_configuration
        .as_mut()
        .and_then(|n| n.awsvpc_configuration.as_mut())
    {
        // https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_AwsVpcConfiguration.html:
        // "When you use create-service or update-service, the default is DISABLED."
        vpc.assign_public_ip.get_or_insert(AssignPublicIp::Disabled);
        // Subnets and security groups are sets of IDs.
        sort_list(&mut vpc.subnets, String::cmp);
        sort_list(&mut vpc.security_groups, String::cmp);
    }

    capacity_provider_strategy(&mut s.capacity_provider_strategy);
    // Each load balancer entry attaches one container port to one target group: a set.
    sort_list(&mut s.load_balancers, |a, b| {
        a.target_group_arn
            .cmp(&b.target_group_arn)
            .then_with(|| a.load_balancer_name.cmp(&b.load_balancer_name))
            .then_with(|| a.container_name.cmp(&b.container_name))
            .then_with(|| a.container_port.cmp(&b.container_port))
    });
    // Every constraint must hold: a set.
    sort_list(&mut s.placement_constraints, |a, b| {
        enum_order(&a.r#type, &b.r#type, |t| t.as_str())
            .then_with(|| a.expression.cmp(&b.expression))
    });
    // Strategies apply in the order given: only `[]` goes.
    drop_empty(&mut s.placement_strategy);
    drop_empty(&mut s.service_registries);
    drop_empty(&mut s.volume_configurations);
    drop_empty(&mut s.vpc_lattice_configurations);
    drop_empty(&mut s.gateway_connectors);
    tags(&mut s.tags);
}

fn deployment_configuration(
    d: &mut DeploymentConfiguration,
    scheduling: &SchedulingStrategy,
    ecs_controller: bool,
) {
    // https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_DeploymentConfiguration.html
    match scheduling {
        SchedulingStrategy::Replica => {
            // "The default maximumPercent value for a service using the REPLICA service
            // scheduler is 200%." / "The default value for a replica service for
            // minimumHealthyPercent is 100%."
            d.maximum_percent.get_or_insert(200);
            d.minimum_healthy_percent.get_or_insert(100);
        }
        SchedulingStrategy::Daemon => {
            // "The default minimumHealthyPercent value for a service using the DAEMON service
            // schedule is 0% for the CLI, the Amazon Web Services SDKs, and the APIs".
            // No page states DAEMON's maximumPercent default: left as written.
            d.minimum_healthy_percent.get_or_insert(0);
        }
        _ => {}
    }
    if ecs_controller {
        drop_empty_enum!(d.strategy, DeploymentStrategy);
        // https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_DeploymentController.html
        // (`type`, ECS): "Rolling updates are the default deployment strategy for services".
        // DescribeServices answers "strategy": "ROLLING" for a request without one.
        let strategy = d.strategy.get_or_insert(DeploymentStrategy::Rolling);
        if *strategy == DeploymentStrategy::Rolling {
            // https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_DeploymentConfiguration.html:
            // bakeTimeInMinutes is "the time period when both blue and green service revisions
            // are running simultaneously after the production traffic has shifted". A rolling
            // deployment has no such period, so no bake time and 0 mean the same; DescribeServices
            // answers 0. Other strategies keep what was written (BLUE_GREEN requires it).
            d.bake_time_in_minutes.get_or_insert(0);
        }
        // https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_DeploymentCircuitBreaker.html:
        // the breaker exists only for the ECS controller and acts only when turned on, so no
        // breaker is a breaker with both switches off (DescribeServices answers it that way).
        let breaker = d
            .deployment_circuit_breaker
            .get_or_insert_with(Default::default);
        breaker.enable.get_or_insert(false);
        breaker.rollback.get_or_insert(false);
        // Same page, resetOnHealthyTask: "The default is true."
        breaker.reset_on_healthy_task.get_or_insert(true);
        // https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ThresholdConfiguration.html:
        // "By default, the threshold configuration uses a type of BOUNDED_PERCENT with a value
        // of 50"; each member on its own: `type` "The default is BOUNDED_PERCENT", `value` "The
        // default is 50".
        let threshold = breaker
            .threshold_configuration
            .get_or_insert_with(ThresholdConfiguration::default);
        drop_empty_enum!(threshold.r#type, ThresholdType);
        threshold
            .r#type
            .get_or_insert(ThresholdType::BoundedPercent);
        threshold.value.get_or_insert(50);
    }
    if let Some(alarms) = &mut d.alarms {
        drop_empty(&mut alarms.alarm_names);
    }
    // https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_DeploymentAlarms.html:
    // `enable` decides whether the alarms are used; with it off, no names and no rollback the
    // block says nothing.
    if d.alarms.as_ref().is_some_and(alarms_off) {
        d.alarms = None;
    }
    drop_empty(&mut d.lifecycle_hooks);
}

fn alarms_off(alarms: &DeploymentAlarms) -> bool {
    alarms.alarm_names.is_none()
        && alarms.enable != Some(true)
        && alarms.rollback != Some(true)
        && alarms.extra.is_empty()
}

/// Whether the service's tasks run on Fargate: launch type `FARGATE`, or a capacity provider
/// strategy made only of the `FARGATE` and `FARGATE_SPOT` providers.
fn runs_on_fargate(s: &CreateServiceRequest) -> bool {
    if let Some(launch_type) = &s.launch_type {
        return *launch_type == LaunchType::Fargate;
    }
    s.capacity_provider_strategy.as_ref().is_some_and(|items| {
        !items.is_empty()
            && items.iter().all(|item| {
                item.capacity_provider
                    .as_deref()
                    .is_some_and(is_fargate_provider)
            })
    })
}
