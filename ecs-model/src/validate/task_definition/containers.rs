//! The container list: 1 to 10 containers, each with a unique, valid name and an image, and
//! at least one of them essential.

use std::collections::HashSet;

use crate::diagnostic::{Diagnostic, JsonPath};
use crate::validate::Rule;
use crate::validate::common::check_name;

use super::{API_CONTAINER, TaskView, container_path, error, essential};

const GUIDE_PARAMETERS: &str =
    "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_definition_parameters.html";

/// Container name presence and syntax.
pub(crate) const CONTAINER_NAME: Rule = error(
    "container-name",
    "Every container has a name of 1 to 255 letters, digits, hyphens and underscores.",
    API_CONTAINER,
);

/// Container image presence.
pub(crate) const CONTAINER_IMAGE_REQUIRED: Rule = error(
    "container-image-required",
    "Every container names its image.",
    GUIDE_PARAMETERS,
);

/// Image reference syntax.
pub(crate) const CONTAINER_IMAGE_SYNTAX: Rule = error(
    "container-image-syntax",
    "An image reference is up to 255 letters, digits, hyphens, underscores, colons, periods, \
     forward slashes and number signs, with `@` before a digest.",
    API_CONTAINER,
);

/// 1 to 10 containers.
pub(crate) const CONTAINER_COUNT: Rule = error(
    "container-count",
    "A task definition has 1 to 10 containers (a quota AWS does not raise).",
    "https://docs.aws.amazon.com/general/latest/gr/ecs-service.html",
);

/// Unique container names.
pub(crate) const DUPLICATE_CONTAINER_NAME: Rule = error(
    "duplicate-container-name",
    "Container names are unique within a task definition.",
    API_CONTAINER,
);

/// At least one essential container.
pub(crate) const ESSENTIAL_CONTAINER: Rule = error(
    "essential-container",
    "At least one container is essential (`essential` defaults to true).",
    API_CONTAINER,
)
.cross_field();

pub(super) fn check(task: &TaskView<'_>, out: &mut Vec<Diagnostic>) {
    if task.td.container_definitions.is_none() {
        return; // the loader reports the missing member
    }
    let count = task.containers.len();
    if !(1..=10).contains(&count) {
        out.push(
            CONTAINER_COUNT
                .at(
                    JsonPath::root().key("containerDefinitions"),
                    format!("the task definition has {count} containers; AWS allows 1 to 10"),
                )
                .with_hint(if count == 0 {
                    "add a container definition with a name and an image"
                } else {
                    "split the containers over several task definitions"
                }),
        );
    }
    let mut seen = HashSet::new();
    for (i, container) in task.containers.iter().enumerate() {
        let at = container_path(i);
        match container.name.as_deref() {
            None => out.push(
                CONTAINER_NAME
                    .at(at.clone().key("name"), "the container has no name")
                    .with_hint("name it with 1 to 255 letters, digits, hyphens and underscores"),
            ),
            Some(name) => {
                check_name(
                    &CONTAINER_NAME,
                    "container name",
                    name,
                    at.clone().key("name"),
                    out,
                );
                if !seen.insert(name) {
                    out.push(
                        DUPLICATE_CONTAINER_NAME
                            .at(
                                at.clone().key("name"),
                                format!("another container is also named `{name}`"),
                            )
                            .with_hint("give each container its own name"),
                    );
                }
            }
        }
        if let Some(image) = container.image.as_deref() {
            check_image(image, at.clone().key("image"), out);
        }
        if container
            .image
            .as_deref()
            .is_none_or(|i| i.trim().is_empty())
        {
            out.push(
                CONTAINER_IMAGE_REQUIRED
                    .at(at.key("image"), "the container names no image")
                    .with_hint("set `image`, such as `public.ecr.aws/nginx/nginx:latest`"),
            );
        }
    }
    if count > 0 && !task.containers.iter().any(essential) {
        out.push(
            ESSENTIAL_CONTAINER
                .at(
                    JsonPath::root().key("containerDefinitions"),
                    "every container sets `essential: false`",
                )
                .with_hint("mark the main container essential (or drop `essential: false`)"),
        );
    }
}

/// Checks an image reference's length and characters. A template placeholder (`{{ ... }}`,
/// `${...}`) is left to the loader's `template-placeholder` warning.
fn check_image(image: &str, at: JsonPath, out: &mut Vec<Diagnostic>) {
    if image.trim().is_empty() || image.contains("{{") || image.contains("${") {
        return;
    }
    let allowed = |c: char| c.is_ascii_alphanumeric() || "-_:./#@".contains(c);
    if let Some(bad) = image.chars().find(|c| !allowed(*c)) {
        out.push(
            CONTAINER_IMAGE_SYNTAX
                .at(at, format!("the image `{image}` contains {bad:?}"))
                .with_hint(
                    "write `repository:tag` or `repository@sha256:digest`, such as \
                     `public.ecr.aws/nginx/nginx:1.27`",
                ),
        );
    } else if image.len() > 255 {
        out.push(
            CONTAINER_IMAGE_SYNTAX
                .at(
                    at,
                    format!("the image reference has {} characters", image.len()),
                )
                .with_hint("AWS accepts up to 255"),
        );
    }
}
