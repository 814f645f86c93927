//! The reviewer CLI (`amanat`): keys, login, the queue, reading reports.
//!
//! This is the only place where reports are decrypted, on the reviewer's
//! own machine, with the reviewer's age identity. Plaintext is printed, never
//! written to disk by the CLI unless the reviewer redirects it. Text from
//! reports is untrusted: control characters are neutralised before printing
//! so a report cannot drive the reviewer's terminal.

#![forbid(unsafe_code)]

pub mod client;
pub mod export;
#[doc(hidden)]
pub mod fuzzing;
pub mod session;

use amanat_core::api::*;
use amanat_core::crypto::envelope;
use amanat_core::keyfile as keys;
use amanat_core::model::Role;
use amanat_core::records::CleanResult;
use amanat_core::records::EnvelopeKind;
use clap::{Parser, Subcommand};
use client::Api;
use data_encoding::BASE64;
use serde_json::Value as Json;
use std::path::PathBuf;
use std::process::ExitCode;
use zeroize::Zeroizing;

const EXIT_CODES: &str = "\
Exit codes:
  0  success
  1  error (the message says what and what to do)
  2  invalid arguments
  3  not logged in, or the session expired: run `amanat login`
  4  not found (unknown report or reviewer id)
  5  permission denied: your reviewer account lacks the role
  6  cannot reach the server
  7  cannot decrypt: this identity is not a recipient, or the data is damaged
  8  logged in, but the server's audit log no longer extends the entry this
     CLI saw at an earlier login: it was rewritten (see the warning)";

