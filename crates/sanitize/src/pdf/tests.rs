//! Unit tests of the PDF stripper: the metadata fixture, real documents,
//! actions and attachments, damaged files.

use std::io::Write;

use lopdf::{Dictionary, Document, LoadOptions, Object, StringFormat};

use super::clean::{Active, clean_dict, is_action, is_attachment_annot, is_name, is_safe_action};
use crate::{Found, Kind, Limits, Outcome, Removed, SanitizeError};

use crate::tests_util::*;
use lopdf::{Stream, dictionary};

/// A one-page PDF with Info, XMP, /ID, an annotation author and an
/// embedded JPEG with GPS EXIF, then an incremental update adding a new
/// Info dictionary.
pub(crate) fn fixture() -> Vec<u8> {
    let mut doc = Document::with_version("1.5");
    let pages_id = doc.new_object_id();
    let jpeg = crate::jpeg::tests::fixture(crate::jpeg::tests::TINY, 6);
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
    let catalog_id = doc
        .add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id, "Metadata" => xmp_id });
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
    crate::jpeg::tests::assert_jpeg_structure(&img);
    // Second pass finds nothing.
    let (res2, _) = run(Kind::Pdf, &out);
    assert_eq!(res2.unwrap(), Outcome::NothingFound);
}

/// zlib (FlateDecode) of `n` zero bytes, made in 1 MiB steps.
pub(crate) fn zlib_zeros(n: u64) -> Vec<u8> {
    let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
    let chunk = vec![0u8; 1 << 20];
    let mut left = n;
    while left > 0 {
        let k = left.min(chunk.len() as u64) as usize;
        z.write_all(&chunk[..k]).unwrap();
        left -= k as u64;
    }
    z.finish().unwrap()
}

pub(crate) fn zlib(data: &[u8]) -> Vec<u8> {
    let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
    z.write_all(data).unwrap();
    z.finish().unwrap()
}

/// A one-page document with `extra` streams added as unreferenced objects
/// (lopdf decodes every object stream it reads, referenced or not).
/// Written by hand: lopdf's writer leaves object streams out.
pub(crate) fn with_streams(extra: Vec<(String, Vec<u8>)>) -> Vec<u8> {
    let mut bodies: Vec<Vec<u8>> = vec![
        b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec(),
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>".to_vec(),
    ];
    for (dict, content) in extra {
        let mut b = format!("<< {dict} /Length {} >>", content.len()).into_bytes();
        b.extend_from_slice(b"\nstream\n");
        b.extend_from_slice(&content);
        b.extend_from_slice(b"\nendstream");
        bodies.push(b);
    }
    let mut out = b"%PDF-1.5\n%\xE2\xE3\xCF\xD3\n".to_vec();
    let mut offsets = Vec::new();
    for (i, b) in bodies.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n", i + 1).as_bytes());
        out.extend_from_slice(b);
        out.extend_from_slice(b"\nendobj\n");
    }
    let xref = out.len();
    out.extend_from_slice(
        format!("xref\n0 {}\n0000000000 65535 f \n", bodies.len() + 1).as_bytes(),
    );
    for o in offsets {
        out.extend_from_slice(format!("{o:010} 00000 n \n").as_bytes());
    }
    out.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            bodies.len() + 1
        )
        .as_bytes(),
    );
    out
}

/// An object stream whose content is `layers` nested FlateDecode layers
/// over `n` zero bytes: a few KB that decode to `n` bytes.
pub(crate) fn obj_stm_bomb(n: u64, layers: usize) -> (String, Vec<u8>) {
    let mut content = zlib_zeros(n);
    for _ in 1..layers {
        content = zlib(&content);
    }
    let filters = " /FlateDecode".repeat(layers);
    (
        format!("/Type /ObjStm /N 1 /First 4 /Filter [{filters} ]"),
        content,
    )
}

fn limits(pdf_max_decoded: u64) -> Limits {
    Limits {
        pdf_max_decoded,
        ..Limits::default()
    }
}

fn strip_with(data: &[u8], limits: &Limits) -> (Result<Outcome, SanitizeError>, Vec<u8>) {
    let mut out = Vec::new();
    let res = crate::strip(Kind::Pdf, &mut &data[..], &mut out, limits);
    (res, out)
}

