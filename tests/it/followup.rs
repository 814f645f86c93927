//! Integration tests of the codename follow-up channel: real server on
//! loopback, real sled, real Argon2id at the default parameters, real age.
#![forbid(unsafe_code)]
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use amanat_core::api::*;
use amanat_core::crypto::envelope;
use amanat_core::model::Role;
use amanatd::store::EnvelopeKind;
use common::*;
use data_encoding::BASE64;

const ALL: &[Role] = &[Role::Triage, Role::Identity, Role::Admin];

fn submit_with_consent(app: &TestApp, narrative: &str) -> String {
    let mut answers = minimal(narrative);
    answers.push(("consent_contact_back", "yes".into()));
    let (status, html) = submit(app, &answers);
    assert_eq!(status, 200, "{html}");
    codename_of(&html)
}

fn reply_via_api(app: &TestApp, token: &str, id: &str, text: &str) -> reqwest::blocking::Response {
    let detail: ReportDetail = api_get(app, token, &format!("/api/v1/reports/{id}"))
        .json()
        .unwrap();
    let rs = envelope::parse_recipients(&detail.reply_recipients).unwrap();
    let record = serde_json::json!({"schema": "amanat.reply/1", "text": text});
    let ct = envelope::seal(record.to_string().as_bytes(), &rs).unwrap();
    client()
        .post(format!("{}/api/v1/reports/{id}/replies", app.review))
        .bearer_auth(token)
        .json(&ReplyRequest {
            ciphertext: BASE64.encode(&ct),
        })
        .send()
        .unwrap()
}

#[test]
fn the_codename_opens_the_thread_with_replies_and_takes_messages() {
    let (app, rs) = spawn_app(&[("ana", ALL)], |_| {});
    let codename = submit_with_consent(&app, "follow-up flow");
    assert_eq!(codename.split(' ').count(), 8, "{codename}");
    let id = app.store.reports().unwrap()[0].id.clone();

    // Log in (mixed case and extra spaces are fine).
    let messy = format!("  {}  ", codename.to_uppercase().replace(' ', "   "));
    let (status, f, page) = followup_login(&app, &messy);
    assert_eq!(status, 303);
    assert!(f.session.is_some());
    assert!(
        page.contains("Received. A reviewer will read it."),
        "{page}"
    );
    assert!(page.contains("No replies yet"));

    // A reviewer replies; the source reads it.
    let token = login(&app, &rs[0]);
    let resp = reply_via_api(&app, &token, &id, "We received your report. CANARY-REPLY");
    assert_eq!(resp.status(), 201);
    let (_, page, _) = followup_get(&app, Some(&f));
    assert!(
        page.contains("We received your report. CANARY-REPLY"),
        "{page}"
    );

    // The source adds information: stored as a message only triage can read.
    let (status, page) = followup_post(
        &app,
        &f,
        "/followup/message",
        &[("message", "More details CANARY-MSG")],
    );
    assert_eq!(status, 303);
    assert!(page.contains("Your message was received."));
    let meta = app.store.report(&id).unwrap().unwrap();
    let msg = meta
        .envelopes
        .iter()
        .find(|e| e.kind == EnvelopeKind::Message)
        .unwrap();
    let plain = envelope::open(
        &app.store.envelope(&msg.id).unwrap().unwrap(),
        &[&rs[0].identity],
    )
    .unwrap();
    assert!(String::from_utf8_lossy(&plain).contains("More details CANARY-MSG"));

    // Deleting a read reply really deletes it.
    let reply = meta
        .envelopes
        .iter()
        .find(|e| e.kind == EnvelopeKind::Reply)
        .unwrap()
        .id
        .clone();
    let (status, page) = followup_post(&app, &f, "/followup/delete", &[("reply", &reply)]);
    assert_eq!(status, 303);
    assert!(page.contains("The reply was deleted."));
    assert!(!page.contains("CANARY-REPLY"));
    assert!(app.store.envelope(&reply).unwrap().is_none());
    let (status, _) = followup_post(&app, &f, "/followup/delete", &[("reply", &reply)]);
    assert_eq!(status, 404, "deleting twice is a clear not-found");

    // Logout destroys the session on the server.
    let (status, page) = followup_post(&app, &f, "/followup/logout", &[]);
    assert_eq!(status, 200);
    assert!(page.contains("Your report is closed on this device"));
    assert!(app.store.report(&id).unwrap().is_some());
    let (_, page, _) = followup_get(&app, Some(&f));
    assert!(page.contains("name=\"codename\""), "back to the login form");
}

