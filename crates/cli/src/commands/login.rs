//! `amanat login`, `logout` and `whoami`: the session.
//!
//! Login is an age challenge–response: the server encrypts a nonce to the
//! reviewer's recipient and the CLI answers with it. The session token is
//! saved 0600 (see `session`); the identity's secret never is. At login the
//! recipient sets are pinned (`pins`) and the audit chain anchored
//! (`anchors`).

use super::Ctx;
use crate::anchors::anchor_audit;
use crate::client::Api;
use crate::exit::{CliError, Exit};
use crate::pins::pin_recipients;
use crate::render::{print_json, roles};
use crate::session;
use amanat_core::api::{
    ChallengeRequest, ChallengeResponse, Recipients, ReviewerInfo, SessionResponse, VerifyRequest,
};
use amanat_core::model::Role;
use data_encoding::BASE64;
use std::path::{Path, PathBuf};
use zeroize::Zeroizing;

/// Logs in to `server` with the identity at `identity_path`.
pub fn login(
    ctx: &Ctx,
    server: &str,
    identity_path: &Path,
    ca_file: Option<PathBuf>,
) -> Result<(), CliError> {
    let dir = ctx.dir.as_path();
    let key = ctx.identity(identity_path);
    let id = key.get()?;
    let api = Api::new(server, ctx.proxy.as_deref(), ca_file.as_deref())?;
    let ch: ChallengeResponse = api.post(
        "/api/v1/auth/challenge",
        &ChallengeRequest {
            recipient: id.recipient.clone(),
        },
    )?;
    let ct = BASE64
        .decode(ch.challenge.as_bytes())
        .map_err(|_| CliError::general("the server sent a malformed challenge"))?;
    let nonce = key.open(&ct)?.ok_or_else(|| {
        CliError::new(
            Exit::NotLoggedIn,
            "login refused: this identity is not enrolled on the server (ask the operator to run \
             `amanatd reviewer add` with your recipient)",
        )
    })?;
    let nonce = Zeroizing::new(
        String::from_utf8(nonce.to_vec()).map_err(|_| CliError::general("malformed challenge"))?,
    );
    let session: SessionResponse = api.post(
        "/api/v1/auth/verify",
        &VerifyRequest {
            challenge_id: ch.challenge_id,
            response: nonce.to_string(),
        },
    )?;
    let identity =
        std::fs::canonicalize(identity_path).unwrap_or_else(|_| identity_path.to_path_buf());
    session::save(
        dir,
        &session::Saved {
            server: server.trim_end_matches('/').to_string(),
            token: session.token.clone(),
            reviewer_id: session.reviewer.id.clone(),
            reviewer_name: session.reviewer.name.clone(),
            identity,
            ca_file,
        },
    )?;
    eprintln!(
        "Logged in as {} (roles: {}). The session ends after {} minutes idle or {} hours.",
        session.reviewer.name,
        roles(&session.reviewer.roles),
        session.idle_secs / 60,
        session.max_secs / 3600
    );
    let server = server.trim_end_matches('/');
    let api = api.with_token(&session.token);
    if session.reviewer.roles.contains(&Role::Triage) {
        let r: Recipients = api.get("/api/v1/recipients")?;
        pin_recipients(dir, server, &r)?;
    }
    anchor_audit(dir, &api, server, &session.reviewer.id)
}

/// Ends the session on the server and forgets it here.
pub fn logout(ctx: &Ctx) -> Result<(), CliError> {
    if let Some(saved) = session::load(&ctx.dir)? {
        let api = Api::new(
            &saved.server,
            ctx.proxy.as_deref(),
            saved.ca_file.as_deref(),
        )?
        .with_token(&saved.token);
        // A session the server already forgot is still logged out.
        match api.post_empty("/api/v1/auth/logout") {
            Ok(())
            | Err(CliError {
                code: Exit::NotLoggedIn,
                ..
            }) => {}
            Err(e) => return Err(e),
        }
    }
    session::remove(&ctx.dir)?;
    eprintln!("Logged out.");
    Ok(())
}

/// Who the session belongs to.
pub fn whoami(ctx: &Ctx, json: bool) -> Result<(), CliError> {
    let me: ReviewerInfo = ctx.connect()?.api.get("/api/v1/whoami")?;
    if json {
        print_json(&me)
    } else {
        println!("{} ({}) roles: {}", me.name, me.id, roles(&me.roles));
        Ok(())
    }
}
