//! ISO-BMFF box headers, read from a stream: the one reader that MP4 and
//! HEIF/AVIF share. A header is 8 bytes (size and type) or 16 with a 64-bit
//! `largesize`; size 0 means "to the end of the file".
//!
//! Must never accept a size smaller than the header itself (the caller would
//! loop without consuming input) or read past the 16 header bytes.

use std::io::Read;

use crate::{Kind, SanitizeError, be32, be64, malformed, read_up_to};

/// A box header as read.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Header {
    pub(crate) typ: [u8; 4],
    /// The header bytes: 8, or 16 with a 64-bit `largesize`.
    pub(crate) raw: [u8; 16],
    pub(crate) len: usize,
    /// Whole box size, or `None` for size 0 ("to end of file").
    pub(crate) size: Option<u64>,
}

impl Header {
    /// The header bytes as they were read.
    pub(crate) fn bytes(&self) -> &[u8] {
        self.raw.get(..self.len).unwrap_or(&self.raw)
    }

    /// The same header with another type (sizes unchanged).
    pub(crate) fn renamed(mut self, typ: &[u8; 4]) -> Self {
        if let Some(t) = self.raw.get_mut(4..8) {
            t.copy_from_slice(typ);
        }
        self.typ = *typ;
        self
    }
}

/// The details a format reports for a damaged header; each format keeps its
/// own wording, since the detail is part of the error its callers see.
pub(crate) struct Damaged {
    /// A `largesize` cut short by the end of the input.
    pub(crate) truncated: &'static str,
    /// A size smaller than the header it is written in.
    pub(crate) too_small: &'static str,
}

/// Read the next box header; `None` at a clean end of file (no byte left).
pub(crate) fn read_header(
    r: &mut dyn Read,
    kind: Kind,
    damaged: &Damaged,
) -> Result<Option<Header>, SanitizeError> {
    let mut raw = [0u8; 16];
    let got = read_up_to(r, raw.get_mut(..8).unwrap_or(&mut []), kind)?;
    if got == 0 {
        return Ok(None);
    }
    if got < 8 {
        return Err(malformed(kind, "trailing bytes after last box"));
    }
    let truncated = || malformed(kind, damaged.truncated);
    let size32 = be32(&raw, 0).ok_or_else(truncated)?;
    let typ: [u8; 4] = raw
        .get(4..8)
        .and_then(|t| t.try_into().ok())
        .ok_or_else(truncated)?;
    let (len, size) = match size32 {
        0 => (8, None),
        1 => {
            if read_up_to(r, raw.get_mut(8..16).unwrap_or(&mut []), kind)? < 8 {
                return Err(truncated());
            }
            let s = be64(&raw, 8).ok_or_else(truncated)?;
            if s < 16 {
                return Err(malformed(kind, damaged.too_small));
            }
            (16, Some(s))
        }
        s if s < 8 => return Err(malformed(kind, damaged.too_small)),
        s => (8, Some(u64::from(s))),
    };
    Ok(Some(Header {
        typ,
        raw,
        len,
        size,
    }))
}
