//! WebP metadata stripping (in memory).
//!
//! Walks the RIFF chunks, drops EXIF, XMP and any chunk not needed to render
//! (VP8, VP8L, VP8X, ALPH, ANIM, ANMF, ICCP are kept), clears the EXIF/XMP
//! flags in VP8X and rewrites the RIFF size. Data after the RIFF is dropped.
//! Must never pass an unparsed file through, and never panic.

use std::io::Write;

use super::{Found, Kind, Outcome, Removed, SanitizeError, classify_xmp, le32, malformed};

/// Strip a whole WebP file held in memory.
pub(super) fn strip(data: &[u8], output: &mut dyn Write) -> Result<Outcome, SanitizeError> {
    let (out, found) = strip_bytes(data)?;
    output.write_all(&out)?;
    Ok(found.outcome())
}

/// Strip a WebP held in memory; returns the new file and what was removed.
pub(super) fn strip_bytes(data: &[u8]) -> Result<(Vec<u8>, Found), SanitizeError> {
    let bad = |d: &str| malformed(K, d.to_string());
    if data.get(..4) != Some(b"RIFF") || data.get(8..12) != Some(b"WEBP") {
        return Err(bad("bad RIFF header"));
    }
    let riff_size = le32(data, 4).ok_or_else(|| bad("truncated"))? as usize;
    let end = riff_size.checked_add(8).ok_or_else(|| bad("bad size"))?;
    let body = data.get(12..end).ok_or_else(|| bad("truncated"))?;
    let mut found = Found::default();
    if data.len() > end {
        found.add(Removed::Other);
    }
    let mut out = b"RIFF\0\0\0\0WEBP".to_vec();
    let mut pos = 0usize;
    let mut vp8x_at: Option<usize> = None;
    let mut has_image = false;
    while pos < body.len() {
        let fourcc = body
            .get(pos..pos + 4)
            .ok_or_else(|| bad("truncated chunk"))?;
        let size = le32(body, pos + 4).ok_or_else(|| bad("truncated chunk"))? as usize;
        let padded = size.checked_add(size & 1).ok_or_else(|| bad("bad chunk"))?;
        let start = pos + 8;
        let stop = start.checked_add(padded).ok_or_else(|| bad("bad chunk"))?;
        let chunk = body.get(pos..stop).ok_or_else(|| bad("chunk past end"))?;
        match fourcc {
            b"VP8X" => {
                if vp8x_at.is_some() || pos != 0 || size < 10 {
                    return Err(bad("misplaced VP8X"));
                }
                vp8x_at = Some(out.len());
                out.extend_from_slice(chunk);
            }
            b"VP8 " | b"VP8L" | b"ANMF" => {
                has_image = true;
                out.extend_from_slice(chunk);
            }
            b"ALPH" | b"ANIM" | b"ICCP" => out.extend_from_slice(chunk),
            b"EXIF" => {
                let payload = chunk.get(8..8 + size).unwrap_or(&[]);
                // Some writers prefix the TIFF with "Exif\0\0".
                let tiff = payload.strip_prefix(b"Exif\0\0").unwrap_or(payload);
                super::tiff::exif_summary(tiff, &mut found);
            }
            b"XMP " => classify_xmp(chunk, &mut found),
            _ => found.add(Removed::Other),
        }
        pos = stop;
    }
    if !has_image {
        return Err(bad("no image data"));
    }
    if let Some(at) = vp8x_at {
        // Flags byte follows the 8-byte chunk header: clear EXIF (0x08) and XMP (0x04).
        if let Some(flags) = out.get_mut(at + 8)
            && *flags & 0x0C != 0
        {
            *flags &= !0x0C;
            found.changed = true;
        }
    }
    let new_size = u32::try_from(out.len() - 8).map_err(|_| bad("too large"))?;
    if let Some(dst) = out.get_mut(4..8) {
        dst.copy_from_slice(&new_size.to_le_bytes());
    }
    Ok((out, found))
}

// ---------------------------------------------------------------------------

const K: Kind = Kind::Webp;

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
pub(super) mod tests {
    use super::super::tests_util::*;
    use super::*;

    fn chunk(fourcc: &[u8; 4], data: &[u8]) -> Vec<u8> {
        let mut c = fourcc.to_vec();
        c.extend_from_slice(&(data.len() as u32).to_le_bytes());
        c.extend_from_slice(data);
        if data.len() % 2 == 1 {
            c.push(0);
        }
        c
    }

    /// 1x1 lossless WebP (VP8L) wrapped in VP8X with EXIF and XMP chunks.
    pub(crate) fn fixture() -> Vec<u8> {
        // Generated with ImageMagick: `convert -size 1x1 xc:red -define webp:lossless=true`.
        let vp8l = [
            0x2F, 0x00, 0x00, 0x00, 0x00, 0x07, 0x10, 0xFD, 0x8F, 0xFE, 0x07, 0x22, 0xA2, 0xFF,
            0x01,
        ];
        let mut vp8x = vec![0x0C, 0, 0, 0]; // EXIF + XMP flags
        vp8x.extend_from_slice(&[0, 0, 0, 0, 0, 0]); // canvas 1x1 (minus one)
        let mut body = b"WEBP".to_vec();
        body.extend(chunk(b"VP8X", &vp8x));
        body.extend(chunk(b"VP8L", &vp8l));
        body.extend(chunk(b"EXIF", b"MM\0*\0\0\0\x08\0\0\0\0\0\0CANARY-EXIF"));
        body.extend(chunk(
            b"XMP ",
            b"<x:xmpmeta><dc:creator>Jane Canary</dc:creator></x:xmpmeta>",
        ));
        let mut f = b"RIFF".to_vec();
        f.extend_from_slice(&(body.len() as u32).to_le_bytes());
        f.extend(body);
        f
    }

    #[test]
    fn strips_exif_xmp_and_fixes_flags() {
        let input = fixture();
        let (res, out) = run(Kind::Webp, &input);
        let Outcome::Cleaned { removed } = res.unwrap() else {
            panic!()
        };
        assert!(removed.contains(&Removed::Author));
        assert!(!contains(&out, b"CANARY"));
        assert!(!contains(&out, b"Jane"));
        assert_eq!(out[20] & 0x0C, 0);
        assert_eq!(
            u32::from_le_bytes(out[4..8].try_into().unwrap()) as usize,
            out.len() - 8
        );
        let img = image::load_from_memory_with_format(&out, image::ImageFormat::WebP).unwrap();
        assert_eq!((img.width(), img.height()), (1, 1));
    }

    #[test]
    fn truncated_webp_is_error() {
        let input = fixture();
        for cut in 0..input.len() {
            let (res, _) = run(Kind::Webp, &input[..cut]);
            assert!(res.is_err(), "cut {cut}");
        }
    }
}
