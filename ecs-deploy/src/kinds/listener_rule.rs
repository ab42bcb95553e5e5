//! ELBv2 listener rules (the stack's `listenerRules`, CreateRule inputs): what attaches the
//! stack's target groups to a load balancer, so that a service bound to a group this apply
//! creates is created in the same apply.
//!
//! # The listener
//!
//! `ListenerArn` is a listener's ARN, or a look-up `name:LOAD-BALANCER:PORT`: the listener on
//! PORT of the load balancer named LOAD-BALANCER, found with DescribeLoadBalancers (`Names`)
//! and DescribeListeners (`LoadBalancerArn`), the way a service's target group is looked up
//! with `name:NAME`. A look-up that finds nothing blocks the rule
//! ([`Reason::ListenerNotFound`]). The stack never creates or changes listeners or load
//! balancers.
//!
//! # Target groups
//!
//! A forward action's `TargetGroupArn` (and each `ForwardConfig.TargetGroups[].TargetGroupArn`)
//! may be an ARN, the name of one of the stack's `targetGroups`, or `name:NAME` for a group of
//! the account. A stack group that exists is written as its ARN; one this apply creates is a
//! [`Step::Linked`] value, shown `(known after apply)` and filled by apply from the
//! CreateTargetGroup answer ([`Created::TargetGroupArn`]). A `name:NAME` that finds nothing
//! blocks the rule ([`Reason::TargetGroupNotFound`]).
//!
//! # Identity and ownership
//!
//! Rules have no name, and there is no state file to remember an ARN in. A rule of the stack
//! carries two tags, sent in CreateRule's `Tags`: the stack's ([`STACK_TAG`]) and
//! [`RULE_TAG`], whose value is the rule's key: its `Name` tag when the stack gives one, its
//! priority otherwise. A rule is then found again on its listener by that key. Only rules
//! carrying the stack's tag are ever modified or deleted.
//!
//! A rule without [`RULE_TAG`] (made in the console, by CDK) is found by the key the stack
//! would give it: its `Name` tag, else its priority ([`ObservedRule::identity`]). The stack's
//! rule of that key shows it as not managed (instead of a creation that CreateRule would refuse
//! with `PriorityInUse`), and adopts it with [`Options::adopt`] when it carries no stack's tag:
//! AddTags adds the stack's tag and the key tag, leaving the rule's other tags as they are
//! ("If a resource already has a tag with the same key, AddTags updates its value",
//! <https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_AddTags.html>),
//! then RemoveTags removes those the stack does not set. A rule named otherwise than the
//! stack's rule at its priority (a `Name` tag the stack's rule does not have) is not found: its
//! priority stays in use, and CreateRule fails until the stack's rule takes its `Name` tag.
//! Pruning and destroying delete only rules carrying the stack's tag.
//!
//! With a `Name` tag, a new priority is the same rule moved: SetRulePriorities
//! (<https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_SetRulePriorities.html>).
//! Without one, the priority is the identity, so a new priority is a new rule, created beside
//! the old one, which a prune deletes.
//!
//! # Changes
//!
//! ModifyRule replaces the lists it is given whole ("To add an item to a list, remove an item
//! from a list, or update an item in a list, you must provide the entire list",
//! <https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_ModifyRule.html>),
//! so a change of the conditions or actions sends both lists as the stack has them. Tags
//! change with AddTags and RemoveTags. Deletions (DeleteRule) run after the services and
//! before the target groups, whose deletion AWS refuses while a rule forwards to them; a rule
//! already gone (`RuleNotFound`) is deleted.
//!
//! # Compared as AWS shows them
//!
//! DescribeRules shows a condition written with `Values` (host-header, path-pattern) also in
//! its `*Config`, a single forward target both as `TargetGroupArn` and as a `ForwardConfig`
//! of weight 1, and an `Order` on every action. Both sides are brought to one form before
//! comparing ([`comparable`]), so an unchanged rule plans no change.

use std::collections::BTreeSet;

use ecs_model::load_balancing::{
    CreateRuleInput, DeleteRuleInput, ModifyRuleInput, RulePriorityPair, SetRulePrioritiesInput,
    Tag,
};
use serde_json::{Value, json};

use crate::diff::diff;
use crate::ownership::{STACK_TAG, adoptable, ownership};
use crate::plan::*;

/// The tag holding a stack rule's key (its `Name` tag, or its priority).
pub const RULE_TAG: &str = "ecs-rs:rule";
/// The tag whose value names a rule, when the stack gives one.
pub const NAME_TAG: &str = "Name";
/// What a `ListenerArn` starts with to look a listener up by load balancer name and port.
pub const NAME_PREFIX: &str = "name:";

/// A listener rule as AWS has it.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct ObservedRule {
    /// Its ARN.
    pub arn: String,
    /// The ARN of its listener.
    pub listener_arn: String,
    /// The CreateRule input that would make it as it is (tags included).
    pub input: CreateRuleInput,
}

