//! Fetch and decrypt once: a report's detail is fetched in one request and
//! each of its envelopes decrypted once, with an identity loaded once per
//! command, into typed records that `show`, `reply`, `export` and
//! `download` read. Nothing here prints, and nothing decrypted is written
//! to disk.
//!
//! The report envelope must open and read as an `amanat.report/1` record
//! (else the command fails with exit code 7); a thread entry that does not
//! open or read is kept as "not encrypted to your key".
//!
//! A plugin (hardware) identity is opened through its plugin program
//! (`age-plugin-<name>` on `PATH`), which age runs; what the plugin asks
//! ("touch your key", a PIN) goes to the terminal through [`Prompts`], never
//! to stdout, so `--json` output stays clean.

use crate::client::Connection;
use crate::exit::{CliError, Exit};
use amanat_core::api::{EnvelopeData, ReportDetail};
use amanat_core::crypto::envelope;
use amanat_core::keyfile::{IdentityKey, KeyfileError, LoadedIdentity, PluginIdentity};
use amanat_core::records::{
    AttachmentManifest, EnvelopeKind, IdentityRecord, MessageRecord, NoteRecord, Record,
    ReplyRecord, ReportRecord, WithdrawalRecord,
};
use amanat_core::timeutil::Day;
use data_encoding::BASE64;
use std::cell::OnceCell;
use std::path::{Path, PathBuf};
use zeroize::Zeroizing;

/// How an identity file is loaded: `amanat_core::keyfile::load`, which asks
/// for the passphrase of a protected file.
pub type Loader = fn(&Path) -> Result<LoadedIdentity, KeyfileError>;

/// The reviewer's identity, loaded (and its passphrase asked for) on first
/// use and at most once.
pub struct Identity {
    path: PathBuf,
    load: Loader,
    loaded: OnceCell<LoadedIdentity>,
    plugin: OnceCell<age::plugin::IdentityPluginV1<Prompts>>,
}

impl Identity {
    /// The identity in the file at `path`, not loaded yet.
    pub fn new(path: &Path, load: Loader) -> Identity {
        Identity {
            path: path.to_path_buf(),
            load,
            loaded: OnceCell::new(),
            plugin: OnceCell::new(),
        }
    }

    /// The identity file's path, for messages.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The identity, loading it the first time.
    pub fn get(&self) -> Result<&LoadedIdentity, CliError> {
        if let Some(id) = self.loaded.get() {
            return Ok(id);
        }
        let id = (self.load)(&self.path)?;
        Ok(self.loaded.get_or_init(|| id))
    }

    /// The identity as age decrypts with it: the X25519 key, or the plugin
    /// that holds the key (found on `PATH` once).
    pub fn age(&self) -> Result<&dyn age::Identity, CliError> {
        match &self.get()?.key {
            IdentityKey::X25519(id) => Ok(id),
            IdentityKey::Plugin(p) => {
                if let Some(plugin) = self.plugin.get() {
                    return Ok(plugin);
                }
                let plugin = plugin_identity(p, &self.path)?;
                Ok(self.plugin.get_or_init(|| plugin))
            }
        }
    }

    /// Opens one envelope with this identity (a login challenge, a report's
    /// envelopes): `None` if it is not encrypted to it or does not open.
    pub fn open(&self, ciphertext: &[u8]) -> Result<Option<Zeroizing<Vec<u8>>>, CliError> {
        let id = self.age()?;
        Ok(envelope::open(ciphertext, &[id]).ok())
    }
}

/// age's callbacks for a plugin: its messages ("touch your YubiKey") and
/// questions (a PIN) on stderr and the terminal.
#[derive(Clone, Copy)]
pub struct Prompts;

impl age::Callbacks for Prompts {
    fn display_message(&self, message: &str) {
        eprintln!("{message}");
    }

    fn confirm(&self, message: &str, yes: &str, no: Option<&str>) -> Option<bool> {
        let choices = match no {
            Some(no) => format!("[{yes}/{no}]"),
            None => format!("[{yes}]"),
        };
        eprint!("{message} {choices} ");
        let mut answer = String::new();
        std::io::stdin().read_line(&mut answer).ok()?;
        let answer = answer.trim();
        if answer.eq_ignore_ascii_case(yes) || (answer.is_empty() && no.is_none()) {
            Some(true)
        } else if no.is_some_and(|n| answer.eq_ignore_ascii_case(n)) {
            Some(false)
        } else {
            None
        }
    }

    fn request_public_string(&self, description: &str) -> Option<String> {
        eprint!("{description} ");
        let mut answer = String::new();
        std::io::stdin().read_line(&mut answer).ok()?;
        Some(answer.trim_end_matches(['\r', '\n']).to_string())
    }

