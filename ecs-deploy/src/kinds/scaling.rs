//! Application Auto Scaling of the stack's ECS services (the stack's `scaling`): each scaled
//! service's scalable target, its scaling policies and its scheduled actions, observed with
//! DescribeScalableTargets, DescribeScalingPolicies and DescribeScheduledActions, compared with
//! the stack's after both are normalized, and changed with RegisterScalableTarget,
//! PutScalingPolicy, PutScheduledAction and their deletions.
//!
//! # One change per scaled service
//!
//! The scalable target of a service, its policies and its actions are one change
//! ([`Address::Scaling`]): the fields of the change are those of a document
//! `{"target": ..., "policies": {NAME: ...}, "scheduledActions": {NAME: ...}}`, and its steps
//! register the target (an upsert: RegisterScalableTarget creates or updates), put the policies
//! and actions that are missing or differ (upserts by name), then delete the policies and
//! actions of the target that the stack no longer names: for a target the stack declares, its
//! policies and actions in the stack are the complete set.
//!
//! # Ownership
//!
//! Scalable targets cannot be told apart by a tag that every API keeps (moto neither stores
//! the `Tags` of RegisterScalableTarget nor answers TagResource; policies and scheduled actions
//! take no tags on AWS either). A target is one-to-one with its ECS service (resource id
//! `service/CLUSTER/SERVICE`), so ownership is the service's: **the stack owns the scaling of
//! the ECS services that carry its tag** ([`crate::ownership`]). The scaling of a service
//! without the stack's tag (another stack's, or a service made by hand) is never registered,
//! changed or deleted: its change is [`Action::NotManaged`]. A service that neither exists nor
//! is in the stack cannot be scaled ([`Reason::ScaledServiceMissing`]).
//!
//! # AWS defaults, normalized
//!
//! - a target's `SuspendedState` flags are false unless set (AWS answers all three; moto none
//!   until one is sent), and its `RoleARN` is the service-linked role AWS picks unless set: a
//!   stack without one never compares it;
//! - a target tracking policy's `ScaleInCooldown` and `ScaleOutCooldown` are 300 seconds for
//!   ECS services and `DisableScaleIn` false unless set
//!   (<https://docs.aws.amazon.com/autoscaling/application/userguide/target-tracking-scaling-policy-overview.html#target-tracking-cooldown>);
//! - a scheduled action's `Timezone` is UTC unless set, and its `StartTime` and `EndTime` are
//!   compared as epoch seconds (AWS answers numbers; a stack may write ISO 8601 text)
//!   (<https://docs.aws.amazon.com/autoscaling/application/APIReference/API_PutScheduledAction.html>).
//!
//! # Suspended while a service deploys
//!
//! When a plan starts a deployment of a service whose scalable target exists, the service's
//! change first suspends its scaling ([`Step::SuspendScaling`]: all three flags of
//! `SuspendedState`), and apply resumes it once the deployment has ended, whether it completed,
//! failed, was rolled back or timed out: the resume sets the `SuspendedState` the stack asks for
//! (all false unless it says otherwise), which is the state from before unless this plan
//! changes it. An apply interrupted in between leaves the scaling suspended; the next plan sees
//! a `SuspendedState` the stack does not ask for and registers the stack's.

use std::collections::{BTreeMap, BTreeSet};

use ecs_model::Stack;
use ecs_model::autoscaling::{
    DeleteScalingPolicyRequest, DeleteScheduledActionRequest, DeregisterScalableTargetRequest,
    PutScalingPolicyRequest, PutScheduledActionRequest, RegisterScalableTargetRequest,
    ScalableDimension, ScalableTarget, ScalingPolicy, ScheduledAction, ServiceNamespace,
    SuspendedState,
};
#[cfg(feature = "autoscaling")]
use ecs_model::autoscaling::{
    DescribeScalableTargetsResponse, DescribeScalingPoliciesResponse,
    DescribeScheduledActionsResponse,
};
#[cfg(feature = "autoscaling")]
use ecs_model::load::from_value;
#[cfg(feature = "autoscaling")]
use futures::stream::{self, StreamExt, TryStreamExt};
use serde_json::{Map, Value, json};

use crate::aws::Operation;
#[cfg(feature = "autoscaling")]
use crate::aws::{AwsError, Clients};
use crate::diff::diff;
use crate::ownership::ownership;
use crate::plan::{Action, Address, Change, Options, Reason, Removal, Step, to_json};

/// The dimension of an ECS service's scalable target.
pub(crate) const DIMENSION: &str = "ecs:service:DesiredCount";

#[cfg(feature = "autoscaling")]
/// Resource ids per DescribeScalableTargets call, and items asked per page of every describe:
/// the largest `MaxResults` the API takes (50). A page with fewer items is the last one:
/// moto 5.2 answers a `NextToken` on every page, always `"1"`, so the token alone cannot say.
const PER_CALL: usize = 50;

#[cfg(feature = "autoscaling")]
/// How many times a call refused for what AWS does not see yet
/// ([`AwsError::is_not_yet_consistent`]) is tried again, waiting as the client's retries do
/// (1 s doubling up to 20 s by default: about a minute in all).
const CONSISTENCY_ATTEMPTS: u32 = 6;

/// The Application Auto Scaling of one ECS service, as AWS has it: its scalable target, and
/// the scaling policies and scheduled actions of that target by name.
#[derive(Debug, Clone, Default, PartialEq)]
#[non_exhaustive]
pub struct ServiceScaling {
    /// The scalable target (`None`: not registered; policies and actions cannot exist then).
    pub target: Option<ScalableTarget>,
    /// Its scaling policies, by name.
    pub policies: BTreeMap<String, ScalingPolicy>,
    /// Its scheduled actions, by name.
    pub actions: BTreeMap<String, ScheduledAction>,
}

/// The resource id of the service `service` of the cluster named `cluster`:
/// `service/CLUSTER/SERVICE` (by the cluster's name: an ARN there is not an ECS service's id).
pub(crate) fn resource_id(cluster: &str, service: &str) -> String {
    format!("service/{cluster}/{service}")
}

