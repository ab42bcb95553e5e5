//! The stopped tasks of a failed deployment, and the log lines of tasks, as AWS shows them:
//! moto 5.2.5 runs no service tasks (ListTasks with `serviceName` ignores the filter and lists
//! every task of the cluster; DescribeTasks knows only RunTask's tasks), and its GetLogEvents
//! always answers full pages.
//!
//! - [`Scripted::stop_tasks_of_failed_deployment`]: when the next scripted deployment of a
//!   service fails or is rolled back (`Outcome::Fail`, `Outcome::RollBack` reached), the tasks
//!   given have stopped. Each is a Task as DescribeTasks shows it
//!   (<https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_Task.html>): `startedBy`
//!   the failed deployment's id ("If an Amazon ECS service started the task, the startedBy
//!   parameter contains the deployment ID of that service"), `group` `service:NAME`, the
//!   deployment's task definition, `lastStatus` and `desiredStatus` STOPPED, `stopCode`,
//!   `stoppedReason`, `stoppedAt` one second apart (the first given stopped last), and its
//!   containers (<https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_Container.html>)
//!   STOPPED with `exitCode` and `reason` as given. With them, the service's earlier
//!   deployment has `old` tasks stopped by the scheduler (`ServiceSchedulerInitiated`,
//!   `startedBy` its own id), as a rolling update stops them: a report must not take them for
//!   the failed deployment's.
//! - ListTasks with `serviceName` (and `desiredStatus` STOPPED) is answered here: the played
//!   tasks of that service in that cluster and account, stopped tasks only for STOPPED (the
//!   default filter is RUNNING: none), in pages of [`Scripted::list_tasks_page`] (AWS "returns
//!   up to 100 results and a nextToken value if applicable"; fewer than `maxResults` may come
//!   back, <https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ListTasks.html>).
//! - DescribeTasks answers the played tasks itself, and asks moto for the others.
//! - [`Scripted::container_logs`]: a task RunTask started whose family [`Scripted::task_exit`]
//!   scripts, with a container of that name, writes the lines to its awslogs stream
//!   (`PREFIX/CONTAINER/TASK-ID` in the group given,
//!   <https://docs.aws.amazon.com/AmazonECS/latest/developerguide/using_awslogs.html>) in moto's
//!   CloudWatch Logs before it stops (at its first DescribeTasks), as the awslogs driver does.
//! - [`Scripted::short_log_pages`]: the first GetLogEvents of a stream without `nextToken`
//!   answers only the newest event of moto's page, with a `nextBackwardToken` to the events
//!   before it: AWS may answer a page "only partially full, or even empty", and a reader must
//!   follow the token while it moves
//!   (<https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_GetLogEvents.html>).
//!   moto's tokens are `b/` and the index of an event in 56 digits; the layer writes its token
//!   the same way.

use std::collections::{HashMap, HashSet};

use serde_json::{Value, json};

use super::{Answer, Scripted, State, call_upstream, last_segment, request_head};

/// moto's account when a request names none.
const DEFAULT_ACCOUNT: &str = "123456789012";

/// A task of a failed deployment, as the test wants it stopped.
#[derive(Debug, Clone)]
pub struct PlayedTask {
    /// Its id (the last part of its ARN): a test can write its log stream beforehand.
    pub id: String,
    /// `stopCode`.
    pub stop_code: &'static str,
    /// `stoppedReason`.
    pub stopped_reason: String,
    /// Its containers: name, `exitCode`, `reason`.
    pub containers: Vec<(String, Option<i32>, Option<String>)>,
}

/// What a failed deployment's tasks do.
#[derive(Debug, Clone)]
struct Play {
    tasks: Vec<PlayedTask>,
    old: usize,
}

/// A played task: its account, cluster name, service name, and the task as DescribeTasks shows
/// it.
#[derive(Debug, Clone)]
struct Shown {
    account: String,
    cluster: String,
    service: String,
    task: Value,
}

/// Log lines a container of scripted run tasks writes: its group, stream prefix and lines.
#[derive(Debug, Clone)]
struct ContainerLogs {
    group: String,
    prefix: String,
    lines: Vec<String>,
}

