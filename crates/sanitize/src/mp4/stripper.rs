//! The streaming pass over the top-level boxes: media data streams through,
//! the boxes around it are held (bounded), cleaned and written back with
//! their chunk and fragment offsets remapped.

use std::io::{Read, Write};

use super::bytes::{add, into_metadata, past_end, pump, read_header, too_small, write_zeros};
use super::timed::{Scrub, sample_ranges};
use super::tree::{classify_box, parse_children, patch_tree, write_box};
use super::{
    Commit, Gap, IO_CHUNK, ITEM_COST, Item, K, MAX_DEFERRED, MAX_REMOVED, Mp4Box, Parent, Stripper,
};
use crate::bmff::Header;
use crate::{Found, Removed, SanitizeError, malformed, read_err};

impl Stripper {
    pub(super) fn new(max_box: u64) -> Self {
        Stripper {
            max_box,
            found: Found::default(),
            pos: 0,
            pending: Vec::new(),
            pending_cost: 0,
            pending_needs_media: false,
            gaps: Vec::new(),
            dropped: 0,
            deferred: Vec::new(),
            sidx_at: None,
            seen_moov: false,
            scrub: Scrub::default(),
            passed: 0,
            holding_media: false,
            buf: vec![0; IO_CHUNK],
        }
    }

    pub(super) fn run(&mut self, r: &mut dyn Read, w: &mut dyn Write) -> Result<(), SanitizeError> {
        while let Some(h) = read_header(r)? {
            let start = self.pos;
            let body = match h.size {
                Some(s) => Some(s.checked_sub(h.len as u64).ok_or_else(too_small)?),
                None => None,
            };
            match &h.typ {
                b"mdat" if !self.seen_moov && self.can_hold(&h) => {
                    // Before the moov, which may name metadata samples in it.
                    let data = self.read_held(r, &h)?;
                    let total = data.len() as u64;
                    self.pos = add(start, total)?;
                    let tree = vec![Mp4Box {
                        typ: *b"mdat",
                        start: 0,
                        header: h.len,
                        end: data.len(),
                        to_end: false,
                        large: h.len == 16,
                        drop: false,
                        blank: false,
                        children: None,
                    }];
                    self.holding_media = true;
                    self.hold(Item::Held { start, data, tree }, total)?;
                }
                b"mdat" => {
                    let media_end = match h.size {
                        Some(s) => add(start, s)?,
                        None => u64::MAX,
                    };
                    self.flush(
                        w,
                        Commit {
                            at: start,
                            media_end: Some(media_end),
                        },
                    )?;
                    self.scrub.pass(start, h.len as u64, None)?;
                    w.write_all(h.bytes())?;
                    let scrub = &mut self.scrub;
                    let mut at = add(start, h.len as u64)?;
                    let n = pump(r, &mut self.buf, body, &mut |chunk| {
                        scrub.pass(at, chunk.len() as u64, Some(&mut *chunk))?;
                        at = at.saturating_add(chunk.len() as u64);
                        Ok(w.write_all(chunk)?)
                    })?;
                    self.pos = add(add(start, h.len as u64)?, n)?;
                    self.passed = self.pos;
                }
                b"free" | b"skip" | b"wide" => {
                    let mut nonzero = false;
                    let n = pump(r, &mut self.buf, body, &mut |chunk| {
                        nonzero |= chunk.iter().any(|b| *b != 0);
                        Ok(())
                    })?;
                    self.pos = add(add(start, h.len as u64)?, n)?;
                    if nonzero {
                        self.found.add(Removed::Other);
                    }
                    self.hold(Item::Zeros { header: h, body: n }, 0)?;
                }
                typ => {
                    if self.holding_media && !self.pending_needs_media && !self.can_hold(&h) {
                        // Held media leaves no room for this box (the moov,
                        // most likely): write the media out as it is. Should
                        // the moov name metadata samples in it, they can no
                        // longer be zeroed and the file is refused then.
                        self.flush(
                            w,
                            Commit {
                                at: start,
                                media_end: None,
                            },
                        )?;
                        self.holding_media = false;
                    }
                    let data = self.read_held(r, &h)?;
                    let total = data.len() as u64;
                    self.pos = add(start, total)?;
                    if matches!(typ, b"udta" | b"meta" | b"uuid" | b"mfra") {
                        classify_box(typ, &data, &mut self.found);
                        self.hold(
                            Item::Remove {
                                start,
                                header: h,
                                total,
                                blank: false,
                            },
                            0,
                        )?;
                    } else {
                        let mut count = 0;
                        let tree =
                            parse_children(&data, 0, data.len(), 0, Parent::Top, &mut count)?;
                        if typ == b"moov" {
                            self.seen_moov = true;
                            self.holding_media = false;
                            self.metadata_tracks(&data, &tree)?;
                        }
                        if typ == b"sidx" {
                            self.sidx_at.get_or_insert(start);
                        }
                        let tree_cost =
                            (count as u64).saturating_mul(std::mem::size_of::<Mp4Box>() as u64);
                        let cost = total.saturating_add(tree_cost);
                        self.hold(Item::Held { start, data, tree }, cost)?;
                    }
                }
            }
            if !self.pending_needs_media && !self.holding_media {
                let at = self.pos;
                self.flush(
                    w,
                    Commit {
                        at,
                        media_end: None,
                    },
                )?;
            }
        }
        let end = self.pos;
        self.flush(
            w,
            Commit {
                at: end,
                media_end: None,
            },
        )?;
        if !self.seen_moov {
            return Err(malformed(K, "no moov box"));
        }
        if self.deferred.last().is_some_and(|x| *x >= end) {
            return Err(past_end());
        }
        self.scrub.finish()
    }

