//! ELBv2 target groups (the stack's `targetGroups`, CreateTargetGroup inputs) and the ECS
//! services bound to them by name.
//!
//! # Observe
//!
//! DescribeTargetGroups by `Names`, 20 at a time; it fails the whole call with
//! `TargetGroupNotFound` when one name is missing, so a batch that fails that way is asked
//! again name by name. Pruning and destroying list every target group (following
//! `NextMarker`). The tags come from DescribeTags, up to 20 ARNs per call
//! (<https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_DescribeTags.html>).
//!
//! # Ownership
//!
//! A target group is the stack's when it carries the stack's tag ([`STACK_TAG`], set in
//! CreateTargetGroup's `Tags`). A group of the stack's name without it is reported as not
//! managed and never modified, tagged or deleted, unless the plan adopts it
//! ([`Options::adopt`]: a group the stack names that carries no stack's tag, which the
//! observation reads by name whatever its tags). An adopted group is planned as the stack's:
//! AddTags adds the stack's tag, which leaves the group's other tags as they are ("If a
//! resource already has a tag with the same key, AddTags updates its value",
//! <https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_AddTags.html>),
//! then RemoveTags removes the ones the stack does not set, as for any group of the stack.
//! Pruning and destroying delete only groups carrying the stack's tag.
//!
//! # Defaults, and no perpetual diff
//!
//! CreateTargetGroup fills in the health check when it is left out, and the defaults differ
//! between AWS and moto (the HTTP timeout is 6 s on AWS, 5 s on moto). So the planner fills
//! every health check member the stack leaves out with AWS's documented default
//! (CreateTargetGroup request parameters,
//! <https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_CreateTargetGroup.html>)
//! and *sends* them: what Describe then shows is what was sent, on AWS and on moto alike, and
//! both sides compare after the same normalization.
//!
//! # Changes
//!
//! ModifyTargetGroup changes the health check only
//! (<https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_ModifyTargetGroup.html>).
//! The other members (protocol, port, VPC, target type, IP address type, protocol version,
//! target control port) are fixed at creation. Names are unique per account and region, and a
//! group in use by a listener cannot be deleted (ResourceInUse), so a "replace" in place would
//! have to delete the group the load balancer forwards to. The plan does not do that: such a
//! change is [`Action::Blocked`] with [`Reason::TargetGroupFixed`], whose text says to give
//! the group a new name. Under a new name the group is created, the services bound to it by
//! name follow with UpdateService (ECS changes `loadBalancers` in place for rolling
//! services), and the old group, once no listener uses it, is deleted by a prune.
//!
//! # Bindings
//!
//! A service's `loadBalancers[].targetGroupArn` may hold, instead of an ARN, the name of a
//! target group of the stack (`web`), or `name:NAME` for a target group of the account that
//! the stack does not hold (as subnets are looked up with `name:NAME`). The planner writes
//! the group's ARN there. ECS refuses CreateService and UpdateService with a target group that
//! no load balancer uses ("The target group ... does not have an associated load balancer",
//! <https://docs.aws.amazon.com/AmazonECS/latest/developerguide/create-application-load-balancer.html>:
//! the listener and its rules come first), and the stack holds no listeners: a service bound
//! to a group that no load balancer uses yet, or that this apply creates, is blocked
//! ([`Reason::TargetGroupNotAttached`]) while the group is created; once a listener or rule
//! forwards to it, the next apply creates or updates the service.

use std::collections::{BTreeMap, BTreeSet};

use ecs_model::load_balancing::{
    CreateTargetGroupInput, DeleteTargetGroupInput, ModifyTargetGroupInput, Tag,
};
use ecs_model::types::CreateServiceRequest;
#[cfg(feature = "load-balancing")]
use futures::stream::{self, StreamExt, TryStreamExt};
use serde_json::Value;
#[cfg(feature = "load-balancing")]
use serde_json::json;

use crate::apply::Failure;
#[cfg(feature = "load-balancing")]
use crate::aws::AwsError;
use crate::aws::{Clients, Operation};
use crate::diff::diff;
use crate::ownership::{adoptable, ownership};
use crate::plan::*;

