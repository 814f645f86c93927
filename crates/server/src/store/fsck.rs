//! Store integrity check: `amanatd fsck`.
//!
//! Reads every record and every file of a stopped store and reports what
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

use super::{
    BLOBS_DIR, Migration, OLDEST_SCHEMA, ReportRecord, SCHEMA_VERSION, SourceRecord, Store,
    StoreError, from_json, refs,
};
use serde::Serialize;
use std::collections::HashSet;
use std::path::Path;

/// One thing wrong with the store.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Problem {
    /// The schema version is not the one this binary knows.
    Schema { found: u32, expected: u32 },
    /// The instance salt is missing or has the wrong length.
    Salt,
    /// A report record does not parse (or its key is not its id).
    BadReport { key: String, detail: String },
    /// A report names an envelope that is not stored.
    MissingEnvelope { report: String, envelope: String },
    /// A stored envelope is not age ciphertext.
    BadEnvelope { report: String, envelope: String },
    /// A report names an attachment file that is not there.
    MissingBlob { report: String, blob: String },
    /// An attachment file is not age ciphertext.
    BadBlob { report: String, blob: String },
    /// A source lookup record does not parse.
    BadSource,
    /// A reviewer record does not parse.
    BadReviewer { key: String },
    /// The audit chain is broken.
    Audit { detail: String },
    /// An envelope no report names.
    OrphanEnvelope { envelope: String },
    /// A source lookup for a report that is gone.
    DanglingSource { report: String },
    /// An attachment file no report names.
    OrphanBlob { blob: String },
    /// An envelope or attachment reference of a report that is gone.
    OrphanRef { report: String },
    /// The stored queue counts disagree with the reports.
    Counts { detail: String },
    /// A temporary upload file left by an interrupted upload.
    StaleUpload { file: String },
    /// A file in the attachment directory that Amanat did not write.
    UnknownFile { file: String },
}

impl Problem {
    /// True if `--repair` removes it.
    pub fn repairable(&self) -> bool {
        matches!(
            self,
            Problem::OrphanEnvelope { .. }
                | Problem::OrphanRef { .. }
                | Problem::Counts { .. }
                | Problem::DanglingSource { .. }
                | Problem::OrphanBlob { .. }
                | Problem::StaleUpload { .. }
        )
    }
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Problem::Schema { found, expected } => write!(
                f,
                "schema version {found}, but this amanatd knows {expected}: use the matching \
                 release"
            ),
            Problem::Salt => write!(
                f,
                "the instance salt is missing: no codename can open its report; restore the \
                 store from a backup"
            ),
            Problem::BadReport { key, detail } => {
                write!(f, "report record {key} does not parse: {detail}")
            }
            Problem::MissingEnvelope { report, envelope } => {
                write!(
                    f,
                    "report {report} names envelope {envelope}, which is missing"
                )
            }
            Problem::BadEnvelope { report, envelope } => write!(
                f,
                "envelope {envelope} of report {report} is not age ciphertext"
            ),
            Problem::MissingBlob { report, blob } => write!(
                f,
                "report {report} names attachment file {BLOBS_DIR}/{blob}, which is missing"
            ),
            Problem::BadBlob { report, blob } => write!(
                f,
                "attachment file {BLOBS_DIR}/{blob} of report {report} is not age ciphertext"
            ),
            Problem::BadSource => write!(f, "a source lookup record does not parse"),
            Problem::BadReviewer { key } => write!(f, "reviewer record {key} does not parse"),
            Problem::Audit { detail } => write!(f, "audit chain: {detail}"),
            Problem::OrphanEnvelope { envelope } => {
                write!(f, "envelope {envelope} belongs to no report")
            }
            Problem::OrphanRef { report } => {
                write!(f, "a reference names report {report}, which is gone")
            }
            Problem::Counts { detail } => {
                write!(f, "queue counts disagree with the reports: {detail}")
            }
            Problem::DanglingSource { report } => {
                write!(
                    f,
                    "a source lookup points to report {report}, which is gone"
                )
            }
            Problem::OrphanBlob { blob } => {
                write!(f, "attachment file {BLOBS_DIR}/{blob} belongs to no report")
            }
            Problem::StaleUpload { file } => {
                write!(f, "{BLOBS_DIR}/{file} is left from an interrupted upload")
            }
            Problem::UnknownFile { file } => write!(
                f,
                "{BLOBS_DIR}/{file} was not written by Amanat (left alone; move it away)"
            ),
        }
    }
}

