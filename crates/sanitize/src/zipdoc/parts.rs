//! The parts dropped whole: `docProps/`, whatever the package relationships
//! name as properties or thumbnail, ODF `meta.xml` and thumbnails; encrypted
//! ODF is refused here.

use std::collections::HashMap;
use std::io::{Read, Seek};

use zip::ZipArchive;

use super::entry::read_whole;
use crate::xml::{self, Attr, Rules, XmlError, attr_value, local};
use crate::{Found, Kind, Removed, SanitizeError, malformed};

/// Decide which parts to drop entirely, and refuse encrypted ODF. Keys are
/// lower-cased part names (OOXML part names compare case-insensitively).
pub(super) fn drop_parts<R: Read + Seek>(
    kind: Kind,
    archive: &mut ZipArchive<R>,
    names: &[String],
    found: &mut Found,
    budget: &mut u64,
    mem: u64,
) -> Result<HashMap<String, &'static [Removed]>, SanitizeError> {
    const CORE: &[Removed] = &[Removed::Author, Removed::Dates, Removed::Comments];
    const APP: &[Removed] = &[Removed::Software, Removed::Other];
    const THUMB: &[Removed] = &[Removed::Thumbnail];
    const OTHER: &[Removed] = &[Removed::Other];
    let mut dropped: HashMap<String, &'static [Removed]> = HashMap::new();
    if kind == Kind::Ooxml {
        for n in names {
            let l = n.to_ascii_lowercase();
            let cats = match l.as_str() {
                "docprops/core.xml" => CORE,
                "docprops/app.xml" => APP,
                l if l.starts_with("docprops/thumbnail") => THUMB,
                l if l.starts_with("docprops/") => OTHER,
                l if l.ends_with(".psmdcp") => CORE,
                _ => continue,
            };
            dropped.insert(l, cats);
        }
        // Whatever the package relationships name as properties or thumbnail.
        if let Some(i) = names
            .iter()
            .position(|n| n.eq_ignore_ascii_case("_rels/.rels"))
        {
            let f = archive
                .by_index(i)
                .map_err(|e| malformed(kind, format!("zip entry: {e}")))?;
            let rels = read_whole(f, mem / 2, budget, kind, "_rels/.rels")?;
            let text =
                String::from_utf8(rels).map_err(|_| malformed(kind, "_rels/.rels: not UTF-8"))?;
            for (typ, target) in package_relationships(&text)
                .map_err(|d| malformed(kind, format!("_rels/.rels: {d}")))?
            {
                let cats = match metadata_relationship(&typ) {
                    Some(MetaRel::Core) => CORE,
                    Some(MetaRel::Extended) => APP,
                    Some(MetaRel::Custom) => OTHER,
                    Some(MetaRel::Thumbnail) => THUMB,
                    None => continue,
                };
                let part = resolve_target("_rels/.rels", &target).to_ascii_lowercase();
                dropped.entry(part).or_insert(cats);
            }
        }
        // A dropped part's own relationships go with it.
        let own_rels: Vec<String> = dropped
            .keys()
            .map(|p| match p.rsplit_once('/') {
                Some((dir, file)) => format!("{dir}/_rels/{file}.rels"),
                None => format!("_rels/{p}.rels"),
            })
            .collect();
        for r in own_rels {
            dropped.entry(r).or_insert(OTHER);
        }
    } else if kind == Kind::Epub {
        // Reading state and store records some writers add.
        for n in names {
            let l = n.to_ascii_lowercase();
            if matches!(
                l.as_str(),
                "itunesmetadata.plist"
                    | "itunesmetadata-original.plist"
                    | "meta-inf/calibre_bookmarks.txt"
            ) {
                dropped.insert(l, OTHER);
            }
        }
    } else {
        for n in names {
            let cats = match n.as_str() {
                "meta.xml" => &[Removed::Author, Removed::Dates, Removed::Software][..],
                _ if n.starts_with("Thumbnails/") => THUMB,
                _ => continue,
            };
            dropped.insert(n.to_ascii_lowercase(), cats);
        }
        if let Some(i) = names.iter().position(|n| n == "META-INF/manifest.xml") {
            let f = archive
                .by_index(i)
                .map_err(|e| malformed(kind, format!("zip entry: {e}")))?;
            let m = read_whole(f, mem / 2, budget, kind, "META-INF/manifest.xml")?;
            if crate::find(&m, b"encryption-data").is_some() {
                return Err(malformed(kind, "encrypted document"));
            }
        }
    }
    // Report only what is really there.
    for n in names {
        if let Some(cats) = dropped.get(&n.to_ascii_lowercase()) {
            for c in *cats {
                found.add(*c);
            }
        }
    }
    Ok(dropped)
}

/// Metadata relationships of an OOXML package.
pub(super) enum MetaRel {
    Core,
    Extended,
    Custom,
    Thumbnail,
}

/// Which metadata a package relationship type names, transitional
/// (`…/metadata/core-properties`, `…/extended-properties`) or strict
/// (`…/extendedProperties`) spelling.
pub(super) fn metadata_relationship(typ: &str) -> Option<MetaRel> {
    let last = typ
        .rsplit('/')
        .next()
        .unwrap_or("")
        .replace('-', "")
        .to_ascii_lowercase();
    match last.as_str() {
        "coreproperties" => Some(MetaRel::Core),
        "extendedproperties" => Some(MetaRel::Extended),
        "customproperties" => Some(MetaRel::Custom),
        "thumbnail" => Some(MetaRel::Thumbnail),
        _ => None,
    }
}

/// (Type, Target) of every internal relationship in a `.rels` part.
fn package_relationships(text: &str) -> Result<Vec<(String, String)>, XmlError> {
    struct Collect(std::cell::RefCell<Vec<(String, String)>>);
    impl Rules for Collect {
        fn drop_element(&self, name: &str, attrs: &[Attr<'_>]) -> Option<Removed> {
            if local(name) == "Relationship"
                && attr_value(attrs, "TargetMode") != Some("External")
                && let (Some(t), Some(target)) =
                    (attr_value(attrs, "Type"), attr_value(attrs, "Target"))
            {
                self.0.borrow_mut().push((t.into(), target.into()));
            }
            None
        }
    }
    let c = Collect(Default::default());
    xml::rewrite(text, &c, &mut Found::default())?;
    Ok(c.0.into_inner())
}

/// Resolve a relationship target relative to the `.rels` part's source.
pub(super) fn resolve_target(rels_part: &str, target: &str) -> String {
    if let Some(abs) = target.strip_prefix('/') {
        return abs.to_string();
    }
    // "word/_rels/document.xml.rels" describes "word/document.xml": base "word/".
    let base = rels_part
        .rsplit_once("_rels/")
        .map(|(b, _)| b)
        .unwrap_or("");
    let mut parts: Vec<&str> = base.split('/').filter(|s| !s.is_empty()).collect();
    for seg in target.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            s => parts.push(s),
        }
    }
    parts.join("/")
}
