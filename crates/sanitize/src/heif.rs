//! HEIF / HEIC / AVIF metadata stripping (iPhone and recent Android photos),
//! streamed, every byte kept at its place.
//!
//! These are ISO-BMFF files: `ftyp`, then a `meta` box describing items
//! (images, Exif, XMP) whose data lies at absolute file offsets (`iloc`),
//! usually in `mdat`, sometimes in `meta`'s own `idat`. Since offsets are
//! absolute, nothing is moved: the file is rewritten with the same size and
//! layout, and
//! * every byte outside `ftyp` and `meta` that no image item's data covers
//!   is zeroed (Exif and XMP items, data no item names, `free`/`skip`
//!   padding, `uuid`/`udta` and other unknown top-level boxes, which are
//!   renamed `free`); the same in `idat`;
//! * an Exif item then holds an empty TIFF structure (no tags) and an XMP
//!   item an empty `x:xmpmeta` packet padded with spaces, so readers still
//!   find valid items; other `mime` and `uri ` items are left all zeros;
//! * ICC profiles (`colr` of type `prof`/`rICC`) keep their colour data but
//!   lose the header's CMM, date, platform, device and creator fields and
//!   profile id, and the text of `desc`, `cprt`, `dmnd`, `dmdd`, `dscm`,
//!   `vued` and `meta` tags;
//! * the `hdlr` box's name (free text; ffmpeg writes "PictureHandler") is
//!   zeroed;
//! * item properties that describe the picture in words or times (`udes`,
//!   `crtt`, `mdft`, `itai`) are zeroed; boxes of `meta` other than the
//!   item structures (`xml `, `bxml`, `uuid`, …) are renamed `free` and zeroed.
//!
//! Orientation (`irot`, `imir`), `nclx` colour, sizes and the coded images
//! are untouched.
//!
//! # Streaming and memory
//! `meta` must come before any box holding data (as every writer puts it),
//! and is held whole, up to [`Limits::mp4_max_box`](super::Limits::mp4_max_box)
//! bytes; everything after it is copied in 64 KiB chunks. Besides `meta`,
//! only the parsed item extents (at most [`MAX_EXTENTS`]) and up to
//! [`CLASSIFY_BUDGET`] bytes of the removed Exif/XMP (to tell what they held)
//! are kept. Image sequences (`moov` tracks) are refused as Unsupported.
//!
//! Must never: write a byte of an Exif/XMP item or of unreferenced data,
//! move image data, or panic on hostile input.

use std::io::{self, BufReader, BufWriter, Read, Write};

use super::{
    Found, Kind, Outcome, Removed, SanitizeError, classify_xmp, malformed, read_err, read_up_to,
};

/// Most item extents (over all items) taken from `iloc`.
pub(super) const MAX_EXTENTS: usize = 1 << 16;
/// Most items described in `iloc` (a phone's photo has tens: tiles,
/// thumbnails, depth and gain maps, Exif, XMP).
pub(super) const MAX_ITEMS: usize = 1 << 16;
/// Most bytes of removed Exif and XMP items kept to report what they held.
pub(super) const CLASSIFY_BUDGET: usize = 1 << 20;
/// Chunk size for copying data and the reader/writer buffers.
const IO_CHUNK: usize = 64 * 1024;
/// Most boxes looked at inside `meta`.
const MAX_BOXES: usize = 100_000;

/// The HEIF kind of `p` when it starts with an `ftyp` naming an image brand:
/// AVIF when an AVIF brand is present, otherwise HEIF.
pub(super) fn looks_like_heif(p: &[u8]) -> Option<Kind> {
    if p.get(4..8) != Some(b"ftyp") {
        return None;
    }
    let size = usize::try_from(be32(p, 0)?).ok()?;
    if size < 16 {
        return None;
    }
    let end = size.min(p.len());
    let major = p.get(8..12)?;
    let compatible = p.get(16..end).unwrap_or(&[]);
    let brands = || std::iter::once(major).chain(compatible.chunks_exact(4));
    if brands().any(|b| matches!(b, b"avif" | b"avis")) {
        return Some(Kind::Avif);
    }
    let image = brands().any(|b| {
        matches!(
            b,
            b"heic" | b"heix" | b"heim" | b"heis" | b"mif1" | b"msf1" | b"hevc" | b"hevx" | b"mif2"
        )
    });
    image.then_some(Kind::Heif)
}

