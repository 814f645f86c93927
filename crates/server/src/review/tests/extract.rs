//! The extractors' refusals, each with its status, code and message, in the
//! order the handlers always checked them, and none of them audited.

use super::*;
use amanat_core::crypto::random;
use serde_json::json;

const ALL: &[Role] = &[Role::Triage, Role::Identity, Role::Admin];

#[actix_web::test]
async fn no_unknown_or_ended_session_is_unauthorized() {
    let fx = Fixture::new();
    let ana = fx.reviewer("ana", ALL);
    let before = fx.audit_len();

    let none = fx.call(TestRequest::get().uri("/api/v1/whoami")).await;
    none.refused(ErrorCode::Unauthorized, "not logged in; run `amanat login`");
    let not_bearer = TestRequest::get()
        .uri("/api/v1/whoami")
        .insert_header(("authorization", "Basic YW5hOmFuYQ=="));
    fx.call(not_bearer)
        .await
        .refused(ErrorCode::Unauthorized, "not logged in; run `amanat login`");
    let unknown = fx.call(get("/api/v1/whoami", &random::id())).await;
    unknown.refused(ErrorCode::Unauthorized, "not logged in or logged out");

    let token = fx.login(&ana);
    let me = fx.call(get("/api/v1/whoami", &token)).await;
    assert_eq!(
        (me.status, me.json["id"].as_str()),
        (StatusCode::OK, Some(ana.id.as_str()))
    );
    fx.state.sessions.close(&token);
    fx.call(get("/api/v1/whoami", &token))
        .await
        .refused(ErrorCode::Unauthorized, "not logged in or logged out");
    assert_eq!(fx.audit_len(), before, "refusals are not audited");
}

#[actix_web::test]
async fn an_expired_session_says_so() {
    let fx = Fixture::with_limits(|l| l.review_session_idle_secs = 0);
    let ana = fx.reviewer("ana", ALL);
    let token = fx.login(&ana);
    std::thread::sleep(std::time::Duration::from_millis(5));
    fx.call(get("/api/v1/reports", &token))
        .await
        .refused(ErrorCode::Unauthorized, "your session has expired");
}

#[actix_web::test]
async fn a_removed_reviewers_session_is_refused() {
    let fx = Fixture::new();
    fx.reviewer("ana", ALL);
    let bo = fx.reviewer("bo", &[Role::Triage]);
    let token = fx.login(&bo);
    fx.store.remove_reviewer(&bo.id).unwrap();
    fx.call(get("/api/v1/whoami", &token))
        .await
        .refused(ErrorCode::Unauthorized, "no longer enrolled");
}

#[actix_web::test]
async fn a_route_needs_its_role() {
    let fx = Fixture::new();
    let admin = fx.reviewer("ana", &[Role::Admin]);
    let triage = fx.reviewer("bo", &[Role::Triage]);
    let (admin, triage) = (fx.login(&admin), fx.login(&triage));
    let before = fx.audit_len();
    fx.call(get("/api/v1/reports", &admin))
        .await
        .refused(ErrorCode::Forbidden, "needs the `triage` role");
    fx.call(get("/api/v1/reviewers", &triage))
        .await
        .refused(ErrorCode::Forbidden, "needs the `admin` role");
    fx.call(get("/api/v1/audit", &triage))
        .await
        .refused(ErrorCode::Forbidden, "needs the `admin` role");
    assert_eq!(fx.audit_len(), before);

    // Any role will do for these.
    for path in [
        "/api/v1/whoami",
        "/api/v1/questionnaire",
        "/api/v1/audit/chain",
    ] {
        assert_eq!(
            fx.call(get(path, &admin)).await.status,
            StatusCode::OK,
            "{path}"
        );
    }
}

