//! Cloud Map clients for the local endpoint: the SDK client (to read back what an apply made,
//! and to make resources the stack does not own) and the engine's [`CloudMap`].

use ecs_deploy::CloudMap;

/// A Cloud Map SDK client for `endpoint` in moto account `account`, with dummy credentials.
pub fn client_at(endpoint: &str, account: &str) -> aws_sdk_servicediscovery::Client {
    let config = aws_sdk_servicediscovery::Config::builder()
        .behavior_version(aws_sdk_servicediscovery::config::BehaviorVersion::latest())
        .endpoint_url(endpoint)
        .region(aws_sdk_servicediscovery::config::Region::new("us-east-1"))
        .credentials_provider(aws_credential_types::Credentials::new(
            "test",
            "test",
            None,
            None,
            "ecs-rs tests",
        ))
        .interceptor(super::MotoAccount(account.to_owned()))
        .build();
    aws_sdk_servicediscovery::Client::from_conf(config)
}

/// A Cloud Map SDK client for the local endpoint, in moto account `account`.
pub fn client(account: &str) -> aws_sdk_servicediscovery::Client {
    client_at(super::local_ecs::endpoint(), account)
}

/// The engine's Cloud Map client for the local endpoint, in moto account `account`, with the
/// quick engine retries of [`super::ecs_at`].
pub fn cloud_map(account: &str) -> CloudMap {
    CloudMap::from_client(client(account)).retries(ecs_deploy::Retries::new(
        8,
        std::time::Duration::from_millis(10),
        std::time::Duration::from_millis(200),
    ))
}

/// Cloud Map's asynchronous operations as AWS runs them, where moto 5.2.5 does not
/// ([`CloudMapScript`]): a proxy in front of the local endpoint that forwards every call and
/// rewrites GetOperation, following the Operation shape of the API reference
/// (<https://docs.aws.amazon.com/cloud-map/latest/api/API_Operation.html>,
/// <https://docs.aws.amazon.com/cloud-map/latest/api/API_GetOperation.html>):
///
/// - **An operation is not done at once.** Namespace creation and update answer an
///   `OperationId`; its `Status` is `SUBMITTED` ("the initial state immediately after you submit
///   a request"), then `PENDING` ("Cloud Map is performing the operation"), then `SUCCESS` or
///   `FAIL`. moto answers `SUCCESS` on the first GetOperation. With
///   [`CloudMapScript::pending_polls`] set to `n`, the first `n` GetOperation answers of each
///   operation say `SUBMITTED` (the first) and `PENDING` (the others), without `ErrorCode` and
///   `ErrorMessage`; moto's own answer follows.
/// - **An operation can fail.** With [`CloudMapScript::fail_next`], the next call of an
///   operation (`CreateHttpNamespace`, `UpdateHttpNamespace`...) is accepted with an
///   `OperationId` of the layer's and never reaches moto: nothing is created or changed, as
///   when the operation fails on AWS. Its GetOperation answers follow the pending polls, then
///   `Status: FAIL` with the `ErrorCode` (one of the values the Operation shape lists:
///   `ACCESS_DENIED`, `CANNOT_CREATE_HOSTED_ZONE`, `EXPIRED_TOKEN`, `HOSTED_ZONE_NOT_FOUND`,
///   `INTERNAL_FAILURE`, `INVALID_CHANGE_BATCH`, `THROTTLED_REQUEST`) and `ErrorMessage` given.
/// - **A discovery service with instances cannot be deleted** (played once
///   [`CloudMapScript::play_registered_instances`] is called). DeleteService "deletes a specified
///   service ... If the service still contains one or more registered instances, the request
///   fails" with `ResourceInUse` (HTTP 400, "you can't delete a service that contains any
///   instances", <https://docs.aws.amazon.com/cloud-map/latest/api/API_DeleteService.html>);
///   moto 5.2 deletes it anyway. The layer's model of "instances registered" is what ECS
///   registers: ECS registers each running task of a service whose `serviceRegistries` name the
///   discovery service and deregisters it when the task stops. So a DeleteService is refused
///   while an ACTIVE ECS service of the account (moto's ListClusters, ListServices,
///   DescribeServices) names the discovery service's ARN (GetService's `Arn`) in its
///   `serviceRegistries` and has a desired or running count above 0, or while moto's
///   ListInstances shows instances registered by hand. When the ECS services stop naming it,
///   the tasks of the deployment they replace still run for a while: a discovery service the
///   layer saw in use (at a GetService or a DeleteService) is refused for the next
///   `deregistration_polls` DeleteService calls too, then deleted.
#[derive(Debug, Clone)]
pub struct CloudMapScript {
    /// Where the clients send their calls.
    pub url: String,
    state: std::sync::Arc<std::sync::Mutex<ScriptState>>,
}

