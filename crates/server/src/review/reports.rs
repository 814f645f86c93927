//! Reports and what they hold: the queue (paged and filtered here, from
//! the store's listing index and its queue counts), one report's envelopes, its
//! attachments, its identity section, and replies to the source.
//!
//! Everything served is ciphertext or plaintext triage metadata; identity
//! envelopes go only to reviewers with the identity role. Every read is
//! audited before anything is served. Logs name reviewer and report ids,
//! never content.

use super::ReviewState;
use super::error::{ApiError, ApiResult};
use super::extract::{AttachmentPath, Authed, JsonBody, ReportId, Triage};
use crate::config::Limits;
use crate::store::{
    Assignee, CurrentKeys, EnvelopeKind, EnvelopeRef, NewEnvelope, PageQuery, ReportHead,
    ReportMeta, Reviewer, SortKey, Store, StoreError,
};
use actix_web::{HttpRequest, HttpResponse, web};
use amanat_core::api::{
    BlobInfo, EnvelopeData, ErrorCode, IdentityData, QueueCounts, REPORT_LIST_PARAMS, ReplyCreated,
    ReplyRequest, ReportDetail, ReportList, ReportSummary,
};
use amanat_core::audit::Action;
use amanat_core::crypto::{envelope, recipient};
use amanat_core::model::{Role, State, Urgency};
use data_encoding::BASE64;

/// One page of the queue, most urgent then oldest first (audited), with
/// the filters and paging parameters docs/api.md lists. Without any
/// parameter the answer is the whole queue as before paging, up to
/// `limits.list_unpaged_max` reports.
pub(super) async fn list_reports(
    who: Authed<Triage>,
    req: HttpRequest,
    st: web::Data<ReviewState>,
) -> ApiResult {
    let store = st.store.clone();
    let reviewers = store.reviewers()?;
    let ask = ListRequest::parse(req.query_string(), &who.id, &reviewers, &st.limits)?;
    st.audit(&who.id, Action::ListReports, None, None)?;
    // Walking the index and serialising is work for a blocking thread, not
    // for the async worker.
    let body = web::block(move || -> Result<Vec<u8>, StoreError> {
        let keys = CurrentKeys::of(&reviewers);
        // Each entry carries its sealing summary: the re-keying status
        // reads nothing more (a recipient set, cached, at most).
        let page = store.page(&ask.query, |listed| {
            let mut r = head_summary(&listed.head, &reviewers);
            // Purged since the page was read: listed, with nothing to re-key.
            r.rekey = match store.listed_status(listed, &keys) {
                Err(StoreError::NotFound) => Default::default(),
                s => s?,
            };
            Ok(r)
        })?;
        let counts = if ask.counts {
            Some(queue_counts(&store, &keys)?)
        } else {
            None
        };
        let list = ReportList {
            next_cursor: page.next.map(|k| k.to_cursor()),
            reports: page.items,
            counts,
        };
        // About 230 bytes a report: one allocation instead of ~20 doublings.
        let mut body = Vec::with_capacity(256 * list.reports.len() + 64);
        serde_json::to_writer(&mut body, &list).map_err(|e| StoreError::Corrupt {
            tree: "reports",
            detail: e.to_string(),
        })?;
        Ok(body)
    })
    .await
    .map_err(ApiError::internal)??;
    Ok(HttpResponse::Ok()
        .content_type("application/json")
        .body(body))
}

/// A listing request, parsed and checked.
struct ListRequest {
    query: PageQuery,
    counts: bool,
}

