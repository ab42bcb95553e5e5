//! Rules for a service's `deploymentConfiguration` and how it fits the deployment controller
//! and the scheduling strategy.

use crate::diagnostic::{Diagnostic, JsonPath, Severity};
use crate::facts::is_daemon;
use crate::types::{
    CanaryConfiguration, CreateServiceRequest, DeploymentConfiguration, DeploymentControllerType,
    DeploymentEarlySuccessCriteria, DeploymentLifecycleHook, DeploymentLifecycleHookStage,
    DeploymentLifecycleHookTargetType, DeploymentStrategy, LinearConfiguration,
};

use super::super::Rule;

/// Percentages within their range.
pub(crate) const PERCENT_RANGE: Rule = Rule {
    code: "deployment-percent-range",
    severity: Severity::Error,
    summary: "`minimumHealthyPercent` is 0 to 100 and `maximumPercent` is not negative.",
    doc: "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_DeploymentConfiguration.html",
    cross_field: false,
};

/// A rolling deployment must be able to stop or start at least one task.
pub(crate) const NO_ROOM: Rule = Rule {
    code: "deployment-no-room",
    severity: Severity::Warning,
    summary: "`minimumHealthyPercent` and `maximumPercent` let a rolling deployment stop or start at least one task.",
    doc: "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/deployment-type-ecs.html",
    cross_field: true,
};

/// DAEMON services deploy with `maximumPercent` at most 100.
pub(crate) const DAEMON_MAXIMUM_PERCENT: Rule = Rule {
    code: "service-daemon-maximum-percent",
    severity: Severity::Error,
    summary: "A DAEMON service's `maximumPercent` is at most 100.",
    doc: "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service_definition_parameters.html",
    cross_field: false,
};

/// Features of the ECS deployment controller.
pub(crate) const ECS_CONTROLLER_ONLY: Rule = Rule {
    code: "deployment-ecs-controller-only",
    severity: Severity::Error,
    summary: "The circuit breaker, deployment alarms, lifecycle hooks and the BLUE_GREEN, LINEAR and CANARY strategies need the ECS deployment controller.",
    doc: "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_DeploymentCircuitBreaker.html",
    cross_field: false,
};

/// Enabled alarms name at least one alarm.
pub(crate) const ALARMS_EMPTY: Rule = Rule {
    code: "deployment-alarms-empty",
    severity: Severity::Error,
    summary: "Enabled deployment alarms name at least one CloudWatch alarm.",
    doc: "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_DeploymentAlarms.html",
    cross_field: false,
};

/// Linear and canary settings go with their strategy.
pub(crate) const STRATEGY_CONFIGURATION: Rule = Rule {
    code: "deployment-strategy-configuration",
    severity: Severity::Error,
    summary: "`linearConfiguration` goes with the LINEAR strategy and `canaryConfiguration` with CANARY.",
    doc: "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_DeploymentConfiguration.html",
    cross_field: false,
};

/// Linear step and bake time ranges.
pub(crate) const LINEAR: Rule = Rule {
    code: "deployment-linear-configuration",
    severity: Severity::Error,
    summary: "`stepPercent` is a multiple of 0.1 from 3.0 to 100.0 and `stepBakeTimeInMinutes` is 0 to 1440.",
    doc: "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_LinearConfiguration.html",
    cross_field: false,
};

/// Canary percent and bake time ranges.
pub(crate) const CANARY: Rule = Rule {
    code: "deployment-canary-configuration",
    severity: Severity::Error,
    summary: "`canaryPercent` is a multiple of 0.1 from 0.1 to 100.0 and `canaryBakeTimeInMinutes` is 0 to 1440.",
    doc: "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_CanaryConfiguration.html",
    cross_field: false,
};

/// Early success criteria.
pub(crate) const EARLY_SUCCESS: Rule = Rule {
    code: "deployment-early-success",
    severity: Severity::Error,
    summary: "Enabled early success criteria use the ROLLING strategy and set `healthyPercent` (0 to 100, at least `minimumHealthyPercent`) and `sourceServiceRevisionCleanup`.",
    doc: "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_DeploymentEarlySuccessCriteria.html",
    cross_field: true,
};

