//! Wire types of the review API (`/api/v1`), shared by server and CLI.
//!
//! Request bodies refuse unknown fields. Binary data (age ciphertext) is
//! standard base64.

use crate::model::{Anonymity, CloseReason, Role, State, Urgency};
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

/// A queue entry: plaintext metadata only. Absent optional fields are left
/// out rather than sent as `null`: a queue of 100,000 reports is a quarter
/// smaller on the wire and to parse.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct ReportSummary {
    pub id: String,
    pub received: Day,
    pub state: State,
    /// Why it was closed (state `closed`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub closed_reason: Option<CloseReason>,
    /// The day of the last state change.
    pub state_day: Day,
    pub urgency: Urgency,
    pub urgency_confirmed: bool,
    pub anonymity: Anonymity,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assignee: Option<String>,
    /// The assignee's display name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assignee_name: Option<String>,
    /// What still needs re-keying (docs/reviewers.md, "Re-keying").
    #[serde(default)]
    pub rekey: RekeyStatus,
}

/// How many of a report's envelopes and attachment files are still sealed
/// to keys that should no longer open them. Counts, never keys.
#[derive(Clone, Copy, Debug, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct RekeyStatus {
    /// Sealed to a key that is no longer a current reviewer's (nor the
    /// source's), or to keys not on record (attachment files stored before
    /// their recipients were recorded).
    pub removed: u32,
    /// Sealed to at least one classical (pre-quantum) key.
    pub classical: u32,
}

impl RekeyStatus {
    /// True while anything is sealed to a removed key: `amanat admin rekey`
    /// has work to do.
    pub fn needs_rekey(&self) -> bool {
        self.removed > 0
    }
}

/// `GET /api/v1/reports`: one page of the queue (docs/api.md lists the
/// filters and paging parameters).
#[derive(Debug, Serialize, Deserialize)]
pub struct ReportList {
    pub reports: Vec<ReportSummary>,
    /// Where the next page starts: send it back as `cursor`. Absent on the
    /// last page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
    /// The whole queue's counts (asked for with `counts=true`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub counts: Option<QueueCounts>,
}

/// Counts of the whole queue, kept by the server as reports change (no
/// report is read to answer them).
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct QueueCounts {
    pub total: u64,
    /// Reports per state (states with none are left out).
    pub by_state: std::collections::BTreeMap<State, u64>,
    /// Reports not closed, per urgency (urgencies with none are left out).
    pub open_by_urgency: std::collections::BTreeMap<Urgency, u64>,
    /// Critical reports not closed that nobody holds.
    pub unassigned_critical: u64,
    /// Reports with an envelope or file still sealed to a removed
    /// reviewer's key (docs/api.md, "Re-keying"); counted when asked, not
    /// kept.
    #[serde(default)]
    pub needs_rekey: u64,
}

impl QueueCounts {
    /// The counts of `reports`, a whole queue already at hand (a mirror,
    /// another profile's list): what the server keeps, computed.
    pub fn of(reports: &[ReportSummary]) -> QueueCounts {
        let mut c = QueueCounts::default();
        for r in reports {
            c.total += 1;
            *c.by_state.entry(r.state).or_default() += 1;
            if r.state != State::Closed {
                *c.open_by_urgency.entry(r.urgency).or_default() += 1;
                if r.urgency == Urgency::Critical && r.assignee.is_none() {
                    c.unassigned_critical += 1;
                }
            }
            c.needs_rekey += u64::from(r.rekey.needs_rekey());
        }
        c
    }
}

/// The query parameters of `GET /api/v1/reports`, in the order docs/api.md
/// lists them.
pub const REPORT_LIST_PARAMS: &[&str] = &[
    "state", "urgency", "assignee", "since", "overdue", "limit", "cursor", "counts",
];

impl ReportSummary {
    /// True if the report is past its acknowledgement deadline on `today`
    /// (the one rule: [`crate::model::triage::overdue`]).
    pub fn overdue(&self, today: Day) -> bool {
        crate::model::triage::overdue(self.urgency, self.state, self.received, today)
    }
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
    /// The report's attachment files and whom each is sealed to.
    #[serde(default)]
    pub blobs: Vec<BlobInfo>,
}

/// An attachment file of a report and the recipients on record for it
/// (`None`: stored before recipients were recorded; treat as needing re-key).
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct BlobInfo {
    pub id: String,
    pub recipients: Option<Vec<String>>,
}

