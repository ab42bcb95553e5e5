//! A scripted layer in front of the local endpoint for the AWS behaviour moto lacks.
//!
//! moto runs no tasks: UpdateService starts no new deployment and DescribeServices never moves.
//! This HTTP proxy forwards every call to moto and rewrites what a real ECS would answer
//! differently, following a script set by the test:
//!
//! - after an UpdateService of a scripted service, the answer shows a new PRIMARY deployment
//!   (IN_PROGRESS) next to the old one, and each DescribeServices moves it on: to COMPLETED, to
//!   FAILED, or to a circuit-breaker rollback (a new PRIMARY deployment of the previous
//!   revision, ours FAILED), after a given number of polls, or never;
//! - with throttling on, every n-th call is answered `ThrottlingException` (HTTP 400) without
//!   reaching moto, as ECS does under its rate limits.
//!
//! Opt-in, each behind one method of [`Scripted`] (see its documentation for the AWS page it
//! follows): deleted services that drain before they are INACTIVE
//! ([`Scripted::drain_deleted_services`]); the deployment configuration and capacity provider
//! strategy a service was given, with the members AWS fills in
//! ([`Scripted::echo_service_defaults`], [`Scripted::add_service_member`]), and its placement
//! strategy and constraints ([`Scripted::echo_placement`]); the capacity
//! provider strategy transitions of UpdateService ([`Scripted::play_capacity_provider_strategies`]);
//! answers lost after the call took effect, and CreateService's idempotency
//! ([`Scripted::lose_responses`], [`Scripted::play_create_service_idempotency`]); and a storm of
//! throttling and server errors ([`Scripted::storm`]); one-off tasks that stop with an exit code
//! ([`Scripted::task_exit`]) and RunTask's idempotency ([`Scripted::play_run_task_idempotency`]).
//! Every RunTask request is kept for the test to read ([`Scripted::run_task_requests`]).
//!
//! The bodies it writes follow the shapes of the AWS API reference (Deployment, ServiceEvent,
//! Service, Task, Container).

use std::collections::HashMap;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};

use serde_json::{Value, json};

mod autoscaling;
mod grace_period;
mod list_pages;
pub mod load_balancing;
mod members;
mod placement;
pub mod pre_flight;
mod request_head;
pub mod scheduler;
mod service_connect;
pub mod stopped_tasks;

/// The echo loop of the layers that keep service members, called as their method.
use members::KeptMembers as _;

/// What the next deployment of a service does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Completes after this many DescribeServices polls.
    Complete(u32),
    /// Fails (rolloutState FAILED) after this many polls.
    Fail(u32),
    /// The circuit breaker rolls it back after this many polls.
    RollBack(u32),
    /// Never settles.
    Hang,
}

#[derive(Debug)]
struct Deployment {
    outcome: Outcome,
    id: String,
    task_definition: String,
    previous: Option<String>,
    desired: i64,
    polls: u32,
}

#[derive(Debug, Default)]
struct State {
    scripts: HashMap<String, Outcome>,
    deployments: HashMap<String, Deployment>,
    throttle_every: Option<u64>,
    /// Calls of an operation still to throttle before it is answered.
    throttle_first: HashMap<String, u64>,
    /// Calls of an operation still to answer with an error (its type) before it is answered.
    refuse_first: HashMap<String, (String, u64)>,
    slow: HashMap<String, std::time::Duration>,
    /// Calls being answered now, and the most at once, by operation.
    in_flight: HashMap<String, (u64, u64)>,
    calls: u64,
    throttled: u64,
    next_id: u64,
    /// What the layer saw each service sent, by account, cluster name and service name.
    services: HashMap<ServiceKey, Remembered>,
    /// DescribeServices answers that still show a deleted service DRAINING, when on.
    drain_polls: Option<u32>,
    draining: HashMap<ServiceKey, u32>,
    echo_defaults: bool,
    /// Members every service in an answer gets when absent: (JSON pointer, value).
    members: Vec<(String, Value)>,
    play_capacity: bool,
    idempotency: bool,
    loss: Option<Loss>,
    lost: u64,
    /// Throttling and server-error percentages, and the dice.
    storm: Option<(u32, u32, Dice)>,
    server_errors: u64,
    /// How the tasks of a family stop: exit code and reason of its essential containers.
    task_exits: HashMap<String, (i32, String)>,
    /// The tasks started of a family in `task_exits`, by task ARN.
    tasks: HashMap<String, ScriptedTask>,
    run_idempotency: bool,
    /// The RunTask requests that started tasks, by account, cluster name and `clientToken`.
    run_tokens: HashMap<(String, String, String), RunTokenUse>,
    /// Every RunTask request the layer received, in order.
    run_requests: Vec<Value>,
    /// The placement members of each service, when [`Scripted::echo_placement`] is on.
    placements: Option<placement::Placements>,
    /// Service Connect namespaces as AWS answers them, when [`Scripted::echo_service_connect`]
    /// is on.
    service_connect: Option<service_connect::Connect>,
    /// The grace period of each service, when [`Scripted::echo_grace_period`] is on.
    grace_periods: Option<grace_period::GracePeriods>,
    /// ListServices answered in pages of at most this many, when
    /// [`Scripted::paginate_list_services`] is on.
    list_pages: Option<usize>,
    /// Application Auto Scaling as AWS plays it, when [`Scripted::play_autoscaling`] is on.
    autoscaling: Option<Arc<Mutex<autoscaling::Scaling>>>,
    /// The stopped tasks of failed deployments and the log lines of tasks: see
    /// `support/script/stopped_tasks.rs`.
    stopped: stopped_tasks::Stopped,
}

/// A task started by RunTask whose family the test scripted with [`Scripted::task_exit`].
#[derive(Debug)]
struct ScriptedTask {
    exit_code: i32,
    reason: String,
    /// The names of the task definition's containers, and whether each is essential.
    containers: Vec<(String, bool)>,
    /// DescribeTasks answers that showed it.
    describes: u32,
}

/// The RunTask that first used a `clientToken`: its parameters and the tasks it started.
#[derive(Debug)]
struct RunTokenUse {
    /// The request without its `clientToken`.
    parameters: Value,
    task_arns: Vec<String>,
}

/// A service: its moto account (`x-moto-account-id`, empty without one), cluster name and name.
type ServiceKey = (String, String, String);

/// What CreateService and UpdateService requests that took effect sent for one service.
#[derive(Debug, Default)]
struct Remembered {
    /// The members of `deploymentConfiguration` sent, UpdateService's merged over CreateService's.
    deployment_configuration: serde_json::Map<String, Value>,
    /// The capacity provider strategy; empty when the service uses its launch type.
    strategy: Vec<Value>,
    launch_type: Option<String>,
    /// The `clientToken` of the CreateService that created it.
    client_token: Option<String>,
    /// Created and not deleted since.
    active: bool,
}

/// Which answers are lost after the call took effect.
#[derive(Debug)]
struct Loss {
    operations: Vec<String>,
    percent: u32,
    dice: Dice,
}

/// A deterministic pseudo-random sequence (splitmix64: any seed, 0 included, gives a
/// well-mixed sequence), so a scripted storm or loss replays the same way for a seed.
#[derive(Debug)]
struct Dice(u64);

impl Dice {
    /// The next number in 0..100.
    fn percent(&mut self) -> u32 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        u32::try_from((z ^ (z >> 31)) % 100).unwrap_or(0)
    }
}