/// Lifecycle hooks.
pub(crate) const LIFECYCLE_HOOK: Rule = Rule {
    code: "deployment-lifecycle-hook",
    severity: Severity::Error,
    summary: "A lifecycle hook lists its stages; an AWS_LAMBDA hook names its function; a PAUSE hook is not at TEST_TRAFFIC_SHIFT or PRODUCTION_TRAFFIC_SHIFT.",
    doc: "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_DeploymentLifecycleHook.html",
    cross_field: false,
};

/// A Lambda hook names a Lambda function by ARN.
pub(crate) const LIFECYCLE_HOOK_TARGET: Rule = Rule {
    code: "deployment-lifecycle-hook-target",
    severity: Severity::Error,
    summary: "An AWS_LAMBDA lifecycle hook's `hookTargetArn` is a Lambda function ARN (`arn:PARTITION:lambda:REGION:ACCOUNT:function:NAME`).",
    doc: "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_DeploymentLifecycleHook.html",
    cross_field: false,
};

/// A hook's role is an IAM role, by ARN.
pub(crate) const LIFECYCLE_HOOK_ROLE: Rule = Rule {
    code: "deployment-lifecycle-hook-role",
    severity: Severity::Error,
    summary: "A lifecycle hook's `roleArn` is an IAM role ARN (`arn:PARTITION:iam::ACCOUNT:role/NAME`).",
    doc: "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_DeploymentLifecycleHook.html",
    cross_field: false,
};

/// Traffic shift stages belong to the strategies that shift traffic.
pub(crate) const LIFECYCLE_HOOK_STAGE: Rule = Rule {
    code: "deployment-lifecycle-hook-stage",
    severity: Severity::Warning,
    summary: "A hook at a traffic shift stage (TEST_TRAFFIC_SHIFT, POST_TEST_TRAFFIC_SHIFT, PRE_PRODUCTION_TRAFFIC_SHIFT, PRODUCTION_TRAFFIC_SHIFT, POST_PRODUCTION_TRAFFIC_SHIFT) goes with the BLUE_GREEN, LINEAR or CANARY strategy; a ROLLING deployment shifts no traffic.",
    doc: "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ServiceDeployment.html",
    cross_field: true,
};

/// Checks `deploymentConfiguration` of a service.
pub(crate) fn check(service: &CreateServiceRequest, out: &mut Vec<Diagnostic>) {
    let Some(config) = &service.deployment_configuration else {
        return;
    };
    let at = JsonPath::root().key("deploymentConfiguration");
    check_percent_ranges(config, &at, out);
    if is_daemon(service) {
        check_daemon_maximum(config, &at, out);
    }
    check_controller(service, config, &at, out);
    if uses_ecs_controller(service) && is_rolling(config) {
        check_room(service, config, &at, out);
    }
    check_alarms(config, &at, out);
    check_strategy_configuration(config, &at, out);
    if let Some(linear) = &config.linear_configuration {
        check_linear(linear, &at.clone().key("linearConfiguration"), out);
    }
    if let Some(canary) = &config.canary_configuration {
        check_canary(canary, &at.clone().key("canaryConfiguration"), out);
    }
    if let Some(criteria) = &config.early_success_criteria {
        check_early_success(
            config,
            criteria,
            &at.clone().key("earlySuccessCriteria"),
            out,
        );
    }
    for (i, hook) in config.lifecycle_hooks.iter().flatten().enumerate() {
        let at = at.clone().key("lifecycleHooks").index(i);
        check_hook(hook, &at, out);
        check_hook_references(hook, &at, out);
        if is_rolling(config) {
            check_hook_stages_rolling(hook, &at, out);
        }
    }
}

/// Whether the service uses the ECS deployment controller (the default).
pub(crate) fn uses_ecs_controller(service: &CreateServiceRequest) -> bool {
    controller(service).is_none_or(|c| matches!(c, DeploymentControllerType::Ecs))
}

fn controller(service: &CreateServiceRequest) -> Option<&DeploymentControllerType> {
    service.deployment_controller.as_ref()?.r#type.as_ref()
}

fn is_rolling(config: &DeploymentConfiguration) -> bool {
    config
        .strategy
        .as_ref()
        .is_none_or(|s| matches!(s, DeploymentStrategy::Rolling))
}

