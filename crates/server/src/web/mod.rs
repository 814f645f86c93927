//! What both listeners share: security headers, bounded body reading (in
//! size and in time), strict form decoding, anti-forgery tokens and global
//! rate limits.
//!
//! Nothing here looks at the peer address or the user agent: there is no
//! per-client state because there must be no per-client record.

pub mod csrf;
pub mod form;
pub mod ratelimit;

use actix_web::error::PayloadError;
use actix_web::http::header;
use actix_web::middleware::DefaultHeaders;
use actix_web::rt::time::{Instant, Sleep, sleep};
use actix_web::web::{Bytes, BytesMut, Payload};
use futures_util::{Stream, StreamExt};
use std::cell::Cell;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};
use std::time::Duration;

/// Headers on every response of both listeners.
pub fn security_headers() -> DefaultHeaders {
    DefaultHeaders::new()
        .add((
            header::CONTENT_SECURITY_POLICY,
            "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; \
             frame-ancestors 'none'; base-uri 'none'",
        ))
        .add((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .add((header::REFERRER_POLICY, "no-referrer"))
        .add((header::CACHE_CONTROL, "no-store"))
        .add((header::X_FRAME_OPTIONS, "DENY"))
        .add((
            header::HeaderName::from_static("permissions-policy"),
            "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), \
             microphone=(), payment=(), usb=(), interest-cohort=()",
        ))
        .add((
            header::HeaderName::from_static("cross-origin-opener-policy"),
            "same-origin",
        ))
        .add((
            header::HeaderName::from_static("cross-origin-resource-policy"),
            "same-origin",
        ))
}

/// Why a body could not be read.
#[derive(Debug, PartialEq, Eq)]
pub enum BodyError {
    /// Larger than the limit (bytes).
    TooLarge(usize),
    /// The client went away or sent a broken stream.
    Broken,
    /// The body stopped arriving for longer than `limits.body_idle_secs`.
    Stalled,
}

/// Reads a request body, stopping as soon as it exceeds `limit` bytes or
/// nothing arrives for `idle`.
pub async fn read_body(
    req: &actix_web::HttpRequest,
    payload: Payload,
    limit: usize,
    idle: Duration,
) -> Result<BytesMut, BodyError> {
    if let Some(len) = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok())
    {
        if len > limit as u64 {
            return Err(BodyError::TooLarge(limit));
        }
    }
    let (mut payload, stall) = idle_limited(payload, idle);
    let mut body = BytesMut::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|_| {
            if stall.is_set() {
                BodyError::Stalled
            } else {
                BodyError::Broken
            }
        })?;
        if body.len() + chunk.len() > limit {
            return Err(BodyError::TooLarge(limit));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// Set once a body wrapped by [`idle_limited`] has been cut off.
#[derive(Clone, Debug, Default)]
pub struct Stall(Rc<Cell<bool>>);

impl Stall {
    /// True if the body stopped arriving and was cut off.
    pub fn is_set(&self) -> bool {
        self.0.get()
    }
}

/// A request body that ends with an error when no bytes arrive for `idle`.
///
/// The HTTP layer's own timeouts cover only the request head and idle
/// keep-alive connections: without this, a client that sends part of a
/// body and then nothing holds its connection, its memory and (for an
/// upload) its upload slot for ever. The clock restarts with every chunk,
/// so a slow but steady upload is never cut off.
pub fn idle_limited(payload: Payload, idle: Duration) -> (IdleLimited, Stall) {
    let stall = Stall::default();
    let body = IdleLimited {
        inner: payload,
        idle,
        timer: Box::pin(sleep(idle)),
        stall: stall.clone(),
        done: false,
    };
    (body, stall)
}

/// See [`idle_limited`].
pub struct IdleLimited {
    inner: Payload,
    idle: Duration,
    timer: Pin<Box<Sleep>>,
    stall: Stall,
    done: bool,
}

impl Stream for IdleLimited {
    type Item = Result<Bytes, PayloadError>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        if this.done {
            return Poll::Ready(None);
        }
        match this.inner.poll_next_unpin(cx) {
            Poll::Ready(Some(item)) => {
                this.timer.as_mut().reset(Instant::now() + this.idle);
                Poll::Ready(Some(item))
            }
            Poll::Ready(None) => {
                this.done = true;
                Poll::Ready(None)
            }
            Poll::Pending => match this.timer.as_mut().poll(cx) {
                Poll::Ready(()) => {
                    this.done = true;
                    this.stall.0.set(true);
                    Poll::Ready(Some(Err(PayloadError::Io(std::io::Error::new(
                        std::io::ErrorKind::TimedOut,
                        "the request body stopped arriving",
                    )))))
                }
                Poll::Pending => Poll::Pending,
            },
        }
    }
}

/// Reads and drops up to `limit` bytes of a body, so that a refusal sent
/// before the body was read reaches the client instead of a reset
/// connection. Stops early at an error (a stalled body included).
pub async fn discard_body<S>(mut body: S, limit: u64)
where
    S: Stream<Item = Result<Bytes, PayloadError>> + Unpin,
{
    let mut seen = 0u64;
    while let Some(Ok(chunk)) = body.next().await {
        seen += chunk.len() as u64;
        if seen > limit {
            break;
        }
    }
}

/// True if the request came over TLS (cookies then get `Secure`).
pub fn is_tls(req: &actix_web::HttpRequest) -> bool {
    req.connection_info().scheme() == "https"
}

pub use amanat_core::human_bytes;
