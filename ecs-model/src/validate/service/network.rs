//! Rules for how a service is reached: load balancers, task networking, service discovery and
//! Service Connect.

use crate::diagnostic::{Diagnostic, JsonPath, Severity};
use crate::types::{
    AwsVpcConfiguration, CreateServiceRequest, LoadBalancer, ServiceConnectConfiguration,
    ServiceConnectService,
};

use super::super::Rule;

const CREATE_SERVICE_DOC: &str =
    "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_CreateService.html";
const AWSVPC_DOC: &str =
    "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_AwsVpcConfiguration.html";
const SERVICE_CONNECT_DOC: &str =
    "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ServiceConnectService.html";

/// At most 5 target groups.
pub(crate) const LOAD_BALANCER_LIMIT: Rule = Rule {
    code: "service-load-balancer-limit",
    severity: Severity::Error,
    summary: "A service attaches at most 5 target groups.",
    doc: "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/register-multiple-targetgroups.html",
    cross_field: false,
};

/// Exactly one of `targetGroupArn` and `loadBalancerName`.
pub(crate) const LOAD_BALANCER_TARGET: Rule = Rule {
    code: "service-load-balancer-target",
    severity: Severity::Error,
    summary: "A load balancer entry has a `targetGroupArn` (ALB, NLB) or a `loadBalancerName` (Classic), not both.",
    doc: CREATE_SERVICE_DOC,
    cross_field: false,
};

/// The container and port to route to.
pub(crate) const LOAD_BALANCER_CONTAINER: Rule = Rule {
    code: "service-load-balancer-container",
    severity: Severity::Error,
    summary: "A load balancer entry names the `containerName` and `containerPort` to route to.",
    doc: CREATE_SERVICE_DOC,
    cross_field: false,
};

/// One Classic Load Balancer, alone.
pub(crate) const CLASSIC_LIMIT: Rule = Rule {
    code: "service-classic-load-balancer-limit",
    severity: Severity::Error,
    summary: "A service uses at most one Classic Load Balancer, and no other load balancer with it.",
    doc: "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-quotas.html",
    cross_field: false,
};

/// `role` goes with a load balancer.
pub(crate) const ROLE_WITHOUT_LOAD_BALANCER: Rule = Rule {
    code: "service-role-without-load-balancer",
    severity: Severity::Error,
    summary: "A service `role` is only allowed with `loadBalancers`.",
    doc: CREATE_SERVICE_DOC,
    cross_field: true,
};

/// `healthCheckGracePeriodSeconds` is not negative.
pub(crate) const GRACE_PERIOD_RANGE: Rule = Rule {
    code: "service-grace-period-range",
    severity: Severity::Error,
    summary: "`healthCheckGracePeriodSeconds` is 0 to 2147483647.",
    doc: "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service_definition_parameters.html",
    cross_field: false,
};

/// 1 to 16 subnets.
pub(crate) const AWSVPC_SUBNETS: Rule = Rule {
    code: "service-awsvpc-subnets",
    severity: Severity::Error,
    summary: "An awsvpc configuration lists 1 to 16 subnets.",
    doc: AWSVPC_DOC,
    cross_field: false,
};

/// At most 5 security groups.
pub(crate) const AWSVPC_SECURITY_GROUPS: Rule = Rule {
    code: "service-awsvpc-security-groups",
    severity: Severity::Error,
    summary: "An awsvpc configuration lists at most 5 security groups.",
    doc: AWSVPC_DOC,
    cross_field: false,
};

/// At most one service registry.
pub(crate) const REGISTRY_LIMIT: Rule = Rule {
    code: "service-registry-limit",
    severity: Severity::Error,
    summary: "A service has at most one service registry.",
    doc: "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ServiceRegistry.html",
    cross_field: false,
};

/// Service Connect services name their port.
pub(crate) const CONNECT_PORT_NAME: Rule = Rule {
    code: "service-connect-port-name",
    severity: Severity::Error,
    summary: "Each Service Connect service names the port mapping it exposes in `portName`.",
    doc: SERVICE_CONNECT_DOC,
    cross_field: true,
};

/// Cloud Map discovery names.
pub(crate) const CONNECT_DISCOVERY_NAME: Rule = Rule {
    code: "service-connect-discovery-name",
    severity: Severity::Error,
    summary: "A `discoveryName` is up to 64 lowercase letters, digits, underscores and hyphens, not starting with a hyphen.",
    doc: SERVICE_CONNECT_DOC,
    cross_field: false,
};

