//! Tests of the shipped deployment files with the real tools: the torrc
//! under the real `tor` (configuration check, then a real start with the
//! network disabled, loading a reviewer's client-authorization key made by
//! deploy/tor/client-auth-keygen.sh), the systemd unit under
//! `systemd-analyze security`, and the Debian package metadata. A missing
//! tool fails the test with the package to install; nothing is skipped.
#![forbid(unsafe_code)]
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

fn shipped(rel: &str) -> PathBuf {
    Path::new(ROOT).join(rel)
}

fn tool(name: &str, package: &str) -> Command {
    let found = Command::new("sh")
        .args(["-c", &format!("command -v {name}")])
        .output()
        .unwrap();
    assert!(
        found.status.success(),
        "`{name}` is missing: install the Debian package `{package}` (scripts/test.sh does)"
    );
    Command::new(name)
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// The directive lines of a torrc or unit file (comments and blanks dropped).
fn directives(text: &str) -> Vec<String> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(str::to_string)
        .collect()
}

/// The shipped torrc with its system paths moved under `dir` (which tor
/// requires to be private); every other directive is kept as shipped.
fn torrc_in(dir: &Path) -> PathBuf {
    let shipped = std::fs::read_to_string(shipped("deploy/tor/torrc")).unwrap();
    let data = dir.join("data");
    std::fs::create_dir_all(&data).unwrap();
    let mut out = String::new();
    for line in shipped.lines() {
        let line = if line == "DataDirectory /var/lib/tor" {
            format!("DataDirectory {}", data.display())
        } else if let Some(hs) = line.strip_prefix("HiddenServiceDir /var/lib/tor/") {
            format!(
                "HiddenServiceDir {}/",
                dir.join(hs.trim_end_matches('/')).display()
            )
        } else {
            line.to_string()
        };
        out.push_str(&line);
        out.push('\n');
    }
    private(dir);
    private(&data);
    let path = dir.join("torrc");
    std::fs::write(&path, out).unwrap();
    path
}

fn private(p: &Path) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(p, std::fs::Permissions::from_mode(0o700)).unwrap();
}

#[test]
fn shipped_torrc_declares_both_onion_services_and_tor_accepts_it() {
    let text_ = std::fs::read_to_string(shipped("deploy/tor/torrc")).unwrap();
    let d = directives(&text_);
    for want in [
        "SocksPort 0",
        "SafeLogging 1",
        "HiddenServiceDir /var/lib/tor/amanat-intake/",
        "HiddenServicePort 80 127.0.0.1:8080",
        "HiddenServiceDir /var/lib/tor/amanat-review/",
        "HiddenServicePort 80 127.0.0.1:8081",
    ] {
        assert!(d.iter().any(|l| l == want), "torrc lacks {want:?}");
    }
    // PoW defences on the public intake service (the first one declared).
    let intake = d
        .iter()
        .position(|l| l.ends_with("amanat-intake/"))
        .unwrap();
    let review = d
        .iter()
        .position(|l| l.ends_with("amanat-review/"))
        .unwrap();
    assert!(intake < review);
    assert!(
        d[intake..review]
            .iter()
            .any(|l| l == "HiddenServicePoWDefensesEnabled 1")
    );
    // The ports match the addresses of the example configuration.
    assert!(amanatd::config::EXAMPLE_TOML.contains("addr = \"127.0.0.1:8080\""));
    assert!(amanatd::config::EXAMPLE_TOML.contains("addr = \"127.0.0.1:8081\""));
    assert!(text_.contains("authorized_clients/"));

    let tmp = tempfile::tempdir().unwrap();
    let torrc = torrc_in(tmp.path());
    let out = tool("tor", "tor")
        .args(["--verify-config", "-f"])
        .arg(&torrc)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("Configuration was valid"));

    // The check is real: a misspelt directive is refused.
    let broken = tmp.path().join("broken");
    std::fs::write(
        &broken,
        std::fs::read_to_string(&torrc).unwrap().replace(
            "HiddenServicePoWDefensesEnabled",
            "HiddenServicePowDefenceEnabled",
        ),
    )
    .unwrap();
    let out = tool("tor", "tor")
        .args(["--verify-config", "-f"])
        .arg(&broken)
        .output()
        .unwrap();
    assert!(!out.status.success(), "{}", text(&out));
}