impl ListRequest {
    /// Parses the query string of `GET /reports` for reviewer `me`; 400
    /// naming the parameter for anything this server does not understand.
    fn parse(
        qs: &str,
        me: &str,
        reviewers: &[Reviewer],
        limits: &Limits,
    ) -> Result<ListRequest, ApiError> {
        let pairs = query_pairs(qs)?;
        let mut q = first_page(&pairs, limits);
        let mut counts = false;
        let mut seen: Vec<&str> = Vec::new();
        for (name, value) in &pairs {
            let bad = |why: String| ApiError::bad_request(format!("`{name}`: {why}"));
            let single = !matches!(name.as_str(), "state" | "urgency");
            if single && seen.contains(&name.as_str()) {
                return Err(bad("given twice; give it once".into()));
            }
            seen.push(name);
            match name.as_str() {
                "state" => {
                    for v in value.split(',') {
                        q.state.push(v.parse().map_err(bad)?);
                    }
                }
                "urgency" => {
                    for v in value.split(',') {
                        q.urgency.push(v.parse().map_err(bad)?);
                    }
                }
                "assignee" => q.assignee = Some(assignee(value, me, reviewers).map_err(bad)?),
                "since" => q.since = Some(value.parse().map_err(bad)?),
                "overdue" => {
                    q.overdue_on = flag(value)
                        .map_err(bad)?
                        .then(amanat_core::timeutil::Day::today)
                }
                "counts" => counts = flag(value).map_err(bad)?,
                "limit" | "cursor" => paging(&mut q, name, value, limits).map_err(bad)?,
                _ => {
                    return Err(ApiError::bad_request(format!(
                        "unknown parameter `{name}`; known: {}",
                        REPORT_LIST_PARAMS.join(", ")
                    )));
                }
            }
        }
        Ok(ListRequest { query: q, counts })
    }
}

/// The name and value pairs of a query string; 400 if it is not well
/// formed.
pub(super) fn query_pairs(qs: &str) -> Result<Vec<(String, String)>, ApiError> {
    Ok(web::Query::<Vec<(String, String)>>::from_query(qs)
        .map_err(|_| ApiError::bad_request("the query string is not well formed"))?
        .into_inner())
}

/// The page a listing asks for before its filters: without any parameter
/// the whole queue as before paging (up to `limits.list_unpaged_max`),
/// else a page of `limits.list_page_default`.
pub(super) fn first_page(pairs: &[(String, String)], limits: &Limits) -> PageQuery {
    PageQuery::all(if pairs.is_empty() {
        limits.list_unpaged_max
    } else {
        limits.list_page_default
    })
}

/// Sets `q`'s `limit` (lowered to `limits.list_page_max`) or `cursor` (one
/// this server gave out) from parameter `name`; why not, otherwise.
pub(super) fn paging(
    q: &mut PageQuery,
    name: &str,
    value: &str,
    limits: &Limits,
) -> Result<(), String> {
    if name == "limit" {
        let n: usize = value
            .parse()
            .ok()
            .filter(|n| *n > 0)
            .ok_or_else(|| format!("{value:?} is not a whole number from 1"))?;
        q.limit = n.min(limits.list_page_max);
    } else {
        q.after = Some(SortKey::from_cursor(value).ok_or_else(|| {
            "not a cursor this server gave out; start again without it".to_string()
        })?);
    }
    Ok(())
}

/// `true` or `false`.
fn flag(v: &str) -> Result<bool, String> {
    match v {
        "true" => Ok(true),
        "false" => Ok(false),
        _ => Err(format!("{v:?} is neither `true` nor `false`")),
    }
}

/// `me`, `none`, a reviewer's id or name, or the id of a reviewer since
/// removed (whose reports may still be assigned to them).
fn assignee(v: &str, me: &str, reviewers: &[Reviewer]) -> Result<Assignee, String> {
    match v {
        "me" => Ok(Assignee::Reviewer(me.to_owned())),
        "none" => Ok(Assignee::Nobody),
        _ => reviewers
            .iter()
            .find(|r| r.id == v || r.name == v)
            .map(|r| r.id.clone())
            .or_else(|| amanat_core::crypto::random::is_id(v).then(|| v.to_owned()))
            .map(Assignee::Reviewer)
            .ok_or_else(|| {
                format!("no reviewer has the id or name {v:?}; use `me`, `none`, an id or a name")
            }),
    }
}