fn check_percent_ranges(
    config: &DeploymentConfiguration,
    at: &JsonPath,
    out: &mut Vec<Diagnostic>,
) {
    if let Some(min) = config
        .minimum_healthy_percent
        .filter(|m| !(0..=100).contains(m))
    {
        out.push(
            PERCENT_RANGE
                .at(
                    at.clone().key("minimumHealthyPercent"),
                    format!("minimumHealthyPercent is {min}; it must be 0 to 100"),
                )
                .with_hint("use a percentage of the desired count from 0 to 100"),
        );
    }
    if let Some(max) = config.maximum_percent.filter(|m| *m < 0) {
        out.push(
            PERCENT_RANGE
                .at(
                    at.clone().key("maximumPercent"),
                    format!("maximumPercent is {max}; it cannot be negative"),
                )
                .with_hint(
                    "use a percentage of the desired count, 100 or more for rolling updates",
                ),
        );
    }
}

fn check_daemon_maximum(
    config: &DeploymentConfiguration,
    at: &JsonPath,
    out: &mut Vec<Diagnostic>,
) {
    if let Some(max) = config.maximum_percent.filter(|m| *m > 100) {
        out.push(
            DAEMON_MAXIMUM_PERCENT
                .at(
                    at.clone().key("maximumPercent"),
                    format!("maximumPercent is {max} on a DAEMON service; AWS allows at most 100"),
                )
                .with_hint("set maximumPercent to 100 (the DAEMON default) or remove it"),
        );
    }
}

fn check_controller(
    service: &CreateServiceRequest,
    config: &DeploymentConfiguration,
    at: &JsonPath,
    out: &mut Vec<Diagnostic>,
) {
    let Some(kind) = controller(service).filter(|c| {
        matches!(
            c,
            DeploymentControllerType::CodeDeploy | DeploymentControllerType::External
        )
    }) else {
        return;
    };
    let mut report = |path: JsonPath, feature: &str| {
        out.push(
            ECS_CONTROLLER_ONLY
                .at(
                    path,
                    format!(
                        "{feature} needs the ECS deployment controller; this service uses {}",
                        kind.as_str()
                    ),
                )
                .with_hint("remove it, or use deploymentController type ECS"),
        );
    };
    let breaker = config.deployment_circuit_breaker.as_ref();
    if breaker.and_then(|b| b.enable) == Some(true) {
        report(
            at.clone().key("deploymentCircuitBreaker"),
            "the deployment circuit breaker",
        );
    }
    if config.alarms.as_ref().and_then(|a| a.enable) == Some(true) {
        report(at.clone().key("alarms"), "deployment alarms");
    }
    if config
        .lifecycle_hooks
        .as_ref()
        .is_some_and(|h| !h.is_empty())
    {
        report(at.clone().key("lifecycleHooks"), "lifecycle hooks");
    }
    if let Some(strategy) = config.strategy.as_ref().filter(|s| {
        !matches!(
            s,
            DeploymentStrategy::Rolling | DeploymentStrategy::Unknown(_)
        )
    }) {
        report(
            at.clone().key("strategy"),
            &format!("the {} strategy", strategy.as_str()),
        );
    }
}

/// Task counts a rolling deployment may keep and reach, from the percentages.
struct Room {
    min: i32,
    max: i32,
}

impl Room {
    fn of(service: &CreateServiceRequest, config: &DeploymentConfiguration) -> Self {
        let (default_min, default_max) = if is_daemon(service) {
            (0, 100)
        } else {
            (100, 200)
        };
        Self {
            min: config.minimum_healthy_percent.unwrap_or(default_min),
            max: config.maximum_percent.unwrap_or(default_max),
        }
    }

    /// Whether a deployment of `desired` tasks can stop one task or start one more.
    fn can_move(&self, desired: Option<i32>) -> bool {
        match desired {
            Some(d) if d > 0 => {
                let d = i64::from(d);
                let lowest = (d * i64::from(self.min) + 99).div_euclid(100);
                let highest = (d * i64::from(self.max)).div_euclid(100);
                lowest < d || highest > d
            }
            Some(_) => true,
            None => self.min < 100 || self.max > 100,
        }
    }
}

