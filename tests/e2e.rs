//! End-to-end tests of the real binaries: `amanatd init`, `amanat keygen`,
//! `amanatd reviewer add`, `amanatd serve`, a browser-like submission with
//! JavaScript off, `amanat login/list/show/logout`; then a search of every
//! byte under the data dir and of the server's log for the canaries.
#![forbid(unsafe_code)]
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

mod fixtures;

use common::daemon::Daemon;
use common::{encode, extract_value};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

const AMANATD: &str = env!("BIN_PATH_amanatd");
const AMANAT: &str = env!("BIN_PATH_amanat");

/// A running `amanatd serve` (killed on drop) logging at `trace` to `log`.
fn serve(data: &Path, log: PathBuf) -> Daemon {
    serve_with(data, log, &[])
}

fn serve_with(data: &Path, log: PathBuf, env: &[(&str, &str)]) -> Daemon {
    let mut env = env.to_vec();
    env.push(("AMANAT_LOG", "trace"));
    common::daemon::serve_logging_to(data, ("127.0.0.1:0", "127.0.0.1:0"), &log, &env)
}

fn run(bin: &str, args: &[&str], config_dir: &Path) -> Output {
    Command::new(bin)
        .args(args)
        .env("AMANAT_CONFIG_DIR", config_dir)
        .env_remove("AMANAT_PASSPHRASE")
        .output()
        .unwrap()
}

fn ok(out: &Output) -> String {
    assert!(
        out.status.success(),
        "exit {:?}\nstdout: {}\nstderr: {}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Every file under `dir`, recursively.
fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(files(&p));
        } else if p.is_file() {
            // Regular files only: a killed server leaves its control socket.
            out.push(p);
        }
    }
    out
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

#[test]
fn init_keygen_enrol_serve_submit_login_list_show() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let cli = tmp.path().join("cli");
    let key = tmp.path().join("reviewer.key");

    let out = ok(&run(
        AMANATD,
        &["init", "--data-dir", data.to_str().unwrap()],
        &cli,
    ));
    assert!(
        out.contains("amanatd reviewer add"),
        "init says what to do next"
    );
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(
        std::fs::metadata(&data).unwrap().permissions().mode() & 0o777,
        0o700
    );
    assert!(data.join("amanat.toml").exists());

    let recipient = ok(&run(AMANAT, &["keygen", "-o", key.to_str().unwrap()], &cli))
        .trim()
        .to_string();
    assert!(recipient.starts_with("age1"), "{recipient}");
    ok(&run(
        AMANATD,
        &[
            "reviewer",
            "add",
            "--data-dir",
            data.to_str().unwrap(),
            "--name",
            "ana",
            "--recipient",
            &recipient,
            "--roles",
            "triage,identity,admin",
        ],
        &cli,
    ));

    let server = serve(&data, tmp.path().join("server.log"));

    // While the server runs, offline reviewer changes say why they cannot work.
    let busy = run(
        AMANATD,
        &["reviewer", "list", "--data-dir", data.to_str().unwrap()],
        &cli,
    );
    assert_eq!(busy.status.code(), Some(4));
    assert!(String::from_utf8_lossy(&busy.stderr).contains("in use by another process"));

    // A browser with JavaScript off: GET the form, keep cookie and token, POST.
    const CANARY: &str = "CANARY-NARRATIVE-7f3a";
    const NAME: &str = "Canary Name 91b2";
    const UA: &str = "CanaryAgent/5.0";
    const XFF: &str = "203.0.113.77";
    let http = common::client();
    let resp = http
        .get(format!(
            "{}/report?anonymity=confidential&lang=en",
            server.intake
        ))
        .header("user-agent", UA)
        .header("x-forwarded-for", XFF)
        .send()
        .unwrap();
    assert_eq!(resp.status(), 200);
    let cookie = resp
        .headers()
        .get("set-cookie")
        .and_then(|v| v.to_str().ok())
        .map(|v| v.split(';').next().unwrap().to_string())
        .unwrap();
    let html = resp.text().unwrap();
    assert!(!html.contains("<script"), "no JavaScript");
    let token = extract_value(&html, "name=\"csrf\" value=\"").unwrap();
    let body = encode(&[
        ("csrf", &token),
        ("lang", "en"),
        ("anonymity", "confidential"),
        ("reporter_relationship", "colleague"),
        ("victim_type", "defender"),
        ("victim_type", "lawyer"),
        ("country", "EG"),
        ("locality", "Canary Town"),
        ("incident_date_year", "2026"),
        ("incident_date_month", "4"),
        ("incident_date_day", "30"),
        ("incident_date_precision", "exact"),
        ("reprisal_types", "arbitrary_detention"),
        ("reprisal_types", "travel_ban"),
        (
            "narrative",
            &format!("Arrested after the HRC session. {CANARY}"),
        ),
        ("identity_name", NAME),
        ("consent_informed_of_risks", "yes"),
    ]);
    let resp = http
        .post(format!("{}/report", server.intake))
        .header("content-type", "application/x-www-form-urlencoded")
        .header("cookie", &cookie)
        .header("user-agent", UA)
        .header("x-forwarded-for", XFF)
        .body(body)
        .send()
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert!(resp.text().unwrap().contains("Your report was received"));

    // Reviewer: login, list, show.
    let out = run(
        AMANAT,
        &[
            "login",
            "--server",
            &server.review,
            "--identity",
            key.to_str().unwrap(),
        ],
        &cli,
    );
    ok(&out);
    assert!(String::from_utf8_lossy(&out.stderr).contains("Logged in as ana"));
    let session = cli.join("session.json");
    assert_eq!(
        std::fs::metadata(&session).unwrap().permissions().mode() & 0o777,
        0o600
    );

    let list = ok(&run(AMANAT, &["list"], &cli));
    assert!(
        list.contains("confidential") && list.contains("new"),
        "{list}"
    );
    let json: serde_json::Value =
        serde_json::from_str(&ok(&run(AMANAT, &["list", "--json"], &cli))).unwrap();
    let id = json[0]["id"].as_str().unwrap().to_string();

    let shown = ok(&run(AMANAT, &["show", &id], &cli));
    assert!(shown.contains(CANARY), "{shown}");
    assert!(
        shown.contains("In which country did it happen?: Egypt"),
        "labels, not ids: {shown}"
    );
    assert!(
        shown.contains("Who was targeted?: Human rights defender; Lawyer"),
        "{shown}"
    );
    assert!(shown.contains("2026-04-30 (exact)"), "{shown}");
    assert!(
        shown.contains(NAME),
        "identity shown to an identity reviewer"
    );
    let shown: serde_json::Value =
        serde_json::from_str(&ok(&run(AMANAT, &["show", &id, "--json"], &cli))).unwrap();
    assert_eq!(shown["schema"], "amanat.report/1");
    assert_eq!(shown["answers"]["country"], "EG");
    assert_eq!(shown["identity"]["identity_name"], NAME);

    // Unknown ids and bad input: clear message, non-zero exit.
    let out = run(AMANAT, &["show", "aaaaaaaaaaaaaaaaaaaaaaaaaa"], &cli);
    assert_eq!(out.status.code(), Some(4));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no report with id"));
    let out = run(AMANAT, &["show", "../etc"], &cli);
    assert_eq!(out.status.code(), Some(4));

    // Logout ends the session on the server too.
    let saved: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&session).unwrap()).unwrap();
    let token = saved["token"].as_str().unwrap().to_string();
    ok(&run(AMANAT, &["logout"], &cli));
    let out = run(AMANAT, &["list"], &cli);
    assert_eq!(out.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&out.stderr).contains("amanat login"));
    let resp = http
        .get(format!("{}/api/v1/whoami", server.review))
        .bearer_auth(&token)
        .send()
        .unwrap();
    assert_eq!(resp.status(), 401, "the old token is dead on the server");

    // Seizure check: no canary anywhere under the data dir, in any form.
    // The server's own listen addresses may appear in its log; a client's may not.
    let own: Vec<String> = [&server.intake, &server.review]
        .iter()
        .map(|u| u.trim_start_matches("http://").to_string())
        .collect();
    drop(server);
    let log = std::fs::read(tmp.path().join("server.log")).unwrap();
    let mut checked = 0;
    for f in files(&data) {
        let bytes = std::fs::read(&f).unwrap();
        for needle in [CANARY, NAME, "Canary Town", UA, XFF, token.as_str()] {
            assert!(
                !contains(&bytes, needle.as_bytes()),
                "{needle:?} found in {}",
                f.display()
            );
        }
        checked += 1;
    }
    assert!(checked >= 3, "the store has files to check");

    // The server's log (at trace level) names no content, address, agent or id.
    let log_text = String::from_utf8_lossy(&log);
    assert!(
        log_text.contains("submission stored"),
        "the log is captured: {log_text}"
    );
    for needle in [
        CANARY,
        NAME,
        "Canary Town",
        UA,
        XFF,
        &token,
        &cookie[12..],
        "127.0.0.1:",
    ] {
        let hits: Vec<&str> = log_text
            .lines()
            .filter(|l| l.contains(needle) && !own.iter().any(|a| l.contains(a.as_str())))
            .collect();
        assert!(hits.is_empty(), "{needle:?} appears in the log: {hits:#?}");
    }
    // The review path may name report ids (SECURITY.md); the intake path never.
    let intake_lines: Vec<&str> = log_text
        .lines()
        .filter(|l| l.contains("amanat::intake"))
        .collect();
    assert!(!intake_lines.is_empty());
    assert!(
        intake_lines.iter().all(|l| !l.contains(&id)),
        "{intake_lines:#?}"
    );
}