#[test]
fn wrong_swapped_and_unknown_codenames_get_the_same_answer() {
    let (app, _) = spawn_app(&[("ana", ALL)], |_| {});
    let codename = submit_with_consent(&app, "wrong words");
    let words: Vec<&str> = codename.split(' ').collect();
    let mut swapped = words.clone();
    let (a, b) = (0..7)
        .map(|i| (i, i + 1))
        .find(|&(i, j)| words[i] != words[j])
        .unwrap();
    swapped.swap(a, b);
    let unknown = amanat_core::crypto::codename::generate().to_string();
    let mut answers = Vec::new();
    for attempt in [
        swapped.join(" "),
        words[..7].join(" "),
        unknown,
        "hello".to_string(),
    ] {
        let (status, f, page) = followup_login(&app, &attempt);
        assert_eq!(status, 400, "{attempt}");
        assert!(f.session.is_none());
        assert!(
            page.contains("Please check the words and their order"),
            "{page}"
        );
        let start = page.find("<main").unwrap();
        // Strip the per-request token so pages can be compared.
        let body =
            page[start..].replace(&extract_value(&page, "name=\"csrf\" value=\"").unwrap(), "");
        answers.push(body);
    }
    assert!(
        answers.windows(2).all(|w| w[0] == w[1]),
        "the same page whatever the mistake"
    );
}

#[test]
fn replies_must_be_age_ciphertext_to_the_expected_recipients() {
    let (app, rs) = spawn_app(&[("ana", ALL), ("bo", &[Role::Triage])], |_| {});
    submit_with_consent(&app, "reply checks");
    let id = app.store.reports().unwrap()[0].id.clone();
    let token = login(&app, &rs[0]);
    let detail: ReportDetail = api_get(&app, &token, &format!("/api/v1/reports/{id}"))
        .json()
        .unwrap();
    assert_eq!(
        detail.reply_recipients.len(),
        3,
        "source + two triage reviewers"
    );
    let post = |ct: &[u8]| {
        client()
            .post(format!("{}/api/v1/reports/{id}/replies", app.review))
            .bearer_auth(&token)
            .json(&ReplyRequest {
                ciphertext: BASE64.encode(ct),
            })
            .send()
            .unwrap()
    };
    // Plaintext is refused.
    let (s, _, msg) = error_code(post(b"hello source"));
    assert_eq!(s, 400);
    assert!(msg.contains("not an age file"), "{msg}");
    // Encrypted to too few recipients (the source would not be able to read it).
    let only_me = envelope::seal(b"x", &[rs[0].identity.to_public()]).unwrap();
    let (s, _, msg) = error_code(post(&only_me));
    assert_eq!(s, 400);
    assert!(msg.contains("exactly the 3"), "{msg}");
    // A passphrase-encrypted file has the wrong stanza type.
    let enc =
        age::Encryptor::with_user_passphrase(age::secrecy::SecretString::from("pw".to_string()));
    let mut scrypt = Vec::new();
    let mut w = enc.wrap_output(&mut scrypt).unwrap();
    std::io::Write::write_all(&mut w, b"x").unwrap();
    w.finish().unwrap();
    assert_eq!(error_code(post(&scrypt)).0, 400);
    assert_eq!(
        app.store.report(&id).unwrap().unwrap().envelopes.len(),
        1,
        "nothing stored"
    );
    assert_eq!(reply_via_api(&app, &token, &id, "ok").status(), 201);
}

