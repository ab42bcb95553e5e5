//! Rules for the stack's `scaling`: Application Auto Scaling of its ECS services (scalable
//! targets, scaling policies, scheduled actions).

use std::collections::HashMap;

use crate::autoscaling::{MetricType, PolicyType, ScalableDimension, ServiceNamespace};
use crate::diagnostic::{Diagnostic, JsonPath, Severity};
use crate::stack::Stack;
use crate::validate::Rule;

use super::references::referenced_cluster;
use super::schedules::expression_problem;

const REGISTER_DOC: &str = "https://docs.aws.amazon.com/autoscaling/application/APIReference/API_RegisterScalableTarget.html";
const POLICY_DOC: &str =
    "https://docs.aws.amazon.com/autoscaling/application/APIReference/API_PutScalingPolicy.html";
const ACTION_DOC: &str =
    "https://docs.aws.amazon.com/autoscaling/application/APIReference/API_PutScheduledAction.html";

/// The stack scales ECS services: namespace `ecs`, dimension `ecs:service:DesiredCount` and a
/// resource id `service/CLUSTER/SERVICE`.
pub(crate) const SCALING_ECS_SERVICE: Rule = Rule {
    code: "stack-scaling-ecs-service",
    severity: Severity::Error,
    summary: "Each entry of `scaling` scales an ECS service: ServiceNamespace `ecs`, ScalableDimension `ecs:service:DesiredCount`, ResourceId `service/CLUSTER/SERVICE`.",
    doc: REGISTER_DOC,
    cross_field: true,
};

/// A scalable target gives both bounds, the minimum not above the maximum.
pub(crate) const SCALING_CAPACITY: Rule = Rule {
    code: "stack-scaling-capacity",
    severity: Severity::Error,
    summary: "A scalable target sets MinCapacity and MaxCapacity, with 0 <= MinCapacity <= MaxCapacity; a scheduled action sets at least one, in the same order.",
    doc: REGISTER_DOC,
    cross_field: true,
};

/// The scaled service is one of the stack's.
pub(crate) const UNKNOWN_SCALED_SERVICE: Rule = Rule {
    code: "stack-scaling-unknown-service",
    severity: Severity::Warning,
    summary: "The service a scaling entry names in its ResourceId is one of the stack's; another must already exist in AWS.",
    doc: REGISTER_DOC,
    cross_field: true,
};

/// A policy or scheduled action has its scalable target in the stack.
pub(crate) const SCALING_WITHOUT_TARGET: Rule = Rule {
    code: "stack-scaling-without-target",
    severity: Severity::Warning,
    summary: "A scaling policy or scheduled action scales a resource that has a scalable target in `scaling.scalableTargets`; otherwise the target must already be registered in AWS.",
    doc: POLICY_DOC,
    cross_field: true,
};

/// A scaling policy's configuration matches its type.
pub(crate) const SCALING_POLICY_CONFIGURATION: Rule = Rule {
    code: "stack-scaling-policy-configuration",
    severity: Severity::Error,
    summary: "A target tracking policy sets PolicyType TargetTrackingScaling and a TargetValue with one metric (ALBRequestCountPerTarget with its ResourceLabel); a step scaling policy has its StepScalingPolicyConfiguration.",
    doc: POLICY_DOC,
    cross_field: true,
};

/// A scheduled action's Schedule is at(), rate() or cron().
pub(crate) const SCALING_SCHEDULE: Rule = Rule {
    code: "stack-scaling-schedule",
    severity: Severity::Error,
    summary: "A scheduled action's Schedule is at(yyyy-mm-ddThh:mm:ss), rate(N minutes|hours|days) or cron() with six fields.",
    doc: ACTION_DOC,
    cross_field: true,
};

/// One entry per scaled resource, and names unique per resource.
pub(crate) const DUPLICATE_SCALING: Rule = Rule {
    code: "stack-duplicate-scaling",
    severity: Severity::Error,
    summary: "A service has one scalable target, and its policies and scheduled actions have names of their own.",
    doc: REGISTER_DOC,
    cross_field: true,
};

/// The ECS metrics a target tracking policy may track with a predefined metric.
const ECS_METRICS: &[&str] = &[
    "ECSServiceAverageCPUUtilization",
    "ECSServiceAverageMemoryUtilization",
    "ALBRequestCountPerTarget",
    "ECSServiceAverageCPUUtilizationHighResolution",
    "ECSServiceAverageMemoryUtilizationHighResolution",
];

