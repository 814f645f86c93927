//! What both listeners share: security headers, bounded body reading,
//! strict form decoding, anti-forgery tokens and global rate limits.
//!
//! Nothing here looks at the peer address or the user agent: there is no
//! per-client state because there must be no per-client record.

pub mod csrf;
pub mod form;
pub mod ratelimit;

use actix_web::http::header;
use actix_web::middleware::DefaultHeaders;
use actix_web::web::{BytesMut, Payload};
use futures_util::StreamExt;

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
}

/// Reads a request body, stopping as soon as it exceeds `limit` bytes.
pub async fn read_body(
    req: &actix_web::HttpRequest,
    mut payload: Payload,
    limit: usize,
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
    let mut body = BytesMut::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|_| BodyError::Broken)?;
        if body.len() + chunk.len() > limit {
            return Err(BodyError::TooLarge(limit));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// True if the request came over TLS (cookies then get `Secure`).
pub fn is_tls(req: &actix_web::HttpRequest) -> bool {
    req.connection_info().scheme() == "https"
}

/// Human-readable byte size (for limit messages).
pub fn human_bytes(n: u64) -> String {
    const UNITS: &[&str] = &["bytes", "KiB", "MiB", "GiB"];
    let mut v = n as f64;
    let mut i = 0;
    while v >= 1024.0 && i + 1 < UNITS.len() {
        v /= 1024.0;
        i += 1;
    }
    if i == 0 {
        format!("{n} bytes")
    } else if v.fract() == 0.0 {
        format!("{v:.0} {}", UNITS[i])
    } else {
        format!("{v:.1} {}", UNITS[i])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn human_sizes() {
        assert_eq!(human_bytes(10), "10 bytes");
        assert_eq!(human_bytes(524_288), "512 KiB");
        assert_eq!(human_bytes(1_572_864), "1.5 MiB");
    }
}
