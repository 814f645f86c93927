//! Reviewer sessions and login challenges, in memory only.
//!
//! A session token is 256 random bits given to the CLI once; the server keeps
//! only its SHA-256, so even a memory dump does not yield a usable token.
//! Sessions expire when idle and absolutely. Nothing here is written to disk.

use crate::crypto::{ct_eq, random};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};
use zeroize::Zeroizing;

/// How long a login challenge stays valid unless configured otherwise
/// (`limits.review_challenge_secs`).
pub const CHALLENGE_TTL: Duration = Duration::from_secs(120);
/// Most outstanding challenges.
pub const MAX_CHALLENGES: usize = 1000;

/// Why a session was not found.
#[derive(Debug, PartialEq, Eq)]
pub enum SessionError {
    Unknown,
    Expired,
    Full,
}

struct Session {
    reviewer_id: String,
    created: Instant,
    last: Instant,
}

/// The set of live reviewer sessions.
pub struct Sessions {
    idle: Duration,
    max_age: Duration,
    max_count: usize,
    map: Mutex<HashMap<[u8; 32], Session>>,
}

impl Sessions {
    /// An empty set with the given expiry rules and capacity.
    pub fn new(idle: Duration, max_age: Duration, max_count: usize) -> Sessions {
        Sessions {
            idle,
            max_age,
            max_count,
            map: Mutex::new(HashMap::new()),
        }
    }

    /// Opens a session for `reviewer_id`; returns the token (shown once).
    pub fn open(&self, reviewer_id: &str) -> Result<Zeroizing<String>, SessionError> {
        let token = random::token();
        let now = Instant::now();
        let mut map = lock(&self.map);
        if map.len() >= self.max_count {
            map.retain(|_, s| !self.expired(s, now));
            if map.len() >= self.max_count {
                return Err(SessionError::Full);
            }
        }
        map.insert(
            hash(&token),
            Session {
                reviewer_id: reviewer_id.to_string(),
                created: now,
                last: now,
            },
        );
        Ok(token)
    }

    /// The reviewer id of a live session, refreshing its idle timer.
    pub fn check(&self, token: &str) -> Result<String, SessionError> {
        let key = hash(token);
        let now = Instant::now();
        let mut map = lock(&self.map);
        let expired = match map.get(&key) {
            None => return Err(SessionError::Unknown),
            Some(s) => self.expired(s, now),
        };
        if expired {
            map.remove(&key);
            return Err(SessionError::Expired);
        }
        match map.get_mut(&key) {
            Some(s) => {
                s.last = now;
                Ok(s.reviewer_id.clone())
            }
            None => Err(SessionError::Unknown),
        }
    }

    /// Ends a session.
    pub fn close(&self, token: &str) {
        lock(&self.map).remove(&hash(token));
    }

    /// Ends every session of a reviewer (when the reviewer is removed).
    pub fn close_all_of(&self, reviewer_id: &str) {
        lock(&self.map).retain(|_, s| s.reviewer_id != reviewer_id);
    }

    fn expired(&self, s: &Session, now: Instant) -> bool {
        now.duration_since(s.last) > self.idle || now.duration_since(s.created) > self.max_age
    }
}

struct Challenge {
    reviewer_id: Option<String>,
    nonce: Zeroizing<String>,
    expires: Instant,
}

/// Outstanding login challenges, each usable once.
pub struct Challenges {
    ttl: Duration,
    map: Mutex<HashMap<String, Challenge>>,
}

impl Default for Challenges {
    fn default() -> Self {
        Challenges::new(CHALLENGE_TTL)
    }
}

/// The result of answering a challenge.
#[derive(Debug, PartialEq, Eq)]
pub enum ChallengeResult {
    Ok(String),
    Failed,
}

impl Challenges {
    /// No challenges yet; each new one may be answered within `ttl`.
    pub fn new(ttl: Duration) -> Challenges {
        Challenges {
            ttl,
            map: Mutex::new(HashMap::new()),
        }
    }

