//! Calls to AWS through the AWS SDK for Rust, with request and response bodies in the AWS JSON
//! that `ecs-model` reads and writes: Amazon ECS ([`Ecs`], `aws-sdk-ecs`) and, with the
//! `cloud-map` feature, AWS Cloud Map ([`CloudMap`](cloud_map::CloudMap),
//! `aws-sdk-servicediscovery`).
//!
//! # One pattern per API
//!
//! Every client here has the same shape, and a new API (Application Auto Scaling, EventBridge
//! Scheduler, ELBv2...) is added the same way:
//!
//! 1. a cargo feature making its SDK crate optional, and a module `aws/<api>.rs` behind it;
//! 2. its variant of [`Api`], and one [`Operation`] variant per call, named so it is
//!    unambiguous in Rust (`CreateDiscoveryService`) while [`Operation::name`] is the AWS name
//!    (`CreateService`) and [`Operation::api`] says which API;
//! 3. an implementation of [`RawSend`] for its SDK client (a `match` from [`Operation`] to the
//!    SDK method, each sent with the [`RawJson`] interceptor and its errors mapped by
//!    `classify`), and an alias of [`Client`] over it (`pub type CloudMap =
//!    Client<aws_sdk_servicediscovery::Client>`): [`Client`] brings `new`, `call` (with the
//!    shared retry loop `with_retries`), `calls` (counted per operation) and `retries`;
//! 4. the API's error codes in [`AwsError`]'s `is_` methods and its idempotent calls in
//!    [`safe_to_repeat`]: the one place that reads AWS error codes.
//!
//! This only works for APIs that speak `awsJson1_0`/`awsJson1_1` (the body *is* the input as
//! JSON); check the protocol the SDK crate's version uses (`config.rs`, the
//! `SharedClientProtocol` it stores) before adding one: a CBOR or query-protocol API needs typed
//! conversion instead.
//!
//! # Why the bodies are JSON
//!
//! ECS speaks `awsJson1_1`: the body of a RegisterTaskDefinition request *is* the
//! RegisterTaskDefinition input as JSON, exactly what `ecs-model` serializes, member for member.
//! Converting our model into the SDK's builders and back would be a second copy of the AWS model
//! that loses whatever one side knows and the other does not (a member newer than the SDK, or
//! newer than our model) and so makes perpetual diffs. Instead each call goes through the SDK's
//! own operation (credentials, SigV4 signing, endpoint resolution including `AWS_ENDPOINT_URL`,
//! retries with backoff, timeouts, typed error codes) with an interceptor that:
//!
//! - puts our JSON in the request body before it is signed, and
//! - keeps the raw response body, which our lenient loader reads losslessly.
//!
//! The SDK's typed input is left empty and its typed output is not used. Both only ever see
//! documents of the shape the AWS model defines, so the wire traffic is what the SDK would send.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use aws_sdk_ecs::error::{ProvideErrorMetadata, SdkError};
use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::interceptors::context::{
    AfterDeserializationInterceptorContextRef, BeforeTransmitInterceptorContextMut,
};
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::body::SdkBody;
use aws_smithy_types::config_bag::ConfigBag;
use aws_types::request_id::RequestId as _;
use serde_json::Value;

#[cfg(feature = "autoscaling")]
pub mod autoscaling;
#[cfg(feature = "cloud-map")]
pub mod cloud_map;
#[cfg(feature = "ecr")]
pub mod ecr;
#[cfg(feature = "iam")]
pub mod iam;
#[cfg(feature = "load-balancing")]
pub mod load_balancing;
#[cfg(feature = "logs")]
pub mod logs;
pub mod readers;
#[cfg(feature = "scheduler")]
pub mod scheduler;
#[cfg(feature = "secrets-manager")]
pub mod secrets_manager;
#[cfg(feature = "ssm")]
pub mod ssm;

/// The AWS API an [`Operation`] belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum Api {
    /// Amazon ECS.
    Ecs,
    /// AWS Cloud Map (`servicediscovery`).
    CloudMap,
    /// Amazon EventBridge Scheduler (`scheduler`).
    Scheduler,
    /// Application Auto Scaling (`application-autoscaling`).
    AutoScaling,
    /// Elastic Load Balancing v2 (`elasticloadbalancingv2`): target groups.
    LoadBalancing,
    /// Amazon ECR (`ecr`): images, for `verify`.
    Ecr,
    /// AWS IAM (`iam`): roles, for `verify`.
    Iam,
    /// AWS Secrets Manager (`secretsmanager`): secrets' metadata, for `verify`.
    SecretsManager,
    /// AWS Systems Manager Parameter Store (`ssm`): parameters' metadata, for `verify`.
    Ssm,
    /// Amazon CloudWatch Logs (`logs`): log groups and log events.
    Logs,
}

impl Api {
    /// The API's name as people write it.
    pub fn name(self) -> &'static str {
        match self {
            Self::Ecs => "ECS",
            Self::CloudMap => "Cloud Map",
            Self::Scheduler => "EventBridge Scheduler",
            Self::AutoScaling => "Application Auto Scaling",
            Self::LoadBalancing => "Elastic Load Balancing",
            Self::Ecr => "ECR",
            Self::Iam => "IAM",
            Self::SecretsManager => "Secrets Manager",
            Self::Ssm => "SSM",
            Self::Logs => "CloudWatch Logs",
        }
    }
}

