//! `amanat list`: the queue as a table (or JSON), in the server's order
//! (most urgent, then oldest), overdue reports marked, and
//! reports still sealed to a removed reviewer's key (`REKEY`; `--json`
//! gives the counts in `rekey`). The filters are the
//! server's (`GET /api/v1/reports`, docs/api.md): only the reports asked
//! for cross the network. The first page prints at once; `--all` follows
//! the server's cursor page by page, printing each as it arrives, so memory
//! holds one page whatever the queue's size.

use super::Ctx;
use crate::client::Connection;
use crate::exit::CliError;
use crate::render::safe;
use amanat_core::api::{ReportList, ReportSummary};
use amanat_core::model::{State, Urgency};
use amanat_core::timeutil::Day;
use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};
use serde_json::Value as Json;
use std::io::Write;

/// Reports in the first page `amanat list` asks for.
pub const FIRST_PAGE: usize = 100;
/// Reports per page with `--all` (the server lowers it to its maximum).
pub const ALL_PAGE: usize = 1000;

/// Which reports to list (every filter empty or off: all).
pub struct Filter {
    pub state: Vec<State>,
    pub urgency: Vec<Urgency>,
    /// A reviewer's name or id, `me` or `none`.
    pub assignee: Option<String>,
    pub since: Option<Day>,
    pub overdue: bool,
}

impl Filter {
    /// The filter as query parameters of `GET /api/v1/reports`.
    pub fn query(&self) -> String {
        let mut q = Vec::new();
        let list = |v: Vec<&str>| v.join(",");
        if !self.state.is_empty() {
            q.push(format!(
                "state={}",
                list(self.state.iter().map(|s| s.as_str()).collect())
            ));
        }
        if !self.urgency.is_empty() {
            q.push(format!(
                "urgency={}",
                list(self.urgency.iter().map(|u| u.as_str()).collect())
            ));
        }
        if let Some(a) = &self.assignee {
            q.push(format!(
                "assignee={}",
                utf8_percent_encode(a, NON_ALPHANUMERIC)
            ));
        }
        if let Some(d) = self.since {
            q.push(format!("since={d}"));
        }
        if self.overdue {
            q.push("overdue=true".into());
        }
        q.join("&")
    }
}

/// Calls `each` with every page of the reports `query` selects, `limit` a
/// page, following the server's cursor while `all` (else the first page
/// only). Returns true if pages were left unasked.
pub fn pages(
    conn: &Connection,
    query: &str,
    limit: usize,
    all: bool,
    mut each: impl FnMut(ReportList) -> Result<(), CliError>,
) -> Result<bool, CliError> {
    let mut cursor: Option<String> = None;
    loop {
        let mut path = format!("/api/v1/reports?limit={limit}");
        if !query.is_empty() {
            path.push('&');
            path.push_str(query);
        }
        if let Some(c) = &cursor {
            path.push_str("&cursor=");
            path.push_str(&utf8_percent_encode(c, NON_ALPHANUMERIC).to_string());
        }
        let page: ReportList = conn.api.get(&path)?;
        let next = page.next_cursor.clone();
        each(page)?;
        match next {
            Some(c) if all => cursor = Some(c),
            Some(_) => return Ok(true),
            None => return Ok(false),
        }
    }
}

/// Lists the reports that pass `filter`: the first page, or with `all`
/// every page.
pub fn run(ctx: &Ctx, filter: &Filter, all: bool, json: bool) -> Result<(), CliError> {
    let conn = ctx.connect()?;
    let today = Day::today();
    let limit = if all { ALL_PAGE } else { FIRST_PAGE };
    let mut out = std::io::stdout().lock();
    let mut shown = 0usize;
    let more = pages(&conn, &filter.query(), limit, all, |page| {
        let text = if json {
            json_elements(&page.reports, today, shown == 0)
        } else {
            table_rows(&page.reports, today, shown == 0)
        };
        shown += page.reports.len();
        write_out(&mut out, text.as_bytes())
    });
    let more = match more {
        Ok(more) => more,
        Err(e) => {
            // Whatever was printed stays a well-formed document.
            if json && shown > 0 {
                let _ = write_out(&mut out, b"\n]\n");
            }
            return Err(e);
        }
    };
    let end = match (json, shown) {
        (true, 0) => "[]\n",
        (true, _) => "\n]\n",
        (false, 0) => "No reports.\n",
        (false, _) => "",
    };
    write_out(&mut out, end.as_bytes())?;
    if more {
        eprintln!("The first {shown} reports; `amanat list --all` lists every one.");
    }
    Ok(())
}

/// One page of the table (with its header first). Formatted into one
/// string and written at once: padding through `Formatter` writes its fill
/// one character at a time, cheap into a `String`, not through `io::Write`.
fn table_rows(reports: &[ReportSummary], today: Day, first: bool) -> String {
    use std::fmt::Write as _;
    let mut text = String::with_capacity(112 * (reports.len() + 1));
    if first && !reports.is_empty() {
        let _ = writeln!(
            text,
            "{:<26}  {:<10}  {:<12}  {:<24}  {:<12}  {:<12}",
            "ID", "RECEIVED", "STATE", "URGENCY", "ANONYMITY", "ASSIGNEE"
        );
    }
    let mut urgency = String::with_capacity(32);
    for r in reports {
        urgency.clear();
        urgency.push_str(r.urgency.as_str());
        if !r.urgency_confirmed {
            urgency.push_str(" (proposed)");
        }
        let _ = writeln!(
            text,
            "{:<26}  {:<10}  {:<12}  {:<24}  {:<12}  {:<12}{}{}",
            r.id,
            r.received,
            r.state,
            urgency,
            r.anonymity,
            safe(r.assignee_name.as_deref().unwrap_or("-")),
            if r.overdue(today) { "  OVERDUE" } else { "" },
            if r.rekey.needs_rekey() { "  REKEY" } else { "" }
        );
    }
    text
}

/// One page of the JSON array, element by element, laid out exactly as a
/// pretty-printed array of the whole list would be (`[` before the first,
/// `,` between; the caller closes it).
fn json_elements(reports: &[ReportSummary], today: Day, first: bool) -> String {
    let mut text = String::new();
    for (i, r) in reports.iter().enumerate() {
        let mut v = serde_json::to_value(r).unwrap_or(Json::Null);
        if let Some(o) = v.as_object_mut() {
            o.insert("overdue".into(), Json::Bool(r.overdue(today)));
        }
        let element = serde_json::to_string_pretty(&v).unwrap_or_default();
        text.push_str(if first && i == 0 { "[\n" } else { ",\n" });
        for (n, line) in element.lines().enumerate() {
            if n > 0 {
                text.push('\n');
            }
            text.push_str("  ");
            text.push_str(line);
        }
    }
    text
}

/// Writes and flushes; a reader that went away (`| head`) ends the
/// listing quietly.
fn write_out(out: &mut impl Write, bytes: &[u8]) -> Result<(), CliError> {
    match out.write_all(bytes).and_then(|()| out.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(CliError::general(e.to_string()))
        }
        _ => Ok(()),
    }
}
