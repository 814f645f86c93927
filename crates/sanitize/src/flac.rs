//! FLAC metadata stripping, streamed.
//!
//! A FLAC file is `fLaC`, a chain of metadata blocks, then audio frames.
//! Kept: STREAMINFO (required to decode; sample rate, channels, length and
//! an MD5 of the audio) and SEEKTABLE (sample offsets only). Dropped:
//! VORBIS_COMMENT (vendor string and `NAME=value` comments: artist, date,
//! encoder…), PICTURE (cover art, which carries its own EXIF), APPLICATION
//! (private data of other programs), CUESHEET (catalogue numbers, ISRCs),
//! PADDING and any reserved block type. The last kept block gets the
//! last-block flag. ID3v2 tags written in front of the file by some tools
//! are dropped too, and so are ID3v1 and APEv2 tags appended after the audio
//! (found in a 256 KiB window held back at the end; a larger APE tag is
//! refused as `Malformed`). The audio frames are copied unchanged; what follows
//! the metadata must start with a frame sync code, otherwise the file is
//! `Malformed` (never passed through with unread metadata).
//!
//! Memory: the kept blocks, at most `max_held` bytes together, the tail
//! window (at most 512 KiB while streaming), and the first
//! 64 KiB of a dropped VORBIS_COMMENT (only to report what it held). Must
//! never panic.

use std::io::{BufReader, BufWriter, Read, Write};

use super::{
    Found, Kind, Outcome, Removed, SanitizeError, malformed, read_exact, read_up_to, skip_exact,
};

/// Stream-strip a FLAC file. `max_held` bounds the kept metadata blocks
/// held in memory.
pub(super) fn strip(
    input: &mut dyn Read,
    output: &mut dyn Write,
    max_held: u64,
) -> Result<Outcome, SanitizeError> {
    let mut r = BufReader::new(input);
    let mut w = BufWriter::new(output);
    let found = strip_flac(&mut r, &mut w, max_held)?;
    w.flush()?;
    Ok(found.outcome())
}

/// True when `p` starts like a FLAC file: `fLaC`, or ID3v2 tags followed by
/// `fLaC` within `p`.
pub(super) fn looks_like_flac(p: &[u8]) -> bool {
    let mut pos = 0usize;
    // A few stacked tags at most fit in a 4 KiB prefix.
    for _ in 0..16 {
        let rest = p.get(pos..).unwrap_or(&[]);
        if rest.starts_with(b"fLaC") {
            return true;
        }
        match id3_len(rest.get(..10).unwrap_or(&[])) {
            Some(n) => pos = pos.saturating_add(n),
            None => return false,
        }
    }
    false
}

// ---------------------------------------------------------------------------

const K: Kind = Kind::Flac;
/// How much of a dropped VORBIS_COMMENT is read to report what it held.
const CLASSIFY_PREFIX: u64 = 64 * 1024;
/// End of the file held back to find tags appended after the audio.
const TAIL_WINDOW: usize = 256 * 1024;

const STREAMINFO: u8 = 0;
const PADDING: u8 = 1;
const SEEKTABLE: u8 = 3;
const VORBIS_COMMENT: u8 = 4;
const CUESHEET: u8 = 5;
const PICTURE: u8 = 6;
const INVALID: u8 = 127;

/// Whole length (header, body, footer) of the ID3v2 tag `h` starts with.
fn id3_len(h: &[u8]) -> Option<usize> {
    match h {
        [b'I', b'D', b'3', _, _, flags, a, b, c, d] if (a | b | c | d) & 0x80 == 0 => {
            let size = (usize::from(*a) << 21)
                | (usize::from(*b) << 14)
                | (usize::from(*c) << 7)
                | usize::from(*d);
            let footer = if flags & 0x10 != 0 { 10 } else { 0 };
            Some(10 + size + footer)
        }
        _ => None,
    }
}

