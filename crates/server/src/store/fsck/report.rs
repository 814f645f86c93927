//! What `fsck` reports: the kinds of [`Problem`] and the [`FsckReport`]
//! with its text form. A new check adds its variant here, says whether
//! `--repair` removes it and how it reads.

use super::super::{BLOBS_DIR, OLDEST_SCHEMA, SCHEMA_VERSION};
use serde::Serialize;

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
    /// The trees derived from the reports (the queue order with its
    /// sealing summaries, the re-keying counts) disagree with them.
    Derived { detail: String },
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
                | Problem::Derived { .. }
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
            Problem::Derived { detail } => {
                write!(f, "the queue order disagrees with the reports: {detail}")
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
    /// The most ids the check held in memory at once in any of its sorted
    /// sets (bounded by [`super::FsckOptions::ids_in_memory`], whatever the
    /// size of the store). Not part of the output.
    #[serde(skip)]
    pub ids_in_memory_peak: usize,
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
