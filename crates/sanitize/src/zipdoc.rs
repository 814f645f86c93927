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

use std::collections::{HashMap, HashSet};
use std::io::{self, Cursor, Read, Seek, Write};

use zip::read::ZipFile;
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, DateTime, ZipArchive, ZipWriter};

use super::xml::{self, Attr, AttrAction, Rules, attr_value, local};
use super::{Found, Kind, Limits, Outcome, Removed, SanitizeError, malformed};

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

// ---------------------------------------------------------------------------

/// Nesting we follow: a document embedded in a document (charts in docx
/// embed an xlsx with its own author). Deeper nesting is refused.
const MAX_NESTING: u8 = 1;

/// Bytes of an embedded part read to tell its kind.
const SNIFF: u64 = 4096;

/// Decide what a zip is from its central directory.
fn classify<R: Read + Seek>(
    archive: &mut ZipArchive<R>,
    guess: Kind,
    budget: &mut u64,
) -> Result<Kind, SanitizeError> {
    let mut content_types = false;
    let mut mimetype = None;
    for (i, n) in archive.file_names_raw().enumerate() {
        if n.eq_ignore_ascii_case(b"[Content_Types].xml") {
            content_types = true;
        } else if n == b"mimetype" {
            mimetype = Some(i);
        }
    }
    let mut epub = false;
    let odf = match mimetype {
        Some(i) => {
            let f = archive
                .by_index(i)
                .map_err(|e| malformed(guess, format!("zip entry: {e}")))?;
            let head = read_whole(f, ODF_MIME.len() as u64 + 64, budget, guess, "mimetype")
                .or_else(|e| match e {
                    SanitizeError::ZipBomb => Ok(Vec::new()),
                    e => Err(e),
                })?;
            epub = head == EPUB_MIME;
            head.starts_with(ODF_MIME)
        }
        None => false,
    };
    if epub {
        return if content_types {
            Err(malformed(guess, "both an OOXML package and an EPUB"))
        } else {
            Ok(Kind::Epub)
        };
    }
    match (content_types, odf) {
        (true, false) => Ok(Kind::Ooxml),
        (false, true) => Ok(Kind::Odf),
        (true, true) => Err(malformed(
            guess,
            "both an OOXML and an OpenDocument package",
        )),
        (false, false) => Err(SanitizeError::Unsupported {
            kind: Kind::Zip,
            detail: "a zip archive that is not an office document",
        }),
    }
}

/// A reader that counts decompressed bytes against the shared budget.
struct Budgeted<'a, R> {
    inner: R,
    left: &'a mut u64,
}

/// The error a [`Budgeted`] reader returns when the budget runs out.
#[derive(Debug)]
struct OverBudget;

impl std::fmt::Display for OverBudget {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("decompression budget exhausted")
    }
}

impl std::error::Error for OverBudget {}

impl<R: Read> Read for Budgeted<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        // One byte more than allowed so that "exactly at the budget" passes.
        let cap = usize::try_from(self.left.saturating_add(1)).unwrap_or(usize::MAX);
        let want = buf.len().min(cap);
        let (head, _) = buf.split_at_mut(want);
        let n = self.inner.read(head)?;
        *self.left = self
            .left
            .checked_sub(n as u64)
            .ok_or_else(|| io::Error::other(OverBudget))?;
        Ok(n)
    }
}

/// Is this the budget running out (possibly wrapped by an inner stripper)?
fn is_over_budget(e: &SanitizeError) -> bool {
    matches!(e, SanitizeError::Io(io) if io.get_ref().is_some_and(|i| i.is::<OverBudget>()))
}

/// The error for an entry that failed while being read or cleaned.
fn entry_error(kind: Kind, name: &str) -> impl Fn(SanitizeError) -> SanitizeError + '_ {
    move |e| {
        if is_over_budget(&e) || matches!(e, SanitizeError::ZipBomb) {
            SanitizeError::ZipBomb
        } else {
            match e {
                SanitizeError::Malformed { detail, .. } => {
                    malformed(kind, format!("part {name}: {detail}"))
                }
                e => malformed(kind, format!("part {name}: {e}")),
            }
        }
    }
}

/// Decompress a whole entry into memory, refusing more than `max` bytes.
fn read_whole<R: Read>(
    f: ZipFile<'_, R>,
    max: u64,
    budget: &mut u64,
    kind: Kind,
    name: &str,
) -> Result<Vec<u8>, SanitizeError> {
    let mut r = Budgeted {
        inner: f,
        left: budget,
    };
    let mut v = Vec::new();
    (&mut r)
        .take(max.saturating_add(1))
        .read_to_end(&mut v)
        .map_err(|e| entry_error(kind, name)(SanitizeError::Io(e)))?;
    if v.len() as u64 > max {
        return Err(SanitizeError::ZipBomb);
    }
    Ok(v)
}

/// Rewrite one zip document. `budget` is the decompressed bytes still
/// allowed; `mem` the decompressed bytes this document may hold at once.
fn clean_zip(
    guess: Kind,
    data: &[u8],
    limits: &Limits,
    budget: &mut u64,
    mem: u64,
    depth: u8,
) -> Result<(Vec<u8>, Found), SanitizeError> {
    let mut archive =
        ZipArchive::new(Cursor::new(data)).map_err(|e| malformed(guess, format!("zip: {e}")))?;
    if archive.len() as u64 > limits.zip_max_entries {
        return Err(SanitizeError::ZipBomb);
    }
    let kind = classify(&mut archive, guess, budget)?;
    let bad = |d: String| malformed(kind, d);
    let mut found = Found {
        changed: true,
        ..Found::default()
    };
    if !archive.comment().is_empty() {
        found.add(Removed::Other);
    }
    // Names first, from the central directory, without decompressing.
    let mut names: Vec<String> = Vec::with_capacity(archive.len());
    let mut seen = HashSet::new();
    for i in 0..archive.len() {
        let f = archive
            .by_index_raw(i)
            .map_err(|e| bad(format!("zip entry: {e}")))?;
        if f.encrypted() {
            return Err(bad("encrypted zip entry".into()));
        }
        let name = f
            .name()
            .map_err(|e| bad(format!("entry name: {e}")))?
            .to_string();
        if !seen.insert(name.clone()) {
            return Err(bad(format!("duplicate entry {name}")));
        }
        names.push(name);
    }
    let dropped = drop_parts(kind, &mut archive, &names, &mut found, budget, mem)?;

    // ODF readers identify the file by a first, stored `mimetype`; OOXML
    // is written as Word writes it, `[Content_Types].xml` first, so that
    // the cleaned file is recognised from its first bytes.
    let mut order: Vec<usize> = (0..names.len()).collect();
    let first = if matches!(kind, Kind::Odf | Kind::Epub) {
        names
            .iter()
            .position(|n| n == "mimetype")
            .ok_or_else(|| bad("missing mimetype".into()))?
    } else {
        names
            .iter()
            .position(|n| n.eq_ignore_ascii_case("[Content_Types].xml"))
            .ok_or_else(|| bad("missing [Content_Types].xml".into()))?
    };
    order.remove(first);
    order.insert(0, first);

    let zerr = |e: zip::result::ZipError| SanitizeError::Io(io::Error::other(e));
    let mut zw = ZipWriter::new(Cursor::new(Vec::with_capacity(
        data.len().saturating_add(64 * 1024),
    )));
    let base = SimpleFileOptions::default()
        .last_modified_time(DateTime::default())
        .unix_permissions(0o644);
    for i in order {
        let Some(name) = names.get(i) else { continue };
        let lower = name.to_ascii_lowercase();
        if dropped.contains_key(&lower) {
            continue;
        }
        let f = archive
            .by_index(i)
            .map_err(|e| bad(format!("zip entry {name}: {e}")))?;
        if f.last_modified().is_some_and(|t| t != DateTime::default()) {
            found.add(Removed::Dates);
        }
        if f.is_dir() {
            zw.add_directory(name.as_str(), base).map_err(zerr)?;
            continue;
        }
        // Keep media stored when it was (it is compressed already); ODF
        // needs `mimetype` stored; compress everything else.
        let method = if f.compression() == CompressionMethod::Stored
            || (matches!(kind, Kind::Odf | Kind::Epub) && name == "mimetype")
        {
            CompressionMethod::Stored
        } else {
            CompressionMethod::Deflated
        };
        let opts = base.compression_method(method);
        let err = entry_error(kind, name);
        if kind == Kind::Epub && lower.ends_with(".css") {
            // Style sheets are kept unless they reach outside the book.
            let data = read_whole(f, mem / 2, budget, kind, name)?;
            let text = String::from_utf8(data).map_err(|_| bad(format!("{name}: not UTF-8")))?;
            zw.start_file(name.as_str(), opts).map_err(zerr)?;
            if css_fetches_outside(&text) {
                found.add(Removed::Other);
            } else {
                zw.write_all(text.as_bytes())?;
            }
            continue;
        }
        if lower.ends_with(".xml")
            || lower.ends_with(".rels")
            || (kind == Kind::Epub
                && [".opf", ".ncx", ".xhtml", ".html", ".htm"]
                    .iter()
                    .any(|e| lower.ends_with(e)))
        {
            // The part and its rewritten copy are both held.
            let data = read_whole(f, mem / 2, budget, kind, name)?;
            let text = String::from_utf8(data).map_err(|_| bad(format!("{name}: not UTF-8")))?;
            let out = rewrite_xml(kind, name, &text, &dropped, &mut found)?;
            drop(text);
            zw.start_file(name.as_str(), opts).map_err(zerr)?;
            zw.write_all(out.as_bytes())?;
            continue;
        }
        let mut r = Budgeted {
            inner: f,
            left: budget,
        };
        let mut head = Vec::new();
        (&mut r)
            .take(SNIFF)
            .read_to_end(&mut head)
            .map_err(|e| err(SanitizeError::Io(e)))?;
        let inner = super::detect(&head);
        match inner {
            Kind::Ooxml
            | Kind::Odf
            | Kind::Epub
            | Kind::Zip
            | Kind::Svg
            | Kind::Pdf
            | Kind::Webp
            | Kind::Tiff
            | Kind::Png
            | Kind::Gif => {
                // Cleaned whole: the part and its cleaned copy are held.
                let limit = (mem / 2).saturating_sub(head.len() as u64);
                let mut whole = head;
                (&mut r)
                    .take(limit.saturating_add(1))
                    .read_to_end(&mut whole)
                    .map_err(|e| err(SanitizeError::Io(e)))?;
                if whole.len() as u64 > mem / 2 {
                    return Err(SanitizeError::ZipBomb);
                }
                let rest = mem.saturating_sub(2 * whole.len() as u64);
                let (out, inner_found) =
                    clean_embedded(kind, inner, name, &whole, limits, r.left, rest, depth)?;
                drop(whole);
                for c in inner_found.removed {
                    found.add(c);
                }
                zw.start_file(name.as_str(), opts).map_err(zerr)?;
                zw.write_all(&out)?;
            }
            Kind::Jpeg
            | Kind::Mp3
            | Kind::Mp4
            | Kind::Webm
            | Kind::Matroska
            | Kind::Netpbm
            | Kind::Ogg
            | Kind::Flac
            | Kind::Heif
            | Kind::Avif
            | Kind::Wav
            | Kind::Aiff
            | Kind::Avi => {
                zw.start_file(name.as_str(), opts).map_err(zerr)?;
                let inner_limits = Limits {
                    mp4_max_box: limits.mp4_max_box.min(mem / 2),
                    ..limits.clone()
                };
                let mut input = Cursor::new(head).chain(&mut r);
                let outcome =
                    super::strip(inner, &mut input, &mut zw, &inner_limits).map_err(&err)?;
                for c in found_from(outcome).removed {
                    found.add(c);
                }
            }
            // A reading system goes by the manifest's media type, not the
            // part's name: in an EPUB, any text part is read as XML (markup)
            // or as CSS, and cleaned as such; fonts and other binary parts
            // are copied.
            Kind::Other if kind == Kind::Epub && looks_like_text(&head) => {
                let limit = (mem / 2).saturating_sub(head.len() as u64);
                let mut whole = head;
                (&mut r)
                    .take(limit.saturating_add(1))
                    .read_to_end(&mut whole)
                    .map_err(|e| err(SanitizeError::Io(e)))?;
                if whole.len() as u64 > mem / 2 {
                    return Err(SanitizeError::ZipBomb);
                }
                let text =
                    String::from_utf8(whole).map_err(|_| bad(format!("{name}: not UTF-8")))?;
                zw.start_file(name.as_str(), opts).map_err(zerr)?;
                if text
                    .trim_start_matches(['\u{feff}', ' ', '\t', '\r', '\n'])
                    .starts_with('<')
                {
                    let out = rewrite_xml(kind, name, &text, &dropped, &mut found)?;
                    zw.write_all(out.as_bytes())?;
                } else if css_fetches_outside(&text) {
                    found.add(Removed::Other);
                } else {
                    zw.write_all(text.as_bytes())?;
                }
            }
            Kind::Other => {
                zw.start_file(name.as_str(), opts).map_err(zerr)?;
                zw.write_all(&head)?;
                io::copy(&mut r, &mut zw).map_err(|e| err(SanitizeError::Io(e)))?;
            }
        }
    }
    let buf = zw.finish().map_err(zerr)?.into_inner();
    Ok((buf, found))
}

