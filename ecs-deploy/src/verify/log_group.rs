//! Log groups: the `awslogs-group` of a container's `awslogs` log configuration exists, unless
//! `awslogs-create-group` is `"true"` (then the agent creates it, which needs
//! `logs:CreateLogGroup` in the execution role)
//! (<https://docs.aws.amazon.com/AmazonECS/latest/developerguide/using_awslogs.html>).
//!
//! CloudWatch Logs DescribeLogGroups matches by prefix, so the exact name is looked for among
//! the answers ([`crate::aws::logs::log_group_exists`]); a group in another region
//! (`awslogs-region`) than the client's is skipped.

use ecs_model::JsonPath;
use serde_json::Value;

use super::{CheckKind, Found, Outcome, Target, Targets, each, text};
use crate::aws::{AwsError, Clients};

/// The log groups of the stack's `awslogs` containers.
pub(crate) fn collect(doc: &Value, targets: &mut Targets) {
    for (definition, at) in each(doc, "taskDefinitions", &JsonPath::root()) {
        for (container, at) in each(definition, "containerDefinitions", &at) {
            let Some(config) = container.get("logConfiguration") else {
                continue;
            };
            if text(config, "logDriver") != Some("awslogs") {
                continue;
            }
            let options = config.get("options").unwrap_or(&Value::Null);
            let Some(group) = text(options, "awslogs-group") else {
                continue;
            };
            let path = at
                .key("logConfiguration")
                .key("options")
                .key("awslogs-group");
            let target = targets.add(CheckKind::LogGroup, group, path);
            if let Some(region) = text(options, "awslogs-region") {
                target.with("region", region);
            }
            if text(options, "awslogs-create-group").is_some_and(|c| c.eq_ignore_ascii_case("true"))
            {
                target.with("create", "true");
            }
        }
    }
}

/// Looks for the group by its exact name.
pub(crate) async fn check(clients: &Clients, target: &Target) -> Result<Found, AwsError> {
    if target.extra("create") == Some("true") {
        return Ok((
            Outcome::Skipped(
                "awslogs-create-group is true: ECS creates it (the execution role needs \
                 logs:CreateLogGroup)"
                    .to_owned(),
            ),
            None,
        ));
    }
    #[cfg(feature = "logs")]
    {
        let Some(logs) = &clients.logs else {
            return Ok((
                Outcome::Skipped("no CloudWatch Logs client".to_owned()),
                None,
            ));
        };
        if let (Some(region), Some(client)) = (target.extra("region"), logs.region())
            && region != client
        {
            return Ok((
                Outcome::Skipped(format!(
                    "in region {region} (awslogs-region), and verify reads region {client}"
                )),
                None,
            ));
        }
        let name = &target.subject;
        Ok(if crate::aws::logs::log_group_exists(logs, name).await? {
            (Outcome::Ok("exists".to_owned()), None)
        } else {
            (
                Outcome::Failed(format!("no log group {name}")),
                Some(format!(
                    "create it (aws logs create-log-group --log-group-name {name}), or set \
                     \"awslogs-create-group\": \"true\" in the options"
                )),
            )
        })
    }
    #[cfg(not(feature = "logs"))]
    {
        let _ = clients;
        Ok((
            Outcome::Skipped("no CloudWatch Logs client (the `logs` feature is off)".to_owned()),
            None,
        ))
    }
}