/// The cluster and service names of a resource id `service/CLUSTER/SERVICE`.
pub(crate) fn service_of(resource_id: &str) -> Option<(String, String)> {
    let mut parts = resource_id.split('/');
    match (parts.next(), parts.next(), parts.next(), parts.next()) {
        (Some("service"), Some(cluster), Some(service), None)
            if !cluster.is_empty() && !service.is_empty() =>
        {
            Some((cluster.to_owned(), service.to_owned()))
        }
        _ => None,
    }
}

/// What the stack asks for one scaled resource.
#[derive(Debug, Default)]
pub(crate) struct Desired<'a> {
    target: Option<&'a RegisterScalableTargetRequest>,
    policies: Vec<&'a PutScalingPolicyRequest>,
    actions: Vec<&'a PutScheduledActionRequest>,
}

/// The stack's scaling, by resource id (the entries of ECS services only: the rule set refuses
/// the others before a plan).
pub(crate) fn desired(stack: &Stack) -> BTreeMap<String, Desired<'_>> {
    let mut out: BTreeMap<String, Desired<'_>> = BTreeMap::new();
    fn ecs(id: &Option<String>) -> Option<&str> {
        id.as_deref().filter(|id| service_of(id).is_some())
    }
    for target in &stack.scaling.scalable_targets {
        if let Some(id) = ecs(&target.resource_id) {
            out.entry(id.to_owned()).or_default().target = Some(target);
        }
    }
    for policy in &stack.scaling.scaling_policies {
        if let Some(id) = ecs(&policy.resource_id) {
            out.entry(id.to_owned()).or_default().policies.push(policy);
        }
    }
    for action in &stack.scaling.scheduled_actions {
        if let Some(id) = ecs(&action.resource_id) {
            out.entry(id.to_owned()).or_default().actions.push(action);
        }
    }
    out
}

/// The stack's scalable target of the service `name` of `cluster` (a cluster name), when it
/// has one: then the planner leaves the service's `desiredCount` to Application Auto Scaling.
pub(crate) fn target_of<'a>(
    stack: &'a Stack,
    cluster: &str,
    name: &str,
) -> Option<&'a RegisterScalableTargetRequest> {
    let id = resource_id(cluster, name);
    stack
        .scaling
        .scalable_targets
        .iter()
        .find(|t| t.resource_id.as_deref() == Some(id.as_str()))
}

/// The stack's scalable target of `service`, a service of the stack.
pub(crate) fn of_service<'a>(
    stack: &'a Stack,
    service: &ecs_model::types::CreateServiceRequest,
) -> Option<&'a RegisterScalableTargetRequest> {
    let (cluster, name) = crate::state::service_key(service);
    target_of(stack, &cluster, &name)
}

#[cfg(feature = "autoscaling")]
/// The resource ids a plan observes: the stack's scaled services, and with `every_service`
/// (pruning, destroying) every service observed, so that the scaling of the stack's services
/// removed from it is found.
pub(crate) fn to_observe(
    stack: &Stack,
    actual: &crate::plan::Actual,
    every_service: bool,
) -> BTreeSet<String> {
    let mut ids: BTreeSet<String> = desired(stack).into_keys().collect();
    if every_service {
        ids.extend(actual.services.keys().map(|(c, s)| resource_id(c, s)));
    }
    ids
}

#[cfg(feature = "autoscaling")]
/// Reads the scaling of `resource_ids` (`service/CLUSTER/SERVICE`): DescribeScalableTargets
/// for up to 50 ids a call, then for each target found DescribeScalingPolicies and
/// DescribeScheduledActions, at most `concurrency` calls at a time. An answer's entries of
/// another resource id are left out (moto's ResourceId filter matches substrings).
pub(crate) async fn observe(
    clients: &Clients,
    resource_ids: &BTreeSet<String>,
    concurrency: usize,
) -> Result<BTreeMap<String, ServiceScaling>, AwsError> {
    let concurrency = concurrency.max(1);
    let chunks = crate::observe::owned_chunks(resource_ids, PER_CALL);
    let pages: Vec<Vec<Value>> = stream::iter(chunks)
        .map(|chunk| async move {
            let input = json!({
                "ServiceNamespace": "ecs",
                "ResourceIds": chunk,
                "ScalableDimension": DIMENSION,
            });
            all_pages(
                clients,
                Operation::DescribeScalableTargets,
                input,
                "ScalableTargets",
            )
            .await
        })
        .buffer_unordered(concurrency)
        .try_collect()
        .await?;
    let mut out: BTreeMap<String, ServiceScaling> = BTreeMap::new();
    for item in pages.into_iter().flatten() {
        let answer = json!({ "ScalableTargets": [item] });
        let loaded: DescribeScalableTargetsResponse = from_value(&answer).value.unwrap_or_default();
        for target in loaded.scalable_targets.unwrap_or_default() {
            if let Some(id) = target.resource_id.clone()
                && resource_ids.contains(&id)
                && ours(target.scalable_dimension.as_ref())
            {
                out.entry(id).or_default().target = Some(target);
            }
        }
    }
    let found: Vec<String> = out.keys().cloned().collect();
    let details: Vec<(String, Vec<Value>, Vec<Value>)> = stream::iter(found)
        .map(|id| async move {
            let input = json!({
                "ServiceNamespace": "ecs",
                "ResourceId": id,
                "ScalableDimension": DIMENSION,
            });
            let (policies, actions) = futures::try_join!(
                all_pages(
                    clients,
                    Operation::DescribeScalingPolicies,
                    input.clone(),
                    "ScalingPolicies"
                ),
                all_pages(
                    clients,
                    Operation::DescribeScheduledActions,
                    input.clone(),
                    "ScheduledActions"
                ),
            )?;
            Ok::<_, AwsError>((id, policies, actions))
        })
        .buffer_unordered(concurrency)
        .try_collect()
        .await?;
    for (id, policies, actions) in details {
        let Some(scaling) = out.get_mut(&id) else {
            continue;
        };
        let answer = json!({ "ScalingPolicies": policies });
        let loaded: DescribeScalingPoliciesResponse = from_value(&answer).value.unwrap_or_default();
        for policy in loaded.scaling_policies.unwrap_or_default() {
            if policy.resource_id.as_deref() == Some(id.as_str())
                && ours(policy.scalable_dimension.as_ref())
                && let Some(name) = policy.policy_name.clone()
            {
                scaling.policies.insert(name, policy);
            }
        }
        let answer = json!({ "ScheduledActions": actions });
        let loaded: DescribeScheduledActionsResponse =
            from_value(&answer).value.unwrap_or_default();
        for action in loaded.scheduled_actions.unwrap_or_default() {
            if action.resource_id.as_deref() == Some(id.as_str())
                && ours(action.scalable_dimension.as_ref())
                && let Some(name) = action.scheduled_action_name.clone()
            {
                scaling.actions.insert(name, action);
            }
        }
    }
    Ok(out)
}

