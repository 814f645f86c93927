//! Unit tests of OOXML cleaning.

use super::*;
use crate::zipdoc::parts::resolve_target;

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
    crate::jpeg::tests::assert_jpeg_structure(img);
    // Idempotent: nothing more to find the second time.
    let (res2, _) = run(Kind::Ooxml, &out);
    assert_eq!(res2.unwrap(), Outcome::NothingFound);
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
    let kind = crate::detect(&z[..4096]);
    assert_eq!(kind, Kind::Zip);
    let (res, out) = run(kind, &z);
    // Written with the content types first, as Word does.
    assert_eq!(crate::detect(&out), Kind::Ooxml);
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
fn properties_found_through_the_package_relationships_are_dropped() {
    // .NET System.IO.Packaging: core properties in a .psmdcp part, custom
    // and extended ones wherever the relationships say.
    let rels = r#"<?xml version="1.0" encoding="utf-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="/word/document.xml" Id="R1"/><Relationship Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="/package/services/metadata/core-properties/6d3a1b2c4e5f.psmdcp" Id="R2"/><Relationship Type="http://purl.oclc.org/ooxml/officeDocument/relationships/extendedProperties" Target="meta/app-props.xml" Id="R3"/><Relationship Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/custom-properties" Target="/meta/custom.xml" Id="R4"/><Relationship Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/thumbnail" Target="/pics/thumb.jpeg" Id="R5"/></Relationships>"#;
    let ct = r#"<?xml version="1.0" encoding="utf-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="psmdcp" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/><Override PartName="/meta/app-props.xml" ContentType="application/vnd.openxmlformats-officedocument.extended-properties+xml"/><Override PartName="/meta/custom.xml" ContentType="application/vnd.openxmlformats-officedocument.custom-properties+xml"/></Types>"#;
    let thumb = crate::jpeg::tests::fixture(crate::jpeg::tests::TINY, 1);
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
    let png = crate::png::tests::fixture();
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

#[test]
fn svg_images_in_office_documents_are_cleaned() {
    let svg = crate::svg::tests::INKSCAPE.as_bytes();
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
