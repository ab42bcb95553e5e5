//! Waiting for a service to settle after an update: following *our* deployment, by its id,
//! until it completes, fails, is rolled back, or the time is up.
//!
//! A service is settled when the deployment we started is the PRIMARY one, its `rolloutState`
//! is COMPLETED, it is the only deployment left, and its running count equals its desired
//! count. It has failed when:
//!
//! - our deployment's `rolloutState` is FAILED;
//! - another deployment became PRIMARY (the circuit breaker or an alarm rolled back to the
//!   previous one, or someone deployed over us): "stable" then would describe *their* tasks,
//!   not ours;
//! - ECS reports the service deployment rolled back or stopped (see below);
//! - the service is no longer ACTIVE, or is missing;
//! - the time-out passed.
//!
//! Every poll is one DescribeServices call for up to 10 services of a cluster (the crate's one
//! batched describe, [`crate::observe`]'s).
//!
//! # Deployment strategies
//!
//! The ECS deployment controller deploys with one of four strategies
//! (`deploymentConfiguration.strategy`,
//! <https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_DeploymentConfiguration.html>):
//! ROLLING (the default) replaces tasks; BLUE_GREEN, LINEAR and CANARY start the new (green)
//! revision next to the old (blue) one, shift production traffic to it (at once, in equal
//! steps, or a canary share first), then keep both running for `bakeTimeInMinutes` before the
//! blue revision is scaled down. So:
//!
//! - **The time-out grows by the waits the configuration asks for.** A healthy deployment
//!   takes at least its bake times, so the deadline of each rollout is
//!   [`WaitOptions::timeout`] plus [`bake_allowance`] of that service's deployment
//!   configuration, as DescribeServices shows it: see [`effective_timeout`] for the formula.
//! - **Both deployments exist during the bake time**: our deployment PRIMARY and IN_PROGRESS,
//!   the old one ACTIVE. That is progress, not a failure: the deployment is done when the old
//!   one is gone.
//! - **The lifecycle stage is reported.** DescribeServices does not show it (the Deployment
//!   shape has no stage,
//!   <https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_Deployment.html>); the
//!   service deployment does (`lifecycleStage`,
//!   <https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ServiceDeployment.html>).
//!   For a service whose strategy is not ROLLING, the wait reads the service deployment named
//!   by the service's `currentServiceDeployment` (once our deployment is PRIMARY) with
//!   DescribeServiceDeployments
//!   (<https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_DescribeServiceDeployments.html>,
//!   up to 20 per call) and reports its stage in [`Progress::InProgress`]. A rolling
//!   deployment costs no extra call. When that call fails (a role without
//!   `ecs:DescribeServiceDeployments`, an endpoint without the operation), the rollout is
//!   followed without stages, on DescribeServices alone, which still tells success and
//!   failure.
//! - **A rollback by ECS is a failure**, whatever the strategy: our deployment's
//!   `rolloutState` FAILED, another deployment PRIMARY, or the service deployment's `status`
//!   ROLLBACK_REQUESTED, ROLLBACK_IN_PROGRESS, ROLLBACK_SUCCESSFUL or ROLLBACK_FAILED
//!   (STOP_REQUESTED and STOPPED are failures too). A service deployment SUCCESSFUL, with our
//!   deployment PRIMARY and all its tasks running, is settled even while ECS still lists the
//!   old deployment.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use ecs_model::load::from_value;
use ecs_model::types::{DeploymentConfiguration, DeploymentStrategy};
use serde_json::{Value, json};

use crate::aws::{AwsError, Ecs, Operation};
use crate::observe::describe_service_answers;

/// At most this many DescribeServices calls at a time while polling.
const POLL_CONCURRENCY: usize = 8;

/// What to follow: a service and the deployment our update started.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Rollout {
    /// The service's cluster (name or ARN).
    pub cluster: String,
    /// The service's name.
    pub service: String,
    /// The id of our deployment (`ecs-svc/...`), from the CreateService or UpdateService answer.
    pub deployment: String,
}

impl Rollout {
    /// The rollout a CreateService or UpdateService answer started: its PRIMARY deployment.
    pub fn from_response(response: &Value) -> Option<Self> {
        let service = response.get("service")?;
        let primary = service
            .get("deployments")?
            .as_array()?
            .iter()
            .find(|d| d.get("status").and_then(Value::as_str) == Some("PRIMARY"))?;
        Some(Self {
            cluster: service
                .get("clusterArn")
                .and_then(Value::as_str)?
                .to_owned(),
            service: service
                .get("serviceName")
                .and_then(Value::as_str)?
                .to_owned(),
            deployment: primary.get("id").and_then(Value::as_str)?.to_owned(),
        })
    }
}

/// How long and how often to poll.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct WaitOptions {
    /// Give up after this long.
    pub timeout: Duration,
    /// Time between polls.
    pub interval: Duration,
    /// How many of the last lines of each stopped task's awslogs stream a failure report shows
    /// ([`crate::failure`]; 10 by default, 0 reads none).
    pub log_lines: usize,
}

impl WaitOptions {
    /// Give up after `timeout`, polling every `interval`; failure reports with the last
    /// [`DEFAULT_LOG_LINES`] log lines.
    pub fn new(timeout: Duration, interval: Duration) -> Self {
        Self {
            timeout,
            interval,
            log_lines: DEFAULT_LOG_LINES,
        }
    }

    /// Failure reports show the last `n` lines of each stopped container's awslogs stream (0:
    /// none, and no CloudWatch Logs call).
    pub fn log_lines(mut self, n: usize) -> Self {
        self.log_lines = n;
        self
    }
}