#[cfg(feature = "autoscaling")]
/// Whether an entry scales an ECS service's desired count.
fn ours(dimension: Option<&ScalableDimension>) -> bool {
    dimension.is_some_and(|d| d.as_str() == DIMENSION)
}

#[cfg(feature = "autoscaling")]
/// Every item of the list `key` of `operation`'s answers to `input`, 50 a page, following
/// `NextToken` while a page is full and the token is new (see [`PER_CALL`]).
async fn all_pages(
    clients: &Clients,
    operation: Operation,
    mut input: Value,
    key: &str,
) -> Result<Vec<Value>, AwsError> {
    input["MaxResults"] = json!(PER_CALL);
    let mut out = Vec::new();
    let mut seen = BTreeSet::new();
    loop {
        let answer = clients.call(operation, &input).await?;
        let items = answer
            .get(key)
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        let full = items.len() >= PER_CALL;
        out.extend(items);
        match answer.get("NextToken").and_then(Value::as_str) {
            Some(token) if full && !token.is_empty() && seen.insert(token.to_owned()) => {
                input["NextToken"] = json!(token);
            }
            _ => return Ok(out),
        }
    }
}

/// The suspended state the stack asks for: its flags, false where unset.
fn suspended_state(state: Option<&SuspendedState>) -> SuspendedState {
    let flag = |f: Option<bool>| Some(f.unwrap_or(false));
    let mut out = SuspendedState::default();
    if let Some(state) = state {
        out = state.clone();
    }
    out.dynamic_scaling_in_suspended = flag(out.dynamic_scaling_in_suspended);
    out.dynamic_scaling_out_suspended = flag(out.dynamic_scaling_out_suspended);
    out.scheduled_scaling_suspended = flag(out.scheduled_scaling_suspended);
    out
}

/// Every flag of `SuspendedState` at `value`.
fn all_suspended(value: bool) -> SuspendedState {
    let mut out = SuspendedState::default();
    out.dynamic_scaling_in_suspended = Some(value);
    out.dynamic_scaling_out_suspended = Some(value);
    out.scheduled_scaling_suspended = Some(value);
    out
}

/// A target as compared: bounds, suspended state, and the role when the stack sets one.
fn target_document(
    min: Option<i32>,
    max: Option<i32>,
    suspended: Option<&SuspendedState>,
    role: Option<&str>,
) -> Value {
    let mut out = Map::new();
    out.insert("MinCapacity".into(), json!(min));
    out.insert("MaxCapacity".into(), json!(max));
    out.insert(
        "SuspendedState".into(),
        to_json(&suspended_state(suspended)),
    );
    if let Some(role) = role {
        out.insert("RoleARN".into(), json!(role));
    }
    Value::Object(out)
}

/// A policy as compared: its members but the identity ones, AWS's defaults filled in.
fn policy_document(policy: &PutScalingPolicyRequest) -> Value {
    let mut value = to_json(policy);
    if let Some(object) = value.as_object_mut() {
        for member in [
            "PolicyName",
            "ServiceNamespace",
            "ResourceId",
            "ScalableDimension",
        ] {
            object.remove(member);
        }
        if let Some(Value::Object(tracking)) =
            object.get_mut("TargetTrackingScalingPolicyConfiguration")
        {
            for (member, default) in [
                ("ScaleInCooldown", json!(300)),
                ("ScaleOutCooldown", json!(300)),
                ("DisableScaleIn", json!(false)),
            ] {
                tracking.entry(member).or_insert(default);
            }
            if let Some(target) = tracking.get("TargetValue").and_then(Value::as_f64) {
                tracking.insert("TargetValue".into(), json!(target));
            }
        }
    }
    value
}

/// An action as compared: its members but the identity ones, the time zone UTC unless set,
/// and its start and end as epoch seconds.
fn action_document(action: &PutScheduledActionRequest) -> Value {
    let mut value = to_json(action);
    if let Some(object) = value.as_object_mut() {
        for member in [
            "ScheduledActionName",
            "ServiceNamespace",
            "ResourceId",
            "ScalableDimension",
        ] {
            object.remove(member);
        }
        object.entry("Timezone").or_insert(json!("UTC"));
        for member in ["StartTime", "EndTime"] {
            if let Some(time) = object.get(member).cloned() {
                object.insert(member.to_owned(), epoch_seconds(&time));
            }
        }
    }
    value
}

/// A timestamp as epoch seconds: a number as it is, ISO 8601 text (`2026-01-01T10:00:00Z`,
/// with an optional fraction and offset) converted; other text as written.
fn epoch_seconds(time: &Value) -> Value {
    match time {
        Value::Number(n) => n.as_f64().map_or(time.clone(), |f| json!(f)),
        Value::String(text) => iso_seconds(text).map_or(time.clone(), |f| json!(f)),
        _ => time.clone(),
    }
}

