//! WebM / Matroska (.webm, .mkv, .mka) metadata stripping, streamed element
//! by element, with every byte kept in its place.
//!
//! Removed: `Tags` (title, artist, encoder, creation time, location, …),
//! `Attachments` (cover art and fonts carry their own metadata), `Chapters`
//! (names written by a person), and in `Info` the `Title`, `DateUTC`, the
//! `SegmentUID`/`PrevUID`/`NextUID`/`SegmentFamily`/`ChapterTranslate`
//! identifiers that link a recording to its siblings, and the segment file
//! names; in each `TrackEntry` the `Name` (may hold a device name),
//! `CodecName`, `CodecSettings` and the links to removed elements. `MuxingApp`
//! and `WritingApp` are mandatory, so their text is overwritten with zero
//! bytes: a zero-padded string is the empty string (RFC 8794, section 7.4).
//! `Void` bodies are zeroed (they can hold stale data); `SeekHead` entries
//! that point at removed elements are removed. Unknown elements at the levels
//! rewritten here are removed too, since nothing here can tell what they hold.
//! Kept: the EBML header, track numbers and UIDs, codec data (`CodecPrivate`
//! is needed to decode), `Cues`, and the clusters of media.
//!
//! # Positions
//! `SeekHead` and `Cues` hold offsets relative to the start of the Segment's
//! data, so nothing may move. A removed element is overwritten in place by
//! an EBML `Void` element of the same total size (its size field is chosen so
//! that any total of two bytes or more fits exactly): the output has exactly
//! the input's length and every offset stays valid. A `CRC-32` element first
//! in a rewritten master is recomputed; one at the Segment's own level (it
//! would cover the whole Segment) is replaced by a `Void`.
//!
//! # Streaming and memory
//! `Cluster`s and `Cues` are copied through in 64 KiB chunks, and so are
//! removed `Attachments` and `Chapters`, read and replaced by zeros without
//! being held. `Info`, `Tracks`, `SeekHead` and `Tags` are held one at a time,
//! each up to [`Limits::mp4_max_box`](super::Limits::mp4_max_box) bytes,
//! otherwise the file is TooLarge (`Tags` larger than that are still removed,
//! streamed, and reported as "other"). Segments and Clusters of unknown size
//! (live WebM from browsers and phones) are followed by their children's
//! IDs. Nesting deeper than [`MAX_DEPTH`] is Malformed.
//!
//! No EBML crate is used: the stripper needs only EBML's variable-length
//! integers, and must write back every byte it does not change unchanged,
//! which an element-tree parser would not promise.

use std::io::{BufReader, BufWriter, Read, Write};

use super::{Found, Kind, Outcome, Removed, SanitizeError};

mod clean;
mod ebml;
mod stripper;

use clean::doc_type;
use ebml::parse_header;
use stripper::Stripper;

/// The kind `p` (the first bytes of a file) is, when it starts with an EBML
/// header: WebM or Matroska by its DocType, or `None` for another EBML
/// document type. A header too damaged to read is Matroska, so that the
/// stripper reports it Malformed rather than passing it through.
pub(super) fn detect(p: &[u8]) -> Option<Kind> {
    if !p.starts_with(&EBML_MAGIC) {
        return None;
    }
    let Ok(h) = parse_header(p, 0) else {
        return Some(Kind::Matroska);
    };
    let end = h.data_start.saturating_add(h.size.unwrap_or(0) as usize);
    let body = p.get(h.data_start..end.min(p.len())).unwrap_or(&[]);
    match doc_type(body) {
        Some(DocType::Webm) => Some(Kind::Webm),
        Some(DocType::Matroska) | None => Some(Kind::Matroska),
        Some(DocType::Other) => None,
    }
}

/// Stream-strip a Matroska or WebM file from `input` to `output`, holding at
/// most `max_held` bytes of one metadata element in memory at once.
pub(super) fn strip(
    kind: Kind,
    input: &mut dyn Read,
    output: &mut dyn Write,
    max_held: u64,
) -> Result<Outcome, SanitizeError> {
    let mut s = Stripper {
        kind,
        max_held,
        r: BufReader::with_capacity(IO_CHUNK, input),
        w: BufWriter::with_capacity(IO_CHUNK, output),
        found: Found::default(),
    };
    s.run()?;
    s.w.flush()?;
    Ok(s.found.outcome())
}

// ---------------------------------------------------------------------------

/// Deepest nesting of masters followed inside a held element.
pub(super) const MAX_DEPTH: usize = 16;
/// Most elements parsed inside one held element.
const MAX_ELEMENTS: usize = 100_000;
/// Chunk size for copying media and the reader/writer buffers.
const IO_CHUNK: usize = 64 * 1024;
const EBML_MAGIC: [u8; 4] = [0x1A, 0x45, 0xDF, 0xA3];

