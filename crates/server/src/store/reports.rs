//! Writing reports: a new report with its envelopes and source lookup in
//! one transaction, appended and deleted envelopes, triage updates, purges,
//! and the KDF parameters sources' codenames were derived with. Every write
//! changes the queue counts, the queue order and the sealing summary (see
//! `order`, `sealing`) in the same transaction, writes a fixed amount
//! whatever the thread's length (a purge excepted), and returns only once
//! it is durable.

use super::{
    EnvelopeKind, EnvelopeRef, NewEnvelope, NewReport, ReportMeta, ReportRecord, SourceRecord,
    Store, StoreError, counts, from_json, order, refs, sealing, to_json, tx_err,
};
use amanat_core::crypto::codename::KdfParams;
use amanat_core::model::State;
use amanat_core::timeutil::Day;
use sled::Transactional;
use sled::transaction::{ConflictableTransactionError, TransactionalTree};

type TxResult<T> = Result<T, ConflictableTransactionError<StoreError>>;

impl Store {
    /// Stores a new report and its envelopes atomically, then flushes.
    ///
    /// Returns only once the data is on disk: the caller may then
    /// acknowledge the submission.
    pub fn insert_report(&self, new: NewReport) -> Result<ReportMeta, StoreError> {
        let _gate = self.write_gate();
        let received = Day::today();
        // Intake seals every file to exactly the recipients of the report
        // envelope committed with it (`intake::commit` refuses otherwise).
        let blob_recipients: Option<Vec<String>> = new
            .envelopes
            .iter()
            .find(|e| e.kind == EnvelopeKind::Report)
            .map(|e| e.recipients.clone());
        let blob_values = blob_values(&new.blobs, blob_recipients.as_deref())?;
        let mut envelopes = Vec::with_capacity(new.envelopes.len());
        let mut bodies = Vec::with_capacity(new.envelopes.len());
        for env in new.envelopes {
            let r = EnvelopeRef {
                id: amanat_core::crypto::random::id(),
                kind: env.kind,
                recipients: env.recipients,
                day: received,
            };
            bodies.push((to_json(&r)?, env.ciphertext));
            envelopes.push(r);
        }
        let record = ReportRecord {
            id: amanat_core::crypto::random::id(),
            received,
            state: State::New,
            urgency: new.urgency,
            urgency_confirmed: false,
            anonymity: new.anonymity,
            assignee: None,
            source_recipient: new.source.as_ref().map(|s| s.recipient.clone()),
            closed_reason: None,
            state_changed: None,
            next_envelope: envelopes.len() as u64,
            next_blob: new.blobs.len() as u64,
            envelopes: None,
            blobs: None,
        };
        let mut meta = record
            .clone()
            .into_meta(envelopes.clone(), new.blobs.clone());
        if let Some(r) = &blob_recipients {
            meta.blob_recipients = new
                .blobs
                .iter()
                .map(|b| super::BlobSealing {
                    blob: b.clone(),
                    recipients: r.clone(),
                })
                .collect();
        }
        let (seal, sets) = meta.sealing();
        let listed = order::Listed {
            head: record.head(),
            sealing: Some(seal),
        };
        let id = record.id.clone();
        let record_json = to_json(&record)?;
        let source = match &new.source {
            Some(s) => Some((
                s.lookup,
                to_json(&SourceRecord {
                    report_id: id.clone(),
                    recipient: s.recipient.clone(),
                    kdf: s.kdf,
                })?,
            )),
            None => None,
        };
        if let Some(s) = &new.source {
            self.remember_kdf(s.kdf)?;
        }
        let count = counts::key(State::New, new.urgency, false);
        (
            &self.reports,
            &self.envelopes,
            &self.envelope_refs,
            &self.blob_refs,
            &self.sources,
            &self.counts,
            &self.order,
            &self.recipient_sets,
            &self.sealing_counts,
        )
            .transaction(
                |(
                    reports,
                    bodies_tree,
                    env_refs,
                    blob_refs,
                    sources,
                    counts,
                    order_tree,
                    sets_tree,
                    seal_counts,
                )| {
                    if let Some((lookup, record)) = &source {
                        // 256-bit lookup ids do not collide; refuse rather than overwrite.
                        if sources.get(lookup)?.is_some() {
                            return Err(ConflictableTransactionError::Abort(StoreError::Conflict(
                                "source lookup id already exists".into(),
                            )));
                        }
                        sources.insert(lookup.as_slice(), record.as_slice())?;
                    }
                    for (seq, ((r_json, body), r)) in bodies.iter().zip(&envelopes).enumerate() {
                        bodies_tree.insert(r.id.as_bytes(), body.as_slice())?;
                        env_refs.insert(refs::key(&id, seq as u64), r_json.as_slice())?;
                    }
                    for (seq, value) in blob_values.iter().enumerate() {
                        blob_refs.insert(refs::key(&id, seq as u64), value.as_slice())?;
                    }
                    reports.insert(id.as_bytes(), record_json.as_slice())?;
                    for set in &sets {
                        sealing::note_set(sets_tree, set)?;
                    }
                    order::put(order_tree, None, &listed)?;
                    sealing::recount(seal_counts, None, listed.sealing.as_ref())?;
                    counts::add(counts, &count, 1)
                },
            )
            .map_err(tx_err)?;
        self.durable()?;
        Ok(meta)
    }