/// The epoch seconds of `YYYY-MM-DDTHH:MM:SS[.fff][Z|+HH:MM|-HH:MM]` (no offset: UTC).
fn iso_seconds(text: &str) -> Option<f64> {
    let (date, time) = text.split_once(['T', ' '])?;
    let mut d = date.splitn(3, '-').map(|p| p.parse::<i64>().ok());
    let (year, month, day) = (d.next()??, d.next()??, d.next()??);
    let (clock, offset) = match time.find(['Z', 'z', '+', '-']) {
        Some(i) => (&time[..i], &time[i..]),
        None => (time, ""),
    };
    let mut c = clock.splitn(3, ':');
    let hour = c.next()?.parse::<i64>().ok()?;
    let minute = c.next()?.parse::<i64>().ok()?;
    let second = c.next().map_or(Some(0.0), |s| s.parse::<f64>().ok())?;
    let offset_seconds = match offset.chars().next() {
        None | Some('Z' | 'z') => 0,
        Some(sign) => {
            let (h, m) = offset[1..].split_once(':').unwrap_or((&offset[1..], "0"));
            let minutes = h.parse::<i64>().ok()? * 60 + m.parse::<i64>().ok()?;
            if sign == '-' {
                -minutes * 60
            } else {
                minutes * 60
            }
        }
    };
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) {
        return None;
    }
    // Days from the civil date (Howard Hinnant's algorithm).
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    let whole = days * 86_400 + hour * 3_600 + minute * 60 - offset_seconds;
    #[allow(clippy::cast_precision_loss)]
    Some(whole as f64 + second)
}

/// A policy AWS has, rendered as the PutScalingPolicy input that would make it.
fn policy_input(policy: &ScalingPolicy) -> PutScalingPolicyRequest {
    let mut out = PutScalingPolicyRequest::default();
    out.policy_name = policy.policy_name.clone();
    out.service_namespace = policy.service_namespace.clone();
    out.resource_id = policy.resource_id.clone();
    out.scalable_dimension = policy.scalable_dimension.clone();
    out.policy_type = policy.policy_type.clone();
    out.step_scaling_policy_configuration = policy.step_scaling_policy_configuration.clone();
    out.target_tracking_scaling_policy_configuration =
        policy.target_tracking_scaling_policy_configuration.clone();
    out.predictive_scaling_policy_configuration =
        policy.predictive_scaling_policy_configuration.clone();
    out
}

/// A scheduled action AWS has, rendered as the PutScheduledAction input that would make it.
fn action_input(action: &ScheduledAction) -> PutScheduledActionRequest {
    let mut out = PutScheduledActionRequest::default();
    out.service_namespace = action.service_namespace.clone();
    out.schedule = action.schedule.clone();
    out.timezone = action.timezone.clone();
    out.scheduled_action_name = action.scheduled_action_name.clone();
    out.resource_id = action.resource_id.clone();
    out.scalable_dimension = action.scalable_dimension.clone();
    out.start_time = action.start_time.clone();
    out.end_time = action.end_time.clone();
    out.scalable_target_action = action.scalable_target_action.clone();
    out
}

/// The document a scaled service is compared as: `target` (absent when the stack declares
/// none), `policies` and `scheduledActions` by name.
fn document(
    target: Option<Value>,
    policies: impl Iterator<Item = (String, Value)>,
    actions: impl Iterator<Item = (String, Value)>,
) -> Value {
    let mut out = Map::new();
    if let Some(target) = target {
        out.insert("target".into(), target);
    }
    out.insert("policies".into(), Value::Object(policies.collect()));
    out.insert("scheduledActions".into(), Value::Object(actions.collect()));
    Value::Object(out)
}

/// Sets the three members that name the scalable target of the resource `id` on `request`.
macro_rules! identify {
    ($request:ident, $id:expr) => {
        (
            $request.service_namespace,
            $request.resource_id,
            $request.scalable_dimension,
        ) = identity($id)
    };
}

/// The entries of `wanted` (with their compared `documents`, in the same order) that `have`
/// lacks or holds otherwise.
fn changed<'a, T>(
    wanted: &[&'a T],
    documents: &[(String, Value)],
    have: &[(String, Value)],
) -> Vec<&'a T> {
    let have: BTreeMap<&String, &Value> = have.iter().map(|(n, v)| (n, v)).collect();
    wanted
        .iter()
        .zip(documents)
        .filter(|(_, (name, document))| have.get(name) != Some(&document))
        .map(|(entry, _)| *entry)
        .collect()
}

/// The three members that name a service's scalable target.
fn identity(
    id: &str,
) -> (
    Option<ServiceNamespace>,
    Option<String>,
    Option<ScalableDimension>,
) {
    (
        Some(ServiceNamespace::Ecs),
        Some(id.to_owned()),
        Some(ScalableDimension::from(DIMENSION)),
    )
}

/// RegisterScalableTarget of `id` setting only its `SuspendedState` to `state`.
fn register_suspended(id: &str, state: SuspendedState) -> RegisterScalableTargetRequest {
    let mut out = RegisterScalableTargetRequest::default();
    identify!(out, id);
    out.suspended_state = Some(state);
    out
}

/// Whether the ECS service of `cluster`/`name` is the stack's to scale: it carries the
/// stack's tag, or it does not exist yet and the stack creates it. When it is not, the change
/// to plan instead (not managed, or blocked).
fn not_scalable(
    stack: &Stack,
    actual: &crate::plan::Actual,
    options: &Options,
    (cluster, name): (&str, &str),
    address: &Address,
) -> Option<Change> {
    match actual.services.get(&(cluster.to_owned(), name.to_owned())) {
        Some(existing) => ownership(&existing.input.tags, options)
            .err()
            .map(|reason| crate::plan::not_managed(address.clone(), reason)),
        None if stack
            .services
            .iter()
            .any(|s| crate::state::service_key(s) == (cluster.to_owned(), name.to_owned())) =>
        {
            None
        }
        None => Some(crate::plan::blocked(
            address.clone(),
            Vec::new(),
            Reason::ScaledServiceMissing,
        )),
    }
}

