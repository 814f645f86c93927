//! The backup file format: what `amanatd backup` writes and `restore`
//! reads, and the bytes of a backup of an open store (which the control
//! socket also serves).
//!
//! A backup is a point-in-time copy of every store tree (taken under the
//! store's write gate, so a report is present with all its envelopes or not
//! at all) plus `amanat.toml` and the encrypted attachment blobs in
//! `blobs/`. It holds exactly what the data dir holds:
//! age ciphertext and the plaintext triage metadata of SECURITY.md; never a
//! key that opens a report. It is written with mode 0600 all the same, and
//! is never written over an existing file.
//!
//! Layout (all integers big-endian):
//!
//! ```text
//! "AMANAT-BACKUP\n"  format:u32  schema:u32
//! records, each:  1 name_len:u16 name key_len:u32 key value_len:u32 value   (tree entry)
//!                 2 path_len:u16 path len:u64 bytes                         (file)
//! 0  record_count:u64  sha256(everything before):[u8; 32]
//! ```
//!
//! The SHA-256 detects damage and truncation, not tampering: anyone who can
//! change the file can recompute it. Keep backups where the data dir would
//! be kept. Restore verifies the format version, the checksum, the schema
//! version and every report's envelopes before it writes anything, and
//! never writes into a data dir that already holds a store.

use super::OpsError;
use crate::store::{SCHEMA_VERSION, Snapshot, Store};
use sha2::{Digest, Sha256};
use std::path::{Component, Path};

/// First bytes of every backup file.
pub const MAGIC: &[u8] = b"AMANAT-BACKUP\n";
/// Version of this layout.
pub const FORMAT_VERSION: u32 = 1;

const TREE: u8 = 1;
const FILE: u8 = 2;
const END: u8 = 0;

/// Files of the data dir that go into a backup besides the store.
const FILES: &[&str] = &[crate::config::CONFIG_FILE];

/// Directory of encrypted attachment blobs, backed up file by file. Blobs
/// are made durable before the transaction that refers to them, so every
/// blob a snapshot refers to exists when the directory is read after it.
const BLOBS: &str = crate::store::BLOBS_DIR;

/// What a backup holds once decoded and verified.
#[derive(Debug)]
pub struct Backup {
    pub snapshot: Snapshot,
    /// (path relative to the data dir, contents).
    pub files: Vec<(String, Vec<u8>)>,
    pub reports: usize,
}

/// The bytes of a backup of an open store (used by the control socket, and
/// directly when no server runs).
pub fn snapshot_bytes(store: &Store) -> Result<Vec<u8>, OpsError> {
    let snapshot = store.snapshot()?;
    // Never produce a backup that restore would refuse.
    snapshot.verify()?;
    let mut files = Vec::new();
    for name in FILES {
        let path = store.dir().join(name);
        match std::fs::read(&path) {
            Ok(bytes) => files.push((name.to_string(), bytes)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(OpsError::io(&path, e)),
        }
    }
    let blobs = store.dir().join(BLOBS);
    if blobs.is_dir() {
        let mut names = Vec::new();
        for e in std::fs::read_dir(&blobs).map_err(|e| OpsError::io(&blobs, e))? {
            let e = e.map_err(|e| OpsError::io(&blobs, e))?;
            if e.file_type().is_ok_and(|t| t.is_file()) {
                names.push(e.file_name().to_string_lossy().into_owned());
            }
        }
        names.sort();
        for name in names {
            let path = blobs.join(&name);
            let bytes = std::fs::read(&path).map_err(|e| OpsError::io(&path, e))?;
            files.push((format!("{BLOBS}/{name}"), bytes));
        }
    }
    encode(&snapshot, &files)
}

/// Serializes a snapshot and files in the layout above.
pub fn encode(snapshot: &Snapshot, files: &[(String, Vec<u8>)]) -> Result<Vec<u8>, OpsError> {
    let too_big = |what: &str| OpsError::Backup(format!("{what} is too large for the format"));
    let mut out = Vec::new();
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&FORMAT_VERSION.to_be_bytes());
    // The schema of the store copied (an older one before its migration).
    out.extend_from_slice(&snapshot.schema_version().to_be_bytes());
    let mut count: u64 = 0;
    for (name, entries) in &snapshot.trees {
        let name_len = u16::try_from(name.len()).map_err(|_| too_big("a tree name"))?;
        for (k, v) in entries {
            out.push(TREE);
            out.extend_from_slice(&name_len.to_be_bytes());
            out.extend_from_slice(name);
            for part in [k, v] {
                let len = u32::try_from(part.len()).map_err(|_| too_big("a record"))?;
                out.extend_from_slice(&len.to_be_bytes());
                out.extend_from_slice(part);
            }
            count += 1;
        }
    }
    for (path, contents) in files {
        let len = u16::try_from(path.len()).map_err(|_| too_big("a file name"))?;
        out.push(FILE);
        out.extend_from_slice(&len.to_be_bytes());
        out.extend_from_slice(path.as_bytes());
        out.extend_from_slice(&(contents.len() as u64).to_be_bytes());
        out.extend_from_slice(contents);
        count += 1;
    }
    out.push(END);
    out.extend_from_slice(&count.to_be_bytes());
    let sum = Sha256::digest(&out);
    out.extend_from_slice(&sum);
    Ok(out)
}

