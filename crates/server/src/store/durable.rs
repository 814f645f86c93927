//! Group commit: many writers, one `fsync` round for all of them.
//!
//! A writer whose transaction has committed calls [`GroupCommit::wait`]. It
//! returns only after a *sync round* (the closure: sled's flush plus an
//! `fsync` of every file and directory the store writes, see
//! `Store::sync_files`) that **started after the call** has finished. Rounds
//! never overlap. A writer arriving while a round runs cannot count on it
//! (that round may have begun before its commit), so it waits for the next
//! one; every writer that arrives during one round shares the next. Under
//! load a round therefore costs one set of `fsync`s for as many writers as
//! arrived while the previous one ran.
//!
//! Bounded waiting: a writer waits for at most two rounds, the one running
//! when it arrives and the one after, which starts as soon as that one ends
//! (the first waiter to notice runs it). No writer can be passed over.
//!
//! Errors reach every waiter and stay: after a failed `fsync` the kernel may
//! have dropped the dirty pages it could not write, so a later `fsync` that
//! succeeds proves nothing about them (PostgreSQL's "fsyncgate"). Once a
//! round fails, every later wait fails too, and the server must be
//! restarted (which re-reads the store from disk) once the disk is checked.
//!
//! This module never logs: the caller decides what an error means.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};

/// Shared state of the group commit; one per open store.
#[derive(Default)]
pub(crate) struct GroupCommit {
    state: Mutex<State>,
    round_done: Condvar,
    rounds: AtomicU64,
}

#[derive(Default)]
struct State {
    /// Number of the last round that started (rounds are numbered from 1).
    started: u64,
    /// Number of the last round that finished.
    finished: u64,
    /// A round is running now.
    running: bool,
    /// The first failure, kept for good (see the module documentation).
    failed: Option<SyncFailed>,
}

/// A failed sync round: the I/O error that failed it, shared by every
/// writer that waited for it and every write after it.
#[derive(Clone, Debug, thiserror::Error)]
#[error("{0}")]
pub struct SyncFailed(Arc<std::io::Error>);

impl GroupCommit {
    /// Waits until a sync round that started after this call has finished,
    /// running it on this thread if no other thread is. `sync` is this
    /// caller's way of running a round; every caller must pass one that
    /// makes the same files durable.
    pub(crate) fn wait(
        &self,
        sync: impl FnOnce() -> std::io::Result<()>,
    ) -> Result<(), SyncFailed> {
        let mut sync = Some(sync);
        let mut st = self.lock();
        // Every round numbered above `started` begins after this point.
        let needed = st.started + 1;
        loop {
            if let Some(e) = &st.failed {
                return Err(e.clone());
            }
            if st.finished >= needed {
                return Ok(());
            }
            if st.running {
                st = match self.round_done.wait(st) {
                    Ok(g) => g,
                    Err(p) => p.into_inner(),
                };
                continue;
            }
            // This thread runs the next round. It is `needed` or later, so
            // it began after this writer's commit.
            st.running = true;
            st.started += 1;
            let round = st.started;
            drop(st);
            let result = match sync.take() {
                Some(f) => std::panic::catch_unwind(std::panic::AssertUnwindSafe(f))
                    .unwrap_or_else(|_| Err(std::io::Error::other("the sync round panicked"))),
                // Unreachable: a thread runs at most one round, after which
                // `finished >= needed` ends its loop.
                None => Err(std::io::Error::other("sync round run twice")),
            };
            self.rounds.fetch_add(1, Ordering::Relaxed);
            st = self.lock();
            st.running = false;
            st.finished = round;
            if let Err(e) = result {
                st.failed.get_or_insert_with(|| SyncFailed(Arc::new(e)));
            }
            self.round_done.notify_all();
        }
    }

