//! PDF metadata stripping (in memory, with lopdf).
//!
//! Loads the document (all revisions merged by the cross-reference chain),
//! then removes: the trailer /Info dictionary and /ID, every /Metadata entry
//! and XMP metadata stream, /PieceInfo application data, markup annotation
//! author (/T becomes "Author") and annotation dates, old Info dictionaries of
//! earlier revisions, and EXIF/XMP inside embedded JPEG (DCTDecode) images.
//! A fresh, complete file is written (never an incremental update), so bytes
//! of earlier revisions are gone.
//!
//! Encrypted PDFs are Malformed ("encrypted"): we cannot see inside them.
//! Not handled: metadata inside embedded file attachments and fonts.
//! Must never write the original bytes back or panic on hostile input.

use std::io::Write;

use lopdf::xref::XrefType;
use lopdf::{Dictionary, Document, Object, StringFormat};

use super::{Found, Kind, Outcome, Removed, SanitizeError, classify_xmp, find, malformed};

/// Rewrite a whole PDF held in memory without metadata.
pub(super) fn strip(data: &[u8], output: &mut dyn Write) -> Result<Outcome, SanitizeError> {
    let mut doc = match Document::load_mem(data) {
        Ok(d) => d,
        Err(e) if find(data, b"/Encrypt").is_some() => {
            return Err(malformed(K, format!("encrypted PDF ({e})")));
        }
        Err(e) => return Err(malformed(K, e.to_string())),
    };
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
            let content = s.get_plain_content().unwrap_or(s.content);
            classify_xmp(&content, &mut found);
        }
    }

    for obj in doc.objects.values_mut() {
        clean_object(obj, &mut found, 0)?;
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

// ---------------------------------------------------------------------------

const K: Kind = Kind::Pdf;
/// Nesting bound for direct objects, against stack exhaustion.
const MAX_DEPTH: usize = 64;

fn is_name(o: Option<&Object>, name: &[u8]) -> bool {
    matches!(o, Some(Object::Name(n)) if n == name)
}

/// Heuristic for a document information dictionary.
fn looks_like_info(d: &Dictionary) -> bool {
    !d.has(b"Type")
        && [
            &b"Producer"[..],
            b"Creator",
            b"Author",
            b"CreationDate",
            b"ModDate",
        ]
        .iter()
        .any(|k| d.has(k))
}

fn classify_info(d: &Dictionary, found: &mut Found) {
    for (k, _) in d.iter() {
        found.add(match k.as_slice() {
            b"Author" => Removed::Author,
            b"Creator" | b"Producer" => Removed::Software,
            b"CreationDate" | b"ModDate" => Removed::Dates,
            b"Subject" | b"Keywords" | b"Title" => Removed::Comments,
            _ => Removed::Other,
        });
    }
}

/// Remove metadata keys in `obj` and the direct objects inside it.
fn clean_object(obj: &mut Object, found: &mut Found, depth: usize) -> Result<(), SanitizeError> {
    if depth > MAX_DEPTH {
        return Err(malformed(K, "objects nested too deeply"));
    }
    match obj {
        Object::Dictionary(d) => clean_dict(d, found, depth),
        Object::Stream(s) => {
            clean_dict(&mut s.dict, found, depth)?;
            clean_jpeg_stream(s, found)
        }
        Object::Array(items) => {
            for i in items.iter_mut() {
                clean_object(i, found, depth + 1)?;
            }
            Ok(())
        }
        _ => Ok(()),
    }
}

fn clean_dict(d: &mut Dictionary, found: &mut Found, depth: usize) -> Result<(), SanitizeError> {
    if d.remove(b"Metadata").is_some() {
        found.add(Removed::Other);
    }
    if d.remove(b"PieceInfo").is_some() {
        found.add(Removed::Other);
    }
    let is_annot = is_name(d.get(b"Type").ok(), b"Annot")
        || (d.has(b"Subtype") && d.has(b"Rect") && (d.has(b"T") || d.has(b"Popup")));
    let is_widget = is_name(d.get(b"Subtype").ok(), b"Widget");
    if is_annot && !is_widget {
        // /T of a markup annotation is its author ("Title" in the UI).
        let neutral = Object::String(b"Author".to_vec(), StringFormat::Literal);
        if let Ok(t) = d.get(b"T")
            && *t != neutral
        {
            d.set("T", neutral);
            found.add(Removed::Author);
        }
        for k in [&b"M"[..], b"CreationDate"] {
            if d.remove(k).is_some() {
                found.add(Removed::Dates);
            }
        }
    }
    for (_, v) in d.iter_mut() {
        clean_object(v, found, depth + 1)?;
    }
    Ok(())
}

/// Strip EXIF/XMP from an embedded JPEG image (DCTDecode as its only filter).
fn clean_jpeg_stream(s: &mut lopdf::Stream, found: &mut Found) -> Result<(), SanitizeError> {
    let dct_only = match s.dict.get(b"Filter") {
        Ok(Object::Name(n)) => n == b"DCTDecode",
        Ok(Object::Array(a)) => a.len() == 1 && is_name(a.first(), b"DCTDecode"),
        _ => false,
    };
    if !dct_only {
        return Ok(());
    }
    let (clean, inner) = super::jpeg::strip_bytes(&s.content, false)
        .map_err(|e| malformed(K, format!("embedded JPEG image: {e}")))?;
    if !inner.removed.is_empty() {
        for r in inner.removed {
            found.add(r);
        }
        s.set_content(clean);
    }
    Ok(())
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
pub(super) mod tests {
    use super::super::tests_util::*;
    use super::*;
    use lopdf::{Stream, dictionary};

    /// A one-page PDF with Info, XMP, /ID, an annotation author and an
    /// embedded JPEG with GPS EXIF, then an incremental update adding a new
    /// Info dictionary.
    pub(crate) fn fixture() -> Vec<u8> {
        let mut doc = Document::with_version("1.5");
        let pages_id = doc.new_object_id();
        let jpeg = super::super::jpeg::tests::fixture(super::super::jpeg::tests::TINY, 6);
        let img = Stream::new(
            dictionary! {
                "Type" => "XObject", "Subtype" => "Image", "Width" => 16, "Height" => 16,
                "ColorSpace" => "DeviceRGB", "BitsPerComponent" => 8, "Filter" => "DCTDecode",
            },
            jpeg,
        );
        let img_id = doc.add_object(img);
        let content = Stream::new(dictionary! {}, b"q 100 0 0 100 0 0 cm /Im1 Do Q".to_vec());
        let content_id = doc.add_object(content);
        let annot_id = doc.add_object(dictionary! {
            "Type" => "Annot", "Subtype" => "Text", "Rect" => vec![0.into(), 0.into(), 10.into(), 10.into()],
            "T" => Object::string_literal("Jane Canary"), "Contents" => Object::string_literal("note"),
            "M" => Object::string_literal("D:20240501CANARY"),
        });
        let page_id = doc.add_object(dictionary! {
            "Type" => "Page", "Parent" => pages_id, "Contents" => content_id,
            "MediaBox" => vec![0.into(), 0.into(), 200.into(), 200.into()],
            "Resources" => dictionary! { "XObject" => dictionary! { "Im1" => img_id } },
            "Annots" => vec![annot_id.into()],
        });
        doc.objects.insert(
            pages_id,
            Object::Dictionary(
                dictionary! { "Type" => "Pages", "Kids" => vec![page_id.into()], "Count" => 1 },
            ),
        );
        let xmp = Stream::new(
            dictionary! { "Type" => "Metadata", "Subtype" => "XML" },
            b"<x:xmpmeta><dc:creator>Jane Canary</dc:creator><xmp:CreatorTool>CANARY-TOOL</xmp:CreatorTool></x:xmpmeta>".to_vec(),
        );
        let xmp_id = doc.add_object(xmp);
        let catalog_id = doc.add_object(
            dictionary! { "Type" => "Catalog", "Pages" => pages_id, "Metadata" => xmp_id },
        );
        let info_id = doc.add_object(dictionary! {
            "Author" => Object::string_literal("Jane Canary"),
            "Producer" => Object::string_literal("CANARY-PRODUCER"),
            "CreationDate" => Object::string_literal("D:20240501120000+02'00'"),
        });
        doc.trailer.set("Root", catalog_id);
        doc.trailer.set("Info", info_id);
        doc.trailer.set(
            "ID",
            vec![
                Object::String(b"CANARY-ID-1".to_vec(), StringFormat::Hexadecimal),
                Object::String(b"CANARY-ID-1".to_vec(), StringFormat::Hexadecimal),
            ],
        );
        let mut out = Vec::new();
        doc.save_to(&mut out).unwrap();

        // Incremental update by hand: a new Info object.
        let sx = out.windows(9).rposition(|w| w == b"startxref").unwrap();
        let tail = std::str::from_utf8(&out[sx + 9..]).unwrap();
        let prev: usize = tail
            .trim()
            .trim_end_matches("%%EOF")
            .trim()
            .parse()
            .unwrap();
        let new_id = doc.max_id + 1;
        out.extend_from_slice(b"\n");
        let obj_at = out.len();
        out.extend_from_slice(
            format!("{new_id} 0 obj\n<< /Author (Jane Canary Rev2) /Producer (CANARY-PRODUCER-2) >>\nendobj\n").as_bytes(),
        );
        let xref_at = out.len();
        out.extend_from_slice(format!("xref\n{new_id} 1\n{obj_at:010} 00000 n \n").as_bytes());
        out.extend_from_slice(
            format!(
                "trailer\n<< /Size {} /Root {} 0 R /Info {new_id} 0 R /Prev {prev} /ID [<43414E415259> <43414E415259>] >>\nstartxref\n{xref_at}\n%%EOF\n",
                new_id + 1,
                catalog_id.0
            )
            .as_bytes(),
        );
        out
    }

    #[test]
    fn strips_info_xmp_ids_across_revisions() {
        let input = fixture();
        // The fixture really has both revisions.
        let loaded = Document::load_mem(&input).unwrap();
        assert!(loaded.trailer.has(b"Info"));
        assert!(contains(&input, b"CANARY-PRODUCER-2"));
        assert!(contains(&input, b"(CANARY-PRODUCER)"));

        let (res, out) = run(Kind::Pdf, &input);
        let Outcome::Cleaned { removed } = res.unwrap() else {
            panic!()
        };
        for cat in [
            Removed::Author,
            Removed::Software,
            Removed::Dates,
            Removed::DocumentIds,
            Removed::Location,
        ] {
            assert!(removed.contains(&cat), "{cat}");
        }
        for canary in [
            &b"Jane Canary"[..],
            b"CANARY",
            b"+48.8577+002.2950/",
            b"Photoshop",
        ] {
            assert!(
                !contains(&out, canary),
                "{}",
                String::from_utf8_lossy(canary)
            );
        }
        // Only one revision: a single %%EOF and xref.
        assert_eq!(out.windows(5).filter(|w| w == b"%%EOF").count(), 1);
        let doc = Document::load_mem(&out).unwrap();
        assert!(!doc.trailer.has(b"Info"));
        assert!(!doc.trailer.has(b"ID"));
        assert!(!doc.catalog().unwrap().has(b"Metadata"));
        assert_eq!(doc.get_pages().len(), 1);
        // The image is still a valid JPEG.
        let img = doc
            .objects
            .values()
            .find_map(|o| match o {
                Object::Stream(s) if is_name(s.dict.get(b"Subtype").ok(), b"Image") => {
                    Some(s.content.clone())
                }
                _ => None,
            })
            .unwrap();
        super::super::jpeg::tests::assert_jpeg_structure(&img);
        // Second pass finds nothing.
        let (res2, _) = run(Kind::Pdf, &out);
        assert_eq!(res2.unwrap(), Outcome::NothingFound);
    }

    #[test]
    fn encrypted_pdf_is_refused() {
        let mut input = fixture();
        // Point the last trailer at a Standard security handler.
        let t = input.windows(5).rposition(|w| w == b"/Prev").unwrap();
        input.splice(
            t..t,
            b"/Encrypt << /Filter /Standard /V 1 /R 2 /O <00> /U <00> /P -4 >> "
                .iter()
                .copied(),
        );
        let (res, _) = run(Kind::Pdf, &input);
        match res {
            Err(SanitizeError::Malformed { detail, .. }) => {
                assert!(detail.contains("encrypted"), "{detail}")
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn truncated_pdf_is_error() {
        let input = fixture();
        for cut in [0, 5, 10, 50, 200] {
            let (res, _) = run(Kind::Pdf, &input[..cut]);
            assert!(res.is_err(), "cut {cut}");
        }
    }
}
