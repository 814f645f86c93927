//! `amanat outbox export` (offline) and `amanat push` (online): carrying
//! what the offline machine changed back to the server (see
//! `crate::outbox`; docs/reviewers.md, "Air-gapped review").
//!
//! `push` sends each signed action on its own with the profile's sync
//! token; the server checks the desk key's signature and applies the action
//! once, with the online checks. Pushing the same file again changes
//! nothing. Conflicts and refusals are listed per action, and make the
//! command end with exit code 1.

use super::Ctx;
use crate::client::Api;
use crate::exit::{CliError, Exit};
use crate::outbox;
use crate::render::{print_json, safe};
use crate::syncstate;
use amanat_core::api::{OutboxAction, PushOutcome, PushResult};
use std::path::Path;

/// `amanat outbox export FILE --desk-key KEY [--clear]`.
pub fn export(ctx: &Ctx, out: &Path, desk_key: &Path, clear: bool) -> Result<(), CliError> {
    let n = outbox::export(&ctx.dir, desk_key, out, clear)?;
    println!(
        "Wrote {n} signed action(s) to {}{}.",
        out.display(),
        if clear {
            "; the outbox is now empty"
        } else {
            ""
        }
    );
    Ok(())
}

/// `amanat outbox clear`.
pub fn clear(ctx: &Ctx) -> Result<(), CliError> {
    let n = outbox::clear(&ctx.dir)?;
    println!("Forgot {n} pending action(s).");
    Ok(())
}

/// `amanat push FILE`.
pub fn push(ctx: &Ctx, file: &Path, json: bool) -> Result<(), CliError> {
    let f = outbox::read(file)?;
    let t = syncstate::load(&ctx.dir)?;
    if f.server != t.server || f.reviewer_id != t.reviewer_id {
        return Err(CliError::usage(format!(
            "{} was made from a mirror of {} for another reviewer or server than this profile's \
             sync token ({}); use the profile that synced that server (--profile)",
            file.display(),
            f.server,
            t.server
        )));
    }
    if f.desk_key != t.desk_key {
        return Err(CliError::usage(format!(
            "{} was signed by another desk key than the one this profile enrolled",
            file.display()
        )));
    }
    let api = Api::new(&t.server, ctx.proxy.as_deref(), t.ca_file.as_deref())?.with_token(&t.token);
    let mut results = Vec::with_capacity(f.actions.len());
    for signed in &f.actions {
        let r: PushResult = api.post("/api/v1/sync/push", signed)?;
        let action: Option<OutboxAction> = serde_json::from_str(&signed.action).ok();
        results.push((action.map(|a| a.report).unwrap_or_default(), r));
    }
    let failed = results
        .iter()
        .filter(|(_, r)| matches!(r.outcome, PushOutcome::Conflict | PushOutcome::Refused))
        .count();
    if json {
        let out: Vec<_> = results
            .iter()
            .map(|(report, r)| serde_json::json!({"id": r.id, "report": report, "outcome": r.outcome, "message": r.message}))
            .collect();
        print_json(&out)?;
    } else {
        for (report, r) in &results {
            let outcome = match r.outcome {
                PushOutcome::Applied => "applied",
                PushOutcome::AlreadyApplied => "already applied",
                PushOutcome::Conflict => "CONFLICT",
                PushOutcome::Refused => "REFUSED",
            };
            println!("{report}  {outcome}: {}", safe(&r.message));
        }
    }
    if failed > 0 {
        return Err(CliError::new(
            Exit::General,
            format!(
                "{failed} of {} action(s) were not applied (see above); sync, look at the reports \
                 again offline, and redo what still makes sense",
                results.len()
            ),
        ));
    }
    Ok(())
}