#[test]
fn identities_from_age_keygen_and_passphrase_files_work() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let cli = tmp.path().join("cli");
    ok(&run(
        AMANATD,
        &["init", "--data-dir", data.to_str().unwrap()],
        &cli,
    ));

    // A key made by the reference Go tool (Debian package `age`).
    let go_key = tmp.path().join("go.key");
    let out = Command::new("age-keygen")
        .arg("-o")
        .arg(&go_key)
        .output()
        .expect("age-keygen must be installed (Debian package `age`; scripts/test.sh installs it)");
    assert!(out.status.success());
    let go_recipient = String::from_utf8_lossy(&out.stderr)
        .lines()
        .find_map(|l| l.strip_prefix("Public key: ").map(str::to_string))
        .expect("age-keygen prints the public key");

    // A passphrase-protected key made by `amanat keygen --passphrase`.
    let pw_key = tmp.path().join("pw.key");
    let out = Command::new(AMANAT)
        .args(["keygen", "--passphrase", "-o"])
        .arg(&pw_key)
        .env("AMANAT_PASSPHRASE", "correct horse battery staple")
        .env("AMANAT_CONFIG_DIR", &cli)
        .output()
        .unwrap();
    let pw_recipient = ok(&out).trim().to_string();
    let content = std::fs::read_to_string(&pw_key).unwrap();
    assert!(content.starts_with("-----BEGIN AGE ENCRYPTED FILE-----"));
    assert!(
        !content.contains("AGE-SECRET-KEY"),
        "the secret is encrypted"
    );

    for (name, r) in [("go", &go_recipient), ("pw", &pw_recipient)] {
        ok(&run(
            AMANATD,
            &[
                "reviewer",
                "add",
                "--data-dir",
                data.to_str().unwrap(),
                "--name",
                name,
                "--recipient",
                r,
                "--roles",
                "triage",
            ],
            &cli,
        ));
    }
    let listed = ok(&run(
        AMANATD,
        &["reviewer", "list", "--data-dir", data.to_str().unwrap()],
        &cli,
    ));
    assert!(listed.contains(&go_recipient) && listed.contains(&pw_recipient));

    let server = serve(&data, tmp.path().join("server.log"));
    ok(&run(
        AMANAT,
        &[
            "login",
            "--server",
            &server.review,
            "--identity",
            go_key.to_str().unwrap(),
        ],
        &cli,
    ));
    ok(&run(AMANAT, &["whoami"], &cli));

    let login_pw = |pass: &str| {
        Command::new(AMANAT)
            .args([
                "login",
                "--server",
                &server.review,
                "--identity",
                pw_key.to_str().unwrap(),
            ])
            .env("AMANAT_CONFIG_DIR", &cli)
            .env("AMANAT_PASSPHRASE", pass)
            .output()
            .unwrap()
    };
    let bad = login_pw("wrong");
    assert_eq!(bad.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("wrong passphrase"));
    ok(&login_pw("correct horse battery staple"));
    let who = ok(&run(AMANAT, &["whoami", "--json"], &cli));
    assert!(who.contains("\"pw\""), "{who}");

    // A key that is not enrolled cannot log in.
    let stranger = tmp.path().join("stranger.key");
    ok(&run(
        AMANAT,
        &["keygen", "-o", stranger.to_str().unwrap()],
        &cli,
    ));
    let out = run(
        AMANAT,
        &[
            "login",
            "--server",
            &server.review,
            "--identity",
            stranger.to_str().unwrap(),
        ],
        &cli,
    );
    assert_eq!(out.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not enrolled"));
}

#[test]
fn operator_errors_are_clear() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let cli = tmp.path().join("cli");
    let d = data.to_str().unwrap();
    let out = run(AMANATD, &["serve", "--data-dir", d], &cli);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("amanatd init --data-dir"));

    ok(&run(AMANATD, &["init", "--data-dir", d], &cli));
    let out = run(AMANATD, &["init", "--data-dir", d], &cli);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("already holds an Amanat store"));

    let out = run(
        AMANATD,
        &[
            "reviewer",
            "add",
            "--data-dir",
            d,
            "--name",
            "x",
            "--recipient",
            "age1bad",
            "--roles",
            "triage",
        ],
        &cli,
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("amanat keygen"));

    std::fs::write(data.join("amanat.toml"), "[limits]\nform_fields = 0\n").unwrap();
    let out = run(AMANATD, &["serve", "--data-dir", d], &cli);
    assert_eq!(out.status.code(), Some(3));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("limits.form_fields") && err.contains("Fix:"),
        "{err}"
    );

    std::fs::write(data.join("amanat.toml"), "[limit]\nform_fields = 100\n").unwrap();
    let out = run(AMANATD, &["config", "--data-dir", d], &cli);
    assert_eq!(out.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&out.stderr).contains("limit"));

    let help = ok(&run(AMANATD, &["--help"], &cli));
    assert!(help.contains("Exit codes"));
    let help = ok(&run(AMANAT, &["--help"], &cli));
    assert!(help.contains("Exit codes"));
}

/// Sets up a data dir with one reviewer (all roles) and its key file.
fn setup(tmp: &Path) -> (PathBuf, PathBuf, PathBuf) {
    let data = tmp.join("data");
    let cli = tmp.join("cli");
    let key = tmp.join("reviewer.key");
    ok(&run(
        AMANATD,
        &["init", "--data-dir", data.to_str().unwrap()],
        &cli,
    ));
    let recipient = ok(&run(AMANAT, &["keygen", "-o", key.to_str().unwrap()], &cli))
        .trim()
        .to_string();
    ok(&run(
        AMANATD,
        &[
            "reviewer",
            "add",
            "--data-dir",
            data.to_str().unwrap(),
            "--name",
            "ana",
            "--recipient",
            &recipient,
            "--roles",
            "triage,identity,admin",
        ],
        &cli,
    ));
    (data, cli, key)
}

