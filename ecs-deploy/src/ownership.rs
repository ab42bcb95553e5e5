//! Ownership: the tag that marks what a stack manages, and the one check of it. A resource
//! without the stack's tag is never changed or deleted.

use ecs_model::types::Tag;

use crate::plan::{Options, Reason};

/// The tag that marks a resource as managed by a stack of this tool; its value is the stack's
/// name. Resources without it are never changed or deleted.
pub const STACK_TAG: &str = "ecs-rs:stack";

/// A tag of one of the APIs a stack uses: ECS's (`key`/`value`), Cloud Map's and ELBv2's
/// (`Key`/`Value`); the generated types all name their fields `key` and `value`.
pub(crate) trait ApiTag: Clone {
    /// The tag's key.
    fn key(&self) -> Option<&str>;
    /// A tag `key` = `value`.
    fn new(key: &str, value: &str) -> Self;
}

macro_rules! api_tag {
    ($($tag:ty),+) => {$(
        impl ApiTag for $tag {
            fn key(&self) -> Option<&str> {
                self.key.as_deref()
            }

            fn new(key: &str, value: &str) -> Self {
                let mut tag = Self::default();
                tag.key = Some(key.to_owned());
                tag.value = Some(value.to_owned());
                tag
            }
        }
    )+};
}

api_tag!(
    Tag,
    ecs_model::cloud_map::Tag,
    ecs_model::load_balancing::Tag
);

/// `tags` with the stack's ownership tag set.
pub(crate) fn owned_tags<T: ApiTag>(tags: &Option<Vec<T>>, options: &Options) -> Vec<T> {
    with_tags(tags, &[(STACK_TAG, options.stack.as_str())])
}

/// `tags` with each of `set` (key, value) set: any tag of the stack's with one of those keys
/// is replaced.
pub(crate) fn with_tags<T: ApiTag>(tags: &Option<Vec<T>>, set: &[(&str, &str)]) -> Vec<T> {
    let mut out: Vec<T> = tags
        .iter()
        .flatten()
        .filter(|t| !set.iter().any(|(key, _)| t.key() == Some(key)))
        .cloned()
        .collect();
    out.extend(set.iter().map(|(key, value)| T::new(key, value)));
    out
}

/// The name of the stack whose ownership tag ([`STACK_TAG`]) `tags` hold; `None` when they
/// hold none (or it has no value). The one reading of the tag: [`tagged`], planning's
/// ownership check and [`Ownership::of`](crate::status::Ownership::of) are built on it.
///
/// ```
/// use ecs_deploy::ownership::{STACK_TAG, owner};
/// use ecs_deploy::ecs_model::types::Tag;
///
/// let mut tag = Tag::default();
/// tag.key = Some(STACK_TAG.to_owned());
/// tag.value = Some("shop".to_owned());
/// assert_eq!(owner(Some(&[tag])), Some("shop"));
/// assert_eq!(owner(None), None);
/// ```
pub fn owner(tags: Option<&[Tag]>) -> Option<&str> {
    tags.into_iter()
        .flatten()
        .find(|t| t.key.as_deref() == Some(STACK_TAG))
        .and_then(|t| t.value.as_deref())
}

/// Whether `tags` hold the ownership tag ([`STACK_TAG`]) of the stack `stack`.
pub fn tagged(tags: &Option<Vec<Tag>>, stack: &str) -> bool {
    owner(tags.as_deref()) == Some(stack)
}

/// Whether `tags` say this stack manages the resource; the reason when not.
pub(crate) fn ownership(tags: &Option<Vec<Tag>>, options: &Options) -> Result<(), Reason> {
    match owner(tags.as_deref()) {
        Some(stack) if stack == options.stack => Ok(()),
        Some(stack) => Err(Reason::OtherStack {
            stack: stack.to_owned(),
        }),
        None => Err(Reason::Untagged),
    }
}

/// [`ownership`] for a resource the stack names, which [`Options::adopt`] lets the plan adopt:
/// a resource without any stack's tag passes when adopting (the plan then adds the tag); one
/// carrying another stack's tag never does. Pruning and destroying keep to [`ownership`]: only
/// what a stack names is adopted.
pub(crate) fn adoptable(tags: &Option<Vec<Tag>>, options: &Options) -> Result<(), Reason> {
    match ownership(tags, options) {
        Err(Reason::Untagged) if options.adopt => Ok(()),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tags(pairs: &[(&str, &str)]) -> Option<Vec<Tag>> {
        let tags = pairs.iter().map(|(key, value)| {
            let mut tag = Tag::default();
            tag.key = Some((*key).to_owned());
            tag.value = Some((*value).to_owned());
            tag
        });
        Some(tags.collect())
    }

    #[test]
    fn the_owner_is_the_value_of_the_stack_tag() {
        let mine = tags(&[("team", "web"), (STACK_TAG, "demo")]);
        assert_eq!(owner(mine.as_deref()), Some("demo"));
        assert_eq!(owner(tags(&[("team", "web")]).as_deref()), None);
        assert_eq!(owner(None), None);
        assert!(tagged(&mine, "demo"));
        assert!(!tagged(&mine, "other"));
        assert!(!tagged(&None, "demo"));
    }

    #[test]
    fn only_the_stacks_own_tag_passes_the_check() {
        let options = Options::new("demo");
        assert_eq!(ownership(&tags(&[(STACK_TAG, "demo")]), &options), Ok(()));
        assert_eq!(
            ownership(&tags(&[(STACK_TAG, "other")]), &options),
            Err(Reason::OtherStack {
                stack: "other".into()
            })
        );
        assert_eq!(ownership(&None, &options), Err(Reason::Untagged));
    }

    #[test]
    fn adopting_takes_untagged_resources_never_another_stacks() {
        let adopting = Options::new("demo").adopt(true);
        assert_eq!(adoptable(&None, &adopting), Ok(()));
        assert_eq!(adoptable(&tags(&[("team", "web")]), &adopting), Ok(()));
        assert_eq!(
            adoptable(&tags(&[(STACK_TAG, "other")]), &adopting),
            Err(Reason::OtherStack {
                stack: "other".into()
            })
        );
        assert_eq!(
            adoptable(&None, &Options::new("demo")),
            Err(Reason::Untagged)
        );
    }
}