/// Strip a HEIF/AVIF file from `input` to `output`, holding at most
/// `max_meta` bytes of `meta` in memory.
pub(super) fn strip(
    kind: Kind,
    input: &mut dyn Read,
    output: &mut dyn Write,
    max_meta: u64,
) -> Result<Outcome, SanitizeError> {
    let mut r = BufReader::with_capacity(IO_CHUNK, input);
    let mut w = BufWriter::with_capacity(IO_CHUNK, output);
    let mut s = Stripper {
        kind,
        max_meta,
        pos: 0,
        plan: None,
        found: Found::default(),
    };
    s.run(&mut r, &mut w)?;
    w.flush()?;
    Ok(s.found.outcome())
}

// ---------------------------------------------------------------------------

/// What an item's bytes become.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum ItemKind {
    /// Coded image data and anything else a reader needs: kept.
    Image,
    Exif,
    Xmp,
    /// Other metadata (`mime`, `uri `, an item without `infe`): zeroed.
    Blank,
}

/// An Exif item with no tags: the 4-byte offset to the TIFF header (0),
/// then a big-endian TIFF header and an empty IFD0.
const EMPTY_EXIF: &[u8] = b"\0\0\0\0MM\0*\0\0\0\x08\0\0\0\0\0\0";
/// An XMP item with no properties; the rest of the item is spaces.
const EMPTY_XMP: &[u8] = b"<?xpacket begin=\"\xEF\xBB\xBF\" id=\"W5M0MpCehiHzreSzNTczkc9d\"?>\
<x:xmpmeta xmlns:x=\"adobe:ns:meta/\"/><?xpacket end=\"w\"?>";

/// A removed metadata item: what it is written as, and its first bytes as
/// found (for reporting only).
struct MetaItem {
    kind: ItemKind,
    template: &'static [u8],
    pad: u8,
    seen: Vec<u8>,
}

impl MetaItem {
    fn byte(&self, logical: u64) -> u8 {
        usize::try_from(logical)
            .ok()
            .and_then(|i| self.template.get(i))
            .copied()
            .unwrap_or(self.pad)
    }
}

/// A range of a metadata item's data: `[start, end)` in file (or `idat`)
/// coordinates, holding the item's bytes from `logical` on.
#[derive(Clone, Copy, Debug)]
struct Span {
    start: u64,
    end: u64,
    item: usize,
    logical: u64,
}

/// Byte ranges in one coordinate space (the file, or the `idat` body).
#[derive(Default)]
struct Ranges {
    /// Image data, sorted and merged.
    keep: Vec<(u64, u64)>,
    /// Metadata item data, sorted by start.
    meta: Vec<Span>,
    /// The same ranges, merged, to look up overlaps.
    meta_merged: Vec<(u64, u64)>,
    /// `meta_reach[i]`: the highest end of `meta[..=i]`.
    meta_reach: Vec<u64>,
}

impl Ranges {
    fn finish(&mut self) {
        self.keep = merge(std::mem::take(&mut self.keep));
        self.meta.sort_unstable_by_key(|m| m.start);
        self.meta_merged = merge(self.meta.iter().map(|m| (m.start, m.end)).collect());
        let mut reach = 0;
        self.meta_reach = self
            .meta
            .iter()
            .map(|m| {
                reach = reach.max(m.end);
                reach
            })
            .collect();
    }

    fn kept_overlaps(&self, s: u64, e: u64) -> bool {
        let i = self.keep.partition_point(|k| k.1 <= s);
        self.keep.get(i).is_some_and(|k| k.0 < e)
    }

