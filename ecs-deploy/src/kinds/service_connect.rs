//! Service Connect namespaces: a cluster's `serviceConnectDefaults.namespace` and a service's
//! `serviceConnectConfiguration.namespace`, written as a Cloud Map namespace's name (usually
//! one of the stack's `namespaces`) or ARN, compared with what ECS answers.
//!
//! AWS API reference:
//! - CreateCluster and UpdateCluster take the namespace's "name or full Amazon Resource Name
//!   (ARN)"; "If you enter an existing namespace name or ARN, then that namespace will be used
//!   [...] If you enter a new name, a Cloud Map namespace will be created", an HTTP namespace
//!   the stack would not own; an empty string removes the cluster's Service Connect
//!   configuration
//!   (<https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ClusterServiceConnectDefaultsRequest.html>).
//! - ServiceConnectConfiguration's `namespace` is likewise a name or an ARN, and a service that
//!   enables Service Connect without one uses the cluster's default namespace
//!   (<https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ServiceConnectConfiguration.html>).
//! - DescribeClusters answers `serviceConnectDefaults.namespace` as the namespace's ARN
//!   (ClusterServiceConnectDefaults: "The namespace name or full Amazon Resource Name (ARN) of
//!   the Cloud Map namespace", ARN in practice), and DescribeServices shows the deployments'
//!   `serviceConnectConfiguration` with the ARN too
//!   (<https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ClusterServiceConnectDefaults.html>,
//!   <https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_Deployment.html>).
//!
//! The choice made here: a name is resolved to the ARN at plan time, before the comparison,
//! when a namespace of that name was observed (the stack's, or one the stack only names: both
//! are read by name with ListNamespaces). The plan then compares ARN with ARN and sends the
//! ARN, so ECS uses exactly the namespace that was observed, never a namespace of the same
//! name elsewhere. A namespace the same apply creates is not observed yet: its name is sent as
//! written, which ECS resolves, because apply creates the stack's namespaces (and waits for
//! their Cloud Map operation) before any cluster or service, so the name exists by then and ECS
//! creates no namespace of its own. The next plan sees the namespace and compares ARNs.
//! A name that resolves to nothing stays a name (and shows as a change against an ARN, which is
//! honest: the plan cannot tell it is the same namespace).
//!
//! This touches no resource: it only rewrites the stack's requests. The namespaces it reads are
//! observed by name, and the engine changes or deletes only those carrying the stack's tag
//! (`crate::ownership`).

use std::collections::BTreeSet;

use ecs_model::Stack;
use ecs_model::types::{CreateClusterRequest, CreateServiceRequest};

use crate::plan::Actual;

/// Whether `namespace` is written as an ARN (anything else is a name).
fn is_arn(namespace: &str) -> bool {
    namespace.starts_with("arn:")
}

/// The ARN of the observed namespace named `name`, or `name` as written when it is already an
/// ARN, empty, or names no observed namespace.
pub(crate) fn resolved(name: &str, actual: &Actual) -> String {
    if name.is_empty() || is_arn(name) {
        return name.to_owned();
    }
    actual
        .namespaces
        .get(name)
        .map_or_else(|| name.to_owned(), |found| found.arn.clone())
}

/// The names (not ARNs) of the namespaces the stack's clusters and services name for Service
/// Connect: observed with the stack's own namespaces, so they resolve.
pub(crate) fn named(stack: &Stack) -> BTreeSet<String> {
    let clusters = stack.clusters.iter().filter_map(|c| {
        c.service_connect_defaults
            .as_ref()
            .and_then(|d| d.namespace.clone())
    });
    let services = stack.services.iter().filter_map(|s| {
        s.service_connect_configuration
            .as_ref()
            .and_then(|c| c.namespace.clone())
    });
    clusters
        .chain(services)
        .filter(|n| !n.is_empty() && !is_arn(n))
        .collect()
}

/// The cluster with its Service Connect namespace [`resolved`].
pub(crate) fn cluster(desired: &CreateClusterRequest, actual: &Actual) -> CreateClusterRequest {
    let mut out = desired.clone();
    if let Some(namespace) = out
        .service_connect_defaults
        .as_mut()
        .and_then(|d| d.namespace.as_mut())
    {
        *namespace = resolved(namespace, actual);
    }
    out
}

