//! Scheduled tasks: EventBridge Scheduler schedules that run a task definition of the stack
//! (the stack's `scheduledTasks`, CreateSchedule inputs), in a schedule group the stack owns.
//!
//! # Ownership
//!
//! EventBridge Scheduler tags schedule *groups* only ("You can only assign tags to schedule
//! groups", <https://docs.aws.amazon.com/scheduler/latest/APIReference/API_TagResource.html>):
//! a schedule carries no tag. So the stack owns a group, and the group's schedules are the
//! stack's:
//!
//! - a scheduled task without `GroupName` goes in the stack's own group, [`group_name`] of the
//!   stack (`ecs-rs-<stack>`), which the engine creates with the stack's tag
//!   ([`STACK_TAG`](crate::ownership::STACK_TAG));
//! - a scheduled task naming `GroupName` goes in that group, which the engine creates with the
//!   stack's tag when it does not exist; one that exists must carry the stack's tag, or its
//!   schedules are left alone (not managed). The `default` group cannot be the stack's: AWS
//!   made it, it carries no tag, and other tools use it.
//!
//! Every schedule of a group carrying the stack's tag is the stack's: pruning deletes those the
//! stack no longer names, destroying deletes them all and then the group. A schedule in a group
//! without the tag is never read as the stack's, changed or deleted. Pruning finds the stack's
//! own group and the groups the stack names: a group named only by scheduled tasks removed from
//! the stack is not looked for (delete it by hand, or prune before removing the `GroupName`).
//!
//! # Observing and comparing
//!
//! GetScheduleGroup and ListTagsForResource for each group, ListSchedules of each group the
//! stack owns (pages of 100), then GetSchedule for each schedule (ListSchedules answers
//! summaries only). Both sides are normalized with the defaults AWS fills in
//! ([`normalized`]): `State` ENABLED, `ScheduleExpressionTimezone` UTC, `ActionAfterCompletion`
//! NONE, `Target.RetryPolicy` 185 attempts over 86400 seconds
//! (<https://docs.aws.amazon.com/scheduler/latest/APIReference/API_RetryPolicy.html>),
//! `EcsParameters.TaskCount` 1, `AssignPublicIp` DISABLED, ECS managed tags and execute command
//! off (<https://docs.aws.amazon.com/scheduler/latest/APIReference/API_EcsParameters.html>).
//! `StartDate` and `EndDate` written as RFC 3339 text are compared and sent as the epoch
//! seconds GetSchedule answers ([`dates`]).
//!
//! # Full replacement
//!
//! UpdateSchedule replaces the whole schedule: "any values that you don't specify are reset to
//! their default values" (the State to ENABLED, the time zone to UTC, the description and dates
//! cleared; <https://docs.aws.amazon.com/scheduler/latest/APIReference/API_UpdateSchedule.html>).
//! So CreateSchedule and UpdateSchedule always send the complete normalized schedule, AWS's
//! defaults written out, never a patch.
//!
//! # References
//!
//! - `Target.Arn` written as the name of a cluster becomes the cluster's ARN; for a cluster the
//!   same apply creates, the ARN is known after apply ([`Created::ClusterArn`]).
//! - `EcsParameters.TaskDefinitionArn` written as a family: EventBridge Scheduler documents an
//!   ARN only (a bare family is not a documented value), so the schedule is **pinned** to the
//!   ARN of the revision the stack deploys: the family's latest ACTIVE revision, or the one this
//!   apply registers ([`Created::TaskDefinitionArn`]). A new revision therefore shows as an
//!   UpdateSchedule of `TaskDefinitionArn` in the same plan, and a scheduled run never starts a
//!   revision the stack did not deploy. `family:revision` becomes that revision's ARN. An ARN
//!   is sent as written. Revisions a schedule uses are never deregistered by keep-revisions or
//!   prune ([`revisions_in_use`]).
//! - Subnets and security groups may be written as the look-ups of [`crate::network`]
//!   (`default`, `name:NAME`): the plan resolves them to IDs before this kind sees the stack.

mod dates;

#[cfg(feature = "scheduler")]
use std::collections::BTreeMap;
use std::collections::BTreeSet;

use ecs_model::load::from_value;
use ecs_model::scheduler::{
    CreateScheduleGroupInput, CreateScheduleInput, DeleteScheduleGroupInput, DeleteScheduleInput,
    Tag as SchedulerTag, UpdateScheduleInput,
};
#[cfg(feature = "scheduler")]
use futures::stream::{self, StreamExt, TryStreamExt};
use serde_json::{Map, Value, json};

use crate::apply::Failure;
#[cfg(feature = "scheduler")]
use crate::aws::AwsError;
use crate::aws::{Clients, Operation};
use crate::diff::diff;
use crate::ownership::{STACK_TAG, ownership};
use crate::plan::*;
#[cfg(feature = "scheduler")]
use crate::state::ScheduleGroup;
use crate::state::{cluster_name, parse_task_definition};

