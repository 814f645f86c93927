//! The local control socket of a running `amanatd serve`.
//!
//! sled locks the store for the one process that opened it, so operator
//! commands cannot open it while the server runs. Instead `serve` listens on
//! `DATA_DIR/control.sock`, a Unix socket with mode 0600 inside the 0700
//! data dir, and answers two requests, one line each:
//!
//! - `status\n`: one JSON line of counts ([`super::StoreStatus`]).
//! - `backup\n`: a complete backup file ([`super::archive`]), streamed as
//!   the store is read, or a line starting with `ERR ` if it could not
//!   start; a stream cut short by a later error just ends (the client's
//!   check of the file refuses it, the server's log says why).
//!
//! Only the server's own user (or root) may connect: the file mode says so
//! and the peer's credentials are checked again on every connection. The
//! socket is never reachable from the network and never carries report
//! plaintext: a backup is ciphertext and the store's plaintext metadata.
//! Requests are served one at a time on one thread, with timeouts, so a
//! stuck client cannot hold resources that the listeners need.

use super::OpsError;
use crate::store::Store;
use std::io::{BufRead, BufReader, Read, Write};
use std::os::unix::fs::PermissionsExt;
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

/// File name of the socket inside the data dir.
pub const SOCKET: &str = "control.sock";
/// Request: counts.
pub const STATUS: &str = "status";
/// Request: a backup stream.
pub const BACKUP: &str = "backup";

/// The listening socket; removed from the data dir when dropped.
pub struct ControlServer {
    path: PathBuf,
}

impl Drop for ControlServer {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

impl ControlServer {
    /// Binds `DATA_DIR/control.sock` and serves it on a background thread.
    ///
    /// The caller holds the store open, hence sled's lock: no other server
    /// can be using this data dir, so a socket file left by a crash is stale
    /// and is replaced.
    pub fn start(store: Arc<Store>) -> Result<ControlServer, OpsError> {
        let path = store.dir().join(SOCKET);
        match std::fs::remove_file(&path) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(OpsError::io(&path, e)),
        }
        // The data dir is 0700 and `serve` runs with umask 077, so the socket
        // is private from the start; the chmod states it explicitly.
        let listener = UnixListener::bind(&path).map_err(|e| OpsError::io(&path, e))?;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600))
            .map_err(|e| OpsError::io(&path, e))?;
        std::thread::Builder::new()
            .name("amanat-control".into())
            .spawn(move || {
                for conn in listener.incoming() {
                    match conn {
                        Ok(stream) => {
                            if let Err(e) = serve_one(&store, stream) {
                                tracing::warn!("control socket request failed: {e}");
                            }
                        }
                        Err(e) => tracing::warn!("control socket: {e}"),
                    }
                }
            })
            .map_err(|e| OpsError::io(&path, e))?;
        Ok(ControlServer { path })
    }
}

/// Sends `request` to a running server and returns its whole answer (a
/// short one: `status`). `Ok(None)` means no server answers on this data
/// dir (no socket, or a stale one).
pub fn request(data_dir: &Path, request: &str) -> Result<Option<Vec<u8>>, OpsError> {
    let mut reply = Vec::new();
    Ok(request_into(data_dir, request, &mut reply)?.then_some(reply))
}

/// Sends `request` to a running server and copies its answer to `out` as
/// it arrives, through a bounded buffer (a backup stream may be larger
/// than memory). Returns false when no server answers on this data dir.
pub fn request_into(
    data_dir: &Path,
    request: &str,
    out: &mut impl Write,
) -> Result<bool, OpsError> {
    let path = data_dir.join(SOCKET);
    let mut stream = match UnixStream::connect(&path) {
        Ok(s) => s,
        Err(e)
            if matches!(
                e.kind(),
                std::io::ErrorKind::NotFound | std::io::ErrorKind::ConnectionRefused
            ) =>
        {
            return Ok(false);
        }
        Err(e) => return Err(OpsError::io(&path, e)),
    };
    let io = |e| OpsError::io(&path, e);
    stream
        .set_read_timeout(Some(Duration::from_secs(120)))
        .map_err(io)?;
    stream
        .write_all(format!("{request}\n").as_bytes())
        .map_err(io)?;
    // The first bytes say whether this is an answer or an error line.
    let mut head = Vec::with_capacity(ERR.len());
    (&mut stream)
        .take(ERR.len() as u64)
        .read_to_end(&mut head)
        .map_err(io)?;
    if head == ERR {
        let mut msg = Vec::new();
        stream.take(4096).read_to_end(&mut msg).map_err(io)?;
        return Err(OpsError::Control(
            String::from_utf8_lossy(&msg).trim().to_string(),
        ));
    }
    if head.is_empty() {
        return Err(OpsError::Control(
            "the server closed the connection without an answer; see its log".into(),
        ));
    }
    let copy = |e| OpsError::Backup(format!("could not receive the server's answer: {e}"));
    out.write_all(&head).map_err(copy)?;
    std::io::copy(&mut stream, out).map_err(copy)?;
    Ok(true)
}

fn serve_one(store: &Store, stream: UnixStream) -> std::io::Result<()> {
    let peer = rustix::net::sockopt::socket_peercred(&stream)?;
    let me = rustix::process::geteuid();
    if peer.uid != me && !peer.uid.is_root() {
        // The file mode already forbids this; refuse quietly if it happens.
        tracing::warn!("control socket: refused a connection from another user");
        return Ok(());
    }
    stream.set_read_timeout(Some(Duration::from_secs(5)))?;
    stream.set_write_timeout(Some(Duration::from_secs(60)))?;
    let mut line = String::new();
    BufReader::new((&stream).take(64)).read_line(&mut line)?;
    let mut out = std::io::BufWriter::new(&stream);
    match line.trim_end() {
        STATUS => {
            let reply = super::StoreStatus::of(store)
                .map_err(|e| e.to_string())
                .and_then(|s| serde_json::to_vec(&s).map_err(|e| e.to_string()));
            match reply {
                Ok(json) => out.write_all(&json)?,
                Err(e) => out.write_all(format!("ERR {e}\n").as_bytes())?,
            }
        }
        BACKUP => {
            // Streamed as the store is read (bounded memory); the client
            // checks the whole file, so a stream cut short by an error here
            // is never taken for a backup.
            let mut sent = Counting {
                inner: &stream,
                bytes: 0,
            };
            match super::archive::write_store(store, &mut sent) {
                Ok(w) => tracing::info!(
                    "backup taken through the control socket ({} bytes; writes waited {} ms \
                     while the trees were copied)",
                    w.bytes,
                    w.paused.as_millis()
                ),
                Err(e) => {
                    tracing::error!("backup failed: {e}");
                    if sent.bytes == 0 {
                        out.write_all(format!("ERR backup failed: {e}\n").as_bytes())?;
                    }
                }
            }
        }
        _ => out.write_all(b"ERR unknown request\n")?,
    }
    out.flush()
}

/// The start of an error answer.
const ERR: &[u8] = b"ERR ";

/// Counts the bytes that reached the client, to tell whether an error
/// line can still be sent.
struct Counting<W> {
    inner: W,
    bytes: u64,
}

impl<W: Write> Write for Counting<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.bytes += n as u64;
        Ok(n)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}
