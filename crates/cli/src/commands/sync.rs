//! `amanat sync` and its enrolment (`sync challenge`, `sync enrol`,
//! `sync revoke`): the online machine's part of air-gapped review
//! (docs/reviewers.md, "Air-gapped review").
//!
//! This machine holds no private key. It asks for a sync challenge, which
//! is carried to the offline machine (`amanat desk answer`) and back, and
//! gets a read-only sync token. `amanat sync` then mirrors every report's
//! ciphertext (`crate::mirror`): only the reports whose version changed
//! since the last run, each recorded once whole, so a run that is killed or
//! loses the network continues where it stopped when run again.

use super::Ctx;
use crate::client::{Api, url_segment};
use crate::desk::{ANSWER_FORMAT, AnswerFile, CHALLENGE_FORMAT, ChallengeFile, read_json};
use crate::exit::{CliError, Exit};
use crate::mirror::{self, Mirror};
use crate::render::{print_json, safe};
use crate::syncstate::{self, PENDING_FILE, Pending, SYNC_FILE, SyncToken};
use amanat_core::api::{
    ChallengeRequest, ChallengeResponse, SyncEnrolRequest, SyncEnrolled, SyncQueue, SyncReport,
};
use amanat_core::timeutil::Day;
use std::collections::BTreeSet;
use std::io::{IsTerminal, Read};
use std::path::{Path, PathBuf};

/// `amanat sync challenge`: step 1, online.
pub fn challenge(
    ctx: &Ctx,
    server: &str,
    recipient: &str,
    ca_file: Option<PathBuf>,
    out: &Path,
) -> Result<(), CliError> {
    let server = server.trim_end_matches('/');
    let api = Api::new(server, ctx.proxy.as_deref(), ca_file.as_deref())?;
    let ch: ChallengeResponse = api.post(
        "/api/v1/sync/challenge",
        &ChallengeRequest {
            recipient: recipient.to_string(),
        },
    )?;
    let file = ChallengeFile {
        format: CHALLENGE_FORMAT.into(),
        server: server.into(),
        recipient: recipient.into(),
        challenge_id: ch.challenge_id.clone(),
        challenge: ch.challenge,
    };
    let text = serde_json::to_vec_pretty(&file).map_err(|e| CliError::general(e.to_string()))?;
    super::write_new_file(out, &text)?;
    syncstate::save(
        &ctx.dir,
        PENDING_FILE,
        &Pending {
            server: server.into(),
            challenge_id: ch.challenge_id,
            ca_file,
        },
    )?;
    eprintln!(
        "Challenge written to {}. On the offline machine run `amanat desk answer {}`, then bring \
         the answer back for `amanat sync enrol ANSWER`.",
        out.display(),
        out.display()
    );
    Ok(())
}

/// `amanat sync enrol ANSWER`: step 3, online.
pub fn enrol(ctx: &Ctx, answer: &Path, json: bool) -> Result<(), CliError> {
    let a: AnswerFile = read_json(answer, "a sync answer file", ANSWER_FORMAT)?;
    let pending: Pending = syncstate::load_opt(&ctx.dir, PENDING_FILE)?.ok_or_else(|| {
        CliError::usage("no sync challenge is waiting in this profile; run `amanat sync challenge`")
    })?;
    if pending.challenge_id != a.challenge_id || pending.server != a.server {
        return Err(CliError::usage(
            "this answer is not for the challenge this profile is waiting for; run \
             `amanat sync challenge` again",
        ));
    }
    let api = Api::new(
        &pending.server,
        ctx.proxy.as_deref(),
        pending.ca_file.as_deref(),
    )?;
    let e: SyncEnrolled = api.post(
        "/api/v1/sync/enrol",
        &SyncEnrolRequest {
            challenge_id: a.challenge_id,
            response: a.response,
            desk_key: a.desk_key,
        },
    )?;
    let saved = SyncToken {
        server: pending.server.clone(),
        token: e.token.clone(),
        reviewer_id: e.reviewer.id.clone(),
        reviewer_name: e.reviewer.name.clone(),
        desk_key: e.desk_key.clone(),
        expires: e.expires,
        ca_file: pending.ca_file.clone(),
    };
    syncstate::save(&ctx.dir, SYNC_FILE, &saved)?;
    syncstate::remove(&ctx.dir, PENDING_FILE)?;
    if json {
        return print_json(&serde_json::json!({
            "server": saved.server, "reviewer": e.reviewer, "desk_key": e.desk_key,
            "expires": e.expires,
        }));
    }
    eprintln!(
        "Desk enrolled for {} on {} until {}. Run `amanat sync` to mirror the reports.",
        safe(&e.reviewer.name),
        saved.server,
        e.expires
    );
    Ok(())
}

