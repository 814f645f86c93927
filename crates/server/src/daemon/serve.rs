//! `amanatd serve`: hardening, the configuration, the store, both
//! listeners, the control socket, daily retention and certificate reload on
//! SIGHUP; `--demo` with a throwaway data dir and a demo reviewer key.

use super::exit::{Exit, Failure, fail};
use super::logging::init_logging;
use crate::config::Config;
use crate::server::Application;
use crate::store::Store;
use amanat_core::model::{Questionnaire, Role};
use std::io::Write;
use std::os::unix::fs::DirBuilderExt;
use std::path::PathBuf;
use std::sync::Arc;

/// Refuses to serve while a reviewer who receives envelopes holds a key of
/// the other kind than `[crypto] post_quantum` says, naming each one.
fn refuse_keys_out_of_mode(store: &Store, post_quantum: bool) -> Result<(), Failure> {
    let problems = crate::review::keys_out_of_mode(&store.reviewers()?, post_quantum);
    if problems.is_empty() {
        return Ok(());
    }
    Err(fail(
        Exit::Config,
        format!(
            "refusing to start: {} reviewer key(s) do not match `[crypto] post_quantum = {}`:\n  {}",
            problems.len(),
            post_quantum,
            problems.join("\n  ")
        ),
    ))
}

/// `amanatd serve`, with the flags given.
pub(super) fn start(
    data_dir: Option<PathBuf>,
    config: Option<PathBuf>,
    intake_addr: Option<String>,
    review_addr: Option<String>,
    demo: bool,
) -> Result<(), Failure> {
    init_logging();
    // Before any report can be in memory: no core dumps, no ptrace
    // by other processes of this user, private files.
    crate::ops::harden_process().map_err(|e| fail(Exit::Error, e.to_string()))?;
    if demo {
        return serve_demo(intake_addr, review_addr);
    }
    let data_dir = data_dir.ok_or_else(|| fail(Exit::Usage, "--data-dir is required"))?;
    let mut cfg = Config::load(&data_dir, config.as_deref())?;
    if let Some(a) = intake_addr {
        cfg.intake.addr = a;
    }
    if let Some(a) = review_addr {
        cfg.review.addr = a;
    }
    cfg.validate()?;
    // An older store is backed up beside the data dir, then migrated.
    let store = crate::ops::backup::migrate::open(&data_dir, cfg.limits.store_cache_bytes)?;
    match store.remove_orphan_blobs()? {
        0 => {}
        n => tracing::info!("removed {n} attachment file(s) left by interrupted writes"),
    }
    serve(cfg, store, None)
}

fn serve(cfg: Config, store: Store, banner: Option<String>) -> Result<(), Failure> {
    let questionnaire = match &cfg.questionnaire {
        Some(p) => Questionnaire::load(p),
        None => Questionnaire::builtin(),
    }
    .map_err(|e| fail(Exit::Config, e.to_string()))?;
    refuse_keys_out_of_mode(&store, cfg.crypto.post_quantum)?;
    if store.recipients_with_role(Role::Triage)?.is_empty() {
        tracing::warn!(
            "no triage reviewer is enrolled: the form will refuse reports until one is added"
        );
    }
    let store = Arc::new(store);
    let control = crate::ops::control::ControlServer::start(store.clone())?;
    let system = actix_web::rt::System::new();
    let result = system.block_on(async move {
        let retention = cfg.retention.clone();
        let app = Application::build(&cfg, store.clone(), Arc::new(questionnaire), true)
            .map_err(|e| fail(Exit::Error, e.to_string()))?;
        // Retention: once at start, then daily.
        actix_web::rt::spawn(async move {
            let mut tick = actix_web::rt::time::interval(std::time::Duration::from_secs(86_400));
            loop {
                tick.tick().await;
                let (s, r) = (store.clone(), retention.clone());
                match actix_web::web::block(move || {
                    crate::retention::run(&r, &s, amanat_core::timeutil::Day::today(), false)
                })
                .await
                {
                    Ok(Ok(ids)) if !ids.is_empty() => {
                        tracing::info!("retention: purged {} report(s)", ids.len());
                    }
                    Ok(Ok(_)) => {}
                    Ok(Err(e)) => tracing::error!("retention failed: {e}"),
                    Err(_) => tracing::error!("retention failed: worker unavailable"),
                }
            }
        });
        // SIGHUP re-reads the TLS certificates (after a renewal) without
        // closing the listeners. Installing the handler also keeps SIGHUP's
        // default action (terminate) from stopping the server.
        let mut hup = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::hangup())
            .map_err(|e| fail(Exit::Error, format!("cannot handle SIGHUP: {e}")))?;
        let certs = app.certificates();
        actix_web::rt::spawn(async move {
            while hup.recv().await.is_some() {
                if certs.is_empty() {
                    tracing::info!("SIGHUP: no TLS listener, nothing to reload");
                }
                Application::reload_certificates(&certs);
            }
        });
        println!("intake listening on {}", app.intake_url());
        println!("review listening on {}", app.review_url());
        if let Some(b) = banner {
            println!("{b}");
        }
        let _ = std::io::stdout().flush();
        app.run()
            .await
            .map_err(|e| fail(Exit::Error, e.to_string()))
    });
    drop(control);
    result
}

fn serve_demo(intake: Option<String>, review: Option<String>) -> Result<(), Failure> {
    let dir = tempfile::Builder::new()
        .prefix("amanat-demo-")
        .tempdir()
        .map_err(|e| {
            fail(
                Exit::Error,
                format!("cannot create a temporary directory: {e}"),
            )
        })?;
    let data = dir.path().join("data");
    std::fs::DirBuilder::new()
        .mode(0o700)
        .create(&data)
        .map_err(|e| fail(Exit::Error, e.to_string()))?;
    let store = Store::create(&data)?;
    let key = dir.path().join("demo-reviewer.key");
    let recipient =
        amanat_core::keyfile::keygen(&key, None).map_err(|e| fail(Exit::Error, e.to_string()))?;
    store.add_reviewer(crate::store::NewReviewer {
        name: "demo".into(),
        recipient,
        roles: vec![Role::Triage, Role::Identity, Role::Admin],
    })?;
    let mut cfg = Config::default();
    if let Some(a) = intake {
        cfg.intake.addr = a;
    }
    if let Some(a) = review {
        cfg.review.addr = a;
    }
    cfg.validate()?;
    // After `cargo run`, the CLI sits beside this binary, not on PATH.
    let amanat = std::env::current_exe()
        .ok()
        .and_then(|p| p.parent().map(|d| d.join("amanat")))
        .filter(|p| p.exists())
        .map(|p| p.display().to_string())
        .unwrap_or_else(|| "amanat".into());
    let banner = format!(
        "\n\
         ************************************************************************\n\
         *  DEMO MODE. Everything is thrown away when this process stops.       *\n\
         *  The demo reviewer key below is NOT secret. Never use demo mode for  *\n\
         *  real reports.                                                       *\n\
         ************************************************************************\n\
         Data dir:          {data}\n\
         Demo reviewer key: {key}\n\n\
         Open the form:     http://{intake}/\n\
         Then, in another terminal:\n  \
           export AMANAT_CONFIG_DIR={cfgdir}\n  \
           {amanat} login --server http://{review} --identity {key}\n  \
           {amanat} list\n  \
           {amanat} show <ID from the list>\n",
        data = data.display(),
        key = key.display(),
        intake = cfg.intake.addr,
        review = cfg.review.addr,
        cfgdir = dir.path().join("cli").display(),
    );
    let result = serve(cfg, store, Some(banner));
    drop(dir);
    result
}
