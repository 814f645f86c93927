//! The sections of `amanat.toml` other than the top level, with their
//! defaults: listeners, limits, the codename KDF and retention. Every
//! default is safe; `deploy/amanat.example.toml` documents each key.

use serde::{Deserialize, Serialize};
use std::path::PathBuf;

/// sled's page cache by default (the same as `store::DEFAULT_CACHE_BYTES`,
/// the size offline commands open the store with; crates/server/tests/it
/// checks they agree).
pub const DEFAULT_STORE_CACHE_BYTES: u64 = 16 << 20;

/// Argon2id parameters for codenames, and how many derivations may run at once.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Kdf {
    /// Memory per derivation in KiB.
    pub m_cost_kib: u32,
    /// Iterations.
    pub t_cost: u32,
    /// Lanes.
    pub p_cost: u32,
    /// Derivations running at once (each holds `m_cost_kib`); 0 = one per core.
    pub concurrency: usize,
    /// Milliseconds a request may wait for a free derivation before it is
    /// answered "busy"; 0 refuses at once.
    pub wait_ms: u64,
    /// Most requests waiting for a derivation at once; past it, "busy".
    pub max_waiting: usize,
}

impl Default for Kdf {
    fn default() -> Self {
        let p = amanat_core::crypto::codename::KdfParams::default();
        Kdf {
            m_cost_kib: p.m_cost_kib,
            t_cost: p.t_cost,
            p_cost: p.p_cost,
            concurrency: 0,
            wait_ms: 2000,
            max_waiting: 64,
        }
    }
}

impl Kdf {
    /// The parameters for new codenames.
    pub fn params(&self) -> amanat_core::crypto::codename::KdfParams {
        amanat_core::crypto::codename::KdfParams {
            m_cost_kib: self.m_cost_kib,
            t_cost: self.t_cost,
            p_cost: self.p_cost,
        }
    }

    /// Derivations allowed at once.
    pub fn permits(&self) -> usize {
        if self.concurrency > 0 {
            self.concurrency
        } else {
            std::thread::available_parallelism().map_or(2, |n| n.get())
        }
    }
}

/// One listener.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Listener {
    /// Address to listen on, e.g. `127.0.0.1:8080`.
    pub addr: String,
    /// PEM certificate chain; with `tls_key`, serve HTTPS.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tls_cert: Option<PathBuf>,
    /// PEM private key for `tls_cert`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tls_key: Option<PathBuf>,
    /// Worker threads for this listener.
    pub workers: usize,
}

/// Limits. Every one is configurable; the defaults are safe.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Limits {
    /// Largest report form body in bytes (text only).
    pub form_body_bytes: usize,
    /// Most name=value pairs in one form body.
    pub form_fields: usize,
    /// Seconds a client has to send its request head.
    pub request_timeout_secs: u64,
    /// Seconds an idle keep-alive connection is kept.
    pub keep_alive_secs: u64,
    /// Seconds a request body may stop arriving before the request is
    /// refused and its connection closed (a stalled upload otherwise holds
    /// its connection and its upload slot for ever).
    pub body_idle_secs: u64,
    /// Seconds a connection is given to close cleanly after its answer.
    pub disconnect_timeout_secs: u64,
    /// Most open connections per worker.
    pub max_connections: usize,
    /// Report submissions accepted per minute (all sources together).
    pub submissions_per_minute: u32,
    /// Longest wait, in milliseconds, for a slot of a spent rate limit
    /// (submissions, follow-up logins and messages) before the request is
    /// refused; 0 refuses at once.
    pub rate_wait_ms: u64,
    /// Largest review API request body in bytes.
    pub review_body_bytes: usize,
    /// Failed reviewer logins allowed per minute (all reviewers together).
    pub review_login_failures_per_minute: u32,
    /// Seconds a reviewer session may stay unused.
    pub review_session_idle_secs: u64,
    /// Seconds a reviewer session lives at most.
    pub review_session_max_secs: u64,
    /// Most concurrent reviewer sessions.
    pub review_sessions_max: usize,
    /// Most concurrent sessions of one reviewer (past it, the least
    /// recently used one ends).
    pub review_sessions_per_reviewer: usize,
    /// Most unanswered login challenges of one reviewer (past it, the
    /// oldest one is dropped).
    pub review_challenges_per_reviewer: usize,
    /// Seconds a reviewer login challenge may be answered.
    pub review_challenge_secs: u64,
    /// Seconds a sync enrolment challenge may be answered (it is carried to
    /// an offline machine and back).
    pub sync_challenge_secs: u64,
    /// Days a sync token (read-only, for `amanat sync`) stays valid.
    pub sync_token_days: u64,
    /// Seconds a form's anti-forgery token stays valid.
    pub csrf_ttl_secs: u64,
    /// Codename logins accepted per minute (all sources together).
    pub followup_logins_per_minute: u32,
    /// Seconds a follow-up session may stay unused.
    pub followup_session_idle_secs: u64,
    /// Seconds a follow-up session lives at most.
    pub followup_session_max_secs: u64,
    /// Most concurrent follow-up sessions.
    pub followup_sessions_max: usize,
    /// Most concurrent follow-up sessions of one report (past it, the
    /// least recently used one ends).
    pub followup_sessions_per_report: usize,
    /// Follow-up messages accepted per minute (all sources together).
    pub followup_messages_per_minute: u32,
    /// Longest follow-up message or reply, in characters.
    pub message_chars: usize,
    /// Most files in one submission.
    pub attachments_per_submission: usize,
    /// Largest single file in bytes.
    pub attachment_bytes: u64,
    /// Largest submission (all files together) in bytes.
    pub submission_bytes: u64,
    /// Writes (reports, follow-up messages, files) are refused while the data
    /// directory's file system has less free space than this, in bytes;
    /// 0 turns the check off.
    pub min_free_bytes: u64,
    /// Submissions with files processed at once.
    pub concurrent_uploads: usize,
    /// Largest file of a type that must be cleaned in memory (PDF, office
    /// documents, WebP, TIFF); above it such a file is refused unless the
    /// source keeps the original metadata.
    pub clean_in_memory_bytes: u64,
    /// Memory all office documents being cleaned at once may decompress
    /// into (XML parts rewritten in memory, embedded documents, PDFs and
    /// images cleaned whole); each of `concurrent_uploads` gets an equal
    /// share. Parts copied unchanged stream and take none of it.
    pub office_memory_bytes: u64,
    /// Most bytes the streams needed to read one PDF (object and
    /// cross-reference streams) may decode to, all together.
    pub pdf_max_decoded_bytes: u64,
    /// Most values (objects and every array, dictionary, name, string and
    /// number in them) one PDF may have.
    pub pdf_max_values: u64,
    /// Most bytes of a video's or recording's structure held in memory at
    /// once while it is cleaned: an MP4/MOV/M4A/3GP file's boxes other than
    /// streamed media data (`moov`, `moof`, and media data written before
    /// the `moov`, held so that timed-metadata samples in it can be
    /// zeroed), one WebM/Matroska metadata element, the Ogg header packets
    /// and the FLAC, WAV and AIFF metadata kept. A file needing more is
    /// refused as too large to clean.
    pub mp4_max_box_bytes: u64,
    /// The store's page cache in bytes (sled's cache of records read and
    /// written); the largest share of the server's memory under load.
    pub store_cache_bytes: u64,
    /// Reports in one page of `GET /api/v1/reports` when the request names
    /// no `limit`.
    pub list_page_default: usize,
    /// Most reports in one page; a larger `limit` is lowered to it.
    pub list_page_max: usize,
    /// Most reports in an answer to `GET /api/v1/reports` without any
    /// parameter (the whole queue, as before paging); past it the answer
    /// ends with a `next_cursor`.
    pub list_unpaged_max: usize,
}

