//! `amanatd`: the server and its operator commands.
//!
//! `init` creates a data dir, `reviewer` manages enrolled reviewers offline,
//! `serve` runs both listeners (`--demo` with a throwaway store and key),
//! `audit verify` checks the audit chain, `config` prints the effective
//! configuration; `check`, `status`, `backup` and `restore` are the operator
//! commands of [`crate::ops`], where their logic lives: this file only
//! parses and calls. Log lines carry no timestamps: a precise time next to
//! "submission stored" would date a source's visit.

use crate::config::{CONFIG_FILE, Config, initial_file};
use crate::review::validate_new_reviewer;
use crate::server::Application;
use crate::store::{Store, StoreError};
use amanat_core::audit::{Action, Event};
use amanat_core::model::roles_text;
use amanat_core::model::{Questionnaire, Role};
use clap::{Parser, Subcommand};
use std::io::Write;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

const EXIT_CODES: &str = "\
Exit codes:
  0  success
  1  error (the message says what and what to do)
  2  invalid arguments
  3  invalid configuration (the message names the key)
  4  the data directory is in use by a running amanatd
  5  the audit chain is broken, or does not pass through an anchor (audit verify)
  6  `check` found a problem (a FAIL line says what and how to fix it)";

/// Amanat server: secure, anonymous incident intake.
#[derive(Debug, Parser)]
#[command(name = "amanatd", version, after_help = EXIT_CODES)]
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
        /// attachment files, temporary uploads, lookups of deleted reports).
        /// Never removes anything a report names.
        #[arg(long)]
        repair: bool,
        #[arg(long)]
        json: bool,
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

/// The anchors of every file given with `--against` (exit 1 when a file
/// cannot be read, 2 when it is not an anchor file).
fn read_anchors(paths: &[PathBuf]) -> Result<Vec<amanat_core::audit::ExportedAnchor>, Failure> {
    let mut anchors = Vec::new();
    for path in paths {
        let text = std::fs::read_to_string(path)
            .map_err(|e| fail(1, format!("cannot read {}: {e}", path.display())))?;
        let file = amanat_core::audit::AnchorFile::parse(&text)
            .map_err(|e| fail(2, format!("{}: {e}", path.display())))?;
        anchors.extend(file.anchors);
    }
    Ok(anchors)
}

/// A failure with its exit code.
pub struct Failure {
    code: u8,
    message: String,
}

fn fail(code: u8, message: impl Into<String>) -> Failure {
    Failure {
        code,
        message: message.into(),
    }
}

impl From<StoreError> for Failure {
    fn from(e: StoreError) -> Self {
        let code = if matches!(e, StoreError::Locked(_)) {
            4
        } else {
            1
        };
        fail(code, e.to_string())
    }
}

impl From<crate::config::ConfigError> for Failure {
    fn from(e: crate::config::ConfigError) -> Self {
        fail(3, e.to_string())
    }
}

/// Entry point of `amanatd`.
pub fn main() -> ExitCode {
    let args = Args::parse();
    match run(args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(f) => {
            eprintln!("amanatd: {}", f.message);
            ExitCode::from(f.code)
        }
    }
}

