//! Test helpers: a real server on loopback port 0 with a temporary data dir
//! (`spawn_app`), a browser-like form client (no JavaScript: GET the form,
//! keep the cookie and the anti-forgery token, POST), and reviewer login by
//! age challenge-response.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

pub mod daemon;
pub mod pages;

use age::x25519;
use amanat::config::Config;
use amanat::crypto::envelope;
use amanat::model::{Questionnaire, Role};
use amanat::review::api::*;
use amanat::server::Application;
use amanat::store::{NewReviewer, Store};
use data_encoding::BASE64;
use reqwest::blocking::{Client, Response};
use std::sync::Arc;
use std::sync::mpsc;

/// A running server and what a test needs to inspect it.
pub struct TestApp {
    pub intake: String,
    pub review: String,
    pub store: Arc<Store>,
    pub dir: tempfile::TempDir,
    handles: Option<(actix_web::dev::ServerHandle, actix_web::dev::ServerHandle)>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some((a, b)) = self.handles.take() {
            let rt = actix_web::rt::System::new();
            rt.block_on(async {
                a.stop(false).await;
                b.stop(false).await;
            });
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// A reviewer enrolled for a test, with their secret identity.
pub struct TestReviewer {
    pub id: String,
    pub identity: x25519::Identity,
    pub recipient: String,
}

/// Starts a server with reviewers of the given roles; `tweak` adjusts the config.
pub fn spawn_app(
    reviewers: &[(&str, &[Role])],
    tweak: impl FnOnce(&mut Config),
) -> (TestApp, Vec<TestReviewer>) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::create(dir.path()).unwrap();
    let mut enrolled = Vec::new();
    for (name, roles) in reviewers {
        let identity = x25519::Identity::generate();
        let recipient = identity.to_public().to_string();
        let r = store
            .add_reviewer(NewReviewer {
                name: name.to_string(),
                recipient: recipient.clone(),
                roles: roles.to_vec(),
            })
            .unwrap();
        enrolled.push(TestReviewer {
            id: r.id,
            identity,
            recipient,
        });
    }
    let mut cfg = Config::default();
    cfg.intake.addr = "127.0.0.1:0".into();
    cfg.review.addr = "127.0.0.1:0".into();
    cfg.intake.workers = 1;
    cfg.review.workers = 1;
    tweak(&mut cfg);
    let store = Arc::new(store);
    let (tx, rx) = mpsc::channel();
    let s2 = store.clone();
    let thread = std::thread::spawn(move || {
        let sys = actix_web::rt::System::new();
        sys.block_on(async move {
            let app =
                Application::build(&cfg, s2, Arc::new(Questionnaire::builtin().unwrap()), false)
                    .unwrap();
            tx.send((app.intake_url(), app.review_url(), app.handles()))
                .unwrap();
            app.run().await.unwrap();
        });
    });
    let (intake, review, handles) = rx.recv().unwrap();
    (
        TestApp {
            intake,
            review,
            store,
            dir,
            handles: Some(handles),
            thread: Some(thread),
        },
        enrolled,
    )
}

/// An HTTP client that does not follow redirects.
pub fn client() -> Client {
    Client::builder()
        .tls_backend_preconfigured(amanat::tls::client_config(None).unwrap())
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .build()
        .unwrap()
}

/// A form as a browser holds it after GET /report.
pub struct FormSession {
    pub cookie: String,
    pub token: String,
    pub html: String,
}

/// GETs the form for an anonymity level, as a browser would.
pub fn get_form(app: &TestApp, anonymity: &str) -> FormSession {
    let resp = client()
        .get(format!("{}/report?anonymity={anonymity}", app.intake))
        .send()
        .unwrap();
    assert_eq!(resp.status(), 200);
    let cookie = resp
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("amanat_csrf="))
        .map(|v| v.split(';').next().unwrap().to_string())
        .expect("the form sets the anti-forgery cookie");
    let html = resp.text().unwrap();
    let token = extract_value(&html, "name=\"csrf\" value=\"").expect("form has a token");
    FormSession {
        cookie,
        token,
        html,
    }
}

/// The text after `marker` up to the next `"`.
pub fn extract_value(html: &str, marker: &str) -> Option<String> {
    let start = html.find(marker)? + marker.len();
    let end = html[start..].find('"')?;
    Some(html[start..start + end].to_string())
}

/// URL-encodes pairs as a form body.
pub fn encode(pairs: &[(&str, &str)]) -> String {
    use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};
    pairs
        .iter()
        .map(|(k, v)| {
            format!(
                "{}={}",
                utf8_percent_encode(k, NON_ALPHANUMERIC),
                utf8_percent_encode(v, NON_ALPHANUMERIC)
            )
        })
        .collect::<Vec<_>>()
        .join("&")
}

/// POSTs a form body with the session's cookie.
pub fn post_form(
    app: &TestApp,
    cookie: &str,
    body: impl Into<reqwest::blocking::Body>,
) -> Response {
    client()
        .post(format!("{}/report", app.intake))
        .header("content-type", "application/x-www-form-urlencoded")
        .header("cookie", cookie)
        .body(body)
        .send()
        .unwrap()
}

