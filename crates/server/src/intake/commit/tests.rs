//! Committing against a real store on disk, with real age keys.

use super::*;
use crate::intake::upload;
use crate::store::NewReviewer;
use amanat_core::crypto::envelope;
use amanat_core::model::Anonymity;
use amanat_core::model::answers::Value;
use amanat_core::records::{MessageRecord, MessageSchema, WithdrawalRecord, WithdrawalSchema};
use std::collections::BTreeMap;
use zeroize::Zeroizing;

/// Stages `data` (kept as sent) encrypted to `recipients`, as an upload
/// that started with that reviewer set.
fn staged(store: &Store, recipients: &[amanat_core::crypto::envelope::Recipient]) -> StagedFile {
    let (tx, job) = upload::start(
        "evidence.bin",
        true,
        recipients.to_vec(),
        store.blobs_dir(),
        upload::FileLimits {
            file_bytes: 1 << 20,
            sanitize: amanat_sanitize::Limits::default(),
        },
    );
    let worker = std::thread::spawn(job);
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    rt.block_on(async move {
        let chunk = actix_web::web::Bytes::from_static(b"testimony bytes");
        tx.send(Ok(chunk)).await.unwrap();
    });
    worker.join().unwrap().unwrap()
}

fn reviewer(store: &Store, name: &str, roles: &[Role]) -> age::x25519::Identity {
    let id = age::x25519::Identity::generate();
    store
        .add_reviewer(NewReviewer {
            name: name.into(),
            recipient: id.to_public().to_string(),
            roles: roles.to_vec(),
        })
        .unwrap();
    id
}

fn triage(store: &Store) -> Recipients {
    Recipients::load(store, Role::Triage).unwrap()
}

fn open<R: Record>(store: &Store, envelope_id: &str, id: &age::x25519::Identity) -> R {
    let ct = store.envelope(envelope_id).unwrap().unwrap();
    let plain = envelope::open(&ct, &[id]).unwrap();
    R::from_plaintext(&plain).unwrap()
}

fn source() -> NewSource {
    NewSource {
        lookup: [7u8; 32],
        recipient: age::x25519::Identity::generate().to_public().to_string(),
        kdf: Default::default(),
    }
}

#[test]
fn files_sealed_to_a_reviewer_removed_during_the_upload_are_not_stored() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::create(dir.path()).unwrap();
    reviewer(&store, "ana", &[Role::Triage]);
    reviewer(&store, "leaving", &[Role::Triage]);
    let file = staged(&store, triage(&store).parsed());
    // The reviewer is removed between the start of the upload and its commit.
    store.remove_reviewer("leaving").unwrap();
    let r = commit_files(&store, vec![file], &triage(&store));
    assert!(matches!(r, Err(CommitError::RecipientsChanged)), "{r:?}");
    assert_eq!(
        std::fs::read_dir(store.blobs_dir()).unwrap().count(),
        0,
        "neither blob nor temporary file left"
    );

    // A reviewer added during the upload could not read the file: the
    // same refusal.
    let file = staged(&store, triage(&store).parsed());
    reviewer(&store, "new", &[Role::Triage]);
    let r = commit_files(&store, vec![file], &triage(&store));
    assert!(matches!(r, Err(CommitError::RecipientsChanged)), "{r:?}");

    // Unchanged reviewers: committed.
    let file = staged(&store, triage(&store).parsed());
    let (ids, manifests) = commit_files(&store, vec![file], &triage(&store)).unwrap();
    assert_eq!(ids.len(), 1);
    assert_eq!(manifests[0].blob, ids[0]);
    assert!(store.blob_path(&ids[0]).unwrap().exists());
}

#[test]
fn the_free_space_floor_refuses_when_set_above_what_is_free() {
    let dir = tempfile::tempdir().unwrap();
    assert!(has_free_space(dir.path(), 0), "0 turns the check off");
    assert!(has_free_space(dir.path(), 1));
    assert!(!has_free_space(dir.path(), u64::MAX));
    assert!(
        !has_free_space(&dir.path().join("missing"), 1),
        "fails closed"
    );
}