/// What a service's `targetGroupArn` starts with to look a target group up by name.
pub const NAME_PREFIX: &str = "name:";
#[cfg(feature = "load-balancing")]
/// DescribeTargetGroups names and DescribeTags ARNs per call.
pub const PER_CALL: usize = 20;

/// A target group as AWS has it, rendered as the CreateTargetGroup input that would make it
/// (tags included).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct ObservedTargetGroup {
    /// Its ARN: what a service's `loadBalancers[].targetGroupArn` holds.
    pub arn: String,
    /// The load balancers that forward to it (through a listener or rule).
    pub load_balancers: Vec<String>,
    /// The CreateTargetGroup input that would make it as it is.
    pub input: CreateTargetGroupInput,
}

impl ObservedTargetGroup {
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
}

/// The names of the target groups a plan of `stack` reads: the stack's, and the ones its
/// services and listener rules look up (`name:NAME`).
pub(crate) fn names(stack: &ecs_model::Stack) -> BTreeSet<String> {
    let mut out: BTreeSet<String> = stack
        .target_groups
        .iter()
        .filter_map(|g| g.name.clone())
        .collect();
    out.extend(super::listener_rule::target_group_lookups(stack));
    for service in &stack.services {
        for binding in service.load_balancers.iter().flatten() {
            if let Some(name) = binding
                .target_group_arn
                .as_deref()
                .and_then(|v| v.strip_prefix(NAME_PREFIX))
            {
                out.insert(name.to_owned());
            }
        }
    }
    out
}

#[cfg(feature = "load-balancing")]
/// Reads the target groups named `names` and, when `tagged` names a stack, every target group
/// carrying its tag.
pub(crate) async fn observe(
    clients: &Clients,
    names: &BTreeSet<String>,
    tagged: Option<&str>,
    concurrency: usize,
) -> Result<BTreeMap<String, ObservedTargetGroup>, AwsError> {
    let found: Vec<Value> = if tagged.is_some() {
        describe_all(clients).await?
    } else {
        let batches: Vec<Vec<String>> = names
            .iter()
            .cloned()
            .collect::<Vec<_>>()
            .chunks(PER_CALL)
            .map(<[String]>::to_vec)
            .collect();
        let answers: Vec<Vec<Value>> = stream::iter(batches)
            .map(|batch| describe_names(clients, batch))
            .buffer_unordered(concurrency.max(1))
            .try_collect()
            .await?;
        answers.into_iter().flatten().collect()
    };
    let arns: Vec<String> = found
        .iter()
        .filter_map(|g| g.get("TargetGroupArn").and_then(Value::as_str))
        .map(str::to_owned)
        .collect();
    let tags = tags_of(clients, &arns, concurrency).await?;
    let mut out = BTreeMap::new();
    for group in found {
        let Some(observed) = observed_of(&group, &tags) else {
            continue;
        };
        let name = observed.input.name.clone().unwrap_or_default();
        let owned = tagged.is_some_and(|stack| crate::ownership::tagged(&observed.tags(), stack));
        if names.contains(&name) || owned {
            out.insert(name, observed);
        }
    }
    Ok(out)
}

#[cfg(feature = "load-balancing")]
/// Every target group of the account and region, page by page.
async fn describe_all(clients: &Clients) -> Result<Vec<Value>, AwsError> {
    let mut out = Vec::new();
    let mut marker: Option<String> = None;
    loop {
        let mut input = json!({"PageSize": 400});
        if let Some(marker) = marker.take() {
            input["Marker"] = Value::from(marker);
        }
        let answer = clients
            .call(Operation::DescribeTargetGroups, &input)
            .await?;
        out.extend(groups_of(&answer));
        match answer.get("NextMarker").and_then(Value::as_str) {
            Some(next) if !next.is_empty() => marker = Some(next.to_owned()),
            _ => return Ok(out),
        }
    }
}

