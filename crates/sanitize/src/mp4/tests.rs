//! Unit tests of the MP4 stripper: the movie builders, and layouts with the
//! movie box before, after and between the media data.

use std::io::{self, Read, Write};

use super::tree::parse_children;
use crate::{Kind, Outcome, Removed, SanitizeError, find};
use crate::{be32, be64};

use super::*;
use crate::tests_util::*;
use crate::{Limits, strip as strip_any};
use proptest::prelude::*;

pub(crate) fn bx(typ: &[u8; 4], body: &[u8]) -> Vec<u8> {
    let mut v = ((body.len() + 8) as u32).to_be_bytes().to_vec();
    v.extend_from_slice(typ);
    v.extend_from_slice(body);
    v
}

fn full(typ: &[u8; 4], version: u8, flags: u32, rest: &[u8]) -> Vec<u8> {
    let mut b = (flags & 0x00FF_FFFF).to_be_bytes().to_vec();
    b[0] = version;
    b.extend_from_slice(rest);
    bx(typ, &b)
}

const SAMPLES: &[&[u8]] = &[b"SAMPLE-A", b"SAMPLE-B", b"SAMPLE-C"];
const MORE: &[&[u8]] = &[b"SAMPLE-D", b"SAMPLE-E"];

fn ftyp() -> Vec<u8> {
    bx(b"ftyp", b"isom\0\0\x02\0isomiso2mp41")
}

fn xmp() -> Vec<u8> {
    let mut u = b"\xBE\x7A\xCF\xCB\x97\xA9\x42\xE8\x9C\x71\x99\x94\x91\xE3\xAF\xAC".to_vec();
    u.extend_from_slice(b"<x:xmpmeta><dc:creator>Jane Canary</dc:creator></x:xmpmeta>");
    bx(b"uuid", &u)
}

fn top_udta() -> Vec<u8> {
    bx(
        b"udta",
        &bx(b"\xA9xyz", b"\x00\x12\x15\xC7+48.8577+002.2950/ CANARY-TOP"),
    )
}

/// A handler box naming the track's kind.
pub(crate) fn hdlr(kind: &[u8; 4]) -> Vec<u8> {
    full(
        b"hdlr",
        0,
        0,
        &[&[0; 4], kind.as_slice(), &[0; 12], b"\0"].concat(),
    )
}

/// A moov with one track whose chunk table holds `offs`, plus udta/meta
/// canaries at moov and trak level.
fn moov(offs: &[u64], wide: bool) -> Vec<u8> {
    let mut t = (offs.len() as u32).to_be_bytes().to_vec();
    for o in offs {
        if wide {
            t.extend_from_slice(&o.to_be_bytes());
        } else {
            t.extend_from_slice(&(*o as u32).to_be_bytes());
        }
    }
    let table = full(if wide { b"co64" } else { b"stco" }, 0, 0, &t);
    let stbl = bx(b"stbl", &table);
    let minf = bx(b"minf", &stbl);
    let mdhd = full(
        b"mdhd",
        0,
        0,
        &[
            0xDE, 0xAD, 0xBE, 0xEF, 0xDE, 0xAD, 0xBE, 0xEF, 0, 0, 0x03, 0xE8, 0, 0, 0, 0, 0, 0, 0,
            0,
        ],
    );
    let mdia = bx(b"mdia", &[mdhd, hdlr(b"vide"), minf].concat());
    let tkhd = full(b"tkhd", 0, 0, &[0x11; 80]);
    let trak_udta = bx(b"udta", &bx(b"\xA9too", b"CANARY-ENCODER"));
    let trak = bx(b"trak", &[tkhd, mdia, trak_udta].concat());
    let mvhd = full(b"mvhd", 0, 0, &[0x22; 96]);
    let xyz = bx(b"\xA9xyz", b"\x00\x12\x15\xC7+48.8577+002.2950/");
    let day = bx(b"\xA9day", b"2024-05-01T10:00:00+0200");
    let udta = bx(b"udta", &[xyz, day].concat());
    let meta = bx(
        b"meta",
        b"\0\0\0\0keys....com.apple.quicktime.location.ISO6709 CANARY-LOC",
    );
    bx(b"moov", &[mvhd, trak, udta, meta].concat())
}

