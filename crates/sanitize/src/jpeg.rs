//! JPEG metadata stripping, streamed segment by segment.
//!
//! Removes APP1 EXIF (GPS, serials, maker notes, thumbnail), APP1 XMP and
//! extended XMP, APP13 IPTC/Photoshop, COM comments, every other APPn except
//! APP0 JFIF (its embedded thumbnail is dropped) and APP14 Adobe (needed to
//! interpret colour), JPG extension markers, and any data after EOI (phones
//! append second images, motion-photo videos and vendor trailers there).
//! APP2 ICC profiles are dropped too, so wide-gamut photos may lose a little
//! colour accuracy; that trade favours not leaking device profiles.
//!
//! Orientation: if EXIF had Orientation != 1, a minimal EXIF APP1 with only
//! that tag is written where the EXIF was, so the picture stays upright.
//!
//! Segments after the first scan (progressive JPEGs) get the same treatment.
//! Memory: one segment (≤ 64 KiB) at a time. Must never pass metadata through
//! and never panic; a file without EOI is Malformed (truncated).

use std::io::{self, BufRead, BufReader, BufWriter, Read, Write};

use super::{Found, Kind, Outcome, Removed, SanitizeError, classify_xmp, malformed, read_err};

/// Stream-strip a JPEG from `input` to `output`.
pub(super) fn strip(
    input: &mut dyn Read,
    output: &mut dyn Write,
) -> Result<Outcome, SanitizeError> {
    let mut r = BufReader::new(input);
    let mut w = BufWriter::new(output);
    let found = strip_jpeg(&mut r, &mut w, true)?;
    w.flush()?;
    Ok(found.outcome())
}

/// Strip a JPEG held in memory; used for images embedded in PDFs and office
/// documents. `keep_orientation` is false where the container decides
/// orientation itself (PDF).
pub(super) fn strip_bytes(
    data: &[u8],
    keep_orientation: bool,
) -> Result<(Vec<u8>, Found), SanitizeError> {
    let mut out = Vec::with_capacity(data.len());
    let mut r = data;
    let found = strip_jpeg(&mut r, &mut out, keep_orientation)?;
    Ok((out, found))
}

// ---------------------------------------------------------------------------

const K: Kind = Kind::Jpeg;

/// Core state machine: marker by marker until EOI.
fn strip_jpeg(
    r: &mut dyn BufRead,
    w: &mut dyn Write,
    keep_orientation: bool,
) -> Result<Found, SanitizeError> {
    let mut found = Found::default();
    let mut soi = [0u8; 2];
    r.read_exact(&mut soi).map_err(read_err(K))?;
    if soi != [0xFF, 0xD8] {
        return Err(malformed(K, "missing SOI"));
    }
    w.write_all(&soi)?;
    let mut pending: Option<u8> = None;
    let mut seen_sos = false;
    let mut seen_exif = false;
    loop {
        let m = match pending.take() {
            Some(m) => m,
            None => read_marker(r, &mut found)?,
        };
        match m {
            0xD9 => {
                if !seen_sos {
                    return Err(malformed(K, "no image data before EOI"));
                }
                w.write_all(&[0xFF, 0xD9])?;
                // Anything after EOI is not part of this image: drop it.
                let extra = io::copy(r, &mut io::sink())?;
                if extra > 0 {
                    found.add(Removed::Other);
                }
                return Ok(found);
            }
            0xD8 => return Err(malformed(K, "unexpected SOI")),
            0x01 | 0xD0..=0xD7 => w.write_all(&[0xFF, m])?,
            _ => {
                let mut len = [0u8; 2];
                r.read_exact(&mut len).map_err(read_err(K))?;
                let len = u16::from_be_bytes(len);
                let body_len = usize::from(len)
                    .checked_sub(2)
                    .ok_or_else(|| malformed(K, "segment length < 2"))?;
                let mut body = vec![0u8; body_len];
                r.read_exact(&mut body).map_err(read_err(K))?;
                match m {
                    0xE0 => app0(&body, w, &mut found)?,
                    0xE1 if keep_orientation
                        && !seen_exif
                        && (2..=8).any(|o| minimal_exif(o).get(4..) == Some(&body[..])) =>
                    {
                        // Our own orientation-only block from an earlier pass.
                        write_segment(w, m, &body)?;
                        seen_exif = true;
                    }
                    0xE1 if body.starts_with(b"Exif\0") => {
                        let tiff = body.get(6..).unwrap_or(&[]);
                        let summary = super::tiff::exif_summary(tiff, &mut found);
                        found.add(Removed::Other);
                        if keep_orientation
                            && !seen_exif
                            && let Some(o) = summary.orientation.filter(|o| *o != 1)
                        {
                            w.write_all(&minimal_exif(o))?;
                        }
                        seen_exif = true;
                    }
                    0xE1 if body.starts_with(XMP_NS) || body.starts_with(XMP_EXT_NS) => {
                        classify_xmp(&body, &mut found);
                    }
                    0xEE if body.starts_with(b"Adobe") => write_segment(w, m, &body)?,
                    0xE1..=0xEF => found.add(Removed::Other),
                    0xFE => found.add(Removed::Comments),
                    0xDA => {
                        write_segment(w, m, &body)?;
                        seen_sos = true;
                        pending = Some(copy_entropy(r, w, &mut found)?);
                    }
                    // Frame headers, tables, restart interval, hierarchical.
                    0xC0..=0xC7 | 0xC9..=0xCF | 0xDB..=0xDF => write_segment(w, m, &body)?,
                    // JPG extensions: unknown content, not needed to decode.
                    0xC8 | 0xF0..=0xFD => found.add(Removed::Other),
                    _ => return Err(malformed(K, format!("reserved marker 0x{m:02X}"))),
                }
            }
        }
    }
}

