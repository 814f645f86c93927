//! Ogg Vorbis and Ogg Opus comment stripping, streamed page by page.
//!
//! Voice notes (WhatsApp, Telegram, Signal) and many recorders write Ogg
//! Opus or Ogg Vorbis. Their metadata lives in one header packet: the
//! Vorbis comment header (`\x03vorbis`) or `OpusTags`, holding a vendor
//! string (the encoder's name and version) and free `NAME=value` comments
//! (artist, date, location, encoder, a cover picture in
//! `METADATA_BLOCK_PICTURE`). That packet is replaced by an empty one (empty
//! vendor, no comments; Vorbis keeps its framing bit), the header pages are
//! laid out again, and every later page is copied with its sequence number
//! shifted by the change in header page count and its CRC computed again.
//! Granule positions and audio packets are never touched.
//!
//! Chained files (one logical stream after another) are cleaned link by
//! link. Multiplexed streams (several streams interleaved, e.g. a Skeleton
//! track) and codecs other than Vorbis and Opus are refused as
//! `Unsupported`; a damaged page (bad CRC, truncated, a header laid out
//! against the specification) is `Malformed`, never passed through.
//!
//! Memory: one page (at most 65 307 bytes), the identification and setup
//! header packets up to `max_header` bytes, and the first 64 KiB of the
//! dropped comment packet (only to report what it held). The page parser is
//! ours rather than a crate's: it is about a hundred lines, and the `ogg`
//! crate's reader hides the page boundaries and sequence numbers that must
//! be rewritten here. Must never panic.

use std::io::{BufReader, BufWriter, Read, Write};

use super::{Found, Kind, Outcome, Removed, SanitizeError, malformed, read_exact, read_up_to};

mod crc;
mod rewrite;

use crc::crc_page;
use rewrite::strip_ogg;

/// Stream-strip an Ogg Vorbis or Opus file. `max_header` bounds the header
/// packets (identification and setup) held in memory.
pub(super) fn strip(
    input: &mut dyn Read,
    output: &mut dyn Write,
    max_header: u64,
) -> Result<Outcome, SanitizeError> {
    let mut r = BufReader::new(input);
    let mut w = BufWriter::new(output);
    let found = strip_ogg(&mut r, &mut w, max_header)?;
    w.flush()?;
    Ok(found.outcome())
}

/// True when `p` starts with an Ogg page.
pub(super) fn looks_like_ogg(p: &[u8]) -> bool {
    p.starts_with(b"OggS")
}

/// Report what a Vorbis comment block (vendor string, then `NAME=value`
/// comments, as in Ogg and in FLAC's VORBIS_COMMENT block) held. `data` may
/// be only the start of the block: what is cut off counts as `Other`.
pub(super) fn classify_comments(data: &[u8], found: &mut Found) {
    let mut rest = data;
    let Some(vlen) = take_u32(&mut rest) else {
        found.add(Removed::Other);
        return;
    };
    if vlen > 0 {
        found.add(Removed::Software);
    }
    if vlen > rest.len() {
        return;
    }
    rest = rest.get(vlen..).unwrap_or(&[]);
    let Some(count) = take_u32(&mut rest) else {
        return;
    };
    for _ in 0..count {
        let Some(len) = take_u32(&mut rest) else {
            found.add(Removed::Other);
            return;
        };
        // A comment cut off by the end of `data` is still named by its start.
        let c = rest.get(..len).unwrap_or(rest);
        match c.iter().position(|b| *b == b'=') {
            Some(eq) => {
                let name = String::from_utf8_lossy(c.get(..eq).unwrap_or(&[]));
                found.add(comment_category(&name.to_ascii_uppercase()));
            }
            None => found.add(Removed::Other),
        }
        if len > rest.len() {
            found.add(Removed::Other);
            return;
        }
        rest = rest.get(len..).unwrap_or(&[]);
    }
}

// ---------------------------------------------------------------------------

const K: Kind = Kind::Ogg;
/// Largest page: 27-byte header, 255 lacing values, 255 segments of 255.
const MAX_PAGE: usize = 27 + 255 + 255 * 255;
/// How much of a dropped comment packet is kept to report what it held.
const CLASSIFY_PREFIX: usize = 64 * 1024;
/// Original header pages are kept to tell whether the output is the input
/// unchanged only while they are this small (larger means a large comment,
/// which is removed anyway).
const COMPARE_LIMIT: usize = 1 << 20;

const FLAG_CONTINUED: u8 = 0x01;
const FLAG_BOS: u8 = 0x02;
const FLAG_EOS: u8 = 0x04;

/// An empty Vorbis comment header: no vendor, no comments, framing bit.
const EMPTY_VORBIS_COMMENT: &[u8] = b"\x03vorbis\0\0\0\0\0\0\0\0\x01";
/// An empty OpusTags packet: no vendor, no comments.
const EMPTY_OPUS_TAGS: &[u8] = b"OpusTags\0\0\0\0\0\0\0\0";

