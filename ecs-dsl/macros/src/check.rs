//! Checking: the literal JSON loaded and validated by `ecs_model`, exactly as a file would be,
//! and each diagnostic placed on the tokens that caused it.
//!
//! A value given as a Rust expression is not known here, so a diagnostic becomes a compile error
//! only when it holds whatever the expression turns out to be. The literal JSON is validated
//! with each expression absent (a placeholder in a list, so indices stay right), and then again
//! in one *world* per value each expression could plausibly take: every value of an enum, both
//! booleans, the strings and numbers written elsewhere in the invocation (a `dependsOn` naming
//! `"db"` is satisfied by a container name expression that yields `"db"`), the bounds the rules
//! use, and for a structure, a structure with one member set. A diagnostic is kept only when
//! every world reports it at the same path; one at an expression's path, inside it, or on an
//! object that contains it is dropped outright. When an invocation holds a structure, map or
//! list of structures as an expression, whose worlds are only a sample, the rules that relate
//! one part of a resource to another wait for run time as well.
//!
//! Dropped does not mean unchecked: expressions are only accepted by the `try_` forms, whose
//! expansion calls `ecs_dsl::checked`, which runs the whole rule set at run time. The plain forms
//! reject expressions (see `expand`), and still report what this module finds in the literals.

use ecs_model::load::from_value;
use ecs_model::reflect::{self, Api, Ty};
use ecs_model::types::{
    CreateCapacityProviderRequest, CreateClusterRequest, CreateServiceRequest,
    RegisterTaskDefinitionRequest,
};
use ecs_model::validate::close_references;
use ecs_model::validate::{
    validate_capacity_provider, validate_cluster, validate_service, validate_stack,
    validate_task_definition,
};
use ecs_model::{Diagnostic, JsonPath, PathSegment, Severity, Stack};
use proc_macro2::TokenStream;
use serde_json::{Map, Value};

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

    /// The name of the macro's plain form, as the user writes it.
    pub fn macro_name(self) -> &'static str {
        match self {
            Self::TaskDefinition => "task_definition",
            Self::Service => "service",
            Self::Cluster => "cluster",
            Self::CapacityProvider => "capacity_provider",
            Self::Stack => "stack",
        }
    }
}

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
    let mut errors = Vec::new();
    let mut warnings = Vec::new();
    for diagnostic in decidable(root, lowered) {
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
        Root::Stack => run::<Stack>(json, |stack| {
            let mut out = validate_stack(stack);
            close_references(
                stack,
                &mut out,
                "define it in this stack!, write its ARN, or build the stack with \
                 `ecs_dsl::stack()` and `allow_external_references()`",
            );
            out
        }),
    }
}

/// The diagnostics that hold whatever the expressions of the invocation turn out to be.
fn decidable(root: Root, lowered: &Lowered) -> Vec<Diagnostic> {
    let mut kept = diagnostics(root, &lowered.json);
    if lowered.exprs.is_empty() {
        return kept;
    }
    kept.retain(|d| {
        !lowered
            .exprs
            .iter()
            .any(|(expr, _, _)| starts_with(&d.path, expr) || starts_with(expr, &d.path))
    });
    let composite = lowered
        .exprs
        .iter()
        .any(|(_, _, ty)| is_composite(ty) || is_list_of_structs(ty));
    if composite {
        // A rule relating several members or resources (a property of the rule, in
        // `ecs_model`) cannot be judged while part of a structure is an expression.
        kept.retain(|d| !ecs_model::validate::rule(&d.code).is_some_and(|r| r.cross_field));
    }
    let seen = Literals::of(&lowered.json);
    for (path, api, ty) in &lowered.exprs {
        for candidate in candidates(*api, ty, &seen, 2) {
            if kept.is_empty() {
                return kept;
            }
            let mut world = lowered.json.clone();
            set(&mut world, path, candidate);
            let found = diagnostics(root, &world);
            kept.retain(|d| found.iter().any(|f| f.code == d.code && f.path == d.path));
        }
    }
    kept
}

fn is_composite(ty: &Ty) -> bool {
    matches!(ty, Ty::Struct(_) | Ty::Map(_) | Ty::Choice(_))
}

fn is_list_of_structs(ty: &Ty) -> bool {
    matches!(ty, Ty::List(inner) if is_composite(inner) || is_list_of_structs(inner))
}

