//! The status of a stack: its clusters and services as AWS has them now.
//!
//! [`status`] reads with observing's batched describes (DescribeClusters takes 100 clusters a
//! call, DescribeServices 10 services of one cluster a call), at most `concurrency` calls at a
//! time, and returns typed results: for each cluster and service of the stack, in the stack's
//! order, what AWS says of it (status, counts, task definition, deployments, recent events, and
//! whose it is by its [`STACK_TAG`](crate::ownership::STACK_TAG)), or that AWS does not have it.
//!
//! Clusters and services are keyed by the cluster's *name*, however the stack writes it (a name
//! or an ARN), as observing and planning key them.
//!
//! ```no_run
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! use ecs_deploy::{Deployer, Options};
//!
//! let config = ecs_deploy::config::load().await;
//! let deployer = Deployer::from_config(&config, Options::new("shop"));
//! let stack = ecs_deploy::ecs_model::file::read_stack("shop.json")?;
//! let status = deployer.status(&stack).await?;
//! for service in &status.services {
//!     match &service.found {
//!         Some(found) => println!("{}/{}: {:?}", service.cluster, service.name, found.status),
//!         None => println!("{}/{}: missing", service.cluster, service.name),
//!     }
//! }
//! assert_eq!(status.not_active(), 0);
//! # Ok(())
//! # }
//! ```

use std::collections::{BTreeMap, BTreeSet};

use ecs_model::types::{Cluster, Deployment, Service, ServiceEvent, Tag};
use ecs_model::{Stack, Timestamp};

use crate::aws::{AwsError, Ecs};
use crate::observe::{described_clusters, described_services};
use crate::ownership::owner;
use crate::state::cluster_name;

/// Whose a resource is, by its [`STACK_TAG`](crate::ownership::STACK_TAG) (not to be confused with
/// [`plan::Owner`](crate::plan::Owner), who a member kept at its actual value is left to).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Ownership {
    /// It carries the tag of the stack asked about.
    ThisStack,
    /// It carries the tag of another stack, named here.
    OtherStack(String),
    /// It has no [`STACK_TAG`](crate::ownership::STACK_TAG): another tool or person manages it.
    Unmanaged,
}

impl Ownership {
    /// Whose the resource carrying `tags` is, for the stack `stack`, as
    /// [`ownership::owner`](crate::ownership::owner) reads the tag.
    pub fn of(tags: Option<&[Tag]>, stack: &str) -> Self {
        match owner(tags) {
            Some(owner) if owner == stack => Self::ThisStack,
            Some(other) => Self::OtherStack(other.to_owned()),
            None => Self::Unmanaged,
        }
    }
}

/// A cluster of the stack.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct ClusterStatus {
    /// Its name.
    pub name: String,
    /// What DescribeClusters says of it; `None` when AWS does not have it.
    pub found: Option<FoundCluster>,
}

/// A cluster as AWS has it.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct FoundCluster {
    /// `ACTIVE`, `PROVISIONING`, `DEPROVISIONING`, `FAILED` or `INACTIVE` (deleted).
    pub status: Option<String>,
    /// Whose it is.
    pub owner: Ownership,
    /// Its services in the ACTIVE state.
    pub active_services: Option<i32>,
    /// Its tasks in the RUNNING state.
    pub running_tasks: Option<i32>,
    /// Its tasks in the PENDING state.
    pub pending_tasks: Option<i32>,
    /// Its registered container instances.
    pub container_instances: Option<i32>,
}

/// A service of the stack.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct ServiceStatus {
    /// Its cluster's name.
    pub cluster: String,
    /// Its name.
    pub name: String,
    /// What DescribeServices says of it; `None` when AWS does not have it (or its cluster).
    pub found: Option<FoundService>,
}

/// A service as AWS has it.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct FoundService {
    /// `ACTIVE`, `DRAINING` (being deleted) or `INACTIVE` (deleted).
    pub status: Option<String>,
    /// Whose it is.
    pub owner: Ownership,
    /// How many tasks it should run.
    pub desired_count: Option<i32>,
    /// How many run.
    pub running_count: Option<i32>,
    /// How many are starting.
    pub pending_count: Option<i32>,
    /// The task definition its primary deployment runs (an ARN).
    pub task_definition: Option<String>,
    /// Its deployments, as AWS lists them (the PRIMARY one first).
    pub deployments: Vec<Deployment>,
    /// Its recent events (AWS keeps the latest ones), newest first.
    pub events: Vec<ServiceEvent>,
}

/// The stack's clusters and services as AWS has them; made by [`status`].
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct StackStatus {
    /// The stack's name.
    pub stack: String,
    /// The clusters the stack names (its own, then those its services name), in its order,
    /// once each.
    pub clusters: Vec<ClusterStatus>,
    /// The stack's services, in its order.
    pub services: Vec<ServiceStatus>,
}

