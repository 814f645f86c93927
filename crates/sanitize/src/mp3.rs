//! MP3 tag stripping, streamed.
//!
//! Drops ID3v2 tags at the start (size from the header, including the footer
//! flag; several in a row are handled), padding zeros after them, and at the
//! end: ID3v1 ('TAG', 128 bytes), an appended ID3v2.4 tag (with '3DI' footer),
//! APEv1/v2 tags and Lyrics3v2 blocks. The end of the file is examined in a
//! 1 MiB window held back while streaming; an end tag larger than the window
//! is refused (Malformed) rather than passed through.
//!
//! After the leading tags the data must start with an MPEG audio frame sync,
//! otherwise the file is Malformed (e.g. AAC behind an ID3 tag, whose own
//! metadata we would not remove). The one exception is FLAC: an ID3v2 tag
//! larger than the 4 KiB detection prefix hides the `fLaC` signature, so
//! the file is detected as MP3; the signature found after the tags hands the
//! rest to the FLAC stripper (`flac.rs`). Must never panic.

use std::io::{BufReader, BufWriter, Read, Write};

use super::{Found, Kind, Outcome, Removed, SanitizeError, find, malformed, read_up_to};

/// Stream-strip an MP3 from `input` to `output`.
/// `max_held` bounds the metadata kept when the file turns out to be FLAC.
pub(super) fn strip(
    input: &mut dyn Read,
    output: &mut dyn Write,
    max_held: u64,
) -> Result<Outcome, SanitizeError> {
    let mut r = BufReader::new(input);
    let mut w = BufWriter::new(output);
    let found = strip_mp3(&mut r, &mut w, max_held)?;
    w.flush()?;
    Ok(found.outcome())
}

/// True when `p` starts like an MP3 file (ID3v2 tag or MPEG audio frame).
pub(super) fn looks_like_mp3(p: &[u8]) -> bool {
    p.starts_with(b"ID3") || matches!(p, [a, b, ..] if is_frame_sync(*a, *b))
}

// ---------------------------------------------------------------------------

const K: Kind = Kind::Mp3;
/// Tail held back so end-of-file tags can be removed.
const TAIL_WINDOW: usize = 1 << 20;
/// Zero padding after ID3v2 we are willing to skip.
const MAX_PADDING: usize = 1 << 20;

/// MPEG audio frame header start: 11 sync bits, a valid version and a layer
/// other than the reserved 00 (which is how ADTS/AAC looks).
fn is_frame_sync(a: u8, b: u8) -> bool {
    a == 0xFF && b & 0xE0 == 0xE0 && b & 0x18 != 0x08 && b & 0x06 != 0
}

fn strip_mp3(r: &mut dyn Read, w: &mut dyn Write, max_held: u64) -> Result<Found, SanitizeError> {
    let mut found = Found::default();
    // Leading ID3v2 tags.
    let mut head = [0u8; 10];
    let mut have = read_up_to(r, &mut head, K)?;
    while have == 10 && head.starts_with(b"ID3") {
        let size = syncsafe(&head[6..10]).ok_or_else(|| malformed(K, "bad ID3v2 size"))?;
        let footer = if head[5] & 0x10 != 0 { 10 } else { 0 };
        super::skip_exact(r, u64::from(size) + footer, K)?;
        found.add(Removed::Other);
        have = read_up_to(r, &mut head, K)?;
    }
    if have < 2 && !found.removed.is_empty() {
        return Err(malformed(K, "no audio after ID3 tag"));
    }
    // Start of audio, possibly after zero padding.
    let mut start: Vec<u8> = head.get(..have).unwrap_or(&[]).to_vec();
    let mut skipped = 0usize;
    loop {
        let zeros = start.iter().take_while(|b| **b == 0).count();
        if zeros > 0 {
            found.changed = true;
        }
        skipped += zeros;
        start.drain(..zeros);
        if skipped > MAX_PADDING {
            return Err(malformed(K, "no audio frame found"));
        }
        // Four bytes, to tell a FLAC signature from a frame sync.
        if start.len() >= 4 {
            break;
        }
        let mut more = [0u8; 4096];
        let n = read_up_to(r, &mut more, K)?;
        if n == 0 {
            if start.len() >= 2 {
                break;
            }
            return Err(malformed(K, "no audio frame found"));
        }
        start.extend_from_slice(more.get(..n).unwrap_or(&[]));
    }
    if let Some(rest) = start.strip_prefix(b"fLaC") {
        if found.removed.is_empty() {
            return Err(malformed(K, "data is not MPEG audio"));
        }
        let mut r = std::io::Cursor::new(rest.to_vec()).chain(r);
        return super::flac::strip_after_magic(&mut r, w, max_held, found);
    }
    if !matches!(start.as_slice(), [a, b, ..] if is_frame_sync(*a, *b)) {
        return Err(malformed(K, "data is not MPEG audio"));
    }

    copy_peeling_appended_tags(K, r, w, start, TAIL_WINDOW, &mut found)?;
    Ok(found)
}

