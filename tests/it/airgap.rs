//! Air-gapped review: enrolling an offline desk with a challenge carried
//! both ways, `amanat sync` into a mirror (incremental, resumable,
//! verified), and what a sync token may and may not do; run as the real
//! binaries against a real `amanatd` on loopback.
#![forbid(unsafe_code)]

mod resume;
mod two_servers;

use crate::common::cli::{Run, Server, amanat_in};
use std::path::{Path, PathBuf};

/// A narrative and a file no byte of which may reach the online machine.
const CANARY: &str = "CANARY-7f3a9c-reprisal-narrative";
const FILE_CANARY: &[u8] = b"CANARY-FILE-52b1e0-attachment-bytes";

fn answers(narrative: &str) -> Vec<(&'static str, String)> {
    vec![
        ("anonymity", "anonymous".into()),
        ("reporter_relationship", "witness".into()),
        ("victim_type", "community".into()),
        ("country", "TJ".into()),
        ("reprisal_types", "threats_harassment".into()),
        ("narrative", narrative.into()),
    ]
}

/// Every file under `dir`, recursively (`dir` itself if it is a file).
fn files_under(dir: &Path) -> Vec<PathBuf> {
    if dir.is_file() {
        return vec![dir.to_path_buf()];
    }
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return out;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(files_under(&p));
        } else {
            out.push(p);
        }
    }
    out
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

/// Asserts that no file under `dir` (or file `dir`) holds a canary.
fn assert_no_plaintext(dir: &Path) {
    let files = files_under(dir);
    assert!(!files.is_empty(), "nothing under {}", dir.display());
    for f in files {
        let bytes = std::fs::read(&f).unwrap();
        for canary in [CANARY.as_bytes(), FILE_CANARY, b"Threatened"] {
            assert!(!contains(&bytes, canary), "plaintext in {}", f.display());
        }
    }
}

fn json_of(run: &Run) -> serde_json::Value {
    serde_json::from_str(&run.succeeded().stdout()).unwrap()
}

/// The online machine (no key), the offline machine (key and desk key),
/// and the server they serve; the desk enrolled.
struct Desk {
    server: Server,
    online: PathBuf,
    offline: PathBuf,
    desk_key: PathBuf,
    key: PathBuf,
    recipient: String,
}

impl Desk {
    fn online(&self, args: &[&str]) -> Run {
        amanat_in(&self.online, args, None, &[])
    }

    fn offline(&self, args: &[&str]) -> Run {
        amanat_in(&self.offline, args, None, &[])
    }

    /// Steps 1 to 3 of the enrolment, with `tamper` changing the answer
    /// file before step 3.
    fn enrol(&self, name: &str, tamper: impl Fn(&mut serde_json::Value)) -> Run {
        let stick = self.server.tmp.path().join(format!("stick-{name}"));
        let ans = Stick {
            online: &self.online,
            offline: &self.offline,
            key: &self.key,
            desk_key: &self.desk_key,
            recipient: &self.recipient,
        }
        .answer(&[], self.server.review(), &stick);
        let mut a: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&ans).unwrap()).unwrap();
        tamper(&mut a);
        std::fs::write(&ans, serde_json::to_vec(&a).unwrap()).unwrap();
        self.online(&["sync", "enrol", ans.to_str().unwrap()])
    }
}

/// The two machines of a desk and the keys the enrolment uses.
struct Stick<'a> {
    online: &'a Path,
    offline: &'a Path,
    key: &'a Path,
    desk_key: &'a Path,
    recipient: &'a str,
}

impl Stick<'_> {
    /// Steps 1 and 2 of an enrolment carried on a stick (directory
    /// `stick`): the online machine's challenge from `server` (with
    /// `before` ahead of the command, e.g. `--profile P`), answered on the
    /// offline machine. Returns the answer file, ready for `sync enrol`.
    fn answer(&self, before: &[&str], server: &str, stick: &Path) -> PathBuf {
        std::fs::create_dir_all(stick).unwrap();
        let (ch, ans) = (stick.join("challenge.json"), stick.join("answer.json"));
        let path = |p: &Path| p.to_str().unwrap().to_string();
        let ch_path = path(&ch);
        let online = [
            before,
            &[
                "sync",
                "challenge",
                "--server",
                server,
                "--recipient",
                self.recipient,
                "--out",
                &ch_path,
            ],
        ]
        .concat();
        amanat_in(self.online, &online, None, &[]).succeeded();
        amanat_in(
            self.offline,
            &[
                "desk",
                "answer",
                &ch_path,
                "-i",
                &path(self.key),
                "--desk-key",
                &path(self.desk_key),
                "--out",
                &path(&ans),
            ],
            None,
            &[],
        )
        .succeeded();
        ans
    }
}

