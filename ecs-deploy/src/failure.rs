//! Why it failed: the stopped tasks of a failed deployment or of a one-off task, with each
//! essential container's exit code and reason, and the last lines of its awslogs stream.
//!
//! When a deployment fails (rolled back by the circuit breaker, failed, or not settled in
//! time), [`apply`](crate::apply) emits [`Event::TasksStopped`](crate::Event::TasksStopped)
//! with a [`FailureReport`]; when a task run by [`Deployer::run_task`](crate::Deployer::run_task)
//! stops with a non-zero exit code (or without one), its [`TaskRun`](crate::run::TaskRun)
//! carries one.
//!
//! # Which tasks
//!
//! The tasks a service starts carry the id of the deployment that started them in `startedBy`
//! ("If an Amazon ECS service started the task, the startedBy parameter contains the deployment
//! ID of that service",
//! <https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_Task.html>). The report lists
//! the service's stopped tasks (ListTasks with `serviceName` and `desiredStatus` STOPPED,
//! <https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ListTasks.html>: stopped
//! tasks stay listed for at least an hour; `startedBy` cannot be the filter, as it "must be the
//! only filter"), described 100 at a time (DescribeTasks,
//! <https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_DescribeTasks.html>), keeps
//! those whose `startedBy` is the failed deployment's id, and shows the [`MAX_TASKS`] that
//! stopped last, newest first; [`FailureReport::more`] counts the others. At most
//! [`MAX_LISTED`] stopped tasks of the service are looked at (a crash loop stops many).
//!
//! # Which containers, which lines
//!
//! The essential containers of the task's own revision (DescribeTaskDefinition, once per
//! revision): their `exitCode` and `reason` (`CannotPullContainerError: ...`) as DescribeTasks
//! shows them. A container logging with the `awslogs` driver writes to the log group
//! `awslogs-group`, in the region `awslogs-region`, in the stream
//! `awslogs-stream-prefix/container-name/task-id`
//! (<https://docs.aws.amazon.com/AmazonECS/latest/developerguide/using_awslogs.html>; without a
//! prefix, which only the EC2 launch type allows, the stream is named after the Docker
//! container id, the container's `runtimeId`). The last [`WaitOptions::log_lines`] events of
//! that stream are read with CloudWatch Logs GetLogEvents (`startFromHead` false, `limit` N,
//! <https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_GetLogEvents.html>),
//! following `nextBackwardToken` while a page comes back short (AWS may answer a page "only
//! partially full, or even empty" before the end). A stream that does not exist
//! (`ResourceNotFoundException`: the container never started, or never wrote) is reported as
//! [`Logs::NoStream`], not as an error. Reading logs needs the `logs` cargo feature and a
//! CloudWatch Logs client; without them, [`Logs::NotRead`] says why.
//!
//! # Log lines are shown as the application wrote them
//!
//! The lines are the application's own output: they are not redacted (a secret the application
//! prints is shown, as the console would show it). Lines longer than [`LINE_LIMIT`] characters
//! are cut, and control characters (terminal escapes) are written as `\u{..}` escapes.
//!
//! [`WaitOptions::log_lines`]: crate::wait::WaitOptions::log_lines

use std::collections::BTreeMap;

use ecs_model::load::from_value;
use ecs_model::types::{ContainerDefinition, DescribeTasksResponse, Task, TaskDefinition};
use serde::Serialize;
use serde_json::{Value, json};

use crate::aws::{AwsError, Ecs, Operation};
use crate::wait::Rollout;

/// How many stopped tasks a report shows at most (the last ones to stop).
pub const MAX_TASKS: usize = 5;

/// How many stopped tasks of a service a report looks at, at most (ListTasks pages of 100).
pub const MAX_LISTED: usize = 300;

/// How many characters of a log line are shown; the rest is cut.
pub const LINE_LIMIT: usize = 400;

/// ListTasks and DescribeTasks take at most this many tasks per call.
const PER_CALL: usize = 100;

