//! The rules for OOXML XML parts: user names, dates, rsids, external
//! targets, data connections and fields that fetch.

use std::collections::HashMap;

use super::parts::{metadata_relationship, resolve_target};
use super::{INERT, has_scheme_or_network};
use crate::Removed;
use crate::xml::{Attr, AttrAction, Rules, attr_value, local};

/// Fixed timestamp written in place of dates that must stay present.
const EPOCH: &str = "1980-01-01T00:00:00Z";

pub(super) struct OoxmlRules<'a> {
    pub(super) part: &'a str,
    pub(super) dropped: &'a HashMap<String, &'static [Removed]>,
    /// The complex fields (`w:fldChar` begin … end) open at this point of the
    /// part, innermost last.
    pub(super) fields: std::cell::RefCell<Vec<Field>>,
}

/// One open WordprocessingML field: its instruction so far, and whether it
/// (or a field it is nested in) fetches something.
#[derive(Default)]
pub(super) struct Field {
    pub(super) instr: String,
    fetching: bool,
}

/// Field types that fetch from a path or URL when the document is opened or
/// its fields are updated (INCLUDEPICTURE with `\d` on every opening), or
/// that open one on a click.
const FETCHING_FIELDS: [&str; 9] = [
    "INCLUDEPICTURE",
    "INCLUDETEXT",
    "INCLUDE",
    "IMPORT",
    "LINK",
    "DDE",
    "DDEAUTO",
    "HYPERLINK",
    "DATABASE",
];

/// Is this field instruction (escaped, possibly only its beginning) of a
/// fetching type? A type name not yet complete counts when it already
/// names one, so that an instruction split across runs is caught at the
/// run that completes its type, before any path or URL after it.
fn fetching_field(instr: &str) -> bool {
    let t = instr.trim_start();
    let end = t
        .find(|c: char| c.is_whitespace() || matches!(c, '"' | '\\' | '&' | '{'))
        .unwrap_or(t.len());
    let word = t.get(..end).unwrap_or("").to_ascii_uppercase();
    FETCHING_FIELDS.contains(&word.as_str())
}

impl Rules for OoxmlRules<'_> {
    fn drop_element(&self, name: &str, attrs: &[Attr<'_>]) -> Option<Removed> {
        match local(name) {
            // Not dropped: only followed, for the instruction text rule.
            "fldChar" => {
                let mut fields = self.fields.borrow_mut();
                match attr_value(attrs, "fldCharType") {
                    Some("begin") => {
                        let fetching = fields.last().is_some_and(|f| f.fetching);
                        fields.push(Field {
                            fetching,
                            ..Field::default()
                        });
                    }
                    Some("end") => {
                        fields.pop();
                    }
                    _ => {}
                }
                None
            }
            "Override" => {
                let p = attr_value(attrs, "PartName")?;
                self.dropped
                    .contains_key(&p.trim_start_matches('/').to_ascii_lowercase())
                    .then_some(Removed::Other)
            }
            // Properties parts are all dropped; so is a default type for
            // them (.NET packaging declares one for the .psmdcp extension).
            "Default" => attr_value(attrs, "ContentType")
                .filter(|t| t.ends_with("properties+xml"))
                .map(|_| Removed::Other),
            "Relationship" if self.part.ends_with(".rels") => {
                if attr_value(attrs, "TargetMode") == Some("External") {
                    return None;
                }
                if self.part.eq_ignore_ascii_case("_rels/.rels")
                    && attr_value(attrs, "Type")
                        .and_then(metadata_relationship)
                        .is_some()
                {
                    return Some(Removed::Other);
                }
                let t = resolve_target(self.part, attr_value(attrs, "Target")?);
                self.dropped
                    .contains_key(&t.to_ascii_lowercase())
                    .then_some(Removed::Other)
            }
            _ => None,
        }
    }

    fn replace_content(&self, name: &str, _attrs: &[Attr<'_>]) -> Option<(&'static str, Removed)> {
        (self.part.starts_with("xl/comments") && local(name) == "author")
            .then_some(("Author", Removed::Author))
    }

    /// Field instructions that fetch (INCLUDEPICTURE "http://…" \d and the
    /// like) are blanked from the run where their type is known to the end
    /// of the field: what is left names no field, and fetches nothing. The
    /// field's last result stays displayed.
    fn text(&self, elem: &str, text: &str) -> Option<(&'static str, Removed)> {
        if local(elem) != "instrText" {
            return None;
        }
        let mut fields = self.fields.borrow_mut();
        let fetching = match fields.last_mut() {
            Some(f) => {
                f.instr.push_str(text);
                f.fetching = f.fetching || fetching_field(&f.instr);
                f.fetching
            }
            None => fetching_field(text),
        };
        fetching.then_some(("", Removed::Other))
    }

    fn attr(&self, elem: &str, a: &Attr<'_>, all: &[Attr<'_>]) -> AttrAction {
        let an = local(a.name);
        let en = local(elem);
        match an {
            "author" | "userId" | "userName" | "refreshedBy" => {
                AttrAction::Replace("Author", Removed::Author)
            }
            "initials" => AttrAction::Replace("A", Removed::Author),
            "providerId" => AttrAction::Replace("None", Removed::Author),
            "displayName" if en == "person" => AttrAction::Replace("Author", Removed::Author),
            "name" if matches!(en, "cmAuthor" | "author" | "userInfo") => {
                AttrAction::Replace("Author", Removed::Author)
            }
            // Optional in WordprocessingML (w:date, w16cex:dateUtc): removed.
            "date" | "dateUtc" => AttrAction::Remove(Removed::Dates),
            // Required elsewhere (pptx comment dt, xlsx threaded comment dT,
            // revision dateTime, modern comment created): a fixed value.
            "dt" | "dT" | "dateTime" | "created" | "refreshedDate" | "refreshedDateIso" => {
                AttrAction::Replace(EPOCH, Removed::Dates)
            }
            // The folder the workbook was saved in (C:\Users\<name>\…).
            "url" if en == "absPath" => AttrAction::Replace("", Removed::Author),
            _ if an.starts_with("rsid") => AttrAction::Replace("00000000", Removed::DocumentIds),
            "val" if en == "rsid" || en == "rsidRoot" => {
                AttrAction::Replace("00000000", Removed::DocumentIds)
            }
            // External targets (templates, linked images and objects, frames,
            // hyperlinks): rewritten, not removed, so that the ids that refer
            // to them stay valid.
            "Target"
                if en == "Relationship"
                    && (attr_value(all, "TargetMode") == Some("External")
                        || has_scheme_or_network(a.value)) =>
            {
                AttrAction::Replace(INERT, Removed::Other)
            }
            // VML and drawing attributes that can carry a URL themselves, and
            // xlsx data connections (refreshed on opening when the workbook
            // asks): web queries, text and database sources.
            "href" | "src" if has_scheme_or_network(a.value) => {
                AttrAction::Replace(INERT, Removed::Other)
            }
            "instr" if en == "fldSimple" && fetching_field(a.value) => {
                AttrAction::Replace("", Removed::Other)
            }
            "url" if en == "webPr" && has_scheme_or_network(a.value) => {
                AttrAction::Replace(INERT, Removed::Other)
            }
            "sourceFile" | "odcFile" | "connection" | "sourceConnectionFile"
                if en != "Relationship" && !a.value.is_empty() =>
            {
                AttrAction::Replace("", Removed::Other)
            }
            _ => AttrAction::Keep,
        }
    }
}
