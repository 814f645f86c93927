//! Re-keying: what is still sealed to keys that should no longer open it,
//! and the swaps that replace a ciphertext with one an admin's CLI
//! re-encrypted to today's reviewers.
//!
//! The server holds no key, so it never re-encrypts anything itself: it
//! checks that a swap replaces exactly the ciphertext the CLI read (by its
//! SHA-256), keeps the recipients on record, and makes the swap durable.
//! An envelope is swapped in one sled transaction with its recipients. An
//! attachment file is swapped by renaming a fully written and fsynced
//! temporary file over the old one (a crash leaves the old file or the new
//! one, never half of either), and only then are its recipients recorded:
//! a crash between the two leaves the record saying "old keys", which is
//! re-keyed again, never the other way round.
//!
//! Recipients are classified here and only here ([`is_classical`],
//! [`stanza_type`]). Nothing here logs, and nothing names content.

use super::reports::record_in;
use super::{
    BLOBS_DIR, EnvelopeRef, ReportMeta, Store, StoreError, from_json, sealing, sync_dir, to_json,
    tx_err,
};
use amanat_core::api::RekeyStatus;
use amanat_core::crypto::ct_eq;
use sha2::{Digest, Sha256};
use sled::Transactional;
use sled::transaction::ConflictableTransactionError;
use std::collections::HashSet;
use std::io::{BufRead, Read};
use std::sync::Mutex;

/// The `meta` key of the removed reviewers' recipients.
const REMOVED_KEY: &str = "removed_recipients";

/// The prefix of a re-keyed attachment file while it is written: an
/// interrupted upload's prefix, so that opening the store and
/// `amanatd fsck --repair` remove a leftover one like any other.
pub const REKEY_TEMP_PREFIX: &str = ".upload-rekey-";

/// One attachment swap at a time: the old file's hash is checked and the
/// new file renamed over it without another swap in between.
static BLOB_SWAP: Mutex<()> = Mutex::new(());

/// The age stanza type a recipient's files carry, `None` if it is not a
/// recipient this server knows. With [`is_classical`], read from the one
/// typed recipient (`amanat_core::crypto::recipient`).
pub fn stanza_type(recipient: &str) -> Option<&'static str> {
    recipient
        .parse::<amanat_core::crypto::recipient::Recipient>()
        .ok()
        .map(|r| r.kind().as_str())
}

/// True if files sealed to `recipient` could be opened by a quantum
/// computer's attack on its key: every key that is not post-quantum (an
/// unknown one counts as classical).
pub fn is_classical(recipient: &str) -> bool {
    !recipient
        .parse::<amanat_core::crypto::recipient::Recipient>()
        .is_ok_and(|r| r.is_post_quantum())
}

/// Recipient sets, each with how many envelopes or files are sealed to it.
/// Reports have few distinct sets, so a listing keeps a few per report.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Grouped(Vec<(Vec<String>, u32)>);

impl Grouped {
    fn add(&mut self, set: Vec<String>) {
        match self.0.iter_mut().find(|(s, _)| *s == set) {
            Some((_, n)) => *n += 1,
            None => self.0.push((set, 1)),
        }
    }

    fn total(&self) -> u32 {
        self.0.iter().map(|(_, n)| n).sum()
    }

    fn of_meta(meta: &ReportMeta) -> (Grouped, Grouped) {
        let mut envelopes = Grouped::default();
        for e in &meta.envelopes {
            envelopes.add(e.recipients.clone());
        }
        let mut blobs = Grouped::default();
        for b in &meta.blobs {
            if let Some(r) = meta.sealed_to(b) {
                blobs.add(r.to_vec());
            }
        }
        (envelopes, blobs)
    }
}

/// Records a reviewer's removal (`add`) or enrolment (`drop`: a key
/// enrolled again is no longer a removed one) in the removed recipients,
/// inside the caller's transaction on the `meta` tree.
pub(super) fn record_removed(
    meta: &sled::transaction::TransactionalTree,
    add: Option<&str>,
    drop: Option<&str>,
) -> Result<(), ConflictableTransactionError<StoreError>> {
    let abort = ConflictableTransactionError::Abort;
    let mut v: Vec<String> = match meta.get(REMOVED_KEY)? {
        Some(raw) => from_json("meta", &raw).map_err(abort)?,
        None => Vec::new(),
    };
    if let Some(a) = add {
        if !v.iter().any(|r| r == a) {
            v.push(a.to_string());
        }
    }
    if let Some(d) = drop {
        v.retain(|r| r != d);
    }
    meta.insert(REMOVED_KEY, to_json(&v).map_err(abort)?)?;
    Ok(())
}

/// The keys that may open a report's envelopes: every current reviewer's,
/// and the report's source's.
pub struct CurrentKeys(HashSet<String>);

impl CurrentKeys {
    /// The keys of `reviewers` (every enrolled reviewer).
    pub fn of(reviewers: &[super::Reviewer]) -> CurrentKeys {
        CurrentKeys(reviewers.iter().map(|r| r.recipient.clone()).collect())
    }