const XMP_NS: &[u8] = b"http://ns.adobe.com/xap/1.0/\0";
const XMP_EXT_NS: &[u8] = b"http://ns.adobe.com/xmp/extension/\0";

/// Read the next marker byte (after 0xFF and any fill bytes).
fn read_marker(r: &mut dyn BufRead, found: &mut Found) -> Result<u8, SanitizeError> {
    if read_u8(r)? != 0xFF {
        return Err(malformed(K, "expected a marker"));
    }
    loop {
        match read_u8(r)? {
            0xFF => found.changed = true, // fill byte, dropped
            0x00 => return Err(malformed(K, "invalid marker 0x00")),
            m => return Ok(m),
        }
    }
}

fn read_u8(r: &mut dyn BufRead) -> Result<u8, SanitizeError> {
    let mut b = [0u8; 1];
    r.read_exact(&mut b).map_err(read_err(K))?;
    Ok(b[0])
}

fn write_segment(w: &mut dyn Write, marker: u8, body: &[u8]) -> Result<(), SanitizeError> {
    let len = u16::try_from(body.len() + 2).map_err(|_| malformed(K, "segment too long"))?;
    w.write_all(&[0xFF, marker])?;
    w.write_all(&len.to_be_bytes())?;
    w.write_all(body)?;
    Ok(())
}

/// Keep JFIF (without its thumbnail); drop JFXX thumbnails and other APP0.
fn app0(body: &[u8], w: &mut dyn Write, found: &mut Found) -> Result<(), SanitizeError> {
    if body.starts_with(b"JFIF\0") && body.len() >= 14 {
        let has_thumb =
            body.get(12).copied().unwrap_or(0) != 0 || body.get(13).copied().unwrap_or(0) != 0;
        if has_thumb || body.len() > 14 {
            let mut clean = body.get(..14).unwrap_or(body).to_vec();
            if let Some(x) = clean.get_mut(12) {
                *x = 0;
            }
            if let Some(y) = clean.get_mut(13) {
                *y = 0;
            }
            found.add(Removed::Thumbnail);
            write_segment(w, 0xE0, &clean)
        } else {
            write_segment(w, 0xE0, body)
        }
    } else if body.starts_with(b"JFXX\0") {
        found.add(Removed::Thumbnail);
        Ok(())
    } else {
        found.add(Removed::Other);
        Ok(())
    }
}

/// An APP1 EXIF segment holding only IFD0 with the Orientation tag.
fn minimal_exif(orientation: u16) -> Vec<u8> {
    let mut s = vec![0xFF, 0xE1, 0x00, 0x22];
    s.extend_from_slice(b"Exif\0\0");
    s.extend_from_slice(b"MM\0*\0\0\0\x08"); // big-endian TIFF, IFD0 at 8
    s.extend_from_slice(&[0x00, 0x01]); // one entry
    s.extend_from_slice(&[0x01, 0x12, 0x00, 0x03, 0x00, 0x00, 0x00, 0x01]); // Orientation, SHORT, 1
    s.extend_from_slice(&orientation.to_be_bytes());
    s.extend_from_slice(&[0, 0]);
    s.extend_from_slice(&[0, 0, 0, 0]); // no next IFD
    s
}

