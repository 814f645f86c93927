//! The Argon2 gate: codename derivations run on the blocking pool, at most
//! `permits` at a time, each in one of at most `permits` reused work
//! buffers, so KDF memory is bounded by permits × m_cost.
//!
//! Past the bound a request is refused at once ("busy, try again") instead
//! of queueing without limit. The permit travels into the blocking task, so
//! a client that disconnects mid-derivation still holds it until the work
//! is done and the memory is freed.

use crate::crypto::codename::{self, Derived, KdfParams};
use actix_web::web;
use std::sync::{Arc, Mutex};
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
    /// Work buffers; never more than `permits` exist.
    pool: Arc<Mutex<Vec<Vec<argon2::Block>>>>,
    /// Parameters for new codenames.
    pub params: KdfParams,
}

impl KdfGate {
    /// A gate with `permits` concurrent derivations.
    pub fn new(permits: usize, salt: Vec<u8>, params: KdfParams) -> KdfGate {
        KdfGate {
            sem: Arc::new(Semaphore::new(permits)),
            salt: Arc::new(salt),
            pool: Arc::new(Mutex::new(Vec::new())),
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
        let pool = self.pool.clone();
        web::block(move || {
            let _permit = permit;
            // Holding a permit guarantees a buffer is free or may be made.
            let mut mem = lock(&pool).pop().unwrap_or_default();
            let result = sets
                .into_iter()
                .map(|p| codename::derive_in(&normalized, &salt, p, &mut mem).map(|d| (p, d)))
                .collect::<Result<Vec<_>, _>>();
            lock(&pool).push(mem);
            result
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

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    match m.lock() {
        Ok(g) => g,
        Err(p) => p.into_inner(),
    }
}
