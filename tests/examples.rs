//! The Rust examples run, and what they print is what they claim: valid ECS JSON of the right
//! kind, and for `webserver`, exactly what `ecs-deploy render` makes of the same definition
//! written as JSON.
//!
//! `cargo test` builds the examples (to make sure they compile) next to this test's binary, so
//! the test runs those binaries directly. Running `cargo run` from inside a test would build the
//! workspace a second time with another feature set, which costs minutes in CI. When a binary is
//! missing, or older than its source (`cargo test --test examples` alone does not rebuild the
//! examples), the test falls back to `cargo run`.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use ecs_rs::model::Kind;
use ecs_rs::model::document::{check, parse};

/// The example binary cargo built for this test run, when it is there and not older than its
/// source.
fn built_example(name: &str) -> Option<PathBuf> {
    let exe = std::env::current_exe().ok()?;
    // target/<profile>/deps/examples-<hash> -> target/<profile>/examples/<name>
    let binary = exe
        .parent()?
        .parent()?
        .join("examples")
        .join(format!("{name}{}", std::env::consts::EXE_SUFFIX));
    let source = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("examples")
        .join(format!("{name}.rs"));
    let built = binary.metadata().and_then(|m| m.modified()).ok()?;
    let written = source.metadata().and_then(|m| m.modified()).ok()?;
    (built >= written).then_some(binary)
}

fn run_example(name: &str, envs: &[(&str, &str)]) -> Output {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut command = match built_example(name) {
        Some(binary) => Command::new(binary),
        None => {
            let mut cargo = Command::new(env!("CARGO"));
            cargo.args(["run", "--quiet", "--example", name]);
            cargo
        }
    };
    command
        .current_dir(root)
        .envs(envs.iter().copied())
        .output()
        .expect("the example runs")
}

fn example(name: &str, envs: &[(&str, &str)]) -> String {
    let output = run_example(name, envs);
    assert!(
        output.status.success(),
        "example {name} failed:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).expect("UTF-8 output")
}

/// What `ecs-deploy render FILE` prints for a file that loads: the document's API input,
/// pretty-printed, and a newline (`tests/cli_render.rs` in ecs-deploy holds the command to it).
fn render(file: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(file);
    let text = std::fs::read_to_string(&path).expect("the file reads");
    let document = parse(&text, None).value.expect("a document");
    let mut out = serde_json::to_string_pretty(&document.render()).expect("serializes");
    out.push('\n');
    out
}

/// Loads and validates `text`: it must be a `kind` with no error and no warning.
fn assert_clean(name: &str, text: &str, kind: Kind) {
    let loaded = check(text, None);
    let document = loaded.value.expect("a document");
    assert_eq!(document.kind(), kind, "{name}");
    assert!(
        loaded.diagnostics.is_empty(),
        "{name}: {:#?}",
        loaded.diagnostics
    );
}

#[test]
fn webserver_prints_what_render_makes_of_the_guide_json() {
    let printed = example("webserver", &[]);
    let rendered = render("examples/json/webserver.json");
    assert_eq!(printed, rendered);
    assert_clean("webserver", &printed, Kind::TaskDefinition);

    // The guide writes the container's memory and cpu as strings; render makes them the
    // integers the API takes, and the result is the same.
    let guide = render("examples/json/webserver-guide.json");
    assert_eq!(printed, guide);
}

#[test]
fn fargate_service_prints_a_valid_stack_with_the_tag_from_the_environment() {
    let printed = example("fargate_service", &[("IMAGE_TAG", "1.27.3")]);
    assert_clean("fargate_service", &printed, Kind::Stack);
    assert!(
        printed.contains("\"public.ecr.aws/nginx/nginx:1.27.3\""),
        "{printed}"
    );
    assert!(printed.contains("\"deploymentCircuitBreaker\""));
}

#[test]
fn ec2_daemon_prints_a_valid_stack() {
    let printed = example("ec2_daemon", &[]);
    assert_clean("ec2_daemon", &printed, Kind::Stack);
    assert!(printed.contains("\"schedulingStrategy\": \"DAEMON\""));
    assert!(!printed.contains("desiredCount"));
}

#[test]
fn sidecar_prints_a_valid_stack() {
    let printed = example("sidecar", &[("API_VERSION", "3.0.0")]);
    assert_clean("sidecar", &printed, Kind::Stack);
    assert!(printed.contains("\"ghcr.io/example/api:3.0.0\""));
    assert!(printed.contains("\"condition\": \"HEALTHY\""));
}

#[test]
fn a_bad_image_reference_is_an_error_not_a_panic() {
    let output = run_example("sidecar", &[("API_VERSION", "not a tag")]);
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("Error:"), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

/// `printed` (what example `name` printed) is the committed file `path`, byte for byte.
fn assert_same_as_file(name: &str, printed: &str, path: &str) {
    let file = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(path))
        .unwrap_or_else(|err| panic!("{path} reads: {err}"));
    assert_eq!(
        printed, file,
        "{path} differs from what `cargo run --example {name}` prints: run it and write its \
         output to the file"
    );
}

/// The README's quick start: the stack it writes in Rust is the file it deploys.
#[test]
fn hello_prints_its_stack_file() {
    let printed = example("hello", &[]);
    assert_clean("hello", &printed, Kind::Stack);
    assert_same_as_file("hello", &printed, "examples/json/hello-stack.json");
}

/// The quick start in the README shows the code of `examples/hello.rs` as it is (from its `use`
/// on), and the compile error its one changed value gives.
#[test]
fn the_readme_shows_the_hello_example() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let readme = std::fs::read_to_string(root.join("README.md")).expect("README.md reads");
    let hello = std::fs::read_to_string(root.join("examples/hello.rs")).expect("hello.rs reads");
    let code = hello
        .find("use ecs_rs::dsl::stack;")
        .map(|start| &hello[start..])
        .expect("hello.rs uses stack!");
    assert!(
        readme.contains(&format!("```rust\n{code}```\n")),
        "the README's quick start does not show examples/hello.rs as it is"
    );
    let line = hello
        .lines()
        .position(|l| l.trim() == "memory: \"512\",")
        .map(|index| index + 1)
        .expect("hello.rs sets memory 512");
    assert!(
        readme.contains(&format!("--> examples/hello.rs:{line}:21")),
        "the README's compile error does not point at hello.rs line {line}"
    );
}

#[test]
fn shop_prints_its_stack_file() {
    let printed = example("shop", &[]);
    assert_clean("shop", &printed, Kind::Stack);
    assert_same_as_file("shop", &printed, "examples/json/shop-stack.json");
    // The links the example is about, by name.
    for link in [
        "\"registryArn\": \"web\"",
        "\"registryArn\": \"api\"",
        "\"NamespaceId\": \"shop.internal\"",
        "\"Vpc\": \"default\"",
        "\"VpcId\": \"default\"",
        "\"capacityProvider\": \"FARGATE_SPOT\"",
        "\"ResourceId\": \"service/shop/api\"",
        "\"TaskDefinitionArn\": \"report\"",
        "\"family\": \"migrate\"",
    ] {
        assert!(printed.contains(link), "no {link} in\n{printed}");
    }
}
