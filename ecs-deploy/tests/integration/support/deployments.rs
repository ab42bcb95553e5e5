//! A scripted layer that plays the deployments of the ECS deployment controller's traffic
//! shifting strategies (BLUE_GREEN, LINEAR, CANARY), which moto 5.2.5 does not run: its
//! UpdateService starts no deployment, and it has no DescribeServiceDeployments.
//!
//! [`Strategies`] is an HTTP proxy in front of the local endpoint (or another layer). For a
//! service the test scripted with [`Strategies::next_deployment`], the UpdateService answer
//! shows a new PRIMARY deployment IN_PROGRESS next to the old one, and the service's
//! `currentServiceDeployment` names a new service deployment. Each DescribeServices answer then
//! shows the deployment where the script has got to, and DescribeServiceDeployments (answered
//! here, without reaching moto) shows its service deployment: `status` and `lifecycleStage`.
//! Each stage is held for a wall-clock duration (at least one DescribeServices answer), so a
//! test can keep a deployment at BAKE_TIME longer than its wait time-out: bake times of
//! minutes, fast-forwarded.
//!
//! What it plays follows the AWS API reference:
//!
//! - the Service and Deployment shapes of DescribeServices: `currentServiceDeployment`, our
//!   deployment PRIMARY and the old one ACTIVE while both run, `rolloutState`
//!   (<https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_Service.html>,
//!   <https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_Deployment.html>);
//! - the ServiceDeployment shape of DescribeServiceDeployments: `status` (IN_PROGRESS, then
//!   SUCCESSFUL or ROLLBACK_IN_PROGRESS and ROLLBACK_SUCCESSFUL), `lifecycleStage` through
//!   the stages of ServiceDeploymentLifecycleStage, `rollback`, `finishedAt`
//!   (<https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ServiceDeployment.html>,
//!   <https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_DescribeServiceDeployments.html>);
//!   an ARN it does not know is answered in `failures` with reason MISSING, as the response
//!   documents for service deployments it cannot describe;
//! - the order of the stages of each strategy: [`blue_green`], [`linear`], [`canary`] (the
//!   `lifecycleStage` member's documentation, and the strategies of DeploymentConfiguration,
//!   <https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_DeploymentConfiguration.html>).
//!
//! moto's CreateService drops `deploymentConfiguration`: the layer remembers the one each
//! CreateService or UpdateService of a service sent, and shows it where moto's answer has
//! none, so the wait sees the strategy and bake times the service was given.

use std::collections::HashMap;
use std::net::TcpStream;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use super::script::{forward, header, listen, read_message, respond};

/// How a scripted deployment ends, after its last stage.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum End {
    /// The service deployment is SUCCESSFUL; the old deployment is gone.
    Succeed,
    /// ECS rolls the deployment back, as after a failed lifecycle hook or an alarm: for this
    /// long (and at least one DescribeServices answer) the service deployment is
    /// ROLLBACK_IN_PROGRESS while DescribeServices still shows our deployment PRIMARY (traffic
    /// is being shifted back); then ROLLBACK_SUCCESSFUL, with the old deployment PRIMARY again
    /// and ours FAILED.
    RollBack(Duration),
}

