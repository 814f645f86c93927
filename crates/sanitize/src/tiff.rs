//! TIFF reading (shared with the JPEG EXIF reader) and TIFF rewriting.
//!
//! A TIFF is rebuilt from scratch rather than patched: every IFD in the main
//! chain is copied with only a whitelist of tags needed to decode the image,
//! the strip/tile data those IFDs reference is copied and re-pointed, and
//! nothing else from the input reaches the output. This way orphaned bytes
//! (old EXIF/GPS IFDs, maker notes, previews) can never survive. Reduced
//! resolution IFDs (thumbnails), SubIFDs, EXIF/GPS IFDs, XMP, IPTC and all
//! descriptive tags are dropped.
//!
//! Limits: classic TIFF only (BigTIFF is refused as Malformed), old-style
//! JPEG compression (6) is refused, image data inside strips is copied as is.
//! It must never pass an unparsed TIFF through, and never index out of bounds.

use std::collections::HashSet;
use std::io::Write;

use super::{Found, Kind, Outcome, Removed, SanitizeError, classify_xmp, malformed};

/// Rebuild `data` (a whole TIFF file) keeping only image-defining tags.
pub(super) fn strip(data: &[u8], output: &mut dyn Write) -> Result<Outcome, SanitizeError> {
    if data.starts_with(b"II+\0") || data.starts_with(b"MM\0+") {
        return Err(malformed(Kind::Tiff, "BigTIFF is not supported"));
    }
    let (t, first) = Tiff::parse(data).ok_or_else(|| malformed(Kind::Tiff, "bad header"))?;
    let mut found = Found {
        // The file is always re-laid-out.
        changed: true,
        ..Found::default()
    };
    let mut out: Vec<u8> = Vec::new();
    out.extend_from_slice(if t.le { b"II*\0" } else { b"MM\0*" });
    out.extend_from_slice(&[0, 0, 0, 0]); // first IFD offset, patched below
    // Position of the "next IFD" field to patch with the next IFD we write.
    let mut link_pos: usize = 4;
    let mut kept = 0usize;
    let mut visited = HashSet::new();
    let mut off = first;
    let mut index = 0usize;
    while off != 0 {
        if !visited.insert(off) || visited.len() > MAX_IFDS {
            return Err(malformed(Kind::Tiff, "IFD loop or too many IFDs"));
        }
        let (entries, next) = t
            .ifd(off as usize)
            .ok_or_else(|| malformed(Kind::Tiff, "bad IFD"))?;
        let subfile = entries
            .iter()
            .find(|e| e.tag == TAG_NEW_SUBFILE_TYPE)
            .and_then(|e| t.first_uint(e))
            .unwrap_or(0);
        if index > 0 && subfile & 1 == 1 {
            // Reduced-resolution copy of another page: a thumbnail/preview.
            found.add(Removed::Thumbnail);
        } else {
            let pos = write_ifd(&t, &entries, &mut out, &mut found)?;
            patch_u32(&mut out, link_pos, pos, t.le)?;
            link_pos = pos
                .checked_add(2 + 12 * entry_count_written(&out, pos, t.le)?)
                .ok_or_else(|| malformed(Kind::Tiff, "too large"))? as usize;
            kept += 1;
        }
        off = next;
        index += 1;
    }
    if kept == 0 {
        return Err(malformed(Kind::Tiff, "no image IFD"));
    }
    output.write_all(&out)?;
    Ok(found.outcome())
}

/// Summary of an EXIF block (a TIFF structure) for the JPEG stripper.
pub(super) struct ExifSummary {
    /// Orientation tag value from IFD0 when present and valid (1..=8).
    pub orientation: Option<u16>,
}

/// Read orientation and record what categories an EXIF block holds.
/// Never fails: an unreadable block is still removed, reported as Other.
pub(super) fn exif_summary(tiff: &[u8], found: &mut Found) -> ExifSummary {
    let mut summary = ExifSummary { orientation: None };
    let Some((t, first)) = Tiff::parse(tiff) else {
        found.add(Removed::Other);
        return summary;
    };
    let Some((entries, next)) = t.ifd(first as usize) else {
        found.add(Removed::Other);
        return summary;
    };
    let before = found.removed.len();
    for e in &entries {
        match e.tag {
            TAG_ORIENTATION => {
                summary.orientation = t
                    .first_uint(e)
                    .and_then(|v| u16::try_from(v).ok())
                    .filter(|v| (1..=8).contains(v));
            }
            TAG_EXIF_IFD => {
                found.add(Removed::Camera);
                if let Some((sub, _)) = t.first_uint(e).and_then(|o| t.ifd(o as usize)) {
                    for s in &sub {
                        match s.tag {
                            0x9003 | 0x9004 | 0x9010 | 0x9011 => found.add(Removed::Dates),
                            0x9286 => found.add(Removed::Comments),
                            0xA420 => found.add(Removed::DocumentIds),
                            0xA430 => found.add(Removed::Author),
                            _ => {}
                        }
                    }
                }
            }
            tag => {
                if let Some(cat) = tag_category(tag) {
                    found.add(cat);
                }
            }
        }
    }
    if next != 0 {
        found.add(Removed::Thumbnail);
    }
    if found.removed.len() == before {
        found.add(Removed::Other);
    }
    summary
}