/// The group AWS puts a schedule in when the request names none; never the stack's.
pub(crate) const DEFAULT_GROUP: &str = "default";

/// AWS's limit on a schedule group's name: 1 to 64 of `[0-9a-zA-Z-_.]`
/// (<https://docs.aws.amazon.com/scheduler/latest/APIReference/API_CreateScheduleGroup.html>).
const GROUP_NAME_MAX: usize = 64;

/// ListSchedules' largest page.
#[cfg(feature = "scheduler")]
const SCHEDULES_PER_PAGE: i64 = 100;

/// The stack's own schedule group: `ecs-rs-<stack>` when the stack's name fits a group name
/// (1 to 64 of letters, digits, `-`, `_` and `.`); otherwise the name with every other
/// character as `-`, cut so that `-` and 16 hexadecimal digits of a hash of the whole name fit
/// (so two stacks whose names differ only there get two groups).
///
/// ```text
/// shop          -> ecs-rs-shop
/// shop prod     -> ecs-rs-shop-prod-<hash>
/// ```
pub(crate) fn group_name(stack: &str) -> String {
    let plain = format!("ecs-rs-{stack}");
    let allowed = |c: char| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.');
    if plain.len() <= GROUP_NAME_MAX && stack.chars().all(allowed) {
        return plain;
    }
    let hash = crate::kinds::service::fnv1a(stack.bytes());
    let cleaned: String = plain
        .chars()
        .map(|c| if allowed(c) { c } else { '-' })
        .take(GROUP_NAME_MAX - 17)
        .collect();
    format!("{cleaned}-{hash:016x}")
}

/// The group of a scheduled task: its `GroupName`, or the stack's own group.
pub(crate) fn group_of(schedule: &CreateScheduleInput, stack: &str) -> String {
    schedule
        .group_name
        .clone()
        .unwrap_or_else(|| group_name(stack))
}

/// The groups the stack's scheduled tasks go in, and its own group (which a prune or destroy
/// looks in even when the stack has no scheduled task left).
#[cfg(feature = "scheduler")]
pub(crate) fn groups(stack: &ecs_model::Stack, name: &str) -> BTreeSet<String> {
    stack
        .scheduled_tasks
        .iter()
        .map(|s| group_of(s, name))
        .chain([group_name(name)])
        .collect()
}

/// A schedule observed, by group and name.
#[cfg(feature = "scheduler")]
type ObservedSchedule = ((String, String), Existing<CreateScheduleInput>);

/// The schedule groups and schedules observed.
#[cfg(feature = "scheduler")]
pub(crate) type Observed = (
    BTreeMap<String, ScheduleGroup>,
    BTreeMap<(String, String), Existing<CreateScheduleInput>>,
);

/// Reads the groups `names` (GetScheduleGroup, ListTagsForResource) and the schedules of those
/// carrying the stack's tag (ListSchedules, then GetSchedule for each), at most `concurrency`
/// calls at a time. A group that does not exist is left out.
#[cfg(feature = "scheduler")]
pub(crate) async fn observe(
    clients: &Clients,
    names: &BTreeSet<String>,
    stack: &str,
    concurrency: usize,
) -> Result<Observed, AwsError> {
    let concurrency = concurrency.max(1);
    let found: Vec<Option<(String, ScheduleGroup)>> = stream::iter(names.iter().cloned())
        .map(|name| async move {
            if name == DEFAULT_GROUP {
                return Ok(None);
            }
            let group = match clients
                .call(Operation::GetScheduleGroup, &json!({"Name": name}))
                .await
            {
                Ok(group) => group,
                Err(e) if e.is_not_found() => return Ok(None),
                Err(e) => return Err(e),
            };
            let Some(arn) = group.get("Arn").and_then(Value::as_str) else {
                return Ok(None);
            };
            let tags = clients
                .call(Operation::ListSchedulerTags, &json!({"ResourceArn": arn}))
                .await?;
            let tags = tags
                .get("Tags")
                .and_then(Value::as_array)
                .map(|tags| tags.iter().filter_map(ecs_tag).collect());
            let mut found = ScheduleGroup {
                arn: arn.to_owned(),
                state: None,
                tags,
            };
            found.state = group
                .get("State")
                .and_then(Value::as_str)
                .map(str::to_owned);
            Ok(Some((name, found)))
        })
        .buffer_unordered(concurrency)
        .try_collect()
        .await?;
    let groups: BTreeMap<String, ScheduleGroup> = found.into_iter().flatten().collect();
    let mut names_in: Vec<(String, String)> = Vec::new();
    for (group, found) in &groups {
        if !crate::ownership::tagged(&found.tags, stack) {
            continue;
        }
        let mut token: Option<String> = None;
        loop {
            let mut input = json!({"GroupName": group, "MaxResults": SCHEDULES_PER_PAGE});
            if let Some(token) = &token {
                input["NextToken"] = Value::from(token.as_str());
            }
            let page = clients.call(Operation::ListSchedules, &input).await?;
            names_in.extend(
                page.get("Schedules")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .filter_map(|s| s.get("Name").and_then(Value::as_str))
                    .map(|name| (group.clone(), name.to_owned())),
            );
            match page.get("NextToken").and_then(Value::as_str) {
                Some(next) if !next.is_empty() && token.as_deref() != Some(next) => {
                    token = Some(next.to_owned());
                }
                _ => break,
            }
        }
    }
    let schedules: Vec<Option<ObservedSchedule>> = stream::iter(names_in)
        .map(|(group, name)| async move {
            let answer = match clients
                .call(
                    Operation::GetSchedule,
                    &json!({"Name": name, "GroupName": group}),
                )
                .await
            {
                Ok(answer) => answer,
                // Deleted between the listing and now.
                Err(e) if e.is_not_found() => return Ok(None),
                Err(e) => return Err(e),
            };
            Ok(rendered(&answer).map(|existing| ((group, name), existing)))
        })
        .buffer_unordered(concurrency)
        .try_collect()
        .await?;
    Ok((groups, schedules.into_iter().flatten().collect()))
}

