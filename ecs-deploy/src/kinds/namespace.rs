//! Cloud Map namespaces (private DNS and HTTP): observed with ListNamespaces and
//! ListTagsForResource, compared with the stack's, then created, updated in place (description,
//! SOA TTL) or tagged; and the apply of every Cloud Map step, which waits for Cloud Map's
//! asynchronous operations.
//!
//! AWS API reference:
//! - CreatePrivateDnsNamespace and CreateHttpNamespace are asynchronous: they answer an
//!   `OperationId`, and GetOperation tells when it is `SUCCESS` (its `Targets.NAMESPACE` is the
//!   new namespace's id) or `FAIL`. `CreatorRequestId` makes a retried creation safe
//!   (<https://docs.aws.amazon.com/cloud-map/latest/api/API_CreatePrivateDnsNamespace.html>,
//!   <https://docs.aws.amazon.com/cloud-map/latest/api/API_GetOperation.html>).
//! - UpdatePrivateDnsNamespace and UpdateHttpNamespace change the description and (private
//!   DNS) the SOA record's TTL, asynchronously too; `UpdaterRequestId` makes a retry safe
//!   (<https://docs.aws.amazon.com/cloud-map/latest/api/API_UpdatePrivateDnsNamespace.html>).
//! - DeleteNamespace fails with `ResourceInUse` while the namespace holds services
//!   (<https://docs.aws.amazon.com/cloud-map/latest/api/API_DeleteNamespace.html>).
//! - ListNamespaces answers no VPC for a private DNS namespace (its `Properties` hold the hosted
//!   zone and SOA): the VPC is not compared, and a namespace moved to another VPC must get
//!   another name.
//! - TagResource adds the tags it is given and leaves the resource's others as they are ("Adds
//!   one or more tags to the specified resource",
//!   <https://docs.aws.amazon.com/cloud-map/latest/api/API_TagResource.html>; "Add or
//!   overwrite one or more tags", <https://docs.aws.amazon.com/cloud-map/latest/dg/tag-resources-api-sdk.html>);
//!   UntagResource removes the keys it names
//!   (<https://docs.aws.amazon.com/cloud-map/latest/api/API_UntagResource.html>).
//!
//! # Ownership
//!
//! A namespace, and a discovery service, is the stack's when it carries the stack's tag. One the
//! stack names without it is not managed, unless the plan adopts it ([`Options::adopt`]: it
//! carries no stack's tag; the observation reads the namespaces the stack names, and every
//! discovery service of those, whatever their tags): it is then planned as the stack's, and
//! its tag steps add the stack's tag with TagResource, then remove the tags the stack does not
//! set, as for any resource of the stack. Pruning and destroying delete only what carries the
//! stack's tag.

#[cfg(feature = "cloud-map")]
use std::collections::BTreeMap;
use std::collections::BTreeSet;
use std::time::Instant;

use ecs_model::Namespace;
use ecs_model::cloud_map::{
    DeleteNamespaceRequest, HttpNamespaceChange, PrivateDnsNamespaceChange,
    PrivateDnsNamespacePropertiesChange, PrivateDnsPropertiesMutableChange, SOAChange,
    UpdateHttpNamespaceRequest, UpdatePrivateDnsNamespaceRequest,
};
#[cfg(feature = "cloud-map")]
use futures::stream::{self, StreamExt, TryStreamExt};
use serde_json::{Value, json};

use crate::apply::{Failure, Waiting};
#[cfg(feature = "cloud-map")]
use crate::aws::AwsError;
use crate::aws::{Clients, Operation};
use crate::diff::diff;
use crate::ownership::{adoptable, ownership};
use crate::plan::*;
#[cfg(any(feature = "cloud-map", test))]
use crate::state::{CloudMapNamespace, DiscoveryService};
use crate::wait::WaitOptions;

#[cfg(feature = "cloud-map")]
/// The namespaces and discovery services observed.
pub(crate) type Observed = (
    BTreeMap<String, CloudMapNamespace>,
    BTreeMap<(String, String), DiscoveryService>,
);

#[cfg(feature = "cloud-map")]
/// Which namespaces to read: those named, those of the ids given, and (for pruning and
/// destroying) every namespace carrying the stack's tag.
pub(crate) struct Wanted<'a> {
    pub(crate) names: BTreeSet<String>,
    pub(crate) ids: BTreeSet<String>,
    pub(crate) tagged: Option<&'a str>,
}