/// A page whose catalog, page, annotations, form field and outline carry
/// every kind of action and attachment a reader may run or fetch.
pub(crate) fn beacons() -> Vec<u8> {
    let url = |what: &str| Object::string_literal(format!("http://canary.example/{what}"));
    let uri = |what: &str| dictionary! { "S" => "URI", "URI" => url(what) };
    let rect = || vec![0.into(), 0.into(), 10.into(), 10.into()];
    let mut doc = Document::with_version("1.7");
    let pages_id = doc.new_object_id();
    let page_id = doc.new_object_id();
    let gotor = doc.add_object(dictionary! {
            "Type" => "Action", "S" => "GoToR", "F" => url("gotor"), "D" => vec![0.into(), "Fit".into()],
        });
    let submit = doc.add_object(dictionary! {
        "S" => "SubmitForm", "F" => dictionary! { "FS" => "URL", "F" => url("submit") },
    });
    let links: Vec<Object> = vec![
            // Direct URI action.
            doc.add_object(dictionary! {
                "Type" => "Annot", "Subtype" => "Link", "Rect" => rect(), "A" => uri("link"),
            })
            .into(),
            // Indirect GoToR action.
            doc.add_object(dictionary! {
                "Type" => "Annot", "Subtype" => "Link", "Rect" => rect(), "A" => gotor,
            })
            .into(),
            // A jump inside the document, chained to a form submission.
            doc.add_object(dictionary! {
                "Type" => "Annot", "Subtype" => "Link", "Rect" => rect(),
                "A" => dictionary! { "S" => "GoTo", "D" => vec![page_id.into(), "Fit".into()], "Next" => submit },
            })
            .into(),
        ];
    let ef = doc.add_object(Stream::new(
        dictionary! { "Type" => "EmbeddedFile" },
        b"CANARY-EMBEDDED http://canary.example/embedded".to_vec(),
    ));
    let filespec = || dictionary! { "Type" => "Filespec", "F" => "evil.pdf", "EF" => dictionary! { "F" => ef } };
    let attach = doc.add_object(dictionary! {
        "Type" => "Annot", "Subtype" => "FileAttachment", "Rect" => rect(), "FS" => filespec(),
    });
    let field = doc.add_object(dictionary! {
            "Type" => "Annot", "Subtype" => "Widget", "FT" => "Btn", "T" => Object::string_literal("send"),
            "Rect" => rect(), "P" => page_id,
            "A" => dictionary! { "S" => "ImportData", "F" => url("import") },
            "AA" => dictionary! { "K" => dictionary! { "S" => "JavaScript", "JS" => Object::string_literal("app.launchURL('http://canary.example/key')") } },
        });
    let mut annots = links.clone();
    annots.push(attach.into());
    annots.push(field.into());
    let annots_id = doc.add_object(annots);
    let thumb = doc.add_object(Stream::new(
            dictionary! { "Width" => 1, "Height" => 1, "ColorSpace" => "DeviceGray", "BitsPerComponent" => 8 },
            b"\x00".to_vec(),
        ));
    doc.objects.insert(
        page_id,
        Object::Dictionary(dictionary! {
            "Type" => "Page", "Parent" => pages_id,
            "MediaBox" => vec![0.into(), 0.into(), 200.into(), 200.into()],
            "Annots" => annots_id, "Thumb" => thumb,
            "LastModified" => Object::string_literal("D:20240501CANARY"),
            "AA" => dictionary! { "O" => dictionary! { "S" => "Launch", "F" => url("launch") } },
        }),
    );
    doc.objects.insert(
        pages_id,
        Object::Dictionary(
            dictionary! { "Type" => "Pages", "Kids" => vec![page_id.into()], "Count" => 1 },
        ),
    );
    let js = doc.add_object(dictionary! {
            "S" => "JavaScript", "JS" => Object::string_literal("app.launchURL('http://canary.example/js')"),
        });
    let names = doc.add_object(dictionary! {
            "JavaScript" => dictionary! { "Names" => vec![Object::string_literal("a"), js.into()] },
            "EmbeddedFiles" => dictionary! { "Names" => vec![Object::string_literal("evil.pdf"), filespec().into()] },
        });
    let xfa = doc.add_object(Stream::new(
        dictionary! {},
        b"<xdp:xdp><submit target=\"http://canary.example/xfa\"/></xdp:xdp>".to_vec(),
    ));
    let outlines_id = doc.new_object_id();
    let second = doc.add_object(dictionary! {
        "Title" => Object::string_literal("Two"), "Parent" => outlines_id,
        "A" => dictionary! { "S" => "GoToE", "F" => url("gotoe") },
    });
    let first = doc.add_object(dictionary! {
        "Title" => Object::string_literal("One"), "Parent" => outlines_id, "Next" => second,
        "Dest" => vec![page_id.into(), "Fit".into()],
    });
    doc.objects.insert(
        outlines_id,
        Object::Dictionary(
            dictionary! { "Type" => "Outlines", "First" => first, "Last" => second, "Count" => 2 },
        ),
    );
    let catalog_id = doc.add_object(dictionary! {
            "Type" => "Catalog", "Pages" => pages_id, "Names" => names, "Outlines" => outlines_id,
            "OpenAction" => dictionary! { "S" => "JavaScript", "JS" => Object::string_literal("app.launchURL('http://canary.example/open')") },
            "AA" => dictionary! { "WC" => uri("aa") },
            "URI" => dictionary! { "Base" => url("base") },
            "AcroForm" => dictionary! { "Fields" => vec![field.into()], "XFA" => xfa },
            "AF" => vec![filespec().into()],
            "LastModified" => Object::string_literal("D:20240501CANARY"),
        });
    doc.trailer.set("Root", catalog_id);
    let mut out = Vec::new();
    doc.save_to(&mut out).unwrap();
    out
}