/// The members every scaling entry shares.
struct Scaled<'a> {
    path: JsonPath,
    namespace: Option<&'a ServiceNamespace>,
    resource_id: Option<&'a str>,
    dimension: Option<&'a ScalableDimension>,
}

impl Scaled<'_> {
    /// The cluster and service of a `service/CLUSTER/SERVICE` resource id, after reporting what
    /// is not an ECS service.
    fn service(&self, out: &mut Vec<Diagnostic>) -> Option<(String, String)> {
        if let Some(namespace) = self.namespace
            && *namespace != ServiceNamespace::Ecs
        {
            out.push(
                SCALING_ECS_SERVICE
                    .at(
                        self.path.clone().key("ServiceNamespace"),
                        format!("ServiceNamespace is `{namespace}`; the stack scales ECS services"),
                    )
                    .with_hint("set ServiceNamespace to `ecs`"),
            );
        }
        if let Some(dimension) = self.dimension
            && *dimension != ScalableDimension::EcsServiceDesiredCount
        {
            out.push(
                SCALING_ECS_SERVICE
                    .at(
                        self.path.clone().key("ScalableDimension"),
                        format!("ScalableDimension is `{dimension}`, not an ECS service's"),
                    )
                    .with_hint("set ScalableDimension to `ecs:service:DesiredCount`"),
            );
        }
        let id = self.resource_id?;
        let parts: Vec<&str> = id.split('/').collect();
        match parts.as_slice() {
            ["service", cluster, service] if !cluster.is_empty() && !service.is_empty() => {
                Some(((*cluster).to_owned(), (*service).to_owned()))
            }
            _ => {
                out.push(
                    SCALING_ECS_SERVICE
                        .at(
                            self.path.clone().key("ResourceId"),
                            format!("ResourceId `{id}` is not service/CLUSTER/SERVICE"),
                        )
                        .with_hint("write it as service/CLUSTER/SERVICE, such as service/demo/web"),
                );
                None
            }
        }
    }
}

pub(super) fn check(stack: &Stack, out: &mut Vec<Diagnostic>) {
    let scaling = &stack.scaling;
    let root = JsonPath::root().key("scaling");
    let known_service = |cluster: &str, service: &str| {
        stack
            .services
            .iter()
            .any(|s| referenced_cluster(s) == cluster && s.service_name.as_deref() == Some(service))
    };

    let mut targets: HashMap<(String, String), usize> = HashMap::new();
    for (i, target) in scaling.scalable_targets.iter().enumerate() {
        let path = root.clone().key("scalableTargets").index(i);
        let scaled = Scaled {
            path: path.clone(),
            namespace: target.service_namespace.as_ref(),
            resource_id: target.resource_id.as_deref(),
            dimension: target.scalable_dimension.as_ref(),
        };
        check_bounds(
            &path,
            target.min_capacity,
            target.max_capacity,
            BoundsNeeded::Both,
            out,
        );
        let Some(service) = scaled.service(out) else {
            continue;
        };
        if !known_service(&service.0, &service.1) {
            out.push(unknown_service(&path, &service));
        }
        if let Some(first) = targets.get(&service) {
            out.push(
                DUPLICATE_SCALING
                    .at(
                        path.key("ResourceId"),
                        format!(
                            "service `{}` in cluster `{}` has a scalable target already (item \
                             {first})",
                            service.1, service.0
                        ),
                    )
                    .with_hint("keep one scalable target per service"),
            );
        } else {
            targets.insert(service, i);
        }
    }

    let mut policy_names: HashMap<(String, String, &str), usize> = HashMap::new();
    for (i, policy) in scaling.scaling_policies.iter().enumerate() {
        let path = root.clone().key("scalingPolicies").index(i);
        check_policy(policy, &path, out);
        let scaled = Scaled {
            path: path.clone(),
            namespace: policy.service_namespace.as_ref(),
            resource_id: policy.resource_id.as_deref(),
            dimension: policy.scalable_dimension.as_ref(),
        };
        let Some(service) = scaled.service(out) else {
            continue;
        };
        if !targets.contains_key(&service) {
            out.push(without_target(&path, &service, "scaling policy"));
        }
        if let Some(name) = policy.policy_name.as_deref() {
            let key = (service.0.clone(), service.1.clone(), name);
            if let Some(first) = policy_names.get(&key) {
                out.push(duplicate_name(
                    &path.key("PolicyName"),
                    "policy",
                    name,
                    *first,
                ));
            } else {
                policy_names.insert(key, i);
            }
        }
    }

    let mut action_names: HashMap<(String, String, &str), usize> = HashMap::new();
    for (i, action) in scaling.scheduled_actions.iter().enumerate() {
        let path = root.clone().key("scheduledActions").index(i);
        if let Some(schedule) = action.schedule.as_deref()
            && let Some(problem) = expression_problem(schedule)
        {
            out.push(
                SCALING_SCHEDULE
                    .at(path.clone().key("Schedule"), problem)
                    .with_hint(
                        "write at(2027-01-31T03:00:00), rate(1 hour) or cron(0 3 * * ? *); the \
                         time zone is Timezone (UTC when unset)",
                    ),
            );
        }
        match &action.scalable_target_action {
            Some(bounds) => check_bounds(
                &path.clone().key("ScalableTargetAction"),
                bounds.min_capacity,
                bounds.max_capacity,
                BoundsNeeded::Either,
                out,
            ),
            None => out.push(
                SCALING_CAPACITY
                    .at(
                        path.clone().key("ScalableTargetAction"),
                        "the scheduled action sets no capacity",
                    )
                    .with_hint("set ScalableTargetAction.MinCapacity and/or MaxCapacity"),
            ),
        }
        let scaled = Scaled {
            path: path.clone(),
            namespace: action.service_namespace.as_ref(),
            resource_id: action.resource_id.as_deref(),
            dimension: action.scalable_dimension.as_ref(),
        };
        let Some(service) = scaled.service(out) else {
            continue;
        };
        if !targets.contains_key(&service) {
            out.push(without_target(&path, &service, "scheduled action"));
        }
        if let Some(name) = action.scheduled_action_name.as_deref() {
            let key = (service.0.clone(), service.1.clone(), name);
            if let Some(first) = action_names.get(&key) {
                out.push(duplicate_name(
                    &path.key("ScheduledActionName"),
                    "scheduled action",
                    name,
                    *first,
                ));
            } else {
                action_names.insert(key, i);
            }
        }
    }
}

