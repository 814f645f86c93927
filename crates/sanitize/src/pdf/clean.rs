//! The clean pass over every object: metadata, dates and authors, and the
//! actions, scripts, attachments and media a reader may run or fetch.

use std::collections::HashSet;

use lopdf::{Dictionary, Document, Object, ObjectId, StringFormat};

use super::{K, MAX_DEPTH};
use crate::{Found, Removed, SanitizeError, malformed};

/// Actions that only move within the document; every other action type can
/// reach outside it (network, files, scripts, forms) and is removed.
const SAFE_ACTIONS: [&[u8]; 2] = [b"GoTo", b"Named"];
/// Every action type (/S) of ISO 32000-2, 12.6.4. Other dictionaries have an
/// /S too (structure elements, transparency groups, soft masks, transitions),
/// so an action is recognised by its type, not by the key alone.
const ACTION_TYPES: [&[u8]; 20] = [
    b"GoTo",
    b"GoToR",
    b"GoToE",
    b"GoToDp",
    b"Launch",
    b"Thread",
    b"URI",
    b"Sound",
    b"Movie",
    b"Hide",
    b"Named",
    b"SubmitForm",
    b"ResetForm",
    b"ImportData",
    b"SetOCGState",
    b"Rendition",
    b"Trans",
    b"GoTo3DView",
    b"JavaScript",
    b"RichMediaExecute",
];
/// Annotation types that carry a file or media a reader may open or fetch.
const ATTACHMENT_ANNOTS: [&[u8]; 5] = [
    b"FileAttachment",
    b"RichMedia",
    b"Screen",
    b"Movie",
    b"Sound",
];

/// What the clean pass must know about other objects: which indirect objects
/// are actions that reach outside the document, which are attachment or media
/// annotations, and which arrays are annotation lists.
#[derive(Default)]
pub(super) struct Active {
    bad_actions: HashSet<ObjectId>,
    pub(super) attachments: HashSet<ObjectId>,
    pub(super) annot_arrays: HashSet<ObjectId>,
}

impl Active {
    pub(super) fn survey(doc: &Document) -> Active {
        let mut a = Active::default();
        for (id, obj) in &doc.objects {
            let d = match obj {
                Object::Dictionary(d) => d,
                Object::Stream(s) => &s.dict,
                _ => continue,
            };
            if is_action(d) && !is_safe_action(d) {
                a.bad_actions.insert(*id);
            }
            if is_attachment_annot(d) {
                a.attachments.insert(*id);
            }
            if let Ok(Object::Reference(r)) = d.get(b"Annots") {
                a.annot_arrays.insert(*r);
            }
        }
        a
    }

    /// Whether `value`, found under an action key (/A, /OpenAction), is an
    /// action to remove. Destination arrays and non-action values stay.
    fn is_bad(&self, value: &Object) -> bool {
        match value {
            Object::Dictionary(d) => is_action(d) && !is_safe_action(d),
            Object::Reference(id) => self.bad_actions.contains(id),
            _ => false,
        }
    }
}

pub(super) fn is_action(d: &Dictionary) -> bool {
    is_name(d.get(b"Type").ok(), b"Action")
        || (!is_name(d.get(b"Type").ok(), b"StructElem")
            && matches!(d.get(b"S"), Ok(Object::Name(n)) if ACTION_TYPES.contains(&n.as_slice())))
}

pub(super) fn is_safe_action(d: &Dictionary) -> bool {
    !d.has(b"JS")
        && matches!(d.get(b"S"), Ok(Object::Name(n)) if SAFE_ACTIONS.contains(&n.as_slice()))
}

pub(super) fn is_attachment_annot(d: &Dictionary) -> bool {
    matches!(d.get(b"Subtype"), Ok(Object::Name(n)) if ATTACHMENT_ANNOTS.contains(&n.as_slice()))
        && (d.has(b"Rect") || is_name(d.get(b"Type").ok(), b"Annot"))
}

