//! End-to-end in a real browser: headless Chromium with JavaScript switched
//! off (as Tor Browser at "Safest"), driven over the W3C WebDriver protocol on
//! loopback, fills in and sends the report form in English and in Arabic,
//! passes through the error summary, and reaches the codename.
//!
//! Screenshots go to `test-artifacts/browser/` for people to look at. The
//! test fails, never skips, when Chromium or chromedriver is missing.
#![forbid(unsafe_code)]
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use amanat_core::crypto::envelope;
use amanat_core::model::Role;
use amanatd::i18n::{Tr, by_code};
use amanatd::store::EnvelopeKind;
use common::spawn_app;
use data_encoding::BASE64;
use serde_json::{Value, json};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const INSTALL_HINT: &str = "install them with `apt-get install chromium chromium-driver` \
     (scripts/test.sh does this)";

/// The W3C name of an element reference in JSON.
const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

/// Finds a program on PATH.
fn which(name: &str) -> Option<PathBuf> {
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|d| d.join(name))
            .find(|p| p.is_file())
    })
}

/// The chromedriver process, stopped however the test ends.
struct Driver(Child);

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A chromedriver process and one browser session.
struct Browser {
    http: reqwest::blocking::Client,
    base: String,
    session: String,
    _driver: Driver,
    _profile: tempfile::TempDir,
}

impl Drop for Browser {
    fn drop(&mut self) {
        // Ends the session, which closes Chromium; then the driver stops.
        let _ = self
            .http
            .delete(format!("{}/session/{}", self.base, self.session))
            .send();
    }
}