#[cfg(feature = "load-balancing")]
/// The target groups of `names` that exist: one call, or one per name when one is missing.
async fn describe_names(clients: &Clients, names: Vec<String>) -> Result<Vec<Value>, AwsError> {
    let by = |names: &[String]| json!({ "Names": names });
    match clients
        .call(Operation::DescribeTargetGroups, &by(&names))
        .await
    {
        Ok(answer) => Ok(groups_of(&answer)),
        Err(e) if e.is_not_found() && names.len() > 1 => {
            let mut out = Vec::new();
            for name in names {
                match clients
                    .call(Operation::DescribeTargetGroups, &by(&[name]))
                    .await
                {
                    Ok(answer) => out.extend(groups_of(&answer)),
                    Err(e) if e.is_not_found() => {}
                    Err(e) => return Err(e),
                }
            }
            Ok(out)
        }
        Err(e) if e.is_not_found() => Ok(Vec::new()),
        Err(e) => Err(e),
    }
}

#[cfg(feature = "load-balancing")]
fn groups_of(answer: &Value) -> Vec<Value> {
    answer
        .get("TargetGroups")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default()
}

#[cfg(feature = "load-balancing")]
/// The tags of `arns` by ARN (DescribeTags, [`PER_CALL`] ARNs a call).
pub(crate) async fn tags_of(
    clients: &Clients,
    arns: &[String],
    concurrency: usize,
) -> Result<BTreeMap<String, Value>, AwsError> {
    let answers: Vec<Value> = stream::iter(arns.chunks(PER_CALL).map(<[String]>::to_vec))
        .map(|batch| async move {
            clients
                .call(Operation::DescribeTags, &json!({ "ResourceArns": batch }))
                .await
        })
        .buffer_unordered(concurrency.max(1))
        .try_collect()
        .await?;
    let mut out = BTreeMap::new();
    for answer in answers {
        for description in answer
            .get("TagDescriptions")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            if let Some(arn) = description.get("ResourceArn").and_then(Value::as_str) {
                let tags = description.get("Tags").cloned().unwrap_or(json!([]));
                out.insert(arn.to_owned(), tags);
            }
        }
    }
    Ok(out)
}

#[cfg(feature = "load-balancing")]
/// A `TargetGroup` answer and its tags, rendered as the CreateTargetGroup input.
fn observed_of(group: &Value, tags: &BTreeMap<String, Value>) -> Option<ObservedTargetGroup> {
    let arn = group.get("TargetGroupArn")?.as_str()?.to_owned();
    let mut input = serde_json::Map::new();
    for (from, to) in [
        ("TargetGroupName", "Name"),
        ("Protocol", "Protocol"),
        ("ProtocolVersion", "ProtocolVersion"),
        ("Port", "Port"),
        ("VpcId", "VpcId"),
        ("HealthCheckProtocol", "HealthCheckProtocol"),
        ("HealthCheckPort", "HealthCheckPort"),
        ("HealthCheckEnabled", "HealthCheckEnabled"),
        ("HealthCheckPath", "HealthCheckPath"),
        ("HealthCheckIntervalSeconds", "HealthCheckIntervalSeconds"),
        ("HealthCheckTimeoutSeconds", "HealthCheckTimeoutSeconds"),
        ("HealthyThresholdCount", "HealthyThresholdCount"),
        ("UnhealthyThresholdCount", "UnhealthyThresholdCount"),
        ("Matcher", "Matcher"),
        ("TargetType", "TargetType"),
        ("IpAddressType", "IpAddressType"),
        ("TargetControlPort", "TargetControlPort"),
    ] {
        if let Some(value) = group.get(from).filter(|v| !v.is_null()) {
            input.insert(to.to_owned(), value.clone());
        }
    }
    if let Some(tags) = tags.get(&arn) {
        input.insert("Tags".to_owned(), tags.clone());
    }
    let input =
        ecs_model::load::from_value::<CreateTargetGroupInput>(&Value::Object(input)).value?;
    let load_balancers = group
        .get("LoadBalancerArns")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .map(str::to_owned)
        .collect();
    Some(ObservedTargetGroup {
        arn,
        load_balancers,
        input,
    })
}

