//! Rules for the stack's `scheduledTasks` (EventBridge Scheduler CreateSchedule inputs that run
//! a task of the stack) and the schedule expressions they and scaling's scheduled actions share.

use std::collections::HashMap;

use crate::diagnostic::{Diagnostic, JsonPath, Severity};
use crate::facts::is_arn;
use crate::scheduler::{CreateScheduleInput, FlexibleTimeWindowMode};
use crate::stack::Stack;
use crate::types::NetworkMode;
use crate::validate::Rule;

use super::references::cluster_name;

const CREATE_SCHEDULE_DOC: &str =
    "https://docs.aws.amazon.com/scheduler/latest/APIReference/API_CreateSchedule.html";

/// The schedule group AWS puts a schedule in when the request names none.
pub(crate) const DEFAULT_GROUP: &str = "default";

/// A schedule expression is `at(...)`, `rate(...)` or `cron(...)` in AWS's syntax.
pub(crate) const SCHEDULE_EXPRESSION: Rule = Rule {
    code: "stack-schedule-expression",
    severity: Severity::Error,
    summary: "A scheduled task's ScheduleExpression is at(yyyy-mm-ddThh:mm:ss), rate(N minutes|hours|days) or cron() with six fields.",
    doc: CREATE_SCHEDULE_DOC,
    cross_field: true,
};

/// The flexible time window is set, and its maximum fits its mode.
pub(crate) const SCHEDULE_WINDOW: Rule = Rule {
    code: "stack-schedule-window",
    severity: Severity::Error,
    summary: "A scheduled task's FlexibleTimeWindow is OFF, or FLEXIBLE with MaximumWindowInMinutes from 1 to 1440.",
    doc: "https://docs.aws.amazon.com/scheduler/latest/APIReference/API_FlexibleTimeWindow.html",
    cross_field: true,
};

/// A scheduled task runs an ECS task: its target has EcsParameters with a task definition.
pub(crate) const SCHEDULE_TARGET: Rule = Rule {
    code: "stack-schedule-target",
    severity: Severity::Error,
    summary: "A scheduled task's Target has EcsParameters naming its task definition, and its Arn names the cluster.",
    doc: "https://docs.aws.amazon.com/scheduler/latest/APIReference/API_EcsParameters.html",
    cross_field: true,
};

/// The scheduled task's cluster and task definition are in the stack.
pub(crate) const UNKNOWN_SCHEDULE_REFERENCE: Rule = Rule {
    code: "stack-schedule-unknown-reference",
    severity: Severity::Warning,
    summary: "A scheduled task's cluster (Target.Arn) and task definition (EcsParameters.TaskDefinitionArn) are the stack's, by name; an ARN or another name must already exist in AWS.",
    doc: CREATE_SCHEDULE_DOC,
    cross_field: true,
};

/// A task definition with the awsvpc network mode runs with a network configuration.
pub(crate) const SCHEDULE_NETWORK: Rule = Rule {
    code: "stack-schedule-network",
    severity: Severity::Error,
    summary: "A scheduled task whose task definition uses the awsvpc network mode has EcsParameters.NetworkConfiguration.awsvpcConfiguration with subnets.",
    doc: "https://docs.aws.amazon.com/scheduler/latest/APIReference/API_NetworkConfiguration.html",
    cross_field: true,
};

/// Schedule names are unique within their group.
pub(crate) const DUPLICATE_SCHEDULE: Rule = Rule {
    code: "stack-duplicate-schedule",
    severity: Severity::Error,
    summary: "Each scheduled task's Name appears once in its schedule group.",
    doc: CREATE_SCHEDULE_DOC,
    cross_field: true,
};

/// What is wrong with a schedule expression, if anything: the syntax that EventBridge
/// Scheduler and Application Auto Scaling share (`at(yyyy-mm-ddThh:mm:ss)`, `rate(value unit)`
/// with a positive whole value and a unit of minute(s), hour(s) or day(s), and `cron(fields)`
/// with six fields of which day-of-month or day-of-week is `?`).
pub(crate) fn expression_problem(expression: &str) -> Option<String> {
    let Some((kind, rest)) = expression.split_once('(') else {
        return Some("it is not at(...), rate(...) or cron(...)".to_owned());
    };
    let Some(body) = rest.strip_suffix(')') else {
        return Some("it does not end with `)`".to_owned());
    };
    match kind {
        "at" => at_problem(body),
        "rate" => rate_problem(body),
        "cron" => cron_problem(body),
        other => Some(format!(
            "`{other}(` is not a schedule type: use at(...), rate(...) or cron(...)"
        )),
    }
}

