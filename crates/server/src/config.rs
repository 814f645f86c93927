//! Server configuration: one struct, read from the data dir's `amanat.toml`,
//! then `AMANAT_*` environment variables, then command-line flags.
//!
//! Unknown keys are refused (a typo must not silently fall back to a
//! default). Every limit has a safe default and is validated at start-up
//! with an error that names the key and the fix. `deploy/amanat.example.toml`
//! documents every key and is what `amanatd init` writes.

use serde::{Deserialize, Serialize};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

/// The documented example configuration (also written by `amanatd init`).
pub const EXAMPLE_TOML: &str = include_str!("../../../deploy/amanat.example.toml");

/// Name of the config file inside the data dir.
pub const CONFIG_FILE: &str = "amanat.toml";

/// `AMANAT_*` variables that are not server settings (CLI and paths).
const NON_SETTING_VARS: &[&str] = &[
    "AMANAT_CONFIG_DIR",
    "AMANAT_DATA_DIR",
    "AMANAT_CONFIG",
    "AMANAT_IDENTITY",
    "AMANAT_PASSPHRASE",
    "AMANAT_PROXY",
    "AMANAT_SERVER",
    "AMANAT_LOG",
];

/// Server configuration.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// Replace the built-in questionnaire with this TOML file.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub questionnaire: Option<PathBuf>,
    pub intake: Listener,
    pub review: Listener,
    pub limits: Limits,
    pub kdf: Kdf,
    pub retention: crate::retention::Retention,
}

/// Argon2id parameters for codenames, and how many derivations may run at once.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Kdf {
    /// Memory per derivation in KiB.
    pub m_cost_kib: u32,
    /// Iterations.
    pub t_cost: u32,
    /// Lanes.
    pub p_cost: u32,
    /// Derivations running at once (each holds `m_cost_kib`); 0 = one per core.
    pub concurrency: usize,
    /// Milliseconds a request may wait for a free derivation before it is
    /// answered "busy"; 0 refuses at once.
    pub wait_ms: u64,
    /// Most requests waiting for a derivation at once; past it, "busy".
    pub max_waiting: usize,
}

impl Default for Kdf {
    fn default() -> Self {
        let p = amanat_core::crypto::codename::KdfParams::default();
        Kdf {
            m_cost_kib: p.m_cost_kib,
            t_cost: p.t_cost,
            p_cost: p.p_cost,
            concurrency: 0,
            wait_ms: 2000,
            max_waiting: 64,
        }
    }
}

impl Kdf {
    /// The parameters for new codenames.
    pub fn params(&self) -> amanat_core::crypto::codename::KdfParams {
        amanat_core::crypto::codename::KdfParams {
            m_cost_kib: self.m_cost_kib,
            t_cost: self.t_cost,
            p_cost: self.p_cost,
        }
    }

    /// Derivations allowed at once.
    pub fn permits(&self) -> usize {
        if self.concurrency > 0 {
            self.concurrency
        } else {
            std::thread::available_parallelism().map_or(2, |n| n.get())
        }
    }
}

/// One listener.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Listener {
    /// Address to listen on, e.g. `127.0.0.1:8080`.
    pub addr: String,
    /// PEM certificate chain; with `tls_key`, serve HTTPS.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tls_cert: Option<PathBuf>,
    /// PEM private key for `tls_cert`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tls_key: Option<PathBuf>,
    /// Worker threads for this listener.
    pub workers: usize,
}