/// Rewrite one XML part by the rules of its document kind.
fn rewrite_xml(
    kind: Kind,
    name: &str,
    text: &str,
    dropped: &HashMap<String, &'static [Removed]>,
    found: &mut Found,
) -> Result<String, SanitizeError> {
    match kind {
        Kind::Ooxml => xml::rewrite(
            text,
            &OoxmlRules {
                part: name,
                dropped,
                fields: Default::default(),
            },
            found,
        ),
        Kind::Epub => {
            if super::svg::has_data_uri(text) {
                return Err(SanitizeError::Unsupported {
                    kind: Kind::Epub,
                    detail: "images embedded as data: URIs are not cleaned",
                });
            }
            let lower = name.to_ascii_lowercase();
            let epub = EpubRules {
                ncx: lower.ends_with(".ncx"),
                // By its root element, whatever its name (the container
                // names the package; the manifest names the NCX).
                package: ![".xhtml", ".html", ".htm"]
                    .iter()
                    .any(|e| lower.ends_with(e))
                    && ["<package", ":package", "<ncx", ":ncx", "<container"]
                        .iter()
                        .any(|r| text.contains(r)),
            };
            xml::split_doctype(text).and_then(|(before, doctype, after)| {
                // An XHTML DOCTYPE declares the entities (&nbsp;) its text
                // may use; one without an internal subset declares nothing
                // itself and is kept.
                let mut out = xml::rewrite(before, &epub, found)?;
                out.push_str(doctype);
                out.push_str(&xml::rewrite(after, &epub, found)?);
                Ok(out)
            })
        }
        _ => xml::rewrite(
            text,
            &OdfRules {
                part: name,
                dropped,
            },
            found,
        ),
    }
    .map_err(|d| malformed(kind, format!("{name}: {d}")))
}

/// Clean an embedded part held in memory (documents, PDFs, WebP, TIFF).
#[allow(clippy::too_many_arguments)]
fn clean_embedded(
    kind: Kind,
    inner: Kind,
    name: &str,
    data: &[u8],
    limits: &Limits,
    budget: &mut u64,
    mem: u64,
    depth: u8,
) -> Result<(Vec<u8>, Found), SanitizeError> {
    let cleaned = match inner {
        Kind::Ooxml | Kind::Odf | Kind::Epub | Kind::Zip if depth < MAX_NESTING => {
            clean_zip(inner, data, limits, budget, mem, depth + 1)
        }
        Kind::Ooxml | Kind::Odf | Kind::Epub | Kind::Zip => {
            return Err(malformed(
                kind,
                format!("{name}: documents nested too deeply"),
            ));
        }
        Kind::Webp => super::webp::strip_bytes(data),
        Kind::Png => super::png::strip_bytes(data),
        Kind::Gif => super::gif::strip_bytes(data),
        Kind::Tiff => {
            let mut v = Vec::new();
            super::tiff::strip(data, &mut v).map(|o| (v, found_from(o)))
        }
        _ => {
            let mut v = Vec::new();
            let lim = Limits {
                max_in_memory: data.len() as u64,
                ..limits.clone()
            };
            super::strip(inner, &mut &data[..], &mut v, &lim).map(|o| (v, found_from(o)))
        }
    };
    cleaned.map_err(|e| match e {
        SanitizeError::ZipBomb => SanitizeError::ZipBomb,
        e => malformed(kind, format!("embedded part {name}: {e}")),
    })
}

/// Decide which parts to drop entirely, and refuse encrypted ODF. Keys are
/// lower-cased part names (OOXML part names compare case-insensitively).
fn drop_parts<R: Read + Seek>(
    kind: Kind,
    archive: &mut ZipArchive<R>,
    names: &[String],
    found: &mut Found,
    budget: &mut u64,
    mem: u64,
) -> Result<HashMap<String, &'static [Removed]>, SanitizeError> {
    const CORE: &[Removed] = &[Removed::Author, Removed::Dates, Removed::Comments];
    const APP: &[Removed] = &[Removed::Software, Removed::Other];
    const THUMB: &[Removed] = &[Removed::Thumbnail];
    const OTHER: &[Removed] = &[Removed::Other];
    let mut dropped: HashMap<String, &'static [Removed]> = HashMap::new();
    if kind == Kind::Ooxml {
        for n in names {
            let l = n.to_ascii_lowercase();
            let cats = match l.as_str() {
                "docprops/core.xml" => CORE,
                "docprops/app.xml" => APP,
                l if l.starts_with("docprops/thumbnail") => THUMB,
                l if l.starts_with("docprops/") => OTHER,
                l if l.ends_with(".psmdcp") => CORE,
                _ => continue,
            };
            dropped.insert(l, cats);
        }
        // Whatever the package relationships name as properties or thumbnail.
        if let Some(i) = names
            .iter()
            .position(|n| n.eq_ignore_ascii_case("_rels/.rels"))
        {
            let f = archive
                .by_index(i)
                .map_err(|e| malformed(kind, format!("zip entry: {e}")))?;
            let rels = read_whole(f, mem / 2, budget, kind, "_rels/.rels")?;
            let text =
                String::from_utf8(rels).map_err(|_| malformed(kind, "_rels/.rels: not UTF-8"))?;
            for (typ, target) in package_relationships(&text)
                .map_err(|d| malformed(kind, format!("_rels/.rels: {d}")))?
            {
                let cats = match metadata_relationship(&typ) {
                    Some(MetaRel::Core) => CORE,
                    Some(MetaRel::Extended) => APP,
                    Some(MetaRel::Custom) => OTHER,
                    Some(MetaRel::Thumbnail) => THUMB,
                    None => continue,
                };
                let part = resolve_target("_rels/.rels", &target).to_ascii_lowercase();
                dropped.entry(part).or_insert(cats);
            }
        }
        // A dropped part's own relationships go with it.
        let own_rels: Vec<String> = dropped
            .keys()
            .map(|p| match p.rsplit_once('/') {
                Some((dir, file)) => format!("{dir}/_rels/{file}.rels"),
                None => format!("_rels/{p}.rels"),
            })
            .collect();
        for r in own_rels {
            dropped.entry(r).or_insert(OTHER);
        }
    } else if kind == Kind::Epub {
        // Reading state and store records some writers add.
        for n in names {
            let l = n.to_ascii_lowercase();
            if matches!(
                l.as_str(),
                "itunesmetadata.plist"
                    | "itunesmetadata-original.plist"
                    | "meta-inf/calibre_bookmarks.txt"
            ) {
                dropped.insert(l, OTHER);
            }
        }
    } else {
        for n in names {
            let cats = match n.as_str() {
                "meta.xml" => &[Removed::Author, Removed::Dates, Removed::Software][..],
                _ if n.starts_with("Thumbnails/") => THUMB,
                _ => continue,
            };
            dropped.insert(n.to_ascii_lowercase(), cats);
        }
        if let Some(i) = names.iter().position(|n| n == "META-INF/manifest.xml") {
            let f = archive
                .by_index(i)
                .map_err(|e| malformed(kind, format!("zip entry: {e}")))?;
            let m = read_whole(f, mem / 2, budget, kind, "META-INF/manifest.xml")?;
            if super::find(&m, b"encryption-data").is_some() {
                return Err(malformed(kind, "encrypted document"));
            }
        }
    }
    // Report only what is really there.
    for n in names {
        if let Some(cats) = dropped.get(&n.to_ascii_lowercase()) {
            for c in *cats {
                found.add(*c);
            }
        }
    }
    Ok(dropped)
}

