//! Exports of decrypted reports, per the profiles of docs/domain.md. Pure functions
//! over already-decrypted data, so the consent rules can be tested directly.
//!
//! - `internal`: everything the reviewer is cleared to read (JSON or CSV).
//! - `ohchr_submission`: only reports whose source agreed to share with the
//!   UN; identity only for `consented` reports with
//!   `consent_share_identity_un`; JSON or a plain-text summary.
//! - `stats`: counts by country, reprisal type, UN engagement and month; no
//!   free text, no identity, no locality (CSV or JSON).
//!
//! No profile but `internal` includes a report without
//! `consent_informed_of_risks`. Withdrawals of consent recorded through the
//! follow-up channel are applied before any rule is checked.
//!
//! The input is typed (the decrypted records' answers); only the output,
//! which is not a stored record, is built as JSON.

use crate::decrypt::{DecryptedReport, ThreadRecord};
use amanat_core::api::ReportSummary;
use amanat_core::model::Anonymity;
use amanat_core::model::answers::Value;
use amanat_core::records::{AttachmentManifest, EnvelopeKind};
use amanat_core::timeutil::Day;
use serde_json::{Map, Value as Json, json};
use std::collections::BTreeMap;
use zeroize::Zeroizing;

pub use amanat_core::api::{Format, Profile};

/// A report decrypted by the CLI, as the export profiles read it.
#[derive(Clone, Debug)]
pub struct Decrypted {
    pub summary: ReportSummary,
    pub lang: Option<String>,
    pub answers: BTreeMap<String, Value>,
    /// The identity answers, when the reviewer could read them.
    pub identity: Option<BTreeMap<String, Value>>,
    pub attachments: Vec<AttachmentManifest>,
    /// Consent flags the source withdrew later.
    pub withdrawn: Vec<String>,
    /// Messages, replies and notes this reviewer can read, oldest first.
    pub thread: Vec<ThreadText>,
}

/// The text of one message, reply or note.
#[derive(Clone, Debug)]
pub struct ThreadText {
    pub kind: EnvelopeKind,
    pub day: Day,
    pub text: Zeroizing<String>,
}

impl Decrypted {
    /// What the profiles read of a fetched report, with the consent flags
    /// withdrawn since (see [`DecryptedReport::withdrawals`]).
    pub fn new(r: &DecryptedReport, withdrawn: Vec<String>) -> Decrypted {
        let thread = r
            .thread
            .iter()
            .filter_map(|e| {
                let text = e.record.as_ref().and_then(ThreadRecord::text)?;
                Some(ThreadText {
                    kind: e.kind,
                    day: e.day,
                    text: Zeroizing::new(text.to_string()),
                })
            })
            .collect();
        Decrypted {
            summary: r.detail.report.clone(),
            lang: Some(r.report.lang.clone()),
            answers: r.report.answers.clone(),
            identity: r.identity.as_ref().map(|i| i.answers.clone()),
            attachments: r.all_attachments(),
            withdrawn,
            thread,
        }
    }

    /// The consent flags as they stand now: the answers, minus withdrawals.
    pub fn consent(&self) -> BTreeMap<String, Value> {
        let mut c = BTreeMap::new();
        for (k, v) in &self.answers {
            if k.starts_with("consent_") {
                let v = if self.withdrawn.contains(k) {
                    match v {
                        Value::Bool(_) => Value::Bool(false),
                        _ => Value::Text("no".into()),
                    }
                } else {
                    v.clone()
                };
                c.insert(k.clone(), v);
            }
        }
        c
    }

    fn flag(&self, name: &str) -> bool {
        matches!(self.consent().get(name), Some(Value::Bool(true)))
    }
}

/// Why a report is left out of an export.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refusal {
    pub id: String,
    pub reason: &'static str,
}

/// Which reports a profile may include, and why the others may not.
pub fn check(profile: Profile, reports: &[Decrypted]) -> (Vec<&Decrypted>, Vec<Refusal>) {
    let mut ok = Vec::new();
    let mut refused = Vec::new();
    for r in reports {
        let reason = match profile {
            Profile::Internal => None,
            _ if !r.flag("consent_informed_of_risks") => Some(
                "the source has not confirmed they understand the risks (consent_informed_of_risks is no)",
            ),
            Profile::OhchrSubmission if !r.flag("consent_share_ohchr") => Some(
                "the source did not agree to share the case with the UN (consent_share_ohchr is no)",
            ),
            _ => None,
        };
        match reason {
            None => ok.push(r),
            Some(reason) => refused.push(Refusal {
                id: r.summary.id.clone(),
                reason,
            }),
        }
    }
    (ok, refused)
}

