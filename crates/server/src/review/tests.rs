//! Unit tests of the review API: a real sled store in a temporary
//! directory, real age, and actix's test service in place of a socket (the
//! end-to-end tests over real HTTP are in tests/it).

mod audit_failure;
mod error_codes;
mod extract;
mod routes;

use super::{ReviewState, configure, not_found};
use crate::config::Limits;
use crate::store::{
    EnvelopeKind, NewEnvelope, NewReport, NewReviewer, NewSource, ReportMeta, Reviewer, Store,
};
use actix_web::http::StatusCode;
use actix_web::http::header::HeaderMap;
use actix_web::test::{TestRequest, call_service, init_service, read_body};
use actix_web::{App, web};
use amanat_core::api::ErrorCode;
use amanat_core::crypto::codename::KdfParams;
use amanat_core::crypto::{envelope, keys};
use amanat_core::model::{Anonymity, Questionnaire, Role, Urgency};
use std::io::Write;
use std::sync::Arc;
use tempfile::TempDir;

/// A review listener's state over a fresh store, called through actix's
/// test service.
struct Fixture {
    _dir: TempDir,
    store: Arc<Store>,
    state: web::Data<ReviewState>,
}

/// An answer: status, and the body parsed as JSON (`null` when it is not).
struct Answer {
    status: StatusCode,
    json: serde_json::Value,
    bytes: Vec<u8>,
}

impl Answer {
    /// The error code and message of an error answer.
    fn error(&self) -> (ErrorCode, String) {
        let code = serde_json::from_value(self.json["error"]["code"].clone())
            .unwrap_or(ErrorCode::Unknown);
        let message = self.json["error"]["message"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        (code, message)
    }

    /// Asserts an error answer: its status, code, and a part of its message.
    #[track_caller]
    fn refused(&self, code: ErrorCode, says: &str) {
        let (got, message) = self.error();
        assert_eq!(
            (self.status.as_u16(), got),
            (code.http_status(), code),
            "{}",
            self.json
        );
        assert!(message.contains(says), "{message:?} lacks {says:?}");
    }
}

impl Fixture {
    fn new() -> Fixture {
        Self::with_limits(|_| {})
    }

    fn with_limits(f: impl FnOnce(&mut Limits)) -> Fixture {
        let dir = tempfile::tempdir().unwrap();
        let store = Arc::new(Store::create(dir.path()).unwrap());
        let mut limits = Limits::default();
        f(&mut limits);
        let questionnaire = Arc::new(Questionnaire::builtin().unwrap());
        let state = web::Data::new(ReviewState::new(store.clone(), questionnaire, limits));
        Fixture {
            _dir: dir,
            store,
            state,
        }
    }

    /// Enrols a reviewer with a fresh key.
    fn reviewer(&self, name: &str, roles: &[Role]) -> Reviewer {
        self.store
            .add_reviewer(NewReviewer {
                name: name.into(),
                recipient: keys::generate().1,
                roles: roles.to_vec(),
            })
            .unwrap()
    }

    /// A session token of `r`, as a login would give.
    fn login(&self, r: &Reviewer) -> String {
        self.state.sessions.open(&r.id).unwrap().to_string()
    }

    /// A report with a report and an identity envelope, a follow-up
    /// channel and one attachment, sealed to the enrolled reviewers.
    fn report(&self) -> ReportMeta {
        let triage = self.store.recipients_with_role(Role::Triage).unwrap();
        let identity = self.store.recipients_with_role(Role::Identity).unwrap();
        let seal = |to: &[String]| {
            envelope::seal(b"{}", &envelope::parse_recipients(to).unwrap()).unwrap()
        };
        let mut staged = tempfile::NamedTempFile::new_in(self.store.blobs_dir()).unwrap();
        staged.write_all(&seal(&triage)).unwrap();
        let blobs = self.store.commit_blobs(vec![staged]).unwrap();
        self.store
            .insert_report(NewReport {
                anonymity: Anonymity::Confidential,
                urgency: Urgency::High,
                envelopes: vec![
                    NewEnvelope {
                        kind: EnvelopeKind::Report,
                        ciphertext: seal(&triage),
                        recipients: triage.clone(),
                    },
                    NewEnvelope {
                        kind: EnvelopeKind::Identity,
                        ciphertext: seal(&identity),
                        recipients: identity,
                    },
                ],
                source: Some(NewSource {
                    lookup: [7; 32],
                    recipient: keys::generate().1,
                    kdf: KdfParams::default(),
                }),
                blobs,
            })
            .unwrap()
    }

    /// How many audit entries the store holds.
    fn audit_len(&self) -> usize {
        self.store.audit_entries().unwrap().len()
    }

    /// Sends `req` to the review routes, as `server` mounts them.
    async fn call(&self, req: TestRequest) -> Answer {
        self.call_with_headers(req, |_| {}).await
    }

    /// Sends `req` with its headers changed by `edit` once it is built.
    async fn call_with_headers(
        &self,
        req: TestRequest,
        edit: impl FnOnce(&mut HeaderMap),
    ) -> Answer {
        let mut req = req.to_request();
        edit(req.headers_mut());
        let app = init_service(
            App::new()
                .app_data(self.state.clone())
                .configure(configure)
                .default_service(web::to(not_found)),
        )
        .await;
        let resp = call_service(&app, req).await;
        let status = resp.status();
        let bytes = read_body(resp).await.to_vec();
        let json = serde_json::from_slice(&bytes).unwrap_or(serde_json::Value::Null);
        Answer {
            status,
            json,
            bytes,
        }
    }
}

/// `GET path` with `token`.
fn get(path: &str, token: &str) -> TestRequest {
    TestRequest::get()
        .uri(path)
        .insert_header(("authorization", format!("Bearer {token}")))
}

/// `POST path` with `token` and a JSON body.
fn post(path: &str, token: &str, body: serde_json::Value) -> TestRequest {
    TestRequest::post()
        .uri(path)
        .insert_header(("authorization", format!("Bearer {token}")))
        .set_json(body)
}

/// `DELETE path` with `token`.
fn delete(path: &str, token: &str) -> TestRequest {
    TestRequest::delete()
        .uri(path)
        .insert_header(("authorization", format!("Bearer {token}")))
}
