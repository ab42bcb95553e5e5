//! Rules for CreateClusterRequest.

use crate::diagnostic::Diagnostic;
use crate::types::CreateClusterRequest;

use super::Rule;

pub(crate) const RULES: &[&Rule] = &[];

pub(crate) fn check(_value: &CreateClusterRequest, _out: &mut Vec<Diagnostic>) {}