/// A valid minimal report's answers (without csrf).
pub fn minimal(narrative: &str) -> Vec<(&'static str, String)> {
    vec![
        ("lang", "en".into()),
        ("anonymity", "confidential".into()),
        ("reporter_relationship", "self".into()),
        ("victim_type", "defender".into()),
        ("country", "TJ".into()),
        ("reprisal_types", "travel_ban".into()),
        ("narrative", narrative.into()),
    ]
}

/// Submits a report through the form; returns the response status and body.
pub fn submit(app: &TestApp, answers: &[(&str, String)]) -> (u16, String) {
    let anonymity = answers
        .iter()
        .find(|(k, _)| *k == "anonymity")
        .map(|(_, v)| v.as_str())
        .unwrap_or("confidential");
    let f = get_form(app, anonymity);
    let mut pairs: Vec<(&str, &str)> = vec![("csrf", f.token.as_str())];
    pairs.extend(answers.iter().map(|(k, v)| (*k, v.as_str())));
    let resp = post_form(app, &f.cookie, encode(&pairs));
    let status = resp.status().as_u16();
    (status, resp.text().unwrap())
}

/// Logs a reviewer in by challenge-response; returns the session token.
pub fn login(app: &TestApp, r: &TestReviewer) -> String {
    let c = client();
    let ch: ChallengeResponse = c
        .post(format!("{}/api/v1/auth/challenge", app.review))
        .json(&ChallengeRequest {
            recipient: r.recipient.clone(),
        })
        .send()
        .unwrap()
        .json()
        .unwrap();
    let ct = BASE64.decode(ch.challenge.as_bytes()).unwrap();
    let nonce = envelope::open(&ct, &[&r.identity]).unwrap();
    let resp = c
        .post(format!("{}/api/v1/auth/verify", app.review))
        .json(&VerifyRequest {
            challenge_id: ch.challenge_id,
            response: String::from_utf8(nonce.to_vec()).unwrap(),
        })
        .send()
        .unwrap();
    assert_eq!(resp.status(), 200);
    resp.json::<SessionResponse>().unwrap().token
}

/// GET on the review API with a token.
pub fn api_get(app: &TestApp, token: &str, path: &str) -> Response {
    client()
        .get(format!("{}{path}", app.review))
        .bearer_auth(token)
        .send()
        .unwrap()
}

/// The error code of a JSON error response.
pub fn error_code(resp: Response) -> (u16, String, String) {
    let status = resp.status().as_u16();
    let body: ErrorBody = resp.json().unwrap();
    (status, body.error.code, body.error.message)
}

/// The codename shown on a confirmation page (`#codename`).
pub fn codename_of(html: &str) -> String {
    let marker = "id=\"codename\"";
    let start = html.find(marker).expect("confirmation shows #codename");
    let rest = &html[start..];
    let open = rest.find('>').unwrap() + 1;
    let close = rest.find("</p>").unwrap();
    rest[open..close].trim().to_string()
}

/// A browser's follow-up state: its cookies.
pub struct Followup {
    pub csrf_cookie: String,
    pub session: Option<String>,
}

impl Followup {
    pub fn cookies(&self) -> String {
        match &self.session {
            Some(s) => format!("{}; {s}", self.csrf_cookie),
            None => self.csrf_cookie.clone(),
        }
    }
}

/// Where the source interface is: a test app, or a base URL.
pub trait Site {
    fn intake_url(&self) -> &str;
}

impl Site for TestApp {
    fn intake_url(&self) -> &str {
        &self.intake
    }
}

impl Site for str {
    fn intake_url(&self) -> &str {
        self
    }
}

/// GET /followup with the browser's cookies; returns status, body, and the
/// anti-forgery cookie it set (if any).
pub fn followup_get(
    app: &(impl Site + ?Sized),
    f: Option<&Followup>,
) -> (u16, String, Option<String>) {
    let mut req = client().get(format!("{}/followup", app.intake_url()));
    if let Some(f) = f {
        req = req.header("cookie", f.cookies());
    }
    let resp = req.send().unwrap();
    let set = cookie_named(&resp, "amanat_csrf");
    let status = resp.status().as_u16();
    (status, resp.text().unwrap(), set)
}

/// The `name=value` of a cookie set by a response.
pub fn cookie_named(resp: &Response, name: &str) -> Option<String> {
    resp.headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with(&format!("{name}=")))
        .map(|v| v.split(';').next().unwrap().to_string())
}

/// Logs in at /followup with a codename, as a browser would.
/// Returns the status of the POST, the browser state, and the final page.
pub fn followup_login(app: &(impl Site + ?Sized), codename: &str) -> (u16, Followup, String) {
    let (_, html, set) = followup_get(app, None);
    let csrf_cookie = set.expect("login page sets the anti-forgery cookie");
    let token = extract_value(&html, "name=\"csrf\" value=\"").unwrap();
    let resp = client()
        .post(format!("{}/followup/login", app.intake_url()))
        .header("content-type", "application/x-www-form-urlencoded")
        .header("cookie", &csrf_cookie)
        .body(encode(&[("csrf", &token), ("codename", codename)]))
        .send()
        .unwrap();
    let status = resp.status().as_u16();
    let session = cookie_named(&resp, "amanat_session");
    let mut f = Followup {
        csrf_cookie,
        session,
    };
    if status == 303 {
        let (_, page, _) = followup_get(app, Some(&f));
        return (status, f, page);
    }
    let page = resp.text().unwrap();
    f.session = None;
    (status, f, page)
}