/// Which bounds an entry must set.
#[derive(Clone, Copy, PartialEq, Eq)]
enum BoundsNeeded {
    /// A scalable target, registered for the first time, needs both.
    Both,
    /// A scheduled action needs one at least.
    Either,
}

fn check_bounds(
    path: &JsonPath,
    min: Option<i32>,
    max: Option<i32>,
    needed: BoundsNeeded,
    out: &mut Vec<Diagnostic>,
) {
    let mut report = |member: &str, message: String, hint: &str| {
        out.push(
            SCALING_CAPACITY
                .at(path.clone().key(member), message)
                .with_hint(hint),
        );
    };
    match (min, max, needed) {
        (None, _, BoundsNeeded::Both) => report(
            "MinCapacity",
            "the scalable target has no MinCapacity".to_owned(),
            "AWS needs both bounds to register a scalable target: set MinCapacity",
        ),
        (_, None, BoundsNeeded::Both) => report(
            "MaxCapacity",
            "the scalable target has no MaxCapacity".to_owned(),
            "AWS needs both bounds to register a scalable target: set MaxCapacity",
        ),
        (None, None, BoundsNeeded::Either) => report(
            "MinCapacity",
            "the action sets neither MinCapacity nor MaxCapacity".to_owned(),
            "set MinCapacity and/or MaxCapacity",
        ),
        _ => {}
    }
    if let Some(min) = min.filter(|m| *m < 0) {
        report(
            "MinCapacity",
            format!("MinCapacity is {min}; a task count is 0 or more"),
            "set MinCapacity to 0 or more",
        );
    }
    if let (Some(min), Some(max)) = (min, max)
        && min > max
    {
        report(
            "MaxCapacity",
            format!("MaxCapacity {max} is below MinCapacity {min}"),
            "raise MaxCapacity to MinCapacity or more",
        );
    }
}

