//! Every page a defender can see, fetched in one language as a browser
//! without JavaScript would (cookies, anti-forgery tokens, `lang` carried in
//! links and forms). Shared by the language, accessibility and page-weight
//! tests and by the page-weight harness in `bench/`.

use super::{TestApp, client, cookie_named, encode, extract_value};

/// One rendered page.
pub struct Page {
    /// What kind of page this is (stable, used in reports and docs).
    pub name: &'static str,
    /// The HTTP status.
    pub status: u16,
    /// The HTML, decompressed if it was sent compressed.
    pub html: String,
    /// The body's bytes on the wire for a browser that accepts gzip, as Tor
    /// Browser does.
    pub wire: usize,
    /// The `Content-Encoding` it was sent with, if any.
    pub encoding: Option<String>,
}

/// What Tor Browser sends.
pub const ACCEPT_ENCODING: &str = "gzip, deflate, br, zstd";

/// The kinds of page `source_pages` returns, in order, with their status.
pub const PAGE_KINDS: &[(&str, u16)] = &[
    ("home", 200),
    ("anonymity-choice", 200),
    ("form-anonymous", 200),
    ("form-confidential", 200),
    ("form-consented", 200),
    ("form-with-errors", 400),
    ("confirmation", 200),
    ("followup-login", 200),
    ("followup-thread", 200),
    ("followup-logged-out", 200),
    ("not-found", 404),
];

/// Pages that carry a secret (the codename, the thread's messages, the
/// source's answers shown again) and are therefore never compressed.
pub const PRIVATE_PAGES: &[&str] = &["form-with-errors", "confirmation", "followup-thread"];

/// The page-weight budget for slow links: a page's HTML plus its stylesheet,
/// as bytes on the wire.
pub const BUDGET: usize = 30 * 1024;

/// The budget of a page that carries a secret and so cannot be compressed
/// (`PRIVATE_PAGES`): its HTML plus the stylesheet. The form shown again
/// with the source's answers is the whole questionnaire, uncompressed.
pub const PRIVATE_BUDGET: usize = 48 * 1024;

/// The budget that applies to a kind of page.
pub fn budget_of(kind: &str) -> usize {
    if PRIVATE_PAGES.contains(&kind) {
        PRIVATE_BUDGET
    } else {
        BUDGET
    }
}

/// Reads a response as a browser would, keeping the size on the wire.
pub fn read_page(name: &'static str, resp: reqwest::blocking::Response) -> Page {
    let status = resp.status().as_u16();
    let encoding = resp
        .headers()
        .get("content-encoding")
        .map(|v| v.to_str().unwrap().to_string());
    let body = resp.bytes().unwrap();
    let html = match encoding.as_deref() {
        Some("gzip") => {
            let mut out = String::new();
            std::io::Read::read_to_string(&mut flate2::read::GzDecoder::new(&body[..]), &mut out)
                .unwrap();
            out
        }
        None | Some("identity") => String::from_utf8(body.to_vec()).unwrap(),
        Some(other) => panic!("{name}: unexpected content-encoding {other}"),
    };
    Page {
        name,
        status,
        html,
        wire: body.len(),
        encoding,
    }
}

/// The pages that hold a form a defender fills in.
pub const FORM_PAGES: &[&str] = &[
    "anonymity-choice",
    "form-anonymous",
    "form-confidential",
    "form-consented",
    "form-with-errors",
    "followup-login",
    "followup-thread",
];

