//! Netpbm (PBM, PGM, PPM: P1–P6; PAM: P7) stripping, streaming.
//!
//! The only metadata these formats hold is `#` comments in the header
//! (between any two header tokens; in PAM, whole lines), where tools write
//! the program, the author or the source file name. The header is parsed
//! and written again without comments, in canonical form; the raster is
//! copied through a small buffer whatever its size. Raw rasters (P4–P7)
//! have a size known from the header; several images may follow each other
//! (each is cleaned), and bytes after the last one that are not an image are
//! dropped. Plain rasters (P1–P3) are ASCII to the end of the file, and any
//! `#` comment in them is dropped too. Header tokens are bounded (a number
//! of at most 10 digits, a PAM line of at most 256 bytes), so memory stays
//! a few KiB.

use std::io::{self, BufRead, BufReader, Read, Write};

use super::{Found, Kind, Outcome, Removed, SanitizeError, malformed, read_err};

const K: Kind = Kind::Netpbm;

/// Longest PAM header line kept (TUPLTYPE names are short words).
const MAX_PAM_LINE: usize = 256;

/// Does `p` start like a Netpbm image: `P1`–`P6`, whitespace and comments,
/// then the width's first digit; or `P7`, a line end and a PAM header line
/// (or a comment)? Text that happens to begin with "P3 " is not an image.
pub(super) fn looks_like_netpbm(p: &[u8]) -> bool {
    match p {
        [b'P', b'7', b'\n', c, ..] => c.is_ascii_uppercase() || *c == b'#',
        [b'P', b'1'..=b'6', rest @ ..] => {
            let mut i = 0;
            let mut seps = 0;
            while let Some(&b) = rest.get(i) {
                if b == b'#' {
                    match rest
                        .get(i..)
                        .and_then(|r| r.iter().position(|&c| c == b'\n' || c == b'\r'))
                    {
                        Some(e) => i += e,
                        None => return false,
                    }
                    seps += 1;
                } else if b.is_ascii_whitespace() {
                    i += 1;
                    seps += 1;
                } else {
                    return seps > 0 && b.is_ascii_digit();
                }
            }
            false
        }
        _ => false,
    }
}

/// Strip comments from a Netpbm stream.
pub(super) fn strip(
    input: &mut dyn Read,
    output: &mut dyn Write,
) -> Result<Outcome, SanitizeError> {
    let mut r = BufReader::with_capacity(64 * 1024, input);
    let mut found = Found::default();
    let mut first = true;
    loop {
        let mut magic = [0u8; 2];
        r.read_exact(&mut magic).map_err(read_err(K))?;
        let digit = match magic {
            [b'P', d @ b'1'..=b'7'] => d - b'0',
            _ if first => return Err(malformed(K, "not a Netpbm header")),
            _ => return Err(malformed(K, "bad image after the first")),
        };
        first = false;
        let raster = if digit == 7 {
            pam_header(&mut r, output, &mut found)?
        } else {
            classic_header(digit, &mut r, output, &mut found)?
        };
        match raster {
            None => {
                plain_raster(&mut r, output, &mut found)?;
                break;
            }
            Some(n) => {
                let copied = io::copy(&mut (&mut r).take(n), output)?;
                if copied != n {
                    return Err(malformed(K, "truncated raster"));
                }
            }
        }
        // Another image, or the end.
        let next = r.fill_buf()?;
        if next.is_empty() {
            break;
        }
        // Another image starts with its magic number (checked above).
        if !next.starts_with(b"P") {
            let mut rest = 0u64;
            let mut nonblank = false;
            loop {
                let buf = r.fill_buf()?;
                if buf.is_empty() {
                    break;
                }
                nonblank |= buf.iter().any(|b| !b.is_ascii_whitespace());
                let n = buf.len();
                rest += n as u64;
                r.consume(n);
            }
            if rest > 0 {
                found.changed = true;
            }
            if nonblank {
                found.add(Removed::Other);
            }
            break;
        }
    }
    Ok(found.outcome())
}

/// Read one byte, `None` at the end of input.
fn byte(r: &mut dyn BufRead) -> Result<Option<u8>, SanitizeError> {
    let b = match r.fill_buf()?.first() {
        Some(b) => *b,
        None => return Ok(None),
    };
    r.consume(1);
    Ok(Some(b))
}

