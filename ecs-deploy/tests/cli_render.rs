//! `ecs-deploy render` on every corpus file keeps every field: the test walks the input and the
//! output side by side, leaf by leaf.
//!
//! Allowed differences, each checked rather than skipped:
//! - `null` members are absent (AWS's JSON protocol reads them so); they must not appear.
//! - A value the loader reported as `type-coerced` (a number written as a string) may change
//!   JSON type, but must keep its value.
//! - Output forms (describe results) drop exactly the output-only members: the members of the
//!   AWS model's output shape that its request shape lacks, computed here from the vendored AWS
//!   model, not from the code under test. `clusterArn` and `roleArn` of a service become
//!   `cluster` and `role`.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::{Map, Value};

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn corpus(folder: &str) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(workspace().join("tests/corpus").join(folder))
        .expect("corpus folder")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    files
}

fn model_members(shape: &str) -> BTreeSet<String> {
    let text = std::fs::read_to_string(workspace().join("ecs-model/aws-model/ecs-2014-11-13.json"))
        .expect("model");
    let model: Value = serde_json::from_str(&text).expect("model json");
    model["shapes"][shape]["members"]
        .as_object()
        .expect("shape members")
        .keys()
        .cloned()
        .collect()
}

fn output_only(output: &str, input: &str) -> BTreeSet<String> {
    let input = model_members(input);
    model_members(output)
        .into_iter()
        .filter(|m| !input.contains(m))
        .collect()
}

struct Rendered {
    json: Value,
    stderr: String,
}

fn render(file: &Path) -> Rendered {
    let out = Command::new(env!("CARGO_BIN_EXE_ecs-deploy"))
        .arg("render")
        .arg(file)
        .output()
        .expect("run ecs-deploy");
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(
        out.status.success(),
        "render {} failed: {stderr}",
        file.display()
    );
    let json = serde_json::from_slice(&out.stdout).expect("render prints JSON");
    Rendered { json, stderr }
}

/// Paths the loader reported as coerced (from the text report on stderr).
fn coerced_paths(stderr: &str) -> BTreeSet<String> {
    let mut paths = BTreeSet::new();
    let mut coerced = false;
    for line in stderr.lines() {
        if line.starts_with("warning[type-coerced]") {
            coerced = true;
        } else if let Some(rest) = line.trim_start().strip_prefix("--> ") {
            if coerced && let Some((_, path)) = rest.split_once(": ") {
                paths.insert(path.to_owned());
            }
            coerced = false;
        }
    }
    paths
}

fn strip_nulls(value: &Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| (k.clone(), strip_nulls(v)))
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(strip_nulls).collect()),
        other => other.clone(),
    }
}

fn join(path: &str, key: &str) -> String {
    let plain = !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$');
    match (path.is_empty(), plain) {
        (true, true) => key.to_owned(),
        (false, true) => format!("{path}.{key}"),
        (_, false) => format!("{path}[{key:?}]"),
    }
}

/// Compares leaf by leaf; every difference is pushed to `problems`.
fn compare(
    expected: &Value,
    actual: &Value,
    path: &str,
    coerced: &BTreeSet<String>,
    problems: &mut Vec<String>,
) {
    match (expected, actual) {
        (Value::Object(e), Value::Object(a)) => {
            for (key, ev) in e {
                let at = join(path, key);
                match a.get(key) {
                    Some(av) => compare(ev, av, &at, coerced, problems),
                    None => problems.push(format!("{at}: lost")),
                }
            }
            for key in a.keys().filter(|k| !e.contains_key(*k)) {
                problems.push(format!("{}: added", join(path, key)));
            }
        }
        (Value::Array(e), Value::Array(a)) => {
            if e.len() != a.len() {
                problems.push(format!("{path}: {} items became {}", e.len(), a.len()));
            }
            for (i, (ev, av)) in e.iter().zip(a).enumerate() {
                compare(ev, av, &format!("{path}[{i}]"), coerced, problems);
            }
        }
        (e, a) if e == a => {}
        (e, a) if coerced.contains(path) && scalar_text(e) == scalar_text(a) => {}
        (e, a) => problems.push(format!("{path}: {e} became {a}")),
    }
}