fn check_room(
    service: &CreateServiceRequest,
    config: &DeploymentConfiguration,
    at: &JsonPath,
    out: &mut Vec<Diagnostic>,
) {
    if config.minimum_healthy_percent.is_none() && config.maximum_percent.is_none() {
        return;
    }
    let room = Room::of(service, config);
    let desired = if is_daemon(service) {
        None
    } else {
        service.desired_count
    };
    if room.can_move(desired) {
        return;
    }
    let count = desired.map_or_else(|| "the tasks".to_owned(), |d| format!("{d} tasks"));
    out.push(
        NO_ROOM
            .at(
                at.clone(),
                format!(
                    "with minimumHealthyPercent {} and maximumPercent {}, a deployment of {count} \
                     can neither stop an old task nor start a new one",
                    room.min, room.max
                ),
            )
            .with_hint(
                "lower minimumHealthyPercent so a task may stop first, or raise maximumPercent so \
                 a new task may start first",
            ),
    );
}

fn check_alarms(config: &DeploymentConfiguration, at: &JsonPath, out: &mut Vec<Diagnostic>) {
    let Some(alarms) = &config.alarms else { return };
    let empty = alarms.alarm_names.as_ref().is_none_or(Vec::is_empty);
    if alarms.enable == Some(true) && empty {
        out.push(
            ALARMS_EMPTY
                .at(
                    at.clone().key("alarms").key("alarmNames"),
                    "deployment alarms are enabled but name no alarm",
                )
                .with_hint("list the CloudWatch alarm names to watch, or set enable to false"),
        );
    }
}

fn check_strategy_configuration(
    config: &DeploymentConfiguration,
    at: &JsonPath,
    out: &mut Vec<Diagnostic>,
) {
    let strategy = config
        .strategy
        .as_ref()
        .map_or("ROLLING (the default)", |s| s.as_str());
    let pairs = [
        (
            config.linear_configuration.is_some(),
            matches!(config.strategy, Some(DeploymentStrategy::Linear)),
            "linearConfiguration",
            "LINEAR",
        ),
        (
            config.canary_configuration.is_some(),
            matches!(config.strategy, Some(DeploymentStrategy::Canary)),
            "canaryConfiguration",
            "CANARY",
        ),
    ];
    for (present, matching, member, wanted) in pairs {
        if present && !matching {
            out.push(
                STRATEGY_CONFIGURATION
                    .at(
                        at.clone().key(member),
                        format!("{member} is set but the strategy is {strategy}"),
                    )
                    .with_hint(format!("set strategy to {wanted}, or remove {member}")),
            );
        }
    }
}

/// Whether `value` is a multiple of 0.1 within `low..=high`.
fn tenth_within(value: f64, low: f64, high: f64) -> bool {
    let tenths = value * 10.0;
    (low..=high).contains(&value) && (tenths - tenths.round()).abs() < 1e-6
}

fn check_bake_time(rule: &Rule, minutes: Option<i32>, path: JsonPath, out: &mut Vec<Diagnostic>) {
    if let Some(minutes) = minutes.filter(|m| !(0..=1440).contains(m)) {
        out.push(
            rule.at(
                path,
                format!("bake time is {minutes} minutes; it must be 0 to 1440"),
            )
            .with_hint("use 0 to 1440 minutes (24 hours)"),
        );
    }
}

fn check_linear(linear: &LinearConfiguration, at: &JsonPath, out: &mut Vec<Diagnostic>) {
    if let Some(step) = linear
        .step_percent
        .filter(|p| !tenth_within(*p, 3.0, 100.0))
    {
        out.push(
            LINEAR
                .at(
                    at.clone().key("stepPercent"),
                    format!(
                        "stepPercent is {step}; it must be a multiple of 0.1 from 3.0 to 100.0"
                    ),
                )
                .with_hint("shift at least 3.0 percent per step, in steps of 0.1"),
        );
    }
    check_bake_time(
        &LINEAR,
        linear.step_bake_time_in_minutes,
        at.clone().key("stepBakeTimeInMinutes"),
        out,
    );
}

fn check_canary(canary: &CanaryConfiguration, at: &JsonPath, out: &mut Vec<Diagnostic>) {
    if let Some(percent) = canary
        .canary_percent
        .filter(|p| !tenth_within(*p, 0.1, 100.0))
    {
        out.push(
            CANARY
                .at(
                    at.clone().key("canaryPercent"),
                    format!(
                        "canaryPercent is {percent}; it must be a multiple of 0.1 from 0.1 to 100.0"
                    ),
                )
                .with_hint("shift 0.1 to 100.0 percent of traffic, in steps of 0.1"),
        );
    }
    check_bake_time(
        &CANARY,
        canary.canary_bake_time_in_minutes,
        at.clone().key("canaryBakeTimeInMinutes"),
        out,
    );
}

