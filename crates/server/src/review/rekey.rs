//! Re-keying (admin role): what `amanat admin rekey` re-encrypts to, and
//! the swaps of an envelope or an attachment file for one the admin's CLI
//! re-encrypted to today's reviewers.
//!
//! The server cannot re-encrypt (it holds no key); it checks what it can
//! without one: the swap replaces exactly the ciphertext the CLI read (its
//! SHA-256, else 409 `conflict`), the claimed recipients are today's set for
//! what is swapped (else 409: the reviewers changed meanwhile), the new age
//! header has one stanza of the right type per claimed recipient, and the
//! encrypted payload has the old one's length (the same plaintext, padded
//! the same way). Each swap is audited (report, envelope or file id, who)
//! before it is made. Logs name reviewer and report ids, never content.

use super::ReviewState;
use super::error::{ApiError, ApiResult};
use super::extract::{Admin, AttachmentPath, Authed, JsonBody, ReportId};
use super::reports::{age_file, find_report, reply_recipients};
use crate::store::{EnvelopeKind, ReportMeta, Store, age_header_len, sha256_hex, stanza_type};
use actix_web::{HttpRequest, HttpResponse, web};
use amanat_core::api::{EnvelopeSwap, ErrorCode, RekeyTargets, Swapped};
use amanat_core::audit::Action;
use amanat_core::crypto::envelope;
use amanat_core::model::Role;
use futures_util::StreamExt;
use std::io::Write;
use std::time::Duration;

/// Room the header of a re-keyed attachment file may take beyond the old
/// one's (more recipients, age's random grease stanzas).
const HEADER_ROOM: u64 = 64 * 1024;

/// `GET /api/v1/rekey`: today's recipient sets and the removed keys.
pub(super) async fn targets(_: Authed<Admin>, st: web::Data<ReviewState>) -> ApiResult {
    Ok(HttpResponse::Ok().json(RekeyTargets {
        triage: st.store.recipients_with_role(Role::Triage)?,
        identity: st.store.recipients_with_role(Role::Identity)?,
        current: st
            .store
            .reviewers()?
            .into_iter()
            .map(|r| r.recipient)
            .collect(),
        removed: st.store.removed_recipients()?,
    }))
}

/// `POST /api/v1/reports/{id}/rekey`: swaps one envelope.
pub(super) async fn swap_envelope(
    who: Authed<Admin>,
    id: ReportId,
    JsonBody(r): JsonBody<EnvelopeSwap>,
    st: web::Data<ReviewState>,
) -> ApiResult {
    let meta = find_report(&st, &id)?;
    let kind = meta
        .envelopes
        .iter()
        .find(|e| e.id == r.envelope)
        .map(|e| e.kind)
        .ok_or_else(|| ApiError::not_found("envelope"))?;
    check_sha256(&r.old_sha256)?;
    let today = today_for(&st.store, &meta, kind)?;
    check_claim(&r.recipients, &today)?;
    let (ct, types) = age_file("ciphertext", &r.ciphertext)?;
    check_stanzas(&types, &today)?;
    let old = st
        .store
        .envelope(&r.envelope)?
        .ok_or_else(|| ApiError::not_found("envelope"))?;
    if !amanat_core::crypto::ct_eq(sha256_hex(&old).as_bytes(), r.old_sha256.as_bytes()) {
        return Err(ApiError::from(crate::store::StoreError::Conflict(
            "the envelope changed since you read it; fetch the report again".into(),
        )));
    }
    if payload_len(&old[..], old.len() as u64) != payload_len(&ct[..], ct.len() as u64) {
        return Err(same_length_needed("ciphertext"));
    }
    // Audited first: an action that cannot be audited is not done.
    st.audit(
        &who.id,
        Action::Rekey,
        Some(&id),
        Some(format!("envelope={}", r.envelope)),
    )?;
    let store = st.store.clone();
    let (report, envelope_id) = (id.to_string(), r.envelope.clone());
    let swapped = today.clone();
    let meta = web::block(move || {
        store.swap_envelope(&report, &envelope_id, &r.old_sha256, &ct, &swapped)
    })
    .await
    .map_err(ApiError::internal)??;
    tracing::info!(target: "amanat::review", admin = %who.id, report = %id, "envelope re-keyed");
    answer(&st, &meta, r.envelope, today)
}

