//! Compile-time checks of the macros, run with trybuild.
//!
//! `tests/ui/<rule_code>.rs` breaks one rule and its `.stderr` shows the error at the offending
//! token; `tests/ui/pass/*.rs` are valid declarations that must compile and run, so the suite
//! cannot pass by rejecting everything. After changing a message, regenerate the `.stderr` files
//! with `TRYBUILD=overwrite cargo test -p ecs-dsl --test ui` and review the diff.

use std::path::Path;

#[test]
fn ui() {
    let cases = trybuild::TestCases::new();
    cases.compile_fail("tests/ui/*.rs");
    cases.pass("tests/ui/pass/*.rs");
}

/// Each compile-fail file is named after the code it shows: a rule of the rule set, or a code of
/// the macro's own checks (unknown members, literal types), or a Rust type error.
#[test]
fn each_case_is_named_after_its_code() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/ui");
    let mut rules = 0;
    for entry in std::fs::read_dir(&dir).expect("tests/ui") {
        let path = entry.expect("entry").path();
        if path.extension().and_then(|e| e.to_str()) != Some("stderr") {
            continue;
        }
        let name = path.file_stem().and_then(|s| s.to_str()).expect("name");
        let code = name.replace('_', "-");
        let stderr = std::fs::read_to_string(&path).expect("stderr");
        if name.starts_with("expression_") {
            continue;
        }
        let shown = stderr.contains(&format!("error: {code}: "))
            || stderr.contains(&format!("deprecated constant `main::{name}`"));
        assert!(shown, "{name}.stderr does not show `{code}`:\n{stderr}");
        if ecs_dsl::model::validate::rule(&code).is_some() {
            rules += 1;
        }
    }
    assert!(rules >= 30, "only {rules} rules have a compile-fail case");
}
