//! `amanat show`: one report, decrypted, with its whole thread (messages,
//! replies, notes, withdrawals), for a person or as JSON. The rendering
//! functions take the decrypted report and never fetch.

use super::Ctx;
use crate::decrypt::{DecryptedReport, ThreadRecord};
use crate::exit::CliError;
use crate::render::{print_answers, print_attachments, print_json, safe};
use amanat_core::api::QuestionnaireView;
use amanat_core::model::Anonymity;
use amanat_core::records::EnvelopeKind;
use serde_json::{Value as Json, json};

/// Fetches, decrypts and shows report `id`.
pub fn run(ctx: &Ctx, id: &str, json: bool) -> Result<(), CliError> {
    let o = ctx.open_report(id)?;
    let q: QuestionnaireView = o.conn.api.get("/api/v1/questionnaire")?;
    if json {
        return print_json(&as_json(&o.report));
    }
    print(&q, &o.report);
    Ok(())
}

/// The report as `--json` prints it.
pub fn as_json(o: &DecryptedReport) -> Json {
    let thread: Vec<Json> = o
        .thread
        .iter()
        .map(|e| {
            let rec = e.record.as_ref();
            let (tags, withdraw, lang, attachments) = match rec {
                Some(ThreadRecord::Note(n)) => (Some(json!(n.tags)), None, None, None),
                Some(ThreadRecord::Withdrawal(w)) => (None, Some(json!(w.withdraw)), None, None),
                Some(ThreadRecord::Message(m)) => {
                    (None, None, Some(json!(m.lang)), Some(json!(m.attachments)))
                }
                Some(ThreadRecord::Reply(_)) | None => (None, None, None, None),
            };
            json!({
                "kind": e.kind,
                "day": e.day,
                "text": rec.and_then(ThreadRecord::text),
                "tags": tags,
                "withdraw": withdraw,
                "lang": lang,
                "attachments": attachments,
                "decrypted": rec.is_some(),
            })
        })
        .collect();
    let (detail, report) = (&o.detail, &o.report);
    json!({
        "schema": amanat_core::model::REPORT_SCHEMA,
        "id": detail.report.id,
        "received": detail.report.received,
        "state": detail.report.state,
        "urgency": detail.report.urgency,
        "urgency_confirmed": detail.report.urgency_confirmed,
        "anonymity": detail.report.anonymity,
        "lang": report.lang,
        "questionnaire": report.questionnaire,
        "answers": report.answers,
        "identity": o.identity.as_ref().map(|i| &i.answers),
        "identity_withheld": detail.identity_withheld,
        "attachments": report.attachments,
        "thread": thread,
    })
}

/// Prints the report for a person, with the questionnaire's labels.
pub fn print(q: &QuestionnaireView, o: &DecryptedReport) {
    let (detail, report) = (&o.detail, &o.report);
    let r = &detail.report;
    println!("Report {}", r.id);
    println!(
        "Received {}  ·  state {}  ·  urgency {}{}  ·  {}",
        r.received,
        r.state,
        r.urgency,
        if r.urgency_confirmed {
            ""
        } else {
            " (proposed)"
        },
        r.anonymity
    );
    let lang = report.lang.as_str();
    let name = amanat_core::languages::by_code(lang)
        .map(|l| l.native)
        .unwrap_or(lang);
    println!(
        "Written in: {} ({lang}) — reply in this language",
        safe(name)
    );
    println!();
    print_answers(q, &report.answers);
    println!();
    match (&o.identity, detail.identity_withheld, r.anonymity) {
        (Some(i), _, _) => {
            println!("Identity ({}):", r.anonymity);
            print_answers(q, &i.answers);
        }
        (None, true, a) => println!("Identity withheld ({a}): it needs the identity role."),
        (None, false, Anonymity::Anonymous) => println!("Identity: anonymous report."),
        (None, false, _) => println!("Identity: none given."),
    }
    if !report.attachments.is_empty() {
        println!();
        println!("Attachments (`amanat download {}` saves them):", r.id);
        print_attachments(&report.attachments);
    }
    if o.thread.is_empty() {
        return;
    }
    println!();
    println!("Thread:");
    for e in &o.thread {
        let rec = e.record.as_ref();
        let who = match (e.kind, rec) {
            (EnvelopeKind::Message, _) => "Message from the source".to_string(),
            (EnvelopeKind::Note, Some(ThreadRecord::Note(n))) if !n.tags.is_empty() => format!(
                "Note by {} [tags: {}]",
                safe(&n.reviewer),
                safe(&n.tags.join(", "))
            ),
            (EnvelopeKind::Note, Some(ThreadRecord::Note(n))) => {
                format!("Note by {}", safe(&n.reviewer))
            }
            (EnvelopeKind::Note, _) => "Note by ?".to_string(),
            (EnvelopeKind::Withdrawal, _) => "CONSENT WITHDRAWN by the source".to_string(),
            _ => "Reply".to_string(),
        };
        let text = rec.and_then(|r| match r {
            ThreadRecord::Withdrawal(w) => Some(w.withdraw.join(", ")),
            other => other.text().map(String::from),
        });
        match text.as_deref() {
            Some(text) => {
                println!("--- {who}, {}", e.day);
                for line in safe(text).lines() {
                    println!("    {line}");
                }
            }
            None => println!("--- {who}, {}: not encrypted to your key", e.day),
        }
        let files = rec.map(ThreadRecord::attachments).unwrap_or_default();
        if !files.is_empty() {
            println!("    Attached (`amanat download {}` saves them):", r.id);
            print_attachments(files);
        }
    }
}
