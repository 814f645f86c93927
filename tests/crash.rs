//! Crash consistency and `amanatd fsck`, with the real `amanatd`.
//!
//! The harness: sixteen browsers (JavaScript off) submit reports through the
//! real form, every fourth with a file, while the server is killed with
//! SIGKILL at random moments spread over the run. After each kill
//! `amanatd fsck` checks the store exactly as the crash left it: leftovers
//! of interrupted writes are allowed (an attachment file made durable just
//! before its report), damage is not. The server then restarts on the same
//! addresses and sweeps the leftovers. At the end every acknowledged report
//! (a confirmation page was shown) is present and decrypts, every
//! acknowledged file decrypts to what was sent, nothing is stored that was
//! never sent, and `fsck` finds the store consistent.
//!
//! `AMANAT_CRASH_SUBMISSIONS` (acknowledged reports to reach, default 10,000)
//! and `AMANAT_CRASH_KILLS` (default 8) size the run; `scripts/crash.sh` runs
//! it and writes the figures to docs/benchmarks.md.
#![forbid(unsafe_code)]
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::daemon::*;
use rand::Rng;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::Output;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

/// Names the reports and files this harness sends.
const LABEL: &str = "crash harness";
const CLIENTS: usize = 16;
/// The whole run may not take longer than this.
const TIME_LIMIT: Duration = Duration::from_secs(40 * 60);

fn fsck(data: &Path, args: &[&str]) -> (Option<i32>, serde_json::Value, Output) {
    let mut all = vec!["fsck", "--data-dir", data.to_str().unwrap(), "--json"];
    all.extend_from_slice(args);
    let out = run(AMANATD, &all);
    let json = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("fsck printed no JSON ({e}): {}", text(&out)));
    (out.status.code(), json, out)
}

