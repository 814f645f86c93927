//! Fuzz target: the WAV, AIFF and AVI strippers never panic, whatever the
//! input. The checks live in `amanat_fuzz::strip_riff` (fuzz/src/lib.rs),
//! which tests/fuzz_seeds.rs also runs on the seeds and on every crash found.
#![no_main]
#![forbid(unsafe_code)]

libfuzzer_sys::fuzz_target!(|data: &[u8]| amanat_fuzz::strip_riff(data));
