//! Planning: the desired stack against the actual state, as a list of changes with field-level
//! differences. Pure data: no AWS call happens here, so every case is a unit test.
//!
//! Both sides are put in the same form first: the actual resources (describe outputs) are
//! rendered back into the API inputs that would create them, and both are normalized with
//! `ecs_model::normalize`, which fills in AWS's defaults. So a member AWS defaults never shows
//! as a change, and an unchanged stack plans to no change at all.

use std::collections::BTreeMap;

use ecs_model::normalize;
use ecs_model::types::{
    CreateCapacityProviderRequest, CreateClusterRequest, CreateServiceRequest,
    RegisterTaskDefinitionRequest, Tag,
};
use ecs_model::{JsonPath, Stack};
use serde::Serialize;
use serde_json::{Map, Value, json};

use crate::aws::Operation;
use crate::diff::{FieldDiff, diff, get};

/// The tag that marks a resource as managed by a stack of this tool; its value is the stack's
/// name. Resources without it are never changed or deleted.
pub const STACK_TAG: &str = "ecs-rs:stack";

/// How to plan.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct Options {
    /// The stack's name: the value of the [`STACK_TAG`] on every resource it creates.
    pub stack: String,
    /// Members whose actual value is kept, because someone else owns them.
    pub leave: Vec<Leave>,
    /// Delete the resources carrying this stack's tag that the stack no longer names.
    pub prune: bool,
    /// Keep only the newest N ACTIVE revisions of each family of the stack, plus the ones a
    /// service runs; deregister older ones. `None` (the default) keeps every revision.
    pub keep_revisions: Option<usize>,
}

impl Options {
    /// Options for the stack `name`, owning every member.
    pub fn new(name: impl Into<String>) -> Self {
        Self {
            stack: name.into(),
            leave: Vec::new(),
            prune: false,
            keep_revisions: None,
        }
    }

    /// Deletes the resources carrying this stack's tag that the stack no longer names
    /// (observing then also lists the account's clusters, task definition families and the
    /// services of the clusters involved, to find them).
    pub fn prune(mut self, prune: bool) -> Self {
        self.prune = prune;
        self
    }

    /// Keeps only the newest `n` ACTIVE revisions of each family of the stack (the one an
    /// apply registers counts), plus every revision a service observed runs; older ones are
    /// deregistered. At least 1.
    pub fn keep_revisions(mut self, n: usize) -> Self {
        self.keep_revisions = Some(n.max(1));
        self
    }

    /// Leaves a member to someone else.
    pub fn leave(mut self, leave: Leave) -> Self {
        self.leave.push(leave);
        self
    }
}

/// A member the stack leaves to someone else: planning keeps its actual value and says so.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Leave {
    /// Services' `desiredCount`, owned by Application Auto Scaling: every service, or the one
    /// named.
    DesiredCount {
        /// The service's name; `None` for every service.
        service: Option<String>,
    },
    /// Containers' `image`, owned by a CI pipeline that deploys new images: every container
    /// of every task definition, or one family, or one container of it.
    Image {
        /// The task definition family; `None` for every family.
        family: Option<String>,
        /// The container's name; `None` for every container.
        container: Option<String>,
    },
}

/// What AWS has now, for the resources the stack names.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct Actual {
    /// ACTIVE capacity providers by name.
    pub capacity_providers: BTreeMap<String, Existing<CreateCapacityProviderRequest>>,
    /// ACTIVE clusters by name.
    pub clusters: BTreeMap<String, Existing<CreateClusterRequest>>,
    /// The latest ACTIVE revision of each family.
    pub task_definitions: BTreeMap<String, Existing<RegisterTaskDefinitionRequest>>,
    /// ACTIVE services by cluster name and service name.
    pub services: BTreeMap<(String, String), Existing<CreateServiceRequest>>,
    /// The ACTIVE revisions of the families whose old revisions may be deregistered (pruned
    /// families, and families with more revisions than [`Options::keep_revisions`]).
    pub revisions: BTreeMap<String, Vec<Revision>>,
}

/// One revision of a task definition family.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Revision {
    /// Its number.
    pub number: i64,
    /// Its ARN.
    pub arn: String,
}

impl Revision {
    /// The revision `number` with ARN `arn`.
    pub fn new(number: i64, arn: impl Into<String>) -> Self {
        Self {
            number,
            arn: arn.into(),
        }
    }

    /// The revision an ARN (`arn:...:task-definition/web:3`) or `family:revision` names.
    pub fn from_arn(arn: &str) -> Option<Self> {
        let (_, number) = arn.rsplit_once(':')?;
        Some(Self::new(number.parse().ok()?, arn))
    }
}

/// A cluster's name, from its ARN (`arn:aws:ecs:...:cluster/NAME`) or from itself.
pub fn cluster_name(reference: &str) -> &str {
    reference
        .rsplit_once(":cluster/")
        .map_or(reference, |(_, name)| name)
}

/// `family:revision`, from an ARN or from itself.
fn family_revision(reference: &str) -> &str {
    reference
        .rsplit_once('/')
        .map_or(reference, |(_, tail)| tail)
}

/// A resource that exists, rendered as the API input that would create it.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Existing<T> {
    /// Its ARN.
    pub arn: String,
    /// The input that would create it as it is (tags included).
    pub input: T,
    /// For a task definition, its revision.
    pub revision: Option<i64>,
}

impl<T> Existing<T> {
    /// A resource that exists.
    pub fn new(arn: impl Into<String>, input: T) -> Self {
        Self {
            arn: arn.into(),
            input,
            revision: None,
        }
    }
}

/// Which resource a change is about.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
#[non_exhaustive]
pub enum Address {
    /// A capacity provider, by name.
    CapacityProvider {
        /// Its name.
        name: String,
    },
    /// A cluster, by name.
    Cluster {
        /// Its name.
        name: String,
    },
    /// A task definition family.
    TaskDefinition {
        /// The family.
        family: String,
    },
    /// A service, by cluster and name.
    Service {
        /// Its cluster's name.
        cluster: String,
        /// Its name.
        name: String,
    },
    /// The old revisions of a task definition family, beyond the ones kept.
    Revisions {
        /// The family.
        family: String,
    },
}

impl std::fmt::Display for Address {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::CapacityProvider { name } => write!(f, "capacity provider {name}"),
            Self::Cluster { name } => write!(f, "cluster {name}"),
            Self::TaskDefinition { family } => write!(f, "task definition {family}"),
            Self::Service { cluster, name } => write!(f, "service {cluster}/{name}"),
            Self::Revisions { family } => write!(f, "old revisions of {family}"),
        }
    }
}

