//! `amanat audit`: the server's audit log with its hash chain recomputed
//! here (the server's own verdict is not trusted), optionally checked
//! against anchor files; and `amanat audit anchors`, the audit heads this
//! CLI saw, as an anchor file for `amanatd audit verify --against`.

use super::{Ctx, write_new_file};
use crate::exit::CliError;
use crate::render::{print_json, safe};
use crate::session;
use amanat_core::api::AuditLog;
use std::path::{Path, PathBuf};

/// Prints the log and checks its chain (and the anchors in `against`).
pub fn run(ctx: &Ctx, json: bool, against: &[PathBuf]) -> Result<(), CliError> {
    let mut anchors = Vec::new();
    for path in against {
        anchors.extend(read_anchor_file(path)?);
    }
    let log: AuditLog = ctx.connect()?.api.get("/api/v1/audit")?;
    // Recomputed here: the server's own verdict is not trusted.
    let against_result = amanat_core::audit::verify_against(&log.entries, &anchors);
    if json {
        print_json(&log)?;
        return against_result
            .map_err(|e| CliError::general(format!("AUDIT CHAIN REWRITTEN: {e}")));
    }
    for e in &log.entries {
        println!(
            "{:>6}  {}  {:<22}  {:<26}  {}  {}",
            e.seq,
            e.day,
            serde_json::to_value(e.event.action)
                .ok()
                .and_then(|v| v.as_str().map(String::from))
                .unwrap_or_default(),
            e.event.actor,
            e.event.report.as_deref().unwrap_or("-"),
            safe(e.event.detail.as_deref().unwrap_or(""))
        );
    }
    if let Some(p) = log.broken {
        return Err(CliError::general(format!("AUDIT CHAIN BROKEN: {p}")));
    }
    if let Err(e) = against_result {
        return Err(CliError::general(format!("AUDIT CHAIN REWRITTEN: {e}")));
    }
    if anchors.is_empty() {
        println!("Audit chain intact: {} entries.", log.entries.len());
    } else {
        println!(
            "Audit chain intact: {} entries, extending all {} anchor(s).",
            log.entries.len(),
            anchors.len()
        );
    }
    Ok(())
}

/// `amanat audit anchors`: the anchors as an anchor file.
pub fn anchors(ctx: &Ctx, out: Option<PathBuf>) -> Result<(), CliError> {
    let anchors: session::Anchors = session::load_state(&ctx.dir, session::ANCHORS_FILE)?;
    let file = amanat_core::audit::AnchorFile {
        format: amanat_core::audit::ANCHOR_FORMAT.into(),
        anchors: anchors.into_values().collect(),
    };
    let text = serde_json::to_string_pretty(&file).map_err(|e| CliError::general(e.to_string()))?;
    match out {
        None => println!("{text}"),
        Some(path) => write_new_file(&path, text.as_bytes())?,
    }
    Ok(())
}

/// The anchors of one anchor file.
fn read_anchor_file(path: &Path) -> Result<Vec<amanat_core::audit::ExportedAnchor>, CliError> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| CliError::general(format!("cannot read {}: {e}", path.display())))?;
    let file = amanat_core::audit::AnchorFile::parse(&text)
        .map_err(|e| CliError::usage(format!("{}: {e}", path.display())))?;
    Ok(file.anchors)
}
