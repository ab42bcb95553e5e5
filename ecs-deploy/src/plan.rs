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
use ecs_model::{JsonPath, Shape, Stack};
use serde::Serialize;
use serde_json::{Map, Value, json};

use crate::aws::Operation;
use crate::diff::{FieldDiff, diff, keep_unknown};

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
    /// The services whose tasks are replaced by a new deployment even if nothing changes.
    pub force_new_deployment: Vec<ForceDeployment>,
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
        }
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
    fn forces(&self, cluster: &str, name: &str) -> bool {
        self.force_new_deployment.iter().any(|f| match f {
            ForceDeployment::All => true,
            ForceDeployment::Service(service) => {
                service == name || service.split_once('/') == Some((cluster, name))
            }
        })
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
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ForceDeployment {
    /// Every service of the stack.
    All,
    /// The service of this name (`web`), in any cluster, or `CLUSTER/NAME` for one cluster's.
    Service(String),
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
            } => f.write_str("AWS: AWS's value; its default is not known"),
            Self::Aws {
                value: AwsValue::PickedByAws,
            } => f.write_str("AWS: AWS's value; AWS picks it when the stack does not set it"),
        }
    }
}

/// Why a resource gets its action: part of the plan's data, worded by its
/// [`Display`](std::fmt::Display) without naming any command or flag (a front end adds its
/// own hints).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(
    tag = "kind",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
#[non_exhaustive]
pub enum Reason {
    /// The latest ACTIVE revision of the family differs from the stack's definition: a new
    /// revision is registered.
    RevisionDiffers {
        /// The latest ACTIVE revision.
        revision: i64,
    },
    /// A service changes in a way UpdateService cannot make: it is deleted and created again,
    /// which stops its tasks (the delete drains them; the new service starts new ones).
    ServiceReplaced {
        /// The member whose change needs the replacement (`schedulingStrategy`, `launchType`).
        member: String,
        /// Why UpdateService cannot make the change.
        cause: ReplaceCause,
    },
    /// A service moves between a launch type and a capacity provider strategy, or between
    /// strategies, in place: UpdateService makes the move with a new deployment
    /// (`forceNewDeployment`), as AWS requires.
    CapacityMoved {
        /// What the service runs on now.
        from: Capacity,
        /// What it runs on after the change.
        to: Capacity,
    },
    /// A new deployment of the service is forced ([`Options::force_new_deployment`]).
    ForcedDeployment,
    /// The resource carries the ownership tag of another stack.
    OtherStack {
        /// That stack's name.
        stack: String,
    },
    /// The resource exists without the ownership tag: another tool or person manages it.
    Untagged,
    /// The resource is deleted: the stack carries its tag but no longer names it and the
    /// plan prunes, or the stack is destroyed.
    Removed {
        /// Which of the two.
        removal: Removal,
    },
    /// The revisions of a family the stack no longer names are deregistered, but for the ones
    /// services still run.
    RevisionsRemoved {
        /// Why the family goes.
        removal: Removal,
        /// The revisions deregistered (`family:N`).
        deregistered: Vec<String>,
        /// The revisions kept because a service runs them.
        in_use: Vec<String>,
    },
    /// Old revisions beyond the ones kept ([`Options::keep_revisions`]) are deregistered.
    OldRevisions {
        /// The revisions deregistered (`family:N`).
        deregistered: Vec<String>,
        /// How many of the newest ACTIVE revisions are kept.
        keep: usize,
    },
    /// A cluster that would go is kept: services stay in it.
    ClusterKept {
        /// Why it would go.
        removal: Removal,
        /// The services that stay in it.
        services: Vec<String>,
    },
    /// A capacity provider that would go is kept: clusters that stay use it.
    CapacityProviderKept {
        /// Why it would go.
        removal: Removal,
        /// The clusters that use it.
        clusters: Vec<String>,
    },
    /// A member of a capacity provider that AWS never changes on an existing provider differs
    /// (its Auto Scaling group, its cluster): nothing is done. Give the provider a new name
    /// (and the clusters that use it the new name); the old one is deleted by a prune once no
    /// cluster uses it.
    CapacityProviderMemberFixed {
        /// The member (`autoScalingGroupProvider.autoScalingGroupArn`, `cluster`).
        member: String,
    },
    /// Amazon ECS Managed Instances capacity providers are not planned by this version: create
    /// and change them with AWS's tools and leave them out of the stack.
    ManagedInstancesNotPlanned,
}

/// Why a resource is deleted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub enum Removal {
    /// It carries the stack's tag, the stack no longer names it, and the plan prunes.
    Pruned,
    /// The stack is destroyed.
    Destroyed,
}

/// Why UpdateService cannot make a service's change ([`Reason::ServiceReplaced`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(
    tag = "kind",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
#[non_exhaustive]
pub enum ReplaceCause {
    /// UpdateService has no such member: it is fixed when the service is created.
    Immutable,
    /// AWS does not move a service between these two in place. UpdateService moves a service
    /// from the EC2 or FARGATE launch type to a capacity provider strategy, between
    /// strategies, and from a Fargate or Auto Scaling group strategy back to a launch type
    /// (AWS API reference, UpdateService `capacityProviderStrategy`); it has no `launchType`.
    CapacityMove {
        /// What the service runs on now.
        from: Capacity,
        /// What the stack wants it to run on.
        to: Capacity,
        /// The change that AWS does make in place, if there is one.
        in_place: Option<InPlaceRoute>,
    },
}