fn at_problem(body: &str) -> Option<String> {
    let bytes = body.as_bytes();
    let shape_ok = bytes.len() == 19
        && bytes.iter().enumerate().all(|(i, b)| match i {
            4 | 7 => *b == b'-',
            10 => *b == b'T',
            13 | 16 => *b == b':',
            _ => b.is_ascii_digit(),
        });
    if !shape_ok {
        return Some(format!(
            "at({body}) is not at(yyyy-mm-ddThh:mm:ss), such as at(2027-01-31T03:00:00)"
        ));
    }
    let field = |range: std::ops::Range<usize>| body[range].parse::<u32>().unwrap_or(u32::MAX);
    let (month, day, hour, minute, second) = (
        field(5..7),
        field(8..10),
        field(11..13),
        field(14..16),
        field(17..19),
    );
    if !(1..=12).contains(&month)
        || !(1..=31).contains(&day)
        || hour > 23
        || minute > 59
        || second > 59
    {
        return Some(format!("at({body}) is not a valid date and time"));
    }
    None
}

fn rate_problem(body: &str) -> Option<String> {
    let mut words = body.split_whitespace();
    let (Some(value), Some(unit), None) = (words.next(), words.next(), words.next()) else {
        return Some(format!(
            "rate({body}) is not rate(value unit), such as rate(5 minutes)"
        ));
    };
    match value.parse::<u64>() {
        Ok(0) | Err(_) => {
            return Some(format!(
                "rate({body}): the value must be a positive whole number"
            ));
        }
        Ok(_) => {}
    }
    if !matches!(
        unit,
        "minute" | "minutes" | "hour" | "hours" | "day" | "days"
    ) {
        return Some(format!(
            "rate({body}): the unit `{unit}` is not minute(s), hour(s) or day(s)"
        ));
    }
    None
}

fn cron_problem(body: &str) -> Option<String> {
    let fields: Vec<&str> = body.split_whitespace().collect();
    if fields.len() != 6 {
        return Some(format!(
            "cron({body}) has {} fields; it takes six: minutes hours day-of-month month \
             day-of-week year",
            fields.len()
        ));
    }
    let (day_of_month, day_of_week) = (fields[2], fields[4]);
    if day_of_month != "?" && day_of_week != "?" {
        return Some(format!(
            "cron({body}) sets both day-of-month (`{day_of_month}`) and day-of-week \
             (`{day_of_week}`); one of them must be `?`"
        ));
    }
    None
}

pub(super) fn check(stack: &Stack, out: &mut Vec<Diagnostic>) {
    let mut seen: HashMap<(&str, &str), usize> = HashMap::new();
    for (i, schedule) in stack.scheduled_tasks.iter().enumerate() {
        let path = JsonPath::root().key("scheduledTasks").index(i);
        if let Some(name) = schedule.name.as_deref() {
            let group = schedule.group_name.as_deref().unwrap_or(DEFAULT_GROUP);
            if let Some(first) = seen.get(&(group, name)) {
                out.push(
                    DUPLICATE_SCHEDULE
                        .at(
                            path.clone().key("Name"),
                            format!(
                                "schedule `{name}` in group `{group}` is defined again (first at \
                                 item {first})"
                            ),
                        )
                        .with_hint("rename one of them, or put it in another GroupName"),
                );
            } else {
                seen.insert((group, name), i);
            }
        }
        if let Some(expression) = schedule.schedule_expression.as_deref()
            && let Some(problem) = expression_problem(expression)
        {
            out.push(
                SCHEDULE_EXPRESSION
                    .at(path.clone().key("ScheduleExpression"), problem)
                    .with_hint(
                        "write at(2027-01-31T03:00:00), rate(1 hour) or cron(0 3 * * ? *); the \
                         time zone is ScheduleExpressionTimezone (UTC when unset)",
                    ),
            );
        }
        check_window(schedule, &path, out);
        check_target(stack, schedule, &path, out);
    }
}

fn check_window(schedule: &CreateScheduleInput, path: &JsonPath, out: &mut Vec<Diagnostic>) {
    let Some(window) = &schedule.flexible_time_window else {
        // The loader reports the missing required member.
        return;
    };
    let at = path.clone().key("FlexibleTimeWindow");
    match (&window.mode, window.maximum_window_in_minutes) {
        (Some(FlexibleTimeWindowMode::Flexible), None) => out.push(
            SCHEDULE_WINDOW
                .at(
                    at.key("MaximumWindowInMinutes"),
                    "the window is FLEXIBLE but has no MaximumWindowInMinutes",
                )
                .with_hint("set MaximumWindowInMinutes (1 to 1440), or set Mode to OFF"),
        ),
        (Some(FlexibleTimeWindowMode::Flexible), Some(minutes))
            if !(1..=1440).contains(&minutes) =>
        {
            out.push(
                SCHEDULE_WINDOW
                    .at(
                        at.key("MaximumWindowInMinutes"),
                        format!("MaximumWindowInMinutes is {minutes}; it ranges from 1 to 1440"),
                    )
                    .with_hint("a flexible window lasts from 1 minute to 24 hours"),
            );
        }
        (Some(FlexibleTimeWindowMode::Off), Some(_)) => out.push(
            SCHEDULE_WINDOW
                .at(
                    at.key("MaximumWindowInMinutes"),
                    "the window is OFF, so it takes no MaximumWindowInMinutes",
                )
                .with_hint("remove MaximumWindowInMinutes, or set Mode to FLEXIBLE"),
        ),
        _ => {}
    }
}