/// The whole queue's counts, from the counts the store keeps.
fn queue_counts(store: &Store, keys: &CurrentKeys) -> Result<QueueCounts, StoreError> {
    let mut out = QueueCounts {
        needs_rekey: store.count_needs_rekey(keys)?,
        ..QueueCounts::default()
    };
    for c in store.queue_counts()? {
        out.total += c.reports;
        *out.by_state.entry(c.state).or_default() += c.reports;
        if c.state != State::Closed {
            *out.open_by_urgency.entry(c.urgency).or_default() += c.reports;
            if c.urgency == Urgency::Critical && !c.assigned {
                out.unassigned_critical += c.reports;
            }
        }
    }
    Ok(out)
}

/// A queue entry from the listing index.
fn head_summary(h: &ReportHead, reviewers: &[Reviewer]) -> ReportSummary {
    ReportSummary {
        assignee_name: h
            .assignee
            .as_ref()
            .and_then(|a| reviewers.iter().find(|r| &r.id == a))
            .map(|r| r.name.clone()),
        state_day: h.state_day(),
        id: h.id.clone(),
        received: h.received,
        state: h.state,
        closed_reason: h.closed_reason,
        urgency: h.urgency,
        urgency_confirmed: h.urgency_confirmed,
        anonymity: h.anonymity,
        assignee: h.assignee.clone(),
        rekey: Default::default(),
    }
}

/// A report's metadata and the envelopes this reviewer may read (audited;
/// a withheld identity section is audited as a denied read too).
pub(super) async fn get_report(
    who: Authed<Triage>,
    id: ReportId,
    st: web::Data<ReviewState>,
) -> ApiResult {
    let (detail, _) = report_detail(&st, &who, &id, Action::ReadReport)?;
    Ok(HttpResponse::Ok().json(detail))
}

/// Report `id` as `reviewer` may read it, and its metadata; the read is
/// audited as `action` (a withheld identity section as a denied read too).
pub(super) fn report_detail(
    st: &ReviewState,
    who: &Reviewer,
    id: &str,
    action: Action,
) -> Result<(ReportDetail, ReportMeta), ApiError> {
    let meta = find_report(st, id)?;
    let may_identity = who.has(Role::Identity);
    let mut envelopes = Vec::new();
    let mut withheld = false;
    for e in &meta.envelopes {
        if e.kind == EnvelopeKind::Identity && !may_identity {
            withheld = true;
            continue;
        }
        envelopes.push(envelope_data(&st.store, id, e)?);
    }
    let reply_recipients = reply_recipients(&st.store, &meta)?;
    let reviewers = st.store.reviewers()?;
    let blobs = meta
        .blobs
        .iter()
        .map(|b| BlobInfo {
            id: b.clone(),
            recipients: meta.sealed_to(b).map(<[String]>::to_vec),
        })
        .collect();
    let detail = (action == Action::SyncRead).then(|| "report".to_string());
    st.audit(&who.id, action, Some(id), detail)?;
    if withheld {
        st.audit(&who.id, Action::ReadIdentityDenied, Some(id), None)?;
    }
    tracing::info!(target: "amanat::review", reviewer = %who.id, report = %id, "report read");
    let detail = ReportDetail {
        report: summary_named(&meta, &reviewers),
        envelopes,
        identity_withheld: withheld,
        reply_recipients,
        blobs,
    };
    Ok((detail, meta))
}

/// Stores a reply the CLI encrypted to the source and the triage reviewers.
pub(super) async fn post_reply(
    who: Authed<Triage>,
    id: ReportId,
    JsonBody(r): JsonBody<ReplyRequest>,
    st: web::Data<ReviewState>,
) -> ApiResult {
    let created = store_reply(&st, &who.id, &id, &r)?;
    Ok(HttpResponse::Created().json(created))
}

