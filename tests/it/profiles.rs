//! One desk reading several servers: `amanat login --profile`, `list` and
//! `queue --all-profiles`, qualified ids, and one identity enrolled on two
//! servers; run as the real binaries against two real `amanatd` on loopback.
#![forbid(unsafe_code)]

use crate::common::cli::{Server, amanat_in};
use crate::common::daemon::{AMANATD, ok, run};

const ANONYMOUS: &[(&str, &str)] = &[
    ("anonymity", "anonymous"),
    ("reporter_relationship", "witness"),
    ("victim_type", "community"),
    ("country", "TJ"),
    ("reprisal_types", "threats_harassment"),
    ("narrative", "Threatened by phone after the meeting."),
];

#[test]
fn one_identity_reads_two_servers_through_profiles() {
    let mut geneva = Server::start(&[("ana", "triage,identity")]);
    let mut nairobi = Server::start(&[("bea", "triage")]);
    // Ana's one identity is enrolled on the second server too.
    let ana = geneva.reviewer("ana");
    let (key, config) = (ana.key.clone(), ana.config.clone());
    nairobi.stop();
    ok(&run(
        AMANATD,
        &[
            "reviewer",
            "add",
            "--data-dir",
            nairobi.data.to_str().unwrap(),
            "--name",
            "ana",
            "--recipient",
            &ana.recipient,
            "--roles",
            "triage",
        ],
    ));
    nairobi.restart();
    let in_geneva = geneva.submit(ANONYMOUS, &[]).id;
    let in_nairobi = nairobi.submit(ANONYMOUS, &[]).id;
    let key = key.to_str().unwrap();
    let amanat = |args: &[&str]| amanat_in(&config, args, None, &[]);

    // The default profile is the config dir itself, as before profiles.
    amanat(&["login", "--server", geneva.review(), "-i", key]).succeeded();
    assert!(config.join("session.json").exists());
    let login = amanat(&[
        "login",
        "--profile",
        "nairobi",
        "--server",
        nairobi.review(),
        "-i",
        key,
    ]);
    login.succeeded();
    assert!(config.join("profiles/nairobi/session.json").exists());
    let bad = amanat(&[
        "login",
        "--profile",
        "../x",
        "--server",
        nairobi.review(),
        "-i",
        key,
    ]);
    bad.exited(2);
    assert!(
        bad.stderr().contains("not a profile name"),
        "{}",
        bad.stderr()
    );

    let profiles = amanat(&["profiles"]);
    profiles.succeeded();
    assert!(
        profiles.stdout().contains(geneva.review()),
        "{}",
        profiles.stdout()
    );
    assert!(
        profiles.stdout().contains(nairobi.review()),
        "{}",
        profiles.stdout()
    );

    // Each profile alone sees its own server's report.
    let own = amanat(&["list"]);
    assert!(own.succeeded().stdout().contains(&in_geneva));
    assert!(!own.stdout().contains(&in_nairobi));
    let other = amanat(&["--profile", "nairobi", "list"]);
    assert!(other.succeeded().stdout().contains(&in_nairobi));
    assert!(!other.stdout().contains(&in_geneva));

    // Together: one queue, each row named by its qualified id.
    let all = amanat(&["list", "--all-profiles"]);
    let out = all.succeeded().stdout();
    assert!(out.contains(&format!("default:{in_geneva}")), "{out}");
    assert!(out.contains(&format!("nairobi:{in_nairobi}")), "{out}");
    let json = amanat(&["list", "--all-profiles", "--json"]);
    let rows: serde_json::Value = serde_json::from_str(&json.succeeded().stdout()).unwrap();
    let refs: Vec<(&str, &str)> = rows
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["profile"].as_str().unwrap(), r["ref"].as_str().unwrap()))
        .collect();
    assert_eq!(refs.len(), 2, "{refs:?}");
    assert!(refs.contains(&("nairobi", format!("nairobi:{in_nairobi}").as_str())));
    let queue = amanat(&["queue", "--all-profiles", "--json"]);
    let queue: serde_json::Value = serde_json::from_str(&queue.succeeded().stdout()).unwrap();
    assert_eq!(queue["default"]["total"], 1);
    assert_eq!(queue["nairobi"]["total"], 1);

    // A qualified id selects its profile in every command taking an id.
    let show = amanat(&["show", &format!("nairobi:{in_nairobi}")]);
    assert!(
        show.succeeded().stdout().contains("Threatened by phone"),
        "{}",
        show.stdout()
    );
    amanat(&[
        "triage",
        &format!("nairobi:{in_nairobi}"),
        "--state",
        "acknowledged",
    ])
    .succeeded();
    let state = amanat(&["--profile", "nairobi", "list", "--json"]);
    assert!(state.succeeded().stdout().contains("\"acknowledged\""));
    let unacked = amanat(&["list", "--json"]);
    assert!(!unacked.succeeded().stdout().contains("\"acknowledged\""));
    // ... and refuses a contradiction rather than guessing.
    let clash = amanat(&[
        "--profile",
        "default",
        "show",
        &format!("nairobi:{in_nairobi}"),
    ]);
    clash.exited(2);
    assert!(
        clash.stderr().contains("belongs to profile nairobi"),
        "{}",
        clash.stderr()
    );
    let wrong = amanat(&["show", &format!("nairobi:{in_geneva}")]);
    wrong.exited(4);

    // A server that cannot be reached hides none of the others.
    nairobi.stop();
    let partial = amanat(&["list", "--all-profiles"]);
    partial.exited(6);
    assert!(partial.stdout().contains(&format!("default:{in_geneva}")));
    assert!(
        partial.stderr().contains("profile nairobi"),
        "{}",
        partial.stderr()
    );
    geneva.stop();
}
