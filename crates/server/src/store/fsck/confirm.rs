//! The second look of `fsck`: every finding of the checks is looked at
//! again, with point lookups, while writers are held off (the store's
//! write gate taken exclusively), and only what is still wrong is reported
//! or repaired. The checks themselves run without the gate, so a server can
//! go on writing while a large store is checked; what a concurrent write
//! made look wrong (an envelope deleted between reading its reference and
//! reading it, a report purged between its references and its record) is
//! dropped here. The gate is taken only when there is something to look at
//! again, for as long as the findings take, not for the scan; queue counts
//! that disagreed are counted again under it (a scan of the reports, but
//! only when the first count disagreed), and so are the derived trees.

use super::super::{BLOBS_DIR, SourceRecord, Store, StoreError, from_json, refs};
use super::checks::{Finding, parse_report};
use super::{FsckReport, Problem};
use std::collections::BTreeMap;

impl Store {
    /// Keeps the findings still true under the exclusive gate and, with
    /// `repair`, removes the leftovers among them (and rewrites counts that
    /// still differ) before the gate is released. Fills `out`.
    pub(super) fn settle(
        &self,
        mut out: FsckReport,
        found: Vec<Finding>,
        counts_differ: bool,
        derived_differ: bool,
        repair: bool,
    ) -> Result<FsckReport, StoreError> {
        if found.is_empty() && !counts_differ && !derived_differ {
            return Ok(out);
        }
        let _exclusive = match self.gate.write() {
            Ok(g) => g,
            Err(p) => p.into_inner(),
        };
        let mut leftovers = Vec::new();
        for f in found {
            if !self.still(&f)? {
                continue;
            }
            if f.problem.repairable() {
                leftovers.push(f);
            } else {
                out.problems.push(f.problem);
            }
        }
        let mut counts = None;
        if counts_differ {
            let (scanned, stored) = (self.scanned_counts()?, self.stored_counts()?);
            if scanned != stored {
                let detail = count_difference(&scanned, &stored);
                leftovers.push(Finding {
                    problem: Problem::Counts { detail },
                    key: Vec::new(),
                });
                counts = Some(scanned);
            }
        }
        let mut rebuild = false;
        if derived_differ {
            let problems = self.derived_problems()?;
            if let Some(first) = problems.first() {
                let detail = match problems.len() {
                    1 => first.clone(),
                    n => format!("{first}, and {} more", n - 1),
                };
                leftovers.push(Finding {
                    problem: Problem::Derived { detail },
                    key: Vec::new(),
                });
                rebuild = true;
            }
        }
        if repair {
            if let Some(counts) = &counts {
                self.replace_counts(counts)?;
            }
            if rebuild {
                self.build_derived()?;
            }
            self.remove_orphans(&leftovers)?;
            out.repaired = leftovers.into_iter().map(|f| f.problem).collect();
        } else {
            out.problems
                .extend(leftovers.into_iter().map(|f| f.problem));
        }
        Ok(out)
    }

    /// True if a finding still holds (point lookups only).
    fn still(&self, f: &Finding) -> Result<bool, StoreError> {
        let key = f.key.as_slice();
        Ok(match &f.problem {
            Problem::BadReport { .. } => match self.reports.get(key)? {
                Some(v) => parse_report(key, &v).is_err(),
                None => false,
            },
            Problem::MissingEnvelope { report, envelope }
            | Problem::BadEnvelope { report, envelope } => {
                self.still_names(report, envelope, false)?
                    && self.envelope_problem(report, envelope)?.as_ref() == Some(&f.problem)
            }
            Problem::MissingBlob { report, blob } | Problem::BadBlob { report, blob } => {
                self.still_names(report, blob, true)?
                    && self.blob_problem(report, blob).as_ref() == Some(&f.problem)
            }
            Problem::BadSource => match self.sources.get(key)? {
                Some(v) => from_json::<SourceRecord>("sources", &v).is_err(),
                None => false,
            },
            Problem::BadReviewer { .. } => match self.reviewers.get(key)? {
                Some(v) => from_json::<super::super::Reviewer>("reviewers", &v).is_err(),
                None => false,
            },
            Problem::OrphanEnvelope { .. } => self.envelopes.contains_key(key)?,
            Problem::OrphanRef { .. } => {
                let gone = match refs::report_of(key) {
                    Some(r) => !self.reports.contains_key(r.as_bytes())?,
                    None => true,
                };
                gone && (self.envelope_refs.contains_key(key)?
                    || self.blob_refs.contains_key(key)?)
            }
            Problem::DanglingSource { .. } => match self.sources.get(key)? {
                Some(v) => match from_json::<SourceRecord>("sources", &v) {
                    Ok(s) => !self.reports.contains_key(s.report_id.as_bytes())?,
                    Err(_) => false,
                },
                None => false,
            },
            Problem::OrphanBlob { blob: file }
            | Problem::StaleUpload { file }
            | Problem::UnknownFile { file } => self
                .dir
                .join(BLOBS_DIR)
                .join(file)
                .symlink_metadata()
                .is_ok(),
            Problem::Schema { .. }
            | Problem::Salt
            | Problem::Audit { .. }
            | Problem::Counts { .. }
            | Problem::Derived { .. } => true,
        })
    }

    /// True if report `report` still parses and names envelope (or, with
    /// `blob`, attachment) `id`.
    fn still_names(&self, report: &str, id: &str, blob: bool) -> Result<bool, StoreError> {
        let Some(v) = self.reports.get(report.as_bytes())? else {
            return Ok(false);
        };
        let Ok(record) = parse_report(report.as_bytes(), &v) else {
            return Ok(false);
        };
        let mut names = if blob {
            self.named_blobs(&record)
        } else {
            self.named_envelopes(&record)
        };
        for name in &mut names {
            if name? == id {
                return Ok(true);
            }
        }
        Ok(false)
    }

    /// Removes confirmed leftovers, then makes it durable.
    fn remove_orphans(&self, orphans: &[Finding]) -> Result<(), StoreError> {
        let mut envelopes = sled::Batch::default();
        let mut sources = sled::Batch::default();
        for Finding { problem, key } in orphans {
            match problem {
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
}

/// The counters that differ, as `key: stored N, counted M`.
fn count_difference(scanned: &BTreeMap<Vec<u8>, u64>, stored: &BTreeMap<Vec<u8>, u64>) -> String {
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
