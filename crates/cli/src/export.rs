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

use amanat_core::api::ReportSummary;
use amanat_core::model::Anonymity;
use amanat_core::records::AttachmentManifest;
use serde_json::{Map, Value as Json, json};
use std::collections::BTreeMap;

/// An export profile.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
#[value(rename_all = "snake_case")]
pub enum Profile {
    Internal,
    OhchrSubmission,
    Stats,
}

/// An output format.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
#[value(rename_all = "lowercase")]
pub enum Format {
    Json,
    Csv,
    Text,
}

impl Profile {
    pub fn as_str(self) -> &'static str {
        match self {
            Profile::Internal => "internal",
            Profile::OhchrSubmission => "ohchr_submission",
            Profile::Stats => "stats",
        }
    }

    /// The formats this profile can produce.
    pub fn formats(self) -> &'static [Format] {
        match self {
            Profile::Internal => &[Format::Json, Format::Csv],
            Profile::OhchrSubmission => &[Format::Json, Format::Text],
            Profile::Stats => &[Format::Csv, Format::Json],
        }
    }
}

impl Format {
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Json => "json",
            Format::Csv => "csv",
            Format::Text => "text",
        }
    }
}

/// A report decrypted by the CLI.
#[derive(Clone, Debug)]
pub struct Decrypted {
    pub summary: ReportSummary,
    pub lang: Option<String>,
    pub answers: Map<String, Json>,
    /// The identity answers, when the reviewer could read them.
    pub identity: Option<Map<String, Json>>,
    pub attachments: Vec<AttachmentManifest>,
    /// Consent flags the source withdrew later.
    pub withdrawn: Vec<String>,
    /// Messages, replies and notes: (kind, day, text).
    pub thread: Vec<(String, String, String)>,
}

