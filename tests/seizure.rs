//! Seizure audit (issue 8): what does a seized server give away?
//!
//! A real workload runs against the real `amanatd` (HTTPS with rustls on
//! loopback, sled in a temporary data dir, `AMANAT_LOG=trace`) and the real
//! `amanat` CLI. Every free-text answer, the name and the content of each
//! attachment, follow-up messages, a reviewer's reply, note and tag, bad
//! input on both listeners and the `User-Agent`, `X-Forwarded-For`,
//! `X-Real-IP` and `Forwarded` headers carry a random canary. The browser
//! connects from 127.0.0.2, so its address cannot be mistaken for the
//! server's own 127.0.0.1.
//!
//! Then the server is stopped (SIGTERM, as systemd does) and every byte under
//! the data dir, the server's temporary directory and its output is read:
//!
//! - no canary, codename, cookie, token or token hash, as UTF-8, UTF-16LE/BE,
//!   hex, base64 or base32 at any alignment, or percent-encoded; no field id
//!   of the questionnaire or chosen option (they exist only inside the
//!   encrypted answers);
//! - no client address, no header value;
//! - no time finer than the UTC day: no time of day, no Unix time in seconds,
//!   milliseconds or microseconds (as text, or as 64-bit integers either way
//!   round), no day outside this run in the plaintext records;
//! - the log holds no line below INFO from another crate (sled prints keys
//!   and values there), no source lookup id in any form, no request path,
//!   and report and reviewer ids only on review-path lines.
//!
//! Finally it lists what a seized server does reveal, derived from the store
//! itself (trees, keys, the fields of each plaintext record, ciphertext
//! sizes, files, superseded records, file times), prints the list, and fails
//! unless SECURITY.md's section "What a seized server reveals" names every
//! item, so the document cannot drift from the store.

#![forbid(unsafe_code)]
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

mod fixtures;

use amanat_core::model::FieldType;
use common::{codename_of, cookie_named, encode, extract_value, multipart_body};
use data_encoding::{BASE32, BASE32_NOPAD, BASE64, BASE64URL, Encoding, HEXLOWER, HEXUPPER};
use reqwest::blocking::{Client, Response};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::io::{BufRead, BufReader, Read};
use std::net::IpAddr;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

const AMANATD: &str = env!("BIN_PATH_amanatd");
const AMANAT: &str = env!("BIN_PATH_amanat");
/// The longest any one step may take (a command, a request, a stop).
const LIMIT: Duration = Duration::from_secs(120);
/// The browser's address: loopback, but not the server's.
const BROWSER_IP: [u8; 4] = [127, 0, 0, 2];
const BROWSER_ADDR: &str = "127.0.0.2";
const USER_AGENT_PREFIX: &str = "Mozilla/5.0 (Windows NT 10.0; rv:128.0) ";
const XFF: &str = "198.51.100.73";
const REAL_IP: &str = "203.0.113.19";
const FORWARDED_FOR: &str = "192.0.2.44";

