//! MP4 / QuickTime / M4A metadata stripping, streamed box by box.
//!
//! Removes `udta` (©xyz location, ©day, ©too, ©mak, iTunes tags), `meta`
//! (QuickTime mdta keys: location, make, model, software, creation date) and
//! `uuid` (XMP and vendor blobs) at top level, in `moov` and in `trak`; drops
//! `mfra` (an optional index of absolute offsets); zeroes creation/modification
//! times in mvhd/tkhd/mdhd and the contents of free/skip/wide boxes (which can
//! hold stale data).
//!
//! # Streaming
//! Top-level boxes are read in order. `mdat` (32-bit, 64-bit `largesize`, or a
//! final size-0 box running to the end of the file) is copied through in
//! 64 KiB chunks; top-level free/skip/wide bodies are read and replaced by
//! zeros without being held. Every other top-level box is held whole; the
//! boxes held at once (plus their parsed trees) are bounded by
//! [`Limits::mp4_max_box`](super::Limits::mp4_max_box), above which the file
//! is TooLarge. Nothing else grows with the file except two bounded tables: removed
//! ranges and chunk offsets that point past the next `mdat` (see below).
//!
//! # Offsets
//! `stco`/`co64` chunk offsets and `tfhd` base offsets are absolute positions
//! in the file. Every removed range is recorded together with the total shift
//! after it. A box holding offsets (moov, moof) is held until the next `mdat`
//! header (or the end of the file), by which point every removal before that
//! `mdat` is known; then each offset is mapped: one before the `mdat` through the
//! recorded ranges (moov after its media, as phones write it), one inside it
//! by the current shift (faststart, fragments), one past it by the current
//! shift too, after which no later removal may move it: a metadata box that
//! would move such an offset is instead blanked, i.e. kept as a zero-filled
//! `free` box of the same size. Blanking is also used for metadata between a
//! `moof` and its `mdat` (trun offsets are relative to the moof) and after a
//! top-level `sidx` (its ranges are byte counts). An offset that points into
//! removed metadata or past the end of the file is Malformed.
//!
//! Not handled: timed-metadata tracks (e.g. GoPro GPMF GPS); files with such
//! tracks keep them. Must never write a box it could not parse, or panic.

use std::io::{self, BufReader, BufWriter, Read, Write};

use super::{
    Found, Kind, Outcome, Removed, SanitizeError, classify_xmp, find, malformed, read_err,
    read_up_to,
};

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

/// Stream-strip an MP4 from `input` to `output`, holding at most `max_box`
/// bytes of non-media boxes in memory at once.
pub(super) fn strip(
    input: &mut dyn Read,
    output: &mut dyn Write,
    max_box: u64,
) -> Result<Outcome, SanitizeError> {
    let mut r = BufReader::with_capacity(IO_CHUNK, input);
    let mut w = BufWriter::with_capacity(IO_CHUNK, output);
    let mut s = Stripper::new(max_box);
    s.run(&mut r, &mut w)?;
    w.flush()?;
    Ok(s.found.outcome())
}

// ---------------------------------------------------------------------------

const K: Kind = Kind::Mp4;
const MAX_DEPTH: usize = 16;
/// Most boxes parsed inside one held top-level box.
const MAX_BOXES: usize = 100_000;
/// Most removed or blanked ranges remembered for remapping offsets.
const MAX_REMOVED: usize = 100_000;
/// Most chunk offsets pointing past the `mdat` they were committed at.
const MAX_DEFERRED: usize = 1 << 20;
/// Chunk size for copying media and the reader/writer buffers.
const IO_CHUNK: usize = 64 * 1024;
/// Memory charged against the hold budget for each pending item, so that a
/// flood of tiny boxes cannot grow the pending list without bound.
const ITEM_COST: u64 = std::mem::size_of::<Item>() as u64;
/// Zeros for writing blanked and free bodies.
const ZEROS: [u8; 4096] = [0; 4096];

