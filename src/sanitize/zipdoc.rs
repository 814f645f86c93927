//! Office document (OOXML docx/xlsx/pptx and ODF odt/ods/odp) stripping.
//!
//! The zip is read whole (bounded by `Limits`) and written afresh:
//! * OOXML: every `docProps/` part is dropped (core.xml authors and dates,
//!   app.xml software/company, custom.xml, thumbnails) with its
//!   `[Content_Types].xml` Override and `_rels/.rels` Relationship. In all XML
//!   parts, author/initials/userId/providerId attributes (w:ins, w:del,
//!   w:comment, people.xml, pptx comment authors, xlsx persons) become
//!   "Author"/"A", revision dates (w:date) and rsid session identifiers are
//!   neutralised, xlsx comment `<author>` text becomes "Author", and external
//!   `file:` relationship targets (template paths with user names) are blanked.
//! * ODF: meta.xml and Thumbnails/ are dropped with their manifest entries;
//!   dc:creator / dc:date / creator-initials / author fields in content are
//!   neutralised; printer names and rsids in settings are blanked. The
//!   `mimetype` entry is written first and stored.
//! * Embedded parts go through their own strippers: images (JPEG, PNG, GIF,
//!   WebP, TIFF), MP4/MP3 media, PDFs, and one level of nested office
//!   documents (charts in a docx embed an xlsx with its own author). Deeper
//!   nesting, or an embedded part that fails to clean, makes the whole
//!   document Malformed. The decompression budget is shared across levels.
//! * Entry timestamps become 1980-01-01, extra fields and comments are dropped.
//!
//! Zip-bomb guard: entry count, total bytes actually decompressed (headers
//! are not trusted) and decompressed/input ratio. Encrypted entries or ODF
//! encryption are Malformed. Must never pass an unreadable part through.
//! Not handled: customXml/ parts (SharePoint properties), OLE (CFB) objects,
//! VBA projects, other media types (wav, emf) which are copied as they are.

use std::collections::HashSet;
use std::io::{Cursor, Read, Write};

use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, DateTime, ZipArchive, ZipWriter};

use super::xml::{self, Attr, AttrAction, Rules, attr_value, local};
use super::{Found, Kind, Limits, Outcome, Removed, SanitizeError, malformed};

/// Tell OOXML, ODF and other zips apart from the first bytes.
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
                && content.starts_with(b"application/vnd.oasis.opendocument.")
            {
                return Kind::Odf;
            }
        }
        first = false;
    }
    Kind::Other
}

/// Rewrite an OOXML or ODF zip held in memory.
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
    let (out, found) = clean_zip(kind, data, limits, &mut budget, 0)?;
    output.write_all(&out)?;
    Ok(found.outcome())
}

// ---------------------------------------------------------------------------

/// Nesting we follow: a document embedded in a document (charts in docx
/// embed an xlsx with its own author). Deeper nesting is refused.
const MAX_NESTING: u8 = 1;