/// Suspends the scaling of the service `change` deploys, when its scalable target exists and
/// the stack owns the service: a [`Step::SuspendScaling`] goes before its UpdateService, and
/// apply resumes to the stack's `SuspendedState` once the deployment has ended.
pub(crate) fn around_deployment(
    mut change: Change,
    stack: &Stack,
    actual: &crate::plan::Actual,
) -> Change {
    let Address::Service { cluster, name } = &change.address else {
        return change;
    };
    if change.action != Action::UpdateAndDeploy {
        return change;
    }
    let id = resource_id(cluster, name);
    if actual
        .scaling
        .get(&id)
        .and_then(|s| s.target.as_ref())
        .is_none()
    {
        return change;
    }
    let wanted = target_of(stack, cluster, name).and_then(|t| t.suspended_state.as_ref());
    let Some(at) = change
        .steps
        .iter()
        .position(|s| s.operation() == Operation::UpdateService)
    else {
        return change;
    };
    change.steps.insert(
        at,
        Step::SuspendScaling {
            suspend: register_suspended(&id, all_suspended(true)),
            resume: register_suspended(&id, suspended_state(wanted)),
        },
    );
    change
}

/// The services whose scaling `changes` suspend while they deploy, by resource id.
fn suspending(changes: &[Change]) -> BTreeSet<String> {
    changes
        .iter()
        .filter_map(|c| match (&c.address, c.steps.iter().any(Step::suspends)) {
            (Address::Service { cluster, name }, true) => Some(resource_id(cluster, name)),
            _ => None,
        })
        .collect()
}

/// The changes of the stack's scaling: one per scaled service, after `changes` (the
/// services' changes, whose deployments may suspend the scaling).
pub(crate) fn plan(
    stack: &Stack,
    actual: &crate::plan::Actual,
    options: &Options,
    changes: &[Change],
) -> Vec<Change> {
    let suspended_by_apply = suspending(changes);
    let mut out = Vec::new();
    for (id, wanted) in desired(stack) {
        let Some((cluster, name)) = service_of(&id) else {
            continue;
        };
        let address = Address::Scaling {
            cluster: cluster.clone(),
            service: name.clone(),
        };
        if let Some(change) = not_scalable(stack, actual, options, (&cluster, &name), &address) {
            out.push(change);
            continue;
        }
        let have = actual.scaling.get(&id).cloned().unwrap_or_default();
        out.push(plan_one(
            &id,
            address,
            &wanted,
            &have,
            suspended_by_apply.contains(&id),
        ));
    }
    out
}

/// The change of one scaled service: `wanted` against `have`.
fn plan_one(
    id: &str,
    address: Address,
    wanted: &Desired<'_>,
    have: &ServiceScaling,
    suspended_by_apply: bool,
) -> Change {
    let role = wanted.target.and_then(|t| t.role_arn.as_deref());
    let wanted_target = wanted.target.map(|t| {
        target_document(
            t.min_capacity,
            t.max_capacity,
            t.suspended_state.as_ref(),
            role,
        )
    });
    let have_target = match (&have.target, wanted.target) {
        (Some(t), Some(_)) => Some(target_document(
            t.min_capacity,
            t.max_capacity,
            t.suspended_state.as_ref(),
            role.and(t.role_arn.as_deref()),
        )),
        _ => None,
    };
    let wanted_policies: Vec<(String, Value)> = wanted
        .policies
        .iter()
        .filter_map(|p| Some((p.policy_name.clone()?, policy_document(p))))
        .collect();
    let have_policies: Vec<(String, Value)> = have
        .policies
        .iter()
        .map(|(n, p)| (n.clone(), policy_document(&policy_input(p))))
        .collect();
    let wanted_actions: Vec<(String, Value)> = wanted
        .actions
        .iter()
        .filter_map(|a| Some((a.scheduled_action_name.clone()?, action_document(a))))
        .collect();
    let have_actions: Vec<(String, Value)> = have
        .actions
        .iter()
        .map(|(n, a)| (n.clone(), action_document(&action_input(a))))
        .collect();
    let have_doc = document(
        have_target.clone(),
        have_policies.iter().cloned(),
        have_actions.iter().cloned(),
    );
    let wanted_doc = document(
        wanted_target.clone(),
        wanted_policies.iter().cloned(),
        wanted_actions.iter().cloned(),
    );
    let fields = diff(&have_doc, &wanted_doc);

    let mut steps = Vec::new();
    if let Some(target) = wanted.target
        && have_target != wanted_target
    {
        let mut request = target.clone();
        identify!(request, id);
        request.suspended_state = Some(suspended_state(target.suspended_state.as_ref()));
        let only_suspension = have_target.as_ref().is_some_and(|h| {
            let mut h = h.clone();
            h["SuspendedState"] = wanted_target
                .as_ref()
                .map_or(Value::Null, |w| w["SuspendedState"].clone());
            Some(h) == wanted_target
        });
        if suspended_by_apply {
            // The deployment suspends the scaling and its resume sets the stack's state: a
            // state sent now would resume the scaling in the middle of the deployment.
            request.suspended_state = None;
        }
        if have.target.is_some() {
            // Tags are taken on creation only (TagResource changes them later).
            request.tags = None;
        }
        if !(suspended_by_apply && only_suspension) {
            steps.push(Step::RegisterScalableTarget(request));
        }
    }
    for policy in changed(&wanted.policies, &wanted_policies, &have_policies) {
        let mut request = policy.clone();
        identify!(request, id);
        steps.push(Step::PutScalingPolicy(request));
    }
    for action in changed(&wanted.actions, &wanted_actions, &have_actions) {
        let mut request = action.clone();
        identify!(request, id);
        steps.push(Step::PutScheduledAction(request));
    }
    let wanted_names: BTreeSet<&String> = wanted_policies.iter().map(|(n, _)| n).collect();
    for name in have.policies.keys().filter(|n| !wanted_names.contains(n)) {
        steps.push(delete_policy(id, name));
    }
    let wanted_names: BTreeSet<&String> = wanted_actions.iter().map(|(n, _)| n).collect();
    for name in have.actions.keys().filter(|n| !wanted_names.contains(n)) {
        steps.push(delete_action(id, name));
    }
    let action = if fields.is_empty() {
        Action::NoChange
    } else if wanted.target.is_some() && have.target.is_none() {
        Action::Create
    } else {
        Action::Update
    };
    Change {
        address,
        action,
        fields,
        kept: Vec::new(),
        reason: None,
        steps: if action == Action::NoChange {
            Vec::new()
        } else {
            steps
        },
        rollback: None,
    }
}

