//! Air-gapped review, server side: enrolling an offline desk, and the
//! read-only routes `amanat sync` mirrors ciphertext through
//! (docs/reviewers.md, "Air-gapped review"; docs/api.md, "Sync").
//!
//! The online machine that syncs has no private key, so it cannot log in.
//! Enrolment carries a challenge both ways on removable media: the online
//! machine asks for a sync challenge (an age-encrypted nonce, as at login,
//! but answerable for `limits.sync_challenge_secs`), the offline machine
//! decrypts it with the reviewer's identity and answers with a hash binding
//! the nonce to the public half of its Ed25519 desk key
//! ([`sync_enrol_response`]), and the online machine sends that back. The
//! reviewer gets a *sync token*: 256 random bits, shown once, kept here only
//! as a SHA-256 in the `desks` tree (it must outlive a restart), valid for
//! `limits.sync_token_days`, usable only on `GET /api/v1/sync/…` (the queue,
//! a report's envelopes and attachment ids, an attachment file, the
//! questionnaire's labels) and on its own revocation. It cannot triage, reply, read identities it could not
//! read online, or call any other route; removing the reviewer ends it.
//! Every read through it is audited (`sync_read`), as online reads are.
//! Logs name reviewer and report ids only, never tokens or keys.

use super::ReviewState;
use super::auth::{check_answer, issue_challenge};
use super::error::{ApiError, ApiResult};
use super::extract::{AttachmentPath, JsonBody, ReportId, bearer, state};
use super::reports::{
    blob_response, first_page, paging, query_pairs, report_detail, store_reply, summary_named,
};
use super::reviewers::info;
use super::triage;
use crate::store::{AppliedAction, Desk, PageQuery, Reviewer, StoreError};
use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest, HttpResponse, web};
use amanat_core::api::{
    ChallengeRequest, ErrorCode, OutboxAction, OutboxChange, PushOutcome, PushResult, SignedAction,
    SyncEnrolRequest, SyncEnrolled, SyncHead, SyncQueue, SyncReport, VerifyRequest, outbox_message,
    sync_enrol_response,
};
use amanat_core::audit::Action;
use amanat_core::crypto::random;
use amanat_core::model::Role;
use amanat_core::timeutil::Day;
use data_encoding::{BASE64, HEXLOWER};
use sha2::{Digest, Sha256};
use std::future::{Ready, ready};

/// `POST /api/v1/sync/challenge`: a login-style challenge that may be
/// carried to the offline machine and back.
pub(super) async fn challenge(
    JsonBody(r): JsonBody<ChallengeRequest>,
    st: web::Data<ReviewState>,
) -> ApiResult {
    issue_challenge(&st, &st.sync_challenges, &r)
}

/// `POST /api/v1/sync/enrol`: the offline machine's answer and desk key
/// become a sync token (audited first).
pub(super) async fn enrol(
    JsonBody(r): JsonBody<SyncEnrolRequest>,
    st: web::Data<ReviewState>,
) -> ApiResult {
    let desk_key = parse_desk_key(&r.desk_key)?;
    let answer = VerifyRequest {
        challenge_id: r.challenge_id,
        response: r.response,
    };
    // The answer binds the nonce to this desk key, so whoever copies the
    // answer off the stick cannot enrol a desk key of their own with it.
    let key_b64 = BASE64.encode(&desk_key);
    let reviewer = check_answer(&st, &st.sync_challenges, &answer, |nonce| {
        sync_enrol_response(nonce, &key_b64)
    })?;
    if !reviewer.has(Role::Triage) {
        return Err(ApiError::forbidden(Role::Triage));
    }
    let token = random::token();
    let today = Day::today();
    let days = i64::try_from(st.limits.sync_token_days).unwrap_or(i64::MAX);
    let desk = Desk {
        reviewer_id: reviewer.id.clone(),
        desk_key: BASE64.encode(&desk_key),
        added: today,
        expires: Day::from_days(today.days().saturating_add(days.saturating_sub(1))),
    };
    st.audit(
        &reviewer.id,
        Action::DeskEnrolled,
        None,
        Some(fingerprint(&desk_key)),
    )?;
    // Expired tokens go as new ones come: the tree holds live desks only.
    st.store.remove_desks(None)?;
    st.store.add_desk(&token_hash(&token), &desk)?;
    tracing::info!(target: "amanat::review", reviewer = %reviewer.id, "desk enrolled for sync");
    Ok(HttpResponse::Ok().json(SyncEnrolled {
        token: token.to_string(),
        reviewer: info(&reviewer),
        desk_key: desk.desk_key,
        expires: desk.expires,
    }))
}

