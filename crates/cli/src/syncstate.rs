//! What the online machine keeps of a desk's enrolment, in the profile's
//! directory (see `crate::profiles`): the pending challenge while the
//! answer is carried (`sync-pending.json`), then the sync token
//! (`sync.json`). Files 0600, written atomically like the session; the
//! token is zeroized when dropped. No private key is ever stored here.

use crate::exit::{CliError, Exit};
use crate::session;
use amanat_core::timeutil::Day;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use zeroize::Zeroize;

/// File name of the sync token.
pub const SYNC_FILE: &str = "sync.json";
/// File name of the challenge waiting for its answer.
pub const PENDING_FILE: &str = "sync-pending.json";

/// A sync enrolment waiting for the offline machine's answer.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Pending {
    pub server: String,
    pub challenge_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ca_file: Option<PathBuf>,
}

/// A sync token and where it works.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SyncToken {
    pub server: String,
    pub token: String,
    pub reviewer_id: String,
    pub reviewer_name: String,
    pub desk_key: String,
    pub expires: Day,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ca_file: Option<PathBuf>,
}

impl Drop for SyncToken {
    fn drop(&mut self) {
        self.token.zeroize();
    }
}

/// Loads the profile's sync token; 3 ("not logged in") without one.
pub fn load(dir: &Path) -> Result<SyncToken, CliError> {
    let none = || {
        CliError::new(
            Exit::NotLoggedIn,
            "this profile has no sync token; enrol a desk first (`amanat sync challenge`, \
             docs/reviewers.md)",
        )
    };
    let t: Option<SyncToken> = load_opt(dir, SYNC_FILE)?;
    t.ok_or_else(none)
}

/// Loads one of the files above, if present.
pub fn load_opt<T: serde::de::DeserializeOwned>(
    dir: &Path,
    name: &str,
) -> Result<Option<T>, CliError> {
    let path = dir.join(name);
    if !path.exists() {
        return Ok(None);
    }
    let v: Option<T> = session::load_state(dir, name)?;
    Ok(v)
}

/// Saves one of the files above (0600, atomically).
pub fn save<T: Serialize>(dir: &Path, name: &str, value: &T) -> Result<(), CliError> {
    let mut text =
        serde_json::to_vec_pretty(value).map_err(|e| CliError::general(e.to_string()))?;
    let r = session::write_private(dir, name, &text);
    text.zeroize();
    Ok(r?)
}

/// Deletes one of the files above.
pub fn remove(dir: &Path, name: &str) -> Result<(), CliError> {
    match std::fs::remove_file(dir.join(name)) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(CliError::general(format!("cannot delete {name}: {e}"))),
    }
}