    /// How many sync rounds have run since the store was opened.
    pub(crate) fn rounds(&self) -> u64 {
        self.rounds.load(Ordering::Relaxed)
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        match self.state.lock() {
            Ok(g) => g,
            Err(p) => p.into_inner(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicBool;
    use std::time::Duration;

    /// A fake disk: `written` counts commits; a round records at its start
    /// how many commits it covers, and publishes that at its end.
    #[derive(Default)]
    struct Disk {
        written: AtomicU64,
        durable: AtomicU64,
        inside: AtomicBool,
        overlapped: AtomicBool,
    }

    impl Disk {
        fn round(&self, pause: Duration) -> std::io::Result<()> {
            if self.inside.swap(true, Ordering::SeqCst) {
                self.overlapped.store(true, Ordering::SeqCst);
            }
            let covers = self.written.load(Ordering::SeqCst);
            std::thread::sleep(pause);
            self.durable.fetch_max(covers, Ordering::SeqCst);
            self.inside.store(false, Ordering::SeqCst);
            Ok(())
        }
    }

    #[test]
    fn concurrent_writers_share_rounds_and_each_waits_for_one_that_began_after_its_commit() {
        let gc = Arc::new(GroupCommit::default());
        let disk = Arc::new(Disk::default());
        let writers = 64;
        let per_writer = 20;
        let threads: Vec<_> = (0..writers)
            .map(|_| {
                let (gc, disk) = (gc.clone(), disk.clone());
                std::thread::spawn(move || {
                    for _ in 0..per_writer {
                        let mine = disk.written.fetch_add(1, Ordering::SeqCst) + 1;
                        gc.wait(|| disk.round(Duration::from_millis(2))).unwrap();
                        let durable = disk.durable.load(Ordering::SeqCst);
                        assert!(
                            durable >= mine,
                            "commit {mine} acknowledged when only {durable} were durable"
                        );
                    }
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
        let commits = writers * per_writer;
        let rounds = gc.rounds();
        assert!(!disk.overlapped.load(Ordering::SeqCst), "rounds overlapped");
        assert!(rounds >= 1);
        assert!(
            rounds * 4 < commits,
            "{rounds} sync rounds for {commits} commits: not shared"
        );
    }

    #[test]
    fn a_writer_never_counts_on_a_round_that_began_before_it_arrived() {
        let gc = Arc::new(GroupCommit::default());
        let disk = Arc::new(Disk::default());
        // A slow round is running when the second writer commits.
        let first = {
            let (gc, disk) = (gc.clone(), disk.clone());
            std::thread::spawn(move || gc.wait(|| disk.round(Duration::from_millis(300))))
        };
        while !disk.inside.load(Ordering::SeqCst) {
            std::thread::sleep(Duration::from_millis(1));
        }
        let mine = disk.written.fetch_add(1, Ordering::SeqCst) + 1;
        gc.wait(|| disk.round(Duration::ZERO)).unwrap();
        assert!(disk.durable.load(Ordering::SeqCst) >= mine);
        first.join().unwrap().unwrap();
        assert_eq!(
            gc.rounds(),
            2,
            "the second writer needed a round of its own"
        );
    }

    #[test]
    fn a_failed_round_fails_every_waiter_and_every_later_write() {
        let gc = Arc::new(GroupCommit::default());
        let started = Arc::new(AtomicBool::new(false));
        let leader = {
            let (gc, started) = (gc.clone(), started.clone());
            std::thread::spawn(move || {
                gc.wait(|| {
                    started.store(true, Ordering::SeqCst);
                    std::thread::sleep(Duration::from_millis(200));
                    Ok(())
                })
            })
        };
        while !started.load(Ordering::SeqCst) {
            std::thread::sleep(Duration::from_millis(1));
        }
        // These arrive during the good round: they share the failing one.
        let followers: Vec<_> = (0..8)
            .map(|_| {
                let gc = gc.clone();
                std::thread::spawn(move || {
                    gc.wait(|| {
                        std::thread::sleep(Duration::from_millis(50));
                        Err(std::io::Error::other("EIO on fsync"))
                    })
                })
            })
            .collect();
        assert!(leader.join().unwrap().is_ok());
        for f in followers {
            let err = f.join().unwrap().unwrap_err().to_string();
            assert!(err.contains("EIO on fsync"), "{err}");
        }
        assert_eq!(gc.rounds(), 2);
        // Sticky: a later round that would succeed is not even run.
        let err = gc.wait(|| Ok(())).unwrap_err().to_string();
        assert!(err.contains("EIO on fsync"), "{err}");
        assert_eq!(gc.rounds(), 2);
    }

    #[test]
    fn a_panicking_round_is_an_error_not_a_hang() {
        let gc = GroupCommit::default();
        let err = gc.wait(|| panic!("boom")).unwrap_err().to_string();
        assert!(err.contains("panicked"), "{err}");
        assert!(gc.wait(|| Ok(())).is_err());
    }
}
