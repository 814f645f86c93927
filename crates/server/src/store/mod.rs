//! The data store: sled trees for ciphertext and minimal metadata.
//!
//! This is the only module that touches sled; the web layers go through it.
//! What it stores in plaintext is exactly what SECURITY.md lists: report state,
//! urgency, assignee id, anonymity level, the coarse received day, envelope
//! references with their recipients, reviewer records (public keys, names,
//! roles) and the audit chain. Everything a source or reviewer wrote is age
//! ciphertext before it reaches this module.
//!
//! Sessions (reviewer tokens, follow-up sessions, CSRF nonces) are kept in
//! memory, not here: a seized disk then holds no token hashes and no precise
//! timestamps, at the cost of logging everyone out on restart.
//!
//! Durability: a report and its envelopes are written in one sled
//! transaction; a crash leaves the whole report or nothing. Every method
//! that writes returns only after [`Store::durable`]: a group commit (see
//! `durable.rs`) whose sync round began after the write committed. A round
//! is sled's `flush` (which on Linux only `sync_file_range`s the log: no
//! file size, no disk cache) followed by our own `fsync` of everything sled
//! may have changed: the log file `db/db`, sled's large-value files in
//! `db/blobs/` that are new since the last round, and the directories
//! `db/blobs/` and `db/` (new large-value files, sled's snapshot renames).
//! Attachment files are fsynced by whoever writes them (`intake::upload`),
//! renamed into `blobs/` by [`Store::commit_blobs`], which fsyncs that
//! directory before the record naming them is written. Opening a store
//! fsyncs its layout once (`db/conf`, both directories and the data dir).
//! Concurrent writers share rounds; a failed round fails every write from
//! then on until the server restarts.

mod durable;
mod fsck;
mod records;

pub use fsck::{FsckReport, Problem};
pub use records::*;

use amanat_core::crypto::codename::KdfParams;
use amanat_core::model::{Role, State};
use amanat_core::timeutil::Day;
use sled::Transactional;
use sled::transaction::{ConflictableTransactionError, TransactionError};
use std::os::unix::fs::DirBuilderExt;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, RwLock, RwLockReadGuard};

/// Version of the on-disk layout, kept in the `meta` tree.
pub const SCHEMA_VERSION: u32 = 1;

/// The sled database directory inside the data dir.
pub const DB_DIR: &str = "db";

/// How long opening waits for a store that another handle is closing.
const LOCK_WAIT: std::time::Duration = std::time::Duration::from_secs(2);
/// How often it tries again meanwhile.
const LOCK_POLL: std::time::Duration = std::time::Duration::from_millis(50);

/// The directory of encrypted attachment files inside the data dir.
pub const BLOBS_DIR: &str = "blobs";

/// sled's directory of values too large for its log, inside `db/`.
const SLED_VALUES_DIR: &str = "blobs";

/// sled's page cache when no other size is asked for (sled's own default is
/// 1 GiB, more than a small server should give it).
pub const DEFAULT_CACHE_BYTES: u64 = 64 << 20;

/// Errors of the store. Messages name paths and ids, never contents.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error(
        "the data directory {0} is in use by another process (is amanatd running?). \
         Stop it first, or make this change through the running server with \
         `amanat admin reviewer …`"
    )]
    Locked(PathBuf),
    #[error("no Amanat store in {0}: run `amanatd init --data-dir {0}` first")]
    Missing(PathBuf),
    #[error("the store in {0} already exists")]
    Exists(PathBuf),
    #[error("the store uses schema version {found}, this amanatd knows {expected}")]
    Schema { found: u32, expected: u32 },
    #[error("not found")]
    NotFound,
    #[error("{0}")]
    Conflict(String),
    #[error("storage error: {0}")]
    Db(#[from] sled::Error),
    #[error("corrupt record in tree {tree}: {detail}")]
    Corrupt { tree: &'static str, detail: String },
    #[error("I/O error: {0}")]
    Io(#[from] std::io::Error),
    #[error(
        "could not make a write durable ({0}); nothing is acknowledged until \
         amanatd is restarted after the disk is checked"
    )]
    NotDurable(String),
}

/// The open store.
pub struct Store {
    db: sled::Db,
    reports: sled::Tree,
    envelopes: sled::Tree,
    reviewers: sled::Tree,
    sources: sled::Tree,
    audit: sled::Tree,
    grants: sled::Tree,
    meta: sled::Tree,
    dir: PathBuf,
    audit_lock: Mutex<()>,
    /// Writers hold it shared; `snapshot` holds it exclusively, so a backup
    /// is one point in time across every tree (see `write_gate`).
    gate: RwLock<()>,
    /// Every report's [`ReportHead`] by id, read from `reports` on the first
    /// listing and kept current by every write after it commits: listing a
    /// large queue then costs no parsing. `None` until first needed.
    heads: Mutex<Option<std::collections::BTreeMap<String, ReportHead>>>,
    /// Writers waiting for durability share sync rounds here.
    group: durable::GroupCommit,
    /// sled's log file, `db/db`, held open for `fsync`.
    log_file: std::fs::File,
    /// sled's large-value files already fsynced (they are written once).
    synced_values: Mutex<std::collections::HashSet<std::ffi::OsString>>,
}

impl Store {
    /// Creates a new store in `data_dir` (which must exist).
    pub fn create(data_dir: &Path) -> Result<Store, StoreError> {
        let db_path = data_dir.join(DB_DIR);
        if db_path.exists() {
            return Err(StoreError::Exists(data_dir.to_path_buf()));
        }
        let store = Self::open_db(data_dir)?;
        store
            .meta
            .insert("schema_version", &SCHEMA_VERSION.to_be_bytes())?;
        let mut salt = [0u8; 32];
        amanat_core::crypto::random::fill(&mut salt);
        store.meta.insert("instance_salt", &salt)?;
        store.durable()?;
        // The data dir's own entry, made by whoever created it. A parent we
        // may not open (not readable by this user) cannot be fsynced by us;
        // whoever created the data dir there has to.
        let parent = match data_dir.parent() {
            Some(p) if !p.as_os_str().is_empty() => p,
            _ => Path::new("."),
        };
        match sync_dir(parent) {
            Err(e) if e.kind() == std::io::ErrorKind::PermissionDenied => {}
            r => r?,
        }
        Ok(store)
    }