#[derive(Clone, Copy, PartialEq, Eq)]
enum Parent {
    Top,
    Moov,
    Trak,
    Other,
}

/// A box inside a held buffer; positions are relative to that buffer.
struct Mp4Box {
    typ: [u8; 4],
    start: usize,
    header: usize,
    end: usize,
    /// Original size field was 0 ("extends to end of file").
    to_end: bool,
    large: bool,
    /// Metadata: removed from the output.
    drop: bool,
    /// Set at planning for a dropped box that must keep its bytes' place:
    /// written as a zero-filled `free` box of the same size.
    blank: bool,
    children: Option<Vec<Mp4Box>>,
}

/// A top-level box header as read from the input.
#[derive(Clone, Copy)]
struct Header {
    typ: [u8; 4],
    /// The header bytes: 8, or 16 with a 64-bit `largesize`.
    raw: [u8; 16],
    len: usize,
    /// Whole box size, or `None` for size 0 ("to end of file").
    size: Option<u64>,
}

impl Header {
    fn bytes(&self) -> &[u8] {
        self.raw.get(..self.len).unwrap_or(&self.raw)
    }

    /// The same header with another type (sizes unchanged).
    fn renamed(mut self, typ: &[u8; 4]) -> Self {
        if let Some(t) = self.raw.get_mut(4..8) {
            t.copy_from_slice(typ);
        }
        self.typ = *typ;
        self
    }
}

/// A top-level box read but not yet written.
enum Item {
    /// A kept box held whole; patched and written at flush.
    Held {
        start: u64,
        data: Vec<u8>,
        tree: Vec<Mp4Box>,
    },
    /// A box written as its header followed by `body` zero bytes.
    Zeros { header: Header, body: u64 },
    /// A top-level metadata box, already read and classified; dropped, or
    /// blanked when `blank` is set at planning.
    Remove {
        start: u64,
        header: Header,
        total: u64,
        blank: bool,
    },
}

impl Item {
    /// Holds offsets that can only be mapped once the next `mdat` is known.
    fn needs_media(&self) -> bool {
        match self {
            Item::Held { tree, .. } => tree.iter().any(|b| &b.typ == b"moof" || holds_offsets(b)),
            _ => false,
        }
    }
}

/// A range of the input that is not in the output (or is blanked).
struct Gap {
    start: u64,
    end: u64,
    /// Bytes dropped from the output up to `end` (blanked bytes do not count).
    shift_after: u64,
}

/// Where pending offsets are being resolved: the next `mdat` starts at `at`
/// and ends at `media_end`; `None` means `at` is the end of the file.
#[derive(Clone, Copy)]
struct Commit {
    at: u64,
    media_end: Option<u64>,
}

struct Stripper {
    max_box: u64,
    found: Found,
    /// Input position of the next unread byte.
    pos: u64,
    pending: Vec<Item>,
    /// Memory held by `pending`, charged against `max_box`.
    pending_cost: u64,
    /// Some pending item needs the next `mdat` before it can be written.
    pending_needs_media: bool,
    /// Removed and blanked ranges, in file order.
    gaps: Vec<Gap>,
    /// Bytes dropped so far.
    dropped: u64,
    /// Sorted offsets, already written, that point past the `mdat` they
    /// were committed at; nothing may be dropped before them any more.
    deferred: Vec<u64>,
    /// Position of the first top-level `sidx`.
    sidx_at: Option<u64>,
    seen_moov: bool,
    /// Buffer for copying media, allocated once.
    buf: Vec<u8>,
}

