//! The re-keying routes over real HTTP (`spawn_app`, port 0): who may use
//! them, every refusal with its code and nothing changed, the audit entry
//! of each swap, and 503 with nothing changed when it cannot be written.
#![forbid(unsafe_code)]

use crate::common::{TestApp, TestReviewer, api_get, client, error_code, login, spawn_app};
use age::x25519;
use amanat_core::api::{EnvelopeSwap, RekeyTargets, ReportDetail, Swapped};
use amanat_core::audit::Action;
use amanat_core::crypto::blob::BlobWriter;
use amanat_core::crypto::envelope;
use amanat_core::model::{Anonymity, Role, Urgency};
use amanat_core::records::EnvelopeKind;
use amanatd::store::{NewEnvelope, NewReport, ReportMeta};
use data_encoding::{BASE64, HEXLOWER};
use sha2::{Digest, Sha256};
use std::io::Write;

const ALL: &[Role] = &[Role::Triage, Role::Identity, Role::Admin];

/// An admin, a triage reviewer, and a leaver who is removed once a report
/// (one envelope, one attachment) is sealed to all three.
fn setup() -> (TestApp, Vec<TestReviewer>, ReportMeta) {
    let (app, rs) = spawn_app(
        &[
            ("admin", ALL),
            ("triage", &[Role::Triage]),
            ("leaver", &[Role::Triage]),
        ],
        |_| {},
    );
    let to: Vec<x25519::Recipient> = rs.iter().map(|r| r.identity.to_public()).collect();
    let named: Vec<String> = rs.iter().map(|r| r.recipient.clone()).collect();
    let staged = tempfile::Builder::new()
        .prefix(".upload-")
        .tempfile_in(app.store.blobs_dir())
        .unwrap();
    let mut w = BlobWriter::new(staged.reopen().unwrap(), &to).unwrap();
    w.write_all(b"a photo").unwrap();
    w.finish().unwrap().0.sync_all().unwrap();
    let blobs = app.store.commit_blobs(vec![staged]).unwrap();
    let meta = app
        .store
        .insert_report(NewReport {
            anonymity: Anonymity::Anonymous,
            urgency: Urgency::Standard,
            envelopes: vec![NewEnvelope {
                kind: EnvelopeKind::Report,
                ciphertext: envelope::seal(b"answers", &to).unwrap(),
                recipients: named,
            }],
            source: None,
            blobs,
        })
        .unwrap();
    app.store.remove_reviewer("leaver").unwrap();
    (app, rs, meta)
}

fn sha(bytes: &[u8]) -> String {
    HEXLOWER.encode(&Sha256::digest(bytes))
}

fn post_swap(
    app: &TestApp,
    token: &str,
    id: &str,
    body: &EnvelopeSwap,
) -> reqwest::blocking::Response {
    client()
        .post(format!("{}/api/v1/reports/{id}/rekey", app.review))
        .bearer_auth(token)
        .json(body)
        .send()
        .unwrap()
}

fn put_blob(
    app: &TestApp,
    token: &str,
    meta: &ReportMeta,
    old: &str,
    to: &[String],
    body: Vec<u8>,
) -> reqwest::blocking::Response {
    client()
        .put(format!(
            "{}/api/v1/reports/{}/blobs/{}?old_sha256={old}&recipients={}",
            app.review,
            meta.id,
            meta.blobs[0],
            to.join(",")
        ))
        .bearer_auth(token)
        .header("content-type", "application/octet-stream")
        .body(body)
        .send()
        .unwrap()
}

/// A blob of `data` sealed to `to`, in memory.
fn blob_bytes(data: &[u8], to: &[&TestReviewer]) -> Vec<u8> {
    let rs: Vec<x25519::Recipient> = to.iter().map(|r| r.identity.to_public()).collect();
    let mut w = BlobWriter::new(Vec::new(), &rs).unwrap();
    w.write_all(data).unwrap();
    w.finish().unwrap().0
}

