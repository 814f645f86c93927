//! Unit tests of the HEIF/AVIF stripper.

use super::meta::{children, clean_icc, parse_iloc};
use super::ranges::{Ranges, Span};
use crate::{Found, Kind, Outcome, Removed, SanitizeError};

use super::*;
use crate::tests_util::{contains, run};
use crate::{Limits, strip as strip_any};

pub(crate) fn bx(typ: &[u8; 4], body: &[u8]) -> Vec<u8> {
    let mut v = ((body.len() + 8) as u32).to_be_bytes().to_vec();
    v.extend_from_slice(typ);
    v.extend_from_slice(body);
    v
}

fn full(typ: &[u8; 4], version: u8, rest: &[u8]) -> Vec<u8> {
    let mut b = vec![version, 0, 0, 0];
    b.extend_from_slice(rest);
    bx(typ, &b)
}

fn infe(id: u16, typ: &[u8; 4], extra: &[u8]) -> Vec<u8> {
    let mut b = id.to_be_bytes().to_vec();
    b.extend_from_slice(&[0, 0]);
    b.extend_from_slice(typ);
    b.push(0); // no name
    b.extend_from_slice(extra);
    full(b"infe", 2, &b)
}

const IMAGE: &[u8] = b"CODED-IMAGE-DATA-0123456789";
const EXIF: &[u8] = b"\0\0\0\x06Exif\0\0MM\0*\0\0\0\x08 GPS Jane's iPhone 2026:12:06 17:23";
const XMP: &[u8] = b"<x:xmpmeta xmlns:x='adobe:ns:meta/'><rdf:RDF><rdf:Description>\
        <dc:creator>Jane</dc:creator></rdf:Description></rdf:RDF></x:xmpmeta>";
const JUNK: &[u8] = b"stale Jane";

/// Where each item's data goes: `mdat` (method 0) or `idat` (method 1).
#[derive(Clone, Copy)]
pub(crate) struct Layout {
    exif_in_idat: bool,
    /// Offset added to the Exif extent (to point it elsewhere).
    exif_shift: i64,
    /// Extra length given to the Exif extent.
    exif_grow: u64,
    mdat_first: bool,
    extra_top: Option<[u8; 4]>,
    /// A second `infe` calling the Exif item an image, listed first.
    dup_infe: bool,
}

pub(crate) const PLAIN: Layout = Layout {
    exif_in_idat: false,
    exif_shift: 0,
    exif_grow: 0,
    mdat_first: false,
    extra_top: None,
    dup_infe: false,
};

