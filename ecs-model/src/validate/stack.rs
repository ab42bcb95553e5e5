//! Rules for Stack.

use crate::diagnostic::Diagnostic;
use crate::stack::Stack;

use super::Rule;

pub(crate) const RULES: &[&Rule] = &[];

pub(crate) fn check(_value: &Stack, _out: &mut Vec<Diagnostic>) {}
