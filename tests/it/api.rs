//! Integration tests: the real server on loopback (port 0), a real sled
//! store in a temporary directory, real age, real HTTP.
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
const TRIAGE: &[Role] = &[Role::Triage];

#[test]
fn a_browser_without_javascript_can_submit_and_the_report_is_encrypted() {
    let (app, rs) = spawn_app(&[("ana", ALL), ("bo", TRIAGE)], |_| {});
    let mut answers = minimal("They took my passport. CANARY-E2E-1");
    answers.push(("identity_name", "Jane Canary".into()));
    answers.push(("current_risk", "detained".into()));
    let (status, html) = submit(&app, &answers);
    assert_eq!(status, 200, "{html}");
    assert!(html.contains("Your report was received"));

    let reports = app.store.reports().unwrap();
    assert_eq!(reports.len(), 1);
    let meta = &reports[0];
    assert_eq!(
        meta.urgency,
        amanat_core::model::Urgency::Critical,
        "detained → proposed critical"
    );
    assert!(!meta.urgency_confirmed);
    let report_env = meta
        .envelopes
        .iter()
        .find(|e| e.kind == EnvelopeKind::Report)
        .unwrap();
    let id_env = meta
        .envelopes
        .iter()
        .find(|e| e.kind == EnvelopeKind::Identity)
        .unwrap();
    assert_eq!(
        report_env.recipients.len(),
        2,
        "report to both triage reviewers"
    );
    assert_eq!(
        id_env.recipients,
        vec![rs[0].recipient.clone()],
        "identity only to ana"
    );

    let ct = app.store.envelope(&report_env.id).unwrap().unwrap();
    let plain = envelope::open(&ct, &[&rs[1].identity]).unwrap();
    let json: serde_json::Value = serde_json::from_slice(&plain).unwrap();
    assert_eq!(json["schema"], "amanat.report/1");
    assert_eq!(json["lang"], "en");
    assert_eq!(
        json["answers"]["narrative"],
        "They took my passport. CANARY-E2E-1"
    );
    assert_eq!(json["answers"]["consent_informed_of_risks"], false);
    assert!(
        json["answers"].get("identity_name").is_none(),
        "identity is not in the report envelope"
    );

    let id_ct = app.store.envelope(&id_env.id).unwrap().unwrap();
    assert!(
        envelope::open(&id_ct, &[&rs[1].identity]).is_err(),
        "bo cannot open identity"
    );
    let id_plain = envelope::open(&id_ct, &[&rs[0].identity]).unwrap();
    assert!(String::from_utf8_lossy(&id_plain).contains("Jane Canary"));
}

#[test]
fn every_response_carries_the_security_headers() {
    let (app, _) = spawn_app(&[("ana", ALL)], |_| {});
    for url in [
        format!("{}/", app.intake),
        format!("{}/report", app.intake),
        format!("{}/nope", app.intake),
        format!("{}/static/style.css", app.intake),
        format!("{}/api/v1/reports", app.review),
        format!("{}/healthz", app.review),
    ] {
        let resp = client().get(&url).send().unwrap();
        let h = resp.headers();
        let get = |n: &str| {
            h.get(n)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("")
                .to_string()
        };
        assert_eq!(
            get("content-security-policy"),
            "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
            "{url}"
        );
        assert_eq!(get("x-content-type-options"), "nosniff", "{url}");
        assert_eq!(get("referrer-policy"), "no-referrer", "{url}");
        assert_eq!(get("cache-control"), "no-store", "{url}");
        assert_eq!(get("x-frame-options"), "DENY", "{url}");
        assert!(get("permissions-policy").contains("camera=()"), "{url}");
        assert!(
            h.get("strict-transport-security").is_none(),
            "no HSTS over plain HTTP"
        );
    }
}