/// The proxy: point the SDK at [`Scripted::url`].
#[derive(Clone)]
pub struct Scripted {
    /// `http://127.0.0.1:PORT`.
    pub url: String,
    state: Arc<Mutex<State>>,
}

impl Scripted {
    /// Starts a proxy in front of `upstream` (the local endpoint's URL).
    pub fn start(upstream: &str) -> Self {
        let state = Arc::new(Mutex::new(State::default()));
        let url = listen(upstream, state.clone(), serve);
        Self { url, state }
    }

    /// The next UpdateService of `service` starts a deployment with this outcome.
    pub fn next_deployment(&self, service: &str, outcome: Outcome) {
        self.lock().scripts.insert(service.to_owned(), outcome);
    }

    /// Answers every `n`-th call with ThrottlingException.
    pub fn throttle_every(&self, n: u64) {
        self.lock().throttle_every = Some(n.max(2));
    }

    /// Answers the next `n` calls of `operation` with ThrottlingException, then lets it through.
    pub fn throttle_first(&self, operation: &str, n: u64) {
        self.lock().throttle_first.insert(operation.to_owned(), n);
    }

    /// Answers the next `n` calls of `operation` with the ECS error `error`
    /// (`ClusterContainsServicesException`...), HTTP 400, then lets it through: AWS's answers
    /// that moto never gives.
    pub fn refuse_first(&self, operation: &str, error: &str, n: u64) {
        self.lock()
            .refuse_first
            .insert(operation.to_owned(), (error.to_owned(), n));
    }

    /// Holds every call of `operation` (`CreateService`...) for `delay` before forwarding it, as
    /// a slow AWS does: time for a test to interrupt a client mid-call.
    pub fn slow(&self, operation: &str, delay: std::time::Duration) {
        self.lock().slow.insert(operation.to_owned(), delay);
    }

    /// The most calls of `operation` the proxy was answering at one time.
    pub fn most_at_once(&self, operation: &str) -> u64 {
        self.lock()
            .in_flight
            .get(operation)
            .map_or(0, |(_, most)| *most)
    }

    /// How many calls were throttled (by [`Scripted::throttle_every`],
    /// [`Scripted::throttle_first`] or [`Scripted::storm`]).
    pub fn throttled(&self) -> u64 {
        self.lock().throttled
    }

    /// Deleted services drain, as AWS documents for DeleteService
    /// (<https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_DeleteService.html>): the
    /// status moves from ACTIVE to DRAINING, and from DRAINING to INACTIVE once the tasks are
    /// stopped; creating a service with the name of one that is ACTIVE or DRAINING fails.
    ///
    /// After a DeleteService through the layer, its answer and the next `polls` DescribeServices
    /// answers that show the service say `status: "DRAINING"` (moto says INACTIVE at once); after
    /// that moto's INACTIVE shows. While it drains, a CreateService of the same name in the same
    /// cluster is answered HTTP 400 `InvalidParameterException` "Unable to Start a service that
    /// is still Draining." (AWS's message) without reaching moto. Services are told apart by moto
    /// account, cluster name (the request may name the cluster by name or ARN; no cluster means
    /// `default`) and service name.
    pub fn drain_deleted_services(&self, polls: u32) {
        self.lock().drain_polls = Some(polls);
    }

    /// The answers of CreateService, UpdateService, DescribeServices (and DeleteService) show a
    /// service's deployment configuration as AWS does.
    ///
    /// moto 5.2.5 drops `deploymentConfiguration` and `capacityProviderStrategy` on CreateService
    /// and replaces `deploymentConfiguration` with whatever UpdateService sends. The layer
    /// remembers, per service, the members the CreateService request sent, merges over them the
    /// members each UpdateService sends (a member sent replaces the one remembered; the others
    /// stay), and writes them back into those answers, with the capacity provider strategy (see
    /// [`Scripted::play_capacity_provider_strategies`] for how it is shown).
    ///
    /// Then it fills in, where absent, the members AWS fills in when a request leaves them unset:
    ///
    /// - `maximumPercent: 200` and `minimumHealthyPercent: 100` for a REPLICA service, and
    ///   `minimumHealthyPercent: 0` for a DAEMON service: the defaults the DeploymentConfiguration
    ///   page documents
    ///   (<https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_DeploymentConfiguration.html>);
    /// - on a present `deploymentCircuitBreaker`: `resetOnHealthyTask: true` and
    ///   `thresholdConfiguration: {"type": "BOUNDED_PERCENT", "value": 50}`, the defaults the
    ///   DeploymentCircuitBreaker and ThresholdConfiguration pages document
    ///   (<https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_DeploymentCircuitBreaker.html>,
    ///   <https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ThresholdConfiguration.html>;
    ///   same wording in the vendored botocore model);
    /// - `strategy: "ROLLING"` and `bakeTimeInMinutes: 0`, which DescribeServices shows for a
    ///   rolling-update service created without them. The model lists ROLLING among the values
    ///   of `strategy` (the rolling update of the ECS deployment controller) but documents no
    ///   default for either member: these two are what AWS answers, not a documented default.
    ///
    /// The rolling-update members (percentages, strategy, bake time) are filled in only for the
    /// ECS deployment controller (or none named), as AWS ignores them for CODE_DEPLOY and
    /// EXTERNAL.
    pub fn echo_service_defaults(&self) {
        self.lock().echo_defaults = true;
    }

    /// Every service in the answers of CreateService, UpdateService, DescribeServices and
    /// DeleteService gets `value` at the JSON pointer `pointer`
    /// (`/deploymentConfiguration/someFutureMember`) when it has nothing there (objects on the way
    /// are created): a member newer than any model, as AWS adds them to its answers.
    pub fn add_service_member(&self, pointer: &str, value: Value) {
        self.lock().members.push((pointer.to_owned(), value));
    }

    /// UpdateService with `capacityProviderStrategy` behaves as AWS documents since 2025
    /// (<https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_UpdateService.html>,
    /// request member `capacityProviderStrategy`): a service can go from its launch type to a
    /// strategy, from a strategy to another, and back to its launch type with an empty list.
    ///
    /// The layer remembers each service's strategy (from CreateService and UpdateService; moto
    /// drops it on CreateService) and shows it in the answers: with a strategy,
    /// `capacityProviderStrategy` and no `launchType` (AWS: "If a capacityProviderStrategy is
    /// specified, the launchType parameter must be omitted", CreateService page); with none, the
    /// launch type. A change of strategy, or from launch type to strategy or back, without
    /// `"forceNewDeployment": true` is answered HTTP 400 `InvalidParameterException` "When
    /// switching from launch type to capacity provider strategy on an existing service, or
    /// making a change to a capacity provider strategy on a service that is already using one,
    /// you must force a new deployment." (AWS's message) without reaching moto. The same
    /// strategy again (in any order) is no change.
    pub fn play_capacity_provider_strategies(&self) {
        self.lock().play_capacity = true;
    }

    /// Service answers show the `placementStrategy` and `placementConstraints` the service was
    /// created or last updated with, as AWS stores them (moto drops them on CreateService): see
    /// <https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_CreateService.html>
    /// (request members `placementStrategy`, `placementConstraints`) and the UpdateService
    /// members, which replace what is sent and keep what is not. A member never sent shows as
    /// `[]`, as in AWS's `create-service` example output. Services created before this is
    /// turned on are left as moto shows them.
    pub fn echo_placement(&self) {
        self.lock()
            .placements
            .get_or_insert_with(placement::Placements::default);
    }

