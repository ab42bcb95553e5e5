//! Ownership: the tag that marks what a stack manages, and the one check of it. A resource
//! without the stack's tag is never changed or deleted.

use ecs_model::types::Tag;

use crate::plan::{Options, Reason};

/// The tag that marks a resource as managed by a stack of this tool; its value is the stack's
/// name. Resources without it are never changed or deleted.
pub const STACK_TAG: &str = "ecs-rs:stack";

/// `tags` with the stack's ownership tag set.
pub(crate) fn owned_tags(tags: &Option<Vec<Tag>>, options: &Options) -> Vec<Tag> {
    let mut out: Vec<Tag> = tags
        .iter()
        .flatten()
        .filter(|t| t.key.as_deref() != Some(STACK_TAG))
        .cloned()
        .collect();
    let mut tag = Tag::default();
    tag.key = Some(STACK_TAG.to_owned());
    tag.value = Some(options.stack.clone());
    out.push(tag);
    out
}

/// Whether `tags` hold the ownership tag ([`STACK_TAG`]) of the stack `stack`.
pub fn tagged(tags: &Option<Vec<Tag>>, stack: &str) -> bool {
    tags.iter()
        .flatten()
        .any(|t| t.key.as_deref() == Some(STACK_TAG) && t.value.as_deref() == Some(stack))
}

/// Whether `tags` say this stack manages the resource; the reason when not.
pub(crate) fn ownership(tags: &Option<Vec<Tag>>, options: &Options) -> Result<(), Reason> {
    let owner = tags
        .iter()
        .flatten()
        .find(|t| t.key.as_deref() == Some(STACK_TAG))
        .and_then(|t| t.value.clone());
    match owner {
        Some(stack) if stack == options.stack => Ok(()),
        Some(stack) => Err(Reason::OtherStack { stack }),
        None => Err(Reason::Untagged),
    }
}
