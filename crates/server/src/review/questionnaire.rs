//! The questionnaire with English labels, so the CLI can show decrypted
//! answers with their questions and option names. No report data here.

use super::ReviewState;
use super::error::ApiResult;
use super::extract::Authed;
use crate::i18n::{Tr, english};
use actix_web::{HttpResponse, web};
use amanat_core::api::{FieldLabels, QuestionnaireView};
use amanat_core::model::FieldType;

/// `GET /api/v1/questionnaire`, for any reviewer.
pub(super) async fn questionnaire(_: Authed, st: web::Data<ReviewState>) -> ApiResult {
    Ok(HttpResponse::Ok().json(view(&st)))
}

/// The questionnaire as the API shows it.
pub(super) fn view(st: &ReviewState) -> QuestionnaireView {
    let tr = Tr::new(english());
    let q = &st.questionnaire;
    let fields = q
        .fields
        .iter()
        .map(|f| {
            let options: Vec<(String, String)> = match f.kind {
                FieldType::Yesno => ["yes", "no"].iter().map(|s| s.to_string()).collect(),
                FieldType::Yesnounknown => ["yes", "no", "unknown"]
                    .iter()
                    .map(|s| s.to_string())
                    .collect(),
                FieldType::Country => amanat_core::model::countries::codes()
                    .iter()
                    .map(|c| c.to_string())
                    .collect(),
                _ => f.options.clone(),
            }
            .into_iter()
            .map(|o| {
                let label = if f.kind == FieldType::Country {
                    tr.t(&format!("country-{o}"))
                } else {
                    crate::intake::views::option_label(&tr, f, &o)
                };
                (o, label)
            })
            .collect();
            FieldLabels {
                id: f.id.clone(),
                kind: f.kind,
                label: crate::intake::views::label(&tr, f),
                options,
            }
        })
        .collect();
    QuestionnaireView {
        id: q.id.clone(),
        version: q.version,
        fields,
    }
}
