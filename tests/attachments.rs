//! Attachments through the real server: multipart upload, metadata
//! stripping, encryption into blobs, and every refusal path leaving nothing.
#![forbid(unsafe_code)]
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
mod fixtures;

use amanat::crypto::envelope;
use amanat::intake::upload::AttachmentManifest;
use amanat::model::Role;
use common::*;
use fixtures::*;
use std::io::Read;

const ALL: &[Role] = &[Role::Triage, Role::Identity, Role::Admin];

fn blobs(app: &TestApp) -> Vec<std::path::PathBuf> {
    files_under(&app.store.blobs_dir())
}

/// Decrypts a stored blob with a reviewer key and cuts the padding.
fn open_blob(app: &TestApp, id: &age::x25519::Identity, m: &AttachmentManifest) -> Vec<u8> {
    let ct = std::fs::read(app.store.blob_path(&m.blob).unwrap()).unwrap();
    let d = age::Decryptor::new_buffered(&ct[..]).unwrap();
    let mut r = d
        .decrypt(std::iter::once(id as &dyn age::Identity))
        .unwrap();
    let mut out = Vec::new();
    r.read_to_end(&mut out).unwrap();
    assert!(
        out[m.size as usize..].iter().all(|&b| b == 0),
        "only zero padding after the file"
    );
    out.truncate(m.size as usize);
    out
}

#[test]
fn files_are_stripped_encrypted_and_listed() {
    let (app, rs) = spawn_app(&[("ana", ALL)], |_| {});
    let jpeg = jpeg_with_gps();
    let png = png_with_text();
    let docx = docx_with_author();
    let other = unknown(30_000);
    let (status, html) = submit_files(
        &app,
        &minimal("with files"),
        false,
        &[
            ("photo.jpg", &jpeg),
            ("scan.png", &png),
            ("../../statement.docx", &docx),
            ("notes.bin", &other),
        ],
    );
    assert_eq!(status, 200, "{html}");
    assert!(
        html.contains("photo.jpg</bdi>: Removed: location"),
        "{html}"
    );
    assert!(html.contains("scan.png</bdi>: Removed:"), "{html}");
    assert!(
        html.contains("statement.docx</bdi>: Removed: author"),
        "{html}"
    );
    assert!(
        html.contains(
            "notes.bin</bdi>: This type of file cannot be cleaned; it was stored as sent."
        )
    );

    let meta = &app.store.reports().unwrap()[0];
    assert_eq!(meta.blobs.len(), 4);
    // On disk: ciphertext only, nothing of the names or the metadata.
    for p in blobs(&app) {
        let bytes = std::fs::read(&p).unwrap();
        assert!(bytes.starts_with(b"age-encryption.org/v1"));
        for needle in [
            GPS_CANARY,
            PNG_CANARY,
            DOCX_CANARY,
            "photo.jpg",
            "statement",
        ] {
            assert!(
                !contains_bytes(&bytes, needle.as_bytes()),
                "{needle} in {}",
                p.display()
            );
        }
        assert!(!contains_bytes(&bytes, &other[100..132]));
    }
    // The encrypted manifest describes each file; the files decrypt, match
    // their hashes, carry no metadata, and images still decode.
    let env = meta
        .envelopes
        .iter()
        .find(|e| e.kind == amanat::store::EnvelopeKind::Report)
        .unwrap();
    let plain = envelope::open(
        &app.store.envelope(&env.id).unwrap().unwrap(),
        &[&rs[0].identity],
    )
    .unwrap();
    let record: serde_json::Value = serde_json::from_slice(&plain).unwrap();
    let manifests: Vec<AttachmentManifest> =
        serde_json::from_value(record["attachments"].clone()).unwrap();
    let names: Vec<&str> = manifests.iter().map(|m| m.name.as_str()).collect();
    assert_eq!(
        names,
        vec!["photo.jpg", "scan.png", "statement.docx", "notes.bin"]
    );
    for m in &manifests {
        assert!(meta.blobs.contains(&m.blob));
        let data = open_blob(&app, &rs[0].identity, m);
        use sha2::Digest;
        assert_eq!(
            data_encoding::HEXLOWER.encode(&sha2::Sha256::digest(&data)),
            m.sha256
        );
        for needle in [GPS_CANARY, PNG_CANARY, DOCX_CANARY] {
            assert!(
                !contains_bytes(&data, needle.as_bytes()),
                "{needle} left in {}",
                m.name
            );
        }
        match m.media_type.as_str() {
            "image/jpeg" | "image/png" => {
                let img = image::load_from_memory(&data).expect("still decodes");
                assert_eq!((img.width(), img.height()), (32, 24));
            }
            "application/octet-stream" => {
                assert_eq!(m.result, "not_cleanable");
                assert_eq!(data, other);
            }
            _ => {}
        }
    }
    assert_eq!(manifests[0].result, "cleaned");
    assert!(
        manifests[0].removed.contains(&"location".to_string()),
        "{:?}",
        manifests[0].removed
    );
}