fn strip_flac(r: &mut dyn Read, w: &mut dyn Write, max_held: u64) -> Result<Found, SanitizeError> {
    let mut found = Found::default();
    let mut magic = [0u8; 4];
    read_exact(r, &mut magic, K)?;
    // ID3v2 tags in front (not part of FLAC, but some taggers write them).
    while magic.starts_with(b"ID3") {
        let mut h = [0u8; 10];
        h[..4].copy_from_slice(&magic);
        read_exact(r, &mut h[4..], K)?;
        let len = id3_len(&h).ok_or_else(|| malformed(K, "bad ID3v2 tag size"))?;
        skip_exact(r, (len - 10) as u64, K)?;
        found.add(Removed::Other);
        read_exact(r, &mut magic, K)?;
    }
    if &magic != b"fLaC" {
        return Err(malformed(K, "FLAC signature missing"));
    }
    strip_after_magic(r, w, max_held, found)
}

/// Strip the rest of a FLAC file whose `fLaC` signature (and any ID3v2 tags
/// in front of it, reported in `found`) has just been read. The MP3 path
/// comes here when an ID3v2 tag too large for the detection prefix hid the
/// signature.
pub(super) fn strip_after_magic(
    r: &mut dyn Read,
    w: &mut dyn Write,
    max_held: u64,
    mut found: Found,
) -> Result<Found, SanitizeError> {
    // Metadata blocks: keep STREAMINFO and SEEKTABLE, drop the rest.
    let mut kept: Vec<(u8, Vec<u8>)> = Vec::new();
    let mut held = 0u64;
    let mut first = true;
    loop {
        let mut h = [0u8; 4];
        read_exact(r, &mut h, K)?;
        let last = h[0] & 0x80 != 0;
        let kind = h[0] & 0x7F;
        let len = u64::from(u32::from_be_bytes([0, h[1], h[2], h[3]]));
        if first != (kind == STREAMINFO) {
            return Err(malformed(K, "STREAMINFO must be the first block, once"));
        }
        first = false;
        match kind {
            STREAMINFO | SEEKTABLE => {
                if (kind == STREAMINFO && len != 34) || (kind == SEEKTABLE && len % 18 != 0) {
                    return Err(malformed(K, "bad STREAMINFO or SEEKTABLE length"));
                }
                held = held.saturating_add(len);
                if held > max_held {
                    return Err(SanitizeError::TooLarge { limit: max_held });
                }
                let mut body = vec![0u8; len as usize];
                read_exact(r, &mut body, K)?;
                if kind == SEEKTABLE && !seektable_is_sorted(&body) {
                    return Err(malformed(K, "SEEKTABLE points out of order"));
                }
                kept.push((kind, body));
            }
            VORBIS_COMMENT => {
                let head = len.min(CLASSIFY_PREFIX);
                let mut body = vec![0u8; head as usize];
                read_exact(r, &mut body, K)?;
                skip_exact(r, len - head, K)?;
                super::ogg::classify_comments(&body, &mut found);
                found.changed = true;
            }
            PICTURE => {
                skip_exact(r, len, K)?;
                found.add(Removed::Thumbnail);
            }
            CUESHEET => {
                skip_exact(r, len, K)?;
                found.add(Removed::DocumentIds);
            }
            PADDING => {
                skip_exact(r, len, K)?;
                found.changed = true;
            }
            INVALID => return Err(malformed(K, "invalid metadata block type")),
            // APPLICATION (and reserved types): other programs' private data.
            _ => {
                skip_exact(r, len, K)?;
                found.add(Removed::Other);
            }
        }
        if last {
            break;
        }
    }

    w.write_all(b"fLaC")?;
    let n = kept.len();
    for (i, (kind, body)) in kept.iter().enumerate() {
        let flag = if i + 1 == n { 0x80 } else { 0 };
        let len = (body.len() as u32).to_be_bytes();
        w.write_all(&[flag | kind, len[1], len[2], len[3]])?;
        w.write_all(body)?;
    }

    // Audio frames: must begin with a frame sync code (14 bits 1, then 0).
    let mut sync = [0u8; 2];
    let got = read_up_to(r, &mut sync, K)?;
    if got == 0 {
        return Ok(found); // no audio (zero samples)
    }
    if got < 2 || sync[0] != 0xFF || sync[1] & 0xFE != 0xF8 {
        return Err(malformed(K, "audio frames do not follow the metadata"));
    }
    // Copy the frames, holding back a tail window for tags appended at the
    // end (ID3v1, APEv2), which some taggers add to FLAC files too.
    super::mp3::copy_peeling_appended_tags(K, r, w, sync.to_vec(), TAIL_WINDOW, &mut found)?;
    Ok(found)
}

