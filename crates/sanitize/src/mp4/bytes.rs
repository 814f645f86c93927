//! Reading box headers from the stream and copying or zeroing bytes through
//! one buffer.

use std::io::{self, Read, Write};

use super::{K, ZEROS};
use crate::bmff::{self, Damaged, Header};
use crate::{SanitizeError, malformed, read_err};

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
/// What a damaged MP4 box header is called.
const DAMAGED: Damaged = Damaged {
    truncated: "truncated box",
    too_small: "box smaller than its header",
};

/// Read the next top-level box header; `None` at a clean end of file.
pub(super) fn read_header(r: &mut dyn Read) -> Result<Option<Header>, SanitizeError> {
    bmff::read_header(r, K, &DAMAGED)
}

/// Read `len` bytes (or to end of file when `None`) in chunks of at most
/// `buf.len()`, handing each to `sink`. Returns the number of bytes read.
pub(super) fn pump(
    r: &mut dyn Read,
    buf: &mut [u8],
    len: Option<u64>,
    sink: &mut dyn FnMut(&mut [u8]) -> Result<(), SanitizeError>,
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
        sink(chunk.get_mut(..n).unwrap_or(&mut []))?;
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
