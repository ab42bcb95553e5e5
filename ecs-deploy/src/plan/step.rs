//! The calls a change makes, typed: each holds the request type `ecs-model` generates from the
//! AWS model for its operation, so a plan is checked by the compiler and the AWS model, not
//! assembled as untyped JSON.

use ecs_model::cloud_map::{
    CreateHttpNamespaceRequest, CreatePrivateDnsNamespaceRequest,
    CreateServiceRequest as CreateDiscoveryServiceRequest, DeleteNamespaceRequest,
    DeleteServiceRequest as DeleteDiscoveryServiceRequest,
    TagResourceRequest as CloudMapTagRequest, UntagResourceRequest as CloudMapUntagRequest,
    UpdateHttpNamespaceRequest, UpdatePrivateDnsNamespaceRequest,
    UpdateServiceRequest as UpdateDiscoveryServiceRequest,
};
use ecs_model::load::from_value;
use ecs_model::scheduler::{
    CreateScheduleGroupInput, CreateScheduleInput, DeleteScheduleGroupInput, DeleteScheduleInput,
    UpdateScheduleInput,
};
use ecs_model::types::{
    CreateCapacityProviderRequest, CreateClusterRequest, CreateServiceRequest,
    DeleteCapacityProviderRequest, DeleteClusterRequest, DeleteServiceRequest,
    DeregisterTaskDefinitionRequest, PutClusterCapacityProvidersRequest,
    RegisterTaskDefinitionRequest, Tag, TagResourceRequest, UntagResourceRequest,
    UpdateCapacityProviderRequest, UpdateClusterRequest, UpdateServiceRequest,
};
use serde::Serialize;
use serde_json::Value;

use crate::aws::Operation;

