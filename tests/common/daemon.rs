//! A real `amanatd` process on loopback, driven as an operator and a
//! browser would: `init`, enrolling a reviewer, `serve` with the addresses
//! it prints, the form submitted without JavaScript, and every narrative of
//! a store read back with a reviewer's key.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use super::{cookie_named, encode, extract_value, minimal};
use std::collections::BTreeSet;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

// The two binaries as the workspace builds them (the root package's build.rs
// names them). `binary` fails loudly when one is missing.
pub const AMANATD: &str = env!("BIN_PATH_amanatd");
pub const AMANAT: &str = env!("BIN_PATH_amanat");

/// Panics with the way out when a binary has not been built: the tests of
/// the root package do not build the other packages' binaries by
/// themselves; `cargo test --workspace` (or `cargo test` at the root, whose
/// default members are the whole workspace) and scripts/test.sh do.
pub fn require_binaries() {
    for bin in [AMANATD, AMANAT] {
        assert!(
            std::path::Path::new(bin).is_file(),
            "{bin} is missing: run the tests with `cargo test --workspace` \
             or scripts/test.sh, which build both binaries first"
        );
    }
}

/// A running `amanatd serve`, killed on drop.
pub struct Daemon {
    pub child: Child,
    pub intake: String,
    pub review: String,
    pub log: PathBuf,
}

