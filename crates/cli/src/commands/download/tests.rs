//! `amanat download` through the library, against a loopback HTTP server
//! (port 0) that serves a real age-encrypted report and blob: the identity
//! is loaded once (one passphrase prompt), the file is verified and saved,
//! and a file that fails its hash is not left behind.

use super::*;
use crate::commands::Ctx;
use crate::session;
use amanat_core::api::{EnvelopeData, ReportDetail, ReportSummary};
use amanat_core::crypto::blob::BlobWriter;
use amanat_core::crypto::{envelope, random};
use amanat_core::keyfile::{self, LoadedIdentity};
use amanat_core::model::{Anonymity, State, Urgency};
use amanat_core::records::{
    CleanResult, EnvelopeKind, QuestionnaireRef, Record, ReportRecord, ReportSchema,
};
use amanat_core::timeutil::Day;
use std::cell::Cell;
use std::collections::BTreeMap;
use std::io::BufRead;
use std::net::TcpListener;

thread_local! {
    static LOADS: Cell<u32> = const { Cell::new(0) };
}

/// Loads the identity as the CLI does, counting the loads: each load of a
/// passphrase-protected file is one prompt.
fn counting_load(path: &Path) -> Result<LoadedIdentity, keyfile::KeyfileError> {
    LOADS.with(|n| n.set(n.get() + 1));
    keyfile::load(path)
}

/// Serves `routes` (path → body) over loopback HTTP/1.1, one request per
/// connection; anything else is a JSON 404.
fn serve(routes: BTreeMap<String, Vec<u8>>) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { return };
            let mut reader = std::io::BufReader::new(stream.try_clone().unwrap());
            let mut line = String::new();
            reader.read_line(&mut line).unwrap();
            let path = line.split(' ').nth(1).unwrap_or_default().to_string();
            loop {
                let mut header = String::new();
                if reader.read_line(&mut header).unwrap() <= 2 {
                    break;
                }
            }
            let (status, body) = match routes.get(&path) {
                Some(b) => ("200 OK", b.clone()),
                None => (
                    "404 Not Found",
                    br#"{"error":{"code":"not_found","message":"no such thing"}}"#.to_vec(),
                ),
            };
            let head = format!(
                "HTTP/1.1 {status}\r\nContent-Length: {}\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n",
                body.len()
            );
            let _ = stream.write_all(head.as_bytes());
            let _ = stream.write_all(&body);
        }
    });
    format!("http://{addr}")
}

/// A logged-in config dir, an identity file and a server holding one
/// report with one attachment (whose manifest says `sha256`, or the real
/// hash when `None`). Returns the context, the report id and the file.
fn setup(dir: &Path, sha256: Option<&str>) -> (Ctx, String, Vec<u8>) {
    let key_path = dir.join("key.txt");
    keyfile::keygen(&key_path, None).unwrap();
    let recipient = keyfile::load(&key_path).unwrap().recipient;
    let recipient: envelope::Recipient = recipient.parse().unwrap();
    let file = b"%PDF-1.7 the evidence".repeat(500);
    let mut w = BlobWriter::new(Vec::new(), std::slice::from_ref(&recipient)).unwrap();
    w.write_all(&file).unwrap();
    let (blob, sealed) = w.finish().unwrap();
    let id = random::id();
    let blob_id = random::id();
    let record = ReportRecord {
        anonymity: Anonymity::Anonymous,
        answers: BTreeMap::new(),
        attachments: vec![AttachmentManifest {
            blob: blob_id.clone(),
            media_type: "application/pdf".into(),
            name: "../evidence.pdf".into(),
            removed: vec![],
            result: CleanResult::NothingFound,
            sha256: sha256.map_or(sealed.sha256, String::from),
            size: sealed.size,
        }],
        lang: "en".into(),
        questionnaire: QuestionnaireRef {
            id: "default".into(),
            version: 1,
        },
        schema: ReportSchema,
    };
    let ct = envelope::seal(
        &record.to_plaintext().unwrap(),
        std::slice::from_ref(&recipient),
    )
    .unwrap();
    let detail = ReportDetail {
        report: ReportSummary {
            id: id.clone(),
            received: Day::from_days(20_400),
            state: State::New,
            closed_reason: None,
            state_day: Day::from_days(20_400),
            urgency: Urgency::High,
            urgency_confirmed: false,
            anonymity: Anonymity::Anonymous,
            assignee: None,
            assignee_name: None,
            rekey: Default::default(),
        },
        envelopes: vec![EnvelopeData {
            id: random::id(),
            kind: EnvelopeKind::Report,
            day: Day::from_days(20_400),
            recipients: vec![recipient.to_string()],
            ciphertext: data_encoding::BASE64.encode(&ct),
        }],
        identity_withheld: false,
        reply_recipients: vec![],
        blobs: vec![],
    };
    let routes = BTreeMap::from([
        (
            format!("/api/v1/reports/{id}"),
            serde_json::to_vec(&detail).unwrap(),
        ),
        (format!("/api/v1/reports/{id}/blobs/{blob_id}"), blob),
    ]);
    let server = serve(routes);
    let config = dir.join("config");
    session::save(
        &config,
        &session::Saved {
            server,
            token: "token".into(),
            reviewer_id: random::id(),
            reviewer_name: "Desk A".into(),
            identity: key_path,
            ca_file: None,
        },
    )
    .unwrap();
    let ctx = Ctx {
        root: config.clone(),
        dir: config,
        profile: crate::profiles::Profile::default_profile(),
        profile_given: false,
        proxy: None,
        mirror: None,
        identity: None,
        load_identity: counting_load,
    };
    (ctx, id, file)
}

#[test]
fn download_loads_the_identity_once_and_saves_the_verified_file() {
    let dir = tempfile::tempdir().unwrap();
    let (ctx, id, file) = setup(dir.path(), None);
    let out = dir.path().join("out");
    LOADS.with(|n| n.set(0));
    run(&ctx, &id, &out, true).unwrap();
    assert_eq!(LOADS.with(Cell::get), 1, "one passphrase prompt");
    assert_eq!(std::fs::read(out.join("evidence.pdf")).unwrap(), file);
}

#[test]
fn a_file_that_fails_its_hash_is_refused_and_not_left_behind() {
    let dir = tempfile::tempdir().unwrap();
    let (ctx, id, _) = setup(dir.path(), Some(&"0".repeat(64)));
    let out = dir.path().join("out");
    let e = run(&ctx, &id, &out, true).unwrap_err();
    assert_eq!(e.code, Exit::Decrypt);
    assert!(
        e.message.contains("does not match its SHA-256"),
        "{}",
        e.message
    );
    assert_eq!(std::fs::read_dir(&out).unwrap().count(), 0);
}
