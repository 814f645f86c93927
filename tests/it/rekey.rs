//! `amanat admin rekey` end to end: a data dir of reports with attachments
//! sealed to three reviewers, one of them removed, the real CLI killed
//! (SIGKILL) in the middle of re-keying and run again to the end. Then
//! nothing is sealed to the removed key, everything opens with the others,
//! `amanatd fsck` finds nothing, every swap is audited, and the Go `age`
//! CLI decrypts every re-keyed attachment with a remaining reviewer's key.
//! A set of recipients the admin has not seen at login is refused.
//!
//! The fast suite re-keys `TEST_REKEY_REPORTS` reports (60 by default; not
//! an `AMANAT_…` name, which `amanatd` would refuse as an unknown setting);
//! with the `slow-tests` feature, 1,000 (the size).
#![forbid(unsafe_code)]

mod api;

use crate::common::cli::Server;
use crate::common::daemon::{AMANAT, AMANATD, env_count, run};
use age::x25519;
use amanat_core::audit::Action;
use amanat_core::crypto::blob::{BlobWriter, open_blob, padded_size};
use amanat_core::crypto::envelope;
use amanat_core::model::{Anonymity, Urgency};
use amanat_core::records::{
    AttachmentManifest, CleanResult, EnvelopeKind, IdentityRecord, IdentitySchema,
    QuestionnaireRef, Record, ReplyRecord, ReplySchema, ReportRecord, ReportSchema,
};
use amanatd::store::{NewEnvelope, NewReport, Store};
use secrecy::zeroize::Zeroizing;
use serde_json::Value as Json;
use sha2::{Digest, Sha256};
use std::io::{BufRead, Read, Write};
use std::process::{Command, Stdio};

#[test]
fn rekey_moves_every_report_off_a_removed_key_and_survives_a_kill() {
    let default = if cfg!(feature = "slow-tests") {
        1000
    } else {
        60
    };
    let reports = env_count("TEST_REKEY_REPORTS", default);
    let mut server = Server::start(&[
        ("admin", "triage,identity,admin"),
        ("second", "triage,identity,admin"),
        ("leaver", "triage,identity"),
    ]);
    let key = |name: &str| match amanat_core::keyfile::load(&server.reviewer(name).key)
        .unwrap()
        .key
    {
        amanat_core::keyfile::IdentityKey::X25519(id) => id,
        amanat_core::keyfile::IdentityKey::Plugin(_) => panic!("a software key was expected"),
    };
    let (admin, second, leaver) = (key("admin"), key("second"), key("leaver"));
    server.stop();
    let files = generate(&server.data, reports, &[&admin, &second, &leaver]);
    server.restart();

    server.login("admin");
    let a = server.reviewer("admin");
    a.amanat(&["admin", "reviewer", "remove", "leaver"])
        .succeeded();
    let queue = json(&a.amanat(&["queue", "--json"]).succeeded().stdout());
    assert_eq!(queue["needs_rekey"], reports, "{queue}");
    let list = json(&a.amanat(&["list", "--json"]).succeeded().stdout());
    let first = &list.as_array().unwrap()[0]["rekey"];
    assert!(first["removed"].as_u64().unwrap() >= 2, "{list}");
    let dry = json(
        &a.amanat(&["admin", "rekey", "--dry-run", "--json"])
            .succeeded()
            .stdout(),
    );
    assert_eq!(dry["reports"], reports, "{dry}");

    // Killed mid-run: some reports re-keyed, others not, nothing half done.
    let done_before_kill = kill_mid_run(&a.config, reports / 3);
    let queue = json(&a.amanat(&["queue", "--json"]).succeeded().stdout());
    let left = queue["needs_rekey"].as_u64().unwrap() as usize;
    assert!(
        left > 0 && left <= reports - done_before_kill,
        "{left} left after {done_before_kill} re-keyed"
    );

    // Run again: it carries on with what is left.
    let out = a.amanat(&["admin", "rekey", "--json"]);
    out.succeeded();
    let sum = json(&out.stdout());
    assert_eq!(sum["reports"].as_u64().unwrap() as usize, left, "{sum}");
    assert!(sum["skipped"].as_array().unwrap().is_empty(), "{sum}");
    let queue = json(&a.amanat(&["queue", "--json"]).succeeded().stdout());
    assert_eq!(queue["needs_rekey"], 0, "{queue}");
    let text = a.amanat(&["queue"]).succeeded().stdout();
    assert!(!text.contains("removed reviewer"), "{text}");

    // Another admin enrols a reviewer: until this admin has seen it (at
    // login), nothing is re-encrypted to the new set.
    server.login("second");
    let newcomer = x25519::Identity::generate().to_public().to_string();
    let s = server.reviewer("second");
    s.amanat(&[
        "admin",
        "reviewer",
        "add",
        "--name",
        "newcomer",
        "--recipient",
        &newcomer,
        "--roles",
        "triage",
    ])
    .succeeded();
    let refused = a.amanat(&["admin", "rekey"]);
    refused.exited(1);
    assert!(
        refused.stderr().contains("WHO RECEIVES REPORTS CHANGED"),
        "{}",
        refused.stderr()
    );
    server.stop();

    check_store(&server.data, &files, &admin, &second, &leaver);
    let fsck = run(
        AMANATD,
        &["fsck", "--data-dir", server.data.to_str().unwrap()],
    );
    assert!(
        fsck.status.success(),
        "{}",
        String::from_utf8_lossy(&fsck.stdout)
    );
    check_with_go_age(&server.data, &server.reviewer("second").key, &files);
}