impl Decrypted {
    /// The consent flags as they stand now: the answers, minus withdrawals.
    pub fn consent(&self) -> BTreeMap<String, Json> {
        let mut c = BTreeMap::new();
        for (k, v) in &self.answers {
            if k.starts_with("consent_") {
                let v = if self.withdrawn.contains(k) {
                    match v {
                        Json::Bool(_) => Json::Bool(false),
                        _ => Json::String("no".into()),
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
        self.consent()
            .get(name)
            .and_then(Json::as_bool)
            .unwrap_or(false)
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

fn answers_without_consent(r: &Decrypted) -> Map<String, Json> {
    r.answers
        .iter()
        .filter(|(k, _)| !k.starts_with("consent_"))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

fn internal_json(r: &Decrypted) -> Json {
    let mut m = common(r);
    m.insert("answers".into(), Json::Object(answers_without_consent(r)));
    m.insert("identity".into(), json!(r.identity));
    m.insert(
        "thread".into(),
        Json::Array(
            r.thread
                .iter()
                .map(|(k, d, t)| json!({"kind": k, "day": d, "text": t}))
                .collect(),
        ),
    );
    Json::Object(m)
}

fn ohchr_json(r: &Decrypted) -> Json {
    let mut m = common(r);
    m.insert("answers".into(), Json::Object(answers_without_consent(r)));
    if may_share_identity(r) {
        m.insert("identity".into(), json!(r.identity));
    }
    Json::Object(m)
}

fn cell(v: &Json) -> String {
    match v {
        Json::String(s) => s.clone(),
        Json::Bool(b) => if *b { "yes" } else { "no" }.into(),
        Json::Array(a) => a.iter().map(cell).collect::<Vec<_>>().join("|"),
        Json::Object(o) => {
            let p = |k: &str| o.get(k).and_then(Json::as_i64);
            let mut d = p("year").map(|y| format!("{y:04}")).unwrap_or_default();
            if let Some(m) = p("month") {
                d.push_str(&format!("-{m:02}"));
            }
            if let Some(x) = p("day") {
                d.push_str(&format!("-{x:02}"));
            }
            d
        }
        Json::Null => String::new(),
        other => other.to_string(),
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
            Json::String(x) => labels.option(id, x),
            Json::Array(a) => a
                .iter()
                .filter_map(Json::as_str)
                .map(|x| labels.option(id, x))
                .collect::<Vec<_>>()
                .join("; "),
            other => cell(other),
        };
        out.push_str(&format!("{}: {text}\n", labels.field(id)));
    }
    if let Some(n) = r.answers.get("narrative").and_then(Json::as_str) {
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
        if let Some(c) = r.answers.get("country").and_then(Json::as_str) {
            add("country", c.to_string());
        }
        for (dim, field) in [
            ("reprisal_type", "reprisal_types"),
            ("un_engagement", "un_engagement"),
        ] {
            if let Some(a) = r.answers.get(field).and_then(Json::as_array) {
                for v in a.iter().filter_map(Json::as_str) {
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
mod tests {
    use super::*;
    use amanat_core::model::{State, Urgency};
    use amanat_core::timeutil::Day;
    use proptest::prelude::*;

    fn report(
        anonymity: Anonymity,
        informed: bool,
        ohchr: bool,
        id_un: bool,
        name: &str,
    ) -> Decrypted {
        let mut answers = Map::new();
        answers.insert("country".into(), json!("PK"));
        answers.insert(
            "reprisal_types".into(),
            json!(["travel_ban", "smear_campaign"]),
        );
        answers.insert("locality".into(), json!("Lahore"));
        answers.insert("narrative".into(), json!("Secret narrative"));
        answers.insert("consent_informed_of_risks".into(), json!(informed));
        answers.insert("consent_share_ohchr".into(), json!(ohchr));
        answers.insert("consent_sg_report".into(), json!("anonymous"));
        if anonymity == Anonymity::Consented {
            answers.insert("consent_share_identity_un".into(), json!(id_un));
        }
        let identity = (anonymity != Anonymity::Anonymous).then(|| {
            let mut i = Map::new();
            i.insert("identity_name".into(), json!(name));
            i.insert(
                "identity_contact".into(),
                json!(format!("{name}@example.org")),
            );
            i
        });
        Decrypted {
            summary: ReportSummary {
                id: amanat_core::crypto::random::id(),
                received: Day::from_days(20_400),
                state: State::Assessed,
                closed_reason: None,
                state_day: Day::from_days(20_401),
                urgency: Urgency::High,
                urgency_confirmed: true,
                anonymity,
                assignee: None,
                assignee_name: None,
            },
            lang: Some("ur".into()),
            answers,
            identity,
            attachments: vec![],
            withdrawn: vec![],
            thread: vec![("message".into(), "2025-01-01".into(), "thread text".into())],
        }
    }

    #[test]
    fn external_profiles_need_informed_consent_and_ohchr_needs_sharing() {
        let a = report(Anonymity::Confidential, true, true, false, "A");
        let b = report(Anonymity::Confidential, false, true, false, "B");
        let c = report(Anonymity::Confidential, true, false, false, "C");
        let all = vec![a.clone(), b.clone(), c.clone()];
        let (ok, refused) = check(Profile::OhchrSubmission, &all);
        assert_eq!(ok.len(), 1);
        assert_eq!(refused.len(), 2);
        assert!(refused[0].reason.contains("consent_informed_of_risks"));
        assert!(refused[1].reason.contains("consent_share_ohchr"));
        let (ok, refused) = check(Profile::Stats, &all);
        assert_eq!((ok.len(), refused.len()), (2, 1));
        let (ok, refused) = check(Profile::Internal, &all);
        assert_eq!((ok.len(), refused.len()), (3, 0));
    }

    #[test]
    fn withdrawals_are_honoured() {
        let mut a = report(Anonymity::Consented, true, true, true, "Named Person");
        assert!(may_share_identity(&a));
        a.withdrawn = vec![
            "consent_share_identity_un".into(),
            "consent_sg_report".into(),
        ];
        assert!(!may_share_identity(&a));
        assert_eq!(a.consent()["consent_sg_report"], json!("no"));
        a.withdrawn.push("consent_share_ohchr".into());
        let (ok, _) = check(Profile::OhchrSubmission, std::slice::from_ref(&a));
        assert!(ok.is_empty());
    }

    #[test]
    fn consented_identity_goes_to_the_un_only_when_allowed() {
        let yes = report(Anonymity::Consented, true, true, true, "Shared Name");
        let out = render(
            Profile::OhchrSubmission,
            Format::Text,
            &[&yes],
            &Labels::default(),
        );
        assert!(out.contains("Shared Name"));
        let no = report(Anonymity::Consented, true, true, false, "Kept Name");
        let out = render(
            Profile::OhchrSubmission,
            Format::Json,
            &[&no],
            &Labels::default(),
        );
        assert!(!out.contains("Kept Name"));
    }

    #[test]
    fn stats_have_no_free_text_identity_or_locality() {
        let a = report(Anonymity::Consented, true, true, true, "Stat Name");
        for f in [Format::Csv, Format::Json] {
            let out = render(Profile::Stats, f, &[&a, &a], &Labels::default());
            for needle in [
                "Stat Name",
                "Lahore",
                "Secret narrative",
                "thread text",
                "example.org",
            ] {
                assert!(!out.contains(needle), "{needle} in {out}");
            }
            assert!(out.contains("travel_ban"));
        }
        let csv = render(Profile::Stats, Format::Csv, &[&a, &a], &Labels::default());
        assert!(csv.contains("country,PK,2"), "{csv}");
        assert!(csv.contains("month,2025-11,2"), "{csv}");
    }

    #[test]
    fn csv_joins_multiple_values_with_a_bar_and_escapes() {
        let mut a = report(Anonymity::Anonymous, true, true, false, "x");
        a.answers
            .insert("narrative".into(), json!("one, \"two\"\nthree"));
        let out = render(Profile::Internal, Format::Csv, &[&a], &Labels::default());
        assert!(out.contains("travel_ban|smear_campaign"), "{out}");
        assert!(out.contains("\"one, \"\"two\"\"\nthree\""), "{out}");
    }

    proptest! {
        #[test]
        fn no_export_of_an_anonymous_or_confidential_report_contains_identity(
            name in "[A-Za-z]{6,12} [A-Za-z]{6,12}",
            confidential in any::<bool>(),
            informed in any::<bool>(),
            ohchr in any::<bool>(),
        ) {
            let anonymity = if confidential { Anonymity::Confidential } else { Anonymity::Anonymous };
            let mut r = report(anonymity, informed, ohchr, true, &name);
            // Even if a consent flag for the UN were somehow present.
            r.answers.insert("consent_share_identity_un".into(), json!(true));
            if anonymity == Anonymity::Anonymous {
                r.identity = None;
            }
            for profile in [Profile::OhchrSubmission, Profile::Stats] {
                let (ok, _) = check(profile, std::slice::from_ref(&r));
                for format in profile.formats() {
                    let out = render(profile, *format, &ok, &Labels::default());
                    prop_assert!(!out.contains(&name), "{profile:?}/{format:?} leaked the name");
                    prop_assert!(!out.contains("@example.org"));
                }
            }
        }
    }
}