/// An AWS API operation this crate calls: see [`Operation::api`] for the API it belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum Operation {
    /// CreateCluster.
    CreateCluster,
    /// DescribeClusters.
    DescribeClusters,
    /// UpdateCluster.
    UpdateCluster,
    /// PutClusterCapacityProviders.
    PutClusterCapacityProviders,
    /// DeleteCluster.
    DeleteCluster,
    /// ListClusters.
    ListClusters,
    /// CreateCapacityProvider.
    CreateCapacityProvider,
    /// DescribeCapacityProviders.
    DescribeCapacityProviders,
    /// UpdateCapacityProvider.
    UpdateCapacityProvider,
    /// DeleteCapacityProvider.
    DeleteCapacityProvider,
    /// RegisterTaskDefinition.
    RegisterTaskDefinition,
    /// DescribeTaskDefinition.
    DescribeTaskDefinition,
    /// ListTaskDefinitions.
    ListTaskDefinitions,
    /// ListTaskDefinitionFamilies.
    ListTaskDefinitionFamilies,
    /// DeregisterTaskDefinition.
    DeregisterTaskDefinition,
    /// CreateService.
    CreateService,
    /// DescribeServices.
    DescribeServices,
    /// UpdateService.
    UpdateService,
    /// DeleteService.
    DeleteService,
    /// ListServices.
    ListServices,
    /// TagResource.
    TagResource,
    /// UntagResource.
    UntagResource,
    /// RunTask.
    RunTask,
    /// DescribeTasks.
    DescribeTasks,
    /// ListTasks: a service's stopped tasks, for the report of a failed deployment
    /// (<https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ListTasks.html>).
    ListTasks,
    /// DescribeServiceDeployments: a service deployment's lifecycle stage and status, which
    /// DescribeServices does not show
    /// (<https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_DescribeServiceDeployments.html>).
    DescribeServiceDeployments,
    /// Cloud Map CreatePrivateDnsNamespace: asynchronous, answers an `OperationId`
    /// (<https://docs.aws.amazon.com/cloud-map/latest/api/API_CreatePrivateDnsNamespace.html>).
    CreatePrivateDnsNamespace,
    /// Cloud Map CreateHttpNamespace: asynchronous, answers an `OperationId`
    /// (<https://docs.aws.amazon.com/cloud-map/latest/api/API_CreateHttpNamespace.html>).
    CreateHttpNamespace,
    /// Cloud Map GetNamespace.
    GetNamespace,
    /// Cloud Map ListNamespaces.
    ListNamespaces,
    /// Cloud Map UpdatePrivateDnsNamespace: asynchronous, answers an `OperationId`.
    UpdatePrivateDnsNamespace,
    /// Cloud Map UpdateHttpNamespace: asynchronous, answers an `OperationId`.
    UpdateHttpNamespace,
    /// Cloud Map DeleteNamespace: asynchronous, refused while the namespace holds services.
    DeleteNamespace,
    /// Cloud Map GetOperation: the state of an asynchronous operation.
    GetOperation,
    /// Cloud Map CreateService (a discovery service).
    CreateDiscoveryService,
    /// Cloud Map GetService.
    GetDiscoveryService,
    /// Cloud Map ListServices.
    ListDiscoveryServices,
    /// Cloud Map UpdateService: asynchronous, answers an `OperationId`.
    UpdateDiscoveryService,
    /// Cloud Map DeleteService: refused while instances are registered.
    DeleteDiscoveryService,
    /// Cloud Map TagResource.
    TagCloudMapResource,
    /// Cloud Map UntagResource.
    UntagCloudMapResource,
    /// Cloud Map ListTagsForResource.
    ListCloudMapTags,
    /// ELBv2 CreateTargetGroup
    /// (<https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_CreateTargetGroup.html>).
    CreateTargetGroup,
    /// ELBv2 DescribeTargetGroups: by names, ARNs or load balancer; one missing name fails the
    /// whole call with `TargetGroupNotFound`.
    DescribeTargetGroups,
    /// ELBv2 ModifyTargetGroup: the health check settings only.
    ModifyTargetGroup,
    /// ELBv2 DeleteTargetGroup: refused (`ResourceInUse`) while a listener or rule uses it.
    DeleteTargetGroup,
    /// ELBv2 AddTags.
    AddTags,
    /// ELBv2 RemoveTags.
    RemoveTags,
    /// ELBv2 DescribeTags: up to 20 resources per call.
    DescribeTags,
    /// ELBv2 CreateRule: a listener rule
    /// (<https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_CreateRule.html>);
    /// `PriorityInUse` when the listener has a rule of that priority.
    CreateRule,
    /// ELBv2 ModifyRule: a rule's conditions and actions, each list replaced whole.
    ModifyRule,
    /// ELBv2 SetRulePriorities: the priorities of rules.
    SetRulePriorities,
    /// ELBv2 DescribeRules: the rules of one listener (or by ARN), paged with `Marker`.
    DescribeRules,
    /// ELBv2 DeleteRule: `RuleNotFound` for a rule that does not exist.
    DeleteRule,
    /// ELBv2 DescribeLoadBalancers: by names or ARNs; one missing name fails the whole call
    /// with `LoadBalancerNotFound`.
    DescribeLoadBalancers,
    /// ELBv2 DescribeListeners: the listeners of one load balancer (or by ARN).
    DescribeListeners,
    /// EventBridge Scheduler CreateScheduleGroup
    /// (<https://docs.aws.amazon.com/scheduler/latest/APIReference/API_CreateScheduleGroup.html>).
    CreateScheduleGroup,
    /// EventBridge Scheduler GetScheduleGroup.
    GetScheduleGroup,
    /// EventBridge Scheduler DeleteScheduleGroup: deletes the group's schedules with it,
    /// asynchronously (the group is `DELETING` meanwhile).
    DeleteScheduleGroup,
    /// EventBridge Scheduler ListSchedules: summaries, by group.
    ListSchedules,
    /// EventBridge Scheduler GetSchedule.
    GetSchedule,
    /// EventBridge Scheduler CreateSchedule.
    CreateSchedule,
    /// EventBridge Scheduler UpdateSchedule: a full replacement of the schedule
    /// (<https://docs.aws.amazon.com/scheduler/latest/APIReference/API_UpdateSchedule.html>).
    UpdateSchedule,
    /// EventBridge Scheduler DeleteSchedule.
    DeleteSchedule,
    /// EventBridge Scheduler TagResource (schedule groups only).
    TagSchedulerResource,
    /// EventBridge Scheduler ListTagsForResource (schedule groups only).
    ListSchedulerTags,
    /// Application Auto Scaling RegisterScalableTarget: registers or updates (an upsert)
    /// (<https://docs.aws.amazon.com/autoscaling/application/APIReference/API_RegisterScalableTarget.html>).
    RegisterScalableTarget,
    /// Application Auto Scaling DescribeScalableTargets.
    DescribeScalableTargets,
    /// Application Auto Scaling DeregisterScalableTarget: deletes the target with its scaling
    /// policies and scheduled actions.
    DeregisterScalableTarget,
    /// Application Auto Scaling PutScalingPolicy: creates or updates a policy by name.
    PutScalingPolicy,
    /// Application Auto Scaling DescribeScalingPolicies.
    DescribeScalingPolicies,
    /// Application Auto Scaling DeleteScalingPolicy.
    DeleteScalingPolicy,
    /// Application Auto Scaling PutScheduledAction: creates or updates an action by name.
    PutScheduledAction,
    /// Application Auto Scaling DescribeScheduledActions.
    DescribeScheduledActions,
    /// Application Auto Scaling DeleteScheduledAction.
    DeleteScheduledAction,
    /// ECR DescribeImages: images of one repository by tag or digest; `ImageNotFoundException`
    /// when one named is not there, `RepositoryNotFoundException` without the repository
    /// (<https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_DescribeImages.html>).
    DescribeImages,
    /// IAM GetRole: a role by name, with its URL-encoded trust policy; `NoSuchEntity` when there
    /// is none (<https://docs.aws.amazon.com/IAM/latest/APIReference/API_GetRole.html>).
    GetRole,
    /// Secrets Manager DescribeSecret: a secret's metadata, never its value;
    /// `ResourceNotFoundException` when there is none
    /// (<https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_DescribeSecret.html>).
    DescribeSecret,
    /// SSM DescribeParameters: parameters' metadata by filter, never their values
    /// (<https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_DescribeParameters.html>).
    DescribeParameters,
    /// CloudWatch Logs DescribeLogGroups: log groups by name prefix or pattern
    /// (<https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_DescribeLogGroups.html>).
    DescribeLogGroups,
    /// CloudWatch Logs GetLogEvents: the events of one log stream, newest last
    /// (<https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_GetLogEvents.html>).
    GetLogEvents,
}

