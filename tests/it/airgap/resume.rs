//! A sync that loses its connection in the middle of an attachment file
//! resumes when run again: the half-written file never counts, what was
//! complete is kept, and the rest is fetched.
#![forbid(unsafe_code)]

use super::{FILE_CANARY, answers, assert_no_plaintext, json_of};
use crate::common::cli::{Server, amanat_in};
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

/// A TCP relay to `upstream` that, while `cut` is set, closes each
/// connection after `limit` bytes of answer: a network that drops in the
/// middle of a transfer.
fn flaky_relay(upstream: String, limit: usize, cut: Arc<AtomicBool>) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        for client in listener.incoming().flatten() {
            let Ok(server) = TcpStream::connect(&upstream) else {
                continue;
            };
            let (mut c_in, mut s_out) = (client.try_clone().unwrap(), server.try_clone().unwrap());
            std::thread::spawn(move || {
                let _ = std::io::copy(&mut c_in, &mut s_out);
            });
            let cut = cut.clone();
            let (mut s_in, mut c_out) = (server, client);
            std::thread::spawn(move || {
                let mut sent = 0usize;
                let mut buf = [0u8; 8192];
                while let Ok(n) = s_in.read(&mut buf) {
                    if n == 0 {
                        break;
                    }
                    let n = if cut.load(Ordering::SeqCst) {
                        n.min(limit.saturating_sub(sent))
                    } else {
                        n
                    };
                    if n == 0 || c_out.write_all(&buf[..n]).is_err() {
                        break;
                    }
                    sent += n;
                }
                let _ = c_out.shutdown(std::net::Shutdown::Both);
            });
        }
    });
    format!("http://{addr}")
}

/// A desk enrolled for `ana` through a stick, the online side reaching the
/// review API at `via`: returns the online machine's config dir.
fn enrol_desk(server: &Server, via: &str, tmp: &Path) -> PathBuf {
    let ana = server.reviewer("ana");
    let (online, offline) = (tmp.join("on"), tmp.join("off"));
    std::fs::create_dir_all(&offline).unwrap();
    let desk = offline.join("desk.key");
    amanat_in(
        &offline,
        &["desk", "keygen", "-o", desk.to_str().unwrap()],
        None,
        &[],
    )
    .succeeded();
    let ans = super::Stick {
        online: &online,
        offline: &offline,
        key: &ana.key,
        desk_key: &desk,
        recipient: &ana.recipient,
    }
    .answer(&[], via, &tmp.join("stick"));
    amanat_in(
        &online,
        &["sync", "enrol", ans.to_str().unwrap()],
        None,
        &[],
    )
    .succeeded();
    online
}

#[test]
fn a_sync_cut_off_mid_file_resumes_where_it_stopped() {
    let mut server = Server::start(&[("ana", "triage")]);
    let a = answers("Threatened by phone.");
    let a: Vec<(&str, &str)> = a.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let mut big = crate::fixtures::unknown(3 << 20);
    big.extend_from_slice(FILE_CANARY);
    let id = server
        .submit(&a, &[("attachments_as_is", "big.bin", &big)])
        .id;
    let tmp = tempfile::tempdir().unwrap();
    let cut = Arc::new(AtomicBool::new(false));
    let upstream = server.review().trim_start_matches("http://").to_string();
    let relay = flaky_relay(upstream, 256 * 1024, cut.clone());
    let online = enrol_desk(&server, &relay, tmp.path());
    let on = |args: &[&str]| amanat_in(&online, args, None, &[]);

    // The network drops during the 3 MiB file.
    cut.store(true, Ordering::SeqCst);
    let broken = on(&["sync"]);
    broken.exited(6);
    let mirror = online.join("mirror");
    let manifest = std::fs::read_to_string(mirror.join("manifest.json")).unwrap_or_default();
    assert!(
        !manifest.contains(&id),
        "a report whose file broke off does not count"
    );
    assert!(!mirror.join(format!("reports/{id}.json")).exists());

    // Back online: the next run fetches it whole.
    cut.store(false, Ordering::SeqCst);
    let resumed = json_of(&on(&["sync", "--json"]));
    assert_eq!(
        (resumed["fetched"].as_u64(), resumed["blobs"].as_u64()),
        (Some(1), Some(1))
    );
    assert!(resumed["bytes"].as_u64().unwrap() > 3 << 20);
    assert!(
        !mirror
            .join(".partial")
            .read_dir()
            .is_ok_and(|mut d| d.next().is_some())
    );
    assert_no_plaintext(&mirror);
}

#[test]
fn a_queue_longer_than_a_page_is_synced_whole() {
    let mut server = Server::start(&[("ana", "triage")]);
    let a = answers("Followed after the session.");
    let a: Vec<(&str, &str)> = a.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let ids: Vec<String> = (0..3).map(|_| server.submit(&a, &[]).id).collect();
    // Pages of one report, and an unpaged request capped at one as well.
    server.restart_with(&[
        ("AMANAT_LIMITS_LIST_PAGE_MAX", "1"),
        ("AMANAT_LIMITS_LIST_PAGE_DEFAULT", "1"),
        ("AMANAT_LIMITS_LIST_UNPAGED_MAX", "1"),
    ]);
    let tmp = tempfile::tempdir().unwrap();
    let online = enrol_desk(&server, server.review(), tmp.path());
    let out = json_of(&amanat_in(&online, &["sync", "--json"], None, &[]));
    assert_eq!(
        (out["reports"].as_u64(), out["fetched"].as_u64()),
        (Some(3), Some(3)),
        "{out}"
    );
    let manifest = std::fs::read_to_string(online.join("mirror/manifest.json")).unwrap();
    for id in &ids {
        assert!(manifest.contains(id.as_str()), "{id} missing");
    }
}
