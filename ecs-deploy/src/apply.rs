//! Applying a plan: its calls, in order (capacity providers, clusters, task definitions,
//! services, then deletions), as a stream of typed events.
//!
//! # Safe to interrupt and to repeat
//!
//! Every step is safe to run again, and an apply that stops half-way leaves AWS consistent:
//! planning again sees what was done and finishes the rest. Where AWS's answer is lost (a
//! time-out, a server error after the call took effect), no step is repeated blindly:
//!
//! - RegisterTaskDefinition, the one call AWS does not make idempotent, is sent once; when its
//!   outcome is unknown, the family's latest ACTIVE revision is read, and if it is the one sent
//!   it is used, so no duplicate revision is registered;
//! - CreateService carries a `clientToken` (set by the planner), so AWS answers a repeated
//!   request with the service the first one created;
//! - updates, tags and deletions are idempotent: a deletion of what is already gone (or already
//!   draining) is what it wanted.
//!
//! # Waiting where AWS needs time
//!
//! - A service being replaced is deleted, and the new one is created only once the old one has
//!   drained (INACTIVE): AWS refuses to create a service named like one still DRAINING.
//! - A cluster whose services or tasks are still draining cannot be deleted yet: DeleteCluster
//!   is tried again until they have.
//! - The deployments the plan started are followed to the end ([`crate::wait`]); one that
//!   fails, is rolled back by the circuit breaker or times out fails the apply, and (unless told
//!   otherwise) the service is put back on the revision it ran before.
//!
//! # Events
//!
//! [`apply_stream`] returns a [`Stream`] of [`Event`]s, ending with the error when the apply
//! fails; the stream is `Send`, so an apply can run in a spawned task. [`apply`] is the same
//! with a callback. Events carry no AWS answer as raw JSON, and so no secret value.

use std::collections::{BTreeMap, BTreeSet};
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use ecs_model::types::RegisterTaskDefinitionRequest;
use futures::channel::mpsc;
use futures::stream::{self, Stream, StreamExt};
use serde_json::{Value, json};

use crate::aws::{Api, AwsError, Clients, Ecs, Operation};
use crate::observe::describe_service_answers;
use crate::plan::{Action, Address, Change, Created, Plan, Step};
use crate::wait::{Rollout, WaitError, WaitEvent, WaitOptions, follow_all};

/// How many changes an apply makes at a time, unless told otherwise.
const DEFAULT_CONCURRENCY: usize = 8;

/// How many times a registration whose outcome was unknown (and was not registered) is sent
/// again.
const REGISTER_ATTEMPTS: u32 = 4;

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
    /// How long and how often to wait for what drains before the next call: a service being
    /// replaced, a cluster being deleted ([`WaitOptions::default`] unless told otherwise).
    pub drain: WaitOptions,
}

impl ApplyOptions {
    /// Return after the calls, without following the deployments.
    pub fn no_wait() -> Self {
        Self {
            wait: None,
            rollback: false,
            concurrency: DEFAULT_CONCURRENCY,
            drain: WaitOptions::default(),
        }
    }

    /// Follow the deployments with `wait`, and roll back a failed one when `rollback`; wait for
    /// what drains as long.
    pub fn wait(wait: WaitOptions, rollback: bool) -> Self {
        Self {
            wait: Some(wait),
            rollback,
            concurrency: DEFAULT_CONCURRENCY,
            drain: wait,
        }
    }

    /// At most `n` changes at a time (at least 1).
    pub fn concurrency(mut self, n: usize) -> Self {
        self.concurrency = n.max(1);
        self
    }

    /// Waits for what drains (services being replaced, clusters being deleted) as `drain`
    /// says. Without it: as the deployments are followed, or with [`WaitOptions::default`].
    pub fn drain(mut self, drain: WaitOptions) -> Self {
        self.drain = drain;
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
            drain: WaitOptions::default(),
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
        /// The resource's status as AWS answered (`ACTIVE`, `DRAINING`, `INACTIVE`), when the
        /// answer has one.
        status: Option<String>,
        /// The task definition revision the call registered, deregistered or runs
        /// (`family:revision`), when there is one.
        task_definition: Option<String>,
    },
    /// A task definition revision was registered, or found registered after an answer was
    /// lost.
    Registered {
        /// The task definition family's address.
        address: Address,
        /// Its ARN.
        arn: String,
        /// Its revision number.
        revision: i64,
        /// Whether the answer to RegisterTaskDefinition was lost and the revision was found by
        /// reading the family (it was not registered twice).
        found_after_lost_answer: bool,
    },
    /// A deployment of a service started; [`Event::Wait`] follows it when the apply waits.
    DeploymentStarted {
        /// The service.
        address: Address,
        /// The deployment.
        rollout: Rollout,
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
        /// What it waits for.
        reason: Waiting,
    },
    /// A deployment failed (or did not settle in time): its stopped tasks, why they stopped,
    /// and the last lines of their logs ([`crate::failure`]). Sent before the service is put
    /// back ([`Event::RolledBack`]), when it is.
    TasksStopped {
        /// The service.
        address: Address,
        /// The stopped tasks of the failed deployment.
        report: crate::failure::FailureReport,
    },
    /// A failed deployment's service was put back on the revision it ran before.
    RolledBack {
        /// The service.
        address: Address,
        /// The task definition it runs again.
        task_definition: String,
    },
    /// The Application Auto Scaling of a service was suspended (dynamic scaling in and out,
    /// scheduled scaling) before its deployment; [`Event::ScalingResumed`] follows once the
    /// deployment has ended, whatever its outcome.
    ScalingSuspended {
        /// The service.
        address: Address,
    },
    /// The Application Auto Scaling of a service suspended for its deployment was resumed (to
    /// the `SuspendedState` the stack asks for).
    ScalingResumed {
        /// The service.
        address: Address,
    },
}

