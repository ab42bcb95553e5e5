//! Calls to Application Auto Scaling through `aws-sdk-applicationautoscaling` (the `autoscaling`
//! feature), with the AWS JSON of `ecs_model::autoscaling` as request and response bodies.
//!
//! Application Auto Scaling speaks `awsJson1_1` in the SDK version this crate uses (1.127:
//! `X-Amz-Target: AnyScaleFrontendService.<Operation>`), so the request body is the operation's
//! input exactly as `ecs-model` serializes it, as for ECS: see the [parent module](super).
//!
//! Every write of this API is an upsert or a deletion (RegisterScalableTarget, PutScalingPolicy
//! and PutScheduledAction create or update by identity), so every call is safe to repeat; the
//! errors its eventual consistency gives are classified by
//! [`AwsError::is_not_yet_consistent`](super::AwsError::is_not_yet_consistent).

use super::{Api, Client, raw_json_client};

/// The Application Auto Scaling client: [`Client`] over `aws-sdk-applicationautoscaling`, with
/// the methods of [`Ecs`](super::Ecs) (`new`, `call`, `calls`, `retries`).
pub type AutoScaling = Client<aws_sdk_applicationautoscaling::Client>;

raw_json_client!(aws_sdk_applicationautoscaling::Client, Api::AutoScaling, {
    RegisterScalableTarget => register_scalable_target,
    DescribeScalableTargets => describe_scalable_targets,
    DeregisterScalableTarget => deregister_scalable_target,
    PutScalingPolicy => put_scaling_policy,
    DescribeScalingPolicies => describe_scaling_policies,
    DeleteScalingPolicy => delete_scaling_policy,
    PutScheduledAction => put_scheduled_action,
    DescribeScheduledActions => describe_scheduled_actions,
    DeleteScheduledAction => delete_scheduled_action,
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
        assert_eq!(Operation::RegisterScalableTarget.api(), Api::AutoScaling);
        assert_eq!(
            Operation::DeleteScheduledAction.to_string(),
            "Application Auto Scaling DeleteScheduledAction"
        );
    }

    #[test]
    fn autoscaling_codes_are_classified_for_autoscaling_calls_only() {
        let missing = answered(
            Operation::DeregisterScalableTarget,
            "ObjectNotFoundException",
        );
        assert!(missing.is_not_found());
        assert!(!answered(Operation::DescribeServices, "ObjectNotFoundException").is_not_found());
        // Right after CreateService: "ECS service doesn't exist" (a ValidationException).
        assert!(
            answered(Operation::RegisterScalableTarget, "ValidationException")
                .is_not_yet_consistent()
        );
        // Right after RegisterScalableTarget: the target is not seen yet.
        assert!(
            answered(Operation::PutScalingPolicy, "ObjectNotFoundException")
                .is_not_yet_consistent()
        );
        assert!(
            answered(Operation::PutScheduledAction, "ObjectNotFoundException")
                .is_not_yet_consistent()
        );
        assert!(
            answered(Operation::DeleteScalingPolicy, "ConcurrentUpdateException")
                .is_not_yet_consistent()
        );
        // A policy refused as invalid is not waited for, nor is a missing policy deleted.
        assert!(
            !answered(Operation::PutScalingPolicy, "ValidationException").is_not_yet_consistent()
        );
        assert!(!missing.is_not_yet_consistent());
        assert!(!answered(Operation::CreateService, "ValidationException").is_not_yet_consistent());
        assert!(
            answered(Operation::RegisterScalableTarget, "LimitExceededException")
                .is_limit_exceeded()
        );
        assert!(!answered(Operation::RunTask, "LimitExceededException").is_limit_exceeded());
    }

    #[test]
    fn every_call_is_safe_to_repeat() {
        for operation in [
            Operation::RegisterScalableTarget,
            Operation::PutScalingPolicy,
            Operation::PutScheduledAction,
            Operation::DeleteScalingPolicy,
            Operation::DeleteScheduledAction,
            Operation::DeregisterScalableTarget,
        ] {
            assert!(safe_to_repeat(
                operation,
                &json!({"ResourceId": "service/c/s"})
            ));
        }
    }

    #[tokio::test]
    async fn an_operation_of_another_api_is_refused_without_a_call() {
        let config = aws_types::SdkConfig::builder()
            .behavior_version(aws_config::BehaviorVersion::latest())
            .build();
        let client = AutoScaling::new(&config);
        let error = client
            .call(Operation::DescribeServices, &json!({}))
            .await
            .expect_err("an ECS operation");
        assert!(matches!(error, AwsError::WrongClient { .. }), "{error:?}");
        assert!(client.calls().is_empty());
    }
}
