//! Migration from schema 1: a store laid out as the previous release wrote
//! it (records with their lists inline), migrated in small batches, with an
//! interruption in the middle; the layout it leaves; and schema 2 (no
//! derived trees) brought to schema 3.

use super::super::*;
use amanat_core::model::{Anonymity, State, Urgency};
use amanat_core::timeutil::Day;

/// A schema 1 store of `n` reports with `i % 4` messages and `i % 3`
/// attachments each; returns their metadata as schema 1 held it.
fn legacy_store(dir: &std::path::Path, n: usize) -> (Store, Vec<ReportMeta>) {
    let s = Store::create(dir).unwrap();
    s.meta
        .insert("schema_version", &1u32.to_be_bytes())
        .unwrap();
    let mut metas = Vec::new();
    for i in 0..n {
        let id = amanat_core::crypto::random::id();
        let mut envelopes = Vec::new();
        for m in 0..=(i % 4) {
            let env = amanat_core::crypto::random::id();
            s.envelopes
                .insert(env.as_bytes(), format!("ct {i}-{m}").as_bytes())
                .unwrap();
            envelopes.push(EnvelopeRef {
                id: env,
                kind: if m == 0 {
                    EnvelopeKind::Report
                } else {
                    EnvelopeKind::Message
                },
                recipients: vec!["age1x".into()],
                day: Day::from_days(20_000 + i as i64),
            });
        }
        let meta = ReportMeta {
            id: id.clone(),
            received: Day::from_days(20_000 + i as i64),
            state: [State::New, State::Acknowledged, State::Closed][i % 3],
            urgency: Urgency::ALL[i % 4],
            urgency_confirmed: i % 2 == 0,
            anonymity: Anonymity::Confidential,
            assignee: (i % 5 == 0).then(|| "rev".to_string()),
            envelopes,
            source_recipient: None,
            blobs: (0..i % 3)
                .map(|_| amanat_core::crypto::random::id())
                .collect(),
            closed_reason: None,
            state_changed: None,
            blob_recipients: Vec::new(),
        };
        // Exactly the JSON the previous release wrote: `ReportMeta` itself.
        s.reports
            .insert(id.as_bytes(), serde_json::to_vec(&meta).unwrap())
            .unwrap();
        metas.push(meta);
    }
    s.durable().unwrap();
    metas.sort_by(|a, b| a.id.cmp(&b.id));
    (s, metas)
}

#[test]
fn an_interrupted_migration_resumes_and_loses_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let (s, before) = legacy_store(dir.path(), 40);
    assert_eq!(s.migration().unwrap(), Migration::Needed { from: 1 });
    assert!(matches!(
        s.checked(),
        Err(StoreError::Schema {
            found: 1,
            expected: SCHEMA_VERSION
        })
    ));
    let s = Store::open_any(dir.path(), DEFAULT_CACHE_BYTES).unwrap();
    // Two batches of 7, then the process "dies".
    assert_eq!(s.migrate_batches(7, 2).unwrap(), 14);
    drop(s);
    let s = Store::open_any(dir.path(), DEFAULT_CACHE_BYTES).unwrap();
    assert_eq!(s.migration().unwrap(), Migration::Interrupted { from: 1 });
    assert_eq!(s.schema_version().unwrap(), 1, "the version changes last");
    // Mid-migration, both layouts read alike.
    assert_eq!(s.reports().unwrap(), before);
    let report = s.fsck(false).unwrap();
    assert!(report.migrating, "{report}");
    assert_eq!(s.migrate(7).unwrap(), 26, "only the rest");
    assert_eq!(s.migration().unwrap(), Migration::Current);
    let s = s.checked().unwrap();
    assert_eq!(s.reports().unwrap(), before);
    for m in &before {
        let record = s.report_record(&m.id).unwrap().unwrap();
        assert!(!record.is_legacy());
        assert_eq!(record.next_envelope, m.envelopes.len() as u64);
        assert_eq!(s.envelope_refs(&m.id).unwrap(), m.envelopes);
        assert_eq!(s.blob_ids(&m.id).unwrap(), m.blobs);
    }
    assert_eq!(s.stored_counts().unwrap(), s.scanned_counts().unwrap());
    assert_eq!(s.report_count(), 40);
    assert_eq!(s.derived_problems().unwrap(), Vec::<String>::new());
    assert_eq!(s.report_heads().unwrap().len(), 40);
    // A second run is a no-op.
    assert_eq!(s.migrate(7).unwrap(), 0);
}