/// What the Cloud Map layer plays and remembers.
#[derive(Debug, Default)]
struct ScriptState {
    /// GetOperation answers of each operation that are not final yet.
    pending_polls: u32,
    /// GetOperation answers given so far, by operation id.
    polls: std::collections::HashMap<String, u32>,
    /// The operation whose next call fails: its name, the error code and message.
    fail_next: Option<(String, String, String)>,
    /// The operations of the layer's that fail: (type, error code, message) by operation id.
    failing: std::collections::HashMap<String, (String, String, String)>,
    /// Every GetOperation answer's `Status`, in order, with the operation id.
    statuses: Vec<(String, String)>,
    /// Whether DeleteService is refused while instances are registered, and for how many more
    /// calls once the ECS services left (their old tasks stopping).
    registered: Option<u32>,
    /// Discovery services (by id) seen with instances, and the refusals left once they have
    /// none.
    draining: std::collections::HashMap<String, u32>,
    /// Every DeleteService refused with `ResourceInUse`: the id, and what was registered
    /// (`service CLUSTER/NAME`, `N instances`, or `stopping tasks`).
    refused_deletes: Vec<(String, Vec<String>)>,
}

/// The target prefix of Cloud Map's awsJson1_1 calls (`X-Amz-Target`).
const TARGET_PREFIX: &str = "Route53AutoNaming_v20170314.";

impl CloudMapScript {
    /// Starts the proxy in front of `upstream` (moto's URL, or another layer's).
    pub fn start(upstream: &str) -> Self {
        let state = std::sync::Arc::new(std::sync::Mutex::new(ScriptState::default()));
        let url = super::script::listen(upstream, state.clone(), serve_cloud_map);
        Self { url, state }
    }

    /// The first `polls` GetOperation answers of each operation are not final.
    pub fn pending_polls(&self, polls: u32) {
        self.lock().pending_polls = polls;
    }

    /// The next call of `operation` starts an operation that ends `FAIL` with `code` and
    /// `message`, and changes nothing.
    pub fn fail_next(&self, operation: &str, code: &str, message: &str) {
        self.lock().fail_next = Some((operation.to_owned(), code.to_owned(), message.to_owned()));
    }

    /// The `Status` of every GetOperation answer, in order, with the operation's id.
    pub fn statuses(&self) -> Vec<(String, String)> {
        self.lock().statuses.clone()
    }

    /// DeleteService is refused with `ResourceInUse` while instances are registered in the
    /// discovery service (see the type's docs), and for `deregistration_polls` more calls once
    /// the ECS services stopped naming it.
    pub fn play_registered_instances(&self, deregistration_polls: u32) {
        self.lock().registered = Some(deregistration_polls);
    }

