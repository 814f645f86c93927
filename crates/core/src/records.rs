//! What is stored and what reviewers decrypt: the kinds of envelope, the
//! manifest each attachment carries, and the typed record inside each kind of
//! envelope (report, identity, message, reply, note, withdrawal).
//!
//! Each record carries a schema tag with a version (`amanat.report/1`…), checked
//! when it is read: a record of another kind or a future version is refused
//! with an error that names both, never half-read. Fields are declared in
//! alphabetical order, so a record serialises to the very bytes the earlier
//! `serde_json::json!` builders wrote (serde_json's maps are sorted): the
//! on-disk format did not change. Plaintext is built and read in
//! [`Zeroizing`] buffers; free text is held in `Zeroizing<String>`.

use crate::model::Anonymity;
use crate::model::answers::Value;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::collections::BTreeMap;
use zeroize::Zeroizing;

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

/// What the encrypted manifest records of each attachment (fields in
/// alphabetical order, as the records below).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttachmentManifest {
    /// The blob id (set when the file is committed).
    pub blob: String,
    /// Media type detected from the content.
    pub media_type: String,
    /// The file name as sent, made safe to show and to save.
    pub name: String,
    /// What was removed, when cleaned.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub removed: Vec<String>,
    /// What the stripper did.
    pub result: CleanResult,
    /// SHA-256 of the stored (cleaned) file, hex.
    pub sha256: String,
    /// Size of the stored (cleaned) file in bytes, before padding.
    pub size: u64,
}

/// What happened to an attachment's metadata, as the manifest records it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CleanResult {
    /// Identifying metadata was found and removed (`removed` says what).
    Cleaned,
    /// A type we clean, and there was nothing to remove.
    NothingFound,
    /// A type we cannot clean, stored as sent with the source's agreement.
    NotCleanable,
    /// The source asked to keep the original metadata.
    KeptOriginal,
}

impl CleanResult {
    /// True when the file reached the store with whatever metadata it had.
    pub fn is_as_sent(self) -> bool {
        matches!(self, CleanResult::NotCleanable | CleanResult::KeptOriginal)
    }
}

/// Why a decrypted record could not be read.
#[derive(Debug, thiserror::Error)]
pub enum RecordError {
    /// Not the record this envelope kind holds, or a version this build
    /// does not know.
    #[error("expected a {expected} record, found {found:?}")]
    Schema {
        expected: &'static str,
        found: String,
    },
    /// Not JSON, or fields missing or of the wrong type.
    #[error("the record is malformed: {0}")]
    Malformed(String),
}

/// A record stored inside an envelope.
pub trait Record: Serialize + DeserializeOwned {
    /// The schema tag, with its version.
    const SCHEMA: &'static str;

    /// The plaintext to seal, in a buffer wiped on drop.
    fn to_plaintext(&self) -> Result<Zeroizing<Vec<u8>>, RecordError> {
        serde_json::to_vec(self)
            .map(Zeroizing::new)
            .map_err(|e| RecordError::Malformed(e.to_string()))
    }

    /// Reads a decrypted envelope; the schema tag must be this record's.
    /// One parse when it reads; only a failure looks at the tag again, to
    /// say whether the record is of another kind or version, or malformed.
    fn from_plaintext(plain: &[u8]) -> Result<Self, RecordError> {
        #[derive(Deserialize)]
        struct Tag {
            schema: Option<String>,
        }
        let err = match serde_json::from_slice(plain) {
            Ok(record) => return Ok(record),
            Err(e) => e,
        };
        let tag: Tag =
            serde_json::from_slice(plain).map_err(|e| RecordError::Malformed(e.to_string()))?;
        match tag.schema.as_deref() {
            Some(s) if s == Self::SCHEMA => Err(RecordError::Malformed(err.to_string())),
            other => Err(RecordError::Schema {
                expected: Self::SCHEMA,
                found: other.unwrap_or("no schema").to_string(),
            }),
        }
    }
}

/// A schema tag: serialises as its constant, reads only that constant.
macro_rules! schema_tag {
    ($(#[$doc:meta])* $name:ident, $tag:expr) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
        pub struct $name;

        impl $name {
            /// The tag, with its version.
            pub const TAG: &'static str = $tag;
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(Self::TAG)
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let found = String::deserialize(d)?;
                if found == Self::TAG {
                    Ok($name)
                } else {
                    Err(serde::de::Error::custom(format_args!(
                        "expected schema {}, found {found:?}",
                        Self::TAG
                    )))
                }
            }
        }
    };
}

