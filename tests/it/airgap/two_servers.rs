//! The whole air-gapped round trip across two servers: enrol one desk on
//! both, sync both, carry both mirrors, read and triage with no network,
//! carry the signed outboxes back, push them (once), and see the source
//! read the reply with the codename.
#![forbid(unsafe_code)]

use super::{CANARY, contains, files_under, json_of, without_network};
use crate::common::cli::{Server, amanat_in};
use std::path::Path;

/// A report whose source agreed to be contacted back.
const CONSENTED: &[(&str, &str)] = &[
    ("anonymity", "confidential"),
    ("reporter_relationship", "self"),
    ("victim_type", "journalist"),
    ("country", "NI"),
    ("reprisal_types", "smear_campaign"),
    (
        "narrative",
        "Threatened by phone. CANARY-7f3a9c-reprisal-narrative",
    ),
    ("consent_informed_of_risks", "yes"),
    ("consent_contact_back", "yes"),
];
const NOTE: &str = "NOTE-CANARY-0c11 seen offline";
const REPLY: &str = "REPLY-CANARY-9d2e We are on it.";

#[test]
fn two_servers_triaged_from_an_offline_copy_and_pushed_back_once() {
    let mut geneva = Server::start(&[("ana", "triage,identity"), ("ben", "triage")]);
    let mut nairobi = Server::start(&[("bea", "triage")]);
    let ana = geneva.reviewer("ana");
    let (key, recipient) = (ana.key.clone(), ana.recipient.clone());
    // One identity, enrolled on both servers.
    nairobi.stop();
    let data = nairobi.data.to_str().unwrap().to_string();
    crate::common::daemon::ok(&crate::common::daemon::run(
        crate::common::daemon::AMANATD,
        &[
            "reviewer",
            "add",
            "--data-dir",
            &data,
            "--name",
            "ana",
            "--recipient",
            &recipient,
            "--roles",
            "triage",
        ],
    ));
    nairobi.restart();
    let g = geneva.submit(CONSENTED, &[]);
    let g2 = geneva.submit(CONSENTED, &[]).id;
    let n = nairobi.submit(CONSENTED, &[]).id;
    let tmp = tempfile::tempdir().unwrap();
    let (online, offline, stick) = (
        tmp.path().join("on"),
        tmp.path().join("off"),
        tmp.path().join("stick"),
    );
    std::fs::create_dir_all(&stick).unwrap();
    let desk_key = offline.join("desk.key");
    let on = |args: &[&str]| amanat_in(&online, args, None, &[]);
    let off = |args: &[&str]| amanat_in(&offline, args, None, &[]);
    let s = |p: &Path| p.to_str().unwrap().to_string();
    std::fs::create_dir_all(&offline).unwrap();
    off(&["desk", "keygen", "-o", &s(&desk_key)]).succeeded();

    // Enrol the desk on both servers, sync both, carry both mirrors.
    for (profile, server) in [("default", &geneva), ("nairobi", &nairobi)] {
        let ans = super::Stick {
            online: &online,
            offline: &offline,
            key: &key,
            desk_key: &desk_key,
            recipient: &recipient,
        }
        .answer(
            &["--profile", profile],
            server.review(),
            &stick.join(profile),
        );
        on(&["--profile", profile, "sync", "enrol", &s(&ans)]).succeeded();
        on(&["--profile", profile, "sync"]).succeeded();
        let bundle = stick.join(format!("{profile}.bundle"));
        on(&["--profile", profile, "bundle", "export", &s(&bundle)]).succeeded();
        off(&["--profile", profile, "bundle", "import", &s(&bundle)]).succeeded();
    }

    // Offline, without a network: read and triage both.
    let (_refusing, addr) = crate::common::cli::refusing_address();
    let addr = addr.to_string();
    let mirror = |p: &str| {
        if p == "default" {
            offline.join("mirror")
        } else {
            offline.join("profiles").join(p).join("mirror")
        }
    };
    let cut_off = |profile: &str, args: &[&str]| {
        let (m, k) = (s(&mirror(profile)), s(&key));
        let full = [
            &["--profile", profile, "--mirror", &m, "--identity", &k],
            args,
        ]
        .concat();
        without_network(&offline, &full, &addr)
    };
    let shown = cut_off("default", &["show", &g.id]);
    assert!(shown.succeeded().stdout().contains("Threatened by phone"));
    cut_off(
        "default",
        &[
            "triage",
            &g.id,
            "--state",
            "acknowledged",
            "--note",
            NOTE,
            "--tag",
            "offline",
        ],
    )
    .succeeded();
    cut_off("default", &["reply", &g.id, "-m", REPLY]).succeeded();
    cut_off("default", &["triage", &g2, "--state", "acknowledged"]).succeeded();
    cut_off("nairobi", &["triage", &n, "--state", "acknowledged"]).succeeded();
    let (g_out, n_out) = (stick.join("geneva.outbox"), stick.join("nairobi.outbox"));
    off(&[
        "outbox",
        "export",
        &s(&g_out),
        "--desk-key",
        &s(&desk_key),
        "--clear",
    ])
    .succeeded();
    off(&[
        "--profile",
        "nairobi",
        "outbox",
        "export",
        &s(&n_out),
        "--desk-key",
        &s(&desk_key),
    ])
    .succeeded();
    for f in [&g_out, &n_out] {
        let bytes = std::fs::read(f).unwrap();
        for canary in [NOTE.as_bytes(), REPLY.as_bytes(), CANARY.as_bytes()] {
            assert!(!contains(&bytes, canary), "plaintext in {}", f.display());
        }
    }

    // Meanwhile a colleague moved one of the reports online.
    geneva.login("ben");
    geneva
        .reviewer("ben")
        .amanat(&["triage", &g2, "--state", "acknowledged"])
        .succeeded();

    // Online: push both; the moved report is a conflict, the rest applies.
    let pushed = on(&["push", &s(&g_out), "--json"]);
    pushed.exited(1);
    let results: serde_json::Value = serde_json::from_str(&pushed.stdout())
        .unwrap_or_else(|e| panic!("{e}: {}", pushed.transcript()));
    let outcomes: Vec<(&str, &str)> = results
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["report"].as_str().unwrap(),
                r["outcome"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        outcomes,
        [
            (g.id.as_str(), "applied"),
            (g.id.as_str(), "applied"),
            (g2.as_str(), "conflict")
        ]
    );
    assert!(pushed.stderr().contains("1 of 3"), "{}", pushed.stderr());
    on(&["--profile", "nairobi", "push", &s(&n_out)]).succeeded();

    // A replayed outbox changes nothing.
    let again = on(&["push", &s(&g_out), "--json"]);
    let again: serde_json::Value = serde_json::from_str(&again.stdout()).unwrap();
    assert_eq!(again[0]["outcome"], "already_applied");
    assert_eq!(again[1]["outcome"], "already_applied");
    geneva.login("ana");
    let thread = geneva.reviewer("ana").amanat(&["show", &g.id]);
    let text = thread.succeeded().stdout();
    assert_eq!(text.matches(REPLY).count(), 1, "{text}");
    assert_eq!(text.matches(NOTE).count(), 1, "{text}");
    let list = geneva.reviewer("ana").amanat(&["list", "--json"]);
    assert!(list.succeeded().stdout().contains("acknowledged"));
    // Nairobi shows its new state too.
    let both = json_of(&on(&["sync", "--all-profiles", "--json"]));
    assert_eq!(both["default"]["fetched"], 2, "{both}");
    assert_eq!(both["nairobi"]["fetched"], 1, "{both}");
    let queue = std::fs::read_to_string(online.join("profiles/nairobi/mirror/queue.json")).unwrap();
    assert!(queue.contains("acknowledged"), "{queue}");

    // The source reads the reply with the codename.
    let (status, _, page) = crate::common::followup_login(geneva.intake(), &g.codename);
    assert_eq!(status, 303);
    assert!(page.contains("REPLY-CANARY-9d2e"), "{page}");

    // Nothing in plaintext on the online machine or the stick.
    for dir in [&online, &stick] {
        for f in files_under(dir) {
            let bytes = std::fs::read(&f).unwrap();
            for canary in [NOTE.as_bytes(), REPLY.as_bytes(), CANARY.as_bytes()] {
                assert!(!contains(&bytes, canary), "plaintext in {}", f.display());
            }
        }
    }
}