/// Reviewer CLI for Amanat: decrypt and triage reports on your own machine.
#[derive(Debug, Parser)]
#[command(name = "amanat", version, after_help = EXIT_CODES)]
pub struct Args {
    /// Proxy for all requests, e.g. socks5h://127.0.0.1:9050 for Tor.
    #[arg(long, global = true, env = "AMANAT_PROXY")]
    pub proxy: Option<String>,
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
    },
    /// End the session on the server and forget it here.
    Logout,
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
        #[arg(long)]
        json: bool,
    },
    /// A summary of the queue: counts per state and urgency, overdue reports.
    Queue {
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
pub enum AdminCommand {
    /// Manage reviewers on the running server.
    Reviewer {
        #[command(subcommand)]
        command: ReviewerCommand,
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

/// Exit codes (see `--help`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exit {
    General = 1,
    Usage = 2,
    NotLoggedIn = 3,
    NotFound = 4,
    Forbidden = 5,
    Unreachable = 6,
    Decrypt = 7,
    AuditRewritten = 8,
}

/// An error for the user, with its exit code.
#[derive(Debug)]
pub struct CliError {
    pub code: Exit,
    pub message: String,
}

impl CliError {
    pub fn new(code: Exit, message: impl Into<String>) -> CliError {
        CliError {
            code,
            message: message.into(),
        }
    }
    pub fn general(message: impl Into<String>) -> CliError {
        Self::new(Exit::General, message)
    }
    pub fn usage(message: impl Into<String>) -> CliError {
        Self::new(Exit::Usage, message)
    }
}

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
    let dir = session::config_dir().map_err(CliError::general)?;
    let proxy = args.proxy.as_deref();
    match args.command {
        Command::GenerateDocs { out } => {
            use clap::CommandFactory;
            for p in amanat_core::docgen::generate(Args::command(), &out)
                .map_err(|e| CliError::general(format!("{}: {e}", out.display())))?
            {
                println!("{}", p.display());
            }
            Ok(())
        }
        Command::Keygen { output, passphrase } => {
            let pass = if passphrase {
                Some(keys::passphrase("New passphrase", true).map_err(CliError::general)?)
            } else {
                None
            };
            let recipient = keys::keygen(&output, pass).map_err(CliError::general)?;
            eprintln!(
                "Identity written to {} (keep it private; it opens reports).\n\
                 Send only this recipient to your operator:",
                output.display()
            );
            println!("{recipient}");
            Ok(())
        }
        Command::Login {
            server,
            identity,
            ca_file,
        } => login(&dir, proxy, &server, &identity, ca_file),
        Command::Logout => {
            if let Some(saved) = session::load(&dir).map_err(CliError::general)? {
                let api = Api::new(&saved.server, proxy, saved.ca_file.as_deref())?
                    .with_token(&saved.token);
                // A session the server already forgot is still logged out.
                match api.post_empty("/api/v1/auth/logout") {
                    Ok(())
                    | Err(CliError {
                        code: Exit::NotLoggedIn,
                        ..
                    }) => {}
                    Err(e) => return Err(e),
                }
            }
            session::remove(&dir).map_err(CliError::general)?;
            eprintln!("Logged out.");
            Ok(())
        }
        Command::Whoami { json } => {
            let (api, _) = connect(&dir, proxy)?;
            let me: ReviewerInfo = api.get("/api/v1/whoami")?;
            if json {
                print_json(&me)
            } else {
                println!("{} ({}) roles: {}", me.name, me.id, roles(&me.roles));
                Ok(())
            }
        }
        Command::List {
            state,
            urgency,
            assignee,
            since,
            overdue,
            json,
        } => {
            let (api, saved) = connect(&dir, proxy)?;
            let list: ReportList = api.get("/api/v1/reports")?;
            let today = amanat_core::timeutil::Day::today();
            // The server sends the queue in order (most urgent, then
            // oldest, then id: docs/api.md); filtering keeps that order.
            let reports: Vec<ReportSummary> = list
                .reports
                .into_iter()
                .filter(|r| state.is_empty() || state.contains(&r.state))
                .filter(|r| urgency.is_empty() || urgency.contains(&r.urgency))
                .filter(|r| since.is_none_or(|d| r.received >= d))
                .filter(|r| match assignee.as_deref() {
                    None => true,
                    Some("none") => r.assignee.is_none(),
                    Some("me") => r.assignee.as_deref() == Some(saved.reviewer_id.as_str()),
                    Some(who) => {
                        r.assignee.as_deref() == Some(who)
                            || r.assignee_name.as_deref() == Some(who)
                    }
                })
                .filter(|r| !overdue || is_overdue(r, today))
                .collect();
            if json {
                let out: Vec<Json> = reports
                    .iter()
                    .map(|r| {
                        let mut v = serde_json::to_value(r).unwrap_or(Json::Null);
                        if let Some(o) = v.as_object_mut() {
                            o.insert("overdue".into(), Json::Bool(is_overdue(r, today)));
                        }
                        v
                    })
                    .collect();
                return print_json(&out);
            }
            if reports.is_empty() {
                println!("No reports.");
                return Ok(());
            }
            // The table is formatted into one string and written at once:
            // a queue of 100,000 reports prints in tens of milliseconds.
            // (Padding through `Formatter` writes its fill one character at
            // a time, cheap into a `String`, not through an `io::Write`.)
            use std::fmt::Write as _;
            use std::io::Write as _;
            let mut text = String::with_capacity(112 * (reports.len() + 1));
            let _ = writeln!(
                text,
                "{:<26}  {:<10}  {:<12}  {:<24}  {:<12}  {:<12}",
                "ID", "RECEIVED", "STATE", "URGENCY", "ANONYMITY", "ASSIGNEE"
            );
            let mut urgency = String::with_capacity(32);
            for r in &reports {
                urgency.clear();
                urgency.push_str(r.urgency.as_str());
                if !r.urgency_confirmed {
                    urgency.push_str(" (proposed)");
                }
                let _ = writeln!(
                    text,
                    "{:<26}  {:<10}  {:<12}  {:<24}  {:<12}  {:<12}{}",
                    r.id,
                    r.received,
                    r.state,
                    urgency,
                    r.anonymity,
                    safe(r.assignee_name.as_deref().unwrap_or("-")),
                    if is_overdue(r, today) {
                        "  OVERDUE"
                    } else {
                        ""
                    }
                );
            }
            let mut out = std::io::stdout().lock();
            let table = out.write_all(text.as_bytes()).and_then(|()| out.flush());
            match table {
                Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
                    Err(CliError::general(e.to_string()))
                }
                _ => Ok(()),
            }
        }
        Command::Queue { json } => queue(&dir, proxy, json),
        Command::Triage {
            id,
            state,
            reason,
            urgency,
            assign,
            tags,
            note,
            json,
        } => triage(
            &dir,
            proxy,
            &id,
            TriageRequest {
                state,
                reason,
                urgency,
                assign,
                note: None,
            },
            tags,
            note,
            json,
        ),
        Command::Export {
            profile,
            format,
            ids,
            all,
            out,
        } => run_export(&dir, proxy, profile, format, ids, all, out),
        Command::Audit {
            command: Some(AuditCommand::Anchors { out }),
            ..
        } => export_anchors(&dir, out),
        Command::Audit {
            json,
            against,
            command: None,
        } => {
            let mut anchors = Vec::new();
            for path in &against {
                let text = std::fs::read_to_string(path).map_err(|e| {
                    CliError::general(format!("cannot read {}: {e}", path.display()))
                })?;
                let file = amanat_core::audit::AnchorFile::parse(&text)
                    .map_err(|e| CliError::usage(format!("{}: {e}", path.display())))?;
                anchors.extend(file.anchors);
            }
            let (api, _) = connect(&dir, proxy)?;
            let log: AuditLog = api.get("/api/v1/audit")?;
            // Recomputed here: the server's own verdict is not trusted.
            let against_result = amanat_core::audit::verify_against(&log.entries, &anchors);
            if json {
                print_json(&log)?;
                return against_result
                    .map_err(|e| CliError::general(format!("AUDIT CHAIN REWRITTEN: {e}")));
            }
            for e in &log.entries {
                println!(
                    "{:>6}  {}  {:<22}  {:<26}  {}  {}",
                    e.seq,
                    e.day,
                    serde_json::to_value(e.event.action)
                        .ok()
                        .and_then(|v| v.as_str().map(String::from))
                        .unwrap_or_default(),
                    e.event.actor,
                    e.event.report.as_deref().unwrap_or("-"),
                    safe(e.event.detail.as_deref().unwrap_or(""))
                );
            }
            if let Some(p) = log.broken {
                return Err(CliError::general(format!("AUDIT CHAIN BROKEN: {p}")));
            }
            if let Err(e) = against_result {
                return Err(CliError::general(format!("AUDIT CHAIN REWRITTEN: {e}")));
            }
            if anchors.is_empty() {
                println!("Audit chain intact: {} entries.", log.entries.len());
            } else {
                println!(
                    "Audit chain intact: {} entries, extending all {} anchor(s).",
                    log.entries.len(),
                    anchors.len()
                );
            }
            Ok(())
        }
        Command::Show { id, json } => show(&dir, proxy, &id, json),
        Command::Reply { id, message, json } => reply(&dir, proxy, &id, message, json),
        Command::Download { id, out, json } => download(&dir, proxy, &id, &out, json),
        Command::Admin {
            command: AdminCommand::Reviewer { command },
        } => {
            let (api, saved) = connect(&dir, proxy)?;
            match command {
                ReviewerCommand::Add {
                    name,
                    recipient,
                    roles: r,
                    json,
                } => {
                    let answer: Json = api.post(
                        "/api/v1/reviewers",
                        &AddReviewerRequest {
                            name,
                            recipient,
                            roles: r,
                        },
                    )?;
                    if json {
                        return print_json(&answer);
                    }
                    let unexpected =
                        |e| CliError::general(format!("unexpected answer from the server: {e}"));
                    if answer.get("requested_by").is_some() {
                        let g: PendingGrantInfo =
                            serde_json::from_value(answer).map_err(unexpected)?;
                        println!(
                            "Pending: {} with roles {} needs a second admin's approval.\n\
                             Another admin runs: amanat admin reviewer approve {}\n\
                             (or the operator enrols them on the server with `amanatd reviewer add`).",
                            safe(&g.name),
                            roles(&g.roles),
                            g.id
                        );
                        return Ok(());
                    }
                    let added: ReviewerInfo = serde_json::from_value(answer).map_err(unexpected)?;
                    repin(&dir, &saved.server, &added, true)?;
                    println!(
                        "Added {} ({}) with roles {}",
                        safe(&added.name),
                        added.id,
                        roles(&added.roles)
                    );
                    Ok(())
                }
                ReviewerCommand::Pending { json } => {
                    let list: Vec<PendingGrantInfo> = api.get("/api/v1/reviewers/pending")?;
                    if json {
                        return print_json(&list);
                    }
                    if list.is_empty() {
                        println!("No pending grants.");
                    }
                    for g in &list {
                        println!(
                            "{}  {}  {}  asked by {} on {}  {}",
                            safe(&g.id),
                            safe(&g.name),
                            roles(&g.roles),
                            safe(&g.requested_by),
                            g.day,
                            safe(&g.recipient)
                        );
                    }
                    Ok(())
                }
                ReviewerCommand::Approve { grant, json } => {
                    let path = format!("/api/v1/reviewers/pending/{}/approve", url_segment(&grant));
                    let added: ReviewerInfo = api.post(&path, &serde_json::json!({}))?;
                    repin(&dir, &saved.server, &added, true)?;
                    if json {
                        return print_json(&added);
                    }
                    println!(
                        "Approved: {} ({}) is enrolled with roles {}",
                        safe(&added.name),
                        added.id,
                        roles(&added.roles)
                    );
                    Ok(())
                }
                ReviewerCommand::Cancel { grant } => {
                    let path = format!("/api/v1/reviewers/pending/{}", url_segment(&grant));
                    let g: PendingGrantInfo = api.delete(&path)?;
                    println!("Withdrew the pending grant for {}", safe(&g.name));
                    Ok(())
                }
                ReviewerCommand::List { json } => {
                    let list: Vec<ReviewerInfo> = api.get("/api/v1/reviewers")?;
                    if json {
                        return print_json(&list);
                    }
                    print_reviewers(&list);
                    Ok(())
                }
                ReviewerCommand::Remove { reviewer } => {
                    let path = format!("/api/v1/reviewers/{}", url_segment(&reviewer));
                    let removed: ReviewerInfo = api.delete(&path)?;
                    repin(&dir, &saved.server, &removed, false)?;
                    println!("Removed {} ({})", removed.name, removed.id);
                    Ok(())
                }
            }
        }
    }
}

