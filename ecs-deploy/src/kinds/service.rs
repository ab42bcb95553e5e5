//! Services: observed with the batched DescribeServices, compared with the stack's, then
//! created, updated in place (with a new deployment where the change needs one), their capacity
//! moved, or replaced where UpdateService cannot make the change.

use std::collections::{BTreeMap, BTreeSet};

use ecs_model::JsonPath;
use ecs_model::document::{Input, Kind};
use ecs_model::normalize;
use ecs_model::types::{CreateServiceRequest, ServiceConnectConfiguration, UpdateServiceRequest};
use serde_json::Value;

use crate::aws::{AwsError, Ecs, Operation};
use crate::observe::*;
use crate::ownership::{adoptable, owned_tags};
use crate::plan::*;
use crate::state::{Services, service_key};

/// Members of a service that UpdateService cannot change: a change means a new service. A
/// change of `launchType` is judged with the capacity provider strategy ([`capacity_move`]),
/// one of `deploymentController` with [`controller_move`].
pub(crate) const IMMUTABLE_SERVICE_MEMBERS: &[&str] =
    &["serviceName", "cluster", "schedulingStrategy", "role"];

/// Members of CreateService that UpdateService does not take: never copied into an update.
pub(crate) const CREATE_ONLY_SERVICE_MEMBERS: &[&str] = &[
    "serviceName",
    "clientToken",
    "launchType",
    "role",
    "schedulingStrategy",
    "tags",
];

/// Members whose change starts a new deployment of the service's tasks: the members of
/// UpdateServiceRequest whose model documentation says "This parameter triggers a new service
/// deployment" (`loadBalancers`: "Amazon ECS starts new tasks with the updated Elastic Load
/// Balancing configuration").
pub(crate) const DEPLOYING_SERVICE_MEMBERS: &[&str] = &[
    "taskDefinition",
    "networkConfiguration",
    "platformVersion",
    "loadBalancers",
    "serviceRegistries",
    "serviceConnectConfiguration",
    "volumeConfigurations",
    "vpcLatticeConfigurations",
];

/// Members whose change reaches the tasks only through a new deployment, which UpdateService
/// does not start on its own (the model: "This parameter doesn't trigger a new service
/// deployment"): the update sends `forceNewDeployment: true` with them, so the running tasks
/// get the change and the deployment the plan announces is real. A change of
/// `capacityProviderStrategy` (or `launchType`) is forced the same way ([`capacity_move`]).
pub(crate) const FORCED_DEPLOYMENT_MEMBERS: &[&str] = &[
    "enableExecuteCommand",
    "placementConstraints",
    "placementStrategy",
];

/// Whether UpdateService moves a service from the deployment controller `from` to `to` in
/// place (`ECS` when none is named); why not when not.
///
/// UpdateServiceRequest takes `deploymentController` (the model documents no rule). The
/// Amazon ECS Developer Guide ("Updating the deployment controller of a service") lets a
/// service move to the ECS controller (from CodeDeploy blue/green, to ECS blue/green) and
/// between ECS and EXTERNAL; a move to CODE_DEPLOY needs a CodeDeploy deployment group that
/// names the service, which only exists once the service does: replaced.
pub(crate) fn controller_move(from: &str, to: &str) -> Result<(), ReplaceCause> {
    if from == to || matches!(to, "ECS" | "EXTERNAL") {
        Ok(())
    } else {
        Err(ReplaceCause::DeploymentController {
            from: from.to_owned(),
            to: to.to_owned(),
        })
    }
}

/// The deployment controller type of a normalized service (`ECS` when none is named).
fn controller_of(service: &Value) -> String {
    service
        .pointer("/deploymentController/type")
        .and_then(Value::as_str)
        .unwrap_or("ECS")
        .to_owned()
}

/// What a (normalized) service runs on.
pub(crate) fn capacity_of(service: &CreateServiceRequest) -> Capacity {
    if let Some(launch_type) = &service.launch_type {
        return Capacity::LaunchType {
            launch_type: launch_type.as_str().to_owned(),
        };
    }
    match service.capacity_provider_strategy.as_deref() {
        Some(items) if !items.is_empty() => Capacity::Strategy {
            providers: items
                .iter()
                .map(|i| i.capacity_provider.clone().unwrap_or_default())
                .collect(),
        },
        _ => Capacity::ClusterDefault,
    }
}