/// Stores a reply by `reviewer_id` to report `id` with every check of the
/// online route.
pub(super) fn store_reply(
    st: &ReviewState,
    reviewer_id: &str,
    id: &str,
    r: &ReplyRequest,
) -> Result<ReplyCreated, ApiError> {
    let meta = find_report(st, id)?;
    let recipients = reply_recipients(&st.store, &meta)?;
    if recipients.is_empty() {
        return Err(ApiError::new(
            ErrorCode::Conflict,
            "this report has no follow-up channel to reply through",
        ));
    }
    // The server never sees the reply's plaintext; it can check only that
    // this is age ciphertext with one stanza of the right kind per expected
    // recipient.
    let (ct, types) = age_file("ciphertext", &r.ciphertext)?;
    if !addressed_to(&types, &recipients)? {
        return Err(ApiError::bad_request(format!(
            "the reply must be encrypted to exactly the {} recipients listed in `reply_recipients` (found {} stanza(s) of types {:?}); fetch the report again and re-encrypt",
            recipients.len(),
            types.len(),
            types
        )));
    }
    // Audited first: an action that cannot be audited is not done.
    st.audit(reviewer_id, Action::Reply, Some(id), None)?;
    let stored = st.store.append_envelope(
        id,
        NewEnvelope {
            kind: EnvelopeKind::Reply,
            ciphertext: ct,
            recipients,
        },
    )?;
    tracing::info!(target: "amanat::review", reviewer = %reviewer_id, report = %id, "reply stored");
    Ok(ReplyCreated {
        id: stored.id,
        day: stored.day,
    })
}

/// Streams one encrypted attachment of a report. The server sends the
/// ciphertext as stored; only the CLI can decrypt it.
pub(super) async fn get_blob(
    who: Authed<Triage>,
    path: AttachmentPath,
    st: web::Data<ReviewState>,
) -> ApiResult {
    let AttachmentPath { report: id, blob } = path;
    blob_response(&st, &who.id, &id, blob, Action::ReadAttachment)
}

/// Streams attachment `blob` of report `id`; the read is audited as
/// `action` by `reviewer_id`.
pub(super) fn blob_response(
    st: &ReviewState,
    reviewer_id: &str,
    id: &str,
    blob: String,
    action: Action,
) -> ApiResult {
    if st.store.report_head(id)?.is_none() {
        return Err(ApiError::not_found("report"));
    }
    if !st.store.has_blob(id, &blob)? {
        return Err(ApiError::not_found("attachment"));
    }
    let path = st
        .store
        .blob_path(&blob)
        .ok_or_else(|| ApiError::not_found("attachment"))?;
    let file = std::fs::File::open(&path)
        .map_err(|e| ApiError::internal(format!("blob {blob} of report {id}: {e}")))?;
    let len = file.metadata().map_err(ApiError::internal)?.len();
    st.audit(reviewer_id, action, Some(id), Some(blob))?;
    tracing::info!(target: "amanat::review", reviewer = %reviewer_id, report = %id, "attachment read");
    Ok(HttpResponse::Ok()
        .content_type("application/octet-stream")
        .no_chunking(len)
        .streaming(file_stream(file)))
}

/// A file as a stream of chunks, read on a blocking thread.
fn file_stream(
    file: std::fs::File,
) -> impl futures_util::Stream<Item = Result<web::Bytes, std::io::Error>> {
    let (tx, rx) = tokio::sync::mpsc::channel::<Result<web::Bytes, std::io::Error>>(4);
    std::thread::spawn(move || {
        use std::io::Read;
        let mut file = file;
        loop {
            let mut buf = vec![0u8; 256 * 1024];
            match file.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => {
                    buf.truncate(n);
                    if tx.blocking_send(Ok(web::Bytes::from(buf))).is_err() {
                        break;
                    }
                }
                Err(e) => {
                    let _ = tx.blocking_send(Err(e));
                    break;
                }
            }
        }
    });
    futures_util::stream::unfold(rx, |mut rx| async move { rx.recv().await.map(|c| (c, rx)) })
}

/// The identity envelope, only for reviewers with the identity role; any
/// other reviewer gets 403 and the attempt is audited.
pub(super) async fn get_identity(
    who: Authed,
    id: ReportId,
    st: web::Data<ReviewState>,
) -> ApiResult {
    let meta = find_report(&st, &id)?;
    if !who.has(Role::Identity) {
        tracing::info!(target: "amanat::review", reviewer = %who.id, report = %id, "identity refused");
        st.audit(&who.id, Action::ReadIdentityDenied, Some(&id), None)?;
        return Err(ApiError::forbidden(Role::Identity));
    }
    let envelope = meta
        .envelopes
        .iter()
        .find(|e| e.kind == EnvelopeKind::Identity)
        .map(|e| envelope_data(&st.store, &id, e))
        .transpose()?;
    st.audit(&who.id, Action::ReadIdentity, Some(&id), None)?;
    Ok(HttpResponse::Ok().json(IdentityData { envelope }))
}