/// Element IDs (with their length marker bits, as written).
mod id {
    pub const EBML: u32 = 0x1A45_DFA3;
    pub const DOC_TYPE: u32 = 0x4282;
    pub const VOID: u32 = 0xEC;
    pub const CRC32: u32 = 0xBF;
    pub const SEGMENT: u32 = 0x1853_8067;
    pub const SEEK_HEAD: u32 = 0x114D_9B74;
    pub const SEEK: u32 = 0x4DBB;
    pub const SEEK_ID: u32 = 0x53AB;
    pub const INFO: u32 = 0x1549_A966;
    pub const TRACKS: u32 = 0x1654_AE6B;
    pub const TRACK_ENTRY: u32 = 0xAE;
    pub const CLUSTER: u32 = 0x1F43_B675;
    pub const CUES: u32 = 0x1C53_BB6B;
    pub const CHAPTERS: u32 = 0x1043_A770;
    pub const TAGS: u32 = 0x1254_C367;
    pub const TAG: u32 = 0x7373;
    pub const SIMPLE_TAG: u32 = 0x67C8;
    pub const TAG_NAME: u32 = 0x45A3;
    // Info.
    pub const TIMESTAMP_SCALE: u32 = 0x2A_D7B1;
    pub const DURATION: u32 = 0x4489;
    pub const MUXING_APP: u32 = 0x4D80;
    pub const WRITING_APP: u32 = 0x5741;
    pub const TITLE: u32 = 0x7BA9;
    pub const DATE_UTC: u32 = 0x4461;
    pub const SEGMENT_UID: u32 = 0x73A4;
    pub const PREV_UID: u32 = 0x3C_B923;
    pub const NEXT_UID: u32 = 0x3E_B923;
    pub const SEGMENT_FAMILY: u32 = 0x4444;
    pub const CHAPTER_TRANSLATE: u32 = 0x6924;
    // TrackEntry.
    pub const NAME: u32 = 0x536E;
    pub const CODEC_NAME: u32 = 0x25_8688;
}

/// The EBML header's children (RFC 8794), all kept.
const EBML_HEADER_KEEP: &[u32] = &[
    0x4286,
    0x42F7,
    0x42F2,
    0x42F3,
    id::DOC_TYPE,
    0x4287,
    0x4285,
    0x4281,
];

/// Children of a `Cluster`; any other ID ends a Cluster of unknown size.
const CLUSTER_CHILDREN: &[u32] = &[
    0xE7,
    0x5854,
    0xA7,
    0xAB,
    0xA3,
    0xA0,
    0xAF,
    id::VOID,
    id::CRC32,
];

/// `TrackEntry` children kept: numbers, flags, timing, language, codec and
/// its data, and the Video/Audio/encoding masters (technical values only).
const TRACK_ENTRY_KEEP: &[u32] = &[
    0xD7, 0x73C5, 0x83, 0xB9, 0x88, 0x55AA, 0x55AB, 0x55AC, 0x55AD, 0x55AE, 0x55AF, 0x9C, 0x6DE7,
    0x6DF8, 0x23_E383, 0x23_4E7A, 0x23_314F, 0x537F, 0x55EE, 0x41E4, 0x22_B59C, 0x22_B59D, 0x86,
    0x63A2, 0xAA, 0x6FAB, 0x56AA, 0x56BB, 0xE0, 0xE1, 0xE2, 0x6D80,
];

/// Level-1 elements a kept `Seek` entry may point at.
const SEEK_KEEP: &[u32] = &[id::INFO, id::TRACKS, id::CUES, id::CLUSTER, id::SEEK_HEAD];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum DocType {
    Webm,
    Matroska,
    Other,
}

/// The masters rewritten in memory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ctx {
    EbmlHeader,
    Info,
    Tracks,
    TrackEntry,
    SeekHead,
}

/// What to do with one child of a held master.
enum Action {
    Keep,
    /// Zero the body (Void).
    ZeroBody,
    /// Zero the body and report it when it held text (MuxingApp, WritingApp).
    Blank(Removed),
    /// Overwrite the whole element with a Void, reporting it (or not).
    Void(Option<Removed>),
    Recurse(Ctx),
}

/// An element header, parsed from a buffer or read from the stream.
#[derive(Debug, Clone, Copy)]
struct Header {
    id: u32,
    /// Data size, or `None` for "unknown" (all value bits set).
    size: Option<u64>,
    /// Length of ID plus size field.
    len: usize,
    /// Where the data starts (buffer parsing only: `start + len`).
    data_start: usize,
    raw: [u8; 12],
}

impl Header {
    fn bytes(&self) -> &[u8] {
        self.raw.get(..self.len).unwrap_or(&self.raw)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
pub(crate) mod tests;
