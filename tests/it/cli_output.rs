//! Snapshots of everything the reviewer CLI `amanat` prints: every command
//! and subcommand, human and `--json`, and its error paths with their exit
//! codes, run as the real binary against a real `amanatd` on loopback.
//!
//! Each test compares the transcript of its runs (command line, exit code,
//! standard output, standard error) with tests/snapshots/NAME.txt, after
//! replacing what changes from run to run (ids, recipients, hashes, today's
//! day, ports, temporary paths) with placeholders (tests/common/cli.rs). A
//! difference fails with a line diff. When a change of output is intended,
//! run the tests with `UPDATE_SNAPSHOTS=1` to rewrite the files, and review
//! their diff before committing it:
//!
//! ```text
//! UPDATE_SNAPSHOTS=1 cargo test --workspace --test it cli_output::
//! ```
//!
//! The tests that only read share one server and one queue of reports
//! ([`QUEUE`]); a test that changes state starts a server of its own.
#![forbid(unsafe_code)]

use crate::common::cli::{
    Redactor, Reviewer, Run, Server, Submitted, all_exited, amanat_in, assert_snapshot,
    refusing_address,
};
use crate::common::{followup_login, followup_post, followup_post_files};
use crate::fixtures::{jpeg_with_gps, png_with_text, unknown};
use amanat_core::timeutil::Day;
use std::sync::LazyLock;

const ALL_ROLES: &str = "triage,identity,admin";

/// A confidential report whose source is detained (the server proposes
/// `critical`), with an identity and every consent a reply or an OHCHR
/// submission needs.
const DETAINED: &[(&str, &str)] = &[
    ("anonymity", "confidential"),
    ("reporter_relationship", "colleague"),
    ("victim_type", "defender"),
    ("victim_type", "lawyer"),
    ("country", "EG"),
    ("locality", "Alexandria"),
    ("incident_date_year", "2026"),
    ("incident_date_month", "3"),
    ("incident_date_day", "14"),
    ("incident_date_precision", "exact"),
    ("reprisal_types", "arbitrary_detention"),
    ("reprisal_types", "travel_ban"),
    ("un_engagement", "hrc_session"),
    (
        "narrative",
        "Arrested at the airport after the HRC session.\nHeld for two days without charge.",
    ),
    ("current_risk", "detained"),
    ("identity_name", "Layla Example"),
    ("identity_contact_channel", "signal"),
    ("consent_informed_of_risks", "yes"),
    ("consent_share_ohchr", "yes"),
    ("consent_contact_back", "yes"),
];

/// A confidential report sent with files (one cleaned, one as it is).
const WITH_FILES: &[(&str, &str)] = &[
    ("anonymity", "confidential"),
    ("reporter_relationship", "self"),
    ("victim_type", "journalist"),
    ("country", "NI"),
    ("reprisal_types", "smear_campaign"),
    ("narrative", "Smeared on television after my testimony."),
    ("consent_informed_of_risks", "yes"),
];

/// An anonymous report without any consent.
const ANONYMOUS: &[(&str, &str)] = &[
    ("anonymity", "anonymous"),
    ("reporter_relationship", "witness"),
    ("victim_type", "community"),
    ("country", "TJ"),
    ("reprisal_types", "threats_harassment"),
    ("narrative", "Threatened by phone after the meeting."),
];

/// A report the fixture acknowledges, confirms as `high` and assigns.
const ACKNOWLEDGED: &[(&str, &str)] = &[
    ("anonymity", "confidential"),
    ("reporter_relationship", "family"),
    ("victim_type", "relative"),
    ("country", "KE"),
    ("reprisal_types", "judicial_harassment"),
    ("narrative", "Charged for speaking to the UN."),
    ("consent_informed_of_risks", "yes"),
    ("consent_share_ohchr", "yes"),
];

/// The shared queue: reviewers ana (every role) and ben (triage only), and
/// four reports in a fixed queue order: `detained` (critical, proposed; a
/// thread of a source message with a file, ana's reply and ben's note),
/// `acknowledged` (high, confirmed, assigned to ben), `with_files`
/// (standard, received on 2026-01-05 and so overdue) and `anonymous`
/// (standard, received today).
struct Queue {
    server: &'static Server,
    redactor: Redactor,
    detained: String,
    with_files: String,
    anonymous: String,
}

