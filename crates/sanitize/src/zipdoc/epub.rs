//! The rules for EPUB parts: the package metadata, the book identifier, and
//! references or styles that reach outside the book.

use super::{INERT, has_scheme_or_network};
use crate::Removed;
use crate::xml::{self, Attr, AttrAction, Rules, attr_value, local};

/// The identifier every cleaned EPUB carries (the package must have one).
const EPUB_ID: &str = "urn:uuid:00000000-0000-4000-8000-000000000000";

/// Does a reference inside an EPUB reach outside the book: a scheme other
/// than a fragment or relative path (`http:`, `file:`, `data:` is content
/// and stays), a network path or an absolute path?
fn epub_external(v: &str) -> bool {
    let t = v.trim();
    // A character reference can spell a scheme (`h&#116;tp:`).
    if t.contains('&') {
        return true;
    }
    if t.to_ascii_lowercase().starts_with("data:") {
        return false;
    }
    has_scheme_or_network(t) || t.starts_with('/')
}

/// Could this CSS fetch from outside the book? Backslash escapes (which can
/// spell `url` or a URL in disguise) and entity references count; so does
/// every `url(`, `@import` or `image-set(` string whose target is external.
pub(super) fn css_fetches_outside(css: &str) -> bool {
    let lower: String = css
        .to_ascii_lowercase()
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    if lower.contains('\\') || lower.contains('&') {
        return true;
    }
    ["url(", "@import", "image-set(", "image("]
        .iter()
        .flat_map(|m| lower.match_indices(m))
        .any(|(i, m)| {
            let target = lower
                .get(i + m.len()..)
                .unwrap_or("")
                .trim_start_matches(['"', '\'', '(']);
            let end = target.find(['"', '\'', ')', ';']).unwrap_or(target.len());
            target.get(..end).is_some_and(epub_external)
        })
}

pub(super) struct EpubRules {
    /// The part is an NCX table of contents.
    pub(super) ncx: bool,
    /// The part is not XHTML content: the package (OPF, whatever its name),
    /// the container, the NCX.
    pub(super) package: bool,
}

impl Rules for EpubRules {
    fn drop_element(&self, name: &str, attrs: &[Attr<'_>]) -> Option<Removed> {
        let dc = self.package || name.starts_with("dc:");
        match local(name) {
            "creator" | "contributor" | "docAuthor" => Some(Removed::Author),
            "publisher" | "rights" | "description" | "subject" | "source" | "relation"
            | "coverage" | "type"
                if dc =>
            {
                Some(Removed::Other)
            }
            "date" if dc => Some(Removed::Dates),
            // The cover and fixed-layout renditions are needed to show the
            // book; the modification date is required (a fixed value); other
            // meta (calibre:timestamp, generator, refinements) go.
            "meta" if self.package => {
                let keep = attr_value(attrs, "name") == Some("cover")
                    || attr_value(attrs, "name") == Some("dtb:uid")
                    || attr_value(attrs, "property")
                        .is_some_and(|p| p == "dcterms:modified" || p.starts_with("rendition:"));
                (!keep).then_some(Removed::Software)
            }
            // XHTML that runs or redirects.
            "script" | "base" | "iframe" | "embed" | "object" | "applet" => Some(Removed::Other),
            "meta" if attr_value(attrs, "http-equiv").is_some() => Some(Removed::Other),
            "meta"
                if attr_value(attrs, "name").is_some_and(|n| {
                    matches!(
                        n.to_ascii_lowercase().as_str(),
                        "author" | "generator" | "creator" | "dcterms.creator" | "date"
                    )
                }) =>
            {
                Some(Removed::Software)
            }
            _ => None,
        }
    }

    fn replace_content(&self, name: &str, attrs: &[Attr<'_>]) -> Option<(&'static str, Removed)> {
        if !self.package {
            return None;
        }
        match local(name) {
            "identifier" => Some((EPUB_ID, Removed::DocumentIds)),
            "meta" if attr_value(attrs, "property") == Some("dcterms:modified") => {
                Some(("2000-01-01T00:00:00Z", Removed::Dates))
            }
            _ => None,
        }
    }

    fn attr(&self, elem: &str, a: &Attr<'_>, all: &[Attr<'_>]) -> AttrAction {
        let an = local(a.name).to_ascii_lowercase();
        if an.starts_with("on") {
            return AttrAction::Remove(Removed::Other);
        }
        match an.as_str() {
            "content"
                if self.ncx
                    && local(elem) == "meta"
                    && attr_value(all, "name") == Some("dtb:uid") =>
            {
                AttrAction::Replace(EPUB_ID, Removed::DocumentIds)
            }
            // OPF 2 `opf:scheme`/`opf:file-as` on kept elements are harmless.
            "href" | "src" | "poster" | "data" | "action" | "formaction" | "background"
            | "cite" | "longdesc" | "manifest" | "icon" | "ping"
                if epub_external(a.value) =>
            {
                AttrAction::Replace(INERT, Removed::Other)
            }
            "srcset" if a.value.split(',').any(epub_external) => AttrAction::Remove(Removed::Other),
            "style" if css_fetches_outside(a.value) => AttrAction::Remove(Removed::Other),
            // xml:base would send the book's relative references elsewhere.
            "base" => AttrAction::Remove(Removed::Other),
            _ => AttrAction::Keep,
        }
    }

    fn text(&self, elem: &str, text: &str) -> Option<(&'static str, Removed)> {
        (local(elem) == "style" && css_fetches_outside(text)).then_some(("", Removed::Other))
    }

    fn drop_markup(&self, token: &str) -> Option<Removed> {
        xml::comment_or_instruction(token)
    }
}
