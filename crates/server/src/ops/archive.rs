//! The backup file format: what `amanatd backup` writes and `restore`
//! reads, written and read as a stream so that memory stays bounded
//! whatever the store's size: [`write_store`] and [`Encoder`] write it,
//! [`Decoder`] reads it back.
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
//! Tree entries come in store order (tree names ascending, keys ascending
//! within a tree); restore checks it. The SHA-256 detects damage and
//! truncation, not tampering: anyone who can change the file can recompute
//! it. Keep backups where the data dir would be kept. Restore verifies the
//! format version, the checksum, the schema version and every report's
//! envelopes before it writes anything, and never writes into a data dir
//! that already holds a store.
//!
//! Memory: an entry is held only while it is written or read (the largest
//! is an envelope, bounded by the intake limits); files go through buffers
//! of [`CHUNK`] bytes. Nothing here collects a tree, a file or the stream.

mod decode;

pub use decode::{Decoded, Decoder, FileSink};

use super::OpsError;
use crate::store::{Store, TreeSink};
use sha2::{Digest, Sha256};
use std::io::{self, BufWriter, Read, Write};
use std::path::{Component, Path};

/// First bytes of every backup file.
pub const MAGIC: &[u8] = b"AMANAT-BACKUP\n";
/// Version of this layout.
pub const FORMAT_VERSION: u32 = 1;
/// The buffer between the store or a file and the backup stream.
pub const CHUNK: usize = 64 << 10;

const TREE: u8 = 1;
const FILE: u8 = 2;
const END: u8 = 0;

/// Files of the data dir that go into a backup besides the store.
const FILES: &[&str] = &[crate::config::CONFIG_FILE];

/// Directory of encrypted attachment blobs, backed up file by file. Blobs
/// are made durable before the transaction that refers to them, so every
/// blob an export refers to exists when the directory is read after it.
const BLOBS: &str = crate::store::BLOBS_DIR;

/// What [`write_store`] wrote.
#[derive(Clone, Copy, Debug)]
pub struct Written {
    /// The size of the backup.
    pub bytes: u64,
    /// How long writes to the store waited: the time to copy its trees.
    pub paused: std::time::Duration,
}

/// Writes a backup of an open store to `out`. The trees are written under
/// the store's write gate (writes wait meanwhile, see [`Store::export`]);
/// the files after the gate is released, each read once from one open file
/// (a re-keyed attachment is renamed over the old one: the copy is the old
/// file or the new, never a mix).
pub fn write_store<W: Write>(store: &Store, out: W) -> Result<Written, OpsError> {
    let mut enc = Encoder::new(out);
    let started = std::time::Instant::now();
    store.export(&mut enc)?;
    let paused = started.elapsed();
    for name in FILES {
        let path = store.dir().join(name);
        match std::fs::File::open(&path) {
            Ok(f) => enc.file_from(name, &path, f)?,
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => return Err(OpsError::io(&path, e)),
        }
    }
    let blobs = store.dir().join(BLOBS);
    if blobs.is_dir() {
        // Read as listed, never collected: the directory may hold millions.
        for e in std::fs::read_dir(&blobs).map_err(|e| OpsError::io(&blobs, e))? {
            let e = e.map_err(|e| OpsError::io(&blobs, e))?;
            let file_name = e.file_name();
            let Some(name) = file_name.to_str() else {
                return Err(OpsError::Backup(format!(
                    "{} holds a file whose name is not an attachment id",
                    blobs.display()
                )));
            };
            // Uploads in progress (`.upload-…`) are referred to by nothing.
            if name.starts_with('.') || !e.file_type().is_ok_and(|t| t.is_file()) {
                continue;
            }
            let path = e.path();
            let f = std::fs::File::open(&path).map_err(|err| match err.kind() {
                io::ErrorKind::NotFound => OpsError::Backup(
                    "an attachment was deleted while the backup was taken (a report was \
                     purged); take the backup again"
                        .into(),
                ),
                _ => OpsError::io(&path, err),
            })?;
            enc.file_from(&format!("{BLOBS}/{name}"), &path, f)?;
        }
    }
    Ok(Written {
        bytes: enc.finish()?,
        paused,
    })
}

