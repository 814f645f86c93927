//! The offline desk key and the files carried between the online and the
//! offline machine to enrol it (docs/reviewers.md, "Air-gapped review").
//!
//! The desk key is an Ed25519 key made on the offline machine, which never
//! leaves it: its public half is enrolled on the server, and it signs what
//! the offline machine sends back. The key file is one line,
//! `AMANAT-DESK-KEY-1 <base64 of the 32-byte secret>`, mode 0600; a file
//! that others may read is refused, as identity files are. The secret is
//! zeroized when dropped (ed25519-dalek's `zeroize` feature).
//!
//! Enrolment files are JSON, one challenge (online → offline) and one
//! answer (offline → online). Neither holds a secret that outlives the
//! enrolment: the challenge is age ciphertext to the reviewer; the answer
//! is a hash binding the challenge's nonce to the desk key
//! ([`amanat_core::api::sync_enrol_response`]), usable once and only to
//! enrol that desk key.

use crate::exit::{CliError, Exit};
use data_encoding::BASE64;
use ed25519_dalek::{Signer, SigningKey};
use serde::{Deserialize, Serialize};
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use zeroize::Zeroizing;

/// The first word of a desk key file.
pub const KEY_TAG: &str = "AMANAT-DESK-KEY-1";
/// Format tag of a challenge file.
pub const CHALLENGE_FORMAT: &str = "amanat.sync-challenge/1";
/// Format tag of an answer file.
pub const ANSWER_FORMAT: &str = "amanat.sync-answer/1";

/// A desk key, loaded.
pub struct DeskKey(SigningKey);

impl DeskKey {
    /// A new desk key from the system's CSPRNG.
    pub fn generate() -> DeskKey {
        let mut secret = Zeroizing::new([0u8; 32]);
        amanat_core::crypto::random::fill(secret.as_mut());
        DeskKey(SigningKey::from_bytes(&secret))
    }

    /// The public half, standard base64 (as the server records it).
    pub fn public(&self) -> String {
        BASE64.encode(self.0.verifying_key().as_bytes())
    }

    /// Signs `message`.
    pub fn sign(&self, message: &[u8]) -> [u8; 64] {
        self.0.sign(message).to_bytes()
    }

    /// Writes the key to a new file `path` (0600, never overwriting).
    pub fn save(&self, path: &Path) -> Result<(), CliError> {
        let line = Zeroizing::new(format!("{KEY_TAG} {}\n", BASE64.encode(self.0.as_bytes())));
        crate::commands::write_new_file(path, line.as_bytes())
    }

    /// Reads the key file at `path`, refusing one others may read.
    pub fn load(path: &Path) -> Result<DeskKey, CliError> {
        let read_err =
            |e: std::io::Error| CliError::general(format!("cannot read {}: {e}", path.display()));
        let meta = std::fs::metadata(path).map_err(read_err)?;
        if meta.permissions().mode() & 0o077 != 0 {
            return Err(CliError::general(format!(
                "{} may be read by others: run `chmod 600 {}` (and ask whether someone copied it)",
                path.display(),
                path.display()
            )));
        }
        let text = Zeroizing::new(std::fs::read_to_string(path).map_err(read_err)?);
        let bad = || {
            CliError::general(format!(
                "{} is not a desk key file (from `amanat desk keygen`)",
                path.display()
            ))
        };
        let b64 = text
            .trim()
            .strip_prefix(KEY_TAG)
            .map(str::trim)
            .ok_or_else(bad)?;
        let raw = Zeroizing::new(BASE64.decode(b64.as_bytes()).map_err(|_| bad())?);
        let secret: Zeroizing<[u8; 32]> =
            Zeroizing::new(raw.as_slice().try_into().map_err(|_| bad())?);
        Ok(DeskKey(SigningKey::from_bytes(&secret)))
    }
}

/// The challenge file: carried from the online machine to the offline one.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChallengeFile {
    pub format: String,
    pub server: String,
    pub recipient: String,
    pub challenge_id: String,
    /// base64 age ciphertext of the nonce, to `recipient`.
    pub challenge: String,
}

/// The answer file: carried back from the offline machine.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AnswerFile {
    pub format: String,
    pub server: String,
    pub challenge_id: String,
    pub response: String,
    pub desk_key: String,
}

/// Reads a JSON file of type `T` whose `format` must be `format`.
pub fn read_json<T: serde::de::DeserializeOwned>(
    path: &Path,
    what: &str,
    format: &str,
) -> Result<T, CliError> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| CliError::general(format!("cannot read {}: {e}", path.display())))?;
    let v: serde_json::Value = serde_json::from_str(&text).map_err(|e| {
        CliError::new(
            Exit::Usage,
            format!("{} is not {what} ({e})", path.display()),
        )
    })?;
    if v.get("format").and_then(|f| f.as_str()) != Some(format) {
        return Err(CliError::new(
            Exit::Usage,
            format!("{} is not {what} (format {format})", path.display()),
        ));
    }
    serde_json::from_value(v).map_err(|e| {
        CliError::new(
            Exit::Usage,
            format!("{} is not {what} ({e})", path.display()),
        )
    })
}

#[cfg(test)]
mod tests;
