//! Office document (OOXML docx/xlsx/pptx and ODF odt/ods/odp) stripping.
//!
//! The zip file is held in memory (bounded by [`Limits::max_in_memory`]); what
//! it is comes from its central directory, never from the first bytes alone:
//! `[Content_Types].xml` makes it OOXML, a `mimetype` entry naming an
//! OpenDocument type makes it ODF, both or neither is refused (a plain zip
//! cannot be cleaned, and a document that is both could keep the metadata
//! of the kind we did not clean). It is then written afresh:
//! * OOXML: every `docProps/` part is dropped, and so is whatever the package
//!   relationships (`_rels/.rels`) name as core, extended or custom
//!   properties or thumbnail wherever it lives (.NET packaging writes core
//!   properties to `package/services/metadata/core-properties/*.psmdcp`),
//!   with the relationships themselves, the dropped parts' own `.rels` and
//!   their `[Content_Types].xml` Overrides. In all XML parts, user names
//!   (author, initials, userId, providerId, userName, refreshedBy, person
//!   displayName, comment author name) become "Author"/"A" and timestamps
//!   (date, dateUtc, dt, dT, dateTime, created, refreshedDate) become 1980
//!   under any namespace prefix, since prefixes are the writer's choice;
//!   rsid session identifiers are neutralised, xlsx comment `<author>` text
//!   becomes "Author", `absPath url` (the folder the workbook was saved in,
//!   `C:\Users\<name>\…`) is blanked.
//! * ODF: meta.xml and Thumbnails/ are dropped with their manifest entries;
//!   dc:creator / dc:date / creator-initials / author fields in content are
//!   neutralised; printer names and rsids in settings are blanked. The
//!   `mimetype` entry is written first and stored.
//! * Beacons: every external target (OOXML relationships with
//!   `TargetMode="External"` or a target with a scheme or a network path,
//!   VML `href`/`src` URLs; ODF `xlink:href` outside the package) becomes
//!   `about:blank`; xlsx data connections (web query URL, text, ODC and
//!   database sources), ODF DDE links and the instructions of fields that
//!   fetch (INCLUDEPICTURE, INCLUDETEXT, LINK, DDE, HYPERLINK, …) are
//!   blanked. Rewriting, not removing: the relationship ids and frames that refer to
//!   them stay valid, so Word and LibreOffice open the document without a
//!   repair prompt, and nothing is fetched. Hyperlinks are neutralised too:
//!   a spy source can make a link fire on hover in a slide show, and one
//!   click by a reviewer reveals the reviewer's address; the link's visible
//!   text stays.
//! * Embedded parts go through their own strippers: images (JPEG, PNG, GIF,
//!   WebP, TIFF), MP4/MP3 media, PDFs, and one level of nested office
//!   documents (charts in a docx embed an xlsx with its own author). Deeper
//!   nesting, or an embedded part that fails to clean, makes the whole
//!   document Malformed.
//! * Entry timestamps become 1980-01-01, extra fields and comments are dropped.
//!
//! Memory: only parts that must be rewritten whole are decompressed into
//! memory (XML, documents, PDFs, PNG, GIF, WebP and TIFF images), each
//! counted twice (the part and its cleaned copy) against
//! [`Limits::zip_max_in_memory`], shared with a nested document. JPEG, MP3
//! and MP4 parts stream through their strippers and every other part is
//! copied entry to entry through a small buffer, whatever its size. The output is built in memory
//! (about the input's size). Zip-bomb guard: entry count, total bytes
//! actually decompressed (headers are not trusted; parts copied unchanged
//! count too, and their CRC is checked) and decompressed/input ratio.
//! Encrypted entries or ODF encryption are Malformed. Must never pass an
//! unreadable part through. Not handled: customXml/ parts (SharePoint
//! properties), OLE (CFB) objects, VBA projects, VML drawings (`.vml`,
//! often not well-formed XML) and other parts without an XML name, which
//! are copied as they are.

use std::io::Write;