/// One client alias.
pub(crate) const CONNECT_CLIENT_ALIASES: Rule = Rule {
    code: "service-connect-client-alias-limit",
    severity: Severity::Error,
    summary: "A Service Connect service has at most one client alias.",
    doc: SERVICE_CONNECT_DOC,
    cross_field: false,
};

/// Whether `role` is the Amazon ECS service-linked role, which describe calls report for
/// every service and which is not the `role` parameter CreateService restricts.
pub(crate) fn is_service_linked_role(role: &str) -> bool {
    role.contains("aws-service-role/ecs.amazonaws.com/")
}

/// The service's `role`, unless it is the service-linked role.
pub(crate) fn explicit_role(service: &CreateServiceRequest) -> Option<&str> {
    service
        .role
        .as_deref()
        .filter(|r| !r.is_empty() && !is_service_linked_role(r))
}

/// Whether a load balancer entry is a Classic Load Balancer.
pub(crate) fn is_classic(lb: &LoadBalancer) -> bool {
    lb.load_balancer_name
        .as_deref()
        .is_some_and(|n| !n.is_empty())
}

/// Checks the networking members of a service.
pub(crate) fn check(service: &CreateServiceRequest, out: &mut Vec<Diagnostic>) {
    let load_balancers = service.load_balancers.as_deref().unwrap_or_default();
    check_load_balancers(load_balancers, out);
    if let Some(role) = explicit_role(service).filter(|_| load_balancers.is_empty()) {
        out.push(
            ROLE_WITHOUT_LOAD_BALANCER
                .at(
                    JsonPath::root().key("role"),
                    format!("role `{role}` is set but the service has no load balancer"),
                )
                .with_hint("remove role: ECS uses its service-linked role"),
        );
    }
    if let Some(seconds) = service.health_check_grace_period_seconds.filter(|s| *s < 0) {
        out.push(
            GRACE_PERIOD_RANGE
                .at(
                    JsonPath::root().key("healthCheckGracePeriodSeconds"),
                    format!("healthCheckGracePeriodSeconds is {seconds}; it cannot be negative"),
                )
                .with_hint("use 0 or more seconds"),
        );
    }
    if let Some(vpc) = service
        .network_configuration
        .as_ref()
        .and_then(|n| n.awsvpc_configuration.as_ref())
    {
        let at = JsonPath::root()
            .key("networkConfiguration")
            .key("awsvpcConfiguration");
        check_awsvpc(vpc, &at, out);
    }
    check_registries(service, out);
    if let Some(connect) = &service.service_connect_configuration {
        check_service_connect(
            connect,
            &JsonPath::root().key("serviceConnectConfiguration"),
            out,
        );
    }
}

fn check_load_balancers(load_balancers: &[LoadBalancer], out: &mut Vec<Diagnostic>) {
    let path = JsonPath::root().key("loadBalancers");
    if load_balancers.len() > 5 {
        out.push(
            LOAD_BALANCER_LIMIT
                .at(
                    path.clone(),
                    format!(
                        "{} target groups; a service attaches at most 5",
                        load_balancers.len()
                    ),
                )
                .with_hint("split the service, or route several ports through fewer target groups"),
        );
    }
    for (i, lb) in load_balancers.iter().enumerate() {
        check_load_balancer(lb, &path.clone().index(i), out);
    }
    let classic = load_balancers.iter().position(is_classic);
    if let (Some(first), true) = (classic, load_balancers.len() > 1) {
        let other = if first == 0 { 1 } else { 0 };
        out.push(
            CLASSIC_LIMIT
                .at(
                    path.index(other),
                    format!(
                        "{} load balancers with the Classic Load Balancer at item {first}; a \
                         Classic Load Balancer is the service's only one",
                        load_balancers.len()
                    ),
                )
                .with_hint(
                    "use Application or Network Load Balancer target groups for several entries",
                ),
        );
    }
}

