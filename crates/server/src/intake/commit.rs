//! Storing what a source sent: staged files become durable blobs first, then
//! the typed record that points at them is sealed to the reviewers as they
//! are at commit time and written in one store transaction. If the record
//! cannot be stored, the blobs go too: a report, message or withdrawal is
//! stored whole or not at all.
//!
//! Runs on the blocking pool. Logs no identifier: callers log aggregate
//! events, and the free-space check logs only that it could not read it.

use super::reviewers::{Recipients, ReviewerKeys, ReviewersError, SealError};
use super::upload::{AttachmentManifest, StagedFile};
use crate::store::{NewReport, NewSource, Store, StoreError};
use amanat_core::model::answers::ParsedReport;
use amanat_core::model::{Role, Urgency};
use amanat_core::records::{
    EnvelopeKind, IdentityRecord, IdentitySchema, QuestionnaireRef, Record, ReportRecord,
    ReportSchema,
};

/// Why staged files or the record pointing at them were not stored.
#[derive(Debug, thiserror::Error)]
pub enum CommitError {
    /// The triage reviewers changed while the files were uploading: the
    /// files are encrypted to a set that is no longer today's (a removed
    /// reviewer could read them, a new one could not). Nothing was kept.
    #[error("the reviewers changed during the upload")]
    RecipientsChanged,
    /// The reviewers could not be read (log detail, never shown).
    #[error(transparent)]
    Reviewers(#[from] ReviewersError),
    /// The record could not be sealed (log detail, never shown).
    #[error(transparent)]
    Seal(#[from] SealError),
    /// The store failed (log detail, never shown).
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// What a report is filed under besides its answers.
pub struct ReportContext<'a> {
    /// The questionnaire answered.
    pub questionnaire: QuestionnaireRef,
    /// The language the source wrote in.
    pub lang: &'a str,
    /// How the source comes back: their codename's lookup id and recipient.
    pub source: NewSource,
}

/// Encrypts the parsed report (and identity section), commits its blobs and
/// stores it durably. Returns the attachments' manifests.
pub fn seal_and_store(
    store: &Store,
    parsed: ParsedReport,
    files: Vec<StagedFile>,
    meta: ReportContext<'_>,
) -> Result<Vec<AttachmentManifest>, CommitError> {
    let keys = ReviewerKeys::load(store)?;
    // Blobs first, durable, then the record that points at them.
    let (blob_ids, manifests) = commit_files(store, files, &keys.triage)?;
    let result = seal_and_insert(store, parsed, &manifests, meta, &keys, &blob_ids);
    if result.is_err() {
        store.remove_blobs(&blob_ids);
    }
    result.map(|()| manifests)
}

/// Commits a follow-up's files, then seals the record `record` makes of
/// their manifests to today's triage reviewers and appends it to the report.
/// Returns the manifests.
pub fn append_with_files<R: Record>(
    store: &Store,
    report_id: &str,
    kind: EnvelopeKind,
    files: Vec<StagedFile>,
    record: impl FnOnce(&[AttachmentManifest]) -> R,
) -> Result<Vec<AttachmentManifest>, CommitError> {
    let triage = Recipients::load(store, Role::Triage)?;
    // Blobs first, durable, then the record that points at them.
    let (blob_ids, manifests) = commit_files(store, files, &triage)?;
    let result = triage
        .seal(kind, &record(&manifests))
        .map_err(CommitError::from)
        .and_then(|env| {
            store
                .append_envelope_with_blobs(report_id, env, &blob_ids)
                .map_err(CommitError::from)
        });
    if result.is_err() {
        store.remove_blobs(&blob_ids);
    }
    result.map(|_| manifests)
}

/// Seals a record without files (a consent withdrawal) to today's triage
/// reviewers and appends it to the report.
pub fn append<R: Record>(
    store: &Store,
    report_id: &str,
    kind: EnvelopeKind,
    record: &R,
) -> Result<(), CommitError> {
    let env = Recipients::load(store, Role::Triage)?.seal(kind, record)?;
    store.append_envelope(report_id, env)?;
    Ok(())
}

/// Makes staged files durable blobs and returns their ids and manifests,
/// each manifest naming its blob. The caller removes the blobs if the record
/// that points at them cannot be stored.
///
/// Refuses (and drops the staged files) unless every file is encrypted to
/// exactly `today`'s triage reviewers: the recipients were read when the
/// upload started, and a reviewer removed since must not receive it.
pub(super) fn commit_files(
    store: &Store,
    files: Vec<StagedFile>,
    today: &Recipients,
) -> Result<(Vec<String>, Vec<AttachmentManifest>), CommitError> {
    if files.iter().any(|f| !today.are(&f.recipients)) {
        return Err(CommitError::RecipientsChanged);
    }
    let (temps, mut manifests): (Vec<_>, Vec<_>) =
        files.into_iter().map(|f| (f.temp, f.manifest)).unzip();
    let blob_ids = store.commit_blobs(temps)?;
    for (m, id) in manifests.iter_mut().zip(&blob_ids) {
        m.blob = id.clone();
    }
    Ok((blob_ids, manifests))
}

fn seal_and_insert(
    store: &Store,
    parsed: ParsedReport,
    attachments: &[AttachmentManifest],
    meta: ReportContext<'_>,
    keys: &ReviewerKeys,
    blob_ids: &[String],
) -> Result<(), CommitError> {
    let ParsedReport {
        anonymity,
        report,
        identity,
        proposed_critical,
    } = parsed;
    let record = ReportRecord {
        anonymity,
        answers: report,
        attachments: attachments.to_vec(),
        lang: meta.lang.to_string(),
        questionnaire: meta.questionnaire,
        schema: ReportSchema,
    };
    let mut envelopes = vec![keys.triage.seal(EnvelopeKind::Report, &record)?];
    drop(record);
    if !identity.is_empty() {
        let record = IdentityRecord {
            answers: identity,
            schema: IdentitySchema,
        };
        envelopes.push(keys.identity.seal(EnvelopeKind::Identity, &record)?);
    }
    let urgency = if proposed_critical {
        Urgency::Critical
    } else {
        Urgency::Standard
    };
    store.insert_report(NewReport {
        anonymity,
        urgency,
        envelopes,
        source: Some(meta.source),
        blobs: blob_ids.to_vec(),
    })?;
    Ok(())
}

/// True if the file system holding `dir` has at least `floor` bytes free
/// for unprivileged writers (`limits.min_free_bytes`; 0 disables the check).
/// Fails closed: if the free space cannot be read, nothing is written.
pub(crate) fn has_free_space(dir: &std::path::Path, floor: u64) -> bool {
    if floor == 0 {
        return true;
    }
    match rustix::fs::statvfs(dir) {
        Ok(v) => v.f_bavail.saturating_mul(v.f_frsize) >= floor,
        Err(e) => {
            tracing::error!(target: "amanat::intake", "cannot read free space: {e}");
            false
        }
    }
}

#[cfg(test)]
mod tests;