/// Seek points must be in ascending sample order, placeholders
/// (all ones) last: what every encoder writes, and it leaves a kept
/// SEEKTABLE no room for free text.
fn seektable_is_sorted(body: &[u8]) -> bool {
    let mut prev: Option<u64> = None;
    for point in body.chunks(18) {
        let Some(sample) = point.get(..8).and_then(|b| <[u8; 8]>::try_from(b).ok()) else {
            return false;
        };
        let sample = u64::from_be_bytes(sample);
        match prev {
            Some(u64::MAX) if sample != u64::MAX => return false,
            Some(p) if p != u64::MAX && sample != u64::MAX && sample <= p => return false,
            _ => {}
        }
        prev = Some(sample);
    }
    true
}
#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
pub(super) mod tests {
    use super::super::tests_util::*;
    use super::*;

    fn block(last: bool, kind: u8, body: &[u8]) -> Vec<u8> {
        let len = (body.len() as u32).to_be_bytes();
        let mut v = vec![if last { 0x80 } else { 0 } | kind, len[1], len[2], len[3]];
        v.extend_from_slice(body);
        v
    }

    fn comment() -> Vec<u8> {
        let mut v = Vec::new();
        let vendor = b"reference libFLAC 1.4.3 20230623";
        v.extend_from_slice(&(vendor.len() as u32).to_le_bytes());
        v.extend_from_slice(vendor);
        v.extend_from_slice(&1u32.to_le_bytes());
        let c = b"ARTIST=Jane Canary";
        v.extend_from_slice(&(c.len() as u32).to_le_bytes());
        v.extend_from_slice(c);
        v
    }

    const FRAMES: &[u8] = b"\xFF\xF8\x69\x08\0\x0F\x2Eframe-bytes";

    fn streaminfo() -> Vec<u8> {
        (0u8..34).collect()
    }

    /// A FLAC file with a comment naming an artist, a picture and padding.
    pub(crate) fn fixture() -> Vec<u8> {
        let mut f = b"fLaC".to_vec();
        f.extend(block(false, STREAMINFO, &streaminfo()));
        f.extend(block(false, VORBIS_COMMENT, &comment()));
        f.extend(block(
            false,
            PICTURE,
            b"\0\0\0\x03image/jpeg-with-exif-Jane",
        ));
        f.extend(block(true, PADDING, &[0; 64]));
        f.extend_from_slice(FRAMES);
        f
    }

    fn bare() -> Vec<u8> {
        let mut f = b"fLaC".to_vec();
        f.extend(block(true, STREAMINFO, &streaminfo()));
        f.extend_from_slice(FRAMES);
        f
    }

    #[test]
    fn drops_comments_and_pictures_and_sets_the_last_flag() {
        let (res, out) = run(Kind::Flac, &fixture());
        assert_eq!(
            res.unwrap(),
            Outcome::Cleaned {
                removed: vec![Removed::Author, Removed::Software, Removed::Thumbnail]
            }
        );
        assert_eq!(out, bare());
        let (res, again) = run(Kind::Flac, &out);
        assert_eq!(res.unwrap(), Outcome::KeptOriginal);
        assert_eq!(again, out);
    }

