//! Hardware-backed and post-quantum reviewer keys, end to end: the real
//! `amanatd` on loopback, the real `amanat` CLI, and the software test
//! plugin `age-plugin-amanattest` (crates/test-plugin) on `PATH` standing in
//! for a YubiKey, Secure Enclave or TPM plugin.
#![forbid(unsafe_code)]

use crate::common::cli::{Reviewer, Run, Server, amanat_in};
use crate::common::daemon::{AMANAT, AMANATD, ok, run, text};
use amanat_core::crypto::envelope::stanza_types;
use amanat_core::crypto::recipient::{Protection, classify};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// What the test plugin prints before it unwraps, as a hardware key asks
/// to be touched (crates/test-plugin/src/main.rs).
const TOUCH: &str = "touch your (software test) key";

/// A report whose source agreed to be contacted back (so it can be
/// replied to), sent with one file.
const REPORT: &[(&str, &str)] = &[
    ("anonymity", "confidential"),
    ("reporter_relationship", "self"),
    ("victim_type", "journalist"),
    ("country", "NI"),
    ("reprisal_types", "smear_campaign"),
    ("narrative", "Smeared on television after my testimony."),
    ("consent_informed_of_risks", "yes"),
    ("consent_contact_back", "yes"),
];

/// The directory holding `age-plugin-amanattest`, built beside `amanat`.
fn plugin_dir() -> PathBuf {
    let dir = Path::new(AMANAT).parent().unwrap().to_path_buf();
    assert!(
        dir.join("age-plugin-amanattest").is_file(),
        "age-plugin-amanattest is missing from {}: run the tests with `cargo test --workspace`",
        dir.display()
    );
    dir
}

/// A new test-plugin identity file (0600) in `dir`, and its recipient.
fn hardware_key(dir: &Path, name: &str, post_quantum: bool) -> (PathBuf, String) {
    let mut cmd = Command::new(plugin_dir().join("age-plugin-amanattest"));
    cmd.arg("--generate");
    if post_quantum {
        cmd.arg("--pq");
    }
    let out = cmd.output().unwrap();
    let file = ok(&out);
    let recipient = file
        .lines()
        .find_map(|l| l.strip_prefix("# recipient: "))
        .unwrap()
        .to_string();
    let path = dir.join(format!("{name}.key"));
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(&path)
        .unwrap();
    std::io::Write::write_all(&mut f, file.as_bytes()).unwrap();
    (path, recipient)
}

/// `amanatd reviewer add` (offline), as the operator runs it.
fn reviewer_add(data: &Path, name: &str, recipient: &str, roles: &str) -> std::process::Output {
    run(
        AMANATD,
        &[
            "reviewer",
            "add",
            "--data-dir",
            data.to_str().unwrap(),
            "--name",
            name,
            "--recipient",
            recipient,
            "--roles",
            roles,
        ],
    )
}

/// Enrols a hardware-key reviewer into a stopped server's data dir.
fn enrol_hardware(server: &mut Server, name: &str, roles: &str, post_quantum: bool) {
    let (key, recipient) = hardware_key(server.tmp.path(), name, post_quantum);
    let printed = ok(&reviewer_add(&server.data, name, &recipient, roles));
    let id = printed
        .split_once('(')
        .and_then(|(_, rest)| rest.split_once(')'))
        .map(|(id, _)| id.to_string())
        .unwrap();
    server.reviewers.push(Reviewer {
        name: name.into(),
        id,
        recipient,
        config: server.tmp.path().join(format!("{name}-config")),
        key,
    });
}

