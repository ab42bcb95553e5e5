//! `ecs-deploy render` on every corpus file keeps every field: the test walks the input and the
//! output side by side, leaf by leaf.
//!
//! Allowed differences, each checked rather than skipped:
//! - `null` members are absent (AWS's JSON protocol reads them so); they must not appear.
//! - A value the loader reported as `type-coerced` (a number written as a string) may change
//!   JSON type, but must keep its value. Those paths are the only thing the test takes from the
//!   code under test; it reads them from `ecs-deploy validate --format json`, the documented
//!   machine-readable output, and they relax only the JSON type at exactly those paths.
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

fn ecs_deploy() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_ecs-deploy"));
    command.env("NO_COLOR", "1");
    command
}

/// What `render` printed on stdout, as JSON.
fn render(file: &Path) -> Value {
    let out = ecs_deploy()
        .arg("render")
        .arg(file)
        .output()
        .expect("run ecs-deploy");
    assert!(
        out.status.success(),
        "render {} failed: {}",
        file.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("render prints JSON")
}

/// The paths `validate --format json` reports as `type-coerced`, relative to the document
/// root.
fn coerced_paths(file: &Path) -> BTreeSet<String> {
    let out = ecs_deploy()
        .args(["validate", "--format", "json"])
        .arg(file)
        .output()
        .expect("run ecs-deploy");
    let rows: Value = serde_json::from_slice(&out.stdout).expect("one JSON array");
    rows.as_array()
        .expect("array")
        .iter()
        .filter(|row| row["code"] == "type-coerced")
        .map(|row| row["path"].as_str().expect("a path").to_owned())
        .collect()
}

/// Paths under `wrapper` (the member an output form loses, such as `taskDefinition`) made
/// relative to it; the others (a wrapped task definition's `tags`) stay as they are.
fn unwrapped(paths: &BTreeSet<String>, wrapper: &str) -> BTreeSet<String> {
    let prefix = format!("{wrapper}.");
    paths
        .iter()
        .map(|path| match path.strip_prefix(&prefix) {
            Some(rest) if !wrapper.is_empty() => rest.to_owned(),
            _ => path.clone(),
        })
        .collect()
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

/// What render must print for this input, and the wrapper member (`taskDefinition`,
/// `services[0]`) whose content becomes the output's root, if any.
fn expected_output(input: &Value) -> (Value, &'static str) {
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
        return (out, "taskDefinition");
    }
    if let Some(Value::Array(services)) = object.get("services") {
        let drop = output_only("Service", "CreateServiceRequest");
        let mut services: Vec<Value> = services
            .iter()
            .map(|s| without(s.as_object().expect("service"), &drop, service_renames))
            .collect();
        // One service renders as its CreateService input, several as a stack.
        return match services.len() {
            1 => (services.remove(0), "services[0]"),
            _ => (serde_json::json!({ "services": services }), ""),
        };
    }
    if object.contains_key("taskDefinitionArn")
        || object.contains_key("containerDefinitions")
        || object.contains_key("family")
    {
        // A task definition, bare input or bare output.
        let drop = output_only("TaskDefinition", "RegisterTaskDefinitionRequest");
        return (without(object, &drop, &[]), "");
    }
    // Service input (ecspresso files carry output-only counts, which render drops).
    let drop = output_only("Service", "CreateServiceRequest");
    (without(object, &drop, &[]), "")
}

/// Renders the file and compares the output with what the input says it must be; returns the
/// differences.
fn check_file(file: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(file).expect("read");
    let input: Value = serde_json::from_str(&text).expect("corpus JSON");
    let (expected, wrapper) = expected_output(&input);
    let coerced = unwrapped(&coerced_paths(file), wrapper);
    let mut problems = Vec::new();
    compare(&expected, &render(file), "", &coerced, &mut problems);
    problems
}

fn check_folder(folder: &str) -> usize {
    let files = corpus(folder);
    let failures: Vec<String> = files
        .iter()
        .filter_map(|file| {
            let problems = check_file(file);
            (!problems.is_empty())
                .then(|| format!("{}:\n  {}", file.display(), problems.join("\n  ")))
        })
        .collect();
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
    let rendered = render(&file);
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
    let out = ecs_deploy().arg("render").arg(&file).output().expect("run");
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains(":47:25"), "{stderr}");
}

