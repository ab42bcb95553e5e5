//! The stack's name, which becomes the value of the [`STACK_TAG`] on every resource the stack
//! manages: checked before any call, since AWS would refuse the tag only once resources are
//! being created, and an empty name would be shared by every unnamed stack.

use crate::plan::STACK_TAG;

/// AWS's limit on a tag value's length, in characters (the model's
/// [`ecs_model::validate::TAG_VALUE_MAX`]).
pub const TAG_VALUE_MAX: usize = ecs_model::validate::TAG_VALUE_MAX;

/// Why a stack's name cannot be a value of the [`STACK_TAG`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum StackNameError {
    /// The name is empty, or only whitespace.
    #[error("the stack's name is empty")]
    Empty,
    /// The name is longer than [`TAG_VALUE_MAX`] characters.
    #[error(
        "the stack's name is {length} characters long: more than {TAG_VALUE_MAX}, AWS's limit \
         for the {STACK_TAG} tag's value"
    )]
    TooLong {
        /// How many characters it has.
        length: usize,
    },
    /// The name holds a character AWS does not allow in a tag value.
    #[error(
        "the stack's name `{name}` holds `{character}`, which AWS does not allow in the \
         {STACK_TAG} tag's value (letters, digits, spaces and _ . : / = + - @ are allowed)"
    )]
    Character {
        /// The name.
        name: String,
        /// The first character not allowed.
        character: char,
    },
}

/// Checks that `name` can be the value of the [`STACK_TAG`]: not empty, at most
/// [`TAG_VALUE_MAX`] characters of letters, digits, spaces and `_ . : / = + - @` (AWS's rule
/// for tag values), with the rule set's [`ecs_model::validate::check_stack_name`].
///
/// [`Deployer`](crate::Deployer) checks its stack's name with it before any call.
///
/// ```
/// use ecs_deploy::{StackNameError, check_stack_name};
/// assert_eq!(check_stack_name("shop-prod"), Ok(()));
/// assert_eq!(check_stack_name(" "), Err(StackNameError::Empty));
/// assert!(matches!(
///     check_stack_name("shop,prod"),
///     Err(StackNameError::Character { character: ',', .. })
/// ));
/// ```
pub fn check_stack_name(name: &str) -> Result<(), StackNameError> {
    // The rule is the model's (the stack file's `name` is checked with it by the rule
    // `stack-name`); this only words it with the name.
    use ecs_model::validate::StackNameProblem;
    ecs_model::validate::check_stack_name(name).map_err(|problem| match problem {
        StackNameProblem::TooLong { length } => StackNameError::TooLong { length },
        StackNameProblem::Character { character } => StackNameError::Character {
            name: name.to_owned(),
            character,
        },
        // Empty, and any problem a later version of the rule finds.
        _ => StackNameError::Empty,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_model_s_rule_is_worded_with_the_name() {
        assert_eq!(check_stack_name("shop-prod"), Ok(()));
        assert_eq!(check_stack_name(" \t"), Err(StackNameError::Empty));
        assert_eq!(
            check_stack_name(&"x".repeat(TAG_VALUE_MAX + 1)),
            Err(StackNameError::TooLong { length: 257 })
        );
        assert_eq!(
            check_stack_name("a,b"),
            Err(StackNameError::Character {
                name: "a,b".into(),
                character: ','
            })
        );
    }
}