/// One part of a test movie.
enum P {
    Ftyp,
    Moov,
    /// An mdat holding these samples; header: 32-bit, 64-bit or size 0.
    Mdat(&'static [&'static [u8]], MdatHead),
    Raw(Vec<u8>),
}

#[derive(Clone, Copy, PartialEq)]
enum MdatHead {
    Small,
    Large,
    ToEnd,
}

fn mdat(samples: &[&[u8]], head: MdatHead) -> (Vec<u8>, Vec<usize>) {
    let mut body = Vec::new();
    let mut rel = Vec::new();
    for s in samples {
        body.extend_from_slice(b"....");
        rel.push(body.len());
        body.extend_from_slice(s);
    }
    body.extend_from_slice(b"....");
    let (mut v, hl) = match head {
        MdatHead::Small => (((body.len() + 8) as u32).to_be_bytes().to_vec(), 8),
        MdatHead::ToEnd => (vec![0, 0, 0, 0], 8),
        MdatHead::Large => (vec![0, 0, 0, 1], 16),
    };
    v.extend_from_slice(b"mdat");
    if head == MdatHead::Large {
        v.extend_from_slice(&((body.len() + 16) as u64).to_be_bytes());
    }
    v.extend_from_slice(&body);
    (v, rel.into_iter().map(|r| r + hl).collect())
}

/// Lay out `parts`; the moov's chunk table points at every sample of
/// every mdat, in order. Returns the file and the samples in table order.
fn movie(parts: &[P], wide: bool) -> (Vec<u8>, Vec<&'static [u8]>) {
    let samples: Vec<&'static [u8]> = parts
        .iter()
        .flat_map(|p| match p {
            P::Mdat(s, _) => s.to_vec(),
            _ => vec![],
        })
        .collect();
    let render = |offs: &[u64]| -> (Vec<u8>, Vec<u64>) {
        let mut out = Vec::new();
        let mut found = Vec::new();
        for p in parts {
            match p {
                P::Ftyp => out.extend(ftyp()),
                P::Moov => out.extend(moov(offs, wide)),
                P::Mdat(s, h) => {
                    let (m, rel) = mdat(s, *h);
                    found.extend(rel.iter().map(|r| (out.len() + r) as u64));
                    out.extend(m);
                }
                P::Raw(b) => out.extend_from_slice(b),
            }
        }
        (out, found)
    };
    let (_, offs) = render(&vec![0; samples.len()]);
    let (file, check) = render(&offs);
    assert_eq!(check, offs);
    (file, samples)
}

/// The fixture used by the shared robustness tests.
pub(crate) fn fixture(moov_first: bool, wide: bool) -> Vec<u8> {
    let parts = if moov_first {
        vec![
            P::Ftyp,
            P::Moov,
            P::Raw(xmp()),
            P::Mdat(SAMPLES, MdatHead::Small),
        ]
    } else {
        vec![
            P::Ftyp,
            P::Mdat(SAMPLES, MdatHead::Small),
            P::Moov,
            P::Raw(xmp()),
        ]
    };
    movie(&parts, wide).0
}

fn parse_all(d: &[u8]) -> Result<Vec<Mp4Box>, SanitizeError> {
    parse_children(d, 0, d.len(), 0, Parent::Top, &mut 0)
}

/// Find the first box of type `typ` anywhere (depth-first) and return its body.
fn find_box<'a>(d: &'a [u8], typ: &[u8; 4]) -> Option<&'a [u8]> {
    let tree = parse_all(d).ok()?;
    fn walk<'a>(d: &'a [u8], bs: &[Mp4Box], typ: &[u8; 4]) -> Option<&'a [u8]> {
        for b in bs {
            if &b.typ == typ {
                return d.get(b.start + b.header..b.end);
            }
            if let Some(c) = &b.children
                && let Some(r) = walk(d, c, typ)
            {
                return Some(r);
            }
        }
        None
    }
    walk(d, &tree, typ)
}