/// Copies the rest of `r` to `w`, after `start`, holding back the last
/// `window` bytes, and leaves out the tags that taggers append at the end
/// (ID3v1, APEv2, Lyrics3, an ID3v2 with a footer), peeled in any order.
/// MP3 and FLAC share it: the same taggers append the same tags to both.
pub(super) fn copy_peeling_appended_tags(
    kind: Kind,
    r: &mut dyn Read,
    w: &mut dyn Write,
    start: Vec<u8>,
    window: usize,
    found: &mut Found,
) -> Result<(), SanitizeError> {
    let mut held = start;
    let mut flushed = false;
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = read_up_to(r, &mut buf, K)?;
        if n == 0 {
            break;
        }
        held.extend_from_slice(buf.get(..n).unwrap_or(&[]));
        if held.len() > 2 * window {
            let flush = held.len() - window;
            w.write_all(held.get(..flush).unwrap_or(&[]))?;
            held.drain(..flush);
            flushed = true;
        }
    }
    let keep = strip_tail(kind, &held, found)?;
    // The audio starts with a frame sync (held's first two bytes until a
    // flush): a "tag" that reaches into it is audio read as a tag, and
    // peeling it would leave a file that is neither (found by fuzzing
    // strip_flac: the cleaned copy could not be read again).
    if !flushed && keep < 2 {
        return Err(malformed(kind, "tags at the end overlap the audio frames"));
    }
    w.write_all(held.get(..keep).unwrap_or(&[]))?;
    Ok(())
}

/// Length of `tail` to keep after removing trailing tags.
fn strip_tail(kind: Kind, tail: &[u8], found: &mut Found) -> Result<usize, SanitizeError> {
    let mut end = tail.len();
    let mut peeled_all = false;
    // Tags can be stacked in any order; peel until nothing matches.
    for _ in 0..16 {
        let t = tail.get(..end).unwrap_or(&[]);
        if end >= 128 && t.get(end - 128..end - 125) == Some(b"TAG") {
            end -= 128;
            found.add(Removed::Other);
            continue;
        }
        if end >= 32 && t.get(end - 32..end - 24) == Some(b"APETAGEX") {
            let f = t.get(end - 32..end).unwrap_or(&[]);
            let size = le32(f.get(12..16)) as usize; // items + footer
            let flags = le32(f.get(20..24));
            let header = if flags & 0x8000_0000 != 0 { 32 } else { 0 };
            let total = size
                .checked_add(header)
                .ok_or_else(|| malformed(kind, "bad APE tag"))?;
            if total < 32 || total > end {
                return Err(malformed(kind, "APE tag larger than the tail window"));
            }
            end -= total;
            found.add(Removed::Other);
            continue;
        }
        if end >= 15 && t.get(end - 9..end) == Some(b"LYRICS200") {
            let digits = t.get(end - 15..end - 9).unwrap_or(&[]);
            let size = std::str::from_utf8(digits)
                .ok()
                .and_then(|s| s.parse::<usize>().ok())
                .ok_or_else(|| malformed(kind, "bad Lyrics3 size"))?;
            let total = size + 15;
            if total > end
                || t.get(end - total..)
                    .is_none_or(|s| !s.starts_with(b"LYRICSBEGIN"))
            {
                return Err(malformed(kind, "Lyrics3 block not understood"));
            }
            end -= total;
            found.add(Removed::Other);
            continue;
        }
        if end >= 10 && t.get(end - 10..end - 7) == Some(b"3DI") {
            let f = t.get(end - 10..end).unwrap_or(&[]);
            let size =
                f.get(6..10)
                    .and_then(syncsafe)
                    .ok_or_else(|| malformed(kind, "bad ID3v2 footer"))? as usize;
            let total = size + 20;
            if total > end {
                return Err(malformed(
                    kind,
                    "appended ID3v2 larger than the tail window",
                ));
            }
            end -= total;
            found.add(Removed::Other);
            continue;
        }
        peeled_all = true;
        break;
    }
    // Still a tag after sixteen: more than any tagger stacks. Refused rather
    // than stored with the rest (found by fuzzing strip_flac).
    if !peeled_all {
        return Err(malformed(kind, "more appended tags than any tagger writes"));
    }
    // A stray tag marker deep in the window means a tag we could not peel.
    if find(tail.get(..end).unwrap_or(&[]), b"APETAGEX").is_some() {
        return Err(malformed(kind, "APE tag not at end of file"));
    }
    Ok(end)
}

