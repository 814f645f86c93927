//! Actions pushed from offline desks that were applied, by action id, so
//! that pushing the same outbox again changes nothing (`amanat push`,
//! docs/reviewers.md). A record holds the reviewer id and the UTC day only.

use super::{Store, StoreError, from_json, to_json};
use amanat_core::timeutil::Day;
use serde::{Deserialize, Serialize};

/// The sled tree of applied offline actions.
const TREE: &str = "outbox_applied";

/// An applied offline action.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AppliedAction {
    pub reviewer_id: String,
    pub report: String,
    pub day: Day,
}

impl Store {
    /// The record of offline action `id`, if it was applied.
    pub fn applied_action(&self, id: &str) -> Result<Option<AppliedAction>, StoreError> {
        self.db
            .open_tree(TREE)?
            .get(id.as_bytes())?
            .map(|v| from_json(TREE, &v))
            .transpose()
    }

    /// Records offline action `id` as applied.
    pub fn record_applied(&self, id: &str, rec: &AppliedAction) -> Result<(), StoreError> {
        let _gate = self.write_gate();
        self.db
            .open_tree(TREE)?
            .insert(id.as_bytes(), to_json(rec)?)?;
        self.durable()
    }
}
