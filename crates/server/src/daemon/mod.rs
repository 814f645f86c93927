//! `amanatd`: the server and its operator commands.
//!
//! `init` creates a data dir, `reviewer` manages enrolled reviewers offline,
//! `serve` runs both listeners (`--demo` with a throwaway store and key),
//! `audit verify` checks the audit chain, `config` prints the effective
//! configuration; `check`, `status`, `backup` and `restore` are the operator
//! commands of [`crate::ops`], where their logic lives: this module only
//! parses and calls. Log lines carry no timestamps: a precise time next to
//! "submission stored" would date a source's visit.
//!
//! [`args`] holds the command line, [`exit`] the exit codes, `commands` and
//! `serve` the commands' bodies, [`logging`] the log filter.

pub mod args;
mod commands;
pub mod exit;
pub mod logging;
mod serve;

pub use args::{Args, AuditCommand, Command, ReviewerCommand};
pub use commands::{generate_docs, run};
pub use exit::{Exit, Failure};
pub use logging::{OTHER_CRATES_LOGGED, OWN_CRATES};

use std::process::ExitCode;

/// Entry point of `amanatd`.
pub fn main() -> ExitCode {
    match run(args::parse()) {
        Ok(()) => Exit::Success.into(),
        Err(f) => {
            eprintln!("amanatd: {}", f.message());
            f.exit().into()
        }
    }
}
