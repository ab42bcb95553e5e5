//! One-off tasks: a task definition of the stack run once, such as a database migration before
//! a deploy, followed until it stops, with its containers' exit codes.
//!
//! [`Deployer::run_task`](crate::Deployer::run_task):
//!
//! 1. registers the family's revision first when the stack's differs from the latest ACTIVE one
//!    (as `apply` would), so the task runs what the stack says;
//! 2. runs it where a service of the stack runs the same family: that service's cluster, launch
//!    type or capacity provider strategy, network configuration (with `default` and `name:`
//!    look-ups resolved) and platform version; without such a service (a migration), in the
//!    cluster given, or the stack's only cluster, with the launch type its compatibilities
//!    allow and the network of a service of the stack (one in the same cluster first);
//! 3. sends RunTask with a `clientToken` of its own, so a call retried after a lost answer does
//!    not start a second task, and with the command and environment given as overrides of one
//!    container (the one named, or the first essential one);
//! 4. when asked to wait, polls DescribeTasks until the task is STOPPED and returns why it
//!    stopped and each container's exit code ([`TaskRun::exit_code`]: the essential
//!    container's, what `ecs-deploy run --wait` exits with).

use std::collections::BTreeSet;
use std::time::Instant;

use ecs_model::Stack;
use ecs_model::load::from_value;
use ecs_model::types::{
    ContainerOverride, CreateServiceRequest, DescribeTasksResponse, KeyValuePair, LaunchType,
    RegisterTaskDefinitionRequest, RunTaskRequest, RunTaskResponse, Tag, Task, TaskOverride,
};
use serde_json::{Value, json};

use crate::apply::{self, ApplyOptions, Event};
use crate::aws::{AwsError, Clients, Ecs, Operation};
use crate::failure::{self, FailureReport, LogReader};
use crate::ownership::STACK_TAG;
use crate::plan::{Action, Plan, Reason};
use crate::wait::WaitOptions;
use crate::{ApplyError, PlanError};

/// What to run, and how.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct RunOptions {
    /// The task definition family of the stack to run.
    pub family: String,
    /// The cluster to run it in (default: the cluster of a service running the family, or the
    /// stack's only cluster).
    pub cluster: Option<String>,
    /// The container the command and environment apply to (default: the first essential one).
    pub container: Option<String>,
    /// The command to run instead of the container's.
    pub command: Option<Vec<String>>,
    /// Environment variables to add or replace in the container.
    pub environment: Vec<(String, String)>,
    /// Follow the task until it stops; `None` returns once it is started.
    pub wait: Option<WaitOptions>,
}

impl RunOptions {
    /// Runs a task of `family`, without waiting for it to stop.
    pub fn new(family: impl Into<String>) -> Self {
        Self {
            family: family.into(),
            cluster: None,
            container: None,
            command: None,
            environment: Vec::new(),
            wait: None,
        }
    }

    /// In the cluster `name`.
    pub fn cluster(mut self, name: impl Into<String>) -> Self {
        self.cluster = Some(name.into());
        self
    }

    /// The command and environment apply to the container `name`.
    pub fn container(mut self, name: impl Into<String>) -> Self {
        self.container = Some(name.into());
        self
    }

    /// Runs `command` instead of the container's command.
    pub fn command(mut self, command: Vec<String>) -> Self {
        self.command = Some(command);
        self
    }

    /// Sets the environment variable `key` to `value` in the container.
    pub fn env(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.environment.push((key.into(), value.into()));
        self
    }

    /// Follows the task until it stops, polling as `wait` says.
    pub fn wait(mut self, wait: WaitOptions) -> Self {
        self.wait = Some(wait);
        self
    }
}

/// What happens while a task is run.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum RunEvent {
    /// The stack's revision of the family was registered first.
    Registered {
        /// Its ARN.
        arn: String,
    },
    /// The task was started.
    Started {
        /// The task's ARN.
        task_arn: String,
        /// The revision it runs.
        task_definition: String,
    },
    /// The task's status changed (PROVISIONING, PENDING, RUNNING, DEPROVISIONING...).
    Status {
        /// The task's ARN.
        task_arn: String,
        /// Its status now.
        last_status: String,
    },
}

/// A container of a task that ran.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ContainerExit {
    /// Its name.
    pub name: String,
    /// Whether the task stops when it stops.
    pub essential: bool,
    /// Its exit code, once it exited.
    pub exit_code: Option<i32>,
    /// Why it stopped, when ECS says.
    pub reason: Option<String>,
}

