//! Durability under power loss, with the real `amanatd` on a file system
//! that forgets what was not fsynced (tests/common/lazyfs.rs).
//!
//! The harness: browsers (JavaScript off) submit reports through the real
//! form, every fourth with a file, and for every third acknowledged report
//! come back with its codename to send a follow-up message, while the data
//! dir sits on the lazy file system. At random moments the server is killed
//! with SIGKILL and the file system loses everything not made durable by
//! `fsync` (a power cut). Then
//! `amanatd fsck` checks the store as the cut left it (leftovers of
//! interrupted writes are allowed, damage is not) and the server restarts.
//! At the end every acknowledged report (a confirmation page was shown) is
//! present and decrypts with the reviewer's key, every acknowledged file
//! decrypts to what was sent, every acknowledged message (the redirect
//! after sending) is in its report's thread, and `fsck` finds the store
//! consistent.
//!
//! `AMANAT_CRASH_CUT_SUBMISSIONS` (acknowledged reports to reach, default
//! 1,000) and `AMANAT_CRASH_CUTS` (default 20) size the run (about 15 s on
//! two cores, debug build). The names start with `AMANAT_CRASH_` because
//! the test helpers keep such variables from the server, which refuses
//! `AMANAT_` variables it does not know.
//!
//! A kill -9 alone cannot show a missing `fsync` (the kernel's page cache
//! survives the process); this harness can. Run with `Store::durable`
//! reduced to sled's own flush, it loses acknowledged reports.
#![forbid(unsafe_code)]
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
#[path = "common/lazyfs.rs"]
mod lazyfs;

use amanatd::store::EnvelopeKind;
use common::daemon::*;
use lazyfs::LazyFs;
use rand::Rng;
use std::collections::BTreeSet;
use std::io::Write;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

/// Names the reports and files this harness sends.
const LABEL: &str = "power cut harness";
const CLIENTS: usize = 8;
/// The whole run may not take longer than this.
const TIME_LIMIT: Duration = Duration::from_secs(10 * 60);

fn fsck(data: &Path) -> (Option<i32>, serde_json::Value, String) {
    let out = run(
        AMANATD,
        &["fsck", "--data-dir", data.to_str().unwrap(), "--json"],
    );
    let json = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("fsck printed no JSON ({e}): {}", text(&out)));
    (out.status.code(), json, text(&out))
}

