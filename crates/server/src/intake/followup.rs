//! The follow-up channel: a source comes back with their codename, reads
//! replies, adds information, deletes replies they have read, logs out.
//!
//! Sessions live in memory. The session cookie is a random 256-bit key; the
//! server keeps only its SHA-256 and the source's identity secret encrypted
//! (age) to an X25519 key derived from it. So between requests the server
//! holds nothing that opens the source's replies, and the codename itself is
//! never in a cookie, a URL, a log or on disk: it is zeroized right after the
//! derivation at login. Sessions expire idle and absolutely.
//!
//! Nothing here logs identifiers; log lines are aggregate events only.

use super::kdf::KdfError;
use super::upload::{self, AttachmentManifest, StagedFile};
use super::views::{FileResult, FilesView, PageCtx, RefusedFile};
use super::{
    IntakeState, Wiped, error_page, internal_error, render, render_private, request_lang,
    set_cookie,
};
use crate::i18n::{Arg, Lang, Tr};
use crate::store::{EnvelopeKind, NewEnvelope};
use crate::web::csrf::{COOKIE as CSRF_COOKIE, Csrf};
use crate::web::form::parse_urlencoded;
use crate::web::{BodyError, read_body};
use actix_web::cookie::{Cookie, SameSite};
use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, web};
use amanat_core::crypto::codename;
use amanat_core::crypto::{envelope, keys, random};
use amanat_core::model::answers::normalize_text;
use amanat_core::model::{Role, State};
use askama::Template;
use data_encoding::BASE32_NOPAD;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};
use zeroize::Zeroizing;

/// The follow-up session cookie.
pub const SESSION_COOKIE: &str = "amanat_session";

/// Largest follow-up form body (a message of `message_chars` characters,
/// percent-encoded, plus the form controls).
fn body_limit(message_chars: usize) -> usize {
    message_chars * 12 + 4096
}

/// Registers the follow-up routes.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/followup")
            .route(web::get().to(followup))
            .default_service(web::to(super::method_not_allowed)),
    )
    .service(post_only("/followup/login").route(web::post().to(login)))
    .service(post_only("/followup/message").route(web::post().to(message)))
    .service(post_only("/followup/delete").route(web::post().to(delete)))
    .service(post_only("/followup/withdraw").route(web::post().to(withdraw)))
    .service(post_only("/followup/logout").route(web::post().to(logout)));
}

/// A form target: other methods get the translated 405 page, as elsewhere.
fn post_only(path: &str) -> actix_web::Resource {
    web::resource(path).default_service(web::to(super::method_not_allowed))
}

// ----- sessions -----

struct Session {
    report_id: String,
    sealed_secret: Vec<u8>,
    created: Instant,
    last: Instant,
}

/// Live follow-up sessions.
pub struct FollowupSessions {
    idle: Duration,
    max_age: Duration,
    cap: usize,
    per_report: usize,
    map: Mutex<HashMap<[u8; 32], Session>>,
}

/// Why a session cookie did not open a session.
#[derive(Debug, PartialEq, Eq)]
pub enum SessionError {
    Missing,
    Expired,
    Full,
    Broken,
}

impl FollowupSessions {
    /// At most `cap` sessions, `per_report` of them for one report.
    pub fn new(idle: Duration, max_age: Duration, cap: usize, per_report: usize) -> Self {
        FollowupSessions {
            idle,
            max_age,
            cap,
            per_report,
            map: Mutex::new(HashMap::new()),
        }
    }

    /// Opens a session; returns the cookie value (the session key).
    ///
    /// A new login is never refused for lack of room, since that would let
    /// whoever fills the table lock every source out: past `per_report`
    /// the report's least recently used session ends; when the table is
    /// full, expired sessions go first, then the least recently used
    /// session of the report holding the most (so whoever logs in again
    /// and again ends their own sessions, not other sources').
    pub fn open(
        &self,
        report_id: &str,
        secret: &[u8; 32],
    ) -> Result<Zeroizing<String>, SessionError> {
        let mut key = Zeroizing::new([0u8; 32]);
        random::fill(key.as_mut());
        let session_id = keys::identity_from_bytes(&key).map_err(|_| SessionError::Broken)?;
        let sealed =
            envelope::seal(secret, &[session_id.to_public()]).map_err(|_| SessionError::Broken)?;
        let now = Instant::now();
        let mut map = lock(&self.map);
        let mine = map.values().filter(|s| s.report_id == report_id).count();
        if mine >= self.per_report {
            evict_least_recent(&mut map, |s| s.report_id == report_id);
        }
        if map.len() >= self.cap {
            map.retain(|_, s| !expired(s, now, self.idle, self.max_age));
        }
        if map.len() >= self.cap {
            let mut counts: HashMap<&str, usize> = HashMap::new();
            for s in map.values() {
                *counts.entry(s.report_id.as_str()).or_default() += 1;
            }
            let busiest = counts
                .into_iter()
                .max_by_key(|(_, n)| *n)
                .map(|(r, _)| r.to_string());
            let evicted =
                busiest.is_some_and(|r| evict_least_recent(&mut map, |s| s.report_id == r));
            if !evicted {
                return Err(SessionError::Full);
            }
        }
        map.insert(
            Sha256::digest(&key[..]).into(),
            Session {
                report_id: report_id.to_string(),
                sealed_secret: sealed,
                created: now,
                last: now,
            },
        );
        Ok(Zeroizing::new(
            BASE32_NOPAD.encode(key.as_ref()).to_ascii_lowercase(),
        ))
    }