/// Runs one command.
pub fn run(args: Args) -> Result<(), Failure> {
    match args.command {
        Command::Init {
            data_dir,
            intake_addr,
            review_addr,
        } => init(&data_dir, &intake_addr, &review_addr),
        Command::Serve {
            data_dir,
            config,
            intake_addr,
            review_addr,
            demo,
        } => {
            init_logging();
            // Before any report can be in memory: no core dumps, no ptrace
            // by other processes of this user, private files.
            crate::ops::harden_process().map_err(|e| fail(1, e))?;
            if demo {
                return serve_demo(intake_addr, review_addr);
            }
            let data_dir = data_dir.ok_or_else(|| fail(2, "--data-dir is required"))?;
            let mut cfg = Config::load(&data_dir, config.as_deref())?;
            if let Some(a) = intake_addr {
                cfg.intake.addr = a;
            }
            if let Some(a) = review_addr {
                cfg.review.addr = a;
            }
            cfg.validate()?;
            let store = Store::open_with_cache(&data_dir, cfg.limits.store_cache_bytes)?;
            match store.remove_orphan_blobs()? {
                0 => {}
                n => tracing::info!("removed {n} attachment file(s) left by interrupted writes"),
            }
            serve(cfg, store, None)
        }
        Command::Reviewer { command } => reviewer(command),
        Command::Audit {
            command: AuditCommand::Verify { data_dir, against },
        } => {
            let anchors = read_anchors(&against)?;
            let store = Store::open(&data_dir)?;
            let entries = store.audit_entries()?;
            match amanat_core::audit::verify_against(&entries, &anchors) {
                Ok(()) if anchors.is_empty() => {
                    println!("audit chain intact: {} entries", entries.len());
                    Ok(())
                }
                Ok(()) => {
                    println!(
                        "audit chain intact: {} entries, extending all {} anchor(s)",
                        entries.len(),
                        anchors.len()
                    );
                    Ok(())
                }
                Err(e) => Err(fail(5, e)),
            }
        }
        Command::Purge {
            data_dir,
            config,
            dry_run,
            as_of,
        } => {
            let cfg = Config::load(&data_dir, config.as_deref())?;
            cfg.validate()?;
            let store = Store::open(&data_dir)?;
            let today = as_of.unwrap_or_else(amanat_core::timeutil::Day::today);
            let ids = cfg.retention.run(&store, today, dry_run)?;
            let verb = if dry_run { "would purge" } else { "purged" };
            println!("{verb} {} report(s) as of {today}", ids.len());
            for id in ids {
                println!("  {id}");
            }
            Ok(())
        }
        Command::Config { data_dir, config } => {
            let cfg = Config::load(&data_dir, config.as_deref())?;
            cfg.validate()?;
            print!("{}", cfg.to_toml());
            Ok(())
        }
        Command::Check { data_dir, config } => {
            let report = crate::ops::check::check(&data_dir, config.as_deref());
            println!("{report}");
            if report.worst() == crate::ops::check::Verdict::Fail {
                return Err(fail(6, "some checks failed; see the FAIL lines above"));
            }
            Ok(())
        }
        Command::Status { data_dir, json } => {
            let status = crate::ops::status(&data_dir)?;
            if json {
                let s =
                    serde_json::to_string_pretty(&status).map_err(|e| fail(1, e.to_string()))?;
                println!("{s}");
            } else {
                println!("{status}");
            }
            Ok(())
        }
        Command::Backup { data_dir, out } => {
            let s = crate::ops::backup::backup(&data_dir, &out)?;
            println!(
                "Backup written to {} ({} reports, {} bytes, mode 0600). It holds ciphertext \
                 and plaintext triage metadata: store it as carefully as the server's disk.",
                out.display(),
                s.reports,
                s.bytes
            );
            Ok(())
        }
        Command::Restore {
            input,
            data_dir,
            against,
        } => {
            let anchors = read_anchors(&against)?;
            let s = crate::ops::backup::restore(&input, &data_dir, &anchors)?;
            let anchored = match anchors.len() {
                0 => String::new(),
                n => format!(" and extends all {n} anchor(s)"),
            };
            println!(
                "Restored {} reports into {}; the audit chain verifies{anchored}. Next: amanatd \
                 check --data-dir {}",
                s.reports,
                data_dir.display(),
                data_dir.display()
            );
            Ok(())
        }
        Command::Fsck {
            data_dir,
            repair,
            json,
        } => {
            let store = Store::open_for_check(&data_dir)?;
            let report = store.fsck(repair)?;
            if json {
                let s =
                    serde_json::to_string_pretty(&report).map_err(|e| fail(1, e.to_string()))?;
                println!("{s}");
            } else {
                println!("{report}");
            }
            if !report.clean() {
                return Err(fail(7, "the store is not consistent; see above"));
            }
            Ok(())
        }
        Command::GenerateDocs { out } => {
            for p in crate::ops::generate_docs(&out)? {
                println!("{}", p.display());
            }
            Ok(())
        }
    }
}

