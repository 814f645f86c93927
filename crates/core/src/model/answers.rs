//! Parsing a submitted form into typed answers.
//!
//! Input is the list of decoded `(name, value)` pairs of a form body. Output is
//! either a [`ParsedReport`] or the reasons it was refused: a structural
//! problem (unknown or repeated fields: the request did not come from our
//! form) or per-field errors to show beside each question. Nothing here logs.

use super::countries;
use super::questionnaire::{FieldDef, FieldType, Questionnaire, Section};
use super::triage::Anonymity;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};

/// Oldest year accepted for an incident date.
pub const MIN_YEAR: i64 = 1900;

/// One answer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Value {
    Bool(bool),
    List(Vec<String>),
    Date(ApproxDate),
    Text(String),
}

/// An approximate date: a year, optionally a month and a day, and how sure
/// the reporter is.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApproxDate {
    pub year: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub month: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub day: Option<u32>,
    pub precision: DatePrecision,
}

/// How sure the reporter is of a date.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DatePrecision {
    Exact,
    Estimate,
    Unknown,
}

/// A submission that passed every check.
#[derive(Clone, Debug, PartialEq)]
pub struct ParsedReport {
    pub anonymity: Anonymity,
    /// Answers that go into the report envelope (triage reviewers).
    pub report: BTreeMap<String, Value>,
    /// Answers that go into the identity envelope (identity reviewers);
    /// always empty for anonymous reports.
    pub identity: BTreeMap<String, Value>,
    /// docs/domain.md: detained or whereabouts unknown → proposed critical.
    pub proposed_critical: bool,
}

/// A problem with one answer, as a Fluent message id and its arguments.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldError {
    pub field: String,
    pub message: &'static str,
    pub args: Vec<(&'static str, i64)>,
}

/// Why a submission was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ParseError {
    /// The body is not what our form sends; the Fluent id of the detail.
    Structure(&'static str),
    /// One or more answers need correcting; shown beside the questions.
    Fields(Vec<FieldError>),
}

/// Form names that are not questionnaire fields but belong to the form.
pub const FORM_CONTROL_NAMES: &[&str] = &["csrf", "lang", "attachments_keep_metadata"];

/// Date sub-field suffixes.
const DATE_PARTS: &[&str] = &["year", "month", "day", "precision"];

/// Parses the pairs of a submitted report form.
pub fn parse(
    q: &Questionnaire,
    pairs: &[(String, String)],
    current_year: i64,
) -> Result<ParsedReport, ParseError> {
    let values = group(q, pairs)?;
    let mut errors = Vec::new();
    let get = |name: &str| values.get(name).map(|v| v.as_slice()).unwrap_or(&[]);

    let anonymity = match single(get("anonymity")).map(str::parse::<Anonymity>) {
        Some(Ok(a)) => a,
        _ => {
            errors.push(err("anonymity", "error-required"));
            Anonymity::Confidential
        }
    };

    let mut report = BTreeMap::new();
    let mut identity = BTreeMap::new();
    for f in &q.fields {
        if f.kind == FieldType::Anonymity || f.kind == FieldType::Files {
            continue;
        }
        let parsed = if f.kind == FieldType::Date {
            parse_date(f, &values, current_year)
        } else {
            parse_field(f, get(&f.id))
        };
        let value = match parsed {
            // An unanswered choice with a default takes it (e.g. "no").
            Ok(None) if f.default.is_some() => f.default.clone().map(Value::Text),
            Ok(v) => v,
            Err(e) => {
                errors.push(e);
                continue;
            }
        };
        let given = match &value {
            Some(Value::Bool(b)) => *b,
            Some(_) => true,
            None => false,
        };
        if f.section == Section::Identity && anonymity == Anonymity::Anonymous {
            if given {
                errors.push(err(&f.id, "error-identity-anonymous"));
            }
            continue;
        }
        if let Some(only) = f.only_with {
            if only != anonymity {
                if given {
                    errors.push(err(&f.id, "error-not-allowed"));
                }
                continue;
            }
        }
        match value {
            None if f.required => errors.push(err(&f.id, "error-required")),
            None => {}
            Some(v) if f.section == Section::Identity => {
                identity.insert(f.id.clone(), v);
            }
            Some(v) => {
                report.insert(f.id.clone(), v);
            }
        }
    }
    if !errors.is_empty() {
        return Err(ParseError::Fields(errors));
    }
    let proposed_critical = matches!(
        report.get("current_risk"),
        Some(Value::List(l)) if l.iter().any(|r| r == "detained" || r == "whereabouts_unknown")
    );
    Ok(ParsedReport {
        anonymity,
        report,
        identity,
        proposed_critical,
    })
}

