//! The rule set: one `validate` for every document kind, returning every problem at once.
//!
//! Each rule has a stable code, a severity, a one-line summary and the AWS documentation page
//! that states it ([`Rule`]); [`rules`] lists them all. The same functions run in three places:
//! the JSON loader and the CLI (`ecs-deploy validate`), the DSL's builders at run time, and the
//! DSL's macros at compile time.
//!
//! Paths in the diagnostics are relative to the value validated; [`validate_stack`] and
//! [`validate_document`] prefix them with the resource's place in the stack or file.

mod capacity_provider;
mod cluster;
mod common;
mod fargate;
mod service;
mod stack;
mod task_definition;

use crate::diagnostic::{Diagnostic, JsonPath, Severity};
use crate::document::{Document, Input};
use crate::stack::Stack;
use crate::types::{
    CreateCapacityProviderRequest, CreateClusterRequest, CreateServiceRequest,
    RegisterTaskDefinitionRequest,
};

pub use crate::units::{parse_task_cpu, parse_task_memory};
pub use fargate::{
    FARGATE_SIZES, FargateOs, FargateSize, fargate_cpu_values, fargate_memory_values, fargate_size,
    fargate_size_on,
};
pub use stack::name::{StackNameProblem, TAG_VALUE_MAX, check_stack_name};

/// One validity rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Rule {
    /// Stable code, such as `fargate-cpu-memory`.
    pub code: &'static str,
    /// The severity of its diagnostics.
    pub severity: Severity,
    /// What the rule requires, in one sentence.
    pub summary: &'static str,
    /// The AWS documentation page that states the rule.
    pub doc: &'static str,
    /// Whether the rule relates parts of a resource that a whole structure can hold (another
    /// container, a volume, the deployment settings...), or several resources (every rule of a
    /// stack). The macros keep such a rule's compile-time errors only when no structure of the
    /// resource is a Rust expression, whose value is known at run time only; rules about
    /// scalar members are judged with sample values of the expression instead.
    pub cross_field: bool,
}

impl Rule {
    /// The same rule, relating several members or resources ([`Rule::cross_field`]).
    pub const fn cross_field(mut self) -> Self {
        self.cross_field = true;
        self
    }

    /// A diagnostic of this rule at `path`.
    pub fn at(&self, path: JsonPath, message: impl Into<String>) -> Diagnostic {
        Diagnostic::new(self.severity, self.code, path, message)
    }
}

/// Every rule, grouped by resource.
pub fn rules() -> Vec<&'static Rule> {
    [
        task_definition::RULES,
        fargate::RULES,
        service::RULES,
        cluster::RULES,
        capacity_provider::RULES,
        common::RULES,
        stack::RULES,
    ]
    .concat()
}

/// The rule with this code.
pub fn rule(code: &str) -> Option<&'static Rule> {
    rules().into_iter().find(|r| r.code == code)
}

/// Validates a task definition (RegisterTaskDefinition input).
pub fn validate_task_definition(td: &RegisterTaskDefinitionRequest) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    task_definition::check(td, &mut out);
    out
}

/// Validates a service (CreateService input) on its own; [`validate_stack`] adds the checks that
/// need its task definition and cluster.
pub fn validate_service(service: &CreateServiceRequest) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    service::check(service, &mut out);
    out
}

/// Validates a cluster (CreateCluster input).
pub fn validate_cluster(cluster: &CreateClusterRequest) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    cluster::check(cluster, &mut out);
    out
}

/// Validates a capacity provider (CreateCapacityProvider input).
pub fn validate_capacity_provider(provider: &CreateCapacityProviderRequest) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    capacity_provider::check(provider, &mut out);
    out
}

/// Validates one API input.
pub fn validate_input(input: &Input) -> Vec<Diagnostic> {
    match input {
        Input::TaskDefinition(td) => validate_task_definition(td),
        Input::Service(s) => validate_service(s),
        Input::Cluster(c) => validate_cluster(c),
        Input::CapacityProvider(c) => validate_capacity_provider(c),
    }
}

/// Validates every resource of a stack and the references between them (a service's task
/// definition and cluster, its launch type against the task definition's compatibilities, its
/// load balancers against the containers' ports).
pub fn validate_stack(stack: &Stack) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for (path, input) in crate::document::stack_inputs(stack) {
        out.extend(validate_input(&input).into_iter().map(|d| d.under(&path)));
    }
    stack::check(stack, &mut out);
    out
}

/// The codes of a stack's references to resources it does not define (a service's task
/// definition or cluster, a cluster's capacity provider, the service a scaling entry scales or
/// its scalable target, a scheduled task's cluster or task definition). [`validate_stack`] makes
/// them warnings: a stack file may name what already exists in AWS.
pub const UNRESOLVED_REFERENCE_CODES: &[&str] = &stack::UNRESOLVED_REFERENCES;

/// Turns the warnings about unresolved references of `stack` into errors with `hint`, except
/// where the reference is an ARN: for a stack that declares everything it uses (a DSL value, as
/// opposed to a file that may name resources already in AWS).
///
/// ```
/// use ecs_model::{Stack, Severity, load::from_value, validate::{close_references, validate_stack}};
/// let stack: Stack = from_value(&serde_json::json!({
///     "services": [{"serviceName": "web", "taskDefinition": "web", "desiredCount": 1}]
/// })).value.unwrap();
/// let mut diagnostics = validate_stack(&stack);
/// assert_eq!(diagnostics[0].severity, Severity::Warning);
/// close_references(&stack, &mut diagnostics, "define it in the stack");
/// assert_eq!(diagnostics[0].severity, Severity::Error);
/// assert_eq!(diagnostics[0].hint.as_deref(), Some("define it in the stack"));
/// ```
pub fn close_references(stack: &Stack, diagnostics: &mut [Diagnostic], hint: &str) {
    let json = serde_json::to_value(stack).unwrap_or_default();
    for d in diagnostics {
        if UNRESOLVED_REFERENCE_CODES.contains(&d.code.as_str())
            && !d
                .path
                .lookup(&json)
                .and_then(serde_json::Value::as_str)
                .is_some_and(|t| t.starts_with("arn:"))
        {
            d.severity = Severity::Error;
            d.hint = Some(hint.to_owned());
        }
    }
}

/// Validates a loaded document of any kind, with paths from the document's root.
pub fn validate_document(document: &Document) -> Vec<Diagnostic> {
    match document {
        Document::Stack(stack) => validate_stack(stack),
        other => {
            let mut out = Vec::new();
            for (path, input) in other.inputs() {
                out.extend(validate_input(&input).into_iter().map(|d| d.under(&path)));
            }
            out
        }
    }
}