impl ObservedRule {
    /// Its tags, as the ECS-shaped tags the ownership check reads.
    pub fn tags(&self) -> Option<Vec<ecs_model::types::Tag>> {
        self.input.tags.as_ref().map(|tags| {
            tags.iter()
                .map(|t| {
                    let mut tag = ecs_model::types::Tag::default();
                    tag.key = t.key.clone();
                    tag.value = t.value.clone();
                    tag
                })
                .collect()
        })
    }

    /// Its key: the value of its `ecs-rs:rule` tag.
    pub fn key(&self) -> Option<&str> {
        tag_value(&self.input.tags, RULE_TAG)
    }

    /// The key a rule of the stack is matched with: its `ecs-rs:rule` tag ([`key`](Self::key));
    /// for a rule without one (made by another tool), the key the stack would give it
    /// ([`key_of`]: its `Name` tag, else its priority), so that a rule the stack names is
    /// found, shown as not managed, and adopted with [`Options::adopt`].
    pub(crate) fn identity(&self) -> String {
        self.key()
            .map(str::to_owned)
            .unwrap_or_else(|| key_of(&self.input))
    }
}

fn tag_value<'a>(tags: &'a Option<Vec<Tag>>, key: &str) -> Option<&'a str> {
    tags.iter()
        .flatten()
        .find(|t| t.key.as_deref() == Some(key))
        .and_then(|t| t.value.as_deref())
}

/// A rule's key: its `Name` tag, else its priority.
pub(crate) fn key_of(rule: &CreateRuleInput) -> String {
    tag_value(&rule.tags, NAME_TAG)
        .map(str::to_owned)
        .unwrap_or_else(|| rule.priority.map(|p| p.to_string()).unwrap_or_default())
}

#[cfg_attr(not(feature = "load-balancing"), allow(dead_code))]
/// The load balancer name and port of a `name:LOAD-BALANCER:PORT` look-up.
pub(crate) fn listener_lookup(written: &str) -> Option<(&str, i32)> {
    let (name, port) = written.strip_prefix(NAME_PREFIX)?.rsplit_once(':')?;
    Some((name, port.parse().ok()?))
}

#[cfg_attr(not(feature = "load-balancing"), allow(dead_code))]
/// The listener look-ups (`name:LB:PORT`) of the stack's rules.
pub(crate) fn listener_lookups(stack: &ecs_model::Stack) -> BTreeSet<String> {
    stack
        .listener_rules
        .iter()
        .filter_map(|r| r.listener_arn.clone())
        .filter(|l| l.starts_with(NAME_PREFIX))
        .collect()
}

/// The target groups the rules' forward actions name: `(action, tuple, written)`.
pub(crate) fn forwards(rule: &CreateRuleInput) -> Vec<(usize, Option<usize>, String)> {
    let mut out = Vec::new();
    for (a, action) in rule.actions.iter().flatten().enumerate() {
        if let Some(arn) = &action.target_group_arn {
            out.push((a, None, arn.clone()));
        }
        let tuples = action
            .forward_config
            .as_ref()
            .and_then(|f| f.target_groups.as_ref());
        for (t, tuple) in tuples.into_iter().flatten().enumerate() {
            if let Some(arn) = &tuple.target_group_arn {
                out.push((a, Some(t), arn.clone()));
            }
        }
    }
    out
}

/// The `name:NAME` target group look-ups of the stack's rules.
pub(crate) fn target_group_lookups(stack: &ecs_model::Stack) -> BTreeSet<String> {
    stack
        .listener_rules
        .iter()
        .flat_map(forwards)
        .filter_map(|(_, _, w)| w.strip_prefix(NAME_PREFIX).map(str::to_owned))
        .collect()
}

/// The ARN of the listener `written` names, when known.
pub(crate) fn listener_arn(written: &str, actual: &Actual) -> Option<String> {
    if written.starts_with("arn:") {
        Some(written.to_owned())
    } else {
        actual.listeners.get(written).cloned()
    }
}

/// `tags` with the stack's tag and the rule's key tag set.
fn owned_tags(tags: &Option<Vec<Tag>>, key: &str, options: &Options) -> Vec<Tag> {
    crate::ownership::with_tags(
        tags,
        &[(STACK_TAG, options.stack.as_str()), (RULE_TAG, key)],
    )
}

/// Plans every listener rule of the stack; `changes` holds the target groups' changes.
pub(crate) fn plan_all(
    desired: &ecs_model::Stack,
    actual: &Actual,
    options: &Options,
    changes: &[Change],
) -> Vec<Change> {
    let creating: BTreeSet<String> = changes
        .iter()
        .filter(|c| c.action == Action::Create)
        .filter_map(|c| match &c.address {
            Address::TargetGroup { name } => Some(name.clone()),
            _ => None,
        })
        .collect();
    let stack_groups: BTreeSet<&str> = desired
        .target_groups
        .iter()
        .filter_map(|g| g.name.as_deref())
        .collect();
    desired
        .listener_rules
        .iter()
        .map(|rule| plan(rule, actual, options, &stack_groups, &creating))
        .collect()
}

