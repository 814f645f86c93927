//! The command line, as clap reads it: every command, its flags and their
//! help. Nothing here runs a command; `commands` does, one module each.
//! The man page and completions are generated from these definitions.

use crate::export;
use amanat_core::model::Role;
use clap::{Parser, Subcommand};
use std::path::PathBuf;

/// Reviewer CLI for Amanat: decrypt and triage reports on your own machine.
#[derive(Debug, Parser)]
#[command(name = "amanat", version, after_help = crate::exit::help_text())]
pub struct Args {
    /// Proxy for all requests, e.g. socks5h://127.0.0.1:9050 for Tor.
    #[arg(long, global = true, env = "AMANAT_PROXY")]
    pub proxy: Option<String>,
    /// The server profile to use, named before the command (`amanat
    /// --profile geneva list`); ids may also be qualified as PROFILE:ID.
    /// Without it: the `default` profile. See `amanat profiles`.
    #[arg(long, env = "AMANAT_PROFILE")]
    pub profile: Option<crate::profiles::Profile>,
    /// Read from this mirror (from `amanat sync`) instead of a server, and
    /// never open a connection: list, queue, show, download and export.
    #[arg(long, env = "AMANAT_MIRROR", value_name = "DIR")]
    pub mirror: Option<PathBuf>,
    /// Your identity file, to decrypt from a mirror (with --mirror).
    #[arg(long, env = "AMANAT_IDENTITY")]
    pub identity: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create a new age identity (your "CLI key") and print its recipient.
    Keygen {
        /// Where to write the identity file (created with mode 0600).
        #[arg(short, long)]
        output: PathBuf,
        /// Protect the file with a passphrase (age scrypt). Read from the
        /// terminal, or from AMANAT_PASSPHRASE.
        #[arg(long)]
        passphrase: bool,
    },
    /// Log in to a server with your identity (age challenge–response).
    Login {
        /// The review API's URL, e.g. http://xyz.onion or https://host:8081.
        #[arg(long, env = "AMANAT_SERVER")]
        server: String,
        /// Your identity file (from `amanat keygen` or `age-keygen`).
        #[arg(long, short, env = "AMANAT_IDENTITY")]
        identity: PathBuf,
        /// PEM file of the CA that signed the server's certificate.
        #[arg(long)]
        ca_file: Option<PathBuf>,
        /// Save this login as a named profile (one per server), e.g. geneva.
        #[arg(long)]
        profile: Option<crate::profiles::Profile>,
    },
    /// End the session on the server and forget it here.
    Logout {
        /// The profile to log out of.
        #[arg(long)]
        profile: Option<crate::profiles::Profile>,
    },
    /// Show who you are logged in as.
    Whoami {
        #[arg(long)]
        json: bool,
    },
    /// The queue: most urgent first, then oldest; overdue reports marked.
    List {
        /// Only these states (comma-separated).
        #[arg(long, value_delimiter = ',')]
        state: Vec<amanat_core::model::State>,
        /// Only these urgencies (comma-separated).
        #[arg(long, value_delimiter = ',')]
        urgency: Vec<amanat_core::model::Urgency>,
        /// Only reports assigned to this reviewer (name, id, `me` or `none`).
        #[arg(long)]
        assignee: Option<String>,
        /// Only reports received on or after this day (YYYY-MM-DD).
        #[arg(long)]
        since: Option<amanat_core::timeutil::Day>,
        /// Only reports past their acknowledgement deadline.
        #[arg(long)]
        overdue: bool,
        /// Every page, printed as it arrives (else the first 100 reports).
        #[arg(long)]
        all: bool,
        /// Rows from every logged-in profile, each named by its profile,
        /// with ids qualified as PROFILE:ID.
        #[arg(long)]
        all_profiles: bool,
        #[arg(long)]
        json: bool,
    },
    /// A summary of the queue: counts per state and urgency, overdue reports.
    Queue {
        /// One summary per logged-in profile, overdue ids qualified.
        #[arg(long)]
        all_profiles: bool,
        #[arg(long)]
        json: bool,
    },
    /// The profiles this CLI is logged in with: name, server, reviewer.
    Profiles {
        #[arg(long)]
        json: bool,
    },
    /// Change a report's state, urgency or assignee, or add a note and tags.
    ///
    /// The server enforces the triage states of docs/domain.md; an illegal move
    /// fails and names the allowed ones. Notes and tags are encrypted here to
    /// the triage reviewers; the server never sees them.
    Triage {
        id: String,
        #[arg(long)]
        state: Option<amanat_core::model::State>,
        /// Required when closing: resolved, out_of_scope, duplicate,
        /// withdrawn, no_consent, spam.
        #[arg(long)]
        reason: Option<amanat_core::model::CloseReason>,
        /// Set and confirm the urgency.
        #[arg(long)]
        urgency: Option<amanat_core::model::Urgency>,
        /// Assign to a reviewer (name or id); "" unassigns.
        #[arg(long)]
        assign: Option<String>,
        /// A tag (repeatable).
        #[arg(long = "tag")]
        tags: Vec<String>,
        /// A note for the other reviewers.
        #[arg(long)]
        note: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Export reports per a profile of docs/domain.md, honouring consent.
    ///
    /// internal: json or csv. ohchr_submission: json or text (only reports
    /// whose source agreed to share with the UN; identity only when allowed).
    /// stats: csv or json (counts, no free text or identity). Every profile
    /// but internal refuses reports without informed consent.
    Export {
        #[arg(long, value_enum)]
        profile: export::Profile,
        #[arg(long, value_enum)]
        format: export::Format,
        /// Report ids (or --all).
        ids: Vec<String>,
        /// Every report (those that may not be exported are skipped and listed).
        #[arg(long, conflicts_with = "ids")]
        all: bool,
        /// Write here (mode 0600, never overwriting) instead of standard output.
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// The audit log, with a check of its hash chain (admin role).
    ///
    /// At each login this CLI records the audit head it saw (its anchor) and
    /// checks that the server's chain still extends the one it saw before.
    Audit {
        #[arg(long)]
        json: bool,
        /// Also check the chain against an anchor file from `amanat audit
        /// anchors` (repeatable): it must pass through every anchored entry.
        #[arg(long, value_name = "FILE")]
        against: Vec<PathBuf>,
        #[command(subcommand)]
        command: Option<AuditCommand>,
    },
    /// Decrypt and show one report with its whole thread (messages, replies).
    Show {
        /// The report id (from `amanat list`).
        id: String,
        #[arg(long)]
        json: bool,
    },
    /// Reply to the source through the follow-up channel.
    ///
    /// The text comes from --message, else from standard input when it is
    /// not a terminal, else from $VISUAL/$EDITOR. The CLI encrypts it to the
    /// source and the triage reviewers; the server never sees it. Refused
    /// when the source did not agree to be contacted back.
    Reply {
        id: String,
        #[arg(long, short)]
        message: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Download, decrypt and verify a report's attachments, with those the
    /// source sent later with follow-up messages.
    ///
    /// Each file is checked against the SHA-256 in the encrypted manifest and
    /// written with mode 0600 under a safe name (no path separators, control
    /// or bidi characters); existing files are never overwritten.
    Download {
        id: String,
        /// Directory to write into (created 0700 if missing).
        #[arg(long, default_value = ".")]
        out: PathBuf,
        #[arg(long)]
        json: bool,
    },
    /// Air-gapped review, online side: mirror every report's ciphertext.
    ///
    /// Envelopes, attachment files and triage state are fetched into a mirror
    /// directory for a machine that never goes online (docs/reviewers.md,
    /// "Air-gapped review"). Needs no private key, only a sync token (`sync
    /// challenge`, then `sync enrol`, once). Incremental and resumable: run it
    /// again after an interruption. Every file is hashed, every envelope
    /// checked; the mirror holds no plaintext of any report.
    Sync {
        /// The mirror directory (default: `mirror` in the profile's directory).
        #[arg(long, conflicts_with = "all_profiles")]
        mirror: Option<PathBuf>,
        /// Sync every profile that has a sync token, each into its own mirror.
        #[arg(long)]
        all_profiles: bool,
        #[arg(long)]
        json: bool,
        #[command(subcommand)]
        command: Option<SyncCommand>,
    },
    /// A mirror (or what changed of it) as one file, for a USB stick.
    Bundle {
        #[command(subcommand)]
        command: BundleCommand,
    },
    /// Air-gapped review, online side: send an outbox from the offline
    /// machine (`amanat outbox export`) to the server.
    ///
    /// Each action is applied once, with the online checks; conflicts (the
    /// report moved since the mirror was taken) and refusals are listed and
    /// end with exit code 1. Pushing the same file again changes nothing.
    Push {
        file: PathBuf,
        #[arg(long)]
        json: bool,
    },
    /// Air-gapped review, offline side: what `triage` and `reply` kept while
    /// reading a mirror.
    Outbox {
        #[command(subcommand)]
        command: OutboxCommand,
    },
    /// Air-gapped review, offline side: the desk key and enrolment answers.
    Desk {
        #[command(subcommand)]
        command: DeskCommand,
    },
    /// Administration (needs the admin role).
    Admin {
        #[command(subcommand)]
        command: AdminCommand,
    },
    /// Write man pages and shell completions (for packaging).
    #[command(hide = true)]
    GenerateDocs {
        #[arg(long)]
        out: PathBuf,
    },
}

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Print the audit heads this CLI saw (one per server) as an anchor
    /// file, for `amanatd audit verify --against FILE` (no login needed).
    Anchors {
        /// Write here (mode 0600, never overwriting) instead of standard output.
        #[arg(long)]
        out: Option<PathBuf>,
    },
}

#[derive(Debug, Subcommand)]
pub enum SyncCommand {
    /// Step 1 (online): ask for a sync enrolment challenge and write it to
    /// a file to carry to the offline machine.
    Challenge {
        /// The review API's URL, e.g. http://xyz.onion or https://host:8081.
        #[arg(long, env = "AMANAT_SERVER")]
        server: String,
        /// Your recipient (age1…), as enrolled on the server.
        #[arg(long)]
        recipient: String,
        /// PEM file of the CA that signed the server's certificate.
        #[arg(long)]
        ca_file: Option<PathBuf>,
        /// Where to write the challenge (never overwritten).
        #[arg(long)]
        out: PathBuf,
    },
    /// Step 3 (online): send the offline machine's answer; the sync token
    /// is saved in this profile.
    Enrol {
        /// The answer file from `amanat desk answer`.
        answer: PathBuf,
        #[arg(long)]
        json: bool,
    },
    /// End this profile's sync token on the server and forget it here.
    Revoke,
}

#[derive(Debug, Subcommand)]
pub enum BundleCommand {
    /// Write the mirror as one file (never overwriting), every file hashed.
    Export {
        file: PathBuf,
        /// The mirror (default: `mirror` in the profile's directory).
        #[arg(long)]
        mirror: Option<PathBuf>,
        /// Only what changed since this copy: the manifest.json (or the
        /// directory) of the mirror the bundle is for.
        #[arg(long, value_name = "MANIFEST")]
        since: Option<PathBuf>,
        #[arg(long)]
        json: bool,
    },
    /// Check a bundle whole, then bring it into the mirror; a damaged
    /// bundle is refused and nothing is imported.
    Import {
        file: PathBuf,
        /// The mirror (default: `mirror` in the profile's directory).
        #[arg(long)]
        mirror: Option<PathBuf>,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum OutboxCommand {
    /// Sign every pending action with the desk key into one file, for
    /// `amanat push` on the online machine.
    Export {
        /// Where to write it (never overwritten).
        file: PathBuf,
        /// The desk key file from `amanat desk keygen`.
        #[arg(long, env = "AMANAT_DESK_KEY")]
        desk_key: PathBuf,
        /// Empty the outbox once the file is written.
        #[arg(long)]
        clear: bool,
    },
    /// Forget the pending actions (once a push of them went through).
    Clear,
}

#[derive(Debug, Subcommand)]
pub enum DeskCommand {
    /// Make the desk key, on the offline machine (never copy it elsewhere);
    /// prints its public half.
    Keygen {
        /// Where to write the key (mode 0600, never overwritten).
        #[arg(short, long)]
        output: PathBuf,
    },
    /// Step 2 (offline): answer a sync challenge with your identity,
    /// enrolling the desk key.
    Answer {
        /// The challenge file from `amanat sync challenge`.
        challenge: PathBuf,
        /// Your identity file.
        #[arg(long, short, env = "AMANAT_IDENTITY")]
        identity: PathBuf,
        /// The desk key file from `amanat desk keygen`.
        #[arg(long)]
        desk_key: PathBuf,
        /// Where to write the answer (never overwritten).
        #[arg(long)]
        out: PathBuf,
    },
}

#[derive(Debug, Subcommand)]
pub enum AdminCommand {
    /// Manage reviewers on the running server.
    Reviewer {
        #[command(subcommand)]
        command: ReviewerCommand,
    },
    /// Re-encrypt what is still sealed to removed reviewers' keys to
    /// today's reviewers (needs the admin and triage roles).
    ///
    /// Each envelope and attachment is decrypted on this machine and
    /// re-encrypted; the server swaps it atomically and audits it. Safe to
    /// interrupt: run it again and it carries on with what is left.
    /// Identity sections need an admin with the identity role as well.
    Rekey {
        /// Only say what would be re-keyed.
        #[arg(long)]
        dry_run: bool,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum ReviewerCommand {
    /// Enrol a reviewer by their recipient (age1…).
    ///
    /// With the identity or admin role the enrolment waits for a second
    /// admin's `amanat admin reviewer approve GRANT` (or for the operator's
    /// `amanatd reviewer add` on the server).
    Add {
        #[arg(long)]
        name: String,
        #[arg(long)]
        recipient: String,
        /// Comma-separated: triage, identity, admin.
        #[arg(long, value_delimiter = ',', required = true)]
        roles: Vec<Role>,
        #[arg(long)]
        json: bool,
    },
    /// List reviewers.
    List {
        #[arg(long)]
        json: bool,
    },
    /// Remove a reviewer by id or name.
    Remove { reviewer: String },
    /// Pending grants of the identity or admin role, waiting for approval.
    Pending {
        #[arg(long)]
        json: bool,
    },
    /// Approve another admin's pending grant: the reviewer is enrolled.
    Approve {
        grant: String,
        #[arg(long)]
        json: bool,
    },
    /// Withdraw a pending grant.
    Cancel { grant: String },
}
