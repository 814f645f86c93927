//! WAV (RIFF and RF64) and AIFF/AIFC: rebuilt from an allow-list of chunks,
//! the sound data streamed through.

use std::io::{self, BufReader, BufWriter, Read, Write};

use super::{Order, PEEK, PEEK_XMP, Sink, pass, read_byte, read_header};
use crate::{Found, Kind, Outcome, Removed, SanitizeError, malformed, read_err};

pub(super) struct Audio {
    pub(super) kind: Kind,
    pub(super) order: Order,
    /// The outer chunk id.
    pub(super) outer: &'static [u8; 4],
    /// Accepted form types.
    forms: &'static [&'static [u8; 4]],
    /// The chunk that must come before the sound data.
    pub(super) format: &'static [u8; 4],
    /// The sound data chunk, streamed.
    pub(super) sound: &'static [u8; 4],
    /// Other chunks kept (before the sound data).
    pub(super) keep: &'static [&'static [u8; 4]],
}

pub(super) const WAV: Audio = Audio {
    kind: Kind::Wav,
    order: Order::Little,
    outer: b"RIFF",
    forms: &[b"WAVE"],
    format: b"fmt ",
    sound: b"data",
    keep: &[b"fact"],
};

pub(super) const AIFF: Audio = Audio {
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
pub(super) const AIFC_VERSION: [u8; 4] = [0xA2, 0x80, 0x51, 0x40];

/// Length of a `ds64` chunk without its table (riff size, data size,
/// sample count, table length).
const DS64_LEN: u64 = 28;

/// What a `ds64` chunk says.
pub(super) struct Ds64 {
    /// Its own size.
    pub(super) size: u64,
    /// The 64-bit RIFF size.
    pub(super) riff: u64,
    /// The 64-bit size of the sound data.
    pub(super) data: u64,
    /// The sample count, copied as it is.
    pub(super) samples: [u8; 8],
    /// Bytes of chunks left after it, by the RIFF size.
    pub(super) left: u64,
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

pub(super) fn strip_audio(
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

pub(super) fn audio(
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
                crate::skip_exact(r, n, k)?;
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
pub(super) fn classify(id: &[u8; 4], data: &[u8], nonzero: bool, found: &mut Found) {
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
        b"_PMX" => crate::classify_xmp(data, found),
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