#[test]
fn the_layer_keeps_only_what_was_fsynced() {
    let tmp = tempfile::tempdir().unwrap();
    let (mnt, disk) = (tmp.path().join("mnt"), tmp.path().join("disk"));
    std::fs::create_dir(&mnt).unwrap();
    std::fs::create_dir(&disk).unwrap();
    let mut fs = LazyFs::mount(&mnt, &disk).unwrap();
    let sync_dir = |d: &Path| std::fs::File::open(d).unwrap().sync_all().unwrap();
    // `d`: its entries are fsynced after every change below.
    let d = mnt.join("d");
    // `e`: its entries are fsynced once, then changed.
    let e = mnt.join("e");
    std::fs::create_dir(&d).unwrap();
    std::fs::create_dir(&e).unwrap();
    sync_dir(&mnt);

    // `kept`: written, fsynced; then more written.
    let mut kept = std::fs::File::create(d.join("kept")).unwrap();
    kept.write_all(&[1u8; 10_000]).unwrap();
    kept.sync_data().unwrap();
    kept.write_all(b"after the fsync").unwrap();
    kept.flush().unwrap();
    drop(kept);
    // `lost`: never fsynced at all; `subdir`: a directory.
    std::fs::write(d.join("lost"), b"never fsynced").unwrap();
    std::fs::create_dir(d.join("subdir")).unwrap();
    sync_dir(&d);

    // `renamed` and `removed`: durable, then renamed and removed without
    // a directory fsync; `unnamed`: its data fsynced, its entry never.
    for name in ["renamed", "removed"] {
        std::fs::write(e.join(name), name).unwrap();
        std::fs::File::open(e.join(name))
            .unwrap()
            .sync_all()
            .unwrap();
    }
    sync_dir(&e);
    std::fs::rename(e.join("renamed"), e.join("new-name")).unwrap();
    std::fs::remove_file(e.join("removed")).unwrap();
    let mut unnamed = std::fs::File::create(e.join("unnamed")).unwrap();
    unnamed.write_all(b"data").unwrap();
    unnamed.sync_all().unwrap();
    drop(unnamed);
    // All visible before the cut.
    assert_eq!(std::fs::read(d.join("lost")).unwrap(), b"never fsynced");
    assert!(e.join("new-name").exists() && e.join("unnamed").exists());

    fs.power_cut();
    let kept = std::fs::read(d.join("kept")).unwrap();
    assert_eq!(kept, vec![1u8; 10_000], "only the fsynced part survives");
    assert_eq!(
        std::fs::read(d.join("lost")).unwrap(),
        b"",
        "the name is durable, the data is not"
    );
    assert!(d.join("subdir").is_dir());
    assert!(
        !e.join("unnamed").exists(),
        "an entry never fsynced is lost"
    );
    assert!(e.join("renamed").exists() && !e.join("new-name").exists());
    assert_eq!(std::fs::read(e.join("removed")).unwrap(), b"removed");
    // The disk itself, read without the layer, holds the same.
    let (bd, be) = (disk.join("d"), disk.join("e"));
    assert_eq!(std::fs::read(bd.join("kept")).unwrap(), vec![1u8; 10_000]);
    assert_eq!(std::fs::read(bd.join("lost")).unwrap(), b"");
    assert!(bd.join("subdir").is_dir() && !be.join("unnamed").exists());
    assert!(be.join("renamed").exists() && !be.join("new-name").exists());
    // And it is what the next mount starts from.
    std::fs::write(bd.join("lost"), b"written on the disk").unwrap();
    fs.power_cut();
    assert_eq!(std::fs::read(d.join("lost")).unwrap(), b"");
    let stats = fs.stats();
    assert!(
        stats.pages_lost >= 2 && stats.entries_lost >= 3,
        "{stats:?}"
    );
}

/// A source comes back with its codename and sends `message`, as a browser
/// with JavaScript off does. `Ok(true)` when the server acknowledged it
/// (redirected to the thread); `Err` when the connection failed or broke.
fn send_followup(
    http: &reqwest::blocking::Client,
    intake: &str,
    codename: &str,
    message: &str,
) -> Result<bool, reqwest::Error> {
    let token_and_cookie = |resp: reqwest::blocking::Response, cookie: Option<String>| {
        let cookie = cookie.or_else(|| common::cookie_named(&resp, "amanat_csrf"));
        let token = resp
            .text()
            .ok()
            .and_then(|t| common::extract_value(&t, "name=\"csrf\" value=\""));
        (token, cookie)
    };
    let resp = http.get(format!("{intake}/followup")).send()?;
    let (Some(token), Some(csrf)) = token_and_cookie(resp, None) else {
        return Ok(false);
    };
    let resp = http
        .post(format!("{intake}/followup/login"))
        .header("content-type", "application/x-www-form-urlencoded")
        .header("cookie", &csrf)
        .body(common::encode(&[("csrf", &token), ("codename", codename)]))
        .send()?;
    let Some(session) = common::cookie_named(&resp, "amanat_session") else {
        return Ok(false);
    };
    let cookies = format!("{csrf}; {session}");
    let resp = http
        .get(format!("{intake}/followup"))
        .header("cookie", &cookies)
        .send()?;
    let (Some(token), _) = token_and_cookie(resp, Some(csrf)) else {
        return Ok(false);
    };
    let resp = http
        .post(format!("{intake}/followup/message"))
        .header("content-type", "application/x-www-form-urlencoded")
        .header("cookie", &cookies)
        .body(common::encode(&[("csrf", &token), ("message", message)]))
        .send()?;
    Ok(resp.status() == 303)
}

