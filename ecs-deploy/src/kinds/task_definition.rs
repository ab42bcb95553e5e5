//! Task definition families: the family's latest ACTIVE revision observed with
//! DescribeTaskDefinition and compared with the stack's; a new revision is registered when they
//! differ.

use std::collections::{BTreeMap, BTreeSet};

use ecs_model::JsonPath;
use ecs_model::document::{Input, Kind, load};
use ecs_model::normalize;
use ecs_model::types::RegisterTaskDefinitionRequest;
use futures::stream::{self, StreamExt, TryStreamExt};
use serde_json::{Value, json};

use crate::aws::{AwsError, Ecs, Operation};
use crate::observe::*;
use crate::ownership::{adoptable, owned_tags, owner};
use crate::plan::*;

pub(crate) fn plan(
    desired: &RegisterTaskDefinitionRequest,
    actual: &Actual,
    options: &Options,
) -> Change {
    let family = desired.family.clone().unwrap_or_default();
    let address = Address::TaskDefinition {
        family: family.clone(),
    };
    let mut wanted = desired.clone();
    wanted.tags = Some(owned_tags(&desired.tags, options));
    let Some(existing) = actual.task_definitions.get(&family) else {
        return creation(address, Step::RegisterTaskDefinition(wanted));
    };
    if let Err(reason) = adoptable(&existing.input.tags, options) {
        return not_managed(address, reason);
    }
    let mut kept = leave_images(&mut wanted, &existing.input, &family, options);
    let mut request = wanted.clone();
    normalize::task_definition(&mut wanted);
    let mut have = existing.input.clone();
    normalize::task_definition(&mut have);
    let compared = compared(&have, &wanted);
    kept.extend(compared.kept);
    let fields = compared.fields;
    if fields.is_empty() {
        return updated(address, fields, kept, Vec::new(), false);
    }
    // Adopted (no stack's tag) and otherwise the same: the latest revision is tagged (each
    // revision carries its own tags), rather than a copy registered and deployed.
    let adopting = owner(existing.input.tags.as_deref()).is_none();
    if adopting && fields.iter().all(|f| top(&f.path) == "tags") {
        let steps = super::tag_steps(&existing.arn, &compared.have, &compared.wanted);
        return updated(address, fields, kept, steps, false);
    }
    request.tags = wanted.tags.clone();
    Change {
        address,
        action: Action::Register,
        fields,
        kept,
        reason: existing
            .revision
            .map(|revision| Reason::RevisionDiffers { revision }),
        steps: vec![Step::RegisterTaskDefinition(request)],
        rollback: None,
    }
}

/// Copies the actual image of each container left to CI into `wanted`.
pub(crate) fn leave_images(
    wanted: &mut RegisterTaskDefinitionRequest,
    have: &RegisterTaskDefinitionRequest,
    family: &str,
    options: &Options,
) -> Vec<Kept> {
    let mut kept = Vec::new();
    let Some(containers) = wanted.container_definitions.as_mut() else {
        return kept;
    };
    for (index, container) in containers.iter_mut().enumerate() {
        let name = container.name.clone().unwrap_or_default();
        let left = options.leave.iter().any(|l| {
            matches!(l, Leave::Image { family: f, container: c }
                if f.as_deref().is_none_or(|f| f == family)
                    && c.as_deref().is_none_or(|c| c == name))
        });
        let actual = have
            .container_definitions
            .iter()
            .flatten()
            .find(|c| c.name.as_deref() == Some(name.as_str()))
            .and_then(|c| c.image.clone());
        if let (true, Some(image)) = (left, actual) {
            container.image = Some(image.clone());
            kept.push(Kept {
                path: JsonPath::root()
                    .key("containerDefinitions")
                    .index(index)
                    .key("image"),
                value: Value::String(image),
                owner: Owner::Ci,
            });
        }
    }
    kept
}

/// Reads the latest ACTIVE revision of each of `families` (one DescribeTaskDefinition each),
/// rendered as its RegisterTaskDefinition input.
pub(crate) async fn observe(
    ecs: &Ecs,
    families: &BTreeSet<String>,
    concurrency: usize,
) -> Result<BTreeMap<String, Existing<ecs_model::types::RegisterTaskDefinitionRequest>>, AwsError> {
    let found: Vec<Option<(String, Existing<_>)>> = stream::iter(families.iter().cloned())
        .map(|family| async move {
            let response = match ecs
                .call(
                    Operation::DescribeTaskDefinition,
                    &json!({"taskDefinition": family, "include": ["TAGS"]}),
                )
                .await
            {
                Ok(response) => response,
                // ECS answers ClientException for a family with no ACTIVE revision.
                Err(e) if e.is_not_found() => return Ok(None),
                Err(e) => return Err(e),
            };
            let raw = &response["taskDefinition"];
            let arn = raw.get("taskDefinitionArn").and_then(Value::as_str);
            let document = load(&response, Some(Kind::TaskDefinition)).value;
            let input = document.and_then(|d| {
                d.inputs().into_iter().find_map(|(_, input)| match input {
                    Input::TaskDefinition(td) => Some(td),
                    _ => None,
                })
            });
            Ok(match (arn, input) {
                (Some(arn), Some(input)) if active(raw) => {
                    let mut existing = Existing::new(arn, input);
                    existing.revision = raw.get("revision").and_then(Value::as_i64);
                    Some((family.clone(), existing))
                }
                _ => None,
            })
        })
        .buffer_unordered(concurrency)
        .try_collect()
        .await?;
    Ok(found.into_iter().flatten().collect())
}
