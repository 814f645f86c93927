//! Attachments through the real server: multipart upload, metadata
//! stripping, encryption into blobs, and every refusal path leaving nothing.
#![forbid(unsafe_code)]
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;
use crate::fixtures;

use amanat_core::crypto::envelope;
use amanat_core::model::Role;
use amanat_core::records::{AttachmentManifest, CleanResult};
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
    // The unknown type goes through "send as it is": the source agreed.
    let (status, html, _) = post_report(
        &app,
        &minimal("with files"),
        &[
            ("attachments", "photo.jpg", &jpeg),
            ("attachments", "scan.png", &png),
            ("attachments", "../../statement.docx", &docx),
            ("attachments_as_is", "notes.bin", &other),
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
    assert!(html.contains("notes.bin</bdi>: Stored as sent, as you asked."));

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
        .find(|e| e.kind == amanatd::store::EnvelopeKind::Report)
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
                assert_eq!(m.result, CleanResult::KeptOriginal);
                assert_eq!(data, other);
            }
            _ => {}
        }
    }
    assert_eq!(manifests[0].result, CleanResult::Cleaned);
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
    assert_eq!(m[0].result, CleanResult::KeptOriginal);
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
        html.contains("We could not remove identifying details from: bad.png."),
        "{html}"
    );
    // A damaged file of a type we clean gets the same page as a type we
    // cannot clean: named, with the two choices.
    assert!(
        html.contains("bad.png</bdi>: this file seems damaged"),
        "{html}"
    );
    assert!(html.contains("name=\"attachments_as_is\""), "{html}");
    assert!(html.contains("Leave it out and send"));
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
        .filter(|e| e.kind == amanatd::store::EnvelopeKind::Message)
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
    let (status, page) = followup_files(
        &app,
        &f,
        "More photos of the raid.",
        &[
            ("attachments", "raid.jpg", &jpeg),
            ("attachments_as_is", "notes.bin", &notes),
        ],
    );
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("Your message was received."), "{page}");
    assert!(page.contains("raid.jpg</bdi>: Removed: location"), "{page}");
    assert!(page.contains("notes.bin</bdi>: Stored as sent, as you asked."));

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
    assert_eq!(sent[2].result, CleanResult::KeptOriginal);
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

/// POSTs the report form as multipart with files under the given input
/// names (`attachments`, `attachments_as_is`), as a browser that accepts gzip
/// would. Returns the status, the page and its `Content-Encoding`.
fn post_report(
    app: &TestApp,
    answers: &[(&str, String)],
    files: &[(&str, &str, &[u8])],
) -> (u16, String, Option<String>) {
    let f = get_form(app, "confidential");
    let mut fields: Vec<(&str, &str)> = vec![("csrf", f.token.as_str())];
    fields.extend(answers.iter().map(|(k, v)| (*k, v.as_str())));
    let boundary = "----amanatAsIsBoundary";
    let resp = client()
        .post(format!("{}/report", app.intake))
        .header(
            "content-type",
            format!("multipart/form-data; boundary={boundary}"),
        )
        .header("cookie", &f.cookie)
        .header("accept-encoding", "gzip, deflate, br, zstd")
        .body(multipart_body(boundary, &fields, files))
        .send()
        .unwrap();
    let status = resp.status().as_u16();
    let encoding = resp
        .headers()
        .get("content-encoding")
        .map(|v| v.to_str().unwrap().to_string());
    let body = resp.bytes().unwrap();
    let html = if encoding.as_deref() == Some("gzip") {
        let mut out = String::new();
        flate2::read::GzDecoder::new(&body[..])
            .read_to_string(&mut out)
            .unwrap();
        out
    } else {
        String::from_utf8(body.to_vec()).unwrap()
    };
    (status, html, encoding)
}

/// The decrypted attachment manifests of a stored report.
fn manifests_of(
    app: &TestApp,
    id: &age::x25519::Identity,
    meta: &amanatd::store::ReportMeta,
) -> Vec<AttachmentManifest> {
    let env = meta
        .envelopes
        .iter()
        .find(|e| e.kind == amanatd::store::EnvelopeKind::Report)
        .unwrap();
    let plain = envelope::open(&app.store.envelope(&env.id).unwrap().unwrap(), &[id]).unwrap();
    let record: serde_json::Value = serde_json::from_slice(&plain).unwrap();
    serde_json::from_value(record["attachments"].clone()).unwrap()
}