fn comment_category(name: &str) -> Removed {
    match name {
        "ARTIST" | "PERFORMER" | "COMPOSER" | "AUTHOR" | "CONTACT" | "ORGANIZATION"
        | "COPYRIGHT" | "LICENSE" | "ALBUMARTIST" | "ALBUM_ARTIST" | "LYRICIST" | "CONDUCTOR"
        | "ARRANGER" => Removed::Author,
        "DATE" | "YEAR" | "CREATION_TIME" | "ORIGINALDATE" | "ENCODED_DATE" => Removed::Dates,
        "LOCATION" | "GPS" => Removed::Location,
        "ENCODER" | "ENCODED_BY" | "ENCODEDBY" | "ENCODER_OPTIONS" | "ENCODING" => {
            Removed::Software
        }
        "COMMENT" | "COMMENTS" | "DESCRIPTION" | "TITLE" | "ALBUM" | "LYRICS" => Removed::Comments,
        "METADATA_BLOCK_PICTURE" | "COVERART" => Removed::Thumbnail,
        "ISRC" | "MUSICBRAINZ_TRACKID" | "UPC" | "BARCODE" | "CATALOGNUMBER" => {
            Removed::DocumentIds
        }
        _ => Removed::Other,
    }
}

/// The codec of a logical stream, from its first packet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Codec {
    Vorbis,
    Opus,
}

impl Codec {
    fn from_first_packet(p: &[u8]) -> Option<Codec> {
        if p.starts_with(b"\x01vorbis") {
            Some(Codec::Vorbis)
        } else if p.starts_with(b"OpusHead") {
            Some(Codec::Opus)
        } else {
            None
        }
    }

    /// Header packets, the comment packet included.
    fn headers(self) -> usize {
        match self {
            Codec::Vorbis => 3,
            Codec::Opus => 2,
        }
    }

    fn comment_magic(self) -> &'static [u8] {
        match self {
            Codec::Vorbis => b"\x03vorbis",
            Codec::Opus => b"OpusTags",
        }
    }

    fn empty_comment(self) -> &'static [u8] {
        match self {
            Codec::Vorbis => EMPTY_VORBIS_COMMENT,
            Codec::Opus => EMPTY_OPUS_TAGS,
        }
    }
}

/// One parsed page, borrowing the read buffer.
struct Page<'a> {
    raw: &'a [u8],
    flags: u8,
    serial: u32,
    seq: u32,
    lacing: &'a [u8],
    body: &'a [u8],
}

/// Read one page into `buf`; `None` at a clean end of file.
fn read_page<'a>(
    r: &mut dyn Read,
    buf: &'a mut Vec<u8>,
) -> Result<Option<Page<'a>>, SanitizeError> {
    buf.clear();
    buf.resize(27, 0);
    let n = read_up_to(r, buf, K)?;
    if n == 0 {
        return Ok(None);
    }
    if n < 27 {
        return Err(malformed(K, "truncated page header"));
    }
    if buf.get(..4) != Some(b"OggS") {
        return Err(malformed(K, "page capture pattern missing"));
    }
    if buf.get(4) != Some(&0) {
        return Err(malformed(K, "unknown page version"));
    }
    let nsegs = usize::from(buf.get(26).copied().unwrap_or(0));
    buf.resize(27 + nsegs, 0);
    read_exact(r, buf.get_mut(27..).unwrap_or(&mut []), K)?;
    let body_len: usize = buf
        .get(27..)
        .unwrap_or(&[])
        .iter()
        .map(|b| usize::from(*b))
        .sum();
    let start = buf.len();
    buf.resize(start + body_len, 0);
    read_exact(r, buf.get_mut(start..).unwrap_or(&mut []), K)?;
    let stored = u32_le(buf.get(22..26));
    if crc_page(buf) != stored {
        return Err(malformed(K, "page checksum mismatch"));
    }
    let raw: &'a [u8] = buf;
    Ok(Some(Page {
        raw,
        flags: raw.get(5).copied().unwrap_or(0),
        serial: u32_le(raw.get(14..18)),
        seq: u32_le(raw.get(18..22)),
        lacing: raw.get(27..27 + nsegs).unwrap_or(&[]),
        body: raw.get(27 + nsegs..).unwrap_or(&[]),
    }))
}

/// Header pages of one link being gathered.
struct Headers {
    serial: u32,
    codec: Option<Codec>,
    /// Complete header packets other than the comment (identification,
    /// and Vorbis's setup), in order; the comment's place is `None`.
    packets: Vec<Option<Vec<u8>>>,
    /// The packet being assembled (None while inside the comment packet).
    current: Option<Vec<u8>>,
    /// True while the next segment continues a packet.
    in_packet: bool,
    comment_prefix: Vec<u8>,
    held: u64,
    pages_in: u32,
    original: Vec<u8>,
    compare: bool,
    first_seq: u32,
}

fn u32_le(b: Option<&[u8]>) -> u32 {
    match b {
        Some([a, b, c, d]) => u32::from_le_bytes([*a, *b, *c, *d]),
        _ => 0,
    }
}

/// A little-endian u32 length from the front of `rest`.
fn take_u32(rest: &mut &[u8]) -> Option<usize> {
    let (a, b) = (rest.get(..4)?, rest.get(4..)?);
    *rest = b;
    usize::try_from(u32_le(Some(a))).ok()
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
pub(crate) mod tests;