#[test]
fn follow_up_posts_need_a_session_and_a_token() {
    let (app, _) = spawn_app(&[("ana", ALL)], |_| {});
    let codename = submit_with_consent(&app, "csrf");
    let (_, f, _) = followup_login(&app, &codename);
    // No token.
    let resp = client()
        .post(format!("{}/followup/message", app.intake))
        .header("content-type", "application/x-www-form-urlencoded")
        .header("cookie", f.cookies())
        .body("message=hi")
        .send()
        .unwrap();
    assert_eq!(resp.status(), 403);
    // No session: back to login.
    let anon = Followup {
        csrf_cookie: f.csrf_cookie.clone(),
        session: None,
    };
    let (status, page) = followup_post(&app, &anon, "/followup/message", &[("message", "hi")]);
    assert_eq!(status, 401);
    assert!(page.contains("name=\"codename\""));
    let meta = &app.store.reports().unwrap()[0];
    assert_eq!(meta.envelopes.len(), 1, "no message stored");
    // An empty message is refused with the page kept.
    let (status, page) = followup_post(&app, &f, "/followup/message", &[("message", "   ")]);
    assert_eq!(status, 400);
    assert!(page.contains("Please write a message first."));
}

#[test]
fn sessions_expire_and_send_the_source_back_to_login() {
    let (app, _) = spawn_app(&[("ana", ALL)], |c| c.limits.followup_session_idle_secs = 1);
    let codename = submit_with_consent(&app, "expiry");
    let (_, f, page) = followup_login(&app, &codename);
    assert!(page.contains("Received."));
    std::thread::sleep(std::time::Duration::from_millis(2200));
    let (_, page, _) = followup_get(&app, Some(&f));
    assert!(
        page.contains("Your session has ended, for your safety."),
        "{page}"
    );
    assert!(page.contains("name=\"codename\""));
}

#[test]
fn kdf_busy_and_login_rate_limit_answer_clearly() {
    let (app, _) = spawn_app(&[("ana", ALL)], |c| {
        c.kdf.concurrency = 1;
        c.kdf.wait_ms = 0;
        c.kdf.m_cost_kib = 64 * 1024;
        c.kdf.t_cost = 3;
    });
    let codename = submit_with_consent(&app, "busy");
    let results = login_burst(&app, &codename, 6);
    let busy = results.iter().filter(|(s, _)| *s == 503).count();
    let ok = results.iter().filter(|(s, _)| *s == 303).count();
    assert!(ok >= 1, "at least one login gets through");
    assert!(
        busy >= 1,
        "concurrent logins past the permit are refused: {:?}",
        results.iter().map(|r| r.0).collect::<Vec<_>>()
    );
    assert_eq!(ok + busy, 6);
    let busy_page = &results.iter().find(|(s, _)| *s == 503).unwrap().1;
    assert!(busy_page.contains("The server is busy. Please try again in a minute."));

    // With a bounded wait the same burst is served in turn; past the number
    // allowed to wait, the rest are refused at once.
    for (max_waiting, all_served) in [(8, true), (1, false)] {
        let (app, _) = spawn_app(&[("ana", ALL)], |c| {
            c.kdf.concurrency = 1;
            c.kdf.wait_ms = 30_000;
            c.kdf.max_waiting = max_waiting;
            c.kdf.m_cost_kib = 64 * 1024;
            c.kdf.t_cost = 3;
        });
        let codename = submit_with_consent(&app, "queue");
        let statuses: Vec<u16> = login_burst(&app, &codename, 6)
            .into_iter()
            .map(|(s, _)| s)
            .collect();
        let ok = statuses.iter().filter(|s| **s == 303).count();
        if all_served {
            assert_eq!(ok, 6, "every login waited its turn: {statuses:?}");
        } else {
            assert!(
                (1..6).contains(&ok),
                "one waits, the rest are refused: {statuses:?}"
            );
            assert!(statuses.iter().all(|s| *s == 303 || *s == 503));
        }
    }

    let (app, _) = spawn_app(&[("ana", ALL)], |c| c.limits.followup_logins_per_minute = 1);
    let codename = submit_with_consent(&app, "rate");
    assert_eq!(followup_login(&app, &codename).0, 303);
    let (status, _, page) = followup_login(&app, &codename);
    assert_eq!(status, 429);
    assert!(page.contains("Too many people"));
}

