//! A service against its task definition's launch compatibility and network mode: a Fargate
//! service needs a task definition that can run on Fargate, and the service's awsvpc
//! configuration goes with the awsvpc network mode.

use crate::diagnostic::{Diagnostic, Severity};
use crate::facts::{Network, network, requires_fargate};
use crate::types::{NetworkMode, RegisterTaskDefinitionRequest};
use crate::validate::Rule;

use super::{CREATE_SERVICE_DOC, Capacity, ServiceCx};

/// A Fargate service runs a task definition validated for Fargate.
pub(crate) const LAUNCH_TYPE_COMPATIBILITY: Rule = Rule {
    code: "stack-launch-type-compatibility",
    severity: Severity::Error,
    summary: "A service on Fargate runs a task definition that can run on Fargate: FARGATE in `requiresCompatibilities`, or awsvpc with task cpu and memory.",
    doc: "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_RegisterTaskDefinition.html",
    cross_field: true,
};

/// A Fargate service's task definition should say so.
pub(crate) const FARGATE_NOT_REQUIRED: Rule = Rule {
    code: "stack-fargate-not-required",
    severity: Severity::Warning,
    summary: "A service on Fargate runs a task definition with FARGATE in `requiresCompatibilities`, so AWS validates it for Fargate.",
    doc: "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_RegisterTaskDefinition.html",
    cross_field: true,
};

/// awsvpc task definitions need the service's awsvpc configuration, and only they take it.
pub(crate) const NETWORK_CONFIGURATION: Rule = Rule {
    code: "stack-network-configuration",
    severity: Severity::Error,
    summary: "A service sets `networkConfiguration.awsvpcConfiguration` exactly when its task definition uses the awsvpc network mode.",
    doc: CREATE_SERVICE_DOC,
    cross_field: true,
};

impl ServiceCx<'_> {
    pub(super) fn check_compatibility(
        &self,
        td: &RegisterTaskDefinitionRequest,
        out: &mut Vec<Diagnostic>,
    ) {
        if self.capacity != Capacity::Fargate || requires_fargate(td) {
            return;
        }
        let path = self.at("taskDefinition");
        if fargate_shaped(td) {
            out.push(
                FARGATE_NOT_REQUIRED
                    .at(
                        path,
                        format!(
                            "the service runs on Fargate but task definition `{}` does not list FARGATE in requiresCompatibilities",
                            self.family
                        ),
                    )
                    .with_hint("add FARGATE to requiresCompatibilities so AWS validates it for Fargate"),
            );
        } else {
            out.push(
                LAUNCH_TYPE_COMPATIBILITY
                    .at(
                        path,
                        format!(
                            "the service runs on Fargate but task definition `{}` cannot: it does not require FARGATE and lacks awsvpc, task cpu or task memory",
                            self.family
                        ),
                    )
                    .with_hint("add FARGATE to requiresCompatibilities with networkMode awsvpc and task-level cpu and memory, or run the service on EC2"),
            );
        }
    }

    pub(super) fn check_network(
        &self,
        td: &RegisterTaskDefinitionRequest,
        out: &mut Vec<Diagnostic>,
    ) {
        let has_vpc = self
            .service
            .network_configuration
            .as_ref()
            .is_some_and(|n| n.awsvpc_configuration.is_some());
        let mode = match &td.network_mode {
            Some(NetworkMode::Unknown(_)) => return,
            // A Fargate task definition without awsvpc is reported by the task definition rules.
            None if requires_fargate(td) => return,
            Some(mode) => format!("uses network mode {}", mode.as_str()),
            None => "sets no networkMode".to_owned(),
        };
        let awsvpc = network(td) == Network::Awsvpc;
        if awsvpc && !has_vpc {
            out.push(
                NETWORK_CONFIGURATION
                    .at(
                        self.at("networkConfiguration"),
                        format!(
                            "task definition `{}` uses network mode awsvpc but the service has no networkConfiguration.awsvpcConfiguration",
                            self.family
                        ),
                    )
                    .with_hint("add networkConfiguration.awsvpcConfiguration with the subnets and security groups"),
            );
        } else if !awsvpc && has_vpc {
            out.push(
                NETWORK_CONFIGURATION
                    .at(
                        self.at("networkConfiguration").key("awsvpcConfiguration"),
                        format!(
                            "task definition `{}` {mode}; awsvpcConfiguration is only for the awsvpc network mode",
                            self.family
                        ),
                    )
                    .with_hint("remove networkConfiguration, or use networkMode awsvpc in the task definition"),
            );
        }
    }
}

/// Whether AWS could validate the task definition for Fargate without being asked: awsvpc
/// with task-level cpu and memory.
fn fargate_shaped(td: &RegisterTaskDefinitionRequest) -> bool {
    network(td) == Network::Awsvpc && td.cpu.is_some() && td.memory.is_some()
}
