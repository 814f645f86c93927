//! Triage, identity access, notes, audit and consent withdrawal through the
//! real server (loopback, real sled, real age).
#![forbid(unsafe_code)]
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use amanat_core::api::*;
use amanat_core::crypto::envelope;
use amanat_core::model::{Role, State};
use amanatd::store::EnvelopeKind;
use common::*;
use data_encoding::BASE64;

const ALL: &[Role] = &[Role::Triage, Role::Identity, Role::Admin];
const TRIAGE: &[Role] = &[Role::Triage];

fn post_triage(
    app: &TestApp,
    token: &str,
    id: &str,
    body: serde_json::Value,
) -> reqwest::blocking::Response {
    client()
        .post(format!("{}/api/v1/reports/{id}/triage", app.review))
        .bearer_auth(token)
        .json(&body)
        .send()
        .unwrap()
}

#[test]
fn the_state_machine_is_enforced_with_clear_messages() {
    let (app, rs) = spawn_app(&[("ana", ALL)], |_| {});
    assert_eq!(submit(&app, &minimal("triage")).0, 200);
    let id = app.store.reports().unwrap()[0].id.clone();
    let t = login(&app, &rs[0]);

    let (s, code, msg) = error_code(post_triage(
        &app,
        &t,
        &id,
        serde_json::json!({"state": "referred"}),
    ));
    assert_eq!((s, code.as_str()), (409, "illegal_transition"));
    assert!(
        msg.contains("from `new` to `referred`; allowed: acknowledged, closed"),
        "{msg}"
    );

    let r: ReportSummary = post_triage(
        &app,
        &t,
        &id,
        serde_json::json!({"state": "acknowledged", "urgency": "high"}),
    )
    .json()
    .unwrap();
    assert_eq!(
        (r.state, r.urgency, r.urgency_confirmed),
        (State::Acknowledged, amanat_core::model::Urgency::High, true)
    );

    let (s, _, msg) = error_code(post_triage(
        &app,
        &t,
        &id,
        serde_json::json!({"state": "closed"}),
    ));
    assert_eq!(s, 400);
    assert!(
        msg.contains(
            "closing needs a reason: resolved, out_of_scope, duplicate, withdrawn, no_consent, spam"
        ),
        "{msg}"
    );
    let (s, _, _) = error_code(post_triage(
        &app,
        &t,
        &id,
        serde_json::json!({"reason": "spam"}),
    ));
    assert_eq!(s, 400);
    let (s, _, msg) = error_code(post_triage(
        &app,
        &t,
        &id,
        serde_json::json!({"state": "nonsense"}),
    ));
    assert_eq!(s, 400);
    assert!(msg.contains("expected one of `new`"), "{msg}");
    let (s, _, _) = error_code(post_triage(&app, &t, &id, serde_json::json!({})));
    assert_eq!(s, 400);

    let r: ReportSummary = post_triage(
        &app,
        &t,
        &id,
        serde_json::json!({"state": "closed", "reason": "duplicate"}),
    )
    .json()
    .unwrap();
    assert_eq!(r.state, State::Closed);
    assert_eq!(
        r.closed_reason,
        Some(amanat_core::model::CloseReason::Duplicate)
    );
    let (s, _, msg) = error_code(post_triage(
        &app,
        &t,
        &id,
        serde_json::json!({"state": "in_review"}),
    ));
    assert_eq!(s, 409);
    assert!(msg.contains("a closed report stays closed"), "{msg}");

    let audit = app.store.audit_entries().unwrap();
    let triage: Vec<_> = audit
        .iter()
        .filter(|e| e.event.action == amanat_core::audit::Action::Triage)
        .collect();
    assert_eq!(triage.len(), 2, "only accepted changes are audited");
    assert!(
        triage[1]
            .event
            .detail
            .as_deref()
            .unwrap()
            .contains("reason=duplicate")
    );
}

