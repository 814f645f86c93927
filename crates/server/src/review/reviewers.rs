//! Reviewers and grants: who may use the API, with which roles.
//!
//! Granting the identity or admin role online takes two admins: the first
//! one's request is kept as a pending grant until a different admin approves
//! it (the operator can still enrol anyone locally with `amanatd reviewer`).
//! Every change is audited before it is made. Logs name reviewer and grant
//! ids, never recipients.
//!
//! Keys: `age1…` (X25519), `age1tag1…` (hardware, P-256) and `age1tagpq1…`
//! (hardware, post-quantum). age cannot seal one envelope to post-quantum
//! and classical keys together, so every reviewer who receives envelopes
//! (triage, identity) holds the instance's kind, post-quantum exactly when
//! `[crypto] post_quantum` is set ([`check_key_kind`], [`keys_out_of_mode`]);
//! an admin-only reviewer receives only login challenges and may hold any.

use super::ReviewState;
use super::error::{ApiError, ApiResult};
use super::extract::{Admin, Authed, GrantId, JsonBody};
use crate::store::{NewReviewer, PendingGrant, Reviewer};
use actix_web::{HttpResponse, web};
use amanat_core::api::{AddReviewerRequest, ErrorCode, PendingGrantInfo, ReviewerInfo};
use amanat_core::audit::Action;
use amanat_core::crypto::random;
use amanat_core::crypto::recipient::Recipient;
use amanat_core::model::{Role, roles_text};

/// Every enrolled reviewer.
pub(super) async fn list_reviewers(_: Authed<Admin>, st: web::Data<ReviewState>) -> ApiResult {
    let list: Vec<ReviewerInfo> = st.store.reviewers()?.iter().map(info).collect();
    Ok(HttpResponse::Ok().json(list))
}

/// Enrols a reviewer (201), or with the identity or admin role records a
/// pending grant for a second admin (202).
pub(super) async fn add_reviewer(
    admin: Authed<Admin>,
    JsonBody(r): JsonBody<AddReviewerRequest>,
    st: web::Data<ReviewState>,
) -> ApiResult {
    let new = validate_new_reviewer(r.name, r.recipient, r.roles).map_err(ApiError::bad_request)?;
    check_key_kind(&new, st.post_quantum).map_err(ApiError::bad_request)?;
    // Checked before the audit entry is written, so the log does not record
    // an enrolment that a duplicate name or key would then refuse.
    if needs_second_admin(&new.roles) {
        st.store.check_grant_is_free(&new)?;
    } else if st
        .store
        .reviewers()?
        .iter()
        .any(|x| x.name == new.name || x.recipient == new.recipient)
    {
        return Err(ApiError::new(
            ErrorCode::Conflict,
            "a reviewer with this name or recipient is already enrolled",
        ));
    }
    if needs_second_admin(&new.roles) {
        // Widening who receives identities (or who may approve that) is not
        // one admin's decision: keep it pending for another admin.
        let grant_id = random::id();
        st.audit(
            &admin.id,
            Action::GrantRequested,
            None,
            Some(format!("grant={grant_id} {}", roles_text(&new.roles))),
        )?;
        let grant = st.store.add_grant(grant_id, new, &admin.id)?;
        tracing::info!(target: "amanat::review", admin = %admin.id, grant = %grant.id, "grant requested");
        return Ok(HttpResponse::Accepted().json(grant_info(&grant)));
    }
    st.audit(
        &admin.id,
        Action::ReviewerAdded,
        None,
        Some(roles_text(&new.roles)),
    )?;
    let added = st.store.add_reviewer(new)?;
    tracing::info!(target: "amanat::review", admin = %admin.id, reviewer = %added.id, "reviewer added");
    Ok(HttpResponse::Created().json(info(&added)))
}

/// Roles an admin cannot grant alone online: `identity` (it widens who
/// receives identities) and `admin` (an admin could otherwise enrol a second
/// admin key of their own and approve themselves).
pub fn needs_second_admin(roles: &[Role]) -> bool {
    roles.contains(&Role::Identity) || roles.contains(&Role::Admin)
}