/// What each generated attachment holds, by blob id.
struct File {
    blob: String,
    data: Vec<u8>,
}

/// `count` reports written through the store, as intake writes them: a
/// report envelope and one attachment to the triage reviewers, an identity
/// section on every fifth, a follow-up channel with a reply on every tenth.
/// Eight writers at once share the store's sync rounds.
fn generate(data: &std::path::Path, count: usize, ids: &[&x25519::Identity]) -> Vec<File> {
    let store = Store::open(data).unwrap();
    let spelled: Vec<String> = ids.iter().map(|i| i.to_public().to_string()).collect();
    let parsed: Vec<x25519::Recipient> = ids.iter().map(|i| i.to_public()).collect();
    let files = std::sync::Mutex::new(Vec::new());
    std::thread::scope(|s| {
        for t in 0..8 {
            let (store, spelled, parsed, files) = (&store, &spelled, &parsed, &files);
            s.spawn(move || {
                for i in (t..count).step_by(8) {
                    let file = one_report(store, i, spelled, parsed);
                    files.lock().unwrap().push(file);
                }
            });
        }
    });
    files.into_inner().unwrap()
}

fn one_report(store: &Store, i: usize, spelled: &[String], parsed: &[x25519::Recipient]) -> File {
    let data: Vec<u8> = (0..(200 + i * 37 % 5000))
        .map(|b| (b * 7 + i) as u8)
        .collect();
    let staged = tempfile::Builder::new()
        .prefix(".upload-")
        .tempfile_in(store.blobs_dir())
        .unwrap();
    let mut w = BlobWriter::new(staged.reopen().unwrap(), parsed).unwrap();
    w.write_all(&data).unwrap();
    let (f, sealed) = w.finish().unwrap();
    f.sync_all().unwrap();
    let blob = store.commit_blobs(vec![staged]).unwrap().remove(0);
    let record = ReportRecord {
        anonymity: Anonymity::Confidential,
        answers: Default::default(),
        attachments: vec![AttachmentManifest {
            blob: blob.clone(),
            media_type: "application/octet-stream".into(),
            name: format!("file-{i}.bin"),
            removed: vec![],
            result: CleanResult::NotCleanable,
            sha256: sealed.sha256,
            size: sealed.size,
        }],
        lang: "en".into(),
        questionnaire: QuestionnaireRef {
            id: "un-reprisals".into(),
            version: 1,
        },
        schema: ReportSchema,
    };
    let seal = |kind, plain: Zeroizing<Vec<u8>>, to: &[x25519::Recipient], named: Vec<String>| {
        NewEnvelope {
            kind,
            ciphertext: envelope::seal(&plain, to).unwrap(),
            recipients: named,
        }
    };
    let mut envelopes = vec![seal(
        EnvelopeKind::Report,
        record.to_plaintext().unwrap(),
        parsed,
        spelled.to_vec(),
    )];
    if i % 5 == 0 {
        let identity = IdentityRecord {
            answers: Default::default(),
            schema: IdentitySchema,
        };
        envelopes.push(seal(
            EnvelopeKind::Identity,
            identity.to_plaintext().unwrap(),
            parsed,
            spelled.to_vec(),
        ));
    }
    let source = (i % 10 == 0).then(|| x25519::Identity::generate().to_public());
    let meta = store
        .insert_report(NewReport {
            anonymity: Anonymity::Confidential,
            urgency: Urgency::Standard,
            envelopes,
            source: source.as_ref().map(|s| amanatd::store::NewSource {
                lookup: Sha256::digest(format!("lookup {i}")).into(),
                recipient: s.to_string(),
                kdf: Default::default(),
            }),
            blobs: vec![blob.clone()],
        })
        .unwrap();
    if let Some(s) = source {
        let reply = ReplyRecord {
            reviewer: "admin".into(),
            schema: ReplySchema,
            text: Zeroizing::new(format!("reply {i}")),
        };
        let mut to = vec![s.clone()];
        to.extend_from_slice(parsed);
        let mut named = vec![s.to_string()];
        named.extend_from_slice(spelled);
        store
            .append_envelope(
                &meta.id,
                seal(
                    EnvelopeKind::Reply,
                    reply.to_plaintext().unwrap(),
                    &to,
                    named,
                ),
            )
            .unwrap();
    }
    File { blob, data }
}

