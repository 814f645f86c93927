//! Metadata stripping for files uploaded to Amanat.
//!
//! Uploaded evidence (photos, documents, recordings) routinely carries data that
//! identifies the person who made it: GPS positions, camera serial numbers,
//! author names, software versions, edit timestamps. This module removes that
//! data *before* the file is encrypted and stored, so that a later breach of the
//! store or a careless reviewer cannot tie a report back to its source.
//!
//! It must never: trust the client's file name or Content-Type (use [`detect`]),
//! panic on hostile input, store a file of a cleanable kind with its metadata
//! when it cannot be parsed (that is an `Err`, never a silent pass-through), or
//! read an unbounded amount of data into memory.
//!
//! # Memory behaviour
//! * Streaming, bounded memory (a few KiB buffers, at most one 64 KiB JPEG
//!   segment or one 1 MiB MP3 tail window): [`Kind::Jpeg`], [`Kind::Png`],
//!   [`Kind::Gif`], [`Kind::Mp3`], [`Kind::Netpbm`], [`Kind::Other`].
//! * Streaming, audio copied in 64 KiB chunks or page by page (at most
//!   65 307 bytes) whatever its size; the header packets (Ogg) or kept
//!   metadata blocks (FLAC) held in memory up to [`Limits::mp4_max_box`]
//!   bytes, otherwise [`SanitizeError::TooLarge`]: [`Kind::Ogg`],
//!   [`Kind::Flac`].
//! * Streaming, sound data copied in 8 KiB pieces whatever its size; the
//!   chunks kept before it (format descriptions) held in memory, together
//!   at most [`Limits::mp4_max_box`] bytes: [`Kind::Wav`], [`Kind::Aiff`].
//!   AVI is rewritten in place through an 8 KiB buffer: [`Kind::Avi`].
//! * Streaming, media data copied in 64 KiB chunks whatever its size; the
//!   other top-level boxes (`moov`, `moof`, …, and media data that comes
//!   before the first `moov`, so that timed-metadata samples in it can be
//!   zeroed) held in memory up to [`Limits::mp4_max_box`] bytes at once,
//!   otherwise streamed (media) or [`SanitizeError::TooLarge`]: [`Kind::Mp4`]; likewise for
//!   [`Kind::Webm`] and [`Kind::Matroska`], whose clusters stream and whose
//!   metadata elements are held one at a time (see `mkv/mod.rs`).
//!   The same for [`Kind::Heif`] and [`Kind::Avif`], whose one `meta` box
//!   is held (same limit) and whose other bytes stream through in place.
//! * Whole file in memory, up to [`Limits::max_in_memory`] bytes, otherwise
//!   [`SanitizeError::TooLarge`]: [`Kind::Pdf`], [`Kind::Ooxml`], [`Kind::Odf`],
//!   [`Kind::Webp`], [`Kind::Tiff`], [`Kind::Svg`], [`Kind::Epub`]. These
//!   need random access or are rewritten as XML
//!   (cross-reference tables, zip central directory, IFD offsets).
//!   The zip formats ([`Kind::Ooxml`], [`Kind::Odf`], [`Kind::Epub`], [`Kind::Zip`]) also
//!   hold their output (about the input's size) and the parts they rewrite
//!   whole, at most [`Limits::zip_max_in_memory`] bytes at once; other parts
//!   stream through a small buffer. Decompression stops at
//!   [`Limits::zip_max_uncompressed`] or `zip_max_ratio` times the input
//!   size, shared with nested documents.
//!
//! # Error contract
//! On `Err` the bytes already written to `output` are partial and must be
//! discarded by the caller. On `Ok` the output is a complete file.
//!
//! # Orientation
//! Dropping JPEG EXIF would also drop the Orientation tag and show portrait
//! photos sideways. When the original Orientation is not 1, a minimal EXIF
//! block holding only that one tag is written back (see `jpeg.rs`).

#![forbid(unsafe_code)]

use std::fmt;
use std::io::{self, Read, Write};

mod bmff;
mod common;
mod flac;
mod gif;
mod heif;
mod jpeg;
mod mkv;
mod mp3;
mod mp4;
mod netpbm;
mod ogg;
mod pdf;
mod png;
mod riff;
mod svg;
mod tiff;
mod webp;
mod xml;
mod zipdoc;