/// Plans one rule of the stack.
fn plan(
    desired: &CreateRuleInput,
    actual: &Actual,
    options: &Options,
    stack_groups: &BTreeSet<&str>,
    creating: &BTreeSet<String>,
) -> Change {
    let written = desired.listener_arn.clone().unwrap_or_default();
    let key = key_of(desired);
    let address = Address::ListenerRule {
        listener: written.clone(),
        key: key.clone(),
    };
    let Some(listener) = listener_arn(&written, actual) else {
        return blocked(
            address,
            Vec::new(),
            Reason::ListenerNotFound { listener: written },
        );
    };
    let mut wanted = desired.clone();
    wanted.listener_arn = Some(listener.clone());
    wanted.tags = Some(owned_tags(&desired.tags, &key, options));
    let mut links = Vec::new();
    for (a, tuple, group) in forwards(desired) {
        let resolved = if group.starts_with("arn:") {
            continue;
        } else if stack_groups.contains(group.as_str()) && creating.contains(&group) {
            links.push(Link::new(
                Slot::RuleTargetGroup { action: a, tuple },
                Created::TargetGroupArn {
                    name: group.clone(),
                },
            ));
            KNOWN_AFTER_APPLY.to_owned()
        } else {
            let name = group.strip_prefix(NAME_PREFIX).unwrap_or(&group);
            let lookup = group.starts_with(NAME_PREFIX) || stack_groups.contains(name);
            match actual.target_groups.get(name).filter(|_| lookup) {
                Some(found) => found.arn.clone(),
                None => {
                    return blocked(
                        address,
                        Vec::new(),
                        Reason::TargetGroupNotFound {
                            target_group: group,
                        },
                    );
                }
            }
        };
        set_target_group(&mut wanted, a, tuple, resolved);
    }
    let Some(existing) = find(actual, &listener, &key) else {
        return with_links(creation(address, Step::CreateRule(wanted)), links);
    };
    if let Err(reason) = adoptable(&existing.tags(), options) {
        return not_managed(address, reason);
    }
    let (have, want) = (comparable(&existing.input), comparable(&wanted));
    let fields = diff(&have, &want);
    let changed = |member: &str| fields.iter().any(|f| top(&f.path) == member);
    let mut steps = Vec::new();
    if changed("Priority") {
        let mut pair = RulePriorityPair::default();
        pair.rule_arn = Some(existing.arn.clone());
        pair.priority = wanted.priority;
        let mut set = SetRulePrioritiesInput::default();
        set.rule_priorities = Some(vec![pair]);
        steps.push(Step::SetRulePriorities(set));
    }
    if changed("Conditions") || changed("Actions") {
        let mut modify = ModifyRuleInput::default();
        modify.rule_arn = Some(existing.arn.clone());
        modify.conditions = wanted.conditions.clone();
        modify.actions = wanted.actions.clone();
        steps.push(Step::ModifyRule(modify));
    }
    if changed("Tags") {
        steps.extend(super::target_group::tag_steps(&existing.arn, &have, &want));
    }
    with_links(updated(address, fields, Vec::new(), steps, false), links)
}

fn set_target_group(rule: &mut CreateRuleInput, action: usize, tuple: Option<usize>, arn: String) {
    let Some(action) = rule.actions.as_mut().and_then(|a| a.get_mut(action)) else {
        return;
    };
    match tuple {
        None => action.target_group_arn = Some(arn),
        Some(t) => {
            if let Some(tuple) = action
                .forward_config
                .as_mut()
                .and_then(|f| f.target_groups.as_mut())
                .and_then(|g| g.get_mut(t))
            {
                tuple.target_group_arn = Some(arn);
            }
        }
    }
}

/// `change` with its CreateRule and ModifyRule steps linked by `links`.
fn with_links(mut change: Change, links: Vec<Link>) -> Change {
    if links.is_empty() {
        return change;
    }
    for step in &mut change.steps {
        if matches!(step, Step::CreateRule(_) | Step::ModifyRule(_)) {
            *step = Step::Linked(Box::new(step.clone()), links.clone());
        }
    }
    change
}

