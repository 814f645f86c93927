//! `amanatd backup` and `amanatd restore`. A backup is taken through the
//! running server's control socket when one runs, from the store otherwise,
//! and checked before it is called a backup; a restore verifies the file
//! (see [`super::archive`] for the format and its checks), never writes
//! into a data dir that already holds a store, and checks the restored
//! audit chain against the anchors given. [`migrate`] backs up an older
//! store before migrating it.

pub mod migrate;

use super::OpsError;
use super::archive::{decode, snapshot_bytes};
use crate::store::Store;
use std::io::Write;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

/// Summary of a backup or restore, for the operator.
#[derive(Debug, Clone, Copy)]
pub struct Summary {
    pub reports: usize,
    pub bytes: u64,
}

/// `amanatd backup`: writes a verified backup of `data_dir` to `out`,
/// through the running server if there is one.
pub fn backup(data_dir: &Path, out: &Path) -> Result<Summary, OpsError> {
    if out.exists() {
        return Err(OpsError::Backup(format!(
            "{} already exists; choose a new file name (a backup never overwrites a file)",
            out.display()
        )));
    }
    let bytes = match super::control::request(data_dir, super::control::BACKUP)? {
        Some(bytes) => bytes,
        None => snapshot_bytes(&Store::open(data_dir)?)?,
    };
    write_verified(&bytes, out)
}

/// Checks backup `bytes` and writes them to the new file `out` (0600,
/// fsynced, never over an existing file).
pub(crate) fn write_verified(bytes: &[u8], out: &Path) -> Result<Summary, OpsError> {
    // Check what we received before calling it a backup.
    let decoded = decode(bytes)?;
    let parent = match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let mut tmp = tempfile::Builder::new()
        .prefix(".amanat-backup-")
        .permissions(std::os::unix::fs::PermissionsExt::from_mode(0o600))
        .tempfile_in(&parent)
        .map_err(|e| OpsError::io(&parent, e))?;
    tmp.write_all(bytes)
        .and_then(|_| tmp.as_file().sync_all())
        .map_err(|e| OpsError::io(tmp.path(), e))?;
    tmp.persist_noclobber(out)
        .map_err(|e| OpsError::io(out, e.error))?;
    sync_dir(&parent);
    Ok(Summary {
        reports: decoded.reports,
        bytes: bytes.len() as u64,
    })
}

/// `amanatd restore`: verifies `input` and creates a new data dir from it.
/// Creates a new data directory from a backup. The restored audit chain
/// must verify and pass through every anchor given (entries reviewers saw,
/// `amanat audit anchors`); a chain rewritten by whoever held the backup
/// fails here.
pub fn restore(
    input: &Path,
    data_dir: &Path,
    anchors: &[amanat_core::audit::ExportedAnchor],
) -> Result<Summary, OpsError> {
    let bytes = std::fs::read(input).map_err(|e| OpsError::io(input, e))?;
    let backup = decode(&bytes)?;
    if data_dir.join(crate::store::DB_DIR).exists() {
        return Err(OpsError::Backup(format!(
            "{} already holds an Amanat store; restore only into a new, empty directory",
            data_dir.display()
        )));
    }
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(data_dir)
        .map_err(|e| OpsError::io(data_dir, e))?;
    for (name, _) in &backup.files {
        let path = data_dir.join(name);
        if path.exists() {
            return Err(OpsError::Backup(format!(
                "{} already exists; restore only into a new, empty directory",
                path.display()
            )));
        }
    }
    let store = Store::restore_snapshot(data_dir, &backup.snapshot)?;
    for (name, contents) in &backup.files {
        let path = data_dir.join(name);
        if let Some(parent) = path.parent().filter(|p| *p != data_dir) {
            std::fs::DirBuilder::new()
                .recursive(true)
                .mode(0o700)
                .create(parent)
                .map_err(|e| OpsError::io(parent, e))?;
        }
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&path)
            .map_err(|e| OpsError::io(&path, e))?;
        f.write_all(contents)
            .and_then(|_| f.sync_all())
            .map_err(|e| OpsError::io(&path, e))?;
    }
    sync_dir(data_dir);
    let entries = store.audit_entries()?;
    amanat_core::audit::verify_against(&entries, anchors).map_err(|e| {
        OpsError::Backup(format!(
            "restored, but the audit chain does not verify: {e}"
        ))
    })?;
    if store.report_count() != backup.reports {
        return Err(OpsError::Backup(format!(
            "restored {} reports where the backup holds {}",
            store.report_count(),
            backup.reports
        )));
    }
    Ok(Summary {
        reports: backup.reports,
        bytes: bytes.len() as u64,
    })
}