/// The service with its Service Connect namespace [`resolved`]. A service that enables Service
/// Connect without a namespace uses its cluster's default one, which DescribeServices then
/// shows: the default the stack gives the cluster (or, for a cluster the stack does not hold,
/// the one observed) is written in, so the comparison is against what AWS will show.
pub(crate) fn service(
    desired: &CreateServiceRequest,
    stack: &Stack,
    actual: &Actual,
) -> CreateServiceRequest {
    let mut out = desired.clone();
    let Some(connect) = out.service_connect_configuration.as_mut() else {
        return out;
    };
    if connect.namespace.as_deref().is_none_or(str::is_empty) && connect.enabled == Some(true) {
        let cluster = desired.cluster.as_deref().unwrap_or("default");
        let cluster = cluster.rsplit('/').next().unwrap_or(cluster);
        let of = |c: &CreateClusterRequest| {
            c.service_connect_defaults
                .as_ref()
                .and_then(|d| d.namespace.clone())
        };
        let default = stack
            .clusters
            .iter()
            .find(|c| c.cluster_name.as_deref().unwrap_or("default") == cluster)
            .map_or_else(
                || actual.clusters.get(cluster).and_then(|e| of(&e.input)),
                of,
            );
        connect.namespace = default.filter(|n| !n.is_empty());
    }
    if let Some(namespace) = connect.namespace.as_mut() {
        *namespace = resolved(namespace, actual);
    }
    out
}

#[cfg(test)]
mod tests {
    use ecs_model::load::from_value;
    use serde_json::{Value, json};

    use super::*;
    use crate::plan::{Action, Options, Step, plan};
    use crate::state::{CloudMapNamespace, Existing};

    const ARN: &str = "arn:aws:servicediscovery:us-east-1:123456789012:namespace/ns-abc";

    fn stack(value: Value) -> Stack {
        from_value::<Stack>(&value).value.expect("a stack")
    }

    /// The stack: an HTTP namespace `mesh`, a cluster whose default it is, and a service
    /// naming it (or not, with `named` false).
    fn connected(named: bool) -> Stack {
        let mut connect = json!({"enabled": true, "services": [{
            "portName": "http", "discoveryName": "api",
            "clientAliases": [{"port": 80, "dnsName": "api.mesh"}]
        }]});
        if named {
            connect["namespace"] = json!("mesh");
        }
        stack(json!({
            "namespaces": [{"Name": "mesh"}],
            "clusters": [{"clusterName": "c", "serviceConnectDefaults": {"namespace": "mesh"}}],
            "taskDefinitions": [{"family": "api", "containerDefinitions": [{
                "name": "api", "image": "nginx", "memory": 64,
                "portMappings": [{"containerPort": 80, "name": "http"}]
            }]}],
            "services": [{"serviceName": "api", "cluster": "c", "taskDefinition": "api",
                          "desiredCount": 1, "serviceConnectConfiguration": connect}]
        }))
    }

    fn with_namespace(actual: &mut Actual) {
        let input = from_value::<ecs_model::Namespace>(&json!({"Name": "mesh"}))
            .value
            .expect("a namespace");
        actual.namespaces.insert(
            "mesh".into(),
            CloudMapNamespace {
                id: "ns-abc".into(),
                arn: ARN.into(),
                service_count: Some(0),
                input,
            },
        );
    }

    #[test]
    fn a_name_resolves_to_the_observed_arn_and_nothing_else_changes() {
        let mut actual = Actual::default();
        assert_eq!(resolved("mesh", &actual), "mesh");
        with_namespace(&mut actual);
        assert_eq!(resolved("mesh", &actual), ARN);
        assert_eq!(resolved(ARN, &actual), ARN);
        assert_eq!(resolved("other", &actual), "other");
        // The empty string removes the configuration: never rewritten.
        assert_eq!(resolved("", &actual), "");
    }

    #[test]
    fn the_names_to_observe_are_the_names_not_the_arns() {
        let mut stack = connected(true);
        stack.clusters[0]
            .service_connect_defaults
            .as_mut()
            .expect("defaults")
            .namespace = Some(ARN.into());
        assert_eq!(named(&stack), BTreeSet::from(["mesh".to_owned()]));
    }

    #[test]
    fn a_service_without_a_namespace_takes_its_clusters_default() {
        let mut actual = Actual::default();
        with_namespace(&mut actual);
        let stack = connected(false);
        let resolved = service(&stack.services[0], &stack, &actual);
        let connect = resolved.service_connect_configuration.expect("connect");
        assert_eq!(connect.namespace.as_deref(), Some(ARN));
        // Service Connect turned off keeps no namespace.
        let mut off = stack.services[0].clone();
        if let Some(c) = off.service_connect_configuration.as_mut() {
            c.enabled = Some(false);
        }
        let resolved = service(&off, &stack, &actual);
        assert_eq!(
            resolved
                .service_connect_configuration
                .and_then(|c| c.namespace),
            None
        );
    }

