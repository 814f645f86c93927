//! Languages: every translation is complete and consistent with English, every
//! message the code asks for exists, and every source page renders in every
//! language with the right direction and without English fallback or raw
//! message ids.
//!
//! The `.ftl` files are parsed with `fluent-syntax` (the parser fluent-bundle
//! itself uses), so a file the server would half-load fails here first.
#![forbid(unsafe_code)]
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use amanat_core::model::{FieldType, Questionnaire, Role, countries};
use amanatd::i18n::LANGS;
use common::pages::{PAGE_KINDS, source_pages};
use common::spawn_app;
use fluent_syntax::ast;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

const FILES: &[&str] = &["main.ftl", "questionnaire.ftl", "countries.ftl"];

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// What matters about one message for translators.
#[derive(Default)]
struct Msg {
    /// Variables used anywhere in the value and attributes, by part.
    vars: BTreeMap<String, BTreeSet<String>>,
    /// Message and term references, by part.
    refs: BTreeMap<String, Vec<String>>,
    /// Select expressions: (default variants, variant keys), by part.
    selects: Vec<(String, usize, Vec<String>)>,
    /// The value when it is plain text.
    text: Option<String>,
}

/// One `.ftl` file: ids in file order, messages, parse problems.
struct Catalog {
    order: Vec<String>,
    msgs: BTreeMap<String, Msg>,
    problems: Vec<String>,
}

fn load(path: &Path) -> Catalog {
    let source = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path:?}: {e}"));
    let (resource, errors) = match fluent_syntax::parser::parse(source.as_str()) {
        Ok(r) => (r, Vec::new()),
        Err((r, errs)) => (r, errs),
    };
    let mut cat = Catalog {
        order: Vec::new(),
        msgs: BTreeMap::new(),
        problems: errors
            .iter()
            .map(|e| format!("parse error: {e:?}"))
            .collect(),
    };
    for entry in &resource.body {
        let (id, value, attributes) = match entry {
            ast::Entry::Message(m) => (m.id.name.to_string(), m.value.as_ref(), &m.attributes),
            ast::Entry::Term(t) => (format!("-{}", t.id.name), Some(&t.value), &t.attributes),
            ast::Entry::Junk { content } => {
                cat.problems.push(format!("junk: {}", content.trim()));
                continue;
            }
            _ => continue,
        };
        if cat.msgs.contains_key(&id) {
            cat.problems.push(format!("{id}: defined twice"));
        }
        let mut msg = Msg {
            text: value.and_then(plain_text),
            ..Msg::default()
        };
        let parts = value.map(|v| (String::new(), v)).into_iter().chain(
            attributes
                .iter()
                .map(|a| (format!(".{}", a.id.name), &a.value)),
        );
        for (part, pattern) in parts {
            let mut vars = BTreeSet::new();
            let mut refs = Vec::new();
            walk_pattern(pattern, &part, &mut vars, &mut refs, &mut msg.selects);
            msg.vars.insert(part.clone(), vars);
            msg.refs.insert(part, refs);
        }
        cat.order.push(id.clone());
        cat.msgs.insert(id, msg);
    }
    cat
}

fn plain_text(p: &ast::Pattern<&str>) -> Option<String> {
    let mut out = String::new();
    for el in &p.elements {
        match el {
            ast::PatternElement::TextElement { value } => out.push_str(value),
            ast::PatternElement::Placeable { .. } => return None,
        }
    }
    Some(out)
}

type Selects = Vec<(String, usize, Vec<String>)>;

fn walk_pattern(
    p: &ast::Pattern<&str>,
    part: &str,
    vars: &mut BTreeSet<String>,
    refs: &mut Vec<String>,
    selects: &mut Selects,
) {
    for el in &p.elements {
        if let ast::PatternElement::Placeable { expression } = el {
            walk_expression(expression, part, vars, refs, selects);
        }
    }
}

