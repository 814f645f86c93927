//! The thread page: the report's status, the replies the source can read
//! (decrypted in memory with the identity their session holds, then
//! forgotten), the message box and the consent flags they may withdraw;
//! and deleting a reply they have read.
//!
//! Logs aggregate events only ("reply deleted by source").

use super::extract::{SessionForm, SmallForm, SourceSession};
use super::login::login_page;
use super::{SESSION_COOKIE, see_other};
use crate::i18n::{Arg, Lang, Tr};
use crate::intake::IntakeState;
use crate::intake::render::{
    bad_request, csrf_cookie, error_page, internal_error, render_private, request_lang,
    set_csrf_cookie,
};
use crate::intake::views::{FileResult, FilesView, PageCtx, RefusedFile, label};
use crate::store::EnvelopeKind;
use crate::web::form::parse_urlencoded;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use amanat_core::crypto::{envelope, keys, random};
use amanat_core::model::State;
use amanat_core::records::{Record, ReplyRecord};
use askama::Template;

/// `GET /followup`: the thread inside a live session, else the login page.
pub(super) async fn followup(req: HttpRequest, st: web::Data<IntakeState>) -> HttpResponse {
    let lang = request_lang(&req, None);
    match SourceSession::resolve(&req, &st, lang) {
        Ok(session) => {
            let shown = Shown {
                notice: query_notice(&req, &Tr::new(lang)),
                ..Shown::default()
            };
            thread_page(&req, &st, lang, &session, shown).await
        }
        Err(refused) => refused.login_page(StatusCode::OK),
    }
}

/// Deletes a reply the source has read.
pub(super) async fn delete(
    posted: SessionForm<SmallForm>,
    st: web::Data<IntakeState>,
) -> HttpResponse {
    let SessionForm { session, form } = posted;
    let lang = form.lang;
    let reply = form.value("reply").unwrap_or_default().to_string();
    if !random::is_id(&reply) {
        return bad_request(lang, "error-bad-request-detail-form");
    }
    let report_id = session.report_id.clone();
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

/// The thread: status, replies, the message box. 400 if it shows a problem.
pub(super) async fn thread_page(
    req: &HttpRequest,
    st: &IntakeState,
    lang: &'static Lang,
    session: &SourceSession,
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
    let meta = match st.store.report(&session.report_id) {
        Ok(Some(m)) => m,
        Ok(None) => {
            // The report was purged: the session has nothing left to show.
            let cookie = req.cookie(SESSION_COOKIE);
            st.followups.close(cookie.as_ref().map(|c| c.value()));
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
    let Ok(identity) = keys::identity_from_bytes(&session.secret) else {
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
        let Ok(reply) = ReplyRecord::from_plaintext(&plain) else {
            continue;
        };
        replies.push(ReplyView {
            id: e.id.clone(),
            heading: tr.t_args(
                "followup-reply-from",
                &[("day", Arg::Text(e.day.to_string()))],
            ),
            text: reply.text.as_str().to_string(),
        });
    }
    drop(identity);
    let status = match meta.state {
        State::New => tr.t("followup-status-received"),
        State::Closed => tr.t("followup-status-closed"),
        _ => tr.t("followup-status-in_review"),
    };
    let (cookie, fresh) = csrf_cookie(req);
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
        .map(|f| (f.id.clone(), label(&tr, f)))
        .collect();
    let mut resp = render_private(
        code,
        &ThreadPage {
            page: PageCtx::new(lang, "/followup"),
            consents,
            csrf: st.csrf.issue(&cookie),
            status,
            notice,
            problem,
            replies,
            message: draft.to_string(),
            max: st.limits.message_chars,
            files: st.files_view(&tr, None).map(|f| f.with_refused(refused)),
            sent,
        },
    );
    if fresh {
        set_csrf_cookie(req, &mut resp, cookie);
    }
    resp
}

/// The thread showing a problem, answered with `status` instead of 400.
pub(super) async fn thread_with_status(
    req: &HttpRequest,
    st: &IntakeState,
    lang: &'static Lang,
    session: &SourceSession,
    shown: Shown<'_>,
    status: StatusCode,
) -> HttpResponse {
    let mut resp = thread_page(req, st, lang, session, shown).await;
    if resp.status() == StatusCode::BAD_REQUEST {
        *resp.status_mut() = status;
    }
    resp
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
pub(super) struct Shown<'a> {
    pub notice: Option<String>,
    pub problem: Option<String>,
    /// The message text to show again in the box.
    pub draft: &'a str,
    pub sent: Vec<FileResult>,
    /// Files refused because they cannot be cleaned, named with the choices.
    pub refused: Vec<RefusedFile>,
}

struct ReplyView {
    id: String,
    heading: String,
    text: String,
}