#[test]
fn each_listener_serves_only_its_own_routes() {
    let (app, _) = spawn_app(&[("ana", ALL)], |_| {});
    for path in ["/api/v1/reports", "/api/v1/auth/challenge", "/healthz"] {
        let resp = client()
            .get(format!("{}{path}", app.intake))
            .send()
            .unwrap();
        assert_eq!(resp.status(), 404, "{path} on intake");
        assert!(resp.text().unwrap().contains("This page does not exist"));
    }
    for path in ["/", "/report", "/static/style.css"] {
        let resp = client()
            .get(format!("{}{path}", app.review))
            .send()
            .unwrap();
        let (status, code, _) = error_code(resp);
        assert_eq!(
            (status, code.as_str()),
            (404, "not_found"),
            "{path} on review"
        );
    }
    assert_eq!(
        client()
            .get(format!("{}/healthz", app.review))
            .send()
            .unwrap()
            .status(),
        200
    );
}

#[test]
fn no_triage_reviewer_means_no_report_is_accepted() {
    let (app, _) = spawn_app(&[("ida", &[Role::Identity])], |_| {});
    let resp = client()
        .get(format!("{}/report?anonymity=anonymous", app.intake))
        .send()
        .unwrap();
    assert_eq!(resp.status(), 503);
    assert!(resp.text().unwrap().contains("no reviewer has been set up"));
    let resp = post_form(&app, "amanat_csrf=x", encode(&[("narrative", "x")]));
    assert_eq!(resp.status(), 503);
    assert_eq!(app.store.report_count(), 0);
}

#[test]
fn missing_answers_show_the_form_again_with_values_kept() {
    let (app, _) = spawn_app(&[("ana", ALL)], |_| {});
    let answers = vec![
        ("lang", "en".to_string()),
        ("anonymity", "confidential".to_string()),
        ("narrative", "Kept <b>text</b> CANARY-KEEP".to_string()),
        ("victim_type", "journalist".to_string()),
    ];
    let (status, html) = submit(&app, &answers);
    assert_eq!(status, 400);
    assert!(
        html.contains("Please check 3 answers"),
        "error summary counts the problems"
    );
    assert!(
        html.contains("href=\"#country\""),
        "summary links to the field"
    );
    assert!(html.contains("This question needs an answer."));
    assert!(
        html.contains("Kept &#60;b&#62;text&#60;/b&#62; CANARY-KEEP")
            || html.contains("Kept &lt;b&gt;text&lt;/b&gt; CANARY-KEEP"),
        "narrative kept and escaped"
    );
    assert!(
        html.contains("value=\"journalist\" checked"),
        "checkbox kept"
    );
    assert!(
        extract_value(&html, "name=\"csrf\" value=\"").is_some(),
        "a fresh token to resubmit"
    );
    assert_eq!(app.store.report_count(), 0, "nothing stored");
}

#[test]
fn forged_missing_or_reused_tokens_are_refused() {
    let (app, _) = spawn_app(&[("ana", ALL)], |_| {});
    let answers = minimal("csrf test");
    let pairs = |tok: &str| {
        let mut p: Vec<(&str, &str)> = vec![("csrf", tok)];
        p.extend(answers.iter().map(|(k, v)| (*k, v.as_str())));
        encode(&p)
    };
    let f = get_form(&app, "confidential");
    // No token.
    let body = encode(
        &answers
            .iter()
            .map(|(k, v)| (*k, v.as_str()))
            .collect::<Vec<_>>(),
    );
    let resp = post_form(&app, &f.cookie, body);
    assert_eq!(resp.status(), 403);
    assert!(resp.text().unwrap().contains("This form has expired"));
    // Token with another browser's cookie.
    assert_eq!(
        post_form(&app, "amanat_csrf=someoneelse", pairs(&f.token)).status(),
        403
    );
    // Forged token.
    assert_eq!(
        post_form(&app, &f.cookie, pairs("aaaaaaaaaaaaaaaa")).status(),
        403
    );
    // Valid, then replayed.
    assert_eq!(post_form(&app, &f.cookie, pairs(&f.token)).status(), 200);
    assert_eq!(post_form(&app, &f.cookie, pairs(&f.token)).status(), 403);
    assert_eq!(app.store.report_count(), 1);
}