/// `group` with AWS's documented defaults for what it leaves out (CreateTargetGroup request
/// parameters), so that what is sent is what Describe shows. A Lambda target group (no
/// protocol, port or VPC) is left as written.
pub(crate) fn with_defaults(group: &CreateTargetGroupInput) -> CreateTargetGroupInput {
    use ecs_model::load_balancing::{ProtocolEnum, TargetGroupIpAddressTypeEnum, TargetTypeEnum};
    let mut g = group.clone();
    let target_type = g
        .target_type
        .get_or_insert(TargetTypeEnum::Instance)
        .clone();
    if target_type.as_str() == "lambda" {
        return g;
    }
    let protocol = g.protocol.as_ref().map(|p| p.as_str().to_owned());
    let protocol = protocol.as_deref().unwrap_or("HTTP");
    let http = matches!(protocol, "HTTP" | "HTTPS");
    let geneve = protocol == "GENEVE";
    // "For Application Load Balancers, the default is HTTP. For Network Load Balancers and
    // Gateway Load Balancers, the default is TCP."
    let health_protocol = g
        .health_check_protocol
        .get_or_insert(if http {
            ProtocolEnum::Http
        } else {
            ProtocolEnum::Tcp
        })
        .as_str()
        .to_owned();
    g.health_check_port
        .get_or_insert_with(|| if geneve { "80" } else { "traffic-port" }.to_owned());
    g.health_check_enabled.get_or_insert(true);
    g.health_check_interval_seconds
        .get_or_insert(if geneve { 10 } else { 30 });
    // "For target groups with a protocol of HTTP, the default is 6 seconds. For target groups
    // with a protocol of TCP, TLS or HTTPS, the default is 10 seconds. For target groups with
    // a protocol of GENEVE, the default is 5 seconds."
    g.health_check_timeout_seconds
        .get_or_insert(match protocol {
            "HTTP" => 6,
            "GENEVE" => 5,
            _ => 10,
        });
    g.healthy_threshold_count.get_or_insert(5);
    g.unhealthy_threshold_count.get_or_insert(2);
    let http_check = matches!(health_protocol.as_str(), "HTTP" | "HTTPS");
    let grpc = g.protocol_version.as_deref() == Some("GRPC");
    if http_check {
        g.health_check_path
            .get_or_insert_with(|| if grpc { "/AWS.ALB/healthcheck" } else { "/" }.to_owned());
        let matcher = g.matcher.get_or_insert_with(Default::default);
        if grpc {
            matcher.grpc_code.get_or_insert_with(|| "12".to_owned());
        } else {
            // "For Application Load Balancers, the default is 200. For Network Load Balancers
            // and Gateway Load Balancers, the default is 200-399."
            matcher
                .http_code
                .get_or_insert_with(|| if http { "200" } else { "200-399" }.to_owned());
        }
    }
    g.ip_address_type
        .get_or_insert(TargetGroupIpAddressTypeEnum::Ipv4);
    if http {
        g.protocol_version.get_or_insert_with(|| "HTTP1".to_owned());
    }
    g
}

/// The JSON of a target group for comparison: defaults filled in, tags in key order
/// ([`super::sort_api_tags`]).
fn comparable(group: &CreateTargetGroupInput) -> Value {
    let mut value = to_json(&with_defaults(group));
    super::sort_api_tags(&mut value);
    value
}

/// The members CreateTargetGroup fixes: no call changes them.
pub(crate) const FIXED_MEMBERS: &[&str] = &[
    "Protocol",
    "Port",
    "VpcId",
    "TargetType",
    "IpAddressType",
    "ProtocolVersion",
    "TargetControlPort",
];

/// The members ModifyTargetGroup sets.
const HEALTH_CHECK_MEMBERS: &[&str] = &[
    "HealthCheckProtocol",
    "HealthCheckPort",
    "HealthCheckEnabled",
    "HealthCheckPath",
    "HealthCheckIntervalSeconds",
    "HealthCheckTimeoutSeconds",
    "HealthyThresholdCount",
    "UnhealthyThresholdCount",
    "Matcher",
];

