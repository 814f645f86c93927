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

use super::{Found, Kind, Outcome, Removed, SanitizeError, malformed, read_err, read_up_to};

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

// ---------------------------------------------------------------------------
// WAV and AIFF: rebuilt from an allow-list.
// ---------------------------------------------------------------------------

struct Audio {
    kind: Kind,
    order: Order,
    /// The outer chunk id.
    outer: &'static [u8; 4],
    /// Accepted form types.
    forms: &'static [&'static [u8; 4]],
    /// The chunk that must come before the sound data.
    format: &'static [u8; 4],
    /// The sound data chunk, streamed.
    sound: &'static [u8; 4],
    /// Other chunks kept (before the sound data).
    keep: &'static [&'static [u8; 4]],
}

const WAV: Audio = Audio {
    kind: Kind::Wav,
    order: Order::Little,
    outer: b"RIFF",
    forms: &[b"WAVE"],
    format: b"fmt ",
    sound: b"data",
    keep: &[b"fact"],
};

const AIFF: Audio = Audio {
    kind: Kind::Aiff,
    order: Order::Big,
    outer: b"FORM",
    forms: &[b"AIFF", b"AIFC"],
    format: b"COMM",
    sound: b"SSND",
    // FVER: the AIFF-C version stamp; CHAN: the channel layout.
    keep: &[b"FVER", b"CHAN"],
};

/// The contents of every AIFF-C `FVER` chunk: version 1, a timestamp
/// (23 May 1990, 14:40) fixed by the specification.
const AIFC_VERSION: [u8; 4] = [0xA2, 0x80, 0x51, 0x40];

/// Length of a `ds64` chunk without its table (riff size, data size,
/// sample count, table length).
const DS64_LEN: u64 = 28;

/// What a `ds64` chunk says.
struct Ds64 {
    /// Its own size.
    size: u64,
    /// The 64-bit RIFF size.
    riff: u64,
    /// The 64-bit size of the sound data.
    data: u64,
    /// The sample count, copied as it is.
    samples: [u8; 8],
    /// Bytes of chunks left after it, by the RIFF size.
    left: u64,
}

/// Read the `ds64` chunk that must open an RF64/BW64 file.
fn read_ds64(r: &mut dyn Read, declared: u32, max_chunk: u64) -> Result<Ds64, SanitizeError> {
    let k = Kind::Wav;
    if declared != u32::MAX {
        return Err(malformed(k, "64-bit WAV without its size marker"));
    }
    let Some((id, size)) = read_header(r, k, Order::Little)? else {
        return Err(malformed(k, "truncated"));
    };
    let size = u64::from(size);
    if &id != b"ds64" || size < DS64_LEN {
        return Err(malformed(k, "64-bit WAV without its ds64 chunk"));
    }
    if size > max_chunk {
        return Err(SanitizeError::TooLarge { limit: max_chunk });
    }
    let mut d = Vec::new();
    r.take(size + size % 2)
        .read_to_end(&mut d)
        .map_err(read_err(k))?;
    let u64_at = |i: usize| -> u64 {
        let mut b = [0u8; 8];
        b.copy_from_slice(d.get(i..i + 8).unwrap_or(&[0; 8]));
        u64::from_le_bytes(b)
    };
    if (d.len() as u64) < size {
        return Err(malformed(k, "truncated"));
    }
    let table = d
        .get(24..28)
        .map_or(0, |t| u32::from_le_bytes([t[0], t[1], t[2], t[3]]));
    if table != 0 {
        return Err(SanitizeError::Unsupported {
            kind: k,
            detail: "64-bit WAV chunk sizes other than the sound data's are not supported",
        });
    }
    let riff = u64_at(0);
    let left = riff
        .checked_sub(4 + 8 + size + size % 2)
        .ok_or_else(|| malformed(k, "file size too small"))?;
    let mut samples = [0u8; 8];
    samples.copy_from_slice(d.get(16..24).unwrap_or(&[0; 8]));
    Ok(Ds64 {
        size,
        riff,
        data: u64_at(8),
        samples,
        left,
    })
}

/// The pad byte after a chunk of odd size: `None` when the input ended
/// instead (some writers leave it out of the last chunk).
fn read_pad(r: &mut dyn Read, size: u64) -> Result<Option<u8>, SanitizeError> {
    if size % 2 == 0 {
        return Ok(Some(0));
    }
    read_byte(r)
}

fn strip_audio(
    input: &mut dyn Read,
    output: &mut dyn Write,
    a: &Audio,
    max_chunk: u64,
) -> Result<Outcome, SanitizeError> {
    let mut r = BufReader::new(input);
    let mut w = BufWriter::new(output);
    let found = audio(&mut r, &mut w, a, max_chunk)?;
    w.flush()?;
    Ok(found.outcome())
}

