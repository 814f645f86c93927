//! `amanat queue`: a summary of the queue — counts per state and per
//! urgency of open reports, critical reports nobody holds, overdue reports,
//! and how many reports still need re-keying.

use super::Ctx;
use super::list::is_overdue;
use crate::exit::CliError;
use crate::render::print_json;
use amanat_core::api::{ReportList, ReportSummary};

/// Prints the summary.
pub fn run(ctx: &Ctx, json: bool) -> Result<(), CliError> {
    let list: ReportList = ctx.connect()?.api.get("/api/v1/reports")?;
    let today = amanat_core::timeutil::Day::today();
    let mut by_state: std::collections::BTreeMap<String, usize> = Default::default();
    let mut by_urgency: std::collections::BTreeMap<String, usize> = Default::default();
    for r in &list.reports {
        *by_state.entry(r.state.to_string()).or_default() += 1;
        if r.state != amanat_core::model::State::Closed {
            *by_urgency.entry(r.urgency.to_string()).or_default() += 1;
        }
    }
    let overdue: Vec<&ReportSummary> = list
        .reports
        .iter()
        .filter(|r| is_overdue(r, today))
        .collect();
    let unassigned_critical = list
        .reports
        .iter()
        .filter(|r| {
            r.urgency == amanat_core::model::Urgency::Critical
                && r.assignee.is_none()
                && r.state != amanat_core::model::State::Closed
        })
        .count();
    let needs_rekey = list
        .reports
        .iter()
        .filter(|r| r.rekey.needs_rekey())
        .count();
    if json {
        return print_json(&serde_json::json!({
            "total": list.reports.len(),
            "by_state": by_state,
            "open_by_urgency": by_urgency,
            "unassigned_critical": unassigned_critical,
            "overdue": overdue.iter().map(|r| &r.id).collect::<Vec<_>>(),
            "needs_rekey": needs_rekey,
        }));
    }
    println!("{} report(s).", list.reports.len());
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
