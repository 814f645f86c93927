//! Writing reports: a new report with its envelopes and source lookup in
//! one transaction, appended and deleted envelopes, triage updates, purges,
//! and the KDF parameters sources' codenames were derived with. Every write
//! returns only once it is durable.

use super::{
    EnvelopeKind, EnvelopeRef, NewEnvelope, NewReport, ReportMeta, SourceRecord, Store, StoreError,
    from_json, to_json, tx_err,
};
use amanat_core::crypto::codename::KdfParams;
use amanat_core::model::State;
use amanat_core::timeutil::Day;
use sled::Transactional;
use sled::transaction::ConflictableTransactionError;

impl Store {
    /// Stores a new report and its envelopes atomically, then flushes.
    ///
    /// Returns only once the data is on disk: the caller may then
    /// acknowledge the submission.
    pub fn insert_report(&self, new: NewReport) -> Result<ReportMeta, StoreError> {
        let _gate = self.write_gate();
        let report_recipients = new
            .envelopes
            .iter()
            .find(|e| e.kind == EnvelopeKind::Report)
            .map(|e| &e.recipients);
        let blob_recipients = super::rekey::committed_with(&new.blobs, report_recipients);
        let mut meta = ReportMeta {
            id: amanat_core::crypto::random::id(),
            received: Day::today(),
            state: State::New,
            urgency: new.urgency,
            urgency_confirmed: false,
            anonymity: new.anonymity,
            assignee: None,
            envelopes: Vec::new(),
            source_recipient: new.source.as_ref().map(|s| s.recipient.clone()),
            blobs: new.blobs.clone(),
            closed_reason: None,
            state_changed: None,
            blob_recipients,
        };
        let mut bodies = Vec::new();
        for env in new.envelopes {
            let id = amanat_core::crypto::random::id();
            meta.envelopes.push(EnvelopeRef {
                id: id.clone(),
                kind: env.kind,
                recipients: env.recipients,
                day: meta.received,
            });
            bodies.push((id, env.ciphertext));
        }
        let meta_json = to_json(&meta)?;
        let source = match &new.source {
            Some(s) => Some((
                s.lookup,
                to_json(&SourceRecord {
                    report_id: meta.id.clone(),
                    recipient: s.recipient.clone(),
                    kdf: s.kdf,
                })?,
            )),
            None => None,
        };
        if let Some(s) = &new.source {
            self.remember_kdf(s.kdf)?;
        }
        (&self.reports, &self.envelopes, &self.sources)
            .transaction(|(reports, envelopes, sources)| {
                if let Some((lookup, record)) = &source {
                    // 256-bit lookup ids do not collide; refuse rather than overwrite.
                    if sources.get(lookup)?.is_some() {
                        return Err(ConflictableTransactionError::Abort(StoreError::Conflict(
                            "source lookup id already exists".into(),
                        )));
                    }
                    sources.insert(lookup.as_slice(), record.as_slice())?;
                }
                for (id, body) in &bodies {
                    envelopes.insert(id.as_bytes(), body.as_slice())?;
                }
                reports.insert(meta.id.as_bytes(), meta_json.as_slice())?;
                Ok::<_, ConflictableTransactionError<StoreError>>(())
            })
            .map_err(tx_err)?;
        self.refresh_head(&meta.id);
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
        (&self.reports, &self.envelopes)
            .transaction(|(reports, envelopes)| {
                let Some(raw) = reports.get(report_id.as_bytes())? else {
                    return Err(ConflictableTransactionError::Abort(StoreError::NotFound));
                };
                let mut meta: ReportMeta =
                    from_json("reports", &raw).map_err(ConflictableTransactionError::Abort)?;
                meta.envelopes.push(r.clone());
                meta.blobs.extend_from_slice(blobs);
                meta.blob_recipients
                    .extend(super::rekey::committed_with(blobs, Some(&r.recipients)));
                let json = to_json(&meta).map_err(ConflictableTransactionError::Abort)?;
                envelopes.insert(r.id.as_bytes(), env.ciphertext.as_slice())?;
                reports.insert(report_id.as_bytes(), json)?;
                Ok(())
            })
            .map_err(tx_err)?;
        self.refresh_head(report_id);
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
        (&self.reports, &self.envelopes)
            .transaction(|(reports, envelopes)| {
                let Some(raw) = reports.get(report_id.as_bytes())? else {
                    return Err(ConflictableTransactionError::Abort(StoreError::NotFound));
                };
                let mut meta: ReportMeta =
                    from_json("reports", &raw).map_err(ConflictableTransactionError::Abort)?;
                let before = meta.envelopes.len();
                meta.envelopes
                    .retain(|e| !(e.id == envelope_id && e.kind == kind));
                if meta.envelopes.len() == before {
                    return Err(ConflictableTransactionError::Abort(StoreError::NotFound));
                }
                let json = to_json(&meta).map_err(ConflictableTransactionError::Abort)?;
                envelopes.remove(envelope_id.as_bytes())?;
                reports.insert(report_id.as_bytes(), json)?;
                Ok(())
            })
            .map_err(tx_err)?;
        self.refresh_head(report_id);
        self.durable()?;
        Ok(())
    }

