//! Cloud Map: the discovery services a service registers in (`serviceRegistries`, by the
//! discovery service's name or an ARN), the namespace each discovery service is in (by the
//! namespace's name or an id), the DNS records the task definition's network mode needs, and
//! the names that must be unique so that a name links to one resource.

use std::collections::HashMap;

use crate::cloud_map::{CreateServiceRequest as DiscoveryService, RecordType};
use crate::diagnostic::{Diagnostic, JsonPath, Severity};
use crate::facts::{Network, is_arn, network};
use crate::stack::Stack;
use crate::types::RegisterTaskDefinitionRequest;
use crate::validate::Rule;

use super::ServiceCx;
use super::routing::{find_container, maps_port};

const SERVICE_REGISTRY_DOC: &str =
    "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ServiceRegistry.html";
const CLOUD_MAP_CREATE_SERVICE_DOC: &str =
    "https://docs.aws.amazon.com/cloud-map/latest/api/API_CreateService.html";

/// A registry names a discovery service of the stack, or is an ARN.
pub(crate) const UNKNOWN_DISCOVERY_SERVICE: Rule = Rule {
    code: "stack-unknown-discovery-service",
    severity: Severity::Error,
    summary: "A service registry's `registryArn` is the ARN of a Cloud Map service or the name of a discovery service of the stack.",
    doc: SERVICE_REGISTRY_DOC,
    cross_field: true,
};

/// A discovery service names a namespace of the stack, or an id.
pub(crate) const UNKNOWN_NAMESPACE: Rule = Rule {
    code: "stack-unknown-namespace",
    severity: Severity::Error,
    summary: "A discovery service's `NamespaceId` is a namespace id (`ns-...`) or the name of a namespace of the stack.",
    doc: CLOUD_MAP_CREATE_SERVICE_DOC,
    cross_field: true,
};

/// Bridge and host networking register SRV records.
pub(crate) const REGISTRY_SRV_RECORD: Rule = Rule {
    code: "stack-registry-srv-record",
    severity: Severity::Error,
    summary: "A service whose task definition uses the bridge or host network mode registers in a discovery service with an SRV record (its tasks share the instance's address).",
    doc: SERVICE_REGISTRY_DOC,
    cross_field: true,
};

/// awsvpc registers A or SRV records.
pub(crate) const REGISTRY_RECORD_TYPE: Rule = Rule {
    code: "stack-registry-record-type",
    severity: Severity::Error,
    summary: "A service whose task definition uses awsvpc registers in a discovery service with an A or SRV record.",
    doc: SERVICE_REGISTRY_DOC,
    cross_field: true,
};

/// SRV records need a container and a port of the task definition.
pub(crate) const REGISTRY_CONTAINER: Rule = Rule {
    code: "stack-registry-container",
    severity: Severity::Error,
    summary: "A service registry whose discovery service has an SRV record (always with bridge or host networking) gives `containerName` and `containerPort`, a container of the task definition and one of its port mappings.",
    doc: SERVICE_REGISTRY_DOC,
    cross_field: true,
};

/// Route 53 and custom health checks exclude each other.
pub(crate) const DISCOVERY_HEALTH_CHECKS: Rule = Rule {
    code: "stack-discovery-health-checks",
    severity: Severity::Error,
    summary: "A discovery service has `HealthCheckConfig` or `HealthCheckCustomConfig`, not both.",
    doc: CLOUD_MAP_CREATE_SERVICE_DOC,
    cross_field: true,
};

/// Namespace names are unique in the stack.
pub(crate) const DUPLICATE_NAMESPACE: Rule = Rule {
    code: "stack-duplicate-namespace",
    severity: Severity::Error,
    summary: "Each namespace of the stack has its own `Name`: discovery services name it.",
    doc: "https://docs.aws.amazon.com/cloud-map/latest/api/API_CreateHttpNamespace.html",
    cross_field: true,
};

