//! HEIF / HEIC / AVIF metadata stripping (iPhone and recent Android photos),
//! streamed, every byte kept at its place.
//!
//! These are ISO-BMFF files: `ftyp`, then a `meta` box describing items
//! (images, Exif, XMP) whose data lies at absolute file offsets (`iloc`),
//! usually in `mdat`, sometimes in `meta`'s own `idat`. Since offsets are
//! absolute, nothing is moved: the file is rewritten with the same size and
//! layout, and
//! * every byte outside `ftyp` and `meta` that no image item's data covers
//!   is zeroed (Exif and XMP items, data no item names, `free`/`skip`
//!   padding, `uuid`/`udta` and other unknown top-level boxes, which are
//!   renamed `free`); the same in `idat`;
//! * an Exif item then holds an empty TIFF structure (no tags) and an XMP
//!   item an empty `x:xmpmeta` packet padded with spaces, so readers still
//!   find valid items; other `mime` and `uri ` items are left all zeros;
//! * ICC profiles (`colr` of type `prof`/`rICC`) keep their colour data but
//!   lose the header's CMM, date, platform, device and creator fields and
//!   profile id, and the text of `desc`, `cprt`, `dmnd`, `dmdd`, `dscm`,
//!   `vued` and `meta` tags;
//! * the `hdlr` box's name (free text; ffmpeg writes "PictureHandler") is
//!   zeroed;
//! * item properties that describe the picture in words or times (`udes`,
//!   `crtt`, `mdft`, `itai`) are zeroed; boxes of `meta` other than the
//!   item structures (`xml `, `bxml`, `uuid`, …) are renamed `free` and zeroed.
//!
//! Orientation (`irot`, `imir`), `nclx` colour, sizes and the coded images
//! are untouched.
//!
//! # Streaming and memory
//! `meta` must come before any box holding data (as every writer puts it),
//! and is held whole, up to [`Limits::mp4_max_box`](super::Limits::mp4_max_box)
//! bytes; everything after it is copied in 64 KiB chunks. Besides `meta`,
//! only the parsed item extents (at most [`MAX_EXTENTS`]) and up to
//! [`CLASSIFY_BUDGET`] bytes of the removed Exif/XMP (to tell what they held)
//! are kept. Image sequences (`moov` tracks) are refused as Unsupported.
//!
//! Must never: write a byte of an Exif/XMP item or of unreferenced data,
//! move image data, or panic on hostile input.

use std::io::{BufReader, BufWriter, Read, Write};

use super::{Found, Kind, Outcome, SanitizeError};

mod meta;
mod ranges;
mod stripper;

use crate::be32;
use ranges::Ranges;

/// Most item extents (over all items) taken from `iloc`.
pub(super) const MAX_EXTENTS: usize = 1 << 16;
/// Most items described in `iloc` (a phone's photo has tens: tiles,
/// thumbnails, depth and gain maps, Exif, XMP).
pub(super) const MAX_ITEMS: usize = 1 << 16;
/// Most bytes of removed Exif and XMP items kept to report what they held.
pub(super) const CLASSIFY_BUDGET: usize = 1 << 20;
/// Chunk size for copying data and the reader/writer buffers.
const IO_CHUNK: usize = 64 * 1024;
/// Most boxes looked at inside `meta`.
const MAX_BOXES: usize = 100_000;

/// The HEIF kind of `p` when it starts with an `ftyp` naming an image brand:
/// AVIF when an AVIF brand is present, otherwise HEIF.
pub(super) fn looks_like_heif(p: &[u8]) -> Option<Kind> {
    if p.get(4..8) != Some(b"ftyp") {
        return None;
    }
    let size = usize::try_from(be32(p, 0)?).ok()?;
    if size < 16 {
        return None;
    }
    let end = size.min(p.len());
    let major = p.get(8..12)?;
    let compatible = p.get(16..end).unwrap_or(&[]);
    let brands = || std::iter::once(major).chain(compatible.chunks_exact(4));
    if brands().any(|b| matches!(b, b"avif" | b"avis")) {
        return Some(Kind::Avif);
    }
    let image = brands().any(|b| {
        matches!(
            b,
            b"heic" | b"heix" | b"heim" | b"heis" | b"mif1" | b"msf1" | b"hevc" | b"hevx" | b"mif2"
        )
    });
    image.then_some(Kind::Heif)
}

/// Strip a HEIF/AVIF file from `input` to `output`, holding at most
/// `max_meta` bytes of `meta` in memory.
pub(super) fn strip(
    kind: Kind,
    input: &mut dyn Read,
    output: &mut dyn Write,
    max_meta: u64,
) -> Result<Outcome, SanitizeError> {
    let mut r = BufReader::with_capacity(IO_CHUNK, input);
    let mut w = BufWriter::with_capacity(IO_CHUNK, output);
    let mut s = Stripper {
        kind,
        max_meta,
        pos: 0,
        plan: None,
        found: Found::default(),
    };
    s.run(&mut r, &mut w)?;
    w.flush()?;
    Ok(s.found.outcome())
}

// ---------------------------------------------------------------------------

/// What an item's bytes become.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum ItemKind {
    /// Coded image data and anything else a reader needs: kept.
    Image,
    Exif,
    Xmp,
    /// Other metadata (`mime`, `uri `, an item without `infe`): zeroed.
    Blank,
}

/// An Exif item with no tags: the 4-byte offset to the TIFF header (0),
/// then a big-endian TIFF header and an empty IFD0.
const EMPTY_EXIF: &[u8] = b"\0\0\0\0MM\0*\0\0\0\x08\0\0\0\0\0\0";
/// An XMP item with no properties; the rest of the item is spaces.
const EMPTY_XMP: &[u8] = b"<?xpacket begin=\"\xEF\xBB\xBF\" id=\"W5M0MpCehiHzreSzNTczkc9d\"?>\
<x:xmpmeta xmlns:x=\"adobe:ns:meta/\"/><?xpacket end=\"w\"?>";

/// A removed metadata item: what it is written as, and its first bytes as
/// found (for reporting only).
struct MetaItem {
    kind: ItemKind,
    template: &'static [u8],
    pad: u8,
    seen: Vec<u8>,
}

impl MetaItem {
    fn byte(&self, logical: u64) -> u8 {
        usize::try_from(logical)
            .ok()
            .and_then(|i| self.template.get(i))
            .copied()
            .unwrap_or(self.pad)
    }
}

/// What `meta` said about the file.
struct Plan {
    file: Ranges,
    items: Vec<MetaItem>,
    budget: usize,
}

struct Stripper {
    kind: Kind,
    max_meta: u64,
    /// Absolute position in the input (and output) of the next byte.
    pos: u64,
    plan: Option<Plan>,
    found: Found,
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
pub(crate) mod tests;
