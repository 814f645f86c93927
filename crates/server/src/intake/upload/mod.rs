//! Attachments: streamed from the multipart body, stripped of identifying
//! metadata, padded, and age-encrypted to the triage reviewers straight into
//! a temporary file in `blobs/`. Plaintext never touches the disk and a file
//! is never held whole in memory (formats that need random access are
//! cleaned in memory up to `limits.clean_in_memory_bytes`, and refused above
//! it with a message that says so).
//!
//! Each file part is fed chunk by chunk through a bounded channel to a
//! blocking task that runs the stripper and hashes the result, while a
//! second thread encrypts it ([`pipeline`]: the two run on two cores). The temporary
//! files become blobs (rename + directory fsync, in `store`) only when the
//! whole form is valid, before the report record is committed. A torn upload,
//! a refused file or an invalid form drops them: nothing is left behind.
//! File names are shown back to the source who sent them, never logged.
//!
//! A file we cannot clean (a type we have no cleaner for, or a damaged file
//! of a type we do clean) is stored only if the source chose so for it:
//! with "keep the original metadata" ticked, or by choosing it in the
//! "send as it is" input ([`AS_IS_FIELD`]) that the form shows again after
//! such a refusal. Otherwise the whole form is still read, every such file is
//! named in [`MultipartError::Uncleanable`], nothing is stored, and the form
//! is shown again with the answers kept. We do not hold the refused file's
//! staged ciphertext for a second request: a held blob would need a
//! reference that outlives the request (on disk or in memory, bounded,
//! expiring, swept at start) for a file the source may never come back for,
//! while choosing the file again works in every browser with JavaScript off
//! and leaves nothing behind.

use amanat_core::crypto::envelope::Recipient;
use amanat_sanitize::{self as sanitize, Kind, Outcome, SanitizeError};
use pipeline::Pipeline;
use std::io::{self, Read, Write};
use std::path::PathBuf;
use tokio::sync::mpsc;

/// Form name of the file input.
pub const FILES_FIELD: &str = "attachments";
/// Form name of the "keep the original metadata" checkbox.
pub const KEEP_FIELD: &str = "attachments_keep_metadata";
/// Form name of the file input shown after a refusal: files chosen there
/// are stored as sent, with their metadata.
pub const AS_IS_FIELD: &str = "attachments_as_is";
/// The form field of the anti-forgery token.
pub const CSRF_FIELD: &str = "csrf";

pub use amanat_core::records::{AttachmentManifest, CleanResult};
pub use multipart::{
    CsrfCheck, MultipartContext, MultipartError, MultipartFailure, MultipartForm, Uncleanable,
    read_multipart,
};

mod multipart;
mod pipeline;

/// A file encrypted into a temporary blob, waiting for the form to be valid.
pub struct StagedFile {
    pub temp: tempfile::NamedTempFile,
    pub manifest: AttachmentManifest,
    /// The recipients (`age1…`) the blob is encrypted to, as read when the
    /// upload started; checked against today's triage reviewers at commit.
    pub recipients: Vec<String>,
}

/// Why a file was refused. Each maps to a page that names the file and says
/// what to do; nothing of the submission is stored.
#[derive(Debug, PartialEq, Eq)]
pub enum UploadError {
    FileTooLarge {
        name: String,
        limit: u64,
    },
    /// A cleanable type that could not be parsed (damaged).
    CannotClean {
        name: String,
    },
    /// A type we cannot clean, sent without the source's agreement to
    /// store it as it is.
    NotCleanable {
        name: String,
    },
    TooLargeToClean {
        name: String,
        limit: u64,
    },
    /// The client went away or sent a broken body.
    Broken,
    Internal(String),
}

/// Limits for one file.
#[derive(Clone, Debug)]
pub struct FileLimits {
    pub file_bytes: u64,
    pub sanitize: sanitize::Limits,
}

