//! Unit tests of the crate's entry points: detection, the pass-through, the
//! in-memory limit, and how outcomes are reported.

use super::*;

#[test]
fn detect_magic() {
    assert_eq!(detect(b"\xFF\xD8\xFF\xE0rest"), Kind::Jpeg);
    assert_eq!(detect(b"\x89PNG\r\n\x1a\n...."), Kind::Png);
    assert_eq!(detect(b"GIF89a...."), Kind::Gif);
    assert_eq!(detect(b"RIFF\0\0\0\0WEBPVP8 "), Kind::Webp);
    assert_eq!(detect(b"RIFF\0\0\0\0WAVEfmt "), Kind::Wav);
    assert_eq!(detect(b"RF64\xff\xff\xff\xffWAVEds64"), Kind::Wav);
    assert_eq!(detect(b"RIFF\0\0\0\0AVI LIST"), Kind::Avi);
    assert_eq!(detect(b"FORM\0\0\0\0AIFFCOMM"), Kind::Aiff);
    assert_eq!(detect(b"FORM\0\0\0\0AIFCFVER"), Kind::Aiff);
    assert_eq!(detect(b"RIFF\0\0\0\0RMIDdata"), Kind::Other);
    assert_eq!(detect(b"II*\0\x08\0\0\0"), Kind::Tiff);
    assert_eq!(detect(b"MM\0*\0\0\0\x08"), Kind::Tiff);
    assert_eq!(detect(b"junk\n%PDF-1.7\n"), Kind::Pdf);
    // A format named by its first bytes wins over the PDF header scan: audio
    // data may hold "%PDF-" by chance (found by fuzzing strip_flac).
    let mut flac = b"fLaC\x80\0\0\x22".to_vec();
    flac.extend_from_slice(&[0x10, 0, 0x10, 0, 0, 0, 0, 0, 0, 0, 0x0A, 0xC4, 0x42, 0xF0]);
    flac.extend_from_slice(&[0; 20]);
    flac.extend_from_slice(b"\xFF\xF8audio %PDF- by chance");
    assert_eq!(detect(&flac), Kind::Flac);
    let mut mp4 = b"\0\0\0\x18ftypisom\0\0\0\0isommp41".to_vec();
    mp4.extend_from_slice(b"\0\0\0\x10mdat%PDF-1.4 ");
    assert_eq!(detect(&mp4), Kind::Mp4);
    assert_eq!(detect(b"ID3\x04\0\0\0\0\0\0"), Kind::Mp3);
    assert_eq!(detect(b"\xFF\xFB\x90\x64\0\0"), Kind::Mp3);
    assert_eq!(detect(b"\0\0\0\x18ftypisom\0\0\0\0isommp41"), Kind::Mp4);
    assert_eq!(detect(b"\x1A\x45\xDF\xA3\x87\x42\x82\x84webm"), Kind::Webm);
    assert_eq!(
        detect(b"\x1A\x45\xDF\xA3\x8B\x42\x82\x88matroska"),
        Kind::Matroska
    );
    assert_eq!(detect(b"\x1A\x45\xDF\xA3\x87\x42\x82\x84abcd"), Kind::Other);
    assert_eq!(detect(b"OggS\0\x02"), Kind::Ogg);
    assert_eq!(detect(b"fLaC\0\0\0\x22"), Kind::Flac);
    assert_eq!(detect(b"ID3\x03\0\0\0\0\0\x02\0\0fLaC"), Kind::Flac);
    assert_eq!(detect(b"ID3\x03\0\0\0\0\0\x02\0\0\xFF\xFB"), Kind::Mp3);
    assert_eq!(detect(b"\0\0\0\x18ftypheic\0\0\0\0mif1heic"), Kind::Heif);
    assert_eq!(detect(b"\0\0\0\x18ftypmif1\0\0\0\0mif1avif"), Kind::Avif);
    assert_eq!(detect(b"\0\0\0\x14ftypavis\0\0\0\0avis"), Kind::Avif);
    assert_eq!(detect(b""), Kind::Other);
    assert_eq!(detect(b"hello world"), Kind::Other);
    assert_eq!(detect(b"P6\n2 1\n255\n"), Kind::Netpbm);
    assert_eq!(detect(b"P3 # x\n1 1\n"), Kind::Netpbm);
    assert_eq!(detect(b"P3 notes from the meeting"), Kind::Other);
    assert_eq!(
        detect(b"<?xml version='1.0'?>\n<svg xmlns='x'/>"),
        Kind::Svg
    );
    assert_eq!(detect(b"<!DOCTYPE html><html><svg/></html>"), Kind::Other);
    assert_eq!(detect(b"Plain text"), Kind::Other);
}

