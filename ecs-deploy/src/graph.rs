//! A picture of a stack: its resources and what links to what, as Graphviz DOT or a Mermaid
//! flowchart, each resource marked with what a plan would do to it.
//!
//! [`Graph::from_stack`] reads the stack alone (no AWS call): a node per cluster, capacity
//! provider, task definition family, service, target group, listener rule, Cloud Map namespace
//! and discovery service, service scaling and scheduled task, named by the [`Address`] a plan
//! gives it, and an edge per reference ([`Relation`]):
//!
//! | from | to | relation |
//! | --- | --- | --- |
//! | service | cluster | runs in |
//! | service | task definition family | runs |
//! | service | target group (`loadBalancers`) | load balanced by |
//! | service | discovery service (`serviceRegistries`) | registers in |
//! | service, cluster (its default) | namespace (Service Connect) | service connect |
//! | service, cluster | capacity provider (strategy, `capacityProviders`) | capacity |
//! | discovery service | namespace | in |
//! | listener rule | target group (forward actions) | forwards to |
//! | scaling | service | scales |
//! | scheduled task | cluster, family | runs in, runs |
//!
//! A reference to something the stack does not hold (an existing cluster, `FARGATE`, a target
//! group by ARN) is a node too, drawn dashed and labelled `(not in the stack)`. References are
//! read as the planner reads them: a cluster or family by name or ARN, a target group by its
//! `Name` in the stack, `name:NAME` or ARN, a discovery service by its `Name` in the stack, a
//! namespace by its `Name` in the stack or its id.
//!
//! [`Graph::mark`] puts a plan's action on each node (and adds the resources the plan deletes
//! that the stack no longer holds); the outputs show it as a color and a label suffix such as
//! `(+ create)`. Both outputs are deterministic: nodes in address order (ids `n0`, `n1`, ...),
//! edges in order of their ends.
//!
//! ```
//! use ecs_deploy::graph::Graph;
//! let stack = ecs_model::load::from_value::<ecs_model::Stack>(&serde_json::json!({
//!     "clusters": [{"clusterName": "demo"}],
//!     "services": [{"serviceName": "web", "cluster": "demo", "taskDefinition": "web:3"}]
//! })).value.unwrap_or_default();
//! let graph = Graph::from_stack(&stack);
//! assert_eq!(
//!     graph.to_mermaid(),
//!     "flowchart LR\n    \
//!      n0[\"cluster demo\"]\n    \
//!      n1[\"task definition web (not in the stack)\"]\n    \
//!      n2[\"service demo/web\"]\n    \
//!      n2 -->|runs in| n0\n    \
//!      n2 -->|runs| n1\n    \
//!      classDef external stroke-dasharray:5 5,color:#6e7781\n    \
//!      class n1 external\n"
//! );
//! ```

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use ecs_model::Stack;

use crate::kinds::{discovery_service, listener_rule, scaling, schedule};
use crate::plan::{Action, Actual, Address, Plan};
use crate::state::{cluster_name, family_revision, service_key};

/// A resource of the picture.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Node {
    /// The resource, as a plan addresses it.
    pub address: Address,
    /// Whether the stack holds it; `false` for what it only refers to (or what a plan deletes).
    pub in_stack: bool,
    /// What the plan given to [`Graph::mark`] does to it; `None` before, or when the plan does
    /// not name it.
    pub action: Option<Action>,
    /// A scheduled task without a `GroupName`, in the stack's own group: which one depends on
    /// the stack's name, known for sure once a plan is marked.
    default_group: bool,
}

/// How one resource refers to another.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum Relation {
    /// A service, or a scheduled task, runs in the cluster.
    RunsIn,
    /// A service, or a scheduled task, runs the task definition family.
    Runs,
    /// A service registers its tasks in the target group (`loadBalancers`).
    LoadBalancedBy,
    /// A service registers its tasks in the discovery service (`serviceRegistries`).
    RegistersIn,
    /// A service, or a cluster by default, uses the namespace for Service Connect.
    ServiceConnect,
    /// A cluster or a service places tasks with the capacity provider.
    Capacity,
    /// A discovery service is in the namespace.
    In,
    /// A listener rule forwards to the target group.
    ForwardsTo,
    /// Application Auto Scaling scales the service.
    Scales,
}

