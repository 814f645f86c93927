//! Attachments: streamed from the multipart body, stripped of identifying
//! metadata, padded, and age-encrypted to the triage reviewers straight into
//! a temporary file in `blobs/`. Plaintext never touches the disk and a file
//! is never held whole in memory (formats that need random access are
//! cleaned in memory up to `limits.clean_in_memory_bytes`, and refused above
//! it with a message that says so).
//!
//! Each file part is fed chunk by chunk through a bounded channel to a
//! blocking task that runs the stripper and the age stream. The temporary
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

use crate::web::ratelimit::RateLimiter;
use age::x25519;
use amanat_core::crypto::envelope;
use amanat_sanitize::{self as sanitize, Kind, Outcome, SanitizeError};
use sha2::{Digest, Sha256};
use std::io::{self, Read, Write};
use std::path::PathBuf;
use tokio::sync::mpsc;
use zeroize::Zeroizing;

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
    recipients: Vec<x25519::Recipient>,
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
    recipients: Vec<x25519::Recipient>,
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
    let enc = age::Encryptor::with_recipients(recipients.iter().map(|r| r as &dyn age::Recipient))
        .map_err(|e| internal(&e))?;
    let stream = enc
        .wrap_output(io::BufWriter::with_capacity(256 * 1024, file))
        .map_err(|e| internal(&e))?;
    let mut out = HashingWriter {
        inner: stream,
        sha: Sha256::new(),
        len: 0,
        head: Zeroizing::new(Vec::with_capacity(HEAD)),
    };
    let mut input = io::Cursor::new(prefix).chain(reader);
    let outcome = if keep_original {
        io::copy(&mut input, &mut out).map_err(|e| reader_error(e, &name, limits.file_bytes))?;
        Outcome::KeptOriginal
    } else {
        sanitize::strip(kind, &mut input, &mut out, &limits.sanitize).map_err(|e| match e {
            SanitizeError::Io(e) => reader_error(e, &name, limits.file_bytes),
            SanitizeError::TooLarge { limit } => UploadError::TooLargeToClean {
                name: name.clone(),
                limit,
            },
            SanitizeError::Unsupported { .. } => UploadError::NotCleanable { name: name.clone() },
            SanitizeError::Malformed { .. } | SanitizeError::ZipBomb => {
                UploadError::CannotClean { name: name.clone() }
            }
        })?
    };
    // The stripper may stop reading early (e.g. after an image's end); the
    // rest of the upload must still be consumed and counted.
    io::copy(&mut input, &mut io::sink()).map_err(|e| reader_error(e, &name, limits.file_bytes))?;
    if matches!(outcome, Outcome::NotCleanable) {
        // A cleaner that gave up on its own (the temporary file goes with
        // `temp`): the same rule as for a type we do not know.
        return Err(UploadError::NotCleanable { name });
    }

    let HashingWriter {
        mut inner,
        sha,
        len,
        head,
    } = out;
    // A zip whose start did not say what it holds was classified from its
    // directory while it was cleaned, and the cleaned copy puts the part
    // that says so first: record the document type, not "zip".
    let kind = match (kind, &outcome) {
        (Kind::Zip, Outcome::Cleaned { .. } | Outcome::NothingFound) => sanitize::detect(&head),
        _ => kind,
    };
    // Pad the stored size to a Padmé bucket so ciphertext length says little.
    let padded = envelope::padded_len(usize::try_from(len).unwrap_or(usize::MAX)) as u64;
    let mut pad = padded.saturating_sub(len);
    let zeros = [0u8; 8192];
    while pad > 0 {
        let n = pad.min(zeros.len() as u64) as usize;
        inner.write_all(&zeros[..n]).map_err(|e| internal(&e))?;
        pad -= n as u64;
    }
    let buf = inner.finish().map_err(|e| internal(&e))?;
    let file = buf.into_inner().map_err(|e| internal(&e.error()))?;
    file.sync_all().map_err(|e| internal(&e))?;

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
            size: len,
            sha256: data_encoding::HEXLOWER.encode(&sha.finalize()),
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

