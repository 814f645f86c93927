//! Unit tests of ODF cleaning.

use super::*;

#[test]
fn odt_is_cleaned() {
    let (res, out) = run(Kind::Odf, &odt_fixture());
    assert!(matches!(res.unwrap(), Outcome::Cleaned { .. }));
    let entries = read_zip(&out);
    assert_eq!(entries[0].0, "mimetype");
    assert_eq!(entries[0].2, CompressionMethod::Stored);
    // mimetype must be readable at offset 38 for magic-number detection.
    assert_eq!(&out[30..38], b"mimetype");
    assert_eq!(crate::detect(&out), Kind::Odf);
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
        ("Pictures/1.png", &crate::png::tests::fixture(), false),
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
