//! Encrypted attachment files in `blobs/`: committing staged uploads
//! durably, naming them by id, removing them. The files hold age ciphertext
//! only; `intake::upload` encrypts and fsyncs them before they arrive here.

use super::{BLOBS_DIR, Store, StoreError, sync_dir};
use std::path::PathBuf;

impl Store {
    /// The directory of encrypted attachment files.
    pub fn blobs_dir(&self) -> PathBuf {
        self.dir.join(BLOBS_DIR)
    }

    /// Makes staged (already encrypted) upload files durable blobs: each is
    /// renamed to a random id, then the directory is fsynced. Returns the
    /// ids in order. On error, the blobs renamed so far are removed.
    pub fn commit_blobs(
        &self,
        staged: Vec<tempfile::NamedTempFile>,
    ) -> Result<Vec<String>, StoreError> {
        let _gate = self.write_gate();
        let dir = self.blobs_dir();
        let mut ids = Vec::with_capacity(staged.len());
        for t in staged {
            let id = amanat_core::crypto::random::id();
            if let Err(e) = t.persist_noclobber(dir.join(&id)) {
                self.remove_blobs(&ids);
                return Err(StoreError::Io(e.error));
            }
            ids.push(id);
        }
        if let Err(e) = std::fs::File::open(&dir).and_then(|d| d.sync_all()) {
            self.remove_blobs(&ids);
            return Err(StoreError::Io(e));
        }
        Ok(ids)
    }

    /// The path of a blob, if the id is well formed.
    pub fn blob_path(&self, id: &str) -> Option<PathBuf> {
        amanat_core::crypto::random::is_id(id).then(|| self.blobs_dir().join(id))
    }

    /// Removes blobs (best effort: used to undo a failed submission).
    pub fn remove_blobs(&self, ids: &[String]) {
        for id in ids {
            if let Some(p) = self.blob_path(id) {
                let _ = std::fs::remove_file(p);
            }
        }
        let _ = std::fs::File::open(self.blobs_dir()).and_then(|d| d.sync_all());
    }

    /// Deletes temporary upload files left by a crash: no upload can be in
    /// progress while the store is being opened.
    pub(super) fn remove_stale_uploads(&self) -> Result<(), StoreError> {
        let mut removed = false;
        for entry in std::fs::read_dir(self.blobs_dir())? {
            let entry = entry?;
            if entry.file_name().to_string_lossy().starts_with(".upload-") {
                std::fs::remove_file(entry.path())?;
                removed = true;
            }
        }
        // Otherwise a power cut could bring them back for the next start.
        if removed {
            sync_dir(&self.blobs_dir())?;
        }
        Ok(())
    }
}