/// How many log lines a failure report shows unless told otherwise.
pub const DEFAULT_LOG_LINES: usize = 10;

impl Default for WaitOptions {
    /// 15 minutes, polling every 6 seconds (the AWS CLI's `services-stable` waiter polls every
    /// 15 s for 40 attempts; a deploy wants to hear sooner).
    fn default() -> Self {
        Self::new(Duration::from_secs(15 * 60), Duration::from_secs(6))
    }
}

/// A stage of a service deployment's lifecycle, as ECS reports it in
/// `ServiceDeployment.lifecycleStage`
/// (<https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ServiceDeployment.html>;
/// the values of `ServiceDeploymentLifecycleStage` in the AWS model). The documentation of the
/// member also lists PRE_PRODUCTION_TRAFFIC_SHIFT, which the model's enum lacks; it is known
/// here too. A stage newer than this list is kept as [`LifecycleStage::Unknown`].
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum LifecycleStage {
    /// RECONCILE_SERVICE: only when a deployment starts with more than one service revision
    /// ACTIVE.
    ReconcileService,
    /// PRE_SCALE_UP: the green revision has not started; blue serves all production traffic.
    PreScaleUp,
    /// SCALE_UP: the green revision scales up and launches its tasks; it serves no traffic yet.
    ScaleUp,
    /// POST_SCALE_UP: the green revision has started; blue serves all production traffic.
    PostScaleUp,
    /// TEST_TRAFFIC_SHIFT: test traffic moves to the green revision.
    TestTrafficShift,
    /// POST_TEST_TRAFFIC_SHIFT: green serves all test traffic.
    PostTestTrafficShift,
    /// PRE_PRODUCTION_TRAFFIC_SHIFT: before a production traffic shift (before every step of a
    /// LINEAR or CANARY deployment).
    PreProductionTrafficShift,
    /// PRODUCTION_TRAFFIC_SHIFT: production traffic moves to the green revision (at every step
    /// of a LINEAR or CANARY deployment).
    ProductionTrafficShift,
    /// POST_PRODUCTION_TRAFFIC_SHIFT: the production traffic shift is complete.
    PostProductionTrafficShift,
    /// BAKE_TIME: blue and green both run after production traffic has shifted.
    BakeTime,
    /// CLEAN_UP: the blue revision scales down to 0 tasks.
    CleanUp,
    /// A stage this crate does not know, as ECS spelled it.
    Unknown(String),
}

impl LifecycleStage {
    const KNOWN: [(Self, &'static str); 11] = [
        (Self::ReconcileService, "RECONCILE_SERVICE"),
        (Self::PreScaleUp, "PRE_SCALE_UP"),
        (Self::ScaleUp, "SCALE_UP"),
        (Self::PostScaleUp, "POST_SCALE_UP"),
        (Self::TestTrafficShift, "TEST_TRAFFIC_SHIFT"),
        (Self::PostTestTrafficShift, "POST_TEST_TRAFFIC_SHIFT"),
        (
            Self::PreProductionTrafficShift,
            "PRE_PRODUCTION_TRAFFIC_SHIFT",
        ),
        (Self::ProductionTrafficShift, "PRODUCTION_TRAFFIC_SHIFT"),
        (
            Self::PostProductionTrafficShift,
            "POST_PRODUCTION_TRAFFIC_SHIFT",
        ),
        (Self::BakeTime, "BAKE_TIME"),
        (Self::CleanUp, "CLEAN_UP"),
    ];

    /// The stage as ECS spells it (`BAKE_TIME`).
    pub fn as_str(&self) -> &str {
        match self {
            Self::Unknown(other) => other,
            known => Self::KNOWN
                .iter()
                .find(|(stage, _)| stage == known)
                .map_or("", |(_, name)| name),
        }
    }

    /// The stage ECS calls `name`; [`LifecycleStage::Unknown`] for a name not listed.
    pub fn from_name(name: &str) -> Self {
        Self::KNOWN
            .iter()
            .find(|(_, known)| *known == name)
            .map_or_else(
                || Self::Unknown(name.to_owned()),
                |(stage, _)| stage.clone(),
            )
    }
}

impl std::fmt::Display for LifecycleStage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where a rollout stands after one poll.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Progress {
    /// Still going: our deployment's counts, and its lifecycle stage when ECS reports one.
    InProgress {
        /// Tasks wanted.
        desired: i64,
        /// Tasks running.
        running: i64,
        /// Tasks starting.
        pending: i64,
        /// Tasks that failed to start so far.
        failed: i64,
        /// The service deployment's lifecycle stage (BLUE_GREEN, LINEAR and CANARY
        /// deployments; see the module documentation), when ECS reported one.
        stage: Option<LifecycleStage>,
    },
    /// Settled: our deployment alone, COMPLETED, running == desired.
    Completed,
    /// Failed, with the reason.
    Failed(String),
}

/// Something seen while waiting.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum WaitEvent {
    /// A poll's result.
    Progress {
        /// The rollout.
        rollout: Rollout,
        /// Where it stands.
        progress: Progress,
    },
    /// A service event ECS reported (new since the last poll), oldest first.
    ServiceEvent {
        /// The rollout.
        rollout: Rollout,
        /// The event's message.
        message: String,
    },
}