/// One API call of a change, with its request.
///
/// It serializes as `{"operation": "UpdateService", "input": {...}}`, the request as AWS JSON
/// (what `ecs-deploy plan --format json` prints). Its `Debug` and `Serialize` show the input
/// [redacted](crate::redact): a secret environment value never reaches a log or a JSON plan;
/// [`Step::input`] holds the real values, which apply sends.
#[derive(Clone, PartialEq)]
#[non_exhaustive]
pub enum Step {
    /// CreateCapacityProvider.
    CreateCapacityProvider(CreateCapacityProviderRequest),
    /// UpdateCapacityProvider.
    UpdateCapacityProvider(UpdateCapacityProviderRequest),
    /// DeleteCapacityProvider.
    DeleteCapacityProvider(DeleteCapacityProviderRequest),
    /// CreateCluster.
    CreateCluster(CreateClusterRequest),
    /// UpdateCluster.
    UpdateCluster(UpdateClusterRequest),
    /// PutClusterCapacityProviders.
    PutClusterCapacityProviders(PutClusterCapacityProvidersRequest),
    /// DeleteCluster.
    DeleteCluster(DeleteClusterRequest),
    /// RegisterTaskDefinition.
    RegisterTaskDefinition(RegisterTaskDefinitionRequest),
    /// DeregisterTaskDefinition.
    DeregisterTaskDefinition(DeregisterTaskDefinitionRequest),
    /// CreateService.
    CreateService(CreateServiceRequest),
    /// UpdateService.
    UpdateService(UpdateServiceRequest),
    /// DeleteService.
    DeleteService(DeleteServiceRequest),
    /// TagResource.
    TagResource(TagResourceRequest),
    /// UntagResource: removes the tags a resource has that the stack no longer sets.
    UntagResource(UntagResourceRequest),
    /// Cloud Map CreatePrivateDnsNamespace.
    CreatePrivateDnsNamespace(CreatePrivateDnsNamespaceRequest),
    /// Cloud Map CreateHttpNamespace.
    CreateHttpNamespace(CreateHttpNamespaceRequest),
    /// Cloud Map UpdatePrivateDnsNamespace.
    UpdatePrivateDnsNamespace(UpdatePrivateDnsNamespaceRequest),
    /// Cloud Map UpdateHttpNamespace.
    UpdateHttpNamespace(UpdateHttpNamespaceRequest),
    /// Cloud Map DeleteNamespace.
    DeleteNamespace(DeleteNamespaceRequest),
    /// Cloud Map CreateService: a discovery service.
    CreateDiscoveryService(CreateDiscoveryServiceRequest),
    /// Cloud Map UpdateService.
    UpdateDiscoveryService(UpdateDiscoveryServiceRequest),
    /// Cloud Map DeleteService.
    DeleteDiscoveryService(DeleteDiscoveryServiceRequest),
    /// Cloud Map TagResource.
    TagCloudMapResource(CloudMapTagRequest),
    /// Cloud Map UntagResource.
    UntagCloudMapResource(CloudMapUntagRequest),
    /// EventBridge Scheduler CreateScheduleGroup: the stack's group, with its tag.
    CreateScheduleGroup(CreateScheduleGroupInput),
    /// EventBridge Scheduler DeleteScheduleGroup.
    DeleteScheduleGroup(DeleteScheduleGroupInput),
    /// EventBridge Scheduler CreateSchedule.
    CreateSchedule(CreateScheduleInput),
    /// EventBridge Scheduler UpdateSchedule: the whole schedule, every member sent.
    UpdateSchedule(UpdateScheduleInput),
    /// EventBridge Scheduler DeleteSchedule.
    DeleteSchedule(DeleteScheduleInput),
    /// ELBv2 CreateTargetGroup: the stack's target group, with its tag.
    CreateTargetGroup(ecs_model::load_balancing::CreateTargetGroupInput),
    /// ELBv2 ModifyTargetGroup: its health check.
    ModifyTargetGroup(ecs_model::load_balancing::ModifyTargetGroupInput),
    /// ELBv2 DeleteTargetGroup.
    DeleteTargetGroup(ecs_model::load_balancing::DeleteTargetGroupInput),
    /// ELBv2 AddTags.
    AddTags(ecs_model::load_balancing::AddTagsInput),
    /// ELBv2 RemoveTags.
    RemoveTags(ecs_model::load_balancing::RemoveTagsInput),
    /// ELBv2 CreateRule: a listener rule of the stack, with its tags.
    CreateRule(ecs_model::load_balancing::CreateRuleInput),
    /// ELBv2 ModifyRule: a rule's conditions and actions, each list whole.
    ModifyRule(ecs_model::load_balancing::ModifyRuleInput),
    /// ELBv2 SetRulePriorities: a rule's new priority.
    SetRulePriorities(ecs_model::load_balancing::SetRulePrioritiesInput),
    /// ELBv2 DeleteRule.
    DeleteRule(ecs_model::load_balancing::DeleteRuleInput),
    /// Application Auto Scaling RegisterScalableTarget: registers or updates a service's
    /// scalable target.
    RegisterScalableTarget(ecs_model::autoscaling::RegisterScalableTargetRequest),
    /// Application Auto Scaling PutScalingPolicy: creates or updates a policy by name.
    PutScalingPolicy(ecs_model::autoscaling::PutScalingPolicyRequest),
    /// Application Auto Scaling PutScheduledAction: creates or updates an action by name.
    PutScheduledAction(ecs_model::autoscaling::PutScheduledActionRequest),
    /// Application Auto Scaling DeleteScalingPolicy.
    DeleteScalingPolicy(ecs_model::autoscaling::DeleteScalingPolicyRequest),
    /// Application Auto Scaling DeleteScheduledAction.
    DeleteScheduledAction(ecs_model::autoscaling::DeleteScheduledActionRequest),
    /// Application Auto Scaling DeregisterScalableTarget.
    DeregisterScalableTarget(ecs_model::autoscaling::DeregisterScalableTargetRequest),
    /// RegisterScalableTarget suspending a service's scaling (all three flags of
    /// `SuspendedState`) before the UpdateService that deploys it; apply sends `resume` once
    /// that deployment has ended, whatever its outcome. Its operation and input are the
    /// suspension's.
    SuspendScaling {
        /// The RegisterScalableTarget that suspends.
        suspend: ecs_model::autoscaling::RegisterScalableTargetRequest,
        /// The RegisterScalableTarget that resumes: the `SuspendedState` the stack asks for.
        resume: ecs_model::autoscaling::RegisterScalableTargetRequest,
    },
    /// A step whose request takes values that an earlier change of the same apply creates
    /// (the id of a namespace, the ARN of a discovery service): known after apply, as the
    /// plan shows them ([`KNOWN_AFTER_APPLY`]). Apply fills them in, then sends the step.
    Linked(Box<Step>, Vec<Link>),
}