impl Relation {
    /// The words on the edge: `runs in`, `load balanced by`...
    pub fn as_str(self) -> &'static str {
        match self {
            Self::RunsIn => "runs in",
            Self::Runs => "runs",
            Self::LoadBalancedBy => "load balanced by",
            Self::RegistersIn => "registers in",
            Self::ServiceConnect => "service connect",
            Self::Capacity => "capacity",
            Self::In => "in",
            Self::ForwardsTo => "forwards to",
            Self::Scales => "scales",
        }
    }
}

/// A reference from one resource to another.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
#[non_exhaustive]
pub struct Edge {
    /// The resource that refers.
    pub from: Address,
    /// The resource referred to.
    pub to: Address,
    /// How.
    pub relation: Relation,
}

/// The resources of a stack and their references (see the [module](self)).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Graph {
    nodes: BTreeMap<Address, Node>,
    edges: BTreeSet<Edge>,
}

impl Graph {
    /// The picture of `stack`, without AWS: its resources and references, nothing marked.
    /// Scheduled tasks without a `GroupName` are put in the group of the stack's `name` (or of
    /// an empty name) until [`mark`](Self::mark) tells the plan's.
    pub fn from_stack(stack: &Stack) -> Self {
        let mut graph = Self::default();
        let stack_name = stack.name.as_deref().unwrap_or_default();
        for provider in &stack.capacity_providers {
            graph.add(Address::CapacityProvider {
                name: provider.name.clone().unwrap_or_default(),
            });
        }
        for cluster in &stack.clusters {
            let from = graph.add(Address::Cluster {
                name: cluster.cluster_name.clone().unwrap_or_default(),
            });
            let providers = cluster.capacity_providers.iter().flatten().chain(
                cluster
                    .default_capacity_provider_strategy
                    .iter()
                    .flatten()
                    .filter_map(|item| item.capacity_provider.as_ref()),
            );
            for provider in providers {
                graph.refer(&from, capacity_provider(provider), Relation::Capacity);
            }
            if let Some(namespace) = cluster
                .service_connect_defaults
                .as_ref()
                .and_then(|d| d.namespace.as_deref())
            {
                graph.refer(
                    &from,
                    namespace_of(namespace, stack),
                    Relation::ServiceConnect,
                );
            }
        }
        for td in &stack.task_definitions {
            graph.add(Address::TaskDefinition {
                family: td.family.clone().unwrap_or_default(),
            });
        }
        for namespace in &stack.namespaces {
            graph.add(Address::Namespace {
                name: namespace.name().unwrap_or_default().to_owned(),
            });
        }
        for wanted in &stack.discovery_services {
            let namespace =
                discovery_service::namespace_ref(wanted, stack, &Actual::default(), &[]);
            let from = graph.add(discovery_service_address(
                namespace.name(),
                wanted.name.as_deref().unwrap_or_default(),
            ));
            graph.refer(&from, namespace_of(namespace.name(), stack), Relation::In);
        }
        for group in &stack.target_groups {
            graph.add(Address::TargetGroup {
                name: group.name.clone().unwrap_or_default(),
            });
        }
        for rule in &stack.listener_rules {
            let from = graph.add(Address::ListenerRule {
                listener: rule.listener_arn.clone().unwrap_or_default(),
                key: listener_rule::key_of(rule),
            });
            for (_, _, written) in listener_rule::forwards(rule) {
                graph.refer(&from, target_group(&written), Relation::ForwardsTo);
            }
        }
        for service in &stack.services {
            let (cluster, name) = service_key(service);
            let from = graph.add(Address::Service {
                cluster: cluster.clone(),
                name,
            });
            graph.refer(&from, Address::Cluster { name: cluster }, Relation::RunsIn);
            if let Some(td) = &service.task_definition {
                graph.refer(&from, family(td), Relation::Runs);
            }
            for binding in service.load_balancers.iter().flatten() {
                if let Some(written) = &binding.target_group_arn {
                    graph.refer(&from, target_group(written), Relation::LoadBalancedBy);
                }
            }
            for registry in service.service_registries.iter().flatten() {
                if let Some(written) = &registry.registry_arn {
                    graph.refer(&from, registry_of(written, stack), Relation::RegistersIn);
                }
            }
            let strategy = service.capacity_provider_strategy.iter().flatten();
            for provider in strategy.filter_map(|item| item.capacity_provider.as_deref()) {
                graph.refer(&from, capacity_provider(provider), Relation::Capacity);
            }
            if let Some(namespace) = service
                .service_connect_configuration
                .as_ref()
                .and_then(|c| c.namespace.as_deref())
            {
                graph.refer(
                    &from,
                    namespace_of(namespace, stack),
                    Relation::ServiceConnect,
                );
            }
        }
        for id in scaling::desired(stack).keys() {
            if let Some((cluster, service)) = scaling::service_of(id) {
                let from = graph.add(Address::Scaling {
                    cluster: cluster.clone(),
                    service: service.clone(),
                });
                let to = Address::Service {
                    cluster,
                    name: service,
                };
                graph.refer(&from, to, Relation::Scales);
            }
        }
        for wanted in &stack.scheduled_tasks {
            let from = graph.add(Address::Schedule {
                group: schedule::group_of(wanted, stack_name),
                name: wanted.name.clone().unwrap_or_default(),
            });
            if wanted.group_name.is_none()
                && let Some(node) = graph.nodes.get_mut(&from)
            {
                node.default_group = true;
            }
            let Some(target) = &wanted.target else {
                continue;
            };
            if let Some(arn) = &target.arn {
                let cluster = cluster_name(arn).to_owned();
                graph.refer(&from, Address::Cluster { name: cluster }, Relation::RunsIn);
            }
            if let Some(td) = target
                .ecs_parameters
                .as_ref()
                .and_then(|e| e.task_definition_arn.as_deref())
            {
                graph.refer(&from, family(td), Relation::Runs);
            }
        }
        graph
    }

