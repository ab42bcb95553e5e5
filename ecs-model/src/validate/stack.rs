//! Rules for Stack: the references between its resources (a service's task definition,
//! cluster and capacity providers) and the names that must be unique.
//!
//! A reference to something the stack does not define may still be valid, since the resource
//! can already exist in AWS: those are warnings. A reference the stack resolves is checked
//! against what it finds, and a mismatch is an error.

use std::collections::HashMap;

use crate::diagnostic::{Diagnostic, JsonPath, Severity};
use crate::stack::Stack;
use crate::types::{
    Compatibility, ContainerDefinition, CreateClusterRequest, CreateServiceRequest, NetworkMode,
    RegisterTaskDefinitionRequest,
};

use super::Rule;
use super::service::strategy::{is_fargate_provider, uses_fargate};
use super::service::{explicit_role, has_strategy, is_classic, is_daemon};

const CREATE_SERVICE_DOC: &str =
    "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_CreateService.html";

/// The service's task definition is in the stack.
pub(crate) const UNKNOWN_TASK_DEFINITION: Rule = Rule {
    code: "stack-unknown-task-definition",
    severity: Severity::Warning,
    summary: "A service's task definition is a family of the stack; an ARN or another family must already exist in AWS and is not checked.",
    doc: CREATE_SERVICE_DOC,
};

/// The service's cluster is in the stack.
pub(crate) const UNKNOWN_CLUSTER: Rule = Rule {
    code: "stack-unknown-cluster",
    severity: Severity::Warning,
    summary: "A service's cluster is one of the stack's clusters (or `default`); another must already exist in AWS.",
    doc: CREATE_SERVICE_DOC,
};

/// A Fargate service runs a task definition validated for Fargate.
pub(crate) const LAUNCH_TYPE_COMPATIBILITY: Rule = Rule {
    code: "stack-launch-type-compatibility",
    severity: Severity::Error,
    summary: "A service on Fargate runs a task definition that can run on Fargate: FARGATE in `requiresCompatibilities`, or awsvpc with task cpu and memory.",
    doc: "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_RegisterTaskDefinition.html",
};

/// A Fargate service's task definition should say so.
pub(crate) const FARGATE_NOT_REQUIRED: Rule = Rule {
    code: "stack-fargate-not-required",
    severity: Severity::Warning,
    summary: "A service on Fargate runs a task definition with FARGATE in `requiresCompatibilities`, so AWS validates it for Fargate.",
    doc: "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_RegisterTaskDefinition.html",
};

/// DAEMON services do not run on Fargate, including through the cluster's default strategy.
pub(crate) const DAEMON_FARGATE: Rule = Rule {
    code: "stack-daemon-fargate",
    severity: Severity::Error,
    summary: "A DAEMON service does not run on Fargate through its cluster's default capacity provider strategy.",
    doc: CREATE_SERVICE_DOC,
};

/// awsvpc task definitions need the service's awsvpc configuration, and only they take it.
pub(crate) const NETWORK_CONFIGURATION: Rule = Rule {
    code: "stack-network-configuration",
    severity: Severity::Error,
    summary: "A service sets `networkConfiguration.awsvpcConfiguration` exactly when its task definition uses the awsvpc network mode.",
    doc: CREATE_SERVICE_DOC,
};

/// Load balancers route to a container port of the task definition.
pub(crate) const LOAD_BALANCER_CONTAINER: Rule = Rule {
    code: "stack-load-balancer-container",
    severity: Severity::Error,
    summary: "A load balancer's `containerName` is a container of the task definition and its `containerPort` one of that container's port mappings.",
    doc: "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_LoadBalancer.html",
};

/// No Classic Load Balancer with awsvpc.
pub(crate) const CLASSIC_AWSVPC: Rule = Rule {
    code: "stack-classic-load-balancer-awsvpc",
    severity: Severity::Error,
    summary: "Services whose task definition uses awsvpc support Application and Network Load Balancers only, not Classic.",
    doc: CREATE_SERVICE_DOC,
};

/// No service `role` with awsvpc.
pub(crate) const ROLE_AWSVPC: Rule = Rule {
    code: "stack-role-awsvpc",
    severity: Severity::Error,
    summary: "A service whose task definition uses awsvpc takes no `role`; it uses the service-linked role.",
    doc: CREATE_SERVICE_DOC,
};

