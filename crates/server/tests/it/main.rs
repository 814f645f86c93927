//! `amanatd` run as an operator runs it: its help, its exit codes and the
//! documentation it generates for the package. The end-to-end suite that
//! drives the server with real reviewers and sources is the root package's
//! (tests/it at the repository root).
#![forbid(unsafe_code)]
#![allow(clippy::unwrap_used, clippy::expect_used)]

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
    for code in 0..=6 {
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
