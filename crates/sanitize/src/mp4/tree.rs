//! Held boxes as a tree: parsed with bounds on depth and count, classified,
//! and written back without their metadata and with patched offsets.

use std::io::Write;

use super::bytes::{too_small, write_zeros};
use super::stripper::Mapper;
use super::timed::{handler, is_metadata_track};
use super::{K, MAX_BOXES, MAX_DEPTH, Mp4Box, Parent};
use crate::{Found, Removed, SanitizeError, classify_xmp, find, malformed};
use crate::{be32, be64};

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

/// Does a kept box (or a kept box inside it) hold absolute offsets?
pub(super) fn holds_offsets(b: &Mp4Box) -> bool {
    if b.drop {
        return false;
    }
    match &b.children {
        Some(children) => children.iter().any(holds_offsets),
        None => matches!(&b.typ, b"stco" | b"co64" | b"tfhd"),
    }
}

/// Parse the boxes in `d[pos..end]`; `count` totals boxes across calls.
pub(super) fn parse_children(
    d: &[u8],
    mut pos: usize,
    end: usize,
    depth: usize,
    parent: Parent,
    count: &mut usize,
) -> Result<Vec<Mp4Box>, SanitizeError> {
    if depth > MAX_DEPTH {
        return Err(malformed(K, "boxes nested too deeply"));
    }
    let mut boxes = Vec::new();
    while pos < end {
        *count += 1;
        if *count > MAX_BOXES {
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
            return Err(too_small());
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
            Some(parse_children(
                d,
                pos + header,
                box_end,
                depth + 1,
                p,
                count,
            )?)
        } else {
            None
        };
        let mut b = Mp4Box {
            typ,
            start: pos,
            header,
            end: box_end,
            to_end,
            large,
            drop,
            blank: false,
            children,
        };
        // A timed-metadata track goes like a metadata box (timed.rs); its
        // children stay parsed so that its samples can be found.
        if parent == Parent::Moov && &typ == b"trak" && !drop {
            b.drop = is_metadata_track(d, &b)?;
        }
        boxes.push(b);
        pos = box_end;
    }
    Ok(boxes)
}

/// Report what a removed box held.
pub(super) fn classify_box(typ: &[u8; 4], body: &[u8], found: &mut Found) {
    if typ == b"mfra" {
        found.add(Removed::Other);
        return;
    }
    if typ == b"uuid" && find(body, b"xmpmeta").is_some() {
        classify_xmp(body, found);
        return;
    }
    let checks: [(&[u8], Removed); 18] = [
        (b"\xA9xyz", Removed::Location),
        (b"location", Removed::Location),
        // 3GPP location box, which the MP4 (not MOV) muxers write.
        (b"loci", Removed::Location),
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
        // Timed-metadata tracks: GoPro, Google and DJI GPS, and timecode.
        (b"gpmd", Removed::Location),
        (b"camm", Removed::Location),
        (b"djmd", Removed::Location),
        (b"dbgi", Removed::Camera),
        (b"tmcd", Removed::Dates),
    ];
    for (needle, cat) in checks {
        if find(body, needle).is_some() {
            found.add(cat);
        }
    }
    found.add(Removed::Other);
}

/// Apply the in-place leaf changes (times, offsets, free contents) to every
/// kept leaf of `b`.
pub(super) fn patch_tree(
    d: &mut [u8],
    b: &Mp4Box,
    map: &mut Mapper<'_>,
    found: &mut Found,
) -> Result<(), SanitizeError> {
    patch_in(d, b, map, found, false)
}

/// `visual`: inside a video track, whose sample descriptions name the
/// encoder.
fn patch_in(
    d: &mut [u8],
    b: &Mp4Box,
    map: &mut Mapper<'_>,
    found: &mut Found,
    visual: bool,
) -> Result<(), SanitizeError> {
    if b.drop {
        return Ok(());
    }
    match &b.children {
        Some(children) => {
            let visual = match &b.typ {
                b"trak" => matches!(handler(d, b), Some(b"vide" | b"auxv")),
                _ => visual,
            };
            for c in children {
                patch_in(d, c, map, found, visual)?;
            }
        }
        None => {
            let body = d
                .get_mut(b.start + b.header..b.end)
                .ok_or_else(|| malformed(K, "internal"))?;
            patch_leaf(&b.typ, body, map, found, visual)?;
        }
    }
    Ok(())
}

