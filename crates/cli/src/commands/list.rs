//! `amanat list`: the queue as a table (or JSON), in the server's order
//! (most urgent, then oldest), filtered here; overdue reports marked.

use super::Ctx;
use crate::exit::CliError;
use crate::render::{print_json, safe};
use amanat_core::api::{ReportList, ReportSummary};
use amanat_core::model::{State, Urgency};
use amanat_core::timeutil::Day;
use serde_json::Value as Json;

/// Which reports to list (every filter empty or off: all).
pub struct Filter {
    pub state: Vec<State>,
    pub urgency: Vec<Urgency>,
    /// A reviewer's name or id, `me` or `none`.
    pub assignee: Option<String>,
    pub since: Option<Day>,
    pub overdue: bool,
}

/// Lists the reports that pass `filter`.
pub fn run(ctx: &Ctx, filter: &Filter, json: bool) -> Result<(), CliError> {
    let conn = ctx.connect()?;
    let list: ReportList = conn.api.get("/api/v1/reports")?;
    let today = Day::today();
    let me = conn.saved.reviewer_id.as_str();
    // The server sends the queue in order (most urgent, then
    // oldest, then id: docs/api.md); filtering keeps that order.
    let reports: Vec<ReportSummary> = list
        .reports
        .into_iter()
        .filter(|r| filter.keep(r, me, today))
        .collect();
    if json {
        let out: Vec<Json> = reports.iter().map(|r| row_json(r, today)).collect();
        return print_json(&out);
    }
    if reports.is_empty() {
        println!("No reports.");
        return Ok(());
    }
    // The table is formatted into one string and written at once:
    // a queue of 100,000 reports prints in tens of milliseconds.
    let mut text = String::with_capacity(112 * (reports.len() + 1));
    table_header(&mut text, ID_WIDTH);
    for r in &reports {
        table_row(&mut text, &r.id, ID_WIDTH, r, today);
    }
    write_out(&text)
}

/// Width of the id column for bare ids.
pub const ID_WIDTH: usize = 26;

impl Filter {
    /// True if report `r` passes the filter; `me` is the reviewer's id on
    /// the report's server.
    pub fn keep(&self, r: &ReportSummary, me: &str, today: Day) -> bool {
        (self.state.is_empty() || self.state.contains(&r.state))
            && (self.urgency.is_empty() || self.urgency.contains(&r.urgency))
            && self.since.is_none_or(|d| r.received >= d)
            && match self.assignee.as_deref() {
                None => true,
                Some("none") => r.assignee.is_none(),
                Some("me") => r.assignee.as_deref() == Some(me),
                Some(who) => {
                    r.assignee.as_deref() == Some(who) || r.assignee_name.as_deref() == Some(who)
                }
            }
            && (!self.overdue || is_overdue(r, today))
    }
}

/// One report as `--json` prints it: the summary and `overdue`.
pub fn row_json(r: &ReportSummary, today: Day) -> Json {
    let mut v = serde_json::to_value(r).unwrap_or(Json::Null);
    if let Some(o) = v.as_object_mut() {
        o.insert("overdue".into(), Json::Bool(is_overdue(r, today)));
    }
    v
}

/// The table's header line, with an id column `id_width` wide.
pub fn table_header(text: &mut String, id_width: usize) {
    use std::fmt::Write as _;
    let _ = writeln!(
        text,
        "{:<id_width$}  {:<10}  {:<12}  {:<24}  {:<12}  {:<12}",
        "ID", "RECEIVED", "STATE", "URGENCY", "ANONYMITY", "ASSIGNEE"
    );
}

/// One row of the table for report `r`, shown with `id`.
// (Padding through `Formatter` writes its fill one character at a time,
// cheap into a `String`, not through an `io::Write`.)
pub fn table_row(text: &mut String, id: &str, id_width: usize, r: &ReportSummary, today: Day) {
    use std::fmt::Write as _;
    // The urgency column is padded by hand: no string is made per row.
    let urgency = r.urgency.as_str();
    let proposed = if r.urgency_confirmed {
        ""
    } else {
        " (proposed)"
    };
    let pad = 24usize.saturating_sub(urgency.len() + proposed.len());
    let _ = writeln!(
        text,
        "{:<id_width$}  {:<10}  {:<12}  {urgency}{proposed}{:pad$}  {:<12}  {:<12}{}",
        id,
        r.received,
        r.state,
        "",
        r.anonymity,
        safe(r.assignee_name.as_deref().unwrap_or("-")),
        if is_overdue(r, today) {
            "  OVERDUE"
        } else {
            ""
        }
    );
}

/// Writes the formatted table to standard output; a closed pipe (`| head`)
/// is not an error.
pub fn write_out(text: &str) -> Result<(), CliError> {
    use std::io::Write as _;
    let mut out = std::io::stdout().lock();
    let table = out.write_all(text.as_bytes()).and_then(|()| out.flush());
    match table {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(CliError::general(e.to_string()))
        }
        _ => Ok(()),
    }
}

/// True if the report is past its acknowledgement deadline.
pub fn is_overdue(r: &ReportSummary, today: Day) -> bool {
    amanat_core::model::triage::overdue(r.urgency, r.state, r.received, today)
}
