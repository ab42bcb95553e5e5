//! Clusters: observed with the batched DescribeClusters, compared with the stack's, then
//! created or updated (UpdateCluster, PutClusterCapacityProviders, tags).

use std::collections::{BTreeMap, BTreeSet};

use ecs_model::JsonPath;
use ecs_model::document::{Input, Kind};
use ecs_model::normalize;
use ecs_model::types::{
    CreateClusterRequest, PutClusterCapacityProvidersRequest, UpdateClusterRequest,
};

use crate::aws::{AwsError, Ecs, Operation};
use crate::observe::*;
use crate::ownership::{adoptable, owned_tags};
use crate::plan::*;

pub(crate) fn plan(desired: &CreateClusterRequest, actual: &Actual, options: &Options) -> Change {
    let name = desired.cluster_name.clone().unwrap_or_default();
    let address = Address::Cluster { name: name.clone() };
    let mut wanted = desired.clone();
    wanted.tags = Some(owned_tags(&desired.tags, options));
    let Some(existing) = actual.clusters.get(&name) else {
        return creation(address, Step::CreateCluster(wanted));
    };
    if let Err(reason) = adoptable(&existing.input.tags, options) {
        return not_managed(address, reason);
    }
    // What the stack does not set is AWS's to decide: `settings` default to the account's
    // containerInsights setting, which no request shows, so an unset member keeps its value.
    let mut kept = Vec::new();
    let have = &existing.input;
    let root = JsonPath::root();
    keep_picked(
        &mut wanted.settings,
        &have.settings,
        root.clone().key("settings"),
        &mut kept,
    );
    keep_picked(
        &mut wanted.configuration,
        &have.configuration,
        root.clone().key("configuration"),
        &mut kept,
    );
    keep_picked(
        &mut wanted.service_connect_defaults,
        &have.service_connect_defaults,
        root.key("serviceConnectDefaults"),
        &mut kept,
    );
    normalize::cluster(&mut wanted);
    let mut have = existing.input.clone();
    normalize::cluster(&mut have);
    let compared = compared(&have, &wanted);
    kept.extend(compared.kept);
    let (have, wanted, fields) = (compared.have, compared.wanted, compared.fields);
    let changed = |member: &str| fields.iter().any(|f| top(&f.path) == member);
    // The cluster as compared (normalized, AWS's values kept), typed.
    let Some(normalized) = ecs_model::load::from_value::<CreateClusterRequest>(&wanted).value
    else {
        return blocked(
            address,
            fields,
            Reason::InvalidRequest {
                operation: Operation::UpdateCluster,
                problems: "the cluster does not read back as a CreateCluster request".to_owned(),
            },
        );
    };
    let mut steps = Vec::new();
    if ["settings", "configuration", "serviceConnectDefaults"]
        .iter()
        .any(|m| changed(m))
    {
        let mut update = UpdateClusterRequest::default();
        update.cluster = Some(name.clone());
        update.settings = normalized.settings.clone();
        update.configuration = normalized.configuration.clone();
        update.service_connect_defaults = normalized.service_connect_defaults.clone();
        steps.push(Step::UpdateCluster(update));
    }
    if changed("capacityProviders") || changed("defaultCapacityProviderStrategy") {
        // PutClusterCapacityProviders replaces both lists: an empty one removes them all.
        let mut put = PutClusterCapacityProvidersRequest::default();
        put.cluster = Some(name.clone());
        put.capacity_providers = Some(normalized.capacity_providers.clone().unwrap_or_default());
        put.default_capacity_provider_strategy = Some(
            normalized
                .default_capacity_provider_strategy
                .clone()
                .unwrap_or_default(),
        );
        steps.push(Step::PutClusterCapacityProviders(put));
    }
    if changed("tags") {
        steps.extend(super::tag_steps(&existing.arn, &have, &wanted));
    }
    updated(address, fields, kept, steps, false)
}

/// Reads the ACTIVE clusters of `names` with the batched DescribeClusters, each rendered as the
/// CreateCluster input that would make it as it is.
pub(crate) async fn observe(
    ecs: &Ecs,
    names: &BTreeSet<String>,
    concurrency: usize,
) -> Result<BTreeMap<String, Existing<ecs_model::types::CreateClusterRequest>>, AwsError> {
    let responses = describe_cluster_answers(ecs, names, concurrency).await?;
    let mut out = BTreeMap::new();
    for response in responses {
        let keys = ("clusterName", "clusterArn");
        for found in described(&response, Kind::Cluster, "clusters", keys) {
            if let (Input::Cluster(input), "ACTIVE") = (found.input, found.status.as_str()) {
                out.insert(found.name, Existing::new(found.arn, input));
            }
        }
    }
    Ok(out)
}