/// `GET /api/v1/sync/reports[?limit=N&cursor=C]`: the queue, each report
/// with its version, a page at a time in queue order (`limit` as for
/// `GET /reports`; without any parameter, up to `limits.list_unpaged_max`
/// reports), so that memory is bounded by a page whatever the store.
pub(super) async fn list(who: Synced, req: HttpRequest, st: web::Data<ReviewState>) -> ApiResult {
    let query = sync_page_query(req.query_string(), &st.limits)?;
    st.audit(&who.id, Action::SyncRead, None, Some("queue".into()))?;
    let store = st.store.clone();
    // Each listed report is read and hashed: work for a blocking thread.
    let queue = web::block(move || -> Result<SyncQueue, StoreError> {
        let reviewers = store.reviewers()?;
        let page = store.page(&query, |listed| {
            // Purged since the page was read: left out.
            let Some(meta) = store.report(&listed.head.id)? else {
                return Ok(None);
            };
            let stored = serde_json::to_vec(&meta).map_err(|e| StoreError::Corrupt {
                tree: "reports",
                detail: e.to_string(),
            })?;
            Ok(Some(SyncHead {
                report: summary_named(&meta, &reviewers),
                version: HEXLOWER.encode(&Sha256::digest(&stored)[..16]),
            }))
        })?;
        Ok(SyncQueue {
            reports: page.items.into_iter().flatten().collect(),
            next_cursor: page.next.map(|k| k.to_cursor()),
        })
    })
    .await
    .map_err(ApiError::internal)??;
    Ok(HttpResponse::Ok().json(queue))
}

/// The page a sync listing asks for: `limit` and `cursor`, nothing else.
fn sync_page_query(qs: &str, limits: &crate::config::Limits) -> Result<PageQuery, ApiError> {
    let pairs = query_pairs(qs)?;
    let mut q = first_page(&pairs, limits);
    for (name, value) in &pairs {
        match name.as_str() {
            "limit" | "cursor" => paging(&mut q, name, value, limits)
                .map_err(|why| ApiError::bad_request(format!("`{name}`: {why}")))?,
            _ => {
                return Err(ApiError::bad_request(format!(
                    "unknown parameter `{name}`; known: limit, cursor"
                )));
            }
        }
    }
    Ok(q)
}

/// `GET /api/v1/sync/reports/{id}`: a report's envelopes and attachment ids.
pub(super) async fn report(who: Synced, id: ReportId, st: web::Data<ReviewState>) -> ApiResult {
    let (detail, meta) = report_detail(&st, &who, &id, Action::SyncRead)?;
    Ok(HttpResponse::Ok().json(SyncReport {
        detail,
        blobs: meta.blobs,
    }))
}

/// `GET /api/v1/sync/reports/{id}/blobs/{blob}`: one attachment file.
pub(super) async fn blob(
    who: Synced,
    path: AttachmentPath,
    st: web::Data<ReviewState>,
) -> ApiResult {
    blob_response(&st, &who.id, &path.report, path.blob, Action::SyncRead)
}

/// `GET /api/v1/sync/questionnaire`: the questionnaire's labels, so the
/// offline machine can show answers with their questions.
pub(super) async fn questionnaire(_: Synced, st: web::Data<ReviewState>) -> ApiResult {
    Ok(HttpResponse::Ok().json(super::questionnaire::view(&st)))
}

/// `GET /api/v1/sync/recipients`: who notes are encrypted to, so the
/// offline machine can write notes as the online CLI does.
pub(super) async fn recipients(_: Synced, st: web::Data<ReviewState>) -> ApiResult {
    Ok(HttpResponse::Ok().json(super::triage::recipients_now(&st)?))
}

/// `POST /api/v1/sync/push`: one action made offline, signed with the desk
/// key this token was enrolled with. Applied once, with every check of the
/// online route (`triage::apply`, `reports::store_reply`, which audit it);
/// the same action again is `already_applied`; a report that moved since
/// the mirror was taken is a `conflict`. A bad signature is 401 and nothing
/// is looked at further.
pub(super) async fn push(
    who: Synced,
    JsonBody(signed): JsonBody<SignedAction>,
    st: web::Data<ReviewState>,
) -> ApiResult {
    verify_signature(&who, &signed)?;
    let action: OutboxAction = serde_json::from_str(&signed.action)
        .map_err(|e| ApiError::bad_request(format!("the signed action is not an action: {e}")))?;
    if !random::is_id(&action.id) || !random::is_id(&action.report) {
        return Err(ApiError::bad_request(
            "the action's id or report id is malformed",
        ));
    }
    let result = |outcome, message: String| PushResult {
        id: action.id.clone(),
        outcome,
        message,
    };
    if let Some(done) = st.store.applied_action(&action.id)? {
        return Ok(HttpResponse::Ok().json(result(
            PushOutcome::AlreadyApplied,
            format!("applied on {}; nothing changed", done.day),
        )));
    }
    let applied = match &action.change {
        OutboxChange::Triage(r) => {
            triage::apply(&st, &who, &action.report, r, Some(action.base_state))
                .map(|s| format!("state {}, urgency {}", s.state, s.urgency))
        }
        OutboxChange::Reply(r) => check_base(&st, &action)
            .and_then(|()| store_reply(&st, &who.id, &action.report, r))
            .map(|c| format!("reply {}", c.id)),
    };
    let answer = match applied {
        Ok(message) => {
            st.store.record_applied(
                &action.id,
                &AppliedAction {
                    reviewer_id: who.id.clone(),
                    report: action.report.clone(),
                    day: Day::today(),
                },
            )?;
            result(PushOutcome::Applied, message)
        }
        Err(e) if e.code == ErrorCode::Conflict => result(PushOutcome::Conflict, e.message),
        Err(e) if e.code.http_status() < 500 => result(PushOutcome::Refused, e.message),
        Err(e) => return Err(e),
    };
    tracing::info!(target: "amanat::review", reviewer = %who.id, report = %action.report, "offline action pushed");
    Ok(HttpResponse::Ok().json(answer))
}

