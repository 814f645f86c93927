//! Accessibility and slow links: every source page in every language is
//! checked the way an assistive technology or a keyboard user meets it
//! (labels, groups, the error summary's links, tab order), the stylesheet's
//! colour pairs meet WCAG AA, nothing is loaded from anywhere else, and every
//! page with its stylesheet stays under 30 KB on the wire for slow Tor links
//! (compressed, except the pages that carry a secret).
#![forbid(unsafe_code)]
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use amanat_core::model::Role;
use amanatd::i18n::LANGS;
use common::pages::{BUDGET, FORM_PAGES, PRIVATE_PAGES, Page, budget_of, source_pages, stylesheet};
use common::{TestApp, spawn_app};
use scraper::{ElementRef, Html, Selector};
use std::collections::{BTreeMap, HashSet};

fn sel(s: &str) -> Selector {
    Selector::parse(s).unwrap()
}

fn app() -> TestApp {
    spawn_app(&[("ana", &[Role::Triage, Role::Identity])], |_| {}).0
}

/// Every page in every language: (language, page).
fn all_pages(app: &TestApp) -> Vec<(&'static str, Page)> {
    LANGS
        .iter()
        .flat_map(|l| {
            source_pages(app, l.code)
                .into_iter()
                .map(move |p| (l.code, p))
        })
        .collect()
}

fn text(el: ElementRef<'_>) -> String {
    el.text().collect::<String>().trim().to_string()
}

/// The fieldset's own legend text, if its first child element is a legend.
fn legend_of(fieldset: ElementRef<'_>) -> Option<String> {
    let first = fieldset.children().find_map(ElementRef::wrap)?;
    (first.value().name() == "legend").then(|| text(first))
}

/// Problems a screen-reader or keyboard user would meet on one page.
fn page_problems(html: &Html) -> Vec<String> {
    let mut problems = Vec::new();
    let mut ids = HashSet::new();
    for el in html.select(&sel("[id]")) {
        let id = el.value().attr("id").unwrap_or_default();
        if !ids.insert(id.to_string()) {
            problems.push(format!("id {id:?} used twice"));
        }
    }
    let labels: BTreeMap<String, String> = html
        .select(&sel("label[for]"))
        .map(|l| {
            (
                l.value().attr("for").unwrap_or_default().to_string(),
                text(l),
            )
        })
        .collect();
    for (target, label) in &labels {
        if !ids.contains(target) {
            problems.push(format!("label for missing id {target:?}"));
        }
        if label.is_empty() {
            problems.push(format!("label for {target:?} is empty"));
        }
    }
    for fs in html.select(&sel("fieldset")) {
        if legend_of(fs).is_none_or(|l| l.is_empty()) {
            problems.push(format!(
                "fieldset without a legend first: {}",
                &fs.html()[..80.min(fs.html().len())]
            ));
        }
    }
    for c in html.select(&sel("input:not([type=hidden]), select, textarea")) {
        let id = c.value().attr("id");
        let labelled = id.is_some_and(|id| labels.get(id).is_some_and(|l| !l.is_empty()))
            || c.ancestors()
                .filter_map(ElementRef::wrap)
                .any(|a| a.value().name() == "label" && !text(a).is_empty());
        let grouped = c
            .ancestors()
            .filter_map(ElementRef::wrap)
            .find(|a| a.value().name() == "fieldset")
            .and_then(legend_of)
            .is_some_and(|l| !l.is_empty());
        if !labelled && !grouped {
            problems.push(format!("control without label or legend: {}", c.html()));
        }
        if c.value().attr("name").is_none() {
            problems.push(format!("control without a name: {}", c.html()));
        }
    }
    for b in html.select(&sel("button")) {
        if text(b).is_empty() {
            problems.push(format!("button without text: {}", b.html()));
        }
    }
    for el in html.select(&sel("[aria-describedby], [aria-labelledby]")) {
        for attr in ["aria-describedby", "aria-labelledby"] {
            for id in el.value().attr(attr).unwrap_or_default().split_whitespace() {
                if !ids.contains(id) {
                    problems.push(format!("{attr} points at missing id {id:?}"));
                }
            }
        }
    }
    for el in html.select(&sel("[tabindex]")) {
        let t: i32 = el
            .value()
            .attr("tabindex")
            .unwrap_or("0")
            .parse()
            .unwrap_or(1);
        if t > 0 {
            problems.push(format!("tabindex {t} changes the tab order"));
        }
    }
    // In-page links (the skip link, the error summary) land somewhere.
    for a in html.select(&sel("a[href^='#']")) {
        let target = &a.value().attr("href").unwrap_or_default()[1..];
        if !ids.contains(target) {
            problems.push(format!("link to missing #{target}"));
        }
    }
    // The skip link is the first thing a keyboard reaches.
    let first_link = html.select(&sel("body a, body button, body input")).next();
    if first_link.and_then(|a| a.value().attr("href")) != Some("#main") {
        problems.push("the first focusable element is not the skip link".into());
    }
    problems
}

