//! Rules for CreateCapacityProviderRequest.

use crate::diagnostic::Diagnostic;
use crate::types::CreateCapacityProviderRequest;

use super::Rule;

pub(crate) const RULES: &[&Rule] = &[];

pub(crate) fn check(_value: &CreateCapacityProviderRequest, _out: &mut Vec<Diagnostic>) {}