    /// The re-keying status of a report whose envelopes and files are
    /// sealed as `envelopes` and `blobs` say (`blob_count` files in all;
    /// those without recipients on record count as removed and classical).
    pub fn status(
        &self,
        source: Option<&str>,
        envelopes: &Grouped,
        blob_count: u32,
        blobs: &Grouped,
    ) -> RekeyStatus {
        let unknown = blob_count.saturating_sub(blobs.total());
        let mut s = RekeyStatus {
            removed: unknown,
            classical: unknown,
        };
        for (set, n) in envelopes.0.iter().chain(&blobs.0) {
            if set
                .iter()
                .any(|r| !self.0.contains(r) && Some(r.as_str()) != source)
            {
                s.removed += n;
            }
            if set.iter().any(|r| is_classical(r)) {
                s.classical += n;
            }
        }
        s
    }

    /// True if `set` (a canonical set: the source's key as
    /// `sealing::SOURCE`) names a key that is not a current reviewer's.
    pub fn removes_any(&self, set: &[String]) -> bool {
        set.iter()
            .any(|r| r != super::sealing::SOURCE && !self.0.contains(r))
    }

    /// The status of one report.
    pub fn status_of(&self, meta: &ReportMeta) -> RekeyStatus {
        let (envelopes, blobs) = Grouped::of_meta(meta);
        let count = u32::try_from(meta.blobs.len()).unwrap_or(u32::MAX);
        self.status(meta.source_recipient.as_deref(), &envelopes, count, &blobs)
    }
}

impl ReportMeta {
    /// The recipients on record for attachment file `blob`, if any.
    pub fn sealed_to(&self, blob: &str) -> Option<&[String]> {
        self.blob_recipients
            .iter()
            .find(|s| s.blob == blob)
            .map(|s| s.recipients.as_slice())
    }
}

impl Store {
    /// The keys of today's reviewers, to compute re-keying status with.
    pub fn current_keys(&self) -> Result<CurrentKeys, StoreError> {
        Ok(CurrentKeys::of(&self.reviewers()?))
    }

    /// The re-keying status of one report: from the sealing summary of its
    /// queue entry (two small reads), or from its references for an entry
    /// that has none.
    pub fn rekey_status(
        &self,
        report_id: &str,
        keys: &CurrentKeys,
    ) -> Result<RekeyStatus, StoreError> {
        let record = self.report_record(report_id)?.ok_or(StoreError::NotFound)?;
        let listed = self.order.get(super::order::key_of(&record.head()))?;
        match listed.map(|v| super::order::entry(&v)).transpose()? {
            Some(super::order::Listed {
                sealing: Some(s), ..
            }) => self.sealing_status(&s, keys),
            _ => Ok(keys.status_of(&self.assemble(record)?)),
        }
    }

    /// The re-keying status of a report as the queue lists it.
    pub fn listed_status(
        &self,
        listed: &super::order::Listed,
        keys: &CurrentKeys,
    ) -> Result<RekeyStatus, StoreError> {
        match &listed.sealing {
            Some(s) => self.sealing_status(s, keys),
            None => self.rekey_status(&listed.head.id, keys),
        }
    }

    /// The recipients of every removed reviewer, oldest removal first.
    pub fn removed_recipients(&self) -> Result<Vec<String>, StoreError> {
        match self.meta.get(REMOVED_KEY)? {
            Some(v) => from_json("meta", &v),
            None => Ok(Vec::new()),
        }
    }

    /// Replaces envelope `envelope_id` of report `report_id` with
    /// `ciphertext`, sealed to `recipients`, in one transaction with its
    /// recipients on record; `Conflict` unless the stored ciphertext's
    /// SHA-256 is still `old_sha256`. Durable before it returns.
    pub fn swap_envelope(
        &self,
        report_id: &str,
        envelope_id: &str,
        old_sha256: &str,
        ciphertext: &[u8],
        recipients: &[String],
    ) -> Result<ReportMeta, StoreError> {
        let _gate = self.write_gate();
        let abort = ConflictableTransactionError::Abort;
        let key = self
            .envelope_ref_entries(report_id)?
            .into_iter()
            .find(|(_, e)| e.id == envelope_id)
            .map(|(k, _)| k)
            .ok_or(StoreError::NotFound)?;
        (
            &self.envelope_refs,
            &self.envelopes,
            &self.reports,
            &self.order,
            &self.recipient_sets,
            &self.sealing_counts,
        )
            .transaction(|(env_refs, envelopes, reports, order, sets, seal_counts)| {
                // Removed meanwhile (with its report, or by its source).
                let Some(raw) = env_refs.get(&key)? else {
                    return Err(abort(StoreError::NotFound));
                };
                let mut r: EnvelopeRef = from_json("report_envelopes", &raw).map_err(abort)?;
                let record = record_in(reports, report_id)?;
                let Some(old) = envelopes.get(envelope_id.as_bytes())? else {
                    return Err(abort(StoreError::NotFound));
                };
                if !ct_eq(sha256_hex(&old).as_bytes(), old_sha256.as_bytes()) {
                    return Err(abort(changed("envelope")));
                }
                let changes = [(Some(&r.recipients[..]), -1, 0), (Some(recipients), 1, 0)];
                sealing::reseal_listed(order, &record, sets, seal_counts, &changes)?;
                r.recipients = recipients.to_vec();
                env_refs.insert(&key, to_json(&r).map_err(abort)?)?;
                envelopes.insert(envelope_id.as_bytes(), ciphertext)?;
                Ok(())
            })
            .map_err(tx_err)?;
        self.durable()?;
        self.report(report_id)?.ok_or(StoreError::NotFound)
    }

