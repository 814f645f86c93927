//! What is kept and what goes: the DocType, the action for each element in
//! its context, seek entries, held masters cleaned in place, and what tags held.

use super::ebml::{parse_header, void_in_place};
use super::{
    Action, Ctx, DocType, EBML_HEADER_KEEP, MAX_DEPTH, MAX_ELEMENTS, SEEK_KEEP, TRACK_ENTRY_KEEP,
    id,
};
use crate::{Found, Kind, Removed, SanitizeError, malformed, png::crc32};

/// The DocType in an EBML header's body, if one can be read.
pub(super) fn doc_type(body: &[u8]) -> Option<DocType> {
    let mut at = 0;
    while at < body.len() {
        let h = parse_header(body, at).ok()?;
        let end = h.data_start.checked_add(usize::try_from(h.size?).ok()?)?;
        if h.id == id::DOC_TYPE {
            let v = body.get(h.data_start..end)?;
            let v = v.split(|&b| b == 0).next().unwrap_or_default();
            return Some(match v {
                b"webm" => DocType::Webm,
                b"matroska" => DocType::Matroska,
                _ => DocType::Other,
            });
        }
        at = end;
    }
    None
}

fn action(ctx: Ctx, id: u32, body: &[u8]) -> Action {
    if id == id::VOID {
        return Action::ZeroBody;
    }
    match ctx {
        Ctx::EbmlHeader if EBML_HEADER_KEEP.contains(&id) => Action::Keep,
        Ctx::Info => match id {
            id::TIMESTAMP_SCALE | id::DURATION => Action::Keep,
            id::MUXING_APP | id::WRITING_APP => Action::Blank(Removed::Software),
            id::TITLE => Action::Void(Some(Removed::Comments)),
            id::DATE_UTC => Action::Void(Some(Removed::Dates)),
            id::SEGMENT_UID
            | id::PREV_UID
            | id::NEXT_UID
            | id::SEGMENT_FAMILY
            | id::CHAPTER_TRANSLATE => Action::Void(Some(Removed::DocumentIds)),
            _ => Action::Void(Some(Removed::Other)),
        },
        Ctx::Tracks if id == id::TRACK_ENTRY => Action::Recurse(Ctx::TrackEntry),
        Ctx::TrackEntry => match id {
            _ if TRACK_ENTRY_KEEP.contains(&id) => Action::Keep,
            id::NAME => Action::Void(Some(Removed::Comments)),
            id::CODEC_NAME => Action::Void(Some(Removed::Software)),
            _ => Action::Void(Some(Removed::Other)),
        },
        Ctx::SeekHead if id == id::SEEK => match seek_target(body) {
            Some(t) if SEEK_KEEP.contains(&t) => Action::Keep,
            _ => Action::Void(None),
        },
        _ => Action::Void(Some(Removed::Other)),
    }
}

/// The element ID a `Seek` entry's body points at.
pub(super) fn seek_target(body: &[u8]) -> Option<u32> {
    let mut at = 0;
    while at < body.len() {
        let h = parse_header(body, at).ok()?;
        let end = h.data_start.checked_add(usize::try_from(h.size?).ok()?)?;
        if h.id == id::SEEK_ID {
            let v = body.get(h.data_start..end)?;
            if v.is_empty() || v.len() > 4 {
                return None;
            }
            return Some(v.iter().fold(0u32, |a, &b| (a << 8) | u32::from(b)));
        }
        at = end;
    }
    None
}