/// A reply made offline is a conflict if its report has moved (it may have
/// been closed, or its source may have withdrawn consent meanwhile).
fn check_base(st: &ReviewState, action: &OutboxAction) -> Result<(), ApiError> {
    let meta = super::reports::find_report(st, &action.report)?;
    if meta.state != action.base_state {
        return Err(ApiError::new(
            ErrorCode::Conflict,
            format!(
                "the report moved since the mirror was taken: it was `{}` there and is `{}` now; \
                 the reply was not sent",
                action.base_state, meta.state
            ),
        ));
    }
    Ok(())
}

/// Checks the desk key's signature of the action (strict Ed25519: no
/// malleable signatures).
fn verify_signature(who: &Synced, signed: &SignedAction) -> Result<(), ApiError> {
    let bad =
        || ApiError::unauthorized("the action's signature does not verify with this desk's key");
    let key: [u8; 32] = BASE64
        .decode(who.desk.desk_key.as_bytes())
        .ok()
        .and_then(|b| b.try_into().ok())
        .ok_or_else(bad)?;
    let sig: [u8; 64] = BASE64
        .decode(signed.signature.as_bytes())
        .ok()
        .and_then(|b| b.try_into().ok())
        .ok_or_else(bad)?;
    let vk = ed25519_dalek::VerifyingKey::from_bytes(&key).map_err(|_| bad())?;
    vk.verify_strict(
        &outbox_message(&who.id, &signed.action),
        &ed25519_dalek::Signature::from_bytes(&sig),
    )
    .map_err(|_| bad())
}

/// `DELETE /api/v1/sync/token`: the token ends itself (a lost online
/// machine's token is ended by removing the reviewer, or by a new
/// enrolment's owner with this route).
pub(super) async fn revoke(who: Synced, st: web::Data<ReviewState>) -> ApiResult {
    st.audit(&who.id, Action::SyncRead, None, Some("revoked".into()))?;
    st.store.remove_desk(&who.hash)?;
    Ok(HttpResponse::NoContent().finish())
}

/// The reviewer of a live sync token who holds the triage role. Refusals:
/// 401 without a token, with an unknown or expired one (login session
/// tokens included: they are not sync tokens), or when the reviewer was
/// removed; 403 without the triage role.
pub struct Synced {
    reviewer: Reviewer,
    desk: Desk,
    hash: [u8; 32],
}

impl std::ops::Deref for Synced {
    type Target = Reviewer;

    fn deref(&self) -> &Reviewer {
        &self.reviewer
    }
}

impl FromRequest for Synced {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(synced(req))
    }
}

fn synced(req: &HttpRequest) -> Result<Synced, ApiError> {
    let st = state(req)?;
    let refused = || {
        ApiError::unauthorized(
            "not a valid sync token (unknown, revoked or expired); run `amanat sync enrol` again",
        )
    };
    let token = bearer(req).ok_or_else(refused)?;
    let hash = token_hash(token);
    // Looked up by the token's SHA-256: the key compared is a hash of 256
    // random bits, so its timing tells nothing about a token.
    let desk = st.store.desk(&hash)?.ok_or_else(refused)?;
    if desk.expires < Day::today() {
        return Err(refused());
    }
    let reviewer = st
        .store
        .reviewer(&desk.reviewer_id)?
        .ok_or_else(|| ApiError::unauthorized("this reviewer is no longer enrolled"))?;
    if !reviewer.has(Role::Triage) {
        return Err(ApiError::forbidden(Role::Triage));
    }
    Ok(Synced {
        reviewer,
        desk,
        hash,
    })
}

/// A desk key as sent: base64 of 32 bytes that are an Ed25519 public key.
fn parse_desk_key(b64: &str) -> Result<[u8; 32], ApiError> {
    let bad = || ApiError::bad_request("`desk_key` must be base64 of a 32-byte Ed25519 public key");
    let bytes: [u8; 32] = BASE64
        .decode(b64.as_bytes())
        .ok()
        .and_then(|b| b.try_into().ok())
        .ok_or_else(bad)?;
    ed25519_dalek::VerifyingKey::from_bytes(&bytes).map_err(|_| bad())?;
    Ok(bytes)
}

/// The first 16 hex digits of the desk key's SHA-256, for the audit log.
fn fingerprint(key: &[u8; 32]) -> String {
    let d = Sha256::digest(key);
    d.iter().take(8).map(|b| format!("{b:02x}")).collect()
}

fn token_hash(token: &str) -> [u8; 32] {
    Sha256::digest(token.as_bytes()).into()
}
