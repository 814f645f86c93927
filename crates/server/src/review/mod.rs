//! The review API: JSON under `/api/v1`, for the `amanat` CLI.
//!
//! Authentication is challenge–response with age: the server encrypts a
//! random nonce to the reviewer's recipient, the CLI decrypts and returns
//! it, and gets a session token. The server stores no password and cannot
//! decrypt any report: it serves ciphertext and plaintext triage metadata.
//! Identity envelopes are served only to reviewers with the identity role.
//! This path may log reviewer ids and report ids, never content, tokens or
//! addresses. Every login, read and reviewer change is audited, and the
//! audit entry is on disk before the answer: when it cannot be written the
//! action fails with 503 `audit_unavailable` and nothing is served.
//!
//! Granting the identity or admin role online takes two admins: the first
//! one's request is kept as a pending grant until a different admin approves
//! it (the operator can still enrol anyone locally with `amanatd reviewer`).

pub mod sessions;

use crate::config::Limits;
use crate::i18n::{Tr, english};
use crate::store::{
    EnvelopeKind, NewReviewer, PendingGrant, ReportMeta, Reviewer, Store, StoreError,
};
use crate::web::ratelimit::RateLimiter;
use crate::web::{BodyError, read_body};
use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, web};
use amanat_core::api::*;
use amanat_core::audit::{Action, Event};
use amanat_core::crypto::{envelope, keys, random};
use amanat_core::model::{FieldType, Questionnaire, Role, State, roles_text};
use data_encoding::BASE64;
use serde::de::DeserializeOwned;
use sessions::{ChallengeResult, Challenges, SessionError, Sessions};
use std::sync::Arc;
use std::time::Duration;

/// Shared state of the review listener.
pub struct ReviewState {
    pub store: Arc<Store>,
    pub questionnaire: Arc<Questionnaire>,
    pub limits: Limits,
    pub sessions: Sessions,
    pub challenges: Challenges,
    pub login_failures: RateLimiter,
}

impl ReviewState {
    /// State for the review listener.
    pub fn new(store: Arc<Store>, questionnaire: Arc<Questionnaire>, limits: Limits) -> Self {
        ReviewState {
            sessions: Sessions::new(
                Duration::from_secs(limits.review_session_idle_secs),
                Duration::from_secs(limits.review_session_max_secs),
                limits.review_sessions_max,
                limits.review_sessions_per_reviewer,
            ),
            challenges: Challenges::new(
                Duration::from_secs(limits.review_challenge_secs),
                limits.review_challenges_per_reviewer,
            ),
            login_failures: RateLimiter::per_minute(limits.review_login_failures_per_minute),
            store,
            questionnaire,
            limits,
        }
    }
}

/// An API error: HTTP status, stable code, message.
#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: ErrorCode,
    pub message: String,
}

impl ApiError {
    fn new(code: ErrorCode, message: impl Into<String>) -> ApiError {
        ApiError {
            status: StatusCode::from_u16(code.http_status())
                .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
            code,
            message: message.into(),
        }
    }
    fn unauthorized(message: &str) -> ApiError {
        Self::new(ErrorCode::Unauthorized, message)
    }
    fn forbidden(role: Role) -> ApiError {
        Self::new(
            ErrorCode::Forbidden,
            format!("this needs the `{role}` role, which your reviewer account does not have"),
        )
    }
    fn not_found(what: &str) -> ApiError {
        Self::new(ErrorCode::NotFound, format!("{what} not found"))
    }
    fn bad_request(message: impl Into<String>) -> ApiError {
        Self::new(ErrorCode::BadRequest, message)
    }
    fn internal(e: impl std::fmt::Display) -> ApiError {
        tracing::error!(target: "amanat::review", "internal error: {e}");
        Self::new(
            ErrorCode::Internal,
            "internal server error; the operator can find details in the server log",
        )
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => ApiError::not_found("item"),
            StoreError::Conflict(m) => ApiError::new(ErrorCode::Conflict, m),
            e => ApiError::internal(e),
        }
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.code, self.message)
    }
}

impl actix_web::ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.status
    }
    fn error_response(&self) -> HttpResponse {
        HttpResponse::build(self.status).json(ErrorBody {
            error: ErrorDetail {
                code: self.code,
                message: self.message.clone(),
            },
        })
    }
}

type ApiResult = Result<HttpResponse, ApiError>;

