//! Checking: the literal JSON loaded and validated by `ecs_model`, exactly as a file would be,
//! and each diagnostic placed on the tokens that caused it.
//!
//! A value given as a Rust expression is not known here. Its JSON is absent (or a placeholder in
//! a list), so a diagnostic is kept only when it cannot depend on it:
//!
//! - a diagnostic at an expression's path, inside it, or on an object that contains it is
//!   dropped (the expression may well be valid, or fix the object);
//! - the rules that relate one part of a resource to another part (a `dependsOn` naming a
//!   container, a service naming its task definition's port...) are dropped when the invocation
//!   holds any expression, because the part they look for may be that expression.
//!
//! Dropped does not mean unchecked: an invocation with expressions expands to a call of
//! `ecs_dsl::checked`, which runs the whole rule set at run time.

use ecs_model::load::from_value;
use ecs_model::types::{
    CreateCapacityProviderRequest, CreateClusterRequest, CreateServiceRequest,
    RegisterTaskDefinitionRequest,
};
use ecs_model::validate::{
    validate_capacity_provider, validate_cluster, validate_service, validate_stack,
    validate_task_definition,
};
use ecs_model::{Diagnostic, JsonPath, Severity, Stack};
use proc_macro2::TokenStream;

use crate::model::{Lowered, starts_with};

/// The resource a macro declares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Root {
    /// `task_definition!`: a RegisterTaskDefinition input.
    TaskDefinition,
    /// `service!`: a CreateService input.
    Service,
    /// `cluster!`: a CreateCluster input.
    Cluster,
    /// `capacity_provider!`: a CreateCapacityProvider input.
    CapacityProvider,
    /// `stack!`: a stack file.
    Stack,
}

impl Root {
    /// The shape of the macro's root object.
    pub fn shape(self) -> &'static str {
        match self {
            Self::TaskDefinition => "RegisterTaskDefinitionRequest",
            Self::Service => "CreateServiceRequest",
            Self::Cluster => "CreateClusterRequest",
            Self::CapacityProvider => "CreateCapacityProviderRequest",
            Self::Stack => "Stack",
        }
    }
}

/// Rules that relate one part of a resource (or stack) to another. With an expression anywhere
/// in the invocation, the other part may be that expression, so these wait for run time.
const CROSS_FIELD_RULES: &[&str] = &[
    "awslogs-options",
    "cluster-strategy-provider-not-associated",
    "container-memory-required",
    "depends-on-essential-complete",
    "depends-on-healthy-without-health-check",
    "depends-on-unknown-container",
    "deployment-early-success",
    "deployment-no-room",
    "essential-container",
    "firelens-router-missing",
    "firelens-router-unused",
    "link-unknown-container",
    "mount-point-unknown-volume",
    "proxy-container-missing",
    "service-connect-port-name",
    "service-desired-count",
    "service-managed-tags-propagate",
    "service-role-without-load-balancer",
    "splunk-options",
    "volumes-from-unknown-container",
];

/// A warning to show at compile time.
pub struct Warning {
    /// The tokens it is about.
    pub tokens: TokenStream,
    /// The rule code.
    pub code: String,
    /// The note shown after the rule's name: message and hint.
    pub note: String,
}

/// What checking found.
pub struct Checked {
    /// Errors, each spanned.
    pub errors: Vec<syn::Error>,
    /// Warnings.
    pub warnings: Vec<Warning>,
}

/// Loads and validates the literal JSON of `lowered` as a `root`.
pub fn check(root: Root, lowered: &Lowered) -> Checked {
    let diagnostics = diagnostics(root, &lowered.json);
    let mut errors = Vec::new();
    let mut warnings = Vec::new();
    for diagnostic in diagnostics {
        if !decidable(&diagnostic, lowered) {
            continue;
        }
        let tokens = tokens_for(&diagnostic.path, lowered);
        let text = text(
            &diagnostic.code,
            &diagnostic.message,
            diagnostic.hint.as_deref(),
        );
        match diagnostic.severity {
            Severity::Error if tokens.is_empty() => {
                errors.push(syn::Error::new(proc_macro2::Span::call_site(), text));
            }
            Severity::Error => errors.push(syn::Error::new_spanned(tokens, text)),
            Severity::Warning => warnings.push(Warning {
                tokens,
                note: match &diagnostic.hint {
                    Some(hint) => format!("{}\n  = hint: {hint}", diagnostic.message),
                    None => diagnostic.message.clone(),
                },
                code: diagnostic.code,
            }),
            _ => {}
        }
    }
    Checked { errors, warnings }
}

fn diagnostics(root: Root, json: &serde_json::Value) -> Vec<Diagnostic> {
    fn run<T: ecs_model::FromJson>(
        json: &serde_json::Value,
        validate: impl Fn(&T) -> Vec<Diagnostic>,
    ) -> Vec<Diagnostic> {
        let loaded = from_value::<T>(json);
        let mut out = loaded.diagnostics;
        if let Some(value) = &loaded.value {
            out.extend(validate(value));
        }
        out
    }
    match root {
        Root::TaskDefinition => {
            run::<RegisterTaskDefinitionRequest>(json, validate_task_definition)
        }
        Root::Service => run::<CreateServiceRequest>(json, validate_service),
        Root::Cluster => run::<CreateClusterRequest>(json, validate_cluster),
        Root::CapacityProvider => {
            run::<CreateCapacityProviderRequest>(json, validate_capacity_provider)
        }
        Root::Stack => run::<Stack>(json, validate_stack),
    }
}