    fn touches(&self, s: u64, e: u64) -> bool {
        let i = self.meta_merged.partition_point(|k| k.1 <= s);
        self.kept_overlaps(s, e) || self.meta_merged.get(i).is_some_and(|k| k.0 < e)
    }

    /// The highest byte any range needs in the input (a range running to
    /// the end of the file needs its start).
    fn end(&self) -> u64 {
        let need = |s: u64, e: u64| if e == u64::MAX { s } else { e };
        let k = self.keep.last().map_or(0, |k| need(k.0, k.1));
        self.meta
            .iter()
            .map(|m| need(m.start, m.end))
            .fold(k, u64::max)
    }

    /// Rewrite `buf`, which holds the bytes at `[at, at + len)`: zero what
    /// no image keeps, write metadata items as their empty form. Records
    /// the removed items' original bytes first.
    fn filter(&self, buf: &mut [u8], at: u64, items: &mut [MetaItem], budget: &mut usize) -> bool {
        let end = at.saturating_add(buf.len() as u64);
        // Spans are sorted by start and may overlap: the first that can
        // reach `at` is found through the running maximum of their ends.
        let first = self.meta_reach.partition_point(|&r| r <= at);
        for m in self.meta.get(first..).unwrap_or(&[]) {
            if m.start >= end {
                break;
            }
            let (s, e) = (m.start.max(at), m.end.min(end));
            if s >= e {
                continue;
            }
            let Some(item) = items.get_mut(m.item) else {
                continue;
            };
            if item.kind == ItemKind::Blank {
                continue;
            }
            let lo = usize::try_from(s - at).unwrap_or(0);
            let hi = usize::try_from(e - at).unwrap_or(0);
            let logical = m.logical.saturating_add(s - m.start);
            // Only an item's contiguous prefix is kept: enough to classify.
            if let (Ok(l), Some(src)) = (usize::try_from(logical), buf.get(lo..hi)) {
                if l == item.seen.len() {
                    let take = src.len().min(*budget);
                    item.seen.extend_from_slice(src.get(..take).unwrap_or(&[]));
                    *budget -= take;
                }
            }
        }
        let mut changed = false;
        // Zero the gaps between kept ranges.
        let mut cur = at;
        let mut k = self.keep.partition_point(|k| k.1 <= at);
        while cur < end {
            let (next_keep_start, next_keep_end) = match self.keep.get(k) {
                Some(&(s, e)) if s < end => (s.max(cur), e),
                _ => (end, end),
            };
            if cur < next_keep_start {
                let lo = usize::try_from(cur - at).unwrap_or(0);
                let hi = usize::try_from(next_keep_start - at).unwrap_or(0);
                if let Some(gap) = buf.get_mut(lo..hi) {
                    if gap.iter().any(|&b| b != 0) {
                        changed = true;
                        gap.fill(0);
                    }
                }
            }
            cur = next_keep_end.min(end).max(next_keep_start);
            k += 1;
        }
        for m in self.meta.get(first..).unwrap_or(&[]) {
            if m.start >= end {
                break;
            }
            let Some(item) = items.get(m.item) else {
                continue;
            };
            let (s, e) = (m.start.max(at), m.end.min(end));
            let mut p = s;
            while p < e {
                let i = usize::try_from(p - at).unwrap_or(usize::MAX);
                let b = item.byte(m.logical.saturating_add(p - m.start));
                if let Some(slot) = buf.get_mut(i) {
                    if *slot != b {
                        changed = true;
                    }
                    *slot = b;
                }
                p += 1;
            }
        }
        changed
    }
}

/// Sort and merge overlapping or touching ranges.
fn merge(mut v: Vec<(u64, u64)>) -> Vec<(u64, u64)> {
    v.sort_unstable();
    let mut merged: Vec<(u64, u64)> = Vec::with_capacity(v.len());
    for (s, e) in v {
        match merged.last_mut() {
            Some(last) if s <= last.1 => last.1 = last.1.max(e),
            _ => merged.push((s, e)),
        }
    }
    merged
}

