//! View models and templates of the source interface.
//!
//! Handlers build these from the questionnaire, the translator and (when a
//! form is shown again) the submitted values; templates only render them and
//! escape everything.

use crate::i18n::{Arg, LANGS, Lang, Tr};
use amanat_core::model::Anonymity;
use amanat_core::model::answers::FieldError;
use amanat_core::model::{FieldDef, FieldType, Questionnaire, Section, countries};
use askama::Template;
use std::collections::HashMap;

/// What every page needs: language, translator, language menu.
pub struct PageCtx {
    pub tr: Tr,
    pub lang: &'static Lang,
    pub langs: Vec<LangLink>,
}

/// One entry of the language menu.
pub struct LangLink {
    pub code: &'static str,
    pub native: &'static str,
    pub href: String,
    pub current: bool,
}

impl PageCtx {
    /// A page context; `path_query` is the page's path plus any query to keep
    /// (without `lang`), e.g. `/report?anonymity=anonymous`.
    pub fn new(lang: &'static Lang, path_query: &str) -> PageCtx {
        let sep = if path_query.contains('?') { '&' } else { '?' };
        PageCtx {
            tr: Tr::new(lang),
            lang,
            langs: LANGS
                .iter()
                .map(|l| LangLink {
                    code: l.code,
                    native: l.native,
                    href: format!("{path_query}{sep}lang={}", l.code),
                    current: l.code == lang.code,
                })
                .collect(),
        }
    }
}

#[derive(Template)]
#[template(path = "index.html")]
pub struct IndexPage {
    pub page: PageCtx,
}

#[derive(Template)]
#[template(path = "anonymity.html")]
pub struct AnonymityPage {
    pub page: PageCtx,
    pub field: FieldView,
}

#[derive(Template)]
#[template(path = "report.html")]
pub struct ReportPage {
    pub page: PageCtx,
    /// The file input, last in the form (so every answer arrives before
    /// the files); `None` when attachments are turned off.
    pub files: Option<FilesView>,
    pub csrf: String,
    pub anonymity: String,
    pub anonymity_choice: String,
    pub errors_title: String,
    pub errors: Vec<ErrorLink>,
    pub sections: Vec<SectionView>,
}

#[derive(Template)]
#[template(path = "confirm.html")]
pub struct ConfirmPage {
    pub page: PageCtx,
    /// The receipt, shown once: the same wiped buffer the codename was
    /// generated into, never copied into a plain `String`.
    pub codename: zeroize::Zeroizing<String>,
    pub files: Vec<FileResult>,
}

/// One attachment on the confirmation page.
pub struct FileResult {
    pub name: String,
    pub result: String,
}

#[derive(Template)]
#[template(path = "error.html")]
pub struct ErrorPage {
    pub page: PageCtx,
    pub message: String,
}

/// The attachments part of the form.
pub struct FilesView {
    pub label: String,
    pub help: String,
    pub limits: String,
    pub keep_label: String,
    pub keep_checked: bool,
    /// Files just refused because they cannot be cleaned: the form names
    /// them and offers "send as it is" (a second file input whose files are
    /// stored with their metadata) and "leave it out".
    pub refused: Vec<RefusedFile>,
}

impl FilesView {
    /// The same view, naming files that were refused.
    pub fn with_refused(mut self, refused: Vec<RefusedFile>) -> FilesView {
        self.refused = refused;
        self
    }
}

/// A file that could not be cleaned, and why.
#[derive(Clone, Debug)]
pub struct RefusedFile {
    pub name: String,
    pub reason: String,
}

/// The attachments part of the form, if the questionnaire has a files field
/// and attachments are allowed.
pub fn files_view(
    tr: &Tr,
    q: &Questionnaire,
    max_files: usize,
    max_bytes: u64,
    values: Option<&Values>,
) -> Option<FilesView> {
    let f = q.fields.iter().find(|f| f.kind == FieldType::Files)?;
    if max_files == 0 {
        return None;
    }
    Some(FilesView {
        label: label(tr, f),
        help: tr.t(&f.help_id()),
        limits: tr.t_args(
            "attachments-limits",
            &[
                ("count", Arg::Num(max_files as i64)),
                ("size", Arg::Text(crate::web::human_bytes(max_bytes))),
            ],
        ),
        keep_label: tr.t("attachments-keep-label"),
        keep_checked: values
            .and_then(|v| v.get(super::upload::KEEP_FIELD))
            .is_some_and(|v| v.iter().any(|x| x == "yes")),
        refused: Vec::new(),
    })
}

/// An entry of the error summary at the top of the form.
pub struct ErrorLink {
    pub anchor: String,
    pub label: String,
    pub message: String,
}