    /// The report id and the source's identity secret of a live session.
    pub fn open_existing(
        &self,
        cookie: Option<&str>,
    ) -> Result<(String, Zeroizing<[u8; 32]>), SessionError> {
        let cookie = cookie.ok_or(SessionError::Missing)?;
        let raw = Zeroizing::new(
            BASE32_NOPAD
                .decode(cookie.to_ascii_uppercase().as_bytes())
                .map_err(|_| SessionError::Missing)?,
        );
        let key: Zeroizing<[u8; 32]> = Zeroizing::new(
            raw.as_slice()
                .try_into()
                .map_err(|_| SessionError::Missing)?,
        );
        let hash: [u8; 32] = Sha256::digest(&key[..]).into();
        let (report_id, sealed) = {
            let now = Instant::now();
            let mut map = lock(&self.map);
            let Some(s) = map.get_mut(&hash) else {
                return Err(SessionError::Missing);
            };
            if expired(s, now, self.idle, self.max_age) {
                map.remove(&hash);
                return Err(SessionError::Expired);
            }
            s.last = now;
            (s.report_id.clone(), s.sealed_secret.clone())
        };
        let session_id = keys::identity_from_bytes(&key).map_err(|_| SessionError::Broken)?;
        let plain = envelope::open(&sealed, &[&session_id]).map_err(|_| SessionError::Broken)?;
        let secret: [u8; 32] = plain
            .as_slice()
            .try_into()
            .map_err(|_| SessionError::Broken)?;
        Ok((report_id, Zeroizing::new(secret)))
    }

    /// Ends a session.
    pub fn close(&self, cookie: Option<&str>) {
        let Some(raw) =
            cookie.and_then(|c| BASE32_NOPAD.decode(c.to_ascii_uppercase().as_bytes()).ok())
        else {
            return;
        };
        let hash: [u8; 32] = Sha256::digest(&raw).into();
        lock(&self.map).remove(&hash);
    }

    /// Number of live sessions (for tests and status).
    pub fn len(&self) -> usize {
        lock(&self.map).len()
    }

