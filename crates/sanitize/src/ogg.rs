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

fn strip_ogg(r: &mut dyn Read, w: &mut dyn Write, max_header: u64) -> Result<Found, SanitizeError> {
    let mut found = Found::default();
    let mut buf = Vec::with_capacity(MAX_PAGE);
    let mut links = 0u32;
    // One link at a time: header pages, then pages until end of stream.
    while let Some((shift, serial)) = strip_headers(r, w, &mut buf, &mut found, max_header, links)?
    {
        links = links.saturating_add(1);
        loop {
            let Some(page) = read_page(r, &mut buf)? else {
                // A recording cut off without its last page still plays.
                return Ok(found);
            };
            if page.flags & FLAG_BOS != 0 || page.serial != serial {
                return Err(SanitizeError::Unsupported {
                    kind: K,
                    detail: "multiplexed Ogg streams",
                });
            }
            let seq = page.seq.wrapping_sub(shift);
            if shift != 0 {
                found.changed = true;
            }
            write_copy(w, page.raw, seq)?;
            if page.flags & FLAG_EOS != 0 {
                break;
            }
        }
    }
    if links == 0 {
        return Err(malformed(K, "no Ogg pages"));
    }
    Ok(found)
}

/// Read and rewrite the header pages of one link. Returns `None` at the end
/// of the file (no further link), else the amount to subtract from the
/// sequence number of the link's later pages and the link's serial number.
fn strip_headers(
    r: &mut dyn Read,
    w: &mut dyn Write,
    buf: &mut Vec<u8>,
    found: &mut Found,
    max_header: u64,
    links: u32,
) -> Result<Option<(u32, u32)>, SanitizeError> {
    let mut h: Option<Headers> = None;
    loop {
        let Some(page) = read_page(r, buf)? else {
            if h.is_none() && links > 0 {
                return Ok(None);
            }
            return Err(malformed(K, "file ends inside the headers"));
        };
        let hs = match h.as_mut() {
            None => {
                if page.flags & FLAG_BOS == 0 || page.flags & FLAG_CONTINUED != 0 {
                    return Err(malformed(K, "stream does not begin with a first page"));
                }
                h.insert(Headers {
                    serial: page.serial,
                    codec: None,
                    packets: Vec::new(),
                    current: Some(Vec::new()),
                    in_packet: false,
                    comment_prefix: Vec::new(),
                    held: 0,
                    pages_in: 0,
                    original: Vec::new(),
                    compare: true,
                    first_seq: page.seq,
                })
            }
            Some(hs) => {
                if page.serial != hs.serial || page.flags & FLAG_BOS != 0 {
                    return Err(SanitizeError::Unsupported {
                        kind: K,
                        detail: "multiplexed Ogg streams",
                    });
                }
                hs
            }
        };
        if (page.flags & FLAG_CONTINUED != 0) != hs.in_packet {
            return Err(malformed(K, "header page continuation flag is wrong"));
        }
        if page.flags & FLAG_EOS != 0 {
            return Err(malformed(K, "stream ends inside the headers"));
        }
        hs.pages_in = hs.pages_in.saturating_add(1);
        if hs.compare {
            if hs.original.len() + page.raw.len() <= COMPARE_LIMIT {
                hs.original.extend_from_slice(page.raw);
            } else {
                hs.compare = false;
                hs.original = Vec::new();
            }
        }
        let mut off = 0usize;
        let mut done = false;
        for (i, &lace) in page.lacing.iter().enumerate() {
            if done {
                return Err(malformed(K, "audio data shares a page with the headers"));
            }
            let seg = page
                .body
                .get(off..off + usize::from(lace))
                .ok_or_else(|| malformed(K, "segment past the page end"))?;
            off += usize::from(lace);
            hs.in_packet = lace == 255;
            match hs.current.as_mut() {
                Some(p) => {
                    hs.held = hs.held.saturating_add(seg.len() as u64);
                    if hs.held > max_header {
                        return Err(SanitizeError::TooLarge { limit: max_header });
                    }
                    p.extend_from_slice(seg);
                }
                None => {
                    let room = CLASSIFY_PREFIX.saturating_sub(hs.comment_prefix.len());
                    hs.comment_prefix
                        .extend_from_slice(seg.get(..room.min(seg.len())).unwrap_or(&[]));
                }
            }
            if lace < 255 {
                // A packet ends here.
                match hs.current.take() {
                    Some(p) => {
                        if hs.packets.is_empty() {
                            let codec =
                                Codec::from_first_packet(&p).ok_or(SanitizeError::Unsupported {
                                    kind: K,
                                    detail: "Ogg codec other than Vorbis or Opus",
                                })?;
                            hs.codec = Some(codec);
                            if i + 1 != page.lacing.len() {
                                return Err(malformed(
                                    K,
                                    "first page holds more than the identification header",
                                ));
                            }
                        } else if hs.codec == Some(Codec::Vorbis) && !p.starts_with(b"\x05vorbis") {
                            return Err(malformed(K, "Vorbis setup header missing"));
                        }
                        hs.packets.push(Some(p));
                    }
                    None => {
                        let codec = hs.codec.ok_or_else(|| malformed(K, "no codec"))?;
                        if !hs.comment_prefix.starts_with(codec.comment_magic()) {
                            return Err(malformed(K, "comment header missing"));
                        }
                        hs.packets.push(None);
                    }
                }
                let codec = hs.codec.ok_or_else(|| malformed(K, "no codec"))?;
                if hs.packets.len() == codec.headers() {
                    done = true;
                } else if hs.packets.len() == 1 {
                    hs.current = None; // the comment packet comes next
                } else {
                    hs.current = Some(Vec::new());
                }
            }
        }
        if off != page.body.len() {
            return Err(malformed(K, "page body longer than its segments"));
        }
        if done {
            break;
        }
    }
    let Some(hs) = h else {
        return Err(malformed(K, "no headers"));
    };
    let codec = hs.codec.ok_or_else(|| malformed(K, "no codec"))?;

    // Report what the comment held, then lay the headers out again.
    let magic_len = codec.comment_magic().len();
    let comment_body = hs.comment_prefix.get(magic_len..).unwrap_or(&[]);
    let was_empty = hs.comment_prefix.as_slice() == codec.empty_comment();
    if !was_empty {
        classify_comments(comment_body, found);
        // Even an empty list may have been followed by padding.
        found.changed = true;
    }
    let mut packets: Vec<&[u8]> = Vec::new();
    for p in &hs.packets {
        packets.push(p.as_deref().unwrap_or(codec.empty_comment()));
    }
    let mut out = Vec::new();
    let mut seq = hs.first_seq;
    // Identification header alone on the first page.
    let (first, rest) = packets
        .split_first()
        .ok_or_else(|| malformed(K, "no headers"))?;
    write_packets(&mut out, &[first], hs.serial, &mut seq, FLAG_BOS);
    write_packets(&mut out, rest, hs.serial, &mut seq, 0);
    let pages_out = seq.wrapping_sub(hs.first_seq);
    if !hs.compare || out != hs.original {
        found.changed = true;
    }
    w.write_all(&out)?;
    Ok(Some((hs.pages_in.wrapping_sub(pages_out), hs.serial)))
}

