//! Unit tests of damaged and hostile movies, the memory bounds, and real files.

use super::*;
use crate::{be32, be64};

#[test]
fn offset_into_metadata_is_malformed() {
    let (mut input, _) = movie(
        &[
            P::Ftyp,
            P::Moov,
            P::Raw(top_udta()),
            P::Mdat(SAMPLES, MdatHead::Small),
        ],
        false,
    );
    // Point the first chunk at the udta's body.
    let udta_at = find(&input, b"udta").unwrap() as u32;
    let stco = find(&input, b"stco").unwrap();
    input[stco + 12..stco + 16].copy_from_slice(&udta_at.to_be_bytes());
    let (res, _) = run_trickle(&input, &Limits::default());
    assert!(
        matches!(res, Err(SanitizeError::Malformed { .. })),
        "{res:?}"
    );
}

#[test]
fn late_offset_into_metadata_is_malformed() {
    // Moov first; its last chunk points into metadata after the first
    // mdat, which is only read after the moov has been written.
    let (mut input, _) = movie(
        &[
            P::Ftyp,
            P::Moov,
            P::Mdat(SAMPLES, MdatHead::Small),
            P::Raw(top_udta()),
            P::Mdat(MORE, MdatHead::Small),
        ],
        false,
    );
    let udta_at = find(&input, b"CANARY-TOP").unwrap() as u32;
    let stco = find(&input, b"stco").unwrap();
    let last = stco + 12 + 4 * (SAMPLES.len() + MORE.len() - 1);
    input[last..last + 4].copy_from_slice(&udta_at.to_be_bytes());
    let (res, _) = run_trickle(&input, &Limits::default());
    assert!(
        matches!(res, Err(SanitizeError::Malformed { .. })),
        "{res:?}"
    );
}

#[test]
fn offset_past_end_is_malformed() {
    let (input, _) = movie(
        &[
            P::Ftyp,
            P::Moov,
            P::Mdat(SAMPLES, MdatHead::Small),
            P::Mdat(MORE, MdatHead::Small),
        ],
        false,
    );
    // Cut inside the second mdat's body: its offsets were deferred.
    let cut = input.len() - 12;
    let (res, _) = run_trickle(&input[..cut], &Limits::default());
    assert!(
        matches!(res, Err(SanitizeError::Malformed { .. })),
        "{res:?}"
    );
}

#[test]
fn held_box_limit_is_enforced_but_media_is_not() {
    let input = fixture(true, false);
    let moov_len = u64::from(be32(&input, find(&input, b"moov").unwrap() - 4).unwrap());
    let limits = Limits {
        mp4_max_box: moov_len,
        ..Limits::default()
    };
    let (res, _) = run_trickle(&input, &limits);
    assert!(
        matches!(res, Err(SanitizeError::TooLarge { limit }) if limit == moov_len),
        "{res:?}"
    );
    // Room for the moov and its parsed tree is enough, although the mdat
    // alone is far larger than the limit.
    let limits = Limits {
        mp4_max_box: 4 * moov_len,
        ..Limits::default()
    };
    let (input, samples) = movie(
        &[P::Ftyp, P::Moov, P::Mdat(&[&[b'x'; 8]], MdatHead::Small)],
        false,
    );
    let mut big = input.clone();
    // Grow the mdat well past the limit.
    let extra = vec![0x55; 16 * moov_len as usize];
    let mdat_at = find(&big, b"mdat").unwrap() - 4;
    let size = be32(&big, mdat_at).unwrap() + extra.len() as u32;
    big[mdat_at..mdat_at + 4].copy_from_slice(&size.to_be_bytes());
    big.extend_from_slice(&extra);
    let (res, out) = run_trickle(&big, &limits);
    assert!(res.is_ok(), "{res:?}");
    assert_offsets(&out, &samples, "big mdat");
}

#[test]
fn many_small_boxes_are_bounded() {
    // 20,000 empty free boxes between a moov and its mdat: all pending,
    // charged against the hold budget.
    let frees = [8u32.to_be_bytes().as_slice(), b"free"]
        .concat()
        .repeat(20_000);
    let parts = [
        P::Ftyp,
        P::Moov,
        P::Raw(frees),
        P::Mdat(SAMPLES, MdatHead::Small),
    ];
    let (input, samples) = movie(&parts, false);
    let small = Limits {
        mp4_max_box: 64 * 1024,
        ..Limits::default()
    };
    let (res, _) = run(Kind::Mp4, &input);
    assert!(res.is_ok());
    let mut out = Vec::new();
    let res = strip_any(Kind::Mp4, &mut &input[..], &mut out, &small);
    assert!(
        matches!(res, Err(SanitizeError::TooLarge { .. })),
        "{res:?}"
    );
    // Without a pending moov they are written as they come.
    let frees = [8u32.to_be_bytes().as_slice(), b"free"]
        .concat()
        .repeat(20_000);
    let parts = [
        P::Ftyp,
        P::Raw(frees),
        P::Mdat(SAMPLES, MdatHead::Small),
        P::Moov,
    ];
    let (input, samples2) = movie(&parts, false);
    let mut out = Vec::new();
    let res = strip_any(Kind::Mp4, &mut &input[..], &mut out, &small);
    assert!(res.is_ok(), "{res:?}");
    assert_offsets(&out, &samples2, "many frees");
    assert_eq!(samples, samples2);
}