/// A HEIC with an image item, an Exif and an XMP item, a `udes`
/// property, an `xml ` box in `meta` and unreferenced bytes in `mdat`.
pub(crate) fn build(l: Layout) -> Vec<u8> {
    let ftyp = bx(b"ftyp", b"heic\0\0\0\0mif1heic");
    let mut iinf_body = 3u16.to_be_bytes().to_vec();
    if l.dup_infe {
        iinf_body.extend(infe(2, b"hvc1", b""));
    }
    iinf_body.extend(infe(1, b"hvc1", b""));
    iinf_body.extend(infe(2, b"Exif", b""));
    iinf_body.extend(infe(3, b"mime", b"application/rdf+xml\0"));
    let iinf = full(b"iinf", 0, &iinf_body);
    let mut udes = vec![0, 0, 0, 0];
    udes.extend_from_slice(b"en\0Jane at the border\0\0\0");
    let ipco = bx(b"ipco", &bx(b"udes", &udes));
    let iprp = bx(b"iprp", &ipco);
    let idat = if l.exif_in_idat {
        bx(b"idat", EXIF)
    } else {
        Vec::new()
    };
    let xml = bx(b"xml ", b"\0\0\0\0<author>Jane</author>");
    // iloc v1: offset 4, length 4, base 0, index 0; 3 items, 1 extent each.
    let iloc = |mdat_at: u64| {
        let mut b = vec![0x44, 0x00];
        b.extend_from_slice(&3u16.to_be_bytes());
        let body = mdat_at + 8;
        let exif_at = if l.exif_in_idat {
            0
        } else {
            body + IMAGE.len() as u64 + JUNK.len() as u64
        };
        let entries: [(u16, u16, u64, u64); 3] = [
            (1, 0, body, IMAGE.len() as u64),
            (
                2,
                u16::from(l.exif_in_idat),
                exif_at.wrapping_add_signed(l.exif_shift),
                EXIF.len() as u64 + l.exif_grow,
            ),
            (
                3,
                0,
                body + (IMAGE.len() + JUNK.len() + if l.exif_in_idat { 0 } else { EXIF.len() })
                    as u64,
                XMP.len() as u64,
            ),
        ];
        for (id, method, off, len) in entries {
            b.extend_from_slice(&id.to_be_bytes());
            b.extend_from_slice(&method.to_be_bytes());
            b.extend_from_slice(&0u16.to_be_bytes());
            b.extend_from_slice(&1u16.to_be_bytes());
            b.extend_from_slice(&(off as u32).to_be_bytes());
            b.extend_from_slice(&(len as u32).to_be_bytes());
        }
        full(b"iloc", 1, &b)
    };
    let mut mdat_body = IMAGE.to_vec();
    mdat_body.extend_from_slice(JUNK);
    if !l.exif_in_idat {
        mdat_body.extend_from_slice(EXIF);
    }
    mdat_body.extend_from_slice(XMP);
    let mdat = bx(b"mdat", &mdat_body);
    let meta = |mdat_at: u64| {
        let mut b = full(b"hdlr", 0, b"\0\0\0\0pict\0\0\0\0\0\0\0\0\0\0\0\0\0");
        b.extend(full(b"pitm", 0, &1u16.to_be_bytes()));
        b.extend(iinf.clone());
        b.extend(iloc(mdat_at));
        b.extend(iprp.clone());
        b.extend(idat.clone());
        b.extend(xml.clone());
        full(b"meta", 0, &b)
    };
    let extra = l
        .extra_top
        .map(|t| bx(&t, b"Jane's extra box"))
        .unwrap_or_default();
    if l.mdat_first {
        let at = ftyp.len() as u64;
        [ftyp, mdat, meta(at)].concat()
    } else {
        let meta_len = meta(0).len() as u64;
        let at = ftyp.len() as u64 + meta_len + extra.len() as u64;
        [ftyp, meta(at), extra, mdat].concat()
    }
}

pub(crate) fn fixture() -> Vec<u8> {
    build(PLAIN)
}

fn assert_clean(out: &[u8], input: &[u8]) {
    assert_eq!(out.len(), input.len(), "sizes must not change");
    for needle in [&b"Jane"[..], b"GPS", b"2026", b"dc:creator"] {
        assert!(
            !contains(out, needle),
            "{:?} survived",
            String::from_utf8_lossy(needle)
        );
    }
    assert!(contains(out, IMAGE), "image data lost");
}

#[test]
fn strips_items_properties_and_stale_data_in_place() {
    let d = fixture();
    assert_eq!(crate::detect(&d), Kind::Heif);
    let (res, out) = run(Kind::Heif, &d);
    let outcome = res.unwrap();
    assert_clean(&out, &d);
    assert!(
        contains(&out, EMPTY_EXIF),
        "Exif item not left as an empty TIFF"
    );
    assert!(
        contains(&out, EMPTY_XMP),
        "XMP item not left as an empty packet"
    );
    let Outcome::Cleaned { removed } = outcome else {
        panic!("{outcome:?}")
    };
    assert!(removed.contains(&Removed::Comments), "{removed:?}");
    // Cleaning again changes nothing more.
    let (res, again) = run(Kind::Heif, &out);
    res.unwrap();
    assert_eq!(again, out);
}

#[test]
fn exif_in_idat_is_emptied() {
    let l = Layout {
        exif_in_idat: true,
        ..PLAIN
    };
    let d = build(l);
    let (res, out) = run(Kind::Heif, &d);
    res.unwrap();
    assert_clean(&out, &d);
    assert!(contains(&out, EMPTY_EXIF));
}

#[test]
fn unknown_top_level_box_is_renamed_and_zeroed() {
    let d = build(Layout {
        extra_top: Some(*b"uuid"),
        ..PLAIN
    });
    let (res, out) = run(Kind::Heif, &d);
    res.unwrap();
    assert_clean(&out, &d);
    assert!(!contains(&out, b"uuid"));
}