#[test]
fn a_seized_server_reveals_only_what_security_md_lists() {
    let started = now_secs();
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    let data = root.join("data");
    let server_tmp = root.join("server-tmp");
    std::fs::create_dir(&server_tmp).unwrap();
    let mut needles = Needles::default();

    // ----- the operator: init, TLS, one reviewer enrolled offline -----
    ok(run(Command::new(AMANATD)
        .args(["init", "--data-dir"])
        .arg(&data)));
    let config_at_init = std::fs::read(data.join("amanat.toml")).unwrap();
    let (ca, cert, key) = tls_files(root);
    let ana = Reviewer::keygen(root, "ana");
    let bo = Reviewer::keygen(root, "bo");
    ok(run(Command::new(AMANATD)
        .args(["reviewer", "add", "--data-dir"])
        .arg(&data)
        .args(["--name", "ana", "--recipient", &ana.recipient])
        .args(["--roles", "triage,identity,admin"])));

    let (cert, key) = (cert.to_str().unwrap(), key.to_str().unwrap());
    let server = Server::start(
        &data,
        &root.join("server.log"),
        &[
            ("AMANAT_LOG", "trace"),
            ("AMANAT_INTAKE_TLS_CERT", cert),
            ("AMANAT_INTAKE_TLS_KEY", key),
            ("AMANAT_REVIEW_TLS_CERT", cert),
            ("AMANAT_REVIEW_TLS_KEY", key),
            ("AMANAT_LIMITS_ATTACHMENT_BYTES", "1048576"),
            ("TMPDIR", server_tmp.to_str().unwrap()),
        ],
    );
    assert!(server.intake.starts_with("https://127.0.0.1:"));
    assert!(server.review.starts_with("https://127.0.0.1:"));

    // The second reviewer is enrolled online, by the admin.
    ana.login(&server.review, &ca);
    ok(ana.run(&[
        "admin",
        "reviewer",
        "add",
        "--name",
        "bo",
        "--recipient",
        &bo.recipient,
        "--roles",
        "triage",
    ]));

    // ----- sources, with a browser at 127.0.0.2 that sends canary headers -----
    let ua = format!("{USER_AGENT_PREFIX}{}", needles.token("USERAGENT"));
    needles.text("user agent", &ua);
    for ip in [XFF, REAL_IP, FORWARDED_FOR, BROWSER_ADDR] {
        needles.plain("address", ip);
    }
    let browser = Browser::new(&server.intake, &ca, &ua);

    // Report 1: consented, every free-text field, the identity section.
    let mut answers = vec![
        ("lang", "en".to_string()),
        ("anonymity", "consented".into()),
        ("reporter_relationship", "colleague".into()),
        ("victim_type", "defender".into()),
        ("victim_type", "trade_unionist".into()),
        ("country", "EG".into()),
        ("incident_date_year", "2026".into()),
        ("incident_date_month", "4".into()),
        ("incident_date_day", "30".into()),
        ("incident_date_precision", "exact".into()),
        ("ongoing", "yes".into()),
        ("reprisal_types", "arbitrary_detention".into()),
        ("reprisal_types", "travel_ban".into()),
        ("un_engagement", "hrc_session".into()),
        ("perpetrator_types", "intelligence".into()),
        ("current_risk", "family_at_risk".into()),
        ("help_needed", "digital_security".into()),
        ("prior_reporting", "national_authority".into()),
        ("identity_contact_channel", "telegram".into()),
        ("consent_informed_of_risks", "yes".into()),
        ("consent_share_ohchr", "yes".into()),
        ("consent_raise_with_state", "yes".into()),
        ("consent_sg_report", "named".into()),
        ("consent_share_protection_orgs", "yes".into()),
        ("consent_contact_back", "yes".into()),
        ("consent_share_identity_un", "yes".into()),
    ];
    for (field, value) in &answers {
        if *field != "anonymity" && value.len() >= 8 {
            needles.plain("chosen option", value);
        }
    }
    // A canary in every free-text field of the questionnaire, whatever it
    // holds; no field name may be found either (only the anonymity level is
    // stored in plaintext).
    let questionnaire = amanat_core::model::Questionnaire::builtin().unwrap();
    let mut free_text = Vec::new();
    for f in &questionnaire.fields {
        if f.id != "anonymity" {
            needles.plain("field id", &f.id);
        }
        if matches!(f.kind, FieldType::Text | FieldType::Longtext) {
            let label = f.id.replace('_', "").to_uppercase();
            answers.push((f.id.as_str(), needles.field_text(&label)));
            free_text.push(label);
        }
    }
    assert!(free_text.len() >= 5, "{free_text:?}");
    let form = browser.form("consented");
    let mut pairs = vec![("csrf", form.token.as_str())];
    pairs.extend(answers.iter().map(|(k, v)| (*k, v.as_str())));
    let resp = browser.post_urlencoded("/report", &form.cookie, &pairs);
    assert_eq!(resp.status(), 200);
    let page = resp.text().unwrap();
    assert!(page.contains("Your report was received"), "{page}");
    let codename1 = codename_of(&page);
    needles.codename(&codename1);

    // Report 2: anonymous, two attachments (one a photo with GPS metadata),
    // sent as multipart like a browser does.
    let narrative2 = needles.field_text("NARRATIVE2");
    let file_name = format!("{}.txt", needles.field_text("FILENAME"));
    let file_body = format!(
        "Minutes of the meeting.\n{}\n",
        needles.field_text("FILEBODY")
    );
    let photo_name = format!("{}.jpg", needles.token("PHOTONAME"));
    needles.plain("photo metadata", fixtures::GPS_CANARY);
    let photo = fixtures::jpeg_with_gps();
    let form = browser.form("anonymous");
    let fields = [
        ("csrf", form.token.as_str()),
        ("lang", "en"),
        ("anonymity", "anonymous"),
        ("reporter_relationship", "self"),
        ("victim_type", "journalist"),
        ("country", "NI"),
        ("reprisal_types", "smear_campaign"),
        ("narrative", &narrative2),
        ("consent_informed_of_risks", "yes"),
        ("consent_contact_back", "yes"),
    ];
    let files: [(&str, &str, &[u8]); 2] = [
        // Minutes as text: no type we clean, so the source sends them as
        // they are.
        ("attachments_as_is", &file_name, file_body.as_bytes()),
        ("attachments", &photo_name, &photo),
    ];
    let resp = browser.post_multipart("/report", &form.cookie, &fields, &files);
    assert_eq!(resp.status(), 200);
    let page = resp.text().unwrap();
    assert!(page.contains("Your report was received"), "{page}");
    let codename2 = codename_of(&page);
    needles.codename(&codename2);

    // Refused: a file over the limit (its temporary file must not survive),
    // an unknown field, an unknown path, a wrong codename.
    let big_name = format!("{}.bin", needles.token("BIGNAME"));
    let big = needles.token("BIGBODY").repeat(80_000);
    let form = browser.form("anonymous");
    let fields = [
        ("csrf", form.token.as_str()),
        ("anonymity", "anonymous"),
        ("reporter_relationship", "self"),
        ("victim_type", "journalist"),
        ("country", "NI"),
        ("reprisal_types", "smear_campaign"),
        ("narrative", "too big"),
    ];
    let files: [(&str, &str, &[u8]); 1] = [("attachments", &big_name, big.as_bytes())];
    let resp = browser.post_multipart("/report", &form.cookie, &fields, &files);
    assert_eq!(resp.status(), 413);
    let form = browser.form("anonymous");
    let (bad_field, bad_value) = (needles.token("BADFIELD"), needles.field_text("BADVALUE"));
    let resp = browser.post_urlencoded(
        "/report",
        &form.cookie,
        &[
            ("csrf", form.token.as_str()),
            ("anonymity", "anonymous"),
            (&bad_field, &bad_value),
        ],
    );
    assert_eq!(resp.status(), 400);
    let bad_path = format!("/{}", needles.token("PATH"));
    assert_eq!(browser.get(&bad_path, "").status(), 404);
    let wrong = needles.field_text("WRONGCODENAME");
    let (status, _) = browser.followup_login(&wrong);
    assert_eq!(status, 400);

    // ----- the reviewer: read, reply, download, triage, export -----
    let list: Value = serde_json::from_str(&ok(ana.run(&["list", "--json"]))).unwrap();
    let ids: Vec<String> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(ids.len(), 2, "{list}");
    let show = |id: &str| ok(ana.run(&["show", id]));
    let id1 = ids
        .iter()
        .find(|id| show(id).contains(&needles.get("NARRATIVE")))
        .unwrap()
        .clone();
    let id2 = ids.iter().find(|id| **id != id1).unwrap().clone();
    let shown = show(&id1);
    for label in &free_text {
        assert!(shown.contains(&needles.get(label)), "{label}: {shown}");
    }
    let shown = show(&id2);
    assert!(shown.contains(&needles.get("NARRATIVE2")), "{shown}");
    assert!(shown.contains(&needles.get("FILENAME")), "{shown}");

    let reply = needles.field_text("REPLY");
    assert!(ok(ana.run(&["reply", &id2, "--message", &reply])).contains("Reply sent"));

    // Source 2 reads the reply and answers with a message and a file.
    let (status, cookies) = browser.followup_login(&codename2);
    assert_eq!(status, 303);
    let thread = browser.get("/followup", &cookies).text().unwrap();
    assert!(thread.contains(&needles.get("REPLY")), "{thread}");
    let message = needles.field_text("MESSAGE");
    let fu_name = format!("{}.txt", needles.field_text("FUNAME"));
    let fu_body = needles.field_text("FUBODY");
    let token = extract_value(&thread, "name=\"csrf\" value=\"").unwrap();
    // Text: no type we clean, so the source sends it as it is.
    let files: [(&str, &str, &[u8]); 1] = [("attachments_as_is", &fu_name, fu_body.as_bytes())];
    let resp = browser.post_multipart(
        "/followup/message",
        &cookies,
        &[("csrf", &token), ("message", &message)],
        &files,
    );
    let status = resp.status().as_u16();
    assert!(
        [200, 303].contains(&status),
        "{status}: {}",
        resp.text().unwrap()
    );
    browser.followup_post(&cookies, "/followup/logout", &[]);

    // Source 1 withdraws a consent.
    let (status, cookies) = browser.followup_login(&codename1);
    assert_eq!(status, 303);
    let status = browser.followup_post(
        &cookies,
        "/followup/withdraw",
        &[("withdraw", "consent_share_ohchr")],
    );
    assert!([200, 303].contains(&status), "{status}");

    let shown = show(&id2);
    assert!(shown.contains(&needles.get("MESSAGE")), "{shown}");
    assert!(shown.contains(&needles.get("FUNAME")), "{shown}");
    let downloads = root.join("downloads");
    ok(ana.run(&["download", &id2, "--out", downloads.to_str().unwrap()]));
    let mut downloaded = Vec::new();
    for f in files_under(&downloads) {
        downloaded.extend(std::fs::read(f).unwrap());
    }
    // The search works: plaintext on the reviewer's machine is found.
    let found: BTreeSet<&str> = needles
        .find(&downloaded)
        .into_iter()
        .map(|n| n.label.as_str())
        .collect();
    assert!(
        found.contains("FILEBODY") && found.contains("FUBODY"),
        "{found:?}"
    );

    let (tag, note) = (needles.token("TAG"), needles.field_text("NOTE"));
    ok(ana.run(&[
        "triage",
        &id1,
        "--state",
        "acknowledged",
        "--urgency",
        "high",
        "--assign",
        "bo",
        "--tag",
        &tag,
        "--note",
        &note,
    ]));
    ok(ana.run(&["triage", &id2, "--state", "closed", "--reason", "resolved"]));
    assert!(show(&id1).contains(&needles.get("NOTE")));
    ok(ana.run(&["export", "--profile", "stats", "--format", "csv", "--all"]));

    // The review API with canary headers and bad input.
    let session: Value =
        serde_json::from_str(&std::fs::read_to_string(ana.dir.join("session.json")).unwrap())
            .unwrap();
    let api_token = session["token"].as_str().unwrap().to_string();
    needles.secret("reviewer token", &api_token);
    let api = Browser::new(&server.review, &ca, &ua);
    let resp = api.authed_get("/api/v1/reports", &api_token);
    assert_eq!(resp.status(), 200);
    let resp = api.authed_get(
        &format!("/api/v1/reports/{}", needles.token("APIID")),
        &api_token,
    );
    assert!(resp.status().is_client_error());
    let resp = api
        .http
        .post(format!("{}/api/v1/auth/challenge", server.review))
        .header("content-type", "application/json")
        .body(format!(
            "{{\"recipient\":\"{}\"}}",
            needles.token("APIRECIPIENT")
        ))
        .send()
        .unwrap();
    assert!(!resp.status().is_server_error(), "{resp:?}");
    ok(ana.run(&["logout"]));
    for c in browser.secrets_seen().into_iter().chain(api.secrets_seen()) {
        needles.secret("cookie or anti-forgery token", &c);
    }
    drop((browser, api));

    // ----- seizure -----
    let intake_port = port_of(&server.intake);
    let review_port = port_of(&server.review);
    let stdout = server.stop();
    let ended = now_secs();
    let mut log = std::fs::read(root.join("server.log")).unwrap();
    log.extend_from_slice(stdout.as_bytes());
    let snapshot = amanatd::store::Store::open(&data)
        .unwrap()
        .snapshot()
        .unwrap();
    let days = days_between(started, ended);

    // Nothing but the reports' attachments in blobs/: the refused upload's
    // temporary file is gone.
    let referenced: BTreeSet<String> = snapshot
        .tree("report_blobs")
        .unwrap_or_default()
        .iter()
        .map(|(_, v)| blob_of_reference(v))
        .collect();
    let in_blobs: BTreeSet<String> = files_under(&data.join("blobs"))
        .iter()
        .map(|f| f.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    assert_eq!(referenced.len(), 3, "two attachments and one sent later");
    assert_eq!(in_blobs, referenced);

    // Every byte under the data dir and the server's temporary directory.
    let stored = files_under(&data);
    assert!(stored.len() >= 5, "{stored:?}");
    let leftovers = files_under(&server_tmp);
    assert!(
        leftovers.is_empty(),
        "the server wrote temporary files: {leftovers:?}"
    );
    // The configuration is what `amanatd init` wrote before any source came:
    // its comments may use words that are also field ids ("attachments"),
    // and its listen addresses are the server's own.
    let config = data.join("amanat.toml");
    assert_eq!(std::fs::read(&config).unwrap(), config_at_init);
    let mut problems = Vec::new();
    for f in stored.iter().chain(&leftovers) {
        let bytes = std::fs::read(f).unwrap();
        let name = f.strip_prefix(root).unwrap().display().to_string();
        for n in needles.find(&bytes) {
            let words_of_the_form = matches!(n.label.as_str(), "field id" | "chosen option");
            if !(words_of_the_form && *f == config) {
                problems.push(format!("{name}: {n}"));
            }
        }
        for t in find_times(&bytes, started, ended) {
            problems.push(format!("{name}: {t}"));
        }
        if *f != config && contains(&bytes, b"127.0.0.1") {
            problems.push(format!("{name}: 127.0.0.1"));
        }
    }

    // The plaintext records: days only, and only days of this run.
    for (tree, entries) in &snapshot.trees {
        for (_, v) in entries {
            if let Ok(json) = serde_json::from_slice::<Value>(v) {
                check_times(
                    &String::from_utf8_lossy(tree),
                    &json,
                    &days,
                    started,
                    &mut problems,
                );
            }
        }
    }

    // The log.
    let lookups: Vec<&[u8]> = snapshot
        .tree("sources")
        .unwrap_or_default()
        .iter()
        .map(|(k, _)| k.as_slice())
        .collect();
    assert_eq!(lookups.len(), 2, "one source record per report");
    for t in find_times(&log, started, ended) {
        problems.push(format!("log: {t}"));
    }
    problems.extend(check_log(
        &log,
        &needles,
        &snapshot,
        &lookups,
        [intake_port, review_port],
    ));
    assert!(
        problems.is_empty(),
        "a seized server gives away:\n{}",
        problems.join("\n")
    );

    // What it does reveal, from the store itself, and SECURITY.md.
    let reveals = reveals(&data, &snapshot, started, ended);
    println!("What a seized server reveals in plaintext (derived from this run's store):");
    for r in &reveals {
        println!("- {}: {}", r.item, r.seen);
    }
    let security =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("SECURITY.md")).unwrap();
    let section = section(&security, "## What a seized server reveals")
        .expect("SECURITY.md has a section \"## What a seized server reveals\"");
    let missing: Vec<&str> = reveals
        .iter()
        .map(|r| r.item.as_str())
        .filter(|item| !section.contains(&format!("`{item}`")))
        .collect();
    assert!(
        missing.is_empty(),
        "SECURITY.md's \"What a seized server reveals\" does not name {missing:?}"
    );
}