#[test]
fn an_unknown_schema_is_refused_not_migrated() {
    let dir = tempfile::tempdir().unwrap();
    let s = Store::create(dir.path()).unwrap();
    s.meta
        .insert("schema_version", &9u32.to_be_bytes())
        .unwrap();
    let err = s.migrate(7).unwrap_err();
    assert!(
        err.to_string()
            .contains("use the amanatd release that wrote it"),
        "{err}"
    );
    let dir = tempfile::tempdir().unwrap();
    let (s, _) = legacy_store(dir.path(), 1);
    let err = s.checked().err().unwrap();
    assert!(
        err.to_string().contains("start `amanatd serve` once"),
        "{err}"
    );
}

#[test]
fn a_message_writes_the_same_small_record_whatever_the_thread() {
    let dir = tempfile::tempdir().unwrap();
    let s = Store::create(dir.path()).unwrap();
    let r = s
        .insert_report(NewReport {
            anonymity: Anonymity::Anonymous,
            urgency: Urgency::High,
            envelopes: vec![NewEnvelope {
                kind: EnvelopeKind::Report,
                ciphertext: b"r".to_vec(),
                recipients: vec!["age1x".into()],
            }],
            source: None,
            blobs: vec![],
        })
        .unwrap();
    let size = |s: &Store| s.reports.get(r.id.as_bytes()).unwrap().unwrap().len();
    let msg = || NewEnvelope {
        kind: EnvelopeKind::Message,
        ciphertext: b"m".to_vec(),
        recipients: vec!["age1x".into()],
    };
    s.append_envelope(&r.id, msg()).unwrap();
    let after_one = size(&s);
    let mut ids = Vec::new();
    for _ in 0..150 {
        ids.push(s.append_envelope(&r.id, msg()).unwrap().id);
    }
    // Only the counter's digits grow (2 -> 152).
    assert!(size(&s) <= after_one + 2, "{} vs {after_one}", size(&s));
    let meta = s.report(&r.id).unwrap().unwrap();
    assert_eq!(meta.envelopes.len(), 152);
    assert_eq!(
        meta.envelopes[2..]
            .iter()
            .map(|e| e.id.clone())
            .collect::<Vec<_>>(),
        ids,
        "in order"
    );
}

#[test]
fn a_schema_2_store_gains_its_derived_trees() {
    let dir = tempfile::tempdir().unwrap();
    let s = Store::create(dir.path()).unwrap();
    let mut ids = Vec::new();
    for i in 0..30u8 {
        let recipients = if i % 2 == 0 {
            vec!["age1a".to_owned(), "age1b".to_owned()]
        } else {
            vec!["age1a".to_owned()]
        };
        let r = s
            .insert_report(NewReport {
                anonymity: Anonymity::Anonymous,
                urgency: Urgency::ALL[usize::from(i) % Urgency::ALL.len()],
                envelopes: vec![NewEnvelope {
                    kind: EnvelopeKind::Report,
                    ciphertext: vec![i],
                    recipients: recipients.clone(),
                }],
                source: None,
                blobs: vec![],
            })
            .unwrap();
        ids.push(r.id);
    }
    let heads = s.report_heads().unwrap();
    // As schema 2 left it: no derived trees.
    s.order.clear().unwrap();
    s.sealing_counts.clear().unwrap();
    s.recipient_sets.clear().unwrap();
    s.meta
        .insert("schema_version", &2u32.to_be_bytes())
        .unwrap();
    assert!(!s.derived_problems().unwrap().is_empty());
    assert_eq!(s.migration().unwrap(), Migration::Needed { from: 2 });
    assert_eq!(s.migrate(7).unwrap(), 0, "no record changes its layout");
    let s = s.checked().unwrap();
    assert_eq!(s.derived_problems().unwrap(), Vec::<String>::new());
    assert_eq!(s.report_heads().unwrap(), heads);
    // One reviewer's key gone: the 15 reports sealed to it need re-keying.
    let keys = CurrentKeys::of(&[Reviewer {
        id: "r".into(),
        name: "A".into(),
        recipient: "age1a".into(),
        roles: vec![amanat_core::model::Role::Triage],
        added: Day::today(),
    }]);
    assert_eq!(s.count_needs_rekey(&keys).unwrap(), 15);
}