fn problem_kinds(report: &serde_json::Value) -> Vec<String> {
    report["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["kind"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn acknowledged_reports_survive_repeated_sigkill_and_fsck_stays_clean() {
    let target = env_count("AMANAT_CRASH_SUBMISSIONS", 10_000);
    let kills = env_count("AMANAT_CRASH_KILLS", 8);
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let identity = init_with_reviewer(&data);
    let addrs = (free_addr(), free_addr());
    let env = [
        ("AMANAT_LIMITS_SUBMISSIONS_PER_MINUTE", "1000000"),
        // The smallest Argon2 cost the config allows: the harness tests
        // durability, not the KDF.
        ("AMANAT_KDF_M_COST_KIB", "7168"),
        ("AMANAT_KDF_T_COST", "2"),
    ];
    let start_server = || serve_at(&data, (&addrs.0, &addrs.1), &env);
    let mut server = start_server();
    let intake = server.intake.clone();

    let tally = Arc::new(Tally::default());
    let started = Instant::now();
    let clients = submit_until(
        &intake,
        CLIENTS,
        (target, started, TIME_LIMIT),
        LABEL,
        &tally,
        |_, _, _| {},
    );

    // Kill points spread over the run, at random acknowledged counts, each
    // followed by a random delay so the kill lands anywhere in a request.
    let mut rng = rand::rng();
    let mut points: Vec<usize> = (0..kills)
        .map(|_| rng.random_range(target / 20..target * 19 / 20))
        .collect();
    points.sort_unstable();
    let acked = || tally.acknowledged.lock().unwrap().len();
    let mut leftovers: BTreeMap<String, usize> = BTreeMap::new();
    for point in points {
        wait_for("acknowledged reports", TIME_LIMIT, || acked() >= point);
        std::thread::sleep(Duration::from_millis(rng.random_range(0..500)));
        let _ = server.child.kill(); // SIGKILL
        let _ = server.child.wait();

        // The store exactly as the crash left it: no damage, leftovers only.
        let (code, report, out) = fsck(&data, &[]);
        for p in report["problems"].as_array().unwrap() {
            let kind = p["kind"].as_str().unwrap();
            assert!(
                ["orphan_blob", "stale_upload"].contains(&kind),
                "a crash left damage, not a leftover: {p}\n{}",
                text(&out)
            );
            *leftovers.entry(kind.to_string()).or_default() += 1;
        }
        assert_eq!(
            code == Some(0),
            report["problems"].as_array().unwrap().is_empty()
        );
        server = start_server();
        assert_eq!(server.intake, intake, "the server came back on its address");
    }
    for c in clients {
        c.join().unwrap();
    }
    let elapsed = started.elapsed();
    assert!(
        acked() >= target,
        "only {} of {target} reports were acknowledged within {TIME_LIMIT:?}",
        acked()
    );
    let log = server.log();
    drop(server);
    assert!(!log.contains("panicked"), "the server panicked:\n{log}");

    // After the restarts swept the leftovers, the store is consistent.
    let (code, report, out) = fsck(&data, &[]);
    assert_eq!(code, Some(0), "{}", text(&out));
    assert!(text(&out).contains("\"problems\": []"), "{}", text(&out));

    // Every acknowledged report is there and decrypts; files match.
    let acknowledged = tally.acknowledged.lock().unwrap().clone();
    let attempted = tally.attempted.load(Ordering::Relaxed);
    let store = amanatd::store::Store::open(&data).unwrap();
    let mut stored = BTreeSet::new();
    for r in store.reports().unwrap() {
        let i = check_harness_report(&store, &identity, &r, LABEL, attempted);
        assert!(stored.insert(i), "report {i} is stored twice");
    }
    // The file path was exercised: files sent "as it is" are acknowledged.
    assert!(
        acknowledged
            .iter()
            .any(|i| harness_file(LABEL, *i).is_some()),
        "no acknowledged report carried a file"
    );
    let lost: Vec<&usize> = acknowledged.difference(&stored).collect();
    assert!(lost.is_empty(), "acknowledged but lost: {lost:?}");

    let in_doubt = stored.len() - acknowledged.len();
    let summary = format!(
        "| measure | value |\n|---|---|\n\
         | concurrent browsers (JavaScript off, GET form + POST) | {CLIENTS} |\n\
         | submissions attempted / acknowledged | {attempted} / {} |\n\
         | of them with a file (every fourth) | {} |\n\
         | SIGKILLs at random moments | {kills} |\n\
         | requests broken by a kill or made while down | {} |\n\
         | refused (not acknowledged, answers kept) | {} |\n\
         | stored without an acknowledgement (killed before the page was sent) | {in_doubt} |\n\
         | **acknowledged but lost** | **{}** |\n\
         | **torn records (fsck damage)** | **0** |\n\
         | leftovers fsck found right after the kills, swept at restart | {} |\n\
         | final `amanatd fsck` | consistent ({} reports, {} attachment files) |\n\
         | run time | {:.0} s ({:.0} acknowledged reports/s, debug build, KDF m=7 MiB t=2) |\n",
        acknowledged.len(),
        acknowledged.iter().filter(|i| *i % 4 == 0).count(),
        tally.broken.load(Ordering::Relaxed),
        tally.refused.load(Ordering::Relaxed),
        lost.len(),
        if leftovers.is_empty() {
            "none".to_string()
        } else {
            leftovers
                .iter()
                .map(|(k, n)| format!("{n} {k}"))
                .collect::<Vec<_>>()
                .join(", ")
        },
        report["reports"],
        report["blobs"],
        elapsed.as_secs_f64(),
        acknowledged.len() as f64 / elapsed.as_secs_f64(),
    );
    println!("{summary}");
    if let Ok(doc) = std::env::var("AMANAT_CRASH_WRITE") {
        write_section(Path::new(&doc), "crash", &summary);
    }
}

/// Replaces the text between `<!-- bench:NAME:start -->` and its end marker.
fn write_section(doc: &Path, name: &str, body: &str) {
    let text = std::fs::read_to_string(doc).unwrap();
    let (start, end) = (
        format!("<!-- bench:{name}:start -->"),
        format!("<!-- bench:{name}:end -->"),
    );
    let a = text.find(&start).expect("start marker") + start.len();
    let b = text.find(&end).expect("end marker");
    let heading = "\n### Crash consistency (`scripts/crash.sh`, tests/crash.rs)\n\n";
    std::fs::write(doc, format!("{}{heading}{body}{}", &text[..a], &text[b..])).unwrap();
}

#[test]
fn fsck_reports_leftovers_repairs_them_and_never_removes_what_a_report_names() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    init_with_reviewer(&data);
    let server = serve(&data, &[]);
    let http = common::client();
    for (n, file) in [
        ("plain", None),
        ("with a file", Some(b"evidence bytes".as_slice())),
    ] {
        let files: Vec<(&str, &[u8])> = file.map(|f| vec![("e.txt", f)]).unwrap_or_default();
        let r = try_submit_as_is(&http, &server.intake, n, &files).unwrap();
        assert!(matches!(r, Submitted::Acknowledged(_)), "{r:?}");
    }

    // A running server holds the store: fsck refuses to look under it.
    let d = data.to_str().unwrap();
    let out = run(AMANATD, &["fsck", "--data-dir", d]);
    assert_eq!(out.status.code(), Some(4), "{}", text(&out));
    assert!(
        text(&out).contains("in use by another process"),
        "{}",
        text(&out)
    );
    drop(server);

    let out = run(AMANATD, &["fsck", "--data-dir", d]);
    let t = ok(&out);
    assert!(
        t.contains("2 reports, ") && t.contains(" envelopes, 1 attachment files"),
        "{t}"
    );
    assert!(t.contains("the store is consistent"), "{t}");

    // Leftovers of interrupted writes: a file no report names, a temporary
    // upload, an envelope no report names, a lookup of a purged report.
    let blobs = data.join("blobs");
    let orphan = amanat_core::crypto::random::id();
    std::fs::write(blobs.join(&orphan), b"age-encryption.org/v1\n").unwrap();
    let (report_id, named_blob, named_envelope) = {
        let store = amanatd::store::Store::open(&data).unwrap();
        let r = store
            .reports()
            .unwrap()
            .into_iter()
            .find(|r| !r.blobs.is_empty())
            .unwrap();
        (r.id.clone(), r.blobs[0].clone(), r.envelopes[0].id.clone())
    };
    std::fs::write(blobs.join(".upload-x1y2z3"), b"partial").unwrap();
    {
        let db = sled::open(data.join("db")).unwrap();
        let envelopes = db.open_tree("envelopes").unwrap();
        envelopes
            .insert(
                amanat_core::crypto::random::id().as_bytes(),
                b"age-encryption.org/v1\n".as_slice(),
            )
            .unwrap();
        let sources = db.open_tree("sources").unwrap();
        let record = serde_json::json!({
            "report_id": amanat_core::crypto::random::id(),
            "recipient": "age1xyz",
            "kdf": {"m_cost_kib": 19456, "t_cost": 2, "p_cost": 1},
        });
        sources
            .insert([7u8; 32], serde_json::to_vec(&record).unwrap())
            .unwrap();
        db.flush().unwrap();
    }
    let (code, report, out) = fsck(&data, &[]);
    assert_eq!(code, Some(7), "{}", text(&out));
    let mut kinds = problem_kinds(&report);
    kinds.sort();
    assert_eq!(
        kinds,
        [
            "dangling_source",
            "orphan_blob",
            "orphan_envelope",
            "stale_upload"
        ],
        "{}",
        text(&out)
    );
    let human = text(&run(AMANATD, &["fsck", "--data-dir", d]));
    assert!(human.contains(&format!(
        "ORPHAN attachment file blobs/{orphan} belongs to no report"
    )));
    assert!(
        human.contains("`amanatd fsck --repair` removes them"),
        "{human}"
    );
    assert!(
        !human.contains("0707"),
        "never prints a source lookup id: {human}"
    );

    let (code, report, out) = fsck(&data, &["--repair"]);
    assert_eq!(code, Some(0), "{}", text(&out));
    assert_eq!(report["repaired"].as_array().unwrap().len(), 4);
    assert!(!blobs.join(&orphan).exists() && !blobs.join(".upload-x1y2z3").exists());
    assert!(
        blobs.join(&named_blob).exists(),
        "a named file is never removed"
    );
    assert!(ok(&run(AMANATD, &["fsck", "--data-dir", d])).contains("the store is consistent"));

    // Damage: a named file that is not age ciphertext, a missing envelope,
    // a file Amanat did not write. Reported, never "repaired" away.
    std::fs::write(blobs.join(&named_blob), b"not ciphertext").unwrap();
    std::fs::write(blobs.join("notes.txt"), b"operator's file").unwrap();
    {
        let db = sled::open(data.join("db")).unwrap();
        db.open_tree("envelopes")
            .unwrap()
            .remove(named_envelope.as_bytes())
            .unwrap();
        db.flush().unwrap();
    }
    let (code, report, out) = fsck(&data, &["--repair"]);
    assert_eq!(code, Some(7), "{}", text(&out));
    let mut kinds = problem_kinds(&report);
    kinds.sort();
    assert_eq!(
        kinds,
        ["bad_blob", "missing_envelope", "unknown_file"],
        "{}",
        text(&out)
    );
    assert!(blobs.join(&named_blob).exists() && blobs.join("notes.txt").exists());
    let human = text(&run(AMANATD, &["fsck", "--data-dir", d]));
    assert!(
        human.contains(&format!(
            "DAMAGE report {report_id} names envelope {named_envelope}, which is missing"
        )),
        "{human}"
    );
    assert!(human.contains("some that --repair cannot fix"), "{human}");
    let store = amanatd::store::Store::open(&data).unwrap();
    assert!(
        store.report(&report_id).unwrap().is_some(),
        "the report is kept"
    );
}

#[test]
fn serve_sweeps_attachment_files_no_report_names_at_start() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    init_with_reviewer(&data);
    let orphan = amanat_core::crypto::random::id();
    std::fs::write(data.join("blobs").join(&orphan), b"left by a crash").unwrap();
    let server = serve(&data, &[]);
    wait_for("the sweep", Duration::from_secs(10), || {
        !data.join("blobs").join(&orphan).exists()
    });
    assert!(
        server
            .log()
            .contains("removed 1 attachment file(s) left by interrupted writes")
    );
    assert!(!server.log().contains(&orphan), "the log names no file");
}