// ----- canaries and their encodings -----

/// One byte string to search for, with what it is.
struct Needle {
    label: String,
    encoding: &'static str,
    bytes: Vec<u8>,
}

impl std::fmt::Display for Needle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let shown: String = String::from_utf8_lossy(&self.bytes)
            .chars()
            .take(40)
            .collect();
        write!(f, "{} ({}: {shown:?})", self.label, self.encoding)
    }
}

/// Everything that must not be found, in every encoding searched.
#[derive(Default)]
struct Needles {
    list: Vec<Needle>,
    tokens: HashMap<String, String>,
    /// The needles' positions by their first three bytes.
    index: HashMap<[u8; 3], Vec<usize>>,
}

impl Needles {
    /// A new random canary token `QZ<LABEL><random>`: letters and digits
    /// only, so it reads the same percent-encoded and in any text format.
    fn token(&mut self, label: &str) -> String {
        let random: String = amanat_core::crypto::random::id()[..12].to_uppercase();
        let t = format!("QZ{label}{random}");
        self.tokens.insert(label.to_string(), t.clone());
        for (encoding, bytes) in encodings(t.as_bytes()) {
            self.push(label, encoding, bytes);
        }
        t
    }

    /// Free text holding a new token, with spaces and non-ASCII letters, as
    /// a source would type it; its URL encodings are searched too.
    fn field_text(&mut self, label: &str) -> String {
        let t = self.token(label);
        let text = format!("Écrit à Genève — {t} — Ωμέγα ☂");
        self.text(label, &text);
        text
    }