/// Starts `amanat admin rekey`, reads its progress lines until `after`
/// reports are done, and kills it with SIGKILL. Returns how many it said
/// it had finished.
fn kill_mid_run(config: &std::path::Path, after: usize) -> usize {
    crate::common::daemon::require_binaries();
    let mut child = Command::new(AMANAT)
        .args(["admin", "rekey"])
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", config)
        .env("AMANAT_CONFIG_DIR", config)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = std::io::BufReader::new(child.stderr.take().unwrap()).lines();
    let mut done = 0;
    while done < after.max(1) {
        let line = lines.next().expect("rekey ended early").unwrap();
        if line.starts_with("re-keyed report") {
            done += 1;
        }
    }
    child.kill().unwrap();
    child.wait().unwrap();
    done
}

/// Every envelope and attachment opens with the remaining keys and not
/// with the removed one; every swap was audited.
fn check_store(
    data: &std::path::Path,
    files: &[File],
    admin: &x25519::Identity,
    second: &x25519::Identity,
    leaver: &x25519::Identity,
) {
    let store = Store::open(data).unwrap();
    let gone = leaver.to_public().to_string();
    let mut swaps = 0;
    for meta in store.reports().unwrap() {
        for e in &meta.envelopes {
            assert!(!e.recipients.contains(&gone), "{:?} still names it", e.kind);
            let ct = store.envelope(&e.id).unwrap().unwrap();
            assert!(
                envelope::open(&ct, &[leaver]).is_err(),
                "the removed key opens it"
            );
            let plain = envelope::open(&ct, &[second]).unwrap();
            assert_eq!(*envelope::open(&ct, &[admin]).unwrap(), *plain);
            if e.kind == EnvelopeKind::Report {
                let record = ReportRecord::from_plaintext(&plain).unwrap();
                let m = &record.attachments[0];
                let path = store.blob_path(&m.blob).unwrap();
                let mut back = Vec::new();
                open_blob(
                    std::fs::File::open(&path).unwrap(),
                    second,
                    m.size,
                    &m.sha256,
                )
                .unwrap()
                .read_to_end(&mut back)
                .unwrap();
                let want = files.iter().find(|f| f.blob == m.blob).unwrap();
                assert_eq!(back, want.data);
                assert!(
                    open_blob(
                        std::fs::File::open(&path).unwrap(),
                        leaver,
                        m.size,
                        &m.sha256
                    )
                    .is_err()
                );
            }
            swaps += 1;
        }
        for b in &meta.blobs {
            assert!(!meta.sealed_to(b).unwrap().contains(&gone));
            swaps += 1;
        }
    }
    let audited = store
        .audit_entries()
        .unwrap()
        .iter()
        .filter(|e| e.event.action == Action::Rekey)
        .count();
    // A swap may be audited and then refused, or audited again after the
    // kill: never fewer entries than swaps.
    assert!(audited >= swaps, "{audited} audited for {swaps} swaps");
    assert!(store.fsck(false).unwrap().clean());
}

/// The Go `age` CLI decrypts every attachment file with a remaining
/// reviewer's key file: it gives the file followed by the blob format's
/// zero padding.
fn check_with_go_age(data: &std::path::Path, key: &std::path::Path, files: &[File]) {
    for f in files {
        let path = data.join("blobs").join(&f.blob);
        let out = Command::new("age")
            .args(["-d", "-i"])
            .arg(key)
            .arg(&path)
            .output()
            .expect("the Go age CLI must be installed (Debian package `age`; scripts/test.sh)");
        assert!(
            out.status.success(),
            "age -d: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let plain = out.stdout;
        assert_eq!(plain.len() as u64, padded_size(f.data.len() as u64));
        assert_eq!(&plain[..f.data.len()], &f.data[..]);
        assert!(plain[f.data.len()..].iter().all(|&b| b == 0));
    }
}

fn json(s: &str) -> Json {
    serde_json::from_str(s).unwrap_or_else(|e| panic!("{e}: {s}"))
}