/// Hashes and counts what passes through to the encrypting writer.
struct HashingWriter<W: Write> {
    inner: W,
    sha: Sha256,
    len: u64,
    /// The first bytes written (up to [`HEAD`]), to tell what a cleaned
    /// zip turned out to be.
    head: Zeroizing<Vec<u8>>,
}

/// How much of a cleaned file's start [`HashingWriter`] keeps: what
/// [`sanitize::detect`] reads.
const HEAD: usize = 4096;

impl<W: Write> Write for HashingWriter<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.sha.update(&buf[..n]);
        self.len += n as u64;
        let room = HEAD.saturating_sub(self.head.len()).min(n);
        self.head.extend_from_slice(&buf[..room]);
        Ok(n)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(
        data: Vec<u8>,
        keep: bool,
        limit: u64,
    ) -> (Result<StagedFile, UploadError>, x25519::Identity) {
        let dir = tempfile::tempdir().unwrap();
        let (r, id) = run_in(dir.path(), data, keep, limit);
        // Keep the directory alive as long as the staged file.
        std::mem::forget(dir);
        (r, id)
    }

    fn run_in(
        dir: &std::path::Path,
        data: Vec<u8>,
        keep: bool,
        limit: u64,
    ) -> (Result<StagedFile, UploadError>, x25519::Identity) {
        let id = x25519::Identity::generate();
        let (tx, job) = start(
            "../../photo\u{202E}gpj.jpg",
            keep,
            vec![id.to_public()],
            dir.to_path_buf(),
            FileLimits {
                file_bytes: limit,
                sanitize: sanitize::Limits::default(),
            },
        );
        let worker = std::thread::spawn(job);
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        rt.block_on(async move {
            let mut sent = 0u64;
            for c in data.chunks(1000) {
                sent += c.len() as u64;
                let item = if sent > limit {
                    Err(too_large_error())
                } else {
                    Ok(actix_web::web::Bytes::copy_from_slice(c))
                };
                let stop = item.is_err();
                if tx.send(item).await.is_err() || stop {
                    break;
                }
            }
        });
        (worker.join().unwrap(), id)
    }

    fn decrypt(s: &StagedFile, id: &x25519::Identity) -> Vec<u8> {
        let ct = std::fs::read(s.temp.path()).unwrap();
        let d = age::Decryptor::new_buffered(&ct[..]).unwrap();
        let mut r = d
            .decrypt(std::iter::once(id as &dyn age::Identity))
            .unwrap();
        let mut out = Vec::new();
        r.read_to_end(&mut out).unwrap();
        out
    }

    #[test]
    fn unknown_files_are_refused_unless_the_source_keeps_them_as_sent() {
        let data: Vec<u8> = (0..50_000u32).map(|i| (i % 251) as u8).collect();
        let dir = tempfile::tempdir().unwrap();
        let (r, _) = run_in(dir.path(), data.clone(), false, 1 << 20);
        assert_eq!(
            r.err(),
            Some(UploadError::NotCleanable {
                name: "photogpj.jpg".into()
            })
        );
        assert_eq!(
            std::fs::read_dir(dir.path()).unwrap().count(),
            0,
            "nothing written"
        );
        // Past the size limit, the limit is what the source is told.
        let (r, _) = run_in(dir.path(), data.clone(), false, 3000);
        assert!(matches!(r, Err(UploadError::FileTooLarge { .. })));
    }

    #[test]
    fn unknown_files_kept_as_sent_are_padded_and_hashed() {
        let data: Vec<u8> = (0..50_000u32).map(|i| (i % 251) as u8).collect();
        let (r, id) = run(data.clone(), true, 1 << 20);
        let s = r.unwrap();
        assert_eq!(s.manifest.result, CleanResult::KeptOriginal);
        assert_eq!(s.recipients, vec![id.to_public().to_string()]);
        assert_eq!(s.manifest.size, 50_000);
        assert_eq!(
            s.manifest.sha256,
            data_encoding::HEXLOWER.encode(&Sha256::digest(&data))
        );
        assert_eq!(s.manifest.name, "photogpj.jpg", "name made safe");
        let plain = decrypt(&s, &id);
        assert_eq!(plain.len(), envelope::padded_len(50_000));
        assert_eq!(&plain[..50_000], &data[..]);
        assert!(plain[50_000..].iter().all(|&b| b == 0));
        assert!(
            !std::fs::read(s.temp.path())
                .unwrap()
                .windows(8)
                .any(|w| w == &data[1000..1008]),
            "ciphertext only"
        );
    }

    #[test]
    fn oversized_and_uncleanable_files_are_refused() {
        let (r, _) = run(vec![1u8; 5000], false, 3000);
        assert!(matches!(
            r,
            Err(UploadError::FileTooLarge { limit: 3000, .. })
        ));
        // A PNG signature followed by garbage: a cleanable type that fails to parse.
        let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
        png.extend_from_slice(&[0xff; 100]);
        let (r, _) = run(png.clone(), false, 1 << 20);
        assert!(
            matches!(r, Err(UploadError::CannotClean { .. })),
            "{r:?}",
            r = r.as_ref().err()
        );
        // Keeping the original stores it as sent, recorded as such.
        let (r, id) = run(png.clone(), true, 1 << 20);
        let s = r.unwrap();
        assert_eq!(s.manifest.result, CleanResult::KeptOriginal);
        assert_eq!(&decrypt(&s, &id)[..png.len()], &png[..]);
    }
}

