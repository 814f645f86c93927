//! Fuzz target: the Gif stripper must never panic, whatever the input.
#![no_main]

use amanat::sanitize::{Kind, Limits, strip};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // Small limits keep each run fast; the code paths are the same.
    let limits = Limits {
        max_in_memory: 4 << 20,
        mp4_max_box: 4 << 20,
        zip_max_entries: 200,
        zip_max_uncompressed: 16 << 20,
        zip_max_ratio: 100,
    };
    let mut out = Vec::new();
    let _ = strip(Kind::Gif, &mut &data[..], &mut out, &limits);
});