fn check_policy(
    policy: &crate::autoscaling::PutScalingPolicyRequest,
    path: &JsonPath,
    out: &mut Vec<Diagnostic>,
) {
    let tracking = policy.target_tracking_scaling_policy_configuration.as_ref();
    let mut report = |member: JsonPath, message: String, hint: &str| {
        out.push(
            SCALING_POLICY_CONFIGURATION
                .at(member, message)
                .with_hint(hint),
        );
    };
    match (&policy.policy_type, tracking) {
        // "If the policy type is null, the value is treated as StepScaling" (PutScalingPolicy).
        (None | Some(PolicyType::StepScaling), Some(_)) => report(
            path.clone().key("PolicyType"),
            "the policy has a TargetTrackingScalingPolicyConfiguration, but its type is step \
             scaling (AWS's default when PolicyType is unset)"
                .to_owned(),
            "set PolicyType to TargetTrackingScaling",
        ),
        (None | Some(PolicyType::StepScaling), None)
            if policy.step_scaling_policy_configuration.is_none() =>
        {
            report(
                path.clone().key("StepScalingPolicyConfiguration"),
                "the step scaling policy has no StepScalingPolicyConfiguration".to_owned(),
                "add StepScalingPolicyConfiguration, or write a target tracking policy",
            );
        }
        (Some(PolicyType::TargetTrackingScaling), None) => report(
            path.clone().key("TargetTrackingScalingPolicyConfiguration"),
            "the target tracking policy has no TargetTrackingScalingPolicyConfiguration".to_owned(),
            "add TargetTrackingScalingPolicyConfiguration with TargetValue and a metric",
        ),
        (Some(PolicyType::TargetTrackingScaling), Some(config)) => {
            let at = path.clone().key("TargetTrackingScalingPolicyConfiguration");
            if config.target_value.is_none() {
                report(
                    at.clone().key("TargetValue"),
                    "the policy has no TargetValue".to_owned(),
                    "set TargetValue, such as 60 for 60% CPU",
                );
            }
            let predefined = config.predefined_metric_specification.as_ref();
            match (predefined, &config.customized_metric_specification) {
                (Some(_), Some(_)) | (None, None) => report(
                    at.clone(),
                    "a target tracking policy tracks exactly one metric: predefined or \
                     customized"
                        .to_owned(),
                    "keep one of PredefinedMetricSpecification and \
                     CustomizedMetricSpecification",
                ),
                _ => {}
            }
            if let Some(spec) = predefined {
                let spec_at = at.key("PredefinedMetricSpecification");
                if let Some(metric) = &spec.predefined_metric_type {
                    if !ECS_METRICS.contains(&metric.as_str()) {
                        report(
                            spec_at.clone().key("PredefinedMetricType"),
                            format!("`{metric}` is not a metric of ECS services"),
                            "use ECSServiceAverageCPUUtilization, \
                             ECSServiceAverageMemoryUtilization or ALBRequestCountPerTarget",
                        );
                    }
                    if *metric == MetricType::ALBRequestCountPerTarget
                        && spec.resource_label.as_deref().is_none_or(str::is_empty)
                    {
                        report(
                            spec_at.key("ResourceLabel"),
                            "ALBRequestCountPerTarget needs the ResourceLabel of the target \
                             group"
                                .to_owned(),
                            "set ResourceLabel to app/LB-NAME/LB-ID/targetgroup/TG-NAME/TG-ID",
                        );
                    }
                }
            }
        }
        _ => {}
    }
}

fn unknown_service(path: &JsonPath, (cluster, service): &(String, String)) -> Diagnostic {
    UNKNOWN_SCALED_SERVICE
        .at(
            path.clone().key("ResourceId"),
            format!("service `{service}` in cluster `{cluster}` is not defined in the stack"),
        )
        .with_hint("name a service of the stack, or make sure it already exists in AWS")
}

fn without_target(
    path: &JsonPath,
    (cluster, service): &(String, String),
    what: &str,
) -> Diagnostic {
    SCALING_WITHOUT_TARGET
        .at(
            path.clone().key("ResourceId"),
            format!(
                "the {what} scales service `{service}` in cluster `{cluster}`, which has no \
                 scalable target in the stack"
            ),
        )
        .with_hint("add its scalable target to scaling.scalableTargets")
}