impl Operation {
    /// The API the operation belongs to.
    pub fn api(self) -> Api {
        match self {
            Self::CreatePrivateDnsNamespace
            | Self::CreateHttpNamespace
            | Self::GetNamespace
            | Self::ListNamespaces
            | Self::UpdatePrivateDnsNamespace
            | Self::UpdateHttpNamespace
            | Self::DeleteNamespace
            | Self::GetOperation
            | Self::CreateDiscoveryService
            | Self::GetDiscoveryService
            | Self::ListDiscoveryServices
            | Self::UpdateDiscoveryService
            | Self::DeleteDiscoveryService
            | Self::TagCloudMapResource
            | Self::UntagCloudMapResource
            | Self::ListCloudMapTags => Api::CloudMap,
            Self::CreateTargetGroup
            | Self::DescribeTargetGroups
            | Self::ModifyTargetGroup
            | Self::DeleteTargetGroup
            | Self::AddTags
            | Self::RemoveTags
            | Self::DescribeTags
            | Self::CreateRule
            | Self::ModifyRule
            | Self::SetRulePriorities
            | Self::DescribeRules
            | Self::DeleteRule
            | Self::DescribeLoadBalancers
            | Self::DescribeListeners => Api::LoadBalancing,
            Self::CreateScheduleGroup
            | Self::GetScheduleGroup
            | Self::DeleteScheduleGroup
            | Self::ListSchedules
            | Self::GetSchedule
            | Self::CreateSchedule
            | Self::UpdateSchedule
            | Self::DeleteSchedule
            | Self::TagSchedulerResource
            | Self::ListSchedulerTags => Api::Scheduler,
            Self::RegisterScalableTarget
            | Self::DescribeScalableTargets
            | Self::DeregisterScalableTarget
            | Self::PutScalingPolicy
            | Self::DescribeScalingPolicies
            | Self::DeleteScalingPolicy
            | Self::PutScheduledAction
            | Self::DescribeScheduledActions
            | Self::DeleteScheduledAction => Api::AutoScaling,
            Self::DescribeImages => Api::Ecr,
            Self::GetRole => Api::Iam,
            Self::DescribeSecret => Api::SecretsManager,
            Self::DescribeParameters => Api::Ssm,
            Self::DescribeLogGroups | Self::GetLogEvents => Api::Logs,
            _ => Api::Ecs,
        }
    }

    /// The operation's name in its AWS API (`CreateService` for both ECS's and Cloud Map's:
    /// [`api`](Self::api) tells them apart).
    pub fn name(self) -> &'static str {
        match self {
            Self::CreateCluster => "CreateCluster",
            Self::DescribeClusters => "DescribeClusters",
            Self::UpdateCluster => "UpdateCluster",
            Self::PutClusterCapacityProviders => "PutClusterCapacityProviders",
            Self::DeleteCluster => "DeleteCluster",
            Self::ListClusters => "ListClusters",
            Self::CreateCapacityProvider => "CreateCapacityProvider",
            Self::DescribeCapacityProviders => "DescribeCapacityProviders",
            Self::UpdateCapacityProvider => "UpdateCapacityProvider",
            Self::DeleteCapacityProvider => "DeleteCapacityProvider",
            Self::RegisterTaskDefinition => "RegisterTaskDefinition",
            Self::DescribeTaskDefinition => "DescribeTaskDefinition",
            Self::ListTaskDefinitions => "ListTaskDefinitions",
            Self::ListTaskDefinitionFamilies => "ListTaskDefinitionFamilies",
            Self::DeregisterTaskDefinition => "DeregisterTaskDefinition",
            Self::CreateService => "CreateService",
            Self::DescribeServices => "DescribeServices",
            Self::UpdateService => "UpdateService",
            Self::DeleteService => "DeleteService",
            Self::ListServices => "ListServices",
            Self::TagResource => "TagResource",
            Self::UntagResource => "UntagResource",
            Self::RunTask => "RunTask",
            Self::DescribeTasks => "DescribeTasks",
            Self::ListTasks => "ListTasks",
            Self::DescribeServiceDeployments => "DescribeServiceDeployments",
            Self::CreatePrivateDnsNamespace => "CreatePrivateDnsNamespace",
            Self::CreateHttpNamespace => "CreateHttpNamespace",
            Self::GetNamespace => "GetNamespace",
            Self::ListNamespaces => "ListNamespaces",
            Self::UpdatePrivateDnsNamespace => "UpdatePrivateDnsNamespace",
            Self::UpdateHttpNamespace => "UpdateHttpNamespace",
            Self::DeleteNamespace => "DeleteNamespace",
            Self::GetOperation => "GetOperation",
            Self::CreateDiscoveryService => "CreateService",
            Self::GetDiscoveryService => "GetService",
            Self::ListDiscoveryServices => "ListServices",
            Self::UpdateDiscoveryService => "UpdateService",
            Self::DeleteDiscoveryService => "DeleteService",
            Self::TagCloudMapResource => "TagResource",
            Self::UntagCloudMapResource => "UntagResource",
            Self::ListCloudMapTags => "ListTagsForResource",
            Self::CreateTargetGroup => "CreateTargetGroup",
            Self::DescribeTargetGroups => "DescribeTargetGroups",
            Self::ModifyTargetGroup => "ModifyTargetGroup",
            Self::DeleteTargetGroup => "DeleteTargetGroup",
            Self::AddTags => "AddTags",
            Self::RemoveTags => "RemoveTags",
            Self::DescribeTags => "DescribeTags",
            Self::CreateRule => "CreateRule",
            Self::ModifyRule => "ModifyRule",
            Self::SetRulePriorities => "SetRulePriorities",
            Self::DescribeRules => "DescribeRules",
            Self::DeleteRule => "DeleteRule",
            Self::DescribeLoadBalancers => "DescribeLoadBalancers",
            Self::DescribeListeners => "DescribeListeners",
            Self::CreateScheduleGroup => "CreateScheduleGroup",
            Self::GetScheduleGroup => "GetScheduleGroup",
            Self::DeleteScheduleGroup => "DeleteScheduleGroup",
            Self::ListSchedules => "ListSchedules",
            Self::GetSchedule => "GetSchedule",
            Self::CreateSchedule => "CreateSchedule",
            Self::UpdateSchedule => "UpdateSchedule",
            Self::DeleteSchedule => "DeleteSchedule",
            Self::TagSchedulerResource => "TagResource",
            Self::ListSchedulerTags => "ListTagsForResource",
            Self::RegisterScalableTarget => "RegisterScalableTarget",
            Self::DescribeScalableTargets => "DescribeScalableTargets",
            Self::DeregisterScalableTarget => "DeregisterScalableTarget",
            Self::PutScalingPolicy => "PutScalingPolicy",
            Self::DescribeScalingPolicies => "DescribeScalingPolicies",
            Self::DeleteScalingPolicy => "DeleteScalingPolicy",
            Self::PutScheduledAction => "PutScheduledAction",
            Self::DescribeScheduledActions => "DescribeScheduledActions",
            Self::DeleteScheduledAction => "DeleteScheduledAction",
            Self::DescribeImages => "DescribeImages",
            Self::GetRole => "GetRole",
            Self::DescribeSecret => "DescribeSecret",
            Self::DescribeParameters => "DescribeParameters",
            Self::DescribeLogGroups => "DescribeLogGroups",
            Self::GetLogEvents => "GetLogEvents",
        }
    }
}

impl std::fmt::Display for Operation {
    /// The AWS name, after the API's for an API other than ECS (`Cloud Map CreateService`), so
    /// that a message never leaves a reader guessing which CreateService failed.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.api() {
            Api::Ecs => f.write_str(self.name()),
            api => write!(f, "{} {}", api.name(), self.name()),
        }
    }
}