static QUEUE: LazyLock<Queue> = LazyLock::new(|| {
    let mut server = Server::start(&[("ana", ALL_ROLES), ("ben", "triage")]);
    let detained = server.submit(DETAINED, &[]);
    let (jpeg, bin) = (jpeg_with_gps(), unknown(3_000));
    let with_files = server
        .submit(
            WITH_FILES,
            &[
                ("attachments", "photo.jpg", &jpeg),
                ("attachments_as_is", "notes.bin", &bin),
            ],
        )
        .id;
    let anonymous = server.submit(ANONYMOUS, &[]).id;
    let acknowledged = server.submit(ACKNOWLEDGED, &[]).id;
    server.backdate(&with_files, Day::from_ymd(2026, 1, 5).unwrap());

    server.login("ana");
    server.login("ben");
    let (status, source, _) = followup_login(server.intake(), &detained.codename);
    assert_eq!(status, 303, "the source logs in with the codename");
    let png = png_with_text();
    let (status, page) = followup_post_files(
        server.intake(),
        &source,
        "They came back today and took my laptop.",
        false,
        &[("scan.png", &png)],
    );
    // With files, the answer is a page saying what was done with each.
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("scan.png</bdi>: "), "{page}");
    let detained = detained.id;
    let (ana, ben) = (server.reviewer("ana"), server.reviewer("ben"));
    ana.amanat(&["reply", &detained, "-m", "We are in touch with a lawyer."])
        .succeeded();
    ben.amanat(&[
        "triage",
        &detained,
        "--note",
        "Lawyer confirmed the detention.",
        "--tag",
        "detention",
        "--tag",
        "lawyer",
    ])
    .succeeded();
    ana.amanat(&[
        "triage",
        &acknowledged,
        "--state",
        "acknowledged",
        "--urgency",
        "high",
        "--assign",
        "ben",
    ])
    .succeeded();

    let server = server.until_exit();
    let mut redactor = server.redactor();
    redactor
        .name(&detained, "<report:detained>")
        .name(&with_files, "<report:with_files>")
        .name(&anonymous, "<report:anonymous>")
        .name(&acknowledged, "<report:acknowledged>");
    Queue {
        server,
        redactor,
        detained,
        with_files,
        anonymous,
    }
});

impl Queue {
    fn get() -> &'static Queue {
        &QUEUE
    }

    fn ana(&self, args: &[&str]) -> Run {
        self.server.reviewer("ana").amanat(args)
    }

    fn ben(&self, args: &[&str]) -> Run {
        self.server.reviewer("ben").amanat(args)
    }

    fn snapshot(&self, name: &str, runs: &[&Run]) {
        assert_snapshot(name, &self.redactor, runs);
    }

    /// Runs a command as `who` without and with `--json`; both must succeed
    /// and match NAME.txt and NAME.json.txt.
    fn human_and_json(&self, name: &str, who: &str, args: &[&str]) {
        let reviewer = self.server.reviewer(who);
        let human = reviewer.amanat(args);
        let json = reviewer.amanat(&[args, &["--json"]].concat());
        self.snapshot(name, &[human.succeeded()]);
        self.snapshot(&format!("{name}.json"), &[json.succeeded()]);
    }
}

/// A server of its own for a test that changes state, with reports of
/// the given answers (named by the given placeholders) and every reviewer
/// logged in; returns the server, its redactor and the reports.
fn fresh(
    reviewers: &[(&str, &str)],
    reports: &[(&str, &[(&str, &str)])],
) -> (Server, Redactor, Vec<Submitted>) {
    let mut server = Server::start(reviewers);
    let submitted: Vec<Submitted> = reports
        .iter()
        .map(|(_, answers)| server.submit(answers, &[]))
        .collect();
    for (name, _) in reviewers {
        server.login(name);
    }
    let mut redactor = server.redactor();
    for ((name, _), s) in reports.iter().zip(&submitted) {
        redactor.name(&s.id, &format!("<report:{name}>"));
    }
    (server, redactor, submitted)
}

// ---- Help and version: no server needed.

