//! The reviewer's saved session: server URL, token, identity path.
//!
//! Stored as JSON in the user's config dir (`AMANAT_CONFIG_DIR` overrides
//! it), directory 0700 and file 0600, written atomically. The identity's
//! secret is never stored here: only the path to the identity file.

use serde::{Deserialize, Serialize};
use std::io::Write;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use zeroize::Zeroize;

/// File name of the saved session.
pub const SESSION_FILE: &str = "session.json";

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
pub fn config_dir() -> Result<PathBuf, String> {
    if let Some(d) = std::env::var_os("AMANAT_CONFIG_DIR") {
        return Ok(PathBuf::from(d));
    }
    if let Some(d) = std::env::var_os("XDG_CONFIG_HOME").filter(|d| !d.is_empty()) {
        return Ok(PathBuf::from(d).join("amanat"));
    }
    std::env::var_os("HOME")
        .map(|h| PathBuf::from(h).join(".config").join("amanat"))
        .ok_or_else(|| "cannot find a config dir: set AMANAT_CONFIG_DIR".to_string())
}

/// Loads the saved session, if any.
pub fn load(dir: &Path) -> Result<Option<Saved>, String> {
    let path = dir.join(SESSION_FILE);
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(format!("cannot read {}: {e}", path.display())),
    };
    serde_json::from_str(&text).map(Some).map_err(|e| {
        format!(
            "{} is damaged ({e}); delete it and run `amanat login`",
            path.display()
        )
    })
}

/// Saves the session with mode 0600 (directory 0700).
pub fn save(dir: &Path, s: &Saved) -> Result<(), String> {
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
        .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let tmp = dir.join(format!(".{SESSION_FILE}.tmp"));
    let _ = std::fs::remove_file(&tmp);
    let mut text = serde_json::to_vec_pretty(s).map_err(|e| e.to_string())?;
    let result = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(&tmp)
        .and_then(|mut f| {
            f.write_all(&text)?;
            f.sync_all()
        })
        .and_then(|_| std::fs::rename(&tmp, dir.join(SESSION_FILE)));
    text.zeroize();
    result.map_err(|e| format!("cannot write the session in {}: {e}", dir.display()))?;
    // Make sure an existing directory is private too.
    let _ = std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700));
    Ok(())
}

/// Deletes the saved session.
pub fn remove(dir: &Path) -> Result<(), String> {
    match std::fs::remove_file(dir.join(SESSION_FILE)) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(format!("cannot delete the session file: {e}")),
    }
}
