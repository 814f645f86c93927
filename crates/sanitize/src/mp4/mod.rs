//! MP4 / QuickTime / M4A metadata stripping, streamed box by box.
//!
//! Removes `udta` (©xyz location, ©day, ©too, ©mak, iTunes tags), `meta`
//! (QuickTime mdta keys: location, make, model, software, creation date) and
//! `uuid` (XMP and vendor blobs) at top level, in `moov` and in `trak`; drops
//! `mfra` (an optional index of absolute offsets); zeroes creation/modification
//! times in mvhd/tkhd/mdhd and the contents of free/skip/wide boxes (which can
//! hold stale data).
//!
//! # Streaming
//! Top-level boxes are read in order. `mdat` (32-bit, 64-bit `largesize`, or a
//! final size-0 box running to the end of the file) is copied through in
//! 64 KiB chunks (but held before the first `moov`: see below); top-level free/skip/wide bodies are read and replaced by
//! zeros without being held. Every other top-level box is held whole; the
//! boxes held at once (plus their parsed trees) are bounded by
//! [`Limits::mp4_max_box`](super::Limits::mp4_max_box), above which the file
//! is TooLarge. Nothing else grows with the file except two bounded tables: removed
//! ranges and chunk offsets that point past the next `mdat` (see below).
//!
//! # Offsets
//! `stco`/`co64` chunk offsets and `tfhd` base offsets are absolute positions
//! in the file. Every removed range is recorded together with the total shift
//! after it. A box holding offsets (moov, moof) is held until the next `mdat`
//! header (or the end of the file), by which point every removal before that
//! `mdat` is known; then each offset is mapped: one before the `mdat` through the
//! recorded ranges (moov after its media, as phones write it), one inside it
//! by the current shift (faststart, fragments), one past it by the current
//! shift too, after which no later removal may move it: a metadata box that
//! would move such an offset is instead blanked, i.e. kept as a zero-filled
//! `free` box of the same size. Blanking is also used for metadata between a
//! `moof` and its `mdat` (trun offsets are relative to the moof) and after a
//! top-level `sidx` (its ranges are byte counts). An offset that points into
//! removed metadata or past the end of the file is Malformed.
//!
//! # Timed metadata
//! A track whose handler is not video or sound (GoPro `gpmd` and Google
//! `camm` GPS, DJI `djmd`, Apple/Samsung `mebx` location, text, timecode;
//! see `timed.rs`) is removed from the `moov` like a metadata box, and its
//! samples in `mdat` are zeroed as they pass. Media data before the first
//! `moov` (phones and cameras write the index last) is therefore held, not
//! streamed, while it fits the same budget; a larger one is streamed (and
//! held media is written out when the next box would not fit beside it),
//! and if the `moov` then names metadata samples in it the file is TooLarge
//! (they went out already). A fragmented movie with such a track is
//! Unsupported (its fragments would carry more samples).
//!
//! Must never write a box it could not parse, or a metadata sample, or
//! panic.

use std::io::{BufReader, BufWriter, Read, Write};

use super::{Found, Kind, Outcome, SanitizeError};

mod bytes;
mod stripper;
mod timed;
mod tree;

use crate::be32;
use crate::bmff::Header;
use tree::holds_offsets;

/// True when `p` starts like an ISO-BMFF/QuickTime movie (not HEIF/AVIF images).
pub(super) fn looks_like_mp4(p: &[u8]) -> bool {
    let (Some(size), Some(typ)) = (be32(p, 0), p.get(4..8)) else {
        return false;
    };
    if typ == b"ftyp" {
        let brands_end = (size as usize).min(p.len());
        let brands = p.get(8..brands_end).unwrap_or(&[]);
        let image = brands.chunks(4).any(|b| {
            matches!(
                b,
                b"heic"
                    | b"heix"
                    | b"heim"
                    | b"heis"
                    | b"mif1"
                    | b"msf1"
                    | b"avif"
                    | b"avis"
                    | b"hevc"
                    | b"hevx"
            )
        });
        return !image && size >= 8;
    }
    matches!(
        typ,
        b"moov" | b"mdat" | b"wide" | b"free" | b"skip" | b"pnot"
    ) && (size >= 8 || size <= 1)
}

