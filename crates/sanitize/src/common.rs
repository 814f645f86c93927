//! Helpers shared by the format modules: errors from reads, bounded reads,
//! byte search, big-endian fields, the record of what a stripper removed, and
//! the guard that turns a third-party parser's panic into an error.

use std::io::{self, Read};

use crate::{Kind, Outcome, Removed, SanitizeError};

/// Run a third-party parser (lopdf, zip) so that a panic inside it on
/// hostile input becomes `Malformed` instead of taking the server down.
/// (Only effective with `panic = "unwind"`, the default.)
pub(crate) fn no_panic<T>(
    kind: Kind,
    f: impl FnOnce() -> Result<T, SanitizeError>,
) -> Result<T, SanitizeError> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(f))
        .unwrap_or_else(|_| Err(malformed(kind, "parser failed on this input")))
}

/// Build a `Malformed` error.
pub(crate) fn malformed(kind: Kind, detail: impl Into<String>) -> SanitizeError {
    SanitizeError::Malformed {
        kind,
        detail: detail.into(),
    }
}

/// Turn an input read error into the right variant: running out of input
/// means the file is truncated (a property of the file, not of the server).
pub(crate) fn read_err(kind: Kind) -> impl Fn(io::Error) -> SanitizeError {
    move |e| {
        if e.kind() == io::ErrorKind::UnexpectedEof {
            malformed(kind, "truncated")
        } else {
            SanitizeError::Io(e)
        }
    }
}

/// Read the whole input, refusing more than `limit` bytes.
pub(crate) fn read_limited(input: &mut dyn Read, limit: u64) -> Result<Vec<u8>, SanitizeError> {
    let mut data = Vec::new();
    // Read one byte past the limit so "exactly at the limit" is accepted.
    input.take(limit.saturating_add(1)).read_to_end(&mut data)?;
    if data.len() as u64 > limit {
        return Err(SanitizeError::TooLarge { limit });
    }
    Ok(data)
}
/// Reads until `buf` is full or the input ends; returns how many bytes
/// were read (fewer only at the end). Interrupted reads are retried.
pub(crate) fn read_up_to(
    r: &mut dyn Read,
    buf: &mut [u8],
    kind: Kind,
) -> Result<usize, SanitizeError> {
    let mut got = 0;
    while let Some(rest) = buf.get_mut(got..) {
        if rest.is_empty() {
            break;
        }
        match r.read(rest) {
            Ok(0) => break,
            Ok(n) => got += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(read_err(kind)(e)),
        }
    }
    Ok(got)
}

/// Fills `buf` whole; a shorter input is a truncated file.
pub(crate) fn read_exact(
    r: &mut dyn Read,
    buf: &mut [u8],
    kind: Kind,
) -> Result<(), SanitizeError> {
    if read_up_to(r, buf, kind)? != buf.len() {
        return Err(malformed(kind, "truncated"));
    }
    Ok(())
}

/// Read and discard exactly `n` bytes (streaming, bounded memory).
pub(crate) fn skip_exact(r: &mut dyn Read, n: u64, kind: Kind) -> Result<(), SanitizeError> {
    let copied = io::copy(&mut r.take(n), &mut io::sink())?;
    if copied != n {
        return Err(malformed(kind, "truncated"));
    }
    Ok(())
}

/// Position of `needle` in `hay`.
pub(crate) fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() {
        return Some(0);
    }
    hay.windows(needle.len()).position(|w| w == needle)
}

/// The big-endian `u32` at `d[at..]`, `None` past the end.
pub(crate) fn be32(d: &[u8], at: usize) -> Option<u32> {
    let b: [u8; 4] = d.get(at..at.checked_add(4)?)?.try_into().ok()?;
    Some(u32::from_be_bytes(b))
}

/// The big-endian `u64` at `d[at..]`, `None` past the end.
pub(crate) fn be64(d: &[u8], at: usize) -> Option<u64> {
    let b: [u8; 8] = d.get(at..at.checked_add(8)?)?.try_into().ok()?;
    Some(u64::from_be_bytes(b))
}

/// The little-endian `u32` at `d[at..]`, `None` past the end.
pub(crate) fn le32(d: &[u8], at: usize) -> Option<u32> {
    let b: [u8; 4] = d.get(at..at.checked_add(4)?)?.try_into().ok()?;
    Some(u32::from_le_bytes(b))
}

/// Accumulates the categories a stripper removed.
#[derive(Debug, Default)]
pub(crate) struct Found {
    pub(crate) removed: Vec<Removed>,
    /// True when the output differs from the input in any byte.
    pub(crate) changed: bool,
}

impl Found {
    pub(crate) fn add(&mut self, r: Removed) {
        self.changed = true;
        if !self.removed.contains(&r) {
            self.removed.push(r);
        }
    }

    pub(crate) fn outcome(mut self) -> Outcome {
        if self.removed.is_empty() {
            if self.changed {
                Outcome::NothingFound
            } else {
                Outcome::KeptOriginal
            }
        } else {
            self.removed.sort();
            Outcome::Cleaned {
                removed: self.removed,
            }
        }
    }
}

/// Guess what an XMP packet held, for reporting. Always records something,
/// since an XMP packet is metadata whatever it says.
pub(crate) fn classify_xmp(xmp: &[u8], found: &mut Found) {
    let checks: [(&[u8], Removed); 9] = [
        (b"GPS", Removed::Location),
        (b"dc:creator", Removed::Author),
        (b"Author", Removed::Author),
        (b"CreatorTool", Removed::Software),
        (b"tiff:Make", Removed::Camera),
        (b"SerialNumber", Removed::Camera),
        (b"Date", Removed::Dates),
        (b"DocumentID", Removed::DocumentIds),
        (b"dc:description", Removed::Comments),
    ];
    for (needle, cat) in checks {
        if find(xmp, needle).is_some() {
            found.add(cat);
        }
    }
    found.add(Removed::Other);
}
