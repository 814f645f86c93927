//! The outbox: what the offline machine changed, waiting to be carried back
//! (docs/reviewers.md, "Air-gapped review").
//!
//! Reading a mirror (`--mirror`), `amanat triage` and `amanat reply` work as
//! online — the note is encrypted to the triage reviewers, the reply to the
//! source and the triage reviewers, with the same checks (consent, pinned
//! recipients) — but what they would send is appended to `outbox.json` in
//! the profile's directory instead (0600; ciphertext and triage choices,
//! nothing in plaintext of a report). Each action gets a random id and the
//! report's state in the mirror, so the server applies it once and refuses
//! it if the report has moved since.
//!
//! `amanat outbox export FILE --desk-key KEY` signs every pending action
//! with the desk key into one file (`amanat.outbox/1`) for `amanat push`
//! on the online machine.

use crate::desk::DeskKey;
use crate::exit::{CliError, Exit};
use crate::session;
use amanat_core::api::{OutboxAction, SignedAction, outbox_message};
use data_encoding::BASE64;
use serde::{Deserialize, Serialize};
use std::path::Path;

/// File name of the pending actions, in the profile's directory.
pub const PENDING_FILE: &str = "outbox.json";
/// Format tag of an exported outbox.
pub const FORMAT: &str = "amanat.outbox/1";

/// Actions waiting to be exported.
#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Pending {
    #[serde(default)]
    pub server: String,
    #[serde(default)]
    pub reviewer_id: String,
    #[serde(default)]
    pub actions: Vec<OutboxAction>,
}

/// An exported, signed outbox.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OutboxFile {
    pub format: String,
    pub server: String,
    pub reviewer_id: String,
    /// The desk key's public half, so `push` can say which desk signed.
    pub desk_key: String,
    pub actions: Vec<SignedAction>,
}

/// Appends `action` to the pending actions of the mirror of `server`.
pub fn append(
    dir: &Path,
    server: &str,
    reviewer_id: &str,
    action: OutboxAction,
) -> Result<(), CliError> {
    let mut p: Pending = session::load_state(dir, PENDING_FILE)?;
    if p.actions.is_empty() {
        p.server = server.into();
        p.reviewer_id = reviewer_id.into();
    } else if p.server != server || p.reviewer_id != reviewer_id {
        return Err(CliError::usage(format!(
            "the outbox in {} holds actions for {}; export and clear it (`amanat outbox export \
             --clear`) before working from a mirror of another server",
            dir.display(),
            p.server
        )));
    }
    p.actions.push(action);
    session::save_state(dir, PENDING_FILE, &p)?;
    eprintln!(
        "Offline: kept in the outbox ({} action(s) waiting). Carry it back with `amanat outbox \
         export` here and `amanat push` on the online machine.",
        p.actions.len()
    );
    Ok(())
}

/// Signs every pending action into a new file `out`; with `clear`, the
/// pending actions are then forgotten. Returns how many were exported.
pub fn export(dir: &Path, desk_key: &Path, out: &Path, clear: bool) -> Result<usize, CliError> {
    let p: Pending = session::load_state(dir, PENDING_FILE)?;
    if p.actions.is_empty() {
        return Err(CliError::new(
            Exit::NotFound,
            "the outbox is empty; nothing was written",
        ));
    }
    let key = DeskKey::load(desk_key)?;
    let mut actions = Vec::with_capacity(p.actions.len());
    for a in &p.actions {
        let action = serde_json::to_string(a).map_err(|e| CliError::general(e.to_string()))?;
        let signature = BASE64.encode(&key.sign(&outbox_message(&p.reviewer_id, &action)));
        actions.push(SignedAction { action, signature });
    }
    let file = OutboxFile {
        format: FORMAT.into(),
        server: p.server.clone(),
        reviewer_id: p.reviewer_id.clone(),
        desk_key: key.public(),
        actions,
    };
    let text = serde_json::to_vec_pretty(&file).map_err(|e| CliError::general(e.to_string()))?;
    crate::commands::write_new_file(out, &text)?;
    if clear {
        session::save_state(dir, PENDING_FILE, &Pending::default())?;
    }
    Ok(file.actions.len())
}

/// Forgets the pending actions; returns how many there were.
pub fn clear(dir: &Path) -> Result<usize, CliError> {
    let p: Pending = session::load_state(dir, PENDING_FILE)?;
    session::save_state(dir, PENDING_FILE, &Pending::default())?;
    Ok(p.actions.len())
}

/// Reads an exported outbox.
pub fn read(path: &Path) -> Result<OutboxFile, CliError> {
    crate::desk::read_json(path, "an outbox file (from `amanat outbox export`)", FORMAT)
}