#[test]
fn oversized_malformed_and_unexpected_bodies_are_refused_and_store_nothing() {
    let (app, _) = spawn_app(&[("ana", ALL)], |c| c.limits.form_body_bytes = 16 * 1024);
    let f = get_form(&app, "confidential");
    let resp = post_form(&app, &f.cookie, format!("narrative={}", "a".repeat(20_000)));
    assert_eq!(resp.status(), 413);
    assert!(
        resp.text()
            .unwrap()
            .contains("too large (the limit is 16 KiB)")
    );

    let resp = post_form(&app, &f.cookie, b"narrative=%FF%FE".to_vec());
    assert_eq!(resp.status(), 400);
    assert!(resp.text().unwrap().contains("not in a readable format"));

    let mut p: Vec<(&str, &str)> = vec![("csrf", f.token.as_str()), ("evil", "1")];
    let answers = minimal("x");
    p.extend(answers.iter().map(|(k, v)| (*k, v.as_str())));
    let resp = post_form(&app, &f.cookie, encode(&p));
    assert_eq!(resp.status(), 400);
    assert!(
        resp.text()
            .unwrap()
            .contains("unexpected or repeated fields")
    );

    let resp = client()
        .post(format!("{}/report", app.intake))
        .header("content-type", "application/json")
        .body("{}")
        .send()
        .unwrap();
    assert_eq!(resp.status(), 400);
    let resp = client()
        .put(format!("{}/report", app.intake))
        .send()
        .unwrap();
    assert_eq!(resp.status(), 405);
    assert_eq!(app.store.report_count(), 0);
}

#[test]
fn anonymous_reports_refuse_identity_fields() {
    let (app, _) = spawn_app(&[("ana", ALL)], |_| {});
    let form = get_form(&app, "anonymous");
    assert!(
        !form.html.contains("identity_name"),
        "the anonymous form does not ask"
    );
    let mut answers = minimal("anon");
    answers[1] = ("anonymity", "anonymous".into());
    answers.push(("identity_name", "Jane Canary".into()));
    let (status, html) = submit(&app, &answers);
    assert_eq!(status, 400);
    assert!(html.contains("You chose to stay anonymous"));
    assert_eq!(app.store.report_count(), 0);
}

#[test]
fn the_submission_rate_limit_keeps_the_answers() {
    let (app, _) = spawn_app(&[("ana", ALL)], |c| c.limits.submissions_per_minute = 1);
    assert_eq!(submit(&app, &minimal("first")).0, 200);
    let (status, html) = submit(&app, &minimal("second CANARY-RL"));
    assert_eq!(status, 429);
    assert!(html.contains("Too many people are using this service"));
    assert!(
        html.contains("second CANARY-RL"),
        "answers kept for the retry"
    );
    assert_eq!(app.store.report_count(), 1);
}