/// Rewrite one zip document; `budget` is the decompressed bytes still allowed.
fn clean_zip(
    kind: Kind,
    data: &[u8],
    limits: &Limits,
    budget: &mut u64,
    depth: u8,
) -> Result<(Vec<u8>, Found), SanitizeError> {
    let bad = |d: String| malformed(kind, d);
    let mut archive = ZipArchive::new(Cursor::new(data)).map_err(|e| bad(format!("zip: {e}")))?;
    if archive.len() as u64 > limits.zip_max_entries {
        return Err(SanitizeError::ZipBomb);
    }
    let mut found = Found {
        changed: true,
        ..Found::default()
    };
    if !archive.comment().is_empty() {
        found.add(Removed::Other);
    }
    let mut entries: Vec<Entry> = Vec::with_capacity(archive.len());
    let mut names = HashSet::new();
    for i in 0..archive.len() {
        let mut f = archive
            .by_index(i)
            .map_err(|e| bad(format!("zip entry: {e}")))?;
        if f.encrypted() {
            return Err(bad("encrypted zip entry".into()));
        }
        let name = f
            .name()
            .map_err(|e| bad(format!("entry name: {e}")))?
            .to_string();
        if !names.insert(name.clone()) {
            return Err(bad(format!("duplicate entry {name}")));
        }
        if f.last_modified().is_some_and(|t| t != DateTime::default()) {
            found.add(Removed::Dates);
        }
        let is_dir = f.is_dir();
        let mut content = Vec::new();
        (&mut f)
            .take(budget.saturating_add(1))
            .read_to_end(&mut content)
            .map_err(|e| bad(format!("entry {name}: {e}")))?;
        *budget = budget
            .checked_sub(content.len() as u64)
            .ok_or(SanitizeError::ZipBomb)?;
        entries.push(Entry {
            name,
            is_dir,
            data: content,
        });
    }

    let dropped = drop_parts(kind, &entries, &mut found)?;
    let mut kept: Vec<Entry> = Vec::with_capacity(entries.len());
    for mut e in entries {
        if dropped.contains(&e.name.to_ascii_lowercase()) {
            continue;
        }
        if !e.is_dir {
            e.data = clean_part(
                kind, &e.name, e.data, &dropped, &mut found, limits, budget, depth,
            )?;
        }
        kept.push(e);
    }
    if kind == Kind::Odf {
        // ODF readers identify the file by a first, stored `mimetype`.
        let pos = kept
            .iter()
            .position(|e| e.name == "mimetype")
            .ok_or_else(|| bad("missing mimetype".into()))?;
        let m = kept.remove(pos);
        kept.insert(0, m);
    } else if !kept.iter().any(|e| e.name == "[Content_Types].xml") {
        return Err(bad("missing [Content_Types].xml".into()));
    }

    let zerr = |e: zip::result::ZipError| SanitizeError::Io(std::io::Error::other(e));
    let mut zw = ZipWriter::new(Cursor::new(Vec::new()));
    let base = SimpleFileOptions::default()
        .last_modified_time(DateTime::default())
        .unix_permissions(0o644);
    for e in &kept {
        if e.is_dir {
            zw.add_directory(e.name.as_str(), base).map_err(zerr)?;
            continue;
        }
        let method = if kind == Kind::Odf && e.name == "mimetype" {
            CompressionMethod::Stored
        } else {
            CompressionMethod::Deflated
        };
        zw.start_file(
            e.name.as_str(),
            base.compression_method(method)
                .large_file(e.data.len() as u64 >= u64::from(u32::MAX)),
        )
        .map_err(zerr)?;
        zw.write_all(&e.data)?;
    }
    let buf = zw.finish().map_err(zerr)?.into_inner();
    Ok((buf, found))
}

struct Entry {
    name: String,
    is_dir: bool,
    data: Vec<u8>,
}

/// Decide which parts to drop entirely, and refuse encrypted ODF.
fn drop_parts(
    kind: Kind,
    entries: &[Entry],
    found: &mut Found,
) -> Result<HashSet<String>, SanitizeError> {
    let mut dropped = HashSet::new();
    for e in entries {
        let n = e.name.as_str();
        let cats: &[Removed] = match kind {
            Kind::Ooxml => match n.to_ascii_lowercase().as_str() {
                "docprops/core.xml" => &[Removed::Author, Removed::Dates, Removed::Comments],
                "docprops/app.xml" => &[Removed::Software, Removed::Other],
                l if l.starts_with("docprops/thumbnail") => &[Removed::Thumbnail],
                l if l.starts_with("docprops/") => &[Removed::Other],
                _ => &[],
            },
            _ => match n {
                "meta.xml" => &[Removed::Author, Removed::Dates, Removed::Software],
                _ if n.starts_with("Thumbnails/") => &[Removed::Thumbnail],
                "META-INF/manifest.xml" if super::find(&e.data, b"encryption-data").is_some() => {
                    return Err(malformed(kind, "encrypted document"));
                }
                _ => &[],
            },
        };
        if !cats.is_empty() {
            for c in cats {
                found.add(*c);
            }
            // OOXML part names compare case-insensitively.
            dropped.insert(e.name.to_ascii_lowercase());
        }
    }
    Ok(dropped)
}