/// True if identity may leave the desk for this report (to the UN).
pub fn may_share_identity(r: &Decrypted) -> bool {
    r.summary.anonymity == Anonymity::Consented && r.flag("consent_share_identity_un")
}

/// Renders reports that passed [`check`].
pub fn render(profile: Profile, format: Format, reports: &[&Decrypted], labels: &Labels) -> String {
    match (profile, format) {
        (Profile::Internal, Format::Csv) => internal_csv(reports, labels),
        (Profile::Internal, _) => pretty(&Json::Array(
            reports.iter().map(|r| internal_json(r)).collect(),
        )),
        (Profile::OhchrSubmission, Format::Text) => reports
            .iter()
            .map(|r| ohchr_text(r, labels))
            .collect::<Vec<_>>()
            .join("\n\n"),
        (Profile::OhchrSubmission, _) => pretty(&Json::Array(
            reports.iter().map(|r| ohchr_json(r)).collect(),
        )),
        (Profile::Stats, Format::Json) => pretty(&stats_json(reports)),
        (Profile::Stats, _) => stats_csv(reports),
    }
}

/// Field labels for text output: field id → (label, option id → label).
#[derive(Default)]
pub struct Labels {
    pub fields: Vec<(String, String, BTreeMap<String, String>)>,
}

impl Labels {
    fn field(&self, id: &str) -> String {
        self.fields
            .iter()
            .find(|(f, _, _)| f == id)
            .map(|(_, l, _)| l.clone())
            .unwrap_or_else(|| id.to_string())
    }
    fn option(&self, id: &str, opt: &str) -> String {
        self.fields
            .iter()
            .find(|(f, _, _)| f == id)
            .and_then(|(_, _, o)| o.get(opt).cloned())
            .unwrap_or_else(|| opt.to_string())
    }
}

fn common(r: &Decrypted) -> Map<String, Json> {
    let s = &r.summary;
    let mut m = Map::new();
    m.insert("schema".into(), json!(amanat_core::model::REPORT_SCHEMA));
    m.insert("id".into(), json!(s.id));
    m.insert("received".into(), json!(s.received));
    m.insert("state".into(), json!(s.state));
    m.insert("closed_reason".into(), json!(s.closed_reason));
    m.insert("urgency".into(), json!(s.urgency));
    m.insert("anonymity".into(), json!(s.anonymity));
    m.insert("lang".into(), json!(r.lang));
    m.insert("consent".into(), json!(r.consent()));
    m.insert(
        "attachments".into(),
        Json::Array(
            r.attachments
                .iter()
                .map(|a| json!({"sha256": a.sha256, "media_type": a.media_type, "size": a.size}))
                .collect(),
        ),
    );
    m
}

fn answers_without_consent(r: &Decrypted) -> BTreeMap<&str, &Value> {
    r.answers
        .iter()
        .filter(|(k, _)| !k.starts_with("consent_"))
        .map(|(k, v)| (k.as_str(), v))
        .collect()
}

fn internal_json(r: &Decrypted) -> Json {
    let mut m = common(r);
    m.insert("answers".into(), json!(answers_without_consent(r)));
    m.insert("identity".into(), json!(r.identity));
    m.insert(
        "thread".into(),
        Json::Array(
            r.thread
                .iter()
                .map(|t| json!({"kind": t.kind, "day": t.day, "text": t.text.as_str()}))
                .collect(),
        ),
    );
    Json::Object(m)
}

fn ohchr_json(r: &Decrypted) -> Json {
    let mut m = common(r);
    m.insert("answers".into(), json!(answers_without_consent(r)));
    if may_share_identity(r) {
        m.insert("identity".into(), json!(r.identity));
    }
    Json::Object(m)
}

fn cell(v: &Value) -> String {
    match v {
        Value::Text(s) => s.clone(),
        Value::Bool(b) => if *b { "yes" } else { "no" }.into(),
        Value::List(a) => a.join("|"),
        Value::Date(d) => crate::render::date(d),
    }
}