/// A failed call, after the retries (see [`Retries`]).
///
/// Its message names the operation and what AWS said; the source, when there is one, is the
/// SDK's error (a time-out, a connection failure, missing credentials), so a chain printer shows
/// each cause once. [`code`](Self::code), [`request_id`](Self::request_id) and the `is_`
/// methods are the one place that classifies AWS's answers: by error code and HTTP status, never
/// by message text.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AwsError {
    /// AWS answered with an error: `code` is the AWS error code (`ClusterNotFoundException`,
    /// `ThrottlingException`...).
    #[error("{operation} failed: {code}: {message}")]
    Service {
        /// The operation.
        operation: Operation,
        /// The AWS error code.
        code: String,
        /// AWS's message.
        message: String,
        /// The HTTP status of the answer.
        status: u16,
        /// The id AWS gave the request, for AWS Support.
        request_id: Option<String>,
    },
    /// The call did not get an answer: no credentials or region, a connection failure, a
    /// time-out.
    #[error("{operation} failed: no answer from AWS")]
    Transport {
        /// The operation.
        operation: Operation,
        /// Whether the call timed out (it may have taken effect).
        timed_out: bool,
        /// Whether the request may have reached AWS: false when it could not even be made (no
        /// credentials, no region, an invalid endpoint).
        sent: bool,
        /// The SDK's error.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// The request could not be written.
    #[error("{operation}: the request could not be written as JSON")]
    Request {
        /// The operation.
        operation: Operation,
        /// The serializer's error.
        #[source]
        source: serde_json::Error,
    },
    /// The operation was given to the client of another API (a Cloud Map operation to
    /// [`Ecs::call`]): a bug of the caller; nothing was sent.
    #[error("{operation} is not an operation of {}", .api.name())]
    WrongClient {
        /// The operation.
        operation: Operation,
        /// The API of the client it was given to.
        api: Api,
    },
    /// The plan calls an API the deployer has no client for (its cargo feature is off, or the
    /// deployer was made without it); nothing was sent.
    #[error("{operation}: no client for {} (its cargo feature is off, or the deployer has none)", .operation.api().name())]
    NoClient {
        /// The operation.
        operation: Operation,
    },
    /// The request holds members the SDK of its API cannot send: an API whose SDK client is
    /// typed (ELBv2, see `load_balancing`) takes only the members both our model and the SDK
    /// know; nothing was sent.
    #[error("{operation}: the request holds members this version cannot send: {}", .members.join(", "))]
    Unsendable {
        /// The operation.
        operation: Operation,
        /// The members.
        members: Vec<String>,
    },
    /// AWS answered, but with a body that is not JSON.
    #[error("{operation} returned a body that is not JSON")]
    Response {
        /// The operation.
        operation: Operation,
        /// The parser's error.
        #[source]
        source: serde_json::Error,
    },
}

/// The error codes AWS answers when a caller goes over its request rate (ECS and Cloud Map
/// use `ThrottlingException`; the others are older APIs' spellings).
const THROTTLING_CODES: &[&str] = &[
    "ThrottlingException",
    "Throttling",
    "TooManyRequestsException",
    "RequestLimitExceeded",
];

impl AwsError {
    /// The operation that failed.
    pub fn operation(&self) -> Operation {
        match self {
            Self::Service { operation, .. }
            | Self::Transport { operation, .. }
            | Self::Request { operation, .. }
            | Self::Response { operation, .. }
            | Self::WrongClient { operation, .. }
            | Self::NoClient { operation }
            | Self::Unsendable { operation, .. } => *operation,
        }
    }

    /// The AWS error code, for a service error.
    pub fn code(&self) -> Option<&str> {
        match self {
            Self::Service { code, .. } => Some(code),
            _ => None,
        }
    }

    /// The id AWS gave the request, when it answered.
    pub fn request_id(&self) -> Option<&str> {
        match self {
            Self::Service { request_id, .. } => request_id.as_deref(),
            _ => None,
        }
    }

    /// Whether AWS said the resource does not exist: a cluster or service not found, or a task
    /// definition family without an ACTIVE revision (DescribeTaskDefinition answers that with
    /// `ClientException`, the code ECS gives it).
    ///
    /// Cloud Map answers `NamespaceNotFound`, `ServiceNotFound` and `OperationNotFound`
    /// (<https://docs.aws.amazon.com/cloud-map/latest/api/CommonErrors.html> and each
    /// operation's Errors section).
    pub fn is_not_found(&self) -> bool {
        match self.code() {
            Some("ClusterNotFoundException" | "ServiceNotFoundException") => true,
            Some("NamespaceNotFound" | "ServiceNotFound" | "OperationNotFound") => {
                self.operation().api() == Api::CloudMap
            }
            // EventBridge Scheduler: a schedule or schedule group that does not exist
            // (<https://docs.aws.amazon.com/scheduler/latest/APIReference/API_GetSchedule.html>,
            // Errors).
            // Secrets Manager (API_DescribeSecret) and CloudWatch Logs (API_GetLogEvents: no
            // such group or stream) say the same.
            Some("ResourceNotFoundException") => matches!(
                self.operation().api(),
                Api::Scheduler | Api::SecretsManager | Api::Logs
            ),
            // Application Auto Scaling: a scalable target, policy or scheduled action that does
            // not exist (`ObjectNotFoundException`, the Errors of DeregisterScalableTarget,
            // DeleteScalingPolicy and DeleteScheduledAction).
            Some("ObjectNotFoundException") => self.operation().api() == Api::AutoScaling,
            // ECR: no such repository, or no such image in it (API_DescribeImages, Errors).
            Some("RepositoryNotFoundException" | "ImageNotFoundException") => {
                self.operation().api() == Api::Ecr
            }
            // IAM: no such role (API_GetRole, Errors: NoSuchEntity, HTTP 404).
            Some("NoSuchEntity") => self.operation().api() == Api::Iam,
            Some("ClientException") => self.operation() == Operation::DescribeTaskDefinition,
            // ELBv2 (each operation's Errors section of its API reference).
            Some(
                "TargetGroupNotFound"
                | "LoadBalancerNotFound"
                | "ListenerNotFound"
                | "RuleNotFound",
            ) => self.operation().api() == Api::LoadBalancing,
            _ => false,
        }
    }

    /// Whether AWS refused the call for going over the request rate (it did not take effect).
    pub fn is_throttling(&self) -> bool {
        self.code().is_some_and(|c| THROTTLING_CODES.contains(&c))
    }

    /// Whether DeleteCluster was refused because the cluster still holds services or tasks
    /// (they are draining).
    pub fn is_cluster_busy(&self) -> bool {
        matches!(
            self.code(),
            Some("ClusterContainsServicesException" | "ClusterContainsTasksException")
        )
    }

    /// Whether Cloud Map refused a deletion because the resource is in use: DeleteNamespace of
    /// a namespace that still holds services, DeleteService of a discovery service that still
    /// has instances registered (`ResourceInUse`,
    /// <https://docs.aws.amazon.com/cloud-map/latest/api/API_DeleteNamespace.html>,
    /// <https://docs.aws.amazon.com/cloud-map/latest/api/API_DeleteService.html>).
    ///
    /// ELBv2 answers `ResourceInUse` to DeleteTargetGroup while a listener or rule forwards to
    /// the group
    /// (<https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_DeleteTargetGroup.html>).
    pub fn is_resource_in_use(&self) -> bool {
        self.code() == Some("ResourceInUse")
    }

    /// Whether Cloud Map refused a create or update because the same `CreatorRequestId` (or
    /// `UpdaterRequestId`) came with another request, or the operation is already running
    /// (`DuplicateRequest`: its message carries the id of the operation under way).
    pub fn is_duplicate_request(&self) -> bool {
        self.code() == Some("DuplicateRequest")
    }

    /// Whether Cloud Map refused a creation because a namespace or service of that name exists
    /// already (`NamespaceAlreadyExists`, `ServiceAlreadyExists`), made with another
    /// `CreatorRequestId`.
    pub fn is_already_exists(&self) -> bool {
        matches!(
            self.code(),
            Some("NamespaceAlreadyExists" | "ServiceAlreadyExists")
        ) || (self.code() == Some("DuplicateTargetGroupName")
            && self.operation().api() == Api::LoadBalancing)
    }

    /// Whether ELBv2 refused tags for going over the per-resource limit (`TooManyTags`, AddTags
    /// and CreateTargetGroup).
    pub fn is_too_many_tags(&self) -> bool {
        self.code() == Some("TooManyTags")
    }

