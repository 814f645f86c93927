//! Byte ranges of the file: the kept image data and the metadata items,
//! and the filter that blanks metadata bytes as the file streams past.

use super::{ItemKind, MetaItem};

/// A range of a metadata item's data: `[start, end)` in file (or `idat`)
/// coordinates, holding the item's bytes from `logical` on.
#[derive(Clone, Copy, Debug)]
pub(super) struct Span {
    pub(super) start: u64,
    pub(super) end: u64,
    pub(super) item: usize,
    pub(super) logical: u64,
}

/// Byte ranges in one coordinate space (the file, or the `idat` body).
#[derive(Default)]
pub(super) struct Ranges {
    /// Image data, sorted and merged.
    pub(super) keep: Vec<(u64, u64)>,
    /// Metadata item data, sorted by start.
    pub(super) meta: Vec<Span>,
    /// The same ranges, merged, to look up overlaps.
    meta_merged: Vec<(u64, u64)>,
    /// `meta_reach[i]`: the highest end of `meta[..=i]`.
    meta_reach: Vec<u64>,
}

impl Ranges {
    pub(super) fn finish(&mut self) {
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

    pub(super) fn kept_overlaps(&self, s: u64, e: u64) -> bool {
        let i = self.keep.partition_point(|k| k.1 <= s);
        self.keep.get(i).is_some_and(|k| k.0 < e)
    }

    pub(super) fn touches(&self, s: u64, e: u64) -> bool {
        let i = self.meta_merged.partition_point(|k| k.1 <= s);
        self.kept_overlaps(s, e) || self.meta_merged.get(i).is_some_and(|k| k.0 < e)
    }

    /// The highest byte any range needs in the input (a range running to
    /// the end of the file needs its start).
    pub(super) fn end(&self) -> u64 {
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
    pub(super) fn filter(
        &self,
        buf: &mut [u8],
        at: u64,
        items: &mut [MetaItem],
        budget: &mut usize,
    ) -> bool {
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
