//! Test helpers: a real server on loopback port 0 with a temporary data dir
//! (`spawn_app`), a browser-like form client (no JavaScript: GET the form,
//! keep the cookie and the anti-forgery token, POST), and reviewer login by
//! age challenge-response.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

// Integration tests only: the page-weight example (bench/page_weights.rs)
// includes this module too, and Cargo sets the `CARGO_BIN_EXE_*` variables
// `daemon` needs for tests and benches, not for examples.
#[cfg(test)]
pub mod cli;
#[cfg(test)]
pub mod daemon;
pub mod pages;

use age::x25519;
use amanat_core::api::*;
use amanat_core::crypto::envelope;
use amanat_core::model::{Questionnaire, Role};
use amanatd::config::Config;
use amanatd::server::Application;
use amanatd::store::{NewReviewer, Store};
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
    client_builder().build().unwrap()
}

/// The builder of [`client`], for tests that add to it (a timeout).
pub fn client_builder() -> reqwest::blocking::ClientBuilder {
    client_builder_trusting(None)
}

/// [`client_builder`] that also trusts a test CA (PEM file), for listeners
/// served over real TLS.
pub fn client_builder_trusting(ca: Option<&std::path::Path>) -> reqwest::blocking::ClientBuilder {
    Client::builder()
        .tls_backend_preconfigured(amanat_core::tls::client_config(ca).unwrap())
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
}

/// A test certificate authority (rcgen) for listeners served over TLS.
pub struct TestCa {
    pub issuer: rcgen::CertifiedIssuer<'static, rcgen::KeyPair>,
    /// The CA certificate, PEM.
    pub pem: std::path::PathBuf,
}

impl TestCa {
    /// A new CA whose certificate is written to `dir/ca.pem`.
    pub fn new(dir: &std::path::Path) -> TestCa {
        let mut params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
        params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        params
            .distinguished_name
            .push(rcgen::DnType::CommonName, "Amanat test CA");
        params.key_usages = vec![
            rcgen::KeyUsagePurpose::KeyCertSign,
            rcgen::KeyUsagePurpose::CrlSign,
        ];
        let issuer =
            rcgen::CertifiedIssuer::self_signed(params, rcgen::KeyPair::generate().unwrap())
                .unwrap();
        let pem = dir.join("ca.pem");
        std::fs::write(&pem, issuer.pem()).unwrap();
        TestCa { issuer, pem }
    }

    /// A leaf for localhost and 127.0.0.1; writes `dir/NAME.crt` and
    /// `dir/NAME.key` (0600) and returns their paths.
    pub fn leaf(
        &self,
        dir: &std::path::Path,
        name: &str,
    ) -> (std::path::PathBuf, std::path::PathBuf) {
        use std::os::unix::fs::PermissionsExt;
        let mut params =
            rcgen::CertificateParams::new(vec!["localhost".into(), "127.0.0.1".into()]).unwrap();
        params
            .distinguished_name
            .push(rcgen::DnType::CommonName, name);
        let kp = rcgen::KeyPair::generate().unwrap();
        let c = params.signed_by(&kp, &self.issuer).unwrap();
        let (cert, key) = (
            dir.join(format!("{name}.crt")),
            dir.join(format!("{name}.key")),
        );
        std::fs::write(&cert, c.pem()).unwrap();
        std::fs::write(&key, kp.serialize_pem()).unwrap();
        std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o600)).unwrap();
        (cert, key)
    }
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
    let cookie = cookie_named(&resp, "amanat_csrf").expect("the form sets the anti-forgery cookie");
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
    (status, body.error.code.to_string(), body.error.message)
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

/// An HTTP answer read off a raw socket.
#[derive(Debug, Default)]
pub struct RawReply {
    /// The status, or 0 if no complete status line came back.
    pub status: u16,
    /// Header names in lower case, with their values.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    /// True if the server closed the connection after answering.
    pub closed: bool,
}

impl RawReply {
    /// The first value of a header.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// `host:port` of a listener URL such as `http://127.0.0.1:1234`.
pub fn addr_of(url: &str) -> &str {
    url.split("://").nth(1).unwrap_or(url)
}

/// Writes `bytes` to a listener on a fresh connection, exactly as given
/// (for requests no HTTP client would send), and reads one answer for at
/// most `wait`. Never hangs: every read and write has a timeout.
pub fn raw_exchange(addr: &str, bytes: &[u8], wait: std::time::Duration) -> RawReply {
    use std::io::Write;
    let mut s = std::net::TcpStream::connect(addr).unwrap();
    s.set_write_timeout(Some(wait)).unwrap();
    // A server may answer and close before reading everything.
    let _ = s.write_all(bytes);
    read_reply(&mut s, wait)
}

/// Reads one HTTP answer from a connection for at most `wait`.
pub fn read_reply(s: &mut std::net::TcpStream, wait: std::time::Duration) -> RawReply {
    s.set_read_timeout(Some(std::time::Duration::from_millis(100)))
        .unwrap();
    read_reply_from(s, wait)
}

/// [`read_reply`] from any stream (a TLS stream over a socket), whose
/// socket already has a short read timeout.
pub fn read_reply_from(s: &mut impl std::io::Read, wait: std::time::Duration) -> RawReply {
    let deadline = std::time::Instant::now() + wait;
    let mut buf = Vec::new();
    let mut chunk = [0u8; 16 * 1024];
    let mut closed = false;
    while std::time::Instant::now() < deadline {
        if parse_reply(&buf, false).is_some() {
            break;
        }
        match s.read(&mut chunk) {
            Ok(0) => {
                closed = true;
                break;
            }
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) => {}
            Err(_) => {
                closed = true;
                break;
            }
        }
    }
    let mut reply = parse_reply(&buf, true).unwrap_or_default();
    reply.closed = closed;
    reply
}

/// Parses one answer; `None` while it is incomplete (unless `at_end`).
fn parse_reply(buf: &[u8], at_end: bool) -> Option<RawReply> {
    let head_end = buf.windows(4).position(|w| w == b"\r\n\r\n")?;
    let head = String::from_utf8_lossy(&buf[..head_end]);
    let mut lines = head.split("\r\n");
    let status = lines.next()?.split(' ').nth(1)?.parse().ok()?;
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    let rest = &buf[head_end + 4..];
    let get = |n: &str| headers.iter().find(|(k, _)| k == n).map(|(_, v)| v.clone());
    let body = if let Some(len) = get("content-length").and_then(|v| v.parse::<usize>().ok()) {
        if rest.len() < len {
            if !at_end {
                return None;
            }
            rest.to_vec()
        } else {
            rest[..len].to_vec()
        }
    } else if get("transfer-encoding").is_some_and(|v| v.contains("chunked")) {
        let mut body = Vec::new();
        let mut at = rest;
        loop {
            let Some(eol) = at.windows(2).position(|w| w == b"\r\n") else {
                if at_end {
                    break;
                }
                return None;
            };
            let size_text = String::from_utf8_lossy(&at[..eol]);
            let size = usize::from_str_radix(size_text.split(';').next()?.trim(), 16).ok()?;
            if size == 0 {
                break;
            }
            let start = eol + 2;
            if at.len() < start + size + 2 {
                if at_end {
                    body.extend_from_slice(&at[start.min(at.len())..]);
                    break;
                }
                return None;
            }
            body.extend_from_slice(&at[start..start + size]);
            at = &at[start + size + 2..];
        }
        body
    } else {
        if !at_end {
            return None;
        }
        rest.to_vec()
    };
    Some(RawReply {
        status,
        headers,
        body,
        closed: false,
    })
}
