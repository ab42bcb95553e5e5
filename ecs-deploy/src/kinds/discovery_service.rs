//! Cloud Map discovery services: compared with the stack's (observed with their namespaces,
//! [`super::namespace::observe`]), then created, updated in place or replaced; and the links
//! from the stack's ECS services (`serviceRegistries[].registryArn` naming a discovery service
//! of the stack) and from discovery services to namespaces (`NamespaceId` naming a namespace of
//! the stack), resolved at plan time when the target exists, at apply time when it is created
//! by the same apply ([`Step::Linked`]).
//!
//! AWS API reference (<https://docs.aws.amazon.com/cloud-map/latest/api/API_UpdateService.html>):
//! UpdateService changes the description, the TTL of the DNS records (not their types) and the
//! Route 53 health check; "if you omit any existing DnsRecords or HealthCheckConfig
//! configurations from an UpdateService request, the configurations are deleted from the
//! service", so the update always carries both. The routing policy, the record types, the
//! custom health check (`HealthCheckCustomConfig`, "you can't add, update, or delete a
//! HealthCheckCustomConfig configuration from an existing service"), the namespace and the
//! type are fixed: their change is a replacement. `HealthCheckCustomConfig.FailureThreshold` "is
//! no longer supported and is always set to 1" (CreateService), so it is not compared.
//!
//! A replacement deletes the old discovery service, then creates the new one: names are unique
//! in a namespace (CreateService answers `ServiceAlreadyExists`), so the new one cannot come
//! first under the same name. Cloud Map refuses DeleteService while instances are registered
//! (`ResourceInUse`, <https://docs.aws.amazon.com/cloud-map/latest/api/API_DeleteService.html>),
//! and ECS keeps its tasks registered until they stop, so a discovery service that an observed
//! ECS service names in `serviceRegistries`, or that counts instances, is not replaced: the
//! change is [`Action::Blocked`] with [`Reason::CloudMapInUse`], whose text says to give it a
//! new name. A renamed discovery service is created, the ECS services move to it with
//! UpdateService `serviceRegistries` (which starts a deployment: "This parameter triggers a new
//! service deployment", ECS UpdateService reference), and a prune deletes the old one, retried
//! while Cloud Map answers `ResourceInUse`.

use std::collections::BTreeMap;

use ecs_model::cloud_map::{
    CreateServiceRequest as CreateDiscoveryServiceRequest, DeleteServiceRequest, DnsConfigChange,
    ServiceChange, UpdateServiceRequest,
};
use ecs_model::types::CreateServiceRequest;
use serde_json::{Value, json};

use super::namespace::{creator_request_id, tag_steps};
use crate::diff::diff;
use crate::ownership::adoptable;
use crate::plan::*;

/// Where a discovery service's namespace is: known (its name and id), or created by this apply
/// (its name).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum NamespaceRef {
    /// It exists: its name (the id itself for a namespace neither the stack holds nor AWS
    /// shows) and id.
    Known { name: String, id: String },
    /// The stack's namespace of this name, created by this apply.
    Pending { name: String },
}

impl NamespaceRef {
    pub(crate) fn name(&self) -> &str {
        match self {
            Self::Known { name, .. } | Self::Pending { name } => name,
        }
    }
}

/// The namespace `desired` names in `NamespaceId` (or, deprecated, `DnsConfig.NamespaceId`): a
/// namespace of the stack by name, or an id (`ns-...`).
pub(crate) fn namespace_ref(
    desired: &CreateDiscoveryServiceRequest,
    stack: &ecs_model::Stack,
    actual: &Actual,
    creating: &[String],
) -> NamespaceRef {
    let given = desired
        .namespace_id
        .clone()
        .or_else(|| {
            desired
                .dns_config
                .as_ref()
                .and_then(|d| d.namespace_id.clone())
        })
        .unwrap_or_default();
    let of_stack = stack.namespaces.iter().any(|n| n.name() == Some(&given));
    if of_stack {
        return match actual.namespaces.get(&given) {
            Some(found) if !creating.contains(&given) => NamespaceRef::Known {
                name: given,
                id: found.id.clone(),
            },
            _ => NamespaceRef::Pending { name: given },
        };
    }
    // An id: by the name AWS shows for it, when observed.
    let name = actual
        .namespaces
        .iter()
        .find(|(_, n)| n.id == given)
        .map_or_else(|| given.clone(), |(name, _)| name.clone());
    NamespaceRef::Known { name, id: given }
}