#[cfg(feature = "cloud-map")]
/// Reads the namespaces `wanted` names with ListNamespaces (a call per 100), their tags, and
/// the discovery services of each with ListServices filtered by namespace id, each read with
/// GetService (the only answer that names its namespace) and its tags (a ListTagsForResource
/// call per resource).
pub(crate) async fn observe(
    clients: &Clients,
    wanted: &Wanted<'_>,
    concurrency: usize,
) -> Result<Observed, AwsError> {
    let summaries = list(
        clients,
        Operation::ListNamespaces,
        json!({"MaxResults": 100}),
        "Namespaces",
    )
    .await?;
    let candidates: Vec<Value> = summaries
        .into_iter()
        .filter(|n| {
            let text = |k: &str| n.get(k).and_then(Value::as_str).unwrap_or_default();
            wanted.tagged.is_some()
                || wanted.names.contains(text("Name"))
                || wanted.ids.contains(text("Id"))
        })
        .collect();
    let tagged: Vec<(Value, Value)> = stream::iter(candidates)
        .map(|summary| async move {
            let tags = tags_of(clients, &summary).await?;
            Ok::<_, AwsError>((summary, tags))
        })
        .buffer_unordered(concurrency.max(1))
        .try_collect()
        .await?;
    let mut namespaces = BTreeMap::new();
    for (summary, tags) in tagged {
        let Some(found) = namespace_of(&summary, tags) else {
            continue;
        };
        let name = found.input.name().unwrap_or_default().to_owned();
        let named = wanted.names.contains(&name) || wanted.ids.contains(&found.id);
        let owned = wanted
            .tagged
            .is_some_and(|stack| crate::ownership::tagged(&found.tags(), stack));
        if named || owned {
            namespaces.insert(name, found);
        }
    }
    let listed: Vec<Vec<(String, Value, Value)>> = stream::iter(namespaces.clone())
        .map(|(name, namespace)| async move {
            let filter = json!({"Filters": [
                {"Name": "NAMESPACE_ID", "Values": [namespace.id], "Condition": "EQ"}
            ], "MaxResults": 100});
            let services = list(
                clients,
                Operation::ListDiscoveryServices,
                filter,
                "Services",
            )
            .await?;
            let mut out = Vec::new();
            for summary in services {
                // GetService answers the namespace (a summary does not): a service is kept
                // only when it is in this namespace, whatever the listing's filter did.
                let Some(id) = summary.get("Id").and_then(Value::as_str) else {
                    continue;
                };
                let service = match clients
                    .call(Operation::GetDiscoveryService, &json!({"Id": id}))
                    .await
                {
                    Ok(answer) => answer.get("Service").cloned().unwrap_or_default(),
                    Err(e) if e.is_not_found() => continue,
                    Err(e) => return Err(e),
                };
                if service.get("NamespaceId").and_then(Value::as_str) != Some(&namespace.id) {
                    continue;
                }
                let tags = tags_of(clients, &service).await?;
                out.push((name.clone(), service, tags));
            }
            Ok::<_, AwsError>(out)
        })
        .buffer_unordered(concurrency.max(1))
        .try_collect()
        .await?;
    let mut services = BTreeMap::new();
    for (namespace, summary, tags) in listed.into_iter().flatten() {
        let Some(id) = namespaces.get(&namespace).map(|n| n.id.clone()) else {
            continue;
        };
        if let Some(found) = discovery_service_of(&summary, tags, &namespace, &id) {
            let name = found.input.name.clone().unwrap_or_default();
            services.insert((namespace.clone(), name), found);
        }
    }
    Ok((namespaces, services))
}

#[cfg(feature = "cloud-map")]
/// The tags of the resource a summary describes (its `Arn`), as `[{Key, Value}]`.
async fn tags_of(clients: &Clients, summary: &Value) -> Result<Value, AwsError> {
    let Some(arn) = summary.get("Arn").and_then(Value::as_str) else {
        return Ok(json!([]));
    };
    match clients
        .call(Operation::ListCloudMapTags, &json!({"ResourceARN": arn}))
        .await
    {
        Ok(answer) => Ok(answer.get("Tags").cloned().unwrap_or(json!([]))),
        // Deleted between the listing and now.
        Err(e) if e.is_not_found() || e.code() == Some("ResourceNotFoundException") => {
            Ok(json!([]))
        }
        Err(e) => Err(e),
    }
}