// ---------------------------------------------------------------------------

const MAX_IFDS: usize = 256;
const MAX_ENTRIES: usize = 4096;

const TAG_NEW_SUBFILE_TYPE: u16 = 254;
const TAG_COMPRESSION: u16 = 259;
const TAG_STRIP_OFFSETS: u16 = 273;
const TAG_ORIENTATION: u16 = 274;
const TAG_STRIP_BYTE_COUNTS: u16 = 279;
const TAG_TILE_OFFSETS: u16 = 324;
const TAG_TILE_BYTE_COUNTS: u16 = 325;
const TAG_XMP: u16 = 700;
const TAG_EXIF_IFD: u16 = 0x8769;

/// Tags needed to decode and display the image. Everything else is dropped.
const KEEP: &[u16] = &[
    254, 255, 256, 257, 258, 259, 262, 263, 264, 265, 266, 273, 274, 277, 278, 279, 280, 281, 282,
    283, 284, 290, 291, 292, 293, 296, 297, 301, 317, 318, 319, 320, 321, 322, 323, 324, 325, 332,
    334, 336, 338, 339, 340, 341, 342, 347, 529, 530, 531, 532, 34675,
];

/// Category of a dropped tag, for reporting.
fn tag_category(tag: u16) -> Option<Removed> {
    Some(match tag {
        0x8825 => Removed::Location,
        0x010F | 0x0110 | TAG_EXIF_IFD => Removed::Camera,
        0x0131 => Removed::Software,
        0x0132 => Removed::Dates,
        0x013B | 0x8298 | 0x9C9D => Removed::Author,
        0x010E | 0x9C9B | 0x9C9C | 0x9C9E | 0x9C9F => Removed::Comments,
        0x0201 | 0x0202 | 0x014A => Removed::Thumbnail,
        0xA420 => Removed::DocumentIds,
        // Layout tags carry no personal data.
        t if KEEP.contains(&t) => return None,
        _ => Removed::Other,
    })
}

/// Bytes per value of a TIFF field type; None for unknown types.
fn type_size(typ: u16) -> Option<u32> {
    Some(match typ {
        1 | 2 | 6 | 7 => 1,
        3 | 8 => 2,
        4 | 9 | 11 | 13 => 4,
        5 | 10 | 12 => 8,
        _ => return None,
    })
}

/// A parsed IFD entry; `value` is the resolved value bytes (in file order).
struct Entry<'a> {
    tag: u16,
    typ: u16,
    count: u32,
    value: &'a [u8],
}

/// A classic TIFF byte buffer with its byte order.
struct Tiff<'a> {
    data: &'a [u8],
    le: bool,
}

impl<'a> Tiff<'a> {
    /// Parse the 8-byte header; returns the reader and first IFD offset.
    fn parse(data: &'a [u8]) -> Option<(Tiff<'a>, u32)> {
        let le = match data.get(..4)? {
            b"II*\0" => true,
            b"MM\0*" => false,
            _ => return None,
        };
        let t = Tiff { data, le };
        let first = t.u32_at(4)?;
        Some((t, first))
    }

    fn u16_at(&self, off: usize) -> Option<u16> {
        let b: [u8; 2] = self.data.get(off..off.checked_add(2)?)?.try_into().ok()?;
        Some(if self.le {
            u16::from_le_bytes(b)
        } else {
            u16::from_be_bytes(b)
        })
    }

    fn u32_at(&self, off: usize) -> Option<u32> {
        let b: [u8; 4] = self.data.get(off..off.checked_add(4)?)?.try_into().ok()?;
        Some(if self.le {
            u32::from_le_bytes(b)
        } else {
            u32::from_be_bytes(b)
        })
    }

