//! Migration to schema 3. From schema 1, each report's inline envelope and
//! attachment lists move to the reference trees (see `refs`), and the
//! queue counts are built as the reports go by (that much is schema 2).
//! Then, from schema 1 or 2, the trees derived from the reports are built
//! (the queue order and the sealing summaries: see `derived`).
//!
//! Reports are migrated in batches of a fixed number, in key order; each
//! batch is one transaction that also records, in `meta`, the last report
//! it converted, and is made durable before the next begins. Memory is
//! bounded by the batch, not by the number of reports. An interrupted
//! migration (kill, power cut) resumes after the last durable batch; the
//! schema version is changed last, so until then no writer opens the store.
//! The caller backs the store up before a migration starts (the server does
//! at start-up: `ops::backup::migrate`). Nothing here decrypts anything.

use super::{
    OLDEST_SCHEMA, ReportRecord, SCHEMA_VERSION, Store, StoreError, counts, from_json, refs,
    to_json, tx_err,
};
use sled::Transactional;
use sled::transaction::ConflictableTransactionError;

/// Reports converted per transaction.
pub const MIGRATION_BATCH: usize = 256;

/// `meta` key: the schema a migration under way started from.
const FROM: &str = "migrating_from";
/// `meta` key: the id of the last report a migration under way converted.
const DONE_UP_TO: &str = "migrated_up_to";

/// What opening found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Migration {
    /// The schema this binary writes: nothing to do.
    Current,
    /// An older schema, not yet touched: back it up, then migrate.
    Needed { from: u32 },
    /// A migration that was interrupted: finish it (the backup exists).
    Interrupted { from: u32 },
}

impl Store {
    /// Whether this store needs a migration; `Schema` for a version this
    /// binary does not know (newer, or older than it migrates from).
    pub fn migration(&self) -> Result<Migration, StoreError> {
        let found = self.schema_version()?;
        if let Some(from) = self.meta.get(FROM)? {
            let from = from
                .as_ref()
                .try_into()
                .map(u32::from_be_bytes)
                .unwrap_or(found);
            return Ok(Migration::Interrupted { from });
        }
        match found {
            SCHEMA_VERSION => Ok(Migration::Current),
            f if (OLDEST_SCHEMA..SCHEMA_VERSION).contains(&f) => Ok(Migration::Needed { from: f }),
            f => Err(StoreError::Schema {
                found: f,
                expected: SCHEMA_VERSION,
            }),
        }
    }

    /// Migrates the store to [`SCHEMA_VERSION`], `batch` reports per
    /// durable transaction; resumes an interrupted migration. Returns how
    /// many reports this call converted. Does nothing on a current store.
    pub fn migrate(&self, batch: usize) -> Result<usize, StoreError> {
        self.migrate_batches(batch, usize::MAX)
    }

    /// [`Store::migrate`], stopping unfinished after `max_batches` batches
    /// (as an interruption would: for tests).
    pub(super) fn migrate_batches(
        &self,
        batch: usize,
        max_batches: usize,
    ) -> Result<usize, StoreError> {
        let from = match self.migration()? {
            Migration::Current => return Ok(0),
            Migration::Needed { from } => {
                self.meta.insert(FROM, &from.to_be_bytes())?;
                self.durable()?;
                from
            }
            Migration::Interrupted { from } => from,
        };
        let _gate = self.write_gate();
        let batch = batch.max(1);
        let mut converted = 0;
        for done in 0.. {
            if done == max_batches {
                return Ok(converted);
            }
            let after = self.meta.get(DONE_UP_TO)?;
            let range = match &after {
                Some(k) => self.reports.range::<&[u8], _>((
                    std::ops::Bound::Excluded(k.as_ref()),
                    std::ops::Bound::Unbounded,
                )),
                None => self.reports.iter(),
            };
            let mut records = Vec::with_capacity(batch);
            for item in range.take(batch) {
                let (k, v) = item?;
                records.push((k, from_json::<ReportRecord>("reports", &v)?));
            }
            let Some((last, _)) = records.last() else {
                break;
            };
            let last = last.clone();
            self.convert(&records, &last)?;
            converted += records.iter().filter(|(_, r)| r.is_legacy()).count();
            self.durable()?;
        }
        // Schema 3: the trees derived from the reports, built from scratch
        // (an interrupted build is simply done again).
        self.build_derived()?;
        (&self.meta,)
            .transaction(|(meta,)| {
                meta.insert("schema_version", &SCHEMA_VERSION.to_be_bytes())?;
                meta.remove(FROM)?;
                meta.remove(DONE_UP_TO)?;
                Ok::<_, ConflictableTransactionError<StoreError>>(())
            })
            .map_err(tx_err)?;
        self.durable()?;
        tracing::debug!("migrated {converted} report(s) from schema {from}");
        Ok(converted)
    }

    /// One batch: each schema 1 record becomes a schema 2 record and its
    /// references, counted; `meta` records `last` as done. One transaction.
    fn convert(
        &self,
        records: &[(sled::IVec, ReportRecord)],
        last: &sled::IVec,
    ) -> Result<(), StoreError> {
        let mut writes = Vec::with_capacity(records.len());
        for (key, record) in records {
            if !record.is_legacy() {
                continue;
            }
            let mut record = record.clone();
            let envelopes = record.envelopes.take().unwrap_or_default();
            let blobs = record.blobs.take().unwrap_or_default();
            record.next_envelope = envelopes.len() as u64;
            record.next_blob = blobs.len() as u64;
            let mut env_refs = Vec::with_capacity(envelopes.len());
            for (seq, e) in envelopes.iter().enumerate() {
                env_refs.push((refs::key(&record.id, seq as u64), to_json(e)?));
            }
            // Schema 1 kept no attachment recipients: "unknown" (to re-key).
            let blob_refs = blobs
                .iter()
                .enumerate()
                .map(|(seq, b)| {
                    Ok((
                        refs::key(&record.id, seq as u64),
                        refs::blob_value(b, None)?,
                    ))
                })
                .collect::<Result<Vec<_>, StoreError>>()?;
            let count = counts::key(record.state, record.urgency, record.assignee.is_some());
            writes.push((key.clone(), to_json(&record)?, env_refs, blob_refs, count));
        }
        (
            &self.reports,
            &self.envelope_refs,
            &self.blob_refs,
            &self.counts,
            &self.meta,
        )
            .transaction(|(reports, env_tree, blob_tree, counts_tree, meta)| {
                for (key, record, env_refs, blob_refs, count) in &writes {
                    for (k, v) in env_refs {
                        env_tree.insert(k.as_slice(), v.as_slice())?;
                    }
                    for (k, v) in blob_refs {
                        blob_tree.insert(k.as_slice(), v.as_slice())?;
                    }
                    reports.insert(key, record.as_slice())?;
                    counts::add(counts_tree, count, 1)?;
                }
                meta.insert(DONE_UP_TO, last)?;
                Ok::<_, ConflictableTransactionError<StoreError>>(())
            })
            .map_err(tx_err)
    }
}

#[cfg(test)]
mod tests;
