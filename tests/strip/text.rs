//! SVG, Netpbm and EPUB: fixtures laid out as their writers lay them out
//! (Inkscape, Illustrator, GIMP, Sigil/calibre), images made by ImageMagick,
//! judged by exiftool and mat2 and opened again by ImageMagick, netpbm and
//! unzip. exiftool cannot write SVG, so the SVG metadata is written as the
//! editors write it.

use std::io::Write;
use std::path::Path;

use amanat_sanitize::{Outcome, Removed};

use crate::judge::{self, Scratch, tool};

/// Inkscape 1.x "Inkscape SVG", with the beacons a spy source could add.
pub(crate) const INKSCAPE: &str = r##"<?xml version="1.0" encoding="UTF-8" standalone="no"?>
<!-- Created with Inkscape (http://www.inkscape.org/) -->

<svg
   width="40"
   height="20"
   viewBox="0 0 40 20"
   version="1.1"
   id="svg5"
   inkscape:version="1.2.2 (b0a8486541, 2022-12-01)"
   sodipodi:docname="checkpoint-jane-canary.svg"
   inkscape:export-filename="/home/jane.canary/Desktop/checkpoint.png"
   inkscape:export-xdpi="96"
   inkscape:export-ydpi="96"
   xmlns:inkscape="http://www.inkscape.org/namespaces/inkscape"
   xmlns:sodipodi="http://sodipodi.sourceforge.net/DTD/sodipodi-0.dtd"
   xmlns:xlink="http://www.w3.org/1999/xlink"
   xmlns="http://www.w3.org/2000/svg"
   xmlns:svg="http://www.w3.org/2000/svg"
   xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
   xmlns:cc="http://creativecommons.org/ns#"
   xmlns:dc="http://purl.org/dc/elements/1.1/">
  <title id="title1">Checkpoint by Jane Canary</title>
  <desc id="desc1">Drawn on Jane's laptop 2026-12-06 17:23</desc>
  <sodipodi:namedview
     id="namedview7"
     pagecolor="#ffffff"
     inkscape:zoom="4.2"
     inkscape:window-width="1920"
     inkscape:window-height="1011"
     inkscape:current-layer="layer1" />
  <defs id="defs2" />
  <metadata id="metadata5">
    <rdf:RDF>
      <cc:Work rdf:about="">
        <dc:creator><cc:Agent><dc:title>Jane Canary</dc:title></cc:Agent></dc:creator>
        <dc:publisher><cc:Agent><dc:title>Canary Rights Collective</dc:title></cc:Agent></dc:publisher>
        <dc:date>2026-12-06T17:23:00</dc:date>
        <cc:license rdf:resource="http://creativecommons.org/licenses/by/4.0/" />
      </cc:Work>
    </rdf:RDF>
  </metadata>
  <g inkscape:label="Layer 1" inkscape:groupmode="layer" id="layer1">
    <rect style="fill:#ff0000;stroke:none" id="rect1" width="20" height="20" x="0" y="0" />
    <rect style="fill:#0000ff" id="rect2" width="20" height="20" x="20" y="0" onclick="fetch('https://spy.example/c')" />
    <image xlink:href="https://spy.example/pixel.png?who=reviewer" width="1" height="1" />
  </g>
</svg>
"##;

/// Illustrator's "SVG 1.1" export: generator comment, DOCTYPE, XMP.
const ILLUSTRATOR: &str = r##"<?xml version="1.0" encoding="utf-8"?>
<!-- Generator: Adobe Illustrator 27.0.0, SVG Export Plug-In . SVG Version: 6.00 Build 0)  -->
<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">
<svg version="1.1" id="Layer_1" xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" x="0px" y="0px"
	 viewBox="0 0 40 20" style="enable-background:new 0 0 40 20;" xml:space="preserve">
