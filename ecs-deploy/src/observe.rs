//! Observing: the actual state of the resources a stack names, read with as few calls as the
//! ECS API allows.
//!
//! - DescribeCapacityProviders answers up to 10 capacity providers per call (none is made for
//!   a stack without capacity providers);
//! - DescribeClusters takes up to 100 clusters per call;
//! - DescribeServices takes up to 10 services of one cluster per call;
//! - DescribeTaskDefinition, given a family, returns its latest ACTIVE revision: one call per
//!   family.
//!
//! Tags come with the describe calls (`include: ["TAGS"]`), not from separate calls. The calls
//! for independent resources run concurrently, at most `concurrency` at a time.
//!
//! This module holds the crate's one batched DescribeClusters and DescribeServices (used by
//! planning, waiting, status and rollback) and the listings pruning needs; each resource kind's
//! module (`kinds::*::observe`) renders the answers as the inputs it plans with.

use std::collections::{BTreeMap, BTreeSet};

use ecs_model::document::{Input, Kind, load};
use ecs_model::load::from_value;
use ecs_model::types::{Cluster, DescribeClustersResponse, DescribeServicesResponse, Service};
use ecs_model::{PathSegment, Stack};
use futures::stream::{self, StreamExt, TryStreamExt};
use serde_json::{Value, json};

use crate::aws::{AwsError, Ecs, Operation};
use crate::plan::{Actual, Revision};
use crate::state::{cluster_name, service_name};

/// DescribeClusters' limit of clusters per call.
pub const CLUSTERS_PER_CALL: usize = 100;
/// Capacity providers per DescribeCapacityProviders call: it takes up to 100 names, but
/// answers at most 10 per page.
pub const CAPACITY_PROVIDERS_PER_CALL: usize = 10;
/// DescribeServices' limit of services per call.
pub const SERVICES_PER_CALL: usize = 10;

/// Reads what AWS has of the clusters, task definition families and services `stack` names.
pub async fn observe(ecs: &Ecs, stack: &Stack, concurrency: usize) -> Result<Actual, AwsError> {
    let concurrency = concurrency.max(1);
    let mut cluster_names: BTreeSet<String> = stack
        .clusters
        .iter()
        .filter_map(|c| c.cluster_name.clone())
        .collect();
    let mut services: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for service in &stack.services {
        // By name, however the stack writes the cluster: the name or the ARN.
        let cluster = cluster_name(service.cluster.as_deref().unwrap_or("default")).to_owned();
        if let Some(name) = &service.service_name {
            services
                .entry(cluster.clone())
                .or_default()
                .insert(name.clone());
        }
        cluster_names.insert(cluster);
    }
    let families: BTreeSet<String> = stack
        .task_definitions
        .iter()
        .filter_map(|td| td.family.clone())
        .collect();

    let providers: BTreeSet<String> = stack
        .capacity_providers
        .iter()
        .filter_map(|c| c.name.clone())
        .collect();
    let (capacity_providers, clusters, task_definitions, services) = futures::try_join!(
        crate::kinds::capacity_provider::observe(ecs, &providers, concurrency),
        crate::kinds::cluster::observe(ecs, &cluster_names, concurrency),
        crate::kinds::task_definition::observe(ecs, &families, concurrency),
        crate::kinds::service::observe(ecs, &services, concurrency),
    )?;
    Ok(Actual {
        capacity_providers,
        clusters,
        task_definitions,
        services,
        revisions: BTreeMap::new(),
        namespaces: BTreeMap::new(),
        discovery_services: BTreeMap::new(),
        target_groups: BTreeMap::new(),
        listeners: BTreeMap::new(),
        listener_rules: Vec::new(),
        schedule_groups: BTreeMap::new(),
        schedules: BTreeMap::new(),
        scaling: BTreeMap::new(),
    })
}