/// Fetches every source page in `lang`. Submits one report (to reach the
/// confirmation page) and logs in with its codename (to reach the thread).
pub fn source_pages(app: &TestApp, lang: &str) -> Vec<Page> {
    let c = client();
    let get = |path: &str, cookie: Option<&str>| {
        let mut req = c
            .get(format!("{}{path}", app.intake))
            .header("accept-encoding", ACCEPT_ENCODING);
        if let Some(cookie) = cookie {
            req = req.header("cookie", cookie);
        }
        req.send().unwrap()
    };
    let post = |path: &str, cookie: &str, pairs: &[(&str, &str)]| {
        c.post(format!("{}{path}", app.intake))
            .header("content-type", "application/x-www-form-urlencoded")
            .header("accept-encoding", ACCEPT_ENCODING)
            .header("cookie", cookie)
            .body(encode(pairs))
            .send()
            .unwrap()
    };
    let page = read_page;
    let mut pages = vec![
        page("home", get(&format!("/?lang={lang}"), None)),
        page(
            "anonymity-choice",
            get(&format!("/report?lang={lang}"), None),
        ),
    ];

    // The three forms; the confidential one is the one we submit.
    let mut form_cookie = String::new();
    for (name, anonymity) in [
        ("form-anonymous", "anonymous"),
        ("form-confidential", "confidential"),
        ("form-consented", "consented"),
    ] {
        let resp = get(&format!("/report?anonymity={anonymity}&lang={lang}"), None);
        if anonymity == "confidential" {
            form_cookie = cookie_named(&resp, "amanat_csrf").expect("the form sets its cookie");
        }
        pages.push(page(name, resp));
    }
    let token_of = |html: &str| extract_value(html, "name=\"csrf\" value=\"").expect("csrf token");
    let token = token_of(&pages[3].html);

    // Shown again with errors: required answers missing, an impossible year.
    let resp = post(
        "/report",
        &form_cookie,
        &[
            ("csrf", &token),
            ("lang", lang),
            ("anonymity", "confidential"),
            ("incident_date_year", "1800"),
            ("narrative", "Shown again"),
        ],
    );
    let errors = page("form-with-errors", resp);
    let token = token_of(&errors.html);
    pages.push(errors);

    // Corrected and sent: the confirmation with the codename.
    let resp = post(
        "/report",
        &form_cookie,
        &[
            ("csrf", &token),
            ("lang", lang),
            ("anonymity", "confidential"),
            ("reporter_relationship", "self"),
            ("victim_type", "defender"),
            ("country", "TJ"),
            ("reprisal_types", "travel_ban"),
            ("narrative", "Page check"),
        ],
    );
    let confirmation = page("confirmation", resp);
    let codename = super::codename_of(&confirmation.html);
    pages.push(confirmation);

    // The follow-up login, then the thread after logging in.
    let resp = get(&format!("/followup?lang={lang}"), None);
    let followup_cookie = cookie_named(&resp, "amanat_csrf").expect("login sets its cookie");
    let login = page("followup-login", resp);
    let token = token_of(&login.html);
    pages.push(login);
    let resp = post(
        "/followup/login",
        &followup_cookie,
        &[("csrf", &token), ("lang", lang), ("codename", &codename)],
    );
    assert_eq!(resp.status(), 303, "login with the codename just given");
    let session = cookie_named(&resp, "amanat_session").expect("a session cookie");
    let cookies = format!("{followup_cookie}; {session}");
    let thread = page(
        "followup-thread",
        get(&format!("/followup?lang={lang}"), Some(&cookies)),
    );
    let token = token_of(&thread.html);
    pages.push(thread);
    let resp = post(
        "/followup/logout",
        &cookies,
        &[("csrf", &token), ("lang", lang)],
    );
    pages.push(page("followup-logged-out", resp));

    pages.push(page(
        "not-found",
        get(&format!("/no-such-page?lang={lang}"), None),
    ));
    pages
}

/// The stylesheet every page loads, as sent to a browser that accepts gzip.
pub fn stylesheet(app: &TestApp) -> Page {
    let resp = client()
        .get(format!("{}/static/style.css", app.intake))
        .header("accept-encoding", ACCEPT_ENCODING)
        .send()
        .unwrap();
    assert_eq!(resp.status(), 200);
    read_page("stylesheet", resp)
}
