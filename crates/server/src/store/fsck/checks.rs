//! The checks of `fsck`, one function per relation between trees (or
//! between a tree and the attachment directory). Each reads in key order
//! and keeps nothing per report in memory: what must be joined goes into a
//! [`SortedIds`] set in the scratch directory. Each records what it sees
//! as a [`Finding`]; nothing is reported before `confirm` has looked again.
//!
//! To add a check for a new tree: a `Problem` variant in `report.rs`, a
//! method here that pushes findings, a call in `Store::fsck_with` and a
//! re-check in `confirm.rs`.

use super::super::{EnvelopeRef, ReportRecord, SourceRecord, Store, StoreError, from_json, refs};
use super::sorted::{Merged, Scratch, SortedIds, missing_from};
use super::{FsckReport, Problem};
use std::time::SystemTime;

/// Something a check saw: a problem and the key it is about (the record,
/// reference or envelope key, by kind; empty when the problem names all it
/// needs).
pub(super) struct Finding {
    pub problem: Problem,
    pub key: Vec<u8>,
}

/// How many audit entries are read (and held) at once.
pub(super) const AUDIT_BATCH: usize = 1024;

/// One run of the checks over a store.
pub(super) struct Check<'a> {
    pub store: &'a Store,
    scratch: &'a Scratch,
    pub out: FsckReport,
    pub found: Vec<Finding>,
    /// False once a report fails to parse: then nothing is an orphan, since
    /// that report might be the one that names it.
    pub complete: bool,
    /// On a live store, files changed after this may belong to a write in
    /// progress and are left out.
    in_flight_after: Option<SystemTime>,
}

