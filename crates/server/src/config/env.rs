//! Environment overrides: `AMANAT_<SECTION>_<KEY>` replaces a key of the
//! file; an unknown `AMANAT_*` name is refused, so a typo cannot silently
//! leave a default in place.

use super::{Config, ConfigError, Crypto, Kdf, Limits, Retention};

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

impl Config {
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
}

fn env_name(section: &Option<String>, key: &str) -> String {
    match section {
        None => format!("AMANAT_{}", key.to_uppercase()),
        Some(s) => format!("AMANAT_{}_{}", s.to_uppercase(), key.to_uppercase()),
    }
}

/// Every `(section, key)` a config may hold.
pub(super) fn setting_paths() -> Vec<(Option<String>, String)> {
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
    if let Ok(toml::Value::Table(t)) = toml::Value::try_from(Retention::default()) {
        for k in t.keys() {
            paths.push((Some("retention".to_string()), k.clone()));
        }
    }
    if let Ok(toml::Value::Table(t)) = toml::Value::try_from(Crypto::default()) {
        for k in t.keys() {
            paths.push((Some("crypto".to_string()), k.clone()));
        }
    }
    paths
}
