//! One case per rule of the rule set: a document that breaks the rule must report its code at
//! the expected JSON path, and a near miss that keeps the rule must not. A rule without a
//! breaking case fails `every_rule_has_a_case`, so removing a rule's check, or adding a rule
//! without a test, fails this suite.

mod cluster;
mod discovery;
mod linked;
mod service;
mod stack;
mod task_definition;

use ecs_model::document::parse;
use ecs_model::validate::{rules, validate_document};
use serde_json::Value;

/// A document and what the rule `code` must say about it.
pub struct Case {
    /// The rule's code.
    pub code: &'static str,
    /// The document (any kind `parse` detects: task definition, service, cluster, stack...).
    pub doc: Value,
    /// `Some(path)`: a diagnostic with `code` at exactly this path must be reported.
    /// `None`: no diagnostic with `code` may be reported (the near miss).
    pub path: Option<&'static str>,
}

/// A breaking case.
pub fn breaks(code: &'static str, path: &'static str, doc: Value) -> Case {
    Case {
        code,
        doc,
        path: Some(path),
    }
}

/// A near miss: valid with respect to `code`.
pub fn keeps(code: &'static str, doc: Value) -> Case {
    Case {
        code,
        doc,
        path: None,
    }
}

fn all_cases() -> Vec<Case> {
    let mut cases = task_definition::cases();
    cases.extend(service::cases());
    cases.extend(cluster::cases());
    cases.extend(stack::cases());
    cases.extend(linked::cases());
    cases.extend(discovery::cases());
    cases
}

fn diagnostics(doc: &Value) -> Vec<(String, String)> {
    let loaded = parse(&doc.to_string(), None);
    let mut found: Vec<(String, String)> = loaded
        .diagnostics
        .iter()
        .map(|d| (d.code.clone(), d.path.to_string()))
        .collect();
    if let Some(document) = &loaded.value {
        found.extend(
            validate_document(document)
                .iter()
                .map(|d| (d.code.clone(), d.path.to_string())),
        );
    }
    found
}

#[test]
fn every_case_behaves() {
    let mut failures = Vec::new();
    for (i, case) in all_cases().iter().enumerate() {
        let found = diagnostics(&case.doc);
        let with_code: Vec<&String> = found
            .iter()
            .filter(|(code, _)| code == case.code)
            .map(|(_, path)| path)
            .collect();
        match case.path {
            Some(path) if !with_code.iter().any(|p| p.as_str() == path) => failures.push(format!(
                "case {i} `{}`: expected it at `{path}`, found {with_code:?}; all: {found:?}",
                case.code
            )),
            None if !with_code.is_empty() => failures.push(format!(
                "near miss {i} `{}`: expected no report, found {with_code:?}",
                case.code
            )),
            _ => {}
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn every_rule_has_a_case() {
    let cases = all_cases();
    let missing: Vec<&str> = rules()
        .iter()
        .map(|r| r.code)
        .filter(|code| !cases.iter().any(|c| c.code == *code && c.path.is_some()))
        .collect();
    assert!(
        missing.is_empty(),
        "rules without a breaking case: {missing:?}"
    );
}

#[test]
fn every_rule_is_documented() {
    let mut codes = std::collections::HashSet::new();
    for rule in rules() {
        assert!(codes.insert(rule.code), "duplicate code {}", rule.code);
        assert!(
            rule.doc.starts_with("https://docs.aws.amazon.com/"),
            "{}: cite the AWS doc page",
            rule.code
        );
        assert!(!rule.summary.is_empty(), "{}: no summary", rule.code);
        assert!(
            rule.code
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'),
            "{}: codes are kebab-case",
            rule.code
        );
    }
}