/// Limits. Every one is configurable; the defaults are safe.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Limits {
    /// Largest report form body in bytes (text only).
    pub form_body_bytes: usize,
    /// Most name=value pairs in one form body.
    pub form_fields: usize,
    /// Seconds a client has to send its request head.
    pub request_timeout_secs: u64,
    /// Seconds an idle keep-alive connection is kept.
    pub keep_alive_secs: u64,
    /// Seconds a request body may stop arriving before the request is
    /// refused and its connection closed (a stalled upload otherwise holds
    /// its connection and its upload slot for ever).
    pub body_idle_secs: u64,
    /// Seconds a connection is given to close cleanly after its answer.
    pub disconnect_timeout_secs: u64,
    /// Most open connections per worker.
    pub max_connections: usize,
    /// Report submissions accepted per minute (all sources together).
    pub submissions_per_minute: u32,
    /// Longest wait, in milliseconds, for a slot of a spent rate limit
    /// (submissions, follow-up logins and messages) before the request is
    /// refused; 0 refuses at once.
    pub rate_wait_ms: u64,
    /// Largest review API request body in bytes.
    pub review_body_bytes: usize,
    /// Failed reviewer logins allowed per minute (all reviewers together).
    pub review_login_failures_per_minute: u32,
    /// Seconds a reviewer session may stay unused.
    pub review_session_idle_secs: u64,
    /// Seconds a reviewer session lives at most.
    pub review_session_max_secs: u64,
    /// Most concurrent reviewer sessions.
    pub review_sessions_max: usize,
    /// Most concurrent sessions of one reviewer (past it, the least
    /// recently used one ends).
    pub review_sessions_per_reviewer: usize,
    /// Most unanswered login challenges of one reviewer (past it, the
    /// oldest one is dropped).
    pub review_challenges_per_reviewer: usize,
    /// Seconds a reviewer login challenge may be answered.
    pub review_challenge_secs: u64,
    /// Seconds a form's anti-forgery token stays valid.
    pub csrf_ttl_secs: u64,
    /// Codename logins accepted per minute (all sources together).
    pub followup_logins_per_minute: u32,
    /// Seconds a follow-up session may stay unused.
    pub followup_session_idle_secs: u64,
    /// Seconds a follow-up session lives at most.
    pub followup_session_max_secs: u64,
    /// Most concurrent follow-up sessions.
    pub followup_sessions_max: usize,
    /// Most concurrent follow-up sessions of one report (past it, the
    /// least recently used one ends).
    pub followup_sessions_per_report: usize,
    /// Follow-up messages accepted per minute (all sources together).
    pub followup_messages_per_minute: u32,
    /// Longest follow-up message or reply, in characters.
    pub message_chars: usize,
    /// Most files in one submission.
    pub attachments_per_submission: usize,
    /// Largest single file in bytes.
    pub attachment_bytes: u64,
    /// Largest submission (all files together) in bytes.
    pub submission_bytes: u64,
    /// Writes (reports, follow-up messages, files) are refused while the data
    /// directory's file system has less free space than this, in bytes;
    /// 0 turns the check off.
    pub min_free_bytes: u64,
    /// Submissions with files processed at once.
    pub concurrent_uploads: usize,
    /// Largest file of a type that must be cleaned in memory (PDF, office
    /// documents, WebP, TIFF); above it such a file is refused unless the
    /// source keeps the original metadata.
    pub clean_in_memory_bytes: u64,
    /// Memory all office documents being cleaned at once may decompress
    /// into (XML parts rewritten in memory, embedded documents, PDFs and
    /// images cleaned whole); each of `concurrent_uploads` gets an equal
    /// share. Parts copied unchanged stream and take none of it.
    pub office_memory_bytes: u64,
    /// Most bytes the streams needed to read one PDF (object and
    /// cross-reference streams) may decode to, all together.
    pub pdf_max_decoded_bytes: u64,
    /// Most values (objects and every array, dictionary, name, string and
    /// number in them) one PDF may have.
    pub pdf_max_values: u64,
    /// The store's page cache in bytes (sled's cache of records read and
    /// written); the largest share of the server's memory under load.
    pub store_cache_bytes: u64,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            questionnaire: None,
            intake: Listener {
                addr: "127.0.0.1:8080".into(),
                ..Listener::default()
            },
            review: Listener {
                addr: "127.0.0.1:8081".into(),
                ..Listener::default()
            },
            limits: Limits::default(),
            kdf: Kdf::default(),
            retention: crate::retention::Retention::default(),
        }
    }
}