schema_tag!(
    /// `amanat.report/1`
    ReportSchema,
    crate::model::REPORT_SCHEMA
);
schema_tag!(
    /// `amanat.identity/1`
    IdentitySchema,
    crate::model::IDENTITY_SCHEMA
);
schema_tag!(
    /// `amanat.message/1`
    MessageSchema,
    "amanat.message/1"
);
schema_tag!(
    /// `amanat.reply/1`
    ReplySchema,
    "amanat.reply/1"
);
schema_tag!(
    /// `amanat.note/1`
    NoteSchema,
    "amanat.note/1"
);
schema_tag!(
    /// `amanat.withdrawal/1`
    WithdrawalSchema,
    "amanat.withdrawal/1"
);

/// Which questionnaire (and which version of it) a report answers.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuestionnaireRef {
    pub id: String,
    pub version: u32,
}

/// The report envelope (triage reviewers): the answers outside the
/// identity section, in the source's language.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ReportRecord {
    pub anonymity: Anonymity,
    pub answers: BTreeMap<String, Value>,
    #[serde(default)]
    pub attachments: Vec<AttachmentManifest>,
    /// The language the source wrote in (the one to reply in).
    pub lang: String,
    pub questionnaire: QuestionnaireRef,
    pub schema: ReportSchema,
}

impl Record for ReportRecord {
    const SCHEMA: &'static str = ReportSchema::TAG;
}

/// The identity envelope (identity reviewers only): the identity section's
/// answers. Never written for an anonymous report.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct IdentityRecord {
    pub answers: BTreeMap<String, Value>,
    pub schema: IdentitySchema,
}

impl Record for IdentityRecord {
    const SCHEMA: &'static str = IdentitySchema::TAG;
}

/// A follow-up message from the source (triage reviewers).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MessageRecord {
    #[serde(default)]
    pub attachments: Vec<AttachmentManifest>,
    pub lang: String,
    pub schema: MessageSchema,
    pub text: Zeroizing<String>,
}

impl Record for MessageRecord {
    const SCHEMA: &'static str = MessageSchema::TAG;
}

/// A reviewer's reply (the source's codename key and the triage reviewers).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ReplyRecord {
    /// The reviewer's display name (the CLI always writes it; the review
    /// API stores whatever ciphertext a reviewer sends, so it may be absent).
    #[serde(default)]
    pub reviewer: String,
    pub schema: ReplySchema,
    pub text: Zeroizing<String>,
}

impl Record for ReplyRecord {
    const SCHEMA: &'static str = ReplySchema::TAG;
}

/// A reviewer's note and tags (triage reviewers).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NoteRecord {
    /// The reviewer's display name (absent in notes sealed by other tools).
    #[serde(default)]
    pub reviewer: String,
    pub schema: NoteSchema,
    #[serde(default)]
    pub tags: Vec<String>,
    pub text: Zeroizing<String>,
}

impl Record for NoteRecord {
    const SCHEMA: &'static str = NoteSchema::TAG;
}

/// A source's withdrawal of consent flags (triage reviewers): the flags, by
/// their questionnaire field ids.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WithdrawalRecord {
    pub schema: WithdrawalSchema,
    pub withdraw: Vec<String>,
}

impl Record for WithdrawalRecord {
    const SCHEMA: &'static str = WithdrawalSchema::TAG;
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn manifest() -> AttachmentManifest {
        AttachmentManifest {
            blob: "b".repeat(26),
            name: "photo.jpg".into(),
            media_type: "image/jpeg".into(),
            size: 1234,
            sha256: "ab".repeat(32),
            result: CleanResult::Cleaned,
            removed: vec!["EXIF".into()],
        }
    }