fn csv_escape(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

fn internal_csv(reports: &[&Decrypted], labels: &Labels) -> String {
    let mut fields: Vec<String> = labels
        .fields
        .iter()
        .map(|(f, _, _)| f.clone())
        .filter(|f| f != "anonymity" && f != "attachments")
        .collect();
    for r in reports {
        for k in r
            .answers
            .keys()
            .chain(r.identity.iter().flat_map(|i| i.keys()))
        {
            if !fields.contains(k) {
                fields.push(k.clone());
            }
        }
    }
    let mut out = String::new();
    let mut header = vec![
        "id",
        "received",
        "state",
        "closed_reason",
        "urgency",
        "anonymity",
        "lang",
    ]
    .into_iter()
    .map(String::from)
    .collect::<Vec<_>>();
    header.extend(fields.iter().cloned());
    header.push("attachments".into());
    out.push_str(&header.join(","));
    out.push('\n');
    for r in reports {
        let s = &r.summary;
        let consent = r.consent();
        let mut row = vec![
            s.id.clone(),
            s.received.to_string(),
            s.state.to_string(),
            s.closed_reason.map(|c| c.to_string()).unwrap_or_default(),
            s.urgency.to_string(),
            s.anonymity.to_string(),
            r.lang.clone().unwrap_or_default(),
        ];
        for f in &fields {
            let v = consent
                .get(f)
                .or_else(|| r.answers.get(f))
                .or_else(|| r.identity.as_ref().and_then(|i| i.get(f)))
                .map(cell)
                .unwrap_or_default();
            row.push(v);
        }
        row.push(
            r.attachments
                .iter()
                .map(|a| a.sha256.clone())
                .collect::<Vec<_>>()
                .join("|"),
        );
        out.push_str(
            &row.iter()
                .map(|c| csv_escape(c))
                .collect::<Vec<_>>()
                .join(","),
        );
        out.push('\n');
    }
    out
}

fn ohchr_text(r: &Decrypted, labels: &Labels) -> String {
    let s = &r.summary;
    let mut out = format!(
        "Case {} (received {}; anonymity: {})\n",
        s.id, s.received, s.anonymity
    );
    for (id, v) in &r.answers {
        if id.starts_with("consent_") || id == "narrative" {
            continue;
        }
        let text = match v {
            Value::Text(x) => labels.option(id, x),
            Value::List(a) => a
                .iter()
                .map(|x| labels.option(id, x))
                .collect::<Vec<_>>()
                .join("; "),
            other => cell(other),
        };
        out.push_str(&format!("{}: {text}\n", labels.field(id)));
    }
    if let Some(Value::Text(n)) = r.answers.get("narrative") {
        out.push_str(&format!("\n{}:\n{n}\n", labels.field("narrative")));
    }
    out.push_str("\nConsent:\n");
    for (k, v) in r.consent() {
        out.push_str(&format!("- {}: {}\n", labels.field(&k), cell(&v)));
    }
    match (may_share_identity(r), &r.identity) {
        (true, Some(i)) => {
            out.push_str("\nIdentity (the source agreed to share it with the UN):\n");
            for (k, v) in i {
                out.push_str(&format!("- {}: {}\n", labels.field(k), cell(v)));
            }
        }
        _ => out.push_str("\nIdentity: withheld.\n"),
    }
    if !r.attachments.is_empty() {
        out.push_str(&format!(
            "\nAttachments: {} file(s), available on request.\n",
            r.attachments.len()
        ));
    }
    out
}

fn stats_counts(reports: &[&Decrypted]) -> BTreeMap<(&'static str, String), u64> {
    let mut counts: BTreeMap<(&'static str, String), u64> = BTreeMap::new();
    for r in reports {
        let mut add = |dim: &'static str, v: String| *counts.entry((dim, v)).or_default() += 1;
        if let Some(Value::Text(c)) = r.answers.get("country") {
            add("country", c.to_string());
        }
        for (dim, field) in [
            ("reprisal_type", "reprisal_types"),
            ("un_engagement", "un_engagement"),
        ] {
            if let Some(Value::List(a)) = r.answers.get(field) {
                for v in a {
                    add(dim, v.to_string());
                }
            }
        }
        let (y, m, _) = r.summary.received.ymd();
        add("month", format!("{y:04}-{m:02}"));
    }
    counts
}

fn stats_csv(reports: &[&Decrypted]) -> String {
    let mut out = String::from("dimension,value,count\n");
    for ((dim, v), n) in stats_counts(reports) {
        out.push_str(&format!("{dim},{},{n}\n", csv_escape(&v)));
    }
    out
}

fn stats_json(reports: &[&Decrypted]) -> Json {
    let mut m: BTreeMap<&str, BTreeMap<String, u64>> = BTreeMap::new();
    for ((dim, v), n) in stats_counts(reports) {
        m.entry(dim).or_default().insert(v, n);
    }
    json!({ "reports": reports.len(), "counts": m })
}

fn pretty(v: &Json) -> String {
    serde_json::to_string_pretty(v).unwrap_or_default()
}

#[cfg(test)]
mod tests;