/// Submits a report through the real server's form, as a browser would.
fn browser_submit(intake: &str, narrative: &str, contact_back: bool) -> String {
    let http = common::client();
    let resp = http
        .get(format!("{intake}/report?anonymity=anonymous"))
        .send()
        .unwrap();
    let cookie = common::cookie_named(&resp, "amanat_csrf").unwrap();
    let html = resp.text().unwrap();
    let token = extract_value(&html, "name=\"csrf\" value=\"").unwrap();
    let mut fields = vec![
        ("csrf", token.as_str()),
        ("anonymity", "anonymous"),
        ("reporter_relationship", "self"),
        ("victim_type", "journalist"),
        ("country", "NI"),
        ("reprisal_types", "smear_campaign"),
        ("narrative", narrative),
    ];
    if contact_back {
        fields.push(("consent_contact_back", "yes"));
    }
    let resp = http
        .post(format!("{intake}/report"))
        .header("content-type", "application/x-www-form-urlencoded")
        .header("cookie", &cookie)
        .body(encode(&fields))
        .send()
        .unwrap();
    assert_eq!(resp.status(), 200);
    common::codename_of(&resp.text().unwrap())
}

/// Logs in at /followup against a real server; returns the status and cookies.
fn browser_followup_login(intake: &str, codename: &str) -> (u16, String) {
    let http = common::client();
    let resp = http.get(format!("{intake}/followup")).send().unwrap();
    let csrf = common::cookie_named(&resp, "amanat_csrf").unwrap();
    let token = extract_value(&resp.text().unwrap(), "name=\"csrf\" value=\"").unwrap();
    let resp = http
        .post(format!("{intake}/followup/login"))
        .header("content-type", "application/x-www-form-urlencoded")
        .header("cookie", &csrf)
        .body(encode(&[("csrf", &token), ("codename", codename)]))
        .send()
        .unwrap();
    let status = resp.status().as_u16();
    let cookies = match common::cookie_named(&resp, "amanat_session") {
        Some(s) => format!("{csrf}; {s}"),
        None => csrf,
    };
    (status, cookies)
}

fn get_page(url: &str, cookies: &str) -> String {
    common::client()
        .get(url)
        .header("cookie", cookies)
        .send()
        .unwrap()
        .text()
        .unwrap()
}

#[test]
fn codename_reply_and_message_round_trip_with_the_real_binaries() {
    let tmp = tempfile::tempdir().unwrap();
    let (data, cli, key) = setup(tmp.path());
    let server = serve(&data, tmp.path().join("server.log"));
    const REPLY: &str = "We have your report. CANARY-REPLY-4d1e";
    const MESSAGE: &str = "They came back today. CANARY-MESSAGE-88c0";

    let codename = browser_submit(&server.intake, "Smeared on TV. CANARY-NARR-3", true);
    assert_eq!(codename.split(' ').count(), 8);
    let no_consent = browser_submit(&server.intake, "Do not contact me", false);
    let _ = no_consent;

    ok(&run(
        AMANAT,
        &[
            "login",
            "--server",
            &server.review,
            "--identity",
            key.to_str().unwrap(),
        ],
        &cli,
    ));
    let list: serde_json::Value =
        serde_json::from_str(&ok(&run(AMANAT, &["list", "--json"], &cli))).unwrap();
    let ids: Vec<String> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_string())
        .collect();
    let show = |id: &str| ok(&run(AMANAT, &["show", id], &cli));
    let with_consent = ids
        .iter()
        .find(|id| show(id).contains("CANARY-NARR-3"))
        .unwrap()
        .clone();
    let without = ids.iter().find(|id| **id != with_consent).unwrap().clone();

    // Replying where the source did not agree is refused, and nothing is sent.
    let out = run(AMANAT, &["reply", &without, "--message", "hello"], &cli);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("did not agree to be contacted back"));

    // A reply from standard input.
    let mut child = Command::new(AMANAT)
        .args(["reply", &with_consent])
        .env("AMANAT_CONFIG_DIR", &cli)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::io::Write::write_all(&mut child.stdin.take().unwrap(), REPLY.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(ok(&out).contains("Reply sent"));

    // The source logs in, reads the reply, adds a message.
    let (status, cookies) = browser_followup_login(&server.intake, &codename);
    assert_eq!(status, 303);
    let page = get_page(&format!("{}/followup", server.intake), &cookies);
    assert!(page.contains(REPLY), "{page}");
    let token = extract_value(&page, "name=\"csrf\" value=\"").unwrap();
    let resp = common::client()
        .post(format!("{}/followup/message", server.intake))
        .header("content-type", "application/x-www-form-urlencoded")
        .header("cookie", &cookies)
        .body(encode(&[("csrf", &token), ("message", MESSAGE)]))
        .send()
        .unwrap();
    assert_eq!(resp.status(), 303);

    // The reviewer sees the whole thread in order.
    let shown = show(&with_consent);
    let (r, m) = (
        shown.find("CANARY-REPLY-4d1e").unwrap(),
        shown.find("CANARY-MESSAGE-88c0").unwrap(),
    );
    assert!(shown.find("CANARY-NARR-3").unwrap() < r && r < m, "{shown}");
    assert!(shown.contains("Message from the source"));

    // A wrong word and a swapped pair are refused with the same words.
    let mut words: Vec<&str> = codename.split(' ').collect();
    words.swap(1, 2);
    for attempt in [words.join(" "), codename.replacen(words[0], "zebra", 1)] {
        let (status, cookies) = browser_followup_login(&server.intake, &attempt);
        assert_eq!(status, 400);
        assert!(!cookies.contains("amanat_session"));
    }

    // Nothing secret on disk or in the log.
    let own: Vec<String> = [&server.intake, &server.review]
        .iter()
        .map(|u| u.trim_start_matches("http://").to_string())
        .collect();
    drop(server);
    let log = std::fs::read_to_string(tmp.path().join("server.log")).unwrap();
    assert!(log.contains("follow-up login"), "log captured");
    for f in files(&data) {
        let bytes = std::fs::read(&f).unwrap();
        for needle in [codename.as_str(), REPLY, MESSAGE, "CANARY-NARR-3"] {
            assert!(
                !contains(&bytes, needle.as_bytes()),
                "{needle:?} in {}",
                f.display()
            );
        }
    }
    for needle in [codename.as_str(), REPLY, MESSAGE, "127.0.0.1:"] {
        let hits: Vec<&str> = log
            .lines()
            .filter(|l| l.contains(needle) && !own.iter().any(|a| l.contains(a.as_str())))
            .collect();
        assert!(hits.is_empty(), "{needle:?} in the log: {hits:#?}");
    }
    // Each codename word alone may be common; the first three in a row are not.
    let head: Vec<&str> = codename.split(' ').take(3).collect();
    assert!(!log.contains(&head.join(" ")));
}

fn vm_hwm_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap()
}