    /// Whether a box of this header fits what is left of the hold budget.
    fn can_hold(&self, h: &Header) -> bool {
        let room = self
            .max_box
            .saturating_sub(self.pending_cost)
            .saturating_sub(ITEM_COST);
        h.size.is_some_and(|s| s <= room)
    }

    /// Note the samples of the metadata tracks a `moov` removes, to be
    /// blanked in the media data.
    fn metadata_tracks(&mut self, data: &[u8], tree: &[Mp4Box]) -> Result<(), SanitizeError> {
        let Some(children) = tree.first().and_then(|m| m.children.as_ref()) else {
            return Ok(());
        };
        let mut ranges = Vec::new();
        let mut any = false;
        for trak in children.iter().filter(|b| &b.typ == b"trak" && b.drop) {
            any = true;
            sample_ranges(data, trak, &mut ranges)?;
        }
        if any && children.iter().any(|b| &b.typ == b"mvex") {
            // Fragments would carry more samples of the removed tracks.
            return Err(SanitizeError::Unsupported {
                kind: K,
                detail: "timed metadata in a fragmented movie",
            });
        }
        self.scrub.add(ranges, self.passed, self.max_box)
    }

    /// Add an item to the pending list, charging `cost` bytes.
    pub(super) fn hold(&mut self, item: Item, cost: u64) -> Result<(), SanitizeError> {
        self.pending_cost = self
            .pending_cost
            .saturating_add(cost)
            .saturating_add(ITEM_COST);
        if self.pending_cost > self.max_box {
            return Err(SanitizeError::TooLarge {
                limit: self.max_box,
            });
        }
        self.pending_needs_media |= item.needs_media();
        self.pending.push(item);
        Ok(())
    }

    /// Read a whole box (header included) into memory, within what is left of
    /// the hold budget.
    fn read_held(&self, r: &mut dyn Read, h: &Header) -> Result<Vec<u8>, SanitizeError> {
        let too_large = || SanitizeError::TooLarge {
            limit: self.max_box,
        };
        let room = self
            .max_box
            .saturating_sub(self.pending_cost)
            .saturating_sub(ITEM_COST);
        let mut data = Vec::new();
        match h.size {
            Some(size) => {
                if size > room {
                    return Err(too_large());
                }
                let cap = usize::try_from(size).map_err(|_| too_large())?;
                data.try_reserve_exact(cap).map_err(|_| too_large())?;
                data.extend_from_slice(h.bytes());
                let body = size.checked_sub(h.len as u64).ok_or_else(too_small)?;
                Read::take(&mut *r, body)
                    .read_to_end(&mut data)
                    .map_err(read_err(K))?;
                if (data.len() as u64) < size {
                    return Err(malformed(K, "truncated box"));
                }
            }
            None => {
                data.extend_from_slice(h.bytes());
                // One byte past the room, so that "exactly at the limit" passes.
                let want = room.saturating_add(1).saturating_sub(h.len as u64);
                Read::take(&mut *r, want)
                    .read_to_end(&mut data)
                    .map_err(read_err(K))?;
                if data.len() as u64 > room {
                    return Err(too_large());
                }
            }
        }
        Ok(data)
    }

