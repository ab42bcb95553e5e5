//! Rules for CreateServiceRequest.
//!
//! This file holds the rules about the service as a whole (name, scheduling, launch type);
//! the submodules hold the rules of its parts, and [`strategy`] the capacity provider strategy
//! rules that clusters share.

mod deployment;
mod network;
mod placement;
pub(crate) mod strategy;

use crate::diagnostic::{Diagnostic, JsonPath, Severity};
use crate::facts::is_daemon;
use crate::types::{CreateServiceRequest, DeploymentControllerType, LaunchType};

use super::Rule;

use deployment::uses_ecs_controller;
pub(crate) use network::{explicit_role, is_classic};

const CREATE_SERVICE_DOC: &str =
    "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_CreateService.html";

/// Service names.
pub(crate) const NAME: Rule = Rule {
    code: "service-name",
    severity: Severity::Error,
    summary: "A service name is 1 to 255 letters, digits, hyphens and underscores.",
    doc: CREATE_SERVICE_DOC,
    cross_field: false,
};

/// `launchType` or `capacityProviderStrategy`, not both.
pub(crate) const LAUNCH_TYPE_AND_STRATEGY: Rule = Rule {
    code: "service-launch-type-and-strategy",
    severity: Severity::Error,
    summary: "A service sets `launchType` or `capacityProviderStrategy`, not both.",
    doc: CREATE_SERVICE_DOC,
    cross_field: false,
};

/// Managed Instances go through a capacity provider strategy.
pub(crate) const MANAGED_INSTANCES_LAUNCH_TYPE: Rule = Rule {
    code: "service-managed-instances-launch-type",
    severity: Severity::Error,
    summary: "A service on ECS Managed Instances uses `capacityProviderStrategy`, not launch type MANAGED_INSTANCES.",
    doc: CREATE_SERVICE_DOC,
    cross_field: false,
};

/// REPLICA services set a non-negative desired count.
pub(crate) const DESIRED_COUNT: Rule = Rule {
    code: "service-desired-count",
    severity: Severity::Error,
    summary: "A REPLICA service sets `desiredCount`, 0 or more.",
    doc: CREATE_SERVICE_DOC,
    cross_field: true,
};

/// DAEMON services take no desired count.
pub(crate) const DAEMON_DESIRED_COUNT: Rule = Rule {
    code: "service-daemon-desired-count",
    severity: Severity::Error,
    summary: "A DAEMON service has no `desiredCount`: it runs one task on each instance.",
    doc: CREATE_SERVICE_DOC,
    cross_field: false,
};

/// DAEMON services do not run on Fargate.
pub(crate) const DAEMON_FARGATE: Rule = Rule {
    code: "service-daemon-fargate",
    severity: Severity::Error,
    summary: "The DAEMON scheduling strategy is not supported on Fargate.",
    doc: CREATE_SERVICE_DOC,
    cross_field: false,
};

/// DAEMON services use the ECS deployment controller.
pub(crate) const DAEMON_CONTROLLER: Rule = Rule {
    code: "service-daemon-deployment-controller",
    severity: Severity::Error,
    summary: "The DAEMON scheduling strategy is not supported with the CODE_DEPLOY or EXTERNAL deployment controllers.",
    doc: CREATE_SERVICE_DOC,
    cross_field: false,
};

/// Platform versions are for Fargate.
pub(crate) const PLATFORM_VERSION: Rule = Rule {
    code: "service-platform-version",
    severity: Severity::Error,
    summary: "`platformVersion` is only set for Fargate, not with launch type EC2 or EXTERNAL.",
    doc: CREATE_SERVICE_DOC,
    cross_field: false,
};

/// Client tokens.
pub(crate) const CLIENT_TOKEN: Rule = Rule {
    code: "service-client-token",
    severity: Severity::Error,
    summary: "A `clientToken` is 1 to 36 ASCII characters from `!` to `~`.",
    doc: CREATE_SERVICE_DOC,
    cross_field: false,
};

/// Managed tags need `propagateTags`.
pub(crate) const MANAGED_TAGS: Rule = Rule {
    code: "service-managed-tags-propagate",
    severity: Severity::Warning,
    summary: "With `enableECSManagedTags`, set `propagateTags` too.",
    doc: CREATE_SERVICE_DOC,
    cross_field: true,
};

/// A task definition is needed with the ECS and CODE_DEPLOY controllers.
pub(crate) const TASK_DEFINITION_REQUIRED: Rule = Rule {
    code: "service-task-definition-required",
    severity: Severity::Error,
    summary: "A service with the ECS or CODE_DEPLOY deployment controller names its `taskDefinition`.",
    doc: CREATE_SERVICE_DOC,
    cross_field: false,
};

