//! Rules for CreateCapacityProviderRequest.

use crate::diagnostic::{Diagnostic, JsonPath, Severity};
use crate::facts::is_fargate_provider;
use crate::types::{
    AutoScalingGroupProvider, CreateCapacityProviderRequest, ManagedScaling, ManagedScalingStatus,
    ManagedTerminationProtection,
};

use super::Rule;

const CREATE_DOC: &str =
    "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_CreateCapacityProvider.html";

/// Capacity provider names.
pub(crate) const NAME: Rule = Rule {
    code: "capacity-provider-name",
    severity: Severity::Error,
    summary: "A capacity provider name is 1 to 255 letters, digits, hyphens and underscores, not starting with `aws`, `ecs` or `fargate`.",
    doc: CREATE_DOC,
    cross_field: false,
};

/// One kind of capacity.
pub(crate) const KIND: Rule = Rule {
    code: "capacity-provider-kind",
    severity: Severity::Error,
    summary: "A capacity provider has exactly one of `autoScalingGroupProvider` and `managedInstancesProvider`.",
    doc: CREATE_DOC,
    cross_field: false,
};

/// Managed scaling ranges.
pub(crate) const MANAGED_SCALING: Rule = Rule {
    code: "capacity-provider-managed-scaling",
    severity: Severity::Error,
    summary: "Managed scaling has `targetCapacity` 1 to 100, step sizes 1 to 10000 with the minimum at most the maximum, and `instanceWarmupPeriod` 0 to 10000.",
    doc: "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ManagedScaling.html",
    cross_field: false,
};

/// Termination protection works with managed scaling only.
pub(crate) const TERMINATION_PROTECTION: Rule = Rule {
    code: "capacity-provider-termination-protection",
    severity: Severity::Warning,
    summary: "Managed termination protection only works with managed scaling turned on.",
    doc: "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_AutoScalingGroupProvider.html",
    cross_field: false,
};

/// Every rule of this module.
pub(crate) const RULES: &[&Rule] = &[&NAME, &KIND, &MANAGED_SCALING, &TERMINATION_PROTECTION];

/// Name prefixes AWS reserves. The API reference gives them in lower case; names are compared
/// as written, so `ECSFleet` is not reported.
const RESERVED_PREFIXES: &[&str] = &["aws", "ecs", "fargate"];

/// Checks one CreateCapacityProvider request, with paths from its root.
pub(crate) fn check(provider: &CreateCapacityProviderRequest, out: &mut Vec<Diagnostic>) {
    // DescribeCapacityProviders also lists the Fargate providers AWS owns; as inputs they have
    // neither kind of capacity and a reserved name, and there is nothing to fix in them.
    if provider.name.as_deref().is_some_and(is_fargate_provider) {
        return;
    }
    if let Some(name) = &provider.name {
        check_name(name, out);
    }
    check_kind(provider, out);
    if let Some(asg) = &provider.auto_scaling_group_provider {
        check_auto_scaling_group(asg, &JsonPath::root().key("autoScalingGroupProvider"), out);
    }
    super::common::check_tags(provider.tags.as_deref(), &JsonPath::root().key("tags"), out);
}

fn check_name(name: &str, out: &mut Vec<Diagnostic>) {
    let path = JsonPath::root().key("name");
    super::common::check_name(&NAME, "capacity provider name", name, path.clone(), out);
    if let Some(prefix) = RESERVED_PREFIXES.iter().find(|p| name.starts_with(**p)) {
        out.push(
            NAME.at(
                path,
                format!("the capacity provider name `{name}` starts with `{prefix}`"),
            )
            .with_hint("AWS reserves the aws, ecs and fargate prefixes; choose another name"),
        );
    }
}

fn check_kind(provider: &CreateCapacityProviderRequest, out: &mut Vec<Diagnostic>) {
    let (message, path) = match (
        provider.auto_scaling_group_provider.is_some(),
        provider.managed_instances_provider.is_some(),
    ) {
        (true, true) => (
            "both autoScalingGroupProvider and managedInstancesProvider are set",
            JsonPath::root().key("managedInstancesProvider"),
        ),
        (false, false) => (
            "neither autoScalingGroupProvider nor managedInstancesProvider is set",
            JsonPath::root(),
        ),
        _ => return,
    };
    out.push(
        KIND.at(path, message)
            .with_hint("keep one: an Auto Scaling group, or ECS Managed Instances"),
    );
}

fn check_auto_scaling_group(
    asg: &AutoScalingGroupProvider,
    at: &JsonPath,
    out: &mut Vec<Diagnostic>,
) {
    if let Some(scaling) = &asg.managed_scaling {
        check_managed_scaling(scaling, &at.clone().key("managedScaling"), out);
    }
    let protected = matches!(
        asg.managed_termination_protection,
        Some(ManagedTerminationProtection::Enabled)
    );
    let scaling_on = asg
        .managed_scaling
        .as_ref()
        .is_some_and(|s| matches!(s.status, Some(ManagedScalingStatus::Enabled)));
    if protected && !scaling_on {
        out.push(
            TERMINATION_PROTECTION
                .at(
                    at.clone().key("managedTerminationProtection"),
                    "managed termination protection is ENABLED without managed scaling",
                )
                .with_hint(
                    "set managedScaling.status to ENABLED, or turn termination protection off",
                ),
        );
    }
}

fn check_managed_scaling(scaling: &ManagedScaling, at: &JsonPath, out: &mut Vec<Diagnostic>) {
    let ranges = [
        ("targetCapacity", scaling.target_capacity, 1, 100),
        (
            "minimumScalingStepSize",
            scaling.minimum_scaling_step_size,
            1,
            10_000,
        ),
        (
            "maximumScalingStepSize",
            scaling.maximum_scaling_step_size,
            1,
            10_000,
        ),
        (
            "instanceWarmupPeriod",
            scaling.instance_warmup_period,
            0,
            10_000,
        ),
    ];
    for (member, value, low, high) in ranges {
        if let Some(value) = value.filter(|v| !(low..=high).contains(v)) {
            out.push(
                MANAGED_SCALING
                    .at(
                        at.clone().key(member),
                        format!("{member} is {value}; it must be {low} to {high}"),
                    )
                    .with_hint(format!("set {member} to {low} to {high}")),
            );
        }
    }
    if let (Some(min), Some(max)) = (
        scaling.minimum_scaling_step_size,
        scaling.maximum_scaling_step_size,
    ) && min > max
    {
        out.push(
            MANAGED_SCALING
                .at(
                    at.clone().key("minimumScalingStepSize"),
                    format!("minimumScalingStepSize {min} is above maximumScalingStepSize {max}"),
                )
                .with_hint("make the minimum step size at most the maximum"),
        );
    }
}