#[test]
fn help_of_every_command() {
    let tmp = tempfile::tempdir().unwrap();
    let commands: &[&[&str]] = &[
        &[],
        &["keygen"],
        &["login"],
        &["logout"],
        &["whoami"],
        &["list"],
        &["queue"],
        &["triage"],
        &["export"],
        &["audit"],
        &["audit", "anchors"],
        &["show"],
        &["reply"],
        &["download"],
        &["admin"],
        &["admin", "reviewer"],
        &["admin", "reviewer", "add"],
        &["admin", "reviewer", "list"],
        &["admin", "reviewer", "remove"],
        &["admin", "reviewer", "pending"],
        &["admin", "reviewer", "approve"],
        &["admin", "reviewer", "cancel"],
    ];
    let mut runs = Vec::new();
    for c in commands {
        let mut args = c.to_vec();
        args.push("--help");
        runs.push(amanat_in(tmp.path(), &args, None, &[]));
    }
    runs.push(amanat_in(tmp.path(), &["--version"], None, &[]));
    assert_snapshot("help", &Redactor::default(), &all_exited(0, &runs));
}

#[test]
fn usage_errors_exit_2() {
    let tmp = tempfile::tempdir().unwrap();
    let runs = [
        amanat_in(tmp.path(), &[], None, &[]),
        amanat_in(tmp.path(), &["frobnicate"], None, &[]),
        amanat_in(tmp.path(), &["list", "--state", "lost"], None, &[]),
        amanat_in(
            tmp.path(),
            &["export", "--profile", "stats", "--format", "pdf"],
            None,
            &[],
        ),
    ];
    assert_snapshot("usage", &Redactor::default(), &all_exited(2, &runs));
}

// ---- Keys and sessions.

#[test]
fn keygen() {
    let tmp = tempfile::tempdir().unwrap();
    let key = tmp.path().join("new.key");
    let key = key.to_str().unwrap();
    let protected = tmp.path().join("protected.key");
    let made = amanat_in(tmp.path(), &["keygen", "-o", key], None, &[]);
    made.succeeded();
    let again = amanat_in(tmp.path(), &["keygen", "--output", key], None, &[]);
    again.exited(1);
    let with_passphrase = amanat_in(
        tmp.path(),
        &["keygen", "--passphrase", "-o", protected.to_str().unwrap()],
        None,
        &[("AMANAT_PASSPHRASE", "correct horse battery staple")],
    );
    with_passphrase.succeeded();
    let mut redactor = Redactor::default();
    redactor.name(tmp.path().to_str().unwrap(), "<tmp>");
    assert_snapshot("keygen", &redactor, &[&made, &again, &with_passphrase]);
}

#[test]
fn login() {
    let q = Queue::get();
    let tmp = tempfile::tempdir().unwrap();
    let ana = q.server.reviewer("ana");
    let (key, review) = (ana.key.to_str().unwrap(), q.server.review());
    let stranger = Reviewer::keygen(tmp.path(), "stranger");
    let stranger = stranger.key.to_str().unwrap();
    let run = |code: i32, args: &[&str]| {
        let run = amanat_in(tmp.path(), args, None, &[]);
        run.exited(code);
        run
    };
    let runs = [
        run(0, &["login", "--server", review, "--identity", key]),
        run(3, &["login", "--server", review, "--identity", stranger]),
        run(2, &["login", "--server", "ftp://example.org", "-i", key]),
        run(1, &["login", "--server", review, "-i", "/nonexistent/key"]),
        run(
            2,
            &["--proxy", "a proxy", "login", "--server", review, "-i", key],
        ),
    ];
    let mut redactor = q.redactor.clone();
    redactor.name(tmp.path().to_str().unwrap(), "<config>");
    assert_snapshot("login", &redactor, &runs.iter().collect::<Vec<_>>());
}

#[test]
fn logout() {
    let q = Queue::get();
    let tmp = tempfile::tempdir().unwrap();
    let ana = q.server.reviewer("ana");
    let run = |args: &[&str]| amanat_in(tmp.path(), args, None, &[]);
    run(&[
        "login",
        "--server",
        q.server.review(),
        "-i",
        ana.key.to_str().unwrap(),
    ])
    .succeeded();
    let out = run(&["logout"]);
    out.succeeded();
    let twice = run(&["logout"]);
    twice.succeeded();
    let after = run(&["whoami"]);
    after.exited(3);
    assert_snapshot("logout", &q.redactor, &[&out, &twice, &after]);
}

