//! Parsing inside `meta`: child boxes, `iinf` item types, `iloc` extents,
//! and the ICC profile fields that name a device or a moment.

use super::{ItemKind, MAX_BOXES, MAX_EXTENTS, MAX_ITEMS, MetaItem};
use crate::{Found, Kind, Removed, SanitizeError, be32, be64, classify_xmp, malformed};

/// Report what the removed items held.
pub(super) fn classify(items: &[MetaItem], found: &mut Found) {
    for item in items {
        match item.kind {
            ItemKind::Exif => {
                // 4-byte offset to the TIFF header, counted from after it.
                let tiff = be32(&item.seen, 0)
                    .and_then(|o| usize::try_from(o).ok())
                    .and_then(|o| item.seen.get(4usize.checked_add(o)?..));
                match tiff {
                    Some(t) if t.len() > 8 => {
                        crate::tiff::exif_summary(t, found);
                    }
                    _ => found.add(Removed::Other),
                }
            }
            ItemKind::Xmp => classify_xmp(&item.seen, found),
            _ => found.add(Removed::Other),
        }
    }
}

/// A box inside the held `meta` body: positions relative to it.
pub(super) struct Child {
    pub(super) typ: [u8; 4],
    pub(super) start: usize,
    pub(super) body: usize,
    pub(super) end: usize,
}

/// The boxes in `d[from..to]`; `None` when one runs past `to`.
pub(super) fn children(d: &[u8], from: usize, to: usize, count: &mut usize) -> Option<Vec<Child>> {
    let mut out = Vec::new();
    let mut at = from;
    while at < to {
        *count += 1;
        if *count > MAX_BOXES || to - at < 8 {
            return None;
        }
        let size = be32(d, at)?;
        let typ: [u8; 4] = d.get(at + 4..at + 8)?.try_into().ok()?;
        let (hdr, len) = match size {
            0 => (8, to - at),
            1 => (16, usize::try_from(be64(d, at + 8)?).ok()?),
            s => (8, usize::try_from(s).ok()?),
        };
        if len < hdr || len > to - at {
            return None;
        }
        out.push(Child {
            typ,
            start: at,
            body: at + hdr,
            end: at + len,
        });
        at += len;
    }
    Some(out)
}

/// Item types from `iinf`: images kept, Exif and XMP rewritten, the rest
/// blanked.
pub(super) fn parse_iinf(m: &[u8], b: &Child, count: &mut usize) -> Option<Vec<(u32, ItemKind)>> {
    let version = *m.get(b.body)?;
    let first = b.body + if version == 0 { 6 } else { 8 };
    let mut out = Vec::new();
    for e in children(m, first.min(b.end), b.end, count)? {
        if &e.typ != b"infe" {
            continue;
        }
        let body = m.get(e.body..e.end)?;
        let v = *body.first()?;
        let (id, rest) = match v {
            2 => (
                u32::from(u16::from_be_bytes(body.get(4..6)?.try_into().ok()?)),
                8,
            ),
            3 => (be32(body, 4)?, 10),
            // Versions 0 and 1 carry no item type: nothing a reader needs.
            _ => continue,
        };
        let typ = body.get(rest..rest + 4)?;
        let kind = match typ {
            b"Exif" => ItemKind::Exif,
            b"mime" => {
                // item_name, content_type, [content_encoding]
                let strings = body.get(rest + 4..)?;
                let mut parts = strings.split(|&c| c == 0);
                let _name = parts.next();
                let content_type = parts.next().unwrap_or(&[]);
                let encoding = parts.next().unwrap_or(&[]);
                if content_type == b"application/rdf+xml" && encoding.is_empty() {
                    ItemKind::Xmp
                } else {
                    ItemKind::Blank
                }
            }
            b"uri " => ItemKind::Blank,
            _ => ItemKind::Image,
        };
        out.push((id, kind));
    }
    Some(out)
}

/// One `iloc` entry.
pub(super) struct Loc {
    pub(super) id: u32,
    pub(super) method: u8,
    pub(super) data_ref: u16,
    pub(super) base: u64,
    /// (offset, length) pairs.
    pub(super) extents: Vec<(u64, u64)>,
}

