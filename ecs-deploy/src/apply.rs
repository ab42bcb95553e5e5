//! Applying a plan: its calls, in order (clusters, then task definitions, then services), with
//! an event for each step.
//!
//! Every step is idempotent in effect: an apply that stops half-way leaves AWS consistent, and
//! planning again sees what was done (a registered revision is the family's latest, so it is
//! not registered twice) and finishes the rest.
//!
//! After the calls, the deployments the plan started are followed to the end
//! ([`crate::wait`]); a deployment that fails, is rolled back by the circuit breaker or times
//! out fails the apply, and (unless told otherwise) the service is put back on the revision it
//! ran before.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::aws::{AwsError, Ecs, Operation};
use crate::plan::{Action, Address, Plan};
use crate::wait::{Rollout, WaitError, WaitEvent, WaitOptions, wait};

/// How to apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct ApplyOptions {
    /// Follow the deployments started until they settle; `None` returns after the calls.
    pub wait: Option<WaitOptions>,
    /// When a deployment fails, put the service back on the revision it ran before.
    pub rollback: bool,
}

impl ApplyOptions {
    /// Return after the calls, without following the deployments.
    pub fn no_wait() -> Self {
        Self {
            wait: None,
            rollback: false,
        }
    }

    /// Follow the deployments with `wait`, and roll back a failed one when `rollback`.
    pub fn wait(wait: WaitOptions, rollback: bool) -> Self {
        Self {
            wait: Some(wait),
            rollback,
        }
    }
}

impl Default for ApplyOptions {
    /// Wait with [`WaitOptions::default`], and roll back on failure.
    fn default() -> Self {
        Self {
            wait: Some(WaitOptions::default()),
            rollback: true,
        }
    }
}

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
    /// A resource's change is done (its calls; its deployment may still be running).
    Done {
        /// The resource.
        address: Address,
    },
    /// Progress of a deployment being followed.
    Wait(WaitEvent),
    /// A failed deployment's service was put back on the revision it ran before.
    RolledBack {
        /// The service.
        address: Address,
        /// The task definition it runs again.
        task_definition: String,
    },
}

/// What failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Failure {
    /// A call failed.
    #[error(transparent)]
    Call(#[from] AwsError),
    /// A deployment did not settle.
    #[error(transparent)]
    Rollout(#[from] WaitError),
}

/// A failed apply: what failed, how far the apply got, and whether a service was rolled back.
#[derive(Debug, thiserror::Error)]
#[error("{address}: {source}")]
#[non_exhaustive]
pub struct ApplyError {
    /// The resource whose change failed.
    pub address: Address,
    /// What failed.
    #[source]
    pub source: Failure,
    /// The resources whose calls were done before.
    pub done: Vec<Address>,
    /// The task definition the failed service was put back on, when it was rolled back.
    pub rolled_back_to: Option<String>,
}

/// Applies `plan`, calling `on_event` as it goes; returns the resources changed.
pub async fn apply(
    ecs: &Ecs,
    plan: &Plan,
    options: &ApplyOptions,
    mut on_event: impl FnMut(Event),
) -> Result<Vec<Address>, ApplyError> {
    let mut rollouts: Vec<(Rollout, &crate::plan::Change)> = Vec::new();
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
                    if matches!(
                        step.operation,
                        Operation::CreateService | Operation::UpdateService
                    ) && matches!(
                        change.action,
                        Action::Create | Action::UpdateAndDeploy | Action::Replace
                    ) && let Some(rollout) = Rollout::from_response(&response)
                    {
                        rollouts.push((rollout, change));
                    }
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
                        source: source.into(),
                        done,
                        rolled_back_to: None,
                    });
                }
            }
        }
        on_event(Event::Done {
            address: change.address.clone(),
        });
        done.push(change.address.clone());
    }
    let Some(wait_options) = options.wait else {
        return Ok(done);
    };
    let followed: Vec<Rollout> = rollouts.iter().map(|(r, _)| r.clone()).collect();
    let Err(failure) = wait(ecs, &followed, wait_options, |e| on_event(Event::Wait(e))).await
    else {
        return Ok(done);
    };
    // Which change failed: the rollout named in the error.
    let failed = match &failure {
        WaitError::Failed { service, .. } | WaitError::TimedOut { service, .. } => rollouts
            .iter()
            .find(|(r, _)| &r.service == service)
            .map(|(_, c)| *c),
        _ => None,
    };
    let address = failed.map_or_else(
        || {
            done.last().cloned().unwrap_or(Address::Cluster {
                name: String::new(),
            })
        },
        |c| c.address.clone(),
    );
    let mut rolled_back_to = None;
    if options.rollback
        && let Some(step) = failed.and_then(|c| c.rollback.as_ref())
        && ecs.call(step.operation, &step.input).await.is_ok()
    {
        let to = step.input["taskDefinition"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        on_event(Event::RolledBack {
            address: address.clone(),
            task_definition: to.clone(),
        });
        rolled_back_to = Some(to);
    }
    Err(ApplyError {
        address,
        source: failure.into(),
        done,
        rolled_back_to,
    })
}
