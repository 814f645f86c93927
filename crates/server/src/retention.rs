//! Retention: closed reports (and their source accounts) are purged after a
//! configurable number of days in the `closed` state; spam sooner.
//!
//! The rules (`[retention]` of the config, [`Retention`]) and the clock
//! ([`Day`]) are parameters, so that tests and `amanatd purge --as-of`
//! control them. Each purge removes the report's envelopes, blobs and
//! source lookup in one step (`Store::purge`) and writes an audit entry.
//! sled is log-structured: purged data is unreadable through the store at
//! once, but old bytes may stay on disk until compaction (SECURITY.md).

use crate::config::Retention;
use crate::store::{PageQuery, ReportHead, Store, StoreError};
use amanat_core::audit::{Action, Event};
use amanat_core::model::{CloseReason, State};
use amanat_core::timeutil::Day;

/// True if the report `head` describes is due for purging on `today`.
pub fn is_due(rules: &Retention, head: &ReportHead, today: Day) -> bool {
    if head.state != State::Closed {
        return false;
    }
    let keep = if head.closed_reason == Some(CloseReason::Spam) {
        rules.spam_days
    } else {
        rules.closed_days
    };
    keep > 0 && today.days() - head.state_day().days() >= i64::from(keep)
}

/// Purges every due report (or only lists them with `dry_run`).
/// Returns the ids. Reads the queue a page of listing entries at a time
/// (closed reports only), so memory does not grow with the store.
pub fn run(
    rules: &Retention,
    store: &Store,
    today: Day,
    dry_run: bool,
) -> Result<Vec<String>, StoreError> {
    let mut query = PageQuery::all(PAGE);
    query.state = vec![State::Closed];
    let mut ids = Vec::new();
    loop {
        let page = store.page(&query, |l| {
            Ok(is_due(rules, &l.head, today).then(|| l.head.clone()))
        })?;
        for head in page.items.into_iter().flatten() {
            if !dry_run {
                store.purge(&head.id)?;
                store.append_audit(Event {
                    actor: "retention".into(),
                    action: Action::Purge,
                    report: Some(head.id.clone()),
                    detail: head.closed_reason.map(|r| r.to_string()),
                })?;
            }
            ids.push(head.id);
        }
        match page.next {
            // A purge removes reports before the cursor only: the order of
            // those after it does not change.
            Some(next) => query.after = Some(next),
            None => break,
        }
    }
    if !dry_run && !ids.is_empty() {
        store.flush()?;
    }
    Ok(ids)
}

/// Listing entries read per page.
const PAGE: usize = 1024;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{EnvelopeKind, NewEnvelope, NewReport};
    use amanat_core::model::{Anonymity, Urgency};

    #[test]
    fn closed_and_spam_reports_are_purged_on_their_day_only() {
        let dir = tempfile::tempdir().unwrap();
        let s = Store::create(dir.path()).unwrap();
        let new = |s: &Store| {
            s.insert_report(NewReport {
                anonymity: Anonymity::Anonymous,
                urgency: Urgency::Standard,
                envelopes: vec![NewEnvelope {
                    kind: EnvelopeKind::Report,
                    ciphertext: b"c".to_vec(),
                    recipients: vec![],
                }],
                source: None,
                blobs: vec![],
            })
            .unwrap()
        };
        let today = Day::today();
        let close = |s: &Store, id: &str, reason: CloseReason, day: Day| {
            s.update_report(
                id,
                State::New,
                |m| {
                    m.state = State::Closed;
                    m.closed_reason = Some(reason);
                    m.state_changed = Some(day);
                },
                None,
            )
            .unwrap();
        };
        let open = new(&s);
        let resolved = new(&s);
        let spam = new(&s);
        close(&s, &resolved.id, CloseReason::Resolved, today);
        close(&s, &spam.id, CloseReason::Spam, today);
        let p = Retention::default();
        let later = |d: i64| Day::from_days(today.days() + d);

        assert!(run(&p, &s, later(6), false).unwrap().is_empty());
        assert_eq!(
            run(&p, &s, later(7), true).unwrap(),
            vec![spam.id.clone()],
            "dry run lists"
        );
        assert!(s.report(&spam.id).unwrap().is_some(), "dry run keeps");
        assert_eq!(run(&p, &s, later(7), false).unwrap(), vec![spam.id.clone()]);
        assert!(s.report(&spam.id).unwrap().is_none());
        assert!(run(&p, &s, later(89), false).unwrap().is_empty());
        assert_eq!(
            run(&p, &s, later(90), false).unwrap(),
            vec![resolved.id.clone()]
        );
        assert!(
            run(&p, &s, later(10_000), false).unwrap().is_empty(),
            "open reports stay"
        );
        assert!(s.report(&open.id).unwrap().is_some());
        let purges = s
            .audit_entries()
            .unwrap()
            .into_iter()
            .filter(|e| e.event.action == Action::Purge)
            .count();
        assert_eq!(purges, 2);
        let keep_all = Retention {
            closed_days: 0,
            spam_days: 0,
        };
        close(&s, &open.id, CloseReason::Duplicate, today);
        assert!(
            run(&keep_all, &s, later(100_000), false)
                .unwrap()
                .is_empty()
        );
    }
}