/// The stopped tasks of a failed deployment or run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct FailureReport {
    /// The tasks that stopped last, newest first (at most [`MAX_TASKS`]).
    pub tasks: Vec<StoppedTask>,
    /// How many more stopped tasks of the deployment there were.
    pub more: usize,
    /// Why the stopped tasks could not be read, when they could not (a call refused: the
    /// report is then empty).
    pub unreadable: Option<String>,
}

/// A stopped task.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct StoppedTask {
    /// Its ARN.
    pub task_arn: String,
    /// Its id (the last part of the ARN).
    pub task_id: String,
    /// Its task definition revision (`family:revision`).
    pub task_definition: String,
    /// What started it: a service's deployment id (`ecs-svc/...`), or the `startedBy` of
    /// RunTask.
    pub started_by: Option<String>,
    /// ECS's code for why it stopped (`TaskFailedToStart`, `EssentialContainerExited`,
    /// `ServiceSchedulerInitiated`...).
    pub stop_code: Option<String>,
    /// Why it stopped, as ECS says.
    pub stopped_reason: Option<String>,
    /// When it stopped, in milliseconds since the epoch.
    pub stopped_at: Option<i64>,
    /// Its essential containers.
    pub containers: Vec<StoppedContainer>,
}

/// An essential container of a stopped task.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct StoppedContainer {
    /// Its name.
    pub name: String,
    /// Its exit code, when it ran and exited.
    pub exit_code: Option<i32>,
    /// Why it stopped, when ECS says (`CannotPullContainerError: ...`).
    pub reason: Option<String>,
    /// The last lines of its log stream, or why there are none.
    pub logs: Logs,
}

/// The last lines of a container's log stream, or why there are none.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Logs {
    /// The last lines of its awslogs stream, oldest first.
    Lines {
        /// The log group.
        group: String,
        /// The log stream.
        stream: String,
        /// The lines.
        lines: Vec<LogLine>,
    },
    /// The awslogs stream does not exist (the container never started, or never wrote).
    NoStream {
        /// The log group.
        group: String,
        /// The log stream looked for.
        stream: String,
    },
    /// The container does not log with the `awslogs` driver (its driver, when it has one).
    NotAwslogs {
        /// Its log driver.
        driver: Option<String>,
    },
    /// The container logs with `awslogs` without `awslogs-group`, or without a stream prefix
    /// and without a container id to name the stream after.
    UnknownStream {
        /// What is missing.
        missing: String,
    },
    /// The lines were not read.
    NotRead(NotRead),
    /// Reading the stream failed.
    Failed {
        /// The log group.
        group: String,
        /// The log stream.
        stream: String,
        /// The error.
        error: String,
    },
}

/// Why the log lines were not read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum NotRead {
    /// No lines were asked for ([`WaitOptions::log_lines`](crate::wait::WaitOptions::log_lines)
    /// is 0).
    Off,
    /// This build has no CloudWatch Logs client (the `logs` cargo feature is off).
    NoFeature,
    /// The deployer has no CloudWatch Logs client.
    NoClient,
}

impl std::fmt::Display for NotRead {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Off => "log lines not asked for",
            Self::NoFeature => {
                "log lines not read: ecs-deploy was built without the `logs` feature (CloudWatch \
                 Logs)"
            }
            Self::NoClient => "log lines not read: no CloudWatch Logs client",
        })
    }
}

/// A line of a log stream.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct LogLine {
    /// When it was written, in milliseconds since the epoch.
    pub timestamp: Option<i64>,
    /// The line, cut after [`LINE_LIMIT`] characters, control characters escaped.
    pub message: String,
    /// How many characters were cut.
    pub cut: usize,
}