#[cfg(feature = "cloud-map")]
/// Every entry of the list `key` of `operation`'s answers, following `NextToken`.
async fn list(
    clients: &Clients,
    operation: Operation,
    mut input: Value,
    key: &str,
) -> Result<Vec<Value>, AwsError> {
    let mut out = Vec::new();
    loop {
        let answer = clients.call(operation, &input).await?;
        out.extend(
            answer
                .get(key)
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .cloned(),
        );
        match answer.get("NextToken").and_then(Value::as_str) {
            Some(token) if !token.is_empty() && input.get("NextToken") != Some(&json!(token)) => {
                input["NextToken"] = json!(token);
            }
            _ => return Ok(out),
        }
    }
}

#[cfg(any(feature = "cloud-map", test))]
/// A namespace summary (ListNamespaces) rendered as the stack entry that would create it; a
/// public DNS namespace (not a kind of the stack) is left out.
pub(crate) fn namespace_of(summary: &Value, tags: Value) -> Option<CloudMapNamespace> {
    let text = |k: &str| summary.get(k).and_then(Value::as_str).map(str::to_owned);
    let (id, arn, name) = (text("Id")?, text("Arn")?, text("Name")?);
    let mut input = json!({"Name": name, "Tags": tags});
    if let Some(description) = text("Description") {
        input["Description"] = json!(description);
    }
    let input = match text("Type").as_deref() {
        Some("DNS_PRIVATE") => {
            if let Some(ttl) = summary.pointer("/Properties/DnsProperties/SOA/TTL") {
                input["Properties"] = json!({"DnsProperties": {"SOA": {"TTL": ttl}}});
            }
            Namespace::PrivateDns(Box::new(ecs_model::load::from_value(&input).value?))
        }
        Some("HTTP") => Namespace::Http(Box::new(ecs_model::load::from_value(&input).value?)),
        _ => return None,
    };
    Some(CloudMapNamespace {
        id,
        arn,
        service_count: summary
            .get("ServiceCount")
            .and_then(Value::as_i64)
            .and_then(|c| i32::try_from(c).ok()),
        input,
    })
}

#[cfg(any(feature = "cloud-map", test))]
/// A discovery service (GetService's `Service`) rendered as the CreateService input that would
/// make it as it is.
pub(crate) fn discovery_service_of(
    summary: &Value,
    tags: Value,
    namespace: &str,
    namespace_id: &str,
) -> Option<DiscoveryService> {
    let text = |k: &str| summary.get(k).and_then(Value::as_str).map(str::to_owned);
    let (id, arn, name) = (text("Id")?, text("Arn")?, text("Name")?);
    let mut input = json!({"Name": name, "NamespaceId": namespace_id, "Tags": tags});
    for key in [
        "Description",
        "DnsConfig",
        "HealthCheckConfig",
        "HealthCheckCustomConfig",
    ] {
        if let Some(value) = summary.get(key) {
            input[key] = value.clone();
        }
    }
    // CreateService takes `Type: HTTP` only (a service found by API calls alone); AWS answers
    // DNS_HTTP or DNS for the others, which a request never names.
    if text("Type").as_deref() == Some("HTTP") {
        input["Type"] = json!("HTTP");
    }
    Some(DiscoveryService {
        id,
        arn,
        namespace: namespace.to_owned(),
        instance_count: summary
            .get("InstanceCount")
            .and_then(Value::as_i64)
            .and_then(|c| i32::try_from(c).ok()),
        input: ecs_model::load::from_value(&input).value?,
    })
}

/// A `CreatorRequestId` of the planner's: the same for the stack's resource every time, so a
/// retried creation is recognized; [`crate::apply`] makes it its own per apply, as it does
/// ECS's `clientToken`.
pub(crate) fn creator_request_id(stack: &str, kind: &str, name: &str) -> String {
    let hash = crate::kinds::service::fnv1a(format!("{stack}/{kind}/{name}").into_bytes());
    format!("ecs-rs-{hash:016x}")
}