/// Grants waiting for a second admin.
pub(super) async fn list_grants(_: Authed<Admin>, st: web::Data<ReviewState>) -> ApiResult {
    let list: Vec<PendingGrantInfo> = st.store.grants()?.iter().map(grant_info).collect();
    Ok(HttpResponse::Ok().json(list))
}

/// A second admin approves a pending grant: the reviewer is enrolled.
pub(super) async fn approve_grant(
    admin: Authed<Admin>,
    id: GrantId,
    st: web::Data<ReviewState>,
) -> ApiResult {
    let grant = st
        .store
        .grant(&id)?
        .ok_or_else(|| ApiError::not_found("pending grant"))?;
    if grant.requested_by == admin.id {
        return Err(ApiError::new(
            ErrorCode::SecondAdminRequired,
            "you asked for this grant; another admin must approve it (or the operator enrols the reviewer locally with `amanatd reviewer add`)",
        ));
    }
    // The instance may have switched kinds since the grant was asked for.
    if let Some(problem) =
        key_kind_problem(&grant.name, &grant.recipient, &grant.roles, st.post_quantum)
    {
        return Err(ApiError::bad_request(problem));
    }
    st.audit(
        &admin.id,
        Action::GrantApproved,
        None,
        Some(format!(
            "grant={} requested_by={} {}",
            grant.id,
            grant.requested_by,
            roles_text(&grant.roles)
        )),
    )?;
    let added = st.store.approve_grant(&grant.id)?;
    tracing::info!(target: "amanat::review", admin = %admin.id, reviewer = %added.id, "grant approved");
    Ok(HttpResponse::Created().json(info(&added)))
}

/// Any admin may withdraw a pending grant.
pub(super) async fn cancel_grant(
    admin: Authed<Admin>,
    id: GrantId,
    st: web::Data<ReviewState>,
) -> ApiResult {
    if st.store.grant(&id)?.is_none() {
        return Err(ApiError::not_found("pending grant"));
    }
    st.audit(
        &admin.id,
        Action::GrantCancelled,
        None,
        Some(format!("grant={id}")),
    )?;
    let grant = st.store.remove_grant(&id)?;
    Ok(HttpResponse::Ok().json(grant_info(&grant)))
}

/// Removes a reviewer, named by id or name, and ends their sessions; the
/// last admin cannot be removed online.
pub(super) async fn remove_reviewer(
    admin: Authed<Admin>,
    path: web::Path<String>,
    st: web::Data<ReviewState>,
) -> ApiResult {
    let target = path.into_inner();
    let all = st.store.reviewers()?;
    let Some(victim) = all.iter().find(|r| r.id == target || r.name == target) else {
        return Err(ApiError::not_found("reviewer"));
    };
    let admins_left = all
        .iter()
        .filter(|r| r.has(Role::Admin) && r.id != victim.id)
        .count();
    if victim.has(Role::Admin) && admins_left == 0 {
        return Err(ApiError::new(
            ErrorCode::Conflict,
            "this is the last admin; enrol another admin first (or use `amanatd reviewer remove` on the server)",
        ));
    }
    st.audit(
        &admin.id,
        Action::ReviewerRemoved,
        None,
        Some(victim.id.clone()),
    )?;
    let removed = st.store.remove_reviewer(&victim.id)?;
    st.sessions.close_all_of(&removed.id);
    tracing::info!(target: "amanat::review", admin = %admin.id, reviewer = %removed.id, "reviewer removed");
    Ok(HttpResponse::Ok().json(info(&removed)))
}