fn scalar_text(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.trim().to_owned()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

fn without(
    object: &Map<String, Value>,
    drop: &BTreeSet<String>,
    renames: &[(&str, &str)],
) -> Value {
    Value::Object(
        object
            .iter()
            .filter(|(k, _)| !drop.contains(*k) || renames.iter().any(|(from, _)| from == *k))
            .map(|(k, v)| {
                let key = renames
                    .iter()
                    .find(|(from, _)| from == k)
                    .map_or(k.as_str(), |(_, to)| to);
                (key.to_owned(), v.clone())
            })
            .collect(),
    )
}

/// What render must print for this input.
fn expected_output(input: &Value) -> Value {
    let input = strip_nulls(input);
    let object = input.as_object().expect("corpus files are objects");
    let service_renames: &[(&str, &str)] = &[("clusterArn", "cluster"), ("roleArn", "role")];
    if let Some(Value::Object(td)) = object.get("taskDefinition") {
        // Wrapped DescribeTaskDefinition output: the tags move into the request.
        let mut out = without(
            td,
            &output_only("TaskDefinition", "RegisterTaskDefinitionRequest"),
            &[],
        );
        if let Some(tags) = object
            .get("tags")
            .filter(|t| t.as_array().is_some_and(|a| !a.is_empty()))
        {
            out["tags"] = tags.clone();
        }
        return out;
    }
    if let Some(Value::Array(services)) = object.get("services") {
        let drop = output_only("Service", "CreateServiceRequest");
        let mut services: Vec<Value> = services
            .iter()
            .map(|s| without(s.as_object().expect("service"), &drop, service_renames))
            .collect();
        // One service renders as its CreateService input, several as a stack.
        return match services.len() {
            1 => services.remove(0),
            _ => serde_json::json!({ "services": services }),
        };
    }
    if object.contains_key("taskDefinitionArn") {
        return without(
            object,
            &output_only("TaskDefinition", "RegisterTaskDefinitionRequest"),
            &[],
        );
    }
    if object.contains_key("containerDefinitions") || object.contains_key("family") {
        return without(
            object,
            &output_only("TaskDefinition", "RegisterTaskDefinitionRequest"),
            &[],
        );
    }
    // Service input (ecspresso files carry output-only counts, which render drops).
    without(object, &output_only("Service", "CreateServiceRequest"), &[])
}

fn check_folder(folder: &str) -> usize {
    let mut failures = Vec::new();
    let files = corpus(folder);
    for file in &files {
        let text = std::fs::read_to_string(file).expect("read");
        let input: Value = serde_json::from_str(&text).expect("corpus JSON");
        let rendered = render(file);
        let coerced = coerced_paths(&rendered.stderr);
        let mut problems = Vec::new();
        compare(
            &expected_output(&input),
            &rendered.json,
            "",
            &coerced,
            &mut problems,
        );
        if !problems.is_empty() {
            failures.push(format!("{}:\n  {}", file.display(), problems.join("\n  ")));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    files.len()
}

#[test]
fn task_definitions_render_without_loss() {
    assert_eq!(check_folder("task-definitions"), 18);
}

#[test]
fn services_render_without_loss() {
    assert_eq!(check_folder("services"), 5);
}

#[test]
fn output_only_members_are_dropped() {
    let file = workspace().join("tests/corpus/task-definitions/user-console-export-output.json");
    let rendered = render(&file).json;
    for member in [
        "taskDefinitionArn",
        "revision",
        "status",
        "registeredAt",
        "registeredBy",
        "requiresAttributes",
        "compatibilities",
    ] {
        assert!(rendered.get(member).is_none(), "{member} kept");
    }
    assert!(rendered.get("family").is_some());
}

#[test]
fn render_refuses_text_that_is_not_a_document() {
    let file =
        workspace().join("tests/corpus/invalid/awscli-update-service-output-trailing-comma-2.json");
    let out = Command::new(env!("CARGO_BIN_EXE_ecs-deploy"))
        .arg("render")
        .arg(&file)
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains(":47:25"), "{stderr}");
}
