//! The reviewer CLI (`amanat`): keys, login, the queue, reading reports.
//!
//! This is the only place where reports are decrypted, on the reviewer's
//! own machine, with the reviewer's age identity. Plaintext is printed, never
//! written to disk by the CLI unless the reviewer redirects it. Text from
//! reports is untrusted: control characters are neutralised before printing
//! so a report cannot drive the reviewer's terminal.
//!
//! Layout: `args` (the command line), `commands` (one module per command),
//! `decrypt` (fetch a report and decrypt each envelope once), `render`
//! (terminal output), `export` (the export profiles), `client` (the review
//! API), `session`, `pins` and `anchors` (what the CLI remembers of each
//! server), `profiles` (one session directory per server), `exit` (exit
//! codes and the error type).

#![forbid(unsafe_code)]

pub mod anchors;
pub mod args;
pub mod bundle;
pub mod client;
pub mod commands;
pub mod decrypt;
pub mod desk;
pub mod exit;
pub mod export;
#[doc(hidden)]
pub mod fuzzing;
pub mod mirror;
pub mod offline;
pub mod outbox;
pub mod pins;
pub mod profiles;
pub mod render;
pub mod session;
pub mod syncstate;

pub use args::{AdminCommand, Args, AuditCommand, Command, ReviewerCommand};
pub use exit::{CliError, Exit};
pub use render::safe;

use clap::Parser;
use std::process::ExitCode;

/// Runs the CLI and returns the process exit code.
pub fn main() -> ExitCode {
    let args = Args::parse();
    match run(args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("amanat: {}", e.message);
            ExitCode::from(e.code as u8)
        }
    }
}

/// Runs one command.
pub fn run(args: Args) -> Result<(), CliError> {
    let root = session::config_dir()?;
    let profile_given = args.profile.is_some();
    let profile = args
        .profile
        .unwrap_or_else(profiles::Profile::default_profile);
    let ctx = commands::Ctx {
        dir: profile.dir(&root),
        root,
        profile,
        profile_given,
        proxy: args.proxy,
        mirror: args.mirror,
        identity: args.identity,
        load_identity: amanat_core::keyfile::load,
    };
    commands::run(&ctx, args.command)
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_definition_is_consistent_and_documents_exit_codes() {
        Args::command().debug_assert();
        let help = Args::command().render_long_help().to_string();
        assert!(help.contains(&exit::help_text()), "{help}");
    }
}