#[test]
fn truncated_mp4_is_error() {
    for input in [fixture(true, false), fixture(true, true)] {
        for cut in 0..input.len() {
            let (res, _) = run(Kind::Mp4, &input[..cut]);
            assert!(res.is_err(), "cut {cut}");
        }
    }
    // Where the moov comes first, or fragments, a cut between top-level
    // boxes can leave a valid shorter file; any other cut is an error.
    for input in [fixture(false, false), fragmented()] {
        let bounds: Vec<usize> = parse_all(&input).unwrap().iter().map(|b| b.end).collect();
        for cut in (0..input.len()).filter(|c| !bounds.contains(c)) {
            let (res, _) = run(Kind::Mp4, &input[..cut]);
            assert!(res.is_err(), "cut {cut}");
        }
    }
}

#[test]
fn detects_movies_not_heif() {
    assert!(looks_like_mp4(&fixture(true, false)));
    assert!(!looks_like_mp4(b"\0\0\0\x18ftypmif1\0\0\0\0mif1heic"));
    assert!(!looks_like_mp4(b"\0\0\0\x18ftypisom\0\0\0\0avifmif1"));
}

/// Every absolute position the file points at: stco/co64 entries, and
/// for each fragment base offset plus trun data offset (explicit base or
/// default-base-is-moof).
fn media_refs(d: &[u8]) -> Vec<u64> {
    fn walk(d: &[u8], bs: &[Mp4Box], moof: usize, refs: &mut Vec<u64>) {
        for b in bs {
            let body = &d[b.start + b.header..b.end];
            match &b.typ {
                b"stco" => {
                    let n = be32(body, 4).unwrap() as usize;
                    refs.extend((0..n).map(|i| u64::from(be32(body, 8 + 4 * i).unwrap())));
                }
                b"co64" => {
                    let n = be32(body, 4).unwrap() as usize;
                    refs.extend((0..n).map(|i| be64(body, 8 + 8 * i).unwrap()));
                }
                b"traf" => {
                    let kids = b.children.as_ref().unwrap();
                    let tfhd = kids.iter().find(|k| &k.typ == b"tfhd").unwrap();
                    let tb = &d[tfhd.start + 8..tfhd.end];
                    let flags = be32(tb, 0).unwrap() & 0x00FF_FFFF;
                    let base = if flags & 1 != 0 {
                        be64(tb, 8).unwrap()
                    } else {
                        assert!(flags & 0x02_0000 != 0, "implicit base not supported here");
                        moof as u64
                    };
                    for trun in kids.iter().filter(|k| &k.typ == b"trun") {
                        let rb = &d[trun.start + 8..trun.end];
                        if be32(rb, 0).unwrap() & 1 != 0 {
                            let rel = i64::from(be32(rb, 8).unwrap() as i32);
                            refs.push((base as i64 + rel) as u64);
                        }
                    }
                }
                _ => {}
            }
            if let Some(c) = &b.children {
                let m = if &b.typ == b"moof" { b.start } else { moof };
                walk(d, c, m, refs);
            }
        }
    }
    let mut refs = Vec::new();
    walk(d, &parse_all(d).unwrap(), 0, &mut refs);
    refs
}

/// Files written by FFmpeg 5.1 (`testsrc`, 1 s, 32x24, libx264, with
/// `-metadata location=+48.8577+002.2950/`): `-movflags +faststart` with
/// an AAC track; the default .mov layout (moov after mdat, ©xyz); and
/// `-movflags frag_keyframe+empty_moov` (explicit tfhd base offsets).
const REAL: &[(&str, &[u8])] = &[
    (
        "faststart",
        include_bytes!("../../testdata/ffmpeg-faststart.mp4"),
    ),
    (
        "moov-last",
        include_bytes!("../../testdata/ffmpeg-moov-last.mov"),
    ),
    (
        "fragmented",
        include_bytes!("../../testdata/ffmpeg-fragmented.mp4"),
    ),
];

#[test]
fn real_files_keep_their_media() {
    for (name, input) in REAL {
        assert_eq!(crate::detect(input), Kind::Mp4, "{name}");
        let (res, out) = run_trickle(input, &Limits::default());
        let Outcome::Cleaned { removed } = res.unwrap() else {
            panic!("{name}")
        };
        assert!(removed.contains(&Removed::Location), "{name}");
        assert_clean(&out, name);
        assert!(!contains(&out, b"loci"), "{name}");
        assert!(out.len() < input.len(), "{name}");
        // Every reference reads the same bytes as before.
        let (before, after) = (media_refs(input), media_refs(&out));
        assert!(!before.is_empty(), "{name}");
        assert_eq!(before.len(), after.len(), "{name}");
        for (b, a) in before.iter().zip(&after) {
            let (b, a) = (*b as usize, *a as usize);
            let n = 16.min(input.len() - b);
            assert_eq!(input[b..b + n], out[a..a + n], "{name}: {b} -> {a}");
        }
        let (res2, out2) = run_trickle(&out, &Limits::default());
        assert_eq!(res2.unwrap(), Outcome::KeptOriginal, "{name}");
        assert_eq!(out2, out, "{name}");
    }
}