#[test]
fn whoami() {
    Queue::get().human_and_json("whoami", "ana", &["whoami"]);
}

// ---- The queue.

#[test]
fn list() {
    Queue::get().human_and_json("list", "ana", &["list"]);
}

#[test]
fn list_filters() {
    let q = Queue::get();
    let runs = [
        q.ana(&["list", "--state", "acknowledged"]),
        q.ana(&["list", "--state", "new", "--urgency", "critical,high"]),
        q.ana(&["list", "--assignee", "ben"]),
        q.ben(&["list", "--assignee", "me"]),
        q.ana(&["list", "--assignee", "me"]),
        q.ana(&["list", "--assignee", "none", "--since", "2026-01-06"]),
        q.ana(&["list", "--overdue"]),
        q.ana(&["list", "--overdue", "--json"]),
        q.ana(&["list", "--state", "closed", "--json"]),
    ];
    q.snapshot("list-filters", &all_exited(0, &runs));
}

#[test]
fn queue() {
    Queue::get().human_and_json("queue", "ana", &["queue"]);
}

// ---- Reading reports.

#[test]
fn show() {
    let q = Queue::get();
    q.human_and_json("show", "ana", &["show", &q.detained]);
}

#[test]
fn show_without_the_identity_role() {
    let q = Queue::get();
    q.human_and_json("show-identity-withheld", "ben", &["show", &q.detained]);
}

#[test]
fn show_attachments_and_anonymous() {
    let q = Queue::get();
    q.human_and_json("show-attachments", "ana", &["show", &q.with_files]);
    q.snapshot(
        "show-anonymous",
        &[q.ana(&["show", &q.anonymous]).succeeded()],
    );
}

#[test]
fn download() {
    let q = Queue::get();
    let out = tempfile::tempdir().unwrap();
    let dir = out.path().to_str().unwrap();
    let first = q.ana(&["download", &q.with_files, "--out", dir]);
    first.succeeded();
    // Again into the same directory: nothing is overwritten.
    let again = q.ana(&["download", &q.with_files, "--out", dir, "--json"]);
    again.succeeded();
    let thread = q.ana(&["download", &q.detained, "--out", dir]);
    thread.succeeded();
    let none = q.ana(&["download", &q.anonymous, "--out", dir]);
    none.succeeded();
    let none_json = q.ana(&["download", &q.anonymous, "--out", dir, "--json"]);
    none_json.succeeded();
    let mut redactor = q.redactor.clone();
    redactor.name(dir, "<out>");
    assert_snapshot("download", &redactor, &[&first, &thread, &none]);
    assert_snapshot("download.json", &redactor, &[&again, &none_json]);
}

// ---- Exports: every profile in each of its formats, and the refusals.

#[test]
fn export_profiles_and_formats() {
    let q = Queue::get();
    for (profile, format) in [
        ("internal", "json"),
        ("internal", "csv"),
        ("ohchr_submission", "json"),
        ("ohchr_submission", "text"),
        ("stats", "csv"),
        ("stats", "json"),
    ] {
        let run = q.ana(&["export", "--profile", profile, "--format", format, "--all"]);
        run.succeeded();
        q.snapshot(&format!("export-{profile}.{format}"), &[&run]);
    }
}

#[test]
fn export_all_follows_every_page_of_a_queue_longer_than_one() {
    let reports: Vec<(&str, &[(&str, &str)])> = (0..5).map(|_| ("r", ANONYMOUS)).collect();
    let (mut server, _, submitted) = fresh(&[("ana", ALL_ROLES)], &reports);
    // Pages of two, and an unpaged request capped at two as well.
    server.restart_with(&[
        ("AMANAT_LIMITS_LIST_PAGE_MAX", "2"),
        ("AMANAT_LIMITS_LIST_PAGE_DEFAULT", "2"),
        ("AMANAT_LIMITS_LIST_UNPAGED_MAX", "2"),
    ]);
    server.login("ana").succeeded();
    let ana = server.reviewer("ana");
    let run = ana.amanat(&[
        "export",
        "--profile",
        "internal",
        "--format",
        "json",
        "--all",
    ]);
    let v: serde_json::Value = serde_json::from_str(&run.succeeded().stdout()).unwrap();
    let mut got: Vec<String> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_owned())
        .collect();
    let mut want: Vec<String> = submitted.iter().map(|s| s.id.clone()).collect();
    got.sort();
    want.sort();
    assert_eq!(got, want, "all five, not the first page");
}