    /// The percent- and form-encoded forms of a text.
    fn text(&mut self, label: &str, text: &str) {
        use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};
        let pct = utf8_percent_encode(text, NON_ALPHANUMERIC).to_string();
        self.push(label, "form-encoded", pct.replace("%20", "+").into_bytes());
        self.push(label, "percent-encoded", pct.into_bytes());
        self.push(label, "UTF-8", text.as_bytes().to_vec());
    }

    /// A value searched as it is and as UTF-16 and hex.
    fn plain(&mut self, label: &str, value: &str) {
        for (encoding, bytes) in encodings(value.as_bytes()) {
            if matches!(encoding, "UTF-8" | "UTF-16LE" | "UTF-16BE" | "hex") {
                self.push(label, encoding, bytes);
            }
        }
    }

    /// A secret (cookie, token): every encoding, and its SHA-256.
    fn secret(&mut self, label: &str, value: &str) {
        use sha2::Digest;
        for (encoding, bytes) in encodings(value.as_bytes()) {
            self.push(label, encoding, bytes);
        }
        let hash = sha2::Sha256::digest(value.as_bytes());
        self.push(label, "SHA-256", hash.to_vec());
        self.push(label, "SHA-256 hex", HEXLOWER.encode(&hash).into_bytes());
    }

    /// A codename: as shown, normalized, and any three words in a row.
    fn codename(&mut self, codename: &str) {
        let normalized = amanat_core::crypto::codename::normalize(codename).unwrap();
        self.secret("codename", codename);
        self.secret("codename", normalized.as_str());
        let words: Vec<&str> = codename.split(' ').collect();
        for w in words.windows(3) {
            self.push("codename words", "UTF-8", w.join(" ").into_bytes());
            self.push("codename words", "UTF-8", w.join("-").into_bytes());
        }
    }

    fn push(&mut self, label: &str, encoding: &'static str, bytes: Vec<u8>) {
        assert!(
            bytes.len() >= 6,
            "{label} {encoding}: too short to search for"
        );
        let key = [bytes[0], bytes[1], bytes[2]];
        self.index.entry(key).or_default().push(self.list.len());
        self.list.push(Needle {
            label: label.to_string(),
            encoding,
            bytes,
        });
    }

    /// The token made for `label`.
    fn get(&self, label: &str) -> String {
        self.tokens[label].clone()
    }

    /// The needles found in `hay`, each once.
    fn find(&self, hay: &[u8]) -> Vec<&Needle> {
        let mut hits = BTreeSet::new();
        for i in 0..hay.len().saturating_sub(2) {
            if let Some(c) = self.index.get(&[hay[i], hay[i + 1], hay[i + 2]]) {
                for &n in c {
                    if hay[i..].starts_with(&self.list[n].bytes) {
                        hits.insert(n);
                    }
                }
            }
        }
        hits.into_iter().map(|n| &self.list[n]).collect()
    }
}

/// `value` as UTF-8 (and in lower and upper case), UTF-16, hex, and the
/// characters of base64 and base32 that it alone determines at each
/// alignment within a longer stream.
fn encodings(value: &[u8]) -> Vec<(&'static str, Vec<u8>)> {
    let utf16 = |le: bool| -> Vec<u8> {
        String::from_utf8_lossy(value)
            .encode_utf16()
            .flat_map(|u| if le { u.to_le_bytes() } else { u.to_be_bytes() })
            .collect()
    };
    let mut out = vec![
        ("UTF-8", value.to_vec()),
        ("UTF-8", value.to_ascii_lowercase()),
        ("UTF-8", value.to_ascii_uppercase()),
        ("UTF-16LE", utf16(true)),
        ("UTF-16BE", utf16(false)),
        ("hex", HEXLOWER.encode(value).into_bytes()),
        ("hex", HEXUPPER.encode(value).into_bytes()),
    ];
    let stream: [(&'static str, &Encoding, usize, usize); 3] = [
        ("base64", &BASE64, 6, 3),
        ("base64", &BASE64URL, 6, 3),
        ("base32", &BASE32, 5, 5),
    ];
    for (name, enc, bits, group) in stream {
        for k in 0..group {
            let mut v = vec![0u8; k];
            v.extend_from_slice(value);
            let s = enc.encode(&v);
            let start = (8 * k).div_ceil(bits);
            let end = 8 * (k + value.len()) / bits;
            let part = s.as_bytes()[start..end].to_vec();
            if name == "base32" {
                out.push((name, part.to_ascii_lowercase()));
            }
            out.push((name, part));
        }
    }
    out
}

#[test]
fn the_search_finds_each_encoding_inside_other_bytes() {
    let mut needles = Needles::default();
    let t = needles.token("SELFTEST");
    let text = needles.field_text("TEXT");
    let wrap = |b: &[u8], k: usize| -> Vec<u8> {
        let mut v = vec![0x5a; 7 + k];
        v.extend_from_slice(b);
        v.extend_from_slice(b"\x00tail");
        v
    };
    let t = t.as_bytes();
    for k in 0..5 {
        let utf16: Vec<u8> = t.iter().flat_map(|&b| [b, 0]).collect();
        let mut with_prefix = vec![1u8; k];
        with_prefix.extend_from_slice(t);
        with_prefix.push(2);
        for (what, hay) in [
            ("UTF-16LE", wrap(&utf16, k)),
            ("hex", wrap(HEXLOWER.encode(t).as_bytes(), k)),
            ("base64", wrap(BASE64.encode(&with_prefix).as_bytes(), k)),
            ("base64", wrap(BASE64URL.encode(&with_prefix).as_bytes(), k)),
            ("base32", wrap(BASE32.encode(&with_prefix).as_bytes(), k)),
        ] {
            let found = needles.find(&hay);
            assert!(
                found
                    .iter()
                    .any(|n| n.label == "SELFTEST" && n.encoding == what),
                "{what} at alignment {k} not found"
            );
        }
    }
    let form = encode(&[("narrative", &text)]);
    assert!(
        needles
            .find(form.as_bytes())
            .iter()
            .any(|n| n.encoding == "percent-encoded")
    );
    let form = form.replace("%20", "+");
    assert!(
        needles
            .find(form.as_bytes())
            .iter()
            .any(|n| n.encoding == "form-encoded")
    );
    assert!(needles.find(b"nothing to see here").is_empty());
}

// ----- time -----

fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

/// The UTC days from `start` to `end`, as `YYYY-MM-DD`.
fn days_between(start: u64, end: u64) -> BTreeSet<String> {
    (start / 86_400..=end / 86_400)
        .map(|d| amanat_core::timeutil::Day::from_days(d as i64).to_string())
        .collect()
}

/// Times finer than the day in raw bytes: a time of day as text, the
/// decimal Unix time of this run (seconds, or the leading digits of
/// milliseconds and finer), or 64-bit integers in either byte order holding
/// this run's Unix time in seconds, milliseconds or microseconds. (4-byte
/// seconds and 8-byte nanoseconds are not searched: random ciphertext
/// matches a window that wide too often.)
fn find_times(bytes: &[u8], start: u64, end: u64) -> Vec<String> {
    let mut out = Vec::new();
    let digit = |b: u8| b.is_ascii_digit();
    for w in bytes.windows(8) {
        if digit(w[0])
            && digit(w[1])
            && w[2] == b':'
            && digit(w[3])
            && digit(w[4])
            && w[5] == b':'
            && digit(w[6])
            && digit(w[7])
        {
            out.push(format!("time of day {:?}", String::from_utf8_lossy(w)));
            break;
        }
    }
    for s in [start - 1, end + 1] {
        let prefix = s.to_string()[..7].to_string();
        if contains(bytes, prefix.as_bytes()) {
            out.push(format!("decimal Unix time {prefix}…"));
        }
    }
    let ranges = [
        ("seconds", start - 1, end + 1),
        ("milliseconds", (start - 1) * 1_000, (end + 1) * 1_000),
        (
            "microseconds",
            (start - 1) * 1_000_000,
            (end + 1) * 1_000_000,
        ),
    ];
    for w in bytes.windows(8) {
        let w: [u8; 8] = w.try_into().unwrap();
        for v in [u64::from_le_bytes(w), u64::from_be_bytes(w)] {
            for (unit, lo, hi) in ranges {
                if (lo..=hi).contains(&v) {
                    out.push(format!("binary Unix time in {unit}"));
                }
            }
        }
    }
    out
}

/// Checks a plaintext record: strings that hold a time of day, days outside
/// this run, and numbers in the range of this year's Unix time.
fn check_times(
    tree: &str,
    v: &Value,
    days: &BTreeSet<String>,
    now: u64,
    problems: &mut Vec<String>,
) {
    match v {
        Value::Object(m) => m
            .values()
            .for_each(|x| check_times(tree, x, days, now, problems)),
        Value::Array(a) => a
            .iter()
            .for_each(|x| check_times(tree, x, days, now, problems)),
        Value::String(s) => {
            let b = s.as_bytes();
            let is_day = b.len() == 10
                && b[4] == b'-'
                && b[7] == b'-'
                && b.iter()
                    .enumerate()
                    .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit());
            if is_day && !days.contains(s) {
                problems.push(format!("{tree}: a day outside this run: {s}"));
            }
            let timeish = b
                .windows(3)
                .any(|w| w[0].is_ascii_digit() && w[1] == b':' && w[2].is_ascii_digit());
            if timeish
                || (b.len() > 10
                    && b[..10].iter().all(|c| c.is_ascii_digit() || *c == b'-')
                    && b[10] == b'T')
            {
                problems.push(format!("{tree}: a time of day: {s}"));
            }
        }
        Value::Number(n) => {
            let year = 366 * 86_400;
            let n = n.as_f64().unwrap_or(0.0).abs() as u64;
            for scale in [1, 1_000, 1_000_000, 1_000_000_000] {
                if ((now - year) * scale..=(now + year) * scale).contains(&n) {
                    problems.push(format!("{tree}: a Unix time: {n}"));
                }
            }
        }
        _ => {}
    }
}

