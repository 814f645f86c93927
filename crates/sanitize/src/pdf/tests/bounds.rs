//! Unit tests of the decode and value budgets and of the plain-object scan.

use super::*;
use crate::pdf::budget::{count_tokens, count_values, object_stream_values};
use crate::pdf::load::scan_plain;

#[test]
fn object_stream_bomb_is_refused_at_the_budget() {
    // 64 MiB of zeros behind two Flate layers: under 1 KB in the file.
    let input = with_streams(vec![obj_stm_bomb(64 << 20, 2)]);
    assert!(input.len() < 4096, "{}", input.len());
    let (res, out) = strip_with(&input, &limits(1 << 20));
    assert!(
        matches!(res, Err(SanitizeError::TooLarge { limit }) if limit == 1 << 20),
        "{res:?}"
    );
    assert!(out.is_empty());
    // The same bomb on the default budget is refused too.
    let (res, _) = strip_with(&input, &Limits::default());
    assert!(
        matches!(res, Err(SanitizeError::TooLarge { .. })),
        "{res:?}"
    );
}

#[test]
fn decompression_budget_is_shared_across_streams() {
    // Each stream alone fits in 1 MiB; the three together do not.
    let one = with_streams(vec![obj_stm_bomb(600 << 10, 2)]);
    let (res, _) = strip_with(&one, &limits(1 << 20));
    assert!(res.is_ok(), "{res:?}");
    let three = with_streams((0..3).map(|_| obj_stm_bomb(600 << 10, 2)).collect());
    let (res, out) = strip_with(&three, &limits(1 << 20));
    assert!(
        matches!(res, Err(SanitizeError::TooLarge { limit }) if limit == 1 << 20),
        "{res:?}"
    );
    assert!(out.is_empty());
}

#[test]
fn object_streams_within_the_budget_are_read_and_cleaned() {
    // The fixture's first revision saved with object streams (and a
    // cross-reference stream), all Flate-compressed.
    let doc = Document::load_mem(&fixture()).unwrap();
    let mut doc = doc;
    let mut input = Vec::new();
    doc.save_with_options(
        &mut input,
        lopdf::SaveOptions::builder()
            .use_object_streams(true)
            .use_xref_streams(true)
            .compression_level(6)
            .build(),
    )
    .unwrap();
    assert!(contains(&input, b"/ObjStm"));
    // The page tree lives inside an object stream.
    assert!(!contains(&input, b"/Kids"));
    let (res, out) = strip_with(&input, &limits(1 << 20));
    let Outcome::Cleaned { removed } = res.unwrap() else {
        panic!()
    };
    assert!(removed.contains(&Removed::Author), "{removed:?}");
    let clean = Document::load_mem(&out).unwrap();
    assert_eq!(clean.get_pages().len(), 1);
    assert!(!clean.trailer.has(b"Info"));
    assert!(!contains(&out, b"Jane Canary"));
    // Too small a budget for its object streams: refused, not half-read.
    let (res, _) = strip_with(&input, &limits(16));
    assert!(
        matches!(res, Err(SanitizeError::TooLarge { .. })),
        "{res:?}"
    );
}