fn check_early_success(
    config: &DeploymentConfiguration,
    criteria: &DeploymentEarlySuccessCriteria,
    at: &JsonPath,
    out: &mut Vec<Diagnostic>,
) {
    if let Some(percent) = criteria.healthy_percent {
        if !(0..=100).contains(&percent) {
            out.push(
                EARLY_SUCCESS
                    .at(
                        at.clone().key("healthyPercent"),
                        format!("healthyPercent is {percent}; it must be 0 to 100"),
                    )
                    .with_hint("use a percentage of the desired count from 0 to 100"),
            );
        } else if let Some(min) = config.minimum_healthy_percent.filter(|m| percent < *m) {
            out.push(
                EARLY_SUCCESS
                    .at(
                        at.clone().key("healthyPercent"),
                        format!("healthyPercent {percent} is below minimumHealthyPercent {min}"),
                    )
                    .with_hint("raise healthyPercent to at least minimumHealthyPercent"),
            );
        }
    }
    if criteria.enable != Some(true) {
        return;
    }
    if !is_rolling(config) {
        let strategy = config.strategy.as_ref().map_or("", |s| s.as_str());
        out.push(
            EARLY_SUCCESS
                .at(
                    at.clone(),
                    format!("early success criteria are enabled with the {strategy} strategy"),
                )
                .with_hint("use them with the ROLLING strategy only"),
        );
    }
    let missing = [
        ("healthyPercent", criteria.healthy_percent.is_none()),
        (
            "sourceServiceRevisionCleanup",
            criteria.source_service_revision_cleanup.is_none(),
        ),
    ];
    for (member, absent) in missing {
        if absent {
            out.push(
                EARLY_SUCCESS
                    .at(
                        at.clone().key(member),
                        format!("early success criteria are enabled without {member}"),
                    )
                    .with_hint(format!("set {member}, or set enable to false")),
            );
        }
    }
}

fn check_hook(hook: &DeploymentLifecycleHook, at: &JsonPath, out: &mut Vec<Diagnostic>) {
    let stages = hook.lifecycle_stages.as_deref().unwrap_or_default();
    if stages.is_empty() {
        out.push(
            LIFECYCLE_HOOK
                .at(
                    at.clone().key("lifecycleStages"),
                    "the lifecycle hook lists no stage",
                )
                .with_hint("list the deployment stages at which the hook runs"),
        );
    }
    let pause = matches!(
        hook.target_type,
        Some(DeploymentLifecycleHookTargetType::Pause)
    );
    if pause {
        for (i, stage) in stages.iter().enumerate() {
            if matches!(
                stage,
                DeploymentLifecycleHookStage::TestTrafficShift
                    | DeploymentLifecycleHookStage::ProductionTrafficShift
            ) {
                out.push(
                    LIFECYCLE_HOOK
                        .at(
                            at.clone().key("lifecycleStages").index(i),
                            format!("a PAUSE hook cannot run at {}", stage.as_str()),
                        )
                        .with_hint(
                            "use an AWS_LAMBDA hook at this stage, or pause at another stage",
                        ),
                );
            }
        }
    } else if hook.hook_target_arn.as_deref().is_none_or(str::is_empty) {
        out.push(
            LIFECYCLE_HOOK
                .at(
                    at.clone().key("hookTargetArn"),
                    "the AWS_LAMBDA lifecycle hook names no Lambda function",
                )
                .with_hint(
                    "set hookTargetArn to the Lambda function's ARN, or use targetType PAUSE",
                ),
        );
    }
}

/// The segments of `arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE`, when `arn` has that form
/// with a partition, service and resource (the resource keeps its own colons).
fn arn_parts(arn: &str) -> Option<[&str; 5]> {
    let mut parts = arn.splitn(6, ':');
    if parts.next()? != "arn" {
        return None;
    }
    let [partition, service, region, account, resource] = [
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
    ];
    (!partition.is_empty() && !service.is_empty() && !resource.is_empty())
        .then_some([partition, service, region, account, resource])
}