fn delete_policy(id: &str, name: &str) -> Step {
    let mut request = DeleteScalingPolicyRequest::default();
    request.policy_name = Some(name.to_owned());
    identify!(request, id);
    Step::DeleteScalingPolicy(request)
}

fn delete_action(id: &str, name: &str) -> Step {
    let mut request = DeleteScheduledActionRequest::default();
    request.scheduled_action_name = Some(name.to_owned());
    identify!(request, id);
    Step::DeleteScheduledAction(request)
}

/// The deregistration of the scaling of the stack's services that `stack` no longer scales
/// (its scalable target left the stack, or the service did): the policies and scheduled
/// actions are deleted first (AWS deletes them with the target; doing it explicitly leaves
/// nothing behind where a target was deregistered by hand or an API forgets them), then the
/// target. Only the scaling of services carrying the stack's tag is touched. Planned before
/// the services' own deletions.
pub(crate) fn prune(
    stack: &Stack,
    actual: &crate::plan::Actual,
    options: &Options,
    removal: Removal,
) -> Vec<Change> {
    let wanted: BTreeSet<String> = stack
        .scaling
        .scalable_targets
        .iter()
        .filter_map(|t| t.resource_id.clone())
        .collect();
    let mut out = Vec::new();
    for (id, have) in &actual.scaling {
        let (Some(target), Some((cluster, name))) = (&have.target, service_of(id)) else {
            continue;
        };
        if wanted.contains(id) {
            continue;
        }
        let owned = actual
            .services
            .get(&(cluster.clone(), name.clone()))
            .is_some_and(|s| ownership(&s.input.tags, options).is_ok());
        if !owned {
            continue;
        }
        let mut steps: Vec<Step> = have.policies.keys().map(|n| delete_policy(id, n)).collect();
        steps.extend(have.actions.keys().map(|n| delete_action(id, n)));
        let mut request = DeregisterScalableTargetRequest::default();
        identify!(request, id);
        steps.push(Step::DeregisterScalableTarget(request));
        let before = document(
            Some(target_document(
                target.min_capacity,
                target.max_capacity,
                target.suspended_state.as_ref(),
                None,
            )),
            have.policies
                .iter()
                .map(|(n, p)| (n.clone(), policy_document(&policy_input(p)))),
            have.actions
                .iter()
                .map(|(n, a)| (n.clone(), action_document(&action_input(a)))),
        );
        out.push(Change {
            address: Address::Scaling {
                cluster,
                service: name,
            },
            action: Action::Delete,
            fields: diff(&before, &Value::Object(Map::new())),
            kept: Vec::new(),
            reason: Some(Reason::Removed { removal }),
            steps,
            rollback: None,
        });
    }
    out
}

impl Step {
    /// Whether the step suspends a service's scaling for its deployment
    /// ([`Step::SuspendScaling`]).
    pub(crate) fn suspends(&self) -> bool {
        matches!(self, Self::SuspendScaling { .. })
    }

    /// The RegisterScalableTarget that resumes what a [`Step::SuspendScaling`] suspends.
    pub(crate) fn resumption(&self) -> Option<Step> {
        match self {
            Self::SuspendScaling { resume, .. } => {
                Some(Step::RegisterScalableTarget(resume.clone()))
            }
            _ => None,
        }
    }
}