#[test]
fn values_are_bounded_before_object_streams_are_parsed() {
    // 20,000 members declared in one object stream, all at one offset
    // (about 200 KB of text, well within the byte budget).
    let mut index = String::new();
    for i in 0..20_000 {
        index.push_str(&format!("{} 0 ", i + 10));
    }
    let first = index.len();
    index.push_str("<< /A [1 2 3] >>");
    let objstm = (
        format!("/Type /ObjStm /N 20000 /First {first} /Filter /FlateDecode"),
        zlib(index.as_bytes()),
    );
    let input = with_streams(vec![objstm]);
    let small = Limits {
        pdf_max_values: 10_000,
        ..Limits::default()
    };
    let (res, out) = strip_with(&input, &small);
    assert!(
        matches!(res, Err(SanitizeError::TooLarge { .. })),
        "{res:?}"
    );
    assert!(out.is_empty());
    let (res, _) = strip_with(&input, &Limits::default());
    assert!(res.is_ok(), "{res:?}");

    // One member: an array of 600,000 zeros (1.2 MB of text).
    let mut content = b"10 0 [".to_vec();
    content.extend(b"0 ".repeat(600_000));
    content.push(b']');
    let objstm = (
        "/Type /ObjStm /N 1 /First 5 /Filter /FlateDecode".to_string(),
        zlib(&content),
    );
    let (res, out) = strip_with(&with_streams(vec![objstm]), &Limits::default());
    assert!(
        matches!(res, Err(SanitizeError::TooLarge { .. })),
        "{res:?}"
    );
    assert!(out.is_empty());

    // Objects read from the file count too: 2,000 streams of 3 values
    // each against a limit of 1,000.
    let many: Vec<_> = (0..2000)
        .map(|_| ("/Type /Junk".to_string(), b"x".to_vec()))
        .collect();
    let input = with_streams(many);
    let small = Limits {
        pdf_max_values: 1000,
        ..Limits::default()
    };
    let (res, _) = strip_with(&input, &small);
    assert!(
        matches!(res, Err(SanitizeError::TooLarge { .. })),
        "{res:?}"
    );
    let (res, _) = strip_with(&input, &Limits::default());
    assert!(res.is_ok(), "{res:?}");
}

#[test]
fn value_counts() {
    // <<, A, [, 1, 2, 3, B, (, x, y
    assert_eq!(count_tokens(b"<< /A [1 2 3] /B (x y) >>"), 10);
    assert_eq!(count_tokens(b"  "), 0);
    // NUL separates values, and every `/` is a name, empty or not.
    assert_eq!(count_tokens(b"0\x000\x000"), 3);
    assert_eq!(count_tokens(b"[////]"), 5);
    let o = Object::Array(vec![1.into(), Object::Dictionary(dictionary! { "A" => 2 })]);
    assert_eq!(count_values(&o), 4);
    let d = dictionary! { "First" => 8 };
    // Increasing offsets: members plus values.
    assert_eq!(object_stream_values(&d, b"1 0 2 2 0 0 0 0"), 2 + 4);
    // Shared offsets: every member charged all the values.
    assert_eq!(object_stream_values(&d, b"1 0 2 0 [0 0 0]"), 2 * 4);
}

/// `pdf` with an incremental update adding `object` as object 5 and a
/// trailer with `trailer_extra` entries, offsets correct.
fn appended(mut pdf: Vec<u8>, object: &[u8], trailer_extra: &[u8]) -> Vec<u8> {
    let p = pdf.windows(9).rposition(|w| w == b"startxref").unwrap();
    let prev: String = std::str::from_utf8(&pdf[p + 9..])
        .unwrap()
        .split_whitespace()
        .next()
        .unwrap()
        .to_string();
    let obj_at = pdf.len();
    pdf.extend_from_slice(b"5 0 obj\n");
    pdf.extend_from_slice(object);
    pdf.extend_from_slice(b"\nendobj\n");
    let xref = pdf.len();
    pdf.extend_from_slice(
        format!("xref\n5 1\n{obj_at:010} 00000 n \ntrailer\n<< /Size 6 /Root 1 0 R /Prev {prev} ")
            .as_bytes(),
    );
    pdf.extend_from_slice(trailer_extra);
    pdf.extend_from_slice(format!(" >>\nstartxref\n{xref}\n%%EOF\n").as_bytes());
    pdf
}

/// `n` zeros between brackets: about two bytes of file per value.
fn zeros(n: usize) -> Vec<u8> {
    let mut a = b"[".to_vec();
    a.extend(b"0 ".repeat(n));
    a.push(b']');
    a
}

