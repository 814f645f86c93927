//! The data store: sled trees for ciphertext and minimal metadata.
//!
//! This is the only module that touches sled; the web layers go through it.
//! What it stores in plaintext is exactly what SECURITY.md lists: report state,
//! urgency, assignee id, anonymity level, the coarse received day, envelope
//! references with their recipients, reviewer records (public keys, names,
//! roles) and the audit chain. Everything a source or reviewer wrote is age
//! ciphertext before it reaches this module.
//!
//! Sessions (reviewer tokens, follow-up sessions, CSRF nonces) are kept in
//! memory, not here: a seized disk then holds no token hashes and no precise
//! timestamps, at the cost of logging everyone out on restart.
//!
//! Layout (schema 3): `reports` holds one small record per report
//! ([`ReportRecord`]: triage metadata and two sequence counters); its
//! envelope references and attachment ids are in `report_envelopes` and
//! `report_blobs`, keyed by (report id, NUL, big-endian sequence) so that a
//! prefix scan returns them in order and a follow-up message writes a fixed
//! amount; `envelopes` holds the ciphertexts by envelope id; `queue_counts`
//! the number of reports per (state, urgency, assigned or not), updated in
//! the same transaction as every write. Three trees are derived from
//! these, also kept in each write's transaction: `queue_order` (the queue
//! sorted, for paging: `order`), `recipient_sets` and `sealing_counts`
//! (what reports are sealed to, for re-keying: `sealing`). Schema 1 kept
//! both lists inline in the report record; schema 2 had no derived trees;
//! `migrate` brings either to schema 3 (see that module).
//!
//! Durability: a report and its envelopes are written in one sled
//! transaction; a crash leaves the whole report or nothing. Every method
//! that writes returns only after [`Store::durable`]: a group commit (see
//! `durable.rs`) whose sync round began after the write committed. A round
//! is sled's `flush` (which on Linux only `sync_file_range`s the log: no
//! file size, no disk cache) followed by our own `fsync` of everything sled
//! may have changed: the log file `db/db`, sled's large-value files in
//! `db/blobs/` that are new since the last round, and the directories
//! `db/blobs/` and `db/` (new large-value files, sled's snapshot renames).
//! Attachment files are fsynced by whoever writes them (`intake::upload`),
//! renamed into `blobs/` by [`Store::commit_blobs`], which fsyncs that
//! directory before the record naming them is written. Opening a store
//! fsyncs its layout once (`db/conf`, both directories and the data dir).
//! Concurrent writers share rounds; a failed round fails every write from
//! then on until the server restarts.

//!
//! One file per concern, each adding its methods to [`Store`]: `open`
//! (layout, locking, sync rounds), `blobs`, `reviewers` (and grants),
//! `reports` (writes), `refs` (the envelope and attachment reference
//! trees), `counts` (queue counts), `order` (the queue order tree),
//! `sealing` (re-keying status kept per write), `derived` (building and
//! checking those), `listing` (reads), `page` (the paged queue), `audit`,
//! `snapshot` (backup and restore), `migrate` (schema 1 or 2 to 3), `fsck`;
//! `records` holds the record types.

mod audit;
mod blobs;
mod counts;
mod derived;
mod desks;
mod durable;
mod fsck;
mod listing;
mod migrate;
mod open;
mod order;
mod outbox;
mod page;
mod records;
mod refs;
mod rekey;
mod reports;
mod reviewers;
mod sealing;
mod snapshot;

pub use counts::QueueCount;
pub use desks::Desk;
pub use durable::SyncFailed;
pub use fsck::{FSCK_IDS_IN_MEMORY, FsckOptions, FsckReport, IN_FLIGHT, Problem};
pub use migrate::{MIGRATION_BATCH, Migration};
pub use order::Listed;
pub use outbox::AppliedAction;
pub use page::{Assignee, Page, PageQuery, SortKey};
pub use records::*;
pub use rekey::{
    CurrentKeys, Grouped, REKEY_TEMP_PREFIX, age_header_len, is_classical, sha256_file, sha256_hex,
    stanza_type,
};
pub use sealing::{SealedSet, Sealing};
pub use snapshot::{Check, Restoring, Snapshot, TreeEntry, TreeSink};

use sled::transaction::TransactionError;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, RwLock};

/// Version of the on-disk layout, kept in the `meta` tree.
pub const SCHEMA_VERSION: u32 = 3;

/// The oldest layout this binary migrates from.
pub const OLDEST_SCHEMA: u32 = 1;

/// The sled database directory inside the data dir.
pub const DB_DIR: &str = "db";

/// How long opening waits for a store that another handle is closing.
const LOCK_WAIT: std::time::Duration = std::time::Duration::from_secs(2);
/// How often it tries again meanwhile.
const LOCK_POLL: std::time::Duration = std::time::Duration::from_millis(50);

