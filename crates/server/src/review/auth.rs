//! Login by challenge–response with age, logout, and who is logged in.
//!
//! The server encrypts a random nonce to the reviewer's recipient; the CLI
//! decrypts and returns it and gets a session token. The API never reveals
//! who is enrolled, and others' failures never lock a reviewer out. Logs
//! name reviewer ids only, never tokens or recipients.

use super::ReviewState;
use super::error::{ApiError, ApiResult};
use super::extract::{Authed, JsonBody};
use super::reviewers::info;
use super::sessions::{ChallengeResult, Challenges};
use crate::store::Reviewer;
use actix_web::{HttpResponse, web};
use amanat_core::api::{
    ChallengeRequest, ChallengeResponse, ErrorCode, SessionResponse, VerifyRequest,
};
use amanat_core::audit::Action;
use amanat_core::crypto::recipient::Recipient;
use amanat_core::crypto::{envelope, keys, random};
use data_encoding::BASE64;
use zeroize::Zeroizing;

/// Issues a login challenge. Never refused for others' failures or for a
/// full table (see [`super::sessions::Challenges`]): that would let anyone
/// lock every reviewer out.
pub(super) async fn challenge(
    JsonBody(r): JsonBody<ChallengeRequest>,
    st: web::Data<ReviewState>,
) -> ApiResult {
    issue_challenge(&st, &st.challenges, &r)
}

/// A challenge for `r.recipient`, kept in `table` (login or sync enrolment).
pub(super) fn issue_challenge(
    st: &ReviewState,
    table: &Challenges,
    r: &ChallengeRequest,
) -> ApiResult {
    let Ok(asked) = r.recipient.parse::<Recipient>() else {
        return Err(ApiError::bad_request(
            "`recipient` is not an age X25519 recipient (age1…) nor a hardware one (age1tag1…, age1tagpq1…)",
        ));
    };
    let reviewer = st
        .store
        .reviewers()?
        .into_iter()
        .find(|x| x.recipient == r.recipient);
    // An unknown recipient gets a challenge that looks the same (and costs
    // the same) but is not stored and can never succeed, so the API does
    // not reveal who is enrolled and strangers cannot fill the table. An
    // X25519 stanza does not say whom it is for, so the decoy goes to a
    // new random key; a tagged (hardware) stanza names its recipient to
    // whoever knows it, so that decoy is sealed to the key asked about.
    let target = match &reviewer {
        Some(x) => x.recipient.clone(),
        None => match asked {
            Recipient::X25519(_) => keys::generate().1,
            tagged => tagged.to_string(),
        },
    };
    let nonce = random::token();
    let recipients = envelope::parse_recipients(&[target]).map_err(ApiError::internal)?;
    let ct = envelope::seal(nonce.as_bytes(), &recipients).map_err(ApiError::internal)?;
    let id = match reviewer {
        Some(x) => table.create(&x.id, nonce),
        None => table.decoy(),
    };
    Ok(HttpResponse::Ok().json(ChallengeResponse {
        challenge_id: id,
        challenge: BASE64.encode(&ct),
    }))
}

/// Checks a challenge's answer. A correct answer is never refused: the
/// nonce is 256 random bits, so a limit on guesses would protect nothing
/// and would only let others lock reviewers out. Failures are counted
/// (`limits.review_login_failures_per_minute`) only for real challenges of
/// enrolled reviewers, to bound the audit entries they write; past the
/// limit they are answered 429 without an entry. Answers to unknown,
/// decoy or used challenges are cheap to send in bulk and count nothing.
pub(super) async fn verify(
    JsonBody(r): JsonBody<VerifyRequest>,
    st: web::Data<ReviewState>,
) -> ApiResult {
    let reviewer = check_answer(&st, &st.challenges, &r, |n| Zeroizing::new(n.to_string()))?;
    let token = st.sessions.open(&reviewer.id).map_err(|_| {
        ApiError::new(
            ErrorCode::Unavailable,
            "too many reviewer sessions are open; try again later",
        )
    })?;
    if let Err(e) = st.audit(&reviewer.id, Action::Login, None, None) {
        st.sessions.close(&token);
        return Err(e);
    }
    tracing::info!(target: "amanat::review", reviewer = %reviewer.id, "reviewer logged in");
    Ok(HttpResponse::Ok().json(SessionResponse {
        token: token.to_string(),
        reviewer: info(&reviewer),
        idle_secs: st.limits.review_session_idle_secs,
        max_secs: st.limits.review_session_max_secs,
    }))
}

/// The enrolled reviewer who answered a challenge of `table` rightly (with
/// `expect(nonce)`);
/// a wrong answer to a real challenge is counted and audited (see
/// [`verify`]).
pub(super) fn check_answer(
    st: &ReviewState,
    table: &Challenges,
    r: &VerifyRequest,
    expect: impl Fn(&str) -> Zeroizing<String>,
) -> Result<Reviewer, ApiError> {
    let failed = || {
        ApiError::unauthorized(
            "login failed: the challenge was wrong, expired or already used; run `amanat login` again",
        )
    };
    let reviewer_id = match table.answer_bound(&r.challenge_id, &r.response, expect) {
        ChallengeResult::Ok(id) => id,
        ChallengeResult::Unknown => return Err(failed()),
        ChallengeResult::Wrong(id) => {
            if !st.login_failures.allow() {
                return Err(too_many_failures());
            }
            tracing::info!(target: "amanat::review", reviewer = %id, "reviewer login failed");
            st.audit(&id, Action::LoginFailed, None, None)?;
            return Err(failed());
        }
    };
    st.store
        .reviewer(&reviewer_id)?
        .ok_or_else(|| ApiError::unauthorized("this reviewer is no longer enrolled"))
}

/// Ends the session (audited first).
pub(super) async fn logout(who: Authed, st: web::Data<ReviewState>) -> ApiResult {
    st.audit(&who.id, Action::Logout, None, None)?;
    st.sessions.close(who.token());
    Ok(HttpResponse::NoContent().finish())
}

/// The logged-in reviewer.
pub(super) async fn whoami(who: Authed) -> ApiResult {
    Ok(HttpResponse::Ok().json(info(&who)))
}

fn too_many_failures() -> ApiError {
    ApiError::new(
        ErrorCode::RateLimited,
        "too many failed logins; if you hold the key, run `amanat login` again",
    )
}