/// Adds to `actual` what pruning and destroying need beyond the resources `stack` names: every
/// ACTIVE cluster of the account and every service in them (the stack's may live in any
/// cluster, and a revision is unused only when no service runs it), the task definition
/// families and the capacity providers carrying the tag of the stack `name`.
///
/// This costs a ListClusters call per 100 clusters, a ListTaskDefinitionFamilies call per 100
/// families and a DescribeTaskDefinition call per family the stack does not name, a
/// ListServices call per 100 services of each cluster, and the describe calls of the clusters,
/// services and capacity providers found, batched as [`observe`] batches them: on a large
/// account, a plan that prunes costs calls in proportion to the account, not to the stack.
/// Tasks started outside services (RunTask, scheduled tasks) are not seen: a revision only they
/// run counts as unused.
pub async fn discover(
    ecs: &Ecs,
    stack: &Stack,
    name: &str,
    actual: &mut Actual,
    concurrency: usize,
) -> Result<(), AwsError> {
    let concurrency = concurrency.max(1);
    let owned = |tags: &Option<Vec<ecs_model::types::Tag>>| crate::plan::tagged(tags, name);

    let (cluster_arns, families) = futures::try_join!(
        list_all(
            ecs,
            Operation::ListClusters,
            json!({"maxResults": 100}),
            "clusterArns"
        ),
        list_all(
            ecs,
            Operation::ListTaskDefinitionFamilies,
            json!({"status": "ACTIVE", "maxResults": 100}),
            "families",
        ),
    )?;
    let unknown_clusters: BTreeSet<String> = cluster_arns
        .iter()
        .map(|arn| cluster_name(arn).to_owned())
        .filter(|n| !actual.clusters.contains_key(n))
        .collect();
    let named_families: BTreeSet<&str> = stack
        .task_definitions
        .iter()
        .filter_map(|t| t.family.as_deref())
        .collect();
    let unknown_families: BTreeSet<String> = families
        .into_iter()
        .filter(|f| {
            !named_families.contains(f.as_str()) && !actual.task_definitions.contains_key(f)
        })
        .collect();
    let (clusters, task_definitions) = futures::try_join!(
        crate::kinds::cluster::observe(ecs, &unknown_clusters, concurrency),
        crate::kinds::task_definition::observe(ecs, &unknown_families, concurrency),
    )?;
    // Every ACTIVE cluster: the stack's to prune, the others to know which services and
    // capacity providers stay.
    actual.clusters.extend(clusters);
    actual.task_definitions.extend(
        task_definitions
            .into_iter()
            .filter(|(_, t)| owned(&t.input.tags)),
    );

    // The capacity providers the clusters use (AWS's own FARGATE and FARGATE_SPOT aside): the
    // stack's among them are the ones to prune. A provider of the stack that no cluster uses
    // any more is not found.
    let used: BTreeSet<String> = actual
        .clusters
        .values()
        .filter_map(|c| c.input.capacity_providers.as_ref())
        .flatten()
        .filter(|name| !matches!(name.as_str(), "FARGATE" | "FARGATE_SPOT"))
        .filter(|name| !actual.capacity_providers.contains_key(*name))
        .cloned()
        .collect();
    let providers = crate::kinds::capacity_provider::observe(ecs, &used, concurrency).await?;
    actual
        .capacity_providers
        .extend(providers.into_iter().filter(|(_, p)| owned(&p.input.tags)));

    // Every service of every cluster: the stack's services may live in any cluster, and a
    // revision is only unused when no service runs it.
    let involved: Vec<String> = actual.clusters.keys().cloned().collect();
    let listed: Vec<(String, Vec<String>)> = stream::iter(involved)
        .map(|cluster| async move {
            let arns = list_all(
                ecs,
                Operation::ListServices,
                json!({"cluster": cluster, "maxResults": 100}),
                "serviceArns",
            )
            .await;
            match arns {
                Ok(arns) => Ok((cluster, arns)),
                Err(e) if e.is_not_found() => Ok((cluster, Vec::new())),
                Err(e) => Err(e),
            }
        })
        .buffer_unordered(concurrency)
        .try_collect()
        .await?;
    let mut unknown_services: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (cluster, arns) in listed {
        for arn in arns {
            let service = service_name(&arn).to_owned();
            if !actual
                .services
                .contains_key(&(cluster.clone(), service.clone()))
            {
                unknown_services
                    .entry(cluster.clone())
                    .or_default()
                    .insert(service);
            }
        }
    }
    let services = crate::kinds::service::observe(ecs, &unknown_services, concurrency).await?;
    actual.services.extend(services);
    Ok(())
}