/// What an apply waits for before its next call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Waiting {
    /// The cluster's services and tasks to drain, before deleting it.
    ClusterDraining,
    /// The old service to drain (become INACTIVE), before creating its replacement.
    ServiceDraining,
    /// A Cloud Map operation (a namespace created or updated, a discovery service updated) to
    /// end: Cloud Map makes them asynchronously.
    CloudMapOperation,
    /// The Cloud Map namespace still holds services (ResourceInUse), before deleting it.
    NamespaceInUse,
    /// The discovery service still has instances registered (ResourceInUse: ECS deregisters
    /// the tasks of a deleted service as they stop), before deleting it.
    InstancesRegistered,
    /// Application Auto Scaling does not see yet what the call needs (the ECS service created,
    /// the scalable target registered a moment ago: its reads are eventually consistent), or
    /// another change of the target is under way.
    ScalingNotYetVisible,
}

impl std::fmt::Display for Waiting {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::ClusterDraining => "its services and tasks are still draining",
            Self::ServiceDraining => {
                "the old service is still draining; its replacement is created once it is \
                 INACTIVE"
            }
            Self::CloudMapOperation => "the Cloud Map operation is still running",
            Self::NamespaceInUse => "the namespace still holds services",
            Self::InstancesRegistered => "instances are still registered in the discovery service",
            Self::ScalingNotYetVisible => {
                "Application Auto Scaling does not see the service or its scalable target yet"
            }
        })
    }
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
    /// A Cloud Map operation ended in `FAIL` (GetOperation).
    #[error("Cloud Map operation {operation_id} failed: {code}: {message}")]
    CloudMapOperation {
        /// The operation's id.
        operation_id: String,
        /// Cloud Map's error code.
        code: String,
        /// Cloud Map's message.
        message: String,
    },
    /// A step takes a value an earlier change of the apply was to create, and it did not (the
    /// plan was made for another state, or edited): nothing was sent.
    #[error("a value this change needs was not created by the apply: {0:?}")]
    Unresolved(crate::plan::Created),
    /// ELBv2 refused to delete a target group because a listener or rule of a load balancer
    /// still forwards to it (`ResourceInUse`); the stack holds no listeners, so it is not
    /// retried.
    #[error(
        "target group {arn} is still used by a listener or rule of a load balancer: make them \
         forward elsewhere (or delete them), then apply again"
    )]
    TargetGroupInUse {
        /// The target group's ARN.
        arn: String,
        /// ELBv2's refusal.
        #[source]
        source: Box<AwsError>,
    },
    /// What the apply waited for did not happen in time.
    #[error("{reason} after {timeout:?}")]
    Drain {
        /// What it waited for.
        reason: Waiting,
        /// How long it waited.
        timeout: Duration,
    },
}

/// A failed apply: what failed, how far the apply got, and whether a service was rolled back.
#[derive(Debug, thiserror::Error)]
#[error("{address} could not be applied")]
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

/// Applies `plan`, calling `on_event` as it goes; returns the resources changed. The same as
/// [`apply_stream`], with a callback.
///
/// The changes run in phases, in the plan's order: capacity providers, clusters, task
/// definitions, services, old revisions, then the deletions (services, task definition
/// families, clusters, capacity providers). The changes of one phase are independent of each
/// other and run concurrently, at most [`ApplyOptions::concurrency`] at a time. When one fails,
/// the others of its phase still finish, and the next phases do not start. When the apply
/// waits, the deployments started are followed before the first deletion (an old revision is
/// deregistered only once the new one runs) and at the end.
pub async fn apply(
    ecs: &Ecs,
    plan: &Plan,
    options: &ApplyOptions,
    on_event: impl FnMut(Event),
) -> Result<Vec<Address>, ApplyError> {
    apply_with(&Clients::new(ecs.clone()), plan, options, on_event).await
}

/// [`apply`] with the clients of every API the plan calls (Cloud Map...): a plan holding a
/// step of an API without its client fails at that step with [`AwsError::NoClient`].
pub async fn apply_with(
    clients: &Clients,
    plan: &Plan,
    options: &ApplyOptions,
    mut on_event: impl FnMut(Event),
) -> Result<Vec<Address>, ApplyError> {
    let mut events = apply_stream_with(clients, plan, options);
    let mut done = Vec::new();
    while let Some(event) = events.next().await {
        let event = event?;
        if let Event::Done { address } = &event {
            done.push(address.clone());
        }
        on_event(event);
    }
    Ok(done)
}

/// Applies `plan` as [`apply`] does, as a stream of events; the stream ends after the last
/// event, or with the error that stopped the apply. Nothing happens until the stream is
/// polled; dropping it stops the apply between two calls (run again to finish: see the module
/// documentation).
///
/// ```no_run
/// # async fn run(ecs: ecs_deploy::Ecs, plan: ecs_deploy::Plan) -> Result<(), ecs_deploy::ApplyError> {
/// use futures::StreamExt as _;
/// let options = ecs_deploy::ApplyOptions::default();
/// let mut events = ecs_deploy::apply::apply_stream(&ecs, &plan, &options);
/// while let Some(event) = events.next().await {
///     println!("{:?}", event?);
/// }
/// # Ok(())
/// # }
/// ```
pub fn apply_stream<'a>(
    ecs: &'a Ecs,
    plan: &'a Plan,
    options: &'a ApplyOptions,
) -> ApplyStream<'a> {
    stream_of(Clients::new(ecs.clone()), plan, options)
}

