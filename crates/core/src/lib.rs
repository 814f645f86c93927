//! What Amanat's server (`amanatd`) and reviewer CLI (`amanat`) share, and
//! nothing that only one of them needs: no web framework, store or HTTP client.
//!
//! - [`model`]: the questionnaire, parsed answers, triage vocabulary.
//! - [`records`]: the kinds of envelope and the attachment manifest.
//! - [`api`]: the review API's wire types.
//! - [`crypto`]: age envelopes, padding, ids, codenames, constant-time comparison.
//! - [`keyfile`]: reviewer identity files (plain or passphrase-protected).
//! - [`audit`]: the hash-chained audit log and its anchors.
//! - [`timeutil`]: days (the only time resolution anything is stored at).
//! - [`languages`]: the languages the form is offered in.
//! - [`filename`]: attachment names made safe to show and to save.
//! - [`tls`]: the TLS policy both ends use, and the CLI's client config.
//! - `docgen` (feature `docgen`): man pages and completions for the packages.

#![forbid(unsafe_code)]

pub mod api;
pub mod audit;
pub mod crypto;
#[cfg(feature = "docgen")]
pub mod docgen;
pub mod filename;
pub mod keyfile;
pub mod languages;
pub mod model;
pub mod records;
pub mod timeutil;
pub mod tls;

/// Human-readable byte size (for limit messages).
pub fn human_bytes(n: u64) -> String {
    const UNITS: &[&str] = &["bytes", "KiB", "MiB", "GiB"];
    let mut v = n as f64;
    let mut i = 0;
    while v >= 1024.0 && i + 1 < UNITS.len() {
        v /= 1024.0;
        i += 1;
    }
    if i == 0 {
        format!("{n} bytes")
    } else if v.fract() == 0.0 {
        format!("{v:.0} {}", UNITS[i])
    } else {
        format!("{v:.1} {}", UNITS[i])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn human_sizes() {
        assert_eq!(human_bytes(10), "10 bytes");
        assert_eq!(human_bytes(524_288), "512 KiB");
        assert_eq!(human_bytes(1_572_864), "1.5 MiB");
    }
}