/// The deployment the next UpdateService of a service starts: its stages, each held at least
/// this long (and for at least one DescribeServices answer), then its end.
#[derive(Debug, Clone)]
pub struct Play {
    /// The lifecycle stages, in order, with how long each is shown.
    pub stages: Vec<(&'static str, Duration)>,
    /// How it ends.
    pub end: End,
}

impl Play {
    /// `stages` held for no time each (one DescribeServices answer each), except BAKE_TIME,
    /// held for `bake`; then `end`.
    pub fn new(stages: &[&'static str], bake: Duration, end: End) -> Self {
        Self {
            stages: stages
                .iter()
                .map(|&stage| {
                    let hold = if stage == "BAKE_TIME" {
                        bake
                    } else {
                        Duration::ZERO
                    };
                    (stage, hold)
                })
                .collect(),
            end,
        }
    }

    /// Holds `stage` (its every appearance) for `hold`.
    pub fn hold(mut self, stage: &str, hold: Duration) -> Self {
        for (name, held) in &mut self.stages {
            if *name == stage {
                *held = hold;
            }
        }
        self
    }
}

/// The stages of a BLUE_GREEN deployment with a test listener: scale up the green revision,
/// shift test then production traffic to it, bake, clean up the blue one.
pub fn blue_green() -> Vec<&'static str> {
    vec![
        "PRE_SCALE_UP",
        "SCALE_UP",
        "POST_SCALE_UP",
        "TEST_TRAFFIC_SHIFT",
        "POST_TEST_TRAFFIC_SHIFT",
        "PRODUCTION_TRAFFIC_SHIFT",
        "POST_PRODUCTION_TRAFFIC_SHIFT",
        "BAKE_TIME",
        "CLEAN_UP",
    ]
}

/// The stages of a LINEAR deployment of `steps` steps: PRE_PRODUCTION_TRAFFIC_SHIFT and
/// PRODUCTION_TRAFFIC_SHIFT at every step (the `lifecycleStage` documentation: "For linear and
/// canary deployments, this stage is invoked at every traffic shift step").
pub fn linear(steps: usize) -> Vec<&'static str> {
    let mut stages = vec!["PRE_SCALE_UP", "SCALE_UP", "POST_SCALE_UP"];
    for _ in 0..steps {
        stages.extend(["PRE_PRODUCTION_TRAFFIC_SHIFT", "PRODUCTION_TRAFFIC_SHIFT"]);
    }
    stages.extend(["POST_PRODUCTION_TRAFFIC_SHIFT", "BAKE_TIME", "CLEAN_UP"]);
    stages
}

/// The stages of a CANARY deployment: two traffic shift steps, the canary share then the rest.
pub fn canary() -> Vec<&'static str> {
    linear(2)
}

/// A deployment being played.
#[derive(Debug)]
struct Played {
    play: Play,
    id: String,
    arn: String,
    service_arn: String,
    cluster_arn: String,
    task_definition: String,
    previous: String,
    desired: i64,
    created: f64,
    /// The stage shown now, since when, and in how many DescribeServices answers;
    /// `stages.len()` once past the last.
    stage: usize,
    since: Option<Instant>,
    answers: u32,
}

#[derive(Debug, Default)]
struct State {
    scripts: HashMap<String, Play>,
    played: HashMap<String, Played>,
    /// The `deploymentConfiguration` each service was last sent, by service name.
    configurations: HashMap<String, Value>,
    next: u64,
    stages_described: Vec<String>,
}

/// The proxy: point the SDK at [`Strategies::url`].
#[derive(Clone)]
pub struct Strategies {
    /// `http://127.0.0.1:PORT`.
    pub url: String,
    state: Arc<Mutex<State>>,
}

impl Strategies {
    /// Starts a proxy in front of `upstream` (the local endpoint's URL, or another layer's).
    pub fn start(upstream: &str) -> Self {
        let state = Arc::new(Mutex::new(State::default()));
        let url = listen(upstream, state.clone(), serve);
        Self { url, state }
    }

    /// The next UpdateService of `service` starts a deployment played as `play` says.
    pub fn next_deployment(&self, service: &str, play: Play) {
        self.lock().scripts.insert(service.to_owned(), play);
    }