/// `amanat sync revoke`: ends the token on the server, forgets it here.
pub fn revoke(ctx: &Ctx) -> Result<(), CliError> {
    let t = syncstate::load(&ctx.dir)?;
    let api = Api::new(&t.server, ctx.proxy.as_deref(), t.ca_file.as_deref())?.with_token(&t.token);
    match api.delete_empty("/api/v1/sync/token") {
        Ok(())
        | Err(CliError {
            code: Exit::NotLoggedIn,
            ..
        }) => {}
        Err(e) => return Err(e),
    }
    syncstate::remove(&ctx.dir, SYNC_FILE)?;
    eprintln!("Sync token revoked.");
    Ok(())
}

/// The mirror directory: `--mirror`, else `mirror` in the profile's dir.
pub fn mirror_dir(ctx: &Ctx, mirror: Option<PathBuf>) -> PathBuf {
    mirror.unwrap_or_else(|| ctx.dir.join("mirror"))
}

/// What one run fetched.
#[derive(Debug, Default, serde::Serialize)]
pub struct Outcome {
    pub reports: usize,
    pub fetched: usize,
    pub blobs: usize,
    pub bytes: u64,
    pub removed: usize,
}

/// `amanat sync`: mirrors what changed since the last run.
pub fn run(ctx: &Ctx, mirror: Option<PathBuf>, json: bool) -> Result<(), CliError> {
    let (dir, out) = sync_profile(ctx, mirror, !json)?;
    if json {
        return print_json(&outcome_json(&dir, &out));
    }
    print_outcome(&dir, &out);
    Ok(())
}

/// Syncs the profile of `ctx` into `mirror` (or its own mirror).
fn sync_profile(
    ctx: &Ctx,
    mirror: Option<PathBuf>,
    progress: bool,
) -> Result<(PathBuf, Outcome), CliError> {
    let t = syncstate::load(&ctx.dir)?;
    let api = Api::new(&t.server, ctx.proxy.as_deref(), t.ca_file.as_deref())?.with_token(&t.token);
    let dir = mirror_dir(ctx, mirror);
    let mut m = Mirror::open_for(&dir, &t.server, &t.reviewer_id)?;
    m.manifest.reviewer_name = t.reviewer_name.clone();
    let out = sync_into(&api, &mut m, progress && std::io::stderr().is_terminal())?;
    Ok((dir, out))
}

fn outcome_json(dir: &Path, out: &Outcome) -> serde_json::Value {
    serde_json::json!({
        "mirror": dir, "reports": out.reports, "fetched": out.fetched,
        "blobs": out.blobs, "bytes": out.bytes, "removed": out.removed,
    })
}

fn print_outcome(dir: &Path, out: &Outcome) {
    println!(
        "Mirrored {} report(s) into {}: {} new or changed, {} attachment file(s) ({} bytes), {} \
         gone from the server.",
        out.reports,
        dir.display(),
        out.fetched,
        out.blobs,
        out.bytes,
        out.removed
    );
}

