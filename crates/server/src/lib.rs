//! Amanat: secure, anonymous incident intake for human rights defenders.
//!
//! The server (`amanatd`) takes reports from defenders through a form that
//! works without JavaScript, encrypts them with age to the reviewers' public
//! keys, and only then writes them to disk. Reviewers decrypt on their own
//! machines with the `amanat` CLI. The server never holds a key that opens a
//! report and never records who sent one.
//!
//! Module map (SECURITY.md states the promises it keeps):
//! - [`config`]: server configuration (file, environment, flags), validation.
//! - [`crypto`]: age envelopes, padding, ids, constant-time comparison.
//! - [`store`]: the sled database and its durability rules; the only module
//!   that touches sled.
//! - [`model`]: the questionnaire, parsed answers, triage vocabulary.
//! - [`i18n`]: Fluent messages and language negotiation.
//! - [`web`]: what both listeners share: security headers, body limits.
//! - [`intake`]: the defenders' HTML interface. Never logs identifiers.
//! - [`review`]: the reviewers' JSON API. Cannot decrypt reports.
//! - [`server`]: builds and runs both listeners.
//! - [`cli`]: the reviewer CLI: the only place reports are decrypted.
//! - [`audit`]: the hash-chained log of reviewer actions.
//! - [`ops`]: operator commands (check, status, backup, restore), the
//!   control socket of a running server, process hardening.
//! - [`tls`]: rustls configuration and certificate reload on SIGHUP.

#![forbid(unsafe_code)]

pub mod config;
pub mod daemon;
pub mod i18n;
pub mod intake;
pub mod ops;
pub mod retention;
pub mod review;
pub mod server;
pub mod store;
pub mod tls;
pub mod web;
