//! Timed-metadata tracks: which tracks are removed, where their samples lie
//! in the media data, and the blanking of those bytes as they pass.
//!
//! A track is kept only when its handler is `vide` (video), `soun` (sound)
//! or `auxv` (auxiliary video: depth, alpha). Every other handler is
//! metadata or text that a camera or phone writes beside the picture and
//! sound: `meta` (GoPro `gpmd` GPS, Google `camm`, DJI `djmd`/`dbgi`, Apple
//! and Samsung `mebx` location, orientation and face tracks), `text`,
//! `sbtl`, `subt` (drones write position and time as subtitles), `tmcd`
//! (time-of-day timecode), `hint` (streaming hints). Its `trak` is removed
//! from the `moov` like any metadata box, and every byte of its samples in
//! `mdat` becomes zero, so that nothing can be carved out of the media data
//! either. Must never leave such a sample's bytes in the output.

use super::{K, Mp4Box};
use crate::{SanitizeError, malformed};
use crate::{be32, be64};

/// Handlers of the tracks that are kept.
const KEPT_HANDLERS: [&[u8; 4]; 3] = [b"vide", b"soun", b"auxv"];

/// Most sample ranges waiting to be blanked (16 bytes each).
const MAX_RANGES: usize = 1 << 20;

/// Whether a parsed `trak` is a metadata track to remove. A track without
/// a handler is refused: no player could tell what it holds.
pub(super) fn is_metadata_track(d: &[u8], trak: &Mp4Box) -> Result<bool, SanitizeError> {
    let handler = handler(d, trak).ok_or_else(|| malformed(K, "track without a handler"))?;
    Ok(!KEPT_HANDLERS.contains(&handler))
}

/// The handler type of a parsed `trak`, if it has one.
pub(super) fn handler<'a>(d: &'a [u8], trak: &Mp4Box) -> Option<&'a [u8; 4]> {
    let hdlr = child(trak, b"mdia").and_then(|m| child(m, b"hdlr"))?;
    body(d, hdlr).get(8..12)?.try_into().ok()
}

/// The input byte ranges of every chunk of a removed track's samples, from
/// its sample table (`stsz`/`stz2`, `stsc`, `stco`/`co64`).
pub(super) fn sample_ranges(
    d: &[u8],
    trak: &Mp4Box,
    out: &mut Vec<(u64, u64)>,
) -> Result<(), SanitizeError> {
    let bad = || malformed(K, "bad sample table in a metadata track");
    let Some(stbl) = child(trak, b"mdia")
        .and_then(|m| child(m, b"minf"))
        .and_then(|m| child(m, b"stbl"))
    else {
        return Ok(()); // no samples
    };
    let (Some(stsc), Some(chunks)) = (
        child(stbl, b"stsc"),
        child(stbl, b"stco").or_else(|| child(stbl, b"co64")),
    ) else {
        return Ok(());
    };
    let sizes = match (child(stbl, b"stsz"), child(stbl, b"stz2")) {
        (Some(b), _) => Sizes::parse(body(d, b), false),
        (None, Some(b)) => Sizes::parse(body(d, b), true),
        (None, None) => None,
    }
    .ok_or_else(bad)?;
    let wide = &chunks.typ == b"co64";
    let chunks = body(d, chunks);
    let n_chunks = u64::from(be32(chunks, 4).ok_or_else(bad)?);
    let offset = |c: u64| -> Option<u64> {
        let i = usize::try_from(c).ok()?;
        if wide {
            be64(chunks, 8usize.checked_add(i.checked_mul(8)?)?)
        } else {
            be32(chunks, 8usize.checked_add(i.checked_mul(4)?)?).map(u64::from)
        }
    };
    let stsc = body(d, stsc);
    let entries = be32(stsc, 4).ok_or_else(bad)? as usize;
    let entry = |i: usize| -> Option<(u64, u64)> {
        let at = 8usize.checked_add(i.checked_mul(12)?)?;
        Some((u64::from(be32(stsc, at)?), u64::from(be32(stsc, at + 4)?)))
    };
    let mut sample = 0u64;
    for i in 0..entries {
        let (first, per_chunk) = entry(i).ok_or_else(bad)?;
        let next = match i + 1 < entries {
            true => entry(i + 1).ok_or_else(bad)?.0,
            false => n_chunks + 1,
        };
        if first == 0 || next <= first || next > n_chunks + 1 {
            return Err(bad());
        }
        for chunk in first..next {
            let len = sizes.total(sample, per_chunk).ok_or_else(bad)?;
            sample = sample.checked_add(per_chunk).ok_or_else(bad)?;
            let start = offset(chunk - 1).ok_or_else(bad)?;
            if len > 0 {
                if out.len() >= MAX_RANGES {
                    return Err(malformed(K, "too many metadata chunks"));
                }
                out.push((start, start.checked_add(len).ok_or_else(bad)?));
            }
        }
    }
    Ok(())
}

