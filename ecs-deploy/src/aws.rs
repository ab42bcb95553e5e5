//! Calls to Amazon ECS through `aws-sdk-ecs`, with request and response bodies in the AWS JSON
//! that `ecs-model` reads and writes.
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
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::body::SdkBody;
use aws_smithy_types::config_bag::ConfigBag;
use serde_json::Value;

/// An ECS API operation this crate calls.
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
}

impl Operation {
    /// The operation's name in the AWS API.
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
        }
    }
}

impl std::fmt::Display for Operation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// A failed call.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AwsError {
    /// AWS answered with an error: `code` is the AWS error code (`ClusterNotFoundException`,
    /// `ThrottlingException`...), after the SDK's retries.
    #[error("{operation} failed: {code}: {message}")]
    Service {
        /// The operation.
        operation: Operation,
        /// The AWS error code.
        code: String,
        /// AWS's message.
        message: String,
    },
    /// The call did not get an answer: no credentials or region, a connection or timeout
    /// error, after the SDK's retries.
    #[error("{operation} failed: {message}")]
    Transport {
        /// The operation.
        operation: Operation,
        /// What went wrong, with its causes.
        message: String,
    },
    /// AWS answered, but with a body that is not JSON.
    #[error("{operation} returned a body that is not JSON: {message}")]
    Response {
        /// The operation.
        operation: Operation,
        /// The parser's message.
        message: String,
    },
}

impl AwsError {
    /// The AWS error code, for a service error.
    pub fn code(&self) -> Option<&str> {
        match self {
            Self::Service { code, .. } => Some(code),
            _ => None,
        }
    }

    /// Whether AWS said the resource does not exist.
    pub fn is_not_found(&self) -> bool {
        matches!(
            self.code(),
            Some("ClusterNotFoundException" | "ServiceNotFoundException")
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

/// The ECS client: the SDK client, and a count of the calls made per operation.
#[derive(Debug, Clone)]
pub struct Ecs {
    client: aws_sdk_ecs::Client,
    calls: CallCount<Operation>,
}

impl Ecs {
    /// A client from an SDK configuration (credentials, region, endpoint, retries), such as the
    /// one `aws_config::load_defaults` returns.
    pub fn new(config: &aws_types::SdkConfig) -> Self {
        Self::from_client(aws_sdk_ecs::Client::new(config))
    }

    /// A client around an SDK client built by the caller.
    pub fn from_client(client: aws_sdk_ecs::Client) -> Self {
        Self {
            client,
            calls: CallCount::default(),
        }
    }

    /// How many calls were made, per operation, since this client was made (retries of one
    /// call count once).
    pub fn calls(&self) -> BTreeMap<Operation, u64> {
        self.calls.get()
    }

    /// Calls `operation` with `input` (the operation's request as AWS JSON) and returns its
    /// response as AWS JSON.
    pub async fn call(&self, operation: Operation, input: &Value) -> Result<Value, AwsError> {
        self.calls.add(operation);
        let body = serde_json::to_vec(input).map_err(|e| AwsError::Response {
            operation,
            message: e.to_string(),
        })?;
        let raw = RawJson::new(body);
        macro_rules! send {
            ($method:ident) => {
                self.client
                    .$method()
                    .customize()
                    .interceptor(raw.clone())
                    .send()
                    .await
                    .map(drop)
                    .map_err(|e| classify(operation, e))
            };
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
        }?;
        let bytes = raw.response().unwrap_or_default();
        if bytes.is_empty() {
            return Ok(Value::Object(serde_json::Map::new()));
        }
        serde_json::from_slice(&bytes).map_err(|e| AwsError::Response {
            operation,
            message: e.to_string(),
        })
    }
}

/// Classifies an SDK error by its modelled error code, never by its message.
fn classify<E, R>(operation: Operation, error: SdkError<E, R>) -> AwsError
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug,
{
    match error.code() {
        Some(code) => AwsError::Service {
            operation,
            code: code.to_owned(),
            message: error.message().unwrap_or_default().to_owned(),
        },
        None => AwsError::Transport {
            operation,
            message: aws_sdk_ecs::error::DisplayErrorContext(&error).to_string(),
        },
    }
}

/// The interceptor that swaps the request body for our JSON and keeps the response body.
#[derive(Debug, Clone)]
struct RawJson {
    request: Arc<Vec<u8>>,
    response: Arc<Mutex<Option<Vec<u8>>>>,
}

impl RawJson {
    fn new(request: Vec<u8>) -> Self {
        Self {
            request: Arc::new(request),
            response: Arc::default(),
        }
    }

    fn response(&self) -> Option<Vec<u8>> {
        self.response.lock().ok().and_then(|r| r.clone())
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