/// A change AWS makes in place that reaches what a replacement would.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub enum InPlaceRoute {
    /// Give the service a capacity provider strategy instead of a launch type (`FARGATE` or
    /// `FARGATE_SPOT` for Fargate, an Auto Scaling group capacity provider for EC2): AWS moves
    /// an EC2 or FARGATE launch type service to any strategy in place.
    StrategyInsteadOfLaunchType,
}

/// What a service runs its tasks on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(
    tag = "kind",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
#[non_exhaustive]
pub enum Capacity {
    /// A launch type (`EC2`, `FARGATE`, `EXTERNAL`...).
    LaunchType {
        /// Its name.
        launch_type: String,
    },
    /// A capacity provider strategy.
    Strategy {
        /// The providers, in the strategy's order.
        providers: Vec<String>,
    },
    /// Neither: the cluster's default capacity provider strategy, applied when the service is
    /// created.
    ClusterDefault,
}

impl std::fmt::Display for Capacity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::LaunchType { launch_type } => write!(f, "the {launch_type} launch type"),
            Self::Strategy { providers } => {
                write!(f, "the capacity provider strategy {}", providers.join(", "))
            }
            Self::ClusterDefault => f.write_str("the cluster's default capacity provider strategy"),
        }
    }
}

impl std::fmt::Display for Removal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Pruned => "the stack no longer names it",
            Self::Destroyed => "the stack is destroyed",
        })
    }
}

impl std::fmt::Display for Reason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::RevisionDiffers { revision } => {
                write!(
                    f,
                    "revision {revision} differs; a new revision is registered"
                )
            }
            Self::ServiceReplaced { member, cause } => {
                match cause {
                    ReplaceCause::Immutable => {
                        write!(f, "`{member}` cannot be changed on an existing service")?;
                    }
                    ReplaceCause::CapacityMove { from, to, in_place } => {
                        write!(
                            f,
                            "AWS does not move a service from {from} to {to} in place"
                        )?;
                        if in_place.is_some() {
                            f.write_str(
                                " (it does move an EC2 or FARGATE launch type service to a \
                                 capacity provider strategy in place: give the service a \
                                 `capacityProviderStrategy` instead of its `launchType`, \
                                 FARGATE or FARGATE_SPOT for Fargate, an Auto Scaling group \
                                 capacity provider for EC2)",
                            )?;
                        }
                    }
                }
                f.write_str(
                    "; a replace stops the service's tasks: it deletes the service, waits until \
                     the old service has drained, then creates it again",
                )
            }
            Self::CapacityMoved { from, to } => write!(
                f,
                "moves from {from} to {to} in place, with a new deployment (AWS changes a \
                 service's capacity only with one)"
            ),
            Self::ForcedDeployment => f.write_str(
                "a new deployment is forced: its tasks are replaced even where nothing changes",
            ),
            Self::OtherStack { stack } => {
                write!(f, "it belongs to the stack `{stack}` ({STACK_TAG} tag)")
            }
            Self::Untagged => write!(
                f,
                "it exists without the {STACK_TAG} tag, so another tool or person manages it"
            ),
            Self::Removed { removal } => write!(f, "{removal}"),
            Self::RevisionsRemoved {
                removal,
                deregistered,
                in_use,
            } => {
                write!(f, "{removal}: deregister {}", deregistered.join(", "))?;
                if !in_use.is_empty() {
                    write!(f, " ({} kept: a service runs it)", in_use.join(", "))?;
                }
                Ok(())
            }
            Self::OldRevisions { deregistered, keep } => write!(
                f,
                "deregister {} (only the newest {keep} ACTIVE revisions and the ones services \
                 run are kept)",
                deregistered.join(", ")
            ),
            Self::ClusterKept { removal, services } => write!(
                f,
                "{removal}, but it is kept: it holds services that stay ({})",
                services.join(", ")
            ),
            Self::CapacityProviderKept { removal, clusters } => write!(
                f,
                "{removal}, but it is kept: clusters that stay use it ({})",
                clusters.join(", ")
            ),
            Self::CapacityProviderMemberFixed { member } => write!(
                f,
                "`{member}` cannot be changed on an existing capacity provider: give the \
                 provider a new name (and the clusters that use it the new name); the old one \
                 is deleted by a prune once no cluster uses it"
            ),
            Self::ManagedInstancesNotPlanned => f.write_str(
                "Amazon ECS Managed Instances capacity providers are not planned by this version \
                 (only Auto Scaling group providers are): create and change it with the AWS CLI \
                 or console, and leave it out of the stack",
            ),
        }
    }
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
    /// Why, when the action needs a reason (a replacement, a resource not managed, a forced
    /// deployment...).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<Reason>,
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
        changes.extend(prune(desired, actual, options, Removal::Pruned));
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
    changes.extend(prune(&empty, actual, options, Removal::Destroyed));
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
        reason: Some(Reason::OldRevisions {
            deregistered: names,
            keep,
        }),
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
fn deletion(address: Address, before: Value, reason: Reason, steps: Vec<Step>) -> Change {
    let fields = diff(&before, &Value::Object(Map::new()));
    Change {
        address,
        action: Action::Delete,
        fields,
        kept: Vec::new(),
        reason: Some(reason),
        steps,
        rollback: None,
    }
}

