//! Regenerates `ecs-model/src/generated/` (the wire types) and `ecs-dsl/src/generated/` (their
//! builders) from the vendored AWS models, and the folders of the other AWS APIs a stack uses
//! (Cloud Map, load balancing, autoscaling, scheduler).
//!
//! Run `cargo run -p ecs-model-codegen` from anywhere in the workspace: the paths are found from
//! the crate's own location, not the working directory.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::ExitCode;

use ecs_model_codegen::GenerateError;

fn main() -> ExitCode {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    for api in ecs_model_codegen::APIS {
        let model_path = root.join("aws-model").join(api.model);
        let text = match std::fs::read_to_string(&model_path) {
            Ok(text) => text,
            Err(err) => {
                eprintln!("cannot read {}: {err}", model_path.display());
                return ExitCode::FAILURE;
            }
        };
        let types = ecs_model_codegen::generate_api(api, &text);
        if !write(&model_path, &root.join("src").join(api.folder), types) {
            return ExitCode::FAILURE;
        }
        // The builders of `ecs-dsl` cover the ECS shapes only.
        if std::ptr::eq(*api, &ecs_model_codegen::ECS) {
            let builders = ecs_model_codegen::generate_builders(&text);
            if !write(
                &model_path,
                &root.join("../ecs-dsl/src/generated"),
                builders,
            ) {
                return ExitCode::FAILURE;
            }
        }
    }
    ExitCode::SUCCESS
}

/// Writes what the generator made from `model_path` to `out_dir`; false (after saying why) on
/// failure.
fn write(
    model_path: &Path,
    out_dir: &Path,
    files: Result<BTreeMap<String, String>, GenerateError>,
) -> bool {
    let files = match files {
        Ok(files) => files,
        Err(err) => {
            eprintln!("cannot generate from {}: {err}", model_path.display());
            return false;
        }
    };
    if let Err(err) = ecs_model_codegen::write_tree(out_dir, &files) {
        eprintln!("cannot write {}: {err}", out_dir.display());
        return false;
    }
    println!("wrote {} files to {}", files.len(), out_dir.display());
    true
}
