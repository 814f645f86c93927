//! Fuzz target: JSON bodies of the review API, requests and responses.
//! The checks live in `amanat_fuzz::review_api` (fuzz/src/lib.rs), which
//! tests/fuzz_seeds.rs also runs on the seeds and on every crash found.
#![no_main]
#![forbid(unsafe_code)]

libfuzzer_sys::fuzz_target!(|data: &[u8]| amanat_fuzz::review_api(data));