#[test]
fn assignment_and_notes_are_checked() {
    let (app, rs) = spawn_app(
        &[("ana", ALL), ("bo", TRIAGE), ("ida", &[Role::Identity])],
        |_| {},
    );
    assert_eq!(submit(&app, &minimal("notes")).0, 200);
    let id = app.store.reports().unwrap()[0].id.clone();
    let t = login(&app, &rs[0]);
    let r: ReportSummary = post_triage(&app, &t, &id, serde_json::json!({"assign": "bo"}))
        .json()
        .unwrap();
    assert_eq!(r.assignee.as_deref(), Some(rs[1].id.as_str()));
    assert_eq!(r.assignee_name.as_deref(), Some("bo"));
    let (s, _, msg) = error_code(post_triage(
        &app,
        &t,
        &id,
        serde_json::json!({"assign": "ida"}),
    ));
    assert_eq!(s, 400);
    assert!(msg.contains("does not have the triage role"));
    let (s, _, _) = error_code(post_triage(
        &app,
        &t,
        &id,
        serde_json::json!({"assign": "nobody"}),
    ));
    assert_eq!(s, 400);
    let r: ReportSummary = post_triage(&app, &t, &id, serde_json::json!({"assign": ""}))
        .json()
        .unwrap();
    assert_eq!(r.assignee, None);

    // A note must be encrypted to every triage reviewer.
    let rec: Recipients = api_get(&app, &t, "/api/v1/recipients").json().unwrap();
    assert_eq!(rec.triage.len(), 2);
    let only_me = envelope::seal(b"note", &[rs[0].identity.to_public()]).unwrap();
    let (s, _, msg) = error_code(post_triage(
        &app,
        &t,
        &id,
        serde_json::json!({"note": BASE64.encode(&only_me)}),
    ));
    assert_eq!(s, 400);
    assert!(msg.contains("exactly the 2 triage reviewers"), "{msg}");
    let rs_all = envelope::parse_recipients(&rec.triage).unwrap();
    let ct = envelope::seal(
        br#"{"schema":"amanat.note/1","text":"call back","tags":["urgent"]}"#,
        &rs_all,
    )
    .unwrap();
    assert_eq!(
        post_triage(
            &app,
            &t,
            &id,
            serde_json::json!({"note": BASE64.encode(&ct)})
        )
        .status(),
        200
    );
    let meta = app.store.report(&id).unwrap().unwrap();
    let note = meta
        .envelopes
        .iter()
        .find(|e| e.kind == EnvelopeKind::Note)
        .unwrap();
    let plain = envelope::open(
        &app.store.envelope(&note.id).unwrap().unwrap(),
        &[&rs[1].identity],
    )
    .unwrap();
    assert!(String::from_utf8_lossy(&plain).contains("call back"));
}

#[test]
fn identity_is_served_only_to_identity_reviewers_and_refusals_are_audited() {
    let (app, rs) = spawn_app(&[("ana", ALL), ("bo", TRIAGE)], |_| {});
    let mut answers = minimal("identity");
    answers.push(("identity_name", "Canary Person".into()));
    assert_eq!(submit(&app, &answers).0, 200);
    let id = app.store.reports().unwrap()[0].id.clone();
    let bo = login(&app, &rs[1]);
    let (s, code, msg) = error_code(api_get(
        &app,
        &bo,
        &format!("/api/v1/reports/{id}/identity"),
    ));
    assert_eq!((s, code.as_str()), (403, "forbidden"));
    assert!(msg.contains("identity"));
    let denied = app
        .store
        .audit_entries()
        .unwrap()
        .into_iter()
        .filter(|e| {
            e.event.action == amanat_core::audit::Action::ReadIdentityDenied
                && e.event.actor == rs[1].id
        })
        .count();
    assert_eq!(denied, 1);
    let ana = login(&app, &rs[0]);
    let d: IdentityData = api_get(&app, &ana, &format!("/api/v1/reports/{id}/identity"))
        .json()
        .unwrap();
    let env = d.envelope.unwrap();
    let plain = envelope::open(
        &BASE64.decode(env.ciphertext.as_bytes()).unwrap(),
        &[&rs[0].identity],
    )
    .unwrap();
    assert!(String::from_utf8_lossy(&plain).contains("Canary Person"));
}