/// Lay `packets` out on pages (the last one ending its page), granule 0 on
/// pages where a packet ends and -1 on the others, as libogg does.
fn write_packets(
    out: &mut Vec<u8>,
    packets: &[&[u8]],
    serial: u32,
    seq: &mut u32,
    first_flags: u8,
) {
    // Segments: (bytes, lacing value, ends a packet).
    let mut segs: Vec<(&[u8], u8, bool)> = Vec::new();
    for p in packets {
        let mut rest: &[u8] = p;
        loop {
            let n = rest.len().min(255);
            let (seg, tail) = rest.split_at(n);
            rest = tail;
            // A full segment followed by nothing still needs a 0 terminator.
            let ends = n < 255;
            segs.push((seg, n as u8, ends));
            if ends {
                break;
            }
        }
    }
    let mut flags = first_flags;
    let mut continued = false;
    for chunk in segs.chunks(255) {
        let ends_any = chunk.iter().any(|s| s.2);
        let granule = if ends_any { 0u64 } else { u64::MAX };
        let mut page = Vec::with_capacity(MAX_PAGE);
        page.extend_from_slice(b"OggS\0");
        page.push(flags | if continued { FLAG_CONTINUED } else { 0 });
        page.extend_from_slice(&granule.to_le_bytes());
        page.extend_from_slice(&serial.to_le_bytes());
        page.extend_from_slice(&seq.to_le_bytes());
        page.extend_from_slice(&[0; 4]);
        page.push(chunk.len() as u8);
        page.extend(chunk.iter().map(|s| s.1));
        for s in chunk {
            page.extend_from_slice(s.0);
        }
        let crc = crc_page(&page);
        if let Some(c) = page.get_mut(22..26) {
            c.copy_from_slice(&crc.to_le_bytes());
        }
        out.extend_from_slice(&page);
        *seq = seq.wrapping_add(1);
        flags = 0;
        continued = chunk.last().is_some_and(|s| !s.2);
    }
}