    /// Changes a report's triage metadata atomically, with an optional note
    /// envelope, provided its state is still `expected` (else `Conflict`:
    /// another reviewer changed it meanwhile). Flushes before returning.
    pub fn update_report(
        &self,
        report_id: &str,
        expected: State,
        change: impl Fn(&mut ReportMeta),
        note: Option<NewEnvelope>,
    ) -> Result<ReportMeta, StoreError> {
        let _gate = self.write_gate();
        let note_ref = note.as_ref().map(|n| EnvelopeRef {
            id: amanat_core::crypto::random::id(),
            kind: n.kind,
            recipients: n.recipients.clone(),
            day: Day::today(),
        });
        let updated = (&self.reports, &self.envelopes)
            .transaction(|(reports, envelopes)| {
                let Some(raw) = reports.get(report_id.as_bytes())? else {
                    return Err(ConflictableTransactionError::Abort(StoreError::NotFound));
                };
                let mut meta: ReportMeta =
                    from_json("reports", &raw).map_err(ConflictableTransactionError::Abort)?;
                if meta.state != expected {
                    return Err(ConflictableTransactionError::Abort(StoreError::Conflict(
                        format!(
                            "the report is now `{}`; another reviewer changed it",
                            meta.state
                        ),
                    )));
                }
                change(&mut meta);
                if let (Some(r), Some(n)) = (&note_ref, &note) {
                    envelopes.insert(r.id.as_bytes(), n.ciphertext.as_slice())?;
                    meta.envelopes.push(r.clone());
                }
                let json = to_json(&meta).map_err(ConflictableTransactionError::Abort)?;
                reports.insert(report_id.as_bytes(), json)?;
                Ok(meta)
            })
            .map_err(tx_err)?;
        self.refresh_head(report_id);
        self.durable()?;
        Ok(updated)
    }

    /// Removes a report completely in one transaction: its record, every
    /// envelope and its source lookup; then its blobs; then flushes.
    pub fn purge(&self, report_id: &str) -> Result<ReportMeta, StoreError> {
        let _gate = self.write_gate();
        let meta = self.report(report_id)?.ok_or(StoreError::NotFound)?;
        let mut lookups = Vec::new();
        for item in self.sources.iter() {
            let (k, v) = item?;
            let rec: SourceRecord = from_json("sources", &v)?;
            if rec.report_id == report_id {
                lookups.push(k);
            }
        }
        (&self.reports, &self.envelopes, &self.sources)
            .transaction(|(reports, envelopes, sources)| {
                for e in &meta.envelopes {
                    envelopes.remove(e.id.as_bytes())?;
                }
                for k in &lookups {
                    sources.remove(k)?;
                }
                reports.remove(report_id.as_bytes())?;
                Ok::<_, ConflictableTransactionError<StoreError>>(())
            })
            .map_err(tx_err)?;
        self.refresh_head(report_id);
        self.durable()?;
        self.remove_blobs(&meta.blobs);
        Ok(meta)
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