/// Service Connect port names exist.
pub(crate) const SERVICE_CONNECT_PORT_NAME: Rule = Rule {
    code: "stack-service-connect-port-name",
    severity: Severity::Error,
    summary: "A Service Connect `portName` is the name of a port mapping of the service's task definition.",
    doc: "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ServiceConnectService.html",
};

/// Service Connect needs a namespace.
pub(crate) const SERVICE_CONNECT_NAMESPACE: Rule = Rule {
    code: "stack-service-connect-namespace",
    severity: Severity::Warning,
    summary: "A service with Service Connect enabled names a namespace, or its cluster has a default one.",
    doc: "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ServiceConnectConfiguration.html",
};

/// A service's strategy uses the cluster's capacity providers.
pub(crate) const STRATEGY_NOT_ASSOCIATED: Rule = Rule {
    code: "stack-strategy-provider-not-associated",
    severity: Severity::Error,
    summary: "Every capacity provider of a service's strategy is associated with its cluster.",
    doc: "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_CapacityProviderStrategyItem.html",
};

/// A cluster's capacity providers are in the stack.
pub(crate) const UNKNOWN_CAPACITY_PROVIDER: Rule = Rule {
    code: "stack-unknown-capacity-provider",
    severity: Severity::Warning,
    summary: "A cluster's capacity provider is FARGATE, FARGATE_SPOT or one of the stack's; another must already exist in AWS.",
    doc: "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_CreateCluster.html",
};

/// A grace period with nothing to wait for.
pub(crate) const UNUSED_GRACE_PERIOD: Rule = Rule {
    code: "stack-unused-grace-period",
    severity: Severity::Warning,
    summary: "`healthCheckGracePeriodSeconds` is set only when the service has a load balancer, VPC Lattice or container health checks.",
    doc: CREATE_SERVICE_DOC,
};

/// Unique service names per cluster.
pub(crate) const DUPLICATE_SERVICE: Rule = Rule {
    code: "stack-duplicate-service",
    severity: Severity::Error,
    summary: "Service names are unique within a cluster.",
    doc: CREATE_SERVICE_DOC,
};

/// Unique task definition families.
pub(crate) const DUPLICATE_TASK_DEFINITION: Rule = Rule {
    code: "stack-duplicate-task-definition",
    severity: Severity::Error,
    summary: "Each task definition family appears once in a stack.",
    doc: "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_RegisterTaskDefinition.html",
};

/// Unique cluster names.
pub(crate) const DUPLICATE_CLUSTER: Rule = Rule {
    code: "stack-duplicate-cluster",
    severity: Severity::Error,
    summary: "Each cluster name appears once in a stack.",
    doc: "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_CreateCluster.html",
};

/// Unique capacity provider names.
pub(crate) const DUPLICATE_CAPACITY_PROVIDER: Rule = Rule {
    code: "stack-duplicate-capacity-provider",
    severity: Severity::Error,
    summary: "Each capacity provider name appears once in a stack.",
    doc: "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_CreateCapacityProvider.html",
};

/// Every rule of this module.
pub(crate) const RULES: &[&Rule] = &[
    &UNKNOWN_TASK_DEFINITION,
    &UNKNOWN_CLUSTER,
    &LAUNCH_TYPE_COMPATIBILITY,
    &FARGATE_NOT_REQUIRED,
    &DAEMON_FARGATE,
    &NETWORK_CONFIGURATION,
    &LOAD_BALANCER_CONTAINER,
    &CLASSIC_AWSVPC,
    &ROLE_AWSVPC,
    &SERVICE_CONNECT_PORT_NAME,
    &SERVICE_CONNECT_NAMESPACE,
    &STRATEGY_NOT_ASSOCIATED,
    &UNKNOWN_CAPACITY_PROVIDER,
    &UNUSED_GRACE_PERIOD,
    &DUPLICATE_SERVICE,
    &DUPLICATE_TASK_DEFINITION,
    &DUPLICATE_CLUSTER,
    &DUPLICATE_CAPACITY_PROVIDER,
];