#[test]
fn export_to_a_file_and_refusals() {
    let q = Queue::get();
    let out = tempfile::tempdir().unwrap();
    let file = out.path().join("export.json");
    let file = file.to_str().unwrap();
    let written = q.ana(&[
        "export",
        "--profile",
        "ohchr_submission",
        "--format",
        "json",
        &q.detained,
        "--out",
        file,
    ]);
    written.succeeded();
    let exists = q.ana(&[
        "export",
        "--profile",
        "internal",
        "--format",
        "json",
        "--all",
        "--out",
        file,
    ]);
    exists.exited(1);
    let refused = q.ana(&[
        "export",
        "--profile",
        "ohchr_submission",
        "--format",
        "text",
        &q.detained,
        &q.anonymous,
        &q.with_files,
    ]);
    refused.exited(1);
    let wrong_format = q.ana(&["export", "--profile", "stats", "--format", "text", "--all"]);
    wrong_format.exited(2);
    let no_ids = q.ana(&["export", "--profile", "internal", "--format", "csv"]);
    no_ids.exited(2);
    let mut redactor = q.redactor.clone();
    redactor.name(out.path().to_str().unwrap(), "<out>");
    assert_snapshot(
        "export-errors",
        &redactor,
        &[&written, &exists, &refused, &wrong_format, &no_ids],
    );
}

// ---- Administration, read-only on the shared server.

#[test]
fn admin_reviewer_list_and_no_pending_grants() {
    let q = Queue::get();
    q.human_and_json("admin-reviewer-list", "ana", &["admin", "reviewer", "list"]);
    q.human_and_json(
        "admin-reviewer-pending-none",
        "ana",
        &["admin", "reviewer", "pending"],
    );
}

// ---- The exit codes of `amanat --help`.

#[test]
fn exit_3_when_not_logged_in() {
    let q = Queue::get();
    let tmp = tempfile::tempdir().unwrap();
    let runs = [
        amanat_in(tmp.path(), &["list"], None, &[]),
        amanat_in(tmp.path(), &["whoami", "--json"], None, &[]),
        amanat_in(tmp.path(), &["show", &q.detained], None, &[]),
    ];
    q.snapshot("exit-3-not-logged-in", &all_exited(3, &runs));
}

#[test]
fn exit_4_for_an_unknown_id() {
    let q = Queue::get();
    let unknown = "aaaaaaaaaaaaaaaaaaaaaaaaaa";
    let runs = [
        q.ana(&["show", unknown]),
        q.ana(&["show", "../etc/passwd"]),
        q.ana(&["download", unknown]),
        q.ana(&["triage", unknown, "--state", "acknowledged"]),
        q.ana(&["reply", unknown, "-m", "hello"]),
        q.ana(&[
            "export",
            "--profile",
            "internal",
            "--format",
            "json",
            unknown,
        ]),
        q.ana(&["admin", "reviewer", "remove", "nobody"]),
    ];
    let mut redactor = q.redactor.clone();
    redactor.name(unknown, "<unknown-id>");
    assert_snapshot("exit-4-unknown-id", &redactor, &all_exited(4, &runs));
}

#[test]
fn exit_5_without_the_role() {
    let q = Queue::get();
    let runs = [
        q.ben(&["admin", "reviewer", "list"]),
        q.ben(&["admin", "reviewer", "pending", "--json"]),
        q.ben(&["audit"]),
    ];
    q.snapshot("exit-5-wrong-role", &all_exited(5, &runs));
}

