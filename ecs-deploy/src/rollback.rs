//! Rolling back: putting a stack's services back on an earlier revision of their task
//! definitions, as `ecspresso rollback` does. A rollback is one more [`Plan`], which
//! [`crate::apply`] runs like any other.
//!
//! 1. [`observe`] reads, and only reads: one DescribeServices call per 10 services of a cluster
//!    (tags included), one ListTaskDefinitions listing (all its pages) of the ACTIVE revisions
//!    per family rolled back (and of the INACTIVE ones where the target is not ACTIVE, to say
//!    so), and one DescribeTaskDefinition per revision to leave, for its tags. What it read is a
//!    plain [`RollbackState`].
//! 2. [`plan`] decides, without any call: for each service of the stack (or each one asked
//!    for), the revision it runs and the one it goes back to: the newest ACTIVE revision of the
//!    same family older than the running one, or the one asked for ([`Target`]). Every problem
//!    is collected (a service missing, no older revision...); with one, there is no plan, so
//!    nothing is changed at all. The plan holds, per service, an [`Action::UpdateAndDeploy`]
//!    change (UpdateService onto the target; its [`Change::rollback`] step puts the service
//!    back on the revision it runs now), then, per family, an [`Action::Delete`] of the
//!    revisions left ([`Address::Revisions`], DeregisterTaskDefinition).
//! 3. [`crate::apply::apply`] (or [`Deployer::apply`](crate::Deployer::apply)) runs it. When it
//!    waits, it follows the rollback deployments before its first deletion, so the revisions
//!    left are deregistered only once the deployments have settled; a failed one is put back on
//!    the revision it ran, when [`ApplyOptions::rollback`](crate::ApplyOptions::rollback) says
//!    so, and nothing is deregistered.
//!
//! ```no_run
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! use ecs_deploy::rollback::{self, RollbackOptions};
//! use ecs_deploy::{ApplyOptions, apply};
//!
//! let config = aws_config::load_defaults(aws_config::BehaviorVersion::latest()).await;
//! let ecs = ecs_deploy::Ecs::new(&config);
//! let stack = ecs_deploy::ecs_model::file::read_stack("shop.json")?;
//! let options = RollbackOptions::default().service("web");
//! let state = rollback::observe(&ecs, &stack, "shop", &options).await?;
//! let plan = rollback::plan(&state, &options)?;
//! for change in &plan.changes {
//!     if let Some(reason) = &change.reason {
//!         println!("{}: {reason}", change.address);
//!     }
//! }
//! apply::apply(&ecs, &plan, &ApplyOptions::default(), |event| println!("{event:?}")).await?;
//! # Ok(())
//! # }
//! ```
//!
//! # Ownership
//!
//! Only services carrying this stack's [`STACK_TAG`](crate::ownership::STACK_TAG) are rolled
//! back; the others are [`Action::NotManaged`] changes, left alone. A revision left is
//! deregistered only when it carries the tag too, and when no other service of the stack still
//! runs it ([`Reason::RolledBack`] says why a revision stays).
//!
//! # Why the revision left is deregistered
//!
//! Planning compares the stack file with the family's latest ACTIVE revision. Were the revision
//! rolled back from left ACTIVE, it would still be the latest; since it matches the stack file,
//! the next `plan` would register nothing and quietly put the service back on it: the very
//! revision just rolled back from. Deregistered, the latest ACTIVE revision is the one running,
//! and the next `plan` shows the stack file as a new revision to register, with its
//! differences. [`RollbackOptions::deregister`] turned off keeps it (ECS keeps INACTIVE revisions
//! describable in any case).
//!
//! Applied without waiting ([`ApplyOptions::no_wait`](crate::ApplyOptions::no_wait)), the
//! revision is deregistered right after the UpdateService call, before the deployment's outcome
//! is known. Tasks and services already using an INACTIVE revision keep running and scaling (so
//! AWS documents), but no new service can start on it: keep the revision when the rollback
//! itself may need undoing.

use std::collections::{BTreeMap, BTreeSet};
use std::str::FromStr;

use ecs_model::Stack;
use ecs_model::load::from_value;
use ecs_model::types::Tag;
use futures::stream::{self, StreamExt as _, TryStreamExt as _};
use serde_json::json;

use crate::aws::{AwsError, Ecs, Operation};
use crate::diff::diff;
use crate::observe::{described_services, list_all};
use crate::ownership::ownership;
use crate::plan::{
    Action, Address, Change, Options, Plan, Reason, Step, cluster_name, not_managed,
};
use crate::stack_name::{StackNameError, check_stack_name};
/// Re-exported from [`crate::state`], where the ARN helpers live.
pub use crate::state::parse_task_definition;
use crate::state::{Revision, family_revision};

/// At most this many calls at a time while observing a rollback.
const READ_CONCURRENCY: usize = 8;

/// How many rounds of reads [`observe`] makes at most after describing the services: the
/// ACTIVE listings, then the INACTIVE listings and the tags of the revisions left.
const READ_ROUNDS: usize = 3;

/// A service by its cluster's name and its name.
type ServiceKey = (String, String);

/// A task definition family and a revision number of it.
type RevisionKey = (String, i64);

/// The revision a service goes back to.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Target {
    /// The newest ACTIVE revision of the service's family older than the one it runs.
    #[default]
    Previous,
    /// This revision of the family the service runs.
    Revision(i64),
    /// This revision of this family, which must be the family the service runs.
    FamilyRevision {
        /// The family.
        family: String,
        /// The revision.
        revision: i64,
    },
}

/// A [`Target`] that could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "`{0}` is not a revision: write a revision number (`4`), `FAMILY:REVISION` (`webserver:4`) \
     or a task definition ARN"
)]
#[non_exhaustive]
pub struct InvalidTarget(pub String);

impl FromStr for Target {
    type Err = InvalidTarget;