/// An HEIC photo header (a type we cannot clean) followed by bytes that
/// stand for its content, with an author canary.
fn heic() -> Vec<u8> {
    let mut v = b"\0\0\0\x18ftypheic\0\0\0\0mif1heic".to_vec();
    v.extend_from_slice(b"author=CANARY-HEIC-AUTHOR;");
    v.extend_from_slice(&unknown(5_000));
    v
}

#[test]
fn a_file_we_cannot_clean_is_stored_only_with_the_sources_agreement() {
    let (app, rs) = spawn_app(&[("ana", ALL)], |_| {});
    let mut answers = minimal("What happened CANARY-NARRATIVE");
    answers.push(("locality", "Khujand".into()));
    answers.push(("identity_name", "CANARY-IDENTITY-NAME".into()));
    let jpeg = jpeg_with_gps();
    let photo = heic();

    // Without the source's agreement: nothing stored, the answers kept, the
    // file named with the two choices, and the page (answers and identity
    // fields) not compressed.
    let (status, html, encoding) = post_report(
        &app,
        &answers,
        &[
            ("attachments", "photo.jpg", &jpeg),
            ("attachments", "recording.heic", &photo),
        ],
    );
    assert_eq!(status, 422, "{html}");
    assert_eq!(app.store.report_count(), 0, "no report stored");
    assert!(blobs(&app).is_empty(), "no blob left: {:?}", blobs(&app));
    assert!(
        html.contains("We could not remove identifying details from: recording.heic."),
        "{html}"
    );
    assert!(
        html.contains("recording.heic</bdi>: identifying details (such as an author"),
        "{html}"
    );
    assert!(
        !html.contains("photo.jpg</bdi>"),
        "only the refused file is named"
    );
    assert!(html.contains("name=\"attachments_as_is\""), "send as it is");
    assert!(html.contains("Leave it out and send"), "leave it out");
    assert!(html.contains("please choose them again"));
    assert!(
        html.contains("What happened CANARY-NARRATIVE"),
        "answers kept"
    );
    assert!(html.contains("value=\"Khujand\""));
    assert!(html.contains("value=\"CANARY-IDENTITY-NAME\""));
    assert_eq!(
        encoding.as_deref(),
        Some("identity"),
        "the re-shown form is never compressed"
    );

    // "Send as it is": the file chosen again in that input is stored as
    // sent and recorded so; the photo beside it is still cleaned.
    let (status, html, _) = post_report(
        &app,
        &answers,
        &[
            ("attachments", "photo.jpg", &jpeg),
            ("attachments_as_is", "recording.heic", &photo),
        ],
    );
    assert_eq!(status, 200, "{html}");
    assert!(html.contains("recording.heic</bdi>: Stored as sent, as you asked."));
    assert!(
        html.contains("photo.jpg</bdi>: Removed: location"),
        "{html}"
    );
    let reports = app.store.reports().unwrap();
    assert_eq!(reports.len(), 1);
    let m = manifests_of(&app, &rs[0].identity, &reports[0]);
    assert_eq!(m.len(), 2);
    assert_eq!(m[0].result, CleanResult::Cleaned);
    assert_eq!(m[1].result, CleanResult::KeptOriginal);
    assert_eq!(open_blob(&app, &rs[0].identity, &m[1]), photo);

    // "Keep the original metadata" ticked is agreement too.
    let mut kept = answers.clone();
    kept.push(("attachments_keep_metadata", "yes".into()));
    let (status, html, _) = post_report(&app, &kept, &[("attachments", "recording.heic", &photo)]);
    assert_eq!(status, 200, "{html}");
    let reports = app.store.reports().unwrap();
    assert_eq!(reports.len(), 2);

    // "Leave it out": the kept answers, sent without the file (the browser
    // sends an empty file part), are stored without it.
    let before: Vec<String> = reports.iter().map(|r| r.id.clone()).collect();
    let (status, html, _) = post_report(&app, &answers, &[("attachments", "", b"")]);
    assert_eq!(status, 200, "{html}");
    let reports = app.store.reports().unwrap();
    assert_eq!(reports.len(), 3);
    let new = reports.iter().find(|r| !before.contains(&r.id)).unwrap();
    assert!(new.blobs.is_empty());
    assert!(manifests_of(&app, &rs[0].identity, new).is_empty());
}

