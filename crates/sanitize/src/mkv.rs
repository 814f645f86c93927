//! WebM / Matroska (.webm, .mkv, .mka) metadata stripping, streamed element
//! by element, with every byte kept in its place.
//!
//! Removed: `Tags` (title, artist, encoder, creation time, location, …),
//! `Attachments` (cover art and fonts carry their own metadata), `Chapters`
//! (names written by a person), and in `Info` the `Title`, `DateUTC`, the
//! `SegmentUID`/`PrevUID`/`NextUID`/`SegmentFamily`/`ChapterTranslate`
//! identifiers that link a recording to its siblings, and the segment file
//! names; in each `TrackEntry` the `Name` (may hold a device name),
//! `CodecName`, `CodecSettings` and the links to removed elements. `MuxingApp`
//! and `WritingApp` are mandatory, so their text is overwritten with zero
//! bytes: a zero-padded string is the empty string (RFC 8794, section 7.4).
//! `Void` bodies are zeroed (they can hold stale data); `SeekHead` entries
//! that point at removed elements are removed. Unknown elements at the levels
//! rewritten here are removed too, since nothing here can tell what they hold.
//! Kept: the EBML header, track numbers and UIDs, codec data (`CodecPrivate`
//! is needed to decode), `Cues`, and the clusters of media.
//!
//! # Positions
//! `SeekHead` and `Cues` hold offsets relative to the start of the Segment's
//! data, so nothing may move. A removed element is overwritten in place by
//! an EBML `Void` element of the same total size (its size field is chosen so
//! that any total of two bytes or more fits exactly): the output has exactly
//! the input's length and every offset stays valid. A `CRC-32` element first
//! in a rewritten master is recomputed; one at the Segment's own level (it
//! would cover the whole Segment) is replaced by a `Void`.
//!
//! # Streaming and memory
//! `Cluster`s and `Cues` are copied through in 64 KiB chunks, and so are
//! removed `Attachments` and `Chapters`, read and replaced by zeros without
//! being held. `Info`, `Tracks`, `SeekHead` and `Tags` are held one at a time,
//! each up to [`Limits::mp4_max_box`](super::Limits::mp4_max_box) bytes,
//! otherwise the file is TooLarge (`Tags` larger than that are still removed,
//! streamed, and reported as "other"). Segments and Clusters of unknown size
//! (live WebM from browsers and phones) are followed by their children's
//! IDs. Nesting deeper than [`MAX_DEPTH`] is Malformed.
//!
//! No EBML crate is used: the stripper needs only EBML's variable-length
//! integers, and must write back every byte it does not change unchanged,
//! which an element-tree parser would not promise.

use std::io::{self, BufReader, BufWriter, Read, Write};

use super::{Found, Kind, Outcome, Removed, SanitizeError, malformed, png::crc32, read_err};

/// The kind `p` (the first bytes of a file) is, when it starts with an EBML
/// header: WebM or Matroska by its DocType, or `None` for another EBML
/// document type. A header too damaged to read is Matroska, so that the
/// stripper reports it Malformed rather than passing it through.
pub(super) fn detect(p: &[u8]) -> Option<Kind> {
    if !p.starts_with(&EBML_MAGIC) {
        return None;
    }
    let Ok(h) = parse_header(p, 0) else {
        return Some(Kind::Matroska);
    };
    let end = h.data_start.saturating_add(h.size.unwrap_or(0) as usize);
    let body = p.get(h.data_start..end.min(p.len())).unwrap_or(&[]);
    match doc_type(body) {
        Some(DocType::Webm) => Some(Kind::Webm),
        Some(DocType::Matroska) | None => Some(Kind::Matroska),
        Some(DocType::Other) => None,
    }
}

/// Stream-strip a Matroska or WebM file from `input` to `output`, holding at
/// most `max_held` bytes of one metadata element in memory at once.
pub(super) fn strip(
    kind: Kind,
    input: &mut dyn Read,
    output: &mut dyn Write,
    max_held: u64,
) -> Result<Outcome, SanitizeError> {
    let mut s = Stripper {
        kind,
        max_held,
        r: BufReader::with_capacity(IO_CHUNK, input),
        w: BufWriter::with_capacity(IO_CHUNK, output),
        found: Found::default(),
    };
    s.run()?;
    s.w.flush()?;
    Ok(s.found.outcome())
}

// ---------------------------------------------------------------------------

/// Deepest nesting of masters followed inside a held element.
pub(super) const MAX_DEPTH: usize = 16;
/// Most elements parsed inside one held element.
const MAX_ELEMENTS: usize = 100_000;
/// Chunk size for copying media and the reader/writer buffers.
const IO_CHUNK: usize = 64 * 1024;
const EBML_MAGIC: [u8; 4] = [0x1A, 0x45, 0xDF, 0xA3];

/// Element IDs (with their length marker bits, as written).
mod id {
    pub const EBML: u32 = 0x1A45_DFA3;
    pub const DOC_TYPE: u32 = 0x4282;
    pub const VOID: u32 = 0xEC;
    pub const CRC32: u32 = 0xBF;
    pub const SEGMENT: u32 = 0x1853_8067;
    pub const SEEK_HEAD: u32 = 0x114D_9B74;
    pub const SEEK: u32 = 0x4DBB;
    pub const SEEK_ID: u32 = 0x53AB;
    pub const INFO: u32 = 0x1549_A966;
    pub const TRACKS: u32 = 0x1654_AE6B;
    pub const TRACK_ENTRY: u32 = 0xAE;
    pub const CLUSTER: u32 = 0x1F43_B675;
    pub const CUES: u32 = 0x1C53_BB6B;
    pub const CHAPTERS: u32 = 0x1043_A770;
    pub const TAGS: u32 = 0x1254_C367;
    pub const TAG: u32 = 0x7373;
    pub const SIMPLE_TAG: u32 = 0x67C8;
    pub const TAG_NAME: u32 = 0x45A3;
    // Info.
    pub const TIMESTAMP_SCALE: u32 = 0x2A_D7B1;
    pub const DURATION: u32 = 0x4489;
    pub const MUXING_APP: u32 = 0x4D80;
    pub const WRITING_APP: u32 = 0x5741;
    pub const TITLE: u32 = 0x7BA9;
    pub const DATE_UTC: u32 = 0x4461;
    pub const SEGMENT_UID: u32 = 0x73A4;
    pub const PREV_UID: u32 = 0x3C_B923;
    pub const NEXT_UID: u32 = 0x3E_B923;
    pub const SEGMENT_FAMILY: u32 = 0x4444;
    pub const CHAPTER_TRANSLATE: u32 = 0x6924;
    // TrackEntry.
    pub const NAME: u32 = 0x536E;
    pub const CODEC_NAME: u32 = 0x25_8688;
}