// ----- the log -----

/// Whether a line with this level and target (as the server prints it,
/// `amanat::intake:`) may be in the log: Amanat's own at any level, and
/// only actix-server's start and stop lines, at INFO and above, from any
/// other crate (`daemon/logging.rs`, `OWN_CRATES` and `OTHER_CRATES_LOGGED`).
fn logged_crate(target: &str, level: &str) -> bool {
    let krate = target
        .trim_end_matches(':')
        .split("::")
        .next()
        .unwrap_or("");
    matches!(
        krate,
        "amanat" | "amanatd" | "amanat_core" | "amanat_sanitize"
    ) || (krate == "actix_server" && matches!(level, "INFO" | "WARN" | "ERROR"))
}

/// A one-page PDF whose cross-reference offsets are all a few bytes off, as
/// some writers and hand edits leave them: lopdf recovers by scanning the
/// file, and warns with what it found.
fn pdf_with_wrong_xref_offsets() -> Vec<u8> {
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>",
    ];
    let mut pdf = b"%PDF-1.4\n".to_vec();
    let mut offsets = Vec::new();
    for (i, o) in objects.iter().enumerate() {
        offsets.push(pdf.len());
        pdf.extend_from_slice(format!("{} 0 obj\n{o}\nendobj\n", i + 1).as_bytes());
    }
    let xref = pdf.len();
    pdf.extend_from_slice(b"xref\n0 4\n0000000000 65535 f \n");
    for o in offsets {
        // Seven bytes off: inside the previous object, not at "N 0 obj".
        pdf.extend_from_slice(format!("{:010} 00000 n \n", o + 7).as_bytes());
    }
    pdf.extend_from_slice(
        format!("trailer\n<< /Size 4 /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n").as_bytes(),
    );
    pdf
}

/// Regression (issue 19, finding 8): the log filter let WARN and ERROR
/// lines from every crate through, and a PDF with slightly wrong
/// cross-reference offsets put lopdf's warnings, with the offsets, in the
/// log, where a collector stamps them to the second: a dated upload.
/// Nothing from a crate that parses what sources send may reach the log.
#[test]
fn warnings_of_crates_that_parse_uploads_never_reach_the_log() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let _reviewer = common::daemon::init_with_reviewer(&data);
    let log = dir.path().join("server.log");
    let server = common::daemon::serve_logging_to(
        &data,
        ("127.0.0.1:0", "127.0.0.1:0"),
        &log,
        &[("AMANAT_LOG", "trace")],
    );
    let pdf = pdf_with_wrong_xref_offsets();
    let sent = common::daemon::try_submit(
        &common::client(),
        &server.intake,
        "A report with minutes attached.",
        &[("minutes.pdf", &pdf)],
    )
    .unwrap();
    assert!(
        matches!(sent, common::daemon::Submitted::Acknowledged(_)),
        "{sent:?}"
    );
    drop(server);
    let text = std::fs::read_to_string(&log).unwrap();
    assert!(text.contains("submission stored"), "{text}");
    for line in text.lines() {
        let mut words = line.split_whitespace();
        if let (Some(level), Some(target)) = (words.next(), words.next()) {
            assert!(logged_crate(target, level), "{line}\nin\n{text}");
        }
        assert!(
            !line.contains("lopdf") && !line.contains("cross-reference"),
            "{line}"
        );
    }
}

/// Problems in the server's output: lines below INFO from other crates,
/// secrets and canaries, request paths, client addresses, lookup ids in any
/// form, ids outside review-path lines, times.
fn check_log(
    log: &[u8],
    needles: &Needles,
    snapshot: &amanatd::store::Snapshot,
    lookups: &[&[u8]],
    ports: [u16; 2],
) -> Vec<String> {
    let mut problems = Vec::new();
    let text = String::from_utf8_lossy(log);
    for expected in [
        "submission stored",
        "follow-up message with files stored",
        "consent withdrawal stored",
        "reply stored",
        "triage change",
        "reviewer added",
    ] {
        assert!(
            text.contains(expected),
            "the log was captured: no {expected:?} in\n{text}"
        );
    }
    for n in needles.find(log) {
        problems.push(format!("log: {n}"));
    }
    for line in text.lines() {
        let mut words = line.split_whitespace();
        let (Some(level), Some(target)) = (words.next(), words.next()) else {
            continue;
        };
        if matches!(level, "TRACE" | "DEBUG" | "INFO" | "WARN" | "ERROR")
            && !logged_crate(target, level)
        {
            problems.push(format!("log: a {level} line from another crate: {line}"));
        }
        for path in ["/report", "/followup", "/api/v1", "GET ", "POST "] {
            if line.contains(path) {
                problems.push(format!("log: a request path or method: {line}"));
            }
        }
    }
    // The server's own addresses may appear, nobody else's.
    for (i, _) in text.match_indices("127.0.0.1") {
        let after = &text[i + "127.0.0.1".len()..];
        let port: String = after
            .strip_prefix(':')
            .map(|p| p.chars().take_while(char::is_ascii_digit).collect())
            .unwrap_or_default();
        if !port.parse().is_ok_and(|p: u16| ports.contains(&p)) {
            problems.push(format!("log: a client address 127.0.0.1:{port}"));
        }
    }
    for lookup in lookups {
        let list = lookup[..8]
            .iter()
            .map(u8::to_string)
            .collect::<Vec<_>>()
            .join(", ");
        for (form, s) in [
            ("hex", HEXLOWER.encode(lookup)),
            ("hex", HEXUPPER.encode(lookup)),
            ("base32", BASE32_NOPAD.encode(lookup).to_lowercase()),
            ("base32", BASE32_NOPAD.encode(lookup)),
            ("base64", BASE64.encode(lookup)),
            ("byte list", list),
        ] {
            if text.contains(&s) {
                problems.push(format!("log: a source lookup id ({form})"));
            }
        }
    }
    // Report and reviewer ids only on review-path lines; other ids never.
    let keys = |tree: &str| -> Vec<String> {
        snapshot
            .tree(tree)
            .unwrap_or_default()
            .iter()
            .map(|(k, _)| String::from_utf8_lossy(k).into_owned())
            .collect()
    };
    let blobs: Vec<String> = snapshot
        .tree("report_blobs")
        .unwrap_or_default()
        .iter()
        .map(|(_, v)| blob_of_reference(v))
        .collect();
    for (tree, ids, review_may_log) in [
        ("reports", keys("reports"), true),
        ("reviewers", keys("reviewers"), true),
        ("envelopes", keys("envelopes"), false),
        ("blobs", blobs, false),
    ] {
        for id in ids {
            let list = id
                .bytes()
                .take(8)
                .map(|b| b.to_string())
                .collect::<Vec<_>>()
                .join(", ");
            if text.contains(&list) {
                problems.push(format!("log: an id of {tree} as a byte list"));
            }
            for line in text.lines().filter(|l| l.contains(&id)) {
                if !(review_may_log && line.contains(" amanat::review:")) {
                    problems.push(format!(
                        "log: an id of {tree} outside the review path: {line}"
                    ));
                }
            }
        }
    }
    problems
}