fn desk_with_reports() -> (Desk, Vec<String>) {
    let mut server = Server::start(&[("ana", "triage,identity")]);
    let narrative = format!("Threatened by phone. {CANARY}");
    let a = answers(&narrative);
    let a: Vec<(&str, &str)> = a.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let first = server.submit(&a, &[("attachments_as_is", "notes.bin", FILE_CANARY)]);
    let second = server.submit(&a, &[]);
    let ana = server.reviewer("ana");
    let (key, recipient) = (ana.key.clone(), ana.recipient.clone());
    let tmp = server.tmp.path().to_path_buf();
    let desk = Desk {
        online: tmp.join("online"),
        offline: tmp.join("offline"),
        desk_key: tmp.join("offline-desk.key"),
        key,
        recipient,
        server,
    };
    desk.offline(&["desk", "keygen", "-o", desk.desk_key.to_str().unwrap()])
        .succeeded();
    (desk, vec![first.id, second.id])
}

#[test]
fn a_desk_enrolled_through_a_stick_syncs_ciphertext_only_incrementally() {
    let (desk, ids) = desk_with_reports();
    // Whoever copies the answer off the stick cannot enrol another desk key.
    let other = desk.server.tmp.path().join("other-desk.key");
    let other_pub = desk.offline(&["desk", "keygen", "-o", other.to_str().unwrap()]);
    let other_pub = other_pub.succeeded().stdout().trim().to_string();
    let swapped = desk.enrol("swapped", |a| a["desk_key"] = other_pub.clone().into());
    swapped.exited(3);
    assert!(!desk.online.join("sync.json").exists());
    desk.enrol("right", |_| {}).succeeded();
    assert!(desk.online.join("sync.json").exists());

    let first = json_of(&desk.online(&["sync", "--json"]));
    assert_eq!(
        (first["reports"].as_u64(), first["fetched"].as_u64()),
        (Some(2), Some(2))
    );
    assert_eq!(first["blobs"], 1);
    let mirror = desk.online.join("mirror");
    for id in &ids {
        assert!(mirror.join(format!("reports/{id}.json")).is_file());
    }
    // Nothing changed: nothing is fetched again.
    let again = json_of(&desk.online(&["sync", "--json"]));
    assert_eq!(
        (again["fetched"].as_u64(), again["blobs"].as_u64()),
        (Some(0), Some(0))
    );

    // A report that moves is fetched again, alone.
    let ana = desk.server.reviewer("ana");
    desk.server.login("ana");
    ana.amanat(&["triage", &ids[1], "--state", "acknowledged"])
        .succeeded();
    let moved = json_of(&desk.online(&["sync", "--json"]));
    assert_eq!(moved["fetched"], 1);
    let queue = std::fs::read_to_string(mirror.join("queue.json")).unwrap();
    assert!(queue.contains("acknowledged"), "{queue}");

    // An interrupted run (a report not yet recorded, a file half written)
    // resumes: the half-written file never counts, the report is fetched.
    let manifest_path = mirror.join("manifest.json");
    let mut manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&manifest_path).unwrap()).unwrap();
    manifest["reports"].as_object_mut().unwrap().remove(&ids[0]);
    std::fs::write(&manifest_path, serde_json::to_vec(&manifest).unwrap()).unwrap();
    std::fs::create_dir_all(mirror.join(".partial")).unwrap();
    std::fs::write(
        mirror.join(".partial/half"),
        b"age-encryption.org/v1\n-> X25519",
    )
    .unwrap();
    let resumed = json_of(&desk.online(&["sync", "--json"]));
    assert_eq!(resumed["fetched"], 1);
    assert_eq!(
        resumed["blobs"], 0,
        "the attachment already mirrored is kept"
    );
    assert!(!mirror.join(".partial/half").exists());

    // No plaintext on the online machine: mirror, token, state.
    assert_no_plaintext(&desk.online);
}

