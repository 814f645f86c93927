//! The source interface: the HTML pages defenders use, without JavaScript.
//!
//! Routes: `/` (what this is, how to stay safe), `/report` (step 1: the
//! anonymity choice; step 2: the questionnaire), `POST /report` (parse,
//! encrypt, store, flush, then confirm), `/static/style.css`, and the
//! follow-up pages under `/followup` ([`followup`]).
//!
//! This module must never log or store anything that identifies a source:
//! no address, no user agent, no language, no form content, no report id.
//! Its only log lines are aggregate events ("submission stored"). It can
//! encrypt but never decrypt a report.
//!
//! Its parts: `report` (the form page and the submission), `submission`
//! (reading a posted form in either encoding), `commit` (storing what was
//! sent, whole or not at all), `reviewers` (whom it is encrypted to),
//! `render` (pages, error pages, cookies), [`views`] (view models),
//! [`upload`] (attachments) and [`kdf`] (the codename derivation gate).

mod commit;
pub mod followup;
pub mod kdf;
mod render;
mod report;
mod reviewers;
mod submission;
pub mod upload;
pub mod views;

pub use render::error_page;

use crate::config::Limits;
use crate::i18n::Tr;
use crate::store::Store;
use crate::web::csrf::Csrf;
use crate::web::ratelimit::RateLimiter;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use amanat_core::model::Questionnaire;
use render::{render, request_lang};
use std::sync::Arc;
use views::{IndexPage, PageCtx};

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

impl IntakeState {
    /// The form's file input under this listener's limits, if attachments
    /// are allowed; `values` are the answers of a form shown again.
    fn files_view(&self, tr: &Tr, values: Option<&views::Values>) -> Option<views::FilesView> {
        views::files_view(
            tr,
            &self.questionnaire,
            self.limits.attachments_per_submission,
            self.limits.attachment_bytes,
            values,
        )
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
            .route(web::get().to(report::report_form))
            .route(web::post().to(report::submit))
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