#[test]
fn a_follow_up_file_we_cannot_clean_needs_the_sources_agreement() {
    let (app, rs) = spawn_app(&[("ana", ALL)], |_| {});
    let (_, html) = submit(&app, &minimal("first"));
    let (_, f, _) = followup_login(&app, &codename_of(&html));
    let photo = heic();
    let before = app.store.reports().unwrap()[0].clone();
    let (status, page) = followup_post_files(
        &app,
        &f,
        "Draft CANARY-DRAFT",
        false,
        &[("voice.heic", &photo)],
    );
    assert_eq!(status, 422, "{page}");
    assert!(
        page.contains("voice.heic</bdi>: identifying details"),
        "{page}"
    );
    assert!(page.contains("name=\"attachments_as_is\""), "{page}");
    assert!(page.contains("Leave it out and send"));
    assert!(page.contains(">Draft CANARY-DRAFT</textarea>"), "text kept");
    let after = app.store.reports().unwrap()[0].clone();
    assert_eq!(
        after.envelopes.len(),
        before.envelopes.len(),
        "nothing stored"
    );
    assert!(blobs(&app).is_empty(), "{:?}", blobs(&app));

    // Sent again through "send as it is": stored, recorded as kept.
    let (status, page) = followup_files(
        &app,
        &f,
        "Draft CANARY-DRAFT",
        &[("attachments_as_is", "voice.heic", &photo)],
    );
    assert_eq!(status, 200, "{page}");
    assert!(
        page.contains("voice.heic</bdi>: Stored as sent, as you asked."),
        "{page}"
    );
    let msgs = messages(&app, &rs[0].identity);
    assert_eq!(msgs.len(), 1);
    let m: Vec<AttachmentManifest> =
        serde_json::from_value(msgs[0]["attachments"].clone()).unwrap();
    assert_eq!(m[0].result, CleanResult::KeptOriginal);
    assert_eq!(open_blob(&app, &rs[0].identity, &m[0]), photo);
}

#[test]
fn below_the_free_space_floor_nothing_is_written_and_the_answers_are_kept() {
    // A floor above any real free space: every write is refused.
    let (app, _) = spawn_app(&[("ana", ALL)], |c| c.limits.min_free_bytes = u64::MAX);
    let mut answers = minimal("Kept CANARY-LOW-SPACE");
    answers.push(("locality", "Khujand".into()));
    let (status, html) = submit(&app, &answers);
    assert_eq!(status, 507, "{html}");
    assert!(html.contains("short of disk space"), "{html}");
    assert!(html.contains("Kept CANARY-LOW-SPACE"), "answers kept");
    assert!(html.contains("value=\"Khujand\""));
    let (status, html, _) = post_report(
        &app,
        &answers,
        &[("attachments", "photo.jpg", &jpeg_with_gps())],
    );
    assert_eq!(status, 507, "{html}");
    assert!(html.contains("short of disk space"), "{html}");
    assert!(html.contains("Kept CANARY-LOW-SPACE"), "answers kept");
    assert_eq!(app.store.report_count(), 0);
    assert!(blobs(&app).is_empty(), "{:?}", blobs(&app));
}

/// POSTs a follow-up message with files under the given input names.
fn followup_files(
    app: &TestApp,
    f: &Followup,
    message: &str,
    files: &[(&str, &str, &[u8])],
) -> (u16, String) {
    let (_, thread, _) = followup_get(app, Some(f));
    let token = extract_value(&thread, "name=\"csrf\" value=\"").unwrap();
    let boundary = "----amanatFollowupAsIs";
    let resp = client()
        .post(format!("{}/followup/message", app.intake))
        .header(
            "content-type",
            format!("multipart/form-data; boundary={boundary}"),
        )
        .header("cookie", f.cookies())
        .body(multipart_body(
            boundary,
            &[("csrf", &token), ("message", message)],
            files,
        ))
        .send()
        .unwrap();
    let status = resp.status().as_u16();
    (status, resp.text().unwrap())
}

