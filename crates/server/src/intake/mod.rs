//! The source interface: the HTML pages defenders use, without JavaScript.
//!
//! Routes: `/` (what this is, how to stay safe), `/report` (step 1: the
//! anonymity choice; step 2: the questionnaire), `POST /report` (parse,
//! encrypt, store, flush, then confirm), `/static/style.css`.
//!
//! This module must never log or store anything that identifies a source:
//! no address, no user agent, no language, no form content, no report id.
//! Its only log lines are aggregate events ("submission stored"). It can
//! encrypt but never decrypt.

pub mod followup;
pub mod kdf;
pub mod upload;
pub mod views;

use crate::config::Limits;
use crate::i18n::{self, Arg, Lang, Tr};
use crate::store::{EnvelopeKind, NewEnvelope, NewReport, NewSource, Store};
use crate::web::csrf::{COOKIE, Csrf, CsrfError};
use crate::web::form::{FormError, parse_urlencoded};
use crate::web::ratelimit::RateLimiter;
use crate::web::{BodyError, discard_body, human_bytes, idle_limited, is_tls, read_body};
use actix_web::cookie::{Cookie, SameSite};
use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, web};
use amanat_core::crypto::envelope;
use amanat_core::model::answers::{self, ParseError};
use amanat_core::model::{Anonymity, IDENTITY_SCHEMA, Questionnaire, REPORT_SCHEMA, Role, Urgency};
use amanat_core::records::CleanResult;
use askama::Template;
use std::sync::Arc;
use views::*;
use zeroize::{Zeroize, Zeroizing};

/// Shared state of the intake listener.
pub struct IntakeState {
    /// Concurrent multipart uploads with files.
    pub uploads: Arc<tokio::sync::Semaphore>,
    pub store: Arc<Store>,
    pub questionnaire: Arc<Questionnaire>,
    pub limits: Limits,
    pub csrf: Csrf,
    pub submissions: RateLimiter,
    pub logins: RateLimiter,
    /// Follow-up messages.
    pub messages: RateLimiter,
    pub kdf: kdf::KdfGate,
    pub followups: followup::FollowupSessions,
}

impl IntakeState {
    /// State for the intake listener.
    pub fn new(
        store: Arc<Store>,
        questionnaire: Arc<Questionnaire>,
        limits: Limits,
        kdf_cfg: &crate::config::Kdf,
    ) -> Result<Self, crate::store::StoreError> {
        let salt = store.instance_salt()?;
        let wait = std::time::Duration::from_millis(limits.rate_wait_ms);
        Ok(IntakeState {
            uploads: Arc::new(tokio::sync::Semaphore::new(limits.concurrent_uploads)),
            csrf: Csrf::new(limits.csrf_ttl_secs),
            submissions: RateLimiter::per_minute(limits.submissions_per_minute).with_wait(wait),
            logins: RateLimiter::per_minute(limits.followup_logins_per_minute).with_wait(wait),
            messages: RateLimiter::per_minute(limits.followup_messages_per_minute).with_wait(wait),
            kdf: kdf::KdfGate::new(kdf_cfg, salt),
            followups: followup::FollowupSessions::new(
                std::time::Duration::from_secs(limits.followup_session_idle_secs),
                std::time::Duration::from_secs(limits.followup_session_max_secs),
                limits.followup_sessions_max,
                limits.followup_sessions_per_report,
            ),
            store,
            questionnaire,
            limits,
        })
    }
}

/// Registers the intake routes.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/")
            .route(web::get().to(index))
            .default_service(web::to(method_not_allowed)),
    )
    .service(
        web::resource("/report")
            .route(web::get().to(report_form))
            .route(web::post().to(submit))
            .default_service(web::to(method_not_allowed)),
    )
    .service(
        web::resource("/static/style.css")
            .route(web::get().to(stylesheet))
            .default_service(web::to(method_not_allowed)),
    )
    .configure(followup::configure);
}

/// The page for any unknown path of the intake listener.
pub async fn not_found(req: HttpRequest) -> HttpResponse {
    let lang = request_lang(&req, None);
    error_page(
        StatusCode::NOT_FOUND,
        lang,
        &Tr::new(lang).t("error-not-found"),
    )
}

async fn method_not_allowed(req: HttpRequest) -> HttpResponse {
    let lang = request_lang(&req, None);
    error_page(
        StatusCode::METHOD_NOT_ALLOWED,
        lang,
        &Tr::new(lang).t("error-method"),
    )
}

async fn index(req: HttpRequest) -> HttpResponse {
    let lang = request_lang(&req, None);
    render(
        StatusCode::OK,
        &IndexPage {
            page: PageCtx::new(lang, "/"),
        },
    )
}

async fn stylesheet() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/css; charset=utf-8")
        .body(include_str!("../../../../static/style.css"))
}

