//! Planning: the desired stack against the actual state, as a list of changes with field-level
//! differences. Pure data: no AWS call happens here, so every case is a unit test.
//!
//! Both sides are put in the same form first: the actual resources (describe outputs) are
//! rendered back into the API inputs that would create them, and both are normalized with
//! `ecs_model::normalize`, which fills in AWS's defaults. So a member AWS defaults never shows
//! as a change, and an unchanged stack plans to no change at all.

use std::collections::BTreeMap;

use ecs_model::types::Tag;
use ecs_model::{JsonPath, Shape, Stack};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::aws::Operation;
use crate::diff::{FieldDiff, diff, keep_unknown};

mod adopt;
mod prune;
mod reason;
mod step;

pub use crate::ownership::{STACK_TAG, tagged};
pub use crate::state::{Actual, Existing, Revision, cluster_name};
pub use reason::{Capacity, InPlaceRoute, Reason, Removal, ReplaceCause};
pub use step::{Created, InvalidStep, KNOWN_AFTER_APPLY, Link, Slot, Step};

use crate::kinds::{
    capacity_provider, cluster, discovery_service, listener_rule, namespace, scaling, schedule,
    service, target_group, task_definition,
};
use crate::ownership::ownership;
use crate::state::service_key;
use prune::{in_use, prune, retire_revisions};

/// How to plan.
///
/// It serializes as a JSON object of its members in camelCase (a [saved plan](crate::saved)
/// holds the options it was planned with); a member left out reads as its default.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
#[non_exhaustive]
pub struct Options {
    /// The stack's name: the value of the [`STACK_TAG`] on every resource it creates. It wins
    /// over the `name` a stack file may hold ([`ecs_model::Stack::name`]), which the planner
    /// does not read: the caller decides (the CLI takes `--name`, else the file's `name`).
    pub stack: String,
    /// Members whose actual value is kept, because someone else owns them.
    pub leave: Vec<Leave>,
    /// Delete the resources carrying this stack's tag that the stack no longer names.
    pub prune: bool,
    /// Keep only the newest N ACTIVE revisions of each family of the stack, plus the ones a
    /// service runs; deregister older ones. `None` (the default) keeps every revision.
    pub keep_revisions: Option<usize>,
    /// The services whose tasks are replaced by a new deployment even if nothing changes.
    pub force_new_deployment: Vec<ForceDeployment>,
    /// Send the stack's `desiredCount` of services that have a scalable target in the stack's
    /// `scaling` on update too. By default (false) their `desiredCount` is left to Application
    /// Auto Scaling once they exist: an update neither sends nor compares it (the plan lists
    /// it as kept, [`Owner::Autoscaling`]), so a deploy never undoes a scale-out. A service
    /// being created gets the stack's `desiredCount`, or its target's `MinCapacity` when the
    /// stack sets none.
    pub force_desired_count: bool,
    /// Adopt the resources the stack names that exist without any stack's tag: see
    /// [`Options::adopt`].
    pub adopt: bool,
}

impl Options {
    /// Options for the stack `name`, owning every member.
    pub fn new(name: impl Into<String>) -> Self {
        Self {
            stack: name.into(),
            leave: Vec::new(),
            prune: false,
            keep_revisions: None,
            force_new_deployment: Vec::new(),
            force_desired_count: false,
            adopt: false,
        }
    }

    /// Adopts the clusters, capacity providers, task definition families, services, target
    /// groups, listener rules, Cloud Map namespaces and discovery services the stack names
    /// that exist without any stack's [`STACK_TAG`] (made in the console, by another tool):
    /// instead of [`Action::NotManaged`], each is planned as one of the stack's, with the
    /// reason [`Reason::Adopted`]; apply adds the tag (ECS's and Cloud Map's TagResource,
    /// ELBv2's AddTags, which keep the other tags) and makes the other differences, removing
    /// the tags the stack does not set as for any resource of the stack. A family whose latest
    /// revision differs only in its tags has that revision tagged, not a new one registered.
    /// A resource carrying another stack's tag is never adopted, and pruning and destroying
    /// never touch an untagged resource. Schedules (which take no tags), schedule groups and
    /// the scaling of services (which follows the service's tag) are not adopted.
    ///
    /// ```
    /// let options = ecs_deploy::Options::new("shop").adopt(true);
    /// assert!(options.adopt);
    /// ```
    pub fn adopt(mut self, adopt: bool) -> Self {
        self.adopt = adopt;
        self
    }