fn audio(
    r: &mut dyn Read,
    w: &mut dyn Write,
    a: &Audio,
    max_chunk: u64,
) -> Result<Found, SanitizeError> {
    let k = a.kind;
    let mut head = [0u8; 12];
    r.read_exact(&mut head).map_err(read_err(k))?;
    let [m0, m1, m2, m3, s0, s1, s2, s3, f0, f1, f2, f3] = head;
    let magic = [m0, m1, m2, m3];
    let form = [f0, f1, f2, f3];
    // RF64 / BW64: 64-bit WAV, whose sizes are in a `ds64` chunk first.
    let wide = k == Kind::Wav && (&magic == b"RF64" || &magic == b"BW64");
    if (&magic != a.outer && !wide) || !a.forms.contains(&&form) {
        return Err(malformed(k, "bad header"));
    }
    let declared = a.order.get([s0, s1, s2, s3]);
    if declared < 4 {
        return Err(malformed(k, "file size too small"));
    }
    let ds64 = if wide {
        Some(read_ds64(r, declared, max_chunk)?)
    } else {
        None
    };
    // Bytes of chunks the header says follow; unknown when a writer that
    // could not seek back left 0xFFFFFFFF.
    let mut left: Option<u64> = match (&ds64, declared) {
        (Some(d), _) => Some(d.left),
        (None, 0xFFFF_FFFF) => None,
        (None, n) => Some(u64::from(n) - 4),
    };
    let mut found = Found::default();
    let mut kept: Vec<u8> = Vec::new();
    let mut have_format = false;

    // Chunks before the sound data: kept ones are held, the rest dropped.
    let sound_size = loop {
        if left == Some(0) {
            return Err(malformed(k, "no sound data"));
        }
        let Some((id, size32)) = read_header(r, k, a.order)? else {
            return Err(malformed(k, "no sound data"));
        };
        let size = match &ds64 {
            Some(d) if &id == a.sound && size32 == u32::MAX => d.data,
            _ => u64::from(size32),
        };
        within(&mut left, size, k)?;
        if &id == a.sound {
            if !have_format {
                // WAV requires this order; AIFF allows it, but the format
                // chunk would come after the header is written.
                if k == Kind::Aiff {
                    return Err(SanitizeError::Unsupported {
                        kind: k,
                        detail: "sound data before its format chunk is not supported",
                    });
                }
                return Err(malformed(k, "sound data before its format chunk"));
            }
            break size;
        }
        let keep = &id == a.format || a.keep.contains(&&id);
        if keep {
            // All kept chunks together, not each: a file of many small
            // kept chunks must not add up past the limit.
            if (kept.len() as u64).saturating_add(size) > max_chunk {
                return Err(SanitizeError::TooLarge { limit: max_chunk });
            }
            if &id == a.format {
                if have_format {
                    return Err(malformed(k, "two format chunks"));
                }
                have_format = true;
            }
            let mut data = Vec::new();
            (&mut *r)
                .take(size)
                .read_to_end(&mut data)
                .map_err(read_err(k))?;
            if data.len() as u64 != size {
                return Err(malformed(k, "truncated"));
            }
            if &id == b"FVER" && data != AIFC_VERSION {
                // The one AIFF-C version stamp the specification defines;
                // anything else there is a time that could be the writer's.
                if data.len() != AIFC_VERSION.len() {
                    return Err(malformed(k, "bad FVER chunk"));
                }
                data = AIFC_VERSION.to_vec();
                found.add(Removed::Dates);
            }
            if &id == b"fact" && data.len() > 4 {
                // The sample count is all a `fact` chunk holds; writers
                // that add more add their own data.
                data.truncate(4);
                found.add(Removed::Other);
            }
            kept.extend_from_slice(&id);
            kept.extend_from_slice(&a.order.put(data.len() as u32));
            kept.extend_from_slice(&data);
            if data.len() % 2 == 1 {
                kept.push(0);
            }
        } else {
            drop_chunk(r, &id, size, k, &mut found)?;
        }
        if read_pad(r, size)? != Some(0) {
            found.changed = true;
        }
    };

    let sound_pad = sound_size % 2;
    let ds64_len = if ds64.is_some() { 8 + DS64_LEN } else { 0 };
    let total = 4 + ds64_len + kept.len() as u64 + 8 + sound_size + sound_pad;
    if let Some(d) = &ds64 {
        if total != d.riff || d.size != DS64_LEN {
            found.changed = true;
        }
        w.write_all(&magic)?;
        w.write_all(&u32::MAX.to_le_bytes())?;
        w.write_all(&form)?;
        w.write_all(b"ds64")?;
        w.write_all(&(DS64_LEN as u32).to_le_bytes())?;
        w.write_all(&total.to_le_bytes())?;
        w.write_all(&sound_size.to_le_bytes())?;
        w.write_all(&d.samples)?;
        w.write_all(&0u32.to_le_bytes())?;
        w.write_all(&kept)?;
        w.write_all(a.sound)?;
        w.write_all(&u32::MAX.to_le_bytes())?;
    } else {
        let total32 = u32::try_from(total).map_err(|_| malformed(k, "too large for its format"))?;
        let sound32 =
            u32::try_from(sound_size).map_err(|_| malformed(k, "too large for its format"))?;
        if total32 != declared {
            found.changed = true;
        }
        w.write_all(a.outer)?;
        w.write_all(&a.order.put(total32))?;
        w.write_all(&form)?;
        w.write_all(&kept)?;
        w.write_all(a.sound)?;
        w.write_all(&a.order.put(sound32))?;
    }
    drop(kept);
    pass(r, Sink::Copy(w), sound_size, k, &mut Vec::new(), 0)?;
    if read_pad(r, sound_size)? != Some(0) {
        found.changed = true;
    }
    if sound_pad == 1 {
        w.write_all(&[0])?;
    }

    // Chunks after the sound data: read and dropped.
    loop {
        match left {
            Some(0) => break,
            // Fewer bytes than a chunk header: a writer's miscount.
            Some(n) if n < 8 => {
                super::skip_exact(r, n, k)?;
                found.changed = true;
                break;
            }
            _ => {}
        }
        let Some((id, size32)) = read_header(r, k, a.order)? else {
            if left.is_some() {
                return Err(malformed(k, "truncated"));
            }
            break;
        };
        if ds64.is_some() && size32 == u32::MAX {
            return Err(SanitizeError::Unsupported {
                kind: k,
                detail: "64-bit WAV chunk sizes other than the sound data's are not supported",
            });
        }
        let size = u64::from(size32);
        within(&mut left, size, k)?;
        if &id == a.format {
            return Err(SanitizeError::Unsupported {
                kind: k,
                detail: "format chunk after the sound data is not supported",
            });
        }
        if &id == a.sound || a.keep.contains(&&id) {
            // A second sound chunk plays nowhere; a kept chunk this late
            // cannot be placed before the header already written.
            found.add(Removed::Other);
            pass(r, Sink::Drop, size, k, &mut Vec::new(), 0)?;
        } else {
            drop_chunk(r, &id, size, k, &mut found)?;
        }
        read_pad(r, size)?;
    }
    // Bytes after the declared end (an ID3 tag appended by a tagger).
    let extra = io::copy(r, &mut io::sink())?;
    if extra > 0 {
        found.add(Removed::Other);
    }
    Ok(found)
}