/// Why waiting did not end in success.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum WaitError {
    /// The rollout failed.
    #[error("service {service}: deployment {deployment} failed: {reason}")]
    Failed {
        /// The service.
        service: String,
        /// Our deployment.
        deployment: String,
        /// Why.
        reason: String,
        /// The task definition ECS itself went back to (the circuit breaker's or an alarm's
        /// rollback made another deployment PRIMARY, or the service deployment reports a
        /// rollback), when it did: the service needs no rollback of ours.
        rolled_back_by_ecs: Option<String>,
    },
    /// The time ran out before the rollout settled.
    #[error("service {service}: deployment {deployment} did not settle within {timeout:?}")]
    TimedOut {
        /// The service.
        service: String,
        /// Our deployment.
        deployment: String,
        /// The time-out: [`WaitOptions::timeout`] plus the service's [`bake_allowance`].
        timeout: Duration,
    },
    /// A call failed.
    #[error(transparent)]
    Aws(#[from] AwsError),
}

/// The longest bake time ECS accepts, in minutes (24 hours): `bakeTimeInMinutes`,
/// `stepBakeTimeInMinutes` and `canaryBakeTimeInMinutes` are 0 to 1440.
const MAX_BAKE_MINUTES: u64 = 1440;

/// `stepPercent` when a LINEAR deployment does not set it (10.0), in tenths of a percent
/// (<https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_LinearConfiguration.html>).
const DEFAULT_STEP_TENTHS: u64 = 100;

/// `stepBakeTimeInMinutes` when a LINEAR deployment does not set it.
const DEFAULT_STEP_BAKE_MINUTES: u64 = 6;

/// `canaryBakeTimeInMinutes` when a CANARY deployment does not set it
/// (<https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_CanaryConfiguration.html>).
const DEFAULT_CANARY_BAKE_MINUTES: u64 = 10;

/// How much longer than the user's time-out a deployment with `configuration` is given: the
/// time its strategy spends waiting on purpose, which a healthy deployment cannot skip.
///
/// In minutes, with the members of the DeploymentConfiguration, LinearConfiguration and
/// CanaryConfiguration shapes
/// (<https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_DeploymentConfiguration.html>,
/// <https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_LinearConfiguration.html>,
/// <https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_CanaryConfiguration.html>):
///
/// ```text
/// allowance = bakeTimeInMinutes                                   (every strategy; absent: 0)
///           + (steps - 1) * stepBakeTimeInMinutes                 (LINEAR)
///           + canaryBakeTimeInMinutes                             (CANARY)
/// steps     = ceil(100 / stepPercent)
/// ```
///
/// A LINEAR deployment shifts `stepPercent` of the traffic per step and waits
/// `stepBakeTimeInMinutes` between steps, but not after the last ("This bake time is not
/// applied after reaching 100 percent traffic"): `steps - 1` waits. Absent members take
/// AWS's documented defaults: `stepPercent` 10.0, `stepBakeTimeInMinutes` 6,
/// `canaryBakeTimeInMinutes` 10. Values outside AWS's ranges (which validation reports) are
/// brought within them: bake times 0 to 1440 minutes, `stepPercent` 3.0 to 100.0. The
/// lifecycle hooks' own time-outs are not added: a hook that waits (a PAUSE hook, a Lambda
/// answering IN_PROGRESS) is waited for within the user's time-out.
pub fn bake_allowance(configuration: &DeploymentConfiguration) -> Duration {
    let minutes = |value: Option<i32>, default: u64| {
        value.map_or(default, |m| {
            u64::try_from(m).unwrap_or(0).min(MAX_BAKE_MINUTES)
        })
    };
    let mut total = minutes(configuration.bake_time_in_minutes, 0);
    match configuration.strategy {
        Some(DeploymentStrategy::Linear) => {
            let linear = configuration.linear_configuration.as_ref();
            let tenths = linear
                .and_then(|l| l.step_percent)
                .filter(|p| p.is_finite())
                // Within 3.0..=100.0 percent, so the cast cannot overflow.
                .map_or(DEFAULT_STEP_TENTHS, |p| {
                    (p * 10.0).round().clamp(30.0, 1000.0) as u64
                });
            let steps = 1000_u64.div_ceil(tenths);
            let step_bake = minutes(
                linear.and_then(|l| l.step_bake_time_in_minutes),
                DEFAULT_STEP_BAKE_MINUTES,
            );
            total += steps.saturating_sub(1) * step_bake;
        }
        Some(DeploymentStrategy::Canary) => {
            total += minutes(
                configuration
                    .canary_configuration
                    .as_ref()
                    .and_then(|c| c.canary_bake_time_in_minutes),
                DEFAULT_CANARY_BAKE_MINUTES,
            );
        }
        _ => {}
    }
    Duration::from_secs(total * 60)
}

/// The deadline of a rollout: `timeout` (the user's, [`WaitOptions::timeout`]) plus the
/// [`bake_allowance`] of the service's deployment configuration, when it has one.
///
/// ```
/// use std::time::Duration;
/// use ecs_deploy::wait::effective_timeout;
/// use ecs_model::types::{DeploymentConfiguration, DeploymentStrategy};
///
/// let mut blue_green = DeploymentConfiguration::default();
/// blue_green.strategy = Some(DeploymentStrategy::BlueGreen);
/// blue_green.bake_time_in_minutes = Some(30);
/// let timeout = Duration::from_secs(900);
/// assert_eq!(effective_timeout(timeout, Some(&blue_green)), Duration::from_secs(900 + 30 * 60));
/// assert_eq!(effective_timeout(timeout, None), timeout);
/// ```
pub fn effective_timeout(
    timeout: Duration,
    configuration: Option<&DeploymentConfiguration>,
) -> Duration {
    timeout.saturating_add(configuration.map_or(Duration::ZERO, bake_allowance))
}