/// The directory of encrypted attachment files inside the data dir.
pub const BLOBS_DIR: &str = "blobs";

/// sled's directory of values too large for its log, inside `db/`.
const SLED_VALUES_DIR: &str = "blobs";

/// sled's page cache when no other size is asked for (sled's own default is
/// 1 GiB, more than a small server should give it). 16 MiB keeps a server
/// under 96 MiB while 32 clients send follow-up messages, at about 5% of
/// the throughput of 64 MiB (docs/benchmarks.md).
pub const DEFAULT_CACHE_BYTES: u64 = 16 << 20;

/// Errors of the store. Messages name paths and ids, never contents.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error(
        "the data directory {0} is in use by another process (is amanatd running?). \
         Stop it first, or make this change through the running server with \
         `amanat admin reviewer …`"
    )]
    Locked(PathBuf),
    #[error("no Amanat store in {0}: run `amanatd init --data-dir {0}` first")]
    Missing(PathBuf),
    #[error("the store in {0} already exists")]
    Exists(PathBuf),
    #[error("{}", schema_text(*found, *expected))]
    Schema { found: u32, expected: u32 },
    #[error("not found")]
    NotFound,
    #[error("{0}")]
    Conflict(String),
    #[error("storage error: {0}")]
    Db(#[from] sled::Error),
    #[error("corrupt record in tree {tree}: {detail}")]
    Corrupt { tree: &'static str, detail: String },
    #[error("I/O error: {0}")]
    Io(#[from] std::io::Error),
    #[error(
        "could not make a write durable ({0}); nothing is acknowledged until \
         amanatd is restarted after the disk is checked"
    )]
    NotDurable(#[from] durable::SyncFailed),
}

/// The open store.
pub struct Store {
    db: sled::Db,
    reports: sled::Tree,
    envelopes: sled::Tree,
    /// (report id, NUL, sequence) -> [`EnvelopeRef`].
    envelope_refs: sled::Tree,
    /// (report id, NUL, sequence) -> attachment id (a JSON string).
    blob_refs: sled::Tree,
    /// (state/urgency/assigned) -> number of reports (a JSON number).
    counts: sled::Tree,
    /// (urgency rank, received day, id) -> [`ReportHead`]: see `order`.
    order: sled::Tree,
    /// Set fingerprint -> recipients: see `sealing`.
    recipient_sets: sled::Tree,
    /// Sealing signature -> number of reports: see `sealing`.
    sealing_counts: sled::Tree,
    reviewers: sled::Tree,
    sources: sled::Tree,
    audit: sled::Tree,
    grants: sled::Tree,
    meta: sled::Tree,
    dir: PathBuf,
    audit_lock: Mutex<()>,
    /// Writers hold it shared; `snapshot` holds it exclusively, so a backup
    /// is one point in time across every tree (see `write_gate`).
    gate: RwLock<()>,
    /// Recipient sets already read from `recipient_sets`.
    set_cache: sealing::SetCache,
    /// Writers waiting for durability share sync rounds here.
    group: durable::GroupCommit,
    /// sled's log file, `db/db`, held open for `fsync`.
    log_file: std::fs::File,
    /// sled's large-value files already fsynced (they are written once).
    synced_values: Mutex<std::collections::HashSet<std::ffi::OsString>>,
}

/// The schema error's message: what to do depends on which side is older.
fn schema_text(found: u32, expected: u32) -> String {
    if (OLDEST_SCHEMA..expected).contains(&found) {
        format!(
            "the store uses schema version {found}, this amanatd knows {expected}: start \
             `amanatd serve` once to migrate it (it writes a backup beside the data \
             directory first)"
        )
    } else {
        format!(
            "the store uses schema version {found}, this amanatd knows {expected}: use the \
             amanatd release that wrote it"
        )
    }
}

/// `fsync` of a directory: makes the entries created, renamed or removed
/// in it durable.
fn sync_dir(dir: &Path) -> std::io::Result<()> {
    std::fs::File::open(dir)?.sync_all()
}

fn to_json<T: serde::Serialize>(v: &T) -> Result<Vec<u8>, StoreError> {
    serde_json::to_vec(v).map_err(|e| StoreError::Corrupt {
        tree: "(encode)",
        detail: e.to_string(),
    })
}

fn from_json<T: serde::de::DeserializeOwned>(
    tree: &'static str,
    v: &[u8],
) -> Result<T, StoreError> {
    serde_json::from_slice(v).map_err(|e| StoreError::Corrupt {
        tree,
        detail: e.to_string(),
    })
}

fn tx_err(e: TransactionError<StoreError>) -> StoreError {
    match e {
        TransactionError::Abort(e) => e,
        TransactionError::Storage(e) => StoreError::Db(e),
    }
}

#[cfg(test)]
mod tests;