    /// True if there is no session.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

fn expired(s: &Session, now: Instant, idle: Duration, max_age: Duration) -> bool {
    now.duration_since(s.last) > idle || now.duration_since(s.created) > max_age
}

/// Ends the least recently used session among those `which` selects;
/// false if there is none.
fn evict_least_recent(
    map: &mut HashMap<[u8; 32], Session>,
    which: impl Fn(&Session) -> bool,
) -> bool {
    let oldest = map
        .iter()
        .filter(|(_, s)| which(s))
        .min_by_key(|(_, s)| s.last)
        .map(|(k, _)| *k);
    match oldest {
        Some(k) => map.remove(&k).is_some(),
        None => false,
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    match m.lock() {
        Ok(g) => g,
        Err(p) => p.into_inner(),
    }
}

// ----- pages -----

#[derive(Template)]
#[template(path = "followup_login.html")]
struct LoginPage {
    page: PageCtx,
    csrf: String,
    problem: Option<String>,
}

#[derive(Template)]
#[template(path = "followup_thread.html")]
struct ThreadPage {
    page: PageCtx,
    csrf: String,
    /// Consent questions the source may withdraw: (field id, label).
    consents: Vec<(String, String)>,
    status: String,
    notice: Option<String>,
    problem: Option<String>,
    replies: Vec<ReplyView>,
    message: String,
    max: usize,
    /// The file input, if attachments are allowed.
    files: Option<FilesView>,
    /// What was done to each file of the message just sent.
    sent: Vec<FileResult>,
}

/// What the thread page shows besides the thread itself.
#[derive(Default)]
struct Shown<'a> {
    notice: Option<String>,
    problem: Option<String>,
    /// The message text to show again in the box.
    draft: &'a str,
    sent: Vec<FileResult>,
    /// Files refused because they cannot be cleaned, named with the choices.
    refused: Vec<RefusedFile>,
}

#[derive(Template)]
#[template(path = "message.html")]
struct MessagePage {
    page: PageCtx,
    title: String,
    message: String,
}

struct ReplyView {
    id: String,
    heading: String,
    text: String,
}

// ----- handlers -----

async fn followup(req: HttpRequest, st: web::Data<IntakeState>) -> HttpResponse {
    let lang = request_lang(&req, None);
    let cookie = cookie(&req, SESSION_COOKIE);
    match st.followups.open_existing(cookie.as_deref()) {
        Ok((report_id, secret)) => {
            let notice = query_notice(&req, &Tr::new(lang));
            let shown = Shown {
                notice,
                ..Shown::default()
            };
            thread_page(&req, &st, lang, &report_id, &secret, shown).await
        }
        Err(e) => {
            let problem =
                (e == SessionError::Expired).then(|| Tr::new(lang).t("followup-session-ended"));
            login_page(&req, &st, lang, StatusCode::OK, problem)
        }
    }
}

async fn login(
    req: HttpRequest,
    payload: web::Payload,
    st: web::Data<IntakeState>,
) -> HttpResponse {
    let (lang, pairs) = match read_form(&req, payload, &st, 4096).await {
        Ok(form) => form,
        Err(resp) => return *resp,
    };
    let tr = Tr::new(lang);
    if let Err(resp) = check_csrf(&req, &st, lang, &pairs.0) {
        return *resp;
    }
    let typed = pairs
        .0
        .iter()
        .find(|(k, _)| k == "codename")
        .map(|(_, v)| v.as_str())
        .unwrap_or("");
    let Ok(normalized) = codename::normalize(typed) else {
        tracing::info!(target: "amanat::intake", "follow-up login refused: checksum");
        return login_page(
            &req,
            &st,
            lang,
            StatusCode::BAD_REQUEST,
            Some(tr.t("followup-check-words")),
        );
    };
    drop(pairs);
    // Counted only now: a request without a valid token or with a codename
    // that fails its checksum never spends the shared budget. Past the
    // limit a login waits briefly for a slot (`limits.rate_wait_ms`).
    if !st.logins.admit().await {
        tracing::info!(target: "amanat::intake", "follow-up login deferred: rate limit reached");
        return login_page(
            &req,
            &st,
            lang,
            StatusCode::TOO_MANY_REQUESTS,
            Some(tr.t("error-too-many")),
        );
    }
    let mut sets = match st.store.kdf_param_sets() {
        Ok(s) => s,
        Err(e) => {
            tracing::error!(target: "amanat::intake", "cannot read KDF parameters: {e}");
            return internal_error(lang);
        }
    };
    if sets.is_empty() {
        // No source yet: still do the same work, so timing says nothing.
        sets.push(st.kdf.params);
    }
    let derived = match st.kdf.derive_all(normalized, sets).await {
        Ok(d) => d,
        Err(KdfError::Busy) => {
            tracing::info!(target: "amanat::intake", "follow-up login deferred: KDF busy");
            return login_page(
                &req,
                &st,
                lang,
                StatusCode::SERVICE_UNAVAILABLE,
                Some(tr.t("followup-busy")),
            );
        }
        Err(KdfError::Failed) => return internal_error(lang),
    };
    let mut found = None;
    for (params, d) in &derived {
        match st.store.source(&d.lookup) {
            Ok(Some(rec)) if rec.kdf == *params && found.is_none() => found = Some((rec, d)),
            Ok(_) => {}
            Err(e) => {
                tracing::error!(target: "amanat::intake", "source lookup failed: {e}");
                return internal_error(lang);
            }
        }
    }
    let Some((rec, d)) = found else {
        tracing::info!(target: "amanat::intake", "follow-up login refused: unknown codename");
        return login_page(
            &req,
            &st,
            lang,
            StatusCode::BAD_REQUEST,
            Some(tr.t("followup-check-words")),
        );
    };
    let session = match st.followups.open(&rec.report_id, &d.secret) {
        Ok(s) => s,
        Err(_) => {
            return login_page(
                &req,
                &st,
                lang,
                StatusCode::SERVICE_UNAVAILABLE,
                Some(tr.t("followup-busy")),
            );
        }
    };
    tracing::info!(target: "amanat::intake", "follow-up login");
    let mut resp = see_other(&format!("/followup?lang={}", lang.code));
    set_cookie(&req, &mut resp, SESSION_COOKIE, session.to_string());
    resp
}

async fn message(
    req: HttpRequest,
    payload: web::Payload,
    st: web::Data<IntakeState>,
) -> HttpResponse {
    let (lang, pairs, files, report_id, secret, admitted) = if is_multipart(&req) {
        // The session is checked before any file is read.
        let (report_id, secret) = match session_or_login(&req, &st, request_lang(&req, None)) {
            Ok(s) => s,
            Err(resp) => return *resp,
        };
        match read_message_multipart(&req, payload, &st).await {
            Ok((lang, pairs, files, admitted)) => (lang, pairs, files, report_id, secret, admitted),
            Err(MessageRefusal::Page(resp)) => return *resp,
            Err(MessageRefusal::Form {
                lang,
                status,
                notice,
                draft,
                refused,
            }) => {
                let shown = Shown {
                    problem: Some(notice),
                    draft: &draft,
                    refused,
                    ..Shown::default()
                };
                let mut resp = thread_page(&req, &st, lang, &report_id, &secret, shown).await;
                if resp.status() == StatusCode::BAD_REQUEST {
                    *resp.status_mut() = status;
                }
                return resp;
            }
        }
    } else {
        let limit = body_limit(st.limits.message_chars);
        let (lang, pairs) = match read_form(&req, payload, &st, limit).await {
            Ok(form) => form,
            Err(resp) => return *resp,
        };
        let (report_id, secret) = match session_or_login(&req, &st, lang) {
            Ok(s) => s,
            Err(resp) => return *resp,
        };
        if let Err(resp) = check_csrf(&req, &st, lang, &pairs.0) {
            return *resp;
        }
        (lang, pairs, Vec::new(), report_id, secret, false)
    };
    let tr = Tr::new(lang);
    let raw = pairs
        .0
        .iter()
        .find(|(k, _)| k == "message")
        .map(|(_, v)| v.as_str())
        .unwrap_or("");
    let problem = |id: &str| Shown {
        problem: Some(tr.t(id)),
        ..Shown::default()
    };
    let text = match normalize_text(raw, true) {
        // A message may be files alone.
        Some(t) if t.is_empty() && files.is_empty() => {
            let shown = problem("followup-message-empty");
            return thread_page(&req, &st, lang, &report_id, &secret, shown).await;
        }
        Some(t) if t.chars().count() > st.limits.message_chars => {
            let p = tr.t_args(
                "followup-message-too-long",
                &[("max", Arg::Num(st.limits.message_chars as i64))],
            );
            let mut p = Some(p);
            if !files.is_empty() {
                p = p.map(|p| format!("{p} {}", tr.t("files-choose-again")));
            }
            let shown = Shown {
                problem: p,
                draft: &t,
                ..Shown::default()
            };
            return thread_page(&req, &st, lang, &report_id, &secret, shown).await;
        }
        Some(t) => Zeroizing::new(t),
        None => {
            let shown = problem("error-control-chars");
            return thread_page(&req, &st, lang, &report_id, &secret, shown).await;
        }
    };
    // Counted only once the session, the token and the text passed their
    // checks (a message with files was counted before its first file was
    // read). Past the limit it waits briefly for a slot.
    if !admitted && !st.messages.admit().await {
        tracing::info!(target: "amanat::intake", "follow-up message deferred: rate limit reached");
        let shown = Shown {
            problem: Some(tr.t("error-too-many")),
            draft: text.as_str(),
            ..Shown::default()
        };
        let mut resp = thread_page(&req, &st, lang, &report_id, &secret, shown).await;
        if resp.status() == StatusCode::BAD_REQUEST {
            *resp.status_mut() = StatusCode::TOO_MANY_REQUESTS;
        }
        return resp;
    }
    drop(pairs);
    if !super::has_free_space(st.store.dir(), st.limits.min_free_bytes) {
        tracing::warn!(target: "amanat::intake", "follow-up message refused: free space below the floor");
        let mut p = tr.t("error-low-space");
        if !files.is_empty() {
            p = format!("{p} {}", tr.t("files-choose-again"));
        }
        drop(files);
        let shown = Shown {
            problem: Some(p),
            draft: text.as_str(),
            ..Shown::default()
        };
        let mut resp = thread_page(&req, &st, lang, &report_id, &secret, shown).await;
        if resp.status() == StatusCode::BAD_REQUEST {
            *resp.status_mut() = StatusCode::INSUFFICIENT_STORAGE;
        }
        return resp;
    }
    let store = st.store.clone();
    let lang_code = lang.code;
    let rid = report_id.clone();
    // Shown again if the files must be sent again.
    let draft_again = text.clone();
    let stored = web::block(
        move || -> Result<Vec<AttachmentManifest>, super::CommitError> {
            // Blobs first, durable, then the message that points at them.
            let (blob_ids, manifests) = super::commit_files(&store, files)?;
            let record = serde_json::to_vec(&serde_json::json!({
                "schema": "amanat.message/1",
                "lang": lang_code,
                "text": text.as_str(),
                "attachments": manifests,
            }))
            .map(Zeroizing::new)
            .map_err(|e| e.to_string());
            let result = record
                .and_then(|r| seal_to_triage(&store, &rid, EnvelopeKind::Message, &r, &blob_ids));
            if result.is_err() {
                store.remove_blobs(&blob_ids);
            }
            result
                .map(|()| manifests)
                .map_err(super::CommitError::Store)
        },
    )
    .await;
    match stored {
        Ok(Ok(manifests)) if manifests.is_empty() => {
            tracing::info!(target: "amanat::intake", "follow-up message stored");
            see_other(&format!("/followup?lang={}&done=sent", lang.code))
        }
        Ok(Ok(manifests)) => {
            // What was removed from each file is shown at once: the thread
            // page cannot show it later (the server cannot read the message).
            tracing::info!(target: "amanat::intake", "follow-up message with files stored");
            let shown = Shown {
                notice: Some(tr.t("followup-message-sent")),
                sent: super::file_results(&tr, &manifests),
                ..Shown::default()
            };
            thread_page(&req, &st, lang, &report_id, &secret, shown).await
        }
        Ok(Err(super::CommitError::RecipientsChanged)) => {
            tracing::info!(target: "amanat::intake", "follow-up message deferred: reviewers changed during upload");
            let p = format!(
                "{} {}",
                tr.t("error-reviewers-changed"),
                tr.t("files-choose-again")
            );
            let shown = Shown {
                problem: Some(p),
                draft: draft_again.as_str(),
                ..Shown::default()
            };
            let mut resp = thread_page(&req, &st, lang, &report_id, &secret, shown).await;
            if resp.status() == StatusCode::BAD_REQUEST {
                *resp.status_mut() = StatusCode::CONFLICT;
            }
            resp
        }
        Ok(Err(super::CommitError::Store(e))) => {
            tracing::error!(target: "amanat::intake", "follow-up message failed: {e}");
            internal_error(lang)
        }
        Err(_) => internal_error(lang),
    }
}

fn is_multipart(req: &HttpRequest) -> bool {
    req.headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.to_ascii_lowercase().starts_with("multipart/form-data"))
}