async fn report_form(req: HttpRequest, st: web::Data<IntakeState>) -> HttpResponse {
    let query = query_pairs(&req);
    let lang = request_lang(&req, Some(&query));
    let tr = Tr::new(lang);
    let (triage, identity) = match reviewer_sets(&st.store) {
        Ok(s) => s,
        Err(()) => {
            return error_page(
                StatusCode::INTERNAL_SERVER_ERROR,
                lang,
                &tr.t("error-internal"),
            );
        }
    };
    if !triage {
        return error_page(
            StatusCode::SERVICE_UNAVAILABLE,
            lang,
            &tr.t("error-no-reviewers"),
        );
    }
    let chosen = query
        .iter()
        .find(|(k, _)| k == "anonymity")
        .and_then(|(_, v)| v.parse::<Anonymity>().ok());
    let Some(anonymity) = chosen else {
        return render(
            StatusCode::OK,
            &AnonymityPage {
                field: anonymity_field(&tr, &st.questionnaire, None),
                page: PageCtx::new(lang, "/report"),
            },
        );
    };
    let cookie = req.cookie(COOKIE).map(|c| c.value().to_string());
    let cookie_value = cookie.clone().unwrap_or_else(Csrf::new_cookie);
    let page = ReportPage {
        files: files_view(
            &tr,
            &st.questionnaire,
            st.limits.attachments_per_submission,
            st.limits.attachment_bytes,
            None,
        ),
        csrf: st.csrf.issue(&cookie_value),
        anonymity: anonymity.to_string(),
        anonymity_choice: anonymity_choice(&tr, &st.questionnaire, anonymity),
        errors_title: String::new(),
        errors: Vec::new(),
        sections: sections(&tr, &st.questionnaire, anonymity, identity, None, &[]),
        page: PageCtx::new(lang, &format!("/report?anonymity={anonymity}")),
    };
    let mut resp = render(StatusCode::OK, &page);
    if cookie.is_none() {
        set_csrf_cookie(&req, &mut resp, cookie_value);
    }
    resp
}

async fn submit(
    req: HttpRequest,
    payload: web::Payload,
    st: web::Data<IntakeState>,
) -> HttpResponse {
    let header_lang = request_lang(&req, None);
    let (triage, identity_available) = match reviewer_sets(&st.store) {
        Ok(s) => s,
        Err(()) => return internal_error(header_lang),
    };
    if !triage {
        let tr = Tr::new(header_lang);
        return error_page(
            StatusCode::SERVICE_UNAVAILABLE,
            header_lang,
            &tr.t("error-no-reviewers"),
        );
    }
    let (pairs, files, admitted) =
        match read_submission(&req, payload, &st, identity_available).await {
            Ok(x) => x,
            Err(resp) => return *resp,
        };
    let lang = request_lang(&req, Some(&pairs.0));
    let tr = Tr::new(lang);
    // Browsers cannot keep chosen files when a form is shown again.
    let files_notice = (!files.is_empty()).then(|| tr.t("files-choose-again"));

    let q = &st.questionnaire;
    let reshow = |errors: &[answers::FieldError], notice: Option<String>, status: StatusCode| {
        let notice = match (notice, &files_notice) {
            (Some(n), Some(f)) => Some(format!("{n} {f}")),
            (n, f) => n.or_else(|| f.clone()),
        };
        reshow_form(
            &req,
            &st,
            lang,
            &pairs.0,
            errors,
            notice,
            status,
            identity_available,
            &[],
        )
    };
    let year = amanat_core::timeutil::Day::today().ymd().0;
    let parsed = match answers::parse(q, &pairs.0, year) {
        Ok(p) => p,
        Err(ParseError::Structure(detail)) => {
            tracing::info!(target: "amanat::intake", "submission rejected: unexpected fields");
            return bad_request(lang, detail);
        }
        Err(ParseError::Fields(errors)) => {
            tracing::info!(target: "amanat::intake", "submission returned for corrections");
            return reshow(&errors, None, StatusCode::BAD_REQUEST);
        }
    };
    if !parsed.identity.is_empty() && !identity_available {
        let errors: Vec<_> = parsed
            .identity
            .keys()
            .map(|k| answers::FieldError {
                field: k.clone(),
                message: "error-identity-unavailable",
                args: Vec::new(),
            })
            .collect();
        return reshow(&errors, None, StatusCode::BAD_REQUEST);
    }
    // Counted only now that the token and the answers passed their checks
    // (a form with files was counted before its first file was read). Past
    // the limit it waits briefly for a slot (`limits.rate_wait_ms`).
    if !admitted && !st.submissions.admit().await {
        tracing::info!(target: "amanat::intake", "submission deferred: rate limit reached");
        return reshow(
            &[],
            Some(tr.t("error-too-many")),
            StatusCode::TOO_MANY_REQUESTS,
        );
    }

    // The codename: generated here, shown once, never stored.
    let codename = amanat_core::crypto::codename::generate();
    let derived = match st.kdf.derive(codename.clone()).await {
        Ok(d) => d,
        Err(kdf::KdfError::Busy) => {
            tracing::info!(target: "amanat::intake", "submission deferred: KDF busy");
            return reshow(
                &[],
                Some(tr.t("error-busy")),
                StatusCode::SERVICE_UNAVAILABLE,
            );
        }
        Err(kdf::KdfError::Failed) => return internal_error(lang),
    };
    let source = match amanat_core::crypto::keys::identity_from_bytes(&derived.secret) {
        Ok(id) => NewSource {
            lookup: derived.lookup,
            recipient: id.to_public().to_string(),
            kdf: st.kdf.params,
        },
        Err(_) => return internal_error(lang),
    };
    drop(derived);

    if !has_free_space(st.store.dir(), st.limits.min_free_bytes) {
        tracing::warn!(target: "amanat::intake", "submission refused: free space below the floor");
        drop(files);
        return reshow(
            &[],
            Some(tr.t("error-low-space")),
            StatusCode::INSUFFICIENT_STORAGE,
        );
    }
    let store = st.store.clone();
    let qid = (q.id.clone(), q.version);
    let lang_code = lang.code;
    let result =
        web::block(move || seal_and_store(&store, parsed, files, qid, lang_code, source)).await;
    match result {
        Ok(Ok(attachments)) => {
            tracing::info!(target: "amanat::intake", "submission stored");
            render_private(
                StatusCode::OK,
                &ConfirmPage {
                    page: PageCtx::new(lang, "/"),
                    codename,
                    files: file_results(&tr, &attachments),
                },
            )
        }
        Ok(Err(CommitError::RecipientsChanged)) => {
            tracing::info!(target: "amanat::intake", "submission deferred: reviewers changed during upload");
            // `reshow` adds that the files must be chosen again.
            reshow(
                &[],
                Some(tr.t("error-reviewers-changed")),
                StatusCode::CONFLICT,
            )
        }
        Ok(Err(CommitError::Store(e))) => {
            tracing::error!(target: "amanat::intake", "submission failed: {e}");
            internal_error(lang)
        }
        Err(_) => {
            tracing::error!(target: "amanat::intake", "submission failed: worker unavailable");
            internal_error(lang)
        }
    }
}