/// Registers the review routes. Each path is one resource, so a known path
/// called with a method it does not take gets 405, not 404.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(resource("/healthz").route(web::get().to(healthz)))
        .service(
            web::scope("/api/v1")
                .service(resource("/auth/challenge").route(web::post().to(challenge)))
                .service(resource("/auth/verify").route(web::post().to(verify)))
                .service(resource("/auth/logout").route(web::post().to(logout)))
                .service(resource("/whoami").route(web::get().to(whoami)))
                .service(resource("/questionnaire").route(web::get().to(questionnaire)))
                .service(resource("/reports").route(web::get().to(list_reports)))
                .service(resource("/reports/{id}").route(web::get().to(get_report)))
                .service(resource("/reports/{id}/replies").route(web::post().to(post_reply)))
                .service(resource("/reports/{id}/blobs/{blob}").route(web::get().to(get_blob)))
                .service(resource("/reports/{id}/identity").route(web::get().to(get_identity)))
                .service(resource("/reports/{id}/triage").route(web::post().to(triage)))
                .service(resource("/recipients").route(web::get().to(recipients)))
                .service(resource("/audit").route(web::get().to(audit_log)))
                .service(resource("/audit/chain").route(web::get().to(audit_chain)))
                .service(resource("/audit/head-seen").route(web::post().to(head_seen)))
                .service(resource("/audit/export").route(web::post().to(record_export)))
                .service(
                    resource("/reviewers")
                        .route(web::get().to(list_reviewers))
                        .route(web::post().to(add_reviewer)),
                )
                .service(resource("/reviewers/pending").route(web::get().to(list_grants)))
                .service(resource("/reviewers/pending/{id}").route(web::delete().to(cancel_grant)))
                .service(
                    resource("/reviewers/pending/{id}/approve")
                        .route(web::post().to(approve_grant)),
                )
                .service(resource("/reviewers/{id}").route(web::delete().to(remove_reviewer))),
        );
}

/// A route path whose other methods get a JSON 405.
fn resource(path: &str) -> actix_web::Resource {
    web::resource(path).default_service(web::to(method_not_allowed))
}

async fn method_not_allowed() -> HttpResponse {
    actix_web::ResponseError::error_response(&ApiError::new(
        ErrorCode::MethodNotAllowed,
        "this API route does not accept that method",
    ))
}

/// The answer for any unknown path of the review listener.
pub async fn not_found() -> HttpResponse {
    actix_web::ResponseError::error_response(&ApiError::new(
        ErrorCode::NotFound,
        "no such API route",
    ))
}

async fn healthz(st: web::Data<ReviewState>) -> ApiResult {
    st.store.reviewers()?;
    Ok(HttpResponse::Ok().json(serde_json::json!({ "status": "ok" })))
}

/// Issues a login challenge. Never refused for others' failures or for a
/// full table (see [`sessions::Challenges`]): that would let anyone lock
/// every reviewer out.
async fn challenge(req: HttpRequest, body: web::Payload, st: web::Data<ReviewState>) -> ApiResult {
    let r: ChallengeRequest = json_body(&req, body, &st.limits).await?;
    if !keys::is_recipient(&r.recipient) {
        return Err(ApiError::bad_request(
            "`recipient` is not an age X25519 recipient (age1…)",
        ));
    }
    let reviewer = st
        .store
        .reviewers()?
        .into_iter()
        .find(|x| x.recipient == r.recipient);
    // An unknown recipient gets a challenge that looks the same (and costs
    // the same) but is not stored and can never succeed, so the API does
    // not reveal who is enrolled and strangers cannot fill the table.
    let target = match &reviewer {
        Some(x) => x.recipient.clone(),
        None => keys::generate().1,
    };
    let nonce = random::token();
    let recipients = envelope::parse_recipients(&[target]).map_err(ApiError::internal)?;
    let ct = envelope::seal(nonce.as_bytes(), &recipients).map_err(ApiError::internal)?;
    let id = match reviewer {
        Some(x) => st.challenges.create(&x.id, nonce),
        None => st.challenges.decoy(),
    };
    Ok(HttpResponse::Ok().json(ChallengeResponse {
        challenge_id: id,
        challenge: BASE64.encode(&ct),
    }))
}

/// Checks a challenge's answer. A correct answer is never refused: the
/// nonce is 256 random bits, so a limit on guesses would protect nothing
/// and would only let others lock reviewers out. Failures are counted
/// (`limits.review_login_failures_per_minute`) only for real challenges of
/// enrolled reviewers, to bound the audit entries they write; past the
/// limit they are answered 429 without an entry. Answers to unknown,
/// decoy or used challenges are cheap to send in bulk and count nothing.
async fn verify(req: HttpRequest, body: web::Payload, st: web::Data<ReviewState>) -> ApiResult {
    let r: VerifyRequest = json_body(&req, body, &st.limits).await?;
    let failed = || {
        ApiError::unauthorized(
            "login failed: the challenge was wrong, expired or already used; run `amanat login` again",
        )
    };
    let reviewer_id = match st.challenges.answer(&r.challenge_id, &r.response) {
        ChallengeResult::Ok(id) => id,
        ChallengeResult::Unknown => return Err(failed()),
        ChallengeResult::Wrong(id) => {
            if !st.login_failures.allow() {
                return Err(too_many_failures());
            }
            tracing::info!(target: "amanat::review", reviewer = %id, "reviewer login failed");
            audit(&st, &id, Action::LoginFailed, None, None)?;
            return Err(failed());
        }
    };
    let reviewer = st
        .store
        .reviewer(&reviewer_id)?
        .ok_or_else(|| ApiError::unauthorized("this reviewer is no longer enrolled"))?;
    let token = st.sessions.open(&reviewer.id).map_err(|_| {
        ApiError::new(
            ErrorCode::Unavailable,
            "too many reviewer sessions are open; try again later",
        )
    })?;
    if let Err(e) = audit(&st, &reviewer.id, Action::Login, None, None) {
        st.sessions.close(&token);
        return Err(e);
    }
    tracing::info!(target: "amanat::review", reviewer = %reviewer.id, "reviewer logged in");
    Ok(HttpResponse::Ok().json(SessionResponse {
        token: token.to_string(),
        reviewer: info(&reviewer),
        idle_secs: st.limits.review_session_idle_secs,
        max_secs: st.limits.review_session_max_secs,
    }))
}