/// Every service rule, with those of the submodules; clusters share the [`strategy`] rules.
pub(crate) const RULES: &[&Rule] = &[
    &NAME,
    &LAUNCH_TYPE_AND_STRATEGY,
    &MANAGED_INSTANCES_LAUNCH_TYPE,
    &DESIRED_COUNT,
    &DAEMON_DESIRED_COUNT,
    &DAEMON_FARGATE,
    &DAEMON_CONTROLLER,
    &PLATFORM_VERSION,
    &CLIENT_TOKEN,
    &MANAGED_TAGS,
    &TASK_DEFINITION_REQUIRED,
    &strategy::STRATEGY_LIMIT,
    &strategy::STRATEGY_RANGE,
    &strategy::STRATEGY_BASE,
    &strategy::STRATEGY_WEIGHT,
    &strategy::STRATEGY_MIXED,
    &strategy::STRATEGY_DUPLICATE,
    &deployment::PERCENT_RANGE,
    &deployment::NO_ROOM,
    &deployment::DAEMON_MAXIMUM_PERCENT,
    &deployment::ECS_CONTROLLER_ONLY,
    &deployment::ALARMS_EMPTY,
    &deployment::STRATEGY_CONFIGURATION,
    &deployment::LINEAR,
    &deployment::CANARY,
    &deployment::EARLY_SUCCESS,
    &deployment::LIFECYCLE_HOOK,
    &deployment::LIFECYCLE_HOOK_TARGET,
    &deployment::LIFECYCLE_HOOK_ROLE,
    &deployment::LIFECYCLE_HOOK_STAGE,
    &placement::STRATEGY_LIMIT,
    &placement::CONSTRAINT_LIMIT,
    &placement::CONSTRAINT_EXPRESSION,
    &placement::STRATEGY_FIELD,
    &placement::FARGATE,
    &placement::DAEMON_STRATEGY,
    &network::LOAD_BALANCER_LIMIT,
    &network::LOAD_BALANCER_TARGET,
    &network::LOAD_BALANCER_CONTAINER,
    &network::CLASSIC_LIMIT,
    &network::ROLE_WITHOUT_LOAD_BALANCER,
    &network::GRACE_PERIOD_RANGE,
    &network::AWSVPC_SUBNETS,
    &network::AWSVPC_SECURITY_GROUPS,
    &network::REGISTRY_LIMIT,
    &network::CONNECT_PORT_NAME,
    &network::CONNECT_DISCOVERY_NAME,
    &network::CONNECT_CLIENT_ALIASES,
];

/// Whether the request itself puts the service on Fargate: launch type FARGATE, or a capacity
/// provider strategy with FARGATE or FARGATE_SPOT. (A service with neither may still run on
/// Fargate through its cluster's default strategy; the stack rules look at that.)
pub(crate) fn runs_on_fargate(service: &CreateServiceRequest) -> bool {
    matches!(service.launch_type, Some(LaunchType::Fargate))
        || service
            .capacity_provider_strategy
            .as_deref()
            .is_some_and(strategy::uses_fargate)
}

/// Whether the service names a non-empty capacity provider strategy.
pub(crate) fn has_strategy(service: &CreateServiceRequest) -> bool {
    service
        .capacity_provider_strategy
        .as_ref()
        .is_some_and(|s| !s.is_empty())
}

/// Checks one CreateService request, with paths from its root.
pub(crate) fn check(service: &CreateServiceRequest, out: &mut Vec<Diagnostic>) {
    if let Some(name) = &service.service_name {
        super::common::check_name(
            &NAME,
            "service name",
            name,
            JsonPath::root().key("serviceName"),
            out,
        );
    }
    check_launch(service, out);
    check_counts(service, out);
    if is_daemon(service) {
        check_daemon(service, out);
    }
    check_request_members(service, out);
    if let Some(items) = &service.capacity_provider_strategy {
        strategy::check_strategy(
            items,
            &JsonPath::root().key("capacityProviderStrategy"),
            out,
        );
    }
    deployment::check(service, out);
    placement::check(service, out);
    network::check(service, out);
    super::common::check_tags(service.tags.as_deref(), &JsonPath::root().key("tags"), out);
}