impl<'a> Check<'a> {
    pub(super) fn new(
        store: &'a Store,
        scratch: &'a Scratch,
        out: FsckReport,
        in_flight_after: Option<SystemTime>,
    ) -> Check<'a> {
        Check {
            store,
            scratch,
            out,
            found: Vec::new(),
            complete: true,
            in_flight_after,
        }
    }

    fn push(&mut self, problem: Problem, key: &[u8]) {
        self.found.push(Finding {
            problem,
            key: key.to_vec(),
        });
    }

    /// Notes a set's memory high-water mark, then reads it back sorted.
    fn sorted(&mut self, set: SortedIds<'_>) -> Result<Merged, StoreError> {
        self.out.ids_in_memory_peak = self.out.ids_in_memory_peak.max(set.peak());
        Ok(set.sorted()?)
    }

    /// `envelopes`: every stored envelope id, for the orphan join.
    pub(super) fn stored_envelopes(&mut self) -> Result<Merged, StoreError> {
        let mut set = self.scratch.set();
        for item in self.store.envelopes.iter() {
            let (key, _) = item?;
            self.out.envelopes += 1;
            set.push(&key)?;
        }
        self.sorted(set)
    }

    /// `blobs/`: every attachment file, for the orphan join; temporary
    /// upload files and files Amanat did not write.
    pub(super) fn blob_files(&mut self) -> Result<Merged, StoreError> {
        let mut set = self.scratch.set();
        for entry in std::fs::read_dir(self.store.blobs_dir())? {
            let entry = entry?;
            let name = entry.file_name().to_string_lossy().into_owned();
            let is_file = entry.file_type()?.is_file();
            let settled = self.settled(&entry.path());
            if is_file && name.starts_with(".upload-") {
                if settled {
                    self.push(Problem::StaleUpload { file: name }, &[]);
                }
            } else if is_file && amanat_core::crypto::random::is_id(&name) {
                self.out.blobs += 1;
                if settled {
                    set.push(name.as_bytes())?;
                }
            } else {
                self.push(Problem::UnknownFile { file: name }, &[]);
            }
        }
        self.sorted(set)
    }

    /// False for a file a write in progress may still name (live stores
    /// only): its inode changed (written or renamed) too recently.
    fn settled(&self, path: &std::path::Path) -> bool {
        use std::os::unix::fs::MetadataExt;
        let Some(after) = self.in_flight_after else {
            return true;
        };
        let after = after
            .duration_since(SystemTime::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        std::fs::symlink_metadata(path)
            .map(|m| u64::try_from(m.ctime()).unwrap_or(0) < after)
            .unwrap_or(false)
    }

    /// `reports` → `report_envelopes`, `report_blobs` (or the lists inline
    /// in a schema 1 record) → `envelopes`, `blobs/`: every record parses
    /// and everything it names is there and is age ciphertext. Returns the
    /// sets of named envelope and attachment ids.
    pub(super) fn reports(&mut self) -> Result<(Merged, Merged), StoreError> {
        let mut envelopes = self.scratch.set();
        let mut blobs = self.scratch.set();
        for item in self.store.reports.iter() {
            let (key, value) = item?;
            self.out.reports += 1;
            let record = match parse_report(&key, &value) {
                Ok(r) => r,
                Err(problem) => {
                    self.complete = false;
                    self.push(problem, &key);
                    continue;
                }
            };
            for id in self.store.named_envelopes(&record) {
                let id = id?;
                envelopes.push(id.as_bytes())?;
                if let Some(p) = self.store.envelope_problem(&record.id, &id)? {
                    self.push(p, &[]);
                }
            }
            for id in self.store.named_blobs(&record) {
                let id = id?;
                blobs.push(id.as_bytes())?;
                if let Some(p) = self.store.blob_problem(&record.id, &id) {
                    self.push(p, &[]);
                }
            }
        }
        Ok((self.sorted(envelopes)?, self.sorted(blobs)?))
    }

    /// `envelopes` → some report: every stored envelope is named.
    pub(super) fn orphan_envelopes(
        &mut self,
        stored: Merged,
        named: Merged,
    ) -> Result<(), StoreError> {
        self.unnamed(
            stored,
            named,
            |envelope| Problem::OrphanEnvelope { envelope },
            true,
        )
    }

    /// `blobs/` → some report: every attachment file is named.
    pub(super) fn orphan_blobs(&mut self, files: Merged, named: Merged) -> Result<(), StoreError> {
        self.unnamed(files, named, |blob| Problem::OrphanBlob { blob }, false)
    }

    /// A finding for each id of `all` not in `named`, keyed by the id when
    /// `keyed` (a tree key; files are named in the problem).
    fn unnamed(
        &mut self,
        all: Merged,
        named: Merged,
        problem: impl Fn(String) -> Problem,
        keyed: bool,
    ) -> Result<(), StoreError> {
        let found = &mut self.found;
        missing_from(all, named, |id| {
            let p = problem(String::from_utf8_lossy(&id).into_owned());
            found.push(Finding {
                problem: p,
                key: if keyed { id } else { Vec::new() },
            });
            Ok(())
        })?;
        Ok(())
    }

    /// `report_envelopes`, `report_blobs` → `reports`: every reference
    /// belongs to a stored report (a point lookup per report: references
    /// are keyed by report, so one report's come together).
    pub(super) fn orphan_refs(&mut self) -> Result<(), StoreError> {
        for tree in [&self.store.envelope_refs, &self.store.blob_refs] {
            let mut last: Option<(Vec<u8>, bool)> = None;
            for item in tree.iter() {
                let (key, _) = item?;
                let report = refs::report_of(&key);
                let prefix = report.map(|r| r.as_bytes().to_vec()).unwrap_or_default();
                let exists = match &last {
                    Some((p, exists)) if report.is_some() && *p == prefix => *exists,
                    _ => {
                        let exists = match report {
                            Some(r) => self.store.reports.contains_key(r.as_bytes())?,
                            None => false,
                        };
                        last = Some((prefix, exists));
                        exists
                    }
                };
                if !exists {
                    let report = report.unwrap_or("(malformed key)").to_owned();
                    self.push(Problem::OrphanRef { report }, &key);
                }
            }
        }
        Ok(())
    }

    /// `sources` → `reports`: every source lookup parses and (when the
    /// reports are complete) points to a stored report.
    pub(super) fn sources(&mut self) -> Result<(), StoreError> {
        for item in self.store.sources.iter() {
            let (key, value) = item?;
            self.out.sources += 1;
            match from_json::<SourceRecord>("sources", &value) {
                Ok(s) => {
                    if self.complete && !self.store.reports.contains_key(s.report_id.as_bytes())? {
                        self.push(
                            Problem::DanglingSource {
                                report: s.report_id,
                            },
                            &key,
                        );
                    }
                }
                Err(_) => self.push(Problem::BadSource, &key),
            }
        }
        Ok(())
    }

    /// `queue_counts` = a count of `reports` (schema 2 only). True when
    /// they differ (`confirm` counts again before saying so).
    pub(super) fn counts_differ(&self) -> Result<bool, StoreError> {
        Ok(self.store.scanned_counts()? != self.store.stored_counts()?)
    }

    /// `reviewers`: every record parses.
    pub(super) fn reviewers(&mut self) -> Result<(), StoreError> {
        for item in self.store.reviewers.iter() {
            let (key, value) = item?;
            self.out.reviewers += 1;
            if from_json::<super::super::Reviewer>("reviewers", &value).is_err() {
                let k = String::from_utf8_lossy(&key).into_owned();
                self.push(Problem::BadReviewer { key: k }, &key);
            }
        }
        Ok(())
    }

    /// `audit`: the chain verifies, read [`AUDIT_BATCH`] entries at a time
    /// (each batch must extend the last entry of the one before).
    pub(super) fn audit(&mut self) -> Result<(), StoreError> {
        let mut last: Option<amanat_core::audit::Entry> = None;
        loop {
            let from = last.as_ref().map_or(0, |e| e.seq + 1);
            let batch = match self.store.audit_range(from, AUDIT_BATCH) {
                Ok(b) => b,
                Err(e) => {
                    let detail = e.to_string();
                    self.push(Problem::Audit { detail }, &[]);
                    return Ok(());
                }
            };
            let Some(end) = batch.last().cloned() else {
                return Ok(());
            };
            self.out.audit_entries += batch.len();
            let verified = match last.take() {
                None => amanat_core::audit::verify(&batch),
                Some(prev) => {
                    let anchor = amanat_core::audit::Anchor {
                        seq: prev.seq,
                        hash: prev.hash.clone(),
                    };
                    let mut linked = Vec::with_capacity(batch.len() + 1);
                    linked.push(prev);
                    linked.extend(batch);
                    amanat_core::audit::extends(&anchor, &linked).map(|_| ())
                }
            };
            if let Err(e) = verified {
                let detail = e.to_string();
                self.push(Problem::Audit { detail }, &[]);
                return Ok(());
            }
            last = Some(end);
        }
    }
}

