//! Reviewer sessions and login challenges, in memory only.
//!
//! A session token is 256 random bits given to the CLI once; the server keeps
//! only its SHA-256, so even a memory dump does not yield a usable token.
//! Sessions expire when idle and absolutely. Nothing here is written to disk.
//!
//! Neither table can be filled by strangers to lock reviewers out: only
//! enrolled reviewers' challenges are stored, a reviewer holds a bounded
//! number of challenges and sessions, and when a table is full the oldest
//! entry makes room instead of the new one being refused.

use amanat_core::crypto::{ct_eq, random};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};
use zeroize::Zeroizing;

/// How long a login challenge stays valid unless configured otherwise
/// (`limits.review_challenge_secs`).
pub const CHALLENGE_TTL: Duration = Duration::from_secs(120);
/// Most outstanding challenges of one reviewer unless configured otherwise
/// (`limits.review_challenges_per_reviewer`).
pub const CHALLENGES_PER_REVIEWER: usize = 8;

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
    per_reviewer: usize,
    map: Mutex<HashMap<[u8; 32], Session>>,
}

impl Sessions {
    /// An empty set with the given expiry rules and capacity: `max_count`
    /// sessions, `per_reviewer` of them for one reviewer.
    pub fn new(
        idle: Duration,
        max_age: Duration,
        max_count: usize,
        per_reviewer: usize,
    ) -> Sessions {
        Sessions {
            idle,
            max_age,
            max_count,
            per_reviewer: per_reviewer.max(1),
            map: Mutex::new(HashMap::new()),
        }
    }

