//! The streaming pass: top-level boxes read in order, the one `meta` box
//! held and rewritten, item data blanked in place as it streams through.

use std::io::{self, Read, Write};

use super::meta::{Child, Loc, children, classify, clean_icc, parse_iinf, parse_iloc};
use super::ranges::{Ranges, Span};
use super::{CLASSIFY_BUDGET, EMPTY_EXIF, EMPTY_XMP, IO_CHUNK, ItemKind, MetaItem, Plan, Stripper};
use crate::bmff::{self, Damaged, Header};
use crate::{Removed, SanitizeError, malformed, read_err};

/// What a damaged HEIF box header is called.
const DAMAGED: Damaged = Damaged {
    truncated: "truncated box header",
    too_small: "box size too small",
};

impl Stripper {
    pub(super) fn bad(&self, detail: &str) -> SanitizeError {
        malformed(self.kind, detail)
    }

    pub(super) fn run(&mut self, r: &mut dyn Read, w: &mut dyn Write) -> Result<(), SanitizeError> {
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
        bmff::read_header(r, self.kind, &DAMAGED)
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