fn walk_expression(
    e: &ast::Expression<&str>,
    part: &str,
    vars: &mut BTreeSet<String>,
    refs: &mut Vec<String>,
    selects: &mut Selects,
) {
    match e {
        ast::Expression::Select { selector, variants } => {
            walk_inline(selector, part, vars, refs, selects);
            let defaults = variants.iter().filter(|v| v.default).count();
            let keys = variants
                .iter()
                .map(|v| match &v.key {
                    ast::VariantKey::Identifier { name } => name.to_string(),
                    ast::VariantKey::NumberLiteral { value } => value.to_string(),
                })
                .collect();
            selects.push((part.to_string(), defaults, keys));
            for v in variants {
                walk_pattern(&v.value, part, vars, refs, selects);
            }
        }
        ast::Expression::Inline(i) => walk_inline(i, part, vars, refs, selects),
    }
}

fn walk_inline(
    i: &ast::InlineExpression<&str>,
    part: &str,
    vars: &mut BTreeSet<String>,
    refs: &mut Vec<String>,
    selects: &mut Selects,
) {
    match i {
        ast::InlineExpression::VariableReference { id } => {
            vars.insert(id.name.to_string());
        }
        ast::InlineExpression::MessageReference { id, .. } => refs.push(id.name.to_string()),
        ast::InlineExpression::TermReference { id, arguments, .. } => {
            refs.push(format!("-{}", id.name));
            if let Some(args) = arguments {
                for a in &args.positional {
                    walk_inline(a, part, vars, refs, selects);
                }
            }
        }
        ast::InlineExpression::FunctionReference { arguments, .. } => {
            for a in &arguments.positional {
                walk_inline(a, part, vars, refs, selects);
            }
            for a in &arguments.named {
                walk_inline(&a.value, part, vars, refs, selects);
            }
        }
        ast::InlineExpression::Placeable { expression } => {
            walk_expression(expression, part, vars, refs, selects)
        }
        ast::InlineExpression::StringLiteral { .. }
        | ast::InlineExpression::NumberLiteral { .. } => {}
    }
}

/// CLDR plural categories of each language (cardinals).
fn plural_categories(lang: &str) -> &'static [&'static str] {
    match lang {
        "ar" => &["zero", "one", "two", "few", "many", "other"],
        "ru" => &["one", "few", "many", "other"],
        "es" | "fr" => &["one", "many", "other"],
        "en" | "fa" | "ur" => &["one", "other"],
        "zh" | "tg" | "vi" => &["other"],
        other => panic!("no plural rules listed for {other}"),
    }
}

fn catalog(lang: &str, file: &str) -> Catalog {
    load(&root().join("locales").join(lang).join(file))
}

/// All English message ids across the files.
fn english_ids() -> BTreeSet<String> {
    FILES.iter().flat_map(|f| catalog("en", f).order).collect()
}