/// Whether `diagnostic` holds whatever the expressions of the invocation turn out to be.
fn decidable(diagnostic: &Diagnostic, lowered: &Lowered) -> bool {
    if lowered.exprs.is_empty() {
        return true;
    }
    let path = &diagnostic.path;
    let overlaps = lowered
        .exprs
        .iter()
        .any(|expr| starts_with(path, expr) || starts_with(expr, path));
    let cross = CROSS_FIELD_RULES.contains(&diagnostic.code.as_str())
        || diagnostic.code.starts_with("stack-");
    !overlaps && !cross
}

/// The tokens of the value at `path`; for a member that is not written (a missing required
/// member), the first token of the nearest object written, or the whole invocation at the root.
fn tokens_for(path: &JsonPath, lowered: &Lowered) -> TokenStream {
    if let Some((_, tokens)) = lowered.spans.iter().rev().find(|(p, _)| p == path) {
        return tokens.clone();
    }
    let ancestor = lowered
        .spans
        .iter()
        .filter(|(p, _)| starts_with(path, p) && !p.is_root())
        .max_by_key(|(p, _)| p.segments().len());
    // A missing root member: the whole invocation (empty tokens span the call site).
    ancestor
        .and_then(|(_, tokens)| tokens.clone().into_iter().next())
        .map(TokenStream::from)
        .unwrap_or_default()
}

/// How a diagnostic reads at compile time.
pub fn text(code: &str, message: &str, hint: Option<&str>) -> String {
    match hint {
        Some(hint) => format!("{code}: {message}\n  = hint: {hint}"),
        None => format!("{code}: {message}"),
    }
}

/// An error at `tokens` with the rule `code`.
pub fn spanned_error(
    tokens: &TokenStream,
    code: &str,
    message: &str,
    hint: Option<&str>,
) -> syn::Error {
    syn::Error::new_spanned(tokens, text(code, message, hint))
}

#[cfg(test)]
mod tests {
    use super::*;
    use quote::quote;

    fn codes(root: Root, tokens: TokenStream) -> Vec<String> {
        let input = crate::parse::input(tokens).expect("parses");
        let lowered = crate::model::lower(root.shape(), &input.members, &input.tokens);
        assert!(lowered.errors.is_empty(), "lowering failed");
        let checked = check(root, &lowered);
        checked
            .errors
            .iter()
            .map(|e| e.to_string())
            .chain(checked.warnings.iter().map(|w| w.code.clone()))
            .map(|text| text.split(':').next().unwrap_or_default().to_owned())
            .collect()
    }

    #[test]
    fn literals_are_checked_by_the_rule_set() {
        let found = codes(
            Root::TaskDefinition,
            quote! { k; family: "a", container_definitions: [
                { name: "web", image: "nginx", memory: 64,
                  depends_on: [{ container_name: "db", condition: START }] },
            ] },
        );
        assert_eq!(found, ["depends-on-unknown-container"]);
    }

    #[test]
    fn an_expression_defers_cross_field_rules_but_not_local_ones() {
        let found = codes(
            Root::TaskDefinition,
            quote! { k; family: "a", container_definitions: [
                { name: db_name, image: "postgres", memory: 64 },
                { name: "web", image: "nginx", memory: 64,
                  depends_on: [{ container_name: "db", condition: START }],
                  health_check: { command: ["CMD", "true"], retries: 0 } },
            ] },
        );
        assert_eq!(found, ["health-check-retries"]);
    }

    #[test]
    fn a_rule_about_an_object_holding_an_expression_waits() {
        // The port mapping's containerPort is an expression: "exactly one of containerPort and
        // containerPortRange" is reported on the mapping, which holds the expression.
        let found = codes(
            Root::TaskDefinition,
            quote! { k; family: "a", container_definitions: [
                { name: "web", image: "nginx", memory: 64, port_mappings: [{ container_port: port }] },
            ] },
        );
        assert!(found.is_empty(), "{found:?}");
    }

    #[test]
    fn list_elements_given_as_expressions_keep_the_indices_of_the_others() {
        let found = codes(
            Root::TaskDefinition,
            quote! { k; family: "a", container_definitions: [
                sidecar,
                { name: "web server", image: "nginx", memory: 64 },
            ] },
        );
        assert_eq!(found, ["container-name"]);
        let input = crate::parse::input(quote! { k; family: "a", container_definitions: [
            sidecar, { name: "web server", image: "nginx", memory: 64 },
        ] })
        .expect("parses");
        let lowered = crate::model::lower(
            "RegisterTaskDefinitionRequest",
            &input.members,
            &input.tokens,
        );
        let checked = check(Root::TaskDefinition, &lowered);
        let span_text = checked.errors[0].to_compile_error().to_string();
        assert!(span_text.contains("container-name"), "{span_text}");
        assert_eq!(lowered.exprs[0].to_string(), "containerDefinitions[0]");
    }
}
