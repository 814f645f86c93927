//! Reading one entry under the shared decompression budget: every byte
//! decompressed is counted, whatever the headers claim.

use std::io::{self, Read};

use zip::read::ZipFile;

use crate::{Kind, SanitizeError, malformed};

/// A reader that counts decompressed bytes against the shared budget.
pub(super) struct Budgeted<'a, R> {
    pub(super) inner: R,
    pub(super) left: &'a mut u64,
}

/// The error a [`Budgeted`] reader returns when the budget runs out.
#[derive(Debug)]
struct OverBudget;

impl std::fmt::Display for OverBudget {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("decompression budget exhausted")
    }
}

impl std::error::Error for OverBudget {}

impl<R: Read> Read for Budgeted<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        // One byte more than allowed so that "exactly at the budget" passes.
        let cap = usize::try_from(self.left.saturating_add(1)).unwrap_or(usize::MAX);
        let want = buf.len().min(cap);
        let (head, _) = buf.split_at_mut(want);
        let n = self.inner.read(head)?;
        *self.left = self
            .left
            .checked_sub(n as u64)
            .ok_or_else(|| io::Error::other(OverBudget))?;
        Ok(n)
    }
}

/// Is this the budget running out (possibly wrapped by an inner stripper)?
fn is_over_budget(e: &SanitizeError) -> bool {
    matches!(e, SanitizeError::Io(io) if io.get_ref().is_some_and(|i| i.is::<OverBudget>()))
}

/// The error for an entry that failed while being read or cleaned.
pub(super) fn entry_error(kind: Kind, name: &str) -> impl Fn(SanitizeError) -> SanitizeError + '_ {
    move |e| {
        if is_over_budget(&e) || matches!(e, SanitizeError::ZipBomb) {
            SanitizeError::ZipBomb
        } else {
            match e {
                SanitizeError::Malformed { detail, .. } => {
                    malformed(kind, format!("part {name}: {detail}"))
                }
                e => malformed(kind, format!("part {name}: {e}")),
            }
        }
    }
}

/// Decompress a whole entry into memory, refusing more than `max` bytes.
pub(super) fn read_whole<R: Read>(
    f: ZipFile<'_, R>,
    max: u64,
    budget: &mut u64,
    kind: Kind,
    name: &str,
) -> Result<Vec<u8>, SanitizeError> {
    let mut r = Budgeted {
        inner: f,
        left: budget,
    };
    let mut v = Vec::new();
    (&mut r)
        .take(max.saturating_add(1))
        .read_to_end(&mut v)
        .map_err(|e| entry_error(kind, name)(SanitizeError::Io(e)))?;
    if v.len() as u64 > max {
        return Err(SanitizeError::ZipBomb);
    }
    Ok(v)
}