fn login(
    dir: &std::path::Path,
    proxy: Option<&str>,
    server: &str,
    identity_path: &std::path::Path,
    ca_file: Option<PathBuf>,
) -> Result<(), CliError> {
    let id = keys::load(identity_path).map_err(CliError::general)?;
    let api = Api::new(server, proxy, ca_file.as_deref())?;
    let ch: ChallengeResponse = api.post(
        "/api/v1/auth/challenge",
        &ChallengeRequest {
            recipient: id.recipient.clone(),
        },
    )?;
    let ct = BASE64
        .decode(ch.challenge.as_bytes())
        .map_err(|_| CliError::general("the server sent a malformed challenge"))?;
    let nonce = envelope::open(&ct, &[&id.identity]).map_err(|_| {
        CliError::new(
            Exit::NotLoggedIn,
            "login refused: this identity is not enrolled on the server (ask the operator to run \
             `amanatd reviewer add` with your recipient)",
        )
    })?;
    let nonce = Zeroizing::new(
        String::from_utf8(nonce.to_vec()).map_err(|_| CliError::general("malformed challenge"))?,
    );
    let session: SessionResponse = api.post(
        "/api/v1/auth/verify",
        &VerifyRequest {
            challenge_id: ch.challenge_id,
            response: nonce.to_string(),
        },
    )?;
    let identity =
        std::fs::canonicalize(identity_path).unwrap_or_else(|_| identity_path.to_path_buf());
    session::save(
        dir,
        &session::Saved {
            server: server.trim_end_matches('/').to_string(),
            token: session.token.clone(),
            reviewer_id: session.reviewer.id.clone(),
            reviewer_name: session.reviewer.name.clone(),
            identity,
            ca_file,
        },
    )
    .map_err(CliError::general)?;
    eprintln!(
        "Logged in as {} (roles: {}). The session ends after {} minutes idle or {} hours.",
        session.reviewer.name,
        roles(&session.reviewer.roles),
        session.idle_secs / 60,
        session.max_secs / 3600
    );
    let server = server.trim_end_matches('/');
    let api = api.with_token(&session.token);
    if session.reviewer.roles.contains(&Role::Triage) {
        let r: Recipients = api.get("/api/v1/recipients")?;
        pin_recipients(dir, server, &r)?;
    }
    anchor_audit(dir, &api, server, &session.reviewer.id)
}

/// Compares the recipient sets with those pinned at the last login, warns
/// loudly (who was added, who removed) when they changed, and pins them.
fn pin_recipients(dir: &std::path::Path, server: &str, r: &Recipients) -> Result<(), CliError> {
    let mut pins: session::Pins =
        session::load_state(dir, session::PINS_FILE).map_err(CliError::general)?;
    let now = pin_of(r);
    if let Some(old) = pins.get(server) {
        let mut lines = Vec::new();
        for (what, before, after) in [
            ("triage", &old.triage, &now.triage),
            ("identity", &old.identity, &now.identity),
        ] {
            lines.extend(set_changes(what, before, after, &now.names, &old.names));
        }
        if !lines.is_empty() {
            eprintln!(
                "\nWARNING: WHO RECEIVES REPORTS ON THIS SERVER CHANGED since your last login:\n{}\n\
                 Reports, identities and your replies are now encrypted to this new set. If you do \
                 not know why, stop and ask the other admins and the operator.\n",
                lines.join("\n")
            );
        }
    }
    pins.insert(server.to_string(), now);
    session::save_state(dir, session::PINS_FILE, &pins).map_err(CliError::general)
}

/// Updates the pinned sets for a change this reviewer made themselves (an
/// enrolment, approval or removal through this CLI): it needs no warning.
fn repin(
    dir: &std::path::Path,
    server: &str,
    r: &ReviewerInfo,
    added: bool,
) -> Result<(), CliError> {
    let mut pins: session::Pins =
        session::load_state(dir, session::PINS_FILE).map_err(CliError::general)?;
    let Some(pin) = pins.get_mut(server) else {
        return Ok(());
    };
    for (role, set) in [
        (Role::Triage, &mut pin.triage),
        (Role::Identity, &mut pin.identity),
    ] {
        set.retain(|x| x != &r.recipient);
        if added && r.roles.contains(&role) {
            set.push(r.recipient.clone());
            set.sort();
        }
    }
    if added {
        pin.names.insert(r.recipient.clone(), r.name.clone());
    }
    session::save_state(dir, session::PINS_FILE, &pins).map_err(CliError::general)
}

/// The pin of a recipient listing: sorted sets, names by recipient.
fn pin_of(r: &Recipients) -> session::Pin {
    let sorted = |v: &[String]| {
        let mut v = v.to_vec();
        v.sort();
        v.dedup();
        v
    };
    session::Pin {
        triage: sorted(&r.triage),
        identity: sorted(&r.identity),
        names: r.names.iter().cloned().collect(),
    }
}

/// `  identity: added age1… (name)` lines for what differs between two sets.
fn set_changes(
    what: &str,
    before: &[String],
    after: &[String],
    names: &std::collections::BTreeMap<String, String>,
    old_names: &std::collections::BTreeMap<String, String>,
) -> Vec<String> {
    let name = |r: &String| {
        names
            .get(r)
            .or_else(|| old_names.get(r))
            .map(|n| format!(" ({})", safe(n)))
            .unwrap_or_default()
    };
    let mut lines = Vec::new();
    for r in after.iter().filter(|r| !before.contains(r)) {
        lines.push(format!("  {what} recipients: ADDED   {r}{}", name(r)));
    }
    for r in before.iter().filter(|r| !after.contains(r)) {
        lines.push(format!("  {what} recipients: removed {r}{}", name(r)));
    }
    lines
}

/// Refuses to encrypt to a triage set other than the one pinned at login:
/// the reviewer must see the change (`amanat login` shows it) first.
fn check_triage_pin(
    dir: &std::path::Path,
    server: &str,
    triage: &[String],
    names: &[(String, String)],
) -> Result<(), CliError> {
    let pins: session::Pins =
        session::load_state(dir, session::PINS_FILE).map_err(CliError::general)?;
    let Some(pin) = pins.get(server) else {
        return Ok(());
    };
    let mut now = triage.to_vec();
    now.sort();
    now.dedup();
    let names = names.iter().cloned().collect();
    let lines = set_changes("triage", &pin.triage, &now, &names, &pin.names);
    if lines.is_empty() {
        return Ok(());
    }
    Err(CliError::general(format!(
        "WARNING: THE TRIAGE RECIPIENTS CHANGED since your last login:\n{}\n\
         Nothing was encrypted or sent. Run `amanat login` again to see the change and accept it.",
        lines.join("\n")
    )))
}