/// A task that was run, as ECS describes it last.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct TaskRun {
    /// Its ARN.
    pub task_arn: String,
    /// Its cluster.
    pub cluster: String,
    /// Its status (STOPPED once it has stopped).
    pub last_status: String,
    /// Why it stopped, when it did.
    pub stopped_reason: Option<String>,
    /// ECS's code for why it stopped (`EssentialContainerExited`, `TaskFailedToStart`...).
    pub stop_code: Option<String>,
    /// Its containers.
    pub containers: Vec<ContainerExit>,
    /// Why it failed, when it was followed until it stopped and its essential container did
    /// not exit 0: the task, its essential containers and the last lines of their awslogs
    /// streams ([`crate::failure`]).
    pub report: Option<FailureReport>,
}

impl TaskRun {
    /// The exit code of the essential container: the first non-zero one when several are
    /// essential, `None` when none exited (the task did not start, or is still running).
    pub fn exit_code(&self) -> Option<i32> {
        let codes: Vec<i32> = self
            .containers
            .iter()
            .filter(|c| c.essential)
            .filter_map(|c| c.exit_code)
            .collect();
        codes
            .iter()
            .copied()
            .find(|c| *c != 0)
            .or(codes.first().copied())
    }
}

/// Why a task could not be run.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RunError {
    /// The stack has no task definition of this family.
    #[error("the stack has no task definition of the family `{family}`")]
    NotInStack {
        /// The family.
        family: String,
    },
    /// The family exists in AWS but is not the stack's (another stack's, or untagged).
    #[error("the task definition family `{family}` is not the stack's: {reason}")]
    NotManaged {
        /// The family.
        family: String,
        /// Why.
        reason: Reason,
    },
    /// The task definition uses `awsvpc` networking, and no service of the stack has an awsvpc
    /// network configuration to take subnets and security groups from.
    #[error(
        "the task definition `{family}` uses awsvpc networking, and no service of the stack has \
         subnets and security groups to run it with"
    )]
    NoNetwork {
        /// The family.
        family: String,
    },
    /// Planning the family's registration failed.
    #[error("the family's revision could not be planned")]
    Plan(#[source] Box<PlanError>),
    /// Registering the family's revision failed.
    #[error("the family's revision could not be registered")]
    Register(#[source] Box<ApplyError>),
    /// A call failed.
    #[error(transparent)]
    Aws(#[from] AwsError),
    /// ECS refused to start the task (the reasons RunTask answered).
    #[error("ECS did not start the task: {}", .reasons.join("; "))]
    Refused {
        /// ECS's reasons.
        reasons: Vec<String>,
    },
    /// The task did not stop in time.
    #[error("task {task_arn} did not stop within {timeout:?}")]
    TimedOut {
        /// The task's ARN.
        task_arn: String,
        /// How long it was followed.
        timeout: std::time::Duration,
    },
}

impl From<PlanError> for RunError {
    fn from(error: PlanError) -> Self {
        Self::Plan(Box::new(error))
    }
}

/// The task definition of `family` in `stack`.
pub(crate) fn task_definition<'s>(
    stack: &'s Stack,
    family: &str,
) -> Result<&'s RegisterTaskDefinitionRequest, RunError> {
    stack
        .task_definitions
        .iter()
        .find(|t| t.family.as_deref() == Some(family))
        .ok_or_else(|| RunError::NotInStack {
            family: family.to_owned(),
        })
}

/// The stack of just this task definition, to plan its registration.
pub(crate) fn of_family(td: &RegisterTaskDefinitionRequest) -> Stack {
    let mut stack = Stack::default();
    stack.task_definitions = vec![td.clone()];
    stack
}

/// Registers what `plan` (of one family) registers; the error when the family is not the
/// stack's.
pub(crate) async fn register(
    ecs: &Ecs,
    plan: &Plan,
    family: &str,
    on_event: &mut impl FnMut(RunEvent),
) -> Result<(), RunError> {
    for change in &plan.changes {
        if change.action == Action::NotManaged
            && let Some(reason) = change.reason.clone()
        {
            return Err(RunError::NotManaged {
                family: family.to_owned(),
                reason,
            });
        }
    }
    if !plan.has_changes() {
        return Ok(());
    }
    apply::apply(ecs, plan, &ApplyOptions::no_wait(), |event| {
        if let Event::Registered { arn, .. } = event {
            on_event(RunEvent::Registered { arn });
        }
    })
    .await
    .map_err(|e| RunError::Register(Box::new(e)))?;
    Ok(())
}

