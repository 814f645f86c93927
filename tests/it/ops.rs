//! Operations tests with real components: HTTPS with rustls and a test CA
//! (made here with rcgen), certificate reload on SIGHUP of the real
//! `amanatd`, core dumps disabled in a running server, `amanatd check` and
//! `status`, `audit verify --against`, and the reviewer CLI through a real
//! SOCKS5 proxy (Debian `microsocks`). Backup, restore and fsck are in
//! `upkeep.rs`. Nothing here is mocked; everything runs on loopback.
#![forbid(unsafe_code)]
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use amanat_core::model::Role;
use common::daemon::*;
use common::minimal;
use rustls::pki_types::CertificateDer;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

// ----- helpers -----

/// Leaves from the shared test CA, written the way a renewal tool would.
impl common::TestCa {
    /// A leaf for localhost and 127.0.0.1 named `cn`; writes cert and key
    /// PEM files at the given paths (atomically, as a renewal tool would).
    fn renewed_leaf(&self, cn: &str, cert: &Path, key: &Path) -> CertificateDer<'static> {
        let mut params =
            rcgen::CertificateParams::new(vec!["localhost".into(), "127.0.0.1".into()]).unwrap();
        params
            .distinguished_name
            .push(rcgen::DnType::CommonName, cn);
        let kp = rcgen::KeyPair::generate().unwrap();
        let c = params.signed_by(&kp, &self.issuer).unwrap();
        replace(cert, c.pem().as_bytes());
        replace(key, kp.serialize_pem().as_bytes());
        c.der().clone()
    }
}

fn replace(path: &Path, bytes: &[u8]) {
    let tmp = path.with_extension("tmp");
    std::fs::write(&tmp, bytes).unwrap();
    std::fs::set_permissions(&tmp, std::fs::Permissions::from_mode(0o600)).unwrap();
    std::fs::rename(&tmp, path).unwrap();
}

/// What a real TLS client sees: the server's certificate, the version and
/// the suite negotiated.
struct Handshake {
    cert: CertificateDer<'static>,
    version: rustls::ProtocolVersion,
    suite: String,
}

