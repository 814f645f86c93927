//! PDF metadata stripping (in memory, with lopdf).
//!
//! Loads the document (all revisions merged by the cross-reference chain),
//! then removes: the trailer /Info dictionary and /ID, every /Metadata entry
//! and XMP metadata stream, /PieceInfo application data, /LastModified dates,
//! page thumbnails (/Thumb), markup annotation author (/T becomes "Author")
//! and annotation dates, old Info dictionaries of earlier revisions, and
//! EXIF/XMP inside embedded JPEG (DCTDecode) images.
//!
//! It also removes everything a PDF reader may run or fetch on its own, since
//! a planted link reveals the reviewer who opens the file: /OpenAction and
//! /AA (additional actions) wherever they are, every action other than a jump
//! inside the document (`/GoTo`, `/Named`), so /URI, /Launch, /GoToR, /GoToE,
//! /SubmitForm, /ImportData, /JavaScript and the rest, together with /Next
//! chains; the JavaScript and EmbeddedFiles name trees, embedded file streams
//! and file attachment, media and rich-media annotations, /AF associated
//! files, the base /URI and XFA forms. Link annotations stay on the page
//! without their action.
//! A fresh, complete file is written (never an incremental update), so bytes
//! of earlier revisions are gone.
//!
//! # Decompression budget
//! Page content, images and fonts are copied as they are, encoded: they are
//! never decoded. Metadata streams are dropped without being decoded (an XMP
//! packet stored unfiltered is scanned as it is, to report what it held). The
//! only streams decoded are those needed to read the file: object streams and
//! cross-reference streams. All of them together may decode to at most
//! [`Limits::pdf_max_decoded`] bytes (`limits.pdf_max_decoded_bytes` in the
//! server's configuration): one budget per file, shared across streams, each
//! filter layer bounded by what is left of it. A file that needs more is
//! refused with [`SanitizeError::TooLarge`], never half-processed.
//!
//! Parsed values take many times the bytes of their text (100 to 250 bytes
//! for the two bytes of a `0 ` in an array), so values are bounded by
//! [`Limits::pdf_max_values`] (`limits.pdf_max_values`), refused the same
//! way, and always counted from text before lopdf parses it. The objects
//! written plainly in the file (and its trailers) are counted by one pass
//! over the raw bytes before lopdf sees them ([`load::scan_plain`], which skips
//! stream data only where no parse can read values, as argued there); the
//! members of an object stream from its decoded text before lopdf parses
//! them. Every object lopdf keeps is counted again once parsed, so what it
//! holds at once stays within about twice the limit. A file whose text names
//! `/Encrypt` is refused before lopdf parses it, since lopdf reads encrypted
//! files (those that open with the empty password) without the load filter.
//!
//! lopdf's load filter is a plain `fn`, so the budget of the file being
//! loaded lives in a thread-local for the duration of the load (lopdf is
//! built without its `rayon` feature and loads on the calling thread).
//! One path runs before the filter and is bounded per stream only, by
//! lopdf's own limit set to the same budget: cross-reference streams, decoded
//! while lopdf follows the cross-reference chain (each is counted against the
//! budget afterwards). lopdf would also read an encrypted file that opens
//! with the empty password without the filter (its objects and object
//! streams), so a file whose text names `/Encrypt` never reaches lopdf.
//!
//! Encrypted PDFs are Malformed ("encrypted"): we cannot see inside them.
//! Not handled: metadata inside fonts.
//! Must never write the original bytes back or panic on hostile input.

use std::io::Write;

use lopdf::xref::XrefType;
use lopdf::{Dictionary, Object};

use super::{Found, Kind, Limits, Outcome, Removed, SanitizeError, classify_xmp, malformed};

mod budget;
mod clean;
mod load;

use clean::{Active, classify_info, clean_object, drop_attachments, is_name, looks_like_info};
use load::load;

/// Rewrite a whole PDF held in memory without metadata.
pub(super) fn strip(
    data: &[u8],
    output: &mut dyn Write,
    limits: &Limits,
) -> Result<Outcome, SanitizeError> {
    let mut doc = load(data, limits)?;
    if doc.was_encrypted() || doc.is_encrypted() || doc.trailer.has(b"Encrypt") {
        return Err(malformed(K, "encrypted PDF is not supported"));
    }
    let root = match doc.trailer.get(b"Root") {
        Ok(Object::Reference(id)) => *id,
        _ => return Err(malformed(K, "no document catalog")),
    };
    let mut found = Found {
        changed: true,
        ..Found::default()
    };
    if doc.trailer.has(b"ID") {
        found.add(Removed::DocumentIds);
    }

    // Report what Info dictionaries (current and older revisions) held; they
    // become unreferenced below and are pruned.
    for obj in doc.objects.values() {
        if let Object::Dictionary(d) = obj
            && looks_like_info(d)
        {
            classify_info(d, &mut found);
        }
    }
    if let Ok(Object::Dictionary(d)) = doc.trailer.get(b"Info") {
        classify_info(d, &mut found);
    }

    // XMP streams: report and delete.
    let xmp_ids: Vec<_> = doc
        .objects
        .iter()
        .filter_map(|(id, o)| match o {
            Object::Stream(s) if is_name(s.dict.get(b"Type").ok(), b"Metadata") => Some(*id),
            _ => None,
        })
        .collect();
    for id in xmp_ids {
        if let Some(Object::Stream(s)) = doc.objects.remove(&id) {
            // Only removed, so never decoded: an encoded packet is reported
            // as "other" without looking inside.
            if s.dict.has(b"Filter") {
                found.add(Removed::Other);
            } else {
                classify_xmp(&s.content, &mut found);
            }
        }
    }

    let active = Active::survey(&doc);
    for (id, obj) in doc.objects.iter_mut() {
        if active.annot_arrays.contains(id)
            && let Object::Array(items) = obj
        {
            drop_attachments(items, &active, &mut found);
        }
        if let Object::Stream(s) = obj
            && is_name(s.dict.get(b"Type").ok(), b"EmbeddedFile")
        {
            *obj = Object::Null;
            found.add(Removed::Other);
            continue;
        }
        clean_object(obj, &active, &mut found, 0)?;
    }

    // A fresh trailer: only the catalog. No /Info, /ID, /Prev, /XRefStm.
    let mut trailer = Dictionary::new();
    trailer.set("Root", Object::Reference(root));
    doc.trailer = trailer;
    doc.reference_table.cross_reference_type = XrefType::CrossReferenceTable;
    let pruned = doc.prune_objects();
    if !pruned.is_empty() {
        found.add(Removed::Other);
    }
    // Keep /Size honest after pruning (readers warn otherwise).
    doc.max_id = doc.objects.keys().map(|(id, _)| *id).max().unwrap_or(0);
    if !doc.objects.contains_key(&root) {
        return Err(malformed(K, "catalog object missing"));
    }

    let mut buf = Vec::with_capacity(data.len());
    doc.save_to(&mut buf)?;
    output.write_all(&buf)?;
    Ok(found.outcome())
}

const K: Kind = Kind::Pdf;
/// Nesting bound for direct objects, against stack exhaustion.
const MAX_DEPTH: usize = 64;

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
pub(crate) mod tests;
