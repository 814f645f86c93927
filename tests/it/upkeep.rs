//! Upkeep of a store with real components: `amanatd backup` under write
//! load through the real HTTP form and through a running server's control
//! socket, `restore`, and `amanatd fsck` with its sorted sets spilling to a
//! scratch directory. Nothing here is mocked; everything runs on loopback.
#![forbid(unsafe_code)]
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;
use common::daemon::*;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// `amanatd restore --in FILE --data-dir TARGET`.
fn restore(file: &Path, target: &Path) -> std::process::Output {
    run(
        AMANATD,
        &[
            "restore",
            "--in",
            file.to_str().unwrap(),
            "--data-dir",
            target.to_str().unwrap(),
        ],
    )
}

#[test]
fn backup_under_write_load_restores_every_acknowledged_report() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let d = data.to_str().unwrap().to_string();
    let identity = init_with_reviewer(&data);
    let server = serve(&data, &[("AMANAT_LIMITS_SUBMISSIONS_PER_MINUTE", "100000")]);

    // A writer submits reports through the real form until told to stop
    // (bounded: 300 reports or 90 seconds). Each acknowledgement is
    // recorded with the moment it was seen.
    let stop = Arc::new(AtomicBool::new(false));
    let acked = Arc::new(std::sync::Mutex::new(Vec::<(Instant, String)>::new()));
    let writer = {
        let (stop, acked, intake) = (stop.clone(), acked.clone(), server.intake.clone());
        std::thread::spawn(move || {
            let http = common::client();
            let start = Instant::now();
            for i in 0..300 {
                if stop.load(Ordering::Relaxed) || start.elapsed() > Duration::from_secs(90) {
                    break;
                }
                let narrative = format!("load report {i}");
                if submit_form(&http, &intake, &narrative) {
                    acked.lock().unwrap().push((Instant::now(), narrative));
                }
            }
        })
    };
    let count = || acked.lock().unwrap().len();
    wait_for("the first reports", Duration::from_secs(60), || {
        count() >= 5
    });

    // Three backups while the writer runs.
    let mut backups = Vec::new();
    for n in 0..3 {
        let before = count();
        let started = Instant::now();
        let file = tmp.path().join(format!("backup-{n}.amanat"));
        let out = run(
            AMANATD,
            &["backup", "--data-dir", &d, "--out", file.to_str().unwrap()],
        );
        let t = ok(&out);
        assert!(t.contains("mode 0600"), "{t}");
        assert_eq!(
            std::fs::metadata(&file).unwrap().permissions().mode() & 0o777,
            0o600
        );
        backups.push((file, started));
        wait_for("more reports", Duration::from_secs(60), || {
            count() >= before + 3
        });
    }
    let out = run(AMANATD, &["status", "--data-dir", &d, "--json"]);
    let status: serde_json::Value = serde_json::from_str(&ok(&out)).unwrap();
    assert_eq!(status["server_running"], true);
    assert_eq!(status["reviewers"], 1);
    assert!(status["reports_total"].as_u64().unwrap() >= 5);
    assert!(status["disk_bytes"].as_u64().unwrap() > 0);
    stop.store(true, Ordering::Relaxed);
    writer.join().unwrap();
    let acked = acked.lock().unwrap().clone();
    assert!(
        server
            .log()
            .contains("backup taken through the control socket"),
        "the backups went through the running server"
    );

    // Each backup restores; every report acknowledged before it started is
    // there and decrypts; nothing in it lacks an envelope.
    let mut sizes = Vec::new();
    for (i, (file, started)) in backups.iter().enumerate() {
        let target = tmp.path().join(format!("restored-{i}"));
        let out = restore(file, &target);
        assert!(ok(&out).contains("the audit chain verifies"));
        let restored = narratives(&target, &identity);
        let must: Vec<&String> = acked
            .iter()
            .filter(|(at, _)| at < started)
            .map(|(_, n)| n)
            .collect();
        assert!(must.len() >= 5);
        for n in &must {
            assert!(restored.contains(n), "{n} missing from backup {i}");
        }
        assert!(restored.len() <= acked.len());
        sizes.push(restored.len());
        let out = run(
            AMANATD,
            &["audit", "verify", "--data-dir", target.to_str().unwrap()],
        );
        ok(&out);
    }

    assert!(
        sizes.windows(2).all(|w| w[0] < w[1]),
        "reports were written between the backups: {sizes:?}"
    );

    // Restoring over a store, overwriting a backup, or a damaged file: refused.
    let (first, _) = &backups[0];
    let f = first.to_str().unwrap();
    let out = run(AMANATD, &["restore", "--in", f, "--data-dir", &d]);
    assert!(!out.status.success());
    assert!(
        text(&out).contains("already holds an Amanat store"),
        "{}",
        text(&out)
    );
    let out = run(AMANATD, &["backup", "--data-dir", &d, "--out", f]);
    assert!(!out.status.success());
    assert!(text(&out).contains("never overwrites"), "{}", text(&out));
    let mut bytes = std::fs::read(first).unwrap();
    let mid = bytes.len() / 2;
    bytes[mid] ^= 0x40;
    let damaged = tmp.path().join("damaged.amanat");
    std::fs::write(&damaged, &bytes).unwrap();
    let target = tmp.path().join("from-damaged");
    let out = restore(&damaged, &target);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out).contains("checksum does not match"),
        "{}",
        text(&out)
    );
    assert!(!target.join("db").exists(), "nothing written");

    // Offline: status and backup open the store themselves.
    drop(server);
    let out = run(AMANATD, &["status", "--data-dir", &d]);
    let t = ok(&out);
    assert!(
        t.contains("not running") && t.contains("reviewers:  1 (1 with triage)"),
        "{t}"
    );
    let offline = tmp.path().join("offline.amanat");
    ok(&run(
        AMANATD,
        &[
            "backup",
            "--data-dir",
            &d,
            "--out",
            offline.to_str().unwrap(),
        ],
    ));
    let target = tmp.path().join("restored-offline");
    ok(&restore(&offline, &target));
    let mut all = narratives(&target, &identity);
    all.sort();
    let mut want: Vec<String> = acked.into_iter().map(|(_, n)| n).collect();
    want.sort();
    assert_eq!(
        all, want,
        "offline, the backup holds exactly what was acknowledged"
    );
}