#[test]
fn kdf_memory_stays_within_permits_under_concurrent_logins() {
    let tmp = tempfile::tempdir().unwrap();
    let (data, _cli, _key) = setup(tmp.path());
    const PERMITS: u64 = 2;
    const M_COST_KIB: u64 = 19 * 1024;
    let server = serve_with(
        &data,
        tmp.path().join("server.log"),
        &[
            ("AMANAT_KDF_CONCURRENCY", "2"),
            // Two derive, four may wait their turn, the rest are refused.
            ("AMANAT_KDF_MAX_WAITING", "4"),
            ("AMANAT_LIMITS_FOLLOWUP_LOGINS_PER_MINUTE", "100000"),
            ("AMANAT_LIMITS_SUBMISSIONS_PER_MINUTE", "100000"),
        ],
    );
    let codename = browser_submit(&server.intake, "memory", false);
    // Warm up: one derivation at a time.
    assert_eq!(browser_followup_login(&server.intake, &codename).0, 303);
    let base = vm_hwm_kib(server.pid());

    let intake = server.intake.clone();
    let statuses: Vec<u16> = std::thread::scope(|s| {
        let hs: Vec<_> = (0..40)
            .map(|_| s.spawn(|| browser_followup_login(&intake, &codename).0))
            .collect();
        hs.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let busy = statuses.iter().filter(|s| **s == 503).count();
    let ok_count = statuses.iter().filter(|s| **s == 303).count();
    assert_eq!(busy + ok_count, 40, "{statuses:?}");
    assert!(
        busy > 0,
        "more concurrent logins than permits and waiting places get 503: {statuses:?}"
    );
    assert!(ok_count >= 2, "{statuses:?}");
    let peak = vm_hwm_kib(server.pid());
    let growth = peak.saturating_sub(base);
    eprintln!(
        "VmHWM before {base} KiB, after {peak} KiB, growth {growth} KiB; {busy} of 40 got 503"
    );
    // Bounded by permits × m_cost (plus connection buffers), not by the 40
    // concurrent requests (40 × 19 MiB would be 760 MiB).
    assert!(
        peak <= base + PERMITS * M_COST_KIB + 16 * 1024,
        "peak {peak} KiB exceeds {base} + {PERMITS} × {M_COST_KIB} KiB + 16 MiB"
    );
}

/// A reader that yields `len` deterministic bytes without allocating them,
/// hashing as it goes.
struct Generated {
    left: u64,
    state: u64,
    sha: sha2::Sha256,
}

impl std::io::Read for Generated {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        use sha2::Digest;
        let n = buf.len().min(self.left as usize);
        for b in &mut buf[..n] {
            self.state = self
                .state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            *b = (self.state >> 56) as u8;
        }
        self.sha.update(&buf[..n]);
        self.left -= n as u64;
        Ok(n)
    }
}

#[test]
fn attachments_download_and_a_two_gib_upload_end_to_end() {
    use sha2::Digest;
    let tmp = tempfile::tempdir().unwrap();
    let (data, cli, key) = setup(tmp.path());
    const SIZE: u64 = 2 << 30;
    let server = serve_with(
        &data,
        tmp.path().join("server.log"),
        &[
            ("AMANAT_LIMITS_ATTACHMENT_BYTES", "3221225472"),
            ("AMANAT_LIMITS_SUBMISSION_BYTES", "3221225472"),
        ],
    );
    ok(&run(
        AMANAT,
        &[
            "login",
            "--server",
            &server.review,
            "--identity",
            key.to_str().unwrap(),
        ],
        &cli,
    ));

    // A photo with GPS, sent with a hostile name, through the real form.
    let http = common::client();
    let resp = http
        .get(format!("{}/report?anonymity=anonymous", server.intake))
        .send()
        .unwrap();
    let cookie = common::cookie_named(&resp, "amanat_csrf").unwrap();
    let token = extract_value(&resp.text().unwrap(), "name=\"csrf\" value=\"").unwrap();
    let fields = [
        ("csrf", token.as_str()),
        ("anonymity", "anonymous"),
        ("reporter_relationship", "self"),
        ("victim_type", "journalist"),
        ("country", "NI"),
        ("reprisal_types", "raid_search"),
        ("narrative", "Photos of the raid."),
    ];
    let jpeg = fixtures::jpeg_with_gps();
    let body = common::multipart_body(
        "bnd",
        &fields,
        &[("attachments", "../../\u{202E}gpj.exe", &jpeg)],
    );
    let resp = http
        .post(format!("{}/report", server.intake))
        .header("content-type", "multipart/form-data; boundary=bnd")
        .header("cookie", &cookie)
        .body(body)
        .send()
        .unwrap();
    assert_eq!(resp.status(), 200);
    let codename = common::codename_of(&resp.text().unwrap());
    let id =
        serde_json::from_str::<serde_json::Value>(&ok(&run(AMANAT, &["list", "--json"], &cli)))
            .unwrap()[0]["id"]
            .as_str()
            .unwrap()
            .to_string();
    let shown = ok(&run(AMANAT, &["show", &id], &cli));
    assert!(shown.contains("Attachments"), "{shown}");
    assert!(
        shown.contains("gpj.exe  (image/jpeg"),
        "safe name and detected type: {shown}"
    );
    assert!(shown.contains("cleaned: removed location"), "{shown}");

    let out_dir = tmp.path().join("downloads");
    let downloaded = run(
        AMANAT,
        &[
            "download",
            &id,
            "--out",
            out_dir.to_str().unwrap(),
            "--json",
        ],
        &cli,
    );
    // Issue 19 (finding 4): the reviewer is told how to open what a source
    // sent without being located by it.
    let told = String::from_utf8_lossy(&downloaded.stderr);
    assert!(
        told.contains("Open these files on a machine without a network connection"),
        "{told}"
    );
    assert!(
        !told.contains("NOT cleaned"),
        "the photo was cleaned: {told}"
    );
    let listed: serde_json::Value = serde_json::from_str(&ok(&downloaded)).unwrap();
    let path = std::path::PathBuf::from(listed[0]["path"].as_str().unwrap());
    assert_eq!(path.parent().unwrap(), out_dir, "no traversal");
    assert_eq!(path.file_name().unwrap().to_str().unwrap(), "gpj.exe");
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(
        std::fs::metadata(&path).unwrap().permissions().mode() & 0o777,
        0o600
    );
    let saved = std::fs::read(&path).unwrap();
    assert!(!contains(&saved, fixtures::GPS_CANARY.as_bytes()));
    assert!(image::load_from_memory(&saved).is_ok(), "still a picture");
    // Downloading again never overwrites.
    let again: serde_json::Value = serde_json::from_str(&ok(&run(
        AMANAT,
        &[
            "download",
            &id,
            "--out",
            out_dir.to_str().unwrap(),
            "--json",
        ],
        &cli,
    )))
    .unwrap();
    assert!(again[0]["path"].as_str().unwrap().ends_with("gpj (2).exe"));

    // The source comes back and sends another photo with a message: the
    // reviewer sees it in the thread and downloads it with the first.
    let (_, f, _) = common::followup_login(server.intake.as_str(), &codename);
    let (status, page) = common::followup_post_files(
        server.intake.as_str(),
        &f,
        "Another one.",
        false,
        &[("second.jpg", &jpeg)],
    );
    assert_eq!(status, 200, "{page}");
    let shown = ok(&run(AMANAT, &["show", &id], &cli));
    assert!(shown.contains("Another one."), "{shown}");
    assert!(
        shown.contains("second.jpg  (image/jpeg"),
        "the message's file is listed: {shown}"
    );
    let out2 = tmp.path().join("downloads2");
    let listed: serde_json::Value = serde_json::from_str(&ok(&run(
        AMANAT,
        &["download", &id, "--out", out2.to_str().unwrap(), "--json"],
        &cli,
    )))
    .unwrap();
    let names: Vec<&str> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap().rsplit('/').next().unwrap())
        .collect();
    assert_eq!(names, ["gpj.exe", "second.jpg"]);
    let saved = std::fs::read(out2.join("second.jpg")).unwrap();
    assert!(!contains(&saved, fixtures::GPS_CANARY.as_bytes()));

    // 2 GiB of an unknown type, streamed end to end in bounded memory.
    let base = vm_hwm_kib(server.pid());
    let resp = http
        .get(format!("{}/report?anonymity=anonymous", server.intake))
        .send()
        .unwrap();
    let cookie = common::cookie_named(&resp, "amanat_csrf").unwrap();
    let token = extract_value(&resp.text().unwrap(), "name=\"csrf\" value=\"").unwrap();
    let mut fields = fields;
    fields[0] = ("csrf", token.as_str());
    let head = common::multipart_body("bnd", &fields, &[]);
    let head = &head[..head.len() - b"--bnd--\r\n".len()];
    let mut prefix = head.to_vec();
    prefix.extend_from_slice(
        b"--bnd\r\nContent-Disposition: form-data; name=\"attachments_as_is\"; filename=\"video.raw\"\r\nContent-Type: application/octet-stream\r\n\r\n",
    );
    let suffix = b"\r\n--bnd--\r\n".to_vec();
    let total = prefix.len() as u64 + SIZE + suffix.len() as u64;
    type Parts = std::io::Chain<
        std::io::Chain<std::io::Cursor<Vec<u8>>, Generated>,
        std::io::Cursor<Vec<u8>>,
    >;
    struct Body {
        parts: Parts,
    }
    impl std::io::Read for Body {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            self.parts.read(buf)
        }
    }
    let gen_reader = Generated {
        left: SIZE,
        state: 7,
        sha: sha2::Sha256::new(),
    };
    let body = Body {
        parts: std::io::Read::chain(
            std::io::Read::chain(std::io::Cursor::new(prefix), gen_reader),
            std::io::Cursor::new(suffix),
        ),
    };
    let resp = reqwest::blocking::Client::builder()
        .tls_backend_preconfigured(amanat_core::tls::client_config(None).unwrap())
        .timeout(std::time::Duration::from_secs(1800))
        .build()
        .unwrap()
        .post(format!("{}/report", server.intake))
        .header("content-type", "multipart/form-data; boundary=bnd")
        .header("cookie", &cookie)
        .body(reqwest::blocking::Body::sized(body, total))
        .send()
        .unwrap();
    assert_eq!(resp.status(), 200);
    let peak = vm_hwm_kib(server.pid());
    eprintln!("2 GiB upload: server VmHWM {base} KiB before, {peak} KiB after");
    assert!(
        peak < base + 64 * 1024,
        "streaming, not buffering: {base} → {peak} KiB"
    );

    // Expected hash of the generated content.
    let mut check = Generated {
        left: SIZE,
        state: 7,
        sha: sha2::Sha256::new(),
    };
    std::io::copy(&mut check, &mut std::io::sink()).unwrap();
    let expected = data_encoding::HEXLOWER.encode(&check.sha.finalize());

    let list: serde_json::Value =
        serde_json::from_str(&ok(&run(AMANAT, &["list", "--json"], &cli))).unwrap();
    let big = list
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_string())
        .find(|r| *r != id)
        .unwrap();
    let big_dir = tmp.path().join("big");
    let got: serde_json::Value = serde_json::from_str(&ok(&run(
        AMANAT,
        &[
            "download",
            &big,
            "--out",
            big_dir.to_str().unwrap(),
            "--json",
        ],
        &cli,
    )))
    .unwrap();
    assert_eq!(got[0]["size"].as_u64(), Some(SIZE));
    assert_eq!(
        got[0]["sha256"].as_str(),
        Some(expected.as_str()),
        "verified against our own hash"
    );
    assert_eq!(
        std::fs::metadata(got[0]["path"].as_str().unwrap())
            .unwrap()
            .len(),
        SIZE
    );
    drop(server);
}