/// The ACTIVE revisions of each of `families`, listed with ListTaskDefinitions (a call per 100
/// revisions of a family).
pub async fn revisions(
    ecs: &Ecs,
    families: &BTreeSet<String>,
    concurrency: usize,
) -> Result<BTreeMap<String, Vec<Revision>>, AwsError> {
    stream::iter(families.iter().cloned())
        .map(|family| async move {
            let arns = list_all(
                ecs,
                Operation::ListTaskDefinitions,
                json!({"familyPrefix": family, "status": "ACTIVE", "maxResults": 100}),
                "taskDefinitionArns",
            )
            .await?;
            // `familyPrefix` is a prefix: `web` lists `web-api` too.
            let revisions: Vec<Revision> = Revision::of_family(&family, &arns).collect();
            Ok::<_, AwsError>((family.clone(), revisions))
        })
        .buffer_unordered(concurrency.max(1))
        .try_collect()
        .await
}

/// `names` in owned chunks of `size`. The futures made from them own their input: futures that
/// borrow it from a closure's argument lose their `Send` bound (a limit of the compiler's
/// inference of higher-ranked lifetimes), and with it the `Send` bound of a plan.
pub(crate) fn owned_chunks(names: &BTreeSet<String>, size: usize) -> Vec<Vec<String>> {
    let names: Vec<String> = names.iter().cloned().collect();
    names.chunks(size).map(<[String]>::to_vec).collect()
}

/// Every string of the list `key` of `operation`'s answers, following `nextToken` (a token
/// answered twice ends the listing, rather than looping).
pub(crate) async fn list_all(
    ecs: &Ecs,
    operation: Operation,
    input: Value,
    key: &str,
) -> Result<Vec<String>, AwsError> {
    let mut out = Vec::new();
    let mut input = input;
    loop {
        let response = ecs.call(operation, &input).await?;
        out.extend(
            response
                .get(key)
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .map(str::to_owned),
        );
        match response.get("nextToken").and_then(Value::as_str) {
            Some(token) if !token.is_empty() && input.get("nextToken") != Some(&json!(token)) => {
                input["nextToken"] = json!(token);
            }
            _ => return Ok(out),
        }
    }
}

/// The index of the list element a document path points into: `clusters[3]` is 3.
pub(crate) fn index_of(path: &ecs_model::JsonPath) -> Option<usize> {
    path.segments().iter().find_map(|s| match s {
        PathSegment::Index(i) => Some(*i),
        PathSegment::Key(_) => None,
    })
}

pub(crate) fn active(value: &Value) -> bool {
    value.get("status").and_then(Value::as_str) == Some("ACTIVE")
}

/// A resource of a describe answer: its name, ARN and status as AWS wrote them, and the API
/// input that would create it as it is.
pub(crate) struct Described {
    /// Its name.
    pub(crate) name: String,
    /// Its ARN.
    pub(crate) arn: String,
    /// Its status (`ACTIVE`, `DRAINING`, `INACTIVE`...).
    pub(crate) status: String,
    /// The input that would create it.
    pub(crate) input: Input,
}

/// The resources of `answer`, a describe answer of `kind` whose list is `list`, each with the
/// members `name` and `arn` of its entry. An entry that does not load, or lacks either member,
/// is left out.
pub(crate) fn described(
    answer: &Value,
    kind: Kind,
    list: &str,
    (name, arn): (&str, &str),
) -> Vec<Described> {
    let Some(document) = load(answer, Some(kind)).value else {
        return Vec::new();
    };
    let raw = answer.get(list).and_then(Value::as_array);
    document
        .inputs()
        .into_iter()
        .filter_map(|(path, input)| {
            let raw = raw?.get(index_of(&path)?)?;
            let text = |key: &str| raw.get(key).and_then(Value::as_str).map(str::to_owned);
            Some(Described {
                name: text(name)?,
                arn: text(arn)?,
                status: text("status").unwrap_or_default(),
                input,
            })
        })
        .collect()
}