pub(super) fn parse_iloc(d: &[u8], kind: Kind) -> Result<Vec<Loc>, SanitizeError> {
    let bad = || malformed(kind, "damaged iloc box");
    let mut c = Cursor { d, at: 0 };
    let version = c.uint(1).ok_or_else(bad)?;
    c.uint(3).ok_or_else(bad)?;
    if version > 2 {
        return Err(SanitizeError::Unsupported {
            kind,
            detail: "unknown iloc version",
        });
    }
    let sizes = c.uint(2).ok_or_else(bad)?;
    let off_size = (sizes >> 12) as usize;
    let len_size = ((sizes >> 8) & 0xF) as usize;
    let base_size = ((sizes >> 4) & 0xF) as usize;
    let index_size = if version == 0 {
        0
    } else {
        (sizes & 0xF) as usize
    };
    for s in [off_size, len_size, base_size, index_size] {
        if !matches!(s, 0 | 4 | 8) {
            return Err(bad());
        }
    }
    let items = c.uint(if version < 2 { 2 } else { 4 }).ok_or_else(bad)?;
    if items > MAX_ITEMS as u64 {
        return Err(SanitizeError::TooLarge {
            limit: MAX_ITEMS as u64,
        });
    }
    let mut out = Vec::new();
    let mut extents_total = 0usize;
    for _ in 0..items {
        let id = c.uint(if version < 2 { 2 } else { 4 }).ok_or_else(bad)? as u32;
        let method = if version == 0 {
            0
        } else {
            (c.uint(2).ok_or_else(bad)? & 0xF) as u8
        };
        let data_ref = c.uint(2).ok_or_else(bad)? as u16;
        let base = c.uint(base_size).ok_or_else(bad)?;
        let n = c.uint(2).ok_or_else(bad)? as usize;
        extents_total += n;
        if extents_total > MAX_EXTENTS {
            return Err(SanitizeError::TooLarge {
                limit: MAX_EXTENTS as u64,
            });
        }
        let mut extents = Vec::with_capacity(n.min(64));
        for _ in 0..n {
            c.uint(index_size).ok_or_else(bad)?;
            let off = c.uint(off_size).ok_or_else(bad)?;
            let len = c.uint(len_size).ok_or_else(bad)?;
            extents.push((off, len));
        }
        out.push(Loc {
            id,
            method,
            data_ref,
            base,
            extents,
        });
    }
    Ok(out)
}

pub(super) struct Cursor<'a> {
    pub(super) d: &'a [u8],
    pub(super) at: usize,
}

impl Cursor<'_> {
    /// A big-endian unsigned integer of `n` bytes (0 to 8).
    fn uint(&mut self, n: usize) -> Option<u64> {
        let b = self.d.get(self.at..self.at.checked_add(n)?)?;
        self.at += n;
        Some(b.iter().fold(0u64, |a, &x| (a << 8) | u64::from(x)))
    }
}

/// ICC header fields that name a device, a program or a moment:
/// CMM, date, platform, device manufacturer/model/attributes, creator,
/// profile id.
const ICC_BLANK: [(usize, usize); 6] = [(4, 8), (24, 36), (40, 44), (48, 64), (80, 84), (84, 100)];
/// ICC tags whose text is blanked.
const ICC_TEXT: [&[u8; 4]; 7] = [
    b"desc", b"cprt", b"dmnd", b"dmdd", b"dscm", b"vued", b"meta",
];

/// Blank the identifying fields of an ICC profile in place; `None` when it
/// is damaged.
pub(super) fn clean_icc(icc: &mut [u8], found: &mut Found) -> Option<()> {
    let size = usize::try_from(be32(icc, 0)?).ok()?;
    if size < 132 || size > icc.len() || icc.get(36..40)? != b"acsp" {
        return None;
    }
    let icc = icc.get_mut(..size)?;
    if icc.get(24..36)?.iter().any(|&b| b != 0) {
        found.add(Removed::Dates);
    }
    if icc.get(48..56)?.iter().any(|&b| b != 0) {
        found.add(Removed::Camera);
    }
    for (s, e) in ICC_BLANK {
        let f = icc.get_mut(s..e)?;
        if f.iter().any(|&b| b != 0) {
            found.changed = true;
            f.fill(0);
        }
    }
    let tags = usize::try_from(be32(icc, 128)?).ok()?;
    if tags > (size - 132) / 12 {
        return None;
    }
    for t in 0..tags {
        let at = 132 + t * 12;
        let sig = icc.get(at..at + 4)?;
        if !ICC_TEXT.iter().any(|s| &s[..] == sig) {
            continue;
        }
        let off = usize::try_from(be32(icc, at + 4)?).ok()?;
        let len = usize::try_from(be32(icc, at + 8)?).ok()?;
        let data = icc.get_mut(off..off.checked_add(len)?)?;
        if data.len() < 8 {
            continue;
        }
        let mluc = data.get(..4) == Some(b"mluc");
        let text = data.get_mut(8..)?;
        if text.iter().any(|&b| b != 0) {
            found.add(Removed::Other);
            text.fill(0);
            if mluc {
                // No records, of the only record size readers accept.
                if let Some(rec) = text.get_mut(4..8) {
                    rec.copy_from_slice(&12u32.to_be_bytes());
                }
            }
        }
    }
    Some(())
}
