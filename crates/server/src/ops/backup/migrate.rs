//! Opening a store for writing, migrating an older layout first: the
//! server at start-up and the operator commands that write call
//! [`open`]. Before a migration starts, a verified backup of the store as
//! it is goes beside the data dir, named
//! `<data dir>.schema-<N>-backup-<day>.amanat-backup`; the log line says
//! where (the path, never contents). An interrupted migration resumes
//! without a new backup (the first one holds the store as it was).

use super::super::OpsError;
use crate::ops::archive::write_store;
use crate::store::{MIGRATION_BATCH, Migration, SCHEMA_VERSION, Store};
use std::path::{Path, PathBuf};

/// Opens the store in `data_dir` with a page cache of `cache_bytes`,
/// migrating it to the current schema first if it is older.
pub fn open(data_dir: &Path, cache_bytes: u64) -> Result<Store, OpsError> {
    let store = Store::open_any(data_dir, cache_bytes)?;
    match store.migration()? {
        Migration::Current => {}
        Migration::Needed { from } => {
            let path = free_backup_name(data_dir, from)?;
            let summary = super::write_verified(&path, |f| write_store(&store, f).map(drop))?;
            tracing::info!(
                "the store uses schema {from}: backed up {} report(s) to {} before migrating \
                 to schema {SCHEMA_VERSION}",
                summary.reports,
                path.display()
            );
            finish(&store)?;
        }
        Migration::Interrupted { from } => {
            tracing::info!(
                "resuming the interrupted migration from schema {from} to {SCHEMA_VERSION} \
                 (the backup made when it started is beside the data directory)"
            );
            finish(&store)?;
        }
    }
    Ok(store.checked()?)
}

fn finish(store: &Store) -> Result<(), OpsError> {
    let n = store.migrate(MIGRATION_BATCH)?;
    tracing::info!("migrated {n} report(s) to schema {SCHEMA_VERSION}");
    Ok(())
}

/// A backup path beside `data_dir` that does not exist yet.
fn free_backup_name(data_dir: &Path, from: u32) -> Result<PathBuf, OpsError> {
    let abs = std::path::absolute(data_dir).map_err(|e| OpsError::io(data_dir, e))?;
    let name = abs
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "amanat".into());
    let parent = abs.parent().unwrap_or(Path::new("/"));
    let day = amanat_core::timeutil::Day::today();
    for n in 1..1000 {
        let suffix = if n == 1 {
            String::new()
        } else {
            format!(".{n}")
        };
        let path = parent.join(format!(
            "{name}.schema-{from}-backup-{day}{suffix}.amanat-backup"
        ));
        if !path.exists() {
            return Ok(path);
        }
    }
    Err(OpsError::Backup(format!(
        "no free name for the backup before migrating in {}; move old backups away",
        parent.display()
    )))
}
