//! Turning the source interface's pages into responses: the language of a
//! request, rendering (wiped when the page carries a secret), the error pages
//! every handler answers with, and the cookies the pages set.
//!
//! Logs only that a template failed, never what it held.

use super::views::{ErrorPage, PageCtx};
use crate::i18n::{self, Arg, Lang, Tr};
use crate::web::csrf::{COOKIE, Csrf};
use crate::web::form::parse_urlencoded;
use crate::web::{human_bytes, is_tls};
use actix_web::cookie::{Cookie, SameSite};
use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use zeroize::{Zeroize, Zeroizing};

/// The language of a request: `lang` from the given pairs (form or query),
/// else from the query string, else `Accept-Language`.
pub(crate) fn request_lang(req: &HttpRequest, pairs: Option<&[(String, String)]>) -> &'static Lang {
    let from = |p: &[(String, String)]| p.iter().find(|(k, _)| k == "lang").map(|(_, v)| v.clone());
    let chosen = pairs.and_then(from).or_else(|| from(&query_pairs(req)));
    let accept = req
        .headers()
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok());
    i18n::negotiate(chosen.as_deref(), accept)
}

/// The query string's pairs (at most 20; none if it is malformed).
pub(crate) fn query_pairs(req: &HttpRequest) -> Vec<(String, String)> {
    parse_urlencoded(req.query_string().as_bytes(), 20).unwrap_or_default()
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
pub(crate) fn render_private<T: Template>(status: StatusCode, page: &T) -> HttpResponse {
    let mut html = Zeroizing::new(String::with_capacity(T::SIZE_HINT.max(4096) * 4));
    let mut resp = match page.render_into(&mut *html) {
        Ok(()) => HttpResponse::build(status)
            .content_type("text/html; charset=utf-8")
            .body(web::Bytes::from_owner(WipedBody(html))),
        Err(e) => template_failed(&e),
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

/// Renders a page that carries nothing secret.
pub(crate) fn render<T: Template>(status: StatusCode, page: &T) -> HttpResponse {
    match page.render() {
        Ok(html) => HttpResponse::build(status)
            .content_type("text/html; charset=utf-8")
            .body(html),
        Err(e) => template_failed(&e),
    }
}

fn template_failed(e: &askama::Error) -> HttpResponse {
    tracing::error!(target: "amanat::intake", "template error: {e}");
    HttpResponse::InternalServerError()
        .content_type("text/plain; charset=utf-8")
        .body("Internal error. Nothing was stored.")
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

/// 400, with the detail a Fluent id names.
pub(crate) fn bad_request(lang: &'static Lang, detail_id: &str) -> HttpResponse {
    let tr = Tr::new(lang);
    let msg = tr.t_args(
        "error-bad-request",
        &[("detail", Arg::Text(tr.t(detail_id)))],
    );
    error_page(StatusCode::BAD_REQUEST, lang, &msg)
}

/// 408: the body stopped arriving (`limits.body_idle_secs`).
pub(crate) fn stalled(lang: &'static Lang) -> HttpResponse {
    error_page(
        StatusCode::REQUEST_TIMEOUT,
        lang,
        &Tr::new(lang).t("error-stalled"),
    )
}

/// 403: the anti-forgery token was missing, wrong, expired or used.
pub(crate) fn forged(lang: &'static Lang) -> HttpResponse {
    error_page(StatusCode::FORBIDDEN, lang, &Tr::new(lang).t("error-csrf"))
}

/// 413, naming the limit.
pub(crate) fn too_large(lang: &'static Lang, limit: u64) -> HttpResponse {
    let tr = Tr::new(lang);
    let msg = tr.t_args(
        "error-too-large",
        &[("limit", Arg::Text(human_bytes(limit)))],
    );
    error_page(StatusCode::PAYLOAD_TOO_LARGE, lang, &msg)
}

/// 500: nothing was stored.
pub(crate) fn internal_error(lang: &'static Lang) -> HttpResponse {
    error_page(
        StatusCode::INTERNAL_SERVER_ERROR,
        lang,
        &Tr::new(lang).t("error-internal"),
    )
}

/// The anti-forgery cookie value, and whether it is new (and so must be set
/// on the response with [`set_csrf_cookie`]).
pub(crate) fn csrf_cookie(req: &HttpRequest) -> (String, bool) {
    match req.cookie(COOKIE) {
        Some(c) => (c.value().to_string(), false),
        None => (Csrf::new_cookie(), true),
    }
}

/// Sets the anti-forgery cookie.
pub(crate) fn set_csrf_cookie(req: &HttpRequest, resp: &mut HttpResponse, value: String) {
    set_cookie(req, resp, COOKIE, value);
}

/// Sets an `HttpOnly`, `SameSite=Strict`, `Path=/` session cookie (`Secure`
/// under TLS). No expiry: it goes when the browser closes.
pub(crate) fn set_cookie(
    req: &HttpRequest,
    resp: &mut HttpResponse,
    name: &'static str,
    value: String,
) {
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

/// Form pairs that are wiped from memory when dropped.
pub(crate) struct Wiped(pub(crate) Vec<(String, String)>);

impl Wiped {
    /// The first value of a field.
    pub(crate) fn value(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

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
    use crate::intake::views::ConfirmPage;

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
