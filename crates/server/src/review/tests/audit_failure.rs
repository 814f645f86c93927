//! When the audit entry cannot be written, every audited route answers 503
//! `audit_unavailable` and serves nothing, changes nothing: reads included.
//! The failure is real: the newest record of the audit tree is damaged on
//! disk, as a torn write would leave it, so no entry can be chained to it.

use super::*;
use amanat_core::audit::{Action, Anchor};
use amanat_core::crypto::random;
use serde_json::json;
use zeroize::Zeroizing;

/// Damages the chain's tail so that every append fails.
fn break_the_audit_log(fx: &Fixture) {
    let next = fx.store.audit_head().unwrap().map_or(0, |e| e.seq + 1);
    fx.store
        .audit_tree()
        .insert(next.to_be_bytes(), &b"{\"seq\":"[..])
        .unwrap();
    fx.store.flush().unwrap();
}

/// Asserts a 503 `audit_unavailable` that carries nothing but the error.
#[track_caller]
fn refused(a: &Answer, what: &str) {
    a.refused(ErrorCode::AuditUnavailable, "nothing was done or served");
    let keys: Vec<&String> = a
        .json
        .as_object()
        .map(|o| o.keys().collect())
        .unwrap_or_default();
    assert_eq!(keys, ["error"], "{what} served more: {}", a.json);
}

#[actix_web::test]
async fn every_audited_route_fails_when_the_audit_log_cannot_be_written() {
    let fx = Fixture::new();
    let ana = fx.reviewer("ana", &[Role::Triage, Role::Identity, Role::Admin]);
    let bo = fx.reviewer("bo", &[Role::Triage]);
    let cy = fx.reviewer("cy", &[Role::Admin]);
    let meta = fx.report();
    let id = meta.id.clone();
    let blob = meta.blobs[0].clone();
    let blob_bytes = std::fs::read(fx.store.blob_path(&blob).unwrap()).unwrap();
    let (ana_t, bo_t) = (fx.login(&ana), fx.login(&bo));
    fx.state.audit(&ana.id, Action::Login, None, None).unwrap();
    let seen = fx.store.audit_head().unwrap().unwrap();
    let anchor = Anchor {
        seq: seen.seq,
        hash: seen.hash.clone(),
    };
    let (_, dee) = keys::generate();
    let grant = fx
        .store
        .add_grant(
            random::id(),
            NewReviewer {
                name: "dee".into(),
                recipient: dee,
                roles: vec![Role::Identity],
            },
            &cy.id,
        )
        .unwrap();
    break_the_audit_log(&fx);

    // Reads.
    refused(&fx.call(get("/api/v1/reports", &ana_t)).await, "the queue");
    let report = format!("/api/v1/reports/{id}");
    refused(&fx.call(get(&report, &ana_t)).await, "a report");
    refused(
        &fx.call(get(&report, &bo_t)).await,
        "a report, identity withheld",
    );
    let identity = format!("{report}/identity");
    refused(&fx.call(get(&identity, &ana_t)).await, "an identity");
    refused(&fx.call(get(&identity, &bo_t)).await, "a denied identity");
    let attachment = fx
        .call(get(&format!("{report}/blobs/{blob}"), &ana_t))
        .await;
    refused(&attachment, "an attachment");
    assert_ne!(attachment.bytes, blob_bytes);

    // Changes.
    let reply_to = [
        meta.source_recipient.clone().unwrap(),
        ana.recipient.clone(),
        bo.recipient.clone(),
    ];
    let reply = envelope::seal(b"{}", &envelope::parse_recipients(&reply_to).unwrap()).unwrap();
    let reply = json!({ "ciphertext": data_encoding::BASE64.encode(&reply) });
    refused(
        &fx.call(post(&format!("{report}/replies"), &ana_t, reply))
            .await,
        "a reply",
    );
    let triage = json!({ "state": "acknowledged", "urgency": "critical" });
    refused(
        &fx.call(post(&format!("{report}/triage"), &ana_t, triage))
            .await,
        "a triage change",
    );
    assert_eq!(
        fx.store.report(&id).unwrap().unwrap(),
        meta,
        "the report is unchanged"
    );
    let export = json!({ "profile": "internal", "format": "json", "reports": [id] });
    refused(
        &fx.call(post("/api/v1/audit/export", &bo_t, export)).await,
        "an export",
    );
    let head = serde_json::to_value(&anchor).unwrap();
    refused(
        &fx.call(post("/api/v1/audit/head-seen", &bo_t, head)).await,
        "an anchor",
    );

    // Reviewers and grants.
    let (_, eve) = keys::generate();
    let add = json!({ "name": "eve", "recipient": eve, "roles": ["triage"] });
    refused(
        &fx.call(post("/api/v1/reviewers", &ana_t, add)).await,
        "an enrolment",
    );
    let wide = json!({ "name": "eve", "recipient": eve, "roles": ["identity"] });
    refused(
        &fx.call(post("/api/v1/reviewers", &ana_t, wide)).await,
        "a grant request",
    );
    let approve = format!("/api/v1/reviewers/pending/{}/approve", grant.id);
    refused(
        &fx.call(post(&approve, &ana_t, json!({}))).await,
        "an approval",
    );
    let cancel = format!("/api/v1/reviewers/pending/{}", grant.id);
    refused(&fx.call(delete(&cancel, &ana_t)).await, "a withdrawal");
    assert_eq!(
        fx.store.grants().unwrap(),
        vec![grant],
        "the grant is still pending"
    );
    let remove = format!("/api/v1/reviewers/{}", bo.id);
    refused(&fx.call(delete(&remove, &ana_t)).await, "a removal");
    assert_eq!(
        fx.store.reviewers().unwrap().len(),
        3,
        "nobody was added or removed"
    );

    // Sessions: a logout that cannot be audited leaves the session open,
    // and a login that cannot be audited hands out none.
    refused(
        &fx.call(post("/api/v1/auth/logout", &bo_t, json!({}))).await,
        "a logout",
    );
    assert_eq!(
        fx.call(get("/api/v1/whoami", &bo_t)).await.status,
        StatusCode::OK
    );
    for answer in ["right", "wrong"] {
        let challenge = fx
            .state
            .challenges
            .create(&bo.id, Zeroizing::new("right".into()));
        let verify = TestRequest::post()
            .uri("/api/v1/auth/verify")
            .set_json(json!({ "challenge_id": challenge, "response": answer }));
        refused(&fx.call(verify).await, "a login");
    }
}