/// The layer's state for stopped tasks and log pages.
#[derive(Debug, Default)]
pub(super) struct Stopped {
    scripts: HashMap<String, Play>,
    tasks: Vec<Shown>,
    page: Option<usize>,
    container_logs: HashMap<String, ContainerLogs>,
    /// Run tasks whose log lines were written.
    logged: HashSet<String>,
    short_pages: bool,
    /// Streams (group, stream) whose first page was answered short.
    shortened: HashSet<(String, String)>,
    /// Every ListTasks request answered here.
    list_requests: Vec<Value>,
}

impl Scripted {
    /// When the next scripted deployment of `service` fails or is rolled back, `tasks` (and
    /// `old` tasks of the deployment before it) have stopped: see the module documentation.
    pub fn stop_tasks_of_failed_deployment(
        &self,
        service: &str,
        tasks: Vec<PlayedTask>,
        old: usize,
    ) {
        self.lock()
            .stopped
            .scripts
            .insert(service.to_owned(), Play { tasks, old });
    }

    /// ListTasks answers the played tasks `n` per page at most.
    pub fn list_tasks_page(&self, n: usize) {
        self.lock().stopped.page = Some(n.max(1));
    }

    /// Scripted run tasks with a container `container` write `lines` to
    /// `group`/`prefix/container/task-id` before they stop.
    pub fn container_logs(&self, container: &str, group: &str, prefix: &str, lines: &[&str]) {
        self.lock().stopped.container_logs.insert(
            container.to_owned(),
            ContainerLogs {
                group: group.to_owned(),
                prefix: prefix.to_owned(),
                lines: lines.iter().map(|&l| l.to_owned()).collect(),
            },
        );
    }

    /// The first GetLogEvents of each stream answers a short page: see the module
    /// documentation.
    pub fn short_log_pages(&self) {
        self.lock().stopped.short_pages = true;
    }

    /// The streams whose first page was answered short.
    pub fn shortened_streams(&self) -> usize {
        self.lock().stopped.shortened.len()
    }

    /// Every ListTasks request answered by the layer, in order.
    pub fn list_tasks_requests(&self) -> Vec<Value> {
        self.lock().stopped.list_requests.clone()
    }
}

/// After a DescribeServices answer showed the scripted deployment `id` of `service` failed:
/// its played tasks stop (once).
pub(super) fn deployment_failed(
    stopped: &mut Stopped,
    service: &Value,
    id: &str,
    previous_id: &str,
) {
    let Some(name) = service["serviceName"].as_str() else {
        return;
    };
    let Some(play) = stopped.scripts.remove(name) else {
        return;
    };
    let cluster_arn = service["clusterArn"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    // arn:aws:ecs:REGION:ACCOUNT:cluster/NAME
    let parts: Vec<&str> = cluster_arn.split(':').collect();
    let (region, account) = (
        parts.get(3).copied().unwrap_or("us-east-1"),
        parts.get(4).copied().unwrap_or(DEFAULT_ACCOUNT),
    );
    let cluster = last_segment(&cluster_arn).to_owned();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64());
    // The failed deployment's revision (the service may already show the one ECS went back to).
    let task_definition = service["deployments"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|d| d["id"] == json!(id))
        .and_then(|d| d["taskDefinition"].as_str())
        .or(service["taskDefinition"].as_str())
        .unwrap_or_default();
    let previous = service["deployments"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|d| d["id"] != json!(id))
        .and_then(|d| d["taskDefinition"].as_str())
        .unwrap_or(task_definition)
        .to_owned();
    let task = |id_: &str,
                started_by: &str,
                td: &str,
                at: f64,
                code: &str,
                reason: &str,
                containers: Value| {
        let arn = format!("arn:aws:ecs:{region}:{account}:task/{cluster}/{id_}");
        let containers: Vec<Value> = containers
            .as_array()
            .into_iter()
            .flatten()
            .map(|c| {
                let mut c = c.clone();
                c["taskArn"] = json!(arn);
                c["containerArn"] = json!(format!(
                    "arn:aws:ecs:{region}:{account}:container/{cluster}/{id_}/{}",
                    c["name"].as_str().unwrap_or_default()
                ));
                c["lastStatus"] = json!("STOPPED");
                c
            })
            .collect();
        json!({
            "taskArn": arn, "clusterArn": cluster_arn, "taskDefinitionArn": td,
            "startedBy": started_by, "group": format!("service:{name}"),
            "lastStatus": "STOPPED", "desiredStatus": "STOPPED", "launchType": "EC2",
            "stopCode": code, "stoppedReason": reason,
            "createdAt": at - 30.0, "stoppingAt": at - 1.0, "executionStoppedAt": at,
            "stoppedAt": at, "containers": containers
        })
    };
    for (n, played) in play.tasks.iter().enumerate() {
        let containers: Vec<Value> = played
            .containers
            .iter()
            .map(|(name, exit, reason)| {
                let mut c = json!({"name": name});
                if let Some(exit) = exit {
                    c["exitCode"] = json!(exit);
                }
                if let Some(reason) = reason {
                    c["reason"] = json!(reason);
                }
                c
            })
            .collect();
        let at = now - n as f64;
        let shown = task(
            &played.id,
            id,
            task_definition,
            at,
            played.stop_code,
            &played.stopped_reason,
            Value::Array(containers),
        );
        stopped.tasks.push(Shown {
            account: account.to_owned(),
            cluster: cluster.clone(),
            service: name.to_owned(),
            task: shown,
        });
    }
    for n in 0..play.old {
        // Scaled in by the rolling update a moment before: newer than any of the failed ones.
        let at = now + 1.0 + n as f64;
        let shown = task(
            &format!("0ld{n:029}"),
            previous_id,
            &previous,
            at,
            "ServiceSchedulerInitiated",
            "Scaling activity initiated by (deployment ecs-svc/old)",
            json!([{"name": "web", "exitCode": 0}]),
        );
        stopped.tasks.push(Shown {
            account: account.to_owned(),
            cluster: cluster.clone(),
            service: name.to_owned(),
            task: shown,
        });
    }
}