    /// A new temporary file in the attachment directory for a re-keyed
    /// attachment (removed when dropped unless swapped in).
    pub fn stage_rekey_blob(&self) -> Result<tempfile::NamedTempFile, StoreError> {
        Ok(tempfile::Builder::new()
            .prefix(REKEY_TEMP_PREFIX)
            .tempfile_in(self.blobs_dir())?)
    }

    /// Renames `staged` (written and fsynced by the caller) over attachment
    /// file `blob_id` of report `report_id`, then records `recipients` for
    /// it. `Conflict` unless the old file's SHA-256 is still `old_sha256`;
    /// `NotFound` unless the report names the blob. Durable before it
    /// returns.
    pub fn swap_blob(
        &self,
        report_id: &str,
        blob_id: &str,
        old_sha256: &str,
        staged: tempfile::NamedTempFile,
        recipients: &[String],
    ) -> Result<ReportMeta, StoreError> {
        let _one = match BLOB_SWAP.lock() {
            Ok(g) => g,
            Err(p) => p.into_inner(),
        };
        let _gate = self.write_gate();
        let key = self
            .blob_ref_entries(report_id)?
            .into_iter()
            .find(|(_, id, _)| id == blob_id)
            .map(|(k, _, _)| k);
        let (Some(key), Some(path)) = (key, self.blob_path(blob_id)) else {
            return Err(StoreError::NotFound);
        };
        let old = sha256_file(std::fs::File::open(&path)?)?;
        if !ct_eq(old.as_bytes(), old_sha256.as_bytes()) {
            return Err(changed("attachment file"));
        }
        let value = super::refs::blob_value(blob_id, Some(recipients))?;
        staged.persist(&path).map_err(|e| StoreError::Io(e.error))?;
        sync_dir(&self.dir.join(BLOBS_DIR))?;
        (
            &self.blob_refs,
            &self.reports,
            &self.order,
            &self.recipient_sets,
            &self.sealing_counts,
        )
            .transaction(|(blob_refs, reports, order, sets, seal_counts)| {
                // Purged meanwhile: the file went with its report.
                let Some(raw) = blob_refs.get(&key)? else {
                    return Err(ConflictableTransactionError::Abort(StoreError::NotFound));
                };
                let (_, old) =
                    super::refs::blob_ref(&raw).map_err(ConflictableTransactionError::Abort)?;
                let record = record_in(reports, report_id)?;
                let changes = [(old.as_deref(), 0, -1), (Some(recipients), 0, 1)];
                sealing::reseal_listed(order, &record, sets, seal_counts, &changes)?;
                blob_refs.insert(&key, value.as_slice())?;
                Ok(())
            })
            .map_err(tx_err)?;
        self.durable()?;
        self.report(report_id)?.ok_or(StoreError::NotFound)
    }
}

/// "The … changed since you read it": a swap that raced another change.
fn changed(what: &str) -> StoreError {
    StoreError::Conflict(format!(
        "the {what} changed since you read it (its SHA-256 is not the one given); \
         fetch the report again and re-encrypt what it holds now"
    ))
}

/// SHA-256 of `bytes`, lowercase hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    data_encoding::HEXLOWER.encode(&Sha256::digest(bytes))
}

/// SHA-256 of a file, read in bounded pieces, lowercase hex.
pub fn sha256_file(file: std::fs::File) -> std::io::Result<String> {
    let mut r = std::io::BufReader::with_capacity(256 * 1024, file);
    let mut sha = Sha256::new();
    loop {
        let buf = r.fill_buf()?;
        if buf.is_empty() {
            break;
        }
        sha.update(buf);
        let n = buf.len();
        r.consume(n);
    }
    Ok(data_encoding::HEXLOWER.encode(&sha.finalize()))
}

/// The length of an age file's header (through the MAC line), read from
/// its first 64 KiB; `None` if it has no complete header there.
pub fn age_header_len(mut input: impl Read) -> Option<u64> {
    let mut head = Vec::with_capacity(64 * 1024);
    input.by_ref().take(64 * 1024).read_to_end(&mut head).ok()?;
    let mac = head.windows(4).position(|w| w == b"\n---")?;
    let end = head[mac + 1..].iter().position(|&b| b == b'\n')?;
    Some((mac + 1 + end + 1) as u64)
}

#[cfg(test)]
mod tests;