/// Discovery service names are unique in the stack.
pub(crate) const DUPLICATE_DISCOVERY_SERVICE: Rule = Rule {
    code: "stack-duplicate-discovery-service",
    severity: Severity::Error,
    summary: "Each discovery service of the stack has its own `Name`: service registries name it.",
    doc: CLOUD_MAP_CREATE_SERVICE_DOC,
    cross_field: true,
};

/// The stack's discovery services by name, with their index; the first of duplicates wins.
pub(super) fn by_name(stack: &Stack) -> HashMap<&str, (usize, &DiscoveryService)> {
    let mut out = HashMap::new();
    for (i, service) in stack.discovery_services.iter().enumerate() {
        if let Some(name) = service.name.as_deref() {
            out.entry(name).or_insert((i, service));
        }
    }
    out
}

/// The checks of the stack's namespaces and discovery services themselves.
pub(super) fn check(stack: &Stack, out: &mut Vec<Diagnostic>) {
    let root = JsonPath::root();
    let mut namespaces: HashMap<&str, usize> = HashMap::new();
    for (i, namespace) in stack.namespaces.iter().enumerate() {
        let Some(name) = namespace.name() else {
            continue;
        };
        if let Some(first) = namespaces.insert(name, i) {
            namespaces.insert(name, first);
            out.push(
                DUPLICATE_NAMESPACE
                    .at(
                        root.clone().key("namespaces").index(i).key("Name"),
                        format!("namespace `{name}` is already namespaces[{first}]"),
                    )
                    .with_hint("give each namespace its own name"),
            );
        }
    }
    let mut services: HashMap<&str, usize> = HashMap::new();
    for (i, service) in stack.discovery_services.iter().enumerate() {
        let at = root.clone().key("discoveryServices").index(i);
        if let Some(name) = service.name.as_deref()
            && let Some(first) = services.insert(name, i)
        {
            services.insert(name, first);
            out.push(
                DUPLICATE_DISCOVERY_SERVICE
                    .at(
                        at.clone().key("Name"),
                        format!("discovery service `{name}` is already discoveryServices[{first}]"),
                    )
                    .with_hint(
                        "give each discovery service its own name (registries link to it by name)",
                    ),
            );
        }
        let namespace = service.namespace_id.as_deref().or_else(|| {
            service
                .dns_config
                .as_ref()
                .and_then(|d| d.namespace_id.as_deref())
        });
        if let Some(namespace) = namespace.filter(|n| !n.is_empty())
            && !namespace.starts_with("ns-")
            && !namespaces.contains_key(namespace)
        {
            let member = if service.namespace_id.is_some() {
                at.clone().key("NamespaceId")
            } else {
                at.clone().key("DnsConfig").key("NamespaceId")
            };
            let known: Vec<&str> = stack.namespaces.iter().filter_map(|n| n.name()).collect();
            out.push(
                UNKNOWN_NAMESPACE
                    .at(
                        member,
                        format!(
                            "`{namespace}` is neither a namespace of the stack nor a namespace id"
                        ),
                    )
                    .with_hint(if known.is_empty() {
                        "add the namespace to the stack's namespaces, or write its id (ns-...)"
                            .to_owned()
                    } else {
                        format!(
                            "use one of: {}, or a namespace id (ns-...)",
                            known.join(", ")
                        )
                    }),
            );
        }
        if service.health_check_config.is_some() && service.health_check_custom_config.is_some() {
            out.push(
                DISCOVERY_HEALTH_CHECKS
                    .at(
                        at.key("HealthCheckCustomConfig"),
                        "a discovery service has both a Route 53 and a custom health check",
                    )
                    .with_hint(
                        "keep HealthCheckCustomConfig for ECS tasks (ECS reports their health); \
                         a Route 53 health check works in public DNS namespaces only",
                    ),
            );
        }
    }
}