    /// Opens an existing store, checking its schema version.
    pub fn open(data_dir: &Path) -> Result<Store, StoreError> {
        Self::open_with_cache(data_dir, DEFAULT_CACHE_BYTES)
    }

    /// Opens an existing store with a page cache of about `cache_bytes`
    /// (`limits.store_cache_bytes` for the server), checking its schema.
    pub fn open_with_cache(data_dir: &Path, cache_bytes: u64) -> Result<Store, StoreError> {
        if !data_dir.join(DB_DIR).is_dir() {
            return Err(StoreError::Missing(data_dir.to_path_buf()));
        }
        let store = Self::open_db_with_cache(data_dir, cache_bytes)?;
        let found = store
            .meta
            .get("schema_version")?
            .and_then(|v| v.as_ref().try_into().ok().map(u32::from_be_bytes))
            .unwrap_or(0);
        if found != SCHEMA_VERSION {
            return Err(StoreError::Schema {
                found,
                expected: SCHEMA_VERSION,
            });
        }
        store.remove_stale_uploads()?;
        Ok(store)
    }

    fn open_db(data_dir: &Path) -> Result<Store, StoreError> {
        Self::open_db_with_cache(data_dir, DEFAULT_CACHE_BYTES)
    }

    fn open_db_with_cache(data_dir: &Path, cache_bytes: u64) -> Result<Store, StoreError> {
        let blobs = data_dir.join(BLOBS_DIR);
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(&blobs)?;
        // A store that another handle is closing (a server that just
        // stopped, a command that just finished) keeps its lock until sled's
        // background threads have ended: wait a moment for it rather than
        // refuse at once. A running server holds it for good: `Locked`.
        let mut waited = std::time::Duration::ZERO;
        let db = loop {
            let opened = sled::Config::new()
                .path(data_dir.join(DB_DIR))
                .mode(sled::Mode::HighThroughput)
                .cache_capacity(cache_bytes)
                .open();
            match opened {
                Ok(db) => break db,
                Err(sled::Error::Io(ref io))
                    if io.to_string().contains("could not acquire lock") =>
                {
                    if waited >= LOCK_WAIT {
                        return Err(StoreError::Locked(data_dir.to_path_buf()));
                    }
                    std::thread::sleep(LOCK_POLL);
                    waited += LOCK_POLL;
                }
                Err(e) => return Err(StoreError::Db(e)),
            }
        };
        let db_dir = data_dir.join(DB_DIR);
        let log_file = std::fs::File::open(db_dir.join("db"))?;
        // What sled wrote when it opened (its `conf` on creation, its
        // directories) and our own layout, made durable once.
        if let Ok(conf) = std::fs::File::open(db_dir.join("conf")) {
            conf.sync_all()?;
        }
        sync_dir(&db_dir.join(SLED_VALUES_DIR))?;
        sync_dir(&db_dir)?;
        sync_dir(&blobs)?;
        sync_dir(data_dir)?;
        Ok(Store {
            reports: db.open_tree("reports")?,
            envelopes: db.open_tree("envelopes")?,
            reviewers: db.open_tree("reviewers")?,
            sources: db.open_tree("sources")?,
            audit: db.open_tree("audit")?,
            grants: db.open_tree("grants")?,
            meta: db.open_tree("meta")?,
            db,
            dir: data_dir.to_path_buf(),
            audit_lock: Mutex::new(()),
            gate: RwLock::new(()),
            heads: Mutex::new(None),
            group: durable::GroupCommit::default(),
            log_file,
            synced_values: Mutex::new(Default::default()),
        })
    }

    /// The data directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Makes every write committed so far durable (see [`Store::durable`]).
    pub fn flush(&self) -> Result<(), StoreError> {
        self.durable()
    }

    /// Returns once every write committed before this call is on disk: a
    /// sync round (sled's flush, then `fsync` of each file and directory it
    /// may have touched) that started after the call has finished. Writers
    /// calling it at the same time share one round. Every method here that
    /// writes calls it before returning; nothing may be acknowledged before.
    pub fn durable(&self) -> Result<(), StoreError> {
        self.group
            .wait(|| self.sync_files())
            .map_err(StoreError::NotDurable)
    }

    /// How many sync rounds ran since the store was opened (for tests and
    /// benchmarks: fewer rounds than writes means writers shared them).
    pub fn sync_rounds(&self) -> u64 {
        self.group.rounds()
    }

    /// One sync round. Only `durable` calls it, one round at a time.
    fn sync_files(&self) -> std::io::Result<()> {
        self.db.flush().map_err(std::io::Error::other)?;
        self.log_file.sync_data()?;
        let db_dir = self.dir.join(DB_DIR);
        let values = db_dir.join(SLED_VALUES_DIR);
        let mut synced = match self.synced_values.lock() {
            Ok(g) => g,
            Err(p) => p.into_inner(),
        };
        let mut present = std::collections::HashSet::new();
        let mut changed = false;
        for entry in std::fs::read_dir(&values)? {
            let entry = entry?;
            let name = entry.file_name();
            if !synced.contains(&name) {
                match std::fs::File::open(entry.path()) {
                    Ok(f) => f.sync_all()?,
                    // sled removed it since the listing: nothing to keep.
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
                    Err(e) => return Err(e),
                }
                changed = true;
            }
            present.insert(name);
        }
        // A removal is a change to the directory too.
        changed |= synced.iter().any(|n| !present.contains(n));
        if changed {
            sync_dir(&values)?;
        }
        *synced = present;
        sync_dir(&db_dir)
    }

    /// The directory of encrypted attachment files.
    pub fn blobs_dir(&self) -> PathBuf {
        self.dir.join(BLOBS_DIR)
    }

    /// Makes staged (already encrypted) upload files durable blobs: each is
    /// renamed to a random id, then the directory is fsynced. Returns the
    /// ids in order. On error, the blobs renamed so far are removed.
    pub fn commit_blobs(
        &self,
        staged: Vec<tempfile::NamedTempFile>,
    ) -> Result<Vec<String>, StoreError> {
        let _gate = self.write_gate();
        let dir = self.blobs_dir();
        let mut ids = Vec::with_capacity(staged.len());
        for t in staged {
            let id = amanat_core::crypto::random::id();
            if let Err(e) = t.persist_noclobber(dir.join(&id)) {
                self.remove_blobs(&ids);
                return Err(StoreError::Io(e.error));
            }
            ids.push(id);
        }
        if let Err(e) = std::fs::File::open(&dir).and_then(|d| d.sync_all()) {
            self.remove_blobs(&ids);
            return Err(StoreError::Io(e));
        }
        Ok(ids)
    }

