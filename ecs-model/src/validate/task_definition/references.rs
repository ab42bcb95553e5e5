//! References inside a task definition: `dependsOn`, `links` and `volumesFrom` name containers
//! of the task, `mountPoints` name its volumes, and volume names are valid and unique.

use std::collections::HashSet;

use crate::diagnostic::{Diagnostic, JsonPath};
use crate::types::ContainerCondition;
use crate::validate::Rule;
use crate::validate::common::check_name;

use super::{API_CONTAINER, Network, TaskView, container_path, error, essential};

const API_DEPENDENCY: &str =
    "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ContainerDependency.html";

/// `dependsOn` names a container of the task.
pub(crate) const DEPENDS_ON_UNKNOWN_CONTAINER: Rule = error(
    "depends-on-unknown-container",
    "dependsOn names a container of the same task definition.",
    API_DEPENDENCY,
)
.cross_field();

/// A container does not depend on itself.
pub(crate) const DEPENDS_ON_SELF: Rule = error(
    "depends-on-self",
    "A container does not depend on itself.",
    API_DEPENDENCY,
);

/// COMPLETE and SUCCESS wait on non-essential containers only.
pub(crate) const DEPENDS_ON_ESSENTIAL_COMPLETE: Rule = error(
    "depends-on-essential-complete",
    "The COMPLETE and SUCCESS conditions name a non-essential container.",
    API_DEPENDENCY,
)
.cross_field();

/// HEALTHY waits on a container with a health check.
pub(crate) const DEPENDS_ON_HEALTHY_WITHOUT_HEALTH_CHECK: Rule = error(
    "depends-on-healthy-without-health-check",
    "The HEALTHY condition names a container that has a health check.",
    API_DEPENDENCY,
)
.cross_field();

/// `links` name containers of the task.
pub(crate) const LINK_UNKNOWN_CONTAINER: Rule = error(
    "link-unknown-container",
    "Each link (`name` or `name:alias`) names a container of the same task definition.",
    API_CONTAINER,
)
.cross_field();

/// `links` need bridge mode.
pub(crate) const LINKS_NETWORK_MODE: Rule = error(
    "links-network-mode",
    "links are only supported in the bridge network mode (the Linux default).",
    API_CONTAINER,
);

/// `volumesFrom` names a container of the task.
pub(crate) const VOLUMES_FROM_UNKNOWN_CONTAINER: Rule = error(
    "volumes-from-unknown-container",
    "volumesFrom names a container of the same task definition.",
    "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_VolumeFrom.html",
)
.cross_field();

/// `mountPoints` name volumes of the task.
pub(crate) const MOUNT_POINT_UNKNOWN_VOLUME: Rule = error(
    "mount-point-unknown-volume",
    "A mount point's sourceVolume names a volume of the task definition.",
    "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_MountPoint.html",
)
.cross_field();

/// Volume name syntax.
pub(crate) const VOLUME_NAME: Rule = error(
    "volume-name",
    "A volume name is 1 to 255 letters, digits, hyphens and underscores.",
    "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_Volume.html",
);

/// Unique volume names.
pub(crate) const DUPLICATE_VOLUME_NAME: Rule = error(
    "duplicate-volume-name",
    "Volume names are unique within a task definition; mount points refer to them by name.",
    "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_Volume.html",
);

/// Runs the reference rules.
pub(super) fn check(task: &TaskView<'_>, out: &mut Vec<Diagnostic>) {
    check_dependencies(task, out);
    check_links_and_volumes(task, out);
    check_volumes(task, out);
}

