//! Operator commands of `amanatd`: `check`, `status`, `backup`, `restore`,
//! and process hardening for `serve`.
//!
//! [`crate::daemon`] only parses arguments and calls into here. While
//! `amanatd serve` runs, sled holds an exclusive lock on the store, so
//! `status` and `backup` ask the running server over its local control
//! socket (`DATA_DIR/control.sock`, see [`control`]); when no server runs
//! they open the store themselves. The layers, lowest first: this file
//! (errors, the store's counts) and [`archive`] (the backup format); then
//! [`control`], which serves both; then [`status`] and [`backup`], which
//! ask it. Nothing below imports what sits above it.
//!
//! Nothing here may print or log report contents, identity data, tokens or
//! addresses of clients: the commands deal in counts, paths, ciphertext and
//! the plaintext metadata the store already holds.

pub mod archive;
pub mod backup;
pub mod check;
pub mod control;
pub mod status;

use crate::store::{Store, StoreError};
use amanat_core::model::Role;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::Path;

/// Disables core dumps and ptrace/`/proc/PID/mem` access by other
/// processes of the same user, and makes every file `serve` creates private
/// (umask 077). A core dump of `amanatd` would hold plaintext reports that
/// were in memory while being encrypted.
pub fn harden_process() -> Result<(), HardenError> {
    use rustix::process::{DumpableBehavior, Resource, Rlimit};
    rustix::process::setrlimit(
        Resource::Core,
        Rlimit {
            current: Some(0),
            maximum: Some(0),
        },
    )
    .map_err(HardenError::CoreDumps)?;
    rustix::process::set_dumpable_behavior(DumpableBehavior::NotDumpable)
        .map_err(HardenError::Dumpable)?;
    rustix::process::umask(rustix::fs::Mode::from_raw_mode(0o077));
    Ok(())
}

/// Why `serve` could not harden its process (it then refuses to start).
#[derive(Debug, thiserror::Error)]
pub enum HardenError {
    #[error("cannot disable core dumps (setrlimit RLIMIT_CORE): {0}")]
    CoreDumps(rustix::io::Errno),
    #[error("cannot mark the process non-dumpable (PR_SET_DUMPABLE): {0}")]
    Dumpable(rustix::io::Errno),
}

/// What the store holds, in counts only (the control socket's answer to
/// `status`, and the store part of [`status::Status`]).
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