    /// The path of a blob, if the id is well formed.
    pub fn blob_path(&self, id: &str) -> Option<PathBuf> {
        amanat_core::crypto::random::is_id(id).then(|| self.blobs_dir().join(id))
    }

    /// Removes blobs (best effort: used to undo a failed submission).
    pub fn remove_blobs(&self, ids: &[String]) {
        for id in ids {
            if let Some(p) = self.blob_path(id) {
                let _ = std::fs::remove_file(p);
            }
        }
        let _ = std::fs::File::open(self.blobs_dir()).and_then(|d| d.sync_all());
    }

    /// Deletes temporary upload files left by a crash: no upload can be in
    /// progress while the store is being opened.
    fn remove_stale_uploads(&self) -> Result<(), StoreError> {
        let mut removed = false;
        for entry in std::fs::read_dir(self.blobs_dir())? {
            let entry = entry?;
            if entry.file_name().to_string_lossy().starts_with(".upload-") {
                std::fs::remove_file(entry.path())?;
                removed = true;
            }
        }
        // Otherwise a power cut could bring them back for the next start.
        if removed {
            sync_dir(&self.blobs_dir())?;
        }
        Ok(())
    }

    /// The instance salt (random, per installation).
    pub fn instance_salt(&self) -> Result<Vec<u8>, StoreError> {
        Ok(self
            .meta
            .get("instance_salt")?
            .map(|v| v.to_vec())
            .unwrap_or_default())
    }

    // ----- reviewers -----

    /// Enrols a reviewer. Names and recipients are unique.
    pub fn add_reviewer(&self, new: NewReviewer) -> Result<Reviewer, StoreError> {
        let _gate = self.write_gate();
        let all = self.reviewers()?;
        if all.iter().any(|r| r.name == new.name) {
            return Err(StoreError::Conflict(format!(
                "a reviewer named {:?} already exists",
                new.name
            )));
        }
        if all.iter().any(|r| r.recipient == new.recipient) {
            return Err(StoreError::Conflict(
                "this recipient is already enrolled".into(),
            ));
        }
        let r = Reviewer {
            id: amanat_core::crypto::random::id(),
            name: new.name,
            recipient: new.recipient,
            roles: new.roles,
            added: Day::today(),
        };
        self.reviewers.insert(r.id.as_bytes(), to_json(&r)?)?;
        self.durable()?;
        Ok(r)
    }

    /// Removes a reviewer by id or name.
    pub fn remove_reviewer(&self, id_or_name: &str) -> Result<Reviewer, StoreError> {
        let _gate = self.write_gate();
        let r = self
            .reviewers()?
            .into_iter()
            .find(|r| r.id == id_or_name || r.name == id_or_name)
            .ok_or(StoreError::NotFound)?;
        self.reviewers.remove(r.id.as_bytes())?;
        self.durable()?;
        Ok(r)
    }

    /// Every enrolled reviewer, sorted by name.
    pub fn reviewers(&self) -> Result<Vec<Reviewer>, StoreError> {
        let mut v = Vec::new();
        for item in self.reviewers.iter() {
            let (_, value) = item?;
            v.push(from_json::<Reviewer>("reviewers", &value)?);
        }
        v.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(v)
    }

    /// A reviewer by id.
    pub fn reviewer(&self, id: &str) -> Result<Option<Reviewer>, StoreError> {
        self.reviewers
            .get(id.as_bytes())?
            .map(|v| from_json("reviewers", &v))
            .transpose()
    }

    /// Records a pending grant. Its name and recipient must be free among
    /// reviewers and other pending grants.
    pub fn add_grant(
        &self,
        id: String,
        new: NewReviewer,
        requested_by: &str,
    ) -> Result<PendingGrant, StoreError> {
        let _gate = self.write_gate();
        self.check_grant_is_free(&new)?;
        let g = PendingGrant {
            id,
            name: new.name,
            recipient: new.recipient,
            roles: new.roles,
            requested_by: requested_by.to_string(),
            day: Day::today(),
        };
        self.grants.insert(g.id.as_bytes(), to_json(&g)?)?;
        self.durable()?;
        Ok(g)
    }

    /// Refuses (409) a grant whose name or recipient is already taken by a
    /// reviewer or another pending grant.
    pub fn check_grant_is_free(&self, new: &NewReviewer) -> Result<(), StoreError> {
        let all = self.reviewers()?;
        let pending = self.grants()?;
        if all.iter().any(|r| r.name == new.name) || pending.iter().any(|g| g.name == new.name) {
            return Err(StoreError::Conflict(format!(
                "a reviewer or pending grant named {:?} already exists",
                new.name
            )));
        }
        if all.iter().any(|r| r.recipient == new.recipient)
            || pending.iter().any(|g| g.recipient == new.recipient)
        {
            return Err(StoreError::Conflict(
                "this recipient is already enrolled or pending".into(),
            ));
        }
        Ok(())
    }

    /// Every pending grant, oldest first.
    pub fn grants(&self) -> Result<Vec<PendingGrant>, StoreError> {
        let mut v = Vec::new();
        for item in self.grants.iter() {
            let (_, value) = item?;
            v.push(from_json::<PendingGrant>("grants", &value)?);
        }
        v.sort_by(|a, b| (a.day, &a.id).cmp(&(b.day, &b.id)));
        Ok(v)
    }

    /// A pending grant by id.
    pub fn grant(&self, id: &str) -> Result<Option<PendingGrant>, StoreError> {
        self.grants
            .get(id.as_bytes())?
            .map(|v| from_json("grants", &v))
            .transpose()
    }

    /// Removes a pending grant (withdrawn, or approved: see [`Store::approve_grant`]).
    pub fn remove_grant(&self, id: &str) -> Result<PendingGrant, StoreError> {
        let _gate = self.write_gate();
        let g = self.grant(id)?.ok_or(StoreError::NotFound)?;
        self.grants.remove(id.as_bytes())?;
        self.durable()?;
        Ok(g)
    }