impl From<crate::ops::OpsError> for Failure {
    fn from(e: crate::ops::OpsError) -> Self {
        match e {
            crate::ops::OpsError::Store(e) => e.into(),
            e => fail(1, e.to_string()),
        }
    }
}

fn init(data_dir: &Path, intake: &str, review: &str) -> Result<(), Failure> {
    let mut cfg = Config::default();
    cfg.intake.addr = intake.to_string();
    cfg.review.addr = review.to_string();
    cfg.validate()?;
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(data_dir)
        .map_err(|e| fail(1, format!("cannot create {}: {e}", data_dir.display())))?;
    let cfg_path = data_dir.join(CONFIG_FILE);
    if !cfg_path.exists() {
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&cfg_path)
            .map_err(|e| fail(1, format!("cannot write {}: {e}", cfg_path.display())))?;
        f.write_all(initial_file(intake, review).as_bytes())
            .and_then(|_| f.sync_all())
            .map_err(|e| fail(1, format!("cannot write {}: {e}", cfg_path.display())))?;
    }
    Store::create(data_dir).map_err(|e| match e {
        StoreError::Exists(p) => fail(1, format!("{} already holds an Amanat store", p.display())),
        e => e.into(),
    })?;
    println!("Created an Amanat data directory in {}", data_dir.display());
    println!(
        "Next: enrol a reviewer (they run `amanat keygen` and send you their age1… recipient):"
    );
    println!(
        "  amanatd reviewer add --data-dir {} --name NAME --recipient age1… --roles triage,identity,admin",
        data_dir.display()
    );
    println!("Then: amanatd serve --data-dir {}", data_dir.display());
    Ok(())
}

fn reviewer(cmd: ReviewerCommand) -> Result<(), Failure> {
    match cmd {
        ReviewerCommand::Add {
            data_dir,
            name,
            recipient,
            roles,
        } => {
            let new = validate_new_reviewer(name, recipient, roles).map_err(|e| fail(2, e))?;
            let store = Store::open(&data_dir)?;
            let r = store.add_reviewer(new)?;
            store.append_audit(Event {
                actor: "operator".into(),
                action: Action::ReviewerAdded,
                report: None,
                detail: Some(format!("{} {}", r.id, roles_text(&r.roles))),
            })?;
            store.flush()?;
            println!(
                "Enrolled {} ({}) with roles {}",
                r.name,
                r.id,
                roles_text(&r.roles)
            );
            Ok(())
        }
        ReviewerCommand::List { data_dir, json } => {
            let store = Store::open(&data_dir)?;
            let list = store.reviewers()?;
            if json {
                let s = serde_json::to_string_pretty(&list).map_err(|e| fail(1, e.to_string()))?;
                println!("{s}");
                return Ok(());
            }
            if list.is_empty() {
                println!(
                    "No reviewers enrolled: the form refuses reports until a triage reviewer is added."
                );
            }
            for r in list {
                println!(
                    "{}  {}  {}  {}",
                    r.id,
                    r.name,
                    roles_text(&r.roles),
                    r.recipient
                );
            }
            Ok(())
        }
        ReviewerCommand::Remove { data_dir, reviewer } => {
            let store = Store::open(&data_dir)?;
            let r = store.remove_reviewer(&reviewer).map_err(|e| match e {
                StoreError::NotFound => {
                    fail(1, format!("no reviewer with id or name {reviewer:?}"))
                }
                e => e.into(),
            })?;
            store.append_audit(Event {
                actor: "operator".into(),
                action: Action::ReviewerRemoved,
                report: None,
                detail: Some(r.id.clone()),
            })?;
            store.flush()?;
            println!("Removed {} ({})", r.name, r.id);
            Ok(())
        }
    }
}

