//! The report form and its submission: step 1 (the anonymity choice),
//! step 2 (the questionnaire), and `POST /report`, which checks the answers,
//! derives the codename, stores the report through [`super::commit`] and
//! shows the confirmation page with the codename, once. A form with
//! problems is shown again with the answers kept.
//!
//! Logs aggregate events only ("submission stored"), never the answers.

use super::IntakeState;
use super::commit::{self, CommitError, ReportContext};
use super::kdf::KdfError;
use super::render::{
    bad_request, csrf_cookie, error_page, internal_error, query_pairs, render, render_private,
    request_lang, set_csrf_cookie,
};
use super::reviewers::ReviewerKeys;
use super::submission;
use super::upload::AttachmentManifest;
use super::views::*;
use crate::i18n::{Arg, Lang, Tr};
use crate::store::{NewSource, Store};
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use amanat_core::model::answers::{self, ParseError};
use amanat_core::model::{Anonymity, Questionnaire};
use amanat_core::records::{CleanResult, QuestionnaireRef};

/// `GET /report`: step 1 (the anonymity choice), or with `anonymity`
/// chosen, step 2 (the questionnaire).
pub(super) async fn report_form(req: HttpRequest, st: web::Data<IntakeState>) -> HttpResponse {
    let query = query_pairs(&req);
    let lang = request_lang(&req, Some(&query));
    let tr = Tr::new(lang);
    let keys = match load_reviewers(&st.store, lang) {
        Ok(k) => k,
        Err(resp) => return *resp,
    };
    if keys.triage.is_empty() {
        return no_reviewers(lang);
    }
    let chosen = query
        .iter()
        .find(|(k, _)| k == "anonymity")
        .and_then(|(_, v)| v.parse::<Anonymity>().ok());
    let Some(anonymity) = chosen else {
        return render(
            StatusCode::OK,
            &AnonymityPage {
                field: anonymity_field(&tr, &st.questionnaire, None),
                page: PageCtx::new(lang, "/report"),
            },
        );
    };
    let (cookie_value, fresh) = csrf_cookie(&req);
    let page = ReportPage {
        files: st.files_view(&tr, None),
        csrf: st.csrf.issue(&cookie_value),
        anonymity: anonymity.to_string(),
        anonymity_choice: anonymity_choice(&tr, &st.questionnaire, anonymity),
        errors_title: String::new(),
        errors: Vec::new(),
        sections: sections(
            &tr,
            &st.questionnaire,
            anonymity,
            !keys.identity.is_empty(),
            None,
            &[],
        ),
        page: PageCtx::new(lang, &format!("/report?anonymity={anonymity}")),
    };
    let mut resp = render(StatusCode::OK, &page);
    if fresh {
        set_csrf_cookie(&req, &mut resp, cookie_value);
    }
    resp
}