#[test]
fn temporary_uploads_swept_at_start_stay_swept_after_a_power_cut() {
    let tmp = tempfile::tempdir().unwrap();
    let (mnt, disk) = (tmp.path().join("mnt"), tmp.path().join("disk"));
    std::fs::create_dir(&mnt).unwrap();
    std::fs::create_dir(&disk).unwrap();
    let mut fs = LazyFs::mount(&mnt, &disk).unwrap();
    let data = mnt.join("data");
    std::fs::create_dir(&data).unwrap();
    drop(amanatd::store::Store::create(&data).unwrap());
    // An upload interrupted by a crash, durable as such.
    let blobs = data.join("blobs");
    let stale = blobs.join(".upload-interrupted");
    std::fs::write(&stale, b"half an upload").unwrap();
    std::fs::File::open(&stale).unwrap().sync_all().unwrap();
    std::fs::File::open(&blobs).unwrap().sync_all().unwrap();

    drop(amanatd::store::Store::open(&data).unwrap());
    assert!(!stale.exists(), "opening the store sweeps it");
    fs.power_cut();
    assert!(
        !stale.exists() && !disk.join("data/blobs/.upload-interrupted").exists(),
        "the sweep was not durable: the upload came back"
    );
}

#[test]
fn acknowledged_reports_survive_power_cuts() {
    let target = env_count("AMANAT_CRASH_CUT_SUBMISSIONS", 1_000);
    let cuts = env_count("AMANAT_CRASH_CUTS", 20);
    let tmp = tempfile::tempdir().unwrap();
    let (mnt, disk) = (tmp.path().join("mnt"), tmp.path().join("disk"));
    std::fs::create_dir(&mnt).unwrap();
    std::fs::create_dir(&disk).unwrap();
    let mut fs = LazyFs::mount(&mnt, &disk).unwrap_or_else(|e| {
        panic!("mounting the lazy file system (needs /dev/fuse and fusermount3): {e}")
    });
    // A disk's flush takes time: writers then arrive during a round and
    // share the next one, and cuts land inside group commits.
    fs.set_sync_delay(Duration::from_millis(2));
    let data = mnt.join("data");
    let identity = init_with_reviewer(&data);
    let addrs = (free_addr(), free_addr());
    let env = [
        ("AMANAT_LIMITS_SUBMISSIONS_PER_MINUTE", "1000000"),
        // The smallest Argon2 cost the config allows: the harness tests
        // durability, not the KDF.
        ("AMANAT_KDF_M_COST_KIB", "7168"),
        ("AMANAT_KDF_T_COST", "2"),
    ];
    // The server's log lives off the lazy file system: it is evidence.
    let log = tmp.path().join("amanatd.log");
    let start_server = || serve_logging_to(&data, (&addrs.0, &addrs.1), &log, &env);
    let mut server = start_server();
    let intake = server.intake.clone();

    let tally = Arc::new(Tally::default());
    let started = Instant::now();
    let (followups, followup_intake) = (tally.clone(), intake.clone());
    let clients = submit_until(
        &intake,
        CLIENTS,
        (target, started, TIME_LIMIT),
        LABEL,
        &tally,
        move |http, i, codename| {
            if i % 3 == 0 {
                let message = format!("power cut harness message {i}");
                if let Ok(true) = send_followup(http, &followup_intake, codename, &message) {
                    followups.messages.lock().unwrap().insert(i);
                }
            }
        },
    );

    // Cut points spread over the run: one in each slice of the target, at a
    // random count within it, then a random delay so the cut lands anywhere
    // in a request, a group commit or an upload.
    let mut rng = rand::rng();
    let acked = || tally.acknowledged.lock().unwrap().len();
    let mut leftovers = 0;
    for k in 0..cuts {
        let slice = target / (cuts + 1);
        let point = slice * (k + 1) + rng.random_range(0..slice.max(1));
        wait_for("acknowledged reports", TIME_LIMIT, || acked() >= point);
        std::thread::sleep(Duration::from_millis(rng.random_range(0..150)));
        let _ = server.child.kill(); // SIGKILL
        let _ = server.child.wait();
        fs.power_cut();

        // The store exactly as the cut left it: no damage, leftovers only.
        let (code, report, out) = fsck(&data);
        for p in report["problems"].as_array().unwrap() {
            let kind = p["kind"].as_str().unwrap();
            assert!(
                ["orphan_blob", "stale_upload"].contains(&kind),
                "a power cut left damage, not a leftover: {p}\n{out}"
            );
            leftovers += 1;
        }
        assert_eq!(
            code == Some(0),
            report["problems"].as_array().unwrap().is_empty(),
            "{out}"
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
    // A last cut with the server idle, then a restart that sweeps leftovers.
    let _ = server.child.kill();
    let _ = server.child.wait();
    fs.power_cut();
    // It sweeps leftovers before it listens, so it is done once it is up.
    let server = start_server();
    drop(server);
    let log_text = std::fs::read_to_string(&log).unwrap_or_default();
    assert!(
        !log_text.contains("panicked"),
        "the server panicked:\n{log_text}"
    );

    // One more cut, then read the disk itself (the backing directory),
    // without the layer: the sweep at start was made durable too.
    fs.power_cut();
    let data = disk.join("data");
    let (code, _, out) = fsck(&data);
    assert_eq!(code, Some(0), "{out}");
    assert!(out.contains("\"problems\": []"), "{out}");

    // Every acknowledged report is there and decrypts; files match.
    let acknowledged = tally.acknowledged.lock().unwrap().clone();
    let attempted = tally.attempted.load(Ordering::Relaxed);
    let messages = tally.messages.lock().unwrap().clone();
    let mut stored = BTreeSet::new();
    let mut stored_messages = BTreeSet::new();
    {
        let store = amanatd::store::Store::open(&data).unwrap();
        for r in store.reports().unwrap() {
            let i = check_harness_report(&store, &identity, &r, LABEL, attempted);
            assert!(stored.insert(i), "report {i} is stored twice");
            for m in r
                .envelopes
                .iter()
                .filter(|e| e.kind == EnvelopeKind::Message)
            {
                let ct = store.envelope(&m.id).unwrap().expect("its envelope");
                let plain =
                    amanat_core::crypto::envelope::open(&ct, &[&identity]).expect("decrypts");
                let want = format!("power cut harness message {i}");
                assert!(
                    String::from_utf8_lossy(&plain).contains(&want),
                    "report {i} holds a message it was not sent"
                );
                stored_messages.insert(i);
            }
        }
    }
    // The file path was exercised: files sent "as it is" are acknowledged.
    assert!(
        acknowledged
            .iter()
            .any(|i| harness_file(LABEL, *i).is_some()),
        "no acknowledged report carried a file"
    );
    let lost: Vec<&usize> = acknowledged.difference(&stored).collect();
    let lost_messages: Vec<&usize> = messages.difference(&stored_messages).collect();
    let stats = fs.stats();
    println!(
        "power cuts: {} (+2 idle), acknowledged {} of {attempted} attempted \
         ({} with a file), stored {}, lost {}, messages acknowledged {} lost {}, \
         broken by cuts {}, refused {}, \
         leftovers after cuts {leftovers}, file fsyncs {}, directory fsyncs {}, \
         pages discarded {}, directory entries undone {}, {:.0} s",
        stats.cuts - 2,
        acknowledged.len(),
        acknowledged.iter().filter(|i| *i % 4 == 0).count(),
        stored.len(),
        lost.len(),
        messages.len(),
        lost_messages.len(),
        tally.broken.load(Ordering::Relaxed),
        tally.refused.load(Ordering::Relaxed),
        stats.file_syncs,
        stats.dir_syncs,
        stats.pages_lost,
        stats.entries_lost,
        elapsed.as_secs_f64(),
    );
    assert!(
        lost.is_empty(),
        "{} acknowledged reports lost at power cuts: {lost:?}",
        lost.len()
    );
    assert!(
        lost_messages.is_empty(),
        "{} acknowledged messages lost at power cuts: {lost_messages:?}",
        lost_messages.len()
    );
    assert!(
        messages.len() * 5 > acknowledged.len() / 3,
        "too few follow-ups got through ({} of about {})",
        messages.len(),
        acknowledged.len() / 3
    );
    // The cuts had teeth: they threw away writes that were not yet durable.
    assert!(stats.pages_lost + stats.entries_lost > 0, "{stats:?}");
}
