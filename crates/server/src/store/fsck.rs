//! Store integrity check: `amanatd fsck`.
//!
//! Reads every record and every file of the store and reports what
//! does not fit together: a schema this binary does not know, a report that
//! does not parse, an envelope or attachment file a report names but that is
//! missing or is not age ciphertext, and leftovers that nothing names
//! (orphan envelopes, orphan attachment files, temporary upload files,
//! source lookups of a report that is gone). It never decrypts anything: the
//! server holds no key that could.
//!
//! It knows both layouts: schema 1 (lists inline in each report record)
//! and schema 2 (lists in the reference trees, queue counts kept), and a
//! store whose migration was interrupted (some records of each). In schema
//! 2 it also finds references of a report that is gone, and compares the
//! stored queue counts with a count of the reports.
//!
//! Leftovers are what an interrupted write can leave (an attachment file is
//! made durable before the report that names it, and a purge deletes the
//! files after the record), and `--repair` removes them; it also rewrites
//! queue counts that disagree with the reports. Nothing a report
//! names is ever removed, and when any report fails to parse nothing is
//! called an orphan, because that report might be the one that names it.
//! Problems of the other kinds cannot be repaired here; they are reported
//! and the check fails.
//!
//! Output names report and file ids (random, and already listed by
//! `amanat list`), never a source lookup id: it is derived from a codename.
//!
//! Memory does not grow with the store. Relations that a lookup can check
//! are checked by one: a reference's report, a source lookup's report
//! (`reports.contains_key`), a report's envelopes and attachments (a prefix
//! scan of its references). The one that cannot be looked up is "every
//! stored envelope (attachment file) is named by some report", since
//! references are keyed by report, not by envelope: both sides are written
//! as sorted id sets to a scratch directory (`sorted.rs`, an external merge
//! sort holding at most [`FsckOptions::ids_in_memory`] ids at once) and
//! merge-joined in key order. The scratch directory is created inside the
//! data directory (or in [`FsckOptions::scratch_dir`]): the same disk and
//! permissions as the store, never the system temp dir, which may be memory
//! (tmpfs) or a disk the operator did not choose; it is never inside the
//! database itself, and is removed when the check ends. It needs about
//! 30 bytes per id on each side. What this bounds is `fsck`'s own memory:
//! sled's cache of the pages it reads is sled's (0.34 keeps a tree read end
//! to end whatever its cache size).
//!
//! A running store: the checks take no lock (`checks.rs`), and whatever
//! they find is looked at again under the exclusive write gate before it
//! is reported or repaired (`confirm.rs`), so a write or a purge under way
//! is not taken for damage. With [`FsckOptions::live`], stored things are
//! listed before the reports that name them: an envelope and its reference
//! are written and removed in one transaction, so an envelope listed first
//! whose reference the later scan did not see is a leftover if it is still
//! there at the second look. An attachment file is made durable before the
//! record that names it, in a separate step: files changed in the last
//! [`IN_FLIGHT`] are left out. `amanatd fsck` itself holds the store's
//! lock, so no server writes meanwhile, and lists the reports first (sled
//! then holds less).
//!
//! The checks are one function per relation (`checks.rs`); `report.rs`
//! holds the problem kinds and the report.

mod checks;
mod confirm;
mod report;
mod sorted;
#[cfg(test)]
mod tests;

pub use report::{FsckReport, Problem};

use super::{
    BLOBS_DIR, Migration, OLDEST_SCHEMA, ReportRecord, SCHEMA_VERSION, Store, StoreError,
    from_json, refs,
};
use checks::Check;
use sorted::{SCRATCH_PREFIX, Scratch, missing_from};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

/// How many ids a sorted set of `fsck` holds in memory by default (about
/// 4 MiB of ids; the sets spill to the scratch directory beyond it).
pub const FSCK_IDS_IN_MEMORY: usize = 65_536;

/// On a live store, attachment and upload files changed this recently may
/// belong to a submission still in progress: they are not called leftovers.
pub const IN_FLIGHT: Duration = Duration::from_secs(600);

/// How `fsck` runs.
#[derive(Clone, Debug)]
pub struct FsckOptions {
    /// Remove the leftovers of interrupted writes and rewrite queue counts
    /// that disagree with the reports.
    pub repair: bool,
    /// Where the scratch directory goes (default: inside the data dir).
    pub scratch_dir: Option<PathBuf>,
    /// The most ids a sorted set holds in memory (at least 1).
    pub ids_in_memory: usize,
    /// The store may be written meanwhile (see [`IN_FLIGHT`]).
    pub live: bool,
}

impl Default for FsckOptions {
    fn default() -> Self {
        FsckOptions {
            repair: false,
            scratch_dir: None,
            ids_in_memory: FSCK_IDS_IN_MEMORY,
            live: false,
        }
    }
}

impl Store {
    /// Opens a store for `fsck`: no schema check and no clean-up, so that
    /// the check sees the store as it was left. Still takes the store's
    /// lock, so a running server is never checked (or repaired) under it.
    pub fn open_for_check(data_dir: &Path) -> Result<Store, StoreError> {
        if !data_dir.join(super::DB_DIR).is_dir() {
            return Err(StoreError::Missing(data_dir.to_path_buf()));
        }
        Self::open_db(data_dir)
    }

    /// Checks the whole store with the default options; with `repair`,
    /// removes the leftovers of interrupted writes (see the module
    /// documentation) and flushes.
    pub fn fsck(&self, repair: bool) -> Result<FsckReport, StoreError> {
        self.fsck_with(&FsckOptions {
            repair,
            ..FsckOptions::default()
        })
    }