/// The JSON of a namespace entry, normalized for comparison: the VPC and `CreatorRequestId`
/// (which no answer shows) left out, an empty description as none, tags in key order
/// ([`super::sort_api_tags`]).
fn comparable(namespace: &Namespace) -> Value {
    let mut value = to_json(namespace);
    if let Some(object) = value.as_object_mut() {
        object.remove("Vpc");
        object.remove("CreatorRequestId");
        if object.get("Description") == Some(&json!("")) {
            object.remove("Description");
        }
    }
    super::sort_api_tags(&mut value);
    if let Some(object) = value.as_object_mut()
        && object.get("Tags") == Some(&json!([]))
    {
        object.remove("Tags");
    }
    value
}

pub(crate) fn plan(desired: &Namespace, actual: &Actual, options: &Options) -> Change {
    let name = desired.name().unwrap_or_default().to_owned();
    let address = Address::Namespace { name: name.clone() };
    let mut wanted = desired.clone();
    let token = creator_request_id(&options.stack, "namespace", &name);
    match &mut wanted {
        Namespace::PrivateDns(input) => {
            input.tags = Some(crate::ownership::owned_tags(&input.tags, options));
            input.creator_request_id.get_or_insert(token);
        }
        Namespace::Http(input) => {
            input.tags = Some(crate::ownership::owned_tags(&input.tags, options));
            input.creator_request_id.get_or_insert(token);
        }
        _ => {}
    }
    let Some(existing) = actual.namespaces.get(&name) else {
        let step = match wanted {
            Namespace::PrivateDns(input) => Step::CreatePrivateDnsNamespace(*input),
            Namespace::Http(input) => Step::CreateHttpNamespace(*input),
            _ => {
                return blocked(
                    address,
                    Vec::new(),
                    Reason::CloudMapReplaced {
                        member: "Type".to_owned(),
                    },
                );
            }
        };
        return creation(address, step);
    };
    if let Err(reason) = adoptable(&existing.tags(), options) {
        return not_managed(address, reason);
    }
    let mut kept = Vec::new();
    // A private DNS namespace whose SOA TTL the stack does not set keeps AWS's.
    if let (Namespace::PrivateDns(want), Namespace::PrivateDns(have)) =
        (&mut wanted, &existing.input)
    {
        keep_picked(
            &mut want.properties,
            &have.properties,
            ecs_model::JsonPath::root().key("Properties"),
            &mut kept,
        );
    }
    let (have, want) = (comparable(&existing.input), comparable(&wanted));
    let fields = diff(&have, &want);
    let same_type = matches!(
        (&wanted, &existing.input),
        (Namespace::PrivateDns(_), Namespace::PrivateDns(_))
            | (Namespace::Http(_), Namespace::Http(_))
    );
    if !same_type {
        // Deleting the namespace would delete what it holds first; the stack says it wants
        // another kind of namespace under the same name: give it another name instead.
        return blocked(
            address,
            fields,
            Reason::CloudMapReplaced {
                member: "Type".to_owned(),
            },
        );
    }
    let changed = |member: &str| fields.iter().any(|f| top(&f.path) == member);
    let mut steps = Vec::new();
    let updater = creator_request_id(&options.stack, "namespace-update", &want.to_string());
    match &wanted {
        Namespace::PrivateDns(input) if changed("Description") || changed("Properties") => {
            let mut change = PrivateDnsNamespaceChange::default();
            change.description = Some(input.description.clone().unwrap_or_default());
            if let Some(ttl) = input
                .properties
                .as_ref()
                .and_then(|p| p.dns_properties.as_ref())
                .and_then(|d| d.soa.as_ref())
                .and_then(|s| s.ttl)
            {
                let mut soa = SOAChange::default();
                soa.ttl = Some(ttl);
                let mut dns = PrivateDnsPropertiesMutableChange::default();
                dns.soa = Some(soa);
                let mut properties = PrivateDnsNamespacePropertiesChange::default();
                properties.dns_properties = Some(dns);
                change.properties = Some(properties);
            }
            let mut request = UpdatePrivateDnsNamespaceRequest::default();
            request.id = Some(existing.id.clone());
            request.updater_request_id = Some(updater);
            request.namespace = Some(change);
            steps.push(Step::UpdatePrivateDnsNamespace(request));
        }
        Namespace::Http(input) if changed("Description") => {
            // HttpNamespaceChange's Description is required: "" clears it.
            let mut change = HttpNamespaceChange::default();
            change.description = Some(input.description.clone().unwrap_or_default());
            let mut request = UpdateHttpNamespaceRequest::default();
            request.id = Some(existing.id.clone());
            request.updater_request_id = Some(updater);
            request.namespace = Some(change);
            steps.push(Step::UpdateHttpNamespace(request));
        }
        _ => {}
    }
    if changed("Tags") {
        steps.extend(tag_steps(&existing.arn, &have, &want));
    }
    updated(address, fields, kept, steps, false)
}