#[test]
fn every_control_has_a_label_and_the_keyboard_order_is_natural_in_every_language() {
    let app = app();
    let mut problems = Vec::new();
    let mut forms_seen = 0;
    for (lang, page) in all_pages(&app) {
        let html = Html::parse_document(&page.html);
        if FORM_PAGES.contains(&page.name) {
            forms_seen += 1;
            assert!(
                html.select(&sel(
                    "form select, form textarea, form input[type=text], form input[type=radio]"
                ))
                .next()
                .is_some(),
                "{lang} {}: a form page has controls",
                page.name
            );
        }
        problems.extend(
            page_problems(&html)
                .into_iter()
                .map(|p| format!("{lang} {}: {p}", page.name)),
        );
    }
    assert_eq!(forms_seen, FORM_PAGES.len() * LANGS.len());
    assert!(problems.is_empty(), "\n{}", problems.join("\n"));
}

#[test]
fn the_error_summary_links_to_each_field_that_needs_attention() {
    let app = app();
    for lang in LANGS {
        let pages = source_pages(&app, lang.code);
        let page = pages.iter().find(|p| p.name == "form-with-errors").unwrap();
        let html = Html::parse_document(&page.html);
        let summary = html
            .select(&sel(".errors[role=alert]"))
            .next()
            .unwrap_or_else(|| panic!("{}: an error summary", lang.code));
        let links: Vec<_> = summary.select(&sel("a[href^='#']")).collect();
        let invalid: Vec<_> = html.select(&sel(".field.invalid")).collect();
        // Four required answers missing and a year out of range.
        assert_eq!(links.len(), 5, "{}: {}", lang.code, summary.html());
        assert_eq!(invalid.len(), links.len(), "{}", lang.code);
        for a in links {
            let id = &a.value().attr("href").unwrap()[1..];
            let target = html
                .select(&sel(&format!("[id='{id}']")))
                .next()
                .unwrap_or_else(|| panic!("{}: #{id} exists", lang.code));
            let in_invalid_field = target.ancestors().filter_map(ElementRef::wrap).any(|e| {
                e.value().classes().any(|c| c == "invalid")
                    && e.value().attr("id") == Some(&format!("field-{id}"))
            });
            assert!(
                in_invalid_field,
                "{}: #{id} is inside its invalid field",
                lang.code
            );
            assert!(
                matches!(
                    target.value().name(),
                    "input" | "select" | "textarea" | "legend"
                ),
                "{}: #{id} is a control or a group's legend, not {}",
                lang.code,
                target.value().name()
            );
            assert!(!text(a).is_empty());
        }
        // Errors do not rely on colour: each has the "!" marker and words.
        for field in invalid {
            let err = field
                .select(&sel(".error"))
                .next()
                .unwrap_or_else(|| panic!("{}: an error message in {}", lang.code, field.html()));
            let t = text(err);
            assert!(
                t.starts_with('!') && t.chars().count() > 5,
                "{}: {t}",
                lang.code
            );
        }
    }
}

// ----- the stylesheet -----

fn strip_comments(css: &str) -> String {
    let mut out = String::new();
    let mut rest = css;
    while let Some(start) = rest.find("/*") {
        out.push_str(&rest[..start]);
        let end = rest[start..].find("*/").expect("closed comment");
        rest = &rest[start + end + 2..];
    }
    out.push_str(rest);
    out
}

/// Rules of a flat stylesheet: each selector of a list maps to its
/// declarations, with `var(--x)` resolved from `:root`.
struct Css {
    rules: Vec<Rule>,
}

/// A rule: its selectors and its `(property, value)` declarations.
type Rule = (Vec<String>, Vec<(String, String)>);

impl Css {
    fn parse(css: &str) -> Css {
        let css = strip_comments(css);
        let mut rules = Vec::new();
        for block in css.split('}') {
            let Some((selectors, body)) = block.split_once('{') else {
                continue;
            };
            let selectors = selectors
                .split(',')
                .map(|s| s.split_whitespace().collect::<Vec<_>>().join(" "))
                .collect();
            let decls = body
                .split(';')
                .filter_map(|d| d.split_once(':'))
                .map(|(p, v)| (p.trim().to_string(), v.trim().to_string()))
                .collect();
            rules.push((selectors, decls));
        }
        let mut css = Css { rules };
        let vars: Vec<(String, String)> = css
            .decls(":root")
            .into_iter()
            .filter(|(p, _)| p.starts_with("--"))
            .collect();
        for (_, decls) in &mut css.rules {
            for (_, v) in decls.iter_mut() {
                for (name, value) in &vars {
                    *v = v.replace(&format!("var({name})"), value);
                }
            }
        }
        css
    }

