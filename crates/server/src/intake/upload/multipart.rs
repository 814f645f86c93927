//! Reading a `multipart/form-data` body: its text fields, in order and
//! within their limits, then each file part streamed into [`super::start`]
//! once the anti-forgery token was checked and the form counted against its
//! rate limit. Every file of a refused form is dropped, and the rest of the
//! body is read (bounded) so that the browser sees the explanation.
//!
//! File names are shown back to the source who sent them, never logged.

use super::{
    AS_IS_FIELD, CSRF_FIELD, FILES_FIELD, FileLimits, KEEP_FIELD, StagedFile, UploadError, start,
    too_large_error,
};
use crate::intake::commit::has_free_space;
use crate::web::ratelimit::RateLimiter;
use amanat_core::crypto::envelope::Recipient;
use std::io;
use std::path::PathBuf;

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
    pub recipients: Vec<Recipient>,
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
                if !has_free_space(&ctx.blobs_dir, ctx.min_free_bytes) {
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