/// A group of fields with a heading.
pub struct SectionView {
    pub id: &'static str,
    pub title: String,
    pub help: Option<String>,
    pub fields: Vec<FieldView>,
}

/// One question, ready to render.
pub struct FieldView {
    pub id: String,
    /// text, textarea, select, radio, checkbox or date.
    pub kind: &'static str,
    pub label: String,
    pub help: Option<String>,
    pub warning: bool,
    pub required: bool,
    pub max: usize,
    pub value: String,
    pub options: Vec<OptionView>,
    pub date: Option<DateView>,
    pub error: Option<String>,
}

impl FieldView {
    /// Whether the field has notes (error, warning or help) to show and to
    /// point `aria-describedby` at; an empty notes block would only add weight.
    pub fn has_notes(&self) -> bool {
        self.error.is_some() || self.warning || self.help.is_some()
    }
}

/// One option of a choice.
pub struct OptionView {
    pub value: String,
    pub label: String,
    pub checked: bool,
}

/// The parts of an approximate date.
pub struct DateView {
    pub year_label: String,
    pub month_label: String,
    pub day_label: String,
    pub precision_label: String,
    pub year: String,
    pub months: Vec<OptionView>,
    pub days: Vec<OptionView>,
    pub precision: Vec<OptionView>,
}

/// Submitted values by name, for showing a form again.
pub type Values = HashMap<String, Vec<String>>;

/// Groups pairs by name.
pub fn values_of(pairs: &[(String, String)]) -> Values {
    let mut v: Values = HashMap::new();
    for (k, val) in pairs {
        v.entry(k.clone()).or_default().push(val.clone());
    }
    v
}

/// The label of a field.
pub fn label(tr: &Tr, f: &FieldDef) -> String {
    tr.try_get(&f.label_id())
        .or_else(|| f.label.clone())
        .unwrap_or_else(|| f.id.clone())
}

/// The label of an option.
pub fn option_label(tr: &Tr, f: &FieldDef, option: &str) -> String {
    tr.try_get(&f.option_id(option))
        .or_else(|| tr.try_get(&format!("opt-{option}")))
        .unwrap_or_else(|| option.to_string())
}

/// The text of a field error.
pub fn error_text(tr: &Tr, e: &FieldError) -> String {
    let args: Vec<(&str, Arg)> = e.args.iter().map(|(k, v)| (*k, Arg::Num(*v))).collect();
    tr.t_args(e.message, &args)
}

/// The anonymity question as a view (first step and the hidden choice).
pub fn anonymity_field(tr: &Tr, q: &Questionnaire, chosen: Option<Anonymity>) -> FieldView {
    let f = q.field("anonymity");
    let chosen = chosen
        .map(|a| a.to_string())
        .or_else(|| f.and_then(|f| f.default.clone()));
    FieldView {
        id: "anonymity".into(),
        kind: "radio",
        label: f.map(|f| label(tr, f)).unwrap_or_default(),
        help: tr.try_get("q-anonymity-help"),
        warning: false,
        required: true,
        max: 0,
        value: String::new(),
        options: Anonymity::ALL
            .iter()
            .map(|a| OptionView {
                value: a.to_string(),
                label: f
                    .map(|f| option_label(tr, f, a.as_str()))
                    .unwrap_or_default(),
                checked: chosen.as_deref() == Some(a.as_str()),
            })
            .collect(),
        date: None,
        error: None,
    }
}

/// Builds the form's sections for an anonymity level.
pub fn sections(
    tr: &Tr,
    q: &Questionnaire,
    anonymity: Anonymity,
    identity_available: bool,
    values: Option<&Values>,
    errors: &[FieldError],
) -> Vec<SectionView> {
    let mut report = Vec::new();
    let mut identity = Vec::new();
    let mut consent = Vec::new();
    for f in &q.fields {
        if matches!(f.kind, FieldType::Anonymity | FieldType::Files) {
            continue;
        }
        if f.only_with.is_some_and(|a| a != anonymity) {
            continue;
        }
        let view = field_view(tr, f, values, errors);
        if f.section == Section::Identity {
            if anonymity != Anonymity::Anonymous && identity_available {
                identity.push(view);
            }
        } else if f.id.starts_with("consent_") {
            consent.push(view);
        } else {
            report.push(view);
        }
    }
    let mut out = vec![SectionView {
        id: "report",
        title: tr.t("report-section-report"),
        help: None,
        fields: report,
    }];
    if !identity.is_empty() {
        out.push(SectionView {
            id: "identity",
            title: tr.t("report-section-identity"),
            help: tr.try_get("report-section-identity-help"),
            fields: identity,
        });
    }
    if !consent.is_empty() {
        out.push(SectionView {
            id: "consent",
            title: tr.t("report-section-consent"),
            help: tr.try_get("report-section-consent-help"),
            fields: consent,
        });
    }
    out
}

