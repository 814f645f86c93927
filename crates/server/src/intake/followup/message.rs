//! Messages from the source: text alone (`application/x-www-form-urlencoded`)
//! or with files (`multipart/form-data`, the session checked before any file
//! is read). A message is checked, counted against its budget, then stored
//! through [`crate::intake::commit`] as a typed record sealed to the triage
//! reviewers; a refused message is shown again with its text kept.
//!
//! Logs aggregate events only ("follow-up message stored").

use super::extract::{MessageForm, SessionForm, SourceSession};
use super::see_other;
use super::thread::{Shown, thread_page, thread_with_status};
use crate::i18n::{Arg, Lang, Tr};
use crate::intake::IntakeState;
use crate::intake::commit::{self, CommitError};
use crate::intake::render::{Wiped, internal_error, request_lang, stalled};
use crate::intake::report::file_results;
use crate::intake::reviewers::Recipients;
use crate::intake::submission::{self, Refusal};
use crate::intake::upload::{self, AttachmentManifest, CSRF_FIELD, StagedFile};
use crate::store::EnvelopeKind;
use crate::web::csrf::COOKIE as CSRF_COOKIE;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use amanat_core::model::Role;
use amanat_core::model::answers::normalize_text;
use amanat_core::records::{MessageRecord, MessageSchema};
use zeroize::Zeroizing;

/// A message without files.
pub(super) async fn text(
    req: HttpRequest,
    posted: SessionForm<MessageForm>,
    st: web::Data<IntakeState>,
) -> HttpResponse {
    let SessionForm { session, form } = posted;
    let lang = form.lang;
    send(&req, &st, lang, session, form.pairs, Vec::new(), false).await
}

/// A message with files: the session was checked before the body is read.
pub(super) async fn with_files(
    req: HttpRequest,
    session: SourceSession,
    payload: web::Payload,
    st: web::Data<IntakeState>,
) -> HttpResponse {
    match read_multipart(&req, payload, &st).await {
        Ok((lang, pairs, files, admitted)) => {
            send(&req, &st, lang, session, pairs, files, admitted).await
        }
        Err(MessageRefusal::Page(resp)) => *resp,
        Err(MessageRefusal::Form {
            lang,
            status,
            draft,
            shown,
        }) => {
            let shown = Shown {
                draft: &draft,
                ..shown
            };
            thread_with_status(&req, &st, lang, &session, shown, status).await
        }
    }
}

/// Checks, counts and stores a message; `admitted` if a message with files
/// was already counted (at its first file).
async fn send(
    req: &HttpRequest,
    st: &IntakeState,
    lang: &'static Lang,
    session: SourceSession,
    pairs: Wiped,
    files: Vec<StagedFile>,
    admitted: bool,
) -> HttpResponse {
    let tr = Tr::new(lang);
    let raw = pairs.value("message").unwrap_or("");
    let problem = |id: &str| Shown {
        problem: Some(tr.t(id)),
        ..Shown::default()
    };
    let text = match normalize_text(raw, true) {
        // A message may be files alone.
        Some(t) if t.is_empty() && files.is_empty() => {
            let shown = problem("followup-message-empty");
            return thread_page(req, st, lang, &session, shown).await;
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
            return thread_page(req, st, lang, &session, shown).await;
        }
        Some(t) => Zeroizing::new(t),
        None => {
            let shown = problem("error-control-chars");
            return thread_page(req, st, lang, &session, shown).await;
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
        let status = StatusCode::TOO_MANY_REQUESTS;
        return thread_with_status(req, st, lang, &session, shown, status).await;
    }
    drop(pairs);
    if !commit::has_free_space(st.store.dir(), st.limits.min_free_bytes) {
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
        let status = StatusCode::INSUFFICIENT_STORAGE;
        return thread_with_status(req, st, lang, &session, shown, status).await;
    }
    let store = st.store.clone();
    let lang_code = lang.code;
    let rid = session.report_id.clone();
    // Shown again if the files must be sent again.
    let draft_again = text.clone();
    let stored = web::block(move || {
        let message = |attachments: &[AttachmentManifest]| MessageRecord {
            attachments: attachments.to_vec(),
            lang: lang_code.to_string(),
            schema: MessageSchema,
            text,
        };
        commit::append_with_files(&store, &rid, EnvelopeKind::Message, files, message)
    })
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
                sent: file_results(&tr, &manifests),
                ..Shown::default()
            };
            thread_page(req, st, lang, &session, shown).await
        }
        Ok(Err(CommitError::RecipientsChanged)) => {
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
            thread_with_status(req, st, lang, &session, shown, StatusCode::CONFLICT).await
        }
        Ok(Err(e)) => {
            tracing::error!(target: "amanat::intake", "follow-up message failed: {e}");
            internal_error(lang)
        }
        Err(_) => internal_error(lang),
    }
}

/// Why a message with files was refused.
enum MessageRefusal {
    /// A page of its own.
    Page(Box<HttpResponse>),
    /// The thread again with `status`, the problem and the refused files
    /// in `shown`, and the text kept.
    Form {
        lang: &'static Lang,
        status: StatusCode,
        draft: String,
        shown: Shown<'static>,
    },
}

/// Reads a message posted with files: the text fields and the token come
/// first, then each file streams into an encrypted temporary blob, once the
/// message is counted against the rate limit (the last value is then true).
async fn read_multipart(
    req: &HttpRequest,
    payload: web::Payload,
    st: &IntakeState,
) -> Result<(&'static Lang, Wiped, Vec<StagedFile>, bool), MessageRefusal> {
    let header_lang = request_lang(req, None);
    if !submission::has_boundary(req) {
        return Err(MessageRefusal::Page(
            submission::refuse_unreadable(payload, st, header_lang).await,
        ));
    }
    let recipients = Recipients::load(&st.store, Role::Triage).map_err(|e| {
        tracing::error!(target: "amanat::intake", "cannot read reviewers: {e}");
        MessageRefusal::Page(Box::new(internal_error(header_lang)))
    })?;
    let csrf_cookie = req.cookie(CSRF_COOKIE);
    let csrf_ok = |pairs: &[(String, String)]| {
        let token = pairs
            .iter()
            .find(|(k, _)| k == CSRF_FIELD)
            .map(|(_, v)| v.as_str());
        let cookie = csrf_cookie.as_ref().map(|c| c.value());
        let ok = st.csrf.consume(cookie, token).is_ok();
        if !ok {
            tracing::info!(target: "amanat::intake", "follow-up request refused: anti-forgery token");
        }
        ok
    };
    let limit = super::body_limit(st.limits.message_chars);
    let ctx = submission::multipart_context(
        st,
        recipients.parsed().to_vec(),
        limit,
        &csrf_ok,
        &st.messages,
    );
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
                return Err(MessageRefusal::Page(Box::new(stalled(lang))));
            }
            match submission::multipart_refusal(error, lang) {
                Refusal::Page(resp) => Err(MessageRefusal::Page(resp)),
                Refusal::Form(status, notice, refused) => {
                    let draft = pairs
                        .value("message")
                        .and_then(|v| normalize_text(v, true))
                        .unwrap_or_default();
                    let shown = Shown {
                        problem: Some(notice),
                        refused,
                        ..Shown::default()
                    };
                    Err(MessageRefusal::Form {
                        lang,
                        status,
                        draft,
                        shown,
                    })
                }
            }
        }
    }
}