fn handshake(
    addr: &str,
    ca: &Path,
    versions: &[&'static rustls::SupportedProtocolVersion],
) -> Result<Handshake, String> {
    let mut roots = rustls::RootCertStore::empty();
    for c in <CertificateDer as rustls::pki_types::pem::PemObject>::pem_file_iter(ca).unwrap() {
        roots.add(c.unwrap()).unwrap();
    }
    // A client offering everything ring has: the server must pick AEAD.
    let cfg = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_protocol_versions(versions)
    .unwrap()
    .with_root_certificates(roots)
    .with_no_client_auth();
    let name = rustls::pki_types::ServerName::try_from("localhost").unwrap();
    let conn = rustls::ClientConnection::new(Arc::new(cfg), name).unwrap();
    let sock = TcpStream::connect(addr).unwrap();
    sock.set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let mut tls = rustls::StreamOwned::new(conn, sock);
    tls.write_all(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
        .map_err(|e| e.to_string())?;
    let mut reply = Vec::new();
    let _ = tls.read_to_end(&mut reply);
    let c = &tls.conn;
    Ok(Handshake {
        cert: c.peer_certificates().ok_or("no certificate")?[0].clone(),
        version: c.protocol_version().ok_or("no version")?,
        suite: format!(
            "{:?}",
            c.negotiated_cipher_suite().ok_or("no suite")?.suite()
        ),
    })
}

// ----- TLS -----

#[test]
fn https_listener_handshakes_with_aead_suites_and_sends_hsts_only_over_tls() {
    let tmp = tempfile::tempdir().unwrap();
    let ca = common::TestCa::new(tmp.path());
    let (cert, key) = (tmp.path().join("c.pem"), tmp.path().join("k.pem"));
    ca.renewed_leaf("intake", &cert, &key);
    let (app, _) = common::spawn_app(&[("ana", &[Role::Triage])], |cfg| {
        cfg.intake.tls_cert = Some(cert.clone());
        cfg.intake.tls_key = Some(key.clone());
    });
    assert!(app.intake.starts_with("https://"), "{}", app.intake);
    assert!(app.review.starts_with("http://"), "{}", app.review);

    // A real HTTPS client trusting the test CA.
    let https = reqwest::blocking::Client::builder()
        .tls_backend_preconfigured(amanat_core::tls::client_config(Some(&ca.pem)).unwrap())
        .no_proxy()
        .build()
        .unwrap();
    let resp = https.get(format!("{}/", app.intake)).send().unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(
        resp.headers()
            .get("strict-transport-security")
            .expect("HSTS over HTTPS"),
        "max-age=63072000"
    );
    let resp = https.get(format!("{}/healthz", app.review)).send().unwrap();
    assert_eq!(resp.status(), 200);
    assert!(
        resp.headers().get("strict-transport-security").is_none(),
        "no HSTS on plain HTTP"
    );

    // A client that does not trust the CA is refused.
    let stranger = reqwest::blocking::Client::builder()
        .tls_backend_preconfigured(amanat_core::tls::client_config(None).unwrap())
        .no_proxy()
        .build()
        .unwrap();
    assert!(stranger.get(format!("{}/", app.intake)).send().is_err());

    // TLS 1.3 by default; TLS 1.2 still works, with an AEAD suite.
    let addr = app.intake.trim_start_matches("https://");
    let h = handshake(
        addr,
        &ca.pem,
        &[&rustls::version::TLS13, &rustls::version::TLS12],
    )
    .unwrap();
    assert_eq!(h.version, rustls::ProtocolVersion::TLSv1_3);
    let h = handshake(addr, &ca.pem, &[&rustls::version::TLS12]).unwrap();
    assert_eq!(h.version, rustls::ProtocolVersion::TLSv1_2);
    assert!(
        h.suite.starts_with("TLS_ECDHE_")
            && (h.suite.contains("_GCM_") || h.suite.contains("CHACHA20_POLY1305")),
        "{}",
        h.suite
    );
}

#[test]
fn sighup_swaps_the_certificate_without_restarting_and_keeps_it_on_a_bad_file() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    init_with_reviewer(&data);
    let ca = common::TestCa::new(tmp.path());
    let (cert, key) = (tmp.path().join("review.crt"), tmp.path().join("review.key"));
    let a = ca.renewed_leaf("cert-A", &cert, &key);
    let mut server = serve(
        &data,
        &[
            ("AMANAT_REVIEW_TLS_CERT", cert.to_str().unwrap()),
            ("AMANAT_REVIEW_TLS_KEY", key.to_str().unwrap()),
        ],
    );
    let addr = server.review.trim_start_matches("https://").to_string();
    assert!(server.review.starts_with("https://"));
    let both = [&rustls::version::TLS13, &rustls::version::TLS12];
    assert_eq!(handshake(&addr, &ca.pem, &both).unwrap().cert, a);

    // Renewal: new files in place, then SIGHUP to the same process.
    let b = ca.renewed_leaf("cert-B", &cert, &key);
    assert_ne!(a, b);
    let pid = server.pid();
    let hup = || {
        let st = Command::new("kill")
            .args(["-HUP", &pid.to_string()])
            .status()
            .unwrap();
        assert!(st.success());
    };
    hup();
    wait_for("cert B", Duration::from_secs(10), || {
        handshake(&addr, &ca.pem, &both).unwrap().cert == b
    });
    assert!(server.alive(), "the same process still serves");
    assert_eq!(server.pid(), pid);
    assert!(server.log().contains("TLS certificate reloaded"));

    // A broken renewal keeps the working certificate and names the file.
    std::fs::write(&cert, "not a certificate\n").unwrap();
    hup();
    wait_for("the error in the log", Duration::from_secs(10), || {
        server.log().contains("NOT reloaded")
    });
    let log = server.log();
    assert!(log.contains(cert.to_str().unwrap()), "{log}");
    assert_eq!(handshake(&addr, &ca.pem, &both).unwrap().cert, b);
    assert!(server.alive());

    // A key that does not match the certificate is refused the same way.
    let other = tmp.path().join("other.key");
    ca.renewed_leaf("cert-C", &tmp.path().join("c.crt"), &other);
    ca.renewed_leaf("cert-D", &cert, &tmp.path().join("d.key"));
    std::fs::copy(&other, &key).unwrap();
    hup();
    wait_for("the mismatch in the log", Duration::from_secs(10), || {
        server.log().contains("do not match")
    });
    assert_eq!(handshake(&addr, &ca.pem, &both).unwrap().cert, b);
    assert!(server.alive());
}

#[test]
fn a_running_server_cannot_dump_core() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    init_with_reviewer(&data);
    let server = serve(&data, &[]);
    let limits = std::fs::read_to_string(format!("/proc/{}/limits", server.pid())).unwrap();
    let line = limits
        .lines()
        .find(|l| l.starts_with("Max core file size"))
        .unwrap();
    let fields: Vec<&str> = line.split_whitespace().collect();
    assert_eq!(&fields[4..6], &["0", "0"], "soft and hard limits: {line}");
    // PR_SET_DUMPABLE 0 hands /proc/PID to root (visible when tests run as
    // another user; trivially true as root).
    use std::os::unix::fs::MetadataExt;
    let md = std::fs::metadata(format!("/proc/{}/environ", server.pid())).unwrap();
    assert_eq!(md.uid(), 0);
    // Files the server creates are private (umask 077).
    let sock = std::fs::metadata(data.join("control.sock")).unwrap();
    assert_eq!(sock.permissions().mode() & 0o777, 0o600);
}