/// Plans one target group of the stack.
pub(crate) fn plan(desired: &CreateTargetGroupInput, actual: &Actual, options: &Options) -> Change {
    let name = desired.name.clone().unwrap_or_default();
    let address = Address::TargetGroup { name: name.clone() };
    let mut wanted = with_defaults(desired);
    wanted.tags = Some(crate::ownership::owned_tags(&desired.tags, options));
    let Some(existing) = actual.target_groups.get(&name) else {
        return creation(address, Step::CreateTargetGroup(wanted));
    };
    if let Err(reason) = adoptable(&existing.tags(), options) {
        return not_managed(address, reason);
    }
    let (have, want) = (comparable(&existing.input), comparable(&wanted));
    let fields = diff(&have, &want);
    if let Some(member) = fields
        .iter()
        .map(|f| top(&f.path))
        .find(|m| FIXED_MEMBERS.contains(m))
    {
        return blocked(
            address,
            fields.clone(),
            Reason::TargetGroupFixed {
                member: member.to_owned(),
            },
        );
    }
    let changed = |member: &str| fields.iter().any(|f| top(&f.path) == member);
    let mut steps = Vec::new();
    if HEALTH_CHECK_MEMBERS.iter().any(|m| changed(m)) {
        let mut modify = ModifyTargetGroupInput::default();
        modify.target_group_arn = Some(existing.arn.clone());
        modify.health_check_protocol = wanted.health_check_protocol.clone();
        modify.health_check_port = wanted.health_check_port.clone();
        modify.health_check_enabled = wanted.health_check_enabled;
        modify.health_check_path = wanted.health_check_path.clone();
        modify.health_check_interval_seconds = wanted.health_check_interval_seconds;
        modify.health_check_timeout_seconds = wanted.health_check_timeout_seconds;
        modify.healthy_threshold_count = wanted.healthy_threshold_count;
        modify.unhealthy_threshold_count = wanted.unhealthy_threshold_count;
        modify.matcher = wanted.matcher.clone();
        steps.push(Step::ModifyTargetGroup(modify));
    }
    if changed("Tags") {
        steps.extend(tag_steps(&existing.arn, &have, &want));
    }
    updated(address, fields, Vec::new(), steps, false)
}

/// AddTags with the tags missing or of another value, then RemoveTags with the keys the group
/// has that the stack no longer sets (never the stack's tag, nor `aws:` keys).
pub(crate) fn tag_steps(arn: &str, have: &Value, wanted: &Value) -> Vec<Step> {
    let changes = super::TagChanges::between(have, wanted, ("Tags", "Key", "Value"));
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
    let removed = changes.removed;
    let mut steps = Vec::new();
    if !set.is_empty() {
        let mut add = ecs_model::load_balancing::AddTagsInput::default();
        add.resource_arns = Some(vec![arn.to_owned()]);
        add.tags = Some(set);
        steps.push(Step::AddTags(add));
    }
    if !removed.is_empty() {
        let mut remove = ecs_model::load_balancing::RemoveTagsInput::default();
        remove.resource_arns = Some(vec![arn.to_owned()]);
        remove.tag_keys = Some(removed);
        steps.push(Step::RemoveTags(remove));
    }
    steps
}

/// What a binding's `targetGroupArn` names, once the plan knows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Bound {
    /// An existing group: its ARN, and whether a load balancer forwards to it.
    Known { arn: String, attached: bool },
    /// The stack's group of this name, which this apply creates.
    Created,
}

