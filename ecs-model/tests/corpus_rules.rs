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