#[test]
fn reviewers_log_in_by_challenge_and_read_only_what_their_roles_allow() {
    let (app, rs) = spawn_app(
        &[("ana", ALL), ("bo", TRIAGE), ("cy", &[Role::Identity])],
        |_| {},
    );
    let mut answers = minimal("roles");
    answers.push(("identity_contact", "signal:+000".into()));
    assert_eq!(submit(&app, &answers).0, 200);
    let id = app.store.reports().unwrap()[0].id.clone();

    let ana = login(&app, &rs[0]);
    let bo = login(&app, &rs[1]);
    let cy = login(&app, &rs[2]);

    let list: ReportList = api_get(&app, &bo, "/api/v1/reports").json().unwrap();
    assert_eq!(list.reports.len(), 1);
    assert_eq!(list.reports[0].id, id);

    let d: ReportDetail = api_get(&app, &ana, &format!("/api/v1/reports/{id}"))
        .json()
        .unwrap();
    assert_eq!(d.envelopes.len(), 2);
    assert!(!d.identity_withheld);
    let d: ReportDetail = api_get(&app, &bo, &format!("/api/v1/reports/{id}"))
        .json()
        .unwrap();
    assert_eq!(d.envelopes.len(), 1, "bo gets no identity envelope");
    assert!(d.identity_withheld);
    let ct = BASE64.decode(d.envelopes[0].ciphertext.as_bytes()).unwrap();
    assert!(envelope::open(&ct, &[&rs[1].identity]).is_ok());

    let (s, code, msg) = error_code(api_get(&app, &cy, "/api/v1/reports"));
    assert_eq!((s, code.as_str()), (403, "forbidden"));
    assert!(msg.contains("triage"));
    let (s, _, _) = error_code(api_get(&app, &bo, "/api/v1/reviewers"));
    assert_eq!(s, 403);
    let (s, code, _) = error_code(api_get(
        &app,
        &ana,
        "/api/v1/reports/aaaaaaaaaaaaaaaaaaaaaaaaaa",
    ));
    assert_eq!((s, code.as_str()), (404, "not_found"));
    let (s, _, _) = error_code(api_get(&app, &ana, "/api/v1/reports/..%2F..%2Fetc"));
    assert_eq!(s, 404);

    let audit = app.store.audit_entries().unwrap();
    amanat_core::audit::verify(&audit).unwrap();
    let reads = audit
        .iter()
        .filter(|e| e.event.action == amanat_core::audit::Action::ReadReport)
        .count();
    assert_eq!(reads, 2);
    assert!(audit.iter().any(
        |e| e.event.action == amanat_core::audit::Action::ReadIdentityDenied
            && e.event.actor == rs[1].id
    ));
}

#[test]
fn failed_replayed_and_logged_out_authentication() {
    let (app, rs) = spawn_app(&[("ana", ALL)], |c| {
        c.limits.review_login_failures_per_minute = 3
    });
    let c = client();
    let challenge = |recipient: &str| -> ChallengeResponse {
        c.post(format!("{}/api/v1/auth/challenge", app.review))
            .json(&ChallengeRequest {
                recipient: recipient.into(),
            })
            .send()
            .unwrap()
            .json()
            .unwrap()
    };
    let verify = |id: &str, response: &str| {
        c.post(format!("{}/api/v1/auth/verify", app.review))
            .json(&VerifyRequest {
                challenge_id: id.into(),
                response: response.into(),
            })
            .send()
            .unwrap()
    };
    // Unknown recipients get a challenge of the same shape that never succeeds.
    let stranger = age::x25519::Identity::generate();
    let ch = challenge(&stranger.to_public().to_string());
    let ct = BASE64.decode(ch.challenge.as_bytes()).unwrap();
    let nonce = envelope::open(&ct, &[&stranger]);
    assert!(nonce.is_err(), "not encrypted to the stranger");
    let (s, code, msg) = error_code(verify(&ch.challenge_id, "guess"));
    assert_eq!((s, code.as_str()), (401, "unauthorized"));
    assert!(msg.contains("amanat login"));

    // Replaying a correct answer fails.
    let ch = challenge(&rs[0].recipient);
    let ct = BASE64.decode(ch.challenge.as_bytes()).unwrap();
    let nonce =
        String::from_utf8(envelope::open(&ct, &[&rs[0].identity]).unwrap().to_vec()).unwrap();
    assert_eq!(verify(&ch.challenge_id, &nonce).status(), 200);
    assert_eq!(verify(&ch.challenge_id, &nonce).status(), 401);

    // A token stops working after logout.
    let token = login(&app, &rs[0]);
    assert_eq!(api_get(&app, &token, "/api/v1/whoami").status(), 200);
    let resp = c
        .post(format!("{}/api/v1/auth/logout", app.review))
        .bearer_auth(&token)
        .send()
        .unwrap();
    assert_eq!(resp.status(), 204);
    let (s, _, msg) = error_code(api_get(&app, &token, "/api/v1/whoami"));
    assert_eq!(s, 401);
    assert!(msg.contains("amanat login"));

    // Answers to unknown, decoy or used challenges (above, and ten more
    // here) count nothing; wrong answers to ana's real challenges do. Past
    // the limit they are refused, but a correct answer is not.
    for _ in 0..10 {
        assert_eq!(verify("nope", "nope").status(), 401);
    }
    let wrong = || verify(&challenge(&rs[0].recipient).challenge_id, "nope");
    assert_eq!(wrong().status(), 401);
    assert_eq!(wrong().status(), 401);
    assert_eq!(wrong().status(), 401);
    let (s, code, _) = error_code(wrong());
    assert_eq!((s, code.as_str()), (429, "rate_limited"));
    let token = login(&app, &rs[0]);
    assert_eq!(api_get(&app, &token, "/api/v1/whoami").status(), 200);
    let logins = app.store.audit_entries().unwrap();
    assert_eq!(
        logins
            .iter()
            .filter(|e| e.event.action == amanat_core::audit::Action::LoginFailed)
            .count(),
        3
    );
}

