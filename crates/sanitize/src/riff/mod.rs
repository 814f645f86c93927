//! Metadata stripping for RIFF and IFF files: WAV (`RIFF…WAVE`), AIFF and
//! AIFF-C (`FORM…AIFF`, `FORM…AIFC`, big-endian) and AVI (`RIFF…AVI `).
//!
//! Both are lists of chunks (`id`, `size`, data, a pad byte when the size is
//! odd). What is kept is an allow-list of what playback needs; every other
//! chunk goes, whatever its name, since vendors put anything in their own.
//!
//! **WAV / AIFF** keep `fmt `, `fact` and `data` (WAV) or `COMM`, `FVER`,
//! `CHAN` and `SSND` (AIFF; `FVER` is set to the one version stamp the
//! AIFF-C specification defines, since it is a time) and drop the rest: `LIST INFO` (artist, software,
//! creation date), `LIST adtl` and `cue ` (marker labels), `bext` (Broadcast
//! WAV originator, date, coding history), `iXML`, `axml`, `_PMX` (XMP),
//! `id3 `/`ID3 `, `DISP`, `cart`, `NAME`, `AUTH`, `(c) `, `ANNO`, `COMT`,
//! `APPL`, `MARK`, `INST`, `JUNK`, and bytes after the declared end (an
//! appended ID3 tag). The sound data can be gigabytes, so it is copied in
//! 8 KiB pieces; the chunks kept before it are held in memory, together at
//! most [`Limits::mp4_max_box`](super::Limits) bytes, so that the header can be
//! written with the cleaned file's size before the sound data goes out.
//! Chunks after the sound data are read and dropped; the format chunk
//! (`fmt `/`COMM`) after it is refused as unsupported, since the header is
//! already written by then. `fact` keeps only its sample count. RF64 and
//! BW64 (64-bit WAV) keep their `ds64` chunk with the sizes written anew;
//! one with a table of other chunks' 64-bit sizes is refused as unsupported.
//!
//! **AVI** is rewritten in place, byte for byte the same length: a dropped
//! chunk becomes a `JUNK` chunk of the same size filled with zeros, and
//! `JUNK` chunks are zeroed. Removing chunks would shift every later byte,
//! and OpenDML super-indexes (`indx`) hold absolute file offsets of the
//! index chunks inside `movi`: a shifted file plays until the first seek
//! past 1 GiB, then fails. Kept: `hdrl` with `avih`, each `strl`'s `strh`,
//! `strf`, `indx` and `vprp`, `odml`'s `dmlh`, `movi` (the media, copied as
//! it is) and `idx1`, in the first `RIFF AVI ` and in each `RIFF AVIX`
//! extension. Zeroed: `LIST INFO`, `IDIT` and `ISMP` (dates, timecode),
//! `strd` (camera data), `strn` (stream names), `LIST Tdat`/`ncdt`
//! (Nikon/Canon), `_PMX` (XMP), `JUNK` and any chunk not named above.
//! Nothing is held in memory but a 4 KiB look at each dropped chunk, kept to
//! tell the reviewer what it held (64 KiB for XMP).
//!
//! Damage (a truncated chunk, a size past the end, a chunk id that is not
//! text) is `Malformed`, never a pass-through. Nothing here recurses beyond
//! three fixed levels or loops without consuming input.

use std::io::{self, BufReader, BufWriter, Read, Write};

use super::{Kind, Outcome, SanitizeError, malformed, read_err, read_up_to};

mod audio;
mod avi;

use audio::{AIFF, WAV, strip_audio};
use avi::avi;

/// Bytes of a dropped chunk kept to classify what it held.
const PEEK: usize = 4096;
/// Bytes of a dropped XMP packet kept to classify what it held.
const PEEK_XMP: usize = 64 * 1024;

/// Stream-strip a WAV file (kind [`Kind::Wav`]).
pub(super) fn strip_wav(
    input: &mut dyn Read,
    output: &mut dyn Write,
    max_chunk: u64,
) -> Result<Outcome, SanitizeError> {
    strip_audio(input, output, &WAV, max_chunk)
}

/// Stream-strip an AIFF or AIFF-C file (kind [`Kind::Aiff`]).
pub(super) fn strip_aiff(
    input: &mut dyn Read,
    output: &mut dyn Write,
    max_chunk: u64,
) -> Result<Outcome, SanitizeError> {
    strip_audio(input, output, &AIFF, max_chunk)
}

/// Stream-strip an AVI file (kind [`Kind::Avi`]).
pub(super) fn strip_avi(
    input: &mut dyn Read,
    output: &mut dyn Write,
) -> Result<Outcome, SanitizeError> {
    let mut r = BufReader::new(input);
    let mut w = BufWriter::new(output);
    let found = avi(&mut r, &mut w)?;
    w.flush()?;
    Ok(found.outcome())
}