/// What a check found, and what a repair removed.
#[derive(Clone, Debug, Default, Serialize)]
pub struct FsckReport {
    pub schema_version: u32,
    /// True when a migration was interrupted (it resumes at the next
    /// start of `amanatd serve`).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub migrating: bool,
    pub reports: usize,
    pub envelopes: usize,
    pub blobs: usize,
    pub sources: usize,
    pub reviewers: usize,
    pub audit_entries: usize,
    /// Problems still present.
    pub problems: Vec<Problem>,
    /// Problems `--repair` removed.
    pub repaired: Vec<Problem>,
}

impl FsckReport {
    /// True when nothing is wrong (any more).
    pub fn clean(&self) -> bool {
        self.problems.is_empty()
    }
}

impl std::fmt::Display for FsckReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(f, "schema version {}", self.schema_version)?;
        if self.schema_version < SCHEMA_VERSION && self.schema_version >= OLDEST_SCHEMA {
            let what = if self.migrating {
                "a migration to schema 2 was interrupted"
            } else {
                "an older layout"
            };
            writeln!(
                f,
                "{what}: the next start of `amanatd serve` migrates it (after a backup)"
            )?;
        }
        writeln!(
            f,
            "{} reports, {} envelopes, {} attachment files, {} source lookups, {} reviewers, \
             {} audit entries",
            self.reports,
            self.envelopes,
            self.blobs,
            self.sources,
            self.reviewers,
            self.audit_entries
        )?;
        for p in &self.repaired {
            writeln!(f, "REPAIRED {p}")?;
        }
        for p in &self.problems {
            let tag = if p.repairable() { "ORPHAN" } else { "DAMAGE" };
            writeln!(f, "{tag} {p}")?;
        }
        if self.clean() {
            write!(f, "the store is consistent")
        } else if self.problems.iter().all(Problem::repairable) {
            write!(
                f,
                "{} leftover(s) from interrupted writes; `amanatd fsck --repair` removes them",
                self.problems.len()
            )
        } else {
            write!(
                f,
                "{} problem(s), some that --repair cannot fix: restore from a backup or keep \
                 this copy for investigation",
                self.problems.len()
            )
        }
    }
}