fn chunk_offsets(d: &[u8]) -> Vec<u64> {
    if let Some(b) = find_box(d, b"stco") {
        let n = be32(b, 4).unwrap() as usize;
        (0..n)
            .map(|i| u64::from(be32(b, 8 + 4 * i).unwrap()))
            .collect()
    } else {
        let b = find_box(d, b"co64").unwrap();
        let n = be32(b, 4).unwrap() as usize;
        (0..n).map(|i| be64(b, 8 + 8 * i).unwrap()).collect()
    }
}

/// Every chunk offset points at its sample.
fn assert_offsets(d: &[u8], samples: &[&[u8]], what: &str) {
    let offs = chunk_offsets(d);
    assert_eq!(offs.len(), samples.len(), "{what}");
    for (o, s) in offs.iter().zip(samples) {
        let o = *o as usize;
        assert_eq!(d.get(o..o + s.len()), Some(*s), "{what}: offset {o}");
    }
}

const CANARIES: &[&[u8]] = &[
    b"CANARY",
    b"+48.8577+002.2950/",
    b"Jane Canary",
    b"udta",
    b"uuid",
    b"meta",
    b"mfra",
    b"\xA9xyz",
];

fn assert_clean(d: &[u8], what: &str) {
    for canary in CANARIES {
        assert!(
            !contains(d, canary),
            "{what}: {} left",
            String::from_utf8_lossy(canary)
        );
    }
    // Box sizes are consistent all the way down.
    assert!(parse_all(d).is_ok(), "{what}: output does not parse");
}

/// A reader that hands out at most 7 bytes per call.
struct Trickle<'a>(&'a [u8]);

impl Read for Trickle<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = buf.len().min(7).min(self.0.len());
        buf[..n].copy_from_slice(&self.0[..n]);
        self.0 = &self.0[n..];
        Ok(n)
    }
}

fn run_trickle(data: &[u8], limits: &Limits) -> (Result<Outcome, SanitizeError>, Vec<u8>) {
    let mut out = Vec::new();
    let res = strip_any(Kind::Mp4, &mut Trickle(data), &mut out, limits);
    (res, out)
}

/// Strip through a trickling reader, check the canaries are gone, the
/// offsets still hit their samples, and a second pass changes nothing.
fn check_layout(parts: &[P], wide: bool, what: &str) -> Vec<u8> {
    let (input, samples) = movie(parts, wide);
    assert_offsets(&input, &samples, "fixture");
    let (res, out) = run_trickle(&input, &Limits::default());
    let res = res.unwrap_or_else(|e| panic!("{what}: {e}"));
    let Outcome::Cleaned { removed } = res else {
        panic!("{what}: {res:?}")
    };
    for cat in [Removed::Location, Removed::Dates, Removed::Software] {
        assert!(removed.contains(&cat), "{what}: {cat}");
    }
    assert_clean(&out, what);
    assert_offsets(&out, &samples, what);
    assert!(
        find_box(&out, b"mvhd").unwrap()[4..12]
            .iter()
            .all(|b| *b == 0)
    );
    // Same as the in-memory reader gives.
    let (res_mem, out_mem) = run(Kind::Mp4, &input);
    assert!(res_mem.is_ok());
    assert_eq!(out_mem, out, "{what}: chunked and whole reads differ");
    let (res2, out2) = run_trickle(&out, &Limits::default());
    assert_eq!(res2.unwrap(), Outcome::KeptOriginal, "{what}");
    assert_eq!(out2, out, "{what}");
    out
}

