//! The committed `src/generated/` is exactly what the generator makes from the vendored model.
//! When this fails, run `cargo run -p ecs-model-codegen` and commit the result.

use std::path::PathBuf;

#[test]
fn generated_builders_are_up_to_date() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let model = std::fs::read_to_string(root.join("../ecs-model/aws-model/ecs-2014-11-13.json"))
        .expect("model");
    let fresh = ecs_model_codegen::generate_builders(&model).expect("generate");
    let stale = ecs_model_codegen::stale_files(&root.join("src/generated"), &fresh).expect("read");
    assert!(
        stale.is_empty(),
        "src/generated is stale (run `cargo run -p ecs-model-codegen`): {stale:?}"
    );
    assert!(
        fresh.len() > 100,
        "expected one file per structure, got {}",
        fresh.len()
    );
}