    /// Marks each node with what `plan` does to it, and adds a node for each resource the
    /// plan deletes that the stack no longer holds (a prune). Scheduled tasks without a
    /// `GroupName` move to the group of the plan's stack. Old revisions and schedule groups,
    /// which have no node, are left out.
    pub fn mark(&mut self, plan: &Plan) {
        self.regroup(&schedule::group_name(&plan.stack));
        for change in &plan.changes {
            if matches!(
                change.address,
                Address::Revisions { .. } | Address::ScheduleGroup { .. }
            ) {
                continue;
            }
            let address = self.find(&change.address);
            let node = self.nodes.entry(address.clone()).or_insert_with(|| Node {
                address,
                in_stack: false,
                action: None,
                default_group: false,
            });
            node.action = Some(change.action);
        }
    }

    /// The nodes, in address order.
    pub fn nodes(&self) -> impl Iterator<Item = &Node> {
        self.nodes.values()
    }

    /// The edges, in order of their ends.
    pub fn edges(&self) -> impl Iterator<Item = &Edge> {
        self.edges.iter()
    }

    /// The graph in Graphviz's DOT language: a `digraph` laid out left to right, one box per
    /// node (dashed and grey when the stack does not hold it; colored by the plan's action),
    /// one labelled arrow per edge.
    pub fn to_dot(&self) -> String {
        let ids = self.ids();
        let mut out = String::from(
            "digraph stack {\n    rankdir=LR;\n    node [shape=box, fontname=\"Helvetica\"];\n    \
             edge [fontname=\"Helvetica\", fontsize=10];\n",
        );
        for node in self.nodes.values() {
            let mut attributes = vec![format!("label={}", dot_string(&node_label(node)))];
            if let Some(color) = node.action.and_then(color) {
                attributes.push(format!("color=\"{color}\""));
                attributes.push(format!("fontcolor=\"{color}\""));
                attributes.push("penwidth=2".to_owned());
            }
            if !node.in_stack {
                attributes.push("style=dashed".to_owned());
                if node.action.and_then(color).is_none() {
                    attributes.push(format!("color=\"{GREY}\""));
                    attributes.push(format!("fontcolor=\"{GREY}\""));
                }
            }
            let _ = writeln!(
                out,
                "    {} [{}];",
                ids[&node.address],
                attributes.join(", ")
            );
        }
        for edge in &self.edges {
            let _ = writeln!(
                out,
                "    {} -> {} [label={}];",
                ids[&edge.from],
                ids[&edge.to],
                dot_string(edge.relation.as_str())
            );
        }
        out.push_str("}\n");
        out
    }

