//! Task-level options and what the platform allows: ephemeral storage, placement constraints,
//! the App Mesh proxy container, and the parameters Windows and the awsvpc network mode do not
//! support. The Fargate limits are in [`crate::validate::fargate`].

use crate::diagnostic::{Diagnostic, JsonPath};
use crate::types::NetworkMode;
use crate::validate::Rule;

use super::{API_CONTAINER, API_TASK_DEFINITION, Network, TaskView, container_path, error};

/// Ephemeral storage bounds.
pub(crate) const EPHEMERAL_STORAGE_SIZE: Rule = error(
    "ephemeral-storage-size",
    "ephemeralStorage.sizeInGiB is 21 to 200.",
    "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_EphemeralStorage.html",
);

/// At most 10 placement constraints.
pub(crate) const PLACEMENT_CONSTRAINT_LIMIT: Rule = error(
    "placement-constraint-limit",
    "A task has at most 10 placement constraints, counting those given at run time.",
    API_TASK_DEFINITION,
);

/// The App Mesh proxy container exists.
pub(crate) const PROXY_CONTAINER_MISSING: Rule = error(
    "proxy-container-missing",
    "proxyConfiguration.containerName names a container of the task definition.",
    "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ProxyConfiguration.html",
)
.cross_field();

/// Windows limits.
pub(crate) const WINDOWS_UNSUPPORTED_PARAMETER: Rule = error(
    "windows-unsupported-parameter",
    "A Windows task definition does not use pidMode, ipcMode, the bridge, host or none \
     network modes, links, privileged, extraHosts, dnsServers or disableNetworking.",
    API_CONTAINER,
);

/// awsvpc limits.
pub(crate) const AWSVPC_UNSUPPORTED_PARAMETER: Rule = error(
    "awsvpc-unsupported-parameter",
    "In the awsvpc network mode, containers do not set hostname or extraHosts.",
    API_CONTAINER,
);

/// Runs the task-option and platform rules.
pub(super) fn check(task: &TaskView<'_>, out: &mut Vec<Diagnostic>) {
    check_task_options(task, out);
    check_windows(task, out);
    check_awsvpc(task, out);
}

fn check_task_options(task: &TaskView<'_>, out: &mut Vec<Diagnostic>) {
    let td = task.td;
    if let Some(size) = td.ephemeral_storage.as_ref().and_then(|e| e.size_in_gib)
        && !(21..=200).contains(&size)
    {
        out.push(
            EPHEMERAL_STORAGE_SIZE
                .at(
                    JsonPath::root().key("ephemeralStorage").key("sizeInGiB"),
                    format!("ephemeral storage of {size} GiB; AWS accepts 21 to 200"),
                )
                .with_hint(
                    "set sizeInGiB from 21 to 200, or omit ephemeralStorage for the default 20 GiB",
                ),
        );
    }
    let constraints = td.placement_constraints.as_deref().unwrap_or_default();
    if constraints.len() > 10 {
        out.push(
            PLACEMENT_CONSTRAINT_LIMIT
                .at(
                    JsonPath::root().key("placementConstraints"),
                    format!("{} placement constraints; AWS allows 10", constraints.len()),
                )
                .with_hint("combine expressions with `and`, or drop some constraints"),
        );
    }
    if let Some(name) = td
        .proxy_configuration
        .as_ref()
        .and_then(|p| p.container_name.as_deref())
        && task.container(name).is_none()
    {
        out.push(
            PROXY_CONTAINER_MISSING
                .at(
                    JsonPath::root()
                        .key("proxyConfiguration")
                        .key("containerName"),
                    format!("no container is named `{name}`"),
                )
                .with_hint(format!(
                    "name the proxy (Envoy) container, one of: {}",
                    task.name_list()
                )),
        );
    }
}

fn check_windows(task: &TaskView<'_>, out: &mut Vec<Diagnostic>) {
    if !task.windows {
        return;
    }
    let td = task.td;
    let unsupported = |path: JsonPath, what: String| {
        WINDOWS_UNSUPPORTED_PARAMETER
            .at(
                path,
                format!("{what}, which Windows containers do not support"),
            )
            .with_hint("remove it for Windows, or run the task on Linux")
    };
    let root = JsonPath::root();
    // Values the model does not list are the loader's to report.
    if let Some(pid) = td.pid_mode.as_ref().filter(|m| m.is_known()) {
        out.push(unsupported(
            root.clone().key("pidMode"),
            format!("pidMode is `{}`", pid.as_str()),
        ));
    }
    if let Some(ipc) = td.ipc_mode.as_ref().filter(|m| m.is_known()) {
        out.push(unsupported(
            root.clone().key("ipcMode"),
            format!("ipcMode is `{}`", ipc.as_str()),
        ));
    }
    if matches!(
        td.network_mode,
        Some(NetworkMode::Bridge | NetworkMode::Host | NetworkMode::None)
    ) {
        let mode = td.network_mode.as_ref().map_or("", |m| m.as_str());
        out.push(
            unsupported(
                root.key("networkMode"),
                format!("the network mode is `{mode}`"),
            )
            .with_hint("omit networkMode (the Windows default) or use awsvpc"),
        );
    }
    for (i, container) in task.containers.iter().enumerate() {
        let at = container_path(i);
        let set = [
            (
                "links",
                container.links.as_ref().is_some_and(|l| !l.is_empty()),
            ),
            ("privileged", container.privileged == Some(true)),
            (
                "extraHosts",
                container
                    .extra_hosts
                    .as_ref()
                    .is_some_and(|h| !h.is_empty()),
            ),
            (
                "dnsServers",
                container
                    .dns_servers
                    .as_ref()
                    .is_some_and(|d| !d.is_empty()),
            ),
            (
                "disableNetworking",
                container.disable_networking == Some(true),
            ),
        ];
        for (key, present) in set {
            if present {
                out.push(unsupported(
                    at.clone().key(key),
                    format!("the container sets `{key}`"),
                ));
            }
        }
    }
}

fn check_awsvpc(task: &TaskView<'_>, out: &mut Vec<Diagnostic>) {
    if task.network != Network::Awsvpc {
        return;
    }
    for (i, container) in task.containers.iter().enumerate() {
        let set = [
            ("hostname", container.hostname.is_some()),
            (
                "extraHosts",
                container
                    .extra_hosts
                    .as_ref()
                    .is_some_and(|h| !h.is_empty()),
            ),
        ];
        for (key, present) in set {
            if present {
                out.push(
                    AWSVPC_UNSUPPORTED_PARAMETER
                        .at(
                            container_path(i).key(key),
                            format!("the container sets `{key}`, which the awsvpc network mode does not support"),
                        )
                        .with_hint(format!(
                            "remove `{key}`; in awsvpc mode the task's network interface sets it"
                        )),
                );
            }
        }
    }
}
