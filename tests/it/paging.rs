//! The paged, filtered queue (`GET /api/v1/reports`, docs/api.md) through
//! the real server: each filter, cursors walked to the end, a bad cursor
//! and other bad parameters (400 naming the parameter), limits, the answer
//! without parameters as before paging, and the kept queue counts.
#![forbid(unsafe_code)]
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use amanat_core::api::*;
use amanat_core::model::{Anonymity, Role, State, Urgency};
use amanat_core::timeutil::Day;
use amanatd::store::{EnvelopeKind, NewEnvelope, NewReport, Store};
use common::*;

const TRIAGE: &[Role] = &[Role::Triage];

/// A report straight into the store (the form is tested elsewhere): the
/// listing reads only plaintext metadata.
fn report(store: &Store, urgency: Urgency) -> String {
    store
        .insert_report(NewReport {
            anonymity: Anonymity::Confidential,
            urgency,
            envelopes: vec![NewEnvelope {
                kind: EnvelopeKind::Report,
                ciphertext: b"not read here".to_vec(),
                recipients: vec![],
            }],
            source: None,
            blobs: vec![],
        })
        .unwrap()
        .id
}

fn list(app: &TestApp, token: &str, query: &str) -> ReportList {
    let resp = api_get(app, token, &format!("/api/v1/reports{query}"));
    assert_eq!(resp.status(), 200, "{query}");
    resp.json().unwrap()
}

fn ids(l: &ReportList) -> Vec<String> {
    l.reports.iter().map(|r| r.id.clone()).collect()
}

/// Every page of `query`, `limit` at a time, following the cursor.
fn walk(app: &TestApp, token: &str, query: &str, limit: usize) -> Vec<String> {
    let mut out = Vec::new();
    let mut cursor = String::new();
    loop {
        let page = list(app, token, &format!("?limit={limit}{query}{cursor}"));
        assert!(page.reports.len() <= limit);
        out.extend(ids(&page));
        match page.next_cursor {
            Some(c) => cursor = format!("&cursor={c}"),
            None => return out,
        }
    }
}