/// Clean the children of a held master's body in place; returns whether any
/// byte changed. A leading CRC-32 is recomputed when something did.
pub(super) fn clean_master(
    buf: &mut [u8],
    ctx: Ctx,
    depth: usize,
    count: &mut usize,
    k: Kind,
    found: &mut Found,
) -> Result<bool, SanitizeError> {
    if depth > MAX_DEPTH {
        return Err(malformed(k, "elements nested too deeply"));
    }
    let mut changed = false;
    let mut crc_at: Option<usize> = None;
    let mut at = 0;
    while at < buf.len() {
        *count += 1;
        if *count > MAX_ELEMENTS {
            return Err(malformed(k, "too many elements"));
        }
        let h = parse_header(buf, at).map_err(|()| malformed(k, "bad element header"))?;
        let size = h
            .size
            .ok_or_else(|| malformed(k, "element of unknown size inside a metadata element"))?;
        let end = usize::try_from(size)
            .ok()
            .and_then(|s| h.data_start.checked_add(s))
            .filter(|&e| e <= buf.len())
            .ok_or_else(|| malformed(k, "element runs past the end of its parent"))?;
        if h.id == id::CRC32 && at == 0 && size == 4 {
            crc_at = Some(end);
            at = end;
            continue;
        }
        let body = buf.get(h.data_start..end).unwrap_or_default();
        let act = if h.id == id::CRC32 {
            // A CRC-32 anywhere but first in its master is not valid.
            Action::Void(None)
        } else {
            action(ctx, h.id, body)
        };
        match act {
            Action::Keep => {}
            Action::ZeroBody | Action::Blank(_) => {
                if body.iter().any(|&b| b != 0) {
                    if let Action::Blank(r) = act {
                        found.add(r);
                    }
                    found.changed = true;
                    changed = true;
                    buf.get_mut(h.data_start..end).unwrap_or_default().fill(0);
                }
            }
            Action::Void(label) => {
                match label {
                    Some(r) => found.add(r),
                    None => found.changed = true,
                }
                changed = true;
                void_in_place(buf.get_mut(at..end).unwrap_or_default(), k)?;
            }
            Action::Recurse(inner) => {
                let child = buf.get_mut(h.data_start..end).unwrap_or_default();
                changed |= clean_master(child, inner, depth + 1, count, k, found)?;
            }
        }
        at = end;
    }
    if let (true, Some(crc_end)) = (changed, crc_at) {
        let crc = crc32(0, buf.get(crc_end..).unwrap_or_default());
        if let Some(dst) = buf.get_mut(crc_end - 4..crc_end) {
            dst.copy_from_slice(&crc.to_le_bytes());
        }
    }
    Ok(changed)
}

/// Report what a `Tags` element held, from its tag names. Tolerant: the
/// element is removed whatever it holds, so damage only means "other".
pub(super) fn classify_tags(body: &[u8], found: &mut Found) {
    let before = found.removed.len();
    walk_tags(body, 0, found);
    if found.removed.len() == before {
        found.add(Removed::Other);
    }
    found.changed = true;
}

fn walk_tags(buf: &[u8], depth: usize, found: &mut Found) {
    if depth > MAX_DEPTH {
        return;
    }
    let mut at = 0;
    while at < buf.len() {
        let Ok(h) = parse_header(buf, at) else { return };
        let Some(end) = h
            .size
            .and_then(|s| usize::try_from(s).ok())
            .and_then(|s| h.data_start.checked_add(s))
            .filter(|&e| e <= buf.len())
        else {
            return;
        };
        let body = buf.get(h.data_start..end).unwrap_or_default();
        match h.id {
            id::TAG | id::SIMPLE_TAG => walk_tags(body, depth + 1, found),
            id::TAG_NAME => found.add(tag_category(body)),
            _ => {}
        }
        at = end;
    }
}

fn tag_category(name: &[u8]) -> Removed {
    let name = String::from_utf8_lossy(name).to_ascii_uppercase();
    let has = |words: &[&str]| words.iter().any(|w| name.contains(w));
    if has(&["LOCATION", "GPS", "COORDINATES", "LATITUDE", "LONGITUDE"]) {
        Removed::Location
    } else if has(&["MAKE", "MODEL", "DEVICE", "SERIAL", "CAMERA"]) {
        Removed::Camera
    } else if has(&[
        "ENCODER", "ENCODED", "SOFTWARE", "HANDLER", "WRITING", "MUXING",
    ]) {
        Removed::Software
    } else if has(&["DATE", "TIME", "YEAR"]) {
        Removed::Dates
    } else if has(&[
        "ARTIST",
        "AUTHOR",
        "COMPOSER",
        "PERFORMER",
        "DIRECTOR",
        "PRODUCER",
        "WRITTEN",
        "LYRICIST",
        "ACTOR",
        "CONDUCTOR",
        "PUBLISHER",
        "COPYRIGHT",
        "OWNER",
    ]) {
        Removed::Author
    } else if has(&[
        "COMMENT",
        "DESCRIPTION",
        "TITLE",
        "SUMMARY",
        "SYNOPSIS",
        "KEYWORDS",
        "SUBJECT",
    ]) {
        Removed::Comments
    } else {
        Removed::Other
    }
}
