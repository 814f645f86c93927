//! PNG metadata stripping, streamed chunk by chunk.
//!
//! Keeps critical chunks and chunks needed to render correctly (colour,
//! transparency, physical size, animation). Drops tEXt, zTXt, iTXt (authors,
//! software, comments, hex-encoded EXIF/XMP), eXIf, tIME and every other
//! ancillary chunk we do not know (vendor chunks can hold anything). Data
//! after IEND is dropped. Every CRC is verified; a bad CRC is Malformed.
//! iCCP (an embedded ICC profile) is dropped as JPEG's APP2 profiles are:
//! profiles carry device maker, model and creation-date fields. Colour stays
//! described by sRGB, gAMA and cHRM, which are kept; a wide-gamut image may
//! lose a little colour accuracy.
//!
//! Memory: an 8 KiB copy buffer; eXIf payloads up to 1 MiB are buffered only
//! to report what they held. Must never pass an unknown critical chunk or a
//! corrupt chunk through, and never panic.

use std::io::{self, BufReader, BufWriter, Read, Write};

use super::{Found, Kind, Outcome, Removed, SanitizeError, malformed, read_err};

/// Stream-strip a PNG from `input` to `output`.
pub(super) fn strip(
    input: &mut dyn Read,
    output: &mut dyn Write,
) -> Result<Outcome, SanitizeError> {
    let mut r = BufReader::new(input);
    let mut w = BufWriter::new(output);
    let found = strip_png(&mut r, &mut w)?;
    w.flush()?;
    Ok(found.outcome())
}

/// Strip a PNG held in memory (images inside office documents).
pub(super) fn strip_bytes(data: &[u8]) -> Result<(Vec<u8>, Found), SanitizeError> {
    let mut out = Vec::with_capacity(data.len());
    let mut r = data;
    let found = strip_png(&mut r, &mut out)?;
    Ok((out, found))
}

/// CRC-32 (ISO 3309) as used by PNG, continuing from `crc` (start with 0).
pub(super) fn crc32(crc: u32, data: &[u8]) -> u32 {
    let mut c = !crc;
    for b in data {
        let idx = ((c ^ u32::from(*b)) & 0xFF) as usize;
        c = CRC_TABLE.get(idx).copied().unwrap_or(0) ^ (c >> 8);
    }
    !c
}

// ---------------------------------------------------------------------------

const K: Kind = Kind::Png;
const SIGNATURE: &[u8; 8] = b"\x89PNG\r\n\x1a\n";

const CRC_TABLE: [u32; 256] = {
    let mut table = [0u32; 256];
    let mut n = 0;
    while n < 256 {
        let mut c = n as u32;
        let mut k = 0;
        while k < 8 {
            c = if c & 1 == 1 {
                0xEDB8_8320 ^ (c >> 1)
            } else {
                c >> 1
            };
            k += 1;
        }
        table[n] = c;
        n += 1;
    }
    table
};

/// Ancillary chunks that are kept: needed for correct display.
const KEEP: &[&[u8; 4]] = &[
    b"IHDR", b"PLTE", b"IDAT", b"IEND", b"tRNS", b"gAMA", b"cHRM", b"sRGB", b"sBIT", b"pHYs",
    b"bKGD", b"hIST", b"sPLT", b"cICP", b"mDCV", b"cLLI", b"acTL", b"fcTL", b"fdAT",
];

fn strip_png(r: &mut dyn Read, w: &mut dyn Write) -> Result<Found, SanitizeError> {
    let mut found = Found::default();
    let mut sig = [0u8; 8];
    r.read_exact(&mut sig).map_err(read_err(K))?;
    if &sig != SIGNATURE {
        return Err(malformed(K, "bad signature"));
    }
    w.write_all(&sig)?;
    let mut first = true;
    loop {
        let mut head = [0u8; 8];
        r.read_exact(&mut head).map_err(read_err(K))?;
        let [l0, l1, l2, l3, t0, t1, t2, t3] = head;
        let len = u32::from_be_bytes([l0, l1, l2, l3]);
        let ty = [t0, t1, t2, t3];
        if len > 0x7FFF_FFFF {
            return Err(malformed(K, "chunk length too large"));
        }
        if !ty.iter().all(u8::is_ascii_alphabetic) {
            return Err(malformed(K, "bad chunk type"));
        }
        if first != (&ty == b"IHDR") {
            return Err(malformed(K, "IHDR must come first, once"));
        }
        first = false;
        let keep = KEEP.iter().any(|k| **k == ty);
        if !keep && ty[0].is_ascii_uppercase() {
            return Err(malformed(K, "unknown critical chunk"));
        }
        let crc = crc32(0, &ty);
        if keep {
            w.write_all(&head)?;
            let crc = pass_data(r, Some(w), u64::from(len), crc, None)?;
            let stored = read_crc(r)?;
            if stored != crc {
                return Err(malformed(K, "CRC mismatch"));
            }
            w.write_all(&stored.to_be_bytes())?;
        } else {
            // Keep the start of the chunk for classification.
            let mut peek = Vec::new();
            let want = if &ty == b"eXIf" { 1 << 20 } else { 80 };
            let crc = pass_data(r, None, u64::from(len), crc, Some((&mut peek, want)))?;
            if read_crc(r)? != crc {
                return Err(malformed(K, "CRC mismatch"));
            }
            classify(&ty, &peek, len as usize, &mut found);
        }
        if &ty == b"IEND" {
            let extra = io::copy(r, &mut io::sink())?;
            if extra > 0 {
                found.add(Removed::Other);
            }
            return Ok(found);
        }
    }
}