/// A 200 MB faststart movie generated on the fly: head bytes, then the
/// mdat body as filler. Records the largest read it was asked for.
struct Synthetic {
    head: Vec<u8>,
    filler_left: u64,
    max_request: usize,
}

impl Read for Synthetic {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.max_request = self.max_request.max(buf.len());
        if !self.head.is_empty() {
            let n = buf.len().min(self.head.len());
            buf[..n].copy_from_slice(&self.head[..n]);
            self.head.drain(..n);
            return Ok(n);
        }
        let n = buf.len().min(self.filler_left as usize);
        buf[..n].fill(0xA5);
        self.filler_left -= n as u64;
        Ok(n)
    }
}

/// Counts bytes and keeps the first 64 KiB.
#[derive(Default)]
struct Counting {
    total: u64,
    prefix: Vec<u8>,
}

impl Write for Counting {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let keep = (64 * 1024 - self.prefix.len()).min(buf.len());
        self.prefix.extend_from_slice(&buf[..keep]);
        self.total += buf.len() as u64;
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[test]
fn streams_200_mb_mdat_with_bounded_reads() {
    const FILLER: u64 = 200 * 1024 * 1024;
    let (small, samples) = movie(
        &[
            P::Ftyp,
            P::Moov,
            P::Raw(top_udta()),
            P::Mdat(SAMPLES, MdatHead::Small),
        ],
        false,
    );
    // Enlarge the mdat's declared size; the filler follows the samples.
    let mdat_at = find(&small, b"mdat").unwrap() - 4;
    let size = u64::from(be32(&small, mdat_at).unwrap()) + FILLER;
    let mut head = small.clone();
    head[mdat_at..mdat_at + 4].copy_from_slice(&(size as u32).to_be_bytes());
    let mut reader = Synthetic {
        head,
        filler_left: FILLER,
        max_request: 0,
    };
    let mut out = Counting::default();
    let limits = Limits {
        mp4_max_box: 1 << 20,
        ..Limits::default()
    };
    let res = strip_any(Kind::Mp4, &mut reader, &mut out, &limits);
    assert!(matches!(res, Ok(Outcome::Cleaned { .. })), "{res:?}");
    let removed = top_udta().len() as u64;
    let (_, mut small_out) = run(Kind::Mp4, &small);
    let shrink = small.len() - small_out.len();
    assert!(shrink as u64 > removed);
    assert_eq!(out.total, small.len() as u64 + FILLER - shrink as u64);
    assert_offsets(&small_out, &samples, "synthetic head");
    // Same bytes as the small file gives, but for the mdat size.
    let out_mdat_at = find(&small_out, b"mdat").unwrap() - 4;
    small_out[out_mdat_at..out_mdat_at + 4].copy_from_slice(&(size as u32).to_be_bytes());
    assert_eq!(out.prefix[..small_out.len()], small_out[..]);
    assert!(out.prefix[small_out.len()..].iter().all(|b| *b == 0xA5));
    assert!(
        reader.max_request <= 1 << 20,
        "asked for {}",
        reader.max_request
    );
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn mutated_layouts_never_panic(
        which in 0usize..6,
        edits in proptest::collection::vec((any::<usize>(), any::<u8>()), 1..6),
        cut in proptest::option::of(any::<usize>()),
        max_box in 64u64..4096,
    ) {
        let mut data = match which {
            0 => fixture(true, false),
            1 => fixture(false, true),
            2 => fragmented(),
            3 => movie(&[P::Ftyp, P::Moov, P::Raw(top_udta()), P::Mdat(SAMPLES, MdatHead::Large)], true).0,
            4 => movie(&[P::Ftyp, P::Moov, P::Mdat(SAMPLES, MdatHead::Small), P::Raw(xmp()), P::Mdat(MORE, MdatHead::ToEnd)], false).0,
            _ => movie(&[P::Ftyp, P::Mdat(SAMPLES, MdatHead::Small), P::Raw(xmp()), P::Mdat(MORE, MdatHead::Small), P::Moov], false).0,
        };
        for (pos, byte) in edits {
            let i = pos % data.len();
            data[i] = byte;
        }
        if let Some(c) = cut {
            data.truncate(c % (data.len() + 1));
        }
        let limits = Limits { mp4_max_box: max_box, ..Limits::default() };
        let (res, out) = run_trickle(&data, &limits);
        if res.is_ok() {
            // Whatever was accepted has consistent box sizes. (A mutated
            // box type can hide metadata from the stripper, so the
            // canaries are not checked here.)
            prop_assert!(parse_all(&out).is_ok());
        }
    }
}