    /// Cluster and service answers show Service Connect namespaces as AWS does (moto keeps a
    /// cluster's default namespace as sent and drops a service's configuration): see
    /// `support/script/service_connect.rs` for what moto does, what AWS does and its pages.
    pub fn echo_service_connect(&self) {
        self.lock()
            .service_connect
            .get_or_insert_with(service_connect::Connect::default);
    }

    /// ListServices answers in AWS's pages (10 services, or `maxResults` up to 100, then a
    /// `nextToken`), and never more than `cap` per page (AWS may answer fewer than asked),
    /// where moto answers every service at once: see `script/list_pages.rs`.
    pub fn paginate_list_services(&self, cap: usize) {
        self.lock().list_pages = Some(cap);
    }

    /// Service answers show the `healthCheckGracePeriodSeconds` the service was created or last
    /// updated with, as AWS stores it (moto drops it): see `support/script/grace_period.rs`.
    /// Services created before this is turned on are left as moto shows them.
    pub fn echo_grace_period(&self) {
        self.lock()
            .grace_periods
            .get_or_insert_with(grace_period::GracePeriods::default);
    }

    /// Application Auto Scaling calls are answered as AWS answers them where moto differs
    /// (see `support/script/autoscaling.rs` for each rule and its AWS page): targets always
    /// show their `SuspendedState`, DeregisterScalableTarget deletes the target's policies and
    /// scheduled actions, and a missing target, policy or action is `ObjectNotFoundException`.
    pub fn play_autoscaling(&self) {
        self.lock().autoscaling.get_or_insert_with(Arc::default);
    }

    /// The RegisterScalableTarget requests that took effect through the layer, in order (with
    /// [`Scripted::play_autoscaling`] on).
    pub fn scalable_target_registrations(&self) -> Vec<Value> {
        let scaling = self.lock().autoscaling.clone();
        scaling.map_or_else(Vec::new, |s| {
            s.lock().unwrap_or_else(|e| e.into_inner()).registered()
        })
    }

    /// Calls of `operations` (`"RegisterTaskDefinition"`, `"CreateService"`...) lose their
    /// answer `percent` percent of the time: the call reaches moto and takes effect, but the
    /// client gets HTTP 500 `InternalFailure`, what a time-out after the fact looks like to it
    /// (InternalFailure is AWS's common error for "an unknown error, exception or failure",
    /// <https://docs.aws.amazon.com/AmazonECS/latest/APIReference/CommonErrors.html>). Which
    /// calls lose their answer is decided by a pseudo-random sequence from `seed`, so a test
    /// replays the same way. Only answers of calls that took effect (HTTP 200) are lost; count
    /// them with [`Scripted::lost`]. A later call replaces the setting.
    ///
    /// The SDK retries the call, so this also turns on
    /// [`Scripted::play_create_service_idempotency`] (not RunTask's: see
    /// [`Scripted::play_run_task_idempotency`]). A replayed answer can be lost too: at 100
    /// percent every try of the call loses its answer.
    pub fn lose_responses(&self, operations: &[&str], percent: u32, seed: u64) {
        let mut state = self.lock();
        state.loss = Some(Loss {
            operations: operations.iter().map(|&o| o.to_owned()).collect(),
            percent,
            dice: Dice(seed),
        });
        state.idempotency = true;
    }

    /// How many answers [`Scripted::lose_responses`] lost.
    pub fn lost(&self) -> u64 {
        self.lock().lost
    }

    /// CreateService is idempotent as AWS documents (request member `clientToken`,
    /// <https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_CreateService.html>);
    /// moto silently replaces a service of the same name. A CreateService for a service that is
    /// ACTIVE (created through the layer and not deleted since) is answered without creating
    /// anything: if its `clientToken` is the one of the CreateService that created the service,
    /// HTTP 200 with the service as moto describes it (`{"service": ...}`); otherwise, or with
    /// no token, HTTP 400 `InvalidParameterException` "Creation of service was not idempotent."
    /// (AWS's message).
    pub fn play_create_service_idempotency(&self) {
        self.lock().idempotency = true;
    }

    /// Any call is answered, without reaching moto, `throttle_percent` percent of the time with
    /// HTTP 400 `ThrottlingException` "Rate exceeded" (ECS's answer when a rate limit is
    /// exceeded: <https://docs.aws.amazon.com/AmazonECS/latest/APIReference/request-throttling.html>)
    /// and `error_percent` percent of the time with HTTP 500 `ServerException`, the server error
    /// every ECS operation lists (for instance
    /// <https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_CreateService.html#API_CreateService_Errors>;
    /// AWS does not document its message, so the layer sends the exception's documented
    /// description). One number of the pseudo-random sequence from `seed` decides each call, so
    /// the two never add up to more than 100 percent. Count them with [`Scripted::throttled`]
    /// and [`Scripted::server_errors`]. A later call replaces the setting.
    pub fn storm(&self, throttle_percent: u32, error_percent: u32, seed: u64) {
        self.lock().storm = Some((throttle_percent, error_percent, Dice(seed)));
    }

    /// How many calls [`Scripted::storm`] answered with a server error.
    pub fn server_errors(&self) -> u64 {
        self.lock().server_errors
    }

    /// Tasks RunTask starts of the task definition family `family` stop as a task whose
    /// essential container exited does on AWS: the Task and Container shapes of the API
    /// reference (<https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_Task.html>,
    /// <https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_Container.html>; stop
    /// codes in
    /// <https://docs.aws.amazon.com/AmazonECS/latest/developerguide/stopped-task-error-codes.html>).
    ///
    /// moto 5.2.5 answers RunTask with the task RUNNING, then DescribeTasks moves it to
    /// DEACTIVATING and later STOPPED with `stoppedReason: ""` and every container's
    /// `exitCode: 0`. Through the layer, RunTask's answer shows such a task RUNNING, the first
    /// DescribeTasks that shows it RUNNING too (the task and each container), and every later
    /// one STOPPED: `lastStatus` and `desiredStatus` STOPPED, `stopCode:
    /// "EssentialContainerExited"`, `stoppedReason: "Essential container in task exited"` (the
    /// text AWS answers; the reference documents the member, not its text), `stoppingAt`,
    /// `executionStoppedAt` and `stoppedAt`; each container `lastStatus: "STOPPED"`,
    /// the essential ones (in the task definition, as moto registered it; `essential` absent
    /// means essential) with `exitCode` = `exit_code` and `reason` = `reason`, the others
    /// `exitCode: 0` and no reason. A later call for the same family replaces the setting for
    /// the tasks started after it.
    pub fn task_exit(&self, family: &str, exit_code: i32, reason: &str) {
        self.lock()
            .task_exits
            .insert(family.to_owned(), (exit_code, reason.to_owned()));
    }