    /// Adds an envelope (a follow-up message or a reply) to a report,
    /// atomically, then flushes.
    pub fn append_envelope(
        &self,
        report_id: &str,
        env: NewEnvelope,
    ) -> Result<EnvelopeRef, StoreError> {
        self.append_envelope_with_blobs(report_id, env, &[])
    }

    /// Adds an envelope and the blobs it names (already committed with
    /// `commit_blobs`) to a report, atomically, then flushes. The blobs then
    /// belong to the report: they are served with it and deleted with it.
    /// Writes the small report record, one reference per item and the
    /// ciphertext: the same amount whatever the thread's length.
    pub fn append_envelope_with_blobs(
        &self,
        report_id: &str,
        env: NewEnvelope,
        blobs: &[String],
    ) -> Result<EnvelopeRef, StoreError> {
        let _gate = self.write_gate();
        let r = EnvelopeRef {
            id: amanat_core::crypto::random::id(),
            kind: env.kind,
            recipients: env.recipients,
            day: Day::today(),
        };
        let r_json = to_json(&r)?;
        // Files come with the message envelope, sealed to its recipients.
        let blob_values = blob_values(blobs, Some(&r.recipients))?;
        let files = blobs.len() as i64;
        (
            &self.reports,
            &self.envelopes,
            &self.envelope_refs,
            &self.blob_refs,
            &self.order,
            &self.recipient_sets,
            &self.sealing_counts,
        )
            .transaction(
                |(reports, bodies, env_refs, blob_refs, order_tree, sets, seal_counts)| {
                    let mut record = record_in(reports, report_id)?;
                    let change = [(Some(&r.recipients[..]), 1, files)];
                    sealing::reseal_listed(order_tree, &record, sets, seal_counts, &change)?;
                    bodies.insert(r.id.as_bytes(), env.ciphertext.as_slice())?;
                    env_refs.insert(
                        refs::key(report_id, record.next_envelope),
                        r_json.as_slice(),
                    )?;
                    record.next_envelope += 1;
                    for value in &blob_values {
                        blob_refs
                            .insert(refs::key(report_id, record.next_blob), value.as_slice())?;
                        record.next_blob += 1;
                    }
                    put_record(reports, &record)
                },
            )
            .map_err(tx_err)?;
        self.durable()?;
        Ok(r)
    }

    /// Deletes one envelope of `kind` from a report (a source deleting a
    /// reply they have read), atomically, then flushes.
    pub fn delete_envelope(
        &self,
        report_id: &str,
        envelope_id: &str,
        kind: EnvelopeKind,
    ) -> Result<(), StoreError> {
        let _gate = self.write_gate();
        let key = self
            .envelope_ref_entries(report_id)?
            .into_iter()
            .find(|(_, e)| e.id == envelope_id && e.kind == kind)
            .map(|(k, _)| k)
            .ok_or(StoreError::NotFound)?;
        (
            &self.reports,
            &self.envelopes,
            &self.envelope_refs,
            &self.order,
            &self.recipient_sets,
            &self.sealing_counts,
        )
            .transaction(
                |(reports, bodies, env_refs, order_tree, sets, seal_counts)| {
                    // Removed meanwhile (with its report, or by another request).
                    let record = record_in(reports, report_id)?;
                    let Some(raw) = env_refs.get(&key)? else {
                        return Err(ConflictableTransactionError::Abort(StoreError::NotFound));
                    };
                    let gone: EnvelopeRef = from_json("report_envelopes", &raw)
                        .map_err(ConflictableTransactionError::Abort)?;
                    env_refs.remove(&key)?;
                    bodies.remove(envelope_id.as_bytes())?;
                    let change = [(Some(&gone.recipients[..]), -1, 0)];
                    sealing::reseal_listed(order_tree, &record, sets, seal_counts, &change)
                },
            )
            .map_err(tx_err)?;
        self.durable()?;
        Ok(())
    }