    /// Forces a new deployment of every service of the stack, or of one: its tasks are
    /// replaced even if the stack did not change, as after pushing an image again under the
    /// same tag (`nginx:latest`). The service's change becomes [`Action::UpdateAndDeploy`] with
    /// the reason [`Reason::ForcedDeployment`]: UpdateService gets `forceNewDeployment: true`
    /// and the revision the service is to run, and a rollback step as for any deployment.
    /// A service being created or replaced starts new tasks anyway; one not managed by the
    /// stack is left alone. Repeatable.
    ///
    /// ```
    /// use ecs_deploy::plan::{ForceDeployment, Options};
    /// let options = Options::new("shop")
    ///     .force_new_deployment(ForceDeployment::Service("web".into()));
    /// assert_eq!(options.force_new_deployment.len(), 1);
    /// ```
    pub fn force_new_deployment(mut self, force: ForceDeployment) -> Self {
        self.force_new_deployment.push(force);
        self
    }

    /// Whether a new deployment of the service `name` of `cluster` is forced.
    pub(crate) fn forces(&self, cluster: &str, name: &str) -> bool {
        self.force_new_deployment.iter().any(|f| match f {
            ForceDeployment::All => true,
            ForceDeployment::Service(service) => {
                service == name || service.split_once('/') == Some((cluster, name))
            }
        })
    }

    /// Sends the stack's `desiredCount` of autoscaled services on update too: see
    /// [`Options::force_desired_count`].
    ///
    /// ```
    /// let options = ecs_deploy::Options::new("shop").force_desired_count(true);
    /// assert!(options.force_desired_count);
    /// ```
    pub fn force_desired_count(mut self, force: bool) -> Self {
        self.force_desired_count = force;
        self
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

/// Which services get a new deployment even if nothing changes: see
/// [`Options::force_new_deployment`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub enum ForceDeployment {
    /// Every service of the stack.
    All,
    /// The service of this name (`web`), in any cluster, or `CLUSTER/NAME` for one cluster's.
    Service(String),
}

/// A member the stack leaves to someone else: planning keeps its actual value and says so.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
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

/// Which resource a change is about.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
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
    /// An ELBv2 target group, by name.
    TargetGroup {
        /// Its name.
        name: String,
    },
    /// An ELBv2 listener rule, by its listener (as the stack writes it, or its ARN) and its
    /// key (its `Name` tag, or its priority: see `kinds::listener_rule`).
    ListenerRule {
        /// Its listener.
        listener: String,
        /// Its key.
        key: String,
    },
    /// A Cloud Map namespace, by name.
    Namespace {
        /// Its name.
        name: String,
    },
    /// A Cloud Map discovery service, by its namespace's name and its name.
    DiscoveryService {
        /// Its namespace's name (or id, for a namespace the stack does not hold).
        namespace: String,
        /// Its name.
        name: String,
    },
    /// The Application Auto Scaling of an ECS service (its scalable target, scaling policies
    /// and scheduled actions), by the service's cluster and name.
    Scaling {
        /// The service's cluster's name.
        cluster: String,
        /// The service's name.
        service: String,
    },
    /// An EventBridge Scheduler schedule group, by name: the one the stack owns.
    ScheduleGroup {
        /// Its name.
        name: String,
    },
    /// An EventBridge Scheduler schedule (a scheduled task), by group and name.
    Schedule {
        /// Its group's name.
        group: String,
        /// Its name.
        name: String,
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
            Self::Namespace { name } => write!(f, "namespace {name}"),
            Self::TargetGroup { name } => write!(f, "target group {name}"),
            Self::ListenerRule { listener, key } => {
                write!(f, "listener rule {key} of {listener}")
            }
            Self::DiscoveryService { namespace, name } => {
                write!(f, "discovery service {namespace}/{name}")
            }
            Self::Scaling { cluster, service } => {
                write!(f, "scaling of service {cluster}/{service}")
            }
            Self::ScheduleGroup { name } => write!(f, "schedule group {name}"),
            Self::Schedule { group, name } => write!(f, "schedule {group}/{name}"),
        }
    }
}

