//! Point-in-time copies of the whole store for `amanatd backup` and
//! `restore`, streamed one entry at a time so that memory stays bounded at
//! any store size: the write gate that every writer takes shared and an
//! export takes exclusively, the export itself ([`Store::export`]), the
//! checks a restore needs ([`Check`]) and the restore ([`Restoring`]). All
//! three meet at [`TreeSink`]: the store feeds one while it exports, the
//! backup decoder feeds one while it reads a file.
//!
//! [`Snapshot`] collects a whole store in memory: only for tests and small
//! inspections, never for a backup.

use super::{
    DB_DIR, EnvelopeRef, MIGRATION_BATCH, OLDEST_SCHEMA, ReportRecord, SCHEMA_VERSION, Store,
    StoreError, from_json,
};
use std::path::Path;
use std::sync::RwLockReadGuard;

/// A restore writes its entries to sled in batches of about this many
/// bytes: large enough to amortise a batch, small enough to keep memory
/// flat whatever the store's size.
const RESTORE_BATCH_BYTES: usize = 4 << 20;

/// The page cache of the scratch database that [`Check`] keeps envelope
/// ids in; the ids themselves go to disk.
const SCRATCH_CACHE_BYTES: u64 = 8 << 20;

/// Receives a store's entries in order: tree names ascending, keys
/// ascending within a tree (sled's byte order).
pub trait TreeSink {
    type Error: From<StoreError>;
    /// Called once, before the first entry, with the store's schema.
    fn begin(&mut self, schema: u32) -> Result<(), Self::Error>;
    /// One key and value of tree `tree`.
    fn entry(&mut self, tree: &[u8], key: &[u8], value: &[u8]) -> Result<(), Self::Error>;
}

impl Store {
    /// Taken (shared) by every method that writes, before its first write.
    /// Writers never wait for each other; they wait only while `export`
    /// reads the trees, which makes a backup one point in time: a report is
    /// in it with all its envelopes, or not at all. Never take it twice in
    /// one call chain (std's RwLock may deadlock a reader behind a writer).
    pub(super) fn write_gate(&self) -> RwLockReadGuard<'_, ()> {
        match self.gate.read() {
            Ok(g) => g,
            Err(p) => p.into_inner(),
        }
    }

    /// Feeds every entry of every tree the store has (whatever their names;
    /// ciphertext and plaintext metadata only: this store holds nothing
    /// else) to `sink`, one at a time, under the exclusive write gate:
    /// writes wait until the last entry has been handed over, so the sink
    /// should be quick (a buffered file or socket) and must not write to
    /// this store.
    pub fn export<S: TreeSink>(&self, sink: &mut S) -> Result<(), S::Error> {
        let _exclusive = match self.gate.write() {
            Ok(g) => g,
            Err(p) => p.into_inner(),
        };
        sink.begin(self.schema_version()?)?;
        let mut names = self.db.tree_names();
        names.sort();
        for name in names {
            let tree = self.db.open_tree(&name).map_err(StoreError::from)?;
            for item in tree.iter() {
                let (k, v) = item.map_err(StoreError::from)?;
                sink.entry(&name, &k, &v)?;
            }
        }
        Ok(())
    }

    /// A consistent copy of every tree, in memory (see [`Snapshot`]).
    pub fn snapshot(&self) -> Result<Snapshot, StoreError> {
        let mut snapshot = Snapshot::default();
        self.export(&mut snapshot)?;
        Ok(snapshot)
    }

    /// Starts a new store in `data_dir` for a restore. Refuses if a store
    /// is already there: a restore never overwrites data. The caller checks
    /// the backup first ([`Check`]).
    pub fn restore_into(data_dir: &Path) -> Result<Restoring, StoreError> {
        if data_dir.join(DB_DIR).exists() {
            return Err(StoreError::Exists(data_dir.to_path_buf()));
        }
        Ok(Restoring {
            store: Self::open_db(data_dir)?,
            tree: None,
            batch: sled::Batch::default(),
            batch_bytes: 0,
        })
    }
}

