//! The committed `src/generated/` is exactly what the generator makes from the vendored model.
//! When this fails, run `cargo run -p ecs-model-codegen` and commit the result.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

fn committed(dir: &Path, base: &Path, out: &mut BTreeMap<String, String>) {
    for entry in std::fs::read_dir(dir).expect("generated folder") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            committed(&path, base, out);
        } else {
            let relative = path
                .strip_prefix(base)
                .expect("under base")
                .to_string_lossy()
                .replace('\\', "/");
            out.insert(relative, std::fs::read_to_string(&path).expect("read"));
        }
    }
}

#[test]
fn generated_code_is_up_to_date() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let model = std::fs::read_to_string(root.join("aws-model/ecs-2014-11-13.json")).expect("model");
    let fresh = ecs_model_codegen::generate(&model).expect("generate");
    let base = root.join("src/generated");
    let mut on_disk = BTreeMap::new();
    committed(&base, &base, &mut on_disk);

    let stale: Vec<&String> = fresh
        .iter()
        .filter(|(path, text)| on_disk.get(*path) != Some(*text))
        .map(|(path, _)| path)
        .collect();
    let extra: Vec<&String> = on_disk.keys().filter(|p| !fresh.contains_key(*p)).collect();
    assert!(
        stale.is_empty() && extra.is_empty(),
        "src/generated is stale (run `cargo run -p ecs-model-codegen`): changed {stale:?}, not generated {extra:?}"
    );
    assert!(
        fresh.len() > 200,
        "expected one file per shape, got {}",
        fresh.len()
    );
}