impl Default for Listener {
    fn default() -> Self {
        Listener {
            addr: String::new(),
            tls_cert: None,
            tls_key: None,
            workers: 2,
        }
    }
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            form_body_bytes: 512 * 1024,
            form_fields: 300,
            request_timeout_secs: 20,
            keep_alive_secs: 30,
            body_idle_secs: 60,
            disconnect_timeout_secs: 5,
            max_connections: 1024,
            submissions_per_minute: 120,
            rate_wait_ms: 5000,
            review_body_bytes: 1024 * 1024,
            review_login_failures_per_minute: 10,
            review_session_idle_secs: 30 * 60,
            review_session_max_secs: 8 * 3600,
            review_sessions_max: 1000,
            review_sessions_per_reviewer: 8,
            review_challenges_per_reviewer: 8,
            review_challenge_secs: 120,
            sync_challenge_secs: 1800,
            sync_token_days: 90,
            csrf_ttl_secs: 4 * 3600,
            followup_logins_per_minute: 60,
            followup_session_idle_secs: 30 * 60,
            followup_session_max_secs: 2 * 3600,
            followup_sessions_max: 10_000,
            followup_sessions_per_report: 4,
            followup_messages_per_minute: 60,
            message_chars: 20_000,
            attachments_per_submission: 10,
            attachment_bytes: 500 << 20,
            submission_bytes: 1 << 30,
            min_free_bytes: 256 << 20,
            concurrent_uploads: 4,
            clean_in_memory_bytes: 64 << 20,
            office_memory_bytes: 256 << 20,
            pdf_max_decoded_bytes: 32 << 20,
            pdf_max_values: 500_000,
            mp4_max_box_bytes: 64 << 20,
            store_cache_bytes: DEFAULT_STORE_CACHE_BYTES,
            list_page_default: 100,
            list_page_max: 10_000,
            list_unpaged_max: 100_000,
        }
    }
}

impl Limits {
    /// Bytes one upload may decompress an office document into: the share of
    /// `office_memory_bytes` of each of `concurrent_uploads`.
    pub fn office_memory_per_upload(&self) -> u64 {
        self.office_memory_bytes / (self.concurrent_uploads.max(1) as u64)
    }
}

/// Days to keep closed reports; 0 keeps them forever.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Retention {
    /// Days after a report was closed (any reason but spam).
    pub closed_days: u32,
    /// Days after a report was closed as spam.
    pub spam_days: u32,
}

impl Default for Retention {
    fn default() -> Self {
        Retention {
            closed_days: 90,
            spam_days: 7,
        }
    }
}

/// How envelopes are sealed.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Crypto {
    /// Seal every new envelope post-quantum: every reviewer who receives
    /// envelopes (triage, identity) must hold an `age1tagpq1…` key, and the
    /// server refuses to start while one holds a classical key. Off by
    /// default: then every such reviewer holds a classical key (`age1…`,
    /// `age1tag1…`), since age cannot mix the two kinds in one envelope.
    pub post_quantum: bool,
}