    /// The graph as a Mermaid flowchart (`flowchart LR`), for a Markdown page or a pull
    /// request: one quoted box per node, one labelled arrow per edge, then a `classDef` per
    /// action present (and `external` for what the stack does not hold) and the `class` lines
    /// that apply them.
    pub fn to_mermaid(&self) -> String {
        let ids = self.ids();
        let mut out = String::from("flowchart LR\n");
        let mut classes: BTreeMap<&'static str, Vec<&str>> = BTreeMap::new();
        for node in self.nodes.values() {
            let id = ids[&node.address].as_str();
            let _ = writeln!(out, "    {id}[\"{}\"]", mermaid_text(&node_label(node)));
            if let Some(class) = node.action.and_then(class_name) {
                classes.entry(class).or_default().push(id);
            }
            if !node.in_stack {
                classes.entry("external").or_default().push(id);
            }
        }
        for edge in &self.edges {
            let _ = writeln!(
                out,
                "    {} -->|{}| {}",
                ids[&edge.from],
                edge.relation.as_str(),
                ids[&edge.to]
            );
        }
        for class in classes.keys() {
            let style = match *class {
                "external" => format!("stroke-dasharray:5 5,color:{GREY}"),
                class => {
                    let color = ACTION_CLASSES
                        .iter()
                        .find(|(name, _)| *name == class)
                        .map_or(GREY, |(_, color)| color);
                    format!("stroke:{color},stroke-width:2px")
                }
            };
            let _ = writeln!(out, "    classDef {class} {style}");
        }
        for (class, members) in &classes {
            let _ = writeln!(out, "    class {} {class}", members.join(","));
        }
        out
    }

    /// The node of `address`, adding it (held by the stack) when it is new; its address.
    fn add(&mut self, address: Address) -> Address {
        let node = self.nodes.entry(address.clone()).or_insert_with(|| Node {
            address: address.clone(),
            in_stack: true,
            action: None,
            default_group: false,
        });
        node.in_stack = true;
        address
    }

    /// An edge from `from` to `to`, adding `to` as a node the stack does not hold when it is
    /// not one (yet: a node the stack holds, added later, takes it over).
    fn refer(&mut self, from: &Address, to: Address, relation: Relation) {
        self.nodes.entry(to.clone()).or_insert_with(|| Node {
            address: to.clone(),
            in_stack: false,
            action: None,
            default_group: false,
        });
        self.edges.insert(Edge {
            from: from.clone(),
            to,
            relation,
        });
    }

    /// The address of the node a change is about: its own, or for a discovery service in a
    /// namespace the stack names by id (the plan names it after the namespace AWS shows), the
    /// node of that discovery service by name.
    fn find(&self, address: &Address) -> Address {
        if self.nodes.contains_key(address) {
            return address.clone();
        }
        if let Address::DiscoveryService { name, .. } = address {
            let by_name = self.nodes.keys().find(|a| {
                matches!(a, Address::DiscoveryService { name: n, namespace }
                    if n == name && namespace.starts_with("ns-"))
            });
            if let Some(found) = by_name {
                return found.clone();
            }
        }
        address.clone()
    }