    /// Whether EventBridge Scheduler refused the call because it conflicts with the resource's
    /// state: a schedule or schedule group of that name exists already (CreateSchedule,
    /// CreateScheduleGroup), or the group is being deleted (`ConflictException`, HTTP 409:
    /// <https://docs.aws.amazon.com/scheduler/latest/APIReference/API_CreateSchedule.html>).
    pub fn is_conflict(&self) -> bool {
        self.code() == Some("ConflictException") && self.operation().api() == Api::Scheduler
    }

    /// Whether AWS refused the request as invalid (`ValidationException`; EventBridge
    /// Scheduler's code for a bad expression, window or target): trying again cannot help.
    pub fn is_validation(&self) -> bool {
        self.code() == Some("ValidationException")
    }

    /// Whether Application Auto Scaling refused a call for what it does not see yet, and may
    /// see in a moment (its reads are eventually consistent): RegisterScalableTarget answered
    /// `ValidationException` (AWS's answer for an ECS service it does not see, as right after
    /// CreateService), PutScalingPolicy or PutScheduledAction answered `ObjectNotFoundException`
    /// (the scalable target registered a moment ago), or any call `ConcurrentUpdateException`
    /// (another change of the same target under way). Terraform and Spinnaker retry these
    /// (hashicorp/terraform-provider-aws#11693, spinnaker/clouddriver#6215); a
    /// `ValidationException` of a request that is really invalid keeps coming back, so a caller
    /// retries these a bounded number of times.
    pub fn is_not_yet_consistent(&self) -> bool {
        if self.operation().api() != Api::AutoScaling {
            return false;
        }
        match self.code() {
            Some("ConcurrentUpdateException") => true,
            Some("ValidationException") => self.operation() == Operation::RegisterScalableTarget,
            Some("ObjectNotFoundException") => matches!(
                self.operation(),
                Operation::PutScalingPolicy | Operation::PutScheduledAction
            ),
            _ => false,
        }
    }

    /// Whether Application Auto Scaling refused the call for a quota of the account
    /// (`LimitExceededException`: scalable targets per namespace, policies per target...):
    /// trying again does not help until something is deleted or the quota raised.
    pub fn is_limit_exceeded(&self) -> bool {
        self.code() == Some("LimitExceededException") && self.operation().api() == Api::AutoScaling
    }

    /// Whether the service exists but is not ACTIVE (DRAINING or INACTIVE), so it cannot be
    /// updated or deleted again.
    pub fn is_service_not_active(&self) -> bool {
        self.code() == Some("ServiceNotActiveException")
    }

    /// Whether the call may have taken effect although it failed: AWS answered with a server
    /// error (HTTP 5xx), or no answer came (a time-out, a dropped connection). A call that is
    /// not idempotent must not simply be sent again: look first.
    pub fn outcome_unknown(&self) -> bool {
        match self {
            Self::Service { status, .. } => *status >= 500,
            Self::Transport { sent, .. } => *sent,
            Self::Response { .. } => true,
            Self::Request { .. }
            | Self::WrongClient { .. }
            | Self::NoClient { .. }
            | Self::Unsendable { .. } => false,
        }
    }

    /// Whether trying the call again later may succeed: throttling, server errors, no answer.
    pub fn is_transient(&self) -> bool {
        self.is_throttling() || self.outcome_unknown()
    }
}

/// How often [`Ecs::call`] tries a call again once the SDK's own retries gave up on throttling
/// or a server error.
///
/// The SDK retries a few times with backoff and keeps a retry quota per client; in a storm of
/// throttling (a large deploy, or other tools of the account calling ECS at the same time) the
/// quota runs dry and every call fails at once. A deploy would rather slow down than stop: each
/// call gets `attempts` more tries, waiting `initial_backoff`, doubling up to `max_backoff`,
/// with jitter. A throttled call is tried again whatever it is (AWS refused it); after a server
/// error only a call that is [safe to repeat](safe_to_repeat); a call without an answer is
/// not (the SDK's retries covered it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Retries {
    /// Tries after the SDK's, per call.
    pub attempts: u32,
    /// The wait before the first of them.
    pub initial_backoff: std::time::Duration,
    /// The longest wait between two.
    pub max_backoff: std::time::Duration,
}

impl Retries {
    /// `attempts` tries after the SDK's, waiting from `initial_backoff` up to `max_backoff`.
    pub fn new(
        attempts: u32,
        initial_backoff: std::time::Duration,
        max_backoff: std::time::Duration,
    ) -> Self {
        Self {
            attempts,
            initial_backoff,
            max_backoff: max_backoff.max(initial_backoff),
        }
    }

    /// No tries beyond the SDK's.
    pub fn none() -> Self {
        Self::new(0, std::time::Duration::ZERO, std::time::Duration::ZERO)
    }

    /// The wait before try `attempt` (1 for the first after the SDK's), with up to half of it
    /// as jitter so that concurrent calls do not come back together.
    fn backoff(&self, attempt: u32) -> std::time::Duration {
        let doubled = self.initial_backoff.saturating_mul(
            1_u32
                .checked_shl(attempt.saturating_sub(1))
                .unwrap_or(u32::MAX),
        );
        let base = doubled.min(self.max_backoff);
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        let jitter = base.mul_f64(f64::from(nanos % 1000) / 2000.0);
        base.saturating_sub(jitter)
    }
}

impl Default for Retries {
    /// 8 tries after the SDK's, from 1 s up to 20 s apart: a call gives up after about two
    /// minutes of throttling.
    fn default() -> Self {
        Self::new(
            8,
            std::time::Duration::from_secs(1),
            std::time::Duration::from_secs(20),
        )
    }
}

/// How many calls a client made, per operation; shared by the clones of the client.
#[derive(Debug)]
pub(crate) struct CallCount<K>(Arc<Mutex<BTreeMap<K, u64>>>);

impl<K> Clone for CallCount<K> {
    fn clone(&self) -> Self {
        Self(Arc::clone(&self.0))
    }
}

impl<K> Default for CallCount<K> {
    fn default() -> Self {
        Self(Arc::default())
    }
}

impl<K: Ord + Clone> CallCount<K> {
    /// Counts one call of `operation`.
    pub(crate) fn add(&self, operation: K) {
        if let Ok(mut calls) = self.0.lock() {
            *calls.entry(operation).or_default() += 1;
        }
    }

    /// The counts so far.
    pub(crate) fn get(&self) -> BTreeMap<K, u64> {
        self.0.lock().map(|c| c.clone()).unwrap_or_default()
    }
}

/// A client of one AWS API: the SDK client `S`, a count of the calls made per operation, and
/// the [`Retries`] beyond the SDK's. [`Ecs`] is the ECS one; each other API has its alias
/// (`CloudMap`...), the same methods, and a [`RawSend`] implementation for its SDK client.
#[derive(Debug, Clone)]
pub struct Client<S> {
    sdk: S,
    calls: CallCount<Operation>,
    retries: Retries,
}

/// The Amazon ECS client.
pub type Ecs = Client<aws_sdk_ecs::Client>;

/// An AWS SDK client that sends one call of an [`Operation`] of its [`Api`] with the raw JSON
/// body of `RawJson` (see the module documentation). Implemented here for each SDK client the
/// crate uses; sealed.
pub trait RawSend: Clone + Send + Sync + sealed::Sealed {
    /// The API the client calls.
    const API: Api;

    /// A client from an SDK configuration (credentials, region, endpoint, retries).
    fn from_config(config: &aws_types::SdkConfig) -> Self;