fn check_load_balancer(lb: &LoadBalancer, at: &JsonPath, out: &mut Vec<Diagnostic>) {
    let target = lb
        .target_group_arn
        .as_deref()
        .is_some_and(|t| !t.is_empty());
    match (target, is_classic(lb)) {
        (true, true) => out.push(
            LOAD_BALANCER_TARGET
                .at(
                    at.clone().key("loadBalancerName"),
                    "both targetGroupArn and loadBalancerName are set",
                )
                .with_hint("keep targetGroupArn for an ALB or NLB, loadBalancerName for a Classic Load Balancer"),
        ),
        (false, false) => out.push(
            LOAD_BALANCER_TARGET
                .at(at.clone(), "neither targetGroupArn nor loadBalancerName is set")
                .with_hint("set targetGroupArn (ALB, NLB) or loadBalancerName (Classic)"),
        ),
        _ => {}
    }
    let missing = [
        (
            "containerName",
            lb.container_name.as_deref().is_none_or(str::is_empty),
        ),
        ("containerPort", lb.container_port.is_none()),
    ];
    for (member, absent) in missing {
        if absent {
            out.push(
                LOAD_BALANCER_CONTAINER
                    .at(
                        at.clone().key(member),
                        format!("the load balancer has no {member}"),
                    )
                    .with_hint(
                        "name the container and the container port the load balancer routes to",
                    ),
            );
        }
    }
}

fn check_awsvpc(vpc: &AwsVpcConfiguration, at: &JsonPath, out: &mut Vec<Diagnostic>) {
    let subnets = vpc.subnets.as_deref().unwrap_or_default();
    if subnets.is_empty() || subnets.len() > 16 {
        out.push(
            AWSVPC_SUBNETS
                .at(
                    at.clone().key("subnets"),
                    format!(
                        "{} subnets; an awsvpc configuration takes 1 to 16",
                        subnets.len()
                    ),
                )
                .with_hint("list 1 to 16 subnets of the same VPC"),
        );
    }
    let groups = vpc.security_groups.as_deref().unwrap_or_default();
    if groups.len() > 5 {
        out.push(
            AWSVPC_SECURITY_GROUPS
                .at(
                    at.clone().key("securityGroups"),
                    format!(
                        "{} security groups; an awsvpc configuration takes at most 5",
                        groups.len()
                    ),
                )
                .with_hint("merge rules into 5 security groups or fewer"),
        );
    }
}

fn check_registries(service: &CreateServiceRequest, out: &mut Vec<Diagnostic>) {
    let count = service.service_registries.as_ref().map_or(0, Vec::len);
    if count > 1 {
        out.push(
            REGISTRY_LIMIT
                .at(
                    JsonPath::root().key("serviceRegistries"),
                    format!("{count} service registries; a service takes at most one"),
                )
                .with_hint("keep one Cloud Map service, or use Service Connect for more names"),
        );
    }
}

fn check_service_connect(
    connect: &ServiceConnectConfiguration,
    at: &JsonPath,
    out: &mut Vec<Diagnostic>,
) {
    for (i, service) in connect.services.iter().flatten().enumerate() {
        check_connect_service(service, &at.clone().key("services").index(i), out);
    }
}

fn check_connect_service(
    service: &ServiceConnectService,
    at: &JsonPath,
    out: &mut Vec<Diagnostic>,
) {
    if service.port_name.as_deref() == Some("") {
        out.push(
            CONNECT_PORT_NAME
                .at(at.clone().key("portName"), "portName is empty")
                .with_hint("set portName to the name of a port mapping of the task definition"),
        );
    }
    if let Some(name) = &service.discovery_name
        && let Some(problem) = discovery_name_problem(name)
    {
        out.push(
            CONNECT_DISCOVERY_NAME
                .at(
                    at.clone().key("discoveryName"),
                    format!("discoveryName `{name}` {problem}"),
                )
                .with_hint(
                    "use up to 64 lowercase letters, digits, underscores and hyphens, not \
                     starting with a hyphen",
                ),
        );
    }
    let aliases = service.client_aliases.as_ref().map_or(0, Vec::len);
    if aliases > 1 {
        out.push(
            CONNECT_CLIENT_ALIASES
                .at(
                    at.clone().key("clientAliases"),
                    format!(
                        "{aliases} client aliases; a Service Connect service takes at most one"
                    ),
                )
                .with_hint(
                    "keep one alias, or add another Service Connect service for the other port",
                ),
        );
    }
}

/// What is wrong with a Cloud Map discovery name, if anything.
fn discovery_name_problem(name: &str) -> Option<String> {
    let len = name.chars().count();
    if len == 0 {
        return Some("is empty".to_owned());
    }
    if len > 64 {
        return Some(format!("is {len} characters long; the limit is 64"));
    }
    if name.starts_with('-') {
        return Some("starts with a hyphen".to_owned());
    }
    name.chars()
        .find(|c| !(c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '_' || *c == '-'))
        .map(|c| format!("contains `{c}`"))
}
