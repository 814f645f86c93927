//! Reports and what they hold: the queue, one report's envelopes, its
//! attachments, its identity section, and replies to the source.
//!
//! Everything served is ciphertext or plaintext triage metadata; identity
//! envelopes go only to reviewers with the identity role. Every read is
//! audited before anything is served. Logs name reviewer and report ids,
//! never content.

use super::ReviewState;
use super::error::{ApiError, ApiResult};
use super::extract::{AttachmentPath, Authed, JsonBody, ReportId, Triage};
use crate::store::{
    EnvelopeKind, EnvelopeRef, NewEnvelope, ReportMeta, Reviewer, Store, StoreError,
};
use actix_web::{HttpResponse, web};
use amanat_core::api::{
    EnvelopeData, ErrorCode, IdentityData, ReplyCreated, ReplyRequest, ReportDetail, ReportList,
    ReportSummary,
};
use amanat_core::audit::Action;
use amanat_core::crypto::envelope;
use amanat_core::model::Role;
use data_encoding::BASE64;

/// The queue, most urgent then oldest first (audited).
pub(super) async fn list_reports(who: Authed<Triage>, st: web::Data<ReviewState>) -> ApiResult {
    st.audit(&who.id, Action::ListReports, None, None)?;
    let store = st.store.clone();
    // Reading, mapping, sorting and serialising every report is work for a
    // blocking thread, not for the async worker.
    let body = web::block(move || -> Result<Vec<u8>, StoreError> {
        let reviewers = store.reviewers()?;
        let mut reports: Vec<ReportSummary> = store.map_report_heads(|h| ReportSummary {
            assignee_name: h
                .assignee
                .as_ref()
                .and_then(|a| reviewers.iter().find(|r| &r.id == a))
                .map(|r| r.name.clone()),
            state_day: h.state_day(),
            id: h.id.clone(),
            received: h.received,
            state: h.state,
            closed_reason: h.closed_reason,
            urgency: h.urgency,
            urgency_confirmed: h.urgency_confirmed,
            anonymity: h.anonymity,
            assignee: h.assignee.clone(),
        })?;
        // Most urgent first, then oldest first. Ids are unique, so an
        // unstable sort gives the one order, faster.
        reports.sort_unstable_by(|a, b| {
            (a.urgency, a.received, &a.id).cmp(&(b.urgency, b.received, &b.id))
        });
        // About 230 bytes a report: one allocation instead of ~20 doublings.
        let mut body = Vec::with_capacity(256 * reports.len() + 16);
        serde_json::to_writer(&mut body, &ReportList { reports }).map_err(|e| {
            StoreError::Corrupt {
                tree: "reports",
                detail: e.to_string(),
            }
        })?;
        Ok(body)
    })
    .await
    .map_err(ApiError::internal)??;
    Ok(HttpResponse::Ok()
        .content_type("application/json")
        .body(body))
}

/// A report's metadata and the envelopes this reviewer may read (audited;
/// a withheld identity section is audited as a denied read too).
pub(super) async fn get_report(
    who: Authed<Triage>,
    id: ReportId,
    st: web::Data<ReviewState>,
) -> ApiResult {
    let (detail, _) = report_detail(&st, &who, &id, Action::ReadReport)?;
    Ok(HttpResponse::Ok().json(detail))
}

/// Report `id` as `reviewer` may read it, and its metadata; the read is
/// audited as `action` (a withheld identity section as a denied read too).
pub(super) fn report_detail(
    st: &ReviewState,
    who: &Reviewer,
    id: &str,
    action: Action,
) -> Result<(ReportDetail, ReportMeta), ApiError> {
    let meta = find_report(st, id)?;
    let may_identity = who.has(Role::Identity);
    let mut envelopes = Vec::new();
    let mut withheld = false;
    for e in &meta.envelopes {
        if e.kind == EnvelopeKind::Identity && !may_identity {
            withheld = true;
            continue;
        }
        envelopes.push(envelope_data(&st.store, id, e)?);
    }
    let reply_recipients = reply_recipients(&st.store, &meta)?;
    let detail = (action == Action::SyncRead).then(|| "report".to_string());
    st.audit(&who.id, action, Some(id), detail)?;
    if withheld {
        st.audit(&who.id, Action::ReadIdentityDenied, Some(id), None)?;
    }
    tracing::info!(target: "amanat::review", reviewer = %who.id, report = %id, "report read");
    let detail = ReportDetail {
        report: summary(&meta),
        envelopes,
        identity_withheld: withheld,
        reply_recipients,
    };
    Ok((detail, meta))
}