/// Groups pairs by name, refusing names the form never sends and repeated
/// names of single-valued fields.
fn group<'a>(
    q: &Questionnaire,
    pairs: &'a [(String, String)],
) -> Result<HashMap<&'a str, Vec<&'a str>>, ParseError> {
    let mut multi: HashMap<String, bool> = HashMap::new();
    for f in &q.fields {
        match f.kind {
            FieldType::Files => {}
            FieldType::Date => {
                for p in DATE_PARTS {
                    multi.insert(format!("{}_{p}", f.id), false);
                }
            }
            kind => {
                multi.insert(f.id.clone(), kind == FieldType::Multiselect);
            }
        }
    }
    let mut out: HashMap<&str, Vec<&str>> = HashMap::new();
    for (k, v) in pairs {
        if FORM_CONTROL_NAMES.contains(&k.as_str()) {
            continue;
        }
        let is_multi = *multi
            .get(k.as_str())
            .ok_or(ParseError::Structure("error-bad-request-detail-fields"))?;
        let entry = out.entry(k.as_str()).or_default();
        if !is_multi && !entry.is_empty() {
            return Err(ParseError::Structure("error-bad-request-detail-fields"));
        }
        entry.push(v.as_str());
    }
    Ok(out)
}

fn single<'a>(v: &[&'a str]) -> Option<&'a str> {
    v.first().map(|s| s.trim()).filter(|s| !s.is_empty())
}

fn err(field: &str, message: &'static str) -> FieldError {
    FieldError {
        field: field.to_string(),
        message,
        args: Vec::new(),
    }
}

fn err_args(field: &str, message: &'static str, args: Vec<(&'static str, i64)>) -> FieldError {
    FieldError {
        field: field.to_string(),
        message,
        args,
    }
}

fn parse_field(f: &FieldDef, raw: &[&str]) -> Result<Option<Value>, FieldError> {
    let choice = |allowed: &dyn Fn(&str) -> bool| -> Result<Option<Value>, FieldError> {
        match single(raw) {
            None => Ok(None),
            Some(v) if allowed(v) => Ok(Some(Value::Text(v.to_string()))),
            Some(_) => Err(err(&f.id, "error-invalid-choice")),
        }
    };
    match f.kind {
        FieldType::Select => choice(&|v| f.options.iter().any(|o| o == v)),
        FieldType::Country => choice(&countries::is_code),
        FieldType::Yesnounknown => choice(&|v| matches!(v, "yes" | "no" | "unknown")),
        FieldType::Yesno => match single(raw) {
            None | Some("no") => Ok(Some(Value::Bool(false))),
            Some("yes") => Ok(Some(Value::Bool(true))),
            Some(_) => Err(err(&f.id, "error-invalid-choice")),
        },
        FieldType::Multiselect => {
            let mut picked: Vec<String> = Vec::new();
            for v in raw.iter().map(|s| s.trim()).filter(|s| !s.is_empty()) {
                if !f.options.iter().any(|o| o == v) {
                    return Err(err(&f.id, "error-invalid-choice"));
                }
                if !picked.iter().any(|p| p == v) {
                    picked.push(v.to_string());
                }
            }
            // Keep the questionnaire's order, whatever order the browser sent.
            picked.sort_by_key(|p| f.options.iter().position(|o| o == p));
            Ok((!picked.is_empty()).then_some(Value::List(picked)))
        }
        FieldType::Text | FieldType::Longtext => {
            let Some(first) = raw.first() else {
                return Ok(None);
            };
            let text = normalize_text(first, f.kind == FieldType::Longtext)
                .ok_or_else(|| err(&f.id, "error-control-chars"))?;
            if text.is_empty() {
                return Ok(None);
            }
            let max = f.max_chars();
            if text.chars().count() > max {
                return Err(err_args(&f.id, "error-too-long", vec![("max", max as i64)]));
            }
            Ok(Some(Value::Text(text)))
        }
        FieldType::Anonymity | FieldType::Files | FieldType::Date => Ok(None),
    }
}