    /// Sends one call of `operation` (an operation of [`Self::API`]) with the SDK's retries,
    /// the body swapped by `raw`.
    #[doc(hidden)]
    fn send_raw(
        &self,
        operation: Operation,
        raw: RawJson,
    ) -> impl std::future::Future<Output = Result<(), AwsError>> + Send;
}

pub(crate) mod sealed {
    /// Only this crate's SDK clients implement [`super::RawSend`].
    pub trait Sealed {}
}

/// Implements [`RawSend`] for the SDK client `$client` of `$api`, a JSON-protocol API whose
/// request body is the operation's input as `ecs-model` writes it: each listed [`Operation`] is
/// sent through the SDK method named beside it with the [`RawJson`] interceptor; an operation of
/// another API is [`AwsError::WrongClient`].
#[cfg(any(
    feature = "cloud-map",
    feature = "autoscaling",
    feature = "ecr",
    feature = "secrets-manager",
    feature = "ssm",
    feature = "logs"
))]
macro_rules! raw_json_client {
    ($client:ty, $api:expr, { $($operation:ident => $method:ident),+ $(,)? }) => {
        impl $crate::aws::sealed::Sealed for $client {}

        impl $crate::aws::RawSend for $client {
            const API: $crate::aws::Api = $api;

            fn from_config(config: &aws_types::SdkConfig) -> Self {
                Self::new(config)
            }

            async fn send_raw(
                &self,
                operation: $crate::aws::Operation,
                raw: $crate::aws::RawJson,
            ) -> Result<(), $crate::aws::AwsError> {
                match operation {
                    $(
                        $crate::aws::Operation::$operation => self
                            .$method()
                            .customize()
                            .interceptor(raw.clone())
                            .send()
                            .await
                            .map(drop)
                            .map_err(|e| $crate::aws::classify(operation, e)),
                    )+
                    other => Err($crate::aws::AwsError::WrongClient {
                        operation: other,
                        api: $api,
                    }),
                }
            }
        }
    };
}
#[cfg(any(
    feature = "cloud-map",
    feature = "autoscaling",
    feature = "ecr",
    feature = "secrets-manager",
    feature = "ssm",
    feature = "logs"
))]
pub(crate) use raw_json_client;

impl<S: RawSend> Client<S> {
    /// A client from an SDK configuration (credentials, region, endpoint, retries), such as the
    /// one [`crate::config::load`] or `aws_config::load_defaults` returns.
    pub fn new(config: &aws_types::SdkConfig) -> Self {
        Self::from_client(S::from_config(config))
    }

    /// A client around an SDK client built by the caller, with [`Retries::default`].
    pub fn from_client(sdk: S) -> Self {
        Self {
            sdk,
            calls: CallCount::default(),
            retries: Retries::default(),
        }
    }

    /// Tries calls again as `retries` says once the SDK's own retries gave up.
    pub fn retries(mut self, retries: Retries) -> Self {
        self.retries = retries;
        self
    }

    /// Waits as long as [`Retries`] says to before try `attempt` (1 for the first).
    pub(crate) async fn pause(&self, attempt: u32) {
        tokio::time::sleep(self.retries.backoff(attempt)).await;
    }

    /// The SDK client (a failure report makes a CloudWatch Logs client of another region from
    /// its configuration).
    #[cfg_attr(not(feature = "logs"), allow(dead_code))]
    pub(crate) fn sdk(&self) -> &S {
        &self.sdk
    }

    /// The [`Retries`] this client tries calls again with.
    #[cfg_attr(not(feature = "logs"), allow(dead_code))]
    pub(crate) fn retries_of(&self) -> Retries {
        self.retries
    }

    /// How many calls were made, per operation, since this client was made (the SDK's retries
    /// of one call count once; the tries of [`Retries`] count each).
    pub fn calls(&self) -> BTreeMap<Operation, u64> {
        self.calls.get()
    }

    /// Calls `operation` with `input` (the operation's request as AWS JSON) and returns its
    /// response as AWS JSON. An operation of another API than the client's fails with
    /// [`AwsError::WrongClient`], without a call.
    ///
    /// Once the SDK's own retries gave up, the call is tried again as [`Retries`] says when
    /// trying again is safe and may help:
    ///
    /// - AWS refused it for throttling (it did not happen): any call;
    /// - AWS answered a server error (it may have happened): only a call that is safe to repeat
    ///   ([`safe_to_repeat`]).
    ///
    /// A call that got no answer at all (a time-out, a connection failure, no credentials) is
    /// not tried again here: the SDK's retries already covered what retrying can. And
    /// RegisterTaskDefinition is sent once by the SDK (no automatic retry), since a lost answer
    /// may hide a revision registered: the caller looks before registering again.
    pub async fn call(&self, operation: Operation, input: &Value) -> Result<Value, AwsError> {
        with_retries(&self.retries, operation, input, || {
            self.call_once(operation, input)
        })
        .await
    }

    /// One call, with the SDK's retries.
    async fn call_once(&self, operation: Operation, input: &Value) -> Result<Value, AwsError> {
        if operation.api() != S::API {
            return Err(AwsError::WrongClient {
                operation,
                api: S::API,
            });
        }
        self.calls.add(operation);
        let raw = RawJson::of(operation, input)?;
        self.sdk.send_raw(operation, raw.clone()).await?;
        raw.answer(operation)
    }
}

impl sealed::Sealed for aws_sdk_ecs::Client {}

impl RawSend for aws_sdk_ecs::Client {
    const API: Api = Api::Ecs;

    fn from_config(config: &aws_types::SdkConfig) -> Self {
        Self::new(config)
    }

    /// One call, with the SDK's retries (none for RegisterTaskDefinition).
    async fn send_raw(&self, operation: Operation, raw: RawJson) -> Result<(), AwsError> {
        let once = operation == Operation::RegisterTaskDefinition;
        macro_rules! send {
            ($method:ident) => {{
                let mut request = self.$method().customize().interceptor(raw.clone());
                if once {
                    request = request.config_override(
                        aws_sdk_ecs::config::Builder::default()
                            .retry_config(aws_config::retry::RetryConfig::disabled()),
                    );
                }
                request
                    .send()
                    .await
                    .map(drop)
                    .map_err(|e| classify(operation, e))
            }};
        }
        match operation {
            Operation::CreateCluster => send!(create_cluster),
            Operation::DescribeClusters => send!(describe_clusters),
            Operation::UpdateCluster => send!(update_cluster),
            Operation::PutClusterCapacityProviders => send!(put_cluster_capacity_providers),
            Operation::DeleteCluster => send!(delete_cluster),
            Operation::ListClusters => send!(list_clusters),
            Operation::CreateCapacityProvider => send!(create_capacity_provider),
            Operation::DescribeCapacityProviders => send!(describe_capacity_providers),
            Operation::UpdateCapacityProvider => send!(update_capacity_provider),
            Operation::DeleteCapacityProvider => send!(delete_capacity_provider),
            Operation::RegisterTaskDefinition => send!(register_task_definition),
            Operation::DescribeTaskDefinition => send!(describe_task_definition),
            Operation::ListTaskDefinitions => send!(list_task_definitions),
            Operation::ListTaskDefinitionFamilies => send!(list_task_definition_families),
            Operation::DeregisterTaskDefinition => send!(deregister_task_definition),
            Operation::CreateService => send!(create_service),
            Operation::DescribeServices => send!(describe_services),
            Operation::UpdateService => send!(update_service),
            Operation::DeleteService => send!(delete_service),
            Operation::ListServices => send!(list_services),
            Operation::TagResource => send!(tag_resource),
            Operation::UntagResource => send!(untag_resource),
            Operation::RunTask => send!(run_task),
            Operation::DescribeTasks => send!(describe_tasks),
            Operation::ListTasks => send!(list_tasks),
            Operation::DescribeServiceDeployments => send!(describe_service_deployments),
            other => Err(AwsError::WrongClient {
                operation: other,
                api: Api::Ecs,
            }),
        }
    }
}

