//! The workspace's dependency graph is the architecture (README.md, "Layout"):
//! checked with `cargo tree`, so a boundary cannot erode by convention.
#![forbid(unsafe_code)]

use std::collections::BTreeSet;
use std::process::Command;

/// Every package `cargo tree -p <package>` lists (normal, build and dev
/// dependencies, as a reader of `cargo tree` sees them).
fn tree(package: &str) -> BTreeSet<String> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = Command::new(cargo)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args([
            "tree",
            "--locked",
            "--offline",
            "--prefix",
            "none",
            "-p",
            package,
        ])
        .args(["--format", "{p}"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "cargo tree -p {package}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    let names: BTreeSet<String> = text
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .map(str::to_string)
        .collect();
    assert!(
        names.contains(package),
        "{package} in its own tree: {names:?}"
    );
    names
}

fn assert_none(package: &str, forbidden: &[&str]) {
    let names = tree(package);
    let found: Vec<&&str> = forbidden
        .iter()
        .filter(|f| names.iter().any(|n| n == *f))
        .collect();
    assert!(found.is_empty(), "{package} depends on {found:?}");
}

#[test]
fn the_cli_links_no_web_server_store_or_stripper() {
    assert_none(
        "amanat-cli",
        &[
            "actix-web",
            "actix-http",
            "actix-multipart",
            "sled",
            "amanat-sanitize",
            "amanatd",
            "lopdf",
            "zip",
            "askama",
        ],
    );
}

#[test]
fn the_server_cannot_name_the_cli() {
    assert_none("amanatd", &["amanat-cli", "indicatif", "reqwest"]);
}

#[test]
fn the_shared_crate_has_no_web_store_or_http_client() {
    assert_none(
        "amanat-core",
        &[
            "actix-web",
            "actix-http",
            "sled",
            "reqwest",
            "hyper",
            "amanat-sanitize",
            "amanatd",
            "amanat-cli",
        ],
    );
}

#[test]
fn the_stripper_depends_on_nothing_of_ours() {
    let names = tree("amanat-sanitize");
    let ours: Vec<&String> = names
        .iter()
        .filter(|n| n.starts_with("amanat") && *n != "amanat-sanitize")
        .collect();
    assert!(ours.is_empty(), "amanat-sanitize depends on {ours:?}");
}

/// The `age` features `cargo tree -p <package> -e features` shows enabled.
fn age_features(package: &str) -> BTreeSet<String> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = Command::new(cargo)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["tree", "--locked", "--offline", "--prefix", "none"])
        .args(["-e", "features", "-i", "age", "-p", package])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "cargo tree -p {package} -e features: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .filter_map(|l| l.strip_prefix("age feature \""))
        .filter_map(|l| l.split('"').next())
        .map(str::to_string)
        .collect()
}

/// The server encrypts with the age crate alone: it never runs a plugin
/// program, so age's `plugin` feature is not built into it. The reviewer's
/// CLI has it (hardware identities) and the test plugin is never packaged.
#[test]
fn only_the_cli_builds_age_with_plugins_and_no_package_ships_the_test_plugin() {
    let server = age_features("amanatd");
    assert!(
        server.contains("armor"),
        "amanatd's age features: {server:?}"
    );
    assert!(
        !server.contains("plugin"),
        "amanatd's age features: {server:?}"
    );
    let cli = age_features("amanat-cli");
    assert!(cli.contains("plugin"), "amanat-cli's age features: {cli:?}");

    let manifest =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/Cargo.toml")).unwrap();
    let deb = manifest.split("[package.metadata.deb]").nth(1).unwrap();
    assert!(deb.contains("target/release/amanat\""), "{deb}");
    assert!(
        !deb.contains("age-plugin"),
        "the Debian package ships a plugin: {deb}"
    );
}
