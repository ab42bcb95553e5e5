//! Applying a plan: its calls, in order (clusters, then task definitions, then services), with
//! an event for each step.
//!
//! Every step is idempotent in effect: an apply that stops half-way leaves AWS consistent, and
//! planning again sees what was done (a registered revision is the family's latest, so it is
//! not registered twice) and finishes the rest.
//!
//! After the calls, the deployments the plan started are followed to the end
//! ([`crate::wait`]); a deployment that fails, is rolled back by the circuit breaker or times
//! out fails the apply, and (unless told otherwise) the service is put back on the revision it
//! ran before.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::time::Instant;

use futures::stream::{self, StreamExt};
use serde_json::Value;

use crate::aws::{AwsError, Ecs, Operation};
use crate::plan::{Action, Address, Change, Plan};
use crate::wait::{Rollout, WaitError, WaitEvent, WaitOptions, wait};

/// How many changes an apply makes at a time, unless told otherwise.
const DEFAULT_CONCURRENCY: usize = 8;

/// How to apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct ApplyOptions {
    /// Follow the deployments started until they settle; `None` returns after the calls.
    pub wait: Option<WaitOptions>,
    /// When a deployment fails, put the service back on the revision it ran before.
    pub rollback: bool,
    /// At most this many changes at a time (8 by default).
    pub concurrency: usize,
}

impl ApplyOptions {
    /// Return after the calls, without following the deployments.
    pub fn no_wait() -> Self {
        Self {
            wait: None,
            rollback: false,
            concurrency: DEFAULT_CONCURRENCY,
        }
    }

    /// Follow the deployments with `wait`, and roll back a failed one when `rollback`.
    pub fn wait(wait: WaitOptions, rollback: bool) -> Self {
        Self {
            wait: Some(wait),
            rollback,
            concurrency: DEFAULT_CONCURRENCY,
        }
    }

    /// At most `n` changes at a time (at least 1).
    pub fn concurrency(mut self, n: usize) -> Self {
        self.concurrency = n.max(1);
        self
    }
}

impl Default for ApplyOptions {
    /// Wait with [`WaitOptions::default`], and roll back on failure.
    fn default() -> Self {
        Self {
            wait: Some(WaitOptions::default()),
            rollback: true,
            concurrency: DEFAULT_CONCURRENCY,
        }
    }
}

/// What happens while a plan is applied.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Event {
    /// A resource's change starts.
    Started {
        /// The resource.
        address: Address,
        /// What happens to it.
        action: Action,
    },
    /// A call succeeded.
    Called {
        /// The resource.
        address: Address,
        /// The operation.
        operation: Operation,
        /// What it returned.
        response: Value,
    },
    /// A resource's change is done (its calls; its deployment may still be running).
    Done {
        /// The resource.
        address: Address,
    },
    /// Progress of a deployment being followed.
    Wait(WaitEvent),
    /// A call cannot be made yet, and is tried again after [`WaitOptions::interval`].
    Waiting {
        /// The resource.
        address: Address,
        /// Why, in words.
        reason: String,
    },
    /// A failed deployment's service was put back on the revision it ran before.
    RolledBack {
        /// The service.
        address: Address,
        /// The task definition it runs again.
        task_definition: String,
    },
}

