//! EventBridge Scheduler as AWS answers it, where moto 5.2.5 does not ([`SchedulerScript`]): a
//! proxy in front of the local endpoint that forwards every call and corrects what moto gets
//! wrong, each case from the AWS API reference:
//!
//! - **CreateScheduleGroup of a group that exists** answers `ConflictException` (HTTP 409)
//!   (<https://docs.aws.amazon.com/scheduler/latest/APIReference/API_CreateScheduleGroup.html>,
//!   Errors). moto replaces the group and drops all its schedules (`moto/scheduler/models.py`,
//!   `create_schedule_group`).
//! - **CreateSchedule in a group that does not exist** answers `ResourceNotFoundException`
//!   (HTTP 404) (API_CreateSchedule.html, Errors). moto fails with HTTP 500 (a `KeyError`).
//!   DeleteScheduleGroup of a missing group: the same.
//! - **ConflictException** is HTTP 409 (API_CreateSchedule.html, Errors). moto answers 400.
//! - **UpdateSchedule resets what it is not sent**: "any values that you don't specify are reset
//!   to their default values" (API_UpdateSchedule.html): `State` ENABLED, `ActionAfterCompletion`
//!   NONE. moto stores `State: null` when it is not sent, and never changes
//!   `ActionAfterCompletion` on update (its `update` takes no such parameter).
//! - **GetSchedule answers the defaults AWS filled in**: `State` (default ENABLED) and
//!   `ActionAfterCompletion` (default NONE) (API_CreateSchedule.html, request members).
//!   moto answers `null` for an `ActionAfterCompletion` not sent.

use std::collections::HashMap;
use std::net::TcpStream;
use std::sync::{Arc, Mutex};

use serde_json::{Value, json};

use super::{forward, header, listen, read_message, respond};

/// What the proxy remembers: `ActionAfterCompletion` per schedule (account, group, name) as
/// AWS holds it, and the operations it answered itself.
#[derive(Debug, Default)]
struct State {
    after_completion: HashMap<(String, String, String), Value>,
    played: Vec<String>,
}

/// The proxy: its URL, and what it played.
#[derive(Debug, Clone)]
pub struct SchedulerScript {
    /// Where the clients send their calls.
    pub url: String,
    state: Arc<Mutex<State>>,
}

impl SchedulerScript {
    /// Starts the proxy in front of `upstream` (moto's URL).
    pub fn start(upstream: &str) -> Self {
        let state = Arc::new(Mutex::new(State::default()));
        let url = listen(upstream, state.clone(), serve);
        Self { url, state }
    }

    /// The cases it answered in place of moto, in order (`CreateScheduleGroup conflict`...).
    pub fn played(&self) -> Vec<String> {
        self.state
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .played
            .clone()
    }
}

/// The request line's method and path (without the query string), percent-decoded.
fn route(head: &str) -> (String, Vec<String>) {
    let mut line = head.lines().next().unwrap_or_default().split(' ');
    let method = line.next().unwrap_or_default().to_owned();
    let target = line.next().unwrap_or_default();
    let path = target.split('?').next().unwrap_or_default();
    let segments = path
        .split('/')
        .filter(|s| !s.is_empty())
        .map(decode)
        .collect();
    (method, segments)
}

/// The value of query parameter `name` of the request line.
fn query(head: &str, name: &str) -> Option<String> {
    let target = head.lines().next()?.split(' ').nth(1)?;
    let (_, query) = target.split_once('?')?;
    query.split('&').find_map(|pair| {
        let (key, value) = pair.split_once('=')?;
        (key == name).then(|| decode(value))
    })
}

