//! EBML encoding: variable-length integers, element headers, and `Void`
//! elements that fill exactly the bytes of what they replace.

use super::Header;
use crate::{Kind, SanitizeError, malformed};

/// Length of a variable-length integer from its first byte (1 to `max`).
pub(super) fn vint_len(first: u8, max: usize) -> Option<usize> {
    let n = first.leading_zeros() as usize + 1;
    (n <= max).then_some(n)
}

/// Parse the element header at `buf[at..]`.
pub(super) fn parse_header(buf: &[u8], at: usize) -> Result<Header, ()> {
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
pub(super) fn void_header(total: u64) -> Option<([u8; 9], usize)> {
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
pub(super) fn void_in_place(dst: &mut [u8], k: Kind) -> Result<(), SanitizeError> {
    let (h, len) =
        void_header(dst.len() as u64).ok_or_else(|| malformed(k, "element too small"))?;
    dst.fill(0);
    if let (Some(d), Some(s)) = (dst.get_mut(..len), h.get(..len)) {
        d.copy_from_slice(s);
    }
    Ok(())
}