#[test]
fn a_sync_token_only_reads_ciphertext_through_the_sync_routes() {
    let (desk, ids) = desk_with_reports();
    desk.enrol("right", |_| {}).succeeded();
    let saved: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(desk.online.join("sync.json")).unwrap())
            .unwrap();
    let token = saved["token"].as_str().unwrap();
    let http = crate::common::client();
    let url = |p: &str| format!("{}{p}", desk.server.review());
    let get = |p: &str, t: &str| {
        http.get(url(p))
            .bearer_auth(t)
            .send()
            .unwrap()
            .status()
            .as_u16()
    };
    assert_eq!(get("/api/v1/sync/reports", token), 200);
    assert_eq!(get(&format!("/api/v1/sync/reports/{}", ids[0]), token), 200);
    // Not a login session: the review routes refuse it.
    assert_eq!(get("/api/v1/reports", token), 401);
    assert_eq!(get(&format!("/api/v1/reports/{}", ids[0]), token), 401);
    let triage = http
        .post(url(&format!("/api/v1/reports/{}/triage", ids[0])))
        .bearer_auth(token)
        .json(&serde_json::json!({"state": "acknowledged"}))
        .send()
        .unwrap();
    assert_eq!(triage.status().as_u16(), 401);
    // And a login session is not a sync token.
    desk.server.login("ana");
    let session: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(desk.server.reviewer("ana").config.join("session.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(
        get("/api/v1/sync/reports", session["token"].as_str().unwrap()),
        401
    );
    // Revoked, it reads nothing more.
    desk.online(&["sync", "revoke"]).succeeded();
    assert_eq!(get("/api/v1/sync/reports", token), 401);
    desk.online(&["sync"]).exited(3);
}

/// Runs `amanat ARGS` with `config` in a network namespace of its own,
/// which has only a loopback interface, down: no connection is possible.
/// (Where namespaces cannot be made, with every proxy pointed at a port
/// that refuses.) The server is stopped too, so nothing could answer.
fn without_network(config: &Path, args: &[&str], refusing: &str) -> Run {
    use std::process::{Command, Stdio};
    let amanat = crate::common::daemon::AMANAT;
    let isolated = Command::new("unshare")
        .args(["-n", "true"])
        .status()
        .is_ok_and(|s| s.success());
    let mut cmd = if isolated {
        let mut c = Command::new("unshare");
        c.args(["-n", "--", amanat]);
        c
    } else {
        Command::new(amanat)
    };
    let proxy = format!("socks5h://{refusing}");
    let output = cmd
        .args(args)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", config)
        .env("AMANAT_CONFIG_DIR", config)
        .env("AMANAT_PROXY", &proxy)
        .env("ALL_PROXY", &proxy)
        .env("HTTPS_PROXY", &proxy)
        .env("HTTP_PROXY", &proxy)
        .stdin(Stdio::null())
        .output()
        .unwrap();
    Run {
        who: Some("offline".into()),
        args: args.iter().map(|a| a.to_string()).collect(),
        input: None,
        output,
    }
}