/// Checks that the server's audit chain extends the head this CLI saw at its
/// last login (recomputing every hash from that entry on), acknowledges the
/// new head (`head_seen`) and records it. A chain that no longer extends the
/// anchor gets a loud warning, keeps the old anchor, and exit code 8.
fn anchor_audit(
    dir: &std::path::Path,
    api: &Api,
    server: &str,
    reviewer: &str,
) -> Result<(), CliError> {
    use amanat_core::audit::{Anchor, ExportedAnchor};
    let mut anchors: session::Anchors =
        session::load_state(dir, session::ANCHORS_FILE).map_err(CliError::general)?;
    let previous = anchors.get(server).cloned();
    let start = match &previous {
        Some(a) => Anchor {
            seq: a.seq,
            hash: a.hash.clone(),
        },
        None => {
            // First login from this CLI: trust the head as it is now.
            let c: AuditChain = api.get("/api/v1/audit/chain")?;
            match c.head {
                Some(h) => h,
                None => return Ok(()),
            }
        }
    };
    let at = match follow_chain(api, start.clone())? {
        Ok(head) => head,
        Err(e) => {
            let (seq, hash, day) = previous
                .as_ref()
                .map(|a| (a.seq, a.hash.clone(), a.day.to_string()))
                .unwrap_or((start.seq, start.hash, "this login".into()));
            eprintln!(
                "\nWARNING: THE SERVER'S AUDIT LOG WAS REWRITTEN.\n\
                 On {day} this CLI saw entry {seq} with hash {hash}; the server's log no \
                 longer extends it ({e}).\n\
                 Someone with control of the server changed or removed audit entries. Keep \
                 {} (export it with `amanat audit anchors`), tell the other reviewers, and \
                 have the operator run `amanatd audit verify --against` with everyone's \
                 anchors.\n",
                dir.join(session::ANCHORS_FILE).display()
            );
            return Err(CliError::new(
                Exit::AuditRewritten,
                "logged in, but the server's audit log no longer extends what this CLI saw \
                 (see the warning above); your old anchor is kept",
            ));
        }
    };
    // Acknowledge the head, then anchor past the acknowledgement itself, so
    // removing it (the newest entry) is noticed too.
    api.post_empty_json("/api/v1/audit/head-seen", &at)?;
    let at = follow_chain(api, at.clone())?.unwrap_or(at);
    anchors.insert(
        server.to_string(),
        ExportedAnchor {
            server: server.to_string(),
            reviewer: reviewer.to_string(),
            seq: at.seq,
            hash: at.hash,
            day: amanat_core::timeutil::Day::today(),
        },
    );
    session::save_state(dir, session::ANCHORS_FILE, &anchors).map_err(CliError::general)
}

/// Follows the server's chain from `at` (whose entry must be unchanged) to
/// its head, recomputing every hash, page by page. The outer error is the
/// transport's; the inner one says where the chain stops extending `at`.
fn follow_chain(
    api: &Api,
    mut at: amanat_core::audit::Anchor,
) -> Result<Result<amanat_core::audit::Anchor, amanat_core::audit::ChainError>, CliError> {
    loop {
        let page: AuditChain = api.get(&format!("/api/v1/audit/chain?from={}", at.seq))?;
        match amanat_core::audit::extends(&at, &page.entries) {
            // Each full page ends at least one entry further: this ends.
            Ok(next) if page.entries.len() >= AUDIT_PAGE && next.seq > at.seq => at = next,
            Ok(next) => return Ok(Ok(next)),
            Err(e) => return Ok(Err(e)),
        }
    }
}

/// `amanat audit anchors`: the anchors as an anchor file.
fn export_anchors(dir: &std::path::Path, out: Option<PathBuf>) -> Result<(), CliError> {
    let anchors: session::Anchors =
        session::load_state(dir, session::ANCHORS_FILE).map_err(CliError::general)?;
    let file = amanat_core::audit::AnchorFile {
        format: amanat_core::audit::ANCHOR_FORMAT.into(),
        anchors: anchors.into_values().collect(),
    };
    let text = serde_json::to_string_pretty(&file).map_err(|e| CliError::general(e.to_string()))?;
    match out {
        None => println!("{text}"),
        Some(path) => write_new_file(&path, text.as_bytes())?,
    }
    Ok(())
}

/// Creates `path` with mode 0600, refusing to overwrite, and syncs it.
fn write_new_file(path: &std::path::Path, bytes: &[u8]) -> Result<(), CliError> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .map_err(|e| {
            CliError::general(format!(
                "cannot create {} (it must not exist yet): {e}",
                path.display()
            ))
        })?;
    f.write_all(bytes)
        .and_then(|_| f.sync_all())
        .map_err(|e| CliError::general(format!("cannot write {}: {e}", path.display())))
}

/// The consent flags the source withdrew through the follow-up channel.
/// Fails closed: a withdrawal this identity cannot decrypt, or cannot read,
/// may withdraw any consent, so it stops whatever needed consent.
fn withdrawals(o: &Opened) -> Result<Vec<String>, CliError> {
    let id = &o.detail.report.id;
    let mut withdrawn = Vec::new();
    for (kind, day, rec) in &o.thread {
        if *kind != EnvelopeKind::Withdrawal {
            continue;
        }
        let flags = rec
            .as_ref()
            .and_then(|r| r.get("withdraw"))
            .and_then(Json::as_array)
            .ok_or_else(|| {
                CliError::new(
                    Exit::Decrypt,
                    format!(
                        "the source of report {id} withdrew consent on {day}, and that \
                         withdrawal cannot be read with your key ({}); it may withdraw any \
                         consent, so nothing was done. A reviewer who was enrolled then can \
                         read it with `amanat show {id}`",
                        o.saved.identity.display()
                    ),
                )
            })?;
        withdrawn.extend(flags.iter().filter_map(Json::as_str).map(String::from));
    }
    Ok(withdrawn)
}

fn connect(dir: &std::path::Path, proxy: Option<&str>) -> Result<(Api, session::Saved), CliError> {
    let saved = session::load(dir)
        .map_err(CliError::general)?
        .ok_or_else(|| CliError::new(Exit::NotLoggedIn, "not logged in; run `amanat login`"))?;
    let api = Api::new(&saved.server, proxy, saved.ca_file.as_deref())?.with_token(&saved.token);
    Ok((api, saved))
}

/// A report fetched and decrypted.
struct Opened {
    detail: ReportDetail,
    report: Json,
    identity: Option<Json>,
    /// Follow-up messages and replies in order: kind, day, decrypted record.
    thread: Vec<(EnvelopeKind, amanat_core::timeutil::Day, Option<Json>)>,
    saved: session::Saved,
    api: Api,
}

fn open_report(dir: &std::path::Path, proxy: Option<&str>, id: &str) -> Result<Opened, CliError> {
    if !amanat_core::crypto::random::is_id(id) {
        return Err(CliError::new(
            Exit::NotFound,
            format!("{id:?} is not a report id (26 letters and digits, as shown by `amanat list`)"),
        ));
    }
    let (api, saved) = connect(dir, proxy)?;
    let detail: ReportDetail = api.get(&format!("/api/v1/reports/{id}")).map_err(|e| {
        if e.code == Exit::NotFound {
            CliError::new(Exit::NotFound, format!("no report with id {id}"))
        } else {
            e
        }
    })?;
    let identity = keys::load(&saved.identity).map_err(CliError::general)?;
    let decrypt = |e: &EnvelopeData| -> Result<Json, CliError> {
        let ct = BASE64
            .decode(e.ciphertext.as_bytes())
            .map_err(|_| CliError::general("the server sent malformed ciphertext"))?;
        let plain = envelope::open(&ct, &[&identity.identity]).map_err(|_| {
            CliError::new(
                Exit::Decrypt,
                format!(
                    "cannot decrypt the {:?} envelope of report {id} with {}: it was not encrypted to this identity",
                    e.kind,
                    saved.identity.display()
                ),
            )
        })?;
        serde_json::from_slice(&plain)
            .map_err(|_| CliError::new(Exit::Decrypt, "the decrypted data is malformed"))
    };
    let mut report = None;
    let mut ident = None;
    let mut thread = Vec::new();
    for e in &detail.envelopes {
        match e.kind {
            EnvelopeKind::Report => report = Some(decrypt(e)?),
            EnvelopeKind::Identity => ident = Some(decrypt(e)?),
            // A message or reply made before this reviewer was enrolled is
            // not encrypted to them: show that, do not fail the whole thread.
            EnvelopeKind::Message
            | EnvelopeKind::Reply
            | EnvelopeKind::Note
            | EnvelopeKind::Withdrawal => thread.push((e.kind, e.day, decrypt(e).ok())),
        }
    }
    let report = report.ok_or_else(|| CliError::general("this report has no report envelope"))?;
    Ok(Opened {
        detail,
        report,
        identity: ident,
        thread,
        saved,
        api,
    })
}