    /// Entries and next-IFD offset of the IFD at `off`.
    fn ifd(&self, off: usize) -> Option<(Vec<Entry<'a>>, u32)> {
        let n = self.u16_at(off)? as usize;
        if n > MAX_ENTRIES {
            return None;
        }
        let mut entries = Vec::with_capacity(n);
        for i in 0..n {
            let e = off.checked_add(2)?.checked_add(i.checked_mul(12)?)?;
            let tag = self.u16_at(e)?;
            let typ = self.u16_at(e + 2)?;
            let count = self.u32_at(e + 4)?;
            let Some(size) = type_size(typ) else {
                // Unknown type: keep the entry so callers can decide, with no value.
                entries.push(Entry {
                    tag,
                    typ,
                    count,
                    value: &[],
                });
                continue;
            };
            let len = (size as usize).checked_mul(count as usize)?;
            let value = if len <= 4 {
                self.data.get(e + 8..e + 8 + len)?
            } else {
                let voff = self.u32_at(e + 8)? as usize;
                self.data.get(voff..voff.checked_add(len)?)?
            };
            entries.push(Entry {
                tag,
                typ,
                count,
                value,
            });
        }
        let next = self.u32_at(off.checked_add(2)?.checked_add(n.checked_mul(12)?)?)?;
        Some((entries, next))
    }

    /// All values of a SHORT/LONG entry as u32.
    fn uints(&self, e: &Entry<'_>) -> Option<Vec<u32>> {
        let sub = Tiff {
            data: e.value,
            le: self.le,
        };
        match e.typ {
            3 => (0..e.count as usize)
                .map(|i| sub.u16_at(i * 2).map(u32::from))
                .collect(),
            4 | 13 => (0..e.count as usize).map(|i| sub.u32_at(i * 4)).collect(),
            _ => None,
        }
    }

    fn first_uint(&self, e: &Entry<'_>) -> Option<u32> {
        if e.count == 0 {
            return None;
        }
        self.uints(&Entry {
            tag: e.tag,
            typ: e.typ,
            count: 1,
            value: e.value,
        })
        .and_then(|v| v.first().copied())
    }

    fn enc_u16(&self, v: u16) -> [u8; 2] {
        if self.le {
            v.to_le_bytes()
        } else {
            v.to_be_bytes()
        }
    }

    fn enc_u32(&self, v: u32) -> [u8; 4] {
        if self.le {
            v.to_le_bytes()
        } else {
            v.to_be_bytes()
        }
    }
}

