//! The trees derived from the reports (schema 3): the queue in order
//! (`queue_order`, see `order`) and what each report is sealed to (the
//! record's [`Sealing`], `recipient_sets` and `sealing_counts`, see
//! `sealing`). Every write keeps them current in its own transaction; this
//! module builds them from scratch (the migration from schema 2, and
//! `fsck --repair`) and checks them against the records and references
//! (`fsck`). Both walk the reports in batches: memory is bounded by a
//! batch, not by the number of reports.

use super::order::Listed;
use super::sealing::{self, Sealing};
use super::{MIGRATION_BATCH, ReportMeta, ReportRecord, Store, StoreError};
use super::{from_json, order, tx_err};
use sled::Transactional;
use sled::transaction::ConflictableTransactionError;
use std::collections::BTreeMap;
use std::ops::Bound;

impl ReportMeta {
    /// What this report's envelopes and files are sealed to, as a sealing
    /// summary and the canonical sets it names.
    pub(super) fn sealing(&self) -> (Sealing, Vec<Vec<String>>) {
        let source = self.source_recipient.as_deref();
        let mut s = Sealing::default();
        let mut sets: Vec<Vec<String>> = Vec::new();
        let mut note = |set: Vec<String>, s: &mut Sealing, envelopes, files| {
            s.add(&sealing::fingerprint(&set), envelopes, files);
            if !sets.contains(&set) {
                sets.push(set);
            }
        };
        for e in &self.envelopes {
            note(sealing::canonical(&e.recipients, source), &mut s, 1, 0);
        }
        for b in &self.blobs {
            match self.sealed_to(b) {
                Some(r) => note(sealing::canonical(r, source), &mut s, 0, 1),
                None => s.add_unknown(1),
            }
        }
        (s, sets)
    }
}

impl Store {
    /// Builds every derived tree from the reports and their references,
    /// replacing whatever they held. Run with writes held off (the
    /// migration holds the write gate; `fsck --repair` too).
    pub(super) fn build_derived(&self) -> Result<usize, StoreError> {
        self.order.clear()?;
        self.sealing_counts.clear()?;
        let mut after: Option<sled::IVec> = None;
        let mut built = 0;
        loop {
            let from = match &after {
                Some(k) => Bound::Excluded(k.clone()),
                None => Bound::Unbounded,
            };
            let mut batch = Vec::with_capacity(MIGRATION_BATCH);
            for item in self.reports.range((from, Bound::Unbounded)) {
                let (k, v) = item?;
                let record: ReportRecord = from_json("reports", &v)?;
                let head = record.head();
                let (seal, sets) = self.assemble(record)?.sealing();
                let listed = Listed {
                    head,
                    sealing: Some(seal),
                };
                batch.push((k, listed, sets));
                if batch.len() == MIGRATION_BATCH {
                    break;
                }
            }
            let Some((last, _, _)) = batch.last() else {
                break;
            };
            after = Some(last.clone());
            built += batch.len();
            (&self.order, &self.recipient_sets, &self.sealing_counts)
                .transaction(|(order_tree, sets_tree, seal_counts)| {
                    for (_, listed, sets) in &batch {
                        for set in sets {
                            sealing::note_set(sets_tree, set)?;
                        }
                        order::put(order_tree, None, listed)?;
                        sealing::recount(seal_counts, None, listed.sealing.as_ref())?;
                    }
                    Ok::<_, ConflictableTransactionError<StoreError>>(())
                })
                .map_err(tx_err)?;
            self.durable()?;
        }
        Ok(built)
    }

    /// What is wrong with the derived trees, each as one sentence naming
    /// report ids, never contents. Empty when they agree with the reports.
    pub fn derived_problems(&self) -> Result<Vec<String>, StoreError> {
        let mut problems = Vec::new();
        let mut signatures: BTreeMap<Vec<u8>, u64> = BTreeMap::new();
        for item in self.reports.iter() {
            let (_, v) = item?;
            let Ok(record) = from_json::<ReportRecord>("reports", &v) else {
                continue; // a bad record is fsck's own finding
            };
            let id = record.id.clone();
            let head = record.head();
            let (expected, sets) = self.assemble(record)?.sealing();
            match self.order.get(order::key_of(&head))? {
                Some(stored) => match order::entry(&stored) {
                    Ok(listed) if listed.head != head => {
                        problems.push(format!("report {id}'s place in the queue is stale"));
                    }
                    Ok(Listed {
                        sealing: Some(s), ..
                    }) if same_sealing(&s, &expected) => {}
                    Ok(Listed { sealing: None, .. }) => {
                        problems.push(format!("report {id} has no sealing summary"));
                    }
                    Ok(_) => problems.push(format!("report {id}'s sealing summary is stale")),
                    Err(_) => problems.push(format!("report {id}'s queue entry does not parse")),
                },
                None => problems.push(format!("report {id} is missing from the queue order")),
            }
            for set in sets {
                if self.recipient_set(&sealing::fingerprint(&set)).is_err() {
                    problems.push(format!("report {id} names a recipient set not stored"));
                }
            }
            *signatures.entry(expected.signature()).or_default() += 1;
        }
        for item in self.order.iter() {
            let (k, _) = item?;
            let known = match order::parse_key(&k) {
                Some(place) => match self.report_head(&place.id)? {
                    Some(h) => order::key_of(&h) == k.as_ref(),
                    None => false,
                },
                None => false,
            };
            if !known {
                problems.push("the queue order holds an entry for no report".into());
            }
        }
        let mut stored = BTreeMap::new();
        for item in self.sealing_counts.iter() {
            let (k, v) = item?;
            stored.insert(k.to_vec(), serde_json::from_slice::<u64>(&v).unwrap_or(0));
        }
        if stored != signatures {
            problems.push("the re-keying counts differ from a count of the reports".into());
        }
        Ok(problems)
    }
}

/// True if two summaries count the same sets (in whatever order).
fn same_sealing(a: &Sealing, b: &Sealing) -> bool {
    let sorted = |s: &Sealing| {
        let mut v = s.sets.clone();
        v.sort_by(|x, y| x.set.cmp(&y.set));
        (v, s.unknown_files)
    };
    sorted(a) == sorted(b)
}