/// Sets `[crypto] post_quantum` in the data dir's config file.
fn set_post_quantum(data: &Path, on: bool) {
    let path = data.join("amanat.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains("post_quantum = false"), "{text}");
    std::fs::write(
        &path,
        text.replace("post_quantum = false", &format!("post_quantum = {on}")),
    )
    .unwrap();
}

/// `amanat ARGS` as `who`, with `path` as its whole `PATH`.
fn amanat_with_path(who: &Reviewer, path: &Path, args: &[&str], input: Option<&str>) -> Run {
    amanat_in(
        &who.config,
        args,
        input,
        &[("PATH", path.to_str().unwrap())],
    )
}

/// The stanza types of every envelope and attachment blob of `report`.
fn stored_protection(data: &Path, report: &str) -> Vec<(String, Vec<String>)> {
    let store = amanatd::store::Store::open(data).unwrap();
    let meta = store.report(report).unwrap().unwrap();
    let mut out = Vec::new();
    for e in &meta.envelopes {
        let ct = store.envelope(&e.id).unwrap().unwrap();
        out.push((format!("{:?}", e.kind), stanza_types(&ct).unwrap()));
    }
    for b in &meta.blobs {
        let ct = std::fs::read(store.blob_path(b).unwrap()).unwrap();
        out.push(("blob".into(), stanza_types(&ct).unwrap()));
    }
    out
}

#[test]
fn a_hardware_key_reviewer_logs_in_reads_downloads_and_replies() {
    let mut server = Server::start(&[]);
    server.stop();
    enrol_hardware(&mut server, "hana", "triage,identity,admin", false);
    server.restart();
    let evidence = b"scanned letter, kept as sent".to_vec();
    let sent = server.submit(REPORT, &[("attachments_as_is", "letter.bin", &evidence)]);
    server.stop();
    for (kind, types) in stored_protection(&server.data, &sent.id) {
        assert_eq!(types, vec!["p256tag".to_string()], "{kind}");
    }
    server.restart();
    let hana = server.reviewer("hana");
    let path = plugin_dir();

    let login = amanat_with_path(
        hana,
        &path,
        &[
            "login",
            "--server",
            server.review(),
            "--identity",
            hana.key.to_str().unwrap(),
        ],
        None,
    );
    login.succeeded();
    assert!(login.stderr().contains(TOUCH), "{}", login.transcript());

    let show = amanat_with_path(hana, &path, &["show", &sent.id], None);
    show.succeeded();
    assert!(
        show.stdout().contains("Smeared on television"),
        "{}",
        show.transcript()
    );
    assert!(
        show.stderr().contains(TOUCH),
        "the plugin's prompt goes to stderr"
    );
    assert!(!show.stdout().contains(TOUCH), "and never to stdout");

    let out = server.tmp.path().join("downloads");
    let download = amanat_with_path(
        hana,
        &path,
        &["download", &sent.id, "--out", out.to_str().unwrap()],
        None,
    );
    download.succeeded();
    assert_eq!(std::fs::read(out.join("letter.bin")).unwrap(), evidence);

    let reply = amanat_with_path(
        hana,
        &path,
        &["reply", &sent.id, "-m", "We received your report."],
        None,
    );
    reply.succeeded();

    // The plugin missing from PATH: a clear error naming it, exit code 7
    // (cannot decrypt), nothing shown.
    let empty = server.tmp.path().join("empty-path");
    std::fs::create_dir_all(&empty).unwrap();
    let missing = amanat_with_path(hana, &empty, &["show", &sent.id], None);
    missing.exited(7);
    assert!(
        missing.stderr().contains("age-plugin-amanattest") && missing.stderr().contains("PATH"),
        "{}",
        missing.transcript()
    );
    assert!(!missing.stdout().contains("Smeared"));

    server.stop();
    let stored = stored_protection(&server.data, &sent.id);
    let (_, reply_types) = stored.iter().find(|(k, _)| k == "Reply").unwrap();
    let mut reply_types = reply_types.clone();
    reply_types.sort();
    assert_eq!(reply_types, ["X25519", "p256tag"], "to the source and hana");
}

#[test]
fn a_post_quantum_instance_seals_reports_and_files_to_post_quantum_keys_only() {
    let mut server = Server::start(&[]);
    server.stop();
    set_post_quantum(&server.data, true);
    enrol_hardware(&mut server, "pia", "triage,identity", true);
    // An admin who receives no envelope may keep a classical key.
    let (admin_key, admin_recipient) = hardware_key(server.tmp.path(), "ada", false);
    ok(&reviewer_add(
        &server.data,
        "ada",
        &admin_recipient,
        "admin",
    ));
    drop(admin_key);
    server.restart();

    let sent = server.submit(REPORT, &[("attachments_as_is", "letter.bin", b"evidence")]);
    server.stop();
    let stored = stored_protection(&server.data, &sent.id);
    assert!(stored.iter().any(|(k, _)| k == "blob"), "{stored:?}");
    for (kind, types) in &stored {
        assert_eq!(types, &vec!["mlkem768p256tag".to_string()], "{kind}");
        assert_eq!(classify(types), Protection::PostQuantum, "{kind}");
    }

    // The post-quantum reviewer reads it through the plugin.
    server.restart();
    let pia = server.reviewer("pia");
    let path = plugin_dir();
    amanat_with_path(
        pia,
        &path,
        &[
            "login",
            "--server",
            server.review(),
            "--identity",
            pia.key.to_str().unwrap(),
        ],
        None,
    )
    .succeeded();
    let show = amanat_with_path(pia, &path, &["show", &sent.id], None);
    show.succeeded();
    assert!(show.stdout().contains("Smeared on television"));

    // A reply goes to the source's classical key alone (age cannot mix).
    amanat_with_path(pia, &path, &["reply", &sent.id, "-m", "Received."], None).succeeded();
    server.stop();
    let stored = stored_protection(&server.data, &sent.id);
    let (_, reply) = stored.iter().find(|(k, _)| k == "Reply").unwrap();
    assert_eq!(reply, &vec!["X25519".to_string()]);
}

#[test]
fn keys_of_the_other_kind_are_refused_at_enrolment_start_and_check() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let d = data.to_str().unwrap();
    // Port 0: `amanatd check` tries to bind the configured addresses.
    ok(&run(
        AMANATD,
        &[
            "init",
            "--data-dir",
            d,
            "--intake-addr",
            "127.0.0.1:0",
            "--review-addr",
            "127.0.0.1:0",
        ],
    ));
    let omar = Reviewer::keygen(tmp.path(), "omar");
    let (_, pq) = hardware_key(tmp.path(), "pia", true);
    let (_, tag) = hardware_key(tmp.path(), "tia", false);

    // Classical instance: a post-quantum triage key is refused, with the
    // way forward; classical keys of both kinds are enrolled.
    let refused = reviewer_add(&data, "pia", &pq, "triage");
    assert_eq!(refused.status.code(), Some(2), "{}", text(&refused));
    assert!(
        text(&refused).contains("post_quantum = true"),
        "{}",
        text(&refused)
    );
    ok(&reviewer_add(&data, "omar", &omar.recipient, "triage"));
    ok(&reviewer_add(&data, "tia", &tag, "identity"));
    let check = run(AMANATD, &["check", "--data-dir", d]);
    assert!(
        text(&check).contains("every triage and identity reviewer holds a classical key"),
        "{}",
        text(&check)
    );

    // Switched to post-quantum: check and start name both classical
    // reviewers; a new classical triage key is refused offline.
    set_post_quantum(&data, true);
    let check = run(AMANATD, &["check", "--data-dir", d]);
    assert!(!check.status.success());
    let report = text(&check);
    assert!(report.contains("\"omar\" has a classical key"), "{report}");
    assert!(report.contains("\"tia\" has a classical key"), "{report}");

    let start = serve_until_exit(&data);
    assert_eq!(start.status.code(), Some(3), "{}", text(&start));
    let said = text(&start);
    assert!(said.contains("refusing to start"), "{said}");
    assert!(
        said.contains("\"omar\"") && said.contains("\"tia\""),
        "{said}"
    );

    let late = Reviewer::keygen(tmp.path(), "lea");
    let refused = reviewer_add(&data, "lea", &late.recipient, "triage");
    assert_eq!(refused.status.code(), Some(2), "{}", text(&refused));
    assert!(text(&refused).contains("age1tagpq1"), "{}", text(&refused));
    ok(&reviewer_add(&data, "pia", &pq, "triage"));
}