/// `PUT /api/v1/reports/{id}/blobs/{blob}?old_sha256=…&recipients=a,b`:
/// swaps one attachment file. The body (the new file) is streamed to a
/// temporary file in the attachment directory, fsynced, checked, and only
/// then renamed over the old file.
pub(super) async fn swap_blob(
    who: Authed<Admin>,
    path: AttachmentPath,
    req: HttpRequest,
    payload: web::Payload,
    st: web::Data<ReviewState>,
) -> ApiResult {
    let AttachmentPath { report: id, blob } = path;
    let q = web::Query::<BlobSwapQuery>::from_query(req.query_string()).map_err(|_| {
        ApiError::bad_request(
            "give `old_sha256` (hex) and `recipients` (comma-separated) as query parameters",
        )
    })?;
    check_sha256(&q.old_sha256)?;
    let meta = find_report(&st, &id)?;
    if !meta.blobs.contains(&blob) {
        return Err(ApiError::not_found("attachment"));
    }
    let claimed: Vec<String> = q.recipients.split(',').map(str::to_string).collect();
    let today = st.store.recipients_with_role(Role::Triage)?;
    check_claim(&claimed, &today)?;
    let old_path = st
        .store
        .blob_path(&blob)
        .ok_or_else(|| ApiError::not_found("attachment"))?;
    let old_file = std::fs::File::open(&old_path).map_err(ApiError::internal)?;
    let old_len = old_file.metadata().map_err(ApiError::internal)?.len();
    let old_payload = payload_len(old_file, old_len);
    let limit = old_len.saturating_add(HEADER_ROOM);
    let staged = receive(
        &st,
        payload,
        limit,
        Duration::from_secs(st.limits.body_idle_secs),
    )
    .await?;
    // The new file's header and length, read back from the disk, and the
    // old file's hash (checked again, under a lock, by the swap itself).
    let old_sha256 = q.old_sha256.clone();
    let staged = web::block(move || -> Result<_, ApiError> {
        let old = std::fs::File::open(&old_path)
            .and_then(crate::store::sha256_file)
            .map_err(ApiError::internal)?;
        if !amanat_core::crypto::ct_eq(old.as_bytes(), old_sha256.as_bytes()) {
            return Err(ApiError::from(crate::store::StoreError::Conflict(
                "the attachment file changed since you read it; fetch it again".into(),
            )));
        }
        let f = staged.reopen().map_err(ApiError::internal)?;
        let len = f.metadata().map_err(ApiError::internal)?.len();
        let mut head = Vec::new();
        std::io::Read::read_to_end(
            &mut std::io::Read::take(staged.reopen().map_err(ApiError::internal)?, 64 * 1024),
            &mut head,
        )
        .map_err(ApiError::internal)?;
        let types = envelope::stanza_types(&head)
            .map_err(|_| ApiError::bad_request("the body is not an age file"))?;
        Ok((staged, types, payload_len(f, len)))
    })
    .await
    .map_err(ApiError::internal)??;
    let (staged, types, new_payload) = staged;
    check_stanzas(&types, &today)?;
    if new_payload.is_none() || new_payload != old_payload {
        return Err(same_length_needed("attachment file"));
    }
    st.audit(
        &who.id,
        Action::Rekey,
        Some(&id),
        Some(format!("blob={blob}")),
    )?;
    let store = st.store.clone();
    let (report, blob_id, swapped) = (id.clone(), blob.clone(), today.clone());
    let meta =
        web::block(move || store.swap_blob(&report, &blob_id, &q.old_sha256, staged, &swapped))
            .await
            .map_err(ApiError::internal)??;
    tracing::info!(target: "amanat::review", admin = %who.id, report = %id, "attachment re-keyed");
    answer(&st, &meta, blob, today)
}

/// The query of an attachment swap.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct BlobSwapQuery {
    old_sha256: String,
    recipients: String,
}

/// Today's recipients for an envelope of `kind` of report `meta`, as
/// intake and the review routes seal them.
fn today_for(
    store: &Store,
    meta: &ReportMeta,
    kind: EnvelopeKind,
) -> Result<Vec<String>, ApiError> {
    Ok(match kind {
        EnvelopeKind::Identity => store.recipients_with_role(Role::Identity)?,
        EnvelopeKind::Reply => reply_recipients(store, meta)?,
        EnvelopeKind::Report
        | EnvelopeKind::Message
        | EnvelopeKind::Note
        | EnvelopeKind::Withdrawal => store.recipients_with_role(Role::Triage)?,
    })
}