#[test]
fn api_bodies_are_checked() {
    let (app, rs) = spawn_app(&[("ana", ALL)], |c| c.limits.review_body_bytes = 4096);
    let c = client();
    let post = |body: String, ct: &str| {
        c.post(format!("{}/api/v1/auth/challenge", app.review))
            .header("content-type", ct)
            .body(body)
            .send()
            .unwrap()
    };
    assert_eq!(error_code(post("{}".into(), "text/plain")).0, 415);
    assert_eq!(error_code(post("{".into(), "application/json")).0, 400);
    assert_eq!(
        error_code(post(
            format!("{{\"recipient\":\"{}\"}}", "a".repeat(5000)),
            "application/json"
        ))
        .0,
        413
    );
    assert_eq!(
        error_code(post("[".repeat(200) + &"]".repeat(200), "application/json")).0,
        400
    );
    let (s, _, msg) = error_code(post(
        format!("{{\"recipient\":\"{}\",\"extra\":1}}", rs[0].recipient),
        "application/json",
    ));
    assert_eq!(s, 400);
    assert!(msg.contains("extra"), "{msg}");
    let (s, _, msg) = error_code(post(
        "{\"recipient\":\"age1nope\"}".into(),
        "application/json",
    ));
    assert_eq!(s, 400);
    assert!(msg.contains("age1"), "{msg}");
}

#[test]
fn admins_manage_reviewers_online_and_cannot_remove_the_last_admin() {
    let (app, rs) = spawn_app(&[("ana", ALL), ("bo", TRIAGE)], |_| {});
    let ana = login(&app, &rs[0]);
    let c = client();
    let (_, new_recipient) = amanat_core::crypto::keys::generate();
    let resp = c
        .post(format!("{}/api/v1/reviewers", app.review))
        .bearer_auth(&ana)
        .json(&AddReviewerRequest {
            name: "dee".into(),
            recipient: new_recipient.clone(),
            roles: vec![Role::Triage],
        })
        .send()
        .unwrap();
    assert_eq!(resp.status(), 201);
    let added: ReviewerInfo = resp.json().unwrap();
    assert_eq!(added.name, "dee");
    let dup = c
        .post(format!("{}/api/v1/reviewers", app.review))
        .bearer_auth(&ana)
        .json(&AddReviewerRequest {
            name: "dee".into(),
            recipient: new_recipient,
            roles: vec![Role::Triage],
        })
        .send()
        .unwrap();
    assert_eq!(error_code(dup).0, 409);

    // Removing bo ends bo's sessions at once.
    let bo = login(&app, &rs[1]);
    let resp = c
        .delete(format!("{}/api/v1/reviewers/bo", app.review))
        .bearer_auth(&ana)
        .send()
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(api_get(&app, &bo, "/api/v1/whoami").status(), 401);

    let (s, code, _) = error_code(
        c.delete(format!("{}/api/v1/reviewers/ana", app.review))
            .bearer_auth(&ana)
            .send()
            .unwrap(),
    );
    assert_eq!((s, code.as_str()), (409, "conflict"));
    let names: Vec<String> = app
        .store
        .reviewers()
        .unwrap()
        .into_iter()
        .map(|r| r.name)
        .collect();
    assert_eq!(names, vec!["ana", "dee"]);
}