/// What a linked step's request shows where a value is known only after apply.
pub const KNOWN_AFTER_APPLY: &str = "(known after apply)";

/// A value of a step's request that an earlier change of the same apply creates: where it goes
/// and what it is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Link {
    /// Where in the request it goes.
    pub slot: Slot,
    /// What it is.
    pub value: Created,
}

/// A place in a request that a [`Link`] fills.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
#[non_exhaustive]
pub enum Slot {
    /// A Cloud Map CreateService's `NamespaceId`, and its `DnsConfig.NamespaceId` when set.
    NamespaceId,
    /// An ECS CreateService or UpdateService's `serviceRegistries[index].registryArn`.
    RegistryArn {
        /// The index in `serviceRegistries`.
        index: usize,
    },
    /// A CreateSchedule or UpdateSchedule's `Target.Arn`: the cluster's ARN.
    ScheduleCluster,
    /// A CreateSchedule or UpdateSchedule's `Target.EcsParameters.TaskDefinitionArn`.
    ScheduleTaskDefinition,
    /// An ECS CreateService or UpdateService's `loadBalancers[index].targetGroupArn`.
    ServiceTargetGroup {
        /// The index in `loadBalancers`.
        index: usize,
    },
    /// A CreateRule or ModifyRule's `Actions[action].TargetGroupArn`, or with `tuple`
    /// `Actions[action].ForwardConfig.TargetGroups[tuple].TargetGroupArn`.
    RuleTargetGroup {
        /// The index in `Actions`.
        action: usize,
        /// The index in `ForwardConfig.TargetGroups`, when the group is written there.
        tuple: Option<usize>,
    },
}

/// A value a change creates for the changes after it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
#[non_exhaustive]
pub enum Created {
    /// The id of the stack's Cloud Map namespace of this name.
    NamespaceId {
        /// The namespace's name.
        namespace: String,
    },
    /// The ARN of the stack's discovery service of this name in the namespace of this name.
    DiscoveryServiceArn {
        /// The namespace's name.
        namespace: String,
        /// The discovery service's name.
        service: String,
    },
    /// The ARN of the stack's cluster of this name, once created.
    ClusterArn {
        /// The cluster's name.
        cluster: String,
    },
    /// The ARN of the revision of this family that the apply registers.
    TaskDefinitionArn {
        /// The family.
        family: String,
    },
    /// The ARN of the stack's ELBv2 target group of this name, once created.
    TargetGroupArn {
        /// The target group's name.
        name: String,
    },
}

impl Link {
    /// A link filling `slot` with `value`.
    pub fn new(slot: Slot, value: Created) -> Self {
        Self { slot, value }
    }
}

/// A step's request that could not be read as its operation's request type.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{operation} is not a step a plan makes, or its input does not load: {problems}")]
#[non_exhaustive]
pub struct InvalidStep {
    /// The operation.
    pub operation: Operation,
    /// What the loader said.
    pub problems: String,
}