#[test]
fn the_offline_machine_reads_the_mirror_without_a_network() {
    let (mut desk, ids) = desk_with_reports();
    desk.enrol("right", |_| {}).succeeded();
    desk.online(&["sync"]).succeeded();
    let mirror = desk.offline.join("mirror");
    let m = mirror.to_str().unwrap();
    // The mirror goes on a stick as one file; a damaged one imports nothing.
    let stick = desk.server.tmp.path().join("stick.bundle");
    desk.online(&["bundle", "export", stick.to_str().unwrap()])
        .succeeded();
    assert_no_plaintext(&stick);
    let mut bytes = std::fs::read(&stick).unwrap();
    let at = bytes.len() - 10;
    bytes[at] ^= 1;
    let damaged = desk.server.tmp.path().join("damaged.bundle");
    std::fs::write(&damaged, &bytes).unwrap();
    let refused = desk.offline(&["bundle", "import", damaged.to_str().unwrap(), "--mirror", m]);
    refused.exited(1);
    assert!(
        refused.stderr().contains("nothing was imported"),
        "{}",
        refused.stderr()
    );
    assert!(!mirror.join("manifest.json").exists());
    desk.offline(&["bundle", "import", stick.to_str().unwrap(), "--mirror", m])
        .succeeded();
    // Later, only what changed is carried.
    desk.server.login("ana");
    let ana = desk.server.reviewer("ana");
    ana.amanat(&["triage", &ids[1], "--state", "acknowledged"])
        .succeeded();
    desk.online(&["sync"]).succeeded();
    let delta = desk.server.tmp.path().join("delta.bundle");
    let export = desk.online(&[
        "bundle",
        "export",
        delta.to_str().unwrap(),
        "--since",
        m,
        "--json",
    ]);
    assert_eq!(
        json_of(&export)["files"],
        2,
        "the queue and the report that moved"
    );
    desk.offline(&["bundle", "import", delta.to_str().unwrap(), "--mirror", m])
        .succeeded();
    desk.server.stop();
    let (_refusing, addr) = crate::common::cli::refusing_address();
    let addr = addr.to_string();
    let key = desk.key.to_str().unwrap();
    let offline = |args: &[&str]| {
        let full = [&["--mirror", m, "--identity", key], args].concat();
        without_network(&desk.offline, &full, &addr)
    };

    let list = offline(&["list"]);
    for id in &ids {
        assert!(
            list.succeeded().stdout().contains(id.as_str()),
            "{}",
            list.stdout()
        );
    }
    let show = offline(&["show", &ids[0]]);
    assert!(
        show.succeeded().stdout().contains(CANARY),
        "{}",
        show.stdout()
    );
    let out = desk.offline.join("files");
    offline(&["download", &ids[0], "--out", out.to_str().unwrap()]).succeeded();
    let saved = files_under(&out);
    assert_eq!(saved.len(), 1);
    assert_eq!(std::fs::read(&saved[0]).unwrap(), FILE_CANARY);
    let export = desk.offline.join("export.json");
    let args = [
        "export",
        "--profile",
        "internal",
        "--format",
        "json",
        "--all",
    ];
    offline(&[&args[..], &["--out", export.to_str().unwrap()]].concat()).succeeded();
    assert!(std::fs::read_to_string(&export).unwrap().contains(CANARY));
    assert!(desk.offline.join("offline-exports.json").is_file());

    // What needs the server is refused, not attempted.
    let whoami = offline(&["whoami"]);
    whoami.exited(2);
    assert!(
        whoami.stderr().contains("needs the server"),
        "{}",
        whoami.stderr()
    );

    // A damaged mirror file is refused, never decrypted as if whole.
    let damaged = mirror.join(format!("reports/{}.json", ids[1]));
    let mut bytes = std::fs::read(&damaged).unwrap();
    let at = bytes.len() / 2;
    bytes[at] ^= 1;
    std::fs::write(&damaged, bytes).unwrap();
    let refused = offline(&["show", &ids[1]]);
    refused.exited(7);
    assert!(
        refused.stderr().contains("does not match"),
        "{}",
        refused.stderr()
    );
}

#[test]
fn help_of_the_air_gap_and_profile_commands() {
    let tmp = tempfile::tempdir().unwrap();
    let commands: &[&[&str]] = &[
        &["profiles"],
        &["sync"],
        &["sync", "challenge"],
        &["sync", "enrol"],
        &["sync", "revoke"],
        &["desk", "keygen"],
        &["desk", "answer"],
        &["bundle", "export"],
        &["bundle", "import"],
        &["outbox", "export"],
        &["outbox", "clear"],
        &["push"],
    ];
    let runs: Vec<Run> = commands
        .iter()
        .map(|c| amanat_in(tmp.path(), &[c, &["--help"][..]].concat(), None, &[]))
        .collect();
    crate::common::cli::assert_snapshot(
        "airgap-help",
        &crate::common::cli::Redactor::default(),
        &crate::common::cli::all_exited(0, &runs),
    );
}

#[test]
fn removing_the_reviewer_ends_the_sync_token() {
    let (mut desk, _) = desk_with_reports();
    desk.enrol("right", |_| {}).succeeded();
    desk.online(&["sync"]).succeeded();
    desk.server.stop();
    let data = desk.server.data.to_str().unwrap().to_string();
    crate::common::daemon::ok(&crate::common::daemon::run(
        crate::common::daemon::AMANATD,
        &["reviewer", "remove", "--data-dir", &data, "ana"],
    ));
    desk.server.restart();
    // The URL changed with the restart: the token file names the old one.
    let path = desk.online.join("sync.json");
    let mut saved: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    saved["server"] = desk.server.review().into();
    std::fs::write(&path, serde_json::to_vec(&saved).unwrap()).unwrap();
    let elsewhere = desk.online.join("mirror-2");
    let refused = desk.online(&["sync", "--mirror", elsewhere.to_str().unwrap()]);
    refused.exited(3);
    assert!(
        refused.stderr().contains("no longer enrolled"),
        "{}",
        refused.stderr()
    );
}