// ----- check and status -----

#[test]
fn check_catches_a_world_readable_data_dir_a_missing_reviewer_and_bad_tls() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let d = data.to_str().unwrap();
    ok(&run(AMANATD, &["init", "--data-dir", d]));

    let out = run(AMANATD, &["check", "--data-dir", d]);
    assert_eq!(out.status.code(), Some(6), "{}", text(&out));
    let t = text(&out);
    assert!(
        t.contains("FAIL  reviewers: no reviewer has the triage role"),
        "{t}"
    );
    assert!(t.contains("NOT READY"), "{t}");

    std::fs::remove_dir_all(&data).unwrap();
    init_with_reviewer(&data);
    let out = run(AMANATD, &["check", "--data-dir", d]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let t = text(&out);
    assert!(
        t.contains("OK    reviewers: 1 enrolled, 1 with triage"),
        "{t}"
    );
    assert!(t.contains("address is free to bind"), "{t}");
    assert!(t.contains("READY"), "{t}");

    std::fs::set_permissions(&data, std::fs::Permissions::from_mode(0o755)).unwrap();
    let out = run(AMANATD, &["check", "--data-dir", d]);
    assert_eq!(out.status.code(), Some(6));
    let t = text(&out);
    assert!(
        t.contains("FAIL  data dir permissions") && t.contains(&format!("chmod 700 {d}")),
        "{t}"
    );
    std::fs::set_permissions(&data, std::fs::Permissions::from_mode(0o700)).unwrap();

    // TLS files that do not parse are named.
    let bad = tmp.path().join("bad.pem");
    std::fs::write(&bad, "nothing\n").unwrap();
    let mut cfg = std::fs::read_to_string(data.join("amanat.toml")).unwrap();
    cfg = cfg.replace(
        "[review]\n",
        &format!("[review]\ntls_cert = {bad:?}\ntls_key = {bad:?}\n"),
    );
    std::fs::write(data.join("amanat.toml"), &cfg).unwrap();
    let out = run(AMANATD, &["check", "--data-dir", d]);
    assert_eq!(out.status.code(), Some(6));
    let t = text(&out);
    assert!(
        t.contains("FAIL  review TLS") && t.contains(bad.to_str().unwrap()),
        "{t}"
    );
    let ca = common::TestCa::new(tmp.path());
    let key = tmp.path().join("k.pem");
    ca.renewed_leaf("review", &bad, &key);
    std::fs::write(
        data.join("amanat.toml"),
        cfg.replace(&format!("tls_key = {bad:?}"), &format!("tls_key = {key:?}")),
    )
    .unwrap();
    let out = run(AMANATD, &["check", "--data-dir", d]);
    let t = text(&out);
    assert!(t.contains("OK    review TLS"), "{t}");
    assert_eq!(out.status.code(), Some(0), "{t}");

    // While the server runs: no bind attempt, the store is reached through
    // the control socket.
    let _server = serve(&data, &[]);
    let out = run(AMANATD, &["check", "--data-dir", d]);
    let t = text(&out);
    assert_eq!(out.status.code(), Some(0), "{t}");
    assert!(t.contains("served by a running amanatd"), "{t}");
    assert!(t.contains("in use by the running server"), "{t}");
}

// ----- the reviewer CLI over a SOCKS5 proxy -----

/// A real SOCKS5 proxy (Debian `microsocks`) on a free loopback port, with
/// a username and password so nothing reaches it by accident.
struct Socks {
    child: Child,
    port: u16,
}

