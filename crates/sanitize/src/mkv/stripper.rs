//! The streaming pass over the segment: clusters stream through, each
//! metadata element is held (bounded), cleaned in place or voided.

use std::io::{self, BufReader, BufWriter, Read, Write};

use super::clean::{classify_tags, clean_master, doc_type};
use super::ebml::{parse_header, vint_len, void_header};
use super::{CLUSTER_CHILDREN, Ctx, DocType, Header, IO_CHUNK, id};
use crate::{Found, Kind, Removed, SanitizeError, malformed, read_err};

pub(super) struct Stripper<'a> {
    pub(super) kind: Kind,
    pub(super) max_held: u64,
    pub(super) r: BufReader<&'a mut dyn Read>,
    pub(super) w: BufWriter<&'a mut dyn Write>,
    pub(super) found: Found,
}

impl Stripper<'_> {
    pub(super) fn run(&mut self) -> Result<(), SanitizeError> {
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
    pub(super) fn segment(&mut self, size: Option<u64>) -> Result<Option<Header>, SanitizeError> {
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
    pub(super) fn hold(&mut self, n: u64) -> Result<Vec<u8>, SanitizeError> {
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

    pub(super) fn skip(&mut self, n: u64) -> Result<(), SanitizeError> {
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
