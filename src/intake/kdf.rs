//! The Argon2 gate: codename derivations run on the blocking pool, at most
//! `permits` at a time, so KDF memory is bounded by permits × m_cost.
//!
//! Past the bound a request is refused at once ("busy, try again") instead
//! of queueing without limit. The permit travels into the blocking task, so
//! a client that disconnects mid-derivation still holds it until the work
//! is done and the memory is freed.

use crate::crypto::codename::{self, Derived, KdfParams};
use actix_web::web;
use std::sync::Arc;
use tokio::sync::Semaphore;
use zeroize::Zeroizing;

/// Why a derivation did not happen.
#[derive(Debug, PartialEq, Eq)]
pub enum KdfError {
    /// Every permit is in use.
    Busy,
    /// The derivation itself failed (bad parameters, worker lost).
    Failed,
}

/// Bounded access to codename derivations.
pub struct KdfGate {
    sem: Arc<Semaphore>,
    salt: Arc<Vec<u8>>,
    /// Parameters for new codenames.
    pub params: KdfParams,
}

impl KdfGate {
    /// A gate with `permits` concurrent derivations.
    pub fn new(permits: usize, salt: Vec<u8>, params: KdfParams) -> KdfGate {
        KdfGate {
            sem: Arc::new(Semaphore::new(permits)),
            salt: Arc::new(salt),
            params,
        }
    }

    /// Derives a normalized codename with each parameter set, in one
    /// permit. Every call does the same work whatever the outcome.
    pub async fn derive_all(
        &self,
        normalized: Zeroizing<String>,
        sets: Vec<KdfParams>,
    ) -> Result<Vec<(KdfParams, Derived)>, KdfError> {
        let permit = self
            .sem
            .clone()
            .try_acquire_owned()
            .map_err(|_| KdfError::Busy)?;
        let salt = self.salt.clone();
        web::block(move || {
            let _permit = permit;
            sets.into_iter()
                .map(|p| codename::derive(&normalized, &salt, p).map(|d| (p, d)))
                .collect::<Result<Vec<_>, _>>()
        })
        .await
        .map_err(|_| KdfError::Failed)?
        .map_err(|_| KdfError::Failed)
    }

    /// Derives a new codename with the current parameters.
    pub async fn derive(&self, normalized: Zeroizing<String>) -> Result<Derived, KdfError> {
        self.derive_all(normalized, vec![self.params])
            .await?
            .pop()
            .map(|(_, d)| d)
            .ok_or(KdfError::Failed)
    }
}
