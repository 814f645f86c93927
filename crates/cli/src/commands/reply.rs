//! `amanat reply`: a reply to the source through the follow-up channel, as
//! an `amanat.reply/1` record encrypted here to the source and the pinned
//! triage reviewers. Refused when the source did not agree to be contacted
//! back, or withdrew that consent.

use super::Ctx;
use crate::exit::CliError;
use crate::pins::check_triage_pin;
use crate::render::print_json;
use amanat_core::api::{ReplyCreated, ReplyRequest};
use amanat_core::crypto::envelope;
use amanat_core::model::answers::Value;
use amanat_core::records::{Record, ReplyRecord, ReplySchema};
use data_encoding::BASE64;
use zeroize::Zeroizing;

/// Sends a reply to the source of report `id`: `message`, else standard
/// input, else the text written in an editor.
pub fn run(ctx: &Ctx, id: &str, message: Option<String>, json: bool) -> Result<(), CliError> {
    let o = ctx.open_report(id)?;
    let consent = matches!(
        o.report.report.answers.get("consent_contact_back"),
        Some(Value::Bool(true))
    );
    if o.report
        .withdrawals(&o.key)?
        .iter()
        .any(|f| f == "consent_contact_back")
    {
        return Err(CliError::general(format!(
            "the source of report {id} withdrew their consent to be contacted back \
             (consent_contact_back); a reply is not allowed and nothing was sent"
        )));
    }
    if !consent {
        return Err(CliError::general(format!(
            "the source of report {id} did not agree to be contacted back (consent_contact_back is no); \
             a reply is not allowed"
        )));
    }
    if o.report.detail.reply_recipients.is_empty() {
        return Err(CliError::general(format!(
            "report {id} has no follow-up channel"
        )));
    }
    let text = Zeroizing::new(match message {
        Some(m) => m,
        None => read_reply_text()?,
    });
    let text = Zeroizing::new(
        amanat_core::model::answers::normalize_text(&text, true)
            .ok_or_else(|| CliError::usage("the reply contains control characters"))?,
    );
    if text.is_empty() {
        return Err(CliError::usage("the reply is empty; nothing was sent"));
    }
    let record = ReplyRecord {
        reviewer: o.conn.saved.reviewer_name.clone(),
        schema: ReplySchema,
        text,
    }
    .to_plaintext()
    .map_err(|e| CliError::general(e.to_string()))?;
    // After the source's key come the triage reviewers', as pinned at
    // login. On a post-quantum instance there are none (age cannot seal the
    // source's classical key with theirs): then nothing but the source's
    // key is encrypted to, and there is no set to check.
    let triage = o
        .report
        .detail
        .reply_recipients
        .get(1..)
        .unwrap_or_default();
    if !triage.is_empty() {
        check_triage_pin(&ctx.dir, &o.conn.saved.server, triage, &[])?;
    }
    let recipients = envelope::parse_recipients(&o.report.detail.reply_recipients)
        .map_err(|_| CliError::general("the server sent an invalid recipient"))?;
    let ct = envelope::seal(&record, &recipients).map_err(|e| CliError::general(e.to_string()))?;
    let created: ReplyCreated = o.conn.api.post(
        &format!("/api/v1/reports/{id}/replies"),
        &ReplyRequest {
            ciphertext: BASE64.encode(&ct),
        },
    )?;
    if json {
        return print_json(&created);
    }
    println!(
        "Reply sent ({}). The source will see it when they log in with their codename.",
        created.id
    );
    Ok(())
}

/// Reads a reply from standard input, or from an editor on a terminal.
fn read_reply_text() -> Result<String, CliError> {
    use std::io::{IsTerminal, Read};
    if !std::io::stdin().is_terminal() {
        let mut s = String::new();
        std::io::stdin()
            .take(1 << 20)
            .read_to_string(&mut s)
            .map_err(|e| {
                CliError::general(format!("cannot read the reply from standard input: {e}"))
            })?;
        return Ok(s);
    }
    let editor = std::env::var("VISUAL")
        .or_else(|_| std::env::var("EDITOR"))
        .unwrap_or_else(|_| "vi".into());
    // The draft must live in a file for the editor: a private temporary file
    // (0600), overwritten and removed as soon as it is read.
    let file = tempfile::Builder::new()
        .prefix("amanat-reply-")
        .tempfile()
        .map_err(|e| CliError::general(format!("cannot create a draft file: {e}")))?;
    let status = std::process::Command::new(&editor)
        .arg(file.path())
        .status()
        .map_err(|e| CliError::general(format!("cannot start the editor {editor:?}: {e}")))?;
    let text = std::fs::read_to_string(file.path()).unwrap_or_default();
    let _ = std::fs::write(file.path(), vec![0u8; text.len()]);
    drop(file);
    if !status.success() {
        return Err(CliError::general("the editor failed; nothing was sent"));
    }
    Ok(text)
}