/// What happens to a resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum Action {
    /// Nothing: AWS already matches.
    NoChange,
    /// Created.
    Create,
    /// A new revision of the task definition is registered.
    Register,
    /// Updated in place.
    Update,
    /// Updated in place, which starts a new deployment of the service's tasks.
    UpdateAndDeploy,
    /// Deleted and created again: a member that cannot be updated changes.
    Replace,
    /// Deleted (a service or cluster), or deregistered (task definition revisions): it carries
    /// the stack's tag but the stack no longer names it, and the plan prunes; or old revisions
    /// beyond the ones kept.
    Delete,
    /// Left alone: it exists but this stack does not manage it (no ownership tag, or another
    /// stack's).
    NotManaged,
    /// AWS differs from the stack, but no call can make it match safely (a capacity provider's
    /// Auto Scaling group changes, which AWS only allows through a new provider): nothing is
    /// done, and the reason says what to do instead.
    Blocked,
}

/// A member kept at its actual value because someone else owns it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct Kept {
    /// Where, from the resource's root.
    #[serde(serialize_with = "path_string")]
    pub path: JsonPath,
    /// The actual value, kept.
    pub value: Value,
    /// Who owns it, in words: "autoscaling", "CI".
    pub owner: &'static str,
}

fn path_string<S: serde::Serializer>(path: &JsonPath, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(&path.to_string())
}

/// One API call of a change.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct Step {
    /// The operation.
    pub operation: Operation,
    /// Its input, as AWS JSON.
    pub input: Value,
}

impl Serialize for Operation {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.name())
    }
}

/// The change to one resource.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct Change {
    /// The resource.
    pub address: Address,
    /// What happens to it.
    pub action: Action,
    /// The members that change, from the resource's root (every member for a creation).
    pub fields: Vec<FieldDiff>,
    /// The members kept at their actual value because someone else owns them.
    pub kept: Vec<Kept>,
    /// Why, when the action needs a reason (a replacement, a resource not managed).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The calls that carry it out, in order.
    pub steps: Vec<Step>,
    /// For a service update that starts a deployment: the call that puts the service back on
    /// the revision it runs now, should the deployment fail.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rollback: Option<Step>,
}

/// The changes that make AWS match a stack.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct Plan {
    /// The stack's name.
    pub stack: String,
    /// Every resource of the stack, in apply order: capacity providers, clusters, task
    /// definitions, services; then old revisions, and the deletions of a prune.
    pub changes: Vec<Change>,
}

impl Plan {
    /// Whether applying the plan would change anything.
    ///
    /// ```
    /// # use ecs_deploy::plan::{plan, Actual, Options};
    /// let plan = plan(&ecs_model::Stack::default(), &Actual::default(), &Options::new("demo"));
    /// assert!(!plan.has_changes());
    /// ```
    pub fn has_changes(&self) -> bool {
        self.changes
            .iter()
            .any(|c| !matches!(c.action, Action::NoChange | Action::NotManaged))
    }

    /// How many resources each action touches.
    pub fn summary(&self) -> BTreeMap<&'static str, usize> {
        let mut out = BTreeMap::new();
        for change in &self.changes {
            let key = match change.action {
                Action::NoChange => "unchanged",
                Action::Create => "create",
                Action::Register => "register",
                Action::Update | Action::UpdateAndDeploy => "update",
                Action::Replace => "replace",
                Action::Delete => "delete",
                Action::NotManaged => "not managed",
                Action::Blocked => "blocked",
            };
            *out.entry(key).or_default() += 1;
        }
        out
    }
}

/// Plans the changes that make `actual` match `desired`.
pub fn plan(desired: &Stack, actual: &Actual, options: &Options) -> Plan {
    let mut changes = Vec::new();
    for provider in &desired.capacity_providers {
        changes.push(plan_capacity_provider(provider, actual, options));
    }
    for cluster in &desired.clusters {
        changes.push(plan_cluster(cluster, actual, options));
    }
    let mut registering = Vec::new();
    for td in &desired.task_definitions {
        let change = plan_task_definition(td, actual, options);
        if change.action == Action::Register || change.action == Action::Create {
            registering.push(td.family.clone().unwrap_or_default());
        }
        changes.push(change);
    }
    for service in &desired.services {
        changes.push(plan_service(service, actual, options, &registering));
    }
    let in_use = in_use(desired, actual, &[]);
    if let Some(keep) = options.keep_revisions {
        for td in &desired.task_definitions {
            let family = td.family.clone().unwrap_or_default();
            let managed = actual
                .task_definitions
                .get(&family)
                .is_some_and(|e| ownership(&e.input.tags, options).is_ok());
            let keep = keep.saturating_sub(usize::from(registering.contains(&family)));
            if managed && let Some(change) = retire_revisions(&family, keep, actual, &in_use) {
                changes.push(change);
            }
        }
    }
    if options.prune {
        changes.extend(prune(desired, actual, options, PRUNED));
    }
    Plan {
        stack: options.stack.clone(),
        changes,
    }
}

/// Plans the deletion of every resource of `actual` that carries the stack's tag: `ecs-deploy
/// destroy`. The resources `named` (the stack file) that exist but are not the stack's are
/// listed as not managed, so the plan says why they stay.
pub fn destroy(named: &Stack, actual: &Actual, options: &Options) -> Plan {
    let mut changes = Vec::new();
    let leftover = |tags: &Option<Vec<Tag>>, address: Address| {
        ownership(tags, options)
            .err()
            .map(|reason| not_managed(address, reason))
    };
    /// The resources named `names` that exist in `existing`, with their tags.
    fn found<'a, T: 'a>(
        names: impl Iterator<Item = &'a String>,
        existing: &'a BTreeMap<String, Existing<T>>,
        tags: fn(&T) -> &Option<Vec<Tag>>,
    ) -> impl Iterator<Item = (&'a Option<Vec<Tag>>, String)> {
        names.filter_map(move |name| Some((tags(&existing.get(name)?.input), name.clone())))
    }
    let clusters = named
        .clusters
        .iter()
        .filter_map(|c| c.cluster_name.as_ref());
    for (tags, name) in found(clusters, &actual.clusters, |c| &c.tags) {
        changes.extend(leftover(tags, Address::Cluster { name }));
    }
    let families = named
        .task_definitions
        .iter()
        .filter_map(|t| t.family.as_ref());
    for (tags, family) in found(families, &actual.task_definitions, |t| &t.tags) {
        changes.extend(leftover(tags, Address::TaskDefinition { family }));
    }
    let providers = named
        .capacity_providers
        .iter()
        .filter_map(|c| c.name.as_ref());
    for (tags, name) in found(providers, &actual.capacity_providers, |p| &p.tags) {
        changes.extend(leftover(tags, Address::CapacityProvider { name }));
    }
    for service in &named.services {
        let key = service_key(service);
        if let Some(existing) = actual.services.get(&key) {
            let (cluster, name) = key;
            changes.extend(leftover(
                &existing.input.tags,
                Address::Service { cluster, name },
            ));
        }
    }
    let empty = Stack::default();
    changes.extend(prune(&empty, actual, options, "the stack is destroyed"));
    Plan {
        stack: options.stack.clone(),
        changes,
    }
}

