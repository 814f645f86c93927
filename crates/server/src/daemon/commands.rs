//! The bodies of `amanatd`'s commands other than `serve`: each opens what it
//! needs, calls the store or [`crate::ops`], and prints for the operator.
//! Nothing printed here names a source or holds report contents.

use super::args::{Args, AuditCommand, Command, ReviewerCommand};
use super::exit::{Exit, Failure, fail};
use super::serve;
use crate::config::{CONFIG_FILE, Config, initial_file};
use crate::review::{check_key_kind, validate_new_reviewer};
use crate::store::{Store, StoreError};
use amanat_core::audit::{Action, Event};
use amanat_core::model::roles_text;
use std::io::Write;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

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
        } => serve::start(data_dir, config, intake_addr, review_addr, demo),
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
                Err(e) => Err(fail(Exit::AuditBroken, e)),
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
            let store =
                crate::ops::backup::migrate::open(&data_dir, crate::store::DEFAULT_CACHE_BYTES)?;
            let today = as_of.unwrap_or_else(amanat_core::timeutil::Day::today);
            let ids = crate::retention::run(&cfg.retention, &store, today, dry_run)?;
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
                return Err(fail(
                    Exit::CheckFailed,
                    "some checks failed; see the FAIL lines above",
                ));
            }
            Ok(())
        }
        Command::Status { data_dir, json } => {
            let status = crate::ops::status::status(&data_dir)?;
            if json {
                let s = serde_json::to_string_pretty(&status)
                    .map_err(|e| fail(Exit::Error, e.to_string()))?;
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
            scratch_dir,
            ids_in_memory,
        } => {
            let store = Store::open_for_check(&data_dir)?;
            let report = store.fsck_with(&crate::store::FsckOptions {
                repair,
                scratch_dir,
                ids_in_memory: usize::try_from(ids_in_memory).unwrap_or(usize::MAX),
                live: false,
            })?;
            if json {
                let s = serde_json::to_string_pretty(&report)
                    .map_err(|e| fail(Exit::Error, e.to_string()))?;
                println!("{s}");
            } else {
                println!("{report}");
            }
            if !report.clean() {
                return Err(fail(
                    Exit::FsckFailed,
                    "the store is not consistent; see above",
                ));
            }
            Ok(())
        }
        Command::GenerateDocs { out } => {
            for p in generate_docs(&out).map_err(|e| fail(Exit::Error, e.to_string()))? {
                println!("{}", p.display());
            }
            Ok(())
        }
    }
}

/// The anchors of every file given with `--against` (exit 1 when a file
/// cannot be read, 2 when it is not an anchor file).
fn read_anchors(paths: &[PathBuf]) -> Result<Vec<amanat_core::audit::ExportedAnchor>, Failure> {
    let mut anchors = Vec::new();
    for path in paths {
        let text = std::fs::read_to_string(path)
            .map_err(|e| fail(Exit::Error, format!("cannot read {}: {e}", path.display())))?;
        let file = amanat_core::audit::AnchorFile::parse(&text)
            .map_err(|e| fail(Exit::Usage, format!("{}: {e}", path.display())))?;
        anchors.extend(file.anchors);
    }
    Ok(anchors)
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
        .map_err(|e| {
            fail(
                Exit::Error,
                format!("cannot create {}: {e}", data_dir.display()),
            )
        })?;
    let cfg_path = data_dir.join(CONFIG_FILE);
    if !cfg_path.exists() {
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&cfg_path)
            .map_err(|e| {
                fail(
                    Exit::Error,
                    format!("cannot write {}: {e}", cfg_path.display()),
                )
            })?;
        f.write_all(initial_file(intake, review).as_bytes())
            .and_then(|_| f.sync_all())
            .map_err(|e| {
                fail(
                    Exit::Error,
                    format!("cannot write {}: {e}", cfg_path.display()),
                )
            })?;
    }
    Store::create(data_dir).map_err(|e| match e {
        StoreError::Exists(p) => fail(
            Exit::Error,
            format!("{} already holds an Amanat store", p.display()),
        ),
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
            let new =
                validate_new_reviewer(name, recipient, roles).map_err(|e| fail(Exit::Usage, e))?;
            // The kind of key the instance seals to, from its configuration.
            let cfg = Config::load(&data_dir, None)?;
            check_key_kind(&new, cfg.crypto.post_quantum).map_err(|e| fail(Exit::Usage, e))?;
            let store =
                crate::ops::backup::migrate::open(&data_dir, crate::store::DEFAULT_CACHE_BYTES)?;
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
                let s = serde_json::to_string_pretty(&list)
                    .map_err(|e| fail(Exit::Error, e.to_string()))?;
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
            let store =
                crate::ops::backup::migrate::open(&data_dir, crate::store::DEFAULT_CACHE_BYTES)?;
            let r = store.remove_reviewer(&reviewer).map_err(|e| match e {
                StoreError::NotFound => fail(
                    Exit::Error,
                    format!("no reviewer with id or name {reviewer:?}"),
                ),
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

/// Writes `amanatd`'s man pages (`man/`) and shell completions
/// (`completions/`) under `out`, from the clap definitions it parses with.
/// Used when building the Debian package (`amanat generate-docs` writes the
/// CLI's beside them).
pub fn generate_docs(out: &Path) -> std::io::Result<Vec<PathBuf>> {
    amanat_core::docgen::generate(super::args::command(), out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn man_pages_and_completions_come_from_the_clap_definitions() {
        let dir = tempfile::tempdir().unwrap();
        let files = generate_docs(dir.path()).unwrap();
        let names: Vec<String> = files
            .iter()
            .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
            .collect();
        for want in ["amanatd.1", "amanatd-backup.1", "amanatd.bash", "_amanatd"] {
            assert!(names.iter().any(|n| n == want), "{want} in {names:?}");
        }
        let page = std::fs::read_to_string(dir.path().join("man/amanatd.1")).unwrap();
        assert!(page.contains("Exit codes"), "{page}");
        assert!(page.contains("fsck"), "{page}");
    }
}
