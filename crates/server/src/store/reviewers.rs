//! Enrolled reviewers (public keys, names, roles) and pending grants: the
//! records that decide to whom new envelopes are encrypted.

use super::{NewReviewer, PendingGrant, Reviewer, Store, StoreError, from_json, to_json, tx_err};
use amanat_core::model::Role;
use amanat_core::timeutil::Day;
use sled::Transactional;
use sled::transaction::ConflictableTransactionError;

impl Store {
    /// Enrols a reviewer. Names and recipients are unique.
    pub fn add_reviewer(&self, new: NewReviewer) -> Result<Reviewer, StoreError> {
        let _gate = self.write_gate();
        let all = self.reviewers()?;
        if all.iter().any(|r| r.name == new.name) {
            return Err(StoreError::Conflict(format!(
                "a reviewer named {:?} already exists",
                new.name
            )));
        }
        if all.iter().any(|r| r.recipient == new.recipient) {
            return Err(StoreError::Conflict(
                "this recipient is already enrolled".into(),
            ));
        }
        let r = Reviewer {
            id: amanat_core::crypto::random::id(),
            name: new.name,
            recipient: new.recipient,
            roles: new.roles,
            added: Day::today(),
        };
        let value = to_json(&r)?;
        (&self.reviewers, &self.meta)
            .transaction(|(reviewers, meta)| {
                reviewers.insert(r.id.as_bytes(), value.as_slice())?;
                super::rekey::record_removed(meta, None, Some(&r.recipient))?;
                Ok::<_, ConflictableTransactionError<StoreError>>(())
            })
            .map_err(tx_err)?;
        self.durable()?;
        Ok(r)
    }

    /// Removes a reviewer by id or name. Their recipient is kept among the
    /// removed ones (not their name), so that what is still sealed to it
    /// can be found and re-keyed.
    pub fn remove_reviewer(&self, id_or_name: &str) -> Result<Reviewer, StoreError> {
        let _gate = self.write_gate();
        let r = self
            .reviewers()?
            .into_iter()
            .find(|r| r.id == id_or_name || r.name == id_or_name)
            .ok_or(StoreError::NotFound)?;
        (&self.reviewers, &self.meta)
            .transaction(|(reviewers, meta)| {
                reviewers.remove(r.id.as_bytes())?;
                super::rekey::record_removed(meta, Some(&r.recipient), None)?;
                Ok::<_, ConflictableTransactionError<StoreError>>(())
            })
            .map_err(tx_err)?;
        self.durable()?;
        Ok(r)
    }

    /// Every enrolled reviewer, sorted by name.
    pub fn reviewers(&self) -> Result<Vec<Reviewer>, StoreError> {
        let mut v = Vec::new();
        for item in self.reviewers.iter() {
            let (_, value) = item?;
            v.push(from_json::<Reviewer>("reviewers", &value)?);
        }
        v.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(v)
    }

    /// A reviewer by id.
    pub fn reviewer(&self, id: &str) -> Result<Option<Reviewer>, StoreError> {
        self.reviewers
            .get(id.as_bytes())?
            .map(|v| from_json("reviewers", &v))
            .transpose()
    }

    /// Records a pending grant. Its name and recipient must be free among
    /// reviewers and other pending grants.
    pub fn add_grant(
        &self,
        id: String,
        new: NewReviewer,
        requested_by: &str,
    ) -> Result<PendingGrant, StoreError> {
        let _gate = self.write_gate();
        self.check_grant_is_free(&new)?;
        let g = PendingGrant {
            id,
            name: new.name,
            recipient: new.recipient,
            roles: new.roles,
            requested_by: requested_by.to_string(),
            day: Day::today(),
        };
        self.grants.insert(g.id.as_bytes(), to_json(&g)?)?;
        self.durable()?;
        Ok(g)
    }

    /// Refuses (409) a grant whose name or recipient is already taken by a
    /// reviewer or another pending grant.
    pub fn check_grant_is_free(&self, new: &NewReviewer) -> Result<(), StoreError> {
        let all = self.reviewers()?;
        let pending = self.grants()?;
        if all.iter().any(|r| r.name == new.name) || pending.iter().any(|g| g.name == new.name) {
            return Err(StoreError::Conflict(format!(
                "a reviewer or pending grant named {:?} already exists",
                new.name
            )));
        }
        if all.iter().any(|r| r.recipient == new.recipient)
            || pending.iter().any(|g| g.recipient == new.recipient)
        {
            return Err(StoreError::Conflict(
                "this recipient is already enrolled or pending".into(),
            ));
        }
        Ok(())
    }

    /// Every pending grant, oldest first.
    pub fn grants(&self) -> Result<Vec<PendingGrant>, StoreError> {
        let mut v = Vec::new();
        for item in self.grants.iter() {
            let (_, value) = item?;
            v.push(from_json::<PendingGrant>("grants", &value)?);
        }
        v.sort_by(|a, b| (a.day, &a.id).cmp(&(b.day, &b.id)));
        Ok(v)
    }

    /// A pending grant by id.
    pub fn grant(&self, id: &str) -> Result<Option<PendingGrant>, StoreError> {
        self.grants
            .get(id.as_bytes())?
            .map(|v| from_json("grants", &v))
            .transpose()
    }

    /// Removes a pending grant (withdrawn, or approved: see [`Store::approve_grant`]).
    pub fn remove_grant(&self, id: &str) -> Result<PendingGrant, StoreError> {
        let _gate = self.write_gate();
        let g = self.grant(id)?.ok_or(StoreError::NotFound)?;
        self.grants.remove(id.as_bytes())?;
        self.durable()?;
        Ok(g)
    }

    /// Enrols the reviewer a pending grant describes and removes the grant,
    /// in one transaction, then flushes.
    pub fn approve_grant(&self, id: &str) -> Result<Reviewer, StoreError> {
        let _gate = self.write_gate();
        let g = self.grant(id)?.ok_or(StoreError::NotFound)?;
        let all = self.reviewers()?;
        if all
            .iter()
            .any(|r| r.name == g.name || r.recipient == g.recipient)
        {
            return Err(StoreError::Conflict(
                "a reviewer with this name or recipient was enrolled meanwhile".into(),
            ));
        }
        let r = Reviewer {
            id: amanat_core::crypto::random::id(),
            name: g.name,
            recipient: g.recipient,
            roles: g.roles,
            added: Day::today(),
        };
        let value = to_json(&r)?;
        (&self.reviewers, &self.grants, &self.meta)
            .transaction(|(reviewers, grants, meta)| {
                if grants.remove(id.as_bytes())?.is_none() {
                    return Err(ConflictableTransactionError::Abort(StoreError::NotFound));
                }
                reviewers.insert(r.id.as_bytes(), value.as_slice())?;
                super::rekey::record_removed(meta, None, Some(&r.recipient))?;
                Ok(())
            })
            .map_err(tx_err)?;
        self.durable()?;
        Ok(r)
    }

    /// The recipients of every reviewer holding `role`.
    pub fn recipients_with_role(&self, role: Role) -> Result<Vec<String>, StoreError> {
        Ok(self
            .reviewers()?
            .into_iter()
            .filter(|r| r.roles.contains(&role))
            .map(|r| r.recipient)
            .collect())
    }
}