/// Why a message with files was refused.
enum MessageRefusal {
    /// A page of its own.
    Page(Box<HttpResponse>),
    /// The thread again, with the text kept and a notice.
    Form {
        lang: &'static Lang,
        status: StatusCode,
        notice: String,
        draft: String,
        refused: Vec<RefusedFile>,
    },
}

/// Reads a message posted with files: the text fields and the token come
/// first, then each file streams into an encrypted temporary blob, once the
/// message is counted against the rate limit (the last value is then true).
async fn read_message_multipart(
    req: &HttpRequest,
    payload: web::Payload,
    st: &IntakeState,
) -> Result<(&'static Lang, Wiped, Vec<StagedFile>, bool), MessageRefusal> {
    let header_lang = request_lang(req, None);
    if !super::has_boundary(req) {
        return Err(MessageRefusal::Page(
            super::refuse_unreadable(payload, st, header_lang).await,
        ));
    }
    let recipients = super::triage_recipients(st, header_lang).map_err(MessageRefusal::Page)?;
    let csrf_cookie = cookie(req, CSRF_COOKIE);
    let csrf_ok = |pairs: &[(String, String)]| {
        let token = pairs
            .iter()
            .find(|(k, _)| k == "csrf")
            .map(|(_, v)| v.as_str());
        let ok = st.csrf.consume(csrf_cookie.as_deref(), token).is_ok();
        if !ok {
            tracing::info!(target: "amanat::intake", "follow-up request refused: anti-forgery token");
        }
        ok
    };
    let limit = body_limit(st.limits.message_chars);
    let ctx = super::multipart_context(st, recipients, limit, &csrf_ok, &st.messages);
    let idle = std::time::Duration::from_secs(st.limits.body_idle_secs);
    let (body, stall) = crate::web::idle_limited(payload, idle);
    let mp = actix_multipart::Multipart::new(req.headers(), body);
    match upload::read_multipart(mp, ctx).await {
        Ok(form) => {
            let pairs = Wiped(form.pairs);
            Ok((
                request_lang(req, Some(&pairs.0)),
                pairs,
                form.files,
                form.admitted,
            ))
        }
        Err(upload::MultipartFailure { error, pairs }) => {
            let pairs = Wiped(pairs);
            let lang = request_lang(req, Some(&pairs.0));
            if stall.is_set() {
                tracing::info!(target: "amanat::intake", "follow-up request refused: body stalled");
                return Err(MessageRefusal::Page(Box::new(super::stalled(lang))));
            }
            match super::multipart_refusal(error, lang) {
                super::Refusal::Page(resp) => Err(MessageRefusal::Page(resp)),
                super::Refusal::Form(status, notice, refused) => {
                    let draft = pairs
                        .0
                        .iter()
                        .find(|(k, _)| k == "message")
                        .and_then(|(_, v)| normalize_text(v, true))
                        .unwrap_or_default();
                    Err(MessageRefusal::Form {
                        lang,
                        status,
                        notice,
                        draft,
                        refused,
                    })
                }
            }
        }
    }
}

