//! `ecs-deploy validate` as a user runs it: exit codes, text and JSON output, and the verdict on
//! every corpus file.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn validate(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ecs-deploy"))
        .arg("validate")
        .args(args)
        .current_dir(workspace())
        .env("NO_COLOR", "1")
        .output()
        .expect("run ecs-deploy")
}

fn json_rows(args: &[&str]) -> (Option<i32>, Vec<Value>) {
    let mut all = vec!["--format", "json"];
    all.extend_from_slice(args);
    let out = validate(&all);
    let rows: Value = serde_json::from_slice(&out.stdout).expect("one JSON array");
    (out.status.code(), rows.as_array().expect("array").clone())
}

fn corpus_files(folder: &str) -> Vec<String> {
    let mut files: Vec<String> = std::fs::read_dir(workspace().join("tests/corpus").join(folder))
        .expect("corpus")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .map(|p| {
            format!(
                "tests/corpus/{folder}/{}",
                p.file_name().expect("name").to_string_lossy()
            )
        })
        .collect();
    files.sort();
    files
}

#[test]
fn syntax_errors_report_line_and_column() {
    let cases = [
        ("awscli-update-service-output-trailing-comma-2.json", 47, 25),
        ("awsdocs-docker-volume-syntax-bare-type-words.json", 8, 33),
        ("awsdocs-gmsa-ellipsis-elision.json", 7, 13),
    ];
    for (file, line, column) in cases {
        let path = format!("tests/corpus/invalid/{file}");
        let (code, rows) = json_rows(&[&path]);
        assert_eq!(code, Some(1), "{file}");
        assert_eq!(rows.len(), 1, "{file}: {rows:?}");
        assert_eq!(rows[0]["code"], "json-syntax");
        assert_eq!(rows[0]["line"], line, "{file}");
        assert_eq!(rows[0]["column"], column, "{file}");

        let text = String::from_utf8(validate(&[&path]).stdout).expect("utf8");
        assert!(text.contains(&format!("{path}:{line}:{column}")), "{text}");
    }
}

#[test]
fn unknown_fields_warn_and_deny_makes_them_errors() {
    let path = "tests/corpus/invalid/ecs-agent-unknown-portbindings-2.json";
    let (code, rows) = json_rows(&[path]);
    assert_eq!(code, Some(0));
    let row = rows
        .iter()
        .find(|r| r["code"] == "unknown-field")
        .expect("unknown-field reported");
    assert_eq!(row["path"], "containerDefinitions[0].portBindings");
    assert_eq!(row["severity"], "warning");
    assert!(row["hint"].as_str().unwrap_or("").contains("portMappings"));

    let (code, rows) = json_rows(&["--deny-unknown-fields", path]);
    assert_eq!(code, Some(1));
    assert!(
        rows.iter()
            .any(|r| r["code"] == "unknown-field" && r["severity"] == "error")
    );
}

#[test]
fn json_rows_have_the_documented_fields() {
    let (_, rows) = json_rows(&["examples/json/broken-task-definition.json"]);
    assert!(!rows.is_empty());
    for row in &rows {
        for field in ["file", "path", "code", "severity", "message", "hint"] {
            assert!(row.get(field).is_some(), "{field} missing in {row}");
        }
        assert_eq!(row["file"], "examples/json/broken-task-definition.json");
    }
}

#[test]
fn kind_flag_is_honoured() {
    let out = validate(&[
        "--kind",
        "service",
        "tests/corpus/task-definitions/ecs-agent-hostname.json",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("unknown-field"), "{text}");
}

#[test]
fn missing_file_is_an_error_not_a_panic() {
    let (code, rows) = json_rows(&["no/such/file.json"]);
    assert_eq!(code, Some(1));
    assert_eq!(rows[0]["code"], "io-error");
}

/// Every corpus file validates with no error, except these, each of which AWS rejects too.
const EXPECTED_ERRORS: &[(&str, &str, &str, &str)] = &[
    (
        "awsdocs-firelens-depends-on-start.json",
        "missing-required-field",
        "family",
        "a fragment from the FireLens guide: RegisterTaskDefinition requires `family`",
    ),
    (
        "ecspresso-service-alarms-circuit-breaker.json",
        "missing-required-field",
        "serviceName",
        "an ecspresso service file: ecspresso adds `serviceName` from its own config, and \
         CreateService rejects a request without it",
    ),
    (
        "ecspresso-service-alarms-circuit-breaker.json",
        "service-task-definition-required",
        "taskDefinition",
        "ecspresso also injects `taskDefinition`; AWS rejects a service without one under the \
         ECS deployment controller",
    ),
    (
        "user-ecspresso-service-runtime-counts.json",
        "missing-required-field",
        "serviceName",
        "an ecspresso service file, as above",
    ),
    (
        "user-ecspresso-service-runtime-counts.json",
        "service-task-definition-required",
        "taskDefinition",
        "an ecspresso service file, as above",
    ),
];

#[test]
fn corpus_validates_except_where_aws_rejects_too() {
    let mut files = corpus_files("task-definitions");
    files.extend(corpus_files("services"));
    let args: Vec<&str> = files.iter().map(String::as_str).collect();
    let (_, rows) = json_rows(&args);
    let errors: Vec<(String, String, String)> = rows
        .iter()
        .filter(|r| r["severity"] == "error")
        .map(|r| {
            let file = r["file"].as_str().unwrap_or("");
            let name = file.rsplit('/').next().unwrap_or(file).to_owned();
            (
                name,
                r["code"].as_str().unwrap_or("").to_owned(),
                r["path"].as_str().unwrap_or("").to_owned(),
            )
        })
        .collect();
    let expected: Vec<(String, String, String)> = EXPECTED_ERRORS
        .iter()
        .map(|(f, c, p, _why)| ((*f).to_owned(), (*c).to_owned(), (*p).to_owned()))
        .collect();
    assert_eq!(errors, expected, "errors differ from the documented list");
}

/// The output the README shows for the broken example is what the CLI prints today.
#[test]
fn readme_shows_the_real_output() {
    let readme = std::fs::read_to_string(workspace().join("README.md")).expect("README");
    let command = "validate examples/json/broken-task-definition.json\n```";
    let after = &readme[readme.find(command).expect("README shows the command") + command.len()..];
    let start = after.find("```text\n").expect("followed by a text block") + "```text\n".len();
    let shown = &after[start..start + after[start..].find("```").expect("closed")];
    let out = validate(&["examples/json/broken-task-definition.json"]);
    assert_eq!(out.status.code(), Some(1));
    let printed = String::from_utf8(out.stdout).expect("utf8");
    assert_eq!(
        shown, printed,
        "update the README block with the new output"
    );
}

#[test]
fn examples_are_valid() {
    for file in ["examples/json/webserver.json", "examples/json/stack.json"] {
        let (code, rows) = json_rows(&[file]);
        assert_eq!(code, Some(0), "{file}: {rows:?}");
        assert!(rows.is_empty(), "{file}: {rows:?}");
    }
}
