//! Terminal output shared by the commands: answers, attachments, reviewers,
//! JSON for scripts, and [`safe`], which every text from a report or a
//! server goes through before it reaches the terminal.
//!
//! Rendering never fetches or decrypts: it takes values already read.

use crate::exit::CliError;
use amanat_core::api::{QuestionnaireView, ReviewerInfo};
use amanat_core::model::Role;
use amanat_core::model::answers::{ApproxDate, DatePrecision, Value};
use amanat_core::records::{AttachmentManifest, CleanResult};
use std::collections::BTreeMap;

/// Neutralises characters that could drive a terminal or reorder text
/// (control characters other than newline and tab, bidi overrides).
pub fn safe(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '\n' | '\t' => c,
            c if c.is_control() => '\u{FFFD}',
            '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' => '\u{FFFD}',
            c => c,
        })
        .collect()
}

/// Prints a value as pretty JSON on standard output (`--json`).
pub fn print_json<T: serde::Serialize>(v: &T) -> Result<(), CliError> {
    let s = serde_json::to_string_pretty(v).map_err(|e| CliError::general(e.to_string()))?;
    println!("{s}");
    Ok(())
}

/// Roles as `--help` and the server name them, comma-separated.
pub fn roles(r: &[Role]) -> String {
    amanat_core::model::roles_text(r)
}

/// One line per attachment: safe name, type, size, what was removed.
pub fn print_attachments(files: &[AttachmentManifest]) {
    for m in files {
        let what = match m.result {
            CleanResult::Cleaned => format!("cleaned: removed {}", m.removed.join(", ")),
            CleanResult::NothingFound => "cleaned: nothing identifying found".to_string(),
            CleanResult::KeptOriginal => {
                "NOT cleaned: the source kept the original metadata".to_string()
            }
            CleanResult::NotCleanable => "NOT cleaned: this type cannot be cleaned".to_string(),
        };
        println!(
            "  {}  ({}, {})  {what}",
            safe(&amanat_core::filename::clean_filename(&m.name)),
            m.media_type,
            amanat_core::human_bytes(m.size)
        );
    }
}

/// Answers with the questionnaire's labels: in its order first, then any
/// field it no longer has.
pub fn print_answers(q: &QuestionnaireView, answers: &BTreeMap<String, Value>) {
    let label_of = |field: &str, opt: &str| -> String {
        q.fields
            .iter()
            .find(|f| f.id == field)
            .and_then(|f| f.options.iter().find(|(o, _)| o == opt))
            .map(|(_, l)| l.clone())
            .unwrap_or_else(|| opt.to_string())
    };
    let mut ids: Vec<&str> = q
        .fields
        .iter()
        .map(|f| f.id.as_str())
        .filter(|id| answers.contains_key(*id))
        .collect();
    for k in answers.keys() {
        if !ids.contains(&k.as_str()) {
            ids.push(k);
        }
    }
    for id in ids {
        let Some(v) = answers.get(id) else { continue };
        let label = q
            .fields
            .iter()
            .find(|f| f.id == id)
            .map(|f| f.label.clone())
            .unwrap_or_else(|| id.to_string());
        let text = match v {
            Value::Bool(b) => if *b { "yes" } else { "no" }.to_string(),
            Value::Text(s) => label_of(id, s),
            Value::List(a) => a
                .iter()
                .map(|s| label_of(id, s))
                .collect::<Vec<_>>()
                .join("; "),
            Value::Date(d) => format!("{} ({})", date(d), precision(d.precision)),
        };
        let text = safe(&text);
        if text.contains('\n') {
            println!("{}:", safe(&label));
            for line in text.lines() {
                println!("    {line}");
            }
        } else {
            println!("{}: {text}", safe(&label));
        }
    }
}

/// `YYYY`, `YYYY-MM` or `YYYY-MM-DD`, as much as the source knew.
pub fn date(d: &ApproxDate) -> String {
    let mut s = format!("{:04}", d.year);
    if let Some(m) = d.month {
        s.push_str(&format!("-{m:02}"));
    }
    if let Some(day) = d.day {
        s.push_str(&format!("-{day:02}"));
    }
    s
}

/// How sure the source was of a date, as stored.
fn precision(p: DatePrecision) -> &'static str {
    match p {
        DatePrecision::Exact => "exact",
        DatePrecision::Estimate => "estimate",
        DatePrecision::Unknown => "unknown",
    }
}

/// The reviewers' table.
pub fn print_reviewers(list: &[ReviewerInfo]) {
    println!("{:<26}  {:<20}  {:<24}  RECIPIENT", "ID", "NAME", "ROLES");
    for r in list {
        println!(
            "{:<26}  {:<20}  {:<24}  {}",
            r.id,
            safe(&r.name),
            roles(&r.roles),
            r.recipient
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn safe_neutralises_terminal_escapes_and_bidi_overrides() {
        assert_eq!(safe("a\u{1b}[2Jb"), "a\u{FFFD}[2Jb");
        assert_eq!(safe("x\u{202E}y"), "x\u{FFFD}y");
        assert_eq!(safe("line1\nline2\tok"), "line1\nline2\tok");
        assert_eq!(safe("مرحبا"), "مرحبا");
    }

    #[test]
    fn dates_show_what_the_source_knew_and_precision_as_stored() {
        let d = ApproxDate {
            year: 2025,
            month: Some(3),
            day: None,
            precision: DatePrecision::Estimate,
        };
        assert_eq!(date(&d), "2025-03");
        for p in [
            DatePrecision::Exact,
            DatePrecision::Estimate,
            DatePrecision::Unknown,
        ] {
            assert_eq!(
                serde_json::to_value(p).unwrap(),
                serde_json::json!(precision(p))
            );
        }
    }
}