/// `n` codename logins at once; each answer's status and page.
fn login_burst(app: &TestApp, codename: &str, n: usize) -> Vec<(u16, String)> {
    std::thread::scope(|s| {
        let handles: Vec<_> = (0..n)
            .map(|_| {
                s.spawn(|| {
                    let (status, _, page) = followup_login(app, codename);
                    (status, page)
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    })
}

/// A second intake server over the same store, with its own configuration
/// (e.g. a free-space floor): sessions and limits are its own, the data is
/// shared. Stopped when the returned guard drops.
struct Sibling {
    intake: String,
    handles: Option<(actix_web::dev::ServerHandle, actix_web::dev::ServerHandle)>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Drop for Sibling {
    fn drop(&mut self) {
        if let Some((a, b)) = self.handles.take() {
            actix_web::rt::System::new().block_on(async {
                a.stop(false).await;
                b.stop(false).await;
            });
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl Site for Sibling {
    fn intake_url(&self) -> &str {
        &self.intake
    }
}

fn sibling(app: &TestApp, tweak: impl FnOnce(&mut amanatd::config::Config)) -> Sibling {
    let mut cfg = amanatd::config::Config::default();
    cfg.intake.addr = "127.0.0.1:0".into();
    cfg.review.addr = "127.0.0.1:0".into();
    cfg.intake.workers = 1;
    cfg.review.workers = 1;
    tweak(&mut cfg);
    let store = app.store.clone();
    let (tx, rx) = std::sync::mpsc::channel();
    let thread = std::thread::spawn(move || {
        actix_web::rt::System::new().block_on(async move {
            let q = std::sync::Arc::new(amanat_core::model::Questionnaire::builtin().unwrap());
            let server = amanatd::server::Application::build(&cfg, store, q, false).unwrap();
            tx.send((server.intake_url(), server.handles())).unwrap();
            server.run().await.unwrap();
        });
    });
    let (intake, handles) = rx.recv().unwrap();
    Sibling {
        intake,
        handles: Some(handles),
        thread: Some(thread),
    }
}

#[test]
fn below_the_free_space_floor_a_follow_up_message_is_refused_and_kept() {
    let (app, _) = spawn_app(&[("ana", ALL)], |_| {});
    let codename = submit_with_consent(&app, "first");
    // The same data on a server whose floor is above any real free space.
    let full = sibling(&app, |c| c.limits.min_free_bytes = u64::MAX);
    let (_, f, _) = followup_login(&full, &codename);
    let before = app.store.reports().unwrap()[0].envelopes.len();
    let (status, page) = followup_post(
        &full,
        &f,
        "/followup/message",
        &[("message", "Kept CANARY-FULL-DISK")],
    );
    assert_eq!(status, 507, "{page}");
    assert!(page.contains("short of disk space"), "{page}");
    assert!(page.contains(">Kept CANARY-FULL-DISK</textarea>"), "{page}");
    let (status, page) = followup_post_files(
        &full,
        &f,
        "Kept CANARY-FULL-DISK",
        false,
        &[("photo.jpg", b"\xff\xd8\xff\xe0 not really")],
    );
    assert_eq!(status, 507, "{page}");
    assert!(page.contains(">Kept CANARY-FULL-DISK</textarea>"), "{page}");
    assert_eq!(
        app.store.reports().unwrap()[0].envelopes.len(),
        before,
        "nothing appended"
    );
    assert!(files_under(&app.store.blobs_dir()).is_empty());
}

#[test]
fn every_source_form_turns_autocomplete_off() {
    let (app, _) = spawn_app(&[("ana", ALL)], |_| {});
    let form_tags = |html: &str| -> Vec<String> {
        html.match_indices("<form ")
            .map(|(i, _)| html[i..i + html[i..].find('>').unwrap() + 1].to_string())
            .collect()
    };
    let anonymity = client()
        .get(format!("{}/report", app.intake))
        .send()
        .unwrap()
        .text()
        .unwrap();
    let report = get_form(&app, "confidential").html;
    let codename = submit_with_consent(&app, "first");
    let (_, _, thread) = followup_login(&app, &codename);
    let (_, login, _) = followup_get(&app, None);
    let mut seen = 0;
    for (page, html) in [
        ("anonymity", &anonymity),
        ("report", &report),
        ("thread", &thread),
        ("login", &login),
    ] {
        let tags = form_tags(html);
        assert!(!tags.is_empty(), "{page} has a form");
        for t in tags {
            assert!(t.contains("autocomplete=\"off\""), "{page}: {t}");
            seen += 1;
        }
    }
    // The anonymity choice, the report, the login, and the thread's
    // message, withdrawal and logout forms (no replies yet to delete).
    assert_eq!(seen, 6);
}

// ----- lockouts: junk never spends the shared budgets (issue 19) -----

/// A cheap KDF, so that floods of logins stay quick.
fn cheap_kdf(c: &mut amanatd::config::Config) {
    c.kdf.m_cost_kib = 7 * 1024;
    c.kdf.t_cost = 2;
    c.kdf.p_cost = 1;
}

/// A fresh anti-forgery cookie and token, as the login page gives them.
fn login_token(app: &TestApp) -> (String, String) {
    let (_, html, set) = followup_get(app, None);
    let token = extract_value(&html, "name=\"csrf\" value=\"").unwrap();
    (set.unwrap(), token)
}

/// POSTs a raw login form; returns the status.
fn raw_login(app: &TestApp, cookie: &str, body: String) -> u16 {
    client()
        .post(format!("{}/followup/login", app.intake))
        .header("content-type", "application/x-www-form-urlencoded")
        .header("cookie", cookie)
        .body(body)
        .send()
        .unwrap()
        .status()
        .as_u16()
}

#[test]
fn junk_logins_never_spend_the_login_budget() {
    let (app, _) = spawn_app(&[("ana", ALL)], |c| {
        cheap_kdf(c);
        c.limits.followup_logins_per_minute = 3;
    });
    let codename = submit_with_consent(&app, "junk logins");
    // 200 junk logins: a codename that fails its checksum with a valid
    // token, no token, a wrong token, and a body over the size limit.
    for i in 0..200 {
        let (cookie, token) = login_token(&app);
        let (body, want) = match i % 4 {
            0 => (encode(&[("csrf", &token), ("codename", "x")]), 400),
            1 => (encode(&[("codename", &codename)]), 403),
            2 => (encode(&[("csrf", "forged"), ("codename", &codename)]), 403),
            _ => (format!("codename={}", "a".repeat(5000)), 400),
        };
        assert_eq!(raw_login(&app, &cookie, body), want, "junk login {i}");
    }
    let (status, f, page) = followup_login(&app, &codename);
    assert_eq!(status, 303, "the real source still gets in: {page}");
    assert!(f.session.is_some());
}

#[test]
fn a_login_past_the_budget_waits_briefly_for_a_slot() {
    // One slot every 5 s once 12 are spent; waits of up to 7 s.
    let (app, _) = spawn_app(&[("ana", ALL)], |c| {
        cheap_kdf(c);
        c.limits.followup_logins_per_minute = 12;
        c.limits.rate_wait_ms = 7000;
    });
    let codename = submit_with_consent(&app, "queued login");
    // Codenames with a valid checksum are cheap to make: they do count.
    for _ in 0..12 {
        let junk = amanat_core::crypto::codename::generate().to_string();
        assert_eq!(followup_login(&app, &junk).0, 400);
    }
    // Three logins at once: the first waits for the next slot; the others
    // would wait past the bound and are refused at once, with the clear page.
    let started = std::time::Instant::now();
    let results = login_burst(&app, &codename, 3);
    let mut statuses: Vec<u16> = results.iter().map(|r| r.0).collect();
    statuses.sort_unstable();
    assert_eq!(statuses, [303, 429, 429], "one waits, two are refused");
    let waited = started.elapsed();
    assert!(
        waited >= std::time::Duration::from_secs(2),
        "the slot came after {waited:?}"
    );
    let refused = &results.iter().find(|r| r.0 == 429).unwrap().1;
    assert!(refused.contains("Too many people"), "{refused}");
}

#[test]
fn a_full_session_table_ends_old_sessions_instead_of_refusing_logins() {
    let (app, _) = spawn_app(&[("ana", ALL)], |c| {
        cheap_kdf(c);
        c.limits.followup_logins_per_minute = 1_000_000;
        c.limits.followup_sessions_max = 5;
    });
    let real = submit_with_consent(&app, "real source");
    let (status, early, _) = followup_login(&app, &real);
    assert_eq!(status, 303);
    // Someone with two codenames of their own logs in 200 times.
    let junk = [
        submit_with_consent(&app, "flood one"),
        submit_with_consent(&app, "flood two"),
    ];
    for i in 0..200 {
        assert_eq!(followup_login(&app, &junk[i % 2]).0, 303, "flood login {i}");
    }
    // One codename holds only a few sessions: the real source's session
    // opened before the flood is still there, and a new login works.
    let (_, page, _) = followup_get(&app, Some(&early));
    assert!(!page.contains("name=\"codename\""), "still logged in");
    let (status, f, page) = followup_login(&app, &real);
    assert_eq!(status, 303, "{page}");
    assert!(f.session.is_some());
}

#[test]
fn follow_up_messages_are_rate_limited_and_junk_does_not_count() {
    let (app, _) = spawn_app(&[("ana", ALL)], |c| {
        cheap_kdf(c);
        c.limits.followup_messages_per_minute = 2;
    });
    let codename = submit_with_consent(&app, "messages");
    let id = app.store.reports().unwrap()[0].id.clone();
    let (_, f, _) = followup_login(&app, &codename);
    let messages = || {
        app.store
            .report(&id)
            .unwrap()
            .unwrap()
            .envelopes
            .iter()
            .filter(|e| e.kind == EnvelopeKind::Message)
            .count()
    };
    // 200 junk messages: no session, no token, empty.
    let c = client();
    for i in 0..200 {
        let (cookie, body, want) = match i % 3 {
            0 => (f.csrf_cookie.clone(), encode(&[("message", "junk")]), 401),
            1 => (f.cookies(), encode(&[("message", "junk")]), 403),
            _ => {
                let (_, html, _) = followup_get(&app, Some(&f));
                let token = extract_value(&html, "name=\"csrf\" value=\"").unwrap();
                (
                    f.cookies(),
                    encode(&[("csrf", &token), ("message", " ")]),
                    400,
                )
            }
        };
        let status = c
            .post(format!("{}/followup/message", app.intake))
            .header("content-type", "application/x-www-form-urlencoded")
            .header("cookie", cookie)
            .body(body)
            .send()
            .unwrap()
            .status()
            .as_u16();
        assert_eq!(status, want, "junk message {i}");
    }
    assert_eq!(messages(), 0);
    // Two real messages fit the budget; the third is refused (a slot would
    // come only in 30 s, past the wait bound) and its text is kept.
    for n in 0..2 {
        let (status, _) = followup_post(&app, &f, "/followup/message", &[("message", "real")]);
        assert_eq!(status, 303, "message {n}");
    }
    let (status, page) = followup_post(
        &app,
        &f,
        "/followup/message",
        &[("message", "third CANARY-KEEP")],
    );
    assert_eq!(status, 429, "{page}");
    assert!(page.contains("Too many people"), "{page}");
    assert!(page.contains("third CANARY-KEEP"), "the draft is kept");
    assert_eq!(messages(), 2);
}
