//! MP4 / QuickTime / M4A metadata stripping (in memory).
//!
//! Walks the box tree and removes `udta` (©xyz location, ©day, ©too, ©mak,
//! iTunes tags), `meta` (QuickTime mdta keys: location, make, model,
//! software, creation date) and `uuid` (XMP and vendor blobs) at top level,
//! in `moov` and in `trak`; drops `mfra` (an optional index of absolute
//! offsets); zeroes creation/modification times in mvhd/tkhd/mdhd and the
//! contents of top-level free/skip/wide boxes (which can hold stale data).
//!
//! Removing bytes before `mdat` moves the media, so every chunk offset in
//! `stco`/`co64` and every absolute `tfhd` base offset is remapped through the
//! list of removed byte ranges. An offset that points into removed bytes is
//! Malformed. Not handled: timed-metadata tracks (e.g. GoPro GPMF GPS) and
//! `sidx` when boxes before it are removed; files with such layouts keep those
//! tracks. Must never write a box it could not parse, or panic.

use std::io::Write;

use super::{Found, Kind, Outcome, Removed, SanitizeError, classify_xmp, find, malformed};

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

/// Strip a whole MP4 held in memory.
pub(super) fn strip(data: &[u8], output: &mut dyn Write) -> Result<Outcome, SanitizeError> {
    let mut found = Found::default();
    let tree = parse_children(data, 0, data.len(), 0, Parent::Top)?;
    if !tree.iter().any(|b| &b.typ == b"moov") {
        return Err(malformed(K, "no moov box"));
    }
    let mut removed: Vec<(usize, usize)> = Vec::new();
    plan(data, &tree, Parent::Top, &mut removed, &mut found);
    removed.sort_unstable();
    let mut out = Vec::with_capacity(data.len());
    for b in &tree {
        emit(data, b, &removed, &mut out, &mut found)?;
    }
    output.write_all(&out)?;
    Ok(found.outcome())
}

// ---------------------------------------------------------------------------

const K: Kind = Kind::Mp4;
const MAX_DEPTH: usize = 16;
const MAX_BOXES: usize = 100_000;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Parent {
    Top,
    Moov,
    Trak,
    Other,
}

struct Mp4Box {
    typ: [u8; 4],
    start: usize,
    header: usize,
    end: usize,
    /// Original size field was 0 ("extends to end of file").
    to_end: bool,
    large: bool,
    drop: bool,
    children: Option<Vec<Mp4Box>>,
}

fn be32(d: &[u8], at: usize) -> Option<u32> {
    let b: [u8; 4] = d.get(at..at.checked_add(4)?)?.try_into().ok()?;
    Some(u32::from_be_bytes(b))
}

fn be64(d: &[u8], at: usize) -> Option<u64> {
    let b: [u8; 8] = d.get(at..at.checked_add(8)?)?.try_into().ok()?;
    Some(u64::from_be_bytes(b))
}

fn is_container(typ: &[u8; 4]) -> bool {
    matches!(
        typ,
        b"moov"
            | b"trak"
            | b"mdia"
            | b"minf"
            | b"stbl"
            | b"edts"
            | b"dinf"
            | b"mvex"
            | b"moof"
            | b"traf"
    )
}

fn parse_children(
    d: &[u8],
    mut pos: usize,
    end: usize,
    depth: usize,
    parent: Parent,
) -> Result<Vec<Mp4Box>, SanitizeError> {
    if depth > MAX_DEPTH {
        return Err(malformed(K, "boxes nested too deeply"));
    }
    let mut boxes = Vec::new();
    while pos < end {
        if boxes.len() > MAX_BOXES {
            return Err(malformed(K, "too many boxes"));
        }
        if end - pos < 8 {
            return Err(malformed(K, "trailing bytes after last box"));
        }
        let size32 = be32(d, pos).ok_or_else(|| malformed(K, "truncated box"))?;
        let typ: [u8; 4] = d
            .get(pos + 4..pos + 8)
            .and_then(|t| t.try_into().ok())
            .ok_or_else(|| malformed(K, "truncated box"))?;
        let (size, header, to_end, large) = match size32 {
            0 if parent == Parent::Top => (end - pos, 8, true, false),
            0 => return Err(malformed(K, "zero-size nested box")),
            1 => {
                let s = be64(d, pos + 8).ok_or_else(|| malformed(K, "truncated box"))?;
                (
                    usize::try_from(s).map_err(|_| malformed(K, "box too large"))?,
                    16,
                    false,
                    true,
                )
            }
            s => (s as usize, 8, false, false),
        };
        if size < header {
            return Err(malformed(K, "box smaller than its header"));
        }
        let box_end = pos
            .checked_add(size)
            .filter(|e| *e <= end)
            .ok_or_else(|| malformed(K, "box extends past its parent (truncated?)"))?;
        let drop = match parent {
            Parent::Top => matches!(&typ, b"udta" | b"meta" | b"uuid" | b"mfra"),
            Parent::Moov | Parent::Trak => matches!(&typ, b"udta" | b"meta" | b"uuid"),
            Parent::Other => false,
        };
        let children = if !drop && is_container(&typ) {
            let p = match &typ {
                b"moov" => Parent::Moov,
                b"trak" => Parent::Trak,
                _ => Parent::Other,
            };
            Some(parse_children(d, pos + header, box_end, depth + 1, p)?)
        } else {
            None
        };
        boxes.push(Mp4Box {
            typ,
            start: pos,
            header,
            end: box_end,
            to_end,
            large,
            drop,
            children,
        });
        pos = box_end;
    }
    Ok(boxes)
}

