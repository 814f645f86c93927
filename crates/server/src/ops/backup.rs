//! `amanatd backup` and `amanatd restore`: the backup file format.
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
use std::io::Write;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::{Component, Path, PathBuf};

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

/// Summary of a backup or restore, for the operator.
#[derive(Debug, Clone, Copy)]
pub struct Summary {
    pub reports: usize,
    pub bytes: u64,
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

/// `amanatd backup`: writes a verified backup of `data_dir` to `out`,
/// through the running server if there is one.
pub fn backup(data_dir: &Path, out: &Path) -> Result<Summary, OpsError> {
    if out.exists() {
        return Err(OpsError::Backup(format!(
            "{} already exists; choose a new file name (a backup never overwrites a file)",
            out.display()
        )));
    }
    let bytes = match super::control::request(data_dir, super::control::BACKUP)? {
        Some(bytes) => bytes,
        None => snapshot_bytes(&Store::open(data_dir)?)?,
    };
    // Check what we received before calling it a backup.
    let decoded = decode(&bytes)?;
    let parent = match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let mut tmp = tempfile::Builder::new()
        .prefix(".amanat-backup-")
        .permissions(std::os::unix::fs::PermissionsExt::from_mode(0o600))
        .tempfile_in(&parent)
        .map_err(|e| OpsError::io(&parent, e))?;
    tmp.write_all(&bytes)
        .and_then(|_| tmp.as_file().sync_all())
        .map_err(|e| OpsError::io(tmp.path(), e))?;
    tmp.persist_noclobber(out)
        .map_err(|e| OpsError::io(out, e.error))?;
    sync_dir(&parent);
    Ok(Summary {
        reports: decoded.reports,
        bytes: bytes.len() as u64,
    })
}

/// `amanatd restore`: verifies `input` and creates a new data dir from it.
/// Creates a new data directory from a backup. The restored audit chain
/// must verify and pass through every anchor given (entries reviewers saw,
/// `amanat audit anchors`); a chain rewritten by whoever held the backup
/// fails here.
pub fn restore(
    input: &Path,
    data_dir: &Path,
    anchors: &[amanat_core::audit::ExportedAnchor],
) -> Result<Summary, OpsError> {
    let bytes = std::fs::read(input).map_err(|e| OpsError::io(input, e))?;
    let backup = decode(&bytes)?;
    if data_dir.join(crate::store::DB_DIR).exists() {
        return Err(OpsError::Backup(format!(
            "{} already holds an Amanat store; restore only into a new, empty directory",
            data_dir.display()
        )));
    }
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(data_dir)
        .map_err(|e| OpsError::io(data_dir, e))?;
    for (name, _) in &backup.files {
        let path = data_dir.join(name);
        if path.exists() {
            return Err(OpsError::Backup(format!(
                "{} already exists; restore only into a new, empty directory",
                path.display()
            )));
        }
    }
    let store = Store::restore_snapshot(data_dir, &backup.snapshot)?;
    for (name, contents) in &backup.files {
        let path = data_dir.join(name);
        if let Some(parent) = path.parent().filter(|p| *p != data_dir) {
            std::fs::DirBuilder::new()
                .recursive(true)
                .mode(0o700)
                .create(parent)
                .map_err(|e| OpsError::io(parent, e))?;
        }
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&path)
            .map_err(|e| OpsError::io(&path, e))?;
        f.write_all(contents)
            .and_then(|_| f.sync_all())
            .map_err(|e| OpsError::io(&path, e))?;
    }
    sync_dir(data_dir);
    let entries = store.audit_entries()?;
    amanat_core::audit::verify_against(&entries, anchors).map_err(|e| {
        OpsError::Backup(format!(
            "restored, but the audit chain does not verify: {e}"
        ))
    })?;
    if store.report_count() != backup.reports {
        return Err(OpsError::Backup(format!(
            "restored {} reports where the backup holds {}",
            store.report_count(),
            backup.reports
        )));
    }
    Ok(Summary {
        reports: backup.reports,
        bytes: bytes.len() as u64,
    })
}

