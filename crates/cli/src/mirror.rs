//! The mirror: one server's ciphertext, kept on disk by `amanat sync` for
//! reading on a machine that never touches a network (docs/reviewers.md,
//! "Air-gapped review").
//!
//! Layout of a mirror directory (0700, files 0600):
//!
//! - `manifest.json`: the server, the reviewer, the day of the last
//!   complete sync, the SHA-256 and size of every file below, and the
//!   version of every report mirrored completely;
//! - `queue.json`: the queue's triage metadata (state, urgency, days,
//!   assignee) — what the server itself keeps in plaintext, nothing more;
//! - `questionnaire.json`: the form's questions and option labels;
//! - `recipients.json`: the reviewers' public keys, to encrypt notes to;
//! - `reports/<id>.json`: a report's age envelopes (base64) and the ids of
//!   its attachment files;
//! - `blobs/<id>`: the attachment files, age ciphertext as stored;
//! - `.partial/`: files being written. A file is streamed there, fsynced,
//!   hashed and renamed into place; only then is it in the manifest. A run
//!   that is killed leaves at most a partial file, which the next run
//!   removes: partially written files never count.
//!
//! Nothing in a mirror is plaintext of a report: every envelope and file is
//! age ciphertext, checked to be one ([`check_envelope`]). Every read goes
//! through [`Mirror::read`], which checks the file against its hash.

use crate::exit::{CliError, Exit};
use amanat_core::timeutil::Day;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
use std::path::{Path, PathBuf};

/// Format tag of a mirror's manifest.
pub const FORMAT: &str = "amanat.mirror/1";
/// The manifest's file name.
pub const MANIFEST: &str = "manifest.json";
/// The queue's file name.
pub const QUEUE: &str = "queue.json";
/// The questionnaire's labels (public: the form's questions).
pub const QUESTIONNAIRE: &str = "questionnaire.json";
/// Who notes are encrypted to (public keys and names).
pub const RECIPIENTS: &str = "recipients.json";
/// The directory of files being written.
const PARTIAL: &str = ".partial";

/// What a mirror holds, and the hash of every file.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    pub format: String,
    pub server: String,
    pub reviewer_id: String,
    /// The reviewer's display name (it signs the notes written offline).
    #[serde(default)]
    pub reviewer_name: String,
    /// The day the last complete sync ended.
    #[serde(default)]
    pub synced: Option<Day>,
    /// Every file by path relative to the mirror.
    #[serde(default)]
    pub files: BTreeMap<String, FileEntry>,
    /// The version of each report mirrored completely.
    #[serde(default)]
    pub reports: BTreeMap<String, String>,
}

/// One file's hash and size.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileEntry {
    pub sha256: String,
    pub size: u64,
}

/// An open mirror directory.
pub struct Mirror {
    pub dir: PathBuf,
    pub manifest: Manifest,
}

impl Mirror {
    /// Opens the mirror at `dir` for `server`, creating it if it does not
    /// exist; a mirror of another server or reviewer is refused. Leftover
    /// partial files of an interrupted run are removed.
    pub fn open_for(dir: &Path, server: &str, reviewer_id: &str) -> Result<Mirror, CliError> {
        mkdir(dir)?;
        let mut m = match Mirror::open(dir) {
            Ok(m) => m,
            Err(e) if e.code == Exit::NotFound => Mirror {
                dir: dir.to_path_buf(),
                manifest: Manifest {
                    format: FORMAT.into(),
                    server: server.into(),
                    reviewer_id: reviewer_id.into(),
                    ..Manifest::default()
                },
            },
            Err(e) => return Err(e),
        };
        if m.manifest.server != server || m.manifest.reviewer_id != reviewer_id {
            return Err(CliError::usage(format!(
                "{} mirrors {} for another reviewer or server; use another --mirror directory",
                dir.display(),
                m.manifest.server
            )));
        }
        let _ = std::fs::remove_dir_all(dir.join(PARTIAL));
        m.manifest.format = FORMAT.into();
        Ok(m)
    }