#[test]
fn a_reviewer_removed_during_an_upload_does_not_receive_the_file() {
    use std::io::Write;
    let (app, _) = spawn_app(&[("ana", ALL), ("leaving", &[Role::Triage])], |_| {});
    let f = get_form(&app, "confidential");
    let mut fields: Vec<(&str, &str)> = vec![("csrf", f.token.as_str())];
    let answers = minimal("Kept CANARY-REVIEWERS");
    fields.extend(answers.iter().map(|(k, v)| (*k, v.as_str())));
    let boundary = "r3viewers";
    let file = unknown(400_000);
    let body = multipart_body(
        boundary,
        &fields,
        &[("attachments_as_is", "recording.wav", &file)],
    );
    let addr = addr_of(&app.intake).to_string();
    let mut s = std::net::TcpStream::connect(&addr).unwrap();
    write!(
        s,
        "POST /report HTTP/1.1\r\nHost: {addr}\r\nContent-Type: multipart/form-data; boundary={boundary}\r\nCookie: {}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        f.cookie,
        body.len()
    )
    .unwrap();
    // The answers and the start of the file: the upload has begun, with
    // the recipients of that moment.
    let cut = body.len() - file.len() / 2;
    s.write_all(&body[..cut]).unwrap();
    s.flush().unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while blobs(&app).is_empty() && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    assert_eq!(blobs(&app).len(), 1, "the file is being staged");
    app.store.remove_reviewer("leaving").unwrap();
    s.write_all(&body[cut..]).unwrap();
    let reply = read_reply(&mut s, std::time::Duration::from_secs(10));
    let html = String::from_utf8_lossy(&reply.body).to_string();
    assert_eq!(reply.status, 409, "{html}");
    assert!(
        html.contains("The people who read reports changed while your files were uploading"),
        "{html}"
    );
    assert!(html.contains("Kept CANARY-REVIEWERS"), "answers kept");
    assert_eq!(app.store.report_count(), 0);
    assert!(blobs(&app).is_empty(), "{:?}", blobs(&app));
}

/// A DOCX as LibreOffice and other writers order it: media first (pushing
/// `[Content_Types].xml` past what type detection sees), core properties
/// where .NET packaging puts them, and an image fetched from a URL.
fn docx_late_content_types(pad: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let stored =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    let deflated = zip::write::SimpleFileOptions::default();
    let mut z = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let parts: [(&str, &[u8], bool); 6] = [
        ("word/media/pad.bin", pad, true),
        (
            "word/document.xml",
            br#"<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><w:body><w:p><w:r><w:t>Statement</w:t></w:r></w:p></w:body></w:document>"#,
            false,
        ),
        (
            "word/_rels/document.xml.rels",
            br#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/image" Target="https://spy.example/pixel.png" TargetMode="External"/></Relationships>"#,
            false,
        ),
        (
            "_rels/.rels",
            br#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="R1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="/word/document.xml"/><Relationship Id="R2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="/package/services/metadata/core-properties/0a1b2c.psmdcp"/></Relationships>"#,
            false,
        ),
        (
            "package/services/metadata/core-properties/0a1b2c.psmdcp",
            br#"<coreProperties xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:creator>Zarina Canary-Office</dc:creator></coreProperties>"#,
            false,
        ),
        (
            "[Content_Types].xml",
            br#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="psmdcp" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>"#,
            false,
        ),
    ];
    for (name, data, is_stored) in parts {
        z.start_file(name, if is_stored { stored } else { deflated })
            .unwrap();
        z.write_all(data).unwrap();
    }
    z.finish().unwrap().into_inner()
}