/// A service's key in [`Actual::services`]: its cluster's name (`default` when unset) and its
/// name.
fn service_key(service: &CreateServiceRequest) -> (String, String) {
    (
        cluster_name(service.cluster.as_deref().unwrap_or("default")).to_owned(),
        service.service_name.clone().unwrap_or_default(),
    )
}

/// The revisions (`family:N`) services run: the ones observed (but for the services `deleted`),
/// and the ones the stack names by ARN or revision.
fn in_use(desired: &Stack, actual: &Actual, deleted: &[(String, String)]) -> Vec<String> {
    actual
        .services
        .iter()
        .filter(|(key, _)| !deleted.contains(key))
        .filter_map(|(_, s)| s.input.task_definition.as_deref())
        .chain(
            desired
                .services
                .iter()
                .filter_map(|s| s.task_definition.as_deref()),
        )
        .map(|t| family_revision(t).to_owned())
        .collect()
}

/// The deregistration of the ACTIVE revisions of `family` beyond the newest `keep` and the
/// ones in use; `None` when there is none to deregister.
fn retire_revisions(
    family: &str,
    keep: usize,
    actual: &Actual,
    in_use: &[String],
) -> Option<Change> {
    let mut revisions = actual.revisions.get(family)?.clone();
    revisions.sort_by_key(|r| std::cmp::Reverse(r.number));
    let retired: Vec<&Revision> = revisions
        .iter()
        .enumerate()
        .filter(|(i, r)| *i >= keep && !in_use.iter().any(|u| u == family_revision(&r.arn)))
        .map(|(_, r)| r)
        .collect();
    if retired.is_empty() {
        return None;
    }
    let names: Vec<String> = retired
        .iter()
        .map(|r| family_revision(&r.arn).to_owned())
        .collect();
    Some(Change {
        address: Address::Revisions {
            family: family.to_owned(),
        },
        action: Action::Delete,
        fields: Vec::new(),
        kept: Vec::new(),
        reason: Some(format!(
            "deregister {} (only the newest {keep} ACTIVE revisions and the ones services run \
             are kept)",
            names.join(", ")
        )),
        steps: retired
            .iter()
            .map(|r| Step {
                operation: Operation::DeregisterTaskDefinition,
                input: json!({"taskDefinition": r.arn}),
            })
            .collect(),
        rollback: None,
    })
}

/// A deletion: every top-level member of `before` goes.
fn deletion(address: Address, before: Value, reason: Option<String>, steps: Vec<Step>) -> Change {
    let fields = diff(&before, &Value::Object(Map::new()));
    Change {
        address,
        action: Action::Delete,
        fields,
        kept: Vec::new(),
        reason,
        steps,
        rollback: None,
    }
}

/// Why [`prune`] deletes a resource, when the plan prunes.
const PRUNED: &str = "the stack no longer names it";

/// The deletions of the resources of `actual` that carry the stack's tag and that `desired`
/// does not name: services, then task definition families, then clusters (a cluster holding
/// a service this stack does not manage is kept, and said so).
fn prune(desired: &Stack, actual: &Actual, options: &Options, why: &str) -> Vec<Change> {
    let mut changes = Vec::new();
    let wanted_services: Vec<(String, String)> = desired.services.iter().map(service_key).collect();
    let mut deleted_services = Vec::new();
    for (key, existing) in &actual.services {
        if wanted_services.contains(key) || ownership(&existing.input.tags, options).is_err() {
            continue;
        }
        let (cluster, name) = key.clone();
        deleted_services.push(key.clone());
        changes.push(deletion(
            Address::Service {
                cluster: cluster.clone(),
                name: name.clone(),
            },
            to_json(&existing.input),
            Some(why.to_owned()),
            vec![Step {
                operation: Operation::DeleteService,
                input: json!({"cluster": cluster, "service": name, "force": true}),
            }],
        ));
    }
    // The stack's families, and the ones its services run by family name (the latest
    // revision, which a service of the stack is about to run).
    let wanted_families: Vec<&str> = desired
        .task_definitions
        .iter()
        .filter_map(|t| t.family.as_deref())
        .chain(
            desired
                .services
                .iter()
                .filter_map(|s| s.task_definition.as_deref())
                .filter(|t| !t.contains(':')),
        )
        .collect();
    // The revisions services keep running after this apply: the ones not deleted, and the
    // ones the stack names by revision.
    let still_used = in_use(desired, actual, &deleted_services);
    for (family, existing) in &actual.task_definitions {
        if wanted_families.contains(&family.as_str())
            || ownership(&existing.input.tags, options).is_err()
        {
            continue;
        }
        let revisions = actual
            .revisions
            .get(family)
            .cloned()
            .or_else(|| Revision::from_arn(&existing.arn).map(|r| vec![r]))
            .unwrap_or_default();
        let (kept, retired): (Vec<Revision>, Vec<Revision>) = revisions
            .into_iter()
            .partition(|r| still_used.iter().any(|u| u == family_revision(&r.arn)));
        if retired.is_empty() {
            continue;
        }
        let mut names: Vec<String> = retired
            .iter()
            .map(|r| family_revision(&r.arn).to_owned())
            .collect();
        names.sort();
        let mut reason = format!("{why}: deregister {}", names.join(", "));
        if !kept.is_empty() {
            let kept: Vec<&str> = kept.iter().map(|r| family_revision(&r.arn)).collect();
            reason.push_str(&format!(" ({} kept: a service runs it)", kept.join(", ")));
        }
        changes.push(deletion(
            Address::TaskDefinition {
                family: family.clone(),
            },
            to_json(&existing.input),
            Some(reason),
            retired
                .iter()
                .map(|r| Step {
                    operation: Operation::DeregisterTaskDefinition,
                    input: json!({"taskDefinition": r.arn}),
                })
                .collect(),
        ));
    }
    let wanted_clusters: Vec<&str> = desired
        .clusters
        .iter()
        .filter_map(|c| c.cluster_name.as_deref())
        .collect();
    let mut deleted_clusters: Vec<&str> = Vec::new();
    for (name, existing) in &actual.clusters {
        if wanted_clusters.contains(&name.as_str())
            || ownership(&existing.input.tags, options).is_err()
        {
            continue;
        }
        let address = Address::Cluster { name: name.clone() };
        // Services that stay in the cluster: the stack's own, and others'.
        let staying: Vec<&str> = actual
            .services
            .keys()
            .chain(wanted_services.iter())
            .filter(|key| &key.0 == name && !deleted_services.contains(key))
            .map(|key| key.1.as_str())
            .collect();
        if !staying.is_empty() {
            let mut staying = staying;
            staying.sort_unstable();
            staying.dedup();
            changes.push(not_managed(
                address,
                format!(
                    "{why}, but it is kept: it holds services that stay ({})",
                    staying.join(", ")
                ),
            ));
            continue;
        }
        deleted_clusters.push(name);
        changes.push(deletion(
            address,
            to_json(&existing.input),
            Some(why.to_owned()),
            vec![Step {
                operation: Operation::DeleteCluster,
                input: json!({"cluster": name}),
            }],
        ));
    }
    let wanted_providers: Vec<&str> = desired
        .capacity_providers
        .iter()
        .filter_map(|c| c.name.as_deref())
        .collect();
    for (name, existing) in &actual.capacity_providers {
        if wanted_providers.contains(&name.as_str())
            || ownership(&existing.input.tags, options).is_err()
        {
            continue;
        }
        let address = Address::CapacityProvider { name: name.clone() };
        // Clusters that stay and use it: the stack's as it wants them, and every other cluster
        // this plan does not delete (others', and the stack's kept for others' services).
        let mut users: Vec<&str> = desired
            .clusters
            .iter()
            .filter(|c| c.capacity_providers.iter().flatten().any(|p| p == name))
            .filter_map(|c| c.cluster_name.as_deref())
            .chain(
                actual
                    .clusters
                    .iter()
                    .filter(|(cluster, c)| {
                        !wanted_clusters.contains(&cluster.as_str())
                            && !deleted_clusters.contains(&cluster.as_str())
                            && c.input
                                .capacity_providers
                                .iter()
                                .flatten()
                                .any(|p| p == name)
                    })
                    .map(|(cluster, _)| cluster.as_str()),
            )
            .collect();
        if !users.is_empty() {
            users.sort_unstable();
            users.dedup();
            changes.push(not_managed(
                address,
                format!(
                    "{why}, but it is kept: clusters that stay use it ({})",
                    users.join(", ")
                ),
            ));
            continue;
        }
        changes.push(deletion(
            address,
            to_json(&existing.input),
            Some(why.to_owned()),
            vec![Step {
                operation: Operation::DeleteCapacityProvider,
                input: json!({"capacityProvider": name}),
            }],
        ));
    }
    changes
}