/// Clean one kept part: XML rewriting or embedded image stripping.
#[allow(clippy::too_many_arguments)]
fn clean_part(
    kind: Kind,
    name: &str,
    data: Vec<u8>,
    dropped: &HashSet<String>,
    found: &mut Found,
    limits: &Limits,
    budget: &mut u64,
    depth: u8,
) -> Result<Vec<u8>, SanitizeError> {
    let lower = name.to_ascii_lowercase();
    if lower.ends_with(".xml") || lower.ends_with(".rels") {
        let text =
            String::from_utf8(data).map_err(|_| malformed(kind, format!("{name}: not UTF-8")))?;
        let out = match kind {
            Kind::Ooxml => xml::rewrite(
                &text,
                &OoxmlRules {
                    part: name,
                    dropped,
                },
                found,
            ),
            _ => xml::rewrite(
                &text,
                &OdfRules {
                    part: name,
                    dropped,
                },
                found,
            ),
        }
        .map_err(|d| malformed(kind, format!("{name}: {d}")))?;
        return Ok(out.into_bytes());
    }
    let prefix = data.get(..data.len().min(4096)).unwrap_or(&data);
    let inner = super::detect(prefix);
    let cleaned = match inner {
        Kind::Ooxml | Kind::Odf if depth < MAX_NESTING => {
            clean_zip(inner, &data, limits, budget, depth + 1)
        }
        Kind::Ooxml | Kind::Odf => {
            return Err(malformed(
                kind,
                format!("{name}: documents nested too deeply"),
            ));
        }
        Kind::Mp4 | Kind::Mp3 | Kind::Pdf => {
            let mut v = Vec::new();
            super::strip(inner, &mut &data[..], &mut v, limits).map(|o| (v, found_from(o)))
        }
        Kind::Jpeg => super::jpeg::strip_bytes(&data, true),
        Kind::Png => super::png::strip_bytes(&data),
        Kind::Gif => super::gif::strip_bytes(&data),
        Kind::Webp => super::webp::strip_bytes(&data),
        Kind::Tiff => {
            let mut v = Vec::new();
            super::tiff::strip(&data, &mut v).map(|o| (v, found_from(o)))
        }
        _ => return Ok(data),
    };
    let (out, inner_found) =
        cleaned.map_err(|e| malformed(kind, format!("embedded part {name}: {e}")))?;
    for r in inner_found.removed {
        found.add(r);
    }
    Ok(out)
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

struct OoxmlRules<'a> {
    part: &'a str,
    dropped: &'a HashSet<String>,
}

impl Rules for OoxmlRules<'_> {
    fn drop_element(&self, name: &str, attrs: &[Attr<'_>]) -> Option<Removed> {
        match local(name) {
            "Override" => {
                let p = attr_value(attrs, "PartName")?;
                self.dropped
                    .contains(&p.trim_start_matches('/').to_ascii_lowercase())
                    .then_some(Removed::Other)
            }
            "Relationship" if self.part.ends_with(".rels") => {
                if attr_value(attrs, "TargetMode") == Some("External") {
                    return None;
                }
                let t = resolve_target(self.part, attr_value(attrs, "Target")?);
                self.dropped
                    .contains(&t.to_ascii_lowercase())
                    .then_some(Removed::Other)
            }
            _ => None,
        }
    }

    fn replace_content(&self, name: &str, _attrs: &[Attr<'_>]) -> Option<(&'static str, Removed)> {
        (self.part.starts_with("xl/comments") && local(name) == "author")
            .then_some(("Author", Removed::Author))
    }

    fn attr(&self, elem: &str, a: &Attr<'_>, all: &[Attr<'_>]) -> AttrAction {
        let an = local(a.name);
        let en = local(elem);
        match an {
            "author" => AttrAction::Replace("Author", Removed::Author),
            "initials" => AttrAction::Replace("A", Removed::Author),
            "userId" => AttrAction::Replace("Author", Removed::Author),
            "providerId" => AttrAction::Replace("None", Removed::Author),
            "displayName" if en == "person" => AttrAction::Replace("Author", Removed::Author),
            "name" if en == "cmAuthor" || en == "author" => {
                AttrAction::Replace("Author", Removed::Author)
            }
            "date" | "dateUtc" if elem.starts_with("w:") => AttrAction::Remove(Removed::Dates),
            _ if an.starts_with("rsid") && a.name.starts_with("w:") => {
                AttrAction::Replace("00000000", Removed::DocumentIds)
            }
            "val" if en == "rsid" || en == "rsidRoot" => {
                AttrAction::Replace("00000000", Removed::DocumentIds)
            }
            "Target"
                if en == "Relationship" && attr_value(all, "TargetMode") == Some("External") =>
            {
                let v = a.value.to_ascii_lowercase();
                if v.starts_with("file:") || v.contains(":\\") || v.starts_with("\\\\") {
                    AttrAction::Replace("file:///", Removed::Other)
                } else {
                    AttrAction::Keep
                }
            }
            _ => AttrAction::Keep,
        }
    }
}

struct OdfRules<'a> {
    part: &'a str,
    dropped: &'a HashSet<String>,
}

impl Rules for OdfRules<'_> {
    fn drop_element(&self, name: &str, attrs: &[Attr<'_>]) -> Option<Removed> {
        if self.part != "META-INF/manifest.xml" || local(name) != "file-entry" {
            return None;
        }
        let p = attr_value(attrs, "full-path")?;
        (self.dropped.contains(&p.to_ascii_lowercase()) || p == "Thumbnails/" || p == "Thumbnails")
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
            AttrAction::Replace("00000000", Removed::DocumentIds)
        } else {
            AttrAction::Keep
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
        assert_eq!(super::super::detect(&plain), Kind::Other);
        let epub = build_zip(&[("mimetype", b"application/epub+zip", true)]);
        assert_eq!(super::super::detect(&epub), Kind::Other);
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
}