fn rekey_entries(app: &TestApp) -> Vec<String> {
    app.store
        .audit_entries()
        .unwrap()
        .into_iter()
        .filter(|e| e.event.action == Action::Rekey)
        .map(|e| format!("{} {}", e.event.report.unwrap(), e.event.detail.unwrap()))
        .collect()
}

#[test]
fn swaps_are_for_admins_checked_against_what_was_read_and_audited() {
    let (app, rs, meta) = setup();
    let (admin, triage) = (&rs[0], &rs[1]);
    let (at, tt) = (login(&app, admin), login(&app, triage));
    let env = &meta.envelopes[0];
    let old = app.store.envelope(&env.id).unwrap().unwrap();
    let today = vec![admin.recipient.clone(), triage.recipient.clone()];
    let to = [admin.identity.to_public(), triage.identity.to_public()];
    let swap = |ct: &[u8], old: &str, recipients: &[String]| EnvelopeSwap {
        envelope: env.id.clone(),
        old_sha256: old.to_string(),
        ciphertext: BASE64.encode(ct),
        recipients: recipients.to_vec(),
    };
    let good = envelope::seal(b"answers", &to).unwrap();

    // The detail names the removed key's work; the targets are today's.
    let detail: ReportDetail = api_get(&app, &at, &format!("/api/v1/reports/{}", meta.id))
        .json()
        .unwrap();
    assert_eq!(
        (detail.report.rekey.removed, detail.report.rekey.classical),
        (2, 2)
    );
    assert_eq!(detail.blobs[0].recipients.as_ref().unwrap().len(), 3);
    let targets: RekeyTargets = api_get(&app, &at, "/api/v1/rekey").json().unwrap();
    assert_eq!(targets.triage, today);
    assert_eq!(targets.removed, vec![rs[2].recipient.clone()]);

    // Only admins.
    let (s, code, _) = error_code(api_get(&app, &tt, "/api/v1/rekey"));
    assert_eq!((s, code.as_str()), (403, "forbidden"));
    let r = post_swap(&app, &tt, &meta.id, &swap(&good, &sha(&old), &today));
    assert_eq!(error_code(r).0, 403);
    let r = put_blob(&app, &tt, &meta, &sha(b"x"), &today, vec![]);
    assert_eq!(error_code(r).0, 403);

    // Refusals, each leaving the envelope as it was.
    let refusals: Vec<(EnvelopeSwap, u16, &str, &str)> = vec![
        (
            swap(&good, &sha(b"other"), &today),
            409,
            "conflict",
            "changed since you read it",
        ),
        (
            swap(
                &good,
                &sha(&old),
                &[today.clone(), vec![rs[2].recipient.clone()]].concat(),
            ),
            409,
            "conflict",
            "not today's",
        ),
        (
            swap(
                &envelope::seal(b"answers", &to[..1]).unwrap(),
                &sha(&old),
                &today,
            ),
            400,
            "bad_request",
            "exactly the 2 recipients",
        ),
        (
            swap(
                &envelope::seal(&[7u8; 9000], &to).unwrap(),
                &sha(&old),
                &today,
            ),
            400,
            "bad_request",
            "same plaintext",
        ),
        (
            swap(&good, "ABC", &today),
            400,
            "bad_request",
            "64 lowercase hex",
        ),
    ];
    for (body, status, code, says) in refusals {
        let (s, c, m) = error_code(post_swap(&app, &at, &meta.id, &body));
        assert_eq!((s, c.as_str()), (status, code), "{m}");
        assert!(m.contains(says), "{m:?} lacks {says:?}");
        assert_eq!(app.store.envelope(&env.id).unwrap().unwrap(), old);
    }
    assert!(rekey_entries(&app).is_empty(), "refusals before the audit");

    let ok: Swapped = post_swap(&app, &at, &meta.id, &swap(&good, &sha(&old), &today))
        .json()
        .unwrap();
    assert_eq!(ok.recipients, today);
    assert_eq!(ok.rekey.removed, 1, "the attachment is left");
    assert_eq!(app.store.envelope(&env.id).unwrap().unwrap(), good);
    assert_eq!(
        rekey_entries(&app),
        vec![format!("{} envelope={}", meta.id, env.id)]
    );

    // The attachment: refusals leave the old file and no temporary one.
    let path = app.store.blob_path(&meta.blobs[0]).unwrap();
    let old_file = std::fs::read(&path).unwrap();
    let new_file = blob_bytes(b"a photo", &[admin, triage]);
    for (old, body, status, says) in [
        (
            sha(b"x"),
            new_file.clone(),
            409,
            "changed since you read it",
        ),
        (sha(&old_file), b"not age".to_vec(), 400, "not an age file"),
        (
            sha(&old_file),
            blob_bytes(b"a longer photo", &[admin]),
            400,
            "exactly the 2",
        ),
        (
            sha(&old_file),
            vec![0u8; old_file.len() + 70_000],
            413,
            "larger than",
        ),
    ] {
        let (s, _, m) = error_code(put_blob(&app, &at, &meta, &old, &today, body));
        assert_eq!(s, status, "{m}");
        assert!(m.contains(says), "{m:?} lacks {says:?}");
        assert_eq!(std::fs::read(&path).unwrap(), old_file);
        let temps = std::fs::read_dir(app.store.blobs_dir())
            .unwrap()
            .filter(|e| {
                e.as_ref()
                    .unwrap()
                    .file_name()
                    .to_string_lossy()
                    .starts_with('.')
            })
            .count();
        assert_eq!(temps, 0, "a refused upload leaves no temporary file");
    }
    let ok: Swapped = put_blob(&app, &at, &meta, &sha(&old_file), &today, new_file.clone())
        .json()
        .unwrap();
    assert_eq!(ok.rekey.removed, 0);
    assert_eq!(std::fs::read(&path).unwrap(), new_file);
    assert_eq!(rekey_entries(&app).len(), 2);
    assert!(app.store.fsck(false).unwrap().clean());
}