/// Copy a page with a new sequence number (and so a new CRC).
fn write_copy(w: &mut dyn Write, raw: &[u8], seq: u32) -> Result<(), SanitizeError> {
    let mut head = [0u8; 27];
    let h = raw.get(..27).ok_or_else(|| malformed(K, "short page"))?;
    head.copy_from_slice(h);
    head[18..22].copy_from_slice(&seq.to_le_bytes());
    head[22..26].copy_from_slice(&[0; 4]);
    let rest = raw.get(27..).unwrap_or(&[]);
    let crc = crc_update(crc_update(0, &head), rest);
    head[22..26].copy_from_slice(&crc.to_le_bytes());
    w.write_all(&head)?;
    w.write_all(rest)?;
    Ok(())
}

/// The Ogg CRC of a whole page, its own CRC field read as zero.
fn crc_page(page: &[u8]) -> u32 {
    let head = page.get(..22).unwrap_or(page);
    let rest = page.get(26..).unwrap_or(&[]);
    crc_update(crc_update(crc_update(0, head), &[0; 4]), rest)
}

/// CRC-32 as Ogg uses it: polynomial 0x04C11DB7, MSB first, initial value
/// and final XOR 0.
fn crc_update(mut crc: u32, data: &[u8]) -> u32 {
    for &b in data {
        let i = usize::from(((crc >> 24) as u8) ^ b);
        crc = (crc << 8) ^ CRC_TABLE[i];
    }
    crc
}

const CRC_TABLE: [u32; 256] = {
    let mut t = [0u32; 256];
    let mut i = 0;
    while i < 256 {
        let mut r = (i as u32) << 24;
        let mut k = 0;
        while k < 8 {
            r = if r & 0x8000_0000 != 0 {
                (r << 1) ^ 0x04C1_1DB7
            } else {
                r << 1
            };
            k += 1;
        }
        t[i] = r;
        i += 1;
    }
    t
};

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
pub(super) mod tests {
    use super::super::tests_util::*;
    use super::*;

    /// One page: flags, granule, serial, sequence, lacing and body.
    pub(crate) fn page(
        flags: u8,
        granule: u64,
        serial: u32,
        seq: u32,
        packets: &[&[u8]],
    ) -> Vec<u8> {
        let mut lacing = Vec::new();
        let mut body = Vec::new();
        for p in packets {
            let mut n = p.len();
            while n >= 255 {
                lacing.push(255);
                n -= 255;
            }
            lacing.push(n as u8);
            body.extend_from_slice(p);
        }
        let mut v = b"OggS\0".to_vec();
        v.push(flags);
        v.extend_from_slice(&granule.to_le_bytes());
        v.extend_from_slice(&serial.to_le_bytes());
        v.extend_from_slice(&seq.to_le_bytes());
        v.extend_from_slice(&[0; 4]);
        v.push(lacing.len() as u8);
        v.extend_from_slice(&lacing);
        v.extend_from_slice(&body);
        let crc = crc_page(&v);
        v[22..26].copy_from_slice(&crc.to_le_bytes());
        v
    }

    fn comment(magic: &[u8], vendor: &str, comments: &[&str], framing: bool) -> Vec<u8> {
        let mut v = magic.to_vec();
        v.extend_from_slice(&(vendor.len() as u32).to_le_bytes());
        v.extend_from_slice(vendor.as_bytes());
        v.extend_from_slice(&(comments.len() as u32).to_le_bytes());
        for c in comments {
            v.extend_from_slice(&(c.len() as u32).to_le_bytes());
            v.extend_from_slice(c.as_bytes());
        }
        if framing {
            v.push(1);
        }
        v
    }