/// Whether UpdateService moves a service from `from` to `to` in place; why not when not.
///
/// The AWS API reference (UpdateService, `capacityProviderStrategy`, since 2025) lists the
/// moves it makes: from the Fargate or EC2 launch type to a capacity provider strategy (Fargate
/// or Auto Scaling group providers; Amazon ECS Managed Instances providers too, per "Updating
/// an Amazon ECS service to use a capacity provider"), between strategies, and from an Auto
/// Scaling group or Fargate strategy back to a launch type (an empty strategy). UpdateService
/// has no `launchType`, so one launch type never becomes another in place, and the EXTERNAL
/// and MANAGED_INSTANCES launch types take part in no move. A service created with the
/// cluster's default strategy runs on that strategy and moves as one.
pub(crate) fn capacity_move(
    from: &Capacity,
    to: &Capacity,
    actual: &Actual,
) -> Result<(), ReplaceCause> {
    let movable = |launch_type: &str| matches!(launch_type, "EC2" | "FARGATE");
    let managed_instances = |providers: &[String]| {
        providers.iter().any(|p| {
            actual
                .capacity_providers
                .get(p)
                .is_some_and(|e| e.input.managed_instances_provider.is_some())
        })
    };
    let refused = |in_place: Option<InPlaceRoute>| ReplaceCause::CapacityMove {
        from: from.clone(),
        to: to.clone(),
        in_place,
    };
    match (from, to) {
        (a, b) if a == b => Ok(()),
        (Capacity::LaunchType { launch_type }, Capacity::Strategy { .. })
            if movable(launch_type) =>
        {
            Ok(())
        }
        (Capacity::Strategy { .. } | Capacity::ClusterDefault, Capacity::Strategy { .. }) => Ok(()),
        (Capacity::Strategy { providers }, Capacity::LaunchType { launch_type })
            if movable(launch_type) && !managed_instances(providers) =>
        {
            Ok(())
        }
        // One launch type for another, or a launch type for the cluster's default strategy:
        // a strategy reaches the same in place.
        (Capacity::LaunchType { launch_type: a }, Capacity::LaunchType { launch_type: b })
            if movable(a) && movable(b) =>
        {
            Err(refused(Some(InPlaceRoute::StrategyInsteadOfLaunchType)))
        }
        (Capacity::LaunchType { launch_type }, Capacity::ClusterDefault)
            if movable(launch_type) =>
        {
            Err(refused(Some(InPlaceRoute::StrategyInsteadOfLaunchType)))
        }
        _ => Err(refused(None)),
    }
}