/// Whether the service runs `family` (by family name, `family:N`, or an ARN of it).
fn runs(service: &CreateServiceRequest, family: &str) -> bool {
    service.task_definition.as_deref().is_some_and(|t| {
        let revision = crate::state::family_revision(t);
        revision == family || revision.rsplit_once(':').is_some_and(|(f, _)| f == family)
    })
}

/// The RunTask request for `options`, running the revision `arn` of `td`, like the service of
/// `stack` (look-ups resolved) that runs the family, with `token` as its `clientToken`.
pub(crate) fn request(
    stack: &Stack,
    td: &RegisterTaskDefinitionRequest,
    arn: &str,
    options: &RunOptions,
    stack_name: &str,
    token: &str,
) -> Result<RunTaskRequest, RunError> {
    let service = stack.services.iter().find(|s| runs(s, &options.family));
    let mut r = RunTaskRequest::default();
    r.cluster = options
        .cluster
        .clone()
        .or_else(|| service.and_then(|s| s.cluster.clone()))
        .or_else(|| match stack.clusters.as_slice() {
            [only] => only.cluster_name.clone(),
            _ => None,
        });
    r.task_definition = Some(arn.to_owned());
    r.count = Some(1);
    r.client_token = Some(token.to_owned());
    r.started_by = Some("ecs-deploy run".to_owned());
    let mut tag = Tag::default();
    tag.key = Some(STACK_TAG.to_owned());
    tag.value = Some(stack_name.to_owned());
    r.tags = Some(vec![tag]);
    match service {
        Some(service) => {
            r.launch_type = service.launch_type.clone();
            r.capacity_provider_strategy = service.capacity_provider_strategy.clone();
            r.network_configuration = service.network_configuration.clone();
            r.platform_version = service.platform_version.clone();
        }
        None => {
            let awsvpc = td
                .network_mode
                .as_ref()
                .is_some_and(|m| m.as_str() == "awsvpc");
            if awsvpc {
                // A family no service runs (a migration) runs in the network of the stack's
                // services: one in the same cluster first.
                let cluster = r.cluster.clone();
                let networked = |s: &&CreateServiceRequest| {
                    s.network_configuration
                        .as_ref()
                        .is_some_and(|n| n.awsvpc_configuration.is_some())
                };
                let neighbour = stack
                    .services
                    .iter()
                    .filter(networked)
                    .find(|s| s.cluster == cluster)
                    .or_else(|| stack.services.iter().find(networked));
                let Some(neighbour) = neighbour else {
                    return Err(RunError::NoNetwork {
                        family: options.family.clone(),
                    });
                };
                r.network_configuration = neighbour.network_configuration.clone();
            }
            let fargate = td
                .requires_compatibilities
                .iter()
                .flatten()
                .any(|c| c.as_str() == "FARGATE");
            r.launch_type = Some(if fargate {
                LaunchType::Fargate
            } else {
                LaunchType::Ec2
            });
        }
    }
    let container = options.container.clone().or_else(|| {
        td.container_definitions
            .iter()
            .flatten()
            .find(|c| c.essential != Some(false))
            .and_then(|c| c.name.clone())
    });
    if options.command.is_some() || !options.environment.is_empty() {
        let mut over = ContainerOverride::default();
        over.name = container;
        over.command = options.command.clone();
        if !options.environment.is_empty() {
            over.environment = Some(
                options
                    .environment
                    .iter()
                    .map(|(name, value)| {
                        let mut pair = KeyValuePair::default();
                        pair.name = Some(name.clone());
                        pair.value = Some(value.clone());
                        pair
                    })
                    .collect(),
            );
        }
        let mut overrides = TaskOverride::default();
        overrides.container_overrides = Some(vec![over]);
        r.overrides = Some(overrides);
    }
    Ok(r)
}

/// A `clientToken` for one RunTask: the same for every try of the call, another for the next
/// run (RunTask allows 64 characters).
pub(crate) fn token(family: &str) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    let family: String = family.chars().take(32).collect();
    format!("ecs-rs-run-{family}-{:x}-{nanos:x}", std::process::id())
        .chars()
        .take(64)
        .collect()
}

