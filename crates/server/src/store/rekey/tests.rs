//! Unit tests of re-keying in the store: real sled, real age, real files.

use super::super::*;
use super::REKEY_TEMP_PREFIX;
use age::x25519;
use amanat_core::crypto::blob::{BlobWriter, open_blob};
use amanat_core::crypto::envelope;
use amanat_core::model::{Anonymity, Role, Urgency};
use std::io::{Read, Write};

struct World {
    _dir: tempfile::TempDir,
    store: Store,
    a: x25519::Identity,
    b: x25519::Identity,
}

fn world() -> World {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::create(dir.path()).unwrap();
    let (a, b) = (x25519::Identity::generate(), x25519::Identity::generate());
    for (name, id) in [("A", &a), ("B", &b)] {
        store
            .add_reviewer(NewReviewer {
                name: name.into(),
                recipient: id.to_public().to_string(),
                roles: vec![Role::Triage],
            })
            .unwrap();
    }
    World {
        _dir: dir,
        store,
        a,
        b,
    }
}

fn spelled(ids: &[&x25519::Identity]) -> Vec<String> {
    ids.iter().map(|i| i.to_public().to_string()).collect()
}

/// A blob of `data` sealed to `ids`, staged in the attachment directory.
fn blob_file(store: &Store, data: &[u8], ids: &[&x25519::Identity]) -> tempfile::NamedTempFile {
    let t = tempfile::Builder::new()
        .prefix(".upload-")
        .tempfile_in(store.blobs_dir())
        .unwrap();
    let rs: Vec<_> = ids.iter().map(|i| i.to_public()).collect();
    let mut w = BlobWriter::new(t.reopen().unwrap(), &rs).unwrap();
    w.write_all(data).unwrap();
    w.finish().unwrap().0.sync_all().unwrap();
    t
}

/// A report sealed to A and B, with one attachment file.
fn report(w: &World) -> ReportMeta {
    let both = spelled(&[&w.a, &w.b]);
    let blobs = w
        .store
        .commit_blobs(vec![blob_file(&w.store, b"photo", &[&w.a, &w.b])])
        .unwrap();
    w.store
        .insert_report(NewReport {
            anonymity: Anonymity::Anonymous,
            urgency: Urgency::Standard,
            envelopes: vec![NewEnvelope {
                kind: EnvelopeKind::Report,
                ciphertext: envelope::seal(b"answers", &[w.a.to_public(), w.b.to_public()])
                    .unwrap(),
                recipients: both,
            }],
            source: None,
            blobs,
        })
        .unwrap()
}

fn status(w: &World, id: &str) -> amanat_core::api::RekeyStatus {
    let meta = w.store.report(id).unwrap().unwrap();
    let keys = w.store.current_keys().unwrap();
    let by_meta = keys.status_of(&meta);
    // The listing reads it through the store's references.
    assert_eq!(
        by_meta,
        w.store.rekey_status(id, &keys).unwrap(),
        "listing and detail disagree"
    );
    // The queue's count is kept per write: it agrees with a scan.
    let scanned = w.store.reports().unwrap();
    let scanned = scanned.iter().filter(|m| keys.status_of(m).needs_rekey());
    assert_eq!(
        w.store.count_needs_rekey(&keys).unwrap(),
        scanned.count() as u64,
        "kept count and scan disagree"
    );
    assert_eq!(w.store.derived_problems().unwrap(), Vec::<String>::new());
    by_meta
}

#[test]
fn removal_is_remembered_and_shows_in_the_status() {
    let w = world();
    let meta = report(&w);
    assert_eq!(
        meta.sealed_to(&meta.blobs[0]),
        Some(&spelled(&[&w.a, &w.b])[..]),
        "a file committed with the report is on record with its recipients"
    );
    let s = status(&w, &meta.id);
    assert_eq!((s.removed, s.classical), (0, 2));
    w.store.remove_reviewer("B").unwrap();
    assert_eq!(
        w.store.removed_recipients().unwrap(),
        spelled(&[&w.b]),
        "the key is kept, not the name"
    );
    let s = status(&w, &meta.id);
    assert_eq!((s.removed, s.classical), (2, 2));
    assert!(s.needs_rekey());
    // Enrolled again: no longer a removed key.
    w.store
        .add_reviewer(NewReviewer {
            name: "B again".into(),
            recipient: w.b.to_public().to_string(),
            roles: vec![Role::Triage],
        })
        .unwrap();
    assert!(w.store.removed_recipients().unwrap().is_empty());
    assert_eq!(status(&w, &meta.id).removed, 0);
}

