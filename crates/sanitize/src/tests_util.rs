//! Helpers shared by the format modules' tests.

use super::*;

pub(crate) fn contains(hay: &[u8], needle: &[u8]) -> bool {
    find(hay, needle).is_some()
}

/// Run `strip` over an in-memory input with default limits.
pub(crate) fn run(kind: Kind, data: &[u8]) -> (Result<Outcome, SanitizeError>, Vec<u8>) {
    let mut out = Vec::new();
    let res = strip(kind, &mut &data[..], &mut out, &Limits::default());
    (res, out)
}
