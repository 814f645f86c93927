//! `amanatd`'s command line: the clap definitions, which also generate its
//! man pages and shell completions, with the exit codes in `--help`.

use super::exit::Exit;
use amanat_core::model::Role;
use clap::{Parser, Subcommand};
use std::path::PathBuf;

/// Amanat server: secure, anonymous incident intake.
// The exit codes follow the help: `command()` adds them from `Exit`.
#[derive(Debug, Parser)]
#[command(name = "amanatd", version)]
pub struct Args {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create a data directory with a documented config file and the store.
    Init {
        #[arg(long, env = "AMANAT_DATA_DIR")]
        data_dir: PathBuf,
        /// Address of the defenders' form.
        #[arg(long, default_value = "127.0.0.1:8080")]
        intake_addr: String,
        /// Address of the reviewers' API.
        #[arg(long, default_value = "127.0.0.1:8081")]
        review_addr: String,
    },
    /// Run the server (both listeners).
    Serve {
        #[arg(long, env = "AMANAT_DATA_DIR", required_unless_present = "demo")]
        data_dir: Option<PathBuf>,
        /// Config file (default: DATA_DIR/amanat.toml).
        #[arg(long, env = "AMANAT_CONFIG")]
        config: Option<PathBuf>,
        /// Override intake.addr.
        #[arg(long)]
        intake_addr: Option<String>,
        /// Override review.addr.
        #[arg(long)]
        review_addr: Option<String>,
        /// Throwaway data dir and demo reviewer key. Never for real reports.
        #[arg(long, conflicts_with = "data_dir")]
        demo: bool,
    },
    /// Manage reviewers while the server is stopped.
    Reviewer {
        #[command(subcommand)]
        command: ReviewerCommand,
    },
    /// Audit log tools.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// Purge closed reports past their retention period (see [retention]).
    Purge {
        #[arg(long, env = "AMANAT_DATA_DIR")]
        data_dir: PathBuf,
        #[arg(long, env = "AMANAT_CONFIG")]
        config: Option<PathBuf>,
        /// Only list what would be purged.
        #[arg(long)]
        dry_run: bool,
        /// Treat this UTC day (YYYY-MM-DD) as today.
        #[arg(long)]
        as_of: Option<amanat_core::timeutil::Day>,
    },
    /// Print the effective configuration (file, then environment).
    Config {
        #[arg(long, env = "AMANAT_DATA_DIR")]
        data_dir: PathBuf,
        #[arg(long, env = "AMANAT_CONFIG")]
        config: Option<PathBuf>,
    },
    /// Check a deployment: config, permissions, reviewers, listeners, TLS.
    /// Prints OK/WARN/FAIL per item; exits 6 on any FAIL.
    Check {
        #[arg(long, env = "AMANAT_DATA_DIR")]
        data_dir: PathBuf,
        #[arg(long, env = "AMANAT_CONFIG")]
        config: Option<PathBuf>,
    },
    /// Report counts per state, reviewers and disk use (works while serving).
    Status {
        #[arg(long, env = "AMANAT_DATA_DIR")]
        data_dir: PathBuf,
        #[arg(long)]
        json: bool,
    },
    /// Write a consistent backup (ciphertext and metadata) to a new file,
    /// mode 0600. Safe while the server runs.
    Backup {
        #[arg(long, env = "AMANAT_DATA_DIR")]
        data_dir: PathBuf,
        /// The backup file to create (never overwritten).
        #[arg(long)]
        out: PathBuf,
    },
    /// Verify a backup and create a new data directory from it.
    Restore {
        /// The backup file.
        #[arg(long = "in", value_name = "FILE")]
        input: PathBuf,
        /// A new data directory (refused if it already holds a store).
        #[arg(long)]
        data_dir: PathBuf,
        /// An anchor file from `amanat audit anchors` (repeatable): the
        /// restored audit chain must pass through every entry reviewers saw,
        /// so a backup whose log was rewritten is refused.
        #[arg(long, value_name = "FILE")]
        against: Vec<PathBuf>,
    },
    /// Check the store of a stopped server: every report's envelopes and
    /// attachment files present and age ciphertext, no leftovers, the schema
    /// version, the audit chain. Exits 0 when consistent, 7 otherwise.
    Fsck {
        #[arg(long, env = "AMANAT_DATA_DIR")]
        data_dir: PathBuf,
        /// Remove leftovers of interrupted writes (orphan envelopes and
        /// attachment files, temporary uploads, lookups and references of
        /// deleted reports) and rewrite queue counts that disagree with the
        /// reports. Never removes anything a report names.
        #[arg(long)]
        repair: bool,
        #[arg(long)]
        json: bool,
        /// Where to put the scratch directory of sorted ids (default: inside
        /// the data directory; about 60 bytes per envelope and attachment).
        #[arg(long, value_name = "DIR")]
        scratch_dir: Option<PathBuf>,
        /// The most ids held in memory per sorted set (at least 1).
        #[arg(long, value_name = "N", default_value_t = crate::store::FSCK_IDS_IN_MEMORY as u64,
              value_parser = clap::value_parser!(u64).range(1..))]
        ids_in_memory: u64,
    },
    /// Write man pages and shell completions (for packaging).
    #[command(hide = true)]
    GenerateDocs {
        #[arg(long)]
        out: PathBuf,
    },
}

#[derive(Debug, Subcommand)]
pub enum ReviewerCommand {
    /// Enrol a reviewer by the recipient (age1…) they sent you.
    Add {
        #[arg(long, env = "AMANAT_DATA_DIR")]
        data_dir: PathBuf,
        #[arg(long)]
        name: String,
        #[arg(long)]
        recipient: String,
        /// Comma-separated: triage, identity, admin.
        #[arg(long, value_delimiter = ',', required = true)]
        roles: Vec<Role>,
    },
    /// List reviewers.
    List {
        #[arg(long, env = "AMANAT_DATA_DIR")]
        data_dir: PathBuf,
        #[arg(long)]
        json: bool,
    },
    /// Remove a reviewer by id or name.
    Remove {
        #[arg(long, env = "AMANAT_DATA_DIR")]
        data_dir: PathBuf,
        reviewer: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Check that no audit entry was changed, removed or reordered.
    ///
    /// The chain alone cannot show a rewrite by whoever controls this disk
    /// (they can recompute every hash): give the anchors reviewers exported
    /// with `amanat audit anchors` to check the chain still passes through
    /// each entry they saw.
    Verify {
        #[arg(long, env = "AMANAT_DATA_DIR")]
        data_dir: PathBuf,
        /// An anchor file from `amanat audit anchors` (repeatable).
        #[arg(long, value_name = "FILE")]
        against: Vec<PathBuf>,
    },
}

/// The clap command `amanatd` parses with: [`Args`] with the exit codes
/// (from [`Exit`]) after the help.
pub fn command() -> clap::Command {
    use clap::CommandFactory;
    Args::command().after_help(Exit::help())
}

/// Parses the process's arguments; exits 2 with clap's message when they
/// are wrong, 0 after `--help` or `--version`.
pub fn parse() -> Args {
    use clap::FromArgMatches;
    let mut cmd = command();
    let matches = cmd.clone().get_matches();
    Args::from_arg_matches(&matches).unwrap_or_else(|e| e.format(&mut cmd).exit())
}