fn check_launch(service: &CreateServiceRequest, out: &mut Vec<Diagnostic>) {
    let Some(launch_type) = &service.launch_type else {
        return;
    };
    if has_strategy(service) {
        out.push(
            LAUNCH_TYPE_AND_STRATEGY
                .at(
                    JsonPath::root().key("launchType"),
                    format!(
                        "launchType {} is set together with a capacityProviderStrategy",
                        launch_type.as_str()
                    ),
                )
                .with_hint("remove launchType, or remove capacityProviderStrategy"),
        );
    }
    if matches!(launch_type, LaunchType::ManagedInstances) {
        out.push(
            MANAGED_INSTANCES_LAUNCH_TYPE
                .at(
                    JsonPath::root().key("launchType"),
                    "launchType MANAGED_INSTANCES is not accepted by CreateService",
                )
                .with_hint("remove launchType and name the Managed Instances capacity provider in capacityProviderStrategy"),
        );
    }
    let ec2_like = matches!(launch_type, LaunchType::Ec2 | LaunchType::External);
    if let Some(version) = service.platform_version.as_deref().filter(|_| ec2_like) {
        out.push(
            PLATFORM_VERSION
                .at(
                    JsonPath::root().key("platformVersion"),
                    format!(
                        "platformVersion {version} is set with launch type {}",
                        launch_type.as_str()
                    ),
                )
                .with_hint("remove platformVersion; it applies to Fargate only"),
        );
    }
}

fn check_counts(service: &CreateServiceRequest, out: &mut Vec<Diagnostic>) {
    if is_daemon(service) {
        return;
    }
    let path = JsonPath::root().key("desiredCount");
    match service.desired_count {
        None => out.push(
            DESIRED_COUNT
                .at(path, "a REPLICA service has no desiredCount")
                .with_hint("set desiredCount to the number of tasks to keep running"),
        ),
        Some(count) if count < 0 => out.push(
            DESIRED_COUNT
                .at(
                    path,
                    format!("desiredCount is {count}; it cannot be negative"),
                )
                .with_hint("use 0 or more tasks"),
        ),
        Some(_) => {}
    }
}

fn check_daemon(service: &CreateServiceRequest, out: &mut Vec<Diagnostic>) {
    if let Some(count) = service.desired_count {
        out.push(
            DAEMON_DESIRED_COUNT
                .at(
                    JsonPath::root().key("desiredCount"),
                    format!("a DAEMON service sets desiredCount {count}"),
                )
                .with_hint(
                    "remove desiredCount: a DAEMON service runs one task per container instance",
                ),
        );
    }
    if runs_on_fargate(service) {
        let path = if service.launch_type.is_some() {
            JsonPath::root().key("launchType")
        } else {
            JsonPath::root().key("capacityProviderStrategy")
        };
        out.push(
            DAEMON_FARGATE
                .at(path, "a DAEMON service is set to run on Fargate")
                .with_hint("use schedulingStrategy REPLICA on Fargate, or run the DAEMON service on EC2 instances"),
        );
    }
    let controller = service
        .deployment_controller
        .as_ref()
        .and_then(|c| c.r#type.as_ref())
        .filter(|t| {
            matches!(
                t,
                DeploymentControllerType::CodeDeploy | DeploymentControllerType::External
            )
        });
    if let Some(kind) = controller {
        out.push(
            DAEMON_CONTROLLER
                .at(
                    JsonPath::root().key("deploymentController").key("type"),
                    format!(
                        "a DAEMON service uses the {} deployment controller",
                        kind.as_str()
                    ),
                )
                .with_hint("use the ECS deployment controller, or schedulingStrategy REPLICA"),
        );
    }
}

fn check_request_members(service: &CreateServiceRequest, out: &mut Vec<Diagnostic>) {
    if let Some(token) = &service.client_token {
        let len = token.chars().count();
        let bad = token.chars().find(|c| !('!'..='~').contains(c));
        if len == 0 || len > 36 || bad.is_some() {
            let problem = match bad {
                Some(c) => format!("contains {c:?}"),
                None => format!("is {len} characters long"),
            };
            out.push(
                CLIENT_TOKEN
                    .at(
                        JsonPath::root().key("clientToken"),
                        format!("clientToken {problem}"),
                    )
                    .with_hint(
                        "use 1 to 36 printable ASCII characters without spaces, such as a UUID",
                    ),
            );
        }
    }
    if service.enable_ecs_managed_tags == Some(true) && service.propagate_tags.is_none() {
        out.push(
            MANAGED_TAGS
                .at(
                    JsonPath::root().key("propagateTags"),
                    "enableECSManagedTags is true but propagateTags is not set",
                )
                .with_hint("set propagateTags to SERVICE or TASK_DEFINITION"),
        );
    }
    let needs_task_definition = uses_ecs_controller(service)
        || matches!(
            service
                .deployment_controller
                .as_ref()
                .and_then(|c| c.r#type.as_ref()),
            Some(DeploymentControllerType::CodeDeploy)
        );
    let task_definition = service.task_definition.as_deref().filter(|t| !t.is_empty());
    if needs_task_definition && task_definition.is_none() {
        out.push(
            TASK_DEFINITION_REQUIRED
                .at(
                    JsonPath::root().key("taskDefinition"),
                    "the service names no task definition",
                )
                .with_hint(
                    "set taskDefinition to a family, family:revision or task definition ARN",
                ),
        );
    }
}