/// Submits a report with the given extra fields; returns its codename.
fn browser_submit_fields(intake: &str, anonymity: &str, extra: &[(&str, &str)]) -> String {
    let http = common::client();
    let resp = http
        .get(format!("{intake}/report?anonymity={anonymity}"))
        .send()
        .unwrap();
    let cookie = common::cookie_named(&resp, "amanat_csrf").unwrap();
    let token = extract_value(&resp.text().unwrap(), "name=\"csrf\" value=\"").unwrap();
    let mut fields = vec![
        ("csrf", token.as_str()),
        ("anonymity", anonymity),
        ("reporter_relationship", "self"),
        ("victim_type", "defender"),
        ("reprisal_types", "travel_ban"),
        ("un_engagement", "hrc_session"),
    ];
    fields.extend_from_slice(extra);
    let resp = http
        .post(format!("{intake}/report"))
        .header("content-type", "application/x-www-form-urlencoded")
        .header("cookie", &cookie)
        .body(encode(&fields))
        .send()
        .unwrap();
    assert_eq!(resp.status(), 200);
    common::codename_of(&resp.text().unwrap())
}

#[test]
fn reviewer_workflow_triage_exports_audit_and_retention() {
    let tmp = tempfile::tempdir().unwrap();
    let (data, cli, key) = setup(tmp.path());
    let server = serve(&data, tmp.path().join("server.log"));
    let d = data.to_str().unwrap();
    // A consented report that may go to the UN with the name, and a
    // confidential one whose source did not confirm the risks.
    let codename1 = browser_submit_fields(
        &server.intake,
        "consented",
        &[
            ("country", "TJ"),
            ("narrative", "Shared with the UN. CANARY-SHARED"),
            ("identity_name", "Named Defender"),
            ("consent_informed_of_risks", "yes"),
            ("consent_share_ohchr", "yes"),
            ("consent_share_identity_un", "yes"),
            ("current_risk", "detained"),
        ],
    );
    let codename2 = browser_submit_fields(
        &server.intake,
        "confidential",
        &[
            ("country", "EG"),
            ("locality", "Secret Village"),
            ("narrative", "Not for export. CANARY-PRIVATE"),
            ("identity_name", "Hidden Person"),
        ],
    );
    ok(&run(
        AMANAT,
        &[
            "login",
            "--server",
            &server.review,
            "--identity",
            key.to_str().unwrap(),
        ],
        &cli,
    ));
    let list: serde_json::Value =
        serde_json::from_str(&ok(&run(AMANAT, &["list", "--json"], &cli))).unwrap();
    let by_country = |c: &str| -> String {
        list.as_array()
            .unwrap()
            .iter()
            .map(|r| r["id"].as_str().unwrap().to_string())
            .find(|id| {
                ok(&run(AMANAT, &["show", id, "--json"], &cli))
                    .contains(&format!("\"country\": \"{c}\""))
            })
            .unwrap()
    };
    let shared = by_country("TJ");
    let private = by_country("EG");
    assert_eq!(
        list[0]["id"].as_str(),
        Some(shared.as_str()),
        "critical first"
    );

    // Triage, with an illegal move refused and named.
    let out = run(AMANAT, &["triage", &shared, "--state", "in_review"], &cli);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("allowed: acknowledged, closed"));
    ok(&run(
        AMANAT,
        &[
            "triage",
            &shared,
            "--state",
            "acknowledged",
            "--urgency",
            "critical",
            "--assign",
            "ana",
            "--tag",
            "detention",
            "--note",
            "Call the lawyer. CANARY-NOTE",
        ],
        &cli,
    ));
    let shown = ok(&run(AMANAT, &["show", &shared], &cli));
    assert!(
        shown.contains("Note by ana [tags: detention]") && shown.contains("CANARY-NOTE"),
        "{shown}"
    );
    let filtered = ok(&run(
        AMANAT,
        &["list", "--state", "acknowledged", "--assignee", "me"],
        &cli,
    ));
    assert!(
        filtered.contains(&shared) && !filtered.contains(&private),
        "{filtered}"
    );
    let queue = ok(&run(AMANAT, &["queue"], &cli));
    assert!(
        queue.contains("acknowledged 1") && queue.contains("new 1"),
        "{queue}"
    );

    // Exports honour consent.
    let text = ok(&run(
        AMANAT,
        &[
            "export",
            "--profile",
            "ohchr_submission",
            "--format",
            "text",
            &shared,
        ],
        &cli,
    ));
    assert!(
        text.contains("CANARY-SHARED") && text.contains("Named Defender"),
        "{text}"
    );
    assert!(
        text.contains("In which country did it happen?: Tajikistan"),
        "{text}"
    );
    let out = run(
        AMANAT,
        &[
            "export",
            "--profile",
            "ohchr_submission",
            "--format",
            "json",
            &private,
        ],
        &cli,
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("consent_informed_of_risks is no"));
    assert!(out.stdout.is_empty(), "nothing written");
    let out = run(
        AMANAT,
        &["export", "--profile", "stats", "--format", "csv", "--all"],
        &cli,
    );
    let csv = ok(&out);
    assert!(String::from_utf8_lossy(&out.stderr).contains("Skipped 1 report"));
    assert!(
        csv.starts_with("dimension,value,count\n")
            && csv.contains("country,TJ,1")
            && !csv.contains("EG"),
        "{csv}"
    );
    for needle in ["CANARY", "Secret Village", "Named Defender"] {
        assert!(!csv.contains(needle));
    }
    let export_file = tmp.path().join("internal.json");
    ok(&run(
        AMANAT,
        &[
            "export",
            "--profile",
            "internal",
            "--format",
            "json",
            "--all",
            "--out",
            export_file.to_str().unwrap(),
        ],
        &cli,
    ));
    let internal: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&export_file).unwrap()).unwrap();
    assert_eq!(internal.as_array().unwrap().len(), 2);
    assert_eq!(internal[0]["schema"], "amanat.report/1");
    let out = run(
        AMANAT,
        &["export", "--profile", "stats", "--format", "text", "--all"],
        &cli,
    );
    assert_eq!(out.status.code(), Some(2), "stats has no text format");

    // The source withdraws consent to share their identity with the UN:
    // the CLI honours it from then on.
    let (status, cookies) = browser_followup_login(&server.intake, &codename1);
    assert_eq!(status, 303);
    let page = get_page(&format!("{}/followup", server.intake), &cookies);
    let token = extract_value(&page, "name=\"csrf\" value=\"").unwrap();
    let resp = common::client()
        .post(format!("{}/followup/withdraw", server.intake))
        .header("content-type", "application/x-www-form-urlencoded")
        .header("cookie", &cookies)
        .body(encode(&[
            ("csrf", &token),
            ("withdraw", "consent_share_identity_un"),
        ]))
        .send()
        .unwrap();
    assert_eq!(resp.status(), 303);
    let shown = ok(&run(AMANAT, &["show", &shared], &cli));
    assert!(
        shown.contains("CONSENT WITHDRAWN by the source")
            && shown.contains("consent_share_identity_un"),
        "{shown}"
    );
    let text = ok(&run(
        AMANAT,
        &[
            "export",
            "--profile",
            "ohchr_submission",
            "--format",
            "text",
            &shared,
        ],
        &cli,
    ));
    assert!(
        text.contains("CANARY-SHARED") && !text.contains("Named Defender"),
        "{text}"
    );
    assert!(text.contains("Identity: withheld."), "{text}");

    // The audit log has it all; the admin view checks the chain.
    let audit = ok(&run(AMANAT, &["audit"], &cli));
    assert!(
        audit.contains("export_requested")
            && audit.contains("triage")
            && audit.contains("Audit chain intact"),
        "{audit}"
    );

    // Close the private report as spam; retention purges it after 7 days.
    ok(&run(
        AMANAT,
        &["triage", &private, "--state", "closed", "--reason", "spam"],
        &cli,
    ));
    drop(server);
    let today = amanat_core::timeutil::Day::today();
    let day = |n: i64| amanat_core::timeutil::Day::from_days(today.days() + n).to_string();
    let out = ok(&run(
        AMANATD,
        &["purge", "--data-dir", d, "--as-of", &day(6)],
        &cli,
    ));
    assert!(out.contains("purged 0 report(s)"), "{out}");
    let out = ok(&run(
        AMANATD,
        &["purge", "--data-dir", d, "--as-of", &day(7), "--dry-run"],
        &cli,
    ));
    assert!(
        out.contains("would purge 1") && out.contains(&private),
        "{out}"
    );
    let out = ok(&run(
        AMANATD,
        &["purge", "--data-dir", d, "--as-of", &day(7)],
        &cli,
    ));
    assert!(out.contains("purged 1") && out.contains(&private), "{out}");
    ok(&run(AMANATD, &["audit", "verify", "--data-dir", d], &cli));
    let server = serve(&data, tmp.path().join("server2.log"));
    let (status, _) = browser_followup_login(&server.intake, &codename2);
    assert_eq!(
        status, 400,
        "the purged source's codename no longer opens anything"
    );
    ok(&run(
        AMANAT,
        &[
            "login",
            "--server",
            &server.review,
            "--identity",
            key.to_str().unwrap(),
        ],
        &cli,
    ));
    let out = run(AMANAT, &["show", &private], &cli);
    assert_eq!(out.status.code(), Some(4));
    drop(server);
    for f in files(&data) {
        let bytes = std::fs::read(&f).unwrap();
        assert!(!contains(&bytes, b"CANARY-PRIVATE"));
    }

    // Tampering with the audit log is detected offline.
    {
        let store = amanatd::store::Store::open(&data).unwrap();
        let tree = store.audit_tree();
        let (k, v) = tree.iter().nth(2).unwrap().unwrap();
        let text = String::from_utf8(v.to_vec())
            .unwrap()
            .replace("\"actor\":\"", "\"actor\":\"x");
        tree.insert(k, text.as_bytes()).unwrap();
        store.flush().unwrap();
    }
    let out = run(AMANATD, &["audit", "verify", "--data-dir", d], &cli);
    assert_eq!(out.status.code(), Some(5));
    assert!(String::from_utf8_lossy(&out.stderr).contains("audit chain broken at entry 2"));
}