fn post_json(
    app: &TestApp,
    token: &str,
    path: &str,
    body: &serde_json::Value,
) -> reqwest::blocking::Response {
    client()
        .post(format!("{}{path}", app.review))
        .bearer_auth(token)
        .json(body)
        .send()
        .unwrap()
}

/// Issue 19 (Medium 9): one admin cannot widen who receives identities (or
/// who may approve that) online. The request waits; the same admin cannot
/// approve it; a second admin can, and both steps are audited.
#[test]
fn online_identity_grants_need_a_second_admin() {
    const ADMIN: &[Role] = &[Role::Triage, Role::Admin];
    let (app, rs) = spawn_app(&[("ana", ALL), ("bo", TRIAGE), ("cy", ADMIN)], |_| {});
    let ana = login(&app, &rs[0]);
    let bo = login(&app, &rs[1]);
    let cy = login(&app, &rs[2]);
    let (_, dee) = amanat_core::crypto::keys::generate();
    let resp = post_json(
        &app,
        &ana,
        "/api/v1/reviewers",
        &serde_json::json!({ "name": "dee", "recipient": dee, "roles": ["triage", "identity"] }),
    );
    assert_eq!(resp.status(), 202, "pending, not enrolled");
    let grant: PendingGrantInfo = resp.json().unwrap();
    assert_eq!(
        (grant.name.as_str(), grant.requested_by.as_str()),
        ("dee", rs[0].id.as_str())
    );
    assert!(
        app.store
            .reviewers()
            .unwrap()
            .iter()
            .all(|r| r.name != "dee")
    );
    assert!(
        !app.store
            .recipients_with_role(Role::Identity)
            .unwrap()
            .contains(&dee),
        "no identity goes to dee yet"
    );
    // The same name or key cannot be requested twice.
    let again = post_json(
        &app,
        &ana,
        "/api/v1/reviewers",
        &serde_json::json!({ "name": "dee", "recipient": dee, "roles": ["identity"] }),
    );
    assert_eq!(error_code(again).0, 409);
    // The admin role is just as gated: a second admin key of one's own
    // would approve anything.
    let (_, eve) = amanat_core::crypto::keys::generate();
    let resp = post_json(
        &app,
        &ana,
        "/api/v1/reviewers",
        &serde_json::json!({ "name": "eve", "recipient": eve, "roles": ["admin"] }),
    );
    assert_eq!(resp.status(), 202);
    let eve_grant: PendingGrantInfo = resp.json().unwrap();

    let pending: Vec<PendingGrantInfo> = api_get(&app, &cy, "/api/v1/reviewers/pending")
        .json()
        .unwrap();
    assert_eq!(pending.len(), 2);
    assert_eq!(
        error_code(api_get(&app, &bo, "/api/v1/reviewers/pending")).0,
        403
    );

    let approve = |token: &str, g: &str| {
        post_json(
            &app,
            token,
            &format!("/api/v1/reviewers/pending/{g}/approve"),
            &serde_json::json!({}),
        )
    };
    let (s, code, msg) = error_code(approve(&ana, &grant.id));
    assert_eq!((s, code.as_str()), (403, "second_admin_required"), "{msg}");
    let (s, code, _) = error_code(approve(&bo, &grant.id));
    assert_eq!((s, code.as_str()), (403, "forbidden"));
    assert!(
        app.store
            .reviewers()
            .unwrap()
            .iter()
            .all(|r| r.name != "dee")
    );

    let resp = approve(&cy, &grant.id);
    assert_eq!(resp.status(), 201);
    let added: ReviewerInfo = resp.json().unwrap();
    assert_eq!(added.roles, vec![Role::Triage, Role::Identity]);
    assert!(
        app.store
            .recipients_with_role(Role::Identity)
            .unwrap()
            .contains(&dee)
    );
    assert_eq!(error_code(approve(&cy, &grant.id)).0, 404, "used up");

    // Any admin may withdraw a grant; it then cannot be approved.
    let resp = client()
        .delete(format!(
            "{}/api/v1/reviewers/pending/{}",
            app.review, eve_grant.id
        ))
        .bearer_auth(&cy)
        .send()
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(error_code(approve(&cy, &eve_grant.id)).0, 404);
    assert!(app.store.grants().unwrap().is_empty());

    let audit = app.store.audit_entries().unwrap();
    amanat_core::audit::verify(&audit).unwrap();
    let by = |action, actor: &str| {
        audit
            .iter()
            .filter(|e| e.event.action == action && e.event.actor == actor)
            .count()
    };
    use amanat_core::audit::Action;
    assert_eq!(by(Action::GrantRequested, &rs[0].id), 2);
    assert_eq!(by(Action::GrantApproved, &rs[2].id), 1);
    assert_eq!(by(Action::GrantCancelled, &rs[2].id), 1);
}

