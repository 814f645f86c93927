//! `amanat export`: reports decrypted once each, checked against the
//! profile's consent rules (`crate::export`), recorded in the server's
//! audit log, then written 0600 or to standard output.

use super::{Ctx, write_new_file};
use crate::decrypt;
use crate::exit::CliError;
use crate::export::{self, Decrypted, Format, Profile};
use amanat_core::api::{ExportRecord, QuestionnaireView};
use std::path::PathBuf;

/// Exports `ids` (or every report, with `all`) with `profile` as `format`.
pub fn run(
    ctx: &Ctx,
    profile: Profile,
    format: Format,
    ids: Vec<String>,
    all: bool,
    out: Option<PathBuf>,
) -> Result<(), CliError> {
    if !profile.formats().contains(&format) {
        let ok: Vec<&str> = profile.formats().iter().map(|f| f.as_str()).collect();
        return Err(CliError::usage(format!(
            "the {} profile is written as {}; not {}",
            profile.as_str(),
            ok.join(" or "),
            format.as_str()
        )));
    }
    if ids.is_empty() && !all {
        return Err(CliError::usage("name report ids, or use --all"));
    }
    let conn = ctx.connect()?;
    let api = &conn.api;
    let ids = if all {
        // Every page, whatever the queue's length (an unpaged request is
        // capped by the server's `limits.list_unpaged_max`).
        let mut every = Vec::new();
        super::list::pages(&conn, "", super::list::ALL_PAGE, true, |page| {
            every.extend(page.reports.into_iter().map(|r| r.id));
            Ok(())
        })?;
        every
    } else {
        ids
    };
    let mut reports = Vec::with_capacity(ids.len());
    // One identity for every report: its passphrase is asked for once.
    let key = ctx.identity(&conn.saved.identity);
    for id in &ids {
        let r = decrypt::fetch(&conn, &key, id)?;
        // Fails when a consent withdrawal cannot be read.
        let withdrawn = r.withdrawals(&key)?;
        reports.push(Decrypted::new(&r, withdrawn));
    }
    let (ok, refused) = export::check(profile, &reports);
    if !refused.is_empty() {
        let lines: Vec<String> = refused
            .iter()
            .map(|r| format!("  {}: {}", r.id, r.reason))
            .collect();
        if !all {
            return Err(CliError::general(format!(
                "refusing to export with the {} profile; nothing was written:\n{}",
                profile.as_str(),
                lines.join("\n")
            )));
        }
        eprintln!(
            "Skipped {} report(s) the {} profile may not include:\n{}",
            refused.len(),
            profile.as_str(),
            lines.join("\n")
        );
    }
    let q: QuestionnaireView = api.get("/api/v1/questionnaire")?;
    let labels = export::Labels {
        fields: q
            .fields
            .iter()
            .map(|f| {
                (
                    f.id.clone(),
                    f.label.clone(),
                    f.options.iter().cloned().collect(),
                )
            })
            .collect(),
    };
    let included: Vec<String> = ok.iter().map(|r| r.summary.id.clone()).collect();
    let text = export::render(profile, format, &ok, &labels);
    // Record the export on the server before writing it (from a mirror:
    // in this profile's log of offline exports).
    let record = ExportRecord {
        profile,
        format,
        reports: included.clone(),
    };
    match &ctx.mirror {
        Some(_) => crate::offline::record_export(&ctx.dir, &record)?,
        None => api.post_empty_json("/api/v1/audit/export", &record)?,
    }
    match out {
        None => println!("{text}"),
        Some(path) => {
            write_new_file(&path, text.as_bytes())?;
            eprintln!(
                "Exported {} report(s) to {}",
                included.len(),
                path.display()
            );
        }
    }
    Ok(())
}