/// Every invalid and templated corpus file: render prints JSON and exits 0 when the text is a
/// document, even one `validate` rejects (a placeholder where a name belongs), and prints
/// nothing and exits 1 when it is not JSON. Never a panic.
#[test]
fn render_takes_invalid_and_templated_files_without_panicking() {
    for file in corpus("invalid").into_iter().chain(corpus("templated")) {
        let not_json = ecs_deploy()
            .args(["validate", "--format", "json"])
            .arg(&file)
            .output()
            .expect("run");
        let not_json = String::from_utf8_lossy(&not_json.stdout).contains("\"json-syntax\"");
        let out = ecs_deploy().arg("render").arg(&file).output().expect("run");
        let stderr = String::from_utf8_lossy(&out.stderr);
        if not_json {
            assert_eq!(out.status.code(), Some(1), "{}: {stderr}", file.display());
            assert!(out.stdout.is_empty(), "{}", file.display());
            assert!(stderr.contains("error[json-syntax]"), "{stderr}");
        } else {
            assert_eq!(out.status.code(), Some(0), "{}: {stderr}", file.display());
            let json: Value = serde_json::from_slice(&out.stdout).expect("render prints JSON");
            assert!(json.is_object(), "{}", file.display());
        }
    }
}

/// Values written with the wrong JSON type (the ECS guide's own `"memory": "100"`) render with
/// the type AWS expects and the same value, in an input and in a wrapped describe output. The
/// corpus has none, so these files are written here.
#[test]
fn coerced_values_keep_their_value() {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("cli_render");
    std::fs::create_dir_all(&dir).expect("scratch folder");
    let container = serde_json::json!({
        "name": "web",
        "image": "nginx",
        "memory": "100",
        "essential": "true",
        "portMappings": [{"containerPort": "80"}]
    });
    let input = serde_json::json!({
        "family": "web",
        "cpu": 256,
        "memory": "512",
        "containerDefinitions": [container]
    });
    let wrapped = serde_json::json!({
        "taskDefinition": {
            "taskDefinitionArn": "arn:aws:ecs:us-east-1:123456789012:task-definition/web:3",
            "family": "web",
            "revision": 3,
            "status": "ACTIVE",
            "cpu": 256,
            "memory": "512",
            "containerDefinitions": [container]
        },
        "tags": [{"key": "team", "value": "web"}]
    });
    for (name, document) in [("input.json", input), ("wrapped.json", wrapped)] {
        let file = dir.join(name);
        std::fs::write(&file, document.to_string()).expect("write");
        let (_, wrapper) = expected_output(&document);
        let coerced = unwrapped(&coerced_paths(&file), wrapper);
        for path in [
            "cpu",
            "containerDefinitions[0].memory",
            "containerDefinitions[0].essential",
            "containerDefinitions[0].portMappings[0].containerPort",
        ] {
            assert!(coerced.contains(path), "{name}: {path} not in {coerced:?}");
        }
        let problems = check_file(&file);
        assert!(problems.is_empty(), "{name}: {problems:?}");
    }
}

/// A coerced path allows another JSON type, never another value.
#[test]
fn compare_still_catches_a_changed_value_at_a_coerced_path() {
    let coerced = BTreeSet::from(["memory".to_owned()]);
    let mut problems = Vec::new();
    compare(
        &serde_json::json!({"memory": "100"}),
        &serde_json::json!({"memory": 100}),
        "",
        &coerced,
        &mut problems,
    );
    assert!(problems.is_empty(), "{problems:?}");
    compare(
        &serde_json::json!({"memory": "100"}),
        &serde_json::json!({"memory": 101}),
        "",
        &coerced,
        &mut problems,
    );
    assert_eq!(problems, ["memory: \"100\" became 101"]);
}

/// The facade's `tests/examples.rs` compares the `webserver` example with this exact text
/// instead of running the command, so the command must print exactly the library's rendering,
/// pretty-printed, and a newline.
#[test]
fn render_prints_the_library_rendering_byte_for_byte() {
    for file in ["webserver.json", "webserver-guide.json", "stack.json"] {
        let path = workspace().join("examples/json").join(file);
        let out = ecs_deploy()
            .arg("render")
            .arg(&path)
            .output()
            .expect("run ecs-deploy");
        assert!(out.status.success(), "{file}");
        let text = std::fs::read_to_string(&path).expect("example file");
        let document = ecs_model::document::parse(&text, None)
            .value
            .expect("a document");
        let mut expected = serde_json::to_string_pretty(&document.render()).expect("serializes");
        expected.push('\n');
        assert_eq!(String::from_utf8_lossy(&out.stdout), expected, "{file}");
    }
}
