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

/// Where a diagnostic points: a line and column (syntax errors) or a JSON path.
#[derive(Debug, Clone, Copy)]
enum At {
    LineColumn(u64, u64),
    Path(&'static str),
}

impl At {
    fn show(self) -> String {
        match self {
            At::LineColumn(line, column) => format!("line {line}, column {column}"),
            At::Path(path) => format!("path `{path}`"),
        }
    }
}

/// What `validate --format json` must report for one corpus file: its exit code and every
/// diagnostic as (code, severity, where), in order.
struct Verdict {
    file: &'static str,
    exit: i32,
    rows: &'static [(&'static str, &'static str, At)],
    why: &'static str,
}

/// The JSON rows as (code, severity, where), `where` in [`At::show`]'s form.
fn rows_of(rows: &[Value]) -> Vec<(String, String, String)> {
    rows.iter()
        .map(|r| {
            let at = match (r["line"].as_u64(), r["column"].as_u64()) {
                (Some(line), Some(column)) => At::LineColumn(line, column).show(),
                _ => format!("path `{}`", r["path"].as_str().unwrap_or("?")),
            };
            (
                r["code"].as_str().unwrap_or("?").to_owned(),
                r["severity"].as_str().unwrap_or("?").to_owned(),
                at,
            )
        })
        .collect()
}

fn expected_rows(rows: &[(&str, &str, At)]) -> Vec<(String, String, String)> {
    rows.iter()
        .map(|(code, severity, at)| ((*code).to_owned(), (*severity).to_owned(), at.show()))
        .collect()
}

/// Checks every file of a corpus folder against its verdict; a file without one, or a verdict
/// without its file, fails the test.
fn check_verdicts(folder: &str, verdicts: &[Verdict]) {
    // Every file, whatever its extension.
    let mut files: Vec<String> = std::fs::read_dir(workspace().join("tests/corpus").join(folder))
        .expect("corpus folder")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.is_file())
        .map(|p| p.file_name().expect("name").to_string_lossy().into_owned())
        .collect();
    files.sort();
    let listed: Vec<String> = verdicts.iter().map(|v| v.file.to_owned()).collect();
    assert_eq!(
        files, listed,
        "tests/corpus/{folder}/ and the verdicts differ: give each file one verdict, in name order"
    );
    let mut failures = Vec::new();
    for verdict in verdicts {
        let path = format!("tests/corpus/{folder}/{}", verdict.file);
        let (code, rows) = json_rows(&[&path]);
        let actual = rows_of(&rows);
        let expected = expected_rows(verdict.rows);
        if code != Some(verdict.exit) || actual != expected {
            failures.push(format!(
                "{path} ({}):\n  exit {code:?}, expected {}\n  rows {actual:?}\n  expected {expected:?}",
                verdict.why, verdict.exit
            ));
        }
        // The text form shows syntax errors at file:line:column, like a compiler.
        let text = String::from_utf8(validate(&[&path]).stdout).expect("utf8");
        for (_, _, at) in verdict.rows {
            if let At::LineColumn(line, column) = at {
                let wanted = format!("--> {path}:{line}:{column}\n");
                if !text.contains(&wanted) {
                    failures.push(format!("{path}: text output lacks `{wanted}`:\n{text}"));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Every file in `tests/corpus/invalid/` (see `tests/corpus/SOURCES.md` for where each comes
/// from and what is wrong with it).
const INVALID: &[Verdict] = &[
    Verdict {
        file: "awscli-update-service-output-trailing-comma-2.json",
        exit: 1,
        rows: &[("json-syntax", "error", At::LineColumn(47, 25))],
        why: "a trailing comma after the last element",
    },
    Verdict {
        file: "awsdocs-docker-volume-syntax-bare-type-words.json",
        exit: 1,
        rows: &[("json-syntax", "error", At::LineColumn(8, 33))],
        why: "a syntax skeleton: `boolean` written where a value belongs",
    },
    Verdict {
        file: "awsdocs-gmsa-ellipsis-elision.json",
        exit: 1,
        rows: &[("json-syntax", "error", At::LineColumn(7, 13))],
        why: "`...` elisions inside an object",
    },
    Verdict {
        file: "ecs-agent-unknown-portbindings-2.json",
        exit: 0,
        rows: &[(
            "unknown-field",
            "warning",
            At::Path("containerDefinitions[0].portBindings"),
        )],
        why: "`portBindings` (Docker's name) is not in the AWS model: see \
              `unknown_fields_warn_and_deny_makes_them_errors`",
    },
];

#[test]
fn every_invalid_corpus_file_gets_its_verdict() {
    check_verdicts("invalid", INVALID);
}

/// Every file in `tests/corpus/templated/`: ecspresso templates whose `{{ ... }}` placeholders
/// sit inside JSON strings, so both parse and are checked as they stand, placeholders and all.
/// Neither is an ECS request until ecspresso renders it, and both say so.
const TEMPLATED: &[Verdict] = &[
    Verdict {
        file: "ecspresso-service-def-placeholders.json",
        exit: 1,
        rows: &[
            ("output-only-field", "warning", At::Path("platformFamily")),
            ("missing-required-field", "error", At::Path("serviceName")),
            (
                "template-placeholder",
                "warning",
                At::Path("loadBalancers[0].targetGroupArn"),
            ),
            (
                "service-task-definition-required",
                "error",
                At::Path("taskDefinition"),
            ),
        ],
        why: "ecspresso adds serviceName and taskDefinition from its own config; the \
              placeholder inside targetGroupArn is reported as unrendered",
    },
    Verdict {
        file: "ecspresso-task-def-must-env.json",
        exit: 1,
        rows: &[
            ("empty-enum-value", "warning", At::Path("ipcMode")),
            ("empty-enum-value", "warning", At::Path("pidMode")),
            ("template-placeholder", "warning", At::Path("family")),
            (
                "template-placeholder",
                "warning",
                At::Path("containerDefinitions[0].name"),
            ),
            (
                "template-placeholder",
                "warning",
                At::Path("containerDefinitions[0].image"),
            ),
            (
                "template-placeholder",
                "warning",
                At::Path("containerDefinitions[0].command[0]"),
            ),
            (
                "template-placeholder",
                "warning",
                At::Path("containerDefinitions[0].logConfiguration.options[\"awslogs-group\"]"),
            ),
            ("family-name", "error", At::Path("family")),
            (
                "container-name",
                "error",
                At::Path("containerDefinitions[0].name"),
            ),
        ],
        why: "every `{{ must_env ... }}` placeholder is reported as unrendered, and as the \
              family and the container name it has characters AWS does not allow there",
    },
];

#[test]
fn every_templated_corpus_file_gets_its_verdict() {
    check_verdicts("templated", TEMPLATED);
}

/// `portBindings` is Docker's name for what ECS calls `portMappings`, so the ECS agent's test
/// file asks for no port mapping at all. A member the AWS model does not list is a warning by
/// default, because it may be newer than our copy of the model: it is kept and written back,
/// and the ECS API ignores members it does not know. The AWS CLI and SDKs reject unknown
/// parameters before sending, though, so `--deny-unknown-fields` makes it an error for those
/// who want that check.
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
    assert_eq!(
        rows_of(&rows),
        expected_rows(&[(
            "unknown-field",
            "error",
            At::Path("containerDefinitions[0].portBindings"),
        )])
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
    let file = "tests/corpus/task-definitions/ecs-agent-hostname.json";
    let (code, rows) = json_rows(&["--kind", "service", file]);
    assert_eq!(code, Some(1));
    assert_eq!(
        rows_of(&rows),
        expected_rows(&[("kind-mismatch", "error", At::Path(""))])
    );
    let (code, rows) = json_rows(&["--kind", "task-definition", file]);
    assert_eq!(code, Some(0), "{rows:?}");
}

#[test]
fn a_wrong_kind_is_a_usage_error_that_lists_the_kinds() {
    let out = validate(&["--kind", "task", "examples/json/webserver.json"]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("task-definition, service, cluster, capacity-provider, stack"),
        "{stderr}"
    );
    let help = validate(&["--help"]);
    let help = String::from_utf8_lossy(&help.stdout);
    assert!(
        help.contains(
            "[possible values: task-definition, service, cluster, capacity-provider, stack]"
        ),
        "{help}"
    );
}

#[test]
fn a_clean_file_is_an_empty_json_array() {
    let out = validate(&["--format", "json", "examples/json/webserver.json"]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(String::from_utf8_lossy(&out.stdout), "[]\n");
}

#[test]
fn several_files_end_with_a_total() {
    let out = validate(&[
        "examples/json/webserver.json",
        "examples/json/broken-task-definition.json",
        "examples/json/stack.json",
    ]);
    assert_eq!(out.status.code(), Some(1), "one file has errors");
    let (_, rows) = json_rows(&["examples/json/broken-task-definition.json"]);
    let errors = rows.iter().filter(|r| r["severity"] == "error").count();
    let warnings = rows.iter().filter(|r| r["severity"] == "warning").count();
    assert!(
        errors > 1 && warnings == 1,
        "the example's counts changed: {rows:?}"
    );
    let text = String::from_utf8(out.stdout).expect("utf8");
    assert!(
        text.starts_with(
            "ok: examples/json/webserver.json (task-definition): 0 errors, 0 warnings\n"
        ),
        "{text}"
    );
    assert!(
        text.ends_with(&format!(
            "ok: examples/json/stack.json (stack): 0 errors, 0 warnings\n\
                 \nchecked 3 files: 2 ok, 1 invalid; {errors} errors, 1 warning in all\n"
        )),
        "{text}"
    );
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
