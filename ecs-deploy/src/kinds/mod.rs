//! One module per resource kind, each the same shape:
//!
//! - `observe`: what AWS has of the kind's resources, read with the batched describes of
//!   [`crate::observe`] and rendered as the API inputs that would create them;
//! - `plan`: the desired resource against the one AWS has, both normalized
//!   (`ecs_model::normalize`), as a [`Change`](crate::plan::Change) with its field
//!   differences, its typed [`Reason`](crate::plan::Reason) and the typed
//!   [`Step`](crate::plan::Step)s that carry it out.
//!
//! Adding a kind is adding a module here, and its place in [`crate::observe::observe`],
//! [`crate::plan::plan`] and [`crate::apply`]'s phases.

pub(crate) mod capacity_provider;
pub(crate) mod cluster;
pub(crate) mod discovery_service;
pub(crate) mod listener_rule;
pub(crate) mod namespace;
pub(crate) mod scaling;
pub(crate) mod schedule;
pub(crate) mod service;
pub(crate) mod service_connect;
pub(crate) mod target_group;
pub(crate) mod task_definition;

use ecs_model::types::Tag;
use serde_json::Value;

use crate::ownership::STACK_TAG;
use crate::plan::Step;

/// What it takes to go from the tags of `have` to those of `wanted`: the tags to set (missing,
/// or of another value) and the keys to remove.
///
/// Both resources are AWS JSON whose member `list` holds objects with the members `key` and
/// `value` (`tags`/`key`/`value` in ECS, `Tags`/`Key`/`Value` in Cloud Map and ELBv2), so every
/// kind shares this arithmetic whatever its API spells.
///
/// Never removed: the ownership tag [`STACK_TAG`], and the keys that start with `aws:` in any
/// case, which AWS reserves ("You cannot edit or delete tag keys or values with this prefix",
/// the `tags` members of the AWS model) and sets itself (CloudFormation's
/// `aws:cloudformation:stack-name`).
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct TagChanges {
    /// The tags to set, with their values.
    pub(crate) set: Vec<(String, Option<String>)>,
    /// The keys to remove.
    pub(crate) removed: Vec<String>,
}

impl TagChanges {
    /// The changes from `have` to `wanted`, reading the tags as described above.
    pub(crate) fn between(
        have: &Value,
        wanted: &Value,
        (list, key, value): (&str, &str, &str),
    ) -> Self {
        let tags = |resource: &Value| -> Vec<(String, Option<String>)> {
            resource
                .get(list)
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(|t| {
                    let k = t.get(key)?.as_str()?.to_owned();
                    Some((k, t.get(value).and_then(Value::as_str).map(str::to_owned)))
                })
                .collect()
        };
        let (have, wanted) = (tags(have), tags(wanted));
        let set = wanted
            .iter()
            .filter(|tag| !have.contains(tag))
            .cloned()
            .collect();
        let removed = have
            .iter()
            .map(|(key, _)| key)
            .filter(|key| key.as_str() != STACK_TAG && !aws_reserved(key))
            .filter(|key| !wanted.iter().any(|(k, _)| k == *key))
            .cloned()
            .collect();
        Self { set, removed }
    }
}

/// The ECS calls that give the resource `arn` the tags of `wanted` where it has those of `have`
/// (both resources as ECS JSON, normalized): TagResource with the tags missing or of another
/// value, then UntagResource with the keys the resource has that the stack no longer sets
/// ([`TagChanges`] says which are never removed).
pub(crate) fn tag_steps(arn: &str, have: &Value, wanted: &Value) -> Vec<Step> {
    let changes = TagChanges::between(have, wanted, ("tags", "key", "value"));
    let set: Vec<Tag> = changes
        .set
        .into_iter()
        .map(|(key, value)| {
            let mut tag = Tag::default();
            tag.key = Some(key);
            tag.value = value;
            tag
        })
        .collect();
    let mut steps = Vec::new();
    if !set.is_empty() {
        steps.push(Step::tag(arn, set));
    }
    if !changes.removed.is_empty() {
        steps.push(Step::untag(arn, changes.removed));
    }
    steps
}

/// The `Tags` (`Key`/`Value`, ELBv2's and Cloud Map's) of the resource JSON `value` as they
/// compare: in key order, without the keys AWS reserves ([`aws_reserved`]), which AWS sets
/// itself and a stack cannot set or remove (a target group CDK made carries
/// `aws:cloudformation:stack-name`; once adopted, it would otherwise plan a change forever).
/// What [`crate::plan::sort_tags`] does for ECS's `tags`.
pub(crate) fn sort_api_tags(value: &mut Value) {
    if let Some(Value::Array(tags)) = value.get_mut("Tags") {
        tags.retain(|t| {
            !t.get("Key")
                .and_then(Value::as_str)
                .is_some_and(aws_reserved)
        });
        tags.sort_by(|a, b| a["Key"].to_string().cmp(&b["Key"].to_string()));
    }
}

/// Whether a tag key has AWS's reserved prefix `aws:`, in any case.
pub(crate) fn aws_reserved(key: &str) -> bool {
    key.get(..4).is_some_and(|p| p.eq_ignore_ascii_case("aws:"))
}
