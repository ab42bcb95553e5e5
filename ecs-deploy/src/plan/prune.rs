//! Deleting what carries the stack's tag but left it (prune and destroy), and retiring old
//! revisions.

use ecs_model::Stack;
use serde_json::{Map, Value};

use crate::diff::diff;

use super::*;
use crate::ownership::ownership;
use crate::state::{family_revision, service_key};

/// The revisions (`family:N`) services run: the ones observed (but for the services `deleted`),
/// and the ones the stack names by ARN or revision; and those the scheduled tasks use
/// ([`crate::kinds::schedule::revisions_in_use`]).
pub(crate) fn in_use(
    desired: &Stack,
    actual: &Actual,
    deleted: &[(String, String)],
) -> Vec<String> {
    actual
        .services
        .iter()
        .filter(|(key, _)| !deleted.contains(key))
        .filter_map(|(_, s)| s.input.task_definition.as_deref())
        .chain(
            desired
                .services
                .iter()
                .filter_map(|s| s.task_definition.as_deref()),
        )
        .map(|t| family_revision(t).to_owned())
        .chain(crate::kinds::schedule::revisions_in_use(desired, actual))
        .collect()
}

/// The deregistration of the ACTIVE revisions of `family` beyond the newest `keep` and the
/// ones in use; `None` when there is none to deregister.
pub(crate) fn retire_revisions(
    family: &str,
    keep: usize,
    actual: &Actual,
    in_use: &[String],
) -> Option<Change> {
    let mut revisions = actual.revisions.get(family)?.clone();
    revisions.sort_by_key(|r| std::cmp::Reverse(r.number));
    let retired: Vec<&Revision> = revisions
        .iter()
        .enumerate()
        .filter(|(i, r)| *i >= keep && !in_use.iter().any(|u| u == family_revision(&r.arn)))
        .map(|(_, r)| r)
        .collect();
    if retired.is_empty() {
        return None;
    }
    let names: Vec<String> = retired
        .iter()
        .map(|r| family_revision(&r.arn).to_owned())
        .collect();
    Some(Change {
        address: Address::Revisions {
            family: family.to_owned(),
        },
        action: Action::Delete,
        fields: Vec::new(),
        kept: Vec::new(),
        reason: Some(Reason::OldRevisions {
            deregistered: names,
            keep,
        }),
        steps: retired
            .iter()
            .map(|r| Step::deregister_task_definition(&r.arn))
            .collect(),
        rollback: None,
    })
}

/// A deletion: every top-level member of `before` goes.
pub(crate) fn deletion(
    address: Address,
    before: Value,
    reason: Reason,
    steps: Vec<Step>,
) -> Change {
    let fields = diff(&before, &Value::Object(Map::new()));
    Change {
        address,
        action: Action::Delete,
        fields,
        kept: Vec::new(),
        reason: Some(reason),
        steps,
        rollback: None,
    }
}