/// The clients of every API a plan may call: ECS, and each other API's client when the
/// deployer has one. [`Clients::call`] sends an operation to the client of its
/// [`Operation::api`]; an API added later adds its field here and its arm there.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Clients {
    /// The ECS client.
    pub ecs: Ecs,
    /// The Cloud Map client (the `cloud-map` feature).
    #[cfg(feature = "cloud-map")]
    pub cloud_map: Option<cloud_map::CloudMap>,
    /// The ELBv2 client (the `load-balancing` feature).
    #[cfg(feature = "load-balancing")]
    pub load_balancing: Option<load_balancing::LoadBalancing>,
    /// The EventBridge Scheduler client (the `scheduler` feature).
    #[cfg(feature = "scheduler")]
    pub scheduler: Option<scheduler::Scheduler>,
    /// The Application Auto Scaling client (the `autoscaling` feature).
    #[cfg(feature = "autoscaling")]
    pub autoscaling: Option<autoscaling::AutoScaling>,
    /// The ECR client (the `ecr` feature).
    #[cfg(feature = "ecr")]
    pub ecr: Option<ecr::Ecr>,
    /// The IAM client (the `iam` feature).
    #[cfg(feature = "iam")]
    pub iam: Option<iam::Iam>,
    /// The Secrets Manager client (the `secrets-manager` feature).
    #[cfg(feature = "secrets-manager")]
    pub secrets_manager: Option<secrets_manager::SecretsManager>,
    /// The SSM client (the `ssm` feature).
    #[cfg(feature = "ssm")]
    pub ssm: Option<ssm::Ssm>,
    /// The CloudWatch Logs client (the `logs` feature).
    #[cfg(feature = "logs")]
    pub logs: Option<logs::Logs>,
}

impl Clients {
    /// ECS only.
    pub fn new(ecs: Ecs) -> Self {
        Self {
            ecs,
            #[cfg(feature = "cloud-map")]
            cloud_map: None,
            #[cfg(feature = "load-balancing")]
            load_balancing: None,
            #[cfg(feature = "scheduler")]
            scheduler: None,
            #[cfg(feature = "autoscaling")]
            autoscaling: None,
            #[cfg(feature = "ecr")]
            ecr: None,
            #[cfg(feature = "iam")]
            iam: None,
            #[cfg(feature = "secrets-manager")]
            secrets_manager: None,
            #[cfg(feature = "ssm")]
            ssm: None,
            #[cfg(feature = "logs")]
            logs: None,
        }
    }

    /// Calls Application Auto Scaling through `autoscaling`.
    #[cfg(feature = "autoscaling")]
    pub fn autoscaling(mut self, autoscaling: autoscaling::AutoScaling) -> Self {
        self.autoscaling = Some(autoscaling);
        self
    }

    /// Calls EventBridge Scheduler through `scheduler`.
    #[cfg(feature = "scheduler")]
    pub fn scheduler(mut self, scheduler: scheduler::Scheduler) -> Self {
        self.scheduler = Some(scheduler);
        self
    }

    /// Calls Elastic Load Balancing v2 through `load_balancing`.
    #[cfg(feature = "load-balancing")]
    pub fn load_balancing(mut self, load_balancing: load_balancing::LoadBalancing) -> Self {
        self.load_balancing = Some(load_balancing);
        self
    }

    /// Calls Cloud Map through `cloud_map`.
    #[cfg(feature = "cloud-map")]
    pub fn cloud_map(mut self, cloud_map: cloud_map::CloudMap) -> Self {
        self.cloud_map = Some(cloud_map);
        self
    }

    /// Calls `operation` with `input` through the client of its API; [`AwsError::NoClient`]
    /// when there is none (its feature is off, or the deployer was made without it).
    pub async fn call(&self, operation: Operation, input: &Value) -> Result<Value, AwsError> {
        match operation.api() {
            Api::Ecs => self.ecs.call(operation, input).await,
            #[cfg(feature = "cloud-map")]
            Api::CloudMap => match &self.cloud_map {
                Some(client) => client.call(operation, input).await,
                None => Err(AwsError::NoClient { operation }),
            },
            #[cfg(feature = "scheduler")]
            Api::Scheduler => match &self.scheduler {
                Some(client) => client.call(operation, input).await,
                None => Err(AwsError::NoClient { operation }),
            },
            #[cfg(feature = "autoscaling")]
            Api::AutoScaling => match &self.autoscaling {
                Some(client) => client.call(operation, input).await,
                None => Err(AwsError::NoClient { operation }),
            },
            #[cfg(feature = "load-balancing")]
            Api::LoadBalancing => match &self.load_balancing {
                Some(client) => client.call(operation, input).await,
                None => Err(AwsError::NoClient { operation }),
            },
            #[cfg(feature = "ecr")]
            Api::Ecr => match &self.ecr {
                Some(client) => client.call(operation, input).await,
                None => Err(AwsError::NoClient { operation }),
            },
            #[cfg(feature = "iam")]
            Api::Iam => match &self.iam {
                Some(client) => client.call(operation, input).await,
                None => Err(AwsError::NoClient { operation }),
            },
            #[cfg(feature = "secrets-manager")]
            Api::SecretsManager => match &self.secrets_manager {
                Some(client) => client.call(operation, input).await,
                None => Err(AwsError::NoClient { operation }),
            },
            #[cfg(feature = "ssm")]
            Api::Ssm => match &self.ssm {
                Some(client) => client.call(operation, input).await,
                None => Err(AwsError::NoClient { operation }),
            },
            #[cfg(feature = "logs")]
            Api::Logs => match &self.logs {
                Some(client) => client.call(operation, input).await,
                None => Err(AwsError::NoClient { operation }),
            },
            #[allow(unreachable_patterns)]
            _ => Err(AwsError::NoClient { operation }),
        }
    }
}

/// Calls `once` (one call of `operation` with `input`, with the SDK's retries), and tries
/// again as `retries` says when trying again is safe and may help: after throttling (AWS
/// refused the call: any call), after a server error (it may have happened: only a call that
/// is [safe to repeat](safe_to_repeat)). The retry loop every client of this module shares.
pub(crate) async fn with_retries<F, Fut>(
    retries: &Retries,
    operation: Operation,
    input: &Value,
    mut once: F,
) -> Result<Value, AwsError>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<Value, AwsError>>,
{
    let mut attempt = 0;
    loop {
        let error = match once().await {
            Ok(response) => return Ok(response),
            Err(error) => error,
        };
        let again = error.is_throttling()
            || (matches!(error, AwsError::Service { status, .. } if status >= 500)
                && safe_to_repeat(operation, input));
        attempt += 1;
        if !again || attempt > retries.attempts {
            return Err(error);
        }
        tokio::time::sleep(retries.backoff(attempt)).await;
    }
}

