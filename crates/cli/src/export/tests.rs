//! Unit and property tests of the export profiles: consent, withdrawals,
//! identity only where allowed, and what each format may contain.

use super::*;
use amanat_core::model::{State, Urgency};
use amanat_core::timeutil::Day;
use proptest::prelude::*;
use serde_json::json;

/// An answer, written as the JSON it is stored as.
fn v(j: Json) -> Value {
    serde_json::from_value(j).unwrap()
}

fn report(anonymity: Anonymity, informed: bool, ohchr: bool, id_un: bool, name: &str) -> Decrypted {
    let mut answers = BTreeMap::new();
    answers.insert("country".into(), v(json!("PK")));
    answers.insert(
        "reprisal_types".into(),
        v(json!(["travel_ban", "smear_campaign"])),
    );
    answers.insert("locality".into(), v(json!("Lahore")));
    answers.insert("narrative".into(), v(json!("Secret narrative")));
    answers.insert("consent_informed_of_risks".into(), v(json!(informed)));
    answers.insert("consent_share_ohchr".into(), v(json!(ohchr)));
    answers.insert("consent_sg_report".into(), v(json!("anonymous")));
    if anonymity == Anonymity::Consented {
        answers.insert("consent_share_identity_un".into(), v(json!(id_un)));
    }
    let identity = (anonymity != Anonymity::Anonymous).then(|| {
        let mut i = BTreeMap::new();
        i.insert("identity_name".into(), v(json!(name)));
        i.insert(
            "identity_contact".into(),
            v(json!(format!("{name}@example.org"))),
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
            rekey: Default::default(),
        },
        lang: Some("ur".into()),
        answers,
        identity,
        attachments: vec![],
        withdrawn: vec![],
        thread: vec![ThreadText {
            kind: EnvelopeKind::Message,
            day: Day::from_days(20_089),
            text: Zeroizing::new("thread text".into()),
        }],
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
    assert_eq!(a.consent()["consent_sg_report"], Value::Text("no".into()));
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
        .insert("narrative".into(), v(json!("one, \"two\"\nthree")));
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
        r.answers.insert("consent_share_identity_un".into(), v(json!(true)));
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