/// Starts the task `request` describes; the task as RunTask answered.
pub(crate) async fn start(ecs: &Ecs, request: &RunTaskRequest) -> Result<Task, RunError> {
    let input = serde_json::to_value(request).unwrap_or(Value::Null);
    let answer = ecs.call(Operation::RunTask, &input).await?;
    let answer: RunTaskResponse = from_value(&answer).value.unwrap_or_default();
    if let Some(task) = answer.tasks.into_iter().flatten().next() {
        return Ok(task);
    }
    let reasons = answer
        .failures
        .into_iter()
        .flatten()
        .map(|f| {
            [f.arn, f.reason, f.detail]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(": ")
        })
        .collect::<Vec<_>>();
    Err(RunError::Refused {
        reasons: if reasons.is_empty() {
            vec!["RunTask answered no task and no failure".to_owned()]
        } else {
            reasons
        },
    })
}

/// Polls DescribeTasks until the task is STOPPED or `wait`'s time is up.
pub(crate) async fn follow(
    ecs: &Ecs,
    cluster: &str,
    task_arn: &str,
    wait: WaitOptions,
    on_event: &mut impl FnMut(RunEvent),
) -> Result<Task, RunError> {
    let deadline = Instant::now() + wait.timeout;
    let mut last = String::new();
    loop {
        let answer = ecs
            .call(
                Operation::DescribeTasks,
                &json!({"cluster": cluster, "tasks": [task_arn]}),
            )
            .await?;
        let answer: DescribeTasksResponse = from_value(&answer).value.unwrap_or_default();
        if let Some(task) = answer.tasks.into_iter().flatten().next() {
            let status = task.last_status.clone().unwrap_or_default();
            if status != last {
                on_event(RunEvent::Status {
                    task_arn: task_arn.to_owned(),
                    last_status: status.clone(),
                });
                last = status.clone();
            }
            if status == "STOPPED" {
                return Ok(task);
            }
        }
        if Instant::now() + wait.interval >= deadline {
            return Err(RunError::TimedOut {
                task_arn: task_arn.to_owned(),
                timeout: wait.timeout,
            });
        }
        tokio::time::sleep(wait.interval).await;
    }
}

/// The run as `task` describes it, with the essential containers of `td`.
pub(crate) fn outcome(task: &Task, cluster: &str, td: &RegisterTaskDefinitionRequest) -> TaskRun {
    let essential: BTreeSet<&str> = td
        .container_definitions
        .iter()
        .flatten()
        .filter(|c| c.essential != Some(false))
        .filter_map(|c| c.name.as_deref())
        .collect();
    TaskRun {
        task_arn: task.task_arn.clone().unwrap_or_default(),
        cluster: cluster.to_owned(),
        last_status: task.last_status.clone().unwrap_or_default(),
        stopped_reason: task.stopped_reason.clone().filter(|r| !r.is_empty()),
        stop_code: task.stop_code.as_ref().map(|c| c.as_str().to_owned()),
        containers: task
            .containers
            .iter()
            .flatten()
            .map(|c| {
                let name = c.name.clone().unwrap_or_default();
                ContainerExit {
                    essential: essential.contains(name.as_str()),
                    name,
                    exit_code: c.exit_code,
                    reason: c.reason.clone().filter(|r| !r.is_empty()),
                }
            })
            .collect(),
        report: None,
    }
}

