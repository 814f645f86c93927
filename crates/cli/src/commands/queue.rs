//! `amanat queue`: a summary of the queue — counts per state and per
//! urgency of open reports, critical reports nobody holds, overdue reports,
//! and how many reports still need re-keying.
//! The counts are the ones the server keeps as reports change; only the
//! overdue reports themselves are listed, page by page.

use super::Ctx;
use super::list::{ALL_PAGE, pages};
use crate::exit::CliError;
use crate::render::print_json;
use amanat_core::api::{QueueCounts, ReportSummary};
use std::collections::BTreeMap;

/// Prints the summary.
pub fn run(ctx: &Ctx, json: bool) -> Result<(), CliError> {
    let conn = ctx.connect()?;
    let mut counts: Option<QueueCounts> = None;
    let mut overdue: Vec<ReportSummary> = Vec::new();
    pages(&conn, "overdue=true&counts=true", ALL_PAGE, true, |page| {
        if counts.is_none() {
            counts = page.counts;
        }
        overdue.extend(page.reports);
        Ok(())
    })?;
    let counts = counts
        .ok_or_else(|| CliError::general("the server sent no queue counts; is it up to date?"))?;
    // Text keys, in the order this command always printed them.
    let by_state: BTreeMap<String, u64> = counts
        .by_state
        .iter()
        .map(|(k, v)| (k.to_string(), *v))
        .collect();
    let by_urgency: BTreeMap<String, u64> = counts
        .open_by_urgency
        .iter()
        .map(|(k, v)| (k.to_string(), *v))
        .collect();
    let unassigned_critical = counts.unassigned_critical;
    let needs_rekey = counts.needs_rekey;
    if json {
        return print_json(&serde_json::json!({
            "total": counts.total,
            "by_state": by_state,
            "open_by_urgency": by_urgency,
            "unassigned_critical": unassigned_critical,
            "overdue": overdue.iter().map(|r| &r.id).collect::<Vec<_>>(),
            "needs_rekey": needs_rekey,
        }));
    }
    println!("{} report(s).", counts.total);
    println!(
        "By state:    {}",
        by_state
            .iter()
            .map(|(k, v)| format!("{k} {v}"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    println!(
        "Open by urgency: {}",
        by_urgency
            .iter()
            .map(|(k, v)| format!("{k} {v}"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    if unassigned_critical > 0 {
        println!("Critical and unassigned: {unassigned_critical}");
    }
    if needs_rekey > 0 {
        println!(
            "Still sealed to a removed reviewer's key: {needs_rekey} report(s); an admin runs \
             `amanat admin rekey`"
        );
    }
    if overdue.is_empty() {
        println!("Nothing overdue.");
    } else {
        println!("OVERDUE (not yet acknowledged):");
        for r in overdue {
            println!("  {}  {}  received {}", r.id, r.urgency, r.received);
        }
    }
    Ok(())
}