/// What happens to a resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
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

impl Action {
    /// The action in a word or two, as plans and messages name it: `create`, `register`,
    /// `update and deploy`, `not managed`...
    pub fn as_str(self) -> &'static str {
        match self {
            Self::NoChange => "no change",
            Self::Create => "create",
            Self::Register => "register",
            Self::Update => "update",
            Self::UpdateAndDeploy => "update and deploy",
            Self::Replace => "replace",
            Self::Delete => "delete",
            Self::NotManaged => "not managed",
            Self::Blocked => "blocked",
        }
    }

    /// The mark plans put before a resource: `+` create, `~` register or update, `-/+`
    /// replace, `-` delete, `!` not managed or blocked, `=` no change.
    pub fn symbol(self) -> &'static str {
        match self {
            Self::NoChange => "=",
            Self::Create => "+",
            Self::Register | Self::Update | Self::UpdateAndDeploy => "~",
            Self::Replace => "-/+",
            Self::Delete => "-",
            Self::NotManaged | Self::Blocked => "!",
        }
    }
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
    /// Who owns it.
    pub owner: Owner,
}

/// Who owns a member the plan keeps at its actual value ([`Kept`]).
///
/// Its [`Display`](std::fmt::Display) reads after "left to": `autoscaling`, `CI`, `AWS: ...`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
#[non_exhaustive]
pub enum Owner {
    /// Application Auto Scaling ([`Leave::DesiredCount`]).
    Autoscaling,
    /// A CI pipeline that deploys new images ([`Leave::Image`]).
    Ci,
    /// AWS: the stack does not set the member, and what AWS shows cannot be told from a
    /// default, so AWS's value stays.
    Aws {
        /// Why AWS's value cannot be known beforehand.
        value: AwsValue,
    },
}

/// Why the plan keeps AWS's value of a member the stack does not set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub enum AwsValue {
    /// A member this version's AWS model does not know (newer than it, kept in the generated
    /// types' `extra` maps): its default is not known, so AWS's value is not a change.
    UnknownMember,
    /// A member whose value AWS picks when the stack does not set it, from something the
    /// request does not show: an account setting (a cluster's Container Insights), its own
    /// choice (a capacity provider's managed scaling and draining), or the cluster's default
    /// capacity provider strategy (a service that names neither a launch type nor a strategy).
    PickedByAws,
}

impl std::fmt::Display for Owner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Autoscaling => f.write_str("autoscaling"),
            Self::Ci => f.write_str("CI"),
            Self::Aws {
                value: AwsValue::UnknownMember,
            } => f.write_str(
                "AWS: a member newer than this version's model, whose default is not known",
            ),
            Self::Aws {
                value: AwsValue::PickedByAws,
            } => f.write_str("AWS, which picks it when the stack does not set it"),
        }
    }
}

pub(crate) fn path_string<S: serde::Serializer>(
    path: &JsonPath,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(&path.to_string())
}

impl Serialize for Operation {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.name())
    }
}

/// The change to one resource.
///
/// Its `Debug` and `Serialize` show it [redacted](crate::redact): a secret value never reaches
/// a log or a JSON plan. The fields hold the real values, which apply sends.
#[derive(Clone, PartialEq)]
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
    /// Why, when the action needs a reason (a replacement, a resource not managed, a forced
    /// deployment...).
    pub reason: Option<Reason>,
    /// The calls that carry it out, in order.
    pub steps: Vec<Step>,
    /// For a service update that starts a deployment: the call that puts the service back on
    /// the revision it runs now, should the deployment fail.
    pub rollback: Option<Step>,
}

