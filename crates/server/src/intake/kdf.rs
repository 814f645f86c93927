//! The Argon2 gate: codename derivations run on the blocking pool, at most
//! `permits` at a time, each in one of at most `permits` reused work
//! buffers, so KDF memory is bounded by permits × m_cost.
//!
//! When every permit is taken a request waits for one, but only briefly
//! (`kdf.wait_ms`) and only so many at once (`kdf.max_waiting`); past either
//! bound it is refused ("busy, try again") instead of queueing without
//! limit. A short burst is then served rather than refused, and a flood
//! costs each waiting request its form data only. The permit travels into
//! the blocking task, so a client that disconnects mid-derivation still
//! holds it until the work is done and the memory is freed.

use actix_web::web;
use amanat_core::crypto::codename::{self, Derived, KdfParams};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
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
    /// How long a request may wait for a permit.
    wait: Duration,
    /// Most requests waiting at once, and how many wait now.
    max_waiting: usize,
    waiting: Arc<AtomicUsize>,
}

/// Counts a waiting request for as long as it lives.
struct Waiting(Arc<AtomicUsize>);

impl Drop for Waiting {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
    }
}

impl KdfGate {
    /// A gate as configured: its permits, waiting bounds and parameters.
    pub fn new(cfg: &crate::config::Kdf, salt: Vec<u8>) -> KdfGate {
        KdfGate {
            sem: Arc::new(Semaphore::new(cfg.permits())),
            salt: Arc::new(salt),
            pool: Arc::new(Mutex::new(Vec::new())),
            params: cfg.params(),
            wait: Duration::from_millis(cfg.wait_ms),
            max_waiting: cfg.max_waiting,
            waiting: Arc::new(AtomicUsize::new(0)),
        }
    }

    /// A permit now, or within the configured wait if few enough requests
    /// are already waiting.
    async fn permit(&self) -> Result<OwnedSemaphorePermit, KdfError> {
        if let Ok(p) = self.sem.clone().try_acquire_owned() {
            return Ok(p);
        }
        if self.wait.is_zero() {
            return Err(KdfError::Busy);
        }
        let max = self.max_waiting;
        if self
            .waiting
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| {
                (n < max).then_some(n + 1)
            })
            .is_err()
        {
            return Err(KdfError::Busy);
        }
        let _waiting = Waiting(self.waiting.clone());
        match tokio::time::timeout(self.wait, self.sem.clone().acquire_owned()).await {
            Ok(Ok(p)) => Ok(p),
            _ => Err(KdfError::Busy),
        }
    }

    /// Derives a normalized codename with each parameter set, in one
    /// permit. Every call does the same work whatever the outcome.
    pub async fn derive_all(
        &self,
        normalized: Zeroizing<String>,
        sets: Vec<KdfParams>,
    ) -> Result<Vec<(KdfParams, Derived)>, KdfError> {
        let permit = self.permit().await?;
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