/// POSTs a follow-up form (message, delete, logout) with a fresh token.
pub fn followup_post(
    app: &(impl Site + ?Sized),
    f: &Followup,
    path: &str,
    fields: &[(&str, &str)],
) -> (u16, String) {
    let (_, html, _) = followup_get(app, Some(f));
    let token = extract_value(&html, "name=\"csrf\" value=\"").unwrap();
    let mut pairs = vec![("csrf", token.as_str())];
    pairs.extend_from_slice(fields);
    let resp = client()
        .post(format!("{}{path}", app.intake_url()))
        .header("content-type", "application/x-www-form-urlencoded")
        .header("cookie", f.cookies())
        .body(encode(&pairs))
        .send()
        .unwrap();
    let status = resp.status().as_u16();
    if status == 303 {
        // Follow the redirect as a browser does, keeping its query.
        let location = resp
            .headers()
            .get("location")
            .unwrap()
            .to_str()
            .unwrap()
            .to_string();
        let page = client()
            .get(format!("{}{location}", app.intake_url()))
            .header("cookie", f.cookies())
            .send()
            .unwrap()
            .text()
            .unwrap();
        return (status, page);
    }
    (status, resp.text().unwrap())
}

/// POSTs a follow-up message with files, as the thread's form sends it.
pub fn followup_post_files(
    app: &(impl Site + ?Sized),
    f: &Followup,
    message: &str,
    keep: bool,
    files: &[(&str, &[u8])],
) -> (u16, String) {
    let (_, html, _) = followup_get(app, Some(f));
    assert!(html.contains("enctype=\"multipart/form-data\""), "{html}");
    let token = extract_value(&html, "name=\"csrf\" value=\"").unwrap();
    let mut fields = vec![("csrf", token.as_str()), ("message", message)];
    if keep {
        fields.push(("attachments_keep_metadata", "yes"));
    }
    let files: Vec<(&str, &str, &[u8])> =
        files.iter().map(|(n, d)| ("attachments", *n, *d)).collect();
    let boundary = "----amanatFollowupBoundary";
    let resp = client()
        .post(format!("{}/followup/message", app.intake_url()))
        .header(
            "content-type",
            format!("multipart/form-data; boundary={boundary}"),
        )
        .header("cookie", f.cookies())
        .body(multipart_body(boundary, &fields, &files))
        .send()
        .unwrap();
    let status = resp.status().as_u16();
    (status, resp.text().unwrap())
}

/// A multipart/form-data body with text fields then files, as a browser
/// sends it (fields in document order; the file input comes last).
pub fn multipart_body(
    boundary: &str,
    fields: &[(&str, &str)],
    files: &[(&str, &str, &[u8])],
) -> Vec<u8> {
    let mut b = Vec::new();
    for (name, value) in fields {
        b.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n")
                .as_bytes(),
        );
        b.extend_from_slice(value.as_bytes());
        b.extend_from_slice(b"\r\n");
    }
    for (name, filename, data) in files {
        b.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"{filename}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
            )
            .as_bytes(),
        );
        b.extend_from_slice(data);
        b.extend_from_slice(b"\r\n");
    }
    b.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    b
}

/// Submits a report with files through the multipart form.
pub fn submit_files(
    app: &TestApp,
    answers: &[(&str, String)],
    keep: bool,
    files: &[(&str, &[u8])],
) -> (u16, String) {
    let f = get_form(app, "confidential");
    assert!(f.html.contains("enctype=\"multipart/form-data\""));
    let mut fields: Vec<(&str, &str)> = vec![("csrf", f.token.as_str())];
    fields.extend(answers.iter().map(|(k, v)| (*k, v.as_str())));
    if keep {
        fields.push(("attachments_keep_metadata", "yes"));
    }
    let files: Vec<(&str, &str, &[u8])> =
        files.iter().map(|(n, d)| ("attachments", *n, *d)).collect();
    let boundary = "----amanatTestBoundary7MA4YWxkTrZu0gW";
    let resp = client()
        .post(format!("{}/report", app.intake))
        .header(
            "content-type",
            format!("multipart/form-data; boundary={boundary}"),
        )
        .header("cookie", &f.cookie)
        .body(multipart_body(boundary, &fields, &files))
        .send()
        .unwrap();
    let status = resp.status().as_u16();
    (status, resp.text().unwrap())
}

/// Every regular file under `dir`, recursively.
pub fn files_under(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    if let Ok(rd) = std::fs::read_dir(dir) {
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir() {
                out.extend(files_under(&p));
            } else {
                out.push(p);
            }
        }
    }
    out
}

/// True if `needle` occurs in `hay`.
pub fn contains_bytes(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}
