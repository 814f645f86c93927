//! The rules for ODF XML parts: creators, dates, printer names, DDE links
//! and `xlink:href` outside the package.

use std::collections::HashMap;

use super::{INERT, has_scheme_or_network};
use crate::Removed;
use crate::xml::{Attr, AttrAction, Rules, attr_value, local};

/// Does an ODF `xlink:href` in `part` point outside the package (a scheme,
/// an absolute or network path, or `..` climbing above the package root)?
fn odf_external(part: &str, href: &str) -> bool {
    let t = href.trim();
    if t.is_empty() || t.starts_with('#') {
        return false;
    }
    if has_scheme_or_network(t) || t.starts_with('/') {
        return true;
    }
    let mut depth = part.matches('/').count() as i64;
    for seg in t.split(['/', '\\']) {
        match seg {
            ".." => {
                depth -= 1;
                if depth < 0 {
                    return true;
                }
            }
            "" | "." => {}
            _ => depth += 1,
        }
    }
    false
}

pub(super) struct OdfRules<'a> {
    pub(super) part: &'a str,
    pub(super) dropped: &'a HashMap<String, &'static [Removed]>,
}

impl Rules for OdfRules<'_> {
    fn drop_element(&self, name: &str, attrs: &[Attr<'_>]) -> Option<Removed> {
        if self.part != "META-INF/manifest.xml" || local(name) != "file-entry" {
            return None;
        }
        let p = attr_value(attrs, "full-path")?;
        (self.dropped.contains_key(&p.to_ascii_lowercase())
            || p == "Thumbnails/"
            || p == "Thumbnails")
            .then_some(Removed::Other)
    }

    fn replace_content(&self, name: &str, attrs: &[Attr<'_>]) -> Option<(&'static str, Removed)> {
        match name {
            "dc:creator" | "text:author-name" => Some(("Author", Removed::Author)),
            "meta:creator-initials" | "text:author-initials" => Some(("A", Removed::Author)),
            "dc:date" => Some(("1970-01-01T00:00:00", Removed::Dates)),
            "config:config-item" => match attr_value(attrs, "name")? {
                "PrinterName" | "PrinterSetup" => Some(("", Removed::Other)),
                "Rsid" | "RsidRoot" => Some(("0", Removed::DocumentIds)),
                _ => None,
            },
            _ => None,
        }
    }

    fn attr(&self, _elem: &str, a: &Attr<'_>, _all: &[Attr<'_>]) -> AttrAction {
        let an = local(a.name);
        if an == "rsid" || an.ends_with("-rsid") {
            return AttrAction::Replace("00000000", Removed::DocumentIds);
        }
        match an {
            // Linked images, objects, sections, sheets, frames, templates
            // and hyperlinks: nothing outside the package is fetched.
            "href" | "image-data" if odf_external(self.part, a.value) => {
                AttrAction::Replace(INERT, Removed::Other)
            }
            // DDE links update from another file or program on opening.
            "dde-topic" | "dde-application" if !a.value.is_empty() => {
                AttrAction::Replace("", Removed::Other)
            }
            _ => AttrAction::Keep,
        }
    }
}
