//! Point-in-time copies of the whole store for `amanatd backup` and
//! `restore`: the write gate that every writer takes shared and a snapshot
//! takes exclusively, the snapshot itself, and its verification.

use super::{
    DB_DIR, EnvelopeRef, MIGRATION_BATCH, OLDEST_SCHEMA, ReportRecord, SCHEMA_VERSION, Store,
    StoreError, from_json,
};
use std::path::Path;
use std::sync::RwLockReadGuard;

impl Store {
    /// Taken (shared) by every method that writes, before its first write.
    /// Writers never wait for each other; they wait only while `snapshot`
    /// copies the trees, which makes a backup one point in time: a report is
    /// in it with all its envelopes, or not at all. Never take it twice in
    /// one call chain (std's RwLock may deadlock a reader behind a writer).
    pub(super) fn write_gate(&self) -> RwLockReadGuard<'_, ()> {
        match self.gate.read() {
            Ok(g) => g,
            Err(p) => p.into_inner(),
        }
    }

    /// A consistent copy of every tree (ciphertext and plaintext metadata
    /// only: this store holds nothing else). Writes wait while it is taken;
    /// the copy is in memory, so writers are held up for the time it takes
    /// to read the trees, not for the time it takes to write the backup.
    pub fn snapshot(&self) -> Result<Snapshot, StoreError> {
        let _exclusive = match self.gate.write() {
            Ok(g) => g,
            Err(p) => p.into_inner(),
        };
        let mut names = self.db.tree_names();
        names.sort();
        let mut trees = Vec::with_capacity(names.len());
        for name in names {
            let tree = self.db.open_tree(&name)?;
            let mut entries = Vec::with_capacity(tree.len());
            for item in tree.iter() {
                let (k, v) = item?;
                entries.push((k.to_vec(), v.to_vec()));
            }
            trees.push((name.to_vec(), entries));
        }
        Ok(Snapshot { trees })
    }

    /// Creates a store in `data_dir` from a snapshot. Refuses if a store is
    /// already there: a restore never overwrites data. The caller verifies
    /// the snapshot first. A snapshot of an older schema is migrated once
    /// restored (the backup file it came from is its backup).
    pub fn restore_snapshot(data_dir: &Path, snapshot: &Snapshot) -> Result<Store, StoreError> {
        if data_dir.join(DB_DIR).exists() {
            return Err(StoreError::Exists(data_dir.to_path_buf()));
        }
        {
            let store = Self::open_db(data_dir)?;
            for (name, entries) in &snapshot.trees {
                let tree = store.db.open_tree(name)?;
                let mut batch = sled::Batch::default();
                for (k, v) in entries {
                    batch.insert(k.as_slice(), v.as_slice());
                }
                tree.apply_batch(batch)?;
            }
            store.durable()?;
        }
        let store = Self::open_any(data_dir, super::DEFAULT_CACHE_BYTES)?;
        store.migrate(MIGRATION_BATCH)?;
        store.checked()
    }
}

/// One key and value of a tree.
pub type TreeEntry = (Vec<u8>, Vec<u8>);

/// Every tree of a store as (tree name, entries), sorted by name.
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

    /// The schema version the snapshot's `meta` records (0 if none).
    pub fn schema_version(&self) -> u32 {
        self.meta_value("schema_version")
            .and_then(|v| v.try_into().ok().map(u32::from_be_bytes))
            .unwrap_or(0)
    }

    fn meta_value(&self, key: &str) -> Option<&[u8]> {
        self.tree("meta")
            .unwrap_or_default()
            .iter()
            .find(|(k, _)| k.as_slice() == key.as_bytes())
            .map(|(_, v)| v.as_slice())
    }

    /// Checks what a restore needs: a schema version this binary knows or
    /// migrates from, an instance salt, and every report's envelopes
    /// (inline in schema 1, in `report_envelopes` since schema 2). Returns
    /// the report count.
    pub fn verify(&self) -> Result<usize, StoreError> {
        let found = self.schema_version();
        if !(OLDEST_SCHEMA..=SCHEMA_VERSION).contains(&found) {
            return Err(StoreError::Schema {
                found,
                expected: SCHEMA_VERSION,
            });
        }
        if self
            .meta_value("instance_salt")
            .is_none_or(|s| s.len() != 32)
        {
            return Err(StoreError::Corrupt {
                tree: "meta",
                detail: "the instance salt is missing".into(),
            });
        }
        let envelopes: std::collections::HashSet<&[u8]> = self
            .tree("envelopes")
            .unwrap_or_default()
            .iter()
            .map(|(k, _)| k.as_slice())
            .collect();
        let missing = |report: &str, e: &EnvelopeRef| StoreError::Corrupt {
            tree: "envelopes",
            detail: format!("report {report} lacks its envelope {}", e.id),
        };
        let reports = self.tree("reports").unwrap_or_default();
        for (_, v) in reports {
            let r: ReportRecord = from_json("reports", v)?;
            for e in r.envelopes.iter().flatten() {
                if !envelopes.contains(e.id.as_bytes()) {
                    return Err(missing(&r.id, e));
                }
            }
        }
        for (k, v) in self.tree("report_envelopes").unwrap_or_default() {
            let e: EnvelopeRef = from_json("report_envelopes", v)?;
            if !envelopes.contains(e.id.as_bytes()) {
                let report = super::refs::report_of(k).unwrap_or("(unknown)");
                return Err(missing(report, &e));
            }
        }
        Ok(reports.len())
    }
}