/// Stream `len` data bytes, optionally to `w`, updating the CRC; optionally
/// keep up to `want` leading bytes in `peek`.
fn pass_data(
    r: &mut dyn Read,
    mut w: Option<&mut dyn Write>,
    len: u64,
    mut crc: u32,
    mut peek: Option<(&mut Vec<u8>, usize)>,
) -> Result<u32, SanitizeError> {
    let mut buf = [0u8; 8192];
    let mut left = len;
    while left > 0 {
        let n = usize::try_from(left.min(buf.len() as u64)).unwrap_or(buf.len());
        let chunk = buf.get_mut(..n).ok_or_else(|| malformed(K, "internal"))?;
        r.read_exact(chunk).map_err(read_err(K))?;
        crc = crc32(crc, chunk);
        if let Some(w) = w.as_mut() {
            w.write_all(chunk)?;
        }
        if let Some((p, want)) = peek.as_mut() {
            let room = want.saturating_sub(p.len()).min(chunk.len());
            p.extend_from_slice(chunk.get(..room).unwrap_or(&[]));
        }
        left -= n as u64;
    }
    Ok(crc)
}

fn read_crc(r: &mut dyn Read) -> Result<u32, SanitizeError> {
    let mut b = [0u8; 4];
    r.read_exact(&mut b).map_err(read_err(K))?;
    Ok(u32::from_be_bytes(b))
}