/// Serializes a snapshot and files in the layout above.
pub fn encode(snapshot: &Snapshot, files: &[(String, Vec<u8>)]) -> Result<Vec<u8>, OpsError> {
    let too_big = |what: &str| OpsError::Backup(format!("{what} is too large for the format"));
    let mut out = Vec::new();
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&FORMAT_VERSION.to_be_bytes());
    out.extend_from_slice(&SCHEMA_VERSION.to_be_bytes());
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
    if schema != SCHEMA_VERSION {
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
fn is_expected_file(name: &str) -> bool {
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

fn sync_dir(dir: &Path) {
    // Makes the new directory entries durable; failure only weakens
    // durability on a crash, the data itself was fsynced.
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{EnvelopeKind, NewEnvelope, NewReport};
    use amanat_core::model::{Anonymity, Urgency};

    fn store_with_report() -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().unwrap();
        let s = Store::create(dir.path()).unwrap();
        s.insert_report(NewReport {
            source: None,
            blobs: Vec::new(),
            anonymity: Anonymity::Anonymous,
            urgency: Urgency::High,
            envelopes: vec![NewEnvelope {
                kind: EnvelopeKind::Report,
                ciphertext: b"sealed".to_vec(),
                recipients: vec!["age1x".into()],
            }],
        })
        .unwrap();
        std::fs::write(dir.path().join("amanat.toml"), "# cfg\n").unwrap();
        std::fs::create_dir_all(dir.path().join("blobs")).unwrap();
        std::fs::write(dir.path().join("blobs/abc"), "sealed blob").unwrap();
        (dir, s)
    }

    #[test]
    fn round_trip_and_restore_refuses_an_existing_store() {
        let (dir, s) = store_with_report();
        let bytes = snapshot_bytes(&s).unwrap();
        let b = decode(&bytes).unwrap();
        assert_eq!(b.reports, 1);
        assert_eq!(
            b.files,
            vec![
                ("amanat.toml".to_string(), b"# cfg\n".to_vec()),
                ("blobs/abc".to_string(), b"sealed blob".to_vec()),
            ]
        );
        let file = dir.path().join("b.amanat");
        std::fs::write(&file, &bytes).unwrap();
        let target = tempfile::tempdir().unwrap();
        let new = target.path().join("restored");
        assert_eq!(restore(&file, &new, &[]).unwrap().reports, 1);
        let e = restore(&file, &new, &[]).unwrap_err().to_string();
        assert!(e.contains("already holds an Amanat store"), "{e}");
        assert_eq!(
            std::fs::read(new.join("blobs/abc")).unwrap(),
            b"sealed blob"
        );
        let r = Store::open(&new).unwrap();
        let meta = r.reports().unwrap().pop().unwrap();
        assert_eq!(
            r.envelope(&meta.envelopes[0].id).unwrap().unwrap(),
            b"sealed"
        );
    }

    #[test]
    fn damage_truncation_and_other_versions_are_refused() {
        let (_dir, s) = store_with_report();
        let bytes = snapshot_bytes(&s).unwrap();
        let mut flipped = bytes.clone();
        let mid = flipped.len() / 2;
        flipped[mid] ^= 1;
        let e = decode(&flipped).unwrap_err().to_string();
        assert!(e.contains("checksum"), "{e}");
        for n in [0, 10, MAGIC.len() + 3, bytes.len() - 1] {
            assert!(decode(&bytes[..n]).is_err(), "truncated at {n}");
        }
        let mut v2 = bytes.clone();
        v2[MAGIC.len() + 3] = 2;
        let e = decode(&v2).unwrap_err().to_string();
        assert!(e.contains("format version 2"), "{e}");
    }

    #[test]
    fn only_expected_file_names_are_accepted() {
        assert!(is_expected_file("amanat.toml"));
        assert!(is_expected_file("blobs/ABC234"));
        for bad in [
            "../x",
            "/etc/passwd",
            "blobs/../x",
            "blobs/a/b",
            "blobs/",
            "other",
            "blobs",
        ] {
            assert!(!is_expected_file(bad), "{bad}");
        }
    }

    #[test]
    fn a_report_without_its_envelope_is_refused() {
        let (_dir, s) = store_with_report();
        let mut snap = s.snapshot().unwrap();
        for (name, entries) in &mut snap.trees {
            if name.as_slice() == b"envelopes" {
                entries.clear();
            }
        }
        let bytes = encode(&snap, &[]).unwrap();
        let e = decode(&bytes).unwrap_err().to_string();
        assert!(e.contains("lacks its envelope"), "{e}");
    }
}
