//! The follow-up channel: a source comes back with their codename, reads
//! replies, adds information, deletes replies they have read, withdraws
//! consent, logs out.
//!
//! Sessions live in memory (`sessions`): between requests the server holds
//! nothing that opens the source's replies, and the codename itself is never
//! in a cookie, a URL, a log or on disk: it is zeroized right after the
//! derivation at login. Every form is read and checked by the extractors of
//! `extract`; the handlers are `login`, `thread`, `message` and
//! `withdraw`.
//!
//! Nothing here logs identifiers; log lines are aggregate events only.

mod extract;
mod login;
mod message;
mod sessions;
mod thread;
mod withdraw;

pub use sessions::{FollowupSessions, SessionError};

use actix_web::http::header;
use actix_web::{HttpResponse, guard, web};

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
            .route(web::get().to(thread::followup))
            .default_service(web::to(super::method_not_allowed)),
    )
    .service(post_only("/followup/login").route(web::post().to(login::login)))
    .service(
        post_only("/followup/message")
            .route(
                web::post()
                    .guard(guard::fn_guard(is_multipart))
                    .to(message::with_files),
            )
            .route(web::post().to(message::text)),
    )
    .service(post_only("/followup/delete").route(web::post().to(thread::delete)))
    .service(post_only("/followup/withdraw").route(web::post().to(withdraw::withdraw)))
    .service(post_only("/followup/logout").route(web::post().to(login::logout)));
}

/// A form target: other methods get the translated 405 page, as elsewhere.
fn post_only(path: &str) -> actix_web::Resource {
    web::resource(path).default_service(web::to(super::method_not_allowed))
}

/// True for a `multipart/form-data` body (a message with files).
fn is_multipart(ctx: &guard::GuardContext<'_>) -> bool {
    ctx.head()
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.to_ascii_lowercase().starts_with("multipart/form-data"))
}

fn see_other(location: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, location.to_string()))
        .finish()
}
