//! `amanatd status`: the store's counts (through the running server's
//! control socket when one runs) and the data dir's disk use. Counts and
//! sizes only: nothing here names a report, a source or a reviewer.

use super::control;
use super::{OpsError, StoreStatus};
use crate::store::Store;
use serde::{Deserialize, Serialize};
use std::path::Path;

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_well() {
        assert_eq!(human_bytes(10), "10 bytes");
        assert_eq!(human_bytes(1536), "1.5 KiB (1536 bytes)");
        assert!(human_bytes(5 << 30).starts_with("5.0 GiB"));
    }
}
