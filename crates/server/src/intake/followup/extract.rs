//! The follow-up forms' common checks as actix-web extractors, each with the
//! page it answers a refusal with:
//!
//! - [`CsrfForm`]: the form body read within its limit `L` (400 if it is too
//!   large or not a form, 408 if it stopped arriving), then its anti-forgery
//!   token checked, in constant time and once only (403).
//! - [`SourceSession`]: the follow-up session cookie resolved to the report
//!   and the source's identity secret (401 with the login page, saying the
//!   session ended if it expired).
//! - [`SessionForm`]: both, in the order a follow-up form inside a session
//!   checks them: the body, then the session (so a request without one is
//!   sent to log in, in the form's language, before its token is spent), then
//!   the token.
//!
//! Logs why a request was refused, never what it held.

use super::SESSION_COOKIE;
use super::login::login_page;
use super::sessions::SessionError;
use crate::i18n::{Lang, Tr};
use crate::intake::IntakeState;
use crate::intake::render::{Wiped, bad_request, forged, internal_error, request_lang, stalled};
use crate::intake::upload::CSRF_FIELD;
use crate::web::csrf::COOKIE as CSRF_COOKIE;
use crate::web::form::parse_urlencoded;
use crate::web::{BodyError, read_body};
use actix_web::dev::Payload;
use actix_web::http::StatusCode;
use actix_web::{FromRequest, HttpRequest, HttpResponse, ResponseError, web};
use futures_util::future::LocalBoxFuture;
use std::marker::PhantomData;
use std::time::Duration;
use zeroize::{Zeroize, Zeroizing};

/// The largest body a kind of follow-up form may have.
pub trait FormLimit: 'static {
    /// The limit in bytes, under the listener's limits.
    fn bytes(st: &IntakeState) -> usize;
}

/// Login, reply deletion and logout: a token and a codename or a reply id.
pub struct SmallForm;

impl FormLimit for SmallForm {
    fn bytes(_: &IntakeState) -> usize {
        4096
    }
}

/// A withdrawal of consent: a token and the consent flags.
pub struct WithdrawalForm;

impl FormLimit for WithdrawalForm {
    fn bytes(_: &IntakeState) -> usize {
        8192
    }
}

/// A message without files.
pub struct MessageForm;

impl FormLimit for MessageForm {
    fn bytes(st: &IntakeState) -> usize {
        super::body_limit(st.limits.message_chars)
    }
}

/// A follow-up form whose anti-forgery token was checked (and spent).
pub struct CsrfForm<L> {
    /// The language the form asks for, else the request's.
    pub lang: &'static Lang,
    /// The form's pairs, wiped when dropped.
    pub pairs: Wiped,
    limit: PhantomData<L>,
}

/// The live follow-up session of the request.
pub struct SourceSession {
    pub report_id: String,
    /// The source's identity secret, wiped when dropped.
    pub secret: Zeroizing<[u8; 32]>,
}

/// A follow-up form posted inside a live session, its token checked.
pub struct SessionForm<L> {
    pub session: SourceSession,
    pub form: CsrfForm<L>,
}

/// Why a follow-up form was refused; each answers with its page.
#[derive(Debug, thiserror::Error)]
pub enum FormRefused {
    /// Too large, broken, or not a well-formed form: 400.
    #[error("the follow-up form could not be read")]
    Unreadable(&'static Lang),
    /// The body stopped arriving: 408.
    #[error("the follow-up form stopped arriving")]
    Stalled(&'static Lang),
    /// The token was missing, wrong, expired or used: 403.
    #[error("the follow-up form's anti-forgery token was refused")]
    Forged(&'static Lang),
}

impl ResponseError for FormRefused {
    fn status_code(&self) -> StatusCode {
        match self {
            FormRefused::Unreadable(_) => StatusCode::BAD_REQUEST,
            FormRefused::Stalled(_) => StatusCode::REQUEST_TIMEOUT,
            FormRefused::Forged(_) => StatusCode::FORBIDDEN,
        }
    }

    fn error_response(&self) -> HttpResponse {
        match *self {
            FormRefused::Unreadable(lang) => bad_request(lang, "error-bad-request-detail-form"),
            FormRefused::Stalled(lang) => stalled(lang),
            FormRefused::Forged(lang) => forged(lang),
        }
    }
}

/// No live session: answered with the login page.
#[derive(thiserror::Error)]
#[error("no live follow-up session")]
pub struct SessionRefused {
    req: HttpRequest,
    lang: &'static Lang,
    /// The session existed and expired (the page says so).
    pub expired: bool,
}

// Not derived: the request holds the cookies, which must never reach a log.
impl std::fmt::Debug for SessionRefused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SessionRefused")
            .field("expired", &self.expired)
            .finish_non_exhaustive()
    }
}

impl SessionRefused {
    /// The login page with `status`, saying the session ended if it expired.
    pub fn login_page(&self, status: StatusCode) -> HttpResponse {
        let Some(st) = self.req.app_data::<web::Data<IntakeState>>() else {
            return internal_error(self.lang);
        };
        let problem = self
            .expired
            .then(|| Tr::new(self.lang).t("followup-session-ended"));
        login_page(&self.req, st, self.lang, status, problem)
    }
}

impl ResponseError for SessionRefused {
    fn status_code(&self) -> StatusCode {
        StatusCode::UNAUTHORIZED
    }