/// Output size of a box after its removals.
fn new_len(b: &Mp4Box) -> Result<usize, SanitizeError> {
    if b.drop && !b.blank {
        return Ok(0);
    }
    match &b.children {
        Some(children) if !b.drop => {
            let mut n = b.header;
            for c in children {
                n = n
                    .checked_add(new_len(c)?)
                    .ok_or_else(|| malformed(K, "internal"))?;
            }
            Ok(n)
        }
        _ => Ok(b.end - b.start),
    }
}

/// Write a held box with its removals applied and sizes fixed.
pub(super) fn write_box(
    w: &mut dyn Write,
    d: &[u8],
    b: &Mp4Box,
    found: &mut Found,
) -> Result<(), SanitizeError> {
    if b.drop && !b.blank {
        return Ok(());
    }
    let internal = || malformed(K, "internal");
    let mut head = [0u8; 16];
    let head = head.get_mut(..b.header).ok_or_else(internal)?;
    head.copy_from_slice(d.get(b.start..b.start + b.header).ok_or_else(internal)?);
    if b.drop {
        // Blanked: same size, type `free`, zero body.
        head.get_mut(4..8)
            .ok_or_else(internal)?
            .copy_from_slice(b"free");
        w.write_all(head)?;
        write_zeros(w, (b.end - b.start - b.header) as u64)?;
        return Ok(());
    }
    // Fix the size field (only shrinks; "to end" boxes keep size 0).
    let new_size = new_len(b)?;
    if !b.to_end && new_size != b.end - b.start {
        found.changed = true;
        if b.large {
            head.get_mut(8..16)
                .ok_or_else(internal)?
                .copy_from_slice(&(new_size as u64).to_be_bytes());
        } else {
            let s = u32::try_from(new_size).map_err(|_| malformed(K, "box too large"))?;
            head.get_mut(0..4)
                .ok_or_else(internal)?
                .copy_from_slice(&s.to_be_bytes());
        }
    }
    w.write_all(head)?;
    match &b.children {
        Some(children) => {
            for c in children {
                write_box(w, d, c, found)?;
            }
        }
        None => w.write_all(d.get(b.start + b.header..b.end).ok_or_else(internal)?)?,
    }
    Ok(())
}

/// In-place changes to leaf box bodies (same length).
fn patch_leaf(
    typ: &[u8; 4],
    body: &mut [u8],
    map: &mut Mapper<'_>,
    found: &mut Found,
    visual: bool,
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
                let new = map.map(old)?;
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
                let new = map.map(old)?;
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
        // The name of a kept track's handler ("Core Media Video", a
        // muxer's own words): blanked, its length kept (an empty C string
        // and an empty Pascal string alike).
        b"hdlr" => {
            if let Some(name) = body.get_mut(24..)
                && name.iter().any(|b| *b != 0)
            {
                name.fill(0);
                found.add(Removed::Software);
            }
        }
        // The vendor code of each video and sound description ("FFMP",
        // "appl"): zero, as ISO files have it. A video description's
        // compressor name ("Lavc60.3.100 libx264", a phone's encoder):
        // empty; players go by the sample entry's type.
        b"stsd" => {
            let n = be32(body, 4).ok_or_else(bad)?;
            let mut at = 8usize;
            for _ in 0..n {
                let size = be32(body, at).ok_or_else(bad)? as usize;
                let end = at
                    .checked_add(size)
                    .filter(|e| *e <= body.len() && size >= 8);
                let end = end.ok_or_else(bad)?;
                if let Some(vendor) = body.get_mut(at + 20..at + 24).filter(|_| size >= 24)
                    && vendor.iter().any(|b| *b != 0)
                {
                    vendor.fill(0);
                    found.add(Removed::Software);
                }
                if let Some(name) = body
                    .get_mut(at + 50..at + 82)
                    .filter(|_| visual && size >= 86)
                    && name.iter().any(|b| *b != 0)
                {
                    name.fill(0);
                    found.add(Removed::Software);
                }
                at = end;
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