#[test]
fn keeping_the_original_metadata_is_honoured_and_recorded() {
    let (app, rs) = spawn_app(&[("ana", ALL)], |_| {});
    let jpeg = jpeg_with_gps();
    let (status, html) = submit_files(&app, &minimal("keep"), true, &[("orig.jpg", &jpeg)]);
    assert_eq!(status, 200, "{html}");
    assert!(html.contains("Stored as sent, as you asked."));
    let meta = &app.store.reports().unwrap()[0];
    let env = &meta.envelopes[0];
    let plain = envelope::open(
        &app.store.envelope(&env.id).unwrap().unwrap(),
        &[&rs[0].identity],
    )
    .unwrap();
    let record: serde_json::Value = serde_json::from_slice(&plain).unwrap();
    let m: Vec<AttachmentManifest> = serde_json::from_value(record["attachments"].clone()).unwrap();
    assert_eq!(m[0].result, "kept_original");
    assert_eq!(
        open_blob(&app, &rs[0].identity, &m[0]),
        jpeg,
        "byte for byte"
    );
}

#[test]
fn a_file_that_cannot_be_cleaned_is_refused_with_the_answers_kept() {
    let (app, _) = spawn_app(&[("ana", ALL)], |_| {});
    let mut answers = minimal("Keep this text CANARY-KEEP");
    answers.push(("locality", "Khujand".into()));
    let (status, html) = submit_files(
        &app,
        &answers,
        false,
        &[("ok.jpg", &jpeg_with_gps()), ("bad.png", &broken_png())],
    );
    assert_eq!(status, 422, "{html}");
    assert!(
        html.contains("We could not remove identifying details from bad.png"),
        "{html}"
    );
    assert!(html.contains("Keep the original metadata"));
    assert!(html.contains("please choose them again"));
    assert!(html.contains("Keep this text CANARY-KEEP"), "answers kept");
    assert!(html.contains("value=\"Khujand\""));
    assert_eq!(app.store.report_count(), 0);
    assert!(blobs(&app).is_empty(), "no blob left: {:?}", blobs(&app));
}

#[test]
fn file_limits_are_enforced_and_leave_nothing() {
    let (app, _) = spawn_app(&[("ana", ALL)], |c| {
        c.limits.attachments_per_submission = 2;
        c.limits.attachment_bytes = 50_000;
        c.limits.submission_bytes = 80_000;
    });
    let small = unknown(10_000);
    let big = unknown(60_000);
    let mid = unknown(45_000);
    type Files<'a> = &'a [(&'a str, &'a [u8])];
    let cases: [(Files, u16, &str); 3] = [
        (
            &[("a", &small), ("b", &small), ("c", &small)],
            413,
            "you can send at most 2",
        ),
        (
            &[("huge.bin", &big)],
            413,
            "The file huge.bin is too large (the limit is 48.8 KiB)",
        ),
        (
            &[("a", &mid), ("b", &mid)],
            413,
            "The files together are too large",
        ),
    ];
    for (files, status, text) in cases {
        let (s, html) = submit_files(&app, &minimal("limits"), false, files);
        assert_eq!(s, status, "{html}");
        assert!(html.contains(text), "{text}: {html}");
        assert!(html.contains("value=\"confidential\""), "form shown again");
    }
    assert_eq!(app.store.report_count(), 0);
    assert!(blobs(&app).is_empty());
}

