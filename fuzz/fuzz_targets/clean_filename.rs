//! Fuzz target: `clean_filename` never panics and its output keeps its promises.
//! The checks live in `amanat_fuzz::clean_filename_target` (fuzz/src/lib.rs), which
//! tests/fuzz_seeds.rs also runs on the seeds and on every crash found.
#![no_main]
#![forbid(unsafe_code)]

libfuzzer_sys::fuzz_target!(|data: &[u8]| amanat_fuzz::clean_filename_target(data));