/// What `meta` said about the file.
struct Plan {
    file: Ranges,
    items: Vec<MetaItem>,
    budget: usize,
}

struct Stripper {
    kind: Kind,
    max_meta: u64,
    /// Absolute position in the input (and output) of the next byte.
    pos: u64,
    plan: Option<Plan>,
    found: Found,
}

/// A top-level box header.
struct Header {
    typ: [u8; 4],
    raw: [u8; 16],
    len: usize,
    /// Whole box size, `None` for "to end of file".
    size: Option<u64>,
}

impl Stripper {
    fn bad(&self, detail: &str) -> SanitizeError {
        malformed(self.kind, detail)
    }

    fn run(&mut self, r: &mut dyn Read, w: &mut dyn Write) -> Result<(), SanitizeError> {
        let mut buf = vec![0u8; IO_CHUNK];
        let mut first = true;
        while let Some(h) = self.read_header(r)? {
            let start = self.pos;
            // read_header checked size >= header length.
            let body_len = h.size.map(|s| s.saturating_sub(h.len as u64));
            if first {
                if &h.typ != b"ftyp" {
                    return Err(self.bad("no ftyp box first"));
                }
                first = false;
            }
            match &h.typ {
                b"ftyp" | b"meta" if self.plan.is_none() && h.size.is_some() => {
                    let n = body_len.unwrap_or(0);
                    if n > self.max_meta {
                        return Err(SanitizeError::TooLarge {
                            limit: self.max_meta,
                        });
                    }
                    let mut body =
                        vec![0u8; usize::try_from(n).map_err(|_| self.bad("box too large"))?];
                    r.read_exact(&mut body).map_err(read_err(self.kind))?;
                    self.pos = self.pos.saturating_add(h.len as u64 + n);
                    if &h.typ == b"meta" {
                        self.plan = Some(self.parse_meta(&mut body)?);
                        let plan = self.plan.as_ref().ok_or_else(|| self.bad("no plan"))?;
                        if plan.file.touches(0, self.pos) {
                            return Err(SanitizeError::Unsupported {
                                kind: self.kind,
                                detail: "item data placed before the end of the meta box",
                            });
                        }
                    }
                    w.write_all(h.raw.get(..h.len).unwrap_or(&[]))?;
                    w.write_all(&body)?;
                }
                b"moov" => {
                    return Err(SanitizeError::Unsupported {
                        kind: self.kind,
                        detail: "image sequences are not cleaned",
                    });
                }
                typ => {
                    let padding = matches!(typ, b"free" | b"skip" | b"wide");
                    if self.plan.is_none() && !padding {
                        return Err(SanitizeError::Unsupported {
                            kind: self.kind,
                            detail: "data before the meta box",
                        });
                    }
                    let hdr_end = start + h.len as u64;
                    let mut raw = h.raw;
                    if !padding && typ != b"mdat" {
                        if let Some(t) = raw.get_mut(4..8) {
                            t.copy_from_slice(b"free");
                        }
                        self.found.add(Removed::Other);
                    }
                    if let Some(plan) = &self.plan {
                        if plan.file.touches(start, hdr_end) {
                            return Err(self.bad("item data overlaps a box header"));
                        }
                    }
                    w.write_all(raw.get(..h.len).unwrap_or(&[]))?;
                    self.pos = hdr_end;
                    self.stream(r, w, &mut buf, body_len)?;
                }
            }
        }
        if first {
            return Err(self.bad("empty file"));
        }
        let plan = self
            .plan
            .as_mut()
            .ok_or_else(|| malformed(self.kind, "no meta box"))?;
        if plan.file.end() > self.pos {
            return Err(malformed(self.kind, "item data past the end of the file"));
        }
        classify(&plan.items, &mut self.found);
        Ok(())
    }