impl LogLine {
    /// A line of `message`, shown as the module documentation says: cut after
    /// [`LINE_LIMIT`] characters, trailing line breaks removed, control characters (but tabs)
    /// written as `\u{..}`.
    pub fn new(timestamp: Option<i64>, message: &str) -> Self {
        let message = message.trim_end_matches(['\n', '\r']);
        let total = message.chars().count();
        let mut shown = String::new();
        for c in message.chars().take(LINE_LIMIT) {
            if c.is_control() && c != '\t' {
                shown.push_str(&c.escape_unicode().to_string());
            } else {
                shown.push(c);
            }
        }
        Self {
            timestamp,
            message: shown,
            cut: total.saturating_sub(LINE_LIMIT),
        }
    }
}

/// Where a container's awslogs stream is, as its task definition's `logConfiguration` says.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct AwsLogs {
    /// `awslogs-group`.
    pub group: Option<String>,
    /// `awslogs-region` (the task's region when absent).
    pub region: Option<String>,
    /// `awslogs-stream-prefix`.
    pub stream_prefix: Option<String>,
}

impl AwsLogs {
    /// The awslogs settings of `container`; `Err` with its log driver when it does not log
    /// with `awslogs`.
    pub fn of(container: &ContainerDefinition) -> Result<Self, Option<String>> {
        let Some(config) = &container.log_configuration else {
            return Err(None);
        };
        let driver = config.log_driver.as_ref().map(|d| d.as_str().to_owned());
        if driver.as_deref() != Some("awslogs") {
            return Err(driver);
        }
        let option = |key: &str| {
            config
                .options
                .as_ref()
                .and_then(|o| o.get(key))
                .filter(|v| !v.is_empty())
                .cloned()
        };
        Ok(Self {
            group: option("awslogs-group"),
            region: option("awslogs-region"),
            stream_prefix: option("awslogs-stream-prefix"),
        })
    }

    /// The stream the container `container` of the task `task_id` writes to:
    /// `prefix/container/task-id`, or without a prefix the Docker container id `runtime_id`
    /// (see the module documentation); `None` when neither is known.
    ///
    /// ```
    /// use ecs_deploy::failure::AwsLogs;
    /// use ecs_deploy::ecs_model::{load::from_value, types::ContainerDefinition};
    /// let container = from_value::<ContainerDefinition>(&serde_json::json!({
    ///     "name": "app",
    ///     "logConfiguration": {"logDriver": "awslogs", "options": {
    ///         "awslogs-group": "/ecs/shop", "awslogs-stream-prefix": "web"}}
    /// })).value.expect("a container definition");
    /// let logs = AwsLogs::of(&container).expect("awslogs");
    /// assert_eq!(
    ///     logs.stream("app", "0f3c9a", None).as_deref(),
    ///     Some("web/app/0f3c9a")
    /// );
    /// ```
    pub fn stream(
        &self,
        container: &str,
        task_id: &str,
        runtime_id: Option<&str>,
    ) -> Option<String> {
        match &self.stream_prefix {
            Some(prefix) => Some(format!("{prefix}/{container}/{task_id}")),
            None => runtime_id.filter(|id| !id.is_empty()).map(str::to_owned),
        }
    }
}

/// The id of a task: the last part of its ARN (`arn:aws:ecs:REGION:ACCOUNT:task/CLUSTER/ID`,
/// or the older `...:task/ID`).
pub fn task_id(task_arn: &str) -> &str {
    task_arn.rsplit('/').next().unwrap_or(task_arn)
}

/// When `task` stopped (or failing that, was created), in milliseconds since the epoch.
fn stopped_at(task: &Task) -> Option<i64> {
    task.stopped_at
        .as_ref()
        .or(task.created_at.as_ref())
        .and_then(|t| t.epoch_seconds())
        .map(|s| (s * 1000.0).round() as i64)
}