/// [`apply_stream`] with the clients of every API the plan calls: see [`apply_with`].
pub fn apply_stream_with<'a>(
    clients: &Clients,
    plan: &'a Plan,
    options: &'a ApplyOptions,
) -> ApplyStream<'a> {
    stream_of(clients.clone(), plan, options)
}

fn stream_of<'a>(clients: Clients, plan: &'a Plan, options: &'a ApplyOptions) -> ApplyStream<'a> {
    let (sender, receiver) = mpsc::unbounded();
    let run = async move {
        let emit = Emit(sender);
        run(&clients, plan, options, &emit).await
    };
    ApplyStream {
        run: Some(Box::pin(run)),
        events: receiver,
        error: None,
    }
}

/// The apply itself, which sends the stream its events.
type Running<'a> = Pin<Box<dyn Future<Output = Result<(), ApplyError>> + Send + 'a>>;

/// The events of an apply: see [`apply_stream`].
#[must_use = "a stream does nothing unless polled"]
pub struct ApplyStream<'a> {
    run: Option<Running<'a>>,
    events: mpsc::UnboundedReceiver<Event>,
    error: Option<ApplyError>,
}

impl std::fmt::Debug for ApplyStream<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ApplyStream")
            .field("running", &self.run.is_some())
            .finish_non_exhaustive()
    }
}

impl Stream for ApplyStream<'_> {
    type Item = Result<Event, ApplyError>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        if let Poll::Ready(Some(event)) = this.events.poll_next_unpin(cx) {
            return Poll::Ready(Some(Ok(event)));
        }
        if let Some(run) = this.run.as_mut() {
            match run.as_mut().poll(cx) {
                Poll::Ready(result) => {
                    // The sender goes with the future: the events left are read, then `None`.
                    this.run = None;
                    this.error = result.err();
                }
                Poll::Pending => {
                    return match this.events.poll_next_unpin(cx) {
                        Poll::Ready(Some(event)) => Poll::Ready(Some(Ok(event))),
                        _ => Poll::Pending,
                    };
                }
            }
        }
        match this.events.poll_next_unpin(cx) {
            Poll::Ready(Some(event)) => Poll::Ready(Some(Ok(event))),
            Poll::Ready(None) => Poll::Ready(this.error.take().map(Err)),
            Poll::Pending => Poll::Pending,
        }
    }
}

/// Sends events to the stream.
struct Emit(mpsc::UnboundedSender<Event>);

impl Emit {
    fn send(&self, event: Event) {
        // The stream was dropped: nobody listens, and the apply stops at its next `.await`.
        let _ = self.0.unbounded_send(event);
    }
}

/// What one change left for the changes after it.
#[derive(Default)]
struct Outcome {
    /// The revision it registered: family and ARN.
    registered: Option<(String, String)>,
    /// The deployment it started.
    rollout: Option<Rollout>,
    /// What it created for the changes after it (a namespace's id, a discovery service's ARN).
    created: Vec<(Created, String)>,
}

async fn run(
    clients: &Clients,
    plan: &Plan,
    options: &ApplyOptions,
    emit: &Emit,
) -> Result<(), ApplyError> {
    // What the changes made for the ones after them: see `Step::Linked`.
    let mut created: BTreeMap<Created, String> = BTreeMap::new();
    // The ARN of each revision registered by this apply, by family: a service of the same plan
    // runs exactly that revision.
    let mut registered: BTreeMap<String, String> = BTreeMap::new();
    let nonce = apply_nonce();
    let mut rollouts: Vec<(Rollout, &Change)> = Vec::new();
    let mut done: Vec<Address> = Vec::new();
    // The scaling suspended for a deployment, to resume once the deployments have settled.
    let mut resumes: Vec<(Address, Step)> = Vec::new();
    for phase in phases(&plan.changes) {
        // The deployments started are followed before anything is deleted: old revisions stay
        // ACTIVE (a failed deployment can go back to them) until the new ones have settled.
        if phase.first().is_some_and(|c| c.action == Action::Delete) {
            let settled = settle(clients, &mut rollouts, options, emit).await;
            let unresumed = resume_scaling(clients, &mut resumes, emit).await;
            finish(settled, unresumed, done.clone())?;
        }
        // Futures made up front from a named function: a closure returning an async block
        // here makes the compiler lose the `Send` bound of the whole apply.
        let calls: Vec<_> = phase
            .into_iter()
            .map(|change| {
                with_change(
                    change,
                    apply_change(
                        clients,
                        change,
                        options,
                        (&registered, &created),
                        nonce,
                        emit,
                    ),
                )
            })
            .collect();
        let results: Vec<(&Change, Result<Outcome, Failure>)> = stream::iter(calls)
            .buffer_unordered(options.concurrency.max(1))
            .collect()
            .await;
        let mut failures = Vec::new();
        for (change, result) in results {
            // Resumed whether the change failed or not: resuming what was not suspended sets
            // the state the stack asks for, which a plan would set anyway.
            resumes.extend(
                change
                    .steps
                    .iter()
                    .filter_map(Step::resumption)
                    .map(|step| (change.address.clone(), step)),
            );
            match result {
                Ok(outcome) => {
                    registered.extend(outcome.registered);
                    created.extend(outcome.created);
                    rollouts.extend(outcome.rollout.map(|r| (r, change)));
                    done.push(change.address.clone());
                }
                Err(failure) => failures.push((change.address.clone(), failure)),
            }
        }
        let mut failures = failures.into_iter();
        if let Some((address, source)) = failures.next() {
            // The deployments already started are still followed (and a failed one rolled
            // back), so that none is left behind unwatched.
            let mut others: Vec<(Address, Failure)> = failures.collect();
            let mut rolled_back_to = None;
            if let Some(wait_options) = options.wait
                && !rollouts.is_empty()
                && let Err(failure) = follow(clients, &rollouts, wait_options, options, emit).await
            {
                rolled_back_to = failure.rolled_back_to;
                others.push((failure.address, failure.source));
                others.extend(failure.others);
            }
            others.extend(resume_scaling(clients, &mut resumes, emit).await);
            return Err(ApplyError {
                address,
                source,
                done,
                rolled_back_to,
                others,
            });
        }
    }
    let settled = settle(clients, &mut rollouts, options, emit).await;
    let unresumed = resume_scaling(clients, &mut resumes, emit).await;
    finish(settled, unresumed, done)
}

