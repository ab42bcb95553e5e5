//! Cloud Map: the namespaces Service Connect names (a cluster's
//! `serviceConnectDefaults.namespace`, a service's `serviceConnectConfiguration.namespace`, by
//! name or ARN) and the Cloud Map services a service registers in
//! (`serviceRegistries[].registryArn`) exist; the stack's own `namespaces` and
//! `discoveryServices` are created by the stack.
//!
//! Cloud Map GetNamespace and GetService take the id (the last segment of the ARN,
//! `ns-...`/`srv-...`) and answer `NamespaceNotFound` / `ServiceNotFound`
//! (<https://docs.aws.amazon.com/cloud-map/latest/api/API_GetNamespace.html>,
//! <https://docs.aws.amazon.com/cloud-map/latest/api/API_GetService.html>); a namespace named
//! by name is looked for in ListNamespaces, paged with `NextToken`
//! (<https://docs.aws.amazon.com/cloud-map/latest/api/API_ListNamespaces.html>). A namespace
//! Service Connect names that does not exist is not an error for ECS (it creates an HTTP
//! namespace of that name), so it is reported as skipped, saying so.

use ecs_model::JsonPath;
use serde_json::{Value, json};

use super::{CheckKind, Found, Outcome, Target, Targets, each, text};
use crate::aws::{AwsError, Clients, Operation};

/// The most pages of ListNamespaces read.
const MAX_PAGES: usize = 20;

/// The namespaces and discovery services the stack's clusters and services name.
pub(crate) fn collect(doc: &Value, targets: &mut Targets) {
    let root = JsonPath::root();
    let own_namespaces: Vec<&str> = each(doc, "namespaces", &root)
        .filter_map(|(n, _)| text(n, "Name"))
        .collect();
    let own_services: Vec<&str> = each(doc, "discoveryServices", &root)
        .filter_map(|(s, _)| text(s, "Name"))
        .collect();
    let namespace = |targets: &mut Targets, name: &str, path: JsonPath| {
        let target = targets.add(CheckKind::Namespace, name, path);
        if own_namespaces.contains(&name) {
            target.with("own", "true");
        }
    };
    for (cluster, at) in each(doc, "clusters", &root) {
        if let Some(name) = cluster
            .get("serviceConnectDefaults")
            .and_then(|d| text(d, "namespace"))
        {
            let path = at.key("serviceConnectDefaults").key("namespace");
            namespace(targets, name, path);
        }
    }
    for (service, at) in each(doc, "services", &root) {
        if let Some(name) = service
            .get("serviceConnectConfiguration")
            .and_then(|c| text(c, "namespace"))
        {
            let path = at
                .clone()
                .key("serviceConnectConfiguration")
                .key("namespace");
            namespace(targets, name, path);
        }
        for (registry, at) in each(service, "serviceRegistries", &at) {
            if let Some(arn) = text(registry, "registryArn") {
                let target = targets.add(CheckKind::DiscoveryService, arn, at.key("registryArn"));
                if own_services.contains(&arn) {
                    target.with("own", "true");
                }
            }
        }
    }
}

/// The id at the end of a Cloud Map ARN (`.../ns-abc` is `ns-abc`).
fn id_of(arn: &str) -> &str {
    arn.rsplit('/').next().unwrap_or(arn)
}

/// Looks the namespace or discovery service up.
pub(crate) async fn check(clients: &Clients, target: &Target) -> Result<Found, AwsError> {
    let subject = target.subject.as_str();
    if target.extra("own") == Some("true") {
        return Ok((Outcome::Skipped("created by this stack".to_owned()), None));
    }
    if target.kind == CheckKind::DiscoveryService {
        if !subject.starts_with("arn:") {
            return Ok((
                Outcome::Failed(format!("{subject} is neither an ARN nor a discovery service of the stack")),
                Some("name the Cloud Map service by its ARN, or add it to the stack's discoveryServices".to_owned()),
            ));
        }
        let input = json!({ "Id": id_of(subject) });
        return match clients.call(Operation::GetDiscoveryService, &input).await {
            Ok(answer) => {
                let name = answer
                    .get("Service")
                    .and_then(|s| text(s, "Name"))
                    .unwrap_or(subject);
                Ok((Outcome::Ok(format!("Cloud Map service {name}")), None))
            }
            Err(e) if e.is_not_found() => Ok((
                Outcome::Failed(format!("no Cloud Map service {subject}")),
                Some(
                    "create it, add it to the stack's discoveryServices, or correct the ARN"
                        .to_owned(),
                ),
            )),
            Err(e) => Err(e),
        };
    }
    if subject.starts_with("arn:") {
        let input = json!({ "Id": id_of(subject) });
        return match clients.call(Operation::GetNamespace, &input).await {
            Ok(answer) => {
                let name = answer.get("Namespace").and_then(|n| text(n, "Name")).unwrap_or(subject);
                Ok((Outcome::Ok(format!("namespace {name}")), None))
            }
            Err(e) if e.is_not_found() => Ok((
                Outcome::Failed(format!("no namespace {subject}")),
                Some("create it, add it to the stack's namespaces, or name it by name (ECS then creates an HTTP namespace)".to_owned()),
            )),
            Err(e) => Err(e),
        };
    }
    let mut token: Option<String> = None;
    for _ in 0..MAX_PAGES {
        let mut input = json!({});
        if let Some(token) = &token {
            input["NextToken"] = json!(token);
        }
        let answer = clients.call(Operation::ListNamespaces, &input).await?;
        let found = answer
            .get("Namespaces")
            .and_then(Value::as_array)
            .and_then(|list| list.iter().find(|n| text(n, "Name") == Some(subject)));
        if let Some(namespace) = found {
            let arn = text(namespace, "Arn").unwrap_or(subject);
            return Ok((Outcome::Ok(arn.to_owned()), None));
        }
        match text(&answer, "NextToken") {
            Some(next) if !next.is_empty() => token = Some(next.to_owned()),
            _ => break,
        }
    }
    Ok((
        Outcome::Skipped(format!(
            "no namespace {subject} yet: ECS creates an HTTP namespace of that name"
        )),
        None,
    ))
}
