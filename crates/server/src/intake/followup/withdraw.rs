//! Withdrawing consent: the source unticks consent flags they gave. The
//! withdrawal is stored as a typed record sealed to the triage reviewers,
//! which the CLI applies to every later action and export; the server
//! cannot read it back.
//!
//! Logs aggregate events only ("consent withdrawal stored").

use super::extract::{SessionForm, WithdrawalForm};
use super::see_other;
use super::thread::{Shown, thread_page};
use crate::i18n::Tr;
use crate::intake::IntakeState;
use crate::intake::commit;
use crate::intake::render::{bad_request, internal_error};
use crate::store::EnvelopeKind;
use actix_web::{HttpRequest, HttpResponse, web};
use amanat_core::records::{WithdrawalRecord, WithdrawalSchema};

/// Records a withdrawal of consent: an encrypted note to the triage
/// reviewers, which the CLI applies to every later action and export.
pub(super) async fn withdraw(
    req: HttpRequest,
    posted: SessionForm<WithdrawalForm>,
    st: web::Data<IntakeState>,
) -> HttpResponse {
    let SessionForm { session, form } = posted;
    let lang = form.lang;
    let tr = Tr::new(lang);
    let known: Vec<&str> = st
        .questionnaire
        .fields
        .iter()
        .filter(|f| f.id.starts_with("consent_"))
        .map(|f| f.id.as_str())
        .collect();
    let mut chosen: Vec<String> = Vec::new();
    for (k, v) in &form.pairs.0 {
        if k == "withdraw" {
            if !known.contains(&v.as_str()) {
                return bad_request(lang, "error-bad-request-detail-fields");
            }
            if !chosen.contains(v) {
                chosen.push(v.clone());
            }
        }
    }
    if chosen.is_empty() {
        let shown = Shown {
            problem: Some(tr.t("followup-withdraw-none")),
            ..Shown::default()
        };
        return thread_page(&req, &st, lang, &session, shown).await;
    }
    drop(form);
    let store = st.store.clone();
    let report_id = session.report_id.clone();
    let record = WithdrawalRecord {
        schema: WithdrawalSchema,
        withdraw: chosen,
    };
    let stored =
        web::block(move || commit::append(&store, &report_id, EnvelopeKind::Withdrawal, &record))
            .await;
    match stored {
        Ok(Ok(())) => {
            tracing::info!(target: "amanat::intake", "consent withdrawal stored");
            see_other(&format!("/followup?lang={}&done=withdrawn", lang.code))
        }
        _ => internal_error(lang),
    }
}
