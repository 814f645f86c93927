//! Both binaries' exit codes: each has one enum, `--help` lists every code
//! with its meaning, the guide for its users has the same table
//! (docs/operations.md for `amanatd`, docs/reviewers.md for `amanat`), and a
//! wrong argument exits 2 naming it.
#![forbid(unsafe_code)]

use crate::common::daemon::{AMANAT, AMANATD, require_binaries};
use std::process::Command;

/// Collapses line breaks and indentation (`--help` wraps long meanings).
fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// (code, meaning) for 0 and every failure of each binary's enum.
fn amanatd_codes() -> Vec<(u8, String)> {
    amanatd::daemon::Exit::ALL
        .iter()
        .map(|e| (e.code(), one_line(e.meaning())))
        .collect()
}

fn amanat_codes() -> Vec<(u8, String)> {
    let mut codes = vec![(0, "success".to_string())];
    codes.extend(
        amanat_cli::Exit::ALL
            .iter()
            .map(|e| (*e as u8, one_line(e.meaning()))),
    );
    codes
}

/// The rows of the table under `heading` in a doc of this repository.
fn documented(doc: &str, heading: &str) -> Vec<(u8, String)> {
    let text = std::fs::read_to_string(format!("{}/{doc}", env!("CARGO_MANIFEST_DIR"))).unwrap();
    let start = text
        .find(heading)
        .unwrap_or_else(|| panic!("{doc} has a section {heading:?}"));
    let section = &text[start..];
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

/// The (code, meaning) lines of the "Exit codes:" section of `bin --help`.
fn in_help(bin: &str) -> Vec<(u8, String)> {
    require_binaries();
    let out = Command::new(bin).arg("--help").output().unwrap();
    assert!(out.status.success(), "{bin} --help: {out:?}");
    let help = String::from_utf8(out.stdout).unwrap();
    let section = &help[help.find("Exit codes:").expect("an exit code section")..];
    let mut rows: Vec<(u8, String)> = Vec::new();
    for line in section.lines().skip(1) {
        let trimmed = line.trim();
        let first = trimmed.split_whitespace().next().unwrap_or_default();
        match first.parse::<u8>() {
            Ok(code) => rows.push((code, one_line(&trimmed[first.len()..]))),
            Err(_) if !trimmed.is_empty() => {
                if let Some(last) = rows.last_mut() {
                    last.1 = one_line(&format!("{} {trimmed}", last.1));
                }
            }
            Err(_) => {}
        }
    }
    rows
}

#[test]
fn amanatd_help_and_the_operations_guide_list_its_enum() {
    let codes = amanatd_codes();
    assert!(codes.iter().any(|(c, _)| *c == 7), "fsck's 7 is listed");
    assert_eq!(in_help(AMANATD), codes);
    assert_eq!(
        documented("docs/operations.md", "## Exit codes of `amanatd`"),
        codes
    );
}

#[test]
fn amanat_help_and_the_reviewer_guide_list_its_enum() {
    let codes = amanat_codes();
    assert_eq!(codes.len(), 9);
    assert_eq!(in_help(AMANAT), codes);
    assert_eq!(
        documented("docs/reviewers.md", "## Exit codes of `amanat`"),
        codes
    );
}

#[test]
fn a_wrong_argument_exits_2_and_names_it() {
    require_binaries();
    for (bin, args) in [
        (AMANATD, ["serve", "--no-such-flag"]),
        (AMANAT, ["list", "--no-such-flag"]),
    ] {
        let out = Command::new(bin).args(args).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{bin}");
        let err = String::from_utf8(out.stderr).unwrap();
        assert!(err.contains("--no-such-flag"), "{bin}: {err}");
    }
}