/// The outcome of following the deployments (`settled`) and resuming the scaling suspended
/// for them (`unresumed`: the resumes that failed), as the apply's result so far.
#[allow(clippy::result_large_err)] // The apply's own error, returned as `run` returns it.
fn finish(
    settled: Result<(), Unsettled>,
    unresumed: Vec<(Address, Failure)>,
    done: Vec<Address>,
) -> Result<(), ApplyError> {
    match settled {
        Err(failure) => {
            let mut error = failure.into_error(done);
            error.others.extend(unresumed);
            Err(error)
        }
        Ok(()) => {
            let mut unresumed = unresumed.into_iter();
            match unresumed.next() {
                None => Ok(()),
                Some((address, source)) => Err(ApplyError {
                    address,
                    source,
                    done,
                    rolled_back_to: None,
                    others: unresumed.collect(),
                }),
            }
        }
    }
}

/// Resumes the scaling suspended for the deployments followed (see
/// `kinds::scaling::around_deployment`), each to the state the stack asks for; the resumes
/// that failed.
async fn resume_scaling(
    clients: &Clients,
    resumes: &mut Vec<(Address, Step)>,
    emit: &Emit,
) -> Vec<(Address, Failure)> {
    let mut failed = Vec::new();
    for (address, step) in std::mem::take(resumes) {
        match send_scaling(clients, &address, &step, emit).await {
            Ok(_) => emit.send(Event::ScalingResumed { address }),
            Err(error) => failed.push((address, error.into())),
        }
    }
    failed
}

/// Sends an Application Auto Scaling step, trying again what AWS does not see yet (the
/// `autoscaling` feature; without it, the call fails with [`AwsError::NoClient`]).
async fn send_scaling(
    clients: &Clients,
    address: &Address,
    step: &Step,
    emit: &Emit,
) -> Result<Value, AwsError> {
    #[cfg(feature = "autoscaling")]
    {
        crate::kinds::scaling::call(clients, step, || {
            emit.send(Event::Waiting {
                address: address.clone(),
                reason: Waiting::ScalingNotYetVisible,
            });
        })
        .await
    }
    #[cfg(not(feature = "autoscaling"))]
    {
        let _ = (address, emit);
        clients.call(step.operation(), &step.input()).await
    }
}

/// Follows the deployments started so far, when the apply waits, and forgets them.
async fn settle(
    clients: &Clients,
    rollouts: &mut Vec<(Rollout, &Change)>,
    options: &ApplyOptions,
    emit: &Emit,
) -> Result<(), Unsettled> {
    let started = std::mem::take(rollouts);
    match options.wait {
        Some(wait_options) => follow(clients, &started, wait_options, options, emit).await,
        None => Ok(()),
    }
}

/// `future`'s output, with the change it is about.
async fn with_change<T>(change: &Change, future: impl Future<Output = T>) -> (&Change, T) {
    (change, future.await)
}

/// The deployments that did not settle: the first, where its service was put back, and the
/// others (and the rollbacks that failed).
struct Unsettled {
    address: Address,
    source: Failure,
    rolled_back_to: Option<String>,
    others: Vec<(Address, Failure)>,
}

impl Unsettled {
    fn into_error(self, done: Vec<Address>) -> ApplyError {
        ApplyError {
            address: self.address,
            source: self.source,
            done,
            rolled_back_to: self.rolled_back_to,
            others: self.others,
        }
    }
}

