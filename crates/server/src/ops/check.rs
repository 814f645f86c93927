//! `amanatd check`: a pre-flight and health check for operators.
//!
//! Each item gets a verdict (OK, WARN, FAIL) and, when it is not OK, the
//! command that fixes it. Any FAIL makes `amanatd check` exit non-zero, so
//! it can gate a deployment script or a systemd `ExecStartPre=`.
//!
//! It reads the configuration, file modes, the store (or asks the running
//! server over the control socket) and the TLS files. It prints paths and
//! counts, never a key or anything from a report.

use super::{OpsError, StoreStatus, control};
use crate::config::{CONFIG_FILE, Config, Listener};
use crate::store::{Store, StoreError};
use std::fmt;
use std::net::{SocketAddr, TcpListener};
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::Path;

/// The verdict of one item.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Verdict {
    Ok,
    Warn,
    Fail,
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(match self {
            Verdict::Ok => "OK",
            Verdict::Warn => "WARN",
            Verdict::Fail => "FAIL",
        })
    }
}

/// One checked item.
#[derive(Clone, Debug)]
pub struct Item {
    pub verdict: Verdict,
    pub what: String,
    pub detail: String,
}

/// Every item, in the order checked.
#[derive(Clone, Debug, Default)]
pub struct Report {
    pub items: Vec<Item>,
}

impl Report {
    fn add(&mut self, verdict: Verdict, what: impl Into<String>, detail: impl Into<String>) {
        self.items.push(Item {
            verdict,
            what: what.into(),
            detail: detail.into(),
        });
    }

    /// The worst verdict (OK for an empty report).
    pub fn worst(&self) -> Verdict {
        self.items
            .iter()
            .map(|i| i.verdict)
            .max()
            .unwrap_or(Verdict::Ok)
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for i in &self.items {
            writeln!(f, "{:<5} {}: {}", i.verdict, i.what, i.detail)?;
        }
        let (fails, warns) = self.items.iter().fold((0, 0), |(f, w), i| match i.verdict {
            Verdict::Fail => (f + 1, w),
            Verdict::Warn => (f, w + 1),
            Verdict::Ok => (f, w),
        });
        write!(
            f,
            "{}: {fails} failed, {warns} warning(s), {} checked",
            if fails > 0 { "NOT READY" } else { "READY" },
            self.items.len()
        )
    }
}

/// Runs every check on `data_dir` (and `config`, if not the default file).
pub fn check(data_dir: &Path, config: Option<&Path>) -> Report {
    let mut rep = Report::default();
    let dir = data_dir.display();

    // The data dir: exists, private, owned by whoever runs the checks.
    match std::fs::metadata(data_dir) {
        Err(e) => {
            rep.add(
                Verdict::Fail,
                "data dir",
                format!("{dir}: {e}. Fix: amanatd init --data-dir {dir}"),
            );
            return rep;
        }
        Ok(md) => {
            let mode = md.permissions().mode() & 0o777;
            if mode & 0o077 != 0 {
                rep.add(
                    Verdict::Fail,
                    "data dir permissions",
                    format!(
                        "{dir} has mode {mode:03o}: other users can reach the store. Fix: chmod 700 {dir}"
                    ),
                );
            } else {
                rep.add(
                    Verdict::Ok,
                    "data dir permissions",
                    format!("{dir} is {mode:03o}"),
                );
            }
            owner_check(&mut rep, "data dir owner", data_dir, md.uid());
        }
    }

    // The config file: private if present, valid in any case.
    let cfg_path = config.map_or_else(|| data_dir.join(CONFIG_FILE), Path::to_path_buf);
    if let Ok(md) = std::fs::metadata(&cfg_path) {
        file_mode_check(&mut rep, "config file permissions", &cfg_path, &md);
    }
    let cfg = match Config::load(data_dir, config).and_then(|c| c.validate().map(|()| c)) {
        Ok(c) => {
            rep.add(
                Verdict::Ok,
                "config",
                format!("{} is valid", cfg_path.display()),
            );
            c
        }
        Err(e) => {
            rep.add(Verdict::Fail, "config", e.to_string());
            return rep;
        }
    };

    // The store: through the running server if there is one.
    let running = match control::request(data_dir, control::STATUS) {
        Ok(Some(reply)) => match serde_json::from_slice::<StoreStatus>(&reply) {
            Ok(s) => {
                rep.add(
                    Verdict::Ok,
                    "store",
                    format!("served by a running amanatd; {} report(s)", s.reports_total),
                );
                reviewer_check(&mut rep, data_dir, &s);
                true
            }
            Err(e) => {
                rep.add(
                    Verdict::Fail,
                    "store",
                    format!("the running server gave an unexpected answer: {e}"),
                );
                true
            }
        },
        Ok(None) => {
            match Store::open(data_dir).map_err(OpsError::from).and_then(|s| {
                let status = StoreStatus::of(&s)?;
                Ok((s, status))
            }) {
                Ok((store, s)) => {
                    rep.add(
                        Verdict::Ok,
                        "store",
                        format!("opens, schema current; {} report(s)", s.reports_total),
                    );
                    reviewer_check(&mut rep, data_dir, &s);
                    key_kind_check(&mut rep, &store, cfg.crypto.post_quantum);
                    false
                }
                Err(OpsError::Store(StoreError::Locked(_))) => {
                    rep.add(
                        Verdict::Warn,
                        "store",
                        "locked by a process that does not answer on the control socket (an \
                         older amanatd?); reviewers not checked",
                    );
                    true
                }
                Err(e) => {
                    rep.add(Verdict::Fail, "store", e.to_string());
                    false
                }
            }
        }
        Err(e) => {
            rep.add(Verdict::Fail, "store", e.to_string());
            false
        }
    };
    let sock = data_dir.join(control::SOCKET);
    if let Ok(md) = std::fs::symlink_metadata(&sock) {
        file_mode_check(&mut rep, "control socket permissions", &sock, &md);
    }

    // Listeners: addresses, exposure, bindability, TLS files.
    for (which, l, addr) in [
        ("intake", &cfg.intake, cfg.intake_addr()),
        ("review", &cfg.review, cfg.review_addr()),
    ] {
        let Ok(addr) = addr else { continue };
        listener_check(&mut rep, which, l, addr, running);
    }
    rep
}

