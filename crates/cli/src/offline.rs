//! Reading from a mirror instead of a server: `amanat --mirror DIR` (see
//! `crate::mirror`). The review API's read routes that `list`, `queue`,
//! `show`, `download` and `export` use are answered from the mirror's files,
//! each checked against its recorded hash; what `triage` and `reply` send
//! goes to the outbox (`crate::outbox`); everything else is refused with a
//! clear error. An [`crate::client::Api`] in this mode has no HTTP client
//! at all, so it cannot open a connection, whatever the proxy settings.

use crate::commands::list::Filter;
use crate::exit::{CliError, Exit};
use crate::mirror::{self, Mirror};
use amanat_core::api::{
    ExportRecord, OutboxAction, OutboxChange, QueueCounts, ReplyCreated, ReportList, ReportSummary,
    SyncQueue, SyncReport,
};
use amanat_core::timeutil::Day;
use std::io::Read;

/// The JSON answer `path` would have had, from the mirror.
pub fn get(m: &Mirror, path: &str) -> Result<Vec<u8>, CliError> {
    let (path, query) = path.split_once('?').unwrap_or((path, ""));
    match route(path) {
        Route::Queue => {
            let q: SyncQueue = parse(m, mirror::QUEUE)?;
            let all: Vec<_> = q.reports.into_iter().map(|h| h.report).collect();
            encode(&queue_page(all, query, &m.manifest.reviewer_id)?)
        }
        Route::Report(id) => {
            let r: SyncReport = parse(m, &mirror::report_path(id)).map_err(not_mirrored(id))?;
            encode(&r.detail)
        }
        Route::Questionnaire => m.read(mirror::QUESTIONNAIRE),
        Route::Recipients => m.read(mirror::RECIPIENTS),
        Route::Blob(..) | Route::Triage(_) | Route::Replies(_) | Route::Other => Err(refused(path)),
    }
}

/// What `POST path` with `body` would have answered: a triage change or a
/// reply is kept in the outbox of the profile's directory `outbox_dir`
/// (`crate::outbox`) and answered as the server would have; anything
/// else is refused.
pub fn post(
    m: &Mirror,
    outbox_dir: &std::path::Path,
    path: &str,
    body: serde_json::Value,
) -> Result<Vec<u8>, CliError> {
    let bad = |e: serde_json::Error| CliError::general(e.to_string());
    let (id, change) = match route(path) {
        Route::Triage(id) => (
            id,
            OutboxChange::Triage(serde_json::from_value(body).map_err(bad)?),
        ),
        Route::Replies(id) => (
            id,
            OutboxChange::Reply(serde_json::from_value(body).map_err(bad)?),
        ),
        _ => return Err(refused(path)),
    };
    let q: SyncQueue = parse(m, mirror::QUEUE)?;
    let mut summary = q
        .reports
        .into_iter()
        .map(|h| h.report)
        .find(|r| r.id == id)
        .ok_or_else(|| {
            CliError::new(
                Exit::NotFound,
                format!("no report with id {id} in the mirror"),
            )
        })?;
    // Earlier actions waiting in the outbox come first: this one is
    // applied after them, so it expects the state they leave.
    let pending: crate::outbox::Pending =
        crate::session::load_state(outbox_dir, crate::outbox::PENDING_FILE)?;
    for a in pending.actions.iter().filter(|a| a.report == id) {
        if let OutboxChange::Triage(t) = &a.change {
            apply_locally(&mut summary, t);
        }
    }
    let action = OutboxAction {
        id: amanat_core::crypto::random::id(),
        report: id.to_string(),
        base_state: summary.state,
        change,
    };
    let answer = match &action.change {
        OutboxChange::Triage(t) => {
            apply_locally(&mut summary, t);
            encode(&summary)?
        }
        OutboxChange::Reply(_) => encode(&ReplyCreated {
            id: action.id.clone(),
            day: amanat_core::timeutil::Day::today(),
        })?,
    };
    crate::outbox::append(
        outbox_dir,
        &m.manifest.server,
        &m.manifest.reviewer_id,
        action,
    )?;
    Ok(answer)
}

/// The attachment file `path` names, from the mirror.
pub fn get_stream(m: &Mirror, path: &str) -> Result<Box<dyn Read + Send>, CliError> {
    let Route::Blob(id, blob) = route(path) else {
        return Err(refused(path));
    };
    let r: SyncReport = parse(m, &mirror::report_path(id)).map_err(not_mirrored(id))?;
    let rel = mirror::blob_path(blob);
    if !r.blobs.iter().any(|b| b == blob) || !m.has(&rel) {
        return Err(CliError::new(
            Exit::NotFound,
            format!("attachment {blob} of report {id} is not in the mirror; sync again"),
        ));
    }
    // Streamed: age authenticates every chunk, and `download` checks the
    // size and SHA-256 of the manifest inside the envelope.
    let file = std::fs::File::open(m.dir.join(&rel))
        .map_err(|e| CliError::general(format!("cannot read {rel} in the mirror: {e}")))?;
    Ok(Box::new(file))
}

/// File name of the log of exports made from a mirror, in the profile's
/// directory: what the server's audit log would have recorded (profile,
/// format, report ids, day), kept until it can be carried back.
pub const EXPORTS_FILE: &str = "offline-exports.json";

