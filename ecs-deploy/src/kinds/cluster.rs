//! Clusters: compared with AWS, created, or updated (UpdateCluster, PutClusterCapacityProviders,
//! tags).

use ecs_model::JsonPath;
use ecs_model::normalize;
use ecs_model::types::CreateClusterRequest;
use serde_json::json;

use crate::aws::Operation;

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
    let (wanted, fields) = (compared.wanted, compared.fields);
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
        steps.push((
            Operation::TagResource,
            json!({"resourceArn": existing.arn, "tags": wanted.get("tags")}),
        ));
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
