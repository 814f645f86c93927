//! `amanat admin rekey`: moves reports away from removed reviewers' keys.
//!
//! The server cannot re-encrypt (it holds no key), so this runs on an
//! admin's machine: for every report the server says still needs it, each
//! envelope sealed to a key that is no longer a current reviewer's (nor the
//! source's) is decrypted here ([`decrypt::open_envelope`]) and the same
//! plaintext sealed to today's set for its kind; each such attachment is
//! decrypted and re-encrypted as a stream (the blob format of
//! `amanat_core::crypto::blob`, verified against its manifest on the way)
//! into a temporary file of ciphertext in the CLI's directory, then
//! uploaded. The server swaps each one atomically, checking it replaces
//! exactly what was read.
//!
//! Resumable without a state file: every swap is durable when answered,
//! and the server's "needs re-key" answer is what is left. Interrupting it
//! loses nothing: an unanswered swap either happened or did not. Plaintext
//! is held in zeroizing buffers and never written to disk.

use super::Ctx;
use crate::client::url_segment;
use crate::decrypt::{self, DecryptedReport};
use crate::exit::{CliError, Exit};
use crate::render::print_json;
use crate::session;
use amanat_core::api::{BlobInfo, EnvelopeData, EnvelopeSwap, RekeyTargets, ReportList, Swapped};
use amanat_core::crypto::blob::{BlobError, BlobWriter, open_blob};
use amanat_core::crypto::{envelope, recipient};
use amanat_core::records::EnvelopeKind;
use data_encoding::BASE64;
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::collections::HashSet;
use std::io::{BufWriter, IsTerminal, Read, Write};
use zeroize::Zeroizing;

/// The prefix of the temporary files of re-encrypted attachments.
const TEMP_PREFIX: &str = ".amanat-rekey-";

/// What a run did (`--json`).
#[derive(Debug, Default, Serialize)]
struct Summary {
    /// Reports that needed re-keying when the run started.
    reports: usize,
    /// Envelopes and attachment files swapped (or, with `--dry-run`, to swap).
    envelopes: usize,
    attachments: usize,
    dry_run: bool,
    /// What could not be re-keyed, and why.
    skipped: Vec<Skipped>,
}

#[derive(Debug, Serialize)]
struct Skipped {
    report: String,
    reason: String,
}

/// Re-keys every report that needs it.
pub fn run(ctx: &Ctx, dry_run: bool, json: bool) -> Result<(), CliError> {
    let conn = ctx.connect()?;
    let targets: RekeyTargets = conn.api.get("/api/v1/rekey")?;
    let list: ReportList = conn.api.get("/api/v1/reports")?;
    let (todo, stale): (Vec<String>, Vec<u32>) = list
        .reports
        .into_iter()
        .filter(|r| r.rekey.needs_rekey())
        .map(|r| (r.id, r.rekey.removed))
        .unzip();
    let mut sum = Summary {
        reports: todo.len(),
        dry_run,
        ..Summary::default()
    };
    if dry_run {
        // The server's counts: envelopes and files together.
        sum.envelopes = stale.iter().map(|&n| n as usize).sum();
        return finish(&sum, json);
    }
    check_pins(&ctx.dir, &conn.saved.server, &targets)?;
    remove_leftovers(&ctx.dir);
    let key = ctx.identity(&conn.saved.identity);
    let plan = Plan::new(&targets)?;
    let bar = progress(todo.len() as u64, json);
    for (i, id) in todo.iter().enumerate() {
        match rekey_report(&conn, &key, &plan, id, &ctx.dir, &mut sum) {
            Ok(()) => {}
            // A change made meanwhile, or what this identity cannot open:
            // left for the next run (or another admin), said at the end.
            Err(e) if matches!(e.code, Exit::Decrypt | Exit::General | Exit::NotFound) => {
                sum.skipped.push(Skipped {
                    report: id.clone(),
                    reason: e.message,
                });
            }
            Err(e) => return Err(e),
        }
        match &bar {
            Some(b) => b.inc(1),
            None => eprintln!("re-keyed report {id} ({}/{})", i + 1, todo.len()),
        }
    }
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    finish(&sum, json)?;
    if sum.skipped.is_empty() {
        Ok(())
    } else {
        Err(CliError::new(
            Exit::Decrypt,
            format!(
                "{} report(s) could not be fully re-keyed (listed above); run `amanat admin \
                 rekey` again, or ask an admin who can read them",
                sum.skipped.len()
            ),
        ))
    }
}

/// Today's recipient sets, parsed once.
struct Plan {
    current: HashSet<String>,
    triage: Sealing,
    identity: Sealing,
}

/// A recipient set as the server names it and as age encrypts to it.
struct Sealing {
    spelled: Vec<String>,
    parsed: Vec<recipient::Recipient>,
}

impl Sealing {
    fn of(spelled: &[String]) -> Result<Sealing, CliError> {
        Ok(Sealing {
            spelled: spelled.to_vec(),
            parsed: recipients(spelled)?,
        })
    }
}