    /// Enrols the reviewer a pending grant describes and removes the grant,
    /// in one transaction, then flushes.
    pub fn approve_grant(&self, id: &str) -> Result<Reviewer, StoreError> {
        let _gate = self.write_gate();
        let g = self.grant(id)?.ok_or(StoreError::NotFound)?;
        let all = self.reviewers()?;
        if all
            .iter()
            .any(|r| r.name == g.name || r.recipient == g.recipient)
        {
            return Err(StoreError::Conflict(
                "a reviewer with this name or recipient was enrolled meanwhile".into(),
            ));
        }
        let r = Reviewer {
            id: amanat_core::crypto::random::id(),
            name: g.name,
            recipient: g.recipient,
            roles: g.roles,
            added: Day::today(),
        };
        let value = to_json(&r)?;
        (&self.reviewers, &self.grants)
            .transaction(|(reviewers, grants)| {
                if grants.remove(id.as_bytes())?.is_none() {
                    return Err(ConflictableTransactionError::Abort(StoreError::NotFound));
                }
                reviewers.insert(r.id.as_bytes(), value.as_slice())?;
                Ok(())
            })
            .map_err(tx_err)?;
        self.durable()?;
        Ok(r)
    }

    /// The recipients of every reviewer holding `role`.
    pub fn recipients_with_role(&self, role: Role) -> Result<Vec<String>, StoreError> {
        Ok(self
            .reviewers()?
            .into_iter()
            .filter(|r| r.roles.contains(&role))
            .map(|r| r.recipient)
            .collect())
    }

    // ----- reports -----

    /// Stores a new report and its envelopes atomically, then flushes.
    ///
    /// Returns only once the data is on disk: the caller may then
    /// acknowledge the submission.
    pub fn insert_report(&self, new: NewReport) -> Result<ReportMeta, StoreError> {
        let _gate = self.write_gate();
        let mut meta = ReportMeta {
            id: amanat_core::crypto::random::id(),
            received: Day::today(),
            state: State::New,
            urgency: new.urgency,
            urgency_confirmed: false,
            anonymity: new.anonymity,
            assignee: None,
            envelopes: Vec::new(),
            source_recipient: new.source.as_ref().map(|s| s.recipient.clone()),
            blobs: new.blobs.clone(),
            closed_reason: None,
            state_changed: None,
        };
        let mut bodies = Vec::new();
        for env in new.envelopes {
            let id = amanat_core::crypto::random::id();
            meta.envelopes.push(EnvelopeRef {
                id: id.clone(),
                kind: env.kind,
                recipients: env.recipients,
                day: meta.received,
            });
            bodies.push((id, env.ciphertext));
        }
        let meta_json = to_json(&meta)?;
        let source = match &new.source {
            Some(s) => Some((
                s.lookup,
                to_json(&SourceRecord {
                    report_id: meta.id.clone(),
                    recipient: s.recipient.clone(),
                    kdf: s.kdf,
                })?,
            )),
            None => None,
        };
        if let Some(s) = &new.source {
            self.remember_kdf(s.kdf)?;
        }
        (&self.reports, &self.envelopes, &self.sources)
            .transaction(|(reports, envelopes, sources)| {
                if let Some((lookup, record)) = &source {
                    // 256-bit lookup ids do not collide; refuse rather than overwrite.
                    if sources.get(lookup)?.is_some() {
                        return Err(ConflictableTransactionError::Abort(StoreError::Conflict(
                            "source lookup id already exists".into(),
                        )));
                    }
                    sources.insert(lookup.as_slice(), record.as_slice())?;
                }
                for (id, body) in &bodies {
                    envelopes.insert(id.as_bytes(), body.as_slice())?;
                }
                reports.insert(meta.id.as_bytes(), meta_json.as_slice())?;
                Ok::<_, ConflictableTransactionError<StoreError>>(())
            })
            .map_err(tx_err)?;
        self.refresh_head(&meta.id);
        self.durable()?;
        Ok(meta)
    }

    /// Adds an envelope (a follow-up message or a reply) to a report,
    /// atomically, then flushes.
    pub fn append_envelope(
        &self,
        report_id: &str,
        env: NewEnvelope,
    ) -> Result<EnvelopeRef, StoreError> {
        self.append_envelope_with_blobs(report_id, env, &[])
    }

    /// Adds an envelope and the blobs it names (already committed with
    /// `commit_blobs`) to a report, atomically, then flushes. The blobs then
    /// belong to the report: they are served with it and deleted with it.
    pub fn append_envelope_with_blobs(
        &self,
        report_id: &str,
        env: NewEnvelope,
        blobs: &[String],
    ) -> Result<EnvelopeRef, StoreError> {
        let _gate = self.write_gate();
        let r = EnvelopeRef {
            id: amanat_core::crypto::random::id(),
            kind: env.kind,
            recipients: env.recipients,
            day: Day::today(),
        };
        (&self.reports, &self.envelopes)
            .transaction(|(reports, envelopes)| {
                let Some(raw) = reports.get(report_id.as_bytes())? else {
                    return Err(ConflictableTransactionError::Abort(StoreError::NotFound));
                };
                let mut meta: ReportMeta =
                    from_json("reports", &raw).map_err(ConflictableTransactionError::Abort)?;
                meta.envelopes.push(r.clone());
                meta.blobs.extend_from_slice(blobs);
                let json = to_json(&meta).map_err(ConflictableTransactionError::Abort)?;
                envelopes.insert(r.id.as_bytes(), env.ciphertext.as_slice())?;
                reports.insert(report_id.as_bytes(), json)?;
                Ok(())
            })
            .map_err(tx_err)?;
        self.refresh_head(report_id);
        self.durable()?;
        Ok(r)
    }

