//! Fuzz target: the attachment manifest and answers the CLI reads from a report.
//! The checks live in `amanat_fuzz::manifest` (fuzz/src/lib.rs), which
//! tests/fuzz_seeds.rs also runs on the seeds and on every crash found.
#![no_main]
#![forbid(unsafe_code)]

libfuzzer_sys::fuzz_target!(|data: &[u8]| amanat_fuzz::manifest(data));
