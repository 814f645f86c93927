//! Reading reports: every report's metadata, the in-memory listing index
//! of [`ReportHead`]s in queue order kept current by every write, single
//! reports (assembled from their reference trees) and envelopes.

use super::{ReportHead, ReportMeta, ReportRecord, SortKey, Store, StoreError, from_json};
use std::collections::{BTreeMap, HashMap};

/// Every report's head in queue order (most urgent, then oldest, then id),
/// with each id's place in that order.
#[derive(Default)]
pub(super) struct HeadIndex {
    pub by_order: BTreeMap<SortKey, ReportHead>,
    order_of: HashMap<String, SortKey>,
}

impl HeadIndex {
    fn insert(&mut self, head: ReportHead) {
        let key = SortKey::of(&head);
        if let Some(old) = self.order_of.insert(head.id.clone(), key.clone()) {
            self.by_order.remove(&old);
        }
        self.by_order.insert(key, head);
    }

    fn remove(&mut self, id: &str) {
        if let Some(old) = self.order_of.remove(id) {
            self.by_order.remove(&old);
        }
    }
}

impl Store {
    /// Every report's plaintext metadata, envelopes and attachments
    /// included (for retention and tests; a listing uses the heads).
    pub fn reports(&self) -> Result<Vec<ReportMeta>, StoreError> {
        let mut v = Vec::new();
        for item in self.reports.iter() {
            let (_, value) = item?;
            v.push(self.assemble(from_json::<ReportRecord>("reports", &value)?)?);
        }
        Ok(v)
    }

    /// Every report's listing metadata (see [`ReportHead`]), in queue order.
    pub fn report_heads(&self) -> Result<Vec<ReportHead>, StoreError> {
        self.with_heads(|index| index.by_order.values().cloned().collect())
    }

    /// Builds the listing index now if it is not built yet (the server does
    /// at start, off the serving threads). Returns the number of reports.
    pub fn index_reports(&self) -> Result<usize, StoreError> {
        self.with_heads(|index| index.by_order.len())
    }

    /// `f` of the listing index (built on first use), under its lock.
    pub(super) fn with_heads<T>(&self, f: impl FnOnce(&HeadIndex) -> T) -> Result<T, StoreError> {
        let mut index = self.heads_index();
        if index.is_none() {
            let mut built = HeadIndex::default();
            for item in self.reports.iter() {
                let (_, value) = item?;
                built.insert(from_json("reports", &value)?);
            }
            *index = Some(built);
        }
        Ok(match index.as_ref() {
            Some(built) => f(built),
            None => f(&HeadIndex::default()),
        })
    }

    fn heads_index(&self) -> std::sync::MutexGuard<'_, Option<HeadIndex>> {
        match self.heads.lock() {
            Ok(g) => g,
            Err(p) => p.into_inner(),
        }
    }

    /// Brings one report's entry in the listing index up to date after a
    /// committed write. It re-reads the record under the index lock, so
    /// concurrent writers leave the newest version whatever order they get
    /// here in. Should the read fail, the index is dropped and rebuilt on
    /// the next listing: the write itself has committed either way.
    pub(super) fn refresh_head(&self, id: &str) {
        let mut index = self.heads_index();
        let Some(map) = index.as_mut() else {
            return;
        };
        let fresh = self
            .reports
            .get(id.as_bytes())
            .map_err(StoreError::from)
            .and_then(|v| {
                v.map(|v| from_json::<ReportHead>("reports", &v))
                    .transpose()
            });
        match fresh {
            Ok(Some(head)) => map.insert(head),
            Ok(None) => map.remove(id),
            Err(_) => *index = None,
        }
    }

    /// One report's metadata, its envelopes and attachments assembled.
    pub fn report(&self, id: &str) -> Result<Option<ReportMeta>, StoreError> {
        self.report_record(id)?
            .map(|r| self.assemble(r))
            .transpose()
    }

    /// One report's listing metadata, without its envelopes and
    /// attachments (one small record read).
    pub fn report_head(&self, id: &str) -> Result<Option<ReportHead>, StoreError> {
        self.reports
            .get(id.as_bytes())?
            .map(|v| from_json("reports", &v))
            .transpose()
    }

    pub(super) fn report_record(&self, id: &str) -> Result<Option<ReportRecord>, StoreError> {
        self.reports
            .get(id.as_bytes())?
            .map(|v| from_json("reports", &v))
            .transpose()
    }

    /// An envelope's ciphertext.
    pub fn envelope(&self, id: &str) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(self.envelopes.get(id.as_bytes())?.map(|v| v.to_vec()))
    }

    /// Number of stored reports (from the queue counts: no report is read).
    pub fn report_count(&self) -> usize {
        self.queue_counts()
            .map(|c| c.iter().map(|c| c.reports as usize).sum())
            .unwrap_or_else(|_| self.reports.len())
    }
}