/// The deployment configuration a DescribeServices entry shows, typed.
fn configuration_of(service: Option<&Value>) -> Option<DeploymentConfiguration> {
    service
        .and_then(|s| s.get("deploymentConfiguration"))
        .and_then(|c| from_value::<DeploymentConfiguration>(c).value)
}

/// Whether the service deploys with a strategy that shifts traffic (BLUE_GREEN, LINEAR,
/// CANARY, or one newer than this crate): one whose service deployment is worth reading for
/// its lifecycle stage.
fn shifts_traffic(configuration: Option<&DeploymentConfiguration>) -> bool {
    configuration
        .and_then(|c| c.strategy.as_ref())
        .is_some_and(|s| !matches!(s, DeploymentStrategy::Rolling))
}

/// The service deployment statuses that mean ECS is rolling the deployment back, or has
/// (<https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ServiceDeployment.html>,
/// `status`).
const ROLLBACK_STATUSES: [&str; 4] = [
    "ROLLBACK_REQUESTED",
    "ROLLBACK_IN_PROGRESS",
    "ROLLBACK_SUCCESSFUL",
    "ROLLBACK_FAILED",
];

/// The task definition of the deployment ECS made PRIMARY in place of `rollout`'s (the
/// circuit breaker's rollback), when it did.
pub fn rolled_back_by_ecs(rollout: &Rollout, service: Option<&Value>) -> Option<String> {
    ecs_rollback(rollout, service, None)
}

/// [`rolled_back_by_ecs`], also when the service deployment reports a rollback by ECS (but
/// not a failed one: the service may then still need putting back).
fn ecs_rollback(
    rollout: &Rollout,
    service: Option<&Value>,
    service_deployment: Option<&Value>,
) -> Option<String> {
    let deployments = service?.get("deployments")?.as_array()?;
    let status = |d: &Value| d.get("status").and_then(Value::as_str).map(str::to_owned);
    let is_ours =
        |d: &Value| d.get("id").and_then(Value::as_str) == Some(rollout.deployment.as_str());
    let task_definition = |d: &Value| {
        d.get("taskDefinition")
            .and_then(Value::as_str)
            .map(str::to_owned)
    };
    let ours = deployments.iter().find(|d| is_ours(d))?;
    if status(ours).as_deref() != Some("PRIMARY") {
        return deployments
            .iter()
            .find(|d| status(d).as_deref() == Some("PRIMARY"))
            .and_then(task_definition);
    }
    let sd = service_deployment?;
    let sd_status = sd.get("status").and_then(Value::as_str).unwrap_or("");
    if !ROLLBACK_STATUSES.contains(&sd_status) || sd_status == "ROLLBACK_FAILED" {
        return None;
    }
    // The revision ECS goes back to is the other deployment's; failing that, the service
    // revision the rollback names.
    deployments
        .iter()
        .filter(|d| !is_ours(d))
        .find_map(task_definition)
        .or_else(|| {
            sd.pointer("/rollback/serviceRevisionArn")
                .and_then(Value::as_str)
                .map(str::to_owned)
        })
}

/// Judges one DescribeServices entry for `rollout`.
pub fn judge(rollout: &Rollout, service: Option<&Value>) -> Progress {
    judge_with(rollout, service, None)
}

/// Judges one DescribeServices entry for `rollout`, with the service deployment
/// (a DescribeServiceDeployments entry) of our deployment when it was read: its status tells
/// a rollback or a stop by ECS, and success, and its `lifecycleStage` the stage.
pub fn judge_with(
    rollout: &Rollout,
    service: Option<&Value>,
    service_deployment: Option<&Value>,
) -> Progress {
    let Some(service) = service else {
        return Progress::Failed("the service is missing".to_owned());
    };
    let status = service.get("status").and_then(Value::as_str).unwrap_or("");
    if status != "ACTIVE" {
        return Progress::Failed(format!("the service is {status}"));
    }
    let deployments: &[Value] = service
        .get("deployments")
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice);
    let ours = deployments
        .iter()
        .find(|d| d.get("id").and_then(Value::as_str) == Some(rollout.deployment.as_str()));
    let Some(ours) = ours else {
        return Progress::Failed(format!(
            "deployment {} is gone (replaced by another deployment)",
            rollout.deployment
        ));
    };
    let text = |key: &str| ours.get(key).and_then(Value::as_str).unwrap_or("");
    let number = |key: &str| ours.get(key).and_then(Value::as_i64).unwrap_or(0);
    let reason = match text("rolloutStateReason") {
        "" if text("rolloutState") == "FAILED" => "its rollout state is FAILED",
        "" => "it is no longer the PRIMARY deployment",
        reason => reason,
    };
    if text("status") != "PRIMARY" {
        // The circuit breaker (or another deploy) made another deployment PRIMARY.
        let primary = deployments
            .iter()
            .find(|d| d.get("status").and_then(Value::as_str) == Some("PRIMARY"))
            .and_then(|d| d.get("taskDefinition").and_then(Value::as_str))
            .unwrap_or("another task definition");
        return Progress::Failed(format!("{reason}; ECS rolled back to {primary}"));
    }
    if text("rolloutState") == "FAILED" {
        return Progress::Failed(reason.to_owned());
    }
    let sd_text = |key: &str| {
        service_deployment
            .and_then(|sd| sd.get(key))
            .and_then(Value::as_str)
            .unwrap_or("")
    };
    let sd_status = sd_text("status");
    let because = match sd_text("statusReason") {
        "" => String::new(),
        why => format!(": {why}"),
    };
    if ROLLBACK_STATUSES.contains(&sd_status) {
        return Progress::Failed(format!(
            "ECS is rolling the deployment back (service deployment {sd_status}){because}"
        ));
    }
    if matches!(sd_status, "STOP_REQUESTED" | "STOPPED") {
        return Progress::Failed(format!(
            "the service deployment was stopped ({sd_status}){because}"
        ));
    }
    let (desired, running) = (number("desiredCount"), number("runningCount"));
    let alone = deployments.len() == 1 && text("rolloutState") == "COMPLETED";
    if running == desired && (alone || sd_status == "SUCCESSFUL") {
        return Progress::Completed;
    }
    let stage = Some(sd_text("lifecycleStage"))
        .filter(|s| !s.is_empty())
        .map(LifecycleStage::from_name);
    Progress::InProgress {
        desired,
        running,
        pending: number("pendingCount"),
        failed: number("failedTasks"),
        stage,
    }
}