// ----- what a seized server reveals -----

/// One thing a seized server shows in plaintext: `item` as SECURITY.md
/// names it, `seen` what this run's store holds.
struct Reveal {
    item: String,
    seen: String,
}

/// Everything in plaintext in the data dir, derived from the store: each
/// tree's keys, the fields of its plaintext records, ciphertext sizes, the
/// files and their times, and superseded records left in sled's files.
fn reveals(data: &Path, snapshot: &amanatd::store::Snapshot, start: u64, end: u64) -> Vec<Reveal> {
    let mut out = Vec::new();
    let mut add = |item: String, seen: String| out.push(Reveal { item, seen });
    for (name, entries) in &snapshot.trees {
        let tree = String::from_utf8_lossy(name).into_owned();
        if tree == "__sled__default" && entries.is_empty() {
            continue;
        }
        if tree == "meta" {
            for (k, v) in entries {
                let key = String::from_utf8_lossy(k);
                let seen = match serde_json::from_slice::<Value>(v) {
                    Ok(json) => json.to_string(),
                    Err(_) if v.len() == 4 => {
                        format!("{}", u32::from_be_bytes(v.as_slice().try_into().unwrap()))
                    }
                    Err(_) => format!("{} bytes", v.len()),
                };
                add(format!("meta.{key}"), seen);
            }
            continue;
        }
        let keys: Vec<&[u8]> = entries.iter().map(|(k, _)| k.as_slice()).collect();
        add(format!("{tree}[key]"), describe_keys(&keys));
        let mut fields: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        let mut ciphertexts = Vec::new();
        for (_, v) in entries {
            if v.starts_with(b"age-encryption.org/v1\n") {
                ciphertexts.push(v.as_slice());
            } else {
                let json: Value = serde_json::from_slice(v).unwrap_or_else(|e| {
                    panic!("tree {tree} holds a value that is neither age ciphertext nor JSON ({e}): review it and list it in SECURITY.md")
                });
                json_fields(&tree, &json, &mut fields);
            }
        }
        if !ciphertexts.is_empty() {
            add(format!("{tree}[value]"), describe_ciphertexts(&ciphertexts));
        }
        for (path, values) in fields {
            add(path, describe_values(&values));
        }
    }

    // Files: the top of the data dir, attachment files, sled's files.
    let mut top: Vec<String> = std::fs::read_dir(data)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            let name = e.file_name().to_string_lossy().into_owned();
            if e.file_type().unwrap().is_dir() {
                format!("{name}/")
            } else {
                name
            }
        })
        .collect();
    top.sort();
    for name in top {
        let path = data.join(name.trim_end_matches('/'));
        let seen = match name.as_str() {
            "blobs/" => {
                let blobs = files_under(&path);
                for b in &blobs {
                    let bytes = std::fs::read(b).unwrap();
                    assert!(
                        bytes.starts_with(b"age-encryption.org/v1\n"),
                        "{} is not age ciphertext",
                        b.display()
                    );
                }
                let sizes: Vec<u64> = blobs.iter().map(|b| b.metadata().unwrap().len()).collect();
                format!(
                    "{} age files named by random ids, sizes {sizes:?} bytes",
                    blobs.len()
                )
            }
            "db/" => {
                let files: BTreeSet<String> = files_under(&path)
                    .iter()
                    .map(|f| {
                        let rel = f.strip_prefix(&path).unwrap().display().to_string();
                        if let Some((dir, _)) = rel.split_once('/') {
                            return format!("{dir}/*");
                        }
                        match rel.split_once('.') {
                            Some((stem, _)) => format!("{stem}.*"),
                            None => rel,
                        }
                    })
                    .collect();
                format!("sled's files {files:?}")
            }
            "amanat.toml" => {
                let text = std::fs::read_to_string(&path).unwrap();
                let addrs: Vec<&str> = text.lines().filter(|l| l.starts_with("addr")).collect();
                format!("the configuration, with the listen addresses {addrs:?}")
            }
            _ => "a file this test does not know: review it".to_string(),
        };
        add(name, seen);
    }

    // File times are the filesystem's, precise to the nanosecond.
    let files = files_under(data);
    let during = files
        .iter()
        .filter(|f| {
            let t = f
                .metadata()
                .unwrap()
                .modified()
                .unwrap()
                .duration_since(UNIX_EPOCH)
                .unwrap();
            (start..=end + 1).contains(&t.as_secs()) && t.subsec_nanos() != 0
        })
        .count();
    add(
        "file times".into(),
        format!(
            "{during} of {} files carry a modification time from this run, to the nanosecond",
            files.len()
        ),
    );

    // Superseded versions of plaintext records still in sled's files.
    let mut raw = Vec::new();
    for f in files_under(&data.join("db")) {
        raw.extend(std::fs::read(f).unwrap());
    }
    let mut superseded = Vec::new();
    for (k, v) in snapshot.tree("reports").unwrap_or_default() {
        let current: Value = serde_json::from_slice(v).unwrap();
        let marker = format!("{{\"id\":\"{}\"", String::from_utf8_lossy(k));
        let mut versions = BTreeSet::new();
        let mut at = 0;
        while let Some(i) = find(&raw[at..], marker.as_bytes()) {
            let start = at + i;
            if let Some(Ok(old)) = serde_json::Deserializer::from_slice(&raw[start..])
                .into_iter::<Value>()
                .next()
            {
                if old != current {
                    let kinds: Vec<&str> = old["envelopes"]
                        .as_array()
                        .map(|a| a.iter().filter_map(|e| e["kind"].as_str()).collect())
                        .unwrap_or_default();
                    versions.insert(format!("{} [{}]", old["state"], kinds.join(", ")));
                }
            }
            at = start + 1;
        }
        if !versions.is_empty() {
            let versions: Vec<String> = versions.into_iter().collect();
            superseded.push(format!(
                "report {}: {}",
                String::from_utf8_lossy(k),
                versions.join(", ")
            ));
        }
    }
    add(
        "superseded records".into(),
        if superseded.is_empty() {
            "none found in sled's files".into()
        } else {
            format!(
                "earlier versions of report records (state [envelope kinds]) in sled's files: {}",
                superseded.join("; ")
            )
        },
    );
    out
}

