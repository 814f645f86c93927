//! What a review handler needs before it starts, as `FromRequest`
//! extractors: the authenticated reviewer with the role the route needs
//! ([`Authed`]), a path id that is well formed ([`ReportId`], [`GrantId`],
//! [`AttachmentPath`]) and a bounded JSON body ([`JsonBody`]).
//!
//! A handler names them in its signature and actix runs them in that order,
//! stopping at the first refusal; so the refusals come in the order the
//! handlers always checked them: session, role, id, content type, size and
//! arrival of the body, JSON. Nothing here writes the audit log or logs
//! anything about the request: a refusal is answered, never recorded.

use super::ReviewState;
use super::error::ApiError;
use super::sessions::SessionError;
use crate::store::Reviewer;
use crate::web::{BodyError, read_body};
use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest, web};
use amanat_core::api::ErrorCode;
use amanat_core::crypto::random;
use amanat_core::model::Role;
use futures_util::future::LocalBoxFuture;
use serde::de::DeserializeOwned;
use std::future::{Ready, ready};
use std::marker::PhantomData;
use std::time::Duration;
use zeroize::Zeroizing;

/// The role a route needs, as a type: [`AnyRole`], [`Triage`] or [`Admin`].
pub trait NeedsRole {
    /// `None`: any enrolled reviewer with a live session.
    const ROLE: Option<Role>;
}

/// Any enrolled reviewer with a live session.
pub struct AnyRole;
/// A reviewer with the `triage` role.
pub struct Triage;
/// A reviewer with the `admin` role.
pub struct Admin;

impl NeedsRole for AnyRole {
    const ROLE: Option<Role> = None;
}
impl NeedsRole for Triage {
    const ROLE: Option<Role> = Some(Role::Triage);
}
impl NeedsRole for Admin {
    const ROLE: Option<Role> = Some(Role::Admin);
}

/// The reviewer of a live session (`Authorization: Bearer <token>`) who
/// holds the role `R`. Refusals: 401 without a token, with an unknown,
/// ended or expired one, or when the reviewer was removed; 403 without the
/// role.
pub struct Authed<R: NeedsRole = AnyRole> {
    reviewer: Reviewer,
    token: Zeroizing<String>,
    role: PhantomData<R>,
}

impl<R: NeedsRole> Authed<R> {
    /// The session's token, to end it at logout.
    pub fn token(&self) -> &str {
        &self.token
    }
}

impl<R: NeedsRole> std::ops::Deref for Authed<R> {
    type Target = Reviewer;

    fn deref(&self) -> &Reviewer {
        &self.reviewer
    }
}

impl<R: NeedsRole> FromRequest for Authed<R> {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(
            authenticate(req).and_then(|(reviewer, token)| match R::ROLE {
                Some(role) if !reviewer.has(role) => Err(ApiError::forbidden(role)),
                _ => Ok(Authed {
                    reviewer,
                    token,
                    role: PhantomData,
                }),
            }),
        )
    }
}

/// What a path id names, for its "… not found" answer.
pub trait IdOf {
    /// The thing, as the 404 message names it.
    const WHAT: &'static str;
}

/// A report, in `/reports/{id}`.
pub struct OfReport;
/// A pending grant, in `/reviewers/pending/{id}`.
pub struct OfGrant;

impl IdOf for OfReport {
    const WHAT: &'static str = "report";
}
impl IdOf for OfGrant {
    const WHAT: &'static str = "pending grant";
}

/// The `{id}` of the path, a well-formed random id; anything else is 404
/// "report not found" (or "pending grant not found") before the store is
/// asked.
pub struct PathId<K: IdOf> {
    id: String,
    kind: PhantomData<K>,
}

/// The `{id}` of `/reports/{id}…`.
pub type ReportId = PathId<OfReport>;
/// The `{id}` of `/reviewers/pending/{id}…`.
pub type GrantId = PathId<OfGrant>;

impl<K: IdOf> std::ops::Deref for PathId<K> {
    type Target = str;

    fn deref(&self) -> &str {
        &self.id
    }
}

impl<K: IdOf> std::fmt::Display for PathId<K> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.id)
    }
}

impl<K: IdOf> FromRequest for PathId<K> {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(match path_params::<IdParam>(req) {
            Some(IdParam { id }) if random::is_id(&id) => Ok(PathId {
                id,
                kind: PhantomData,
            }),
            _ => Err(ApiError::not_found(K::WHAT)),
        })
    }
}

