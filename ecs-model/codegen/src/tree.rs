//! Generated folders on disk: write one, read one back, and tell whether it is stale.
//!
//! The generator's binary writes `ecs-model/src/generated/` and `ecs-dsl/src/generated/` with
//! [`write_tree`]; each crate's `generated_up_to_date` test compares its folder with a fresh
//! generation through [`stale_files`].

use std::collections::BTreeMap;
use std::io;
use std::path::Path;

/// Replaces folder `dir` with `files` (paths relative to `dir`, `/`-separated): the folder is
/// cleared first, so a shape that left the model leaves no file behind.
pub fn write_tree(dir: &Path, files: &BTreeMap<String, String>) -> io::Result<()> {
    if dir.exists() {
        std::fs::remove_dir_all(dir)?;
    }
    for (relative, contents) in files {
        let path = dir.join(relative);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(&path, contents)?;
    }
    Ok(())
}

/// Every file under `dir`, keyed by its `/`-separated path relative to `dir`.
pub fn read_tree(dir: &Path) -> io::Result<BTreeMap<String, String>> {
    let mut out = BTreeMap::new();
    read_into(dir, dir, &mut out)?;
    Ok(out)
}

fn read_into(dir: &Path, base: &Path, out: &mut BTreeMap<String, String>) -> io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            read_into(&path, base, out)?;
        } else {
            let relative = path
                .strip_prefix(base)
                .map_err(io::Error::other)?
                .to_string_lossy()
                .replace('\\', "/");
            out.insert(relative, std::fs::read_to_string(&path)?);
        }
    }
    Ok(())
}

/// The paths where folder `dir` differs from `fresh`: files whose text differs or that are
/// missing, then files on disk that `fresh` does not have. Empty when the folder is up to date.
pub fn stale_files(dir: &Path, fresh: &BTreeMap<String, String>) -> io::Result<Vec<String>> {
    let on_disk = read_tree(dir)?;
    let changed = fresh
        .iter()
        .filter(|(path, text)| on_disk.get(*path) != Some(*text))
        .map(|(path, _)| path.clone());
    let extra = on_disk.keys().filter(|p| !fresh.contains_key(*p)).cloned();
    Ok(changed.chain(extra).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_written_tree_reads_back_and_is_not_stale() {
        let dir = std::env::temp_dir().join(format!("ecs-codegen-tree-{}", std::process::id()));
        let mut files = BTreeMap::new();
        files.insert("mod.rs".to_owned(), "pub mod a;\n".to_owned());
        files.insert("a/b.rs".to_owned(), "// b\n".to_owned());
        write_tree(&dir, &files).expect("write");
        assert_eq!(read_tree(&dir).expect("read"), files);
        assert!(stale_files(&dir, &files).expect("compare").is_empty());

        let mut changed = files.clone();
        changed.insert("a/b.rs".to_owned(), "// c\n".to_owned());
        changed.remove("mod.rs");
        assert_eq!(
            stale_files(&dir, &changed).expect("compare"),
            ["a/b.rs", "mod.rs"]
        );
        std::fs::remove_dir_all(&dir).expect("clean up");
    }
}