#[test]
fn office_documents_are_classified_from_their_directory_and_lose_beacons() {
    let (app, rs) = spawn_app(&[("ana", ALL)], |_| {});
    let docx = docx_late_content_types(&unknown(8192));
    assert!(!contains_bytes(&docx[..4096], b"[Content_Types].xml"));
    let (status, html) = submit_files(
        &app,
        &minimal("late content types"),
        false,
        &[("statement.docx", &docx)],
    );
    assert_eq!(status, 200, "{html}");
    assert!(
        html.contains("statement.docx</bdi>: Removed: author"),
        "{html}"
    );
    let meta = &app.store.reports().unwrap()[0];
    let env = meta
        .envelopes
        .iter()
        .find(|e| e.kind == amanatd::store::EnvelopeKind::Report)
        .unwrap();
    let plain = envelope::open(
        &app.store.envelope(&env.id).unwrap().unwrap(),
        &[&rs[0].identity],
    )
    .unwrap();
    let record: serde_json::Value = serde_json::from_slice(&plain).unwrap();
    let manifests: Vec<AttachmentManifest> =
        serde_json::from_value(record["attachments"].clone()).unwrap();
    assert_eq!(manifests[0].result, CleanResult::Cleaned);
    // Classified from its directory: recorded as the document it is.
    assert_eq!(
        manifests[0].media_type,
        "application/vnd.openxmlformats-officedocument"
    );
    let data = open_blob(&app, &rs[0].identity, &manifests[0]);
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(&data[..])).unwrap();
    let names: Vec<String> = archive
        .file_names()
        .map(|n| n.unwrap().into_owned())
        .collect();
    assert!(!names.iter().any(|n| n.ends_with(".psmdcp")), "{names:?}");
    for i in 0..archive.len() {
        let mut f = archive.by_index(i).unwrap();
        let mut part = Vec::new();
        f.read_to_end(&mut part).unwrap();
        for needle in [&b"Canary-Office"[..], b"spy.example", b"psmdcp\""] {
            assert!(!contains_bytes(&part, needle), "{}", f.name().unwrap());
        }
    }

    // A zip that is no office document cannot be cleaned: refused with the
    // answers kept, nothing stored.
    let plain_zip = {
        use std::io::Write;
        let mut z = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        z.start_file("names.txt", zip::write::SimpleFileOptions::default())
            .unwrap();
        z.write_all(b"Zarina Canary-Office").unwrap();
        z.finish().unwrap().into_inner()
    };
    let blobs_before = blobs(&app).len();
    let (status, html) = submit_files(
        &app,
        &minimal("plain zip CANARY-KEEP"),
        false,
        &[("evidence.zip", &plain_zip)],
    );
    assert_eq!(status, 422, "{html}");
    assert!(
        html.contains("We could not remove identifying details from: evidence.zip"),
        "{html}"
    );
    // Not damaged: a kind of file nothing here can clean.
    assert!(!html.contains("seems damaged"), "{html}");
    assert!(html.contains("CANARY-KEEP"), "answers kept");
    assert_eq!(app.store.report_count(), 1);
    assert_eq!(blobs(&app).len(), blobs_before);
}

fn vm_hwm_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap()
}

