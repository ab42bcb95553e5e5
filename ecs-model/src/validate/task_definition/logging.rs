//! Log configuration: the options the awslogs and splunk drivers need, FireLens log routers
//! and their clients, and the secrets a log configuration reads.

use crate::diagnostic::{Diagnostic, JsonPath};
use crate::types::{LogConfiguration, LogDriver};
use crate::validate::Rule;

use super::secrets::check_value_from;
use super::{TaskView, container_path, error, warning};

const API_LOG_CONFIGURATION: &str =
    "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_LogConfiguration.html";
const GUIDE_FIRELENS: &str =
    "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/firelens-taskdef.html";

/// awslogs options.
pub(crate) const AWSLOGS_OPTIONS: Rule = error(
    "awslogs-options",
    "The awslogs driver has the awslogs-group and awslogs-region options, and on Fargate \
     awslogs-stream-prefix too.",
    API_LOG_CONFIGURATION,
)
.cross_field();

/// awslogs multiline options.
pub(crate) const AWSLOGS_MULTILINE_CONFLICT: Rule = warning(
    "awslogs-multiline-conflict",
    "awslogs-datetime-format and awslogs-multiline-pattern are not both set; the pattern \
     would be ignored.",
    API_LOG_CONFIGURATION,
);

/// splunk options.
pub(crate) const SPLUNK_OPTIONS: Rule = error(
    "splunk-options",
    "The splunk driver has splunk-url in options and splunk-token in options or secretOptions.",
    API_LOG_CONFIGURATION,
)
.cross_field();

/// awsfirelens needs a log router.
pub(crate) const FIRELENS_ROUTER_MISSING: Rule = error(
    "firelens-router-missing",
    "A container that logs with awsfirelens needs a log router: a container with \
     firelensConfiguration in the same task definition.",
    GUIDE_FIRELENS,
)
.cross_field();

/// A log router needs a client.
pub(crate) const FIRELENS_ROUTER_UNUSED: Rule = error(
    "firelens-router-unused",
    "A task definition with a firelensConfiguration has a container that logs with awsfirelens.",
    GUIDE_FIRELENS,
)
.cross_field();

/// One log router.
pub(crate) const FIRELENS_MULTIPLE_ROUTERS: Rule = warning(
    "firelens-multiple-routers",
    "A task definition has one FireLens log router; ECS routes awsfirelens logs to a single one.",
    GUIDE_FIRELENS,
);

pub(super) fn check(task: &TaskView<'_>, out: &mut Vec<Diagnostic>) {
    let routers: Vec<usize> = task
        .containers
        .iter()
        .enumerate()
        .filter(|(_, c)| c.firelens_configuration.is_some())
        .map(|(i, _)| i)
        .collect();
    let mut routed = false;
    for (i, container) in task.containers.iter().enumerate() {
        let Some(log) = &container.log_configuration else {
            continue;
        };
        let at = container_path(i).key("logConfiguration");
        match log.log_driver {
            Some(LogDriver::Awslogs) => check_awslogs(task.fargate, log, &at, out),
            Some(LogDriver::Splunk) => check_splunk(log, &at, out),
            Some(LogDriver::Awsfirelens) => {
                routed = true;
                if routers.is_empty() {
                    out.push(
                        FIRELENS_ROUTER_MISSING
                            .at(
                                at.clone().key("logDriver"),
                                "the container logs with awsfirelens, but no container is a \
                                 FireLens log router",
                            )
                            .with_hint(
                                "add a log router container with \"firelensConfiguration\": \
                                 {\"type\": \"fluentbit\"}",
                            ),
                    );
                }
            }
            _ => {}
        }
        for (k, secret) in log.secret_options.iter().flatten().enumerate() {
            check_value_from(secret, &at.clone().key("secretOptions").index(k), out);
        }
    }
    if !routed {
        for &r in &routers {
            out.push(
                FIRELENS_ROUTER_UNUSED
                    .at(
                        container_path(r).key("firelensConfiguration"),
                        "this container is a FireLens log router, but no container logs with awsfirelens",
                    )
                    .with_hint(
                        "set \"logDriver\": \"awsfirelens\" on the containers whose logs it \
                         routes, or remove firelensConfiguration",
                    ),
            );
        }
    }
    for &r in routers.iter().skip(1) {
        out.push(
            FIRELENS_MULTIPLE_ROUTERS
                .at(
                    container_path(r).key("firelensConfiguration"),
                    format!("{} containers are FireLens log routers", routers.len()),
                )
                .with_hint(
                    "keep one log router; route to several destinations from its configuration",
                ),
        );
    }
}

fn option_set(log: &LogConfiguration, key: &str) -> bool {
    log.options
        .as_ref()
        .and_then(|o| o.get(key))
        .is_some_and(|v| !v.trim().is_empty())
}

fn check_awslogs(fargate: bool, log: &LogConfiguration, at: &JsonPath, out: &mut Vec<Diagnostic>) {
    let options = at.clone().key("options");
    let mut required = vec!["awslogs-group", "awslogs-region"];
    if fargate {
        required.push("awslogs-stream-prefix");
    }
    for key in required {
        if !option_set(log, key) {
            let on = if key == "awslogs-stream-prefix" {
                " on Fargate"
            } else {
                ""
            };
            out.push(
                AWSLOGS_OPTIONS
                    .at(
                        options.clone().key(key),
                        format!("the awslogs driver has no `{key}` option{on}"),
                    )
                    .with_hint(format!("add \"{key}\" to logConfiguration.options")),
            );
        }
    }
    if option_set(log, "awslogs-datetime-format") && option_set(log, "awslogs-multiline-pattern") {
        out.push(
            AWSLOGS_MULTILINE_CONFLICT
                .at(
                    options.key("awslogs-multiline-pattern"),
                    "both awslogs-datetime-format and awslogs-multiline-pattern are set; the \
                     pattern is ignored",
                )
                .with_hint("keep one of the two options"),
        );
    }
}

fn check_splunk(log: &LogConfiguration, at: &JsonPath, out: &mut Vec<Diagnostic>) {
    let options = at.clone().key("options");
    if !option_set(log, "splunk-url") {
        out.push(
            SPLUNK_OPTIONS
                .at(
                    options.clone().key("splunk-url"),
                    "the splunk driver has no `splunk-url` option",
                )
                .with_hint("add \"splunk-url\": \"https://your-splunk:8088\" to the options"),
        );
    }
    let token_secret = log
        .secret_options
        .iter()
        .flatten()
        .any(|s| s.name.as_deref() == Some("splunk-token"));
    if !option_set(log, "splunk-token") && !token_secret {
        out.push(
            SPLUNK_OPTIONS
                .at(
                    options.key("splunk-token"),
                    "the splunk driver has no `splunk-token`, in options or secretOptions",
                )
                .with_hint(
                    "add a secretOptions entry named splunk-token, from Secrets Manager or SSM",
                ),
        );
    }
}