/// The cluster AWS uses when a request names none.
const DEFAULT_CLUSTER: &str = "default";

/// Checks one stack file, with paths from its root.
pub(crate) fn check(stack: &Stack, out: &mut Vec<Diagnostic>) {
    check_duplicates(stack, out);
    let index = Index::new(stack);
    for (i, service) in stack.services.iter().enumerate() {
        let cx = ServiceCx::resolve(i, service, &index, out);
        cx.check(out);
    }
    check_cluster_providers(stack, out);
}

/// The stack's resources by name; the first of duplicates wins.
struct Index<'a> {
    task_definitions: HashMap<&'a str, &'a RegisterTaskDefinitionRequest>,
    clusters: HashMap<&'a str, &'a CreateClusterRequest>,
}

impl<'a> Index<'a> {
    fn new(stack: &'a Stack) -> Self {
        let mut task_definitions = HashMap::new();
        for td in &stack.task_definitions {
            if let Some(family) = td.family.as_deref() {
                task_definitions.entry(family).or_insert(td);
            }
        }
        let mut clusters = HashMap::new();
        for cluster in &stack.clusters {
            clusters.entry(cluster_name(cluster)).or_insert(cluster);
        }
        Self {
            task_definitions,
            clusters,
        }
    }
}

/// A cluster's name; a CreateCluster request without one creates `default`.
fn cluster_name(cluster: &CreateClusterRequest) -> &str {
    cluster
        .cluster_name
        .as_deref()
        .filter(|n| !n.is_empty())
        .unwrap_or(DEFAULT_CLUSTER)
}

/// The cluster name a service refers to: its name, the name inside its ARN, or `default`.
fn referenced_cluster(service: &CreateServiceRequest) -> &str {
    match service.cluster.as_deref() {
        None | Some("") => DEFAULT_CLUSTER,
        Some(arn) if arn.starts_with("arn:") => {
            arn.rsplit_once(":cluster/").map_or(arn, |(_, name)| name)
        }
        Some(name) => name,
    }
}

/// The family a task definition reference names, unless it is an ARN.
fn referenced_family(reference: &str) -> Option<&str> {
    if reference.starts_with("arn:") {
        return None;
    }
    reference.split(':').next()
}

/// Where a service's tasks run, as far as the stack tells.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Capacity {
    Fargate,
    NotFargate,
    Unknown,
}

fn capacity(service: &CreateServiceRequest, cluster: Option<&CreateClusterRequest>) -> Capacity {
    let fargate = |yes: bool| {
        if yes {
            Capacity::Fargate
        } else {
            Capacity::NotFargate
        }
    };
    if let Some(launch_type) = &service.launch_type {
        return fargate(matches!(launch_type, crate::types::LaunchType::Fargate));
    }
    if let Some(items) = service
        .capacity_provider_strategy
        .as_deref()
        .filter(|s| !s.is_empty())
    {
        return fargate(uses_fargate(items));
    }
    let Some(cluster) = cluster else {
        return Capacity::Unknown;
    };
    // Without a default strategy, CreateService falls back to the EC2 launch type.
    let default = cluster.default_capacity_provider_strategy.as_deref();
    fargate(default.is_some_and(uses_fargate))
}

/// One service with what its references resolve to.
struct ServiceCx<'a> {
    path: JsonPath,
    service: &'a CreateServiceRequest,
    task_definition: Option<&'a RegisterTaskDefinitionRequest>,
    family: &'a str,
    cluster: Option<&'a CreateClusterRequest>,
    capacity: Capacity,
}