fn decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let Some(byte) = text
                .get(i + 1..i + 3)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        {
            out.push(byte);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The head of a GET of `path` with the headers of `head` (account, credentials).
fn get_head(head: &str, path: &str) -> String {
    let mut out = format!("GET {path} HTTP/1.1\r\n");
    for line in head.lines().skip(1).filter(|l| !l.is_empty()) {
        let name = line.split(':').next().unwrap_or_default().trim();
        if name.eq_ignore_ascii_case("content-length") || name.eq_ignore_ascii_case("content-type")
        {
            continue;
        }
        out.push_str(line);
        out.push_str("\r\n");
    }
    out.push_str("Content-Length: 0\r\n\r\n");
    out
}

fn error(client: &mut TcpStream, status: &str, code: &str, message: &str) -> std::io::Result<()> {
    let body = json!({"Message": message}).to_string();
    respond(client, status, Some(code), body.as_bytes())
}

fn serve(mut client: TcpStream, upstream: &str, state: &Mutex<State>) -> std::io::Result<()> {
    let (head, body) = read_message(&mut client)?;
    let (method, path) = route(&head);
    let account = header(&head, "x-moto-account-id").unwrap_or_default();
    let played = |case: &str| {
        state
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .played
            .push(case.to_owned());
    };
    let segments: Vec<&str> = path.iter().map(String::as_str).collect();
    match (method.as_str(), segments.as_slice()) {
        ("POST", ["schedule-groups", name]) => {
            let existing = forward(
                upstream,
                &get_head(&head, &format!("/schedule-groups/{name}")),
                &[],
            )?;
            if existing.status.starts_with("200") {
                played("CreateScheduleGroup conflict");
                return error(
                    &mut client,
                    "409 Conflict",
                    "ConflictException",
                    &format!("Schedule group {name} already exists."),
                );
            }
        }
        ("DELETE", ["schedule-groups", name]) => {
            let answer = forward(upstream, &head, &body)?;
            if answer.status.starts_with("500") {
                played("DeleteScheduleGroup missing");
                return error(
                    &mut client,
                    "404 Not Found",
                    "ResourceNotFoundException",
                    &format!("Schedule group {name} does not exist."),
                );
            }
            return respond(
                &mut client,
                &answer.status,
                answer.error_type.as_deref(),
                &answer.body,
            );
        }
        ("POST" | "PUT", ["schedules", name]) => {
            let request: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
            let group = request
                .get("GroupName")
                .and_then(Value::as_str)
                .unwrap_or("default")
                .to_owned();
            let mut answer = forward(upstream, &head, &body)?;
            if answer.status.starts_with("500") {
                played("CreateSchedule missing group");
                return error(
                    &mut client,
                    "404 Not Found",
                    "ResourceNotFoundException",
                    &format!("Schedule group {group} does not exist."),
                );
            }
            if answer.error_type.as_deref() == Some("ConflictException") {
                played("ConflictException 409");
                answer.status = "409 Conflict".to_owned();
            }
            if answer.status.starts_with("200") {
                let after = request
                    .get("ActionAfterCompletion")
                    .filter(|v| !v.is_null())
                    .cloned()
                    .unwrap_or_else(|| json!("NONE"));
                state
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .after_completion
                    .insert((account, group, (*name).to_owned()), after);
            }
            return respond(
                &mut client,
                &answer.status,
                answer.error_type.as_deref(),
                &answer.body,
            );
        }
        ("GET", ["schedules", name]) => {
            let answer = forward(upstream, &head, &body)?;
            let group = query(&head, "groupName").unwrap_or_else(|| "default".to_owned());
            let Ok(mut schedule) = serde_json::from_slice::<Value>(&answer.body) else {
                return respond(
                    &mut client,
                    &answer.status,
                    answer.error_type.as_deref(),
                    &answer.body,
                );
            };
            if answer.status.starts_with("200") {
                if schedule.get("State").is_none_or(Value::is_null) {
                    schedule["State"] = json!("ENABLED");
                }
                let held = state
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .after_completion
                    .get(&(account, group, (*name).to_owned()))
                    .cloned();
                match held {
                    Some(after) => schedule["ActionAfterCompletion"] = after,
                    None if schedule
                        .get("ActionAfterCompletion")
                        .is_none_or(Value::is_null) =>
                    {
                        schedule["ActionAfterCompletion"] = json!("NONE");
                    }
                    None => {}
                }
            }
            let out = serde_json::to_vec(&schedule).unwrap_or_default();
            return respond(
                &mut client,
                &answer.status,
                answer.error_type.as_deref(),
                &out,
            );
        }
        _ => {}
    }
    let answer = forward(upstream, &head, &body)?;
    respond(
        &mut client,
        &answer.status,
        answer.error_type.as_deref(),
        &answer.body,
    )
}
