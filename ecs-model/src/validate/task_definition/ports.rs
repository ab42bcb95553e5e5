//! Port mappings: `containerPort`, `hostPort` and `containerPortRange` against the network
//! mode, ports claimed twice within a container and across the task, and port mapping names.

use std::collections::HashMap;

use crate::diagnostic::{Diagnostic, JsonPath};
use crate::types::{PortMapping, TransportProtocol};
use crate::validate::Rule;

use super::{API_CONTAINER, Network, TaskView, container_path, error};

const API_PORT_MAPPING: &str =
    "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_PortMapping.html";

/// No port mappings in `none` mode.
pub(crate) const PORT_MAPPINGS_NETWORK_MODE_NONE: Rule = error(
    "port-mappings-network-mode-none",
    "With network mode `none`, containers have no port mappings.",
    API_CONTAINER,
);

/// `hostPort` equals `containerPort` in awsvpc and host modes.
pub(crate) const HOST_PORT_MISMATCH: Rule = error(
    "host-port-mismatch",
    "In awsvpc and host network modes, hostPort is omitted or equals containerPort.",
    API_PORT_MAPPING,
);

/// Port number bounds.
pub(crate) const PORT_OUT_OF_RANGE: Rule = error(
    "port-out-of-range",
    "containerPort and containerPortRange ports are 1 to 65535; hostPort is 0 to 65535.",
    API_PORT_MAPPING,
);

/// One of `containerPort` and `containerPortRange`.
pub(crate) const PORT_MAPPING_CONTAINER_PORT: Rule = error(
    "port-mapping-container-port",
    "A port mapping sets exactly one of containerPort and containerPortRange.",
    API_PORT_MAPPING,
);

/// `containerPortRange` syntax.
pub(crate) const CONTAINER_PORT_RANGE_SYNTAX: Rule = error(
    "container-port-range-syntax",
    "containerPortRange is written `first-last` with the first port less than the last.",
    API_PORT_MAPPING,
);

/// `containerPortRange` network modes.
pub(crate) const CONTAINER_PORT_RANGE_NETWORK_MODE: Rule = error(
    "container-port-range-network-mode",
    "containerPortRange needs the bridge or awsvpc network mode.",
    API_PORT_MAPPING,
);

/// No `hostPort` with a range.
pub(crate) const CONTAINER_PORT_RANGE_HOST_PORT: Rule = error(
    "container-port-range-host-port",
    "A port mapping with containerPortRange leaves hostPort empty; ECS assigns host ports.",
    API_PORT_MAPPING,
);

/// At most 100 ranges per container.
pub(crate) const CONTAINER_PORT_RANGE_LIMIT: Rule = error(
    "container-port-range-limit",
    "A container has at most 100 port ranges.",
    API_PORT_MAPPING,
);

/// No port bound twice.
pub(crate) const DUPLICATE_PORT_MAPPING: Rule = error(
    "duplicate-port-mapping",
    "A port is in one port mapping per container (whatever the protocol), and no two \
     mappings of a task claim the same port and protocol where they share it: container \
     ports in awsvpc and host modes, host ports in bridge mode.",
    API_PORT_MAPPING,
);

/// Port mapping name syntax.
pub(crate) const PORT_MAPPING_NAME: Rule = error(
    "port-mapping-name",
    "A port mapping name is up to 64 lowercase letters, digits, underscores and hyphens, \
     and does not start with a hyphen.",
    API_PORT_MAPPING,
);

/// Unique port mapping names.
pub(crate) const DUPLICATE_PORT_MAPPING_NAME: Rule = error(
    "duplicate-port-mapping-name",
    "Port mapping names are unique within a task definition; services refer to ports by name.",
    API_PORT_MAPPING,
);

/// A closed interval of ports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Span {
    first: i64,
    last: i64,
}

impl Span {
    fn single(port: i32) -> Self {
        Self {
            first: port.into(),
            last: port.into(),
        }
    }

    fn overlaps(self, other: Span) -> bool {
        self.first <= other.last && other.first <= self.last
    }
}

impl std::fmt::Display for Span {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.first == self.last {
            write!(f, "{}", self.first)
        } else {
            write!(f, "{}-{}", self.first, self.last)
        }
    }
}

/// Ports a mapping claims where other containers' mappings can collide with it.
struct Binding {
    span: Span,
    protocol: &'static str,
    path: JsonPath,
}

fn protocol(mapping: &PortMapping) -> &'static str {
    // ECS reads any value other than udp as tcp.
    match mapping.protocol {
        Some(TransportProtocol::Udp) => "udp",
        _ => "tcp",
    }
}

