//! The built plugin binary answers `--generate` as its identity files are
//! read by the CLI. Being an integration test, this also makes
//! `cargo test --workspace` build the binary that tests/it/keys.rs puts on
//! `PATH`.

#![forbid(unsafe_code)]
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::Command;

fn generate(extra: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_age-plugin-amanattest"))
        .arg("--generate")
        .args(extra)
        .output()
        .expect("the plugin binary runs");
    assert!(out.status.success(), "{out:?}");
    String::from_utf8(out.stdout).expect("UTF-8")
}

#[test]
fn generate_prints_an_identity_and_its_recipient() {
    for (extra, prefix) in [(&[][..], "age1tag1"), (&["--pq"][..], "age1tagpq1")] {
        let text = generate(extra);
        let identity = text
            .lines()
            .find(|l| l.starts_with("AGE-PLUGIN-AMANATTEST-1"))
            .unwrap_or_else(|| panic!("no identity line in {text:?}"));
        assert!(!identity.contains(' '), "{identity:?}");
        assert!(
            text.lines()
                .any(|l| l.starts_with('#') && l.contains(prefix)),
            "no {prefix}… recipient comment in {text:?}"
        );
    }
    // Two runs make two different keys.
    assert_ne!(generate(&[]), generate(&[]));
}

#[test]
fn anything_else_is_a_usage_error() {
    let out = Command::new(env!("CARGO_BIN_EXE_age-plugin-amanattest"))
        .arg("--bogus")
        .output()
        .expect("the plugin binary runs");
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("usage"));
}