impl Default for Listener {
    fn default() -> Self {
        Listener {
            addr: String::new(),
            tls_cert: None,
            tls_key: None,
            workers: 2,
        }
    }
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            form_body_bytes: 512 * 1024,
            form_fields: 300,
            request_timeout_secs: 20,
            keep_alive_secs: 30,
            body_idle_secs: 60,
            disconnect_timeout_secs: 5,
            max_connections: 1024,
            submissions_per_minute: 120,
            rate_wait_ms: 5000,
            review_body_bytes: 1024 * 1024,
            review_login_failures_per_minute: 10,
            review_session_idle_secs: 30 * 60,
            review_session_max_secs: 8 * 3600,
            review_sessions_max: 1000,
            review_sessions_per_reviewer: 8,
            review_challenges_per_reviewer: 8,
            review_challenge_secs: 120,
            csrf_ttl_secs: 4 * 3600,
            followup_logins_per_minute: 60,
            followup_session_idle_secs: 30 * 60,
            followup_session_max_secs: 2 * 3600,
            followup_sessions_max: 10_000,
            followup_sessions_per_report: 4,
            followup_messages_per_minute: 60,
            message_chars: 20_000,
            attachments_per_submission: 10,
            attachment_bytes: 500 << 20,
            submission_bytes: 1 << 30,
            min_free_bytes: 256 << 20,
            concurrent_uploads: 4,
            clean_in_memory_bytes: 64 << 20,
            office_memory_bytes: 256 << 20,
            pdf_max_decoded_bytes: 32 << 20,
            pdf_max_values: 500_000,
            store_cache_bytes: crate::store::DEFAULT_CACHE_BYTES,
        }
    }
}

impl Limits {
    /// Bytes one upload may decompress an office document into: the share of
    /// `office_memory_bytes` of each of `concurrent_uploads`.
    pub fn office_memory_per_upload(&self) -> u64 {
        self.office_memory_bytes / (self.concurrent_uploads.max(1) as u64)
    }
}

/// A configuration problem, naming the key and the fix.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read config file {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("config file {path}: {detail}")]
    Parse { path: String, detail: String },
    #[error("environment variable {var}: {detail}")]
    Env { var: String, detail: String },
    #[error("config key `{key}`: {problem}. Fix: {fix}")]
    Invalid {
        key: &'static str,
        problem: String,
        fix: &'static str,
    },
}

impl Config {
    /// Reads `amanat.toml` from the data dir (defaults if absent), then
    /// applies the environment.
    pub fn load(data_dir: &Path, explicit: Option<&Path>) -> Result<Config, ConfigError> {
        let path = explicit
            .map(Path::to_path_buf)
            .unwrap_or_else(|| data_dir.join(CONFIG_FILE));
        let mut cfg = match std::fs::read_to_string(&path) {
            Ok(text) => Self::parse(&text, &path.display().to_string())?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && explicit.is_none() => {
                Config::default()
            }
            Err(source) => {
                return Err(ConfigError::Read {
                    path: path.display().to_string(),
                    source,
                });
            }
        };
        cfg.apply_env(std::env::vars())?;
        Ok(cfg)
    }

    /// Parses config text.
    pub fn parse(text: &str, origin: &str) -> Result<Config, ConfigError> {
        toml::from_str(text).map_err(|e| ConfigError::Parse {
            path: origin.to_string(),
            detail: e.to_string(),
        })
    }