use common::{
    Found, be32, be64, classify_xmp, find, le32, malformed, no_panic, read_err, read_exact,
    read_limited, read_up_to, skip_exact,
};

/// File kinds the sanitizer knows about. Determined by [`detect`] from content.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    Jpeg,
    Png,
    Webp,
    Gif,
    Tiff,
    Pdf,
    /// Office Open XML: docx, xlsx, pptx.
    Ooxml,
    /// OpenDocument: odt, ods, odp.
    Odf,
    /// Another zip archive, or one whose kind the first bytes do not show
    /// (writers put `[Content_Types].xml` anywhere). [`strip`] classifies it
    /// from its central directory as OOXML or ODF and cleans it, or refuses
    /// it: a zip that is not an office document cannot be cleaned.
    Zip,
    Mp3,
    /// ISO base media / QuickTime: mp4, mov, m4a, 3gp.
    Mp4,
    /// WebM (EBML DocType `webm`).
    Webm,
    /// Matroska: mkv, mka (EBML DocType `matroska`).
    Matroska,
    /// SVG drawings (XML).
    Svg,
    /// Netpbm images: PBM, PGM, PPM (P1–P6) and PAM (P7).
    Netpbm,
    /// EPUB e-books (zip with a stored `mimetype` of `application/epub+zip`).
    Epub,
    /// Ogg Vorbis or Ogg Opus (voice notes).
    Ogg,
    /// FLAC, possibly behind ID3v2 tags.
    Flac,
    /// HEIF still images (HEIC from phones), ISO-BMFF with an image brand.
    Heif,
    /// AVIF still images: HEIF with AV1 coding.
    Avif,
    /// WAV (RIFF WAVE; RF64/BW64 detected to be refused).
    Wav,
    /// AIFF and AIFF-C.
    Aiff,
    /// AVI (RIFF AVI).
    Avi,
    /// Anything else; copied unchanged and reported as [`Outcome::NotCleanable`].
    Other,
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = match self {
            Kind::Jpeg => "jpeg",
            Kind::Png => "png",
            Kind::Webp => "webp",
            Kind::Gif => "gif",
            Kind::Tiff => "tiff",
            Kind::Pdf => "pdf",
            Kind::Ooxml => "ooxml",
            Kind::Odf => "odf",
            Kind::Zip => "zip",
            Kind::Mp3 => "mp3",
            Kind::Mp4 => "mp4",
            Kind::Webm => "webm",
            Kind::Matroska => "matroska",
            Kind::Svg => "svg",
            Kind::Netpbm => "netpbm",
            Kind::Epub => "epub",
            Kind::Ogg => "ogg",
            Kind::Flac => "flac",
            Kind::Heif => "heif",
            Kind::Avif => "avif",
            Kind::Wav => "wav",
            Kind::Aiff => "aiff",
            Kind::Avi => "avi",
            Kind::Other => "other",
        };
        f.write_str(s)
    }
}

/// Resource limits applied while stripping.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// Largest input read whole into memory for random-access formats
    /// (not MP4, which streams).
    pub max_in_memory: u64,
    /// Most bytes of MP4/MOV top-level boxes other than streamed media data
    /// (`moov`, `moof`, metadata boxes, and media data before the first
    /// `moov`, held while it fits) held in memory at once. A movie's `moov`
    /// is typically well under 1% of the file. The server sets it from
    /// `limits.mp4_max_box_bytes`. Also the
    /// most bytes of one WebM/Matroska metadata element (`Info`, `Tracks`,
    /// `SeekHead`, `Tags`) held at once, and the bound of the Ogg header
    /// packets kept (identification and Vorbis setup) and the FLAC metadata
    /// blocks kept (STREAMINFO, SEEKTABLE).
    /// And the most bytes of the WAV/AIFF chunks kept before the sound data.
    pub mp4_max_box: u64,
    /// Most entries a zip-based document may have.
    pub zip_max_entries: u64,
    /// Most bytes all entries of a zip-based document may decompress to.
    pub zip_max_uncompressed: u64,
    /// Largest ratio of decompressed bytes to input bytes.
    pub zip_max_ratio: u64,
    /// Most decompressed bytes of a zip-based document held in memory at
    /// once: the parts rewritten whole (XML, embedded documents, PDFs, PNG,
    /// GIF, WebP and TIFF images), each counted twice for its cleaned copy. Other
    /// parts stream and do not count. More is refused as a zip bomb.
    pub zip_max_in_memory: u64,
    /// Most bytes all the streams of one PDF that must be decoded to read it
    /// (object streams and cross-reference streams) may decode to, together.
    /// Page content, images and fonts are copied encoded and never count;
    /// metadata streams are dropped without decoding. The server sets it from
    /// `limits.pdf_max_decoded_bytes`.
    pub pdf_max_decoded: u64,
    /// Most values (objects and every array, dictionary, name, string and
    /// number in them) one PDF may have, counted as they are read (members
    /// of an object stream from their text, before they are parsed): parsed
    /// values take many times the bytes of their text. The server sets it
    /// from `limits.pdf_max_values`.
    pub pdf_max_values: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_in_memory: 256 * 1024 * 1024,
            mp4_max_box: 64 * 1024 * 1024,
            zip_max_entries: 10_000,
            zip_max_uncompressed: 1024 * 1024 * 1024,
            zip_max_ratio: 100,
            zip_max_in_memory: 64 * 1024 * 1024,
            pdf_max_decoded: 32 * 1024 * 1024,
            pdf_max_values: 500_000,
        }
    }
}

