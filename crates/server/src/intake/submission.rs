//! Reading a posted form in either encoding: `application/x-www-form-urlencoded`
//! read whole within its limit, or `multipart/form-data` whose files stream
//! into encrypted temporary blobs ([`super::upload`]) once the anti-forgery
//! token was checked and the form counted against its rate limit. Whatever
//! is refused gets the page that says why, in the source's language; a body
//! that cannot be parsed is still read (bounded) so that the browser sees it.
//!
//! Logs why a form was refused, never what it held.

use super::IntakeState;
use super::render::{Wiped, bad_request, forged, internal_error, request_lang, stalled, too_large};
use super::reviewers::ReviewerKeys;
use super::upload;
use super::views::RefusedFile;
use crate::i18n::{Arg, Lang, Tr};
use crate::web::csrf::{COOKIE, CsrfError};
use crate::web::form::{FormError, parse_urlencoded};
use crate::web::ratelimit::RateLimiter;
use crate::web::{BodyError, discard_body, human_bytes, idle_limited, read_body};
use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, web};
use zeroize::Zeroize;

/// Reads a submission in either encoding, checking its anti-forgery token.
/// Multipart bodies stream their files into encrypted temporary blobs, once
/// the token was checked and the submission counted against the rate limit
/// (the third value is then true).
pub(super) async fn read(
    req: &HttpRequest,
    payload: web::Payload,
    st: &IntakeState,
    keys: &ReviewerKeys,
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
            return Err(Box::new(forged(request_lang(req, Some(&pairs.0)))));
        }
        return Ok((pairs, Vec::new(), false));
    }
    if !content_type.starts_with("multipart/form-data") || !has_boundary(req) {
        return Err(refuse_unreadable(payload, st, header_lang).await);
    }
    let ctx = multipart_context(
        st,
        keys.triage.parsed().to_vec(),
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
                Refusal::Form(status, notice, refused) => {
                    Err(Box::new(super::report::reshow_form(
                        req,
                        st,
                        lang,
                        &pairs.0,
                        &[],
                        Some(notice),
                        status,
                        !keys.identity.is_empty(),
                        &refused,
                    )))
                }
            }
        }
    }
}

/// True if the request's multipart type names a usable boundary. Without
/// one actix-multipart drops the body unread (the client then sees a reset,
/// not our page) and panics if polled again after reporting it, so such a
/// body must go to [`refuse_unreadable`] instead.
pub(super) fn has_boundary(req: &HttpRequest) -> bool {
    actix_web::HttpMessage::mime_type(req)
        .ok()
        .flatten()
        .and_then(|m| m.get_param("boundary").map(|b| !b.as_str().is_empty()))
        .unwrap_or(false)
}

/// Reads and drops a body that cannot be parsed (bounded in size and idle
/// time), then answers 400, or 408 if it stopped arriving.
pub(super) async fn refuse_unreadable(
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

/// The multipart reader's limits and destinations for a form whose text
/// fields may take `max_text_bytes`; files are encrypted to `recipients`,
/// once the form is counted against `admission`.
pub(super) fn multipart_context<'a>(
    st: &'a IntakeState,
    recipients: Vec<amanat_core::crypto::envelope::Recipient>,
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
                mp4_max_box: l.mp4_max_box_bytes,
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
pub(super) enum Refusal {
    /// A page of its own: the form cannot be shown again.
    Page(Box<HttpResponse>),
    /// The form again, with this status and notice; the source must choose
    /// the files again (nothing of them was kept). The files that could not
    /// be cleaned are named, with the choices the form offers for them.
    Form(StatusCode, String, Vec<RefusedFile>),
}

/// The answer to a multipart body the reader refused.
pub(super) fn multipart_refusal(error: upload::MultipartError, lang: &'static Lang) -> Refusal {
    let tr = Tr::new(lang);
    let size = |n: u64| Arg::Text(human_bytes(n));
    let page = |resp: HttpResponse| Refusal::Page(Box::new(resp));
    let (status, notice) = match error {
        upload::MultipartError::BadBody(detail) => return page(bad_request(lang, detail)),
        upload::MultipartError::Csrf => {
            return page(forged(lang));
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