#[test]
fn the_audit_log_is_for_admins_and_records_exports() {
    let (app, rs) = spawn_app(&[("ana", ALL), ("bo", TRIAGE)], |_| {});
    assert_eq!(submit(&app, &minimal("audit")).0, 200);
    let id = app.store.reports().unwrap()[0].id.clone();
    let bo = login(&app, &rs[1]);
    assert_eq!(error_code(api_get(&app, &bo, "/api/v1/audit")).0, 403);
    let resp = client()
        .post(format!("{}/api/v1/audit/export", app.review))
        .bearer_auth(&bo)
        .json(&ExportRecord {
            profile: Profile::Stats,
            format: Format::Csv,
            reports: vec![id.clone()],
        })
        .send()
        .unwrap();
    assert_eq!(resp.status(), 204);
    let resp = client()
        .post(format!("{}/api/v1/audit/export", app.review))
        .bearer_auth(&bo)
        // A profile no CLI knows is refused as the body is read.
        .json(&serde_json::json!({ "profile": "everything", "format": "csv", "reports": [] }))
        .send()
        .unwrap();
    assert_eq!(resp.status(), 400);
    let ana = login(&app, &rs[0]);
    let log: AuditLog = api_get(&app, &ana, "/api/v1/audit").json().unwrap();
    assert!(log.broken.is_none());
    assert!(log.entries.iter().any(|e| e.event.action
        == amanat_core::audit::Action::ExportRequested
        && e.event.report.as_deref() == Some(id.as_str())
        && e.event.detail.as_deref() == Some("stats csv")));
}

#[test]
fn a_source_can_withdraw_consent_through_the_follow_up_channel() {
    let (app, rs) = spawn_app(&[("ana", ALL)], |_| {});
    let mut answers = minimal("withdraw");
    answers.push(("consent_share_ohchr", "yes".into()));
    let (_, html) = submit(&app, &answers);
    let codename = codename_of(&html);
    let (_, f, page) = followup_login(&app, &codename);
    assert!(page.contains("Withdraw your consent"));
    assert!(page.contains("value=\"consent_share_ohchr\""));
    let (status, page) = followup_post(&app, &f, "/followup/withdraw", &[]);
    assert_eq!(status, 400);
    assert!(page.contains("Please tick at least one item"));
    let (status, _) = followup_post(
        &app,
        &f,
        "/followup/withdraw",
        &[("withdraw", "not_a_consent")],
    );
    assert_eq!(status, 400);
    let (status, page) = followup_post(
        &app,
        &f,
        "/followup/withdraw",
        &[("withdraw", "consent_share_ohchr")],
    );
    assert_eq!(status, 303);
    assert!(page.contains("Your withdrawal was recorded."));
    let meta = &app.store.reports().unwrap()[0];
    let w = meta
        .envelopes
        .iter()
        .find(|e| e.kind == EnvelopeKind::Withdrawal)
        .unwrap();
    let plain = envelope::open(
        &app.store.envelope(&w.id).unwrap().unwrap(),
        &[&rs[0].identity],
    )
    .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&plain).unwrap();
    assert_eq!(v["withdraw"], serde_json::json!(["consent_share_ohchr"]));
}

