//! Rules for Stack: the references between its resources (a service's task definition,
//! cluster and capacity providers) and the names that must be unique.
//!
//! A reference to something the stack does not define may still be valid, since the resource
//! can already exist in AWS: those are warnings. A reference the stack resolves is checked
//! against what it finds, and a mismatch is an error.
//!
//! One module per relation checked, each rule next to the code that checks it:
//! [`references`] resolves a service's references (and warns about the ones the stack does not
//! define), then [`cluster`], [`compatibility`] and [`routing`] check the service against what
//! they resolve to; [`duplicates`] checks the names that must be unique. [`scaling`] and
//! [`schedules`] check the Application Auto Scaling and EventBridge Scheduler inputs that
//! refer to the stack's services, clusters and task definitions; [`discovery`] the Cloud Map
//! namespaces and discovery services and the service registries that name them;
//! [`listener_rules`] the ELBv2 listener rules and the target groups they forward to.

mod cluster;
mod compatibility;
mod discovery;
mod duplicates;
mod listener_rules;
pub(crate) mod name;
mod references;
mod routing;
mod scaling;
mod schedules;
mod target_groups;

use crate::diagnostic::{Diagnostic, JsonPath};
use crate::stack::Stack;
use crate::types::{CreateClusterRequest, CreateServiceRequest, RegisterTaskDefinitionRequest};

use super::Rule;
use super::service::strategy::uses_fargate;

const CREATE_SERVICE_DOC: &str =
    "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_CreateService.html";

/// Every rule of this module.
pub(crate) const RULES: &[&Rule] = &[
    &name::STACK_NAME,
    &references::UNKNOWN_TASK_DEFINITION,
    &references::UNKNOWN_CLUSTER,
    &compatibility::LAUNCH_TYPE_COMPATIBILITY,
    &compatibility::FARGATE_NOT_REQUIRED,
    &cluster::DAEMON_FARGATE,
    &compatibility::NETWORK_CONFIGURATION,
    &routing::LOAD_BALANCER_CONTAINER,
    &routing::CLASSIC_AWSVPC,
    &routing::ROLE_AWSVPC,
    &routing::SERVICE_CONNECT_PORT_NAME,
    &cluster::SERVICE_CONNECT_NAMESPACE,
    &cluster::STRATEGY_NOT_ASSOCIATED,
    &references::UNKNOWN_CAPACITY_PROVIDER,
    &routing::UNUSED_GRACE_PERIOD,
    &duplicates::DUPLICATE_SERVICE,
    &duplicates::DUPLICATE_TASK_DEFINITION,
    &duplicates::DUPLICATE_CLUSTER,
    &duplicates::DUPLICATE_CAPACITY_PROVIDER,
    &scaling::SCALING_ECS_SERVICE,
    &scaling::SCALING_CAPACITY,
    &scaling::UNKNOWN_SCALED_SERVICE,
    &scaling::SCALING_WITHOUT_TARGET,
    &scaling::SCALING_POLICY_CONFIGURATION,
    &scaling::SCALING_SCHEDULE,
    &scaling::DUPLICATE_SCALING,
    &schedules::SCHEDULE_EXPRESSION,
    &schedules::SCHEDULE_WINDOW,
    &schedules::SCHEDULE_TARGET,
    &schedules::UNKNOWN_SCHEDULE_REFERENCE,
    &schedules::SCHEDULE_NETWORK,
    &schedules::DUPLICATE_SCHEDULE,
    &discovery::UNKNOWN_DISCOVERY_SERVICE,
    &discovery::UNKNOWN_NAMESPACE,
    &discovery::REGISTRY_SRV_RECORD,
    &discovery::REGISTRY_RECORD_TYPE,
    &discovery::REGISTRY_CONTAINER,
    &discovery::DISCOVERY_HEALTH_CHECKS,
    &discovery::DUPLICATE_NAMESPACE,
    &discovery::DUPLICATE_DISCOVERY_SERVICE,
    &listener_rules::UNKNOWN_RULE_TARGET_GROUP,
    &listener_rules::RULE_PRIORITY,
    &listener_rules::RULE_CONTENTS,
    &target_groups::UNKNOWN_TARGET_GROUP,
];

/// The codes of the warnings about references a stack does not resolve, which may name
/// something that already exists in AWS: [`super::close_references`] makes them errors for a
/// stack that declares everything it uses. Written with the rules' constants, so a renamed code
/// cannot drift from this list.
pub(crate) const UNRESOLVED_REFERENCES: [&str; 6] = [
    references::UNKNOWN_TASK_DEFINITION.code,
    references::UNKNOWN_CLUSTER.code,
    references::UNKNOWN_CAPACITY_PROVIDER.code,
    scaling::UNKNOWN_SCALED_SERVICE.code,
    scaling::SCALING_WITHOUT_TARGET.code,
    schedules::UNKNOWN_SCHEDULE_REFERENCE.code,
];

/// Checks one stack file, with paths from its root.
pub(crate) fn check(stack: &Stack, out: &mut Vec<Diagnostic>) {
    name::check(stack, out);
    duplicates::check_duplicates(stack, out);
    let index = references::Index::new(stack);
    let discovery_services = discovery::by_name(stack);
    for (i, service) in stack.services.iter().enumerate() {
        let cx = ServiceCx::resolve(i, service, &index, out);
        cx.check(out);
        cx.check_registries(&discovery_services, cx.task_definition, out);
    }
    discovery::check(stack, out);
    references::check_cluster_providers(stack, out);
    scaling::check(stack, out);
    schedules::check(stack, out);
    listener_rules::check(stack, out);
    target_groups::check(stack, out);
}

/// Where a service's tasks run, as far as the stack tells.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Capacity {
    Fargate,
    NotFargate,
    Unknown,
}

fn capacity(service: &CreateServiceRequest, cluster: Option<&CreateClusterRequest>) -> Capacity {
    let fargate = |yes: bool| {
        if yes {
            Capacity::Fargate
        } else {
            Capacity::NotFargate
        }
    };
    if let Some(launch_type) = &service.launch_type {
        return fargate(matches!(launch_type, crate::types::LaunchType::Fargate));
    }
    if let Some(items) = service
        .capacity_provider_strategy
        .as_deref()
        .filter(|s| !s.is_empty())
    {
        return fargate(uses_fargate(items));
    }
    let Some(cluster) = cluster else {
        return Capacity::Unknown;
    };
    // Without a default strategy, CreateService falls back to the EC2 launch type.
    let default = cluster.default_capacity_provider_strategy.as_deref();
    fargate(default.is_some_and(uses_fargate))
}

/// One service with what its references resolve to.
struct ServiceCx<'a> {
    path: JsonPath,
    service: &'a CreateServiceRequest,
    task_definition: Option<&'a RegisterTaskDefinitionRequest>,
    family: &'a str,
    cluster: Option<&'a CreateClusterRequest>,
    capacity: Capacity,
}

impl ServiceCx<'_> {
    fn at(&self, member: &str) -> JsonPath {
        self.path.clone().key(member)
    }

    fn check(&self, out: &mut Vec<Diagnostic>) {
        self.check_daemon(out);
        self.check_strategy_providers(out);
        self.check_namespace(out);
        let Some(td) = self.task_definition else {
            return;
        };
        self.check_compatibility(td, out);
        self.check_network(td, out);
        self.check_load_balancers(td, out);
        self.check_service_connect(td, out);
        self.check_grace_period(td, out);
    }
}
