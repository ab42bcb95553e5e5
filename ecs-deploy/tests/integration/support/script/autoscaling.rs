//! Application Auto Scaling as AWS plays it, where moto 5.2 does not
//! ([`super::Scripted::play_autoscaling`]). Each rule cites the AWS API reference:
//!
//! - DescribeScalableTargets always answers a target's `SuspendedState`, each flag false
//!   unless set ("SuspendedState ... DynamicScalingInSuspended ... The default is false",
//!   <https://docs.aws.amazon.com/autoscaling/application/APIReference/API_SuspendedState.html>),
//!   and RegisterScalableTarget changes the flags it is sent and keeps the others
//!   ("If you call the RegisterScalableTarget API operation to create a scalable target ...
//!   if you specify only some of the parameters ... the parameters you don't specify are not
//!   changed", <https://docs.aws.amazon.com/autoscaling/application/APIReference/API_RegisterScalableTarget.html>).
//!   moto answers no `SuspendedState` until one is sent, and keeps only the last one sent.
//! - DeregisterScalableTarget "deletes a scalable target ... Deregistering a scalable target
//!   deletes the scaling policies and the scheduled actions that are associated with it"
//!   (<https://docs.aws.amazon.com/autoscaling/application/APIReference/API_DeregisterScalableTarget.html>);
//!   moto leaves both behind. A target that does not exist is `ObjectNotFoundException`
//!   (moto: `ValidationException`).
//! - PutScalingPolicy and PutScheduledAction need a registered scalable target
//!   (`ObjectNotFoundException`, "the specified object could not be found ... the scalable
//!   target must be registered first",
//!   <https://docs.aws.amazon.com/autoscaling/application/APIReference/API_PutScalingPolicy.html>,
//!   <https://docs.aws.amazon.com/autoscaling/application/APIReference/API_PutScheduledAction.html>);
//!   moto accepts them without one.
//! - DeleteScalingPolicy and DeleteScheduledAction of what does not exist answer
//!   `ObjectNotFoundException`
//!   (<https://docs.aws.amazon.com/autoscaling/application/APIReference/API_DeleteScalingPolicy.html>,
//!   <https://docs.aws.amazon.com/autoscaling/application/APIReference/API_DeleteScheduledAction.html>);
//!   moto answers `ValidationException` for a policy and succeeds for an action.
//!
//! The eventual consistency right after CreateService (RegisterScalableTarget answering
//! `ValidationException` "ECS service doesn't exist" for a moment) is played with
//! [`super::Scripted::refuse_first`].

use std::collections::HashMap;
use std::net::TcpStream;

use serde_json::{Value, json};

use super::request_head::call_as;
use super::{Answer, forward, respond};

/// The target prefix of Application Auto Scaling's calls (`X-Amz-Target`).
pub(super) const TARGET_PREFIX: &str = "AnyScaleFrontendService.";

/// What the layer keeps of Application Auto Scaling.
#[derive(Debug, Default)]
pub(super) struct Scaling {
    /// The suspended state of each target, by moto account and resource id.
    suspended: HashMap<(String, String), Value>,
    /// Every RegisterScalableTarget request that took effect, in order.
    registered: Vec<Value>,
}

impl Scaling {
    /// The RegisterScalableTarget requests that took effect, in order.
    pub(super) fn registered(&self) -> Vec<Value> {
        self.registered.clone()
    }
}