/// `POST /api/v1/reports/{id}/rekey`: one envelope re-encrypted by an
/// admin's CLI to today's recipients for its kind.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EnvelopeSwap {
    /// The envelope's id.
    pub envelope: String,
    /// SHA-256 (lowercase hex) of the ciphertext it replaces, as served:
    /// a different one means it changed meanwhile (409 `conflict`).
    pub old_sha256: String,
    /// base64 age ciphertext of the same plaintext.
    pub ciphertext: String,
    /// The recipients it is encrypted to: exactly today's set for its kind.
    pub recipients: Vec<String>,
}

/// `GET /api/v1/rekey` (admin): what `amanat admin rekey` re-encrypts to,
/// and what it moves reports away from.
#[derive(Debug, Serialize, Deserialize)]
pub struct RekeyTargets {
    /// Today's triage reviewers: reports, messages, notes, withdrawals and
    /// attachment files are sealed to exactly these (replies also to the
    /// source, whose key each report's `reply_recipients` names).
    pub triage: Vec<String>,
    /// Today's identity reviewers: identity sections are sealed to these.
    pub identity: Vec<String>,
    /// Every enrolled reviewer's key: a sealed key outside these (and the
    /// source's) is a removed one.
    pub current: Vec<String>,
    /// Keys of removed reviewers on record (no names).
    pub removed: Vec<String>,
}

/// The answer to a swap (of an envelope or of an attachment file).
#[derive(Debug, Serialize, Deserialize)]
pub struct Swapped {
    /// The envelope or attachment id.
    pub id: String,
    pub recipients: Vec<String>,
    /// The report's status after the swap.
    pub rekey: RekeyStatus,
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
    pub kind: crate::records::EnvelopeKind,
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
    pub code: ErrorCode,
    pub message: String,
}

/// The stable error codes of the review API, each with the one HTTP status it
/// is sent with. docs/api.md lists exactly these (a test compares them).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// 400: the request is malformed or a value is out of range.
    BadRequest,
    /// 401: no session, an expired one, or a failed login.
    Unauthorized,
    /// 403: the reviewer lacks the role the route needs.
    Forbidden,
    /// 403: an admin tried to approve their own grant.
    SecondAdminRequired,
    /// 404: no such report, reviewer, grant, envelope or attachment.
    NotFound,
    /// 405: a known route, another method.
    MethodNotAllowed,
    /// 408: the body stopped arriving for `limits.body_idle_secs`.
    RequestTimeout,
    /// 409: the change conflicts with the current state.
    Conflict,
    /// 409: the triage state machine does not allow this move.
    IllegalTransition,
    /// 409: `head-seen` names an entry the audit chain does not hold.
    AuditMismatch,
    /// 413: the body is larger than the limit.
    PayloadTooLarge,
    /// 415: the body is not JSON.
    UnsupportedMediaType,
    /// 429: too many requests; try again later.
    RateLimited,
    /// 500: a server fault; details are in the server log only.
    Internal,
    /// 503: the server cannot serve this now (full disk, shutting down).
    Unavailable,
    /// 503: the audit entry could not be written: nothing was served or changed.
    AuditUnavailable,
    /// A code this CLI does not know (a newer server); never sent.
    #[serde(other)]
    Unknown,
}

impl ErrorCode {
    /// Every code a server sends.
    pub const ALL: [ErrorCode; 16] = [
        ErrorCode::BadRequest,
        ErrorCode::Unauthorized,
        ErrorCode::Forbidden,
        ErrorCode::SecondAdminRequired,
        ErrorCode::NotFound,
        ErrorCode::MethodNotAllowed,
        ErrorCode::RequestTimeout,
        ErrorCode::Conflict,
        ErrorCode::IllegalTransition,
        ErrorCode::AuditMismatch,
        ErrorCode::PayloadTooLarge,
        ErrorCode::UnsupportedMediaType,
        ErrorCode::RateLimited,
        ErrorCode::Internal,
        ErrorCode::Unavailable,
        ErrorCode::AuditUnavailable,
    ];