    /// RunTask is idempotent as AWS documents (request member `clientToken`,
    /// <https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_RunTask.html>, and "Ensuring
    /// idempotency",
    /// <https://docs.aws.amazon.com/AmazonECS/latest/APIReference/ECS_Idempotency.html>: a token
    /// is idempotent within a cluster; a retry with the same token and the same parameters gets
    /// the original request's result); moto ignores the token and starts more tasks.
    ///
    /// A RunTask whose `clientToken` a RunTask that started tasks (through the layer, in the same
    /// moto account and cluster: named by name or ARN, `default` when none) already used is
    /// answered without reaching moto's RunTask: with the same parameters (the request but its
    /// token), HTTP 200 with the tasks the first one started, as moto's DescribeTasks shows
    /// them now, wrapped as RunTask's answer (`{"tasks": [...], "failures": []}`); with other
    /// parameters, HTTP 400 `ConflictException` with the first one's task ARNs in
    /// `resourceIds`, as the ConflictException shape documents
    /// (<https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_RunTask.html#API_RunTask_Errors>;
    /// AWS does not document the message, so the layer sends the shape's description). A
    /// RunTask without a token always reaches moto. The token's 24-hour lifetime is not played.
    pub fn play_run_task_idempotency(&self) {
        self.lock().run_idempotency = true;
    }

    /// Every RunTask request the layer received (whatever it answered: throttled, lost,
    /// replayed or forwarded), in the order received.
    pub fn run_task_requests(&self) -> Vec<Value> {
        self.lock().run_requests.clone()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Starts a proxy in front of `upstream` (a URL) on a port of its own, answering each
/// connection on a thread with `serve` (given the upstream's address and `state`); its URL.
pub(super) fn listen<S: Send + 'static>(
    upstream: &str,
    state: Arc<Mutex<S>>,
    serve: fn(TcpStream, &str, &Mutex<S>) -> std::io::Result<()>,
) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("a port");
    let url = format!("http://{}", listener.local_addr().expect("an address"));
    let upstream = upstream
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .to_owned();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let state = state.clone();
            let upstream = upstream.clone();
            std::thread::spawn(move || {
                let _ = serve(stream, &upstream, &state);
            });
        }
    });
    url
}

/// One HTTP exchange (the proxy closes every connection after one, as moto does).
fn serve(mut client: TcpStream, upstream: &str, state: &Mutex<State>) -> std::io::Result<()> {
    let (head, body) = read_message(&mut client)?;
    let operation = header(&head, "x-amz-target")
        .and_then(|t| t.rsplit('.').next().map(str::to_owned))
        .unwrap_or_default();
    let account = header(&head, "x-moto-account-id").unwrap_or_default();
    let request: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let (verdict, lose) = {
        let mut state = state.lock().unwrap_or_else(|e| e.into_inner());
        state.calls += 1;
        if operation == "RunTask" {
            state.run_requests.push(request.clone());
        }
        if let Some((error, left)) = state.refuse_first.get_mut(&operation)
            && *left > 0
        {
            *left -= 1;
            let error = error.clone();
            drop(state);
            return refuse(
                &mut client,
                "400 Bad Request",
                &error,
                "refused by the test's script",
            );
        }
        let first = state
            .throttle_first
            .get_mut(&operation)
            .filter(|left| **left > 0)
            .map(|left| *left -= 1)
            .is_some();
        if first
            || state
                .throttle_every
                .is_some_and(|n| state.calls.is_multiple_of(n))
        {
            state.throttled += 1;
            drop(state);
            return throttle(&mut client);
        }
        if let Some((throttle_percent, error_percent, dice)) = state.storm.as_mut() {
            let roll = dice.percent();
            if roll < *throttle_percent {
                state.throttled += 1;
                drop(state);
                return throttle(&mut client);
            }
            if roll < throttle_percent.saturating_add(*error_percent) {
                state.server_errors += 1;
                drop(state);
                return refuse(
                    &mut client,
                    "500 Internal Server Error",
                    "ServerException",
                    "These errors are usually caused by a server issue.",
                );
            }
        }
        let verdict = judged(&state, &operation, &account, &request);
        let lose = state.loss.as_mut().is_some_and(|loss| {
            loss.operations.contains(&operation) && loss.dice.percent() < loss.percent
        });
        (verdict, lose)
    };
    let call = (operation.as_str(), account.as_str());
    if let Some(answer) = stopped_tasks::before_forward(state, upstream, &head, call, &request)? {
        return respond(&mut client, &answer.status, None, &answer.body);
    }
    match &verdict {
        Verdict::Refuse(message) => {
            return refuse(
                &mut client,
                "400 Bad Request",
                "InvalidParameterException",
                message,
            );
        }
        Verdict::Conflict(task_arns) => {
            let body = json!({
                "__type": "ConflictException",
                "message": "The RunTask request could not be processed due to conflicts. The provided clientToken is already in use with a different RunTask request.",
                "resourceIds": task_arns
            });
            return respond(
                &mut client,
                "400 Bad Request",
                Some("ConflictException"),
                body.to_string().as_bytes(),
            );
        }
        Verdict::Forward | Verdict::Replay | Verdict::ReplayTasks(_) => {}
    }
    let scaling = state
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .autoscaling
        .clone();
    if let Some(scaling) = scaling
        && header(&head, "x-amz-target").is_some_and(|t| t.starts_with(autoscaling::TARGET_PREFIX))
    {
        let call = (operation.as_str(), account.as_str(), &request);
        return autoscaling::serve(&scaling, &mut client, upstream, &head, &body, call);
    }
    let _in_flight = InFlight::enter(state, &operation);
    let delay = state
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .slow
        .get(&operation)
        .copied();
    if let Some(delay) = delay {
        std::thread::sleep(delay);
    }
    let connect = state
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .service_connect
        .is_some();
    let namespaces = if connect && service_connect::concerns(&operation) {
        service_connect::namespaces(upstream, &head, &operation, &request)?
    } else {
        HashMap::new()
    };
    let answer = match &verdict {
        Verdict::Replay => described(upstream, &head, &request)?,
        Verdict::ReplayTasks(task_arns) => tasks_described(upstream, &head, &request, task_arns)?,
        _ => forward(upstream, &head, &body)?,
    };
    let replay = !matches!(verdict, Verdict::Forward);
    let mut body_json: Option<Value> = serde_json::from_slice(&answer.body).ok();
    let took_effect = answer.status.starts_with("200");
    // The containers of the task definition a scripted task runs, asked of moto before the lock.
    let scripted_containers = match body_json.as_ref() {
        Some(json) if took_effect && !replay && operation == "RunTask" => {
            scripted_run(upstream, &head, state, json)
        }
        _ => HashMap::new(),
    };
    if took_effect && let Some(json) = body_json.as_mut() {
        let mut state = state.lock().unwrap_or_else(|e| e.into_inner());
        match operation.as_str() {
            "UpdateService" => started(&mut state, json),
            "DescribeServices" => moved(&mut state, json),
            "RunTask" if !replay => ran(&mut state, &account, &request, json, scripted_containers),
            "GetLogEvents" => stopped_tasks::short_page(&mut state.stopped, &request, json),
            _ => {}
        }
        if matches!(operation.as_str(), "RunTask" | "DescribeTasks") {
            tasks_shown(&mut state, operation == "DescribeTasks", json);
        }
        if !replay {
            remember(&mut state, &operation, &account, &request, json);
        }
        if let Some(placements) = state.placements.as_mut() {
            placements.echo(&operation, &account, &request, json, replay);
        }
        if let Some(connect) = state.service_connect.as_mut() {
            let call = (operation.as_str(), account.as_str());
            connect.echo(call, &request, json, replay, &namespaces);
        }
        if let Some(periods) = state.grace_periods.as_mut() {
            periods.echo(&operation, &account, &request, json, replay);
        }
        if let (Some(cap), "ListServices") = (state.list_pages, operation.as_str()) {
            list_pages::page(&request, json, cap);
        }
        shown(&mut state, &operation, &account, json);
    }
    if lose && took_effect {
        state.lock().unwrap_or_else(|e| e.into_inner()).lost += 1;
        return refuse(
            &mut client,
            "500 Internal Server Error",
            "InternalFailure",
            "The request processing has failed because of an unknown error, exception or failure.",
        );
    }
    let out = match body_json {
        Some(json) => serde_json::to_vec(&json).unwrap_or_default(),
        None => answer.body,
    };
    respond(
        &mut client,
        &answer.status,
        answer.error_type.as_deref(),
        &out,
    )
}