#[test]
fn a_backup_with_attachments_streams_through_the_server_and_restores_to_a_clean_fsck() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let d = data.to_str().unwrap().to_string();
    let identity = init_with_reviewer(&data);
    let server = serve(&data, &[]);
    let http = common::client();
    // Several buffers' worth, so that the copy runs in many pieces.
    let big: Vec<u8> = (0..3 << 20).map(|i: u32| (i % 251) as u8).collect();
    let files: [(&str, &[u8]); 2] = [("notes.bin", b"small attachment"), ("scan.bin", &big)];
    for n in 0..3 {
        let narrative = format!("report with files {n}");
        let sent = try_submit_as_is(&http, &server.intake, &narrative, &files).unwrap();
        assert!(matches!(sent, Submitted::Acknowledged(_)), "{sent:?}");
    }
    let file = tmp.path().join("with-files.amanat");
    let t = ok(&run(
        AMANATD,
        &["backup", "--data-dir", &d, "--out", file.to_str().unwrap()],
    ));
    assert!(t.contains("3 reports"), "{t}");
    assert!(
        server
            .log()
            .contains("backup taken through the control socket")
    );
    drop(server);
    // No temporary file is left beside the backup.
    let beside: Vec<_> = std::fs::read_dir(tmp.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.'))
        .collect();
    assert!(beside.is_empty(), "{beside:?}");

    let target = tmp.path().join("restored");
    let t = ok(&restore(&file, &target));
    assert!(t.contains("Restored 3 reports"), "{t}");
    let fsck = ok(&run(
        AMANATD,
        &["fsck", "--data-dir", target.to_str().unwrap()],
    ));
    assert!(fsck.contains("the store is consistent"), "{fsck}");
    let mut restored = narratives(&target, &identity);
    restored.sort();
    assert_eq!(restored.len(), 3);
    // Every attachment file is there, byte for byte, and private.
    let listing = |dir: &Path| {
        let mut v: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir.join("blobs"))
            .unwrap()
            .map(|e| e.unwrap())
            .map(|e| {
                let mode = e.metadata().unwrap().permissions().mode() & 0o777;
                assert_eq!(mode, 0o600, "{:?}", e.path());
                (
                    e.file_name().to_string_lossy().into_owned(),
                    std::fs::read(e.path()).unwrap(),
                )
            })
            .collect();
        v.sort();
        v
    };
    let (was, is) = (listing(&data), listing(&target));
    assert_eq!(was.len(), 6);
    assert!(was == is, "the restored attachments differ");
}

