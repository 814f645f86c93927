//! Fuzz target: `detect` must never panic, and whatever it detects must be
//! strippable without panicking.
#![no_main]

use amanat::sanitize::{Limits, detect, strip};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let kind = detect(&data[..data.len().min(4096)]);
    let limits = Limits {
        max_in_memory: 4 << 20,
        mp4_max_box: 4 << 20,
        zip_max_entries: 200,
        zip_max_uncompressed: 16 << 20,
        zip_max_ratio: 100,
    };
    let mut out = Vec::new();
    let _ = strip(kind, &mut &data[..], &mut out, &limits);
});