/// Stores a reply the CLI encrypted to the source and the triage reviewers.
pub(super) async fn post_reply(
    who: Authed<Triage>,
    id: ReportId,
    JsonBody(r): JsonBody<ReplyRequest>,
    st: web::Data<ReviewState>,
) -> ApiResult {
    let created = store_reply(&st, &who.id, &id, &r)?;
    Ok(HttpResponse::Created().json(created))
}

/// Stores a reply by `reviewer_id` to report `id` with every check of the
/// online route.
pub(super) fn store_reply(
    st: &ReviewState,
    reviewer_id: &str,
    id: &str,
    r: &ReplyRequest,
) -> Result<ReplyCreated, ApiError> {
    let meta = find_report(st, id)?;
    let recipients = reply_recipients(&st.store, &meta)?;
    if recipients.is_empty() {
        return Err(ApiError::new(
            ErrorCode::Conflict,
            "this report has no follow-up channel to reply through",
        ));
    }
    // The server never sees the reply's plaintext; it can check only that
    // this is age ciphertext with one X25519 stanza per expected recipient.
    let (ct, types) = age_file("ciphertext", &r.ciphertext)?;
    if !x25519_to(&types, recipients.len()) {
        return Err(ApiError::bad_request(format!(
            "the reply must be encrypted to exactly the {} X25519 recipients listed in `reply_recipients` (found {} stanza(s) of types {:?}); fetch the report again and re-encrypt",
            recipients.len(),
            types.len(),
            types
        )));
    }
    // Audited first: an action that cannot be audited is not done.
    st.audit(reviewer_id, Action::Reply, Some(id), None)?;
    let stored = st.store.append_envelope(
        id,
        NewEnvelope {
            kind: EnvelopeKind::Reply,
            ciphertext: ct,
            recipients,
        },
    )?;
    tracing::info!(target: "amanat::review", reviewer = %reviewer_id, report = %id, "reply stored");
    Ok(ReplyCreated {
        id: stored.id,
        day: stored.day,
    })
}

/// Streams one encrypted attachment of a report. The server sends the
/// ciphertext as stored; only the CLI can decrypt it.
pub(super) async fn get_blob(
    who: Authed<Triage>,
    path: AttachmentPath,
    st: web::Data<ReviewState>,
) -> ApiResult {
    let AttachmentPath { report: id, blob } = path;
    blob_response(&st, &who.id, &id, blob, Action::ReadAttachment)
}

/// Streams attachment `blob` of report `id`; the read is audited as
/// `action` by `reviewer_id`.
pub(super) fn blob_response(
    st: &ReviewState,
    reviewer_id: &str,
    id: &str,
    blob: String,
    action: Action,
) -> ApiResult {
    let meta = find_report(st, id)?;
    if !meta.blobs.contains(&blob) {
        return Err(ApiError::not_found("attachment"));
    }
    let path = st
        .store
        .blob_path(&blob)
        .ok_or_else(|| ApiError::not_found("attachment"))?;
    let file = std::fs::File::open(&path)
        .map_err(|e| ApiError::internal(format!("blob {blob} of report {id}: {e}")))?;
    let len = file.metadata().map_err(ApiError::internal)?.len();
    st.audit(reviewer_id, action, Some(id), Some(blob))?;
    tracing::info!(target: "amanat::review", reviewer = %reviewer_id, report = %id, "attachment read");
    Ok(HttpResponse::Ok()
        .content_type("application/octet-stream")
        .no_chunking(len)
        .streaming(file_stream(file)))
}