/// `amanatd fsck` holding one id in memory per set, with its scratch
/// directory where the operator put it: finds the leftovers, repairs them,
/// keeps every report whole and leaves no scratch directory behind; a
/// scratch directory it cannot make is named.
#[test]
fn fsck_with_one_id_in_memory_finds_and_repairs_leftovers_and_cleans_up() {
    use amanat_core::model::{Anonymity, Urgency};
    use amanatd::store::{EnvelopeKind, NewEnvelope, NewReport, Store};
    let tmp = tempfile::tempdir().unwrap();
    let (data, scratch) = (tmp.path().join("data"), tmp.path().join("scratch"));
    std::fs::create_dir(&scratch).unwrap();
    let key = age::x25519::Identity::generate().to_public();
    let store = Store::create(&data).unwrap();
    for _ in 0..6 {
        let ciphertext =
            amanat_core::crypto::envelope::seal(b"r", std::slice::from_ref(&key)).unwrap();
        let kind = EnvelopeKind::Report;
        let envelopes = vec![NewEnvelope {
            kind,
            ciphertext,
            recipients: vec![key.to_string()],
        }];
        let (anonymity, urgency) = (Anonymity::Anonymous, Urgency::Standard);
        let new = NewReport {
            anonymity,
            urgency,
            envelopes,
            source: None,
            blobs: Vec::new(),
        };
        store.insert_report(new).unwrap();
    }
    drop(store);
    let orphan = amanat_core::crypto::random::id();
    std::fs::write(data.join("blobs").join(&orphan), b"left").unwrap();
    let (d, s) = (data.to_str().unwrap(), scratch.to_str().unwrap());
    let args = [
        "fsck",
        "--data-dir",
        d,
        "--ids-in-memory",
        "1",
        "--scratch-dir",
        s,
    ];
    let found = run(AMANATD, &[&args[..], &["--json"]].concat());
    assert_eq!(found.status.code(), Some(7), "{}", text(&found));
    let report: serde_json::Value = serde_json::from_slice(&found.stdout).unwrap();
    assert_eq!(report["reports"], 6);
    assert_eq!(report["problems"][0]["blob"], orphan.as_str(), "{report}");
    assert!(ok(&run(AMANATD, &[&args[..], &["--repair"]].concat())).contains("REPAIRED"));
    assert!(ok(&run(AMANATD, &args)).contains("the store is consistent"));
    assert_eq!(
        std::fs::read_dir(&scratch).unwrap().count(),
        0,
        "scratch removed"
    );
    let gone = tmp.path().join("nowhere");
    let out = run(
        AMANATD,
        &[
            "fsck",
            "--data-dir",
            d,
            "--scratch-dir",
            gone.to_str().unwrap(),
        ],
    );
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(text(&out).contains(&format!("scratch directory in {}", gone.display())));
}