/// A rule as JSON in one form for comparison: conditions with their values in their
/// `*Config`, forward actions to one group as `TargetGroupArn`, every action with its `Order`
/// and in that order, no empty lists, tags in key order ([`super::sort_api_tags`]). The
/// listener is not compared (it is the rule's identity).
pub(crate) fn comparable(rule: &CreateRuleInput) -> Value {
    let mut value = to_json(rule);
    let Some(o) = value.as_object_mut() else {
        return value;
    };
    o.remove("ListenerArn");
    if let Some(Value::Array(conditions)) = o.get_mut("Conditions") {
        for c in conditions.iter_mut() {
            condition_form(c);
            prune_empty(c);
        }
        conditions.sort_by_key(|c| c.to_string());
    }
    if let Some(Value::Array(actions)) = o.get_mut("Actions") {
        for (i, a) in actions.iter_mut().enumerate() {
            action_form(a, i);
            prune_empty(a);
        }
        actions.sort_by_key(|a| a.get("Order").and_then(Value::as_i64).unwrap_or(0));
    }
    super::sort_api_tags(&mut value);
    value
}

/// A host-header or path-pattern condition with its `Values` in its `*Config`.
fn condition_form(c: &mut Value) {
    let config = match c.get("Field").and_then(Value::as_str) {
        Some("host-header") => "HostHeaderConfig",
        Some("path-pattern") => "PathPatternConfig",
        _ => return,
    };
    let Some(o) = c.as_object_mut() else {
        return;
    };
    if let Some(values) = o.remove("Values") {
        let entry = o.entry(config).or_insert_with(|| json!({}));
        if let Some(entry) = entry.as_object_mut() {
            entry.entry("Values").or_insert(values);
        }
    }
}

/// An action with its `Order` (its position when absent) and a forward to one group without
/// stickiness written as `TargetGroupArn` alone.
fn action_form(a: &mut Value, position: usize) {
    let Some(o) = a.as_object_mut() else {
        return;
    };
    o.entry("Order").or_insert_with(|| json!(position + 1));
    if o.get("Type").and_then(Value::as_str) != Some("forward") {
        return;
    }
    let Some(config) = o.get("ForwardConfig").cloned() else {
        return;
    };
    let groups = config
        .get("TargetGroups")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let sticky = config
        .get("TargetGroupStickinessConfig")
        .and_then(|s| s.get("Enabled"))
        .and_then(Value::as_bool)
        .unwrap_or(false);
    if let [only] = groups.as_slice()
        && !sticky
        && let Some(arn) = only.get("TargetGroupArn")
    {
        o.insert("TargetGroupArn".to_owned(), arn.clone());
        o.remove("ForwardConfig");
    } else {
        o.remove("TargetGroupArn");
        if let Some(Value::Array(groups)) = o
            .get_mut("ForwardConfig")
            .and_then(|f| f.get_mut("TargetGroups"))
        {
            for g in groups.iter_mut().filter_map(Value::as_object_mut) {
                g.entry("Weight").or_insert(json!(1));
            }
        }
        if !sticky && let Some(f) = o.get_mut("ForwardConfig").and_then(Value::as_object_mut) {
            f.remove("TargetGroupStickinessConfig");
        }
    }
}

/// `value` without null members and empty lists or objects, recursively.
fn prune_empty(value: &mut Value) {
    match value {
        Value::Object(o) => {
            for v in o.values_mut() {
                prune_empty(v);
            }
            o.retain(|_, v| {
                !(v.is_null()
                    || v.as_array().is_some_and(Vec::is_empty)
                    || v.as_object().is_some_and(serde_json::Map::is_empty))
            });
        }
        Value::Array(items) => items.iter_mut().for_each(prune_empty),
        _ => {}
    }
}

/// The names (as services write them: the stack group's name, or `name:NAME`) of the target
/// groups a rule of the stack forwards to and that is not blocked: a load balancer uses them
/// once this apply has run.
pub(crate) fn attaching(desired: &ecs_model::Stack, rules: &[Change]) -> BTreeSet<String> {
    desired
        .listener_rules
        .iter()
        .zip(rules)
        .filter(|(_, change)| !matches!(change.action, Action::Blocked | Action::NotManaged))
        .flat_map(|(rule, _)| forwards(rule))
        .map(|(_, _, written)| written)
        .filter(|w| !w.starts_with("arn:"))
        .collect()
}

/// `service` with each binding to a stack group that this apply creates and that a stack rule
/// forwards to (`created`) written `(known after apply)`, and the links that fill it.
pub(crate) fn link_target_groups(
    service: &ecs_model::types::CreateServiceRequest,
    created: &BTreeSet<String>,
) -> (ecs_model::types::CreateServiceRequest, Vec<Link>) {
    let mut out = service.clone();
    let mut links = Vec::new();
    for (index, binding) in out.load_balancers.iter_mut().flatten().enumerate() {
        let Some(name) = binding.target_group_arn.clone() else {
            continue;
        };
        if created.contains(&name) {
            binding.target_group_arn = Some(KNOWN_AFTER_APPLY.to_owned());
            links.push(Link::new(
                Slot::ServiceTargetGroup { index },
                Created::TargetGroupArn { name },
            ));
        }
    }
    (out, links)
}

