//! Reading reports: every report's metadata, the in-memory listing index
//! of [`ReportHead`]s kept current by every write, single reports and
//! envelopes, and counts per state.

use super::{ReportHead, ReportMeta, Store, StoreError, from_json};
use amanat_core::model::State;

impl Store {
    /// Every report's plaintext metadata.
    pub fn reports(&self) -> Result<Vec<ReportMeta>, StoreError> {
        let mut v = Vec::with_capacity(self.reports.len());
        for item in self.reports.iter() {
            let (_, value) = item?;
            v.push(from_json::<ReportMeta>("reports", &value)?);
        }
        Ok(v)
    }

    /// Every report's listing metadata (see [`ReportHead`]), in id order.
    pub fn report_heads(&self) -> Result<Vec<ReportHead>, StoreError> {
        self.map_report_heads(ReportHead::clone)
    }

    /// `f` of every report's listing metadata, in id order, without copying
    /// what `f` does not take.
    pub fn map_report_heads<T>(
        &self,
        f: impl FnMut(&ReportHead) -> T,
    ) -> Result<Vec<T>, StoreError> {
        let mut index = self.heads_index();
        if index.is_none() {
            let mut map = std::collections::BTreeMap::new();
            for item in self.reports.iter() {
                let (_, value) = item?;
                let head: ReportHead = from_json("reports", &value)?;
                map.insert(head.id.clone(), head);
            }
            *index = Some(map);
        }
        Ok(index
            .as_ref()
            .map(|m| m.values().map(f).collect())
            .unwrap_or_default())
    }

    fn heads_index(
        &self,
    ) -> std::sync::MutexGuard<'_, Option<std::collections::BTreeMap<String, ReportHead>>> {
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
            Ok(Some(head)) => {
                map.insert(id.to_owned(), head);
            }
            Ok(None) => {
                map.remove(id);
            }
            Err(_) => *index = None,
        }
    }

    /// One report's metadata.
    pub fn report(&self, id: &str) -> Result<Option<ReportMeta>, StoreError> {
        self.reports
            .get(id.as_bytes())?
            .map(|v| from_json("reports", &v))
            .transpose()
    }

    /// An envelope's ciphertext.
    pub fn envelope(&self, id: &str) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(self.envelopes.get(id.as_bytes())?.map(|v| v.to_vec()))
    }

    /// Number of stored reports.
    pub fn report_count(&self) -> usize {
        self.reports.len()
    }

    /// Report counts per triage state, for `amanatd status`.
    pub fn state_counts(&self) -> Result<Vec<(State, usize)>, StoreError> {
        let mut counts: Vec<(State, usize)> = Vec::new();
        for state in self.map_report_heads(|h| h.state)? {
            match counts.iter_mut().find(|(s, _)| *s == state) {
                Some((_, n)) => *n += 1,
                None => counts.push((state, 1)),
            }
        }
        Ok(counts)
    }
}
