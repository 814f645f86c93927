//! `amanat profiles`, and `list` / `queue` with `--all-profiles`: one desk
//! reading several servers (see `crate::profiles`).
//!
//! Rows from every logged-in profile are merged into one queue, in the
//! servers' own order (most urgent, then oldest), each named by its profile
//! and with its id qualified (`geneva:ID`) so that it can be passed back to
//! any command. A server that cannot be read (down, blocked, session
//! expired) does not hide the others: its rows are missing, a warning names
//! it on standard error, and the command ends with that failure's exit code.

use super::Ctx;
use super::list::{self, Filter, print_text, table_header, table_row};
use super::queue::Summary;
use crate::exit::{CliError, Exit};
use crate::profiles::{self, Profile};
use crate::render::{print_json, safe};
use crate::session;
use amanat_core::api::{ReportList, ReportSummary};
use amanat_core::timeutil::Day;
use serde_json::{Value as Json, json};

/// `amanat list --all-profiles`.
pub fn list(ctx: &Ctx, filter: &Filter, json: bool) -> Result<(), CliError> {
    let today = Day::today();
    let (queues, failed) = fetch_all(ctx)?;
    let mut rows: Vec<(&Profile, &ReportSummary)> = queues
        .iter()
        .flat_map(|(p, me, list)| {
            list.reports
                .iter()
                .filter(move |r| filter.keep(r, me, today))
                .map(move |r| (p, r))
        })
        .collect();
    // The servers' order across servers; the profile breaks ties.
    rows.sort_by(|(pa, a), (pb, b)| {
        (a.urgency, a.received, *pa, &a.id).cmp(&(b.urgency, b.received, *pb, &b.id))
    });
    if json {
        let out: Vec<Json> = rows
            .iter()
            .map(|(p, r)| {
                let mut v = list::row_json(r, today);
                if let Some(o) = v.as_object_mut() {
                    o.insert("profile".into(), json!(p.as_str()));
                    o.insert("ref".into(), json!(p.qualify(&r.id)));
                }
                v
            })
            .collect();
        print_json(&out)?;
    } else if rows.is_empty() {
        println!("No reports.");
    } else {
        let width = rows
            .iter()
            .map(|(p, r)| p.as_str().len() + 1 + r.id.len())
            .max()
            .unwrap_or(list::ID_WIDTH);
        let mut text = String::with_capacity((112 + width) * (rows.len() + 1));
        table_header(&mut text, width);
        for (p, r) in &rows {
            table_row(&mut text, &p.qualify(&r.id), width, r, today);
        }
        print_text(&text)?;
    }
    failed.map_or(Ok(()), Err)
}

/// `amanat queue --all-profiles`: one summary per profile.
pub fn queue(ctx: &Ctx, json: bool) -> Result<(), CliError> {
    let today = Day::today();
    let (queues, failed) = fetch_all(ctx)?;
    if json {
        let mut out = serde_json::Map::new();
        for (p, _, list) in &queues {
            let s = Summary::of(&list.reports, today);
            out.insert(p.to_string(), s.to_json(|id| p.qualify(id)));
        }
        print_json(&out)?;
    } else {
        for (i, (p, _, list)) in queues.iter().enumerate() {
            if i > 0 {
                println!();
            }
            println!("== {p}");
            Summary::of(&list.reports, today).print(|id| p.qualify(id));
        }
    }
    failed.map_or(Ok(()), Err)
}

/// `amanat profiles`: every logged-in profile, its server and reviewer.
pub fn show(ctx: &Ctx, json: bool) -> Result<(), CliError> {
    let mut rows = Vec::new();
    for p in profiles::logged_in(&ctx.root)? {
        if let Some(s) = session::load(&p.dir(&ctx.root))? {
            rows.push((
                p,
                s.server.clone(),
                s.reviewer_name.clone(),
                s.reviewer_id.clone(),
            ));
        }
    }
    if json {
        let out: Vec<Json> = rows
            .iter()
            .map(|(p, server, name, id)| {
                json!({ "profile": p.as_str(), "server": server, "reviewer_name": name, "reviewer_id": id })
            })
            .collect();
        return print_json(&out);
    }
    if rows.is_empty() {
        println!(
            "Not logged in anywhere; run `amanat login` (with --profile NAME for more servers)."
        );
    }
    for (p, server, name, _) in &rows {
        println!("{p:<12}  {}  as {}", safe(server), safe(name));
    }
    Ok(())
}

/// One profile's queue: the profile, the reviewer's id there, the list.
type Queue = (Profile, String, ReportList);

/// The queue of every logged-in profile that answers, and the error to end
/// with if one did not (each failure is reported on standard error).
fn fetch_all(ctx: &Ctx) -> Result<(Vec<Queue>, Option<CliError>), CliError> {
    let all = profiles::logged_in(&ctx.root)?;
    if all.is_empty() {
        return Err(CliError::new(
            Exit::NotLoggedIn,
            "not logged in with any profile; run `amanat login`",
        ));
    }
    let mut queues = Vec::with_capacity(all.len());
    let mut failed: Option<CliError> = None;
    for p in all {
        let fetched = ctx.with_profile(p.clone()).connect().and_then(|conn| {
            let list: ReportList = conn.api.get("/api/v1/reports")?;
            Ok((conn.saved.reviewer_id.clone(), list))
        });
        match fetched {
            Ok((me, list)) => queues.push((p, me, list)),
            Err(e) => {
                eprintln!(
                    "amanat: profile {p}: {} (its reports are not shown)",
                    e.message
                );
                failed.get_or_insert(CliError::new(
                    e.code,
                    format!("profile {p} could not be read: {}", e.message),
                ));
            }
        }
    }
    Ok((queues, failed))
}
