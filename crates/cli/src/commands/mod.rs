//! The commands, one module each, and what they share: the [`Ctx`] every
//! command runs in (config dir, proxy, how the identity is loaded) and the
//! dispatch from the parsed command line.

pub mod admin;
pub mod audit;
pub mod docs;
pub mod download;
pub mod export;
pub mod keygen;
pub mod list;
pub mod login;
pub mod queue;
pub mod rekey;
pub mod reply;
pub mod show;
pub mod triage;

use crate::args::{AdminCommand, AuditCommand, Command};
use crate::client::{self, Connection};
use crate::decrypt::{self, DecryptedReport, Identity, Loader};
use crate::exit::CliError;
use std::path::{Path, PathBuf};

/// What every command runs with.
pub struct Ctx {
    /// The CLI's config dir (session, pins, anchors).
    pub dir: PathBuf,
    /// `--proxy`.
    pub proxy: Option<String>,
    /// How the identity file is loaded (tests count the loads).
    pub load_identity: Loader,
}

/// A report fetched and decrypted for a command, with the connection and
/// the identity it used (loaded once for the whole command).
pub struct Opened {
    pub conn: Connection,
    pub key: Identity,
    pub report: DecryptedReport,
}

impl Ctx {
    /// Connects with the saved session.
    pub fn connect(&self) -> Result<Connection, CliError> {
        client::connect(&self.dir, self.proxy.as_deref())
    }

    /// The identity in the file at `path`, loaded on first use.
    pub fn identity(&self, path: &Path) -> Identity {
        Identity::new(path, self.load_identity)
    }

    /// Checks the id, connects, then fetches and decrypts report `id` once.
    pub fn open_report(&self, id: &str) -> Result<Opened, CliError> {
        decrypt::check_id(id)?;
        let conn = self.connect()?;
        let key = self.identity(&conn.saved.identity);
        let report = decrypt::fetch(&conn, &key, id)?;
        Ok(Opened { conn, key, report })
    }
}

/// Runs one parsed command.
pub fn run(ctx: &Ctx, command: Command) -> Result<(), CliError> {
    match command {
        Command::GenerateDocs { out } => docs::run(&out),
        Command::Keygen { output, passphrase } => keygen::run(&output, passphrase),
        Command::Login {
            server,
            identity,
            ca_file,
        } => login::login(ctx, &server, &identity, ca_file),
        Command::Logout => login::logout(ctx),
        Command::Whoami { json } => login::whoami(ctx, json),
        Command::List {
            state,
            urgency,
            assignee,
            since,
            overdue,
            all,
            json,
        } => list::run(
            ctx,
            &list::Filter {
                state,
                urgency,
                assignee,
                since,
                overdue,
            },
            all,
            json,
        ),
        Command::Queue { json } => queue::run(ctx, json),
        Command::Triage {
            id,
            state,
            reason,
            urgency,
            assign,
            tags,
            note,
            json,
        } => triage::run(
            ctx,
            &id,
            amanat_core::api::TriageRequest {
                state,
                reason,
                urgency,
                assign,
                note: None,
            },
            triage::Note { tags, text: note },
            json,
        ),
        Command::Export {
            profile,
            format,
            ids,
            all,
            out,
        } => export::run(ctx, profile, format, ids, all, out),
        Command::Audit {
            command: Some(AuditCommand::Anchors { out }),
            ..
        } => audit::anchors(ctx, out),
        Command::Audit {
            json,
            against,
            command: None,
        } => audit::run(ctx, json, &against),
        Command::Show { id, json } => show::run(ctx, &id, json),
        Command::Reply { id, message, json } => reply::run(ctx, &id, message, json),
        Command::Download { id, out, json } => download::run(ctx, &id, &out, json),
        Command::Admin {
            command: AdminCommand::Reviewer { command },
        } => admin::run(ctx, command),
        Command::Admin {
            command: AdminCommand::Rekey { dry_run, json },
        } => rekey::run(ctx, dry_run, json),
    }
}

/// Creates `path` with mode 0600, refusing to overwrite, and syncs it.
pub fn write_new_file(path: &Path, bytes: &[u8]) -> Result<(), CliError> {
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
