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
//! The bodies it writes follow the shapes of the AWS API reference (Deployment, ServiceEvent).

use std::collections::HashMap;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};

use serde_json::{Value, json};

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
        let listener = TcpListener::bind("127.0.0.1:0").expect("a port");
        let url = format!("http://{}", listener.local_addr().expect("an address"));
        let upstream = upstream
            .trim_start_matches("http://")
            .trim_end_matches('/')
            .to_owned();
        let state = Arc::new(Mutex::new(State::default()));
        let shared = state.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let state = shared.clone();
                let upstream = upstream.clone();
                std::thread::spawn(move || {
                    let _ = serve(stream, &upstream, &state);
                });
            }
        });
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

    /// How many calls were throttled.
    pub fn throttled(&self) -> u64 {
        self.lock().throttled
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// One HTTP exchange (the proxy closes every connection after one, as moto does).
fn serve(mut client: TcpStream, upstream: &str, state: &Mutex<State>) -> std::io::Result<()> {
    let (head, body) = read_message(&mut client)?;
    let operation = header(&head, "x-amz-target")
        .and_then(|t| t.rsplit('.').next().map(str::to_owned))
        .unwrap_or_default();
    {
        let mut state = state.lock().unwrap_or_else(|e| e.into_inner());
        state.calls += 1;
        if let Some((error, left)) = state.refuse_first.get_mut(&operation)
            && *left > 0
        {
            *left -= 1;
            let body = json!({"__type": error, "message": "refused by the test's script"});
            let error = error.clone();
            drop(state);
            return respond(
                &mut client,
                "400 Bad Request",
                Some(&error),
                body.to_string().as_bytes(),
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
            let body = br#"{"__type":"ThrottlingException","message":"Rate exceeded"}"#;
            return respond(
                &mut client,
                "400 Bad Request",
                Some("ThrottlingException"),
                body,
            );
        }
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
    let mut server = TcpStream::connect(upstream)?;
    let head = head.replace("Connection: keep-alive", "Connection: close");
    server.write_all(head.as_bytes())?;
    server.write_all(&body)?;
    let mut raw = Vec::new();
    server.read_to_end(&mut raw)?;
    let split = find(&raw, b"\r\n\r\n").map_or(raw.len(), |i| i + 4);
    let (response_head, response_body) = raw.split_at(split);
    let response_head = String::from_utf8_lossy(response_head).into_owned();
    let status = response_head
        .lines()
        .next()
        .and_then(|l| l.split_once(' ').map(|(_, s)| s.to_owned()))
        .unwrap_or_else(|| "200 OK".to_owned());
    let error_type = header(&response_head, "x-amzn-errortype");
    let mut body_json: Option<Value> = serde_json::from_slice(response_body).ok();
    if status.starts_with("200")
        && let Some(json) = body_json.as_mut()
    {
        let mut state = state.lock().unwrap_or_else(|e| e.into_inner());
        match operation.as_str() {
            "UpdateService" => started(&mut state, json),
            "DescribeServices" => moved(&mut state, json),
            _ => {}
        }
    }
    let out = match body_json {
        Some(json) => serde_json::to_vec(&json).unwrap_or_default(),
        None => response_body.to_vec(),
    };
    respond(&mut client, &status, error_type.as_deref(), &out)
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
    let Some(outcome) = state.scripts.remove(&name) else {
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

fn respond(
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
fn read_message(stream: &mut TcpStream) -> std::io::Result<(String, Vec<u8>)> {
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

fn header(head: &str, name: &str) -> Option<String> {
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
