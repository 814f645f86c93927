//! Follow-up sessions, in memory only.
//!
//! The session cookie is a random 256-bit key; the server keeps only its
//! SHA-256 and the source's identity secret encrypted (age) to an X25519 key
//! derived from it. So between requests the server holds nothing that opens
//! the source's replies. Sessions expire idle and absolutely, and a full
//! table ends old sessions rather than refusing new logins.
//!
//! Nothing here logs.

use amanat_core::crypto::{envelope, keys, random};
use data_encoding::BASE32_NOPAD;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};
use zeroize::Zeroizing;

/// Live follow-up sessions.
pub struct FollowupSessions {
    idle: Duration,
    max_age: Duration,
    cap: usize,
    per_report: usize,
    map: Mutex<HashMap<[u8; 32], Session>>,
}

/// Why a session cookie did not open a session.
#[derive(Debug, PartialEq, Eq)]
pub enum SessionError {
    Missing,
    Expired,
    Full,
    Broken,
}

impl FollowupSessions {
    /// At most `cap` sessions, `per_report` of them for one report.
    pub fn new(idle: Duration, max_age: Duration, cap: usize, per_report: usize) -> Self {
        FollowupSessions {
            idle,
            max_age,
            cap,
            per_report,
            map: Mutex::new(HashMap::new()),
        }
    }

    /// Opens a session; returns the cookie value (the session key).
    ///
    /// A new login is never refused for lack of room, since that would let
    /// whoever fills the table lock every source out: past `per_report`
    /// the report's least recently used session ends; when the table is
    /// full, expired sessions go first, then the least recently used
    /// session of the report holding the most (so whoever logs in again
    /// and again ends their own sessions, not other sources').
    pub fn open(
        &self,
        report_id: &str,
        secret: &[u8; 32],
    ) -> Result<Zeroizing<String>, SessionError> {
        let mut key = Zeroizing::new([0u8; 32]);
        random::fill(key.as_mut());
        let session_id = keys::identity_from_bytes(&key).map_err(|_| SessionError::Broken)?;
        let sealed =
            envelope::seal(secret, &[session_id.to_public()]).map_err(|_| SessionError::Broken)?;
        let now = Instant::now();
        let mut map = lock(&self.map);
        let mine = map.values().filter(|s| s.report_id == report_id).count();
        if mine >= self.per_report {
            evict_least_recent(&mut map, |s| s.report_id == report_id);
        }
        if map.len() >= self.cap {
            map.retain(|_, s| !expired(s, now, self.idle, self.max_age));
        }
        if map.len() >= self.cap {
            let mut counts: HashMap<&str, usize> = HashMap::new();
            for s in map.values() {
                *counts.entry(s.report_id.as_str()).or_default() += 1;
            }
            let busiest = counts
                .into_iter()
                .max_by_key(|(_, n)| *n)
                .map(|(r, _)| r.to_string());
            let evicted =
                busiest.is_some_and(|r| evict_least_recent(&mut map, |s| s.report_id == r));
            if !evicted {
                return Err(SessionError::Full);
            }
        }
        map.insert(
            Sha256::digest(&key[..]).into(),
            Session {
                report_id: report_id.to_string(),
                sealed_secret: sealed,
                created: now,
                last: now,
            },
        );
        Ok(Zeroizing::new(
            BASE32_NOPAD.encode(key.as_ref()).to_ascii_lowercase(),
        ))
    }

    /// The report id and the source's identity secret of a live session.
    pub fn open_existing(
        &self,
        cookie: Option<&str>,
    ) -> Result<(String, Zeroizing<[u8; 32]>), SessionError> {
        let cookie = cookie.ok_or(SessionError::Missing)?;
        let raw = Zeroizing::new(
            BASE32_NOPAD
                .decode(cookie.to_ascii_uppercase().as_bytes())
                .map_err(|_| SessionError::Missing)?,
        );
        let key: Zeroizing<[u8; 32]> = Zeroizing::new(
            raw.as_slice()
                .try_into()
                .map_err(|_| SessionError::Missing)?,
        );
        let hash: [u8; 32] = Sha256::digest(&key[..]).into();
        let (report_id, sealed) = {
            let now = Instant::now();
            let mut map = lock(&self.map);
            let Some(s) = map.get_mut(&hash) else {
                return Err(SessionError::Missing);
            };
            if expired(s, now, self.idle, self.max_age) {
                map.remove(&hash);
                return Err(SessionError::Expired);
            }
            s.last = now;
            (s.report_id.clone(), s.sealed_secret.clone())
        };
        let session_id = keys::identity_from_bytes(&key).map_err(|_| SessionError::Broken)?;
        let plain = envelope::open(&sealed, &[&session_id]).map_err(|_| SessionError::Broken)?;
        let secret: [u8; 32] = plain
            .as_slice()
            .try_into()
            .map_err(|_| SessionError::Broken)?;
        Ok((report_id, Zeroizing::new(secret)))
    }

    /// Ends a session.
    pub fn close(&self, cookie: Option<&str>) {
        let Some(raw) =
            cookie.and_then(|c| BASE32_NOPAD.decode(c.to_ascii_uppercase().as_bytes()).ok())
        else {
            return;
        };
        let hash: [u8; 32] = Sha256::digest(&raw).into();
        lock(&self.map).remove(&hash);
    }

    /// Number of live sessions (for tests and status).
    pub fn len(&self) -> usize {
        lock(&self.map).len()
    }

    /// True if there is no session.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// One session: the report it opens and the source's identity secret,
/// sealed to the key only the session cookie holds.
struct Session {
    report_id: String,
    sealed_secret: Vec<u8>,
    created: Instant,
    last: Instant,
}

fn expired(s: &Session, now: Instant, idle: Duration, max_age: Duration) -> bool {
    now.duration_since(s.last) > idle || now.duration_since(s.created) > max_age
}

/// Ends the least recently used session among those `which` selects;
/// false if there is none.
fn evict_least_recent(
    map: &mut HashMap<[u8; 32], Session>,
    which: impl Fn(&Session) -> bool,
) -> bool {
    let oldest = map
        .iter()
        .filter(|(_, s)| which(s))
        .min_by_key(|(_, s)| s.last)
        .map(|(k, _)| *k);
    match oldest {
        Some(k) => map.remove(&k).is_some(),
        None => false,
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    match m.lock() {
        Ok(g) => g,
        Err(p) => p.into_inner(),
    }
}