    #[test]
    fn a_namespace_created_in_the_same_apply_comes_first_and_is_sent_by_name() {
        let plan = plan(&connected(true), &Actual::default(), &Options::new("demo"));
        let position = |operation: crate::aws::Operation| {
            plan.changes
                .iter()
                .flat_map(|c| &c.steps)
                .position(|s| s.operation() == operation)
                .unwrap_or_else(|| panic!("{operation:?} in {plan:?}"))
        };
        use crate::aws::Operation::{CreateCluster, CreateHttpNamespace, CreateService};
        assert!(position(CreateHttpNamespace) < position(CreateCluster));
        assert!(position(CreateCluster) < position(CreateService));
        let sent = |operation| {
            plan.changes
                .iter()
                .flat_map(|c| &c.steps)
                .find(|s| s.operation() == operation)
                .map(Step::input)
                .unwrap_or_default()
        };
        assert_eq!(
            sent(CreateCluster)["serviceConnectDefaults"]["namespace"],
            "mesh"
        );
        assert_eq!(
            sent(CreateService)["serviceConnectConfiguration"]["namespace"],
            "mesh"
        );
    }

    /// The actual state once the stack is deployed, as DescribeClusters and DescribeServices
    /// answer it: the namespace's ARN where the stack wrote its name.
    fn deployed(stack: &Stack, grace: Option<i32>) -> Actual {
        let mut actual = Actual::default();
        with_namespace(&mut actual);
        let tags = Some(crate::ownership::owned_tags(&None, &Options::new("demo")));
        let mut cluster = stack.clusters[0].clone();
        cluster.tags = tags.clone();
        if let Some(d) = cluster.service_connect_defaults.as_mut() {
            d.namespace = Some(ARN.into());
        }
        actual.clusters.insert(
            "c".into(),
            Existing::new("arn:aws:ecs:us-east-1:1:cluster/c", cluster),
        );
        let mut service = stack.services[0].clone();
        service.tags = tags.clone();
        service.health_check_grace_period_seconds = grace;
        service.task_definition = Some("arn:aws:ecs:us-east-1:1:task-definition/api:1".into());
        if let Some(c) = service.service_connect_configuration.as_mut() {
            c.namespace = Some(ARN.into());
        }
        actual.services.insert(
            ("c".into(), "api".into()),
            Existing::new("arn:aws:ecs:us-east-1:1:service/c/api", service),
        );
        let mut td = stack.task_definitions[0].clone();
        td.tags = tags;
        actual.task_definitions.insert(
            "api".into(),
            Existing::new("arn:aws:ecs:us-east-1:1:task-definition/api:1", td),
        );
        let mut ns = actual.namespaces["mesh"].clone();
        if let ecs_model::Namespace::Http(input) = &mut ns.input {
            let mut tag = ecs_model::cloud_map::Tag::default();
            tag.key = Some(crate::ownership::STACK_TAG.into());
            tag.value = Some("demo".into());
            input.tags = Some(vec![tag]);
        }
        actual.namespaces.insert("mesh".into(), ns);
        actual
    }

    #[test]
    fn a_name_against_the_arn_aws_answers_is_no_change() {
        for named in [true, false] {
            let stack = connected(named);
            let actual = deployed(&stack, None);
            let plan = plan(&stack, &actual, &Options::new("demo"));
            let changed: Vec<_> = plan
                .changes
                .iter()
                .filter(|c| c.action != Action::NoChange)
                .collect();
            assert!(changed.is_empty(), "named {named}: {changed:#?}");
        }
    }

    #[test]
    fn another_namespace_is_an_update_with_its_arn() {
        let stack = connected(true);
        let mut actual = deployed(&stack, None);
        let other = "arn:aws:servicediscovery:us-east-1:123456789012:namespace/ns-old";
        if let Some(existing) = actual.clusters.get_mut("c")
            && let Some(d) = existing.input.service_connect_defaults.as_mut()
        {
            d.namespace = Some(other.into());
        }
        let plan = plan(&stack, &actual, &Options::new("demo"));
        let update = plan
            .changes
            .iter()
            .flat_map(|c| &c.steps)
            .find(|s| s.operation() == crate::aws::Operation::UpdateCluster)
            .unwrap_or_else(|| panic!("an UpdateCluster in {plan:?}"));
        assert_eq!(
            update.input()["serviceConnectDefaults"]["namespace"],
            Value::from(ARN)
        );
    }
}