fn show(dir: &std::path::Path, proxy: Option<&str>, id: &str, json: bool) -> Result<(), CliError> {
    let o = open_report(dir, proxy, id)?;
    let q: QuestionnaireView = o.api.get("/api/v1/questionnaire")?;
    let (detail, report, ident) = (&o.detail, &o.report, &o.identity);
    if json {
        let thread: Vec<Json> = o
            .thread
            .iter()
            .map(|(kind, day, rec)| {
                serde_json::json!({
                    "kind": kind,
                    "day": day,
                    "text": rec.as_ref().and_then(|r| r.get("text")),
                    "tags": rec.as_ref().and_then(|r| r.get("tags")),
                    "withdraw": rec.as_ref().and_then(|r| r.get("withdraw")),
                    "lang": rec.as_ref().and_then(|r| r.get("lang")),
                    "attachments": rec.as_ref().and_then(|r| r.get("attachments")),
                    "decrypted": rec.is_some(),
                })
            })
            .collect();
        let out = serde_json::json!({
            "schema": amanat_core::model::REPORT_SCHEMA,
            "id": detail.report.id,
            "received": detail.report.received,
            "state": detail.report.state,
            "urgency": detail.report.urgency,
            "urgency_confirmed": detail.report.urgency_confirmed,
            "anonymity": detail.report.anonymity,
            "lang": report.get("lang"),
            "questionnaire": report.get("questionnaire"),
            "answers": report.get("answers"),
            "identity": ident.as_ref().and_then(|i| i.get("answers")),
            "identity_withheld": detail.identity_withheld,
            "attachments": report.get("attachments"),
            "thread": thread,
        });
        return print_json(&out);
    }
    let r = &detail.report;
    println!("Report {}", r.id);
    println!(
        "Received {}  ·  state {}  ·  urgency {}{}  ·  {}",
        r.received,
        r.state,
        r.urgency,
        if r.urgency_confirmed {
            ""
        } else {
            " (proposed)"
        },
        r.anonymity
    );
    if let Some(lang) = report.get("lang").and_then(Json::as_str) {
        let name = amanat_core::languages::by_code(lang)
            .map(|l| l.native)
            .unwrap_or(lang);
        println!(
            "Written in: {} ({lang}) — reply in this language",
            safe(name)
        );
    }
    println!();
    let answers = report.get("answers").cloned().unwrap_or(Json::Null);
    print_answers(&q, &answers);
    println!();
    match (ident, detail.identity_withheld, r.anonymity) {
        (Some(i), _, _) => {
            println!("Identity ({}):", r.anonymity);
            print_answers(&q, i.get("answers").unwrap_or(&Json::Null));
        }
        (None, true, a) => println!("Identity withheld ({a}): it needs the identity role."),
        (None, false, amanat_core::model::Anonymity::Anonymous) => {
            println!("Identity: anonymous report.")
        }
        (None, false, _) => println!("Identity: none given."),
    }
    let files = attachments(report);
    if !files.is_empty() {
        println!();
        println!("Attachments (`amanat download {}` saves them):", r.id);
        print_attachments(&files);
    }
    if !o.thread.is_empty() {
        println!();
        println!("Thread:");
        for (kind, day, rec) in &o.thread {
            let who = match kind {
                EnvelopeKind::Message => "Message from the source".to_string(),
                EnvelopeKind::Note => {
                    let get = |k: &str| rec.as_ref().and_then(|r| r.get(k));
                    let by = get("reviewer").and_then(Json::as_str).unwrap_or("?");
                    let tags: Vec<&str> = get("tags")
                        .and_then(Json::as_array)
                        .map(|a| a.iter().filter_map(Json::as_str).collect())
                        .unwrap_or_default();
                    if tags.is_empty() {
                        format!("Note by {}", safe(by))
                    } else {
                        format!("Note by {} [tags: {}]", safe(by), safe(&tags.join(", ")))
                    }
                }
                EnvelopeKind::Withdrawal => "CONSENT WITHDRAWN by the source".to_string(),
                _ => "Reply".to_string(),
            };
            let text = rec.as_ref().and_then(|r| {
                r.get("text")
                    .and_then(Json::as_str)
                    .map(String::from)
                    .or_else(|| {
                        r.get("withdraw").and_then(Json::as_array).map(|a| {
                            a.iter()
                                .filter_map(Json::as_str)
                                .collect::<Vec<_>>()
                                .join(", ")
                        })
                    })
            });
            match text.as_deref() {
                Some(text) => {
                    println!("--- {who}, {day}");
                    for line in safe(text).lines() {
                        println!("    {line}");
                    }
                }
                None => println!("--- {who}, {day}: not encrypted to your key"),
            }
            let files = rec.as_ref().map(attachments).unwrap_or_default();
            if !files.is_empty() {
                println!("    Attached (`amanat download {}` saves them):", r.id);
                print_attachments(&files);
            }
        }
    }
    Ok(())
}

fn reply(
    dir: &std::path::Path,
    proxy: Option<&str>,
    id: &str,
    message: Option<String>,
    json: bool,
) -> Result<(), CliError> {
    let o = open_report(dir, proxy, id)?;
    let consent = o
        .report
        .get("answers")
        .and_then(|a| a.get("consent_contact_back"))
        .and_then(Json::as_bool)
        .unwrap_or(false);
    if withdrawals(&o)?.iter().any(|f| f == "consent_contact_back") {
        return Err(CliError::general(format!(
            "the source of report {id} withdrew their consent to be contacted back \
             (consent_contact_back); a reply is not allowed and nothing was sent"
        )));
    }
    if !consent {
        return Err(CliError::general(format!(
            "the source of report {id} did not agree to be contacted back (consent_contact_back is no); \
             a reply is not allowed"
        )));
    }
    if o.detail.reply_recipients.is_empty() {
        return Err(CliError::general(format!(
            "report {id} has no follow-up channel"
        )));
    }
    let text = Zeroizing::new(match message {
        Some(m) => m,
        None => read_reply_text()?,
    });
    let text = amanat_core::model::answers::normalize_text(&text, true)
        .ok_or_else(|| CliError::usage("the reply contains control characters"))?;
    if text.is_empty() {
        return Err(CliError::usage("the reply is empty; nothing was sent"));
    }
    let record = Zeroizing::new(
        serde_json::to_vec(&serde_json::json!({
            "schema": "amanat.reply/1",
            "text": text,
            "reviewer": o.saved.reviewer_name,
        }))
        .map_err(|e| CliError::general(e.to_string()))?,
    );
    check_triage_pin(
        dir,
        &o.saved.server,
        o.detail.reply_recipients.get(1..).unwrap_or_default(),
        &[],
    )?;
    let recipients = envelope::parse_recipients(&o.detail.reply_recipients)
        .map_err(|_| CliError::general("the server sent an invalid recipient"))?;
    let ct = envelope::seal(&record, &recipients).map_err(|e| CliError::general(e.to_string()))?;
    let created: ReplyCreated = o.api.post(
        &format!("/api/v1/reports/{id}/replies"),
        &ReplyRequest {
            ciphertext: BASE64.encode(&ct),
        },
    )?;
    if json {
        return print_json(&created);
    }
    println!(
        "Reply sent ({}). The source will see it when they log in with their codename.",
        created.id
    );
    Ok(())
}