/// The EBML header's children (RFC 8794), all kept.
const EBML_HEADER_KEEP: &[u32] = &[
    0x4286,
    0x42F7,
    0x42F2,
    0x42F3,
    id::DOC_TYPE,
    0x4287,
    0x4285,
    0x4281,
];

/// Children of a `Cluster`; any other ID ends a Cluster of unknown size.
const CLUSTER_CHILDREN: &[u32] = &[
    0xE7,
    0x5854,
    0xA7,
    0xAB,
    0xA3,
    0xA0,
    0xAF,
    id::VOID,
    id::CRC32,
];

/// `TrackEntry` children kept: numbers, flags, timing, language, codec and
/// its data, and the Video/Audio/encoding masters (technical values only).
const TRACK_ENTRY_KEEP: &[u32] = &[
    0xD7, 0x73C5, 0x83, 0xB9, 0x88, 0x55AA, 0x55AB, 0x55AC, 0x55AD, 0x55AE, 0x55AF, 0x9C, 0x6DE7,
    0x6DF8, 0x23_E383, 0x23_4E7A, 0x23_314F, 0x537F, 0x55EE, 0x41E4, 0x22_B59C, 0x22_B59D, 0x86,
    0x63A2, 0xAA, 0x6FAB, 0x56AA, 0x56BB, 0xE0, 0xE1, 0xE2, 0x6D80,
];

/// Level-1 elements a kept `Seek` entry may point at.
const SEEK_KEEP: &[u32] = &[id::INFO, id::TRACKS, id::CUES, id::CLUSTER, id::SEEK_HEAD];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum DocType {
    Webm,
    Matroska,
    Other,
}

/// The masters rewritten in memory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ctx {
    EbmlHeader,
    Info,
    Tracks,
    TrackEntry,
    SeekHead,
}

/// What to do with one child of a held master.
enum Action {
    Keep,
    /// Zero the body (Void).
    ZeroBody,
    /// Zero the body and report it when it held text (MuxingApp, WritingApp).
    Blank(Removed),
    /// Overwrite the whole element with a Void, reporting it (or not).
    Void(Option<Removed>),
    Recurse(Ctx),
}

/// An element header, parsed from a buffer or read from the stream.
#[derive(Debug, Clone, Copy)]
struct Header {
    id: u32,
    /// Data size, or `None` for "unknown" (all value bits set).
    size: Option<u64>,
    /// Length of ID plus size field.
    len: usize,
    /// Where the data starts (buffer parsing only: `start + len`).
    data_start: usize,
    raw: [u8; 12],
}

impl Header {
    fn bytes(&self) -> &[u8] {
        self.raw.get(..self.len).unwrap_or(&self.raw)
    }
}

struct Stripper<'a> {
    kind: Kind,
    max_held: u64,
    r: BufReader<&'a mut dyn Read>,
    w: BufWriter<&'a mut dyn Write>,
    found: Found,
}