async fn logout(req: HttpRequest, st: web::Data<ReviewState>) -> ApiResult {
    let reviewer = authenticate(&req, &st)?;
    audit(&st, &reviewer.id, Action::Logout, None, None)?;
    if let Some(token) = bearer(&req) {
        st.sessions.close(token);
    }
    Ok(HttpResponse::NoContent().finish())
}

async fn whoami(req: HttpRequest, st: web::Data<ReviewState>) -> ApiResult {
    let reviewer = authenticate(&req, &st)?;
    Ok(HttpResponse::Ok().json(info(&reviewer)))
}

async fn questionnaire(req: HttpRequest, st: web::Data<ReviewState>) -> ApiResult {
    authenticate(&req, &st)?;
    let tr = Tr::new(english());
    let q = &st.questionnaire;
    let fields = q
        .fields
        .iter()
        .map(|f| {
            let options: Vec<(String, String)> = match f.kind {
                FieldType::Yesno => ["yes", "no"].iter().map(|s| s.to_string()).collect(),
                FieldType::Yesnounknown => ["yes", "no", "unknown"]
                    .iter()
                    .map(|s| s.to_string())
                    .collect(),
                FieldType::Country => amanat_core::model::countries::codes()
                    .iter()
                    .map(|c| c.to_string())
                    .collect(),
                _ => f.options.clone(),
            }
            .into_iter()
            .map(|o| {
                let label = if f.kind == FieldType::Country {
                    tr.t(&format!("country-{o}"))
                } else {
                    crate::intake::views::option_label(&tr, f, &o)
                };
                (o, label)
            })
            .collect();
            FieldLabels {
                id: f.id.clone(),
                kind: f.kind,
                label: crate::intake::views::label(&tr, f),
                options,
            }
        })
        .collect();
    Ok(HttpResponse::Ok().json(QuestionnaireView {
        id: q.id.clone(),
        version: q.version,
        fields,
    }))
}