/// Appends an export made from a mirror to [`EXPORTS_FILE`] (0600).
pub fn record_export(dir: &std::path::Path, rec: &ExportRecord) -> Result<(), CliError> {
    let mut log: Vec<serde_json::Value> = crate::session::load_state(dir, EXPORTS_FILE)?;
    let mut entry = serde_json::to_value(rec).map_err(|e| CliError::general(e.to_string()))?;
    if let Some(o) = entry.as_object_mut() {
        o.insert(
            "day".into(),
            serde_json::json!(amanat_core::timeutil::Day::today()),
        );
    }
    log.push(entry);
    crate::session::save_state(dir, EXPORTS_FILE, &log)?;
    eprintln!(
        "Offline: this export is recorded in {} (the server's audit log cannot be reached).",
        dir.join(EXPORTS_FILE).display()
    );
    Ok(())
}

/// A triage change as the server will show it once applied.
fn apply_locally(
    summary: &mut amanat_core::api::ReportSummary,
    t: &amanat_core::api::TriageRequest,
) {
    if let Some(s) = t.state {
        summary.state = s;
        summary.closed_reason = t.reason;
    }
    if let Some(u) = t.urgency {
        summary.urgency = u;
        summary.urgency_confirmed = true;
    }
    if let Some(a) = &t.assign {
        summary.assignee = (!a.is_empty()).then(|| a.clone());
        summary.assignee_name = summary.assignee.clone();
    }
}

/// The refusal of anything that needs the server.
pub fn refused(path: &str) -> CliError {
    CliError::usage(format!(
        "this needs the server ({path}); from a mirror (--mirror) only list, queue, show, \
         download and export work, and triage and reply into the outbox"
    ))
}

enum Route<'a> {
    Queue,
    Recipients,
    Triage(&'a str),
    Replies(&'a str),
    Report(&'a str),
    Blob(&'a str, &'a str),
    Questionnaire,
    Other,
}

/// The queue as `GET /api/v1/reports?query` would answer it, from the
/// whole mirrored queue: the same filters (docs/api.md), applied here, on
/// one page (a mirror is already all here), with the counts when asked.
fn queue_page(all: Vec<ReportSummary>, query: &str, me: &str) -> Result<ReportList, CliError> {
    let bad =
        |k: &str| CliError::usage(format!("the filter `{k}` has a value this CLI cannot read"));
    let mut filter = Filter {
        state: Vec::new(),
        urgency: Vec::new(),
        assignee: None,
        since: None,
        overdue: false,
    };
    let mut counts = false;
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        let v = percent_encoding::percent_decode_str(v)
            .decode_utf8()
            .map_err(|_| bad(k))?;
        match k {
            "state" => {
                for s in v.split(',') {
                    filter.state.push(s.parse().map_err(|_| bad(k))?);
                }
            }
            "urgency" => {
                for u in v.split(',') {
                    filter.urgency.push(u.parse().map_err(|_| bad(k))?);
                }
            }
            "assignee" => filter.assignee = Some(v.into_owned()),
            "since" => filter.since = Some(v.parse().map_err(|_| bad(k))?),
            "overdue" => filter.overdue = v == "true",
            "counts" => counts = v == "true",
            // Everything is on the one page.
            "limit" | "cursor" => {}
            _ => return Err(bad(k)),
        }
    }
    let today = Day::today();
    let counts = counts.then(|| QueueCounts::of(&all));
    Ok(ReportList {
        reports: all
            .into_iter()
            .filter(|r| filter.keep(r, me, today))
            .collect(),
        next_cursor: None,
        counts,
    })
}

fn route(path: &str) -> Route<'_> {
    let Some(rest) = path.strip_prefix("/api/v1/") else {
        return Route::Other;
    };
    let parts: Vec<&str> = rest.split('/').collect();
    let id_ok = |s: &str| amanat_core::crypto::random::is_id(s);
    match parts.as_slice() {
        ["reports"] => Route::Queue,
        ["questionnaire"] => Route::Questionnaire,
        ["recipients"] => Route::Recipients,
        ["reports", id, "triage"] if id_ok(id) => Route::Triage(id),
        ["reports", id, "replies"] if id_ok(id) => Route::Replies(id),
        ["reports", id] if id_ok(id) => Route::Report(id),
        ["reports", id, "blobs", b] if id_ok(id) && id_ok(b) => Route::Blob(id, b),
        _ => Route::Other,
    }
}

fn parse<T: serde::de::DeserializeOwned>(m: &Mirror, rel: &str) -> Result<T, CliError> {
    let bytes = m.read(rel)?;
    serde_json::from_slice(&bytes)
        .map_err(|e| CliError::general(format!("{rel} in the mirror is damaged ({e}); sync again")))
}

fn not_mirrored(id: &str) -> impl FnOnce(CliError) -> CliError + '_ {
    move |e| {
        if e.code == Exit::NotFound {
            CliError::new(
                Exit::NotFound,
                format!("no report with id {id} in the mirror"),
            )
        } else {
            e
        }
    }
}

fn encode<T: serde::Serialize>(v: &T) -> Result<Vec<u8>, CliError> {
    serde_json::to_vec(v).map_err(|e| CliError::general(e.to_string()))
}