impl Stripper<'_> {
    fn run(&mut self) -> Result<(), SanitizeError> {
        let k = self.kind;
        let h = self
            .read_header()?
            .ok_or_else(|| malformed(k, "empty file"))?;
        if h.id != id::EBML {
            return Err(malformed(k, "no EBML header"));
        }
        let size = self.known(&h)?;
        let mut body = self.hold(size)?;
        match doc_type(&body) {
            Some(DocType::Webm | DocType::Matroska) => {}
            Some(DocType::Other) => {
                return Err(SanitizeError::Unsupported {
                    kind: k,
                    detail: "an EBML document that is neither Matroska nor WebM",
                });
            }
            None => return Err(malformed(k, "EBML header without a DocType")),
        }
        clean_master(&mut body, Ctx::EbmlHeader, 0, &mut 0, k, &mut self.found)?;
        self.w.write_all(h.bytes())?;
        self.w.write_all(&body)?;

        let mut segments = 0u32;
        let mut next = None;
        loop {
            let h = match next.take() {
                Some(h) => h,
                None => match self.read_header()? {
                    Some(h) => h,
                    None => break,
                },
            };
            match h.id {
                id::SEGMENT => {
                    segments = segments.saturating_add(1);
                    self.w.write_all(h.bytes())?;
                    next = self.segment(h.size)?;
                }
                id::VOID => {
                    let n = self.known(&h)?;
                    self.w.write_all(h.bytes())?;
                    self.zero_body(n)?;
                }
                id::EBML => return Err(malformed(k, "a second EBML header")),
                _ => return Err(malformed(k, "unexpected element outside the Segment")),
            }
        }
        if segments == 0 {
            return Err(malformed(k, "no Segment"));
        }
        Ok(())
    }

    /// The Segment's children, up to `size` bytes or, when unknown, to the
    /// end of the file or a top-level header (returned).
    fn segment(&mut self, size: Option<u64>) -> Result<Option<Header>, SanitizeError> {
        let k = self.kind;
        let mut budget = size;
        let mut next: Option<Header> = None;
        loop {
            let h = match next.take() {
                Some(h) => h,
                None => {
                    if budget == Some(0) {
                        return Ok(None);
                    }
                    match self.read_header()? {
                        Some(h) => h,
                        None if budget.is_none() => return Ok(None),
                        None => return Err(malformed(k, "truncated")),
                    }
                }
            };
            if matches!(h.id, id::EBML | id::SEGMENT) {
                if budget.is_none() {
                    return Ok(Some(h));
                }
                return Err(malformed(k, "a top-level element inside a Segment"));
            }
            charge(&mut budget, h.len as u64, k)?;
            match h.id {
                id::CLUSTER => {
                    self.w.write_all(h.bytes())?;
                    match h.size {
                        Some(n) => {
                            charge(&mut budget, n, k)?;
                            self.copy(n)?;
                        }
                        None => next = self.open_cluster(&mut budget)?,
                    }
                }
                id::CUES => {
                    let n = self.known(&h)?;
                    charge(&mut budget, n, k)?;
                    self.w.write_all(h.bytes())?;
                    self.copy(n)?;
                }
                id::INFO | id::TRACKS | id::SEEK_HEAD => {
                    let n = self.known(&h)?;
                    charge(&mut budget, n, k)?;
                    let mut body = self.hold(n)?;
                    let ctx = match h.id {
                        id::INFO => Ctx::Info,
                        id::TRACKS => Ctx::Tracks,
                        _ => Ctx::SeekHead,
                    };
                    clean_master(&mut body, ctx, 1, &mut 0, k, &mut self.found)?;
                    self.w.write_all(h.bytes())?;
                    self.w.write_all(&body)?;
                }
                id::TAGS => {
                    let n = self.known(&h)?;
                    charge(&mut budget, n, k)?;
                    if n <= self.max_held {
                        let body = self.hold(n)?;
                        classify_tags(&body, &mut self.found);
                    } else {
                        self.skip(n)?;
                        self.found.add(Removed::Other);
                    }
                    self.write_void(h.len as u64, n)?;
                }
                id::VOID => {
                    let n = self.known(&h)?;
                    charge(&mut budget, n, k)?;
                    self.w.write_all(h.bytes())?;
                    self.zero_body(n)?;
                }
                other => {
                    // Attachments, Chapters, a CRC-32 over the whole
                    // Segment, and elements nothing here knows.
                    let n = self.known(&h)?;
                    charge(&mut budget, n, k)?;
                    self.skip(n)?;
                    self.write_void(h.len as u64, n)?;
                    match other {
                        id::CHAPTERS => self.found.add(Removed::Comments),
                        id::CRC32 => self.found.changed = true,
                        _ => self.found.add(Removed::Other),
                    }
                }
            }
        }
    }

    /// The children of a Cluster of unknown size, copied, up to the first
    /// element that cannot be one (returned) or the end of the input.
    fn open_cluster(&mut self, budget: &mut Option<u64>) -> Result<Option<Header>, SanitizeError> {
        let k = self.kind;
        loop {
            if *budget == Some(0) {
                return Ok(None);
            }
            let h = match self.read_header()? {
                Some(h) => h,
                None if budget.is_none() => return Ok(None),
                None => return Err(malformed(k, "truncated")),
            };
            if !CLUSTER_CHILDREN.contains(&h.id) {
                return Ok(Some(h));
            }
            let n = self.known(&h)?;
            charge(budget, (h.len as u64).saturating_add(n), k)?;
            self.w.write_all(h.bytes())?;
            self.copy(n)?;
        }
    }

    fn known(&self, h: &Header) -> Result<u64, SanitizeError> {
        h.size
            .ok_or_else(|| malformed(self.kind, "metadata element of unknown size"))
    }

    /// Read the next element header; `None` at the end of the input.
    fn read_header(&mut self) -> Result<Option<Header>, SanitizeError> {
        let k = self.kind;
        let mut raw = [0u8; 12];
        let mut first = [0u8; 1];
        loop {
            match self.r.read(&mut first) {
                Ok(0) => return Ok(None),
                Ok(_) => break,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e.into()),
            }
        }
        let id_len = vint_len(first[0], 4).ok_or_else(|| malformed(k, "bad element ID"))?;
        raw[0] = first[0];
        let id_rest = raw.get_mut(1..id_len).unwrap_or_default();
        self.r.read_exact(id_rest).map_err(read_err(k))?;
        let size_at = raw.get_mut(id_len..=id_len).unwrap_or_default();
        self.r.read_exact(size_at).map_err(read_err(k))?;
        let size_first = raw.get(id_len).copied().unwrap_or(0);
        let size_len = vint_len(size_first, 8).ok_or_else(|| malformed(k, "bad element size"))?;
        let len = id_len + size_len;
        let size_rest = raw.get_mut(id_len + 1..len).unwrap_or_default();
        self.r.read_exact(size_rest).map_err(read_err(k))?;
        let h = parse_header(raw.get(..len).unwrap_or(&[]), 0)
            .map_err(|_| malformed(k, "bad element header"))?;
        Ok(Some(h))
    }

    /// Read `n` bytes of one element body into memory, at most `max_held`.
    fn hold(&mut self, n: u64) -> Result<Vec<u8>, SanitizeError> {
        if n > self.max_held {
            return Err(SanitizeError::TooLarge {
                limit: self.max_held,
            });
        }
        let mut body = Vec::new();
        (&mut self.r).take(n).read_to_end(&mut body)?;
        if body.len() as u64 != n {
            return Err(malformed(self.kind, "truncated"));
        }
        Ok(body)
    }

    fn copy(&mut self, n: u64) -> Result<(), SanitizeError> {
        let copied = io::copy(&mut (&mut self.r).take(n), &mut self.w)?;
        if copied != n {
            return Err(malformed(self.kind, "truncated"));
        }
        Ok(())
    }

    fn skip(&mut self, n: u64) -> Result<(), SanitizeError> {
        let skipped = io::copy(&mut (&mut self.r).take(n), &mut io::sink())?;
        if skipped != n {
            return Err(malformed(self.kind, "truncated"));
        }
        Ok(())
    }

    /// Read `n` bytes and write as many zeros.
    fn zero_body(&mut self, mut n: u64) -> Result<(), SanitizeError> {
        // Sized to the body, so that many small Voids cost little.
        let mut buf = vec![0u8; n.min(IO_CHUNK as u64) as usize];
        while n > 0 {
            let want = n.min(IO_CHUNK as u64) as usize;
            let chunk = buf.get_mut(..want).unwrap_or_default();
            self.r.read_exact(chunk).map_err(read_err(self.kind))?;
            if chunk.iter().any(|&b| b != 0) {
                self.found.changed = true;
                chunk.fill(0);
            }
            self.w.write_all(chunk)?;
            n -= want as u64;
        }
        Ok(())
    }

    /// Write a Void element taking the place of an element of `header_len`
    /// plus `n` bytes.
    fn write_void(&mut self, header_len: u64, n: u64) -> Result<(), SanitizeError> {
        self.found.changed = true;
        let total = header_len.saturating_add(n);
        let (hdr, len) =
            void_header(total).ok_or_else(|| malformed(self.kind, "element too small"))?;
        self.w.write_all(hdr.get(..len).unwrap_or_default())?;
        let mut rest = total - len as u64;
        let zeros = [0u8; 4096];
        while rest > 0 {
            let m = rest.min(zeros.len() as u64) as usize;
            self.w.write_all(zeros.get(..m).unwrap_or_default())?;
            rest -= m as u64;
        }
        Ok(())
    }
}