<metadata><x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description rdf:about="" xmlns:xmp="http://ns.adobe.com/xap/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/"><xmp:CreatorTool>Adobe Illustrator 27.0 (Macintosh)</xmp:CreatorTool><xmp:CreateDate>2026-12-06T17:23:00+03:00</xmp:CreateDate><dc:creator><rdf:Seq><rdf:li>Jane Canary</rdf:li></rdf:Seq></dc:creator></rdf:Description></rdf:RDF></x:xmpmeta></metadata>
<style type="text/css">
	.st0{fill:#00FF00;}
	@import url("https://spy.example/font.css");
</style>
<rect x="0" y="0" class="st0" width="40" height="20"/>
</svg>
"##;

/// Render an SVG with ImageMagick and return the PNG's size line.
fn renders(svg: &Path) -> String {
    let png = svg.with_extension("png");
    tool("convert", &[svg.to_str().unwrap(), png.to_str().unwrap()]);
    tool("identify", &["-format", "%wx%h", png.to_str().unwrap()])
}

#[test]
fn svgs_from_inkscape_and_illustrator_come_out_clean_and_still_draw() {
    let dir = Scratch::new();
    for (name, svg) in [("inkscape.svg", INKSCAPE), ("illustrator.svg", ILLUSTRATOR)] {
        let dirty = dir.path(name);
        std::fs::write(&dirty, svg).unwrap();
        judge::assert_dirty(&dirty);
        let (cleaned, outcome) = judge::clean(&dirty);
        let Outcome::Cleaned { removed } = outcome else {
            panic!("{name}: {outcome:?}")
        };
        assert!(removed.contains(&Removed::Author), "{name}: {removed:?}");
        // mat2 lists the root element's attributes, all drawing geometry
        // here: the size (from width and height), its id (Inkscape numbers
        // elements, "svg5"; Illustrator names layers, "Layer_1"), its
        // position and Illustrator's rendering hint.
        judge::assert_clean(
            &cleaned,
            &[],
            &[
                "ImageSize: 40x20",
                "Megapixels: 0.0008",
                "ID: svg5",
                "ID: Layer_1",
                "TagX: 0px",
                "TagY: 0px",
                "Style: enable-background:new 0 0 40 20;",
            ],
        );
        let text = std::fs::read_to_string(&cleaned).unwrap();
        for gone in [
            "Jane",
            "spy.example",
            "Illustrator",
            "inkscape",
            "2026",
            "DOCTYPE",
        ] {
            assert!(!text.contains(gone), "{name}: {gone} survives:\n{text}");
        }
        assert_eq!(renders(&cleaned), "40x20", "{name}");
    }
}

#[test]
fn an_svg_that_declares_entities_or_embeds_images_is_refused() {
    let laughs = "<?xml version=\"1.0\"?>\n<!DOCTYPE svg [<!ENTITY lol \"lol\"><!ENTITY lol2 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">]>\n<svg xmlns=\"http://www.w3.org/2000/svg\"><text>&lol2;</text></svg>";
    let kind = amanat_sanitize::detect(laughs.as_bytes());
    assert_eq!(kind, amanat_sanitize::Kind::Svg);
    let res = amanat_sanitize::strip(
        kind,
        &mut laughs.as_bytes(),
        &mut Vec::new(),
        &amanat_sanitize::Limits::default(),
    );
    assert!(
        matches!(res, Err(amanat_sanitize::SanitizeError::Malformed { .. })),
        "{res:?}"
    );
    // A JPEG with EXIF embedded as a data: URI (Inkscape's "embed"): the
    // picture inside is not cleaned, so the file is refused, not passed.
    let dir = Scratch::new();
    let jpeg = dir.path("p.jpg");
    tool(
        "convert",
        &["-size", "4x4", "xc:red", jpeg.to_str().unwrap()],
    );
    tool(
        "exiftool",
        &[
            "-overwrite_original",
            "-Artist=Jane Canary",
            jpeg.to_str().unwrap(),
        ],
    );
    let b64 = tool("base64", &["-w0", jpeg.to_str().unwrap()]);
    let svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" xmlns:xlink=\"http://www.w3.org/1999/xlink\"><image width=\"4\" height=\"4\" xlink:href=\"data:image/jpeg;base64,{b64}\"/></svg>"
    );
    let kind = amanat_sanitize::detect(svg.as_bytes());
    assert_eq!(kind, amanat_sanitize::Kind::Svg);
    let res = amanat_sanitize::strip(
        kind,
        &mut svg.as_bytes(),
        &mut Vec::new(),
        &amanat_sanitize::Limits::default(),
    );
    assert!(
        matches!(res, Err(amanat_sanitize::SanitizeError::Unsupported { .. })),
        "{res:?}"
    );
}

