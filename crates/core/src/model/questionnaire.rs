//! The questionnaire: which questions the form asks, as data.
//!
//! A built-in default (docs/domain.md) is compiled in from
//! `questionnaire/default.toml`; an operator may replace it with a TOML file
//! of the same shape. It is validated once at start-up, and every error names
//! the field and the fix. Field ids that the code relies on (anonymity, the
//! identity section, the consent flags, current_risk) must be present.

use super::triage::Anonymity;
use serde::{Deserialize, Serialize};
use std::collections::HashSet;
use std::path::Path;

/// The built-in questionnaire text.
pub const DEFAULT_TOML: &str = include_str!("../../../../questionnaire/default.toml");

/// Field ids the code depends on, with the type each must have.
const REQUIRED_FIELDS: &[(&str, FieldType)] = &[
    ("anonymity", FieldType::Anonymity),
    ("current_risk", FieldType::Multiselect),
    ("narrative", FieldType::Longtext),
    ("identity_name", FieldType::Text),
    ("identity_contact_channel", FieldType::Select),
    ("identity_contact", FieldType::Text),
    ("consent_informed_of_risks", FieldType::Yesno),
    ("consent_share_ohchr", FieldType::Yesno),
    ("consent_raise_with_state", FieldType::Yesno),
    ("consent_sg_report", FieldType::Select),
    ("consent_share_protection_orgs", FieldType::Yesno),
    ("consent_contact_back", FieldType::Yesno),
    ("consent_share_identity_un", FieldType::Yesno),
];

/// Hard ceiling for any text field, whatever a questionnaire says.
pub const MAX_TEXT_CHARS: usize = 100_000;

/// A loaded and validated questionnaire.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Questionnaire {
    pub id: String,
    pub version: u32,
    #[serde(rename = "field")]
    pub fields: Vec<FieldDef>,
}

/// One question.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FieldDef {
    pub id: String,
    #[serde(rename = "type")]
    pub kind: FieldType,
    #[serde(default)]
    pub required: bool,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub options: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<usize>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<String>,
    #[serde(default)]
    pub section: Section,
    /// Show a "this may identify you" warning beside the field.
    #[serde(default)]
    pub warning: bool,
    /// A literal label for questionnaires without translations.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// The field may only be answered with this anonymity level.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub only_with: Option<Anonymity>,
}

/// Field types. Every type renders and works without JavaScript.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FieldType {
    Anonymity,
    Select,
    Multiselect,
    Country,
    Text,
    Longtext,
    Date,
    Yesnounknown,
    Yesno,
    Files,
}

/// Which envelope a field's answer goes into.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Section {
    /// The report envelope, readable by every triage reviewer.
    #[default]
    Report,
    /// The identity envelope, readable only by identity reviewers.
    Identity,
}

/// Why a questionnaire was refused.
#[derive(Debug, thiserror::Error)]
pub enum QuestionnaireError {
    #[error("cannot read questionnaire {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("questionnaire is not valid TOML: {0}")]
    Toml(String),
    #[error("questionnaire field {field:?}: {problem}")]
    Field { field: String, problem: String },
}

impl Questionnaire {
    /// The built-in default questionnaire.
    pub fn builtin() -> Result<Questionnaire, QuestionnaireError> {
        Self::parse(DEFAULT_TOML)
    }

    /// Loads and validates a questionnaire file.
    pub fn load(path: &Path) -> Result<Questionnaire, QuestionnaireError> {
        let text = std::fs::read_to_string(path).map_err(|source| QuestionnaireError::Read {
            path: path.display().to_string(),
            source,
        })?;
        Self::parse(&text)
    }

    /// Parses and validates questionnaire text.
    pub fn parse(text: &str) -> Result<Questionnaire, QuestionnaireError> {
        let q: Questionnaire =
            toml::from_str(text).map_err(|e| QuestionnaireError::Toml(e.to_string()))?;
        q.validate()?;
        Ok(q)
    }

    /// Looks a field up by id.
    pub fn field(&self, id: &str) -> Option<&FieldDef> {
        self.fields.iter().find(|f| f.id == id)
    }