#[test]
fn plain_objects_are_bounded_before_parsing() {
    let base = with_streams(Vec::new());
    // Five million zeros written plainly (9.5 MiB): refused by the scan
    // of the raw bytes, before lopdf parses a value.
    let raw = appended(base.clone(), &zeros(5_000_000), b"");
    let scan = scan_plain(&raw, Limits::default().pdf_max_values);
    assert!(scan.values > Limits::default().pdf_max_values, "{scan:?}");
    let (res, out) = strip_with(&raw, &Limits::default());
    assert!(
        matches!(res, Err(SanitizeError::TooLarge { .. })),
        "{res:?}"
    );
    assert!(out.is_empty());

    // lopdf parses the trailer without the load filter: 600,000 values
    // there were never counted, and the file was cleaned.
    let trailer = appended(
        base.clone(),
        b"null",
        &[b"/Junk ", &zeros(600_000)[..]].concat(),
    );
    let (res, out) = strip_with(&trailer, &Limits::default());
    assert!(
        matches!(res, Err(SanitizeError::TooLarge { .. })),
        "{res:?}"
    );
    assert!(out.is_empty());

    // The limit is the configured one, and counts what is plain text.
    let small = appended(base, &zeros(20_000), b"");
    let (res, _) = strip_with(&small, &Limits::default());
    assert!(res.is_ok(), "{res:?}");
    let tight = Limits {
        pdf_max_values: 10_000,
        ..Limits::default()
    };
    let (res, _) = strip_with(&small, &tight);
    assert!(
        matches!(res, Err(SanitizeError::TooLarge { .. })),
        "{res:?}"
    );
}

#[test]
fn stream_data_is_skipped_only_where_no_parse_can_read_it() {
    const N: usize = 100_000;
    let body = zeros(N);
    let count = |before: &[u8], after: &[u8]| {
        let text = [before, &body[..], after].concat();
        scan_plain(&text, u64::MAX).values
    };
    let skipped = |v: u64| v < 100;
    let counted = |v: u64| v > N as u64;
    // A stream's data is skipped, even with a word holding `obj`.
    assert!(skipped(count(
        b"1 0 obj\n<< /Length 9 >>\nstream\n",
        b"\nendstream\nendobj\n"
    )));
    assert!(skipped(count(
        b"1 0 obj\n<< >>\nstream\n(an object, objects) Tj ",
        b"\nendstream\nendobj\n"
    )));
    // Counted wherever a parse could read values after `stream`:
    for before in [
        // `stream` inside a literal string, which ends in the data;
        &b"1 0 obj\n[(stream) "[..],
        b"1 0 obj\n[(a\\) stream) ",
        b"1 0 obj\n[(a (b) stream) ",
        b"1 0 obj\n[(a (b stream) ",
        // after a comment on its line;
        b"1 0 obj\n[ % stream\n ",
        b"1 0 obj\n[ %\nx % stream\n ",
        // a name, not the keyword;
        b"1 0 obj\n[/stream ",
        // an object header or a trailer inside the data;
        b"<< >>\nstream\n7 0 obj\n",
        b"<< >>\nstream\n7 0 %\nobj\n",
        b"<< >>\nstream\n7 0obj",
        b"<< >>\nstream\ntrailer\n<< /Junk ",
    ] {
        let v = count(before, b"\n]\nendstream\nendobj\n");
        assert!(counted(v), "{} {v}", String::from_utf8_lossy(before));
    }
    // Data without `endstream` is counted.
    assert!(counted(count(b"<< >>\nstream\n", b"")));
    // lopdf does read values there: the string case, loaded plainly.
    let object = [&b"[(stream) "[..], &body[1..], b"\nendstream"].concat();
    let pdf = appended(with_streams(Vec::new()), &object, b"");
    let doc = Document::load_mem(&pdf).unwrap();
    assert_eq!(
        doc.get_object((5, 0)).unwrap().as_array().unwrap().len(),
        N + 1
    );
    assert!(scan_plain(&pdf, u64::MAX).values > N as u64);
}