fn duplicate_name(path: &JsonPath, what: &str, name: &str, first: usize) -> Diagnostic {
    DUPLICATE_SCALING
        .at(
            path.clone(),
            format!("{what} `{name}` of this service is defined again (first at item {first})"),
        )
        .with_hint("rename one of them")
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use super::*;
    use crate::load::from_value;

    fn found(scaling: Value) -> Vec<(String, String)> {
        let stack = from_value::<Stack>(&json!({
            "clusters": [ { "clusterName": "demo" } ],
            "services": [ { "serviceName": "web", "cluster": "demo", "taskDefinition": "web" } ],
            "scaling": scaling
        }))
        .value
        .expect("a stack");
        let mut out = Vec::new();
        check(&stack, &mut out);
        out.into_iter()
            .map(|d| (d.code.to_string(), d.path.to_string()))
            .collect()
    }

    fn target(resource: &str, min: i32, max: i32) -> Value {
        json!({ "ServiceNamespace": "ecs", "ResourceId": resource,
                "ScalableDimension": "ecs:service:DesiredCount",
                "MinCapacity": min, "MaxCapacity": max })
    }

    fn cpu_policy(name: &str) -> Value {
        json!({
            "PolicyName": name, "ServiceNamespace": "ecs", "ResourceId": "service/demo/web",
            "ScalableDimension": "ecs:service:DesiredCount", "PolicyType": "TargetTrackingScaling",
            "TargetTrackingScalingPolicyConfiguration": {
                "TargetValue": 60.0,
                "PredefinedMetricSpecification": { "PredefinedMetricType": "ECSServiceAverageCPUUtilization" }
            }
        })
    }

    #[test]
    fn a_scaled_service_with_a_policy_and_an_action_has_no_problem() {
        assert_eq!(
            found(json!({
                "scalableTargets": [ target("service/demo/web", 1, 4) ],
                "scalingPolicies": [ cpu_policy("cpu") ],
                "scheduledActions": [ {
                    "ScheduledActionName": "night", "ServiceNamespace": "ecs",
                    "ResourceId": "service/demo/web", "ScalableDimension": "ecs:service:DesiredCount",
                    "Schedule": "cron(0 22 * * ? *)", "ScalableTargetAction": { "MaxCapacity": 2 }
                } ]
            })),
            vec![]
        );
    }

    #[test]
    fn bounds_resource_ids_and_services_are_checked() {
        assert_eq!(
            found(json!({ "scalableTargets": [
                target("service/demo/web", 5, 2),
                target("service/demo/api", 1, 2),
                target("table/orders", 1, 2),
                { "ServiceNamespace": "ecs", "ResourceId": "service/demo/web",
                  "ScalableDimension": "ecs:service:DesiredCount", "MinCapacity": 1 }
            ] })),
            vec![
                (
                    "stack-scaling-capacity".into(),
                    "scaling.scalableTargets[0].MaxCapacity".into()
                ),
                (
                    "stack-scaling-unknown-service".into(),
                    "scaling.scalableTargets[1].ResourceId".into()
                ),
                (
                    "stack-scaling-ecs-service".into(),
                    "scaling.scalableTargets[2].ResourceId".into()
                ),
                (
                    "stack-scaling-capacity".into(),
                    "scaling.scalableTargets[3].MaxCapacity".into()
                ),
                (
                    "stack-duplicate-scaling".into(),
                    "scaling.scalableTargets[3].ResourceId".into()
                ),
            ]
        );
    }

    #[test]
    fn a_policy_needs_its_target_the_right_type_and_one_metric() {
        let mut untyped = cpu_policy("untyped");
        untyped.as_object_mut().map(|p| p.remove("PolicyType"));
        let mut alb = cpu_policy("alb");
        alb["TargetTrackingScalingPolicyConfiguration"]["PredefinedMetricSpecification"] =
            json!({ "PredefinedMetricType": "ALBRequestCountPerTarget" });
        assert_eq!(
            found(json!({ "scalingPolicies": [ untyped, alb, cpu_policy("alb") ] })),
            vec![
                ("stack-scaling-policy-configuration".into(), "scaling.scalingPolicies[0].PolicyType".into()),
                ("stack-scaling-without-target".into(), "scaling.scalingPolicies[0].ResourceId".into()),
                (
                    "stack-scaling-policy-configuration".into(),
                    "scaling.scalingPolicies[1].TargetTrackingScalingPolicyConfiguration.PredefinedMetricSpecification.ResourceLabel".into()
                ),
                ("stack-scaling-without-target".into(), "scaling.scalingPolicies[1].ResourceId".into()),
                ("stack-scaling-without-target".into(), "scaling.scalingPolicies[2].ResourceId".into()),
                ("stack-duplicate-scaling".into(), "scaling.scalingPolicies[2].PolicyName".into()),
            ]
        );
    }

    #[test]
    fn a_scheduled_action_needs_a_schedule_and_a_capacity() {
        assert_eq!(
            found(json!({
                "scalableTargets": [ target("service/demo/web", 1, 4) ],
                "scheduledActions": [ {
                    "ScheduledActionName": "night", "ServiceNamespace": "ecs",
                    "ResourceId": "service/demo/web", "ScalableDimension": "ecs:service:DesiredCount",
                    "Schedule": "cron(0 22 * * *)"
                } ]
            })),
            vec![
                (
                    "stack-scaling-schedule".into(),
                    "scaling.scheduledActions[0].Schedule".into()
                ),
                (
                    "stack-scaling-capacity".into(),
                    "scaling.scheduledActions[0].ScalableTargetAction".into()
                ),
            ]
        );
    }
}
