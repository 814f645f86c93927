//! `amanatd backup` and `amanatd restore`. A backup is taken through the
//! running server's control socket when one runs, from the store otherwise,
//! streamed into a temporary file beside the target and checked there
//! before it is renamed into place and called a backup; a restore
//! ([`restore`]) verifies the file (see [`super::archive`] for the format
//! and its checks), never writes into a data dir that already holds a
//! store, and checks the restored audit chain against the anchors given.
//! [`migrate`] backs up an older store before migrating it.
//!
//! Memory stays bounded at any store size (sled's own page cache aside,
//! see docs/operations.md): the backup is written as the trees are read and
//! checked by reading the file back, one entry at a time (a scratch
//! database beside the file remembers envelope ids, see
//! [`crate::store::Check`]). Writes to the store wait while its trees are
//! copied, because the copy holds the store's write gate exclusively (that
//! is what makes it one point in time); they do not wait while attachments
//! are copied or the file is checked. Measured through a running server
//! with 100,000 reports (490 MB of trees, debug build, 2 shared cores):
//! writes waited 1.7 to 1.9 s, the time to read the trees from sled and
//! hand them to the socket; it grows linearly with the store. The server
//! logs the figure for every backup. A writer never loses its write: it
//! waits for the gate, then goes on.

pub mod migrate;
mod restore;

pub use restore::restore;

use super::OpsError;
use super::archive::{Decoder, FileSink, write_store};
use crate::store::{Check, Store};
use std::fs::File;
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
    let mut from_server = false;
    let written = write_verified(out, |file| {
        from_server = super::control::request_into(data_dir, super::control::BACKUP, file)?;
        if !from_server {
            write_store(&Store::open(data_dir)?, file)?;
        }
        Ok(())
    });
    written.map_err(|e| match e {
        OpsError::Backup(msg) if from_server => OpsError::Backup(format!(
            "the backup the server sent is not usable ({msg}); see the server's log"
        )),
        e => e,
    })
}

/// Writes a backup with `fill` into a new temporary file beside `out`
/// (mode 0600), fsyncs it, reads it back to check it, and only then renames
/// it to `out` (never over an existing file). Nothing is left behind on
/// failure.
pub(crate) fn write_verified(
    out: &Path,
    fill: impl FnOnce(&mut File) -> Result<(), OpsError>,
) -> Result<Summary, OpsError> {
    let parent = match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let mut tmp = tempfile::Builder::new()
        .prefix(".amanat-backup-")
        .permissions(std::os::unix::fs::PermissionsExt::from_mode(0o600))
        .tempfile_in(&parent)
        .map_err(|e| OpsError::io(&parent, e))?;
    fill(tmp.as_file_mut())?;
    tmp.as_file()
        .sync_all()
        .map_err(|e| OpsError::io(tmp.path(), e))?;
    // Check what we wrote before calling it a backup.
    let summary = verify_file(tmp.path(), &parent, &mut |_, _, _| Ok(()))?;
    tmp.persist_noclobber(out)
        .map_err(|e| OpsError::io(out, e.error))?;
    sync_dir(&parent);
    Ok(summary)
}

/// Checks a backup file in two passes, with bounded memory: the checksum
/// first (so that no length in a damaged file is trusted), then every
/// record (order, schema, salt, every report's envelopes; a scratch
/// database for the envelope ids goes in `scratch_parent`). Each file
/// record is shown to `files`.
pub(crate) fn verify_file(
    path: &Path,
    scratch_parent: &Path,
    files: &mut FileSink,
) -> Result<Summary, OpsError> {
    let open = || File::open(path).map_err(|e| OpsError::io(path, e));
    let f = open()?;
    let len = f.metadata().map_err(|e| OpsError::io(path, e))?.len();
    Decoder::new(f)?.verify_checksum(len)?;
    let mut check = Check::new(scratch_parent)?;
    let decoded = Decoder::new(open()?)?.read_into(&mut check, files)?;
    Ok(Summary {
        reports: check.finish()?,
        bytes: decoded.bytes,
    })
}

/// Makes the new directory entries durable; failure only weakens
/// durability on a crash, the data itself was fsynced.
fn sync_dir(dir: &Path) {
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
}

#[cfg(test)]
mod tests;
