//! The committed `src/generated*/` folders are exactly what the generator makes from the vendored
//! models. When this fails, run `cargo run -p ecs-model-codegen` and commit the result.

use std::path::PathBuf;

#[test]
fn generated_code_is_up_to_date() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    for api in ecs_model_codegen::APIS {
        let model = std::fs::read_to_string(root.join("aws-model").join(api.model))
            .unwrap_or_else(|e| panic!("model {}: {e}", api.model));
        let fresh = ecs_model_codegen::generate_api(api, &model).expect("generate");
        let folder = root.join("src").join(api.folder);
        let stale = ecs_model_codegen::stale_files(&folder, &fresh).expect("read");
        assert!(
            stale.is_empty(),
            "src/{} is stale (run `cargo run -p ecs-model-codegen`): {stale:?}",
            api.folder
        );
        assert!(
            fresh.len() > 40,
            "{}: expected one file per shape, got {}",
            api.label,
            fresh.len()
        );
    }
}