    /// `4`, `webserver:4`, or `arn:aws:ecs:REGION:ACCOUNT:task-definition/webserver:4`.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let invalid = || InvalidTarget(text.to_owned());
        let number = |s: &str| s.parse::<i64>().ok().filter(|n| *n > 0);
        if let Some(revision) = number(text) {
            return Ok(Self::Revision(revision));
        }
        let (family, revision) = parse_task_definition(text).ok_or_else(invalid)?;
        Ok(Self::FamilyRevision {
            family: family.to_owned(),
            revision,
        })
    }
}

impl std::fmt::Display for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Previous => f.write_str("the previous revision"),
            Self::Revision(revision) => write!(f, "revision {revision}"),
            Self::FamilyRevision { family, revision } => write!(f, "{family}:{revision}"),
        }
    }
}

/// What to roll back. How the plan is applied (waiting for the deployments or not, putting a
/// failed one back) is the [`ApplyOptions`](crate::ApplyOptions) of the apply.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct RollbackOptions {
    /// The services to roll back, as `NAME` or `CLUSTER/NAME`; empty for every service of the
    /// stack.
    pub services: Vec<String>,
    /// The revision to go back to.
    pub target: Target,
    /// Deregister the revision rolled back from (when the stack owns it and no other service of
    /// the stack runs it); `false` keeps it ACTIVE.
    pub deregister: bool,
}

impl Default for RollbackOptions {
    /// Every service, to its previous revision, deregistering the revisions left.
    fn default() -> Self {
        Self {
            services: Vec::new(),
            target: Target::Previous,
            deregister: true,
        }
    }
}

impl RollbackOptions {
    /// Rolls back only `service` (`NAME` or `CLUSTER/NAME`), and the others named so.
    pub fn service(mut self, service: impl Into<String>) -> Self {
        self.services.push(service.into());
        self
    }

    /// Goes back to `target` instead of the previous revision.
    pub fn to(mut self, target: Target) -> Self {
        self.target = target;
        self
    }

    /// Deregisters (`true`, the default) or keeps (`false`) the revisions rolled back from.
    pub fn deregister(mut self, deregister: bool) -> Self {
        self.deregister = deregister;
        self
    }
}

/// What a rollback is planned from: what [`observe`] read of AWS, as plain data.
///
/// A listing or tag set that is absent reads as empty: the plan then changes less (a revision
/// whose tags were not read is kept, as not managed by the stack).
#[derive(Debug, Clone, Default, PartialEq)]
#[non_exhaustive]
pub struct RollbackState {
    /// The stack's name: the value of the ownership tag its resources carry.
    pub stack: String,
    /// Every service of the stack, as (cluster name, service name), in the stack's order.
    pub services: Vec<(String, String)>,
    /// The services of the stack that DescribeServices knows, whatever their status.
    pub described: BTreeMap<(String, String), ServiceState>,
    /// The ACTIVE revisions of the families of the services rolled back: by family, the ARN of
    /// each revision number.
    pub active: BTreeMap<String, BTreeMap<i64, String>>,
    /// The INACTIVE (deregistered) revision numbers of the families whose target is not ACTIVE.
    pub inactive: BTreeMap<String, BTreeSet<i64>>,
    /// The tags of the revisions the rollback leaves, by ARN.
    pub revision_tags: BTreeMap<String, Vec<Tag>>,
}

/// A service as DescribeServices shows it.
#[derive(Debug, Clone, Default, PartialEq)]
#[non_exhaustive]
pub struct ServiceState {
    /// Its status: `ACTIVE`, `DRAINING` or `INACTIVE`.
    pub status: Option<String>,
    /// The task definition revision it runs, as AWS names it (an ARN).
    pub task_definition: Option<String>,
    /// Its tags.
    pub tags: Option<Vec<Tag>>,
}

/// Why a service cannot be rolled back.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Problem {
    /// DescribeServices does not know it (or its cluster).
    #[error("it does not exist")]
    Missing,
    /// It is not ACTIVE (DRAINING: being deleted; INACTIVE: deleted).
    #[error("it is {status}, not ACTIVE")]
    NotActive {
        /// Its status.
        status: String,
    },
    /// It names no task definition revision (a service with an external deployment
    /// controller, or an answer without one).
    #[error("it runs no task definition revision that can be read (`{task_definition}`)")]
    NoTaskDefinition {
        /// What it names, possibly empty.
        task_definition: String,
    },
    /// Its family has no ACTIVE revision older than the one it runs.
    #[error(
        "it runs {family}:{current}, and {family} has no older ACTIVE revision to go back to{}",
        inactive_note(.family, .inactive)
    )]
    NoPreviousRevision {
        /// The family.
        family: String,
        /// The revision it runs.
        current: i64,
        /// The older revisions that exist but are INACTIVE (deregistered), newest first.
        inactive: Vec<i64>,
    },
    /// The revision asked for is not ACTIVE.
    #[error("{family}:{revision} {}", target_state(*.inactive))]
    TargetNotActive {
        /// The family.
        family: String,
        /// The revision.
        revision: i64,
        /// Whether it exists, deregistered.
        inactive: bool,
    },
    /// The revision asked for is not older than the one running.
    #[error(
        "it runs {family}:{current}, and {family}:{revision} is not older: a rollback only goes \
         back (apply goes forward)"
    )]
    TargetNotOlder {
        /// The family.
        family: String,
        /// The revision it runs.
        current: i64,
        /// The revision asked for.
        revision: i64,
    },
    /// The revision asked for is of another family than the one the service runs.
    #[error("it runs the family {running}, not {asked}")]
    OtherFamily {
        /// The family asked for.
        asked: String,
        /// The family it runs.
        running: String,
    },
}

fn target_state(inactive: bool) -> &'static str {
    if inactive {
        "is INACTIVE (deregistered): ECS starts no new tasks of an INACTIVE revision"
    } else {
        "does not exist"
    }
}

