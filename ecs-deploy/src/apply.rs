//! Applying a plan: its calls, in order (clusters, then task definitions, then services), with
//! an event for each step.
//!
//! Every step is idempotent in effect: an apply that stops half-way leaves AWS consistent, and
//! planning again sees what was done (a registered revision is the family's latest, so it is
//! not registered twice) and finishes the rest.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::aws::{AwsError, Ecs, Operation};
use crate::plan::{Action, Address, Plan};

/// What happens while a plan is applied.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Event {
    /// A resource's change starts.
    Started {
        /// The resource.
        address: Address,
        /// What happens to it.
        action: Action,
    },
    /// A call succeeded.
    Called {
        /// The resource.
        address: Address,
        /// The operation.
        operation: Operation,
        /// What it returned.
        response: Value,
    },
    /// A resource's change is done.
    Done {
        /// The resource.
        address: Address,
    },
}

/// A failed apply: the call that failed, and how far the apply got.
#[derive(Debug, thiserror::Error)]
#[error("{address}: {source}")]
#[non_exhaustive]
pub struct ApplyError {
    /// The resource whose change failed.
    pub address: Address,
    /// The failed call.
    #[source]
    pub source: AwsError,
    /// The resources whose change was done before.
    pub done: Vec<Address>,
}

/// Applies `plan`, calling `on_event` as it goes; returns the resources changed.
pub async fn apply(
    ecs: &Ecs,
    plan: &Plan,
    mut on_event: impl FnMut(Event),
) -> Result<Vec<Address>, ApplyError> {
    let mut done = Vec::new();
    // The ARN of each revision registered by this apply, by family: a service of the same plan
    // runs exactly that revision.
    let mut registered: BTreeMap<String, String> = BTreeMap::new();
    for change in &plan.changes {
        if change.steps.is_empty() {
            continue;
        }
        on_event(Event::Started {
            address: change.address.clone(),
            action: change.action,
        });
        for step in &change.steps {
            let mut input = step.input.clone();
            if matches!(
                step.operation,
                Operation::CreateService | Operation::UpdateService
            ) && let Some(arn) = input
                .get("taskDefinition")
                .and_then(Value::as_str)
                .and_then(|family| registered.get(family))
            {
                input["taskDefinition"] = Value::String(arn.clone());
            }
            match ecs.call(step.operation, &input).await {
                Ok(response) => {
                    if step.operation == Operation::RegisterTaskDefinition
                        && let (Some(family), Some(arn)) = (
                            response["taskDefinition"]["family"].as_str(),
                            response["taskDefinition"]["taskDefinitionArn"].as_str(),
                        )
                    {
                        registered.insert(family.to_owned(), arn.to_owned());
                    }
                    on_event(Event::Called {
                        address: change.address.clone(),
                        operation: step.operation,
                        response,
                    });
                }
                // A replacement deletes first; a service already gone is what we wanted.
                Err(e) if step.operation == Operation::DeleteService && e.is_not_found() => {}
                Err(source) => {
                    return Err(ApplyError {
                        address: change.address.clone(),
                        source,
                        done,
                    });
                }
            }
        }
        on_event(Event::Done {
            address: change.address.clone(),
        });
        done.push(change.address.clone());
    }
    Ok(done)
}
