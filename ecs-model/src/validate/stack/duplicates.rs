//! Names that are unique within a stack: clusters, task definition families, capacity
//! providers, and services within their cluster.

use std::collections::HashMap;

use crate::diagnostic::{Diagnostic, JsonPath, Severity};
use crate::stack::Stack;
use crate::validate::Rule;

use super::CREATE_SERVICE_DOC;
use super::references::{cluster_name, referenced_cluster};

/// Unique service names per cluster.
pub(crate) const DUPLICATE_SERVICE: Rule = Rule {
    code: "stack-duplicate-service",
    severity: Severity::Error,
    summary: "Service names are unique within a cluster.",
    doc: CREATE_SERVICE_DOC,
    cross_field: true,
};

/// Unique task definition families.
pub(crate) const DUPLICATE_TASK_DEFINITION: Rule = Rule {
    code: "stack-duplicate-task-definition",
    severity: Severity::Error,
    summary: "Each task definition family appears once in a stack.",
    doc: "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_RegisterTaskDefinition.html",
    cross_field: true,
};

/// Unique cluster names.
pub(crate) const DUPLICATE_CLUSTER: Rule = Rule {
    code: "stack-duplicate-cluster",
    severity: Severity::Error,
    summary: "Each cluster name appears once in a stack.",
    doc: "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_CreateCluster.html",
    cross_field: true,
};

/// Unique capacity provider names.
pub(crate) const DUPLICATE_CAPACITY_PROVIDER: Rule = Rule {
    code: "stack-duplicate-capacity-provider",
    severity: Severity::Error,
    summary: "Each capacity provider name appears once in a stack.",
    doc: "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_CreateCapacityProvider.html",
    cross_field: true,
};

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

pub(super) fn check_duplicates(stack: &Stack, out: &mut Vec<Diagnostic>) {
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