    /// Moves the scheduled tasks without a `GroupName` to `group`, with their edges.
    fn regroup(&mut self, group: &str) {
        let moved: Vec<Address> = self
            .nodes
            .values()
            .filter(|n| n.default_group)
            .map(|n| n.address.clone())
            .filter(|a| !matches!(a, Address::Schedule { group: g, .. } if g == group))
            .collect();
        for old in moved {
            let Address::Schedule { name, .. } = &old else {
                continue;
            };
            let new = Address::Schedule {
                group: group.to_owned(),
                name: name.clone(),
            };
            if let Some(mut node) = self.nodes.remove(&old) {
                node.address = new.clone();
                self.nodes.insert(new.clone(), node);
            }
            let edges = std::mem::take(&mut self.edges);
            self.edges = edges
                .into_iter()
                .map(|mut edge| {
                    if edge.from == old {
                        edge.from = new.clone();
                    }
                    edge
                })
                .collect();
        }
    }

    /// `n0`, `n1`... for the nodes in address order.
    fn ids(&self) -> BTreeMap<&Address, String> {
        self.nodes
            .keys()
            .enumerate()
            .map(|(index, address)| (address, format!("n{index}")))
            .collect()
    }
}

/// The grey of what the stack does not hold.
const GREY: &str = "#6e7781";

/// The Mermaid class of each action and its color.
const ACTION_CLASSES: [(&str, &str); 6] = [
    ("create", "#2da44e"),
    ("update", "#bf8700"),
    ("replace", "#cf222e"),
    ("delete", "#cf222e"),
    ("blocked", "#cf222e"),
    ("notmanaged", "#0969da"),
];

/// The Mermaid class of an action; `None` for no change.
fn class_name(action: Action) -> Option<&'static str> {
    Some(match action {
        Action::Create => "create",
        Action::Register | Action::Update | Action::UpdateAndDeploy => "update",
        Action::Replace => "replace",
        Action::Delete => "delete",
        Action::Blocked => "blocked",
        Action::NotManaged => "notmanaged",
        _ => return None,
    })
}

/// The color of an action; `None` for no change.
fn color(action: Action) -> Option<&'static str> {
    let class = class_name(action)?;
    ACTION_CLASSES
        .iter()
        .find(|(name, _)| *name == class)
        .map(|(_, color)| *color)
}

/// What an action does, after the node's name: `(+ create)`; nothing for no change.
fn action_suffix(action: Action) -> Option<&'static str> {
    Some(match action {
        Action::Create => "(+ create)",
        Action::Register => "(~ register)",
        Action::Update => "(~ update)",
        Action::UpdateAndDeploy => "(~ update and deploy)",
        Action::Replace => "(-/+ replace)",
        Action::Delete => "(- delete)",
        Action::Blocked => "(! blocked)",
        Action::NotManaged => "(! not managed)",
        _ => return None,
    })
}

/// A node's text: its address, `(not in the stack)` when the stack does not hold it and no
/// plan deletes it, and the plan's action.
fn node_label(node: &Node) -> String {
    let mut label = match &node.address {
        Address::DiscoveryService { namespace, name } if namespace.is_empty() => {
            format!("discovery service {name}")
        }
        address => address.to_string(),
    };
    if !node.in_stack && node.action != Some(Action::Delete) {
        label.push_str(" (not in the stack)");
    }
    if let Some(suffix) = node.action.and_then(action_suffix) {
        label.push(' ');
        label.push_str(suffix);
    }
    label
}

