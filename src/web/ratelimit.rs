//! A global fixed-window rate limiter.
//!
//! There are no addresses to limit by (we never look at them), so limits
//! apply to everyone together: enough to keep a flood from exhausting the
//! server, while a legitimate request still gets a clear "try again" page.

use std::sync::Mutex;
use std::time::{Duration, Instant};

/// At most `limit` events per `window`, counted globally.
pub struct RateLimiter {
    limit: u32,
    window: Duration,
    state: Mutex<(Instant, u32)>,
}

impl RateLimiter {
    /// A limiter allowing `limit` events per minute.
    pub fn per_minute(limit: u32) -> RateLimiter {
        Self::new(limit, Duration::from_secs(60))
    }

    /// A limiter allowing `limit` events per `window`.
    pub fn new(limit: u32, window: Duration) -> RateLimiter {
        RateLimiter {
            limit,
            window,
            state: Mutex::new((Instant::now(), 0)),
        }
    }

    /// Counts one event; false if the limit for this window is reached.
    pub fn allow(&self) -> bool {
        let mut s = match self.state.lock() {
            Ok(s) => s,
            Err(p) => p.into_inner(),
        };
        let now = Instant::now();
        if now.duration_since(s.0) >= self.window {
            *s = (now, 0);
        }
        if s.1 >= self.limit {
            return false;
        }
        s.1 += 1;
        true
    }

    /// True if the limit for this window is already reached (counts nothing).
    pub fn exhausted(&self) -> bool {
        let s = match self.state.lock() {
            Ok(s) => s,
            Err(p) => p.into_inner(),
        };
        Instant::now().duration_since(s.0) < self.window && s.1 >= self.limit
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_within_a_window_and_resets() {
        let r = RateLimiter::new(2, Duration::from_millis(50));
        assert!(r.allow());
        assert!(r.allow());
        assert!(!r.allow());
        assert!(r.exhausted());
        std::thread::sleep(Duration::from_millis(60));
        assert!(!r.exhausted());
        assert!(r.allow());
    }
}
