//! A container's `healthCheck`: the command's form and the bounds of its timings.

use crate::diagnostic::{Diagnostic, JsonPath};
use crate::types::ContainerDefinition;
use crate::validate::Rule;

use super::error;

const API_HEALTH_CHECK: &str =
    "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_HealthCheck.html";

/// Health check command form.
pub(crate) const HEALTH_CHECK_COMMAND: Rule = error(
    "health-check-command",
    "A health check command starts with CMD or CMD-SHELL, followed by the command.",
    API_HEALTH_CHECK,
);

/// Health check interval bounds.
pub(crate) const HEALTH_CHECK_INTERVAL: Rule = error(
    "health-check-interval",
    "A health check interval is 5 to 300 seconds.",
    API_HEALTH_CHECK,
);

/// Health check timeout bounds.
pub(crate) const HEALTH_CHECK_TIMEOUT: Rule = error(
    "health-check-timeout",
    "A health check timeout is 2 to 60 seconds.",
    API_HEALTH_CHECK,
);

/// Health check retries bounds.
pub(crate) const HEALTH_CHECK_RETRIES: Rule = error(
    "health-check-retries",
    "A health check retries 1 to 10 times.",
    API_HEALTH_CHECK,
);

/// Health check start period bounds.
pub(crate) const HEALTH_CHECK_START_PERIOD: Rule = error(
    "health-check-start-period",
    "A health check start period is 0 to 300 seconds.",
    API_HEALTH_CHECK,
);

/// A health check member, its rule and the values AWS accepts.
struct Bound<'a> {
    rule: &'a Rule,
    key: &'a str,
    value: Option<i32>,
    range: std::ops::RangeInclusive<i32>,
    unit: &'a str,
}

impl<'a> Bound<'a> {
    fn new(
        rule: &'a Rule,
        key: &'a str,
        value: Option<i32>,
        range: std::ops::RangeInclusive<i32>,
        unit: &'a str,
    ) -> Self {
        Self {
            rule,
            key,
            value,
            range,
            unit,
        }
    }
}

pub(super) fn check(container: &ContainerDefinition, at: &JsonPath, out: &mut Vec<Diagnostic>) {
    let Some(check) = &container.health_check else {
        return;
    };
    let at = at.clone().key("healthCheck");
    let hint = "write [\"CMD-SHELL\", \"curl -f http://localhost/ || exit 1\"] or [\"CMD\", \"program\", \"arg\"]";
    match check.command.as_deref() {
        None => {} // the loader reports the missing member
        Some([]) => out.push(
            HEALTH_CHECK_COMMAND
                .at(
                    at.clone().key("command"),
                    "the health check command is empty",
                )
                .with_hint(hint),
        ),
        Some([first, ..]) if first != "CMD" && first != "CMD-SHELL" => out.push(
            HEALTH_CHECK_COMMAND
                .at(
                    at.clone().key("command").index(0),
                    format!("the health check command starts with `{first}`, not CMD or CMD-SHELL"),
                )
                .with_hint(hint),
        ),
        Some([first]) => out.push(
            HEALTH_CHECK_COMMAND
                .at(
                    at.clone().key("command"),
                    format!("the health check command is `{first}` with nothing to run"),
                )
                .with_hint(hint),
        ),
        Some(_) => {}
    }
    let bounds = [
        Bound::new(
            &HEALTH_CHECK_INTERVAL,
            "interval",
            check.interval,
            5..=300,
            " seconds",
        ),
        Bound::new(
            &HEALTH_CHECK_TIMEOUT,
            "timeout",
            check.timeout,
            2..=60,
            " seconds",
        ),
        Bound::new(&HEALTH_CHECK_RETRIES, "retries", check.retries, 1..=10, ""),
        Bound::new(
            &HEALTH_CHECK_START_PERIOD,
            "startPeriod",
            check.start_period,
            0..=300,
            " seconds",
        ),
    ];
    for Bound {
        rule,
        key,
        value,
        range,
        unit,
    } in bounds
    {
        let (min, max) = (*range.start(), *range.end());
        if let Some(value) = value
            && !range.contains(&value)
        {
            out.push(
                rule.at(
                    at.clone().key(key),
                    format!("health check {key} is {value}{unit}; AWS accepts {min} to {max}"),
                )
                .with_hint(format!("set {key} from {min} to {max}{unit}")),
            );
        }
    }
}
