//! What is stored and what reviewers decrypt: the kinds of envelope and the
//! manifest each attachment carries inside the encrypted report.

use serde::{Deserialize, Serialize};

/// What an envelope holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EnvelopeKind {
    /// The questionnaire answers (triage reviewers).
    Report,
    /// The identity section (identity reviewers only).
    Identity,
    /// A follow-up message from the source (triage reviewers).
    Message,
    /// A reviewer's reply (the source and the triage reviewers).
    Reply,
    /// A reviewer's note and tags (triage reviewers).
    Note,
    /// A source's withdrawal of consent (triage reviewers).
    Withdrawal,
}

/// What the encrypted manifest records of each attachment.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttachmentManifest {
    /// The blob id (set when the file is committed).
    pub blob: String,
    /// The file name as sent, made safe to show and to save.
    pub name: String,
    /// Media type detected from the content.
    pub media_type: String,
    /// Size of the stored (cleaned) file in bytes, before padding.
    pub size: u64,
    /// SHA-256 of the stored (cleaned) file, hex.
    pub sha256: String,
    /// `cleaned`, `nothing_found`, `not_cleanable` or `kept_original`.
    pub result: String,
    /// What was removed, when cleaned.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub removed: Vec<String>,
}