/// Account for a chunk of `size` (plus its pad) against what the header
/// declared.
fn within(left: &mut Option<u64>, size: u64, k: Kind) -> Result<(), SanitizeError> {
    let Some(l) = left.as_mut() else {
        return Ok(());
    };
    let need = size.saturating_add(8);
    if need > *l {
        return Err(malformed(k, "chunk runs past the end of its file"));
    }
    *l -= need;
    if size % 2 == 1 {
        // Writers that leave the last pad byte out of the declared size
        // are common: it is read if it follows, and not required.
        *l = l.saturating_sub(1);
    }
    Ok(())
}

/// Drop one chunk's data and record what it held.
fn drop_chunk(
    r: &mut dyn Read,
    id: &[u8; 4],
    size: u64,
    k: Kind,
    found: &mut Found,
) -> Result<(), SanitizeError> {
    let want = if id == b"_PMX" { PEEK_XMP } else { PEEK };
    let mut peek = Vec::new();
    let nonzero = pass(r, Sink::Drop, size, k, &mut peek, want)?;
    found.changed = true;
    classify(id, &peek, nonzero, found);
    Ok(())
}

/// Record what a dropped or zeroed chunk held. `nonzero`: whether any of its
/// bytes was not zero (empty padding is not worth reporting).
fn classify(id: &[u8; 4], data: &[u8], nonzero: bool, found: &mut Found) {
    if !nonzero {
        return;
    }
    match id {
        b"LIST" => match data.get(..4) {
            Some(b"INFO") => classify_info(data.get(4..).unwrap_or(&[]), found),
            Some(b"adtl") => found.add(Removed::Comments),
            Some(b"ncdt" | b"Tdat") => found.add(Removed::Camera),
            _ => found.add(Removed::Other),
        },
        b"bext" => classify_bext(data, found),
        b"_PMX" => super::classify_xmp(data, found),
        b"IDIT" | b"ISMP" => found.add(Removed::Dates),
        b"strd" => found.add(Removed::Camera),
        b"strn" | b"NAME" | b"ANNO" | b"cue " => found.add(Removed::Comments),
        b"COMT" => {
            found.add(Removed::Comments);
            found.add(Removed::Dates);
        }
        b"AUTH" | b"(c) " => found.add(Removed::Author),
        b"APPL" => found.add(Removed::Software),
        _ => found.add(Removed::Other),
    }
}

/// `LIST INFO` sub-chunks: `IART`, `ISFT`, `ICRD`, …
fn classify_info(mut data: &[u8], found: &mut Found) {
    let mut any = false;
    while let (Some(id), Some(len)) = (data.get(..4), data.get(4..8)) {
        let len = u32::from_le_bytes([len[0], len[1], len[2], len[3]]) as usize;
        let cat = match id {
            b"IART" | b"IENG" | b"ITCH" | b"ICOP" | b"ICMS" => Removed::Author,
            b"ISFT" => Removed::Software,
            b"ICRD" | b"IDIT" => Removed::Dates,
            b"ICMT" | b"INAM" | b"ISBJ" | b"IKEY" | b"IPRD" | b"IGNR" | b"ICNT" => {
                Removed::Comments
            }
            b"IMED" | b"ISRC" | b"ISRF" => Removed::Camera,
            _ => Removed::Other,
        };
        found.add(cat);
        any = true;
        let next = 8usize.saturating_add(len).saturating_add(len % 2);
        data = data.get(next..).unwrap_or(&[]);
    }
    if !any {
        found.add(Removed::Other);
    }
}

/// Broadcast WAV `bext`: description (256 bytes), originator (32),
/// originator reference (32), date (10), time (8), then numbers, a UMID and
/// the coding history (tools and settings) from byte 602.
fn classify_bext(data: &[u8], found: &mut Found) {
    let set = |a: usize, b: usize| {
        data.get(a..b.min(data.len()))
            .is_some_and(|s| s.iter().any(|c| *c != 0))
    };
    if set(0, 256) {
        found.add(Removed::Comments);
    }
    if set(256, 320) {
        found.add(Removed::Author);
    }
    if set(320, 338) {
        found.add(Removed::Dates);
    }
    if set(602, usize::MAX) {
        found.add(Removed::Software);
    }
    found.add(Removed::Other);
}

// ---------------------------------------------------------------------------
// AVI: rewritten in place.
// ---------------------------------------------------------------------------

const AVI: Kind = Kind::Avi;

/// Where a chunk sits, which decides what is kept there.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Level {
    /// Inside `RIFF AVI `.
    Top,
    /// Inside `RIFF AVIX` (OpenDML extension).
    Extension,
    /// Inside `LIST hdrl`.
    Hdrl,
    /// Inside `LIST strl`.
    Strl,
    /// Inside `LIST odml`.
    Odml,
}

/// What happens to one chunk.
enum Act {
    Copy,
    /// A list walked into, at this level.
    Enter(Level),
    /// Rewritten as `JUNK` of the same size, zeroed.
    Junk,
}