fn serve(cfg: Config, store: Store, banner: Option<String>) -> Result<(), Failure> {
    let questionnaire = match &cfg.questionnaire {
        Some(p) => Questionnaire::load(p),
        None => Questionnaire::builtin(),
    }
    .map_err(|e| fail(3, e.to_string()))?;
    if store.recipients_with_role(Role::Triage)?.is_empty() {
        tracing::warn!(
            "no triage reviewer is enrolled: the form will refuse reports until one is added"
        );
    }
    let store = Arc::new(store);
    // Build the listing index now, off the serving threads, so that the
    // first `amanat list` after a restart does not parse every report.
    {
        let store = store.clone();
        std::thread::spawn(move || {
            if let Err(e) = store.report_heads() {
                tracing::warn!("could not index the reports for listing: {e}");
            }
        });
    }
    let control = crate::ops::control::ControlServer::start(store.clone())?;
    let system = actix_web::rt::System::new();
    let result = system.block_on(async move {
        let retention = cfg.retention.clone();
        let app = Application::build(&cfg, store.clone(), Arc::new(questionnaire), true)
            .map_err(|e| fail(1, e.to_string()))?;
        // Retention: once at start, then daily.
        actix_web::rt::spawn(async move {
            let mut tick = actix_web::rt::time::interval(std::time::Duration::from_secs(86_400));
            loop {
                tick.tick().await;
                let (s, r) = (store.clone(), retention.clone());
                match actix_web::web::block(move || {
                    r.run(&s, amanat_core::timeutil::Day::today(), false)
                })
                .await
                {
                    Ok(Ok(ids)) if !ids.is_empty() => {
                        tracing::info!("retention: purged {} report(s)", ids.len());
                    }
                    Ok(Ok(_)) => {}
                    Ok(Err(e)) => tracing::error!("retention failed: {e}"),
                    Err(_) => tracing::error!("retention failed: worker unavailable"),
                }
            }
        });
        // SIGHUP re-reads the TLS certificates (after a renewal) without
        // closing the listeners. Installing the handler also keeps SIGHUP's
        // default action (terminate) from stopping the server.
        let mut hup = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::hangup())
            .map_err(|e| fail(1, format!("cannot handle SIGHUP: {e}")))?;
        let certs = app.certificates();
        actix_web::rt::spawn(async move {
            while hup.recv().await.is_some() {
                if certs.is_empty() {
                    tracing::info!("SIGHUP: no TLS listener, nothing to reload");
                }
                Application::reload_certificates(&certs);
            }
        });
        println!("intake listening on {}", app.intake_url());
        println!("review listening on {}", app.review_url());
        if let Some(b) = banner {
            println!("{b}");
        }
        let _ = std::io::stdout().flush();
        app.run().await.map_err(|e| fail(1, e.to_string()))
    });
    drop(control);
    result
}