fn sync_dir(dir: &Path) {
    // Makes the new directory entries durable; failure only weakens
    // durability on a crash, the data itself was fsynced.
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ops::archive::{MAGIC, encode, is_expected_file};
    use crate::store::{EnvelopeKind, NewEnvelope, NewReport};
    use amanat_core::model::{Anonymity, Urgency};

    fn store_with_report() -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().unwrap();
        let s = Store::create(dir.path()).unwrap();
        s.insert_report(NewReport {
            source: None,
            blobs: Vec::new(),
            anonymity: Anonymity::Anonymous,
            urgency: Urgency::High,
            envelopes: vec![NewEnvelope {
                kind: EnvelopeKind::Report,
                ciphertext: b"sealed".to_vec(),
                recipients: vec!["age1x".into()],
            }],
        })
        .unwrap();
        std::fs::write(dir.path().join("amanat.toml"), "# cfg\n").unwrap();
        std::fs::create_dir_all(dir.path().join("blobs")).unwrap();
        std::fs::write(dir.path().join("blobs/abc"), "sealed blob").unwrap();
        (dir, s)
    }

    #[test]
    fn round_trip_and_restore_refuses_an_existing_store() {
        let (dir, s) = store_with_report();
        let bytes = snapshot_bytes(&s).unwrap();
        let b = decode(&bytes).unwrap();
        assert_eq!(b.reports, 1);
        assert_eq!(
            b.files,
            vec![
                ("amanat.toml".to_string(), b"# cfg\n".to_vec()),
                ("blobs/abc".to_string(), b"sealed blob".to_vec()),
            ]
        );
        let file = dir.path().join("b.amanat");
        std::fs::write(&file, &bytes).unwrap();
        let target = tempfile::tempdir().unwrap();
        let new = target.path().join("restored");
        assert_eq!(restore(&file, &new, &[]).unwrap().reports, 1);
        let e = restore(&file, &new, &[]).unwrap_err().to_string();
        assert!(e.contains("already holds an Amanat store"), "{e}");
        assert_eq!(
            std::fs::read(new.join("blobs/abc")).unwrap(),
            b"sealed blob"
        );
        let r = Store::open(&new).unwrap();
        let meta = r.reports().unwrap().pop().unwrap();
        assert_eq!(
            r.envelope(&meta.envelopes[0].id).unwrap().unwrap(),
            b"sealed"
        );
    }

    #[test]
    fn damage_truncation_and_other_versions_are_refused() {
        let (_dir, s) = store_with_report();
        let bytes = snapshot_bytes(&s).unwrap();
        let mut flipped = bytes.clone();
        let mid = flipped.len() / 2;
        flipped[mid] ^= 1;
        let e = decode(&flipped).unwrap_err().to_string();
        assert!(e.contains("checksum"), "{e}");
        for n in [0, 10, MAGIC.len() + 3, bytes.len() - 1] {
            assert!(decode(&bytes[..n]).is_err(), "truncated at {n}");
        }
        let mut v2 = bytes.clone();
        v2[MAGIC.len() + 3] = 2;
        let e = decode(&v2).unwrap_err().to_string();
        assert!(e.contains("format version 2"), "{e}");
    }

    #[test]
    fn only_expected_file_names_are_accepted() {
        assert!(is_expected_file("amanat.toml"));
        assert!(is_expected_file("blobs/ABC234"));
        for bad in [
            "../x",
            "/etc/passwd",
            "blobs/../x",
            "blobs/a/b",
            "blobs/",
            "other",
            "blobs",
        ] {
            assert!(!is_expected_file(bad), "{bad}");
        }
    }

    #[test]
    fn a_report_without_its_envelope_is_refused() {
        let (_dir, s) = store_with_report();
        let mut snap = s.snapshot().unwrap();
        for (name, entries) in &mut snap.trees {
            if name.as_slice() == b"envelopes" {
                entries.clear();
            }
        }
        let bytes = encode(&snap, &[]).unwrap();
        let e = decode(&bytes).unwrap_err().to_string();
        assert!(e.contains("lacks its envelope"), "{e}");
    }
}
