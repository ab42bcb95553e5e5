//! Target groups: what a service's `loadBalancers[].targetGroupArn` names exists. It is an ARN,
//! a look-up `name:NAME`, or the `Name` of one of the stack's `targetGroups` (created by the
//! stack: nothing to look at).
//!
//! ELBv2 DescribeTargetGroups by `TargetGroupArns` or `Names` fails the call with
//! `TargetGroupNotFound` when one does not exist
//! (<https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_DescribeTargetGroups.html>).

use ecs_model::JsonPath;
use serde_json::{Value, json};

use super::{CheckKind, Found, Outcome, Target, Targets, each, text};
use crate::aws::{AwsError, Clients, Operation};

/// The target groups the stack's services name.
pub(crate) fn collect(doc: &Value, targets: &mut Targets) {
    let own: Vec<&str> = each(doc, "targetGroups", &JsonPath::root())
        .filter_map(|(group, _)| text(group, "Name"))
        .collect();
    for (service, at) in each(doc, "services", &JsonPath::root()) {
        for (binding, at) in each(service, "loadBalancers", &at) {
            if let Some(group) = text(binding, "targetGroupArn") {
                let target = targets.add(CheckKind::TargetGroup, group, at.key("targetGroupArn"));
                if own.contains(&group) {
                    target.with("own", "true");
                }
            }
        }
    }
}

/// Describes the group.
pub(crate) async fn check(clients: &Clients, target: &Target) -> Result<Found, AwsError> {
    let group = target.subject.as_str();
    if target.extra("own") == Some("true") {
        return Ok((Outcome::Skipped("created by this stack".to_owned()), None));
    }
    let input = if group.starts_with("arn:") {
        json!({ "TargetGroupArns": [group] })
    } else {
        json!({ "Names": [group.strip_prefix("name:").unwrap_or(group)] })
    };
    match clients.call(Operation::DescribeTargetGroups, &input).await {
        Ok(answer) => {
            let arn = answer
                .get("TargetGroups")
                .and_then(Value::as_array)
                .and_then(|groups| groups.first())
                .and_then(|g| text(g, "TargetGroupArn"));
            Ok(match arn {
                Some(arn) if arn == group => (Outcome::Ok("exists".to_owned()), None),
                Some(arn) => (Outcome::Ok(format!("exists: {arn}")), None),
                None => not_found(group),
            })
        }
        Err(e) if e.is_not_found() => Ok(not_found(group)),
        Err(e) if e.is_validation() || e.code() == Some("ValidationError") => Ok((
            Outcome::Failed(format!("not a target group ARN or name: {e}")),
            Some("name it by its ARN, as name:NAME, or by a stack target group's Name".to_owned()),
        )),
        Err(e) => Err(e),
    }
}

fn not_found(group: &str) -> Found {
    (
        Outcome::Failed(format!("no target group {group}")),
        Some(
            "create it, add it to the stack's targetGroups, or correct the ARN or name".to_owned(),
        ),
    )
}
