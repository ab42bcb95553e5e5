//! The stack's name, which becomes the value of the [`STACK_TAG`] on every resource the stack
//! manages: checked before any call, since AWS would refuse the tag only once resources are
//! being created, and an empty name would be shared by every unnamed stack.

use crate::plan::STACK_TAG;

/// AWS's limit on a tag value's length, in characters.
pub const TAG_VALUE_MAX: usize = 256;

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
/// for tag values).
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
    if name.trim().is_empty() {
        return Err(StackNameError::Empty);
    }
    let length = name.chars().count();
    if length > TAG_VALUE_MAX {
        return Err(StackNameError::TooLong { length });
    }
    if let Some(character) = name
        .chars()
        .find(|c| !(c.is_alphanumeric() || c.is_whitespace() || "_.:/=+-@".contains(*c)))
    {
        return Err(StackNameError::Character {
            name: name.to_owned(),
            character,
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_name_must_fit_in_a_tag_value() {
        assert_eq!(check_stack_name("demo-prod_1.2:a/b=c+d@e f"), Ok(()));
        assert_eq!(check_stack_name("café"), Ok(()), "letters of any script");
        assert_eq!(check_stack_name(&"x".repeat(TAG_VALUE_MAX)), Ok(()));
        assert_eq!(check_stack_name(""), Err(StackNameError::Empty));
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
        assert!(check_stack_name("a*b").is_err());
    }
}
