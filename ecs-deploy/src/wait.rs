//! Waiting for a service to settle after an update: following *our* deployment, by its id,
//! until it completes, fails, is rolled back, or the time is up.
//!
//! A service is settled when the deployment we started is the PRIMARY one, its `rolloutState`
//! is COMPLETED, it is the only deployment left, and its running count equals its desired
//! count. It has failed when:
//!
//! - our deployment's `rolloutState` is FAILED;
//! - another deployment became PRIMARY (the circuit breaker rolled back to the previous one, or
//!   someone deployed over us): "stable" then would describe *their* tasks, not ours;
//! - the service is no longer ACTIVE, or is missing;
//! - the timeout passed.
//!
//! Every poll is one DescribeServices call for up to 10 services of a cluster (the crate's one
//! batched describe, [`crate::observe`]'s).

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use serde_json::Value;

use crate::aws::{AwsError, Ecs};
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
}

impl WaitOptions {
    /// Give up after `timeout`, polling every `interval`.
    pub fn new(timeout: Duration, interval: Duration) -> Self {
        Self { timeout, interval }
    }
}

impl Default for WaitOptions {
    /// 15 minutes, polling every 6 seconds (the AWS CLI's `services-stable` waiter polls every
    /// 15 s for 40 attempts; a deploy wants to hear sooner).
    fn default() -> Self {
        Self {
            timeout: Duration::from_secs(15 * 60),
            interval: Duration::from_secs(6),
        }
    }
}

/// Where a rollout stands after one poll.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Progress {
    /// Still going: our deployment's counts.
    InProgress {
        /// Tasks wanted.
        desired: i64,
        /// Tasks running.
        running: i64,
        /// Tasks starting.
        pending: i64,
        /// Tasks that failed to start so far.
        failed: i64,
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
        /// The task definition ECS itself went back to (the circuit breaker's rollback made
        /// another deployment PRIMARY), when it did: the service needs no rollback of ours.
        rolled_back_by_ecs: Option<String>,
    },
    /// The time ran out before the rollout settled.
    #[error("service {service}: deployment {deployment} did not settle within {timeout:?}")]
    TimedOut {
        /// The service.
        service: String,
        /// Our deployment.
        deployment: String,
        /// The timeout.
        timeout: Duration,
    },
    /// A call failed.
    #[error(transparent)]
    Aws(#[from] AwsError),
}

/// The task definition of the deployment ECS made PRIMARY in place of `rollout`'s (the
/// circuit breaker's rollback), when it did.
pub fn rolled_back_by_ecs(rollout: &Rollout, service: Option<&Value>) -> Option<String> {
    let deployments = service?.get("deployments")?.as_array()?;
    let status = |d: &Value| d.get("status").and_then(Value::as_str).map(str::to_owned);
    let ours = deployments
        .iter()
        .find(|d| d.get("id").and_then(Value::as_str) == Some(rollout.deployment.as_str()))?;
    if status(ours).as_deref() == Some("PRIMARY") {
        return None;
    }
    deployments
        .iter()
        .find(|d| status(d).as_deref() == Some("PRIMARY"))
        .and_then(|d| d.get("taskDefinition").and_then(Value::as_str))
        .map(str::to_owned)
}

/// Judges one DescribeServices entry for `rollout`.
pub fn judge(rollout: &Rollout, service: Option<&Value>) -> Progress {
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
    let (desired, running) = (number("desiredCount"), number("runningCount"));
    if text("rolloutState") == "COMPLETED" && deployments.len() == 1 && running == desired {
        return Progress::Completed;
    }
    Progress::InProgress {
        desired,
        running,
        pending: number("pendingCount"),
        failed: number("failedTasks"),
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

/// Polls until every rollout settles, fails or times out, and returns what did not complete
/// (with `stop_at_first`, returns at the first). A failed call ends the polling: it is the
/// last error returned.
pub async fn follow_all(
    ecs: &Ecs,
    rollouts: &[Rollout],
    options: WaitOptions,
    stop_at_first: bool,
    mut on_event: impl FnMut(WaitEvent),
) -> Vec<WaitError> {
    let started = tokio::time::Instant::now();
    let mut pending: Vec<Rollout> = rollouts.to_vec();
    let mut seen_events: BTreeSet<String> = BTreeSet::new();
    let mut first = true;
    let mut failures = Vec::new();
    while !pending.is_empty() {
        let mut still = Vec::new();
        let mut asked: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for rollout in &pending {
            asked
                .entry(rollout.cluster.clone())
                .or_default()
                .insert(rollout.service.clone());
        }
        let answers = match describe_service_answers(ecs, &asked, POLL_CONCURRENCY).await {
            Ok(answers) => answers,
            Err(error) => {
                failures.push(error.into());
                return failures;
            }
        };
        for rollout in &pending {
            let service = answers
                .iter()
                .filter(|(cluster, _)| cluster == &rollout.cluster)
                .filter_map(|(_, answer)| answer.get("services").and_then(Value::as_array))
                .flatten()
                .find(|s| {
                    s.get("serviceName").and_then(Value::as_str) == Some(rollout.service.as_str())
                });
            report_events(rollout, service, &mut seen_events, first, &mut on_event);
            let progress = judge(rollout, service);
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
                        rolled_back_by_ecs: rolled_back_by_ecs(rollout, service),
                    });
                    if stop_at_first {
                        return failures;
                    }
                }
                Progress::InProgress { .. } => still.push(rollout.clone()),
            }
        }
        first = false;
        pending = still;
        if pending.is_empty() {
            break;
        }
        if started.elapsed() + options.interval > options.timeout {
            failures.extend(pending.iter().map(|rollout| WaitError::TimedOut {
                service: rollout.service.clone(),
                deployment: rollout.deployment.clone(),
                timeout: options.timeout,
            }));
            return failures;
        }
        tokio::time::sleep(options.interval).await;
    }
    failures
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