    fn validate(&self) -> Result<(), QuestionnaireError> {
        let err = |field: &str, problem: String| QuestionnaireError::Field {
            field: field.to_string(),
            problem,
        };
        if self.fields.is_empty() {
            return Err(err("(none)", "the questionnaire has no fields".into()));
        }
        if self.fields.len() > 200 {
            return Err(err("(all)", "at most 200 fields are allowed".into()));
        }
        let mut seen = HashSet::new();
        for f in &self.fields {
            if !is_ident(&f.id) {
                return Err(err(
                    &f.id,
                    "ids use a-z, 0-9 and _, start with a letter, at most 64 characters".into(),
                ));
            }
            if !seen.insert(f.id.as_str()) {
                return Err(err(&f.id, "this id is used twice".into()));
            }
            let needs_options = matches!(
                f.kind,
                FieldType::Select | FieldType::Multiselect | FieldType::Anonymity
            );
            if needs_options && f.options.is_empty() {
                return Err(err(&f.id, "this type needs a list of `options`".into()));
            }
            if !needs_options && !f.options.is_empty() {
                return Err(err(&f.id, "this type takes no `options`".into()));
            }
            let mut opts = HashSet::new();
            for o in &f.options {
                if !is_ident(o) {
                    return Err(err(&f.id, format!("option {o:?} is not a valid id")));
                }
                if !opts.insert(o) {
                    return Err(err(&f.id, format!("option {o:?} is listed twice")));
                }
            }
            if let Some(d) = &f.default {
                if !f.options.contains(d) {
                    return Err(err(
                        &f.id,
                        format!("default {d:?} is not one of the options"),
                    ));
                }
            }
            if let Some(max) = f.max {
                if !matches!(f.kind, FieldType::Text | FieldType::Longtext) {
                    return Err(err(&f.id, "`max` applies only to text fields".into()));
                }
                if max == 0 || max > MAX_TEXT_CHARS {
                    return Err(err(&f.id, format!("`max` must be 1 to {MAX_TEXT_CHARS}")));
                }
            }
            if f.section == Section::Identity && f.required {
                return Err(err(
                    &f.id,
                    "identity fields cannot be required (anonymous reports have none)".into(),
                ));
            }
        }
        for (id, kind) in REQUIRED_FIELDS {
            match self.field(id) {
                None => return Err(err(id, "this field is required by Amanat; add it".into())),
                Some(f) if f.kind != *kind => {
                    return Err(err(id, format!("must have type {kind:?}").to_lowercase()));
                }
                Some(_) => {}
            }
        }
        if self.fields.first().map(|f| f.id.as_str()) != Some("anonymity") {
            return Err(err("anonymity", "must be the first field".into()));
        }
        let anon = self.field("anonymity").map(|f| &f.options);
        let expected: Vec<String> = Anonymity::ALL.iter().map(|a| a.to_string()).collect();
        if anon != Some(&expected) {
            return Err(err(
                "anonymity",
                "options must be exactly anonymous, confidential, consented".into(),
            ));
        }
        for id in [
            "identity_name",
            "identity_contact_channel",
            "identity_contact",
        ] {
            if self.field(id).map(|f| f.section) != Some(Section::Identity) {
                return Err(err(id, "must have section = \"identity\"".into()));
            }
        }
        let risk = self.field("current_risk").map(|f| &f.options);
        for o in ["detained", "whereabouts_unknown"] {
            if !risk.is_some_and(|r| r.iter().any(|x| x == o)) {
                return Err(err("current_risk", format!("must offer the option {o:?}")));
            }
        }
        Ok(())
    }
}

impl FieldDef {
    /// Fluent id of the question's label.
    pub fn label_id(&self) -> String {
        format!("q-{}", self.id)
    }
    /// Fluent id of the question's hint.
    pub fn help_id(&self) -> String {
        format!("q-{}-help", self.id)
    }
    /// Fluent id of an option's label.
    pub fn option_id(&self, option: &str) -> String {
        format!("q-{}-opt-{}", self.id, option)
    }
    /// The maximum length in characters for text fields.
    pub fn max_chars(&self) -> usize {
        self.max.unwrap_or(match self.kind {
            FieldType::Longtext => 20_000,
            _ => 200,
        })
    }
}

fn is_ident(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 64
        && s.starts_with(|c: char| c.is_ascii_lowercase())
        && s.bytes()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'_')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_change(from: &str, to: &str) -> Result<Questionnaire, QuestionnaireError> {
        assert!(
            DEFAULT_TOML.contains(from),
            "fixture text not found: {from}"
        );
        Questionnaire::parse(&DEFAULT_TOML.replacen(from, to, 1))
    }

    #[test]
    fn builtin_is_valid_and_complete() {
        let q = Questionnaire::builtin().unwrap();
        assert_eq!(q.fields[0].id, "anonymity");
        for id in [
            "reporter_relationship",
            "victim_type",
            "country",
            "locality",
            "incident_date",
            "ongoing",
            "reprisal_types",
            "un_engagement",
            "un_engagement_detail",
            "perpetrator_types",
            "narrative",
            "current_risk",
            "help_needed",
            "prior_reporting",
            "attachments",
        ] {
            assert!(q.field(id).is_some(), "{id}");
        }
        assert_eq!(q.field("reprisal_types").unwrap().options.len(), 25);
        assert_eq!(q.field("narrative").unwrap().max_chars(), 20_000);
    }

    #[test]
    fn errors_name_the_field() {
        let e = with_change("id = \"current_risk\"", "id = \"risk_now\"").unwrap_err();
        assert!(e.to_string().contains("current_risk"), "{e}");
        let e = with_change("max = 20000", "max = 0").unwrap_err();
        assert!(e.to_string().contains("narrative"), "{e}");
        let e = with_change("default = \"no\"", "default = \"maybe\"").unwrap_err();
        assert!(e.to_string().contains("consent_sg_report"), "{e}");
        let e = with_change("type = \"country\"", "type = \"country\"\ncolour = 1").unwrap_err();
        assert!(e.to_string().contains("colour"), "{e}");
        let e = with_change("id = \"locality\"", "id = \"Locality!\"").unwrap_err();
        assert!(e.to_string().contains("Locality!"), "{e}");
    }
}
