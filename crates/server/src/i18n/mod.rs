//! Translations (Project Fluent) and language negotiation.
//!
//! Messages live in `locales/<lang>/*.ftl` and are compiled in. English is
//! the source of truth and the fallback for any missing message. The language
//! comes from `?lang=` (carried in every link and form), else
//! `Accept-Language`, else English. It is never logged and never stored
//! outside the encrypted report (where it tells reviewers which language to
//! reply in).

use fluent_templates::fluent_bundle::FluentValue;
use fluent_templates::{Loader, static_loader};
use std::borrow::Cow;
use std::collections::HashMap;
use unic_langid::LanguageIdentifier;

static_loader! {
    static LOCALES = {
        locales: "../../locales",
        fallback_language: "en",
        // Isolation marks would leak into attribute values and tests;
        // templates isolate user-visible variables with <bdi> instead.
        customise: |bundle| bundle.set_use_isolating(false),
    };
}

pub use amanat_core::languages::{LANGS, Lang, by_code, english};

/// Chooses the language: `?lang=` first, then `Accept-Language` by quality,
/// then English. Unknown or malformed values are ignored, never an error.
pub fn negotiate(query: Option<&str>, accept_language: Option<&str>) -> &'static Lang {
    if let Some(l) = query.and_then(by_code) {
        return l;
    }
    let Some(header) = accept_language else {
        return english();
    };
    let mut best: Option<(&'static Lang, f32)> = None;
    for item in header.split(',').take(32) {
        let mut parts = item.split(';');
        let tag = parts.next().unwrap_or_default().trim();
        let q = parts
            .find_map(|p| p.trim().strip_prefix("q="))
            .and_then(|q| q.trim().parse::<f32>().ok())
            .unwrap_or(1.0);
        if !(q > 0.0 && q <= 1.0) {
            continue;
        }
        let primary = tag.split(['-', '_']).next().unwrap_or_default();
        if let Some(lang) = by_code(primary) {
            if best.is_none_or(|(_, bq)| q > bq) {
                best = Some((lang, q));
            }
        }
    }
    best.map(|(l, _)| l).unwrap_or_else(english)
}

/// A translator for one language.
#[derive(Clone, Copy, Debug)]
pub struct Tr {
    pub lang: &'static Lang,
}

impl Tr {
    /// A translator for `lang`.
    pub fn new(lang: &'static Lang) -> Tr {
        Tr { lang }
    }

    /// The message `id`, or `None` if no locale (not even English) has it.
    pub fn try_get(&self, id: &str) -> Option<String> {
        LOCALES.try_lookup(&self.langid(), id)
    }

    /// The message `id`; the id itself if missing everywhere (tests catch that).
    pub fn t(&self, id: &str) -> String {
        self.try_get(id).unwrap_or_else(|| id.to_string())
    }

    /// The message `id` with numeric and text arguments.
    pub fn t_args(&self, id: &str, args: &[(&str, Arg)]) -> String {
        let map: HashMap<Cow<'static, str>, FluentValue> = args
            .iter()
            .map(|(k, v)| {
                let v = match v {
                    Arg::Num(n) => FluentValue::from(*n),
                    Arg::Text(s) => FluentValue::from(s.clone()),
                };
                (Cow::Owned(k.to_string()), v)
            })
            .collect();
        LOCALES
            .try_lookup_with_args(&self.langid(), id, &map)
            .unwrap_or_else(|| id.to_string())
    }

    fn langid(&self) -> LanguageIdentifier {
        self.lang
            .code
            .parse()
            .unwrap_or_else(|_| unic_langid::langid!("en"))
    }
}

/// A Fluent argument.
#[derive(Clone, Debug)]
pub enum Arg {
    Num(i64),
    Text(String),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn negotiation_order() {
        assert_eq!(negotiate(Some("ar"), Some("fr")).code, "ar");
        assert_eq!(negotiate(Some("xx"), Some("fr-CA,fr;q=0.9")).code, "fr");
        assert_eq!(negotiate(None, Some("de, ru;q=0.5, fa;q=0.8")).code, "fa");
        assert_eq!(negotiate(None, Some("zh-CN")).code, "zh");
        assert_eq!(negotiate(None, Some("de")).code, "en");
        assert_eq!(negotiate(None, Some(";;;,q=abc,ur;q=2")).code, "en");
        assert_eq!(negotiate(None, None).code, "en");
        assert_eq!(negotiate(Some("AR"), None).code, "ar");
    }

    #[test]
    fn english_messages_and_arguments() {
        let tr = Tr::new(english());
        assert_eq!(tr.t("site-name"), "Amanat");
        assert_eq!(tr.t("country-PK"), "Pakistan");
        assert_eq!(
            tr.t_args("report-errors-title", &[("count", Arg::Num(1))]),
            "Please check one answer"
        );
        assert_eq!(
            tr.t_args("report-errors-title", &[("count", Arg::Num(3))]),
            "Please check 3 answers"
        );
        assert_eq!(tr.try_get("no-such-message"), None);
    }

    #[test]
    fn rtl_languages() {
        let rtl: Vec<_> = LANGS.iter().filter(|l| l.rtl).map(|l| l.code).collect();
        assert_eq!(rtl, vec!["ar", "fa", "ur"]);
    }
}