/// Reads the age header of a ciphertext: `true` if it parses.
fn is_age(reader: impl std::io::BufRead) -> bool {
    age::Decryptor::new_buffered(reader).is_ok()
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

    /// Checks the whole store; with `repair`, removes the leftovers of
    /// interrupted writes (see the module documentation) and flushes.
    pub fn fsck(&self, repair: bool) -> Result<FsckReport, StoreError> {
        let _gate = self.write_gate();
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
        let mut orphans = Vec::new();

        // Reports, and what they name.
        let mut named_envelopes = HashSet::new();
        let mut named_blobs = HashSet::new();
        let mut report_ids = HashSet::new();
        let mut complete = true;
        for item in self.reports.iter() {
            let (key, value) = item?;
            out.reports += 1;
            let key = String::from_utf8_lossy(&key).into_owned();
            let record = match from_json::<ReportRecord>("reports", &value) {
                Ok(m) if m.id == key => m,
                Ok(m) => {
                    complete = false;
                    out.problems.push(Problem::BadReport {
                        key,
                        detail: format!("it holds report {}", m.id),
                    });
                    continue;
                }
                Err(e) => {
                    complete = false;
                    out.problems.push(Problem::BadReport {
                        key,
                        detail: e.to_string(),
                    });
                    continue;
                }
            };
            let meta = self.assemble(record)?;
            for e in &meta.envelopes {
                named_envelopes.insert(e.id.clone());
                match self.envelopes.get(e.id.as_bytes())? {
                    None => out.problems.push(Problem::MissingEnvelope {
                        report: meta.id.clone(),
                        envelope: e.id.clone(),
                    }),
                    Some(body) if !is_age(body.as_ref()) => {
                        out.problems.push(Problem::BadEnvelope {
                            report: meta.id.clone(),
                            envelope: e.id.clone(),
                        })
                    }
                    Some(_) => {}
                }
            }
            for b in &meta.blobs {
                named_blobs.insert(b.clone());
                let header_ok = self
                    .blob_path(b)
                    .map(std::fs::File::open)
                    .and_then(Result::ok)
                    .map(|f| is_age(std::io::BufReader::new(f)));
                match header_ok {
                    None => out.problems.push(Problem::MissingBlob {
                        report: meta.id.clone(),
                        blob: b.clone(),
                    }),
                    Some(false) => out.problems.push(Problem::BadBlob {
                        report: meta.id.clone(),
                        blob: b.clone(),
                    }),
                    Some(true) => {}
                }
            }
            report_ids.insert(meta.id);
        }

        // Envelopes no report names.
        for item in self.envelopes.iter() {
            let (key, _) = item?;
            out.envelopes += 1;
            let id = String::from_utf8_lossy(&key).into_owned();
            if complete && !named_envelopes.contains(&id) {
                orphans.push((Problem::OrphanEnvelope { envelope: id }, key.to_vec()));
            }
        }

        // References of reports that are gone.
        for tree in [&self.envelope_refs, &self.blob_refs] {
            for item in tree.iter() {
                let (key, _) = item?;
                let report = refs::report_of(&key).unwrap_or("(malformed key)");
                if complete && !report_ids.contains(report) {
                    orphans.push((
                        Problem::OrphanRef {
                            report: report.to_owned(),
                        },
                        key.to_vec(),
                    ));
                }
            }
        }

        // Queue counts (schema 2, once migrated).
        let mut counts = None;
        if complete && out.schema_version == SCHEMA_VERSION && !out.migrating {
            let scanned = self.scanned_counts()?;
            let stored = self.stored_counts()?;
            if scanned != stored {
                let detail = count_difference(&scanned, &stored);
                orphans.push((Problem::Counts { detail }, Vec::new()));
                counts = Some(scanned);
            }
        }

        // Source lookups of reports that are gone.
        for item in self.sources.iter() {
            let (key, value) = item?;
            out.sources += 1;
            match from_json::<SourceRecord>("sources", &value) {
                Ok(s) if complete && !report_ids.contains(&s.report_id) => orphans.push((
                    Problem::DanglingSource {
                        report: s.report_id,
                    },
                    key.to_vec(),
                )),
                Ok(_) => {}
                Err(_) => out.problems.push(Problem::BadSource),
            }
        }

        for item in self.reviewers.iter() {
            let (key, value) = item?;
            out.reviewers += 1;
            if from_json::<super::Reviewer>("reviewers", &value).is_err() {
                out.problems.push(Problem::BadReviewer {
                    key: String::from_utf8_lossy(&key).into_owned(),
                });
            }
        }

        match self.audit_entries() {
            Ok(entries) => {
                out.audit_entries = entries.len();
                if let Err(e) = amanat_core::audit::verify(&entries) {
                    out.problems.push(Problem::Audit {
                        detail: e.to_string(),
                    });
                }
            }
            Err(e) => out.problems.push(Problem::Audit {
                detail: e.to_string(),
            }),
        }

        // Files in the attachment directory.
        let mut names = Vec::new();
        for entry in std::fs::read_dir(self.blobs_dir())? {
            let entry = entry?;
            names.push((
                entry.file_name().to_string_lossy().into_owned(),
                entry.file_type()?.is_file(),
            ));
        }
        names.sort();
        for (name, is_file) in names {
            if is_file && name.starts_with(".upload-") {
                orphans.push((Problem::StaleUpload { file: name }, Vec::new()));
            } else if is_file && amanat_core::crypto::random::is_id(&name) {
                out.blobs += 1;
                if complete && !named_blobs.contains(&name) {
                    orphans.push((Problem::OrphanBlob { blob: name }, Vec::new()));
                }
            } else {
                out.problems.push(Problem::UnknownFile { file: name });
            }
        }

        if repair {
            if let Some(counts) = &counts {
                self.replace_counts(counts)?;
            }
            self.remove_orphans(&orphans)?;
            out.repaired = orphans.into_iter().map(|(p, _)| p).collect();
        } else {
            out.problems.extend(orphans.into_iter().map(|(p, _)| p));
        }
        Ok(out)
    }

    /// Removes what `fsck` found to be leftovers, then makes it durable.
    fn remove_orphans(&self, orphans: &[(Problem, Vec<u8>)]) -> Result<(), StoreError> {
        let mut envelopes = sled::Batch::default();
        let mut sources = sled::Batch::default();
        for (p, key) in orphans {
            match p {
                Problem::OrphanEnvelope { .. } => envelopes.remove(key.as_slice()),
                Problem::OrphanRef { .. } => {
                    // The key says which tree: both are keyed alike, and
                    // a key is in at most one of them per sequence.
                    self.envelope_refs.remove(key.as_slice())?;
                    self.blob_refs.remove(key.as_slice())?;
                }
                Problem::DanglingSource { .. } => sources.remove(key.as_slice()),
                Problem::OrphanBlob { blob: file } | Problem::StaleUpload { file } => {
                    match std::fs::remove_file(self.blobs_dir().join(file)) {
                        Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(e.into()),
                        _ => {}
                    }
                }
                _ => {}
            }
        }
        self.envelopes.apply_batch(envelopes)?;
        self.sources.apply_batch(sources)?;
        std::fs::File::open(self.blobs_dir())?.sync_all()?;
        self.durable()?;
        Ok(())
    }

    /// At start-up, before any upload: removes attachment files that no
    /// report names (a submission interrupted between making its files
    /// durable and committing its record, or a purge interrupted before it
    /// deleted the files). Does nothing if any report fails to parse.
    /// Returns how many files were removed.
    pub fn remove_orphan_blobs(&self) -> Result<usize, StoreError> {
        let _gate = self.write_gate();
        let mut named = HashSet::new();
        for item in self.reports.iter() {
            let (_, value) = item?;
            match from_json::<ReportRecord>("reports", &value) {
                Ok(m) => named.extend(m.blobs.unwrap_or_default()),
                Err(_) => return Ok(0),
            }
        }
        for item in self.blob_refs.iter() {
            let (_, id) = item?;
            match refs::blob_id(&id) {
                Ok(b) => named.insert(b),
                Err(_) => return Ok(0),
            };
        }
        let mut removed = 0;
        for entry in std::fs::read_dir(self.blobs_dir())? {
            let entry = entry?;
            let name = entry.file_name().to_string_lossy().into_owned();
            if entry.file_type()?.is_file()
                && amanat_core::crypto::random::is_id(&name)
                && !named.contains(&name)
            {
                std::fs::remove_file(entry.path())?;
                removed += 1;
            }
        }
        if removed > 0 {
            std::fs::File::open(self.blobs_dir())?.sync_all()?;
        }
        Ok(removed)
    }
}

/// The counters that differ, as `key: stored N, counted M`.
fn count_difference(
    scanned: &std::collections::BTreeMap<Vec<u8>, u64>,
    stored: &std::collections::BTreeMap<Vec<u8>, u64>,
) -> String {
    let keys: std::collections::BTreeSet<&Vec<u8>> = scanned.keys().chain(stored.keys()).collect();
    keys.into_iter()
        .filter(|k| scanned.get(*k) != stored.get(*k))
        .map(|k| {
            format!(
                "{}: stored {}, counted {}",
                String::from_utf8_lossy(k),
                stored.get(k).copied().unwrap_or(0),
                scanned.get(k).copied().unwrap_or(0)
            )
        })
        .collect::<Vec<_>>()
        .join("; ")
}