#[test]
fn exit_6_when_the_server_is_unreachable() {
    let q = Queue::get();
    let tmp = tempfile::tempdir().unwrap();
    let (_reserved, refusing) = refusing_address();
    let url = format!("http://{refusing}");
    let key = q.server.reviewer("ana").key.to_str().unwrap();
    let run = |args: &[&str]| amanat_in(tmp.path(), args, None, &[]);
    let login = run(&["login", "--server", &url, "-i", key]);
    login.exited(6);
    // A session saved at login, whose server has gone since.
    run(&["login", "--server", q.server.review(), "-i", key]).succeeded();
    let saved = tmp.path().join("session.json");
    let mut session: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&saved).unwrap()).unwrap();
    session["server"] = url.as_str().into();
    std::fs::write(&saved, session.to_string()).unwrap();
    let whoami = run(&["whoami"]);
    whoami.exited(6);
    let list = run(&["list", "--json"]);
    list.exited(6);
    let mut redactor = q.redactor.clone();
    redactor
        .name(&url, "<refusing-url>")
        .name(tmp.path().to_str().unwrap(), "<config>");
    assert_snapshot("exit-6-unreachable", &redactor, &[&login, &whoami, &list]);
}

// ---- Commands that change state, each on a server of its own.

#[test]
fn triage() {
    let (server, redactor, reports) = fresh(
        &[("ana", ALL_ROLES), ("ben", "triage")],
        &[("detained", DETAINED)],
    );
    let id = reports[0].id.as_str();
    let ana = server.reviewer("ana");
    let step = |code: i32, args: &[&str]| {
        let run = ana.amanat(args);
        run.exited(code);
        run
    };
    let runs = [
        step(0, &["triage", id, "--state", "acknowledged"]),
        step(0, &["triage", id, "--assign", "ben"]),
        step(
            0,
            &[
                "triage",
                id,
                "--note",
                "Called the lawyer.",
                "--tag",
                "lawyer",
                "--tag",
                "egypt",
            ],
        ),
        step(1, &["triage", id, "--state", "referred"]),
        step(1, &["triage", id, "--state", "closed"]),
        step(1, &["triage", id, "--assign", "nobody"]),
        step(
            0,
            &["triage", id, "--state", "closed", "--reason", "duplicate"],
        ),
        step(0, &["list"]),
    ];
    let json = step(0, &["triage", id, "--urgency", "informational", "--json"]);
    assert_snapshot("triage", &redactor, &runs.iter().collect::<Vec<_>>());
    assert_snapshot("triage.json", &redactor, &[&json]);
}

#[test]
fn reply() {
    let (server, redactor, reports) = fresh(
        &[("ana", ALL_ROLES)],
        &[("detained", DETAINED), ("with_files", WITH_FILES)],
    );
    let (id, no_consent) = (reports[0].id.as_str(), reports[1].id.as_str());
    let ana = server.reviewer("ana");
    let sent = ana.amanat(&["reply", id, "-m", "We received your report."]);
    sent.succeeded();
    let json = ana.amanat(&["reply", id, "--json", "--message", "Can you call us?"]);
    json.succeeded();
    let piped = ana.amanat_with_input(&["reply", id], Some("Typed into a pipe.\nTwo lines.\n"));
    piped.succeeded();
    let empty = ana.amanat(&["reply", id]);
    empty.exited(2);
    let refused = ana.amanat(&["reply", no_consent, "-m", "hello"]);
    refused.exited(1);
    // The source takes back their consent to be contacted.
    let (status, source, _) = followup_login(server.intake(), &reports[0].codename);
    assert_eq!(status, 303);
    let (status, _) = followup_post(
        server.intake(),
        &source,
        "/followup/withdraw",
        &[("withdraw", "consent_contact_back")],
    );
    assert_eq!(status, 303, "the withdrawal is stored");
    let withdrawn = ana.amanat(&["reply", id, "-m", "Are you safe?"]);
    withdrawn.exited(1);
    let thread = ana.amanat(&["show", id]);
    thread.succeeded();
    assert_snapshot(
        "reply",
        &redactor,
        &[&sent, &piped, &empty, &refused, &withdrawn, &thread],
    );
    assert_snapshot("reply.json", &redactor, &[&json]);

    // A reviewer enrolled after the report came in cannot open it.
    let ida = Reviewer::keygen(server.tmp.path(), "ida");
    let add = [
        "admin", "reviewer", "add", "--name", "ida", "--roles", "triage",
    ];
    ana.amanat(&[&add[..], &["--recipient", &ida.recipient]].concat())
        .succeeded();
    ida.amanat(&[
        "login",
        "--server",
        server.review(),
        "-i",
        ida.key.to_str().unwrap(),
    ])
    .succeeded();
    let runs = [
        ida.amanat(&["show", id]),
        ida.amanat(&["reply", id, "-m", "hello"]),
        ida.amanat(&["export", "--profile", "internal", "--format", "json", id]),
    ];
    let mut redactor = redactor.clone();
    redactor.name(&ida.recipient, "<recipient:ida>");
    assert_snapshot("exit-7-cannot-decrypt", &redactor, &all_exited(7, &runs));
}