    /// Every DeleteService refused with `ResourceInUse`, in order: the id sent and what was
    /// registered.
    pub fn refused_deletes(&self) -> Vec<(String, Vec<String>)> {
        self.lock().refused_deletes.clone()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, ScriptState> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// The Operation `Type` a call starts (the Operation shape's values).
fn operation_type(operation: &str) -> &'static str {
    match operation {
        "CreatePrivateDnsNamespace" | "CreateHttpNamespace" | "CreatePublicDnsNamespace" => {
            "CREATE_NAMESPACE"
        }
        "DeleteNamespace" => "DELETE_NAMESPACE",
        "UpdateService" => "UPDATE_SERVICE",
        _ => "UPDATE_NAMESPACE",
    }
}

fn serve_cloud_map(
    mut client: std::net::TcpStream,
    upstream: &str,
    state: &std::sync::Mutex<ScriptState>,
) -> std::io::Result<()> {
    use super::script::{forward, header, read_message, respond};
    use serde_json::{Value, json};

    let (head, body) = read_message(&mut client)?;
    let operation = header(&head, "x-amz-target")
        .and_then(|t| t.strip_prefix(TARGET_PREFIX).map(str::to_owned))
        .unwrap_or_default();
    let lock = || state.lock().unwrap_or_else(|e| e.into_inner());
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64());
    let failing = {
        let mut state = lock();
        match state.fail_next.take() {
            Some((name, code, message)) if name == operation => {
                let id = format!(
                    "scripted-{}-{}",
                    operation.to_lowercase(),
                    state.failing.len()
                );
                state.failing.insert(
                    id.clone(),
                    (operation_type(&name).to_owned(), code, message),
                );
                Some(id)
            }
            other => {
                state.fail_next = other;
                None
            }
        }
    };
    if let Some(id) = failing {
        let body = json!({"OperationId": id}).to_string();
        return respond(&mut client, "200 OK", None, body.as_bytes());
    }
    let registered = lock().registered;
    if let Some(polls) = registered
        && matches!(operation.as_str(), "DeleteService" | "GetService")
    {
        let request: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
        let id = request
            .get("Id")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned();
        let users = registered_in(upstream, &head, &id)?;
        let mut state = lock();
        if !users.is_empty() {
            state.draining.insert(id.clone(), polls);
        }
        if operation == "DeleteService" {
            let stopping = users.is_empty()
                && state.draining.get_mut(&id).is_some_and(|left| {
                    let refuse = *left > 0;
                    *left = left.saturating_sub(1);
                    refuse
                });
            if !users.is_empty() || stopping {
                let users = if stopping {
                    vec!["stopping tasks".to_owned()]
                } else {
                    users
                };
                let message = format!(
                    "scripted: the service {id} contains registered instances ({})",
                    users.join(", ")
                );
                state.refused_deletes.push((id, users));
                drop(state);
                let body = json!({"__type": "ResourceInUse", "Message": message}).to_string();
                return respond(
                    &mut client,
                    "400 Bad Request",
                    Some("ResourceInUse"),
                    body.as_bytes(),
                );
            }
        }
    }
    if operation != "GetOperation" {
        let answer = forward(upstream, &head, &body)?;
        return respond(
            &mut client,
            &answer.status,
            answer.error_type.as_deref(),
            &answer.body,
        );
    }
    let request: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let id = request
        .get("OperationId")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    let (poll, pending, failing) = {
        let mut state = lock();
        let pending = state.pending_polls;
        let poll = state.polls.entry(id.clone()).or_insert(0);
        *poll += 1;
        let poll = *poll;
        (poll, pending, state.failing.get(&id).cloned())
    };
    let not_final = poll <= pending;
    let status_of = |answer: &Value| {
        answer
            .pointer("/Operation/Status")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned()
    };
    let (status, error, out) = match failing {
        Some((kind, code, message)) => {
            let mut operation = json!({
                "Id": id, "Type": kind, "Status": "FAIL",
                "ErrorCode": code, "ErrorMessage": message,
                "CreateDate": now, "UpdateDate": now, "Targets": {}
            });
            if not_final {
                operation["Status"] = json!(if poll == 1 { "SUBMITTED" } else { "PENDING" });
                if let Some(object) = operation.as_object_mut() {
                    object.remove("ErrorCode");
                    object.remove("ErrorMessage");
                }
            }
            let out = json!({"Operation": operation});
            ("200 OK".to_owned(), None, out.to_string().into_bytes())
        }
        None => {
            let answer = forward(upstream, &head, &body)?;
            let mut json: Option<Value> = serde_json::from_slice(&answer.body).ok();
            if not_final
                && answer.status.starts_with("200")
                && let Some(operation) = json
                    .as_mut()
                    .and_then(|j| j.get_mut("Operation"))
                    .and_then(Value::as_object_mut)
            {
                let status = if poll == 1 { "SUBMITTED" } else { "PENDING" };
                operation.insert("Status".to_owned(), json!(status));
                operation.remove("ErrorCode");
                operation.remove("ErrorMessage");
            }
            let out = json
                .as_ref()
                .map_or(answer.body, |j| j.to_string().into_bytes());
            (answer.status, answer.error_type, out)
        }
    };
    if let Ok(answer) = serde_json::from_slice::<Value>(&out) {
        lock().statuses.push((id, status_of(&answer)));
    }
    respond(&mut client, &status, error.as_deref(), &out)
}

