//! Sorted sets of ids of any size in bounded memory: an external merge
//! sort in a scratch directory, for the joins of `fsck` (every stored
//! envelope against every envelope a report names, every attachment file
//! against every attachment a report names).
//!
//! [`SortedIds`] keeps at most `run_len` ids in memory. When its buffer is
//! full it sorts it, drops duplicates and writes it to a run file; reading
//! it back merges the runs in key order, at most [`FAN_IN`] files open at
//! once (when there are more, they are first merged in rounds into fewer,
//! longer runs). Memory is therefore `run_len` ids plus one read buffer and
//! one id per open run, whatever the number of reports; disk is about the
//! size of the ids. The files hold ids only (random envelope and attachment
//! ids the store already holds, never a report id or any content) and live
//! in a private directory (mode 0700) that is removed when the check ends.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::io::{BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};

/// The most run files merged at once (each holds a read buffer open).
pub(super) const FAN_IN: usize = 64;

/// The name of every scratch directory starts with it.
pub(super) const SCRATCH_PREFIX: &str = ".fsck-scratch-";

/// Read and write buffer of one run file.
const RUN_BUFFER: usize = 16 << 10;

/// A private directory for run files, removed when dropped.
pub(super) struct Scratch {
    dir: tempfile::TempDir,
    run_len: usize,
    next: std::cell::Cell<u64>,
}

impl Scratch {
    /// A new scratch directory inside `parent`, for sets that keep at most
    /// `run_len` ids in memory (at least 1).
    pub(super) fn new(parent: &Path, run_len: usize) -> std::io::Result<Scratch> {
        Ok(Scratch {
            dir: tempfile::Builder::new()
                .prefix(SCRATCH_PREFIX)
                .tempdir_in(parent)?,
            run_len: run_len.max(1),
            next: std::cell::Cell::new(0),
        })
    }

    /// An empty set.
    pub(super) fn set(&self) -> SortedIds<'_> {
        SortedIds {
            scratch: self,
            buf: Vec::new(),
            runs: Vec::new(),
            peak: 0,
        }
    }

    fn run_path(&self) -> PathBuf {
        let n = self.next.get();
        self.next.set(n + 1);
        self.dir.path().join(format!("run-{n}"))
    }

    /// Writes sorted, distinct ids to a new run file.
    fn write_run(
        &self,
        ids: impl Iterator<Item = std::io::Result<Vec<u8>>>,
    ) -> std::io::Result<PathBuf> {
        let path = self.run_path();
        let mut w = BufWriter::with_capacity(RUN_BUFFER, std::fs::File::create(&path)?);
        for id in ids {
            let id = id?;
            let len = u16::try_from(id.len()).map_err(|_| {
                std::io::Error::new(std::io::ErrorKind::InvalidData, "an id longer than 64 KiB")
            })?;
            w.write_all(&len.to_be_bytes())?;
            w.write_all(&id)?;
        }
        // Scratch only: removed after the check, never needs to survive a crash.
        w.flush()?;
        Ok(path)
    }
}

/// A set of ids being collected; [`SortedIds::sorted`] reads it back in
/// order, each id once.
pub(super) struct SortedIds<'a> {
    scratch: &'a Scratch,
    buf: Vec<Vec<u8>>,
    runs: Vec<PathBuf>,
    peak: usize,
}

impl SortedIds<'_> {
    /// Adds an id.
    pub(super) fn push(&mut self, id: &[u8]) -> std::io::Result<()> {
        if self.buf.len() >= self.scratch.run_len {
            self.spill()?;
        }
        self.buf.push(id.to_vec());
        self.peak = self.peak.max(self.buf.len());
        Ok(())
    }

    /// The most ids this set held in memory at once.
    pub(super) fn peak(&self) -> usize {
        self.peak
    }

    /// How many run files it has written so far.
    #[cfg(test)]
    pub(super) fn runs(&self) -> usize {
        self.runs.len()
    }

    fn spill(&mut self) -> std::io::Result<()> {
        let mut buf = std::mem::take(&mut self.buf);
        buf.sort_unstable();
        buf.dedup();
        let run = self.scratch.write_run(buf.into_iter().map(Ok))?;
        self.runs.push(run);
        Ok(())
    }

    /// Every id, in byte order, each once.
    pub(super) fn sorted(mut self) -> std::io::Result<Merged> {
        if !self.buf.is_empty() || self.runs.is_empty() {
            self.spill()?;
        }
        let mut runs = self.runs;
        while runs.len() > FAN_IN {
            let mut fewer = Vec::with_capacity(runs.len().div_ceil(FAN_IN));
            for group in runs.chunks(FAN_IN) {
                let merged = Merged::open(group)?;
                fewer.push(self.scratch.write_run(merged)?);
                for r in group {
                    std::fs::remove_file(r)?;
                }
            }
            runs = fewer;
        }
        Merged::open(&runs)
    }
}

/// A k-way merge of run files: ids in byte order, each once.
pub(super) struct Merged {
    readers: Vec<BufReader<std::fs::File>>,
    heap: BinaryHeap<Reverse<(Vec<u8>, usize)>>,
    last: Option<Vec<u8>>,
}

impl Merged {
    fn open(runs: &[PathBuf]) -> std::io::Result<Merged> {
        let mut m = Merged {
            readers: Vec::with_capacity(runs.len()),
            heap: BinaryHeap::with_capacity(runs.len()),
            last: None,
        };
        for (i, path) in runs.iter().enumerate() {
            m.readers.push(BufReader::with_capacity(
                RUN_BUFFER,
                std::fs::File::open(path)?,
            ));
            m.refill(i)?;
        }
        Ok(m)
    }

    /// Reads the next id of run `i` into the heap, if it has one.
    fn refill(&mut self, i: usize) -> std::io::Result<()> {
        let Some(r) = self.readers.get_mut(i) else {
            return Ok(());
        };
        let mut len = [0u8; 2];
        match r.read_exact(&mut len) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => return Ok(()),
            Err(e) => return Err(e),
        }
        let mut id = vec![0u8; usize::from(u16::from_be_bytes(len))];
        r.read_exact(&mut id)?;
        self.heap.push(Reverse((id, i)));
        Ok(())
    }
}

impl Iterator for Merged {
    type Item = std::io::Result<Vec<u8>>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            let Reverse((id, i)) = self.heap.pop()?;
            if let Err(e) = self.refill(i) {
                return Some(Err(e));
            }
            if self.last.as_ref() != Some(&id) {
                self.last = Some(id.clone());
                return Some(Ok(id));
            }
        }
    }
}

/// The ids of `all` that are not in `named` (both sorted): a merge join
/// that holds one id of each side at a time. Calls `f` with each.
pub(super) fn missing_from(
    all: Merged,
    named: Merged,
    mut f: impl FnMut(Vec<u8>) -> std::io::Result<()>,
) -> std::io::Result<()> {
    let mut named = named.peekable();
    for id in all {
        let id = id?;
        loop {
            match named.peek() {
                Some(Ok(n)) if n < &id => {
                    named.next();
                }
                Some(Err(_)) => {
                    if let Some(Err(e)) = named.next() {
                        return Err(e);
                    }
                }
                _ => break,
            }
        }
        match named.peek() {
            Some(Ok(n)) if n == &id => {}
            _ => f(id)?,
        }
    }
    Ok(())
}
