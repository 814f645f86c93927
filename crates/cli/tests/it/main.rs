//! `amanat` run as a reviewer runs it, without a server: its help, its exit
//! codes and the documentation it generates for the package. Commands that
//! talk to a server are tested end to end by the root package (tests/it at
//! the repository root).
#![forbid(unsafe_code)]
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::{Command, Output};

const AMANAT: &str = env!("CARGO_BIN_EXE_amanat");

fn amanat(args: &[&str]) -> Output {
    Command::new(AMANAT).args(args).output().unwrap()
}

#[test]
fn help_lists_the_exit_codes() {
    let out = amanat(&["--help"]);
    assert!(out.status.success());
    let help = String::from_utf8(out.stdout).unwrap();
    assert!(help.contains("Exit codes:"), "{help}");
    for code in 0..=8 {
        assert!(
            help.lines()
                .any(|l| l.trim_start().starts_with(&format!("{code} "))),
            "exit code {code} in {help}"
        );
    }
}

#[test]
fn a_wrong_argument_exits_2_and_says_why() {
    let out = amanat(&["list", "--no-such-flag"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("--no-such-flag"), "{err}");
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