/// Stream-strip an MP4 from `input` to `output`, holding at most `max_box`
/// bytes of non-media boxes in memory at once.
pub(super) fn strip(
    input: &mut dyn Read,
    output: &mut dyn Write,
    max_box: u64,
) -> Result<Outcome, SanitizeError> {
    let mut r = BufReader::with_capacity(IO_CHUNK, input);
    let mut w = BufWriter::with_capacity(IO_CHUNK, output);
    let mut s = Stripper::new(max_box);
    s.run(&mut r, &mut w)?;
    w.flush()?;
    Ok(s.found.outcome())
}

// ---------------------------------------------------------------------------

const K: Kind = Kind::Mp4;
const MAX_DEPTH: usize = 16;
/// Most boxes parsed inside one held top-level box.
const MAX_BOXES: usize = 100_000;
/// Most removed or blanked ranges remembered for remapping offsets.
const MAX_REMOVED: usize = 100_000;
/// Most chunk offsets pointing past the `mdat` they were committed at.
const MAX_DEFERRED: usize = 1 << 20;
/// Chunk size for copying media and the reader/writer buffers.
const IO_CHUNK: usize = 64 * 1024;
/// Memory charged against the hold budget for each pending item, so that a
/// flood of tiny boxes cannot grow the pending list without bound.
const ITEM_COST: u64 = std::mem::size_of::<Item>() as u64;
/// Zeros for writing blanked and free bodies.
const ZEROS: [u8; 4096] = [0; 4096];

#[derive(Clone, Copy, PartialEq, Eq)]
enum Parent {
    Top,
    Moov,
    Trak,
    Other,
}

/// A box inside a held buffer; positions are relative to that buffer.
struct Mp4Box {
    typ: [u8; 4],
    start: usize,
    header: usize,
    end: usize,
    /// Original size field was 0 ("extends to end of file").
    to_end: bool,
    large: bool,
    /// Metadata: removed from the output.
    drop: bool,
    /// Set at planning for a dropped box that must keep its bytes' place:
    /// written as a zero-filled `free` box of the same size.
    blank: bool,
    children: Option<Vec<Mp4Box>>,
}

/// A top-level box read but not yet written.
enum Item {
    /// A kept box held whole; patched and written at flush.
    Held {
        start: u64,
        data: Vec<u8>,
        tree: Vec<Mp4Box>,
    },
    /// A box written as its header followed by `body` zero bytes.
    Zeros { header: Header, body: u64 },
    /// A top-level metadata box, already read and classified; dropped, or
    /// blanked when `blank` is set at planning.
    Remove {
        start: u64,
        header: Header,
        total: u64,
        blank: bool,
    },
}

impl Item {
    /// Holds offsets that can only be mapped once the next `mdat` is known.
    fn needs_media(&self) -> bool {
        match self {
            Item::Held { tree, .. } => tree.iter().any(|b| &b.typ == b"moof" || holds_offsets(b)),
            _ => false,
        }
    }
}

/// A range of the input that is not in the output (or is blanked).
struct Gap {
    start: u64,
    end: u64,
    /// Bytes dropped from the output up to `end` (blanked bytes do not count).
    shift_after: u64,
}

/// Where pending offsets are being resolved: the next `mdat` starts at `at`
/// and ends at `media_end`; `None` means `at` is the end of the file.
#[derive(Clone, Copy)]
struct Commit {
    at: u64,
    media_end: Option<u64>,
}

struct Stripper {
    max_box: u64,
    found: Found,
    /// Input position of the next unread byte.
    pos: u64,
    pending: Vec<Item>,
    /// Memory held by `pending`, charged against `max_box`.
    pending_cost: u64,
    /// Some pending item needs the next `mdat` before it can be written.
    pending_needs_media: bool,
    /// Removed and blanked ranges, in file order.
    gaps: Vec<Gap>,
    /// Bytes dropped so far.
    dropped: u64,
    /// Sorted offsets, already written, that point past the `mdat` they
    /// were committed at; nothing may be dropped before them any more.
    deferred: Vec<u64>,
    /// Position of the first top-level `sidx`.
    sidx_at: Option<u64>,
    seen_moov: bool,
    /// Samples of removed metadata tracks, blanked as they pass.
    scrub: timed::Scrub,
    /// Input position up to which bytes have gone to the output (or been
    /// dropped): the start of the first pending item.
    passed: u64,
    /// A media box read before any `moov` is pending: hold everything until
    /// the `moov` says which of its bytes are metadata samples.
    holding_media: bool,
    /// Buffer for copying media, allocated once.
    buf: Vec<u8>,
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
pub(crate) mod tests;