    const OPUS_HEAD: &[u8] = b"OpusHead\x01\x01\x38\x01\x80\xBB\0\0\0\0\0";

    fn opus_link(serial: u32, tags: &[u8]) -> Vec<u8> {
        let mut f = page(FLAG_BOS, 0, serial, 0, &[OPUS_HEAD]);
        f.extend(page(0, 0, serial, 1, &[tags]));
        f.extend(page(
            0,
            960,
            serial,
            2,
            &[b"\xF8audio-one", b"\xF8audio-two"],
        ));
        f.extend(page(FLAG_EOS, 1920, serial, 3, &[b"\xF8audio-three"]));
        f
    }

    /// An Ogg Opus stream whose tags name an artist and a date.
    pub(crate) fn fixture() -> Vec<u8> {
        let tags = comment(
            b"OpusTags",
            "libopus 1.3.1",
            &["ARTIST=Jane Canary", "DATE=2026-12-06T17:23:00"],
            false,
        );
        opus_link(0x1234, &tags)
    }

    /// Parse every page of `data`: (flags, granule, serial, seq, body).
    fn pages(data: &[u8]) -> Vec<(u8, u64, u32, u32, Vec<u8>)> {
        let mut r = data;
        let mut buf = Vec::new();
        let mut v = Vec::new();
        while let Some(p) = read_page(&mut r, &mut buf).unwrap() {
            let granule = u64::from_le_bytes(p.raw[6..14].try_into().unwrap());
            v.push((p.flags, granule, p.serial, p.seq, p.body.to_vec()));
        }
        v
    }

    #[test]
    fn crc_is_ogg_crc32() {
        // CRC-32/POSIX before its final inversion (check value 0x765E7680).
        assert_eq!(crc_update(0, b"123456789"), !0x765E_7680);
    }

    #[test]
    fn opus_tags_are_emptied_and_pages_kept() {
        let input = fixture();
        let (res, out) = run(Kind::Ogg, &input);
        assert_eq!(
            res.unwrap(),
            Outcome::Cleaned {
                removed: vec![Removed::Author, Removed::Software, Removed::Dates]
                    .into_iter()
                    .collect::<std::collections::BTreeSet<_>>()
                    .into_iter()
                    .collect()
            }
        );
        assert!(!contains(&out, b"Jane Canary"));
        assert!(!contains(&out, b"libopus"));
        let (a, b) = (pages(&input), pages(&out));
        assert_eq!(a.len(), b.len());
        assert_eq!(b[1].4, EMPTY_OPUS_TAGS);
        for (i, (x, y)) in a.iter().zip(&b).enumerate() {
            assert_eq!((x.0, x.1, x.2, x.3), (y.0, y.1, y.2, y.3), "page {i}");
            if i != 1 {
                assert_eq!(x.4, y.4);
            }
        }
        // Cleaning again changes nothing.
        let (res, again) = run(Kind::Ogg, &out);
        assert_eq!(res.unwrap(), Outcome::KeptOriginal);
        assert_eq!(again, out);
    }