/// `POST /report`: checks, stores and confirms a report, or shows the form
/// again with what needs attention.
pub(super) async fn submit(
    req: HttpRequest,
    payload: web::Payload,
    st: web::Data<IntakeState>,
) -> HttpResponse {
    let header_lang = request_lang(&req, None);
    let keys = match load_reviewers(&st.store, header_lang) {
        Ok(k) => k,
        Err(resp) => return *resp,
    };
    if keys.triage.is_empty() {
        return no_reviewers(header_lang);
    }
    let identity_available = !keys.identity.is_empty();
    let (pairs, files, admitted) = match submission::read(&req, payload, &st, &keys).await {
        Ok(x) => x,
        Err(resp) => return *resp,
    };
    drop(keys);
    let lang = request_lang(&req, Some(&pairs.0));
    let tr = Tr::new(lang);
    // Browsers cannot keep chosen files when a form is shown again.
    let files_notice = (!files.is_empty()).then(|| tr.t("files-choose-again"));

    let q = &st.questionnaire;
    let reshow = |errors: &[answers::FieldError], notice: Option<String>, status: StatusCode| {
        let notice = match (notice, &files_notice) {
            (Some(n), Some(f)) => Some(format!("{n} {f}")),
            (n, f) => n.or_else(|| f.clone()),
        };
        reshow_form(
            &req,
            &st,
            lang,
            &pairs.0,
            errors,
            notice,
            status,
            identity_available,
            &[],
        )
    };
    let year = amanat_core::timeutil::Day::today().ymd().0;
    let parsed = match answers::parse(q, &pairs.0, year) {
        Ok(p) => p,
        Err(ParseError::Structure(detail)) => {
            tracing::info!(target: "amanat::intake", "submission rejected: unexpected fields");
            return bad_request(lang, detail);
        }
        Err(ParseError::Fields(errors)) => {
            tracing::info!(target: "amanat::intake", "submission returned for corrections");
            return reshow(&errors, None, StatusCode::BAD_REQUEST);
        }
    };
    if !parsed.identity.is_empty() && !identity_available {
        let errors: Vec<_> = parsed
            .identity
            .keys()
            .map(|k| answers::FieldError {
                field: k.clone(),
                message: "error-identity-unavailable",
                args: Vec::new(),
            })
            .collect();
        return reshow(&errors, None, StatusCode::BAD_REQUEST);
    }
    // Counted only now that the token and the answers passed their checks
    // (a form with files was counted before its first file was read). Past
    // the limit it waits briefly for a slot (`limits.rate_wait_ms`).
    if !admitted && !st.submissions.admit().await {
        tracing::info!(target: "amanat::intake", "submission deferred: rate limit reached");
        return reshow(
            &[],
            Some(tr.t("error-too-many")),
            StatusCode::TOO_MANY_REQUESTS,
        );
    }

    // The codename: generated here, shown once, never stored.
    let codename = amanat_core::crypto::codename::generate();
    let derived = match st.kdf.derive(codename.clone()).await {
        Ok(d) => d,
        Err(KdfError::Busy) => {
            tracing::info!(target: "amanat::intake", "submission deferred: KDF busy");
            return reshow(
                &[],
                Some(tr.t("error-busy")),
                StatusCode::SERVICE_UNAVAILABLE,
            );
        }
        Err(KdfError::Failed) => return internal_error(lang),
    };
    let source = match amanat_core::crypto::keys::identity_from_bytes(&derived.secret) {
        Ok(id) => NewSource {
            lookup: derived.lookup,
            recipient: id.to_public().to_string(),
            kdf: st.kdf.params,
        },
        Err(_) => return internal_error(lang),
    };
    drop(derived);

    if !commit::has_free_space(st.store.dir(), st.limits.min_free_bytes) {
        tracing::warn!(target: "amanat::intake", "submission refused: free space below the floor");
        drop(files);
        return reshow(
            &[],
            Some(tr.t("error-low-space")),
            StatusCode::INSUFFICIENT_STORAGE,
        );
    }
    let store = st.store.clone();
    let ctx = ReportContext {
        questionnaire: QuestionnaireRef {
            id: q.id.clone(),
            version: q.version,
        },
        lang: lang.code,
        source,
    };
    let result = web::block(move || commit::seal_and_store(&store, parsed, files, ctx)).await;
    match result {
        Ok(Ok(attachments)) => {
            tracing::info!(target: "amanat::intake", "submission stored");
            render_private(
                StatusCode::OK,
                &ConfirmPage {
                    page: PageCtx::new(lang, "/"),
                    codename,
                    files: file_results(&tr, &attachments),
                },
            )
        }
        Ok(Err(CommitError::RecipientsChanged)) => {
            tracing::info!(target: "amanat::intake", "submission deferred: reviewers changed during upload");
            // `reshow` adds that the files must be chosen again.
            reshow(
                &[],
                Some(tr.t("error-reviewers-changed")),
                StatusCode::CONFLICT,
            )
        }
        Ok(Err(e)) => {
            tracing::error!(target: "amanat::intake", "submission failed: {e}");
            internal_error(lang)
        }
        Err(_) => {
            tracing::error!(target: "amanat::intake", "submission failed: worker unavailable");
            internal_error(lang)
        }
    }
}

