//! `amanat queue`: a summary of the queue — counts per state and per
//! urgency of open reports, critical reports nobody holds, overdue reports,
//! and how many reports still need re-keying.
//! The counts are the ones the server keeps as reports change; only the
//! overdue reports themselves are listed, page by page. Several profiles'
//! queues (`--all-profiles`) are summarised the same way, from their lists.

use super::Ctx;
use super::list::{ALL_PAGE, pages};
use crate::exit::CliError;
use crate::render::print_json;
use amanat_core::api::{QueueCounts, ReportSummary};
use amanat_core::timeutil::Day;
use serde_json::Value as Json;
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
    let summary = Summary {
        counts,
        overdue: overdue.iter().collect(),
    };
    if json {
        return print_json(&summary.to_json(|id| id.to_string()));
    }
    summary.print(|id| id.to_string());
    Ok(())
}

/// The counts of one server's queue and its overdue reports.
pub struct Summary<'a> {
    pub counts: QueueCounts,
    pub overdue: Vec<&'a ReportSummary>,
}

impl<'a> Summary<'a> {
    /// Counts `reports` (a whole queue, already here) as of `today`.
    pub fn of(reports: &'a [ReportSummary], today: Day) -> Summary<'a> {
        Summary {
            counts: QueueCounts::of(reports),
            overdue: reports.iter().filter(|r| r.overdue(today)).collect(),
        }
    }

    /// Text keys, in the order this command always printed them.
    fn by_state(&self) -> BTreeMap<String, u64> {
        self.counts
            .by_state
            .iter()
            .map(|(k, v)| (k.to_string(), *v))
            .collect()
    }

    fn by_urgency(&self) -> BTreeMap<String, u64> {
        self.counts
            .open_by_urgency
            .iter()
            .map(|(k, v)| (k.to_string(), *v))
            .collect()
    }

    /// The summary as `--json` prints it; `id` shows a report's id.
    pub fn to_json(&self, id: impl Fn(&str) -> String) -> Json {
        serde_json::json!({
            "total": self.counts.total,
            "by_state": self.by_state(),
            "open_by_urgency": self.by_urgency(),
            "unassigned_critical": self.counts.unassigned_critical,
            "overdue": self.overdue.iter().map(|r| id(&r.id)).collect::<Vec<_>>(),
            "needs_rekey": self.counts.needs_rekey,
        })
    }

    /// Prints the summary for a person; `id` shows a report's id.
    pub fn print(&self, id: impl Fn(&str) -> String) {
        let counts = |m: &BTreeMap<String, u64>| {
            m.iter()
                .map(|(k, v)| format!("{k} {v}"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        println!("{} report(s).", self.counts.total);
        println!("By state:    {}", counts(&self.by_state()));
        println!("Open by urgency: {}", counts(&self.by_urgency()));
        if self.counts.unassigned_critical > 0 {
            println!(
                "Critical and unassigned: {}",
                self.counts.unassigned_critical
            );
        }
        if self.counts.needs_rekey > 0 {
            println!(
                "Still sealed to a removed reviewer's key: {} report(s); an admin runs \
                 `amanat admin rekey`",
                self.counts.needs_rekey
            );
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