/// The failure report of `run`, a task followed until it stopped as `task` (with `wait`'s
/// number of log lines), when its essential container did not exit 0; `None` when it did, or
/// it has not stopped.
pub(crate) async fn report(
    clients: &Clients,
    task: &Task,
    td: &RegisterTaskDefinitionRequest,
    run: &TaskRun,
    wait: WaitOptions,
) -> Option<FailureReport> {
    if run.last_status != "STOPPED" || run.exit_code() == Some(0) {
        return None;
    }
    let reader = LogReader::from_clients(clients, wait.log_lines);
    let containers = td.container_definitions.as_deref().unwrap_or_default();
    Some(failure::task_report(task, containers, &reader).await)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stack(value: Value) -> Stack {
        from_value::<Stack>(&value).value.expect("a stack")
    }

    fn shop() -> Stack {
        stack(json!({
            "clusters": [{"clusterName": "shop"}],
            "taskDefinitions": [
                {"family": "migrate", "networkMode": "awsvpc", "requiresCompatibilities": ["FARGATE"],
                 "cpu": "256", "memory": "512",
                 "containerDefinitions": [
                     {"name": "log", "image": "fluent-bit", "essential": false, "memory": 32},
                     {"name": "app", "image": "app:1", "memory": 64}]},
                {"family": "tool", "containerDefinitions": [{"name": "t", "image": "t", "memory": 64}]}
            ],
            "services": [{"serviceName": "migrations", "cluster": "shop", "taskDefinition": "migrate",
                          "launchType": "FARGATE", "platformVersion": "1.4.0",
                          "networkConfiguration": {"awsvpcConfiguration": {
                              "subnets": ["subnet-1"], "securityGroups": ["sg-1"]}}}]
        }))
    }

    #[test]
    fn a_run_takes_the_network_of_the_service_running_the_family() {
        let stack = shop();
        let options = RunOptions::new("migrate")
            .command(vec!["./migrate".into(), "up".into()])
            .env("DRY_RUN", "0");
        let td = task_definition(&stack, "migrate").expect("in the stack");
        let r =
            request(&stack, td, "arn:td/migrate:3", &options, "shop", "tok").expect("a request");
        let input = serde_json::to_value(&r).expect("json");
        assert_eq!(input["cluster"], "shop");
        assert_eq!(input["launchType"], "FARGATE");
        assert_eq!(input["platformVersion"], "1.4.0");
        assert_eq!(input["clientToken"], "tok");
        assert_eq!(
            input["networkConfiguration"]["awsvpcConfiguration"]["subnets"],
            json!(["subnet-1"])
        );
        // The first essential container takes the command and environment.
        assert_eq!(
            input["overrides"]["containerOverrides"],
            json!([{"name": "app", "command": ["./migrate", "up"],
                    "environment": [{"name": "DRY_RUN", "value": "0"}]}])
        );
        assert_eq!(input["tags"], json!([{"key": STACK_TAG, "value": "shop"}]));
    }

    #[test]
    fn without_a_service_the_launch_type_follows_the_compatibilities() {
        let stack = shop();
        let td = task_definition(&stack, "tool").expect("in the stack");
        let options = RunOptions::new("tool");
        let r = request(&stack, td, "arn", &options, "shop", "t").expect("a request");
        assert_eq!(r.launch_type, Some(LaunchType::Ec2));
        assert_eq!(
            r.cluster.as_deref(),
            Some("shop"),
            "the stack's only cluster"
        );
        assert!(r.overrides.is_none());
        // A family no service runs takes the network of a service of the stack...
        let mut alone = stack.clone();
        alone.services[0].task_definition = Some("tool".into());
        let td = task_definition(&alone, "migrate").expect("in the stack");
        let r = request(&alone, td, "arn", &RunOptions::new("migrate"), "shop", "t")
            .expect("a request");
        assert_eq!(r.launch_type, Some(LaunchType::Fargate));
        assert_eq!(
            r.network_configuration,
            alone.services[0].network_configuration
        );
        // ...and without any, it cannot run.
        let mut awsvpc = stack.clone();
        awsvpc.services.clear();
        let td = task_definition(&awsvpc, "migrate").expect("in the stack");
        assert!(matches!(
            request(&awsvpc, td, "arn", &RunOptions::new("migrate"), "shop", "t"),
            Err(RunError::NoNetwork { .. })
        ));
        assert!(matches!(
            task_definition(&stack, "nope"),
            Err(RunError::NotInStack { .. })
        ));
    }

    #[test]
    fn the_exit_code_is_the_essential_container_s() {
        let stack = shop();
        let td = task_definition(&stack, "migrate").expect("in the stack");
        let task: Task = from_value(&json!({
            "taskArn": "arn:task/1", "lastStatus": "STOPPED",
            "stopCode": "EssentialContainerExited",
            "stoppedReason": "Essential container in task exited",
            "containers": [{"name": "log", "exitCode": 137}, {"name": "app", "exitCode": 3,
                            "reason": "migration failed"}]
        }))
        .value
        .expect("a task");
        let run = outcome(&task, "shop", td);
        assert_eq!(run.exit_code(), Some(3), "{run:?}");
        assert_eq!(run.stop_code.as_deref(), Some("EssentialContainerExited"));
        assert_eq!(
            run.containers[1].reason.as_deref(),
            Some("migration failed")
        );
        assert!(!run.containers[0].essential);
    }

    #[test]
    fn tokens_fit_and_differ_between_runs() {
        let a = token(&"m".repeat(100));
        assert!(a.len() <= 64, "{a}");
        std::thread::sleep(std::time::Duration::from_millis(1));
        assert_ne!(a, token(&"m".repeat(100)));
    }
}