    /// The code as it appears on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::BadRequest => "bad_request",
            ErrorCode::Unauthorized => "unauthorized",
            ErrorCode::Forbidden => "forbidden",
            ErrorCode::SecondAdminRequired => "second_admin_required",
            ErrorCode::NotFound => "not_found",
            ErrorCode::MethodNotAllowed => "method_not_allowed",
            ErrorCode::RequestTimeout => "request_timeout",
            ErrorCode::Conflict => "conflict",
            ErrorCode::IllegalTransition => "illegal_transition",
            ErrorCode::AuditMismatch => "audit_mismatch",
            ErrorCode::PayloadTooLarge => "payload_too_large",
            ErrorCode::UnsupportedMediaType => "unsupported_media_type",
            ErrorCode::RateLimited => "rate_limited",
            ErrorCode::Internal => "internal",
            ErrorCode::Unavailable => "unavailable",
            ErrorCode::AuditUnavailable => "audit_unavailable",
            ErrorCode::Unknown => "unknown",
        }
    }

    /// The HTTP status the code is sent with.
    pub fn http_status(self) -> u16 {
        match self {
            ErrorCode::BadRequest => 400,
            ErrorCode::Unauthorized => 401,
            ErrorCode::Forbidden | ErrorCode::SecondAdminRequired => 403,
            ErrorCode::NotFound => 404,
            ErrorCode::MethodNotAllowed => 405,
            ErrorCode::RequestTimeout => 408,
            ErrorCode::Conflict | ErrorCode::IllegalTransition | ErrorCode::AuditMismatch => 409,
            ErrorCode::PayloadTooLarge => 413,
            ErrorCode::UnsupportedMediaType => 415,
            ErrorCode::RateLimited => 429,
            ErrorCode::Internal | ErrorCode::Unknown => 500,
            ErrorCode::Unavailable | ErrorCode::AuditUnavailable => 503,
        }
    }
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// `POST /api/v1/reports/{id}/triage`: every field optional.
#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TriageRequest {
    /// The state to move to (the server enforces the state machine).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<State>,
    /// Required when, and only when, closing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<CloseReason>,
    /// Sets (and confirms) the urgency.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub urgency: Option<Urgency>,
    /// A reviewer id or name; an empty string unassigns.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assign: Option<String>,
    /// base64 age ciphertext of a note (text and tags), encrypted by the CLI
    /// to every triage reviewer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// `GET /api/v1/reports/{id}/identity`
#[derive(Debug, Serialize, Deserialize)]
pub struct IdentityData {
    pub envelope: Option<EnvelopeData>,
}

/// `POST /api/v1/audit/export`: the CLI reports an export it made.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExportRecord {
    pub profile: Profile,
    pub format: Format,
    pub reports: Vec<String>,
}

/// An export profile (docs/domain.md, "Exports"): what an export may contain.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
#[cfg_attr(feature = "clap", value(rename_all = "snake_case"))]
pub enum Profile {
    Internal,
    OhchrSubmission,
    Stats,
}

/// An export's output format.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
#[cfg_attr(feature = "clap", value(rename_all = "lowercase"))]
pub enum Format {
    Json,
    Csv,
    Text,
}

impl Profile {
    pub fn as_str(self) -> &'static str {
        match self {
            Profile::Internal => "internal",
            Profile::OhchrSubmission => "ohchr_submission",
            Profile::Stats => "stats",
        }
    }

    /// The formats this profile can produce.
    pub fn formats(self) -> &'static [Format] {
        match self {
            Profile::Internal => &[Format::Json, Format::Csv],
            Profile::OhchrSubmission => &[Format::Json, Format::Text],
            Profile::Stats => &[Format::Csv, Format::Json],
        }
    }
}

impl Format {
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Json => "json",
            Format::Csv => "csv",
            Format::Text => "text",
        }
    }
}

/// `GET /api/v1/audit`
#[derive(Debug, Serialize, Deserialize)]
pub struct AuditLog {
    pub entries: Vec<crate::audit::Entry>,
    /// `None` when the chain is intact, else where and how it breaks.
    pub broken: Option<String>,
}

/// `GET /api/v1/recipients`: who a note must be encrypted to, and who
/// receives identity sections (the CLI pins both sets and warns when they
/// change).
#[derive(Debug, Serialize, Deserialize)]
pub struct Recipients {
    pub triage: Vec<String>,
    #[serde(default)]
    pub identity: Vec<String>,
    /// Display names by recipient, to show who was added or removed.
    #[serde(default)]
    pub names: Vec<(String, String)>,
}

/// `GET /api/v1/audit/chain?from=N`: the head, and up to
/// [`AUDIT_PAGE`] entries from index N on (none without `from`).
#[derive(Debug, Serialize, Deserialize)]
pub struct AuditChain {
    pub head: Option<crate::audit::Anchor>,
    pub entries: Vec<crate::audit::Entry>,
}

/// The most entries one `GET /api/v1/audit/chain` answer holds.
pub const AUDIT_PAGE: usize = 1000;

/// `POST /api/v1/reviewers/pending/{id}/approve` answers with the new
/// reviewer; `POST /api/v1/reviewers` answers 202 with this when the roles
/// include `identity` or `admin`.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct PendingGrantInfo {
    pub id: String,
    pub name: String,
    pub recipient: String,
    pub roles: Vec<Role>,
    pub requested_by: String,
    pub day: Day,
}