#[test]
fn files_need_a_valid_token_before_anything_is_stored() {
    let (app, _) = spawn_app(&[("ana", ALL)], |_| {});
    let f = get_form(&app, "confidential");
    let answers = minimal("no token");
    let fields: Vec<(&str, &str)> = answers.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let boundary = "b0undary";
    let resp = client()
        .post(format!("{}/report", app.intake))
        .header(
            "content-type",
            format!("multipart/form-data; boundary={boundary}"),
        )
        .header("cookie", &f.cookie)
        .body(multipart_body(
            boundary,
            &fields,
            &[("attachments", "x.jpg", &jpeg_with_gps())],
        ))
        .send()
        .unwrap();
    // A file before any token is a malformed form (a browser sends the
    // token first), refused before the file is read.
    assert_eq!(resp.status(), 400);
    assert!(blobs(&app).is_empty());
    assert_eq!(app.store.report_count(), 0);
}

#[test]
fn a_torn_upload_leaves_no_blob_and_no_record() {
    use std::io::Write;
    let (app, _) = spawn_app(&[("ana", ALL)], |_| {});
    let f = get_form(&app, "confidential");
    let mut fields: Vec<(&str, &str)> = vec![("csrf", f.token.as_str())];
    let answers = minimal("torn");
    fields.extend(answers.iter().map(|(k, v)| (*k, v.as_str())));
    let boundary = "t0rn";
    let file = unknown(400_000);
    let body = multipart_body(boundary, &fields, &[("attachments", "big.bin", &file)]);
    let addr = app.intake.trim_start_matches("http://").to_string();
    let mut s = std::net::TcpStream::connect(&addr).unwrap();
    write!(
        s,
        "POST /report HTTP/1.1\r\nHost: {addr}\r\nContent-Type: multipart/form-data; boundary={boundary}\r\nCookie: {}\r\nContent-Length: {}\r\n\r\n",
        f.cookie,
        body.len()
    )
    .unwrap();
    // Send the fields and part of the file, then vanish.
    s.write_all(&body[..body.len() / 2]).unwrap();
    s.flush().unwrap();
    std::thread::sleep(std::time::Duration::from_millis(300));
    drop(s);
    // The upload task notices and removes its temporary blob.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while !blobs(&app).is_empty() && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    assert!(blobs(&app).is_empty(), "{:?}", blobs(&app));
    assert_eq!(app.store.report_count(), 0);
    // The server still works.
    assert_eq!(submit(&app, &minimal("after")).0, 200);
}

/// The decrypted follow-up messages of the only report, oldest first.
fn messages(app: &TestApp, id: &age::x25519::Identity) -> Vec<serde_json::Value> {
    let meta = &app.store.reports().unwrap()[0];
    meta.envelopes
        .iter()
        .filter(|e| e.kind == amanat::store::EnvelopeKind::Message)
        .map(|e| {
            let ct = app.store.envelope(&e.id).unwrap().unwrap();
            serde_json::from_slice(&envelope::open(&ct, &[id]).unwrap()).unwrap()
        })
        .collect()
}