    #[test]
    fn keeps_the_seektable_and_drops_id3_in_front() {
        let mut seek = Vec::new();
        for (sample, offset) in [(0u64, 0u64), (4096, 1200)] {
            seek.extend_from_slice(&sample.to_be_bytes());
            seek.extend_from_slice(&offset.to_be_bytes());
            seek.extend_from_slice(&4096u16.to_be_bytes());
        }
        seek.extend_from_slice(&[0xFF; 8]);
        seek.extend_from_slice(&[0; 10]);
        let mut f = b"ID3\x03\0\0\0\0\0\x0ATPE1-Jane".to_vec();
        f.push(0);
        f.extend_from_slice(b"fLaC");
        f.extend(block(false, STREAMINFO, &streaminfo()));
        f.extend(block(false, 2 /* APPLICATION */, b"riffJane"));
        f.extend(block(false, SEEKTABLE, &seek));
        f.extend(block(true, CUESHEET, b"catalog-0123456789"));
        f.extend_from_slice(FRAMES);
        assert_eq!(super::super::detect(&f), Kind::Flac);
        let (res, out) = run(Kind::Flac, &f);
        assert_eq!(
            res.unwrap(),
            Outcome::Cleaned {
                removed: vec![Removed::DocumentIds, Removed::Other]
            }
        );
        let mut want = b"fLaC".to_vec();
        want.extend(block(false, STREAMINFO, &streaminfo()));
        want.extend(block(true, SEEKTABLE, &seek));
        want.extend_from_slice(FRAMES);
        assert_eq!(out, want);
    }

    /// An ID3v2 tag larger than the 4 KiB detection prefix hides `fLaC`:
    /// the file is detected as MP3, and the MP3 path hands it back here.
    #[test]
    fn finds_flac_behind_an_id3_tag_larger_than_the_detection_prefix() {
        let mut frame = b"APIC".to_vec();
        let body = [b"\0image/jpeg\0\x03\0".as_slice(), &[0xAB; 9000], b"Jane"].concat();
        frame.extend_from_slice(&(body.len() as u32).to_be_bytes());
        frame.extend_from_slice(&[0, 0]);
        frame.extend_from_slice(&body);
        let n = frame.len();
        let mut f = b"ID3\x03\0\0".to_vec();
        f.extend([
            (n >> 21) as u8 & 0x7F,
            (n >> 14) as u8 & 0x7F,
            (n >> 7) as u8 & 0x7F,
            n as u8 & 0x7F,
        ]);
        f.extend_from_slice(&frame);
        f.extend(fixture());
        assert!(f.len() > 4096 + fixture().len());
        let kind = super::super::detect(&f);
        assert_eq!(kind, Kind::Mp3);
        let (res, out) = run(kind, &f);
        assert_eq!(
            res.unwrap(),
            Outcome::Cleaned {
                removed: vec![
                    Removed::Author,
                    Removed::Software,
                    Removed::Thumbnail,
                    Removed::Other
                ]
            }
        );
        assert_eq!(out, bare());
        assert_eq!(super::super::detect(&out), Kind::Flac);
    }

    #[test]
    fn drops_id3v1_and_ape_tags_after_the_audio() {
        let mut f = fixture();
        let item = b"\x0B\0\0\0\0\0\0\0Artist\0Jane Canary";
        f.extend_from_slice(item);
        let mut footer = b"APETAGEX".to_vec();
        footer.extend_from_slice(&2000u32.to_le_bytes());
        footer.extend_from_slice(&((item.len() + 32) as u32).to_le_bytes());
        footer.extend_from_slice(&1u32.to_le_bytes());
        footer.extend_from_slice(&0u32.to_le_bytes());
        footer.extend_from_slice(&[0; 8]);
        f.extend_from_slice(&footer);
        let mut v1 = b"TAGJane Canary's recording".to_vec();
        v1.resize(128, 0);
        f.extend_from_slice(&v1);
        let (res, out) = run(Kind::Flac, &f);
        assert!(matches!(res.unwrap(), Outcome::Cleaned { .. }));
        assert_eq!(out, bare());
        // An APE tag claiming more than the file holds.
        let mut f = bare();
        let mut footer = b"APETAGEX".to_vec();
        footer.extend_from_slice(&2000u32.to_le_bytes());
        footer.extend_from_slice(&u32::MAX.to_le_bytes());
        footer.extend_from_slice(&[0; 16]);
        f.extend_from_slice(&footer);
        assert!(matches!(
            run(Kind::Flac, &f).0,
            Err(SanitizeError::Malformed { .. })
        ));
    }