impl Stripper {
    fn new(max_box: u64) -> Self {
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
            buf: vec![0; IO_CHUNK],
        }
    }

    fn run(&mut self, r: &mut dyn Read, w: &mut dyn Write) -> Result<(), SanitizeError> {
        while let Some(h) = read_header(r)? {
            let start = self.pos;
            let body = match h.size {
                Some(s) => Some(s.checked_sub(h.len as u64).ok_or_else(too_small)?),
                None => None,
            };
            match &h.typ {
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
                    w.write_all(h.bytes())?;
                    let n = pump(r, &mut self.buf, body, &mut |chunk| w.write_all(chunk))?;
                    self.pos = add(add(start, h.len as u64)?, n)?;
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
            if !self.pending_needs_media {
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
        Ok(())
    }

    /// Add an item to the pending list, charging `cost` bytes.
    fn hold(&mut self, item: Item, cost: u64) -> Result<(), SanitizeError> {
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
    fn flush(&mut self, w: &mut dyn Write, commit: Commit) -> Result<(), SanitizeError> {
        if self.pending.is_empty() {
            return Ok(());
        }
        let mut items = std::mem::take(&mut self.pending);
        self.pending_cost = 0;
        self.pending_needs_media = false;

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
struct Mapper<'a> {
    gaps: &'a [Gap],
    dropped: u64,
    commit: Commit,
    deferred: &'a mut Vec<u64>,
}

impl Mapper<'_> {
    fn map(&mut self, x: u64) -> Result<u64, SanitizeError> {
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

fn too_small() -> SanitizeError {
    malformed(K, "box smaller than its header")
}

fn past_end() -> SanitizeError {
    malformed(K, "chunk offset past end of file (truncated?)")
}

fn into_metadata() -> SanitizeError {
    malformed(K, "chunk offset points into removed metadata")
}

fn add(a: u64, b: u64) -> Result<u64, SanitizeError> {
    a.checked_add(b)
        .ok_or_else(|| malformed(K, "box extends past 2^64 bytes"))
}
/// Read the next top-level box header; `None` at a clean end of file.
fn read_header(r: &mut dyn Read) -> Result<Option<Header>, SanitizeError> {
    let mut raw = [0u8; 16];
    let got = read_up_to(r, raw.get_mut(..8).unwrap_or(&mut []), K)?;
    if got == 0 {
        return Ok(None);
    }
    if got < 8 {
        return Err(malformed(K, "trailing bytes after last box"));
    }
    let bad = || malformed(K, "truncated box");
    let size32 = be32(&raw, 0).ok_or_else(bad)?;
    let typ: [u8; 4] = raw
        .get(4..8)
        .and_then(|t| t.try_into().ok())
        .ok_or_else(bad)?;
    let (len, size) = match size32 {
        0 => (8, None),
        1 => {
            if read_up_to(r, raw.get_mut(8..16).unwrap_or(&mut []), K)? < 8 {
                return Err(bad());
            }
            let s = be64(&raw, 8).ok_or_else(bad)?;
            if s < 16 {
                return Err(too_small());
            }
            (16, Some(s))
        }
        s if s < 8 => return Err(too_small()),
        s => (8, Some(u64::from(s))),
    };
    Ok(Some(Header {
        typ,
        raw,
        len,
        size,
    }))
}

/// Read `len` bytes (or to end of file when `None`) in chunks of at most
/// `buf.len()`, handing each to `sink`. Returns the number of bytes read.
fn pump(
    r: &mut dyn Read,
    buf: &mut [u8],
    len: Option<u64>,
    sink: &mut dyn FnMut(&[u8]) -> io::Result<()>,
) -> Result<u64, SanitizeError> {
    let size = buf.len();
    let mut done: u64 = 0;
    loop {
        let want = match len {
            Some(l) => {
                let left = l.saturating_sub(done);
                if left == 0 {
                    break;
                }
                usize::try_from(left).map_or(size, |x| x.min(size))
            }
            None => size,
        };
        let chunk = buf.get_mut(..want).unwrap_or(&mut []);
        let n = match r.read(chunk) {
            Ok(n) => n.min(want),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(read_err(K)(e)),
        };
        if n == 0 {
            if len.is_some() {
                return Err(malformed(K, "truncated media data"));
            }
            break;
        }
        sink(chunk.get(..n).unwrap_or(&[]))?;
        done = add(done, n as u64)?;
    }
    Ok(done)
}

fn write_zeros(w: &mut dyn Write, mut n: u64) -> io::Result<()> {
    while n > 0 {
        let k = usize::try_from(n).map_or(ZEROS.len(), |x| x.min(ZEROS.len()));
        w.write_all(ZEROS.get(..k).unwrap_or(&[]))?;
        n -= k as u64;
    }
    Ok(())
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

/// Does a kept box (or a kept box inside it) hold absolute offsets?
fn holds_offsets(b: &Mp4Box) -> bool {
    if b.drop {
        return false;
    }
    match &b.children {
        Some(children) => children.iter().any(holds_offsets),
        None => matches!(&b.typ, b"stco" | b"co64" | b"tfhd"),
    }
}

/// Parse the boxes in `d[pos..end]`; `count` totals boxes across calls.
fn parse_children(
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
        boxes.push(Mp4Box {
            typ,
            start: pos,
            header,
            end: box_end,
            to_end,
            large,
            drop,
            blank: false,
            children,
        });
        pos = box_end;
    }
    Ok(boxes)
}

/// Report what a removed box held.
fn classify_box(typ: &[u8; 4], body: &[u8], found: &mut Found) {
    if typ == b"mfra" {
        found.add(Removed::Other);
        return;
    }
    if typ == b"uuid" && find(body, b"xmpmeta").is_some() {
        classify_xmp(body, found);
        return;
    }
    let checks: [(&[u8], Removed); 13] = [
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
fn patch_tree(
    d: &mut [u8],
    b: &Mp4Box,
    map: &mut Mapper<'_>,
    found: &mut Found,
) -> Result<(), SanitizeError> {
    if b.drop {
        return Ok(());
    }
    match &b.children {
        Some(children) => {
            for c in children {
                patch_tree(d, c, map, found)?;
            }
        }
        None => {
            let body = d
                .get_mut(b.start + b.header..b.end)
                .ok_or_else(|| malformed(K, "internal"))?;
            patch_leaf(&b.typ, body, map, found)?;
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
fn write_box(
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
    use super::super::{Limits, strip as strip_any};
    use super::*;
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
                0xDE, 0xAD, 0xBE, 0xEF, 0xDE, 0xAD, 0xBE, 0xEF, 0, 0, 0x03, 0xE8, 0, 0, 0, 0, 0, 0,
                0, 0,
            ],
        );
        let mdia = bx(b"mdia", &[mdhd, minf].concat());
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

    #[test]
    fn chunked_fragmented() {
        let input = fragmented();
        let want = vec![b"FRAG-ONE".to_vec(), b"FRAG-TWO".to_vec()];
        assert_eq!(fragment_samples(&input), want);
        let (res, out) = run_trickle(&input, &Limits::default());
        assert!(matches!(res.unwrap(), Outcome::Cleaned { .. }));
        assert_clean(&out, "fragmented");
        assert_eq!(fragment_samples(&out), want);
        // The udta before the first moof is dropped, so tfhd moved.
        assert!(out.len() < input.len());
        let (res2, out2) = run_trickle(&out, &Limits::default());
        assert_eq!(res2.unwrap(), Outcome::KeptOriginal);
        assert_eq!(out2, out);
    }

    #[test]
    fn metadata_after_sidx_is_blanked() {
        let (mut input, samples) = movie(
            &[P::Ftyp, P::Moov, P::Mdat(SAMPLES, MdatHead::Small)],
            false,
        );
        let sidx = full(b"sidx", 0, 0, &[0; 24]);
        let tail = [sidx, top_udta()].concat();
        input.extend_from_slice(&tail);
        let (res, out) = run_trickle(&input, &Limits::default());
        assert!(res.is_ok());
        assert_clean(&out, "sidx");
        assert_offsets(&out, &samples, "sidx");
        // Same size, renamed and zeroed.
        let n = top_udta().len();
        let mut blank = (n as u32).to_be_bytes().to_vec();
        blank.extend_from_slice(b"free");
        blank.resize(n, 0);
        assert!(out.ends_with(&blank));
    }

    #[test]
    fn offset_into_metadata_is_malformed() {
        let (mut input, _) = movie(
            &[
                P::Ftyp,
                P::Moov,
                P::Raw(top_udta()),
                P::Mdat(SAMPLES, MdatHead::Small),
            ],
            false,
        );
        // Point the first chunk at the udta's body.
        let udta_at = find(&input, b"udta").unwrap() as u32;
        let stco = find(&input, b"stco").unwrap();
        input[stco + 12..stco + 16].copy_from_slice(&udta_at.to_be_bytes());
        let (res, _) = run_trickle(&input, &Limits::default());
        assert!(
            matches!(res, Err(SanitizeError::Malformed { .. })),
            "{res:?}"
        );
    }

    #[test]
    fn late_offset_into_metadata_is_malformed() {
        // Moov first; its last chunk points into metadata after the first
        // mdat, which is only read after the moov has been written.
        let (mut input, _) = movie(
            &[
                P::Ftyp,
                P::Moov,
                P::Mdat(SAMPLES, MdatHead::Small),
                P::Raw(top_udta()),
                P::Mdat(MORE, MdatHead::Small),
            ],
            false,
        );
        let udta_at = find(&input, b"CANARY-TOP").unwrap() as u32;
        let stco = find(&input, b"stco").unwrap();
        let last = stco + 12 + 4 * (SAMPLES.len() + MORE.len() - 1);
        input[last..last + 4].copy_from_slice(&udta_at.to_be_bytes());
        let (res, _) = run_trickle(&input, &Limits::default());
        assert!(
            matches!(res, Err(SanitizeError::Malformed { .. })),
            "{res:?}"
        );
    }

    #[test]
    fn offset_past_end_is_malformed() {
        let (input, _) = movie(
            &[
                P::Ftyp,
                P::Moov,
                P::Mdat(SAMPLES, MdatHead::Small),
                P::Mdat(MORE, MdatHead::Small),
            ],
            false,
        );
        // Cut inside the second mdat's body: its offsets were deferred.
        let cut = input.len() - 12;
        let (res, _) = run_trickle(&input[..cut], &Limits::default());
        assert!(
            matches!(res, Err(SanitizeError::Malformed { .. })),
            "{res:?}"
        );
    }

    #[test]
    fn held_box_limit_is_enforced_but_media_is_not() {
        let input = fixture(true, false);
        let moov_len = u64::from(be32(&input, find(&input, b"moov").unwrap() - 4).unwrap());
        let limits = Limits {
            mp4_max_box: moov_len,
            ..Limits::default()
        };
        let (res, _) = run_trickle(&input, &limits);
        assert!(
            matches!(res, Err(SanitizeError::TooLarge { limit }) if limit == moov_len),
            "{res:?}"
        );
        // Room for the moov and its parsed tree is enough, although the mdat
        // alone is far larger than the limit.
        let limits = Limits {
            mp4_max_box: 4 * moov_len,
            ..Limits::default()
        };
        let (input, samples) = movie(
            &[P::Ftyp, P::Moov, P::Mdat(&[&[b'x'; 8]], MdatHead::Small)],
            false,
        );
        let mut big = input.clone();
        // Grow the mdat well past the limit.
        let extra = vec![0x55; 16 * moov_len as usize];
        let mdat_at = find(&big, b"mdat").unwrap() - 4;
        let size = be32(&big, mdat_at).unwrap() + extra.len() as u32;
        big[mdat_at..mdat_at + 4].copy_from_slice(&size.to_be_bytes());
        big.extend_from_slice(&extra);
        let (res, out) = run_trickle(&big, &limits);
        assert!(res.is_ok(), "{res:?}");
        assert_offsets(&out, &samples, "big mdat");
    }

    #[test]
    fn many_small_boxes_are_bounded() {
        // 20,000 empty free boxes between a moov and its mdat: all pending,
        // charged against the hold budget.
        let frees = [8u32.to_be_bytes().as_slice(), b"free"]
            .concat()
            .repeat(20_000);
        let parts = [
            P::Ftyp,
            P::Moov,
            P::Raw(frees),
            P::Mdat(SAMPLES, MdatHead::Small),
        ];
        let (input, samples) = movie(&parts, false);
        let small = Limits {
            mp4_max_box: 64 * 1024,
            ..Limits::default()
        };
        let (res, _) = run(Kind::Mp4, &input);
        assert!(res.is_ok());
        let mut out = Vec::new();
        let res = strip_any(Kind::Mp4, &mut &input[..], &mut out, &small);
        assert!(
            matches!(res, Err(SanitizeError::TooLarge { .. })),
            "{res:?}"
        );
        // Without a pending moov they are written as they come.
        let frees = [8u32.to_be_bytes().as_slice(), b"free"]
            .concat()
            .repeat(20_000);
        let parts = [
            P::Ftyp,
            P::Raw(frees),
            P::Mdat(SAMPLES, MdatHead::Small),
            P::Moov,
        ];
        let (input, samples2) = movie(&parts, false);
        let mut out = Vec::new();
        let res = strip_any(Kind::Mp4, &mut &input[..], &mut out, &small);
        assert!(res.is_ok(), "{res:?}");
        assert_offsets(&out, &samples2, "many frees");
        assert_eq!(samples, samples2);
    }

    #[test]
    fn truncated_mp4_is_error() {
        for input in [fixture(true, false), fixture(true, true)] {
            for cut in 0..input.len() {
                let (res, _) = run(Kind::Mp4, &input[..cut]);
                assert!(res.is_err(), "cut {cut}");
            }
        }
        // Where the moov comes first, or fragments, a cut between top-level
        // boxes can leave a valid shorter file; any other cut is an error.
        for input in [fixture(false, false), fragmented()] {
            let bounds: Vec<usize> = parse_all(&input).unwrap().iter().map(|b| b.end).collect();
            for cut in (0..input.len()).filter(|c| !bounds.contains(c)) {
                let (res, _) = run(Kind::Mp4, &input[..cut]);
                assert!(res.is_err(), "cut {cut}");
            }
        }
    }

    #[test]
    fn detects_movies_not_heif() {
        assert!(looks_like_mp4(&fixture(true, false)));
        assert!(!looks_like_mp4(b"\0\0\0\x18ftypmif1\0\0\0\0mif1heic"));
        assert!(!looks_like_mp4(b"\0\0\0\x18ftypisom\0\0\0\0avifmif1"));
    }

    /// Every absolute position the file points at: stco/co64 entries, and
    /// for each fragment base offset plus trun data offset (explicit base or
    /// default-base-is-moof).
    fn media_refs(d: &[u8]) -> Vec<u64> {
        fn walk(d: &[u8], bs: &[Mp4Box], moof: usize, refs: &mut Vec<u64>) {
            for b in bs {
                let body = &d[b.start + b.header..b.end];
                match &b.typ {
                    b"stco" => {
                        let n = be32(body, 4).unwrap() as usize;
                        refs.extend((0..n).map(|i| u64::from(be32(body, 8 + 4 * i).unwrap())));
                    }
                    b"co64" => {
                        let n = be32(body, 4).unwrap() as usize;
                        refs.extend((0..n).map(|i| be64(body, 8 + 8 * i).unwrap()));
                    }
                    b"traf" => {
                        let kids = b.children.as_ref().unwrap();
                        let tfhd = kids.iter().find(|k| &k.typ == b"tfhd").unwrap();
                        let tb = &d[tfhd.start + 8..tfhd.end];
                        let flags = be32(tb, 0).unwrap() & 0x00FF_FFFF;
                        let base = if flags & 1 != 0 {
                            be64(tb, 8).unwrap()
                        } else {
                            assert!(flags & 0x02_0000 != 0, "implicit base not supported here");
                            moof as u64
                        };
                        for trun in kids.iter().filter(|k| &k.typ == b"trun") {
                            let rb = &d[trun.start + 8..trun.end];
                            if be32(rb, 0).unwrap() & 1 != 0 {
                                let rel = i64::from(be32(rb, 8).unwrap() as i32);
                                refs.push((base as i64 + rel) as u64);
                            }
                        }
                    }
                    _ => {}
                }
                if let Some(c) = &b.children {
                    let m = if &b.typ == b"moof" { b.start } else { moof };
                    walk(d, c, m, refs);
                }
            }
        }
        let mut refs = Vec::new();
        walk(d, &parse_all(d).unwrap(), 0, &mut refs);
        refs
    }

    /// Files written by FFmpeg 5.1 (`testsrc`, 1 s, 32x24, libx264, with
    /// `-metadata location=+48.8577+002.2950/`): `-movflags +faststart` with
    /// an AAC track; the default .mov layout (moov after mdat, ©xyz); and
    /// `-movflags frag_keyframe+empty_moov` (explicit tfhd base offsets).
    const REAL: &[(&str, &[u8])] = &[
        ("faststart", include_bytes!("testdata/ffmpeg-faststart.mp4")),
        ("moov-last", include_bytes!("testdata/ffmpeg-moov-last.mov")),
        (
            "fragmented",
            include_bytes!("testdata/ffmpeg-fragmented.mp4"),
        ),
    ];

    #[test]
    fn real_files_keep_their_media() {
        for (name, input) in REAL {
            assert_eq!(super::super::detect(input), Kind::Mp4, "{name}");
            let (res, out) = run_trickle(input, &Limits::default());
            let Outcome::Cleaned { removed } = res.unwrap() else {
                panic!("{name}")
            };
            assert!(removed.contains(&Removed::Location), "{name}");
            assert_clean(&out, name);
            assert!(!contains(&out, b"loci"), "{name}");
            assert!(out.len() < input.len(), "{name}");
            // Every reference reads the same bytes as before.
            let (before, after) = (media_refs(input), media_refs(&out));
            assert!(!before.is_empty(), "{name}");
            assert_eq!(before.len(), after.len(), "{name}");
            for (b, a) in before.iter().zip(&after) {
                let (b, a) = (*b as usize, *a as usize);
                let n = 16.min(input.len() - b);
                assert_eq!(input[b..b + n], out[a..a + n], "{name}: {b} -> {a}");
            }
            let (res2, out2) = run_trickle(&out, &Limits::default());
            assert_eq!(res2.unwrap(), Outcome::KeptOriginal, "{name}");
            assert_eq!(out2, out, "{name}");
        }
    }

    /// A 200 MB faststart movie generated on the fly: head bytes, then the
    /// mdat body as filler. Records the largest read it was asked for.
    struct Synthetic {
        head: Vec<u8>,
        filler_left: u64,
        max_request: usize,
    }

    impl Read for Synthetic {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            self.max_request = self.max_request.max(buf.len());
            if !self.head.is_empty() {
                let n = buf.len().min(self.head.len());
                buf[..n].copy_from_slice(&self.head[..n]);
                self.head.drain(..n);
                return Ok(n);
            }
            let n = buf.len().min(self.filler_left as usize);
            buf[..n].fill(0xA5);
            self.filler_left -= n as u64;
            Ok(n)
        }
    }

    /// Counts bytes and keeps the first 64 KiB.
    #[derive(Default)]
    struct Counting {
        total: u64,
        prefix: Vec<u8>,
    }

    impl Write for Counting {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            let keep = (64 * 1024 - self.prefix.len()).min(buf.len());
            self.prefix.extend_from_slice(&buf[..keep]);
            self.total += buf.len() as u64;
            Ok(buf.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn streams_200_mb_mdat_with_bounded_reads() {
        const FILLER: u64 = 200 * 1024 * 1024;
        let (small, samples) = movie(
            &[
                P::Ftyp,
                P::Moov,
                P::Raw(top_udta()),
                P::Mdat(SAMPLES, MdatHead::Small),
            ],
            false,
        );
        // Enlarge the mdat's declared size; the filler follows the samples.
        let mdat_at = find(&small, b"mdat").unwrap() - 4;
        let size = u64::from(be32(&small, mdat_at).unwrap()) + FILLER;
        let mut head = small.clone();
        head[mdat_at..mdat_at + 4].copy_from_slice(&(size as u32).to_be_bytes());
        let mut reader = Synthetic {
            head,
            filler_left: FILLER,
            max_request: 0,
        };
        let mut out = Counting::default();
        let limits = Limits {
            mp4_max_box: 1 << 20,
            ..Limits::default()
        };
        let res = strip_any(Kind::Mp4, &mut reader, &mut out, &limits);
        assert!(matches!(res, Ok(Outcome::Cleaned { .. })), "{res:?}");
        let removed = top_udta().len() as u64;
        let (_, mut small_out) = run(Kind::Mp4, &small);
        let shrink = small.len() - small_out.len();
        assert!(shrink as u64 > removed);
        assert_eq!(out.total, small.len() as u64 + FILLER - shrink as u64);
        assert_offsets(&small_out, &samples, "synthetic head");
        // Same bytes as the small file gives, but for the mdat size.
        let out_mdat_at = find(&small_out, b"mdat").unwrap() - 4;
        small_out[out_mdat_at..out_mdat_at + 4].copy_from_slice(&(size as u32).to_be_bytes());
        assert_eq!(out.prefix[..small_out.len()], small_out[..]);
        assert!(out.prefix[small_out.len()..].iter().all(|b| *b == 0xA5));
        assert!(
            reader.max_request <= 1 << 20,
            "asked for {}",
            reader.max_request
        );
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

        #[test]
        fn mutated_layouts_never_panic(
            which in 0usize..6,
            edits in proptest::collection::vec((any::<usize>(), any::<u8>()), 1..6),
            cut in proptest::option::of(any::<usize>()),
            max_box in 64u64..4096,
        ) {
            let mut data = match which {
                0 => fixture(true, false),
                1 => fixture(false, true),
                2 => fragmented(),
                3 => movie(&[P::Ftyp, P::Moov, P::Raw(top_udta()), P::Mdat(SAMPLES, MdatHead::Large)], true).0,
                4 => movie(&[P::Ftyp, P::Moov, P::Mdat(SAMPLES, MdatHead::Small), P::Raw(xmp()), P::Mdat(MORE, MdatHead::ToEnd)], false).0,
                _ => movie(&[P::Ftyp, P::Mdat(SAMPLES, MdatHead::Small), P::Raw(xmp()), P::Mdat(MORE, MdatHead::Small), P::Moov], false).0,
            };
            for (pos, byte) in edits {
                let i = pos % data.len();
                data[i] = byte;
            }
            if let Some(c) = cut {
                data.truncate(c % (data.len() + 1));
            }
            let limits = Limits { mp4_max_box: max_box, ..Limits::default() };
            let (res, out) = run_trickle(&data, &limits);
            if res.is_ok() {
                // Whatever was accepted has consistent box sizes. (A mutated
                // box type can hide metadata from the stripper, so the
                // canaries are not checked here.)
                prop_assert!(parse_all(&out).is_ok());
            }
        }
    }
}