/// Subtract `n` from a known parent's remaining bytes.
fn charge(budget: &mut Option<u64>, n: u64, k: Kind) -> Result<(), SanitizeError> {
    if let Some(b) = budget {
        *b = b
            .checked_sub(n)
            .ok_or_else(|| malformed(k, "element runs past the end of its parent"))?;
    }
    Ok(())
}

/// Length of a variable-length integer from its first byte (1 to `max`).
fn vint_len(first: u8, max: usize) -> Option<usize> {
    let n = first.leading_zeros() as usize + 1;
    (n <= max).then_some(n)
}

/// Parse the element header at `buf[at..]`.
fn parse_header(buf: &[u8], at: usize) -> Result<Header, ()> {
    let first = *buf.get(at).ok_or(())?;
    let id_len = vint_len(first, 4).ok_or(())?;
    let id_bytes = buf.get(at..at + id_len).ok_or(())?;
    let id = id_bytes.iter().fold(0u32, |a, &b| (a << 8) | u32::from(b));
    let size_first = *buf.get(at + id_len).ok_or(())?;
    let size_len = vint_len(size_first, 8).ok_or(())?;
    let size_bytes = buf.get(at + id_len..at + id_len + size_len).ok_or(())?;
    let mask = 0xFFu8.checked_shr(size_len as u32).unwrap_or(0);
    let mut value = u64::from(size_first & mask);
    for &b in size_bytes.get(1..).unwrap_or_default() {
        value = (value << 8) | u64::from(b);
    }
    let all_ones = (1u64 << (7 * size_len)) - 1;
    let len = id_len + size_len;
    let mut raw = [0u8; 12];
    if let (Some(dst), Some(src)) = (raw.get_mut(..len), buf.get(at..at + len)) {
        dst.copy_from_slice(src);
    }
    Ok(Header {
        id,
        size: (value != all_ones).then_some(value),
        len,
        data_start: at + len,
        raw,
    })
}

/// The header of a Void element whose total size (header and body) is
/// `total`, as bytes and their length. Any total of 2 or more fits: the
/// size field grows until the body fits it (all-ones values mean "unknown").
fn void_header(total: u64) -> Option<([u8; 9], usize)> {
    for size_len in 1..=8usize {
        let body = total.checked_sub(1 + size_len as u64)?;
        let max = (1u64 << (7 * size_len)) - 2;
        if body <= max {
            let mut h = [0u8; 9];
            h[0] = 0xEC;
            let marker = 1u64 << (7 * size_len);
            let v = (body | marker).to_be_bytes();
            let field = v.get(8 - size_len..).unwrap_or_default();
            if let Some(dst) = h.get_mut(1..=size_len) {
                dst.copy_from_slice(field);
            }
            return Some((h, 1 + size_len));
        }
    }
    None
}

/// Overwrite `dst` whole with a Void element.
fn void_in_place(dst: &mut [u8], k: Kind) -> Result<(), SanitizeError> {
    let (h, len) =
        void_header(dst.len() as u64).ok_or_else(|| malformed(k, "element too small"))?;
    dst.fill(0);
    if let (Some(d), Some(s)) = (dst.get_mut(..len), h.get(..len)) {
        d.copy_from_slice(s);
    }
    Ok(())
}

/// The DocType in an EBML header's body, if one can be read.
fn doc_type(body: &[u8]) -> Option<DocType> {
    let mut at = 0;
    while at < body.len() {
        let h = parse_header(body, at).ok()?;
        let end = h.data_start.checked_add(usize::try_from(h.size?).ok()?)?;
        if h.id == id::DOC_TYPE {
            let v = body.get(h.data_start..end)?;
            let v = v.split(|&b| b == 0).next().unwrap_or_default();
            return Some(match v {
                b"webm" => DocType::Webm,
                b"matroska" => DocType::Matroska,
                _ => DocType::Other,
            });
        }
        at = end;
    }
    None
}

fn action(ctx: Ctx, id: u32, body: &[u8]) -> Action {
    if id == id::VOID {
        return Action::ZeroBody;
    }
    match ctx {
        Ctx::EbmlHeader if EBML_HEADER_KEEP.contains(&id) => Action::Keep,
        Ctx::Info => match id {
            id::TIMESTAMP_SCALE | id::DURATION => Action::Keep,
            id::MUXING_APP | id::WRITING_APP => Action::Blank(Removed::Software),
            id::TITLE => Action::Void(Some(Removed::Comments)),
            id::DATE_UTC => Action::Void(Some(Removed::Dates)),
            id::SEGMENT_UID
            | id::PREV_UID
            | id::NEXT_UID
            | id::SEGMENT_FAMILY
            | id::CHAPTER_TRANSLATE => Action::Void(Some(Removed::DocumentIds)),
            _ => Action::Void(Some(Removed::Other)),
        },
        Ctx::Tracks if id == id::TRACK_ENTRY => Action::Recurse(Ctx::TrackEntry),
        Ctx::TrackEntry => match id {
            _ if TRACK_ENTRY_KEEP.contains(&id) => Action::Keep,
            id::NAME => Action::Void(Some(Removed::Comments)),
            id::CODEC_NAME => Action::Void(Some(Removed::Software)),
            _ => Action::Void(Some(Removed::Other)),
        },
        Ctx::SeekHead if id == id::SEEK => match seek_target(body) {
            Some(t) if SEEK_KEEP.contains(&t) => Action::Keep,
            _ => Action::Void(None),
        },
        _ => Action::Void(Some(Removed::Other)),
    }
}