    /// Changes a report's triage metadata atomically, with an optional note
    /// envelope, provided its state is still `expected` (else `Conflict`:
    /// another reviewer changed it meanwhile). Flushes before returning.
    /// `change` sees the metadata without its envelope and attachment lists;
    /// the result has them.
    pub fn update_report(
        &self,
        report_id: &str,
        expected: State,
        change: impl Fn(&mut ReportMeta),
        note: Option<NewEnvelope>,
    ) -> Result<ReportMeta, StoreError> {
        let _gate = self.write_gate();
        let note = match note {
            Some(n) => {
                let r = EnvelopeRef {
                    id: amanat_core::crypto::random::id(),
                    kind: n.kind,
                    recipients: n.recipients,
                    day: Day::today(),
                };
                Some((to_json(&r)?, r, n.ciphertext))
            }
            None => None,
        };
        let updated = (
            &self.reports,
            &self.envelopes,
            &self.envelope_refs,
            &self.counts,
            &self.order,
            &self.recipient_sets,
            &self.sealing_counts,
        )
            .transaction(
                |(reports, bodies, env_refs, counts, order_tree, sets, seal_counts)| {
                    let mut record = record_in(reports, report_id)?;
                    let head_before = record.head();
                    let mut listed = order::entry_in(order_tree, &head_before)?;
                    if record.state != expected {
                        return Err(ConflictableTransactionError::Abort(StoreError::Conflict(
                            format!(
                                "the report is now `{}`; another reviewer changed it",
                                record.state
                            ),
                        )));
                    }
                    let before =
                        counts::key(record.state, record.urgency, record.assignee.is_some());
                    let mut meta = record.clone().into_meta(Vec::new(), Vec::new());
                    change(&mut meta);
                    record.set_fields(&meta);
                    if let Some((r_json, r, ct)) = &note {
                        bodies.insert(r.id.as_bytes(), ct.as_slice())?;
                        env_refs.insert(
                            refs::key(report_id, record.next_envelope),
                            r_json.as_slice(),
                        )?;
                        record.next_envelope += 1;
                        let source = record.source_recipient.as_deref();
                        let change = [(Some(&r.recipients[..]), 1, 0)];
                        sealing::reseal(&mut listed, source, sets, seal_counts, &change)?;
                    }
                    let head_after = record.head();
                    if head_after != head_before || note.is_some() {
                        listed.head = head_after;
                        order::put(order_tree, Some(&head_before), &listed)?;
                    }
                    let after =
                        counts::key(record.state, record.urgency, record.assignee.is_some());
                    if before != after {
                        counts::add(counts, &before, -1)?;
                        counts::add(counts, &after, 1)?;
                    }
                    put_record(reports, &record)?;
                    Ok(record)
                },
            )
            .map_err(tx_err)?;
        self.durable()?;
        self.assemble(updated)
    }

