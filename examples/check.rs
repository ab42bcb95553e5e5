//! Loads ECS JSON files, prints every problem the loader and the rule set find, and prints each
//! resource's API input with AWS's defaults filled in.
//!
//! ```sh
//! cargo run --example check -- examples/json/webserver.json
//! ```

use std::process::ExitCode;

use ecs_rs::model::document::parse;
use ecs_rs::model::normalize::Normalize;
use ecs_rs::model::{Input, validate_document};

fn main() -> ExitCode {
    let files: Vec<String> = std::env::args().skip(1).collect();
    if files.is_empty() {
        eprintln!("usage: check FILE...");
        return ExitCode::from(2);
    }
    let mut failed = false;
    for file in &files {
        let text = match std::fs::read_to_string(file) {
            Ok(text) => text,
            Err(err) => {
                eprintln!("{file}: {err}");
                failed = true;
                continue;
            }
        };
        let loaded = parse(&text, None);
        let mut problems = loaded.diagnostics;
        if let Some(document) = &loaded.value {
            problems.extend(validate_document(document));
        }
        for problem in &problems {
            eprintln!("{file}: {problem}");
        }
        failed |= problems.iter().any(|p| p.is_error());
        let Some(document) = loaded.value else {
            continue;
        };
        for (path, input) in document.inputs() {
            let normalized = match input {
                Input::TaskDefinition(td) => serde_json::to_value(td.normalized()),
                Input::Service(s) => serde_json::to_value(s.normalized()),
                Input::Cluster(c) => serde_json::to_value(c.normalized()),
                Input::CapacityProvider(c) => serde_json::to_value(c.normalized()),
                _ => continue,
            };
            match normalized.and_then(|v| serde_json::to_string_pretty(&v)) {
                Ok(json) if path.is_root() => println!("// {file}\n{json}"),
                Ok(json) => println!("// {file}: {path}\n{json}"),
                Err(err) => eprintln!("{file}: cannot print: {err}"),
            }
        }
    }
    if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}