impl Drop for Socks {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn socks() -> Socks {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = Command::new("microsocks")
        .args(["-i", "127.0.0.1", "-p", &port.to_string(), "-u", "rev", "-P", "s3cret"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect(
            "microsocks must be installed (Debian package `microsocks`; scripts/test.sh installs it)",
        );
    wait_for("microsocks to listen", Duration::from_secs(10), || {
        TcpStream::connect(("127.0.0.1", port)).is_ok()
    });
    Socks { child, port }
}

#[test]
fn reviewer_cli_logs_in_and_lists_through_a_socks5_proxy() {
    let (app, reviewers) = common::spawn_app(&[("ana", &[Role::Triage, Role::Admin])], |_| {});
    let (status, _) = common::submit(&app, &minimal("through the proxy"));
    assert_eq!(status, 200);
    let tmp = tempfile::tempdir().unwrap();
    let key = tmp.path().join("key.txt");
    {
        use age::secrecy::ExposeSecret;
        std::fs::write(
            &key,
            format!("{}\n", reviewers[0].identity.to_string().expose_secret()),
        )
        .unwrap();
        std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
    let proxy = socks();
    let good = format!("socks5h://rev:s3cret@127.0.0.1:{}", proxy.port);
    // `localhost` is resolved by the proxy (socks5h), as a .onion would be by Tor.
    let port = app.review.rsplit(':').next().unwrap();
    let server = format!("http://localhost:{port}");
    let cli = |args: &[&str], proxy: Option<&str>| {
        let mut c = Command::new(AMANAT);
        c.args(args)
            .env("AMANAT_CONFIG_DIR", tmp.path().join("cli"))
            .env_remove("AMANAT_PROXY");
        if let Some(p) = proxy {
            c.env("AMANAT_PROXY", p);
        }
        c.output().unwrap()
    };
    let out = Command::new(AMANAT)
        .args(["--proxy", &good, "login", "--server", &server, "--identity"])
        .arg(&key)
        .env("AMANAT_CONFIG_DIR", tmp.path().join("cli"))
        .output()
        .unwrap();
    assert!(text(&out).contains("Logged in as ana"), "{}", text(&out));
    let list = ok(&cli(&["list"], Some(&good)));
    assert!(
        list.contains("confidential") && list.contains("new"),
        "{list}"
    );

    // Proof that the traffic goes through the proxy: with a wrong proxy
    // password, or the proxy gone, the same command cannot reach the
    // server, which still answers directly.
    let wrong = format!("socks5h://rev:wrong@127.0.0.1:{}", proxy.port);
    let out = cli(&["list"], Some(&wrong));
    assert_eq!(out.status.code(), Some(6), "{}", text(&out));
    drop(proxy);
    let out = cli(&["list"], Some(&good));
    assert_eq!(out.status.code(), Some(6), "{}", text(&out));
    assert!(text(&out).contains("--proxy"), "{}", text(&out));
    ok(&cli(&["list"], None));
}

/// Issue 19 (Medium 5): `amanatd audit verify --against` reads the anchor
/// files reviewers export, refuses anything else with a clear error, and
/// fails (exit 5) when the chain does not pass through an anchored entry:
/// here, one past its end, as after entries were cut off.
#[test]
fn audit_verify_against_checks_anchor_files() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    init_with_reviewer(&data);
    let d = data.to_str().unwrap();
    let head = {
        let store = amanatd::store::Store::open(&data).unwrap();
        store.audit_head().unwrap().unwrap()
    };
    let file = |name: &str, text: String| {
        let p = tmp.path().join(name);
        std::fs::write(&p, text).unwrap();
        p.to_str().unwrap().to_string()
    };
    let anchor = |seq: u64, hash: &str| {
        serde_json::json!({
            "format": amanat_core::audit::ANCHOR_FORMAT,
            "anchors": [{ "server": "http://x.onion", "reviewer": "r1", "seq": seq,
                          "hash": hash, "day": head.day }]
        })
        .to_string()
    };
    let verify = |f: &str| {
        run(
            AMANATD,
            &["audit", "verify", "--data-dir", d, "--against", f],
        )
    };

    let good = file("good.json", anchor(head.seq, &head.hash));
    assert!(ok(&verify(&good)).contains("extending all 1 anchor(s)"));

    let beyond = file("beyond.json", anchor(head.seq + 1, &head.hash));
    let out = verify(&beyond);
    assert_eq!(out.status.code(), Some(5), "{}", text(&out));
    assert!(
        text(&out).contains("does not extend the anchor reviewer r1 recorded"),
        "{}",
        text(&out)
    );

    let other = file("other.json", "{\"anchors\": 3}".into());
    let out = verify(&other);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(text(&out).contains("not an anchor file"), "{}", text(&out));

    // Restoring a backup checks the same anchors: a chain that does not
    // pass through what reviewers saw is refused.
    let backup = tmp.path().join("backup.amanat");
    ok(&run(
        AMANATD,
        &["backup", "--data-dir", d, "--out", backup.to_str().unwrap()],
    ));
    let restore = |into: &str, anchors: &str| {
        let into = tmp.path().join(into);
        run(
            AMANATD,
            &[
                "restore",
                "--in",
                backup.to_str().unwrap(),
                "--data-dir",
                into.to_str().unwrap(),
                "--against",
                anchors,
            ],
        )
    };
    let out = restore("refused", &beyond);
    assert!(!out.status.success(), "{}", text(&out));
    assert!(
        text(&out).contains("does not extend the anchor reviewer r1 recorded"),
        "{}",
        text(&out)
    );
    assert!(ok(&restore("restored", &good)).contains("extends all 1 anchor(s)"));
}