#[test]
fn admin_reviewer_changes() {
    let (server, mut redactor, reports) = fresh(
        &[
            ("ana", ALL_ROLES),
            ("cem", "triage,admin"),
            ("ben", "triage"),
        ],
        &[("detained", DETAINED)],
    );
    let (ana, cem, ben) = (
        server.reviewer("ana"),
        server.reviewer("cem"),
        server.reviewer("ben"),
    );
    // The CLI lists changed recipients in their own order: sorted, they
    // go to dan, eve, fay… so that this order is the names' order too.
    let mut recipients: Vec<String> = (0..5)
        .map(|_| age::x25519::Identity::generate().to_public().to_string())
        .collect();
    recipients.sort();
    for (r, name) in recipients.iter().zip(["dan", "eve", "fay", "gus", "hal"]) {
        redactor.name(r, &format!("<recipient:{name}>"));
    }
    let [dan, eve, fay, gus, hal] = &recipients[..] else {
        unreachable!()
    };
    let add = |name: &str, recipient: &str, roles: &str, json: bool| {
        let mut args = vec![
            "admin",
            "reviewer",
            "add",
            "--name",
            name,
            "--recipient",
            recipient,
            "--roles",
            roles,
        ];
        if json {
            args.push("--json");
        }
        let run = ana.amanat(&args);
        run.succeeded();
        run
    };
    let json = |run: &Run| serde_json::from_str::<serde_json::Value>(&run.stdout()).unwrap();
    // Grants are listed by day then id: one at a time keeps the order fixed.
    let added = add("dan", dan, "triage", false);
    let added_json = add("eve", eve, "triage", true);
    let pending = add("fay", fay, "triage,identity", false);
    let listed = ana.amanat(&["admin", "reviewer", "pending"]);
    listed.succeeded();
    let listed_json = ana.amanat(&["admin", "reviewer", "pending", "--json"]);
    listed_json.succeeded();
    let fay_grant = json(&listed_json)[0]["id"].as_str().unwrap().to_string();
    let own = ana.amanat(&["admin", "reviewer", "approve", &fay_grant]);
    own.exited(5);
    let approved = cem.amanat(&["admin", "reviewer", "approve", &fay_grant]);
    approved.succeeded();
    let pending_json = add("gus", gus, "admin", true);
    let gus_grant = json(&pending_json)["id"].as_str().unwrap().to_string();
    let approved_json = cem.amanat(&["admin", "reviewer", "approve", &gus_grant, "--json"]);
    approved_json.succeeded();
    let pending_hal = add("hal", hal, "identity", false);
    let hal_grant = ana.amanat(&["admin", "reviewer", "pending", "--json"]);
    let hal_grant = json(&hal_grant)[0]["id"].as_str().unwrap().to_string();
    let cancelled = ana.amanat(&["admin", "reviewer", "cancel", &hal_grant]);
    cancelled.succeeded();
    let removed = ana.amanat(&["admin", "reviewer", "remove", "dan"]);
    removed.succeeded();
    let list = ana.amanat(&["admin", "reviewer", "list"]);
    list.succeeded();
    let list_json = ana.amanat(&["admin", "reviewer", "list", "--json"]);
    list_json.succeeded();
    // Ben logged in before these changes: his CLI refuses to encrypt to
    // the new triage set until he has seen it, which his next login shows.
    let unseen = ben.amanat(&["triage", &reports[0].id, "--note", "Seen."]);
    unseen.exited(1);
    let relogin = server.login("ben");

    for (grant, name) in [
        (&fay_grant, "fay"),
        (&gus_grant, "gus"),
        (&hal_grant, "hal"),
    ] {
        redactor.name(grant, &format!("<grant:{name}>"));
    }
    for r in json(&list_json).as_array().unwrap() {
        let name = r["name"].as_str().unwrap();
        redactor.name(r["id"].as_str().unwrap(), &format!("<reviewer:{name}>"));
    }
    // Dan was removed: his id is in "Added dan (ID) with roles …".
    let dan_id = added.stdout();
    let dan_id = dan_id.split(['(', ')']).nth(1).unwrap();
    redactor.name(dan_id, "<reviewer:dan>");
    assert_snapshot(
        "admin-reviewer",
        &redactor,
        &[
            &added,
            &pending,
            &listed,
            &own,
            &approved,
            &pending_hal,
            &cancelled,
            &removed,
            &list,
            &unseen,
            &relogin,
        ],
    );
    assert_snapshot(
        "admin-reviewer.json",
        &redactor,
        &[
            &added_json,
            &listed_json,
            &pending_json,
            &approved_json,
            &list_json,
        ],
    );
}