/// Whether the discovery service's DNS records include `kind`.
fn has_record(service: &DiscoveryService, kind: &RecordType) -> bool {
    service
        .dns_config
        .iter()
        .flat_map(|d| d.dns_records.iter().flatten())
        .any(|r| r.r#type.as_ref() == Some(kind))
}

impl ServiceCx<'_> {
    /// The service's registries against the stack's discovery services and its task
    /// definition's network mode.
    pub(super) fn check_registries(
        &self,
        discovery: &HashMap<&str, (usize, &DiscoveryService)>,
        td: Option<&RegisterTaskDefinitionRequest>,
        out: &mut Vec<Diagnostic>,
    ) {
        for (j, registry) in self.service.service_registries.iter().flatten().enumerate() {
            let at = self.at("serviceRegistries").index(j);
            let Some(reference) = registry.registry_arn.as_deref().filter(|r| !r.is_empty()) else {
                continue;
            };
            if is_arn(reference) {
                continue;
            }
            let Some((_, target)) = discovery.get(reference) else {
                let mut known: Vec<&str> = discovery.keys().copied().collect();
                known.sort_unstable();
                out.push(
                    UNKNOWN_DISCOVERY_SERVICE
                        .at(
                            at.key("registryArn"),
                            format!("`{reference}` is neither a discovery service of the stack nor an ARN"),
                        )
                        .with_hint(if known.is_empty() {
                            "add the discovery service to the stack's discoveryServices, or write its ARN"
                                .to_owned()
                        } else {
                            format!("use one of: {}, or an ARN", known.join(", "))
                        }),
                );
                continue;
            };
            let Some(td) = td else {
                continue;
            };
            let mode = network(td);
            let srv = has_record(target, &RecordType::Srv);
            let dns = target.dns_config.is_some();
            if matches!(mode, Network::Bridge | Network::Host) && !srv {
                out.push(
                    REGISTRY_SRV_RECORD
                        .at(
                            at.clone().key("registryArn"),
                            format!(
                                "task definition `{}` uses {} networking and discovery service `{reference}` has no SRV record",
                                self.family,
                                if mode == Network::Host { "host" } else { "bridge" }
                            ),
                        )
                        .with_hint("add {\"Type\": \"SRV\", \"TTL\": 60} to its DnsConfig.DnsRecords"),
                );
            }
            if mode == Network::Awsvpc && dns && !srv && !has_record(target, &RecordType::A) {
                out.push(
                    REGISTRY_RECORD_TYPE
                        .at(
                            at.clone().key("registryArn"),
                            format!(
                                "task definition `{}` uses awsvpc and discovery service `{reference}` has neither an A nor an SRV record",
                                self.family
                            ),
                        )
                        .with_hint("add {\"Type\": \"A\", \"TTL\": 60} to its DnsConfig.DnsRecords"),
                );
            }
            let needs_port = srv || matches!(mode, Network::Bridge | Network::Host);
            if needs_port {
                self.check_registry_container(registry, td, at, out);
            }
        }
    }

    fn check_registry_container(
        &self,
        registry: &crate::types::ServiceRegistry,
        td: &RegisterTaskDefinitionRequest,
        at: JsonPath,
        out: &mut Vec<Diagnostic>,
    ) {
        let (Some(name), Some(port)) =
            (registry.container_name.as_deref(), registry.container_port)
        else {
            out.push(
                REGISTRY_CONTAINER
                    .at(
                        at,
                        "an SRV registration names no containerName and containerPort",
                    )
                    .with_hint("set containerName and containerPort to a port mapping of the task definition"),
            );
            return;
        };
        let Some(container) = find_container(td, name) else {
            out.push(
                REGISTRY_CONTAINER
                    .at(
                        at.key("containerName"),
                        format!(
                            "task definition `{}` has no container `{name}`",
                            self.family
                        ),
                    )
                    .with_hint("name a container of the task definition"),
            );
            return;
        };
        if !maps_port(container, port) {
            out.push(
                REGISTRY_CONTAINER
                    .at(
                        at.key("containerPort"),
                        format!(
                            "container `{name}` of task definition `{}` maps no containerPort {port}",
                            self.family
                        ),
                    )
                    .with_hint(format!("add a port mapping for {port} to container `{name}`")),
            );
        }
    }
}
