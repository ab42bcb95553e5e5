//! Clusters: observed with the batched DescribeClusters, compared with the stack's, then
//! created or updated (UpdateCluster, PutClusterCapacityProviders, tags).

use std::collections::{BTreeMap, BTreeSet};

use ecs_model::JsonPath;
use ecs_model::document::{Input, Kind, load};
use ecs_model::normalize;
use ecs_model::types::CreateClusterRequest;
use serde_json::{Value, json};

use crate::aws::{AwsError, Ecs, Operation};
use crate::observe::*;
use crate::ownership::{owned_tags, ownership};
use crate::plan::*;

pub(crate) fn plan(desired: &CreateClusterRequest, actual: &Actual, options: &Options) -> Change {
    let name = desired.cluster_name.clone().unwrap_or_default();
    let address = Address::Cluster { name: name.clone() };
    let mut wanted = desired.clone();
    wanted.tags = Some(owned_tags(&desired.tags, options));
    let Some(existing) = actual.clusters.get(&name) else {
        return creation(address, Step::CreateCluster(wanted));
    };
    if let Err(reason) = ownership(&existing.input.tags, options) {
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
    let mut steps = Vec::new();
    if ["settings", "configuration", "serviceConnectDefaults"]
        .iter()
        .any(|m| changed(m))
    {
        let mut input = json!({"cluster": name});
        copy_members(
            &wanted,
            &mut input,
            &["settings", "configuration", "serviceConnectDefaults"],
        );
        steps.push((Operation::UpdateCluster, input));
    }
    if changed("capacityProviders") || changed("defaultCapacityProviderStrategy") {
        steps.push((
            Operation::PutClusterCapacityProviders,
            json!({
                "cluster": name,
                "capacityProviders": wanted.get("capacityProviders").cloned().unwrap_or(json!([])),
                "defaultCapacityProviderStrategy":
                    wanted.get("defaultCapacityProviderStrategy").cloned().unwrap_or(json!([])),
            }),
        ));
    }
    if changed("tags") {
        steps.extend(super::tag_calls(&existing.arn, &have, &wanted));
    }
    let steps: Result<Vec<Step>, Reason> = steps
        .iter()
        .map(|(operation, input)| typed_step(*operation, input))
        .collect();
    match steps {
        Ok(steps) => updated(address, fields, kept, steps, false),
        Err(reason) => blocked(address, fields, reason),
    }
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
        let Some(document) = load(&response, Some(Kind::Cluster)).value else {
            continue;
        };
        let raw = response.get("clusters").and_then(Value::as_array);
        for (path, input) in document.inputs() {
            let (Input::Cluster(input), Some(raw)) =
                (input, index_of(&path).and_then(|i| raw?.get(i)))
            else {
                continue;
            };
            let (Some(name), Some(arn)) = (
                raw.get("clusterName").and_then(Value::as_str),
                raw.get("clusterArn").and_then(Value::as_str),
            ) else {
                continue;
            };
            if active(raw) {
                out.insert(name.to_owned(), Existing::new(arn, input));
            }
        }
    }
    Ok(out)
}
