//! The stack's `name`: the value of the ownership tag (`ecs-rs:stack`) that marks every
//! resource the stack manages, so it must be a value AWS takes for a tag.
//!
//! [`check_stack_name`] is the one place this is decided: the rule `stack-name` reports a
//! stack file's `name` with it, and `ecs-deploy` checks the name it is given (its `--name`, or
//! `Options::new`) with it too.

use crate::diagnostic::{Diagnostic, JsonPath, Severity};
use crate::stack::Stack;
use crate::validate::Rule;

/// AWS's limit on a tag value's length, in characters.
pub const TAG_VALUE_MAX: usize = 256;

const TAG_DOC: &str = "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_Tag.html";

/// The stack's name can be the value of its ownership tag.
pub(crate) const STACK_NAME: Rule = Rule {
    code: "stack-name",
    severity: Severity::Error,
    summary: "A stack's `name` (the value of its ownership tag) is 1 to 256 characters: \
              letters, digits, spaces and _ . : / = + - @, not only spaces.",
    doc: TAG_DOC,
    cross_field: false,
};

/// Why a name cannot be a stack's: the value of its ownership tag.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum StackNameProblem {
    /// The name is empty, or only whitespace.
    Empty,
    /// The name is longer than [`TAG_VALUE_MAX`] characters.
    TooLong {
        /// How many characters it has.
        length: usize,
    },
    /// The name holds a character AWS does not allow in a tag value.
    Character {
        /// The first character not allowed.
        character: char,
    },
}

impl std::fmt::Display for StackNameProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StackNameProblem::Empty => write!(f, "the stack's name is empty"),
            StackNameProblem::TooLong { length } => write!(
                f,
                "the stack's name is {length} characters long: more than {TAG_VALUE_MAX}, \
                 AWS's limit for a tag value"
            ),
            StackNameProblem::Character { character } => write!(
                f,
                "the stack's name holds `{character}`, which AWS does not allow in a tag value \
                 (letters, digits, spaces and _ . : / = + - @ are allowed)"
            ),
        }
    }
}

/// Checks that `name` can be a stack's name, the value of its ownership tag: not empty (nor
/// only whitespace), at most [`TAG_VALUE_MAX`] characters, each a letter, a digit, a space or
/// one of `_ . : / = + - @` (AWS's rule for tag values).
///
/// ```
/// use ecs_model::validate::{StackNameProblem, check_stack_name};
/// assert_eq!(check_stack_name("shop-prod"), Ok(()));
/// assert_eq!(check_stack_name(" "), Err(StackNameProblem::Empty));
/// assert_eq!(
///     check_stack_name("shop,prod"),
///     Err(StackNameProblem::Character { character: ',' })
/// );
/// ```
pub fn check_stack_name(name: &str) -> Result<(), StackNameProblem> {
    if name.trim().is_empty() {
        return Err(StackNameProblem::Empty);
    }
    let length = name.chars().count();
    if length > TAG_VALUE_MAX {
        return Err(StackNameProblem::TooLong { length });
    }
    match name
        .chars()
        .find(|c| !(c.is_alphanumeric() || c.is_whitespace() || "_.:/=+-@".contains(*c)))
    {
        Some(character) => Err(StackNameProblem::Character { character }),
        None => Ok(()),
    }
}

/// Reports the stack's `name`, when it has one that cannot be a tag value.
pub(super) fn check(stack: &Stack, out: &mut Vec<Diagnostic>) {
    let Some(name) = stack.name.as_deref() else {
        return;
    };
    if let Err(problem) = check_stack_name(name) {
        let hint = match problem {
            StackNameProblem::Empty => "give the stack a name, or leave `name` out",
            StackNameProblem::TooLong { .. } => "shorten it",
            StackNameProblem::Character { .. } => {
                "use letters, digits, spaces and _ . : / = + - @ (for example `shop-prod`)"
            }
        };
        out.push(
            STACK_NAME
                .at(JsonPath::root().key("name"), problem.to_string())
                .with_hint(hint),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_name_must_fit_in_a_tag_value() {
        assert_eq!(check_stack_name("demo-prod_1.2:a/b=c+d@e f"), Ok(()));
        assert_eq!(check_stack_name("café"), Ok(()), "letters of any script");
        assert_eq!(check_stack_name(&"x".repeat(TAG_VALUE_MAX)), Ok(()));
        assert_eq!(check_stack_name(""), Err(StackNameProblem::Empty));
        assert_eq!(check_stack_name(" \t"), Err(StackNameProblem::Empty));
        assert_eq!(
            check_stack_name(&"x".repeat(TAG_VALUE_MAX + 1)),
            Err(StackNameProblem::TooLong { length: 257 })
        );
        assert_eq!(
            check_stack_name("a*b"),
            Err(StackNameProblem::Character { character: '*' })
        );
    }

    #[test]
    fn a_stack_without_a_name_is_fine_and_a_bad_one_is_reported_at_name() {
        let mut out = Vec::new();
        check(&Stack::default(), &mut out);
        assert!(out.is_empty());
        check(&Stack::default().with_name("shop,prod"), &mut out);
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].code, "stack-name");
        assert_eq!(out[0].path.to_string(), "name");
        assert!(out[0].message.contains('`'), "{}", out[0].message);
    }
}