/// Metadata relationships of an OOXML package.
enum MetaRel {
    Core,
    Extended,
    Custom,
    Thumbnail,
}

/// Which metadata a package relationship type names, transitional
/// (`…/metadata/core-properties`, `…/extended-properties`) or strict
/// (`…/extendedProperties`) spelling.
fn metadata_relationship(typ: &str) -> Option<MetaRel> {
    let last = typ
        .rsplit('/')
        .next()
        .unwrap_or("")
        .replace('-', "")
        .to_ascii_lowercase();
    match last.as_str() {
        "coreproperties" => Some(MetaRel::Core),
        "extendedproperties" => Some(MetaRel::Extended),
        "customproperties" => Some(MetaRel::Custom),
        "thumbnail" => Some(MetaRel::Thumbnail),
        _ => None,
    }
}

/// (Type, Target) of every internal relationship in a `.rels` part.
fn package_relationships(text: &str) -> Result<Vec<(String, String)>, String> {
    struct Collect(std::cell::RefCell<Vec<(String, String)>>);
    impl Rules for Collect {
        fn drop_element(&self, name: &str, attrs: &[Attr<'_>]) -> Option<Removed> {
            if local(name) == "Relationship"
                && attr_value(attrs, "TargetMode") != Some("External")
                && let (Some(t), Some(target)) =
                    (attr_value(attrs, "Type"), attr_value(attrs, "Target"))
            {
                self.0.borrow_mut().push((t.into(), target.into()));
            }
            None
        }
    }
    let c = Collect(Default::default());
    xml::rewrite(text, &c, &mut Found::default())?;
    Ok(c.0.into_inner())
}

/// Categories of an inner strip's outcome.
fn found_from(o: Outcome) -> Found {
    let mut f = Found::default();
    if let Outcome::Cleaned { removed } = o {
        for r in removed {
            f.add(r);
        }
    }
    f
}

/// Resolve a relationship target relative to the `.rels` part's source.
fn resolve_target(rels_part: &str, target: &str) -> String {
    if let Some(abs) = target.strip_prefix('/') {
        return abs.to_string();
    }
    // "word/_rels/document.xml.rels" describes "word/document.xml": base "word/".
    let base = rels_part
        .rsplit_once("_rels/")
        .map(|(b, _)| b)
        .unwrap_or("");
    let mut parts: Vec<&str> = base.split('/').filter(|s| !s.is_empty()).collect();
    for seg in target.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            s => parts.push(s),
        }
    }
    parts.join("/")
}

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

/// Does an ODF `xlink:href` in `part` point outside the package (a scheme,
/// an absolute or network path, or `..` climbing above the package root)?
fn odf_external(part: &str, href: &str) -> bool {
    let t = href.trim();
    if t.is_empty() || t.starts_with('#') {
        return false;
    }
    if has_scheme_or_network(t) || t.starts_with('/') {
        return true;
    }
    let mut depth = part.matches('/').count() as i64;
    for seg in t.split(['/', '\\']) {
        match seg {
            ".." => {
                depth -= 1;
                if depth < 0 {
                    return true;
                }
            }
            "" | "." => {}
            _ => depth += 1,
        }
    }
    false
}

/// Fixed timestamp written in place of dates that must stay present.
const EPOCH: &str = "1980-01-01T00:00:00Z";

struct OoxmlRules<'a> {
    part: &'a str,
    dropped: &'a HashMap<String, &'static [Removed]>,
    /// The complex fields (`w:fldChar` begin … end) open at this point of the
    /// part, innermost last.
    fields: std::cell::RefCell<Vec<Field>>,
}

/// One open WordprocessingML field: its instruction so far, and whether it
/// (or a field it is nested in) fetches something.
#[derive(Default)]
struct Field {
    instr: String,
    fetching: bool,
}

/// Field types that fetch from a path or URL when the document is opened or
/// its fields are updated (INCLUDEPICTURE with `\d` on every opening), or
/// that open one on a click.
const FETCHING_FIELDS: [&str; 9] = [
    "INCLUDEPICTURE",
    "INCLUDETEXT",
    "INCLUDE",
    "IMPORT",
    "LINK",
    "DDE",
    "DDEAUTO",
    "HYPERLINK",
    "DATABASE",
];

/// Is this field instruction (escaped, possibly only its beginning) of a
/// fetching type? A type name not yet complete counts when it already
/// names one, so that an instruction split across runs is caught at the
/// run that completes its type, before any path or URL after it.
fn fetching_field(instr: &str) -> bool {
    let t = instr.trim_start();
    let end = t
        .find(|c: char| c.is_whitespace() || matches!(c, '"' | '\\' | '&' | '{'))
        .unwrap_or(t.len());
    let word = t.get(..end).unwrap_or("").to_ascii_uppercase();
    FETCHING_FIELDS.contains(&word.as_str())
}

impl Rules for OoxmlRules<'_> {
    fn drop_element(&self, name: &str, attrs: &[Attr<'_>]) -> Option<Removed> {
        match local(name) {
            // Not dropped: only followed, for the instruction text rule.
            "fldChar" => {
                let mut fields = self.fields.borrow_mut();
                match attr_value(attrs, "fldCharType") {
                    Some("begin") => {
                        let fetching = fields.last().is_some_and(|f| f.fetching);
                        fields.push(Field {
                            fetching,
                            ..Field::default()
                        });
                    }
                    Some("end") => {
                        fields.pop();
                    }
                    _ => {}
                }
                None
            }
            "Override" => {
                let p = attr_value(attrs, "PartName")?;
                self.dropped
                    .contains_key(&p.trim_start_matches('/').to_ascii_lowercase())
                    .then_some(Removed::Other)
            }
            // Properties parts are all dropped; so is a default type for
            // them (.NET packaging declares one for the .psmdcp extension).
            "Default" => attr_value(attrs, "ContentType")
                .filter(|t| t.ends_with("properties+xml"))
                .map(|_| Removed::Other),
            "Relationship" if self.part.ends_with(".rels") => {
                if attr_value(attrs, "TargetMode") == Some("External") {
                    return None;
                }
                if self.part.eq_ignore_ascii_case("_rels/.rels")
                    && attr_value(attrs, "Type")
                        .and_then(metadata_relationship)
                        .is_some()
                {
                    return Some(Removed::Other);
                }
                let t = resolve_target(self.part, attr_value(attrs, "Target")?);
                self.dropped
                    .contains_key(&t.to_ascii_lowercase())
                    .then_some(Removed::Other)
            }
            _ => None,
        }
    }

    fn replace_content(&self, name: &str, _attrs: &[Attr<'_>]) -> Option<(&'static str, Removed)> {
        (self.part.starts_with("xl/comments") && local(name) == "author")
            .then_some(("Author", Removed::Author))
    }

    /// Field instructions that fetch (INCLUDEPICTURE "http://…" \d and the
    /// like) are blanked from the run where their type is known to the end
    /// of the field: what is left names no field, and fetches nothing. The
    /// field's last result stays displayed.
    fn text(&self, elem: &str, text: &str) -> Option<(&'static str, Removed)> {
        if local(elem) != "instrText" {
            return None;
        }
        let mut fields = self.fields.borrow_mut();
        let fetching = match fields.last_mut() {
            Some(f) => {
                f.instr.push_str(text);
                f.fetching = f.fetching || fetching_field(&f.instr);
                f.fetching
            }
            None => fetching_field(text),
        };
        fetching.then_some(("", Removed::Other))
    }

    fn attr(&self, elem: &str, a: &Attr<'_>, all: &[Attr<'_>]) -> AttrAction {
        let an = local(a.name);
        let en = local(elem);
        match an {
            "author" | "userId" | "userName" | "refreshedBy" => {
                AttrAction::Replace("Author", Removed::Author)
            }
            "initials" => AttrAction::Replace("A", Removed::Author),
            "providerId" => AttrAction::Replace("None", Removed::Author),
            "displayName" if en == "person" => AttrAction::Replace("Author", Removed::Author),
            "name" if matches!(en, "cmAuthor" | "author" | "userInfo") => {
                AttrAction::Replace("Author", Removed::Author)
            }
            // Optional in WordprocessingML (w:date, w16cex:dateUtc): removed.
            "date" | "dateUtc" => AttrAction::Remove(Removed::Dates),
            // Required elsewhere (pptx comment dt, xlsx threaded comment dT,
            // revision dateTime, modern comment created): a fixed value.
            "dt" | "dT" | "dateTime" | "created" | "refreshedDate" | "refreshedDateIso" => {
                AttrAction::Replace(EPOCH, Removed::Dates)
            }
            // The folder the workbook was saved in (C:\Users\<name>\…).
            "url" if en == "absPath" => AttrAction::Replace("", Removed::Author),
            _ if an.starts_with("rsid") => AttrAction::Replace("00000000", Removed::DocumentIds),
            "val" if en == "rsid" || en == "rsidRoot" => {
                AttrAction::Replace("00000000", Removed::DocumentIds)
            }
            // External targets (templates, linked images and objects, frames,
            // hyperlinks): rewritten, not removed, so that the ids that refer
            // to them stay valid.
            "Target"
                if en == "Relationship"
                    && (attr_value(all, "TargetMode") == Some("External")
                        || has_scheme_or_network(a.value)) =>
            {
                AttrAction::Replace(INERT, Removed::Other)
            }
            // VML and drawing attributes that can carry a URL themselves, and
            // xlsx data connections (refreshed on opening when the workbook
            // asks): web queries, text and database sources.
            "href" | "src" if has_scheme_or_network(a.value) => {
                AttrAction::Replace(INERT, Removed::Other)
            }
            "instr" if en == "fldSimple" && fetching_field(a.value) => {
                AttrAction::Replace("", Removed::Other)
            }
            "url" if en == "webPr" && has_scheme_or_network(a.value) => {
                AttrAction::Replace(INERT, Removed::Other)
            }
            "sourceFile" | "odcFile" | "connection" | "sourceConnectionFile"
                if en != "Relationship" && !a.value.is_empty() =>
            {
                AttrAction::Replace("", Removed::Other)
            }
            _ => AttrAction::Keep,
        }
    }
}

struct OdfRules<'a> {
    part: &'a str,
    dropped: &'a HashMap<String, &'static [Removed]>,
}