/// moto's answer to one request.
pub(super) struct Answer {
    /// `200 OK`...
    pub(super) status: String,
    pub(super) error_type: Option<String>,
    pub(super) body: Vec<u8>,
}

/// Sends one request to moto and reads its answer.
pub(super) fn forward(upstream: &str, head: &str, body: &[u8]) -> std::io::Result<Answer> {
    let raw = request_head::exchange(upstream, head, body)?;
    let split = find(&raw, b"\r\n\r\n").map_or(raw.len(), |i| i + 4);
    let (response_head, response_body) = raw.split_at(split);
    let response_head = String::from_utf8_lossy(response_head).into_owned();
    let status = response_head
        .lines()
        .next()
        .and_then(|l| l.split_once(' ').map(|(_, s)| s.to_owned()))
        .unwrap_or_else(|| "200 OK".to_owned());
    Ok(Answer {
        status,
        error_type: header(&response_head, "x-amzn-errortype"),
        body: response_body.to_vec(),
    })
}

/// Sends moto the ECS call `operation` with `input`, with the headers of the request whose
/// head is `head` (its account, credentials...).
fn call_upstream(
    upstream: &str,
    head: &str,
    operation: &str,
    input: &Value,
) -> std::io::Result<Answer> {
    request_head::call_as(
        upstream,
        head,
        &format!("AmazonEC2ContainerServiceV20141113.{operation}"),
        None,
        input,
    )
}

/// Answers a CreateService `request` with the existing service, as moto describes it:
/// `{"service": ...}`.
fn described(upstream: &str, head: &str, request: &Value) -> std::io::Result<Answer> {
    let mut input = json!({"services": [request["serviceName"]]});
    if let Some(cluster) = request.get("cluster") {
        input["cluster"] = cluster.clone();
    }
    let mut answer = call_upstream(upstream, head, "DescribeServices", &input)?;
    if answer.status.starts_with("200")
        && let Ok(described) = serde_json::from_slice::<Value>(&answer.body)
    {
        answer.body = json!({"service": described["services"][0]})
            .to_string()
            .into_bytes();
    }
    Ok(answer)
}

/// Answers a RunTask `request` with the tasks `task_arns` an earlier one started, as moto
/// describes them: `{"tasks": [...], "failures": []}`.
fn tasks_described(
    upstream: &str,
    head: &str,
    request: &Value,
    task_arns: &[String],
) -> std::io::Result<Answer> {
    let mut input = json!({"tasks": task_arns});
    if let Some(cluster) = request.get("cluster") {
        input["cluster"] = cluster.clone();
    }
    let mut answer = call_upstream(upstream, head, "DescribeTasks", &input)?;
    if answer.status.starts_with("200")
        && let Ok(described) = serde_json::from_slice::<Value>(&answer.body)
    {
        answer.body = json!({"tasks": described["tasks"], "failures": []})
            .to_string()
            .into_bytes();
    }
    Ok(answer)
}

/// For RunTask's `answer`: the containers (name, essential) of each started task whose family
/// is scripted by [`Scripted::task_exit`], by task ARN, from moto's DescribeTaskDefinition.
fn scripted_run(
    upstream: &str,
    head: &str,
    state: &Mutex<State>,
    answer: &Value,
) -> HashMap<String, Vec<(String, bool)>> {
    let scripted: Vec<(String, String)> = {
        let state = state.lock().unwrap_or_else(|e| e.into_inner());
        tasks_of(answer)
            .filter_map(|task| {
                let arn = task["taskArn"].as_str()?;
                let definition = task["taskDefinitionArn"].as_str()?;
                state
                    .task_exits
                    .contains_key(family_of(definition))
                    .then(|| (arn.to_owned(), definition.to_owned()))
            })
            .collect()
    };
    let mut definitions: HashMap<String, Vec<(String, bool)>> = HashMap::new();
    let mut out = HashMap::new();
    for (arn, definition) in scripted {
        if !definitions.contains_key(&definition) {
            let containers = call_upstream(
                upstream,
                head,
                "DescribeTaskDefinition",
                &json!({"taskDefinition": definition}),
            )
            .ok()
            .and_then(|answer| serde_json::from_slice::<Value>(&answer.body).ok())
            .map(|described| {
                described["taskDefinition"]["containerDefinitions"]
                    .as_array()
                    .map(|containers| {
                        containers
                            .iter()
                            .filter_map(|c| {
                                let name = c["name"].as_str()?.to_owned();
                                Some((name, c["essential"].as_bool().unwrap_or(true)))
                            })
                            .collect()
                    })
                    .unwrap_or_default()
            })
            .unwrap_or_default();
            definitions.insert(definition.clone(), containers);
        }
        out.insert(arn, definitions[&definition].clone());
    }
    out
}

/// The tasks of a RunTask or DescribeTasks answer.
fn tasks_of(answer: &Value) -> impl Iterator<Item = &Value> {
    answer["tasks"].as_array().into_iter().flatten()
}

/// `FAMILY` of `arn:...:task-definition/FAMILY:REVISION`, `FAMILY:REVISION` or `FAMILY`.
fn family_of(task_definition: &str) -> &str {
    let name = last_segment(task_definition);
    name.split_once(':').map_or(name, |(family, _)| family)
}

/// After a RunTask that reached moto and started tasks: its token, and the scripted tasks.
fn ran(
    state: &mut State,
    account: &str,
    request: &Value,
    answer: &Value,
    mut containers: HashMap<String, Vec<(String, bool)>>,
) {
    let task_arns: Vec<String> = tasks_of(answer)
        .filter_map(|task| task["taskArn"].as_str().map(str::to_owned))
        .collect();
    for task in tasks_of(answer) {
        let (Some(arn), Some(definition)) =
            (task["taskArn"].as_str(), task["taskDefinitionArn"].as_str())
        else {
            continue;
        };
        if let Some((exit_code, reason)) = state.task_exits.get(family_of(definition)) {
            let scripted = ScriptedTask {
                exit_code: *exit_code,
                reason: reason.clone(),
                containers: containers.remove(arn).unwrap_or_default(),
                describes: 0,
            };
            state.tasks.insert(arn.to_owned(), scripted);
        }
    }
    if let Some(key) = run_token(account, request)
        && !task_arns.is_empty()
    {
        state.run_tokens.entry(key).or_insert(RunTokenUse {
            parameters: without_token(request),
            task_arns,
        });
    }
}

/// The account, cluster name (`default` when none) and `clientToken` of a RunTask request
/// that has a token.
fn run_token(account: &str, request: &Value) -> Option<(String, String, String)> {
    let token = request["clientToken"].as_str()?;
    let cluster = request["cluster"].as_str().map_or("default", last_segment);
    Some((account.to_owned(), cluster.to_owned(), token.to_owned()))
}

