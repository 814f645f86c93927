//! `amanatd` run as an operator runs it: its help, its exit codes and the
//! documentation it generates for the package. The end-to-end suite that
//! drives the server with real reviewers and sources is the root package's
//! (tests/it at the repository root).
#![forbid(unsafe_code)]
#![allow(clippy::unwrap_used, clippy::expect_used)]

use amanatd::daemon::Exit;
use std::process::{Command, Output};

const AMANATD: &str = env!("CARGO_BIN_EXE_amanatd");

fn amanatd(args: &[&str]) -> Output {
    Command::new(AMANATD).args(args).output().unwrap()
}

#[test]
fn help_lists_the_exit_codes() {
    let out = amanatd(&["--help"]);
    assert!(out.status.success());
    let help = String::from_utf8(out.stdout).unwrap();
    assert!(help.contains("Exit codes:"), "{help}");
    for code in 0..=7 {
        assert!(
            help.lines()
                .any(|l| l.trim_start().starts_with(&format!("{code} "))),
            "exit code {code} in {help}"
        );
    }
}

#[test]
fn a_wrong_argument_exits_2_and_says_why() {
    let out = amanatd(&["serve", "--no-such-flag"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("--no-such-flag"), "{err}");
}

#[test]
fn generated_docs_cover_the_server_only() {
    let dir = tempfile::tempdir().unwrap();
    let out = amanatd(&["generate-docs", "--out", dir.path().to_str().unwrap()]);
    assert!(out.status.success(), "{out:?}");
    assert!(dir.path().join("man/amanatd.1").is_file());
    assert!(dir.path().join("completions/_amanatd").is_file());
    // The CLI writes its own (`amanat generate-docs`): the server cannot name it.
    assert!(!dir.path().join("man/amanat.1").exists());
}

#[test]
fn help_lists_every_exit_code_with_its_meaning() {
    let help = String::from_utf8(amanatd(&["--help"]).stdout).unwrap();
    let section = &help[help.find("Exit codes:").expect("an exit code section")..];
    for e in Exit::ALL {
        let line = format!("{}  {}", e.code(), e.meaning());
        assert!(
            section.lines().any(|l| l.trim() == line),
            "{line:?} in {help}"
        );
    }
}

/// The table of docs/operations.md's "Exit codes of `amanatd`" section:
/// (code, meaning) per row.
fn documented_exit_codes() -> Vec<(u8, String)> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/operations.md");
    let doc = std::fs::read_to_string(path).unwrap();
    let start = doc
        .find("## Exit codes of `amanatd`")
        .expect("docs/operations.md has an exit code section");
    let section = &doc[start..];
    let end = section[3..].find("\n## ").map_or(section.len(), |n| n + 3);
    section[..end]
        .lines()
        .filter_map(|l| {
            let cells: Vec<&str> = l.trim().trim_matches('|').split('|').collect();
            let code = cells.first()?.trim().parse().ok()?;
            Some((code, cells.get(1)?.trim().to_string()))
        })
        .collect()
}

#[test]
fn the_operations_guide_lists_the_same_exit_codes() {
    let code: Vec<(u8, String)> = Exit::ALL
        .iter()
        .map(|e| (e.code(), e.meaning().to_string()))
        .collect();
    assert_eq!(documented_exit_codes(), code);
}

#[test]
fn fsck_of_an_inconsistent_store_exits_7() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let out = amanatd(&["init", "--data-dir", data.to_str().unwrap()]);
    assert!(out.status.success(), "{out:?}");
    // A temporary upload left by an interrupted write: a leftover.
    std::fs::write(data.join("blobs").join(".upload-left"), b"x").unwrap();
    let out = amanatd(&["fsck", "--data-dir", data.to_str().unwrap()]);
    assert_eq!(
        out.status.code(),
        Some(i32::from(Exit::FsckFailed.code())),
        "{out:?}"
    );
}

#[test]
fn the_store_opens_with_the_cache_size_the_config_defaults_to() {
    assert_eq!(
        amanatd::config::Limits::default().store_cache_bytes,
        amanatd::store::DEFAULT_CACHE_BYTES
    );
}