impl Rules for OdfRules<'_> {
    fn drop_element(&self, name: &str, attrs: &[Attr<'_>]) -> Option<Removed> {
        if self.part != "META-INF/manifest.xml" || local(name) != "file-entry" {
            return None;
        }
        let p = attr_value(attrs, "full-path")?;
        (self.dropped.contains_key(&p.to_ascii_lowercase())
            || p == "Thumbnails/"
            || p == "Thumbnails")
            .then_some(Removed::Other)
    }

    fn replace_content(&self, name: &str, attrs: &[Attr<'_>]) -> Option<(&'static str, Removed)> {
        match name {
            "dc:creator" | "text:author-name" => Some(("Author", Removed::Author)),
            "meta:creator-initials" | "text:author-initials" => Some(("A", Removed::Author)),
            "dc:date" => Some(("1970-01-01T00:00:00", Removed::Dates)),
            "config:config-item" => match attr_value(attrs, "name")? {
                "PrinterName" | "PrinterSetup" => Some(("", Removed::Other)),
                "Rsid" | "RsidRoot" => Some(("0", Removed::DocumentIds)),
                _ => None,
            },
            _ => None,
        }
    }

    fn attr(&self, _elem: &str, a: &Attr<'_>, _all: &[Attr<'_>]) -> AttrAction {
        let an = local(a.name);
        if an == "rsid" || an.ends_with("-rsid") {
            return AttrAction::Replace("00000000", Removed::DocumentIds);
        }
        match an {
            // Linked images, objects, sections, sheets, frames, templates
            // and hyperlinks: nothing outside the package is fetched.
            "href" | "image-data" if odf_external(self.part, a.value) => {
                AttrAction::Replace(INERT, Removed::Other)
            }
            // DDE links update from another file or program on opening.
            "dde-topic" | "dde-application" if !a.value.is_empty() => {
                AttrAction::Replace("", Removed::Other)
            }
            _ => AttrAction::Keep,
        }
    }
}

/// Is the start of a part text (UTF-8, possibly cut inside a character at
/// the end of the sniffed prefix) without control bytes other than
/// whitespace?
fn looks_like_text(head: &[u8]) -> bool {
    let valid = match std::str::from_utf8(head) {
        Ok(s) => s,
        Err(e) if e.error_len().is_none() => {
            std::str::from_utf8(head.get(..e.valid_up_to()).unwrap_or(&[])).unwrap_or("")
        }
        Err(_) => return false,
    };
    !valid.is_empty()
        && !valid
            .chars()
            .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
}

/// The identifier every cleaned EPUB carries (the package must have one).
const EPUB_ID: &str = "urn:uuid:00000000-0000-4000-8000-000000000000";

/// Does a reference inside an EPUB reach outside the book: a scheme other
/// than a fragment or relative path (`http:`, `file:`, `data:` is content
/// and stays), a network path or an absolute path?
fn epub_external(v: &str) -> bool {
    let t = v.trim();
    // A character reference can spell a scheme (`h&#116;tp:`).
    if t.contains('&') {
        return true;
    }
    if t.to_ascii_lowercase().starts_with("data:") {
        return false;
    }
    has_scheme_or_network(t) || t.starts_with('/')
}

/// Could this CSS fetch from outside the book? Backslash escapes (which can
/// spell `url` or a URL in disguise) and entity references count; so does
/// every `url(`, `@import` or `image-set(` string whose target is external.
fn css_fetches_outside(css: &str) -> bool {
    let lower: String = css
        .to_ascii_lowercase()
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    if lower.contains('\\') || lower.contains('&') {
        return true;
    }
    ["url(", "@import", "image-set(", "image("]
        .iter()
        .flat_map(|m| lower.match_indices(m))
        .any(|(i, m)| {
            let target = lower
                .get(i + m.len()..)
                .unwrap_or("")
                .trim_start_matches(['"', '\'', '(']);
            let end = target.find(['"', '\'', ')', ';']).unwrap_or(target.len());
            target.get(..end).is_some_and(epub_external)
        })
}

struct EpubRules {
    /// The part is an NCX table of contents.
    ncx: bool,
    /// The part is not XHTML content: the package (OPF, whatever its name),
    /// the container, the NCX.
    package: bool,
}