    #[test]
    fn a_comment_over_several_pages_shifts_later_sequence_numbers() {
        // A 150 000-byte picture comment spans three pages.
        let pic = format!("METADATA_BLOCK_PICTURE={}", "A".repeat(150_000));
        let tags = comment(b"OpusTags", "x", &[&pic], false);
        let serial = 7;
        let mut segs: Vec<u8> = Vec::new();
        let mut f = page(FLAG_BOS, 0, serial, 0, &[OPUS_HEAD]);
        // Split the packet by hand over pages of 255 full segments.
        let mut rest = &tags[..];
        let mut seq: u32 = 1;
        let mut continued = false;
        while rest.len() >= 255 * 255 {
            let (chunk, tail) = rest.split_at(255 * 255);
            segs.clear();
            let mut v = b"OggS\0".to_vec();
            v.push(if continued { FLAG_CONTINUED } else { 0 });
            v.extend_from_slice(&u64::MAX.to_le_bytes());
            v.extend_from_slice(&serial.to_le_bytes());
            v.extend_from_slice(&seq.to_le_bytes());
            v.extend_from_slice(&[0; 4]);
            v.push(255);
            v.extend(std::iter::repeat_n(255u8, 255));
            v.extend_from_slice(chunk);
            let crc = crc_page(&v);
            v[22..26].copy_from_slice(&crc.to_le_bytes());
            f.extend(v);
            rest = tail;
            seq += 1;
            continued = true;
        }
        let mut last = page(FLAG_CONTINUED, 0, serial, seq, &[rest]);
        last[5] = FLAG_CONTINUED;
        let crc = crc_page(&last);
        last[22..26].copy_from_slice(&crc.to_le_bytes());
        f.extend(last);
        f.extend(page(0, 960, serial, seq + 1, &[b"\xF8a"]));
        f.extend(page(FLAG_EOS, 1920, serial, seq + 2, &[b"\xF8b"]));
        assert_eq!(pages(&f).len(), 6);

        let (res, out) = run(Kind::Ogg, &f);
        let removed = match res.unwrap() {
            Outcome::Cleaned { removed } => removed,
            o => panic!("{o:?}"),
        };
        assert!(removed.contains(&Removed::Thumbnail));
        let p = pages(&out);
        assert_eq!(p.len(), 4);
        let seqs: Vec<u32> = p.iter().map(|x| x.3).collect();
        assert_eq!(seqs, [0, 1, 2, 3]);
        assert_eq!(p[2].1, 960);
        assert_eq!(p[3].1, 1920);
        assert_eq!(p[3].0, FLAG_EOS);
        assert_eq!(p[3].4, b"\xF8b");
    }

    #[test]
    fn vorbis_comment_is_emptied_with_its_framing_bit() {
        let serial = 99;
        let id = b"\x01vorbis\0\0\0\0\x01\x44\xAC\0\0\0\0\0\0\0\0\0\0\0\0\0\xB8\x01";
        let c = comment(
            b"\x03vorbis",
            "Xiph.Org libVorbis I 20200704",
            &["ARTIST=Jane Canary"],
            true,
        );
        let setup = b"\x05vorbis-setup-codebooks".to_vec();
        let mut f = page(FLAG_BOS, 0, serial, 0, &[id]);
        f.extend(page(0, 0, serial, 1, &[&c, &setup]));
        f.extend(page(FLAG_EOS, 128, serial, 2, &[b"\0audio"]));
        let (res, out) = run(Kind::Ogg, &f);
        assert!(matches!(res.unwrap(), Outcome::Cleaned { .. }));
        let p = pages(&out);
        assert_eq!(p.len(), 3);
        let mut want = EMPTY_VORBIS_COMMENT.to_vec();
        want.extend_from_slice(&setup);
        assert_eq!(p[1].4, want);
        assert!(!contains(&out, b"Jane"));
        assert!(!contains(&out, b"libVorbis"));
    }

    #[test]
    fn chained_links_are_each_cleaned() {
        let tags = comment(b"OpusTags", "v", &["ARTIST=Jane Canary"], false);
        let mut f = opus_link(1, &tags);
        f.extend(opus_link(2, &tags));
        let (res, out) = run(Kind::Ogg, &f);
        assert!(matches!(res.unwrap(), Outcome::Cleaned { .. }));
        assert!(!contains(&out, b"Jane"));
        assert_eq!(pages(&out).len(), 8);
    }