#[test]
fn audit() {
    let (server, redactor, reports) = fresh(&[("ana", ALL_ROLES)], &[("detained", DETAINED)]);
    let id = reports[0].id.as_str();
    let ana = server.reviewer("ana");
    ana.amanat(&["show", id]).succeeded();
    ana.amanat(&["triage", id, "--state", "acknowledged"])
        .succeeded();
    let anchors = server.tmp.path().join("anchors.json");
    let anchors = anchors.to_str().unwrap();
    let log = ana.amanat(&["audit"]);
    log.succeeded();
    let json = ana.amanat(&["audit", "--json"]);
    json.succeeded();
    let exported = ana.amanat(&["audit", "anchors"]);
    exported.succeeded();
    ana.amanat(&["audit", "anchors", "--out", anchors])
        .succeeded();
    let exists = ana.amanat(&["audit", "anchors", "--out", anchors]);
    exists.exited(1);
    let against = ana.amanat(&["audit", "--against", anchors]);
    against.succeeded();
    let missing = ana.amanat(&["audit", "--against", "/nonexistent/anchors.json"]);
    missing.exited(1);
    assert_snapshot("audit", &redactor, &[&log, &against, &missing]);
    assert_snapshot("audit.json", &redactor, &[&json]);
    assert_snapshot("audit-anchors", &redactor, &[&exported, &exists]);
}

// ---- The snapshot machinery itself.

#[test]
fn redaction_names_values_numbers_shapes_and_keeps_widths() {
    let id = "abcdefghijklmnopqrstuvwxyz";
    let other = "zyxwvutsrqponmlkjihgfedcba";
    let recipient = age::x25519::Identity::generate().to_public().to_string();
    let hash = "0123456789abcdef".repeat(4);
    let today = Day::today().to_string();
    let mut r = Redactor::default();
    r.name(id, "<report:a>").name("/tmp/x", "<tmp>");
    let text = format!(
        "{id}  {today}  /tmp/x/f\n{other} {other} {recipient} {hash} 2026-01-05 socks5h://127.0.0.1:9050\n"
    );
    assert_eq!(
        r.redact(&text),
        "<report:a................>  <today...>  <tmp>/f\n\
         <id-1....................> <id-1....................> <recipient-1> <sha256-1> \
         2026-01-05 socks5h://127.0.0.1:9050\n"
    );
}

#[test]
fn a_difference_is_shown_as_a_line_diff_with_context() {
    let expected = "a\nb\nc\nd\ne\nf\ng\nh\n";
    let actual = "a\nb\nc\nd\nE\nf\ng\nh\n";
    assert_eq!(
        crate::common::cli::line_diff(expected, actual),
        "   …\n   c\n   d\n-  e\n+  E\n   f\n   g\n   …\n"
    );
    assert_eq!(
        crate::common::cli::line_diff("x\n", "x"),
        "   x\n(the texts differ in their final newline)\n"
    );
}