impl Rules for EpubRules {
    fn drop_element(&self, name: &str, attrs: &[Attr<'_>]) -> Option<Removed> {
        let dc = self.package || name.starts_with("dc:");
        match local(name) {
            "creator" | "contributor" | "docAuthor" => Some(Removed::Author),
            "publisher" | "rights" | "description" | "subject" | "source" | "relation"
            | "coverage" | "type"
                if dc =>
            {
                Some(Removed::Other)
            }
            "date" if dc => Some(Removed::Dates),
            // The cover and fixed-layout renditions are needed to show the
            // book; the modification date is required (a fixed value); other
            // meta (calibre:timestamp, generator, refinements) go.
            "meta" if self.package => {
                let keep = attr_value(attrs, "name") == Some("cover")
                    || attr_value(attrs, "name") == Some("dtb:uid")
                    || attr_value(attrs, "property")
                        .is_some_and(|p| p == "dcterms:modified" || p.starts_with("rendition:"));
                (!keep).then_some(Removed::Software)
            }
            // XHTML that runs or redirects.
            "script" | "base" | "iframe" | "embed" | "object" | "applet" => Some(Removed::Other),
            "meta" if attr_value(attrs, "http-equiv").is_some() => Some(Removed::Other),
            "meta"
                if attr_value(attrs, "name").is_some_and(|n| {
                    matches!(
                        n.to_ascii_lowercase().as_str(),
                        "author" | "generator" | "creator" | "dcterms.creator" | "date"
                    )
                }) =>
            {
                Some(Removed::Software)
            }
            _ => None,
        }
    }

    fn replace_content(&self, name: &str, attrs: &[Attr<'_>]) -> Option<(&'static str, Removed)> {
        if !self.package {
            return None;
        }
        match local(name) {
            "identifier" => Some((EPUB_ID, Removed::DocumentIds)),
            "meta" if attr_value(attrs, "property") == Some("dcterms:modified") => {
                Some(("2000-01-01T00:00:00Z", Removed::Dates))
            }
            _ => None,
        }
    }

    fn attr(&self, elem: &str, a: &Attr<'_>, all: &[Attr<'_>]) -> AttrAction {
        let an = local(a.name).to_ascii_lowercase();
        if an.starts_with("on") {
            return AttrAction::Remove(Removed::Other);
        }
        match an.as_str() {
            "content"
                if self.ncx
                    && local(elem) == "meta"
                    && attr_value(all, "name") == Some("dtb:uid") =>
            {
                AttrAction::Replace(EPUB_ID, Removed::DocumentIds)
            }
            // OPF 2 `opf:scheme`/`opf:file-as` on kept elements are harmless.
            "href" | "src" | "poster" | "data" | "action" | "formaction" | "background"
            | "cite" | "longdesc" | "manifest" | "icon" | "ping"
                if epub_external(a.value) =>
            {
                AttrAction::Replace(INERT, Removed::Other)
            }
            "srcset" if a.value.split(',').any(epub_external) => AttrAction::Remove(Removed::Other),
            "style" if css_fetches_outside(a.value) => AttrAction::Remove(Removed::Other),
            // xml:base would send the book's relative references elsewhere.
            "base" => AttrAction::Remove(Removed::Other),
            _ => AttrAction::Keep,
        }
    }

    fn text(&self, elem: &str, text: &str) -> Option<(&'static str, Removed)> {
        (local(elem) == "style" && css_fetches_outside(text)).then_some(("", Removed::Other))
    }

    fn drop_markup(&self, token: &str) -> Option<Removed> {
        if token.starts_with("<!--") {
            Some(Removed::Comments)
        } else if token.starts_with("<?") && !token.starts_with("<?xml ") {
            Some(Removed::Other)
        } else {
            None
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
pub(super) mod tests {
    use super::super::tests_util::*;
    use super::*;

    pub(crate) fn build_zip(entries: &[(&str, &[u8], bool)]) -> Vec<u8> {
        let mut zw = ZipWriter::new(Cursor::new(Vec::new()));
        for (name, data, stored) in entries {
            let m = if *stored {
                CompressionMethod::Stored
            } else {
                CompressionMethod::Deflated
            };
            zw.start_file(*name, SimpleFileOptions::default().compression_method(m))
                .unwrap();
            zw.write_all(data).unwrap();
        }
        zw.finish().unwrap().into_inner()
    }

    const CT: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Default Extension="jpeg" ContentType="image/jpeg"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/><Override PartName="/word/comments.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.comments+xml"/><Override PartName="/word/people.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.people+xml"/><Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/><Override PartName="/docProps/app.xml" ContentType="application/vnd.openxmlformats-officedocument.extended-properties+xml"/><Override PartName="/docProps/custom.xml" ContentType="application/vnd.openxmlformats-officedocument.custom-properties+xml"/></Types>"#;
    const RELS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/extended-properties" Target="docProps/app.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/><Relationship Id="rId4" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/custom-properties" Target="/docProps/custom.xml"/><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>"#;
    const CORE: &str = r#"<cp:coreProperties xmlns:cp="x" xmlns:dc="y"><dc:creator>Jane Canary</dc:creator><cp:lastModifiedBy>Jane Canary</cp:lastModifiedBy><dcterms:created>2024-01-01T00:00:00Z</dcterms:created></cp:coreProperties>"#;
    const DOC: &str = r#"<w:document xmlns:w="w"><w:body><w:p w:rsidR="00A1B2C3"><w:ins w:id="1" w:author="Jane Canary" w:date="2024-05-01T10:00:00Z"><w:r><w:t>hello</w:t></w:r></w:ins><w:del w:id="2" w:author='Jane Canary' w:date="2024-05-01T10:00:00Z"/><w:commentRangeStart w:id="0"/></w:p></w:body></w:document>"#;
    const COMMENTS: &str = r#"<w:comments xmlns:w="w"><w:comment w:id="0" w:author="Jane Canary" w:initials="JC" w:date="2024-05-01T10:00:00Z"><w:p><w:r><w:t>note</w:t></w:r></w:p></w:comment></w:comments>"#;
    const PEOPLE: &str = r#"<w15:people xmlns:w15="x"><w15:person w15:author="Jane Canary"><w15:presenceInfo w15:providerId="AD" w15:userId="S::jane.canary@example.org::1234"/></w15:person></w15:people>"#;
    const SETTINGS_RELS: &str = r#"<Relationships><Relationship Id="rId1" Type="http://x/attachedTemplate" Target="file:///C:\Users\JaneCanary\AppData\Roaming\Microsoft\Templates\Normal.dotm" TargetMode="External"/></Relationships>"#;

    pub(crate) fn docx_fixture() -> Vec<u8> {
        let photo = super::super::jpeg::tests::fixture(super::super::jpeg::tests::TINY, 1);
        build_zip(&[
            ("[Content_Types].xml", CT.as_bytes(), false),
            ("_rels/.rels", RELS.as_bytes(), false),
            ("docProps/core.xml", CORE.as_bytes(), false),
            ("docProps/app.xml", b"<Properties><Application>Microsoft Office Word</Application><Company>CANARY-CORP</Company></Properties>", false),
            ("docProps/custom.xml", b"<Properties>CANARY-CUSTOM</Properties>", false),
            ("word/document.xml", DOC.as_bytes(), false),
            ("word/comments.xml", COMMENTS.as_bytes(), false),
            ("word/people.xml", PEOPLE.as_bytes(), false),
            ("word/_rels/settings.xml.rels", SETTINGS_RELS.as_bytes(), false),
            ("word/media/image1.jpeg", &photo, true),
        ])
    }

    fn read_zip(d: &[u8]) -> Vec<(String, Vec<u8>, CompressionMethod)> {
        let mut a = ZipArchive::new(Cursor::new(d)).unwrap();
        (0..a.len())
            .map(|i| {
                let mut f = a.by_index(i).unwrap();
                let mut v = Vec::new();
                f.read_to_end(&mut v).unwrap();
                (f.name().unwrap().to_string(), v, f.compression())
            })
            .collect()
    }

    #[test]
    fn detects_ooxml_odf_plain() {
        assert_eq!(super::super::detect(&docx_fixture()), Kind::Ooxml);
        assert_eq!(super::super::detect(&odt_fixture()), Kind::Odf);
        let plain = build_zip(&[("a.txt", b"hi", false)]);
        assert_eq!(super::super::detect(&plain), Kind::Zip);
        let epub = build_zip(&[("mimetype", b"application/epub+zip", true)]);
        assert_eq!(super::super::detect(&epub), Kind::Epub);
    }

    #[test]
    fn docx_is_cleaned_and_consistent() {
        let input = docx_fixture();
        let (res, out) = run(Kind::Ooxml, &input);
        let Outcome::Cleaned { removed } = res.unwrap() else {
            panic!()
        };
        for cat in [
            Removed::Author,
            Removed::Dates,
            Removed::Software,
            Removed::Location,
            Removed::DocumentIds,
        ] {
            assert!(removed.contains(&cat), "{cat}");
        }
        let entries = read_zip(&out);
        let names: Vec<&str> = entries.iter().map(|e| e.0.as_str()).collect();
        assert!(!names.iter().any(|n| n.starts_with("docProps/")));
        let mut all = Vec::new();
        for (name, data, _) in &entries {
            for canary in [
                &b"Jane Canary"[..],
                b"CANARY",
                b"JaneCanary",
                b"jane.canary",
                b"2024-05-01",
            ] {
                assert!(
                    !contains(data, canary),
                    "{name} leaks {}",
                    String::from_utf8_lossy(canary)
                );
            }
            all.extend_from_slice(data);
        }
        // No dangling references to removed parts.
        let ct = &entries
            .iter()
            .find(|e| e.0 == "[Content_Types].xml")
            .unwrap()
            .1;
        let ct = std::str::from_utf8(ct).unwrap();
        for part in ct.split("PartName=\"/").skip(1) {
            let p = part.split('"').next().unwrap();
            assert!(names.contains(&p), "dangling Override {p}");
        }
        let rels = std::str::from_utf8(&entries.iter().find(|e| e.0 == "_rels/.rels").unwrap().1)
            .unwrap()
            .to_string();
        assert!(!rels.contains("docProps"));
        assert!(rels.contains("word/document.xml"));
        let doc = std::str::from_utf8(
            &entries
                .iter()
                .find(|e| e.0 == "word/document.xml")
                .unwrap()
                .1,
        )
        .unwrap()
        .to_string();
        assert!(doc.contains(r#"w:author="Author""#));
        assert!(doc.contains("<w:t>hello</w:t>"));
        // The embedded photo lost its EXIF but is still a JPEG.
        let img = &entries
            .iter()
            .find(|e| e.0 == "word/media/image1.jpeg")
            .unwrap()
            .1;
        super::super::jpeg::tests::assert_jpeg_structure(img);
        // Idempotent: nothing more to find the second time.
        let (res2, _) = run(Kind::Ooxml, &out);
        assert_eq!(res2.unwrap(), Outcome::NothingFound);
    }

    const MANIFEST: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.3"><manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.text"/><manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/><manifest:file-entry manifest:full-path="meta.xml" manifest:media-type="text/xml"/><manifest:file-entry manifest:full-path="Thumbnails/thumbnail.png" manifest:media-type="image/png"/></manifest:manifest>"#;
    const CONTENT: &str = r#"<office:document-content><office:body><office:text><text:tracked-changes><text:changed-region><text:insertion><office:change-info><dc:creator>Jane Canary</dc:creator><dc:date>2024-05-01T10:00:00</dc:date></office:change-info></text:insertion></text:changed-region></text:tracked-changes><text:p text:style-name="P1">hi<office:annotation><dc:creator>Jane Canary</dc:creator><text:p>note</text:p></office:annotation></text:p></office:text></office:body></office:document-content>"#;

    pub(crate) fn odt_fixture() -> Vec<u8> {
        build_zip(&[
            ("mimetype", b"application/vnd.oasis.opendocument.text", true),
            ("META-INF/manifest.xml", MANIFEST.as_bytes(), false),
            ("meta.xml", b"<office:document-meta><office:meta><meta:initial-creator>Jane Canary</meta:initial-creator><meta:generator>CANARY-Office</meta:generator></office:meta></office:document-meta>", false),
            ("content.xml", CONTENT.as_bytes(), false),
            ("Thumbnails/thumbnail.png", &super::super::png::tests::fixture(), false),
        ])
    }

    #[test]
    fn odt_is_cleaned() {
        let (res, out) = run(Kind::Odf, &odt_fixture());
        assert!(matches!(res.unwrap(), Outcome::Cleaned { .. }));
        let entries = read_zip(&out);
        assert_eq!(entries[0].0, "mimetype");
        assert_eq!(entries[0].2, CompressionMethod::Stored);
        // mimetype must be readable at offset 38 for magic-number detection.
        assert_eq!(&out[30..38], b"mimetype");
        assert_eq!(super::super::detect(&out), Kind::Odf);
        for (name, data, _) in &entries {
            assert!(
                !contains(data, b"Canary") && !contains(data, b"CANARY"),
                "{name}"
            );
            assert!(!contains(data, b"2024-05-01"), "{name}");
            assert!(name != "meta.xml" && !name.starts_with("Thumbnails"));
        }
        let man = &entries
            .iter()
            .find(|e| e.0 == "META-INF/manifest.xml")
            .unwrap()
            .1;
        assert!(!contains(man, b"meta.xml") && !contains(man, b"Thumbnails"));
        assert!(contains(man, b"content.xml"));
    }

    #[test]
    fn encrypted_odf_refused() {
        let z = build_zip(&[
            ("mimetype", b"application/vnd.oasis.opendocument.text", true),
            (
                "META-INF/manifest.xml",
                b"<m><manifest:encryption-data/></m>",
                false,
            ),
        ]);
        let (res, _) = run(Kind::Odf, &z);
        assert!(
            matches!(res, Err(SanitizeError::Malformed { ref detail, .. }) if detail.contains("encrypted"))
        );
    }

    #[test]
    fn zip_bomb_is_refused() {
        let zeros = vec![0u8; 4 * 1024 * 1024];
        let z = build_zip(&[
            ("[Content_Types].xml", CT.as_bytes(), false),
            ("word/media/zeros.bin", &zeros, false),
        ]);
        assert!(z.len() < 64 * 1024);
        let (res, _) = run(Kind::Ooxml, &z);
        assert!(matches!(res, Err(SanitizeError::ZipBomb)), "{res:?}");
        // Absolute cap and entry count.
        let limits = Limits {
            zip_max_uncompressed: 1000,
            zip_max_ratio: 1_000_000,
            ..Limits::default()
        };
        let mut out = Vec::new();
        let res = super::super::strip(Kind::Ooxml, &mut &docx_fixture()[..], &mut out, &limits);
        assert!(matches!(res, Err(SanitizeError::ZipBomb)));
        let limits = Limits {
            zip_max_entries: 3,
            ..Limits::default()
        };
        let res = super::super::strip(Kind::Ooxml, &mut &docx_fixture()[..], &mut out, &limits);
        assert!(matches!(res, Err(SanitizeError::ZipBomb)));
    }

    #[test]
    fn truncated_zip_is_error() {
        let input = docx_fixture();
        for cut in (0..input.len()).step_by(97) {
            let (res, _) = run(Kind::Ooxml, &input[..cut]);
            assert!(res.is_err(), "cut {cut}");
        }
    }

    #[test]
    fn nested_workbook_is_cleaned() {
        let inner = build_zip(&[
            ("[Content_Types].xml", CT.as_bytes(), false),
            ("docProps/core.xml", CORE.as_bytes(), false),
            (
                "xl/comments1.xml",
                b"<comments><authors><author>Jane Canary</author></authors></comments>",
                false,
            ),
        ]);
        let outer = build_zip(&[
            ("[Content_Types].xml", CT.as_bytes(), false),
            (
                "word/embeddings/Microsoft_Excel_Worksheet.xlsx",
                &inner,
                false,
            ),
        ]);
        let (res, out) = run(Kind::Ooxml, &outer);
        assert!(matches!(res.unwrap(), Outcome::Cleaned { .. }));
        let entries = read_zip(&out);
        let nested = &entries[1].1;
        let inner_entries = read_zip(nested);
        assert!(inner_entries.iter().all(|e| !e.0.starts_with("docProps")));
        for (name, data, _) in &inner_entries {
            assert!(!contains(data, b"Jane Canary"), "{name}");
        }
        // Three levels deep is refused rather than passed through.
        let outer2 = build_zip(&[
            ("[Content_Types].xml", CT.as_bytes(), false),
            ("word/embeddings/a.docx", &outer, false),
        ]);
        let (res, _) = run(Kind::Ooxml, &outer2);
        assert!(matches!(res, Err(SanitizeError::Malformed { .. })));
    }

    /// Every entry's XML must still be well formed (our scanner refuses
    /// unbalanced or undeclared markup) and the zip's CRCs must check.
    fn assert_valid_package(out: &[u8]) -> Vec<(String, Vec<u8>, CompressionMethod)> {
        struct Nothing;
        impl Rules for Nothing {}
        let entries = read_zip(out);
        for (name, data, _) in &entries {
            if name.ends_with(".xml") || name.ends_with(".rels") {
                let text = std::str::from_utf8(data).unwrap();
                xml::rewrite(text, &Nothing, &mut Found::default())
                    .unwrap_or_else(|e| panic!("{name}: {e}"));
            }
        }
        entries
    }

    fn all_text(entries: &[(String, Vec<u8>, CompressionMethod)]) -> String {
        entries
            .iter()
            .map(|(n, d, _)| format!("== {n}\n{}\n", String::from_utf8_lossy(d)))
            .collect()
    }

    #[test]
    fn docx_with_content_types_late_is_classified_and_cleaned() {
        // LibreOffice and other writers do not put [Content_Types].xml first;
        // behind 8 KiB of stored media it is out of sight of `detect`.
        let media: Vec<u8> = (0..8192u32).map(|i| (i * 7 % 251) as u8).collect();
        let z = build_zip(&[
            ("word/media/image1.bin", &media, true),
            ("_rels/.rels", RELS.as_bytes(), false),
            ("docProps/core.xml", CORE.as_bytes(), false),
            ("word/document.xml", DOC.as_bytes(), false),
            ("[Content_Types].xml", CT.as_bytes(), false),
        ]);
        let kind = super::super::detect(&z[..4096]);
        assert_eq!(kind, Kind::Zip);
        let (res, out) = run(kind, &z);
        // Written with the content types first, as Word does.
        assert_eq!(super::super::detect(&out), Kind::Ooxml);
        let Outcome::Cleaned { removed } = res.unwrap() else {
            panic!()
        };
        assert!(removed.contains(&Removed::Author));
        let entries = assert_valid_package(&out);
        let text = all_text(&entries);
        assert!(!text.contains("Jane Canary"), "{text}");
        assert!(!entries.iter().any(|e| e.0.starts_with("docProps")));
        let media_out = &entries
            .iter()
            .find(|e| e.0 == "word/media/image1.bin")
            .unwrap();
        assert_eq!(media_out.1, media);
        assert_eq!(media_out.2, CompressionMethod::Stored);
    }

    #[test]
    fn zips_that_are_not_office_documents_are_refused() {
        let plain = build_zip(&[("notes.txt", b"Jane Canary", false)]);
        let epub = build_zip(&[
            ("mimetype", b"application/epub+zip", true),
            ("[Content_Types].xml", CT.as_bytes(), false),
        ]);
        let both = build_zip(&[
            ("mimetype", b"application/vnd.oasis.opendocument.text", true),
            ("[Content_Types].xml", CT.as_bytes(), false),
        ]);
        for (z, what) in [(plain, "plain"), (epub, "epub"), (both, "both")] {
            for kind in [Kind::Zip, Kind::Ooxml, Kind::Odf] {
                let (res, _) = run(kind, &z);
                // A package claiming to be both is damage; a zip that is
                // neither is simply not something we can clean.
                let refused = match what {
                    "both" | "epub" => matches!(res, Err(SanitizeError::Malformed { .. })),
                    _ => matches!(res, Err(SanitizeError::Unsupported { .. })),
                };
                assert!(refused, "{what} as {kind}: {res:?}");
            }
        }
    }

    #[test]
    fn properties_found_through_the_package_relationships_are_dropped() {
        // .NET System.IO.Packaging: core properties in a .psmdcp part, custom
        // and extended ones wherever the relationships say.
        let rels = r#"<?xml version="1.0" encoding="utf-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="/word/document.xml" Id="R1"/><Relationship Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="/package/services/metadata/core-properties/6d3a1b2c4e5f.psmdcp" Id="R2"/><Relationship Type="http://purl.oclc.org/ooxml/officeDocument/relationships/extendedProperties" Target="meta/app-props.xml" Id="R3"/><Relationship Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/custom-properties" Target="/meta/custom.xml" Id="R4"/><Relationship Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/thumbnail" Target="/pics/thumb.jpeg" Id="R5"/></Relationships>"#;
        let ct = r#"<?xml version="1.0" encoding="utf-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="psmdcp" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/><Override PartName="/meta/app-props.xml" ContentType="application/vnd.openxmlformats-officedocument.extended-properties+xml"/><Override PartName="/meta/custom.xml" ContentType="application/vnd.openxmlformats-officedocument.custom-properties+xml"/></Types>"#;
        let thumb = super::super::jpeg::tests::fixture(super::super::jpeg::tests::TINY, 1);
        let z = build_zip(&[
            ("_rels/.rels", rels.as_bytes(), false),
            ("word/document.xml", DOC.as_bytes(), false),
            (
                "package/services/metadata/core-properties/6d3a1b2c4e5f.psmdcp",
                CORE.as_bytes(),
                false,
            ),
            (
                "meta/app-props.xml",
                b"<Properties><Company>CANARY-CORP</Company></Properties>",
                false,
            ),
            ("meta/_rels/app-props.xml.rels", b"<Relationships/>", false),
            (
                "meta/custom.xml",
                b"<Properties>CANARY-CUSTOM</Properties>",
                false,
            ),
            ("pics/thumb.jpeg", &thumb, true),
            ("[Content_Types].xml", ct.as_bytes(), false),
        ]);
        let (res, out) = run(Kind::Zip, &z);
        let Outcome::Cleaned { removed } = res.unwrap() else {
            panic!()
        };
        for c in [Removed::Author, Removed::Software, Removed::Thumbnail] {
            assert!(removed.contains(&c), "{c}");
        }
        let entries = assert_valid_package(&out);
        let names: Vec<&str> = entries.iter().map(|e| e.0.as_str()).collect();
        assert_eq!(
            names,
            ["[Content_Types].xml", "_rels/.rels", "word/document.xml"]
        );
        let text = all_text(&entries);
        for leak in [
            "Jane Canary",
            "CANARY",
            "psmdcp",
            "meta/",
            "thumb",
            "roperties",
        ] {
            assert!(!text.contains(leak), "{leak}: {text}");
        }
        assert!(text.contains(r#"Target="/word/document.xml""#));
    }

    #[test]
    fn user_names_paths_and_dates_go_under_any_prefix() {
        let workbook = r#"<workbook xmlns="x" xmlns:mc="m" xmlns:x15ac="a"><fileVersion appName="xl"/><fileSharing readOnlyRecommended="1" userName="Jane Canary"/><mc:AlternateContent><mc:Choice Requires="x15"><x15ac:absPath url="C:\Users\JaneCanary\Documents\Leaks\"/></mc:Choice></mc:AlternateContent><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>"#;
        let users = r#"<users xmlns="x" count="1"><userInfo guid="{1}" name="Jane Canary" id="1" dateTime="2024-05-01T10:00:00"/></users>"#;
        let headers = r#"<headers xmlns="x"><header guid="{2}" dateTime="2024-05-01T10:00:00" maxSheetId="2" userName="Jane Canary" r:id="rId1"/></headers>"#;
        let threaded = r#"<ThreadedComments xmlns="t"><threadedComment ref="A1" dT="2024-05-01T10:00:00.00" personId="{3}" id="{4}"><text>ok</text></threadedComment></ThreadedComments>"#;
        let persons = r#"<personList xmlns="p"><person displayName="Jane Canary" id="{3}" userId="jane.canary@example.org" providerId="AD"/></personList>"#;
        let pptx_comments = r#"<p:cmLst xmlns:p="p"><p:cm authorId="0" dt="2024-05-01T10:00:00.000" idx="1"><p:text>hi</p:text></p:cm></p:cmLst>"#;
        let modern = r#"<p188:cmLst xmlns:p188="q"><p188:cm id="{5}" authorId="{6}" created="2024-05-01T10:00:00.000"/></p188:cmLst>"#;
        let authors = r#"<p188:authorLst xmlns:p188="q"><p188:author id="{6}" name="Jane Canary" initials="JC" userId="jane.canary@example.org" providerId="AD"/></p188:authorLst>"#;
        let ext = r#"<ns9:commentsExtensible xmlns:ns9="c"><ns9:commentExtensible ns9:durableId="1" ns9:dateUtc="2024-05-01T10:00:00Z"/></ns9:commentsExtensible>"#;
        let doc = r#"<x:document xmlns:x="w"><x:body><x:p><x:ins x:id="1" x:author="Jane Canary" x:date="2024-05-01T10:00:00Z"/></x:p></x:body></x:document>"#;
        let pivot = r#"<pivotCacheDefinition xmlns="x" refreshedBy="Jane Canary" refreshedDate="45413.4" refreshedDateIso="2024-05-01T10:00:00"/>"#;
        let z = build_zip(&[
            ("[Content_Types].xml", CT.as_bytes(), false),
            ("xl/workbook.xml", workbook.as_bytes(), false),
            ("xl/revisions/userNames.xml", users.as_bytes(), false),
            (
                "xl/revisions/revisionHeaders.xml",
                headers.as_bytes(),
                false,
            ),
            (
                "xl/threadedComments/threadedComment1.xml",
                threaded.as_bytes(),
                false,
            ),
            ("xl/persons/person.xml", persons.as_bytes(), false),
            (
                "xl/pivotCache/pivotCacheDefinition1.xml",
                pivot.as_bytes(),
                false,
            ),
            ("ppt/comments/comment1.xml", pptx_comments.as_bytes(), false),
            ("ppt/comments/modernComment_1.xml", modern.as_bytes(), false),
            ("ppt/authors.xml", authors.as_bytes(), false),
            ("word/commentsExtensible.xml", ext.as_bytes(), false),
            ("word/document.xml", doc.as_bytes(), false),
        ]);
        let (res, out) = run(Kind::Ooxml, &z);
        let Outcome::Cleaned { removed } = res.unwrap() else {
            panic!()
        };
        assert!(removed.contains(&Removed::Author) && removed.contains(&Removed::Dates));
        let entries = assert_valid_package(&out);
        let text = all_text(&entries);
        for leak in ["Jane", "Canary", "JC", "2024", "45413", "Users", "Leaks"] {
            assert!(!text.contains(leak), "{leak}: {text}");
        }
        assert!(text.contains(r#"<x15ac:absPath url=""/>"#), "{text}");
        assert!(text.contains(r#"dT="1980-01-01T00:00:00Z""#), "{text}");
        // Idempotent.
        let (res2, _) = run(Kind::Ooxml, &out);
        assert_eq!(res2.unwrap(), Outcome::NothingFound);
    }

    #[test]
    fn external_targets_are_neutralised_in_ooxml() {
        let doc_rels = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/image" Target="https://spy.example/pixel.png?reviewer" TargetMode="External"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink" Target="http://spy.example/click" TargetMode="External"/><Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/oleObject" Target="\\spy.example\share\x.xlsx" TargetMode="External"/><Relationship Id="rId4" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/frame" Target="mhtml:http://spy.example/frame" TargetMode="External"/><Relationship Id="rId5" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/image" Target="media/image1.png"/><Relationship Id="rId6" Type="http://x/subDocument" Target="smb://spy.example/sub.docx"/></Relationships>"#;
        let settings_rels = r#"<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/attachedTemplate" Target="https://spy.example/template.dotm" TargetMode="External"/></Relationships>"#;
        let doc = r#"<w:document xmlns:w="w" xmlns:v="v" xmlns:o="o" xmlns:r="r"><w:body><w:p><w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText xml:space="preserve"> INCLUDEPIC</w:instrText></w:r><w:r><w:instrText>TURE "http://spy.example/field.png" \d</w:instrText></w:r><w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>shown</w:t></w:r><w:r><w:fldChar w:fldCharType="end"/></w:r><w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText> PAGE </w:instrText></w:r><w:r><w:fldChar w:fldCharType="end"/></w:r><w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText><![CDATA[ include]]><!-- x -->TEXT "\\spy.example\s\a.docx"</w:instrText></w:r><w:r><w:fldChar w:fldCharType="end"/></w:r><w:fldSimple w:instr=" LINK Excel.Sheet.12 &quot;\\spy.example\x.xlsx&quot; Sheet1 \a "><w:r><w:t>linked</w:t></w:r></w:fldSimple></w:p><w:p><w:hyperlink r:id="rId2"><w:r><w:t>the post</w:t></w:r></w:hyperlink><w:pict><v:shape o:href="http://spy.example/vml"><v:imagedata src="file://spy.example/x.png" r:id="rId5"/></v:shape></w:pict></w:p></w:body></w:document>"#;
        let connections = r#"<connections xmlns="x"><connection id="1" name="q" type="4" refreshOnLoad="1"><webPr url="https://spy.example/q" sourceData="1"/></connection><connection id="2" type="6" sourceFile="\\spy.example\share\d.csv"><textPr sourceFile="C:\Users\JaneCanary\spy.example.csv"/></connection><connection id="3" type="1" odcFile="\\spy.example\c.odc"><dbPr connection="Provider=SQLOLEDB;Data Source=spy.example;User ID=jane" command="x"/></connection></connections>"#;
        let png = super::super::png::tests::fixture();
        let z = build_zip(&[
            ("[Content_Types].xml", CT.as_bytes(), false),
            ("_rels/.rels", RELS.as_bytes(), false),
            ("xl/connections.xml", connections.as_bytes(), false),
            ("word/document.xml", doc.as_bytes(), false),
            ("word/_rels/document.xml.rels", doc_rels.as_bytes(), false),
            (
                "word/_rels/settings.xml.rels",
                settings_rels.as_bytes(),
                false,
            ),
            ("word/media/image1.png", &png, false),
        ]);
        let (res, out) = run(Kind::Ooxml, &z);
        assert!(matches!(res.unwrap(), Outcome::Cleaned { .. }));
        let entries = assert_valid_package(&out);
        let text = all_text(&entries);
        assert!(!text.contains("spy.example"), "{text}");
        // Rewritten, not removed: every id the document uses still resolves.
        for id in ["rId1", "rId2", "rId3", "rId4", "rId5", "rId6"] {
            assert!(text.contains(&format!(r#"Id="{id}""#)), "{id}");
        }
        assert_eq!(text.matches(r#"Target="about:blank""#).count(), 6, "{text}");
        assert!(text.contains(r#"Target="media/image1.png""#));
        assert!(text.contains("<w:t>the post</w:t>"));
        // Fetching fields lose their instruction (from the run completing
        // their type on); others keep theirs; results stay.
        assert!(
            text.contains("<w:instrText xml:space=\"preserve\"> INCLUDEPIC</w:instrText>"),
            "{text}"
        );
        assert!(text.contains("<w:instrText> PAGE </w:instrText>"), "{text}");
        assert!(text.contains(r#"<w:fldSimple w:instr="">"#), "{text}");
        assert!(text.contains("<w:t>shown</w:t>") && text.contains("<w:t>linked</w:t>"));
    }

    #[test]
    fn external_links_are_neutralised_in_odf() {
        let content = r##"<office:document-content xmlns:office="o" xmlns:text="t" xmlns:draw="d" xmlns:xlink="x" xmlns:table="tb"><office:body><office:text><text:section text:name="S"><text:section-source xlink:href="../../../spy/include.odt" xlink:type="simple"/></text:section><text:p><text:a xlink:type="simple" xlink:href="https://spy.example/click">the post</text:a><text:a xlink:href="#Bookmark">here</text:a></text:p><draw:frame><draw:image xlink:href="http://spy.example/pixel.png" xlink:type="simple" xlink:show="embed" xlink:actuate="onLoad"/></draw:frame><draw:frame><draw:image xlink:href="Pictures/1.png"/></draw:frame><draw:frame><draw:object xlink:href="./Object 1"/></draw:frame><draw:frame><draw:object xlink:href="\\spy.example\share\obj.ods"/></draw:frame><table:table table:name="T"><table:table-source xlink:href="file:///home/jane/spy.example.ods" table:mode="copy-all"/></table:table><text:dde-connection-decls><text:dde-connection-decl office:name="L" office:dde-application="soffice" office:dde-topic="file:///C:/spy.example/x.ods" office:dde-item="A1"/></text:dde-connection-decls></office:text></office:body></office:document-content>"##;
        let styles = r#"<office:document-styles xmlns:office="o" xmlns:style="s" xmlns:xlink="x"><office:styles><style:style style:name="P"><style:paragraph-properties><style:background-image xlink:href="//spy.example/bg.png"/></style:paragraph-properties></style:style></office:styles></office:document-styles>"#;
        let object = r#"<office:document-content xmlns:office="o" xmlns:draw="d" xmlns:xlink="x"><office:body><draw:image xlink:href="../Pictures/1.png"/><draw:image xlink:href="../../spy.example.png"/></office:body></office:document-content>"#;
        let z = build_zip(&[
            ("mimetype", b"application/vnd.oasis.opendocument.text", true),
            ("META-INF/manifest.xml", MANIFEST.as_bytes(), false),
            ("content.xml", content.as_bytes(), false),
            ("styles.xml", styles.as_bytes(), false),
            ("Object 1/content.xml", object.as_bytes(), false),
            (
                "Pictures/1.png",
                &super::super::png::tests::fixture(),
                false,
            ),
        ]);
        let (res, out) = run(Kind::Odf, &z);
        assert!(matches!(res.unwrap(), Outcome::Cleaned { .. }));
        let entries = assert_valid_package(&out);
        let text = all_text(&entries);
        assert!(!text.contains("spy"), "{text}");
        for internal in [
            r##"xlink:href="#Bookmark""##,
            r#"xlink:href="Pictures/1.png""#,
            r#"xlink:href="./Object 1""#,
            r#"xlink:href="../Pictures/1.png""#,
        ] {
            assert!(text.contains(internal), "{internal}: {text}");
        }
        assert!(text.contains("the post"));
    }

    #[test]
    fn zip_bomb_is_refused_within_the_memory_budget() {
        // An XML part must be held to be rewritten: past the memory budget it
        // is refused, whatever the overall decompression budget allows.
        // Text that does not compress much, so that the ratio guard is not
        // what refuses it.
        let mut doc = String::from("<w:document><w:body>");
        let mut x: u32 = 1;
        while doc.len() < 6 << 20 {
            doc.push_str("<w:p><w:r><w:t>");
            for _ in 0..64 {
                x = x.wrapping_mul(1_103_515_245).wrapping_add(12_345);
                doc.push(char::from(b'a' + (x >> 16) as u8 % 26));
            }
            doc.push_str("</w:t></w:r></w:p>");
        }
        doc.push_str("</w:body></w:document>");
        let z = build_zip(&[
            ("[Content_Types].xml", CT.as_bytes(), false),
            ("word/document.xml", doc.as_bytes(), false),
        ]);
        let limits = |mem| Limits {
            zip_max_in_memory: mem,
            ..Limits::default()
        };
        let mut out = Vec::new();
        let res = super::super::strip(Kind::Ooxml, &mut &z[..], &mut out, &limits(8 << 20));
        assert!(matches!(res, Err(SanitizeError::ZipBomb)), "{res:?}");
        let mut out = Vec::new();
        let res = super::super::strip(Kind::Ooxml, &mut &z[..], &mut out, &limits(16 << 20));
        assert!(res.is_ok(), "{res:?}");
    }

    #[test]
    fn big_media_streams_through_without_counting_against_memory() {
        // 48 MiB of stored media with a 1 MiB memory budget: copied entry to
        // entry, never held whole.
        let media: Vec<u8> = (0..48u32 << 20)
            .map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8)
            .collect();
        let z = build_zip(&[
            ("[Content_Types].xml", CT.as_bytes(), false),
            ("word/media/video.bin", &media, true),
            ("word/media/audio.bin", &media[..1 << 20], false),
        ]);
        let limits = Limits {
            zip_max_in_memory: 1 << 20,
            ..Limits::default()
        };
        let mut out = Vec::new();
        let res = super::super::strip(Kind::Ooxml, &mut &z[..], &mut out, &limits);
        assert!(res.is_ok(), "{res:?}");
        let entries = read_zip(&out);
        assert_eq!(entries[1].1.len(), media.len());
        assert!(entries[1].1 == media);
        assert_eq!(entries[1].2, CompressionMethod::Stored);
        assert_eq!(entries[2].1, media[..1 << 20]);
        // A corrupted copy is not passed through: the CRC is checked.
        let mut bad = z.clone();
        let at = bad.len() / 2;
        bad[at] ^= 0xFF;
        let mut out = Vec::new();
        let res = super::super::strip(Kind::Ooxml, &mut &bad[..], &mut out, &limits);
        assert!(
            matches!(res, Err(SanitizeError::Malformed { .. })),
            "{res:?}"
        );
    }

    #[test]
    fn resolves_targets() {
        assert_eq!(
            resolve_target("_rels/.rels", "docProps/core.xml"),
            "docProps/core.xml"
        );
        assert_eq!(
            resolve_target("_rels/.rels", "/docProps/app.xml"),
            "docProps/app.xml"
        );
        assert_eq!(
            resolve_target("word/_rels/document.xml.rels", "../docProps/x.xml"),
            "docProps/x.xml"
        );
        assert_eq!(
            resolve_target("word/_rels/document.xml.rels", "media/a.png"),
            "word/media/a.png"
        );
    }

    const OPF: &str = r##"<?xml version="1.0" encoding="utf-8"?>
<package xmlns="http://www.idpf.org/2007/opf" version="3.0" unique-identifier="uid">
  <metadata xmlns:dc="http://purl.org/dc/elements/1.1/">
    <dc:identifier id="uid">urn:uuid:1b2c3d4e-aaaa-bbbb-cccc-jane-canary-laptop</dc:identifier>
    <dc:title>Testimony</dc:title>
    <dc:language>en</dc:language>
    <dc:creator id="c">Jane Canary</dc:creator>
    <meta refines="#c" property="role" scheme="marc:relators">aut</meta>
    <dc:publisher>Jane's Laptop</dc:publisher>
    <dc:date>2026-12-06T17:23:00Z</dc:date>
    <meta property="dcterms:modified">2026-12-06T17:23:00Z</meta>
    <meta name="calibre:timestamp" content="2026-12-06T17:23:00+00:00"/>
    <meta name="cover" content="cover-image"/>
  </metadata>
  <manifest><item id="c1" href="c1.xhtml" media-type="application/xhtml+xml"/></manifest>
  <spine><itemref idref="c1"/></spine>
</package>"##;
    const XHTML: &str = r#"<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE html>
<html xmlns="http://www.w3.org/1999/xhtml"><head><title>One</title>
<meta name="generator" content="Sigil 2.0 on Jane-PC"/>
<link rel="stylesheet" href="https://t.example/s.css"/><link rel="stylesheet" href="style.css"/>
<style>@import url(https://t.example/i.css);</style></head>
<body onload="x()"><!-- draft by Jane --><p>Hello&nbsp;<img src="https://t.example/p.png"/><img src="img/a.png" alt="a"/>
<a href="https://t.example/click">link</a><a href="c2.xhtml#x">next</a></p><script>fetch('//t.example')</script></body></html>"#;
    const NCX: &str = r#"<ncx xmlns="http://www.daisy.org/z3986/2005/ncx/" version="2005-1"><head><meta name="dtb:uid" content="urn:uuid:jane-canary"/><meta name="dtb:generator" content="calibre (7.1)"/></head><docTitle><text>T</text></docTitle><docAuthor><text>Jane Canary</text></docAuthor><navMap/></ncx>"#;

    pub(crate) fn epub_fixture() -> Vec<u8> {
        build_zip(&[
            ("mimetype", b"application/epub+zip", true),
            (
                "META-INF/container.xml",
                br#"<?xml version="1.0"?><container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:container"><rootfiles><rootfile full-path="OEBPS/content.opf" media-type="application/oebps-package+xml"/></rootfiles></container>"#,
                false,
            ),
            ("OEBPS/content.opf", OPF.as_bytes(), false),
            ("OEBPS/c1.xhtml", XHTML.as_bytes(), false),
            ("OEBPS/toc.ncx", NCX.as_bytes(), false),
            ("OEBPS/style.css", b"@import 'https://t.example/x.css'; p{}", false),
            ("OEBPS/ok.css", b"p{background:url(img/a.png)}", false),
            ("META-INF/calibre_bookmarks.txt", b"Jane Canary was here", false),
        ])
    }

    #[test]
    fn epub_metadata_and_beacons_go_and_the_book_stays_whole() {
        let (res, out) = run(Kind::Epub, &epub_fixture());
        let Ok(Outcome::Cleaned { removed }) = res else {
            panic!("{res:?}")
        };
        for c in [
            Removed::Author,
            Removed::Dates,
            Removed::DocumentIds,
            Removed::Comments,
        ] {
            assert!(removed.contains(&c), "{c}");
        }
        let entries = read_zip(&out);
        assert_eq!(entries[0].0, "mimetype");
        assert_eq!(entries[0].1, b"application/epub+zip");
        assert_eq!(entries[0].2, CompressionMethod::Stored);
        assert_eq!(super::super::detect(&out), Kind::Epub);
        assert!(!entries.iter().any(|e| e.0.contains("calibre_bookmarks")));
        let text = all_text(&entries);
        for gone in [
            "Jane",
            "t.example",
            "2026",
            "calibre",
            "Sigil",
            "onload",
            "<script",
            "draft",
            "1b2c3d4e",
            "@import",
        ] {
            assert!(!text.contains(gone), "{gone} survives:\n{text}");
        }
        for kept in [
            "<dc:title>Testimony</dc:title>",
            "<dc:language>en</dc:language>",
            "<dc:identifier id=\"uid\">urn:uuid:00000000-0000-4000-8000-000000000000</dc:identifier>",
            "<meta property=\"dcterms:modified\">2000-01-01T00:00:00Z</meta>",
            "<meta name=\"cover\" content=\"cover-image\"/>",
            "<!DOCTYPE html>",
            "Hello&nbsp;",
            "href=\"style.css\"",
            "src=\"img/a.png\"",
            "href=\"c2.xhtml#x\"",
            "p{background:url(img/a.png)}",
            "content=\"urn:uuid:00000000-0000-4000-8000-000000000000\"",
        ] {
            assert!(text.contains(kept), "{kept} lost:\n{text}");
        }
        for e in &entries {
            let f = ZipArchive::new(Cursor::new(&out[..])).unwrap();
            drop(f);
            assert!(!e.0.is_empty());
        }
        // Cleaning again finds nothing more.
        let (res2, _) = run(Kind::Epub, &out);
        assert!(matches!(res2, Ok(Outcome::NothingFound)), "{res2:?}");
    }

    #[test]
    fn hostile_epubs_are_refused() {
        let laughs = build_zip(&[
            ("mimetype", b"application/epub+zip", true),
            (
                "OEBPS/c1.xhtml",
                b"<!DOCTYPE html [<!ENTITY a 'aaaa'><!ENTITY b '&a;&a;'>]><html>&b;</html>",
                false,
            ),
        ]);
        let broken = build_zip(&[
            ("mimetype", b"application/epub+zip", true),
            ("OEBPS/content.opf", b"<package><metadata>", false),
        ]);
        for z in [laughs, broken] {
            let (res, _) = run(Kind::Epub, &z);
            assert!(
                matches!(res, Err(SanitizeError::Malformed { .. })),
                "{res:?}"
            );
        }
    }

    #[test]
    fn disguised_parts_and_references_are_cleaned_too() {
        let z = build_zip(&[
            ("mimetype", b"application/epub+zip", true),
            (
                "OEBPS/package.xml",
                br#"<package><metadata><dc:creator>Jane Canary</dc:creator><meta name="calibre:timestamp" content="x"/></metadata></package>"#,
                false,
            ),
            (
                "OEBPS/chapter.dat",
                br#"<html xml:base="https://t.example/"><body><img src="h&#116;tp://t.example/p"/><video><source src="v.mp4"/></video></body></html>"#,
                false,
            ),
            ("OEBPS/sheet.dat", b"@import 'https://t.example/x.css';", false),
            ("OEBPS/font.otf", b"OTTO\x00\x01\x02", false),
        ]);
        let (res, out) = run(Kind::Epub, &z);
        assert!(matches!(res, Ok(Outcome::Cleaned { .. })), "{res:?}");
        let entries = read_zip(&out);
        let text = all_text(&entries);
        for gone in ["Jane", "calibre", "t.example", "&#116;"] {
            assert!(!text.contains(gone), "{gone} survives:\n{text}");
        }
        assert!(text.contains(r#"<source src="v.mp4"/>"#), "{text}");
        let font = entries.iter().find(|e| e.0 == "OEBPS/font.otf").unwrap();
        assert_eq!(font.1, b"OTTO\x00\x01\x02");
        let embedded = build_zip(&[
            ("mimetype", b"application/epub+zip", true),
            (
                "c.xhtml",
                br#"<html><img src="data:image/jpeg;base64,/9j/"/></html>"#,
                false,
            ),
        ]);
        let (res, _) = run(Kind::Epub, &embedded);
        assert!(res.is_err(), "{res:?}");
    }

    #[test]
    fn svg_images_in_office_documents_are_cleaned() {
        let svg = super::super::svg::tests::INKSCAPE.as_bytes();
        let z = build_zip(&[
            ("[Content_Types].xml", CT.as_bytes(), false),
            ("_rels/.rels", RELS.as_bytes(), false),
            ("word/document.xml", DOC.as_bytes(), false),
            ("word/media/image1.svg", svg, false),
        ]);
        let (res, out) = run(Kind::Ooxml, &z);
        assert!(matches!(res, Ok(Outcome::Cleaned { .. })), "{res:?}");
        let entries = read_zip(&out);
        let image = entries
            .iter()
            .find(|e| e.0 == "word/media/image1.svg")
            .unwrap();
        let text = String::from_utf8(image.1.clone()).unwrap();
        for gone in ["Jane", "sodipodi", "t.example"] {
            assert!(!text.contains(gone), "{gone} survives:\n{text}");
        }
        assert!(text.contains("<svg"));
    }

    #[test]
    fn css_outside_the_book_is_recognised() {
        for f in [
            "@import 'http://x'",
            "a{b:url( \"//x\" )}",
            "a{b:u\\72l(x)}",
            "a{b:url(/etc/x)}",
        ] {
            assert!(css_fetches_outside(f), "{f}");
        }
        for ok in [
            "a{b:url(img/x.png)}",
            "a{b:url('../f/x.woff')}",
            "p{}",
            "a{b:url(#g)}",
        ] {
            assert!(!css_fetches_outside(ok), "{ok}");
        }
    }
}