#[test]
fn a_report_is_sealed_as_typed_records_to_the_reviewers_of_each_part() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::create(dir.path()).unwrap();
    let ana = reviewer(&store, "ana", &[Role::Triage]);
    let ida = reviewer(&store, "ida", &[Role::Triage, Role::Identity]);
    let file = staged(&store, triage(&store).parsed());
    let answers: BTreeMap<String, Value> =
        [("country".to_string(), Value::Text("PK".into()))].into();
    let identity: BTreeMap<String, Value> =
        [("name".to_string(), Value::Text("Sana".into()))].into();
    let parsed = ParsedReport {
        anonymity: Anonymity::Confidential,
        report: answers.clone(),
        identity: identity.clone(),
        proposed_critical: true,
    };
    let ctx = ReportContext {
        questionnaire: QuestionnaireRef {
            id: "un-reprisals".into(),
            version: 2,
        },
        lang: "ur",
        source: source(),
    };
    let manifests = seal_and_store(&store, parsed, vec![file], ctx).unwrap();

    let meta = &store.reports().unwrap()[0];
    assert_eq!(meta.urgency, Urgency::Critical);
    assert_eq!(meta.blobs, vec![manifests[0].blob.clone()]);
    let report = &meta.envelopes[0];
    assert_eq!(report.kind, EnvelopeKind::Report);
    // On record in the store's order (by name), as stored.
    assert_eq!(
        report.recipients,
        vec![ana.to_public().to_string(), ida.to_public().to_string()]
    );
    let record: ReportRecord = open(&store, &report.id, &ana);
    assert_eq!(record.answers, answers);
    assert_eq!(record.lang, "ur");
    assert_eq!(record.attachments, manifests);
    let id_env = &meta.envelopes[1];
    assert_eq!(id_env.kind, EnvelopeKind::Identity);
    assert_eq!(id_env.recipients, vec![ida.to_public().to_string()]);
    let record: IdentityRecord = open(&store, &id_env.id, &ida);
    assert_eq!(record.answers, identity);
    let ct = store.envelope(&id_env.id).unwrap().unwrap();
    assert!(
        envelope::open(&ct, &[&ana]).is_err(),
        "the identity section is sealed to identity reviewers only"
    );
}

#[test]
fn follow_ups_are_appended_as_typed_records_and_a_failure_keeps_no_blob() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::create(dir.path()).unwrap();
    let ana = reviewer(&store, "ana", &[Role::Triage]);
    let ctx = ReportContext {
        questionnaire: QuestionnaireRef {
            id: "q".into(),
            version: 1,
        },
        lang: "en",
        source: source(),
    };
    let parsed = ParsedReport {
        anonymity: Anonymity::Anonymous,
        report: BTreeMap::new(),
        identity: BTreeMap::new(),
        proposed_critical: false,
    };
    seal_and_store(&store, parsed, Vec::new(), ctx).unwrap();
    let report_id = store.reports().unwrap()[0].id.clone();

    let file = staged(&store, triage(&store).parsed());
    let message = |m: &[AttachmentManifest]| MessageRecord {
        attachments: m.to_vec(),
        lang: "fa".into(),
        schema: MessageSchema,
        text: Zeroizing::new("They came again.".into()),
    };
    let manifests = append_with_files(
        &store,
        &report_id,
        EnvelopeKind::Message,
        vec![file],
        message,
    )
    .unwrap();
    let withdrawal = WithdrawalRecord {
        schema: WithdrawalSchema,
        withdraw: vec!["consent_share_ohchr".into()],
    };
    append(&store, &report_id, EnvelopeKind::Withdrawal, &withdrawal).unwrap();

    let meta = store.report(&report_id).unwrap().unwrap();
    let got: MessageRecord = open(&store, &meta.envelopes[1].id, &ana);
    assert_eq!(*got.text, "They came again.");
    assert_eq!(got.attachments, manifests);
    let got: WithdrawalRecord = open(&store, &meta.envelopes[2].id, &ana);
    assert_eq!(got, withdrawal);

    // A report that is gone: the files committed for it are removed.
    let file = staged(&store, triage(&store).parsed());
    let r = append_with_files(&store, "gone", EnvelopeKind::Message, vec![file], message);
    assert!(
        matches!(r, Err(CommitError::Store(StoreError::NotFound))),
        "{r:?}"
    );
    let blobs = std::fs::read_dir(store.blobs_dir()).unwrap().count();
    assert_eq!(blobs, manifests.len(), "only the stored message's blob");
}