#[test]
fn the_queue_pages_and_filters_on_the_server() {
    let (app, rs) = spawn_app(&[("ana", TRIAGE), ("bo", TRIAGE)], |c| {
        c.limits.list_page_max = 7;
        c.limits.list_page_default = 3;
        c.limits.list_unpaged_max = 10;
    });
    let ana = login(&app, &rs[0]);
    let s = &app.store;
    let mut all = Vec::new();
    for i in 0..9 {
        all.push(report(s, Urgency::ALL[i % 4]));
    }
    // One old critical report still new (overdue), one acknowledged and
    // held by ana, one closed and held by bo.
    let old = all[0].clone();
    s.update_report(
        &old,
        State::New,
        |m| m.received = Day::from_days(20_000),
        None,
    )
    .unwrap();
    s.update_report(
        &all[1],
        State::New,
        |m| {
            m.state = State::Acknowledged;
            m.assignee = Some(rs[0].id.clone());
        },
        None,
    )
    .unwrap();
    s.update_report(
        &all[2],
        State::New,
        |m| {
            m.state = State::Closed;
            m.assignee = Some(rs[1].id.clone());
        },
        None,
    )
    .unwrap();

    // Without parameters: the whole queue as before paging, in queue order.
    let full = list(&app, &ana, "");
    assert_eq!(full.reports.len(), 9);
    assert!(full.next_cursor.is_none() && full.counts.is_none());
    let order: Vec<(Urgency, Day, String)> = full
        .reports
        .iter()
        .map(|r| (r.urgency, r.received, r.id.clone()))
        .collect();
    let mut sorted = order.clone();
    sorted.sort();
    assert_eq!(order, sorted, "most urgent, then oldest, then id");
    assert_eq!(full.reports[0].id, old, "critical and oldest first");
    let queue = ids(&full);

    // Paged: the default page, the cursor to the end, the same order.
    let first = list(&app, &ana, "?counts=false");
    assert_eq!(ids(&first), queue[..3]);
    assert!(first.next_cursor.is_some());
    assert_eq!(walk(&app, &ana, "", 2), queue);
    assert_eq!(walk(&app, &ana, "", 4), queue);
    // A limit above the maximum is lowered to it.
    let big = list(&app, &ana, "?limit=1000");
    assert_eq!(big.reports.len(), 7);

    // Each filter, alone, against the full list filtered here.
    let expect = |f: &dyn Fn(&ReportSummary) -> bool| -> Vec<String> {
        full.reports
            .iter()
            .filter(|r| f(r))
            .map(|r| r.id.clone())
            .collect()
    };
    assert_eq!(
        walk(&app, &ana, "&state=acknowledged,closed", 1),
        expect(&|r| matches!(r.state, State::Acknowledged | State::Closed))
    );
    assert_eq!(
        walk(&app, &ana, "&urgency=high&urgency=informational", 1),
        expect(&|r| matches!(r.urgency, Urgency::High | Urgency::Informational))
    );
    assert_eq!(walk(&app, &ana, "&assignee=me", 2), vec![all[1].clone()]);
    assert_eq!(walk(&app, &ana, "&assignee=bo", 2), vec![all[2].clone()]);
    assert_eq!(
        walk(&app, &ana, &format!("&assignee={}", rs[1].id), 2),
        vec![all[2].clone()]
    );
    assert_eq!(
        walk(&app, &ana, "&assignee=none", 2),
        expect(&|r| r.assignee.is_none())
    );
    assert_eq!(
        walk(&app, &ana, &format!("&since={}", Day::today()), 3),
        expect(&|r| r.received == Day::today())
    );
    assert_eq!(walk(&app, &ana, "&overdue=true", 3), vec![old.clone()]);
    let today = Day::today();
    assert!(full.reports.iter().filter(|r| r.overdue(today)).count() == 1);
    // Filters combine.
    assert!(walk(&app, &ana, "&overdue=true&assignee=me", 3).is_empty());

    // The kept counts.
    let counted = list(&app, &ana, "?counts=true&limit=1").counts.unwrap();
    assert_eq!(counted.total, 9);
    assert_eq!(counted.by_state.get(&State::New), Some(&7));
    assert_eq!(counted.by_state.get(&State::Closed), Some(&1));
    let open: u64 = counted.open_by_urgency.values().sum();
    assert_eq!(open, 8);
    assert_eq!(counted.unassigned_critical, 3, "reports 0, 4 and 8");

    // Bad input: 400, naming the parameter and the way out.
    let bad = |q: &str, needle: &str| {
        let (status, code, msg) = error_code(api_get(&app, &ana, &format!("/api/v1/reports?{q}")));
        assert_eq!((status, code.as_str()), (400, "bad_request"), "{q}: {msg}");
        assert!(msg.contains(needle), "{q}: {msg}");
    };
    bad("cursor=bm9wZQ", "not a cursor this server gave out");
    bad("cursor=%%%", "start again without it");
    bad("limit=0", "`limit`");
    bad("limit=many", "`limit`");
    bad("state=lost", "unknown state");
    bad("urgency=soon", "unknown urgency");
    bad("since=yesterday", "YYYY-MM-DD");
    bad("overdue=yes", "`overdue`");
    bad("assignee=nobody-known", "no reviewer has the id or name");
    bad("limit=1&limit=2", "given twice");
    bad(
        "order=id",
        "unknown parameter `order`; known: state, urgency",
    );

    // Past the unpaged cap, the old request gets the first part and a cursor.
    for _ in 0..3 {
        report(s, Urgency::Standard);
    }
    let capped = list(&app, &ana, "");
    assert_eq!(capped.reports.len(), 10);
    let rest = list(
        &app,
        &ana,
        &format!("?cursor={}", capped.next_cursor.unwrap()),
    );
    assert_eq!(rest.reports.len(), 2);
    assert!(rest.next_cursor.is_none());
}
