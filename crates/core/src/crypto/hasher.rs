//! SHA-256 of a stream, computed beside it.
//!
//! An attachment passes once through its SHA-256 (recorded in the manifest,
//! listed in exports) and once through age's ChaCha20-Poly1305. Done one
//! after the other on one thread, the hash costs about as much as the
//! encryption (docs/benchmarks.md, attachment upload). [`StreamHasher`]
//! hashes small streams inline and, once a stream passes
//! [`INLINE_LIMIT`], hands copies of its bytes to a thread of its own, so the
//! two run on two cores. The copies sit in a few fixed-size buffers
//! (bounded: the channel blocks the writer when the hashing thread falls
//! behind), are zeroed when dropped, and hold nothing after
//! [`finish`](StreamHasher::finish).
//!
//! If a thread cannot be started the hasher stays inline: slower, never wrong.

use sha2::{Digest, Sha256};
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::thread::JoinHandle;
use zeroize::Zeroizing;

/// Streams up to this many bytes are hashed inline: a thread would cost
/// more than it saves.
pub const INLINE_LIMIT: u64 = 1 << 20;

/// Bytes handed to the hashing thread at a time.
const BATCH: usize = 256 * 1024;

/// Batches waiting for the hashing thread before the writer blocks. With
/// the batch being filled and the one being hashed, at most
/// `QUEUED + 2` batches exist per stream.
const QUEUED: usize = 2;

/// A running SHA-256: feed it with [`update`](Self::update), read it with
/// [`finish`](Self::finish).
pub struct StreamHasher {
    state: State,
    len: u64,
}

enum State {
    Inline(Sha256),
    Threaded(Worker),
}

/// The hashing thread and the buffers travelling to and from it.
struct Worker {
    /// The batch being filled.
    pending: Zeroizing<Vec<u8>>,
    to_hash: SyncSender<Zeroizing<Vec<u8>>>,
    /// Hashed batches coming back to be filled again.
    returned: Receiver<Zeroizing<Vec<u8>>>,
    thread: JoinHandle<[u8; 32]>,
    /// Set if a batch could not be handed over (the thread is gone).
    lost: bool,
}

impl Default for StreamHasher {
    fn default() -> Self {
        Self::new()
    }
}

impl StreamHasher {
    /// A hasher that has seen nothing.
    pub fn new() -> Self {
        StreamHasher {
            state: State::Inline(Sha256::new()),
            len: 0,
        }
    }

    /// How many bytes were hashed so far.
    pub fn len(&self) -> u64 {
        self.len
    }

    /// True until the first byte.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Adds `data` to the hash.
    pub fn update(&mut self, data: &[u8]) {
        self.len += data.len() as u64;
        if let State::Inline(sha) = &mut self.state {
            if self.len <= INLINE_LIMIT {
                sha.update(data);
                return;
            }
            let so_far = sha.clone();
            match Worker::start(so_far) {
                Some(worker) => self.state = State::Threaded(worker),
                None => {
                    sha.update(data);
                    return;
                }
            }
        }
        if let State::Threaded(worker) = &mut self.state {
            worker.feed(data);
        }
    }

    /// The SHA-256 of everything given to [`update`](Self::update).
    pub fn finish(self) -> [u8; 32] {
        match self.state {
            State::Inline(sha) => sha.finalize().into(),
            State::Threaded(worker) => worker.finish(),
        }
    }

    /// [`finish`](Self::finish) as lowercase hex, the manifest's form.
    pub fn finish_hex(self) -> String {
        data_encoding::HEXLOWER.encode(&self.finish())
    }
}

impl Worker {
    /// Starts the hashing thread from the state hashed inline so far.
    fn start(so_far: Sha256) -> Option<Worker> {
        let (to_hash, inbox) = sync_channel::<Zeroizing<Vec<u8>>>(QUEUED);
        let (give_back, returned) = sync_channel::<Zeroizing<Vec<u8>>>(QUEUED + 2);
        let thread = std::thread::Builder::new()
            .name("amanat-sha256".into())
            .spawn(move || {
                let mut sha = so_far;
                for mut batch in inbox {
                    sha.update(batch.as_slice());
                    batch.clear();
                    // The writer may have finished and stopped taking
                    // buffers back: then this one is dropped (and zeroed).
                    let _ = give_back.try_send(batch);
                }
                sha.finalize().into()
            })
            .ok()?;
        Some(Worker {
            pending: Zeroizing::new(Vec::with_capacity(BATCH)),
            to_hash,
            returned,
            thread,
            lost: false,
        })
    }

    /// Copies `data` into batches and sends each full one.
    fn feed(&mut self, mut data: &[u8]) {
        while !data.is_empty() && !self.lost {
            let room = BATCH - self.pending.len();
            let (now, rest) = data.split_at(room.min(data.len()));
            self.pending.extend_from_slice(now);
            data = rest;
            if self.pending.len() == BATCH {
                let next = self
                    .returned
                    .try_recv()
                    .unwrap_or_else(|_| Zeroizing::new(Vec::with_capacity(BATCH)));
                let full = std::mem::replace(&mut self.pending, next);
                self.lost = self.to_hash.send(full).is_err();
            }
        }
    }

    fn finish(self) -> [u8; 32] {
        let Worker {
            pending,
            to_hash,
            returned,
            thread,
            lost,
        } = self;
        let sent = !lost && (pending.is_empty() || to_hash.send(pending).is_ok());
        drop(to_hash);
        drop(returned);
        match thread.join() {
            Ok(digest) if sent => digest,
            // The thread died (it does not, short of a panic) and took
            // part of the stream with it: a value no file hashes to in
            // practice, so every check against it fails loudly.
            _ => [0u8; 32],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reference(data: &[u8]) -> [u8; 32] {
        Sha256::digest(data).into()
    }

    /// Deterministic bytes, different at every offset.
    fn bytes(n: usize) -> Vec<u8> {
        let mut x = 0x2545_F491_4F6C_DD1Du64;
        (0..n)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                x as u8
            })
            .collect()
    }

    #[test]
    fn matches_sha256_inline_and_threaded_in_any_piece_sizes() {
        let sizes = [
            0,
            1,
            INLINE_LIMIT as usize,
            INLINE_LIMIT as usize + 1,
            3 * BATCH + 17,
            INLINE_LIMIT as usize + 5 * BATCH,
            9 << 20,
        ];
        for size in sizes {
            let data = bytes(size);
            for piece in [1usize << 10, 4093, BATCH, BATCH + 1, 1 << 20] {
                let mut h = StreamHasher::new();
                for chunk in data.chunks(piece) {
                    h.update(chunk);
                }
                assert_eq!(h.len(), size as u64);
                assert_eq!(h.finish(), reference(&data), "size {size}, pieces {piece}");
            }
        }
    }

    #[test]
    fn a_large_stream_is_hashed_on_another_thread() {
        let mut h = StreamHasher::new();
        h.update(&bytes(INLINE_LIMIT as usize));
        assert!(matches!(h.state, State::Inline(_)));
        h.update(&[1]);
        assert!(matches!(h.state, State::Threaded(_)));
    }

    #[test]
    fn hex_is_lowercase_and_full_length() {
        let mut h = StreamHasher::new();
        h.update(b"abc");
        assert_eq!(
            h.finish_hex(),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
