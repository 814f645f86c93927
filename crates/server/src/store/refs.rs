//! The envelope and attachment references of reports, each in a tree of its
//! own keyed by (report id, NUL, big-endian sequence number): a prefix scan
//! returns one report's references in the order they were added, and
//! adding one writes a single small entry whatever the thread's length.
//! Report ids are ASCII, so the NUL ends the prefix: no report's prefix is
//! another's. Values are JSON: an [`EnvelopeRef`], or an attachment's
//! [`BlobSealing`] (its id and the keys it is sealed to; a bare id string for
//! one whose keys are not on record).

use super::{
    BlobSealing, EnvelopeRef, ReportMeta, ReportRecord, Store, StoreError, from_json, to_json,
};

/// The key prefix of one report's references.
pub(super) fn prefix(report_id: &str) -> Vec<u8> {
    let mut k = Vec::with_capacity(report_id.len() + 9);
    k.extend_from_slice(report_id.as_bytes());
    k.push(0);
    k
}

/// The key of one report's reference number `seq`.
pub(super) fn key(report_id: &str, seq: u64) -> Vec<u8> {
    let mut k = prefix(report_id);
    k.extend_from_slice(&seq.to_be_bytes());
    k
}

/// The stored value of an attachment reference: its id and, when known,
/// the keys it is sealed to (every plaintext value in the store is JSON).
pub(super) fn blob_value(id: &str, recipients: Option<&[String]>) -> Result<Vec<u8>, StoreError> {
    match recipients {
        Some(r) => to_json(&BlobSealing {
            blob: id.to_string(),
            recipients: r.to_vec(),
        }),
        None => to_json(&id),
    }
}

/// A stored attachment reference: its id, and its keys if on record.
#[derive(serde::Deserialize)]
#[serde(untagged)]
enum StoredBlobRef {
    Sealed(BlobSealing),
    Id(String),
}

/// The attachment id and recipients (if on record) of a stored reference.
pub(super) fn blob_ref(value: &[u8]) -> Result<(String, Option<Vec<String>>), StoreError> {
    Ok(match from_json("report_blobs", value)? {
        StoredBlobRef::Sealed(s) => (s.blob, Some(s.recipients)),
        StoredBlobRef::Id(id) => (id, None),
    })
}

/// The attachment id of a stored reference value.
pub(super) fn blob_id(value: &[u8]) -> Result<String, StoreError> {
    blob_ref(value).map(|(id, _)| id)
}

/// A stored attachment reference: its key, the attachment id, and the
/// keys it is sealed to if on record.
pub(super) type BlobRefEntry = (sled::IVec, String, Option<Vec<String>>);

/// The report id a reference key belongs to, if the key is well formed.
pub(super) fn report_of(key: &[u8]) -> Option<&str> {
    let (id, seq) = key.split_at(key.len().checked_sub(9)?);
    (seq.first() == Some(&0))
        .then(|| std::str::from_utf8(id).ok())
        .flatten()
}

impl Store {
    /// One report's envelope references, in the order they were added.
    pub fn envelope_refs(&self, report_id: &str) -> Result<Vec<EnvelopeRef>, StoreError> {
        Ok(self
            .envelope_ref_entries(report_id)?
            .into_iter()
            .map(|(_, r)| r)
            .collect())
    }

    /// One report's attachment ids, in the order they were added.
    pub fn blob_ids(&self, report_id: &str) -> Result<Vec<String>, StoreError> {
        let mut v = Vec::new();
        for item in self.blob_refs.scan_prefix(prefix(report_id)) {
            let (_, id) = item?;
            v.push(blob_id(&id)?);
        }
        Ok(v)
    }

    /// True if attachment `blob` belongs to report `report_id`.
    pub fn has_blob(&self, report_id: &str, blob: &str) -> Result<bool, StoreError> {
        for item in self.blob_refs.scan_prefix(prefix(report_id)) {
            let (_, id) = item?;
            if blob_id(&id)? == blob {
                return Ok(true);
            }
        }
        Ok(false)
    }

    /// One report's attachment references with their keys: id and
    /// recipients (if on record).
    pub(super) fn blob_ref_entries(
        &self,
        report_id: &str,
    ) -> Result<Vec<BlobRefEntry>, StoreError> {
        let mut v = Vec::new();
        for item in self.blob_refs.scan_prefix(prefix(report_id)) {
            let (k, raw) = item?;
            let (id, recipients) = blob_ref(&raw)?;
            v.push((k, id, recipients));
        }
        Ok(v)
    }

    /// One report's envelope references with their keys.
    pub(super) fn envelope_ref_entries(
        &self,
        report_id: &str,
    ) -> Result<Vec<(sled::IVec, EnvelopeRef)>, StoreError> {
        let mut v = Vec::new();
        for item in self.envelope_refs.scan_prefix(prefix(report_id)) {
            let (k, r) = item?;
            v.push((k, from_json("report_envelopes", &r)?));
        }
        Ok(v)
    }

    /// The full metadata of a stored record: its lists inline (schema 1) or
    /// assembled from the reference trees.
    pub(super) fn assemble(&self, record: ReportRecord) -> Result<ReportMeta, StoreError> {
        if record.is_legacy() {
            let mut record = record;
            let envelopes = record.envelopes.take().unwrap_or_default();
            let blobs = record.blobs.take().unwrap_or_default();
            return Ok(record.into_meta(envelopes, blobs));
        }
        let envelopes = self.envelope_refs(&record.id)?;
        let mut blobs = Vec::new();
        let mut sealed = Vec::new();
        for (_, blob, recipients) in self.blob_ref_entries(&record.id)? {
            if let Some(recipients) = recipients {
                sealed.push(BlobSealing {
                    blob: blob.clone(),
                    recipients,
                });
            }
            blobs.push(blob);
        }
        let mut meta = record.into_meta(envelopes, blobs);
        meta.blob_recipients = sealed;
        Ok(meta)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_sort_by_sequence_and_name_their_report() {
        let id = "a".repeat(26);
        assert!(key(&id, 1) < key(&id, 2));
        assert!(key(&id, 255) < key(&id, 256), "big-endian");
        assert!(key(&id, 9).starts_with(&prefix(&id)));
        assert!(!key(&format!("{id}b"), 0).starts_with(&prefix(&id)));
        assert_eq!(report_of(&key(&id, 7)), Some(id.as_str()));
        assert_eq!(report_of(b"short"), None);
    }
}