/// Answers a call the layer plays without moto (ListTasks of a service, DescribeTasks of
/// played tasks), or writes what must be in moto before it answers (run tasks' log lines);
/// `None` to forward the call.
pub(super) fn before_forward(
    state: &std::sync::Mutex<State>,
    upstream: &str,
    head: &str,
    (operation, account): (&str, &str),
    request: &Value,
) -> std::io::Result<Option<Answer>> {
    let account = if account.is_empty() {
        DEFAULT_ACCOUNT
    } else {
        account
    };
    let cluster = request["cluster"]
        .as_str()
        .map_or("default", last_segment)
        .to_owned();
    match operation {
        "ListTasks" if request["serviceName"].is_string() => {
            let mut locked = state.lock().unwrap_or_else(|e| e.into_inner());
            let stopped = &mut locked.stopped;
            stopped.list_requests.push(request.clone());
            let service = last_segment(request["serviceName"].as_str().unwrap_or_default());
            let wanted = request["desiredStatus"].as_str().unwrap_or("RUNNING");
            let arns: Vec<&str> = stopped
                .tasks
                .iter()
                .filter(|s| s.account == account && s.cluster == cluster && s.service == service)
                .filter(|s| s.task["desiredStatus"] == json!(wanted))
                .filter_map(|s| s.task["taskArn"].as_str())
                .collect();
            let asked = request["maxResults"]
                .as_u64()
                .and_then(|n| usize::try_from(n).ok())
                .unwrap_or(100);
            let size = stopped.page.unwrap_or(asked).min(asked).max(1);
            let start: usize = request["nextToken"]
                .as_str()
                .and_then(|t| t.strip_prefix("played-"))
                .and_then(|n| n.parse().ok())
                .unwrap_or(0);
            let page: Vec<&str> = arns.iter().skip(start).take(size).copied().collect();
            let mut body = json!({"taskArns": page});
            if start + size < arns.len() {
                body["nextToken"] = json!(format!("played-{}", start + size));
            }
            Ok(Some(ok(&body)))
        }
        "DescribeTasks" => {
            let asked: Vec<String> = request["tasks"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect();
            let (played, logs): (Vec<Value>, Vec<(String, String, String)>) = {
                let mut locked = state.lock().unwrap_or_else(|e| e.into_inner());
                let played = asked
                    .iter()
                    .filter_map(|arn| {
                        locked
                            .stopped
                            .tasks
                            .iter()
                            .find(|s| s.account == account && s.task["taskArn"] == json!(arn))
                            .map(|s| s.task.clone())
                    })
                    .collect();
                let logs = run_logs(&mut locked, &asked);
                (played, logs)
            };
            for (group, stream, lines) in logs {
                write_logs(upstream, head, &group, &stream, &lines)?;
            }
            if played.is_empty() {
                return Ok(None);
            }
            let others: Vec<&String> = asked
                .iter()
                .filter(|arn| !played.iter().any(|t| t["taskArn"] == json!(arn)))
                .collect();
            let mut tasks = played;
            let mut failures = Vec::new();
            if !others.is_empty() {
                let mut input = request.clone();
                input["tasks"] = json!(others);
                let answer = call_upstream(upstream, head, "DescribeTasks", &input)?;
                let moto: Value = serde_json::from_slice(&answer.body).unwrap_or(Value::Null);
                tasks.extend(moto["tasks"].as_array().cloned().unwrap_or_default());
                failures.extend(moto["failures"].as_array().cloned().unwrap_or_default());
            }
            Ok(Some(ok(&json!({"tasks": tasks, "failures": failures}))))
        }
        _ => Ok(None),
    }
}

/// The log lines the scripted run tasks of `asked` write before they stop, once each: (group,
/// stream, lines as JSON events).
fn run_logs(state: &mut State, asked: &[String]) -> Vec<(String, String, String)> {
    let mut out = Vec::new();
    for arn in asked {
        let Some(task) = state.tasks.get(arn) else {
            continue;
        };
        if !state.stopped.logged.insert(arn.clone()) {
            continue;
        }
        for (name, _) in &task.containers {
            if let Some(logs) = state.stopped.container_logs.get(name) {
                let now = std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map_or(0, |d| d.as_millis() as i64);
                let events: Vec<Value> = logs
                    .lines
                    .iter()
                    .enumerate()
                    .map(|(n, line)| json!({"timestamp": now - 1000 + n as i64, "message": line}))
                    .collect();
                let stream = format!("{}/{name}/{}", logs.prefix, last_segment(arn));
                out.push((logs.group.clone(), stream, Value::Array(events).to_string()));
            }
        }
    }
    out
}

/// Writes `events` (a JSON array) to `group`/`stream` in moto's CloudWatch Logs, creating
/// them (an existing group is kept).
fn write_logs(
    upstream: &str,
    head: &str,
    group: &str,
    stream: &str,
    events: &str,
) -> std::io::Result<()> {
    let logs = |operation: &str, input: Value| {
        request_head::call_as(
            upstream,
            head,
            &format!("Logs_20140328.{operation}"),
            Some("logs"),
            &input,
        )
    };
    logs("CreateLogGroup", json!({"logGroupName": group}))?;
    logs(
        "CreateLogStream",
        json!({"logGroupName": group, "logStreamName": stream}),
    )?;
    let events: Value = serde_json::from_str(events).unwrap_or(Value::Null);
    logs(
        "PutLogEvents",
        json!({"logGroupName": group, "logStreamName": stream, "logEvents": events}),
    )?;
    Ok(())
}

/// A GetLogEvents answer of moto made short when [`Scripted::short_log_pages`] is on: see the
/// module documentation.
pub(super) fn short_page(stopped: &mut Stopped, request: &Value, answer: &mut Value) {
    if !stopped.short_pages || request.get("nextToken").is_some() {
        return;
    }
    let key = (
        request["logGroupName"]
            .as_str()
            .unwrap_or_default()
            .to_owned(),
        request["logStreamName"]
            .as_str()
            .unwrap_or_default()
            .to_owned(),
    );
    let Some(events) = answer["events"].as_array_mut() else {
        return;
    };
    if events.len() < 2 || !stopped.shortened.insert(key) {
        return;
    }
    let dropped = events.len() - 1;
    events.drain(..dropped);
    // moto's token names the index of the first event of its page; the page now starts
    // `dropped` events later.
    let index = answer["nextBackwardToken"]
        .as_str()
        .and_then(|t| t.strip_prefix("b/"))
        .and_then(|n| n.parse::<usize>().ok());
    if let Some(index) = index {
        answer["nextBackwardToken"] = json!(format!("b/{:056}", index + dropped));
    }
}

/// An HTTP 200 answer with `body`.
fn ok(body: &Value) -> Answer {
    Answer {
        status: "200 OK".to_owned(),
        error_type: None,
        body: body.to_string().into_bytes(),
    }
}