/// Every dictionary in `doc`, direct or indirect.
fn all_dicts(doc: &Document) -> Vec<&Dictionary> {
    fn walk<'a>(o: &'a Object, out: &mut Vec<&'a Dictionary>) {
        match o {
            Object::Dictionary(d) => {
                out.push(d);
                d.iter().for_each(|(_, v)| walk(v, out));
            }
            Object::Stream(s) => {
                out.push(&s.dict);
                s.dict.iter().for_each(|(_, v)| walk(v, out));
            }
            Object::Array(a) => a.iter().for_each(|v| walk(v, out)),
            _ => {}
        }
    }
    let mut out = Vec::new();
    doc.objects.values().for_each(|o| walk(o, &mut out));
    out
}

#[test]
fn actions_scripts_and_attachments_are_removed() {
    let input = beacons();
    assert!(contains(&input, b"canary.example/open"));
    let (res, out) = run(Kind::Pdf, &input);
    let Outcome::Cleaned { removed } = res.unwrap() else {
        panic!()
    };
    for cat in [Removed::Other, Removed::Thumbnail, Removed::Dates] {
        assert!(removed.contains(&cat), "{cat}");
    }
    assert!(!contains(&out, b"canary.example"), "a beacon survived");
    assert!(!contains(&out, b"CANARY"));
    let doc = Document::load_mem(&out).unwrap();
    for d in all_dicts(&doc) {
        for key in [
            &b"OpenAction"[..],
            b"AA",
            b"JS",
            b"JavaScript",
            b"EmbeddedFiles",
            b"EF",
            b"AF",
            b"URI",
            b"XFA",
            b"Thumb",
            b"LastModified",
        ] {
            assert!(!d.has(key), "{} in {d:?}", String::from_utf8_lossy(key));
        }
        if is_action(d) {
            assert!(is_safe_action(d) && !d.has(b"Next"), "{d:?}");
        }
        assert!(!is_attachment_annot(d), "{d:?}");
        assert!(!is_name(d.get(b"Type").ok(), b"EmbeddedFile"));
    }
    // The page keeps its links (without their actions but the jump
    // inside the document), its form field and the outline.
    let page = doc.get_pages()[&1];
    let annots = doc
        .get_dictionary(page)
        .unwrap()
        .get_deref(b"Annots", &doc)
        .unwrap()
        .as_array()
        .unwrap()
        .clone();
    let annots: Vec<&Dictionary> = annots
        .iter()
        .map(|a| doc.get_dictionary(a.as_reference().unwrap()).unwrap())
        .collect();
    let links: Vec<_> = annots
        .iter()
        .filter(|a| is_name(a.get(b"Subtype").ok(), b"Link"))
        .collect();
    assert_eq!(links.len(), 3);
    assert_eq!(links.iter().filter(|l| l.has(b"A")).count(), 1);
    assert_eq!(annots.len(), 4, "the attachment annotation is gone");
    let outlines = doc.catalog().unwrap().get_deref(b"Outlines", &doc).unwrap();
    let first = outlines
        .as_dict()
        .unwrap()
        .get_deref(b"First", &doc)
        .unwrap();
    assert!(
        first.as_dict().unwrap().has(b"Next"),
        "outline sibling kept"
    );
    // Nothing left to remove on a second pass.
    let (res2, _) = run(Kind::Pdf, &out);
    assert_eq!(res2.unwrap(), Outcome::NothingFound);
}

#[test]
fn structure_and_transparency_keep_their_s() {
    // /S also names structure types, transparency groups and soft masks.
    let group = dictionary! { "S" => "Transparency", "CS" => "DeviceRGB" };
    let elem = dictionary! { "Type" => "StructElem", "S" => "Link" };
    for d in [&group, &elem] {
        assert!(!is_action(d), "{d:?}");
    }
    let mut d = dictionary! { "Group" => group.clone(), "K" => elem.clone() };
    let mut found = Found::default();
    clean_dict(&mut d, &Active::default(), &mut found, 0).unwrap();
    assert_eq!(d.get(b"Group").unwrap().as_dict().unwrap(), &group);
    assert_eq!(d.get(b"K").unwrap().as_dict().unwrap(), &elem);
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

mod bounds;
