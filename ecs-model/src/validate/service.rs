//! Rules for CreateServiceRequest.

use crate::diagnostic::Diagnostic;
use crate::types::CreateServiceRequest;

use super::Rule;

pub(crate) const RULES: &[&Rule] = &[];

pub(crate) fn check(_value: &CreateServiceRequest, _out: &mut Vec<Diagnostic>) {}