/// The JSON of a discovery service, normalized for comparison: `CreatorRequestId` (no answer
/// shows it) and the deprecated `DnsConfig.NamespaceId` left out, the failure threshold of the
/// custom health check (always 1) left out, the routing policy at its default (MULTIVALUE:
/// "if you don't specify a value for RoutingPolicy, AWS Cloud Map assigns MULTIVALUE"), an
/// empty description as none, tags in key order ([`super::sort_api_tags`]).
fn comparable(service: &CreateDiscoveryServiceRequest) -> Value {
    let mut value = to_json(service);
    if let Some(object) = value.as_object_mut() {
        object.remove("CreatorRequestId");
        if object.get("Description") == Some(&json!("")) {
            object.remove("Description");
        }
        if let Some(dns) = object.get_mut("DnsConfig").and_then(Value::as_object_mut) {
            dns.remove("NamespaceId");
            dns.entry("RoutingPolicy").or_insert(json!("MULTIVALUE"));
        }
        if let Some(custom) = object
            .get_mut("HealthCheckCustomConfig")
            .and_then(Value::as_object_mut)
        {
            custom.remove("FailureThreshold");
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

/// The types of the DNS records, in order: fixed at creation.
fn record_types(value: &Value) -> Vec<Value> {
    value
        .pointer("/DnsConfig/DnsRecords")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|r| r.get("Type").cloned().unwrap_or_default())
        .collect()
}

pub(crate) fn plan(
    desired: &CreateDiscoveryServiceRequest,
    namespace: &NamespaceRef,
    actual: &Actual,
    options: &Options,
) -> Change {
    let name = desired.name.clone().unwrap_or_default();
    let address = Address::DiscoveryService {
        namespace: namespace.name().to_owned(),
        name: name.clone(),
    };
    let mut wanted = desired.clone();
    wanted.tags = Some(crate::ownership::owned_tags(&desired.tags, options));
    wanted.creator_request_id.get_or_insert_with(|| {
        creator_request_id(
            &options.stack,
            "discovery-service",
            &format!("{}/{name}", namespace.name()),
        )
    });
    let mut links = Vec::new();
    match namespace {
        NamespaceRef::Known { id, .. } => {
            wanted.namespace_id = Some(id.clone());
            if let Some(dns) = wanted.dns_config.as_mut()
                && dns.namespace_id.is_some()
            {
                dns.namespace_id = Some(id.clone());
            }
        }
        NamespaceRef::Pending { name } => links.push(Link::new(
            Slot::NamespaceId,
            Created::NamespaceId {
                namespace: name.clone(),
            },
        )),
    }
    let create = || {
        let step = Step::CreateDiscoveryService(wanted.clone());
        if links.is_empty() {
            step
        } else {
            Step::Linked(Box::new(step), links.clone())
        }
    };
    let existing = match namespace {
        NamespaceRef::Known { name: ns, .. } => {
            actual.discovery_services.get(&(ns.clone(), name.clone()))
        }
        NamespaceRef::Pending { .. } => None,
    };
    let Some(existing) = existing else {
        return creation(address, create());
    };
    if let Err(reason) = adoptable(&existing.tags(), options) {
        return not_managed(address, reason);
    }
    let (have, want) = (comparable(&existing.input), comparable(&wanted));
    let fields = diff(&have, &want);
    if fields.is_empty() {
        return updated(address, fields, Vec::new(), Vec::new(), false);
    }
    let fixed = [
        (
            "NamespaceId",
            have.get("NamespaceId") != want.get("NamespaceId"),
        ),
        ("Type", have.get("Type") != want.get("Type")),
        (
            "DnsConfig.RoutingPolicy",
            have.pointer("/DnsConfig/RoutingPolicy") != want.pointer("/DnsConfig/RoutingPolicy"),
        ),
        (
            "DnsConfig.DnsRecords[].Type",
            record_types(&have) != record_types(&want),
        ),
        (
            "HealthCheckCustomConfig",
            have.get("HealthCheckCustomConfig") != want.get("HealthCheckCustomConfig"),
        ),
        (
            "DnsConfig",
            have.get("DnsConfig").is_some() != want.get("DnsConfig").is_some(),
        ),
    ];
    if let Some((member, _)) = fixed.iter().find(|(_, differs)| *differs) {
        let users = registered(existing, actual);
        if !users.is_empty() {
            return blocked(
                address,
                fields,
                Reason::CloudMapInUse {
                    member: (*member).to_owned(),
                    users,
                },
            );
        }
        let mut delete = DeleteServiceRequest::default();
        delete.id = Some(existing.id.clone());
        return Change {
            address,
            action: Action::Replace,
            fields,
            kept: Vec::new(),
            reason: Some(Reason::CloudMapReplaced {
                member: (*member).to_owned(),
            }),
            steps: vec![Step::DeleteDiscoveryService(delete), create()],
            rollback: None,
        };
    }
    let changed = |member: &str| fields.iter().any(|f| top(&f.path) == member);
    let mut steps = Vec::new();
    if changed("Description") || changed("DnsConfig") || changed("HealthCheckConfig") {
        let mut change = ServiceChange::default();
        change.description = Some(wanted.description.clone().unwrap_or_default());
        if let Some(dns) = &wanted.dns_config {
            let mut records = DnsConfigChange::default();
            records.dns_records = dns.dns_records.clone();
            change.dns_config = Some(records);
        }
        change.health_check_config = wanted.health_check_config.clone();
        let mut request = UpdateServiceRequest::default();
        request.id = Some(existing.id.clone());
        request.service = Some(change);
        steps.push(Step::UpdateDiscoveryService(request));
    }
    if changed("Tags") {
        steps.extend(tag_steps(&existing.arn, &have, &want));
    }
    updated(address, fields, Vec::new(), steps, false)
}

/// What is registered in the discovery service `existing`: the observed ECS services whose
/// `serviceRegistries` name its ARN (`service CLUSTER/NAME`), and the instances GetService
/// counts (ECS tasks of services the stack does not hold, or instances registered by hand).
/// A replacement (DeleteService, then CreateService of the same name) is refused by Cloud Map
/// while any instance is registered, and names are unique in a namespace, so such a discovery
/// service is not replaced ([`Reason::CloudMapInUse`]).
fn registered(existing: &crate::state::DiscoveryService, actual: &Actual) -> Vec<String> {
    let mut users: Vec<String> = actual
        .services
        .iter()
        .filter(|(_, service)| {
            service
                .input
                .service_registries
                .iter()
                .flatten()
                .any(|r| r.registry_arn.as_deref() == Some(existing.arn.as_str()))
        })
        .map(|((cluster, name), _)| format!("service {cluster}/{name}"))
        .collect();
    if let Some(count) = existing.instance_count.filter(|c| *c > 0) {
        users.push(format!("{count} registered instances"));
    }
    users
}

/// DeleteService (Cloud Map) of the discovery service `id`.
pub(crate) fn delete_step(id: &str) -> Step {
    let mut request = DeleteServiceRequest::default();
    request.id = Some(id.to_owned());
    Step::DeleteDiscoveryService(request)
}

/// The ECS service `service` with each `serviceRegistries[].registryArn` that names a discovery
/// service of the stack replaced by its ARN when it exists and this plan does not create or
/// replace it; the links for those whose ARN is known only after apply.
pub(crate) fn link_registries(
    service: &CreateServiceRequest,
    arns: &BTreeMap<String, Result<String, Created>>,
) -> (CreateServiceRequest, Vec<Link>) {
    let mut out = service.clone();
    let mut links = Vec::new();
    for (index, registry) in out.service_registries.iter_mut().flatten().enumerate() {
        let Some(named) = registry.registry_arn.as_deref() else {
            continue;
        };
        match arns.get(named) {
            Some(Ok(arn)) => registry.registry_arn = Some(arn.clone()),
            Some(Err(created)) => {
                registry.registry_arn = Some(KNOWN_AFTER_APPLY.to_owned());
                links.push(Link::new(Slot::RegistryArn { index }, created.clone()));
            }
            None => {}
        }
    }
    (out, links)
}

/// `change` with its CreateService and UpdateService steps linked by `links`.
pub(crate) fn with_links(mut change: Change, links: &[Link]) -> Change {
    if links.is_empty() {
        return change;
    }
    for step in &mut change.steps {
        if matches!(step, Step::CreateService(_) | Step::UpdateService(_)) {
            *step = Step::Linked(Box::new(step.clone()), links.to_vec());
        }
    }
    change
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::kinds::namespace::{discovery_service_of, namespace_of};

    const NS_ARN: &str = "arn:aws:servicediscovery:us-east-1:123456789012:namespace/ns-abc";
    const SRV_ARN: &str = "arn:aws:servicediscovery:us-east-1:123456789012:service/srv-api";

    fn mine() -> Value {
        json!([{"Key": "ecs-rs:stack", "Value": "shop"}])
    }

    /// The state AWS answers for a private DNS namespace `internal` holding the service `api`
    /// (ListNamespaces' summary, GetService's `Service`), with `tags` on both.
    fn actual(tags: Value, ttl: i64) -> Actual {
        let summary = json!({
            "Id": "ns-abc", "Arn": NS_ARN, "Name": "internal", "Type": "DNS_PRIVATE",
            "Description": "east-west", "ServiceCount": 1,
            "Properties": {"DnsProperties": {"HostedZoneId": "Z1", "SOA": {"TTL": 15}}},
            "CreateDate": 1_700_000_000.0
        });
        let service = json!({
            "Id": "srv-api", "Arn": SRV_ARN, "Name": "api", "NamespaceId": "ns-abc",
            "Type": "DNS_HTTP", "InstanceCount": 2,
            "DnsConfig": {"NamespaceId": "ns-abc", "RoutingPolicy": "MULTIVALUE",
                          "DnsRecords": [{"Type": "A", "TTL": ttl}]},
            "HealthCheckCustomConfig": {"FailureThreshold": 1},
            "CreatorRequestId": "whatever", "CreateDate": 1_700_000_000.0
        });
        let mut actual = Actual::default();
        let namespace = namespace_of(&summary, tags.clone()).expect("a namespace");
        actual.namespaces.insert("internal".into(), namespace);
        let found = discovery_service_of(&service, tags, "internal", "ns-abc").expect("a service");
        actual
            .discovery_services
            .insert(("internal".into(), "api".into()), found);
        actual
    }

    fn stack(records: Value) -> ecs_model::Stack {
        ecs_model::load::from_value::<ecs_model::Stack>(&json!({
            "namespaces": [{"Name": "internal", "Vpc": "vpc-1", "Description": "east-west"}],
            "discoveryServices": [{
                "Name": "api", "NamespaceId": "internal",
                "DnsConfig": {"DnsRecords": records},
                "HealthCheckCustomConfig": {}
            }],
            "services": [{"serviceName": "web", "cluster": "shop", "taskDefinition": "web",
                          "serviceRegistries": [{"registryArn": "api"}]}]
        }))
        .value
        .expect("a stack")
    }

    fn change<'a>(plan: &'a Plan, address: &str) -> &'a Change {
        plan.changes
            .iter()
            .find(|c| c.address.to_string() == address)
            .unwrap_or_else(|| panic!("{address} in {:?}", plan.changes))
    }

    #[test]
    fn what_aws_answers_for_the_stack_plans_no_change() {
        let desired = stack(json!([{"Type": "A", "TTL": 60}]));
        let options = Options::new("shop");
        let plan = crate::plan::plan(&desired, &actual(mine(), 60), &options);
        for address in ["namespace internal", "discovery service internal/api"] {
            let found = change(&plan, address);
            assert_eq!(
                found.action,
                Action::NoChange,
                "{address}: {:?}",
                found.fields
            );
        }
        // The ECS service names the discovery service: its ARN, known at plan time, is sent.
        let web = change(&plan, "service shop/web");
        assert_eq!(
            web.steps[0].input()["serviceRegistries"][0]["registryArn"],
            json!(SRV_ARN)
        );
    }

    #[test]
    fn a_ttl_change_updates_in_place_with_every_record() {
        let desired = stack(json!([{"Type": "A", "TTL": 300}]));
        let plan = crate::plan::plan(&desired, &actual(mine(), 60), &Options::new("shop"));
        let api = change(&plan, "discovery service internal/api");
        assert_eq!(api.action, Action::Update);
        assert_eq!(api.steps.len(), 1);
        assert_eq!(
            api.steps[0].input(),
            json!({"Id": "srv-api", "Service": {
                "Description": "",
                "DnsConfig": {"DnsRecords": [{"Type": "A", "TTL": 300}]}
            }})
        );
    }

    #[test]
    fn a_record_type_or_routing_policy_change_is_a_replace_that_says_why() {
        let desired = stack(json!([{"Type": "SRV", "TTL": 60}]));
        // Nothing registered in it: deleting it first is what Cloud Map allows.
        let mut empty = actual(mine(), 60);
        for service in empty.discovery_services.values_mut() {
            service.instance_count = Some(0);
        }
        let plan = crate::plan::plan(&desired, &empty, &Options::new("shop"));
        let api = change(&plan, "discovery service internal/api");
        assert_eq!(api.action, Action::Replace);
        assert_eq!(
            api.reason,
            Some(Reason::CloudMapReplaced {
                member: "DnsConfig.DnsRecords[].Type".into()
            })
        );
        let operations: Vec<_> = api.steps.iter().map(Step::operation).collect();
        assert_eq!(
            operations,
            [
                crate::aws::Operation::DeleteDiscoveryService,
                crate::aws::Operation::CreateDiscoveryService
            ]
        );
        // The ECS service gets the new ARN, known only after apply.
        let web = change(&plan, "service shop/web");
        assert!(matches!(&web.steps[0], Step::Linked(_, links) if links.len() == 1));
    }

    #[test]
    fn a_discovery_service_something_is_registered_in_is_not_replaced() {
        let desired = stack(json!([{"Type": "SRV", "TTL": 60}]));
        // Two instances registered (ECS tasks of a service the stack does not hold).
        let plan = crate::plan::plan(&desired, &actual(mine(), 60), &Options::new("shop"));
        let api = change(&plan, "discovery service internal/api");
        assert_eq!(api.action, Action::Blocked);
        assert!(api.steps.is_empty());
        assert_eq!(
            api.reason,
            Some(Reason::CloudMapInUse {
                member: "DnsConfig.DnsRecords[].Type".into(),
                users: vec!["2 registered instances".into()]
            })
        );
        // An ECS service the plan observed registered in it by ARN, no instance counted yet.
        let mut used = actual(mine(), 60);
        for service in used.discovery_services.values_mut() {
            service.instance_count = Some(0);
        }
        let web: ecs_model::types::CreateServiceRequest = ecs_model::load::from_value(&json!({
            "serviceName": "web", "cluster": "shop", "taskDefinition": "web",
            "serviceRegistries": [{"registryArn": SRV_ARN}]
        }))
        .value
        .expect("a service");
        used.services.insert(
            ("shop".into(), "web".into()),
            crate::state::Existing::new("arn:aws:ecs:us-east-1:1:service/shop/web", web),
        );
        let plan = crate::plan::plan(&desired, &used, &Options::new("shop"));
        let api = change(&plan, "discovery service internal/api");
        assert_eq!(api.action, Action::Blocked);
        let reason = api.reason.as_ref().expect("a reason");
        assert_eq!(
            reason,
            &Reason::CloudMapInUse {
                member: "DnsConfig.DnsRecords[].Type".into(),
                users: vec!["service shop/web".into()]
            }
        );
        assert!(
            reason.to_string().contains("give it a new name"),
            "{reason}"
        );
        // The ECS service keeps the ARN it has: nothing links it to a creation.
        let web = change(&plan, "service shop/web");
        assert!(
            web.steps.iter().all(|s| !matches!(s, Step::Linked(..))),
            "{:?}",
            web.steps
        );
    }

    #[test]
    fn a_rename_creates_the_new_one_moves_the_services_then_prunes_the_old_one() {
        // The ECS service web is registered in api; the stack renames api to api-v2 and
        // points web to it: Cloud Map refuses to delete api until web's tasks left it, so
        // the plan's order (which apply keeps, deletions last) must be create, update, delete.
        let mut actual = actual(mine(), 60);
        let web: ecs_model::types::CreateServiceRequest = ecs_model::load::from_value(&json!({
            "serviceName": "web", "cluster": "shop", "taskDefinition": "web",
            "serviceRegistries": [{"registryArn": SRV_ARN}],
            "tags": [{"key": "ecs-rs:stack", "value": "shop"}]
        }))
        .value
        .expect("a service");
        actual.services.insert(
            ("shop".into(), "web".into()),
            crate::state::Existing::new("arn:aws:ecs:us-east-1:1:service/shop/web", web),
        );
        let mut renamed = stack(json!([{"Type": "A", "TTL": 60}]));
        renamed.discovery_services[0].name = Some("api-v2".into());
        for registry in renamed.services[0].service_registries.iter_mut().flatten() {
            registry.registry_arn = Some("api-v2".into());
        }
        let plan = crate::plan::plan(&renamed, &actual, &Options::new("shop").prune(true));
        let at = |address: &str| {
            plan.changes
                .iter()
                .position(|c| c.address.to_string() == address)
                .unwrap_or_else(|| panic!("{address} in {:?}", plan.changes))
        };
        let (new, web, old) = (
            at("discovery service internal/api-v2"),
            at("service shop/web"),
            at("discovery service internal/api"),
        );
        assert!(new < web && web < old, "{:?}", plan.changes);
        assert_eq!(plan.changes[new].action, Action::Create);
        assert_eq!(plan.changes[old].action, Action::Delete);
        // web moves to the new ARN, known once api-v2 is created.
        let Some(Step::Linked(step, links)) = plan.changes[web].steps.first() else {
            panic!("{:?}", plan.changes[web]);
        };
        assert!(matches!(**step, Step::UpdateService(_)), "{step:?}");
        assert_eq!(
            links[0].value,
            Created::DiscoveryServiceArn {
                namespace: "internal".into(),
                service: "api-v2".into()
            }
        );
    }

    #[test]
    fn resources_without_the_stack_tag_are_not_managed() {
        let desired = stack(json!([{"Type": "A", "TTL": 300}]));
        let theirs = json!([{"Key": "ecs-rs:stack", "Value": "other"}]);
        let plan = crate::plan::plan(&desired, &actual(theirs, 60), &Options::new("shop"));
        for address in ["namespace internal", "discovery service internal/api"] {
            let found = change(&plan, address);
            assert_eq!(found.action, Action::NotManaged, "{address}");
            assert!(found.steps.is_empty());
        }
        let plan = crate::plan::plan(&desired, &actual(json!([]), 60), &Options::new("shop"));
        assert_eq!(
            change(&plan, "namespace internal").reason,
            Some(Reason::Untagged)
        );
    }

    #[test]
    fn what_the_apply_creates_is_linked_and_filled_in_at_apply_time() {
        let desired = stack(json!([{"Type": "A", "TTL": 60}]));
        let plan = crate::plan::plan(&desired, &Actual::default(), &Options::new("shop"));
        let namespace = change(&plan, "namespace internal");
        assert_eq!(namespace.action, Action::Create);
        let Step::CreatePrivateDnsNamespace(request) = &namespace.steps[0] else {
            panic!("{:?}", namespace.steps);
        };
        assert!(request.creator_request_id.is_some());
        let api = change(&plan, "discovery service internal/api");
        let step = &api.steps[0];
        assert_eq!(step.input()["NamespaceId"], json!(KNOWN_AFTER_APPLY));
        let web = change(&plan, "service shop/web");
        assert_eq!(
            web.steps[0].input()["serviceRegistries"][0]["registryArn"],
            json!(KNOWN_AFTER_APPLY)
        );
        let mut created = BTreeMap::new();
        assert_eq!(
            step.resolved(&created),
            Err(Created::NamespaceId {
                namespace: "internal".into()
            })
        );
        created.insert(
            Created::NamespaceId {
                namespace: "internal".into(),
            },
            "ns-new".to_owned(),
        );
        created.insert(
            Created::DiscoveryServiceArn {
                namespace: "internal".into(),
                service: "api".into(),
            },
            SRV_ARN.to_owned(),
        );
        let resolved = step.resolved(&created).expect("resolved");
        assert!(matches!(resolved, Step::CreateDiscoveryService(_)));
        assert_eq!(resolved.input()["NamespaceId"], json!("ns-new"));
        let web = web.steps[0].resolved(&created).expect("resolved");
        assert!(matches!(web, Step::CreateService(_)));
        assert_eq!(
            web.input()["serviceRegistries"][0]["registryArn"],
            json!(SRV_ARN)
        );
    }

    #[test]
    fn prune_deletes_services_before_their_namespace_and_keeps_one_still_used() {
        let mut actual = actual(mine(), 60);
        let empty = ecs_model::Stack::default();
        let options = Options::new("shop").prune(true);
        let plan = crate::plan::plan(&empty, &actual, &options);
        let order: Vec<String> = plan.changes.iter().map(|c| c.address.to_string()).collect();
        assert_eq!(
            order,
            ["discovery service internal/api", "namespace internal"]
        );
        assert!(plan.changes.iter().all(|c| c.action == Action::Delete));
        // A service of someone else's in the namespace: the namespace stays, and says why.
        if let Some(service) = actual
            .discovery_services
            .get_mut(&("internal".to_owned(), "api".to_owned()))
        {
            service.input.tags = None;
        }
        let plan = crate::plan::plan(&empty, &actual, &options);
        assert_eq!(plan.changes.len(), 1);
        assert_eq!(
            plan.changes[0].reason,
            Some(Reason::CloudMapKept {
                removal: Removal::Pruned,
                users: vec!["api".into()]
            })
        );
    }
}