fn parse_date(
    f: &FieldDef,
    values: &HashMap<&str, Vec<&str>>,
    current_year: i64,
) -> Result<Option<Value>, FieldError> {
    let part = |p: &str| {
        values
            .get(format!("{}_{p}", f.id).as_str())
            .and_then(|v| single(v))
    };
    let (year, month, day) = (part("year"), part("month"), part("day"));
    if year.is_none() && month.is_none() && day.is_none() {
        return if f.required {
            Err(err(&f.id, "error-required"))
        } else {
            Ok(None)
        };
    }
    let bad_year = || {
        err_args(
            &f.id,
            "error-invalid-year",
            vec![("min", MIN_YEAR), ("max", current_year)],
        )
    };
    let year: i64 = year
        .and_then(|y| y.parse().ok())
        .filter(|y| (MIN_YEAR..=current_year).contains(y))
        .ok_or_else(bad_year)?;
    let month: Option<u32> = match month {
        None => None,
        Some(m) => Some(
            m.parse()
                .ok()
                .filter(|m| (1..=12).contains(m))
                .ok_or_else(|| err(&f.id, "error-invalid-date"))?,
        ),
    };
    let day: Option<u32> = match (day, month) {
        (None, _) => None,
        (Some(_), None) => return Err(err(&f.id, "error-day-without-month")),
        (Some(d), Some(m)) => Some(
            d.parse()
                .ok()
                .filter(|d| *d >= 1 && *d <= crate::timeutil::days_in_month(year, m))
                .ok_or_else(|| err(&f.id, "error-invalid-date"))?,
        ),
    };
    let precision = match part("precision") {
        None | Some("estimate") => DatePrecision::Estimate,
        Some("exact") => DatePrecision::Exact,
        Some("unknown") => DatePrecision::Unknown,
        Some(_) => return Err(err(&f.id, "error-invalid-choice")),
    };
    Ok(Some(Value::Date(ApproxDate {
        year,
        month,
        day,
        precision,
    })))
}