#[allow(clippy::too_many_arguments)]
pub(super) fn reshow_form(
    req: &HttpRequest,
    st: &IntakeState,
    lang: &'static Lang,
    pairs: &[(String, String)],
    errors: &[answers::FieldError],
    notice: Option<String>,
    status: StatusCode,
    identity_available: bool,
    refused: &[RefusedFile],
) -> HttpResponse {
    let tr = Tr::new(lang);
    let q = &st.questionnaire;
    let anonymity = pairs
        .iter()
        .find(|(k, _)| k == "anonymity")
        .and_then(|(_, v)| v.parse::<Anonymity>().ok())
        .unwrap_or(Anonymity::Confidential);
    let values = values_of(pairs);
    let mut links: Vec<ErrorLink> = Vec::new();
    if let Some(n) = &notice {
        links.push(ErrorLink {
            anchor: if refused.is_empty() {
                "main".into()
            } else {
                "refused-files".into()
            },
            label: tr.t("error-title"),
            message: n.clone(),
        });
    }
    for e in errors {
        let label = q.field(&e.field).map(|f| label(&tr, f)).unwrap_or_default();
        links.push(ErrorLink {
            anchor: e.field.clone(),
            label,
            message: error_text(&tr, e),
        });
    }
    let (cookie_value, fresh) = csrf_cookie(req);
    let page = ReportPage {
        files: st
            .files_view(&tr, Some(&values))
            .map(|f| f.with_refused(refused.to_vec())),
        csrf: st.csrf.issue(&cookie_value),
        anonymity: anonymity.to_string(),
        anonymity_choice: anonymity_choice(&tr, q, anonymity),
        errors_title: tr.t_args(
            "report-errors-title",
            &[("count", Arg::Num(links.len() as i64))],
        ),
        errors: links,
        sections: sections(&tr, q, anonymity, identity_available, Some(&values), errors),
        page: PageCtx::new(lang, &format!("/report?anonymity={anonymity}")),
    };
    // The source's answers (identity fields among them) are secrets.
    let mut resp = render_private(status, &page);
    if fresh {
        set_csrf_cookie(req, &mut resp, cookie_value);
    }
    resp
}

fn anonymity_choice(tr: &Tr, q: &Questionnaire, a: Anonymity) -> String {
    let label = q
        .field("anonymity")
        .map(|f| option_label(tr, f, a.as_str()))
        .unwrap_or_default();
    tr.t_args("report-chosen-anonymity", &[("choice", Arg::Text(label))])
}

/// What the confirmation page says about each file.
pub(super) fn file_results(tr: &Tr, files: &[AttachmentManifest]) -> Vec<FileResult> {
    files
        .iter()
        .map(|m| {
            let text = match m.result {
                CleanResult::Cleaned => {
                    let what: Vec<String> = m
                        .removed
                        .iter()
                        .map(|r| tr.t(&format!("removed-{r}")))
                        .collect();
                    tr.t_args(
                        "file-result-cleaned",
                        &[("removed", Arg::Text(what.join(", ")))],
                    )
                }
                CleanResult::NothingFound => tr.t("file-result-nothing-found"),
                CleanResult::KeptOriginal => tr.t("file-result-kept-original"),
                CleanResult::NotCleanable => tr.t("file-result-not-cleanable"),
            };
            FileResult {
                name: m.name.clone(),
                result: text,
            }
        })
        .collect()
}

/// The reviewers as this request reads them; on failure, the page to answer
/// with.
fn load_reviewers(store: &Store, lang: &'static Lang) -> Result<ReviewerKeys, Box<HttpResponse>> {
    ReviewerKeys::load(store).map_err(|e| {
        tracing::error!(target: "amanat::intake", "cannot read reviewers: {e}");
        Box::new(internal_error(lang))
    })
}

/// 503: no reviewer could read a report.
fn no_reviewers(lang: &'static Lang) -> HttpResponse {
    error_page(
        StatusCode::SERVICE_UNAVAILABLE,
        lang,
        &Tr::new(lang).t("error-no-reviewers"),
    )
}