/// A parsed multipart form: its text pairs and its staged files.
pub struct MultipartForm {
    pub pairs: Vec<(String, String)>,
    pub files: Vec<StagedFile>,
    /// True if the rate limit already counted this form (at its first
    /// file); the handler then must not count it again.
    pub admitted: bool,
}

/// Why a multipart body was refused.
#[derive(Debug)]
pub enum MultipartError {
    /// Not a well-formed form (Fluent id of the detail).
    BadBody(&'static str),
    /// The anti-forgery token was wrong when the first file came.
    Csrf,
    /// The rate limit had no slot for the form when its first file came.
    RateLimited,
    /// Too many files (the limit).
    TooManyFiles(usize),
    /// The text fields are too large (the limit).
    TextTooLarge(usize),
    /// The whole submission is too large (the limit).
    SubmissionTooLarge(u64),
    /// Every upload slot is busy.
    Busy,
    /// The data directory's file system has less free space than
    /// `limits.min_free_bytes`: no file was written.
    LowSpace,
    /// Files that cannot be cleaned, sent without the source's agreement to
    /// store them as they are (the whole form was read; nothing is kept).
    Uncleanable(Vec<Uncleanable>),
    File(UploadError),
}

/// A refused file that could not be cleaned, named for the source.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Uncleanable {
    /// The file name, made safe to show.
    pub name: String,
    /// True for a damaged file of a type we clean; false for a type we
    /// cannot clean.
    pub damaged: bool,
}

/// Checks the anti-forgery token among form pairs.
pub type CsrfCheck<'b> = dyn Fn(&[(String, String)]) -> bool + 'b;

/// What the multipart reader needs from the server.
pub struct MultipartContext<'a> {
    pub max_text_bytes: usize,
    pub max_fields: usize,
    pub max_files: usize,
    pub max_total: u64,
    pub file: FileLimits,
    pub recipients: Vec<x25519::Recipient>,
    pub blobs_dir: PathBuf,
    pub uploads: &'a std::sync::Arc<tokio::sync::Semaphore>,
    /// Checks the anti-forgery token among the pairs read so far.
    pub csrf_ok: &'a CsrfCheck<'a>,
    /// No file is staged when `blobs_dir`'s file system has less free space
    /// than this (`limits.min_free_bytes`; 0 disables the check).
    pub min_free_bytes: u64,
    /// The rate limit a form with files is counted against, after its
    /// token and before its first file is read.
    pub admission: &'a RateLimiter,
}

/// A refused multipart body, with the text answers read before the problem
/// (the file input is last in the form, so normally all of them).
pub struct MultipartFailure {
    pub error: MultipartError,
    pub pairs: Vec<(String, String)>,
}