    #[test]
    fn hostile_streams_are_refused() {
        let good = fixture();
        // Every truncation inside a page or inside the headers.
        let bounds: Vec<usize> = {
            let mut v = vec![0];
            let mut r = &good[..];
            let mut buf = Vec::new();
            while let Some(p) = read_page(&mut r, &mut buf).unwrap() {
                v.push(v.last().unwrap() + p.raw.len());
            }
            v
        };
        for cut in 0..good.len() {
            let (res, _) = run(Kind::Ogg, &good[..cut]);
            if cut < bounds[2] || !bounds.contains(&cut) {
                assert!(res.is_err(), "cut {cut}");
            } else {
                assert!(res.is_ok(), "cut {cut}");
            }
        }
        // A flipped byte breaks the CRC.
        let mut bad = good.clone();
        let n = bad.len();
        bad[n - 2] ^= 1;
        assert!(matches!(
            run(Kind::Ogg, &bad).0,
            Err(SanitizeError::Malformed { .. })
        ));
        // Two streams interleaved.
        let mut mux = page(FLAG_BOS, 0, 1, 0, &[OPUS_HEAD]);
        mux.extend(page(FLAG_BOS, 0, 2, 0, &[OPUS_HEAD]));
        assert!(matches!(
            run(Kind::Ogg, &mux).0,
            Err(SanitizeError::Unsupported { .. })
        ));
        // A codec we do not clean (Speex).
        let speex = page(FLAG_BOS, 0, 1, 0, &[b"Speex   1.2"]);
        assert!(matches!(
            run(Kind::Ogg, &speex).0,
            Err(SanitizeError::Unsupported { .. })
        ));
        // Audio sharing the page that ends the headers.
        let tags = comment(b"OpusTags", "", &[], false);
        let mut f = page(FLAG_BOS, 0, 1, 0, &[OPUS_HEAD]);
        f.extend(page(0, 0, 1, 1, &[&tags, b"\xF8audio"]));
        assert!(matches!(
            run(Kind::Ogg, &f).0,
            Err(SanitizeError::Malformed { .. })
        ));
        // Something other than a comment where the comment belongs.
        let mut f = page(FLAG_BOS, 0, 1, 0, &[OPUS_HEAD]);
        f.extend(page(0, 0, 1, 1, &[b"NotTags"]));
        assert!(matches!(
            run(Kind::Ogg, &f).0,
            Err(SanitizeError::Malformed { .. })
        ));
        // No first page; a continuation on the first page; garbage.
        assert!(run(Kind::Ogg, &page(0, 0, 1, 0, &[OPUS_HEAD])).0.is_err());
        assert!(
            run(Kind::Ogg, &page(FLAG_BOS | 1, 0, 1, 0, &[OPUS_HEAD]))
                .0
                .is_err()
        );
        assert!(
            run(Kind::Ogg, b"OggS\x01garbage-garbage-garbage-garbage")
                .0
                .is_err()
        );
    }

    #[test]
    fn header_packets_are_bounded() {
        let id = b"\x01vorbis\0\0\0\0\x01\x44\xAC\0\0\0\0\0\0\0\0\0\0\0\0\0\xB8\x01";
        let c = comment(b"\x03vorbis", "", &[], true);
        let mut setup = b"\x05vorbis".to_vec();
        setup.resize(5000, 0);
        let mut f = page(FLAG_BOS, 0, 1, 0, &[id]);
        f.extend(page(0, 0, 1, 1, &[&c, &setup]));
        let mut out = Vec::new();
        let res = strip(&mut &f[..], &mut out, 1000);
        assert!(matches!(res, Err(SanitizeError::TooLarge { limit: 1000 })));
    }

    /// Recompute the CRC of every page that still parses, so that mutations
    /// reach past the checksum.
    fn fix_crcs(data: &mut [u8]) {
        let mut pos = 0;
        while data.get(pos..pos + 4) == Some(b"OggS") && pos + 27 <= data.len() {
            let n = usize::from(data[pos + 26]);
            let Some(lacing) = data.get(pos + 27..pos + 27 + n) else {
                return;
            };
            let len = 27 + n + lacing.iter().map(|b| usize::from(*b)).sum::<usize>();
            let Some(page) = data.get_mut(pos..pos + len) else {
                return;
            };
            let crc = crc_page(page);
            page[22..26].copy_from_slice(&crc.to_le_bytes());
            pos += len;
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig { cases: 300, ..Default::default() })]

        /// Whatever mutated stream is accepted comes out without its comments
        /// and cleans to itself.
        #[test]
        fn accepted_streams_are_clean_for_good(
            chained in proptest::prelude::any::<bool>(),
            edits in proptest::collection::vec((0usize..4096, proptest::prelude::any::<u8>()), 1..6),
        ) {
            let mut data = fixture();
            if chained {
                data.extend(fixture());
            }
            for (pos, byte) in edits {
                let i = pos % data.len();
                data[i] = byte;
            }
            fix_crcs(&mut data);
            let (res, out) = run(Kind::Ogg, &data);
            if res.is_ok() {
                proptest::prop_assert!(!contains(&out, b"Jane"));
                proptest::prop_assert!(!contains(&out, b"libopus"));
                let (again, out2) = run(Kind::Ogg, &out);
                proptest::prop_assert_eq!(again.unwrap(), Outcome::KeptOriginal);
                proptest::prop_assert_eq!(out2, out);
            }
        }
    }
}