pub(super) fn check(task: &TaskView<'_>, out: &mut Vec<Diagnostic>) {
    let mut names: HashMap<&str, JsonPath> = HashMap::new();
    let mut bindings: Vec<Binding> = Vec::new();
    for (i, container) in task.containers.iter().enumerate() {
        let Some(mappings) = container.port_mappings.as_deref().filter(|m| !m.is_empty()) else {
            continue;
        };
        let at = container_path(i).key("portMappings");
        if task.network == Network::Disabled {
            out.push(
                PORT_MAPPINGS_NETWORK_MODE_NONE
                    .at(
                        at,
                        "the container maps ports, but the network mode is `none`",
                    )
                    .with_hint("remove the port mappings, or choose another network mode"),
            );
            continue;
        }
        let mut spans: Vec<(usize, Span)> = Vec::new();
        for (j, mapping) in mappings.iter().enumerate() {
            let path = at.clone().index(j);
            check_port_name(mapping, &path, &mut names, out);
            let Some(span) = check_mapping(task.network, mapping, &path, out) else {
                continue;
            };
            if let Some((k, earlier)) = spans.iter().find(|(_, s)| s.overlaps(span)) {
                let within = if *earlier == span {
                    String::new()
                } else {
                    format!(" ({earlier})")
                };
                out.push(
                    DUPLICATE_PORT_MAPPING
                        .at(
                            path,
                            format!(
                                "container port {span} is already mapped by portMappings[{k}]{within} \
                                 of this container"
                            ),
                        )
                        .with_hint(
                            "map each container port once; one port cannot serve both tcp and udp",
                        ),
                );
                continue;
            }
            spans.push((j, span));
            if let Some(binding) = host_binding(task.network, mapping, span, &path) {
                check_binding(task.network, &binding, &bindings, out);
                bindings.push(binding);
            }
        }
        let ranges = mappings
            .iter()
            .filter(|m| m.container_port_range.is_some())
            .count();
        if ranges > 100 {
            out.push(
                CONTAINER_PORT_RANGE_LIMIT
                    .at(
                        at,
                        format!("the container has {ranges} port ranges; AWS allows 100"),
                    )
                    .with_hint("merge adjacent ranges"),
            );
        }
    }
}

/// Checks one mapping's ports; returns the container ports it exposes when they are valid.
fn check_mapping(
    network: Network,
    mapping: &PortMapping,
    path: &JsonPath,
    out: &mut Vec<Diagnostic>,
) -> Option<Span> {
    match (
        mapping.container_port,
        mapping.container_port_range.as_deref(),
    ) {
        (None, None) => {
            out.push(
                PORT_MAPPING_CONTAINER_PORT
                    .at(
                        path.clone(),
                        "the port mapping sets neither containerPort nor containerPortRange",
                    )
                    .with_hint("set the port the container listens on in containerPort"),
            );
            None
        }
        (Some(_), Some(_)) => {
            out.push(
                PORT_MAPPING_CONTAINER_PORT
                    .at(
                        path.clone().key("containerPortRange"),
                        "the port mapping sets both containerPort and containerPortRange",
                    )
                    .with_hint("keep one: a single containerPort, or a containerPortRange"),
            );
            None
        }
        (Some(port), None) => check_single_port(network, mapping, port, path, out),
        (None, Some(range)) => check_port_range(network, mapping, range, path, out),
    }
}

fn check_single_port(
    network: Network,
    mapping: &PortMapping,
    port: i32,
    path: &JsonPath,
    out: &mut Vec<Diagnostic>,
) -> Option<Span> {
    let mut valid = true;
    if !(1..=65535).contains(&port) {
        out.push(
            PORT_OUT_OF_RANGE
                .at(
                    path.clone().key("containerPort"),
                    format!("containerPort {port} is not a port number"),
                )
                .with_hint("use a port from 1 to 65535"),
        );
        valid = false;
    }
    if let Some(host) = mapping.host_port {
        if !(0..=65535).contains(&host) {
            out.push(
                PORT_OUT_OF_RANGE
                    .at(
                        path.clone().key("hostPort"),
                        format!("hostPort {host} is not a port number"),
                    )
                    .with_hint("use a port from 1 to 65535, or 0 or nothing for a dynamic port"),
            );
        } else if matches!(network, Network::Awsvpc | Network::Host) && host != port {
            let mode = if network == Network::Awsvpc {
                "awsvpc"
            } else {
                "host"
            };
            out.push(
                HOST_PORT_MISMATCH
                    .at(
                        path.clone().key("hostPort"),
                        format!("hostPort {host} differs from containerPort {port} in {mode} mode"),
                    )
                    .with_hint(format!("remove hostPort, or set it to {port}")),
            );
        }
    }
    valid.then(|| Span::single(port))
}