impl<'a> ServiceCx<'a> {
    /// Resolves the service's references, warning about those the stack does not define.
    fn resolve(
        i: usize,
        service: &'a CreateServiceRequest,
        index: &Index<'a>,
        out: &mut Vec<Diagnostic>,
    ) -> Self {
        let path = JsonPath::root().key("services").index(i);
        let cluster_ref = referenced_cluster(service);
        let cluster = index.clusters.get(cluster_ref).copied();
        if cluster.is_none() && cluster_ref != DEFAULT_CLUSTER {
            out.push(
                UNKNOWN_CLUSTER
                    .at(
                        path.clone().key("cluster"),
                        format!("cluster `{cluster_ref}` is not defined in the stack"),
                    )
                    .with_hint("add it to `clusters`, or make sure it already exists in AWS"),
            );
        }
        let reference = service.task_definition.as_deref().unwrap_or_default();
        let family = referenced_family(reference).unwrap_or(reference);
        let task_definition = referenced_family(reference)
            .and_then(|family| index.task_definitions.get(family).copied());
        if task_definition.is_none() && !reference.is_empty() {
            let message = if reference.starts_with("arn:") {
                format!(
                    "task definition `{reference}` is an ARN; it is not checked against the stack"
                )
            } else {
                format!("task definition family `{family}` is not defined in the stack")
            };
            out.push(
                UNKNOWN_TASK_DEFINITION
                    .at(path.clone().key("taskDefinition"), message)
                    .with_hint("add the task definition to `taskDefinitions` and refer to its family, or make sure it is registered in AWS"),
            );
        }
        Self {
            path,
            service,
            task_definition,
            family,
            cluster,
            capacity: capacity(service, cluster),
        }
    }

    fn at(&self, member: &str) -> JsonPath {
        self.path.clone().key(member)
    }

    fn check(&self, out: &mut Vec<Diagnostic>) {
        self.check_daemon(out);
        self.check_strategy_providers(out);
        self.check_namespace(out);
        let Some(td) = self.task_definition else {
            return;
        };
        self.check_compatibility(td, out);
        self.check_network(td, out);
        self.check_load_balancers(td, out);
        self.check_service_connect(td, out);
        self.check_grace_period(td, out);
    }

    fn check_daemon(&self, out: &mut Vec<Diagnostic>) {
        // The service's own launch type and strategy are checked by `service-daemon-fargate`.
        let own = self.service.launch_type.is_some() || has_strategy(self.service);
        if is_daemon(self.service) && !own && self.capacity == Capacity::Fargate {
            out.push(
                DAEMON_FARGATE
                    .at(
                        self.at("schedulingStrategy"),
                        format!(
                            "the DAEMON service would run on Fargate through the default capacity provider strategy of cluster `{}`",
                            referenced_cluster(self.service)
                        ),
                    )
                    .with_hint("give the service launchType EC2 or an Auto Scaling group capacity provider strategy"),
            );
        }
    }

    fn check_strategy_providers(&self, out: &mut Vec<Diagnostic>) {
        let Some(cluster) = self.cluster else { return };
        let associated = cluster.capacity_providers.as_deref().unwrap_or_default();
        for (j, item) in self
            .service
            .capacity_provider_strategy
            .iter()
            .flatten()
            .enumerate()
        {
            let Some(name) = item.capacity_provider.as_deref() else {
                continue;
            };
            if !associated.iter().any(|p| p == name) {
                out.push(
                    STRATEGY_NOT_ASSOCIATED
                        .at(
                            self.at("capacityProviderStrategy")
                                .index(j)
                                .key("capacityProvider"),
                            format!(
                                "`{name}` is not among the capacityProviders of cluster `{}`",
                                cluster_name(cluster)
                            ),
                        )
                        .with_hint(format!("add `{name}` to the cluster's capacityProviders")),
                );
            }
        }
    }

    fn check_namespace(&self, out: &mut Vec<Diagnostic>) {
        let Some(connect) = &self.service.service_connect_configuration else {
            return;
        };
        let named = connect.namespace.as_deref().is_some_and(|n| !n.is_empty());
        let Some(cluster) = self
            .cluster
            .filter(|_| connect.enabled == Some(true) && !named)
        else {
            return;
        };
        let default = cluster
            .service_connect_defaults
            .as_ref()
            .and_then(|d| d.namespace.as_deref())
            .is_some_and(|n| !n.is_empty());
        if !default {
            out.push(
                SERVICE_CONNECT_NAMESPACE
                    .at(
                        self.at("serviceConnectConfiguration").key("namespace"),
                        format!(
                            "Service Connect is enabled without a namespace, and cluster `{}` has no default namespace",
                            cluster_name(cluster)
                        ),
                    )
                    .with_hint("set serviceConnectConfiguration.namespace, or the cluster's serviceConnectDefaults.namespace"),
            );
        }
    }

