//! `amanat queue`: a summary of the queue — counts per state and per
//! urgency of open reports, critical reports nobody holds, overdue reports.

use super::Ctx;
use super::list::is_overdue;
use crate::exit::CliError;
use crate::render::print_json;
use amanat_core::api::{ReportList, ReportSummary};
use amanat_core::model::{State, Urgency};
use amanat_core::timeutil::Day;
use serde_json::Value as Json;
use std::collections::BTreeMap;

/// Prints the summary.
pub fn run(ctx: &Ctx, json: bool) -> Result<(), CliError> {
    let list: ReportList = ctx.connect()?.api.get("/api/v1/reports")?;
    let summary = Summary::of(&list.reports, Day::today());
    if json {
        return print_json(&summary.to_json(|id| id.to_string()));
    }
    summary.print(|id| id.to_string());
    Ok(())
}

/// The counts of one server's queue.
pub struct Summary<'a> {
    pub total: usize,
    pub by_state: BTreeMap<String, usize>,
    pub by_urgency: BTreeMap<String, usize>,
    pub unassigned_critical: usize,
    pub overdue: Vec<&'a ReportSummary>,
}

impl<'a> Summary<'a> {
    /// Counts `reports` as of `today`.
    pub fn of(reports: &'a [ReportSummary], today: Day) -> Summary<'a> {
        let mut by_state: BTreeMap<String, usize> = Default::default();
        let mut by_urgency: BTreeMap<String, usize> = Default::default();
        for r in reports {
            *by_state.entry(r.state.to_string()).or_default() += 1;
            if r.state != State::Closed {
                *by_urgency.entry(r.urgency.to_string()).or_default() += 1;
            }
        }
        let overdue = reports.iter().filter(|r| is_overdue(r, today)).collect();
        let unassigned_critical = reports
            .iter()
            .filter(|r| {
                r.urgency == Urgency::Critical && r.assignee.is_none() && r.state != State::Closed
            })
            .count();
        Summary {
            total: reports.len(),
            by_state,
            by_urgency,
            unassigned_critical,
            overdue,
        }
    }

    /// The summary as `--json` prints it; `id` shows a report's id.
    pub fn to_json(&self, id: impl Fn(&str) -> String) -> Json {
        serde_json::json!({
            "total": self.total,
            "by_state": self.by_state,
            "open_by_urgency": self.by_urgency,
            "unassigned_critical": self.unassigned_critical,
            "overdue": self.overdue.iter().map(|r| id(&r.id)).collect::<Vec<_>>(),
        })
    }

    /// Prints the summary for a person; `id` shows a report's id.
    pub fn print(&self, id: impl Fn(&str) -> String) {
        let counts = |m: &BTreeMap<String, usize>| {
            m.iter()
                .map(|(k, v)| format!("{k} {v}"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        println!("{} report(s).", self.total);
        println!("By state:    {}", counts(&self.by_state));
        println!("Open by urgency: {}", counts(&self.by_urgency));
        if self.unassigned_critical > 0 {
            println!("Critical and unassigned: {}", self.unassigned_critical);
        }
        if self.overdue.is_empty() {
            println!("Nothing overdue.");
        } else {
            println!("OVERDUE (not yet acknowledged):");
            for r in &self.overdue {
                println!("  {}  {}  received {}", id(&r.id), r.urgency, r.received);
            }
        }
    }
}