#[test]
fn scan_never_counts_fewer_values_than_lopdf_parses() {
    // Random objects `[ pieces 0 0 … 0 ] pieces endstream`: the pieces
    // change how the bytes are read, and 2,000 zeros wait where the
    // scan skips stream data when it may. Every object header gets a
    // cross-reference entry, so lopdf parses from each.
    const PIECES: [&[u8]; 12] = [
        b"(",
        b")",
        b"\\",
        b"stream\n",
        b"%",
        b"\n",
        b" ",
        b"/",
        b"0 ",
        b"endstream\n",
        b"<<>>",
        b"",
    ];
    let zeros = b"0 ".repeat(2000);
    let mut seed = 0x2545_f491_4f6c_dd1du64;
    let mut next = |n: usize| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        (seed % n as u64) as usize
    };
    let base = with_streams(Vec::new());
    let p = base.windows(9).rposition(|w| w == b"startxref").unwrap();
    let prev: String = std::str::from_utf8(&base[p + 9..])
        .unwrap()
        .split_whitespace()
        .next()
        .unwrap()
        .to_string();
    let mut reached = 0;
    for _ in 0..6000 {
        let mut pdf = base.clone();
        let mut entries = vec![pdf.len()];
        pdf.extend_from_slice(b"5 0 obj\n[");
        let (before, after) = (next(7), next(3));
        let mut piece = |pdf: &mut Vec<u8>, entries: &mut Vec<usize>| {
            if next(10) == 0 {
                pdf.push(b'\n');
                entries.push(pdf.len());
                pdf.extend_from_slice(format!("{} 0 obj [", entries.len() + 4).as_bytes());
            } else {
                pdf.extend_from_slice(PIECES[next(PIECES.len())]);
            }
        };
        for _ in 0..before {
            piece(&mut pdf, &mut entries);
        }
        pdf.extend_from_slice(&zeros);
        pdf.push(b']');
        for _ in 0..after {
            piece(&mut pdf, &mut entries);
        }
        pdf.extend_from_slice(b"\nendstream\nendobj\n");
        let xref = pdf.len();
        pdf.extend_from_slice(format!("xref\n5 {}\n", entries.len()).as_bytes());
        for at in &entries {
            pdf.extend_from_slice(format!("{at:010} 00000 n \n").as_bytes());
        }
        pdf.extend_from_slice(
            format!(
                "trailer\n<< /Size {} /Root 1 0 R /Prev {prev} >>\nstartxref\n{xref}\n%%EOF\n",
                entries.len() + 5
            )
            .as_bytes(),
        );
        let scan = scan_plain(&pdf, u64::MAX).values;
        for force_reconstruct in [false, true] {
            let options = LoadOptions {
                force_reconstruct,
                ..LoadOptions::default()
            };
            let Ok(doc) = Document::load_mem_with_options(&pdf, options) else {
                continue;
            };
            let most = doc.objects.values().map(count_values).max().unwrap_or(0);
            if most >= 2000 {
                reached += 1;
            }
            assert!(
                most <= scan,
                "{most} > {scan}: {}",
                String::from_utf8_lossy(&pdf[base.len()..]).replace(&"0 ".repeat(2000), "0 …")
            );
        }
    }
    // The zeros were read often enough for the check to mean something.
    assert!(reached > 1000, "{reached}");
}

#[test]
fn encrypt_names_are_found_before_parsing() {
    for name in [
        &b"/Encrypt 9 0 R"[..],
        b"/Encr#79pt 9 0 R",
        b"/#45ncrypt<<>>",
    ] {
        let pdf = appended(with_streams(Vec::new()), b"null", name);
        assert!(scan_plain(&pdf, u64::MAX).encrypt_name);
        let (res, _) = strip_with(&pdf, &Limits::default());
        match res {
            Err(SanitizeError::Malformed { detail, .. }) => {
                assert!(detail.contains("encrypted"), "{detail}")
            }
            other => panic!("{other:?}"),
        }
    }
    for name in [&b"/Encrypted"[..], b"/Encryp", b"/Encr#7"] {
        assert!(!scan_plain(name, u64::MAX).encrypt_name);
    }
}

#[test]
fn scan_stays_linear() {
    // Every `stream` keyword looks ahead for `endstream`, `obj` and
    // `trailer`; near misses of each everywhere, and no `endstream`.
    let unit = b"<< >>\nstream\nthe trailer, an obj, endobj\n";
    let text = unit.repeat(4_000_000 / unit.len());
    let started = std::time::Instant::now();
    let scan = scan_plain(&text, u64::MAX);
    assert!(scan.values > 500_000, "{scan:?}");
    assert!(
        started.elapsed() < std::time::Duration::from_secs(20),
        "{:?}",
        started.elapsed()
    );
}