/// The `{id}` segment.
#[derive(serde::Deserialize)]
struct IdParam {
    id: String,
}

/// `/reports/{id}/blobs/{blob}`: both well-formed ids, else 404
/// "attachment not found".
#[derive(serde::Deserialize)]
pub struct AttachmentPath {
    #[serde(rename = "id")]
    pub report: String,
    pub blob: String,
}

impl FromRequest for AttachmentPath {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(match path_params::<AttachmentPath>(req) {
            Some(p) if random::is_id(&p.report) && random::is_id(&p.blob) => Ok(p),
            _ => Err(ApiError::not_found("attachment")),
        })
    }
}

/// A JSON request body of type `T`, read within `limits.review_body_bytes`
/// and `limits.body_idle_secs`. Refusals: 415 unless the content type is
/// `application/json`, 413 past the size limit, 408 when the body stops
/// arriving, 400 for a cut-off body or JSON that is not a `T` (unknown
/// fields included).
pub struct JsonBody<T>(pub T);

impl<T: DeserializeOwned + 'static> FromRequest for JsonBody<T> {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let req = req.clone();
        let mut payload = payload.take();
        Box::pin(async move {
            let st = state(&req)?;
            let is_json = req
                .headers()
                .get(header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .is_some_and(|v| v.starts_with("application/json"));
            if !is_json {
                return Err(ApiError::new(
                    ErrorCode::UnsupportedMediaType,
                    "send the body as application/json",
                ));
            }
            let body = web::Payload::from_request(&req, &mut payload)
                .await
                .map_err(ApiError::internal)?;
            let idle_secs = st.limits.body_idle_secs;
            let bytes = read_body(
                &req,
                body,
                st.limits.review_body_bytes,
                Duration::from_secs(idle_secs),
            )
            .await
            .map_err(|e| body_error(e, idle_secs))?;
            serde_json::from_slice(&bytes)
                .map(JsonBody)
                .map_err(|e| ApiError::bad_request(format!("invalid JSON body: {e}")))
        })
    }
}

/// The review listener's state, registered as app data by `server`.
pub(super) fn state(req: &HttpRequest) -> Result<&web::Data<ReviewState>, ApiError> {
    req.app_data::<web::Data<ReviewState>>()
        .ok_or_else(|| ApiError::internal("the review state is not registered"))
}

/// The session's reviewer and token, or 401.
fn authenticate(req: &HttpRequest) -> Result<(Reviewer, Zeroizing<String>), ApiError> {
    let st = state(req)?;
    let token =
        bearer(req).ok_or_else(|| ApiError::unauthorized("not logged in; run `amanat login`"))?;
    let id = st.sessions.check(token).map_err(|e| match e {
        SessionError::Expired => {
            ApiError::unauthorized("your session has expired; run `amanat login` again")
        }
        _ => ApiError::unauthorized("not logged in or logged out; run `amanat login`"),
    })?;
    let reviewer = st
        .store
        .reviewer(&id)?
        .ok_or_else(|| ApiError::unauthorized("this reviewer is no longer enrolled"))?;
    Ok((reviewer, Zeroizing::new(token.to_string())))
}

/// The token of an `Authorization: Bearer` header.
pub(super) fn bearer(req: &HttpRequest) -> Option<&str> {
    req.headers()
        .get(header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .strip_prefix("Bearer ")
        .map(str::trim)
}

/// The named segments of the path, percent-decoded as `web::Path` decodes
/// them (and without its debug log line, which would name the path).
fn path_params<T: DeserializeOwned>(req: &HttpRequest) -> Option<T> {
    req.match_info().load().ok()
}

/// The answer for a body that could not be read.
fn body_error(e: BodyError, idle_secs: u64) -> ApiError {
    match e {
        BodyError::TooLarge(n) => ApiError::new(
            ErrorCode::PayloadTooLarge,
            format!("the request body is larger than {n} bytes"),
        ),
        BodyError::Broken => ApiError::bad_request("the request body was cut off"),
        BodyError::Stalled => ApiError::new(
            ErrorCode::RequestTimeout,
            format!("the request body stopped arriving for {idle_secs} seconds; nothing was done"),
        ),
    }
}
