//! Calls to Amazon EventBridge Scheduler through `aws-sdk-scheduler` (the `scheduler` feature),
//! with the AWS JSON of `ecs_model::scheduler` as request and response bodies.
//!
//! # restJson1: the URI members go on the SDK's typed input
//!
//! Unlike ECS and Cloud Map, EventBridge Scheduler speaks `restJson1` (the SDK 1.119 stores
//! `RestJsonProtocol`): a schedule's `Name` is a label of the URI (`POST /schedules/{Name}`),
//! GetSchedule and DeleteSchedule take `groupName` (and DeleteSchedule `clientToken`) in the
//! query string, ListSchedules takes all of its input in the query string (`ScheduleGroup`,
//! `NamePrefix`, `NextToken`, `MaxResults`), and TagResource and ListTagsForResource put the
//! group's ARN in the path. The SDK builds the URI from its typed input, so swapping the body
//! alone would send `POST /schedules/` with no name.
//!
//! So each call here takes the members AWS binds to the URI out of our JSON input and sets them
//! on the SDK's typed input (the SDK percent-encodes them as labels or query values), and sends
//! the rest as the JSON body through the shared [`RawJson`] interceptor: exactly the document
//! the SDK would serialize, for the members the AWS model puts in the body
//! (`protocol_serde::shape_create_schedule_input` of the crate lists them: `GroupName`,
//! `ScheduleExpression`, `Target`... for CreateSchedule and UpdateSchedule; `ClientToken` and
//! `Tags` for CreateScheduleGroup; `Tags` for TagResource). Calls without a body (the reads and
//! deletions) send none. The answers are read from the raw body as for the other APIs.
//!
//! The integration test `schedules` checks the wire requests against the local endpoint: a
//! schedule created this way is read back through the SDK's own typed GetSchedule.

use serde_json::{Map, Value};

use super::{Api, AwsError, Client, Operation, RawJson, RawSend, classify, sealed};

/// The EventBridge Scheduler client: [`Client`] over `aws-sdk-scheduler`, with the methods of
/// [`Ecs`](super::Ecs) (`new`, `call`, `calls`, `retries`).
pub type Scheduler = Client<aws_sdk_scheduler::Client>;

impl sealed::Sealed for aws_sdk_scheduler::Client {}

/// A string member of `input`.
fn text(input: &Map<String, Value>, key: &str) -> Option<String> {
    input.get(key).and_then(Value::as_str).map(str::to_owned)
}

/// `raw` with `body` as the request (its answer slot shared): the members of the input that
/// AWS reads from the body, without those bound to the URI. `None` sends no body at all.
fn with_body(raw: &RawJson, body: Option<Map<String, Value>>) -> RawJson {
    let bytes = body
        .map(|b| serde_json::to_vec(&Value::Object(b)).unwrap_or_default())
        .unwrap_or_default();
    RawJson {
        request: std::sync::Arc::new(bytes),
        response: std::sync::Arc::clone(&raw.response),
    }
}

impl RawSend for aws_sdk_scheduler::Client {
    const API: Api = Api::Scheduler;

    fn from_config(config: &aws_types::SdkConfig) -> Self {
        Self::new(config)
    }

