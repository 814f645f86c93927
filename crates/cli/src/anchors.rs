//! The audit anchor: at each login, the CLI checks that the server's audit
//! chain still extends the entry it saw at the previous login, recomputing
//! every hash, and records the new head (`anchors.json`, see `session`).
//! A rewritten chain is never accepted silently: it keeps the old anchor
//! and ends the login with exit code 8.

use crate::client::Api;
use crate::exit::{CliError, Exit};
use crate::session;
use amanat_core::api::{AUDIT_PAGE, AuditChain};
use amanat_core::audit::{Anchor, ChainError, ExportedAnchor};
use std::path::Path;

/// Checks that the server's audit chain extends the head this CLI saw at its
/// last login (recomputing every hash from that entry on), acknowledges the
/// new head (`head_seen`) and records it. A chain that no longer extends the
/// anchor gets a loud warning, keeps the old anchor, and exit code 8.
pub fn anchor_audit(dir: &Path, api: &Api, server: &str, reviewer: &str) -> Result<(), CliError> {
    let mut anchors: session::Anchors = session::load_state(dir, session::ANCHORS_FILE)?;
    let previous = anchors.get(server).cloned();
    let start = match &previous {
        Some(a) => Anchor {
            seq: a.seq,
            hash: a.hash.clone(),
        },
        None => {
            // First login from this CLI: trust the head as it is now.
            let c: AuditChain = api.get("/api/v1/audit/chain")?;
            match c.head {
                Some(h) => h,
                None => return Ok(()),
            }
        }
    };
    let at = match follow_chain(api, start.clone())? {
        Ok(head) => head,
        Err(e) => {
            let (seq, hash, day) = previous
                .as_ref()
                .map(|a| (a.seq, a.hash.clone(), a.day.to_string()))
                .unwrap_or((start.seq, start.hash, "this login".into()));
            eprintln!(
                "\nWARNING: THE SERVER'S AUDIT LOG WAS REWRITTEN.\n\
                 On {day} this CLI saw entry {seq} with hash {hash}; the server's log no \
                 longer extends it ({e}).\n\
                 Someone with control of the server changed or removed audit entries. Keep \
                 {} (export it with `amanat audit anchors`), tell the other reviewers, and \
                 have the operator run `amanatd audit verify --against` with everyone's \
                 anchors.\n",
                dir.join(session::ANCHORS_FILE).display()
            );
            return Err(CliError::new(
                Exit::AuditRewritten,
                "logged in, but the server's audit log no longer extends what this CLI saw \
                 (see the warning above); your old anchor is kept",
            ));
        }
    };
    // Acknowledge the head, then anchor past the acknowledgement itself, so
    // removing it (the newest entry) is noticed too.
    api.post_empty_json("/api/v1/audit/head-seen", &at)?;
    let at = follow_chain(api, at.clone())?.unwrap_or(at);
    anchors.insert(
        server.to_string(),
        ExportedAnchor {
            server: server.to_string(),
            reviewer: reviewer.to_string(),
            seq: at.seq,
            hash: at.hash,
            day: amanat_core::timeutil::Day::today(),
        },
    );
    Ok(session::save_state(dir, session::ANCHORS_FILE, &anchors)?)
}

/// Follows the server's chain from `at` (whose entry must be unchanged) to
/// its head, recomputing every hash, page by page. The outer error is the
/// transport's; the inner one says where the chain stops extending `at`.
fn follow_chain(api: &Api, mut at: Anchor) -> Result<Result<Anchor, ChainError>, CliError> {
    loop {
        let page: AuditChain = api.get(&format!("/api/v1/audit/chain?from={}", at.seq))?;
        match amanat_core::audit::extends(&at, &page.entries) {
            // Each full page ends at least one entry further: this ends.
            Ok(next) if page.entries.len() >= AUDIT_PAGE && next.seq > at.seq => at = next,
            Ok(next) => return Ok(Ok(next)),
            Err(e) => return Ok(Err(e)),
        }
    }
}