/// Reads a submission in either encoding, checking its anti-forgery token.
/// Multipart bodies stream their files into encrypted temporary blobs, once
/// the token was checked and the submission counted against the rate limit
/// (the third value is then true).
async fn read_submission(
    req: &HttpRequest,
    payload: web::Payload,
    st: &IntakeState,
    identity_available: bool,
) -> Result<(Wiped, Vec<upload::StagedFile>, bool), Box<HttpResponse>> {
    let header_lang = request_lang(req, None);
    let content_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_ascii_lowercase();
    let cookie = req.cookie(COOKIE).map(|c| c.value().to_string());
    let csrf_ok = |pairs: &[(String, String)]| {
        let token = pairs
            .iter()
            .find(|(k, _)| k == "csrf")
            .map(|(_, v)| v.as_str());
        match st.csrf.consume(cookie.as_deref(), token) {
            Ok(()) => true,
            Err(e) => {
                let what = match e {
                    CsrfError::Missing => "missing",
                    CsrfError::Invalid => "invalid",
                    CsrfError::Expired => "expired",
                    CsrfError::Reused => "reused",
                };
                tracing::info!(target: "amanat::intake", "submission rejected: anti-forgery token {what}");
                false
            }
        }
    };
    let csrf_refused = |lang: &'static Lang| {
        Box::new(error_page(
            StatusCode::FORBIDDEN,
            lang,
            &Tr::new(lang).t("error-csrf"),
        ))
    };
    let idle = std::time::Duration::from_secs(st.limits.body_idle_secs);
    if content_type.starts_with("application/x-www-form-urlencoded") {
        let mut body = match read_body(req, payload, st.limits.form_body_bytes, idle).await {
            Ok(b) => b,
            Err(BodyError::TooLarge(limit)) => {
                tracing::info!(target: "amanat::intake", "submission rejected: body too large");
                return Err(Box::new(too_large(header_lang, limit as u64)));
            }
            Err(BodyError::Stalled) => {
                tracing::info!(target: "amanat::intake", "submission rejected: body stalled");
                return Err(Box::new(stalled(header_lang)));
            }
            Err(BodyError::Broken) => {
                return Err(Box::new(bad_request(
                    header_lang,
                    "error-bad-request-detail-form",
                )));
            }
        };
        let parsed_pairs = parse_urlencoded(&body, st.limits.form_fields);
        body.as_mut().zeroize();
        let pairs = match parsed_pairs {
            Ok(p) => Wiped(p),
            Err(FormError::Encoding) => {
                return Err(Box::new(bad_request(
                    header_lang,
                    "error-bad-request-detail-encoding",
                )));
            }
            Err(FormError::TooManyFields(_)) => {
                return Err(Box::new(bad_request(
                    header_lang,
                    "error-bad-request-detail-fields",
                )));
            }
        };
        if !csrf_ok(&pairs.0) {
            return Err(csrf_refused(request_lang(req, Some(&pairs.0))));
        }
        return Ok((pairs, Vec::new(), false));
    }
    if !content_type.starts_with("multipart/form-data") || !has_boundary(req) {
        return Err(refuse_unreadable(payload, st, header_lang).await);
    }
    let recipients = triage_recipients(st, header_lang)?;
    let ctx = multipart_context(
        st,
        recipients,
        st.limits.form_body_bytes,
        &csrf_ok,
        &st.submissions,
    );
    let (body, stall) = idle_limited(payload, idle);
    let mp = actix_multipart::Multipart::new(req.headers(), body);
    match upload::read_multipart(mp, ctx).await {
        Ok(form) => Ok((Wiped(form.pairs), form.files, form.admitted)),
        Err(upload::MultipartFailure { error, pairs }) => {
            let pairs = Wiped(pairs);
            let lang = request_lang(req, Some(&pairs.0));
            if stall.is_set() {
                // Whatever the parser made of the cut-off body, the cause
                // is the stall; the upload slot and any staged file are
                // already released.
                tracing::info!(target: "amanat::intake", "submission rejected: body stalled");
                return Err(Box::new(stalled(lang)));
            }
            match multipart_refusal(error, lang) {
                Refusal::Page(resp) => Err(resp),
                Refusal::Form(status, notice, refused) => Err(Box::new(reshow_form(
                    req,
                    st,
                    lang,
                    &pairs.0,
                    &[],
                    Some(notice),
                    status,
                    identity_available,
                    &refused,
                ))),
            }
        }
    }
}