/// Media type of a detected kind.
pub fn media_type(kind: Kind) -> &'static str {
    match kind {
        Kind::Jpeg => "image/jpeg",
        Kind::Png => "image/png",
        Kind::Webp => "image/webp",
        Kind::Gif => "image/gif",
        Kind::Tiff => "image/tiff",
        Kind::Pdf => "application/pdf",
        Kind::Ooxml => "application/vnd.openxmlformats-officedocument",
        Kind::Odf => "application/vnd.oasis.opendocument",
        Kind::Zip => "application/zip",
        Kind::Mp3 => "audio/mpeg",
        Kind::Mp4 => "video/mp4",
        Kind::Webm => "video/webm",
        Kind::Matroska => "video/x-matroska",
        Kind::Svg => "image/svg+xml",
        Kind::Netpbm => "image/x-portable-anymap",
        Kind::Epub => "application/epub+zip",
        Kind::Ogg => "audio/ogg",
        Kind::Flac => "audio/flac",
        Kind::Heif => "image/heif",
        Kind::Avif => "image/avif",
        Kind::Wav => "audio/wav",
        Kind::Aiff => "audio/aiff",
        Kind::Avi => "video/x-msvideo",
        Kind::Other => "application/octet-stream",
    }
}

/// The sending half: the async side pushes chunks of one file.
pub type ChunkSender = mpsc::Sender<io::Result<actix_web::web::Bytes>>;

/// Starts staging one file: returns the sender for its chunks and the
/// blocking job that strips and encrypts it.
pub fn start(
    name: &str,
    keep_original: bool,
    recipients: Vec<Recipient>,
    blobs_dir: PathBuf,
    limits: FileLimits,
) -> (
    ChunkSender,
    impl FnOnce() -> Result<StagedFile, UploadError> + Send + 'static,
) {
    let (tx, rx) = mpsc::channel(8);
    let name = amanat_core::filename::clean_filename(name);
    let job = move || {
        stage(
            ChannelReader::new(rx),
            name,
            keep_original,
            recipients,
            blobs_dir,
            limits,
        )
    };
    (tx, job)
}

fn stage(
    mut reader: ChannelReader,
    name: String,
    keep_original: bool,
    recipients: Vec<Recipient>,
    blobs_dir: PathBuf,
    limits: FileLimits,
) -> Result<StagedFile, UploadError> {
    let internal = |e: &dyn std::fmt::Display| UploadError::Internal(e.to_string());
    // Detect the type from the content, never from the name or the client's
    // Content-Type.
    let mut prefix = Vec::with_capacity(4096);
    (&mut reader)
        .take(4096)
        .read_to_end(&mut prefix)
        .map_err(|e| reader_error(e, &name, limits.file_bytes))?;
    let kind = sanitize::detect(&prefix);
    if kind == Kind::Other && !keep_original {
        // Nothing to encrypt or write: read the rest (its size still
        // counts against the limits) and refuse.
        let mut input = io::Cursor::new(prefix).chain(reader);
        io::copy(&mut input, &mut io::sink())
            .map_err(|e| reader_error(e, &name, limits.file_bytes))?;
        return Err(UploadError::NotCleanable { name });
    }
    let sealed_to: Vec<String> = recipients.iter().map(|r| r.to_string()).collect();

    let temp = tempfile::Builder::new()
        .prefix(".upload-")
        .tempfile_in(&blobs_dir)
        .map_err(|e| internal(&e))?;
    let file = temp.as_file().try_clone().map_err(|e| internal(&e))?;
    let kick = temp.as_file().try_clone().map_err(|e| internal(&e))?;
    // The blob format (amanat_core::crypto::blob): the cleaned file, hashed
    // and counted as it passes, then zero padding to a Padmé bucket so the
    // ciphertext's length says little. Hashed here, encrypted on a second
    // thread (`pipeline`).
    let mut out = Pipeline::start(file, &recipients, HEAD)
        .map_err(|e| internal(&e))?
        .with_writeback(kick);
    let outcome = if keep_original {
        // Stored as sent: the network's buffers go to the pipeline as they
        // are, without passing through a `Read` copy.
        out.write_all(&prefix).map_err(|e| internal(&e))?;
        while let Some(chunk) = reader
            .next_chunk()
            .map_err(|e| reader_error(e, &name, limits.file_bytes))?
        {
            out.push(chunk).map_err(|e| internal(&e))?;
        }
        Outcome::KeptOriginal
    } else {
        let mut input = io::Cursor::new(prefix).chain(&mut reader);
        let outcome =
            sanitize::strip(kind, &mut input, &mut out, &limits.sanitize).map_err(|e| match e {
                SanitizeError::Io(e) => reader_error(e, &name, limits.file_bytes),
                SanitizeError::TooLarge { limit } => UploadError::TooLargeToClean {
                    name: name.clone(),
                    limit,
                },
                SanitizeError::Unsupported { .. } => {
                    UploadError::NotCleanable { name: name.clone() }
                }
                SanitizeError::Malformed { .. } | SanitizeError::ZipBomb => {
                    UploadError::CannotClean { name: name.clone() }
                }
            })?;
        // The stripper may stop reading early (e.g. after an image's end);
        // the rest of the upload must still be consumed and counted.
        io::copy(&mut input, &mut io::sink())
            .map_err(|e| reader_error(e, &name, limits.file_bytes))?;
        outcome
    };
    if matches!(outcome, Outcome::NotCleanable) {
        // A cleaner that gave up on its own (the temporary file goes with
        // `temp`): the same rule as for a type we do not know.
        return Err(UploadError::NotCleanable { name });
    }

    let (file, sealed) = out.finish().map_err(|e| internal(&e))?;
    file.sync_all().map_err(|e| internal(&e))?;
    // A zip whose start did not say what it holds was classified from its
    // directory while it was cleaned, and the cleaned copy puts the part
    // that says so first: record the document type, not "zip". Likewise a
    // FLAC hidden behind a large ID3 tag (detected as MP3) starts with
    // `fLaC` once cleaned.
    let kind = match (kind, &outcome) {
        (Kind::Zip | Kind::Mp3, Outcome::Cleaned { .. } | Outcome::NothingFound) => {
            sanitize::detect(&sealed.head)
        }
        _ => kind,
    };

    let (result, removed) = match outcome {
        Outcome::Cleaned { removed } => (
            CleanResult::Cleaned,
            removed.iter().map(|r| r.to_string()).collect(),
        ),
        Outcome::NothingFound => (CleanResult::NothingFound, Vec::new()),
        Outcome::NotCleanable => (CleanResult::NotCleanable, Vec::new()),
        Outcome::KeptOriginal => (CleanResult::KeptOriginal, Vec::new()),
    };
    Ok(StagedFile {
        temp,
        manifest: AttachmentManifest {
            blob: String::new(),
            name,
            media_type: media_type(kind).to_string(),
            size: sealed.size,
            sha256: sealed.sha256,
            result,
            removed,
        },
        recipients: sealed_to,
    })
}