/// The changes that make AWS match a stack. Its `Debug` and `Serialize` show its changes
/// [redacted](crate::redact).
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

    /// How many resources each action touches (actions no resource has are left out).
    ///
    /// ```
    /// # use ecs_deploy::plan::{plan, Action, Actual, Options};
    /// let stack = ecs_model::load::from_value::<ecs_model::Stack>(
    ///     &serde_json::json!({"clusters": [{"clusterName": "shop"}]}),
    /// )
    /// .value
    /// .unwrap_or_default();
    /// let plan = plan(&stack, &Actual::default(), &Options::new("shop"));
    /// assert_eq!(plan.summary().get(&Action::Create), Some(&1));
    /// ```
    pub fn summary(&self) -> BTreeMap<Action, usize> {
        let mut out = BTreeMap::new();
        for change in &self.changes {
            *out.entry(change.action).or_default() += 1;
        }
        out
    }
}

/// Plans the changes that make `actual` match `desired`.
pub fn plan(desired: &Stack, actual: &Actual, options: &Options) -> Plan {
    let mut changes = Vec::new();
    // Cloud Map first: clusters and services may name its namespaces and discovery services.
    let mut creating = Vec::new();
    for ns in &desired.namespaces {
        let change = namespace::plan(ns, actual, options);
        if change.action == Action::Create {
            creating.extend(ns.name().map(str::to_owned));
        }
        changes.push(change);
    }
    let mut registry_arns: BTreeMap<String, Result<String, Created>> = BTreeMap::new();
    for wanted in &desired.discovery_services {
        let ns = discovery_service::namespace_ref(wanted, desired, actual, &creating);
        let change = discovery_service::plan(wanted, &ns, actual, options);
        let name = wanted.name.clone().unwrap_or_default();
        let arn = match change.action {
            Action::Create | Action::Replace => Some(Err(Created::DiscoveryServiceArn {
                namespace: ns.name().to_owned(),
                service: name.clone(),
            })),
            _ => actual
                .discovery_services
                .get(&(ns.name().to_owned(), name.clone()))
                .map(|found| Ok(found.arn.clone())),
        };
        registry_arns.extend(arn.map(|arn| (name, arn)));
        changes.push(change);
    }
    // Target groups before the services bound to them.
    for group in &desired.target_groups {
        changes.push(target_group::plan(group, actual, options));
    }
    // Listener rules after the groups they forward to: they attach them to a load balancer.
    let rules = listener_rule::plan_all(desired, actual, options, &changes);
    let attaching = listener_rule::attaching(desired, &rules);
    changes.extend(rules);
    let target_groups = target_group::bindable(desired, &changes, actual, &attaching);
    let linked_groups = target_group::created_and_attached(desired, &changes, &attaching);
    for provider in &desired.capacity_providers {
        changes.push(capacity_provider::plan(provider, actual, options));
    }
    let mut creating_clusters = Vec::new();
    for cluster in &desired.clusters {
        // A Service Connect namespace written by name is compared (and sent) as its ARN.
        let cluster = &crate::kinds::service_connect::cluster(cluster, actual);
        let change = cluster::plan(cluster, actual, options);
        if let (Action::Create, Some(name)) = (change.action, &cluster.cluster_name) {
            creating_clusters.push(name.clone());
        }
        changes.push(change);
    }
    let mut registering = Vec::new();
    for td in &desired.task_definitions {
        let change = task_definition::plan(td, actual, options);
        if change.action == Action::Register || change.action == Action::Create {
            registering.push(td.family.clone().unwrap_or_default());
        }
        changes.push(change);
    }
    for wanted in &desired.services {
        let wanted = &crate::kinds::service_connect::service(wanted, desired, actual);
        let (wanted, waits) = target_group::bind(wanted, &target_groups);
        let (wanted, group_links) = listener_rule::link_target_groups(&wanted, &linked_groups);
        let (linked, mut links) = discovery_service::link_registries(&wanted, &registry_arns);
        links.extend(group_links);
        let change = target_group::hold(
            service::plan(
                &linked,
                actual,
                options,
                &registering,
                scaling::of_service(desired, &linked),
            ),
            waits,
        );
        let change = discovery_service::with_links(change, &links);
        changes.push(scaling::around_deployment(change, desired, actual));
    }
    // After the services: a scalable target needs its ECS service.
    let scaled = scaling::plan(desired, actual, options, &changes);
    changes.extend(scaled);
    // Scheduled tasks: their groups, then the schedules, once the clusters and revisions they
    // run exist.
    let refs = schedule::References {
        creating_clusters: &creating_clusters,
        registering: &registering,
    };
    let groups: std::collections::BTreeSet<String> = desired
        .scheduled_tasks
        .iter()
        .map(|s| schedule::group_of(s, &options.stack))
        .collect();
    for group in &groups {
        changes.push(schedule::plan_group(group, actual, options));
    }
    for wanted in &desired.scheduled_tasks {
        changes.push(schedule::plan(wanted, actual, &refs, options));
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
        // Schedules first: they run revisions and clusters that may go.
        changes.extend(schedule::prune(desired, actual, options, Removal::Pruned));
        // The scaling of services that go, before them.
        changes.extend(scaling::prune(desired, actual, options, Removal::Pruned));
        changes.extend(prune(desired, actual, options, Removal::Pruned));
        changes.extend(namespace::prune(desired, actual, options, Removal::Pruned));
        // After the services that used them, and before the groups they forward to.
        changes.extend(listener_rule::prune(
            desired,
            actual,
            options,
            Removal::Pruned,
        ));
        // After the services and rules that used them.
        changes.extend(target_group::prune(
            desired,
            actual,
            options,
            Removal::Pruned,
        ));
    }
    adopt::mark(&mut changes, actual, options);
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
    for group in &named.target_groups {
        if let Some(name) = &group.name
            && let Some(existing) = actual.target_groups.get(name)
        {
            let address = Address::TargetGroup { name: name.clone() };
            changes.extend(leftover(&existing.tags(), address));
        }
    }
    for ns in &named.namespaces {
        if let Some(name) = ns.name()
            && let Some(existing) = actual.namespaces.get(name)
        {
            let address = Address::Namespace {
                name: name.to_owned(),
            };
            changes.extend(leftover(&existing.tags(), address));
        }
    }
    for ((namespace, name), existing) in &actual.discovery_services {
        let in_stack = named
            .discovery_services
            .iter()
            .any(|s| s.name.as_deref() == Some(name.as_str()));
        if in_stack {
            let address = Address::DiscoveryService {
                namespace: namespace.clone(),
                name: name.clone(),
            };
            changes.extend(leftover(&existing.tags(), address));
        }
    }
    let empty = Stack::default();
    changes.extend(schedule::prune(&empty, actual, options, Removal::Destroyed));
    changes.extend(scaling::prune(&empty, actual, options, Removal::Destroyed));
    changes.extend(prune(&empty, actual, options, Removal::Destroyed));
    changes.extend(namespace::prune(
        &empty,
        actual,
        options,
        Removal::Destroyed,
    ));
    // After the services that used them, and before the groups they forward to.
    changes.extend(listener_rule::prune(
        &empty,
        actual,
        options,
        Removal::Destroyed,
    ));
    // After the services and rules that used them.
    changes.extend(target_group::prune(
        &empty,
        actual,
        options,
        Removal::Destroyed,
    ));
    Plan {
        stack: options.stack.clone(),
        changes,
    }
}