    async fn send_raw(&self, operation: Operation, raw: RawJson) -> Result<(), AwsError> {
        let mut input: Map<String, Value> = match serde_json::from_slice(&raw.request) {
            Ok(Value::Object(input)) => input,
            Ok(_) | Err(_) => Map::new(),
        };
        macro_rules! send {
            ($request:expr, $raw:expr) => {{
                $request
                    .customize()
                    .interceptor($raw)
                    .send()
                    .await
                    .map(drop)
                    .map_err(|e| classify(operation, e))
            }};
        }
        match operation {
            Operation::CreateSchedule => {
                let name = input
                    .remove("Name")
                    .and_then(|v| v.as_str().map(str::to_owned));
                let raw = with_body(&raw, Some(input));
                send!(self.create_schedule().set_name(name), raw)
            }
            Operation::UpdateSchedule => {
                let name = input
                    .remove("Name")
                    .and_then(|v| v.as_str().map(str::to_owned));
                let raw = with_body(&raw, Some(input));
                send!(self.update_schedule().set_name(name), raw)
            }
            Operation::GetSchedule => {
                let request = self
                    .get_schedule()
                    .set_name(text(&input, "Name"))
                    .set_group_name(text(&input, "GroupName"));
                send!(request, with_body(&raw, None))
            }
            Operation::DeleteSchedule => {
                let request = self
                    .delete_schedule()
                    .set_name(text(&input, "Name"))
                    .set_group_name(text(&input, "GroupName"))
                    .set_client_token(text(&input, "ClientToken"));
                send!(request, with_body(&raw, None))
            }
            Operation::ListSchedules => {
                let request = self
                    .list_schedules()
                    .set_group_name(text(&input, "GroupName"))
                    .set_name_prefix(text(&input, "NamePrefix"))
                    .set_next_token(text(&input, "NextToken"))
                    .set_max_results(
                        input
                            .get("MaxResults")
                            .and_then(Value::as_i64)
                            .and_then(|n| i32::try_from(n).ok()),
                    );
                send!(request, with_body(&raw, None))
            }
            Operation::CreateScheduleGroup => {
                let name = input
                    .remove("Name")
                    .and_then(|v| v.as_str().map(str::to_owned));
                let raw = with_body(&raw, Some(input));
                send!(self.create_schedule_group().set_name(name), raw)
            }
            Operation::GetScheduleGroup => {
                let request = self.get_schedule_group().set_name(text(&input, "Name"));
                send!(request, with_body(&raw, None))
            }
            Operation::DeleteScheduleGroup => {
                let request = self
                    .delete_schedule_group()
                    .set_name(text(&input, "Name"))
                    .set_client_token(text(&input, "ClientToken"));
                send!(request, with_body(&raw, None))
            }
            Operation::TagSchedulerResource => {
                let arn = input
                    .remove("ResourceArn")
                    .and_then(|v| v.as_str().map(str::to_owned));
                let raw = with_body(&raw, Some(input));
                send!(self.tag_resource().set_resource_arn(arn), raw)
            }
            Operation::ListSchedulerTags => {
                let request = self
                    .list_tags_for_resource()
                    .set_resource_arn(text(&input, "ResourceArn"));
                send!(request, with_body(&raw, None))
            }
            other => Err(AwsError::WrongClient {
                operation: other,
                api: Api::Scheduler,
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::aws::safe_to_repeat;

    fn answered(operation: Operation, code: &str, status: u16) -> AwsError {
        AwsError::Service {
            operation,
            code: code.to_owned(),
            message: String::new(),
            status,
            request_id: None,
        }
    }

    #[test]
    fn scheduler_codes_are_classified_for_scheduler_calls_only() {
        assert!(answered(Operation::GetSchedule, "ResourceNotFoundException", 404).is_not_found());
        assert!(
            answered(
                Operation::GetScheduleGroup,
                "ResourceNotFoundException",
                404
            )
            .is_not_found()
        );
        // Another API's ResourceNotFoundException is not read as a missing schedule.
        assert!(
            !answered(
                Operation::DescribeServices,
                "ResourceNotFoundException",
                400
            )
            .is_not_found()
        );
        assert!(answered(Operation::CreateSchedule, "ConflictException", 409).is_conflict());
        assert!(!answered(Operation::CreateService, "ConflictException", 400).is_conflict());
        let invalid = answered(Operation::UpdateSchedule, "ValidationException", 400);
        assert!(invalid.is_validation() && !invalid.is_transient());
        let throttled = answered(Operation::ListSchedules, "ThrottlingException", 429);
        assert!(throttled.is_throttling() && throttled.is_transient());
        assert_eq!(Operation::CreateSchedule.api(), Api::Scheduler);
        assert_eq!(
            Operation::TagSchedulerResource.to_string(),
            "EventBridge Scheduler TagResource"
        );
    }

    #[test]
    fn creations_are_repeated_only_with_a_client_token() {
        for operation in [Operation::CreateSchedule, Operation::CreateScheduleGroup] {
            assert!(safe_to_repeat(
                operation,
                &json!({"Name": "a", "ClientToken": "t"})
            ));
            assert!(!safe_to_repeat(operation, &json!({"Name": "a"})));
        }
        assert!(safe_to_repeat(
            Operation::UpdateSchedule,
            &json!({"Name": "a"})
        ));
        assert!(safe_to_repeat(
            Operation::DeleteSchedule,
            &json!({"Name": "a"})
        ));
    }

    #[test]
    fn the_body_leaves_out_what_goes_in_the_uri() {
        let raw = RawJson::of(
            Operation::CreateSchedule,
            &json!({"Name": "n", "GroupName": "g", "ScheduleExpression": "rate(1 hour)"}),
        )
        .expect("json");
        let mut input: Map<String, Value> =
            serde_json::from_slice(&raw.request).expect("an object");
        input.remove("Name");
        let body = with_body(&raw, Some(input));
        assert_eq!(
            serde_json::from_slice::<Value>(&body.request).expect("json"),
            json!({"GroupName": "g", "ScheduleExpression": "rate(1 hour)"})
        );
        assert!(with_body(&raw, None).request.is_empty());
        assert!(std::sync::Arc::ptr_eq(&body.response, &raw.response));
    }
}