/// The deletions of the resources of `actual` that carry the stack's tag and that `desired`
/// does not name: services, then task definition families, then clusters (a cluster holding
/// a service this stack does not manage is kept, and said so).
fn prune(desired: &Stack, actual: &Actual, options: &Options, removal: Removal) -> Vec<Change> {
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
            Reason::Removed { removal },
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
        let reason = Reason::RevisionsRemoved {
            removal,
            deregistered: names,
            in_use: kept
                .iter()
                .map(|r| family_revision(&r.arn).to_owned())
                .collect(),
        };
        changes.push(deletion(
            Address::TaskDefinition {
                family: family.clone(),
            },
            to_json(&existing.input),
            reason,
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
                Reason::ClusterKept {
                    removal,
                    services: staying.iter().map(|s| (*s).to_owned()).collect(),
                },
            ));
            continue;
        }
        deleted_clusters.push(name);
        changes.push(deletion(
            address,
            to_json(&existing.input),
            Reason::Removed { removal },
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
                Reason::CapacityProviderKept {
                    removal,
                    clusters: users.iter().map(|c| (*c).to_owned()).collect(),
                },
            ));
            continue;
        }
        changes.push(deletion(
            address,
            to_json(&existing.input),
            Reason::Removed { removal },
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
fn ownership(tags: &Option<Vec<Tag>>, options: &Options) -> Result<(), Reason> {
    let owner = tags
        .iter()
        .flatten()
        .find(|t| t.key.as_deref() == Some(STACK_TAG))
        .and_then(|t| t.value.clone());
    match owner {
        Some(stack) if stack == options.stack => Ok(()),
        Some(stack) => Err(Reason::OtherStack { stack }),
        None => Err(Reason::Untagged),
    }
}

fn to_json<T: Serialize>(value: &T) -> Value {
    serde_json::to_value(value).unwrap_or(Value::Null)
}

/// Both sides of a comparison, as [`compared`] leaves them.
struct Compared {
    /// The actual resource, normalized, as JSON.
    have: Value,
    /// The wanted resource, normalized, as JSON, with the unknown members kept from `have`.
    wanted: Value,
    /// The differences from `have` to `wanted`.
    fields: Vec<FieldDiff>,
    /// The members AWS shows that this version's model does not know and the stack does not
    /// set: kept at AWS's value.
    kept: Vec<Kept>,
}

/// Both sides (already normalized) as JSON with their tags in key order, the members of `have`
/// unknown to this version's AWS model that `wanted` does not set copied into `wanted` (their
/// default is not known, so AWS's value is no change: see [`keep_unknown`]), and the
/// differences from `have` to `wanted`.
fn compared<T: Shape>(have: &T, wanted: &T) -> Compared {
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
fn keep_picked<T: Clone + Serialize>(
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

fn blocked(address: Address, fields: Vec<FieldDiff>, reason: Reason) -> Change {
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

fn not_managed(address: Address, reason: Reason) -> Change {
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

fn plan_capacity_provider(
    desired: &CreateCapacityProviderRequest,
    actual: &Actual,
    options: &Options,
) -> Change {
    let name = desired.name.clone().unwrap_or_default();
    let address = Address::CapacityProvider { name: name.clone() };
    if desired.managed_instances_provider.is_some() {
        return blocked(address, Vec::new(), Reason::ManagedInstancesNotPlanned);
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
    let mut kept = Vec::new();
    if let (Some(asg), Some(have)) = (
        wanted.auto_scaling_group_provider.as_mut(),
        existing.input.auto_scaling_group_provider.as_ref(),
    ) {
        let at = JsonPath::root().key("autoScalingGroupProvider");
        keep_picked(
            &mut asg.managed_draining,
            &have.managed_draining,
            at.clone().key("managedDraining"),
            &mut kept,
        );
        keep_picked(
            &mut asg.managed_scaling,
            &have.managed_scaling,
            at.key("managedScaling"),
            &mut kept,
        );
    }
    normalize::capacity_provider(&mut wanted);
    let mut have = existing.input.clone();
    normalize::capacity_provider(&mut have);
    let compared = compared(&have, &wanted);
    kept.extend(compared.kept);
    let (wanted, fields) = (compared.wanted, compared.fields);
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
            Reason::CapacityProviderMemberFixed { member },
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
    updated(address, fields, kept, steps, false)
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
    let mut kept = Vec::new();
    let have = &existing.input;
    let root = JsonPath::root();
    keep_picked(
        &mut wanted.settings,
        &have.settings,
        root.clone().key("settings"),
        &mut kept,
    );
    keep_picked(
        &mut wanted.configuration,
        &have.configuration,
        root.clone().key("configuration"),
        &mut kept,
    );
    keep_picked(
        &mut wanted.service_connect_defaults,
        &have.service_connect_defaults,
        root.key("serviceConnectDefaults"),
        &mut kept,
    );
    normalize::cluster(&mut wanted);
    let mut have = existing.input.clone();
    normalize::cluster(&mut have);
    let compared = compared(&have, &wanted);
    kept.extend(compared.kept);
    let (wanted, fields) = (compared.wanted, compared.fields);
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
    updated(address, fields, kept, steps, false)
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
    let mut kept = leave_images(&mut wanted, &existing.input, &family, options);
    let mut request = wanted.clone();
    normalize::task_definition(&mut wanted);
    let mut have = existing.input.clone();
    normalize::task_definition(&mut have);
    let compared = compared(&have, &wanted);
    kept.extend(compared.kept);
    let fields = compared.fields;
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
            .map(|revision| Reason::RevisionDiffers { revision }),
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
                owner: Owner::Ci,
            });
        }
    }
    kept
}

/// Members of a service that UpdateService cannot change: a change means a new service. A
/// change of `launchType` is judged with the capacity provider strategy ([`capacity_move`]).
const IMMUTABLE_SERVICE_MEMBERS: &[&str] = &[
    "serviceName",
    "cluster",
    "schedulingStrategy",
    "role",
    "deploymentController",
];

/// Members of CreateService that UpdateService does not take: never copied into an update.
const CREATE_ONLY_SERVICE_MEMBERS: &[&str] = &[
    "serviceName",
    "clientToken",
    "launchType",
    "role",
    "schedulingStrategy",
    "tags",
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

/// What a (normalized) service runs on.
fn capacity_of(service: &CreateServiceRequest) -> Capacity {
    if let Some(launch_type) = &service.launch_type {
        return Capacity::LaunchType {
            launch_type: launch_type.as_str().to_owned(),
        };
    }
    match service.capacity_provider_strategy.as_deref() {
        Some(items) if !items.is_empty() => Capacity::Strategy {
            providers: items
                .iter()
                .map(|i| i.capacity_provider.clone().unwrap_or_default())
                .collect(),
        },
        _ => Capacity::ClusterDefault,
    }
}

/// Whether UpdateService moves a service from `from` to `to` in place; why not when not.
///
/// The AWS API reference (UpdateService, `capacityProviderStrategy`, since 2025) lists the
/// moves it makes: from the Fargate or EC2 launch type to a capacity provider strategy (Fargate
/// or Auto Scaling group providers; Amazon ECS Managed Instances providers too, per "Updating
/// an Amazon ECS service to use a capacity provider"), between strategies, and from an Auto
/// Scaling group or Fargate strategy back to a launch type (an empty strategy). UpdateService
/// has no `launchType`, so one launch type never becomes another in place, and the EXTERNAL
/// and MANAGED_INSTANCES launch types take part in no move. A service created with the
/// cluster's default strategy runs on that strategy and moves as one.
fn capacity_move(from: &Capacity, to: &Capacity, actual: &Actual) -> Result<(), ReplaceCause> {
    let movable = |launch_type: &str| matches!(launch_type, "EC2" | "FARGATE");
    let managed_instances = |providers: &[String]| {
        providers.iter().any(|p| {
            actual
                .capacity_providers
                .get(p)
                .is_some_and(|e| e.input.managed_instances_provider.is_some())
        })
    };
    let refused = |in_place: Option<InPlaceRoute>| ReplaceCause::CapacityMove {
        from: from.clone(),
        to: to.clone(),
        in_place,
    };
    match (from, to) {
        (a, b) if a == b => Ok(()),
        (Capacity::LaunchType { launch_type }, Capacity::Strategy { .. })
            if movable(launch_type) =>
        {
            Ok(())
        }
        (Capacity::Strategy { .. } | Capacity::ClusterDefault, Capacity::Strategy { .. }) => Ok(()),
        (Capacity::Strategy { providers }, Capacity::LaunchType { launch_type })
            if movable(launch_type) && !managed_instances(providers) =>
        {
            Ok(())
        }
        // One launch type for another, or a launch type for the cluster's default strategy:
        // a strategy reaches the same in place.
        (Capacity::LaunchType { launch_type: a }, Capacity::LaunchType { launch_type: b })
            if movable(a) && movable(b) =>
        {
            Err(refused(Some(InPlaceRoute::StrategyInsteadOfLaunchType)))
        }
        (Capacity::LaunchType { launch_type }, Capacity::ClusterDefault)
            if movable(launch_type) =>
        {
            Err(refused(Some(InPlaceRoute::StrategyInsteadOfLaunchType)))
        }
        _ => Err(refused(None)),
    }
}

/// FNV-1a, 64 bits: a hash that stays the same across Rust versions and platforms (the
/// standard library's `DefaultHasher` promises neither), for [`client_token`].
fn fnv1a(bytes: impl IntoIterator<Item = u8>) -> u64 {
    bytes.into_iter().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// The `clientToken` of a CreateService call: `ecs-rs-` and 29 hexadecimal characters (36 in
/// all, AWS's limit: "Up to 36 ASCII characters in the range of 33-126"), 12 from the stack,
/// cluster and service names, 16 from the request and, for a replacement, the request of the
/// service replaced. The same create planned again, as after an interrupted apply, sends the
/// same token, so AWS creates the service once; a different request, or the same request
/// replacing another, sends another.
fn client_token(
    stack: &str,
    cluster: &str,
    service: &str,
    request: &Value,
    replaced: Option<&Value>,
) -> String {
    let identity = fnv1a(
        [stack, cluster, service]
            .iter()
            .flat_map(|part| part.bytes().chain([0])),
    );
    let replaced = replaced.map(Value::to_string).unwrap_or_default();
    let content = fnv1a(
        request
            .to_string()
            .bytes()
            .chain([0])
            .chain(replaced.bytes()),
    );
    format!("ecs-rs-{:012x}-{content:016x}", identity & 0xffff_ffff_ffff)
}

/// The CreateService step for `request` (JSON), with its [`client_token`].
fn create_service_step(
    options: &Options,
    (cluster, name): (&str, &str),
    mut request: Value,
    replaced: Option<&Value>,
) -> Step {
    let token = client_token(&options.stack, cluster, name, &request, replaced);
    if let Some(object) = request.as_object_mut() {
        object.insert("clientToken".to_owned(), Value::String(token));
    }
    Step {
        operation: Operation::CreateService,
        input: request,
    }
}

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
        let request = to_json(&wanted);
        let mut change = creation(address, Operation::CreateService, request.clone());
        change.steps = vec![create_service_step(
            options,
            (&cluster, &name),
            request,
            None,
        )];
        return change;
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
            owner: Owner::Autoscaling,
        });
    }
    // A service that names neither a launch type nor a strategy gets the cluster's default
    // strategy when it is created, and DescribeServices shows it: AWS's value, which the
    // request does not show (and UpdateService cannot go back to "the cluster's default").
    if wanted.launch_type.is_none()
        && wanted
            .capacity_provider_strategy
            .as_ref()
            .is_none_or(Vec::is_empty)
        && existing.input.launch_type.is_none()
    {
        keep_picked(
            &mut wanted.capacity_provider_strategy,
            &existing.input.capacity_provider_strategy,
            JsonPath::root().key("capacityProviderStrategy"),
            &mut kept,
        );
    }
    let request = wanted.clone();
    wanted.task_definition = Some(target);
    wanted.cluster = Some(cluster.clone());
    normalize::service(&mut wanted);
    let mut have = existing.input.clone();
    have.cluster = Some(cluster.clone());
    normalize::service(&mut have);
    let compared = compared(&have, &wanted);
    kept.extend(compared.kept);
    let (have_json, wanted_json, fields) = (compared.have, compared.wanted, compared.fields);

    let changed = |member: &str| fields.iter().any(|f| top(&f.path) == member);
    let (from, to) = (capacity_of(&have), capacity_of(&wanted));
    let capacity_changes = changed("launchType") || changed("capacityProviderStrategy");
    let replace = fields
        .iter()
        .map(|f| top(&f.path))
        .find(|m| IMMUTABLE_SERVICE_MEMBERS.contains(m))
        .map(|member| (member.to_owned(), ReplaceCause::Immutable))
        .or_else(|| {
            let member = if changed("launchType") {
                "launchType"
            } else {
                "capacityProviderStrategy"
            };
            capacity_changes
                .then(|| capacity_move(&from, &to, actual).err())
                .flatten()
                .map(|cause| (member.to_owned(), cause))
        });
    if let Some((member, cause)) = replace {
        let request = to_json(&request);
        return Change {
            address,
            action: Action::Replace,
            reason: Some(Reason::ServiceReplaced { member, cause }),
            fields,
            kept,
            steps: vec![
                Step {
                    operation: Operation::DeleteService,
                    input: json!({"cluster": cluster, "service": name, "force": true}),
                },
                create_service_step(options, (&cluster, &name), request, Some(&have_json)),
            ],
            rollback: None,
        };
    }

    let forced = options.forces(&cluster, &name);
    let deploys = forced
        || capacity_changes
        || fields
            .iter()
            .any(|f| DEPLOYING_SERVICE_MEMBERS.contains(&top(&f.path)));
    let mut members: Vec<&str> = fields
        .iter()
        .map(|f| top(&f.path))
        .filter(|m| !CREATE_ONLY_SERVICE_MEMBERS.contains(m))
        .collect();
    members.dedup();
    let mut steps = Vec::new();
    if !members.is_empty() || forced {
        let mut input = json!({"cluster": cluster, "service": name});
        let update = ecs_model::reflect::shape("UpdateServiceRequest");
        for member in &members {
            // Each member in its normal form: AWS's own describe form, with the defaults of
            // what the stack leaves out (so a member removed goes back to AWS's default) and
            // the values kept from AWS. A list removed altogether is sent empty, which is how
            // UpdateService removes load balancers, registries, constraints...
            let value = wanted_json.get(*member).cloned().or_else(|| {
                update
                    .and_then(|u| u.member(member))
                    .filter(|m| matches!(m.ty, ecs_model::reflect::Ty::List(_)))
                    .map(|_| json!([]))
            });
            if let (Some(value), Some(object)) = (value, input.as_object_mut()) {
                object.insert((*member).to_owned(), value);
            }
        }
        if members.contains(&"taskDefinition") || deploys {
            // The revision to run: the latest ACTIVE one's ARN, or, when this plan registers a
            // new revision, the family, which apply replaces with the ARN it registered.
            input["taskDefinition"] = Value::String(if registering.contains(&family) {
                family.clone()
            } else {
                target_arn.clone()
            });
        }
        if capacity_changes {
            // The strategy to move to; an empty one moves the service back to a launch type.
            input["capacityProviderStrategy"] = wanted_json
                .get("capacityProviderStrategy")
                .cloned()
                .unwrap_or(json!([]));
        }
        if capacity_changes || forced {
            // AWS refuses a strategy change without a new deployment.
            input["forceNewDeployment"] = Value::Bool(true);
        }
        steps.push(Step {
            operation: Operation::UpdateService,
            input,
        });
    }
    if changed("tags") {
        steps.push(Step {
            operation: Operation::TagResource,
            input: json!({"resourceArn": existing.arn, "tags": wanted_json.get("tags")}),
        });
    }
    let mut change = updated(address, fields, kept, Vec::new(), deploys);
    if forced {
        change.action = Action::UpdateAndDeploy;
        change.reason = Some(Reason::ForcedDeployment);
    } else if capacity_changes {
        change.reason = Some(Reason::CapacityMoved { from, to });
    }
    if change.action != Action::NoChange {
        change.steps = steps;
    }
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
        assert_eq!(plan.changes[0].kept[0].owner, Owner::Autoscaling);
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
            matches!(
                &plan.changes[0].reason,
                Some(Reason::ServiceReplaced { member, cause: ReplaceCause::Immutable })
                    if member == "schedulingStrategy"
            ),
            "{:?}",
            plan.changes[0].reason
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

    /// `actual_service` with `extra` members merged into the service AWS shows.
    fn actual_service_with(extra: Value) -> Actual {
        let mut actual = actual_service(2, "demo");
        let key = ("demo".to_owned(), "web".to_owned());
        let existing = actual.services.get_mut(&key).expect("the service");
        let mut input = to_json(&existing.input);
        if let (Some(s), Some(e)) = (input.as_object_mut(), extra.as_object()) {
            s.extend(e.clone());
        }
        existing.input = from_value(&input).value.expect("service");
        actual
    }

    /// What DescribeServices answers in 2025-26 for a circuit breaker the request turned on.
    fn described_breaker() -> Value {
        json!({"deploymentConfiguration": {
            "maximumPercent": 200, "minimumHealthyPercent": 100,
            "deploymentCircuitBreaker": {
                "enable": true, "rollback": true, "resetOnHealthyTask": true,
                "thresholdConfiguration": {"type": "BOUNDED_PERCENT", "value": 50}
            },
            "strategy": "ROLLING", "bakeTimeInMinutes": 0
        }})
    }

    fn breaker_stack() -> Stack {
        service_stack(json!({"deploymentConfiguration": {
            "deploymentCircuitBreaker": {"enable": true, "rollback": true}
        }}))
    }

    #[test]
    fn the_defaults_aws_fills_in_a_circuit_breaker_plan_no_change() {
        // Before the defaults were in ecs-model's normalize tables, this planned an update
        // removing strategy, bakeTimeInMinutes, resetOnHealthyTask and thresholdConfiguration.
        let plan = plan(
            &breaker_stack(),
            &actual_service_with(described_breaker()),
            &Options::new("demo"),
        );
        assert_eq!(
            plan.changes[0].action,
            Action::NoChange,
            "{:#?}",
            plan.changes[0].fields
        );
        assert!(plan.changes[0].kept.is_empty());
    }

    #[test]
    fn a_member_the_stack_used_to_set_goes_back_to_aws_default() {
        let mut described = described_breaker();
        described["deploymentConfiguration"]["deploymentCircuitBreaker"]["resetOnHealthyTask"] =
            json!(false);
        let plan = plan(
            &breaker_stack(),
            &actual_service_with(described),
            &Options::new("demo"),
        );
        let change = &plan.changes[0];
        assert_eq!(change.action, Action::Update);
        let paths: Vec<String> = change.fields.iter().map(|f| f.path.to_string()).collect();
        assert_eq!(
            paths,
            ["deploymentConfiguration.deploymentCircuitBreaker.resetOnHealthyTask"]
        );
        assert_eq!(change.fields[0].after, Some(json!(true)));
        // UpdateService gets the member in full, the default included.
        let sent = &change.steps[0].input["deploymentConfiguration"]["deploymentCircuitBreaker"];
        assert_eq!(sent["resetOnHealthyTask"], true);
        assert_eq!(sent["enable"], true);
    }

    #[test]
    fn members_unknown_to_the_model_are_kept_at_aws_value_and_said() {
        let mut described = described_breaker();
        described["deploymentConfiguration"]["futureMember"] = json!(1);
        described["futureTopLevel"] = json!({"on": true});
        let actual = actual_service_with(described);
        let plan = plan(&breaker_stack(), &actual, &Options::new("demo"));
        let change = &plan.changes[0];
        assert_eq!(change.action, Action::NoChange, "{:#?}", change.fields);
        let kept: Vec<(String, &Value, Owner)> = change
            .kept
            .iter()
            .map(|k| (k.path.to_string(), &k.value, k.owner))
            .collect();
        let aws = Owner::Aws {
            value: AwsValue::UnknownMember,
        };
        assert_eq!(
            kept,
            [
                (
                    "deploymentConfiguration.futureMember".to_owned(),
                    &json!(1),
                    aws
                ),
                ("futureTopLevel".to_owned(), &json!({"on": true}), aws),
            ]
        );
        assert!(aws.to_string().contains("its default is not known"));

        // When the member around it changes, UpdateService sends AWS's value back.
        let mut desired = breaker_stack();
        if let Some(d) = desired.services[0].deployment_configuration.as_mut() {
            d.maximum_percent = Some(150);
        }
        let plan = super::plan(&desired, &actual, &Options::new("demo"));
        let change = &plan.changes[0];
        assert_eq!(change.action, Action::Update);
        assert_eq!(change.fields.len(), 1, "{:#?}", change.fields);
        let sent = &change.steps[0].input;
        assert_eq!(sent["deploymentConfiguration"]["futureMember"], 1);
        assert_eq!(sent["deploymentConfiguration"]["maximumPercent"], 150);
        assert!(sent.get("futureTopLevel").is_none());

        // An unknown member the stack sets is compared as usual.
        let mut desired = breaker_stack();
        desired.services[0]
            .extra
            .insert("futureTopLevel".into(), json!({"on": false}));
        let plan = super::plan(&desired, &actual, &Options::new("demo"));
        assert_eq!(plan.changes[0].action, Action::Update);
        assert_eq!(
            plan.changes[0].fields[0].path.to_string(),
            "futureTopLevel.on"
        );
    }

    #[test]
    fn removing_a_member_whose_default_is_absent_still_shows_as_removal() {
        let desired = stack(json!({"taskDefinitions": [webserver("nginx:1.27")]}));
        let mut actual = Actual::default();
        let mut have = existing_td("nginx:1.27", "demo");
        if let Some(c) = have.input.container_definitions.as_mut() {
            c[0].health_check = from_value(&json!({"command": ["CMD", "true"]})).value;
        }
        actual.task_definitions.insert("webserver".into(), have);
        let plan = plan(&desired, &actual, &Options::new("demo"));
        let change = &plan.changes[0];
        assert_eq!(change.action, Action::Register);
        assert_eq!(
            change.fields[0].path.to_string(),
            "containerDefinitions[0].healthCheck"
        );
        assert_eq!(change.fields[0].after, None);
        assert!(change.kept.is_empty());
    }

    #[test]
    fn values_aws_picks_are_kept_and_said() {
        // A service naming neither a launch type nor a strategy runs on the cluster's default.
        let actual = actual_service_with(
            json!({"capacityProviderStrategy": [{"capacityProvider": "FARGATE"}]}),
        );
        let plan = plan(&service_stack(json!({})), &actual, &Options::new("demo"));
        assert_eq!(plan.changes[0].action, Action::NoChange);
        assert_eq!(
            plan.changes[0].kept[0].owner,
            Owner::Aws {
                value: AwsValue::PickedByAws
            }
        );
        assert_eq!(
            plan.changes[0].kept[0].path.to_string(),
            "capacityProviderStrategy"
        );
        // Cluster settings come from an account setting.
        let mut actual = Actual::default();
        let mut cluster: CreateClusterRequest = from_value(&json!({
            "clusterName": "demo",
            "settings": [{"name": "containerInsights", "value": "enabled"}]
        }))
        .value
        .expect("cluster");
        cluster.tags = Some(owned_tags(&None, &Options::new("demo")));
        actual
            .clusters
            .insert("demo".into(), Existing::new("arn:demo", cluster));
        let desired = stack(json!({"clusters": [{"clusterName": "demo"}]}));
        let plan = super::plan(&desired, &actual, &Options::new("demo"));
        assert_eq!(plan.changes[0].action, Action::NoChange);
        assert_eq!(plan.changes[0].kept[0].path.to_string(), "settings");
    }

    #[test]
    fn launch_type_to_strategy_is_an_in_place_update_that_forces_a_deployment() {
        let actual = actual_service_with(json!({"launchType": "FARGATE"}));
        let desired = service_stack(json!({"capacityProviderStrategy": [
            {"capacityProvider": "FARGATE_SPOT", "weight": 1}
        ]}));
        let plan = plan(&desired, &actual, &Options::new("demo"));
        let change = &plan.changes[0];
        assert_eq!(
            change.action,
            Action::UpdateAndDeploy,
            "{:?}",
            change.reason
        );
        let input = &change.steps[0].input;
        assert_eq!(change.steps[0].operation, Operation::UpdateService);
        assert_eq!(input["forceNewDeployment"], true);
        assert_eq!(
            input["capacityProviderStrategy"],
            json!([{"capacityProvider": "FARGATE_SPOT", "weight": 1, "base": 0}])
        );
        assert!(input.get("launchType").is_none(), "{input}");
        assert_eq!(
            change.reason,
            Some(Reason::CapacityMoved {
                from: Capacity::LaunchType {
                    launch_type: "FARGATE".into()
                },
                to: Capacity::Strategy {
                    providers: vec!["FARGATE_SPOT".into()]
                },
            })
        );
        assert!(change.rollback.is_some());
    }

    #[test]
    fn a_strategy_back_to_a_launch_type_sends_an_empty_strategy() {
        let actual = actual_service_with(
            json!({"capacityProviderStrategy": [{"capacityProvider": "FARGATE"}]}),
        );
        let desired = service_stack(json!({"launchType": "FARGATE"}));
        let plan = plan(&desired, &actual, &Options::new("demo"));
        let change = &plan.changes[0];
        assert_eq!(
            change.action,
            Action::UpdateAndDeploy,
            "{:?}",
            change.reason
        );
        assert_eq!(change.steps[0].input["capacityProviderStrategy"], json!([]));
        assert_eq!(change.steps[0].input["forceNewDeployment"], true);
        // Between strategies too.
        let desired = service_stack(json!({"capacityProviderStrategy": [
            {"capacityProvider": "FARGATE", "base": 1},
            {"capacityProvider": "FARGATE_SPOT", "weight": 3}
        ]}));
        let plan = super::plan(&desired, &actual, &Options::new("demo"));
        assert_eq!(plan.changes[0].action, Action::UpdateAndDeploy);
        assert_eq!(plan.changes[0].steps[0].input["forceNewDeployment"], true);
    }

    #[test]
    fn a_move_aws_does_not_make_in_place_is_a_replace_that_says_tasks_stop() {
        let actual = actual_service_with(json!({"launchType": "EC2"}));
        let plan = plan(
            &service_stack(json!({"launchType": "FARGATE"})),
            &actual,
            &Options::new("demo"),
        );
        let change = &plan.changes[0];
        assert_eq!(change.action, Action::Replace);
        let Some(Reason::ServiceReplaced { member, cause }) = &change.reason else {
            panic!("{:?}", change.reason);
        };
        assert_eq!(member, "launchType");
        assert!(matches!(
            cause,
            ReplaceCause::CapacityMove {
                in_place: Some(InPlaceRoute::StrategyInsteadOfLaunchType),
                ..
            }
        ));
        let words = change
            .reason
            .as_ref()
            .map(ToString::to_string)
            .unwrap_or_default();
        assert!(words.contains("stops the service's tasks"), "{words}");
        assert!(words.contains("capacityProviderStrategy"), "{words}");
        let operations: Vec<Operation> = change.steps.iter().map(|s| s.operation).collect();
        assert_eq!(
            operations,
            [Operation::DeleteService, Operation::CreateService]
        );

        // EXTERNAL takes part in no move: a replace, with no way around it.
        let actual = actual_service_with(json!({"launchType": "EXTERNAL"}));
        let plan = super::plan(
            &service_stack(json!({"capacityProviderStrategy": [{"capacityProvider": "FARGATE"}]})),
            &actual,
            &Options::new("demo"),
        );
        assert_eq!(plan.changes[0].action, Action::Replace);
        assert!(matches!(
            &plan.changes[0].reason,
            Some(Reason::ServiceReplaced {
                cause: ReplaceCause::CapacityMove { in_place: None, .. },
                ..
            })
        ));
    }

    #[test]
    fn a_forced_deployment_of_an_unchanged_service_deploys_the_revision_it_runs() {
        let actual = actual_service(2, "demo");
        let arn = "arn:aws:ecs:us-east-1:123456789012:task-definition/webserver:3";
        for force in [
            ForceDeployment::All,
            ForceDeployment::Service("web".into()),
            ForceDeployment::Service("demo/web".into()),
        ] {
            let options = Options::new("demo").force_new_deployment(force);
            let plan = plan(&service_stack(json!({})), &actual, &options);
            let change = &plan.changes[0];
            assert_eq!(change.action, Action::UpdateAndDeploy);
            assert_eq!(change.reason, Some(Reason::ForcedDeployment));
            assert!(change.fields.is_empty());
            assert_eq!(change.steps.len(), 1);
            assert_eq!(
                change.steps[0].input,
                json!({"cluster": "demo", "service": "web", "taskDefinition": arn,
                       "forceNewDeployment": true})
            );
            let rollback = change.rollback.as_ref().expect("a rollback step");
            assert_eq!(rollback.input["taskDefinition"], arn);
            assert!(plan.has_changes());
        }
        for other in ["api", "other/web"] {
            let options =
                Options::new("demo").force_new_deployment(ForceDeployment::Service(other.into()));
            let plan = plan(&service_stack(json!({})), &actual, &options);
            assert_eq!(plan.changes[0].action, Action::NoChange, "{other}");
        }
        // With a new revision registered, the forced deployment runs the family's new one.
        let mut desired = service_stack(json!({}));
        desired
            .task_definitions
            .push(from_value(&webserver("nginx:1.28")).value.expect("td"));
        let options = Options::new("demo").force_new_deployment(ForceDeployment::All);
        let plan = plan(&desired, &actual, &options);
        assert_eq!(
            plan.changes[1].steps[0].input["taskDefinition"],
            "webserver"
        );
        assert_eq!(plan.changes[1].steps[0].input["forceNewDeployment"], true);
    }

    #[test]
    fn create_service_carries_a_deterministic_client_token() {
        let token = |stack_name: &str, desired: &Stack, actual: &Actual| {
            let plan = plan(desired, actual, &Options::new(stack_name));
            let step = plan.changes[0]
                .steps
                .iter()
                .find(|s| s.operation == Operation::CreateService)
                .expect("a CreateService step")
                .clone();
            assert!(
                !plan.changes[0]
                    .fields
                    .iter()
                    .any(|f| f.path.to_string() == "clientToken")
            );
            step.input["clientToken"]
                .as_str()
                .expect("a token")
                .to_owned()
        };
        let none = Actual::default();
        let first = token("demo", &service_stack(json!({})), &none);
        assert_eq!(first.len(), 36);
        assert!(first.bytes().all(|b| (33..=126).contains(&b)), "{first}");
        assert_eq!(first, token("demo", &service_stack(json!({})), &none));
        assert_ne!(first, token("other", &service_stack(json!({})), &none));
        assert_ne!(
            first,
            token("demo", &service_stack(json!({"desiredCount": 3})), &none)
        );
        // A replacement's create is another request to AWS than the first creation.
        let daemon = service_stack(json!({"schedulingStrategy": "DAEMON", "desiredCount": null}));
        let replaced = token("demo", &daemon, &actual_service(2, "demo"));
        assert_eq!(replaced.len(), 36);
        assert_ne!(replaced, token("demo", &daemon, &none));
    }

    #[test]
    fn reasons_are_tagged_data_and_name_no_flag() {
        let reasons = [
            Reason::RevisionDiffers { revision: 3 },
            Reason::ServiceReplaced {
                member: "role".into(),
                cause: ReplaceCause::Immutable,
            },
            Reason::CapacityMoved {
                from: Capacity::ClusterDefault,
                to: Capacity::LaunchType {
                    launch_type: "EC2".into(),
                },
            },
            Reason::ForcedDeployment,
            Reason::OtherStack {
                stack: "other".into(),
            },
            Reason::Untagged,
            Reason::Removed {
                removal: Removal::Pruned,
            },
            Reason::RevisionsRemoved {
                removal: Removal::Destroyed,
                deregistered: vec!["web:1".into()],
                in_use: vec!["web:2".into()],
            },
            Reason::OldRevisions {
                deregistered: vec!["web:1".into()],
                keep: 2,
            },
            Reason::ClusterKept {
                removal: Removal::Pruned,
                services: vec!["tenant".into()],
            },
            Reason::CapacityProviderKept {
                removal: Removal::Pruned,
                clusters: vec!["main".into()],
            },
            Reason::CapacityProviderMemberFixed {
                member: "cluster".into(),
            },
            Reason::ManagedInstancesNotPlanned,
        ];
        for reason in &reasons {
            let words = reason.to_string();
            assert!(!words.contains("--"), "{words}");
            assert!(serde_json::to_value(reason).expect("JSON")["kind"].is_string());
        }
        assert_eq!(
            serde_json::to_value(&reasons[8]).expect("JSON"),
            json!({"kind": "oldRevisions", "deregistered": ["web:1"], "keep": 2})
        );
        assert_eq!(
            serde_json::to_value(Owner::Aws {
                value: AwsValue::UnknownMember
            })
            .expect("JSON"),
            json!({"kind": "aws", "value": "unknownMember"})
        );
    }
}
