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
//! One module per resource: [`auth`] (login, logout, whoami), [`reports`]
//! (the queue, envelopes, attachments, identities, replies), [`rekey`]
//! (swapping re-encrypted envelopes and attachments), [`triage`],
//! [`reviewers`] (reviewers and grants), [`audit`], [`questionnaire`],
//! [`sync`] (offline desks and the read-only routes they mirror through); the
//! errors in [`error`] and what every handler extracts from a request in
//! [`extract`]. The routes table is here.

mod audit;
mod auth;
mod error;
mod extract;
mod questionnaire;
mod rekey;
mod reports;
mod reviewers;
pub mod sessions;
mod sync;
mod triage;

#[cfg(test)]
mod tests;

pub use error::{ApiError, ApiResult};
pub use reviewers::{check_key_kind, keys_out_of_mode, needs_second_admin, validate_new_reviewer};

use crate::config::Limits;
use crate::store::Store;
use crate::web::ratelimit::RateLimiter;
use actix_web::{HttpResponse, web};
use amanat_core::api::ErrorCode;
use amanat_core::model::Questionnaire;
use sessions::{Challenges, Sessions};
use std::sync::Arc;
use std::time::Duration;

/// Shared state of the review listener.
pub struct ReviewState {
    pub store: Arc<Store>,
    pub questionnaire: Arc<Questionnaire>,
    pub limits: Limits,
    pub sessions: Sessions,
    pub challenges: Challenges,
    /// Sync enrolment challenges, carried to an offline machine and back.
    pub sync_challenges: Challenges,
    pub login_failures: RateLimiter,
    /// `[crypto] post_quantum`: new reviewers who receive envelopes must
    /// hold post-quantum keys (classical ones when false).
    pub post_quantum: bool,
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
            sync_challenges: Challenges::new(
                Duration::from_secs(limits.sync_challenge_secs),
                limits.review_challenges_per_reviewer,
            ),
            login_failures: RateLimiter::per_minute(limits.review_login_failures_per_minute),
            post_quantum: false,
            store,
            questionnaire,
            limits,
        }
    }
}

/// Registers the review routes. Each path is one resource, so a known path
/// called with a method it does not take gets 405, not 404.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(resource("/healthz").route(web::get().to(healthz)))
        .service(
            web::scope("/api/v1")
                .service(resource("/auth/challenge").route(web::post().to(auth::challenge)))
                .service(resource("/auth/verify").route(web::post().to(auth::verify)))
                .service(resource("/auth/logout").route(web::post().to(auth::logout)))
                .service(resource("/whoami").route(web::get().to(auth::whoami)))
                .service(
                    resource("/questionnaire").route(web::get().to(questionnaire::questionnaire)),
                )
                .service(resource("/reports").route(web::get().to(reports::list_reports)))
                .service(resource("/reports/{id}").route(web::get().to(reports::get_report)))
                .service(
                    resource("/reports/{id}/replies").route(web::post().to(reports::post_reply)),
                )
                .service(
                    resource("/reports/{id}/blobs/{blob}")
                        .route(web::get().to(reports::get_blob))
                        .route(web::put().to(rekey::swap_blob)),
                )
                .service(
                    resource("/reports/{id}/rekey").route(web::post().to(rekey::swap_envelope)),
                )
                .service(resource("/rekey").route(web::get().to(rekey::targets)))
                .service(
                    resource("/reports/{id}/identity").route(web::get().to(reports::get_identity)),
                )
                .service(resource("/reports/{id}/triage").route(web::post().to(triage::triage)))
                .service(resource("/recipients").route(web::get().to(triage::recipients)))
                .service(resource("/audit").route(web::get().to(audit::audit_log)))
                .service(resource("/audit/chain").route(web::get().to(audit::audit_chain)))
                .service(resource("/audit/head-seen").route(web::post().to(audit::head_seen)))
                .service(resource("/audit/export").route(web::post().to(audit::record_export)))
                .service(
                    resource("/reviewers")
                        .route(web::get().to(reviewers::list_reviewers))
                        .route(web::post().to(reviewers::add_reviewer)),
                )
                .service(
                    resource("/reviewers/pending").route(web::get().to(reviewers::list_grants)),
                )
                .service(
                    resource("/reviewers/pending/{id}")
                        .route(web::delete().to(reviewers::cancel_grant)),
                )
                .service(
                    resource("/reviewers/pending/{id}/approve")
                        .route(web::post().to(reviewers::approve_grant)),
                )
                .service(
                    resource("/reviewers/{id}").route(web::delete().to(reviewers::remove_reviewer)),
                )
                .service(resource("/sync/challenge").route(web::post().to(sync::challenge)))
                .service(resource("/sync/enrol").route(web::post().to(sync::enrol)))
                .service(resource("/sync/token").route(web::delete().to(sync::revoke)))
                .service(resource("/sync/questionnaire").route(web::get().to(sync::questionnaire)))
                .service(resource("/sync/recipients").route(web::get().to(sync::recipients)))
                .service(resource("/sync/push").route(web::post().to(sync::push)))
                .service(resource("/sync/reports").route(web::get().to(sync::list)))
                .service(resource("/sync/reports/{id}").route(web::get().to(sync::report)))
                .service(
                    resource("/sync/reports/{id}/blobs/{blob}").route(web::get().to(sync::blob)),
                ),
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