/// A Scheduler tag (`Key`/`Value`) as an ECS tag, for the one ownership check.
fn ecs_tag(tag: &Value) -> Option<ecs_model::types::Tag> {
    let mut out = ecs_model::types::Tag::default();
    out.key = Some(tag.get("Key")?.as_str()?.to_owned());
    out.value = tag.get("Value").and_then(Value::as_str).map(str::to_owned);
    Some(out)
}

/// A GetSchedule answer as the CreateSchedule input that would make the schedule as it is: its
/// ARN and dates left out, `null` members (which the local endpoint answers for absent ones) as
/// absent.
#[cfg(any(feature = "scheduler", test))]
pub(crate) fn rendered(answer: &Value) -> Option<Existing<CreateScheduleInput>> {
    let arn = answer.get("Arn").and_then(Value::as_str)?.to_owned();
    let mut input = answer.clone();
    strip_nulls(&mut input);
    if let Some(members) = input.as_object_mut() {
        for answered_only in ["Arn", "CreationDate", "LastModificationDate"] {
            members.remove(answered_only);
        }
    }
    let input = from_value::<CreateScheduleInput>(&input).value?;
    Some(Existing::new(arn, input))
}

fn strip_nulls(value: &mut Value) {
    match value {
        Value::Object(members) => {
            members.retain(|_, v| !v.is_null());
            members.values_mut().for_each(strip_nulls);
        }
        Value::Array(items) => items.iter_mut().for_each(strip_nulls),
        _ => {}
    }
}

/// `schedule` with the defaults AWS fills in written out (see the module documentation), its
/// empty lists and empty description as absent, its subnets and security groups in order, and
/// no `ClientToken` (a request's, not the schedule's). What is compared, and what is sent.
pub(crate) fn normalized(schedule: &CreateScheduleInput) -> CreateScheduleInput {
    let mut value = to_json(schedule);
    strip_nulls(&mut value);
    let Some(top) = value.as_object_mut() else {
        return schedule.clone();
    };
    top.remove("ClientToken");
    if top.get("Description").and_then(Value::as_str) == Some("") {
        top.remove("Description");
    }
    default(top, "State", json!("ENABLED"));
    default(top, "ScheduleExpressionTimezone", json!("UTC"));
    default(top, "ActionAfterCompletion", json!("NONE"));
    if let Some(window) = top
        .get_mut("FlexibleTimeWindow")
        .and_then(Value::as_object_mut)
        && window.get("Mode").and_then(Value::as_str) == Some("OFF")
    {
        window.remove("MaximumWindowInMinutes");
    }
    if let Some(target) = top.get_mut("Target").and_then(Value::as_object_mut) {
        let retry = target.entry("RetryPolicy").or_insert_with(|| json!({}));
        if let Some(retry) = retry.as_object_mut() {
            default(retry, "MaximumEventAgeInSeconds", json!(86400));
            default(retry, "MaximumRetryAttempts", json!(185));
        }
        if let Some(ecs) = target
            .get_mut("EcsParameters")
            .and_then(Value::as_object_mut)
        {
            default(ecs, "TaskCount", json!(1));
            default(ecs, "EnableECSManagedTags", json!(false));
            default(ecs, "EnableExecuteCommand", json!(false));
            for list in [
                "PlacementConstraints",
                "PlacementStrategy",
                "CapacityProviderStrategy",
                "Tags",
            ] {
                if ecs
                    .get(list)
                    .and_then(Value::as_array)
                    .is_some_and(Vec::is_empty)
                {
                    ecs.remove(list);
                }
            }
            if let Some(vpc) = ecs
                .get_mut("NetworkConfiguration")
                .and_then(|n| n.get_mut("awsvpcConfiguration"))
                .and_then(Value::as_object_mut)
            {
                default(vpc, "AssignPublicIp", json!("DISABLED"));
                for list in ["Subnets", "SecurityGroups"] {
                    if let Some(Value::Array(items)) = vpc.get_mut(list) {
                        items.sort_by_key(Value::to_string);
                        items.dedup();
                        if items.is_empty() {
                            vpc.remove(list);
                        }
                    }
                }
            }
        }
    }
    let mut out = from_value::<CreateScheduleInput>(&value)
        .value
        .unwrap_or_else(|| schedule.clone());
    out.start_date = out.start_date.as_ref().map(dates::normalized);
    out.end_date = out.end_date.as_ref().map(dates::normalized);
    out
}