/// Cloud Map's TagResource and UntagResource for the resource `arn`, from the `Tags` of `have`
/// to those of `wanted` (the ownership tag and `aws:` keys are never removed).
pub(crate) fn tag_steps(arn: &str, have: &Value, wanted: &Value) -> Vec<Step> {
    let changes = super::TagChanges::between(have, wanted, ("Tags", "Key", "Value"));
    let mut out = Vec::new();
    if !changes.set.is_empty() {
        let tags: Vec<Value> = changes
            .set
            .iter()
            .map(|(key, value)| json!({"Key": key, "Value": value}))
            .collect();
        out.extend(
            Step::from_json(
                Operation::TagCloudMapResource,
                &json!({"ResourceARN": arn, "Tags": tags}),
            )
            .ok(),
        );
    }
    if !changes.removed.is_empty() {
        out.extend(
            Step::from_json(
                Operation::UntagCloudMapResource,
                &json!({"ResourceARN": arn, "TagKeys": changes.removed}),
            )
            .ok(),
        );
    }
    out
}

/// DeleteNamespace of the namespace `id`.
pub(crate) fn delete_step(id: &str) -> Step {
    let mut request = DeleteNamespaceRequest::default();
    request.id = Some(id.to_owned());
    Step::DeleteNamespace(request)
}

/// What a Cloud Map step's apply left: the value it created for the steps after it.
pub(crate) struct Applied {
    pub(crate) created: Option<(Created, String)>,
}

/// Sends one Cloud Map step of the change at `address` and waits for what it starts:
///
/// - a namespace creation or update, and a discovery service update, until GetOperation says
///   `SUCCESS` (a `FAIL` fails the step with Cloud Map's error code and message);
/// - a deletion refused with `ResourceInUse` (a namespace still holding services, a discovery
///   service whose instances ECS is still deregistering) is tried again every
///   [`WaitOptions::interval`]; a deletion of what is already gone is what it wanted.
///
/// Everything is bounded by `drain`'s time-out, the apply's.
pub(crate) async fn apply_step(
    clients: &Clients,
    address: &Address,
    step: &Step,
    drain: WaitOptions,
    mut waiting: impl FnMut(Waiting),
) -> Result<Applied, Failure> {
    let deadline = Instant::now() + drain.timeout;
    let operation = step.operation();
    let input = step.input();
    let response = loop {
        match clients.call(operation, &input).await {
            Ok(response) => break response,
            Err(e)
                if matches!(
                    operation,
                    Operation::DeleteNamespace | Operation::DeleteDiscoveryService
                ) && e.is_not_found() =>
            {
                return Ok(Applied { created: None });
            }
            Err(e)
                if matches!(
                    operation,
                    Operation::DeleteNamespace | Operation::DeleteDiscoveryService
                ) && e.is_resource_in_use() =>
            {
                let reason = if operation == Operation::DeleteNamespace {
                    Waiting::NamespaceInUse
                } else {
                    Waiting::InstancesRegistered
                };
                if Instant::now() + drain.interval >= deadline {
                    return Err(Failure::Drain {
                        reason,
                        timeout: drain.timeout,
                    });
                }
                waiting(reason);
                tokio::time::sleep(drain.interval).await;
            }
            Err(e) => return Err(e.into()),
        }
    };
    let mut target = None;
    if let Some(id) = response.get("OperationId").and_then(Value::as_str) {
        target = wait_operation(clients, id, deadline, drain, &mut waiting).await?;
    }
    let created = match (step, address) {
        (
            Step::CreatePrivateDnsNamespace(_) | Step::CreateHttpNamespace(_),
            Address::Namespace { name },
        ) => target.map(|id| {
            (
                Created::NamespaceId {
                    namespace: name.clone(),
                },
                id,
            )
        }),
        (Step::CreateDiscoveryService(_), Address::DiscoveryService { namespace, name }) => {
            response
                .pointer("/Service/Arn")
                .and_then(Value::as_str)
                .map(|arn| {
                    (
                        Created::DiscoveryServiceArn {
                            namespace: namespace.clone(),
                            service: name.clone(),
                        },
                        arn.to_owned(),
                    )
                })
        }
        _ => None,
    };
    Ok(Applied { created })
}

