//! Calls to Amazon CloudWatch Logs through `aws-sdk-cloudwatchlogs` (the `logs` feature):
//! DescribeLogGroups (does an awslogs group exist, for `verify`) and GetLogEvents (the last lines
//! of a stopped task's log stream, for failure reports).
//!
//! CloudWatch Logs speaks `awsJson1_1` in the SDK version this crate uses (1.162:
//! `X-Amz-Target: Logs_20140328.<Operation>`), so the request body is the operation's input as
//! JSON and the answer is kept as JSON, as for ECS: see the [parent module](super). Both calls
//! are reads, safe to repeat.
//!
//! - DescribeLogGroups matches by prefix (`logGroupNamePrefix`) or pattern, never exactly, and
//!   pages with `nextToken`: [`log_group_exists`] looks for the exact name among the answers
//!   (<https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_DescribeLogGroups.html>).
//! - GetLogEvents answers `ResourceNotFoundException` for a group or stream that does not exist
//!   ([`AwsError::is_not_found`]); with `startFromHead` false (the default) and a `limit`, it
//!   answers the newest events, oldest first
//!   (<https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_GetLogEvents.html>).

use serde_json::{Value, json};

use super::{Api, AwsError, Client, Clients, Operation, raw_json_client};

/// The CloudWatch Logs client: [`Client`] over `aws-sdk-cloudwatchlogs`, with the methods of
/// [`Ecs`](super::Ecs) (`new`, `call`, `calls`, `retries`).
pub type Logs = Client<aws_sdk_cloudwatchlogs::Client>;

raw_json_client!(aws_sdk_cloudwatchlogs::Client, Api::Logs, {
    DescribeLogGroups => describe_log_groups,
    GetLogEvents => get_log_events,
});

impl Logs {
    /// The region the client calls, when its configuration names one.
    pub fn region(&self) -> Option<String> {
        self.sdk.config().region().map(|r| r.as_ref().to_owned())
    }
}

impl Clients {
    /// Calls CloudWatch Logs through `logs`.
    pub fn logs(mut self, logs: Logs) -> Self {
        self.logs = Some(logs);
        self
    }
}

/// The most pages of DescribeLogGroups read for one name: the prefix is the exact name, so more
/// than a few pages means many groups whose names start with it.
const MAX_PAGES: usize = 20;

/// Whether a log group named exactly `name` exists: DescribeLogGroups with the name as prefix,
/// paged, looking for the exact name (a prefix also matches `name-other`).
pub async fn log_group_exists(logs: &Logs, name: &str) -> Result<bool, AwsError> {
    let mut token: Option<String> = None;
    for _ in 0..MAX_PAGES {
        let mut input = json!({ "logGroupNamePrefix": name, "limit": 50 });
        if let Some(token) = &token {
            input["nextToken"] = json!(token);
        }
        let answer = logs.call(Operation::DescribeLogGroups, &input).await?;
        if group_named(&answer, name) {
            return Ok(true);
        }
        match answer.get("nextToken").and_then(Value::as_str) {
            Some(next) if !next.is_empty() && token.as_deref() != Some(next) => {
                token = Some(next.to_owned());
            }
            _ => return Ok(false),
        }
    }
    Ok(false)
}

/// Whether a DescribeLogGroups answer lists a group named exactly `name`.
fn group_named(answer: &Value, name: &str) -> bool {
    answer
        .get("logGroups")
        .and_then(Value::as_array)
        .is_some_and(|groups| {
            groups
                .iter()
                .any(|g| g.get("logGroupName").and_then(Value::as_str) == Some(name))
        })
}

/// One event of a log stream, as GetLogEvents answers it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct LogEvent {
    /// When the event happened, in milliseconds since the epoch.
    pub timestamp: i64,
    /// The line.
    pub message: String,
}

/// The last `lines` events of the stream `stream` of the group `group`, oldest first
/// (GetLogEvents with `startFromHead` false and `limit`). A group or stream that does not exist
/// is [`AwsError::is_not_found`].
pub async fn last_events(
    logs: &Logs,
    group: &str,
    stream: &str,
    lines: u32,
) -> Result<Vec<LogEvent>, AwsError> {
    let input = json!({
        "logGroupName": group,
        "logStreamName": stream,
        "startFromHead": false,
        "limit": lines.clamp(1, 10_000),
    });
    let answer = logs.call(Operation::GetLogEvents, &input).await?;
    Ok(events_of(&answer))
}

/// The events of a GetLogEvents answer.
fn events_of(answer: &Value) -> Vec<LogEvent> {
    answer
        .get("events")
        .and_then(Value::as_array)
        .map(|events| {
            events
                .iter()
                .map(|e| LogEvent {
                    timestamp: e
                        .get("timestamp")
                        .and_then(Value::as_i64)
                        .unwrap_or_default(),
                    message: e
                        .get("message")
                        .and_then(Value::as_str)
                        .unwrap_or_default()
                        .to_owned(),
                })
                .collect()
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_exact_name_is_the_group() {
        let answer =
            json!({"logGroups": [{"logGroupName": "/ecs/web-old"}, {"logGroupName": "/ecs/web"}]});
        assert!(group_named(&answer, "/ecs/web"));
        assert!(!group_named(&answer, "/ecs/we"));
        assert!(!group_named(&json!({}), "/ecs/web"));
    }

    #[test]
    fn events_are_read_in_order() {
        let answer = json!({"events": [
            {"timestamp": 1, "message": "starting", "ingestionTime": 2},
            {"timestamp": 3, "message": "exit 1"}
        ], "nextForwardToken": "f/1"});
        let events = events_of(&answer);
        assert_eq!(events.len(), 2);
        assert_eq!(events[1].message, "exit 1");
        assert_eq!(events[0].timestamp, 1);
    }

    #[test]
    fn logs_codes_are_classified_for_logs_calls_only() {
        let missing = AwsError::Service {
            operation: Operation::GetLogEvents,
            code: "ResourceNotFoundException".to_owned(),
            message: String::new(),
            status: 400,
            request_id: None,
        };
        assert!(missing.is_not_found());
        assert_eq!(Operation::GetLogEvents.api(), Api::Logs);
        assert_eq!(
            Operation::DescribeLogGroups.to_string(),
            "CloudWatch Logs DescribeLogGroups"
        );
    }
}