/// Whether `p` starts like a WAV file (RIFF, or RF64/BW64, with `WAVE`).
pub(super) fn looks_like_wav(p: &[u8]) -> bool {
    let magic = p.get(..4);
    matches!(magic, Some(b"RIFF" | b"RF64" | b"BW64")) && p.get(8..12) == Some(b"WAVE")
}

/// Whether `p` starts like an AIFF or AIFF-C file.
pub(super) fn looks_like_aiff(p: &[u8]) -> bool {
    p.get(..4) == Some(b"FORM") && matches!(p.get(8..12), Some(b"AIFF" | b"AIFC"))
}

/// Whether `p` starts like an AVI file.
pub(super) fn looks_like_avi(p: &[u8]) -> bool {
    p.get(..4) == Some(b"RIFF") && p.get(8..12) == Some(b"AVI ")
}

// ---------------------------------------------------------------------------
// Chunk reading shared by both layouts.
// ---------------------------------------------------------------------------

#[derive(Clone, Copy, PartialEq, Eq)]
enum Order {
    Little,
    Big,
}

impl Order {
    fn get(self, b: [u8; 4]) -> u32 {
        match self {
            Order::Little => u32::from_le_bytes(b),
            Order::Big => u32::from_be_bytes(b),
        }
    }
    fn put(self, v: u32) -> [u8; 4] {
        match self {
            Order::Little => v.to_le_bytes(),
            Order::Big => v.to_be_bytes(),
        }
    }
}

/// A chunk id must be four printable ASCII characters; anything else means
/// the walk has lost its place (a wrong size before it).
fn check_id(kind: Kind, id: &[u8; 4]) -> Result<(), SanitizeError> {
    if id.iter().all(|b| (0x20..=0x7E).contains(b)) {
        Ok(())
    } else {
        Err(malformed(
            kind,
            "chunk id is not text (a chunk size is wrong)",
        ))
    }
}

/// Read a chunk header, or `None` at a clean end of input.
fn read_header(
    r: &mut dyn Read,
    kind: Kind,
    order: Order,
) -> Result<Option<([u8; 4], u32)>, SanitizeError> {
    let mut h = [0u8; 8];
    let got = read_up_to(r, &mut h, kind)?;
    if got == 0 {
        return Ok(None);
    }
    if got < h.len() {
        return Err(malformed(kind, "truncated chunk header"));
    }
    let [a, b, c, d, s0, s1, s2, s3] = h;
    let id = [a, b, c, d];
    check_id(kind, &id)?;
    Ok(Some((id, order.get([s0, s1, s2, s3]))))
}

/// Read one optional byte: `None` at the end of input.
fn read_byte(r: &mut dyn Read) -> Result<Option<u8>, SanitizeError> {
    let mut b = [0u8; 1];
    loop {
        match r.read(&mut b) {
            Ok(0) => return Ok(None),
            Ok(_) => return Ok(Some(b[0])),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(SanitizeError::Io(e)),
        }
    }
}

/// What to do with a chunk's data bytes while passing over them.
enum Sink<'a> {
    /// Copy them.
    Copy(&'a mut dyn Write),
    /// Write as many zeros.
    Zero(&'a mut dyn Write),
    /// Drop them.
    Drop,
}

/// Pass over `len` data bytes: copy, zero or drop them, keeping up to `want`
/// leading bytes in `peek`. Returns whether any byte was not zero.
fn pass(
    r: &mut dyn Read,
    mut sink: Sink<'_>,
    len: u64,
    kind: Kind,
    peek: &mut Vec<u8>,
    want: usize,
) -> Result<bool, SanitizeError> {
    let mut buf = [0u8; 8192];
    let zeros = [0u8; 8192];
    let mut left = len;
    let mut nonzero = false;
    while left > 0 {
        let n = usize::try_from(left.min(buf.len() as u64)).unwrap_or(buf.len());
        let piece = buf
            .get_mut(..n)
            .ok_or_else(|| malformed(kind, "internal"))?;
        r.read_exact(piece).map_err(read_err(kind))?;
        nonzero |= piece.iter().any(|b| *b != 0);
        let room = want.saturating_sub(peek.len()).min(piece.len());
        peek.extend_from_slice(piece.get(..room).unwrap_or(&[]));
        match &mut sink {
            Sink::Copy(w) => w.write_all(piece)?,
            Sink::Zero(w) => w.write_all(zeros.get(..n).unwrap_or(&[]))?,
            Sink::Drop => {}
        }
        left -= n as u64;
    }
    Ok(nonzero)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
pub(crate) mod tests;