impl Browser {
    /// Starts chromedriver on a free loopback port and opens a session with
    /// JavaScript disabled.
    fn start(width: u32, height: u32) -> Browser {
        let chromium = which("chromium")
            .unwrap_or_else(|| panic!("chromium is not installed: {INSTALL_HINT}"));
        let chromedriver = which("chromedriver")
            .unwrap_or_else(|| panic!("chromedriver is not installed: {INSTALL_HINT}"));
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let driver = Driver(
            Command::new(chromedriver)
                .arg(format!("--port={port}"))
                .arg("--allowed-ips=127.0.0.1")
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .expect("chromedriver starts"),
        );
        let http = reqwest::blocking::Client::builder()
            .tls_backend_preconfigured(amanat_core::tls::client_config(None).unwrap())
            .no_proxy()
            .timeout(Duration::from_secs(60))
            .build()
            .unwrap();
        let base = format!("http://127.0.0.1:{port}");
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let ready = http
                .get(format!("{base}/status"))
                .send()
                .ok()
                .and_then(|r| r.json::<Value>().ok())
                .is_some_and(|v| v["value"]["ready"] == true);
            if ready {
                break;
            }
            assert!(Instant::now() < deadline, "chromedriver did not start");
            std::thread::sleep(Duration::from_millis(100));
        }
        let profile = tempfile::tempdir().unwrap();
        let caps = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "pageLoadStrategy": "normal",
            "goog:chromeOptions": {
                "binary": chromium,
                "args": [
                    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                    "--no-first-run", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync",
                    "--no-proxy-server", "--hide-scrollbars",
                    format!("--window-size={width},{height}"),
                    format!("--user-data-dir={}", profile.path().display()),
                ],
                "prefs": {"profile.managed_default_content_settings.javascript": 2},
            },
        }}});
        let resp: Value = http
            .post(format!("{base}/session"))
            .json(&caps)
            .send()
            .unwrap()
            .json()
            .unwrap();
        let session = resp["value"]["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("a browser session: {resp}"))
            .to_string();
        Browser {
            http,
            base,
            session,
            _driver: driver,
            _profile: profile,
        }
    }

    /// Runs one WebDriver command; panics with the driver's message on error.
    fn cmd(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        let url = format!("{}/session/{}{path}", self.base, self.session);
        let req = match method {
            "GET" => self.http.get(url),
            _ => self.http.post(url).json(&body.unwrap_or(json!({}))),
        };
        let v: Value = req.send().unwrap().json().unwrap();
        if v["value"].get("error").is_some() {
            panic!("WebDriver {method} {path}: {}", v["value"]);
        }
        v["value"].clone()
    }

    fn goto(&self, url: &str) {
        self.cmd("POST", "/url", Some(json!({"url": url})));
    }

    fn url(&self) -> String {
        self.cmd("GET", "/url", None).as_str().unwrap().to_string()
    }

    fn find_all(&self, css: &str) -> Vec<String> {
        self.cmd(
            "POST",
            "/elements",
            Some(json!({"using": "css selector", "value": css})),
        )
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e[ELEMENT].as_str().unwrap().to_string())
        .collect()
    }

    fn find(&self, css: &str) -> String {
        let all = self.find_all(css);
        assert!(!all.is_empty(), "{css} is on {}", self.url());
        all[0].clone()
    }

    fn click(&self, css: &str) {
        let el = self.find(css);
        self.cmd("POST", &format!("/element/{el}/click"), None);
    }

    /// Clicks something that loads a new page, and waits until it has.
    fn click_to_load(&self, css: &str) {
        let old = self.find("html");
        self.click(css);
        let deadline = Instant::now() + Duration::from_secs(20);
        while self.find_all("html").first() == Some(&old) {
            assert!(Instant::now() < deadline, "{css} did not load a page");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn type_into(&self, css: &str, text: &str) {
        let el = self.find(css);
        self.cmd("POST", &format!("/element/{el}/clear"), None);
        self.cmd(
            "POST",
            &format!("/element/{el}/value"),
            Some(json!({"text": text})),
        );
    }

    fn text(&self, css: &str) -> String {
        let el = self.find(css);
        let v = self.cmd("GET", &format!("/element/{el}/text"), None);
        v.as_str().unwrap().to_string()
    }

    fn attr(&self, css: &str, name: &str) -> Option<String> {
        let el = self.find(css);
        let v = self.cmd("GET", &format!("/element/{el}/attribute/{name}"), None);
        v.as_str().map(str::to_string)
    }

    fn property(&self, css: &str, name: &str) -> Value {
        let el = self.find(css);
        self.cmd("GET", &format!("/element/{el}/property/{name}"), None)
    }

    fn displayed(&self, css: &str) -> bool {
        let el = self.find(css);
        self.cmd("GET", &format!("/element/{el}/displayed"), None) == true
    }

    fn selected(&self, css: &str) -> bool {
        let el = self.find(css);
        self.cmd("GET", &format!("/element/{el}/selected"), None) == true
    }

    /// Saves a screenshot of the whole page: the viewport is stretched to
    /// the page's height for the shot (clipping beyond the viewport shifts
    /// right-to-left pages), then restored.
    fn screenshot(&self, path: &Path) {
        let cdp = |cmd: &str, params: Value| {
            self.cmd(
                "POST",
                "/goog/cdp/execute",
                Some(json!({"cmd": cmd, "params": params})),
            )
        };
        let m = cdp("Page.getLayoutMetrics", json!({}));
        cdp(
            "Emulation.setDeviceMetricsOverride",
            json!({"width": m["cssLayoutViewport"]["clientWidth"],
                   "height": m["cssContentSize"]["height"].as_f64().unwrap().ceil(),
                   "deviceScaleFactor": 1, "mobile": false}),
        );
        let shot = self.cmd("GET", "/screenshot", None);
        cdp("Emulation.clearDeviceMetricsOverride", json!({}));
        let png = BASE64.decode(shot.as_str().unwrap().as_bytes()).unwrap();
        assert!(png.starts_with(b"\x89PNG"), "a PNG screenshot");
        std::fs::write(path, png).unwrap();
    }

    /// Proves that scripts do not run: a `<noscript>` block is rendered and
    /// an inline script leaves no trace.
    fn assert_javascript_is_off(&self) {
        let page = "<!doctype html><title>js</title><body>\
            <noscript><p id=\"nojs\">scripts are off</p></noscript>\
            <script>document.body.setAttribute('data-js', 'on');\
            document.title = 'ran';</script></body>";
        let url = format!(
            "data:text/html;charset=utf-8,{}",
            percent_encoding::utf8_percent_encode(page, percent_encoding::NON_ALPHANUMERIC)
        );
        self.goto(&url);
        assert!(
            !self.find_all("#nojs").is_empty() && self.displayed("#nojs"),
            "<noscript> content is shown: JavaScript is off"
        );
        assert_eq!(
            self.attr("body", "data-js"),
            None,
            "the inline script did not run"
        );
        assert_eq!(self.cmd("GET", "/title", None), "js");
    }
}

fn artifacts() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("test-artifacts/browser");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// What the test types, per language.
fn narrative(lang: &str) -> &'static str {
    match lang {
        "ar" => "صادروا جواز سفري في المطار بعد عودتي من جنيف.",
        _ => "They took my passport at the airport after I came back from Geneva.",
    }
}