/// An 11.7 MB DOCX: 10 MiB of stored media and 1000 MiB of deflated blanks,
/// in a media part (`in_xml` false) or in the XML part that must be rewritten.
fn docx_bomb(in_xml: bool) -> Vec<u8> {
    use std::io::Write;
    let mut z = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let deflated = zip::write::SimpleFileOptions::default();
    z.start_file("[Content_Types].xml", deflated).unwrap();
    z.write_all(br#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/></Types>"#).unwrap();
    z.start_file(
        "word/media/image1.bin",
        deflated.compression_method(zip::CompressionMethod::Stored),
    )
    .unwrap();
    z.write_all(&unknown(10 << 20)).unwrap();
    let bomb = if in_xml {
        "word/document.xml"
    } else {
        "word/media/blanks.bin"
    };
    z.start_file(bomb, deflated.large_file(true)).unwrap();
    if in_xml {
        z.write_all(b"<w:document><w:t>").unwrap();
    }
    let blanks = vec![b' '; 1 << 20];
    for _ in 0..1000 {
        z.write_all(&blanks).unwrap();
    }
    z.finish().unwrap().into_inner()
}

#[test]
fn zip_bombs_stay_within_the_memory_budget() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    daemon::init_with_reviewer(&data);
    let server = daemon::serve(&data, &[]);
    let http = client();
    // Warm up: one ordinary report.
    assert!(daemon::submit_form(&http, &server.intake, "warm up"));
    let base = vm_hwm_kib(server.pid());

    let media_bomb = docx_bomb(false);
    let xml_bomb = docx_bomb(true);
    assert!(media_bomb.len() < 12 << 20, "{}", media_bomb.len());
    let intake = server.intake.clone();
    // Four at once, as many as limits.concurrent_uploads lets in.
    let results: Vec<daemon::Submitted> = std::thread::scope(|s| {
        let hs: Vec<_> = [&media_bomb, &media_bomb, &xml_bomb, &xml_bomb]
            .into_iter()
            .map(|f| {
                let (http, intake) = (&http, &intake);
                s.spawn(move || {
                    daemon::try_submit(http, intake, "bomb", &[("statement.docx", &f[..])]).unwrap()
                })
            })
            .collect();
        hs.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let peak = vm_hwm_kib(server.pid());
    eprintln!("zip bombs: server VmHWM {base} KiB before, {peak} KiB after four at once");
    // The media streams through (within the decompression budget); the XML
    // part cannot be held within an upload's share of the memory budget.
    assert!(
        matches!(results[0], daemon::Submitted::Acknowledged(_)),
        "{results:?}"
    );
    assert!(
        matches!(results[1], daemon::Submitted::Acknowledged(_)),
        "{results:?}"
    );
    assert!(
        matches!(results[2], daemon::Submitted::Refused(422)),
        "{results:?}"
    );
    assert!(
        matches!(results[3], daemon::Submitted::Refused(422)),
        "{results:?}"
    );
    // Before, one such file took the server to 1.09 GB and four to 4.4 GB.
    assert!(
        peak < 256 * 1024,
        "four zip bombs at once took the server to {peak} KiB"
    );
}

/// One message of `lang` as the page shows it (HTML-escaped).
fn message(lang: &str, key: &str) -> String {
    let ftl = std::fs::read_to_string(format!("locales/{lang}/main.ftl")).unwrap();
    let line = ftl
        .lines()
        .find_map(|l| l.strip_prefix(&format!("{key} = ")))
        .unwrap_or_else(|| panic!("{lang} has no {key}"));
    line.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#x27;")
}

/// The source is told, in their own language and file by file, which of
/// their files could not be cleaned: a type with no cleaner (bytes no
/// cleaner knows, a plain-text file, which is passed through only with
/// their agreement) and a damaged file of a type that is cleaned; then
/// that the files they chose to send as they are were stored so.
#[test]
fn the_source_is_told_in_their_language_which_files_were_not_cleaned() {
    let (app, _) = spawn_app(&[("ana", ALL)], |_| {});
    let text = b"Notes typed on 6 December about the meeting.\n".to_vec();
    for lang in amanatd::i18n::LANGS.iter().map(|l| l.code) {
        let mut answers = minimal("CANARY-NARRATIVE");
        answers[0] = ("lang", lang.into());
        let files: &[(&str, &[u8])] = &[
            ("notes.txt", &text),
            ("data.bin", &unknown(3000)),
            ("bad.png", &broken_png()),
        ];
        let before = app.store.report_count();
        let (status, html) = submit_files(&app, &answers, false, files);
        assert_eq!(status, 422, "{lang}: {html}");
        let (type_, damaged) = (
            message(lang, "file-refused-type"),
            message(lang, "file-refused-damaged"),
        );
        for (name, why) in [
            ("notes.txt", &type_),
            ("data.bin", &type_),
            ("bad.png", &damaged),
        ] {
            assert!(
                html.contains(&format!("{name}</bdi>: {why}")),
                "{lang}: {name} not named with its reason: {html}"
            );
        }
        assert!(
            html.contains(&message(lang, "files-refused-title")),
            "{lang}"
        );
        assert_eq!(app.store.report_count(), before, "{lang}: nothing stored");

        // Sent as they are: the confirmation says so for each.
        let (status, html) = submit_files(&app, &answers, true, &files[..2]);
        assert_eq!(status, 200, "{lang}: {html}");
        assert_eq!(app.store.report_count(), before + 1);
        let kept = message(lang, "file-result-kept-original");
        for name in ["notes.txt", "data.bin"] {
            assert!(
                html.contains(&format!("{name}</bdi>: {kept}")),
                "{lang}: {name}: {html}"
            );
        }
    }
}