#[test]
fn strips_udta_meta_uuid_and_fixes_offsets() {
    for (moov_first, wide) in [(true, false), (true, true), (false, false)] {
        let input = fixture(moov_first, wide);
        let (res, out) = run(Kind::Mp4, &input);
        let Outcome::Cleaned { removed } = res.unwrap() else {
            panic!()
        };
        for cat in [
            Removed::Location,
            Removed::Dates,
            Removed::Software,
            Removed::Author,
        ] {
            assert!(removed.contains(&cat), "{cat}");
        }
        assert_clean(&out, "fixture");
        assert_offsets(
            &out,
            SAMPLES,
            &format!("moov_first={moov_first} wide={wide}"),
        );
        assert!(out.len() < input.len());
        // Idempotent.
        let (res2, out2) = run(Kind::Mp4, &out);
        assert_eq!(res2.unwrap(), Outcome::KeptOriginal);
        assert_eq!(out2, out);
    }
}

#[test]
fn chunked_faststart_stco() {
    let out = check_layout(
        &[
            P::Ftyp,
            P::Moov,
            P::Raw(xmp()),
            P::Mdat(SAMPLES, MdatHead::Small),
        ],
        false,
        "faststart stco",
    );
    // Dropped, not blanked: nothing stood in the way.
    assert!(!contains(&out, b"free"));
}

#[test]
fn chunked_faststart_co64() {
    check_layout(
        &[
            P::Ftyp,
            P::Moov,
            P::Raw(xmp()),
            P::Mdat(SAMPLES, MdatHead::Small),
        ],
        true,
        "faststart co64",
    );
}

#[test]
fn chunked_moov_after_mdat() {
    check_layout(
        &[
            P::Ftyp,
            P::Raw(top_udta()),
            P::Mdat(SAMPLES, MdatHead::Small),
            P::Moov,
            P::Raw(xmp()),
        ],
        false,
        "moov after mdat",
    );
}

#[test]
fn chunked_top_level_udta_before_mdat() {
    for wide in [false, true] {
        check_layout(
            &[
                P::Ftyp,
                P::Moov,
                P::Raw(top_udta()),
                P::Raw(bx(b"free", b"stale bytes")),
                P::Raw(top_udta()),
                P::Mdat(SAMPLES, MdatHead::Small),
            ],
            wide,
            "udta before mdat",
        );
    }
}

#[test]
fn chunked_two_mdats() {
    // Moov last: each mdat has its own shift.
    check_layout(
        &[
            P::Ftyp,
            P::Raw(top_udta()),
            P::Mdat(SAMPLES, MdatHead::Small),
            P::Raw(xmp()),
            P::Mdat(MORE, MdatHead::Small),
            P::Moov,
        ],
        false,
        "two mdats, moov last",
    );
    // Moov first, metadata after both mdats: dropped.
    let out = check_layout(
        &[
            P::Ftyp,
            P::Moov,
            P::Raw(top_udta()),
            P::Mdat(SAMPLES, MdatHead::Small),
            P::Mdat(MORE, MdatHead::Large),
            P::Raw(xmp()),
        ],
        true,
        "two mdats, moov first, trailing xmp",
    );
    assert!(!contains(&out, b"free"));
    // Moov first, metadata between the mdats: the moov is already
    // written, so the box is blanked rather than moving the second mdat.
    let out = check_layout(
        &[
            P::Ftyp,
            P::Moov,
            P::Mdat(SAMPLES, MdatHead::Small),
            P::Raw(xmp()),
            P::Mdat(MORE, MdatHead::Small),
        ],
        false,
        "two mdats, moov first, xmp between",
    );
    assert!(contains(&out, b"free"));
}

#[test]
fn chunked_largesize_mdat() {
    for parts in [
        vec![
            P::Ftyp,
            P::Moov,
            P::Raw(top_udta()),
            P::Mdat(SAMPLES, MdatHead::Large),
        ],
        vec![
            P::Ftyp,
            P::Raw(top_udta()),
            P::Mdat(SAMPLES, MdatHead::Large),
            P::Moov,
        ],
    ] {
        let out = check_layout(&parts, true, "largesize mdat");
        let tree = parse_all(&out).unwrap();
        let m = tree.iter().find(|b| &b.typ == b"mdat").unwrap();
        assert!(m.large);
    }
}