impl ClusterStatus {
    /// The cluster `name`, as AWS has it (`found`) or does not.
    pub fn new(name: impl Into<String>, found: Option<FoundCluster>) -> Self {
        Self {
            name: name.into(),
            found,
        }
    }

    /// Whether AWS has the cluster and it is ACTIVE.
    pub fn is_active(&self) -> bool {
        active(self.found.as_ref().map(|f| &f.status))
    }
}

impl ServiceStatus {
    /// The service `name` of the cluster `cluster`, as AWS has it (`found`) or does not.
    pub fn new(
        cluster: impl Into<String>,
        name: impl Into<String>,
        found: Option<FoundService>,
    ) -> Self {
        Self {
            cluster: cluster.into(),
            name: name.into(),
            found,
        }
    }

    /// Whether AWS has the service and it is ACTIVE.
    pub fn is_active(&self) -> bool {
        active(self.found.as_ref().map(|f| &f.status))
    }
}

/// Whether a resource was found (`Some`) with the status `ACTIVE`.
fn active(status: Option<&Option<String>>) -> bool {
    status.is_some_and(|s| s.as_deref() == Some("ACTIVE"))
}

impl StackStatus {
    /// The status of the stack `stack`, without clusters or services yet.
    pub fn new(stack: impl Into<String>) -> Self {
        Self {
            stack: stack.into(),
            clusters: Vec::new(),
            services: Vec::new(),
        }
    }

    /// How many of the stack's clusters and services are missing or not ACTIVE.
    pub fn not_active(&self) -> usize {
        let clusters = self.clusters.iter().filter(|c| !c.is_active()).count();
        let services = self.services.iter().filter(|s| !s.is_active()).count();
        clusters + services
    }

    /// How many clusters and services the stack has.
    pub fn len(&self) -> usize {
        self.clusters.len() + self.services.len()
    }

    /// Whether the stack has no cluster and no service.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Reads the status of the clusters and services of `stack`, the stack named `name` (whose
/// tag tells which resources are its own), at most `concurrency` calls at a time.
pub async fn status(
    ecs: &Ecs,
    stack: &Stack,
    name: &str,
    concurrency: usize,
) -> Result<StackStatus, AwsError> {
    let (clusters, services) = members(stack);
    let cluster_names: BTreeSet<String> = clusters.iter().cloned().collect();
    let mut by_cluster: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (cluster, service) in &services {
        by_cluster
            .entry(cluster.clone())
            .or_default()
            .insert(service.clone());
    }
    let (mut found_clusters, mut found_services) = futures::try_join!(
        described_clusters(ecs, &cluster_names, concurrency),
        described_services(ecs, &by_cluster, concurrency),
    )?;
    Ok(StackStatus {
        stack: name.to_owned(),
        clusters: clusters
            .into_iter()
            .map(|cluster| ClusterStatus {
                found: found_clusters
                    .remove(&cluster)
                    .map(|c| found_cluster(c, name)),
                name: cluster,
            })
            .collect(),
        services: services
            .into_iter()
            .map(|key| {
                let found = found_services.remove(&key).map(|s| found_service(s, name));
                let (cluster, name) = key;
                ServiceStatus {
                    cluster,
                    name,
                    found,
                }
            })
            .collect(),
    })
}

/// The clusters (by name) and services (by cluster name and name) of `stack`, in its order,
/// once each: its own clusters, then the ones its services name (`default` when they name
/// none).
fn members(stack: &Stack) -> (Vec<String>, Vec<(String, String)>) {
    let mut clusters: Vec<String> = Vec::new();
    let mut services: Vec<(String, String)> = Vec::new();
    let add = |list: &mut Vec<String>, name: &str| {
        if !list.iter().any(|c| c == name) {
            list.push(name.to_owned());
        }
    };
    for cluster in &stack.clusters {
        if let Some(name) = &cluster.cluster_name {
            add(&mut clusters, name);
        }
    }
    for service in &stack.services {
        let cluster = cluster_name(service.cluster.as_deref().unwrap_or("default"));
        add(&mut clusters, cluster);
        if let Some(name) = &service.service_name {
            let key = (cluster.to_owned(), name.clone());
            if !services.contains(&key) {
                services.push(key);
            }
        }
    }
    (clusters, services)
}

impl FoundCluster {
    /// What DescribeClusters says of `cluster`, for the stack `stack` (whose tag tells whether
    /// the cluster is its own).
    pub fn from_described(cluster: Cluster, stack: &str) -> Self {
        found_cluster(cluster, stack)
    }
}

impl FoundService {
    /// What DescribeServices says of `service`, for the stack `stack` (whose tag tells whether
    /// the service is its own); its events newest first.
    pub fn from_described(service: Service, stack: &str) -> Self {
        found_service(service, stack)
    }
}

fn found_cluster(cluster: Cluster, stack: &str) -> FoundCluster {
    FoundCluster {
        owner: Ownership::of(cluster.tags.as_deref(), stack),
        status: cluster.status,
        active_services: cluster.active_services_count,
        running_tasks: cluster.running_tasks_count,
        pending_tasks: cluster.pending_tasks_count,
        container_instances: cluster.registered_container_instances_count,
    }
}

fn found_service(service: Service, stack: &str) -> FoundService {
    let mut events = service.events.unwrap_or_default();
    // Newest first, as AWS lists them; sorted anyway when the times are numbers (a stable
    // sort: events without a time keep their place among equals).
    events.sort_by(|a, b| {
        let at = |e: &ServiceEvent| e.created_at.as_ref().and_then(Timestamp::epoch_seconds);
        at(b)
            .partial_cmp(&at(a))
            .unwrap_or(std::cmp::Ordering::Equal)
    });
    FoundService {
        owner: Ownership::of(service.tags.as_deref(), stack),
        status: service.status,
        desired_count: service.desired_count,
        running_count: service.running_count,
        pending_count: service.pending_count,
        task_definition: service.task_definition,
        deployments: service.deployments.unwrap_or_default(),
        events,
    }
}

#[cfg(test)]
mod tests {
    use ecs_model::load::from_value;
    use serde_json::json;