/// Reads a multipart form, staging each file as it streams in. The form's
/// text fields, including the token and the keep-metadata box, come before
/// the file input, so they are known when files arrive. On a refusal the
/// rest of the body is read and discarded (up to `max_total`), so that the
/// browser receives the explanation instead of a reset connection.
pub async fn read_multipart(
    mut mp: actix_multipart::Multipart,
    ctx: MultipartContext<'_>,
) -> Result<MultipartForm, MultipartFailure> {
    use futures_util::StreamExt;
    let mut pairs: Vec<(String, String)> = Vec::new();
    let mut failed = false;
    let mut admitted = false;
    let result = read_parts(&mut mp, &ctx, &mut pairs, &mut failed, &mut admitted).await;
    match result {
        Ok(files) => Ok(MultipartForm {
            pairs,
            files,
            admitted,
        }),
        Err(error) if failed => Err(MultipartFailure { error, pairs }),
        Err(error) => {
            let mut drained = 0u64;
            'outer: while let Some(Ok(mut field)) = mp.next().await {
                while let Some(Ok(c)) = field.next().await {
                    drained += c.len() as u64;
                    if drained > ctx.max_total {
                        break 'outer;
                    }
                }
            }
            Err(MultipartFailure { error, pairs })
        }
    }
}

/// Sets `failed` when the multipart stream refused the content type: it
/// must not be polled again (actix-multipart panics on a second poll), so
/// the caller does not drain it. Sets `admitted` once the form was counted
/// against the rate limit.
async fn read_parts(
    mp: &mut actix_multipart::Multipart,
    ctx: &MultipartContext<'_>,
    pairs: &mut Vec<(String, String)>,
    failed: &mut bool,
    admitted: &mut bool,
) -> Result<Vec<StagedFile>, MultipartError> {
    use futures_util::StreamExt;
    let mut files: Vec<StagedFile> = Vec::new();
    let mut uncleanable: Vec<Uncleanable> = Vec::new();
    let mut text_bytes = 0usize;
    let mut total = 0u64;
    let mut csrf_checked = false;
    let mut permit: Option<tokio::sync::OwnedSemaphorePermit> = None;

    while let Some(field) = mp.next().await {
        let mut field = field.map_err(|e| {
            use actix_multipart::MultipartError as E;
            // The errors of a content type that was refused before any
            // body was read; after the others the stream can still drain.
            *failed = matches!(
                e,
                E::ContentTypeMissing
                    | E::ContentTypeParse
                    | E::ContentTypeIncompatible
                    | E::BoundaryMissing
            );
            MultipartError::BadBody("error-bad-request-detail-form")
        })?;
        let name = field.name().unwrap_or_default().to_string();
        let filename = field
            .content_disposition()
            .and_then(|cd| cd.get_filename())
            .map(str::to_string);
        match filename {
            Some(fname) if name == FILES_FIELD || name == AS_IS_FIELD => {
                if fname.is_empty() {
                    // The browser sends an empty part when no file was chosen.
                    while let Some(c) = field.next().await {
                        c.map_err(|_| MultipartError::BadBody("error-bad-request-detail-form"))?;
                    }
                    continue;
                }
                if !csrf_checked {
                    // A browser sends the form's fields in order, the token
                    // first and the file input last: a file before the
                    // token is a malformed form, refused before any work.
                    if !pairs.iter().any(|(k, _)| k == CSRF_FIELD) {
                        return Err(MultipartError::BadBody("error-bad-request-detail-form"));
                    }
                    if !(ctx.csrf_ok)(pairs) {
                        return Err(MultipartError::Csrf);
                    }
                    csrf_checked = true;
                    // Counted now, before the first file is stripped or
                    // encrypted: past the limit nothing of it is read.
                    if !ctx.admission.admit().await {
                        return Err(MultipartError::RateLimited);
                    }
                    *admitted = true;
                }
                if files.len() + uncleanable.len() >= ctx.max_files {
                    return Err(MultipartError::TooManyFiles(ctx.max_files));
                }
                if !super::has_free_space(&ctx.blobs_dir, ctx.min_free_bytes) {
                    return Err(MultipartError::LowSpace);
                }
                if permit.is_none() {
                    permit = Some(
                        ctx.uploads
                            .clone()
                            .try_acquire_owned()
                            .map_err(|_| MultipartError::Busy)?,
                    );
                }
                let keep =
                    name == AS_IS_FIELD || pairs.iter().any(|(k, v)| k == KEEP_FIELD && v == "yes");
                let (tx, job) = start(
                    &fname,
                    keep,
                    ctx.recipients.clone(),
                    ctx.blobs_dir.clone(),
                    ctx.file.clone(),
                );
                let worker = actix_web::web::block(job);
                let mut size = 0u64;
                let mut failure: Option<MultipartError> = None;
                let mut tx = Some(tx);
                while let Some(chunk) = field.next().await {
                    let chunk = match chunk {
                        Ok(c) => c,
                        Err(_) => {
                            if let Some(tx) = &tx {
                                let _ = tx.send(Err(io::Error::other("torn upload"))).await;
                            }
                            failure = Some(MultipartError::File(UploadError::Broken));
                            break;
                        }
                    };
                    size += chunk.len() as u64;
                    total += chunk.len() as u64;
                    if size > ctx.file.file_bytes {
                        if let Some(tx) = &tx {
                            let _ = tx.send(Err(too_large_error())).await;
                        }
                        failure = Some(MultipartError::File(UploadError::FileTooLarge {
                            name: amanat_core::filename::clean_filename(&fname),
                            limit: ctx.file.file_bytes,
                        }));
                        break;
                    }
                    if total > ctx.max_total {
                        if let Some(tx) = &tx {
                            let _ = tx.send(Err(too_large_error())).await;
                        }
                        failure = Some(MultipartError::SubmissionTooLarge(ctx.max_total));
                        break;
                    }
                    if let Some(sender) = &tx {
                        if sender.send(Ok(chunk)).await.is_err() {
                            // The job stopped early (e.g. a damaged file);
                            // its error is reported below. The rest of the
                            // file is still read and counted, so that the
                            // limits decide first and the next parts come.
                            tx = None;
                        }
                    }
                }
                drop(tx);
                let staged = worker.await.map_err(|_| {
                    MultipartError::File(UploadError::Internal("worker lost".into()))
                })?;
                if let Some(f) = failure {
                    return Err(f);
                }
                match staged {
                    Ok(f) => files.push(f),
                    Err(UploadError::NotCleanable { name }) => uncleanable.push(Uncleanable {
                        name,
                        damaged: false,
                    }),
                    Err(UploadError::CannotClean { name }) => uncleanable.push(Uncleanable {
                        name,
                        damaged: true,
                    }),
                    Err(e) => return Err(MultipartError::File(e)),
                }
            }
            Some(_) => return Err(MultipartError::BadBody("error-bad-request-detail-fields")),
            None => {
                let mut value = Vec::new();
                while let Some(c) = field.next().await {
                    let c =
                        c.map_err(|_| MultipartError::BadBody("error-bad-request-detail-form"))?;
                    text_bytes += c.len();
                    if text_bytes > ctx.max_text_bytes {
                        return Err(MultipartError::TextTooLarge(ctx.max_text_bytes));
                    }
                    value.extend_from_slice(&c);
                }
                if pairs.len() >= ctx.max_fields {
                    return Err(MultipartError::BadBody("error-bad-request-detail-fields"));
                }
                let value = String::from_utf8(value)
                    .map_err(|_| MultipartError::BadBody("error-bad-request-detail-encoding"))?;
                if name.is_empty() {
                    return Err(MultipartError::BadBody("error-bad-request-detail-form"));
                }
                pairs.push((name, value));
            }
        }
    }
    if !csrf_checked && !(ctx.csrf_ok)(pairs) {
        return Err(MultipartError::Csrf);
    }
    drop(permit);
    if !uncleanable.is_empty() {
        // Nothing of this submission is stored: the staged files go too.
        drop(files);
        tracing::info!(target: "amanat::intake", "attachment not cleanable: nothing stored");
        return Err(MultipartError::Uncleanable(uncleanable));
    }
    Ok(files)
}