/// Issue 19 (Medium 5): every reviewer can fetch the chain from an index to
/// check it extends what they saw, and acknowledge a head that exists.
#[test]
fn reviewers_fetch_the_chain_and_acknowledge_its_head() {
    let (app, rs) = spawn_app(&[("ana", ALL), ("bo", TRIAGE)], |_| {});
    let bo = login(&app, &rs[1]);
    let c: AuditChain = api_get(&app, &bo, "/api/v1/audit/chain").json().unwrap();
    let head = c.head.unwrap();
    assert!(c.entries.is_empty());
    let c: AuditChain = api_get(&app, &bo, "/api/v1/audit/chain?from=0")
        .json()
        .unwrap();
    assert_eq!(c.entries.len() as u64, head.seq + 1);
    assert_eq!(
        amanat_core::audit::extends(
            &amanat_core::audit::Anchor {
                seq: 0,
                hash: c.entries[0].hash.clone()
            },
            &c.entries
        )
        .unwrap(),
        head
    );
    assert_eq!(
        error_code(api_get(&app, &bo, "/api/v1/audit/chain?from=x")).0,
        400
    );

    let wrong = serde_json::json!({ "seq": head.seq, "hash": "00".repeat(32) });
    let (s, code, _) = error_code(post_json(&app, &bo, "/api/v1/audit/head-seen", &wrong));
    assert_eq!((s, code.as_str()), (409, "audit_mismatch"));
    let resp = post_json(
        &app,
        &bo,
        "/api/v1/audit/head-seen",
        &serde_json::to_value(&head).unwrap(),
    );
    assert_eq!(resp.status(), 204);
    let last = app.store.audit_head().unwrap().unwrap();
    assert_eq!(last.event.action, amanat_core::audit::Action::HeadSeen);
    assert_eq!(last.event.actor, rs[1].id);
    assert_eq!(
        last.event.detail.as_deref(),
        Some(format!("seq={} hash={}", head.seq, head.hash).as_str())
    );
}

// ----- lockouts: junk never spends the shared budgets (issue 19) -----

/// POSTs a JSON body to the review API.
fn api_post(
    app: &TestApp,
    path: &str,
    body: &impl serde::Serialize,
) -> reqwest::blocking::Response {
    client()
        .post(format!("{}{path}", app.review))
        .json(body)
        .send()
        .unwrap()
}

/// A challenge for `recipient`.
fn get_challenge(app: &TestApp, recipient: &str) -> ChallengeResponse {
    let resp = api_post(
        app,
        "/api/v1/auth/challenge",
        &ChallengeRequest {
            recipient: recipient.into(),
        },
    );
    assert_eq!(resp.status(), 200);
    resp.json().unwrap()
}

