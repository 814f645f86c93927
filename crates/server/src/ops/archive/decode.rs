//! Reading a backup stream back: the header, then each record handed on as
//! it is read (tree entries to a [`TreeSink`], files to a callback that
//! reads them through a bounded reader), then the record count and the
//! checksum. Nothing is collected: memory is one entry and a few buffers.
//!
//! A damaged length field could claim gigabytes; [`Decoder::verify_checksum`]
//! reads the whole stream once, hashing only, so that callers check the
//! checksum before they trust any length (what `restore` and the check after
//! `backup` do). Even without it a length is never allocated up front: a
//! buffer grows only with bytes actually read.

use super::{CHUNK, END, FILE, FORMAT_VERSION, Hashing, MAGIC, TREE, is_expected_file};
use crate::ops::OpsError;
use crate::store::{OLDEST_SCHEMA, SCHEMA_VERSION, StoreError, TreeSink};
use sha2::Digest;
use std::io::{self, BufReader, Read};

/// Reads one backup stream.
pub struct Decoder<R: Read> {
    r: Hashing<BufReader<R>>,
    schema: u32,
}

/// What a whole stream held, once read to its end and checked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Decoded {
    /// The schema version of the store it copies.
    pub schema: u32,
    /// Tree entries and files.
    pub records: u64,
    /// The stream's size.
    pub bytes: u64,
}

/// Receives each file record: its name (checked: the config file or one
/// attachment), its length and a reader of exactly that many bytes. What
/// it leaves unread is skipped.
pub type FileSink<'a> = dyn FnMut(&str, u64, &mut dyn Read) -> Result<(), OpsError> + 'a;

impl<R: Read> Decoder<R> {
    /// Reads and checks the header: the magic, the format version.
    pub fn new(r: R) -> Result<Decoder<R>, OpsError> {
        let mut r = Hashing::new(BufReader::with_capacity(CHUNK, r));
        let mut magic = Vec::with_capacity(MAGIC.len());
        (&mut r)
            .take(MAGIC.len() as u64)
            .read_to_end(&mut magic)
            .map_err(read)?;
        if magic != MAGIC {
            return Err(bad("it does not start with the Amanat backup header"));
        }
        let format = u32::from_be_bytes(array(&mut r)?);
        if format != FORMAT_VERSION {
            return Err(OpsError::Backup(format!(
                "backup format version {format} is not supported by this amanatd (it reads \
                 version {FORMAT_VERSION}); restore with the amanatd version that wrote it"
            )));
        }
        let schema = u32::from_be_bytes(array(&mut r)?);
        Ok(Decoder { r, schema })
    }

    /// Reads the rest of a stream of `total_len` bytes, hashing only, and
    /// compares the checksum at its end.
    pub fn verify_checksum(mut self, total_len: u64) -> Result<(), OpsError> {
        let body = total_len
            .checked_sub(32)
            .filter(|b| *b >= self.r.bytes + 1 + 8)
            .ok_or_else(|| bad("it is truncated"))?;
        let rest = body - self.r.bytes;
        if io::copy(&mut (&mut self.r).take(rest), &mut io::sink()).map_err(read)? != rest {
            return Err(bad("it is truncated"));
        }
        self.check_sum()?;
        Ok(())
    }

    /// Reads every record: tree entries go to `sink`, files to `files`;
    /// then the record count, the checksum and the end of the stream.
    pub fn read_into<S>(mut self, sink: &mut S, files: &mut FileSink) -> Result<Decoded, OpsError>
    where
        S: TreeSink,
        OpsError: From<S::Error>,
    {
        // An older schema is restored, then migrated (`Restoring::finish`).
        if !(OLDEST_SCHEMA..=SCHEMA_VERSION).contains(&self.schema) {
            return Err(OpsError::Store(StoreError::Schema {
                found: self.schema,
                expected: SCHEMA_VERSION,
            }));
        }
        sink.begin(self.schema)?;
        let (mut name, mut key, mut value) = (Vec::new(), Vec::new(), Vec::new());
        let mut count: u64 = 0;
        loop {
            match array::<1>(&mut self.r)?[0] {
                END => break,
                TREE => {
                    let n = u16::from_be_bytes(array(&mut self.r)?);
                    self.bytes_into(&mut name, u64::from(n))?;
                    let n = u32::from_be_bytes(array(&mut self.r)?);
                    self.bytes_into(&mut key, u64::from(n))?;
                    let n = u32::from_be_bytes(array(&mut self.r)?);
                    self.bytes_into(&mut value, u64::from(n))?;
                    sink.entry(&name, &key, &value)?;
                }
                FILE => {
                    let n = u16::from_be_bytes(array(&mut self.r)?);
                    self.bytes_into(&mut name, u64::from(n))?;
                    let len = u64::from_be_bytes(array(&mut self.r)?);
                    let path = std::str::from_utf8(&name)
                        .ok()
                        .filter(|n| is_expected_file(n))
                        .ok_or_else(|| bad("it names an unexpected file"))?;
                    let mut contents = (&mut self.r).take(len);
                    files(path, len, &mut contents)?;
                    io::copy(&mut contents, &mut io::sink()).map_err(read)?;
                    if contents.limit() != 0 {
                        return Err(bad("a file record is truncated"));
                    }
                }
                _ => return Err(bad("unknown record type")),
            }
            count += 1;
        }
        if u64::from_be_bytes(array(&mut self.r)?) != count {
            return Err(bad("the record count does not match"));
        }
        let bytes = self.check_sum()?;
        if self.r.read(&mut [0u8; 1]).map_err(read)? != 0 {
            return Err(bad("there is data after its end"));
        }
        Ok(Decoded {
            schema: self.schema,
            records: count,
            bytes,
        })
    }

    /// Compares the next 32 bytes with the hash of everything before them;
    /// returns the stream's size.
    fn check_sum(&mut self) -> Result<u64, OpsError> {
        let want = self.r.hasher.clone().finalize();
        let sum: [u8; 32] = array(&mut self.r)?;
        if want.as_slice() != sum {
            return Err(bad(
                "the checksum does not match: the file is damaged or incomplete",
            ));
        }
        Ok(self.r.bytes)
    }

    /// Reads exactly `len` bytes into `buf` (which grows only with what
    /// was read).
    fn bytes_into(&mut self, buf: &mut Vec<u8>, len: u64) -> Result<(), OpsError> {
        buf.clear();
        let n = (&mut self.r).take(len).read_to_end(buf).map_err(read)?;
        if n as u64 != len {
            return Err(bad("a record is truncated"));
        }
        Ok(())
    }
}

/// The next `N` bytes.
fn array<const N: usize>(r: &mut impl Read) -> Result<[u8; N], OpsError> {
    let mut a = [0u8; N];
    match r.read_exact(&mut a) {
        Ok(()) => Ok(a),
        Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => Err(bad("it is truncated")),
        Err(e) => Err(read(e)),
    }
}

fn bad(why: &str) -> OpsError {
    OpsError::Backup(format!("not a usable Amanat backup: {why}"))
}

fn read(e: io::Error) -> OpsError {
    OpsError::Backup(format!("could not read the backup: {e}"))
}