    fn decls(&self, selector: &str) -> Vec<(String, String)> {
        self.rules
            .iter()
            .filter(|(s, _)| s.iter().any(|s| s == selector))
            .flat_map(|(_, d)| d.clone())
            .collect()
    }

    /// The last value of `property` set by a rule for `selector`.
    fn get(&self, selector: &str, properties: &[&str]) -> Option<String> {
        self.decls(selector)
            .into_iter()
            .filter(|(p, _)| properties.contains(&p.as_str()))
            .map(|(_, v)| v)
            .next_back()
    }

    /// The colour set by `selector` for one of `properties` (first hex colour in the value).
    fn colour(&self, selector: &str, properties: &[&str]) -> [u8; 3] {
        let v = self
            .get(selector, properties)
            .unwrap_or_else(|| panic!("{selector} sets {properties:?}"));
        v.split_whitespace()
            .find_map(hex)
            .unwrap_or_else(|| panic!("{selector} {properties:?}: no colour in {v:?}"))
    }
}

fn hex(s: &str) -> Option<[u8; 3]> {
    let h = s.strip_prefix('#')?;
    let h: String = match h.len() {
        3 => h.chars().flat_map(|c| [c, c]).collect(),
        6 => h.to_string(),
        _ => return None,
    };
    let n = u32::from_str_radix(&h, 16).ok()?;
    Some([(n >> 16) as u8, (n >> 8) as u8, n as u8])
}

/// WCAG 2 relative luminance.
fn luminance(c: [u8; 3]) -> f64 {
    let lin = |v: u8| {
        let s = f64::from(v) / 255.0;
        if s <= 0.03928 {
            s / 12.92
        } else {
            ((s + 0.055) / 1.055).powf(2.4)
        }
    };
    0.2126 * lin(c[0]) + 0.7152 * lin(c[1]) + 0.0722 * lin(c[2])
}

/// WCAG 2 contrast ratio.
fn contrast(a: [u8; 3], b: [u8; 3]) -> f64 {
    let (la, lb) = (luminance(a), luminance(b));
    (la.max(lb) + 0.05) / (la.min(lb) + 0.05)
}

#[test]
fn the_contrast_formula_matches_known_values() {
    assert!((contrast([0, 0, 0], [255, 255, 255]) - 21.0).abs() < 0.01);
    assert!((contrast([0x76, 0x76, 0x76], [255, 255, 255]) - 4.54).abs() < 0.01);
    assert!((contrast([0x77, 0x77, 0x77], [255, 255, 255]) - 4.48).abs() < 0.01);
}