pub(crate) fn to_json<T: Serialize>(value: &T) -> Value {
    serde_json::to_value(value).unwrap_or(Value::Null)
}

/// Both sides of a comparison, as [`compared`] leaves them.
pub(crate) struct Compared {
    /// The actual resource, normalized, as JSON.
    pub(crate) have: Value,
    /// The wanted resource, normalized, as JSON, with the unknown members kept from `have`.
    pub(crate) wanted: Value,
    /// The differences from `have` to `wanted`.
    pub(crate) fields: Vec<FieldDiff>,
    /// The members AWS shows that this version's model does not know and the stack does not
    /// set: kept at AWS's value.
    pub(crate) kept: Vec<Kept>,
}

/// Both sides (already normalized) as JSON with their tags in key order, the members of `have`
/// unknown to this version's AWS model that `wanted` does not set copied into `wanted` (their
/// default is not known, so AWS's value is no change: see [`keep_unknown`]), and the
/// differences from `have` to `wanted`.
pub(crate) fn compared<T: Shape>(have: &T, wanted: &T) -> Compared {
    let (mut have, mut wanted) = (to_json(have), to_json(wanted));
    sort_tags(&mut have);
    sort_tags(&mut wanted);
    let kept = keep_unknown(&have, &mut wanted, T::SHAPE)
        .into_iter()
        .map(|(path, value)| Kept {
            path,
            value,
            owner: Owner::Aws {
                value: AwsValue::UnknownMember,
            },
        })
        .collect();
    let fields = diff(&have, &wanted);
    Compared {
        have,
        wanted,
        fields,
        kept,
    }
}