    /// Removes a report completely in one transaction: its record, every
    /// envelope and reference, its source lookup and its count; then its
    /// blobs; then flushes.
    pub fn purge(&self, report_id: &str) -> Result<ReportMeta, StoreError> {
        let _gate = self.write_gate();
        let mut lookups = Vec::new();
        for item in self.sources.iter() {
            let (k, v) = item?;
            let rec: SourceRecord = from_json("sources", &v)?;
            if rec.report_id == report_id {
                lookups.push(k);
            }
        }
        let record = (
            &self.reports,
            &self.envelopes,
            &self.envelope_refs,
            &self.blob_refs,
            &self.sources,
            &self.counts,
            &self.order,
            &self.sealing_counts,
        )
            .transaction(
                |(
                    reports,
                    bodies,
                    env_refs,
                    blob_refs,
                    sources,
                    counts,
                    order_tree,
                    seal_counts,
                )| {
                    let record = record_in(reports, report_id)?;
                    // Sequence numbers run from 0 to the counters: every
                    // reference is found inside the transaction, none missed.
                    let mut envelopes = Vec::new();
                    for seq in 0..record.next_envelope {
                        let key = refs::key(report_id, seq);
                        if let Some(v) = env_refs.remove(key)? {
                            let r: EnvelopeRef = from_json("report_envelopes", &v)
                                .map_err(ConflictableTransactionError::Abort)?;
                            bodies.remove(r.id.as_bytes())?;
                            envelopes.push(r);
                        }
                    }
                    let mut blobs = Vec::new();
                    for seq in 0..record.next_blob {
                        if let Some(v) = blob_refs.remove(refs::key(report_id, seq))? {
                            blobs.push(
                                refs::blob_id(&v).map_err(ConflictableTransactionError::Abort)?,
                            );
                        }
                    }
                    for k in &lookups {
                        sources.remove(k)?;
                    }
                    reports.remove(report_id.as_bytes())?;
                    let count =
                        counts::key(record.state, record.urgency, record.assignee.is_some());
                    counts::add(counts, &count, -1)?;
                    let listed = order::entry_in(order_tree, &record.head())?;
                    order::remove(order_tree, &record.head())?;
                    sealing::recount(seal_counts, listed.sealing.as_ref(), None)?;
                    Ok(record.clone().into_meta(envelopes, blobs))
                },
            )
            .map_err(tx_err)?;
        self.durable()?;
        self.remove_blobs(&record.blobs);
        Ok(record)
    }

    /// The source record for a derived lookup id.
    pub fn source(&self, lookup: &[u8; 32]) -> Result<Option<SourceRecord>, StoreError> {
        self.sources
            .get(lookup)?
            .map(|v| from_json("sources", &v))
            .transpose()
    }

    /// Every set of KDF parameters any stored source uses, so that a login
    /// can derive with each (parameters may be raised over time).
    pub fn kdf_param_sets(&self) -> Result<Vec<KdfParams>, StoreError> {
        match self.meta.get("kdf_param_sets")? {
            Some(v) => from_json("meta", &v),
            None => Ok(Vec::new()),
        }
    }

    fn remember_kdf(&self, p: KdfParams) -> Result<(), StoreError> {
        let mut sets = self.kdf_param_sets()?;
        if !sets.contains(&p) {
            sets.push(p);
            self.meta.insert("kdf_param_sets", to_json(&sets)?)?;
        }
        Ok(())
    }
}

/// A report's record read inside a transaction: `NotFound`, or `Corrupt`
/// for a record that does not parse or is still in the schema 1 layout
/// (the store is migrated before anything writes to it).
pub(super) fn record_in(reports: &TransactionalTree, id: &str) -> TxResult<ReportRecord> {
    let Some(raw) = reports.get(id.as_bytes())? else {
        return Err(ConflictableTransactionError::Abort(StoreError::NotFound));
    };
    let record: ReportRecord =
        from_json("reports", &raw).map_err(ConflictableTransactionError::Abort)?;
    if record.is_legacy() {
        return Err(ConflictableTransactionError::Abort(StoreError::Corrupt {
            tree: "reports",
            detail: format!("report {id} is still in the schema 1 layout"),
        }));
    }
    Ok(record)
}

/// Writes a report's record inside a transaction.
pub(super) fn put_record(reports: &TransactionalTree, record: &ReportRecord) -> TxResult<()> {
    let json = to_json(record).map_err(ConflictableTransactionError::Abort)?;
    reports.insert(record.id.as_bytes(), json)?;
    Ok(())
}

/// The stored references of `blobs`, each sealed to `recipients` when known.
fn blob_values(
    blobs: &[String],
    recipients: Option<&[String]>,
) -> Result<Vec<Vec<u8>>, StoreError> {
    blobs
        .iter()
        .map(|b| refs::blob_value(b, recipients))
        .collect()
}