/// Whether sending `input` to `operation` twice leaves AWS as sending it once: reads,
/// deletions, tags, and updates that set a state, but not RegisterTaskDefinition (a second
/// revision), CreateCapacityProvider (refused once the first made it), CreateService without a
/// `clientToken` (refused as not idempotent), RunTask without one (a second task), nor
/// UpdateService with `forceNewDeployment` (a second deployment).
pub fn safe_to_repeat(operation: Operation, input: &Value) -> bool {
    match operation {
        // CreateTargetGroup is idempotent on AWS for the same settings, but refused with
        // DuplicateTargetGroupName for other ones (and by moto always): the planner looks the
        // group up again rather than sending it twice.
        // CreateRule has no idempotency token: a second one is refused (PriorityInUse) or
        // makes a second rule; the planner finds the first by its tags.
        Operation::RegisterTaskDefinition
        | Operation::CreateCapacityProvider
        | Operation::CreateTargetGroup
        | Operation::CreateRule => false,
        Operation::CreateService | Operation::RunTask => non_empty(input, "clientToken"),
        Operation::UpdateService => input.get("forceNewDeployment") != Some(&Value::Bool(true)),
        // Cloud Map's creations are idempotent by `CreatorRequestId` ("a unique string that
        // identifies the request and that allows failed requests to be retried without the
        // risk of running the operation twice"), its namespace updates by `UpdaterRequestId`.
        Operation::CreatePrivateDnsNamespace
        | Operation::CreateHttpNamespace
        | Operation::CreateDiscoveryService => non_empty(input, "CreatorRequestId"),
        Operation::UpdatePrivateDnsNamespace | Operation::UpdateHttpNamespace => {
            non_empty(input, "UpdaterRequestId")
        }
        // EventBridge Scheduler's creations are idempotent by `ClientToken` ("Unique,
        // case-sensitive identifier you provide to ensure the idempotency of the request",
        // API_CreateSchedule.html, API_CreateScheduleGroup.html); UpdateSchedule replaces the
        // whole schedule, so sending it twice leaves the same schedule.
        Operation::CreateSchedule | Operation::CreateScheduleGroup => {
            non_empty(input, "ClientToken")
        }
        _ => true,
    }
}

/// Whether `input` has the string member `key`, not empty.
fn non_empty(input: &Value, key: &str) -> bool {
    input
        .get(key)
        .and_then(Value::as_str)
        .is_some_and(|t| !t.is_empty())
}

/// Classifies an SDK error by its modelled error code and HTTP status, never by its message:
/// every client of this module maps its SDK's errors through it.
pub(crate) fn classify<E>(operation: Operation, error: SdkError<E, HttpResponse>) -> AwsError
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    let status = error.raw_response().map(|r| r.status().as_u16());
    let request_id = error.request_id().map(str::to_owned);
    match (error.code(), status) {
        (Some(code), Some(status)) => AwsError::Service {
            operation,
            code: code.to_owned(),
            message: error.message().unwrap_or_default().to_owned(),
            status,
            request_id,
        },
        _ => {
            let timed_out = match &error {
                SdkError::TimeoutError(_) => true,
                SdkError::DispatchFailure(failure) => failure.is_timeout(),
                _ => false,
            };
            let sent = !matches!(error, SdkError::ConstructionFailure(_));
            AwsError::Transport {
                operation,
                timed_out,
                sent,
                source: Box::new(error),
            }
        }
    }
}

/// The interceptor that swaps the request body for our JSON and keeps the response body:
/// every client of this module sends its calls through one (see the module documentation).
#[derive(Debug, Clone)]
pub struct RawJson {
    request: Arc<Vec<u8>>,
    response: Arc<Mutex<Option<Vec<u8>>>>,
}

impl RawJson {
    /// The interceptor that sends `input` as the body of `operation`.
    pub(crate) fn of(operation: Operation, input: &Value) -> Result<Self, AwsError> {
        let body =
            serde_json::to_vec(input).map_err(|source| AwsError::Request { operation, source })?;
        Ok(Self {
            request: Arc::new(body),
            response: Arc::default(),
        })
    }

    fn response(&self) -> Option<Vec<u8>> {
        self.response.lock().ok().and_then(|r| r.clone())
    }

    /// The answer kept, as JSON: `{}` for an empty body (a call that answers nothing).
    pub(crate) fn answer(&self, operation: Operation) -> Result<Value, AwsError> {
        let bytes = self.response().unwrap_or_default();
        if bytes.is_empty() {
            return Ok(Value::Object(serde_json::Map::new()));
        }
        serde_json::from_slice(&bytes).map_err(|source| AwsError::Response { operation, source })
    }
}

impl Intercept for RawJson {
    fn name(&self) -> &'static str {
        "ecs-deploy raw JSON body"
    }

    fn modify_before_signing(
        &self,
        context: &mut BeforeTransmitInterceptorContextMut<'_>,
        _components: &RuntimeComponents,
        _cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let request = context.request_mut();
        *request.body_mut() = SdkBody::from(self.request.as_slice().to_vec());
        request
            .headers_mut()
            .insert("content-length", self.request.len().to_string());
        Ok(())
    }

    fn read_after_deserialization(
        &self,
        context: &AfterDeserializationInterceptorContextRef<'_>,
        _components: &RuntimeComponents,
        _cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        if let (Some(bytes), Ok(mut slot)) =
            (context.response().body().bytes(), self.response.lock())
        {
            *slot = Some(bytes.to_vec());
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answered(operation: Operation, code: &str, status: u16) -> AwsError {
        AwsError::Service {
            operation,
            code: code.to_owned(),
            message: String::new(),
            status,
            request_id: Some("r-1".to_owned()),
        }
    }

    #[test]
    fn errors_are_classified_by_code_status_and_operation() {
        let throttled = answered(Operation::DescribeServices, "ThrottlingException", 400);
        assert!(throttled.is_throttling() && throttled.is_transient());
        assert!(
            !throttled.outcome_unknown(),
            "a refused call did not happen"
        );
        let lost = answered(Operation::RegisterTaskDefinition, "InternalFailure", 500);
        assert!(lost.outcome_unknown() && lost.is_transient() && !lost.is_throttling());
        let invalid = answered(Operation::CreateService, "InvalidParameterException", 400);
        assert!(!invalid.is_transient());
        assert_eq!(invalid.request_id(), Some("r-1"));
        // ClientException means "no such family" only as DescribeTaskDefinition's answer.
        assert!(answered(Operation::DescribeTaskDefinition, "ClientException", 400).is_not_found());
        assert!(!answered(Operation::CreateService, "ClientException", 400).is_not_found());
        assert!(
            answered(
                Operation::DeleteCluster,
                "ClusterContainsTasksException",
                400
            )
            .is_cluster_busy()
        );
    }

    #[test]
    fn only_calls_safe_to_repeat_are_repeated_after_a_server_error() {
        use serde_json::json;
        assert!(safe_to_repeat(Operation::DescribeServices, &json!({})));
        assert!(safe_to_repeat(
            Operation::UpdateService,
            &json!({"desiredCount": 2})
        ));
        assert!(!safe_to_repeat(
            Operation::UpdateService,
            &json!({"forceNewDeployment": true})
        ));
        assert!(safe_to_repeat(
            Operation::CreateService,
            &json!({"clientToken": "t"})
        ));
        assert!(!safe_to_repeat(Operation::CreateService, &json!({})));
        assert!(!safe_to_repeat(
            Operation::RegisterTaskDefinition,
            &json!({})
        ));
        assert!(!safe_to_repeat(
            Operation::CreateCapacityProvider,
            &json!({})
        ));
    }

    #[test]
    fn backoff_doubles_up_to_the_limit_with_at_most_half_as_jitter() {
        let retries = Retries::new(
            5,
            std::time::Duration::from_millis(100),
            std::time::Duration::from_millis(350),
        );
        let waits: Vec<u128> = (1..=4).map(|n| retries.backoff(n).as_millis()).collect();
        for (wait, base) in waits.iter().zip([100_u128, 200, 350, 350]) {
            assert!(*wait <= base && *wait >= base / 2, "{waits:?}");
        }
    }
}