impl Step {
    /// The operation.
    pub fn operation(&self) -> Operation {
        match self {
            Self::CreateCapacityProvider(_) => Operation::CreateCapacityProvider,
            Self::UpdateCapacityProvider(_) => Operation::UpdateCapacityProvider,
            Self::DeleteCapacityProvider(_) => Operation::DeleteCapacityProvider,
            Self::CreateCluster(_) => Operation::CreateCluster,
            Self::UpdateCluster(_) => Operation::UpdateCluster,
            Self::PutClusterCapacityProviders(_) => Operation::PutClusterCapacityProviders,
            Self::DeleteCluster(_) => Operation::DeleteCluster,
            Self::RegisterTaskDefinition(_) => Operation::RegisterTaskDefinition,
            Self::DeregisterTaskDefinition(_) => Operation::DeregisterTaskDefinition,
            Self::CreateService(_) => Operation::CreateService,
            Self::UpdateService(_) => Operation::UpdateService,
            Self::DeleteService(_) => Operation::DeleteService,
            Self::TagResource(_) => Operation::TagResource,
            Self::UntagResource(_) => Operation::UntagResource,
            Self::CreatePrivateDnsNamespace(_) => Operation::CreatePrivateDnsNamespace,
            Self::CreateHttpNamespace(_) => Operation::CreateHttpNamespace,
            Self::UpdatePrivateDnsNamespace(_) => Operation::UpdatePrivateDnsNamespace,
            Self::UpdateHttpNamespace(_) => Operation::UpdateHttpNamespace,
            Self::DeleteNamespace(_) => Operation::DeleteNamespace,
            Self::CreateDiscoveryService(_) => Operation::CreateDiscoveryService,
            Self::UpdateDiscoveryService(_) => Operation::UpdateDiscoveryService,
            Self::DeleteDiscoveryService(_) => Operation::DeleteDiscoveryService,
            Self::TagCloudMapResource(_) => Operation::TagCloudMapResource,
            Self::UntagCloudMapResource(_) => Operation::UntagCloudMapResource,
            Self::CreateTargetGroup(_) => Operation::CreateTargetGroup,
            Self::ModifyTargetGroup(_) => Operation::ModifyTargetGroup,
            Self::DeleteTargetGroup(_) => Operation::DeleteTargetGroup,
            Self::AddTags(_) => Operation::AddTags,
            Self::RemoveTags(_) => Operation::RemoveTags,
            Self::CreateRule(_) => Operation::CreateRule,
            Self::ModifyRule(_) => Operation::ModifyRule,
            Self::SetRulePriorities(_) => Operation::SetRulePriorities,
            Self::DeleteRule(_) => Operation::DeleteRule,
            Self::CreateScheduleGroup(_) => Operation::CreateScheduleGroup,
            Self::DeleteScheduleGroup(_) => Operation::DeleteScheduleGroup,
            Self::CreateSchedule(_) => Operation::CreateSchedule,
            Self::UpdateSchedule(_) => Operation::UpdateSchedule,
            Self::DeleteSchedule(_) => Operation::DeleteSchedule,
            Self::RegisterScalableTarget(_) | Self::SuspendScaling { .. } => {
                Operation::RegisterScalableTarget
            }
            Self::PutScalingPolicy(_) => Operation::PutScalingPolicy,
            Self::PutScheduledAction(_) => Operation::PutScheduledAction,
            Self::DeleteScalingPolicy(_) => Operation::DeleteScalingPolicy,
            Self::DeleteScheduledAction(_) => Operation::DeleteScheduledAction,
            Self::DeregisterScalableTarget(_) => Operation::DeregisterScalableTarget,
            Self::Linked(step, _) => step.operation(),
        }
    }