use super::{Kind, Limits, Outcome, SanitizeError};

mod classify;
mod copy;
mod entry;
mod epub;
mod odf;
mod ooxml;
mod parts;

use copy::clean_zip;

/// Tell a zip archive from the first bytes: OOXML when `[Content_Types].xml`
/// is visible, ODF when the first entry is a stored `mimetype` naming an
/// OpenDocument type, otherwise [`Kind::Zip`]. This is only a first guess
/// (writers put `[Content_Types].xml` anywhere): [`strip`] classifies every
/// zip again from its central directory.
pub(super) fn detect_zip(p: &[u8]) -> Kind {
    let mut i = 0usize;
    let mut first = true;
    while let Some(off) = super::find(p.get(i..).unwrap_or(&[]), b"PK\x03\x04") {
        let h = i + off;
        i = h + 4;
        let Some(hdr) = p.get(h..h + 30) else { break };
        let u16_at = |o: usize| {
            hdr.get(o..o + 2)
                .map_or(0, |b| u16::from_le_bytes([b[0], b[1]])) as usize
        };
        let method = u16_at(8);
        let csize =
            hdr.get(18..22)
                .map_or(0, |b| u32::from_le_bytes([b[0], b[1], b[2], b[3]])) as usize;
        let (nlen, elen) = (u16_at(26), u16_at(28));
        let Some(name) = p.get(h + 30..h + 30 + nlen) else {
            break;
        };
        if name == b"[Content_Types].xml" {
            return Kind::Ooxml;
        }
        if first && name == b"mimetype" && method == 0 {
            let start = h + 30 + nlen + elen;
            if let Some(content) = p.get(start..start.saturating_add(csize))
                && content.starts_with(ODF_MIME)
            {
                return Kind::Odf;
            }
            if let Some(content) = p.get(start..start.saturating_add(csize))
                && content == EPUB_MIME
            {
                return Kind::Epub;
            }
        }
        first = false;
    }
    Kind::Zip
}

const ODF_MIME: &[u8] = b"application/vnd.oasis.opendocument.";
const EPUB_MIME: &[u8] = b"application/epub+zip";

/// Rewrite a zip-based document held in memory. `kind` is what [`detect`]
/// guessed; the central directory decides.
///
/// [`detect`]: super::detect
pub(super) fn strip(
    kind: Kind,
    data: &[u8],
    output: &mut dyn Write,
    limits: &Limits,
) -> Result<Outcome, SanitizeError> {
    // Bytes we allow to decompress, shared with nested documents: absolute
    // cap and ratio to the input (with a floor so that tiny documents are not
    // refused).
    let by_ratio = limits
        .zip_max_ratio
        .saturating_mul((data.len() as u64).max(16 * 1024));
    let mut budget = limits.zip_max_uncompressed.min(by_ratio);
    let (out, found) = clean_zip(kind, data, limits, &mut budget, limits.zip_max_in_memory, 0)?;
    output.write_all(&out)?;
    Ok(found.outcome())
}

/// Nesting we follow: a document embedded in a document (charts in docx
/// embed an xlsx with its own author). Deeper nesting is refused.
const MAX_NESTING: u8 = 1;

/// Bytes of an embedded part read to tell its kind.
const SNIFF: u64 = 4096;

/// The inert target external references are rewritten to.
const INERT: &str = "about:blank";

/// Does a reference name something outside the package: a URI with a scheme
/// (`http:`, `file:`, `smb:`, `C:\`…) or a network path (`//host`, `\\host`)?
fn has_scheme_or_network(v: &str) -> bool {
    let t = v.trim();
    if t.starts_with("//") || t.starts_with("\\\\") || t.starts_with("\\") {
        return true;
    }
    match t.find(':') {
        Some(i) => {
            let scheme = &t[..i];
            scheme
                .chars()
                .next()
                .is_some_and(|c| c.is_ascii_alphabetic())
                && scheme
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
        }
        None => false,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
pub(crate) mod tests;
