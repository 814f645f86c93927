//! Logging for `amanatd serve`: Amanat's own lines at `AMANAT_LOG`, a few
//! lines of actix-server, nothing from any crate that parses input, and no
//! timestamps.

/// `AMANAT_LOG` sets the level of Amanat's own lines. Of every other crate
/// only [`OTHER_CRATES_LOGGED`] may log, at INFO and above, whatever
/// `AMANAT_LOG` says. The crates that parse what sources and reviewers send
/// (HTTP, TLS, multipart, PDF, zip, images) log details of that input: a
/// PDF with slightly wrong cross-reference offsets makes lopdf warn with the
/// offsets, and a collector such as journald stamps each line to the
/// second, dating an upload. sled, at DEBUG and TRACE, prints every key and
/// value it reads or writes (report ids, source lookup ids). None of it may
/// reach the log, at any level: their failures reach Amanat's code as
/// errors, which it logs without the input. tests/seizure.rs runs the server
/// at `trace`, sends such a PDF, and checks the log.
pub(super) fn init_logging() {
    use tracing_subscriber::Layer;
    use tracing_subscriber::layer::SubscriberExt;
    use tracing_subscriber::util::SubscriberInitExt;
    let env = tracing_subscriber::EnvFilter::try_from_env("AMANAT_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let layer = tracing_subscriber::fmt::layer()
        .without_time()
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_writer(std::io::stderr)
        .with_filter(log_filter(env));
    let _ = tracing_subscriber::registry().with(layer).try_init();
}

/// Amanat's own log targets: explicit `amanat::…` targets and the module
/// paths of the workspace's crates the server links.
pub const OWN_CRATES: &[&str] = &["amanat", "amanatd", "amanat_core", "amanat_sanitize"];

/// The crates other than Amanat whose INFO, WARN and ERROR lines reach the
/// log: actix-server says when it starts, which listener address it bound
/// (the server's own) and when it stops, and reads no request bytes.
pub const OTHER_CRATES_LOGGED: &[&str] = &["actix_server"];

/// `env` for Amanat's own targets; INFO and above from
/// [`OTHER_CRATES_LOGGED`]; nothing from any other crate.
fn log_filter<S>(env: tracing_subscriber::EnvFilter) -> impl tracing_subscriber::layer::Filter<S> {
    use tracing_subscriber::filter::FilterExt;
    let allowed = tracing_subscriber::filter::filter_fn(|m| {
        OWN_CRATES.contains(&crate_of(m.target()))
            || (OTHER_CRATES_LOGGED.contains(&crate_of(m.target()))
                && *m.level() <= tracing::Level::INFO)
    })
    // Without a hint the combined filter has none, and `try_init` would set
    // the `log` crate's maximum to TRACE even at `info`: every sled trace
    // call would reach the subscriber only to be dropped there. With it the
    // maximum is `AMANAT_LOG`'s, as it was with a plain EnvFilter.
    .with_max_level_hint(tracing::level_filters::LevelFilter::TRACE);
    env.and(allowed)
}

/// The crate a log target belongs to: targets are module paths
/// (`lopdf::reader`), and lines bridged from the `log` crate keep theirs.
fn crate_of(target: &str) -> &str {
    target.split("::").next().unwrap_or(target)
}

#[cfg(test)]
mod tests {
    use super::*;
    use tracing::level_filters::LevelFilter;
    use tracing_subscriber::EnvFilter;
    use tracing_subscriber::layer::Filter;

    #[test]
    fn the_log_filter_keeps_amanat_log_as_the_maximum_level() {
        for (spec, max) in [
            ("info", LevelFilter::INFO),
            ("warn", LevelFilter::WARN),
            ("trace", LevelFilter::TRACE),
            ("amanat=debug,warn", LevelFilter::DEBUG),
        ] {
            let f = log_filter::<tracing_subscriber::Registry>(EnvFilter::new(spec));
            assert_eq!(f.max_level_hint(), Some(max), "{spec}");
        }
    }

    /// What one subscriber with `log_filter(spec)` prints for a fixed set
    /// of lines from Amanat, actix-server and crates that parse input.
    fn printed(spec: &str) -> String {
        use std::sync::{Arc, Mutex};
        use tracing_subscriber::Layer;
        use tracing_subscriber::layer::SubscriberExt;
        #[derive(Clone, Default)]
        struct Buf(Arc<Mutex<Vec<u8>>>);
        impl std::io::Write for Buf {
            fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
                self.0.lock().unwrap().extend_from_slice(b);
                Ok(b.len())
            }
            fn flush(&mut self) -> std::io::Result<()> {
                Ok(())
            }
        }
        let buf = Buf::default();
        let writer = buf.clone();
        let layer = tracing_subscriber::fmt::layer()
            .without_time()
            .with_ansi(false)
            .with_writer(move || writer.clone())
            .with_filter(log_filter(EnvFilter::new(spec)));
        let subscriber = tracing_subscriber::registry().with(layer);
        tracing::subscriber::with_default(subscriber, || {
            tracing::error!(target: "lopdf::reader", "xref offset 1234 off");
            tracing::warn!(target: "lopdf::reader", "xref offset 1234 off");
            tracing::warn!(target: "zip::read", "zip entry");
            tracing::info!(target: "sled::pagecache", "sled info");
            tracing::warn!(target: "actix_http::h1::dispatcher", "bad request");
            tracing::debug!(target: "actix_server::worker", "server debug");
            tracing::info!(target: "actix_server::builder", "server started");
            tracing::info!(target: "amanat::intake", "submission stored");
            tracing::debug!(target: "amanat::review", "review debug");
        });
        let out = buf.0.lock().unwrap().clone();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn lines_from_crates_that_parse_input_never_pass_at_any_level() {
        for spec in [
            "trace",
            "info",
            "warn",
            "lopdf=trace,zip=trace,sled=trace,trace",
        ] {
            let out = printed(spec);
            for other in ["lopdf", "zip", "sled", "actix_http", "server debug"] {
                assert!(!out.contains(other), "{spec}: {other} passed:\n{out}");
            }
            let at_info = spec != "warn";
            assert_eq!(out.contains("server started"), at_info, "{spec}:\n{out}");
            assert_eq!(out.contains("submission stored"), at_info, "{spec}:\n{out}");
            assert_eq!(
                out.contains("review debug"),
                spec.contains("trace"),
                "{spec}:\n{out}"
            );
        }
    }
}