    /// Copy a box body (or the rest of the file) through the plan's filter.
    fn stream(
        &mut self,
        r: &mut dyn Read,
        w: &mut dyn Write,
        buf: &mut [u8],
        len: Option<u64>,
    ) -> Result<(), SanitizeError> {
        let mut left = len;
        loop {
            let want = match left {
                Some(0) => break,
                Some(l) => usize::try_from(l).map_or(buf.len(), |x| x.min(buf.len())),
                None => buf.len(),
            };
            let chunk = buf.get_mut(..want).unwrap_or(&mut []);
            let n = match r.read(chunk) {
                Ok(n) => n.min(want),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(read_err(self.kind)(e)),
            };
            if n == 0 {
                if left.is_some() {
                    return Err(self.bad("truncated"));
                }
                break;
            }
            let data = chunk.get_mut(..n).unwrap_or(&mut []);
            if let Some(plan) = &mut self.plan {
                if plan
                    .file
                    .filter(data, self.pos, &mut plan.items, &mut plan.budget)
                {
                    self.found.changed = true;
                }
            } else if data.iter().any(|&b| b != 0) {
                data.fill(0);
                self.found.changed = true;
            }
            w.write_all(data)?;
            self.pos = self.pos.saturating_add(n as u64);
            left = left.map(|l| l - n as u64);
        }
        Ok(())
    }

    /// Read the next top-level box header; `None` at a clean end of file.
    fn read_header(&mut self, r: &mut dyn Read) -> Result<Option<Header>, SanitizeError> {
        let mut raw = [0u8; 16];
        let got = read_up_to(r, raw.get_mut(..8).unwrap_or(&mut []), self.kind)?;
        if got == 0 {
            return Ok(None);
        }
        if got < 8 {
            return Err(self.bad("trailing bytes after last box"));
        }
        let size32 = be32(&raw, 0).unwrap_or(0);
        let typ: [u8; 4] = [raw[4], raw[5], raw[6], raw[7]];
        let (len, size) = match size32 {
            0 => (8, None),
            1 => {
                if read_up_to(r, raw.get_mut(8..16).unwrap_or(&mut []), self.kind)? < 8 {
                    return Err(self.bad("truncated box header"));
                }
                let s = be64(&raw, 8).unwrap_or(0);
                if s < 16 {
                    return Err(self.bad("box size too small"));
                }
                (16, Some(s))
            }
            s if s < 8 => return Err(self.bad("box size too small")),
            s => (8, Some(u64::from(s))),
        };
        Ok(Some(Header {
            typ,
            raw,
            len,
            size,
        }))
    }

