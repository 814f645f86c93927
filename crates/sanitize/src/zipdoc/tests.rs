//! Unit tests of the zip document stripper: the fixtures every test builds on,
//! classification, and the bomb and memory guards.

use std::io::{Cursor, Read, Write};

use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipArchive, ZipWriter};

use crate::xml::{self, Rules};
use crate::{Found, Kind, Limits, Outcome, Removed, SanitizeError};

use crate::tests_util::*;

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
    let photo = crate::jpeg::tests::fixture(crate::jpeg::tests::TINY, 1);
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
    assert_eq!(crate::detect(&docx_fixture()), Kind::Ooxml);
    assert_eq!(crate::detect(&odt_fixture()), Kind::Odf);
    let plain = build_zip(&[("a.txt", b"hi", false)]);
    assert_eq!(crate::detect(&plain), Kind::Zip);
    let epub = build_zip(&[("mimetype", b"application/epub+zip", true)]);
    assert_eq!(crate::detect(&epub), Kind::Epub);
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
            ("Thumbnails/thumbnail.png", &crate::png::tests::fixture(), false),
        ])
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
    let res = crate::strip(Kind::Ooxml, &mut &docx_fixture()[..], &mut out, &limits);
    assert!(matches!(res, Err(SanitizeError::ZipBomb)));
    let limits = Limits {
        zip_max_entries: 3,
        ..Limits::default()
    };
    let res = crate::strip(Kind::Ooxml, &mut &docx_fixture()[..], &mut out, &limits);
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
    let res = crate::strip(Kind::Ooxml, &mut &z[..], &mut out, &limits(8 << 20));
    assert!(matches!(res, Err(SanitizeError::ZipBomb)), "{res:?}");
    let mut out = Vec::new();
    let res = crate::strip(Kind::Ooxml, &mut &z[..], &mut out, &limits(16 << 20));
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
    let res = crate::strip(Kind::Ooxml, &mut &z[..], &mut out, &limits);
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
    let res = crate::strip(Kind::Ooxml, &mut &bad[..], &mut out, &limits);
    assert!(
        matches!(res, Err(SanitizeError::Malformed { .. })),
        "{res:?}"
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

mod ooxml;

mod odf;

mod epub;