/// The strings and numbers written in the invocation: values an expression may well repeat.
struct Literals {
    strings: Vec<String>,
    numbers: Vec<i64>,
}

impl Literals {
    fn of(json: &Value) -> Self {
        let mut out = Self {
            strings: vec![String::new()],
            // Bounds the rules use: ports, seconds, percents, MiB, CPU units.
            numbers: vec![
                0, 1, 2, 5, 10, 60, 100, 128, 200, 300, 1024, 65535, 1_000_000,
            ],
        };
        out.walk(json);
        out.strings.sort();
        out.strings.dedup();
        out.numbers.sort_unstable();
        out.numbers.dedup();
        out
    }

    fn walk(&mut self, json: &Value) {
        match json {
            Value::String(text) => {
                self.strings.push(text.clone());
                if let Ok(n) = text.parse::<i64>() {
                    self.numbers.push(n);
                }
            }
            Value::Number(n) => {
                if let Some(n) = n.as_i64() {
                    self.numbers.extend([n - 1, n, n + 1]);
                    self.strings.push(n.to_string());
                }
            }
            Value::Array(items) => items.iter().for_each(|v| self.walk(v)),
            Value::Object(map) => map.values().for_each(|v| self.walk(v)),
            _ => {}
        }
    }
}

/// The values a member of type `ty` (its names in the table of `api`) is tried with; `depth`
/// bounds the nesting of structures.
fn candidates(api: Api, ty: &Ty, seen: &Literals, depth: usize) -> Vec<Value> {
    match ty {
        Ty::String => seen.strings.iter().cloned().map(Value::String).collect(),
        Ty::Integer | Ty::Long => seen.numbers.iter().map(|n| Value::from(*n)).collect(),
        Ty::Double => seen
            .numbers
            .iter()
            .map(|n| Value::from(*n as f64))
            .collect(),
        Ty::Boolean => vec![Value::Bool(false), Value::Bool(true)],
        Ty::Enum(name) => reflect::enumeration_in(api, name)
            .map(|e| e.values.iter().map(|v| Value::from(*v)).collect())
            .unwrap_or_default(),
        Ty::List(inner) => {
            let mut out = vec![Value::Array(Vec::new())];
            out.extend(
                candidates(api, inner, seen, depth.saturating_sub(1))
                    .into_iter()
                    .map(|item| Value::Array(vec![item])),
            );
            out
        }
        Ty::Struct(name) => {
            let mut out = vec![Value::Object(Map::new())];
            if let (Some(shape), true) = (reflect::shape_in(api, name), depth > 0) {
                for member in shape.members {
                    for value in candidates(member.api, &member.ty, seen, depth - 1) {
                        let mut object = Map::new();
                        object.insert(member.json.to_owned(), value);
                        out.push(Value::Object(object));
                    }
                }
            }
            out
        }
        // Either alternative: without and with the member that picks.
        Ty::Choice(choice) => {
            let mut picked = Map::new();
            picked.insert(choice.member.to_owned(), Value::String(String::new()));
            vec![Value::Object(Map::new()), Value::Object(picked)]
        }
        _ => vec![Value::Object(Map::new())],
    }
}

/// Sets the value at `path` (whose parent exists: lowering wrote it) to `value`.
fn set(json: &mut Value, path: &JsonPath, value: Value) {
    let Some((last, parents)) = path.segments().split_last() else {
        return;
    };
    let mut parent = json;
    for segment in parents {
        let next = match segment {
            PathSegment::Key(key) => parent.get_mut(key.as_str()),
            PathSegment::Index(index) => parent.get_mut(*index),
        };
        match next {
            Some(next) => parent = next,
            None => return,
        }
    }
    match (last, parent) {
        (PathSegment::Key(key), Value::Object(map)) => {
            map.insert(key.clone(), value);
        }
        (PathSegment::Index(index), Value::Array(items)) => {
            if let Some(slot) = items.get_mut(*index) {
                *slot = value;
            }
        }
        _ => {}
    }
}

/// The tokens of the value at `path`; for a member that is not written (a missing required
/// member), the first token of the nearest object written, or the whole invocation at the root.
pub fn tokens_for(path: &JsonPath, lowered: &Lowered) -> TokenStream {
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
        assert_eq!(lowered.exprs[0].0.to_string(), "containerDefinitions[0]");
    }
}
