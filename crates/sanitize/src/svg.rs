//! SVG stripping, and the beacon rules shared with EPUB content.
//!
//! An SVG is XML held in memory (bounded by [`Limits::max_in_memory`]) and
//! rewritten by the lossless tag rewriter of `xml.rs`: every byte not
//! changed is copied as it was. Removed:
//! * `<metadata>` (RDF, `dc:creator`, `cc:` licence, dates), `<title>` and
//!   `<desc>` (never drawn; editors put the document's name and the
//!   author's notes there), comments and processing instructions other than
//!   the XML declaration (`<?xml-stylesheet href=…?>` fetches);
//! * Inkscape and Sodipodi elements and attributes (`sodipodi:namedview`,
//!   `sodipodi:docname`, `inkscape:export-filename`, `export-xdpi`,
//!   `inkscape:version`, window geometry) and their namespace declarations;
//! * beacons, so that a reviewer's viewer fetches nothing: `<script>`,
//!   `<foreignObject>` (HTML inside SVG), XInclude, `on…` event
//!   attributes, every `href`/`xlink:href` that is not a fragment of the
//!   same file (`#id`) is emptied (remote and `file:` URLs, `//host`,
//!   relative paths that a viewer resolves against the disk), animations
//!   that set a reference, and CSS (`<style>`, `style=`, presentation
//!   attributes) that imports, escapes or points anywhere but `url(#id)`;
//! * the DOCTYPE: a DOCTYPE with an internal subset (entity declarations,
//!   "billion laughs") makes the file `Malformed`; one without is dropped
//!   (its DTD address is a fetch for a validating reader).
//!
//! Images embedded as `data:` URIs carry their own metadata (a JPEG's EXIF)
//! and are not rewritten here: such an SVG is [`SanitizeError::Unsupported`],
//! so that the source decides whether to send it as it is. Compressed SVG
//! (`.svgz`) and UTF-16 SVG are not recognised and pass as [`Kind::Other`].
//!
//! HTML, CSS and plain text are deliberately not cleaned (they stay
//! [`Kind::Other`], sent only when the source agrees, marked "not cleaned"):
//! plain text has no metadata apart from what its writer typed, which is the
//! report itself; HTML is not XML, and a rewriter of tag soup that missed one
//! of the many ways a browser fetches (`srcset`, `<meta refresh>`, `<base>`,
//! CSS escapes, parser quirks) would tell the reviewer a file is safe to open
//! when it is not. Reviewers are told to open such files offline
//! (docs/reviewers.md).

use super::xml::{self, Attr, AttrAction, Rules, XmlError, attr_value, local};
use super::{Found, Kind, Limits, Outcome, Removed, SanitizeError, malformed, read_limited};
use std::io::{Read, Write};

/// Does the start of a file look like SVG: `<svg` after an optional BOM,
/// XML declaration, comments and DOCTYPE, within `prefix`?
pub(super) fn looks_like_svg(prefix: &[u8]) -> bool {
    let mut p = prefix.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(prefix);
    loop {
        let start = p
            .iter()
            .position(|b| !b.is_ascii_whitespace())
            .unwrap_or(p.len());
        p = p.get(start..).unwrap_or(&[]);
        let end: &[u8] = if p.starts_with(b"<?") {
            b"?>"
        } else if p.starts_with(b"<!--") {
            b"-->"
        } else if p.starts_with(b"<!DOCTYPE") || p.starts_with(b"<!doctype") {
            // An internal subset (`[...]`) holds '>' in its declarations.
            let gt = super::find(p, b">");
            match (super::find(p, b"["), gt) {
                (Some(b), Some(g)) if b < g => b"]",
                _ => b">",
            }
        } else {
            return p.starts_with(b"<svg") && after_name(p.get(4..));
        };
        match super::find(p, end) {
            Some(i) => p = p.get(i + end.len()..).unwrap_or(&[]),
            None => return false,
        }
        if end == b"]" {
            match super::find(p, b">") {
                Some(i) => p = p.get(i + 1..).unwrap_or(&[]),
                None => return false,
            }
        }
    }
}

/// Is the byte after an element name the end of that name?
fn after_name(rest: Option<&[u8]>) -> bool {
    matches!(
        rest.and_then(|r| r.first()),
        Some(b' ' | b'\t' | b'\r' | b'\n' | b'>' | b'/')
    )
}

