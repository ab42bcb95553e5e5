//! Regenerates `ecs-model/src/generated/` from the vendored AWS model.
//!
//! Run `cargo run -p ecs-model-codegen` from anywhere in the workspace: the paths are found from
//! the crate's own location, not the working directory.

use std::path::Path;
use std::process::ExitCode;

fn main() -> ExitCode {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let model_path = root.join("aws-model/ecs-2014-11-13.json");
    let out_dir = root.join("src/generated");
    let text = match std::fs::read_to_string(&model_path) {
        Ok(text) => text,
        Err(err) => {
            eprintln!("cannot read {}: {err}", model_path.display());
            return ExitCode::FAILURE;
        }
    };
    let files = match ecs_model_codegen::generate(&text) {
        Ok(files) => files,
        Err(err) => {
            eprintln!("cannot generate from {}: {err}", model_path.display());
            return ExitCode::FAILURE;
        }
    };
    if out_dir.exists()
        && let Err(err) = std::fs::remove_dir_all(&out_dir)
    {
        eprintln!("cannot clear {}: {err}", out_dir.display());
        return ExitCode::FAILURE;
    }
    for (relative, contents) in &files {
        let path = out_dir.join(relative);
        let written = path
            .parent()
            .map_or(Ok(()), std::fs::create_dir_all)
            .and_then(|()| std::fs::write(&path, contents));
        if let Err(err) = written {
            eprintln!("cannot write {}: {err}", path.display());
            return ExitCode::FAILURE;
        }
    }
    println!("wrote {} files to {}", files.len(), out_dir.display());
    ExitCode::SUCCESS
}