/// Collect removed ranges and report what they held.
fn plan(
    d: &[u8],
    boxes: &[Mp4Box],
    parent: Parent,
    removed: &mut Vec<(usize, usize)>,
    found: &mut Found,
) {
    for b in boxes {
        if b.drop {
            removed.push((b.start, b.end - b.start));
            classify_box(&b.typ, d.get(b.start..b.end).unwrap_or(&[]), found);
            continue;
        }
        if let Some(ch) = &b.children {
            let p = match &b.typ {
                b"moov" => Parent::Moov,
                b"trak" => Parent::Trak,
                _ => Parent::Other,
            };
            plan(d, ch, p, removed, found);
        }
        let _ = parent;
    }
}

fn classify_box(typ: &[u8; 4], body: &[u8], found: &mut Found) {
    if typ == b"mfra" {
        found.add(Removed::Other);
        return;
    }
    if typ == b"uuid" && find(body, b"xmpmeta").is_some() {
        classify_xmp(body, found);
        return;
    }
    let checks: [(&[u8], Removed); 12] = [
        (b"\xA9xyz", Removed::Location),
        (b"location", Removed::Location),
        (b"\xA9day", Removed::Dates),
        (b"creationdate", Removed::Dates),
        (b"\xA9too", Removed::Software),
        (b"\xA9swr", Removed::Software),
        (b"software", Removed::Software),
        (b"\xA9mak", Removed::Camera),
        (b"\xA9mod", Removed::Camera),
        (b"model", Removed::Camera),
        (b"\xA9ART", Removed::Author),
        (b"\xA9cmt", Removed::Comments),
    ];
    for (needle, cat) in checks {
        if find(body, needle).is_some() {
            found.add(cat);
        }
    }
    found.add(Removed::Other);
}

/// New position of input offset `x` after removing `removed` ranges.
fn remap(x: u64, removed: &[(usize, usize)]) -> Result<u64, SanitizeError> {
    let mut shift: u64 = 0;
    for (s, l) in removed {
        let (s, l) = (*s as u64, *l as u64);
        if x >= s.saturating_add(l) {
            shift = shift.saturating_add(l);
        } else if x >= s {
            return Err(malformed(K, "chunk offset points into removed metadata"));
        }
    }
    Ok(x - shift)
}

fn emit(
    d: &[u8],
    b: &Mp4Box,
    removed: &[(usize, usize)],
    out: &mut Vec<u8>,
    found: &mut Found,
) -> Result<(), SanitizeError> {
    if b.drop {
        return Ok(());
    }
    let head_start = out.len();
    let header = d
        .get(b.start..b.start + b.header)
        .ok_or_else(|| malformed(K, "internal"))?;
    out.extend_from_slice(header);
    match &b.children {
        Some(children) => {
            for c in children {
                emit(d, c, removed, out, found)?;
            }
        }
        None => {
            let body_start = out.len();
            out.extend_from_slice(
                d.get(b.start + b.header..b.end)
                    .ok_or_else(|| malformed(K, "internal"))?,
            );
            let body = out
                .get_mut(body_start..)
                .ok_or_else(|| malformed(K, "internal"))?;
            patch_leaf(&b.typ, d.len() as u64, body, removed, found)?;
        }
    }
    // Fix the size field (only shrinks; "to end" boxes keep size 0).
    let new_size = out.len() - head_start;
    if !b.to_end && new_size != b.end - b.start {
        found.changed = true;
        if b.large {
            out.get_mut(head_start + 8..head_start + 16)
                .ok_or_else(|| malformed(K, "internal"))?
                .copy_from_slice(&(new_size as u64).to_be_bytes());
        } else {
            let s = u32::try_from(new_size).map_err(|_| malformed(K, "box too large"))?;
            out.get_mut(head_start..head_start + 4)
                .ok_or_else(|| malformed(K, "internal"))?
                .copy_from_slice(&s.to_be_bytes());
        }
    }
    Ok(())
}