/// A request without its `clientToken`: the parameters idempotency compares.
fn without_token(request: &Value) -> Value {
    let mut parameters = request.clone();
    if let Some(members) = parameters.as_object_mut() {
        members.remove("clientToken");
    }
    parameters
}

/// Writes into each scripted task of a RunTask or DescribeTasks answer what AWS would show (see
/// [`Scripted::task_exit`]); a DescribeTasks answer (`described`) counts one more describe.
fn tasks_shown(state: &mut State, described: bool, answer: &mut Value) {
    let Some(tasks) = answer["tasks"].as_array_mut() else {
        return;
    };
    for task in tasks {
        let Some(scripted) = task["taskArn"]
            .as_str()
            .and_then(|arn| state.tasks.get_mut(arn))
        else {
            continue;
        };
        if described {
            scripted.describes += 1;
        }
        let stopped = scripted.describes >= 2;
        // The task definition's containers, where moto's answer lacks one.
        if !task["containers"].is_array() {
            task["containers"] = json!([]);
        }
        let task_arn = task["taskArn"].clone();
        if let Some(shown) = task["containers"].as_array_mut() {
            for (name, _) in &scripted.containers {
                if !shown.iter().any(|c| c["name"] == json!(name)) {
                    shown.push(json!({"name": name, "taskArn": task_arn}));
                }
            }
        }
        let status = if stopped { "STOPPED" } else { "RUNNING" };
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0.0, |d| d.as_secs_f64());
        let Some(fields) = task.as_object_mut() else {
            continue;
        };
        fields.insert("lastStatus".to_owned(), json!(status));
        fields.insert("desiredStatus".to_owned(), json!(status));
        for member in [
            "stopCode",
            "stoppedReason",
            "stoppingAt",
            "executionStoppedAt",
            "stoppedAt",
        ] {
            fields.remove(member);
        }
        if stopped {
            fields.insert("stopCode".to_owned(), json!("EssentialContainerExited"));
            fields.insert(
                "stoppedReason".to_owned(),
                json!("Essential container in task exited"),
            );
            for member in ["stoppingAt", "executionStoppedAt", "stoppedAt"] {
                fields.insert(member.to_owned(), json!(now));
            }
        }
        let Some(containers) = fields.get_mut("containers").and_then(Value::as_array_mut) else {
            continue;
        };
        for container in containers {
            let essential = scripted
                .containers
                .iter()
                .find(|(name, _)| container["name"] == json!(name))
                .is_none_or(|(_, essential)| *essential);
            let Some(members) = container.as_object_mut() else {
                continue;
            };
            members.insert("lastStatus".to_owned(), json!(status));
            members.remove("exitCode");
            members.remove("reason");
            if stopped {
                if essential {
                    members.insert("exitCode".to_owned(), json!(scripted.exit_code));
                    members.insert("reason".to_owned(), json!(scripted.reason));
                } else {
                    members.insert("exitCode".to_owned(), json!(0));
                }
            }
        }
    }
}

/// What the layer does with a call before moto sees it.
enum Verdict {
    /// Forward it.
    Forward,
    /// Answer with the existing service (an idempotent CreateService).
    Replay,
    /// Answer with the tasks an earlier RunTask of the same token started.
    ReplayTasks(Vec<String>),
    /// Answer HTTP 400 `InvalidParameterException` with this message.
    Refuse(&'static str),
    /// Answer HTTP 400 `ConflictException` naming these tasks (a RunTask token used before with
    /// other parameters).
    Conflict(Vec<String>),
}

/// The scripted AWS rules that answer a call without moto (drain, idempotency, capacity
/// provider strategy transitions).
fn judged(state: &State, operation: &str, account: &str, request: &Value) -> Verdict {
    match operation {
        "CreateService" => {
            let Some(key) = requested(account, request, "serviceName") else {
                return Verdict::Forward;
            };
            if state.draining.get(&key).is_some_and(|left| *left > 0) {
                return Verdict::Refuse("Unable to Start a service that is still Draining.");
            }
            let existing = state.services.get(&key).filter(|s| s.active);
            match existing {
                Some(service) if state.idempotency => {
                    let token = request["clientToken"].as_str();
                    if token.is_some() && token == service.client_token.as_deref() {
                        Verdict::Replay
                    } else {
                        Verdict::Refuse("Creation of service was not idempotent.")
                    }
                }
                _ => Verdict::Forward,
            }
        }
        "UpdateService" if state.play_capacity => {
            let (Some(key), Some(wanted)) = (
                requested(account, request, "service"),
                request["capacityProviderStrategy"].as_array(),
            ) else {
                return Verdict::Forward;
            };
            let current = state
                .services
                .get(&key)
                .map_or(&[][..], |s| s.strategy.as_slice());
            if !same_strategy(current, wanted) && request["forceNewDeployment"] != json!(true) {
                Verdict::Refuse(
                    "When switching from launch type to capacity provider strategy on an existing service, or making a change to a capacity provider strategy on a service that is already using one, you must force a new deployment.",
                )
            } else {
                Verdict::Forward
            }
        }
        "RunTask" if state.run_idempotency => {
            let Some(first) =
                run_token(account, request).and_then(|key| state.run_tokens.get(&key))
            else {
                return Verdict::Forward;
            };
            if first.parameters == without_token(request) {
                Verdict::ReplayTasks(first.task_arns.clone())
            } else {
                Verdict::Conflict(first.task_arns.clone())
            }
        }
        _ => Verdict::Forward,
    }
}

/// Two capacity provider strategies are the same when they give each provider the same weight
/// and base (0 when absent), in any order.
fn same_strategy(a: &[Value], b: &[Value]) -> bool {
    let normal = |strategy: &[Value]| {
        let mut items: Vec<(String, i64, i64)> = strategy
            .iter()
            .map(|item| {
                (
                    item["capacityProvider"]
                        .as_str()
                        .unwrap_or_default()
                        .to_owned(),
                    item["weight"].as_i64().unwrap_or(0),
                    item["base"].as_i64().unwrap_or(0),
                )
            })
            .collect();
        items.sort();
        items
    };
    normal(a) == normal(b)
}

/// The service a request names in `member` (`serviceName` or `service`, a name or an ARN),
/// in the cluster it names (a name or an ARN; `default` when none).
fn requested(account: &str, request: &Value, member: &str) -> Option<ServiceKey> {
    let service = last_segment(request[member].as_str()?);
    let cluster = request["cluster"].as_str().map_or("default", last_segment);
    Some((account.to_owned(), cluster.to_owned(), service.to_owned()))
}

/// The service an answer shows.
fn answered(account: &str, service: &Value) -> Option<ServiceKey> {
    let name = service["serviceName"].as_str()?;
    let cluster = service["clusterArn"]
        .as_str()
        .map_or("default", last_segment);
    Some((account.to_owned(), cluster.to_owned(), name.to_owned()))
}

/// `NAME` of `arn:...:cluster/NAME`, `service/CLUSTER/NAME` or `NAME`.
fn last_segment(name_or_arn: &str) -> &str {
    name_or_arn.rsplit('/').next().unwrap_or(name_or_arn)
}

/// After a call that took effect: what it sent and did to its service.
fn remember(state: &mut State, operation: &str, account: &str, request: &Value, answer: &Value) {
    let Some(key) = answered(account, &answer["service"]) else {
        return;
    };
    let sent = |member: &str| request.get(member).filter(|v| !v.is_null());
    match operation {
        "CreateService" => {
            state.draining.remove(&key);
            state.services.insert(
                key,
                Remembered {
                    deployment_configuration: sent("deploymentConfiguration")
                        .and_then(Value::as_object)
                        .cloned()
                        .unwrap_or_default(),
                    strategy: sent("capacityProviderStrategy")
                        .and_then(Value::as_array)
                        .cloned()
                        .unwrap_or_default(),
                    launch_type: answer["service"]["launchType"].as_str().map(str::to_owned),
                    client_token: request["clientToken"].as_str().map(str::to_owned),
                    active: true,
                },
            );
        }
        "UpdateService" => {
            let service = state.services.entry(key).or_insert_with(|| Remembered {
                launch_type: answer["service"]["launchType"].as_str().map(str::to_owned),
                active: true,
                ..Remembered::default()
            });
            if let Some(configuration) = sent("deploymentConfiguration").and_then(Value::as_object)
            {
                for (member, value) in configuration {
                    service
                        .deployment_configuration
                        .insert(member.clone(), value.clone());
                }
            }
            if let Some(strategy) = sent("capacityProviderStrategy").and_then(Value::as_array) {
                service.strategy = strategy.clone();
            }
        }
        "DeleteService" => {
            if let Some(service) = state.services.get_mut(&key) {
                service.active = false;
            }
            if let Some(polls) = state.drain_polls {
                state.draining.insert(key, polls.saturating_add(1));
            }
        }
        _ => {}
    }
}

/// Writes into each service of an answer what AWS would show: the draining status, the
/// remembered deployment configuration and strategy, defaults, and added members.
fn shown(state: &mut State, operation: &str, account: &str, answer: &mut Value) {
    for service in services_of(operation, answer) {
        let Some(key) = answered(account, service) else {
            continue;
        };
        if let Some(left) = state.draining.get_mut(&key) {
            // DeleteService's own answer counts as the first: `polls` describes follow it.
            *left -= 1;
            service["status"] = json!("DRAINING");
            if *left == 0 {
                state.draining.remove(&key);
            }
        }
        if (state.echo_defaults || state.play_capacity)
            && let Some(remembered) = state.services.get(&key)
        {
            if state.echo_defaults && !remembered.deployment_configuration.is_empty() {
                let configuration = &mut service["deploymentConfiguration"];
                if !configuration.is_object() {
                    *configuration = json!({});
                }
                for (member, value) in &remembered.deployment_configuration {
                    configuration[member] = value.clone();
                }
            }
            if let Some(fields) = service.as_object_mut() {
                if remembered.strategy.is_empty() {
                    fields.remove("capacityProviderStrategy");
                    if let Some(launch_type) = &remembered.launch_type {
                        fields.insert("launchType".to_owned(), json!(launch_type));
                    }
                } else {
                    fields.insert(
                        "capacityProviderStrategy".to_owned(),
                        Value::Array(remembered.strategy.clone()),
                    );
                    fields.remove("launchType");
                }
            }
        }
        if state.echo_defaults {
            defaults(service);
        }
        for (pointer, value) in &state.members {
            insert_absent(service, pointer, value);
        }
    }
}

/// The services an answer of `operation` shows: the one of CreateService, UpdateService and
/// DeleteService, those of DescribeServices; none for other operations.
fn services_of<'a>(operation: &str, answer: &'a mut Value) -> Vec<&'a mut Value> {
    match operation {
        "CreateService" | "UpdateService" | "DeleteService" => {
            answer.get_mut("service").into_iter().collect()
        }
        "DescribeServices" => answer
            .get_mut("services")
            .and_then(Value::as_array_mut)
            .map(|s| s.iter_mut().collect())
            .unwrap_or_default(),
        _ => Vec::new(),
    }
}

