//! Rolling back: putting a stack's services back on an earlier revision of their task
//! definitions, as `ecspresso rollback` does.
//!
//! It goes in two steps, so that a person can look before anything changes:
//!
//! 1. [`plan`] reads: one DescribeServices call per 10 services of a cluster (tags included),
//!    one ListTaskDefinitions listing (all its pages) per family, and one
//!    DescribeTaskDefinition per revision to leave, for its tags. It works out, for each service
//!    of the stack (or each one asked for), the revision it runs and the one it goes back to: the
//!    newest ACTIVE revision of the same family older than the running one, or the one asked
//!    for ([`Target`]). Every problem is collected (a service missing, no older revision...);
//!    with one, nothing is changed at all.
//! 2. [`run`] calls UpdateService for each service, follows the deployments with
//!    [`crate::wait`], then deregisters each revision left (DeregisterTaskDefinition).
//!
//! ```no_run
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! use ecs_deploy::rollback::{self, RollbackOptions, ServiceAction};
//!
//! let config = aws_config::load_defaults(aws_config::BehaviorVersion::latest()).await;
//! let ecs = ecs_deploy::Ecs::new(&config);
//! let stack = ecs_deploy::ecs_model::file::read_stack("shop.json")?;
//! let options = RollbackOptions::default().service("web");
//! let plan = rollback::plan(&ecs, &stack, "shop", &options).await?;
//! for service in &plan.services {
//!     if let ServiceAction::RollBack { from, to, .. } = &service.action {
//!         println!("{}: {from} -> {to}", service.address);
//!     }
//! }
//! rollback::run(&ecs, &plan, &options, |event| println!("{event:?}")).await?;
//! # Ok(())
//! # }
//! ```
//!
//! # Ownership
//!
//! Only services carrying this stack's [`STACK_TAG`] are rolled back; the others are reported
//! as not managed and left alone. A revision left is deregistered only when it carries the tag
//! too, and when no other service of the stack still runs it.
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
//! Without waiting ([`RollbackOptions::no_wait`]), the revision is deregistered right after the
//! UpdateService call, before the deployment's outcome is known. Tasks and services already
//! using an INACTIVE revision keep running and scaling (so AWS documents), but no new service
//! can start on it: keep the revision when the rollback itself may need undoing.

use std::collections::{BTreeMap, BTreeSet};
use std::str::FromStr;

use ecs_model::Stack;
use ecs_model::load::from_value;
use ecs_model::types::Tag;
use serde_json::{Value, json};

use crate::aws::{AwsError, Ecs, Operation};
use crate::observe::described_services;
use crate::plan::{Address, STACK_TAG, cluster_name};
use crate::stack_name::{StackNameError, check_stack_name};
use crate::status::Owner;
use crate::wait::{Rollout, WaitError, WaitEvent, WaitOptions, wait};

/// At most this many DescribeServices calls at a time while planning a rollback.
const DESCRIBE_CONCURRENCY: usize = 8;

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
        Ok(Self::FamilyRevision { family, revision })
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

/// What to roll back, and how.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct RollbackOptions {
    /// The services to roll back, as `NAME` or `CLUSTER/NAME`; empty for every service of the
    /// stack.
    pub services: Vec<String>,
    /// The revision to go back to.
    pub target: Target,
    /// Follow the rollback deployments until they settle; `None` returns after the calls.
    pub wait: Option<WaitOptions>,
    /// Deregister the revision rolled back from (when the stack owns it and no other service of
    /// the stack runs it); `false` keeps it ACTIVE.
    pub deregister: bool,
}

impl Default for RollbackOptions {
    /// Every service, to its previous revision, waiting with [`WaitOptions::default`], and
    /// deregistering the revisions left.
    fn default() -> Self {
        Self {
            services: Vec::new(),
            target: Target::Previous,
            wait: Some(WaitOptions::default()),
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

    /// Follows the deployments with `wait`.
    pub fn wait(mut self, wait: WaitOptions) -> Self {
        self.wait = Some(wait);
        self
    }

    /// Returns after the calls, without following the deployments.
    pub fn no_wait(mut self) -> Self {
        self.wait = None;
        self
    }

    /// Deregisters (`true`, the default) or keeps (`false`) the revisions rolled back from.
    pub fn deregister(mut self, deregister: bool) -> Self {
        self.deregister = deregister;
        self
    }
}

/// Why a revision rolled back from stays ACTIVE.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum KeepReason {
    /// [`RollbackOptions::deregister`] is off.
    Asked,
    /// Another service of the stack still runs it.
    InUse {
        /// That service.
        service: Address,
    },
    /// The revision does not carry this stack's tag.
    NotManaged {
        /// Whose it is, in words.
        reason: String,
    },
}

impl std::fmt::Display for KeepReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Asked => f.write_str("asked to keep it"),
            Self::InUse { service } => write!(f, "{service} still runs it"),
            Self::NotManaged { reason } => f.write_str(reason),
        }
    }
}