#[test]
fn a_swap_that_cannot_be_audited_is_not_made() {
    let (app, rs, meta) = setup();
    let admin = &rs[0];
    let at = login(&app, admin);
    let env = &meta.envelopes[0];
    let old = app.store.envelope(&env.id).unwrap().unwrap();
    let today = vec![admin.recipient.clone(), rs[1].recipient.clone()];
    let to = [admin.identity.to_public(), rs[1].identity.to_public()];
    // A torn record at the chain's tail: no entry can follow it.
    let next = app.store.audit_head().unwrap().map_or(0, |e| e.seq + 1);
    app.store
        .audit_tree()
        .insert(next.to_be_bytes(), &b"{\"seq\":"[..])
        .unwrap();
    let body = EnvelopeSwap {
        envelope: env.id.clone(),
        old_sha256: sha(&old),
        ciphertext: BASE64.encode(&envelope::seal(b"answers", &to).unwrap()),
        recipients: today.clone(),
    };
    let (s, code, _) = error_code(post_swap(&app, &at, &meta.id, &body));
    assert_eq!((s, code.as_str()), (503, "audit_unavailable"));
    assert_eq!(app.store.envelope(&env.id).unwrap().unwrap(), old);
    let path = app.store.blob_path(&meta.blobs[0]).unwrap();
    let old_file = std::fs::read(&path).unwrap();
    let new_file = blob_bytes(b"a photo", &[admin, &rs[1]]);
    let (s, code, _) = error_code(put_blob(
        &app,
        &at,
        &meta,
        &sha(&old_file),
        &today,
        new_file,
    ));
    assert_eq!((s, code.as_str()), (503, "audit_unavailable"));
    assert_eq!(std::fs::read(&path).unwrap(), old_file);
}
