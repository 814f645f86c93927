//! Builds and runs the two listeners of `amanatd`.
//!
//! The intake listener serves only the source interface; the review listener
//! serves only the JSON API. Each has its own routes and its own 404, so a
//! route of one is never reachable on the other. There is deliberately no
//! request-logging middleware: access logs would record addresses and paths.

use crate::config::{Config, Listener};
use crate::intake::{self, IntakeState};
use crate::review::{self, ReviewState};
use crate::store::Store;
use crate::tls::ReloadableCert;
use crate::web::security_headers;
use actix_web::dev::{Server, ServerHandle};
use actix_web::middleware::{Compress, Condition};
use actix_web::{App, HttpServer, web};
use amanat_core::model::Questionnaire;
use std::net::{SocketAddr, TcpListener};
use std::sync::Arc;
use std::time::Duration;

/// Which of the two listeners.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Side {
    /// The defenders' form.
    Intake,
    /// The reviewers' API.
    Review,
}

impl std::fmt::Display for Side {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Side::Intake => "intake",
            Side::Review => "review",
        })
    }
}

/// Errors while starting the server.
#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    #[error("config: {0}")]
    Config(#[from] crate::config::ConfigError),
    #[error("cannot listen on {addr} ({which} listener): {source}")]
    Bind {
        which: Side,
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error("store: {0}")]
    Store(#[from] crate::store::StoreError),
    #[error("TLS for the {which} listener: {source}")]
    Tls {
        which: Side,
        // Boxed: a rustls error is large, and this one is rare.
        source: Box<crate::tls::TlsError>,
    },
}

/// Both listeners, bound and ready to run.
pub struct Application {
    intake: Server,
    review: Server,
    intake_addr: SocketAddr,
    review_addr: SocketAddr,
    intake_tls: bool,
    review_tls: bool,
    certs: Vec<(Side, Arc<ReloadableCert>)>,
}

impl Application {
    /// Binds both listeners. `handle_signals` is false in tests, where the
    /// server runs on a thread and is stopped through its handles.
    pub fn build(
        cfg: &Config,
        store: Arc<Store>,
        questionnaire: Arc<Questionnaire>,
        handle_signals: bool,
    ) -> Result<Application, ServerError> {
        cfg.validate()?;
        let intake_state = web::Data::new(IntakeState::new(
            store.clone(),
            questionnaire.clone(),
            cfg.limits.clone(),
            &cfg.kdf,
        )?);
        let mut review = ReviewState::new(store, questionnaire, cfg.limits.clone());
        review.post_quantum = cfg.crypto.post_quantum;
        let review_state = web::Data::new(review);

        let (intake, intake_addr, intake_cert) =
            bind(cfg, &cfg.intake, Side::Intake, handle_signals, move |tls| {
                let state = intake_state.clone();
                move || {
                    App::new()
                        .app_data(state.clone())
                        .wrap(Compress::default())
                        .wrap(security_headers())
                        .wrap(Condition::new(tls, hsts()))
                        .configure(intake::configure)
                        .default_service(web::to(intake::not_found))
                }
            })?;
        let (review, review_addr, review_cert) =
            bind(cfg, &cfg.review, Side::Review, handle_signals, move |tls| {
                let state = review_state.clone();
                move || {
                    App::new()
                        .app_data(state.clone())
                        .wrap(security_headers())
                        .wrap(Condition::new(tls, hsts()))
                        .configure(review::configure)
                        .default_service(web::to(review::not_found))
                }
            })?;
        let certs: Vec<_> = [(Side::Intake, intake_cert), (Side::Review, review_cert)]
            .into_iter()
            .filter_map(|(which, c)| c.map(|c| (which, c)))
            .collect();
        Ok(Application {
            intake,
            review,
            intake_addr,
            review_addr,
            intake_tls: certs.iter().any(|(w, _)| *w == Side::Intake),
            review_tls: certs.iter().any(|(w, _)| *w == Side::Review),
            certs,
        })
    }

    /// Where the intake listener is bound (useful with port 0).
    pub fn intake_addr(&self) -> SocketAddr {
        self.intake_addr
    }

    /// Where the review listener is bound.
    pub fn review_addr(&self) -> SocketAddr {
        self.review_addr
    }

    /// The intake base URL.
    pub fn intake_url(&self) -> String {
        url(self.intake_addr, self.intake_tls)
    }

    /// The review base URL.
    pub fn review_url(&self) -> String {
        url(self.review_addr, self.review_tls)
    }

    /// Handles to stop both listeners.
    pub fn handles(&self) -> (ServerHandle, ServerHandle) {
        (self.intake.handle(), self.review.handle())
    }

    /// The certificates of the TLS listeners, to reload on SIGHUP.
    pub fn certificates(&self) -> Vec<(Side, Arc<ReloadableCert>)> {
        self.certs.clone()
    }

    /// Re-reads every TLS listener's certificate and key. A listener whose
    /// new files are bad keeps its old certificate; the error names the file.
    pub fn reload_certificates(certs: &[(Side, Arc<ReloadableCert>)]) {
        for (which, cert) in certs {
            match cert.reload() {
                Ok(()) => tracing::info!(
                    "{which} listener: TLS certificate reloaded from {}",
                    cert.cert_path().display()
                ),
                Err(e) => tracing::error!(
                    "{which} listener: TLS certificate NOT reloaded, still serving the previous one: {e}"
                ),
            }
        }
    }

    /// Runs until both listeners stop.
    pub async fn run(self) -> std::io::Result<()> {
        let (a, b) = futures_util::future::join(self.intake, self.review).await;
        a.and(b)
    }
}

fn url(addr: SocketAddr, tls: bool) -> String {
    format!("{}://{addr}", if tls { "https" } else { "http" })
}

fn hsts() -> actix_web::middleware::DefaultHeaders {
    actix_web::middleware::DefaultHeaders::new().add((
        actix_web::http::header::STRICT_TRANSPORT_SECURITY,
        "max-age=63072000",
    ))
}

fn bind<F, A, S, B>(
    cfg: &Config,
    l: &Listener,
    which: Side,
    handle_signals: bool,
    make: F,
) -> Result<(Server, SocketAddr, Option<Arc<ReloadableCert>>), ServerError>
where
    F: FnOnce(bool) -> A,
    A: Fn() -> App<S> + Send + Clone + 'static,
    S: actix_web::dev::ServiceFactory<
            actix_web::dev::ServiceRequest,
            Config = (),
            Response = actix_web::dev::ServiceResponse<B>,
            Error = actix_web::Error,
            InitError = (),
        > + 'static,
    B: actix_web::body::MessageBody + 'static,
{
    let addr: SocketAddr = match which {
        Side::Intake => cfg.intake_addr()?,
        Side::Review => cfg.review_addr()?,
    };
    let listener = TcpListener::bind(addr).map_err(|source| ServerError::Bind {
        which,
        addr,
        source,
    })?;
    let bound = listener.local_addr().map_err(|source| ServerError::Bind {
        which,
        addr,
        source,
    })?;
    let cert = match (&l.tls_cert, &l.tls_key) {
        (Some(c), Some(k)) => Some(Arc::new(ReloadableCert::load(c, k).map_err(|e| {
            ServerError::Tls {
                which,
                source: Box::new(e),
            }
        })?)),
        _ => None,
    };
    let tls = cert
        .clone()
        .map(crate::tls::server_config_reloadable)
        .transpose()
        .map_err(|e| ServerError::Tls {
            which,
            source: Box::new(e),
        })?;
    let is_tls = tls.is_some();
    let limits = &cfg.limits;
    let mut server = HttpServer::new(make(is_tls))
        .workers(l.workers)
        .max_connections(limits.max_connections)
        .client_request_timeout(Duration::from_secs(limits.request_timeout_secs))
        .client_disconnect_timeout(Duration::from_secs(limits.disconnect_timeout_secs))
        .keep_alive(Duration::from_secs(limits.keep_alive_secs))
        .shutdown_timeout(10);
    if !handle_signals {
        server = server.disable_signals();
    }
    let server = match tls {
        Some(t) => server.listen_rustls_0_23(listener, t),
        None => server.listen(listener),
    }
    .map_err(|source| ServerError::Bind {
        which,
        addr,
        source,
    })?;
    Ok((server.run(), bound, cert))
}
