//! The attachment blob format, written by the server and read by the CLI.
//!
//! A blob is one age stream holding the cleaned file, then zero bytes up to
//! [`envelope::padded_len`] of its length, so that the ciphertext's size says
//! little about the file's. The file's length and SHA-256 (lowercase hex) are
//! not in the blob: they travel in the encrypted attachment manifest
//! ([`crate::records::AttachmentManifest`]), and a reader checks both.
//!
//! [`BlobWriter`] counts, hashes, pads and finishes (its two halves,
//! [`BlobSealer`] and [`BlobDigest`], can run on two threads); [`open_blob`] gives a
//! [`BlobReader`] that yields exactly the file's bytes and fails, with a
//! [`BlobError`], on anything short, tampered, padded with other than zeros
//! or not matching the manifest's hash. Neither ever holds the whole file.

use super::envelope;
use super::recipient::SealTo;
use super::{CryptoError, ct_eq};
use sha2::{Digest, Sha256};
use std::io::{self, BufReader, Read, Write};
use zeroize::Zeroizing;

/// What a finished blob's manifest records of it.
#[derive(Debug)]
pub struct SealedBlob {
    /// The file's length in bytes, before padding.
    pub size: u64,
    /// SHA-256 of the file, lowercase hex.
    pub sha256: String,
    /// The first bytes written, up to the length given to
    /// [`BlobWriter::keep_head`] (empty by default).
    pub head: Zeroizing<Vec<u8>>,
}

/// Encrypts a file as a blob into `W`: write the file through it, then
/// [`finish`](BlobWriter::finish). A [`BlobSealer`] and a [`BlobDigest`]
/// fed the same bytes on one thread.
pub struct BlobWriter<W: Write> {
    sealer: BlobSealer<W>,
    digest: BlobDigest,
}

impl<W: Write> BlobWriter<W> {
    /// Starts a blob encrypted to every recipient (a mixed post-quantum and
    /// classical set is refused, as for envelopes).
    pub fn new<R: SealTo>(output: W, recipients: &[R]) -> Result<Self, CryptoError> {
        Ok(BlobWriter {
            sealer: BlobSealer::new(output, recipients)?,
            digest: BlobDigest::new(),
        })
    }

    /// Keeps the first `max` bytes of the file (returned by
    /// [`finish`](BlobWriter::finish), readable with [`head`](BlobWriter::head)),
    /// for a caller that must look at the start of what it wrote.
    pub fn keep_head(mut self, max: usize) -> Self {
        self.digest = self.digest.keep_head(max);
        self
    }

    /// The first bytes written so far (see [`keep_head`](BlobWriter::keep_head)).
    pub fn head(&self) -> &[u8] {
        self.digest.head()
    }

    /// How many bytes of the file were written so far.
    pub fn len(&self) -> u64 {
        self.digest.len()
    }

    /// True until the first byte is written.
    pub fn is_empty(&self) -> bool {
        self.digest.is_empty()
    }

    /// Pads the file with zeros to its padded size, finishes the age stream
    /// and returns the output with what the manifest records. The output is
    /// not synced: that is the caller's (a file is synced, a buffer is not).
    pub fn finish(self) -> io::Result<(W, SealedBlob)> {
        let (output, _) = self.sealer.finish()?;
        Ok((output, self.digest.finish()))
    }
}

impl<W: Write> Write for BlobWriter<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.sealer.write(buf)?;
        self.digest.update(&buf[..n]);
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.sealer.flush()
    }
}

/// The encrypting half of a [`BlobWriter`]: counts, pads and encrypts, but
/// does not hash. For a caller that feeds the same bytes, in the same order,
/// to a [`BlobDigest`] elsewhere (on another thread, so that the hash and
/// the encryption run on two cores) and compares the two lengths at the end.
pub struct BlobSealer<W: Write> {
    stream: age::stream::StreamWriter<W>,
    len: u64,
}

impl<W: Write> BlobSealer<W> {
    /// Starts a blob encrypted to every recipient (a mixed post-quantum and
    /// classical set is refused, as for envelopes).
    pub fn new<R: SealTo>(output: W, recipients: &[R]) -> Result<Self, CryptoError> {
        let stream = envelope::encryptor(recipients)?
            .wrap_output(output)
            .map_err(|e| CryptoError::Encrypt(e.to_string()))?;
        Ok(BlobSealer { stream, len: 0 })
    }

    /// How many bytes of the file were written so far.
    pub fn len(&self) -> u64 {
        self.len
    }

    /// True until the first byte is written.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Pads the file with zeros to its padded size, finishes the age stream
    /// and returns the output and the file's length (unsynced, as for
    /// [`BlobWriter::finish`]).
    pub fn finish(mut self) -> io::Result<(W, u64)> {
        let len = self.len;
        let mut pad = padded_size(len).saturating_sub(len);
        let zeros = [0u8; 8192];
        while pad > 0 {
            let n = usize::try_from(pad).map_or(zeros.len(), |p| p.min(zeros.len()));
            self.stream.write_all(&zeros[..n])?;
            pad -= n as u64;
        }
        Ok((self.stream.finish()?, len))
    }
}

impl<W: Write> Write for BlobSealer<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.stream.write(buf)?;
        self.len += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.stream.flush()
    }
}

/// The hashing half of a [`BlobWriter`]: the file's length, SHA-256 and
/// first bytes, as its manifest records them.
pub struct BlobDigest {
    sha: Sha256,
    len: u64,
    head: Zeroizing<Vec<u8>>,
    head_max: usize,
}