    fn error_response(&self) -> HttpResponse {
        self.login_page(StatusCode::UNAUTHORIZED)
    }
}

impl<L> CsrfForm<L> {
    /// The first value of a field.
    pub fn value(&self, name: &str) -> Option<&str> {
        self.pairs.value(name)
    }
}

impl<L: FormLimit> CsrfForm<L> {
    /// Reads the form, then checks its token.
    async fn extract(
        req: &HttpRequest,
        payload: web::Payload,
        st: &IntakeState,
    ) -> Result<CsrfForm<L>, FormRefused> {
        let form = CsrfForm::read(req, payload, st).await?;
        form.check_token(req, st)?;
        Ok(form)
    }

    /// Reads the form within `L`'s limit (token not yet checked).
    async fn read(
        req: &HttpRequest,
        payload: web::Payload,
        st: &IntakeState,
    ) -> Result<CsrfForm<L>, FormRefused> {
        let idle = Duration::from_secs(st.limits.body_idle_secs);
        let unreadable = || FormRefused::Unreadable(request_lang(req, None));
        let mut body = match read_body(req, payload, L::bytes(st), idle).await {
            Ok(b) => b,
            Err(BodyError::Stalled) => {
                tracing::info!(target: "amanat::intake", "follow-up request refused: body stalled");
                return Err(FormRefused::Stalled(request_lang(req, None)));
            }
            Err(BodyError::TooLarge(_) | BodyError::Broken) => return Err(unreadable()),
        };
        let pairs = parse_urlencoded(&body, st.limits.form_fields);
        body.as_mut().zeroize();
        let pairs = Wiped(pairs.map_err(|_| unreadable())?);
        Ok(CsrfForm {
            lang: request_lang(req, Some(&pairs.0)),
            pairs,
            limit: PhantomData,
        })
    }

    /// Checks (and spends) the form's anti-forgery token.
    fn check_token(&self, req: &HttpRequest, st: &IntakeState) -> Result<(), FormRefused> {
        let cookie = req.cookie(CSRF_COOKIE);
        st.csrf
            .consume(cookie.as_ref().map(|c| c.value()), self.value(CSRF_FIELD))
            .map_err(|_| {
                tracing::info!(target: "amanat::intake", "follow-up request refused: anti-forgery token");
                FormRefused::Forged(self.lang)
            })
    }
}

impl SourceSession {
    /// The request's live session; a refusal's login page is in `lang`.
    pub fn resolve(
        req: &HttpRequest,
        st: &IntakeState,
        lang: &'static Lang,
    ) -> Result<SourceSession, SessionRefused> {
        let cookie = req.cookie(SESSION_COOKIE);
        match st
            .followups
            .open_existing(cookie.as_ref().map(|c| c.value()))
        {
            Ok((report_id, secret)) => Ok(SourceSession { report_id, secret }),
            Err(e) => Err(SessionRefused {
                req: req.clone(),
                lang,
                expired: e == SessionError::Expired,
            }),
        }
    }
}

/// The intake listener's state; always registered with its routes.
fn state(req: &HttpRequest) -> Result<web::Data<IntakeState>, actix_web::Error> {
    req.app_data::<web::Data<IntakeState>>()
        .cloned()
        .ok_or_else(|| actix_web::error::ErrorInternalServerError("intake state missing"))
}

impl<L: FormLimit> FromRequest for CsrfForm<L> {
    type Error = actix_web::Error;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        with_body(req, payload, |req, body, st| async move {
            Ok(CsrfForm::extract(&req, body, &st).await?)
        })
    }
}

impl FromRequest for SourceSession {
    type Error = actix_web::Error;
    type Future = std::future::Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        std::future::ready(
            state(req)
                .and_then(|st| Ok(SourceSession::resolve(req, &st, request_lang(req, None))?)),
        )
    }
}

impl<L: FormLimit> FromRequest for SessionForm<L> {
    type Error = actix_web::Error;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        with_body(req, payload, |req, body, st| async move {
            let form = CsrfForm::<L>::read(&req, body, &st).await?;
            let session = SourceSession::resolve(&req, &st, form.lang)?;
            form.check_token(&req, &st)?;
            Ok(SessionForm { session, form })
        })
    }
}

/// Runs `extract` on the request, its body and the listener's state.
fn with_body<T, F, Fut>(
    req: &HttpRequest,
    payload: &mut Payload,
    extract: F,
) -> LocalBoxFuture<'static, Result<T, actix_web::Error>>
where
    F: FnOnce(HttpRequest, web::Payload, web::Data<IntakeState>) -> Fut + 'static,
    Fut: Future<Output = Result<T, actix_web::Error>> + 'static,
{
    let req = req.clone();
    let body = web::Payload::from_request(&req, payload);
    Box::pin(async move {
        let st = state(&req)?;
        extract(req, body.await?, st).await
    })
}

#[cfg(test)]
mod tests;