/// Insert comment lines after the magic number, as GIMP writes them.
fn with_comments(image: &[u8], comments: &str) -> Vec<u8> {
    let mut v = image[..3].to_vec();
    v.extend_from_slice(comments.as_bytes());
    v.extend_from_slice(&image[3..]);
    v
}

#[test]
fn netpbm_images_lose_their_comments_and_still_decode() {
    let dir = Scratch::new();
    let comments = "# CREATOR: GIMP PNM Filter Version 1.1\n# Jane Canary, 2026-12-06 17:23, Canon EOS R6 serial 0123456789\n";
    for (name, args) in [
        ("plain.ppm", &["-compress", "none"][..]),
        (
            "plain.pgm",
            &["-colorspace", "gray", "-compress", "none"][..],
        ),
        ("raw.ppm", &[][..]),
        ("raw.pgm", &["-colorspace", "gray", "-depth", "16"][..]),
        ("raw.pbm", &["-monochrome"][..]),
    ] {
        let made = dir.path(&format!("made-{name}"));
        let mut cmd = vec!["-size", "9x3", "gradient:red-blue"];
        cmd.extend_from_slice(args);
        cmd.push(made.to_str().unwrap());
        tool("convert", &cmd);
        let image = std::fs::read(&made).unwrap();
        let dirty = dir.path(name);
        std::fs::write(&dirty, with_comments(&image, comments)).unwrap();
        judge::assert_dirty(&dirty);
        let (cleaned, outcome) = judge::clean(&dirty);
        assert_eq!(
            outcome,
            Outcome::Cleaned {
                removed: vec![Removed::Comments]
            },
            "{name}"
        );
        // mat2 reads only plain (ASCII) Netpbm files: it fails on a binary
        // raster whatever its header holds.
        if name.starts_with("plain") {
            judge::assert_clean(&cleaned, &[], &[]);
        } else {
            let found = judge::exiftool_findings(&cleaned, &[]);
            assert!(found.is_empty(), "{name}: {found:?}");
        }
        assert!(!String::from_utf8_lossy(&std::fs::read(&cleaned).unwrap()).contains('#'));
        // The raster is the one ImageMagick made: same pixels.
        let a = tool(
            "convert",
            &[made.to_str().unwrap(), "-depth", "16", "txt:-"],
        );
        let b = tool(
            "convert",
            &[cleaned.to_str().unwrap(), "-depth", "16", "txt:-"],
        );
        assert_eq!(a, b, "{name}");
        let info = tool("pamfile", &[cleaned.to_str().unwrap()]);
        assert!(info.contains("9 by 3"), "{name}: {info}");
    }
}

const CONTAINER: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:container">
  <rootfiles>
    <rootfile full-path="OEBPS/content.opf" media-type="application/oebps-package+xml"/>
  </rootfiles>
</container>"#;