    fn check_compatibility(&self, td: &RegisterTaskDefinitionRequest, out: &mut Vec<Diagnostic>) {
        if self.capacity != Capacity::Fargate || requires(td, &Compatibility::Fargate) {
            return;
        }
        let path = self.at("taskDefinition");
        if fargate_shaped(td) {
            out.push(
                FARGATE_NOT_REQUIRED
                    .at(
                        path,
                        format!(
                            "the service runs on Fargate but task definition `{}` does not list FARGATE in requiresCompatibilities",
                            self.family
                        ),
                    )
                    .with_hint("add FARGATE to requiresCompatibilities so AWS validates it for Fargate"),
            );
        } else {
            out.push(
                LAUNCH_TYPE_COMPATIBILITY
                    .at(
                        path,
                        format!(
                            "the service runs on Fargate but task definition `{}` cannot: it does not require FARGATE and lacks awsvpc, task cpu or task memory",
                            self.family
                        ),
                    )
                    .with_hint("add FARGATE to requiresCompatibilities with networkMode awsvpc and task-level cpu and memory, or run the service on EC2"),
            );
        }
    }

    fn check_network(&self, td: &RegisterTaskDefinitionRequest, out: &mut Vec<Diagnostic>) {
        let has_vpc = self
            .service
            .network_configuration
            .as_ref()
            .is_some_and(|n| n.awsvpc_configuration.is_some());
        let mode = match &td.network_mode {
            Some(NetworkMode::Unknown(_)) => return,
            // A Fargate task definition without awsvpc is reported by the task definition rules.
            None if requires(td, &Compatibility::Fargate) => return,
            Some(mode) => format!("uses network mode {}", mode.as_str()),
            None => "sets no networkMode".to_owned(),
        };
        if is_awsvpc(td) && !has_vpc {
            out.push(
                NETWORK_CONFIGURATION
                    .at(
                        self.at("networkConfiguration"),
                        format!(
                            "task definition `{}` uses network mode awsvpc but the service has no networkConfiguration.awsvpcConfiguration",
                            self.family
                        ),
                    )
                    .with_hint("add networkConfiguration.awsvpcConfiguration with the subnets and security groups"),
            );
        } else if !is_awsvpc(td) && has_vpc {
            out.push(
                NETWORK_CONFIGURATION
                    .at(
                        self.at("networkConfiguration").key("awsvpcConfiguration"),
                        format!(
                            "task definition `{}` {mode}; awsvpcConfiguration is only for the awsvpc network mode",
                            self.family
                        ),
                    )
                    .with_hint("remove networkConfiguration, or use networkMode awsvpc in the task definition"),
            );
        }
    }

    fn check_load_balancers(&self, td: &RegisterTaskDefinitionRequest, out: &mut Vec<Diagnostic>) {
        let awsvpc = is_awsvpc(td);
        for (j, lb) in self.service.load_balancers.iter().flatten().enumerate() {
            let at = self.at("loadBalancers").index(j);
            if awsvpc && is_classic(lb) {
                out.push(
                    CLASSIC_AWSVPC
                        .at(
                            at.clone().key("loadBalancerName"),
                            format!(
                                "Classic Load Balancer with task definition `{}` in awsvpc network mode",
                                self.family
                            ),
                        )
                        .with_hint("use an Application or Network Load Balancer target group of type ip"),
                );
            }
            let Some(name) = lb.container_name.as_deref().filter(|n| !n.is_empty()) else {
                continue;
            };
            let Some(container) = find_container(td, name) else {
                out.push(
                    LOAD_BALANCER_CONTAINER
                        .at(
                            at.key("containerName"),
                            format!(
                                "task definition `{}` has no container `{name}`",
                                self.family
                            ),
                        )
                        .with_hint(format!("use one of: {}", container_names(td).join(", "))),
                );
                continue;
            };
            if let Some(port) = lb.container_port.filter(|p| !maps_port(container, *p)) {
                let ports = mapped_ports(container);
                out.push(
                    LOAD_BALANCER_CONTAINER
                        .at(
                            at.key("containerPort"),
                            format!(
                                "container `{name}` of task definition `{}` maps no containerPort {port}",
                                self.family
                            ),
                        )
                        .with_hint(if ports.is_empty() {
                            format!("add a port mapping for {port} to container `{name}`")
                        } else {
                            format!("use one of its container ports: {}", ports.join(", "))
                        }),
                );
            }
        }
        if let Some(role) = explicit_role(self.service).filter(|_| awsvpc) {
            out.push(
                ROLE_AWSVPC
                    .at(
                        self.at("role"),
                        format!(
                            "role `{role}` is set but task definition `{}` uses awsvpc",
                            self.family
                        ),
                    )
                    .with_hint("remove role: awsvpc services use the ECS service-linked role"),
            );
        }
    }