/// `tags` with the stack's ownership tag set.
fn owned_tags(tags: &Option<Vec<Tag>>, options: &Options) -> Vec<Tag> {
    let mut out: Vec<Tag> = tags
        .iter()
        .flatten()
        .filter(|t| t.key.as_deref() != Some(STACK_TAG))
        .cloned()
        .collect();
    let mut tag = Tag::default();
    tag.key = Some(STACK_TAG.to_owned());
    tag.value = Some(options.stack.clone());
    out.push(tag);
    out
}

/// Whether `tags` hold the ownership tag ([`STACK_TAG`]) of the stack `stack`.
pub fn tagged(tags: &Option<Vec<Tag>>, stack: &str) -> bool {
    tags.iter()
        .flatten()
        .any(|t| t.key.as_deref() == Some(STACK_TAG) && t.value.as_deref() == Some(stack))
}

/// Whether `tags` say this stack manages the resource; the reason when not.
fn ownership(tags: &Option<Vec<Tag>>, options: &Options) -> Result<(), String> {
    let owner = tags
        .iter()
        .flatten()
        .find(|t| t.key.as_deref() == Some(STACK_TAG))
        .and_then(|t| t.value.clone());
    match owner {
        Some(stack) if stack == options.stack => Ok(()),
        Some(stack) => Err(format!(
            "it belongs to the stack `{stack}` ({STACK_TAG} tag)"
        )),
        None => Err(format!(
            "it exists without the {STACK_TAG} tag, so another tool or person manages it"
        )),
    }
}

fn to_json<T: Serialize>(value: &T) -> Value {
    serde_json::to_value(value).unwrap_or(Value::Null)
}

/// Both sides (already normalized) as JSON with their tags in key order, and the differences
/// from `have` to `wanted`.
fn compared<T: Serialize>(have: &T, wanted: &T) -> (Value, Value, Vec<FieldDiff>) {
    let (mut have, mut wanted) = (to_json(have), to_json(wanted));
    sort_tags(&mut have);
    sort_tags(&mut wanted);
    let fields = diff(&have, &wanted);
    (have, wanted, fields)
}

/// Sorts `tags` by key so their order never shows as a change.
fn sort_tags(value: &mut Value) {
    if let Some(Value::Array(tags)) = value.get_mut("tags") {
        tags.sort_by(|a, b| {
            a.get("key")
                .map(Value::to_string)
                .cmp(&b.get("key").map(Value::to_string))
        });
    }
}

fn creation(address: Address, operation: Operation, input: Value) -> Change {
    let fields = diff(&Value::Object(Map::new()), &input);
    Change {
        address,
        action: Action::Create,
        fields,
        kept: Vec::new(),
        reason: None,
        steps: vec![Step { operation, input }],
        rollback: None,
    }
}

fn blocked(address: Address, fields: Vec<FieldDiff>, reason: String) -> Change {
    Change {
        address,
        action: Action::Blocked,
        fields,
        kept: Vec::new(),
        reason: Some(reason),
        steps: Vec::new(),
        rollback: None,
    }
}

fn not_managed(address: Address, reason: String) -> Change {
    Change {
        address,
        action: Action::NotManaged,
        fields: Vec::new(),
        kept: Vec::new(),
        reason: Some(format!("not changed: {reason}")),
        steps: Vec::new(),
        rollback: None,
    }
}