#[test]
fn text_and_background_colours_meet_wcag_aa() {
    let css = Css::parse(include_str!("../../static/style.css"));
    let fg = |s: &str| css.colour(s, &["color"]);
    let bg = |s: &str| css.colour(s, &["background", "background-color"]);
    let page = bg("body");
    let ink = fg("body");
    // (what, text colour, background colour, minimum ratio)
    let pairs = [
        ("body text", ink, page, 4.5),
        ("links", fg("a"), page, 4.5),
        ("help text", fg(".help"), page, 4.5),
        ("\"required\" marker", fg(".req"), page, 4.5),
        ("field error", fg(".error"), page, 4.5),
        ("warning text", ink, bg(".warning"), 4.5),
        ("notice text", ink, bg(".notice"), 4.5),
        ("error summary text", ink, bg(".errors"), 4.5),
        ("error summary links", fg("a"), bg(".errors"), 4.5),
        ("button", fg("button"), bg("button"), 4.5),
        (
            "secondary button",
            fg("button.secondary"),
            bg("button.secondary"),
            4.5,
        ),
        ("codename", ink, bg(".codename"), 4.5),
        // Non-text contrast (WCAG 1.4.11): what shows focus and field edges.
        (
            "focus outline",
            css.colour("a:focus", &["outline"]),
            page,
            3.0,
        ),
        (
            "field border",
            css.colour("input[type=text]", &["border"]),
            page,
            3.0,
        ),
    ];
    let mut report = Vec::new();
    let mut failures = Vec::new();
    for (what, f, b, min) in pairs {
        let r = contrast(f, b);
        let line = format!("{what}: {r:.2}:1 (needs {min}:1)");
        if r < min {
            failures.push(line.clone());
        }
        report.push(line);
    }
    println!("{}", report.join("\n"));
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

#[test]
fn focus_is_always_visible() {
    let css = Css::parse(include_str!("../../static/style.css"));
    for s in [
        "a:focus",
        "input:focus",
        "select:focus",
        "textarea:focus",
        "button:focus",
        ".button:focus",
    ] {
        let outline = css
            .get(s, &["outline"])
            .unwrap_or_else(|| panic!("{s} has an outline"));
        let px: f64 = outline
            .split_whitespace()
            .find_map(|w| w.strip_suffix("px").and_then(|n| n.parse().ok()))
            .unwrap_or(0.0);
        assert!(px >= 2.0 && outline.contains("solid"), "{s}: {outline}");
    }
    let flat = strip_comments(include_str!("../../static/style.css")).replace(' ', "");
    assert!(
        !flat.contains("outline:none") && !flat.contains("outline:0"),
        "no rule hides the focus outline"
    );
    assert_eq!(
        css.get(".skip:focus", &["position"]).as_deref(),
        Some("static"),
        "the skip link appears when focused"
    );
}

#[test]
fn nothing_is_loaded_from_elsewhere_and_there_is_no_script() {
    let css = strip_comments(include_str!("../../static/style.css")).to_lowercase();
    for bad in ["@import", "@font-face", "url(", "http:", "https:", "//"] {
        assert!(!css.contains(bad), "the stylesheet contains {bad}");
    }
    let app = app();
    assert_eq!(
        stylesheet(&app).html,
        include_str!("../../static/style.css"),
        "the served stylesheet is static/style.css"
    );
    let mut problems = Vec::new();
    for (lang, page) in all_pages(&app) {
        let html = Html::parse_document(&page.html);
        let at = format!("{lang} {}", page.name);
        for tag in [
            "script", "iframe", "img", "object", "embed", "style", "base",
        ] {
            if html.select(&sel(tag)).next().is_some() {
                problems.push(format!("{at}: has <{tag}>"));
            }
        }
        if page.html.to_lowercase().contains("@import") {
            problems.push(format!("{at}: @import"));
        }
        let links: Vec<_> = html.select(&sel("link")).collect();
        if links.len() != 1
            || links[0].value().attr("href") != Some("/static/style.css")
            || links[0].value().attr("rel") != Some("stylesheet")
        {
            problems.push(format!("{at}: <link>s other than our stylesheet"));
        }
        for el in html.select(&sel(
            "[href], [src], [action], [formaction], [srcset], [style]",
        )) {
            if el.value().attr("style").is_some() {
                problems.push(format!("{at}: inline style on {}", el.value().name()));
            }
            for a in ["href", "src", "action", "formaction", "srcset"] {
                let Some(v) = el.value().attr(a) else {
                    continue;
                };
                let local = (v.starts_with('/') && !v.starts_with("//"))
                    || v.starts_with('#')
                    || v.starts_with('?');
                if !local {
                    problems.push(format!("{at}: {a}={v:?} leaves the site"));
                }
            }
        }
    }
    assert!(problems.is_empty(), "\n{}", problems.join("\n"));
}

#[test]
fn every_page_with_its_stylesheet_stays_under_30_kb_on_the_wire_in_every_language() {
    let app = app();
    let css = stylesheet(&app);
    assert_eq!(
        css.encoding.as_deref(),
        Some("gzip"),
        "the stylesheet is compressed"
    );
    let mut seen = 0;
    let mut over = Vec::new();
    let mut largest = (0, String::new());
    for (lang, page) in all_pages(&app) {
        let weight = page.wire + css.wire;
        seen += 1;
        // A page that carries a secret cannot be compressed (see
        // `render_private` in crates/server/src/intake/render.rs): the form shown again with
        // the source's answers weighs what its HTML weighs, and has a budget
        // of its own for that.
        let budget = budget_of(page.name);
        if weight > largest.0 && budget == BUDGET {
            largest = (weight, format!("{lang} {}", page.name));
        }
        if weight > budget {
            over.push(format!("{lang} {}: {weight} bytes", page.name));
        }
    }
    println!("largest: {} ({} bytes)", largest.1, largest.0);
    assert_eq!(seen, LANGS.len() * common::pages::PAGE_KINDS.len());
    assert!(
        over.is_empty(),
        "over the {BUDGET}-byte budget (HTML + CSS on the wire):\n{}",
        over.join("\n")
    );
}

#[test]
fn pages_that_carry_a_secret_are_never_compressed_and_the_others_are() {
    // Compression makes a response's length depend on its content. The
    // confirmation (the codename) and the thread (the messages) are sent as
    // they are, so their length says nothing about what is in them; the
    // other pages carry no secret but a one-time anti-forgery token.
    let app = app();
    let mut checked = 0;
    for page in source_pages(&app, "ru") {
        let private = PRIVATE_PAGES.contains(&page.name);
        let expected = if private {
            Some("identity")
        } else {
            Some("gzip")
        };
        assert_eq!(page.encoding.as_deref(), expected, "{}", page.name);
        assert!(
            page.html.contains("</html>"),
            "{}: the page reads back whole",
            page.name
        );
        checked += usize::from(private);
    }
    assert_eq!(checked, PRIVATE_PAGES.len());
}
