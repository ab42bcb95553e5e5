//! Files that are not UTF-8 JSON text, through both commands: `validate` reports one diagnostic
//! with the CLI's own code (`empty-file`, `encoding`, `io-error`) and exits 1; `render` reports
//! the same diagnostic on stderr, prints nothing on stdout and exits 1.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ecs-deploy"))
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .expect("run ecs-deploy")
}

/// A file under this test's own scratch folder, written with exactly these bytes.
///
/// The folder is named after the running test (the test harness names each thread after its
/// test), so tests that write a file of the same name with other bytes do not race.
fn scratch(name: &str, bytes: &[u8]) -> PathBuf {
    let test = std::thread::current()
        .name()
        .unwrap_or("main")
        .replace("::", "-");
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("cli_files")
        .join(test);
    std::fs::create_dir_all(&dir).expect("scratch folder");
    let path = dir.join(name);
    std::fs::write(&path, bytes).expect("write scratch file");
    path
}

const TASK: &str =
    r#"{"family": "café", "containerDefinitions": [{"name": "web", "image": "nginx"}]}"#;

fn utf16(text: &str, big_endian: bool, bom: bool) -> Vec<u8> {
    let units = bom.then_some(0xFEFF).into_iter().chain(text.encode_utf16());
    units
        .flat_map(|u| {
            if big_endian {
                u.to_be_bytes()
            } else {
                u.to_le_bytes()
            }
        })
        .collect()
}

fn latin1(text: &str) -> Vec<u8> {
    text.chars()
        .map(|c| u8::try_from(u32::from(c)).expect("a Latin-1 character"))
        .collect()
}

/// What one bad file must produce.
struct Case {
    name: &'static str,
    path: PathBuf,
    code: &'static str,
    message: &'static str,
    hint: &'static str,
    /// Line and column, for problems at one place in the text.
    location: Option<(u64, u64)>,
}

fn cases() -> Vec<Case> {
    let case = |name, bytes: &[u8], code, message, hint, location| Case {
        name,
        path: scratch(name, bytes),
        code,
        message,
        hint,
        location,
    };
    let utf8_hint = "save the file as UTF-8";
    vec![
        case(
            "empty.json",
            b"",
            "empty-file",
            "the file is empty",
            "write a task definition",
            None,
        ),
        case(
            "blank.json",
            b"\n  \t\r\n",
            "empty-file",
            "the file is empty",
            "write a task definition",
            None,
        ),
        case(
            "bom-only.json",
            b"\xEF\xBB\xBF\n",
            "empty-file",
            "the file is empty",
            "write a task definition",
            None,
        ),
        case(
            "utf16le-bom.json",
            &utf16(TASK, false, true),
            "encoding",
            "UTF-16 (little-endian)",
            utf8_hint,
            None,
        ),
        case(
            "utf16be-bom.json",
            &utf16(TASK, true, true),
            "encoding",
            "UTF-16 (big-endian)",
            utf8_hint,
            None,
        ),
        case(
            "utf16le-no-bom.json",
            &utf16(TASK, false, false),
            "encoding",
            "UTF-16 or UTF-32 text without a byte order mark",
            utf8_hint,
            Some((1, 2)),
        ),
        case(
            "latin1.json",
            &latin1(&TASK.replace(", ", ",\n ")),
            "encoding",
            "byte 0xE9 is not valid UTF-8",
            utf8_hint,
            // `é` of `café`, on the first line.
            Some((1, 16)),
        ),
        Case {
            name: "missing.json",
            path: scratch("x", b"").with_file_name("no-such-file.json"),
            code: "io-error",
            message: "cannot read the file",
            hint: "check the path",
            location: None,
        },
        Case {
            name: "a folder",
            path: Path::new(env!("CARGO_TARGET_TMPDIR")).to_path_buf(),
            code: "io-error",
            message: "cannot read the file",
            hint: "name a file, not a folder",
            location: None,
        },
    ]
}

#[test]
fn validate_names_the_problem() {
    for case in cases() {
        let file = case.path.to_str().expect("utf-8 path");
        let out = run(&["validate", "--format", "json", file]);
        assert_eq!(out.status.code(), Some(1), "{}", case.name);
        let rows: Value = serde_json::from_slice(&out.stdout).expect("one JSON array");
        let rows = rows.as_array().expect("array");
        assert_eq!(rows.len(), 1, "{}: {rows:?}", case.name);
        let row = &rows[0];
        assert_eq!(row["code"], case.code, "{}", case.name);
        assert_eq!(row["severity"], "error", "{}", case.name);
        assert_eq!(row["file"], file, "{}", case.name);
        assert_eq!(row["path"], "", "{}", case.name);
        let message = row["message"].as_str().unwrap_or("");
        assert!(message.contains(case.message), "{}: {message}", case.name);
        let hint = row["hint"].as_str().unwrap_or("");
        assert!(hint.contains(case.hint), "{}: {hint}", case.name);
        if case.code != "io-error" {
            assert!(!hint.contains("permissions"), "{}: {hint}", case.name);
        }
        let location = row["line"].as_u64().zip(row["column"].as_u64());
        assert_eq!(location, case.location, "{}", case.name);

        let text = run(&["validate", file]);
        assert_eq!(text.status.code(), Some(1), "{}", case.name);
        let text = String::from_utf8(text.stdout).expect("utf8");
        let arrow = match case.location {
            Some((line, column)) => format!("  --> {file}:{line}:{column}\n"),
            None => format!("  --> {file}\n"),
        };
        assert!(
            text.starts_with(&format!("error[{}]: ", case.code)) && text.contains(&arrow),
            "{}:\n{text}",
            case.name
        );
        assert!(
            text.ends_with(&format!("invalid: {file}: 1 error, 0 warnings\n")),
            "{}:\n{text}",
            case.name
        );
    }
}

#[test]
fn render_reports_the_same_on_stderr() {
    for case in cases() {
        let file = case.path.to_str().expect("utf-8 path");
        let out = run(&["render", file]);
        assert_eq!(out.status.code(), Some(1), "{}", case.name);
        assert!(
            out.stdout.is_empty(),
            "{}: stdout is for the JSON",
            case.name
        );
        let stderr = String::from_utf8(out.stderr).expect("utf8");
        let validated = String::from_utf8(run(&["validate", file]).stdout).expect("utf8");
        assert_eq!(
            stderr,
            format!("{validated}error: {file} was not rendered: fix the errors above\n"),
            "{}",
            case.name
        );
    }
}

/// The same task definition, saved as UTF-8 (with or without a byte order mark), is fine: the
/// failures above are about the encoding, not the content.
#[test]
fn the_same_content_as_utf8_is_valid() {
    for (name, bytes) in [
        ("utf8.json", TASK.as_bytes().to_vec()),
        ("utf8-bom.json", [b"\xEF\xBB\xBF", TASK.as_bytes()].concat()),
    ] {
        let path = scratch(name, &bytes);
        let file = path.to_str().expect("utf-8 path");
        let out = run(&["validate", "--format", "json", file]);
        let rows = String::from_utf8(out.stdout).expect("utf8");
        assert_eq!(out.status.code(), Some(1), "{name}: {rows}");
        // `café` is not a valid family name: the content was read, and judged.
        assert!(rows.contains("\"family-name\""), "{name}: {rows}");
        assert!(!rows.contains("\"encoding\""), "{name}: {rows}");
    }
}