/// The tasks of `tasks` that the deployment `deployment` started (their `startedBy`), the
/// [`MAX_TASKS`] that stopped last first; and how many more there were.
pub fn of_deployment(tasks: Vec<Task>, deployment: &str) -> (Vec<Task>, usize) {
    let mut ours: Vec<Task> = tasks
        .into_iter()
        .filter(|t| t.started_by.as_deref() == Some(deployment))
        .collect();
    // Newest first; the ARN breaks ties, so the order does not depend on AWS's.
    ours.sort_by(|a, b| {
        stopped_at(b)
            .cmp(&stopped_at(a))
            .then_with(|| a.task_arn.cmp(&b.task_arn))
    });
    let more = ours.len().saturating_sub(MAX_TASKS);
    ours.truncate(MAX_TASKS);
    (ours, more)
}

/// The stopped tasks of `rollout`'s service (see the module documentation), described.
async fn stopped_tasks(ecs: &Ecs, rollout: &Rollout) -> Result<Vec<Task>, AwsError> {
    let mut arns: Vec<String> = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let mut input = json!({
            "cluster": rollout.cluster,
            "serviceName": rollout.service,
            "desiredStatus": "STOPPED",
            "maxResults": PER_CALL,
        });
        if let Some(token) = &token {
            input["nextToken"] = json!(token);
        }
        let answer = ecs.call(Operation::ListTasks, &input).await?;
        arns.extend(
            answer
                .get("taskArns")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .map(str::to_owned),
        );
        token = answer
            .get("nextToken")
            .and_then(Value::as_str)
            .filter(|t| !t.is_empty())
            .map(str::to_owned);
        if token.is_none() || arns.len() >= MAX_LISTED {
            break;
        }
    }
    arns.truncate(MAX_LISTED);
    describe_tasks(ecs, &rollout.cluster, &arns).await
}

/// DescribeTasks of `arns` in `cluster`, 100 at a time.
async fn describe_tasks(ecs: &Ecs, cluster: &str, arns: &[String]) -> Result<Vec<Task>, AwsError> {
    let mut tasks = Vec::new();
    for chunk in arns.chunks(PER_CALL) {
        let answer = ecs
            .call(
                Operation::DescribeTasks,
                &json!({"cluster": cluster, "tasks": chunk}),
            )
            .await?;
        let answer: DescribeTasksResponse = from_value(&answer).value.unwrap_or_default();
        tasks.extend(answer.tasks.into_iter().flatten());
    }
    Ok(tasks)
}

/// The container definitions of each task definition of `tasks` (DescribeTaskDefinition, once
/// per revision); a revision that cannot be read has none.
async fn definitions(ecs: &Ecs, tasks: &[Task]) -> BTreeMap<String, Vec<ContainerDefinition>> {
    let mut out = BTreeMap::new();
    for arn in tasks.iter().filter_map(|t| t.task_definition_arn.clone()) {
        if out.contains_key(&arn) {
            continue;
        }
        let containers = match ecs
            .call(
                Operation::DescribeTaskDefinition,
                &json!({"taskDefinition": arn}),
            )
            .await
        {
            Ok(answer) => answer
                .get("taskDefinition")
                .and_then(|td| from_value::<TaskDefinition>(td).value)
                .and_then(|td| td.container_definitions)
                .unwrap_or_default(),
            Err(_) => Vec::new(),
        };
        out.insert(arn, containers);
    }
    out
}

/// Reads the report of the failed `rollout`: its service's stopped tasks that its deployment
/// started, with the last `reader` lines of their essential containers' logs.
pub async fn deployment_report(ecs: &Ecs, reader: &LogReader, rollout: &Rollout) -> FailureReport {
    let tasks = match stopped_tasks(ecs, rollout).await {
        Ok(tasks) => tasks,
        Err(error) => return FailureReport::unreadable(&error),
    };
    let (tasks, more) = of_deployment(tasks, &rollout.deployment);
    let definitions = definitions(ecs, &tasks).await;
    let mut report = FailureReport {
        tasks: Vec::new(),
        more,
        unreadable: None,
    };
    for task in &tasks {
        let containers = task
            .task_definition_arn
            .as_ref()
            .and_then(|arn| definitions.get(arn))
            .map_or(&[][..], Vec::as_slice);
        report
            .tasks
            .push(stopped_task(task, containers, reader).await);
    }
    report
}