/// Clean an SVG read whole from `input`.
pub(super) fn strip(
    input: &mut dyn Read,
    output: &mut dyn Write,
    limits: &Limits,
) -> Result<Outcome, SanitizeError> {
    let data = read_limited(input, limits.max_in_memory)?;
    let text = std::str::from_utf8(&data).map_err(|_| malformed(Kind::Svg, "not UTF-8"))?;
    let mut found = Found::default();
    let out = clean_svg(text, &mut found)?;
    output.write_all(out.as_bytes())?;
    Ok(found.outcome())
}

/// Clean SVG text (also used for SVG parts of an EPUB).
pub(super) fn clean_svg(text: &str, found: &mut Found) -> Result<String, SanitizeError> {
    let bad = |d: XmlError| malformed(Kind::Svg, d.to_string());
    let (before, doctype, after) = xml::split_doctype(text).map_err(bad)?;
    if !doctype.is_empty() {
        found.changed = true;
    }
    if has_data_uri(text) {
        return Err(SanitizeError::Unsupported {
            kind: Kind::Svg,
            detail: "images embedded as data: URIs are not cleaned",
        });
    }
    let mut out = xml::rewrite(before, &SvgRules, found).map_err(bad)?;
    out.push_str(&xml::rewrite(after, &SvgRules, found).map_err(bad)?);
    if !out.contains("<svg") {
        return Err(malformed(Kind::Svg, "no svg element"));
    }
    Ok(out)
}

/// Whether an attribute value starting with `data:` occurs (a reference to
/// embedded content, in `href` or in CSS `url(data:…)`).
pub(super) fn has_data_uri(s: &str) -> bool {
    let lower = s.to_ascii_lowercase();
    lower.match_indices("data:").any(|(i, _)| {
        let before = lower.get(..i).unwrap_or("").trim_end();
        before.ends_with(['"', '\'', '(']) || before.ends_with("&quot;")
    })
}

/// Is a reference local to the document: empty or a fragment (`#id`)?
pub(super) fn is_fragment(v: &str) -> bool {
    let t = v.trim();
    t.is_empty() || t.starts_with('#')
}

/// Could this CSS (a `<style>` sheet, a `style=` value, a presentation
/// attribute) make a viewer fetch something? True for `@import`, any
/// backslash escape (which can spell `url` or a URL in disguise), `image(`
/// and `image-set(` and any `url(` whose target is not a fragment (`#id`).
/// `url(` is also sought with the entity-escaped quotes of attribute values.
pub(super) fn css_fetches(css: &str) -> bool {
    let lower: String = css
        .to_ascii_lowercase()
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&#34;", "\"")
        .replace("&#39;", "'")
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    if lower.contains('\\')
        || lower.contains("@import")
        || lower.contains("image(")
        || lower.contains("image-set(")
        || lower.contains('&')
    {
        return true;
    }
    lower.match_indices("url(").any(|(i, m)| {
        let target = lower
            .get(i + m.len()..)
            .unwrap_or("")
            .trim_start_matches(['"', '\'']);
        !target.starts_with('#')
    })
}

/// Is this element or attribute name in an editor's private namespace?
fn editor_private(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    ["inkscape:", "sodipodi:", "xmlns:inkscape", "xmlns:sodipodi"]
        .iter()
        .any(|p| lower.starts_with(p))
}

struct SvgRules;

impl Rules for SvgRules {
    fn drop_element(&self, name: &str, attrs: &[Attr<'_>]) -> Option<Removed> {
        if editor_private(name) {
            return Some(Removed::Software);
        }
        // An image, pattern or `use` of something outside the file would
        // show nothing once its reference is gone (and some renderers fail
        // on an empty one): the element goes. A link keeps its content.
        if local(name) != "a"
            && attrs
                .iter()
                .any(|a| matches!(local(a.name), "href" | "src") && !is_fragment(a.value))
        {
            return Some(Removed::Other);
        }
        match local(name) {
            "metadata" => Some(Removed::Author),
            "title" | "desc" => Some(Removed::Comments),
            "script" | "foreignObject" | "include" | "handler" | "listener" | "iframe"
            | "audio" | "video" => Some(Removed::Other),
            // Animations can set a reference or a style after loading.
            "set" | "animate" | "animateMotion" | "animateTransform" | "animateColor"
            | "discard"
                if attr_value(attrs, "attributeName")
                    .is_some_and(|a| matches!(local(a), "href" | "style" | "src"))
                    || attrs.iter().any(|a| {
                        matches!(local(a.name), "to" | "from" | "values" | "by")
                            && (a.value.contains(':') || css_fetches(a.value))
                    }) =>
            {
                Some(Removed::Other)
            }
            _ => None,
        }
    }

    fn attr(&self, _elem: &str, a: &Attr<'_>, _all: &[Attr<'_>]) -> AttrAction {
        if editor_private(a.name) {
            return AttrAction::Remove(Removed::Software);
        }
        let an = local(a.name).to_ascii_lowercase();
        if an.starts_with("on") {
            return AttrAction::Remove(Removed::Other);
        }
        match an.as_str() {
            "href" | "src" if !is_fragment(a.value) => AttrAction::Replace("", Removed::Other),
            "base" => AttrAction::Remove(Removed::Other),
            // Character references can spell `url(` in disguise.
            _ if a.value.to_ascii_lowercase().contains("url(")
                || a.value.contains('&')
                || an == "style" =>
            {
                if css_fetches(a.value) {
                    AttrAction::Remove(Removed::Other)
                } else {
                    AttrAction::Keep
                }
            }
            _ => AttrAction::Keep,
        }
    }