async fn delete(
    req: HttpRequest,
    payload: web::Payload,
    st: web::Data<IntakeState>,
) -> HttpResponse {
    let (lang, pairs) = match read_form(&req, payload, &st, 4096).await {
        Ok(form) => form,
        Err(resp) => return *resp,
    };
    let (report_id, _secret) = match session_or_login(&req, &st, lang) {
        Ok(s) => s,
        Err(resp) => return *resp,
    };
    if let Err(resp) = check_csrf(&req, &st, lang, &pairs.0) {
        return *resp;
    }
    let reply = pairs
        .0
        .iter()
        .find(|(k, _)| k == "reply")
        .map(|(_, v)| v.clone())
        .unwrap_or_default();
    if !random::is_id(&reply) {
        return super::bad_request(lang, "error-bad-request-detail-form");
    }
    let store = st.store.clone();
    let done =
        web::block(move || store.delete_envelope(&report_id, &reply, EnvelopeKind::Reply)).await;
    match done {
        Ok(Ok(())) => {
            tracing::info!(target: "amanat::intake", "reply deleted by source");
            see_other(&format!("/followup?lang={}&done=deleted", lang.code))
        }
        Ok(Err(crate::store::StoreError::NotFound)) => error_page(
            StatusCode::NOT_FOUND,
            lang,
            &Tr::new(lang).t("error-not-found"),
        ),
        _ => internal_error(lang),
    }
}