#[test]
fn a_replacement_questionnaire_is_validated_at_start() {
    let tmp = tempfile::tempdir().unwrap();
    let (data, cli, _) = setup(tmp.path());
    let q = tmp.path().join("q.toml");
    let good = amanat_core::model::questionnaire::DEFAULT_TOML.replace(
        "[[field]]\nid = \"locality\"",
        "[[field]]\nid = \"organisation_name\"\ntype = \"text\"\nlabel = \"Name of your organisation\"\n\n[[field]]\nid = \"locality\"",
    );
    std::fs::write(&q, &good).unwrap();
    std::fs::write(
        data.join("amanat.toml"),
        format!("questionnaire = {:?}\n", q.to_str().unwrap()),
    )
    .unwrap();
    let server = serve(&data, tmp.path().join("s.log"));
    let page = common::client()
        .get(format!("{}/report?anonymity=anonymous", server.intake))
        .send()
        .unwrap()
        .text()
        .unwrap();
    assert!(
        page.contains("Name of your organisation"),
        "the custom field is asked"
    );
    drop(server);
    std::fs::write(
        &q,
        amanat_core::model::questionnaire::DEFAULT_TOML
            .replace("id = \"current_risk\"", "id = \"risk\""),
    )
    .unwrap();
    let out = run(
        AMANATD,
        &["serve", "--data-dir", data.to_str().unwrap()],
        &cli,
    );
    assert_eq!(out.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&out.stderr).contains("current_risk"));
}

// ----- issue 19: audit anchoring, consent withdrawals, recipient pins -----

/// A free loopback address: the review API is restarted on the same URL,
/// which is what the CLI's anchors and pins are kept by.
fn free_addr() -> String {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap().to_string()
}

fn serve_review_at(data: &Path, review: &str, log: PathBuf) -> Daemon {
    common::daemon::serve_logging_to(
        data,
        ("127.0.0.1:0", review),
        &log,
        &[("AMANAT_LOG", "trace")],
    )
}