/// `head` (a Cloud Map request's: its account, credentials) for the call `target` of the
/// service `scope` (the signing name moto routes by) with a body of `length` bytes.
fn head_for(head: &str, target: &str, scope: &str, length: usize) -> String {
    head.split("\r\n")
        .filter(|line| !line.is_empty())
        .map(|line| match line.split_once(':') {
            Some((name, _)) if name.trim().eq_ignore_ascii_case("x-amz-target") => {
                format!("X-Amz-Target: {target}")
            }
            Some((name, _)) if name.trim().eq_ignore_ascii_case("content-length") => {
                format!("Content-Length: {length}")
            }
            Some((name, value)) if name.trim().eq_ignore_ascii_case("authorization") => {
                format!(
                    "{name}:{}",
                    value.replace("/servicediscovery/", &format!("/{scope}/"))
                )
            }
            _ => line.to_owned(),
        })
        .map(|line| line + "\r\n")
        .chain(std::iter::once("\r\n".to_owned()))
        .collect()
}

/// Sends moto the call `operation` of `scope` (`ecs` or `servicediscovery`) with `input`, in
/// the account of the request whose head is `head`; its JSON answer, `None` on an error.
fn call(
    upstream: &str,
    head: &str,
    scope: &str,
    operation: &str,
    input: &serde_json::Value,
) -> std::io::Result<Option<serde_json::Value>> {
    let target = match scope {
        "ecs" => format!("AmazonEC2ContainerServiceV20141113.{operation}"),
        _ => format!("{TARGET_PREFIX}{operation}"),
    };
    let body = input.to_string();
    let head = head_for(head, &target, scope, body.len());
    let answer = super::script::forward(upstream, &head, body.as_bytes())?;
    if !answer.status.starts_with("200") {
        return Ok(None);
    }
    Ok(serde_json::from_slice(&answer.body).ok())
}

/// What is registered in the discovery service `id`, as the layer models it (see
/// [`CloudMapScript`]): `service CLUSTER/NAME` for each ACTIVE ECS service naming its ARN in
/// `serviceRegistries` with a desired or running count above 0, and `N instances` for the
/// instances moto's ListInstances shows. Nothing when moto does not know `id`.
fn registered_in(upstream: &str, head: &str, id: &str) -> std::io::Result<Vec<String>> {
    use serde_json::{Value, json};

    let strings = |value: Option<&Value>| -> Vec<String> {
        value
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .map(str::to_owned)
            .collect()
    };
    let described = call(
        upstream,
        head,
        "servicediscovery",
        "GetService",
        &json!({"Id": id}),
    )?;
    let Some(arn) = described
        .as_ref()
        .and_then(|d| d.pointer("/Service/Arn"))
        .and_then(Value::as_str)
        .map(str::to_owned)
    else {
        return Ok(Vec::new());
    };
    let mut users = Vec::new();
    let clusters = call(upstream, head, "ecs", "ListClusters", &json!({}))?;
    for cluster in strings(clusters.as_ref().and_then(|c| c.get("clusterArns"))) {
        let listed = call(
            upstream,
            head,
            "ecs",
            "ListServices",
            &json!({"cluster": cluster}),
        )?;
        let services = strings(listed.as_ref().and_then(|l| l.get("serviceArns")));
        for chunk in services.chunks(10) {
            let input = json!({"cluster": cluster, "services": chunk});
            let described = call(upstream, head, "ecs", "DescribeServices", &input)?;
            let found = described
                .as_ref()
                .and_then(|d| d.get("services"))
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default();
            for service in found {
                let names_it = service["serviceRegistries"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .any(|r| r["registryArn"].as_str() == Some(arn.as_str()));
                let count = |member: &str| service[member].as_i64().unwrap_or(0);
                if names_it
                    && service["status"].as_str() == Some("ACTIVE")
                    && (count("desiredCount") > 0 || count("runningCount") > 0)
                {
                    let cluster_name = cluster.rsplit('/').next().unwrap_or(&cluster);
                    let name = service["serviceName"].as_str().unwrap_or_default();
                    users.push(format!("service {cluster_name}/{name}"));
                }
            }
        }
    }
    let instances = call(
        upstream,
        head,
        "servicediscovery",
        "ListInstances",
        &json!({"ServiceId": id}),
    )?;
    let count = instances
        .as_ref()
        .and_then(|i| i.get("Instances"))
        .and_then(Value::as_array)
        .map_or(0, Vec::len);
    if count > 0 {
        users.push(format!("{count} instances"));
    }
    Ok(users)
}