fn plan_capacity_provider(
    desired: &CreateCapacityProviderRequest,
    actual: &Actual,
    options: &Options,
) -> Change {
    let name = desired.name.clone().unwrap_or_default();
    let address = Address::CapacityProvider { name: name.clone() };
    if desired.managed_instances_provider.is_some() {
        return blocked(
            address,
            Vec::new(),
            "Amazon ECS Managed Instances capacity providers are not planned by this version \
             (only Auto Scaling group providers are): create and change it with the AWS CLI or \
             console, and leave it out of the stack"
                .to_owned(),
        );
    }
    let mut wanted = desired.clone();
    wanted.tags = Some(owned_tags(&desired.tags, options));
    let Some(existing) = actual.capacity_providers.get(&name) else {
        return creation(address, Operation::CreateCapacityProvider, to_json(&wanted));
    };
    if let Err(reason) = ownership(&existing.input.tags, options) {
        return not_managed(address, reason);
    }
    // A group given by name is the same group as its ARN, which AWS answers with.
    if let (Some(asg), Some(have)) = (
        wanted.auto_scaling_group_provider.as_mut(),
        existing.input.auto_scaling_group_provider.as_ref(),
    ) && let (Some(given), Some(arn)) =
        (&asg.auto_scaling_group_arn, &have.auto_scaling_group_arn)
        && !given.starts_with("arn:")
        && arn.ends_with(&format!(":autoScalingGroupName/{given}"))
    {
        asg.auto_scaling_group_arn = Some(arn.clone());
    }
    // What the stack does not set in the Auto Scaling group provider is AWS's to decide, as
    // for clusters: `managedDraining` and `managedScaling` take values AWS picks (the model
    // documents no default), and leaving them out of an update keeps them.
    if let (Some(asg), Some(have)) = (
        wanted.auto_scaling_group_provider.as_mut(),
        existing.input.auto_scaling_group_provider.as_ref(),
    ) {
        if asg.managed_draining.is_none() {
            asg.managed_draining = have.managed_draining.clone();
        }
        if asg.managed_scaling.is_none() {
            asg.managed_scaling = have.managed_scaling.clone();
        }
    }
    normalize::capacity_provider(&mut wanted);
    let mut have = existing.input.clone();
    normalize::capacity_provider(&mut have);
    let (_, wanted, fields) = compared(&have, &wanted);
    // UpdateCapacityProvider changes the scaling and draining settings, not the Auto Scaling
    // group nor the cluster a provider belongs to. Deleting and creating it again under the
    // same name cannot work either: AWS deletes a provider only once no cluster uses it, and
    // takes a while to.
    if let Some(member) = fields
        .iter()
        .map(|f| f.path.to_string())
        .find(|p| p == "cluster" || p.starts_with("autoScalingGroupProvider.autoScalingGroupArn"))
    {
        return blocked(
            address,
            fields,
            format!(
                "`{member}` cannot be changed on an existing capacity provider: give the \
                 provider a new name (and the clusters that use it the new name); the old one \
                 is deleted by --prune once no cluster uses it"
            ),
        );
    }
    let changed = |member: &str| fields.iter().any(|f| top(&f.path) == member);
    let mut steps = Vec::new();
    if changed("autoScalingGroupProvider") || changed("managedInstancesProvider") {
        let mut input = json!({"name": name});
        copy_members(
            &wanted,
            &mut input,
            &["cluster", "managedInstancesProvider"],
        );
        if let Some(asg) = wanted.get("autoScalingGroupProvider") {
            let mut update = json!({});
            copy_members(
                asg,
                &mut update,
                &[
                    "managedScaling",
                    "managedTerminationProtection",
                    "managedDraining",
                ],
            );
            input["autoScalingGroupProvider"] = update;
        }
        steps.push(Step {
            operation: Operation::UpdateCapacityProvider,
            input,
        });
    }
    if changed("tags") {
        steps.push(Step {
            operation: Operation::TagResource,
            input: json!({"resourceArn": existing.arn, "tags": wanted.get("tags")}),
        });
    }
    updated(address, fields, Vec::new(), steps, false)
}

fn plan_cluster(desired: &CreateClusterRequest, actual: &Actual, options: &Options) -> Change {
    let name = desired.cluster_name.clone().unwrap_or_default();
    let address = Address::Cluster { name: name.clone() };
    let mut wanted = desired.clone();
    wanted.tags = Some(owned_tags(&desired.tags, options));
    let Some(existing) = actual.clusters.get(&name) else {
        return creation(address, Operation::CreateCluster, to_json(&wanted));
    };
    if let Err(reason) = ownership(&existing.input.tags, options) {
        return not_managed(address, reason);
    }
    // What the stack does not set is AWS's to decide: `settings` default to the account's
    // containerInsights setting, which no request shows, so an unset member keeps its value.
    if wanted.settings.is_none() {
        wanted.settings = existing.input.settings.clone();
    }
    if wanted.configuration.is_none() {
        wanted.configuration = existing.input.configuration.clone();
    }
    if wanted.service_connect_defaults.is_none() {
        wanted.service_connect_defaults = existing.input.service_connect_defaults.clone();
    }
    normalize::cluster(&mut wanted);
    let mut have = existing.input.clone();
    normalize::cluster(&mut have);
    let (_, wanted, fields) = compared(&have, &wanted);
    let changed = |member: &str| fields.iter().any(|f| top(&f.path) == member);
    let mut steps = Vec::new();
    if ["settings", "configuration", "serviceConnectDefaults"]
        .iter()
        .any(|m| changed(m))
    {
        let mut input = json!({"cluster": name});
        copy_members(
            &wanted,
            &mut input,
            &["settings", "configuration", "serviceConnectDefaults"],
        );
        steps.push(Step {
            operation: Operation::UpdateCluster,
            input,
        });
    }
    if changed("capacityProviders") || changed("defaultCapacityProviderStrategy") {
        steps.push(Step {
            operation: Operation::PutClusterCapacityProviders,
            input: json!({
                "cluster": name,
                "capacityProviders": wanted.get("capacityProviders").cloned().unwrap_or(json!([])),
                "defaultCapacityProviderStrategy":
                    wanted.get("defaultCapacityProviderStrategy").cloned().unwrap_or(json!([])),
            }),
        });
    }
    if changed("tags") {
        steps.push(Step {
            operation: Operation::TagResource,
            input: json!({"resourceArn": existing.arn, "tags": wanted.get("tags")}),
        });
    }
    updated(address, fields, Vec::new(), steps, false)
}

fn updated(
    address: Address,
    fields: Vec<FieldDiff>,
    kept: Vec<Kept>,
    steps: Vec<Step>,
    deploys: bool,
) -> Change {
    let action = if fields.is_empty() {
        Action::NoChange
    } else if deploys {
        Action::UpdateAndDeploy
    } else {
        Action::Update
    };
    Change {
        address,
        action,
        fields,
        kept,
        reason: None,
        steps: if action == Action::NoChange {
            Vec::new()
        } else {
            steps
        },
        rollback: None,
    }
}

/// The first key of `path`: the top-level member a difference is in.
fn top(path: &JsonPath) -> &str {
    match path.segments().first() {
        Some(ecs_model::PathSegment::Key(key)) => key,
        _ => "",
    }
}

fn copy_members(from: &Value, to: &mut Value, members: &[&str]) {
    for member in members {
        if let (Some(value), Some(object)) = (from.get(*member), to.as_object_mut()) {
            object.insert((*member).to_owned(), value.clone());
        }
    }
}

fn plan_task_definition(
    desired: &RegisterTaskDefinitionRequest,
    actual: &Actual,
    options: &Options,
) -> Change {
    let family = desired.family.clone().unwrap_or_default();
    let address = Address::TaskDefinition {
        family: family.clone(),
    };
    let mut wanted = desired.clone();
    wanted.tags = Some(owned_tags(&desired.tags, options));
    let Some(existing) = actual.task_definitions.get(&family) else {
        return creation(address, Operation::RegisterTaskDefinition, to_json(&wanted));
    };
    if let Err(reason) = ownership(&existing.input.tags, options) {
        return not_managed(address, reason);
    }
    let kept = leave_images(&mut wanted, &existing.input, &family, options);
    let mut request = wanted.clone();
    normalize::task_definition(&mut wanted);
    let mut have = existing.input.clone();
    normalize::task_definition(&mut have);
    let (_, _, fields) = compared(&have, &wanted);
    if fields.is_empty() {
        return updated(address, fields, kept, Vec::new(), false);
    }
    request.tags = wanted.tags.clone();
    Change {
        address,
        action: Action::Register,
        fields,
        kept,
        reason: existing
            .revision
            .map(|r| format!("revision {r} differs; a new revision is registered")),
        steps: vec![Step {
            operation: Operation::RegisterTaskDefinition,
            input: to_json(&request),
        }],
        rollback: None,
    }
}