/// Records a withdrawal of consent: an encrypted note to the triage
/// reviewers, which the CLI applies to every later action and export.
async fn withdraw(
    req: HttpRequest,
    payload: web::Payload,
    st: web::Data<IntakeState>,
) -> HttpResponse {
    let (lang, pairs) = match read_form(&req, payload, &st, 8192).await {
        Ok(form) => form,
        Err(resp) => return *resp,
    };
    let tr = Tr::new(lang);
    let (report_id, secret) = match session_or_login(&req, &st, lang) {
        Ok(s) => s,
        Err(resp) => return *resp,
    };
    if let Err(resp) = check_csrf(&req, &st, lang, &pairs.0) {
        return *resp;
    }
    let known: Vec<&str> = st
        .questionnaire
        .fields
        .iter()
        .filter(|f| f.id.starts_with("consent_"))
        .map(|f| f.id.as_str())
        .collect();
    let mut chosen: Vec<String> = Vec::new();
    for (k, v) in &pairs.0 {
        if k == "withdraw" {
            if !known.contains(&v.as_str()) {
                return super::bad_request(lang, "error-bad-request-detail-fields");
            }
            if !chosen.contains(v) {
                chosen.push(v.clone());
            }
        }
    }
    if chosen.is_empty() {
        let shown = Shown {
            problem: Some(tr.t("followup-withdraw-none")),
            ..Shown::default()
        };
        return thread_page(&req, &st, lang, &report_id, &secret, shown).await;
    }
    let store = st.store.clone();
    let stored = web::block(move || -> Result<(), String> {
        let record = serde_json::to_vec(&serde_json::json!({
            "schema": "amanat.withdrawal/1",
            "withdraw": chosen,
        }))
        .map_err(|e| e.to_string())?;
        seal_to_triage(&store, &report_id, EnvelopeKind::Withdrawal, &record, &[])
    })
    .await;
    match stored {
        Ok(Ok(())) => {
            tracing::info!(target: "amanat::intake", "consent withdrawal stored");
            see_other(&format!("/followup?lang={}&done=withdrawn", lang.code))
        }
        _ => internal_error(lang),
    }
}