/// Normalizes free text: CRLF to LF, trims, refuses control characters other
/// than tab and (for long text) newline. Bidi marks are kept: Arabic, Persian
/// and Urdu writers use them; displays must isolate them, not us.
pub fn normalize_text(s: &str, multiline: bool) -> Option<String> {
    let s = s.replace("\r\n", "\n").replace('\r', "\n");
    let ok = s.chars().all(|c| {
        !(c.is_control() && c != '\t' && !(multiline && c == '\n'))
            && !matches!(c, '\u{2028}' | '\u{2029}')
    });
    ok.then(|| s.trim().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(v: &[(&str, &str)]) -> Vec<(String, String)> {
        v.iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect()
    }

    fn minimal() -> Vec<(&'static str, &'static str)> {
        vec![
            ("anonymity", "confidential"),
            ("reporter_relationship", "self"),
            ("victim_type", "defender"),
            ("country", "PK"),
            ("reprisal_types", "travel_ban"),
            ("narrative", "They took my passport."),
        ]
    }

    fn q() -> Questionnaire {
        Questionnaire::builtin().unwrap()
    }

    fn field_errors(r: Result<ParsedReport, ParseError>) -> Vec<(String, &'static str)> {
        match r {
            Err(ParseError::Fields(e)) => e.into_iter().map(|e| (e.field, e.message)).collect(),
            other => panic!("expected field errors, got {other:?}"),
        }
    }

    #[test]
    fn minimal_report_parses_with_consent_defaults() {
        let r = parse(&q(), &pairs(&minimal()), 2026).unwrap();
        assert_eq!(r.anonymity, Anonymity::Confidential);
        assert_eq!(r.report["country"], Value::Text("PK".into()));
        assert_eq!(
            r.report["consent_informed_of_risks"],
            Value::Bool(false),
            "consent defaults to no"
        );
        assert_eq!(r.report["consent_sg_report"], Value::Text("no".into()));
        assert!(!r.report.contains_key("consent_share_identity_un"));
        assert!(r.identity.is_empty());
        assert!(!r.proposed_critical);
    }

    #[test]
    fn missing_required_fields_are_each_named() {
        let errs = field_errors(parse(&q(), &pairs(&[("anonymity", "anonymous")]), 2026));
        let names: Vec<_> = errs.iter().map(|e| e.0.as_str()).collect();
        for f in [
            "reporter_relationship",
            "victim_type",
            "country",
            "reprisal_types",
            "narrative",
        ] {
            assert!(names.contains(&f), "{f} missing from {names:?}");
        }
    }

    #[test]
    fn multiselect_keeps_order_and_proposes_critical() {
        let mut p = minimal();
        p.extend([
            ("current_risk", "whereabouts_unknown"),
            ("current_risk", "detained"),
        ]);
        let r = parse(&q(), &pairs(&p), 2026).unwrap();
        assert_eq!(
            r.report["current_risk"],
            Value::List(vec!["detained".into(), "whereabouts_unknown".into()])
        );
        assert!(r.proposed_critical);
    }

    #[test]
    fn identity_is_separated_and_refused_when_anonymous() {
        let mut p = minimal();
        p.push(("identity_name", "Jane Doe"));
        let r = parse(&q(), &pairs(&p), 2026).unwrap();
        assert_eq!(r.identity["identity_name"], Value::Text("Jane Doe".into()));
        assert!(!r.report.contains_key("identity_name"));

        p[0] = ("anonymity", "anonymous");
        let errs = field_errors(parse(&q(), &pairs(&p), 2026));
        assert_eq!(
            errs,
            vec![("identity_name".into(), "error-identity-anonymous")]
        );
        // Empty identity fields from a form are fine.
        p.pop();
        p.push(("identity_name", ""));
        assert!(parse(&q(), &pairs(&p), 2026).unwrap().identity.is_empty());
    }

    #[test]
    fn identity_to_un_needs_consented() {
        let mut p = minimal();
        p.push(("consent_share_identity_un", "yes"));
        let errs = field_errors(parse(&q(), &pairs(&p), 2026));
        assert_eq!(
            errs,
            vec![("consent_share_identity_un".into(), "error-not-allowed")]
        );
        p[0] = ("anonymity", "consented");
        let r = parse(&q(), &pairs(&p), 2026).unwrap();
        assert_eq!(r.report["consent_share_identity_un"], Value::Bool(true));
    }

    #[test]
    fn invalid_choices_and_lengths() {
        for (k, v, msg) in [
            ("country", "XX", "error-invalid-choice"),
            ("reporter_relationship", "boss", "error-invalid-choice"),
            ("ongoing", "perhaps", "error-invalid-choice"),
            ("consent_share_ohchr", "si", "error-invalid-choice"),
            ("locality", "a\u{0}b", "error-control-chars"),
            ("locality", "a\u{1b}[31m", "error-control-chars"),
        ] {
            let mut p: Vec<_> = minimal().into_iter().filter(|(n, _)| *n != k).collect();
            p.push((k, v));
            assert_eq!(
                field_errors(parse(&q(), &pairs(&p), 2026)),
                vec![(k.to_string(), msg)],
                "{k}={v:?}"
            );
        }
        let long = "x".repeat(201);
        let mut p = minimal();
        p.push(("locality", &long));
        let r = parse(&q(), &pairs(&p), 2026);
        assert!(matches!(r, Err(ParseError::Fields(ref e)) if e[0].args == vec![("max", 200)]));
    }

    #[test]
    fn unknown_and_repeated_names_are_structural_errors() {
        let mut p = minimal();
        p.push(("evil", "1"));
        assert_eq!(
            parse(&q(), &pairs(&p), 2026),
            Err(ParseError::Structure("error-bad-request-detail-fields"))
        );
        let mut p = minimal();
        p.push(("country", "EG"));
        assert!(matches!(
            parse(&q(), &pairs(&p), 2026),
            Err(ParseError::Structure(_))
        ));
    }

    #[test]
    fn dates() {
        let date = |y: &str, m: &str, d: &str| {
            let mut p = minimal();
            p.extend([
                ("incident_date_year", y),
                ("incident_date_month", m),
                ("incident_date_day", d),
            ]);
            parse(&q(), &pairs(&p), 2026)
        };
        let r = date("2024", "2", "29").unwrap();
        assert_eq!(
            r.report["incident_date"],
            Value::Date(ApproxDate {
                year: 2024,
                month: Some(2),
                day: Some(29),
                precision: DatePrecision::Estimate
            })
        );
        assert!(date("2024", "", "").is_ok());
        assert!(
            !date("", "", "")
                .unwrap()
                .report
                .contains_key("incident_date")
        );
        assert_eq!(
            field_errors(date("2023", "2", "29")),
            vec![("incident_date".into(), "error-invalid-date")]
        );
        assert_eq!(
            field_errors(date("2024", "", "3")),
            vec![("incident_date".into(), "error-day-without-month")]
        );
        assert_eq!(
            field_errors(date("2027", "", "")),
            vec![("incident_date".into(), "error-invalid-year")]
        );
        assert_eq!(
            field_errors(date("", "5", "")),
            vec![("incident_date".into(), "error-invalid-year")]
        );
    }

    #[test]
    fn text_is_normalized() {
        assert_eq!(normalize_text("  a\r\nb ", true).as_deref(), Some("a\nb"));
        assert_eq!(normalize_text("a\nb", false), None);
        assert_eq!(
            normalize_text("مرحبا\u{200F}", false).as_deref(),
            Some("مرحبا\u{200F}")
        );
    }

    proptest::proptest! {
        #[test]
        fn parse_never_panics(p in proptest::collection::vec(
            (proptest::sample::select(vec!["anonymity", "country", "narrative", "victim_type",
                "incident_date_year", "incident_date_month", "incident_date_day", "x", "csrf"]),
             ".{0,30}"), 0..12)) {
            let p: Vec<(String, String)> = p.into_iter().map(|(a, b)| (a.to_string(), b)).collect();
            let _ = parse(&q(), &p, 2026);
        }
    }
}
