//! Service Connect namespaces as AWS answers them ([`super::Scripted::echo_service_connect`]).
//!
//! What moto does: its CreateCluster and UpdateCluster store `serviceConnectDefaults` as sent
//! and DescribeClusters answers it unchanged (a namespace written by name stays a name, `""`
//! stays `""`), and it creates no Cloud Map namespace for a new name; its CreateService and
//! UpdateService drop `serviceConnectConfiguration` (moto's Service has no such member), so no
//! deployment shows it.
//!
//! What AWS does (API reference, ClusterServiceConnectDefaultsRequest,
//! <https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ClusterServiceConnectDefaultsRequest.html>,
//! and ServiceConnectConfiguration,
//! <https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ServiceConnectConfiguration.html>):
//! the namespace is a name or an ARN; "If you enter an existing namespace name or ARN, then that
//! namespace will be used"; "If you enter a new name, a Cloud Map namespace will be created"
//! (an HTTP namespace); an empty string removes the cluster's Service Connect configuration.
//! DescribeClusters answers the namespace's ARN (ClusterServiceConnectDefaults), and
//! DescribeServices shows each deployment's `serviceConnectConfiguration` (Deployment), the
//! namespace as its ARN, the cluster's default namespace when the service named none.
//!
//! The layer plays that: before CreateCluster or UpdateCluster reaches moto, a name that no
//! Cloud Map namespace has is created as an HTTP namespace (on moto, through its Cloud Map
//! API); every cluster in an answer shows its default namespace as the ARN (or no
//! `serviceConnectDefaults` after `""`); and the `serviceConnectConfiguration` a service was
//! created or last updated with (UpdateService replaces it when sent, keeps it when not) is
//! shown on the service's PRIMARY deployment, its namespace as the ARN.

use std::collections::HashMap;

use serde_json::{Value, json};

use super::request_head::call_as;
use super::{Answer, ServiceKey, answered, header, services_of};

/// The Service Connect configuration of each service, as sent (the namespace resolved), and
/// each cluster's default namespace ARN, by account and cluster name.
#[derive(Debug, Default)]
pub(super) struct Connect {
    services: HashMap<ServiceKey, Value>,
    defaults: HashMap<(String, String), String>,
}

/// Whether the layer needs the account's namespaces to answer `operation`.
pub(super) fn concerns(operation: &str) -> bool {
    matches!(
        operation,
        "CreateCluster"
            | "UpdateCluster"
            | "DescribeClusters"
            | "CreateService"
            | "UpdateService"
            | "DescribeServices"
    )
}

/// The account's Cloud Map namespaces (name to ARN), asked of moto with the headers of the
/// ECS request `head`; for CreateCluster and UpdateCluster, a namespace name the request sends
/// that none has is first created, as ECS does.
pub(super) fn namespaces(
    upstream: &str,
    head: &str,
    operation: &str,
    request: &Value,
) -> std::io::Result<HashMap<String, String>> {
    let mut arns = listed(upstream, head)?;
    let sent = request
        .pointer("/serviceConnectDefaults/namespace")
        .and_then(Value::as_str)
        .filter(|n| !n.is_empty() && !n.starts_with("arn:"));
    if let Some(name) = sent
        && matches!(operation, "CreateCluster" | "UpdateCluster")
        && !arns.contains_key(name)
    {
        cloud_map(
            upstream,
            head,
            "CreateHttpNamespace",
            &json!({"Name": name}),
        )?;
        arns = listed(upstream, head)?;
    }
    Ok(arns)
}

fn listed(upstream: &str, head: &str) -> std::io::Result<HashMap<String, String>> {
    let answer = cloud_map(
        upstream,
        head,
        "ListNamespaces",
        &json!({"MaxResults": 100}),
    )?;
    let body: Value = serde_json::from_slice(&answer.body).unwrap_or(Value::Null);
    let text = |n: &Value, k: &str| n.get(k).and_then(Value::as_str).map(str::to_owned);
    Ok(body["Namespaces"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|n| Some((text(n, "Name")?, text(n, "Arn")?)))
        .collect())
}