    /// Write out everything pending: decide every removal (so the shift at
    /// `commit.at` is known), map the offsets held, then write in order.
    pub(super) fn flush(&mut self, w: &mut dyn Write, commit: Commit) -> Result<(), SanitizeError> {
        if self.pending.is_empty() {
            return Ok(());
        }
        let mut items = std::mem::take(&mut self.pending);
        self.pending_cost = 0;
        self.pending_needs_media = false;
        self.holding_media = false;

        let mut moof_at: Option<u64> = None;
        for item in &mut items {
            match item {
                Item::Held { start, data, tree } => {
                    for b in tree.iter_mut() {
                        self.plan(*start, data, b, moof_at)?;
                        if &b.typ == b"moof" && moof_at.is_none() {
                            moof_at = Some(*start);
                        }
                    }
                }
                Item::Remove {
                    start,
                    total,
                    blank,
                    ..
                } => {
                    *blank = self.remove(*start, *total, moof_at)?;
                }
                Item::Zeros { .. } => {}
            }
        }

        let deferred_before = self.deferred.len();
        let mut map = Mapper {
            gaps: &self.gaps,
            dropped: self.dropped,
            commit,
            deferred: &mut self.deferred,
        };
        for item in &mut items {
            if let Item::Held { data, tree, .. } = item {
                for b in tree.iter() {
                    patch_tree(data, b, &mut map, &mut self.found)?;
                }
            }
        }
        if self.deferred.len() != deferred_before {
            self.deferred.sort_unstable();
            self.deferred.dedup();
        }

        // In file order, every byte passes the scrub: metadata samples in a
        // held media box are blanked, and none may sit anywhere else.
        let mut at = self.passed;
        for item in &mut items {
            let len = match item {
                Item::Held { start, data, tree } => {
                    if *start != at {
                        return Err(malformed(K, "internal"));
                    }
                    let media = tree.first().filter(|b| &b.typ == b"mdat").map(|b| b.header);
                    match media.and_then(|h| Some((h, data.get_mut(h..)?))) {
                        Some((h, body)) => {
                            self.scrub.pass(at, h as u64, None)?;
                            self.scrub
                                .pass(add(at, h as u64)?, body.len() as u64, Some(body))?;
                        }
                        None => self.scrub.pass(at, data.len() as u64, None)?,
                    }
                    data.len() as u64
                }
                Item::Zeros { header, body } => add(header.len as u64, *body)?,
                Item::Remove { total, .. } => *total,
            };
            if !matches!(item, Item::Held { .. }) {
                self.scrub.pass(at, len, None)?;
            }
            at = add(at, len)?;
        }
        self.passed = at;

        for item in &items {
            match item {
                Item::Held { data, tree, .. } => {
                    for b in tree {
                        write_box(w, data, b, &mut self.found)?;
                    }
                }
                Item::Zeros { header, body } => {
                    w.write_all(header.bytes())?;
                    write_zeros(w, *body)?;
                }
                Item::Remove {
                    header,
                    total,
                    blank: true,
                    ..
                } => {
                    w.write_all(header.renamed(b"free").bytes())?;
                    let body = total.checked_sub(header.len as u64).ok_or_else(too_small)?;
                    write_zeros(w, body)?;
                }
                Item::Remove { blank: false, .. } => {}
            }
        }
        Ok(())
    }

    /// Decide the removals inside a held box (`base` is its input position).
    fn plan(
        &mut self,
        base: u64,
        data: &[u8],
        b: &mut Mp4Box,
        moof_at: Option<u64>,
    ) -> Result<(), SanitizeError> {
        if b.drop {
            let start = add(base, b.start as u64)?;
            b.blank = self.remove(start, (b.end - b.start) as u64, moof_at)?;
            classify_box(
                &b.typ,
                data.get(b.start..b.end).unwrap_or(&[]),
                &mut self.found,
            );
            return Ok(());
        }
        if let Some(children) = &mut b.children {
            for c in children {
                self.plan(base, data, c, moof_at)?;
            }
        }
        Ok(())
    }

    /// Record that input bytes `start..start + len` leave the output. Returns
    /// true when they must be blanked instead of dropped, because something
    /// measures a distance across them: an offset already written that points
    /// past them, a pending `moof` before them, or a `sidx` before them.
    fn remove(
        &mut self,
        start: u64,
        len: u64,
        moof_at: Option<u64>,
    ) -> Result<bool, SanitizeError> {
        let end = add(start, len)?;
        let i = self.deferred.partition_point(|x| *x < start);
        if self.deferred.get(i).is_some_and(|x| *x < end) {
            return Err(into_metadata());
        }
        let blank = i < self.deferred.len()
            || self.sidx_at.is_some_and(|s| s < start)
            || moof_at.is_some_and(|m| m < start);
        if self.gaps.last().is_some_and(|g| g.end > start) {
            return Err(malformed(K, "overlapping boxes"));
        }
        if self.gaps.len() >= MAX_REMOVED {
            return Err(malformed(K, "too many metadata boxes"));
        }
        if !blank {
            self.dropped = add(self.dropped, len)?;
        }
        self.gaps.push(Gap {
            start,
            end,
            shift_after: self.dropped,
        });
        self.found.changed = true;
        Ok(blank)
    }
}

/// Maps input offsets to output offsets at one commit point.
pub(super) struct Mapper<'a> {
    pub(super) gaps: &'a [Gap],
    pub(super) dropped: u64,
    commit: Commit,
    pub(super) deferred: &'a mut Vec<u64>,
}

impl Mapper<'_> {
    pub(super) fn map(&mut self, x: u64) -> Result<u64, SanitizeError> {
        let shift = if x < self.commit.at {
            // Before the commit point every removal is known.
            let i = self.gaps.partition_point(|g| g.start <= x);
            match i.checked_sub(1).and_then(|j| self.gaps.get(j)) {
                None => 0,
                Some(g) if x < g.end => return Err(into_metadata()),
                Some(g) => g.shift_after,
            }
        } else {
            let media_end = self.commit.media_end.ok_or_else(past_end)?;
            if x >= media_end {
                if self.deferred.len() >= MAX_DEFERRED {
                    return Err(malformed(K, "too many chunk offsets past the media box"));
                }
                self.deferred.push(x);
            }
            self.dropped
        };
        x.checked_sub(shift)
            .ok_or_else(|| malformed(K, "chunk offset before start of file"))
    }
}
