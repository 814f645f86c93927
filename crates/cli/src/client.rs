//! The CLI's HTTP client for the review API.
//!
//! Blocking reqwest over rustls (ring). An optional proxy (`socks5h://…` for
//! Tor) and an optional CA file for servers with their own certificate.
//! Server errors are mapped to the CLI's exit codes by their error code
//! ([`Exit::for_code`]), with the server's message.

use crate::exit::{CliError, Exit};
use crate::session;
use amanat_core::api::{ErrorBody, ErrorCode};
use reqwest::blocking::{Client, RequestBuilder, Response};
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// A client for one server, or for a mirror of one (`crate::offline`:
/// then it has no HTTP client and cannot open a connection).
pub struct Api {
    http: Option<Client>,
    base: String,
    token: Option<String>,
    mirror: Option<crate::mirror::Mirror>,
    /// With a mirror: the profile directory holding the outbox.
    outbox: PathBuf,
}

impl Api {
    /// A client for `server` (e.g. `http://abc….onion` or `https://host:8081`).
    pub fn new(server: &str, proxy: Option<&str>, ca: Option<&Path>) -> Result<Api, CliError> {
        let base = server.trim_end_matches('/').to_string();
        if !(base.starts_with("http://") || base.starts_with("https://")) {
            return Err(CliError::usage(format!(
                "the server URL {server:?} must start with http:// (onion) or https://"
            )));
        }
        let tls = amanat_core::tls::client_config(ca).map_err(CliError::general)?;
        let mut b = Client::builder()
            .tls_backend_preconfigured(tls)
            .connect_timeout(Duration::from_secs(60))
            .timeout(Duration::from_secs(300))
            .user_agent("amanat")
            .no_proxy();
        if let Some(p) = proxy {
            let proxy = reqwest::Proxy::all(p)
                .map_err(|e| CliError::usage(format!("invalid proxy {p:?}: {e}")))?;
            b = b.proxy(proxy);
        }
        let http = b.build().map_err(|e| CliError::general(e.to_string()))?;
        Ok(Api {
            http: Some(http),
            base,
            token: None,
            mirror: None,
            outbox: PathBuf::new(),
        })
    }

    /// A client that answers from mirror `m`, keeps what it would send in
    /// the outbox in `outbox` (a profile's directory), and never opens a
    /// connection.
    pub fn offline(m: crate::mirror::Mirror, outbox: &Path) -> Api {
        Api {
            http: None,
            base: m.manifest.server.clone(),
            token: None,
            mirror: Some(m),
            outbox: outbox.to_path_buf(),
        }
    }

    /// Uses a session token for the following requests.
    pub fn with_token(mut self, token: &str) -> Api {
        self.token = Some(token.to_string());
        self
    }

    /// `GET` a JSON resource.
    pub fn get<T: DeserializeOwned>(&self, path: &str) -> Result<T, CliError> {
        if let Some(m) = &self.mirror {
            let bytes = crate::offline::get(m, path)?;
            return serde_json::from_slice(&bytes)
                .map_err(|e| CliError::general(format!("unexpected content in the mirror: {e}")));
        }
        self.send(|h| h.get(self.url(path)))?
            .json()
            .map_err(|e| CliError::general(format!("unexpected answer from the server: {e}")))
    }

    /// `POST` JSON, expecting JSON back.
    pub fn post<B: Serialize, T: DeserializeOwned>(
        &self,
        path: &str,
        body: &B,
    ) -> Result<T, CliError> {
        if let Some(m) = &self.mirror {
            let body = serde_json::to_value(body).map_err(|e| CliError::general(e.to_string()))?;
            let bytes = crate::offline::post(m, &self.outbox, path, body)?;
            return serde_json::from_slice(&bytes)
                .map_err(|e| CliError::general(format!("unexpected answer: {e}")));
        }
        self.send(|h| h.post(self.url(path)).json(body))?
            .json()
            .map_err(|e| CliError::general(format!("unexpected answer from the server: {e}")))
    }

    /// `POST` JSON, ignoring the answer's body.
    pub fn post_empty_json<B: Serialize>(&self, path: &str, body: &B) -> Result<(), CliError> {
        self.send(|h| h.post(self.url(path)).json(body)).map(|_| ())
    }

    /// `POST` without a body, ignoring the answer's body.
    pub fn post_empty(&self, path: &str) -> Result<(), CliError> {
        self.send(|h| h.post(self.url(path))).map(|_| ())
    }

    /// `DELETE`, expecting JSON back.
    pub fn delete<T: DeserializeOwned>(&self, path: &str) -> Result<T, CliError> {
        self.send(|h| h.delete(self.url(path)))?
            .json()
            .map_err(|e| CliError::general(format!("unexpected answer from the server: {e}")))
    }