/// A DOT quoted string: `"` and `\` escaped, line breaks as `\n`.
fn dot_string(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Text inside a quoted Mermaid label: the characters the flowchart syntax or its HTML labels
/// would read (`"`, `#`, `<`, `>`, `&`) as entity codes (`#quot;`, `#35;`...), line breaks as
/// spaces (<https://mermaid.js.org/syntax/flowchart.html#entity-codes-to-escape-characters>).
fn mermaid_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '"' => out.push_str("#quot;"),
            '#' => out.push_str("#35;"),
            '<' => out.push_str("#lt;"),
            '>' => out.push_str("#gt;"),
            '&' => out.push_str("#amp;"),
            '\n' | '\r' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// The family a service or schedule runs: `web`, `web:3` or a task definition ARN.
fn family(written: &str) -> Address {
    let family = family_revision(written);
    let family = match family.rsplit_once(':') {
        Some((family, revision)) if revision.parse::<u64>().is_ok() => family,
        _ => family,
    };
    Address::TaskDefinition {
        family: family.to_owned(),
    }
}

/// A target group a service binds or a rule forwards to: the `Name` of one of the stack's,
/// `name:NAME`, or an ARN (`...:targetgroup/NAME/ID`).
fn target_group(written: &str) -> Address {
    let name = match written.split_once(":targetgroup/") {
        Some((_, rest)) => rest.split('/').next().unwrap_or(rest),
        None => written.strip_prefix("name:").unwrap_or(written),
    };
    Address::TargetGroup {
        name: name.to_owned(),
    }
}

/// A capacity provider by name or ARN (`...:capacity-provider/NAME`).
fn capacity_provider(written: &str) -> Address {
    let name = written
        .rsplit_once(":capacity-provider/")
        .map_or(written, |(_, name)| name);
    Address::CapacityProvider {
        name: name.to_owned(),
    }
}

/// A namespace by the `Name` of one of the stack's, or its id or ARN (`...:namespace/ns-...`).
fn namespace_of(written: &str, stack: &Stack) -> Address {
    let name = if stack.namespaces.iter().any(|n| n.name() == Some(written)) {
        written
    } else {
        written
            .rsplit_once(":namespace/")
            .map_or(written, |(_, id)| id)
    };
    Address::Namespace {
        name: name.to_owned(),
    }
}

/// A discovery service a service registers in: the `Name` of one of the stack's (in its
/// namespace), or an ARN (`...:service/srv-...`), whose namespace is not known here.
fn registry_of(written: &str, stack: &Stack) -> Address {
    if let Some(wanted) = stack
        .discovery_services
        .iter()
        .find(|d| d.name.as_deref() == Some(written))
    {
        let namespace = discovery_service::namespace_ref(wanted, stack, &Actual::default(), &[]);
        return discovery_service_address(namespace.name(), written);
    }
    let id = written
        .rsplit_once(":service/")
        .map_or(written, |(_, id)| id);
    discovery_service_address("", id)
}

fn discovery_service_address(namespace: &str, name: &str) -> Address {
    Address::DiscoveryService {
        namespace: namespace.to_owned(),
        name: name.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use super::*;
    use crate::plan::{Options, plan};

    fn stack(value: Value) -> Stack {
        ecs_model::load::from_value::<Stack>(&value)
            .value
            .expect("a stack")
    }

    /// A small stack with one of each link: a cluster with a capacity provider, a service
    /// behind a target group that a listener rule forwards to, registered in a discovery
    /// service of a namespace, scaled, and a scheduled task.
    fn small() -> Stack {
        stack(json!({
            "name": "shop",
            "clusters": [{
                "clusterName": "shop",
                "capacityProviders": ["FARGATE"],
                "defaultCapacityProviderStrategy": [{"capacityProvider": "FARGATE", "weight": 1}]
            }],
            "taskDefinitions": [
                {"family": "web", "containerDefinitions": [{"name": "web", "image": "nginx", "memory": 64}]},
                {"family": "report", "containerDefinitions": [{"name": "r", "image": "r", "memory": 64}]}
            ],
            "services": [{
                "serviceName": "web", "cluster": "shop", "taskDefinition": "web",
                "desiredCount": 1,
                "loadBalancers": [{"targetGroupArn": "web-tg", "containerName": "web", "containerPort": 80}],
                "serviceRegistries": [{"registryArn": "api"}]
            }],
            "namespaces": [{"Name": "shop.local", "Vpc": "vpc-1"}],
            "discoveryServices": [{"Name": "api", "NamespaceId": "shop.local",
                                   "DnsConfig": {"DnsRecords": [{"Type": "A", "TTL": 10}]}}],
            "targetGroups": [{"Name": "web-tg", "Protocol": "HTTP", "Port": 80, "VpcId": "vpc-1",
                              "TargetType": "ip"}],
            "listenerRules": [{
                "ListenerArn": "name:front:80", "Priority": 10,
                "Conditions": [{"Field": "path-pattern", "Values": ["/*"]}],
                "Actions": [{"Type": "forward", "TargetGroupArn": "web-tg"}]
            }],
            "scaling": {"scalableTargets": [{
                "ServiceNamespace": "ecs", "ResourceId": "service/shop/web",
                "ScalableDimension": "ecs:service:DesiredCount", "MinCapacity": 1, "MaxCapacity": 4
            }]},
            "scheduledTasks": [{
                "Name": "nightly", "ScheduleExpression": "cron(0 3 * * ? *)",
                "FlexibleTimeWindow": {"Mode": "OFF"},
                "Target": {"Arn": "shop", "RoleArn": "arn:aws:iam::123456789012:role/s",
                           "EcsParameters": {"TaskDefinitionArn": "report"}}
            }]
        }))
    }

    #[test]
    fn every_kind_and_link_of_a_stack_is_drawn_in_mermaid() {
        let graph = Graph::from_stack(&small());
        assert_eq!(
            graph.to_mermaid(),
            "flowchart LR\n\
             \x20   n0[\"capacity provider FARGATE (not in the stack)\"]\n\
             \x20   n1[\"cluster shop\"]\n\
             \x20   n2[\"task definition report\"]\n\
             \x20   n3[\"task definition web\"]\n\
             \x20   n4[\"service shop/web\"]\n\
             \x20   n5[\"target group web-tg\"]\n\
             \x20   n6[\"listener rule 10 of name:front:80\"]\n\
             \x20   n7[\"namespace shop.local\"]\n\
             \x20   n8[\"discovery service shop.local/api\"]\n\
             \x20   n9[\"scaling of service shop/web\"]\n\
             \x20   n10[\"schedule ecs-rs-shop/nightly\"]\n\
             \x20   n1 -->|capacity| n0\n\
             \x20   n4 -->|runs in| n1\n\
             \x20   n4 -->|runs| n3\n\
             \x20   n4 -->|load balanced by| n5\n\
             \x20   n4 -->|registers in| n8\n\
             \x20   n6 -->|forwards to| n5\n\
             \x20   n8 -->|in| n7\n\
             \x20   n9 -->|scales| n4\n\
             \x20   n10 -->|runs in| n1\n\
             \x20   n10 -->|runs| n2\n\
             \x20   classDef external stroke-dasharray:5 5,color:#6e7781\n\
             \x20   class n0 external\n"
        );
    }

    #[test]
    fn a_marked_plan_colors_the_nodes_and_adds_what_it_deletes_in_dot() {
        let desired = stack(json!({
            "clusters": [{"clusterName": "demo"}],
            "services": [{"serviceName": "web", "cluster": "demo", "taskDefinition": "web:3",
                          "desiredCount": 1}]
        }));
        let mut graph = Graph::from_stack(&desired);
        let mut plan = plan(&desired, &Actual::default(), &Options::new("demo"));
        // A prune's deletion of a service the stack no longer holds.
        let mut gone = plan.changes[0].clone();
        gone.address = Address::Service {
            cluster: "demo".into(),
            name: "old \"v1\"".into(),
        };
        gone.action = Action::Delete;
        plan.changes.push(gone);
        graph.mark(&plan);
        assert_eq!(
            graph.to_dot(),
            "digraph stack {\n\
             \x20   rankdir=LR;\n\
             \x20   node [shape=box, fontname=\"Helvetica\"];\n\
             \x20   edge [fontname=\"Helvetica\", fontsize=10];\n\
             \x20   n0 [label=\"cluster demo (+ create)\", color=\"#2da44e\", \
             fontcolor=\"#2da44e\", penwidth=2];\n\
             \x20   n1 [label=\"task definition web (not in the stack)\", style=dashed, \
             color=\"#6e7781\", fontcolor=\"#6e7781\"];\n\
             \x20   n2 [label=\"service demo/old \\\"v1\\\" (- delete)\", color=\"#cf222e\", \
             fontcolor=\"#cf222e\", penwidth=2, style=dashed];\n\
             \x20   n3 [label=\"service demo/web (+ create)\", color=\"#2da44e\", \
             fontcolor=\"#2da44e\", penwidth=2];\n\
             \x20   n3 -> n0 [label=\"runs in\"];\n\
             \x20   n3 -> n1 [label=\"runs\"];\n\
             }\n"
        );
        assert_eq!(
            graph.to_mermaid(),
            "flowchart LR\n\
             \x20   n0[\"cluster demo (+ create)\"]\n\
             \x20   n1[\"task definition web (not in the stack)\"]\n\
             \x20   n2[\"service demo/old #quot;v1#quot; (- delete)\"]\n\
             \x20   n3[\"service demo/web (+ create)\"]\n\
             \x20   n3 -->|runs in| n0\n\
             \x20   n3 -->|runs| n1\n\
             \x20   classDef create stroke:#2da44e,stroke-width:2px\n\
             \x20   classDef delete stroke:#cf222e,stroke-width:2px\n\
             \x20   classDef external stroke-dasharray:5 5,color:#6e7781\n\
             \x20   class n0,n3 create\n\
             \x20   class n2 delete\n\
             \x20   class n1,n2 external\n"
        );
    }

    #[test]
    fn references_by_arn_and_look_up_name_the_same_node() {
        assert_eq!(
            target_group("arn:aws:elasticloadbalancing:us-east-1:1:targetgroup/web/abc"),
            target_group("name:web")
        );
        assert_eq!(target_group("web"), target_group("name:web"));
        assert_eq!(
            family("arn:aws:ecs:us-east-1:1:task-definition/web:7"),
            family("web")
        );
        assert_eq!(
            capacity_provider("arn:aws:ecs:us-east-1:1:capacity-provider/spot"),
            capacity_provider("spot")
        );
        assert_eq!(
            mermaid_text("a#b<c>&\"d\""),
            "a#35;b#lt;c#gt;#amp;#quot;d#quot;"
        );
        assert_eq!(dot_string("a\\b\"c\nd"), "\"a\\\\b\\\"c\\nd\"");
    }

    #[test]
    fn a_schedule_without_a_group_moves_to_the_group_of_the_plans_stack() {
        let mut unnamed = small();
        unnamed.name = None;
        let mut graph = Graph::from_stack(&unnamed);
        let plan = plan(&unnamed, &Actual::default(), &Options::new("shop"));
        graph.mark(&plan);
        let schedule = Address::Schedule {
            group: "ecs-rs-shop".into(),
            name: "nightly".into(),
        };
        let node = graph
            .nodes()
            .find(|n| n.address == schedule)
            .expect("moved");
        assert_eq!(node.action, Some(Action::Create));
        assert!(graph.edges().any(|e| e.from == schedule));
        assert!(
            graph.nodes().all(|n| !matches!(&n.address,
                Address::Schedule { group, .. } if group != "ecs-rs-shop")),
            "{graph:?}"
        );
    }
}