    /// Opens an existing mirror (to read it); 4 if there is none.
    pub fn open(dir: &Path) -> Result<Mirror, CliError> {
        let path = dir.join(MANIFEST);
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(CliError::new(
                    Exit::NotFound,
                    format!(
                        "{} is not a mirror (no {MANIFEST}); run `amanat sync`",
                        dir.display()
                    ),
                ));
            }
            Err(e) => {
                return Err(CliError::general(format!(
                    "cannot read {}: {e}",
                    path.display()
                )));
            }
        };
        let manifest: Manifest = serde_json::from_str(&text).map_err(|e| {
            CliError::general(format!(
                "{} is damaged ({e}); run `amanat sync` again",
                path.display()
            ))
        })?;
        if manifest.format != FORMAT {
            return Err(CliError::general(format!(
                "{} is a mirror of format {:?}; this amanat reads {FORMAT}",
                dir.display(),
                manifest.format
            )));
        }
        Ok(Mirror {
            dir: dir.to_path_buf(),
            manifest,
        })
    }

    /// Writes `bytes` as file `rel` (see [`Mirror::write_from`]).
    pub fn write(&mut self, rel: &str, bytes: &[u8]) -> Result<(), CliError> {
        self.write_from(rel, &mut &bytes[..], |_| {})
    }

    /// Streams `from` into file `rel`: to a partial file, fsynced, hashed,
    /// renamed into place, then recorded (in memory: [`Mirror::save`]
    /// makes it count). `progress` is told of each chunk's length.
    pub fn write_from(
        &mut self,
        rel: &str,
        from: &mut dyn Read,
        mut progress: impl FnMut(u64),
    ) -> Result<(), CliError> {
        let target = self.path_of(rel)?;
        let partial = self.dir.join(PARTIAL);
        mkdir(&partial)?;
        if let Some(parent) = target.parent() {
            mkdir(parent)?;
        }
        let err = |e: std::io::Error| {
            CliError::general(format!("cannot write {} in the mirror: {e}", rel))
        };
        let tmp = tempfile::Builder::new()
            .permissions(std::fs::Permissions::from_mode(0o600))
            .tempfile_in(&partial)
            .map_err(err)?;
        let mut file = tmp.as_file();
        let mut hash = Sha256::new();
        let mut size = 0u64;
        let mut buf = vec![0u8; 256 * 1024];
        loop {
            let n = match from.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => {
                    return Err(CliError::new(
                        Exit::Unreachable,
                        format!("the transfer of {rel} broke off: {e}; run `amanat sync` again"),
                    ));
                }
            };
            hash.update(&buf[..n]);
            file.write_all(&buf[..n]).map_err(err)?;
            size += n as u64;
            progress(n as u64);
        }
        file.sync_all().map_err(err)?;
        tmp.persist(&target).map_err(|e| err(e.error))?;
        if let Some(parent) = target.parent() {
            let _ = std::fs::File::open(parent).and_then(|d| d.sync_all());
        }
        self.manifest.files.insert(
            rel.to_string(),
            FileEntry {
                sha256: data_encoding::HEXLOWER.encode(&hash.finalize()),
                size,
            },
        );
        Ok(())
    }

    /// True if file `rel` is recorded (with its hash) and present.
    pub fn has(&self, rel: &str) -> bool {
        self.manifest.files.contains_key(rel) && self.dir.join(rel).is_file()
    }

    /// Reads file `rel`, refusing it unless it matches its recorded hash.
    pub fn read(&self, rel: &str) -> Result<Vec<u8>, CliError> {
        let entry =
            self.manifest.files.get(rel).ok_or_else(|| {
                CliError::new(Exit::NotFound, format!("{rel} is not in the mirror"))
            })?;
        let path = self.path_of(rel)?;
        let bytes = std::fs::read(&path)
            .map_err(|e| CliError::general(format!("cannot read {}: {e}", path.display())))?;
        if data_encoding::HEXLOWER.encode(&Sha256::digest(&bytes)) != entry.sha256 {
            return Err(CliError::new(
                Exit::Decrypt,
                format!(
                    "{} does not match the hash the mirror recorded: it was damaged or changed; \
                     sync again",
                    path.display()
                ),
            ));
        }
        Ok(bytes)
    }

    /// Checks every file against its hash; returns the paths that fail.
    pub fn verify(&self) -> Vec<String> {
        self.manifest
            .files
            .keys()
            .filter(|rel| self.read(rel).is_err())
            .cloned()
            .collect()
    }

    /// Saves the manifest (0600, atomically): what it lists now counts.
    pub fn save(&self) -> Result<(), CliError> {
        let text = serde_json::to_vec_pretty(&self.manifest)
            .map_err(|e| CliError::general(e.to_string()))?;
        crate::session::write_private(&self.dir, MANIFEST, &text).map_err(CliError::from)
    }

    /// The path of `rel`, which must be a plain relative path made here.
    fn path_of(&self, rel: &str) -> Result<PathBuf, CliError> {
        let ok = !rel.is_empty()
            && rel
                .split('/')
                .all(|c| !c.is_empty() && c != "." && c != ".." && !c.starts_with('.'));
        if !ok {
            return Err(CliError::general(format!("{rel:?} is not a mirror path")));
        }
        Ok(self.dir.join(rel))
    }
}

/// The mirror path of a report's file.
pub fn report_path(id: &str) -> String {
    format!("reports/{id}.json")
}

/// The mirror path of an attachment file.
pub fn blob_path(id: &str) -> String {
    format!("blobs/{id}")
}

/// Checks that base64 `ciphertext` is an age file with exactly one X25519
/// stanza per recipient the server lists for it.
pub fn check_envelope(ciphertext: &str, recipients: usize) -> Result<(), String> {
    let ct = data_encoding::BASE64
        .decode(ciphertext.as_bytes())
        .map_err(|_| "not base64".to_string())?;
    check_age(&ct, Some(recipients))
}

/// Checks that `ct` starts as an age file addressed to X25519 recipients
/// only (to `count` of them, when given).
pub fn check_age(ct: &[u8], count: Option<usize>) -> Result<(), String> {
    let types = amanat_core::crypto::envelope::stanza_types(ct)
        .map_err(|_| "not an age file".to_string())?;
    if types.is_empty() || types.iter().any(|t| t != "X25519") {
        return Err(format!("addressed to {types:?}, not to X25519 recipients"));
    }
    match count {
        Some(n) if n != types.len() => Err(format!(
            "addressed to {} recipient(s), but the server lists {n}",
            types.len()
        )),
        _ => Ok(()),
    }
}

/// Creates `dir` (and its parents) with mode 0700.
fn mkdir(dir: &Path) -> Result<(), CliError> {
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
        .map_err(|e| CliError::general(format!("cannot create {}: {e}", dir.display())))
}

#[cfg(test)]
mod tests;