#[test]
fn chunked_size_zero_final_mdat() {
    let out = check_layout(
        &[
            P::Ftyp,
            P::Moov,
            P::Raw(top_udta()),
            P::Mdat(SAMPLES, MdatHead::ToEnd),
        ],
        false,
        "size-0 mdat",
    );
    let tree = parse_all(&out).unwrap();
    assert!(tree.iter().any(|b| &b.typ == b"mdat" && b.to_end));
}

/// A fragment: moof (mfhd, traf (tfhd, trun with one data offset)).
/// `base` is the explicit base offset, or `None` for default-base-is-moof.
fn moof(seq: u32, base: Option<u64>, data_offset: i32) -> Vec<u8> {
    let mfhd = full(b"mfhd", 0, 0, &seq.to_be_bytes());
    let tfhd = match base {
        Some(b) => full(
            b"tfhd",
            0,
            0x01,
            &[&1u32.to_be_bytes()[..], &b.to_be_bytes()].concat(),
        ),
        None => full(b"tfhd", 0, 0x02_0000, &1u32.to_be_bytes()),
    };
    let trun = full(
        b"trun",
        0,
        0x01,
        &[&1u32.to_be_bytes()[..], &data_offset.to_be_bytes()].concat(),
    );
    let traf = bx(b"traf", &[tfhd, trun].concat());
    bx(b"moof", &[mfhd, traf].concat())
}

/// Every fragment's first sample, resolved through tfhd and trun.
fn fragment_samples(d: &[u8]) -> Vec<Vec<u8>> {
    let tree = parse_all(d).unwrap();
    let mut out = Vec::new();
    for m in tree.iter().filter(|b| &b.typ == b"moof") {
        let traf = m
            .children
            .as_ref()
            .unwrap()
            .iter()
            .find(|b| &b.typ == b"traf")
            .unwrap();
        let kids = traf.children.as_ref().unwrap();
        let tfhd = kids.iter().find(|b| &b.typ == b"tfhd").unwrap();
        let trun = kids.iter().find(|b| &b.typ == b"trun").unwrap();
        let tb = &d[tfhd.start + 8..tfhd.end];
        let base = if be32(tb, 0).unwrap() & 1 != 0 {
            be64(tb, 8).unwrap()
        } else {
            m.start as u64
        };
        let rel = be32(&d[trun.start + 8..trun.end], 8).unwrap() as i32;
        let at = (base as i64 + i64::from(rel)) as usize;
        out.push(d[at..at + 8].to_vec());
    }
    out
}

fn fragmented() -> Vec<u8> {
    let ftyp = bx(b"ftyp", b"iso5\0\0\x02\0iso5iso6mp41");
    let moov = moov(&[], false);
    let (mdat1, rel1) = mdat(&[b"FRAG-ONE"], MdatHead::Small);
    let (mdat2, rel2) = mdat(&[b"FRAG-TWO"], MdatHead::Small);
    let udta = top_udta();
    let uuid = xmp();
    let moof_len = moof(1, Some(0), 0).len();
    let moof2_len = moof(2, None, 0).len();
    let m1 = ftyp.len() + moov.len() + udta.len();
    let mdat1_at = m1 + moof_len;
    let m2 = mdat1_at + mdat1.len();
    let mdat2_at = m2 + moof2_len + uuid.len();
    // Explicit base at the moof; default-base-is-moof for the second,
    // with metadata between the moof and its mdat.
    let moof1 = moof(1, Some(m1 as u64), (mdat1_at + rel1[0] - m1) as i32);
    let moof2 = moof(2, None, (mdat2_at + rel2[0] - m2) as i32);
    let tfra = full(b"tfra", 0, 0, &(m1 as u64).to_be_bytes());
    let mfra = bx(b"mfra", &tfra);
    [ftyp, moov, udta, moof1, mdat1, moof2, uuid, mdat2, mfra].concat()
}

mod fragments;

mod bounds;

mod timed;