/// In-place changes to leaf box bodies (same length).
fn patch_leaf(
    typ: &[u8; 4],
    data_len: u64,
    body: &mut [u8],
    removed: &[(usize, usize)],
    found: &mut Found,
) -> Result<(), SanitizeError> {
    let bad = || malformed(K, format!("bad {} box", String::from_utf8_lossy(typ)));
    match typ {
        b"stco" | b"co64" => {
            let wide = typ == b"co64";
            let n = be32(body, 4).ok_or_else(bad)? as usize;
            let w = if wide { 8 } else { 4 };
            let need = n
                .checked_mul(w)
                .and_then(|x| x.checked_add(8))
                .ok_or_else(bad)?;
            if need > body.len() {
                return Err(bad());
            }
            for i in 0..n {
                let at = 8 + i * w;
                let old = if wide {
                    be64(body, at)
                } else {
                    be32(body, at).map(u64::from)
                }
                .ok_or_else(bad)?;
                if old >= data_len {
                    return Err(malformed(K, "chunk offset past end of file (truncated?)"));
                }
                let new = remap(old, removed)?;
                if new != old {
                    found.changed = true;
                    let dst = body.get_mut(at..at + w).ok_or_else(bad)?;
                    if wide {
                        dst.copy_from_slice(&new.to_be_bytes());
                    } else {
                        let v = u32::try_from(new).map_err(|_| bad())?;
                        dst.copy_from_slice(&v.to_be_bytes());
                    }
                }
            }
        }
        b"tfhd" => {
            let flags = be32(body, 0).ok_or_else(bad)? & 0x00FF_FFFF;
            if flags & 1 != 0 {
                let old = be64(body, 8).ok_or_else(bad)?;
                let new = remap(old, removed)?;
                if new != old {
                    found.changed = true;
                    body.get_mut(8..16)
                        .ok_or_else(bad)?
                        .copy_from_slice(&new.to_be_bytes());
                }
            }
        }
        b"mvhd" | b"tkhd" | b"mdhd" => {
            let version = *body.first().ok_or_else(bad)?;
            let range = if version == 1 { 4..20 } else { 4..12 };
            let times = body.get_mut(range).ok_or_else(bad)?;
            if times.iter().any(|b| *b != 0) {
                times.fill(0);
                found.add(Removed::Dates);
            }
        }
        b"free" | b"skip" | b"wide" if body.iter().any(|b| *b != 0) => {
            body.fill(0);
            found.add(Removed::Other);
        }
        _ => {}
    }
    Ok(())
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
pub(super) mod tests {
    use super::super::tests_util::*;
    use super::*;

    fn bx(typ: &[u8; 4], body: &[u8]) -> Vec<u8> {
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

    const SAMPLES: &[&[u8]] = &[b"SAMPLE-A", b"SAMPLE-B", b"SAMPLE-C"];

    /// Build a movie; `offsets_for(mdat_payload_start)` fills the chunk table.
    pub(crate) fn fixture(moov_first: bool, wide: bool) -> Vec<u8> {
        let ftyp = bx(b"ftyp", b"isom\0\0\x02\0isomiso2mp41");
        let mut mdat_body = Vec::new();
        let mut rel = Vec::new();
        for s in SAMPLES {
            rel.push(mdat_body.len());
            mdat_body.extend_from_slice(s);
            mdat_body.extend_from_slice(b"........");
        }
        let mdat = bx(b"mdat", &mdat_body);
        let xmp = {
            let mut u =
                b"\xBE\x7A\xCF\xCB\x97\xA9\x42\xE8\x9C\x71\x99\x94\x91\xE3\xAF\xAC".to_vec();
            u.extend_from_slice(b"<x:xmpmeta><dc:creator>Jane Canary</dc:creator></x:xmpmeta>");
            bx(b"uuid", &u)
        };
        let build_moov = |mdat_at: usize| -> Vec<u8> {
            let offs: Vec<u64> = rel.iter().map(|r| (mdat_at + 8 + r) as u64).collect();
            let table = if wide {
                let mut t = (offs.len() as u32).to_be_bytes().to_vec();
                for o in &offs {
                    t.extend_from_slice(&o.to_be_bytes());
                }
                full(b"co64", 0, &t)
            } else {
                let mut t = (offs.len() as u32).to_be_bytes().to_vec();
                for o in &offs {
                    t.extend_from_slice(&(*o as u32).to_be_bytes());
                }
                full(b"stco", 0, &t)
            };
            let stbl = bx(b"stbl", &table);
            let minf = bx(b"minf", &stbl);
            let mdhd = full(
                b"mdhd",
                0,
                &[
                    0xDE, 0xAD, 0xBE, 0xEF, 0xDE, 0xAD, 0xBE, 0xEF, 0, 0, 0x03, 0xE8, 0, 0, 0, 0,
                    0, 0, 0, 0,
                ],
            );
            let mdia = bx(b"mdia", &[mdhd, minf].concat());
            let tkhd = full(b"tkhd", 0, &[0x11; 80]);
            let trak_udta = bx(b"udta", &bx(b"\xA9too", b"CANARY-ENCODER"));
            let trak = bx(b"trak", &[tkhd, mdia, trak_udta].concat());
            let mvhd = full(b"mvhd", 0, &[0x22; 96]);
            let xyz = bx(b"\xA9xyz", b"\x00\x12\x15\xC7+48.8577+002.2950/");
            let day = bx(b"\xA9day", b"2024-05-01T10:00:00+0200");
            let udta = bx(b"udta", &[xyz, day].concat());
            let meta = bx(
                b"meta",
                b"\0\0\0\0keys....com.apple.quicktime.location.ISO6709 CANARY-LOC",
            );
            bx(b"moov", &[mvhd, trak, udta, meta].concat())
        };
        if moov_first {
            // Compute moov size with a dummy offset, then for real.
            let moov_len = build_moov(0).len();
            let mdat_at = ftyp.len() + moov_len + xmp.len();
            [ftyp, build_moov(mdat_at), xmp, mdat].concat()
        } else {
            let mdat_at = ftyp.len();
            [ftyp, mdat, build_moov(mdat_at), xmp].concat()
        }
    }

    /// Find the first box of type `typ` anywhere (depth-first) and return its body.
    fn find_box<'a>(d: &'a [u8], typ: &[u8; 4]) -> Option<&'a [u8]> {
        let tree = parse_children(d, 0, d.len(), 0, Parent::Top).ok()?;
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

    #[test]
    fn strips_udta_meta_uuid_and_fixes_offsets() {
        for (moov_first, wide) in [(true, false), (true, true), (false, false)] {
            let input = fixture(moov_first, wide);
            // Offsets are right in the fixture.
            for (o, s) in chunk_offsets(&input).iter().zip(SAMPLES) {
                assert_eq!(&input[*o as usize..*o as usize + 8], *s);
            }
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
            for canary in [
                &b"CANARY"[..],
                b"+48.8577+002.2950/",
                b"Jane Canary",
                b"udta",
                b"\xA9xyz",
            ] {
                assert!(
                    !contains(&out, canary),
                    "{}",
                    String::from_utf8_lossy(canary)
                );
            }
            let offs = chunk_offsets(&out);
            assert_eq!(offs.len(), SAMPLES.len());
            for (o, s) in offs.iter().zip(SAMPLES) {
                assert_eq!(
                    &out[*o as usize..*o as usize + 8],
                    *s,
                    "moov_first={moov_first} wide={wide}"
                );
            }
            // Box sizes are consistent all the way down.
            assert!(parse_children(&out, 0, out.len(), 0, Parent::Top).is_ok());
            assert!(
                find_box(&out, b"mvhd").unwrap()[4..12]
                    .iter()
                    .all(|b| *b == 0)
            );
            // Idempotent.
            let (res2, out2) = run(Kind::Mp4, &out);
            assert_eq!(res2.unwrap(), Outcome::KeptOriginal);
            assert_eq!(out2, out);
        }
    }

    #[test]
    fn truncated_mp4_is_error() {
        let input = fixture(true, false);
        for cut in (0..input.len()).step_by(5) {
            let (res, _) = run(Kind::Mp4, &input[..cut]);
            assert!(res.is_err(), "cut {cut}");
        }
    }

    #[test]
    fn detects_movies_not_heif() {
        assert!(looks_like_mp4(&fixture(true, false)));
        assert!(!looks_like_mp4(b"\0\0\0\x18ftypmif1\0\0\0\0mif1heic"));
        assert!(!looks_like_mp4(b"\0\0\0\x18ftypisom\0\0\0\0avifmif1"));
    }
}