#[test]
fn an_envelope_swap_needs_the_old_hash_and_is_all_or_nothing() {
    let w = world();
    let meta = report(&w);
    w.store.remove_reviewer("B").unwrap();
    let env = &meta.envelopes[0];
    let old = w.store.envelope(&env.id).unwrap().unwrap();
    let new = envelope::seal(b"answers", &[w.a.to_public()]).unwrap();
    let only_a = spelled(&[&w.a]);

    let wrong = sha256_hex(b"something else");
    let e = w
        .store
        .swap_envelope(&meta.id, &env.id, &wrong, &new, &only_a)
        .unwrap_err();
    assert!(matches!(&e, StoreError::Conflict(m) if m.contains("changed since you read it")));
    assert_eq!(
        w.store.envelope(&env.id).unwrap().unwrap(),
        old,
        "nothing swapped"
    );
    let still = w.store.report(&meta.id).unwrap().unwrap();
    assert_eq!(still.envelopes[0].recipients, spelled(&[&w.a, &w.b]));
    assert!(matches!(
        w.store
            .swap_envelope(&meta.id, "nosuchenvelope", &sha256_hex(&old), &new, &only_a),
        Err(StoreError::NotFound)
    ));

    let after = w
        .store
        .swap_envelope(&meta.id, &env.id, &sha256_hex(&old), &new, &only_a)
        .unwrap();
    assert_eq!(after.envelopes[0].recipients, only_a);
    assert_eq!(
        after.envelopes[0].day, env.day,
        "the envelope keeps its day"
    );
    assert_eq!(status(&w, &meta.id).removed, 1, "the file is still to do");
    // The old hash no longer matches: a second, stale swap is refused.
    assert!(matches!(
        w.store
            .swap_envelope(&meta.id, &env.id, &sha256_hex(&old), &new, &only_a),
        Err(StoreError::Conflict(_))
    ));
    let stored = w.store.envelope(&env.id).unwrap().unwrap();
    assert_eq!(&*envelope::open(&stored, &[&w.a]).unwrap(), b"answers");
    assert!(envelope::open(&stored, &[&w.b]).is_err(), "B is cut off");
}

#[test]
fn a_file_swap_checks_the_old_file_renames_and_leaves_no_temp() {
    let w = world();
    let meta = report(&w);
    w.store.remove_reviewer("B").unwrap();
    let blob = meta.blobs[0].clone();
    let path = w.store.blob_path(&blob).unwrap();
    let old = std::fs::read(&path).unwrap();
    let old_hash = sha256_hex(&old);
    let only_a = spelled(&[&w.a]);

    let staged = w.store.stage_rekey_blob().unwrap();
    {
        let mut wr = BlobWriter::new(staged.reopen().unwrap(), &[w.a.to_public()]).unwrap();
        wr.write_all(b"photo").unwrap();
        wr.finish().unwrap().0.sync_all().unwrap();
    }
    let e = w
        .store
        .swap_blob(&meta.id, &blob, &sha256_hex(b"x"), staged, &only_a)
        .unwrap_err();
    assert!(matches!(e, StoreError::Conflict(_)));
    assert_eq!(
        std::fs::read(&path).unwrap(),
        old,
        "the old file is untouched"
    );
    let leftovers = || {
        std::fs::read_dir(w.store.blobs_dir())
            .unwrap()
            .filter(|e| {
                e.as_ref()
                    .unwrap()
                    .file_name()
                    .to_string_lossy()
                    .starts_with('.')
            })
            .count()
    };
    assert_eq!(leftovers(), 0, "a refused swap removes its temporary file");

    let staged = w.store.stage_rekey_blob().unwrap();
    {
        let mut wr = BlobWriter::new(staged.reopen().unwrap(), &[w.a.to_public()]).unwrap();
        wr.write_all(b"photo").unwrap();
        wr.finish().unwrap().0.sync_all().unwrap();
    }
    let after = w
        .store
        .swap_blob(&meta.id, &blob, &old_hash, staged, &only_a)
        .unwrap();
    assert_eq!(after.sealed_to(&blob), Some(&only_a[..]));
    assert_eq!(leftovers(), 0);
    let sha = data_encoding::HEXLOWER.encode(&<sha2::Sha256 as sha2::Digest>::digest(b"photo"));
    let mut plain = Vec::new();
    open_blob(std::fs::File::open(&path).unwrap(), &w.a, 5, &sha)
        .unwrap()
        .read_to_end(&mut plain)
        .unwrap();
    assert_eq!(plain, b"photo");
    assert!(open_blob(std::fs::File::open(&path).unwrap(), &w.b, 5, &sha).is_err());
    assert_eq!(status(&w, &meta.id).removed, 1, "only the envelope is left");
    assert!(matches!(
        w.store.swap_blob(
            &meta.id,
            &"a".repeat(26),
            &old_hash,
            w.store.stage_rekey_blob().unwrap(),
            &only_a
        ),
        Err(StoreError::NotFound)
    ));
    let report = w.store.fsck(false).unwrap();
    assert!(report.clean(), "{report}");
}

