//! End-to-end tests of the real binaries: `amanatd init`, `amanat keygen`,
//! `amanatd reviewer add`, `amanatd serve`, a browser-like submission with
//! JavaScript off, `amanat login/list/show/logout`; then a search of every
//! byte under the data dir and of the server's log for the canaries.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{encode, extract_value};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};

const AMANATD: &str = env!("CARGO_BIN_EXE_amanatd");
const AMANAT: &str = env!("CARGO_BIN_EXE_amanat");

/// A running `amanatd serve`, killed on drop.
struct Server {
    child: Child,
    intake: String,
    review: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn serve(data: &Path, log: PathBuf) -> Server {
    let mut child = Command::new(AMANATD)
        .args(["serve", "--data-dir"])
        .arg(data)
        .args([
            "--intake-addr",
            "127.0.0.1:0",
            "--review-addr",
            "127.0.0.1:0",
        ])
        .env("AMANAT_LOG", "trace")
        .stdout(Stdio::piped())
        .stderr(std::fs::File::create(&log).unwrap())
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
    Server {
        child,
        intake,
        review,
    }
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
    // The review path may name report ids (DESIGN.md); the intake path never.
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
