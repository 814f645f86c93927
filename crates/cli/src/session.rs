//! The reviewer's saved session: server URL, token, identity path; and the
//! CLI's memory of each server, kept beside it: the audit head it last saw
//! (`anchors.json`) and the recipient sets it last saw (`pins.json`).
//!
//! Stored as JSON in the user's config dir (`AMANAT_CONFIG_DIR` overrides
//! it), directory 0700 and files 0600, written atomically. The identity's
//! secret is never stored here: only the path to the identity file.

use serde::{Deserialize, Serialize};
use std::io::{self, Write};
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use zeroize::Zeroize;

/// Why the session or a state file could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum SessionError {
    #[error("cannot find a config dir: set AMANAT_CONFIG_DIR")]
    NoConfigDir,
    #[error("cannot read {}: {source}", path.display())]
    Read { path: PathBuf, source: io::Error },
    #[error("{} is damaged ({source}); delete it and run `amanat login`", path.display())]
    DamagedSession {
        path: PathBuf,
        source: serde_json::Error,
    },
    #[error(
        "{} is damaged ({source}); it holds what this CLI saw of each server, so move it \
         aside rather than delete it, and log in again",
        path.display()
    )]
    DamagedState {
        path: PathBuf,
        source: serde_json::Error,
    },
    #[error("cannot create {}: {source}", dir.display())]
    CreateDir { dir: PathBuf, source: io::Error },
    #[error("cannot write {name} in {}: {source}", dir.display())]
    Write {
        dir: PathBuf,
        name: String,
        source: io::Error,
    },
    #[error("{0}")]
    Encode(serde_json::Error),
    #[error("cannot delete the session file: {0}")]
    Remove(io::Error),
}

impl From<SessionError> for crate::CliError {
    fn from(e: SessionError) -> Self {
        crate::CliError::general(e.to_string())
    }
}

/// File name of the saved session.
pub const SESSION_FILE: &str = "session.json";

/// File name of the audit anchors, one per server URL.
pub const ANCHORS_FILE: &str = "anchors.json";

/// File name of the pinned recipient sets, one per server URL.
pub const PINS_FILE: &str = "pins.json";

/// The audit heads this CLI saw, by server URL.
pub type Anchors = std::collections::BTreeMap<String, amanat_core::audit::ExportedAnchor>;

/// The recipient sets this CLI last saw on one server, sorted.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pin {
    pub triage: Vec<String>,
    pub identity: Vec<String>,
    /// Display names by recipient, for messages only.
    #[serde(default)]
    pub names: std::collections::BTreeMap<String, String>,
}

/// Pinned recipient sets, by server URL.
pub type Pins = std::collections::BTreeMap<String, Pin>;

/// Loads one of the CLI's state files (`ANCHORS_FILE`, `PINS_FILE`); an
/// absent file is empty.
pub fn load_state<T: serde::de::DeserializeOwned + Default>(
    dir: &Path,
    name: &str,
) -> Result<T, SessionError> {
    let path = dir.join(name);
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(T::default()),
        Err(source) => return Err(SessionError::Read { path, source }),
    };
    serde_json::from_str(&text).map_err(|source| SessionError::DamagedState { path, source })
}

/// Saves one of the CLI's state files, 0600, atomically.
pub fn save_state<T: Serialize>(dir: &Path, name: &str, value: &T) -> Result<(), SessionError> {
    let text = serde_json::to_vec_pretty(value).map_err(SessionError::Encode)?;
    write_private(dir, name, &text)
}

/// A saved login.
#[derive(Serialize, Deserialize)]
pub struct Saved {
    pub server: String,
    pub token: String,
    pub reviewer_id: String,
    pub reviewer_name: String,
    pub identity: PathBuf,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ca_file: Option<PathBuf>,
}

impl Drop for Saved {
    fn drop(&mut self) {
        self.token.zeroize();
    }
}

/// The CLI's config dir.
pub fn config_dir() -> Result<PathBuf, SessionError> {
    if let Some(d) = std::env::var_os("AMANAT_CONFIG_DIR") {
        return Ok(PathBuf::from(d));
    }
    if let Some(d) = std::env::var_os("XDG_CONFIG_HOME").filter(|d| !d.is_empty()) {
        return Ok(PathBuf::from(d).join("amanat"));
    }
    std::env::var_os("HOME")
        .map(|h| PathBuf::from(h).join(".config").join("amanat"))
        .ok_or(SessionError::NoConfigDir)
}

/// Loads the saved session, if any.
pub fn load(dir: &Path) -> Result<Option<Saved>, SessionError> {
    let path = dir.join(SESSION_FILE);
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(source) => return Err(SessionError::Read { path, source }),
    };
    serde_json::from_str(&text)
        .map(Some)
        .map_err(|source| SessionError::DamagedSession { path, source })
}

/// Saves the session with mode 0600 (directory 0700).
pub fn save(dir: &Path, s: &Saved) -> Result<(), SessionError> {
    let mut text = serde_json::to_vec_pretty(s).map_err(SessionError::Encode)?;
    let result = write_private(dir, SESSION_FILE, &text);
    text.zeroize();
    result
}

/// Writes `name` in `dir` with mode 0600 (directory 0700), atomically.
pub fn write_private(dir: &Path, name: &str, text: &[u8]) -> Result<(), SessionError> {
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
        .map_err(|source| SessionError::CreateDir {
            dir: dir.to_path_buf(),
            source,
        })?;
    let tmp = dir.join(format!(".{name}.tmp"));
    let _ = std::fs::remove_file(&tmp);
    let result = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(&tmp)
        .and_then(|mut f| {
            f.write_all(text)?;
            f.sync_all()
        })
        .and_then(|_| std::fs::rename(&tmp, dir.join(name)));
    result.map_err(|source| SessionError::Write {
        dir: dir.to_path_buf(),
        name: name.to_string(),
        source,
    })?;
    // Make sure an existing directory is private too.
    let _ = std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700));
    Ok(())
}

/// Deletes the saved session.
pub fn remove(dir: &Path) -> Result<(), SessionError> {
    match std::fs::remove_file(dir.join(SESSION_FILE)) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(SessionError::Remove(e)),
    }
}
