//! Calls to AWS IAM through `aws-sdk-iam` (the `iam` feature): GetRole, for `verify`.
//!
//! # Why this client converts
//!
//! IAM speaks `awsQuery` (a form-encoded request, an XML answer), like ELBv2, so the raw JSON
//! body of the [parent module](super) cannot be sent as is. As
//! [`load_balancing`](super::load_balancing) does, this client keeps the parent's shape
//! (`call(operation, &Value) -> Value`, its retries and call counts) and converts at the edge:
//! the JSON request's `RoleName` goes into the SDK's typed builder, and the typed answer is
//! written back as the AWS JSON of GetRoleResponse (`{"Role": {"RoleName", "Arn", "Path",
//! "AssumeRolePolicyDocument", ...}}`). Only GetRole is needed, so the conversion is small.
//!
//! GetRole takes the role's *name* (not its path nor ARN), answers its trust policy
//! `AssumeRolePolicyDocument` URL-encoded (RFC 3986), and `NoSuchEntity` (HTTP 404) when there is
//! no such role (<https://docs.aws.amazon.com/IAM/latest/APIReference/API_GetRole.html>; the
//! encoding: <https://docs.aws.amazon.com/IAM/latest/APIReference/API_Role.html>). IAM is
//! eventually consistent: a role made a moment ago may not be seen yet
//! (<https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_general.html#troubleshoot_general_eventual-consistency>).

use aws_sdk_iam as iam;
use serde_json::{Map, Value, json};

use super::{Api, AwsError, Client, Clients, Operation, RawJson, RawSend, classify, sealed};

/// The IAM client: [`Client`] over `aws-sdk-iam`, with the methods of [`Ecs`](super::Ecs)
/// (`new`, `call`, `calls`, `retries`).
pub type Iam = Client<iam::Client>;

impl sealed::Sealed for iam::Client {}

impl RawSend for iam::Client {
    const API: Api = Api::Iam;

    fn from_config(config: &aws_types::SdkConfig) -> Self {
        Self::new(config)
    }

    /// Reads the JSON request into the SDK's builder, sends it, and keeps the answer as JSON in
    /// `raw` (see the module documentation).
    async fn send_raw(&self, operation: Operation, raw: RawJson) -> Result<(), AwsError> {
        let input: Value = serde_json::from_slice(&raw.request)
            .map_err(|source| AwsError::Request { operation, source })?;
        let answer = match operation {
            Operation::GetRole => get_role(self, &input).await?,
            other => {
                return Err(AwsError::WrongClient {
                    operation: other,
                    api: Api::Iam,
                });
            }
        };
        let bytes = serde_json::to_vec(&answer)
            .map_err(|source| AwsError::Response { operation, source })?;
        if let Ok(mut slot) = raw.response.lock() {
            *slot = Some(bytes);
        }
        Ok(())
    }
}

impl Clients {
    /// Calls IAM through `iam`.
    pub fn iam(mut self, iam: Iam) -> Self {
        self.iam = Some(iam);
        self
    }
}

/// GetRole with the request's `RoleName`; every other member is refused, as the typed SDK could
/// not send it.
async fn get_role(client: &iam::Client, input: &Value) -> Result<Value, AwsError> {
    let operation = Operation::GetRole;
    let unknown: Vec<String> = input
        .as_object()
        .map(|o| o.keys().filter(|k| *k != "RoleName").cloned().collect())
        .unwrap_or_default();
    if !unknown.is_empty() {
        return Err(AwsError::Unsendable {
            operation,
            members: unknown,
        });
    }
    let name = input.get("RoleName").and_then(Value::as_str);
    let output = client
        .get_role()
        .set_role_name(name.map(str::to_owned))
        .send()
        .await
        .map_err(|e| classify(operation, e))?;
    Ok(match output.role() {
        Some(role) => json!({ "Role": role_json(role) }),
        None => json!({}),
    })
}

/// A role as the AWS JSON of the `Role` shape (the members `verify` reads, and a few more).
fn role_json(role: &iam::types::Role) -> Value {
    let mut out = Map::new();
    out.insert("Path".into(), json!(role.path()));
    out.insert("RoleName".into(), json!(role.role_name()));
    out.insert("RoleId".into(), json!(role.role_id()));
    out.insert("Arn".into(), json!(role.arn()));
    out.insert("CreateDate".into(), json!(role.create_date().secs()));
    if let Some(document) = role.assume_role_policy_document() {
        out.insert("AssumeRolePolicyDocument".into(), json!(document));
    }
    if let Some(description) = role.description() {
        out.insert("Description".into(), json!(description));
    }
    if let Some(duration) = role.max_session_duration() {
        out.insert("MaxSessionDuration".into(), json!(duration));
    }
    Value::Object(out)
}