#[test]
fn junk_reviewer_logins_never_lock_out_a_reviewer() {
    let (app, rs) = spawn_app(&[("ana", ALL)], |c| {
        c.limits.review_login_failures_per_minute = 3
    });
    // 200 junk logins: unknown challenge ids, wrong answers to challenges
    // for strangers, malformed bodies.
    for i in 0..200 {
        let resp = match i % 3 {
            0 => api_post(
                &app,
                "/api/v1/auth/verify",
                &VerifyRequest {
                    challenge_id: format!("junk{i}"),
                    response: "guess".into(),
                },
            ),
            1 => {
                let stranger = age::x25519::Identity::generate();
                let ch = get_challenge(&app, &stranger.to_public().to_string());
                api_post(
                    &app,
                    "/api/v1/auth/verify",
                    &VerifyRequest {
                        challenge_id: ch.challenge_id,
                        response: "guess".into(),
                    },
                )
            }
            _ => api_post(&app, "/api/v1/auth/verify", &serde_json::json!({"x": 1})),
        };
        let status = resp.status().as_u16();
        assert!(status == 401 || status == 400, "junk login {i}: {status}");
    }
    let token = login(&app, &rs[0]);
    assert_eq!(api_get(&app, &token, "/api/v1/whoami").status(), 200);
}

#[test]
fn wrong_answers_past_the_budget_are_refused_but_a_correct_one_is_not() {
    let (app, rs) = spawn_app(&[("ana", ALL)], |c| {
        c.limits.review_login_failures_per_minute = 3
    });
    // Someone who knows ana's public key answers her challenges wrongly.
    let mut statuses = Vec::new();
    for _ in 0..20 {
        let ch = get_challenge(&app, &rs[0].recipient);
        let resp = api_post(
            &app,
            "/api/v1/auth/verify",
            &VerifyRequest {
                challenge_id: ch.challenge_id,
                response: "guess".into(),
            },
        );
        statuses.push(resp.status().as_u16());
    }
    assert_eq!(statuses[..3], [401, 401, 401], "{statuses:?}");
    assert!(statuses[3..].iter().all(|s| *s == 429), "{statuses:?}");
    let failed = app
        .store
        .audit_entries()
        .unwrap()
        .iter()
        .filter(|e| e.event.action == amanat_core::audit::Action::LoginFailed)
        .count();
    assert_eq!(
        failed, 3,
        "failures past the budget are not audited one by one"
    );
    // Ana, who holds the key, still logs in at once.
    let token = login(&app, &rs[0]);
    assert_eq!(api_get(&app, &token, "/api/v1/whoami").status(), 200);
}

#[test]
fn junk_challenges_never_crowd_out_a_reviewer() {
    let (app, rs) = spawn_app(&[("ana", ALL)], |_| {});
    // 1,100 challenges left unanswered (more than the old cap of 1,000):
    // for strangers, and for ana's own public key.
    for i in 0..1100 {
        let recipient = if i % 2 == 0 {
            age::x25519::Identity::generate().to_public().to_string()
        } else {
            rs[0].recipient.clone()
        };
        get_challenge(&app, &recipient);
    }
    let token = login(&app, &rs[0]);
    assert_eq!(api_get(&app, &token, "/api/v1/whoami").status(), 200);
}

#[test]
fn one_reviewer_cannot_fill_the_session_table() {
    let (app, rs) = spawn_app(&[("ana", ALL), ("bo", TRIAGE)], |c| {
        c.limits.review_sessions_max = 5
    });
    let ana_early = login(&app, &rs[0]);
    // Bo's script logs in 200 times and never logs out.
    let bo: Vec<String> = (0..200).map(|_| login(&app, &rs[1])).collect();
    assert_eq!(
        api_get(&app, &bo[199], "/api/v1/whoami").status(),
        200,
        "bo's newest session works"
    );
    assert_eq!(
        api_get(&app, &bo[0], "/api/v1/whoami").status(),
        401,
        "bo's oldest session was ended"
    );
    assert_eq!(
        api_get(&app, &ana_early, "/api/v1/whoami").status(),
        200,
        "ana's session survived the flood"
    );
    let ana = login(&app, &rs[0]);
    assert_eq!(api_get(&app, &ana, "/api/v1/whoami").status(), 200);
}