/// True if the request's multipart type names a usable boundary. Without
/// one actix-multipart drops the body unread (the client then sees a reset,
/// not our page) and panics if polled again after reporting it, so such a
/// body must go to [`refuse_unreadable`] instead.
fn has_boundary(req: &HttpRequest) -> bool {
    actix_web::HttpMessage::mime_type(req)
        .ok()
        .flatten()
        .and_then(|m| m.get_param("boundary").map(|b| !b.as_str().is_empty()))
        .unwrap_or(false)
}

/// Reads and drops a body that cannot be parsed (bounded in size and idle
/// time), then answers 400, or 408 if it stopped arriving.
async fn refuse_unreadable(
    payload: web::Payload,
    st: &IntakeState,
    lang: &'static Lang,
) -> Box<HttpResponse> {
    let idle = std::time::Duration::from_secs(st.limits.body_idle_secs);
    let (body, stall) = idle_limited(payload, idle);
    discard_body(body, st.limits.submission_bytes).await;
    if stall.is_set() {
        return Box::new(stalled(lang));
    }
    Box::new(bad_request(lang, "error-bad-request-detail-form"))
}

/// The reviewers files are encrypted to: those with the triage role.
fn triage_recipients(
    st: &IntakeState,
    lang: &'static Lang,
) -> Result<Vec<age::x25519::Recipient>, Box<HttpResponse>> {
    st.store
        .recipients_with_role(Role::Triage)
        .map_err(|e| e.to_string())
        .and_then(|r| envelope::parse_recipients(&r).map_err(|e| e.to_string()))
        .map_err(|e| {
            tracing::error!(target: "amanat::intake", "cannot read reviewers: {e}");
            Box::new(internal_error(lang))
        })
}

/// The multipart reader's limits and destinations for a form whose text
/// fields may take `max_text_bytes`; files are encrypted to `recipients`,
/// once the form is counted against `admission`.
fn multipart_context<'a>(
    st: &'a IntakeState,
    recipients: Vec<age::x25519::Recipient>,
    max_text_bytes: usize,
    csrf_ok: &'a upload::CsrfCheck<'a>,
    admission: &'a RateLimiter,
) -> upload::MultipartContext<'a> {
    let l = &st.limits;
    upload::MultipartContext {
        max_text_bytes,
        max_fields: l.form_fields,
        max_files: l.attachments_per_submission,
        max_total: l.submission_bytes,
        file: upload::FileLimits {
            file_bytes: l.attachment_bytes,
            sanitize: amanat_sanitize::Limits {
                max_in_memory: l.clean_in_memory_bytes,
                zip_max_in_memory: l.office_memory_per_upload(),
                pdf_max_decoded: l.pdf_max_decoded_bytes,
                pdf_max_values: l.pdf_max_values,
                ..amanat_sanitize::Limits::default()
            },
        },
        recipients,
        blobs_dir: st.store.blobs_dir(),
        uploads: &st.uploads,
        csrf_ok,
        min_free_bytes: l.min_free_bytes,
        admission,
    }
}

/// How a refused multipart body is answered.
enum Refusal {
    /// A page of its own: the form cannot be shown again.
    Page(Box<HttpResponse>),
    /// The form again, with this status and notice; the source must choose
    /// the files again (nothing of them was kept). The files that could not
    /// be cleaned are named, with the choices the form offers for them.
    Form(StatusCode, String, Vec<RefusedFile>),
}

