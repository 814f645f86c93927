//! Reading box headers from the stream and copying or zeroing bytes through
//! one buffer.

use std::io::{self, Read, Write};

use super::{Header, K, ZEROS};
use crate::{SanitizeError, be32, be64, malformed, read_err, read_up_to};

pub(super) fn too_small() -> SanitizeError {
    malformed(K, "box smaller than its header")
}

pub(super) fn past_end() -> SanitizeError {
    malformed(K, "chunk offset past end of file (truncated?)")
}

pub(super) fn into_metadata() -> SanitizeError {
    malformed(K, "chunk offset points into removed metadata")
}

pub(super) fn add(a: u64, b: u64) -> Result<u64, SanitizeError> {
    a.checked_add(b)
        .ok_or_else(|| malformed(K, "box extends past 2^64 bytes"))
}
/// Read the next top-level box header; `None` at a clean end of file.
pub(super) fn read_header(r: &mut dyn Read) -> Result<Option<Header>, SanitizeError> {
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
pub(super) fn pump(
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

pub(super) fn write_zeros(w: &mut dyn Write, mut n: u64) -> io::Result<()> {
    while n > 0 {
        let k = usize::try_from(n).map_or(ZEROS.len(), |x| x.min(ZEROS.len()));
        w.write_all(ZEROS.get(..k).unwrap_or(&[]))?;
        n -= k as u64;
    }
    Ok(())
}
