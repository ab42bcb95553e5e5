//! Rules for RegisterTaskDefinitionRequest.

use crate::diagnostic::Diagnostic;
use crate::types::RegisterTaskDefinitionRequest;

use super::Rule;

pub(crate) const RULES: &[&Rule] = &[];

pub(crate) fn check(_value: &RegisterTaskDefinitionRequest, _out: &mut Vec<Diagnostic>) {}