    /// Deletes one envelope of `kind` from a report (a source deleting a
    /// reply they have read), atomically, then flushes.
    pub fn delete_envelope(
        &self,
        report_id: &str,
        envelope_id: &str,
        kind: EnvelopeKind,
    ) -> Result<(), StoreError> {
        let _gate = self.write_gate();
        (&self.reports, &self.envelopes)
            .transaction(|(reports, envelopes)| {
                let Some(raw) = reports.get(report_id.as_bytes())? else {
                    return Err(ConflictableTransactionError::Abort(StoreError::NotFound));
                };
                let mut meta: ReportMeta =
                    from_json("reports", &raw).map_err(ConflictableTransactionError::Abort)?;
                let before = meta.envelopes.len();
                meta.envelopes
                    .retain(|e| !(e.id == envelope_id && e.kind == kind));
                if meta.envelopes.len() == before {
                    return Err(ConflictableTransactionError::Abort(StoreError::NotFound));
                }
                let json = to_json(&meta).map_err(ConflictableTransactionError::Abort)?;
                envelopes.remove(envelope_id.as_bytes())?;
                reports.insert(report_id.as_bytes(), json)?;
                Ok(())
            })
            .map_err(tx_err)?;
        self.refresh_head(report_id);
        self.durable()?;
        Ok(())
    }

    /// Changes a report's triage metadata atomically, with an optional note
    /// envelope, provided its state is still `expected` (else `Conflict`:
    /// another reviewer changed it meanwhile). Flushes before returning.
    pub fn update_report(
        &self,
        report_id: &str,
        expected: State,
        change: impl Fn(&mut ReportMeta),
        note: Option<NewEnvelope>,
    ) -> Result<ReportMeta, StoreError> {
        let _gate = self.write_gate();
        let note_ref = note.as_ref().map(|n| EnvelopeRef {
            id: amanat_core::crypto::random::id(),
            kind: n.kind,
            recipients: n.recipients.clone(),
            day: Day::today(),
        });
        let updated = (&self.reports, &self.envelopes)
            .transaction(|(reports, envelopes)| {
                let Some(raw) = reports.get(report_id.as_bytes())? else {
                    return Err(ConflictableTransactionError::Abort(StoreError::NotFound));
                };
                let mut meta: ReportMeta =
                    from_json("reports", &raw).map_err(ConflictableTransactionError::Abort)?;
                if meta.state != expected {
                    return Err(ConflictableTransactionError::Abort(StoreError::Conflict(
                        format!(
                            "the report is now `{}`; another reviewer changed it",
                            meta.state
                        ),
                    )));
                }
                change(&mut meta);
                if let (Some(r), Some(n)) = (&note_ref, &note) {
                    envelopes.insert(r.id.as_bytes(), n.ciphertext.as_slice())?;
                    meta.envelopes.push(r.clone());
                }
                let json = to_json(&meta).map_err(ConflictableTransactionError::Abort)?;
                reports.insert(report_id.as_bytes(), json)?;
                Ok(meta)
            })
            .map_err(tx_err)?;
        self.refresh_head(report_id);
        self.durable()?;
        Ok(updated)
    }

    /// Removes a report completely in one transaction: its record, every
    /// envelope and its source lookup; then its blobs; then flushes.
    pub fn purge(&self, report_id: &str) -> Result<ReportMeta, StoreError> {
        let _gate = self.write_gate();
        let meta = self.report(report_id)?.ok_or(StoreError::NotFound)?;
        let mut lookups = Vec::new();
        for item in self.sources.iter() {
            let (k, v) = item?;
            let rec: SourceRecord = from_json("sources", &v)?;
            if rec.report_id == report_id {
                lookups.push(k);
            }
        }
        (&self.reports, &self.envelopes, &self.sources)
            .transaction(|(reports, envelopes, sources)| {
                for e in &meta.envelopes {
                    envelopes.remove(e.id.as_bytes())?;
                }
                for k in &lookups {
                    sources.remove(k)?;
                }
                reports.remove(report_id.as_bytes())?;
                Ok::<_, ConflictableTransactionError<StoreError>>(())
            })
            .map_err(tx_err)?;
        self.refresh_head(report_id);
        self.durable()?;
        self.remove_blobs(&meta.blobs);
        Ok(meta)
    }

    /// The source record for a derived lookup id.
    pub fn source(&self, lookup: &[u8; 32]) -> Result<Option<SourceRecord>, StoreError> {
        self.sources
            .get(lookup)?
            .map(|v| from_json("sources", &v))
            .transpose()
    }

    /// Every set of KDF parameters any stored source uses, so that a login
    /// can derive with each (parameters may be raised over time).
    pub fn kdf_param_sets(&self) -> Result<Vec<KdfParams>, StoreError> {
        match self.meta.get("kdf_param_sets")? {
            Some(v) => from_json("meta", &v),
            None => Ok(Vec::new()),
        }
    }

    fn remember_kdf(&self, p: KdfParams) -> Result<(), StoreError> {
        let mut sets = self.kdf_param_sets()?;
        if !sets.contains(&p) {
            sets.push(p);
            self.meta.insert("kdf_param_sets", to_json(&sets)?)?;
        }
        Ok(())
    }

    /// Every report's plaintext metadata.
    pub fn reports(&self) -> Result<Vec<ReportMeta>, StoreError> {
        let mut v = Vec::with_capacity(self.reports.len());
        for item in self.reports.iter() {
            let (_, value) = item?;
            v.push(from_json::<ReportMeta>("reports", &value)?);
        }
        Ok(v)
    }

    /// Every report's listing metadata (see [`ReportHead`]), in id order.
    pub fn report_heads(&self) -> Result<Vec<ReportHead>, StoreError> {
        self.map_report_heads(ReportHead::clone)
    }

    /// `f` of every report's listing metadata, in id order, without copying
    /// what `f` does not take.
    pub fn map_report_heads<T>(
        &self,
        f: impl FnMut(&ReportHead) -> T,
    ) -> Result<Vec<T>, StoreError> {
        let mut index = self.heads_index();
        if index.is_none() {
            let mut map = std::collections::BTreeMap::new();
            for item in self.reports.iter() {
                let (_, value) = item?;
                let head: ReportHead = from_json("reports", &value)?;
                map.insert(head.id.clone(), head);
            }
            *index = Some(map);
        }
        Ok(index
            .as_ref()
            .map(|m| m.values().map(f).collect())
            .unwrap_or_default())
    }