/// Errors the async side passes through the channel, recognised here.
const TOO_LARGE_MARK: &str = "amanat: file too large";

/// The error the async side sends when a file passes its size limit.
pub fn too_large_error() -> io::Error {
    io::Error::new(io::ErrorKind::FileTooLarge, TOO_LARGE_MARK)
}

fn reader_error(e: io::Error, name: &str, limit: u64) -> UploadError {
    if e.kind() == io::ErrorKind::FileTooLarge {
        UploadError::FileTooLarge {
            name: name.to_string(),
            limit,
        }
    } else {
        UploadError::Broken
    }
}

/// A `Read` over chunks arriving through a channel from the async side.
struct ChannelReader {
    rx: mpsc::Receiver<io::Result<actix_web::web::Bytes>>,
    chunk: actix_web::web::Bytes,
}

impl ChannelReader {
    fn new(rx: mpsc::Receiver<io::Result<actix_web::web::Bytes>>) -> Self {
        ChannelReader {
            rx,
            chunk: actix_web::web::Bytes::new(),
        }
    }
}

impl ChannelReader {
    /// The rest of the current chunk, else the next one; `None` at the end.
    fn next_chunk(&mut self) -> io::Result<Option<actix_web::web::Bytes>> {
        if !self.chunk.is_empty() {
            return Ok(Some(std::mem::take(&mut self.chunk)));
        }
        self.rx.blocking_recv().transpose()
    }
}

impl Read for ChannelReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        while self.chunk.is_empty() {
            match self.rx.blocking_recv() {
                Some(Ok(c)) => self.chunk = c,
                Some(Err(e)) => return Err(e),
                None => return Ok(0),
            }
        }
        let n = buf.len().min(self.chunk.len());
        buf[..n].copy_from_slice(&self.chunk.split_to(n));
        Ok(n)
    }
}

/// How much of a cleaned file's start the blob writer keeps: what
/// [`sanitize::detect`] reads, to tell what a cleaned zip turned out to be.
const HEAD: usize = 4096;

#[cfg(test)]
mod tests;