fn default(members: &mut Map<String, Value>, key: &str, value: Value) {
    members.entry(key.to_owned()).or_insert(value);
}

/// The values a plan knows of the resources a schedule refers to.
pub(crate) struct References<'a> {
    /// The clusters the plan creates (their ARNs are known after apply).
    pub(crate) creating_clusters: &'a [String],
    /// The families the plan registers a revision of.
    pub(crate) registering: &'a [String],
}

/// `schedule` with its references resolved (see the module documentation), and the links to
/// values known only after apply; the request shows [`KNOWN_AFTER_APPLY`] in their place.
pub(crate) fn resolved(
    schedule: &CreateScheduleInput,
    actual: &Actual,
    refs: &References<'_>,
) -> (CreateScheduleInput, Vec<Link>) {
    let mut out = schedule.clone();
    let mut links = Vec::new();
    let Some(target) = out.target.as_mut() else {
        return (out, links);
    };
    if let Some(cluster) = target.arn.clone().filter(|a| !a.starts_with("arn:")) {
        let name = cluster_name(&cluster).to_owned();
        match actual.clusters.get(&name) {
            Some(found) if !refs.creating_clusters.contains(&name) => {
                target.arn = Some(found.arn.clone());
            }
            _ => {
                target.arn = Some(KNOWN_AFTER_APPLY.to_owned());
                links.push(Link::new(
                    Slot::ScheduleCluster,
                    Created::ClusterArn { cluster: name },
                ));
            }
        }
    }
    if let Some(ecs) = target.ecs_parameters.as_mut()
        && let Some(reference) = ecs.task_definition_arn.clone()
        && !reference.starts_with("arn:")
    {
        match parse_task_definition(&reference) {
            // family:revision: that revision's ARN, made from the family's latest one.
            Some((family, revision)) => {
                if let Some(latest) = actual.task_definitions.get(family)
                    && let Some((prefix, _)) = latest.arn.rsplit_once(':')
                {
                    ecs.task_definition_arn = Some(format!("{prefix}:{revision}"));
                }
            }
            None => {
                let family = reference.clone();
                if refs.registering.contains(&family) {
                    ecs.task_definition_arn = Some(KNOWN_AFTER_APPLY.to_owned());
                    links.push(Link::new(
                        Slot::ScheduleTaskDefinition,
                        Created::TaskDefinitionArn { family },
                    ));
                } else if let Some(latest) = actual.task_definitions.get(&family) {
                    ecs.task_definition_arn = Some(latest.arn.clone());
                }
            }
        }
    }
    (out, links)
}

/// The change to the schedule group `name`, which the stack's schedules `users` go in: created
/// with the stack's tag when missing, nothing when it is the stack's, not managed otherwise.
pub(crate) fn plan_group(name: &str, actual: &Actual, options: &Options) -> Change {
    let address = Address::ScheduleGroup {
        name: name.to_owned(),
    };
    if name == DEFAULT_GROUP {
        return not_managed(address, Reason::Untagged);
    }
    match actual.schedule_groups.get(name) {
        Some(found) => match ownership(&found.tags, options) {
            Ok(()) => updated(address, Vec::new(), Vec::new(), Vec::new(), false),
            Err(reason) => not_managed(address, reason),
        },
        None => {
            let mut request = CreateScheduleGroupInput::default();
            request.name = Some(name.to_owned());
            let mut tag = SchedulerTag::default();
            tag.key = Some(STACK_TAG.to_owned());
            tag.value = Some(options.stack.clone());
            request.tags = Some(vec![tag]);
            request.client_token = Some(client_token(&options.stack, name, ""));
            creation(address, Step::CreateScheduleGroup(request))
        }
    }
}

/// The `ClientToken` of a creation: `ecs-rs-` and a hash of the stack, group and schedule
/// names (the apply makes it its own, as it does ECS's `clientToken`).
fn client_token(stack: &str, group: &str, name: &str) -> String {
    let hash = crate::kinds::service::fnv1a(
        [stack, group, name]
            .iter()
            .flat_map(|part| part.bytes().chain([0])),
    );
    format!("ecs-rs-{hash:016x}")
}