async fn logout(
    req: HttpRequest,
    payload: web::Payload,
    st: web::Data<IntakeState>,
) -> HttpResponse {
    let (lang, pairs) = match read_form(&req, payload, &st, 4096).await {
        Ok(form) => form,
        Err(resp) => return *resp,
    };
    if let Err(resp) = check_csrf(&req, &st, lang, &pairs.0) {
        return *resp;
    }
    st.followups.close(cookie(&req, SESSION_COOKIE).as_deref());
    let tr = Tr::new(lang);
    let mut resp = render(
        StatusCode::OK,
        &MessagePage {
            page: PageCtx::new(lang, "/"),
            title: tr.t("followup-title"),
            message: tr.t("followup-logged-out"),
        },
    );
    let gone = Cookie::build(SESSION_COOKIE, "")
        .path("/")
        .http_only(true)
        .same_site(SameSite::Strict)
        .finish();
    let mut gone = gone;
    gone.make_removal();
    let _ = resp.add_cookie(&gone);
    resp
}

// ----- helpers -----

/// Encrypts a source's record to every triage reviewer and appends it to the
/// report (a follow-up message or a consent withdrawal).
fn seal_to_triage(
    store: &crate::store::Store,
    report_id: &str,
    kind: EnvelopeKind,
    record: &[u8],
    blobs: &[String],
) -> Result<(), String> {
    let triage = store
        .recipients_with_role(Role::Triage)
        .map_err(|e| e.to_string())?;
    let recipients = envelope::parse_recipients(&triage).map_err(|e| e.to_string())?;
    let ciphertext = envelope::seal(record, &recipients).map_err(|e| e.to_string())?;
    store
        .append_envelope_with_blobs(
            report_id,
            NewEnvelope {
                kind,
                ciphertext,
                recipients: triage,
            },
            blobs,
        )
        .map(|_| ())
        .map_err(|e| e.to_string())
}

fn login_page(
    req: &HttpRequest,
    st: &IntakeState,
    lang: &'static Lang,
    status: StatusCode,
    problem: Option<String>,
) -> HttpResponse {
    let (csrf_cookie, fresh) = csrf_cookie(req);
    let mut resp = render(
        status,
        &LoginPage {
            page: PageCtx::new(lang, "/followup"),
            csrf: st.csrf.issue(&csrf_cookie),
            problem,
        },
    );
    if fresh {
        set_cookie(req, &mut resp, CSRF_COOKIE, csrf_cookie);
    }
    resp
}

#[allow(clippy::too_many_arguments)]
async fn thread_page(
    req: &HttpRequest,
    st: &IntakeState,
    lang: &'static Lang,
    report_id: &str,
    secret: &Zeroizing<[u8; 32]>,
    shown: Shown<'_>,
) -> HttpResponse {
    let Shown {
        notice,
        problem,
        draft,
        sent,
        refused,
    } = shown;
    let tr = Tr::new(lang);
    let meta = match st.store.report(report_id) {
        Ok(Some(m)) => m,
        Ok(None) => {
            // The report was purged: the session has nothing left to show.
            st.followups.close(cookie(req, SESSION_COOKIE).as_deref());
            return login_page(
                req,
                st,
                lang,
                StatusCode::OK,
                Some(tr.t("followup-session-ended")),
            );
        }
        Err(e) => {
            tracing::error!(target: "amanat::intake", "cannot read report: {e}");
            return internal_error(lang);
        }
    };
    let Ok(identity) = keys::identity_from_bytes(secret) else {
        return internal_error(lang);
    };
    let mut replies = Vec::new();
    for e in meta
        .envelopes
        .iter()
        .filter(|e| e.kind == EnvelopeKind::Reply)
    {
        let Ok(Some(ct)) = st.store.envelope(&e.id) else {
            continue;
        };
        let Ok(plain) = envelope::open(&ct, &[&identity]) else {
            continue;
        };
        let Ok(v) = serde_json::from_slice::<serde_json::Value>(&plain) else {
            continue;
        };
        let text = v
            .get("text")
            .and_then(|t| t.as_str())
            .unwrap_or_default()
            .to_string();
        replies.push(ReplyView {
            id: e.id.clone(),
            heading: tr.t_args(
                "followup-reply-from",
                &[("day", Arg::Text(e.day.to_string()))],
            ),
            text,
        });
    }
    drop(identity);
    let status = match meta.state {
        State::New => tr.t("followup-status-received"),
        State::Closed => tr.t("followup-status-closed"),
        _ => tr.t("followup-status-in_review"),
    };
    let (csrf_cookie, fresh) = csrf_cookie(req);
    let code = if problem.is_some() {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    };
    let consents = st
        .questionnaire
        .fields
        .iter()
        .filter(|f| f.id.starts_with("consent_"))
        .map(|f| (f.id.clone(), super::views::label(&tr, f)))
        .collect();
    let mut resp = render_private(
        code,
        &ThreadPage {
            page: PageCtx::new(lang, "/followup"),
            consents,
            csrf: st.csrf.issue(&csrf_cookie),
            status,
            notice,
            problem,
            replies,
            message: draft.to_string(),
            max: st.limits.message_chars,
            files: super::views::files_view(
                &tr,
                &st.questionnaire,
                st.limits.attachments_per_submission,
                st.limits.attachment_bytes,
                None,
            )
            .map(|f| f.with_refused(refused)),
            sent,
        },
    );
    if fresh {
        set_cookie(req, &mut resp, CSRF_COOKIE, csrf_cookie);
    }
    resp
}

