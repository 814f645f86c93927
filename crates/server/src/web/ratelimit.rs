//! A global rate limiter with a short, bounded queue.
//!
//! There are no addresses to limit by (we never look at them), so limits
//! apply to everyone together: enough to keep a flood from exhausting the
//! server, while a legitimate request still gets a clear "try again" page.
//!
//! Two rules keep a global limit from becoming a lockout:
//!
//! - Callers count only requests that passed every cheap check (form
//!   shape, anti-forgery token, codename checksum, enrolled reviewer):
//!   junk never spends the shared budget. The limiter cannot know this;
//!   each handler calls [`RateLimiter::admit`] at the right point.
//! - When the budget is spent, a request waits for the next slot instead of
//!   failing at once, but only if that slot comes within `max_wait`
//!   (`limits.rate_wait_ms`). Past that bound it is refused without taking
//!   a slot. The queue is therefore at most `max_wait / interval` requests
//!   long and is served in arrival order.
//!
//! The budget is a token bucket (the generic cell rate algorithm): `limit`
//! events at once from rest, then one every `window / limit`.

use std::sync::Mutex;
use std::time::{Duration, Instant};

/// At most `limit` events per `window` on average, counted globally.
pub struct RateLimiter {
    /// Time between two events once the burst is spent.
    interval: Duration,
    /// How far ahead of now the schedule may run without waiting.
    burst: Duration,
    /// Longest wait for a slot before a request is refused.
    max_wait: Duration,
    /// When the schedule is next free (the "theoretical arrival time").
    next: Mutex<Instant>,
}

impl RateLimiter {
    /// A limiter allowing `limit` events per minute, with no waiting.
    pub fn per_minute(limit: u32) -> RateLimiter {
        Self::new(limit, Duration::from_secs(60))
    }

    /// A limiter allowing `limit` events per `window`, with no waiting.
    pub fn new(limit: u32, window: Duration) -> RateLimiter {
        let limit = limit.max(1);
        let interval = window / limit;
        RateLimiter {
            interval,
            burst: interval * limit,
            max_wait: Duration::ZERO,
            next: Mutex::new(Instant::now()),
        }
    }

    /// The same limiter, letting a request wait up to `max_wait` for a slot.
    pub fn with_wait(mut self, max_wait: Duration) -> RateLimiter {
        self.max_wait = max_wait;
        self
    }

    /// Counts one event now; false (counting nothing) if no slot is free.
    pub fn allow(&self) -> bool {
        self.reserve(Duration::ZERO).is_some()
    }

    /// Counts one event, waiting for a slot up to the configured bound.
    /// False (counting nothing) if no slot comes within it.
    pub async fn admit(&self) -> bool {
        match self.reserve(self.max_wait) {
            None => false,
            Some(wait) => {
                if !wait.is_zero() {
                    actix_web::rt::time::sleep(wait).await;
                }
                true
            }
        }
    }

    /// True if a request arriving now would have to wait or be refused
    /// (counts nothing).
    pub fn exhausted(&self) -> bool {
        let next = *lock(&self.next);
        self.wait_for(next, Instant::now()) > Duration::ZERO
    }

    /// Takes the next slot if it comes within `max_wait`; returns how long
    /// to wait for it.
    fn reserve(&self, max_wait: Duration) -> Option<Duration> {
        let now = Instant::now();
        let mut next = lock(&self.next);
        let wait = self.wait_for(*next, now);
        if wait > max_wait {
            return None;
        }
        *next = (*next).max(now) + self.interval;
        Some(wait)
    }

    /// How long an event arriving at `now` waits, given the schedule.
    fn wait_for(&self, next: Instant, now: Instant) -> Duration {
        let after = next.max(now) + self.interval;
        after
            .saturating_duration_since(now)
            .saturating_sub(self.burst)
    }
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
    fn limits_within_a_window_and_refills() {
        let r = RateLimiter::new(2, Duration::from_millis(100));
        assert!(r.allow());
        assert!(r.allow());
        assert!(!r.allow());
        assert!(r.exhausted());
        std::thread::sleep(Duration::from_millis(60));
        assert!(!r.exhausted(), "one slot refills every 50 ms");
        assert!(r.allow());
        assert!(!r.allow());
    }

    #[test]
    fn refusals_take_no_slot() {
        let r = RateLimiter::new(1, Duration::from_millis(100));
        assert!(r.allow());
        for _ in 0..100 {
            assert!(!r.allow());
        }
        std::thread::sleep(Duration::from_millis(110));
        assert!(r.allow(), "refused requests did not push the schedule back");
    }

    #[actix_web::test]
    async fn a_request_waits_for_a_slot_within_the_bound() {
        let r = RateLimiter::new(1, Duration::from_millis(200)).with_wait(Duration::from_secs(1));
        assert!(r.admit().await);
        let start = Instant::now();
        assert!(r.admit().await, "waited for the next slot");
        let waited = start.elapsed();
        assert!(waited >= Duration::from_millis(150), "{waited:?}");
        assert!(waited < Duration::from_millis(900), "{waited:?}");
    }

    #[actix_web::test]
    async fn the_queue_is_bounded() {
        // One slot every 200 ms, waits of up to 500 ms: two may queue.
        let r =
            RateLimiter::new(1, Duration::from_millis(200)).with_wait(Duration::from_millis(500));
        assert!(r.allow());
        assert_eq!(r.reserve(r.max_wait).map(|_| ()), Some(()));
        assert_eq!(r.reserve(r.max_wait).map(|_| ()), Some(()));
        let start = Instant::now();
        assert!(!r.admit().await, "past the queue bound");
        assert!(
            start.elapsed() < Duration::from_millis(50),
            "refused at once"
        );
    }
}