    fn heads_index(
        &self,
    ) -> std::sync::MutexGuard<'_, Option<std::collections::BTreeMap<String, ReportHead>>> {
        match self.heads.lock() {
            Ok(g) => g,
            Err(p) => p.into_inner(),
        }
    }

    /// Brings one report's entry in the listing index up to date after a
    /// committed write. It re-reads the record under the index lock, so
    /// concurrent writers leave the newest version whatever order they get
    /// here in. Should the read fail, the index is dropped and rebuilt on
    /// the next listing: the write itself has committed either way.
    fn refresh_head(&self, id: &str) {
        let mut index = self.heads_index();
        let Some(map) = index.as_mut() else {
            return;
        };
        let fresh = self
            .reports
            .get(id.as_bytes())
            .map_err(StoreError::from)
            .and_then(|v| {
                v.map(|v| from_json::<ReportHead>("reports", &v))
                    .transpose()
            });
        match fresh {
            Ok(Some(head)) => {
                map.insert(id.to_owned(), head);
            }
            Ok(None) => {
                map.remove(id);
            }
            Err(_) => *index = None,
        }
    }

    /// One report's metadata.
    pub fn report(&self, id: &str) -> Result<Option<ReportMeta>, StoreError> {
        self.reports
            .get(id.as_bytes())?
            .map(|v| from_json("reports", &v))
            .transpose()
    }

    /// An envelope's ciphertext.
    pub fn envelope(&self, id: &str) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(self.envelopes.get(id.as_bytes())?.map(|v| v.to_vec()))
    }

    /// Number of stored reports.
    pub fn report_count(&self) -> usize {
        self.reports.len()
    }

    // ----- audit -----

    /// Appends an entry to the hash-chained audit log and flushes it: once
    /// this returns, the entry is on disk and the action may be answered.
    pub fn append_audit(
        &self,
        event: amanat_core::audit::Event,
    ) -> Result<amanat_core::audit::Entry, StoreError> {
        let _gate = self.write_gate();
        let _guard = match self.audit_lock.lock() {
            Ok(g) => g,
            Err(p) => p.into_inner(),
        };
        let last = match self.audit.last()? {
            Some((_, v)) => Some(from_json::<amanat_core::audit::Entry>("audit", &v)?),
            None => None,
        };
        let entry = amanat_core::audit::Entry::next(last.as_ref(), event, Day::today());
        self.audit
            .insert(entry.seq.to_be_bytes(), to_json(&entry)?)?;
        self.durable()?;
        Ok(entry)
    }

    /// The last audit entry, if any.
    pub fn audit_head(&self) -> Result<Option<amanat_core::audit::Entry>, StoreError> {
        self.audit
            .last()?
            .map(|(_, v)| from_json("audit", &v))
            .transpose()
    }

    /// Up to `max` audit entries from index `from` on, in order.
    pub fn audit_range(
        &self,
        from: u64,
        max: usize,
    ) -> Result<Vec<amanat_core::audit::Entry>, StoreError> {
        let mut v = Vec::new();
        for item in self.audit.range(from.to_be_bytes()..).take(max) {
            let (_, value) = item?;
            v.push(from_json("audit", &value)?);
        }
        Ok(v)
    }

    /// Every audit entry in order.
    pub fn audit_entries(&self) -> Result<Vec<amanat_core::audit::Entry>, StoreError> {
        let mut v = Vec::new();
        for item in self.audit.iter() {
            let (_, value) = item?;
            v.push(from_json("audit", &value)?);
        }
        Ok(v)
    }

    /// Raw access to the audit tree, for tamper tests of `audit verify`.
    #[doc(hidden)]
    pub fn audit_tree(&self) -> &sled::Tree {
        &self.audit
    }

    // ----- operations: backup, restore, status -----

    /// Taken (shared) by every method that writes, before its first write.
    /// Writers never wait for each other; they wait only while `snapshot`
    /// copies the trees, which makes a backup one point in time: a report is
    /// in it with all its envelopes, or not at all. Never take it twice in
    /// one call chain (std's RwLock may deadlock a reader behind a writer).
    fn write_gate(&self) -> RwLockReadGuard<'_, ()> {
        match self.gate.read() {
            Ok(g) => g,
            Err(p) => p.into_inner(),
        }
    }

    /// A consistent copy of every tree (ciphertext and plaintext metadata
    /// only: this store holds nothing else). Writes wait while it is taken;
    /// the copy is in memory, so writers are held up for the time it takes
    /// to read the trees, not for the time it takes to write the backup.
    pub fn snapshot(&self) -> Result<Snapshot, StoreError> {
        let _exclusive = match self.gate.write() {
            Ok(g) => g,
            Err(p) => p.into_inner(),
        };
        let mut names = self.db.tree_names();
        names.sort();
        let mut trees = Vec::with_capacity(names.len());
        for name in names {
            let tree = self.db.open_tree(&name)?;
            let mut entries = Vec::with_capacity(tree.len());
            for item in tree.iter() {
                let (k, v) = item?;
                entries.push((k.to_vec(), v.to_vec()));
            }
            trees.push((name.to_vec(), entries));
        }
        Ok(Snapshot { trees })
    }

    /// Creates a store in `data_dir` from a snapshot. Refuses if a store is
    /// already there: a restore never overwrites data. The caller verifies
    /// the snapshot first; this re-opens the result to check its schema.
    pub fn restore_snapshot(data_dir: &Path, snapshot: &Snapshot) -> Result<Store, StoreError> {
        if data_dir.join(DB_DIR).exists() {
            return Err(StoreError::Exists(data_dir.to_path_buf()));
        }
        {
            let store = Self::open_db(data_dir)?;
            for (name, entries) in &snapshot.trees {
                let tree = store.db.open_tree(name)?;
                let mut batch = sled::Batch::default();
                for (k, v) in entries {
                    batch.insert(k.as_slice(), v.as_slice());
                }
                tree.apply_batch(batch)?;
            }
            store.durable()?;
        }
        Self::open(data_dir)
    }

    /// Report counts per triage state, for `amanatd status`.
    pub fn state_counts(&self) -> Result<Vec<(State, usize)>, StoreError> {
        let mut counts: Vec<(State, usize)> = Vec::new();
        for state in self.map_report_heads(|h| h.state)? {
            match counts.iter_mut().find(|(s, _)| *s == state) {
                Some((_, n)) => *n += 1,
                None => counts.push((state, 1)),
            }
        }
        Ok(counts)
    }
}

/// One key and value of a tree.
pub type TreeEntry = (Vec<u8>, Vec<u8>);

/// Every tree of a store as (tree name, entries), sorted by name.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Snapshot {
    pub trees: Vec<(Vec<u8>, Vec<TreeEntry>)>,
}