    /// The lifecycle stage of every service deployment DescribeServiceDeployments answered
    /// with, in order (its `status` when it has ended).
    pub fn stages_described(&self) -> Vec<String> {
        self.lock().stages_described.clone()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

fn serve(mut client: TcpStream, upstream: &str, state: &Mutex<State>) -> std::io::Result<()> {
    let (head, body) = read_message(&mut client)?;
    let operation = header(&head, "x-amz-target")
        .and_then(|t| t.rsplit('.').next().map(str::to_owned))
        .unwrap_or_default();
    let request: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    if operation == "DescribeServiceDeployments" {
        let mut state = state.lock().unwrap_or_else(|e| e.into_inner());
        let answer = service_deployments(&mut state, &request);
        drop(state);
        return respond(&mut client, "200 OK", None, answer.to_string().as_bytes());
    }
    let answer = forward(upstream, &head, &body)?;
    let mut json: Option<Value> = serde_json::from_slice(&answer.body).ok();
    if answer.status.starts_with("200")
        && let Some(json) = json.as_mut()
    {
        let mut state = state.lock().unwrap_or_else(|e| e.into_inner());
        match operation.as_str() {
            "CreateService" | "UpdateService" => {
                remember_configuration(&mut state, &request, json);
                if operation == "UpdateService" {
                    started(&mut state, json);
                }
            }
            "DescribeServices" => {
                for service in json["services"].as_array_mut().into_iter().flatten() {
                    shown(&mut state, service);
                }
            }
            _ => {}
        }
    }
    let out = match json {
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

/// Remembers the `deploymentConfiguration` a CreateService or UpdateService sent, and shows it
/// in the answer where moto left it out.
fn remember_configuration(state: &mut State, request: &Value, answer: &mut Value) {
    let Some(name) = answer["service"]["serviceName"].as_str().map(str::to_owned) else {
        return;
    };
    if let Some(configuration) = request
        .get("deploymentConfiguration")
        .filter(|c| c.is_object())
    {
        state
            .configurations
            .insert(name.clone(), configuration.clone());
    }
    configuration_shown(state, &name, &mut answer["service"]);
}

fn configuration_shown(state: &State, name: &str, service: &mut Value) {
    if let Some(configuration) = state.configurations.get(name)
        && !service["deploymentConfiguration"]["strategy"].is_string()
    {
        service["deploymentConfiguration"] = configuration.clone();
    }
}

/// After an UpdateService of a scripted service: a new deployment and service deployment.
fn started(state: &mut State, answer: &mut Value) {
    let service = &mut answer["service"];
    let Some(name) = service["serviceName"].as_str().map(str::to_owned) else {
        return;
    };
    let Some(play) = state.scripts.remove(&name) else {
        return;
    };
    state.next += 1;
    let text = |v: &Value| v.as_str().unwrap_or_default().to_owned();
    let cluster_arn = text(&service["clusterArn"]);
    let service_arn = text(&service["serviceArn"]);
    // arn:aws:ecs:REGION:ACCOUNT:service/CLUSTER/NAME -> ...:service-deployment/CLUSTER/NAME/ID
    let arn = format!(
        "{}/played{}",
        service_arn.replacen(":service/", ":service-deployment/", 1),
        state.next
    );
    let created = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64());
    let played = Played {
        play,
        id: format!("ecs-svc/played{}", state.next),
        arn,
        service_arn,
        cluster_arn,
        task_definition: text(&service["taskDefinition"]),
        previous: text(&service["deployments"][0]["taskDefinition"]),
        desired: service["desiredCount"].as_i64().unwrap_or(1),
        created,
        stage: 0,
        since: None,
        answers: 0,
    };
    write_service(service, &played);
    state.played.insert(name, played);
}

/// On DescribeServices: the played deployment moves on when its stage has been held long
/// enough, and the service shows it.
fn shown(state: &mut State, service: &mut Value) {
    let Some(name) = service["serviceName"].as_str().map(str::to_owned) else {
        return;
    };
    configuration_shown(state, &name, service);
    let Some(played) = state.played.get_mut(&name) else {
        return;
    };
    let hold = played.play.stages.get(played.stage).map(|(_, hold)| *hold);
    // Shown in one answer at least, and for `hold`.
    if let Some(hold) = hold
        && played.answers > 0
        && played.since.is_some_and(|since| since.elapsed() >= hold)
    {
        played.stage += 1;
        played.since = None;
        played.answers = 0;
    }
    played.since.get_or_insert_with(Instant::now);
    played.answers += 1;
    write_service(service, played);
}

/// Where a played deployment is.
enum Phase<'a> {
    /// At this stage.
    At(&'a str),
    /// Past the last stage, succeeded.
    Succeeded,
    /// Past the last stage, ECS rolling back.
    RollingBack,
    /// Past the last stage, rolled back.
    RolledBack,
}

fn phase(played: &Played) -> Phase<'_> {
    match played.play.stages.get(played.stage) {
        Some((stage, _)) => Phase::At(stage),
        None => match played.play.end {
            End::Succeed => Phase::Succeeded,
            End::RollBack(hold) if !played.held(hold) => Phase::RollingBack,
            End::RollBack(_) => Phase::RolledBack,
        },
    }
}

impl Played {
    /// Whether the rollback has been shown `hold` long, and in a DescribeServices answer before
    /// this one.
    fn held(&self, hold: Duration) -> bool {
        self.answers > 1 && self.since.is_some_and(|since| since.elapsed() >= hold)
    }
}

/// Writes the deployments and `currentServiceDeployment` of a service being played.
fn write_service(service: &mut Value, played: &Played) {
    let ours = |status: &str, rollout: &str, running: i64| {
        json!({
            "id": played.id, "status": status, "taskDefinition": played.task_definition,
            "desiredCount": played.desired, "runningCount": running,
            "pendingCount": played.desired - running, "failedTasks": 0,
            "rolloutState": rollout, "createdAt": played.created, "updatedAt": played.created
        })
    };
    let blue = |status: &str| {
        json!({
            "id": format!("{}-blue", played.id), "status": status,
            "taskDefinition": played.previous, "desiredCount": played.desired,
            "runningCount": played.desired, "pendingCount": 0, "failedTasks": 0,
            "rolloutState": "COMPLETED", "createdAt": played.created - 3600.0
        })
    };
    let deployments = match phase(played) {
        Phase::At(stage) => {
            // The green tasks run from SCALE_UP on.
            let running = if matches!(stage, "RECONCILE_SERVICE" | "PRE_SCALE_UP") {
                0
            } else {
                played.desired
            };
            vec![ours("PRIMARY", "IN_PROGRESS", running), blue("ACTIVE")]
        }
        Phase::Succeeded => vec![ours("PRIMARY", "COMPLETED", played.desired)],
        Phase::RollingBack => vec![
            ours("PRIMARY", "IN_PROGRESS", played.desired),
            blue("ACTIVE"),
        ],
        Phase::RolledBack => vec![blue("PRIMARY"), ours("ACTIVE", "FAILED", 0)],
    };
    service["deployments"] = Value::Array(deployments);
    service["taskDefinition"] = json!(match phase(played) {
        Phase::RolledBack => &played.previous,
        _ => &played.task_definition,
    });
    service["currentServiceDeployment"] = json!(played.arn);
}

/// The ServiceDeployment of a played deployment, as DescribeServiceDeployments shows it.
fn service_deployment(played: &Played) -> Value {
    let mut sd = json!({
        "serviceDeploymentArn": played.arn, "serviceArn": played.service_arn,
        "clusterArn": played.cluster_arn, "createdAt": played.created,
        "startedAt": played.created, "updatedAt": played.created,
        "targetServiceRevision": {"arn": format!("{}/green", played.arn.replacen(":service-deployment/", ":service-revision/", 1))},
    });
    let (status, stage) = match phase(played) {
        Phase::At(stage) => ("IN_PROGRESS", Some(stage)),
        Phase::Succeeded => ("SUCCESSFUL", None),
        Phase::RollingBack => ("ROLLBACK_IN_PROGRESS", None),
        Phase::RolledBack => ("ROLLBACK_SUCCESSFUL", None),
    };
    sd["status"] = json!(status);
    if let Some(stage) = stage {
        sd["lifecycleStage"] = json!(stage);
    }
    match phase(played) {
        Phase::Succeeded => sd["finishedAt"] = json!(played.created + 1.0),
        Phase::RollingBack | Phase::RolledBack => {
            sd["statusReason"] = json!("A lifecycle hook returned FAILED.");
            sd["rollback"] = json!({
                "reason": "A lifecycle hook returned FAILED.",
                "startedAt": played.created + 1.0,
                "serviceRevisionArn": format!("{}/blue", played.arn.replacen(":service-deployment/", ":service-revision/", 1)),
            });
        }
        Phase::At(_) => {}
    }
    sd
}

/// DescribeServiceDeployments: the played service deployments asked for; the others in
/// `failures`, reason MISSING.
fn service_deployments(state: &mut State, request: &Value) -> Value {
    let mut found = Vec::new();
    let mut failures = Vec::new();
    for arn in request["serviceDeploymentArns"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
    {
        match state.played.values().find(|p| p.arn == arn) {
            Some(played) => found.push(service_deployment(played)),
            None => failures.push(json!({"arn": arn, "reason": "MISSING"})),
        }
    }
    for sd in &found {
        let shown = sd["lifecycleStage"]
            .as_str()
            .or_else(|| sd["status"].as_str())
            .unwrap_or_default();
        state.stages_described.push(shown.to_owned());
    }
    json!({"serviceDeployments": found, "failures": failures})
}