/// Append one cleaned IFD (with its image data and values) to `out`;
/// returns the IFD's offset.
fn write_ifd(
    t: &Tiff<'_>,
    entries: &[Entry<'_>],
    out: &mut Vec<u8>,
    found: &mut Found,
) -> Result<u32, SanitizeError> {
    let bad = |d: &str| malformed(Kind::Tiff, d.to_string());
    let compression = entries
        .iter()
        .find(|e| e.tag == TAG_COMPRESSION)
        .and_then(|e| t.first_uint(e))
        .unwrap_or(1);
    if compression == 6 {
        return Err(bad("old-style JPEG compression is not supported"));
    }
    let mut kept: Vec<&Entry<'_>> = Vec::new();
    for e in entries {
        if KEEP.contains(&e.tag) {
            if type_size(e.typ).is_none() {
                return Err(bad("unknown field type"));
            }
            kept.push(e);
        } else {
            if e.tag == TAG_XMP {
                classify_xmp(e.value, found);
            }
            if e.tag == TAG_EXIF_IFD {
                found.add(Removed::Dates);
            }
            found.add(tag_category(e.tag).unwrap_or(Removed::Other));
        }
    }
    kept.sort_by_key(|e| e.tag);
    kept.dedup_by_key(|e| e.tag);

    // Copy image data for strips or tiles and remember the new offsets.
    let mut new_offsets: Vec<(u16, Vec<u32>)> = Vec::new();
    for (off_tag, cnt_tag) in [
        (TAG_STRIP_OFFSETS, TAG_STRIP_BYTE_COUNTS),
        (TAG_TILE_OFFSETS, TAG_TILE_BYTE_COUNTS),
    ] {
        let offs = kept.iter().find(|e| e.tag == off_tag);
        let cnts = kept.iter().find(|e| e.tag == cnt_tag);
        let (offs, cnts) = match (offs, cnts) {
            (None, None) => continue,
            (Some(o), Some(c)) => (
                t.uints(o).ok_or_else(|| bad("bad offsets"))?,
                t.uints(c).ok_or_else(|| bad("bad byte counts"))?,
            ),
            _ => return Err(bad("offsets without byte counts")),
        };
        if offs.len() != cnts.len() {
            return Err(bad("offset/count mismatch"));
        }
        let mut moved = Vec::with_capacity(offs.len());
        for (o, c) in offs.iter().zip(cnts.iter()) {
            let start = *o as usize;
            let end = start
                .checked_add(*c as usize)
                .ok_or_else(|| bad("bad strip"))?;
            let blob = t
                .data
                .get(start..end)
                .ok_or_else(|| bad("strip out of range"))?;
            align(out);
            moved.push(u32::try_from(out.len()).map_err(|_| bad("output too large"))?);
            out.extend_from_slice(blob);
        }
        new_offsets.push((off_tag, moved));
    }
    if new_offsets.is_empty() {
        return Err(bad("IFD has no image data"));
    }

    align(out);
    let ifd_pos = out.len();
    let n = kept.len();
    let values_start = ifd_pos + 2 + 12 * n + 4;
    let mut values: Vec<u8> = Vec::new();
    let mut ifd: Vec<u8> = Vec::with_capacity(2 + 12 * n + 4);
    ifd.extend_from_slice(&t.enc_u16(n as u16));
    for e in kept {
        // Offsets are always written as LONG.
        let (typ, count, bytes): (u16, u32, Vec<u8>) =
            match new_offsets.iter().find(|(tag, _)| *tag == e.tag) {
                Some((_, offs)) => (
                    4,
                    offs.len() as u32,
                    offs.iter().flat_map(|v| t.enc_u32(*v)).collect(),
                ),
                None => (e.typ, e.count, e.value.to_vec()),
            };
        ifd.extend_from_slice(&t.enc_u16(e.tag));
        ifd.extend_from_slice(&t.enc_u16(typ));
        ifd.extend_from_slice(&t.enc_u32(count));
        if bytes.len() <= 4 {
            let mut field = [0u8; 4];
            if let Some(dst) = field.get_mut(..bytes.len()) {
                dst.copy_from_slice(&bytes);
            }
            ifd.extend_from_slice(&field);
        } else {
            if values.len() % 2 == 1 {
                values.push(0);
            }
            let at =
                u32::try_from(values_start + values.len()).map_err(|_| bad("output too large"))?;
            ifd.extend_from_slice(&t.enc_u32(at));
            values.extend_from_slice(&bytes);
        }
    }
    ifd.extend_from_slice(&[0, 0, 0, 0]); // next IFD, patched by caller
    out.extend_from_slice(&ifd);
    out.extend_from_slice(&values);
    u32::try_from(ifd_pos).map_err(|_| bad("output too large"))
}

/// Number of entries of the IFD we wrote at `pos` (to find its next field).
fn entry_count_written(out: &[u8], pos: u32, le: bool) -> Result<u32, SanitizeError> {
    let t = Tiff { data: out, le };
    t.u16_at(pos as usize)
        .map(u32::from)
        .ok_or_else(|| malformed(Kind::Tiff, "internal layout error"))
}

fn patch_u32(out: &mut [u8], at: usize, v: u32, le: bool) -> Result<(), SanitizeError> {
    let bytes = if le { v.to_le_bytes() } else { v.to_be_bytes() };
    out.get_mut(at..at + 4)
        .ok_or_else(|| malformed(Kind::Tiff, "internal layout error"))?
        .copy_from_slice(&bytes);
    Ok(())
}

/// TIFF wants values on word boundaries.
fn align(out: &mut Vec<u8>) {
    if out.len() % 2 == 1 {
        out.push(0);
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
pub(super) mod tests {
    use super::*;

    /// Build a little 2x2 8-bit grayscale TIFF with metadata tags.
    pub(crate) fn fixture(le: bool) -> Vec<u8> {
        let t = Tiff { data: &[], le };
        let mut out = Vec::new();
        out.extend_from_slice(if le { b"II*\0" } else { b"MM\0*" });
        out.extend_from_slice(&t.enc_u32(8));
        // IFD0 at 8 with entries (sorted by tag).
        let artist = b"Jane Canary\0";
        let gps_ifd_placeholder = 0u32;
        let entries: Vec<(u16, u16, u32, Vec<u8>)> = vec![
            (256, 3, 1, t.enc_u16(2).to_vec()),
            (257, 3, 1, t.enc_u16(2).to_vec()),
            (258, 3, 1, t.enc_u16(8).to_vec()),
            (259, 3, 1, t.enc_u16(1).to_vec()),
            (262, 3, 1, t.enc_u16(1).to_vec()),
            (271, 2, 11, b"CANARY-CAM\0".to_vec()),
            (273, 4, 1, vec![]), // strip offset, filled below
            (277, 3, 1, t.enc_u16(1).to_vec()),
            (278, 3, 1, t.enc_u16(2).to_vec()),
            (279, 4, 1, t.enc_u32(4).to_vec()),
            (315, 2, artist.len() as u32, artist.to_vec()),
            (0x8825, 4, 1, t.enc_u32(gps_ifd_placeholder).to_vec()),
        ];
        let n = entries.len();
        let values_start = 8 + 2 + 12 * n + 4;
        let mut values = Vec::new();
        let mut ifd = Vec::new();
        ifd.extend_from_slice(&t.enc_u16(n as u16));
        let strip_at = values_start + 64;
        let gps_at = strip_at + 4;
        for (tag, typ, count, val) in entries {
            let val = match tag {
                273 => t.enc_u32(strip_at as u32).to_vec(),
                0x8825 => t.enc_u32(gps_at as u32).to_vec(),
                _ => val,
            };
            ifd.extend_from_slice(&t.enc_u16(tag));
            ifd.extend_from_slice(&t.enc_u16(typ));
            ifd.extend_from_slice(&t.enc_u32(count));
            if val.len() <= 4 {
                let mut f = val.clone();
                f.resize(4, 0);
                ifd.extend_from_slice(&f);
            } else {
                ifd.extend_from_slice(&t.enc_u32((values_start + values.len()) as u32));
                values.extend_from_slice(&val);
            }
        }
        ifd.extend_from_slice(&[0, 0, 0, 0]);
        out.extend_from_slice(&ifd);
        out.extend_from_slice(&values);
        out.resize(strip_at, 0);
        out.extend_from_slice(&[10, 20, 30, 40]);
        // GPS IFD with one ASCII entry holding the canary.
        let gps = b"CANARY-GPS-48.8577\0";
        out.extend_from_slice(&t.enc_u16(1));
        out.extend_from_slice(&t.enc_u16(2));
        out.extend_from_slice(&t.enc_u16(2));
        out.extend_from_slice(&t.enc_u32(gps.len() as u32));
        let gps_val_at = out.len() + 4 + 4;
        out.extend_from_slice(&t.enc_u32(gps_val_at as u32));
        out.extend_from_slice(&[0, 0, 0, 0]);
        out.extend_from_slice(gps);
        out
    }

    fn contains(h: &[u8], n: &[u8]) -> bool {
        super::super::find(h, n).is_some()
    }

    #[test]
    fn strips_tiff_metadata_both_endians() {
        for le in [true, false] {
            let input = fixture(le);
            assert!(contains(&input, b"CANARY-GPS"));
            let mut out = Vec::new();
            let res = strip(&input, &mut out).unwrap();
            let Outcome::Cleaned { removed } = res else {
                panic!("expected cleaned")
            };
            assert!(removed.contains(&Removed::Location));
            assert!(removed.contains(&Removed::Author));
            assert!(removed.contains(&Removed::Camera));
            for canary in [&b"CANARY"[..], b"Jane Canary"] {
                assert!(!contains(&out, canary));
            }
            // Output parses and still has the pixel data.
            let (t, first) = Tiff::parse(&out).unwrap();
            let (entries, next) = t.ifd(first as usize).unwrap();
            assert_eq!(next, 0);
            let so = entries.iter().find(|e| e.tag == 273).unwrap();
            let off = t.first_uint(so).unwrap() as usize;
            assert_eq!(&out[off..off + 4], &[10, 20, 30, 40]);
            assert!(entries.iter().all(|e| KEEP.contains(&e.tag)));
            // Idempotent: a second pass finds nothing more.
            let mut again = Vec::new();
            assert_eq!(strip(&out, &mut again).unwrap(), Outcome::NothingFound);
        }
    }

    #[test]
    fn truncated_tiff_is_error() {
        let input = fixture(true);
        for cut in [0, 4, 8, 20, 100, 224] {
            let mut out = Vec::new();
            assert!(strip(&input[..cut], &mut out).is_err(), "cut {cut}");
        }
    }

    #[test]
    fn bigtiff_refused() {
        let mut out = Vec::new();
        assert!(matches!(
            strip(b"II+\0\x08\0\0\0\0\0\0\0\0\0\0\0", &mut out),
            Err(SanitizeError::Malformed { .. })
        ));
    }
}