    /// Records a challenge; `reviewer_id` is `None` for an unknown recipient
    /// (the challenge then can never succeed). Returns its id, or `None` if
    /// too many are outstanding.
    pub fn create(&self, reviewer_id: Option<String>, nonce: Zeroizing<String>) -> Option<String> {
        let now = Instant::now();
        let mut map = lock(&self.map);
        if map.len() >= MAX_CHALLENGES {
            map.retain(|_, c| c.expires > now);
            if map.len() >= MAX_CHALLENGES {
                return None;
            }
        }
        let id = random::id();
        map.insert(
            id.clone(),
            Challenge {
                reviewer_id,
                nonce,
                expires: now + self.ttl,
            },
        );
        Some(id)
    }

    /// Consumes a challenge and checks the response in constant time.
    pub fn answer(&self, id: &str, response: &str) -> ChallengeResult {
        let Some(c) = lock(&self.map).remove(id) else {
            return ChallengeResult::Failed;
        };
        let matches = ct_eq(c.nonce.as_bytes(), response.as_bytes());
        match c.reviewer_id {
            Some(r) if matches && c.expires > Instant::now() => ChallengeResult::Ok(r),
            _ => ChallengeResult::Failed,
        }
    }
}

fn hash(token: &str) -> [u8; 32] {
    Sha256::digest(token.as_bytes()).into()
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    match m.lock() {
        Ok(g) => g,
        Err(p) => p.into_inner(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sessions_expire_idle_and_absolute() {
        let s = Sessions::new(Duration::from_millis(40), Duration::from_secs(10), 10);
        let t = s.open("r1").unwrap();
        assert_eq!(s.check(&t), Ok("r1".to_string()));
        std::thread::sleep(Duration::from_millis(60));
        assert_eq!(s.check(&t), Err(SessionError::Expired));
        assert_eq!(s.check(&t), Err(SessionError::Unknown));

        let s = Sessions::new(Duration::from_secs(10), Duration::from_millis(40), 10);
        let t = s.open("r1").unwrap();
        std::thread::sleep(Duration::from_millis(25));
        assert!(s.check(&t).is_ok());
        std::thread::sleep(Duration::from_millis(25));
        assert_eq!(s.check(&t), Err(SessionError::Expired));
    }

    #[test]
    fn logout_capacity_and_removal() {
        let s = Sessions::new(Duration::from_secs(10), Duration::from_secs(10), 2);
        let a = s.open("r1").unwrap();
        let _b = s.open("r2").unwrap();
        assert_eq!(s.open("r3").err(), Some(SessionError::Full));
        s.close(&a);
        assert_eq!(s.check(&a), Err(SessionError::Unknown));
        let c = s.open("r2").unwrap();
        s.close_all_of("r2");
        assert_eq!(s.check(&c), Err(SessionError::Unknown));
    }

    #[test]
    fn challenges_are_single_use_and_exact() {
        let c = Challenges::default();
        let id = c
            .create(Some("r1".into()), Zeroizing::new("nonce".into()))
            .unwrap();
        assert_eq!(c.answer(&id, "nonce"), ChallengeResult::Ok("r1".into()));
        assert_eq!(c.answer(&id, "nonce"), ChallengeResult::Failed);
        let id = c
            .create(Some("r1".into()), Zeroizing::new("nonce".into()))
            .unwrap();
        assert_eq!(c.answer(&id, "nonc"), ChallengeResult::Failed);
        assert_eq!(
            c.answer(&id, "nonce"),
            ChallengeResult::Failed,
            "consumed by the failure"
        );
        let id = c.create(None, Zeroizing::new("nonce".into())).unwrap();
        assert_eq!(c.answer(&id, "nonce"), ChallengeResult::Failed);
    }

    #[test]
    fn challenges_expire() {
        let c = Challenges::new(Duration::from_millis(30));
        let id = c
            .create(Some("r1".into()), Zeroizing::new("nonce".into()))
            .unwrap();
        std::thread::sleep(Duration::from_millis(50));
        assert_eq!(c.answer(&id, "nonce"), ChallengeResult::Failed);
    }
}