fn check_target(
    stack: &Stack,
    schedule: &CreateScheduleInput,
    path: &JsonPath,
    out: &mut Vec<Diagnostic>,
) {
    let Some(target) = &schedule.target else {
        return;
    };
    let at = path.clone().key("Target");
    if let Some(cluster) = target.arn.as_deref()
        && !is_arn(cluster)
        && !stack.clusters.iter().any(|c| cluster_name(c) == cluster)
    {
        out.push(
            UNKNOWN_SCHEDULE_REFERENCE
                .at(
                    at.clone().key("Arn"),
                    format!("cluster `{cluster}` is not defined in the stack"),
                )
                .with_hint("name one of the stack's clusters, or give the ARN of one in AWS"),
        );
    }
    let Some(family_ref) = target
        .ecs_parameters
        .as_ref()
        .and_then(|p| p.task_definition_arn.as_deref())
    else {
        out.push(
            SCHEDULE_TARGET
                .at(
                    at.key("EcsParameters"),
                    "the target has no EcsParameters.TaskDefinitionArn: a scheduled task runs an \
                     ECS task definition",
                )
                .with_hint(
                    "set EcsParameters.TaskDefinitionArn to a family of the stack (or an ARN)",
                ),
        );
        return;
    };
    if is_arn(family_ref) {
        return;
    }
    let family = family_ref.split(':').next().unwrap_or(family_ref);
    let params_at = at.key("EcsParameters");
    let Some(td) = stack
        .task_definitions
        .iter()
        .find(|td| td.family.as_deref() == Some(family))
    else {
        out.push(
            UNKNOWN_SCHEDULE_REFERENCE
                .at(
                    params_at.key("TaskDefinitionArn"),
                    format!("task definition family `{family}` is not defined in the stack"),
                )
                .with_hint("name a family of the stack, or give the ARN of a revision in AWS"),
        );
        return;
    };
    let has_subnets = target
        .ecs_parameters
        .as_ref()
        .and_then(|p| p.network_configuration.as_ref())
        .and_then(|n| n.awsvpc_configuration.as_ref())
        .and_then(|a| a.subnets.as_ref())
        .is_some_and(|s| !s.is_empty());
    if matches!(td.network_mode, Some(NetworkMode::Awsvpc)) && !has_subnets {
        out.push(
            SCHEDULE_NETWORK
                .at(
                    params_at.key("NetworkConfiguration"),
                    format!(
                        "task definition `{family}` uses the awsvpc network mode, and the \
                         schedule gives no subnets"
                    ),
                )
                .with_hint(
                    "set NetworkConfiguration.awsvpcConfiguration.Subnets (lookups such as \
                     `default` work as in services)",
                ),
        );
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::load::from_value;

    fn codes(stack: serde_json::Value) -> Vec<(String, String)> {
        let stack = from_value::<Stack>(&stack).value.expect("a stack");
        let mut out = Vec::new();
        check(&stack, &mut out);
        out.into_iter()
            .map(|d| (d.code.to_string(), d.path.to_string()))
            .collect()
    }

    fn schedule(extra: serde_json::Value) -> serde_json::Value {
        let mut base = json!({
            "Name": "nightly",
            "ScheduleExpression": "cron(0 3 * * ? *)",
            "FlexibleTimeWindow": { "Mode": "OFF" },
            "Target": {
                "Arn": "demo",
                "RoleArn": "arn:aws:iam::123456789012:role/scheduler",
                "EcsParameters": { "TaskDefinitionArn": "report" }
            }
        });
        if let (Some(base), Some(extra)) = (base.as_object_mut(), extra.as_object()) {
            for (k, v) in extra {
                base.insert(k.clone(), v.clone());
            }
        }
        base
    }

    fn stack_with(schedules: Vec<serde_json::Value>) -> serde_json::Value {
        json!({
            "clusters": [ { "clusterName": "demo" } ],
            "taskDefinitions": [ {
                "family": "report",
                "containerDefinitions": [ { "name": "report", "image": "report:1", "memory": 128 } ]
            } ],
            "scheduledTasks": schedules
        })
    }

    #[test]
    fn expressions_in_each_form_are_read() {
        for good in [
            "at(2027-01-31T03:00:00)",
            "rate(1 hour)",
            "rate(5 minutes)",
            "rate(2 days)",
            "cron(0 3 * * ? *)",
            "cron(15 10 ? * MON-FRI *)",
        ] {
            assert_eq!(expression_problem(good), None, "{good}");
        }
        for bad in [
            "every day",
            "at(2027-13-31T03:00:00)",
            "at(2027-01-31 03:00)",
            "rate(0 minutes)",
            "rate(5 weeks)",
            "rate(five minutes)",
            "cron(0 3 * * *)",
            "cron(0 3 1 * MON *)",
            "daily(3)",
            "rate(5 minutes",
        ] {
            assert!(expression_problem(bad).is_some(), "{bad}");
        }
    }

    #[test]
    fn a_valid_scheduled_task_has_no_problem() {
        assert_eq!(codes(stack_with(vec![schedule(json!({}))])), vec![]);
    }

    #[test]
    fn a_bad_expression_is_reported_at_its_member() {
        assert_eq!(
            codes(stack_with(vec![schedule(
                json!({ "ScheduleExpression": "rate(5 weeks)" })
            )])),
            vec![(
                "stack-schedule-expression".to_owned(),
                "scheduledTasks[0].ScheduleExpression".to_owned()
            )]
        );
    }

    #[test]
    fn a_flexible_window_needs_a_maximum_in_range() {
        let found = codes(stack_with(vec![
            schedule(json!({ "FlexibleTimeWindow": { "Mode": "FLEXIBLE" } })),
            schedule(
                json!({ "Name": "b", "FlexibleTimeWindow": { "Mode": "FLEXIBLE", "MaximumWindowInMinutes": 2000 } }),
            ),
            schedule(
                json!({ "Name": "c", "FlexibleTimeWindow": { "Mode": "OFF", "MaximumWindowInMinutes": 5 } }),
            ),
            schedule(
                json!({ "Name": "d", "FlexibleTimeWindow": { "Mode": "FLEXIBLE", "MaximumWindowInMinutes": 15 } }),
            ),
        ]));
        let paths: Vec<&str> = found.iter().map(|(_, p)| p.as_str()).collect();
        assert!(
            found.iter().all(|(c, _)| c == "stack-schedule-window"),
            "{found:?}"
        );
        assert_eq!(
            paths,
            [
                "scheduledTasks[0].FlexibleTimeWindow.MaximumWindowInMinutes",
                "scheduledTasks[1].FlexibleTimeWindow.MaximumWindowInMinutes",
                "scheduledTasks[2].FlexibleTimeWindow.MaximumWindowInMinutes",
            ]
        );
    }

    #[test]
    fn references_the_stack_lacks_are_warned_and_a_missing_task_is_an_error() {
        let found = codes(stack_with(vec![
            schedule(
                json!({ "Target": { "Arn": "other", "RoleArn": "arn:aws:iam::1:role/r",
                                         "EcsParameters": { "TaskDefinitionArn": "nope:3" } } }),
            ),
            schedule(
                json!({ "Name": "b", "Target": { "Arn": "demo", "RoleArn": "arn:aws:iam::1:role/r" } }),
            ),
        ]));
        assert_eq!(
            found,
            vec![
                (
                    "stack-schedule-unknown-reference".to_owned(),
                    "scheduledTasks[0].Target.Arn".to_owned()
                ),
                (
                    "stack-schedule-unknown-reference".to_owned(),
                    "scheduledTasks[0].Target.EcsParameters.TaskDefinitionArn".to_owned()
                ),
                (
                    "stack-schedule-target".to_owned(),
                    "scheduledTasks[1].Target.EcsParameters".to_owned()
                ),
            ]
        );
    }

    #[test]
    fn an_awsvpc_task_needs_subnets_and_names_repeat_only_across_groups() {
        let mut stack = stack_with(vec![
            schedule(json!({})),
            schedule(json!({})),
            schedule(json!({ "GroupName": "batch" })),
        ]);
        stack["taskDefinitions"][0]["networkMode"] = json!("awsvpc");
        let found = codes(stack);
        assert_eq!(
            found,
            vec![
                (
                    "stack-schedule-network".to_owned(),
                    "scheduledTasks[0].Target.EcsParameters.NetworkConfiguration".to_owned()
                ),
                (
                    "stack-duplicate-schedule".to_owned(),
                    "scheduledTasks[1].Name".to_owned()
                ),
                (
                    "stack-schedule-network".to_owned(),
                    "scheduledTasks[1].Target.EcsParameters.NetworkConfiguration".to_owned()
                ),
                (
                    "stack-schedule-network".to_owned(),
                    "scheduledTasks[2].Target.EcsParameters.NetworkConfiguration".to_owned()
                ),
            ]
        );
    }
}