impl Snapshot {
    /// The entries of one tree, if present.
    pub fn tree(&self, name: &str) -> Option<&[TreeEntry]> {
        self.trees
            .iter()
            .find(|(n, _)| n.as_slice() == name.as_bytes())
            .map(|(_, e)| e.as_slice())
    }

    /// Checks what a restore needs: the schema version this binary knows, an
    /// instance salt, and every report's envelopes. Returns the report count.
    pub fn verify(&self) -> Result<usize, StoreError> {
        let meta = self.tree("meta").unwrap_or_default();
        let get = |key: &str| {
            meta.iter()
                .find(|(k, _)| k.as_slice() == key.as_bytes())
                .map(|(_, v)| v.as_slice())
        };
        let found = get("schema_version")
            .and_then(|v| v.try_into().ok().map(u32::from_be_bytes))
            .unwrap_or(0);
        if found != SCHEMA_VERSION {
            return Err(StoreError::Schema {
                found,
                expected: SCHEMA_VERSION,
            });
        }
        if get("instance_salt").is_none_or(|s| s.len() != 32) {
            return Err(StoreError::Corrupt {
                tree: "meta",
                detail: "the instance salt is missing".into(),
            });
        }
        let envelopes: std::collections::HashSet<&[u8]> = self
            .tree("envelopes")
            .unwrap_or_default()
            .iter()
            .map(|(k, _)| k.as_slice())
            .collect();
        let reports = self.tree("reports").unwrap_or_default();
        for (_, v) in reports {
            let r: ReportMeta = from_json("reports", v)?;
            if let Some(e) = r
                .envelopes
                .iter()
                .find(|e| !envelopes.contains(e.id.as_bytes()))
            {
                return Err(StoreError::Corrupt {
                    tree: "envelopes",
                    detail: format!("report {} lacks its envelope {}", r.id, e.id),
                });
            }
        }
        Ok(reports.len())
    }
}

/// `fsync` of a directory: makes the entries created, renamed or removed
/// in it durable.
fn sync_dir(dir: &Path) -> std::io::Result<()> {
    std::fs::File::open(dir)?.sync_all()
}

fn to_json<T: serde::Serialize>(v: &T) -> Result<Vec<u8>, StoreError> {
    serde_json::to_vec(v).map_err(|e| StoreError::Corrupt {
        tree: "(encode)",
        detail: e.to_string(),
    })
}

fn from_json<T: serde::de::DeserializeOwned>(
    tree: &'static str,
    v: &[u8],
) -> Result<T, StoreError> {
    serde_json::from_slice(v).map_err(|e| StoreError::Corrupt {
        tree,
        detail: e.to_string(),
    })
}

