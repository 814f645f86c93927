//! `amanatd` run as an operator runs it: an exit code, the documentation it
//! generates for the package, its defaults. Its help and exit codes are
//! checked against the docs with the CLI's, in tests/it/exit_codes.rs at the
//! repository root. The end-to-end suite that
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