impl Plan {
    fn new(t: &RekeyTargets) -> Result<Plan, CliError> {
        Ok(Plan {
            current: t.current.iter().cloned().collect(),
            triage: Sealing::of(&t.triage)?,
            identity: Sealing::of(&t.identity)?,
        })
    }

    /// True if `sealed_to` holds a key that is neither a current reviewer's
    /// nor the source's: the server's rule (`store/rekey.rs`).
    fn stale(&self, sealed_to: &[String], source: Option<&String>) -> bool {
        sealed_to
            .iter()
            .any(|r| !self.current.contains(r) && Some(r) != source)
    }
}

/// Refuses to re-encrypt to recipient sets other than those pinned at the
/// last login (`pins`): a server that slipped a key into its list would
/// otherwise be handed every report this command re-keys. Changes made
/// through this CLI count as seen; others need `amanat login` first.
fn check_pins(dir: &std::path::Path, server: &str, t: &RekeyTargets) -> Result<(), CliError> {
    let pins: session::Pins = session::load_state(dir, session::PINS_FILE)?;
    let pin = pins.get(server).ok_or_else(|| {
        CliError::general(
            "this CLI has no record of who receives reports on this server; run `amanat login` \
             again, check what it shows, then run this again",
        )
    })?;
    let mut changes = Vec::new();
    for (what, pinned, now) in [
        ("triage", &pin.triage, &t.triage),
        ("identity", &pin.identity, &t.identity),
    ] {
        let mut now = now.clone();
        now.sort();
        now.dedup();
        for r in now.iter().filter(|r| !pinned.contains(r)) {
            changes.push(format!("  {what} recipients: ADDED   {r}"));
        }
        for r in pinned.iter().filter(|r| !now.contains(r)) {
            changes.push(format!("  {what} recipients: removed {r}"));
        }
    }
    if changes.is_empty() {
        return Ok(());
    }
    Err(CliError::general(format!(
        "WARNING: WHO RECEIVES REPORTS CHANGED since your last login:\n{}\nNothing was \
         re-keyed. Run `amanat login` again to see the change; if you do not know why it \
         happened, stop and ask the other admins and the operator.",
        changes.join("\n")
    )))
}

/// Parses recipients as the server sends them: the one place this command
/// reads a recipient.
fn recipients(spelled: &[String]) -> Result<Vec<recipient::Recipient>, CliError> {
    envelope::parse_recipients(spelled).map_err(|e| {
        CliError::general(format!(
            "the server sent a recipient this CLI cannot use: {e}"
        ))
    })
}

/// Re-keys what is stale in one report.
fn rekey_report(
    conn: &crate::client::Connection,
    key: &decrypt::Identity,
    plan: &Plan,
    id: &str,
    dir: &std::path::Path,
    sum: &mut Summary,
) -> Result<(), CliError> {
    let report = decrypt::fetch(conn, key, id)?;
    let detail = &report.detail;
    let source = detail.reply_recipients.first();
    let replies = match source {
        Some(_) => Some(Sealing::of(&detail.reply_recipients)?),
        None => None,
    };
    for e in &detail.envelopes {
        if !plan.stale(&e.recipients, source) {
            continue;
        }
        let to = match e.kind {
            EnvelopeKind::Identity => &plan.identity,
            EnvelopeKind::Reply => replies
                .as_ref()
                .ok_or_else(|| CliError::general("a reply, but no follow-up channel"))?,
            _ => &plan.triage,
        };
        swap_envelope(conn, key, id, e, to)?;
        sum.envelopes += 1;
    }
    for b in &detail.blobs {
        let stale = match &b.recipients {
            Some(r) => plan.stale(r, None),
            None => true,
        };
        if stale {
            swap_blob(conn, key, &report, b, &plan.triage, dir)?;
            sum.attachments += 1;
        }
    }
    if detail.identity_withheld {
        return Err(CliError::new(
            Exit::Decrypt,
            "its identity section needs an admin with the identity role",
        ));
    }
    Ok(())
}

/// Seals one envelope's plaintext to `to` and has the server swap it.
fn swap_envelope(
    conn: &crate::client::Connection,
    key: &decrypt::Identity,
    id: &str,
    e: &EnvelopeData,
    to: &Sealing,
) -> Result<(), CliError> {
    let old = BASE64
        .decode(e.ciphertext.as_bytes())
        .map_err(|_| CliError::general("the server sent malformed ciphertext"))?;
    let plain = decrypt::open_envelope(key, id, e)?;
    let sealed = envelope::seal(&plain, &to.parsed)
        .map_err(|e| CliError::general(format!("cannot encrypt: {e}")))?;
    drop(plain);
    let _: Swapped = conn.api.post(
        &format!("/api/v1/reports/{id}/rekey"),
        &EnvelopeSwap {
            envelope: e.id.clone(),
            old_sha256: data_encoding::HEXLOWER.encode(&Sha256::digest(&old)),
            ciphertext: BASE64.encode(&sealed),
            recipients: to.spelled.clone(),
        },
    )?;
    Ok(())
}