/// The deletions of the resources of `actual` that carry the stack's tag and that `desired`
/// does not name: services, then task definition families, then clusters (a cluster holding
/// a service this stack does not manage is kept, and said so).
pub(crate) fn prune(
    desired: &Stack,
    actual: &Actual,
    options: &Options,
    removal: Removal,
) -> Vec<Change> {
    let mut changes = Vec::new();
    let wanted_services: Vec<(String, String)> = desired.services.iter().map(service_key).collect();
    let mut deleted_services = Vec::new();
    for (key, existing) in &actual.services {
        if wanted_services.contains(key) || ownership(&existing.input.tags, options).is_err() {
            continue;
        }
        let (cluster, name) = key.clone();
        deleted_services.push(key.clone());
        changes.push(deletion(
            Address::Service {
                cluster: cluster.clone(),
                name: name.clone(),
            },
            to_json(&existing.input),
            Reason::Removed { removal },
            vec![Step::delete_service(&cluster, &name)],
        ));
    }
    // The stack's families, and the ones its services run by family name (the latest
    // revision, which a service of the stack is about to run).
    let wanted_families: Vec<&str> = desired
        .task_definitions
        .iter()
        .filter_map(|t| t.family.as_deref())
        .chain(
            desired
                .services
                .iter()
                .filter_map(|s| s.task_definition.as_deref())
                .filter(|t| !t.contains(':')),
        )
        .collect();
    // The revisions services keep running after this apply: the ones not deleted, and the
    // ones the stack names by revision.
    let still_used = in_use(desired, actual, &deleted_services);
    for (family, existing) in &actual.task_definitions {
        if wanted_families.contains(&family.as_str())
            || ownership(&existing.input.tags, options).is_err()
        {
            continue;
        }
        let revisions = actual
            .revisions
            .get(family)
            .cloned()
            .or_else(|| Revision::from_arn(&existing.arn).map(|r| vec![r]))
            .unwrap_or_default();
        let (kept, retired): (Vec<Revision>, Vec<Revision>) = revisions
            .into_iter()
            .partition(|r| still_used.iter().any(|u| u == family_revision(&r.arn)));
        if retired.is_empty() {
            continue;
        }
        let mut names: Vec<String> = retired
            .iter()
            .map(|r| family_revision(&r.arn).to_owned())
            .collect();
        names.sort();
        let reason = Reason::RevisionsRemoved {
            removal,
            deregistered: names,
            in_use: kept
                .iter()
                .map(|r| family_revision(&r.arn).to_owned())
                .collect(),
        };
        changes.push(deletion(
            Address::TaskDefinition {
                family: family.clone(),
            },
            to_json(&existing.input),
            reason,
            retired
                .iter()
                .map(|r| Step::deregister_task_definition(&r.arn))
                .collect(),
        ));
    }
    let wanted_clusters: Vec<&str> = desired
        .clusters
        .iter()
        .filter_map(|c| c.cluster_name.as_deref())
        .collect();
    let mut deleted_clusters: Vec<&str> = Vec::new();
    for (name, existing) in &actual.clusters {
        if wanted_clusters.contains(&name.as_str())
            || ownership(&existing.input.tags, options).is_err()
        {
            continue;
        }
        let address = Address::Cluster { name: name.clone() };
        // Services that stay in the cluster: the stack's own, and others'.
        let staying: Vec<&str> = actual
            .services
            .keys()
            .chain(wanted_services.iter())
            .filter(|key| &key.0 == name && !deleted_services.contains(key))
            .map(|key| key.1.as_str())
            .collect();
        if !staying.is_empty() {
            let mut staying = staying;
            staying.sort_unstable();
            staying.dedup();
            changes.push(not_managed(
                address,
                Reason::ClusterKept {
                    removal,
                    services: staying.iter().map(|s| (*s).to_owned()).collect(),
                },
            ));
            continue;
        }
        deleted_clusters.push(name);
        changes.push(deletion(
            address,
            to_json(&existing.input),
            Reason::Removed { removal },
            vec![Step::delete_cluster(name)],
        ));
    }
    let wanted_providers: Vec<&str> = desired
        .capacity_providers
        .iter()
        .filter_map(|c| c.name.as_deref())
        .collect();
    for (name, existing) in &actual.capacity_providers {
        if wanted_providers.contains(&name.as_str())
            || ownership(&existing.input.tags, options).is_err()
        {
            continue;
        }
        let address = Address::CapacityProvider { name: name.clone() };
        // Clusters that stay and use it: the stack's as it wants them, and every other cluster
        // this plan does not delete (others', and the stack's kept for others' services).
        let mut users: Vec<&str> = desired
            .clusters
            .iter()
            .filter(|c| c.capacity_providers.iter().flatten().any(|p| p == name))
            .filter_map(|c| c.cluster_name.as_deref())
            .chain(
                actual
                    .clusters
                    .iter()
                    .filter(|(cluster, c)| {
                        !wanted_clusters.contains(&cluster.as_str())
                            && !deleted_clusters.contains(&cluster.as_str())
                            && c.input
                                .capacity_providers
                                .iter()
                                .flatten()
                                .any(|p| p == name)
                    })
                    .map(|(cluster, _)| cluster.as_str()),
            )
            .collect();
        if !users.is_empty() {
            users.sort_unstable();
            users.dedup();
            changes.push(not_managed(
                address,
                Reason::CapacityProviderKept {
                    removal,
                    clusters: users.iter().map(|c| (*c).to_owned()).collect(),
                },
            ));
            continue;
        }
        changes.push(deletion(
            address,
            to_json(&existing.input),
            Reason::Removed { removal },
            vec![Step::delete_capacity_provider(name)],
        ));
    }
    changes
}