/// The sample ranges still to be blanked, sorted and disjoint, consumed in
/// file order as the input's bytes pass to the output.
#[derive(Default)]
pub(super) struct Scrub {
    ranges: Vec<(u64, u64)>,
    next: usize,
}

impl Scrub {
    /// Add ranges found in a `moov`; `passed` is the input position before
    /// which everything has been written already.
    pub(super) fn add(
        &mut self,
        mut new: Vec<(u64, u64)>,
        passed: u64,
        limit: u64,
    ) -> Result<(), SanitizeError> {
        if new.is_empty() {
            return Ok(());
        }
        if new.iter().any(|r| r.0 < passed) {
            // The media data went out before the moov told where its
            // metadata samples are: a movie with its index at the end whose
            // media data was too large to hold.
            return Err(SanitizeError::TooLarge { limit });
        }
        new.extend(self.ranges.drain(self.next..));
        self.ranges.clear();
        self.next = 0;
        new.sort_unstable();
        for (s, e) in new {
            match self.ranges.last_mut() {
                Some(last) if s <= last.1 => last.1 = last.1.max(e),
                _ => self.ranges.push((s, e)),
            }
        }
        if self.ranges.len() > MAX_RANGES {
            return Err(malformed(K, "too many metadata chunks"));
        }
        Ok(())
    }

    /// Input bytes `at..at + len` go to the output now. Media bytes come
    /// as `data` (blanked where a range covers them); other bytes (`None`)
    /// must hold no metadata sample.
    pub(super) fn pass(
        &mut self,
        at: u64,
        len: u64,
        mut data: Option<&mut [u8]>,
    ) -> Result<(), SanitizeError> {
        let end = at.saturating_add(len);
        while let Some(&(s, e)) = self.ranges.get(self.next) {
            if s >= end {
                break;
            }
            let (Some(d), true) = (data.as_deref_mut(), s >= at) else {
                return Err(outside());
            };
            let from = usize::try_from(s - at).map_err(|_| outside())?;
            let to = usize::try_from(e.min(end) - at).map_err(|_| outside())?;
            d.get_mut(from..to).ok_or_else(outside)?.fill(0);
            if e <= end {
                self.next += 1;
            } else {
                // The rest of this range is in the next piece.
                if let Some(r) = self.ranges.get_mut(self.next) {
                    r.0 = end;
                }
                break;
            }
        }
        Ok(())
    }

    /// At the end of the file: every range must have been blanked.
    pub(super) fn finish(&self) -> Result<(), SanitizeError> {
        match self.next < self.ranges.len() {
            true => Err(outside()),
            false => Ok(()),
        }
    }
}

fn outside() -> SanitizeError {
    malformed(K, "metadata samples outside the media data")
}

/// Sample sizes from `stsz` (one size for all, or a table of 32-bit sizes)
/// or `stz2` (a table of 4-, 8- or 16-bit sizes).
enum Sizes<'a> {
    Fixed(u64),
    Table {
        body: &'a [u8],
        bits: u8,
        count: u64,
    },
}

impl<'a> Sizes<'a> {
    fn parse(b: &'a [u8], compact: bool) -> Option<Sizes<'a>> {
        if compact {
            let bits = *b.get(7)?;
            if !matches!(bits, 4 | 8 | 16) {
                return None;
            }
            let count = u64::from(be32(b, 8)?);
            return Some(Sizes::Table {
                body: b.get(12..)?,
                bits,
                count,
            });
        }
        let size = u64::from(be32(b, 4)?);
        if size != 0 {
            return Some(Sizes::Fixed(size));
        }
        let count = u64::from(be32(b, 8)?);
        Some(Sizes::Table {
            body: b.get(12..)?,
            bits: 32,
            count,
        })
    }

    /// Total size of samples `first..first + n`; `None` past the table.
    fn total(&self, first: u64, n: u64) -> Option<u64> {
        match *self {
            Sizes::Fixed(size) => size.checked_mul(n),
            Sizes::Table { body, bits, count } => {
                if first.checked_add(n)? > count {
                    return None;
                }
                let mut sum = 0u64;
                for i in first..first + n {
                    let i = usize::try_from(i).ok()?;
                    let v = match bits {
                        4 => {
                            let byte = *body.get(i / 2)?;
                            u64::from(if i % 2 == 0 { byte >> 4 } else { byte & 0x0F })
                        }
                        8 => u64::from(*body.get(i)?),
                        16 => u64::from(u16::from_be_bytes(
                            body.get(i * 2..i * 2 + 2)?.try_into().ok()?,
                        )),
                        _ => u64::from(be32(body, i.checked_mul(4)?)?),
                    };
                    sum = sum.checked_add(v)?;
                }
                Some(sum)
            }
        }
    }
}

fn child<'a>(b: &'a Mp4Box, typ: &[u8; 4]) -> Option<&'a Mp4Box> {
    b.children.as_ref()?.iter().find(|c| &c.typ == typ)
}

fn body<'a>(d: &'a [u8], b: &Mp4Box) -> &'a [u8] {
    d.get(b.start + b.header..b.end).unwrap_or(&[])
}
