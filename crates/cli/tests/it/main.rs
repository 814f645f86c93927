//! `amanat` run as a reviewer runs it, without a server: the documentation it
//! generates for the package. Its help and exit codes are checked against the
//! docs with the server's, and the commands that talk to a server end to end,
//! by the root package's suite (tests/it at the repository root).
#![forbid(unsafe_code)]
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::{Command, Output};

const AMANAT: &str = env!("CARGO_BIN_EXE_amanat");

fn amanat(args: &[&str]) -> Output {
    Command::new(AMANAT).args(args).output().unwrap()
}

#[test]
fn generated_docs_cover_the_cli() {
    let dir = tempfile::tempdir().unwrap();
    let out = amanat(&["generate-docs", "--out", dir.path().to_str().unwrap()]);
    assert!(out.status.success(), "{out:?}");
    for f in [
        "man/amanat.1",
        "completions/amanat.bash",
        "completions/_amanat",
    ] {
        assert!(dir.path().join(f).is_file(), "{f}");
    }
}