    fn check_service_connect(&self, td: &RegisterTaskDefinitionRequest, out: &mut Vec<Diagnostic>) {
        let Some(connect) = &self.service.service_connect_configuration else {
            return;
        };
        let names = port_names(td);
        for (k, sc) in connect.services.iter().flatten().enumerate() {
            let Some(port_name) = sc.port_name.as_deref().filter(|n| !n.is_empty()) else {
                continue;
            };
            if !names.contains(&port_name) {
                let known = if names.is_empty() {
                    "it names no port mapping".to_owned()
                } else {
                    format!("it names {}", names.join(", "))
                };
                out.push(
                    SERVICE_CONNECT_PORT_NAME
                        .at(
                            self.at("serviceConnectConfiguration")
                                .key("services")
                                .index(k)
                                .key("portName"),
                            format!(
                                "task definition `{}` has no port mapping named `{port_name}`; {known}",
                                self.family
                            ),
                        )
                        .with_hint("set portName to the `name` of a port mapping, or name the port mapping"),
                );
            }
        }
    }

    fn check_grace_period(&self, td: &RegisterTaskDefinitionRequest, out: &mut Vec<Diagnostic>) {
        let Some(seconds) = self
            .service
            .health_check_grace_period_seconds
            .filter(|s| *s > 0)
        else {
            return;
        };
        let has = |list: Option<usize>| list.is_some_and(|n| n > 0);
        let balanced = has(self.service.load_balancers.as_ref().map(Vec::len))
            || has(self
                .service
                .vpc_lattice_configurations
                .as_ref()
                .map(Vec::len));
        let health_checks = containers(td).any(|c| c.health_check.is_some());
        if !balanced && !health_checks {
            out.push(
                UNUSED_GRACE_PERIOD
                    .at(
                        self.at("healthCheckGracePeriodSeconds"),
                        format!(
                            "healthCheckGracePeriodSeconds is {seconds}, but the service has no load balancer or VPC Lattice target and task definition `{}` has no health check",
                            self.family
                        ),
                    )
                    .with_hint("remove it, or add the health check it is meant to delay"),
            );
        }
    }
}

fn requires(td: &RegisterTaskDefinitionRequest, compatibility: &Compatibility) -> bool {
    td.requires_compatibilities
        .iter()
        .flatten()
        .any(|c| c == compatibility)
}

fn is_awsvpc(td: &RegisterTaskDefinitionRequest) -> bool {
    matches!(td.network_mode, Some(NetworkMode::Awsvpc))
}

/// Whether AWS could validate the task definition for Fargate without being asked: awsvpc
/// with task-level cpu and memory.
fn fargate_shaped(td: &RegisterTaskDefinitionRequest) -> bool {
    is_awsvpc(td) && td.cpu.is_some() && td.memory.is_some()
}

fn containers(td: &RegisterTaskDefinitionRequest) -> impl Iterator<Item = &ContainerDefinition> {
    td.container_definitions.iter().flatten()
}

fn find_container<'a>(
    td: &'a RegisterTaskDefinitionRequest,
    name: &str,
) -> Option<&'a ContainerDefinition> {
    containers(td).find(|c| c.name.as_deref() == Some(name))
}

fn container_names(td: &RegisterTaskDefinitionRequest) -> Vec<&str> {
    containers(td).filter_map(|c| c.name.as_deref()).collect()
}

/// Whether the container maps `port`, as a single port or within a `containerPortRange`.
fn maps_port(container: &ContainerDefinition, port: i32) -> bool {
    container.port_mappings.iter().flatten().any(|m| {
        m.container_port == Some(port)
            || m.container_port_range
                .as_deref()
                .and_then(parse_range)
                .is_some_and(|(low, high)| (low..=high).contains(&port))
    })
}

