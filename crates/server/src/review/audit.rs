//! The audit log over the API: reading it, anchoring a reviewer's view of
//! the chain, recording exports, and the one way review code appends to it.
//!
//! Every login, read and change of the review API is audited through
//! [`ReviewState::audit`], and the entry is on disk before the answer: when
//! it cannot be written the action fails with 503 `audit_unavailable` and
//! nothing is served or changed.

use super::ReviewState;
use super::error::{ApiError, ApiResult};
use super::extract::{Admin, Authed, JsonBody, Triage};
use actix_web::{HttpRequest, HttpResponse, web};
use amanat_core::api::{AUDIT_PAGE, AuditChain, AuditLog, ErrorCode, ExportRecord};
use amanat_core::audit::{Action, Anchor, Event};
use amanat_core::crypto::random;

impl ReviewState {
    /// Appends an audit entry and flushes it. When that fails the action
    /// fails: the caller answers 503 and serves nothing, changes nothing.
    pub(super) fn audit(
        &self,
        actor: &str,
        action: Action,
        report: Option<&str>,
        detail: Option<String>,
    ) -> Result<(), ApiError> {
        let event = Event {
            actor: actor.to_string(),
            action,
            report: report.map(str::to_string),
            detail,
        };
        self.store.append_audit(event).map(drop).map_err(|e| {
            tracing::error!(target: "amanat::review", "audit append failed: {e}");
            ApiError::audit_unavailable()
        })
    }
}

/// The query of `GET /api/v1/audit/chain`.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct ChainQuery {
    from: Option<u64>,
}

/// The chain's head and, with `from`, the entries from that index on, so a
/// reviewer's CLI can check that the chain still extends what it saw. Open to
/// every reviewer: anchors are worth most when every reviewer keeps one.
pub(super) async fn audit_chain(
    _: Authed,
    req: HttpRequest,
    st: web::Data<ReviewState>,
) -> ApiResult {
    let q = web::Query::<ChainQuery>::from_query(req.query_string())
        .map_err(|_| ApiError::bad_request("the only query parameter is `from`, an entry index"))?;
    let head = st.store.audit_head()?.map(|e| Anchor {
        seq: e.seq,
        hash: e.hash,
    });
    let entries = match q.from {
        None => Vec::new(),
        Some(from) => st.store.audit_range(from, AUDIT_PAGE)?,
    };
    Ok(HttpResponse::Ok().json(AuditChain { head, entries }))
}

/// A reviewer's CLI acknowledges the head it saw: the acknowledgement is
/// itself an entry, so each reviewer's anchors are in the chain too.
pub(super) async fn head_seen(
    who: Authed,
    JsonBody(a): JsonBody<Anchor>,
    st: web::Data<ReviewState>,
) -> ApiResult {
    let known = st
        .store
        .audit_range(a.seq, 1)?
        .into_iter()
        .next()
        .is_some_and(|e| e.seq == a.seq && e.hash == a.hash);
    if !known {
        return Err(ApiError::new(
            ErrorCode::AuditMismatch,
            format!("the audit chain has no entry {} with that hash", a.seq),
        ));
    }
    st.audit(
        &who.id,
        Action::HeadSeen,
        None,
        Some(format!("seq={} hash={}", a.seq, a.hash)),
    )?;
    Ok(HttpResponse::NoContent().finish())
}

/// The whole log and whether its chain is intact, for admins.
pub(super) async fn audit_log(_: Authed<Admin>, st: web::Data<ReviewState>) -> ApiResult {
    let entries = st.store.audit_entries()?;
    let broken = amanat_core::audit::verify(&entries)
        .err()
        .map(|e| e.to_string());
    Ok(HttpResponse::Ok().json(AuditLog { entries, broken }))
}

/// Records an export the CLI made (the server never sees exported content).
pub(super) async fn record_export(
    who: Authed<Triage>,
    JsonBody(r): JsonBody<ExportRecord>,
    st: web::Data<ReviewState>,
) -> ApiResult {
    if r.reports.iter().any(|id| !random::is_id(id)) {
        return Err(ApiError::bad_request("unknown report id"));
    }
    // Every id must name a report: the log records exports, not guesses.
    for id in &r.reports {
        if st.store.report(id)?.is_none() {
            return Err(ApiError::new(
                ErrorCode::NotFound,
                format!("report {id} not found; nothing was recorded"),
            ));
        }
    }
    for id in &r.reports {
        st.audit(
            &who.id,
            Action::ExportRequested,
            Some(id),
            Some(format!("{} {}", r.profile.as_str(), r.format.as_str())),
        )?;
    }
    Ok(HttpResponse::NoContent().finish())
}
