//! Reading reports: every report's metadata, the listing in queue order
//! (from the `queue_order` tree every write keeps current: see `order`),
//! single reports (assembled from their reference trees) and envelopes.

use super::{ReportHead, ReportMeta, ReportRecord, Store, StoreError, from_json, order};

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

    /// Every report's listing metadata (see [`ReportHead`]), in queue order
    /// (for tests and tools: a listing asks for a page).
    pub fn report_heads(&self) -> Result<Vec<ReportHead>, StoreError> {
        let mut v = Vec::new();
        for item in self.order.iter() {
            let (_, value) = item?;
            v.push(order::entry(&value)?.head);
        }
        Ok(v)
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