    use super::*;
    use crate::ownership::STACK_TAG;

    fn tag(value: &str) -> Tag {
        from_value(&json!({"key": STACK_TAG, "value": value}))
            .value
            .expect("a tag")
    }

    #[test]
    fn ownership_is_read_from_the_stack_tag() {
        assert_eq!(
            Ownership::of(Some(&[tag("demo")]), "demo"),
            Ownership::ThisStack
        );
        assert_eq!(
            Ownership::of(Some(&[tag("other")]), "demo"),
            Ownership::OtherStack("other".into())
        );
        assert_eq!(Ownership::of(Some(&[]), "demo"), Ownership::Unmanaged);
        assert_eq!(Ownership::of(None, "demo"), Ownership::Unmanaged);
    }

    #[test]
    fn members_are_keyed_by_cluster_name_in_the_stacks_order() {
        let stack = from_value::<Stack>(&json!({
            "clusters": [{"clusterName": "demo"}],
            "services": [
                {"serviceName": "web", "cluster": "arn:aws:ecs:us-east-1:123456789012:cluster/demo"},
                {"serviceName": "api", "cluster": "other"},
                {"serviceName": "worker"},
                {"serviceName": "web", "cluster": "demo"}
            ]
        }))
        .value
        .expect("a stack");
        let (clusters, services) = members(&stack);
        assert_eq!(clusters, ["demo", "other", "default"]);
        assert_eq!(
            services,
            [
                ("demo".to_owned(), "web".to_owned()),
                ("other".to_owned(), "api".to_owned()),
                ("default".to_owned(), "worker".to_owned()),
            ]
        );
    }

    #[test]
    fn a_found_service_has_its_events_newest_first() {
        let service: Service = from_value(&json!({
            "serviceName": "web", "status": "ACTIVE", "desiredCount": 2,
            "tags": [{"key": STACK_TAG, "value": "demo"}],
            "events": [
                {"id": "a", "createdAt": 60, "message": "one"},
                {"id": "b", "createdAt": 180, "message": "three"},
                {"id": "c", "createdAt": 120, "message": "two"}
            ]
        }))
        .value
        .expect("a service");
        let found = found_service(service, "demo");
        let messages: Vec<_> = found
            .events
            .iter()
            .filter_map(|e| e.message.as_deref())
            .collect();
        assert_eq!(messages, ["three", "two", "one"]);
        assert_eq!(found.owner, Ownership::ThisStack);
        assert_eq!(found.desired_count, Some(2));
    }

    #[test]
    fn missing_and_inactive_resources_are_counted() {
        let status = StackStatus {
            stack: "demo".into(),
            clusters: vec![ClusterStatus {
                name: "demo".into(),
                found: None,
            }],
            services: vec![ServiceStatus {
                cluster: "demo".into(),
                name: "web".into(),
                found: Some(found_service(
                    from_value(&json!({"serviceName": "web", "status": "DRAINING"}))
                        .value
                        .expect("a service"),
                    "demo",
                )),
            }],
        };
        assert_eq!(status.not_active(), 2);
        assert_eq!(status.len(), 2);
        assert!(!status.services[0].is_active());
    }
}