fn session_or_login(
    req: &HttpRequest,
    st: &IntakeState,
    lang: &'static Lang,
) -> Result<(String, Zeroizing<[u8; 32]>), Box<HttpResponse>> {
    st.followups
        .open_existing(cookie(req, SESSION_COOKIE).as_deref())
        .map_err(|e| {
            let problem =
                (e == SessionError::Expired).then(|| Tr::new(lang).t("followup-session-ended"));
            Box::new(login_page(req, st, lang, StatusCode::UNAUTHORIZED, problem))
        })
}

/// Reads a follow-up form; on failure, the page to answer with (400, or
/// 408 if the body stopped arriving).
async fn read_form(
    req: &HttpRequest,
    payload: web::Payload,
    st: &IntakeState,
    limit: usize,
) -> Result<(&'static Lang, Wiped), Box<HttpResponse>> {
    let idle = std::time::Duration::from_secs(st.limits.body_idle_secs);
    let refused = || {
        Box::new(super::bad_request(
            request_lang(req, None),
            "error-bad-request-detail-form",
        ))
    };
    let mut body = match read_body(req, payload, limit, idle).await {
        Ok(b) => b,
        Err(BodyError::Stalled) => {
            tracing::info!(target: "amanat::intake", "follow-up request refused: body stalled");
            return Err(Box::new(super::stalled(request_lang(req, None))));
        }
        Err(BodyError::TooLarge(_)) | Err(BodyError::Broken) => return Err(refused()),
    };
    let pairs = parse_urlencoded(&body, st.limits.form_fields);
    zeroize::Zeroize::zeroize(body.as_mut());
    let pairs = Wiped(pairs.map_err(|_| refused())?);
    Ok((request_lang(req, Some(&pairs.0)), pairs))
}

fn check_csrf(
    req: &HttpRequest,
    st: &IntakeState,
    lang: &'static Lang,
    pairs: &[(String, String)],
) -> Result<(), Box<HttpResponse>> {
    let token = pairs
        .iter()
        .find(|(k, _)| k == "csrf")
        .map(|(_, v)| v.as_str());
    st.csrf.consume(cookie(req, CSRF_COOKIE).as_deref(), token).map_err(|_| {
        tracing::info!(target: "amanat::intake", "follow-up request refused: anti-forgery token");
        Box::new(error_page(StatusCode::FORBIDDEN, lang, &Tr::new(lang).t("error-csrf")))
    })
}

fn query_notice(req: &HttpRequest, tr: &Tr) -> Option<String> {
    let q = parse_urlencoded(req.query_string().as_bytes(), 20).unwrap_or_default();
    match q.iter().find(|(k, _)| k == "done").map(|(_, v)| v.as_str()) {
        Some("sent") => Some(tr.t("followup-message-sent")),
        Some("deleted") => Some(tr.t("followup-deleted")),
        Some("withdrawn") => Some(tr.t("followup-withdraw-done")),
        _ => None,
    }
}

fn cookie(req: &HttpRequest, name: &str) -> Option<String> {
    req.cookie(name).map(|c| c.value().to_string())
}

/// The anti-forgery cookie value, and whether it is new.
fn csrf_cookie(req: &HttpRequest) -> (String, bool) {
    match cookie(req, CSRF_COOKIE) {
        Some(c) => (c, false),
        None => (Csrf::new_cookie(), true),
    }
}

fn see_other(location: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, location.to_string()))
        .finish()
}