/// A text-heavy document of `pages` pages, written by lopdf with plain
/// (uncompressed) content streams.
fn text_document(pages: usize) -> Vec<u8> {
    let mut doc = Document::with_version("1.5");
    let pages_id = doc.new_object_id();
    let font = doc.add_object(dictionary! {
        "Type" => "Font", "Subtype" => "Type1", "BaseFont" => "Helvetica",
    });
    let mut kids = Vec::new();
    for p in 0..pages {
        let mut text = String::from("BT /F1 9 Tf 40 800 Td 11 TL\n");
        for l in 0..70 {
            text.push_str(&format!(
                    "(Page {p} line {l}: an objective account of the trailer, stream and endobj words (nested) \\) escaped) Tj T*\n"
                ));
        }
        text.push_str("ET\n");
        let content = doc.add_object(Stream::new(dictionary! {}, text.into_bytes()));
        let page = doc.add_object(dictionary! {
            "Type" => "Page", "Parent" => pages_id, "Contents" => content,
            "MediaBox" => vec![0.into(), 0.into(), 595.into(), 842.into()],
            "Resources" => dictionary! { "Font" => dictionary! { "F1" => font } },
        });
        kids.push(page.into());
    }
    doc.objects.insert(
        pages_id,
        Object::Dictionary(
            dictionary! { "Type" => "Pages", "Count" => pages as i64, "Kids" => kids },
        ),
    );
    let catalog = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
    doc.trailer.set("Root", catalog);
    let info = doc.add_object(dictionary! { "Author" => Object::string_literal("Jane Canary") });
    doc.trailer.set("Info", info);
    let mut out = Vec::new();
    doc.save_to(&mut out).unwrap();
    out
}

#[test]
fn real_documents_still_clean() {
    let dir = tempfile::tempdir().unwrap();
    let original = dir.path().join("text.pdf");
    std::fs::write(&original, text_document(400)).unwrap();
    let mut files = vec![("lopdf".to_string(), std::fs::read(&original).unwrap())];
    for (label, args) in [
        ("qpdf qdf", &["--qdf", "--object-streams=disable"][..]),
        ("qpdf object streams", &["--object-streams=generate"]),
        ("qpdf linearized", &["--linearize"]),
        ("qpdf uncompressed", &["--stream-data=uncompress"]),
    ] {
        let out = dir.path().join("out.pdf");
        let status = std::process::Command::new("qpdf")
            .args(args)
            .arg(&original)
            .arg(&out)
            .status()
            .expect("qpdf is installed");
        assert!(status.success(), "{label}");
        files.push((label.to_string(), std::fs::read(&out).unwrap()));
    }
    for (label, pdf) in files {
        let scan = scan_plain(&pdf, u64::MAX);
        // Page text is stream data: skipped, however many words.
        assert!(scan.values < 50_000, "{label}: {}", scan.values);
        assert!(!scan.encrypt_name, "{label}");
        let (res, out) = strip_with(&pdf, &Limits::default());
        assert!(res.is_ok(), "{label}: {res:?}");
        let clean = Document::load_mem(&out).unwrap();
        assert_eq!(clean.get_pages().len(), 400, "{label}");
        assert!(!contains(&out, b"Jane Canary"), "{label}");
    }
}

#[test]
fn metadata_streams_are_dropped_without_decoding() {
    // An encoded XMP packet naming its author: dropped, but never decoded,
    // so it is reported as "other", not as "author".
    let xmp = (
        "/Type /Metadata /Subtype /XML /Filter /FlateDecode".to_string(),
        zlib(b"<x:xmpmeta><dc:creator>Jane Canary</dc:creator></x:xmpmeta>"),
    );
    // And a nested-Flate bomb posing as metadata (1 GiB once decoded).
    let bomb = (
        "/Type /Metadata /Subtype /XML /Filter [/FlateDecode /FlateDecode /FlateDecode]"
            .to_string(),
        zlib(&zlib(&zlib_zeros(1 << 30))),
    );
    let input = with_streams(vec![xmp, bomb]);
    let (res, out) = strip_with(&input, &limits(1 << 20));
    assert_eq!(
        res.unwrap(),
        Outcome::Cleaned {
            removed: vec![Removed::Other]
        }
    );
    let clean = Document::load_mem(&out).unwrap();
    assert!(
        !clean
            .objects
            .values()
            .any(|o| matches!(o, Object::Stream(_)))
    );
}