impl Daemon {
    pub fn pid(&self) -> u32 {
        self.child.id()
    }
    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
    pub fn alive(&mut self) -> bool {
        self.child.try_wait().unwrap().is_none()
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `amanatd serve` on free loopback ports; its log is DATA.log.
pub fn serve(data: &Path, env: &[(&str, &str)]) -> Daemon {
    serve_at(data, ("127.0.0.1:0", "127.0.0.1:0"), env)
}

/// `amanatd serve` on the given intake and review addresses; its log (
/// appended to across restarts) is DATA.log.
pub fn serve_at(data: &Path, addrs: (&str, &str), env: &[(&str, &str)]) -> Daemon {
    serve_logging_to(data, addrs, &data.with_extension("log"), env)
}

/// `amanatd serve` on the given addresses, appending its log to `log`.
pub fn serve_logging_to(
    data: &Path,
    (intake, review): (&str, &str),
    log: &Path,
    env: &[(&str, &str)],
) -> Daemon {
    let log = log.to_path_buf();
    let log_file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&log)
        .unwrap();
    require_binaries();
    let mut cmd = Command::new(AMANATD);
    // The harnesses' own settings (AMANAT_CRASH_…) are not the server's:
    // it refuses unknown AMANAT_ variables, as it should.
    for (k, _) in std::env::vars_os() {
        if k.to_string_lossy().starts_with("AMANAT_CRASH_") {
            cmd.env_remove(k);
        }
    }
    let mut child = cmd
        .args(["serve", "--data-dir"])
        .arg(data)
        .args(["--intake-addr", intake, "--review-addr", review])
        .envs(env.iter().copied())
        .stdout(Stdio::piped())
        .stderr(log_file)
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut url = |prefix: &str| -> String {
        let line = lines.next().expect("server printed its address").unwrap();
        line.strip_prefix(prefix)
            .unwrap_or_else(|| panic!("unexpected line {line:?}"))
            .to_string()
    };
    let intake = url("intake listening on ");
    let review = url("review listening on ");
    Daemon {
        child,
        intake,
        review,
        log,
    }
}

pub fn run(bin: &str, args: &[&str]) -> Output {
    require_binaries();
    Command::new(bin).args(args).output().unwrap()
}

pub fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

pub fn ok(out: &Output) -> String {
    assert!(
        out.status.success(),
        "exit {:?}\n{}",
        out.status.code(),
        text(out)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// `amanatd init` plus one triage reviewer; returns the reviewer's identity.
pub fn init_with_reviewer(data: &Path) -> age::x25519::Identity {
    let d = data.to_str().unwrap();
    ok(&run(AMANATD, &["init", "--data-dir", d]));
    let identity = age::x25519::Identity::generate();
    ok(&run(
        AMANATD,
        &[
            "reviewer",
            "add",
            "--data-dir",
            d,
            "--name",
            "ana",
            "--recipient",
            &identity.to_public().to_string(),
            "--roles",
            "triage,identity,admin",
        ],
    ));
    identity
}

/// A browser with JavaScript off submits one report; true when the
/// confirmation page (the acknowledgement) was shown.
pub fn submit_form(http: &reqwest::blocking::Client, intake: &str, narrative: &str) -> bool {
    match try_submit(http, intake, narrative, &[]) {
        Ok(Submitted::Acknowledged(_)) => true,
        Ok(Submitted::Refused(_)) => false,
        Err(e) => panic!("submission failed: {e}"),
    }
}

/// How a submission that reached the server ended.
#[derive(Debug)]
pub enum Submitted {
    /// The confirmation page, with the codename it showed.
    Acknowledged(String),
    /// Any other answer, with its status.
    Refused(u16),
}

/// Submits one report as a browser with JavaScript off does (GET the form,
/// POST it with its cookie and token), with files as (name, content) if any.
/// `Err` when the connection failed or broke (the server was down or died).
pub fn try_submit(
    http: &reqwest::blocking::Client,
    intake: &str,
    narrative: &str,
    files: &[(&str, &[u8])],
) -> Result<Submitted, reqwest::Error> {
    submit_files_in(http, intake, narrative, files, "attachments")
}

/// As [`try_submit`], with the files chosen under "send as it is": stored
/// unchanged, whatever their type, because the source agreed.
pub fn try_submit_as_is(
    http: &reqwest::blocking::Client,
    intake: &str,
    narrative: &str,
    files: &[(&str, &[u8])],
) -> Result<Submitted, reqwest::Error> {
    submit_files_in(http, intake, narrative, files, "attachments_as_is")
}

fn submit_files_in(
    http: &reqwest::blocking::Client,
    intake: &str,
    narrative: &str,
    files: &[(&str, &[u8])],
    field: &str,
) -> Result<Submitted, reqwest::Error> {
    let resp = http
        .get(format!("{intake}/report?anonymity=confidential&lang=en"))
        .send()?;
    if resp.status() != 200 {
        return Ok(Submitted::Refused(resp.status().as_u16()));
    }
    let cookie = cookie_named(&resp, "amanat_csrf").expect("the form sets its anti-forgery cookie");
    let token = extract_value(&resp.text()?, "name=\"csrf\" value=\"")
        .expect("the form holds its anti-forgery token");
    let answers = minimal(narrative);
    let mut fields: Vec<(&str, &str)> = vec![("csrf", token.as_str())];
    fields.extend(answers.iter().map(|(k, v)| (*k, v.as_str())));
    let post = http
        .post(format!("{intake}/report"))
        .header("cookie", cookie);
    let post = if files.is_empty() {
        post.header("content-type", "application/x-www-form-urlencoded")
            .body(encode(&fields))
    } else {
        let boundary = "----amanatDaemonBoundary3f1c9e";
        let files: Vec<(&str, &str, &[u8])> = files.iter().map(|(n, d)| (field, *n, *d)).collect();
        post.header(
            "content-type",
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(super::multipart_body(boundary, &fields, &files))
    };
    let resp = post.send()?;
    let status = resp.status().as_u16();
    let page = resp.text()?;
    if status == 200 && page.contains("Your report was received") {
        Ok(Submitted::Acknowledged(super::codename_of(&page)))
    } else {
        Ok(Submitted::Refused(status))
    }
}

/// Every narrative in a store, decrypted with the reviewer's key. Panics if
/// any report lacks its envelope or does not decrypt.
pub fn narratives(data: &Path, identity: &age::x25519::Identity) -> Vec<String> {
    let store = amanatd::store::Store::open(data).unwrap();
    let mut out = Vec::new();
    for r in store.reports().unwrap() {
        let env = r
            .envelopes
            .iter()
            .find(|e| e.kind == amanatd::store::EnvelopeKind::Report)
            .expect("a report envelope");
        let ct = store
            .envelope(&env.id)
            .unwrap()
            .unwrap_or_else(|| panic!("report {} lacks its envelope", r.id));
        let plain = amanat_core::crypto::envelope::open(&ct, &[identity]).expect("decrypts");
        let json: serde_json::Value = serde_json::from_slice(&plain).unwrap();
        out.push(json["answers"]["narrative"].as_str().unwrap().to_string());
    }
    out
}

pub fn wait_for(what: &str, limit: Duration, mut cond: impl FnMut() -> bool) {
    let start = Instant::now();
    while !cond() {
        assert!(start.elapsed() < limit, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// A count from the environment (the crash harnesses' `AMANAT_CRASH_…`
/// knobs), or `default`.
pub fn env_count(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .map(|v| {
            v.parse()
                .unwrap_or_else(|_| panic!("{name}={v} is not a count"))
        })
        .unwrap_or(default)
}

/// A free loopback address (bound, then released for the server to take).
pub fn free_addr() -> String {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap().to_string()
}

/// The file a crash harness sends with report `i` (every fourth): plain
/// bytes naming the harness (`label`), sent "as it is" (no type we clean)
/// and stored as sent.
pub fn harness_file(label: &str, i: usize) -> Option<Vec<u8>> {
    (i % 4 == 0).then(|| format!("{label} file {i}\n").repeat(40).into_bytes())
}

/// What the browsers of a crash harness counted.
#[derive(Default)]
pub struct Tally {
    pub attempted: AtomicUsize,
    /// The numbers of the reports acknowledged with a receipt.
    pub acknowledged: Mutex<BTreeSet<usize>>,
    /// The numbers of the reports whose follow-up message was acknowledged.
    pub messages: Mutex<BTreeSet<usize>>,
    pub refused: AtomicUsize,
    /// Requests that failed because the server was down or died.
    pub broken: AtomicUsize,
}

/// Starts `clients` browsers (JavaScript off) that submit report `i` as
/// "`label` report `i`", with [`harness_file`] sent as it is, until
/// `target` reports are acknowledged or `limit` has passed since `started`.
/// A request that breaks is retried after a pause (the server is being
/// killed). `acknowledged(http, i, codename)` runs after each receipt.
pub fn submit_until(
    intake: &str,
    clients: usize,
    (target, started, limit): (usize, Instant, Duration),
    label: &'static str,
    tally: &Arc<Tally>,
    acknowledged: impl Fn(&reqwest::blocking::Client, usize, &str) + Clone + Send + 'static,
) -> Vec<std::thread::JoinHandle<()>> {
    let next = Arc::new(AtomicUsize::new(0));
    (0..clients)
        .map(|_| {
            let (tally, next, intake) = (tally.clone(), next.clone(), intake.to_string());
            let acknowledged = acknowledged.clone();
            std::thread::spawn(move || {
                let http = super::client();
                while tally.acknowledged.lock().unwrap().len() < target && started.elapsed() < limit
                {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let narrative = format!("{label} report {i}");
                    let file = harness_file(label, i);
                    let files: Vec<(&str, &[u8])> = file
                        .as_deref()
                        .map(|f| vec![("evidence.txt", f)])
                        .unwrap_or_default();
                    tally.attempted.fetch_add(1, Ordering::Relaxed);
                    match try_submit_as_is(&http, &intake, &narrative, &files) {
                        Ok(Submitted::Acknowledged(codename)) => {
                            tally.acknowledged.lock().unwrap().insert(i);
                            acknowledged(&http, i, &codename);
                        }
                        Ok(Submitted::Refused(_)) => {
                            tally.refused.fetch_add(1, Ordering::Relaxed);
                        }
                        Err(_) => {
                            // The server is down or just died: try again soon.
                            tally.broken.fetch_add(1, Ordering::Relaxed);
                            std::thread::sleep(Duration::from_millis(50));
                        }
                    }
                }
            })
        })
        .collect()
}

/// Reads back one report a harness sent (`{label} report {i}` as its
/// narrative): decrypts it into its typed record, checks that it was sent
/// (`i < attempted`) and that its file, if the harness sent one, decrypts to
/// the same bytes followed only by padding. Returns `i`.
pub fn check_harness_report(
    store: &amanatd::store::Store,
    identity: &age::x25519::Identity,
    r: &amanatd::store::ReportMeta,
    label: &str,
    attempted: usize,
) -> usize {
    use amanat_core::records::{Record, ReportRecord};
    use std::io::Read;
    let env = r
        .envelopes
        .iter()
        .find(|e| e.kind == amanatd::store::EnvelopeKind::Report)
        .expect("a report envelope");
    let ct = store.envelope(&env.id).unwrap().expect("its envelope");
    let plain = amanat_core::crypto::envelope::open(&ct, &[identity]).expect("decrypts");
    let record = ReportRecord::from_plaintext(&plain).expect("a report record");
    let narrative = match record.answers.get("narrative") {
        Some(amanat_core::model::Value::Text(t)) => t.clone(),
        other => panic!("a report without a narrative: {other:?}"),
    };
    let i: usize = narrative
        .strip_prefix(&format!("{label} report "))
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("a report nobody sent: {narrative:?}"));
    assert!(i < attempted, "report {i} was never sent");
    let files = &record.attachments;
    match harness_file(label, i) {
        None => assert!(files.is_empty(), "report {i} has files it was not sent"),
        Some(want) => {
            assert_eq!(files.len(), 1, "report {i} lacks its file");
            assert_eq!(r.blobs.len(), 1);
            assert_eq!(files[0].blob, r.blobs[0]);
            let f = std::fs::File::open(store.blob_path(&files[0].blob).unwrap())
                .unwrap_or_else(|e| panic!("report {i}'s file is gone: {e}"));
            let dec = age::Decryptor::new_buffered(std::io::BufReader::new(f)).unwrap();
            let mut got = Vec::new();
            dec.decrypt(std::iter::once(identity as &dyn age::Identity))
                .unwrap()
                .read_to_end(&mut got)
                .unwrap();
            assert_eq!(&got[..want.len()], want.as_slice(), "report {i}'s file");
            assert!(got[want.len()..].iter().all(|b| *b == 0), "only padding");
        }
    }
    i
}
