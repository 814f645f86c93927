//! Reading from a mirror instead of a server: `amanat --mirror DIR` (see
//! `crate::mirror`). The review API's read routes that `list`, `queue`,
//! `show`, `download` and `export` use are answered from the mirror's files,
//! each checked against its recorded hash; everything else is refused with
//! a clear error. An [`crate::client::Api`] in this mode has no HTTP client
//! at all, so it cannot open a connection, whatever the proxy settings.

use crate::exit::{CliError, Exit};
use crate::mirror::{self, Mirror};
use amanat_core::api::{ExportRecord, ReportList, SyncQueue, SyncReport};
use std::io::Read;

/// The JSON answer `path` would have had, from the mirror.
pub fn get(m: &Mirror, path: &str) -> Result<Vec<u8>, CliError> {
    match route(path) {
        Route::Queue => {
            let q: SyncQueue = parse(m, mirror::QUEUE)?;
            let list = ReportList {
                reports: q.reports.into_iter().map(|h| h.report).collect(),
            };
            encode(&list)
        }
        Route::Report(id) => {
            let r: SyncReport = parse(m, &mirror::report_path(id)).map_err(not_mirrored(id))?;
            encode(&r.detail)
        }
        Route::Questionnaire => m.read(mirror::QUESTIONNAIRE),
        Route::Blob(..) | Route::Other => Err(refused(path)),
    }
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

/// The refusal of anything that needs the server.
pub fn refused(path: &str) -> CliError {
    CliError::usage(format!(
        "this needs the server ({path}); from a mirror (--mirror) only list, queue, show, \
         download and export work"
    ))
}

enum Route<'a> {
    Queue,
    Report(&'a str),
    Blob(&'a str, &'a str),
    Questionnaire,
    Other,
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