/// Streams one attachment: downloaded, decrypted and checked against its
/// manifest, re-encrypted to `to` into a temporary file of ciphertext,
/// then uploaded for the server to swap.
fn swap_blob(
    conn: &crate::client::Connection,
    key: &decrypt::Identity,
    report: &DecryptedReport,
    b: &BlobInfo,
    to: &Sealing,
    dir: &std::path::Path,
) -> Result<(), CliError> {
    let id = &report.detail.report.id;
    if !amanat_core::crypto::random::is_id(&b.id) {
        return Err(CliError::general(
            "the server named a malformed attachment id",
        ));
    }
    let files = report.all_attachments();
    let m = files.iter().find(|m| m.blob == b.id).ok_or_else(|| {
        CliError::new(
            Exit::Decrypt,
            format!(
                "attachment {} is named in no manifest this identity can read",
                b.id
            ),
        )
    })?;
    let identity = key.age()?;
    let resp = conn
        .api
        .get_stream(&format!("/api/v1/reports/{id}/blobs/{}", b.id))?;
    let mut old = Hashing {
        inner: resp,
        sha: Sha256::new(),
    };
    let io =
        |e: std::io::Error| CliError::general(format!("cannot write in {}: {e}", dir.display()));
    let tmp = tempfile::Builder::new()
        .prefix(TEMP_PREFIX)
        .tempfile_in(dir)
        .map_err(io)?;
    {
        let mut reader =
            open_blob(&mut old, identity, m.size, &m.sha256).map_err(|e| blob_error(&b.id, e))?;
        let out = BufWriter::with_capacity(256 * 1024, tmp.as_file());
        let mut writer = BlobWriter::new(out, &to.parsed)
            .map_err(|e| CliError::general(format!("cannot encrypt: {e}")))?;
        let mut buf = Zeroizing::new(vec![0u8; 256 * 1024]);
        loop {
            // The last read checks the padding and the hash before it ends.
            let n = reader
                .read(&mut buf)
                .map_err(|e| blob_error(&b.id, BlobError::from_io(e)))?;
            if n == 0 {
                break;
            }
            writer.write_all(&buf[..n]).map_err(io)?;
        }
        let (mut out, _) = writer.finish().map_err(io)?;
        out.flush().map_err(io)?;
    }
    // Whatever follows the age stream is part of what is replaced.
    std::io::copy(&mut old, &mut std::io::sink())
        .map_err(|e| CliError::general(format!("the download broke off: {e}")))?;
    let old_sha256 = data_encoding::HEXLOWER.encode(&old.sha.finalize());
    let file = tmp.reopen().map_err(io)?;
    let _: Swapped = conn.api.put_file(
        &format!(
            "/api/v1/reports/{id}/blobs/{}?old_sha256={old_sha256}&recipients={}",
            b.id,
            url_segment(&to.spelled.join(","))
        ),
        file,
    )?;
    Ok(())
}

/// A reader that hashes what passes through it (the old ciphertext).
struct Hashing<R> {
    inner: R,
    sha: Sha256,
}

impl<R: Read> Read for Hashing<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.sha.update(&buf[..n]);
        Ok(n)
    }
}

fn blob_error(blob: &str, e: BlobError) -> CliError {
    CliError::new(Exit::Decrypt, format!("attachment {blob}: {e}"))
}

/// Removes the temporary files an interrupted run left (ciphertext only).
fn remove_leftovers(dir: &std::path::Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        if e.file_name().to_string_lossy().starts_with(TEMP_PREFIX) {
            let _ = std::fs::remove_file(e.path());
        }
    }
}

/// A progress bar on a terminal; `None` (plain lines) otherwise.
fn progress(len: u64, json: bool) -> Option<indicatif::ProgressBar> {
    if json || !std::io::stderr().is_terminal() {
        return None;
    }
    let b = indicatif::ProgressBar::new(len);
    if let Ok(style) =
        indicatif::ProgressStyle::with_template("re-keying [{bar:30}] {pos}/{len} reports {eta}")
    {
        b.set_style(style);
    }
    Some(b)
}

/// Prints what was done.
fn finish(sum: &Summary, json: bool) -> Result<(), CliError> {
    if json {
        return print_json(sum);
    }
    if sum.dry_run {
        println!(
            "{} report(s) need re-keying: {} envelope(s) and attachment file(s) are sealed to \
             removed reviewers' keys. Run `amanat admin rekey` to re-encrypt them.",
            sum.reports, sum.envelopes
        );
        return Ok(());
    }
    println!(
        "Re-keyed {} envelope(s) and {} attachment file(s) in {} report(s).",
        sum.envelopes, sum.attachments, sum.reports
    );
    for s in &sum.skipped {
        println!("NOT DONE {}: {}", s.report, s.reason);
    }
    Ok(())
}

#[cfg(test)]
mod tests;