/// The element ID a `Seek` entry's body points at.
fn seek_target(body: &[u8]) -> Option<u32> {
    let mut at = 0;
    while at < body.len() {
        let h = parse_header(body, at).ok()?;
        let end = h.data_start.checked_add(usize::try_from(h.size?).ok()?)?;
        if h.id == id::SEEK_ID {
            let v = body.get(h.data_start..end)?;
            if v.is_empty() || v.len() > 4 {
                return None;
            }
            return Some(v.iter().fold(0u32, |a, &b| (a << 8) | u32::from(b)));
        }
        at = end;
    }
    None
}

/// Clean the children of a held master's body in place; returns whether any
/// byte changed. A leading CRC-32 is recomputed when something did.
fn clean_master(
    buf: &mut [u8],
    ctx: Ctx,
    depth: usize,
    count: &mut usize,
    k: Kind,
    found: &mut Found,
) -> Result<bool, SanitizeError> {
    if depth > MAX_DEPTH {
        return Err(malformed(k, "elements nested too deeply"));
    }
    let mut changed = false;
    let mut crc_at: Option<usize> = None;
    let mut at = 0;
    while at < buf.len() {
        *count += 1;
        if *count > MAX_ELEMENTS {
            return Err(malformed(k, "too many elements"));
        }
        let h = parse_header(buf, at).map_err(|()| malformed(k, "bad element header"))?;
        let size = h
            .size
            .ok_or_else(|| malformed(k, "element of unknown size inside a metadata element"))?;
        let end = usize::try_from(size)
            .ok()
            .and_then(|s| h.data_start.checked_add(s))
            .filter(|&e| e <= buf.len())
            .ok_or_else(|| malformed(k, "element runs past the end of its parent"))?;
        if h.id == id::CRC32 && at == 0 && size == 4 {
            crc_at = Some(end);
            at = end;
            continue;
        }
        let body = buf.get(h.data_start..end).unwrap_or_default();
        let act = if h.id == id::CRC32 {
            // A CRC-32 anywhere but first in its master is not valid.
            Action::Void(None)
        } else {
            action(ctx, h.id, body)
        };
        match act {
            Action::Keep => {}
            Action::ZeroBody | Action::Blank(_) => {
                if body.iter().any(|&b| b != 0) {
                    if let Action::Blank(r) = act {
                        found.add(r);
                    }
                    found.changed = true;
                    changed = true;
                    buf.get_mut(h.data_start..end).unwrap_or_default().fill(0);
                }
            }
            Action::Void(label) => {
                match label {
                    Some(r) => found.add(r),
                    None => found.changed = true,
                }
                changed = true;
                void_in_place(buf.get_mut(at..end).unwrap_or_default(), k)?;
            }
            Action::Recurse(inner) => {
                let child = buf.get_mut(h.data_start..end).unwrap_or_default();
                changed |= clean_master(child, inner, depth + 1, count, k, found)?;
            }
        }
        at = end;
    }
    if let (true, Some(crc_end)) = (changed, crc_at) {
        let crc = crc32(0, buf.get(crc_end..).unwrap_or_default());
        if let Some(dst) = buf.get_mut(crc_end - 4..crc_end) {
            dst.copy_from_slice(&crc.to_le_bytes());
        }
    }
    Ok(changed)
}

/// Report what a `Tags` element held, from its tag names. Tolerant: the
/// element is removed whatever it holds, so damage only means "other".
fn classify_tags(body: &[u8], found: &mut Found) {
    let before = found.removed.len();
    walk_tags(body, 0, found);
    if found.removed.len() == before {
        found.add(Removed::Other);
    }
    found.changed = true;
}

fn walk_tags(buf: &[u8], depth: usize, found: &mut Found) {
    if depth > MAX_DEPTH {
        return;
    }
    let mut at = 0;
    while at < buf.len() {
        let Ok(h) = parse_header(buf, at) else { return };
        let Some(end) = h
            .size
            .and_then(|s| usize::try_from(s).ok())
            .and_then(|s| h.data_start.checked_add(s))
            .filter(|&e| e <= buf.len())
        else {
            return;
        };
        let body = buf.get(h.data_start..end).unwrap_or_default();
        match h.id {
            id::TAG | id::SIMPLE_TAG => walk_tags(body, depth + 1, found),
            id::TAG_NAME => found.add(tag_category(body)),
            _ => {}
        }
        at = end;
    }
}