    /// `PUT` a file's bytes, streamed from the file (never read whole),
    /// expecting JSON back.
    pub fn put_file<T: DeserializeOwned>(
        &self,
        path: &str,
        file: std::fs::File,
    ) -> Result<T, CliError> {
        let len = file
            .metadata()
            .map_err(|e| CliError::general(format!("cannot read the file to upload: {e}")))?
            .len();
        let body = reqwest::blocking::Body::sized(file, len);
        self.send(|h| {
            h.put(self.url(path))
                .header(reqwest::header::CONTENT_TYPE, "application/octet-stream")
                .body(body)
        })?
        .json()
        .map_err(|e| CliError::general(format!("unexpected answer from the server: {e}")))
    }

    /// `DELETE`, ignoring the answer's body.
    pub fn delete_empty(&self, path: &str) -> Result<(), CliError> {
        self.send(|h| h.delete(self.url(path))).map(|_| ())
    }

    /// `GET` a binary resource as a stream.
    pub fn get_stream(&self, path: &str) -> Result<Box<dyn std::io::Read + Send>, CliError> {
        if let Some(m) = &self.mirror {
            return crate::offline::get_stream(m, path);
        }
        Ok(Box::new(self.send(|h| h.get(self.url(path)))?))
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    fn send(&self, req: impl FnOnce(&Client) -> RequestBuilder) -> Result<Response, CliError> {
        let (Some(http), None) = (&self.http, &self.mirror) else {
            return Err(crate::offline::refused(&self.base));
        };
        let mut req = req(http);
        if let Some(t) = &self.token {
            req = req.bearer_auth(t);
        }
        let resp = req.send().map_err(|e| {
            CliError::new(
                Exit::Unreachable,
                format!(
                    "cannot reach the server at {}: {}. Check the URL, your connection, and --proxy for Tor",
                    self.base,
                    root_cause(&e)
                ),
            )
        })?;
        let status = resp.status();
        if status.is_success() {
            return Ok(resp);
        }
        // A body that is not an error body (a proxy's page) has no code.
        let (code, message) = resp
            .json::<ErrorBody>()
            .map(|b| (b.error.code, b.error.message))
            .unwrap_or_else(|_| (ErrorCode::Unknown, format!("the server answered {status}")));
        let code = Exit::for_code(code);
        Err(CliError::new(code, message))
    }
}

/// A connection with the saved session: the client, with its token, and
/// the session it came from.
pub struct Connection {
    pub api: Api,
    pub saved: session::Saved,
}

/// Connects with the saved session; "not logged in" without one.
pub fn connect(dir: &Path, proxy: Option<&str>) -> Result<Connection, CliError> {
    let saved = session::load(dir)?
        .ok_or_else(|| CliError::new(Exit::NotLoggedIn, "not logged in; run `amanat login`"))?;
    let api = Api::new(&saved.server, proxy, saved.ca_file.as_deref())?.with_token(&saved.token);
    Ok(Connection { api, saved })
}

/// A "connection" to mirror `dir` (see `crate::offline`), decrypting with
/// the identity at `identity`.
pub fn open_mirror(
    dir: &Path,
    identity: Option<&Path>,
    outbox: &Path,
) -> Result<Connection, CliError> {
    let identity = identity.ok_or_else(|| {
        CliError::usage(
            "reading a mirror needs your identity: --identity FILE before the command, or \
             AMANAT_IDENTITY",
        )
    })?;
    let m = crate::mirror::Mirror::open(dir)?;
    // Opening a mirror stands for the login: the recipient sets it carries
    // are pinned, and a change since the last mirror read here is shown
    // before anything is encrypted to it.
    if m.has(crate::mirror::RECIPIENTS) {
        let r: amanat_core::api::Recipients =
            serde_json::from_slice(&m.read(crate::mirror::RECIPIENTS)?).map_err(|e| {
                CliError::general(format!(
                    "the mirror's recipient list is damaged ({e}); sync again"
                ))
            })?;
        crate::pins::pin_mirror_recipients(outbox, &m.manifest.server, &r)?;
    }
    let saved = session::Saved {
        server: m.manifest.server.clone(),
        token: String::new(),
        reviewer_id: m.manifest.reviewer_id.clone(),
        reviewer_name: m.manifest.reviewer_name.clone(),
        identity: identity.to_path_buf(),
        ca_file: None,
    };
    Ok(Connection {
        api: Api::offline(m, outbox),
        saved,
    })
}

/// `s` as one path segment of a URL.
pub fn url_segment(s: &str) -> String {
    percent_encoding::utf8_percent_encode(s, percent_encoding::NON_ALPHANUMERIC).to_string()
}

fn root_cause(e: &dyn std::error::Error) -> String {
    let mut cur = e;
    while let Some(next) = cur.source() {
        cur = next;
    }
    cur.to_string()
}