#[test]
fn online_enrolment_login_decoys_and_removal_of_a_hardware_key() {
    let mut server = Server::start(&[("ana", "triage,identity,admin")]);
    server.login("ana");
    let (_, pq) = hardware_key(server.tmp.path(), "pia", true);
    let (_, tag) = hardware_key(server.tmp.path(), "tia", false);
    let ana = server.reviewer("ana");
    let add = |name: &str, recipient: &str| {
        ana.amanat(&[
            "admin",
            "reviewer",
            "add",
            "--name",
            name,
            "--recipient",
            recipient,
            "--roles",
            "triage",
        ])
    };
    let refused = add("pia", &pq);
    refused.exited(1);
    assert!(
        refused.stderr().contains("age cannot mix"),
        "{}",
        refused.transcript()
    );

    let tia = Reviewer {
        name: "tia".into(),
        id: String::new(),
        recipient: tag.clone(),
        key: server.tmp.path().join("tia.key"),
        config: server.tmp.path().join("tia-config"),
    };
    let path = plugin_dir();
    let login = [
        "login",
        "--server",
        server.review(),
        "--identity",
        tia.key.to_str().unwrap(),
    ];
    // Before tia is enrolled, the challenge for her tagged key is a decoy
    // sealed to that very key (a stanza sealed to another key would name
    // the difference): her plugin opens it, and the login still fails.
    let early = amanat_with_path(&tia, &path, &login, None);
    early.exited(3);
    assert!(early.stderr().contains(TOUCH), "{}", early.transcript());
    add("tia", &tag).succeeded();
    amanat_with_path(&tia, &path, &login, None).succeeded();
    amanat_with_path(&tia, &path, &["whoami"], None).succeeded();
    ana.amanat(&["admin", "reviewer", "remove", "tia"])
        .succeeded();
    amanat_with_path(&tia, &path, &["whoami"], None).exited(3);
    let sent = server.submit(REPORT, &[]);
    server.stop();
    let store = amanatd::store::Store::open(&server.data).unwrap();
    let meta = store.report(&sent.id).unwrap().unwrap();
    assert!(!meta.envelopes.is_empty());
    for e in &meta.envelopes {
        assert!(!e.recipients.contains(&tag), "{:?} sealed to tia", e.kind);
    }
}

/// Runs `amanatd serve` on free ports and waits (at most a minute) for it
/// to exit on its own; a server that keeps running fails the test.
fn serve_until_exit(data: &Path) -> std::process::Output {
    let mut child = Command::new(AMANATD)
        .args(["serve", "--data-dir"])
        .arg(data)
        .args([
            "--intake-addr",
            "127.0.0.1:0",
            "--review-addr",
            "127.0.0.1:0",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let start = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if start.elapsed() > Duration::from_secs(60) {
            let _ = child.kill();
            panic!("amanatd serve kept running");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    child.wait_with_output().unwrap()
}