/// The groups bindings may name, by what they write: each stack group's name, and `name:NAME`
/// for each group observed. A group that a listener rule of the stack forwards to (`attaching`,
/// as the rules write the groups) is attached by this apply; one of them that this apply
/// creates is left out: the service is linked to its ARN ([`created_and_attached`]).
pub(crate) fn bindable(
    stack: &ecs_model::Stack,
    changes: &[Change],
    actual: &Actual,
    attaching: &BTreeSet<String>,
) -> BTreeMap<String, Bound> {
    let mut out = BTreeMap::new();
    for (name, found) in &actual.target_groups {
        let by_rule =
            attaching.contains(name) || attaching.contains(&format!("{NAME_PREFIX}{name}"));
        let known = Bound::Known {
            arn: found.arn.clone(),
            attached: !found.load_balancers.is_empty() || by_rule,
        };
        out.insert(format!("{NAME_PREFIX}{name}"), known.clone());
        out.insert(name.clone(), known);
    }
    for group in &stack.target_groups {
        let Some(name) = group.name.clone() else {
            continue;
        };
        let creating = changes.iter().any(|c| {
            c.action == Action::Create && c.address == Address::TargetGroup { name: name.clone() }
        });
        if creating && attaching.contains(&name) {
            out.remove(&name);
        } else if creating {
            out.insert(name, Bound::Created);
        }
    }
    // A bare name binds to the stack's groups only.
    out.retain(|key, _| {
        key.starts_with(NAME_PREFIX)
            || stack
                .target_groups
                .iter()
                .any(|g| g.name.as_deref() == Some(key.as_str()))
    });
    out
}

/// The stack's groups that this apply creates and that a listener rule of the stack forwards
/// to: a service bound to one by name takes its ARN once created (a [`Link`]).
pub(crate) fn created_and_attached(
    stack: &ecs_model::Stack,
    changes: &[Change],
    attaching: &BTreeSet<String>,
) -> BTreeSet<String> {
    stack
        .target_groups
        .iter()
        .filter_map(|g| g.name.clone())
        .filter(|name| attaching.contains(name))
        .filter(|name| {
            changes.iter().any(|c| {
                c.action == Action::Create
                    && c.address == Address::TargetGroup { name: name.clone() }
            })
        })
        .collect()
}

/// `service` with each binding that names a target group rewritten to its ARN; the reason the
/// service cannot be created or updated yet, when a group it names is created by this apply,
/// used by no load balancer, or not found.
pub(crate) fn bind(
    service: &CreateServiceRequest,
    groups: &BTreeMap<String, Bound>,
) -> (CreateServiceRequest, Option<Reason>) {
    let mut out = service.clone();
    let mut blocked = None;
    for binding in out.load_balancers.iter_mut().flatten() {
        let Some(written) = binding.target_group_arn.clone() else {
            continue;
        };
        if written.starts_with("arn:") {
            continue;
        }
        match groups.get(&written) {
            Some(Bound::Known { arn, attached }) => {
                binding.target_group_arn = Some(arn.clone());
                if !attached {
                    blocked.get_or_insert(Reason::TargetGroupNotAttached {
                        target_group: written.clone(),
                        created: false,
                    });
                }
            }
            Some(Bound::Created) => {
                blocked.get_or_insert(Reason::TargetGroupNotAttached {
                    target_group: written.clone(),
                    created: true,
                });
            }
            None if written.starts_with(NAME_PREFIX) => {
                blocked.get_or_insert(Reason::TargetGroupNotFound {
                    target_group: written.clone(),
                });
            }
            None => {}
        }
    }
    (out, blocked)
}

/// `change` (a service's) held back with `reason` when it would send the bindings ECS refuses:
/// a creation or replacement, or an update of `loadBalancers`.
pub(crate) fn hold(change: Change, reason: Option<Reason>) -> Change {
    let Some(reason) = reason else {
        return change;
    };
    let sends = matches!(change.action, Action::Create | Action::Replace)
        || (change.action != Action::NotManaged
            && change
                .fields
                .iter()
                .any(|f| top(&f.path) == "loadBalancers"));
    if sends {
        blocked(change.address, change.fields, reason)
    } else {
        change
    }
}

