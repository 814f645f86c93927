//! Pinned recipient sets: who reports, identities and replies are encrypted
//! to on each server, as this CLI last saw it (`pins.json`, see `session`).
//!
//! A change is shown loudly at login, and nothing is encrypted to a triage
//! set other than the pinned one until the reviewer has seen the change.
//! Changes a reviewer makes through this CLI update the pin silently.

use crate::exit::CliError;
use crate::render::safe;
use crate::session;
use amanat_core::api::{Recipients, ReviewerInfo};
use amanat_core::model::Role;
use std::collections::BTreeMap;
use std::path::Path;

/// Compares the recipient sets with those pinned at the last login, warns
/// loudly (who was added, who removed) when they changed, and pins them.
pub fn pin_recipients(dir: &Path, server: &str, r: &Recipients) -> Result<(), CliError> {
    let lines = pin_and_compare(dir, server, r)?;
    if !lines.is_empty() {
        eprintln!(
            "\nWARNING: WHO RECEIVES REPORTS ON THIS SERVER CHANGED since your last login:\n{}\n\
             Reports, identities and your replies are now encrypted to this new set. If you do \
             not know why, stop and ask the other admins and the operator.\n",
            lines.join("\n")
        );
    }
    Ok(())
}

/// The same for a mirror read offline (`--mirror`), where opening the mirror
/// stands for the login: the recipient sets it carries were fetched by the
/// online machine, so a change since the last mirror this CLI read is shown
/// as loudly, before anything is encrypted to them. The first mirror read
/// pins them.
pub fn pin_mirror_recipients(dir: &Path, server: &str, r: &Recipients) -> Result<(), CliError> {
    let lines = pin_and_compare(dir, server, r)?;
    if !lines.is_empty() {
        eprintln!(
            "\nWARNING: WHO RECEIVES REPORTS ON THIS SERVER CHANGED since the last mirror read \
             here:\n{}\nNotes and replies written offline are now encrypted to this new set. If \
             you do not know why, stop: the online machine or the server may be lying. Ask the \
             other admins and the operator.\n",
            lines.join("\n")
        );
    }
    Ok(())
}

/// Pins the sets of `r` and returns how they differ from the earlier pin
/// (nothing the first time).
fn pin_and_compare(dir: &Path, server: &str, r: &Recipients) -> Result<Vec<String>, CliError> {
    let mut pins: session::Pins = session::load_state(dir, session::PINS_FILE)?;
    let now = pin_of(r);
    let mut lines = Vec::new();
    if let Some(old) = pins.get(server) {
        for (what, before, after) in [
            ("triage", &old.triage, &now.triage),
            ("identity", &old.identity, &now.identity),
        ] {
            lines.extend(set_changes(what, before, after, &now.names, &old.names));
        }
    }
    pins.insert(server.to_string(), now);
    session::save_state(dir, session::PINS_FILE, &pins)?;
    Ok(lines)
}

/// Updates the pinned sets for a change this reviewer made themselves (an
/// enrolment, approval or removal through this CLI): it needs no warning.
pub fn repin(dir: &Path, server: &str, r: &ReviewerInfo, added: bool) -> Result<(), CliError> {
    let mut pins: session::Pins = session::load_state(dir, session::PINS_FILE)?;
    let Some(pin) = pins.get_mut(server) else {
        return Ok(());
    };
    for (role, set) in [
        (Role::Triage, &mut pin.triage),
        (Role::Identity, &mut pin.identity),
    ] {
        set.retain(|x| x != &r.recipient);
        if added && r.roles.contains(&role) {
            set.push(r.recipient.clone());
            set.sort();
        }
    }
    if added {
        pin.names.insert(r.recipient.clone(), r.name.clone());
    }
    Ok(session::save_state(dir, session::PINS_FILE, &pins)?)
}

/// The pin of a recipient listing: sorted sets, names by recipient.
fn pin_of(r: &Recipients) -> session::Pin {
    let sorted = |v: &[String]| {
        let mut v = v.to_vec();
        v.sort();
        v.dedup();
        v
    };
    session::Pin {
        triage: sorted(&r.triage),
        identity: sorted(&r.identity),
        names: r.names.iter().cloned().collect(),
    }
}

/// `  identity: added age1… (name)` lines for what differs between two sets.
fn set_changes(
    what: &str,
    before: &[String],
    after: &[String],
    names: &BTreeMap<String, String>,
    old_names: &BTreeMap<String, String>,
) -> Vec<String> {
    let name = |r: &String| {
        names
            .get(r)
            .or_else(|| old_names.get(r))
            .map(|n| format!(" ({})", safe(n)))
            .unwrap_or_default()
    };
    let mut lines = Vec::new();
    for r in after.iter().filter(|r| !before.contains(r)) {
        lines.push(format!("  {what} recipients: ADDED   {r}{}", name(r)));
    }
    for r in before.iter().filter(|r| !after.contains(r)) {
        lines.push(format!("  {what} recipients: removed {r}{}", name(r)));
    }
    lines
}

/// Refuses to encrypt to a triage set other than the one pinned at login:
/// the reviewer must see the change (`amanat login` shows it) first.
pub fn check_triage_pin(
    dir: &Path,
    server: &str,
    triage: &[String],
    names: &[(String, String)],
) -> Result<(), CliError> {
    let pins: session::Pins = session::load_state(dir, session::PINS_FILE)?;
    let Some(pin) = pins.get(server) else {
        return Ok(());
    };
    let mut now = triage.to_vec();
    now.sort();
    now.dedup();
    let names = names.iter().cloned().collect();
    let lines = set_changes("triage", &pin.triage, &now, &names, &pin.names);
    if lines.is_empty() {
        return Ok(());
    }
    Err(CliError::general(format!(
        "WARNING: THE TRIAGE RECIPIENTS CHANGED since your last login:\n{}\n\
         Nothing was encrypted or sent. Run `amanat login` again to see the change and accept it.",
        lines.join("\n")
    )))
}