#[test]
fn removed_display_is_lowercase_word() {
    for r in [
        Removed::Location,
        Removed::Camera,
        Removed::Author,
        Removed::Software,
        Removed::Dates,
        Removed::Comments,
        Removed::Thumbnail,
        Removed::DocumentIds,
        Removed::Other,
    ] {
        let s = r.to_string();
        assert!(!s.is_empty());
        assert!(s.chars().all(|c| c.is_ascii_lowercase()));
    }
}

#[test]
fn other_is_copied_unchanged() {
    let data = b"just some bytes \x00\x01";
    let mut out = Vec::new();
    let res = strip(Kind::Other, &mut &data[..], &mut out, &Limits::default());
    assert!(matches!(res, Ok(Outcome::NotCleanable)));
    assert_eq!(out, data);
}

#[test]
fn in_memory_limit_is_enforced() {
    let data = vec![0u8; 1000];
    let limits = Limits {
        max_in_memory: 100,
        ..Limits::default()
    };
    let mut out = Vec::new();
    let res = strip(Kind::Pdf, &mut &data[..], &mut out, &limits);
    assert!(matches!(res, Err(SanitizeError::TooLarge { limit: 100 })));
}

#[test]
fn found_outcomes() {
    let f = Found::default();
    assert_eq!(f.outcome(), Outcome::KeptOriginal);
    let f = Found {
        changed: true,
        ..Found::default()
    };
    assert_eq!(f.outcome(), Outcome::NothingFound);
    let mut f = Found::default();
    f.add(Removed::Other);
    f.add(Removed::Location);
    f.add(Removed::Other);
    assert_eq!(
        f.outcome(),
        Outcome::Cleaned {
            removed: vec![Removed::Location, Removed::Other]
        }
    );
}

/// How docs/stripping.md's table of every supported type and SECURITY.md
/// name a kind. The match has no wildcard: a new kind does not compile
/// until it is named here, and the test below then wants it documented.
fn documented_as(kind: Kind) -> &'static str {
    match kind {
        Kind::Jpeg => "JPEG",
        Kind::Png => "PNG",
        Kind::Webp => "WebP",
        Kind::Gif => "GIF",
        Kind::Tiff => "TIFF",
        Kind::Pdf => "PDF",
        Kind::Ooxml => "DOCX",
        Kind::Odf => "ODT",
        Kind::Zip => "zip archive",
        Kind::Mp3 => "MP3",
        Kind::Mp4 => "MP4",
        Kind::Webm => "WebM",
        Kind::Matroska => "Matroska",
        Kind::Svg => "SVG",
        Kind::Netpbm => "PPM",
        Kind::Epub => "EPUB",
        Kind::Ogg => "Ogg",
        Kind::Flac => "FLAC",
        Kind::Heif => "HEIC",
        Kind::Avif => "AVIF",
        Kind::Wav => "WAV",
        Kind::Aiff => "AIFF",
        Kind::Avi => "AVI",
        Kind::Other => "plain text",
    }
}

#[test]
fn every_kind_is_in_the_docs_table_and_in_security_md() {
    use Kind::*;
    let all = [
        Jpeg, Png, Webp, Gif, Tiff, Pdf, Ooxml, Odf, Zip, Mp3, Mp4, Webm, Matroska, Svg, Netpbm,
        Epub, Ogg, Flac, Heif, Avif, Wav, Aiff, Avi, Other,
    ];
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let docs = std::fs::read_to_string(root.join("docs/stripping.md")).unwrap();
    let table: Vec<&str> = docs
        .split("## Every supported type")
        .nth(1)
        .unwrap()
        .split("\n## ")
        .next()
        .unwrap()
        .lines()
        .filter(|l| l.starts_with("| "))
        .map(|l| l.split(" | ").next().unwrap())
        .collect();
    let security = std::fs::read_to_string(root.join("SECURITY.md")).unwrap();
    let attachments = security
        .split("- **Attachments**")
        .nth(1)
        .unwrap()
        .split("\n- **")
        .next()
        .unwrap()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase();
    for kind in all {
        let name = documented_as(kind);
        assert!(
            table.iter().any(|row| row.contains(name)),
            "docs/stripping.md's table has no row for {name}"
        );
        assert!(
            attachments.contains(&name.to_lowercase()),
            "SECURITY.md's attachments paragraph does not name {name}"
        );
    }
}
