//! Capacity providers (Auto Scaling group providers): observed with DescribeCapacityProviders,
//! compared with the stack's, then created, updated in place, or blocked where AWS has no
//! update.

use std::collections::{BTreeMap, BTreeSet};

use ecs_model::JsonPath;
use ecs_model::document::{Input, Kind};
use ecs_model::normalize;
use ecs_model::types::{
    AutoScalingGroupProviderUpdate, CreateCapacityProviderRequest, UpdateCapacityProviderRequest,
};
use futures::stream::{self, StreamExt, TryStreamExt};
use serde_json::{Value, json};

use crate::aws::{AwsError, Ecs, Operation};
use crate::observe::*;
use crate::ownership::{adoptable, owned_tags};
use crate::plan::*;

pub(crate) fn plan(
    desired: &CreateCapacityProviderRequest,
    actual: &Actual,
    options: &Options,
) -> Change {
    let name = desired.name.clone().unwrap_or_default();
    let address = Address::CapacityProvider { name: name.clone() };
    if desired.managed_instances_provider.is_some() {
        return blocked(address, Vec::new(), Reason::ManagedInstancesNotPlanned);
    }
    let mut wanted = desired.clone();
    wanted.tags = Some(owned_tags(&desired.tags, options));
    let Some(existing) = actual.capacity_providers.get(&name) else {
        return creation(address, Step::CreateCapacityProvider(wanted));
    };
    if let Err(reason) = adoptable(&existing.input.tags, options) {
        return not_managed(address, reason);
    }
    // A group given by name is the same group as its ARN, which AWS answers with.
    if let (Some(asg), Some(have)) = (
        wanted.auto_scaling_group_provider.as_mut(),
        existing.input.auto_scaling_group_provider.as_ref(),
    ) && let (Some(given), Some(arn)) =
        (&asg.auto_scaling_group_arn, &have.auto_scaling_group_arn)
        && !given.starts_with("arn:")
        && arn.ends_with(&format!(":autoScalingGroupName/{given}"))
    {
        asg.auto_scaling_group_arn = Some(arn.clone());
    }
    // What the stack does not set in the Auto Scaling group provider is AWS's to decide, as
    // for clusters: `managedDraining` and `managedScaling` take values AWS picks (the model
    // documents no default), and leaving them out of an update keeps them.
    let mut kept = Vec::new();
    if let (Some(asg), Some(have)) = (
        wanted.auto_scaling_group_provider.as_mut(),
        existing.input.auto_scaling_group_provider.as_ref(),
    ) {
        let at = JsonPath::root().key("autoScalingGroupProvider");
        keep_picked(
            &mut asg.managed_draining,
            &have.managed_draining,
            at.clone().key("managedDraining"),
            &mut kept,
        );
        keep_picked(
            &mut asg.managed_scaling,
            &have.managed_scaling,
            at.key("managedScaling"),
            &mut kept,
        );
    }
    normalize::capacity_provider(&mut wanted);
    let mut have = existing.input.clone();
    normalize::capacity_provider(&mut have);
    let compared = compared(&have, &wanted);
    kept.extend(compared.kept);
    let (have, wanted, fields) = (compared.have, compared.wanted, compared.fields);
    // UpdateCapacityProvider changes the scaling and draining settings, not the Auto Scaling
    // group nor the cluster a provider belongs to. Deleting and creating it again under the
    // same name cannot work either: AWS deletes a provider only once no cluster uses it, and
    // takes a while to.
    if let Some(member) = fields
        .iter()
        .map(|f| f.path.to_string())
        .find(|p| p == "cluster" || p.starts_with("autoScalingGroupProvider.autoScalingGroupArn"))
    {
        return blocked(
            address,
            fields,
            Reason::CapacityProviderMemberFixed { member },
        );
    }
    let changed = |member: &str| fields.iter().any(|f| top(&f.path) == member);
    let mut steps = Vec::new();
    if changed("autoScalingGroupProvider") {
        // The provider as compared (normalized, AWS's values kept), typed: UpdateCapacityProvider
        // changes the group provider's scaling, termination protection and draining.
        let Some(normalized) =
            ecs_model::load::from_value::<CreateCapacityProviderRequest>(&wanted).value
        else {
            return blocked(
                address,
                fields,
                Reason::InvalidRequest {
                    operation: Operation::UpdateCapacityProvider,
                    problems: "the provider does not read back as a CreateCapacityProvider \
                               request"
                        .to_owned(),
                },
            );
        };
        let mut update = UpdateCapacityProviderRequest::default();
        update.name = Some(name.clone());
        update.cluster = normalized.cluster.clone();
        if let Some(asg) = &normalized.auto_scaling_group_provider {
            let mut group = AutoScalingGroupProviderUpdate::default();
            group.managed_scaling = asg.managed_scaling.clone();
            group.managed_termination_protection = asg.managed_termination_protection.clone();
            group.managed_draining = asg.managed_draining.clone();
            update.auto_scaling_group_provider = Some(group);
        }
        steps.push(Step::UpdateCapacityProvider(update));
    }
    if changed("tags") {
        steps.extend(super::tag_steps(&existing.arn, &have, &wanted));
    }
    updated(address, fields, kept, steps, false)
}

/// Reads the ACTIVE capacity providers of `names`, [`CAPACITY_PROVIDERS_PER_CALL`] per
/// DescribeCapacityProviders call, each rendered as its CreateCapacityProvider input.
pub(crate) async fn observe(
    ecs: &Ecs,
    names: &BTreeSet<String>,
    concurrency: usize,
) -> Result<BTreeMap<String, Existing<ecs_model::types::CreateCapacityProviderRequest>>, AwsError> {
    let responses: Vec<Value> = stream::iter(owned_chunks(names, CAPACITY_PROVIDERS_PER_CALL))
        .map(|chunk| async move {
            let input = json!({"capacityProviders": chunk, "include": ["TAGS"]});
            ecs.call(Operation::DescribeCapacityProviders, &input).await
        })
        .buffer_unordered(concurrency)
        .try_collect()
        .await?;
    let mut out = BTreeMap::new();
    for response in responses {
        let keys = ("name", "capacityProviderArn");
        for found in described(&response, Kind::CapacityProvider, "capacityProviders", keys) {
            if let (Input::CapacityProvider(input), "ACTIVE") = (found.input, found.status.as_str())
            {
                out.insert(found.name, Existing::new(found.arn, input));
            }
        }
    }
    Ok(out)
}