/// Skip a comment up to and including its line end.
fn skip_comment(r: &mut dyn BufRead, found: &mut Found) -> Result<(), SanitizeError> {
    found.add(Removed::Comments);
    loop {
        match byte(r)? {
            None | Some(b'\n' | b'\r') => return Ok(()),
            Some(_) => {}
        }
    }
}

/// Read one decimal header token, skipping whitespace and comments before
/// it; returns it and the byte that ended it (whitespace or `#`, whose
/// comment is skipped). `canonical` stays true only when exactly `lead`
/// came before the token (nothing when `None`) and `end` ended it.
fn number(
    r: &mut dyn BufRead,
    found: &mut Found,
    canonical: &mut bool,
    lead: Option<u8>,
    end: u8,
) -> Result<(u64, u8), SanitizeError> {
    let mut seps = 0u32;
    let first = loop {
        match byte(r)?.ok_or_else(|| malformed(K, "truncated header"))? {
            b'#' => {
                *canonical = false;
                skip_comment(r, found)?;
            }
            b if b.is_ascii_whitespace() => {
                seps += 1;
                if Some(b) != lead {
                    *canonical = false;
                }
            }
            b if b.is_ascii_digit() => break b,
            _ => return Err(malformed(K, "bad header")),
        }
    };
    if seps != u32::from(lead.is_some()) {
        *canonical = false;
    }
    let mut v = u64::from(first - b'0');
    let mut digits = 1;
    loop {
        let b = byte(r)?.ok_or_else(|| malformed(K, "truncated header"))?;
        if b.is_ascii_digit() {
            digits += 1;
            if digits > 10 {
                return Err(malformed(K, "header number too long"));
            }
            v = v * 10 + u64::from(b - b'0');
        } else if b == b'#' {
            // The comment runs to its line end, which ends the token.
            *canonical = false;
            skip_comment(r, found)?;
            return Ok((v, b));
        } else if b.is_ascii_whitespace() {
            if b != end {
                *canonical = false;
            }
            return Ok((v, b));
        } else {
            return Err(malformed(K, "bad header"));
        }
    }
}

/// Parse a P1–P6 header (magic already read), write it canonically, and
/// return the raster size for raw formats (`None` for plain ones).
fn classic_header(
    digit: u8,
    r: &mut dyn BufRead,
    out: &mut dyn Write,
    found: &mut Found,
) -> Result<Option<u64>, SanitizeError> {
    let mut canonical = true;
    let (w, _) = number(r, found, &mut canonical, Some(b'\n'), b' ')?;
    let (h, _) = number(r, found, &mut canonical, None, b'\n')?;
    let bitmap = matches!(digit, 1 | 4);
    let mut maxval = 1;
    if !bitmap {
        let (m, _) = number(r, found, &mut canonical, None, b'\n')?;
        maxval = m;
        if !(1..=65535).contains(&maxval) {
            return Err(malformed(K, "maxval out of range"));
        }
    }
    // Exactly one whitespace byte ends the header; a comment there has
    // been skipped to its line end, which is that byte.
    if bitmap {
        write!(out, "P{digit}\n{w} {h}\n")?;
    } else {
        write!(out, "P{digit}\n{w} {h}\n{maxval}\n")?;
    }
    if !canonical {
        found.changed = true;
    }
    if digit <= 3 {
        return Ok(None);
    }
    let sample = if maxval < 256 { 1 } else { 2 };
    let size = match digit {
        4 => w.div_ceil(8).checked_mul(h),
        5 => w.checked_mul(h).and_then(|p| p.checked_mul(sample)),
        _ => w.checked_mul(h).and_then(|p| p.checked_mul(3 * sample)),
    };
    size.map(Some)
        .ok_or_else(|| malformed(K, "image dimensions overflow"))
}