/// An OPF as calibre writes it (EPUB 2 with opf: attributes).
const OPF: &str = r#"<?xml version="1.0" encoding="utf-8"?>
<package xmlns="http://www.idpf.org/2007/opf" unique-identifier="uuid_id" version="2.0">
  <metadata xmlns:calibre="http://calibre.kovidgoyal.net/2009/metadata" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" xmlns:opf="http://www.idpf.org/2007/opf">
    <dc:title>Testimony</dc:title>
    <dc:creator opf:file-as="Canary, Jane" opf:role="aut">Jane Canary</dc:creator>
    <dc:contributor opf:role="bkp">calibre (7.1.0) [https://calibre-ebook.com]</dc:contributor>
    <dc:date>2026-12-06T17:23:00+00:00</dc:date>
    <dc:publisher>Canary Rights Collective</dc:publisher>
    <dc:identifier id="uuid_id" opf:scheme="uuid">9f2c1e7a-4b1d-4c3e-9a8b-5d6e7f8a9b0c</dc:identifier>
    <dc:identifier opf:scheme="calibre">9f2c1e7a-4b1d-4c3e-9a8b-5d6e7f8a9b0c</dc:identifier>
    <dc:language>en</dc:language>
    <dc:rights>Jane Canary 2026</dc:rights>
    <meta name="calibre:timestamp" content="2026-12-06T17:23:00.123456+00:00"/>
    <meta name="calibre:title_sort" content="Testimony"/>
    <meta name="cover" content="cover"/>
  </metadata>
  <manifest>
    <item id="cover" href="cover.jpeg" media-type="image/jpeg"/>
    <item id="c1" href="c1.xhtml" media-type="application/xhtml+xml"/>
    <item id="css" href="style.css" media-type="text/css"/>
    <item id="ncx" href="toc.ncx" media-type="application/x-dtbncx+xml"/>
  </manifest>
  <spine toc="ncx"><itemref idref="c1"/></spine>
</package>"#;

const NCX: &str = r#"<?xml version="1.0" encoding="utf-8"?>
<ncx xmlns="http://www.daisy.org/z3986/2005/ncx/" version="2005-1" xml:lang="en">
  <head>
    <meta name="dtb:uid" content="9f2c1e7a-4b1d-4c3e-9a8b-5d6e7f8a9b0c"/>
    <meta name="dtb:depth" content="1"/>
    <meta name="dtb:generator" content="calibre (7.1.0)"/>
  </head>
  <docTitle><text>Testimony</text></docTitle>
  <docAuthor><text>Jane Canary</text></docAuthor>
  <navMap><navPoint id="n1" playOrder="1"><navLabel><text>One</text></navLabel><content src="c1.xhtml"/></navPoint></navMap>
</ncx>"#;

const XHTML: &str = r#"<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.1//EN" "http://www.w3.org/TR/xhtml11/DTD/xhtml11.dtd">
<html xmlns="http://www.w3.org/1999/xhtml">
<head>
  <title>One</title>
  <meta name="author" content="Jane Canary"/>
  <link rel="stylesheet" type="text/css" href="style.css"/>
  <link rel="stylesheet" type="text/css" href="https://spy.example/reader.css"/>
</head>
<body>
  <!-- first draft, Jane, 2026-12-06 17:23 -->
  <p>What happened at the checkpoint.</p>
  <p><img src="cover.jpeg" alt="photo"/><img src="https://spy.example/p.png" alt=""/></p>
</body>
</html>"#;

/// Kept on purpose in a cleaned EPUB: the title the EPUB specification
/// requires, which the book also shows on its first page (content, like a
/// document's heading), its language, the fixed identifier every cleaned
/// book carries; and mat2's headers naming the parts it read.
pub(crate) const EPUB_EXIF_ALLOWED: &[&str] = &["XML-dc:Title"];
pub(crate) const EPUB_MAT2_ALLOWED: &[&str] = &[
    "[++] Metadata for",
    "dc:title: Testimony",
    "dc:language: en",
    "urn:uuid:00000000-0000-4000-8000-000000000000",
];

/// Build an EPUB as writers lay it out: `mimetype` first and stored, then
/// the container, the package and the content, with real timestamps.
pub(crate) fn epub(cover: &[u8]) -> Vec<u8> {
    use zip::write::SimpleFileOptions;
    let mut zw = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let when = zip::DateTime::from_date_and_time(2026, 12, 6, 17, 23, 0).unwrap();
    let stored = SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Stored)
        .last_modified_time(when);
    let deflated = SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .last_modified_time(when);
    zw.start_file("mimetype", stored).unwrap();
    zw.write_all(b"application/epub+zip").unwrap();
    for (name, body) in [
        ("META-INF/container.xml", CONTAINER.as_bytes()),
        ("OEBPS/content.opf", OPF.as_bytes()),
        ("OEBPS/toc.ncx", NCX.as_bytes()),
        ("OEBPS/c1.xhtml", XHTML.as_bytes()),
        ("OEBPS/style.css", b"p { margin: 0 }\n".as_slice()),
        ("OEBPS/cover.jpeg", cover),
        (
            "META-INF/calibre_bookmarks.txt",
            b"Jane Canary read to page 3",
        ),
    ] {
        zw.start_file(name, deflated).unwrap();
        zw.write_all(body).unwrap();
    }
    zw.finish().unwrap().into_inner()
}