/// Copies the actual image of each container left to CI into `wanted`.
fn leave_images(
    wanted: &mut RegisterTaskDefinitionRequest,
    have: &RegisterTaskDefinitionRequest,
    family: &str,
    options: &Options,
) -> Vec<Kept> {
    let mut kept = Vec::new();
    let Some(containers) = wanted.container_definitions.as_mut() else {
        return kept;
    };
    for (index, container) in containers.iter_mut().enumerate() {
        let name = container.name.clone().unwrap_or_default();
        let left = options.leave.iter().any(|l| {
            matches!(l, Leave::Image { family: f, container: c }
                if f.as_deref().is_none_or(|f| f == family)
                    && c.as_deref().is_none_or(|c| c == name))
        });
        let actual = have
            .container_definitions
            .iter()
            .flatten()
            .find(|c| c.name.as_deref() == Some(name.as_str()))
            .and_then(|c| c.image.clone());
        if let (true, Some(image)) = (left, actual) {
            container.image = Some(image.clone());
            kept.push(Kept {
                path: JsonPath::root()
                    .key("containerDefinitions")
                    .index(index)
                    .key("image"),
                value: Value::String(image),
                owner: "CI",
            });
        }
    }
    kept
}

/// Members of a service that UpdateService cannot change: a change means a new service.
const IMMUTABLE_SERVICE_MEMBERS: &[&str] = &[
    "serviceName",
    "cluster",
    "schedulingStrategy",
    "launchType",
    "role",
    "deploymentController",
];

/// Members whose change starts a new deployment of the service's tasks.
const DEPLOYING_SERVICE_MEMBERS: &[&str] = &[
    "taskDefinition",
    "networkConfiguration",
    "platformVersion",
    "loadBalancers",
    "serviceRegistries",
    "capacityProviderStrategy",
    "placementConstraints",
    "placementStrategy",
    "serviceConnectConfiguration",
    "volumeConfigurations",
    "vpcLatticeConfigurations",
    "enableExecuteCommand",
];

fn plan_service(
    desired: &CreateServiceRequest,
    actual: &Actual,
    options: &Options,
    registering: &[String],
) -> Change {
    let (cluster, name) = service_key(desired);
    let address = Address::Service {
        cluster: cluster.clone(),
        name: name.clone(),
    };
    let mut wanted = desired.clone();
    wanted.tags = Some(owned_tags(&desired.tags, options));
    let Some(existing) = actual.services.get(&(cluster.clone(), name.clone())) else {
        return creation(address, Operation::CreateService, to_json(&wanted));
    };
    if let Err(reason) = ownership(&existing.input.tags, options) {
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
    });
    if leave_count && let Some(count) = existing.input.desired_count {
        wanted.desired_count = Some(count);
        kept.push(Kept {
            path: JsonPath::root().key("desiredCount"),
            value: Value::from(count),
            owner: "autoscaling",
        });
    }
    let mut request = wanted.clone();
    wanted.task_definition = Some(target);
    wanted.cluster = Some(cluster.clone());
    normalize::service(&mut wanted);
    let mut have = existing.input.clone();
    have.cluster = Some(cluster.clone());
    normalize::service(&mut have);
    let (_, wanted_json, fields) = compared(&have, &wanted);

    if let Some(member) = fields
        .iter()
        .map(|f| top(&f.path))
        .find(|m| IMMUTABLE_SERVICE_MEMBERS.contains(m))
    {
        return Change {
            address,
            action: Action::Replace,
            reason: Some(format!(
                "`{member}` cannot be changed on an existing service"
            )),
            fields,
            kept,
            steps: vec![
                Step {
                    operation: Operation::DeleteService,
                    input: json!({"cluster": cluster, "service": name, "force": true}),
                },
                Step {
                    operation: Operation::CreateService,
                    input: to_json(&request),
                },
            ],
            rollback: None,
        };
    }

    let deploys = fields
        .iter()
        .any(|f| DEPLOYING_SERVICE_MEMBERS.contains(&top(&f.path)));
    let mut steps = Vec::new();
    let update_members: Vec<&str> = fields
        .iter()
        .map(|f| top(&f.path))
        .filter(|m| *m != "tags")
        .collect();
    if !update_members.is_empty() {
        request.cluster = Some(cluster.clone());
        let request_json = to_json(&request);
        let mut input = json!({"cluster": cluster, "service": name});
        let mut members: Vec<&str> = update_members.clone();
        members.dedup();
        copy_members(&request_json, &mut input, &members);
        if members.contains(&"taskDefinition") || deploys {
            // The revision to run: the latest ACTIVE one's ARN, or, when this plan registers a
            // new revision, the family, which apply replaces with the ARN it registered.
            input["taskDefinition"] = Value::String(if registering.contains(&family) {
                family.clone()
            } else {
                target_arn.clone()
            });
        }
        // A member removed from the stack is sent as its AWS default (normalized form).
        for member in &members {
            if get(&input, &JsonPath::root().key(*member)).is_none()
                && let Some(default) = wanted_json.get(*member)
                && let Some(object) = input.as_object_mut()
            {
                object.insert((*member).to_owned(), default.clone());
            }
        }
        steps.push(Step {
            operation: Operation::UpdateService,
            input,
        });
    }
    if fields.iter().any(|f| top(&f.path) == "tags") {
        steps.push(Step {
            operation: Operation::TagResource,
            input: json!({"resourceArn": existing.arn, "tags": wanted_json.get("tags")}),
        });
    }
    let mut change = updated(address, fields, kept, steps, deploys);
    if change.action == Action::UpdateAndDeploy
        && let Some(previous) = existing.input.task_definition.clone()
    {
        change.rollback = Some(Step {
            operation: Operation::UpdateService,
            input: json!({"cluster": cluster, "service": name, "taskDefinition": previous}),
        });
    }
    change
}

#[cfg(test)]
mod tests {
    use super::*;
    use ecs_model::load::from_value;

    fn stack(value: Value) -> Stack {
        from_value::<Stack>(&value).value.expect("a stack")
    }

    fn webserver(image: &str) -> Value {
        json!({
            "family": "webserver",
            "containerDefinitions": [{"name": "web", "image": image, "memory": 128}]
        })
    }

    fn existing_td(image: &str, stack_name: &str) -> Existing<RegisterTaskDefinitionRequest> {
        let mut input: RegisterTaskDefinitionRequest =
            from_value(&webserver(image)).value.expect("td");
        input.tags = Some(owned_tags(&None, &Options::new(stack_name)));
        Existing {
            arn: "arn:aws:ecs:us-east-1:123456789012:task-definition/webserver:3".into(),
            input,
            revision: Some(3),
        }
    }