fn reviewer_check(rep: &mut Report, data_dir: &Path, s: &StoreStatus) {
    if s.triage_reviewers == 0 {
        rep.add(
            Verdict::Fail,
            "reviewers",
            format!(
                "no reviewer has the triage role: the form refuses every report. Fix: amanatd \
                 reviewer add --data-dir {} --name NAME --recipient age1… --roles triage",
                data_dir.display()
            ),
        );
    } else {
        rep.add(
            Verdict::Ok,
            "reviewers",
            format!(
                "{} enrolled, {} with triage",
                s.reviewers, s.triage_reviewers
            ),
        );
    }
}

/// Every reviewer who receives envelopes holds the kind of key
/// `[crypto] post_quantum` says (as `amanatd serve` requires), each one
/// that does not named. A running server checked this when it started.
fn key_kind_check(rep: &mut Report, store: &Store, post_quantum: bool) {
    let mode = if post_quantum {
        "post-quantum"
    } else {
        "classical"
    };
    match store.reviewers() {
        Err(e) => rep.add(Verdict::Fail, "reviewer keys", e.to_string()),
        Ok(all) => {
            let problems = crate::review::keys_out_of_mode(&all, post_quantum);
            if problems.is_empty() {
                rep.add(
                    Verdict::Ok,
                    "reviewer keys",
                    format!("every triage and identity reviewer holds a {mode} key"),
                );
            } else {
                rep.add(
                    Verdict::Fail,
                    "reviewer keys",
                    format!("amanatd serve refuses to start: {}", problems.join("; ")),
                );
            }
        }
    }
}

fn listener_check(rep: &mut Report, which: &str, l: &Listener, addr: SocketAddr, running: bool) {
    let what = format!("{which} listener {addr}");
    if running {
        rep.add(Verdict::Ok, what, "in use by the running server");
    } else {
        match TcpListener::bind(addr) {
            Ok(_) => rep.add(Verdict::Ok, what, "address is free to bind"),
            Err(e) => rep.add(
                Verdict::Fail,
                what,
                format!("cannot bind: {e}. Fix: stop what uses it or change {which}.addr"),
            ),
        }
    }
    match (&l.tls_cert, &l.tls_key) {
        (Some(cert), Some(key)) => {
            match crate::tls::load_certified_key(cert, key) {
                Ok(_) => rep.add(
                    Verdict::Ok,
                    format!("{which} TLS"),
                    format!("{} and its key load and match", cert.display()),
                ),
                Err(e) => rep.add(Verdict::Fail, format!("{which} TLS"), e.to_string()),
            }
            if let Ok(md) = std::fs::metadata(key) {
                let mode = md.permissions().mode() & 0o777;
                if mode & 0o077 != 0 {
                    rep.add(
                        Verdict::Fail,
                        format!("{which} TLS key permissions"),
                        format!(
                            "{} has mode {mode:03o}. Fix: chmod 600 {}",
                            key.display(),
                            key.display()
                        ),
                    );
                }
            }
        }
        _ if !addr.ip().is_loopback() => rep.add(
            Verdict::Warn,
            format!("{which} exposure"),
            format!(
                "plain HTTP on a non-loopback address ({addr}). Fix: keep it on 127.0.0.1 \
                 behind a Tor onion service, or set {which}.tls_cert and {which}.tls_key"
            ),
        ),
        _ => {}
    }
}

fn file_mode_check(rep: &mut Report, what: &str, path: &Path, md: &std::fs::Metadata) {
    let mode = md.permissions().mode() & 0o777;
    let p = path.display();
    if mode & 0o022 != 0 {
        rep.add(
            Verdict::Fail,
            what,
            format!("{p} has mode {mode:03o}: others can change it. Fix: chmod 600 {p}"),
        );
    } else if mode & 0o044 != 0 {
        rep.add(
            Verdict::Warn,
            what,
            format!("{p} has mode {mode:03o}: others can read it. Fix: chmod 600 {p}"),
        );
    } else {
        rep.add(Verdict::Ok, what, format!("{p} is {mode:03o}"));
    }
}

fn owner_check(rep: &mut Report, what: &str, path: &Path, uid: u32) {
    let me = rustix::process::geteuid().as_raw();
    if uid != me && me != 0 {
        rep.add(
            Verdict::Warn,
            what,
            format!(
                "{} belongs to uid {uid}, not to you (uid {me}); run amanatd as the user that owns it",
                path.display()
            ),
        );
    }
}