/// Sends one ELBv2 step of a plan: a deletion of a group already gone is done; one refused
/// because a listener uses the group is [`Failure::TargetGroupInUse`].
pub(crate) async fn apply_step(clients: &Clients, step: &Step) -> Result<Value, Failure> {
    let operation = step.operation();
    match clients.call(operation, &step.input()).await {
        Ok(answer) => Ok(answer),
        Err(e) if operation == Operation::DeleteTargetGroup && e.is_not_found() => Ok(Value::Null),
        // A rule already gone is deleted (`RuleNotFound`).
        Err(e) if operation == Operation::DeleteRule && e.is_not_found() => Ok(Value::Null),
        Err(source) if operation == Operation::DeleteTargetGroup && source.is_resource_in_use() => {
            let arn = match step {
                Step::DeleteTargetGroup(r) => r.target_group_arn.clone().unwrap_or_default(),
                _ => String::new(),
            };
            Err(Failure::TargetGroupInUse {
                arn,
                source: Box::new(source),
            })
        }
        Err(e) => Err(e.into()),
    }
}

/// DeleteTargetGroup of the group `arn`.
pub(crate) fn delete_step(arn: &str) -> Step {
    let mut request = DeleteTargetGroupInput::default();
    request.target_group_arn = Some(arn.to_owned());
    Step::DeleteTargetGroup(request)
}