/// Runs tor (network disabled) until it has created both onion services,
/// then stops it; returns its log.
fn run_tor_offline(torrc: &Path, dir: &Path) -> String {
    let log = dir.join(format!(
        "tor-{}.log",
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos()
    ));
    let mut child = tool("tor", "tor")
        .arg("-f")
        .arg(torrc)
        .args(["--DisableNetwork", "1"])
        .stdout(std::fs::File::create(&log).unwrap())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let start = Instant::now();
    let ready = || {
        ["amanat-intake", "amanat-review"]
            .iter()
            .all(|s| dir.join(s).join("hostname").exists())
    };
    while !ready() {
        if let Some(status) = child.try_wait().unwrap() {
            panic!(
                "tor exited with {status}: {}",
                std::fs::read_to_string(&log).unwrap()
            );
        }
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "tor did not start"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    // Client keys are read with the service keys; give the log a moment.
    std::thread::sleep(Duration::from_millis(500));
    child.kill().unwrap();
    child.wait().unwrap();
    std::fs::read_to_string(&log).unwrap()
}

#[test]
fn review_onion_loads_a_client_auth_key_made_by_the_shipped_script() {
    let tmp = tempfile::tempdir().unwrap();
    let torrc = torrc_in(tmp.path());
    let log = run_tor_offline(&torrc, tmp.path());
    assert!(!log.contains("[err]"), "{log}");
    let onion = std::fs::read_to_string(tmp.path().join("amanat-review/hostname")).unwrap();
    let onion = onion.trim();
    assert!(onion.ends_with(".onion") && onion.len() == 62, "{onion}");

    // The reviewer makes the pair on their machine; the operator installs
    // the public half.
    let reviewer = tmp.path().join("reviewer");
    std::fs::create_dir(&reviewer).unwrap();
    tool("openssl", "openssl");
    let out = Command::new(shipped("deploy/tor/client-auth-keygen.sh"))
        .args(["ana", onion])
        .arg(&reviewer)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out));
    let public = std::fs::read_to_string(reviewer.join("ana.auth")).unwrap();
    let private_ = std::fs::read_to_string(reviewer.join("ana.auth_private")).unwrap();
    let b32 = |s: &str| s.len() == 52 && s.bytes().all(|b| matches!(b, b'A'..=b'Z' | b'2'..=b'7'));
    let key = public.trim().strip_prefix("descriptor:x25519:").unwrap();
    assert!(b32(key), "{public}");
    let (addr, key) = private_.trim().split_once(":descriptor:x25519:").unwrap();
    assert_eq!(format!("{addr}.onion"), onion);
    assert!(b32(key), "{private_}");
    assert!(!text(&out).contains(key), "the script prints no secret");
    use std::os::unix::fs::PermissionsExt;
    for f in ["ana.auth", "ana.auth_private"] {
        let mode = std::fs::metadata(reviewer.join(f))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600, "{f}");
    }
    // Refuses to overwrite, and refuses a bad address.
    let again = Command::new(shipped("deploy/tor/client-auth-keygen.sh"))
        .args(["ana", onion])
        .arg(&reviewer)
        .output()
        .unwrap();
    assert!(!again.status.success());
    let bad = Command::new(shipped("deploy/tor/client-auth-keygen.sh"))
        .args(["bo", "example.com"])
        .arg(&reviewer)
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2));

    let clients = tmp.path().join("amanat-review/authorized_clients");
    std::fs::copy(reviewer.join("ana.auth"), clients.join("ana.auth")).unwrap();
    let log = run_tor_offline(&torrc, tmp.path());
    assert!(
        !log.to_lowercase().contains("client authorization"),
        "tor accepts the key: {log}"
    );

    // Tor does check these files: a malformed one is reported.
    std::fs::write(clients.join("bad.auth"), "descriptor:x25519:nonsense\n").unwrap();
    let log = run_tor_offline(&torrc, tmp.path());
    assert!(log.to_lowercase().contains("client authorization"), "{log}");
}

#[test]
fn systemd_unit_is_rated_ok_by_systemd_analyze() {
    let unit = shipped("deploy/systemd/amanatd.service");
    let d = directives(&std::fs::read_to_string(&unit).unwrap());
    for want in [
        "User=amanat",
        "ProtectSystem=strict",
        "ReadWritePaths=/var/lib/amanat",
        "NoNewPrivileges=yes",
        "PrivateTmp=yes",
        "MemoryDenyWriteExecute=yes",
        "SystemCallFilter=@system-service",
        "LimitCORE=0",
        "CapabilityBoundingSet=",
        "ProtectHome=yes",
        "PrivateDevices=yes",
        "ProtectKernelTunables=yes",
        "ProtectKernelModules=yes",
        "ProtectKernelLogs=yes",
        "LockPersonality=yes",
        "RestrictNamespaces=yes",
        "UMask=0077",
        "ExecReload=/bin/kill -HUP $MAINPID",
    ] {
        assert!(d.iter().any(|l| l == want), "unit lacks {want:?}");
    }
    assert!(d.iter().any(|l| l.starts_with("RestrictAddressFamilies=")));

    let out = tool("systemd-analyze", "systemd")
        .args(["security", "--offline=yes"])
        .arg(&unit)
        .output()
        .unwrap();
    let t = text(&out);
    let score: f64 = t
        .lines()
        .find_map(|l| {
            l.split("Overall exposure level for amanatd.service: ")
                .nth(1)
        })
        .and_then(|rest| rest.split_whitespace().next())
        .unwrap_or_else(|| panic!("no rating in: {t}"))
        .parse()
        .unwrap();
    assert!(score <= 2.0, "exposure {score} > 2.0:\n{t}");
    let docs = std::fs::read_to_string(shipped("docs/operations.md")).unwrap();
    assert!(
        docs.contains(&format!("exposure level {score:.1} (\"OK\")")),
        "docs/operations.md states the current rating {score:.1}"
    );
}

#[test]
fn debian_package_metadata_names_files_that_exist() {
    let manifest: toml::Table = std::fs::read_to_string(shipped("Cargo.toml"))
        .unwrap()
        .parse()
        .unwrap();
    let deb = &manifest["package"]["metadata"]["deb"];
    let assets = deb["assets"].as_array().unwrap();
    let mut sources = Vec::new();
    for a in assets {
        let a = a.as_array().unwrap();
        let src = a[0].as_str().unwrap();
        // target/ paths are built by scripts/build-deb.sh.
        if !src.starts_with("target/") {
            assert!(shipped(src).exists(), "asset {src} does not exist");
        }
        sources.push(src.to_string());
    }
    for want in [
        "target/release/amanatd",
        "target/release/amanat",
        "deploy/amanat.example.toml",
        "docs/operations.md",
    ] {
        assert!(sources.iter().any(|s| s == want), "{want} is not packaged");
    }
    assert!(sources.iter().any(|s| s.contains("man/")), "man pages");
    assert!(
        sources.iter().any(|s| s.contains("completions/")),
        "completions"
    );
    let scripts = deb["maintainer-scripts"].as_str().unwrap();
    assert!(shipped(scripts).join("postinst").exists());
}