/// FNV-1a, 64 bits: a hash that stays the same across Rust versions and platforms (the
/// standard library's `DefaultHasher` promises neither), for [`client_token`].
pub(crate) fn fnv1a(bytes: impl IntoIterator<Item = u8>) -> u64 {
    bytes.into_iter().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// The `clientToken` of a CreateService call: `ecs-rs-` and 29 hexadecimal characters (36 in
/// all, AWS's limit: "Up to 36 ASCII characters in the range of 33-126"), 12 from the stack,
/// cluster and service names, 16 from the request and, for a replacement, the request of the
/// service replaced. The same create planned again, as after an interrupted apply, sends the
/// same token, so AWS creates the service once; a different request, or the same request
/// replacing another, sends another.
pub(crate) fn client_token(
    stack: &str,
    cluster: &str,
    service: &str,
    request: &Value,
    replaced: Option<&Value>,
) -> String {
    let identity = fnv1a(
        [stack, cluster, service]
            .iter()
            .flat_map(|part| part.bytes().chain([0])),
    );
    let replaced = replaced.map(Value::to_string).unwrap_or_default();
    let content = fnv1a(
        request
            .to_string()
            .bytes()
            .chain([0])
            .chain(replaced.bytes()),
    );
    format!("ecs-rs-{:012x}-{content:016x}", identity & 0xffff_ffff_ffff)
}

/// The UpdateService request that sets `members` (top-level member names that differ) of the
/// service `name` of `cluster` to their values in `normalized`: the stack's service as the plan
/// compared it (AWS's defaults for what the stack leaves out, so a member removed goes back to
/// its default; AWS's values where they are AWS's). A list the stack no longer has is sent
/// empty, which is how UpdateService removes load balancers, registries, constraints...; Service
/// Connect removed is turned off (`enabled: false`: UpdateService keeps a configuration left
/// out). A member newer than the model is sent as AWS showed it.
pub(crate) fn update_request(
    cluster: &str,
    name: &str,
    normalized: &CreateServiceRequest,
    members: &[&str],
) -> UpdateServiceRequest {
    fn list<T: Clone>(value: &Option<Vec<T>>) -> Option<Vec<T>> {
        Some(value.clone().unwrap_or_default())
    }
    let n = normalized;
    let mut u = UpdateServiceRequest::default();
    u.cluster = Some(cluster.to_owned());
    u.service = Some(name.to_owned());
    for member in members {
        match *member {
            "desiredCount" => u.desired_count = n.desired_count,
            "taskDefinition" => u.task_definition = n.task_definition.clone(),
            "capacityProviderStrategy" => {
                u.capacity_provider_strategy = list(&n.capacity_provider_strategy);
            }
            "deploymentConfiguration" => {
                u.deployment_configuration = n.deployment_configuration.clone();
            }
            "availabilityZoneRebalancing" => {
                u.availability_zone_rebalancing = n.availability_zone_rebalancing.clone();
            }
            "networkConfiguration" => u.network_configuration = n.network_configuration.clone(),
            "placementConstraints" => u.placement_constraints = list(&n.placement_constraints),
            "placementStrategy" => u.placement_strategy = list(&n.placement_strategy),
            "platformVersion" => u.platform_version = n.platform_version.clone(),
            "healthCheckGracePeriodSeconds" => {
                u.health_check_grace_period_seconds = n.health_check_grace_period_seconds;
            }
            "deploymentController" => u.deployment_controller = n.deployment_controller.clone(),
            "enableExecuteCommand" => u.enable_execute_command = n.enable_execute_command,
            "enableECSManagedTags" => u.enable_ecs_managed_tags = n.enable_ecs_managed_tags,
            "loadBalancers" => u.load_balancers = list(&n.load_balancers),
            "propagateTags" => u.propagate_tags = n.propagate_tags.clone(),
            "serviceRegistries" => u.service_registries = list(&n.service_registries),
            "serviceConnectConfiguration" => {
                u.service_connect_configuration =
                    Some(n.service_connect_configuration.clone().unwrap_or_else(|| {
                        let mut off = ServiceConnectConfiguration::default();
                        off.enabled = Some(false);
                        off
                    }));
            }
            "volumeConfigurations" => u.volume_configurations = list(&n.volume_configurations),
            "vpcLatticeConfigurations" => {
                u.vpc_lattice_configurations = list(&n.vpc_lattice_configurations);
            }
            "gatewayConnectors" => u.gateway_connectors = list(&n.gateway_connectors),
            "monitoring" => u.monitoring = n.monitoring.clone(),
            other => {
                if let Some(value) = n.extra.get(other) {
                    u.extra.insert(other.to_owned(), value.clone());
                }
            }
        }
    }
    u
}

/// The CreateService step for `request`, with its [`client_token`].
pub(crate) fn create_service_step(
    options: &Options,
    (cluster, name): (&str, &str),
    mut request: CreateServiceRequest,
    replaced: Option<&Value>,
) -> Step {
    request.client_token = None;
    let token = client_token(&options.stack, cluster, name, &to_json(&request), replaced);
    request.client_token = Some(token);
    Step::CreateService(request)
}

/// The change of the service `desired`. `scaled` is its scalable target in the stack's
/// `scaling`, when it has one: then its `desiredCount` belongs to Application Auto Scaling once
/// the service exists (left out of the update and of the comparison, and listed as kept,
/// unless [`Options::force_desired_count`]), and a service created without one starts at the
/// target's `MinCapacity`.
pub(crate) fn plan(
    desired: &CreateServiceRequest,
    actual: &Actual,
    options: &Options,
    registering: &[String],
    scaled: Option<&ecs_model::autoscaling::RegisterScalableTargetRequest>,
) -> Change {
    let (cluster, name) = service_key(desired);
    let address = Address::Service {
        cluster: cluster.clone(),
        name: name.clone(),
    };
    let mut wanted = desired.clone();
    wanted.tags = Some(owned_tags(&desired.tags, options));
    if wanted.desired_count.is_none()
        && let Some(target) = scaled
    {
        wanted.desired_count = target.min_capacity;
    }
    let Some(existing) = actual.services.get(&(cluster.clone(), name.clone())) else {
        let mut change = creation(address, Step::CreateService(wanted.clone()));
        change.steps = vec![create_service_step(
            options,
            (&cluster, &name),
            wanted,
            None,
        )];
        if actual
            .services
            .draining
            .contains(&(cluster.clone(), name.clone()))
        {
            // AWS refuses CreateService while a service of the name drains: delete it first
            // (AWS answers a service already INACTIVE with ServiceNotActiveException, which
            // apply takes as done), and apply waits until it is INACTIVE before creating.
            change
                .steps
                .insert(0, Step::delete_service(&cluster, &name));
            change.reason = Some(Reason::StillDraining);
        }
        return change;
    };
    if let Err(reason) = adoptable(&existing.input.tags, options) {
        return not_managed(address, reason);
    }

    // The service names its task definition by family; compare with the revision it will run.
    let family = wanted.task_definition.clone().unwrap_or_default();
    let target_arn = actual
        .task_definitions
        .get(&family)
        .map_or(family.clone(), |td| td.arn.clone());
    let target = if registering.contains(&family) {
        format!("{family}:(new revision)")
    } else {
        target_arn.clone()
    };
    let mut kept = Vec::new();
    let leave_count = options.leave.iter().any(|l| {
        matches!(l, Leave::DesiredCount { service } if service.as_deref().is_none_or(|s| s == name))
    }) || (scaled.is_some() && !options.force_desired_count);
    if leave_count && let Some(count) = existing.input.desired_count {
        wanted.desired_count = Some(count);
        kept.push(Kept {
            path: JsonPath::root().key("desiredCount"),
            value: Value::from(count),
            owner: Owner::Autoscaling,
        });
    }
    // A service that names neither a launch type nor a strategy gets the cluster's default
    // strategy when it is created, and DescribeServices shows it: AWS's value, which the
    // request does not show (and UpdateService cannot go back to "the cluster's default").
    if wanted.launch_type.is_none()
        && wanted
            .capacity_provider_strategy
            .as_ref()
            .is_none_or(Vec::is_empty)
        && existing.input.launch_type.is_none()
    {
        keep_picked(
            &mut wanted.capacity_provider_strategy,
            &existing.input.capacity_provider_strategy,
            JsonPath::root().key("capacityProviderStrategy"),
            &mut kept,
        );
    }
    let request = wanted.clone();
    wanted.task_definition = Some(target);
    wanted.cluster = Some(cluster.clone());
    normalize::service(&mut wanted);
    let mut have = existing.input.clone();
    have.cluster = Some(cluster.clone());
    // Service Connect turned off (`{"enabled": false}`, how an update removes it) is no Service
    // Connect: what a stack without it means.
    if wanted.service_connect_configuration.is_none()
        && have
            .service_connect_configuration
            .as_ref()
            .is_some_and(|c| c.enabled == Some(false) && c.namespace.is_none())
    {
        have.service_connect_configuration = None;
    }
    normalize::service(&mut have);
    let compared = compared(&have, &wanted);
    kept.extend(compared.kept);
    let (have_json, wanted_json, fields) = (compared.have, compared.wanted, compared.fields);

    let changed = |member: &str| fields.iter().any(|f| top(&f.path) == member);
    let (from, to) = (capacity_of(&have), capacity_of(&wanted));
    let capacity_changes = changed("launchType") || changed("capacityProviderStrategy");
    let replace = fields
        .iter()
        .map(|f| top(&f.path))
        .find(|m| IMMUTABLE_SERVICE_MEMBERS.contains(m))
        .map(|member| (member.to_owned(), ReplaceCause::Immutable))
        .or_else(|| {
            controller_move(&controller_of(&have_json), &controller_of(&wanted_json))
                .err()
                .map(|cause| ("deploymentController".to_owned(), cause))
        })
        .or_else(|| {
            let member = if changed("launchType") {
                "launchType"
            } else {
                "capacityProviderStrategy"
            };
            capacity_changes
                .then(|| capacity_move(&from, &to, actual).err())
                .flatten()
                .map(|cause| (member.to_owned(), cause))
        });
    if let Some((member, cause)) = replace {
        return Change {
            address,
            action: Action::Replace,
            reason: Some(Reason::ServiceReplaced { member, cause }),
            fields,
            kept,
            steps: vec![
                Step::delete_service(&cluster, &name),
                create_service_step(options, (&cluster, &name), request, Some(&have_json)),
            ],
            rollback: None,
        };
    }

    let forced = options.forces(&cluster, &name);
    let needs_force = fields
        .iter()
        .any(|f| FORCED_DEPLOYMENT_MEMBERS.contains(&top(&f.path)));
    let deploys = forced
        || capacity_changes
        || needs_force
        || fields
            .iter()
            .any(|f| DEPLOYING_SERVICE_MEMBERS.contains(&top(&f.path)));
    let mut members: Vec<&str> = fields
        .iter()
        .map(|f| top(&f.path))
        .filter(|m| !CREATE_ONLY_SERVICE_MEMBERS.contains(m))
        .collect();
    members.dedup();
    let mut steps = Vec::new();
    if !members.is_empty() || forced {
        // The stack's service as compared (normalized: AWS's defaults for what it leaves out,
        // AWS's values kept where they are AWS's), typed.
        let Some(normalized) =
            ecs_model::load::from_value::<CreateServiceRequest>(&wanted_json).value
        else {
            return blocked(
                address,
                fields,
                Reason::InvalidRequest {
                    operation: Operation::UpdateService,
                    problems: "the service does not read back as a CreateService request"
                        .to_owned(),
                },
            );
        };
        let mut update = update_request(&cluster, &name, &normalized, &members);
        if members.contains(&"taskDefinition") || deploys {
            // The revision to run: the latest ACTIVE one's ARN, or, when this plan registers a
            // new revision, the family, which apply replaces with the ARN it registered.
            update.task_definition = Some(if registering.contains(&family) {
                family.clone()
            } else {
                target_arn.clone()
            });
        }
        if capacity_changes {
            // The strategy to move to; an empty one moves the service back to a launch type.
            update.capacity_provider_strategy = Some(
                normalized
                    .capacity_provider_strategy
                    .clone()
                    .unwrap_or_default(),
            );
        }
        if capacity_changes || forced || needs_force {
            // AWS refuses a strategy change without a new deployment; the members of
            // FORCED_DEPLOYMENT_MEMBERS reach the tasks only with one.
            update.force_new_deployment = Some(true);
        }
        steps.push(Step::UpdateService(update));
    }
    if changed("tags") {
        steps.extend(super::tag_steps(&existing.arn, &have_json, &wanted_json));
    }
    let mut change = updated(address, fields, kept, Vec::new(), deploys);
    if forced {
        change.action = Action::UpdateAndDeploy;
        change.reason = Some(Reason::ForcedDeployment);
    } else if capacity_changes {
        change.reason = Some(Reason::CapacityMoved { from, to });
    }
    if change.action != Action::NoChange {
        change.steps = steps;
    }
    if change.action == Action::UpdateAndDeploy
        && let Some(previous) = existing.input.task_definition.clone()
    {
        change.rollback = Some(Step::run_revision(&cluster, &name, &previous));
    }
    change
}

/// Reads the services of `services` (names by cluster name) with the batched
/// DescribeServices: the ACTIVE ones, each rendered as its CreateService input, and the names
/// of the DRAINING ones ([`Services::draining`]).
pub(crate) async fn observe(
    ecs: &Ecs,
    services: &BTreeMap<String, BTreeSet<String>>,
    concurrency: usize,
) -> Result<Services, AwsError> {
    let responses = describe_service_answers(ecs, services, concurrency).await?;
    let mut out = Services::default();
    for (cluster, response) in responses {
        let keys = ("serviceName", "serviceArn");
        for found in described(&response, Kind::Service, "services", keys) {
            let key = (cluster.clone(), found.name);
            match (found.input, found.status.as_str()) {
                (Input::Service(input), "ACTIVE") => {
                    out.insert(key, Existing::new(found.arn, input));
                }
                (_, "DRAINING") => {
                    out.draining.insert(key);
                }
                _ => {}
            }
        }
    }
    Ok(out)
}