/// Collects `tree.field.sub` paths (arrays flattened) and their values.
fn json_fields(path: &str, v: &Value, out: &mut BTreeMap<String, BTreeSet<String>>) {
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                json_fields(&format!("{path}.{k}"), x, out);
            }
        }
        Value::Array(a) => {
            out.entry(path.to_string()).or_default();
            for x in a {
                json_fields(path, x, out);
            }
        }
        leaf => {
            out.entry(path.to_string()).or_default().insert(match leaf {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            });
        }
    }
    // An array of objects is described by its fields, not by itself.
    if let Value::Array(a) = v {
        if a.iter().all(Value::is_object) && !a.is_empty() {
            out.remove(path);
        }
    }
}

fn describe_keys(keys: &[&[u8]]) -> String {
    let n = keys.len();
    if keys
        .iter()
        .all(|k| std::str::from_utf8(k).is_ok_and(amanat_core::crypto::random::is_id))
    {
        let shown: Vec<String> = keys
            .iter()
            .take(3)
            .map(|k| String::from_utf8_lossy(k).into_owned())
            .collect();
        format!("{n} random ids, e.g. {shown:?}")
    } else if keys.iter().all(|k| k.len() == 8) {
        let seqs: Vec<u64> = keys
            .iter()
            .map(|k| u64::from_be_bytes((*k).try_into().unwrap()))
            .collect();
        format!("{n} sequence numbers {:?}", seqs)
    } else {
        let lens: BTreeSet<usize> = keys.iter().map(|k| k.len()).collect();
        format!("{n} binary keys of {lens:?} bytes")
    }
}

fn describe_ciphertexts(cts: &[&[u8]]) -> String {
    let sizes: BTreeSet<usize> = cts.iter().map(|c| c.len()).collect();
    let stanzas: BTreeSet<usize> = cts
        .iter()
        .map(|c| {
            let header_end = find(c, b"\n---").unwrap_or(c.len());
            c[..header_end]
                .windows(11)
                .filter(|w| w == b"\n-> X25519 ")
                .count()
        })
        .collect();
    format!(
        "{} age files; sizes {sizes:?} bytes; {stanzas:?} X25519 recipient stanzas each",
        cts.len()
    )
}

fn describe_values(values: &BTreeSet<String>) -> String {
    let shown: Vec<String> = values
        .iter()
        .take(4)
        .map(|v| {
            if v.chars().count() > 24 {
                format!("{}…", v.chars().take(20).collect::<String>())
            } else {
                v.clone()
            }
        })
        .collect();
    match values.len() {
        0 => "empty".into(),
        n if n > 4 => format!("{n} distinct values, e.g. {shown:?}"),
        _ => format!("{shown:?}"),
    }
}

/// The text of a `## ` section, up to the next one.
fn section<'a>(doc: &'a str, heading: &str) -> Option<&'a str> {
    let start = doc.find(&format!("\n{heading}\n"))? + 1;
    let rest = &doc[start + heading.len()..];
    Some(&doc[start..start + heading.len() + rest.find("\n## ").unwrap_or(rest.len())])
}

// ----- processes -----

/// Runs a command to completion, within LIMIT.
fn run(cmd: &mut Command) -> Output {
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{cmd:?}: {e}"));
    let drain = |mut r: Box<dyn Read + Send>| {
        std::thread::spawn(move || {
            let mut v = Vec::new();
            let _ = r.read_to_end(&mut v);
            v
        })
    };
    let out = drain(Box::new(child.stdout.take().unwrap()));
    let err = drain(Box::new(child.stderr.take().unwrap()));
    let status = wait_within(&mut child, LIMIT)
        .unwrap_or_else(|| panic!("{cmd:?} took longer than {LIMIT:?}"));
    Output {
        status,
        stdout: out.join().unwrap(),
        stderr: err.join().unwrap(),
    }
}