/// Remove attachment and media annotations from an /Annots array.
pub(super) fn drop_attachments(items: &mut Vec<Object>, active: &Active, found: &mut Found) {
    let before = items.len();
    items.retain(|o| match o {
        Object::Reference(id) => !active.attachments.contains(id),
        Object::Dictionary(d) => !is_attachment_annot(d),
        _ => true,
    });
    if items.len() != before {
        found.add(Removed::Other);
    }
}

pub(super) fn is_name(o: Option<&Object>, name: &[u8]) -> bool {
    matches!(o, Some(Object::Name(n)) if n == name)
}

/// Heuristic for a document information dictionary.
pub(super) fn looks_like_info(d: &Dictionary) -> bool {
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

pub(super) fn classify_info(d: &Dictionary, found: &mut Found) {
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

/// Remove metadata and active content in `obj` and the direct objects
/// inside it.
pub(super) fn clean_object(
    obj: &mut Object,
    active: &Active,
    found: &mut Found,
    depth: usize,
) -> Result<(), SanitizeError> {
    if depth > MAX_DEPTH {
        return Err(malformed(K, "objects nested too deeply"));
    }
    match obj {
        Object::Dictionary(d) => clean_dict(d, active, found, depth),
        Object::Stream(s) => {
            clean_dict(&mut s.dict, active, found, depth)?;
            clean_jpeg_stream(s, found)
        }
        Object::Array(items) => {
            for i in items.iter_mut() {
                clean_object(i, active, found, depth + 1)?;
            }
            Ok(())
        }
        _ => Ok(()),
    }
}

pub(super) fn clean_dict(
    d: &mut Dictionary,
    active: &Active,
    found: &mut Found,
    depth: usize,
) -> Result<(), SanitizeError> {
    for (key, cat) in [
        (&b"Metadata"[..], Removed::Other),
        (b"PieceInfo", Removed::Other),
        (b"LastModified", Removed::Dates),
        (b"Thumb", Removed::Thumbnail),
    ] {
        if d.remove(key).is_some() {
            found.add(cat);
        }
    }
    clean_active(d, active, found);
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
    if let Ok(Object::Array(items)) = d.get_mut(b"Annots") {
        drop_attachments(items, active, found);
    }
    for (_, v) in d.iter_mut() {
        clean_object(v, active, found, depth + 1)?;
    }
    Ok(())
}

/// Remove from one dictionary what a reader may run or fetch by itself.
fn clean_active(d: &mut Dictionary, active: &Active, found: &mut Found) {
    let mut removed = false;
    // An action reaching outside the document is emptied wherever it sits;
    // the keys that point at it are removed below.
    if is_action(d) && !is_safe_action(d) {
        *d = Dictionary::new();
        found.add(Removed::Other);
        return;
    }
    // /PA: a link's original action, kept by some writers beside /A.
    for key in [&b"A"[..], b"OpenAction", b"PA"] {
        if d.get(key).is_ok_and(|v| active.is_bad(v)) {
            d.remove(key);
            removed = true;
        }
    }
    // A kept action runs no chain of further actions (outline items use
    // /Next for their sibling: only actions lose it).
    if is_action(d) && d.remove(b"Next").is_some() {
        removed = true;
    }
    // Always removed: additional (event) actions, scripts, embedded files and
    // their name trees, associated files, base URI, XFA forms (and the flag
    // that tells a reader to wait for them).
    for key in [
        &b"AA"[..],
        b"JS",
        b"JavaScript",
        b"EmbeddedFiles",
        b"EF",
        b"RF",
        b"AF",
        b"URI",
        b"XFA",
        b"NeedsRendering",
    ] {
        if d.remove(key).is_some() {
            removed = true;
        }
    }
    if removed {
        found.add(Removed::Other);
    }
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
    let (clean, inner) = crate::jpeg::strip_bytes(&s.content, false)
        .map_err(|e| malformed(K, format!("embedded JPEG image: {e}")))?;
    if !inner.removed.is_empty() {
        for r in inner.removed {
            found.add(r);
        }
        s.set_content(clean);
    }
    Ok(())
}