/// Keeps AWS's value of a member the stack leaves unset and whose value AWS picks from
/// something the request does not show ([`AwsValue::PickedByAws`]): `wanted` takes `have`'s
/// value, and a value that says something (not an empty list or object) is listed in `kept`.
pub(crate) fn keep_picked<T: Clone + Serialize>(
    wanted: &mut Option<T>,
    have: &Option<T>,
    path: JsonPath,
    kept: &mut Vec<Kept>,
) {
    let (None, Some(value)) = (&wanted, have) else {
        return;
    };
    *wanted = Some(value.clone());
    let value = to_json(value);
    let empty = match &value {
        Value::Array(items) => items.is_empty(),
        Value::Object(members) => members.is_empty(),
        Value::Null => true,
        _ => false,
    };
    if !empty {
        kept.push(Kept {
            path,
            value,
            owner: Owner::Aws {
                value: AwsValue::PickedByAws,
            },
        });
    }
}

/// Sorts `tags` by key so their order never shows as a change, and leaves out the tags whose
/// key has AWS's reserved prefix `aws:` (CloudFormation's `aws:cloudformation:stack-name` on
/// what CDK made): AWS sets them, refuses them in requests and never removes them on
/// request, so they are no difference a stack can make (an adopted CDK service would otherwise
/// plan a change forever).
pub(crate) fn sort_tags(value: &mut Value) {
    if let Some(Value::Array(tags)) = value.get_mut("tags") {
        tags.retain(|t| {
            !t.get("key")
                .and_then(Value::as_str)
                .is_some_and(crate::kinds::aws_reserved)
        });
        tags.sort_by(|a, b| {
            a.get("key")
                .map(Value::to_string)
                .cmp(&b.get("key").map(Value::to_string))
        });
    }
}

pub(crate) fn creation(address: Address, step: Step) -> Change {
    let fields = diff(&Value::Object(Map::new()), &step.input());
    Change {
        address,
        action: Action::Create,
        fields,
        kept: Vec::new(),
        reason: None,
        steps: vec![step],
        rollback: None,
    }
}

pub(crate) fn blocked(address: Address, fields: Vec<FieldDiff>, reason: Reason) -> Change {
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

pub(crate) fn not_managed(address: Address, reason: Reason) -> Change {
    Change {
        address,
        action: Action::NotManaged,
        fields: Vec::new(),
        kept: Vec::new(),
        reason: Some(reason),
        steps: Vec::new(),
        rollback: None,
    }
}

pub(crate) fn updated(
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
pub(crate) fn top(path: &JsonPath) -> &str {
    match path.segments().first() {
        Some(ecs_model::PathSegment::Key(key)) => key,
        _ => "",
    }
}

#[cfg(test)]
mod tests;