/// Waits for a child for at most `limit`; kills it if it is still running.
fn wait_within(child: &mut Child, limit: Duration) -> Option<std::process::ExitStatus> {
    let start = Instant::now();
    loop {
        if let Some(s) = child.try_wait().unwrap() {
            return Some(s);
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            return None;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn ok(out: Output) -> String {
    assert!(
        out.status.success(),
        "exit {:?}\nstdout: {}\nstderr: {}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A running `amanatd serve`; killed on drop if `stop` was not called.
struct Server {
    child: Child,
    intake: String,
    review: String,
    rest: Option<std::thread::JoinHandle<String>>,
}

impl Server {
    fn start(data: &Path, log: &Path, env: &[(&str, &str)]) -> Server {
        let mut child = Command::new(AMANATD)
            .args(["serve", "--data-dir"])
            .arg(data)
            .args([
                "--intake-addr",
                "127.0.0.1:0",
                "--review-addr",
                "127.0.0.1:0",
            ])
            .envs(env.iter().copied())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(std::fs::File::create(log).unwrap())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = mpsc::channel();
        let rest = std::thread::spawn(move || {
            let mut lines = BufReader::new(stdout).lines();
            for _ in 0..2 {
                if let Some(Ok(l)) = lines.next() {
                    let _ = tx.send(l);
                }
            }
            lines.map_while(Result::ok).collect::<Vec<_>>().join("\n")
        });
        let mut server = Server {
            child,
            intake: String::new(),
            review: String::new(),
            rest: Some(rest),
        };
        let url = |prefix: &str| -> String {
            let line = rx.recv_timeout(LIMIT).unwrap_or_else(|_| {
                panic!(
                    "the server did not start: {}",
                    std::fs::read_to_string(log).unwrap_or_default()
                )
            });
            line.strip_prefix(prefix)
                .unwrap_or_else(|| panic!("unexpected line {line:?}"))
                .to_string()
        };
        server.intake = url("intake listening on ");
        server.review = url("review listening on ");
        server
    }

    /// Stops the server as systemd does (SIGTERM) and returns the rest of
    /// what it printed; fails if it does not exit cleanly within LIMIT.
    fn stop(mut self) -> String {
        let pid = rustix::process::Pid::from_raw(self.child.id() as i32).unwrap();
        rustix::process::kill_process(pid, rustix::process::Signal::TERM).unwrap();
        let status = wait_within(&mut self.child, LIMIT).expect("the server stops on SIGTERM");
        assert!(status.success(), "amanatd exited with {status:?}");
        self.rest.take().unwrap().join().unwrap()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn port_of(url: &str) -> u16 {
    url.rsplit(':').next().unwrap().parse().unwrap()
}

/// A reviewer with a key made by `amanat keygen` and their own CLI config.
struct Reviewer {
    dir: PathBuf,
    key: PathBuf,
    recipient: String,
}

impl Reviewer {
    fn keygen(root: &Path, name: &str) -> Reviewer {
        let dir = root.join(format!("cli-{name}"));
        let key = root.join(format!("{name}.key"));
        let mut r = Reviewer {
            dir,
            key,
            recipient: String::new(),
        };
        r.recipient = ok(r.run(&["keygen", "-o", r.key.to_str().unwrap()]))
            .trim()
            .to_string();
        assert!(r.recipient.starts_with("age1"));
        r
    }

    fn run(&self, args: &[&str]) -> Output {
        run(Command::new(AMANAT)
            .args(args)
            .env("AMANAT_CONFIG_DIR", &self.dir)
            .env_remove("AMANAT_PASSPHRASE")
            .env_remove("AMANAT_PROXY")
            .env_remove("AMANAT_SERVER")
            .env_remove("AMANAT_IDENTITY"))
    }

    /// `amanat login` over HTTPS, trusting the test CA.
    fn login(&self, server: &str, ca: &Path) {
        ok(self.run(&[
            "login",
            "--server",
            server,
            "--identity",
            self.key.to_str().unwrap(),
            "--ca-file",
            ca.to_str().unwrap(),
        ]));
    }
}

// ----- the browser -----

/// A browser at 127.0.0.2 with JavaScript off, sending canary headers.
struct Browser {
    http: Client,
    base: String,
    /// Cookie values and anti-forgery tokens it was given.
    secrets: std::cell::RefCell<Vec<String>>,
}

/// The report form as a browser holds it.
struct Form {
    cookie: String,
    token: String,
}

impl Browser {
    fn new(base: &str, ca: &Path, ua: &str) -> Browser {
        let mut headers = reqwest::header::HeaderMap::new();
        headers.insert("x-forwarded-for", XFF.parse().unwrap());
        headers.insert("x-real-ip", REAL_IP.parse().unwrap());
        headers.insert("forwarded", format!("for={FORWARDED_FOR}").parse().unwrap());
        let http = Client::builder()
            .tls_backend_preconfigured(amanat_core::tls::client_config(Some(ca)).unwrap())
            .local_address(IpAddr::from(BROWSER_IP))
            .user_agent(ua)
            .default_headers(headers)
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy()
            .timeout(LIMIT)
            .build()
            .unwrap();
        Browser {
            http,
            base: base.to_string(),
            secrets: Default::default(),
        }
    }

    /// Remembers the cookie values a response set (they are secrets).
    fn keep(&self, resp: Response) -> Response {
        for v in resp.headers().get_all("set-cookie") {
            let pair = v.to_str().unwrap().split(';').next().unwrap();
            if let Some((_, value)) = pair.split_once('=') {
                if value.len() >= 6 {
                    self.secrets.borrow_mut().push(value.to_string());
                }
            }
        }
        resp
    }

    fn secrets_seen(&self) -> Vec<String> {
        self.secrets.borrow().clone()
    }

    fn get(&self, path: &str, cookies: &str) -> Response {
        let mut req = self.http.get(format!("{}{path}", self.base));
        if !cookies.is_empty() {
            req = req.header("cookie", cookies);
        }
        self.keep(req.send().unwrap())
    }

    fn authed_get(&self, path: &str, token: &str) -> Response {
        self.keep(
            self.http
                .get(format!("{}{path}", self.base))
                .bearer_auth(token)
                .send()
                .unwrap(),
        )
    }

    fn form(&self, anonymity: &str) -> Form {
        let resp = self.get(&format!("/report?anonymity={anonymity}&lang=en"), "");
        assert_eq!(resp.status(), 200);
        let cookie = cookie_named(&resp, "amanat_csrf").unwrap();
        let html = resp.text().unwrap();
        assert!(html.contains("enctype=\"multipart/form-data\""));
        let token = extract_value(&html, "name=\"csrf\" value=\"").unwrap();
        self.secrets.borrow_mut().push(token.clone());
        Form { cookie, token }
    }

    fn post_urlencoded(&self, path: &str, cookies: &str, pairs: &[(&str, &str)]) -> Response {
        self.keep(
            self.http
                .post(format!("{}{path}", self.base))
                .header("content-type", "application/x-www-form-urlencoded")
                .header("cookie", cookies)
                .body(encode(pairs))
                .send()
                .unwrap(),
        )
    }

    fn post_multipart(
        &self,
        path: &str,
        cookies: &str,
        fields: &[(&str, &str)],
        files: &[(&str, &str, &[u8])],
    ) -> Response {
        let boundary = "----amanatSeizureBoundary9f2c";
        self.keep(
            self.http
                .post(format!("{}{path}", self.base))
                .header(
                    "content-type",
                    format!("multipart/form-data; boundary={boundary}"),
                )
                .header("cookie", cookies)
                .body(multipart_body(boundary, fields, files))
                .send()
                .unwrap(),
        )
    }

    /// Logs in with a codename; returns the status and the cookies to send.
    fn followup_login(&self, codename: &str) -> (u16, String) {
        let resp = self.get("/followup", "");
        let csrf = cookie_named(&resp, "amanat_csrf").unwrap();
        let token = extract_value(&resp.text().unwrap(), "name=\"csrf\" value=\"").unwrap();
        let resp = self.post_urlencoded(
            "/followup/login",
            &csrf,
            &[("csrf", &token), ("codename", codename)],
        );
        let status = resp.status().as_u16();
        let cookies = match cookie_named(&resp, "amanat_session") {
            Some(s) => format!("{csrf}; {s}"),
            None => csrf,
        };
        (status, cookies)
    }

    /// POSTs a follow-up form with a fresh token; returns the status.
    fn followup_post(&self, cookies: &str, path: &str, fields: &[(&str, &str)]) -> u16 {
        let page = self.get("/followup", cookies).text().unwrap();
        let token = extract_value(&page, "name=\"csrf\" value=\"").unwrap();
        let mut pairs = vec![("csrf", token.as_str())];
        pairs.extend_from_slice(fields);
        self.post_urlencoded(path, cookies, &pairs)
            .status()
            .as_u16()
    }
}

// ----- TLS and files -----

/// A test CA and a certificate for 127.0.0.1 it signed: (CA, cert, key).
fn tls_files(dir: &Path) -> (PathBuf, PathBuf, PathBuf) {
    let mut params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
    params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "Amanat seizure test CA");
    params.key_usages = vec![rcgen::KeyUsagePurpose::KeyCertSign];
    let issuer =
        rcgen::CertifiedIssuer::self_signed(params, rcgen::KeyPair::generate().unwrap()).unwrap();
    let leaf = rcgen::CertificateParams::new(vec!["localhost".into(), "127.0.0.1".into()]).unwrap();
    let kp = rcgen::KeyPair::generate().unwrap();
    let cert = leaf.signed_by(&kp, &issuer).unwrap();
    let paths = (
        dir.join("ca.pem"),
        dir.join("server.crt"),
        dir.join("server.key"),
    );
    for (p, pem) in [
        (&paths.0, issuer.pem()),
        (&paths.1, cert.pem()),
        (&paths.2, kp.serialize_pem()),
    ] {
        std::fs::write(p, pem).unwrap();
        std::fs::set_permissions(p, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
    paths
}

/// Every regular file under `dir`, recursively, hidden ones included.
fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    if let Ok(rd) = std::fs::read_dir(dir) {
        for e in rd {
            let p = e.unwrap().path();
            let t = std::fs::symlink_metadata(&p).unwrap().file_type();
            if t.is_dir() {
                out.extend(files_under(&p));
            } else if t.is_file() {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    find(hay, needle).is_some()
}

/// The attachment id of a `report_blobs` value: the id alone, or the id
/// with the keys the file is sealed to.
fn blob_of_reference(v: &[u8]) -> String {
    match serde_json::from_slice::<serde_json::Value>(v).unwrap() {
        serde_json::Value::String(id) => id,
        other => other["blob"]
            .as_str()
            .expect("an attachment reference names its file")
            .to_string(),
    }
}