/// The members AWS fills in when a request leaves them unset (see
/// [`Scripted::echo_service_defaults`]).
fn defaults(service: &mut Value) {
    let rolling = matches!(
        service["deploymentController"]["type"].as_str(),
        None | Some("ECS")
    );
    if rolling {
        let daemon = service["schedulingStrategy"] == json!("DAEMON");
        let percents = if daemon {
            vec![("minimumHealthyPercent", json!(0))]
        } else {
            vec![
                ("maximumPercent", json!(200)),
                ("minimumHealthyPercent", json!(100)),
            ]
        };
        let rest = [
            ("strategy", json!("ROLLING")),
            ("bakeTimeInMinutes", json!(0)),
        ];
        for (member, value) in percents.into_iter().chain(rest) {
            insert_absent(
                service,
                &format!("/deploymentConfiguration/{member}"),
                &value,
            );
        }
    }
    if service["deploymentConfiguration"]["deploymentCircuitBreaker"].is_object() {
        let breaker = "/deploymentConfiguration/deploymentCircuitBreaker";
        insert_absent(
            service,
            &format!("{breaker}/resetOnHealthyTask"),
            &json!(true),
        );
        insert_absent(
            service,
            &format!("{breaker}/thresholdConfiguration"),
            &json!({"type": "BOUNDED_PERCENT", "value": 50}),
        );
    }
}

/// Sets `value` at the JSON `pointer` of `target` when nothing (or null) is there, creating the
/// objects on the way; leaves `target` alone where the way goes through something else.
fn insert_absent(target: &mut Value, pointer: &str, value: &Value) {
    let mut here = target;
    let mut segments = pointer
        .split('/')
        .skip(1)
        .map(|s| s.replace("~1", "/").replace("~0", "~"))
        .peekable();
    while let Some(segment) = segments.next() {
        if here.is_null() {
            *here = json!({});
        }
        let Some(fields) = here.as_object_mut() else {
            return;
        };
        let slot = fields.entry(segment).or_insert(Value::Null);
        if segments.peek().is_none() {
            if slot.is_null() {
                *slot = value.clone();
            }
            return;
        }
        here = slot;
    }
}

/// Answers with an AWS JSON error.
fn refuse(client: &mut TcpStream, status: &str, error: &str, message: &str) -> std::io::Result<()> {
    let body = json!({"__type": error, "message": message});
    respond(client, status, Some(error), body.to_string().as_bytes())
}

/// Answers `ThrottlingException` "Rate exceeded", HTTP 400, as ECS does.
fn throttle(client: &mut TcpStream) -> std::io::Result<()> {
    refuse(
        client,
        "400 Bad Request",
        "ThrottlingException",
        "Rate exceeded",
    )
}

/// A call being answered, counted in [`State::in_flight`] until dropped.
struct InFlight<'s> {
    state: &'s Mutex<State>,
    operation: String,
}

impl<'s> InFlight<'s> {
    fn enter(state: &'s Mutex<State>, operation: &str) -> Self {
        let mut locked = state.lock().unwrap_or_else(|e| e.into_inner());
        let entry = locked.in_flight.entry(operation.to_owned()).or_default();
        entry.0 += 1;
        entry.1 = entry.1.max(entry.0);
        Self {
            state,
            operation: operation.to_owned(),
        }
    }
}

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        let mut locked = self.state.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(entry) = locked.in_flight.get_mut(&self.operation) {
            entry.0 = entry.0.saturating_sub(1);
        }
    }
}