/// The change to one scheduled task of the stack.
pub(crate) fn plan(
    desired: &CreateScheduleInput,
    actual: &Actual,
    refs: &References<'_>,
    options: &Options,
) -> Change {
    let group = group_of(desired, &options.stack);
    let name = desired.name.clone().unwrap_or_default();
    let address = Address::Schedule {
        group: group.clone(),
        name: name.clone(),
    };
    if group == DEFAULT_GROUP {
        return not_managed(address, Reason::Untagged);
    }
    if let Some(found) = actual.schedule_groups.get(&group)
        && let Err(reason) = ownership(&found.tags, options)
    {
        return not_managed(address, reason);
    }
    let (mut wanted, links) = resolved(desired, actual, refs);
    wanted.group_name = Some(group.clone());
    let wanted = normalized(&wanted);
    let linked = |step: Step| {
        if links.is_empty() {
            step
        } else {
            Step::Linked(Box::new(step), links.clone())
        }
    };
    let Some(existing) = actual.schedules.get(&(group.clone(), name.clone())) else {
        let mut request = wanted.clone();
        request.client_token = Some(client_token(&options.stack, &group, &name));
        let mut change = creation(address, linked(Step::CreateSchedule(request)));
        // The fields show the schedule, not the request's token.
        change.fields.retain(|f| top(&f.path) != "ClientToken");
        return change;
    };
    let mut have = normalized(&existing.input);
    have.group_name = Some(group.clone());
    let compared = compared(&have, &wanted);
    let step = linked(Step::UpdateSchedule(update_request(&wanted)));
    updated(address, compared.fields, compared.kept, vec![step], false)
}

/// The UpdateSchedule request that makes the schedule `wanted` (normalized): every member,
/// since UpdateSchedule resets what it is not sent.
fn update_request(wanted: &CreateScheduleInput) -> UpdateScheduleInput {
    let mut value = to_json(wanted);
    if let Some(members) = value.as_object_mut() {
        members.remove("ClientToken");
    }
    from_value::<UpdateScheduleInput>(&value)
        .value
        .unwrap_or_default()
}

/// The deletions of the schedules in the stack's groups that `desired` does not name, then
/// (when the stack has no schedule left in it, or on destroy) of each group the stack owns.
pub(crate) fn prune(
    desired: &ecs_model::Stack,
    actual: &Actual,
    options: &Options,
    removal: Removal,
) -> Vec<Change> {
    let wanted: BTreeSet<(String, String)> = desired
        .scheduled_tasks
        .iter()
        .map(|s| {
            (
                group_of(s, &options.stack),
                s.name.clone().unwrap_or_default(),
            )
        })
        .collect();
    let owned = |group: &str| {
        group != DEFAULT_GROUP
            && actual
                .schedule_groups
                .get(group)
                .is_some_and(|g| ownership(&g.tags, options).is_ok())
    };
    let mut changes = Vec::new();
    for ((group, name), existing) in &actual.schedules {
        if wanted.contains(&(group.clone(), name.clone())) || !owned(group) {
            continue;
        }
        let mut request = DeleteScheduleInput::default();
        request.name = Some(name.clone());
        request.group_name = Some(group.clone());
        changes.push(deletion(
            Address::Schedule {
                group: group.clone(),
                name: name.clone(),
            },
            to_json(&existing.input),
            Reason::Removed { removal },
            Step::DeleteSchedule(request),
        ));
    }
    let used: BTreeSet<&str> = wanted.iter().map(|(g, _)| g.as_str()).collect();
    for (group, found) in &actual.schedule_groups {
        if used.contains(group.as_str()) || !owned(group) {
            continue;
        }
        let mut request = DeleteScheduleGroupInput::default();
        request.name = Some(group.clone());
        changes.push(deletion(
            Address::ScheduleGroup {
                name: group.clone(),
            },
            json!({"Name": group, "Arn": found.arn}),
            Reason::Removed { removal },
            Step::DeleteScheduleGroup(request),
        ));
    }
    changes
}

fn deletion(address: Address, before: Value, reason: Reason, step: Step) -> Change {
    Change {
        address,
        action: Action::Delete,
        fields: diff(&before, &Value::Object(Map::new())),
        kept: Vec::new(),
        reason: Some(reason),
        steps: vec![step],
        rollback: None,
    }
}

/// The task definition revisions (`family:N`) the schedules use: the stack's, written as an
/// ARN or `family:revision`, and those of every schedule observed in a group the stack owns.
/// Keep-revisions and prune never deregister them.
pub(crate) fn revisions_in_use(desired: &ecs_model::Stack, actual: &Actual) -> Vec<String> {
    let of = |s: &CreateScheduleInput| {
        s.target
            .as_ref()?
            .ecs_parameters
            .as_ref()?
            .task_definition_arn
            .clone()
    };
    desired
        .scheduled_tasks
        .iter()
        .filter_map(of)
        .chain(actual.schedules.values().filter_map(|e| of(&e.input)))
        .filter_map(|t| {
            let (family, revision) = parse_task_definition(&t)?;
            Some(format!("{family}:{revision}"))
        })
        .collect()
}