/// Parses and verifies a backup: magic, format version, checksum, record
/// count, schema version, every report's envelopes, safe file names.
pub fn decode(bytes: &[u8]) -> Result<Backup, OpsError> {
    let bad = |why: &str| OpsError::Backup(format!("not a usable Amanat backup: {why}"));
    if !bytes.starts_with(MAGIC) {
        return Err(bad("it does not start with the Amanat backup header"));
    }
    let mut r = Reader {
        buf: bytes,
        pos: MAGIC.len(),
    };
    let format = r.u32().ok_or_else(|| bad("it is truncated"))?;
    if format != FORMAT_VERSION {
        return Err(OpsError::Backup(format!(
            "backup format version {format} is not supported by this amanatd (it reads version \
             {FORMAT_VERSION}); restore with the amanatd version that wrote it"
        )));
    }
    if bytes.len() < r.pos + 4 + 1 + 8 + 32 {
        return Err(bad("it is truncated"));
    }
    let (body, sum) = bytes.split_at(bytes.len() - 32);
    if Sha256::digest(body).as_slice() != sum {
        return Err(bad(
            "the checksum does not match: the file is damaged or incomplete",
        ));
    }
    let schema = r.u32().ok_or_else(|| bad("it is truncated"))?;
    // An older schema is restored, then migrated (`Store::restore_snapshot`).
    if !(crate::store::OLDEST_SCHEMA..=SCHEMA_VERSION).contains(&schema) {
        return Err(OpsError::Store(crate::store::StoreError::Schema {
            found: schema,
            expected: SCHEMA_VERSION,
        }));
    }
    let mut snapshot = Snapshot::default();
    let mut files = Vec::new();
    let mut count: u64 = 0;
    loop {
        match r.u8().ok_or_else(|| bad("it is truncated"))? {
            END => break,
            TREE => {
                let name = r.bytes16().ok_or_else(|| bad("a record is truncated"))?;
                let k = r.bytes32().ok_or_else(|| bad("a record is truncated"))?;
                let v = r.bytes32().ok_or_else(|| bad("a record is truncated"))?;
                match snapshot.trees.last_mut() {
                    Some((n, entries)) if n.as_slice() == name => {
                        entries.push((k.to_vec(), v.to_vec()))
                    }
                    _ => snapshot
                        .trees
                        .push((name.to_vec(), vec![(k.to_vec(), v.to_vec())])),
                }
            }
            FILE => {
                let name = r
                    .bytes16()
                    .ok_or_else(|| bad("a file record is truncated"))?;
                let len = r.u64().ok_or_else(|| bad("a file record is truncated"))?;
                let contents = usize::try_from(len)
                    .ok()
                    .and_then(|n| r.take(n))
                    .ok_or_else(|| bad("a file record is truncated"))?;
                let name = std::str::from_utf8(name)
                    .ok()
                    .filter(|n| is_expected_file(n))
                    .ok_or_else(|| bad("it names an unexpected file"))?;
                files.push((name.to_string(), contents.to_vec()));
            }
            _ => return Err(bad("unknown record type")),
        }
        count += 1;
    }
    if r.u64() != Some(count) || r.pos != body.len() {
        return Err(bad("the record count does not match"));
    }
    let reports = snapshot.verify()?;
    Ok(Backup {
        snapshot,
        files,
        reports,
    })
}

/// The config file, or one file directly inside `blobs/`.
pub(super) fn is_expected_file(name: &str) -> bool {
    let blob = name
        .strip_prefix(BLOBS)
        .and_then(|r| r.strip_prefix('/'))
        .is_some_and(|b| !b.is_empty() && !b.contains('/'));
    (FILES.contains(&name) || blob) && is_plain_relative(name)
}

fn is_plain_relative(name: &str) -> bool {
    let p = Path::new(name);
    !name.is_empty() && p.components().all(|c| matches!(c, Component::Normal(_)))
}

/// A bounds-checked cursor: a damaged file yields `None`, never a panic.
struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let end = self.pos.checked_add(n)?;
        let s = self.buf.get(self.pos..end)?;
        self.pos = end;
        Some(s)
    }
    fn u8(&mut self) -> Option<u8> {
        self.take(1).map(|b| b[0])
    }
    fn u32(&mut self) -> Option<u32> {
        self.take(4)?.try_into().ok().map(u32::from_be_bytes)
    }
    fn u64(&mut self) -> Option<u64> {
        self.take(8)?.try_into().ok().map(u64::from_be_bytes)
    }
    fn bytes16(&mut self) -> Option<&'a [u8]> {
        let n: [u8; 2] = self.take(2)?.try_into().ok()?;
        self.take(usize::from(u16::from_be_bytes(n)))
    }
    fn bytes32(&mut self) -> Option<&'a [u8]> {
        let n = usize::try_from(self.u32()?).ok()?;
        self.take(n)
    }
}