/// Calls DescribeClusters for `names` (names or ARNs), [`CLUSTERS_PER_CALL`] per call and at
/// most `concurrency` calls at a time, with the clusters' tags, settings and configurations;
/// returns every answer as AWS wrote it.
///
/// The one batched DescribeClusters of the crate: [`observe`], [`discover`] and
/// [`crate::status`] build on it.
pub(crate) async fn describe_cluster_answers(
    ecs: &Ecs,
    names: &BTreeSet<String>,
    concurrency: usize,
) -> Result<Vec<Value>, AwsError> {
    stream::iter(owned_chunks(names, CLUSTERS_PER_CALL))
        .map(|chunk| async move {
            let input =
                json!({"clusters": chunk, "include": ["TAGS", "SETTINGS", "CONFIGURATIONS"]});
            ecs.call(Operation::DescribeClusters, &input).await
        })
        .buffer_unordered(concurrency.max(1))
        .try_collect()
        .await
}

/// The clusters AWS has of `names`, as DescribeClusters describes them (whatever their
/// status), by name.
pub(crate) async fn described_clusters(
    ecs: &Ecs,
    names: &BTreeSet<String>,
    concurrency: usize,
) -> Result<BTreeMap<String, Cluster>, AwsError> {
    let answers = describe_cluster_answers(ecs, names, concurrency).await?;
    let mut out = BTreeMap::new();
    for answer in answers {
        let answer: DescribeClustersResponse = from_value(&answer).value.unwrap_or_default();
        for cluster in answer.clusters.unwrap_or_default() {
            if let Some(name) = cluster.cluster_name.clone() {
                out.insert(name, cluster);
            }
        }
    }
    Ok(out)
}

/// A service by its cluster's name and its name.
pub(crate) type ServiceKey = (String, String);

/// Calls DescribeServices for `services` (service names by cluster name),
/// [`SERVICES_PER_CALL`] services of one cluster per call and at most `concurrency` calls at a
/// time, with their tags; returns every answer with the cluster it was asked of. A cluster AWS
/// does not have gives no answer: none of its services exists.
///
/// The one batched DescribeServices of the crate: [`observe`], [`discover`],
/// [`crate::rollback`] and [`crate::status`] build on it.
pub(crate) async fn describe_service_answers(
    ecs: &Ecs,
    services: &BTreeMap<String, BTreeSet<String>>,
    concurrency: usize,
) -> Result<Vec<(String, Value)>, AwsError> {
    let mut calls = Vec::new();
    for (cluster, names) in services {
        let names: Vec<&String> = names.iter().collect();
        for chunk in names.chunks(SERVICES_PER_CALL) {
            calls.push((
                cluster.clone(),
                chunk.iter().map(|s| (*s).clone()).collect::<Vec<_>>(),
            ));
        }
    }
    let responses: Vec<Option<(String, Value)>> = stream::iter(calls)
        .map(|(cluster, names)| async move {
            match ecs
                .call(
                    Operation::DescribeServices,
                    &json!({"cluster": cluster, "services": names, "include": ["TAGS"]}),
                )
                .await
            {
                Ok(response) => Ok(Some((cluster, response))),
                Err(e) if e.is_not_found() => Ok(None),
                Err(e) => Err(e),
            }
        })
        .buffer_unordered(concurrency.max(1))
        .try_collect()
        .await?;
    Ok(responses.into_iter().flatten().collect())
}

/// The services AWS has of `services` (service names by cluster name), as DescribeServices
/// describes them (whatever their status), by cluster name and service name.
pub(crate) async fn described_services(
    ecs: &Ecs,
    services: &BTreeMap<String, BTreeSet<String>>,
    concurrency: usize,
) -> Result<BTreeMap<ServiceKey, Service>, AwsError> {
    let answers = describe_service_answers(ecs, services, concurrency).await?;
    let mut out = BTreeMap::new();
    for (cluster, answer) in answers {
        let asked = services.get(&cluster);
        let answer: DescribeServicesResponse = from_value(&answer).value.unwrap_or_default();
        for service in answer.services.unwrap_or_default() {
            if let Some(name) = service.service_name.clone()
                && asked.is_some_and(|names| names.contains(&name))
            {
                out.insert((cluster.clone(), name), service);
            }
        }
    }
    Ok(out)
}
