//! One page of the queue: the reports that pass a filter, in queue order
//! (most urgent, then oldest received day, then id: a total order, so a
//! page boundary is never ambiguous), after a cursor, at most `limit` of
//! them. Read from the `queue_order` tree from the cursor on (see `order`):
//! nothing is sorted per request and nothing is held for the whole queue.
//!
//! A cursor is the sort key of the last report of a page, encoded as
//! URL-safe base64. It names a report id (already in the page) and nothing
//! else; a client must treat it as opaque.

use super::order::Listed;
use super::{ReportHead, Store, StoreError};
use amanat_core::model::triage::overdue;
use amanat_core::model::{State, Urgency};
use amanat_core::timeutil::Day;
use data_encoding::BASE64URL_NOPAD;
use std::ops::Bound;

/// A report's place in the queue.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct SortKey {
    pub urgency: Urgency,
    pub received: Day,
    pub id: String,
}

impl SortKey {
    /// The place of a report.
    pub fn of(h: &ReportHead) -> SortKey {
        SortKey {
            urgency: h.urgency,
            received: h.received,
            id: h.id.clone(),
        }
    }

    /// The opaque cursor text.
    pub fn to_cursor(&self) -> String {
        let text = format!(
            "1.{}.{}.{}",
            self.urgency.as_str(),
            self.received.days(),
            self.id
        );
        BASE64URL_NOPAD.encode(text.as_bytes())
    }

    /// Parses a cursor this server gave out; `None` for anything else.
    pub fn from_cursor(cursor: &str) -> Option<SortKey> {
        let raw = BASE64URL_NOPAD.decode(cursor.as_bytes()).ok()?;
        let text = String::from_utf8(raw).ok()?;
        let mut parts = text.split('.');
        if parts.next()? != "1" {
            return None;
        }
        let urgency = parts.next()?.parse().ok()?;
        let received = Day::from_days(parts.next()?.parse().ok()?);
        let id = parts.next()?.to_owned();
        (parts.next().is_none() && amanat_core::crypto::random::is_id(&id)).then_some(SortKey {
            urgency,
            received,
            id,
        })
    }
}

/// Whose reports.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Assignee {
    /// Reports nobody holds.
    Nobody,
    /// Reports this reviewer id holds.
    Reviewer(String),
}

/// Which reports, from where, how many. Empty lists and `None` filter
/// nothing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PageQuery {
    pub state: Vec<State>,
    pub urgency: Vec<Urgency>,
    pub assignee: Option<Assignee>,
    /// Received on or after this day.
    pub since: Option<Day>,
    /// Only reports overdue on this day (`model::triage::overdue`).
    pub overdue_on: Option<Day>,
    /// Start after this report.
    pub after: Option<SortKey>,
    pub limit: usize,
}

impl PageQuery {
    /// Everything, `limit` at a time.
    pub fn all(limit: usize) -> PageQuery {
        PageQuery {
            state: Vec::new(),
            urgency: Vec::new(),
            assignee: None,
            since: None,
            overdue_on: None,
            after: None,
            limit,
        }
    }

    /// True if `h` passes every filter.
    pub fn admits(&self, h: &ReportHead) -> bool {
        (self.state.is_empty() || self.state.contains(&h.state))
            && (self.urgency.is_empty() || self.urgency.contains(&h.urgency))
            && self.since.is_none_or(|d| h.received >= d)
            && match &self.assignee {
                None => true,
                Some(Assignee::Nobody) => h.assignee.is_none(),
                Some(Assignee::Reviewer(id)) => h.assignee.as_deref() == Some(id.as_str()),
            }
            && self.overdue_on.is_none_or(|today| {
                amanat_core::model::triage::overdue(h.urgency, h.state, h.received, today)
            })
    }
}

/// A page of reports and where the next one starts (`None`: this was the
/// last).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next: Option<SortKey>,
}

impl Store {
    /// `f` of each report of one page of the queue (see the module
    /// documentation). Memory is bounded by `limit`, whatever the queue.
    /// A filter that admits few reports reads on until it has a page or the
    /// queue ends.
    pub fn page<T>(
        &self,
        q: &PageQuery,
        mut f: impl FnMut(&Listed) -> Result<T, StoreError>,
    ) -> Result<Page<T>, StoreError> {
        let mut from = match &q.after {
            Some(k) => Bound::Excluded(super::order::key(k)),
            None => Bound::Unbounded,
        };
        let mut items = Vec::with_capacity(q.limit.min(1024));
        let mut last = None;
        let mut more = false;
        'scan: loop {
            let mut skip_to = None;
            for item in self.order.range((from.clone(), Bound::Unbounded)) {
                let (_, value) = item?;
                let listed = super::order::entry(&value)?;
                if let Some(today) = q.overdue_on {
                    let h = &listed.head;
                    if !overdue(h.urgency, State::New, h.received, today) {
                        // The rest of this urgency arrived later: none of
                        // it is overdue either. On to the next urgency.
                        skip_to = super::order::after_urgency(h.urgency);
                        break;
                    }
                }
                if !q.admits(&listed.head) {
                    continue;
                }
                if items.len() == q.limit {
                    more = true;
                    break 'scan;
                }
                items.push(f(&listed)?);
                last = Some(SortKey::of(&listed.head));
            }
            match skip_to {
                Some(k) => from = Bound::Included(k),
                None => break,
            }
        }
        Ok(Page {
            items,
            next: if more { last } else { None },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_strangers_are_refused() {
        let k = SortKey {
            urgency: Urgency::High,
            received: Day::from_days(20_000),
            id: amanat_core::crypto::random::id(),
        };
        assert_eq!(SortKey::from_cursor(&k.to_cursor()), Some(k.clone()));
        for bad in ["", "abc", "!!!", &k.to_cursor()[1..]] {
            assert_eq!(SortKey::from_cursor(bad), None, "{bad}");
        }
        let forged = BASE64URL_NOPAD.encode(b"1.high.20000.not-an-id");
        assert_eq!(SortKey::from_cursor(&forged), None);
        let version = BASE64URL_NOPAD.encode(format!("2.high.1.{}", k.id).as_bytes());
        assert_eq!(SortKey::from_cursor(&version), None);
    }
}