/// Record what a dropped chunk held.
fn classify(ty: &[u8; 4], data: &[u8], len: usize, found: &mut Found) {
    match ty {
        b"tEXt" | b"zTXt" | b"iTXt" => {
            let key = data.split(|b| *b == 0).next().unwrap_or(&[]);
            let cat = match key {
                b"Author" | b"Copyright" | b"Disclaimer" => Removed::Author,
                b"Software" => Removed::Software,
                b"Creation Time" => Removed::Dates,
                b"Comment" | b"Description" | b"Title" | b"Warning" => Removed::Comments,
                b"Source" => Removed::Camera,
                _ => Removed::Other,
            };
            found.add(cat);
        }
        b"tIME" => found.add(Removed::Dates),
        b"eXIf" if data.len() == len => {
            super::tiff::exif_summary(data, found);
        }
        _ => found.add(Removed::Other),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
pub(super) mod tests {
    use super::super::tests_util::*;
    use super::*;

    pub(crate) fn chunk(ty: &[u8; 4], data: &[u8]) -> Vec<u8> {
        let mut c = (data.len() as u32).to_be_bytes().to_vec();
        c.extend_from_slice(ty);
        c.extend_from_slice(data);
        let crc = crc32(crc32(0, ty), data);
        c.extend_from_slice(&crc.to_be_bytes());
        c
    }

    fn adler32(d: &[u8]) -> u32 {
        let (mut a, mut b) = (1u32, 0u32);
        for x in d {
            a = (a + u32::from(*x)) % 65521;
            b = (b + a) % 65521;
        }
        (b << 16) | a
    }

    /// A 2x1 grey PNG with text, iTXt, tIME, eXIf and a private chunk.
    pub(crate) fn fixture() -> Vec<u8> {
        let mut p = SIGNATURE.to_vec();
        p.extend(chunk(b"IHDR", &[0, 0, 0, 2, 0, 0, 0, 1, 8, 0, 0, 0, 0]));
        p.extend(chunk(b"gAMA", &45455u32.to_be_bytes()));
        p.extend(chunk(b"tEXt", b"Author\0Jane Canary"));
        p.extend(chunk(
            b"iTXt",
            b"XML:com.adobe.xmp\0\0\0\0\0<x:xmpmeta>CANARY-GPS</x:xmpmeta>",
        ));
        p.extend(chunk(b"tIME", &[7, 0xE8, 1, 2, 3, 4, 5]));
        p.extend(chunk(b"eXIf", b"MM\0*\0\0\0\x08\0\0\0\0\0\0CANARY-EXIF"));
        p.extend(chunk(b"prVt", b"CANARY-PRIVATE"));
        // Raw scanline: filter 0, two pixels; zlib stored block.
        let raw = [0u8, 0x10, 0xF0];
        let mut z = vec![0x78, 0x01, 0x01, 3, 0, 0xFC, 0xFF];
        z.extend_from_slice(&raw);
        z.extend_from_slice(&adler32(&raw).to_be_bytes());
        p.extend(chunk(b"IDAT", &z));
        p.extend(chunk(b"zTXt", b"Comment\0\0x"));
        p.extend(chunk(b"IEND", &[]));
        p.extend_from_slice(b"CANARY-TRAILER");
        p
    }

    /// Walk chunks, checking CRCs; returns chunk types.
    pub(crate) fn chunk_types(d: &[u8]) -> Vec<[u8; 4]> {
        assert_eq!(&d[..8], SIGNATURE);
        let mut i = 8;
        let mut types = Vec::new();
        while i < d.len() {
            let len = u32::from_be_bytes(d[i..i + 4].try_into().unwrap()) as usize;
            let ty: [u8; 4] = d[i + 4..i + 8].try_into().unwrap();
            let crc = u32::from_be_bytes(d[i + 8 + len..i + 12 + len].try_into().unwrap());
            assert_eq!(crc, crc32(crc32(0, &ty), &d[i + 8..i + 8 + len]));
            types.push(ty);
            i += 12 + len;
        }
        assert_eq!(i, d.len());
        types
    }

    #[test]
    fn strips_text_time_exif() {
        let input = fixture();
        let (res, out) = run(Kind::Png, &input);
        let Outcome::Cleaned { removed } = res.unwrap() else {
            panic!()
        };
        for cat in [
            Removed::Author,
            Removed::Dates,
            Removed::Comments,
            Removed::Other,
        ] {
            assert!(removed.contains(&cat), "{cat}");
        }
        assert!(!contains(&out, b"CANARY"));
        assert!(!contains(&out, b"Jane Canary"));
        let types = chunk_types(&out);
        assert_eq!(types, vec![*b"IHDR", *b"gAMA", *b"IDAT", *b"IEND"]);
        let img = image::load_from_memory_with_format(&out, image::ImageFormat::Png).unwrap();
        assert_eq!((img.width(), img.height()), (2, 1));
        let (res2, out2) = run(Kind::Png, &out);
        assert_eq!(res2.unwrap(), Outcome::KeptOriginal);
        assert_eq!(out2, out);
    }

    #[test]
    fn icc_profile_is_dropped_and_colour_chunks_kept() {
        // An ICC profile names the device (maker, model) in its header.
        let mut icc = b"CANARY-ICC\0\0".to_vec();
        icc.extend_from_slice(&[0x78, 0x01, 0x01, 4, 0, 0xFB, 0xFF]);
        icc.extend_from_slice(b"appl");
        icc.extend_from_slice(&adler32(b"appl").to_be_bytes());
        let mut p = SIGNATURE.to_vec();
        let input = fixture();
        // Insert the colour chunks after IHDR (8 + 25 bytes).
        p.extend_from_slice(&input[8..33]);
        p.extend(chunk(b"iCCP", &icc));
        p.extend(chunk(b"sRGB", &[0]));
        p.extend(chunk(b"cHRM", &[0; 32]));
        p.extend_from_slice(&input[33..]);
        let (res, out) = run(Kind::Png, &p);
        let Outcome::Cleaned { removed } = res.unwrap() else {
            panic!()
        };
        assert!(removed.contains(&Removed::Other));
        assert!(!contains(&out, b"CANARY-ICC"));
        assert!(!contains(&out, b"iCCP"));
        assert_eq!(
            chunk_types(&out),
            vec![*b"IHDR", *b"sRGB", *b"cHRM", *b"gAMA", *b"IDAT", *b"IEND"]
        );
        let img = image::load_from_memory_with_format(&out, image::ImageFormat::Png).unwrap();
        assert_eq!((img.width(), img.height()), (2, 1));
    }

    #[test]
    fn bad_crc_is_malformed() {
        let mut input = fixture();
        // Flip a byte inside the gAMA data (kept chunk) and in tEXt (dropped).
        for pos in [8 + 25 + 8, 8 + 25 + 16 + 10] {
            input[pos] ^= 1;
            let (res, _) = run(Kind::Png, &input);
            assert!(
                matches!(res, Err(SanitizeError::Malformed { .. })),
                "pos {pos}"
            );
            input[pos] ^= 1;
        }
    }

    #[test]
    fn truncated_png_is_error() {
        let input = fixture();
        let end = input.len() - b"CANARY-TRAILER".len();
        for cut in 0..end {
            let (res, _) = run(Kind::Png, &input[..cut]);
            assert!(res.is_err(), "cut {cut}");
        }
    }

    #[test]
    fn unknown_critical_chunk_refused() {
        let mut p = SIGNATURE.to_vec();
        p.extend(chunk(b"IHDR", &[0, 0, 0, 1, 0, 0, 0, 1, 8, 0, 0, 0, 0]));
        p.extend(chunk(b"CgBI", &[0]));
        let (res, _) = run(Kind::Png, &p);
        assert!(matches!(res, Err(SanitizeError::Malformed { .. })));
    }
}
