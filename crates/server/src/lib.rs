//! Amanat: secure, anonymous incident intake for human rights defenders.
//!
//! The server (`amanatd`) takes reports from defenders through a form that
//! works without JavaScript, encrypts them with age to the reviewers' public
//! keys, and only then writes them to disk. Reviewers decrypt on their own
//! machines with the `amanat` CLI. The server never holds a key that opens a
//! report and never records who sent one.
//!
//! Module map (SECURITY.md states the promises it keeps; ids, the model,
//! envelopes, keys and the audit chain are `amanat_core`'s, metadata
//! stripping `amanat_sanitize`'s):
//! - [`config`]: server configuration (file, environment, flags), validation.
//! - [`store`]: the sled database and its durability rules; the only module
//!   that touches sled.
//! - [`retention`]: purging closed reports after their retention period.
//! - [`i18n`]: Fluent messages and language negotiation.
//! - [`web`]: what both listeners share: security headers, body limits.
//! - [`intake`]: the defenders' HTML interface. Never logs identifiers.
//! - [`review`]: the reviewers' JSON API. Cannot decrypt reports.
//! - [`server`]: builds and runs both listeners.
//! - [`tls`]: rustls configuration and certificate reload on SIGHUP.
//! - [`ops`]: operator commands (check, status, backup, restore), the
//!   control socket of a running server, process hardening.
//! - [`daemon`]: `amanatd`'s command line, exit codes and logging.

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