/// Whether `account` is an AWS account id: 12 digits.
fn is_account(account: &str) -> bool {
    account.len() == 12 && account.bytes().all(|b| b.is_ascii_digit())
}

/// Whether `arn` is a Lambda function ARN: `arn:PARTITION:lambda:REGION:ACCOUNT:function:NAME`,
/// with an optional `:QUALIFIER` (a version or alias), as the Lambda API reference spells it
/// (<https://docs.aws.amazon.com/lambda/latest/api/API_GetFunction.html>).
fn is_lambda_function_arn(arn: &str) -> bool {
    let Some([_, service, region, account, resource]) = arn_parts(arn) else {
        return false;
    };
    let Some(function) = resource.strip_prefix("function:") else {
        return false;
    };
    let mut names = function.split(':');
    let name = names.next().unwrap_or_default();
    let qualifier = names.next();
    service == "lambda"
        && !region.is_empty()
        && is_account(account)
        && !name.is_empty()
        && qualifier.is_none_or(|q| !q.is_empty())
        && names.next().is_none()
}

/// Whether `arn` is an IAM role ARN: `arn:PARTITION:iam::ACCOUNT:role/[PATH/]NAME` (IAM ARNs
/// have no region; <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html>).
fn is_role_arn(arn: &str) -> bool {
    let Some([_, service, region, account, resource]) = arn_parts(arn) else {
        return false;
    };
    service == "iam"
        && region.is_empty()
        && is_account(account)
        && resource
            .strip_prefix("role/")
            .is_some_and(|name| !name.is_empty() && !name.ends_with('/'))
}

/// The hook's references have the form of what they name: a Lambda function for an
/// AWS_LAMBDA hook (a missing one is `deployment-lifecycle-hook`'s), an IAM role.
fn check_hook_references(hook: &DeploymentLifecycleHook, at: &JsonPath, out: &mut Vec<Diagnostic>) {
    let lambda = !matches!(
        hook.target_type,
        Some(DeploymentLifecycleHookTargetType::Pause)
    );
    if let Some(target) = hook.hook_target_arn.as_deref().filter(|t| !t.is_empty())
        && lambda
        && !is_lambda_function_arn(target)
    {
        out.push(
            LIFECYCLE_HOOK_TARGET
                .at(
                    at.clone().key("hookTargetArn"),
                    format!("hookTargetArn `{target}` is not a Lambda function ARN"),
                )
                .with_hint(
                    "use the function's ARN, arn:aws:lambda:REGION:ACCOUNT:function:NAME \
                     (a name alone is not accepted)",
                ),
        );
    }
    if let Some(role) = hook.role_arn.as_deref()
        && !is_role_arn(role)
    {
        out.push(
            LIFECYCLE_HOOK_ROLE
                .at(
                    at.clone().key("roleArn"),
                    format!("roleArn `{role}` is not an IAM role ARN"),
                )
                .with_hint(
                    "use the ARN of the role ECS assumes to invoke the hook, \
                     arn:aws:iam::ACCOUNT:role/NAME",
                ),
        );
    }
}

/// Under the ROLLING strategy, a hook at a stage that only a traffic shift goes through.
fn check_hook_stages_rolling(
    hook: &DeploymentLifecycleHook,
    at: &JsonPath,
    out: &mut Vec<Diagnostic>,
) {
    for (i, stage) in hook.lifecycle_stages.iter().flatten().enumerate() {
        if matches!(
            stage,
            DeploymentLifecycleHookStage::TestTrafficShift
                | DeploymentLifecycleHookStage::PostTestTrafficShift
                | DeploymentLifecycleHookStage::PreProductionTrafficShift
                | DeploymentLifecycleHookStage::ProductionTrafficShift
                | DeploymentLifecycleHookStage::PostProductionTrafficShift
        ) {
            out.push(
                LIFECYCLE_HOOK_STAGE
                    .at(
                        at.clone().key("lifecycleStages").index(i),
                        format!(
                            "the hook runs at {}, but a ROLLING deployment shifts no traffic",
                            stage.as_str()
                        ),
                    )
                    .with_hint(
                        "set strategy to BLUE_GREEN, LINEAR or CANARY, or run the hook at \
                         RECONCILE_SERVICE, PRE_SCALE_UP or POST_SCALE_UP",
                    ),
            );
        }
    }
}