/// The answer to a multipart body the reader refused.
fn multipart_refusal(error: upload::MultipartError, lang: &'static Lang) -> Refusal {
    let tr = Tr::new(lang);
    let size = |n: u64| Arg::Text(human_bytes(n));
    let page = |resp: HttpResponse| Refusal::Page(Box::new(resp));
    let (status, notice) = match error {
        upload::MultipartError::BadBody(detail) => return page(bad_request(lang, detail)),
        upload::MultipartError::Csrf => {
            return page(error_page(StatusCode::FORBIDDEN, lang, &tr.t("error-csrf")));
        }
        upload::MultipartError::TextTooLarge(limit) => return page(too_large(lang, limit as u64)),
        upload::MultipartError::File(upload::UploadError::Broken) => {
            tracing::info!(target: "amanat::intake", "upload torn: nothing stored");
            return page(bad_request(lang, "error-bad-request-detail-form"));
        }
        upload::MultipartError::File(upload::UploadError::Internal(e)) => {
            tracing::error!(target: "amanat::intake", "upload failed: {e}");
            return page(internal_error(lang));
        }
        upload::MultipartError::TooManyFiles(n) => (
            StatusCode::PAYLOAD_TOO_LARGE,
            tr.t_args("error-too-many-files", &[("limit", Arg::Num(n as i64))]),
        ),
        upload::MultipartError::SubmissionTooLarge(n) => (
            StatusCode::PAYLOAD_TOO_LARGE,
            tr.t_args("error-submission-too-large", &[("limit", size(n))]),
        ),
        upload::MultipartError::Busy => (StatusCode::SERVICE_UNAVAILABLE, tr.t("error-busy")),
        upload::MultipartError::LowSpace => {
            tracing::warn!(target: "amanat::intake", "upload refused: free space below the floor");
            (StatusCode::INSUFFICIENT_STORAGE, tr.t("error-low-space"))
        }
        upload::MultipartError::Uncleanable(files) => {
            let refused = refused_files(&tr, &files);
            let names: Vec<String> = files.iter().map(|f| f.name.clone()).collect();
            let notice = tr.t_args(
                "error-files-not-cleanable",
                &[
                    ("names", Arg::Text(names.join(", "))),
                    ("count", Arg::Num(names.len() as i64)),
                ],
            );
            return Refusal::Form(
                StatusCode::UNPROCESSABLE_ENTITY,
                format!("{notice} {}", tr.t("files-choose-again")),
                refused,
            );
        }
        upload::MultipartError::RateLimited => {
            tracing::info!(target: "amanat::intake", "form with files deferred: rate limit reached");
            (StatusCode::TOO_MANY_REQUESTS, tr.t("error-too-many"))
        }
        upload::MultipartError::File(upload::UploadError::FileTooLarge { name, limit }) => (
            StatusCode::PAYLOAD_TOO_LARGE,
            tr.t_args(
                "error-file-too-large",
                &[("name", Arg::Text(name)), ("limit", size(limit))],
            ),
        ),
        // The reader collects these into `Uncleanable`; kept for completeness.
        upload::MultipartError::File(
            upload::UploadError::CannotClean { name } | upload::UploadError::NotCleanable { name },
        ) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            tr.t_args("error-file-cannot-clean", &[("name", Arg::Text(name))]),
        ),
        upload::MultipartError::File(upload::UploadError::TooLargeToClean { name, limit }) => (
            StatusCode::PAYLOAD_TOO_LARGE,
            tr.t_args(
                "error-file-too-large-to-clean",
                &[("name", Arg::Text(name)), ("limit", size(limit))],
            ),
        ),
    };
    tracing::info!(target: "amanat::intake", "attachment refused: nothing stored");
    Refusal::Form(
        status,
        format!("{notice} {}", tr.t("files-choose-again")),
        Vec::new(),
    )
}