/// A store being restored entry by entry, in batches.
pub struct Restoring {
    store: Store,
    tree: Option<(Vec<u8>, sled::Tree)>,
    batch: sled::Batch,
    batch_bytes: usize,
}

impl Restoring {
    /// Writes what is left, makes it durable and opens the store; a store
    /// of an older schema is migrated (the backup file it came from is its
    /// backup).
    pub fn finish(mut self) -> Result<Store, StoreError> {
        self.apply()?;
        self.store.durable()?;
        let data_dir = self.store.dir().to_path_buf();
        drop(self);
        let store = Store::open_any(&data_dir, super::DEFAULT_CACHE_BYTES)?;
        store.migrate(MIGRATION_BATCH)?;
        store.checked()
    }

    fn apply(&mut self) -> Result<(), StoreError> {
        if let Some((_, tree)) = &self.tree {
            tree.apply_batch(std::mem::take(&mut self.batch))?;
        }
        self.batch_bytes = 0;
        Ok(())
    }
}

impl TreeSink for Restoring {
    type Error = StoreError;
    fn begin(&mut self, _schema: u32) -> Result<(), StoreError> {
        Ok(())
    }
    fn entry(&mut self, tree: &[u8], key: &[u8], value: &[u8]) -> Result<(), StoreError> {
        if self.tree.as_ref().is_none_or(|(name, _)| name != tree) {
            self.apply()?;
            self.tree = Some((tree.to_vec(), self.store.db.open_tree(tree)?));
        }
        self.batch.insert(key, value);
        self.batch_bytes += key.len() + value.len();
        if self.batch_bytes >= RESTORE_BATCH_BYTES {
            self.apply()?;
        }
        Ok(())
    }
}

/// What a restore needs, checked one entry at a time: entries in order (so
/// that a tree is complete once the next begins), a schema version this
/// binary knows or migrates from, the same one in the header and in
/// `meta`, an instance salt, and every report's envelopes (inline in
/// schema 1, in `report_envelopes` since schema 2).
///
/// The envelope check must remember every envelope id until the
/// references are read. A set in memory would grow with the store (tens of
/// MiB at a million reports), so the ids go to a scratch sled database in
/// a temporary directory (page cache [`SCRATCH_CACHE_BYTES`]), removed when
/// the check ends. The ids are random and name no person; the directory is
/// made beside the backup or the restored store, which hold them anyway.
/// Tree names sort `envelopes` < `meta` < `report_envelopes` < `reports`,
/// and the order is enforced, so the ids are all in before the first
/// reference is checked.
pub struct Check {
    header_schema: u32,
    meta_schema: Option<u32>,
    salt: bool,
    reports: usize,
    last: Option<(Vec<u8>, Vec<u8>)>,
    ids: sled::Db,
    _scratch: tempfile::TempDir,
}

impl Check {
    /// A check whose scratch directory goes in `scratch_parent`.
    pub fn new(scratch_parent: &Path) -> Result<Check, StoreError> {
        let scratch = tempfile::Builder::new()
            .prefix(".amanat-check-")
            .tempdir_in(scratch_parent)?;
        let ids = sled::Config::new()
            .path(scratch.path().join("ids"))
            .temporary(true)
            .mode(sled::Mode::LowSpace)
            .cache_capacity(SCRATCH_CACHE_BYTES)
            .flush_every_ms(None)
            .open()?;
        Ok(Check {
            header_schema: 0,
            meta_schema: None,
            salt: false,
            reports: 0,
            last: None,
            ids,
            _scratch: scratch,
        })
    }