fn login_cli(server: &Daemon, key: &Path, cli: &Path) -> Output {
    run(
        AMANAT,
        &[
            "login",
            "--server",
            &server.review,
            "--identity",
            key.to_str().unwrap(),
        ],
        cli,
    )
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Issue 19 (Medium 5): someone who controls the stopped server deletes the
/// newest audit entry, changes an actor and recomputes every hash. The
/// chain verifies on its own, but the reviewer's CLI sees at its next login
/// that the chain no longer extends the head it anchored, and `amanatd audit
/// verify --against` sees it in the anchors the reviewer exported.
#[test]
fn a_rewritten_audit_chain_is_caught_by_reviewers_anchors() {
    let tmp = tempfile::tempdir().unwrap();
    let (data, cli, key) = setup(tmp.path());
    let d = data.to_str().unwrap();
    let addr = free_addr();
    let server = serve_review_at(&data, &addr, tmp.path().join("s1.log"));
    browser_submit(&server.intake, "anchored", false);
    ok(&login_cli(&server, &key, &cli));
    let anchors_path = cli.join("anchors.json");
    let first: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&anchors_path).unwrap()).unwrap();
    ok(&run(AMANAT, &["list"], &cli));
    // The next login checks the chain still extends the first anchor.
    let out = ok(&login_cli(&server, &key, &cli));
    let _ = out;
    let second: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&anchors_path).unwrap()).unwrap();
    let (s1, s2) = (
        first[&server.review]["seq"].as_u64().unwrap(),
        second[&server.review]["seq"].as_u64().unwrap(),
    );
    assert!(s2 > s1, "the anchor moved forward: {first} {second}");
    let exported = tmp.path().join("anchors-ana.json");
    ok(&run(
        AMANAT,
        &["audit", "anchors", "--out", exported.to_str().unwrap()],
        &cli,
    ));
    let against = ["audit", "verify", "--data-dir", d, "--against"];
    let with_file = |args: &[&str]| {
        let mut v = args.to_vec();
        v.push(exported.to_str().unwrap());
        run(AMANATD, &v, &cli)
    };
    drop(server);
    {
        let store = amanatd::store::Store::open(&data).unwrap();
        let entries = store.audit_entries().unwrap();
        // Every login acknowledged the head it saw, in the chain itself.
        assert_eq!(
            entries
                .iter()
                .filter(|e| e.event.action == amanat_core::audit::Action::HeadSeen)
                .count(),
            2
        );
        assert!(
            entries
                .iter()
                .any(|e| e.event.action == amanat_core::audit::Action::ListReports)
        );
    }
    assert!(ok(&with_file(&against)).contains("extending all 1 anchor(s)"));

    // The rewrite, with the server stopped.
    {
        let store = amanatd::store::Store::open(&data).unwrap();
        let mut events: Vec<(amanat_core::audit::Event, amanat_core::timeutil::Day)> = store
            .audit_entries()
            .unwrap()
            .into_iter()
            .map(|e| (e.event, e.day))
            .collect();
        events.pop();
        let victim = events
            .iter_mut()
            .find(|(e, _)| e.action == amanat_core::audit::Action::ListReports)
            .unwrap();
        victim.0.actor = "someone-else".into();
        let tree = store.audit_tree();
        tree.clear().unwrap();
        let mut chain: Vec<amanat_core::audit::Entry> = Vec::new();
        for (event, day) in events {
            let e = amanat_core::audit::Entry::next(chain.last(), event, day);
            tree.insert(e.seq.to_be_bytes(), serde_json::to_vec(&e).unwrap())
                .unwrap();
            chain.push(e);
        }
        store.flush().unwrap();
    }
    // The chain alone still verifies: that is the weakness anchors close.
    ok(&run(AMANATD, &["audit", "verify", "--data-dir", d], &cli));
    let out = with_file(&against);
    assert_eq!(out.status.code(), Some(5), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("does not extend the anchor"),
        "{}",
        stderr(&out)
    );

    // The reviewer's next login warns loudly and keeps the old anchor.
    let server = serve_review_at(&data, &addr, tmp.path().join("s2.log"));
    for _ in 0..2 {
        let out = login_cli(&server, &key, &cli);
        assert_eq!(out.status.code(), Some(8), "{}", stderr(&out));
        assert!(
            stderr(&out).contains("THE SERVER'S AUDIT LOG WAS REWRITTEN"),
            "{}",
            stderr(&out)
        );
        let kept: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&anchors_path).unwrap()).unwrap();
        assert_eq!(kept, second, "the anchor is not moved to the forged chain");
    }
    // The online check agrees.
    let mut args = vec!["audit", "--against"];
    args.push(exported.to_str().unwrap());
    let out = run(AMANAT, &args, &cli);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("AUDIT CHAIN REWRITTEN"),
        "{}",
        stderr(&out)
    );
}

/// Withdraws one consent through the follow-up page of a real server.
fn withdraw_consent(intake: &str, codename: &str, consent: &str) {
    let (status, cookies) = browser_followup_login(intake, codename);
    assert_eq!(status, 303);
    let page = get_page(&format!("{intake}/followup"), &cookies);
    let token = extract_value(&page, "name=\"csrf\" value=\"").unwrap();
    let resp = common::client()
        .post(format!("{intake}/followup/withdraw"))
        .header("content-type", "application/x-www-form-urlencoded")
        .header("cookie", &cookies)
        .body(encode(&[("csrf", &token), ("withdraw", consent)]))
        .send()
        .unwrap();
    assert_eq!(resp.status(), 303);
}

fn replies_of(data: &Path, id: &str) -> usize {
    amanatd::store::Store::open(data)
        .unwrap()
        .report(id)
        .unwrap()
        .unwrap()
        .envelopes
        .iter()
        .filter(|e| e.kind == amanatd::store::EnvelopeKind::Reply)
        .count()
}

/// Issue 19 (Medium 7): after the source withdrew consent to be contacted
/// back, `amanat reply` refuses and sends nothing (it used to check only the
/// original answer).
#[test]
fn a_reply_after_the_source_withdrew_contact_consent_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let (data, cli, key) = setup(tmp.path());
    let server = serve(&data, tmp.path().join("server.log"));
    let codename = browser_submit(&server.intake, "Contact me, then not", true);
    ok(&login_cli(&server, &key, &cli));
    let list: serde_json::Value =
        serde_json::from_str(&ok(&run(AMANAT, &["list", "--json"], &cli))).unwrap();
    let id = list[0]["id"].as_str().unwrap().to_string();
    ok(&run(AMANAT, &["reply", &id, "--message", "first"], &cli));

    withdraw_consent(&server.intake, &codename, "consent_contact_back");
    assert!(ok(&run(AMANAT, &["show", &id], &cli)).contains("CONSENT WITHDRAWN"));
    let out = run(AMANAT, &["reply", &id, "--message", "second"], &cli);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("withdrew their consent to be contacted back"),
        "{}",
        stderr(&out)
    );
    drop(server);
    assert_eq!(replies_of(&data, &id), 1, "only the first reply was stored");
}

