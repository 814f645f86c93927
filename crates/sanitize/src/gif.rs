//! GIF metadata stripping, streamed block by block.
//!
//! Drops comment extensions and every application extension except the
//! NETSCAPE2.0 / ANIMEXTS1.0 looping blocks (XMP and ICC live in application
//! extensions). Graphic control, plain text and image blocks are kept. Data
//! after the trailer is dropped. Memory: one 255-byte sub-block at a time.
//! Must never pass an unparsed block through, and never panic.

use std::io::{self, BufReader, BufWriter, Read, Write};

use super::{Found, Kind, Outcome, Removed, SanitizeError, classify_xmp, malformed, read_err};

/// Stream-strip a GIF from `input` to `output`.
pub(super) fn strip(
    input: &mut dyn Read,
    output: &mut dyn Write,
) -> Result<Outcome, SanitizeError> {
    let mut r = BufReader::new(input);
    let mut w = BufWriter::new(output);
    let found = strip_gif(&mut r, &mut w)?;
    w.flush()?;
    Ok(found.outcome())
}

/// Strip a GIF held in memory (images inside office documents).
pub(super) fn strip_bytes(data: &[u8]) -> Result<(Vec<u8>, Found), SanitizeError> {
    let mut out = Vec::with_capacity(data.len());
    let mut r = data;
    let found = strip_gif(&mut r, &mut out)?;
    Ok((out, found))
}

// ---------------------------------------------------------------------------

const K: Kind = Kind::Gif;

fn strip_gif(r: &mut dyn Read, w: &mut dyn Write) -> Result<Found, SanitizeError> {
    let mut found = Found::default();
    // Header (6) + logical screen descriptor (7).
    let mut head = [0u8; 13];
    r.read_exact(&mut head).map_err(read_err(K))?;
    if !(head.starts_with(b"GIF87a") || head.starts_with(b"GIF89a")) {
        return Err(malformed(K, "bad signature"));
    }
    w.write_all(&head)?;
    let flags = head[10];
    if flags & 0x80 != 0 {
        copy_n(r, w, color_table_len(flags))?;
    }
    loop {
        let mut b = [0u8; 1];
        r.read_exact(&mut b).map_err(read_err(K))?;
        match b[0] {
            0x2C => {
                let mut desc = [0u8; 9];
                r.read_exact(&mut desc).map_err(read_err(K))?;
                w.write_all(&[0x2C])?;
                w.write_all(&desc)?;
                if desc[8] & 0x80 != 0 {
                    copy_n(r, w, color_table_len(desc[8]))?;
                }
                // LZW minimum code size, then data sub-blocks.
                copy_n(r, w, 1)?;
                sub_blocks(r, Some(w), None)?;
            }
            0x21 => {
                let mut label = [0u8; 1];
                r.read_exact(&mut label).map_err(read_err(K))?;
                match label[0] {
                    0xFE => {
                        sub_blocks(r, None, None)?;
                        found.add(Removed::Comments);
                    }
                    0xFF => application(r, w, &mut found)?,
                    // Graphic control, plain text and anything else we keep:
                    // they are rendering instructions, not metadata.
                    l => {
                        w.write_all(&[0x21, l])?;
                        sub_blocks(r, Some(w), None)?;
                    }
                }
            }
            0x3B => {
                w.write_all(&[0x3B])?;
                let extra = io::copy(r, &mut io::sink())?;
                if extra > 0 {
                    found.add(Removed::Other);
                }
                return Ok(found);
            }
            _ => return Err(malformed(K, "unknown block")),
        }
    }
}

/// Bytes of a colour table whose size is coded in the low bits of `flags`.
fn color_table_len(flags: u8) -> usize {
    3 * (1usize << ((flags & 0x07) + 1))
}

fn copy_n(r: &mut dyn Read, w: &mut dyn Write, n: usize) -> Result<(), SanitizeError> {
    let mut buf = [0u8; 768];
    let chunk = buf.get_mut(..n).ok_or_else(|| malformed(K, "internal"))?;
    r.read_exact(chunk).map_err(read_err(K))?;
    w.write_all(chunk)?;
    Ok(())
}