/// A report record, or the problem with it.
pub(super) fn parse_report(key: &[u8], value: &[u8]) -> Result<ReportRecord, Problem> {
    let key = String::from_utf8_lossy(key).into_owned();
    match from_json::<ReportRecord>("reports", value) {
        Ok(r) if r.id == key => Ok(r),
        Ok(r) => Err(Problem::BadReport {
            key,
            detail: format!("it holds report {}", r.id),
        }),
        Err(e) => Err(Problem::BadReport {
            key,
            detail: e.to_string(),
        }),
    }
}

/// Reads the age header of a ciphertext: `true` if it parses.
fn is_age(reader: impl std::io::BufRead) -> bool {
    age::Decryptor::new_buffered(reader).is_ok()
}

/// A stream of ids a report names, read one at a time.
pub(super) type Names<'s> = Box<dyn Iterator<Item = Result<String, StoreError>> + 's>;

impl Store {
    /// The envelope ids a record names: inline (schema 1) or from its
    /// references, streamed.
    pub(super) fn named_envelopes<'s>(&'s self, record: &ReportRecord) -> Names<'s> {
        if let Some(inline) = &record.envelopes {
            let ids: Vec<String> = inline.iter().map(|e| e.id.clone()).collect();
            return Box::new(ids.into_iter().map(Ok));
        }
        Box::new(
            self.envelope_refs
                .scan_prefix(refs::prefix(&record.id))
                .map(|item| {
                    let (_, v) = item?;
                    Ok(from_json::<EnvelopeRef>("report_envelopes", &v)?.id)
                }),
        )
    }

    /// The attachment ids a record names: inline (schema 1) or from its
    /// references, streamed.
    pub(super) fn named_blobs<'s>(&'s self, record: &ReportRecord) -> Names<'s> {
        if record.is_legacy() {
            let ids = record.blobs.clone().unwrap_or_default();
            return Box::new(ids.into_iter().map(Ok));
        }
        Box::new(
            self.blob_refs
                .scan_prefix(refs::prefix(&record.id))
                .map(|item| refs::blob_id(&item?.1)),
        )
    }

    /// What is wrong with envelope `id` of report `report`, if anything.
    pub(super) fn envelope_problem(
        &self,
        report: &str,
        id: &str,
    ) -> Result<Option<Problem>, StoreError> {
        let (report, envelope) = (report.to_owned(), id.to_owned());
        Ok(match self.envelopes.get(id.as_bytes())? {
            None => Some(Problem::MissingEnvelope { report, envelope }),
            Some(body) if !is_age(body.as_ref()) => Some(Problem::BadEnvelope { report, envelope }),
            Some(_) => None,
        })
    }

    /// What is wrong with attachment file `id` of report `report`, if
    /// anything.
    pub(super) fn blob_problem(&self, report: &str, id: &str) -> Option<Problem> {
        let header_ok = self
            .blob_path(id)
            .map(std::fs::File::open)
            .and_then(Result::ok)
            .map(|f| is_age(std::io::BufReader::new(f)));
        let (report, blob) = (report.to_owned(), id.to_owned());
        match header_ok {
            None => Some(Problem::MissingBlob { report, blob }),
            Some(false) => Some(Problem::BadBlob { report, blob }),
            Some(true) => None,
        }
    }
}