fn tag_category(name: &[u8]) -> Removed {
    let name = String::from_utf8_lossy(name).to_ascii_uppercase();
    let has = |words: &[&str]| words.iter().any(|w| name.contains(w));
    if has(&["LOCATION", "GPS", "COORDINATES", "LATITUDE", "LONGITUDE"]) {
        Removed::Location
    } else if has(&["MAKE", "MODEL", "DEVICE", "SERIAL", "CAMERA"]) {
        Removed::Camera
    } else if has(&[
        "ENCODER", "ENCODED", "SOFTWARE", "HANDLER", "WRITING", "MUXING",
    ]) {
        Removed::Software
    } else if has(&["DATE", "TIME", "YEAR"]) {
        Removed::Dates
    } else if has(&[
        "ARTIST",
        "AUTHOR",
        "COMPOSER",
        "PERFORMER",
        "DIRECTOR",
        "PRODUCER",
        "WRITTEN",
        "LYRICIST",
        "ACTOR",
        "CONDUCTOR",
        "PUBLISHER",
        "COPYRIGHT",
        "OWNER",
    ]) {
        Removed::Author
    } else if has(&[
        "COMMENT",
        "DESCRIPTION",
        "TITLE",
        "SUMMARY",
        "SYNOPSIS",
        "KEYWORDS",
        "SUBJECT",
    ]) {
        Removed::Comments
    } else {
        Removed::Other
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
pub(crate) mod tests {
    use super::*;
    use crate::tests_util::{contains, run};
    use crate::{Limits, strip as strip_any};

    /// An element with a minimal ID and an 8-byte size field.
    fn el(id: u32, body: &[u8]) -> Vec<u8> {
        let id_bytes = id.to_be_bytes();
        let skip = id_bytes.iter().take_while(|&&b| b == 0).count();
        let mut v = id_bytes[skip..].to_vec();
        v.push(0x01);
        v.extend_from_slice(&(body.len() as u64).to_be_bytes()[1..]);
        v.extend_from_slice(body);
        v
    }

    /// An element of unknown size (its children follow).
    fn open(id: u32) -> Vec<u8> {
        let id_bytes = id.to_be_bytes();
        let skip = id_bytes.iter().take_while(|&&b| b == 0).count();
        let mut v = id_bytes[skip..].to_vec();
        v.push(0xFF);
        v
    }

    fn cat(parts: &[Vec<u8>]) -> Vec<u8> {
        parts.concat()
    }

    fn ebml_header(doc: &[u8]) -> Vec<u8> {
        el(id::EBML, &cat(&[el(0x4286, &[1]), el(id::DOC_TYPE, doc)]))
    }

    fn info() -> Vec<u8> {
        let children = cat(&[
            el(id::TIMESTAMP_SCALE, &[0x0F, 0x42, 0x40]),
            el(id::MUXING_APP, b"CANARY-Lavf60.3.100"),
            el(id::WRITING_APP, b"CANARY-Lavf60"),
            el(id::TITLE, b"CANARY-title"),
            el(id::DATE_UTC, &[9, 8, 7, 6, 5, 4, 3, 2]),
            el(id::SEGMENT_UID, b"CANARY-uid-16byt"),
            el(id::DURATION, &[0x40, 0x8F, 0x40, 0, 0, 0, 0, 0]),
        ]);
        let crc = crc32(0, &children);
        el(
            id::INFO,
            &cat(&[el(id::CRC32, &crc.to_le_bytes()), children]),
        )
    }

    fn tracks() -> Vec<u8> {
        el(
            id::TRACKS,
            &el(
                id::TRACK_ENTRY,
                &cat(&[
                    el(0xD7, &[1]),
                    el(0x73C5, &[0x12, 0x34]),
                    el(0x83, &[2]),
                    el(0x86, b"A_PCM/INT/LIT"),
                    el(id::NAME, b"CANARY-Pixel-7"),
                    el(0xE1, &cat(&[el(0xB5, &[0x46, 0xFA, 0, 0]), el(0x9F, &[1])])),
                ]),
            ),
        )
    }

    pub(crate) const MEDIA: &[u8] = b"\x81\x00\x00\x80media-bytes-kept";

    fn cluster_body() -> Vec<u8> {
        cat(&[el(0xE7, &[0]), el(0xA3, MEDIA)])
    }

    fn tags() -> Vec<u8> {
        el(
            id::TAGS,
            &el(
                id::TAG,
                &cat(&[
                    el(0x63C0, &[]),
                    el(
                        id::SIMPLE_TAG,
                        &cat(&[el(id::TAG_NAME, b"ARTIST"), el(0x4487, b"CANARY-Jane")]),
                    ),
                    el(
                        id::SIMPLE_TAG,
                        &cat(&[
                            el(id::TAG_NAME, b"CREATION_TIME"),
                            el(0x4487, b"CANARY-2026"),
                        ]),
                    ),
                ]),
            ),
        )
    }

    fn seek(target: u32) -> Vec<u8> {
        el(
            id::SEEK,
            &cat(&[el(id::SEEK_ID, &target.to_be_bytes()), el(0x53AC, &[0x10])]),
        )
    }

    /// A Matroska file with metadata of every kind removed, a CRC-32 in
    /// Info, a SeekHead pointing at Info and Tags, a Cluster and Cues.
    pub(crate) fn fixture() -> Vec<u8> {
        let segment = cat(&[
            el(id::SEEK_HEAD, &cat(&[seek(id::INFO), seek(id::TAGS)])),
            info(),
            tracks(),
            el(id::CLUSTER, &cluster_body()),
            el(id::CUES, &el(0xBB, &el(0xB3, &[0]))),
            tags(),
            el(0x1941_A469, b"CANARY-attachment"),
            el(id::CHAPTERS, b"CANARY-chapter"),
            el(id::VOID, b"CANARY-stale"),
        ]);
        cat(&[ebml_header(b"matroska"), el(id::SEGMENT, &segment)])
    }

    fn strip_ok(data: &[u8]) -> (Outcome, Vec<u8>) {
        let (res, out) = run(Kind::Matroska, data);
        (res.unwrap(), out)
    }

    /// Walks a held body and returns its (id, body) children.
    fn children(buf: &[u8]) -> Vec<(u32, Vec<u8>)> {
        let mut v = Vec::new();
        let mut at = 0;
        while at < buf.len() {
            let h = parse_header(buf, at).unwrap();
            let end = h.data_start + h.size.unwrap() as usize;
            v.push((h.id, buf[h.data_start..end].to_vec()));
            at = end;
        }
        v
    }

    #[test]
    fn removes_metadata_in_place() {
        let data = fixture();
        let (outcome, out) = strip_ok(&data);
        assert_eq!(out.len(), data.len(), "every offset must stay valid");
        assert!(
            !contains(&out, b"CANARY"),
            "{}",
            String::from_utf8_lossy(&out)
        );
        assert_eq!(
            outcome,
            Outcome::Cleaned {
                removed: vec![
                    Removed::Author,
                    Removed::Software,
                    Removed::Dates,
                    Removed::Comments,
                    Removed::DocumentIds,
                    Removed::Other,
                ]
            }
        );
        // The cluster and the kept values are byte-for-byte where they were.
        let at = crate::find(&data, &cluster_body()).unwrap();
        assert_eq!(&out[at..at + cluster_body().len()], &cluster_body()[..]);
        assert!(contains(&out, b"A_PCM/INT/LIT"));
        // The file parses as Matroska again and nothing more is found.
        let (again, out2) = strip_ok(&out);
        assert_eq!(again, Outcome::KeptOriginal);
        assert_eq!(out2, out);
    }

    #[test]
    fn info_crc_is_recomputed_and_apps_are_empty_strings() {
        let (_, out) = strip_ok(&fixture());
        let info_at = crate::find(&out, &[0x15, 0x49, 0xA9, 0x66, 0x01]).unwrap();
        let h = parse_header(&out, info_at).unwrap();
        let body = &out[h.data_start..h.data_start + h.size.unwrap() as usize];
        let kids = children(body);
        assert_eq!(kids[0].0, id::CRC32);
        let rest_at = parse_header(body, 0).unwrap().data_start + 4;
        assert_eq!(kids[0].1, crc32(0, &body[rest_at..]).to_le_bytes());
        let ids: Vec<u32> = kids.iter().map(|k| k.0).collect();
        assert_eq!(
            ids,
            [
                id::CRC32,
                id::TIMESTAMP_SCALE,
                id::MUXING_APP,
                id::WRITING_APP,
                id::VOID,
                id::VOID,
                id::VOID,
                id::DURATION
            ]
        );
        for (i, b) in &kids {
            if matches!(*i, id::MUXING_APP | id::WRITING_APP | id::VOID) {
                assert!(b.iter().all(|&x| x == 0));
            }
        }
    }

    #[test]
    fn seek_entries_to_removed_elements_are_removed() {
        let (_, out) = strip_ok(&fixture());
        let at = crate::find(&out, &[0x11, 0x4D, 0x9B, 0x74]).unwrap();
        let h = parse_header(&out, at).unwrap();
        let body = &out[h.data_start..h.data_start + h.size.unwrap() as usize];
        let kids = children(body);
        assert_eq!(kids.len(), 2);
        assert_eq!(kids[0].0, id::SEEK);
        assert_eq!(seek_target(&kids[0].1), Some(id::INFO));
        assert_eq!(kids[1].0, id::VOID);
    }

    #[test]
    fn void_fills_every_total_size_exactly() {
        let mut totals: Vec<u64> = (2..20_000).collect();
        for bits in [14u32, 21, 28, 35, 42, 49] {
            let b = 1u64 << bits;
            totals.extend([b - 2, b - 1, b, b + 1, b + 2, b + 3]);
        }
        for total in totals {
            let (h, len) = void_header(total).unwrap();
            let p = parse_header(&h[..len], 0).unwrap();
            assert_eq!(p.id, id::VOID);
            assert_eq!(p.len as u64 + p.size.unwrap(), total, "total {total}");
        }
        assert!(void_header(1).is_none());
        assert!(void_header(0).is_none());
    }

    #[test]
    fn one_byte_elements_and_empty_strings_are_handled() {
        // A two-byte element (ID and a zero size) becomes a two-byte Void;
        // an empty MuxingApp stays as it is.
        let info = el(
            id::INFO,
            &cat(&[
                vec![0x7B, 0xA9, 0x80],
                vec![0x4D, 0x80, 0x80],
                vec![0xB0, 0x80],
            ]),
        );
        let data = cat(&[ebml_header(b"webm"), el(id::SEGMENT, &info)]);
        let (outcome, out) = strip_ok(&data);
        assert_eq!(out.len(), data.len());
        assert!(contains(
            &out,
            &[0xEC, 0x81, 0x00, 0x4D, 0x80, 0x80, 0xEC, 0x80]
        ));
        assert!(matches!(outcome, Outcome::Cleaned { .. }));
    }

    #[test]
    fn nothing_to_remove_keeps_the_original() {
        let segment = cat(&[
            el(id::INFO, &el(id::TIMESTAMP_SCALE, &[0x0F, 0x42, 0x40])),
            el(id::CLUSTER, &cluster_body()),
        ]);
        let data = cat(&[ebml_header(b"webm"), el(id::SEGMENT, &segment)]);
        let (outcome, out) = strip_ok(&data);
        assert_eq!(outcome, Outcome::KeptOriginal);
        assert_eq!(out, data);
    }

    #[test]
    fn unknown_size_segment_and_clusters_stream() {
        let data = cat(&[
            ebml_header(b"webm"),
            open(id::SEGMENT),
            info(),
            tracks(),
            open(id::CLUSTER),
            cluster_body(),
            open(id::CLUSTER),
            cluster_body(),
            tags(),
            open(id::CLUSTER),
            cluster_body(),
        ]);
        let (outcome, out) = strip_ok(&data);
        assert!(matches!(outcome, Outcome::Cleaned { .. }));
        assert_eq!(out.len(), data.len());
        assert!(!contains(&out, b"CANARY"));
        let body = cluster_body();
        assert_eq!(
            out.windows(body.len()).filter(|w| *w == &body[..]).count(),
            3
        );
        // A second stream after an open Segment is refused, not passed.
        let twice = cat(&[data.clone(), ebml_header(b"webm")]);
        assert!(matches!(
            run(Kind::Webm, &twice).0,
            Err(SanitizeError::Malformed { .. })
        ));
    }

    #[test]
    fn every_truncation_is_malformed() {
        let data = fixture();
        for cut in 0..data.len() {
            let (res, _) = run(Kind::Matroska, &data[..cut]);
            assert!(
                matches!(res, Err(SanitizeError::Malformed { .. })),
                "cut at {cut}: {res:?}"
            );
        }
    }

    #[test]
    fn lengths_past_the_parent_are_malformed() {
        // A Title claiming more bytes than Info holds.
        let mut bad_info = el(id::INFO, &el(id::TITLE, b"CANARY"));
        let n = bad_info.len();
        bad_info[n - 7] = 0x7F; // the Title's size byte: 0x01 .. 0x06 -> huge
        let data = cat(&[ebml_header(b"matroska"), el(id::SEGMENT, &bad_info)]);
        assert!(matches!(
            run(Kind::Matroska, &data).0,
            Err(SanitizeError::Malformed { .. })
        ));
        // A Cluster claiming more bytes than its Segment holds.
        let mut seg = el(id::SEGMENT, &el(id::CLUSTER, &cluster_body()));
        seg.extend_from_slice(&el(id::CLUSTER, &cluster_body()));
        let data = cat(&[ebml_header(b"matroska"), seg]);
        let seg_size_at = ebml_header(b"matroska").len() + 4 + 7;
        let mut data2 = data.clone();
        data2[seg_size_at] = data2[seg_size_at].wrapping_sub(1);
        assert!(matches!(
            run(Kind::Matroska, &data2).0,
            Err(SanitizeError::Malformed { .. })
        ));
        // Trailing bytes that are no element are refused.
        let mut data3 = fixture();
        data3.extend_from_slice(b"\0\0CANARY");
        assert!(matches!(
            run(Kind::Matroska, &data3).0,
            Err(SanitizeError::Malformed { .. })
        ));
    }

    #[test]
    fn metadata_of_unknown_size_is_malformed() {
        let data = cat(&[
            ebml_header(b"webm"),
            open(id::SEGMENT),
            open(id::TAGS),
            b"CANARY".to_vec(),
        ]);
        assert!(matches!(
            run(Kind::Webm, &data).0,
            Err(SanitizeError::Malformed { .. })
        ));
    }

    #[test]
    fn held_elements_are_bounded() {
        let big = el(id::INFO, &el(id::TITLE, &vec![b'x'; 5000]));
        let data = cat(&[ebml_header(b"webm"), el(id::SEGMENT, &big)]);
        let limits = Limits {
            mp4_max_box: 4096,
            ..Limits::default()
        };
        let mut out = Vec::new();
        let res = strip_any(Kind::Webm, &mut &data[..], &mut out, &limits);
        assert!(matches!(res, Err(SanitizeError::TooLarge { limit: 4096 })));
        // Tags too large to hold are still removed, streamed.
        let tags = el(id::TAGS, &vec![b'C'; 5000]);
        let data = cat(&[ebml_header(b"webm"), el(id::SEGMENT, &tags)]);
        let mut out = Vec::new();
        let res = strip_any(Kind::Webm, &mut &data[..], &mut out, &limits).unwrap();
        assert_eq!(
            res,
            Outcome::Cleaned {
                removed: vec![Removed::Other]
            }
        );
        assert_eq!(out.len(), data.len());
        assert!(!contains(&out, b"CCCC"));
    }

    #[test]
    fn deeply_nested_tags_do_not_overflow_the_stack() {
        // 100 000 SimpleTags, each the only child of the one before.
        let name = el(id::TAG_NAME, b"ARTIST");
        let levels = 100_000u64;
        let mut inner = Vec::new();
        for j in 0..levels {
            let size = name.len() as u64 + 10 * (levels - 1 - j);
            inner.extend_from_slice(&[0x67, 0xC8, 0x01]);
            inner.extend_from_slice(&size.to_be_bytes()[1..]);
        }
        inner.extend_from_slice(&name);
        let data = cat(&[ebml_header(b"webm"), el(id::SEGMENT, &el(id::TAGS, &inner))]);
        let (outcome, out) = strip_ok(&data);
        assert_eq!(
            outcome,
            Outcome::Cleaned {
                removed: vec![Removed::Other]
            }
        );
        assert_eq!(out.len(), data.len());
    }

    #[test]
    fn other_doc_types_and_bad_headers() {
        let data = cat(&[ebml_header(b"xyzw"), el(id::SEGMENT, &[])]);
        assert_eq!(detect(&data), None);
        assert!(matches!(
            run(Kind::Matroska, &data).0,
            Err(SanitizeError::Unsupported { .. })
        ));
        assert_eq!(detect(&cat(&[ebml_header(b"webm\0\0")])), Some(Kind::Webm));
        assert_eq!(detect(&fixture()), Some(Kind::Matroska));
        // The magic with a damaged header is Matroska, so it is refused.
        assert_eq!(
            detect(&[0x1A, 0x45, 0xDF, 0xA3, 0x00]),
            Some(Kind::Matroska)
        );
        assert!(matches!(
            run(Kind::Matroska, &[0x1A, 0x45, 0xDF, 0xA3, 0x00]).0,
            Err(SanitizeError::Malformed { .. })
        ));
        assert!(matches!(
            run(Kind::Webm, b"").0,
            Err(SanitizeError::Malformed { .. })
        ));
        // A header alone, with no Segment, is not a file.
        assert!(matches!(
            run(Kind::Webm, &ebml_header(b"webm")).0,
            Err(SanitizeError::Malformed { .. })
        ));
    }

    #[test]
    fn unknown_track_entry_children_are_removed_and_known_kept() {
        let entry = el(
            id::TRACK_ENTRY,
            &cat(&[
                el(0xD7, &[1]),
                el(0x7FFF, b"CANARY-x"),
                el(id::CODEC_NAME, b"CANARY-y"),
                el(0x63A2, b"codecdata"),
            ]),
        );
        let data = cat(&[
            ebml_header(b"webm"),
            el(id::SEGMENT, &el(id::TRACKS, &entry)),
        ]);
        let (outcome, out) = strip_ok(&data);
        assert!(!contains(&out, b"CANARY"));
        assert!(contains(&out, b"codecdata"));
        assert_eq!(
            outcome,
            Outcome::Cleaned {
                removed: vec![Removed::Software, Removed::Other]
            }
        );
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig { cases: 300, ..Default::default() })]

        /// Whatever is damaged, a file that cleans keeps its length and
        /// cleans again to itself.
        #[test]
        fn cleaned_files_keep_their_length_and_are_stable(
            edits in proptest::collection::vec((0usize..4096, proptest::prelude::any::<u8>()), 1..6),
        ) {
            let mut data = fixture();
            for (pos, byte) in edits {
                let i = pos % data.len();
                data[i] = byte;
            }
            let limits = Limits::default();
            let mut out = Vec::new();
            if strip_any(Kind::Matroska, &mut &data[..], &mut out, &limits).is_ok() {
                proptest::prop_assert_eq!(out.len(), data.len());
                let mut again = Vec::new();
                let outcome = strip_any(Kind::Matroska, &mut &out[..], &mut again, &limits);
                proptest::prop_assert!(matches!(outcome, Ok(Outcome::KeptOriginal)), "{:?}", outcome);
                proptest::prop_assert_eq!(again, out);
            }
        }
    }
}