/// One defender's path through the form in `lang`; returns the codename.
fn send_a_report(b: &Browser, intake: &str, lang: &str) -> String {
    let tr = Tr::new(by_code(lang).unwrap());
    let shots = artifacts();
    let dir = if by_code(lang).unwrap().rtl {
        "rtl"
    } else {
        "ltr"
    };

    b.goto(&format!("{intake}/?lang={lang}"));
    assert_eq!(b.attr("html", "lang").as_deref(), Some(lang));
    assert_eq!(b.attr("html", "dir").as_deref(), Some(dir));
    assert_eq!(b.text("h1"), tr.t("index-title"));
    b.screenshot(&shots.join(format!("{lang}-1-home.png")));

    // Step 1: the anonymity choice, reached by the start button.
    b.click_to_load("a.button");
    assert!(b.url().contains(&format!("lang={lang}")), "{}", b.url());
    assert!(b.selected("#anonymity-confidential"), "the default choice");
    b.screenshot(&shots.join(format!("{lang}-2-anonymity.png")));
    b.click("#anonymity-confidential");
    b.click_to_load("form button[type=submit]");
    assert!(b.url().contains("anonymity=confidential"), "{}", b.url());
    assert_eq!(b.attr("html", "dir").as_deref(), Some(dir));

    // Step 2: the questionnaire, with a year the server refuses.
    b.click("input[name=reporter_relationship][value=self]");
    b.click("input[name=victim_type][value=defender]");
    b.click("#country option[value='TJ']");
    b.click("input[name=reprisal_types][value=travel_ban]");
    b.type_into("#incident_date_year", "1800");
    b.type_into("#narrative", narrative(lang));
    b.screenshot(&shots.join(format!("{lang}-3-form.png")));
    b.click_to_load("form[action='/report'] button[type=submit]");

    // The error summary, in the language, with the answers kept.
    assert!(b.displayed(".errors"), "the error summary is shown");
    let links = b.find_all(".errors a[href='#incident_date']");
    assert_eq!(links.len(), 1, "the summary links to the date");
    assert!(b.displayed(".field.invalid .error"));
    assert!(
        b.selected("input[name=reporter_relationship][value=self]"),
        "answers are kept"
    );
    assert!(
        b.selected("#country option[value='TJ']"),
        "answers are kept"
    );
    assert_eq!(b.property("#narrative", "value"), narrative(lang));
    b.screenshot(&shots.join(format!("{lang}-4-errors.png")));

    // Following the summary's link moves to the field.
    b.click(".errors a[href='#incident_date']");
    assert!(b.url().ends_with("#incident_date"), "{}", b.url());

    b.type_into("#incident_date_year", "2024");
    b.click_to_load("form[action='/report'] button[type=submit]");

    // The confirmation with the codename.
    assert_eq!(b.text("h1"), tr.t("confirm-title"));
    assert!(b.displayed("#codename"), "the codename is shown");
    let codename = b.text("#codename");
    let words: Vec<_> = codename.split_whitespace().collect();
    assert_eq!(words.len(), 8, "{codename}");
    assert!(
        words
            .iter()
            .all(|w| w.chars().all(|c| c.is_ascii_lowercase()))
    );
    assert_eq!(b.text("#codename-title"), tr.t("codename-title"));
    b.screenshot(&shots.join(format!("{lang}-5-confirmation.png")));
    codename
}

#[test]
fn a_browser_without_javascript_sends_a_report_in_english_and_in_arabic() {
    let (app, rs) = spawn_app(&[("ana", &[Role::Triage])], |_| {});
    let b = Browser::start(412, 915);
    b.assert_javascript_is_off();

    let mut codenames = Vec::new();
    for lang in ["en", "ar"] {
        codenames.push(send_a_report(&b, &app.intake, lang));
    }
    assert_ne!(codenames[0], codenames[1]);

    // Both reports arrived, each recording its language inside the envelope.
    let reports = app.store.reports().unwrap();
    assert_eq!(reports.len(), 2);
    let mut langs = Vec::new();
    for r in &reports {
        let env = r
            .envelopes
            .iter()
            .find(|e| e.kind == EnvelopeKind::Report)
            .unwrap();
        let ct = app.store.envelope(&env.id).unwrap().unwrap();
        let plain = envelope::open(&ct, &[&rs[0].identity]).unwrap();
        let json: Value = serde_json::from_slice(&plain).unwrap();
        let lang = json["lang"].as_str().unwrap().to_string();
        assert_eq!(json["answers"]["narrative"], narrative(&lang));
        assert_eq!(json["answers"]["country"], "TJ");
        langs.push(lang);
    }
    langs.sort();
    assert_eq!(langs, ["ar", "en"]);
}

#[test]
fn the_arabic_form_is_laid_out_right_to_left_on_a_wide_screen() {
    let (app, _) = spawn_app(&[("ana", &[Role::Triage, Role::Identity])], |_| {});
    let b = Browser::start(1280, 900);
    b.goto(&format!(
        "{}/report?anonymity=consented&lang=ar",
        app.intake
    ));
    assert_eq!(b.attr("html", "dir").as_deref(), Some("rtl"));
    // Text starts at the right: the heading's box hugs the right edge of main.
    let rect = |css: &str| {
        let el = b.find(css);
        b.cmd("GET", &format!("/element/{el}/rect"), None)
    };
    let main = rect("main");
    let legend = rect("#field-reporter_relationship legend");
    let right = |r: &Value| r["x"].as_f64().unwrap() + r["width"].as_f64().unwrap();
    let radio = rect("input[name=reporter_relationship][value=self]");
    let label = rect("#field-reporter_relationship fieldset > label");
    let centre = |r: &Value| r["x"].as_f64().unwrap() + r["width"].as_f64().unwrap() / 2.0;
    assert!(
        centre(&radio) > centre(&label),
        "the radio button sits at the right of its text: radio {radio}, label {label}"
    );
    let gap_right = right(&main) - right(&legend);
    let gap_left = legend["x"].as_f64().unwrap() - main["x"].as_f64().unwrap();
    assert!(
        gap_right < gap_left,
        "the legend starts at the right: main {main}, legend {legend}"
    );
    b.screenshot(&artifacts().join("ar-wide-form.png"));
}