/// One line per attachment: safe name, type, size, what was removed.
fn print_attachments(files: &[amanat_core::records::AttachmentManifest]) {
    for m in files {
        let what = match m.result {
            CleanResult::Cleaned => format!("cleaned: removed {}", m.removed.join(", ")),
            CleanResult::NothingFound => "cleaned: nothing identifying found".to_string(),
            CleanResult::KeptOriginal => {
                "NOT cleaned: the source kept the original metadata".to_string()
            }
            CleanResult::NotCleanable => "NOT cleaned: this type cannot be cleaned".to_string(),
        };
        println!(
            "  {}  ({}, {})  {what}",
            safe(&amanat_core::filename::clean_filename(&m.name)),
            m.media_type,
            amanat_core::human_bytes(m.size)
        );
    }
}

/// Every attachment of a report: those sent with it, then those sent with
/// the source's follow-up messages, oldest first.
fn all_attachments(o: &Opened) -> Vec<amanat_core::records::AttachmentManifest> {
    let mut files = attachments(&o.report);
    for (kind, _, rec) in &o.thread {
        if *kind == EnvelopeKind::Message
            && let Some(rec) = rec
        {
            files.extend(attachments(rec));
        }
    }
    files
}

/// The attachment manifests of a decrypted report or message. Anything
/// malformed reads as "no attachments": the record itself is still shown.
pub(crate) fn attachments(report: &Json) -> Vec<amanat_core::records::AttachmentManifest> {
    report
        .get("attachments")
        .cloned()
        .and_then(|a| serde_json::from_value(a).ok())
        .unwrap_or_default()
}

fn download(
    dir: &std::path::Path,
    proxy: Option<&str>,
    id: &str,
    out: &std::path::Path,
    json: bool,
) -> Result<(), CliError> {
    use std::io::IsTerminal;
    use std::os::unix::fs::DirBuilderExt;
    let o = open_report(dir, proxy, id)?;
    let files = all_attachments(&o);
    if files.is_empty() {
        if json {
            return print_json(&Vec::<Json>::new());
        }
        println!("Report {id} has no attachments.");
        return Ok(());
    }
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(out)
        .map_err(|e| CliError::general(format!("cannot create {}: {e}", out.display())))?;
    let identity = keys::load(&o.saved.identity).map_err(CliError::general)?;
    let show_progress = !json && std::io::stderr().is_terminal();
    let mut written = Vec::new();
    for m in &files {
        if !amanat_core::crypto::random::is_id(&m.blob) {
            return Err(CliError::general(
                "the manifest names a malformed attachment id",
            ));
        }
        let resp = o
            .api
            .get_stream(&format!("/api/v1/reports/{id}/blobs/{}", m.blob))?;
        let bar = if show_progress {
            let b = indicatif::ProgressBar::new(m.size);
            if let Ok(style) = indicatif::ProgressStyle::with_template(
                "{msg} [{bar:30}] {bytes}/{total_bytes} {bytes_per_sec}",
            ) {
                b.set_style(style);
            }
            b.set_message(safe(&amanat_core::filename::clean_filename(&m.name)));
            b
        } else {
            indicatif::ProgressBar::hidden()
        };
        let path = save_attachment(resp, &identity.identity, m, out, &bar)?;
        bar.finish_and_clear();
        written.push((m, path));
    }
    // On stderr in both modes: it is for the person, not for scripts.
    eprintln!("{}", open_offline_note(written.iter().map(|(m, _)| *m)));
    if json {
        let list: Vec<Json> = written
            .iter()
            .map(|(m, p)| {
                serde_json::json!({
                    "name": m.name, "path": p, "size": m.size, "sha256": m.sha256,
                    "media_type": m.media_type, "result": m.result, "removed": m.removed,
                })
            })
            .collect();
        return print_json(&list);
    }
    for (m, p) in &written {
        println!(
            "{}  ({}, verified)",
            p.display(),
            amanat_core::human_bytes(m.size)
        );
    }
    Ok(())
}

/// What a reviewer is told after every download: files from sources are
/// hostile until shown otherwise. The server removes the links, actions and
/// scripts it knows of (docs/reviewers.md), but a reader or viewer that
/// fetches anything from the network reveals the reviewer's address and the
/// time the file was opened to whoever planted it. Files the source sent as
/// they are were not cleaned at all, and are named.
fn open_offline_note<'a>(
    files: impl Iterator<Item = &'a amanat_core::records::AttachmentManifest>,
) -> String {
    let mut note = String::from(
        "Open these files on a machine without a network connection, or in a disposable \
         virtual machine with its network off. A hostile source can make a document, PDF or \
         media file contact an address of their choosing when it is opened, revealing your \
         address and when you opened it. Amanat removes the links and actions it knows of, not \
         every way a file can do this (docs/reviewers.md).",
    );
    for m in files.filter(|m| m.result.is_as_sent()) {
        note.push_str(&format!(
            "\nNOT cleaned: {} was stored as the source sent it; treat it with extra care.",
            safe(&m.name)
        ));
    }
    note
}

/// Decrypts one attachment stream into a 0600 file, verifying size and hash;
/// returns the final path. Nothing is left behind on failure.
fn save_attachment(
    resp: reqwest::blocking::Response,
    identity: &age::x25519::Identity,
    m: &amanat_core::records::AttachmentManifest,
    out: &std::path::Path,
    bar: &indicatif::ProgressBar,
) -> Result<PathBuf, CliError> {
    use sha2::Digest;
    use std::io::{Read, Write};
    let fail = |what: String| CliError::new(Exit::Decrypt, what);
    let dec = age::Decryptor::new(std::io::BufReader::new(resp))
        .map_err(|_| fail(format!("attachment {} is not valid age ciphertext", m.blob)))?;
    let mut reader = dec
        .decrypt(std::iter::once(identity as &dyn age::Identity))
        .map_err(|_| {
            fail(format!(
                "attachment {} was not encrypted to this identity",
                m.blob
            ))
        })?;
    let mut tmp = tempfile::Builder::new()
        .prefix(".amanat-download-")
        .tempfile_in(out)
        .map_err(|e| CliError::general(format!("cannot write in {}: {e}", out.display())))?;
    let mut sha = sha2::Sha256::new();
    let mut left = m.size;
    let mut buf = vec![0u8; 256 * 1024];
    while left > 0 {
        let want = buf.len().min(usize::try_from(left).unwrap_or(buf.len()));
        let n = reader.read(&mut buf[..want]).map_err(|_| {
            fail(format!(
                "attachment {} is damaged (decryption failed)",
                m.blob
            ))
        })?;
        if n == 0 {
            return Err(fail(format!(
                "attachment {} is shorter than its manifest says",
                m.blob
            )));
        }
        sha.update(&buf[..n]);
        tmp.write_all(&buf[..n])
            .map_err(|e| CliError::general(format!("cannot write: {e}")))?;
        left -= n as u64;
        bar.inc(n as u64);
    }
    // The rest is padding; reading it to the end also authenticates it.
    std::io::copy(&mut reader, &mut std::io::sink()).map_err(|_| {
        fail(format!(
            "attachment {} is damaged (decryption failed)",
            m.blob
        ))
    })?;
    let digest = data_encoding::HEXLOWER.encode(&sha.finalize());
    if !amanat_core::crypto::ct_eq(digest.as_bytes(), m.sha256.as_bytes()) {
        return Err(fail(format!(
            "attachment {} does not match its SHA-256; it was not saved",
            m.blob
        )));
    }
    tmp.as_file()
        .sync_all()
        .map_err(|e| CliError::general(format!("cannot write: {e}")))?;
    for n in 1..1000 {
        let candidate = out.join(saved_name(&m.name, n));
        match tmp.persist_noclobber(&candidate) {
            Ok(_) => return Ok(candidate),
            Err(e) if e.error.kind() == std::io::ErrorKind::AlreadyExists => tmp = e.file,
            Err(e) => {
                return Err(CliError::general(format!(
                    "cannot save {}: {}",
                    candidate.display(),
                    e.error
                )));
            }
        }
    }
    Err(CliError::general(
        "too many files with the same name in the output directory",
    ))
}