    fn request_passphrase(&self, description: &str) -> Option<secrecy::SecretString> {
        // A PIN or passphrase the plugin needs: asked without echo.
        let p = amanat_core::keyfile::ask_secret(description).ok()?;
        Some(secrecy::SecretString::from(p.to_string()))
    }
}

/// The plugin that opens `p`, or a clear error naming the program missing
/// from `PATH` (exit code 7).
fn plugin_identity(
    p: &PluginIdentity,
    path: &Path,
) -> Result<age::plugin::IdentityPluginV1<Prompts>, CliError> {
    let bad = || {
        CliError::general(format!(
            "{} holds a plugin identity that is not valid age Bech32",
            path.display()
        ))
    };
    let id: age::plugin::Identity = p.expose().parse().map_err(|_| bad())?;
    age::plugin::IdentityPluginV1::new(p.plugin_name(), &[id], Prompts).map_err(|_| {
        CliError::new(
            Exit::Decrypt,
            format!(
                "the identity in {} is held by the age plugin `{}`, which is not on PATH; \
                 install it (docs/reviewers.md) or add its directory to PATH, then try again",
                path.display(),
                p.binary_name()
            ),
        )
    })
}

/// A report as this reviewer can read it.
pub struct DecryptedReport {
    /// The server's summary and the envelopes' metadata.
    pub detail: ReportDetail,
    pub report: ReportRecord,
    /// The identity section, when it is encrypted to this reviewer.
    pub identity: Option<IdentityRecord>,
    /// Messages, replies, notes and withdrawals, oldest first.
    pub thread: Vec<ThreadEntry>,
}

/// One entry of a report's thread.
pub struct ThreadEntry {
    pub kind: EnvelopeKind,
    pub day: Day,
    /// `None` when it is not encrypted to this reviewer's key (made before
    /// they were enrolled) or does not read as its kind's record.
    pub record: Option<ThreadRecord>,
}

/// The record of a thread entry.
pub enum ThreadRecord {
    Message(MessageRecord),
    Reply(ReplyRecord),
    Note(NoteRecord),
    Withdrawal(WithdrawalRecord),
}

impl ThreadRecord {
    /// The free text of a message, reply or note.
    pub fn text(&self) -> Option<&str> {
        match self {
            ThreadRecord::Message(m) => Some(&m.text),
            ThreadRecord::Reply(r) => Some(&r.text),
            ThreadRecord::Note(n) => Some(&n.text),
            ThreadRecord::Withdrawal(_) => None,
        }
    }

    /// The attachments a message carries.
    pub fn attachments(&self) -> &[AttachmentManifest] {
        match self {
            ThreadRecord::Message(m) => &m.attachments,
            _ => &[],
        }
    }
}

/// Refuses what is not a report id before anything is sent.
pub fn check_id(id: &str) -> Result<(), CliError> {
    if amanat_core::crypto::random::is_id(id) {
        return Ok(());
    }
    Err(CliError::new(
        Exit::NotFound,
        format!("{id:?} is not a report id (26 letters and digits, as shown by `amanat list`)"),
    ))
}

/// "no report with id …" for a not-found answer about report `id`.
pub fn no_such_report(id: &str) -> impl FnOnce(CliError) -> CliError + '_ {
    move |e| {
        if e.code == Exit::NotFound {
            CliError::new(Exit::NotFound, format!("no report with id {id}"))
        } else {
            e
        }
    }
}

/// Fetches report `id` and decrypts each of its envelopes once.
pub fn fetch(conn: &Connection, key: &Identity, id: &str) -> Result<DecryptedReport, CliError> {
    check_id(id)?;
    let detail: ReportDetail = conn
        .api
        .get(&format!("/api/v1/reports/{id}"))
        .map_err(no_such_report(id))?;
    // Loaded (and its passphrase asked for, its plugin started) before
    // anything is opened.
    key.age()?;
    let open = |e: &EnvelopeData| open_envelope(key, id, e);
    let mut report = None;
    let mut ident = None;
    let mut thread = Vec::new();
    for e in &detail.envelopes {
        match e.kind {
            EnvelopeKind::Report => report = Some(read(&open(e)?)?),
            EnvelopeKind::Identity => ident = Some(read(&open(e)?)?),
            // A message or reply made before this reviewer was enrolled is
            // not encrypted to them: show that, do not fail the whole thread.
            kind => thread.push(ThreadEntry {
                kind,
                day: e.day,
                record: open(e).ok().and_then(|plain| thread_record(kind, &plain)),
            }),
        }
    }
    let report = report.ok_or_else(|| CliError::general("this report has no report envelope"))?;
    Ok(DecryptedReport {
        detail,
        report,
        identity: ident,
        thread,
    })
}