/// Copy entropy-coded data up to the next real marker, which is returned.
fn copy_entropy(
    r: &mut dyn BufRead,
    w: &mut dyn Write,
    found: &mut Found,
) -> Result<u8, SanitizeError> {
    loop {
        let (used, hit) = {
            let buf = r.fill_buf()?;
            if buf.is_empty() {
                return Err(malformed(K, "truncated scan"));
            }
            match buf.iter().position(|b| *b == 0xFF) {
                Some(i) => {
                    w.write_all(buf.get(..i).unwrap_or(&[]))?;
                    (i + 1, true)
                }
                None => {
                    w.write_all(buf)?;
                    (buf.len(), false)
                }
            }
        };
        r.consume(used);
        if hit {
            loop {
                match read_u8(r)? {
                    0xFF => found.changed = true,
                    b @ (0x00 | 0xD0..=0xD7) => {
                        w.write_all(&[0xFF, b])?;
                        break;
                    }
                    m => return Ok(m),
                }
            }
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
pub(super) mod tests {
    use super::super::tests_util::*;
    use super::*;

    pub(crate) const TINY: &[u8] = include_bytes!("testdata/tiny.jpg");
    const TINY_PROGRESSIVE: &[u8] = include_bytes!("testdata/tiny-progressive.jpg");

    /// Big-endian EXIF TIFF with Make, Orientation, a GPS IFD and an IFD1.
    fn exif_block(orientation: u16) -> Vec<u8> {
        let mut t = Vec::new();
        t.extend_from_slice(b"MM\0*\0\0\0\x08");
        // IFD0 at 8: 4 entries -> 2 + 48 + 4 = 54 bytes, values after at 62.
        t.extend_from_slice(&4u16.to_be_bytes());
        let make = b"CANARY-CAM-SERIAL-123\0";
        let gps_ifd_at: u32 = 62 + make.len() as u32;
        // Make (ASCII, offset 62)
        t.extend_from_slice(&[0x01, 0x0F, 0x00, 0x02]);
        t.extend_from_slice(&(make.len() as u32).to_be_bytes());
        t.extend_from_slice(&62u32.to_be_bytes());
        // Orientation
        t.extend_from_slice(&[0x01, 0x12, 0x00, 0x03, 0, 0, 0, 1]);
        t.extend_from_slice(&orientation.to_be_bytes());
        t.extend_from_slice(&[0, 0]);
        // DateTime inline? (too long) -> use Software with 4 bytes inline.
        t.extend_from_slice(&[0x01, 0x31, 0x00, 0x02, 0, 0, 0, 4]);
        t.extend_from_slice(b"Sw1\0");
        // GPS pointer
        t.extend_from_slice(&[0x88, 0x25, 0x00, 0x04, 0, 0, 0, 1]);
        t.extend_from_slice(&gps_ifd_at.to_be_bytes());
        t.extend_from_slice(&0u32.to_be_bytes()); // next IFD (none)
        assert_eq!(t.len(), 62);
        t.extend_from_slice(make);
        // GPS IFD: one ASCII entry (GPSAreaInformation-ish) with a canary.
        let gps = b"CANARY-GPS +48.8577+002.2950/\0";
        t.extend_from_slice(&1u16.to_be_bytes());
        t.extend_from_slice(&[0x00, 0x1C, 0x00, 0x02]);
        t.extend_from_slice(&(gps.len() as u32).to_be_bytes());
        let val_at = t.len() as u32 + 8;
        t.extend_from_slice(&val_at.to_be_bytes());
        t.extend_from_slice(&0u32.to_be_bytes());
        t.extend_from_slice(gps);
        t
    }

    fn segment(marker: u8, body: &[u8]) -> Vec<u8> {
        let mut s = vec![0xFF, marker];
        s.extend_from_slice(&((body.len() + 2) as u16).to_be_bytes());
        s.extend_from_slice(body);
        s
    }

    /// tiny.jpg with EXIF (GPS, orientation), XMP, extended XMP, IPTC, COM,
    /// ICC, a JFIF thumbnail and a trailer after EOI.
    pub(crate) fn fixture(base: &[u8], orientation: u16) -> Vec<u8> {
        let mut exif = b"Exif\0\0".to_vec();
        exif.extend_from_slice(&exif_block(orientation));
        let mut xmp = XMP_NS.to_vec();
        xmp.extend_from_slice(
            b"<x:xmpmeta><dc:creator>Jane Canary</dc:creator><exif:GPSLatitude>48,51.46N</exif:GPSLatitude></x:xmpmeta>",
        );
        let mut xmp_ext = XMP_EXT_NS.to_vec();
        xmp_ext
            .extend_from_slice(b"0123456789ABCDEF0123456789ABCDEF\0\0\0\x10\0\0\0\0CANARY-XMPEXT");
        let mut jfif_thumb = b"JFIF\0\x01\x01\0\0\x01\0\x01\x01\x01".to_vec();
        jfif_thumb.extend_from_slice(&[1, 2, 3]);
        let mut out = vec![0xFF, 0xD8];
        out.extend(segment(0xE0, &jfif_thumb));
        out.extend(segment(0xE1, &exif));
        out.extend(segment(0xE1, &xmp));
        out.extend(segment(0xE1, &xmp_ext));
        out.extend(segment(0xE2, b"ICC_PROFILE\0\x01\x01CANARY-ICC"));
        out.extend(segment(
            0xED,
            b"Photoshop 3.0\08BIM\x04\x04CANARY-IPTC Jane Canary",
        ));
        out.extend(segment(0xFE, b"CANARY-COMMENT"));
        // Skip the base file's SOI and APP0.
        let rest = &base[2..];
        let rest = if rest.starts_with(&[0xFF, 0xE0]) {
            let l = u16::from_be_bytes([rest[2], rest[3]]) as usize;
            &rest[2 + l..]
        } else {
            rest
        };
        out.extend_from_slice(rest);
        out.extend_from_slice(b"TRAILER-CANARY-MOTION-PHOTO");
        out
    }

    const CANARIES: &[&[u8]] = &[
        b"CANARY",
        b"Jane Canary",
        b"+48.8577+002.2950/",
        b"Photoshop",
        b"ICC_PROFILE",
        b"http://ns.adobe.com",
    ];

    #[test]
    fn strips_all_metadata_and_keeps_orientation() {
        for base in [TINY, TINY_PROGRESSIVE] {
            let input = fixture(base, 6);
            assert!(contains(&input, b"CANARY-GPS"));
            let (res, out) = run(Kind::Jpeg, &input);
            let Outcome::Cleaned { removed } = res.unwrap() else {
                panic!("expected Cleaned")
            };
            for cat in [
                Removed::Location,
                Removed::Camera,
                Removed::Author,
                Removed::Comments,
                Removed::Thumbnail,
                Removed::Software,
            ] {
                assert!(removed.contains(&cat), "{cat} missing from {removed:?}");
            }
            for c in CANARIES {
                assert!(
                    !contains(&out, c),
                    "{:?} leaked",
                    String::from_utf8_lossy(c)
                );
            }
            // Minimal EXIF with orientation 6 is present.
            assert!(contains(&out, &minimal_exif(6)));
            assert_jpeg_structure(&out);
            let img = image::load_from_memory_with_format(&out, image::ImageFormat::Jpeg).unwrap();
            assert_eq!((img.width(), img.height()), (16, 16));
            // Idempotent.
            let (res2, out2) = run(Kind::Jpeg, &out);
            assert_eq!(res2.unwrap(), Outcome::KeptOriginal);
            assert_eq!(out2, out);
        }
    }

    #[test]
    fn orientation_one_is_not_written_back() {
        let (res, out) = run(Kind::Jpeg, &fixture(TINY, 1));
        assert!(matches!(res, Ok(Outcome::Cleaned { .. })));
        assert!(!contains(&out, b"Exif"));
        // In memory, without orientation (PDF use).
        let (out2, _) = strip_bytes(&fixture(TINY, 6), false).unwrap();
        assert!(!contains(&out2, b"Exif"));
    }

    #[test]
    fn clean_jpeg_is_kept_byte_identical() {
        let (res, out) = run(Kind::Jpeg, TINY);
        assert_eq!(res.unwrap(), Outcome::KeptOriginal);
        assert_eq!(out, TINY);
    }

    #[test]
    fn truncated_jpeg_is_error() {
        let input = fixture(TINY, 6);
        let end = input.len() - b"TRAILER-CANARY-MOTION-PHOTO".len();
        for cut in (0..end).step_by(7) {
            let (res, _) = run(Kind::Jpeg, &input[..cut]);
            assert!(res.is_err(), "cut at {cut} accepted");
        }
        // Missing EOI only.
        let (res, _) = run(Kind::Jpeg, &TINY[..TINY.len() - 2]);
        assert!(res.is_err());
    }

    #[test]
    fn garbage_is_malformed() {
        for bad in [
            &b"\xFF\xD8\xFF\x02\x00\x02"[..],
            b"\xFF\xD8\x00",
            b"\xFF\xD8\xFF\xD9",
        ] {
            let (res, _) = run(Kind::Jpeg, bad);
            assert!(matches!(res, Err(SanitizeError::Malformed { .. })));
        }
    }

    /// Walk markers and check that every segment is well-formed up to SOS and
    /// the file ends with EOI.
    pub(crate) fn assert_jpeg_structure(d: &[u8]) {
        assert_eq!(&d[..2], &[0xFF, 0xD8]);
        assert_eq!(&d[d.len() - 2..], &[0xFF, 0xD9]);
        let mut i = 2;
        loop {
            assert_eq!(d[i], 0xFF, "marker expected at {i}");
            let m = d[i + 1];
            let l = u16::from_be_bytes([d[i + 2], d[i + 3]]) as usize;
            assert!(i + 2 + l <= d.len());
            assert!(
                !matches!(m, 0xE1..=0xED | 0xEF | 0xFE)
                    || (m == 0xE1 && d[i + 4..].starts_with(b"Exif\0\0MM"))
            );
            if m == 0xDA {
                break;
            }
            i += 2 + l;
        }
    }
}