    #[test]
    fn a_new_family_is_registered_with_the_ownership_tag() {
        let desired = stack(json!({"taskDefinitions": [webserver("nginx:1.27")]}));
        let plan = plan(&desired, &Actual::default(), &Options::new("demo"));
        let change = &plan.changes[0];
        assert_eq!(change.action, Action::Create);
        assert_eq!(change.steps[0].operation, Operation::RegisterTaskDefinition);
        assert_eq!(change.steps[0].input["tags"][0]["key"], STACK_TAG);
        assert!(plan.has_changes());
    }

    #[test]
    fn an_unchanged_definition_plans_no_change_despite_aws_defaults() {
        let desired = stack(json!({"taskDefinitions": [webserver("nginx:1.27")]}));
        let mut actual = Actual::default();
        let mut have = existing_td("nginx:1.27", "demo");
        // AWS fills these in; normalization makes them equal to the defaults the stack omits.
        if let Some(c) = have.input.container_definitions.as_mut() {
            c[0].essential = Some(true);
            c[0].cpu = Some(0);
            c[0].environment = Some(Vec::new());
        }
        actual.task_definitions.insert("webserver".into(), have);
        let plan = plan(&desired, &actual, &Options::new("demo"));
        assert_eq!(
            plan.changes[0].action,
            Action::NoChange,
            "{:#?}",
            plan.changes[0].fields
        );
        assert!(!plan.has_changes());
    }

    #[test]
    fn an_image_bump_is_one_field() {
        let desired = stack(json!({"taskDefinitions": [webserver("nginx:1.27")]}));
        let mut actual = Actual::default();
        actual
            .task_definitions
            .insert("webserver".into(), existing_td("nginx:1.26", "demo"));
        let plan = plan(&desired, &actual, &Options::new("demo"));
        let change = &plan.changes[0];
        assert_eq!(change.action, Action::Register);
        assert_eq!(change.fields.len(), 1);
        assert_eq!(
            change.fields[0].path.to_string(),
            "containerDefinitions[0].image"
        );
    }

    #[test]
    fn an_image_left_to_ci_is_kept_and_said() {
        let desired = stack(json!({"taskDefinitions": [webserver("nginx:1.27")]}));
        let mut actual = Actual::default();
        actual
            .task_definitions
            .insert("webserver".into(), existing_td("nginx:ci-build-42", "demo"));
        let options = Options::new("demo").leave(Leave::Image {
            family: None,
            container: Some("web".into()),
        });
        let plan = plan(&desired, &actual, &options);
        assert_eq!(plan.changes[0].action, Action::NoChange);
        assert_eq!(plan.changes[0].kept[0].value, json!("nginx:ci-build-42"));
    }

    #[test]
    fn resources_of_others_are_not_managed() {
        let desired = stack(json!({"taskDefinitions": [webserver("nginx:1.27")]}));
        let mut actual = Actual::default();
        actual
            .task_definitions
            .insert("webserver".into(), existing_td("nginx:1.26", "other"));
        let plan = plan(&desired, &actual, &Options::new("demo"));
        assert_eq!(plan.changes[0].action, Action::NotManaged);
        assert!(plan.changes[0].steps.is_empty());
        assert!(!plan.has_changes());
    }

    fn service_stack(extra: Value) -> Stack {
        let mut service = json!({
            "serviceName": "web", "cluster": "demo", "taskDefinition": "webserver",
            "desiredCount": 2
        });
        if let (Some(s), Some(e)) = (service.as_object_mut(), extra.as_object()) {
            s.extend(e.clone());
        }
        stack(json!({"services": [service]}))
    }

    fn actual_service(count: i32, stack_name: &str) -> Actual {
        let mut actual = Actual::default();
        actual
            .task_definitions
            .insert("webserver".into(), existing_td("nginx:1.27", stack_name));
        let mut input: CreateServiceRequest = from_value(&json!({
            "serviceName": "web",
            "cluster": "arn:aws:ecs:us-east-1:123456789012:cluster/demo",
            "taskDefinition": "arn:aws:ecs:us-east-1:123456789012:task-definition/webserver:3",
            "desiredCount": count
        }))
        .value
        .expect("service");
        input.tags = Some(owned_tags(&None, &Options::new(stack_name)));
        actual.services.insert(
            ("demo".into(), "web".into()),
            Existing::new("arn:aws:ecs:us-east-1:123456789012:service/demo/web", input),
        );
        actual
    }

    #[test]
    fn a_service_matching_its_latest_revision_plans_no_change() {
        let plan = plan(
            &service_stack(json!({})),
            &actual_service(2, "demo"),
            &Options::new("demo"),
        );
        assert_eq!(
            plan.changes[0].action,
            Action::NoChange,
            "{:#?}",
            plan.changes[0].fields
        );
    }

    #[test]
    fn a_desired_count_left_to_autoscaling_is_not_reverted() {
        let options = Options::new("demo").leave(Leave::DesiredCount { service: None });
        let plan = plan(
            &service_stack(json!({})),
            &actual_service(7, "demo"),
            &options,
        );
        assert_eq!(plan.changes[0].action, Action::NoChange);
        assert_eq!(plan.changes[0].kept[0].owner, "autoscaling");
        let owned = super::plan(
            &service_stack(json!({})),
            &actual_service(7, "demo"),
            &Options::new("demo"),
        );
        assert_eq!(owned.changes[0].action, Action::Update);
        assert_eq!(owned.changes[0].steps[0].input["desiredCount"], 2);
    }

    #[test]
    fn a_new_revision_updates_the_service_to_the_family() {
        let mut desired = service_stack(json!({}));
        desired
            .task_definitions
            .push(from_value(&webserver("nginx:1.28")).value.expect("td"));
        let plan = plan(&desired, &actual_service(2, "demo"), &Options::new("demo"));
        assert_eq!(plan.changes[0].action, Action::Register);
        let service = &plan.changes[1];
        assert_eq!(service.action, Action::UpdateAndDeploy);
        assert_eq!(service.steps[0].input["taskDefinition"], "webserver");
        let rollback = service.rollback.as_ref().expect("a rollback step");
        assert_eq!(
            rollback.input["taskDefinition"],
            "arn:aws:ecs:us-east-1:123456789012:task-definition/webserver:3"
        );
    }

    #[test]
    fn an_immutable_member_means_replacement() {
        let plan = plan(
            &service_stack(json!({"schedulingStrategy": "DAEMON", "desiredCount": null})),
            &actual_service(2, "demo"),
            &Options::new("demo"),
        );
        assert_eq!(plan.changes[0].action, Action::Replace);
        assert!(
            plan.changes[0]
                .reason
                .as_deref()
                .unwrap_or_default()
                .contains("schedulingStrategy")
        );
    }
    fn revisions(family: &str, numbers: &[i64]) -> Vec<Revision> {
        numbers
            .iter()
            .map(|n| {
                Revision::new(
                    *n,
                    format!("arn:aws:ecs:us-east-1:123456789012:task-definition/{family}:{n}"),
                )
            })
            .collect()
    }