    /// The request as AWS JSON: the body of the call.
    pub fn input(&self) -> Value {
        let json = match self {
            Self::CreateCapacityProvider(r) => serde_json::to_value(r),
            Self::UpdateCapacityProvider(r) => serde_json::to_value(r),
            Self::DeleteCapacityProvider(r) => serde_json::to_value(r),
            Self::CreateCluster(r) => serde_json::to_value(r),
            Self::UpdateCluster(r) => serde_json::to_value(r),
            Self::PutClusterCapacityProviders(r) => serde_json::to_value(r),
            Self::DeleteCluster(r) => serde_json::to_value(r),
            Self::RegisterTaskDefinition(r) => serde_json::to_value(r),
            Self::DeregisterTaskDefinition(r) => serde_json::to_value(r),
            Self::CreateService(r) => serde_json::to_value(r),
            Self::UpdateService(r) => serde_json::to_value(r),
            Self::DeleteService(r) => serde_json::to_value(r),
            Self::TagResource(r) => serde_json::to_value(r),
            Self::UntagResource(r) => serde_json::to_value(r),
            Self::CreatePrivateDnsNamespace(r) => serde_json::to_value(r),
            Self::CreateHttpNamespace(r) => serde_json::to_value(r),
            Self::UpdatePrivateDnsNamespace(r) => serde_json::to_value(r),
            Self::UpdateHttpNamespace(r) => serde_json::to_value(r),
            Self::DeleteNamespace(r) => serde_json::to_value(r),
            Self::CreateDiscoveryService(r) => serde_json::to_value(r),
            Self::UpdateDiscoveryService(r) => serde_json::to_value(r),
            Self::DeleteDiscoveryService(r) => serde_json::to_value(r),
            Self::TagCloudMapResource(r) => serde_json::to_value(r),
            Self::UntagCloudMapResource(r) => serde_json::to_value(r),
            Self::CreateTargetGroup(r) => serde_json::to_value(r),
            Self::ModifyTargetGroup(r) => serde_json::to_value(r),
            Self::DeleteTargetGroup(r) => serde_json::to_value(r),
            Self::AddTags(r) => serde_json::to_value(r),
            Self::RemoveTags(r) => serde_json::to_value(r),
            Self::CreateRule(r) => serde_json::to_value(r),
            Self::ModifyRule(r) => serde_json::to_value(r),
            Self::SetRulePriorities(r) => serde_json::to_value(r),
            Self::DeleteRule(r) => serde_json::to_value(r),
            Self::CreateScheduleGroup(r) => serde_json::to_value(r),
            Self::DeleteScheduleGroup(r) => serde_json::to_value(r),
            Self::CreateSchedule(r) => serde_json::to_value(r),
            Self::UpdateSchedule(r) => serde_json::to_value(r),
            Self::DeleteSchedule(r) => serde_json::to_value(r),
            Self::RegisterScalableTarget(r) => serde_json::to_value(r),
            Self::SuspendScaling { suspend, .. } => serde_json::to_value(suspend),
            Self::PutScalingPolicy(r) => serde_json::to_value(r),
            Self::PutScheduledAction(r) => serde_json::to_value(r),
            Self::DeleteScalingPolicy(r) => serde_json::to_value(r),
            Self::DeleteScheduledAction(r) => serde_json::to_value(r),
            Self::DeregisterScalableTarget(r) => serde_json::to_value(r),
            Self::Linked(step, links) => {
                let mut input = step.input();
                for link in links {
                    link.slot.put(&mut input, KNOWN_AFTER_APPLY);
                }
                Ok(input)
            }
        };
        json.unwrap_or(Value::Null)
    }

    /// The step with its links filled from `created` (the values earlier changes of this apply
    /// created); `None` names the first value missing.
    pub fn resolved(
        &self,
        created: &std::collections::BTreeMap<Created, String>,
    ) -> Result<Step, Created> {
        let Self::Linked(step, links) = self else {
            return Ok(self.clone());
        };
        let mut input = step.input();
        for link in links {
            let value = created.get(&link.value).ok_or_else(|| link.value.clone())?;
            link.slot.put(&mut input, value);
        }
        // The request type is the same, with strings in string members: it loads.
        Ok(Self::from_json(step.operation(), &input).unwrap_or_else(|_| (**step).clone()))
    }

