//! Fuzz target: the WebM/Matroska stripper never panics, keeps the length
//! of what it cleans, and finds nothing more in its own output.
//! The checks live in `amanat_fuzz::strip_matroska` (fuzz/src/lib.rs), which
//! tests/fuzz_seeds.rs also runs on the seeds and on every crash found.
#![no_main]
#![forbid(unsafe_code)]

libfuzzer_sys::fuzz_target!(|data: &[u8]| amanat_fuzz::strip_matroska(data));
