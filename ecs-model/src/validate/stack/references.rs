//! What a stack's references resolve to: a service's cluster (by name, ARN or `default`) and
//! task definition (by family; an ARN is not resolved), and a cluster's capacity providers.
//! A reference the stack does not define may name something that already exists in AWS, so
//! these rules are warnings.

use std::collections::HashMap;

use crate::diagnostic::{Diagnostic, JsonPath, Severity};
use crate::facts::{is_arn, is_fargate_provider};
use crate::stack::Stack;
use crate::types::{CreateClusterRequest, CreateServiceRequest, RegisterTaskDefinitionRequest};
use crate::validate::Rule;

use super::{CREATE_SERVICE_DOC, ServiceCx, capacity};

/// The service's task definition is in the stack.
pub(crate) const UNKNOWN_TASK_DEFINITION: Rule = Rule {
    code: "stack-unknown-task-definition",
    severity: Severity::Warning,
    summary: "A service's task definition is a family of the stack; an ARN or another family must already exist in AWS and is not checked.",
    doc: CREATE_SERVICE_DOC,
    cross_field: true,
};

/// The service's cluster is in the stack.
pub(crate) const UNKNOWN_CLUSTER: Rule = Rule {
    code: "stack-unknown-cluster",
    severity: Severity::Warning,
    summary: "A service's cluster is one of the stack's clusters (or `default`); another must already exist in AWS.",
    doc: CREATE_SERVICE_DOC,
    cross_field: true,
};

/// A cluster's capacity providers are in the stack.
pub(crate) const UNKNOWN_CAPACITY_PROVIDER: Rule = Rule {
    code: "stack-unknown-capacity-provider",
    severity: Severity::Warning,
    summary: "A cluster's capacity provider is FARGATE, FARGATE_SPOT or one of the stack's; another must already exist in AWS.",
    doc: "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_CreateCluster.html",
    cross_field: true,
};

/// The cluster AWS uses when a request names none.
const DEFAULT_CLUSTER: &str = "default";

/// The stack's resources by name; the first of duplicates wins.
pub(super) struct Index<'a> {
    task_definitions: HashMap<&'a str, &'a RegisterTaskDefinitionRequest>,
    clusters: HashMap<&'a str, &'a CreateClusterRequest>,
}

impl<'a> Index<'a> {
    pub(super) fn new(stack: &'a Stack) -> Self {
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
pub(super) fn cluster_name(cluster: &CreateClusterRequest) -> &str {
    cluster
        .cluster_name
        .as_deref()
        .filter(|n| !n.is_empty())
        .unwrap_or(DEFAULT_CLUSTER)
}

/// The cluster name a service refers to: its name, the name inside its ARN, or `default`.
pub(super) fn referenced_cluster(service: &CreateServiceRequest) -> &str {
    match service.cluster.as_deref() {
        None | Some("") => DEFAULT_CLUSTER,
        Some(arn) if is_arn(arn) => arn.rsplit_once(":cluster/").map_or(arn, |(_, name)| name),
        Some(name) => name,
    }
}

/// The family a task definition reference names, unless it is an ARN.
fn referenced_family(reference: &str) -> Option<&str> {
    if is_arn(reference) {
        return None;
    }
    reference.split(':').next()
}

impl<'a> ServiceCx<'a> {
    /// Resolves the service's references, warning about those the stack does not define.
    pub(super) fn resolve(
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
            let message = if is_arn(reference) {
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
}

pub(super) fn check_cluster_providers(stack: &Stack, out: &mut Vec<Diagnostic>) {
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