/// Polls until every rollout settles or one fails, calling `on_event` with progress and new
/// service events. Rollouts of one cluster share DescribeServices calls (10 per call). To
/// follow every rollout to its end, failed or not, use [`follow_all`].
pub async fn wait(
    ecs: &Ecs,
    rollouts: &[Rollout],
    options: WaitOptions,
    on_event: impl FnMut(WaitEvent),
) -> Result<(), WaitError> {
    match follow_all(ecs, rollouts, options, true, on_event)
        .await
        .into_iter()
        .next()
    {
        Some(error) => Err(error),
        None => Ok(()),
    }
}

/// A rollout being followed, and what the polls learnt about it.
struct Followed {
    rollout: Rollout,
    /// The largest [`bake_allowance`] of the service's deployment configuration seen.
    allowance: Duration,
    /// The ARN of our service deployment, once read from the service's
    /// `currentServiceDeployment` while our deployment was PRIMARY.
    service_deployment: Option<String>,
    /// DescribeServiceDeployments failed for it: followed on DescribeServices alone.
    without_stages: bool,
}

/// Polls until every rollout settles, fails or times out, and returns what did not complete
/// (with `stop_at_first`, returns at the first). A failed DescribeServices call ends the
/// polling: it is the last error returned. Each rollout's deadline is
/// [`effective_timeout`]: [`WaitOptions::timeout`] plus the bake times of its service's
/// deployment configuration.
pub async fn follow_all(
    ecs: &Ecs,
    rollouts: &[Rollout],
    options: WaitOptions,
    stop_at_first: bool,
    mut on_event: impl FnMut(WaitEvent),
) -> Vec<WaitError> {
    let started = tokio::time::Instant::now();
    let mut pending: Vec<Followed> = rollouts
        .iter()
        .map(|rollout| Followed {
            rollout: rollout.clone(),
            allowance: Duration::ZERO,
            service_deployment: None,
            without_stages: false,
        })
        .collect();
    let mut seen_events: BTreeSet<String> = BTreeSet::new();
    let mut first = true;
    let mut failures = Vec::new();
    while !pending.is_empty() {
        let mut still = Vec::new();
        let mut asked: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for followed in &pending {
            asked
                .entry(followed.rollout.cluster.clone())
                .or_default()
                .insert(followed.rollout.service.clone());
        }
        let answers = match describe_service_answers(ecs, &asked, POLL_CONCURRENCY).await {
            Ok(answers) => answers,
            Err(error) => {
                failures.push(error.into());
                return failures;
            }
        };
        let services: Vec<Option<&Value>> = pending
            .iter()
            .map(|followed| {
                let rollout = &followed.rollout;
                answers
                    .iter()
                    .filter(|(cluster, _)| cluster == &rollout.cluster)
                    .filter_map(|(_, answer)| answer.get("services").and_then(Value::as_array))
                    .flatten()
                    .find(|s| {
                        s.get("serviceName").and_then(Value::as_str)
                            == Some(rollout.service.as_str())
                    })
            })
            .collect();
        for (followed, service) in pending.iter_mut().zip(&services) {
            let configuration = configuration_of(*service);
            if let Some(configuration) = &configuration {
                followed.allowance = followed.allowance.max(bake_allowance(configuration));
            }
            if shifts_traffic(configuration.as_ref()) && followed.service_deployment.is_none() {
                followed.service_deployment =
                    current_service_deployment(&followed.rollout, *service);
            }
        }
        let service_deployments = read_service_deployments(ecs, &mut pending).await;
        for (mut followed, service) in pending.into_iter().zip(services) {
            let service_deployment = followed
                .service_deployment
                .as_ref()
                .and_then(|arn| service_deployments.get(arn))
                .filter(|sd| started_with(sd, &followed.rollout, service));
            if service_deployment.is_none() {
                // Not (or not yet) ours: read `currentServiceDeployment` again next poll.
                followed.service_deployment = None;
            }
            let rollout = &followed.rollout;
            report_events(rollout, service, &mut seen_events, first, &mut on_event);
            let progress = judge_with(rollout, service, service_deployment);
            on_event(WaitEvent::Progress {
                rollout: rollout.clone(),
                progress: progress.clone(),
            });
            match progress {
                Progress::Completed => {}
                Progress::Failed(reason) => {
                    failures.push(WaitError::Failed {
                        service: rollout.service.clone(),
                        deployment: rollout.deployment.clone(),
                        reason,
                        rolled_back_by_ecs: ecs_rollback(rollout, service, service_deployment),
                    });
                    if stop_at_first {
                        return failures;
                    }
                }
                Progress::InProgress { .. } => still.push(followed),
            }
        }
        first = false;
        let elapsed = started.elapsed() + options.interval;
        let (late, on_time): (Vec<Followed>, Vec<Followed>) = still
            .into_iter()
            .partition(|f| elapsed > options.timeout.saturating_add(f.allowance));
        failures.extend(late.into_iter().map(|followed| WaitError::TimedOut {
            service: followed.rollout.service,
            deployment: followed.rollout.deployment,
            timeout: options.timeout.saturating_add(followed.allowance),
        }));
        pending = on_time;
        if pending.is_empty() || (stop_at_first && !failures.is_empty()) {
            break;
        }
        tokio::time::sleep(options.interval).await;
    }
    failures
}