/// What happens to one service.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ServiceAction {
    /// It goes back from one revision to another.
    RollBack {
        /// The ARN of the revision it runs now.
        from: String,
        /// The ARN of the revision it goes back to.
        to: String,
        /// Why `from` stays ACTIVE afterwards; `None` when it is deregistered.
        keep: Option<KeepReason>,
    },
    /// It is left alone: this stack does not manage it.
    NotManaged {
        /// Whose it is, in words.
        reason: String,
    },
}

/// The rollback of one service.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ServiceRollback {
    /// The service.
    pub address: Address,
    /// What happens to it.
    pub action: ServiceAction,
}

/// What a rollback does, service by service; made by [`plan`], carried out by [`run`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct RollbackPlan {
    /// The stack's name.
    pub stack: String,
    /// The services asked for, in the stack's order.
    pub services: Vec<ServiceRollback>,
}

impl ServiceRollback {
    /// The rollback of the service at `address`.
    pub fn new(address: Address, action: ServiceAction) -> Self {
        Self { address, action }
    }
}

impl RollbackPlan {
    /// A plan for the stack `stack` that rolls nothing back yet.
    pub fn new(stack: impl Into<String>) -> Self {
        Self {
            stack: stack.into(),
            services: Vec::new(),
        }
    }

    /// Whether running the plan changes anything (some service is managed by the stack).
    pub fn has_changes(&self) -> bool {
        self.services
            .iter()
            .any(|s| matches!(s.action, ServiceAction::RollBack { .. }))
    }
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

/// What happens during [`run`].
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum RollbackEvent {
    /// UpdateService put a service on the revision it goes back to.
    Updated {
        /// The service.
        address: Address,
        /// The ARN of the revision it ran.
        from: String,
        /// The ARN of the revision it runs now.
        to: String,
        /// What UpdateService returned.
        response: Value,
    },
    /// Progress of a rollback deployment being followed.
    Wait(WaitEvent),
    /// A revision rolled back from was deregistered.
    Deregistered {
        /// Its ARN.
        task_definition: String,
    },
    /// A revision rolled back from stays ACTIVE.
    Kept {
        /// Its ARN.
        task_definition: String,
        /// Why.
        reason: KeepReason,
    },
}

/// Why a rollback failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RollbackError {
    /// The stack's name cannot be the value of its tag; nothing was sent to AWS.
    #[error(transparent)]
    InvalidName(#[from] StackNameError),
    /// Services were asked for that the stack does not have; nothing was sent to AWS.
    #[error("not services of the stack: {}", .0.join(", "))]
    NotInStack(Vec<String>),
    /// Reading the services or the task definitions failed; nothing was changed.
    #[error("cannot read the services and their revisions")]
    Read(#[source] AwsError),
    /// Some services cannot be rolled back; nothing was changed.
    #[error("{}", blocked_summary(.0))]
    Blocked(Vec<Blocked>),
    /// An UpdateService call failed.
    #[error("{address}: the rollback call failed")]
    Update {
        /// The service.
        address: Address,
        /// The failure.
        #[source]
        source: AwsError,
        /// The services put back on their target before.
        done: Vec<Address>,
    },
    /// A rollback deployment failed, was rolled back by the circuit breaker, or did not settle
    /// in time. No revision was deregistered.
    #[error("a rollback deployment did not complete")]
    Rollout {
        /// The failure.
        #[source]
        source: WaitError,
        /// The services whose UpdateService call was made.
        done: Vec<Address>,
    },
    /// The services were rolled back, but deregistering a revision left failed.
    #[error("the services were rolled back, but deregistering {task_definition} failed")]
    Deregister {
        /// The revision's ARN.
        task_definition: String,
        /// The failure.
        #[source]
        source: AwsError,
        /// The services rolled back.
        done: Vec<Address>,
    },
}

fn blocked_summary(blocked: &[Blocked]) -> String {
    let lines: Vec<String> = blocked.iter().map(ToString::to_string).collect();
    format!(
        "{} cannot be rolled back, so nothing was changed: {}",
        if blocked.len() == 1 {
            "1 service".to_owned()
        } else {
            format!("{} services", blocked.len())
        },
        lines.join("; ")
    )
}

/// `(family, revision)` from a task definition ARN or `family:revision`.
pub fn parse_task_definition(text: &str) -> Option<(String, i64)> {
    let name = text
        .rsplit_once("task-definition/")
        .map_or(text, |(_, name)| name);
    let (family, revision) = name.rsplit_once(':')?;
    let revision = revision.parse::<i64>().ok().filter(|r| *r > 0)?;
    let valid = !family.is_empty()
        && family
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    valid.then(|| (family.to_owned(), revision))
}

/// The revisions of `family` among `arns` (ListTaskDefinitions' answer for a family prefix,
/// which also lists longer families starting with it), by revision number.
pub fn revisions_of(family: &str, arns: &[String]) -> BTreeMap<i64, String> {
    arns.iter()
        .filter_map(|arn| {
            let (f, revision) = parse_task_definition(arn)?;
            (f == family).then(|| (revision, arn.clone()))
        })
        .collect()
}

/// The newest revision of `revisions` older than `current`.
fn previous(revisions: &BTreeMap<i64, String>, current: i64) -> Option<(i64, &String)> {
    revisions
        .range(..current)
        .next_back()
        .map(|(revision, arn)| (*revision, arn))
}

/// Every revision of `family` with `status` (ACTIVE or INACTIVE), through every page.
async fn list_revisions(
    ecs: &Ecs,
    family: &str,
    status: &str,
) -> Result<BTreeMap<i64, String>, AwsError> {
    let arns = crate::observe::list_all(
        ecs,
        Operation::ListTaskDefinitions,
        json!({"familyPrefix": family, "status": status, "maxResults": 100}),
        "taskDefinitionArns",
    )
    .await?;
    Ok(revisions_of(family, &arns))
}

/// Whether `tags` carry this stack's tag; whose the resource is, in words, when not.
fn ownership(tags: Option<&[Tag]>, stack: &str) -> Result<(), String> {
    match Owner::of(tags, stack) {
        Owner::OtherStack(other) => Err(format!(
            "it belongs to the stack `{other}` ({STACK_TAG} tag)"
        )),
        Owner::Unmanaged => Err(format!(
            "it has no {STACK_TAG} tag, so another tool or person manages it"
        )),
        _ => Ok(()),
    }
}

/// The stack's services as (cluster name, name), in its order, once each. A cluster written as
/// its ARN is keyed by its name, as observing and planning key it.
fn stack_services(stack: &Stack) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
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
fn selects(selector: &str, (cluster, name): &(String, String)) -> bool {
    selector == name
        || selector
            .rsplit_once('/')
            .is_some_and(|(c, n)| cluster_name(c) == cluster && n == name)
}

/// A service to roll back, once its target is known.
struct Resolved {
    address: Address,
    from: String,
    from_key: (String, i64),
    to: String,
}

/// Reads the stack's services and their families and works out what rolling back does. Nothing
/// is changed; with any [`Problem`], the error lists them all.
pub async fn plan(
    ecs: &Ecs,
    stack: &Stack,
    stack_name: &str,
    options: &RollbackOptions,
) -> Result<RollbackPlan, RollbackError> {
    check_stack_name(stack_name)?;
    let all = stack_services(stack);
    let unknown: Vec<String> = options
        .services
        .iter()
        .filter(|s| !all.iter().any(|key| selects(s, key)))
        .cloned()
        .collect();
    if !unknown.is_empty() {
        return Err(RollbackError::NotInStack(unknown));
    }
    let chosen: Vec<&(String, String)> = all
        .iter()
        .filter(|key| {
            options.services.is_empty() || options.services.iter().any(|s| selects(s, key))
        })
        .collect();
    // Every service of the stack is read: a revision another one runs is not deregistered.
    let mut by_cluster: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (cluster, name) in &all {
        by_cluster
            .entry(cluster.clone())
            .or_default()
            .insert(name.clone());
    }
    let described = described_services(ecs, &by_cluster, DESCRIBE_CONCURRENCY)
        .await
        .map_err(RollbackError::Read)?;

    let mut services = Vec::new();
    let mut blocked = Vec::new();
    let mut resolved: Vec<Resolved> = Vec::new();
    let mut families: BTreeMap<String, BTreeMap<i64, String>> = BTreeMap::new();
    for key in chosen {
        let address = Address::Service {
            cluster: key.0.clone(),
            name: key.1.clone(),
        };
        let mut block = |problem| {
            blocked.push(Blocked {
                address: address.clone(),
                problem,
            });
        };
        let Some(service) = described.get(key) else {
            block(Problem::Missing);
            continue;
        };
        if let Err(reason) = ownership(service.tags.as_deref(), stack_name) {
            services.push(ServiceRollback {
                address,
                action: ServiceAction::NotManaged { reason },
            });
            continue;
        }
        match service.status.as_deref() {
            Some("ACTIVE") => {}
            status => {
                block(Problem::NotActive {
                    status: status.unwrap_or("without a status").to_owned(),
                });
                continue;
            }
        }
        let running = service.task_definition.clone().unwrap_or_default();
        let Some((family, current)) = parse_task_definition(&running) else {
            block(Problem::NoTaskDefinition {
                task_definition: running,
            });
            continue;
        };
        if !families.contains_key(&family) {
            let revisions = list_revisions(ecs, &family, "ACTIVE")
                .await
                .map_err(RollbackError::Read)?;
            families.insert(family.clone(), revisions);
        }
        let active = families.get(&family).cloned().unwrap_or_default();
        let wanted = match &options.target {
            Target::Previous => None,
            Target::Revision(revision) => Some(*revision),
            Target::FamilyRevision {
                family: asked,
                revision,
            } => {
                if *asked != family {
                    block(Problem::OtherFamily {
                        asked: asked.clone(),
                        running: family.clone(),
                    });
                    continue;
                }
                Some(*revision)
            }
        };
        let to = match wanted {
            None => match previous(&active, current) {
                Some((_, arn)) => arn.clone(),
                None => {
                    let inactive = list_revisions(ecs, &family, "INACTIVE")
                        .await
                        .map_err(RollbackError::Read)?;
                    block(Problem::NoPreviousRevision {
                        family: family.clone(),
                        current,
                        inactive: inactive.range(..current).rev().map(|(r, _)| *r).collect(),
                    });
                    continue;
                }
            },
            Some(revision) if revision >= current => {
                block(Problem::TargetNotOlder {
                    family: family.clone(),
                    current,
                    revision,
                });
                continue;
            }
            Some(revision) => match active.get(&revision) {
                Some(arn) => arn.clone(),
                None => {
                    let inactive = list_revisions(ecs, &family, "INACTIVE")
                        .await
                        .map_err(RollbackError::Read)?;
                    block(Problem::TargetNotActive {
                        family: family.clone(),
                        revision,
                        inactive: inactive.contains_key(&revision),
                    });
                    continue;
                }
            },
        };
        // The ARN of the revision running, as ListTaskDefinitions names it (a service updated
        // with `family:N` may name it so).
        let from = active
            .get(&current)
            .cloned()
            .unwrap_or_else(|| running.clone());
        resolved.push(Resolved {
            address,
            from,
            from_key: (family, current),
            to,
        });
    }
    if !blocked.is_empty() {
        return Err(RollbackError::Blocked(blocked));
    }

    // What each service of the stack runs once the rollback is done.
    let rolled: BTreeMap<&Address, &Resolved> = resolved.iter().map(|r| (&r.address, r)).collect();
    let mut runs_after: Vec<(Address, Option<(String, i64)>)> = Vec::new();
    for key in &all {
        let address = Address::Service {
            cluster: key.0.clone(),
            name: key.1.clone(),
        };
        let running = match rolled.get(&address) {
            Some(r) => parse_task_definition(&r.to),
            None => described
                .get(key)
                .and_then(|s| s.task_definition.as_deref())
                .and_then(parse_task_definition),
        };
        runs_after.push((address, running));
    }
    let mut keep_reasons: BTreeMap<(String, i64), Option<KeepReason>> = BTreeMap::new();
    for r in &resolved {
        if keep_reasons.contains_key(&r.from_key) {
            continue;
        }
        let reason = if !options.deregister {
            Some(KeepReason::Asked)
        } else if let Some((service, _)) = runs_after
            .iter()
            .find(|(_, running)| running.as_ref() == Some(&r.from_key))
        {
            Some(KeepReason::InUse {
                service: service.clone(),
            })
        } else {
            let response = ecs
                .call(
                    Operation::DescribeTaskDefinition,
                    &json!({"taskDefinition": r.from, "include": ["TAGS"]}),
                )
                .await
                .map_err(RollbackError::Read)?;
            let tags: Vec<Tag> = response
                .get("tags")
                .map(|tags| from_value::<Vec<Tag>>(tags).value.unwrap_or_default())
                .unwrap_or_default();
            ownership(Some(tags.as_slice()), stack_name)
                .err()
                .map(|reason| KeepReason::NotManaged { reason })
        };
        keep_reasons.insert(r.from_key.clone(), reason);
    }

    for r in resolved {
        let keep = keep_reasons.get(&r.from_key).cloned().flatten();
        services.push(ServiceRollback {
            address: r.address,
            action: ServiceAction::RollBack {
                from: r.from,
                to: r.to,
                keep,
            },
        });
    }
    // In the stack's order.
    let order: Vec<Address> = all
        .iter()
        .map(|(cluster, name)| Address::Service {
            cluster: cluster.clone(),
            name: name.clone(),
        })
        .collect();
    services.sort_by_key(|s| order.iter().position(|a| *a == s.address));
    Ok(RollbackPlan {
        stack: stack_name.to_owned(),
        services,
    })
}

/// Carries out `plan`: UpdateService for each service rolled back, then (unless
/// [`RollbackOptions::wait`] is `None`) follows their deployments until they settle, then
/// deregisters the revisions left that [`plan`] did not keep. Returns the services rolled back.
pub async fn run(
    ecs: &Ecs,
    plan: &RollbackPlan,
    options: &RollbackOptions,
    mut on_event: impl FnMut(RollbackEvent),
) -> Result<Vec<Address>, RollbackError> {
    let mut done = Vec::new();
    let mut rollouts = Vec::new();
    for service in &plan.services {
        let (ServiceAction::RollBack { from, to, .. }, Address::Service { cluster, name }) =
            (&service.action, &service.address)
        else {
            continue;
        };
        let input = json!({"cluster": cluster, "service": name, "taskDefinition": to});
        let response = ecs
            .call(Operation::UpdateService, &input)
            .await
            .map_err(|source| RollbackError::Update {
                address: service.address.clone(),
                source,
                done: done.clone(),
            })?;
        if let Some(rollout) = Rollout::from_response(&response) {
            rollouts.push(rollout);
        }
        on_event(RollbackEvent::Updated {
            address: service.address.clone(),
            from: from.clone(),
            to: to.clone(),
            response,
        });
        done.push(service.address.clone());
    }
    if let Some(wait_options) = options.wait
        && let Err(source) = wait(ecs, &rollouts, wait_options, |e| {
            on_event(RollbackEvent::Wait(e));
        })
        .await
    {
        return Err(RollbackError::Rollout { source, done });
    }
    let mut seen = BTreeSet::new();
    for service in &plan.services {
        let ServiceAction::RollBack { from, keep, .. } = &service.action else {
            continue;
        };
        if !seen.insert(from.clone()) {
            continue;
        }
        match keep {
            Some(reason) => on_event(RollbackEvent::Kept {
                task_definition: from.clone(),
                reason: reason.clone(),
            }),
            None => {
                ecs.call(
                    Operation::DeregisterTaskDefinition,
                    &json!({"taskDefinition": from}),
                )
                .await
                .map_err(|source| RollbackError::Deregister {
                    task_definition: from.clone(),
                    source,
                    done: done.clone(),
                })?;
                on_event(RollbackEvent::Deregistered {
                    task_definition: from.clone(),
                });
            }
        }
    }
    Ok(done)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn arn(name: &str) -> String {
        format!("arn:aws:ecs:us-east-1:123456789012:task-definition/{name}")
    }

    #[test]
    fn task_definitions_are_read_from_arns_and_short_names() {
        assert_eq!(
            parse_task_definition(&arn("webserver:12")),
            Some(("webserver".to_owned(), 12))
        );
        assert_eq!(
            parse_task_definition("web-server_2:3"),
            Some(("web-server_2".to_owned(), 3))
        );
        for bad in [
            "webserver",
            "webserver:",
            ":3",
            "webserver:x",
            "web:0",
            "a/b:1",
            "",
        ] {
            assert_eq!(parse_task_definition(bad), None, "{bad}");
        }
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
    fn ownership_needs_this_stacks_tag() {
        let tag = |value: &str| {
            let mut tag = Tag::default();
            tag.key = Some(STACK_TAG.to_owned());
            tag.value = Some(value.to_owned());
            tag
        };
        assert_eq!(ownership(Some(&[tag("demo")]), "demo"), Ok(()));
        assert!(
            ownership(Some(&[tag("other")]), "demo")
                .is_err_and(|reason| reason.contains("`other`"))
        );
        assert!(ownership(None, "demo").is_err_and(|reason| reason.contains("no ecs-rs:stack")));
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