    #[test]
    fn hostile_files_are_refused() {
        let good = fixture();
        let audio_at = good.len() - FRAMES.len();
        for cut in 0..good.len() {
            let (res, _) = run(Kind::Flac, &good[..cut]);
            if cut < audio_at || cut == audio_at + 1 {
                assert!(res.is_err(), "cut {cut}");
            } else {
                assert!(res.is_ok(), "cut {cut}");
            }
        }
        let refused =
            |f: &[u8]| matches!(run(Kind::Flac, f).0, Err(SanitizeError::Malformed { .. }));
        // Data that is not a frame after the metadata (hidden metadata).
        let mut f = b"fLaC".to_vec();
        f.extend(block(true, STREAMINFO, &streaminfo()));
        f.extend_from_slice(b"ARTIST=Jane");
        assert!(refused(&f));
        // STREAMINFO not first, twice, or of the wrong length.
        let mut f = b"fLaC".to_vec();
        f.extend(block(false, PADDING, &[0; 4]));
        f.extend(block(true, STREAMINFO, &streaminfo()));
        assert!(refused(&f));
        let mut f = b"fLaC".to_vec();
        f.extend(block(false, STREAMINFO, &streaminfo()));
        f.extend(block(true, STREAMINFO, &streaminfo()));
        assert!(refused(&f));
        let mut f = b"fLaC".to_vec();
        f.extend(block(true, STREAMINFO, &[0; 33]));
        assert!(refused(&f));
        // A SEEKTABLE holding text instead of ascending points.
        let mut f = b"fLaC".to_vec();
        f.extend(block(false, STREAMINFO, &streaminfo()));
        f.extend(block(
            true,
            SEEKTABLE,
            b"Jane Canary, Kabul, 2026-12-06 17:23:00 ..."[..36].as_ref(),
        ));
        f.extend_from_slice(FRAMES);
        assert!(refused(&f));
        // Invalid block type 127; a length past the end.
        let mut f = b"fLaC".to_vec();
        f.extend(block(false, STREAMINFO, &streaminfo()));
        f.extend(block(true, INVALID, &[]));
        assert!(refused(&f));
        let mut f = b"fLaC".to_vec();
        f.extend(block(false, STREAMINFO, &streaminfo()));
        f.extend_from_slice(&[0x86, 0xFF, 0xFF, 0xFF, 1, 2, 3]);
        assert!(refused(&f));
        // A bad ID3 size; an ID3 tag before something that is not FLAC.
        assert!(refused(b"ID3\x03\0\0\xFF\0\0\0fLaC"));
        assert!(refused(b"ID3\x03\0\0\0\0\0\0\xFF\xFB\x90\x64"));
    }

    #[test]
    fn kept_blocks_are_bounded() {
        let mut f = b"fLaC".to_vec();
        f.extend(block(false, STREAMINFO, &streaminfo()));
        f.extend(block(true, SEEKTABLE, &[0; 18 * 100]));
        f.extend_from_slice(FRAMES);
        let mut out = Vec::new();
        let res = strip(&mut &f[..], &mut out, 1000);
        assert!(matches!(res, Err(SanitizeError::TooLarge { limit: 1000 })));
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig { cases: 300, ..Default::default() })]

        /// Whatever mutated file is accepted comes out without its tags and
        /// cleans to itself.
        #[test]
        fn accepted_files_are_clean_for_good(
            edits in proptest::collection::vec((0usize..4096, proptest::prelude::any::<u8>()), 1..6),
        ) {
            let mut data = fixture();
            for (pos, byte) in edits {
                let i = pos % data.len();
                data[i] = byte;
            }
            let (res, out) = run(Kind::Flac, &data);
            if res.is_ok() {
                proptest::prop_assert!(!contains(&out, b"Jane"));
                proptest::prop_assert!(!contains(&out, b"libFLAC"));
                let (again, out2) = run(Kind::Flac, &out);
                proptest::prop_assert_eq!(again.unwrap(), Outcome::KeptOriginal);
                proptest::prop_assert_eq!(out2, out);
            }
        }
    }
}