/// Sends one EventBridge Scheduler step, its `ClientToken` made the apply's own by `own`:
///
/// - DeleteSchedule and DeleteScheduleGroup of what is gone already is what they wanted;
/// - CreateScheduleGroup answered `ConflictException` (the group exists: another apply, or an
///   answer lost) reads the group: when it carries the stack's tag it is the one wanted;
///   otherwise the conflict stands (the group is someone else's).
pub(crate) async fn apply_step(
    clients: &Clients,
    step: &Step,
    own: impl Fn(&str) -> String,
) -> Result<Value, Failure> {
    let mut step = step.clone();
    match &mut step {
        Step::CreateSchedule(r) => r.client_token = r.client_token.as_deref().map(&own),
        Step::CreateScheduleGroup(r) => r.client_token = r.client_token.as_deref().map(&own),
        _ => {}
    }
    let operation = step.operation();
    let input = step.input();
    match clients.call(operation, &input).await {
        Ok(response) => Ok(response),
        Err(e)
            if matches!(
                operation,
                Operation::DeleteSchedule | Operation::DeleteScheduleGroup
            ) && e.is_not_found() =>
        {
            Ok(Value::Null)
        }
        Err(e) if operation == Operation::CreateScheduleGroup && e.is_conflict() => {
            let Step::CreateScheduleGroup(request) = &step else {
                return Err(e.into());
            };
            let name = request.name.clone().unwrap_or_default();
            let group = clients
                .call(Operation::GetScheduleGroup, &json!({"Name": name}))
                .await?;
            let arn = group.get("Arn").and_then(Value::as_str).unwrap_or_default();
            let tags = clients
                .call(Operation::ListSchedulerTags, &json!({"ResourceArn": arn}))
                .await?;
            let ours = tags
                .get("Tags")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(ecs_tag)
                .collect::<Vec<_>>();
            let stack = request
                .tags
                .iter()
                .flatten()
                .find(|t| t.key.as_deref() == Some(STACK_TAG))
                .and_then(|t| t.value.clone())
                .unwrap_or_default();
            if crate::ownership::tagged(&Some(ours), &stack) {
                Ok(group)
            } else {
                Err(e.into())
            }
        }
        Err(e) => Err(e.into()),
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use crate::state::ScheduleGroup;

    use ecs_model::Stack;

    use super::*;

    const ACCOUNT: &str = "arn:aws:ecs:us-east-1:123456789012";

    fn schedule(value: Value) -> CreateScheduleInput {
        from_value::<CreateScheduleInput>(&value)
            .value
            .expect("a schedule")
    }

    fn nightly() -> CreateScheduleInput {
        schedule(json!({
            "Name": "nightly",
            "ScheduleExpression": "cron(0 3 * * ? *)",
            "ScheduleExpressionTimezone": "Europe/Paris",
            "FlexibleTimeWindow": {"Mode": "FLEXIBLE", "MaximumWindowInMinutes": 15},
            "Target": {
                "Arn": "shop",
                "RoleArn": "arn:aws:iam::123456789012:role/scheduler",
                "EcsParameters": {
                    "TaskDefinitionArn": "report",
                    "LaunchType": "FARGATE",
                    "NetworkConfiguration": {"awsvpcConfiguration": {"Subnets": ["subnet-b", "subnet-a"]}}
                }
            }
        }))
    }

    fn actual() -> Actual {
        let mut actual = Actual::default();
        actual.clusters.insert(
            "shop".into(),
            Existing::new(format!("{ACCOUNT}:cluster/shop"), Default::default()),
        );
        let mut td = Existing::new(
            format!("{ACCOUNT}:task-definition/report:3"),
            Default::default(),
        );
        td.revision = Some(3);
        actual.task_definitions.insert("report".into(), td);
        actual
    }

    fn owned_group(actual: &mut Actual, name: &str, stack: &str) {
        let mut tag = ecs_model::types::Tag::default();
        tag.key = Some(STACK_TAG.into());
        tag.value = Some(stack.into());
        actual.schedule_groups.insert(
            name.into(),
            ScheduleGroup {
                arn: format!("arn:aws:scheduler:us-east-1:123456789012:schedule-group/{name}"),
                state: Some("ACTIVE".into()),
                tags: Some(vec![tag]),
            },
        );
    }

    const NO_REFS: References<'static> = References {
        creating_clusters: &[],
        registering: &[],
    };

    #[test]
    fn the_group_name_fits_aws_limits() {
        assert_eq!(group_name("shop"), "ecs-rs-shop");
        for stack in ["shop prod", &"x".repeat(80), "a/b@c"] {
            let name = group_name(stack);
            assert!(name.len() <= GROUP_NAME_MAX, "{name}");
            assert!(
                name.chars()
                    .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c)),
                "{name}"
            );
        }
        assert_ne!(group_name("a b"), group_name("a-b"));
        assert_ne!(group_name("a b"), group_name("a_b"));
    }

    #[test]
    fn aws_defaults_are_written_out_and_compare_equal() {
        let bare = normalized(&nightly());
        let json = to_json(&bare);
        assert_eq!(json["State"], "ENABLED");
        assert_eq!(json["ActionAfterCompletion"], "NONE");
        assert_eq!(json["ScheduleExpressionTimezone"], "Europe/Paris");
        assert_eq!(
            json["Target"]["RetryPolicy"],
            json!({"MaximumEventAgeInSeconds": 86400, "MaximumRetryAttempts": 185})
        );
        assert_eq!(json["Target"]["EcsParameters"]["TaskCount"], 1);
        let vpc = &json["Target"]["EcsParameters"]["NetworkConfiguration"]["awsvpcConfiguration"];
        assert_eq!(vpc["AssignPublicIp"], "DISABLED");
        assert_eq!(vpc["Subnets"], json!(["subnet-a", "subnet-b"]));
        // Written out already, it is the same.
        assert_eq!(normalized(&bare), bare);
        let mut utc = nightly();
        utc.schedule_expression_timezone = None;
        assert_eq!(
            to_json(&normalized(&utc))["ScheduleExpressionTimezone"],
            "UTC"
        );
    }

    #[test]
    fn references_become_the_arns_aws_takes() {
        let (resolved, links) = resolved(&nightly(), &actual(), &NO_REFS);
        assert!(links.is_empty());
        let target = resolved.target.expect("a target");
        assert_eq!(
            target.arn.as_deref(),
            Some(&*format!("{ACCOUNT}:cluster/shop"))
        );
        assert_eq!(
            target.ecs_parameters.and_then(|e| e.task_definition_arn),
            Some(format!("{ACCOUNT}:task-definition/report:3"))
        );
        let mut pinned = nightly();
        if let Some(ecs) = pinned
            .target
            .as_mut()
            .and_then(|t| t.ecs_parameters.as_mut())
        {
            ecs.task_definition_arn = Some("report:2".into());
        }
        let (resolved, _) = super::resolved(&pinned, &actual(), &NO_REFS);
        assert_eq!(
            to_json(&resolved)["Target"]["EcsParameters"]["TaskDefinitionArn"],
            format!("{ACCOUNT}:task-definition/report:2")
        );
    }

    #[test]
    fn values_this_apply_creates_are_linked() {
        let refs = References {
            creating_clusters: &["shop".to_owned()],
            registering: &["report".to_owned()],
        };
        let (resolved, links) = resolved(&nightly(), &Actual::default(), &refs);
        assert_eq!(
            links,
            [
                Link::new(
                    Slot::ScheduleCluster,
                    Created::ClusterArn {
                        cluster: "shop".into()
                    }
                ),
                Link::new(
                    Slot::ScheduleTaskDefinition,
                    Created::TaskDefinitionArn {
                        family: "report".into()
                    }
                ),
            ]
        );
        let json = to_json(&resolved);
        assert_eq!(json["Target"]["Arn"], KNOWN_AFTER_APPLY);
        let step = Step::Linked(Box::new(Step::CreateSchedule(resolved)), links);
        let created = BTreeMap::from([
            (
                Created::ClusterArn {
                    cluster: "shop".into(),
                },
                format!("{ACCOUNT}:cluster/shop"),
            ),
            (
                Created::TaskDefinitionArn {
                    family: "report".into(),
                },
                format!("{ACCOUNT}:task-definition/report:4"),
            ),
        ]);
        let sent = step.resolved(&created).expect("resolved").input();
        assert_eq!(sent["Target"]["Arn"], format!("{ACCOUNT}:cluster/shop"));
        assert_eq!(
            sent["Target"]["EcsParameters"]["TaskDefinitionArn"],
            format!("{ACCOUNT}:task-definition/report:4")
        );
    }

    #[test]
    fn a_new_schedule_goes_in_the_stacks_group_and_an_unchanged_one_plans_nothing() {
        let options = Options::new("shop");
        let mut actual = actual();
        let group = plan_group("ecs-rs-shop", &actual, &options);
        assert_eq!(group.action, Action::Create);
        assert!(matches!(&group.steps[..], [Step::CreateScheduleGroup(r)]
            if to_json(r)["Tags"] == json!([{"Key": STACK_TAG, "Value": "shop"}])));
        let change = plan(&nightly(), &actual, &NO_REFS, &options);
        assert_eq!(change.action, Action::Create);
        let Step::CreateSchedule(request) = &change.steps[0] else {
            panic!("{change:?}");
        };
        assert_eq!(request.group_name.as_deref(), Some("ecs-rs-shop"));
        assert!(request.client_token.is_some());
        // As AWS answers it: the defaults written out or not, ARNs in place of names.
        owned_group(&mut actual, "ecs-rs-shop", "shop");
        let (resolved, _) = resolved(&nightly(), &actual, &NO_REFS);
        let mut answered = to_json(&resolved);
        answered["GroupName"] = json!("ecs-rs-shop");
        answered["Arn"] = json!("arn:aws:scheduler:us-east-1:1:schedule/ecs-rs-shop/nightly");
        answered["Description"] = Value::Null;
        let existing = rendered(&answered).expect("rendered");
        actual
            .schedules
            .insert(("ecs-rs-shop".into(), "nightly".into()), existing);
        let change = plan(&nightly(), &actual, &NO_REFS, &options);
        assert_eq!(change.action, Action::NoChange, "{:?}", change.fields);
        assert_eq!(
            plan_group("ecs-rs-shop", &actual, &options).action,
            Action::NoChange
        );
        // A new expression is one UpdateSchedule carrying the whole schedule.
        let mut hourly = nightly();
        hourly.schedule_expression = Some("rate(1 hour)".into());
        let change = plan(&hourly, &actual, &NO_REFS, &options);
        assert_eq!(change.action, Action::Update);
        assert_eq!(change.fields.len(), 1, "{:?}", change.fields);
        let Step::UpdateSchedule(update) = &change.steps[0] else {
            panic!("{change:?}");
        };
        let sent = to_json(update);
        for member in [
            "State",
            "ScheduleExpressionTimezone",
            "ActionAfterCompletion",
            "FlexibleTimeWindow",
            "GroupName",
        ] {
            assert!(sent.get(member).is_some(), "{member} not sent: {sent}");
        }
        assert_eq!(sent["Target"]["RetryPolicy"]["MaximumRetryAttempts"], 185);
    }

    #[test]
    fn schedules_in_groups_the_stack_does_not_own_are_left_alone() {
        let options = Options::new("shop");
        let mut actual = actual();
        owned_group(&mut actual, "theirs", "other");
        actual.schedule_groups.insert(
            "untagged".into(),
            ScheduleGroup {
                arn: "arn:aws:scheduler:us-east-1:1:schedule-group/untagged".into(),
                state: None,
                tags: Some(Vec::new()),
            },
        );
        for (group, reason) in [
            (
                "theirs",
                Reason::OtherStack {
                    stack: "other".into(),
                },
            ),
            ("untagged", Reason::Untagged),
            (DEFAULT_GROUP, Reason::Untagged),
        ] {
            let mut schedule = nightly();
            schedule.group_name = Some(group.into());
            let change = plan(&schedule, &actual, &NO_REFS, &options);
            assert_eq!(change.action, Action::NotManaged, "{group}");
            assert_eq!(change.reason, Some(reason.clone()), "{group}");
            assert_eq!(plan_group(group, &actual, &options).reason, Some(reason));
        }
        // Nor are they pruned.
        let existing =
            rendered(&json!({"Arn": "a", "Name": "x", "GroupName": "theirs"})).expect("rendered");
        actual
            .schedules
            .insert(("theirs".into(), "x".into()), existing);
        assert!(prune(&Stack::default(), &actual, &options, Removal::Destroyed).is_empty());
    }

    #[test]
    fn prune_deletes_the_stacks_schedules_then_its_group() {
        let options = Options::new("shop");
        let mut actual = actual();
        owned_group(&mut actual, "ecs-rs-shop", "shop");
        for name in ["nightly", "old"] {
            let existing = rendered(&json!({"Arn": "a", "Name": name, "GroupName": "ecs-rs-shop"}))
                .expect("rendered");
            actual
                .schedules
                .insert(("ecs-rs-shop".into(), name.into()), existing);
        }
        let mut stack = Stack::default();
        stack.scheduled_tasks.push(nightly());
        let pruned = prune(&stack, &actual, &options, Removal::Pruned);
        let addresses: Vec<String> = pruned.iter().map(|c| c.address.to_string()).collect();
        assert_eq!(addresses, ["schedule ecs-rs-shop/old"]);
        let destroyed = prune(&Stack::default(), &actual, &options, Removal::Destroyed);
        let addresses: Vec<String> = destroyed.iter().map(|c| c.address.to_string()).collect();
        assert_eq!(
            addresses,
            [
                "schedule ecs-rs-shop/nightly",
                "schedule ecs-rs-shop/old",
                "schedule group ecs-rs-shop"
            ]
        );
    }

    #[test]
    fn revisions_schedules_use_are_in_use() {
        let mut actual = actual();
        let mut old = nightly();
        if let Some(ecs) = old.target.as_mut().and_then(|t| t.ecs_parameters.as_mut()) {
            ecs.task_definition_arn = Some(format!("{ACCOUNT}:task-definition/report:2"));
        }
        actual.schedules.insert(
            ("ecs-rs-shop".into(), "nightly".into()),
            Existing::new("a", old),
        );
        let mut stack = Stack::default();
        let mut pinned = nightly();
        if let Some(ecs) = pinned
            .target
            .as_mut()
            .and_then(|t| t.ecs_parameters.as_mut())
        {
            ecs.task_definition_arn = Some("report:1".into());
        }
        stack.scheduled_tasks.push(pinned);
        stack.scheduled_tasks.push(nightly());
        assert_eq!(revisions_in_use(&stack, &actual), ["report:1", "report:2"]);
    }
}