/// Sends one Application Auto Scaling step (a [`Step::SuspendScaling`] sends its suspension),
/// trying again what AWS does not see yet ([`AwsError::is_not_yet_consistent`]: the ECS
/// service created a moment ago, the target registered a moment ago) up to
/// [`CONSISTENCY_ATTEMPTS`] times, calling `waiting` before each wait. A deletion of what is
/// gone already (`ObjectNotFoundException`) is what it wanted.
#[cfg(feature = "autoscaling")]
pub(crate) async fn call(
    clients: &Clients,
    step: &Step,
    mut waiting: impl FnMut(),
) -> Result<Value, AwsError> {
    let operation = step.operation();
    let input = step.input();
    let deletion = matches!(
        operation,
        Operation::DeleteScalingPolicy
            | Operation::DeleteScheduledAction
            | Operation::DeregisterScalableTarget
    );
    let mut attempt = 0;
    loop {
        match clients.call(operation, &input).await {
            Ok(answer) => return Ok(answer),
            Err(e) if deletion && e.is_not_found() => return Ok(Value::Null),
            Err(e) if e.is_not_yet_consistent() && attempt < CONSISTENCY_ATTEMPTS => {
                attempt += 1;
                waiting();
                match &clients.autoscaling {
                    Some(client) => client.pause(attempt).await,
                    None => return Err(e),
                }
            }
            Err(e) => return Err(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::{Actual, Existing};
    use crate::state::Services;
    use ecs_model::types::CreateServiceRequest;

    fn stack(scaling: Value) -> Stack {
        let file = json!({
            "clusters": [{"clusterName": "shop"}],
            "taskDefinitions": [{"family": "web", "containerDefinitions": [
                {"name": "web", "image": "nginx", "memory": 128}]}],
            "services": [{"serviceName": "web", "cluster": "shop", "taskDefinition": "web",
                          "desiredCount": 2}],
            "scaling": scaling,
        });
        from_value::<Stack>(&file).value.expect("a stack")
    }

    fn scaled() -> Value {
        json!({
            "scalableTargets": [{"ServiceNamespace": "ecs", "ResourceId": "service/shop/web",
                "ScalableDimension": DIMENSION, "MinCapacity": 1, "MaxCapacity": 4}],
            "scalingPolicies": [{"PolicyName": "cpu", "ServiceNamespace": "ecs",
                "ResourceId": "service/shop/web", "ScalableDimension": DIMENSION,
                "PolicyType": "TargetTrackingScaling",
                "TargetTrackingScalingPolicyConfiguration": {"TargetValue": 60,
                    "PredefinedMetricSpecification": {
                        "PredefinedMetricType": "ECSServiceAverageCPUUtilization"}}}],
            "scheduledActions": [{"ScheduledActionName": "night", "ServiceNamespace": "ecs",
                "ResourceId": "service/shop/web", "ScalableDimension": DIMENSION,
                "Schedule": "cron(0 22 * * ? *)",
                "StartTime": "2030-01-01T00:00:00Z",
                "ScalableTargetAction": {"MinCapacity": 1, "MaxCapacity": 2}}]
        })
    }

    /// The service `web` of `shop`, tagged as `stack`'s.
    fn actual_with(stack: &str, scaling: Option<ServiceScaling>) -> Actual {
        let mut service: CreateServiceRequest = from_value(&json!({
            "serviceName": "web", "cluster": "shop", "taskDefinition": "web", "desiredCount": 3,
            "tags": [{"key": crate::ownership::STACK_TAG, "value": stack}]
        }))
        .value
        .expect("a service");
        service.cluster = Some("shop".into());
        let mut actual = Actual {
            services: Services::from_iter([(
                ("shop".to_owned(), "web".to_owned()),
                Existing::new("arn:aws:ecs:us-east-1:1:service/shop/web", service),
            )]),
            ..Actual::default()
        };
        actual
            .scaling
            .extend(scaling.map(|s| ("service/shop/web".to_owned(), s)));
        actual
    }

    /// What AWS answers once the stack of [`scaled`] is applied: all defaults filled in, the
    /// start time as epoch seconds.
    fn as_aws_has_it() -> ServiceScaling {
        let target = from_value::<ScalableTarget>(&json!({
            "ServiceNamespace": "ecs", "ResourceId": "service/shop/web",
            "ScalableDimension": DIMENSION, "MinCapacity": 1, "MaxCapacity": 4,
            "RoleARN": "arn:aws:iam::1:role/aws-service-role/ecs.application-autoscaling.amazonaws.com/AWSServiceRoleForApplicationAutoScaling_ECSService",
            "CreationTime": 1_700_000_000.5,
            "SuspendedState": {"DynamicScalingInSuspended": false,
                "DynamicScalingOutSuspended": false, "ScheduledScalingSuspended": false}
        }))
        .value;
        let policy = from_value::<ScalingPolicy>(&json!({
            "PolicyARN": "arn:aws:autoscaling:us-east-1:1:scalingPolicy:x", "PolicyName": "cpu",
            "ServiceNamespace": "ecs", "ResourceId": "service/shop/web",
            "ScalableDimension": DIMENSION, "PolicyType": "TargetTrackingScaling",
            "TargetTrackingScalingPolicyConfiguration": {"TargetValue": 60.0,
                "PredefinedMetricSpecification": {
                    "PredefinedMetricType": "ECSServiceAverageCPUUtilization"},
                "ScaleOutCooldown": 300, "ScaleInCooldown": 300, "DisableScaleIn": false},
            "Alarms": [{"AlarmName": "TargetTracking-a", "AlarmARN": "arn:a"}],
            "CreationTime": 1_700_000_000
        }))
        .value
        .expect("a policy");
        let action = from_value::<ScheduledAction>(&json!({
            "ScheduledActionName": "night", "ScheduledActionARN": "arn:s",
            "ServiceNamespace": "ecs", "ResourceId": "service/shop/web",
            "ScalableDimension": DIMENSION, "Schedule": "cron(0 22 * * ? *)",
            "Timezone": "UTC", "StartTime": 1_893_456_000.0,
            "ScalableTargetAction": {"MinCapacity": 1, "MaxCapacity": 2},
            "CreationTime": 1_700_000_000
        }))
        .value
        .expect("an action");
        ServiceScaling {
            target,
            policies: BTreeMap::from([("cpu".to_owned(), policy)]),
            actions: BTreeMap::from([("night".to_owned(), action)]),
        }
    }

    fn operations(change: &Change) -> Vec<Operation> {
        change.steps.iter().map(Step::operation).collect()
    }

    #[test]
    fn a_new_scaled_service_registers_then_puts_its_policy_and_action() {
        let stack = stack(scaled());
        let changes = plan(&stack, &Actual::default(), &Options::new("demo"), &[]);
        assert_eq!(changes.len(), 1);
        assert_eq!(changes[0].action, Action::Create);
        assert_eq!(
            operations(&changes[0]),
            [
                Operation::RegisterScalableTarget,
                Operation::PutScalingPolicy,
                Operation::PutScheduledAction
            ]
        );
        let register = changes[0].steps[0].input();
        assert_eq!(
            register["SuspendedState"],
            json!({"DynamicScalingInSuspended": false, "DynamicScalingOutSuspended": false,
                   "ScheduledScalingSuspended": false})
        );
    }

    #[test]
    fn what_aws_fills_in_is_no_change() {
        let stack = stack(scaled());
        let actual = actual_with("demo", Some(as_aws_has_it()));
        let changes = plan(&stack, &actual, &Options::new("demo"), &[]);
        assert_eq!(
            changes[0].action,
            Action::NoChange,
            "{:?}",
            changes[0].fields
        );
        // moto answers no SuspendedState and no cooldowns: the same.
        let mut moto = as_aws_has_it();
        if let Some(t) = moto.target.as_mut() {
            t.suspended_state = None;
        }
        if let Some(p) = moto.policies.get_mut("cpu")
            && let Some(c) = p.target_tracking_scaling_policy_configuration.as_mut()
        {
            c.scale_in_cooldown = None;
            c.scale_out_cooldown = None;
            c.disable_scale_in = None;
        }
        let changes = plan(
            &stack,
            &actual_with("demo", Some(moto)),
            &Options::new("demo"),
            &[],
        );
        assert_eq!(
            changes[0].action,
            Action::NoChange,
            "{:?}",
            changes[0].fields
        );
    }

    #[test]
    fn a_new_maximum_registers_the_target_alone() {
        let mut file = scaled();
        file["scalableTargets"][0]["MaxCapacity"] = json!(6);
        let stack = stack(file);
        let actual = actual_with("demo", Some(as_aws_has_it()));
        let changes = plan(&stack, &actual, &Options::new("demo"), &[]);
        assert_eq!(changes[0].action, Action::Update);
        assert_eq!(operations(&changes[0]), [Operation::RegisterScalableTarget]);
        assert_eq!(changes[0].steps[0].input()["MaxCapacity"], json!(6));
    }

    #[test]
    fn a_policy_removed_from_the_stack_is_deleted_and_one_added_is_put() {
        let mut file = scaled();
        file["scalingPolicies"][0]["PolicyName"] = json!("cpu-70");
        let stack = stack(file);
        let actual = actual_with("demo", Some(as_aws_has_it()));
        let changes = plan(&stack, &actual, &Options::new("demo"), &[]);
        assert_eq!(
            operations(&changes[0]),
            [Operation::PutScalingPolicy, Operation::DeleteScalingPolicy]
        );
        assert_eq!(changes[0].steps[1].input()["PolicyName"], json!("cpu"));
    }

    #[test]
    fn a_suspended_state_the_stack_does_not_ask_for_is_resumed() {
        let stack = stack(scaled());
        let mut have = as_aws_has_it();
        if let Some(t) = have.target.as_mut() {
            t.suspended_state = Some(all_suspended(true));
        }
        let changes = plan(
            &stack,
            &actual_with("demo", Some(have)),
            &Options::new("demo"),
            &[],
        );
        assert_eq!(operations(&changes[0]), [Operation::RegisterScalableTarget]);
        assert_eq!(
            changes[0].steps[0].input()["SuspendedState"],
            to_json(&all_suspended(false))
        );
    }

    #[test]
    fn the_scaling_of_a_service_of_another_stack_is_not_touched() {
        let stack = stack(scaled());
        let actual = actual_with("other", Some(as_aws_has_it()));
        let changes = plan(&stack, &actual, &Options::new("demo"), &[]);
        assert_eq!(changes[0].action, Action::NotManaged);
        assert!(changes[0].steps.is_empty());
        assert!(
            prune(
                &Stack::default(),
                &actual,
                &Options::new("demo"),
                Removal::Destroyed
            )
            .is_empty()
        );
    }

    #[test]
    fn a_service_neither_in_aws_nor_in_the_stack_cannot_be_scaled() {
        let mut file = scaled();
        file["scalableTargets"][0]["ResourceId"] = json!("service/shop/api");
        let stack = stack(json!({"scalableTargets": file["scalableTargets"]}));
        let changes = plan(&stack, &Actual::default(), &Options::new("demo"), &[]);
        assert_eq!(changes[0].action, Action::Blocked);
        assert_eq!(changes[0].reason, Some(Reason::ScaledServiceMissing));
    }

    #[test]
    fn destroy_deletes_the_policies_and_actions_then_deregisters() {
        let actual = actual_with("demo", Some(as_aws_has_it()));
        let changes = prune(
            &Stack::default(),
            &actual,
            &Options::new("demo"),
            Removal::Destroyed,
        );
        assert_eq!(changes.len(), 1);
        assert_eq!(changes[0].action, Action::Delete);
        assert_eq!(
            operations(&changes[0]),
            [
                Operation::DeleteScalingPolicy,
                Operation::DeleteScheduledAction,
                Operation::DeregisterScalableTarget
            ]
        );
        // Kept in the stack: nothing goes.
        let kept = prune(
            &stack(scaled()),
            &actual,
            &Options::new("demo"),
            Removal::Pruned,
        );
        assert!(kept.is_empty());
    }

    #[test]
    fn a_deployment_of_a_scaled_service_suspends_its_scaling_first() {
        let stack = stack(scaled());
        let actual = actual_with("demo", Some(as_aws_has_it()));
        let update = Step::run_revision("shop", "web", "web:2");
        let mut change = crate::plan::not_managed(
            Address::Service {
                cluster: "shop".into(),
                name: "web".into(),
            },
            Reason::ForcedDeployment,
        );
        change.action = Action::UpdateAndDeploy;
        change.steps = vec![update];
        let change = around_deployment(change, &stack, &actual);
        assert_eq!(
            operations(&change),
            [Operation::RegisterScalableTarget, Operation::UpdateService]
        );
        let Step::SuspendScaling { suspend, resume } = &change.steps[0] else {
            panic!("a suspension first: {:?}", change.steps);
        };
        assert_eq!(suspend.suspended_state, Some(all_suspended(true)));
        assert_eq!(resume.suspended_state, Some(all_suspended(false)));
        assert_eq!(
            suspend.min_capacity, None,
            "the bounds are left as they are"
        );
        // The scaling change of the same plan leaves the state to the resume.
        let mut have = as_aws_has_it();
        if let Some(t) = have.target.as_mut() {
            t.suspended_state = Some(all_suspended(true));
        }
        let changes = plan(
            &stack,
            &actual_with("demo", Some(have)),
            &Options::new("demo"),
            &[change],
        );
        assert!(changes[0].steps.is_empty(), "{:?}", changes[0].steps);
    }

    #[test]
    fn iso_times_compare_as_epoch_seconds() {
        assert_eq!(iso_seconds("1970-01-01T00:00:00Z"), Some(0.0));
        assert_eq!(iso_seconds("2030-01-01T00:00:00Z"), Some(1_893_456_000.0));
        assert_eq!(
            iso_seconds("2030-01-01T01:00:00+01:00"),
            Some(1_893_456_000.0)
        );
        assert_eq!(iso_seconds("2030-01-01T00:00:00.5"), Some(1_893_456_000.5));
        assert_eq!(iso_seconds("tomorrow"), None);
        assert_eq!(
            service_of("service/shop/web"),
            Some(("shop".into(), "web".into()))
        );
        assert_eq!(service_of("service/web"), None);
    }
}