    /// The result once every entry has been seen: the report count.
    pub fn finish(self) -> Result<usize, StoreError> {
        let found = self.meta_schema.unwrap_or(0);
        if !(OLDEST_SCHEMA..=SCHEMA_VERSION).contains(&found) {
            return Err(StoreError::Schema {
                found,
                expected: SCHEMA_VERSION,
            });
        }
        if found != self.header_schema {
            return Err(corrupt(
                "meta",
                format!(
                    "the header says schema {}, the store says {found}",
                    self.header_schema
                ),
            ));
        }
        if !self.salt {
            return Err(corrupt("meta", "the instance salt is missing".into()));
        }
        Ok(self.reports)
    }

    fn has_envelope(&self, report: &str, e: &EnvelopeRef) -> Result<(), StoreError> {
        if self.ids.contains_key(e.id.as_bytes())? {
            return Ok(());
        }
        Err(corrupt(
            "envelopes",
            format!("report {report} lacks its envelope {}", e.id),
        ))
    }

    fn in_order(&mut self, tree: &[u8], key: &[u8]) -> Result<(), StoreError> {
        let ordered = match &self.last {
            None => true,
            Some((t, k)) => (t.as_slice(), k.as_slice()) < (tree, key),
        };
        if !ordered {
            return Err(corrupt(
                "(backup)",
                "the entries are not in store order".into(),
            ));
        }
        match &mut self.last {
            Some((t, k)) if t.as_slice() == tree => {
                k.clear();
                k.extend_from_slice(key);
            }
            last => *last = Some((tree.to_vec(), key.to_vec())),
        }
        Ok(())
    }
}

impl TreeSink for Check {
    type Error = StoreError;
    fn begin(&mut self, schema: u32) -> Result<(), StoreError> {
        self.header_schema = schema;
        Ok(())
    }
    fn entry(&mut self, tree: &[u8], key: &[u8], value: &[u8]) -> Result<(), StoreError> {
        self.in_order(tree, key)?;
        match tree {
            b"envelopes" => {
                self.ids.insert(key, &[])?;
            }
            b"meta" if key == b"schema_version" => {
                self.meta_schema = Some(value.try_into().map(u32::from_be_bytes).unwrap_or(0));
            }
            b"meta" if key == b"instance_salt" => self.salt = value.len() == 32,
            b"reports" => {
                let r: ReportRecord = from_json("reports", value)?;
                for e in r.envelopes.iter().flatten() {
                    self.has_envelope(&r.id, e)?;
                }
                self.reports += 1;
            }
            b"report_envelopes" => {
                let e: EnvelopeRef = from_json("report_envelopes", value)?;
                self.has_envelope(super::refs::report_of(key).unwrap_or("(unknown)"), &e)?;
            }
            _ => {}
        }
        Ok(())
    }
}

fn corrupt(tree: &'static str, detail: String) -> StoreError {
    StoreError::Corrupt { tree, detail }
}

/// One key and value of a tree.
pub type TreeEntry = (Vec<u8>, Vec<u8>);

/// Every tree of a store as (tree name, entries), sorted by name; held in
/// memory, so only for tests and small inspections.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Snapshot {
    pub trees: Vec<(Vec<u8>, Vec<TreeEntry>)>,
}

impl Snapshot {
    /// The entries of one tree, if present.
    pub fn tree(&self, name: &str) -> Option<&[TreeEntry]> {
        self.trees
            .iter()
            .find(|(n, _)| n.as_slice() == name.as_bytes())
            .map(|(_, e)| e.as_slice())
    }
}

impl TreeSink for Snapshot {
    type Error = StoreError;
    fn begin(&mut self, _schema: u32) -> Result<(), StoreError> {
        Ok(())
    }
    fn entry(&mut self, tree: &[u8], key: &[u8], value: &[u8]) -> Result<(), StoreError> {
        let entry = (key.to_vec(), value.to_vec());
        match self.trees.last_mut() {
            Some((name, entries)) if name.as_slice() == tree => entries.push(entry),
            _ => self.trees.push((tree.to_vec(), vec![entry])),
        }
        Ok(())
    }
}