fn inactive_note(family: &str, inactive: &[i64]) -> String {
    match inactive {
        [] => String::new(),
        revisions => format!(
            " (older revisions {} are INACTIVE: deregistered, by an earlier rollback, which \
             deregisters the revision it leaves, or by keeping only the newest revisions)",
            revisions
                .iter()
                .map(|r| format!("{family}:{r}"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

/// A service that cannot be rolled back, and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{address}: {problem}")]
#[non_exhaustive]
pub struct Blocked {
    /// The service.
    pub address: Address,
    /// Why.
    pub problem: Problem,
}

/// Why a rollback cannot be planned. Nothing was changed: running the plan is an apply, whose
/// error is an [`ApplyError`](crate::ApplyError).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RollbackError {
    /// The stack's name cannot be the value of its tag; nothing was sent to AWS.
    #[error(transparent)]
    InvalidName(#[from] StackNameError),
    /// Services were asked for that the stack does not have; nothing was sent to AWS.
    #[error("not services of the stack: {}", .0.join(", "))]
    NotInStack(Vec<String>),
    /// Reading the services or the task definitions failed.
    #[error("cannot read the services and their revisions")]
    Read(#[source] AwsError),
    /// Some services cannot be rolled back, so there is no plan.
    #[error("{}", blocked_summary(.0))]
    Blocked(Vec<Blocked>),
}

fn blocked_summary(blocked: &[Blocked]) -> String {
    let lines: Vec<String> = blocked.iter().map(ToString::to_string).collect();
    format!(
        "{} cannot be rolled back, so nothing is changed: {}",
        if blocked.len() == 1 {
            "1 service".to_owned()
        } else {
            format!("{} services", blocked.len())
        },
        lines.join("; ")
    )
}

/// The family and revision of a task definition ARN or `family:revision`, owned, as
/// [`parse_task_definition`] reads them.
fn revision_key(text: &str) -> Option<RevisionKey> {
    parse_task_definition(text).map(|(family, revision)| (family.to_owned(), revision))
}

/// The revisions of `family` among `arns` (ListTaskDefinitions' answer for a family prefix,
/// which also lists longer families starting with it), by revision number.
fn revisions_of(family: &str, arns: &[String]) -> BTreeMap<i64, String> {
    Revision::of_family(family, arns)
        .map(|r| (r.number, r.arn))
        .collect()
}

/// The newest revision of `revisions` older than `current`.
fn previous(revisions: &BTreeMap<i64, String>, current: i64) -> Option<(i64, &String)> {
    revisions
        .range(..current)
        .next_back()
        .map(|(revision, arn)| (*revision, arn))
}

/// The stack's services as (cluster name, name), in its order, once each. A cluster written as
/// its ARN is keyed by its name, as observing and planning key it.
fn stack_services(stack: &Stack) -> Vec<ServiceKey> {
    let mut out: Vec<ServiceKey> = Vec::new();
    for service in &stack.services {
        let cluster = cluster_name(service.cluster.as_deref().unwrap_or("default")).to_owned();
        if let Some(name) = &service.service_name {
            let key = (cluster, name.clone());
            if !out.contains(&key) {
                out.push(key);
            }
        }
    }
    out
}

/// Whether `selector` (`NAME` or `CLUSTER/NAME`, the cluster by its name or its ARN) names
/// the service, keyed by its cluster's name.
fn selects(selector: &str, (cluster, name): &ServiceKey) -> bool {
    selector == name
        || selector
            .rsplit_once('/')
            .is_some_and(|(c, n)| cluster_name(c) == cluster && n == name)
}

/// The services of `all` that `options` asks for, in order; the names asked for that are none
/// of them are an error.
fn chosen<'a>(
    all: &'a [ServiceKey],
    options: &RollbackOptions,
) -> Result<Vec<&'a ServiceKey>, RollbackError> {
    let unknown: Vec<String> = options
        .services
        .iter()
        .filter(|s| !all.iter().any(|key| selects(s, key)))
        .cloned()
        .collect();
    if !unknown.is_empty() {
        return Err(RollbackError::NotInStack(unknown));
    }
    Ok(all
        .iter()
        .filter(|key| {
            options.services.is_empty() || options.services.iter().any(|s| selects(s, key))
        })
        .collect())
}

fn service_address((cluster, name): &ServiceKey) -> Address {
    Address::Service {
        cluster: cluster.clone(),
        name: name.clone(),
    }
}

/// A service to roll back, once its target is known.
#[derive(Debug)]
struct Resolved {
    key: ServiceKey,
    /// The ARN of the revision it runs.
    from: String,
    /// Its family and revision number.
    from_key: RevisionKey,
    /// The ARN of the revision it goes back to.
    to: String,
}

/// What happens to one service of those asked for.
#[derive(Debug)]
enum Decision {
    RollBack(Resolved),
    NotManaged { address: Address, reason: Reason },
}

/// What [`plan`] needs that a state does not hold yet: what [`observe`] reads next.
#[derive(Debug, Default, PartialEq)]
struct Missing {
    /// Families whose ACTIVE revisions are not listed.
    active: BTreeSet<String>,
    /// Families whose INACTIVE revisions are not listed.
    inactive: BTreeSet<String>,
    /// ARNs of revisions whose tags are not read.
    tags: BTreeSet<String>,
}

impl Missing {
    fn is_empty(&self) -> bool {
        *self == Self::default()
    }
}

/// Every decision of a rollback, from `state`: the services rolled back or left alone, the
/// problems, why each revision left stays ACTIVE (`None`: deregistered), and what the state
/// lacked (read as empty).
#[derive(Debug, Default)]
struct Decisions {
    services: Vec<Decision>,
    problems: Vec<Blocked>,
    kept: BTreeMap<RevisionKey, Option<Reason>>,
    missing: Missing,
}

fn decide(state: &RollbackState, options: &RollbackOptions) -> Result<Decisions, RollbackError> {
    let owner = Options::new(state.stack.clone());
    let empty = BTreeMap::new();
    let mut out = Decisions::default();
    for key in chosen(&state.services, options)? {
        let address = service_address(key);
        let mut block = |problem| {
            out.problems.push(Blocked {
                address: address.clone(),
                problem,
            });
        };
        let Some(service) = state.described.get(key) else {
            block(Problem::Missing);
            continue;
        };
        if let Err(reason) = ownership(&service.tags, &owner) {
            out.services.push(Decision::NotManaged { address, reason });
            continue;
        }
        if service.status.as_deref() != Some("ACTIVE") {
            block(Problem::NotActive {
                status: service
                    .status
                    .clone()
                    .unwrap_or_else(|| "without a status".to_owned()),
            });
            continue;
        }
        let running = service.task_definition.clone().unwrap_or_default();
        let Some((family, current)) = revision_key(&running) else {
            block(Problem::NoTaskDefinition {
                task_definition: running,
            });
            continue;
        };
        let wanted = match &options.target {
            Target::Previous => None,
            Target::Revision(revision) => Some(*revision),
            Target::FamilyRevision {
                family: asked,
                revision,
            } if *asked == family => Some(*revision),
            Target::FamilyRevision { family: asked, .. } => {
                block(Problem::OtherFamily {
                    asked: asked.clone(),
                    running: family,
                });
                continue;
            }
        };
        let active = state.active.get(&family).unwrap_or_else(|| {
            out.missing.active.insert(family.clone());
            &empty
        });
        // The INACTIVE revisions, to say why no ACTIVE one fits.
        let mut inactive = || match state.inactive.get(&family) {
            Some(revisions) => revisions.clone(),
            None => {
                out.missing.inactive.insert(family.clone());
                BTreeSet::new()
            }
        };
        let to = match wanted {
            None => match previous(active, current) {
                Some((_, arn)) => arn.clone(),
                None => {
                    let inactive = inactive().range(..current).rev().copied().collect();
                    block(Problem::NoPreviousRevision {
                        family,
                        current,
                        inactive,
                    });
                    continue;
                }
            },
            Some(revision) if revision >= current => {
                block(Problem::TargetNotOlder {
                    family,
                    current,
                    revision,
                });
                continue;
            }
            Some(revision) => match active.get(&revision) {
                Some(arn) => arn.clone(),
                None => {
                    let inactive = inactive().contains(&revision);
                    block(Problem::TargetNotActive {
                        family,
                        revision,
                        inactive,
                    });
                    continue;
                }
            },
        };
        // The ARN of the revision running, as ListTaskDefinitions names it (a service updated
        // with `family:N` may name it so).
        let from = active.get(&current).cloned().unwrap_or(running);
        out.services.push(Decision::RollBack(Resolved {
            key: key.clone(),
            from,
            from_key: (family, current),
            to,
        }));
    }
    // With a problem there is no plan: what stays ACTIVE does not matter.
    if out.problems.is_empty() {
        keep_or_deregister(state, options, &owner, &mut out);
    }
    Ok(out)
}

/// Decides, for each revision the services rolled back leave, whether it stays ACTIVE, and why.
fn keep_or_deregister(
    state: &RollbackState,
    options: &RollbackOptions,
    owner: &Options,
    out: &mut Decisions,
) {
    let rolled: BTreeMap<&ServiceKey, &Resolved> = out
        .services
        .iter()
        .filter_map(|d| match d {
            Decision::RollBack(r) => Some((&r.key, r)),
            Decision::NotManaged { .. } => None,
        })
        .collect();
    // What each service of the stack runs once the rollback is done.
    let runs_after: Vec<(&ServiceKey, Option<RevisionKey>)> = state
        .services
        .iter()
        .map(|key| {
            let running = match rolled.get(key) {
                Some(r) => revision_key(&r.to),
                None => state
                    .described
                    .get(key)
                    .and_then(|s| s.task_definition.as_deref())
                    .and_then(revision_key),
            };
            (key, running)
        })
        .collect();
    for r in rolled.values() {
        if out.kept.contains_key(&r.from_key) {
            continue;
        }
        let user = runs_after
            .iter()
            .find(|(_, running)| running.as_ref() == Some(&r.from_key));
        let reason = if !options.deregister {
            Some(Reason::KeptAsAsked)
        } else if let Some((key, _)) = user {
            Some(Reason::RevisionInUse {
                service: service_address(key),
            })
        } else {
            let tags = state.revision_tags.get(&r.from).cloned();
            if tags.is_none() {
                out.missing.tags.insert(r.from.clone());
            }
            ownership(&tags, owner).err()
        };
        out.kept.insert(r.from_key.clone(), reason);
    }
}

/// Reads what a rollback of `stack` (named `stack_name`) is planned from: the stack's services
/// (every one of them, since a revision another one runs is not deregistered), the ACTIVE
/// revisions of the families rolled back, the INACTIVE ones where they explain a problem, and
/// the tags of the revisions left. Nothing is changed. An invalid name or a service asked for
/// that the stack does not have is refused before any call.
pub async fn observe(
    ecs: &Ecs,
    stack: &Stack,
    stack_name: &str,
    options: &RollbackOptions,
) -> Result<RollbackState, RollbackError> {
    check_stack_name(stack_name)?;
    let mut state = RollbackState {
        stack: stack_name.to_owned(),
        services: stack_services(stack),
        ..RollbackState::default()
    };
    chosen(&state.services, options)?;
    let mut by_cluster: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (cluster, name) in &state.services {
        by_cluster
            .entry(cluster.clone())
            .or_default()
            .insert(name.clone());
    }
    state.described = described_services(ecs, &by_cluster, READ_CONCURRENCY)
        .await
        .map_err(RollbackError::Read)?
        .into_iter()
        .map(|(key, service)| {
            let found = ServiceState {
                status: service.status,
                task_definition: service.task_definition,
                tags: service.tags,
            };
            (key, found)
        })
        .collect();
    // Each round reads what the decisions lacked; the ACTIVE listings first, since the rest
    // depends on them.
    for _ in 0..READ_ROUNDS {
        let missing = decide(&state, options)?.missing;
        if !missing.active.is_empty() {
            let listed = read_all(missing.active, |family| {
                list_revisions(ecs, family, "ACTIVE")
            });
            state.active.extend(listed.await?);
            continue;
        }
        if missing.is_empty() {
            break;
        }
        let inactive = read_all(missing.inactive, |family| async move {
            let (family, revisions) = list_revisions(ecs, family, "INACTIVE").await?;
            Ok((family, revisions.into_keys().collect()))
        });
        state.inactive.extend(inactive.await?);
        let tags = read_all(missing.tags, |arn| revision_tags(ecs, arn));
        state.revision_tags.extend(tags.await?);
    }
    Ok(state)
}

/// `read` of each of `items`, [`READ_CONCURRENCY`] at a time.
async fn read_all<T, F>(
    items: BTreeSet<String>,
    read: impl Fn(String) -> F,
) -> Result<Vec<T>, RollbackError>
where
    F: Future<Output = Result<T, AwsError>>,
{
    stream::iter(items)
        .map(read)
        .buffer_unordered(READ_CONCURRENCY)
        .try_collect()
        .await
        .map_err(RollbackError::Read)
}

/// Every revision of `family` with `status` (ACTIVE or INACTIVE), through every page.
async fn list_revisions(
    ecs: &Ecs,
    family: String,
    status: &str,
) -> Result<(String, BTreeMap<i64, String>), AwsError> {
    let arns = list_all(
        ecs,
        Operation::ListTaskDefinitions,
        json!({"familyPrefix": family, "status": status, "maxResults": 100}),
        "taskDefinitionArns",
    )
    .await?;
    let revisions = revisions_of(&family, &arns);
    Ok((family, revisions))
}

/// The tags of the revision `arn`.
async fn revision_tags(ecs: &Ecs, arn: String) -> Result<(String, Vec<Tag>), AwsError> {
    let response = ecs
        .call(
            Operation::DescribeTaskDefinition,
            &json!({"taskDefinition": arn, "include": ["TAGS"]}),
        )
        .await?;
    let tags = response
        .get("tags")
        .and_then(|tags| from_value::<Vec<Tag>>(tags).value)
        .unwrap_or_default();
    Ok((arn, tags))
}

/// Plans the rollback `state` calls for, without any call: see the [module](self). The
/// changes come in the stack's order: the services rolled back ([`Action::UpdateAndDeploy`],
/// with [`Reason::RolledBack`]) and the ones not managed by the stack
/// ([`Action::NotManaged`]), then, per family, the deregistration of the revisions left
/// ([`Address::Revisions`], [`Action::Delete`], [`Reason::RolledBackFrom`]). With any
/// [`Problem`], the error lists them all and there is no plan.
pub fn plan(state: &RollbackState, options: &RollbackOptions) -> Result<Plan, RollbackError> {
    let decisions = decide(state, options)?;
    if !decisions.problems.is_empty() {
        return Err(RollbackError::Blocked(decisions.problems));
    }
    let mut changes = Vec::new();
    // The revisions deregistered, by family in the order met.
    let mut deregistered: Vec<(String, Vec<&Resolved>)> = Vec::new();
    for decision in &decisions.services {
        let r = match decision {
            Decision::NotManaged { address, reason } => {
                changes.push(not_managed(address.clone(), reason.clone()));
                continue;
            }
            Decision::RollBack(r) => r,
        };
        let kept = decisions.kept.get(&r.from_key).cloned().flatten();
        if kept.is_none() {
            let family = &r.from_key.0;
            match deregistered.iter_mut().find(|(f, _)| f == family) {
                Some((_, left)) if left.iter().any(|l| l.from_key == r.from_key) => {}
                Some((_, left)) => left.push(r),
                None => deregistered.push((family.clone(), vec![r])),
            }
        }
        changes.push(rolled_back(r, kept));
    }
    for (family, left) in deregistered {
        changes.push(Change {
            address: Address::Revisions { family },
            action: Action::Delete,
            fields: Vec::new(),
            kept: Vec::new(),
            reason: Some(Reason::RolledBackFrom {
                deregistered: left
                    .iter()
                    .map(|r| family_revision(&r.from).to_owned())
                    .collect(),
            }),
            steps: left
                .iter()
                .map(|r| Step::deregister_task_definition(&r.from))
                .collect(),
            rollback: None,
        });
    }
    Ok(Plan {
        stack: state.stack.clone(),
        changes,
    })
}

/// The change that puts a service on `r.to`; `kept` is why `r.from` stays ACTIVE.
fn rolled_back(r: &Resolved, kept: Option<Reason>) -> Change {
    let (cluster, name) = &r.key;
    Change {
        address: service_address(&r.key),
        action: Action::UpdateAndDeploy,
        fields: diff(
            &json!({"taskDefinition": r.from}),
            &json!({"taskDefinition": r.to}),
        ),
        kept: Vec::new(),
        reason: Some(Reason::RolledBack {
            from: family_revision(&r.from).to_owned(),
            to: family_revision(&r.to).to_owned(),
            kept: kept.map(Box::new),
        }),
        steps: vec![Step::run_revision(cluster, name, &r.to)],
        rollback: Some(Step::run_revision(cluster, name, &r.from)),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::Value;

    use super::*;
    use crate::ownership::STACK_TAG;

    fn arn(name: &str) -> String {
        format!("arn:aws:ecs:us-east-1:123456789012:task-definition/{name}")
    }

    fn tags(stack: Option<&str>) -> Vec<Tag> {
        stack
            .map(|stack| {
                let mut tag = Tag::default();
                tag.key = Some(STACK_TAG.to_owned());
                tag.value = Some(stack.to_owned());
                tag
            })
            .into_iter()
            .collect()
    }

    fn key(name: &str) -> (String, String) {
        ("demo".to_owned(), name.to_owned())
    }

    fn service(name: &str) -> Address {
        service_address(&key(name))
    }

    /// A service of the stack `demo`, ACTIVE, running `revision`.
    fn running(revision: &str) -> ServiceState {
        ServiceState {
            status: Some("ACTIVE".to_owned()),
            task_definition: Some(arn(revision)),
            tags: Some(tags(Some("demo"))),
        }
    }

    /// The stack `demo` with the services `services` (name, revision run) of the cluster
    /// `demo`, the family `web` with the ACTIVE revisions `active`, and every revision tagged
    /// as the stack's.
    fn state(services: &[(&str, &str)], active: &[i64]) -> RollbackState {
        let mut state = RollbackState {
            stack: "demo".to_owned(),
            ..RollbackState::default()
        };
        for (name, revision) in services {
            state.services.push(key(name));
            state.described.insert(key(name), running(revision));
        }
        state.active.insert(
            "web".to_owned(),
            active
                .iter()
                .map(|r| (*r, arn(&format!("web:{r}"))))
                .collect(),
        );
        for r in 1..=10 {
            state
                .revision_tags
                .insert(arn(&format!("web:{r}")), tags(Some("demo")));
        }
        state
    }

    fn problems(result: Result<Plan, RollbackError>) -> Vec<(Address, Problem)> {
        match result {
            Err(RollbackError::Blocked(blocked)) => blocked
                .into_iter()
                .map(|b| (b.address, b.problem))
                .collect(),
            other => panic!("not refused: {other:?}"),
        }
    }

    fn planned(state: &RollbackState, options: &RollbackOptions) -> Plan {
        let plan = plan(state, options).expect("a plan");
        assert!(
            decide(state, options).expect("decided").missing.is_empty(),
            "the state holds every read"
        );
        plan
    }

    fn input(step: &Step) -> Value {
        step.input()
    }

    #[test]
    fn a_service_goes_back_to_the_newest_older_active_revision_and_the_one_left_goes() {
        // Revision 2 is INACTIVE (not listed): the previous ACTIVE one is 1.
        let state = state(&[("api", "web:3")], &[1, 3]);
        let plan = planned(&state, &RollbackOptions::default());
        assert_eq!(plan.stack, "demo");
        let [update, deregister] = plan.changes.as_slice() else {
            panic!("two changes: {plan:#?}");
        };
        assert_eq!(update.address, service("api"));
        assert_eq!(update.action, Action::UpdateAndDeploy);
        assert_eq!(
            update.reason,
            Some(Reason::RolledBack {
                from: "web:3".into(),
                to: "web:1".into(),
                kept: None
            })
        );
        assert_eq!(
            update.fields,
            diff(
                &json!({"taskDefinition": arn("web:3")}),
                &json!({"taskDefinition": arn("web:1")})
            )
        );
        let [step] = update.steps.as_slice() else {
            panic!("one step: {update:#?}");
        };
        assert!(matches!(step, Step::UpdateService(_)));
        assert_eq!(
            input(step),
            json!({"cluster": "demo", "service": "api", "taskDefinition": arn("web:1")})
        );
        let back = update.rollback.as_ref().expect("a rollback step");
        assert_eq!(
            input(back),
            json!({"cluster": "demo", "service": "api", "taskDefinition": arn("web:3")})
        );

        assert_eq!(
            deregister.address,
            Address::Revisions {
                family: "web".into()
            }
        );
        assert_eq!(deregister.action, Action::Delete);
        assert_eq!(
            deregister.reason,
            Some(Reason::RolledBackFrom {
                deregistered: vec!["web:3".into()]
            })
        );
        let [step] = deregister.steps.as_slice() else {
            panic!("one step: {deregister:#?}");
        };
        assert!(matches!(step, Step::DeregisterTaskDefinition(_)));
        assert_eq!(input(step), json!({"taskDefinition": arn("web:3")}));
        assert!(plan.has_changes());
    }

    #[test]
    fn a_target_picks_the_revision_and_is_checked() {
        let state = |inactive: &[i64]| {
            let mut state = state(&[("api", "web:4")], &[1, 2, 4]);
            state
                .inactive
                .insert("web".into(), inactive.iter().copied().collect());
            state
        };
        let to = |target: &str| RollbackOptions::default().to(target.parse().expect("a target"));
        for target in ["1", "web:1", &arn("web:1")] {
            let plan = planned(&state(&[]), &to(target));
            assert!(
                matches!(&plan.changes[0].reason, Some(Reason::RolledBack { to, .. }) if to == "web:1"),
                "{target}: {plan:#?}"
            );
        }
        let refused =
            |target: &str, inactive: &[i64]| problems(plan(&state(inactive), &to(target)));
        assert_eq!(
            refused("3", &[3]),
            [(
                service("api"),
                Problem::TargetNotActive {
                    family: "web".into(),
                    revision: 3,
                    inactive: true
                }
            )]
        );
        assert_eq!(
            refused("3", &[]),
            [(
                service("api"),
                Problem::TargetNotActive {
                    family: "web".into(),
                    revision: 3,
                    inactive: false
                }
            )]
        );
        for target in ["4", "web:5"] {
            assert!(
                matches!(
                    refused(target, &[])[0].1,
                    Problem::TargetNotOlder { current: 4, .. }
                ),
                "{target}"
            );
        }
        assert_eq!(
            refused("checkout:1", &[]),
            [(
                service("api"),
                Problem::OtherFamily {
                    asked: "checkout".into(),
                    running: "web".into()
                }
            )]
        );
    }

    #[test]
    fn every_problem_is_collected_and_nothing_is_planned() {
        let mut state = state(
            &[("first", "web:1"), ("ok", "web:3"), ("draining", "web:3")],
            &[2, 3],
        );
        state
            .inactive
            .insert("web".into(), [1].into_iter().collect());
        state.services.push(key("gone"));
        if let Some(draining) = state.described.get_mut(&key("draining")) {
            draining.status = Some("DRAINING".into());
        }
        let mut external = running("web:3");
        external.task_definition = None;
        state.services.push(key("external"));
        state.described.insert(key("external"), external);

        let found = problems(plan(&state, &RollbackOptions::default()));
        assert_eq!(
            found,
            [
                (
                    service("first"),
                    Problem::NoPreviousRevision {
                        family: "web".into(),
                        current: 1,
                        inactive: vec![]
                    }
                ),
                (
                    service("draining"),
                    Problem::NotActive {
                        status: "DRAINING".into()
                    }
                ),
                (service("gone"), Problem::Missing),
                (
                    service("external"),
                    Problem::NoTaskDefinition {
                        task_definition: String::new()
                    }
                ),
            ]
        );
        // Asked for alone, the service that can be rolled back is; the revision it leaves
        // stays, as the draining service still runs it.
        let only = RollbackOptions::default().service("demo/ok");
        let plan = planned(&state, &only);
        assert_eq!(plan.changes.len(), 1, "{plan:#?}");
        assert!(matches!(
            &plan.changes[0].reason,
            Some(Reason::RolledBack { kept: Some(kept), .. })
                if **kept == Reason::RevisionInUse { service: service("draining") }
        ));
    }

    #[test]
    fn no_previous_revision_names_the_older_ones_deregistered() {
        let mut state = state(&[("api", "web:4")], &[4]);
        state
            .inactive
            .insert("web".into(), [1, 3, 5].into_iter().collect());
        assert_eq!(
            problems(plan(&state, &RollbackOptions::default())),
            [(
                service("api"),
                Problem::NoPreviousRevision {
                    family: "web".into(),
                    current: 4,
                    inactive: vec![3, 1]
                }
            )]
        );
    }

    #[test]
    fn a_service_of_others_is_left_alone_and_keeps_the_revision_it_runs_active() {
        // legacy runs web:2 without the stack's tag; api leaves web:2 too.
        let mut state = state(&[("api", "web:2"), ("legacy", "web:2")], &[1, 2]);
        if let Some(legacy) = state.described.get_mut(&key("legacy")) {
            legacy.tags = None;
        }
        let plan = planned(&state, &RollbackOptions::default());
        let [api, legacy] = plan.changes.as_slice() else {
            panic!("no deregistration: {plan:#?}");
        };
        assert_eq!(
            api.reason,
            Some(Reason::RolledBack {
                from: "web:2".into(),
                to: "web:1".into(),
                kept: Some(Box::new(Reason::RevisionInUse {
                    service: service("legacy")
                }))
            })
        );
        assert_eq!(legacy.action, Action::NotManaged);
        assert_eq!(legacy.reason, Some(Reason::Untagged));
        assert!(legacy.steps.is_empty());

        // Another stack's service.
        if let Some(legacy) = state.described.get_mut(&key("legacy")) {
            legacy.tags = Some(tags(Some("other")));
        }
        let only = RollbackOptions::default().service("legacy");
        let plan = planned(&state, &only);
        assert_eq!(
            plan.changes[0].reason,
            Some(Reason::OtherStack {
                stack: "other".into()
            })
        );
        assert!(!plan.has_changes(), "{plan:#?}");
    }

    #[test]
    fn a_revision_another_service_of_the_stack_runs_stays_active() {
        let state = state(&[("web", "web:2"), ("api", "web:2")], &[1, 2]);
        // Only api: web still runs web:2.
        let plan = planned(&state, &RollbackOptions::default().service("api"));
        assert_eq!(plan.changes.len(), 1, "{plan:#?}");
        assert!(matches!(
            &plan.changes[0].reason,
            Some(Reason::RolledBack { kept: Some(kept), .. })
                if **kept == Reason::RevisionInUse { service: service("web") }
        ));
        // Both: web:2 goes, once.
        let plan = planned(&state, &RollbackOptions::default());
        assert_eq!(plan.changes.len(), 3, "{plan:#?}");
        assert_eq!(plan.changes[2].steps.len(), 1);
    }

    #[test]
    fn a_revision_is_kept_when_asked_or_when_the_stack_does_not_own_it() {
        let mut state = state(&[("api", "web:3")], &[2, 3]);
        let keep = RollbackOptions::default().deregister(false);
        let kept = |plan: &Plan| match &plan.changes[..] {
            [
                Change {
                    reason:
                        Some(Reason::RolledBack {
                            kept: Some(kept), ..
                        }),
                    ..
                },
            ] => (**kept).clone(),
            other => panic!("one change that keeps the revision: {other:#?}"),
        };
        assert_eq!(kept(&planned(&state, &keep)), Reason::KeptAsAsked);

        // Registered by someone else (a CI pipeline): untagged.
        state.revision_tags.insert(arn("web:3"), tags(None));
        let options = RollbackOptions::default();
        assert_eq!(kept(&planned(&state, &options)), Reason::Untagged);
        state
            .revision_tags
            .insert(arn("web:3"), tags(Some("other")));
        assert_eq!(
            kept(&planned(&state, &options)),
            Reason::OtherStack {
                stack: "other".into()
            }
        );
        // Tags not read: kept, as not the stack's.
        state.revision_tags.clear();
        assert_eq!(
            kept(&plan(&state, &options).expect("a plan")),
            Reason::Untagged
        );
    }

    #[test]
    fn revisions_left_are_deregistered_per_family_after_the_services() {
        let mut state = state(
            &[("a", "web:3"), ("b", "web:2"), ("c", "api:7")],
            &[1, 2, 3],
        );
        state.active.insert(
            "api".into(),
            [(1, arn("api:1")), (7, arn("api:7"))].into_iter().collect(),
        );
        state.revision_tags.insert(arn("api:7"), tags(Some("demo")));
        let plan = planned(&state, &RollbackOptions::default().to(Target::Revision(1)));
        let addresses: Vec<String> = plan.changes.iter().map(|c| c.address.to_string()).collect();
        assert_eq!(
            addresses,
            [
                "service demo/a",
                "service demo/b",
                "service demo/c",
                "old revisions of web",
                "old revisions of api"
            ]
        );
        let web = &plan.changes[3];
        assert_eq!(
            web.reason,
            Some(Reason::RolledBackFrom {
                deregistered: vec!["web:3".into(), "web:2".into()]
            })
        );
        assert_eq!(web.steps.len(), 2);
        let json = serde_json::to_value(&plan.changes[0]).expect("json");
        assert_eq!(
            json["reason"],
            json!({"kind": "rolledBack", "from": "web:3", "to": "web:1", "kept": null})
        );

        // To the previous revisions: a goes back to web:2, the revision b leaves, which stays.
        let plan = planned(
            &state,
            &RollbackOptions::default().service("a").service("b"),
        );
        assert_eq!(
            plan.changes[1].reason,
            Some(Reason::RolledBack {
                from: "web:2".into(),
                to: "web:1".into(),
                kept: Some(Box::new(Reason::RevisionInUse {
                    service: service("a")
                }))
            })
        );
        assert_eq!(
            plan.changes[2].reason,
            Some(Reason::RolledBackFrom {
                deregistered: vec!["web:3".into()]
            })
        );
        assert_eq!(plan.changes.len(), 3, "{plan:#?}");
    }

    #[test]
    fn the_reads_follow_the_decisions() {
        // Nothing listed yet: the family of the service rolled back.
        let mut state = state(&[("api", "web:3"), ("other", "web:3")], &[]);
        state.active.clear();
        state.revision_tags.clear();
        if let Some(other) = state.described.get_mut(&key("other")) {
            other.tags = None;
        }
        let options = RollbackOptions::default().service("api");
        let missing = |state: &RollbackState| decide(state, &options).expect("decided").missing;
        assert_eq!(
            missing(&state).active,
            ["web".to_owned()].into_iter().collect()
        );
        // Listed: the tags of the revision left, unless another service runs it.
        state.active.insert(
            "web".into(),
            [(2, arn("web:2")), (3, arn("web:3"))].into_iter().collect(),
        );
        assert_eq!(missing(&state).tags.len(), 0, "other still runs web:3");
        if let Some(other) = state.described.get_mut(&key("other")) {
            other.task_definition = Some(arn("web:2"));
        }
        let found = missing(&state);
        assert_eq!(found.tags, [arn("web:3")].into_iter().collect());
        assert!(found.inactive.is_empty());
        // No older revision: the INACTIVE listing, to say which are deregistered; no tags.
        state.active.get_mut("web").map(|active| active.remove(&2));
        let found = missing(&state);
        assert_eq!(found.inactive, ["web".to_owned()].into_iter().collect());
        assert!(found.tags.is_empty());
    }

    #[test]
    fn services_asked_for_must_be_the_stacks() {
        let state = state(&[("api", "web:3")], &[2, 3]);
        let result = plan(
            &state,
            &RollbackOptions::default().service("api").service("nope"),
        );
        assert!(
            matches!(&result, Err(RollbackError::NotInStack(names)) if names == &["nope"]),
            "{result:?}"
        );
    }

    #[test]
    fn the_reasons_name_no_flag() {
        let reason = Reason::RolledBack {
            from: "web:3".into(),
            to: "web:2".into(),
            kept: Some(Box::new(Reason::KeptAsAsked)),
        };
        assert_eq!(
            reason.to_string(),
            "back from web:3 to web:2, an earlier revision of its family; web:3 stays ACTIVE: \
             kept as asked"
        );
        let text = Reason::RolledBackFrom {
            deregistered: vec!["web:3".into()],
        }
        .to_string();
        assert!(
            text.starts_with("deregister web:3, rolled back from"),
            "{text}"
        );
        assert!(!text.contains("--"), "{text}");
    }

    #[test]
    fn a_family_prefix_listing_is_filtered_to_the_family_and_sorted() {
        // ListTaskDefinitions' familyPrefix also matches longer families, and its order is
        // not to be trusted.
        let arns = vec![
            arn("web:10"),
            arn("web-worker:7"),
            arn("web:2"),
            arn("webserver:9"),
            arn("web:9"),
        ];
        let revisions = revisions_of("web", &arns);
        assert_eq!(revisions.keys().copied().collect::<Vec<_>>(), [2, 9, 10]);
        assert_eq!(previous(&revisions, 10), Some((9, &arn("web:9"))));
        assert_eq!(previous(&revisions, 9), Some((2, &arn("web:2"))));
        assert_eq!(previous(&revisions, 2), None);
        // A running revision that is no longer listed (deregistered) still has a previous one.
        assert_eq!(previous(&revisions, 5), Some((2, &arn("web:2"))));
    }

    #[test]
    fn targets_read_numbers_family_revisions_and_arns() {
        assert_eq!("4".parse::<Target>(), Ok(Target::Revision(4)));
        let family = Target::FamilyRevision {
            family: "webserver".into(),
            revision: 4,
        };
        assert_eq!("webserver:4".parse::<Target>(), Ok(family.clone()));
        assert_eq!(arn("webserver:4").parse::<Target>(), Ok(family));
        for bad in ["0", "-1", "webserver", "latest", ""] {
            assert!(bad.parse::<Target>().is_err(), "{bad}");
        }
    }

    #[test]
    fn services_are_selected_by_name_or_cluster_and_name() {
        let key = ("demo".to_owned(), "web".to_owned());
        assert!(selects("web", &key));
        assert!(selects("demo/web", &key));
        assert!(!selects("other/web", &key));
        assert!(!selects("we", &key));
        assert!(selects(
            "arn:aws:ecs:us-east-1:123456789012:cluster/demo/web",
            &key
        ));
        assert!(!selects(
            "arn:aws:ecs:us-east-1:123456789012:cluster/other/web",
            &key
        ));
    }

    #[test]
    fn a_cluster_written_as_its_arn_is_keyed_by_its_name() {
        let stack = ecs_model::load::from_value::<Stack>(&json!({"services": [
            {"serviceName": "web", "cluster": "arn:aws:ecs:us-east-1:123456789012:cluster/demo"},
            {"serviceName": "web", "cluster": "demo"},
            {"serviceName": "worker"}
        ]}))
        .value
        .expect("a stack");
        let all = stack_services(&stack);
        assert_eq!(
            all,
            [
                ("demo".to_owned(), "web".to_owned()),
                ("default".to_owned(), "worker".to_owned())
            ]
        );
        assert!(selects("demo/web", &all[0]));
    }

    #[test]
    fn no_previous_revision_says_which_are_deregistered() {
        let problem = Problem::NoPreviousRevision {
            family: "webserver".into(),
            current: 3,
            inactive: vec![2, 1],
        };
        let text = problem.to_string();
        assert!(
            text.starts_with("it runs webserver:3, and webserver has no older ACTIVE revision"),
            "{text}"
        );
        assert!(
            text.contains("webserver:2, webserver:1 are INACTIVE"),
            "{text}"
        );
        let bare = Problem::NoPreviousRevision {
            family: "webserver".into(),
            current: 1,
            inactive: vec![],
        };
        assert!(bare.to_string().ends_with("to go back to"), "{bare}");
    }
}