/// The deletion of every target group observed that carries the stack's tag and that
/// `desired` no longer holds; planned after the services, so that it runs once they are gone.
pub(crate) fn prune(
    desired: &ecs_model::Stack,
    actual: &Actual,
    options: &Options,
    removal: Removal,
) -> Vec<Change> {
    actual
        .target_groups
        .iter()
        .filter(|(name, _)| {
            !desired
                .target_groups
                .iter()
                .any(|g| g.name.as_deref() == Some(name.as_str()))
        })
        .filter(|(_, found)| ownership(&found.tags(), options).is_ok())
        .map(|(name, found)| Change {
            address: Address::TargetGroup { name: name.clone() },
            action: Action::Delete,
            fields: diff(&to_json(&found.input), &Value::Null),
            kept: Vec::new(),
            reason: Some(Reason::Removed { removal }),
            steps: vec![delete_step(&found.arn)],
            rollback: None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn group(value: Value) -> CreateTargetGroupInput {
        ecs_model::load::from_value::<CreateTargetGroupInput>(&value)
            .value
            .expect("a target group")
    }

    fn observed(input: Value, attached: bool) -> ObservedTargetGroup {
        ObservedTargetGroup {
            arn: "arn:aws:elasticloadbalancing:us-east-1:1:targetgroup/web/1".to_owned(),
            load_balancers: if attached {
                vec!["arn:lb".to_owned()]
            } else {
                vec![]
            },
            input: group(input),
        }
    }

    fn stack_group() -> Value {
        json!({"Name": "web", "Protocol": "HTTP", "Port": 80, "VpcId": "vpc-1",
               "TargetType": "ip", "HealthCheckPath": "/health"})
    }

    /// What AWS shows for the group the planner created from `stack_group`.
    fn as_created(options: &Options) -> Value {
        let mut wanted = with_defaults(&group(stack_group()));
        wanted.tags = Some(crate::ownership::owned_tags(&None, options));
        to_json(&wanted)
    }

    #[test]
    fn the_creation_sends_every_health_check_default_and_the_stack_tag() {
        let options = Options::new("demo");
        let change = plan(&group(stack_group()), &Actual::default(), &options);
        assert_eq!(change.action, Action::Create);
        let input = change.steps[0].input();
        assert_eq!(change.steps[0].operation(), Operation::CreateTargetGroup);
        assert_eq!(input["HealthCheckTimeoutSeconds"], 6);
        assert_eq!(input["HealthCheckPort"], "traffic-port");
        assert_eq!(input["Matcher"], json!({"HttpCode": "200"}));
        assert_eq!(input["HealthCheckPath"], "/health");
        assert_eq!(input["ProtocolVersion"], "HTTP1");
        assert_eq!(input["Tags"], json!([{"Key": STACK_TAG, "Value": "demo"}]));
    }

    #[test]
    fn what_was_created_plans_no_change_and_a_health_check_change_one_modify() {
        let options = Options::new("demo");
        let mut actual = Actual::default();
        actual
            .target_groups
            .insert("web".into(), observed(as_created(&options), true));
        let change = plan(&group(stack_group()), &actual, &options);
        assert_eq!(change.action, Action::NoChange, "{:?}", change.fields);
        let mut changed = stack_group();
        changed["HealthCheckIntervalSeconds"] = json!(15);
        let change = plan(&group(changed), &actual, &options);
        assert_eq!(change.action, Action::Update);
        assert_eq!(change.steps.len(), 1);
        assert_eq!(change.steps[0].operation(), Operation::ModifyTargetGroup);
        assert_eq!(change.steps[0].input()["HealthCheckIntervalSeconds"], 15);
    }

    #[test]
    fn a_fixed_member_blocks_with_a_hint_to_rename() {
        let options = Options::new("demo");
        let mut actual = Actual::default();
        actual
            .target_groups
            .insert("web".into(), observed(as_created(&options), true));
        let mut changed = stack_group();
        changed["Port"] = json!(8080);
        let change = plan(&group(changed), &actual, &options);
        assert_eq!(change.action, Action::Blocked);
        assert!(change.steps.is_empty());
        assert_eq!(
            change.reason,
            Some(Reason::TargetGroupFixed {
                member: "Port".into()
            })
        );
    }

    #[test]
    fn a_group_without_the_stack_tag_is_not_managed_nor_pruned() {
        let options = Options::new("demo");
        let mut actual = Actual::default();
        actual
            .target_groups
            .insert("web".into(), observed(stack_group(), true));
        let change = plan(&group(stack_group()), &actual, &options);
        assert_eq!(change.action, Action::NotManaged);
        let empty = ecs_model::Stack::default();
        assert!(prune(&empty, &actual, &options, Removal::Pruned).is_empty());
        actual
            .target_groups
            .insert("old".into(), observed(as_created(&options), false));
        let pruned = prune(&empty, &actual, &options, Removal::Pruned);
        assert_eq!(pruned.len(), 1);
        assert_eq!(pruned[0].steps[0].operation(), Operation::DeleteTargetGroup);
    }

    fn service(target: &str) -> CreateServiceRequest {
        ecs_model::load::from_value::<CreateServiceRequest>(&json!({
            "serviceName": "api", "taskDefinition": "api",
            "loadBalancers": [{"targetGroupArn": target, "containerName": "api", "containerPort": 80}]
        }))
        .value
        .expect("a service")
    }

    #[test]
    fn bindings_by_name_take_the_arn_or_block_until_a_load_balancer_uses_the_group() {
        let options = Options::new("demo");
        let stack = ecs_model::load::from_value::<ecs_model::Stack>(
            &json!({"targetGroups": [stack_group()]}),
        )
        .value
        .expect("a stack");
        // Created by this apply: blocked, nothing can attach it first.
        let changes = vec![plan(&stack.target_groups[0], &Actual::default(), &options)];
        let groups = bindable(&stack, &changes, &Actual::default(), &BTreeSet::new());
        let (_, reason) = bind(&service("web"), &groups);
        assert!(matches!(
            reason,
            Some(Reason::TargetGroupNotAttached { created: true, .. })
        ));
        // Existing and attached: the ARN.
        let mut actual = Actual::default();
        actual
            .target_groups
            .insert("web".into(), observed(as_created(&options), true));
        let groups = bindable(&stack, &[], &actual, &BTreeSet::new());
        let (bound, reason) = bind(&service("web"), &groups);
        assert_eq!(reason, None);
        let arn = bound
            .load_balancers
            .as_ref()
            .and_then(|l| l[0].target_group_arn.clone());
        assert_eq!(
            arn.as_deref(),
            Some(actual.target_groups["web"].arn.as_str())
        );
        // Looked up, and missing.
        let (_, reason) = bind(&service("name:other"), &groups);
        assert!(matches!(reason, Some(Reason::TargetGroupNotFound { .. })));
        // An ARN is left as written.
        let (bound, reason) = bind(&service("arn:aws:x"), &groups);
        assert_eq!(reason, None);
        assert_eq!(bound, service("arn:aws:x"));
    }
}