/// The name under which an attachment is saved: the manifest's name made
/// safe, then `name (2).ext`, `name (3).ext`… when `n` > 1. Always a single
/// plain path component, whatever the manifest says.
pub(crate) fn saved_name(manifest_name: &str, n: u32) -> String {
    let name = amanat_core::filename::clean_filename(manifest_name);
    if n <= 1 {
        return name;
    }
    let (stem, ext) = match name.rfind('.') {
        Some(i) if i > 0 => (&name[..i], &name[i..]),
        _ => (name.as_str(), ""),
    };
    format!("{stem} ({n}){ext}")
}

fn is_overdue(r: &ReportSummary, today: amanat_core::timeutil::Day) -> bool {
    amanat_core::model::triage::overdue(r.urgency, r.state, r.received, today)
}

fn queue(dir: &std::path::Path, proxy: Option<&str>, json: bool) -> Result<(), CliError> {
    let (api, _) = connect(dir, proxy)?;
    let list: ReportList = api.get("/api/v1/reports")?;
    let today = amanat_core::timeutil::Day::today();
    let mut by_state: std::collections::BTreeMap<String, usize> = Default::default();
    let mut by_urgency: std::collections::BTreeMap<String, usize> = Default::default();
    for r in &list.reports {
        *by_state.entry(r.state.to_string()).or_default() += 1;
        if r.state != amanat_core::model::State::Closed {
            *by_urgency.entry(r.urgency.to_string()).or_default() += 1;
        }
    }
    let overdue: Vec<&ReportSummary> = list
        .reports
        .iter()
        .filter(|r| is_overdue(r, today))
        .collect();
    let unassigned_critical = list
        .reports
        .iter()
        .filter(|r| {
            r.urgency == amanat_core::model::Urgency::Critical
                && r.assignee.is_none()
                && r.state != amanat_core::model::State::Closed
        })
        .count();
    if json {
        return print_json(&serde_json::json!({
            "total": list.reports.len(),
            "by_state": by_state,
            "open_by_urgency": by_urgency,
            "unassigned_critical": unassigned_critical,
            "overdue": overdue.iter().map(|r| &r.id).collect::<Vec<_>>(),
        }));
    }
    println!("{} report(s).", list.reports.len());
    println!(
        "By state:    {}",
        by_state
            .iter()
            .map(|(k, v)| format!("{k} {v}"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    println!(
        "Open by urgency: {}",
        by_urgency
            .iter()
            .map(|(k, v)| format!("{k} {v}"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    if unassigned_critical > 0 {
        println!("Critical and unassigned: {unassigned_critical}");
    }
    if overdue.is_empty() {
        println!("Nothing overdue.");
    } else {
        println!("OVERDUE (not yet acknowledged):");
        for r in overdue {
            println!("  {}  {}  received {}", r.id, r.urgency, r.received);
        }
    }
    Ok(())
}

#[allow(clippy::too_many_arguments)]
fn triage(
    dir: &std::path::Path,
    proxy: Option<&str>,
    id: &str,
    mut req: TriageRequest,
    tags: Vec<String>,
    note: Option<String>,
    json: bool,
) -> Result<(), CliError> {
    if !amanat_core::crypto::random::is_id(id) {
        return Err(CliError::new(
            Exit::NotFound,
            format!("{id:?} is not a report id"),
        ));
    }
    let (api, saved) = connect(dir, proxy)?;
    if note.is_some() || !tags.is_empty() {
        let r: Recipients = api.get("/api/v1/recipients")?;
        check_triage_pin(dir, &saved.server, &r.triage, &r.names)?;
        let recipients = envelope::parse_recipients(&r.triage)
            .map_err(|_| CliError::general("the server sent an invalid recipient"))?;
        let record = Zeroizing::new(
            serde_json::to_vec(&serde_json::json!({
                "schema": "amanat.note/1",
                "text": note.unwrap_or_default(),
                "tags": tags,
                "reviewer": saved.reviewer_name,
            }))
            .map_err(|e| CliError::general(e.to_string()))?,
        );
        let ct =
            envelope::seal(&record, &recipients).map_err(|e| CliError::general(e.to_string()))?;
        req.note = Some(BASE64.encode(&ct));
    }
    let updated: ReportSummary = api
        .post(&format!("/api/v1/reports/{id}/triage"), &req)
        .map_err(|e| {
            if e.code == Exit::NotFound {
                CliError::new(Exit::NotFound, format!("no report with id {id}"))
            } else {
                e
            }
        })?;
    if json {
        return print_json(&updated);
    }
    println!(
        "Report {}: state {}{}, urgency {}{}, assignee {}",
        updated.id,
        updated.state,
        updated
            .closed_reason
            .map(|r| format!(" ({r})"))
            .unwrap_or_default(),
        updated.urgency,
        if updated.urgency_confirmed {
            ""
        } else {
            " (proposed)"
        },
        safe(updated.assignee_name.as_deref().unwrap_or("-"))
    );
    Ok(())
}

/// Decrypted data of an opened report, for exports.
/// Fails when a consent withdrawal cannot be read (see [`withdrawals`]).
fn decrypted(o: &Opened) -> Result<export::Decrypted, CliError> {
    let as_map = |v: Option<&Json>| v.and_then(Json::as_object).cloned();
    let withdrawn = withdrawals(o)?;
    let mut thread = Vec::new();
    for (kind, day, rec) in &o.thread {
        let Some(rec) = rec else { continue };
        if *kind == EnvelopeKind::Withdrawal {
            continue;
        }
        let kind = serde_json::to_value(kind)
            .ok()
            .and_then(|v| v.as_str().map(String::from))
            .unwrap_or_default();
        let text = rec
            .get("text")
            .and_then(Json::as_str)
            .unwrap_or_default()
            .to_string();
        thread.push((kind, day.to_string(), text));
    }
    Ok(export::Decrypted {
        summary: o.detail.report.clone(),
        lang: o
            .report
            .get("lang")
            .and_then(Json::as_str)
            .map(String::from),
        answers: as_map(o.report.get("answers")).unwrap_or_default(),
        identity: o.identity.as_ref().and_then(|i| as_map(i.get("answers"))),
        attachments: all_attachments(o),
        withdrawn,
        thread,
    })
}

#[allow(clippy::too_many_arguments)]
fn run_export(
    dir: &std::path::Path,
    proxy: Option<&str>,
    profile: export::Profile,
    format: export::Format,
    ids: Vec<String>,
    all: bool,
    out: Option<PathBuf>,
) -> Result<(), CliError> {
    if !profile.formats().contains(&format) {
        let ok: Vec<&str> = profile.formats().iter().map(|f| f.as_str()).collect();
        return Err(CliError::usage(format!(
            "the {} profile is written as {}; not {}",
            profile.as_str(),
            ok.join(" or "),
            format.as_str()
        )));
    }
    if ids.is_empty() && !all {
        return Err(CliError::usage("name report ids, or use --all"));
    }
    let (api, _) = connect(dir, proxy)?;
    let ids = if all {
        let list: ReportList = api.get("/api/v1/reports")?;
        list.reports.into_iter().map(|r| r.id).collect()
    } else {
        ids
    };
    let mut reports = Vec::with_capacity(ids.len());
    for id in &ids {
        reports.push(decrypted(&open_report(dir, proxy, id)?)?);
    }
    let (ok, refused) = export::check(profile, &reports);
    if !refused.is_empty() {
        let lines: Vec<String> = refused
            .iter()
            .map(|r| format!("  {}: {}", r.id, r.reason))
            .collect();
        if !all {
            return Err(CliError::general(format!(
                "refusing to export with the {} profile; nothing was written:\n{}",
                profile.as_str(),
                lines.join("\n")
            )));
        }
        eprintln!(
            "Skipped {} report(s) the {} profile may not include:\n{}",
            refused.len(),
            profile.as_str(),
            lines.join("\n")
        );
    }
    let q: QuestionnaireView = api.get("/api/v1/questionnaire")?;
    let labels = export::Labels {
        fields: q
            .fields
            .iter()
            .map(|f| {
                (
                    f.id.clone(),
                    f.label.clone(),
                    f.options.iter().cloned().collect(),
                )
            })
            .collect(),
    };
    let included: Vec<String> = ok.iter().map(|r| r.summary.id.clone()).collect();
    let text = export::render(profile, format, &ok, &labels);
    // Record the export on the server before writing it.
    api.post_empty_json(
        "/api/v1/audit/export",
        &ExportRecord {
            profile: profile.as_str().into(),
            format: format.as_str().into(),
            reports: included.clone(),
        },
    )?;
    match out {
        None => println!("{text}"),
        Some(path) => {
            write_new_file(&path, text.as_bytes())?;
            eprintln!(
                "Exported {} report(s) to {}",
                included.len(),
                path.display()
            );
        }
    }
    Ok(())
}

/// Reads a reply from standard input, or from an editor on a terminal.
fn read_reply_text() -> Result<String, CliError> {
    use std::io::{IsTerminal, Read};
    if !std::io::stdin().is_terminal() {
        let mut s = String::new();
        std::io::stdin()
            .take(1 << 20)
            .read_to_string(&mut s)
            .map_err(|e| {
                CliError::general(format!("cannot read the reply from standard input: {e}"))
            })?;
        return Ok(s);
    }
    let editor = std::env::var("VISUAL")
        .or_else(|_| std::env::var("EDITOR"))
        .unwrap_or_else(|_| "vi".into());
    // The draft must live in a file for the editor: a private temporary file
    // (0600), overwritten and removed as soon as it is read.
    let file = tempfile::Builder::new()
        .prefix("amanat-reply-")
        .tempfile()
        .map_err(|e| CliError::general(format!("cannot create a draft file: {e}")))?;
    let status = std::process::Command::new(&editor)
        .arg(file.path())
        .status()
        .map_err(|e| CliError::general(format!("cannot start the editor {editor:?}: {e}")))?;
    let text = std::fs::read_to_string(file.path()).unwrap_or_default();
    let _ = std::fs::write(file.path(), vec![0u8; text.len()]);
    drop(file);
    if !status.success() {
        return Err(CliError::general("the editor failed; nothing was sent"));
    }
    Ok(text)
}

fn print_answers(q: &QuestionnaireView, answers: &Json) {
    let Some(map) = answers.as_object() else {
        return;
    };
    let label_of = |field: &str, opt: &str| -> String {
        q.fields
            .iter()
            .find(|f| f.id == field)
            .and_then(|f| f.options.iter().find(|(o, _)| o == opt))
            .map(|(_, l)| l.clone())
            .unwrap_or_else(|| opt.to_string())
    };
    // Questionnaire order first, then anything the questionnaire no longer has.
    let mut ids: Vec<&str> = q
        .fields
        .iter()
        .map(|f| f.id.as_str())
        .filter(|id| map.contains_key(*id))
        .collect();
    for k in map.keys() {
        if !ids.contains(&k.as_str()) {
            ids.push(k);
        }
    }
    for id in ids {
        let Some(v) = map.get(id) else { continue };
        let label = q
            .fields
            .iter()
            .find(|f| f.id == id)
            .map(|f| f.label.clone())
            .unwrap_or_else(|| id.to_string());
        let text = match v {
            Json::Bool(b) => if *b { "yes" } else { "no" }.to_string(),
            Json::String(s) => label_of(id, s),
            Json::Array(a) => a
                .iter()
                .filter_map(Json::as_str)
                .map(|s| label_of(id, s))
                .collect::<Vec<_>>()
                .join("; "),
            Json::Object(o) => {
                let part = |k: &str| o.get(k).and_then(Json::as_i64);
                let mut d = part("year").map(|y| format!("{y:04}")).unwrap_or_default();
                if let Some(m) = part("month") {
                    d.push_str(&format!("-{m:02}"));
                }
                if let Some(day) = part("day") {
                    d.push_str(&format!("-{day:02}"));
                }
                match o.get("precision").and_then(Json::as_str) {
                    Some(p) => format!("{d} ({p})"),
                    None => d,
                }
            }
            other => other.to_string(),
        };
        let text = safe(&text);
        if text.contains('\n') {
            println!("{}:", safe(&label));
            for line in text.lines() {
                println!("    {line}");
            }
        } else {
            println!("{}: {text}", safe(&label));
        }
    }
}

fn print_reviewers(list: &[ReviewerInfo]) {
    println!("{:<26}  {:<20}  {:<24}  RECIPIENT", "ID", "NAME", "ROLES");
    for r in list {
        println!(
            "{:<26}  {:<20}  {:<24}  {}",
            r.id,
            safe(&r.name),
            roles(&r.roles),
            r.recipient
        );
    }
}

fn roles(r: &[Role]) -> String {
    amanat_core::model::roles_text(r)
}

fn print_json<T: serde::Serialize>(v: &T) -> Result<(), CliError> {
    let s = serde_json::to_string_pretty(v).map_err(|e| CliError::general(e.to_string()))?;
    println!("{s}");
    Ok(())
}

fn url_segment(s: &str) -> String {
    percent_encoding::utf8_percent_encode(s, percent_encoding::NON_ALPHANUMERIC).to_string()
}

/// Neutralises characters that could drive a terminal or reorder text
/// (control characters other than newline and tab, bidi overrides).
pub fn safe(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '\n' | '\t' => c,
            c if c.is_control() => '\u{FFFD}',
            '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' => '\u{FFFD}',
            c => c,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_definition_is_consistent_and_documents_exit_codes() {
        Args::command().debug_assert();
        let help = Args::command().render_long_help().to_string();
        assert!(help.contains("Exit codes"), "{help}");
    }

    #[test]
    fn safe_neutralises_terminal_escapes_and_bidi_overrides() {
        assert_eq!(safe("a\u{1b}[2Jb"), "a\u{FFFD}[2Jb");
        assert_eq!(safe("x\u{202E}y"), "x\u{FFFD}y");
        assert_eq!(safe("line1\nline2\tok"), "line1\nline2\tok");
        assert_eq!(safe("مرحبا"), "مرحبا");
    }
}