/// The report of one stopped task, whose task definition has `containers`.
pub async fn task_report(
    task: &Task,
    containers: &[ContainerDefinition],
    reader: &LogReader,
) -> FailureReport {
    FailureReport {
        tasks: vec![stopped_task(task, containers, reader).await],
        more: 0,
        unreadable: None,
    }
}

impl FailureReport {
    fn unreadable(error: &AwsError) -> Self {
        Self {
            tasks: Vec::new(),
            more: 0,
            unreadable: Some(error.to_string()),
        }
    }
}

/// `task` as the report shows it: its essential containers (of `containers`, the definitions
/// of its revision; every container of the task when they are unknown) and their logs.
async fn stopped_task(
    task: &Task,
    containers: &[ContainerDefinition],
    reader: &LogReader,
) -> StoppedTask {
    let task_arn = task.task_arn.clone().unwrap_or_default();
    let id = task_id(&task_arn).to_owned();
    let mut shown = Vec::new();
    for container in task.containers.iter().flatten() {
        let name = container.name.clone().unwrap_or_default();
        let definition = containers
            .iter()
            .find(|c| c.name.as_deref() == Some(name.as_str()));
        if definition.is_some_and(|d| d.essential == Some(false)) {
            continue;
        }
        let logs = match definition.map(AwsLogs::of) {
            None => Logs::UnknownStream {
                missing: "the container's definition".to_owned(),
            },
            Some(Err(driver)) => Logs::NotAwslogs { driver },
            Some(Ok(awslogs)) => {
                reader
                    .last_lines(&awslogs, &name, &id, container.runtime_id.as_deref())
                    .await
            }
        };
        shown.push(StoppedContainer {
            name,
            exit_code: container.exit_code,
            reason: container.reason.clone().filter(|r| !r.is_empty()),
            logs,
        });
    }
    StoppedTask {
        task_definition: task
            .task_definition_arn
            .as_deref()
            .map(crate::state::family_revision)
            .unwrap_or_default()
            .to_owned(),
        task_id: id,
        task_arn,
        started_by: task.started_by.clone().filter(|s| !s.is_empty()),
        stop_code: task.stop_code.as_ref().map(|c| c.as_str().to_owned()),
        stopped_reason: task.stopped_reason.clone().filter(|r| !r.is_empty()),
        stopped_at: stopped_at(task),
        containers: shown,
    }
}

/// Reads the last lines of containers' awslogs streams: how many, and through which CloudWatch
/// Logs client.
#[derive(Debug, Clone)]
pub struct LogReader {
    #[cfg_attr(not(feature = "logs"), allow(dead_code))]
    lines: usize,
    source: Source,
}

#[derive(Debug, Clone)]
enum Source {
    None(NotRead),
    #[cfg(feature = "logs")]
    Client(crate::aws::logs::Logs),
}

/// At most this many GetLogEvents pages are read for one stream.
#[cfg(feature = "logs")]
const MAX_PAGES: usize = 5;

impl LogReader {
    /// A reader that reads nothing, and says why.
    pub fn none(why: NotRead) -> Self {
        Self {
            lines: 0,
            source: Source::None(why),
        }
    }

    /// A reader of the last `lines` lines through the CloudWatch Logs client of `clients`
    /// (none when `lines` is 0, or there is no client, or the `logs` feature is off: the
    /// report then says why).
    pub fn from_clients(clients: &crate::aws::Clients, lines: usize) -> Self {
        if lines == 0 {
            return Self::none(NotRead::Off);
        }
        #[cfg(feature = "logs")]
        {
            match &clients.logs {
                Some(logs) => Self {
                    lines,
                    source: Source::Client(logs.clone()),
                },
                None => Self::none(NotRead::NoClient),
            }
        }
        #[cfg(not(feature = "logs"))]
        {
            let _ = clients;
            Self::none(NotRead::NoFeature)
        }
    }