fn parse_range(range: &str) -> Option<(i32, i32)> {
    let (low, high) = range.split_once('-')?;
    Some((low.trim().parse().ok()?, high.trim().parse().ok()?))
}

fn mapped_ports(container: &ContainerDefinition) -> Vec<String> {
    container
        .port_mappings
        .iter()
        .flatten()
        .filter_map(|m| {
            m.container_port
                .map(|p| p.to_string())
                .or_else(|| m.container_port_range.clone())
        })
        .collect()
}

/// The names of every port mapping of every container.
fn port_names(td: &RegisterTaskDefinitionRequest) -> Vec<&str> {
    containers(td)
        .flat_map(|c| c.port_mappings.iter().flatten())
        .filter_map(|m| m.name.as_deref())
        .collect()
}

fn check_cluster_providers(stack: &Stack, out: &mut Vec<Diagnostic>) {
    let defined: Vec<&str> = stack
        .capacity_providers
        .iter()
        .filter_map(|p| p.name.as_deref())
        .collect();
    for (j, cluster) in stack.clusters.iter().enumerate() {
        for (k, name) in cluster.capacity_providers.iter().flatten().enumerate() {
            if is_fargate_provider(name) || defined.contains(&name.as_str()) {
                continue;
            }
            out.push(
                UNKNOWN_CAPACITY_PROVIDER
                    .at(
                        JsonPath::root()
                            .key("clusters")
                            .index(j)
                            .key("capacityProviders")
                            .index(k),
                        format!("capacity provider `{name}` is not defined in the stack"),
                    )
                    .with_hint(
                        "add it to `capacityProviders`, or make sure it already exists in AWS",
                    ),
            );
        }
    }
}

/// Reports every later occurrence of a label already seen, at the path `path_of` gives.
fn report_duplicates(
    labels: impl Iterator<Item = (usize, Option<String>)>,
    rule: &Rule,
    path_of: impl Fn(usize) -> JsonPath,
    out: &mut Vec<Diagnostic>,
) {
    let mut seen: HashMap<String, usize> = HashMap::new();
    for (i, label) in labels {
        let Some(label) = label else { continue };
        if let Some(first) = seen.get(&label) {
            out.push(
                rule.at(
                    path_of(i),
                    format!("{label} is defined again (first at item {first})"),
                )
                .with_hint("keep one definition, or rename one of them"),
            );
        } else {
            seen.insert(label, i);
        }
    }
}

fn check_duplicates(stack: &Stack, out: &mut Vec<Diagnostic>) {
    let item = |list: &str, i: usize| JsonPath::root().key(list).index(i);
    report_duplicates(
        stack
            .clusters
            .iter()
            .enumerate()
            .map(|(i, c)| (i, Some(format!("cluster `{}`", cluster_name(c))))),
        &DUPLICATE_CLUSTER,
        |i| {
            let named = stack
                .clusters
                .get(i)
                .is_some_and(|c| c.cluster_name.is_some());
            let at = item("clusters", i);
            if named { at.key("clusterName") } else { at }
        },
        out,
    );
    report_duplicates(
        stack.task_definitions.iter().enumerate().map(|(i, td)| {
            let label = td
                .family
                .as_ref()
                .map(|f| format!("task definition family `{f}`"));
            (i, label)
        }),
        &DUPLICATE_TASK_DEFINITION,
        |i| item("taskDefinitions", i).key("family"),
        out,
    );
    report_duplicates(
        stack.capacity_providers.iter().enumerate().map(|(i, p)| {
            let label = p.name.as_ref().map(|n| format!("capacity provider `{n}`"));
            (i, label)
        }),
        &DUPLICATE_CAPACITY_PROVIDER,
        |i| item("capacityProviders", i).key("name"),
        out,
    );
    report_duplicates(
        stack.services.iter().enumerate().map(|(i, s)| {
            let label = s
                .service_name
                .as_ref()
                .map(|name| format!("service `{name}` in cluster `{}`", referenced_cluster(s)));
            (i, label)
        }),
        &DUPLICATE_SERVICE,
        |i| item("services", i).key("serviceName"),
        out,
    );
}