#[test]
fn files_can_be_sent_with_a_follow_up_message() {
    let (app, rs) = spawn_app(&[("ana", ALL)], |c| {
        c.limits.attachment_bytes = 50_000;
    });
    let (status, html) = submit(&app, &minimal("first"));
    assert_eq!(status, 200);
    let (_, f, thread) = followup_login(&app, &codename_of(&html));
    assert!(thread.contains("name=\"attachments\""), "{thread}");
    assert!(thread.contains("name=\"attachments_keep_metadata\""));

    // A message with a photo: what was removed is shown at once.
    let jpeg = jpeg_with_gps();
    let notes = unknown(2_000);
    let (status, page) = followup_post_files(
        &app,
        &f,
        "More photos of the raid.",
        false,
        &[("raid.jpg", &jpeg), ("notes.bin", &notes)],
    );
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("Your message was received."), "{page}");
    assert!(page.contains("raid.jpg</bdi>: Removed: location"), "{page}");
    assert!(page.contains("notes.bin</bdi>: This type of file cannot be cleaned"));

    // Files alone, without text, are a message too.
    let png = png_with_text();
    let (status, page) = followup_post_files(&app, &f, "", true, &[("kept.png", &png)]);
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("kept.png</bdi>: "), "{page}");

    // A refused file: the text is kept, nothing is stored.
    let before = (blobs(&app), app.store.reports().unwrap()[0].clone());
    let big = unknown(60_000);
    let (status, page) = followup_post_files(&app, &f, "Kept text", false, &[("huge.bin", &big)]);
    assert_eq!(status, 413, "{page}");
    assert!(page.contains("The file huge.bin is too large"), "{page}");
    assert!(page.contains("please choose them again"), "{page}");
    assert!(page.contains(">Kept text</textarea>"), "{page}");
    let after = app.store.reports().unwrap()[0].clone();
    assert_eq!(blobs(&app), before.0);
    assert_eq!(after.envelopes.len(), before.1.envelopes.len());
    assert_eq!(after.blobs, before.1.blobs);

    // On disk: the message's blobs belong to the report, ciphertext only;
    // the encrypted message names them and they decrypt cleaned.
    let meta = &app.store.reports().unwrap()[0];
    assert_eq!(meta.blobs.len(), 3);
    let msgs = messages(&app, &rs[0].identity);
    assert_eq!(msgs.len(), 2);
    assert_eq!(msgs[0]["text"], "More photos of the raid.");
    assert_eq!(msgs[1]["text"], "");
    let mut sent: Vec<AttachmentManifest> =
        serde_json::from_value(msgs[0]["attachments"].clone()).unwrap();
    sent.extend(
        serde_json::from_value::<Vec<AttachmentManifest>>(msgs[1]["attachments"].clone()).unwrap(),
    );
    assert_eq!(sent.len(), 3);
    for m in &sent {
        assert!(meta.blobs.contains(&m.blob));
        let ct = std::fs::read(app.store.blob_path(&m.blob).unwrap()).unwrap();
        assert!(!contains_bytes(&ct, GPS_CANARY.as_bytes()));
        assert!(!contains_bytes(&ct, m.name.as_bytes()));
    }
    let photo = open_blob(&app, &rs[0].identity, &sent[0]);
    assert!(!contains_bytes(&photo, GPS_CANARY.as_bytes()));
    assert!(image::load_from_memory(&photo).is_ok(), "still a picture");
    assert_eq!(open_blob(&app, &rs[0].identity, &sent[1]), notes);
    assert_eq!(sent[2].result, "kept_original");
    assert_eq!(open_blob(&app, &rs[0].identity, &sent[2]), png);

    // Deleting the report deletes the message's files with it.
    app.store.purge(&meta.id).unwrap();
    assert!(blobs(&app).is_empty(), "{:?}", blobs(&app));
}

#[test]
fn a_follow_up_with_files_needs_a_session_and_a_token() {
    let (app, _) = spawn_app(&[("ana", ALL)], |_| {});
    let (_, html) = submit(&app, &minimal("first"));
    let (_, mut f, _) = followup_login(&app, &codename_of(&html));
    let boundary = "b0undary";
    let post = |cookies: String, token: &str| {
        client()
            .post(format!("{}/followup/message", app.intake))
            .header(
                "content-type",
                format!("multipart/form-data; boundary={boundary}"),
            )
            .header("cookie", cookies)
            .body(multipart_body(
                boundary,
                &[("csrf", token), ("message", "x")],
                &[("attachments", "x.jpg", &jpeg_with_gps())],
            ))
            .send()
            .unwrap()
            .status()
    };
    assert_eq!(post(f.cookies(), "forged"), 403);
    f.session = None;
    assert_eq!(post(f.cookies(), "forged"), 401);
    assert!(blobs(&app).is_empty());
    assert_eq!(app.store.reports().unwrap()[0].envelopes.len(), 1);
}