    /// Applies `AMANAT_<SECTION>_<KEY>` variables (e.g. `AMANAT_INTAKE_ADDR`,
    /// `AMANAT_LIMITS_FORM_BODY_BYTES`). Unknown `AMANAT_*` names are refused.
    pub fn apply_env(
        &mut self,
        vars: impl IntoIterator<Item = (String, String)>,
    ) -> Result<(), ConfigError> {
        let mut table = toml::Table::try_from(&*self).map_err(|e| ConfigError::Env {
            var: "(all)".into(),
            detail: e.to_string(),
        })?;
        let known = setting_paths();
        let mut changed = false;
        for (var, value) in vars {
            if !var.starts_with("AMANAT_") || NON_SETTING_VARS.contains(&var.as_str()) {
                continue;
            }
            let Some((section, key)) = known.iter().find(|(s, k)| env_name(s, k) == var).cloned()
            else {
                return Err(ConfigError::Env {
                    var,
                    detail: "not a known setting (see deploy/amanat.example.toml)".into(),
                });
            };
            // Numbers and booleans parse as TOML values; anything else is a string.
            let parsed = format!("v = {value}")
                .parse::<toml::Table>()
                .ok()
                .and_then(|mut t| t.remove("v"))
                .filter(|v| !v.is_str())
                .unwrap_or(toml::Value::String(value));
            let target = match section {
                None => &mut table,
                Some(s) => table
                    .entry(s)
                    .or_insert_with(|| toml::Value::Table(Default::default()))
                    .as_table_mut()
                    .ok_or_else(|| ConfigError::Env {
                        var: var.clone(),
                        detail: "section is not a table".into(),
                    })?,
            };
            target.insert(key.to_string(), parsed);
            changed = true;
        }
        if changed {
            *self = table
                .try_into()
                .map_err(|e: toml::de::Error| ConfigError::Env {
                    var: "AMANAT_*".into(),
                    detail: e.to_string(),
                })?;
        }
        Ok(())
    }

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
        let checks: [(&'static str, u64, u64, u64); 39] = [
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

    /// The configuration as TOML, for `amanatd config`. It holds no secrets
    /// (TLS keys are paths), so nothing needs masking.
    pub fn to_toml(&self) -> String {
        toml::to_string_pretty(self).unwrap_or_default()
    }
}

/// The text `amanatd init` writes: the example with the chosen addresses.
pub fn initial_file(intake: &str, review: &str) -> String {
    EXAMPLE_TOML
        .replace(
            "addr = \"127.0.0.1:8080\"",
            &format!("addr = {}", toml::Value::String(intake.into())),
        )
        .replace(
            "addr = \"127.0.0.1:8081\"",
            &format!("addr = {}", toml::Value::String(review.into())),
        )
}

fn parse_addr(s: &str, key: &'static str) -> Result<SocketAddr, ConfigError> {
    s.parse().map_err(|_| ConfigError::Invalid {
        key,
        problem: format!("{s:?} is not an IP address with a port"),
        fix: "write it like 127.0.0.1:8080 or [::1]:8080 (behind Tor, keep it on loopback)",
    })
}

fn env_name(section: &Option<String>, key: &str) -> String {
    match section {
        None => format!("AMANAT_{}", key.to_uppercase()),
        Some(s) => format!("AMANAT_{}_{}", s.to_uppercase(), key.to_uppercase()),
    }
}

/// Every `(section, key)` a config may hold.
fn setting_paths() -> Vec<(Option<String>, String)> {
    let mut paths = vec![(None, "questionnaire".to_string())];
    for (section, keys) in [
        ("intake", &["addr", "tls_cert", "tls_key", "workers"][..]),
        ("review", &["addr", "tls_cert", "tls_key", "workers"][..]),
    ] {
        for k in keys {
            paths.push((Some(section.to_string()), k.to_string()));
        }
    }
    if let Ok(toml::Value::Table(t)) = toml::Value::try_from(Limits::default()) {
        for k in t.keys() {
            paths.push((Some("limits".to_string()), k.clone()));
        }
    }
    if let Ok(toml::Value::Table(t)) = toml::Value::try_from(Kdf::default()) {
        for k in t.keys() {
            paths.push((Some("kdf".to_string()), k.clone()));
        }
    }
    if let Ok(toml::Value::Table(t)) = toml::Value::try_from(crate::retention::Retention::default())
    {
        for k in t.keys() {
            paths.push((Some("retention".to_string()), k.clone()));
        }
    }
    paths
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn example_file_is_the_defaults_and_documents_every_key() {
        let cfg = Config::parse(EXAMPLE_TOML, "example").unwrap();
        assert_eq!(cfg, Config::default());
        for (section, key) in setting_paths() {
            let needle = format!("{key} =");
            assert!(
                EXAMPLE_TOML.contains(&needle),
                "{section:?}.{key} is not documented in the example"
            );
        }
        cfg.validate().unwrap();
    }

    #[test]
    fn initial_file_sets_addresses() {
        let text = initial_file("127.0.0.1:9000", "[::1]:9001");
        let cfg = Config::parse(&text, "init").unwrap();
        assert_eq!(cfg.intake.addr, "127.0.0.1:9000");
        assert_eq!(cfg.review.addr, "[::1]:9001");
    }

    #[test]
    fn unknown_keys_are_refused() {
        let e = Config::parse("[limits]\nform_body_byte = 5\n", "t").unwrap_err();
        assert!(e.to_string().contains("form_body_byte"), "{e}");
    }

    #[test]
    fn environment_overrides_and_refuses_unknown_names() {
        let mut cfg = Config::default();
        cfg.apply_env([
            (
                "AMANAT_INTAKE_ADDR".to_string(),
                "127.0.0.1:9999".to_string(),
            ),
            ("AMANAT_LIMITS_FORM_FIELDS".to_string(), "400".to_string()),
            ("AMANAT_CONFIG_DIR".to_string(), "/x".to_string()),
            ("HOME".to_string(), "/root".to_string()),
        ])
        .unwrap();
        assert_eq!(cfg.intake.addr, "127.0.0.1:9999");
        assert_eq!(cfg.limits.form_fields, 400);
        let e = cfg
            .apply_env([("AMANAT_LIMITS_FORM_FEILDS".to_string(), "1".to_string())])
            .unwrap_err();
        assert!(e.to_string().contains("AMANAT_LIMITS_FORM_FEILDS"), "{e}");
        let e = cfg
            .apply_env([("AMANAT_LIMITS_FORM_FIELDS".to_string(), "many".to_string())])
            .unwrap_err();
        assert!(e.to_string().contains("form_fields"), "{e}");
    }

    #[test]
    fn office_memory_is_shared_by_concurrent_uploads() {
        let mut cfg = Config::default();
        assert_eq!(cfg.limits.office_memory_per_upload(), 64 << 20);
        assert!(EXAMPLE_TOML.contains(&format!(
            "office_memory_bytes = {}",
            cfg.limits.office_memory_bytes
        )));
        // 256 MiB for 1024 uploads leaves each less than 1 MiB.
        cfg.limits.concurrent_uploads = 1024;
        let e = cfg.validate().unwrap_err().to_string();
        assert!(e.contains("limits.office_memory_bytes"), "{e}");
        cfg.limits.office_memory_bytes = 1 << 30;
        cfg.validate().unwrap();
        assert_eq!(cfg.limits.office_memory_per_upload(), 1 << 20);
    }

    #[test]
    fn validation_names_the_key() {
        let mut cfg = Config::default();
        cfg.limits.form_fields = 0;
        let e = cfg.validate().unwrap_err().to_string();
        assert!(
            e.contains("limits.form_fields") && e.contains("Fix:"),
            "{e}"
        );

        let mut cfg = Config::default();
        cfg.limits.store_cache_bytes = 1000;
        let e = cfg.validate().unwrap_err().to_string();
        assert!(e.contains("limits.store_cache_bytes"), "{e}");

        let mut cfg = Config::default();
        cfg.review.addr = "localhost".into();
        assert!(
            cfg.validate()
                .unwrap_err()
                .to_string()
                .contains("review.addr")
        );

        let mut cfg = Config::default();
        cfg.intake.tls_cert = Some("/x.pem".into());
        assert!(
            cfg.validate()
                .unwrap_err()
                .to_string()
                .contains("intake.tls_cert")
        );

        let mut cfg = Config::default();
        cfg.review.addr = cfg.intake.addr.clone();
        assert!(
            cfg.validate()
                .unwrap_err()
                .to_string()
                .contains("review.addr")
        );
    }
}