/// The rule of the listener `listener` (an ARN) whose [`identity`](ObservedRule::identity)
/// is `key`: the stack's rule of that key, or a rule another tool made that the stack names.
/// A rule carrying the key tag is preferred to one matched by its `Name` tag or priority.
pub(crate) fn find<'a>(actual: &'a Actual, listener: &str, key: &str) -> Option<&'a ObservedRule> {
    let on_listener = || {
        actual
            .listener_rules
            .iter()
            .filter(move |r| r.listener_arn == listener)
    };
    on_listener()
        .find(|r| r.key() == Some(key))
        .or_else(|| on_listener().find(|r| r.key().is_none() && r.identity() == key))
}

/// DeleteRule of `arn`.
fn delete_step(arn: &str) -> Step {
    let mut request = DeleteRuleInput::default();
    request.rule_arn = Some(arn.to_owned());
    Step::DeleteRule(request)
}

/// The deletion of every rule observed that carries the stack's tag and that `desired` no
/// longer holds; planned after the services and before the target groups.
pub(crate) fn prune(
    desired: &ecs_model::Stack,
    actual: &Actual,
    options: &Options,
    removal: Removal,
) -> Vec<Change> {
    let kept: BTreeSet<(String, String)> = desired
        .listener_rules
        .iter()
        .filter_map(|r| {
            let listener = listener_arn(r.listener_arn.as_deref()?, actual)?;
            Some((listener, key_of(r)))
        })
        .collect();
    actual
        .listener_rules
        .iter()
        .filter(|r| ownership(&r.tags(), options).is_ok())
        .filter(|r| !kept.contains(&(r.listener_arn.clone(), r.identity())))
        .map(|r| Change {
            address: Address::ListenerRule {
                listener: r.listener_arn.clone(),
                key: r.identity(),
            },
            action: Action::Delete,
            fields: diff(&to_json(&r.input), &Value::Null),
            kept: Vec::new(),
            reason: Some(Reason::Removed { removal }),
            steps: vec![delete_step(&r.arn)],
            rollback: None,
        })
        .collect()
}

#[cfg(feature = "load-balancing")]
pub(crate) use observe::observe;

#[cfg(feature = "load-balancing")]
mod observe {
    use std::collections::{BTreeMap, BTreeSet};

    use futures::stream::{self, StreamExt, TryStreamExt};
    use serde_json::{Value, json};

    use super::{ObservedRule, listener_lookup};
    use crate::aws::{AwsError, Clients, Operation};

    /// What the plan reads of listener rules: the listeners the look-ups `lookups` find (by
    /// look-up), and the rules (with their tags) of those listeners, of `arns`, and, when
    /// `everywhere`, of every listener of every load balancer (pruning and destroying).
    pub(crate) async fn observe(
        clients: &Clients,
        lookups: &BTreeSet<String>,
        arns: &BTreeSet<String>,
        everywhere: bool,
        concurrency: usize,
    ) -> Result<(BTreeMap<String, String>, Vec<ObservedRule>), AwsError> {
        let mut listeners = BTreeMap::new();
        for written in lookups {
            let Some((name, port)) = listener_lookup(written) else {
                continue;
            };
            if let Some(arn) = find_listener(clients, name, port).await? {
                listeners.insert(written.clone(), arn);
            }
        }
        let mut to_read: BTreeSet<String> = listeners.values().cloned().collect();
        to_read.extend(arns.iter().cloned());
        if everywhere {
            for lb in paged(
                clients,
                Operation::DescribeLoadBalancers,
                json!({}),
                "LoadBalancers",
            )
            .await?
            {
                let Some(lb) = lb.get("LoadBalancerArn").and_then(Value::as_str) else {
                    continue;
                };
                let input = json!({ "LoadBalancerArn": lb });
                for l in paged(clients, Operation::DescribeListeners, input, "Listeners").await? {
                    to_read.extend(
                        l.get("ListenerArn")
                            .and_then(Value::as_str)
                            .map(str::to_owned),
                    );
                }
            }
        }
        let per_listener: Vec<Vec<(String, Value)>> = stream::iter(to_read)
            .map(|listener| async move {
                let input = json!({ "ListenerArn": listener });
                match paged(clients, Operation::DescribeRules, input, "Rules").await {
                    Ok(rules) => Ok(rules
                        .into_iter()
                        .filter(|r| r.get("IsDefault") != Some(&Value::Bool(true)))
                        .map(|r| (listener.clone(), r))
                        .collect()),
                    Err(e) if e.is_not_found() => Ok(Vec::new()),
                    Err(e) => Err(e),
                }
            })
            .buffer_unordered(concurrency.max(1))
            .try_collect()
            .await?;
        let found: Vec<(String, Value)> = per_listener.into_iter().flatten().collect();
        let rule_arns: Vec<String> = found
            .iter()
            .filter_map(|(_, r)| r.get("RuleArn").and_then(Value::as_str))
            .map(str::to_owned)
            .collect();
        let tags = crate::kinds::target_group::tags_of(clients, &rule_arns, concurrency).await?;
        let rules = found
            .into_iter()
            .filter_map(|(listener, rule)| observed_of(&listener, &rule, &tags))
            .collect();
        Ok((listeners, rules))
    }

