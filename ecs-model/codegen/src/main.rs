//! Regenerates `ecs-model/src/generated/` (the wire types) and `ecs-dsl/src/generated/` (their
//! builders) from the vendored AWS model.
//!
//! Run `cargo run -p ecs-model-codegen` from anywhere in the workspace: the paths are found from
//! the crate's own location, not the working directory.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::ExitCode;

use ecs_model_codegen::GenerateError;

/// A generator: the model's text in, the files of one folder out.
type Generator = fn(&str) -> Result<BTreeMap<String, String>, GenerateError>;

fn main() -> ExitCode {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let model_path = root.join("aws-model/ecs-2014-11-13.json");
    let text = match std::fs::read_to_string(&model_path) {
        Ok(text) => text,
        Err(err) => {
            eprintln!("cannot read {}: {err}", model_path.display());
            return ExitCode::FAILURE;
        }
    };
    let outputs: [(_, Generator); 2] = [
        (root.join("src/generated"), ecs_model_codegen::generate),
        (
            root.join("../ecs-dsl/src/generated"),
            ecs_model_codegen::generate_builders,
        ),
    ];
    for (out_dir, generate) in outputs {
        let files = match generate(&text) {
            Ok(files) => files,
            Err(err) => {
                eprintln!("cannot generate from {}: {err}", model_path.display());
                return ExitCode::FAILURE;
            }
        };
        if let Err(err) = ecs_model_codegen::write_tree(&out_dir, &files) {
            eprintln!("cannot write {}: {err}", out_dir.display());
            return ExitCode::FAILURE;
        }
        println!("wrote {} files to {}", files.len(), out_dir.display());
    }
    ExitCode::SUCCESS
}