    /// Parse and clean the body of the top-level `meta` box in place.
    fn parse_meta(&mut self, m: &mut [u8]) -> Result<Plan, SanitizeError> {
        let kind = self.kind;
        let bad = |d: &str| malformed(kind, d);
        if m.len() < 4 {
            return Err(bad("meta box too small"));
        }
        let mut count = 0usize;
        let kids = children(m, 4, m.len(), &mut count).ok_or_else(|| bad("damaged meta box"))?;
        let mut types: Vec<(u32, ItemKind)> = Vec::new();
        let mut locs: Option<Vec<Loc>> = None;
        let mut idat: Option<(usize, usize)> = None;
        let mut pict = false;
        for b in &kids {
            match &b.typ {
                b"hdlr" => {
                    pict = m.get(b.body + 8..b.body + 12) == Some(b"pict");
                    // The handler's name is free text (a muxer's wording).
                    if let Some(name) = m.get_mut((b.body + 24).min(b.end)..b.end) {
                        if name.iter().any(|&x| x != 0) {
                            self.found.add(Removed::Other);
                            name.fill(0);
                        }
                    }
                }
                b"iinf" => {
                    types = parse_iinf(m, b, &mut count).ok_or_else(|| bad("damaged iinf box"))?
                }
                b"iloc" => {
                    if locs.is_some() {
                        return Err(bad("two iloc boxes"));
                    }
                    locs = Some(parse_iloc(m.get(b.body..b.end).unwrap_or(&[]), kind)?);
                }
                b"idat" => idat = Some((b.body, b.end)),
                b"iprp" => {
                    let props = children(m, b.body, b.end, &mut count)
                        .ok_or_else(|| bad("damaged iprp box"))?;
                    for p in props.iter().filter(|p| &p.typ == b"ipco") {
                        let list = children(m, p.body, p.end, &mut count)
                            .ok_or_else(|| bad("damaged ipco box"))?;
                        for q in &list {
                            self.clean_property(m, q)?;
                        }
                    }
                }
                b"pitm" | b"iref" | b"dinf" | b"grpl" | b"ipro" => {}
                _ => {
                    // Anything else (xml, bxml, uuid, udta, free…) goes.
                    if let Some(t) = m.get_mut(b.start + 4..b.start + 8) {
                        t.copy_from_slice(b"free");
                    }
                    if let Some(body) = m.get_mut(b.body..b.end) {
                        if b.typ != *b"free" || body.iter().any(|&x| x != 0) {
                            self.found.add(Removed::Other);
                        }
                        body.fill(0);
                    }
                }
            }
        }
        if !pict {
            return Err(SanitizeError::Unsupported {
                kind,
                detail: "meta box is not a picture",
            });
        }
        let locs = locs.ok_or_else(|| bad("no iloc box"))?;
        // One type per item: a second `infe` for an id could otherwise make
        // an Exif item pass for an image.
        types.sort_unstable_by_key(|t| t.0);
        if types
            .windows(2)
            .any(|w| w.first().map(|a| a.0) == w.get(1).map(|b| b.0))
        {
            return Err(bad("two item infos for one item"));
        }
        let mut items: Vec<MetaItem> = Vec::new();
        let mut file = Ranges::default();
        let mut in_idat = Ranges::default();
        for loc in locs {
            let ik = types
                .binary_search_by_key(&loc.id, |t| t.0)
                .map_or(ItemKind::Blank, |i| {
                    types.get(i).map_or(ItemKind::Blank, |t| t.1)
                });
            if loc.data_ref != 0 {
                continue; // in another file: nothing here
            }
            let ranges = match loc.method {
                0 => &mut file,
                1 => &mut in_idat,
                _ => {
                    return Err(SanitizeError::Unsupported {
                        kind,
                        detail: "items built from other items",
                    });
                }
            };
            let total: u64 = loc.extents.iter().map(|e| e.1).sum();
            let index = items.len();
            if ik != ItemKind::Image {
                let (template, pad) = match ik {
                    ItemKind::Exif => (EMPTY_EXIF, 0),
                    ItemKind::Xmp => (EMPTY_XMP, b' '),
                    _ => (&[][..], 0),
                };
                let fits = total >= template.len() as u64;
                items.push(MetaItem {
                    kind: ik,
                    template: if fits { template } else { &[] },
                    pad: if fits { pad } else { 0 },
                    seen: Vec::new(),
                });
            }
            let mut logical = 0u64;
            for &(off, len) in &loc.extents {
                let start = loc
                    .base
                    .checked_add(off)
                    .ok_or_else(|| bad("extent offset overflows"))?;
                // Length 0: the data runs to the end of the file.
                let end = if len == 0 {
                    u64::MAX
                } else {
                    start
                        .checked_add(len)
                        .ok_or_else(|| bad("extent length overflows"))?
                };
                if ik == ItemKind::Image {
                    ranges.keep.push((start, end));
                } else {
                    ranges.meta.push(Span {
                        start,
                        end,
                        item: index,
                        logical,
                    });
                }
                logical = logical.saturating_add(len);
            }
        }
        file.finish();
        in_idat.finish();
        for ranges in [&file, &in_idat] {
            if ranges
                .meta
                .iter()
                .any(|s| ranges.kept_overlaps(s.start, s.end))
            {
                return Err(bad("metadata item overlaps image data"));
            }
        }
        let mut budget = CLASSIFY_BUDGET;
        match idat {
            Some((s, e)) => {
                let body = m.get_mut(s..e).ok_or_else(|| bad("damaged idat box"))?;
                if in_idat.end() > body.len() as u64 {
                    return Err(bad("item data past the end of idat"));
                }
                if in_idat.filter(body, 0, &mut items, &mut budget) {
                    self.found.changed = true;
                }
            }
            None if !(in_idat.keep.is_empty() && in_idat.meta.is_empty()) => {
                return Err(bad("item data in a missing idat box"));
            }
            None => {}
        }
        Ok(Plan {
            file,
            items,
            budget,
        })
    }