    /// The last lines of the stream of the container `container` of the task `task_id`.
    #[cfg_attr(not(feature = "logs"), allow(unused_variables))]
    async fn last_lines(
        &self,
        awslogs: &AwsLogs,
        container: &str,
        task_id: &str,
        runtime_id: Option<&str>,
    ) -> Logs {
        match &self.source {
            Source::None(why) => Logs::NotRead(*why),
            #[cfg(feature = "logs")]
            Source::Client(logs) => {
                let Some(group) = awslogs.group.clone() else {
                    return Logs::UnknownStream {
                        missing: "awslogs-group".to_owned(),
                    };
                };
                let Some(stream) = awslogs.stream(container, task_id, runtime_id) else {
                    return Logs::UnknownStream {
                        missing: "awslogs-stream-prefix".to_owned(),
                    };
                };
                let logs = in_region(logs, awslogs.region.as_deref());
                match read_last(&logs, &group, &stream, self.lines).await {
                    Ok(lines) => Logs::Lines {
                        group,
                        stream,
                        lines,
                    },
                    Err(error) if error.is_not_found() => Logs::NoStream { group, stream },
                    Err(error) => Logs::Failed {
                        group,
                        stream,
                        error: error.to_string(),
                    },
                }
            }
        }
    }
}

/// `logs`, or a client like it in `region` when the container logs to another region than the
/// client's (`awslogs-region`).
#[cfg(feature = "logs")]
fn in_region(logs: &crate::aws::logs::Logs, region: Option<&str>) -> crate::aws::logs::Logs {
    let sdk = logs.sdk();
    match region {
        Some(region) if sdk.config().region().map(|r| r.as_ref()) != Some(region) => {
            let config = sdk
                .config()
                .to_builder()
                .region(aws_types::region::Region::new(region.to_owned()))
                .build();
            crate::aws::logs::Logs::from_client(aws_sdk_cloudwatchlogs::Client::from_conf(config))
                .retries(logs.retries_of())
        }
        _ => logs.clone(),
    }
}

