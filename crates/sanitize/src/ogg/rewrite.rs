//! The rewrite of each link: header packets gathered (bounded), the comment
//! packet replaced by an empty one, later pages renumbered and re-checksummed,
//! audio pages copied as they are.

use std::io::{Read, Write};

use super::crc::{crc_page, crc_update};
use super::{
    CLASSIFY_PREFIX, COMPARE_LIMIT, Codec, FLAG_BOS, FLAG_CONTINUED, FLAG_EOS, Headers, K,
    MAX_PAGE, classify_comments, read_page,
};
use crate::{Found, SanitizeError, malformed};

pub(super) fn strip_ogg(
    r: &mut dyn Read,
    w: &mut dyn Write,
    max_header: u64,
) -> Result<Found, SanitizeError> {
    let mut found = Found::default();
    let mut buf = Vec::with_capacity(MAX_PAGE);
    let mut links = 0u32;
    // One link at a time: header pages, then pages until end of stream.
    while let Some((shift, serial)) = strip_headers(r, w, &mut buf, &mut found, max_header, links)?
    {
        links = links.saturating_add(1);
        loop {
            let Some(page) = read_page(r, &mut buf)? else {
                // A recording cut off without its last page still plays.
                return Ok(found);
            };
            if page.flags & FLAG_BOS != 0 || page.serial != serial {
                return Err(SanitizeError::Unsupported {
                    kind: K,
                    detail: "multiplexed Ogg streams",
                });
            }
            let seq = page.seq.wrapping_sub(shift);
            if shift != 0 {
                found.changed = true;
            }
            write_copy(w, page.raw, seq)?;
            if page.flags & FLAG_EOS != 0 {
                break;
            }
        }
    }
    if links == 0 {
        return Err(malformed(K, "no Ogg pages"));
    }
    Ok(found)
}

/// Read and rewrite the header pages of one link. Returns `None` at the end
/// of the file (no further link), else the amount to subtract from the
/// sequence number of the link's later pages and the link's serial number.
fn strip_headers(
    r: &mut dyn Read,
    w: &mut dyn Write,
    buf: &mut Vec<u8>,
    found: &mut Found,
    max_header: u64,
    links: u32,
) -> Result<Option<(u32, u32)>, SanitizeError> {
    let mut h: Option<Headers> = None;
    loop {
        let Some(page) = read_page(r, buf)? else {
            if h.is_none() && links > 0 {
                return Ok(None);
            }
            return Err(malformed(K, "file ends inside the headers"));
        };
        let hs = match h.as_mut() {
            None => {
                if page.flags & FLAG_BOS == 0 || page.flags & FLAG_CONTINUED != 0 {
                    return Err(malformed(K, "stream does not begin with a first page"));
                }
                h.insert(Headers {
                    serial: page.serial,
                    codec: None,
                    packets: Vec::new(),
                    current: Some(Vec::new()),
                    in_packet: false,
                    comment_prefix: Vec::new(),
                    held: 0,
                    pages_in: 0,
                    original: Vec::new(),
                    compare: true,
                    first_seq: page.seq,
                })
            }
            Some(hs) => {
                if page.serial != hs.serial || page.flags & FLAG_BOS != 0 {
                    return Err(SanitizeError::Unsupported {
                        kind: K,
                        detail: "multiplexed Ogg streams",
                    });
                }
                hs
            }
        };
        if (page.flags & FLAG_CONTINUED != 0) != hs.in_packet {
            return Err(malformed(K, "header page continuation flag is wrong"));
        }
        if page.flags & FLAG_EOS != 0 {
            return Err(malformed(K, "stream ends inside the headers"));
        }
        hs.pages_in = hs.pages_in.saturating_add(1);
        if hs.compare {
            if hs.original.len() + page.raw.len() <= COMPARE_LIMIT {
                hs.original.extend_from_slice(page.raw);
            } else {
                hs.compare = false;
                hs.original = Vec::new();
            }
        }
        let mut off = 0usize;
        let mut done = false;
        for (i, &lace) in page.lacing.iter().enumerate() {
            if done {
                return Err(malformed(K, "audio data shares a page with the headers"));
            }
            let seg = page
                .body
                .get(off..off + usize::from(lace))
                .ok_or_else(|| malformed(K, "segment past the page end"))?;
            off += usize::from(lace);
            hs.in_packet = lace == 255;
            match hs.current.as_mut() {
                Some(p) => {
                    hs.held = hs.held.saturating_add(seg.len() as u64);
                    if hs.held > max_header {
                        return Err(SanitizeError::TooLarge { limit: max_header });
                    }
                    p.extend_from_slice(seg);
                }
                None => {
                    let room = CLASSIFY_PREFIX.saturating_sub(hs.comment_prefix.len());
                    hs.comment_prefix
                        .extend_from_slice(seg.get(..room.min(seg.len())).unwrap_or(&[]));
                }
            }
            if lace < 255 {
                // A packet ends here.
                match hs.current.take() {
                    Some(p) => {
                        if hs.packets.is_empty() {
                            let codec =
                                Codec::from_first_packet(&p).ok_or(SanitizeError::Unsupported {
                                    kind: K,
                                    detail: "Ogg codec other than Vorbis or Opus",
                                })?;
                            hs.codec = Some(codec);
                            if i + 1 != page.lacing.len() {
                                return Err(malformed(
                                    K,
                                    "first page holds more than the identification header",
                                ));
                            }
                        } else if hs.codec == Some(Codec::Vorbis) && !p.starts_with(b"\x05vorbis") {
                            return Err(malformed(K, "Vorbis setup header missing"));
                        }
                        hs.packets.push(Some(p));
                    }
                    None => {
                        let codec = hs.codec.ok_or_else(|| malformed(K, "no codec"))?;
                        if !hs.comment_prefix.starts_with(codec.comment_magic()) {
                            return Err(malformed(K, "comment header missing"));
                        }
                        hs.packets.push(None);
                    }
                }
                let codec = hs.codec.ok_or_else(|| malformed(K, "no codec"))?;
                if hs.packets.len() == codec.headers() {
                    done = true;
                } else if hs.packets.len() == 1 {
                    hs.current = None; // the comment packet comes next
                } else {
                    hs.current = Some(Vec::new());
                }
            }
        }
        if off != page.body.len() {
            return Err(malformed(K, "page body longer than its segments"));
        }
        if done {
            break;
        }
    }
    let Some(hs) = h else {
        return Err(malformed(K, "no headers"));
    };
    let codec = hs.codec.ok_or_else(|| malformed(K, "no codec"))?;

    // Report what the comment held, then lay the headers out again.
    let magic_len = codec.comment_magic().len();
    let comment_body = hs.comment_prefix.get(magic_len..).unwrap_or(&[]);
    let was_empty = hs.comment_prefix.as_slice() == codec.empty_comment();
    if !was_empty {
        classify_comments(comment_body, found);
        // Even an empty list may have been followed by padding.
        found.changed = true;
    }
    let mut packets: Vec<&[u8]> = Vec::new();
    for p in &hs.packets {
        packets.push(p.as_deref().unwrap_or(codec.empty_comment()));
    }
    let mut out = Vec::new();
    let mut seq = hs.first_seq;
    // Identification header alone on the first page.
    let (first, rest) = packets
        .split_first()
        .ok_or_else(|| malformed(K, "no headers"))?;
    write_packets(&mut out, &[first], hs.serial, &mut seq, FLAG_BOS);
    write_packets(&mut out, rest, hs.serial, &mut seq, 0);
    let pages_out = seq.wrapping_sub(hs.first_seq);
    if !hs.compare || out != hs.original {
        found.changed = true;
    }
    w.write_all(&out)?;
    Ok(Some((hs.pages_in.wrapping_sub(pages_out), hs.serial)))
}