/// Writes the layout above to a stream as it is fed, hashing as it goes.
pub struct Encoder<W: Write> {
    out: Hashing<BufWriter<W>>,
    count: u64,
}

impl<W: Write> Encoder<W> {
    /// An encoder writing to `out` (buffered here: `out` may be a bare
    /// file or socket). The header is written by [`TreeSink::begin`].
    pub fn new(out: W) -> Encoder<W> {
        Encoder {
            out: Hashing::new(BufWriter::with_capacity(CHUNK, out)),
            count: 0,
        }
    }

    /// A file record: `name` (relative to the data dir) and exactly `len`
    /// bytes from `contents`, copied through a bounded buffer.
    pub fn file(&mut self, name: &str, len: u64, contents: impl Read) -> Result<(), OpsError> {
        let name_len = u16::try_from(name.len()).map_err(|_| too_big("a file name"))?;
        let out = &mut self.out;
        out.write_all(&[FILE]).map_err(written)?;
        out.write_all(&name_len.to_be_bytes()).map_err(written)?;
        out.write_all(name.as_bytes()).map_err(written)?;
        out.write_all(&len.to_be_bytes()).map_err(written)?;
        let copied = io::copy(&mut contents.take(len), out).map_err(written)?;
        if copied != len {
            return Err(OpsError::Backup(format!(
                "{name} shrank while it was copied; take the backup again"
            )));
        }
        self.count += 1;
        Ok(())
    }

    /// Ends the stream (record count and checksum), flushes it and returns
    /// its size in bytes.
    pub fn finish(mut self) -> Result<u64, OpsError> {
        self.out.write_all(&[END]).map_err(written)?;
        let count = self.count.to_be_bytes();
        self.out.write_all(&count).map_err(written)?;
        let sum = self.out.hasher.finalize_reset();
        self.out.inner.write_all(&sum).map_err(written)?;
        self.out.inner.flush().map_err(written)?;
        Ok(self.out.bytes + sum.len() as u64)
    }

    fn file_from(&mut self, name: &str, path: &Path, f: std::fs::File) -> Result<(), OpsError> {
        let len = f.metadata().map_err(|e| OpsError::io(path, e))?.len();
        self.file(name, len, f)
    }
}

impl<W: Write> TreeSink for Encoder<W> {
    type Error = OpsError;
    fn begin(&mut self, schema: u32) -> Result<(), OpsError> {
        // The schema of the store copied (an older one before its migration).
        for part in [MAGIC, &FORMAT_VERSION.to_be_bytes(), &schema.to_be_bytes()] {
            self.out.write_all(part).map_err(written)?;
        }
        Ok(())
    }
    fn entry(&mut self, tree: &[u8], key: &[u8], value: &[u8]) -> Result<(), OpsError> {
        let name_len = u16::try_from(tree.len()).map_err(|_| too_big("a tree name"))?;
        let out = &mut self.out;
        out.write_all(&[TREE]).map_err(written)?;
        out.write_all(&name_len.to_be_bytes()).map_err(written)?;
        out.write_all(tree).map_err(written)?;
        for part in [key, value] {
            let len = u32::try_from(part.len()).map_err(|_| too_big("a record"))?;
            out.write_all(&len.to_be_bytes()).map_err(written)?;
            out.write_all(part).map_err(written)?;
        }
        self.count += 1;
        Ok(())
    }
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

fn too_big(what: &str) -> OpsError {
    OpsError::Backup(format!("{what} is too large for the format"))
}

fn written(e: io::Error) -> OpsError {
    OpsError::Backup(format!("could not write the backup: {e}"))
}

/// A reader or writer that hashes and counts the bytes that pass through.
struct Hashing<T> {
    inner: T,
    hasher: Sha256,
    bytes: u64,
}

impl<T> Hashing<T> {
    fn new(inner: T) -> Hashing<T> {
        Hashing {
            inner,
            hasher: Sha256::new(),
            bytes: 0,
        }
    }
}

impl<T: Write> Write for Hashing<T> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hasher.update(&buf[..n]);
        self.bytes += n as u64;
        Ok(n)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

impl<T: Read> Read for Hashing<T> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hasher.update(&buf[..n]);
        self.bytes += n as u64;
        Ok(n)
    }
}