/// Follows every one of `rollouts` to its end; for each that fails, when `options.rollback`
/// and ECS did not roll it back itself (the circuit breaker), puts its service back on the
/// revision it ran before, and follows that deployment too. A rollback that AWS refuses, or
/// whose deployment does not settle, is one more failure.
async fn follow(
    clients: &Clients,
    rollouts: &[(Rollout, &Change)],
    wait_options: WaitOptions,
    options: &ApplyOptions,
    emit: &Emit,
) -> Result<(), Unsettled> {
    if rollouts.is_empty() {
        return Ok(());
    }
    let ecs = &clients.ecs;
    let followed: Vec<Rollout> = rollouts.iter().map(|(r, _)| r.clone()).collect();
    let failures = follow_all(ecs, &followed, wait_options, false, |e| {
        emit.send(Event::Wait(e));
    })
    .await;
    let mut unsettled: Vec<(Address, Failure, Option<String>)> = Vec::new();
    // The deployments that put failed services back, to follow in turn.
    let mut put_back: Vec<(Rollout, Address)> = Vec::new();
    for failure in failures {
        // Which change failed: the rollout named in the error, or the first followed.
        let failed = match &failure {
            WaitError::Failed { service, .. } | WaitError::TimedOut { service, .. } => rollouts
                .iter()
                .find(|(r, _)| &r.service == service)
                .map(|(_, c)| *c),
            _ => None,
        };
        let address = failed
            .or_else(|| rollouts.first().map(|(_, c)| *c))
            .map(|c| c.address.clone())
            .unwrap_or(Address::Cluster {
                name: String::new(),
            });
        // Why it failed: the stopped tasks of the failed deployment (see `crate::failure`).
        if let WaitError::Failed {
            service,
            deployment,
            ..
        }
        | WaitError::TimedOut {
            service,
            deployment,
            ..
        } = &failure
            && let Some((rollout, _)) = rollouts
                .iter()
                .find(|(r, _)| &r.service == service && &r.deployment == deployment)
        {
            let reader = crate::failure::LogReader::from_clients(clients, wait_options.log_lines);
            let report = crate::failure::deployment_report(ecs, &reader, rollout).await;
            emit.send(Event::TasksStopped {
                address: address.clone(),
                report,
            });
        }
        let by_ecs = match &failure {
            WaitError::Failed {
                rolled_back_by_ecs, ..
            } => rolled_back_by_ecs.clone(),
            _ => None,
        };
        let mut rolled_back_to = by_ecs.clone();
        let mut refused = None;
        if options.rollback
            && by_ecs.is_none()
            && let Some(step) = failed.and_then(|c| c.rollback.as_ref())
        {
            match ecs.call(step.operation(), &step.input()).await {
                Ok(response) => {
                    if let Some(rollout) = Rollout::from_response(&response) {
                        put_back.push((rollout, address.clone()));
                    }
                    let to = step.task_definition().unwrap_or_default().to_owned();
                    emit.send(Event::RolledBack {
                        address: address.clone(),
                        task_definition: to.clone(),
                    });
                    rolled_back_to = Some(to);
                }
                Err(error) => refused = Some(error),
            }
        }
        unsettled.push((address.clone(), failure.into(), rolled_back_to));
        if let Some(error) = refused {
            unsettled.push((address, error.into(), None));
        }
    }
    // A service put back is back once that deployment has settled too; one that does not
    // settle is one more failure (it is not put back again).
    if !put_back.is_empty() {
        let rollouts: Vec<Rollout> = put_back.iter().map(|(r, _)| r.clone()).collect();
        let failures = follow_all(ecs, &rollouts, wait_options, false, |e| {
            emit.send(Event::Wait(e));
        })
        .await;
        for failure in failures {
            let address = match &failure {
                WaitError::Failed { service, .. } | WaitError::TimedOut { service, .. } => put_back
                    .iter()
                    .find(|(r, _)| &r.service == service)
                    .map(|(_, a)| a.clone()),
                _ => None,
            };
            if let Some(address) = address.or_else(|| put_back.first().map(|(_, a)| a.clone())) {
                unsettled.push((address, failure.into(), None));
            }
        }
    }
    let mut unsettled = unsettled.into_iter();
    let Some((address, source, rolled_back_to)) = unsettled.next() else {
        return Ok(());
    };
    Err(Unsettled {
        address,
        source,
        rolled_back_to,
        others: unsettled.map(|(a, f, _)| (a, f)).collect(),
    })
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
            Address::Namespace { .. } => 5,
            Address::DiscoveryService { .. } => 6,
            Address::TargetGroup { .. } => 9,
            Address::ListenerRule { .. } => 11,
            Address::ScheduleGroup { .. } => 7,
            Address::Schedule { .. } => 8,
            Address::Scaling { .. } => 10,
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
async fn apply_change(
    clients: &Clients,
    change: &Change,
    options: &ApplyOptions,
    (registered, created): (&BTreeMap<String, String>, &BTreeMap<Created, String>),
    nonce: u64,
    emit: &Emit,
) -> Result<Outcome, Failure> {
    let ecs = &clients.ecs;
    let address = &change.address;
    emit.send(Event::Started {
        address: address.clone(),
        action: change.action,
    });
    let mut outcome = Outcome::default();
    for (index, step) in change.steps.iter().enumerate() {
        // The values earlier changes created (a namespace id, a discovery service ARN).
        let mut step = step.resolved(created).map_err(Failure::Unresolved)?;
        // A service runs the exact revision this apply registered for its family.
        if let Some(arn) = step
            .task_definition()
            .and_then(|family| registered.get(family))
        {
            step.set_task_definition(arn.clone());
        }
        if let Step::CreateService(request) = &mut step
            && let Some(token) = request.client_token.take()
        {
            request.client_token = Some(token_of_this_apply(&token, nonce));
        }
        if step.operation().api() == Api::LoadBalancing {
            let answer = crate::kinds::target_group::apply_step(clients, &step).await?;
            // A listener rule or service of the same plan forwards to the group by its ARN.
            if let (Operation::CreateTargetGroup, Address::TargetGroup { name }) =
                (step.operation(), address)
                && let Some(arn) = answer
                    .get("TargetGroups")
                    .and_then(|g| g.get(0))
                    .and_then(|g| g.get("TargetGroupArn"))
                    .and_then(Value::as_str)
            {
                outcome.created.push((
                    Created::TargetGroupArn { name: name.clone() },
                    arn.to_owned(),
                ));
            }
            emit.send(Event::Called {
                address: address.clone(),
                operation: step.operation(),
                status: None,
                task_definition: None,
            });
            continue;
        }
        if step.operation().api() == Api::AutoScaling {
            send_scaling(clients, address, &step, emit).await?;
            emit.send(if step.suspends() {
                Event::ScalingSuspended {
                    address: address.clone(),
                }
            } else {
                Event::Called {
                    address: address.clone(),
                    operation: step.operation(),
                    status: None,
                    task_definition: None,
                }
            });
            continue;
        }
        if step.operation().api() == Api::Scheduler {
            let own = |token: &str| token_of_this_apply(token, nonce);
            crate::kinds::schedule::apply_step(clients, &step, own).await?;
            emit.send(Event::Called {
                address: address.clone(),
                operation: step.operation(),
                status: None,
                task_definition: step_revision(&step),
            });
            continue;
        }
        if step.operation().api() == Api::CloudMap {
            own_request_ids(&mut step, nonce);
            let applied = crate::kinds::namespace::apply_step(
                clients,
                address,
                &step,
                options.drain,
                |reason| {
                    emit.send(Event::Waiting {
                        address: address.clone(),
                        reason,
                    });
                },
            )
            .await?;
            outcome.created.extend(applied.created);
            emit.send(Event::Called {
                address: address.clone(),
                operation: step.operation(),
                status: None,
                task_definition: None,
            });
            continue;
        }
        let input = step.input();
        let response = match step.operation() {
            Operation::RegisterTaskDefinition => match &step {
                Step::RegisterTaskDefinition(request) => {
                    register(ecs, address, request, emit).await?
                }
                _ => ecs.call(Operation::RegisterTaskDefinition, &input).await?,
            },
            Operation::DeleteCluster => delete_cluster(ecs, address, &input, options, emit).await?,
            operation => match ecs.call(operation, &input).await {
                Ok(response) => response,
                // What a deletion wants is done already: the service is gone, or draining.
                Err(e)
                    if operation == Operation::DeleteService
                        && (e.is_not_found() || e.is_service_not_active()) =>
                {
                    Value::Null
                }
                Err(e) => return Err(e.into()),
            },
        };
        if step.operation() == Operation::RegisterTaskDefinition
            && let Some((family, arn)) = registration(&response)
        {
            // A schedule of the same plan runs exactly that revision.
            outcome.created.push((
                Created::TaskDefinitionArn {
                    family: family.clone(),
                },
                arn.clone(),
            ));
            outcome.registered = Some((family, arn));
        }
        if step.operation() == Operation::CreateCluster
            && let Address::Cluster { name } = address
            && let Some(arn) = response
                .get("cluster")
                .and_then(|c| c.get("clusterArn"))
                .and_then(Value::as_str)
        {
            // A schedule of the same plan targets the cluster by its ARN.
            outcome.created.push((
                Created::ClusterArn {
                    cluster: name.clone(),
                },
                arn.to_owned(),
            ));
        }
        if matches!(
            step.operation(),
            Operation::CreateService | Operation::UpdateService
        ) && matches!(
            change.action,
            Action::Create | Action::UpdateAndDeploy | Action::Replace
        ) && let Some(rollout) = Rollout::from_response(&response)
        {
            emit.send(Event::DeploymentStarted {
                address: address.clone(),
                rollout: rollout.clone(),
            });
            outcome.rollout = Some(rollout);
        }
        let (status, task_definition) = summary(step.operation(), &response);
        emit.send(Event::Called {
            address: address.clone(),
            operation: step.operation(),
            status,
            task_definition,
        });
        // A replacement: the new service can only be created once the old one has drained.
        if step.operation() == Operation::DeleteService
            && change
                .steps
                .get(index + 1)
                .is_some_and(|next| next.operation() == Operation::CreateService)
        {
            drained(ecs, address, &input, options.drain, emit).await?;
        }
    }
    emit.send(Event::Done {
        address: address.clone(),
    });
    Ok(outcome)
}

/// A number of this apply's own, so that the CreateService tokens it sends are its own.
fn apply_nonce() -> u64 {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    (nanos as u64) ^ (u64::from(std::process::id()) << 32)
}

/// The planner's `clientToken` made this apply's own: the same for every try of the call in
/// this apply (so AWS answers a repeated CreateService with the service the first made), another
/// in the next apply (so a service deleted and created again, or created with other
/// parameters after the revision registered, never meets an old token). Keeps the planner's
/// `ecs-rs-` prefix and stack/service part, and AWS's limit of 36 characters.
fn token_of_this_apply(token: &str, nonce: u64) -> String {
    let hash = crate::kinds::service::fnv1a(
        token
            .bytes()
            .chain(nonce.to_le_bytes())
            .collect::<Vec<u8>>(),
    );
    let keep: String = token.chars().take(20).collect();
    format!("{keep}{hash:016x}")
}

/// The planner's Cloud Map `CreatorRequestId` / `UpdaterRequestId` made this apply's own, as
/// [`token_of_this_apply`] does for ECS's `clientToken`: a namespace or discovery service
/// deleted and created again later never meets the id of an earlier creation.
fn own_request_ids(step: &mut Step, nonce: u64) {
    let own = |id: &mut Option<String>| {
        if let Some(token) = id.take() {
            *id = Some(token_of_this_apply(&token, nonce));
        }
    };
    match step {
        Step::CreatePrivateDnsNamespace(r) => own(&mut r.creator_request_id),
        Step::CreateHttpNamespace(r) => own(&mut r.creator_request_id),
        Step::CreateDiscoveryService(r) => own(&mut r.creator_request_id),
        Step::UpdatePrivateDnsNamespace(r) => own(&mut r.updater_request_id),
        Step::UpdateHttpNamespace(r) => own(&mut r.updater_request_id),
        _ => {}
    }
}

/// The revision (`family:N`) a schedule step runs, when its request names one.
fn step_revision(step: &Step) -> Option<String> {
    let input = step.input();
    let arn = input
        .get("Target")?
        .get("EcsParameters")?
        .get("TaskDefinitionArn")?
        .as_str()?;
    crate::state::parse_task_definition(arn).map(|(family, n)| format!("{family}:{n}"))
}

/// The family and ARN of the revision a RegisterTaskDefinition (or DescribeTaskDefinition)
/// answer holds.
fn registration(response: &Value) -> Option<(String, String)> {
    let td = response.get("taskDefinition")?;
    Some((
        td.get("family")?.as_str()?.to_owned(),
        td.get("taskDefinitionArn")?.as_str()?.to_owned(),
    ))
}

/// What a call's answer says in a few words: the resource's status, and the task definition
/// revision registered, deregistered or run.
fn summary(operation: Operation, response: &Value) -> (Option<String>, Option<String>) {
    let text = |value: Option<&Value>| value.and_then(Value::as_str).map(str::to_owned);
    let revision = |arn: &str| crate::state::family_revision(arn).to_owned();
    match operation {
        Operation::RegisterTaskDefinition | Operation::DeregisterTaskDefinition => {
            let td = response.get("taskDefinition");
            let name = td.and_then(|td| {
                Some(format!(
                    "{}:{}",
                    td.get("family")?.as_str()?,
                    td.get("revision")?
                ))
            });
            let status = match operation {
                Operation::DeregisterTaskDefinition => text(td.and_then(|td| td.get("status"))),
                _ => None,
            };
            (status, name)
        }
        Operation::CreateService | Operation::UpdateService | Operation::DeleteService => {
            let service = response.get("service");
            (
                text(service.and_then(|s| s.get("status"))),
                service
                    .and_then(|s| s.get("taskDefinition"))
                    .and_then(Value::as_str)
                    .map(revision),
            )
        }
        Operation::CreateCluster
        | Operation::UpdateCluster
        | Operation::PutClusterCapacityProviders
        | Operation::DeleteCluster => (
            text(response.get("cluster").and_then(|c| c.get("status"))),
            None,
        ),
        _ => (None, None),
    }
}

/// Registers a revision without ever registering it twice: when the answer is lost (a server
/// error, a time-out: the call may have taken effect), the family's latest ACTIVE revision is
/// read, and when it is the one sent, it is the answer. Otherwise the revision is sent again,
/// a few times.
async fn register(
    ecs: &Ecs,
    address: &Address,
    request: &RegisterTaskDefinitionRequest,
    emit: &Emit,
) -> Result<Value, AwsError> {
    let input = serde_json::to_value(request).map_err(|source| AwsError::Request {
        operation: Operation::RegisterTaskDefinition,
        source,
    })?;
    let mut attempt = 0;
    loop {
        let error = match ecs.call(Operation::RegisterTaskDefinition, &input).await {
            Ok(response) => {
                announce_registered(address, &response, false, emit);
                return Ok(response);
            }
            Err(error) => error,
        };
        attempt += 1;
        if !error.outcome_unknown() || attempt >= REGISTER_ATTEMPTS {
            return Err(error);
        }
        // A call whose answer was lost may still be on its way, and what it made may take a
        // moment to show (AWS's reads are eventually consistent): wait before looking.
        ecs.pause(attempt).await;
        if let Some(response) = already_registered(ecs, request).await? {
            announce_registered(address, &response, true, emit);
            return Ok(response);
        }
    }
}

fn announce_registered(address: &Address, response: &Value, found: bool, emit: &Emit) {
    let td = response.get("taskDefinition");
    if let (Some((_, arn)), Some(revision)) = (
        registration(response),
        td.and_then(|td| td.get("revision")).and_then(Value::as_i64),
    ) {
        emit.send(Event::Registered {
            address: address.clone(),
            arn,
            revision,
            found_after_lost_answer: found,
        });
    }
}

/// The family's latest ACTIVE revision (as a RegisterTaskDefinition answer), when it is the
/// revision `sent` registers: its content, normalized, and its tags are the same. Read as
/// planning reads a family ([`crate::kinds::task_definition::observe`]).
async fn already_registered(
    ecs: &Ecs,
    sent: &RegisterTaskDefinitionRequest,
) -> Result<Option<Value>, AwsError> {
    let Some(family) = sent.family.clone() else {
        return Ok(None);
    };
    let found =
        crate::kinds::task_definition::observe(ecs, &BTreeSet::from([family.clone()]), 1).await?;
    let Some(latest) = found.get(&family) else {
        return Ok(None);
    };
    // Compared as the planner compares: normalized, tags in key order, and the members AWS
    // shows that the model does not know kept at AWS's value.
    let (mut have, mut wanted) = (latest.input.clone(), sent.clone());
    ecs_model::normalize::task_definition(&mut have);
    ecs_model::normalize::task_definition(&mut wanted);
    if !crate::plan::compared(&have, &wanted).fields.is_empty() {
        return Ok(None);
    }
    Ok(Some(json!({"taskDefinition": {
        "family": family,
        "taskDefinitionArn": latest.arn,
        "revision": latest.revision,
        "status": "ACTIVE",
    }})))
}

/// Waits until the service that `delete` (a DeleteService input) deleted is INACTIVE or gone.
async fn drained(
    ecs: &Ecs,
    address: &Address,
    delete: &Value,
    drain: WaitOptions,
    emit: &Emit,
) -> Result<(), Failure> {
    let deadline = Instant::now() + drain.timeout;
    let (Some(cluster), Some(service)) = (delete["cluster"].as_str(), delete["service"].as_str())
    else {
        return Ok(());
    };
    let asked = BTreeMap::from([(cluster.to_owned(), BTreeSet::from([service.to_owned()]))]);
    loop {
        let answers = describe_service_answers(ecs, &asked, 1).await?;
        let status = answers
            .iter()
            .filter_map(|(_, answer)| answer.get("services").and_then(Value::as_array))
            .flatten()
            .find(|s| s.get("serviceName").and_then(Value::as_str) == Some(service))
            .and_then(|s| s.get("status"))
            .and_then(Value::as_str);
        if matches!(status, None | Some("INACTIVE")) {
            return Ok(());
        }
        if Instant::now() + drain.interval >= deadline {
            return Err(Failure::Drain {
                reason: Waiting::ServiceDraining,
                timeout: drain.timeout,
            });
        }
        emit.send(Event::Waiting {
            address: address.clone(),
            reason: Waiting::ServiceDraining,
        });
        tokio::time::sleep(drain.interval).await;
    }
}

/// DeleteCluster. A cluster whose services or tasks are still draining (deleted by this apply a
/// moment ago) cannot be deleted yet: it is tried again every [`WaitOptions::interval`] until
/// [`WaitOptions::timeout`], then fails with [`Failure::Drain`]. A cluster already gone is what
/// the deletion wants.
async fn delete_cluster(
    ecs: &Ecs,
    address: &Address,
    input: &Value,
    options: &ApplyOptions,
    emit: &Emit,
) -> Result<Value, Failure> {
    let drain = options.drain;
    let deadline = Instant::now() + drain.timeout;
    loop {
        match ecs.call(Operation::DeleteCluster, input).await {
            Ok(response) => return Ok(response),
            Err(e) if e.is_not_found() => return Ok(Value::Null),
            Err(e) if e.is_cluster_busy() => {
                if Instant::now() + drain.interval >= deadline {
                    return Err(Failure::Drain {
                        reason: Waiting::ClusterDraining,
                        timeout: drain.timeout,
                    });
                }
                emit.send(Event::Waiting {
                    address: address.clone(),
                    reason: Waiting::ClusterDraining,
                });
                tokio::time::sleep(drain.interval).await;
            }
            Err(e) => return Err(e.into()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summaries_name_the_revision_and_the_state() {
        let registered = json!({"taskDefinition": {"family": "web", "revision": 4}});
        assert_eq!(
            summary(Operation::RegisterTaskDefinition, &registered),
            (None, Some("web:4".to_owned()))
        );
        let service = json!({"service": {
            "status": "ACTIVE",
            "taskDefinition": "arn:aws:ecs:us-east-1:1:task-definition/web:4"
        }});
        assert_eq!(
            summary(Operation::UpdateService, &service),
            (Some("ACTIVE".to_owned()), Some("web:4".to_owned()))
        );
        assert_eq!(
            summary(
                Operation::CreateCluster,
                &json!({"cluster": {"status": "ACTIVE"}})
            ),
            (Some("ACTIVE".to_owned()), None)
        );
        assert_eq!(summary(Operation::TagResource, &json!({})), (None, None));
    }

    #[test]
    fn create_service_tokens_are_the_apply_own() {
        let planned = "ecs-rs-0123456789ab-0123456789abcdef";
        let first = token_of_this_apply(planned, 1);
        assert_eq!(first.len(), 36);
        assert!(first.starts_with("ecs-rs-0123456789ab-"), "{first}");
        assert_eq!(
            first,
            token_of_this_apply(planned, 1),
            "one apply, one token"
        );
        assert_ne!(
            first,
            token_of_this_apply(planned, 2),
            "another apply, another token"
        );
    }

    #[test]
    fn the_apply_stream_is_send() {
        fn assert_send<T: Send>(_: &T) {}
        let config = aws_types::SdkConfig::builder()
            .behavior_version(aws_config::BehaviorVersion::latest())
            .build();
        let ecs = Ecs::new(&config);
        let plan = crate::plan::plan(
            &ecs_model::Stack::default(),
            &crate::plan::Actual::default(),
            &crate::plan::Options::new("demo"),
        );
        let options = ApplyOptions::default();
        let stream = apply_stream(&ecs, &plan, &options);
        assert_send(&stream);
        assert_send(&apply(&ecs, &plan, &options, |_| {}));
    }
}
