//! How traffic reaches the task definition's containers: a load balancer's container and port
//! (and, with awsvpc, no Classic Load Balancer and no service `role`), Service Connect port
//! names, and a health check grace period with something to wait for.

use crate::diagnostic::{Diagnostic, Severity};
use crate::facts::{Network, network};
use crate::types::{ContainerDefinition, RegisterTaskDefinitionRequest};
use crate::validate::Rule;
use crate::validate::service::{explicit_role, is_classic};

use super::{CREATE_SERVICE_DOC, ServiceCx};

/// Load balancers route to a container port of the task definition.
pub(crate) const LOAD_BALANCER_CONTAINER: Rule = Rule {
    code: "stack-load-balancer-container",
    severity: Severity::Error,
    summary: "A load balancer's `containerName` is a container of the task definition and its `containerPort` one of that container's port mappings.",
    doc: "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_LoadBalancer.html",
    cross_field: true,
};

/// No Classic Load Balancer with awsvpc.
pub(crate) const CLASSIC_AWSVPC: Rule = Rule {
    code: "stack-classic-load-balancer-awsvpc",
    severity: Severity::Error,
    summary: "Services whose task definition uses awsvpc support Application and Network Load Balancers only, not Classic.",
    doc: CREATE_SERVICE_DOC,
    cross_field: true,
};

/// No service `role` with awsvpc.
pub(crate) const ROLE_AWSVPC: Rule = Rule {
    code: "stack-role-awsvpc",
    severity: Severity::Error,
    summary: "A service whose task definition uses awsvpc takes no `role`; it uses the service-linked role.",
    doc: CREATE_SERVICE_DOC,
    cross_field: true,
};

/// Service Connect port names exist.
pub(crate) const SERVICE_CONNECT_PORT_NAME: Rule = Rule {
    code: "stack-service-connect-port-name",
    severity: Severity::Error,
    summary: "A Service Connect `portName` is the name of a port mapping of the service's task definition.",
    doc: "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ServiceConnectService.html",
    cross_field: true,
};

/// A grace period with nothing to wait for.
pub(crate) const UNUSED_GRACE_PERIOD: Rule = Rule {
    code: "stack-unused-grace-period",
    severity: Severity::Warning,
    summary: "`healthCheckGracePeriodSeconds` is set only when the service has a load balancer, VPC Lattice or container health checks.",
    doc: CREATE_SERVICE_DOC,
    cross_field: true,
};

impl ServiceCx<'_> {
    pub(super) fn check_load_balancers(
        &self,
        td: &RegisterTaskDefinitionRequest,
        out: &mut Vec<Diagnostic>,
    ) {
        let awsvpc = network(td) == Network::Awsvpc;
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

    pub(super) fn check_service_connect(
        &self,
        td: &RegisterTaskDefinitionRequest,
        out: &mut Vec<Diagnostic>,
    ) {
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

    pub(super) fn check_grace_period(
        &self,
        td: &RegisterTaskDefinitionRequest,
        out: &mut Vec<Diagnostic>,
    ) {
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

fn containers(td: &RegisterTaskDefinitionRequest) -> impl Iterator<Item = &ContainerDefinition> {
    td.container_definitions.iter().flatten()
}

pub(super) fn find_container<'a>(
    td: &'a RegisterTaskDefinitionRequest,
    name: &str,
) -> Option<&'a ContainerDefinition> {
    containers(td).find(|c| c.name.as_deref() == Some(name))
}

fn container_names(td: &RegisterTaskDefinitionRequest) -> Vec<&str> {
    containers(td).filter_map(|c| c.name.as_deref()).collect()
}

/// Whether the container maps `port`, as a single port or within a `containerPortRange`.
pub(super) fn maps_port(container: &ContainerDefinition, port: i32) -> bool {
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
