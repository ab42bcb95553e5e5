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
        // Cases about expressions and about the macros' two forms show a Rust type error or
        // the macro's own error, not a rule of the rule set.
        if name.starts_with("expression_") || name.starts_with("try_form_") {
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
    let readme = std::fs::read_to_string(dir.join("../../../README.md")).expect("README.md");
    assert!(
        readme.contains(&format!("{rules} of them have a compile-fail UI test")),
        "README.md should say that {rules} rules have a compile-fail UI test"
    );
}

/// The compile error the README shows is the one the macro produces.
#[test]
fn readme_shows_a_real_compile_error() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let readme = std::fs::read_to_string(dir.join("../README.md")).expect("README.md");
    let stderr =
        std::fs::read_to_string(dir.join("tests/ui/fargate_cpu_memory.stderr")).expect("stderr");
    let source = std::fs::read_to_string(dir.join("tests/ui/fargate_cpu_memory.rs")).expect("rs");
    assert!(
        readme.contains(stderr.trim_end()),
        "README.md differs from:\n{stderr}"
    );
    // The code block above it declares the same task definition.
    let body: Vec<&str> = source.lines().skip(2).take(6).map(str::trim).collect();
    let block: Vec<&str> = readme.lines().map(str::trim).collect();
    assert!(
        block.windows(body.len()).any(|w| w == body.as_slice()),
        "README.md does not show the code of fargate_cpu_memory.rs"
    );
}