/// The service's `currentServiceDeployment` while `rollout`'s deployment is PRIMARY: the
/// service deployment under way is then ours, unless ECS has not switched it yet (see
/// [`started_with`]).
fn current_service_deployment(rollout: &Rollout, service: Option<&Value>) -> Option<String> {
    let service = service?;
    let ours = service
        .get("deployments")?
        .as_array()?
        .iter()
        .find(|d| d.get("id").and_then(Value::as_str) == Some(rollout.deployment.as_str()))?;
    if ours.get("status").and_then(Value::as_str) != Some("PRIMARY") {
        return None;
    }
    service
        .get("currentServiceDeployment")
        .and_then(Value::as_str)
        .filter(|arn| !arn.is_empty())
        .map(str::to_owned)
}

/// How much earlier than our deployment a service deployment may say it was created and still
/// be ours (the two are recorded by different parts of ECS).
const CREATED_SLACK_SECONDS: f64 = 60.0;

/// Whether the service deployment `sd` is the one of `rollout`'s deployment, as far as the
/// creation times tell: one created well before our deployment is an earlier one that
/// `currentServiceDeployment` still named. Without both times, it is taken as ours.
fn started_with(sd: &Value, rollout: &Rollout, service: Option<&Value>) -> bool {
    let ours = service
        .and_then(|s| s.get("deployments"))
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .find(|d| d.get("id").and_then(Value::as_str) == Some(rollout.deployment.as_str()));
    let created = |v: Option<&Value>| v.and_then(|v| v.get("createdAt")).and_then(Value::as_f64);
    match (created(Some(sd)), created(ours)) {
        (Some(sd), Some(ours)) => sd + CREATED_SLACK_SECONDS >= ours,
        _ => true,
    }
}

/// At most this many ARNs per DescribeServiceDeployments call (the API's limit).
const SERVICE_DEPLOYMENTS_PER_CALL: usize = 20;

/// Reads the service deployments of `followed` (those that have one), 20 per call; by ARN. A
/// rollout whose call fails is followed without stages from then on.
async fn read_service_deployments(ecs: &Ecs, followed: &mut [Followed]) -> BTreeMap<String, Value> {
    let arns: Vec<String> = followed
        .iter()
        .filter(|f| !f.without_stages)
        .filter_map(|f| f.service_deployment.clone())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let mut out = BTreeMap::new();
    for chunk in arns.chunks(SERVICE_DEPLOYMENTS_PER_CALL) {
        let answer = ecs
            .call(
                Operation::DescribeServiceDeployments,
                &json!({ "serviceDeploymentArns": chunk }),
            )
            .await;
        let Ok(answer) = answer else {
            for f in followed.iter_mut() {
                if f.service_deployment
                    .as_ref()
                    .is_some_and(|arn| chunk.contains(arn))
                {
                    f.without_stages = true;
                }
            }
            continue;
        };
        for sd in answer
            .get("serviceDeployments")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            if let Some(arn) = sd.get("serviceDeploymentArn").and_then(Value::as_str) {
                out.insert(arn.to_owned(), sd.clone());
            }
        }
    }
    out
}

