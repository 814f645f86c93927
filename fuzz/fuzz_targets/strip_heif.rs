//! Fuzz target: the HEIF/AVIF stripper never panics, whatever the input.
//! The checks live in `amanat_fuzz::strip_heif` (fuzz/src/lib.rs), which
//! tests/fuzz_seeds.rs also runs on the seeds and on every crash found.
#![no_main]
#![forbid(unsafe_code)]

libfuzzer_sys::fuzz_target!(|data: &[u8]| amanat_fuzz::strip_heif(data));