/// 409 unless `claimed` is exactly `today` (in any order, no repeats).
fn check_claim(claimed: &[String], today: &[String]) -> Result<(), ApiError> {
    let sorted = |v: &[String]| {
        let mut v = v.to_vec();
        v.sort();
        v
    };
    let c = sorted(claimed);
    if today.is_empty() || c.windows(2).any(|w| w[0] == w[1]) || c != sorted(today) {
        return Err(ApiError::new(
            ErrorCode::Conflict,
            format!(
                "the recipients given are not today's {} for this (the reviewers changed?); \
                 fetch GET /api/v1/rekey and the report again, and re-encrypt",
                today.len()
            ),
        ));
    }
    Ok(())
}

/// 400 unless the header has one stanza of the right type per recipient.
fn check_stanzas(types: &[String], today: &[String]) -> Result<(), ApiError> {
    let mut expected: Vec<&str> = today
        .iter()
        .map(|r| stanza_type(r).unwrap_or("(unknown)"))
        .collect();
    let mut found: Vec<&str> = types.iter().map(String::as_str).collect();
    expected.sort_unstable();
    found.sort_unstable();
    if expected != found {
        return Err(ApiError::bad_request(format!(
            "the new ciphertext must be encrypted to exactly the {} recipients given \
             (found {} stanza(s) of types {types:?})",
            today.len(),
            types.len()
        )));
    }
    Ok(())
}

/// 400 unless `s` is a SHA-256 in lowercase hex.
fn check_sha256(s: &str) -> Result<(), ApiError> {
    if s.len() == 64
        && s.bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    {
        Ok(())
    } else {
        Err(ApiError::bad_request(
            "`old_sha256` must be the SHA-256 of the ciphertext replaced, 64 lowercase hex digits",
        ))
    }
}

/// The length of an age file's encrypted payload (after its header).
fn payload_len(input: impl std::io::Read, total: u64) -> Option<u64> {
    age_header_len(input).and_then(|h| total.checked_sub(h))
}

fn same_length_needed(what: &str) -> ApiError {
    ApiError::bad_request(format!(
        "the new {what} does not hold as many encrypted bytes as the one it replaces: it must \
         be the same plaintext, padded the same way"
    ))
}

/// Streams a request body into a new temporary file in the attachment
/// directory, written on a blocking thread, at most `limit` bytes, then
/// fsynced. 413 past the limit, 408 when it stalls; the file is removed on
/// any failure.
async fn receive(
    st: &ReviewState,
    payload: web::Payload,
    limit: u64,
    idle: Duration,
) -> Result<tempfile::NamedTempFile, ApiError> {
    let staged = st.store.stage_rekey_blob()?;
    let (tx, mut rx) = tokio::sync::mpsc::channel::<web::Bytes>(4);
    let writer = actix_web::rt::task::spawn_blocking(move || -> std::io::Result<_> {
        let mut out = std::io::BufWriter::with_capacity(256 * 1024, staged);
        while let Some(chunk) = rx.blocking_recv() {
            out.write_all(&chunk)?;
        }
        let staged = out.into_inner().map_err(|e| e.into_error())?;
        staged.as_file().sync_all()?;
        Ok(staged)
    });
    let (mut body, stall) = crate::web::idle_limited(payload, idle);
    let mut seen = 0u64;
    let mut failed = None;
    while let Some(chunk) = body.next().await {
        let chunk = match chunk {
            Ok(c) => c,
            Err(_) if stall.is_set() => {
                failed = Some(ApiError::new(
                    ErrorCode::RequestTimeout,
                    format!(
                        "the body stopped arriving for {} seconds; nothing was changed",
                        idle.as_secs()
                    ),
                ));
                break;
            }
            Err(_) => {
                failed = Some(ApiError::bad_request("the request body was cut off"));
                break;
            }
        };
        seen += chunk.len() as u64;
        if seen > limit {
            failed = Some(ApiError::new(
                ErrorCode::PayloadTooLarge,
                format!("the new attachment file is larger than {limit} bytes"),
            ));
            break;
        }
        if tx.send(chunk).await.is_err() {
            break;
        }
    }
    drop(tx);
    let written = writer.await.map_err(ApiError::internal)?;
    if let Some(e) = failed {
        // Read (and drop) what more is sent, so that the refusal reaches
        // the client rather than a reset connection.
        crate::web::discard_body(body, limit).await;
        return Err(e);
    }
    written.map_err(ApiError::internal)
}

/// The answer to a swap: what was swapped and the report's status now.
fn answer(st: &ReviewState, meta: &ReportMeta, id: String, recipients: Vec<String>) -> ApiResult {
    let rekey = st.store.current_keys()?.status_of(meta);
    Ok(HttpResponse::Ok().json(Swapped {
        id,
        recipients,
        rekey,
    }))
}
