//! `amanat triage`: change a report's state, urgency or assignee, and add a
//! note with tags. The note is an `amanat.note/1` record encrypted here to
//! the pinned triage reviewers; the server never sees its text.

use super::Ctx;
use crate::decrypt::no_such_report;
use crate::exit::{CliError, Exit};
use crate::pins::check_triage_pin;
use crate::render::{print_json, safe};
use amanat_core::api::{Recipients, ReportSummary, TriageRequest};
use amanat_core::crypto::envelope;
use amanat_core::records::{NoteRecord, NoteSchema, Record};
use data_encoding::BASE64;
use zeroize::Zeroizing;

/// A note to add: its text and tags (none of either: no note).
pub struct Note {
    pub tags: Vec<String>,
    pub text: Option<String>,
}

/// Sends the change (with the note, encrypted, when there is one).
pub fn run(
    ctx: &Ctx,
    id: &str,
    mut req: TriageRequest,
    note: Note,
    json: bool,
) -> Result<(), CliError> {
    if !amanat_core::crypto::random::is_id(id) {
        return Err(CliError::new(
            Exit::NotFound,
            format!("{id:?} is not a report id"),
        ));
    }
    let conn = ctx.connect()?;
    if note.text.is_some() || !note.tags.is_empty() {
        let r: Recipients = conn.api.get("/api/v1/recipients")?;
        check_triage_pin(&ctx.dir, &conn.saved.server, &r.triage, &r.names)?;
        let recipients = envelope::parse_recipients(&r.triage)
            .map_err(|_| CliError::general("the server sent an invalid recipient"))?;
        let record = NoteRecord {
            reviewer: conn.saved.reviewer_name.clone(),
            schema: NoteSchema,
            tags: note.tags,
            text: Zeroizing::new(note.text.unwrap_or_default()),
        }
        .to_plaintext()
        .map_err(|e| CliError::general(e.to_string()))?;
        let ct =
            envelope::seal(&record, &recipients).map_err(|e| CliError::general(e.to_string()))?;
        req.note = Some(BASE64.encode(&ct));
    }
    let updated: ReportSummary = conn
        .api
        .post(&format!("/api/v1/reports/{id}/triage"), &req)
        .map_err(no_such_report(id))?;
    if json {
        return print_json(&updated);
    }
    println!(
        "Report {}: state {}{}, urgency {}{}, assignee {}",
        updated.id,
        updated.state,
        updated
            .closed_reason
            .map(|r| format!(" ({r})"))
            .unwrap_or_default(),
        updated.urgency,
        if updated.urgency_confirmed {
            ""
        } else {
            " (proposed)"
        },
        safe(updated.assignee_name.as_deref().unwrap_or("-"))
    );
    Ok(())
}
