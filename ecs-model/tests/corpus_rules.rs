//! The rule set against real task definitions: every file of the vendored public corpus
//! (`tests/corpus/task-definitions/`, sources in `tests/corpus/SOURCES.md`) is one AWS
//! documented, registered or ran, so none may get an error from the rules.
//!
//! Only the rules are held to this: loader diagnostics (such as the `missing-required-field`
//! error for `awsdocs-firelens-depends-on-start.json`, a documentation excerpt without `family`)
//! come from `parse` and are the loader tests' business.

use std::path::Path;

use ecs_model::document::parse;
use ecs_model::validate::validate_document;

const CORPUS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../tests/corpus/task-definitions"
);

/// Files AWS would reject too, with the reason; their errors are expected. None so far.
const EXPECTED_ERRORS: &[(&str, &str)] = &[];

#[test]
fn corpus_task_definitions_have_no_rule_errors() {
    let mut files: Vec<_> = std::fs::read_dir(Path::new(CORPUS))
        .expect("the corpus folder exists")
        .map(|entry| entry.expect("a readable entry").path())
        .filter(|path| path.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    assert!(files.len() >= 18, "corpus not found at {CORPUS}");
    let mut failures = Vec::new();
    for path in &files {
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default();
        let text = std::fs::read_to_string(path).expect("a readable file");
        let loaded = parse(&text, None);
        let document = loaded
            .value
            .unwrap_or_else(|| panic!("{name}: not loaded: {:?}", loaded.diagnostics));
        let errors: Vec<String> = validate_document(&document)
            .iter()
            .filter(|d| d.is_error())
            .map(ToString::to_string)
            .collect();
        let expected = EXPECTED_ERRORS.iter().any(|(file, _)| *file == name);
        if !errors.is_empty() && !expected {
            failures.push(format!("{name}:\n  {}", errors.join("\n  ")));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The corpus passes its secrets through `secrets` (`GITHUB_TOKEN`, `OFAC_API_KEY`) and keeps
/// plain settings such as `API_URL` and `JAVA_OPTS` in `environment`: the secrets lint, a
/// warning the test above does not look at, must not mistake one for the other.
#[test]
fn corpus_environments_hold_no_secret() {
    let mut found = Vec::new();
    let mut variables = 0;
    for entry in std::fs::read_dir(Path::new(CORPUS)).expect("the corpus folder exists") {
        let path = entry.expect("a readable entry").path();
        if path.extension().is_none_or(|e| e != "json") {
            continue;
        }
        let text = std::fs::read_to_string(&path).expect("a readable file");
        variables += text.matches("\"environment\"").count();
        let Some(document) = parse(&text, None).value else {
            continue;
        };
        found.extend(
            validate_document(&document)
                .into_iter()
                .filter(|d| d.code == "secret-in-environment")
                .map(|d| format!("{}: {d}", path.display())),
        );
    }
    assert!(
        variables >= 3,
        "the corpus has too few environments to say anything"
    );
    assert!(found.is_empty(), "{}", found.join("\n"));
}