    /// The step of `operation` with `input` (AWS JSON), read with `ecs-model`'s lossless loader
    /// into the operation's request type: members unknown to the model are kept and sent.
    pub fn from_json(operation: Operation, input: &Value) -> Result<Self, InvalidStep> {
        fn load<T: ecs_model::FromJson>(
            operation: Operation,
            input: &Value,
        ) -> Result<T, InvalidStep> {
            let loaded = from_value::<T>(input);
            let errors: Vec<String> = loaded
                .diagnostics
                .iter()
                .filter(|d| d.is_error())
                .map(ToString::to_string)
                .collect();
            match loaded.value {
                Some(value) if errors.is_empty() => Ok(value),
                _ => Err(InvalidStep {
                    operation,
                    problems: errors.join("; "),
                }),
            }
        }
        Ok(match operation {
            Operation::CreateCapacityProvider => {
                Self::CreateCapacityProvider(load(operation, input)?)
            }
            Operation::UpdateCapacityProvider => {
                Self::UpdateCapacityProvider(load(operation, input)?)
            }
            Operation::DeleteCapacityProvider => {
                Self::DeleteCapacityProvider(load(operation, input)?)
            }
            Operation::CreateCluster => Self::CreateCluster(load(operation, input)?),
            Operation::UpdateCluster => Self::UpdateCluster(load(operation, input)?),
            Operation::PutClusterCapacityProviders => {
                Self::PutClusterCapacityProviders(load(operation, input)?)
            }
            Operation::DeleteCluster => Self::DeleteCluster(load(operation, input)?),
            Operation::RegisterTaskDefinition => {
                Self::RegisterTaskDefinition(load(operation, input)?)
            }
            Operation::DeregisterTaskDefinition => {
                Self::DeregisterTaskDefinition(load(operation, input)?)
            }
            Operation::CreateService => Self::CreateService(load(operation, input)?),
            Operation::UpdateService => Self::UpdateService(load(operation, input)?),
            Operation::DeleteService => Self::DeleteService(load(operation, input)?),
            Operation::TagResource => Self::TagResource(load(operation, input)?),
            Operation::UntagResource => Self::UntagResource(load(operation, input)?),
            Operation::CreatePrivateDnsNamespace => {
                Self::CreatePrivateDnsNamespace(load(operation, input)?)
            }
            Operation::CreateHttpNamespace => Self::CreateHttpNamespace(load(operation, input)?),
            Operation::UpdatePrivateDnsNamespace => {
                Self::UpdatePrivateDnsNamespace(load(operation, input)?)
            }
            Operation::UpdateHttpNamespace => Self::UpdateHttpNamespace(load(operation, input)?),
            Operation::DeleteNamespace => Self::DeleteNamespace(load(operation, input)?),
            Operation::CreateDiscoveryService => {
                Self::CreateDiscoveryService(load(operation, input)?)
            }
            Operation::UpdateDiscoveryService => {
                Self::UpdateDiscoveryService(load(operation, input)?)
            }
            Operation::DeleteDiscoveryService => {
                Self::DeleteDiscoveryService(load(operation, input)?)
            }
            Operation::TagCloudMapResource => Self::TagCloudMapResource(load(operation, input)?),
            Operation::UntagCloudMapResource => {
                Self::UntagCloudMapResource(load(operation, input)?)
            }
            Operation::CreateTargetGroup => Self::CreateTargetGroup(load(operation, input)?),
            Operation::ModifyTargetGroup => Self::ModifyTargetGroup(load(operation, input)?),
            Operation::DeleteTargetGroup => Self::DeleteTargetGroup(load(operation, input)?),
            Operation::AddTags => Self::AddTags(load(operation, input)?),
            Operation::RemoveTags => Self::RemoveTags(load(operation, input)?),
            Operation::CreateRule => Self::CreateRule(load(operation, input)?),
            Operation::ModifyRule => Self::ModifyRule(load(operation, input)?),
            Operation::SetRulePriorities => Self::SetRulePriorities(load(operation, input)?),
            Operation::DeleteRule => Self::DeleteRule(load(operation, input)?),
            Operation::CreateScheduleGroup => Self::CreateScheduleGroup(load(operation, input)?),
            Operation::DeleteScheduleGroup => Self::DeleteScheduleGroup(load(operation, input)?),
            Operation::CreateSchedule => Self::CreateSchedule(load(operation, input)?),
            Operation::UpdateSchedule => Self::UpdateSchedule(load(operation, input)?),
            Operation::DeleteSchedule => Self::DeleteSchedule(load(operation, input)?),
            Operation::RegisterScalableTarget => {
                Self::RegisterScalableTarget(load(operation, input)?)
            }
            Operation::PutScalingPolicy => Self::PutScalingPolicy(load(operation, input)?),
            Operation::PutScheduledAction => Self::PutScheduledAction(load(operation, input)?),
            Operation::DeleteScalingPolicy => Self::DeleteScalingPolicy(load(operation, input)?),
            Operation::DeleteScheduledAction => {
                Self::DeleteScheduledAction(load(operation, input)?)
            }
            Operation::DeregisterScalableTarget => {
                Self::DeregisterScalableTarget(load(operation, input)?)
            }
            _ => {
                return Err(InvalidStep {
                    operation,
                    problems: "not a call that changes anything".to_owned(),
                });
            }
        })
    }

