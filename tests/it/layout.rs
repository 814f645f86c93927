//! README.md's layout table matches the tree: every path it names exists,
//! and where it lists a crate's modules one by one, it lists all of them.
#![forbid(unsafe_code)]

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The paths in the first column of the "Layout" table, resolved: a bare
/// name after the row's first path is relative to that path's directory
/// (`crates/core/src/timeutil.rs`, `languages.rs`).
fn table_paths() -> Vec<PathBuf> {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let section = readme
        .split("\n## Layout\n")
        .nth(1)
        .expect("README.md has a Layout section");
    let section = section.split("\n## ").next().unwrap_or(section);
    let mut paths = Vec::new();
    for row in section.lines().filter(|l| l.starts_with("| `")) {
        let cell = row.split(" | ").next().unwrap_or_default();
        let mut base: Option<PathBuf> = None;
        for token in cell.split('`').skip(1).step_by(2) {
            if token.contains('*') {
                continue;
            }
            let direct = root().join(token.trim_end_matches('/'));
            let path = match &base {
                Some(b) if !direct.exists() => b.join(token),
                _ => direct,
            };
            if base.is_none() {
                base = path.parent().map(Path::to_path_buf);
            }
            paths.push(path);
        }
    }
    assert!(paths.len() > 20, "{paths:?}");
    paths
}

#[test]
fn every_path_in_the_layout_table_exists() {
    for p in table_paths() {
        assert!(
            p.exists(),
            "README.md's layout names {}, which is not in the tree",
            p.display()
        );
    }
}

#[test]
fn a_crate_whose_modules_are_listed_has_all_of_them_listed() {
    let listed: BTreeSet<PathBuf> = table_paths().into_iter().collect();
    for krate in std::fs::read_dir(root().join("crates")).unwrap() {
        let src = krate.unwrap().path().join("src");
        if !listed.iter().any(|p| p.starts_with(&src)) {
            continue; // listed as a whole
        }
        for entry in std::fs::read_dir(&src).unwrap() {
            let p = entry.unwrap().path();
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            if name == "lib.rs" || name == "main.rs" {
                continue;
            }
            assert!(
                listed.contains(&p),
                "README.md's layout lists {}'s modules but not {}",
                src.display(),
                p.display()
            );
        }
    }
}