/// Lay `packets` out on pages (the last one ending its page), granule 0 on
/// pages where a packet ends and -1 on the others, as libogg does.
fn write_packets(
    out: &mut Vec<u8>,
    packets: &[&[u8]],
    serial: u32,
    seq: &mut u32,
    first_flags: u8,
) {
    // Segments: (bytes, lacing value, ends a packet).
    let mut segs: Vec<(&[u8], u8, bool)> = Vec::new();
    for p in packets {
        let mut rest: &[u8] = p;
        loop {
            let n = rest.len().min(255);
            let (seg, tail) = rest.split_at(n);
            rest = tail;
            // A full segment followed by nothing still needs a 0 terminator.
            let ends = n < 255;
            segs.push((seg, n as u8, ends));
            if ends {
                break;
            }
        }
    }
    let mut flags = first_flags;
    let mut continued = false;
    for chunk in segs.chunks(255) {
        let ends_any = chunk.iter().any(|s| s.2);
        let granule = if ends_any { 0u64 } else { u64::MAX };
        let mut page = Vec::with_capacity(MAX_PAGE);
        page.extend_from_slice(b"OggS\0");
        page.push(flags | if continued { FLAG_CONTINUED } else { 0 });
        page.extend_from_slice(&granule.to_le_bytes());
        page.extend_from_slice(&serial.to_le_bytes());
        page.extend_from_slice(&seq.to_le_bytes());
        page.extend_from_slice(&[0; 4]);
        page.push(chunk.len() as u8);
        page.extend(chunk.iter().map(|s| s.1));
        for s in chunk {
            page.extend_from_slice(s.0);
        }
        let crc = crc_page(&page);
        if let Some(c) = page.get_mut(22..26) {
            c.copy_from_slice(&crc.to_le_bytes());
        }
        out.extend_from_slice(&page);
        *seq = seq.wrapping_add(1);
        flags = 0;
        continued = chunk.last().is_some_and(|s| !s.2);
    }
}

/// Copy a page with a new sequence number (and so a new CRC).
fn write_copy(w: &mut dyn Write, raw: &[u8], seq: u32) -> Result<(), SanitizeError> {
    let mut head = [0u8; 27];
    let h = raw.get(..27).ok_or_else(|| malformed(K, "short page"))?;
    head.copy_from_slice(h);
    head[18..22].copy_from_slice(&seq.to_le_bytes());
    head[22..26].copy_from_slice(&[0; 4]);
    let rest = raw.get(27..).unwrap_or(&[]);
    let crc = crc_update(crc_update(0, &head), rest);
    head[22..26].copy_from_slice(&crc.to_le_bytes());
    w.write_all(&head)?;
    w.write_all(rest)?;
    Ok(())
}
