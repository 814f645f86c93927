//! Operator commands of `amanatd`: `check`, `status`, `backup`, `restore`,
//! process hardening for `serve`, and the man pages and completions.
//!
//! `src/daemon.rs` only parses arguments and calls into here. While `amanatd
//! serve` runs, sled holds an exclusive lock on the store, so `status` and
//! `backup` ask the running server over its local control socket
//! (`DATA_DIR/control.sock`, see [`control`]); when no server runs they open
//! the store themselves.
//!
//! Nothing here may print or log report contents, identity data, tokens or
//! addresses of clients: the commands deal in counts, paths, ciphertext and
//! the plaintext metadata the store already holds.

pub mod backup;
pub mod check;
pub mod control;

use crate::store::{Store, StoreError};
use amanat_core::model::Role;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::Path;

/// Disables core dumps and ptrace/`/proc/PID/mem` access by other
/// processes of the same user, and makes every file `serve` creates private
/// (umask 077). A core dump of `amanatd` would hold plaintext reports that
/// were in memory while being encrypted.
pub fn harden_process() -> Result<(), String> {
    use rustix::process::{DumpableBehavior, Resource, Rlimit};
    rustix::process::setrlimit(
        Resource::Core,
        Rlimit {
            current: Some(0),
            maximum: Some(0),
        },
    )
    .map_err(|e| format!("cannot disable core dumps (setrlimit RLIMIT_CORE): {e}"))?;
    rustix::process::set_dumpable_behavior(DumpableBehavior::NotDumpable)
        .map_err(|e| format!("cannot mark the process non-dumpable (PR_SET_DUMPABLE): {e}"))?;
    rustix::process::umask(rustix::fs::Mode::from_raw_mode(0o077));
    Ok(())
}

/// What the store holds, in counts only.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoreStatus {
    /// Reports per triage state (states with no report are left out).
    pub reports: BTreeMap<String, usize>,
    pub reports_total: usize,
    pub reviewers: usize,
    pub triage_reviewers: usize,
    pub audit_entries: usize,
}

impl StoreStatus {
    /// Counts from an open store.
    pub fn of(store: &Store) -> Result<StoreStatus, StoreError> {
        let reports: BTreeMap<String, usize> = store
            .state_counts()?
            .into_iter()
            .map(|(s, n)| (s.as_str().to_string(), n))
            .collect();
        let reviewers = store.reviewers()?;
        Ok(StoreStatus {
            reports_total: reports.values().sum(),
            reports,
            triage_reviewers: reviewers.iter().filter(|r| r.has(Role::Triage)).count(),
            reviewers: reviewers.len(),
            audit_entries: store.audit_entries()?.len(),
        })
    }
}

/// `amanatd status`: the store's counts and the data dir's disk use.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Status {
    pub data_dir: String,
    pub server_running: bool,
    #[serde(flatten)]
    pub store: StoreStatus,
    pub disk_bytes: u64,
}

/// Gathers the status, through the running server if there is one.
pub fn status(data_dir: &Path) -> Result<Status, OpsError> {
    let (server_running, store) = match control::request(data_dir, control::STATUS)? {
        Some(reply) => {
            let s: StoreStatus = serde_json::from_slice(&reply)
                .map_err(|e| OpsError::Control(format!("unexpected status reply: {e}")))?;
            (true, s)
        }
        None => (false, StoreStatus::of(&Store::open(data_dir)?)?),
    };
    Ok(Status {
        data_dir: data_dir.display().to_string(),
        server_running,
        store,
        disk_bytes: disk_usage(data_dir),
    })
}

impl std::fmt::Display for Status {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(f, "data dir:   {}", self.data_dir)?;
        writeln!(
            f,
            "server:     {}",
            if self.server_running {
                "running"
            } else {
                "not running"
            }
        )?;
        writeln!(f, "reports:    {}", self.store.reports_total)?;
        for (state, n) in &self.store.reports {
            writeln!(f, "  {state:<13} {n}")?;
        }
        writeln!(
            f,
            "reviewers:  {} ({} with triage)",
            self.store.reviewers, self.store.triage_reviewers
        )?;
        writeln!(f, "audit log:  {} entries", self.store.audit_entries)?;
        write!(f, "disk use:   {}", human_bytes(self.disk_bytes))
    }
}

/// Errors of the operator commands; messages say what to do.
#[derive(Debug, thiserror::Error)]
pub enum OpsError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("control socket: {0}")]
    Control(String),
    #[error("{0}")]
    Backup(String),
    #[error("{path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
}

impl OpsError {
    pub(crate) fn io(path: &Path, source: std::io::Error) -> OpsError {
        OpsError::Io {
            path: path.display().to_string(),
            source,
        }
    }
}

/// Bytes used by every file under `dir` (symlinks are not followed).
pub fn disk_usage(dir: &Path) -> u64 {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    let mut total = 0;
    for e in entries.flatten() {
        let Ok(md) = e.path().symlink_metadata() else {
            continue;
        };
        if md.is_dir() {
            total += disk_usage(&e.path());
        } else {
            total += md.len();
        }
    }
    total
}

fn human_bytes(n: u64) -> String {
    const UNITS: [&str; 4] = ["KiB", "MiB", "GiB", "TiB"];
    if n < 1024 {
        return format!("{n} bytes");
    }
    let mut v = n as f64 / 1024.0;
    let mut unit = 0;
    while v >= 1024.0 && unit < UNITS.len() - 1 {
        v /= 1024.0;
        unit += 1;
    }
    format!("{v:.1} {} ({n} bytes)", UNITS[unit])
}

/// Writes `amanatd`'s man pages (`man/`) and shell completions
/// (`completions/`) under `out`, from the clap definitions it parses with.
/// Used when building the Debian package (`amanat generate-docs` writes the
/// CLI's beside them).
pub fn generate_docs(out: &Path) -> Result<Vec<std::path::PathBuf>, OpsError> {
    use clap::CommandFactory;
    amanat_core::docgen::generate(crate::daemon::Args::command(), out)
        .map_err(|e| OpsError::io(out, e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_well() {
        assert_eq!(human_bytes(10), "10 bytes");
        assert_eq!(human_bytes(1536), "1.5 KiB (1536 bytes)");
        assert!(human_bytes(5 << 30).starts_with("5.0 GiB"));
    }

    #[test]
    fn man_pages_and_completions_come_from_the_clap_definitions() {
        let dir = tempfile::tempdir().unwrap();
        let files = generate_docs(dir.path()).unwrap();
        let names: Vec<String> = files
            .iter()
            .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
            .collect();
        for want in ["amanatd.1", "amanatd-backup.1", "amanatd.bash", "_amanatd"] {
            assert!(names.iter().any(|n| n == want), "{want} in {names:?}");
        }
        let page = std::fs::read_to_string(dir.path().join("man/amanatd.1")).unwrap();
        assert!(page.contains("Exit codes"), "{page}");
    }
}