#[test]
fn the_locale_directories_are_the_languages_offered() {
    let dirs: BTreeSet<String> = std::fs::read_dir(root().join("locales"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    let offered: BTreeSet<String> = LANGS.iter().map(|l| l.code.to_string()).collect();
    assert_eq!(dirs, offered);
    for want in ["en", "ar", "ru", "es", "zh", "fr", "fa", "ur", "tg", "vi"] {
        assert!(offered.contains(want), "{want} is offered");
    }
    for l in LANGS {
        for f in FILES {
            assert!(
                root().join("locales").join(l.code).join(f).is_file(),
                "locales/{}/{f} exists",
                l.code
            );
        }
    }
}

#[test]
fn every_locale_has_every_english_message_in_order_with_the_same_variables() {
    let mut problems = Vec::new();
    for file in FILES {
        let en = catalog("en", file);
        assert!(en.problems.is_empty(), "en/{file}: {:?}", en.problems);
        for lang in LANGS.iter().map(|l| l.code).filter(|c| *c != "en") {
            let cat = catalog(lang, file);
            let at = format!("{lang}/{file}");
            problems.extend(cat.problems.iter().map(|p| format!("{at}: {p}")));
            let missing: Vec<_> = en
                .order
                .iter()
                .filter(|id| !cat.msgs.contains_key(*id))
                .collect();
            let unknown: Vec<_> = cat
                .order
                .iter()
                .filter(|id| !en.msgs.contains_key(*id))
                .collect();
            if !missing.is_empty() {
                problems.push(format!("{at}: missing {missing:?}"));
            }
            if !unknown.is_empty() {
                problems.push(format!("{at}: not in English {unknown:?}"));
            }
            if missing.is_empty() && unknown.is_empty() && cat.order != en.order {
                problems.push(format!("{at}: messages are not in the English order"));
            }
            for (id, m) in &cat.msgs {
                let Some(e) = en.msgs.get(id) else { continue };
                let parts: BTreeSet<_> = m.vars.keys().collect();
                let en_parts: BTreeSet<_> = e.vars.keys().collect();
                if parts != en_parts {
                    problems.push(format!(
                        "{at}: {id}: parts {parts:?}, English has {en_parts:?}"
                    ));
                    continue;
                }
                for (part, vars) in &m.vars {
                    let en_vars = &e.vars[part];
                    for v in vars.difference(en_vars) {
                        problems.push(format!("{at}: {id}{part}: unknown variable ${v}"));
                    }
                    for v in en_vars.difference(vars) {
                        problems.push(format!("{at}: {id}{part}: variable ${v} is not used"));
                    }
                    if m.refs[part] != e.refs[part] {
                        problems.push(format!(
                            "{at}: {id}{part}: references {:?}, English has {:?}",
                            m.refs[part], e.refs[part]
                        ));
                    }
                }
            }
        }
    }
    assert!(problems.is_empty(), "\n{}", problems.join("\n"));
}

#[test]
fn every_select_has_one_default_and_plural_keys_the_language_knows() {
    let mut problems = Vec::new();
    for l in LANGS {
        let cats = plural_categories(l.code);
        for file in FILES {
            let cat = catalog(l.code, file);
            for (id, m) in &cat.msgs {
                for (part, defaults, keys) in &m.selects {
                    if *defaults != 1 {
                        problems.push(format!(
                            "{}/{file}: {id}{part}: {defaults} default variants",
                            l.code
                        ));
                    }
                    for k in keys {
                        let numeric = k.parse::<f64>().is_ok();
                        if !numeric && !cats.contains(&k.as_str()) {
                            problems.push(format!(
                                "{}/{file}: {id}{part}: [{k}] is not a plural category of {}",
                                l.code, l.code
                            ));
                        }
                    }
                }
            }
        }
    }
    assert!(problems.is_empty(), "\n{}", problems.join("\n"));
}

/// String literals that follow `marker` (after optional whitespace).
fn literals_after(code: &str, marker: &str) -> Vec<String> {
    let mut out = Vec::new();
    for (i, _) in code.match_indices(marker) {
        let rest = code[i + marker.len()..].trim_start();
        if let Some(lit) = rest.strip_prefix('"') {
            if let Some(end) = lit.find('"') {
                out.push(lit[..end].to_string());
            }
        }
    }
    out
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// Every Fluent id the code and templates ask for, with where it came from.
fn ids_used() -> BTreeMap<String, String> {
    let mut used = BTreeMap::new();
    for entry in std::fs::read_dir(root().join("templates")).unwrap() {
        let p = entry.unwrap().path();
        let text = std::fs::read_to_string(&p).unwrap();
        for id in literals_after(&text, "tr.t(") {
            used.insert(id, format!("{}", p.display()));
        }
    }
    let mut files = Vec::new();
    rust_files(&root().join("crates"), &mut files);
    for p in files {
        let text = std::fs::read_to_string(&p).unwrap();
        // Unit tests may look up ids that must not exist.
        let code = text.split("#[cfg(test)]").next().unwrap_or("");
        let mut ids: Vec<String> = [".t(", ".t_args(", ".try_get("]
            .iter()
            .flat_map(|m| literals_after(code, m))
            .collect();
        // Field errors and bad-request details are ids carried in values.
        for (i, _) in code.match_indices("\"error-") {
            let lit = &code[i + 1..];
            if let Some(end) = lit.find('"') {
                ids.push(lit[..end].to_string());
            }
        }
        for id in ids {
            used.insert(id, format!("{}", p.display()));
        }
    }
    let q = Questionnaire::builtin().unwrap();
    let en = english_ids();
    let from = "questionnaire/default.toml".to_string();
    for f in &q.fields {
        used.insert(f.label_id(), from.clone());
        let options: Vec<String> = match f.kind {
            FieldType::Yesno => vec!["yes".into(), "no".into()],
            FieldType::Yesnounknown => vec!["yes".into(), "no".into(), "unknown".into()],
            _ => f.options.clone(),
        };
        for o in options {
            // The form falls back from `q-<field>-opt-<o>` to a shared `opt-<o>`.
            let specific = f.option_id(&o);
            let shared = format!("opt-{o}");
            let id = if en.contains(&specific) || !en.contains(&shared) {
                specific
            } else {
                shared
            };
            used.insert(id, from.clone());
        }
        if f.kind == FieldType::Date {
            for part in ["year", "month", "day", "precision"] {
                used.insert(format!("q-{}-{part}", f.id), from.clone());
            }
            for p in ["exact", "estimate", "unknown"] {
                used.insert(format!("q-{}-precision-{p}", f.id), from.clone());
            }
        }
        if f.kind == FieldType::Country {
            for c in countries::codes() {
                used.insert(
                    format!("country-{c}"),
                    "crates/core/src/model/countries.rs".into(),
                );
            }
        }
    }
    used
}

#[test]
fn every_message_the_code_uses_exists_in_english() {
    let used = ids_used();
    // The scan itself must find what we know is there.
    for known in [
        "site-name",
        "report-errors-title",
        "error-required",
        "error-identity-unavailable",
        "followup-status-in_review",
        "codename-advice-lost",
        "q-incident_date-precision-estimate",
        "opt-yes",
        "country-TJ",
    ] {
        assert!(used.contains_key(known), "the scan finds {known}");
    }
    let en = english_ids();
    let missing: Vec<String> = used
        .iter()
        .filter(|(id, _)| !en.contains(*id))
        .map(|(id, from)| format!("{id} (used in {from})"))
        .collect();
    assert!(
        missing.is_empty(),
        "missing in English:\n{}",
        missing.join("\n")
    );
}

// ----- pages -----

/// The text a reader sees: text nodes and the attributes read aloud.
fn visible_text(html: &scraper::Html) -> String {
    let mut out = String::new();
    for node in html.tree.nodes() {
        match node.value() {
            scraper::Node::Text(t) => {
                out.push_str(t);
                out.push('\n');
            }
            scraper::Node::Element(e) => {
                for a in ["aria-label", "title", "placeholder", "alt"] {
                    if let Some(v) = e.attr(a) {
                        out.push_str(v);
                        out.push('\n');
                    }
                }
            }
            _ => {}
        }
    }
    out
}

/// Words that look like Fluent ids (a known prefix, then more of an id).
fn raw_ids(text: &str) -> Vec<String> {
    const PREFIXES: &[&str] = &[
        "q-",
        "opt-",
        "error-",
        "followup-",
        "report-",
        "codename-",
        "confirm-",
        "index-",
        "country-",
        "site-",
        "skip-",
        "language-",
    ];
    text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_'))
        .filter(|w| {
            PREFIXES
                .iter()
                .any(|p| w.starts_with(p) && w.len() > p.len())
        })
        .map(str::to_string)
        .collect()
}

/// Messages each page must show in the page's own language.
fn key_messages(page: &str) -> &'static [&'static str] {
    match page {
        "home" => &["index-title", "index-start", "index-followup"],
        "anonymity-choice" => &["report-step1-intro", "q-anonymity-opt-anonymous"],
        "form-anonymous" | "form-consented" => &["report-intro", "report-submit"],
        "form-confidential" => &["report-intro", "q-narrative", "report-section-consent"],
        "form-with-errors" => &["report-errors-intro", "error-required"],
        "confirmation" => &["confirm-title", "codename-title", "codename-advice-lost"],
        "followup-login" => &["followup-title", "followup-codename-help"],
        "followup-thread" => &["followup-status-received", "followup-no-replies"],
        "followup-logged-out" => &["followup-logged-out"],
        "not-found" => &["error-not-found", "error-back"],
        other => panic!("no key messages for {other}"),
    }
}

/// The plain-text value of a message in a language, if it has one.
fn text_of(lang: &str, id: &str) -> Option<String> {
    FILES
        .iter()
        .find_map(|f| catalog(lang, f).msgs.remove(id).and_then(|m| m.text))
}

#[test]
fn every_page_renders_in_every_language_without_fallback_or_raw_ids() {
    let (app, _) = spawn_app(&[("ana", &[Role::Triage, Role::Identity])], |_| {});
    let mut problems = Vec::new();
    for lang in LANGS {
        let pages = source_pages(&app, lang.code);
        let kinds: Vec<_> = pages.iter().map(|p| p.name).collect();
        let want: Vec<_> = PAGE_KINDS.iter().map(|(n, _)| *n).collect();
        assert_eq!(kinds, want);
        for (page, (_, status)) in pages.iter().zip(PAGE_KINDS) {
            let at = format!("{} {}", lang.code, page.name);
            if page.status != *status {
                problems.push(format!("{at}: status {} (want {status})", page.status));
            }
            let html = scraper::Html::parse_document(&page.html);
            let root = html.root_element();
            let dir = if lang.rtl { "rtl" } else { "ltr" };
            if root.attr("lang") != Some(lang.code) || root.attr("dir") != Some(dir) {
                problems.push(format!(
                    "{at}: <html lang={:?} dir={:?}>, want lang={} dir={dir}",
                    root.attr("lang"),
                    root.attr("dir"),
                    lang.code
                ));
            }
            let text = visible_text(&html);
            let ids = raw_ids(&text);
            if !ids.is_empty() {
                problems.push(format!("{at}: untranslated ids shown: {ids:?}"));
            }
            for id in key_messages(page.name) {
                let Some(own) = text_of(lang.code, id) else {
                    problems.push(format!("{at}: {id} is not translated"));
                    continue;
                };
                if !text.contains(&own) {
                    problems.push(format!("{at}: does not show {id} = {own:?}"));
                }
                if lang.code != "en" && Some(&own) == text_of("en", id).as_ref() {
                    problems.push(format!("{at}: {id} is still English"));
                }
            }
            // A warning says "Be careful" once, not again in its text.
            if let Some(marker) = text_of(lang.code, "report-warning") {
                let warning = scraper::Selector::parse(".warning").unwrap();
                for w in html.select(&warning) {
                    let t: String = w.text().collect();
                    if t.matches(marker.as_str()).count() != 1 {
                        problems.push(format!("{at}: warning repeats its marker: {t}"));
                    }
                }
            }
            // Every link and form keeps the language.
            let sel = scraper::Selector::parse("a[href^='/'], form").unwrap();
            for el in html.select(&sel) {
                let keeps = match el.value().name() {
                    "form" => {
                        let hidden = scraper::Selector::parse("input[name=lang]").unwrap();
                        el.select(&hidden)
                            .any(|i| i.value().attr("value") == Some(lang.code))
                    }
                    _ => {
                        let href = el.value().attr("href").unwrap_or("");
                        // The language menu links to each language by design.
                        href.contains(&format!("lang={}", lang.code))
                            || el.value().attr("hreflang").is_some()
                    }
                };
                if !keeps {
                    problems.push(format!("{at}: {} loses the language", el.html()));
                }
            }
        }
    }
    assert!(problems.is_empty(), "\n{}", problems.join("\n"));
}

#[test]
fn accept_language_chooses_the_page_language_when_no_link_does() {
    let (app, _) = spawn_app(&[("ana", &[Role::Triage])], |_| {});
    for (header, want, dir) in [
        ("fa-IR,fa;q=0.9,en;q=0.5", "fa", "rtl"),
        ("zh-CN", "zh", "ltr"),
        ("de-DE", "en", "ltr"),
    ] {
        let html = common::client()
            .get(format!("{}/report", app.intake))
            .header("accept-language", header)
            .send()
            .unwrap()
            .text()
            .unwrap();
        assert!(
            html.contains(&format!("<html lang=\"{want}\" dir=\"{dir}\">")),
            "{header}: {}",
            &html[..200.min(html.len())]
        );
        assert!(
            html.contains(&text_of(want, "report-step1-intro").unwrap()),
            "{header}"
        );
    }
}
