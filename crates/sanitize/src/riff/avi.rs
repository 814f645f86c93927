//! AVI: rewritten in place, metadata chunks and lists turned into `JUNK`
//! of the same size so that every offset stays valid.

use std::io::{self, Read, Write};

use super::audio::classify;
use super::{Order, PEEK, PEEK_XMP, Sink, pass, read_byte, read_header};
use crate::{Found, Kind, Removed, SanitizeError, malformed, read_err};

pub(super) const AVI: Kind = Kind::Avi;

/// Where a chunk sits, which decides what is kept there.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Level {
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
pub(super) enum Act {
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
pub(super) fn avi(r: &mut dyn Read, w: &mut dyn Write) -> Result<Found, SanitizeError> {
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
pub(super) fn walk(
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