/// The refused files as the form names them, each with why.
fn refused_files(tr: &Tr, files: &[upload::Uncleanable]) -> Vec<RefusedFile> {
    files
        .iter()
        .map(|f| RefusedFile {
            name: f.name.clone(),
            reason: tr.t(if f.damaged {
                "file-refused-damaged"
            } else {
                "file-refused-type"
            }),
        })
        .collect()
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

/// Why staged files or the record pointing at them were not stored.
#[derive(Debug)]
enum CommitError {
    /// The triage reviewers changed while the files were uploading: the
    /// files are encrypted to a set that is no longer today's (a removed
    /// reviewer could read them, a new one could not). Nothing was kept.
    RecipientsChanged,
    /// The store failed (log detail, never shown).
    Store(String),
}

impl From<String> for CommitError {
    fn from(e: String) -> Self {
        CommitError::Store(e)
    }
}

/// Makes staged files durable blobs and returns their ids and manifests,
/// each manifest naming its blob. The caller removes the blobs if the record
/// that points at them cannot be stored.
///
/// Refuses (and drops the staged files) unless every file is encrypted to
/// exactly today's triage reviewers: the recipients were read when the
/// upload started, and a reviewer removed since must not receive it.
fn commit_files(
    store: &Store,
    files: Vec<upload::StagedFile>,
) -> Result<(Vec<String>, Vec<upload::AttachmentManifest>), CommitError> {
    if !files.is_empty() {
        let today = canonical_recipients(
            &store
                .recipients_with_role(Role::Triage)
                .map_err(|e| e.to_string())?,
        )?;
        for f in &files {
            if canonical_recipients(&f.recipients)? != today {
                return Err(CommitError::RecipientsChanged);
            }
        }
    }
    let (temps, mut manifests): (Vec<_>, Vec<_>) =
        files.into_iter().map(|f| (f.temp, f.manifest)).unzip();
    let blob_ids = store.commit_blobs(temps).map_err(|e| e.to_string())?;
    for (m, id) in manifests.iter_mut().zip(&blob_ids) {
        m.blob = id.clone();
    }
    Ok((blob_ids, manifests))
}

/// Recipients parsed and re-encoded (one spelling each), sorted, deduplicated.
fn canonical_recipients(list: &[String]) -> Result<Vec<String>, CommitError> {
    let mut out: Vec<String> = envelope::parse_recipients(list)
        .map_err(|e| CommitError::Store(e.to_string()))?
        .iter()
        .map(|r| r.to_string())
        .collect();
    out.sort();
    out.dedup();
    Ok(out)
}

/// Encrypts the parsed report (and identity section), commits its blobs and
/// stores it durably. Returns the attachments' manifests.
fn seal_and_store(
    store: &Store,
    parsed: answers::ParsedReport,
    files: Vec<upload::StagedFile>,
    questionnaire: (String, u32),
    lang: &str,
    source: NewSource,
) -> Result<Vec<upload::AttachmentManifest>, CommitError> {
    let triage = store
        .recipients_with_role(Role::Triage)
        .map_err(|e| e.to_string())?;
    // Blobs first, durable, then the record that points at them.
    let (blob_ids, manifests) = commit_files(store, files)?;
    let result = seal_and_insert(
        store,
        parsed,
        &manifests,
        questionnaire,
        lang,
        source,
        triage,
        &blob_ids,
    );
    if result.is_err() {
        store.remove_blobs(&blob_ids);
    }
    result.map(|()| manifests).map_err(CommitError::Store)
}

#[allow(clippy::too_many_arguments)]
fn seal_and_insert(
    store: &Store,
    parsed: answers::ParsedReport,
    attachments: &[upload::AttachmentManifest],
    questionnaire: (String, u32),
    lang: &str,
    source: NewSource,
    triage: Vec<String>,
    blob_ids: &[String],
) -> Result<(), String> {
    let record = serde_json::json!({
        "schema": REPORT_SCHEMA,
        "questionnaire": { "id": questionnaire.0, "version": questionnaire.1 },
        "lang": lang,
        "anonymity": parsed.anonymity,
        "answers": parsed.report,
        "attachments": attachments,
    });
    let plain = Zeroizing::new(serde_json::to_vec(&record).map_err(|e| e.to_string())?);
    drop(record);
    let recipients = envelope::parse_recipients(&triage).map_err(|e| e.to_string())?;
    let mut envelopes = vec![NewEnvelope {
        kind: EnvelopeKind::Report,
        ciphertext: envelope::seal(&plain, &recipients).map_err(|e| e.to_string())?,
        recipients: triage,
    }];
    if !parsed.identity.is_empty() {
        let idr = store
            .recipients_with_role(Role::Identity)
            .map_err(|e| e.to_string())?;
        let record = serde_json::json!({ "schema": IDENTITY_SCHEMA, "answers": parsed.identity });
        let plain = Zeroizing::new(serde_json::to_vec(&record).map_err(|e| e.to_string())?);
        let recipients = envelope::parse_recipients(&idr).map_err(|e| e.to_string())?;
        envelopes.push(NewEnvelope {
            kind: EnvelopeKind::Identity,
            ciphertext: envelope::seal(&plain, &recipients).map_err(|e| e.to_string())?,
            recipients: idr,
        });
    }
    let urgency = if parsed.proposed_critical {
        Urgency::Critical
    } else {
        Urgency::Standard
    };
    store
        .insert_report(NewReport {
            anonymity: parsed.anonymity,
            urgency,
            envelopes,
            source: Some(source),
            blobs: blob_ids.to_vec(),
        })
        .map_err(|e| e.to_string())?;
    Ok(())
}

/// What the confirmation page says about each file.
fn file_results(tr: &Tr, files: &[upload::AttachmentManifest]) -> Vec<FileResult> {
    files
        .iter()
        .map(|m| {
            let text = match m.result {
                CleanResult::Cleaned => {
                    let what: Vec<String> = m
                        .removed
                        .iter()
                        .map(|r| tr.t(&format!("removed-{r}")))
                        .collect();
                    tr.t_args(
                        "file-result-cleaned",
                        &[("removed", Arg::Text(what.join(", ")))],
                    )
                }
                CleanResult::NothingFound => tr.t("file-result-nothing-found"),
                CleanResult::KeptOriginal => tr.t("file-result-kept-original"),
                CleanResult::NotCleanable => tr.t("file-result-not-cleanable"),
            };
            FileResult {
                name: m.name.clone(),
                result: text,
            }
        })
        .collect()
}

fn too_large(lang: &'static Lang, limit: u64) -> HttpResponse {
    let tr = Tr::new(lang);
    let msg = tr.t_args(
        "error-too-large",
        &[("limit", Arg::Text(human_bytes(limit)))],
    );
    error_page(StatusCode::PAYLOAD_TOO_LARGE, lang, &msg)
}

#[allow(clippy::too_many_arguments)]
fn reshow_form(
    req: &HttpRequest,
    st: &IntakeState,
    lang: &'static Lang,
    pairs: &[(String, String)],
    errors: &[answers::FieldError],
    notice: Option<String>,
    status: StatusCode,
    identity_available: bool,
    refused: &[RefusedFile],
) -> HttpResponse {
    let tr = Tr::new(lang);
    let q = &st.questionnaire;
    let anonymity = pairs
        .iter()
        .find(|(k, _)| k == "anonymity")
        .and_then(|(_, v)| v.parse::<Anonymity>().ok())
        .unwrap_or(Anonymity::Confidential);
    let values = values_of(pairs);
    let mut links: Vec<ErrorLink> = Vec::new();
    if let Some(n) = &notice {
        links.push(ErrorLink {
            anchor: if refused.is_empty() {
                "main".into()
            } else {
                "refused-files".into()
            },
            label: tr.t("error-title"),
            message: n.clone(),
        });
    }
    for e in errors {
        let label = q.field(&e.field).map(|f| label(&tr, f)).unwrap_or_default();
        links.push(ErrorLink {
            anchor: e.field.clone(),
            label,
            message: error_text(&tr, e),
        });
    }
    let cookie = req.cookie(COOKIE).map(|c| c.value().to_string());
    let cookie_value = cookie.clone().unwrap_or_else(Csrf::new_cookie);
    let page = ReportPage {
        files: files_view(
            &tr,
            q,
            st.limits.attachments_per_submission,
            st.limits.attachment_bytes,
            Some(&values),
        )
        .map(|f| f.with_refused(refused.to_vec())),
        csrf: st.csrf.issue(&cookie_value),
        anonymity: anonymity.to_string(),
        anonymity_choice: anonymity_choice(&tr, q, anonymity),
        errors_title: tr.t_args(
            "report-errors-title",
            &[("count", Arg::Num(links.len() as i64))],
        ),
        errors: links,
        sections: sections(&tr, q, anonymity, identity_available, Some(&values), errors),
        page: PageCtx::new(lang, &format!("/report?anonymity={anonymity}")),
    };
    // The source's answers (identity fields among them) are secrets.
    let mut resp = render_private(status, &page);
    if cookie.is_none() {
        set_csrf_cookie(req, &mut resp, cookie_value);
    }
    resp
}

fn anonymity_choice(tr: &Tr, q: &Questionnaire, a: Anonymity) -> String {
    let label = q
        .field("anonymity")
        .map(|f| option_label(tr, f, a.as_str()))
        .unwrap_or_default();
    tr.t_args("report-chosen-anonymity", &[("choice", Arg::Text(label))])
}

/// Whether triage and identity reviewers are enrolled.
fn reviewer_sets(store: &Store) -> Result<(bool, bool), ()> {
    let all = store.reviewers().map_err(|e| {
        tracing::error!(target: "amanat::intake", "cannot read reviewers: {e}");
    })?;
    Ok((
        all.iter().any(|r| r.has(Role::Triage)),
        all.iter().any(|r| r.has(Role::Identity)),
    ))
}

fn set_csrf_cookie(req: &HttpRequest, resp: &mut HttpResponse, value: String) {
    set_cookie(req, resp, COOKIE, value);
}

/// Sets an `HttpOnly`, `SameSite=Strict`, `Path=/` session cookie (`Secure`
/// under TLS). No expiry: it goes when the browser closes.
fn set_cookie(req: &HttpRequest, resp: &mut HttpResponse, name: &'static str, value: String) {
    let cookie = Cookie::build(name, value)
        .path("/")
        .http_only(true)
        .same_site(SameSite::Strict)
        .secure(is_tls(req))
        .finish();
    // Adding a well-formed cookie cannot fail; a failure would only mean the
    // next request is refused with a clear page.
    let _ = resp.add_cookie(&cookie);
}

fn query_pairs(req: &HttpRequest) -> Vec<(String, String)> {
    parse_urlencoded(req.query_string().as_bytes(), 20).unwrap_or_default()
}

/// The language of a request: `lang` from the given pairs (form or query),
/// else from the query string, else `Accept-Language`.
fn request_lang(req: &HttpRequest, pairs: Option<&[(String, String)]>) -> &'static Lang {
    let from = |p: &[(String, String)]| p.iter().find(|(k, _)| k == "lang").map(|(_, v)| v.clone());
    let chosen = pairs.and_then(from).or_else(|| from(&query_pairs(req)));
    let accept = req
        .headers()
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok());
    i18n::negotiate(chosen.as_deref(), accept)
}