/// Parse a PAM header (after `P7`), write it without comments and return
/// the raster size.
fn pam_header(
    r: &mut dyn BufRead,
    out: &mut dyn Write,
    found: &mut Found,
) -> Result<Option<u64>, SanitizeError> {
    let mut header = String::from("P7\n");
    // The rest of the magic line.
    let mut canonical = true;
    let first = line(r)?;
    if !first.trim().is_empty() {
        if first.trim_start().starts_with('#') {
            found.add(Removed::Comments);
        } else {
            return Err(malformed(K, "bad PAM header"));
        }
    }
    let (mut w, mut h, mut depth, mut maxval) = (None, None, None, None);
    let mut lines = 0u32;
    loop {
        if r.fill_buf()?.first() == Some(&b'#') {
            skip_comment(r, found)?;
            continue;
        }
        lines += 1;
        if lines > 64 {
            return Err(malformed(K, "PAM header too long"));
        }
        let l = line(r)?;
        let t = l.trim();
        if t.starts_with('#') {
            found.add(Removed::Comments);
            continue;
        }
        if t.is_empty() {
            canonical = false;
            continue;
        }
        let (key, value) = t.split_once(char::is_whitespace).unwrap_or((t, ""));
        let value = value.trim();
        let num = || -> Result<u64, SanitizeError> {
            if value.len() > 10 {
                return Err(malformed(K, "header number too long"));
            }
            value
                .parse::<u64>()
                .map_err(|_| malformed(K, "bad PAM header value"))
        };
        match key {
            "ENDHDR" => break,
            "WIDTH" => w = Some(num()?),
            "HEIGHT" => h = Some(num()?),
            "DEPTH" => depth = Some(num()?),
            "MAXVAL" => maxval = Some(num()?),
            "TUPLTYPE" => {}
            _ => return Err(malformed(K, "unknown PAM header field")),
        }
        if l != format!("{key} {value}") {
            canonical = false;
        }
        header.push_str(key);
        header.push(' ');
        header.push_str(value);
        header.push('\n');
    }
    header.push_str("ENDHDR\n");
    let (Some(w), Some(h), Some(d), Some(m)) = (w, h, depth, maxval) else {
        return Err(malformed(K, "PAM header lacks a field"));
    };
    if !(1..=65535).contains(&m) {
        return Err(malformed(K, "maxval out of range"));
    }
    out.write_all(header.as_bytes())?;
    if !canonical {
        found.changed = true;
    }
    let sample = if m < 256 { 1 } else { 2 };
    w.checked_mul(h)
        .and_then(|p| p.checked_mul(d))
        .and_then(|p| p.checked_mul(sample))
        .map(Some)
        .ok_or_else(|| malformed(K, "image dimensions overflow"))
}

/// One PAM header line without its `\n`, at most [`MAX_PAM_LINE`] bytes.
fn line(r: &mut dyn BufRead) -> Result<String, SanitizeError> {
    let mut v = Vec::new();
    loop {
        match byte(r)?.ok_or_else(|| malformed(K, "truncated header"))? {
            b'\n' => break,
            b => {
                if v.len() >= MAX_PAM_LINE {
                    return Err(malformed(K, "PAM header line too long"));
                }
                v.push(b);
            }
        }
    }
    String::from_utf8(v).map_err(|_| malformed(K, "PAM header not ASCII"))
}

