//! The extractors' refusals, on requests built with actix's test utilities
//! against an intake state over a real store on disk.

use super::*;
use crate::config::{Kdf, Limits};
use crate::store::Store;
use crate::web::csrf::Csrf;
use actix_web::body::MessageBody;
use actix_web::cookie::Cookie;
use actix_web::test::TestRequest;
use amanat_core::model::Questionnaire;
use std::sync::Arc;

struct Fixture {
    st: web::Data<IntakeState>,
    _dir: tempfile::TempDir,
}

fn fixture(limits: Limits) -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(Store::create(dir.path()).unwrap());
    let q = Arc::new(Questionnaire::builtin().unwrap());
    let st = IntakeState::new(store, q, limits, &Kdf::default()).unwrap();
    Fixture {
        st: web::Data::new(st),
        _dir: dir,
    }
}

const CSRF: &str = "browser-cookie";

/// A form post with the anti-forgery cookie and, if given, a session cookie.
fn post(f: &Fixture, session: Option<&str>, body: String) -> (HttpRequest, Payload) {
    let mut r = TestRequest::post()
        .uri("/followup/delete")
        .app_data(f.st.clone())
        .insert_header(("content-type", "application/x-www-form-urlencoded"))
        .cookie(Cookie::new(CSRF_COOKIE, CSRF));
    if let Some(s) = session {
        r = r.cookie(Cookie::new(SESSION_COOKIE, s.to_string()));
    }
    r.set_payload(body).to_http_parts()
}

fn token(f: &Fixture) -> String {
    f.st.csrf.issue(CSRF)
}

fn session(f: &Fixture) -> String {
    f.st.followups
        .open("report-1", &[9u8; 32])
        .unwrap()
        .to_string()
}

async fn csrf_form(f: &Fixture, body: String) -> Result<CsrfForm<SmallForm>, actix_web::Error> {
    let (req, mut payload) = post(f, None, body);
    CsrfForm::<SmallForm>::from_request(&req, &mut payload).await
}

async fn session_form(
    f: &Fixture,
    session: Option<&str>,
    body: String,
) -> Result<SessionForm<SmallForm>, actix_web::Error> {
    let (req, mut payload) = post(f, session, body);
    SessionForm::<SmallForm>::from_request(&req, &mut payload).await
}

fn form_refusal<T>(r: Result<T, actix_web::Error>) -> (String, StatusCode) {
    let Err(e) = r else { panic!("accepted") };
    let refused = e.as_error::<FormRefused>().expect("a form refusal");
    (format!("{refused:?}"), e.error_response().status())
}

fn page(resp: HttpResponse) -> String {
    let body = resp.into_body().try_into_bytes().unwrap();
    String::from_utf8(body.to_vec()).unwrap()
}

#[actix_web::test]
async fn a_form_with_its_token_is_read_once() {
    let f = fixture(Limits::default());
    let t = token(&f);
    let form = csrf_form(&f, format!("csrf={t}&reply=abc&lang=fr"))
        .await
        .unwrap();
    assert_eq!(form.value("reply"), Some("abc"));
    assert_eq!(form.lang.code, "fr", "the form's language");
    // The token is spent: the same form again is refused.
    let (what, status) = form_refusal(csrf_form(&f, format!("csrf={t}&reply=abc")).await);
    assert!(what.starts_with("Forged"), "{what}");
    assert_eq!(status, StatusCode::FORBIDDEN);
}

#[actix_web::test]
async fn a_missing_or_wrong_token_is_refused_with_403() {
    let f = fixture(Limits::default());
    let (what, status) = form_refusal(csrf_form(&f, "reply=abc".into()).await);
    assert!(what.starts_with("Forged"), "{what}");
    assert_eq!(status, StatusCode::FORBIDDEN);
    // A token made for another browser's cookie.
    let other = f.st.csrf.issue("another-browser");
    let (what, status) = form_refusal(csrf_form(&f, format!("csrf={other}")).await);
    assert!(what.starts_with("Forged"), "{what}");
    assert_eq!(status, StatusCode::FORBIDDEN);
    // A token from another process's key.
    let foreign = Csrf::new(60).issue(CSRF);
    let (what, _) = form_refusal(csrf_form(&f, format!("csrf={foreign}")).await);
    assert!(what.starts_with("Forged"), "{what}");
}