#[test]
fn an_epub_from_calibre_comes_out_clean_and_whole() {
    let dir = Scratch::new();
    let cover = dir.path("cover.jpeg");
    tool(
        "convert",
        &["-size", "8x8", "xc:green", cover.to_str().unwrap()],
    );
    tool(
        "exiftool",
        &[
            "-overwrite_original",
            "-Artist=Jane Canary",
            "-GPSLatitude=41.0",
            "-GPSLatitudeRef=N",
            cover.to_str().unwrap(),
        ],
    );
    let dirty = dir.path("book.epub");
    std::fs::write(&dirty, epub(&std::fs::read(&cover).unwrap())).unwrap();
    judge::assert_dirty(&dirty);
    let (cleaned, outcome) = judge::clean(&dirty);
    let Outcome::Cleaned { removed } = outcome else {
        panic!("{outcome:?}")
    };
    for c in [
        Removed::Author,
        Removed::Dates,
        Removed::DocumentIds,
        Removed::Location,
    ] {
        assert!(removed.contains(&c), "{c}: {removed:?}");
    }
    judge::assert_clean(&cleaned, EPUB_EXIF_ALLOWED, EPUB_MAT2_ALLOWED);
    // Every part, and the cover inside, read clean and whole.
    tool("unzip", &["-tq", cleaned.to_str().unwrap()]);
    let out = dir.path("out");
    tool(
        "unzip",
        &["-q", cleaned.to_str().unwrap(), "-d", out.to_str().unwrap()],
    );
    let listing = tool("unzip", &["-Z1", cleaned.to_str().unwrap()]);
    assert_eq!(listing.lines().next(), Some("mimetype"));
    assert!(!listing.contains("calibre_bookmarks"));
    judge::assert_clean(&out.join("OEBPS/cover.jpeg"), &[], &[]);
    assert_eq!(
        tool(
            "identify",
            &[
                "-format",
                "%wx%h",
                out.join("OEBPS/cover.jpeg").to_str().unwrap()
            ]
        ),
        "8x8"
    );
    let mut all = String::new();
    for part in [
        "META-INF/container.xml",
        "OEBPS/content.opf",
        "OEBPS/toc.ncx",
        "OEBPS/c1.xhtml",
    ] {
        all.push_str(&std::fs::read_to_string(out.join(part)).unwrap());
    }
    for gone in [
        "Jane",
        "Canary",
        "calibre (",
        "calibre:",
        "spy.example",
        "2026",
        "9f2c1e7a",
    ] {
        assert!(!all.contains(gone), "{gone} survives:\n{all}");
    }
    for kept in [
        "<dc:title>Testimony</dc:title>",
        "What happened at the checkpoint.",
        "src=\"cover.jpeg\"",
        "href=\"style.css\"",
        "<meta name=\"cover\" content=\"cover\"/>",
    ] {
        assert!(all.contains(kept), "{kept} lost");
    }
    // Entry times are the zip epoch, not the writer's clock.
    let verbose = tool("unzip", &["-Z", "-T", cleaned.to_str().unwrap()]);
    assert!(!verbose.contains("20261206"), "{verbose}");
}