    /// Checks the whole store. Takes the write gate (exclusively, briefly)
    /// to confirm what it found: never call it while holding the gate.
    pub fn fsck_with(&self, opts: &FsckOptions) -> Result<FsckReport, StoreError> {
        let started = SystemTime::now();
        let mut out = FsckReport {
            schema_version: self
                .meta
                .get("schema_version")?
                .and_then(|v| v.as_ref().try_into().ok().map(u32::from_be_bytes))
                .unwrap_or(0),
            ..FsckReport::default()
        };
        out.migrating = matches!(self.migration(), Ok(Migration::Interrupted { .. }));
        if !(OLDEST_SCHEMA..=SCHEMA_VERSION).contains(&out.schema_version) {
            // A layout this binary does not know: nothing below would mean anything.
            out.problems.push(Problem::Schema {
                found: out.schema_version,
                expected: SCHEMA_VERSION,
            });
            return Ok(out);
        }
        if self.instance_salt()?.len() != 32 {
            out.problems.push(Problem::Salt);
        }
        let current = out.schema_version == SCHEMA_VERSION && !out.migrating;
        let parent = opts.scratch_dir.as_deref().unwrap_or(&self.dir);
        let scratch = Scratch::new(parent, opts.ids_in_memory).map_err(|e| {
            std::io::Error::new(
                e.kind(),
                format!(
                    "cannot make a scratch directory in {}: {e}",
                    parent.display()
                ),
            )
        })?;
        let in_flight_after = opts.live.then(|| started - IN_FLIGHT);
        let mut c = Check::new(self, &scratch, out, in_flight_after);
        // On a live store, what is stored is listed before what names it
        // (see the module doc). Otherwise the reports go first: sled then
        // reads the envelopes by lookup before it iterates them, which
        // leaves it holding less (about 80 MB less at 100k reports).
        let (stored_envelopes, files, (named_envelopes, named_blobs)) = if opts.live {
            let stored = c.stored_envelopes()?;
            let files = c.blob_files()?;
            (stored, files, c.reports()?)
        } else {
            let named = c.reports()?;
            (c.stored_envelopes()?, c.blob_files()?, named)
        };
        if c.complete {
            c.orphan_envelopes(stored_envelopes, named_envelopes)?;
            c.orphan_refs()?;
        }
        let counts_differ = c.complete && current && c.counts_differ()?;
        let derived_differ = c.complete && current && !self.derived_problems()?.is_empty();
        c.sources()?;
        c.reviewers()?;
        c.audit()?;
        if c.complete {
            c.orphan_blobs(files, named_blobs)?;
        }
        let Check { out, found, .. } = c;
        self.settle(out, found, counts_differ, derived_differ, opts.repair)
    }

    /// At start-up, before any upload: removes attachment files that no
    /// report names (a submission interrupted between making its files
    /// durable and committing its record, or a purge interrupted before it
    /// deleted the files). Does nothing if any attachment reference, or
    /// (when there is a file to remove) any report, fails to parse.
    /// Returns how many files were removed. Memory is bounded as in `fsck`
    /// (the same scratch directory inside the data dir); scratch
    /// directories a killed `fsck` left are removed first.
    pub fn remove_orphan_blobs(&self) -> Result<usize, StoreError> {
        let _gate = self.write_gate();
        self.remove_stale_scratch()?;
        let scratch = Scratch::new(&self.dir, FSCK_IDS_IN_MEMORY)?;
        // Files no reference names. Only schema 1 records name files
        // themselves: they are read only if there is a candidate, so that a
        // start does not read every record (sled would keep their pages in
        // memory for the server's life).
        let mut named = scratch.set();
        for item in self.blob_refs.iter() {
            let (_, id) = item?;
            match refs::blob_id(&id) {
                Ok(b) => named.push(b.as_bytes())?,
                Err(_) => return Ok(0),
            };
        }
        let mut files = scratch.set();
        for entry in std::fs::read_dir(self.blobs_dir())? {
            let entry = entry?;
            let name = entry.file_name().to_string_lossy().into_owned();
            if entry.file_type()?.is_file() && amanat_core::crypto::random::is_id(&name) {
                files.push(name.as_bytes())?;
            }
        }
        let mut candidates = scratch.set();
        let mut any = false;
        missing_from(files.sorted()?, named.sorted()?, |id| {
            any = true;
            candidates.push(&id)
        })?;
        if !any {
            return Ok(0);
        }
        let mut inline = scratch.set();
        for item in self.reports.iter() {
            let (_, value) = item?;
            match from_json::<ReportRecord>("reports", &value) {
                Ok(m) => {
                    for b in m.blobs.unwrap_or_default() {
                        inline.push(b.as_bytes())?;
                    }
                }
                Err(_) => return Ok(0),
            }
        }
        let dir = self.dir.join(BLOBS_DIR);
        let mut removed = 0;
        missing_from(candidates.sorted()?, inline.sorted()?, |id| {
            std::fs::remove_file(dir.join(String::from_utf8_lossy(&id).as_ref()))?;
            removed += 1;
            Ok(())
        })?;
        if removed > 0 {
            std::fs::File::open(self.blobs_dir())?.sync_all()?;
        }
        Ok(removed)
    }

    /// Removes the scratch directories a killed `fsck` left in the data
    /// dir (at start-up, when no check can be running on this store).
    fn remove_stale_scratch(&self) -> Result<(), StoreError> {
        for entry in std::fs::read_dir(&self.dir)? {
            let entry = entry?;
            let name = entry.file_name();
            if name.to_string_lossy().starts_with(SCRATCH_PREFIX) && entry.file_type()?.is_dir() {
                std::fs::remove_dir_all(entry.path())?;
            }
        }
        Ok(())
    }
}