    /// Clean one item property in `m` (the held `meta` body).
    fn clean_property(&mut self, m: &mut [u8], p: &Child) -> Result<(), SanitizeError> {
        match &p.typ {
            b"colr" => {
                let ct = m.get(p.body..p.body + 4);
                if matches!(ct, Some(b"prof") | Some(b"rICC")) {
                    let kind = self.kind;
                    let icc = m
                        .get_mut(p.body + 4..p.end)
                        .ok_or_else(|| malformed(kind, "damaged colr box"))?;
                    clean_icc(icc, &mut self.found)
                        .ok_or_else(|| malformed(kind, "damaged ICC profile"))?;
                }
            }
            // User description, creation/modification time, TAI timestamps.
            b"udes" | b"crtt" | b"mdft" | b"itai" => {
                if let Some(body) = m.get_mut((p.body + 4).min(p.end)..p.end) {
                    if body.iter().any(|&b| b != 0) {
                        self.found.add(if p.typ == *b"udes" {
                            Removed::Comments
                        } else {
                            Removed::Dates
                        });
                        body.fill(0);
                    }
                }
            }
            _ => {}
        }
        Ok(())
    }
}

/// Report what the removed items held.
fn classify(items: &[MetaItem], found: &mut Found) {
    for item in items {
        match item.kind {
            ItemKind::Exif => {
                // 4-byte offset to the TIFF header, counted from after it.
                let tiff = be32(&item.seen, 0)
                    .and_then(|o| usize::try_from(o).ok())
                    .and_then(|o| item.seen.get(4usize.checked_add(o)?..));
                match tiff {
                    Some(t) if t.len() > 8 => {
                        super::tiff::exif_summary(t, found);
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
struct Child {
    typ: [u8; 4],
    start: usize,
    body: usize,
    end: usize,
}

/// The boxes in `d[from..to]`; `None` when one runs past `to`.
fn children(d: &[u8], from: usize, to: usize, count: &mut usize) -> Option<Vec<Child>> {
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
fn parse_iinf(m: &[u8], b: &Child, count: &mut usize) -> Option<Vec<(u32, ItemKind)>> {
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
struct Loc {
    id: u32,
    method: u8,
    data_ref: u16,
    base: u64,
    /// (offset, length) pairs.
    extents: Vec<(u64, u64)>,
}

fn parse_iloc(d: &[u8], kind: Kind) -> Result<Vec<Loc>, SanitizeError> {
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

struct Cursor<'a> {
    d: &'a [u8],
    at: usize,
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
fn clean_icc(icc: &mut [u8], found: &mut Found) -> Option<()> {
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

fn be32(d: &[u8], at: usize) -> Option<u32> {
    let b: [u8; 4] = d.get(at..at.checked_add(4)?)?.try_into().ok()?;
    Some(u32::from_be_bytes(b))
}

fn be64(d: &[u8], at: usize) -> Option<u64> {
    let b: [u8; 8] = d.get(at..at.checked_add(8)?)?.try_into().ok()?;
    Some(u64::from_be_bytes(b))
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
pub(crate) mod tests {
    use super::super::tests_util::{contains, run};
    use super::super::{Limits, strip as strip_any};
    use super::*;

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
        assert_eq!(super::super::detect(&d), Kind::Heif);
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
}
