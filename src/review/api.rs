//! Wire types of the review API (`/api/v1`), shared by server and CLI.
//!
//! Request bodies refuse unknown fields. Binary data (age ciphertext) is
//! standard base64.

use crate::model::{Anonymity, Role, State, Urgency};
use crate::timeutil::Day;
use serde::{Deserialize, Serialize};

/// `POST /api/v1/auth/challenge`
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChallengeRequest {
    pub recipient: String,
}

/// Answer to a challenge request.
#[derive(Debug, Serialize, Deserialize)]
pub struct ChallengeResponse {
    pub challenge_id: String,
    /// base64 age ciphertext of the nonce, encrypted to the recipient.
    pub challenge: String,
}

/// `POST /api/v1/auth/verify`
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VerifyRequest {
    pub challenge_id: String,
    pub response: String,
}

/// A new session.
#[derive(Debug, Serialize, Deserialize)]
pub struct SessionResponse {
    pub token: String,
    pub reviewer: ReviewerInfo,
    pub idle_secs: u64,
    pub max_secs: u64,
}

/// A reviewer as the API shows it.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct ReviewerInfo {
    pub id: String,
    pub name: String,
    pub recipient: String,
    pub roles: Vec<Role>,
    pub added: Day,
}

/// `POST /api/v1/reviewers`
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AddReviewerRequest {
    pub name: String,
    pub recipient: String,
    pub roles: Vec<Role>,
}

/// A queue entry: plaintext metadata only.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct ReportSummary {
    pub id: String,
    pub received: Day,
    pub state: State,
    pub urgency: Urgency,
    pub urgency_confirmed: bool,
    pub anonymity: Anonymity,
    pub assignee: Option<String>,
}

/// `GET /api/v1/reports`
#[derive(Debug, Serialize, Deserialize)]
pub struct ReportList {
    pub reports: Vec<ReportSummary>,
}

/// `GET /api/v1/reports/{id}`: metadata and the envelopes this reviewer may read.
#[derive(Debug, Serialize, Deserialize)]
pub struct ReportDetail {
    pub report: ReportSummary,
    pub envelopes: Vec<EnvelopeData>,
    /// True when an identity section exists that this reviewer may not read.
    pub identity_withheld: bool,
    /// Encrypt a reply to exactly these recipients: the source's and every
    /// triage reviewer's. Empty when the report has no follow-up channel.
    pub reply_recipients: Vec<String>,
}

/// `POST /api/v1/reports/{id}/replies`: a reply encrypted by the CLI.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReplyRequest {
    /// base64 age ciphertext to `reply_recipients`.
    pub ciphertext: String,
}

/// The stored reply.
#[derive(Debug, Serialize, Deserialize)]
pub struct ReplyCreated {
    pub id: String,
    pub day: Day,
}

/// One envelope.
#[derive(Debug, Serialize, Deserialize)]
pub struct EnvelopeData {
    pub id: String,
    pub kind: crate::store::EnvelopeKind,
    pub day: Day,
    pub recipients: Vec<String>,
    pub ciphertext: String,
}

/// `GET /api/v1/questionnaire`: the questionnaire with English labels.
#[derive(Debug, Serialize, Deserialize)]
pub struct QuestionnaireView {
    pub id: String,
    pub version: u32,
    pub fields: Vec<FieldLabels>,
}

/// Labels of one field.
#[derive(Debug, Serialize, Deserialize)]
pub struct FieldLabels {
    pub id: String,
    #[serde(rename = "type")]
    pub kind: crate::model::FieldType,
    pub label: String,
    pub options: Vec<(String, String)>,
}

/// Every error: a stable code and a message for people.
#[derive(Debug, Serialize, Deserialize)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

/// The error's content.
#[derive(Debug, Serialize, Deserialize)]
pub struct ErrorDetail {
    pub code: String,
    pub message: String,
}