fn avi_act(level: Level, id: &[u8; 4], list: Option<&[u8; 4]>) -> Act {
    match (level, list) {
        (Level::Top, Some(b"hdrl")) => Act::Enter(Level::Hdrl),
        (Level::Top | Level::Extension, Some(b"movi")) => Act::Copy,
        (Level::Hdrl, Some(b"strl")) => Act::Enter(Level::Strl),
        (Level::Hdrl, Some(b"odml")) => Act::Enter(Level::Odml),
        (_, Some(_)) => Act::Junk,
        (_, None) => match (level, id) {
            (Level::Top, b"idx1")
            | (Level::Hdrl, b"avih")
            | (Level::Strl, b"strh" | b"strf" | b"indx" | b"vprp")
            | (Level::Odml, b"dmlh") => Act::Copy,
            _ => Act::Junk,
        },
    }
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

fn avi(r: &mut dyn Read, w: &mut dyn Write) -> Result<Found, SanitizeError> {
    let mut found = Found::default();
    let mut first = true;
    loop {
        let Some((id, size)) = read_header(r, AVI, Order::Little)? else {
            if first {
                return Err(malformed(AVI, "empty"));
            }
            break;
        };
        let mut form = [0u8; 4];
        if &id == b"RIFF" && size >= 4 {
            r.read_exact(&mut form).map_err(read_err(AVI))?;
        }
        let level = match (&id, &form, first) {
            (b"RIFF", b"AVI ", true) => Level::Top,
            (b"RIFF", b"AVIX", false) => Level::Extension,
            (_, _, true) => return Err(malformed(AVI, "bad header")),
            _ => {
                // Not part of the movie (bytes appended after it): dropped;
                // nothing refers to them.
                io::copy(r, &mut io::sink())?;
                found.add(Removed::Other);
                break;
            }
        };
        first = false;
        w.write_all(&id)?;
        w.write_all(&size.to_le_bytes())?;
        w.write_all(&form)?;
        walk(r, w, u64::from(size) - 4, level, &mut found)?;
        if size % 2 == 1 {
            match read_byte(r)? {
                Some(b) => {
                    w.write_all(&[0])?;
                    if b != 0 {
                        found.changed = true;
                    }
                }
                None => break,
            }
        }
    }
    Ok(found)
}

/// Walk `len` bytes of chunks at `level`, writing exactly `len` bytes.
fn walk(
    r: &mut dyn Read,
    w: &mut dyn Write,
    len: u64,
    level: Level,
    found: &mut Found,
) -> Result<(), SanitizeError> {
    let mut left = len;
    while left > 0 {
        if left < 8 {
            // Too short for a chunk: filler a writer left; zeroed.
            let nonzero = pass(r, Sink::Zero(w), left, AVI, &mut Vec::new(), 0)?;
            if nonzero {
                found.changed = true;
            }
            return Ok(());
        }
        let Some((id, size)) = read_header(r, AVI, Order::Little)? else {
            return Err(malformed(AVI, "truncated"));
        };
        left -= 8;
        let size64 = u64::from(size);
        if size64 > left {
            return Err(malformed(AVI, "chunk runs past the end of its list"));
        }
        // The pad byte belongs to the list when there is room for it.
        let pad = u64::from(size % 2).min(left - size64);
        left -= size64 + pad;
        let mut list = [0u8; 4];
        let is_list = &id == b"LIST";
        if is_list {
            if size < 4 {
                return Err(malformed(AVI, "LIST too short"));
            }
            r.read_exact(&mut list).map_err(read_err(AVI))?;
        }
        let body = if is_list { size64 - 4 } else { size64 };
        match avi_act(level, &id, is_list.then_some(&list)) {
            Act::Copy => {
                w.write_all(&id)?;
                w.write_all(&size.to_le_bytes())?;
                if is_list {
                    w.write_all(&list)?;
                }
                pass(r, Sink::Copy(w), body, AVI, &mut Vec::new(), 0)?;
            }
            Act::Enter(inner) => {
                w.write_all(&id)?;
                w.write_all(&size.to_le_bytes())?;
                w.write_all(&list)?;
                walk(r, w, body, inner, found)?;
            }
            Act::Junk => {
                w.write_all(b"JUNK")?;
                w.write_all(&size.to_le_bytes())?;
                let mut peek = Vec::new();
                if is_list {
                    w.write_all(&[0; 4])?;
                    peek.extend_from_slice(&list);
                }
                let want = if &id == b"_PMX" { PEEK_XMP } else { PEEK };
                let nonzero = pass(r, Sink::Zero(w), body, AVI, &mut peek, want)?;
                if &id != b"JUNK" || nonzero {
                    found.changed = true;
                }
                if &id == b"JUNK" {
                    // Padding a writer reserved; cameras leave their data
                    // in it too.
                    if nonzero {
                        found.add(Removed::Other);
                    }
                } else {
                    classify(&id, &peek, true, found);
                }
            }
        }
        if pad == 1 {
            let mut b = [0u8; 1];
            r.read_exact(&mut b).map_err(read_err(AVI))?;
            w.write_all(&[0])?;
            if b[0] != 0 {
                found.changed = true;
            }
        }
    }
    Ok(())
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
pub(super) mod tests {
    use super::super::tests_util::*;
    use super::super::{Limits, strip};
    use super::*;

    const CANARY: &[u8] = b"Jane Canary";

    fn chunk(order: Order, id: &[u8; 4], data: &[u8]) -> Vec<u8> {
        let mut c = id.to_vec();
        c.extend_from_slice(&order.put(data.len() as u32));
        c.extend_from_slice(data);
        if data.len() % 2 == 1 {
            c.push(0);
        }
        c
    }

    fn form(order: Order, outer: &[u8; 4], ty: &[u8; 4], chunks: &[Vec<u8>]) -> Vec<u8> {
        let body: Vec<u8> = chunks.concat();
        let mut f = outer.to_vec();
        f.extend_from_slice(&order.put(body.len() as u32 + 4));
        f.extend_from_slice(ty);
        f.extend_from_slice(&body);
        f
    }

    fn le(id: &[u8; 4], data: &[u8]) -> Vec<u8> {
        chunk(Order::Little, id, data)
    }

    fn list(ty: &[u8; 4], items: &[Vec<u8>]) -> Vec<u8> {
        let mut d = ty.to_vec();
        d.extend_from_slice(&items.concat());
        le(b"LIST", &d)
    }

    /// 16-bit mono PCM at 8 kHz.
    pub(crate) fn fmt_pcm() -> Vec<u8> {
        let mut f = Vec::new();
        f.extend_from_slice(&1u16.to_le_bytes());
        f.extend_from_slice(&1u16.to_le_bytes());
        f.extend_from_slice(&8000u32.to_le_bytes());
        f.extend_from_slice(&16000u32.to_le_bytes());
        f.extend_from_slice(&2u16.to_le_bytes());
        f.extend_from_slice(&16u16.to_le_bytes());
        le(b"fmt ", &f)
    }

    fn info() -> Vec<u8> {
        list(
            b"INFO",
            &[
                le(b"IART", CANARY),
                le(b"ISFT", b"Recorder 1.2\0"),
                le(b"ICRD", b"2026-12-06\0"),
            ],
        )
    }

    fn bext() -> Vec<u8> {
        let mut b = vec![0u8; 602];
        b[256..256 + CANARY.len()].copy_from_slice(CANARY);
        b[320..338].copy_from_slice(b"2026-12-0617:23:00");
        b.extend_from_slice(b"A=PCM,F=48000,T=Recorder 1.2\r\n");
        le(b"bext", &b)
    }

    fn samples() -> Vec<u8> {
        (0..200u8).collect()
    }

    /// A WAV with metadata before and after its sound data, and an ID3 tag
    /// appended after the RIFF.
    pub(crate) fn fixture() -> Vec<u8> {
        let mut f = form(
            Order::Little,
            b"RIFF",
            b"WAVE",
            &[
                info(),
                fmt_pcm(),
                bext(),
                le(b"fact", &100u32.to_le_bytes()),
                le(b"data", &samples()),
                le(b"id3 ", CANARY),
                le(b"iXML", b"<BWFXML><NOTE>x</NOTE></BWFXML>"),
            ],
        );
        f.extend_from_slice(b"ID3\x03\0\0\0\0\0\x10TPE1");
        f.extend_from_slice(CANARY);
        f
    }

    fn run_wav(data: &[u8]) -> (Result<Outcome, SanitizeError>, Vec<u8>) {
        run(Kind::Wav, data)
    }

    #[test]
    fn wav_keeps_only_format_and_sound() {
        let (res, out) = run_wav(&fixture());
        let expected = form(
            Order::Little,
            b"RIFF",
            b"WAVE",
            &[
                fmt_pcm(),
                le(b"fact", &100u32.to_le_bytes()),
                le(b"data", &samples()),
            ],
        );
        assert_eq!(out, expected);
        assert!(!contains(&out, CANARY));
        assert_eq!(
            res.unwrap(),
            Outcome::Cleaned {
                removed: vec![
                    Removed::Author,
                    Removed::Software,
                    Removed::Dates,
                    Removed::Other
                ]
            }
        );
    }

    #[test]
    fn bare_wav_is_kept_byte_for_byte() {
        let data = form(
            Order::Little,
            b"RIFF",
            b"WAVE",
            &[fmt_pcm(), le(b"data", &samples())],
        );
        let (res, out) = run_wav(&data);
        assert_eq!(res.unwrap(), Outcome::KeptOriginal);
        assert_eq!(out, data);
    }

    #[test]
    fn odd_sizes_are_padded_and_the_missing_last_pad_tolerated() {
        let odd: Vec<u8> = (0..7).collect();
        let mut data = form(
            Order::Little,
            b"RIFF",
            b"WAVE",
            &[fmt_pcm(), le(b"JUNK", &[1, 2, 3]), le(b"data", &odd)],
        );
        // Drop the final pad byte and leave it out of the RIFF size.
        data.pop();
        let size = data.len() as u32 - 8;
        data[4..8].copy_from_slice(&size.to_le_bytes());
        let (res, out) = run_wav(&data);
        assert_eq!(
            out,
            form(
                Order::Little,
                b"RIFF",
                b"WAVE",
                &[fmt_pcm(), le(b"data", &odd)]
            )
        );
        assert!(matches!(res.unwrap(), Outcome::Cleaned { .. }));
    }

    #[test]
    fn unknown_riff_size_reads_to_the_end() {
        let mut data = fixture();
        data[4..8].copy_from_slice(&u32::MAX.to_le_bytes());
        // The appended ID3 tag is now read as a chunk, and it is not one.
        let (res, _) = run_wav(&data);
        assert!(
            matches!(res, Err(SanitizeError::Malformed { .. })),
            "{res:?}"
        );
        let mut data = form(
            Order::Little,
            b"RIFF",
            b"WAVE",
            &[fmt_pcm(), le(b"data", &samples()), info()],
        );
        data[4..8].copy_from_slice(&u32::MAX.to_le_bytes());
        let (res, out) = run_wav(&data);
        assert!(matches!(res.unwrap(), Outcome::Cleaned { .. }));
        assert!(!contains(&out, CANARY));
        assert_eq!(
            u32::from_le_bytes(out[4..8].try_into().unwrap()) as usize,
            out.len() - 8
        );
    }

    #[test]
    fn damaged_wavs_are_malformed() {
        let good = fixture();
        let data_at = good.windows(4).position(|w| w == b"data").unwrap();
        let mut cases: Vec<Vec<u8>> = vec![
            good[..11].to_vec(),
            good[..data_at + 20].to_vec(),
            good[..data_at - 3].to_vec(),
            form(
                Order::Little,
                b"RIFF",
                b"WAVE",
                &[le(b"data", &samples()), fmt_pcm()],
            ),
            form(Order::Little, b"RIFF", b"WAVE", &[fmt_pcm(), info()]),
            form(
                Order::Little,
                b"RIFF",
                b"WAVE",
                &[fmt_pcm(), fmt_pcm(), le(b"data", b"")],
            ),
            b"RIFF\x02\0\0\0WAVE".to_vec(),
            b"RIFX\x04\0\0\0WAVE".to_vec(),
        ];
        // A sound chunk whose size says 0 before its samples (a recorder
        // that stopped before it wrote the size): the samples are not a
        // chunk, and are not silently dropped.
        let mut zero = form(
            Order::Little,
            b"RIFF",
            b"WAVE",
            &[fmt_pcm(), le(b"data", &[])],
        );
        zero.extend_from_slice(&[0x81, 0xFE, 0x03, 0x90, 0x11, 0x22, 0x33, 0x44, 0, 0]);
        zero[4..8].copy_from_slice(&u32::MAX.to_le_bytes());
        cases.push(zero);
        // A chunk longer than the RIFF says.
        let mut long = form(
            Order::Little,
            b"RIFF",
            b"WAVE",
            &[fmt_pcm(), le(b"data", &samples())],
        );
        long[4..8].copy_from_slice(&40u32.to_le_bytes());
        cases.push(long);
        for (i, c) in cases.iter().enumerate() {
            let (res, _) = run_wav(c);
            assert!(
                matches!(
                    res,
                    Err(SanitizeError::Malformed {
                        kind: Kind::Wav,
                        ..
                    })
                ),
                "case {i}: {res:?}"
            );
        }
    }

    /// An RF64 file: `ds64` (whose RIFF size is set here), then `chunks`.
    fn rf64_file(ds64: &[u8], chunks: &[Vec<u8>]) -> Vec<u8> {
        let mut ds = ds64.to_vec();
        let body = chunks.concat();
        let riff = 4 + 8 + ds.len() as u64 + body.len() as u64;
        ds[..8].copy_from_slice(&riff.to_le_bytes());
        let mut f = b"RF64\xff\xff\xff\xffWAVE".to_vec();
        f.extend_from_slice(&le(b"ds64", &ds));
        f.extend_from_slice(&body);
        f
    }

    fn ds64(data: u64) -> Vec<u8> {
        let mut d = vec![0u8; 28];
        d[8..16].copy_from_slice(&data.to_le_bytes());
        d[16..24].copy_from_slice(&100u64.to_le_bytes());
        d
    }

    #[test]
    fn rf64_is_cleaned_with_its_64_bit_sizes() {
        let mut data_chunk = b"data\xff\xff\xff\xff".to_vec();
        data_chunk.extend_from_slice(&samples());
        let dirty = rf64_file(
            &ds64(200),
            &[info(), fmt_pcm(), bext(), data_chunk.clone(), info()],
        );
        let (res, out) = run_wav(&dirty);
        assert!(matches!(res.unwrap(), Outcome::Cleaned { .. }));
        let expected = rf64_file(&ds64(200), &[fmt_pcm(), data_chunk.clone()]);
        assert_eq!(out, expected);
        assert!(!contains(&out, CANARY));
        let (res, again) = run_wav(&out);
        assert_eq!(res.unwrap(), Outcome::KeptOriginal);
        assert_eq!(again, out);
        // A data size in ds64 past the end is damage.
        let long = rf64_file(&ds64(5000), &[fmt_pcm(), data_chunk]);
        assert!(matches!(
            run_wav(&long).0,
            Err(SanitizeError::Malformed { .. })
        ));
        // RF64 without ds64, or without the size marker.
        for bad in [
            form(
                Order::Little,
                b"RF64",
                b"WAVE",
                &[fmt_pcm(), le(b"data", &samples())],
            ),
            b"RF64\xff\xff\xff\xffWAVEds64\x1c\0\0\0".to_vec(),
        ] {
            assert!(matches!(
                run_wav(&bad).0,
                Err(SanitizeError::Malformed { .. })
            ));
        }
    }

    #[test]
    fn fact_keeps_only_its_sample_count() {
        let mut fact = 100u32.to_le_bytes().to_vec();
        fact.extend_from_slice(CANARY);
        let data = form(
            Order::Little,
            b"RIFF",
            b"WAVE",
            &[fmt_pcm(), le(b"fact", &fact), le(b"data", &samples())],
        );
        let (res, out) = run_wav(&data);
        let expected = form(
            Order::Little,
            b"RIFF",
            b"WAVE",
            &[fmt_pcm(), le(b"fact", &fact[..4]), le(b"data", &samples())],
        );
        assert_eq!(out, expected);
        assert_eq!(
            res.unwrap(),
            Outcome::Cleaned {
                removed: vec![Removed::Other]
            }
        );
    }

    #[test]
    fn unsupported_layouts_are_refused() {
        let ssnd_first = form(
            Order::Big,
            b"FORM",
            b"AIFF",
            &[be(b"SSND", &[0u8; 8]), be(b"COMM", &[0u8; 18])],
        );
        let (res, _) = run(Kind::Aiff, &ssnd_first);
        assert!(
            matches!(
                res,
                Err(SanitizeError::Unsupported {
                    kind: Kind::Aiff,
                    ..
                })
            ),
            "{res:?}"
        );
        let mut ds = vec![0u8; 28];
        ds[24] = 1; // a table of chunk sizes
        ds.extend_from_slice(&[0u8; 12]);
        let rf64 = rf64_file(&ds, &[fmt_pcm(), le(b"data", &samples())]);
        let late = form(
            Order::Little,
            b"RIFF",
            b"WAVE",
            &[fmt_pcm(), le(b"data", &samples()), fmt_pcm()],
        );
        for c in [rf64, late] {
            let (res, _) = run_wav(&c);
            assert!(
                matches!(
                    res,
                    Err(SanitizeError::Unsupported {
                        kind: Kind::Wav,
                        ..
                    })
                ),
                "{res:?}"
            );
        }
    }

    #[test]
    fn kept_chunks_are_bounded() {
        let big = form(
            Order::Little,
            b"RIFF",
            b"WAVE",
            &[
                fmt_pcm(),
                le(b"fact", &vec![0u8; 5000]),
                le(b"data", &samples()),
            ],
        );
        let limits = Limits {
            mp4_max_box: 4096,
            ..Limits::default()
        };
        let res = strip(Kind::Wav, &mut &big[..], &mut Vec::new(), &limits);
        assert!(
            matches!(res, Err(SanitizeError::TooLarge { limit: 4096 })),
            "{res:?}"
        );
        // Many small kept chunks count together.
        let mut many = vec![fmt_pcm()];
        many.extend((0..400).map(|_| le(b"fact", &[0u8; 4])));
        many.push(le(b"data", &samples()));
        let many = form(Order::Little, b"RIFF", b"WAVE", &many);
        let res = strip(Kind::Wav, &mut &many[..], &mut Vec::new(), &limits);
        assert!(
            matches!(res, Err(SanitizeError::TooLarge { limit: 4096 })),
            "{res:?}"
        );
        // A dropped chunk of any size is skipped, never held.
        let huge = form(
            Order::Little,
            b"RIFF",
            b"WAVE",
            &[
                le(b"JUNK", &vec![7u8; 100_000]),
                fmt_pcm(),
                le(b"data", &samples()),
            ],
        );
        let res = strip(Kind::Wav, &mut &huge[..], &mut Vec::new(), &limits);
        assert!(matches!(res, Ok(Outcome::Cleaned { .. })), "{res:?}");
    }

    fn be(id: &[u8; 4], data: &[u8]) -> Vec<u8> {
        chunk(Order::Big, id, data)
    }

    pub(crate) fn aiff_fixture() -> Vec<u8> {
        let comm = [
            0u8, 1, 0, 0, 0, 100, 0, 16, 0x40, 0x0B, 0xFA, 0, 0, 0, 0, 0, 0, 0,
        ];
        let mut ssnd = vec![0u8; 8];
        ssnd.extend_from_slice(&samples());
        form(
            Order::Big,
            b"FORM",
            b"AIFF",
            &[
                be(b"NAME", b"Interview"),
                be(b"AUTH", CANARY),
                be(b"COMM", &comm),
                be(b"COMT", b"\0\x01\xdf\0\0\0\0\0\0\x05hello"),
                be(b"SSND", &ssnd),
                be(b"ANNO", CANARY),
            ],
        )
    }

    #[test]
    fn aifc_version_stamp_is_the_specification_one() {
        let comm = [0u8; 24];
        let stamp = |v: &[u8; 4]| {
            form(
                Order::Big,
                b"FORM",
                b"AIFC",
                &[be(b"FVER", v), be(b"COMM", &comm), be(b"SSND", &[0u8; 8])],
            )
        };
        let (res, out) = run(Kind::Aiff, &stamp(&[0xE5, 0x1C, 0x2D, 0x3E]));
        assert_eq!(out, stamp(&AIFC_VERSION));
        assert_eq!(
            res.unwrap(),
            Outcome::Cleaned {
                removed: vec![Removed::Dates]
            }
        );
        let (res, out) = run(Kind::Aiff, &stamp(&AIFC_VERSION));
        assert_eq!(res.unwrap(), Outcome::KeptOriginal);
        assert_eq!(out, stamp(&AIFC_VERSION));
    }

    #[test]
    fn aiff_keeps_only_comm_and_ssnd() {
        let (res, out) = run(Kind::Aiff, &aiff_fixture());
        assert!(!contains(&out, CANARY));
        assert!(!contains(&out, b"Interview"));
        assert!(contains(&out, b"COMM") && contains(&out, b"SSND"));
        assert_eq!(
            u32::from_be_bytes(out[4..8].try_into().unwrap()) as usize,
            out.len() - 8
        );
        assert_eq!(out.len(), 12 + 8 + 18 + 8 + 208);
        assert_eq!(
            res.unwrap(),
            Outcome::Cleaned {
                removed: vec![Removed::Author, Removed::Dates, Removed::Comments]
            }
        );
        // Little-endian sizes are not AIFF.
        let mut bad = aiff_fixture();
        bad[16..20].copy_from_slice(&9u32.to_le_bytes());
        assert!(matches!(
            run(Kind::Aiff, &bad).0,
            Err(SanitizeError::Malformed { .. })
        ));
    }

    // ---- AVI ----

    fn avi_parts() -> (Vec<u8>, Vec<u8>) {
        let strl = list(
            b"strl",
            &[
                le(
                    b"strh",
                    &[0x76, 0x69, 0x64, 0x73, 0x46, 0x4d, 0x50, 0x34, 0, 0, 0, 0],
                ),
                le(b"strf", &[40, 0, 0, 0, 64, 0, 0, 0]),
                le(b"strd", CANARY),
                le(b"strn", b"Camera 7\0"),
                le(b"indx", &[4, 0, 0, 0, 0, 0, 0, 0]),
            ],
        );
        let hdrl = list(
            b"hdrl",
            &[
                le(b"avih", &[0u8; 56]),
                strl,
                le(b"IDIT", b"SUN DEC 06 17:23:00 2026\n\0"),
                list(b"odml", &[le(b"dmlh", &[0u8; 248])]),
            ],
        );
        let movi = list(
            b"movi",
            &[le(b"00dc", b"frame-one"), le(b"00dc", b"frame-two")],
        );
        let body = [
            hdrl,
            info(),
            list(b"ncdt", &[le(b"nctg", CANARY)]),
            le(b"JUNK", b"PENTAX Optio 01234"),
            movi,
            le(b"idx1", &[0u8; 32]),
        ];
        let first = form(Order::Little, b"RIFF", b"AVI ", &body);
        let ext = form(
            Order::Little,
            b"RIFF",
            b"AVIX",
            &[
                list(b"movi", &[le(b"00dc", b"frame-three")]),
                le(b"_PMX", b"<x:xmpmeta>Jane</x:xmpmeta>"),
            ],
        );
        (first, ext)
    }

    pub(crate) fn avi_fixture() -> Vec<u8> {
        let (a, b) = avi_parts();
        [a, b].concat()
    }

    #[test]
    fn avi_is_cleaned_in_place() {
        let data = avi_fixture();
        let (res, out) = run(Kind::Avi, &data);
        let removed = match res.unwrap() {
            Outcome::Cleaned { removed } => removed,
            o => panic!("{o:?}"),
        };
        assert_eq!(
            removed,
            vec![
                Removed::Camera,
                Removed::Author,
                Removed::Software,
                Removed::Dates,
                Removed::Comments,
                Removed::Other
            ]
        );
        // Same length, and every kept chunk at its old offset.
        assert_eq!(out.len(), data.len());
        for keep in [
            &b"avih"[..],
            b"strh",
            b"strf",
            b"indx",
            b"dmlh",
            b"movi",
            b"frame-one",
            b"frame-three",
            b"idx1",
            b"AVIX",
        ] {
            let at = |d: &[u8]| d.windows(keep.len()).position(|w| w == keep);
            assert_eq!(at(&out), at(&data), "{}", String::from_utf8_lossy(keep));
        }
        for gone in [
            CANARY,
            b"Camera 7",
            b"SUN DEC",
            b"INFO",
            b"ncdt",
            b"PENTAX",
            b"xmpmeta",
            b"strd",
            b"IDIT",
        ] {
            assert!(!contains(&out, gone), "{}", String::from_utf8_lossy(gone));
        }
        // Cleaning again changes nothing more.
        let (res, again) = run(Kind::Avi, &out);
        assert_eq!(res.unwrap(), Outcome::KeptOriginal);
        assert_eq!(again, out);
    }

    #[test]
    fn appended_bytes_after_the_avi_are_dropped() {
        let mut data = avi_fixture();
        let len = data.len();
        data.extend_from_slice(b"TAGJane Canary");
        let (res, out) = run(Kind::Avi, &data);
        assert!(matches!(res.unwrap(), Outcome::Cleaned { .. }));
        assert_eq!(out.len(), len);
    }

    #[test]
    fn damaged_avis_are_malformed() {
        let (first, _) = avi_parts();
        let movi_at = first.windows(4).position(|w| w == b"movi").unwrap();
        let mut cases = vec![
            first[..movi_at + 10].to_vec(),
            first[..20].to_vec(),
            b"RIFF\x04\0\0\0AVIX".to_vec(),
            b"RIFF\x02\0\0\0".to_vec(),
            Vec::new(),
        ];
        // A chunk inside hdrl that claims more than its list holds.
        let mut long = first.clone();
        let avih = long.windows(4).position(|w| w == b"avih").unwrap();
        long[avih + 4..avih + 8].copy_from_slice(&10_000u32.to_le_bytes());
        cases.push(long);
        // A chunk id that is not text.
        let mut bin = first.clone();
        bin[avih] = 0x01;
        cases.push(bin);
        for (i, c) in cases.iter().enumerate() {
            let (res, _) = run(Kind::Avi, c);
            assert!(
                matches!(
                    res,
                    Err(SanitizeError::Malformed {
                        kind: Kind::Avi,
                        ..
                    })
                ),
                "case {i}: {res:?}"
            );
        }
    }

    /// An input made on the fly: `head`, then `n` bytes of 0x55, then
    /// `tail`; counts what was read in `pos`.
    struct Lazy<'a> {
        head: Vec<u8>,
        n: u64,
        tail: Vec<u8>,
        at: u64,
        pos: &'a std::cell::Cell<u64>,
    }

    impl Read for Lazy<'_> {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            let h = self.head.len() as u64;
            let total = h + self.n + self.tail.len() as u64;
            let mut k = 0;
            while k < buf.len() && self.at < total {
                buf[k] = if self.at < h {
                    self.head[self.at as usize]
                } else if self.at < h + self.n {
                    0x55
                } else {
                    self.tail[(self.at - h - self.n) as usize]
                };
                k += 1;
                self.at += 1;
            }
            self.pos.set(self.at);
            Ok(k)
        }
    }

    /// Records how much input had been read when the output passed 1 MiB.
    struct Watch<'a> {
        written: u64,
        pos: &'a std::cell::Cell<u64>,
        read_at_1mib: Option<u64>,
    }

    impl Write for Watch<'_> {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            self.written += buf.len() as u64;
            if self.written >= 1 << 20 && self.read_at_1mib.is_none() {
                self.read_at_1mib = Some(self.pos.get());
            }
            Ok(buf.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    /// The media data goes out while it comes in: 1 MiB of output is
    /// written before 2 MiB of a 48 MiB input have been read.
    #[test]
    fn media_data_streams() {
        let n: u64 = 48 << 20;
        let wav_head = {
            let mut h = b"RIFF".to_vec();
            let body = info().len() + fmt_pcm().len() + 8 + 12;
            h.extend_from_slice(&(4 + body as u32 + n as u32).to_le_bytes());
            h.extend_from_slice(b"WAVE");
            h.extend_from_slice(&info());
            h.extend_from_slice(&fmt_pcm());
            h.extend_from_slice(b"data");
            h.extend_from_slice(&(n as u32).to_le_bytes());
            h
        };
        let avi_head = {
            let mut h = b"RIFF".to_vec();
            h.extend_from_slice(&(4 + 12 + n as u32).to_le_bytes());
            h.extend_from_slice(b"AVI LIST");
            h.extend_from_slice(&(4 + n as u32).to_le_bytes());
            h.extend_from_slice(b"movi");
            h
        };
        for (kind, head) in [(Kind::Wav, wav_head), (Kind::Avi, avi_head)] {
            let pos = std::cell::Cell::new(0);
            let mut input = Lazy {
                head,
                n,
                tail: b"JUNK\x04\0\0\0abcd".to_vec(),
                at: 0,
                pos: &pos,
            };
            let mut out = Watch {
                written: 0,
                pos: &pos,
                read_at_1mib: None,
            };
            let res = strip(kind, &mut input, &mut out, &Limits::default());
            assert!(
                matches!(res, Ok(Outcome::Cleaned { .. })),
                "{kind}: {res:?}"
            );
            let at = out.read_at_1mib.unwrap();
            assert!(
                at < 2 << 20,
                "{kind}: {at} bytes read before 1 MiB was written"
            );
            assert!(out.written >= n, "{kind}");
        }
    }

    mod robustness {
        use super::*;
        use proptest::prelude::*;

        fn small() -> Limits {
            Limits {
                mp4_max_box: 1 << 12,
                ..Limits::default()
            }
        }

        proptest! {
            #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

            #[test]
            fn mutated_files_never_panic_and_ok_means_clean(
                which in 0usize..3,
                edits in proptest::collection::vec((any::<usize>(), any::<u8>()), 0..6),
                cut in proptest::option::of(any::<usize>()),
            ) {
                let (kind, mut data) = [
                    (Kind::Wav, fixture()),
                    (Kind::Aiff, aiff_fixture()),
                    (Kind::Avi, avi_fixture()),
                ][which].clone();
                for (pos, byte) in edits {
                    let i = pos % data.len();
                    data[i] = byte;
                }
                if let Some(c) = cut {
                    data.truncate(c % (data.len() + 1));
                }
                let mut out = Vec::new();
                if let Ok(o) = strip(kind, &mut &data[..], &mut out, &small()) {
                    prop_assert!(!matches!(o, Outcome::NotCleanable));
                    // Output is a well-formed file the stripper accepts again.
                    let mut again = Vec::new();
                    let second = strip(kind, &mut &out[..], &mut again, &small());
                    prop_assert!(second.is_ok(), "{:?}", second);
                }
            }

            #[test]
            fn random_bytes_never_panic(data in proptest::collection::vec(any::<u8>(), 0..600)) {
                for kind in [Kind::Wav, Kind::Aiff, Kind::Avi] {
                    for prefix in [&b"RIFF\xff\xff\xff\xffWAVE"[..], b"FORM\0\0\x02\0AIFC", b"RIFF\0\0\x02\0AVI ", b""] {
                        let input = [prefix, &data[..]].concat();
                        let _ = strip(kind, &mut &input[..], &mut Vec::new(), &small());
                    }
                }
            }
        }
    }
}
