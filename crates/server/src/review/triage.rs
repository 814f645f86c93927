//! Triage: state, urgency, assignee and encrypted notes of a report, and
//! the recipients the CLI encrypts notes and replies to.
//!
//! The state machine of docs/domain.md is enforced here. Changes are
//! audited after every check and before they are made, so a refused or
//! unaudited change leaves the report as it was.

use super::ReviewState;
use super::error::{ApiError, ApiResult};
use super::extract::{Authed, JsonBody, ReportId, Triage};
use super::reports::{addressed_to, age_file, find_report, summary_named};
use crate::store::{EnvelopeKind, NewEnvelope, Reviewer};
use actix_web::{HttpResponse, web};
use amanat_core::api::{ErrorCode, Recipients, ReportSummary, TriageRequest};
use amanat_core::audit::Action;
use amanat_core::model::{Role, State};

/// Changes state, urgency, assignee, and/or adds an encrypted note. The
/// state machine of docs/domain.md is enforced here.
pub(super) async fn triage(
    who: Authed<Triage>,
    id: ReportId,
    JsonBody(r): JsonBody<TriageRequest>,
    st: web::Data<ReviewState>,
) -> ApiResult {
    let updated = apply(&st, &who, &id, &r, None)?;
    Ok(HttpResponse::Ok().json(updated))
}

/// Applies a triage change by `who` to report `id` with every check of the
/// online route. With `base` (an offline action: the state the report had
/// in the mirror it was made from), a report that has moved since is a
/// conflict and nothing changes.
pub(super) fn apply(
    st: &ReviewState,
    who: &Reviewer,
    id: &str,
    r: &TriageRequest,
    base: Option<State>,
) -> Result<ReportSummary, ApiError> {
    let meta = find_report(st, id)?;
    if let Some(base) = base.filter(|b| *b != meta.state) {
        return Err(ApiError::new(
            ErrorCode::Conflict,
            format!(
                "the report moved since the mirror was taken: it was `{base}` there and is `{}` \
                 now; nothing was changed",
                meta.state
            ),
        ));
    }
    if r.state.is_none()
        && r.reason.is_none()
        && r.urgency.is_none()
        && r.assign.is_none()
        && r.note.is_none()
    {
        return Err(ApiError::bad_request(
            "nothing to change: give a state, urgency, assignee or note",
        ));
    }
    let reasons = || {
        amanat_core::model::CloseReason::ALL
            .iter()
            .map(|r| r.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    };
    if let Some(next) = r.state {
        if next != meta.state && !meta.state.next().contains(&next) {
            return Err(ApiError::new(
                ErrorCode::IllegalTransition,
                format!(
                    "a report cannot go from `{}` to `{next}`; allowed: {}",
                    meta.state,
                    meta.state.next_text()
                ),
            ));
        }
        if next == State::Closed && next != meta.state && r.reason.is_none() {
            return Err(ApiError::bad_request(format!(
                "closing needs a reason: {}",
                reasons()
            )));
        }
    }
    if r.reason.is_some() && r.state != Some(State::Closed) {
        return Err(ApiError::bad_request(
            "a reason is given only when closing (state `closed`)",
        ));
    }
    let assignee = match r.assign.as_deref() {
        None => None,
        Some("") => Some(None),
        Some(who) => {
            let found = st
                .store
                .reviewers()?
                .into_iter()
                .find(|x| x.id == who || x.name == who)
                .ok_or_else(|| ApiError::bad_request(format!("no reviewer named {who:?}")))?;
            if !found.has(Role::Triage) {
                return Err(ApiError::bad_request(format!(
                    "{} does not have the triage role",
                    found.name
                )));
            }
            Some(Some(found.id))
        }
    };
    let triage_recipients = st.store.recipients_with_role(Role::Triage)?;
    let note = match &r.note {
        None => None,
        Some(b64) => {
            let (ct, types) = age_file("note", b64)?;
            if !addressed_to(&types, &triage_recipients)? {
                return Err(ApiError::bad_request(format!(
                    "a note must be encrypted to exactly the {} triage reviewers (GET /api/v1/recipients)",
                    triage_recipients.len()
                )));
            }
            Some(NewEnvelope {
                kind: EnvelopeKind::Note,
                ciphertext: ct,
                recipients: triage_recipients,
            })
        }
    };
    let mut detail = Vec::new();
    if let Some(s) = r.state {
        detail.push(format!("state={s}"));
    }
    if let Some(x) = r.reason {
        detail.push(format!("reason={x}"));
    }
    if let Some(u) = r.urgency {
        detail.push(format!("urgency={u}"));
    }
    if let Some(a) = &assignee {
        detail.push(format!("assignee={}", a.clone().unwrap_or_default()));
    }
    if r.note.is_some() {
        detail.push("note".into());
    }
    if base.is_some() {
        detail.push("offline".into());
    }
    st.audit(&who.id, Action::Triage, Some(id), Some(detail.join(" ")))?;
    let today = amanat_core::timeutil::Day::today();
    let updated = st.store.update_report(
        id,
        meta.state,
        |m| {
            if let Some(next) = r.state {
                if next != m.state {
                    m.state = next;
                    m.state_changed = Some(today);
                    m.closed_reason = r.reason;
                }
            }
            if let Some(u) = r.urgency {
                m.urgency = u;
                m.urgency_confirmed = true;
            }
            if let Some(a) = &assignee {
                m.assignee = a.clone();
            }
        },
        note,
    )?;
    tracing::info!(target: "amanat::review", reviewer = %who.id, report = %id, "triage change");
    let reviewers = st.store.reviewers()?;
    Ok(summary_named(&updated, &reviewers))
}

/// Who notes are encrypted to (the triage reviewers) and who receives
/// identity sections, with their names.
pub(super) async fn recipients(_: Authed<Triage>, st: web::Data<ReviewState>) -> ApiResult {
    Ok(HttpResponse::Ok().json(recipients_now(&st)?))
}

/// The recipients as `GET /api/v1/recipients` shows them.
pub(super) fn recipients_now(st: &ReviewState) -> Result<Recipients, ApiError> {
    let reviewers = st.store.reviewers()?;
    let with = |role: Role| -> Vec<String> {
        reviewers
            .iter()
            .filter(|r| r.has(role))
            .map(|r| r.recipient.clone())
            .collect()
    };
    Ok(Recipients {
        triage: with(Role::Triage),
        identity: with(Role::Identity),
        names: reviewers
            .iter()
            .map(|r| (r.recipient.clone(), r.name.clone()))
            .collect(),
    })
}