/// Answers one Application Auto Scaling call `operation` (`request`, the raw `head`) through
/// moto at `upstream`, as AWS would.
pub(super) fn serve(
    scaling: &std::sync::Mutex<Scaling>,
    client: &mut TcpStream,
    upstream: &str,
    head: &str,
    body: &[u8],
    (operation, account, request): (&str, &str, &Value),
) -> std::io::Result<()> {
    let id = request
        .get("ResourceId")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    let target_exists = || -> std::io::Result<bool> {
        let answer = call(
            upstream,
            head,
            "DescribeScalableTargets",
            &json!({"ServiceNamespace": request["ServiceNamespace"], "ResourceIds": [id],
                    "ScalableDimension": request["ScalableDimension"]}),
        )?;
        Ok(items(&answer, "ScalableTargets")
            .iter()
            .any(|t| t["ResourceId"] == json!(id)))
    };
    let missing = |client: &mut TcpStream, what: &str| {
        let body = json!({
            "__type": "ObjectNotFoundException",
            "Message": format!("No {what} found for service namespace: ecs, resource ID: {id}")
        });
        respond(
            client,
            "400 Bad Request",
            Some("ObjectNotFoundException"),
            body.to_string().as_bytes(),
        )
    };
    match operation {
        "PutScalingPolicy" | "PutScheduledAction" | "DeregisterScalableTarget"
            if !target_exists()? =>
        {
            return missing(client, "scalable target");
        }
        "DeleteScalingPolicy" | "DeleteScheduledAction" => {
            let (list, describe, key, name) = if operation == "DeleteScalingPolicy" {
                (
                    "ScalingPolicies",
                    "DescribeScalingPolicies",
                    "PolicyName",
                    "scaling policy",
                )
            } else {
                (
                    "ScheduledActions",
                    "DescribeScheduledActions",
                    "ScheduledActionName",
                    "scheduled action",
                )
            };
            let answer = call(
                upstream,
                head,
                describe,
                &json!({"ServiceNamespace": "ecs", "ResourceId": id}),
            )?;
            let found = items(&answer, list)
                .iter()
                .any(|p| p["ResourceId"] == json!(id) && p[key] == request[key]);
            if !found {
                return missing(client, name);
            }
        }
        _ => {}
    }
    let answer = forward(upstream, head, body)?;
    let took_effect = answer.status.starts_with("200");
    let mut out: Option<Value> = serde_json::from_slice(&answer.body).ok();
    {
        let mut state = scaling.lock().unwrap_or_else(|e| e.into_inner());
        let key = (account.to_owned(), id.clone());
        match operation {
            "RegisterScalableTarget" if took_effect => {
                state.registered.push(request.clone());
                let held = state.suspended.entry(key).or_insert_with(all_false);
                if let (Some(held), Some(sent)) = (
                    held.as_object_mut(),
                    request.get("SuspendedState").and_then(Value::as_object),
                ) {
                    for (flag, value) in sent {
                        if value.is_boolean() {
                            held.insert(flag.clone(), value.clone());
                        }
                    }
                }
            }
            "DeregisterScalableTarget" if took_effect => {
                state.suspended.remove(&key);
            }
            "DescribeScalableTargets" => {
                if let Some(targets) = out
                    .as_mut()
                    .and_then(|o| o.get_mut("ScalableTargets"))
                    .and_then(Value::as_array_mut)
                {
                    for target in targets {
                        let id = target["ResourceId"].as_str().unwrap_or_default().to_owned();
                        target["SuspendedState"] = state
                            .suspended
                            .get(&(account.to_owned(), id))
                            .cloned()
                            .unwrap_or_else(all_false);
                    }
                }
            }
            _ => {}
        }
    }
    if operation == "DeregisterScalableTarget" && took_effect {
        cascade(upstream, head, &id)?;
    }
    let body = out.map_or(answer.body, |o| o.to_string().into_bytes());
    respond(client, &answer.status, answer.error_type.as_deref(), &body)
}

/// Deletes the policies and scheduled actions of the target `id` just deregistered.
fn cascade(upstream: &str, head: &str, id: &str) -> std::io::Result<()> {
    let filter = json!({"ServiceNamespace": "ecs", "ResourceId": id});
    let policies = call(upstream, head, "DescribeScalingPolicies", &filter)?;
    for policy in items(&policies, "ScalingPolicies") {
        if policy["ResourceId"] == json!(id) {
            let mut input = filter.clone();
            input["PolicyName"] = policy["PolicyName"].clone();
            input["ScalableDimension"] = policy["ScalableDimension"].clone();
            call(upstream, head, "DeleteScalingPolicy", &input)?;
        }
    }
    let actions = call(upstream, head, "DescribeScheduledActions", &filter)?;
    for action in items(&actions, "ScheduledActions") {
        if action["ResourceId"] == json!(id) {
            let mut input = filter.clone();
            input["ScheduledActionName"] = action["ScheduledActionName"].clone();
            input["ScalableDimension"] = action["ScalableDimension"].clone();
            call(upstream, head, "DeleteScheduledAction", &input)?;
        }
    }
    Ok(())
}

/// Every flag false: what AWS answers for a target whose scaling was never suspended.
fn all_false() -> Value {
    json!({"DynamicScalingInSuspended": false, "DynamicScalingOutSuspended": false,
           "ScheduledScalingSuspended": false})
}

/// The list `key` of a JSON answer.
fn items(answer: &Answer, key: &str) -> Vec<Value> {
    serde_json::from_slice::<Value>(&answer.body)
        .ok()
        .and_then(|v| v.get(key).and_then(Value::as_array).cloned())
        .unwrap_or_default()
}

/// Sends moto the Application Auto Scaling call `operation` with `input`, with the headers of
/// the request whose head is `head` (its account, credentials...).
fn call(upstream: &str, head: &str, operation: &str, input: &Value) -> std::io::Result<Answer> {
    call_as(
        upstream,
        head,
        &format!("{TARGET_PREFIX}{operation}"),
        None,
        input,
    )
}