/// Issue 19 (Medium 5): listing the queue writes the declared
/// `list_reports` entry, and an export record naming a report that does not
/// exist is refused whole, recording nothing.
#[test]
fn listing_is_audited_and_exports_of_unknown_reports_are_refused() {
    let (app, rs) = spawn_app(&[("ana", ALL), ("bo", TRIAGE)], |_| {});
    assert_eq!(submit(&app, &minimal("listed")).0, 200);
    let id = app.store.reports().unwrap()[0].id.clone();
    let bo = login(&app, &rs[1]);
    let list: ReportList = api_get(&app, &bo, "/api/v1/reports").json().unwrap();
    assert_eq!(list.reports.len(), 1);
    let entries = app.store.audit_entries().unwrap();
    let last = entries.last().unwrap();
    assert_eq!(
        (last.event.action, last.event.actor.as_str()),
        (amanat_core::audit::Action::ListReports, rs[1].id.as_str())
    );

    let before = app.store.audit_entries().unwrap().len();
    let ghost = amanat_core::crypto::random::id();
    let (status, code, message) = error_code(
        client()
            .post(format!("{}/api/v1/audit/export", app.review))
            .bearer_auth(&bo)
            .json(&ExportRecord {
                profile: Profile::Internal,
                format: Format::Json,
                reports: vec![id.clone(), ghost.clone()],
            })
            .send()
            .unwrap(),
    );
    assert_eq!((status, code.as_str()), (404, "not_found"));
    assert!(
        message.contains(&ghost) && message.contains("nothing was recorded"),
        "{message}"
    );
    assert_eq!(
        app.store.audit_entries().unwrap().len(),
        before,
        "not even the real report's export was recorded"
    );
}

/// Issue 19 (Medium 5): when the audit entry cannot be written, the action
/// fails with 503 and nothing is served or changed. The failure is real: the
/// newest audit record is damaged on disk, so no entry can be chained to it.
#[test]
fn a_failing_audit_append_fails_the_action_and_serves_nothing() {
    let (app, rs) = spawn_app(&[("ana", ALL), ("bo", TRIAGE)], |_| {});
    let mut answers = minimal("CANARY-AUDIT-FAIL");
    answers.push(("consent_contact_back", "yes".into()));
    assert_eq!(submit(&app, &answers).0, 200);
    let meta = app.store.reports().unwrap()[0].clone();
    let id = meta.id.clone();
    let ana = login(&app, &rs[0]);
    let detail: ReportDetail = api_get(&app, &ana, &format!("/api/v1/reports/{id}"))
        .json()
        .unwrap();

    // Damage the chain's tail, as a torn write or a bad disk would.
    let next = app.store.audit_head().unwrap().unwrap().seq + 1;
    app.store
        .audit_tree()
        .insert(next.to_be_bytes(), &b"{\"seq\":"[..])
        .unwrap();
    app.store.flush().unwrap();

    let refused = |resp: reqwest::blocking::Response, what: &str| {
        let status = resp.status().as_u16();
        let body = resp.text().unwrap();
        assert_eq!(status, 503, "{what}: {body}");
        assert!(body.contains("audit_unavailable"), "{what}: {body}");
        assert!(!body.contains("ciphertext"), "{what} served data: {body}");
    };
    refused(api_get(&app, &ana, "/api/v1/reports"), "the queue");
    refused(
        api_get(&app, &ana, &format!("/api/v1/reports/{id}")),
        "a report",
    );
    refused(
        api_get(&app, &ana, &format!("/api/v1/reports/{id}/identity")),
        "an identity",
    );
    refused(
        post_triage(
            &app,
            &ana,
            &id,
            serde_json::json!({ "state": "acknowledged" }),
        ),
        "a triage change",
    );
    let rs_reply = envelope::parse_recipients(&detail.reply_recipients).unwrap();
    let ct = envelope::seal(b"{\"text\":\"hello\"}", &rs_reply).unwrap();
    refused(
        client()
            .post(format!("{}/api/v1/reports/{id}/replies", app.review))
            .bearer_auth(&ana)
            .json(&ReplyRequest {
                ciphertext: BASE64.encode(&ct),
            })
            .send()
            .unwrap(),
        "a reply",
    );
    let (_, recipient) = amanat_core::crypto::keys::generate();
    refused(
        client()
            .post(format!("{}/api/v1/reviewers", app.review))
            .bearer_auth(&ana)
            .json(&AddReviewerRequest {
                name: "dee".into(),
                recipient,
                roles: vec![Role::Triage],
            })
            .send()
            .unwrap(),
        "an enrolment",
    );
    // A login cannot be audited either, so no session is handed out.
    let c = client();
    let ch: ChallengeResponse = c
        .post(format!("{}/api/v1/auth/challenge", app.review))
        .json(&ChallengeRequest {
            recipient: rs[1].recipient.clone(),
        })
        .send()
        .unwrap()
        .json()
        .unwrap();
    let nonce = envelope::open(
        &BASE64.decode(ch.challenge.as_bytes()).unwrap(),
        &[&rs[1].identity],
    )
    .unwrap();
    refused(
        c.post(format!("{}/api/v1/auth/verify", app.review))
            .json(&VerifyRequest {
                challenge_id: ch.challenge_id,
                response: String::from_utf8(nonce.to_vec()).unwrap(),
            })
            .send()
            .unwrap(),
        "a login",
    );

    // Nothing changed.
    let after = app.store.report(&id).unwrap().unwrap();
    assert_eq!(after, meta, "no state change, no reply stored");
    assert_eq!(app.store.reviewers().unwrap().len(), 2);
}