#[actix_web::test]
async fn a_body_over_the_limit_or_not_a_form_is_refused_with_400() {
    let f = fixture(Limits::default());
    let t = token(&f);
    let big = format!("csrf={t}&reply={}", "a".repeat(5000));
    let (what, status) = form_refusal(csrf_form(&f, big).await);
    assert!(what.starts_with("Unreadable"), "{what}");
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (what, _) = form_refusal(csrf_form(&f, "csrf=%FF".into()).await);
    assert!(what.starts_with("Unreadable"), "invalid UTF-8: {what}");
    // Neither spent the token.
    assert!(csrf_form(&f, format!("csrf={t}")).await.is_ok());
}

#[actix_web::test]
async fn without_a_session_the_login_page_answers_401_and_the_token_is_kept() {
    let f = fixture(Limits::default());
    let t = token(&f);
    let Err(e) = session_form(&f, None, format!("csrf={t}&lang=en")).await else {
        panic!("accepted without a session")
    };
    let refused = e.as_error::<SessionRefused>().expect("a session refusal");
    assert!(!refused.expired);
    let resp = e.error_response();
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
    assert!(page(resp).contains("name=\"codename\""), "the login page");
    // An unknown session key: the same.
    let Err(e) = session_form(&f, Some("aaaa"), format!("csrf={t}")).await else {
        panic!("accepted with an unknown session")
    };
    assert!(e.as_error::<SessionRefused>().is_some());
    // The session is checked before the token, which is still unspent.
    let s = session(&f);
    let ok = session_form(&f, Some(&s), format!("csrf={t}&reply=x"))
        .await
        .unwrap();
    assert_eq!(ok.session.report_id, "report-1");
    assert_eq!(*ok.session.secret, [9u8; 32]);
    assert_eq!(ok.form.value("reply"), Some("x"));
}

#[actix_web::test]
async fn a_session_form_with_a_bad_token_is_refused_after_the_session() {
    let f = fixture(Limits::default());
    let s = session(&f);
    let (what, status) = form_refusal(session_form(&f, Some(&s), "reply=x".into()).await);
    assert!(what.starts_with("Forged"), "{what}");
    assert_eq!(status, StatusCode::FORBIDDEN);
    // A body over the limit is refused before the session is looked at.
    let big = format!("reply={}", "a".repeat(5000));
    let (what, status) = form_refusal(session_form(&f, None, big).await);
    assert!(what.starts_with("Unreadable"), "{what}");
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

#[actix_web::test]
async fn an_expired_session_says_so_on_the_login_page() {
    let f = fixture(Limits {
        followup_session_idle_secs: 0,
        ..Limits::default()
    });
    let s = session(&f);
    std::thread::sleep(Duration::from_millis(5));
    let t = token(&f);
    let Err(e) = session_form(&f, Some(&s), format!("csrf={t}&lang=en")).await else {
        panic!("accepted an expired session")
    };
    let refused = e.as_error::<SessionRefused>().expect("a session refusal");
    assert!(refused.expired);
    let resp = e.error_response();
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
    let expected = Tr::new(crate::i18n::english()).t("followup-session-ended");
    assert!(page(resp).contains(&expected), "says the session ended");
    // It is gone: the next request is refused as having none.
    let (req, mut payload) = post(&f, Some(&s), String::new());
    let Err(e) = SourceSession::from_request(&req, &mut payload).await else {
        panic!("accepted a removed session")
    };
    assert!(!e.as_error::<SessionRefused>().unwrap().expired);
    // The refusal's debug form names no cookie.
    assert!(!format!("{:?}", e.as_error::<SessionRefused>().unwrap()).contains(&s));
}