fn field_view(tr: &Tr, f: &FieldDef, values: Option<&Values>, errors: &[FieldError]) -> FieldView {
    let submitted = |name: &str| -> Vec<String> {
        values
            .and_then(|v| v.get(name))
            .cloned()
            .unwrap_or_default()
    };
    let first = |name: &str| submitted(name).into_iter().next().unwrap_or_default();
    // Before the first submission, pre-select the questionnaire's default.
    let picked: Vec<String> = match values {
        Some(_) => submitted(&f.id),
        None => f.default.clone().into_iter().collect(),
    };
    let opts = |list: &mut dyn Iterator<Item = (String, String)>| -> Vec<OptionView> {
        list.map(|(value, label)| OptionView {
            checked: picked.contains(&value),
            value,
            label,
        })
        .collect()
    };
    let (kind, options) = match f.kind {
        FieldType::Select if f.options.len() > 8 => (
            "select",
            opts(
                &mut f
                    .options
                    .iter()
                    .map(|o| (o.clone(), option_label(tr, f, o))),
            ),
        ),
        FieldType::Select => (
            "radio",
            opts(
                &mut f
                    .options
                    .iter()
                    .map(|o| (o.clone(), option_label(tr, f, o))),
            ),
        ),
        FieldType::Multiselect => (
            "checkbox",
            opts(
                &mut f
                    .options
                    .iter()
                    .map(|o| (o.clone(), option_label(tr, f, o))),
            ),
        ),
        FieldType::Country => {
            let mut list: Vec<(String, String)> = countries::codes()
                .iter()
                .map(|c| (c.to_string(), tr.t(&format!("country-{c}"))))
                .collect();
            list.sort_by_cached_key(|(_, name)| name.to_lowercase());
            ("select", opts(&mut list.into_iter()))
        }
        FieldType::Yesno => {
            let mut o = opts(
                &mut ["yes", "no"]
                    .iter()
                    .map(|v| (v.to_string(), option_label(tr, f, v))),
            );
            // A consent question nobody answered reads as "no", visibly.
            if !o.iter().any(|o| o.checked) {
                if let Some(no) = o.iter_mut().find(|o| o.value == "no") {
                    no.checked = true;
                }
            }
            ("radio", o)
        }
        FieldType::Yesnounknown => (
            "radio",
            opts(
                &mut ["yes", "no", "unknown"]
                    .iter()
                    .map(|v| (v.to_string(), option_label(tr, f, v))),
            ),
        ),
        FieldType::Text => ("text", Vec::new()),
        FieldType::Longtext => ("textarea", Vec::new()),
        FieldType::Date => ("date", Vec::new()),
        FieldType::Anonymity | FieldType::Files => ("text", Vec::new()),
    };
    let date = (f.kind == FieldType::Date).then(|| {
        let month = first(&format!("{}_month", f.id));
        let day = first(&format!("{}_day", f.id));
        let precision = first(&format!("{}_precision", f.id));
        let numbered = |n: u32, chosen: &str, unknown: String| {
            std::iter::once(OptionView {
                value: String::new(),
                label: unknown,
                checked: chosen.is_empty(),
            })
            .chain((1..=n).map(|i| OptionView {
                value: i.to_string(),
                label: format!("{i:02}"),
                checked: chosen == i.to_string(),
            }))
            .collect()
        };
        DateView {
            year_label: tr.t(&format!("q-{}-year", f.id)),
            month_label: tr.t(&format!("q-{}-month", f.id)),
            day_label: tr.t(&format!("q-{}-day", f.id)),
            precision_label: tr.t(&format!("q-{}-precision", f.id)),
            year: first(&format!("{}_year", f.id)),
            months: numbered(12, &month, tr.t("report-month-unknown")),
            days: numbered(31, &day, tr.t("report-day-unknown")),
            precision: ["exact", "estimate", "unknown"]
                .iter()
                .map(|p| OptionView {
                    value: p.to_string(),
                    label: tr.t(&format!("q-{}-precision-{p}", f.id)),
                    checked: precision == *p,
                })
                .collect(),
        }
    });
    FieldView {
        id: f.id.clone(),
        kind,
        label: label(tr, f),
        help: tr.try_get(&f.help_id()),
        warning: f.warning,
        required: f.required,
        max: f.max_chars(),
        value: if matches!(f.kind, FieldType::Text | FieldType::Longtext) {
            first(&f.id)
        } else {
            String::new()
        },
        options,
        date,
        error: errors
            .iter()
            .find(|e| e.field == f.id)
            .map(|e| error_text(tr, e)),
    }
}
