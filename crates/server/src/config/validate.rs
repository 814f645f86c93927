//! Start-up checks of every value: the first problem is returned naming
//! its key and the fix.

use super::{Config, ConfigError};
use std::net::SocketAddr;

impl Config {
    /// Checks every value; the first problem is returned naming its key.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let bad = |key, problem: String, fix| Err(ConfigError::Invalid { key, problem, fix });
        let intake = parse_addr(&self.intake.addr, "intake.addr")?;
        let review = parse_addr(&self.review.addr, "review.addr")?;
        if intake == review && intake.port() != 0 {
            return bad(
                "review.addr",
                "is the same as intake.addr".into(),
                "give the review API its own port, e.g. 127.0.0.1:8081",
            );
        }
        for (key, l) in [("intake", &self.intake), ("review", &self.review)] {
            if l.tls_cert.is_some() != l.tls_key.is_some() {
                return bad(
                    if key == "intake" {
                        "intake.tls_cert"
                    } else {
                        "review.tls_cert"
                    },
                    "tls_cert and tls_key must be given together".into(),
                    "set both paths, or neither to serve plain HTTP behind Tor",
                );
            }
            if l.workers == 0 || l.workers > 64 {
                return bad(
                    if key == "intake" {
                        "intake.workers"
                    } else {
                        "review.workers"
                    },
                    format!("{} is out of range", l.workers),
                    "use 1 to 64",
                );
            }
        }
        let l = &self.limits;
        let k = &self.kdf;
        let checks: [(&'static str, u64, u64, u64); 45] = [
            (
                "limits.store_cache_bytes",
                l.store_cache_bytes,
                1 << 20,
                64 << 30,
            ),
            (
                "limits.attachments_per_submission",
                l.attachments_per_submission as u64,
                0,
                1000,
            ),
            (
                "limits.list_page_default",
                l.list_page_default as u64,
                1,
                l.list_page_max as u64,
            ),
            ("limits.list_page_max", l.list_page_max as u64, 1, 100_000),
            (
                "limits.list_unpaged_max",
                l.list_unpaged_max as u64,
                1,
                10_000_000,
            ),
            ("limits.attachment_bytes", l.attachment_bytes, 1024, 1 << 40),
            ("limits.submission_bytes", l.submission_bytes, 1024, 1 << 40),
            (
                "limits.concurrent_uploads",
                l.concurrent_uploads as u64,
                1,
                1024,
            ),
            (
                "limits.clean_in_memory_bytes",
                l.clean_in_memory_bytes,
                1 << 20,
                4 << 30,
            ),
            (
                "limits.pdf_max_decoded_bytes",
                l.pdf_max_decoded_bytes,
                1 << 20,
                1 << 30,
            ),
            (
                "limits.mp4_max_box_bytes",
                l.mp4_max_box_bytes,
                1 << 20,
                4 << 30,
            ),
            (
                "limits.pdf_max_values",
                l.pdf_max_values,
                10_000,
                100_000_000,
            ),
            ("kdf.m_cost_kib", u64::from(k.m_cost_kib), 7 * 1024, 4 << 20),
            ("kdf.t_cost", u64::from(k.t_cost), 2, 16),
            ("kdf.p_cost", u64::from(k.p_cost), 1, 16),
            ("kdf.concurrency", k.concurrency as u64, 0, 256),
            ("kdf.wait_ms", k.wait_ms, 0, 60_000),
            ("kdf.max_waiting", k.max_waiting as u64, 0, 100_000),
            (
                "limits.followup_logins_per_minute",
                u64::from(l.followup_logins_per_minute),
                1,
                1_000_000,
            ),
            (
                "limits.followup_session_idle_secs",
                l.followup_session_idle_secs,
                1,
                86_400,
            ),
            (
                "limits.followup_session_max_secs",
                l.followup_session_max_secs,
                1,
                7 * 86_400,
            ),
            (
                "limits.followup_sessions_max",
                l.followup_sessions_max as u64,
                1,
                10_000_000,
            ),
            ("limits.message_chars", l.message_chars as u64, 100, 100_000),
            (
                "limits.form_body_bytes",
                l.form_body_bytes as u64,
                16 * 1024,
                64 << 20,
            ),
            ("limits.form_fields", l.form_fields as u64, 50, 10_000),
            (
                "limits.request_timeout_secs",
                l.request_timeout_secs,
                1,
                600,
            ),
            ("limits.keep_alive_secs", l.keep_alive_secs, 0, 3600),
            ("limits.body_idle_secs", l.body_idle_secs, 1, 3600),
            (
                "limits.disconnect_timeout_secs",
                l.disconnect_timeout_secs,
                1,
                600,
            ),
            (
                "limits.review_challenge_secs",
                l.review_challenge_secs,
                1,
                600,
            ),
            (
                "limits.sync_challenge_secs",
                l.sync_challenge_secs,
                60,
                86_400,
            ),
            ("limits.sync_token_days", l.sync_token_days, 1, 366),
            (
                "limits.max_connections",
                l.max_connections as u64,
                1,
                1 << 20,
            ),
            (
                "limits.submissions_per_minute",
                u64::from(l.submissions_per_minute),
                1,
                1_000_000,
            ),
            (
                "limits.review_body_bytes",
                l.review_body_bytes as u64,
                4096,
                64 << 20,
            ),
            (
                "limits.review_login_failures_per_minute",
                u64::from(l.review_login_failures_per_minute),
                1,
                10_000,
            ),
            (
                "limits.review_session_idle_secs",
                l.review_session_idle_secs,
                60,
                86_400,
            ),
            (
                "limits.review_session_max_secs",
                l.review_session_max_secs,
                60,
                7 * 86_400,
            ),
            (
                "limits.review_sessions_max",
                l.review_sessions_max as u64,
                1,
                1_000_000,
            ),
            ("limits.csrf_ttl_secs", l.csrf_ttl_secs, 60, 7 * 86_400),
            ("limits.rate_wait_ms", l.rate_wait_ms, 0, 30_000),
            (
                "limits.review_sessions_per_reviewer",
                l.review_sessions_per_reviewer as u64,
                1,
                10_000,
            ),
            (
                "limits.review_challenges_per_reviewer",
                l.review_challenges_per_reviewer as u64,
                1,
                1000,
            ),
            (
                "limits.followup_sessions_per_report",
                l.followup_sessions_per_report as u64,
                1,
                1000,
            ),
            (
                "limits.followup_messages_per_minute",
                u64::from(l.followup_messages_per_minute),
                1,
                1_000_000,
            ),
        ];
        for (key, value, min, max) in checks {
            if !(min..=max).contains(&value) {
                return Err(ConfigError::Invalid {
                    key,
                    problem: format!("{value} is out of range"),
                    fix: "use a value within the range documented in deploy/amanat.example.toml",
                });
            }
        }
        let share = l.office_memory_per_upload();
        if !(1 << 20..=4 << 30).contains(&share) {
            return bad(
                "limits.office_memory_bytes",
                format!(
                    "{} bytes shared by {} concurrent uploads is out of range",
                    l.office_memory_bytes, l.concurrent_uploads
                ),
                "give each concurrent upload 1 MiB to 4 GiB (see deploy/amanat.example.toml)",
            );
        }
        if l.review_session_idle_secs > l.review_session_max_secs {
            return bad(
                "limits.review_session_idle_secs",
                "is longer than limits.review_session_max_secs".into(),
                "make the idle timeout shorter than the absolute one",
            );
        }
        Ok(())
    }

    /// The intake address, validated.
    pub fn intake_addr(&self) -> Result<SocketAddr, ConfigError> {
        parse_addr(&self.intake.addr, "intake.addr")
    }

    /// The review address, validated.
    pub fn review_addr(&self) -> Result<SocketAddr, ConfigError> {
        parse_addr(&self.review.addr, "review.addr")
    }
}

fn parse_addr(s: &str, key: &'static str) -> Result<SocketAddr, ConfigError> {
    s.parse().map_err(|_| ConfigError::Invalid {
        key,
        problem: format!("{s:?} is not an IP address with a port"),
        fix: "write it like 127.0.0.1:8080 or [::1]:8080 (behind Tor, keep it on loopback)",
    })
}