/// A file as a stream of chunks, read on a blocking thread.
fn file_stream(
    file: std::fs::File,
) -> impl futures_util::Stream<Item = Result<web::Bytes, std::io::Error>> {
    let (tx, rx) = tokio::sync::mpsc::channel::<Result<web::Bytes, std::io::Error>>(4);
    std::thread::spawn(move || {
        use std::io::Read;
        let mut file = file;
        loop {
            let mut buf = vec![0u8; 256 * 1024];
            match file.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => {
                    buf.truncate(n);
                    if tx.blocking_send(Ok(web::Bytes::from(buf))).is_err() {
                        break;
                    }
                }
                Err(e) => {
                    let _ = tx.blocking_send(Err(e));
                    break;
                }
            }
        }
    });
    futures_util::stream::unfold(rx, |mut rx| async move { rx.recv().await.map(|c| (c, rx)) })
}

/// The identity envelope, only for reviewers with the identity role; any
/// other reviewer gets 403 and the attempt is audited.
pub(super) async fn get_identity(
    who: Authed,
    id: ReportId,
    st: web::Data<ReviewState>,
) -> ApiResult {
    let meta = find_report(&st, &id)?;
    if !who.has(Role::Identity) {
        tracing::info!(target: "amanat::review", reviewer = %who.id, report = %id, "identity refused");
        st.audit(&who.id, Action::ReadIdentityDenied, Some(&id), None)?;
        return Err(ApiError::forbidden(Role::Identity));
    }
    let envelope = meta
        .envelopes
        .iter()
        .find(|e| e.kind == EnvelopeKind::Identity)
        .map(|e| envelope_data(&st.store, &id, e))
        .transpose()?;
    st.audit(&who.id, Action::ReadIdentity, Some(&id), None)?;
    Ok(HttpResponse::Ok().json(IdentityData { envelope }))
}

/// The age file a base64 `field` holds, with its stanzas' types; 400
/// naming the field when it is not one.
pub(super) fn age_file(field: &str, b64: &str) -> Result<(Vec<u8>, Vec<String>), ApiError> {
    let ct = BASE64
        .decode(b64.as_bytes())
        .map_err(|_| ApiError::bad_request(format!("`{field}` is not base64")))?;
    let types = envelope::stanza_types(&ct)
        .map_err(|_| ApiError::bad_request(format!("`{field}` is not an age file")))?;
    Ok((ct, types))
}

/// True if the stanzas are exactly `count` X25519 recipients.
pub(super) fn x25519_to(types: &[String], count: usize) -> bool {
    types.len() == count && types.iter().all(|t| t == "X25519")
}

/// A report's metadata, or 404.
pub(super) fn find_report(st: &ReviewState, id: &str) -> Result<ReportMeta, ApiError> {
    st.store
        .report(id)?
        .ok_or_else(|| ApiError::not_found("report"))
}

/// One envelope of report `id` as the API sends it; a missing one is a
/// server fault.
fn envelope_data(store: &Store, id: &str, e: &EnvelopeRef) -> Result<EnvelopeData, ApiError> {
    let ct = store
        .envelope(&e.id)?
        .ok_or_else(|| ApiError::internal(format!("envelope {} of report {id} missing", e.id)))?;
    Ok(EnvelopeData {
        id: e.id.clone(),
        kind: e.kind,
        day: e.day,
        recipients: e.recipients.clone(),
        ciphertext: BASE64.encode(&ct),
    })
}

/// The source's recipient followed by every triage reviewer's.
fn reply_recipients(store: &Store, meta: &ReportMeta) -> Result<Vec<String>, ApiError> {
    let Some(source) = &meta.source_recipient else {
        return Ok(Vec::new());
    };
    let mut v = vec![source.clone()];
    v.extend(store.recipients_with_role(Role::Triage)?);
    Ok(v)
}

/// A queue entry without the assignee's name.
fn summary(m: &ReportMeta) -> ReportSummary {
    summary_named(m, &[])
}

/// A queue entry, with the assignee's display name looked up in `reviewers`.
pub(super) fn summary_named(m: &ReportMeta, reviewers: &[Reviewer]) -> ReportSummary {
    ReportSummary {
        assignee_name: m
            .assignee
            .as_ref()
            .and_then(|a| reviewers.iter().find(|r| &r.id == a))
            .map(|r| r.name.clone()),
        id: m.id.clone(),
        received: m.received,
        state: m.state,
        closed_reason: m.closed_reason,
        state_day: m.state_day(),
        urgency: m.urgency,
        urgency_confirmed: m.urgency_confirmed,
        anonymity: m.anonymity,
        assignee: m.assignee.clone(),
    }
}