/// Issue 19 (Medium 7): a withdrawal of consent this reviewer cannot decrypt
/// stops an export and a reply (they used to skip it and go ahead).
#[test]
fn an_unreadable_withdrawal_stops_export_and_reply() {
    let tmp = tempfile::tempdir().unwrap();
    let (data, cli, key) = setup(tmp.path());
    let server = serve(&data, tmp.path().join("s1.log"));
    let _codename = browser_submit_fields(
        &server.intake,
        "anonymous",
        &[
            ("country", "TJ"),
            ("narrative", "CANARY-UNREADABLE-WITHDRAWAL"),
            ("consent_informed_of_risks", "yes"),
            ("consent_share_ohchr", "yes"),
            ("consent_contact_back", "yes"),
        ],
    );
    drop(server);
    // A withdrawal encrypted to a key this reviewer does not hold (as for a
    // reviewer enrolled after the source wrote it).
    let id = {
        let store = amanatd::store::Store::open(&data).unwrap();
        let id = store.reports().unwrap()[0].id.clone();
        let (_, other) = amanat_core::crypto::keys::generate();
        let rs =
            amanat_core::crypto::envelope::parse_recipients(std::slice::from_ref(&other)).unwrap();
        let ct = amanat_core::crypto::envelope::seal(
            br#"{"schema":"amanat.withdrawal/1","withdraw":["consent_share_ohchr"]}"#,
            &rs,
        )
        .unwrap();
        store
            .append_envelope(
                &id,
                amanatd::store::NewEnvelope {
                    kind: amanatd::store::EnvelopeKind::Withdrawal,
                    ciphertext: ct,
                    recipients: vec![other],
                },
            )
            .unwrap();
        id
    };
    let server = serve(&data, tmp.path().join("s2.log"));
    ok(&login_cli(&server, &key, &cli));
    let out_file = tmp.path().join("export.json");
    for profile in ["ohchr_submission", "internal"] {
        let out = run(
            AMANAT,
            &[
                "export",
                "--profile",
                profile,
                "--format",
                "json",
                "--out",
                out_file.to_str().unwrap(),
                &id,
            ],
            &cli,
        );
        assert_eq!(out.status.code(), Some(7), "{profile}: {}", stderr(&out));
        assert!(
            stderr(&out).contains("cannot be read with your key"),
            "{}",
            stderr(&out)
        );
        assert!(!out_file.exists(), "nothing was written");
    }
    let out = run(AMANAT, &["reply", &id, "--message", "hello"], &cli);
    assert_eq!(out.status.code(), Some(7), "{}", stderr(&out));
    drop(server);
    // One handle: sled may hold its lock for a moment after a handle drops.
    let store = amanatd::store::Store::open(&data).unwrap();
    let envelopes = store.report(&id).unwrap().unwrap().envelopes;
    let replies = envelopes
        .iter()
        .filter(|e| e.kind == amanatd::store::EnvelopeKind::Reply);
    assert_eq!(replies.count(), 0);
    assert!(
        !store
            .audit_entries()
            .unwrap()
            .iter()
            .any(|e| e.event.action == amanat_core::audit::Action::ExportRequested),
        "no export was recorded"
    );
}

/// Issue 19 (Medium 9): the CLI pins the triage and identity recipient sets
/// it saw at login. When they change it names who was added and removed at
/// the next login, and refuses to encrypt a note or reply to a triage set
/// the reviewer has not seen. An online identity grant waits for a second
/// admin: the requesting admin cannot approve it, another admin can.
#[test]
fn the_cli_pins_recipients_and_identity_grants_need_a_second_admin() {
    let tmp = tempfile::tempdir().unwrap();
    let (data, cli, key) = setup(tmp.path());
    let d = data.to_str().unwrap();
    // A second admin, enrolled locally by the operator.
    let cli2 = tmp.path().join("cli2");
    let key2 = tmp.path().join("admin2.key");
    let r2 = ok(&run(
        AMANAT,
        &["keygen", "-o", key2.to_str().unwrap()],
        &cli2,
    ))
    .trim()
    .to_string();
    ok(&run(
        AMANATD,
        &[
            "reviewer",
            "add",
            "--data-dir",
            d,
            "--name",
            "cy",
            "--recipient",
            &r2,
            "--roles",
            "admin",
        ],
        &cli,
    ));
    let addr = free_addr();
    let server = serve_review_at(&data, &addr, tmp.path().join("s1.log"));
    browser_submit(&server.intake, "pinned", true);
    let out = login_cli(&server, &key, &cli);
    assert!(
        !stderr(&ok_out(&out)).contains("WARNING"),
        "{}",
        stderr(&out)
    );
    let id =
        serde_json::from_str::<serde_json::Value>(&ok(&run(AMANAT, &["list", "--json"], &cli)))
            .unwrap()[0]["id"]
            .as_str()
            .unwrap()
            .to_string();

    // A triage reviewer added online by the other admin: ana's note is
    // refused until she has seen the change.
    ok(&login_cli(&server, &key2, &cli2));
    let (_, bo) = amanat_core::crypto::keys::generate();
    ok(&run(
        AMANAT,
        &[
            "admin",
            "reviewer",
            "add",
            "--name",
            "bo",
            "--recipient",
            &bo,
            "--roles",
            "triage",
        ],
        &cli2,
    ));
    let out = run(AMANAT, &["triage", &id, "--note", "hello"], &cli);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("THE TRIAGE RECIPIENTS CHANGED")
            && stderr(&out).contains(&format!("ADDED   {bo} (bo)")),
        "{}",
        stderr(&out)
    );
    let out = run(AMANAT, &["reply", &id, "--message", "hello"], &cli);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stderr(&out).contains("THE TRIAGE RECIPIENTS CHANGED"));
    let out = ok_out(&login_cli(&server, &key, &cli));
    assert!(
        stderr(&out).contains("WHO RECEIVES REPORTS ON THIS SERVER CHANGED")
            && stderr(&out).contains(&format!("triage recipients: ADDED   {bo} (bo)")),
        "{}",
        stderr(&out)
    );
    ok(&run(AMANAT, &["triage", &id, "--note", "seen"], &cli));
    // A change ana makes herself is one she has seen.
    let (_, fay) = amanat_core::crypto::keys::generate();
    ok(&run(
        AMANAT,
        &[
            "admin",
            "reviewer",
            "add",
            "--name",
            "fay",
            "--recipient",
            &fay,
            "--roles",
            "triage",
        ],
        &cli,
    ));
    ok(&run(AMANAT, &["triage", &id, "--note", "mine"], &cli));

    // An identity grant online: pending; ana cannot approve her own.
    let (_, dee) = amanat_core::crypto::keys::generate();
    let out = ok(&run(
        AMANAT,
        &[
            "admin",
            "reviewer",
            "add",
            "--name",
            "dee",
            "--recipient",
            &dee,
            "--roles",
            "identity",
        ],
        &cli,
    ));
    assert!(out.contains("needs a second admin's approval"), "{out}");
    let pending: serde_json::Value = serde_json::from_str(&ok(&run(
        AMANAT,
        &["admin", "reviewer", "pending", "--json"],
        &cli,
    )))
    .unwrap();
    let grant = pending[0]["id"].as_str().unwrap().to_string();
    let out = run(AMANAT, &["admin", "reviewer", "approve", &grant], &cli);
    assert_eq!(out.status.code(), Some(5), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("another admin must approve"),
        "{}",
        stderr(&out)
    );
    // The second admin approves it.
    let out = ok(&run(
        AMANAT,
        &["admin", "reviewer", "approve", &grant],
        &cli2,
    ));
    assert!(out.contains("Approved: dee"), "{out}");

    // And the operator enrols someone with the identity role locally.
    drop(server);
    let (_, eve) = amanat_core::crypto::keys::generate();
    ok(&run(
        AMANATD,
        &[
            "reviewer",
            "add",
            "--data-dir",
            d,
            "--name",
            "eve",
            "--recipient",
            &eve,
            "--roles",
            "identity",
        ],
        &cli,
    ));
    let server = serve_review_at(&data, &addr, tmp.path().join("s2.log"));
    let out = ok_out(&login_cli(&server, &key, &cli));
    let err = stderr(&out);
    assert!(
        err.contains(&format!("identity recipients: ADDED   {dee} (dee)"))
            && err.contains(&format!("identity recipients: ADDED   {eve} (eve)")),
        "{err}"
    );
    // Seen once, the same set does not warn again.
    let out = ok_out(&login_cli(&server, &key, &cli));
    assert!(!stderr(&out).contains("WARNING"), "{}", stderr(&out));
}

fn ok_out(out: &Output) -> Output {
    ok(out);
    out.clone()
}