/// `amanat sync --all-profiles`: every profile with a sync token, each
/// into its own mirror. A server that fails does not stop the others; the
/// command ends with the first failure's exit code.
pub fn run_all(ctx: &Ctx, json: bool) -> Result<(), CliError> {
    let mut profiles = vec![crate::profiles::Profile::default_profile()];
    if let Ok(entries) = std::fs::read_dir(ctx.root.join(crate::profiles::PROFILES_DIR)) {
        let mut named: Vec<_> = entries
            .flatten()
            .filter_map(|e| {
                e.file_name()
                    .to_str()
                    .and_then(|n| crate::profiles::Profile::parse(n).ok())
            })
            .filter(|p| !p.is_default())
            .collect();
        named.sort();
        profiles.extend(named);
    }
    let mut failed: Option<CliError> = None;
    let mut any = false;
    let mut outcomes = serde_json::Map::new();
    for p in profiles {
        let pctx = ctx.with_profile(p.clone());
        if !pctx.dir.join(SYNC_FILE).exists() {
            continue;
        }
        any = true;
        match sync_profile(&pctx, None, !json) {
            Ok((dir, out)) if json => {
                outcomes.insert(p.to_string(), outcome_json(&dir, &out));
            }
            Ok((dir, out)) => {
                print!("{p}: ");
                print_outcome(&dir, &out);
            }
            Err(e) => {
                eprintln!("amanat: profile {p}: {}", e.message);
                failed.get_or_insert(CliError::new(
                    e.code,
                    format!("profile {p} could not be synced: {}", e.message),
                ));
            }
        }
    }
    if !any {
        return Err(CliError::new(
            Exit::NotLoggedIn,
            "no profile has a sync token; enrol a desk first (`amanat sync challenge`)",
        ));
    }
    if json {
        print_json(&outcomes)?;
    }
    failed.map_or(Ok(()), Err)
}

/// The whole queue with each report's version, a page at a time.
fn sync_queue(api: &Api) -> Result<SyncQueue, CliError> {
    let mut all = SyncQueue {
        reports: Vec::new(),
        next_cursor: None,
    };
    let mut cursor: Option<String> = None;
    loop {
        let mut path = format!("/api/v1/sync/reports?limit={}", super::list::ALL_PAGE);
        if let Some(c) = &cursor {
            path.push_str("&cursor=");
            path.push_str(&url_segment(c));
        }
        let page: SyncQueue = api.get(&path)?;
        all.reports.extend(page.reports);
        match page.next_cursor {
            Some(c) => cursor = Some(c),
            None => return Ok(all),
        }
    }
}