fn check_dependencies(task: &TaskView<'_>, out: &mut Vec<Diagnostic>) {
    for (i, container) in task.containers.iter().enumerate() {
        for (j, dependency) in container.depends_on.iter().flatten().enumerate() {
            let at = container_path(i).key("dependsOn").index(j);
            let Some(name) = dependency.container_name.as_deref() else {
                continue;
            };
            if container.name.as_deref() == Some(name) {
                out.push(
                    DEPENDS_ON_SELF
                        .at(
                            at.key("containerName"),
                            format!("container `{name}` depends on itself"),
                        )
                        .with_hint("remove this dependency"),
                );
                continue;
            }
            let Some(target) = task.container(name) else {
                out.push(
                    DEPENDS_ON_UNKNOWN_CONTAINER
                        .at(
                            at.key("containerName"),
                            format!("no container is named `{name}`"),
                        )
                        .with_hint(format!("name one of the containers: {}", task.name_list())),
                );
                continue;
            };
            match dependency.condition {
                Some(ContainerCondition::Complete | ContainerCondition::Success)
                    if essential(target) =>
                {
                    let condition = dependency.condition.as_ref().map_or("", |c| c.as_str());
                    out.push(
                        DEPENDS_ON_ESSENTIAL_COMPLETE
                            .at(
                                at.key("condition"),
                                format!(
                                    "condition {condition} waits for `{name}` to exit, but \
                                     `{name}` is essential"
                                ),
                            )
                            .with_hint(format!(
                                "set `\"essential\": false` on `{name}`, or use START or HEALTHY"
                            )),
                    );
                }
                Some(ContainerCondition::Healthy) if target.health_check.is_none() => {
                    out.push(
                        DEPENDS_ON_HEALTHY_WITHOUT_HEALTH_CHECK
                            .at(
                                at.key("condition"),
                                format!(
                                    "condition HEALTHY waits on `{name}`, which has no health check"
                                ),
                            )
                            .with_hint(format!("add a healthCheck to `{name}`, or use START")),
                    );
                }
                _ => {}
            }
        }
    }
}

fn check_links_and_volumes(task: &TaskView<'_>, out: &mut Vec<Diagnostic>) {
    let volumes: HashSet<&str> = task
        .td
        .volumes
        .iter()
        .flatten()
        .filter_map(|v| v.name.as_deref())
        .collect();
    for (i, container) in task.containers.iter().enumerate() {
        let at = container_path(i);
        let links = container.links.as_deref().unwrap_or_default();
        for (k, link) in links.iter().enumerate() {
            let target = link.split_once(':').map_or(link.as_str(), |(name, _)| name);
            if task.container(target).is_none() {
                out.push(
                    LINK_UNKNOWN_CONTAINER
                        .at(
                            at.clone().key("links").index(k),
                            format!("link `{link}` names no container of the task"),
                        )
                        .with_hint(format!("link to one of: {}", task.name_list())),
                );
            }
        }
        if !links.is_empty()
            && !task.windows
            && matches!(
                task.network,
                Network::Host | Network::Awsvpc | Network::Disabled
            )
        {
            out.push(
                LINKS_NETWORK_MODE
                    .at(
                        at.clone().key("links"),
                        "links are set, but the network mode is not bridge",
                    )
                    .with_hint(
                        "remove links: in awsvpc mode containers reach each other on localhost",
                    ),
            );
        }
        for (k, from) in container.volumes_from.iter().flatten().enumerate() {
            if let Some(source) = from.source_container.as_deref()
                && task.container(source).is_none()
            {
                out.push(
                    VOLUMES_FROM_UNKNOWN_CONTAINER
                        .at(
                            at.clone()
                                .key("volumesFrom")
                                .index(k)
                                .key("sourceContainer"),
                            format!("no container is named `{source}`"),
                        )
                        .with_hint(format!("name one of the containers: {}", task.name_list())),
                );
            }
        }
        for (k, mount) in container.mount_points.iter().flatten().enumerate() {
            if let Some(volume) = mount.source_volume.as_deref()
                && !volumes.contains(volume)
            {
                out.push(
                    MOUNT_POINT_UNKNOWN_VOLUME
                        .at(
                            at.clone().key("mountPoints").index(k).key("sourceVolume"),
                            format!("the task definition has no volume named `{volume}`"),
                        )
                        .with_hint(format!(
                            "add {{\"name\": \"{volume}\"}} to the task's volumes, or fix the name"
                        )),
                );
            }
        }
    }
}

fn check_volumes(task: &TaskView<'_>, out: &mut Vec<Diagnostic>) {
    let mut seen = HashSet::new();
    for (i, volume) in task.td.volumes.iter().flatten().enumerate() {
        let Some(name) = volume.name.as_deref() else {
            continue;
        };
        let at = JsonPath::root().key("volumes").index(i).key("name");
        check_name(&VOLUME_NAME, "volume name", name, at.clone(), out);
        if !seen.insert(name) {
            out.push(
                DUPLICATE_VOLUME_NAME
                    .at(at, format!("another volume is also named `{name}`"))
                    .with_hint("give each volume its own name"),
            );
        }
    }
}