    /// The task definition a CreateService or UpdateService step runs.
    pub fn task_definition(&self) -> Option<&str> {
        match self {
            Self::CreateService(r) => r.task_definition.as_deref(),
            Self::UpdateService(r) => r.task_definition.as_deref(),
            Self::Linked(step, _) => step.task_definition(),
            _ => None,
        }
    }

    /// Sets the task definition a CreateService or UpdateService step runs.
    pub(crate) fn set_task_definition(&mut self, task_definition: String) {
        match self {
            Self::CreateService(r) => r.task_definition = Some(task_definition),
            Self::UpdateService(r) => r.task_definition = Some(task_definition),
            Self::Linked(step, _) => step.set_task_definition(task_definition),
            _ => {}
        }
    }

    /// DeleteService of `service` in `cluster`, with `force` (a service whose tasks still run
    /// is deleted too: they are stopped).
    pub fn delete_service(cluster: &str, service: &str) -> Self {
        let mut request = DeleteServiceRequest::default();
        request.cluster = Some(cluster.to_owned());
        request.service = Some(service.to_owned());
        request.force = Some(true);
        Self::DeleteService(request)
    }

    /// DeleteCluster of `cluster`.
    pub fn delete_cluster(cluster: &str) -> Self {
        let mut request = DeleteClusterRequest::default();
        request.cluster = Some(cluster.to_owned());
        Self::DeleteCluster(request)
    }

    /// DeleteCapacityProvider of `name`.
    pub fn delete_capacity_provider(name: &str) -> Self {
        let mut request = DeleteCapacityProviderRequest::default();
        request.capacity_provider = Some(name.to_owned());
        Self::DeleteCapacityProvider(request)
    }

    /// DeregisterTaskDefinition of the revision `arn` (or `family:revision`).
    pub fn deregister_task_definition(arn: &str) -> Self {
        let mut request = DeregisterTaskDefinitionRequest::default();
        request.task_definition = Some(arn.to_owned());
        Self::DeregisterTaskDefinition(request)
    }

    /// UpdateService putting `service` of `cluster` on `task_definition`.
    pub fn run_revision(cluster: &str, service: &str, task_definition: &str) -> Self {
        let mut request = UpdateServiceRequest::default();
        request.cluster = Some(cluster.to_owned());
        request.service = Some(service.to_owned());
        request.task_definition = Some(task_definition.to_owned());
        Self::UpdateService(request)
    }

    /// TagResource setting `tags` on the resource `arn`.
    pub fn tag(arn: &str, tags: Vec<Tag>) -> Self {
        let mut request = TagResourceRequest::default();
        request.resource_arn = Some(arn.to_owned());
        request.tags = Some(tags);
        Self::TagResource(request)
    }

    /// UntagResource removing the tags `keys` from the resource `arn`.
    pub fn untag(arn: &str, keys: Vec<String>) -> Self {
        let mut request = UntagResourceRequest::default();
        request.resource_arn = Some(arn.to_owned());
        request.tag_keys = Some(keys);
        Self::UntagResource(request)
    }
}