/// What failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Failure {
    /// A call failed.
    #[error(transparent)]
    Call(#[from] AwsError),
    /// A deployment did not settle.
    #[error(transparent)]
    Rollout(#[from] WaitError),
}

/// A failed apply: what failed, how far the apply got, and whether a service was rolled back.
#[derive(Debug, thiserror::Error)]
#[error("{address}: {source}")]
#[non_exhaustive]
pub struct ApplyError {
    /// The resource whose change failed.
    pub address: Address,
    /// What failed.
    #[source]
    pub source: Failure,
    /// The resources whose calls were done before.
    pub done: Vec<Address>,
    /// The task definition the failed service was put back on, when it was rolled back.
    pub rolled_back_to: Option<String>,
    /// Other changes of the same phase that failed too.
    pub others: Vec<(Address, Failure)>,
}

/// Applies `plan`, calling `on_event` as it goes; returns the resources changed.
///
/// The changes run in phases, in the plan's order: capacity providers, clusters, task
/// definitions, services, old revisions, then the deletions (services, task definition
/// families, clusters, capacity providers). The changes of
/// one phase are independent of each other and run concurrently, at most
/// [`ApplyOptions::concurrency`] at a time. When one fails, the others of its phase still
/// finish, and the next phases do not start.
pub async fn apply(
    ecs: &Ecs,
    plan: &Plan,
    options: &ApplyOptions,
    on_event: impl FnMut(Event),
) -> Result<Vec<Address>, ApplyError> {
    let mut state = State {
        on_event: RefCell::new(on_event),
        registered: RefCell::new(BTreeMap::new()),
        rollouts: RefCell::new(Vec::new()),
        done: RefCell::new(Vec::new()),
    };
    for phase in phases(&plan.changes) {
        let failures: Vec<(Address, Failure)> = stream::iter(phase)
            .map(|change| apply_change(ecs, change, options, &state))
            .buffer_unordered(options.concurrency.max(1))
            .filter_map(|result| async move { result.err() })
            .collect()
            .await;
        let mut failures = failures.into_iter();
        if let Some((address, source)) = failures.next() {
            // The deployments already started are still followed (and a failed one rolled
            // back), so that none is left behind unwatched.
            let mut others: Vec<(Address, Failure)> = failures.collect();
            let rollouts = state.rollouts.take();
            let mut rolled_back_to = None;
            if let (Some(wait_options), false) = (options.wait, rollouts.is_empty()) {
                let on_event = state.on_event.get_mut();
                if let Err(failure) = follow(ecs, &rollouts, wait_options, options, on_event).await
                {
                    rolled_back_to = failure.rolled_back_to;
                    others.push((failure.address, failure.source));
                }
            }
            return Err(ApplyError {
                address,
                source,
                done: state.done.into_inner(),
                rolled_back_to,
                others,
            });
        }
    }
    let State {
        mut on_event,
        rollouts,
        done,
        ..
    } = state;
    let (on_event, rollouts, done) = (on_event.get_mut(), rollouts.into_inner(), done.into_inner());
    let Some(wait_options) = options.wait else {
        return Ok(done);
    };
    match follow(ecs, &rollouts, wait_options, options, on_event).await {
        Ok(()) => Ok(done),
        Err(failure) => Err(ApplyError {
            address: failure.address,
            source: failure.source,
            done,
            rolled_back_to: failure.rolled_back_to,
            others: Vec::new(),
        }),
    }
}

/// A deployment that did not settle, and where its service was put back.
struct Unsettled {
    address: Address,
    source: Failure,
    rolled_back_to: Option<String>,
}

/// Follows `rollouts` until they settle; when one fails and `options.rollback`, puts its
/// service back on the revision it ran before.
async fn follow(
    ecs: &Ecs,
    rollouts: &[(Rollout, &Change)],
    wait_options: WaitOptions,
    options: &ApplyOptions,
    on_event: &mut impl FnMut(Event),
) -> Result<(), Unsettled> {
    let followed: Vec<Rollout> = rollouts.iter().map(|(r, _)| r.clone()).collect();
    let Err(failure) = wait(ecs, &followed, wait_options, |e| on_event(Event::Wait(e))).await
    else {
        return Ok(());
    };
    // Which change failed: the rollout named in the error.
    let failed = match &failure {
        WaitError::Failed { service, .. } | WaitError::TimedOut { service, .. } => rollouts
            .iter()
            .find(|(r, _)| &r.service == service)
            .map(|(_, c)| *c),
        _ => None,
    };
    let address = match failed {
        Some(change) => change.address.clone(),
        None => rollouts.first().map_or(
            Address::Cluster {
                name: String::new(),
            },
            |(_, c)| c.address.clone(),
        ),
    };
    let mut rolled_back_to = None;
    if options.rollback
        && let Some(step) = failed.and_then(|c| c.rollback.as_ref())
        && ecs.call(step.operation, &step.input).await.is_ok()
    {
        let to = step.input["taskDefinition"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        on_event(Event::RolledBack {
            address: address.clone(),
            task_definition: to.clone(),
        });
        rolled_back_to = Some(to);
    }
    Err(Unsettled {
        address,
        source: failure.into(),
        rolled_back_to,
    })
}

/// What the concurrent changes of an apply share. Each is borrowed for a moment, never across
/// an `.await`, and the changes run on one task, so the borrows never overlap.
struct State<'p, F> {
    on_event: RefCell<F>,
    /// The ARN of each revision registered by this apply, by family: a service of the same
    /// plan runs exactly that revision.
    registered: RefCell<BTreeMap<String, String>>,
    /// The deployments started, to follow.
    rollouts: RefCell<Vec<(Rollout, &'p Change)>>,
    /// The resources whose calls are done.
    done: RefCell<Vec<Address>>,
}

impl<F: FnMut(Event)> State<'_, F> {
    fn emit(&self, event: Event) {
        (self.on_event.borrow_mut())(event);
    }
}

/// The plan's changes with calls to make, cut into runs of independent changes: the same kind
/// of resource, all deleted or none.
fn phases(changes: &[Change]) -> Vec<Vec<&Change>> {
    let key = |c: &Change| {
        let kind = match c.address {
            Address::CapacityProvider { .. } => 0,
            Address::Cluster { .. } => 1,
            Address::TaskDefinition { .. } => 2,
            Address::Service { .. } => 3,
            _ => 4,
        };
        (kind, c.action == Action::Delete)
    };
    let mut out: Vec<Vec<&Change>> = Vec::new();
    for change in changes.iter().filter(|c| !c.steps.is_empty()) {
        match out.last_mut() {
            Some(phase) if phase.first().is_some_and(|p| key(p) == key(change)) => {
                phase.push(change);
            }
            _ => out.push(vec![change]),
        }
    }
    out
}

/// Makes the calls of one change.
async fn apply_change<'p, F: FnMut(Event)>(
    ecs: &Ecs,
    change: &'p Change,
    options: &ApplyOptions,
    state: &State<'p, F>,
) -> Result<(), (Address, Failure)> {
    state.emit(Event::Started {
        address: change.address.clone(),
        action: change.action,
    });
    for step in &change.steps {
        let mut input = step.input.clone();
        if matches!(
            step.operation,
            Operation::CreateService | Operation::UpdateService
        ) && let Some(arn) = input
            .get("taskDefinition")
            .and_then(Value::as_str)
            .and_then(|family| state.registered.borrow().get(family).cloned())
        {
            input["taskDefinition"] = Value::String(arn);
        }
        match call(ecs, change, step.operation, &input, options, state).await {
            Ok(response) => {
                if matches!(
                    step.operation,
                    Operation::CreateService | Operation::UpdateService
                ) && matches!(
                    change.action,
                    Action::Create | Action::UpdateAndDeploy | Action::Replace
                ) && let Some(rollout) = Rollout::from_response(&response)
                {
                    state.rollouts.borrow_mut().push((rollout, change));
                }
                if step.operation == Operation::RegisterTaskDefinition
                    && let (Some(family), Some(arn)) = (
                        response["taskDefinition"]["family"].as_str(),
                        response["taskDefinition"]["taskDefinitionArn"].as_str(),
                    )
                {
                    state
                        .registered
                        .borrow_mut()
                        .insert(family.to_owned(), arn.to_owned());
                }
                state.emit(Event::Called {
                    address: change.address.clone(),
                    operation: step.operation,
                    response,
                });
            }
            // A service or cluster already gone is what a deletion (or the first half of a
            // replacement) wants.
            Err(e)
                if matches!(
                    step.operation,
                    Operation::DeleteService | Operation::DeleteCluster
                ) && e.is_not_found() => {}
            Err(source) => return Err((change.address.clone(), source.into())),
        }
    }
    state.emit(Event::Done {
        address: change.address.clone(),
    });
    state.done.borrow_mut().push(change.address.clone());
    Ok(())
}

/// One call. A cluster whose services or tasks are still draining (deleted by this apply a
/// moment ago) cannot be deleted yet: DeleteCluster is tried again every
/// [`WaitOptions::interval`] until [`WaitOptions::timeout`] (the apply's, or the default ones
/// when it does not wait for deployments).
async fn call<F: FnMut(Event)>(
    ecs: &Ecs,
    change: &Change,
    operation: Operation,
    input: &Value,
    options: &ApplyOptions,
    state: &State<'_, F>,
) -> Result<Value, AwsError> {
    let drain = options.wait.unwrap_or_default();
    let deadline = Instant::now() + drain.timeout;
    loop {
        match ecs.call(operation, input).await {
            Err(e)
                if operation == Operation::DeleteCluster
                    && matches!(
                        e.code(),
                        Some("ClusterContainsServicesException" | "ClusterContainsTasksException")
                    )
                    && Instant::now() + drain.interval < deadline =>
            {
                state.emit(Event::Waiting {
                    address: change.address.clone(),
                    reason: "its services and tasks are still draining".to_owned(),
                });
                tokio::time::sleep(drain.interval).await;
            }
            result => return result,
        }
    }
}