/// Renders a page that carries a secret (the codename, the thread's
/// messages, a form shown again with the source's answers and identity
/// fields) and so is never compressed: with compression, a response's
/// length depends on its content, and an observer who can measure lengths
/// (and make the server reflect chosen text beside the secret) could learn
/// it byte by byte. Every other page is compressed by the `Compress`
/// middleware; they carry nothing secret but a one-time anti-forgery token.
///
/// The page is rendered into one buffer sized up front and handed to the
/// response as its owner, so the HTML is wiped when the body is dropped
/// after sending (see [`WipedBody`]).
fn render_private<T: Template>(status: StatusCode, page: &T) -> HttpResponse {
    let mut html = Zeroizing::new(String::with_capacity(T::SIZE_HINT.max(4096) * 4));
    let mut resp = match page.render_into(&mut *html) {
        Ok(()) => HttpResponse::build(status)
            .content_type("text/html; charset=utf-8")
            .body(web::Bytes::from_owner(WipedBody(html))),
        Err(e) => {
            tracing::error!(target: "amanat::intake", "template error: {e}");
            HttpResponse::InternalServerError()
                .content_type("text/plain; charset=utf-8")
                .body("Internal error. Nothing was stored.")
        }
    };
    resp.headers_mut().insert(
        header::CONTENT_ENCODING,
        header::HeaderValue::from_static("identity"),
    );
    resp
}

/// A rendered secret-bearing page, wiped when the response body that owns
/// it is dropped.
struct WipedBody(Zeroizing<String>);

impl AsRef<[u8]> for WipedBody {
    fn as_ref(&self) -> &[u8] {
        self.0.as_bytes()
    }
}

