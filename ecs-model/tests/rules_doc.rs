//! `docs/rules.md` lists every rule of the rule set, made from `ecs_model::validate::rules()`.
//! When this fails, run `UPDATE_RULES_DOC=1 cargo test -p ecs-model --test rules_doc` and
//! commit the file.

use std::fmt::Write as _;
use std::path::PathBuf;

use ecs_model::validate::rules;

fn render() -> String {
    let mut rules = rules();
    rules.sort_by_key(|r| r.code);
    let mut out = String::from(
        "# The rule set\n\n\
         Every rule `ecs-deploy validate`, the builders and the macros apply, with its stable \
         code, its severity and the AWS page that states it. The loader's own codes \
         (`json-syntax`, `unknown-field`, `type-mismatch`, `type-coerced`, `unknown-enum-value`, \
         `empty-enum-value`, `missing-required-field`, `output-only-field`, \
         `unknown-document-kind`) are described in `ecs-model/src/load.rs`.\n\n\
         This file is generated from `ecs_model::validate::rules()` by \
         `UPDATE_RULES_DOC=1 cargo test -p ecs-model --test rules_doc`.\n\n",
    );
    let _ = writeln!(out, "{} rules.\n", rules.len());
    out.push_str("| code | severity | rule | AWS documentation |\n|---|---|---|---|\n");
    for rule in rules {
        let _ = writeln!(
            out,
            "| `{}` | {} | {} | [page]({}) |",
            rule.code,
            rule.severity,
            rule.summary.replace('|', "\\|"),
            rule.doc
        );
    }
    out
}

#[test]
fn rules_doc_is_up_to_date() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../docs/rules.md");
    let fresh = render();
    if std::env::var_os("UPDATE_RULES_DOC").is_some() {
        std::fs::write(&path, &fresh).expect("write docs/rules.md");
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == fresh,
        "docs/rules.md is stale: run `UPDATE_RULES_DOC=1 cargo test -p ecs-model --test rules_doc`"
    );
}

#[test]
fn readme_counts_the_rules() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../README.md");
    let readme = std::fs::read_to_string(path).expect("README.md");
    let count = rules().len();
    assert!(
        readme.contains(&format!("{count} rules (the full list")),
        "README.md should say there are {count} rules"
    );
}

/// Every rule of a stack relates resources to each other, and every rule that names another
/// container, volume or member is marked so: the macros rely on it when part of a resource is a
/// Rust expression.
#[test]
fn rules_across_members_and_resources_say_so() {
    for rule in rules() {
        // The stack's own `name` is a scalar of the stack, judged on its own.
        if rule.code.starts_with("stack-") && rule.code != "stack-name" {
            assert!(rule.cross_field, "{} relates resources", rule.code);
        }
    }
    for code in [
        "depends-on-unknown-container",
        "mount-point-unknown-volume",
        "service-desired-count",
        "essential-container",
    ] {
        let rule = ecs_model::validate::rule(code).expect("a rule");
        assert!(rule.cross_field, "{code}");
    }
    // Two scalar members: an expression for one of them is judged with sample values.
    let scalar = ecs_model::validate::rule("fargate-cpu-memory").expect("a rule");
    assert!(!scalar.cross_field);
}