/// `POST /api/v1/sync/enrol`: the answer to a sync challenge
/// (`POST /api/v1/sync/challenge`, the same request and answer as a login
/// challenge) carried back from the offline machine, with the public half
/// of its desk key. Answered with a [`SyncEnrolled`].
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SyncEnrolRequest {
    pub challenge_id: String,
    pub response: String,
    /// The desk key's Ed25519 public key, standard base64 of 32 bytes.
    pub desk_key: String,
}

/// The `response` of a [`SyncEnrolRequest`]: lowercase hex of
/// SHA-256(`amanat-sync-enrol-v1\n` ‖ nonce ‖ `\n` ‖ desk_key), so the answer
/// carried from the offline machine enrols that desk key and no other.
pub fn sync_enrol_response(nonce: &str, desk_key: &str) -> zeroize::Zeroizing<String> {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    h.update(b"amanat-sync-enrol-v1\n");
    h.update(nonce.as_bytes());
    h.update(b"\n");
    h.update(desk_key.as_bytes());
    zeroize::Zeroizing::new(data_encoding::HEXLOWER.encode(&h.finalize()))
}

/// A new sync credential: a token that reads ciphertext through the
/// `/api/v1/sync/…` routes only (shown once; the server keeps its hash).
#[derive(Debug, Serialize, Deserialize)]
pub struct SyncEnrolled {
    pub token: String,
    pub reviewer: ReviewerInfo,
    pub desk_key: String,
    /// The token's last day of validity.
    pub expires: Day,
}

/// `GET /api/v1/sync/reports`: the queue, in the queue's order, each report
/// with a version that changes whenever anything stored of it changes (its
/// triage metadata, a new envelope, an attachment), so a mirror fetches
/// again exactly the reports that changed.
#[derive(Debug, Serialize, Deserialize)]
pub struct SyncQueue {
    pub reports: Vec<SyncHead>,
    /// Where the next page starts (send it back as `cursor`); absent on
    /// the last page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
}

/// One report of a [`SyncQueue`].
#[derive(Debug, Serialize, Deserialize)]
pub struct SyncHead {
    pub report: ReportSummary,
    pub version: String,
}

/// `GET /api/v1/sync/reports/{id}`: what a mirror keeps of one report — the
/// same detail as `GET /api/v1/reports/{id}`, and the ids of its encrypted
/// attachment files (whose names and sizes are inside the envelopes).
#[derive(Debug, Serialize, Deserialize)]
pub struct SyncReport {
    pub detail: ReportDetail,
    pub blobs: Vec<String>,
}

/// One action made on an offline machine, as it signs it: carried in an
/// outbox file and sent with `POST /api/v1/sync/push`.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OutboxAction {
    /// A random id (as report ids): the server applies an id once.
    pub id: String,
    pub report: String,
    /// The report's state in the mirror the action was made from: if the
    /// report has moved since, the action is a conflict and is not applied.
    pub base_state: State,
    pub change: OutboxChange,
}

/// What an [`OutboxAction`] does: the body the online command would send.
#[derive(Debug, Serialize, Deserialize)]
#[serde(tag = "kind", content = "body", rename_all = "snake_case")]
pub enum OutboxChange {
    Triage(TriageRequest),
    Reply(ReplyRequest),
}

/// `POST /api/v1/sync/push`: one signed action. `action` is the JSON text
/// of an [`OutboxAction`], signed as it is (no re-encoding can change what
/// was signed); `signature` is standard base64 of the desk key's Ed25519
/// signature over [`outbox_message`].
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignedAction {
    pub action: String,
    pub signature: String,
}

/// The bytes a desk key signs for an action of `reviewer_id`.
pub fn outbox_message(reviewer_id: &str, action: &str) -> Vec<u8> {
    let mut m = b"amanat-outbox-v1\n".to_vec();
    m.extend_from_slice(reviewer_id.as_bytes());
    m.push(b'\n');
    m.extend_from_slice(action.as_bytes());
    m
}

/// The answer to a push: what became of the action.
#[derive(Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct PushResult {
    pub id: String,
    pub outcome: PushOutcome,
    /// What happened, for a person (the error's message when refused).
    pub message: String,
}

/// What became of a pushed action.
#[derive(Clone, Copy, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum PushOutcome {
    /// Applied now.
    Applied,
    /// Applied by an earlier push of the same action: nothing changed.
    AlreadyApplied,
    /// The report moved since the mirror was taken: not applied.
    Conflict,
    /// Refused by the same checks as the online route (state machine,
    /// roles, recipients): not applied.
    Refused,
}