fn check_port_range(
    network: Network,
    mapping: &PortMapping,
    range: &str,
    path: &JsonPath,
    out: &mut Vec<Diagnostic>,
) -> Option<Span> {
    let at = path.clone().key("containerPortRange");
    if matches!(network, Network::Host | Network::Disabled) {
        out.push(
            CONTAINER_PORT_RANGE_NETWORK_MODE
                .at(
                    at.clone(),
                    "containerPortRange is set, but the network mode is not bridge or awsvpc",
                )
                .with_hint("use the bridge or awsvpc network mode, or map single ports"),
        );
    }
    if mapping.host_port.is_some() {
        out.push(
            CONTAINER_PORT_RANGE_HOST_PORT
                .at(
                    path.clone().key("hostPort"),
                    "hostPort is set on a mapping with containerPortRange",
                )
                .with_hint("remove hostPort; ECS picks the host ports of a range"),
        );
    }
    let parsed = range.split_once('-').and_then(|(first, last)| {
        let number = |s: &str| {
            (!s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()))
                .then(|| s.parse::<i64>().ok())
                .flatten()
        };
        Some(Span {
            first: number(first)?,
            last: number(last)?,
        })
    });
    let Some(span) = parsed else {
        out.push(
            CONTAINER_PORT_RANGE_SYNTAX
                .at(
                    at,
                    format!("containerPortRange `{range}` is not `first-last`"),
                )
                .with_hint(
                    "write the range as two port numbers joined by a hyphen, like \"8000-8099\"",
                ),
        );
        return None;
    };
    if span.first >= span.last {
        out.push(
            CONTAINER_PORT_RANGE_SYNTAX
                .at(
                    at,
                    format!(
                        "containerPortRange `{range}` does not go from a lower to a higher port"
                    ),
                )
                .with_hint("put the lower port first; for one port, use containerPort"),
        );
        return None;
    }
    if span.first < 1 || span.last > 65535 {
        out.push(
            PORT_OUT_OF_RANGE
                .at(
                    at,
                    format!("containerPortRange `{range}` goes beyond 1-65535"),
                )
                .with_hint("keep both ends from 1 to 65535"),
        );
        return None;
    }
    Some(span)
}

/// The ports a mapping claims in the task's shared space: container ports in awsvpc and host
/// modes (one network namespace or the instance's), explicit host ports in bridge mode.
fn host_binding(
    network: Network,
    mapping: &PortMapping,
    span: Span,
    path: &JsonPath,
) -> Option<Binding> {
    let span = match network {
        Network::Awsvpc | Network::Host => span,
        Network::Bridge | Network::WindowsDefault => match mapping.host_port {
            Some(host) if host > 0 && mapping.container_port_range.is_none() => Span::single(host),
            _ => return None,
        },
        Network::Disabled | Network::Unknown => return None,
    };
    Some(Binding {
        span,
        protocol: protocol(mapping),
        path: path.clone(),
    })
}

fn check_binding(
    network: Network,
    binding: &Binding,
    earlier: &[Binding],
    out: &mut Vec<Diagnostic>,
) {
    let Some(other) = earlier
        .iter()
        .find(|b| b.protocol == binding.protocol && b.span.overlaps(binding.span))
    else {
        return;
    };
    let (what, why) = if matches!(network, Network::Awsvpc | Network::Host) {
        (
            "container port",
            "the task's containers share one network namespace",
        )
    } else {
        ("host port", "the instance can bind each host port once")
    };
    out.push(
        DUPLICATE_PORT_MAPPING
            .at(
                binding.path.clone(),
                format!(
                    "{what} {}/{} is also claimed by {}; {why}",
                    binding.span, binding.protocol, other.path
                ),
            )
            .with_hint("give each container its own port"),
    );
}

fn valid_port_name(name: &str) -> bool {
    (1..=64).contains(&name.len())
        && !name.starts_with('-')
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-')
}

fn check_port_name<'a>(
    mapping: &'a PortMapping,
    path: &JsonPath,
    names: &mut HashMap<&'a str, JsonPath>,
    out: &mut Vec<Diagnostic>,
) {
    let Some(name) = mapping.name.as_deref() else {
        return;
    };
    let at = path.clone().key("name");
    if !valid_port_name(name) {
        out.push(
            PORT_MAPPING_NAME
                .at(
                    at.clone(),
                    format!("port mapping name `{name}` is not allowed"),
                )
                .with_hint(
                    "use up to 64 lowercase letters, digits, underscores and hyphens, \
                     not starting with a hyphen",
                ),
        );
    }
    if let Some(first) = names.get(name) {
        out.push(
            DUPLICATE_PORT_MAPPING_NAME
                .at(
                    at,
                    format!("port mapping name `{name}` is also used at {first}"),
                )
                .with_hint("name each port mapping differently"),
        );
    } else {
        names.insert(name, path.clone());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn port_names() {
        assert!(valid_port_name("web-80_tcp"));
        assert!(!valid_port_name("-web"));
        assert!(!valid_port_name("Web"));
        assert!(!valid_port_name(&"a".repeat(65)));
    }
}
