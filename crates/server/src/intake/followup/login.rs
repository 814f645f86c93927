//! Logging in with the codename, and logging out.
//!
//! The codename is normalised (its checksum catches typos before any work),
//! counted against the login budget, derived under every stored parameter
//! set (so timing says nothing about which exist), and zeroized; only the
//! session key goes into a cookie.
//!
//! Logs aggregate events only ("follow-up login").

use super::extract::{CsrfForm, SmallForm};
use super::{SESSION_COOKIE, see_other};
use crate::i18n::{Lang, Tr};
use crate::intake::IntakeState;
use crate::intake::kdf::KdfError;
use crate::intake::render::{csrf_cookie, internal_error, render, set_cookie, set_csrf_cookie};
use crate::intake::views::PageCtx;
use actix_web::cookie::{Cookie, SameSite};
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use amanat_core::crypto::codename;
use askama::Template;

/// `POST /followup/login`: opens a session for a codename that names a
/// report, then sends the source to the thread.
pub(super) async fn login(
    req: HttpRequest,
    form: CsrfForm<SmallForm>,
    st: web::Data<IntakeState>,
) -> HttpResponse {
    let lang = form.lang;
    let tr = Tr::new(lang);
    // The login page again, with what went wrong.
    let again = |status: StatusCode, problem: &str| {
        login_page(&req, &st, lang, status, Some(tr.t(problem)))
    };
    let typed = form.value("codename").unwrap_or("");
    let Ok(normalized) = codename::normalize(typed) else {
        tracing::info!(target: "amanat::intake", "follow-up login refused: checksum");
        return again(StatusCode::BAD_REQUEST, "followup-check-words");
    };
    drop(form);
    // Counted only now: a request without a valid token or with a codename
    // that fails its checksum never spends the shared budget. Past the
    // limit a login waits briefly for a slot (`limits.rate_wait_ms`).
    if !st.logins.admit().await {
        tracing::info!(target: "amanat::intake", "follow-up login deferred: rate limit reached");
        return again(StatusCode::TOO_MANY_REQUESTS, "error-too-many");
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
            return again(StatusCode::SERVICE_UNAVAILABLE, "followup-busy");
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
        return again(StatusCode::BAD_REQUEST, "followup-check-words");
    };
    let session = match st.followups.open(&rec.report_id, &d.secret) {
        Ok(s) => s,
        Err(_) => {
            return again(StatusCode::SERVICE_UNAVAILABLE, "followup-busy");
        }
    };
    tracing::info!(target: "amanat::intake", "follow-up login");
    let mut resp = see_other(&format!("/followup?lang={}", lang.code));
    set_cookie(&req, &mut resp, SESSION_COOKIE, session.to_string());
    resp
}

/// `POST /followup/logout`: ends the session and removes its cookie.
pub(super) async fn logout(
    req: HttpRequest,
    form: CsrfForm<SmallForm>,
    st: web::Data<IntakeState>,
) -> HttpResponse {
    let lang = form.lang;
    drop(form);
    let session = req.cookie(SESSION_COOKIE);
    st.followups.close(session.as_ref().map(|c| c.value()));
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

/// The login page, with a problem to show if any.
pub(super) fn login_page(
    req: &HttpRequest,
    st: &IntakeState,
    lang: &'static Lang,
    status: StatusCode,
    problem: Option<String>,
) -> HttpResponse {
    let (cookie, fresh) = csrf_cookie(req);
    let mut resp = render(
        status,
        &LoginPage {
            page: PageCtx::new(lang, "/followup"),
            csrf: st.csrf.issue(&cookie),
            problem,
        },
    );
    if fresh {
        set_csrf_cookie(req, &mut resp, cookie);
    }
    resp
}

#[derive(Template)]
#[template(path = "followup_login.html")]
struct LoginPage {
    page: PageCtx,
    csrf: String,
    problem: Option<String>,
}

#[derive(Template)]
#[template(path = "message.html")]
struct MessagePage {
    page: PageCtx,
    title: String,
    message: String,
}