    fn text(&self, elem: &str, text: &str) -> Option<(&'static str, Removed)> {
        (local(elem) == "style" && css_fetches(text)).then_some(("", Removed::Other))
    }

    fn drop_markup(&self, token: &str) -> Option<Removed> {
        xml::comment_or_instruction(token)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
pub(crate) mod tests {
    use super::super::tests_util::*;
    use super::*;

    /// An SVG as Inkscape saves it, with a beacon of every kind.
    pub(crate) const INKSCAPE: &str = r##"<?xml version="1.0" encoding="UTF-8" standalone="no"?>
<!-- Created with Inkscape (http://www.inkscape.org/) by Jane Canary -->
<?xml-stylesheet href="https://tracker.example/s.css" type="text/css"?>
<svg width="20" height="10" viewBox="0 0 20 10" version="1.1" id="svg1"
   inkscape:version="1.2.2 (b0a8486541, 2022-12-01)"
   sodipodi:docname="protest-map-jane.svg"
   inkscape:export-filename="/home/jane/Desktop/map.png"
   inkscape:export-xdpi="96" onload="fetch('https://t.example/x')"
   xmlns:inkscape="http://www.inkscape.org/namespaces/inkscape"
   xmlns:sodipodi="http://sodipodi.sourceforge.net/DTD/sodipodi-0.dtd"
   xmlns:xlink="http://www.w3.org/1999/xlink"
   xmlns="http://www.w3.org/2000/svg" xmlns:dc="http://purl.org/dc/elements/1.1/"
   xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:cc="http://creativecommons.org/ns#">
  <title>Map by Jane Canary</title>
  <sodipodi:namedview id="namedview1" pagecolor="#ffffff" inkscape:window-width="1920" inkscape:current-layer="layer1"/>
  <style>@import url("https://t.example/a.css"); rect { fill: blue }</style>
  <style>.ok { fill: url(#g) }</style>
  <defs><linearGradient id="g"><stop offset="0" style="stop-color:#f00"/></linearGradient></defs>
  <metadata id="metadata1"><rdf:RDF><cc:Work rdf:about=""><dc:creator><cc:Agent><dc:title>Jane Canary</dc:title></cc:Agent></dc:creator><dc:date>2026-12-06T17:23:00</dc:date></cc:Work></rdf:RDF></metadata>
  <g inkscape:label="Layer 1" inkscape:groupmode="layer" id="layer1">
    <rect x="0" y="0" width="10" height="10" style="fill:#ff0000;stroke:none" class="ok"/>
    <rect x="10" y="0" width="10" height="10" style="background:url(&quot;https://t.example/b&quot;)" fill="url(//t.example/f#x)"/>
    <image xlink:href="https://t.example/pixel.png" width="1" height="1"/>
    <use href="#g"/>
    <a href="https://t.example/click"><text x="1" y="9">hi</text></a>
    <script>fetch('https://t.example/s')</script>
    <foreignObject><img xmlns="http://www.w3.org/1999/xhtml" src="https://t.example/i"/></foreignObject>
    <set attributeName="href" to="https://t.example/late"/>
  </g>
</svg>
"##;

    #[test]
    fn detects_svg_after_a_prolog_only() {
        assert!(looks_like_svg(INKSCAPE.as_bytes()));
        assert!(looks_like_svg(b"\xEF\xBB\xBF<svg/>"));
        assert!(looks_like_svg(
            b"<!DOCTYPE svg PUBLIC \"-//W3C//DTD SVG 1.1//EN\" \"x.dtd\">\n<svg xmlns='x'>"
        ));
        assert!(!looks_like_svg(b"<svgx/>"));
        assert!(!looks_like_svg(b"<html><svg/></html>"));
        assert!(!looks_like_svg(b"<!-- never closed <svg>"));
        assert!(!looks_like_svg(b"hello <svg/>"));
    }

    #[test]
    fn inkscape_metadata_and_every_beacon_go() {
        let (res, out) = run(Kind::Svg, INKSCAPE.as_bytes());
        let out = String::from_utf8(out).unwrap();
        let Ok(Outcome::Cleaned { removed }) = res else {
            panic!("{res:?}")
        };
        assert!(removed.contains(&Removed::Author));
        assert!(removed.contains(&Removed::Software));
        assert!(removed.contains(&Removed::Comments));
        for gone in [
            "Jane",
            "inkscape",
            "sodipodi",
            "t.example",
            "tracker",
            "2026",
            "onload",
            "<script",
            "foreignObject",
            "<metadata",
            "<title",
            "@import",
        ] {
            assert!(!out.contains(gone), "{gone} survives:\n{out}");
        }
        for kept in [
            "url(#g)",
            "<use href=\"#g\"/>",
            "fill:#ff0000",
            "<text x=\"1\" y=\"9\">hi</text>",
            "viewBox=\"0 0 20 10\"",
            "<?xml version=\"1.0\"",
        ] {
            assert!(out.contains(kept), "{kept} lost:\n{out}");
        }
        // Cleaning again changes nothing.
        let (res2, out2) = run(Kind::Svg, out.as_bytes());
        assert!(matches!(res2, Ok(Outcome::KeptOriginal)), "{res2:?}");
        assert_eq!(out2, out.as_bytes());
    }

    #[test]
    fn hostile_svgs_are_refused() {
        let laughs = "<?xml version=\"1.0\"?><!DOCTYPE svg [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;\">]><svg>&b;</svg>";
        assert!(super::super::detect(laughs.as_bytes()) == Kind::Svg);
        for bad in [
            laughs,
            "<svg><g></svg>",
            "<svg attr=unquoted/>",
            "<svg",
            "<svg>\u{0}</svg",
        ] {
            let (res, _) = run(Kind::Svg, bad.as_bytes());
            assert!(
                matches!(res, Err(SanitizeError::Malformed { .. })),
                "{bad}: {res:?}"
            );
        }
        let (res, _) = run(Kind::Svg, b"<svg>\xff</svg>");
        assert!(matches!(res, Err(SanitizeError::Malformed { .. })));
        let embedded = r#"<svg><image href="data:image/jpeg;base64,/9j/4AAQ"/></svg>"#;
        let (res, _) = run(Kind::Svg, embedded.as_bytes());
        assert!(
            matches!(res, Err(SanitizeError::Unsupported { .. })),
            "{res:?}"
        );
        let big = Limits {
            max_in_memory: 10,
            ..Limits::default()
        };
        let mut out = Vec::new();
        let res = super::super::strip(
            Kind::Svg,
            &mut &b"<svg>01234567890</svg>"[..],
            &mut out,
            &big,
        );
        assert!(matches!(res, Err(SanitizeError::TooLarge { limit: 10 })));
    }

    #[test]
    fn a_plain_svg_is_kept_byte_for_byte() {
        let plain = "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 1 1\"><path d=\"M0 0h1v1z\" fill=\"url(#p)\"/></svg>\n";
        let (res, out) = run(Kind::Svg, plain.as_bytes());
        assert!(matches!(res, Ok(Outcome::KeptOriginal)), "{res:?}");
        assert_eq!(out, plain.as_bytes());
    }

    #[test]
    fn references_in_disguise_go() {
        let svg = r#"<svg><rect fill="u&#114;l(https://t.example/f#x)" aria-label="a"/><a xlink:href="&#104;ttps://t.example/"><text>t</text></a></svg>"#;
        let (res, out) = run(Kind::Svg, svg.as_bytes());
        assert!(matches!(res, Ok(Outcome::Cleaned { .. })), "{res:?}");
        let out = String::from_utf8(out).unwrap();
        assert!(!out.contains("t.example"), "{out}");
        assert!(out.contains("aria-label=\"a\""), "{out}");
    }

    #[test]
    fn css_that_fetches_is_recognised() {
        for f in [
            "@import 'x.css'",
            "a{background:url(http://x)}",
            "a{background:URL( \"//x\" )}",
            "a{b:u\\72l(http://x)}",
            "a{b:image-set('x.png' 1x)}",
            "fill:url(&quot;http://x&quot;)",
            "a{b:url(data:image/png;base64,AAAA)}",
            "a{b:url(x.png)}",
        ] {
            assert!(css_fetches(f), "{f}");
        }
        for ok in ["fill:#f00", "a{fill:url(#g)}", "a{fill:url( '#g' )}"] {
            assert!(!css_fetches(ok), "{ok}");
        }
    }
}