/// Copy an ASCII raster to the end, dropping `#` comments and refusing
/// anything but digits and whitespace.
fn plain_raster(
    r: &mut dyn BufRead,
    out: &mut dyn Write,
    found: &mut Found,
) -> Result<(), SanitizeError> {
    let mut in_comment = false;
    let mut kept = Vec::with_capacity(64 * 1024);
    loop {
        let buf = r.fill_buf()?;
        if buf.is_empty() {
            break;
        }
        kept.clear();
        for &b in buf {
            if in_comment {
                in_comment = !matches!(b, b'\n' | b'\r');
                if in_comment {
                    continue;
                }
            }
            match b {
                b'#' => {
                    in_comment = true;
                    found.add(Removed::Comments);
                }
                b if b.is_ascii_digit() || b.is_ascii_whitespace() => kept.push(b),
                _ => return Err(malformed(K, "bad byte in plain raster")),
            }
        }
        let n = buf.len();
        r.consume(n);
        out.write_all(&kept)?;
    }
    Ok(())
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
pub(crate) mod tests {
    use super::super::tests_util::*;
    use super::*;

    pub(crate) fn fixture() -> Vec<u8> {
        let mut v = b"P6\n# CREATOR: GIMP PNM Filter Version 1.1\n# Jane Canary 2026-12-06 17:23\n2 1\n255\n".to_vec();
        v.extend_from_slice(&[255, 0, 0, 0, 255, 0]);
        v
    }

    #[test]
    fn comments_between_any_tokens_go() {
        let (res, out) = run(Kind::Netpbm, &fixture());
        assert_eq!(
            res.unwrap(),
            Outcome::Cleaned {
                removed: vec![Removed::Comments]
            }
        );
        assert_eq!(out, b"P6\n2 1\n255\n\xff\0\0\0\xff\0");
        let odd = b"P5#a\n 2#b\n#c\n1 #d\n255#e\n\x01\x02";
        let (res, out) = run(Kind::Netpbm, odd);
        assert!(matches!(res, Ok(Outcome::Cleaned { .. })), "{res:?}");
        assert_eq!(out, b"P5\n2 1\n255\n\x01\x02");
        // A canonical file is kept as it is.
        let (res, again) = run(Kind::Netpbm, &out);
        assert_eq!(res.unwrap(), Outcome::KeptOriginal);
        assert_eq!(again, out);
    }

    #[test]
    fn plain_pam_sixteen_bit_and_several_images() {
        let (res, out) = run(Kind::Netpbm, b"P1\n# x\n3 1\n1 0 # y\n1\n");
        assert!(matches!(res, Ok(Outcome::Cleaned { .. })));
        assert_eq!(out, b"P1\n3 1\n1 0 \n1\n");
        let pam = b"P7\n# by Jane\nWIDTH 1\nHEIGHT 1\nDEPTH 3\nMAXVAL 65535\nTUPLTYPE RGB\nENDHDR\n\0\x01\0\x02\0\x03";
        let (res, out) = run(Kind::Netpbm, pam);
        assert!(matches!(res, Ok(Outcome::Cleaned { .. })), "{res:?}");
        assert_eq!(
            out,
            b"P7\nWIDTH 1\nHEIGHT 1\nDEPTH 3\nMAXVAL 65535\nTUPLTYPE RGB\nENDHDR\n\0\x01\0\x02\0\x03"
        );
        let two = b"P4\n#a\n8 1\n\xaaP4\n#b\n8 1\n\x55trailing Jane Canary";
        let (res, out) = run(Kind::Netpbm, two);
        assert_eq!(
            res.unwrap(),
            Outcome::Cleaned {
                removed: vec![Removed::Comments, Removed::Other]
            }
        );
        assert_eq!(out, b"P4\n8 1\n\xaaP4\n8 1\n\x55");
    }

    #[test]
    fn hostile_headers_are_refused() {
        for bad in [
            &b"P6\n2 1\n255\n\x01"[..],
            b"P6\n2 1\n",
            b"P6\n2 x\n255\n",
            b"P6\n99999999999 1\n255\n",
            b"P6\n4294967295 4294967295\n65535\n",
            b"P5\n1 1\n0\n\0",
            b"P5\n1 1\n70000\n\0",
            b"P3\n1 1\n255\n1 2 x\n",
            b"P7\nWIDTH 1\nENDHDR\n",
            b"P7\nWIDTH 1\nHEIGHT 1\nDEPTH 1\nMAXVAL 255\nFOO 1\nENDHDR\n\0",
            b"P7\nWIDTH 1\nHEIGHT 1\nDEPTH 1\nMAXVAL 255\n",
            b"P9\n",
            b"",
        ] {
            let (res, _) = run(Kind::Netpbm, bad);
            assert!(
                matches!(res, Err(SanitizeError::Malformed { .. })),
                "{:?}: {res:?}",
                String::from_utf8_lossy(bad)
            );
        }
        let mut long = b"P7\n".to_vec();
        long.extend(std::iter::repeat_n(b'#', 100_000));
        let (res, _) = run(Kind::Netpbm, &long);
        assert!(res.is_err());
    }

    #[test]
    fn detects_netpbm() {
        assert!(looks_like_netpbm(b"P6\n2"));
        assert!(looks_like_netpbm(b"P1#x\n 3 1"));
        assert!(looks_like_netpbm(b"P7\nWIDTH 1"));
        assert!(!looks_like_netpbm(b"P6\n"));
        assert!(!looks_like_netpbm(b"P3 meeting notes, 2 pages"));
        assert!(!looks_like_netpbm(b"P7 is the next step"));
        assert!(!looks_like_netpbm(b"P8\n1"));
        assert!(!looks_like_netpbm(b"PK\x03\x04"));
        assert!(!looks_like_netpbm(b"P6"));
    }
}