/// `amanat list` prints the first page and says how to see the rest;
/// `--all` walks every page (JSON stays one array); `amanat queue` counts
/// the whole queue from the server's kept counts.
#[test]
fn the_cli_lists_a_first_page_or_every_page() {
    use amanat_core::model::{Anonymity, Urgency};
    let mut server = common::cli::Server::start(&[("ana", "triage")]);
    server.stop();
    {
        let store = amanatd::store::Store::open(&server.data).unwrap();
        for i in 0..1234 {
            store
                .insert_report(amanatd::store::NewReport {
                    anonymity: Anonymity::Anonymous,
                    urgency: Urgency::ALL[i % 4],
                    envelopes: vec![amanatd::store::NewEnvelope {
                        kind: EnvelopeKind::Report,
                        ciphertext: b"not read here".to_vec(),
                        recipients: vec![],
                    }],
                    source: None,
                    blobs: vec![],
                })
                .unwrap();
        }
    }
    // Pages of 1000: `--all` prints two as they arrive, under one header.
    server.restart_with(&[("AMANAT_LIMITS_LIST_PAGE_MAX", "1000")]);
    server.login("ana").succeeded();
    let ana = server.reviewer("ana");
    let rows = |out: &str| out.lines().filter(|l| l.contains("anonymous")).count();

    let first = ana.amanat(&["list"]);
    first.succeeded();
    assert_eq!(rows(&first.stdout()), 100);
    assert!(first.stdout().starts_with("ID "), "one header");
    assert!(
        first
            .stderr()
            .contains("The first 100 reports; `amanat list --all` lists every one."),
        "{}",
        first.stderr()
    );

    let all = ana.amanat(&["list", "--all"]);
    all.succeeded();
    assert_eq!(rows(&all.stdout()), 1234, "two pages of 1000 and 234");
    assert_eq!(all.stdout().matches("ID ").count(), 1, "one header");
    assert!(all.stderr().is_empty(), "{}", all.stderr());

    let json = ana.amanat(&["list", "--all", "--json", "--urgency", "critical"]);
    json.succeeded();
    let v: Vec<serde_json::Value> = serde_json::from_str(&json.stdout()).unwrap();
    assert_eq!(v.len(), 309, "every fourth of 1234, rounded up");
    assert!(
        v.iter()
            .all(|r| r["urgency"] == "critical" && r["overdue"] == false)
    );
    let page: Vec<serde_json::Value> =
        serde_json::from_str(&ana.amanat(&["list", "--json"]).stdout()).unwrap();
    assert_eq!(page.len(), 100);
    let none = ana.amanat(&["list", "--json", "--state", "closed"]);
    assert_eq!(none.stdout(), "[]\n");

    let queue = ana.amanat(&["queue", "--json"]);
    let q: serde_json::Value = serde_json::from_str(&queue.succeeded().stdout()).unwrap();
    assert_eq!(q["total"], 1234);
    assert_eq!(q["by_state"]["new"], 1234);
    assert_eq!(q["unassigned_critical"], 309);
    assert_eq!(q["overdue"].as_array().unwrap().len(), 0);
}