fn serve_demo(intake: Option<String>, review: Option<String>) -> Result<(), Failure> {
    let dir = tempfile::Builder::new()
        .prefix("amanat-demo-")
        .tempdir()
        .map_err(|e| fail(1, format!("cannot create a temporary directory: {e}")))?;
    let data = dir.path().join("data");
    std::fs::DirBuilder::new()
        .mode(0o700)
        .create(&data)
        .map_err(|e| fail(1, e.to_string()))?;
    let store = Store::create(&data)?;
    let key = dir.path().join("demo-reviewer.key");
    let recipient = amanat_core::keyfile::keygen(&key, None).map_err(|e| fail(1, e))?;
    store.add_reviewer(crate::store::NewReviewer {
        name: "demo".into(),
        recipient,
        roles: vec![Role::Triage, Role::Identity, Role::Admin],
    })?;
    let mut cfg = Config::default();
    if let Some(a) = intake {
        cfg.intake.addr = a;
    }
    if let Some(a) = review {
        cfg.review.addr = a;
    }
    cfg.validate()?;
    // After `cargo run`, the CLI sits beside this binary, not on PATH.
    let amanat = std::env::current_exe()
        .ok()
        .and_then(|p| p.parent().map(|d| d.join("amanat")))
        .filter(|p| p.exists())
        .map(|p| p.display().to_string())
        .unwrap_or_else(|| "amanat".into());
    let banner = format!(
        "\n\
         ************************************************************************\n\
         *  DEMO MODE. Everything is thrown away when this process stops.       *\n\
         *  The demo reviewer key below is NOT secret. Never use demo mode for  *\n\
         *  real reports.                                                       *\n\
         ************************************************************************\n\
         Data dir:          {data}\n\
         Demo reviewer key: {key}\n\n\
         Open the form:     http://{intake}/\n\
         Then, in another terminal:\n  \
           export AMANAT_CONFIG_DIR={cfgdir}\n  \
           {amanat} login --server http://{review} --identity {key}\n  \
           {amanat} list\n  \
           {amanat} show <ID from the list>\n",
        data = data.display(),
        key = key.display(),
        intake = cfg.intake.addr,
        review = cfg.review.addr,
        cfgdir = dir.path().join("cli").display(),
    );
    let result = serve(cfg, store, Some(banner));
    drop(dir);
    result
}

