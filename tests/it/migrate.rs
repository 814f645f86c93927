//! Schema migration on a data dir written by the previous release
//! (`tests/fixtures/v1-data-dir`, schema 1): `amanatd serve` backs it up
//! beside the data dir and migrates it at start; afterwards every report,
//! message and attachment decrypts with the fixture's test key and `fsck`
//! is clean. The schema 1 backup restores (and is migrated on the way).
#![forbid(unsafe_code)]
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use amanat_core::crypto::envelope;
use common::daemon::*;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::str::FromStr;

const FIXTURE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/v1-data-dir");

/// What the generator encrypted (`make_v1.rs.txt`): envelopes, then files.
fn expected() -> (Vec<String>, Vec<String>) {
    let mut envelopes: Vec<String> = [
        "report r1",
        "identity r1",
        "message r1-1",
        "message r1-2",
        "message r1-3",
        "message r1-4",
        "reply r1-1",
        "note r1-1",
        "report r2",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    envelopes.extend((3..=12).map(|i| format!("report r{i}")));
    envelopes.sort();
    let files = vec!["attachment r1-a".to_string(), "attachment r1-b".to_string()];
    (envelopes, files)
}

/// A copy of the fixture's data dir in `into`, private as amanatd wants it.
fn copy_fixture(into: &Path) -> PathBuf {
    fn copy(from: &Path, to: &Path) {
        std::fs::create_dir_all(to).unwrap();
        std::fs::set_permissions(to, std::fs::Permissions::from_mode(0o700)).unwrap();
        for e in std::fs::read_dir(from).unwrap() {
            let e = e.unwrap();
            let target = to.join(e.file_name());
            if e.file_type().unwrap().is_dir() {
                copy(&e.path(), &target);
            } else {
                std::fs::copy(e.path(), &target).unwrap();
                std::fs::set_permissions(&target, std::fs::Permissions::from_mode(0o600)).unwrap();
            }
        }
    }
    let data = into.join("data");
    copy(&Path::new(FIXTURE).join("data"), &data);
    // Directories git does not keep.
    std::fs::create_dir_all(data.join("db/blobs")).unwrap();
    data
}

fn identity() -> age::x25519::Identity {
    let text = std::fs::read_to_string(Path::new(FIXTURE).join("identity.txt")).unwrap();
    age::x25519::Identity::from_str(text.trim()).unwrap()
}

/// Every envelope and attachment of every report, decrypted, sorted.
fn decrypt_all(data: &Path) -> (Vec<String>, Vec<String>) {
    let store = amanatd::store::Store::open(data).unwrap();
    let id = identity();
    let open = |ct: &[u8]| {
        String::from_utf8(envelope::open(ct, &[&id]).expect("decrypts").to_vec()).unwrap()
    };
    let (mut envelopes, mut files) = (Vec::new(), Vec::new());
    for r in store.reports().unwrap() {
        for e in &r.envelopes {
            envelopes.push(open(&store.envelope(&e.id).unwrap().expect("stored")));
        }
        for b in &r.blobs {
            files.push(open(&std::fs::read(store.blob_path(b).unwrap()).unwrap()));
        }
    }
    envelopes.sort();
    files.sort();
    (envelopes, files)
}

fn fsck(data: &Path) -> String {
    ok(&run(
        AMANATD,
        &["fsck", "--data-dir", data.to_str().unwrap()],
    ))
}

#[test]
fn a_data_dir_of_the_previous_release_is_backed_up_migrated_and_whole() {
    let tmp = tempfile::tempdir().unwrap();
    let data = copy_fixture(tmp.path());
    // The old layout passes fsck as it is, which names what comes next.
    let before = fsck(&data);
    assert!(before.contains("schema version 1"), "{before}");
    assert!(before.contains("the next start of `amanatd serve` migrates it"));
    assert!(before.contains("the store is consistent"), "{before}");
    let out = run(AMANATD, &["status", "--data-dir", data.to_str().unwrap()]);
    assert!(
        text(&out).contains("start `amanatd serve` once to migrate it"),
        "{}",
        text(&out)
    );

    let daemon = serve(&data, &[]);
    let log = daemon.log();
    drop(daemon);
    let backups: Vec<PathBuf> = std::fs::read_dir(tmp.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_string_lossy().ends_with(".amanat-backup"))
        .collect();
    assert_eq!(backups.len(), 1, "{backups:?}");
    let backup = &backups[0];
    let name = backup.file_name().unwrap().to_string_lossy().into_owned();
    assert!(name.starts_with("data.schema-1-backup-"), "{name}");
    assert!(log.contains(&backup.display().to_string()), "{log}");
    assert!(log.contains("backed up 12 report(s)"), "{log}");
    assert!(log.contains("migrated 12 report(s) to schema 3"), "{log}");
    for secret in ["report r1", "message r1", "attachment"] {
        assert!(!log.contains(secret), "{secret} in the log");
    }
    assert_eq!(
        std::fs::metadata(backup).unwrap().permissions().mode() & 0o777,
        0o600
    );

    assert_eq!(decrypt_all(&data), expected());
    let after = fsck(&data);
    assert!(after.contains("schema version 3"), "{after}");
    assert!(after.contains("the store is consistent"), "{after}");
    let store = amanatd::store::Store::open(&data).unwrap();
    assert_eq!(store.report_count(), 12);
    assert_eq!(store.derived_problems().unwrap(), Vec::<String>::new());
    assert_eq!(store.report_heads().unwrap().len(), 12);
    drop(store);

    // A second start finds nothing to do and writes no second backup.
    let daemon = serve(&data, &[]);
    drop(daemon);
    let count = std::fs::read_dir(tmp.path())
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .path()
                .to_string_lossy()
                .ends_with(".amanat-backup")
        })
        .count();
    assert_eq!(count, 1);

    // The schema 1 backup restores, migrated on the way.
    let restored = tmp.path().join("restored");
    let out = run(
        AMANATD,
        &[
            "restore",
            "--in",
            backup.to_str().unwrap(),
            "--data-dir",
            restored.to_str().unwrap(),
        ],
    );
    ok(&out);
    assert_eq!(decrypt_all(&restored), expected());
    assert!(fsck(&restored).contains("the store is consistent"));
}