fn render<T: Template>(status: StatusCode, page: &T) -> HttpResponse {
    match page.render() {
        Ok(html) => HttpResponse::build(status)
            .content_type("text/html; charset=utf-8")
            .body(html),
        Err(e) => {
            tracing::error!(target: "amanat::intake", "template error: {e}");
            HttpResponse::InternalServerError()
                .content_type("text/plain; charset=utf-8")
                .body("Internal error. Nothing was stored.")
        }
    }
}

/// An error page in the source's language.
pub fn error_page(status: StatusCode, lang: &'static Lang, message: &str) -> HttpResponse {
    render(
        status,
        &ErrorPage {
            page: PageCtx::new(lang, "/"),
            message: message.to_string(),
        },
    )
}

fn bad_request(lang: &'static Lang, detail_id: &str) -> HttpResponse {
    let tr = Tr::new(lang);
    let msg = tr.t_args(
        "error-bad-request",
        &[("detail", Arg::Text(tr.t(detail_id)))],
    );
    error_page(StatusCode::BAD_REQUEST, lang, &msg)
}

/// 408: the body stopped arriving (`limits.body_idle_secs`).
fn stalled(lang: &'static Lang) -> HttpResponse {
    error_page(
        StatusCode::REQUEST_TIMEOUT,
        lang,
        &Tr::new(lang).t("error-stalled"),
    )
}

fn internal_error(lang: &'static Lang) -> HttpResponse {
    error_page(
        StatusCode::INTERNAL_SERVER_ERROR,
        lang,
        &Tr::new(lang).t("error-internal"),
    )
}

/// Form pairs that are wiped from memory when dropped.
struct Wiped(Vec<(String, String)>);

impl Drop for Wiped {
    fn drop(&mut self) {
        for (k, v) in self.0.iter_mut() {
            k.zeroize();
            v.zeroize();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::NewReviewer;

    /// Stages `data` (kept as sent) encrypted to `recipients`, as an upload
    /// that started with that reviewer set.
    fn staged(store: &Store, recipients: Vec<age::x25519::Recipient>) -> upload::StagedFile {
        let (tx, job) = upload::start(
            "evidence.bin",
            true,
            recipients,
            store.blobs_dir(),
            upload::FileLimits {
                file_bytes: 1 << 20,
                sanitize: amanat_sanitize::Limits::default(),
            },
        );
        let worker = std::thread::spawn(job);
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        rt.block_on(async move {
            let chunk = web::Bytes::from_static(b"testimony bytes");
            tx.send(Ok(chunk)).await.unwrap();
        });
        worker.join().unwrap().unwrap()
    }

    fn reviewer(store: &Store, name: &str) -> age::x25519::Identity {
        let id = age::x25519::Identity::generate();
        store
            .add_reviewer(NewReviewer {
                name: name.into(),
                recipient: id.to_public().to_string(),
                roles: vec![Role::Triage],
            })
            .unwrap();
        id
    }

    fn triage(store: &Store) -> Vec<age::x25519::Recipient> {
        envelope::parse_recipients(&store.recipients_with_role(Role::Triage).unwrap()).unwrap()
    }

    #[test]
    fn files_sealed_to_a_reviewer_removed_during_the_upload_are_not_stored() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::create(dir.path()).unwrap();
        reviewer(&store, "ana");
        reviewer(&store, "leaving");
        let file = staged(&store, triage(&store));
        // The reviewer is removed between the start of the upload and its commit.
        store.remove_reviewer("leaving").unwrap();
        let r = commit_files(&store, vec![file]);
        assert!(matches!(r, Err(CommitError::RecipientsChanged)), "{r:?}");
        assert_eq!(
            std::fs::read_dir(store.blobs_dir()).unwrap().count(),
            0,
            "neither blob nor temporary file left"
        );

        // A reviewer added during the upload could not read the file: the
        // same refusal.
        let file = staged(&store, triage(&store));
        reviewer(&store, "new");
        let r = commit_files(&store, vec![file]);
        assert!(matches!(r, Err(CommitError::RecipientsChanged)), "{r:?}");

        // Unchanged reviewers: committed.
        let file = staged(&store, triage(&store));
        let (ids, manifests) = commit_files(&store, vec![file]).unwrap();
        assert_eq!(ids.len(), 1);
        assert_eq!(manifests[0].blob, ids[0]);
        assert!(store.blob_path(&ids[0]).unwrap().exists());
    }

    #[test]
    fn the_free_space_floor_refuses_when_set_above_what_is_free() {
        let dir = tempfile::tempdir().unwrap();
        assert!(has_free_space(dir.path(), 0), "0 turns the check off");
        assert!(has_free_space(dir.path(), 1));
        assert!(!has_free_space(dir.path(), u64::MAX));
        assert!(
            !has_free_space(&dir.path().join("missing"), 1),
            "fails closed"
        );
    }

    #[test]
    fn the_confirmation_page_holds_the_codename_in_a_wiped_buffer() {
        let page = ConfirmPage {
            page: PageCtx::new(i18n::negotiate(Some("en"), None), "/"),
            codename: amanat_core::crypto::codename::generate(),
            files: Vec::new(),
        };
        // The type is the guarantee: `Zeroizing` wipes it on drop.
        let held: &Zeroizing<String> = &page.codename;
        assert!(!held.is_empty());
        let resp = render_private(StatusCode::OK, &page);
        assert_eq!(
            resp.headers().get(header::CONTENT_ENCODING).unwrap(),
            "identity"
        );
    }
}