/// `AMANAT_LOG` sets the level of Amanat's own lines. Of every other crate
/// only [`OTHER_CRATES_LOGGED`] may log, at INFO and above, whatever
/// `AMANAT_LOG` says. The crates that parse what sources and reviewers send
/// (HTTP, TLS, multipart, PDF, zip, images) log details of that input: a
/// PDF with slightly wrong cross-reference offsets makes lopdf warn with the
/// offsets, and a collector such as journald stamps each line to the
/// second, dating an upload. sled, at DEBUG and TRACE, prints every key and
/// value it reads or writes (report ids, source lookup ids). None of it may
/// reach the log, at any level: their failures reach Amanat's code as
/// errors, which it logs without the input. tests/seizure.rs runs the server
/// at `trace`, sends such a PDF, and checks the log.
fn init_logging() {
    use tracing_subscriber::Layer;
    use tracing_subscriber::layer::SubscriberExt;
    use tracing_subscriber::util::SubscriberInitExt;
    let env = tracing_subscriber::EnvFilter::try_from_env("AMANAT_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let layer = tracing_subscriber::fmt::layer()
        .without_time()
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_writer(std::io::stderr)
        .with_filter(log_filter(env));
    let _ = tracing_subscriber::registry().with(layer).try_init();
}

/// Amanat's own log targets: explicit `amanat::…` targets and the module
/// paths of the workspace's crates the server links.
pub const OWN_CRATES: &[&str] = &["amanat", "amanatd", "amanat_core", "amanat_sanitize"];

/// The crates other than Amanat whose INFO, WARN and ERROR lines reach the
/// log: actix-server says when it starts, which listener address it bound
/// (the server's own) and when it stops, and reads no request bytes.
pub const OTHER_CRATES_LOGGED: &[&str] = &["actix_server"];

/// `env` for Amanat's own targets; INFO and above from
/// [`OTHER_CRATES_LOGGED`]; nothing from any other crate.
fn log_filter<S>(env: tracing_subscriber::EnvFilter) -> impl tracing_subscriber::layer::Filter<S> {
    use tracing_subscriber::filter::FilterExt;
    let allowed = tracing_subscriber::filter::filter_fn(|m| {
        OWN_CRATES.contains(&crate_of(m.target()))
            || (OTHER_CRATES_LOGGED.contains(&crate_of(m.target()))
                && *m.level() <= tracing::Level::INFO)
    })
    // Without a hint the combined filter has none, and `try_init` would set
    // the `log` crate's maximum to TRACE even at `info`: every sled trace
    // call would reach the subscriber only to be dropped there. With it the
    // maximum is `AMANAT_LOG`'s, as it was with a plain EnvFilter.
    .with_max_level_hint(tracing::level_filters::LevelFilter::TRACE);
    env.and(allowed)
}

/// The crate a log target belongs to: targets are module paths
/// (`lopdf::reader`), and lines bridged from the `log` crate keep theirs.
fn crate_of(target: &str) -> &str {
    target.split("::").next().unwrap_or(target)
}

#[cfg(test)]
mod tests {
    use super::*;
    use tracing::level_filters::LevelFilter;
    use tracing_subscriber::EnvFilter;
    use tracing_subscriber::layer::Filter;

    #[test]
    fn the_log_filter_keeps_amanat_log_as_the_maximum_level() {
        for (spec, max) in [
            ("info", LevelFilter::INFO),
            ("warn", LevelFilter::WARN),
            ("trace", LevelFilter::TRACE),
            ("amanat=debug,warn", LevelFilter::DEBUG),
        ] {
            let f = log_filter::<tracing_subscriber::Registry>(EnvFilter::new(spec));
            assert_eq!(f.max_level_hint(), Some(max), "{spec}");
        }
    }

    /// What one subscriber with `log_filter(spec)` prints for a fixed set
    /// of lines from Amanat, actix-server and crates that parse input.
    fn printed(spec: &str) -> String {
        use std::sync::{Arc, Mutex};
        use tracing_subscriber::Layer;
        use tracing_subscriber::layer::SubscriberExt;
        #[derive(Clone, Default)]
        struct Buf(Arc<Mutex<Vec<u8>>>);
        impl std::io::Write for Buf {
            fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
                self.0.lock().unwrap().extend_from_slice(b);
                Ok(b.len())
            }
            fn flush(&mut self) -> std::io::Result<()> {
                Ok(())
            }
        }
        let buf = Buf::default();
        let writer = buf.clone();
        let layer = tracing_subscriber::fmt::layer()
            .without_time()
            .with_ansi(false)
            .with_writer(move || writer.clone())
            .with_filter(log_filter(EnvFilter::new(spec)));
        let subscriber = tracing_subscriber::registry().with(layer);
        tracing::subscriber::with_default(subscriber, || {
            tracing::error!(target: "lopdf::reader", "xref offset 1234 off");
            tracing::warn!(target: "lopdf::reader", "xref offset 1234 off");
            tracing::warn!(target: "zip::read", "zip entry");
            tracing::info!(target: "sled::pagecache", "sled info");
            tracing::warn!(target: "actix_http::h1::dispatcher", "bad request");
            tracing::debug!(target: "actix_server::worker", "server debug");
            tracing::info!(target: "actix_server::builder", "server started");
            tracing::info!(target: "amanat::intake", "submission stored");
            tracing::debug!(target: "amanat::review", "review debug");
        });
        let out = buf.0.lock().unwrap().clone();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn lines_from_crates_that_parse_input_never_pass_at_any_level() {
        for spec in [
            "trace",
            "info",
            "warn",
            "lopdf=trace,zip=trace,sled=trace,trace",
        ] {
            let out = printed(spec);
            for other in ["lopdf", "zip", "sled", "actix_http", "server debug"] {
                assert!(!out.contains(other), "{spec}: {other} passed:\n{out}");
            }
            let at_info = spec != "warn";
            assert_eq!(out.contains("server started"), at_info, "{spec}:\n{out}");
            assert_eq!(out.contains("submission stored"), at_info, "{spec}:\n{out}");
            assert_eq!(
                out.contains("review debug"),
                spec.contains("trace"),
                "{spec}:\n{out}"
            );
        }
    }
}
