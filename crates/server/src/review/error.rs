//! The review API's errors: a stable [`ErrorCode`], the HTTP status it is
//! always sent with, and a message for people.
//!
//! The message is what the reviewer sees; internal faults put their detail
//! in the server log only (never content, tokens or addresses) and answer
//! with a fixed message.

use crate::store::StoreError;
use actix_web::HttpResponse;
use actix_web::http::StatusCode;
use amanat_core::api::{ErrorBody, ErrorCode, ErrorDetail};
use amanat_core::model::Role;

/// An API error: a stable code (which fixes the HTTP status) and a message.
#[derive(Debug)]
pub struct ApiError {
    pub code: ErrorCode,
    pub message: String,
}

/// What every handler returns.
pub type ApiResult = Result<HttpResponse, ApiError>;

impl ApiError {
    /// An error answered with `code`'s one HTTP status.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> ApiError {
        ApiError {
            code,
            message: message.into(),
        }
    }

    /// 401 with `message`.
    pub fn unauthorized(message: &str) -> ApiError {
        Self::new(ErrorCode::Unauthorized, message)
    }

    /// 403: the reviewer lacks `role`.
    pub fn forbidden(role: Role) -> ApiError {
        Self::new(
            ErrorCode::Forbidden,
            format!("this needs the `{role}` role, which your reviewer account does not have"),
        )
    }

    /// 404: "`what` not found".
    pub fn not_found(what: &str) -> ApiError {
        Self::new(ErrorCode::NotFound, format!("{what} not found"))
    }

    /// 400 with `message`.
    pub fn bad_request(message: impl Into<String>) -> ApiError {
        Self::new(ErrorCode::BadRequest, message)
    }

    /// 500: `e` goes to the server log, the reviewer gets a fixed message.
    pub fn internal(e: impl std::fmt::Display) -> ApiError {
        tracing::error!(target: "amanat::review", "internal error: {e}");
        Self::new(
            ErrorCode::Internal,
            "internal server error; the operator can find details in the server log",
        )
    }

    /// 503: the audit entry could not be written (see `ReviewState::audit`).
    pub fn audit_unavailable() -> ApiError {
        Self::new(
            ErrorCode::AuditUnavailable,
            "the audit log cannot be written, so nothing was done or served; \
             the operator can find details in the server log",
        )
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => ApiError::not_found("item"),
            StoreError::Conflict(m) => ApiError::new(ErrorCode::Conflict, m),
            e => ApiError::internal(e),
        }
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.code, self.message)
    }
}

impl actix_web::ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        StatusCode::from_u16(self.code.http_status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }

    fn error_response(&self) -> HttpResponse {
        HttpResponse::build(self.status_code()).json(ErrorBody {
            error: ErrorDetail {
                code: self.code,
                message: self.message.clone(),
            },
        })
    }
}