    /// The ARN of the listener on `port` of the load balancer `name`, if both exist.
    async fn find_listener(
        clients: &Clients,
        name: &str,
        port: i32,
    ) -> Result<Option<String>, AwsError> {
        let lbs = match clients
            .call(
                Operation::DescribeLoadBalancers,
                &json!({ "Names": [name] }),
            )
            .await
        {
            Ok(answer) => answer,
            Err(e) if e.is_not_found() => return Ok(None),
            Err(e) => return Err(e),
        };
        let Some(lb) = lbs
            .get("LoadBalancers")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .find(|lb| lb.get("LoadBalancerName").and_then(Value::as_str) == Some(name))
            .and_then(|lb| lb.get("LoadBalancerArn"))
            .and_then(Value::as_str)
        else {
            return Ok(None);
        };
        let input = json!({ "LoadBalancerArn": lb });
        let listeners = paged(clients, Operation::DescribeListeners, input, "Listeners").await?;
        Ok(listeners
            .iter()
            .find(|l| l.get("Port").and_then(Value::as_i64) == Some(i64::from(port)))
            .and_then(|l| l.get("ListenerArn"))
            .and_then(Value::as_str)
            .map(str::to_owned))
    }

    /// Every item of `list` in the answers of `operation`, following `NextMarker`.
    async fn paged(
        clients: &Clients,
        operation: Operation,
        mut input: Value,
        list: &str,
    ) -> Result<Vec<Value>, AwsError> {
        let mut out = Vec::new();
        loop {
            let answer = clients.call(operation, &input).await?;
            out.extend(
                answer
                    .get(list)
                    .and_then(Value::as_array)
                    .cloned()
                    .unwrap_or_default(),
            );
            match answer.get("NextMarker").and_then(Value::as_str) {
                Some(next) if !next.is_empty() && input.get("Marker") != Some(&json!(next)) => {
                    input["Marker"] = json!(next);
                }
                _ => return Ok(out),
            }
        }
    }

