//! `amanatd restore`: a new data directory from a backup file, with bounded
//! memory. The file is read three times: its checksum, then every record
//! checked (nothing is written until both pass), then the records written:
//! tree entries in batches into the new store, files one at a time through
//! a bounded buffer, each created new with mode 0600 and fsynced. The last
//! pass checks the checksum again, so a file changed in between is caught.

use super::{Summary, sync_dir, verify_file};
use crate::ops::OpsError;
use crate::ops::archive::Decoder;
use crate::store::{DB_DIR, Store};
use std::fs::File;
use std::io::Read;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::Path;

/// Creates a new data directory from a backup. The restored audit chain
/// must verify and pass through every anchor given (entries reviewers saw,
/// `amanat audit anchors`); a chain rewritten by whoever held the backup
/// fails here.
pub fn restore(
    input: &Path,
    data_dir: &Path,
    anchors: &[amanat_core::audit::ExportedAnchor],
) -> Result<Summary, OpsError> {
    if data_dir.join(DB_DIR).exists() {
        return Err(OpsError::Backup(format!(
            "{} already holds an Amanat store; restore only into a new, empty directory",
            data_dir.display()
        )));
    }
    let created = !data_dir.exists();
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(data_dir)
        .map_err(|e| OpsError::io(data_dir, e))?;
    let verified = verify_file(input, data_dir, &mut |name, _, _| {
        let path = data_dir.join(name);
        match path.exists() {
            true => Err(OpsError::Backup(format!(
                "{} already exists; restore only into a new, empty directory",
                path.display()
            ))),
            false => Ok(()),
        }
    });
    let verified = match verified {
        Ok(v) => v,
        Err(e) => {
            if created {
                // Nothing was written: leave no empty directory behind.
                let _ = std::fs::remove_dir(data_dir);
            }
            return Err(e);
        }
    };
    let mut restoring = Store::restore_into(data_dir)?;
    let written = File::open(input)
        .map_err(|e| OpsError::io(input, e))
        .and_then(Decoder::new)
        .and_then(|d| {
            d.read_into(&mut restoring, &mut |name, _, contents| {
                write_new(&data_dir.join(name), data_dir, contents)
            })
        })
        .and_then(|_| Ok(restoring.finish()?));
    let store = written.map_err(|e| {
        OpsError::Backup(format!(
            "the restore into {} stopped part way: {e}; remove that directory before \
             restoring again",
            data_dir.display()
        ))
    })?;
    sync_dir(&data_dir.join(crate::store::BLOBS_DIR));
    sync_dir(data_dir);
    let entries = store.audit_entries()?;
    amanat_core::audit::verify_against(&entries, anchors).map_err(|e| {
        OpsError::Backup(format!(
            "restored, but the audit chain does not verify: {e}"
        ))
    })?;
    if store.report_count() != verified.reports {
        return Err(OpsError::Backup(format!(
            "restored {} reports where the backup holds {}",
            store.report_count(),
            verified.reports
        )));
    }
    Ok(verified)
}

/// Creates `path` (never over an existing file) with `contents`, fsynced.
fn write_new(path: &Path, data_dir: &Path, contents: &mut dyn Read) -> Result<(), OpsError> {
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
        .open(path)
        .map_err(|e| OpsError::io(path, e))?;
    std::io::copy(contents, &mut f)
        .and_then(|_| f.sync_all())
        .map_err(|e| OpsError::io(path, e))?;
    Ok(())
}
