//! Page-weight harness: fetches every source page in every language from a
//! real server on loopback and prints what each weighs with its stylesheet
//! on the wire, compressed as Tor Browser accepts, and as HTML (the budget
//! for slow Tor links is 30 KB on the wire). With `--write FILE` it also
//! replaces the "Page weights" section of FILE between the markers
//! `<!-- page-weights:start -->` and `<!-- page-weights:end -->`.
//!
//! Run it with `scripts/page-weights.sh`. The test
//! `every_page_with_its_stylesheet_stays_under_30_kb_on_the_wire_in_every_language`
//! (tests/a11y.rs) enforces the same budget on every `cargo test`.
#![forbid(unsafe_code)]
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../tests/common/mod.rs"]
mod common;

use amanat_core::model::Role;
use amanatd::i18n::LANGS;
use common::pages::{
    BUDGET, PAGE_KINDS, PRIVATE_BUDGET, PRIVATE_PAGES, budget_of, source_pages, stylesheet,
};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::process::ExitCode;

const START: &str = "<!-- page-weights:start -->";
const END: &str = "<!-- page-weights:end -->";

fn kb(bytes: usize) -> String {
    format!("{:.1} KB", bytes as f64 / 1024.0)
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let target = match args.as_slice() {
        [] => None,
        [flag, file] if flag == "--write" => Some(file.clone()),
        _ => {
            eprintln!("usage: page-weights [--write FILE]");
            return ExitCode::from(2);
        }
    };

    let (app, _) = common::spawn_app(&[("ana", &[Role::Triage, Role::Identity])], |_| {});
    let sheet = stylesheet(&app);
    let (css, css_html) = (sheet.wire, sheet.html.len());
    // weights[page kind][language] = bytes on the wire; html[..][..] = HTML bytes
    let mut weights: BTreeMap<&str, BTreeMap<&str, usize>> = BTreeMap::new();
    let mut html: BTreeMap<&str, BTreeMap<&str, usize>> = BTreeMap::new();
    for lang in LANGS {
        for page in source_pages(&app, lang.code) {
            weights
                .entry(page.name)
                .or_default()
                .insert(lang.code, page.wire);
            html.entry(page.name)
                .or_default()
                .insert(lang.code, page.html.len());
        }
    }

    let mut md = String::new();
    let _ = writeln!(
        md,
        "Every source page in each of the {} languages, as bytes on the wire \
         (the body without HTTP headers) for a browser that accepts gzip, as Tor \
         Browser does, plus the stylesheet ({css} bytes gzipped, {css_html} as \
         text) that every page loads. Pages that carry a secret ({}) are never \
         compressed. Budget: {} ({BUDGET} bytes) per page with its stylesheet; \
         {} ({PRIVATE_BUDGET} bytes) for the pages that are never compressed.\n",
        LANGS.len(),
        PRIVATE_PAGES.join(", "),
        kb(BUDGET),
        kb(PRIVATE_BUDGET),
    );
    let _ = writeln!(
        md,
        "Largest and smallest language for each kind of page (HTML + CSS on the \
         wire; the largest uncompressed HTML for comparison):\n"
    );
    let _ = writeln!(
        md,
        "| page | largest | language | smallest | language | largest HTML |"
    );
    let _ = writeln!(md, "|---|---:|---|---:|---|---:|");
    let mut over = Vec::new();
    for (kind, _) in PAGE_KINDS {
        let by_lang = &weights[kind];
        let (max_lang, max) = by_lang.iter().max_by_key(|(_, w)| **w).unwrap();
        let (min_lang, min) = by_lang.iter().min_by_key(|(_, w)| **w).unwrap();
        let largest_html = html[kind].values().max().copied().unwrap_or(0);
        let _ = writeln!(
            md,
            "| {kind} | {} ({} B) | {max_lang} | {} ({} B) | {min_lang} | {} |",
            kb(max + css),
            max + css,
            kb(min + css),
            min + css,
            kb(largest_html + css_html)
        );
        for (lang, w) in by_lang {
            if w + css > budget_of(kind) {
                over.push(format!("{lang} {kind}: {} bytes", w + css));
            }
        }
    }
    let _ = writeln!(md, "\nPer language (HTML + CSS on the wire):\n");
    let _ = writeln!(
        md,
        "| language | largest page | weight | all {} pages |",
        PAGE_KINDS.len()
    );
    let _ = writeln!(md, "|---|---|---:|---:|");
    for lang in LANGS {
        let (kind, w) = PAGE_KINDS
            .iter()
            .map(|(k, _)| (*k, weights[k][lang.code]))
            .max_by_key(|(_, w)| *w)
            .unwrap();
        let total: usize = PAGE_KINDS
            .iter()
            .map(|(k, _)| weights[k][lang.code] + css)
            .sum();
        let _ = writeln!(
            md,
            "| {} | {kind} | {} | {} |",
            lang.code,
            kb(w + css),
            kb(total)
        );
    }
    print!("{md}");

    if let Some(file) = target {
        let doc = match std::fs::read_to_string(&file) {
            Ok(d) => d,
            Err(e) => {
                eprintln!("cannot read {file}: {e}");
                return ExitCode::FAILURE;
            }
        };
        let (Some(s), Some(e)) = (doc.find(START), doc.find(END)) else {
            eprintln!("{file} has no {START} … {END} markers");
            return ExitCode::FAILURE;
        };
        if e < s {
            eprintln!("{file}: the markers are in the wrong order");
            return ExitCode::FAILURE;
        }
        let updated = format!("{}{START}\n{md}{}", &doc[..s], &doc[e..]);
        if let Err(e) = std::fs::write(&file, updated) {
            eprintln!("cannot write {file}: {e}");
            return ExitCode::FAILURE;
        }
        eprintln!("updated {file}");
    }
    if !over.is_empty() {
        eprintln!("over budget:\n{}", over.join("\n"));
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}