/// Checks a new reviewer's fields (shared by the API and `amanatd reviewer add`).
pub fn validate_new_reviewer(
    name: String,
    recipient: String,
    mut roles: Vec<Role>,
) -> Result<NewReviewer, String> {
    let name = name.trim().to_string();
    if name.is_empty() || name.chars().count() > 64 || name.chars().any(char::is_control) {
        return Err("the name must be 1 to 64 printable characters".into());
    }
    // Stored as age spells it, so that one key has one spelling.
    let recipient = match recipient.trim().parse::<Recipient>() {
        Ok(r) => r.to_string(),
        Err(_) => {
            return Err(format!(
                "{:?} is not an age recipient Amanat can encrypt to: an age1… key printed by \
                 `amanat keygen`, or a hardware key's age1tag1… or age1tagpq1… recipient \
                 printed by its age plugin (docs/reviewers.md)",
                recipient.trim()
            ));
        }
    };
    roles.sort();
    roles.dedup();
    if roles.is_empty() {
        return Err("give at least one role: triage, identity or admin".into());
    }
    Ok(NewReviewer {
        name,
        recipient,
        roles,
    })
}

/// True if a reviewer with `roles` receives envelopes (and so must hold a
/// key of the instance's kind).
fn receives_envelopes(roles: &[Role]) -> bool {
    roles.contains(&Role::Triage) || roles.contains(&Role::Identity)
}

/// Why a reviewer with `recipient` and `roles` cannot be sealed to on an
/// instance that is (or is not) post-quantum; `None` if they can.
fn key_kind_problem(
    name: &str,
    recipient: &str,
    roles: &[Role],
    post_quantum: bool,
) -> Option<String> {
    if !receives_envelopes(roles) {
        return None;
    }
    // A recipient that does not parse is not a question of kind: it was
    // refused at enrolment, and sealing to it fails with its own error.
    let pq = recipient.parse::<Recipient>().ok()?.is_post_quantum();
    match (post_quantum, pq) {
        (true, false) => Some(format!(
            "{name:?} has a classical key, but this instance seals every envelope \
             post-quantum (`[crypto] post_quantum = true`): enrol their hardware key's \
             age1tagpq1… recipient instead (docs/reviewers.md), or give them the admin role only"
        )),
        (false, true) => Some(format!(
            "{name:?} has a post-quantum key (age1tagpq1…), but this instance seals classical \
             envelopes and age cannot mix the two kinds in one envelope: enrol a classical key \
             (age1… or age1tag1…), or switch the whole instance: give every triage and \
             identity reviewer an age1tagpq1… key, set `[crypto] post_quantum = true` and \
             restart (docs/operations.md)"
        )),
        _ => None,
    }
}

/// Refuses a new reviewer whose key the instance cannot seal to (the API,
/// pending grants and `amanatd reviewer add`).
pub fn check_key_kind(new: &NewReviewer, post_quantum: bool) -> Result<(), String> {
    match key_kind_problem(&new.name, &new.recipient, &new.roles, post_quantum) {
        Some(problem) => Err(problem),
        None => Ok(()),
    }
}

/// Every enrolled reviewer the instance cannot seal to, each named with
/// the fix (`amanatd serve` refuses to start, `amanatd check` fails).
pub fn keys_out_of_mode(reviewers: &[Reviewer], post_quantum: bool) -> Vec<String> {
    reviewers
        .iter()
        .filter_map(|r| key_kind_problem(&r.name, &r.recipient, &r.roles, post_quantum))
        .collect()
}

/// A reviewer as the API shows it.
pub(super) fn info(r: &Reviewer) -> ReviewerInfo {
    ReviewerInfo {
        id: r.id.clone(),
        name: r.name.clone(),
        recipient: r.recipient.clone(),
        roles: r.roles.clone(),
        added: r.added,
    }
}

/// A pending grant as the API shows it.
fn grant_info(g: &PendingGrant) -> PendingGrantInfo {
    PendingGrantInfo {
        id: g.id.clone(),
        name: g.name.clone(),
        recipient: g.recipient.clone(),
        roles: g.roles.clone(),
        requested_by: g.requested_by.clone(),
        day: g.day,
    }
}
