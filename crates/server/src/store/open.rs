//! Opening a store: creating the layout, sled's lock (waiting briefly for a
//! handle that is closing, `Locked` for a running server), the schema check,
//! and the sync rounds that make every acknowledged write durable.

use super::{
    BLOBS_DIR, DB_DIR, DEFAULT_CACHE_BYTES, LOCK_POLL, LOCK_WAIT, SCHEMA_VERSION, SLED_VALUES_DIR,
    Store, StoreError, durable, sync_dir,
};
use std::os::unix::fs::DirBuilderExt;
use std::path::Path;
use std::sync::{Mutex, RwLock};

impl Store {
    /// Creates a new store in `data_dir` (which must exist).
    pub fn create(data_dir: &Path) -> Result<Store, StoreError> {
        let db_path = data_dir.join(DB_DIR);
        if db_path.exists() {
            return Err(StoreError::Exists(data_dir.to_path_buf()));
        }
        let store = Self::open_db(data_dir)?;
        store
            .meta
            .insert("schema_version", &SCHEMA_VERSION.to_be_bytes())?;
        let mut salt = [0u8; 32];
        amanat_core::crypto::random::fill(&mut salt);
        store.meta.insert("instance_salt", &salt)?;
        store.durable()?;
        // The data dir's own entry, made by whoever created it. A parent we
        // may not open (not readable by this user) cannot be fsynced by us;
        // whoever created the data dir there has to.
        let parent = match data_dir.parent() {
            Some(p) if !p.as_os_str().is_empty() => p,
            _ => Path::new("."),
        };
        match sync_dir(parent) {
            Err(e) if e.kind() == std::io::ErrorKind::PermissionDenied => {}
            r => r?,
        }
        Ok(store)
    }

    /// Opens an existing store, checking its schema version.
    pub fn open(data_dir: &Path) -> Result<Store, StoreError> {
        Self::open_with_cache(data_dir, DEFAULT_CACHE_BYTES)
    }

    /// Opens an existing store with a page cache of about `cache_bytes`
    /// (`limits.store_cache_bytes` for the server), checking its schema.
    pub fn open_with_cache(data_dir: &Path, cache_bytes: u64) -> Result<Store, StoreError> {
        Self::open_any(data_dir, cache_bytes)?.checked()
    }

    /// Opens an existing store whatever its schema, without clean-up: for
    /// the migration (see `migrate`), which then calls [`Store::checked`].
    pub fn open_any(data_dir: &Path, cache_bytes: u64) -> Result<Store, StoreError> {
        if !data_dir.join(DB_DIR).is_dir() {
            return Err(StoreError::Missing(data_dir.to_path_buf()));
        }
        Self::open_db_with_cache(data_dir, cache_bytes)
    }

    /// The store, if its schema is the one this binary writes and no
    /// migration is under way; temporary upload files left by a crash are
    /// removed on the way.
    pub fn checked(self) -> Result<Store, StoreError> {
        let found = self.schema_version()?;
        // A migration writes the new version last: a store whose migration
        // was interrupted still shows the old one.
        if found != SCHEMA_VERSION {
            return Err(StoreError::Schema {
                found,
                expected: SCHEMA_VERSION,
            });
        }
        self.remove_stale_uploads()?;
        Ok(self)
    }

    /// The schema version in `meta` (0 when it is missing).
    pub fn schema_version(&self) -> Result<u32, StoreError> {
        Ok(self
            .meta
            .get("schema_version")?
            .and_then(|v| v.as_ref().try_into().ok().map(u32::from_be_bytes))
            .unwrap_or(0))
    }

    pub(super) fn open_db(data_dir: &Path) -> Result<Store, StoreError> {
        Self::open_db_with_cache(data_dir, DEFAULT_CACHE_BYTES)
    }