impl Slot {
    /// Writes `value` at the slot of `input` (a request as AWS JSON).
    fn put(&self, input: &mut Value, value: &str) {
        match self {
            Self::NamespaceId => {
                input["NamespaceId"] = Value::from(value);
                if let Some(dns) = input.get_mut("DnsConfig").and_then(Value::as_object_mut)
                    && dns.contains_key("NamespaceId")
                {
                    dns.insert("NamespaceId".to_owned(), Value::from(value));
                }
            }
            Self::RegistryArn { index } => {
                if let Some(entry) = input
                    .get_mut("serviceRegistries")
                    .and_then(|r| r.get_mut(*index))
                    .and_then(Value::as_object_mut)
                {
                    entry.insert("registryArn".to_owned(), Value::from(value));
                }
            }
            Self::ScheduleCluster => {
                if let Some(target) = input.get_mut("Target").and_then(Value::as_object_mut) {
                    target.insert("Arn".to_owned(), Value::from(value));
                }
            }
            Self::ServiceTargetGroup { index } => {
                if let Some(entry) = input
                    .get_mut("loadBalancers")
                    .and_then(|r| r.get_mut(*index))
                    .and_then(Value::as_object_mut)
                {
                    entry.insert("targetGroupArn".to_owned(), Value::from(value));
                }
            }
            Self::RuleTargetGroup { action, tuple } => {
                let action = input.get_mut("Actions").and_then(|a| a.get_mut(*action));
                let slot = match tuple {
                    None => action,
                    Some(tuple) => action
                        .and_then(|a| a.get_mut("ForwardConfig"))
                        .and_then(|f| f.get_mut("TargetGroups"))
                        .and_then(|g| g.get_mut(*tuple)),
                };
                if let Some(slot) = slot.and_then(Value::as_object_mut) {
                    slot.insert("TargetGroupArn".to_owned(), Value::from(value));
                }
            }
            Self::ScheduleTaskDefinition => {
                if let Some(ecs) = input
                    .get_mut("Target")
                    .and_then(|t| t.get_mut("EcsParameters"))
                    .and_then(Value::as_object_mut)
                {
                    ecs.insert("TaskDefinitionArn".to_owned(), Value::from(value));
                }
            }
        }
    }
}

impl Serialize for Step {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct as _;
        let mut out = serializer.serialize_struct("Step", 2)?;
        out.serialize_field("operation", self.operation().name())?;
        out.serialize_field("input", &self.shown_input())?;
        out.end()
    }
}

impl std::fmt::Debug for Step {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple(self.operation().name())
            .field(&self.shown_input())
            .finish()
    }
}

impl Step {
    /// The input as it is shown: [`Step::input`] with every secret value redacted.
    fn shown_input(&self) -> Value {
        let mut input = self.input();
        crate::redact::scrub(&mut input);
        input
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn a_step_serializes_as_its_operation_and_aws_json() {
        let step = Step::delete_service("shop", "web");
        assert_eq!(
            serde_json::to_value(&step).expect("json"),
            json!({"operation": "DeleteService",
                   "input": {"cluster": "shop", "service": "web", "force": true}})
        );
    }

    #[test]
    fn debug_and_json_show_no_secret_while_the_input_keeps_it() {
        let input = json!({"family": "web", "containerDefinitions": [{
            "name": "web", "image": "nginx", "memory": 64,
            "environment": [{"name": "DB_PASSWORD", "value": "hunter2"},
                            {"name": "MODE", "value": "production"}]
        }]});
        let step = Step::from_json(Operation::RegisterTaskDefinition, &input).expect("loads");
        let debug = format!("{step:?}");
        let json = serde_json::to_string(&step).expect("json");
        for shown in [&debug, &json] {
            assert!(!shown.contains("hunter2"), "{shown}");
            assert!(shown.contains(crate::redact::SENSITIVE), "{shown}");
            assert!(shown.contains("production"), "{shown}");
        }
        assert!(debug.starts_with("RegisterTaskDefinition("), "{debug}");
        assert!(step.input().to_string().contains("hunter2"));
    }

    #[test]
    fn untag_removes_keys() {
        let step = Step::untag("arn:aws:ecs:us-east-1:1:cluster/shop", vec!["team".into()]);
        assert_eq!(step.operation(), Operation::UntagResource);
        assert_eq!(
            step.input(),
            json!({"resourceArn": "arn:aws:ecs:us-east-1:1:cluster/shop", "tagKeys": ["team"]})
        );
        assert_eq!(
            Step::from_json(Operation::UntagResource, &step.input()).expect("loads"),
            step
        );
    }

    #[test]
    fn json_loads_into_the_request_type_and_keeps_unknown_members() {
        let input = json!({"cluster": "shop", "service": "web", "futureMember": 1});
        let step = Step::from_json(Operation::UpdateService, &input).expect("loads");
        assert!(matches!(step, Step::UpdateService(_)));
        assert_eq!(step.input(), input);
        let wrong = Step::from_json(Operation::UpdateService, &json!({"cluster": 3}));
        assert!(wrong.is_err());
        assert!(Step::from_json(Operation::ListClusters, &json!({})).is_err());
    }
}