/// Waits for the Cloud Map operation `id` to end; its `NAMESPACE` target when it succeeds.
async fn wait_operation(
    clients: &Clients,
    id: &str,
    deadline: Instant,
    drain: WaitOptions,
    waiting: &mut impl FnMut(Waiting),
) -> Result<Option<String>, Failure> {
    loop {
        let answer = clients
            .call(Operation::GetOperation, &json!({"OperationId": id}))
            .await?;
        let operation = answer.get("Operation").cloned().unwrap_or_default();
        let text = |k: &str| operation.get(k).and_then(Value::as_str).map(str::to_owned);
        match text("Status").as_deref() {
            Some("SUCCESS") => {
                return Ok(operation
                    .pointer("/Targets/NAMESPACE")
                    .and_then(Value::as_str)
                    .map(str::to_owned));
            }
            Some("FAIL") => {
                return Err(Failure::CloudMapOperation {
                    operation_id: id.to_owned(),
                    code: text("ErrorCode").unwrap_or_default(),
                    message: text("ErrorMessage").unwrap_or_default(),
                });
            }
            _ => {}
        }
        if Instant::now() + drain.interval >= deadline {
            return Err(Failure::Drain {
                reason: Waiting::CloudMapOperation,
                timeout: drain.timeout,
            });
        }
        waiting(Waiting::CloudMapOperation);
        tokio::time::sleep(drain.interval.min(std::time::Duration::from_secs(2))).await;
    }
}

/// The deletions of the discovery services, then the namespaces, that carry the stack's tag
/// and that `desired` no longer holds (all of them when destroying: `desired` is empty). A
/// namespace is deleted only when every discovery service it holds goes with it (AWS refuses
/// the deletion otherwise); else it is kept and the plan says which services stay.
pub(crate) fn prune(
    desired: &ecs_model::Stack,
    actual: &Actual,
    options: &Options,
    removal: Removal,
) -> Vec<Change> {
    let named_namespaces: BTreeSet<&str> = desired
        .namespaces
        .iter()
        .filter_map(Namespace::name)
        .collect();
    let named_services: BTreeSet<&str> = desired
        .discovery_services
        .iter()
        .filter_map(|s| s.name.as_deref())
        .collect();
    let deletion = |address: Address, step: Step| Change {
        address,
        action: Action::Delete,
        fields: Vec::new(),
        kept: Vec::new(),
        reason: Some(Reason::Removed { removal }),
        steps: vec![step],
        rollback: None,
    };
    let mut changes = Vec::new();
    let mut going: BTreeSet<(String, String)> = BTreeSet::new();
    for ((namespace, name), service) in &actual.discovery_services {
        let mine = ownership(&service.tags(), options).is_ok();
        if mine && !named_services.contains(name.as_str()) {
            going.insert((namespace.clone(), name.clone()));
            changes.push(deletion(
                Address::DiscoveryService {
                    namespace: namespace.clone(),
                    name: name.clone(),
                },
                super::discovery_service::delete_step(&service.id),
            ));
        }
    }
    for (name, namespace) in &actual.namespaces {
        let mine = ownership(&namespace.tags(), options).is_ok();
        if !mine || named_namespaces.contains(name.as_str()) {
            continue;
        }
        let staying: Vec<String> = actual
            .discovery_services
            .keys()
            .filter(|(ns, _)| ns == name)
            .filter(|key| !going.contains(*key))
            .map(|(_, service)| service.clone())
            .collect();
        let address = Address::Namespace { name: name.clone() };
        if staying.is_empty() {
            changes.push(deletion(address, delete_step(&namespace.id)));
        } else {
            changes.push(Change {
                address,
                action: Action::NoChange,
                fields: Vec::new(),
                kept: Vec::new(),
                reason: Some(Reason::CloudMapKept {
                    removal,
                    users: staying,
                }),
                steps: Vec::new(),
                rollback: None,
            });
        }
    }
    changes
}