/// A category of metadata that was removed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Removed {
    Location,
    Camera,
    Author,
    Software,
    Dates,
    Comments,
    Thumbnail,
    DocumentIds,
    Other,
}

impl fmt::Display for Removed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = match self {
            Removed::Location => "location",
            Removed::Camera => "camera",
            Removed::Author => "author",
            Removed::Software => "software",
            Removed::Dates => "dates",
            Removed::Comments => "comments",
            Removed::Thumbnail => "thumbnail",
            Removed::DocumentIds => "identifiers",
            Removed::Other => "other",
        };
        f.write_str(s)
    }
}

/// Result of a successful [`strip`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Metadata was found and removed; `removed` is sorted and has no duplicates.
    Cleaned { removed: Vec<Removed> },
    /// The file parsed and held no metadata we remove, but the output was
    /// re-serialised (e.g. a PDF or zip is always rewritten), so bytes differ.
    NothingFound,
    /// The format is not one we can clean ([`Kind::Other`]); the output is the
    /// unchanged input and may still carry metadata.
    NotCleanable,
    /// The file parsed, held no metadata we remove, and the output is
    /// byte-for-byte the input.
    KeptOriginal,
}

/// Why a file could not be sanitized. The caller must refuse the upload.
#[derive(thiserror::Error, Debug)]
pub enum SanitizeError {
    #[error("malformed {kind} file: {detail}")]
    Malformed { kind: Kind, detail: String },
    /// A well-formed file of a kind nothing here can clean (a zip archive
    /// that is no office document): like [`Kind::Other`], not damage.
    #[error("{kind} file cannot be cleaned: {detail}")]
    Unsupported { kind: Kind, detail: &'static str },
    #[error("file is larger than the {limit}-byte limit for this format")]
    TooLarge { limit: u64 },
    #[error("archive exceeds decompression limits (possible zip bomb)")]
    ZipBomb,
    #[error("i/o error: {0}")]
    Io(#[from] io::Error),
}

/// Detect the kind of a file from its first bytes (up to 4096).
///
/// Never looks at names or client-provided types. Zip archives are OOXML when a
/// `[Content_Types].xml` entry is visible in the prefix, ODF when the first
/// entry is a stored `mimetype` naming an OpenDocument type, otherwise Zip;
/// [`strip`] decides from the central directory in all three cases.
/// ISO-BMFF files whose brand is an image format are HEIF or AVIF, not MP4.
pub fn detect(prefix: &[u8]) -> Kind {
    let p = prefix.get(..prefix.len().min(4096)).unwrap_or(prefix);
    if p.starts_with(&[0xFF, 0xD8, 0xFF]) {
        return Kind::Jpeg;
    }
    if p.starts_with(b"\x89PNG\r\n\x1a\n") {
        return Kind::Png;
    }
    if p.starts_with(b"GIF87a") || p.starts_with(b"GIF89a") {
        return Kind::Gif;
    }
    if p.len() >= 12 && p.starts_with(b"RIFF") && p.get(8..12) == Some(b"WEBP") {
        return Kind::Webp;
    }
    if riff::looks_like_wav(p) {
        return Kind::Wav;
    }
    if riff::looks_like_avi(p) {
        return Kind::Avi;
    }
    if riff::looks_like_aiff(p) {
        return Kind::Aiff;
    }
    // Classic and BigTIFF in both byte orders; BigTIFF is reported as Tiff so
    // that the stripper refuses it instead of passing it through as Other.
    if p.starts_with(b"II*\0")
        || p.starts_with(b"MM\0*")
        || p.starts_with(b"II+\0")
        || p.starts_with(b"MM\0+")
    {
        return Kind::Tiff;
    }
    if p.starts_with(b"PK\x03\x04") {
        return zipdoc::detect_zip(p);
    }
    if let Some(kind) = mkv::detect(p) {
        return kind;
    }
    if netpbm::looks_like_netpbm(p) {
        return Kind::Netpbm;
    }
    if svg::looks_like_svg(p) {
        return Kind::Svg;
    }
    if let Some(kind) = heif::looks_like_heif(p) {
        return kind;
    }
    if mp4::looks_like_mp4(p) {
        return Kind::Mp4;
    }
    if ogg::looks_like_ogg(p) {
        return Kind::Ogg;
    }
    // Before MP3: some taggers put an ID3v2 tag in front of FLAC.
    if flac::looks_like_flac(p) {
        return Kind::Flac;
    }
    // PDF readers accept the header anywhere in the first KiB, so this scan
    // comes after every format that is named by bytes at a fixed offset: a
    // FLAC or MP4 whose audio happens to hold "%PDF-" near its start is
    // still that format (found by fuzzing strip_flac).
    let head = p.get(..p.len().min(1024)).unwrap_or(p);
    if find(head, b"%PDF-").is_some() {
        return Kind::Pdf;
    }
    if mp3::looks_like_mp3(p) {
        return Kind::Mp3;
    }
    Kind::Other
}

/// Strip identifying metadata from `input` (of the given, detected `kind`)
/// and write the cleaned file to `output`.
///
/// See the module documentation for memory behaviour per kind. On error the
/// output is incomplete and must be discarded.
pub fn strip(
    kind: Kind,
    input: &mut dyn Read,
    output: &mut dyn Write,
    limits: &Limits,
) -> Result<Outcome, SanitizeError> {
    match kind {
        Kind::Other => {
            io::copy(input, output)?;
            Ok(Outcome::NotCleanable)
        }
        Kind::Jpeg => jpeg::strip(input, output),
        Kind::Png => png::strip(input, output),
        Kind::Gif => gif::strip(input, output),
        Kind::Mp3 => mp3::strip(input, output, limits.mp4_max_box),
        Kind::Webp => {
            let data = read_limited(input, limits.max_in_memory)?;
            webp::strip(&data, output)
        }
        Kind::Tiff => {
            let data = read_limited(input, limits.max_in_memory)?;
            tiff::strip(&data, output)
        }
        Kind::Pdf => {
            let data = read_limited(input, limits.max_in_memory)?;
            no_panic(kind, || pdf::strip(&data, output, limits))
        }
        Kind::Mp4 => mp4::strip(input, output, limits.mp4_max_box),
        Kind::Webm | Kind::Matroska => mkv::strip(kind, input, output, limits.mp4_max_box),
        Kind::Netpbm => netpbm::strip(input, output),
        Kind::Svg => svg::strip(input, output, limits),
        Kind::Ogg => ogg::strip(input, output, limits.mp4_max_box),
        Kind::Flac => flac::strip(input, output, limits.mp4_max_box),
        Kind::Heif | Kind::Avif => heif::strip(kind, input, output, limits.mp4_max_box),
        Kind::Wav => riff::strip_wav(input, output, limits.mp4_max_box),
        Kind::Aiff => riff::strip_aiff(input, output, limits.mp4_max_box),
        Kind::Avi => riff::strip_avi(input, output),
        Kind::Ooxml | Kind::Odf | Kind::Zip | Kind::Epub => {
            let data = read_limited(input, limits.max_in_memory)?;
            no_panic(kind, || zipdoc::strip(kind, &data, output, limits))
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests;

/// Robustness: nothing panics on random bytes or mutated fixtures.
#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod robustness;

/// Helpers shared by the format modules' tests.
#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
pub(crate) mod tests_util;