/// Sends moto the Cloud Map call `operation`: the ECS request's headers (account, credentials)
/// with Cloud Map's target and signing scope, which is how moto's server picks the service.
fn cloud_map(
    upstream: &str,
    head: &str,
    operation: &str,
    input: &Value,
) -> std::io::Result<Answer> {
    if header(head, "x-amz-target").is_none() {
        return Err(std::io::Error::other("not a JSON-protocol request"));
    }
    call_as(
        upstream,
        head,
        &format!("Route53AutoNaming_v20170314.{operation}"),
        Some("servicediscovery"),
        input,
    )
}

/// `namespace` as AWS shows it: the ARN of the namespace of that name, else as written.
fn arn_of(namespace: &str, arns: &HashMap<String, String>) -> String {
    arns.get(namespace)
        .cloned()
        .unwrap_or_else(|| namespace.to_owned())
}

impl Connect {
    /// Remembers what a call that took effect sent (unless the answer was replayed), then
    /// writes the clusters' defaults and the services' configurations into the answer.
    pub(super) fn echo(
        &mut self,
        (operation, account): (&str, &str),
        request: &Value,
        answer: &mut Value,
        replay: bool,
        arns: &HashMap<String, String>,
    ) {
        let clusters: Vec<&mut Value> = match operation {
            "CreateCluster" | "UpdateCluster" => answer.get_mut("cluster").into_iter().collect(),
            "DescribeClusters" => answer
                .get_mut("clusters")
                .and_then(Value::as_array_mut)
                .map(|c| c.iter_mut().collect())
                .unwrap_or_default(),
            _ => Vec::new(),
        };
        for cluster in clusters {
            let Some(fields) = cluster.as_object_mut() else {
                continue;
            };
            let name = fields
                .get("clusterName")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned();
            let key = (account.to_owned(), name);
            let namespace = fields
                .get("serviceConnectDefaults")
                .and_then(|d| d.get("namespace"))
                .and_then(Value::as_str)
                .map(|n| arn_of(n, arns));
            match namespace {
                Some(arn) if !arn.is_empty() => {
                    fields.insert("serviceConnectDefaults".into(), json!({"namespace": arn}));
                    self.defaults.insert(key, arn);
                }
                _ => {
                    fields.remove("serviceConnectDefaults");
                    self.defaults.remove(&key);
                }
            }
        }
        for service in services_of(operation, answer) {
            let Some(key) = answered(account, service) else {
                continue;
            };
            let sent = request
                .get("serviceConnectConfiguration")
                .filter(|v| v.is_object());
            if let (Some(sent), false, "CreateService" | "UpdateService") =
                (sent, replay, operation)
            {
                let mut held = sent.clone();
                let named = held
                    .get("namespace")
                    .and_then(Value::as_str)
                    .map(str::to_owned);
                let default = self.defaults.get(&(key.0.clone(), key.1.clone())).cloned();
                let enabled = held.get("enabled") == Some(&Value::Bool(true));
                let namespace = match named.filter(|n| !n.is_empty()) {
                    Some(name) => Some(arn_of(&name, arns)),
                    None => default.filter(|_| enabled),
                };
                if let (Some(namespace), Some(fields)) = (namespace, held.as_object_mut()) {
                    fields.insert("namespace".into(), Value::from(namespace));
                }
                self.services.insert(key.clone(), held);
            }
            let Some(held) = self.services.get(&key) else {
                continue;
            };
            let deployments = service
                .get_mut("deployments")
                .and_then(Value::as_array_mut)
                .into_iter()
                .flatten();
            for deployment in deployments {
                if deployment.get("status").and_then(Value::as_str) == Some("PRIMARY")
                    && let Some(fields) = deployment.as_object_mut()
                {
                    fields.insert("serviceConnectConfiguration".into(), held.clone());
                }
            }
        }
    }
}
