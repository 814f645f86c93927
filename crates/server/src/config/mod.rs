//! Server configuration: one struct, read from the data dir's `amanat.toml`,
//! then `AMANAT_*` environment variables, then command-line flags.
//!
//! Unknown keys are refused (a typo must not silently fall back to a
//! default). Every limit has a safe default and is validated at start-up
//! with an error that names the key and the fix. `deploy/amanat.example.toml`
//! documents every key and is what `amanatd init` writes.

//!
//! This module reads and writes the file format; `settings` holds the
//! sections and their defaults, `env` the environment overrides, `validate`
//! the start-up checks. It depends on no other module of the server: the
//! store and retention take the plain values it holds.

mod env;
mod settings;
mod validate;

pub use settings::{Crypto, Kdf, Limits, Listener, Retention};

use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// The documented example configuration (also written by `amanatd init`).
pub const EXAMPLE_TOML: &str = include_str!("../../../../deploy/amanat.example.toml");

/// Name of the config file inside the data dir.
pub const CONFIG_FILE: &str = "amanat.toml";

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
    pub retention: Retention,
    pub crypto: Crypto,
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
            retention: Retention::default(),
            crypto: Crypto::default(),
        }
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

#[cfg(test)]
mod tests;