async fn list_reports(req: HttpRequest, st: web::Data<ReviewState>) -> ApiResult {
    let reviewer = authenticate(&req, &st)?;
    require(&reviewer, Role::Triage)?;
    audit(&st, &reviewer.id, Action::ListReports, None, None)?;
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

async fn get_report(
    req: HttpRequest,
    path: web::Path<String>,
    st: web::Data<ReviewState>,
) -> ApiResult {
    let reviewer = authenticate(&req, &st)?;
    require(&reviewer, Role::Triage)?;
    let id = path.into_inner();
    if !random::is_id(&id) {
        return Err(ApiError::not_found("report"));
    }
    let meta = find_report(&st, &id)?;
    let may_identity = reviewer.has(Role::Identity);
    let mut envelopes = Vec::new();
    let mut withheld = false;
    for e in &meta.envelopes {
        if e.kind == EnvelopeKind::Identity && !may_identity {
            withheld = true;
            continue;
        }
        let ct = st.store.envelope(&e.id)?.ok_or_else(|| {
            ApiError::internal(format!("envelope {} of report {id} missing", e.id))
        })?;
        envelopes.push(EnvelopeData {
            id: e.id.clone(),
            kind: e.kind,
            day: e.day,
            recipients: e.recipients.clone(),
            ciphertext: BASE64.encode(&ct),
        });
    }
    let reply_recipients = reply_recipients(&st.store, &meta)?;
    audit(&st, &reviewer.id, Action::ReadReport, Some(&id), None)?;
    if withheld {
        audit(
            &st,
            &reviewer.id,
            Action::ReadIdentityDenied,
            Some(&id),
            None,
        )?;
    }
    tracing::info!(target: "amanat::review", reviewer = %reviewer.id, report = %id, "report read");
    Ok(HttpResponse::Ok().json(ReportDetail {
        report: summary(&meta),
        envelopes,
        identity_withheld: withheld,
        reply_recipients,
    }))
}

/// A report's metadata, or 404.
fn find_report(st: &ReviewState, id: &str) -> Result<ReportMeta, ApiError> {
    st.store
        .report(id)?
        .ok_or_else(|| ApiError::not_found("report"))
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

async fn post_reply(
    req: HttpRequest,
    path: web::Path<String>,
    body: web::Payload,
    st: web::Data<ReviewState>,
) -> ApiResult {
    let reviewer = authenticate(&req, &st)?;
    require(&reviewer, Role::Triage)?;
    let id = path.into_inner();
    if !random::is_id(&id) {
        return Err(ApiError::not_found("report"));
    }
    let r: ReplyRequest = json_body(&req, body, &st.limits).await?;
    let meta = find_report(&st, &id)?;
    let recipients = reply_recipients(&st.store, &meta)?;
    if recipients.is_empty() {
        return Err(ApiError::new(
            ErrorCode::Conflict,
            "this report has no follow-up channel to reply through",
        ));
    }
    let ct = BASE64
        .decode(r.ciphertext.as_bytes())
        .map_err(|_| ApiError::bad_request("`ciphertext` is not base64"))?;
    // The server never sees the reply's plaintext; it can check only that
    // this is age ciphertext with one X25519 stanza per expected recipient.
    let types = envelope::stanza_types(&ct)
        .map_err(|_| ApiError::bad_request("`ciphertext` is not an age file"))?;
    if types.len() != recipients.len() || types.iter().any(|t| t != "X25519") {
        return Err(ApiError::bad_request(format!(
            "the reply must be encrypted to exactly the {} X25519 recipients listed in `reply_recipients`              (found {} stanza(s) of types {:?}); fetch the report again and re-encrypt",
            recipients.len(),
            types.len(),
            types
        )));
    }
    // Audited first: an action that cannot be audited is not done.
    audit(&st, &reviewer.id, Action::Reply, Some(&id), None)?;
    let stored = st.store.append_envelope(
        &id,
        crate::store::NewEnvelope {
            kind: EnvelopeKind::Reply,
            ciphertext: ct,
            recipients,
        },
    )?;
    tracing::info!(target: "amanat::review", reviewer = %reviewer.id, report = %id, "reply stored");
    Ok(HttpResponse::Created().json(ReplyCreated {
        id: stored.id,
        day: stored.day,
    }))
}

async fn list_reviewers(req: HttpRequest, st: web::Data<ReviewState>) -> ApiResult {
    let reviewer = authenticate(&req, &st)?;
    require(&reviewer, Role::Admin)?;
    let list: Vec<ReviewerInfo> = st.store.reviewers()?.iter().map(info).collect();
    Ok(HttpResponse::Ok().json(list))
}

async fn add_reviewer(
    req: HttpRequest,
    body: web::Payload,
    st: web::Data<ReviewState>,
) -> ApiResult {
    let admin = authenticate(&req, &st)?;
    require(&admin, Role::Admin)?;
    let r: AddReviewerRequest = json_body(&req, body, &st.limits).await?;
    let new = validate_new_reviewer(r.name, r.recipient, r.roles).map_err(ApiError::bad_request)?;
    // Checked before the audit entry is written, so the log does not record
    // an enrolment that a duplicate name or key would then refuse.
    if needs_second_admin(&new.roles) {
        st.store.check_grant_is_free(&new)?;
    } else if st
        .store
        .reviewers()?
        .iter()
        .any(|x| x.name == new.name || x.recipient == new.recipient)
    {
        return Err(ApiError::new(
            ErrorCode::Conflict,
            "a reviewer with this name or recipient is already enrolled",
        ));
    }
    if needs_second_admin(&new.roles) {
        // Widening who receives identities (or who may approve that) is not
        // one admin's decision: keep it pending for another admin.
        let grant_id = random::id();
        audit(
            &st,
            &admin.id,
            Action::GrantRequested,
            None,
            Some(format!("grant={grant_id} {}", roles_text(&new.roles))),
        )?;
        let grant = st.store.add_grant(grant_id, new, &admin.id)?;
        tracing::info!(target: "amanat::review", admin = %admin.id, grant = %grant.id, "grant requested");
        return Ok(HttpResponse::Accepted().json(grant_info(&grant)));
    }
    audit(
        &st,
        &admin.id,
        Action::ReviewerAdded,
        None,
        Some(roles_text(&new.roles)),
    )?;
    let added = st.store.add_reviewer(new)?;
    tracing::info!(target: "amanat::review", admin = %admin.id, reviewer = %added.id, "reviewer added");
    Ok(HttpResponse::Created().json(info(&added)))
}

/// Roles an admin cannot grant alone online: `identity` (it widens who
/// receives identities) and `admin` (an admin could otherwise enrol a second
/// admin key of their own and approve themselves).
pub fn needs_second_admin(roles: &[Role]) -> bool {
    roles.contains(&Role::Identity) || roles.contains(&Role::Admin)
}

async fn list_grants(req: HttpRequest, st: web::Data<ReviewState>) -> ApiResult {
    let admin = authenticate(&req, &st)?;
    require(&admin, Role::Admin)?;
    let list: Vec<PendingGrantInfo> = st.store.grants()?.iter().map(grant_info).collect();
    Ok(HttpResponse::Ok().json(list))
}

/// A second admin approves a pending grant: the reviewer is enrolled.
async fn approve_grant(
    req: HttpRequest,
    path: web::Path<String>,
    st: web::Data<ReviewState>,
) -> ApiResult {
    let admin = authenticate(&req, &st)?;
    require(&admin, Role::Admin)?;
    let id = path.into_inner();
    let grant = random::is_id(&id)
        .then(|| st.store.grant(&id))
        .transpose()?
        .flatten()
        .ok_or_else(|| ApiError::not_found("pending grant"))?;
    if grant.requested_by == admin.id {
        return Err(ApiError::new(
            ErrorCode::SecondAdminRequired,
            "you asked for this grant; another admin must approve it (or the operator enrols              the reviewer locally with `amanatd reviewer add`)",
        ));
    }
    audit(
        &st,
        &admin.id,
        Action::GrantApproved,
        None,
        Some(format!(
            "grant={} requested_by={} {}",
            grant.id,
            grant.requested_by,
            roles_text(&grant.roles)
        )),
    )?;
    let added = st.store.approve_grant(&grant.id)?;
    tracing::info!(target: "amanat::review", admin = %admin.id, reviewer = %added.id, "grant approved");
    Ok(HttpResponse::Created().json(info(&added)))
}

/// Any admin may withdraw a pending grant.
async fn cancel_grant(
    req: HttpRequest,
    path: web::Path<String>,
    st: web::Data<ReviewState>,
) -> ApiResult {
    let admin = authenticate(&req, &st)?;
    require(&admin, Role::Admin)?;
    let id = path.into_inner();
    if !random::is_id(&id) || st.store.grant(&id)?.is_none() {
        return Err(ApiError::not_found("pending grant"));
    }
    audit(
        &st,
        &admin.id,
        Action::GrantCancelled,
        None,
        Some(format!("grant={id}")),
    )?;
    let grant = st.store.remove_grant(&id)?;
    Ok(HttpResponse::Ok().json(grant_info(&grant)))
}

async fn remove_reviewer(
    req: HttpRequest,
    path: web::Path<String>,
    st: web::Data<ReviewState>,
) -> ApiResult {
    let admin = authenticate(&req, &st)?;
    require(&admin, Role::Admin)?;
    let target = path.into_inner();
    let all = st.store.reviewers()?;
    let Some(victim) = all.iter().find(|r| r.id == target || r.name == target) else {
        return Err(ApiError::not_found("reviewer"));
    };
    let admins_left = all
        .iter()
        .filter(|r| r.has(Role::Admin) && r.id != victim.id)
        .count();
    if victim.has(Role::Admin) && admins_left == 0 {
        return Err(ApiError::new(
            ErrorCode::Conflict,
            "this is the last admin; enrol another admin first (or use `amanatd reviewer remove` on the server)",
        ));
    }
    audit(
        &st,
        &admin.id,
        Action::ReviewerRemoved,
        None,
        Some(victim.id.clone()),
    )?;
    let removed = st.store.remove_reviewer(&victim.id)?;
    st.sessions.close_all_of(&removed.id);
    tracing::info!(target: "amanat::review", admin = %admin.id, reviewer = %removed.id, "reviewer removed");
    Ok(HttpResponse::Ok().json(info(&removed)))
}

/// Streams one encrypted attachment of a report. The server sends the
/// ciphertext as stored; only the CLI can decrypt it.
async fn get_blob(
    req: HttpRequest,
    path: web::Path<(String, String)>,
    st: web::Data<ReviewState>,
) -> ApiResult {
    let reviewer = authenticate(&req, &st)?;
    require(&reviewer, Role::Triage)?;
    let (id, blob) = path.into_inner();
    if !random::is_id(&id) || !random::is_id(&blob) {
        return Err(ApiError::not_found("attachment"));
    }
    let meta = find_report(&st, &id)?;
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
    audit(
        &st,
        &reviewer.id,
        Action::ReadAttachment,
        Some(&id),
        Some(blob),
    )?;
    tracing::info!(target: "amanat::review", reviewer = %reviewer.id, report = %id, "attachment read");
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
async fn get_identity(
    req: HttpRequest,
    path: web::Path<String>,
    st: web::Data<ReviewState>,
) -> ApiResult {
    let reviewer = authenticate(&req, &st)?;
    let id = path.into_inner();
    if !random::is_id(&id) {
        return Err(ApiError::not_found("report"));
    }
    let meta = find_report(&st, &id)?;
    if !reviewer.has(Role::Identity) {
        tracing::info!(target: "amanat::review", reviewer = %reviewer.id, report = %id, "identity refused");
        audit(
            &st,
            &reviewer.id,
            Action::ReadIdentityDenied,
            Some(&id),
            None,
        )?;
        return Err(ApiError::forbidden(Role::Identity));
    }
    let envelope = match meta
        .envelopes
        .iter()
        .find(|e| e.kind == EnvelopeKind::Identity)
    {
        None => None,
        Some(e) => {
            let ct = st.store.envelope(&e.id)?.ok_or_else(|| {
                ApiError::internal(format!("envelope {} of report {id} missing", e.id))
            })?;
            Some(EnvelopeData {
                id: e.id.clone(),
                kind: e.kind,
                day: e.day,
                recipients: e.recipients.clone(),
                ciphertext: BASE64.encode(&ct),
            })
        }
    };
    audit(&st, &reviewer.id, Action::ReadIdentity, Some(&id), None)?;
    Ok(HttpResponse::Ok().json(IdentityData { envelope }))
}

/// Changes state, urgency, assignee, and/or adds an encrypted note. The
/// state machine of docs/domain.md is enforced here.
async fn triage(
    req: HttpRequest,
    path: web::Path<String>,
    body: web::Payload,
    st: web::Data<ReviewState>,
) -> ApiResult {
    let reviewer = authenticate(&req, &st)?;
    require(&reviewer, Role::Triage)?;
    let id = path.into_inner();
    if !random::is_id(&id) {
        return Err(ApiError::not_found("report"));
    }
    let r: TriageRequest = json_body(&req, body, &st.limits).await?;
    let meta = find_report(&st, &id)?;
    if r.state.is_none()
        && r.reason.is_none()
        && r.urgency.is_none()
        && r.assign.is_none()
        && r.note.is_none()
    {
        return Err(ApiError::bad_request(
            "nothing to change: give a state, urgency, assignee or note",
        ));
    }
    let reasons = || {
        amanat_core::model::CloseReason::ALL
            .iter()
            .map(|r| r.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    };
    if let Some(next) = r.state {
        if next != meta.state && !meta.state.next().contains(&next) {
            return Err(ApiError::new(
                ErrorCode::IllegalTransition,
                format!(
                    "a report cannot go from `{}` to `{next}`; allowed: {}",
                    meta.state,
                    meta.state.next_text()
                ),
            ));
        }
        if next == State::Closed && next != meta.state && r.reason.is_none() {
            return Err(ApiError::bad_request(format!(
                "closing needs a reason: {}",
                reasons()
            )));
        }
    }
    if r.reason.is_some() && r.state != Some(State::Closed) {
        return Err(ApiError::bad_request(
            "a reason is given only when closing (state `closed`)",
        ));
    }
    let assignee = match r.assign.as_deref() {
        None => None,
        Some("") => Some(None),
        Some(who) => {
            let found = st
                .store
                .reviewers()?
                .into_iter()
                .find(|x| x.id == who || x.name == who)
                .ok_or_else(|| ApiError::bad_request(format!("no reviewer named {who:?}")))?;
            if !found.has(Role::Triage) {
                return Err(ApiError::bad_request(format!(
                    "{} does not have the triage role",
                    found.name
                )));
            }
            Some(Some(found.id))
        }
    };
    let triage_recipients = st.store.recipients_with_role(Role::Triage)?;
    let note = match &r.note {
        None => None,
        Some(b64) => {
            let ct = BASE64
                .decode(b64.as_bytes())
                .map_err(|_| ApiError::bad_request("`note` is not base64"))?;
            let types = envelope::stanza_types(&ct)
                .map_err(|_| ApiError::bad_request("`note` is not an age file"))?;
            if types.len() != triage_recipients.len() || types.iter().any(|t| t != "X25519") {
                return Err(ApiError::bad_request(format!(
                    "a note must be encrypted to exactly the {} triage reviewers (GET /api/v1/recipients)",
                    triage_recipients.len()
                )));
            }
            Some(crate::store::NewEnvelope {
                kind: EnvelopeKind::Note,
                ciphertext: ct,
                recipients: triage_recipients,
            })
        }
    };
    let mut detail = Vec::new();
    if let Some(s) = r.state {
        detail.push(format!("state={s}"));
    }
    if let Some(x) = r.reason {
        detail.push(format!("reason={x}"));
    }
    if let Some(u) = r.urgency {
        detail.push(format!("urgency={u}"));
    }
    if let Some(a) = &assignee {
        detail.push(format!("assignee={}", a.clone().unwrap_or_default()));
    }
    if r.note.is_some() {
        detail.push("note".into());
    }
    audit(
        &st,
        &reviewer.id,
        Action::Triage,
        Some(&id),
        Some(detail.join(" ")),
    )?;
    let today = amanat_core::timeutil::Day::today();
    let updated = st.store.update_report(
        &id,
        meta.state,
        |m| {
            if let Some(next) = r.state {
                if next != m.state {
                    m.state = next;
                    m.state_changed = Some(today);
                    m.closed_reason = r.reason;
                }
            }
            if let Some(u) = r.urgency {
                m.urgency = u;
                m.urgency_confirmed = true;
            }
            if let Some(a) = &assignee {
                m.assignee = a.clone();
            }
        },
        note,
    )?;
    tracing::info!(target: "amanat::review", reviewer = %reviewer.id, report = %id, "triage change");
    let reviewers = st.store.reviewers()?;
    Ok(HttpResponse::Ok().json(summary_named(&updated, &reviewers)))
}

async fn recipients(req: HttpRequest, st: web::Data<ReviewState>) -> ApiResult {
    let reviewer = authenticate(&req, &st)?;
    require(&reviewer, Role::Triage)?;
    let reviewers = st.store.reviewers()?;
    let with = |role: Role| -> Vec<String> {
        reviewers
            .iter()
            .filter(|r| r.has(role))
            .map(|r| r.recipient.clone())
            .collect()
    };
    Ok(HttpResponse::Ok().json(Recipients {
        triage: with(Role::Triage),
        identity: with(Role::Identity),
        names: reviewers
            .iter()
            .map(|r| (r.recipient.clone(), r.name.clone()))
            .collect(),
    }))
}

/// The query of `GET /api/v1/audit/chain`.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct ChainQuery {
    from: Option<u64>,
}

/// The chain's head and, with `from`, the entries from that index on, so a
/// reviewer's CLI can check that the chain still extends what it saw. Open to
/// every reviewer: anchors are worth most when every reviewer keeps one.
async fn audit_chain(req: HttpRequest, st: web::Data<ReviewState>) -> ApiResult {
    authenticate(&req, &st)?;
    let q = web::Query::<ChainQuery>::from_query(req.query_string())
        .map_err(|_| ApiError::bad_request("the only query parameter is `from`, an entry index"))?;
    let head = st.store.audit_head()?.map(|e| amanat_core::audit::Anchor {
        seq: e.seq,
        hash: e.hash,
    });
    let entries = match q.from {
        None => Vec::new(),
        Some(from) => st.store.audit_range(from, AUDIT_PAGE)?,
    };
    Ok(HttpResponse::Ok().json(AuditChain { head, entries }))
}

/// A reviewer's CLI acknowledges the head it saw: the acknowledgement is
/// itself an entry, so each reviewer's anchors are in the chain too.
async fn head_seen(req: HttpRequest, body: web::Payload, st: web::Data<ReviewState>) -> ApiResult {
    let reviewer = authenticate(&req, &st)?;
    let a: amanat_core::audit::Anchor = json_body(&req, body, &st.limits).await?;
    let known = st
        .store
        .audit_range(a.seq, 1)?
        .into_iter()
        .next()
        .is_some_and(|e| e.seq == a.seq && e.hash == a.hash);
    if !known {
        return Err(ApiError::new(
            ErrorCode::AuditMismatch,
            format!("the audit chain has no entry {} with that hash", a.seq),
        ));
    }
    audit(
        &st,
        &reviewer.id,
        Action::HeadSeen,
        None,
        Some(format!("seq={} hash={}", a.seq, a.hash)),
    )?;
    Ok(HttpResponse::NoContent().finish())
}

async fn audit_log(req: HttpRequest, st: web::Data<ReviewState>) -> ApiResult {
    let reviewer = authenticate(&req, &st)?;
    require(&reviewer, Role::Admin)?;
    let entries = st.store.audit_entries()?;
    let broken = amanat_core::audit::verify(&entries)
        .err()
        .map(|e| e.to_string());
    Ok(HttpResponse::Ok().json(AuditLog { entries, broken }))
}

/// Records an export the CLI made (the server never sees exported content).
async fn record_export(
    req: HttpRequest,
    body: web::Payload,
    st: web::Data<ReviewState>,
) -> ApiResult {
    let reviewer = authenticate(&req, &st)?;
    require(&reviewer, Role::Triage)?;
    let r: ExportRecord = json_body(&req, body, &st.limits).await?;
    let profile_ok = ["internal", "ohchr_submission", "stats"].contains(&r.profile.as_str());
    let format_ok = ["json", "csv", "text"].contains(&r.format.as_str());
    if !profile_ok || !format_ok || r.reports.iter().any(|id| !random::is_id(id)) {
        return Err(ApiError::bad_request(
            "unknown profile, format or report id",
        ));
    }
    // Every id must name a report: the log records exports, not guesses.
    for id in &r.reports {
        if st.store.report(id)?.is_none() {
            return Err(ApiError::new(
                ErrorCode::NotFound,
                format!("report {id} not found; nothing was recorded"),
            ));
        }
    }
    for id in &r.reports {
        audit(
            &st,
            &reviewer.id,
            Action::ExportRequested,
            Some(id),
            Some(format!("{} {}", r.profile, r.format)),
        )?;
    }
    Ok(HttpResponse::NoContent().finish())
}

/// Checks a new reviewer's fields (shared by the API and `amanatd reviewer add`).
pub fn validate_new_reviewer(
    name: String,
    recipient: String,
    mut roles: Vec<Role>,
) -> Result<NewReviewer, String> {
    let name = name.trim().to_string();
    if name.is_empty() || name.chars().count() > 64 || name.chars().any(char::is_control) {
        return Err("the name must be 1 to 64 printable characters".into());
    }
    let recipient = recipient.trim().to_string();
    if !keys::is_recipient(&recipient) {
        return Err(format!(
            "{recipient:?} is not an age X25519 recipient; it starts with age1 and is printed by `amanat keygen`"
        ));
    }
    roles.sort();
    roles.dedup();
    if roles.is_empty() {
        return Err("give at least one role: triage, identity or admin".into());
    }
    Ok(NewReviewer {
        name,
        recipient,
        roles,
    })
}

fn summary(m: &ReportMeta) -> ReportSummary {
    summary_named(m, &[])
}

fn summary_named(m: &ReportMeta, reviewers: &[Reviewer]) -> ReportSummary {
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

fn grant_info(g: &PendingGrant) -> PendingGrantInfo {
    PendingGrantInfo {
        id: g.id.clone(),
        name: g.name.clone(),
        recipient: g.recipient.clone(),
        roles: g.roles.clone(),
        requested_by: g.requested_by.clone(),
        day: g.day,
    }
}

fn info(r: &Reviewer) -> ReviewerInfo {
    ReviewerInfo {
        id: r.id.clone(),
        name: r.name.clone(),
        recipient: r.recipient.clone(),
        roles: r.roles.clone(),
        added: r.added,
    }
}

fn bearer(req: &HttpRequest) -> Option<&str> {
    req.headers()
        .get(header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .strip_prefix("Bearer ")
        .map(str::trim)
}

fn authenticate(req: &HttpRequest, st: &ReviewState) -> Result<Reviewer, ApiError> {
    let token =
        bearer(req).ok_or_else(|| ApiError::unauthorized("not logged in; run `amanat login`"))?;
    let id = st.sessions.check(token).map_err(|e| match e {
        SessionError::Expired => {
            ApiError::unauthorized("your session has expired; run `amanat login` again")
        }
        _ => ApiError::unauthorized("not logged in or logged out; run `amanat login`"),
    })?;
    st.store
        .reviewer(&id)?
        .ok_or_else(|| ApiError::unauthorized("this reviewer is no longer enrolled"))
}

fn require(r: &Reviewer, role: Role) -> Result<(), ApiError> {
    if r.has(role) {
        Ok(())
    } else {
        Err(ApiError::forbidden(role))
    }
}

fn too_many_failures() -> ApiError {
    ApiError::new(
        ErrorCode::RateLimited,
        "too many failed logins; if you hold the key, run `amanat login` again",
    )
}

async fn json_body<T: DeserializeOwned>(
    req: &HttpRequest,
    body: web::Payload,
    limits: &Limits,
) -> Result<T, ApiError> {
    let is_json = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if !is_json {
        return Err(ApiError::new(
            ErrorCode::UnsupportedMediaType,
            "send the body as application/json",
        ));
    }
    let idle = Duration::from_secs(limits.body_idle_secs);
    let bytes = read_body(req, body, limits.review_body_bytes, idle)
        .await
        .map_err(|e| match e {
            BodyError::TooLarge(n) => ApiError::new(
                ErrorCode::PayloadTooLarge,
                format!("the request body is larger than {n} bytes"),
            ),
            BodyError::Broken => ApiError::bad_request("the request body was cut off"),
            BodyError::Stalled => ApiError::new(
                ErrorCode::RequestTimeout,
                format!(
                    "the request body stopped arriving for {} seconds; nothing was done",
                    limits.body_idle_secs
                ),
            ),
        })?;
    serde_json::from_slice(&bytes)
        .map_err(|e| ApiError::bad_request(format!("invalid JSON body: {e}")))
}

/// Appends an audit entry and flushes it. When that fails the action fails:
/// the caller answers 503 and serves nothing, changes nothing.
fn audit(
    st: &ReviewState,
    actor: &str,
    action: Action,
    report: Option<&str>,
    detail: Option<String>,
) -> Result<(), ApiError> {
    let event = Event {
        actor: actor.to_string(),
        action,
        report: report.map(str::to_string),
        detail,
    };
    st.store.append_audit(event).map(drop).map_err(|e| {
        tracing::error!(target: "amanat::review", "audit append failed: {e}");
        ApiError::new(
            ErrorCode::AuditUnavailable,
            "the audit log cannot be written, so nothing was done or served; \
             the operator can find details in the server log",
        )
    })
}