#[test]
fn a_second_infe_cannot_make_exif_pass_for_an_image() {
    let d = build(Layout {
        dup_infe: true,
        ..PLAIN
    });
    let (res, out) = run(Kind::Heif, &d);
    assert!(
        matches!(res, Err(SanitizeError::Malformed { .. })),
        "{res:?}"
    );
    assert!(!contains(&out, b"GPS"));
}

#[test]
fn iloc_item_flood_is_refused() {
    let mut b = vec![2u8, 0, 0, 0, 0x00, 0x00];
    b.extend_from_slice(&(MAX_ITEMS as u32 + 1).to_be_bytes());
    b.extend(std::iter::repeat_n(0u8, 10 * (MAX_ITEMS + 1)));
    let res = parse_iloc(&b, Kind::Heif);
    assert!(
        matches!(res, Err(SanitizeError::TooLarge { .. })),
        "{:?}",
        res.err()
    );
}

#[test]
fn overlapping_metadata_spans_are_all_written() {
    // A long Blank span starting first and a short Exif span inside it:
    // the Exif template is still written wherever the chunk starts.
    let mut r = Ranges::default();
    r.meta.push(Span {
        start: 0,
        end: 1000,
        item: 0,
        logical: 0,
    });
    r.meta.push(Span {
        start: 10,
        end: 900,
        item: 1,
        logical: 0,
    });
    r.meta.push(Span {
        start: 20,
        end: 40,
        item: 2,
        logical: 0,
    });
    r.finish();
    let mut items = vec![
        MetaItem {
            kind: ItemKind::Blank,
            template: &[],
            pad: 0,
            seen: Vec::new(),
        },
        MetaItem {
            kind: ItemKind::Xmp,
            template: b"",
            pad: b' ',
            seen: Vec::new(),
        },
        MetaItem {
            kind: ItemKind::Exif,
            template: EMPTY_EXIF,
            pad: 0,
            seen: Vec::new(),
        },
    ];
    let mut budget = 100;
    let mut buf = vec![b'x'; 30];
    r.filter(&mut buf, 15, &mut items, &mut budget);
    // Bytes 15..20 belong to the XMP (spaces), 20..40 to the Exif.
    assert_eq!(&buf[..5], b"     ");
    assert_eq!(&buf[5..23], EMPTY_EXIF);
}

#[test]
fn item_past_the_end_is_malformed() {
    let d = build(Layout {
        exif_grow: 1000,
        ..PLAIN
    });
    let (res, _) = run(Kind::Heif, &d);
    assert!(
        matches!(res, Err(SanitizeError::Malformed { .. })),
        "{res:?}"
    );
}

#[test]
fn metadata_overlapping_image_is_malformed() {
    let d = build(Layout {
        exif_shift: -(IMAGE.len() as i64 + JUNK.len() as i64) + 2,
        ..PLAIN
    });
    let (res, _) = run(Kind::Heif, &d);
    assert!(
        matches!(res, Err(SanitizeError::Malformed { .. })),
        "{res:?}"
    );
}

#[test]
fn item_data_inside_meta_is_refused() {
    // The Exif extent points back into the meta box itself.
    let d = build(Layout {
        exif_shift: -200,
        ..PLAIN
    });
    let (res, _) = run(Kind::Heif, &d);
    assert!(res.is_err(), "{res:?}");
}

#[test]
fn data_before_meta_is_unsupported_not_passed() {
    let d = build(Layout {
        mdat_first: true,
        ..PLAIN
    });
    let (res, _) = run(Kind::Heif, &d);
    assert!(
        matches!(res, Err(SanitizeError::Unsupported { .. })),
        "{res:?}"
    );
}

#[test]
fn image_sequence_is_unsupported() {
    let mut d = bx(b"ftyp", b"msf1\0\0\0\0msf1hevc");
    d.extend(bx(b"moov", b"\0\0\0\x08free"));
    let (res, _) = run(Kind::Heif, &d);
    assert!(
        matches!(res, Err(SanitizeError::Unsupported { .. })),
        "{res:?}"
    );
}

