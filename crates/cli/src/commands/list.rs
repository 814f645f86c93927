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
/// Reports per page with `--all` (the server lowers it to its maximum):
/// few pages, so few audited requests, and about 2.5 MB a page.
pub const ALL_PAGE: usize = 10_000;

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
/// only). Returns true if pages were left unasked. With `all`, the next
/// page is asked for while `each` handles this one (one page ahead, so
/// memory stays at two pages): the server and the terminal work at once.
pub fn pages(
    conn: &Connection,
    query: &str,
    limit: usize,
    all: bool,
    mut each: impl FnMut(ReportList) -> Result<(), CliError>,
) -> Result<bool, CliError> {
    let path = |cursor: Option<&str>| {
        let mut path = format!("/api/v1/reports?limit={limit}");
        if !query.is_empty() {
            path.push('&');
            path.push_str(query);
        }
        if let Some(c) = cursor {
            path.push_str("&cursor=");
            path.push_str(&utf8_percent_encode(c, NON_ALPHANUMERIC).to_string());
        }
        path
    };
    if !all {
        let page: ReportList = conn.api.get(&path(None))?;
        let more = page.next_cursor.is_some();
        each(page)?;
        return Ok(more);
    }
    std::thread::scope(|s| {
        let (tx, rx) = std::sync::mpsc::sync_channel::<Result<ReportList, CliError>>(1);
        s.spawn(move || {
            let mut cursor: Option<String> = None;
            loop {
                let page: Result<ReportList, CliError> = conn.api.get(&path(cursor.as_deref()));
                let next = page.as_ref().ok().and_then(|p| p.next_cursor.clone());
                // The receiver is gone once `each` failed: stop asking.
                if tx.send(page).is_err() {
                    return;
                }
                match next {
                    Some(c) => cursor = Some(c),
                    None => return,
                }
            }
        });
        for page in rx {
            each(page?)?;
        }
        Ok(false)
    })
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

/// One page of the table (with its header first), formatted into one
/// string and written at once.
fn table_rows(reports: &[ReportSummary], today: Day, first: bool) -> String {
    let mut text = String::with_capacity(112 * (reports.len() + 1));
    if first && !reports.is_empty() {
        table_header(&mut text, ID_WIDTH);
    }
    for r in reports {
        table_row(&mut text, &r.id, ID_WIDTH, r, today);
    }
    text
}

/// One page of the JSON array, element by element, laid out exactly as a
/// pretty-printed array of the whole list would be (`[` before the first,
/// `,` between; the caller closes it).
fn json_elements(reports: &[ReportSummary], today: Day, first: bool) -> String {
    let mut text = String::new();
    for (i, r) in reports.iter().enumerate() {
        let element = serde_json::to_string_pretty(&row_json(r, today)).unwrap_or_default();
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

/// Width of the id column for bare ids.
pub const ID_WIDTH: usize = 26;

impl Filter {
    /// True if report `r` passes the filter; `me` is the reviewer's id on
    /// the report's server. The server applies the same filter to a paged
    /// request; this is for what is already here (a mirror, several
    /// profiles' queues).
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
            && (!self.overdue || r.overdue(today))
    }
}

/// One report as `--json` prints it: the summary and `overdue`.
pub fn row_json(r: &ReportSummary, today: Day) -> Json {
    let mut v = serde_json::to_value(r).unwrap_or(Json::Null);
    if let Some(o) = v.as_object_mut() {
        o.insert("overdue".into(), Json::Bool(r.overdue(today)));
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
        "{:<id_width$}  {:<10}  {:<12}  {urgency}{proposed}{:pad$}  {:<12}  {:<12}{}{}",
        id,
        r.received,
        r.state,
        "",
        r.anonymity,
        safe(r.assignee_name.as_deref().unwrap_or("-")),
        if r.overdue(today) { "  OVERDUE" } else { "" },
        if r.rekey.needs_rekey() { "  REKEY" } else { "" }
    );
}

/// Writes a formatted table to standard output; a closed pipe (`| head`)
/// is not an error.
pub fn print_text(text: &str) -> Result<(), CliError> {
    write_out(&mut std::io::stdout().lock(), text.as_bytes())
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
