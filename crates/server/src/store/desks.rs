//! Offline desks: the sync tokens of `amanat sync` and the desk keys they
//! were enrolled with (docs/reviewers.md, "Air-gapped review").
//!
//! A record is kept by the SHA-256 of its token, never the token: a seized
//! disk yields no usable credential. The record holds the reviewer id, the
//! desk key's public half (Ed25519, public by nature) and two UTC days.
//! The tree is separate from the in-memory login sessions because a sync
//! token must outlive a restart: it is used from a machine that cannot log
//! in (it has no private key).

use super::{Store, StoreError, from_json, to_json};
use amanat_core::timeutil::Day;
use serde::{Deserialize, Serialize};

/// The sled tree of desk records.
const TREE: &str = "desks";

/// One enrolled desk: whose it is, its public key, when it expires.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Desk {
    pub reviewer_id: String,
    /// Standard base64 of the 32-byte Ed25519 public key.
    pub desk_key: String,
    pub added: Day,
    /// The last day the token is accepted.
    pub expires: Day,
}

impl Store {
    /// Records a desk under the hash of its token.
    pub fn add_desk(&self, token_hash: &[u8; 32], desk: &Desk) -> Result<(), StoreError> {
        let _gate = self.write_gate();
        self.db
            .open_tree(TREE)?
            .insert(token_hash, to_json(desk)?)?;
        self.durable()
    }

    /// The desk whose token has this hash, if it is enrolled.
    pub fn desk(&self, token_hash: &[u8; 32]) -> Result<Option<Desk>, StoreError> {
        self.db
            .open_tree(TREE)?
            .get(token_hash)?
            .map(|v| from_json(TREE, &v))
            .transpose()
    }

    /// Forgets the desk whose token has this hash.
    pub fn remove_desk(&self, token_hash: &[u8; 32]) -> Result<(), StoreError> {
        let _gate = self.write_gate();
        self.db.open_tree(TREE)?.remove(token_hash)?;
        self.durable()
    }

    /// Forgets every desk of a reviewer and those past their last day;
    /// returns how many were forgotten.
    pub fn remove_desks(&self, reviewer_id: Option<&str>) -> Result<usize, StoreError> {
        let _gate = self.write_gate();
        let tree = self.db.open_tree(TREE)?;
        let today = Day::today();
        let mut gone = 0;
        for item in tree.iter() {
            let (k, v) = item?;
            let d: Desk = from_json(TREE, &v)?;
            if Some(d.reviewer_id.as_str()) == reviewer_id || d.expires < today {
                tree.remove(k)?;
                gone += 1;
            }
        }
        self.durable()?;
        Ok(gone)
    }
}