    #[test]
    fn old_revisions_beyond_the_kept_ones_are_deregistered_but_not_the_one_in_use() {
        let desired = service_stack(json!({}));
        let mut desired = desired;
        desired
            .task_definitions
            .push(from_value(&webserver("nginx:1.27")).value.expect("td"));
        let mut actual = actual_service(2, "demo");
        // The service runs revision 3 (see `actual_service`); 1 to 6 are ACTIVE.
        if let Some(td) = actual.task_definitions.get_mut("webserver") {
            td.arn = "arn:aws:ecs:us-east-1:123456789012:task-definition/webserver:6".into();
            td.revision = Some(6);
        }
        actual.revisions.insert(
            "webserver".into(),
            revisions("webserver", &[2, 6, 1, 3, 5, 4]),
        );
        let plan = plan(&desired, &actual, &Options::new("demo").keep_revisions(2));
        let retire = plan
            .changes
            .iter()
            .find(|c| matches!(c.address, Address::Revisions { .. }))
            .expect("old revisions go");
        assert_eq!(retire.action, Action::Delete);
        let gone: Vec<&str> = retire
            .steps
            .iter()
            .filter_map(|s| s.input["taskDefinition"].as_str())
            .map(family_revision)
            .collect();
        assert_eq!(gone, ["webserver:4", "webserver:2", "webserver:1"]);
        // Without the option, every revision stays.
        let plan = super::plan(&desired, &actual, &Options::new("demo"));
        assert!(
            !plan
                .changes
                .iter()
                .any(|c| matches!(c.address, Address::Revisions { .. }))
        );
    }

    #[test]
    fn prune_deletes_only_owned_resources_the_stack_left() {
        let mut actual = actual_service(2, "demo");
        let mut foreign = actual.services[&("demo".to_owned(), "web".to_owned())].clone();
        foreign.input.tags = None;
        actual
            .services
            .insert(("demo".into(), "by-hand".into()), foreign);
        let desired = stack(json!({}));
        let plan = plan(&desired, &actual, &Options::new("demo").prune(true));
        let deleted: Vec<String> = plan
            .changes
            .iter()
            .filter(|c| c.action == Action::Delete)
            .map(|c| c.address.to_string())
            .collect();
        // The family's revision 3 is kept: the service `by-hand` still runs it.
        assert_eq!(deleted, ["service demo/web"]);
        let step = &plan.changes[0].steps[0];
        assert_eq!(step.operation, Operation::DeleteService);
        assert_eq!(step.input["force"], true);
        // Without prune, nothing the stack does not name is planned.
        let plan = super::plan(&desired, &actual, &Options::new("demo"));
        assert!(plan.changes.is_empty());
    }

    #[test]
    fn destroy_lists_named_resources_of_others_as_not_managed() {
        let actual = actual_service(2, "someone-else");
        let plan = destroy(&service_stack(json!({})), &actual, &Options::new("demo"));
        assert_eq!(plan.changes.len(), 1);
        assert_eq!(plan.changes[0].action, Action::NotManaged);
        assert!(!plan.has_changes());
        let plan = destroy(
            &service_stack(json!({})),
            &actual_service(2, "demo"),
            &Options::new("demo"),
        );
        let mut got: Vec<(String, Action)> = plan
            .changes
            .iter()
            .map(|c| (c.address.to_string(), c.action))
            .collect();
        got.sort_by(|a, b| a.0.cmp(&b.0));
        assert_eq!(
            got,
            [
                ("service demo/web".to_owned(), Action::Delete),
                ("task definition webserver".to_owned(), Action::Delete),
            ]
        );
    }

    #[test]
    fn a_family_a_service_runs_by_name_is_not_pruned() {
        // The family left the stack's task definitions, but a service still runs it by name
        // (an external reference): its revisions stay.
        let desired = service_stack(json!({}));
        let mut actual = actual_service(2, "demo");
        // The service runs revision 3; revision 4, the latest, is what it is about to run.
        if let Some(td) = actual.task_definitions.get_mut("webserver") {
            td.arn = "arn:aws:ecs:us-east-1:123456789012:task-definition/webserver:4".into();
        }
        let plan = plan(&desired, &actual, &Options::new("demo").prune(true));
        assert!(
            plan.changes.iter().all(|c| c.action != Action::Delete),
            "{:#?}",
            plan.changes
        );
    }

    fn cluster_using(
        name: &str,
        provider: &str,
        stack_name: &str,
    ) -> Existing<CreateClusterRequest> {
        let mut input: CreateClusterRequest =
            from_value(&json!({"clusterName": name, "capacityProviders": [provider]}))
                .value
                .expect("cluster");
        input.tags = Some(owned_tags(&None, &Options::new(stack_name)));
        Existing::new(format!("arn:aws:ecs:us-east-1:1:cluster/{name}"), input)
    }

    #[test]
    fn a_provider_a_kept_cluster_uses_is_not_pruned() {
        let mut actual = Actual::default();
        let mut provider: CreateCapacityProviderRequest = from_value(&json!({
            "name": "cp",
            "autoScalingGroupProvider": {"autoScalingGroupArn": "arn:aws:autoscaling:x"}
        }))
        .value
        .expect("provider");
        provider.tags = Some(owned_tags(&None, &Options::new("demo")));
        actual
            .capacity_providers
            .insert("cp".into(), Existing::new("arn:cp", provider));
        // The stack's cluster, kept because someone else's service is in it.
        actual
            .clusters
            .insert("keep".into(), cluster_using("keep", "cp", "demo"));
        let mut foreign = actual_service(1, "other")
            .services
            .into_values()
            .next()
            .expect("a service");
        foreign.input.cluster = Some("keep".into());
        actual
            .services
            .insert(("keep".into(), "tenant".into()), foreign);
        let plan = plan(
            &stack(json!({})),
            &actual,
            &Options::new("demo").prune(true),
        );
        let got: Vec<(String, Action)> = plan
            .changes
            .iter()
            .map(|c| (c.address.to_string(), c.action))
            .collect();
        assert!(
            got.contains(&("cluster keep".to_owned(), Action::NotManaged))
                && got.contains(&("capacity provider cp".to_owned(), Action::NotManaged)),
            "{got:?}"
        );
        // Once the cluster goes too, so does the provider.
        actual.services.clear();
        let plan = super::plan(
            &stack(json!({})),
            &actual,
            &Options::new("demo").prune(true),
        );
        let deleted: Vec<String> = plan
            .changes
            .iter()
            .filter(|c| c.action == Action::Delete)
            .map(|c| c.address.to_string())
            .collect();
        assert_eq!(deleted, ["cluster keep", "capacity provider cp"]);
    }
}