/// Decrypts one envelope of report `id` with the reviewer's identity into
/// its padded-off plaintext (for `fetch`, and for `amanat admin rekey`,
/// which seals the very same bytes to today's reviewers).
pub fn open_envelope(
    key: &Identity,
    id: &str,
    e: &EnvelopeData,
) -> Result<Zeroizing<Vec<u8>>, CliError> {
    let identity = key.age()?;
    let ct = BASE64
        .decode(e.ciphertext.as_bytes())
        .map_err(|_| CliError::general("the server sent malformed ciphertext"))?;
    envelope::open(&ct, &[identity]).map_err(|_| {
        CliError::new(
            Exit::Decrypt,
            format!(
                "cannot decrypt the {:?} envelope of report {id} with {}: it was not encrypted to this identity",
                e.kind,
                key.path().display()
            ),
        )
    })
}

impl DecryptedReport {
    /// Every attachment: those sent with the report, then those sent with
    /// the source's follow-up messages, oldest first.
    pub fn all_attachments(&self) -> Vec<AttachmentManifest> {
        let mut files = self.report.attachments.clone();
        for e in &self.thread {
            if let Some(ThreadRecord::Message(m)) = &e.record {
                files.extend(m.attachments.iter().cloned());
            }
        }
        files
    }

    /// The consent flags the source withdrew through the follow-up channel.
    /// Fails closed: a withdrawal this identity cannot decrypt, or cannot
    /// read, may withdraw any consent, so it stops whatever needed consent.
    pub fn withdrawals(&self, key: &Identity) -> Result<Vec<String>, CliError> {
        let id = &self.detail.report.id;
        let mut withdrawn = Vec::new();
        for e in self
            .thread
            .iter()
            .filter(|e| e.kind == EnvelopeKind::Withdrawal)
        {
            let Some(ThreadRecord::Withdrawal(w)) = &e.record else {
                return Err(CliError::new(
                    Exit::Decrypt,
                    format!(
                        "the source of report {id} withdrew consent on {}, and that \
                         withdrawal cannot be read with your key ({}); it may withdraw any \
                         consent, so nothing was done. A reviewer who was enrolled then can \
                         read it with `amanat show {id}`",
                        e.day,
                        key.path().display()
                    ),
                ));
            };
            withdrawn.extend(w.withdraw.iter().cloned());
        }
        Ok(withdrawn)
    }
}

/// A decrypted report or identity envelope, which must read as its record.
fn read<R: Record>(plain: &[u8]) -> Result<R, CliError> {
    R::from_plaintext(plain)
        .map_err(|_| CliError::new(Exit::Decrypt, "the decrypted data is malformed"))
}

/// A decrypted thread entry as its kind's record, if it reads as one.
fn thread_record(kind: EnvelopeKind, plain: &[u8]) -> Option<ThreadRecord> {
    Some(match kind {
        EnvelopeKind::Message => ThreadRecord::Message(MessageRecord::from_plaintext(plain).ok()?),
        EnvelopeKind::Reply => ThreadRecord::Reply(ReplyRecord::from_plaintext(plain).ok()?),
        EnvelopeKind::Note => ThreadRecord::Note(NoteRecord::from_plaintext(plain).ok()?),
        EnvelopeKind::Withdrawal => {
            ThreadRecord::Withdrawal(WithdrawalRecord::from_plaintext(plain).ok()?)
        }
        EnvelopeKind::Report | EnvelopeKind::Identity => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::Cell;

    thread_local! {
        static LOADS: Cell<u32> = const { Cell::new(0) };
    }

    fn counting(path: &Path) -> Result<LoadedIdentity, KeyfileError> {
        LOADS.with(|n| n.set(n.get() + 1));
        amanat_core::keyfile::load(path)
    }

    #[test]
    fn an_identity_is_loaded_once_however_often_it_is_used() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("key.txt");
        let recipient = amanat_core::keyfile::keygen(&path, None).unwrap();
        let key = Identity::new(&path, counting);
        assert_eq!(LOADS.with(Cell::get), 0, "loaded before use");
        for _ in 0..3 {
            assert_eq!(key.get().unwrap().recipient, recipient);
        }
        assert_eq!(LOADS.with(Cell::get), 1);
    }

    #[test]
    fn a_thread_entry_of_another_kind_or_malformed_is_unreadable() {
        let reply = br#"{"schema":"amanat.reply/1","text":"x","reviewer":"r"}"#;
        assert!(matches!(
            thread_record(EnvelopeKind::Reply, reply),
            Some(ThreadRecord::Reply(_))
        ));
        assert!(thread_record(EnvelopeKind::Note, reply).is_none());
        assert!(thread_record(EnvelopeKind::Message, b"not json").is_none());
        assert!(matches!(
            read::<ReportRecord>(reply),
            Err(CliError {
                code: Exit::Decrypt,
                ..
            })
        ));
    }
}