/// After an UpdateService of a scripted service: a new PRIMARY deployment, IN_PROGRESS.
fn started(state: &mut State, answer: &mut Value) {
    let service = &mut answer["service"];
    let Some(name) = service["serviceName"].as_str().map(str::to_owned) else {
        return;
    };
    // Unscripted, an UpdateService of a service whose scripted deployment failed is the apply
    // putting it back on its previous revision: as on AWS (UpdateService starts a deployment
    // when the task definition changes), a new deployment, which completes.
    let put_back = state
        .deployments
        .get(&name)
        .is_some_and(|d| matches!(d.outcome, Outcome::Fail(_)));
    let Some(outcome) = state
        .scripts
        .remove(&name)
        .or(put_back.then_some(Outcome::Complete(1)))
    else {
        return;
    };
    state.next_id += 1;
    let previous = service["deployments"][0]["taskDefinition"]
        .as_str()
        .map(str::to_owned);
    let deployment = Deployment {
        outcome,
        id: format!("ecs-svc/scripted{}", state.next_id),
        task_definition: service["taskDefinition"]
            .as_str()
            .unwrap_or_default()
            .to_owned(),
        previous,
        desired: service["desiredCount"].as_i64().unwrap_or(1),
        polls: 0,
    };
    write_deployments(service, &deployment);
    state.deployments.insert(name, deployment);
}

/// On DescribeServices: every scripted deployment moves one poll on.
fn moved(state: &mut State, answer: &mut Value) {
    let Some(services) = answer["services"].as_array_mut() else {
        return;
    };
    for service in services {
        let Some(name) = service["serviceName"].as_str() else {
            continue;
        };
        if let Some(deployment) = state.deployments.get_mut(name) {
            deployment.polls += 1;
            write_deployments(service, deployment);
            // Its tasks have stopped once it failed (see `stopped_tasks`).
            let failed = match deployment.outcome {
                Outcome::Fail(after) | Outcome::RollBack(after) => deployment.polls >= after,
                _ => false,
            };
            if failed {
                let (id, previous) = (deployment.id.clone(), format!("{}-old", deployment.id));
                stopped_tasks::deployment_failed(&mut state.stopped, service, &id, &previous);
            }
        }
    }
}

fn write_deployments(service: &mut Value, d: &Deployment) {
    let name = service["serviceName"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let due = |after: u32| d.polls >= after;
    let previous = d.previous.clone().unwrap_or_default();
    let ours = |status: &str, rollout: &str, running: i64, reason: &str| {
        json!({
            "id": d.id, "status": status, "taskDefinition": d.task_definition,
            "desiredCount": d.desired, "runningCount": running, "pendingCount": d.desired - running,
            "failedTasks": if rollout == "FAILED" { 3 } else { 0 },
            "rolloutState": rollout, "rolloutStateReason": reason,
            "createdAt": 1_795_000_000, "updatedAt": 1_795_000_000 + i64::from(d.polls)
        })
    };
    let old = json!({
        "id": format!("{}-old", d.id), "status": "ACTIVE", "taskDefinition": previous,
        "desiredCount": d.desired, "runningCount": d.desired, "pendingCount": 0,
        "rolloutState": "COMPLETED", "createdAt": 1_700_000_000
    });
    let event = |n: u32, message: String| json!({"id": format!("{}-event-{n}", d.id), "createdAt": 1_795_000_000 + i64::from(n), "message": message});
    let mut events = vec![event(
        0,
        format!("({name}) (deployment {}) deployment started.", d.id),
    )];
    let (deployments, running) = match d.outcome {
        Outcome::Complete(after) if due(after) => {
            events.push(event(
                1,
                format!("({name}) (deployment {}) deployment completed.", d.id),
            ));
            events.push(event(2, format!("({name}) has reached a steady state.")));
            (vec![ours("PRIMARY", "COMPLETED", d.desired, "")], d.desired)
        }
        Outcome::Fail(after) if due(after) => {
            let reason = "ECS deployment circuit breaker: tasks failed to start.";
            events.push(event(
                1,
                format!(
                    "({name}) (deployment {}) deployment failed: tasks failed to start.",
                    d.id
                ),
            ));
            (vec![ours("PRIMARY", "FAILED", 0, reason), old], d.desired)
        }
        Outcome::RollBack(after) if due(after) => {
            let rollback = json!({
                "id": format!("{}-rollback", d.id), "status": "PRIMARY", "taskDefinition": previous,
                "desiredCount": d.desired, "runningCount": d.desired, "pendingCount": 0,
                "rolloutState": "COMPLETED", "createdAt": 1_795_000_100
            });
            events.push(event(
                1,
                format!(
                    "({name}) (deployment {}) deployment failed: tasks failed to start. Rolling back to the previous deployment.",
                    d.id
                ),
            ));
            (
                vec![
                    rollback,
                    ours(
                        "ACTIVE",
                        "FAILED",
                        0,
                        "ECS deployment circuit breaker: tasks failed to start.",
                    ),
                ],
                d.desired,
            )
        }
        _ => {
            let running = i64::from(d.polls).min(d.desired.saturating_sub(1)).max(0);
            (
                vec![
                    ours(
                        "PRIMARY",
                        "IN_PROGRESS",
                        running,
                        "ECS deployment in progress.",
                    ),
                    old,
                ],
                d.desired,
            )
        }
    };
    events.reverse(); // ECS lists the newest first
    service["deployments"] = Value::Array(deployments);
    service["runningCount"] = json!(running);
    service["events"] = Value::Array(events);
}

pub(super) fn respond(
    client: &mut TcpStream,
    status: &str,
    error_type: Option<&str>,
    body: &[u8],
) -> std::io::Result<()> {
    let mut head = format!(
        "HTTP/1.1 {status}\r\nContent-Type: application/x-amz-json-1.1\r\nContent-Length: {}\r\nConnection: close\r\nx-amzn-RequestId: scripted\r\n",
        body.len()
    );
    if let Some(error_type) = error_type {
        head.push_str(&format!("x-amzn-ErrorType: {error_type}\r\n"));
    }
    head.push_str("\r\n");
    client.write_all(head.as_bytes())?;
    client.write_all(body)?;
    client.flush()
}

/// Reads an HTTP request: its head (request line and headers) and its body.
pub(super) fn read_message(stream: &mut TcpStream) -> std::io::Result<(String, Vec<u8>)> {
    let mut buffer = Vec::new();
    let mut chunk = [0_u8; 8192];
    let head_end = loop {
        let n = stream.read(&mut chunk)?;
        if n == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        buffer.extend_from_slice(&chunk[..n]);
        if let Some(i) = find(&buffer, b"\r\n\r\n") {
            break i + 4;
        }
    };
    let head = String::from_utf8_lossy(&buffer[..head_end]).into_owned();
    let length: usize = header(&head, "content-length")
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0);
    let mut body = buffer[head_end..].to_vec();
    while body.len() < length {
        let n = stream.read(&mut chunk)?;
        if n == 0 {
            break;
        }
        body.extend_from_slice(&chunk[..n]);
    }
    Ok((head, body))
}

pub(super) fn header(head: &str, name: &str) -> Option<String> {
    head.lines().find_map(|line| {
        let (key, value) = line.split_once(':')?;
        key.trim()
            .eq_ignore_ascii_case(name)
            .then(|| value.trim().to_owned())
    })
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}