/// Reports the service events not reported before, oldest first. On the first poll, only
/// events about our deployment (ECS lists events newest first and keeps 100).
fn report_events(
    rollout: &Rollout,
    service: Option<&Value>,
    seen: &mut BTreeSet<String>,
    first: bool,
    on_event: &mut impl FnMut(WaitEvent),
) {
    let Some(events) = service
        .and_then(|s| s.get("events"))
        .and_then(Value::as_array)
    else {
        return;
    };
    for event in events.iter().rev() {
        let (Some(id), Some(message)) = (
            event.get("id").and_then(Value::as_str),
            event.get("message").and_then(Value::as_str),
        ) else {
            continue;
        };
        if !seen.insert(id.to_owned()) {
            continue;
        }
        if first && !message.contains(&rollout.deployment) {
            continue;
        }
        on_event(WaitEvent::ServiceEvent {
            rollout: rollout.clone(),
            message: message.to_owned(),
        });
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn rollout() -> Rollout {
        Rollout {
            cluster: "demo".into(),
            service: "web".into(),
            deployment: "ecs-svc/2".into(),
        }
    }

    fn service(deployments: Value) -> Value {
        json!({"serviceName": "web", "status": "ACTIVE", "deployments": deployments})
    }

    #[test]
    fn completed_needs_our_deployment_alone_and_all_tasks_running() {
        let ours = json!({"id": "ecs-svc/2", "status": "PRIMARY", "rolloutState": "COMPLETED",
                          "desiredCount": 2, "runningCount": 2});
        assert_eq!(
            judge(&rollout(), Some(&service(json!([ours])))),
            Progress::Completed
        );
        let old =
            json!({"id": "ecs-svc/1", "status": "ACTIVE", "desiredCount": 0, "runningCount": 1});
        assert!(matches!(
            judge(&rollout(), Some(&service(json!([ours, old])))),
            Progress::InProgress { .. }
        ));
    }

    #[test]
    fn a_circuit_breaker_rollback_is_a_failure_not_stability() {
        // The breaker made a new PRIMARY deployment of the previous revision; ours is ACTIVE.
        let rollback = json!({"id": "ecs-svc/3", "status": "PRIMARY", "rolloutState": "COMPLETED",
                              "taskDefinition": "arn:aws:ecs:us-east-1:1:task-definition/web:1",
                              "desiredCount": 2, "runningCount": 2});
        let ours = json!({"id": "ecs-svc/2", "status": "ACTIVE", "rolloutState": "IN_PROGRESS"});
        let progress = judge(&rollout(), Some(&service(json!([rollback, ours]))));
        assert!(
            matches!(&progress, Progress::Failed(reason) if reason.contains("web:1")),
            "{progress:?}"
        );
    }

    #[test]
    fn failed_rollout_state_and_missing_services_fail() {
        let ours = json!({"id": "ecs-svc/2", "status": "PRIMARY", "rolloutState": "FAILED",
                          "rolloutStateReason": "ECS deployment circuit breaker: tasks failed to start."});
        assert_eq!(
            judge(&rollout(), Some(&service(json!([ours])))),
            Progress::Failed("ECS deployment circuit breaker: tasks failed to start.".into())
        );
        assert!(matches!(judge(&rollout(), None), Progress::Failed(_)));
        let draining = json!({"serviceName": "web", "status": "DRAINING", "deployments": []});
        assert!(matches!(
            judge(&rollout(), Some(&draining)),
            Progress::Failed(_)
        ));
    }

    fn configuration(value: Value) -> DeploymentConfiguration {
        from_value::<DeploymentConfiguration>(&value)
            .value
            .expect("a deployment configuration")
    }

    #[test]
    fn the_allowance_adds_the_bake_times_of_each_strategy() {
        let cases = [
            // ROLLING: its bake time, if any.
            (json!({"strategy": "ROLLING"}), 0),
            (json!({"bakeTimeInMinutes": 3}), 3),
            // BLUE_GREEN: the bake time after the production traffic shift.
            (
                json!({"strategy": "BLUE_GREEN", "bakeTimeInMinutes": 30}),
                30,
            ),
            // LINEAR: 10 steps of 10 percent, 9 waits between them, then the bake time.
            (
                json!({"strategy": "LINEAR", "bakeTimeInMinutes": 5,
                       "linearConfiguration": {"stepPercent": 10.0, "stepBakeTimeInMinutes": 2}}),
                5 + 9 * 2,
            ),
            // 33.3 percent takes 4 steps (33.3, 66.6, 99.9, 100): 3 waits.
            (
                json!({"strategy": "LINEAR",
                       "linearConfiguration": {"stepPercent": 33.3, "stepBakeTimeInMinutes": 10}}),
                30,
            ),
            // Defaults: 10 percent steps, 6 minutes between them.
            (json!({"strategy": "LINEAR"}), 9 * 6),
            // CANARY: the canary's bake time, then the bake time (default canary bake: 10).
            (
                json!({"strategy": "CANARY", "bakeTimeInMinutes": 15,
                       "canaryConfiguration": {"canaryPercent": 5.0, "canaryBakeTimeInMinutes": 20}}),
                35,
            ),
            (json!({"strategy": "CANARY"}), 10),
            // Out of AWS's ranges: brought within them.
            (
                json!({"strategy": "BLUE_GREEN", "bakeTimeInMinutes": -4}),
                0,
            ),
            (
                json!({"strategy": "BLUE_GREEN", "bakeTimeInMinutes": 100000}),
                1440,
            ),
            // A step of 0 percent would never end: taken as 3.0 percent (34 steps).
            (
                json!({"strategy": "LINEAR",
                       "linearConfiguration": {"stepPercent": 0.0, "stepBakeTimeInMinutes": 1}}),
                33,
            ),
        ];
        for (value, minutes) in cases {
            assert_eq!(
                bake_allowance(&configuration(value.clone())),
                Duration::from_secs(minutes * 60),
                "{value}"
            );
        }
        let one_minute = configuration(json!({"bakeTimeInMinutes": 1}));
        assert_eq!(
            effective_timeout(Duration::MAX, Some(&one_minute)),
            Duration::MAX
        );
    }

    #[test]
    fn lifecycle_stages_keep_aws_names() {
        for name in [
            "RECONCILE_SERVICE",
            "PRE_SCALE_UP",
            "SCALE_UP",
            "POST_SCALE_UP",
            "TEST_TRAFFIC_SHIFT",
            "POST_TEST_TRAFFIC_SHIFT",
            "PRE_PRODUCTION_TRAFFIC_SHIFT",
            "PRODUCTION_TRAFFIC_SHIFT",
            "POST_PRODUCTION_TRAFFIC_SHIFT",
            "BAKE_TIME",
            "CLEAN_UP",
            "SOME_FUTURE_STAGE",
        ] {
            assert_eq!(LifecycleStage::from_name(name).as_str(), name);
        }
        assert_eq!(
            LifecycleStage::from_name("BAKE_TIME"),
            LifecycleStage::BakeTime
        );
        assert!(matches!(
            LifecycleStage::from_name("SOME_FUTURE_STAGE"),
            LifecycleStage::Unknown(_)
        ));
    }

    fn blue_green(deployments: Value) -> Value {
        json!({"serviceName": "web", "status": "ACTIVE", "deployments": deployments,
               "deploymentConfiguration": {"strategy": "BLUE_GREEN", "bakeTimeInMinutes": 30},
               "currentServiceDeployment": "arn:aws:ecs:us-east-1:1:service-deployment/demo/web/x"})
    }

    #[test]
    fn a_blue_green_bake_with_both_deployments_is_progress_with_its_stage() {
        let ours = json!({"id": "ecs-svc/2", "status": "PRIMARY", "rolloutState": "IN_PROGRESS",
                          "desiredCount": 2, "runningCount": 2});
        let blue = json!({"id": "ecs-svc/1", "status": "ACTIVE", "rolloutState": "COMPLETED",
                          "desiredCount": 2, "runningCount": 2});
        let service = blue_green(json!([ours, blue]));
        let sd = json!({"status": "IN_PROGRESS", "lifecycleStage": "BAKE_TIME"});
        assert_eq!(
            judge_with(&rollout(), Some(&service), Some(&sd)),
            Progress::InProgress {
                desired: 2,
                running: 2,
                pending: 0,
                failed: 0,
                stage: Some(LifecycleStage::BakeTime)
            }
        );
        // ECS says the service deployment succeeded: settled, though it still lists blue.
        let done = json!({"status": "SUCCESSFUL", "lifecycleStage": "CLEAN_UP"});
        assert_eq!(
            judge_with(&rollout(), Some(&service), Some(&done)),
            Progress::Completed
        );
    }

    #[test]
    fn a_rollback_reported_by_the_service_deployment_is_a_failure_by_ecs() {
        let ours = json!({"id": "ecs-svc/2", "status": "PRIMARY", "rolloutState": "IN_PROGRESS",
                          "taskDefinition": "web:2", "desiredCount": 2, "runningCount": 2});
        let blue = json!({"id": "ecs-svc/1", "status": "ACTIVE", "taskDefinition": "web:1",
                          "desiredCount": 2, "runningCount": 2});
        let service = blue_green(json!([ours, blue]));
        for status in ROLLBACK_STATUSES {
            let sd = json!({"status": status, "statusReason": "alarm web-5xx in ALARM",
                            "lifecycleStage": "BAKE_TIME"});
            let progress = judge_with(&rollout(), Some(&service), Some(&sd));
            assert!(
                matches!(&progress, Progress::Failed(reason) if reason.contains(status) && reason.contains("web-5xx")),
                "{progress:?}"
            );
            let expected = (status != "ROLLBACK_FAILED").then(|| "web:1".to_owned());
            assert_eq!(
                ecs_rollback(&rollout(), Some(&service), Some(&sd)),
                expected
            );
        }
        let stopped = json!({"status": "STOPPED"});
        assert!(matches!(
            judge_with(&rollout(), Some(&service), Some(&stopped)),
            Progress::Failed(_)
        ));
        assert_eq!(
            ecs_rollback(&rollout(), Some(&service), Some(&stopped)),
            None
        );
    }

    #[test]
    fn an_earlier_service_deployment_is_not_taken_for_ours() {
        let ours = json!({"id": "ecs-svc/2", "status": "PRIMARY", "createdAt": 1_800_000_000.0});
        let service = blue_green(json!([ours]));
        let earlier = json!({"status": "SUCCESSFUL", "createdAt": 1_700_000_000.0});
        let same_time = json!({"status": "IN_PROGRESS", "createdAt": 1_799_999_990.5});
        assert!(!started_with(&earlier, &rollout(), Some(&service)));
        assert!(started_with(&same_time, &rollout(), Some(&service)));
        assert_eq!(
            current_service_deployment(&rollout(), Some(&service)).as_deref(),
            Some("arn:aws:ecs:us-east-1:1:service-deployment/demo/web/x")
        );
        let not_primary = blue_green(json!([{"id": "ecs-svc/2", "status": "ACTIVE"}]));
        assert_eq!(
            current_service_deployment(&rollout(), Some(&not_primary)),
            None
        );
    }

    #[test]
    fn only_strategies_that_shift_traffic_read_service_deployments() {
        assert!(!shifts_traffic(None));
        assert!(!shifts_traffic(Some(&configuration(json!({})))));
        assert!(!shifts_traffic(Some(&configuration(
            json!({"strategy": "ROLLING"})
        ))));
        for strategy in ["BLUE_GREEN", "LINEAR", "CANARY"] {
            assert!(shifts_traffic(Some(&configuration(
                json!({"strategy": strategy})
            ))));
        }
    }

    #[test]
    fn a_rollout_is_read_from_the_update_answer() {
        let response = json!({"service": {
            "serviceName": "web", "clusterArn": "arn:aws:ecs:us-east-1:1:cluster/demo",
            "deployments": [{"id": "ecs-svc/1", "status": "ACTIVE"}, {"id": "ecs-svc/2", "status": "PRIMARY"}]
        }});
        let rollout = Rollout::from_response(&response).expect("a rollout");
        assert_eq!(rollout.deployment, "ecs-svc/2");
        assert_eq!(rollout.cluster, "arn:aws:ecs:us-east-1:1:cluster/demo");
    }
}
