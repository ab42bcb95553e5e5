//! Calls to AWS Cloud Map through `aws-sdk-servicediscovery` (the `cloud-map` feature), with
//! the AWS JSON of `ecs_model::cloud_map` as request and response bodies.
//!
//! Cloud Map speaks `awsJson1_1` in the SDK version this crate uses (1.120: its
//! `ServiceRuntimePlugin` stores `AwsJsonRpcProtocol::aws_json_1_1()`; the botocore model lists
//! `smithy-rpc-v2-cbor` first, but the Rust crate does not use it), so the request body is the
//! operation's input exactly as `ecs-model` serializes it, as for ECS: see the [parent
//! module](super).

use super::{Api, Client, raw_json_client};

/// The AWS Cloud Map client: [`Client`] over `aws-sdk-servicediscovery`, with the methods of
/// [`Ecs`](super::Ecs) (`new`, `call`, `calls`, `retries`).
pub type CloudMap = Client<aws_sdk_servicediscovery::Client>;

raw_json_client!(aws_sdk_servicediscovery::Client, Api::CloudMap, {
    CreatePrivateDnsNamespace => create_private_dns_namespace,
    CreateHttpNamespace => create_http_namespace,
    GetNamespace => get_namespace,
    ListNamespaces => list_namespaces,
    UpdatePrivateDnsNamespace => update_private_dns_namespace,
    UpdateHttpNamespace => update_http_namespace,
    DeleteNamespace => delete_namespace,
    GetOperation => get_operation,
    CreateDiscoveryService => create_service,
    GetDiscoveryService => get_service,
    ListDiscoveryServices => list_services,
    UpdateDiscoveryService => update_service,
    DeleteDiscoveryService => delete_service,
    TagCloudMapResource => tag_resource,
    UntagCloudMapResource => untag_resource,
    ListCloudMapTags => list_tags_for_resource,
});

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::aws::safe_to_repeat;
    use crate::aws::{AwsError, Operation};

    fn answered(operation: Operation, code: &str) -> AwsError {
        AwsError::Service {
            operation,
            code: code.to_owned(),
            message: String::new(),
            status: 400,
            request_id: None,
        }
    }

    #[test]
    fn operations_know_their_api_and_aws_name() {
        assert_eq!(Operation::CreateDiscoveryService.api(), Api::CloudMap);
        assert_eq!(Operation::CreateDiscoveryService.name(), "CreateService");
        assert_eq!(Operation::CreateService.api(), Api::Ecs);
        assert_eq!(Operation::CreateService.name(), "CreateService");
        assert_eq!(
            Operation::DeleteDiscoveryService.to_string(),
            "Cloud Map DeleteService"
        );
        assert_eq!(Operation::DeleteService.to_string(), "DeleteService");
    }

    #[test]
    fn cloud_map_codes_are_classified_for_cloud_map_calls_only() {
        assert!(answered(Operation::GetNamespace, "NamespaceNotFound").is_not_found());
        assert!(answered(Operation::GetDiscoveryService, "ServiceNotFound").is_not_found());
        assert!(answered(Operation::GetOperation, "OperationNotFound").is_not_found());
        // ECS's own code for a missing service is ServiceNotFoundException.
        assert!(!answered(Operation::DescribeServices, "ServiceNotFound").is_not_found());
        assert!(answered(Operation::DeleteNamespace, "ResourceInUse").is_resource_in_use());
        assert!(
            answered(Operation::CreateHttpNamespace, "DuplicateRequest").is_duplicate_request()
        );
        assert!(
            answered(Operation::CreateHttpNamespace, "NamespaceAlreadyExists").is_already_exists()
        );
        assert!(
            answered(Operation::CreateDiscoveryService, "ServiceAlreadyExists").is_already_exists()
        );
        assert!(answered(Operation::UpdateDiscoveryService, "ThrottlingException").is_throttling());
    }

    #[test]
    fn creations_are_repeated_only_with_a_creator_request_id() {
        for operation in [
            Operation::CreatePrivateDnsNamespace,
            Operation::CreateHttpNamespace,
            Operation::CreateDiscoveryService,
        ] {
            assert!(safe_to_repeat(
                operation,
                &json!({"Name": "a", "CreatorRequestId": "r"})
            ));
            assert!(!safe_to_repeat(operation, &json!({"Name": "a"})));
        }
        assert!(safe_to_repeat(
            Operation::UpdateHttpNamespace,
            &json!({"Id": "ns-1", "UpdaterRequestId": "u"})
        ));
        assert!(!safe_to_repeat(
            Operation::UpdatePrivateDnsNamespace,
            &json!({"Id": "ns-1"})
        ));
        assert!(safe_to_repeat(
            Operation::DeleteNamespace,
            &json!({"Id": "ns-1"})
        ));
    }

    #[tokio::test]
    async fn an_operation_of_another_api_is_refused_without_a_call() {
        let config = aws_types::SdkConfig::builder()
            .behavior_version(aws_config::BehaviorVersion::latest())
            .build();
        let cloud_map = CloudMap::new(&config);
        let error = cloud_map
            .call(Operation::DescribeClusters, &json!({}))
            .await
            .expect_err("an ECS operation");
        assert!(matches!(error, AwsError::WrongClient { .. }), "{error:?}");
        assert!(cloud_map.calls().is_empty());
        let ecs = crate::aws::Ecs::new(&config);
        let error = ecs
            .call(Operation::GetNamespace, &json!({"Id": "ns-1"}))
            .await
            .expect_err("a Cloud Map operation");
        assert!(matches!(error, AwsError::WrongClient { .. }), "{error:?}");
    }
}