/// Pass a sub-block chain (size byte, data, ..., 0), copying to `w` if given
/// and collecting up to 64 KiB into `keep` if given.
fn sub_blocks(
    r: &mut dyn Read,
    mut w: Option<&mut dyn Write>,
    mut keep: Option<&mut Vec<u8>>,
) -> Result<(), SanitizeError> {
    let mut buf = [0u8; 255];
    loop {
        let mut n = [0u8; 1];
        r.read_exact(&mut n).map_err(read_err(K))?;
        let n = usize::from(n[0]);
        let data = buf.get_mut(..n).ok_or_else(|| malformed(K, "internal"))?;
        r.read_exact(data).map_err(read_err(K))?;
        if let Some(w) = w.as_mut() {
            w.write_all(&[n as u8])?;
            w.write_all(data)?;
        }
        if let Some(k) = keep.as_mut()
            && k.len() < 65536
        {
            k.extend_from_slice(data);
        }
        if n == 0 {
            return Ok(());
        }
    }
}

/// Application extension: keep the looping block, drop everything else.
fn application(
    r: &mut dyn Read,
    w: &mut dyn Write,
    found: &mut Found,
) -> Result<(), SanitizeError> {
    let mut n = [0u8; 1];
    r.read_exact(&mut n).map_err(read_err(K))?;
    let mut ident = vec![0u8; usize::from(n[0])];
    r.read_exact(&mut ident).map_err(read_err(K))?;
    if ident == b"NETSCAPE2.0" || ident == b"ANIMEXTS1.0" {
        w.write_all(&[0x21, 0xFF, n[0]])?;
        w.write_all(&ident)?;
        sub_blocks(r, Some(w), None)
    } else if ident == b"XMP DataXMP" {
        let mut xmp = Vec::new();
        sub_blocks(r, None, Some(&mut xmp))?;
        classify_xmp(&xmp, found);
        Ok(())
    } else {
        sub_blocks(r, None, None)?;
        found.add(Removed::Other);
        Ok(())
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
pub(super) mod tests {
    use super::super::tests_util::*;
    use super::*;

    /// 1x1 GIF89a with looping, comment, XMP and an unknown app extension.
    pub(crate) fn fixture() -> Vec<u8> {
        let mut g = b"GIF89a\x01\x00\x01\x00\x80\x00\x00".to_vec();
        g.extend_from_slice(&[0, 0, 0, 255, 255, 255]); // 2-colour table
        g.extend_from_slice(b"\x21\xFF\x0BNETSCAPE2.0\x03\x01\x00\x00\x00");
        g.extend_from_slice(b"\x21\xFE\x0ECANARY-COMMENT\x00");
        g.extend_from_slice(b"\x21\xFF\x0BXMP DataXMP\x10<dc:creator>Jane\x04 Can\x00");
        g.extend_from_slice(b"\x21\xFF\x0BCANARYAPP01\x03abc\x00");
        g.extend_from_slice(b"\x21\xF9\x04\x00\x00\x00\x00\x00");
        g.extend_from_slice(b"\x2C\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02\x44\x01\x00");
        g.push(0x3B);
        g.extend_from_slice(b"CANARY-TRAILER");
        g
    }

    #[test]
    fn strips_comments_and_app_blocks() {
        let (res, out) = run(Kind::Gif, &fixture());
        let Outcome::Cleaned { removed } = res.unwrap() else {
            panic!()
        };
        assert!(removed.contains(&Removed::Comments));
        assert!(removed.contains(&Removed::Author));
        assert!(!contains(&out, b"CANARY"));
        assert!(!contains(&out, b"Jane"));
        assert!(contains(&out, b"NETSCAPE2.0"));
        let img = image::load_from_memory_with_format(&out, image::ImageFormat::Gif).unwrap();
        assert_eq!((img.width(), img.height()), (1, 1));
        let (res2, out2) = run(Kind::Gif, &out);
        assert_eq!(res2.unwrap(), Outcome::KeptOriginal);
        assert_eq!(out, out2);
    }

    #[test]
    fn truncated_gif_is_error() {
        let input = fixture();
        let end = input.len() - b"CANARY-TRAILER".len();
        for cut in 0..end {
            let (res, _) = run(Kind::Gif, &input[..cut]);
            assert!(res.is_err(), "cut {cut}");
        }
    }
}