    /// The typed records write the very bytes the `json!` builders of the
    /// previous release wrote: these literals are those builders.
    #[test]
    fn records_serialise_as_the_previous_release_wrote_them() {
        let answers: BTreeMap<String, Value> = [
            ("country".to_string(), Value::Text("PK".into())),
            ("consent_informed_of_risks".to_string(), Value::Bool(true)),
        ]
        .into();
        let m = manifest();
        let report = ReportRecord {
            anonymity: Anonymity::Anonymous,
            answers: answers.clone(),
            attachments: vec![m.clone()],
            lang: "ur".into(),
            questionnaire: QuestionnaireRef {
                id: "un-reprisals".into(),
                version: 3,
            },
            schema: ReportSchema,
        };
        let old = json!({
            "schema": crate::model::REPORT_SCHEMA,
            "questionnaire": { "id": "un-reprisals", "version": 3 },
            "lang": "ur",
            "anonymity": Anonymity::Anonymous,
            "answers": answers,
            "attachments": [m.clone()],
        });
        assert_eq!(
            *report.to_plaintext().unwrap(),
            serde_json::to_vec(&old).unwrap()
        );
        let identity = IdentityRecord {
            answers: answers.clone(),
            schema: IdentitySchema,
        };
        let old = json!({ "schema": crate::model::IDENTITY_SCHEMA, "answers": answers });
        assert_eq!(
            *identity.to_plaintext().unwrap(),
            serde_json::to_vec(&old).unwrap()
        );
        let message = MessageRecord {
            attachments: vec![m.clone()],
            lang: "fa".into(),
            schema: MessageSchema,
            text: Zeroizing::new("They came again.".into()),
        };
        let old = json!({
            "schema": "amanat.message/1",
            "lang": "fa",
            "text": "They came again.",
            "attachments": [m],
        });
        assert_eq!(
            *message.to_plaintext().unwrap(),
            serde_json::to_vec(&old).unwrap()
        );
        let reply = ReplyRecord {
            reviewer: "Desk A".into(),
            schema: ReplySchema,
            text: Zeroizing::new("We received it.".into()),
        };
        let old =
            json!({ "schema": "amanat.reply/1", "text": "We received it.", "reviewer": "Desk A" });
        assert_eq!(
            *reply.to_plaintext().unwrap(),
            serde_json::to_vec(&old).unwrap()
        );
        let note = NoteRecord {
            reviewer: "Desk A".into(),
            schema: NoteSchema,
            tags: vec!["follow-up".into()],
            text: Zeroizing::new("Call back Monday".into()),
        };
        let old = json!({
            "schema": "amanat.note/1",
            "text": "Call back Monday",
            "tags": ["follow-up"],
            "reviewer": "Desk A",
        });
        assert_eq!(
            *note.to_plaintext().unwrap(),
            serde_json::to_vec(&old).unwrap()
        );
        let withdrawal = WithdrawalRecord {
            schema: WithdrawalSchema,
            withdraw: vec!["consent_share_ohchr".into()],
        };
        let old = json!({ "schema": "amanat.withdrawal/1", "withdraw": ["consent_share_ohchr"] });
        assert_eq!(
            *withdrawal.to_plaintext().unwrap(),
            serde_json::to_vec(&old).unwrap()
        );
    }

    #[test]
    fn records_round_trip() {
        let note = NoteRecord {
            reviewer: "Desk A".into(),
            schema: NoteSchema,
            tags: vec![],
            text: Zeroizing::new("x".into()),
        };
        let back = NoteRecord::from_plaintext(&note.to_plaintext().unwrap()).unwrap();
        assert_eq!(back, note);
    }

    #[test]
    fn a_record_of_another_kind_or_version_is_refused_by_name() {
        let reply = br#"{"schema":"amanat.reply/1","text":"x","reviewer":"r"}"#;
        let e = NoteRecord::from_plaintext(reply).unwrap_err();
        assert_eq!(
            e.to_string(),
            "expected a amanat.note/1 record, found \"amanat.reply/1\""
        );
        let future = br#"{"schema":"amanat.reply/2","text":"x","reviewer":"r"}"#;
        assert!(matches!(
            ReplyRecord::from_plaintext(future),
            Err(RecordError::Schema { .. })
        ));
        assert!(matches!(
            ReplyRecord::from_plaintext(br#"{"text":"x"}"#),
            Err(RecordError::Schema { .. })
        ));
        assert!(matches!(
            ReplyRecord::from_plaintext(b"not json"),
            Err(RecordError::Malformed(_))
        ));
        // The tag itself refuses a wrong value even when read on its own.
        assert!(serde_json::from_str::<ReplySchema>("\"amanat.note/1\"").is_err());
    }

    #[test]
    fn clean_results_keep_their_wire_names() {
        for (r, s) in [
            (CleanResult::Cleaned, "cleaned"),
            (CleanResult::NothingFound, "nothing_found"),
            (CleanResult::NotCleanable, "not_cleanable"),
            (CleanResult::KeptOriginal, "kept_original"),
        ] {
            assert_eq!(serde_json::to_value(r).unwrap(), json!(s));
        }
        assert!(CleanResult::KeptOriginal.is_as_sent());
        assert!(!CleanResult::Cleaned.is_as_sent());
    }
}