#[actix_web::test]
async fn a_malformed_id_is_not_found_after_the_session_is_checked() {
    let fx = Fixture::new();
    let ana = fx.reviewer("ana", ALL);
    let token = fx.login(&ana);
    let bad = "NOT-AN-ID";
    fx.call(get(&format!("/api/v1/reports/{bad}"), &token))
        .await
        .refused(ErrorCode::NotFound, "report not found");
    fx.call(get(&format!("/api/v1/reports/{bad}/identity"), &token))
        .await
        .refused(ErrorCode::NotFound, "report not found");
    let id = random::id();
    fx.call(get(&format!("/api/v1/reports/{id}/blobs/{bad}"), &token))
        .await
        .refused(ErrorCode::NotFound, "attachment not found");
    fx.call(get(&format!("/api/v1/reports/{bad}/blobs/{id}"), &token))
        .await
        .refused(ErrorCode::NotFound, "attachment not found");
    fx.call(post(
        &format!("/api/v1/reviewers/pending/{bad}/approve"),
        &token,
        json!({}),
    ))
    .await
    .refused(ErrorCode::NotFound, "pending grant not found");
    fx.call(delete(&format!("/api/v1/reviewers/pending/{bad}"), &token))
        .await
        .refused(ErrorCode::NotFound, "pending grant not found");
    // A well-formed id of nothing is the same 404.
    fx.call(get(&format!("/api/v1/reports/{id}"), &token))
        .await
        .refused(ErrorCode::NotFound, "report not found");
    // The session comes first: a stranger learns nothing about ids.
    fx.call(TestRequest::get().uri(&format!("/api/v1/reports/{bad}")))
        .await
        .refused(ErrorCode::Unauthorized, "not logged in");
}

#[actix_web::test]
async fn a_body_must_be_json() {
    let fx = Fixture::new();
    let ana = fx.reviewer("ana", ALL);
    let token = fx.login(&ana);
    let id = fx.report().id;
    let before = fx.audit_len();
    let triage = format!("/api/v1/reports/{id}/triage");
    let text = TestRequest::post()
        .uri(&triage)
        .insert_header(("authorization", format!("Bearer {token}")))
        .insert_header(("content-type", "text/plain"))
        .set_payload(r#"{"state":"acknowledged"}"#);
    fx.call(text).await.refused(
        ErrorCode::UnsupportedMediaType,
        "send the body as application/json",
    );
    let no_type = TestRequest::post()
        .uri("/api/v1/auth/challenge")
        .set_payload("{}");
    fx.call(no_type)
        .await
        .refused(ErrorCode::UnsupportedMediaType, "application/json");
    let broken = TestRequest::post()
        .uri(&triage)
        .insert_header(("authorization", format!("Bearer {token}")))
        .insert_header(("content-type", "application/json"))
        .set_payload("{");
    fx.call(broken)
        .await
        .refused(ErrorCode::BadRequest, "invalid JSON body");
    fx.call(post(
        &triage,
        &token,
        json!({ "state": "acknowledged", "extra": 1 }),
    ))
    .await
    .refused(ErrorCode::BadRequest, "unknown field `extra`");
    // The id is checked before the body, the session before both.
    fx.call(post(
        "/api/v1/reports/NOT-AN-ID/triage",
        &token,
        json!({ "x": 1 }),
    ))
    .await
    .refused(ErrorCode::NotFound, "report not found");
    fx.call(post(&triage, "", json!({ "x": 1 })))
        .await
        .refused(ErrorCode::Unauthorized, "not logged in");
    assert_eq!(fx.audit_len(), before);
    assert_eq!(
        fx.store.report(&id).unwrap().unwrap().state,
        amanat_core::model::State::New
    );
}

#[actix_web::test]
async fn a_body_past_the_limit_is_too_large() {
    let fx = Fixture::with_limits(|l| l.review_body_bytes = 64);
    let ana = fx.reviewer("ana", ALL);
    let token = fx.login(&ana);
    let big = json!({ "profile": "internal", "format": "json", "reports": ["a".repeat(64)] });
    fx.call(post("/api/v1/audit/export", &token, big))
        .await
        .refused(ErrorCode::PayloadTooLarge, "larger than 64 bytes");
    // Without a length announced, counted as it arrives.
    let streamed = TestRequest::post()
        .uri("/api/v1/auth/challenge")
        .insert_header(("content-type", "application/json"))
        .set_payload(format!(r#"{{"recipient":"{}"}}"#, "a".repeat(100)));
    fx.call_with_headers(streamed, |h| {
        h.remove("content-length");
    })
    .await
    .refused(ErrorCode::PayloadTooLarge, "larger than 64 bytes");
}