#[test]
fn every_truncation_is_an_error() {
    let d = fixture();
    for cut in 0..d.len() {
        let (res, _) = run(Kind::Heif, &d[..cut]);
        assert!(res.is_err(), "cut at {cut} accepted");
    }
}

#[test]
fn meta_over_the_limit_is_too_large() {
    let d = fixture();
    let limits = Limits {
        mp4_max_box: 64,
        ..Limits::default()
    };
    let res = strip_any(Kind::Heif, &mut &d[..], &mut Vec::new(), &limits);
    assert!(
        matches!(res, Err(SanitizeError::TooLarge { limit: 64 })),
        "{res:?}"
    );
}

#[test]
fn iloc_extent_flood_is_refused() {
    // One item claiming 65535 zero-byte extents, twice over the cap.
    let mut b = vec![0x00, 0x00];
    b.extend_from_slice(&2u16.to_be_bytes());
    for id in 1u16..=2 {
        b.extend_from_slice(&id.to_be_bytes());
        b.extend_from_slice(&[0, 0, 0, 0]);
        b.extend_from_slice(&u16::MAX.to_be_bytes());
    }
    let res = parse_iloc(&[&[1u8, 0, 0, 0][..], &b].concat(), Kind::Heif);
    assert!(
        matches!(res, Err(SanitizeError::TooLarge { .. })),
        "{:?}",
        res.err()
    );
}

#[test]
fn child_box_past_parent_is_malformed() {
    let mut count = 0;
    let d = [&[0, 0, 0, 40][..], b"iloc", &[0; 8]].concat();
    assert!(children(&d, 0, d.len(), &mut count).is_none());
    let d = [&[0, 0, 0, 1][..], b"iloc", &u64::MAX.to_be_bytes()].concat();
    assert!(children(&d, 0, d.len(), &mut count).is_none());
    let d = [&[0, 0, 0, 4][..], b"iloc"].concat();
    assert!(children(&d, 0, d.len(), &mut count).is_none());
}

#[test]
fn damaged_icc_is_malformed_and_device_fields_go() {
    let mut found = Found::default();
    assert!(clean_icc(&mut [0u8; 64], &mut found).is_none());
    let mut icc = vec![0u8; 200];
    icc[..4].copy_from_slice(&200u32.to_be_bytes());
    icc[36..40].copy_from_slice(b"acsp");
    icc[48..56].copy_from_slice(b"APPLiP15");
    icc[24..26].copy_from_slice(&2026u16.to_be_bytes());
    // One desc tag pointing past the profile.
    icc[128..132].copy_from_slice(&1u32.to_be_bytes());
    icc[132..136].copy_from_slice(b"desc");
    icc[136..140].copy_from_slice(&190u32.to_be_bytes());
    icc[140..144].copy_from_slice(&100u32.to_be_bytes());
    assert!(clean_icc(&mut icc.clone(), &mut found).is_none());
    icc[140..144].copy_from_slice(&10u32.to_be_bytes());
    icc[190..194].copy_from_slice(b"desc");
    icc[198] = b'J';
    assert!(clean_icc(&mut icc, &mut found).is_some());
    assert!(
        icc[24..64].iter().filter(|&&b| b != 0).count() == 4,
        "only acsp stays"
    );
    assert_eq!(icc[198], 0);
    // A tag count larger than the profile can hold.
    icc[128..132].copy_from_slice(&u32::MAX.to_be_bytes());
    assert!(clean_icc(&mut icc, &mut found).is_none());
}

#[test]
fn detects_image_brands_only() {
    assert_eq!(looks_like_heif(b"\0\0\0\x18ftypisom\0\0\0\0isommp41"), None);
    assert_eq!(
        looks_like_heif(b"\0\0\0\x10ftypheic\0\0\0\0"),
        Some(Kind::Heif)
    );
    assert_eq!(
        looks_like_heif(b"\0\0\0\x14ftypmif1\0\0\0\0avif"),
        Some(Kind::Avif)
    );
    assert_eq!(looks_like_heif(b"\0\0\0\x08ftypheic"), None);
    assert_eq!(looks_like_heif(b"\0\0\0\x18moovheic"), None);
}
