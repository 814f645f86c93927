//! The commands, one module each, and what they share: the [`Ctx`] every
//! command runs in (config dir, proxy, how the identity is loaded) and the
//! dispatch from the parsed command line.

pub mod admin;
pub mod audit;
pub mod bundle;
pub mod desk;
pub mod docs;
pub mod download;
pub mod export;
pub mod keygen;
pub mod list;
pub mod login;
pub mod profiles;
pub mod push;
pub mod queue;
pub mod rekey;
pub mod reply;
pub mod show;
pub mod sync;
pub mod triage;

use crate::args::{
    AdminCommand, AuditCommand, BundleCommand, Command, DeskCommand, OutboxCommand, SyncCommand,
};
use crate::client::{self, Connection};
use crate::decrypt::{self, DecryptedReport, Identity, Loader};
use crate::exit::CliError;
use std::path::{Path, PathBuf};

/// What every command runs with.
#[derive(Clone)]
pub struct Ctx {
    /// The profile's directory (session, pins, anchors): the config dir
    /// itself for the default profile (see `crate::profiles`).
    pub dir: PathBuf,
    /// The CLI's config dir.
    pub root: PathBuf,
    /// The profile in use.
    pub profile: crate::profiles::Profile,
    /// True when the profile was chosen (`--profile`), not defaulted.
    pub profile_given: bool,
    /// `--proxy`.
    pub proxy: Option<String>,
    /// `--mirror`: read from this mirror, never from a server.
    pub mirror: Option<PathBuf>,
    /// `--identity`: the identity that decrypts from a mirror.
    pub identity: Option<PathBuf>,
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
    /// Connects with the saved session, or opens the mirror (`--mirror`).
    pub fn connect(&self) -> Result<Connection, CliError> {
        match &self.mirror {
            Some(dir) => client::open_mirror(dir, self.identity.as_deref(), &self.dir),
            None => client::connect(&self.dir, self.proxy.as_deref()),
        }
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
    // A qualified id (`geneva:ID`) selects its profile.
    let (ctx, command) = qualified(ctx, command)?;
    let ctx = &ctx;
    match command {
        Command::GenerateDocs { out } => docs::run(&out),
        Command::Keygen { output, passphrase } => keygen::run(&output, passphrase),
        Command::Login {
            server,
            identity,
            ca_file,
            profile: _,
        } => login::login(ctx, &server, &identity, ca_file),
        Command::Logout { profile: _ } => login::logout(ctx),
        Command::Whoami { json } => login::whoami(ctx, json),
        Command::List {
            state,
            urgency,
            assignee,
            since,
            overdue,
            all_profiles,
            all: _,
            json,
        } if all_profiles => profiles::list(
            ctx,
            &list::Filter {
                state,
                urgency,
                assignee,
                since,
                overdue,
            },
            json,
        ),
        Command::List {
            state,
            urgency,
            assignee,
            since,
            overdue,
            all_profiles: _,
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
        Command::Queue {
            all_profiles: true,
            json,
        } => profiles::queue(ctx, json),
        Command::Queue { json, .. } => queue::run(ctx, json),
        Command::Profiles { json } => profiles::show(ctx, json),
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
        Command::Sync {
            mirror,
            all_profiles,
            json,
            command,
        } => match command {
            None if all_profiles => sync::run_all(ctx, json),
            None => sync::run(ctx, mirror.or_else(|| ctx.mirror.clone()), json),
            Some(SyncCommand::Challenge {
                server,
                recipient,
                ca_file,
                out,
            }) => sync::challenge(ctx, &server, &recipient, ca_file, &out),
            Some(SyncCommand::Enrol { answer, json }) => sync::enrol(ctx, &answer, json),
            Some(SyncCommand::Revoke) => sync::revoke(ctx),
        },
        Command::Bundle {
            command:
                BundleCommand::Export {
                    file,
                    mirror,
                    since,
                    json,
                },
        } => bundle::export(ctx, &file, mirror, since, json),
        Command::Bundle {
            command: BundleCommand::Import { file, mirror, json },
        } => bundle::import(ctx, &file, mirror, json),
        Command::Push { file, json } => push::push(ctx, &file, json),
        Command::Outbox {
            command:
                OutboxCommand::Export {
                    file,
                    desk_key,
                    clear,
                },
        } => push::export(ctx, &file, &desk_key, clear),
        Command::Outbox {
            command: OutboxCommand::Clear,
        } => push::clear(ctx),
        Command::Desk {
            command: DeskCommand::Keygen { output },
        } => desk::keygen(&output),
        Command::Desk {
            command:
                DeskCommand::Answer {
                    challenge,
                    identity,
                    desk_key,
                    out,
                },
        } => desk::answer(ctx, &challenge, &identity, &desk_key, &out),
    }
}

/// The context a command runs in and the command with its ids bare: a
/// qualified id (`PROFILE:ID`) selects its profile (`crate::profiles`).
fn qualified(ctx: &Ctx, mut command: Command) -> Result<(Ctx, Command), CliError> {
    let ctx = match &mut command {
        Command::Login { profile, .. } | Command::Logout { profile } => {
            ctx.choose(profile.clone())?
        }
        Command::List {
            all_profiles: true, ..
        }
        | Command::Queue {
            all_profiles: true, ..
        } if ctx.profile_given || ctx.mirror.is_some() => {
            return Err(CliError::usage(
                "--all-profiles reads every profile's server: leave out --profile and --mirror",
            ));
        }
        Command::Triage { id, .. }
        | Command::Show { id, .. }
        | Command::Reply { id, .. }
        | Command::Download { id, .. } => {
            let (ctx, bare) = ctx.for_id(id)?;
            *id = bare;
            ctx
        }
        Command::Export { ids, .. } => {
            let (ctx, bare) = ctx.for_ids(ids)?;
            *ids = bare;
            ctx
        }
        _ => ctx.clone(),
    };
    Ok((ctx, command))
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