    /// A `Rule` answer of `listener` and its tags, as the CreateRule input.
    pub(super) fn observed_of(
        listener: &str,
        rule: &Value,
        tags: &BTreeMap<String, Value>,
    ) -> Option<ObservedRule> {
        let arn = rule.get("RuleArn")?.as_str()?.to_owned();
        let priority: i64 = rule.get("Priority")?.as_str()?.parse().ok()?;
        let mut input = json!({
            "ListenerArn": listener,
            "Priority": priority,
            "Conditions": rule.get("Conditions").cloned().unwrap_or(json!([])),
            "Actions": rule.get("Actions").cloned().unwrap_or(json!([])),
        });
        if let Some(tags) = tags.get(&arn) {
            input["Tags"] = tags.clone();
        }
        let input = ecs_model::load::from_value(&input).value?;
        Some(ObservedRule {
            arn,
            listener_arn: listener.to_owned(),
            input,
        })
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;

    const LISTENER: &str = "arn:aws:elasticloadbalancing:us-east-1:1:listener/app/front/1/2";
    const GROUP: &str = "arn:aws:elasticloadbalancing:us-east-1:1:targetgroup/web/1";

    fn stack(path: &str) -> ecs_model::Stack {
        ecs_model::load::from_value::<ecs_model::Stack>(&json!({
            "targetGroups": [{"Name": "web", "Protocol": "HTTP", "Port": 80, "VpcId": "vpc-1",
                              "TargetType": "ip"}],
            "listenerRules": [{
                "ListenerArn": "name:front:80", "Priority": 10,
                "Conditions": [{"Field": "path-pattern", "Values": [path]}],
                "Actions": [{"Type": "forward", "TargetGroupArn": "web"}]
            }]
        }))
        .value
        .expect("a stack")
    }

    /// What DescribeRules shows for the rule the stack created, with `tags`.
    fn described(path: &str, tags: Value) -> ObservedRule {
        let rule = json!({
            "RuleArn": "arn:rule/1", "Priority": "10", "IsDefault": false,
            "Conditions": [{"Field": "path-pattern", "Values": [path],
                            "PathPatternConfig": {"Values": [path]}}],
            "Actions": [{"Type": "forward", "TargetGroupArn": GROUP, "Order": 1,
                         "ForwardConfig": {"TargetGroups": [{"TargetGroupArn": GROUP, "Weight": 1}],
                                           "TargetGroupStickinessConfig": {"Enabled": false}}}]
        });
        let tags = BTreeMap::from([("arn:rule/1".to_owned(), tags)]);
        observe_of(&rule, &tags)
    }

    #[cfg(feature = "load-balancing")]
    fn observe_of(rule: &Value, tags: &BTreeMap<String, Value>) -> ObservedRule {
        observe::observed_of(LISTENER, rule, tags).expect("a rule")
    }

    #[cfg(not(feature = "load-balancing"))]
    fn observe_of(_: &Value, _: &BTreeMap<String, Value>) -> ObservedRule {
        unreachable!("the tests run with the load-balancing feature")
    }

    fn mine() -> Value {
        json!([{"Key": STACK_TAG, "Value": "demo"}, {"Key": RULE_TAG, "Value": "10"}])
    }

    fn actual(group_exists: bool) -> Actual {
        let mut actual = Actual::default();
        actual
            .listeners
            .insert("name:front:80".into(), LISTENER.into());
        if group_exists {
            let group = ecs_model::load::from_value(&json!({"Name": "web"}))
                .value
                .expect("a group");
            actual.target_groups.insert(
                "web".into(),
                crate::kinds::target_group::ObservedTargetGroup {
                    arn: GROUP.to_owned(),
                    load_balancers: Vec::new(),
                    input: group,
                },
            );
        }
        actual
    }

    fn created_web() -> Change {
        creation(
            Address::TargetGroup { name: "web".into() },
            Step::CreateTargetGroup(Default::default()),
        )
    }

    #[test]
    fn a_rule_to_a_group_created_by_the_same_apply_is_linked_and_attaches_it() {
        let options = Options::new("demo");
        let stack = stack("/api/*");
        let changes = plan_all(&stack, &actual(false), &options, &[created_web()]);
        assert_eq!(changes[0].action, Action::Create);
        let Step::Linked(step, links) = &changes[0].steps[0] else {
            panic!("a linked step: {:?}", changes[0].steps);
        };
        assert_eq!(step.operation(), crate::aws::Operation::CreateRule);
        assert_eq!(
            links[0].value,
            Created::TargetGroupArn { name: "web".into() }
        );
        let input = changes[0].steps[0].input();
        assert_eq!(input["ListenerArn"], LISTENER);
        assert_eq!(input["Actions"][0]["TargetGroupArn"], KNOWN_AFTER_APPLY);
        assert_eq!(
            input["Tags"],
            json!([{"Key": STACK_TAG, "Value": "demo"}, {"Key": RULE_TAG, "Value": "10"}])
        );
        let created = BTreeMap::from([(
            Created::TargetGroupArn { name: "web".into() },
            GROUP.to_owned(),
        )]);
        let resolved = changes[0].steps[0].resolved(&created).expect("resolved");
        assert_eq!(resolved.input()["Actions"][0]["TargetGroupArn"], GROUP);
        assert_eq!(
            attaching(&stack, &changes),
            BTreeSet::from(["web".to_owned()])
        );
    }

    #[test]
    fn what_aws_shows_of_the_created_rule_is_no_change_and_a_new_path_one_modify() {
        let options = Options::new("demo");
        let mut actual = actual(true);
        actual.listener_rules.push(described("/api/*", mine()));
        let changes = plan_all(&stack("/api/*"), &actual, &options, &[]);
        assert_eq!(
            changes[0].action,
            Action::NoChange,
            "{:?}",
            changes[0].fields
        );
        let changes = plan_all(&stack("/v2/*"), &actual, &options, &[]);
        assert_eq!(changes[0].action, Action::Update);
        assert_eq!(changes[0].steps.len(), 1);
        let input = changes[0].steps[0].input();
        assert_eq!(
            changes[0].steps[0].operation(),
            crate::aws::Operation::ModifyRule
        );
        assert_eq!(input["RuleArn"], "arn:rule/1");
        assert_eq!(input["Conditions"][0]["Values"], json!(["/v2/*"]));
        assert_eq!(input["Actions"][0]["TargetGroupArn"], GROUP);
    }

    #[test]
    fn a_named_rule_moves_with_set_rule_priorities() {
        let options = Options::new("demo");
        let mut actual = actual(true);
        let tags = json!([{"Key": STACK_TAG, "Value": "demo"}, {"Key": RULE_TAG, "Value": "api"},
                          {"Key": NAME_TAG, "Value": "api"}]);
        actual.listener_rules.push(described("/api/*", tags));
        let mut stack = stack("/api/*");
        stack.listener_rules[0].priority = Some(20);
        let mut name = Tag::default();
        name.key = Some(NAME_TAG.into());
        name.value = Some("api".into());
        stack.listener_rules[0].tags = Some(vec![name]);
        let changes = plan_all(&stack, &actual, &options, &[]);
        let operations: Vec<_> = changes[0].steps.iter().map(Step::operation).collect();
        assert_eq!(operations, [crate::aws::Operation::SetRulePriorities]);
        assert_eq!(
            changes[0].steps[0].input()["RulePriorities"],
            json!([{"RuleArn": "arn:rule/1", "Priority": 20}])
        );
    }

    #[test]
    fn a_rule_without_the_stack_tag_is_left_alone_and_an_unknown_listener_blocks() {
        let options = Options::new("demo");
        let mut actual = actual(true);
        actual.listener_rules.push(described(
            "/api/*",
            json!([{"Key": RULE_TAG, "Value": "10"}]),
        ));
        let changes = plan_all(&stack("/api/*"), &actual, &options, &[]);
        assert_eq!(changes[0].action, Action::NotManaged);
        assert!(
            prune(
                &ecs_model::Stack::default(),
                &actual,
                &options,
                Removal::Pruned
            )
            .is_empty()
        );
        actual.listeners.clear();
        let changes = plan_all(&stack("/api/*"), &actual, &options, &[]);
        assert_eq!(changes[0].action, Action::Blocked);
        assert!(matches!(
            changes[0].reason,
            Some(Reason::ListenerNotFound { .. })
        ));
        assert!(attaching(&stack("/api/*"), &changes).is_empty());
    }

    #[test]
    fn a_rule_another_tool_made_is_found_by_its_name_tag_or_priority_and_adopted() {
        let name = |value: &str| {
            let mut tag = Tag::default();
            tag.key = Some(NAME_TAG.into());
            tag.value = Some(value.into());
            tag
        };
        // Made in the console: a Name tag, no key tag, no stack's tag, at priority 10.
        let mut actual = actual(true);
        actual.listener_rules.push(described(
            "/api/*",
            json!([{"Key": NAME_TAG, "Value": "api"}, {"Key": "team", "Value": "web"}]),
        ));
        // The stack's rule of that Name, at priority 20.
        let mut named = stack("/api/*");
        named.listener_rules[0].priority = Some(20);
        named.listener_rules[0].tags = Some(vec![name("api")]);
        let plain = plan_all(&named, &actual, &Options::new("demo"), &[]);
        assert_eq!(plain[0].action, Action::NotManaged);
        assert_eq!(plain[0].reason, Some(Reason::Untagged));
        let adopting = Options::new("demo").adopt(true);
        let adopted = plan_all(&named, &actual, &adopting, &[]);
        assert_eq!(adopted[0].action, Action::Update);
        let operations: Vec<_> = adopted[0].steps.iter().map(Step::operation).collect();
        assert_eq!(
            operations,
            [
                crate::aws::Operation::SetRulePriorities,
                crate::aws::Operation::AddTags,
                crate::aws::Operation::RemoveTags
            ]
        );
        assert_eq!(
            adopted[0].steps[1].input()["Tags"],
            json!([{"Key": RULE_TAG, "Value": "api"}, {"Key": STACK_TAG, "Value": "demo"}])
        );
        assert_eq!(adopted[0].steps[2].input()["TagKeys"], json!(["team"]));
        // Under another Name the priority is no match: a creation (CreateRule then fails with
        // PriorityInUse until the stack's rule takes the Name).
        named.listener_rules[0].priority = Some(10);
        named.listener_rules[0].tags = Some(vec![name("v2")]);
        let other = plan_all(&named, &actual, &adopting, &[]);
        assert_eq!(other[0].action, Action::Create);
        // An unnamed stack rule finds the console's unnamed rule by priority.
        actual.listener_rules[0].input.tags = None;
        let by_priority = plan_all(&stack("/api/*"), &actual, &adopting, &[]);
        assert_eq!(by_priority[0].action, Action::Update);
        // Prune never deletes it: it carries no stack's tag.
        assert!(
            prune(
                &ecs_model::Stack::default(),
                &actual,
                &adopting,
                Removal::Pruned
            )
            .is_empty()
        );
    }

    #[test]
    fn a_rule_the_stack_no_longer_holds_is_pruned() {
        let options = Options::new("demo");
        let mut actual = actual(true);
        actual.listener_rules.push(described("/api/*", mine()));
        assert!(prune(&stack("/api/*"), &actual, &options, Removal::Pruned).is_empty());
        let pruned = prune(
            &ecs_model::Stack::default(),
            &actual,
            &options,
            Removal::Destroyed,
        );
        assert_eq!(pruned.len(), 1);
        assert_eq!(
            pruned[0].steps[0].operation(),
            crate::aws::Operation::DeleteRule
        );
    }

    #[test]
    fn listener_lookups_read_name_and_port() {
        assert_eq!(listener_lookup("name:front:80"), Some(("front", 80)));
        assert_eq!(listener_lookup("name:front"), None);
        assert_eq!(listener_lookup("arn:aws:x"), None);
    }
}