/// The last `lines` events of `stream` in `group`, oldest first: GetLogEvents with
/// `startFromHead` false and `limit`, then with each `nextBackwardToken` while the events are
/// fewer than asked and the token moves (AWS may answer a short or empty page before the end:
/// "As long as the nextBackwardToken or nextForwardToken returned is NOT equal to the nextToken
/// that you passed into the API call, there might be more log events available",
/// <https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_GetLogEvents.html>);
/// at most [`MAX_PAGES`] pages.
#[cfg(feature = "logs")]
async fn read_last(
    logs: &crate::aws::logs::Logs,
    group: &str,
    stream: &str,
    lines: usize,
) -> Result<Vec<LogLine>, AwsError> {
    let mut events: Vec<(i64, String)> = Vec::new();
    let mut token: Option<String> = None;
    for _ in 0..MAX_PAGES {
        let wanted = lines.saturating_sub(events.len()).clamp(1, 10_000);
        let mut input = json!({
            "logGroupName": group,
            "logStreamName": stream,
            "startFromHead": false,
            "limit": wanted,
        });
        if let Some(token) = &token {
            input["nextToken"] = json!(token);
        }
        let answer = logs.call(Operation::GetLogEvents, &input).await?;
        let page: Vec<(i64, String)> = answer
            .get("events")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .map(|e| {
                (
                    e.get("timestamp")
                        .and_then(Value::as_i64)
                        .unwrap_or_default(),
                    e.get("message")
                        .and_then(Value::as_str)
                        .unwrap_or_default()
                        .to_owned(),
                )
            })
            .collect();
        // An earlier page holds earlier events.
        events.splice(0..0, page);
        let next = answer
            .get("nextBackwardToken")
            .and_then(Value::as_str)
            .map(str::to_owned);
        if events.len() >= lines || next.is_none() || next == token {
            break;
        }
        token = next;
    }
    events.sort_by_key(|(timestamp, _)| *timestamp);
    let skip = events.len().saturating_sub(lines);
    Ok(events
        .into_iter()
        .skip(skip)
        .map(|(timestamp, message)| LogLine::new(Some(timestamp), &message))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn task(value: Value) -> Task {
        from_value::<Task>(&value).value.expect("a task")
    }

    #[test]
    fn a_deployment_keeps_its_own_tasks_newest_first() {
        let tasks: Vec<Task> = (0..8)
            .map(|n| {
                let started_by = if n % 4 == 3 {
                    "ecs-svc/old"
                } else {
                    "ecs-svc/ours"
                };
                task(json!({
                    "taskArn": format!("arn:aws:ecs:us-east-1:1:task/shop/t{n}"),
                    "startedBy": started_by,
                    "stoppedAt": 1_800_000_000.0 + f64::from(n),
                }))
            })
            .collect();
        let (kept, more) = of_deployment(tasks, "ecs-svc/ours");
        let ids: Vec<&str> = kept
            .iter()
            .map(|t| task_id(t.task_arn.as_deref().unwrap_or_default()))
            .collect();
        // Six are ours (t3 and t7 are the old deployment's): the five last to stop, then one more.
        assert_eq!(ids, ["t6", "t5", "t4", "t2", "t1"]);
        assert_eq!(more, 1);
        let (none, more) = of_deployment(vec![task(json!({"taskArn": "a"}))], "ecs-svc/ours");
        assert!(none.is_empty() && more == 0);
    }

    fn container(logging: Value) -> ContainerDefinition {
        from_value::<ContainerDefinition>(&json!({"name": "app", "logConfiguration": logging}))
            .value
            .expect("a container")
    }

    #[test]
    fn the_stream_is_prefix_container_task_id() {
        let with_prefix = container(json!({"logDriver": "awslogs", "options": {
            "awslogs-group": "/ecs/shop", "awslogs-region": "eu-west-1",
            "awslogs-stream-prefix": "shop"}}));
        let logs = AwsLogs::of(&with_prefix).expect("awslogs");
        assert_eq!(logs.group.as_deref(), Some("/ecs/shop"));
        assert_eq!(logs.region.as_deref(), Some("eu-west-1"));
        let id = task_id("arn:aws:ecs:eu-west-1:1:task/shop/5a7e0c1d2b3f4e5a");
        assert_eq!(id, "5a7e0c1d2b3f4e5a");
        assert_eq!(
            logs.stream("app", id, Some("d0c4e3")).as_deref(),
            Some("shop/app/5a7e0c1d2b3f4e5a")
        );
        // Without a prefix (EC2 only), the stream is the Docker container id.
        let without = container(json!({"logDriver": "awslogs", "options": {"awslogs-group": "g"}}));
        let logs = AwsLogs::of(&without).expect("awslogs");
        assert_eq!(
            logs.stream("app", id, Some("d0c4e3")).as_deref(),
            Some("d0c4e3")
        );
        assert_eq!(logs.stream("app", id, None), None);
        // Another driver, or none.
        let splunk = container(json!({"logDriver": "splunk"}));
        assert_eq!(AwsLogs::of(&splunk), Err(Some("splunk".to_owned())));
        let plain = from_value::<ContainerDefinition>(&json!({"name": "app"}))
            .value
            .expect("a container");
        assert_eq!(AwsLogs::of(&plain), Err(None));
    }

    #[test]
    fn long_lines_are_cut_and_control_characters_escaped() {
        let line = LogLine::new(Some(1), &format!("{}\n", "x".repeat(LINE_LIMIT + 7)));
        assert_eq!(line.message.chars().count(), LINE_LIMIT);
        assert_eq!(line.cut, 7);
        let escaped = LogLine::new(None, "\u{1b}[31mred\u{1b}[0m\tok");
        assert_eq!(escaped.message, "\\u{1b}[31mred\\u{1b}[0m\tok");
        assert_eq!(escaped.cut, 0);
    }
}
