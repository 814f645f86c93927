//! Hashing and encrypting an attachment on two cores at once.
//!
//! Every byte of an attachment passes through SHA-256 (its manifest records
//! the hash, exports list it) and through age's ChaCha20-Poly1305. With
//! SHA-NI and AVX2 the two cost about the same, so on one thread an upload
//! runs at half the speed either allows (docs/benchmarks.md, attachment
//! upload). [`Pipeline`] hashes each piece on the calling thread and hands the
//! same piece to a thread of its own that encrypts it into the blob file.
//! Buffers from the network are handed over as they are (reference-counted,
//! not copied), a few together once they reach [`PIECE`] bytes; bytes written
//! through [`Write`] (the stripper's output) are copied into pieces of
//! [`PIECE`] bytes, zeroed when dropped. Few, large hand-overs keep the two
//! threads from waking each other for every network read.
//!
//! Memory is bounded: at most [`QUEUED`] pieces wait for the encrypting
//! thread, and the caller blocks when it falls behind. Dropping a pipeline
//! without [`Pipeline::finish`] stops the thread without padding the blob and
//! waits for it, so nothing writes to the file once the caller removes it.
//!
//! The hashing side also asks the kernel to start writing the file back
//! every [`WRITEBACK_STEP`] bytes (the encrypting thread has enough to do),
//! so that the fsync after the upload waits for the last steps instead of
//! the whole file. Only ciphertext reaches the file; the caller still syncs
//! it before it becomes a blob.

use amanat_core::crypto::blob::{BlobDigest, BlobSealer, SealedBlob};
use amanat_core::crypto::envelope::Recipient;
use std::fs::File;
use std::io::{self, Write};
use std::num::NonZeroU64;
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::thread::JoinHandle;
use zeroize::Zeroizing;

/// Bytes gathered before they are handed over: four of age's 64 KiB chunks,
/// few enough hand-overs to cost nothing.
pub(super) const PIECE: usize = 256 * 1024;

/// Pieces waiting for the encrypting thread before the caller blocks.
const QUEUED: usize = 4;

/// Written bytes after which the kernel is asked to start writing them to
/// disk (without waiting).
const WRITEBACK_STEP: u64 = 8 << 20;

/// A blob being hashed here and encrypted into `W` on a thread of its own.
pub(super) struct Pipeline<W> {
    digest: BlobDigest,
    /// Bytes written through [`Write`], not yet handed over.
    pending: Zeroizing<Vec<u8>>,
    /// Network buffers pushed, not yet handed over, and their length. At
    /// most one of `pending` and `gathered` holds anything.
    gathered: Vec<actix_web::web::Bytes>,
    gathered_len: usize,
    writeback: Option<Writeback>,
    tx: Option<SyncSender<Message>>,
    thread: Option<JoinHandle<io::Result<(W, u64)>>>,
}

impl<W: Write + Send + 'static> Pipeline<W> {
    /// Starts encrypting into `output` (the blob file, unbuffered: age
    /// writes whole 64 KiB chunks) to `recipients`, keeping the first `head`
    /// bytes of the file for [`SealedBlob::head`].
    pub(super) fn start(output: W, recipients: &[Recipient], head: usize) -> io::Result<Self> {
        let sealer = BlobSealer::new(output, recipients).map_err(io::Error::other)?;
        let (tx, rx) = sync_channel(QUEUED);
        let thread = std::thread::Builder::new()
            .name("amanat-seal".into())
            .spawn(move || seal(rx, sealer))?;
        Ok(Pipeline {
            digest: BlobDigest::new().keep_head(head),
            pending: Zeroizing::new(Vec::with_capacity(PIECE)),
            gathered: Vec::new(),
            gathered_len: 0,
            writeback: None,
            tx: Some(tx),
            thread: Some(thread),
        })
    }

    /// Starts the output's writeback every [`WRITEBACK_STEP`] bytes, from
    /// this thread, through `file` (another handle to it).
    pub(super) fn with_writeback(mut self, file: File) -> Self {
        self.writeback = Some(Writeback { file, kicked: 0 });
        self
    }

    /// Hashes `piece` and hands it to the encrypting thread as it is.
    pub(super) fn push(&mut self, piece: actix_web::web::Bytes) -> io::Result<()> {
        if piece.is_empty() {
            return Ok(());
        }
        self.hand_pending()?;
        self.digest.update(&piece);
        self.gathered_len += piece.len();
        self.gathered.push(piece);
        if self.gathered_len >= PIECE {
            self.hand_gathered()?;
        }
        Ok(())
    }

    /// Hands over what is pending, waits for the encrypting thread to pad
    /// and finish the blob, and returns the (unsynced) output with what the
    /// manifest records.
    pub(super) fn finish(mut self) -> io::Result<(W, SealedBlob)> {
        self.hand_pending()?;
        self.hand_gathered()?;
        self.send(Message::End)?;
        self.tx = None;
        let (file, len) = match self.thread.take().map(JoinHandle::join) {
            Some(Ok(sealed)) => sealed?,
            _ => return Err(thread_lost()),
        };
        let digest = std::mem::take(&mut self.digest);
        if len != digest.len() {
            return Err(io::Error::other("the hashed and encrypted lengths differ"));
        }
        Ok((file, digest.finish()))
    }

    fn hand_pending(&mut self) -> io::Result<()> {
        if self.pending.is_empty() {
            return Ok(());
        }
        let piece = std::mem::replace(&mut self.pending, Zeroizing::new(Vec::with_capacity(PIECE)));
        self.send(Message::Owned(piece))
    }

    fn hand_gathered(&mut self) -> io::Result<()> {
        if self.gathered.is_empty() {
            return Ok(());
        }
        self.gathered_len = 0;
        let pieces = std::mem::take(&mut self.gathered);
        self.send(Message::Shared(pieces))
    }

    /// Sends to the encrypting thread; if it stopped, returns its error.
    fn send(&mut self, message: Message) -> io::Result<()> {
        if let Some(tx) = &self.tx {
            if tx.send(message).is_ok() {
                if let Some(w) = &mut self.writeback {
                    w.advance(self.digest.len());
                }
                return Ok(());
            }
        }
        self.tx = None;
        match self.thread.take().map(JoinHandle::join) {
            Some(Ok(Err(e))) => Err(e),
            _ => Err(thread_lost()),
        }
    }
}

