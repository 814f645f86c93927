//! Unit tests of EPUB cleaning.

use super::*;
use crate::zipdoc::epub::css_fetches_outside;

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
    assert_eq!(crate::detect(&out), Kind::Epub);
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