fn le32(b: Option<&[u8]>) -> u32 {
    match b {
        Some([a, b, c, d]) => u32::from_le_bytes([*a, *b, *c, *d]),
        _ => 0,
    }
}

/// 28-bit ID3v2 "syncsafe" integer.
fn syncsafe(b: &[u8]) -> Option<u32> {
    match b {
        [a, b, c, d] if (a | b | c | d) & 0x80 == 0 => Some(
            (u32::from(*a) << 21) | (u32::from(*b) << 14) | (u32::from(*c) << 7) | u32::from(*d),
        ),
        _ => None,
    }
}
#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
pub(super) mod tests {
    use super::super::tests_util::*;
    use super::*;

    /// One silent MPEG-1 Layer III frame header (128 kbit/s, 44.1 kHz) with a body.
    fn frames(n: usize) -> Vec<u8> {
        let mut v = Vec::new();
        for _ in 0..n {
            v.extend_from_slice(&[0xFF, 0xFB, 0x90, 0x64]);
            v.extend(std::iter::repeat_n(0x55u8, 413));
        }
        v
    }

    pub(crate) fn fixture() -> Vec<u8> {
        let mut tag = Vec::new();
        // TPE1 frame (ID3v2.3): "Jane Canary".
        let text = b"\x00Jane Canary";
        tag.extend_from_slice(b"TPE1");
        tag.extend_from_slice(&(text.len() as u32).to_be_bytes());
        tag.extend_from_slice(&[0, 0]);
        tag.extend_from_slice(text);
        tag.extend(std::iter::repeat_n(0u8, 20)); // padding
        let mut f = b"ID3\x03\x00\x00".to_vec();
        let s = tag.len() as u32;
        f.extend_from_slice(&[
            (s >> 21) as u8 & 0x7F,
            (s >> 14) as u8 & 0x7F,
            (s >> 7) as u8 & 0x7F,
            s as u8 & 0x7F,
        ]);
        f.extend_from_slice(&tag);
        f.extend(frames(3));
        let mut v1 = b"TAGCANARY-TITLE".to_vec();
        v1.resize(128, 0);
        f.extend_from_slice(&v1);
        f
    }

    #[test]
    fn strips_id3v2_and_v1() {
        let input = fixture();
        let (res, out) = run(Kind::Mp3, &input);
        assert!(matches!(res.unwrap(), Outcome::Cleaned { .. }));
        assert!(!contains(&out, b"Jane Canary"));
        assert!(!contains(&out, b"CANARY"));
        assert_eq!(out, frames(3));
        let (res2, out2) = run(Kind::Mp3, &out);
        assert_eq!(res2.unwrap(), Outcome::KeptOriginal);
        assert_eq!(out2, out);
    }

    #[test]
    fn strips_ape_and_lyrics_and_appended_id3() {
        let mut f = frames(2);
        let mut lyr = b"LYRICSBEGININD00003abcCANARY".to_vec();
        let n = lyr.len();
        lyr.extend_from_slice(format!("{n:06}").as_bytes());
        lyr.extend_from_slice(b"LYRICS200");
        f.extend_from_slice(&lyr);
        // APEv2 without header: one item + footer.
        let item = b"\x0B\0\0\0\0\0\0\0Artist\0Jane Canary";
        f.extend_from_slice(item);
        let mut footer = b"APETAGEX".to_vec();
        footer.extend_from_slice(&2000u32.to_le_bytes());
        footer.extend_from_slice(&((item.len() + 32) as u32).to_le_bytes());
        footer.extend_from_slice(&1u32.to_le_bytes());
        footer.extend_from_slice(&0u32.to_le_bytes());
        footer.extend_from_slice(&[0; 8]);
        f.extend_from_slice(&footer);
        let (res, out) = run(Kind::Mp3, &f);
        assert!(matches!(res.unwrap(), Outcome::Cleaned { .. }), "{f:?}");
        assert_eq!(out, frames(2));
    }

    #[test]
    fn truncated_or_foreign_is_error() {
        let input = fixture();
        // Truncated inside the ID3v2 tag.
        for cut in 0..40 {
            let (res, _) = run(Kind::Mp3, &input[..cut]);
            assert!(res.is_err(), "cut {cut}");
        }
        // FLAC behind an ID3 tag must not be passed through.
        let mut flac = b"ID3\x03\0\0\0\0\0\0".to_vec();
        flac.extend_from_slice(b"fLaC\0\0\0\x22");
        let (res, _) = run(Kind::Mp3, &flac);
        assert!(matches!(res, Err(SanitizeError::Malformed { .. })));
    }
}