fn tx_err(e: TransactionError<StoreError>) -> StoreError {
    match e {
        TransactionError::Abort(e) => e,
        TransactionError::Storage(e) => StoreError::Db(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use amanat_core::model::{Anonymity, Urgency};

    fn new_report(text: &[u8]) -> NewReport {
        NewReport {
            anonymity: Anonymity::Confidential,
            urgency: Urgency::Standard,
            envelopes: vec![NewEnvelope {
                kind: EnvelopeKind::Report,
                ciphertext: text.to_vec(),
                recipients: vec!["age1example".into()],
            }],
            source: None,
            blobs: Vec::new(),
        }
    }

    #[test]
    fn sources_messages_and_reply_deletion() {
        let dir = tempfile::tempdir().unwrap();
        let s = Store::create(dir.path()).unwrap();
        let mut r = new_report(b"c");
        let kdf = KdfParams::default();
        r.source = Some(NewSource {
            lookup: [9u8; 32],
            recipient: "age1source".into(),
            kdf,
        });
        let meta = s.insert_report(r).unwrap();
        assert_eq!(meta.source_recipient.as_deref(), Some("age1source"));
        let src = s.source(&[9u8; 32]).unwrap().unwrap();
        assert_eq!(src.report_id, meta.id);
        assert!(s.source(&[8u8; 32]).unwrap().is_none());
        assert_eq!(s.kdf_param_sets().unwrap(), vec![kdf]);

        let reply = s
            .append_envelope(
                &meta.id,
                NewEnvelope {
                    kind: EnvelopeKind::Reply,
                    ciphertext: b"reply".to_vec(),
                    recipients: vec![],
                },
            )
            .unwrap();
        assert_eq!(s.report(&meta.id).unwrap().unwrap().envelopes.len(), 2);
        assert!(
            matches!(
                s.delete_envelope(&meta.id, &meta.envelopes[0].id, EnvelopeKind::Reply),
                Err(StoreError::NotFound)
            ),
            "only replies can be deleted this way"
        );
        s.delete_envelope(&meta.id, &reply.id, EnvelopeKind::Reply)
            .unwrap();
        assert!(s.envelope(&reply.id).unwrap().is_none(), "really deleted");
        assert_eq!(s.report(&meta.id).unwrap().unwrap().envelopes.len(), 1);
        assert!(matches!(
            s.append_envelope(
                "nope",
                NewEnvelope {
                    kind: EnvelopeKind::Message,
                    ciphertext: vec![],
                    recipients: vec![]
                }
            ),
            Err(StoreError::NotFound)
        ));
    }

    /// The listing index, once built, must always equal a fresh parse of
    /// the `reports` tree, through every kind of write, from many threads.
    #[test]
    fn listing_index_follows_every_write() {
        let dir = tempfile::tempdir().unwrap();
        let s = Store::create(dir.path()).unwrap();
        let fresh = |s: &Store| -> Vec<ReportHead> {
            s.reports
                .iter()
                .map(|i| from_json("reports", &i.unwrap().1).unwrap())
                .collect()
        };
        let a = s.insert_report(new_report(b"a")).unwrap();
        assert_eq!(s.report_heads().unwrap(), fresh(&s), "built");
        let b = s.insert_report(new_report(b"b")).unwrap();
        assert_eq!(s.report_heads().unwrap(), fresh(&s), "insert");
        s.update_report(
            &a.id,
            State::New,
            |m| {
                m.state = State::Acknowledged;
                m.urgency = Urgency::Critical;
                m.assignee = Some("rev".into());
            },
            None,
        )
        .unwrap();
        let heads = s.report_heads().unwrap();
        assert_eq!(heads, fresh(&s), "update");
        let ha = heads.iter().find(|h| h.id == a.id).unwrap();
        assert_eq!(
            (ha.state, ha.urgency, ha.assignee.as_deref()),
            (State::Acknowledged, Urgency::Critical, Some("rev"))
        );
        let msg = NewEnvelope {
            kind: EnvelopeKind::Reply,
            ciphertext: b"r".to_vec(),
            recipients: vec![],
        };
        let reply = s.append_envelope(&b.id, msg).unwrap();
        s.delete_envelope(&b.id, &reply.id, EnvelopeKind::Reply)
            .unwrap();
        assert_eq!(s.report_heads().unwrap(), fresh(&s), "envelopes");
        // A refused update changes nothing.
        assert!(
            s.update_report(&b.id, State::Closed, |m| m.urgency = Urgency::High, None)
                .is_err()
        );
        assert_eq!(s.report_heads().unwrap(), fresh(&s), "refused update");
        s.purge(&a.id).unwrap();
        assert_eq!(s.report_heads().unwrap(), fresh(&s), "purge");
        assert_eq!(s.report_heads().unwrap().len(), 1);

        // Concurrent writers to the same reports end with the newest record.
        let ids: Vec<String> = (0..4)
            .map(|_| s.insert_report(new_report(b"c")).unwrap().id)
            .collect();
        std::thread::scope(|scope| {
            for t in 0..4 {
                let (s, ids) = (&s, &ids);
                scope.spawn(move || {
                    for i in 0..50 {
                        let id = &ids[(t + i) % ids.len()];
                        let to = [Urgency::Critical, Urgency::High, Urgency::Standard][i % 3];
                        let _ = s.update_report(id, State::New, |m| m.urgency = to, None);
                        let _ = s.report_heads().unwrap();
                    }
                });
            }
        });
        assert_eq!(s.report_heads().unwrap(), fresh(&s), "concurrent");
    }

    #[test]
    fn create_open_and_lock() {
        let dir = tempfile::tempdir().unwrap();
        assert!(matches!(
            Store::open(dir.path()),
            Err(StoreError::Missing(_))
        ));
        let s = Store::create(dir.path()).unwrap();
        assert_eq!(s.instance_salt().unwrap().len(), 32);
        assert!(matches!(
            Store::create(dir.path()),
            Err(StoreError::Exists(_))
        ));
        let err = Store::open(dir.path()).err().unwrap();
        assert!(matches!(err, StoreError::Locked(_)), "{err}");
        assert!(err.to_string().contains("amanatd running"));
        drop(s);
        Store::open(dir.path()).unwrap();
    }

    #[test]
    fn concurrent_writes_share_sync_rounds_and_each_is_durable_on_return() {
        let dir = tempfile::tempdir().unwrap();
        let store = std::sync::Arc::new(Store::create(dir.path()).unwrap());
        let before = store.sync_rounds();
        let (writers, each) = (16, 10);
        let threads: Vec<_> = (0..writers)
            .map(|w| {
                let store = store.clone();
                std::thread::spawn(move || {
                    for i in 0..each {
                        let text = format!("report {w}-{i}");
                        store.insert_report(new_report(text.as_bytes())).unwrap();
                    }
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
        let rounds = store.sync_rounds() - before;
        assert_eq!(store.report_count(), writers * each);
        assert!(rounds >= 1, "no sync round ran");
        assert!(
            rounds < (writers * each) as u64,
            "{rounds} rounds for {} writes: none shared",
            writers * each
        );
    }

    #[test]
    fn values_sled_keeps_in_files_of_their_own_are_fsynced_too() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::create(dir.path()).unwrap();
        // Larger than a quarter of sled's 512 KiB segment: its own file.
        let big = vec![7u8; 300 << 10];
        let meta = store.insert_report(new_report(&big)).unwrap();
        let on_disk: Vec<_> = std::fs::read_dir(dir.path().join(DB_DIR).join(SLED_VALUES_DIR))
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert!(!on_disk.is_empty(), "sled wrote no value file");
        let synced = store.synced_values.lock().unwrap().clone();
        for name in &on_disk {
            assert!(synced.contains(name), "{name:?} was not fsynced");
        }
        let envelope = store.envelope(&meta.envelopes[0].id).unwrap().unwrap();
        assert_eq!(envelope, big);
    }

    #[test]
    fn reports_survive_reopen_with_their_envelopes() {
        let dir = tempfile::tempdir().unwrap();
        let id = {
            let s = Store::create(dir.path()).unwrap();
            s.insert_report(new_report(b"ciphertext")).unwrap().id
        };
        let s = Store::open(dir.path()).unwrap();
        let meta = s.report(&id).unwrap().unwrap();
        assert_eq!(meta.state, State::New);
        assert_eq!(meta.received, Day::today());
        assert_eq!(meta.envelopes.len(), 1);
        assert_eq!(meta.envelopes[0].recipients, vec!["age1example"]);
        assert_eq!(
            s.envelope(&meta.envelopes[0].id).unwrap().unwrap(),
            b"ciphertext"
        );
        assert_eq!(s.reports().unwrap().len(), 1);
        assert!(s.report("nope").unwrap().is_none());
    }

    #[test]
    fn reviewers_are_unique() {
        let dir = tempfile::tempdir().unwrap();
        let s = Store::create(dir.path()).unwrap();
        let add = |name: &str, rec: &str| {
            s.add_reviewer(NewReviewer {
                name: name.into(),
                recipient: rec.into(),
                roles: vec![Role::Triage],
            })
        };
        let a = add("ana", "age1a").unwrap();
        assert!(matches!(add("ana", "age1b"), Err(StoreError::Conflict(_))));
        assert!(matches!(add("bo", "age1a"), Err(StoreError::Conflict(_))));
        add("bo", "age1b").unwrap();
        assert_eq!(
            s.recipients_with_role(Role::Triage).unwrap(),
            vec!["age1a", "age1b"]
        );
        assert!(s.recipients_with_role(Role::Admin).unwrap().is_empty());
        assert_eq!(s.remove_reviewer("ana").unwrap().id, a.id);
        assert!(matches!(
            s.remove_reviewer("ana"),
            Err(StoreError::NotFound)
        ));
    }
}