impl<W: Write + Send + 'static> Write for Pipeline<W> {
    /// Takes at most what fits in the pending piece, so that its buffer
    /// never grows (a reallocation would leave plaintext behind unzeroed).
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.hand_gathered()?;
        let n = buf.len().min(PIECE - self.pending.len());
        let taken = &buf[..n];
        self.digest.update(taken);
        self.pending.extend_from_slice(taken);
        if self.pending.len() == PIECE {
            self.hand_pending()?;
        }
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl<W> Drop for Pipeline<W> {
    /// Stops the encrypting thread (it sees the channel close before
    /// [`Message::End`]) and waits for it.
    fn drop(&mut self) {
        self.tx = None;
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

enum Message {
    /// Buffers from the network, shared with the hashing side.
    Shared(Vec<actix_web::web::Bytes>),
    /// Bytes gathered from writes, zeroed when dropped.
    Owned(Zeroizing<Vec<u8>>),
    /// The file is complete: pad and finish the blob.
    End,
}

fn thread_lost() -> io::Error {
    io::Error::other("the encrypting thread stopped")
}

/// The encrypting thread: writes each piece through age until
/// [`Message::End`], then pads and finishes. A channel closed before the end
/// is an abandoned upload: nothing more is written.
fn seal<W: Write>(rx: Receiver<Message>, mut sealer: BlobSealer<W>) -> io::Result<(W, u64)> {
    loop {
        match rx.recv() {
            Ok(Message::Shared(pieces)) => {
                for piece in pieces {
                    sealer.write_all(&piece)?;
                }
            }
            Ok(Message::Owned(piece)) => sealer.write_all(&piece)?,
            Ok(Message::End) => {
                return sealer.finish();
            }
            Err(_) => return Err(io::Error::other("upload abandoned")),
        }
    }
}

/// Asks the kernel to start writing the blob file back, a step at a time,
/// behind the encrypting thread.
struct Writeback {
    /// Another handle to the blob file.
    file: File,
    /// Bytes of the file already asked for.
    kicked: u64,
}

impl Writeback {
    /// Called with the bytes handed over so far. The encrypting thread is
    /// at most [`QUEUED`] pieces behind, so the step before the last is
    /// written; file offsets run slightly ahead of the plaintext (age's
    /// header and tags), which only moves each step a little earlier.
    fn advance(&mut self, handed: u64) {
        while handed >= self.kicked + 2 * WRITEBACK_STEP {
            // On Linux, "don't need" starts writing the dirty range back
            // without waiting, and drops pages already written from the
            // cache. Only a hint: the fsync at the end is what counts.
            let _ = rustix::fs::fadvise(
                &self.file,
                self.kicked,
                NonZeroU64::new(WRITEBACK_STEP),
                rustix::fs::Advice::DontNeed,
            );
            self.kicked += WRITEBACK_STEP;
        }
    }
}

#[cfg(test)]
mod tests;
