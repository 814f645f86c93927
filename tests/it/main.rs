//! The end-to-end suite of the workspace in one test binary: a real server
//! on loopback (in process, or the `amanatd` binary), a browser-like client
//! without JavaScript, and reviewers with real age keys.
//!
//! The slow suites (crash, power cut, seizure, browser, deploy, the 2 GiB
//! upload and the stripping judges that need system tools) are separate
//! targets that need the `slow-tests` feature; `scripts/test.sh`, the
//! README's test command, runs them all.
#![forbid(unsafe_code)]
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../common/mod.rs"]
mod common;

mod a11y;
mod airgap;
mod api;
mod architecture;
mod attachments;
mod cli_output;
mod exit_codes;
#[path = "../fixtures.rs"]
mod fixtures;
mod followup;
mod fuzz_seeds;
mod hostile;
mod i18n;
mod keys;
mod layout;
mod migrate;
mod ops;
mod paging;
mod profiles;
mod rekey;
mod triage;
mod upkeep;