    /// Opens a session for `reviewer_id`; returns the token (shown once).
    ///
    /// Past `per_reviewer` the reviewer's least recently used session ends.
    /// When the table is full, expired sessions go first, then the least
    /// recently used session of the reviewer holding the most: one reviewer
    /// (or a runaway script) cannot keep the others out.
    pub fn open(&self, reviewer_id: &str) -> Result<Zeroizing<String>, SessionError> {
        let token = random::token();
        let now = Instant::now();
        let mut map = lock(&self.map);
        let mine = map
            .values()
            .filter(|s| s.reviewer_id == reviewer_id)
            .count();
        if mine >= self.per_reviewer {
            evict_least_recent(&mut map, reviewer_id);
        }
        if map.len() >= self.max_count {
            map.retain(|_, s| !self.expired(s, now));
        }
        if map.len() >= self.max_count {
            let mut counts: HashMap<&str, usize> = HashMap::new();
            for s in map.values() {
                *counts.entry(s.reviewer_id.as_str()).or_default() += 1;
            }
            let busiest = counts
                .into_iter()
                .max_by_key(|(_, n)| *n)
                .map(|(r, _)| r.to_string());
            match busiest {
                Some(r) => evict_least_recent(&mut map, &r),
                None => return Err(SessionError::Full),
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

/// Ends the least recently used session of `reviewer_id`.
fn evict_least_recent(map: &mut HashMap<[u8; 32], Session>, reviewer_id: &str) {
    let oldest = map
        .iter()
        .filter(|(_, s)| s.reviewer_id == reviewer_id)
        .min_by_key(|(_, s)| s.last)
        .map(|(k, _)| *k);
    if let Some(k) = oldest {
        map.remove(&k);
    }
}

struct Challenge {
    reviewer_id: String,
    nonce: Zeroizing<String>,
    created: Instant,
}

/// Outstanding login challenges of enrolled reviewers, each usable once.
///
/// The table holds at most `per_reviewer` challenges per enrolled reviewer,
/// so its size is bounded by the number of reviewers; a new challenge past
/// that drops the reviewer's oldest instead of being refused. A challenge
/// for an unknown recipient is never stored (see [`Challenges::decoy`]).
pub struct Challenges {
    ttl: Duration,
    per_reviewer: usize,
    map: Mutex<HashMap<String, Challenge>>,
}

impl Default for Challenges {
    fn default() -> Self {
        Challenges::new(CHALLENGE_TTL, CHALLENGES_PER_REVIEWER)
    }
}

/// The result of answering a challenge.
#[derive(Debug, PartialEq, Eq)]
pub enum ChallengeResult {
    /// The right answer, in time: the reviewer's id.
    Ok(String),
    /// A wrong or late answer to a real challenge of this reviewer.
    Wrong(String),
    /// No such challenge: never issued, a decoy, already used or dropped.
    /// Cheap to send in bulk, so it is not counted as a login failure.
    Unknown,
}

impl Challenges {
    /// No challenges yet; each new one may be answered within `ttl`, and a
    /// reviewer holds at most `per_reviewer` at once.
    pub fn new(ttl: Duration, per_reviewer: usize) -> Challenges {
        Challenges {
            ttl,
            per_reviewer: per_reviewer.max(1),
            map: Mutex::new(HashMap::new()),
        }
    }

    /// Records a challenge for an enrolled reviewer and returns its id.
    pub fn create(&self, reviewer_id: &str, nonce: Zeroizing<String>) -> String {
        let now = Instant::now();
        let mut map = lock(&self.map);
        map.retain(|_, c| now.duration_since(c.created) < self.ttl);
        let mine = map
            .values()
            .filter(|c| c.reviewer_id == reviewer_id)
            .count();
        if mine >= self.per_reviewer {
            let oldest = map
                .iter()
                .filter(|(_, c)| c.reviewer_id == reviewer_id)
                .min_by_key(|(_, c)| c.created)
                .map(|(k, _)| k.clone());
            if let Some(k) = oldest {
                map.remove(&k);
            }
        }
        let id = random::id();
        map.insert(
            id.clone(),
            Challenge {
                reviewer_id: reviewer_id.to_string(),
                nonce,
                created: now,
            },
        );
        id
    }

    /// An id of the same shape for an unknown recipient's challenge, which
    /// is not stored: answering it is [`ChallengeResult::Unknown`], and
    /// strangers cannot fill the table.
    pub fn decoy(&self) -> String {
        random::id()
    }

    /// Consumes a challenge and checks the response in constant time.
    pub fn answer(&self, id: &str, response: &str) -> ChallengeResult {
        self.answer_bound(id, response, |nonce| Zeroizing::new(nonce.to_string()))
    }

    /// Consumes a challenge and checks, in constant time, that the response
    /// is `expect(nonce)` (a value binding the nonce to more, such as a sync
    /// enrolment's desk key).
    pub fn answer_bound(
        &self,
        id: &str,
        response: &str,
        expect: impl Fn(&str) -> Zeroizing<String>,
    ) -> ChallengeResult {
        let Some(c) = lock(&self.map).remove(id) else {
            return ChallengeResult::Unknown;
        };
        let matches = ct_eq(expect(&c.nonce).as_bytes(), response.as_bytes());
        if matches && c.created.elapsed() < self.ttl {
            ChallengeResult::Ok(c.reviewer_id)
        } else {
            ChallengeResult::Wrong(c.reviewer_id)
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
        let s = Sessions::new(Duration::from_millis(40), Duration::from_secs(10), 10, 10);
        let t = s.open("r1").unwrap();
        assert_eq!(s.check(&t), Ok("r1".to_string()));
        std::thread::sleep(Duration::from_millis(60));
        assert_eq!(s.check(&t), Err(SessionError::Expired));
        assert_eq!(s.check(&t), Err(SessionError::Unknown));

        let s = Sessions::new(Duration::from_secs(10), Duration::from_millis(40), 10, 10);
        let t = s.open("r1").unwrap();
        std::thread::sleep(Duration::from_millis(25));
        assert!(s.check(&t).is_ok());
        std::thread::sleep(Duration::from_millis(25));
        assert_eq!(s.check(&t), Err(SessionError::Expired));
    }

    #[test]
    fn logout_and_removal() {
        let s = Sessions::new(Duration::from_secs(10), Duration::from_secs(10), 4, 4);
        let a = s.open("r1").unwrap();
        s.close(&a);
        assert_eq!(s.check(&a), Err(SessionError::Unknown));
        let c = s.open("r2").unwrap();
        s.close_all_of("r2");
        assert_eq!(s.check(&c), Err(SessionError::Unknown));
    }

    #[test]
    fn a_full_table_makes_room_from_the_busiest_reviewer() {
        let s = Sessions::new(Duration::from_secs(10), Duration::from_secs(10), 3, 8);
        let a = s.open("r1").unwrap();
        let b1 = s.open("r2").unwrap();
        std::thread::sleep(Duration::from_millis(2));
        let b2 = s.open("r2").unwrap();
        let c = s.open("r3").unwrap();
        assert_eq!(
            s.check(&b1),
            Err(SessionError::Unknown),
            "r2's oldest ended"
        );
        for t in [&a, &b2, &c] {
            assert!(s.check(t).is_ok());
        }
    }

    #[test]
    fn a_reviewer_holds_a_bounded_number_of_sessions() {
        let s = Sessions::new(Duration::from_secs(10), Duration::from_secs(10), 100, 2);
        let first = s.open("r1").unwrap();
        std::thread::sleep(Duration::from_millis(2));
        let second = s.open("r1").unwrap();
        std::thread::sleep(Duration::from_millis(2));
        assert!(s.check(&first).is_ok(), "used again: now the most recent");
        let third = s.open("r1").unwrap();
        assert_eq!(s.check(&second), Err(SessionError::Unknown));
        assert!(s.check(&first).is_ok());
        assert!(s.check(&third).is_ok());
    }

    #[test]
    fn challenges_are_single_use_and_exact() {
        let c = Challenges::default();
        let id = c.create("r1", Zeroizing::new("nonce".into()));
        assert_eq!(c.answer(&id, "nonce"), ChallengeResult::Ok("r1".into()));
        assert_eq!(c.answer(&id, "nonce"), ChallengeResult::Unknown);
        let id = c.create("r1", Zeroizing::new("nonce".into()));
        assert_eq!(c.answer(&id, "nonc"), ChallengeResult::Wrong("r1".into()));
        assert_eq!(
            c.answer(&id, "nonce"),
            ChallengeResult::Unknown,
            "consumed by the failure"
        );
        let id = c.decoy();
        assert_eq!(c.answer(&id, "nonce"), ChallengeResult::Unknown);
    }

    #[test]
    fn challenges_expire() {
        let c = Challenges::new(Duration::from_millis(30), 8);
        let id = c.create("r1", Zeroizing::new("nonce".into()));
        std::thread::sleep(Duration::from_millis(50));
        assert_eq!(c.answer(&id, "nonce"), ChallengeResult::Wrong("r1".into()));
    }

    #[test]
    fn a_new_challenge_drops_the_reviewers_oldest() {
        let c = Challenges::new(Duration::from_secs(60), 2);
        let first = c.create("r1", Zeroizing::new("one".into()));
        std::thread::sleep(Duration::from_millis(2));
        let other = c.create("r2", Zeroizing::new("other".into()));
        let mut last = String::new();
        for _ in 0..100 {
            std::thread::sleep(Duration::from_millis(1));
            last = c.create("r1", Zeroizing::new("new".into()));
        }
        assert_eq!(c.answer(&first, "one"), ChallengeResult::Unknown);
        assert_eq!(c.answer(&last, "new"), ChallengeResult::Ok("r1".into()));
        assert_eq!(c.answer(&other, "other"), ChallengeResult::Ok("r2".into()));
        assert!(lock(&c.map).len() <= 2);
    }
}