/// The age file a base64 `field` holds, with its stanzas' types; 400
/// naming the field when it is not one.
pub(super) fn age_file(field: &str, b64: &str) -> Result<(Vec<u8>, Vec<String>), ApiError> {
    let ct = BASE64
        .decode(b64.as_bytes())
        .map_err(|_| ApiError::bad_request(format!("`{field}` is not base64")))?;
    let types = envelope::stanza_types(&ct)
        .map_err(|_| ApiError::bad_request(format!("`{field}` is not an age file")))?;
    Ok((ct, types))
}

/// True if the stanzas are exactly one per recipient in `recipients` (as
/// stored), each of the type that recipient's kind gets: `X25519`,
/// `p256tag` or `mlkem768p256tag`.
pub(super) fn addressed_to(types: &[String], recipients: &[String]) -> Result<bool, ApiError> {
    let parsed = envelope::parse_recipients(recipients)
        .map_err(|e| ApiError::internal(format!("a stored recipient does not parse: {e}")))?;
    Ok(recipient::addressed_to(types, &parsed))
}

/// A report's metadata, or 404.
pub(super) fn find_report(st: &ReviewState, id: &str) -> Result<ReportMeta, ApiError> {
    st.store
        .report(id)?
        .ok_or_else(|| ApiError::not_found("report"))
}

/// One envelope of report `id` as the API sends it; a missing one is a
/// server fault.
pub(super) fn envelope_data(
    store: &Store,
    id: &str,
    e: &EnvelopeRef,
) -> Result<EnvelopeData, ApiError> {
    let ct = store
        .envelope(&e.id)?
        .ok_or_else(|| ApiError::internal(format!("envelope {} of report {id} missing", e.id)))?;
    Ok(EnvelopeData {
        id: e.id.clone(),
        kind: e.kind,
        day: e.day,
        recipients: e.recipients.clone(),
        ciphertext: BASE64.encode(&ct),
    })
}

/// The source's recipient followed by every triage reviewer's; on a
/// post-quantum instance the source's alone.
///
/// The source's key is X25519, derived from the codename on the server
/// when they log in (a source has no hardware key), and age cannot seal
/// one envelope to it and to post-quantum keys: there the reply is sealed
/// to the source only, classical (SECURITY.md says so), and the reviewers'
/// copy of what was sent stays on their own machines.
pub(super) fn reply_recipients(store: &Store, meta: &ReportMeta) -> Result<Vec<String>, ApiError> {
    let Some(source) = &meta.source_recipient else {
        return Ok(Vec::new());
    };
    let triage = store.recipients_with_role(Role::Triage)?;
    let post_quantum = envelope::parse_recipients(&triage)
        .map_err(|e| ApiError::internal(format!("a stored recipient does not parse: {e}")))?
        .iter()
        .any(|r| r.is_post_quantum());
    let mut v = vec![source.clone()];
    if !post_quantum {
        v.extend(triage);
    }
    Ok(v)
}

/// A queue entry, with the assignee's display name looked up in
/// `reviewers` (every enrolled reviewer: the re-keying status counts what
/// is sealed to anyone else).
pub(super) fn summary_named(m: &ReportMeta, reviewers: &[Reviewer]) -> ReportSummary {
    ReportSummary {
        assignee_name: m
            .assignee
            .as_ref()
            .and_then(|a| reviewers.iter().find(|r| &r.id == a))
            .map(|r| r.name.clone()),
        id: m.id.clone(),
        received: m.received,
        state: m.state,
        closed_reason: m.closed_reason,
        state_day: m.state_day(),
        urgency: m.urgency,
        urgency_confirmed: m.urgency_confirmed,
        anonymity: m.anonymity,
        assignee: m.assignee.clone(),
        rekey: CurrentKeys::of(reviewers).status_of(m),
    }
}