    fn open_db_with_cache(data_dir: &Path, cache_bytes: u64) -> Result<Store, StoreError> {
        let blobs = data_dir.join(BLOBS_DIR);
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(&blobs)?;
        // A store that another handle is closing (a server that just
        // stopped, a command that just finished) keeps its lock until sled's
        // background threads have ended: wait a moment for it rather than
        // refuse at once. A running server holds it for good: `Locked`.
        let mut waited = std::time::Duration::ZERO;
        let db = loop {
            let opened = sled::Config::new()
                .path(data_dir.join(DB_DIR))
                .mode(sled::Mode::HighThroughput)
                .cache_capacity(cache_bytes)
                .open();
            match opened {
                Ok(db) => break db,
                Err(sled::Error::Io(ref io))
                    if io.to_string().contains("could not acquire lock") =>
                {
                    if waited >= LOCK_WAIT {
                        return Err(StoreError::Locked(data_dir.to_path_buf()));
                    }
                    std::thread::sleep(LOCK_POLL);
                    waited += LOCK_POLL;
                }
                Err(e) => return Err(StoreError::Db(e)),
            }
        };
        let db_dir = data_dir.join(DB_DIR);
        let log_file = std::fs::File::open(db_dir.join("db"))?;
        // What sled wrote when it opened (its `conf` on creation, its
        // directories) and our own layout, made durable once.
        if let Ok(conf) = std::fs::File::open(db_dir.join("conf")) {
            conf.sync_all()?;
        }
        sync_dir(&db_dir.join(SLED_VALUES_DIR))?;
        sync_dir(&db_dir)?;
        sync_dir(&blobs)?;
        sync_dir(data_dir)?;
        Ok(Store {
            reports: db.open_tree("reports")?,
            envelopes: db.open_tree("envelopes")?,
            envelope_refs: db.open_tree("report_envelopes")?,
            blob_refs: db.open_tree("report_blobs")?,
            counts: db.open_tree("queue_counts")?,
            order: db.open_tree("queue_order")?,
            recipient_sets: db.open_tree("recipient_sets")?,
            sealing_counts: db.open_tree("sealing_counts")?,
            reviewers: db.open_tree("reviewers")?,
            sources: db.open_tree("sources")?,
            audit: db.open_tree("audit")?,
            grants: db.open_tree("grants")?,
            meta: db.open_tree("meta")?,
            db,
            dir: data_dir.to_path_buf(),
            audit_lock: Mutex::new(()),
            gate: RwLock::new(()),
            set_cache: Default::default(),
            group: durable::GroupCommit::default(),
            log_file,
            synced_values: Mutex::new(Default::default()),
        })
    }

    /// The data directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Makes every write committed so far durable (see [`Store::durable`]).
    pub fn flush(&self) -> Result<(), StoreError> {
        self.durable()
    }

    /// Returns once every write committed before this call is on disk: a
    /// sync round (sled's flush, then `fsync` of each file and directory it
    /// may have touched) that started after the call has finished. Writers
    /// calling it at the same time share one round. Every method here that
    /// writes calls it before returning; nothing may be acknowledged before.
    pub fn durable(&self) -> Result<(), StoreError> {
        self.group
            .wait(|| self.sync_files())
            .map_err(StoreError::NotDurable)
    }

    /// How many sync rounds ran since the store was opened (for tests and
    /// benchmarks: fewer rounds than writes means writers shared them).
    pub fn sync_rounds(&self) -> u64 {
        self.group.rounds()
    }

    /// One sync round. Only `durable` calls it, one round at a time.
    fn sync_files(&self) -> std::io::Result<()> {
        self.db.flush().map_err(std::io::Error::other)?;
        self.log_file.sync_data()?;
        let db_dir = self.dir.join(DB_DIR);
        let values = db_dir.join(SLED_VALUES_DIR);
        let mut synced = match self.synced_values.lock() {
            Ok(g) => g,
            Err(p) => p.into_inner(),
        };
        let mut present = std::collections::HashSet::new();
        let mut changed = false;
        for entry in std::fs::read_dir(&values)? {
            let entry = entry?;
            let name = entry.file_name();
            if !synced.contains(&name) {
                match std::fs::File::open(entry.path()) {
                    Ok(f) => f.sync_all()?,
                    // sled removed it since the listing: nothing to keep.
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
                    Err(e) => return Err(e),
                }
                changed = true;
            }
            present.insert(name);
        }
        // A removal is a change to the directory too.
        changed |= synced.iter().any(|n| !present.contains(n));
        if changed {
            sync_dir(&values)?;
        }
        *synced = present;
        sync_dir(&db_dir)
    }

    /// The instance salt (random, per installation).
    pub fn instance_salt(&self) -> Result<Vec<u8>, StoreError> {
        Ok(self
            .meta
            .get("instance_salt")?
            .map(|v| v.to_vec())
            .unwrap_or_default())
    }
}
