//! The hash-chained audit log of reviewer and operator actions: appending
//! (durable before the action is answered) and reading it back.

use super::{Store, StoreError, from_json, to_json};
use amanat_core::timeutil::Day;

impl Store {
    /// Appends an entry to the hash-chained audit log and flushes it: once
    /// this returns, the entry is on disk and the action may be answered.
    pub fn append_audit(
        &self,
        event: amanat_core::audit::Event,
    ) -> Result<amanat_core::audit::Entry, StoreError> {
        let _gate = self.write_gate();
        let _guard = match self.audit_lock.lock() {
            Ok(g) => g,
            Err(p) => p.into_inner(),
        };
        let last = match self.audit.last()? {
            Some((_, v)) => Some(from_json::<amanat_core::audit::Entry>("audit", &v)?),
            None => None,
        };
        let entry = amanat_core::audit::Entry::next(last.as_ref(), event, Day::today());
        self.audit
            .insert(entry.seq.to_be_bytes(), to_json(&entry)?)?;
        self.durable()?;
        Ok(entry)
    }

    /// The last audit entry, if any.
    pub fn audit_head(&self) -> Result<Option<amanat_core::audit::Entry>, StoreError> {
        self.audit
            .last()?
            .map(|(_, v)| from_json("audit", &v))
            .transpose()
    }

    /// Up to `max` audit entries from index `from` on, in order.
    pub fn audit_range(
        &self,
        from: u64,
        max: usize,
    ) -> Result<Vec<amanat_core::audit::Entry>, StoreError> {
        let mut v = Vec::new();
        for item in self.audit.range(from.to_be_bytes()..).take(max) {
            let (_, value) = item?;
            v.push(from_json("audit", &value)?);
        }
        Ok(v)
    }

    /// Every audit entry in order.
    pub fn audit_entries(&self) -> Result<Vec<amanat_core::audit::Entry>, StoreError> {
        let mut v = Vec::new();
        for item in self.audit.iter() {
            let (_, value) = item?;
            v.push(from_json("audit", &value)?);
        }
        Ok(v)
    }

    /// Raw access to the audit tree, for tamper tests of `audit verify`.
    #[doc(hidden)]
    pub fn audit_tree(&self) -> &sled::Tree {
        &self.audit
    }
}
