//! Records stored in plaintext: the minimum triage needs (SECURITY.md lists it).

use amanat_core::crypto::codename::KdfParams;
use amanat_core::model::{Anonymity, CloseReason, Role, State, Urgency};
use amanat_core::timeutil::Day;
use serde::{Deserialize, Serialize};

/// A reviewer: a public key, a display name and roles. No secrets.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reviewer {
    pub id: String,
    pub name: String,
    pub recipient: String,
    pub roles: Vec<Role>,
    pub added: Day,
}

impl Reviewer {
    /// True if the reviewer holds `role`.
    pub fn has(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }
}

/// An online request to enrol a reviewer with the identity or admin role,
/// waiting for a second admin's approval (or the operator's local action).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingGrant {
    pub id: String,
    pub name: String,
    pub recipient: String,
    pub roles: Vec<Role>,
    /// The admin who asked; they cannot approve it themselves.
    pub requested_by: String,
    pub day: Day,
}

/// A reviewer to enrol.
#[derive(Clone, Debug)]
pub struct NewReviewer {
    pub name: String,
    pub recipient: String,
    pub roles: Vec<Role>,
}

/// What the server knows of a report without decrypting it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportMeta {
    pub id: String,
    pub received: Day,
    pub state: State,
    pub urgency: Urgency,
    /// False while the urgency is the server's proposal.
    pub urgency_confirmed: bool,
    pub anonymity: Anonymity,
    pub assignee: Option<String>,
    pub envelopes: Vec<EnvelopeRef>,
    /// The source's age recipient (derived from their codename), to which
    /// reviewers encrypt replies. A public key: it identifies no one.
    #[serde(default)]
    pub source_recipient: Option<String>,
    /// Ids of the encrypted attachment files in `blobs/`.
    #[serde(default)]
    pub blobs: Vec<String>,
    /// Why the report was closed (with state `closed`).
    #[serde(default)]
    pub closed_reason: Option<CloseReason>,
    /// The day of the last state change (retention counts from it).
    #[serde(default)]
    pub state_changed: Option<Day>,
    /// The recipients each attachment file is sealed to. A blob missing
    /// here was stored before they were recorded: see `rekey.rs`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub blob_recipients: Vec<BlobSealing>,
}

/// An attachment file and the recipients it is sealed to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BlobSealing {
    pub blob: String,
    pub recipients: Vec<String>,
}

impl ReportMeta {
    /// The day the report entered its current state.
    pub fn state_day(&self) -> Day {
        self.state_changed.unwrap_or(self.received)
    }
}

/// A report as stored since schema 2: its triage metadata and the next
/// sequence numbers of its envelope and attachment references, which live
/// in trees of their own keyed by (report id, sequence). Its size does not
/// depend on the thread's length, so a follow-up message writes a fixed
/// amount. Schema 1 records held both lists inline (`envelopes`, `blobs`);
/// only the migration and `fsck` read those.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(super) struct ReportRecord {
    pub id: String,
    pub received: Day,
    pub state: State,
    pub urgency: Urgency,
    pub urgency_confirmed: bool,
    pub anonymity: Anonymity,
    pub assignee: Option<String>,
    #[serde(default)]
    pub source_recipient: Option<String>,
    #[serde(default)]
    pub closed_reason: Option<CloseReason>,
    #[serde(default)]
    pub state_changed: Option<Day>,
    /// The sequence number the next envelope reference gets.
    #[serde(default)]
    pub next_envelope: u64,
    /// The sequence number the next attachment reference gets.
    #[serde(default)]
    pub next_blob: u64,
    /// Schema 1 only: the envelope references, inline.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub envelopes: Option<Vec<EnvelopeRef>>,
    /// Schema 1 only: the attachment ids, inline.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub blobs: Option<Vec<String>>,
}

impl ReportRecord {
    /// True for a record still in the schema 1 layout.
    pub fn is_legacy(&self) -> bool {
        self.envelopes.is_some()
    }

    /// The metadata with the given lists (assembled by the caller).
    pub fn into_meta(self, envelopes: Vec<EnvelopeRef>, blobs: Vec<String>) -> ReportMeta {
        ReportMeta {
            id: self.id,
            received: self.received,
            state: self.state,
            urgency: self.urgency,
            urgency_confirmed: self.urgency_confirmed,
            anonymity: self.anonymity,
            assignee: self.assignee,
            envelopes,
            source_recipient: self.source_recipient,
            blobs,
            closed_reason: self.closed_reason,
            state_changed: self.state_changed,
            blob_recipients: Vec::new(),
        }
    }

    /// Its listing metadata.
    pub fn head(&self) -> ReportHead {
        ReportHead {
            id: self.id.clone(),
            received: self.received,
            state: self.state,
            urgency: self.urgency,
            urgency_confirmed: self.urgency_confirmed,
            anonymity: self.anonymity,
            assignee: self.assignee.clone(),
            closed_reason: self.closed_reason,
            state_changed: self.state_changed,
        }
    }

    /// Takes the fields of `meta` (after a change) but its id and lists,
    /// keeping the sequence counters.
    pub fn set_fields(&mut self, meta: &ReportMeta) {
        self.received = meta.received;
        self.state = meta.state;
        self.urgency = meta.urgency;
        self.urgency_confirmed = meta.urgency_confirmed;
        self.anonymity = meta.anonymity;
        self.assignee = meta.assignee.clone();
        self.source_recipient = meta.source_recipient.clone();
        self.closed_reason = meta.closed_reason;
        self.state_changed = meta.state_changed;
    }
}

/// What a listing needs of a report: its metadata without the envelope and
/// attachment lists (the value of the `queue_order` tree; parsed from a
/// record, the rest is skipped).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportHead {
    pub id: String,
    pub received: Day,
    pub state: State,
    pub urgency: Urgency,
    pub urgency_confirmed: bool,
    pub anonymity: Anonymity,
    pub assignee: Option<String>,
    #[serde(default)]
    pub closed_reason: Option<CloseReason>,
    #[serde(default)]
    pub state_changed: Option<Day>,
}

impl ReportHead {
    /// The day the report entered its current state.
    pub fn state_day(&self) -> Day {
        self.state_changed.unwrap_or(self.received)
    }
}

/// Where an envelope is and whom it was encrypted to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnvelopeRef {
    pub id: String,
    pub kind: EnvelopeKind,
    pub recipients: Vec<String>,
    pub day: Day,
}

pub use amanat_core::records::EnvelopeKind;

/// A report to store: metadata choices, sealed envelopes, and the source's
/// lookup record.
pub struct NewReport {
    pub anonymity: Anonymity,
    pub urgency: Urgency,
    pub envelopes: Vec<NewEnvelope>,
    pub source: Option<NewSource>,
    /// Blob ids already made durable with [`super::Store::commit_blobs`].
    pub blobs: Vec<String>,
}

/// The lookup record of a source: found by the codename's derived lookup id.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceRecord {
    pub report_id: String,
    pub recipient: String,
    pub kdf: KdfParams,
}

/// A source to record with a new report.
pub struct NewSource {
    pub lookup: [u8; 32],
    pub recipient: String,
    pub kdf: KdfParams,
}

/// A sealed envelope to store.
pub struct NewEnvelope {
    pub kind: EnvelopeKind,
    pub ciphertext: Vec<u8>,
    pub recipients: Vec<String>,
}