/// Brings mirror `m` up to date through `api` (a sync token's client).
pub fn sync_into(api: &Api, m: &mut Mirror, progress: bool) -> Result<Outcome, CliError> {
    let queue = sync_queue(api)?;
    let mut out = Outcome {
        reports: queue.reports.len(),
        ..Outcome::default()
    };
    let changed: Vec<_> = queue
        .reports
        .iter()
        .filter(|h| {
            m.manifest.reports.get(&h.report.id) != Some(&h.version)
                || !m.has(&mirror::report_path(&h.report.id))
        })
        .collect();
    let bar = if progress {
        let b = indicatif::ProgressBar::new(changed.len() as u64);
        if let Ok(style) =
            indicatif::ProgressStyle::with_template("sync [{bar:30}] {pos}/{len} reports {msg}")
        {
            b.set_style(style);
        }
        b
    } else {
        indicatif::ProgressBar::hidden()
    };
    for head in changed {
        let id = &head.report.id;
        if !amanat_core::crypto::random::is_id(id) {
            return Err(CliError::general("the server listed a malformed report id"));
        }
        let r: SyncReport = api.get(&format!("/api/v1/sync/reports/{}", url_segment(id)))?;
        check_report(id, &r)?;
        for blob in &r.blobs {
            let rel = mirror::blob_path(blob);
            if m.has(&rel) {
                continue; // attachment files never change once stored
            }
            let mut resp = api.get_stream(&format!(
                "/api/v1/sync/reports/{}/blobs/{}",
                url_segment(id),
                url_segment(blob)
            ))?;
            m.write_from(&rel, &mut resp, |n| {
                out.bytes += n;
                bar.set_message(format!("{} bytes", out.bytes));
            })?;
            let head = read_head(&m.dir.join(&rel))?;
            if let Err(e) = mirror::check_age(&head, None) {
                m.manifest.files.remove(&rel);
                let _ = std::fs::remove_file(m.dir.join(&rel));
                return Err(CliError::general(format!(
                    "attachment file {blob} of report {id} is not age ciphertext ({e}); nothing of \
                     it was kept"
                )));
            }
            out.blobs += 1;
        }
        let bytes = serde_json::to_vec(&r).map_err(|e| CliError::general(e.to_string()))?;
        m.write(&mirror::report_path(id), &bytes)?;
        m.manifest.reports.insert(id.clone(), head.version.clone());
        // The report counts from here: a run killed later keeps it.
        m.save()?;
        out.fetched += 1;
        bar.inc(1);
    }
    bar.finish_and_clear();
    // Reports the server no longer has (purged) leave the mirror too.
    let live: BTreeSet<&str> = queue.reports.iter().map(|h| h.report.id.as_str()).collect();
    let gone: Vec<String> = m
        .manifest
        .reports
        .keys()
        .filter(|id| !live.contains(id.as_str()))
        .cloned()
        .collect();
    for id in &gone {
        m.manifest.reports.remove(id);
        let rel = mirror::report_path(id);
        m.manifest.files.remove(&rel);
        let _ = std::fs::remove_file(m.dir.join(rel));
    }
    out.removed = gone.len();
    let recipients: serde_json::Value = api.get("/api/v1/sync/recipients")?;
    let recipients =
        serde_json::to_vec(&recipients).map_err(|e| CliError::general(e.to_string()))?;
    m.write(mirror::RECIPIENTS, &recipients)?;
    let labels: serde_json::Value = api.get("/api/v1/sync/questionnaire")?;
    let labels = serde_json::to_vec(&labels).map_err(|e| CliError::general(e.to_string()))?;
    m.write(mirror::QUESTIONNAIRE, &labels)?;
    let queue_bytes = serde_json::to_vec(&queue).map_err(|e| CliError::general(e.to_string()))?;
    m.write(mirror::QUEUE, &queue_bytes)?;
    m.manifest.synced = Some(Day::today());
    m.save()?;
    Ok(out)
}

/// Refuses a report whose envelopes are not age files to the recipients
/// the server lists, or that is not the report asked for.
fn check_report(id: &str, r: &SyncReport) -> Result<(), CliError> {
    if r.detail.report.id != id {
        return Err(CliError::general(format!(
            "the server answered for report {} when asked for {id}",
            r.detail.report.id
        )));
    }
    if r.blobs
        .iter()
        .any(|b| !amanat_core::crypto::random::is_id(b))
    {
        return Err(CliError::general(format!(
            "the server listed a malformed attachment id for report {id}"
        )));
    }
    for e in &r.detail.envelopes {
        mirror::check_envelope(&e.ciphertext, e.recipients.len()).map_err(|why| {
            CliError::general(format!(
                "envelope {} of report {id} is refused: {why}; nothing of this report was kept",
                e.id
            ))
        })?;
    }
    Ok(())
}

/// The first 64 KiB of a file (an age header fits).
fn read_head(path: &Path) -> Result<Vec<u8>, CliError> {
    let mut head = Vec::new();
    std::fs::File::open(path)
        .and_then(|f| f.take(64 * 1024).read_to_end(&mut head))
        .map_err(|e| CliError::general(format!("cannot read {}: {e}", path.display())))?;
    Ok(head)
}