impl Default for BlobDigest {
    fn default() -> Self {
        Self::new()
    }
}

impl BlobDigest {
    /// A digest of nothing yet, keeping no head.
    pub fn new() -> Self {
        BlobDigest {
            sha: Sha256::new(),
            len: 0,
            head: Zeroizing::new(Vec::new()),
            head_max: 0,
        }
    }

    /// Keeps the first `max` bytes (see [`BlobWriter::keep_head`]).
    pub fn keep_head(mut self, max: usize) -> Self {
        self.head_max = max;
        self.head.reserve(max);
        self
    }

    /// Adds the next bytes of the file.
    pub fn update(&mut self, data: &[u8]) {
        self.sha.update(data);
        self.len += data.len() as u64;
        let room = self
            .head_max
            .saturating_sub(self.head.len())
            .min(data.len());
        self.head.extend_from_slice(&data[..room]);
    }

    /// The first bytes seen so far.
    pub fn head(&self) -> &[u8] {
        &self.head
    }

    /// How many bytes were seen so far.
    pub fn len(&self) -> u64 {
        self.len
    }

    /// True until the first byte.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// What the manifest records of the file.
    pub fn finish(self) -> SealedBlob {
        SealedBlob {
            size: self.len,
            sha256: data_encoding::HEXLOWER.encode(&self.sha.finalize()),
            head: self.head,
        }
    }
}

/// The padded size of a blob holding `len` bytes: the envelopes' Padmé
/// buckets, with their floor.
pub fn padded_size(len: u64) -> u64 {
    let len = usize::try_from(len)
        .unwrap_or(usize::MAX - 4)
        .min(usize::MAX - 4);
    envelope::padded_len(len) as u64
}

/// Why a blob could not be read. Never names key material or content.
#[derive(Debug, thiserror::Error)]
pub enum BlobError {
    /// The input does not start as an age file.
    #[error("not valid age ciphertext")]
    NotAge,
    /// The identity is not among the blob's recipients.
    #[error("not encrypted to this identity")]
    NotRecipient,
    /// Decryption failed part-way: the ciphertext is truncated or tampered,
    /// or the input could not be read.
    #[error("damaged (decryption failed)")]
    Damaged,
    /// The stream ended before the manifest's size.
    #[error("shorter than its manifest says")]
    Truncated,
    /// Something other than zeros follows the file.
    #[error("padded with something other than zeros")]
    BadPadding,
    /// The file's SHA-256 is not the manifest's.
    #[error("does not match its SHA-256")]
    HashMismatch,
}

impl BlobError {
    /// The blob error an I/O error from [`BlobReader`] carries; any other
    /// read error is [`BlobError::Damaged`].
    pub fn from_io(e: io::Error) -> BlobError {
        match e.into_inner().map(|inner| inner.downcast::<BlobError>()) {
            Some(Ok(b)) => *b,
            _ => BlobError::Damaged,
        }
    }
}

/// Opens a blob with `identity`: the reader yields exactly `size` bytes,
/// then, before it reports the end, reads the padding to the end of the
/// stream (which authenticates it) and checks the SHA-256 against `sha256`
/// (lowercase hex) in constant time.
pub fn open_blob<'a, R: Read + 'a>(
    input: R,
    identity: &'a dyn age::Identity,
    size: u64,
    sha256: &str,
) -> Result<BlobReader<'a>, BlobError> {
    let dec = age::Decryptor::new(BufReader::new(input)).map_err(|_| BlobError::NotAge)?;
    let stream = dec
        .decrypt(std::iter::once(identity))
        .map_err(|_| BlobError::NotRecipient)?;
    Ok(BlobReader {
        stream: Box::new(stream),
        left: size,
        sha: Sha256::new(),
        expected: sha256.to_string(),
        done: false,
    })
}

/// A blob being read: see [`open_blob`]. Errors are I/O errors carrying a
/// [`BlobError`] ([`BlobError::from_io`] gets it back).
pub struct BlobReader<'a> {
    stream: Box<dyn Read + 'a>,
    left: u64,
    sha: Sha256,
    expected: String,
    done: bool,
}

impl BlobReader<'_> {
    /// Reads the padding to the end and checks the hash: called once the
    /// file's bytes are all out.
    fn finish(&mut self) -> Result<(), BlobError> {
        let mut buf = Zeroizing::new(vec![0u8; 8192]);
        loop {
            let n = self.stream.read(&mut buf).map_err(|_| BlobError::Damaged)?;
            if n == 0 {
                break;
            }
            if buf[..n].iter().any(|&b| b != 0) {
                return Err(BlobError::BadPadding);
            }
        }
        let digest = data_encoding::HEXLOWER.encode(&self.sha.clone().finalize());
        if !ct_eq(digest.as_bytes(), self.expected.as_bytes()) {
            return Err(BlobError::HashMismatch);
        }
        Ok(())
    }
}

impl Read for BlobReader<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.done || buf.is_empty() {
            return Ok(0);
        }
        if self.left == 0 {
            self.finish().map_err(io::Error::other)?;
            self.done = true;
            return Ok(0);
        }
        let want = usize::try_from(self.left).map_or(buf.len(), |l| l.min(buf.len()));
        let n = self
            .stream
            .read(&mut buf[..want])
            .map_err(|_| io::Error::other(BlobError::Damaged))?;
        if n == 0 {
            return Err(io::Error::other(BlobError::Truncated));
        }
        self.sha.update(&buf[..n]);
        self.left -= n as u64;
        Ok(n)
    }
}

#[cfg(test)]
mod tests;
