//! Rules shared by every resource: tags and resource names.

use crate::diagnostic::{Diagnostic, JsonPath, Severity};
use crate::types::Tag;

use super::Rule;

/// At most 50 tags per resource.
pub(crate) const TAG_LIMIT: Rule = Rule {
    code: "tag-limit",
    severity: Severity::Error,
    summary: "A resource has at most 50 tags.",
    doc: "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_Tag.html",
    cross_field: false,
};

/// Tag keys are 1 to 128 characters, values at most 256.
pub(crate) const TAG_LENGTH: Rule = Rule {
    code: "tag-length",
    severity: Severity::Error,
    summary: "A tag key is 1 to 128 characters and a tag value at most 256.",
    doc: "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_Tag.html",
    cross_field: false,
};

/// The `aws:` prefix is reserved for AWS.
pub(crate) const TAG_RESERVED_PREFIX: Rule = Rule {
    code: "tag-reserved-prefix",
    severity: Severity::Error,
    summary: "Tag keys and values may not start with `aws:` in any case; AWS reserves it.",
    doc: "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_Tag.html",
    cross_field: false,
};

/// Tag keys are unique within a resource.
pub(crate) const TAG_DUPLICATE_KEY: Rule = Rule {
    code: "tag-duplicate-key",
    severity: Severity::Error,
    summary: "Each tag key appears once per resource.",
    doc: "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_Tag.html",
    cross_field: false,
};

/// Tags use letters, numbers, spaces and `_ . : / = + - @`.
pub(crate) const TAG_CHARACTERS: Rule = Rule {
    code: "tag-characters",
    severity: Severity::Error,
    summary: "Tag keys and values use letters, numbers, spaces and `_ . : / = + - @` only.",
    doc: "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_Tag.html",
    cross_field: false,
};

pub(crate) const RULES: &[&Rule] = &[
    &TAG_LIMIT,
    &TAG_LENGTH,
    &TAG_RESERVED_PREFIX,
    &TAG_DUPLICATE_KEY,
    &TAG_CHARACTERS,
];

fn tag_characters_ok(text: &str) -> bool {
    text.chars()
        .all(|c| c.is_alphanumeric() || c.is_whitespace() || "_.:/=+-@".contains(c))
}

/// Checks a resource's `tags` list, found at `path`.
pub(crate) fn check_tags(tags: Option<&[Tag]>, path: &JsonPath, out: &mut Vec<Diagnostic>) {
    let Some(tags) = tags else { return };
    if tags.len() > 50 {
        out.push(
            TAG_LIMIT
                .at(
                    path.clone(),
                    format!("{} tags; AWS allows at most 50", tags.len()),
                )
                .with_hint("remove tags, or move shared ones to fewer keys"),
        );
    }
    let mut seen = std::collections::HashSet::new();
    for (i, tag) in tags.iter().enumerate() {
        let at = path.clone().index(i);
        if let Some(key) = &tag.key {
            let len = key.chars().count();
            if len == 0 || len > 128 {
                out.push(
                    TAG_LENGTH
                        .at(
                            at.clone().key("key"),
                            format!("tag key is {len} characters"),
                        )
                        .with_hint("use a key of 1 to 128 characters"),
                );
            }
            if key.to_ascii_lowercase().starts_with("aws:") {
                out.push(
                    TAG_RESERVED_PREFIX
                        .at(
                            at.clone().key("key"),
                            format!("tag key `{key}` starts with `aws:`"),
                        )
                        .with_hint("AWS reserves the `aws:` prefix; choose another key"),
                );
            }
            if !tag_characters_ok(key) {
                out.push(
                    TAG_CHARACTERS
                        .at(
                            at.clone().key("key"),
                            format!("tag key `{key}` has a character AWS rejects"),
                        )
                        .with_hint("use letters, numbers, spaces and _ . : / = + - @"),
                );
            }
            if !seen.insert(key.as_str()) {
                out.push(
                    TAG_DUPLICATE_KEY
                        .at(
                            at.clone().key("key"),
                            format!("tag key `{key}` appears more than once"),
                        )
                        .with_hint("keep one tag per key"),
                );
            }
        } else {
            out.push(
                TAG_LENGTH
                    .at(at.clone().key("key"), "tag has no key")
                    .with_hint("give every tag a key of 1 to 128 characters"),
            );
        }
        if let Some(value) = &tag.value {
            let len = value.chars().count();
            if len > 256 {
                out.push(
                    TAG_LENGTH
                        .at(
                            at.clone().key("value"),
                            format!("tag value is {len} characters"),
                        )
                        .with_hint("use a value of at most 256 characters"),
                );
            }
            if value.to_ascii_lowercase().starts_with("aws:") {
                out.push(
                    TAG_RESERVED_PREFIX
                        .at(
                            at.clone().key("value"),
                            format!("tag value `{value}` starts with `aws:`"),
                        )
                        .with_hint("AWS reserves the `aws:` prefix; choose another value"),
                );
            }
            if !tag_characters_ok(value) {
                out.push(
                    TAG_CHARACTERS
                        .at(
                            at.key("value"),
                            format!("tag value `{value}` has a character AWS rejects"),
                        )
                        .with_hint("use letters, numbers, spaces and _ . : / = + - @"),
                );
            }
        }
    }
}

/// Checks a name of 1 to 255 letters, digits, hyphens and underscores (family, container,
/// service, cluster and capacity provider names). `rule` names the resource.
pub(crate) fn check_name(
    rule: &Rule,
    what: &str,
    name: &str,
    path: JsonPath,
    out: &mut Vec<Diagnostic>,
) {
    let len = name.chars().count();
    let bad = name
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || *c == '-' || *c == '_'));
    if len == 0 {
        out.push(
            rule.at(path, format!("the {what} is empty"))
                .with_hint("use 1 to 255 letters, digits, hyphens and underscores"),
        );
    } else if len > 255 {
        out.push(
            rule.at(
                path,
                format!("the {what} is {len} characters long; the limit is 255"),
            )
            .with_hint("shorten it to 255 characters or fewer"),
        );
    } else if let Some(c) = bad {
        out.push(
            rule.at(path, format!("the {what} `{name}` contains `{c}`"))
                .with_hint("use only letters, digits, hyphens (-) and underscores (_)"),
        );
    }
}