#[test]
fn swaps_survive_reopening() {
    let dir = tempfile::tempdir().unwrap();
    let (id, env, blob, a) = {
        let w = world();
        let meta = report(&w);
        let env = meta.envelopes[0].id.clone();
        let old = w.store.envelope(&env).unwrap().unwrap();
        let new = envelope::seal(b"answers", &[w.a.to_public()]).unwrap();
        w.store
            .swap_envelope(&meta.id, &env, &sha256_hex(&old), &new, &spelled(&[&w.a]))
            .unwrap();
        // Move the whole data dir so the store is reopened from disk.
        let src = w._dir.path().to_path_buf();
        drop(w.store);
        for e in std::fs::read_dir(&src).unwrap() {
            let e = e.unwrap();
            std::fs::rename(e.path(), dir.path().join(e.file_name())).unwrap();
        }
        (meta.id, env, meta.blobs[0].clone(), w.a)
    };
    let store = Store::open(dir.path()).unwrap();
    let meta = store.report(&id).unwrap().unwrap();
    assert_eq!(meta.envelopes[0].recipients, spelled(&[&a]));
    let stored = store.envelope(&env).unwrap().unwrap();
    assert_eq!(&*envelope::open(&stored, &[&a]).unwrap(), b"answers");
    assert!(meta.sealed_to(&blob).is_some());
}

#[test]
fn files_without_recipients_on_record_need_rekeying() {
    let w = world();
    let blobs = w
        .store
        .commit_blobs(vec![blob_file(&w.store, b"old", &[&w.a])])
        .unwrap();
    // No report envelope to take the files' recipients from: as data
    // written before recipients were recorded.
    let meta = w
        .store
        .insert_report(NewReport {
            anonymity: Anonymity::Anonymous,
            urgency: Urgency::Standard,
            envelopes: vec![],
            source: None,
            blobs,
        })
        .unwrap();
    assert!(meta.blob_recipients.is_empty());
    let s = status(&w, &meta.id);
    assert_eq!((s.removed, s.classical), (1, 1));
}

#[test]
fn fsck_lists_and_removes_a_temporary_file_left_by_a_killed_swap() {
    let w = world();
    report(&w);
    let left = w.store.blobs_dir().join(format!("{REKEY_TEMP_PREFIX}abc"));
    std::fs::write(&left, b"half a file").unwrap();
    let found = w.store.fsck(false).unwrap();
    assert_eq!(found.problems.len(), 1, "{found}");
    assert!(
        found.problems.iter().all(Problem::repairable),
        "a leftover, not damage: {found}"
    );
    let repaired = w.store.fsck(true).unwrap();
    assert!(repaired.clean(), "{repaired}");
    assert!(!left.exists());
}
